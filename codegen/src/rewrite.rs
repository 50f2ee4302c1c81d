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
//! - **URLs built in one string** ([`crate::Settings::path_encoder`]): each builder's `send`
//!   appends the base URL, the path's constant parts and its encoded parameters to one
//!   `String`, instead of `format!` over `encode_path(&param.to_string())` (two more strings
//!   per parameter).
//! - **Requests started by the client** ([`crate::Settings::request_start`]): each builder's
//!   `send` starts its request with a function of the client, given the method and the URL
//!   string, instead of `client.client.<method>(url)`.
//! - **No `api-version` header** ([`crate::Settings::drop_api_version_header`]): each
//!   builder's `send` no longer adds the header progenitor sets to the spec's `info.version`
//!   (and no longer builds a header map when that was its only header).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::visit::Visit;

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

/// The rewrites the settings ask for, their expressions parsed.
pub(crate) struct Parsed {
    defaults: Vec<Preset>,
    operation_table: bool,
    path_encoder: Option<syn::Path>,
    request_start: Option<syn::Path>,
    drop_api_version_header: bool,
    /// Statements of the rewritten code, parsed once and filled in for each operation.
    templates: Templates,
}

/// A path default, with the statement that applies it and the doc line that says so.
struct Preset {
    /// The parameter, as the builder's field is named.
    field: String,
    /// `let b = match <expr> { Some(v) => b.<param>(v), None => b };`
    setter: syn::Stmt,
    /// The method's added doc line.
    doc: syn::Attribute,
}

/// Statements whose placeholders are replaced for each operation; parsed from the same tokens
/// that each operation's code used to be parsed from, so the syntax trees are the same.
struct Templates {
    /// `let b = builder::X::new(self);`
    fresh_builder: syn::Stmt,
    /// `b`
    b: syn::Stmt,
    /// `let mut url = ::std::string::String::with_capacity(BASE.len() + 0usize);`
    url_head: syn::Stmt,
    /// `url.push_str(&BASE);`
    url_base: syn::Stmt,
    /// `url.push_str("");`
    url_piece: syn::Stmt,
    /// `<encoder>(&mut url, &PARAM);`, with the settings' encoder.
    url_param: Option<syn::Stmt>,
    /// `url`
    url: syn::Stmt,
}

