//! Rewrites of progenitor's output, item by item, before it is formatted. Both are generic:
//! what they produce depends on the spec and on [`crate::Settings`], never on an operation's
//! name.
//!
//! - **Path defaults** ([`PathDefault`]): every `Client::<operation>()` method whose builder has
//!   a setter for the parameter starts that builder with the value of an expression the client
//!   chooses (e.g. its configured project), when the expression gives one. The builder's setter
//!   still overrides it.
//! - **The operation table** ([`crate::Settings::operation_table`]): one item listing every
//!   operation as `OperationInfo::operation_id` (what the hooks see), HTTP method and path
//!   template, for hooks that trace or route by operation.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use crate::Error;

/// A path parameter that every generated `Client::<operation>()` method pre-fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathDefault {
    /// The path parameter's name, as the builder's setter is named (e.g. `project_id`).
    pub param: String,
    /// A Rust expression of type `Option<V>`, where `V` is accepted by the builder's setter;
    /// evaluated inside `impl Client` (so `self` is the `&Client`), e.g.
    /// `crate::transport::default_project_id(&self.inner)`.
    pub expr: String,
}

/// One operation of progenitor's output, read from its builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Operation {
    id: String,
    method: String,
    path: String,
}

/// What the rewrites need to know about the whole output, gathered from the `builder` module.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// Builder struct name → the names of its fields (its parameters).
    builder_fields: BTreeMap<String, BTreeSet<String>>,
    /// Every operation, in the builder module's order.
    operations: Vec<Operation>,
}

/// The path defaults of the settings, their expressions parsed.
pub(crate) struct Parsed {
    defaults: Vec<(syn::Ident, syn::Expr, String)>,
}

/// Parses the expressions of `defaults`; a bad one is [`Error::Settings`].
pub(crate) fn parse(defaults: &[PathDefault]) -> Result<Parsed, Error> {
    let defaults = defaults
        .iter()
        .map(|d| {
            let ident = syn::parse_str::<syn::Ident>(&d.param)
                .map_err(|e| Error::Settings(d.param.clone(), e.to_string()))?;
            let expr = syn::parse_str::<syn::Expr>(&d.expr)
                .map_err(|e| Error::Settings(d.expr.clone(), e.to_string()))?;
            Ok((ident, expr, d.expr.clone()))
        })
        .collect::<Result<_, Error>>()?;
    Ok(Parsed { defaults })
}

/// Applies the rewrites the settings ask for to `file`: the facts are gathered once, then
/// each item is rewritten on its own, and the operation table (if asked for) is appended.
pub(crate) fn apply(
    file: &mut syn::File,
    defaults: &Parsed,
    operation_table: bool,
) -> Result<(), Error> {
    if defaults.defaults.is_empty() && !operation_table {
        return Ok(());
    }
    let operations = rewrite(file, defaults);
    if operation_table {
        file.items.extend(table_of(operations));
    }
    Ok(())
}

/// Applies the path defaults to the items of `file` (all of progenitor's output, or one part
/// of it: each operation's `Client` method and builder are in the same part); returns the
/// operations of its builder module.
pub(crate) fn rewrite(file: &mut syn::File, defaults: &Parsed) -> Vec<Operation> {
    let facts = Facts::gather(&file.items);
    if !defaults.defaults.is_empty() {
        for item in &mut file.items {
            rewrite_item(item, &facts, defaults);
        }
    }
    facts.operations
}

/// The operation table items of `operations` (from one or several [`rewrite`]s).
pub(crate) fn table_of(mut operations: Vec<Operation>) -> Vec<syn::Item> {
    operations.sort_by(|a, b| a.id.cmp(&b.id));
    table(&operations)
}

impl Facts {
    /// Reads the top-level `builder` module of progenitor's output.
    pub(crate) fn gather(items: &[syn::Item]) -> Facts {
        let mut facts = Facts::default();
        let Some(builder) = items.iter().find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref().map(|(_, c)| c),
            _ => None,
        }) else {
            return facts;
        };
        for item in builder {
            match item {
                syn::Item::Struct(s) => {
                    let fields = s
                        .fields
                        .iter()
                        .filter_map(|f| f.ident.as_ref().map(|i| i.to_string()))
                        .collect();
                    facts.builder_fields.insert(s.ident.to_string(), fields);
                }
                syn::Item::Impl(i) => facts.operations.extend(operation_of(i)),
                _ => {}
            }
        }
        facts
    }
}

