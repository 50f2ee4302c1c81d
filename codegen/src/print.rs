//! Printing generated tokens as formatted Rust source, one item at a time.
//!
//! `prettyplease::unparse` prints a whole `syn::File`. For a spec of 1,000 operations,
//! syn's copy of the tokens and the syntax tree of the whole file come to about 650 MiB
//! beside the tokens themselves, and touching that memory made generation miss its guard
//! against openapi-generator (BENCHMARKS.md). So the file is printed piece by piece: syn gets
//! one module body at a time, and each item is parsed, printed and dropped before the next.
//! An item inside a module is printed wrapped in copies of its enclosing modules, so it is
//! indented, and so broken into lines, exactly as in the whole file; the wrappers' opening
//! and closing lines are then cut off. prettyplease ends every item with a line break and
//! keeps no state across one, so the pieces join into the text `prettyplease::unparse`
//! prints for the whole file (the tests check that, on the real spec and on nested modules
//! with attributes).

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Item, ItemMod, Token, Visibility, token};

/// Formats `tokens`, a Rust file, as `prettyplease::unparse` would.
pub(crate) fn unparse(tokens: TokenStream) -> syn::Result<String> {
    let mut printer = Printer {
        file_attrs: Vec::new(),
        out: String::new(),
        open: Vec::new(),
    };
    printer.body(tokens)?;
    if !printer.file_attrs.is_empty() {
        // Inner attributes and no item to print them with.
        printer.out = prettyplease::unparse(&file(printer.file_attrs, Vec::new()));
    }
    Ok(printer.out)
}

/// A module being printed: what its wrapper copies need.
struct Module {
    /// Its outer and inner attributes, until its first item has printed them.
    attrs: Vec<Attribute>,
    /// Whether its opening line has been printed.
    opened: bool,
    vis: Visibility,
    unsafety: Option<Token![unsafe]>,
    mod_token: Token![mod],
    ident: syn::Ident,
    brace: token::Brace,
}

impl Module {
    /// Reads a module's attributes, header and (emptied) braces.
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let unsafety = input.parse()?;
        let mod_token = input.parse()?;
        let ident = input.parse()?;
        let content;
        let brace = syn::braced!(content in input);
        Ok(Module {
            attrs,
            opened: false,
            vis,
            unsafety,
            mod_token,
            ident,
            brace,
        })
    }

    fn wrap(&self, attrs: Vec<Attribute>, items: Vec<Item>) -> Item {
        Item::Mod(ItemMod {
            attrs,
            vis: self.vis.clone(),
            unsafety: self.unsafety,
            mod_token: self.mod_token,
            ident: self.ident.clone(),
            content: Some((self.brace, items)),
            semi: None,
        })
    }
}

struct Printer {
    /// The file's inner attributes, until its first item has printed them.
    file_attrs: Vec<Attribute>,
    out: String,
    /// The modules around the items being printed, outermost first.
    open: Vec<Module>,
}

impl Printer {
    /// Prints `tokens`, the body of the file or of the innermost open module.
    ///
    /// The bodies of the modules in it are taken out first ([`take_module_bodies`]) and
    /// printed one by one, so that syn's copy of the tokens holds one body at a time.
    fn body(&mut self, tokens: TokenStream) -> syn::Result<()> {
        let (tokens, mut bodies) = take_module_bodies(tokens);
        let parser = |input: ParseStream| {
            let inner_attrs = input.call(Attribute::parse_inner)?;
            match self.open.last_mut() {
                Some(module) => module.attrs.extend(inner_attrs),
                None => self.file_attrs = inner_attrs,
            }
            while !input.is_empty() {
                if !module_ahead(input) {
                    let item: Item = input.parse()?;
                    self.print(item);
                    continue;
                }
                let module = Module::parse(input)?;
                let Some(body) = bodies.next() else {
                    return Err(input.error("a module whose body was not taken out"));
                };
                self.module(module, body)?;
            }
            match bodies.next() {
                Some(_) => Err(input.error("a module body taken out of no module")),
                None => Ok(()),
            }
        };
        parser.parse2(tokens)
    }

    /// Prints `module` with its `body`.
    fn module(&mut self, module: Module, body: TokenStream) -> syn::Result<()> {
        self.open.push(module);
        self.body(body)?;
        let mut module = self.open.pop().expect("pushed above");
        if module.opened {
            self.out.push_str(&"    ".repeat(self.open.len()));
            self.out.push_str("}\n");
        } else {
            // No items: printed whole, with its attributes.
            let attrs = std::mem::take(&mut module.attrs);
            self.print(module.wrap(attrs, Vec::new()));
        }
        Ok(())
    }