impl Templates {
    fn new(encoder: Option<&syn::Path>) -> Templates {
        Templates {
            fresh_builder: syn::parse_quote! { let b = builder::X::new(self); },
            b: syn::Stmt::Expr(syn::parse_quote!(b), None),
            url_head: syn::parse_quote! {
                let mut url = ::std::string::String::with_capacity(BASE.len() + 0usize);
            },
            url_base: syn::parse_quote! { url.push_str(&BASE); },
            url_piece: syn::parse_quote! { url.push_str(""); },
            url_param: encoder.map(|encoder| syn::parse_quote! { #encoder(&mut url, &PARAM); }),
            url: syn::Stmt::Expr(syn::parse_quote!(url), None),
        }
    }
}

impl Parsed {
    /// Whether there is nothing to rewrite (progenitor's output is used as it is).
    pub(crate) fn is_empty(&self) -> bool {
        self.defaults.is_empty()
            && !self.operation_table
            && self.path_encoder.is_none()
            && self.request_start.is_none()
            && !self.drop_api_version_header
    }
}

/// Parses the expressions and paths of `settings`; a bad one is [`Error::Settings`].
pub(crate) fn parse(settings: &crate::Settings) -> Result<Parsed, Error> {
    let defaults = settings
        .path_defaults
        .iter()
        .map(|d| {
            let ident = syn::parse_str::<syn::Ident>(&d.param)
                .map_err(|e| Error::Settings(d.param.clone(), e.to_string()))?;
            let expr = syn::parse_str::<syn::Expr>(&d.expr)
                .map_err(|e| Error::Settings(d.expr.clone(), e.to_string()))?;
            let text = &d.expr;
            let param = &ident;
            let doc = format!(
                "\n`{param}` starts as the value of `{text}`, when it has one; \
                 `.{param}(..)` overrides it."
            );
            Ok(Preset {
                field: ident.to_string(),
                setter: syn::parse_quote! {
                    let b = match #expr {
                        Some(v) => b.#param(v),
                        None => b,
                    };
                },
                doc: syn::parse_quote!(#[doc = #doc]),
            })
        })
        .collect::<Result<_, Error>>()?;
    let parse_path = |path: &Option<String>| {
        path.as_deref()
            .map(|path| {
                syn::parse_str::<syn::Path>(path)
                    .map_err(|e| Error::Settings(path.to_owned(), e.to_string()))
            })
            .transpose()
    };
    let path_encoder = parse_path(&settings.path_encoder)?;
    let request_start = parse_path(&settings.request_start)?;
    Ok(Parsed {
        defaults,
        operation_table: settings.operation_table,
        templates: Templates::new(path_encoder.as_ref()),
        path_encoder,
        request_start,
        drop_api_version_header: settings.drop_api_version_header,
    })
}

/// Applies the rewrites the settings ask for to `file`: the facts are gathered once, then
/// each item is rewritten on its own, and the operation table (if asked for) is appended.
pub(crate) fn apply(file: &mut syn::File, parsed: &Parsed) -> Result<(), Error> {
    if parsed.is_empty() {
        return Ok(());
    }
    let operations = rewrite(file, parsed);
    if parsed.operation_table {
        file.items.extend(table_of(operations));
    }
    Ok(())
}

/// Applies the rewrites to the items of `file` (all of progenitor's output, or one part of
/// it: each operation's `Client` method and builder are in the same part); returns the
/// operations of its builder module.
pub(crate) fn rewrite(file: &mut syn::File, parsed: &Parsed) -> Vec<Operation> {
    let facts = Facts::gather(&file.items);
    for item in &mut file.items {
        rewrite_item(item, &facts, parsed);
        if let syn::Item::Mod(m) = item
            && m.ident == "builder"
            && let Some((_, items)) = &mut m.content
        {
            for item in items {
                if let syn::Item::Impl(block) = item {
                    rewrite_send(block, parsed);
                }
            }
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
    let id = match operation_info_id(&send.block) {
        Some(literal) => literal.split('"').nth(1)?.to_owned(),
        None => {
            let body = send.block.to_token_stream().to_string();
            let after = body.split("operation_id :").nth(1)?;
            after.split('"').nth(1)?.to_owned()
        }
    };
    Some(Operation {
        id,
        method: method.to_owned(),
        path: path.to_owned(),
    })
}

/// The text of the string literal in progenitor's `let info = OperationInfo { operation_id:
/// ".." };` when that statement comes before anything else that mentions `operation_id`
/// (what the text of the whole block would show first); `None` otherwise.
fn operation_info_id(block: &syn::Block) -> Option<String> {
    let operation_id = syn::Ident::new("operation_id", proc_macro2::Span::call_site());
    for stmt in &block.stmts {
        if let syn::Stmt::Local(local) = stmt
            && let Some(init) = &local.init
            && init.diverge.is_none()
            && local.attrs.is_empty()
            && !mentions_in(|v| v.visit_pat(&local.pat), &operation_id)
            && let syn::Expr::Struct(info) = init.expr.as_ref()
            && info.attrs.is_empty()
            && info.qself.is_none()
            && info.path.is_ident("OperationInfo")
            && let Some(first) = info.fields.first()
            && first.attrs.is_empty()
            && first.colon_token.is_some()
            && matches!(&first.member, syn::Member::Named(m) if *m == operation_id)
            && let syn::Expr::Lit(syn::ExprLit {
                attrs,
                lit: syn::Lit::Str(literal),
            }) = &first.expr
            && attrs.is_empty()
        {
            return Some(literal.token().to_string());
        }
        if mentions_in(|v| v.visit_stmt(stmt), &operation_id) {
            return None;
        }
    }
    None
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
        let mut stmts = Vec::new();
        for default in &parsed.defaults {
            if fields.contains(&default.field) {
                stmts.push(default.setter.clone());
                method.attrs.push(default.doc.clone());
            }
        }
        if stmts.is_empty() {
            continue;
        }
        let mut fresh = parsed.templates.fresh_builder.clone();
        if let syn::Stmt::Local(local) = &mut fresh
            && let Some(init) = &mut local.init
            && let syn::Expr::Call(call) = init.expr.as_mut()
            && let syn::Expr::Path(func) = call.func.as_mut()
            && let Some(segment) = func.path.segments.iter_mut().nth(1)
        {
            segment.ident = builder.clone();
        }
        stmts.insert(0, fresh);
        stmts.push(parsed.templates.b.clone());
        method.block = syn::Block {
            brace_token: Default::default(),
            stmts,
        };
    }
}

/// The `send` rewrites of one builder `impl` (URL building, `api-version`).
fn rewrite_send(block: &mut syn::ItemImpl, parsed: &Parsed) {
    let Some(send) = block.items.iter_mut().find_map(|item| match item {
        syn::ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
        _ => None,
    }) else {
        return;
    };
    if let Some(encoder) = &parsed.path_encoder {
        for stmt in &mut send.block.stmts {
            if let syn::Stmt::Local(local) = stmt
                && let Some(init) = &mut local.init
                && let Some(built) = url_in_one_string(&init.expr, encoder, &parsed.templates)
            {
                *init.expr = built;
            }
        }
    }
    if let Some(start) = &parsed.request_start {
        for stmt in &mut send.block.stmts {
            if let syn::Stmt::Local(local) = stmt
                && let Some(init) = &mut local.init
                && started_by(&mut init.expr, start)
            {
                break;
            }
        }
    }
    if parsed.drop_api_version_header {
        drop_api_version_header(&mut send.block);
    }
}

/// In the request builder chain `expr` (`client.client.post(url).header(..)...build()?`),
/// replaces progenitor's `client.client.<method>(url)` with `start(client,
/// ::reqwest::Method::<METHOD>, url)`; whether it found one.
fn started_by(expr: &mut syn::Expr, start: &syn::Path) -> bool {
    const METHODS: [&str; 7] = ["get", "post", "put", "delete", "patch", "head", "options"];
    match expr {
        syn::Expr::Try(t) => started_by(&mut t.expr, start),
        syn::Expr::MethodCall(call) => {
            let on_http_client = matches!(call.receiver.as_ref(), syn::Expr::Field(f)
                if matches!(&f.member, syn::Member::Named(m) if m == "client")
                    && matches!(f.base.as_ref(), syn::Expr::Path(p) if p.path.is_ident("client")));
            let method = call.method.to_string();
            if on_http_client && call.args.len() == 1 && METHODS.contains(&method.as_str()) {
                let verb = syn::Ident::new(&method.to_uppercase(), call.method.span());
                let url = &call.args[0];
                *expr = syn::parse_quote!(#start(client, ::reqwest::Method::#verb, #url));
                true
            } else {
                started_by(&mut call.receiver, start)
            }
        }
        _ => false,
    }
}

/// For progenitor's `format!("{}/a/{}/b", client.baseurl, encode_path(&x.to_string()))`, the
/// same URL appended piece by piece to one `String`, the parameters through `encoder`
/// (`encoder(&mut url, &x)`). `None` for anything else, which then stays as it is.
fn url_in_one_string(
    expr: &syn::Expr,
    encoder: &syn::Path,
    templates: &Templates,
) -> Option<syn::Expr> {
    use syn::punctuated::Punctuated;

    let syn::Expr::Macro(mac) = expr else {
        return None;
    };
    if !mac.mac.path.is_ident("format") {
        return None;
    }
    let args = mac
        .mac
        .parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        .ok()?;
    let mut args = args.into_iter();
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(template),
        ..
    }) = args.next()?
    else {
        return None;
    };
    let base = args.next()?;
    if !matches!(&base, syn::Expr::Field(f) if matches!(&f.member, syn::Member::Named(m) if m == "baseurl"))
    {
        return None;
    }
    let params = args.map(encoded_param).collect::<Option<Vec<_>>>()?;
    let template = template.value();
    let pieces: Vec<&str> = template.strip_prefix("{}")?.split("{}").collect();
    // A brace left in a piece is an escape (`{{`) or another placeholder: not progenitor's
    // shape, leave it.
    if pieces.len() != params.len() + 1 || pieces.iter().any(|p| p.contains(['{', '}'])) {
        return None;
    }
    let url = syn::Ident::new("url", proc_macro2::Span::call_site());
    if params
        .iter()
        .any(|p| mentions_in(|v| v.visit_expr(p), &url))
    {
        return None;
    }
    // The constant parts, and room for parameters of typical length (ids of up to 40).
    let capacity = pieces.iter().map(|p| p.len()).sum::<usize>() + 40 * params.len();
    if let Some(built) = url_from_templates(&base, &params, &pieces, capacity, templates) {
        return Some(built);
    }
    let mut steps = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            let param = &params[i - 1];
            steps.push(quote! { #encoder(&mut #url, &#param); });
        }
        if !piece.is_empty() {
            steps.push(quote! { #url.push_str(#piece); });
        }
    }
    Some(syn::parse_quote! {{
        let mut #url = ::std::string::String::with_capacity(#base.len() + #capacity);
        #url.push_str(&#base);
        #(#steps)*
        #url
    }})
}

/// What [`url_in_one_string`] parses from its tokens, put together from [`Templates`]: for a
/// base `a.b` and parameters that are plain names or fields of names (which print and parse
/// back as the same expression after `&` or before `.len()`); `None` for anything else.
fn url_from_templates(
    base: &syn::Expr,
    params: &[syn::Expr],
    pieces: &[&str],
    capacity: usize,
    templates: &Templates,
) -> Option<syn::Expr> {
    let simple = |e: &syn::Expr| match e {
        syn::Expr::Path(p) => p.attrs.is_empty() && p.qself.is_none(),
        syn::Expr::Field(f) => {
            f.attrs.is_empty()
                && matches!(f.base.as_ref(), syn::Expr::Path(p) if p.attrs.is_empty() && p.qself.is_none())
        }
        _ => false,
    };
    if !matches!(base, syn::Expr::Field(_)) || !simple(base) || !params.iter().all(simple) {
        return None;
    }
    let url_param = templates.url_param.as_ref()?;
    let mut stmts = Vec::with_capacity(3 + 2 * params.len());

    let mut head = templates.url_head.clone();
    let syn::Stmt::Local(local) = &mut head else {
        return None;
    };
    let syn::Expr::Call(call) = local.init.as_mut()?.expr.as_mut() else {
        return None;
    };
    let syn::Expr::Binary(sum) = call.args.first_mut()? else {
        return None;
    };
    let syn::Expr::MethodCall(len) = sum.left.as_mut() else {
        return None;
    };
    *len.receiver = base.clone();
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(int),
        ..
    }) = sum.right.as_mut()
    else {
        return None;
    };
    *int = syn::LitInt::new(&format!("{capacity}usize"), int.span());
    stmts.push(head);

    let with_reference = |template: &syn::Stmt, at: usize, value: &syn::Expr| {
        let mut stmt = template.clone();
        let args = match &mut stmt {
            syn::Stmt::Expr(syn::Expr::MethodCall(call), Some(_)) => &mut call.args,
            syn::Stmt::Expr(syn::Expr::Call(call), Some(_)) => &mut call.args,
            _ => return None,
        };
        let syn::Expr::Reference(reference) = args.iter_mut().nth(at)? else {
            return None;
        };
        *reference.expr = value.clone();
        Some(stmt)
    };
    stmts.push(with_reference(&templates.url_base, 0, base)?);
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            stmts.push(with_reference(url_param, 1, &params[i - 1])?);
        }
        if !piece.is_empty() {
            let mut stmt = templates.url_piece.clone();
            let syn::Stmt::Expr(syn::Expr::MethodCall(call), Some(_)) = &mut stmt else {
                return None;
            };
            let Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            })) = call.args.first_mut()
            else {
                return None;
            };
            *text = syn::LitStr::new(piece, proc_macro2::Span::call_site());
            stmts.push(stmt);
        }
    }
    stmts.push(templates.url.clone());
    Some(syn::Expr::Block(syn::ExprBlock {
        attrs: Vec::new(),
        label: None,
        block: syn::Block {
            brace_token: Default::default(),
            stmts,
        },
    }))
}