/// The operation a builder's `impl` sends: its `send` method's doc ("Sends a `GET` request to
/// `/path`") and the `OperationInfo { operation_id: ".." }` it hands to the hooks.
fn operation_of(block: &syn::ItemImpl) -> Option<Operation> {
    let send = block.items.iter().find_map(|item| match item {
        syn::ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
        _ => None,
    })?;
    let doc = docs(&send.attrs);
    let rest = doc.split("Sends a `").nth(1)?;
    let (method, rest) = rest.split_once('`')?;
    let path = rest.split('`').nth(1)?;
    let body = send.block.to_token_stream().to_string();
    let after = body.split("operation_id :").nth(1)?;
    let id = after.split('"').nth(1)?;
    Some(Operation {
        id: id.to_owned(),
        method: method.to_owned(),
        path: path.to_owned(),
    })
}

fn docs(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Rewrites one item: in `impl Client`, every method that returns a fresh builder
/// (`builder::X::new(self)`) whose builder has a field named after a path default starts
/// with that default.
pub(crate) fn rewrite_item(item: &mut syn::Item, facts: &Facts, parsed: &Parsed) {
    let syn::Item::Impl(block) = item else {
        return;
    };
    if block.trait_.is_some() || !is_client(&block.self_ty) {
        return;
    }
    for member in &mut block.items {
        let syn::ImplItem::Fn(method) = member else {
            continue;
        };
        let Some(builder) = fresh_builder(&method.block) else {
            continue;
        };
        let Some(fields) = facts.builder_fields.get(&builder.to_string()) else {
            continue;
        };
        let mut setters = Vec::new();
        for (param, expr, text) in &parsed.defaults {
            if fields.contains(&param.to_string()) {
                setters.push(quote! {
                    let b = match #expr {
                        Some(v) => b.#param(v),
                        None => b,
                    };
                });
                let doc = format!(
                    "\n`{param}` starts as the value of `{text}`, when it has one; \
                     `.{param}(..)` overrides it."
                );
                method.attrs.push(syn::parse_quote!(#[doc = #doc]));
            }
        }
        if setters.is_empty() {
            continue;
        }
        method.block = syn::parse_quote!({
            let b = builder::#builder::new(self);
            #(#setters)*
            b
        });
    }
}

fn is_client(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("Client"))
}

/// `X` when the block is exactly `builder::X::new(self)`.
fn fresh_builder(block: &syn::Block) -> Option<syn::Ident> {
    let [syn::Stmt::Expr(syn::Expr::Call(call), None)] = block.stmts.as_slice() else {
        return None;
    };
    let syn::Expr::Path(func) = call.func.as_ref() else {
        return None;
    };
    let segments: Vec<_> = func.path.segments.iter().collect();
    match (segments.as_slice(), call.args.len()) {
        ([module, name, new], 1) if module.ident == "builder" && new.ident == "new" => {
            Some(name.ident.clone())
        }
        _ => None,
    }
}

/// The operation table items.
fn table(operations: &[Operation]) -> Vec<syn::Item> {
    let rows = operations.iter().map(|o| {
        let (id, method, path) = (&o.id, &o.method, &o.path);
        quote! { ApiOperation { id: #id, method: #method, path: #path } }
    });
    let tokens: TokenStream = quote! {
        /// An operation of the API, as the hooks see it (`OperationInfo::operation_id`), with its
        /// HTTP method and path template.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub struct ApiOperation {
            /// `OperationInfo::operation_id`: the spec's `operationId` in snake case.
            pub id: &'static str,
            /// The HTTP method, upper case.
            pub method: &'static str,
            /// The path template of the spec, e.g. `/v2/{project_id}/instances/{instance_id}`.
            pub path: &'static str,
        }
        /// Every operation of the API, sorted by id.
        pub const OPERATIONS: &[ApiOperation] = &[#(#rows),*];
        /// The operation whose `OperationInfo::operation_id` is `id`.
        pub fn api_operation(id: &str) -> Option<&'static ApiOperation> {
            OPERATIONS.iter().find(|o| o.id == id)
        }
    };
    syn::parse2::<syn::File>(tokens)
        .expect("the operation table is valid Rust")
        .items
}