    /// Prints `item` inside copies of the open modules, keeping only its own lines and the
    /// opening lines (with attributes) of the file and the modules not opened yet.
    fn print(&mut self, item: Item) {
        let already_open = self.open.iter().take_while(|m| m.opened).count();
        let mut wrapped = item;
        for module in self.open.iter_mut().rev() {
            let attrs = std::mem::take(&mut module.attrs);
            wrapped = module.wrap(attrs, vec![wrapped]);
            module.opened = true;
        }
        let attrs = std::mem::take(&mut self.file_attrs);
        let text = prettyplease::unparse(&file(attrs, vec![wrapped]));
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let keep = &lines[already_open..lines.len() - self.open.len()];
        self.out.extend(keep.iter().copied());
    }
}

/// `tokens` with the body of every `mod name { ... }` in it (not nested in a group) left
/// empty, and those bodies in order.
fn take_module_bodies(tokens: TokenStream) -> (TokenStream, std::vec::IntoIter<TokenStream>) {
    let mut kept: Vec<TokenTree> = Vec::new();
    let mut bodies = Vec::new();
    for tree in tokens {
        let after_mod_name = matches!(
            kept.as_slice(),
            [.., TokenTree::Ident(keyword), TokenTree::Ident(_)] if keyword == "mod"
        );
        match tree {
            TokenTree::Group(group) if after_mod_name && group.delimiter() == Delimiter::Brace => {
                bodies.push(group.stream());
                let mut emptied = Group::new(Delimiter::Brace, TokenStream::new());
                emptied.set_span(group.span());
                kept.push(TokenTree::Group(emptied));
            }
            tree => kept.push(tree),
        }
    }
    (kept.into_iter().collect(), bodies.into_iter())
}

/// Whether the next item is `mod name { ... }` (with any attributes, visibility and
/// `unsafe`): what [`take_module_bodies`] takes the body of.
fn module_ahead(input: ParseStream) -> bool {
    Module::parse(&input.fork()).is_ok()
}

fn file(attrs: Vec<Attribute>, items: Vec<Item>) -> syn::File {
    syn::File {
        shebang: None,
        frontmatter: None,
        attrs,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse2(tokens).expect("a file"))
    }

    #[test]
    fn nested_modules_print_as_in_the_whole_file() {
        let tokens = quote::quote! {
            #![allow(dead_code)]
            use std::fmt;
            /// The types.
            #[allow(clippy::all)]
            pub mod types {
                #![allow(unused)]
                use super::fmt;
                pub mod empty {}
                pub(crate) mod inner_attrs_only { #![allow(unused)] }
                /// Builders.
                pub mod builder {
                    #[derive(Debug, Clone)]
                    pub struct A { pub long_field_name_one: ::std::option::Option<::std::string::String>, pub b: u32 }
                    impl A { pub fn new(x: u32) -> Self { Self { long_field_name_one: None, b: x } } }
                    mod deeper { pub fn f() -> u32 { 1 } }
                }
                pub struct After;
            }
            const _: () = { fn f() {} };
            /// Its first item is a module.
            mod tail { #![allow(unused)] mod first { pub fn h() {} } pub fn g() {} }
            unsafe mod raw { extern "C" {} }
        };
        assert_eq!(unparse(tokens.clone()).expect("it prints"), whole(tokens));
        let attrs_only = quote::quote!(#![allow(unused)]);
        assert_eq!(
            unparse(attrs_only.clone()).expect("it prints"),
            whole(attrs_only)
        );
    }

    #[test]
    fn the_real_spec_prints_as_the_whole_file() {
        let text = include_str!("../../spec/dms-kafka-smart-connect.yaml");
        let settings = crate::Settings {
            inner_type: Some("crate::Inner".into()),
            hooks_required: true,
            replacements: ["NodeCount", "PathSegment"]
                .map(|schema| crate::Replacement {
                    schema: schema.into(),
                    rust_type: format!("crate::{schema}"),
                })
                .into(),
            ..Default::default()
        };
        let spec = crate::generate::checked_spec("spec.yaml", text, &settings).expect("it checks");
        let tokens = progenitor::Generator::new(&settings.progenitor().expect("settings"))
            .generate_tokens(&spec)
            .expect("progenitor generates");
        let printed = unparse(tokens.clone()).expect("it prints");
        assert!(printed.contains("    pub mod builder {\n"));
        assert_eq!(printed, whole(tokens));
    }

    #[test]
    fn a_parse_error_is_reported() {
        let error = unparse(quote::quote!(mod m { fn })).expect_err("not a file");
        assert!(!error.to_string().is_empty());
    }
}