/// `x` of `encode_path(&x.to_string())`.
fn encoded_param(arg: syn::Expr) -> Option<syn::Expr> {
    let syn::Expr::Call(call) = arg else {
        return None;
    };
    let syn::Expr::Path(func) = call.func.as_ref() else {
        return None;
    };
    if !func.path.is_ident("encode_path") || call.args.len() != 1 {
        return None;
    }
    let syn::Expr::Reference(reference) = call.args.into_iter().next()? else {
        return None;
    };
    if reference.mutability.is_some() {
        return None;
    }
    let syn::Expr::MethodCall(to_string) = *reference.expr else {
        return None;
    };
    if to_string.method != "to_string" || !to_string.args.is_empty() {
        return None;
    }
    Some(*to_string.receiver)
}

/// Whether `tokens` contain the identifier `ident`, at any depth.
fn mentions(tokens: &TokenStream, ident: &syn::Ident) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(i) => i == *ident,
        proc_macro2::TokenTree::Group(g) => mentions(&g.stream(), ident),
        _ => false,
    })
}

/// Whether the syntax that `visit` walks contains the identifier `ident` (as its tokens
/// would), without turning it into tokens.
fn mentions_in(visit: impl FnOnce(&mut Mentions<'_>), ident: &syn::Ident) -> bool {
    let mut mentions = Mentions {
        ident,
        found: false,
    };
    visit(&mut mentions);
    mentions.found
}

/// The visitor of [`mentions_in`]: every identifier, and every token left unparsed (macro
/// bodies, attribute arguments, verbatim syntax).
struct Mentions<'i> {
    ident: &'i syn::Ident,
    found: bool,
}

