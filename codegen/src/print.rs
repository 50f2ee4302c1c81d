//! Printing generated tokens as formatted Rust source, one item at a time.
//!
//! `prettyplease::unparse` prints a whole `syn::File`. For a spec of 1,000 operations the
//! syntax tree of the whole file takes about 650 MiB beside the tokens, and that memory is
//! what made generation miss its guards (BENCHMARKS.md). So the file is printed item by
//! item: each item is parsed, printed and dropped before the next. An item inside a module
//! is printed wrapped in copies of its enclosing modules, so it is indented, and so broken
//! into lines, exactly as in the whole file; the wrappers' opening and closing lines are then
//! cut off. prettyplease ends every item with a line break and keeps no state across one, so
//! the pieces join into the text `prettyplease::unparse` prints for the whole file (the
//! tests check that, on the real spec and on nested modules with attributes).

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Item, ItemMod, Token, Visibility, token};

/// Formats `tokens`, a Rust file, as `prettyplease::unparse` would.
pub(crate) fn unparse(tokens: TokenStream) -> syn::Result<String> {
    let parser = |input: ParseStream| {
        let mut printer = Printer {
            file_attrs: input.call(Attribute::parse_inner)?,
            out: String::new(),
            open: Vec::new(),
        };
        printer.items(input)?;
        if !printer.file_attrs.is_empty() {
            printer.out = prettyplease::unparse(&file(printer.file_attrs, Vec::new()));
        }
        Ok(printer.out)
    };
    parser.parse2(tokens)
}

/// A module being printed: what its wrapper copies need.
struct Module {
    /// Its outer and inner attributes, until its first item has printed them.
    attrs: Vec<Attribute>,
    /// Whether its opening line has been printed.
    opened: bool,
    vis: Visibility,
    mod_token: Token![mod],
    ident: syn::Ident,
    brace: token::Brace,
}

struct Printer {
    /// The file's inner attributes, until its first item has printed them.
    file_attrs: Vec<Attribute>,
    out: String,
    /// The modules around the items being printed, outermost first.
    open: Vec<Module>,
}

impl Printer {
    /// Prints the items of `input`, descending into modules that have a body.
    fn items(&mut self, input: ParseStream) -> syn::Result<()> {
        while !input.is_empty() {
            if !module_with_body_ahead(input) {
                let item: Item = input.parse()?;
                self.print(item);
                continue;
            }
            let mut attrs = input.call(Attribute::parse_outer)?;
            let vis: Visibility = input.parse()?;
            let mod_token: Token![mod] = input.parse()?;
            let ident: syn::Ident = input.parse()?;
            let content;
            let brace = syn::braced!(content in input);
            attrs.extend(content.call(Attribute::parse_inner)?);
            let mut module = Module {
                attrs,
                opened: false,
                vis,
                mod_token,
                ident,
                brace,
            };
            if content.is_empty() {
                let attrs = std::mem::take(&mut module.attrs);
                self.print(module.wrap(attrs, Vec::new()));
                continue;
            }
            self.open.push(module);
            self.items(&content)?;
            self.open.pop();
            self.out.push_str(&"    ".repeat(self.open.len()));
            self.out.push_str("}\n");
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

impl Module {
    fn wrap(&self, attrs: Vec<Attribute>, items: Vec<Item>) -> Item {
        Item::Mod(ItemMod {
            attrs,
            vis: self.vis.clone(),
            unsafety: None,
            mod_token: self.mod_token,
            ident: self.ident.clone(),
            content: Some((self.brace, items)),
            semi: None,
        })
    }
}

/// Whether the next item is `mod name { ... }` (with any attributes and visibility).
fn module_with_body_ahead(input: ParseStream) -> bool {
    let ahead = input.fork();
    ahead.call(Attribute::parse_outer).is_ok()
        && ahead.parse::<Visibility>().is_ok()
        && ahead.peek(Token![mod])
        && ahead.peek3(token::Brace)
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