impl<'ast> Visit<'ast> for Mentions<'_> {
    fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
        self.found |= ident == self.ident;
    }

    fn visit_token_stream(&mut self, tokens: &'ast TokenStream) {
        self.found = self.found || mentions(tokens, self.ident);
    }
}

/// Removes progenitor's `header_map.append(.. "api-version" ..)`; when no other header is
/// added, also the header map itself and the request builder's `.headers(header_map)`.
fn drop_api_version_header(block: &mut syn::Block) {
    let header_map = syn::Ident::new("header_map", proc_macro2::Span::call_site());
    let is_api_version = |stmt: &syn::Stmt| {
        matches!(stmt, syn::Stmt::Expr(syn::Expr::MethodCall(call), Some(_))
            if call.method == "append"
                && matches!(call.receiver.as_ref(), syn::Expr::Path(p) if p.path.is_ident(&header_map))
                && call.to_token_stream().to_string().contains("\"api-version\""))
    };
    let before = block.stmts.len();
    block.stmts.retain(|stmt| !is_api_version(stmt));
    if block.stmts.len() == before {
        return;
    }
    let is_map = |stmt: &syn::Stmt| {
        matches!(stmt, syn::Stmt::Local(local)
            if matches!(&local.pat, syn::Pat::Ident(p) if p.ident == header_map))
    };
    let users = block
        .stmts
        .iter()
        .filter(|stmt| !is_map(stmt) && mentions_in(|v| v.visit_stmt(stmt), &header_map))
        .count();
    if users == 1 {
        // Only the request builder's `.headers(header_map)` is left: drop both.
        for stmt in &mut block.stmts {
            if let syn::Stmt::Local(local) = stmt
                && let Some(init) = &mut local.init
                && without_headers_call(&mut init.expr, &header_map)
            {
                block.stmts.retain(|stmt| !is_map(stmt));
                return;
            }
        }
    }
    // Other headers remain: the map is one smaller.
    for stmt in &mut block.stmts {
        if is_map(stmt)
            && let syn::Stmt::Local(local) = stmt
            && let Some(init) = &mut local.init
            && let syn::Expr::Call(call) = init.expr.as_mut()
            && let Some(syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Int(size),
                ..
            })) = call.args.first_mut()
            && let Ok(n) = size.base10_parse::<usize>()
            && n > 0
        {
            *size = syn::LitInt::new(&format!("{}usize", n - 1), size.span());
        }
    }
}

/// Removes `.headers(header_map)` from a method-call chain (through `?`); whether it did.
fn without_headers_call(expr: &mut syn::Expr, header_map: &syn::Ident) -> bool {
    match expr {
        syn::Expr::MethodCall(call) => {
            let is_it = call.method == "headers"
                && call.args.len() == 1
                && matches!(&call.args[0], syn::Expr::Path(p) if p.path.is_ident(header_map));
            if is_it {
                *expr = (*call.receiver).clone();
                true
            } else {
                without_headers_call(&mut call.receiver, header_map)
            }
        }
        syn::Expr::Try(t) => without_headers_call(&mut t.expr, header_map),
        _ => false,
    }
}

/// Whether `ty` is the generated `Client`.
pub(crate) fn is_client(ty: &syn::Type) -> bool {
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
