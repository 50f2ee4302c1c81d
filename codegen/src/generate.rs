//! Running progenitor and formatting what it produces.

use std::path::Path;

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use sha2::{Digest, Sha256};

use crate::rewrite::PathDefault;
use crate::{Error, REGEN_COMMAND, load, validate};

mod parts;

/// A component schema whose generated type is replaced by a hand-written one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// Name of the schema under `#/components/schemas`.
    pub schema: String,
    /// Path of the Rust type used instead, e.g. `crate::NodeCount`.
    pub rust_type: String,
}

/// Every string schema of one `format` (with no other constraint) generated as a hand-written
/// type, wherever it appears (progenitor's type conversion; descriptions do not matter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// The string `format`, e.g. `password`.
    pub format: String,
    /// Path of the Rust type used instead of `String`, e.g. `crate::Secret`. It must implement
    /// serde's traits, `Clone` and `Debug`.
    pub rust_type: String,
}

/// How the client is generated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Type of the `inner` value the generated `Client` carries for its hooks.
    pub inner_type: Option<String>,
    /// Whether the crate must implement `progenitor_client::ClientHooks` for `Client`
    /// (its absence is then a compile error rather than a silent no-op).
    pub hooks_required: bool,
    /// Schemas generated as hand-written types. The replacement must implement
    /// `Display`, `FromStr` and serde's traits.
    pub replacements: Vec<Replacement>,
    /// String formats generated as hand-written types.
    pub conversions: Vec<Conversion>,
    /// Path parameters every `Client::<operation>()` method pre-fills (see [`PathDefault`]).
    pub path_defaults: Vec<PathDefault>,
    /// Whether to generate `ApiOperation`, `OPERATIONS` and `api_operation(id)`: every
    /// operation's `OperationInfo::operation_id`, HTTP method and path template.
    pub operation_table: bool,
    /// Operations per progenitor run for a large spec (`None`: 25). A spec with more is
    /// generated in parts of this many operations and put together, with the bytes of a
    /// single run but a fraction of its memory.
    pub operations_per_part: Option<usize>,
    /// Path of a function `encoder(url: &mut String, value: &T)` that appends a path
    /// parameter to the URL being built exactly as progenitor's `encode_path(&value.to_string())`
    /// would write it, for every path parameter type `T` of the spec. With it, each builder's
    /// `send` builds its URL in one `String` instead of `format!` over two strings per
    /// parameter.
    pub path_encoder: Option<String>,
    /// Whether to leave out the `api-version` header (the spec's `info.version`) that
    /// progenitor adds to every request.
    pub drop_api_version_header: bool,
    /// Path of a function `start(client: &Client, method: reqwest::Method, url: String) ->
    /// reqwest::RequestBuilder` with which each builder's `send` starts its request, instead
    /// of progenitor's `client.client.<method>(url)`. It must give the request builder that
    /// call gives (e.g. the same URL, parsed with less work).
    pub request_start: Option<String>,
    /// The command the header names as the one that made the file and remakes it (`None`:
    /// [`REGEN_COMMAND`]).
    pub command: Option<String>,
}

impl Settings {
    /// Names of the schemas generated as hand-written types.
    pub fn replaced(&self) -> std::collections::BTreeSet<String> {
        self.replacements.iter().map(|r| r.schema.clone()).collect()
    }

    pub(crate) fn progenitor(&self) -> Result<GenerationSettings, Error> {
        let mut settings = GenerationSettings::new();
        settings
            .with_interface(InterfaceStyle::Builder)
            .with_tag(TagStyle::Merged)
            .with_hooks(if self.hooks_required {
                HooksMode::Expected
            } else {
                HooksMode::Optional
            });
        if let Some(inner) = &self.inner_type {
            settings.with_inner_type(rust_path(inner)?);
        }
        for replacement in &self.replacements {
            settings.with_replacement(
                &replacement.schema,
                &replacement.rust_type,
                [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
            );
        }
        for conversion in &self.conversions {
            rust_path(&conversion.rust_type)?;
            settings.with_conversion(
                schemars::schema::SchemaObject {
                    instance_type: Some(schemars::schema::InstanceType::String.into()),
                    format: Some(conversion.format.clone()),
                    ..Default::default()
                },
                &conversion.rust_type,
                std::iter::empty(),
            );
        }
        Ok(settings)
    }
}

fn rust_path(path: &str) -> Result<proc_macro2::TokenStream, Error> {
    syn::parse_str::<syn::Path>(path)
        .map(|p| quote::quote!(#p))
        .map_err(|e| Error::Settings(path.to_owned(), e.to_string()))
}

/// Reads the spec at `path` and generates the client; `name` is how the spec is named in
/// messages and in the header (e.g. its path relative to the workspace).
pub fn generate_from_path(path: &Path, name: &str, settings: &Settings) -> Result<String, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    generate(name, &text, settings)
}

/// Generates the formatted client source for the spec `text` named `name`.
///
/// The result starts with a "generated, do not edit" header, uses `\n` line ends only and
/// depends on nothing but `text`, `name` and `settings`.
pub fn generate(name: &str, text: &str, settings: &Settings) -> Result<String, Error> {
    let original = text;
    let text = text.replace("\r\n", "\n");
    let crate::load::Loaded { spec, tree } = load(name, &text)?;
    let per_part = settings
        .operations_per_part
        .unwrap_or(parts::DEFAULT_OPERATIONS_PER_PART);
    if parts::operation_count(&spec) > per_part {
        let out = header(name, &text, settings);
        drop(text);
        return in_parts(name, original, spec, tree, settings, per_part, out);
    }
    let problems = validate::problems_with(&spec, &tree, &settings.replaced());
    drop(tree);
    if !problems.is_empty() {
        return Err(Error::Invalid {
            name: name.to_owned(),
            problems,
        });
    }

    let progenitor_settings = settings.progenitor()?;
    let rewrites = crate::rewrite::parse(settings)?;
    let mut out = header(name, &text, settings);
    drop(text);

    let spec = crate::prepare::for_progenitor(spec);

    let tokens = progenitor_tokens(name, &spec, &progenitor_settings)?;
    // The spec is not needed any more: free it before the formatting.
    drop(spec);

    let unparseable = |e: syn::Error| Error::Unparseable {
        name: name.to_owned(),
        message: e.to_string(),
    };
    if rewrites.is_empty() {
        // The token tree stays whole until the end (a second handle on it): freeing it item
        // by item while new items are allocated measured slower (scattered reuse of the freed
        // memory), and the peak memory is progenitor's, reached before formatting starts.
        let whole = tokens.clone();
        let formatted = streamed::format(tokens, &mut out);
        drop(whole);
        formatted.map_err(unparseable)?;
    } else {
        // The rewrite reads the builder module before it changes the `Client` methods, so
        // it needs the whole file at once.
        let mut file: syn::File = syn::parse2(tokens).map_err(unparseable)?;
        crate::rewrite::apply(&mut file, &rewrites)?;
        out.push_str(&prettyplease::unparse(&file));
    }
    Ok(normalized(out))
}

/// A large spec, generated in parts. The validation runs on a thread of its own beside the
/// preparation of the spec; both are done (and the spec and its tree freed) before the parts
/// start, so its problems come first as before.
fn in_parts(
    name: &str,
    original: &str,
    spec: openapiv3::OpenAPI,
    tree: serde_json::Value,
    settings: &Settings,
    per_part: usize,
    mut out: String,
) -> Result<String, Error> {
    let replaced = settings.replaced();
    let (problems, prepared) = std::thread::scope(|scope| {
        let validation = scope.spawn(|| {
            let problems = validate::problems_with(&spec, &tree, &replaced);
            drop(tree);
            problems
        });
        let prepared = crate::prepare::prepared_tree(&spec);
        let problems = validation
            .join()
            .unwrap_or_else(|payload| std::panic::resume_unwind(payload));
        (problems, prepared)
    });
    drop(spec);
    if !problems.is_empty() {
        return Err(Error::Invalid {
            name: name.to_owned(),
            problems,
        });
    }
    settings.progenitor()?;
    crate::rewrite::parse(settings)?;
    let generated = prepared
        .map(|prepared| parts::generate_into(name, &prepared, settings, per_part, &mut out))
        .transpose()?;
    match generated {
        Some(true) => Ok(normalized(out)),
        // The spec does not convert, or the parts do not fit together: generate in one run.
        _ => generate(
            name,
            original,
            &Settings {
                operations_per_part: Some(usize::MAX),
                ..settings.clone()
            },
        ),
    }
}

/// `\n` line ends only.
fn normalized(out: String) -> String {
    if out.contains('\r') {
        out.replace("\r\n", "\n")
    } else {
        out
    }
}

/// progenitor's tokens for `spec`; its errors and panics as [`Error`]s naming `name`.
fn progenitor_tokens(
    name: &str,
    spec: &openapiv3::OpenAPI,
    settings: &GenerationSettings,
) -> Result<proc_macro2::TokenStream, Error> {
    tokens_or_error(
        name,
        crate::quiet::catch_quietly(|| Generator::new(settings).generate_tokens(spec)),
    )
}

/// progenitor's answer, caught: its errors and panics as [`Error`]s naming `name`.
fn tokens_or_error(
    name: &str,
    caught: std::thread::Result<Result<proc_macro2::TokenStream, progenitor::Error>>,
) -> Result<proc_macro2::TokenStream, Error> {
    caught
        .map_err(|payload| Error::ProgenitorPanic {
            name: name.to_owned(),
            message: panic_message(payload.as_ref()),
        })?
        .map_err(|e| Error::Progenitor {
            name: name.to_owned(),
            message: e.to_string(),
        })
}

fn header(name: &str, text: &str, settings: &Settings) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let command = settings.command.as_deref().unwrap_or(REGEN_COMMAND);
    format!(
        "// @generated by `{command}` from {name}. DO NOT EDIT BY HAND:\n\
         // change the spec, then run `{command}`.\n\
         // spec sha256: {digest:x}\n\
         // generator: progenitor (builder interface), formatted with prettyplease\n\n"
    )
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "no message".to_owned()
    }
}

/// Formatting progenitor's tokens one item at a time, with the bytes prettyplease gives for
/// the whole file.
///
/// One `syn::parse2` of the whole output holds the token buffer and the syntax tree of every
/// item at once (most of the memory of a large generation). progenitor's output is a
/// sequence of items, and its modules are sequences of items too; prettyplease ends every
/// item with a forced line break, so an item prints the same alone as beside its siblings,
/// given the same indentation. So: split the token stream into items, descend into modules,
/// and format each item alone inside empty copies of its enclosing modules (for the
/// indentation), keeping only its own lines. Each item's syntax tree is dropped once it is
/// written.
mod streamed {
    use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

    /// Appends the formatted `tokens` to `out`.
    pub(super) fn format(tokens: TokenStream, out: &mut String) -> Result<(), syn::Error> {
        format_items(tokens, &[], out)
    }

    /// Formats the items of `tokens`, which sit inside the modules `outer` (outermost first).
    fn format_items(
        tokens: TokenStream,
        outer: &[syn::ItemMod],
        out: &mut String,
    ) -> Result<(), syn::Error> {
        let mut pending: Vec<TokenTree> = Vec::new();
        let mut tokens = tokens.into_iter().peekable();
        while let Some(token) = tokens.next() {
            let ends_item = match &token {
                TokenTree::Punct(p) => p.as_char() == ';',
                TokenTree::Group(g) => {
                    g.delimiter() == Delimiter::Brace
                        && match tokens.peek() {
                            // `use a::{b, c};`, `const C: T = T { .. };`: the `;` ends it.
                            Some(TokenTree::Punct(p)) => p.as_char() == '#',
                            Some(TokenTree::Ident(i)) => starts_item(&i.to_string()),
                            Some(_) => false,
                            None => true,
                        }
                }
                _ => false,
            };
            pending.push(token);
            if ends_item {
                // A split that went wrong (the item is not complete yet) only delays the
                // item: its tokens stay pending until they parse.
                if format_chunk(&mut pending, outer, out, false)? {
                    pending.clear();
                }
            }
        }
        if !pending.is_empty() {
            format_chunk(&mut pending, outer, out, true)?;
        }
        Ok(())
    }

    /// Words that begin an item (after its attributes).
    fn starts_item(word: &str) -> bool {
        matches!(
            word,
            "pub"
                | "fn"
                | "struct"
                | "enum"
                | "union"
                | "impl"
                | "mod"
                | "use"
                | "const"
                | "static"
                | "type"
                | "trait"
                | "extern"
                | "unsafe"
                | "async"
                | "macro_rules"
        )
    }

    /// Formats the items in `chunk`. Returns `false` (leaving `chunk` alone) when they do not
    /// parse yet and `last` is false; with `last`, a parse error is the answer.
    fn format_chunk(
        chunk: &mut Vec<TokenTree>,
        outer: &[syn::ItemMod],
        out: &mut String,
        last: bool,
    ) -> Result<bool, syn::Error> {
        if let Some(module) = module_with_content(chunk)? {
            let (shell, content) = module;
            chunk.clear();
            format_module(shell, content, outer, out)?;
            return Ok(true);
        }
        let tokens: TokenStream = chunk.drain(..).collect();
        let file: syn::File = match syn::parse2(tokens.clone()) {
            Ok(file) => file,
            Err(e) if last => return Err(e),
            Err(_) => {
                chunk.extend(tokens);
                return Ok(false);
            }
        };
        for item in file.items {
            push_item(item, outer, out);
        }
        Ok(true)
    }

    /// `[attrs] [vis] mod name { content }` split into the module without its items and
    /// the content's tokens; `None` for anything else.
    fn module_with_content(
        chunk: &[TokenTree],
    ) -> Result<Option<(syn::ItemMod, TokenStream)>, syn::Error> {
        let [
            ..,
            TokenTree::Ident(keyword),
            TokenTree::Ident(_),
            TokenTree::Group(body),
        ] = chunk
        else {
            return Ok(None);
        };
        if keyword != "mod" || body.delimiter() != Delimiter::Brace || body.stream().is_empty() {
            return Ok(None);
        }
        let mut content = body.stream().into_iter().peekable();
        // Inner attributes (`#![...]`) belong to the module's own lines.
        let mut inner = Vec::new();
        while let Some(TokenTree::Punct(hash)) = content.peek() {
            if hash.as_char() != '#' {
                break;
            }
            let mut probe = content.clone();
            probe.next();
            match (probe.next(), probe.next()) {
                (Some(TokenTree::Punct(bang)), Some(TokenTree::Group(attr)))
                    if bang.as_char() == '!' && attr.delimiter() == Delimiter::Bracket =>
                {
                    inner.extend(content.by_ref().take(3));
                }
                _ => break,
            }
        }
        let mut shell: Vec<TokenTree> = chunk[..chunk.len() - 1].to_vec();
        shell.push(TokenTree::Group(Group::new(
            Delimiter::Brace,
            inner.into_iter().collect(),
        )));
        // Tokens before the module that are not its attributes and visibility (a merged
        // chunk) make this no module of its own: the caller parses the chunk as a whole.
        let Ok(shell) = syn::parse2::<syn::ItemMod>(shell.into_iter().collect()) else {
            return Ok(None);
        };
        Ok(Some((shell, content.collect())))
    }

    /// The module's own lines around its items, then each item.
    fn format_module(
        shell: syn::ItemMod,
        content: TokenStream,
        outer: &[syn::ItemMod],
        out: &mut String,
    ) -> Result<(), syn::Error> {
        let (opening, closing) = module_lines(&shell, outer);
        out.push_str(&opening);
        let mut inside: Vec<syn::ItemMod> = outer.to_vec();
        inside.push(bare(shell));
        format_items(content, &inside, out)?;
        out.push_str(&closing);
        Ok(())
    }

    /// The module's own lines before its items (attributes, `mod name {`, inner attributes)
    /// and after them (its closing brace), as printed inside `outer`.
    pub(super) fn module_lines(shell: &syn::ItemMod, outer: &[syn::ItemMod]) -> (String, String) {
        // With a placeholder item inside, the module's text is its own lines, the
        // placeholder's line, and its closing brace.
        let placeholder: syn::Item = syn::parse_quote!(
            struct __CodegenItemsGoHere;
        );
        let mut with_placeholder = shell.clone();
        with_placeholder.content = Some((Default::default(), vec![placeholder]));
        let text = unparse_in(syn::Item::Mod(with_placeholder), outer);
        let at = text
            .find("struct __CodegenItemsGoHere;")
            .expect("the placeholder is printed");
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        (text[..line_start].to_owned(), text[line_end..].to_owned())
    }

    /// `shell` as an enclosing module for [`unparse_in`]: no attributes, no items.
    pub(super) fn bare(shell: syn::ItemMod) -> syn::ItemMod {
        let mut bare = shell;
        bare.attrs.clear();
        bare.content = Some((Default::default(), Vec::new()));
        bare
    }

    /// Appends `item` as it prints inside the modules `outer`.
    fn push_item(item: syn::Item, outer: &[syn::ItemMod], out: &mut String) {
        let text = unparse_in(item, outer);
        out.push_str(&text);
    }

    /// prettyplease's text for `item` inside `outer`, without the lines of `outer` (one
    /// opening line and one closing line each, as they have no attributes).
    pub(super) fn unparse_in(item: syn::Item, outer: &[syn::ItemMod]) -> String {
        unparse_all_in(vec![item], outer)
    }

    /// prettyplease's text for `items` inside `outer` (what their texts one by one give,
    /// in one run of the printer).
    pub(super) fn unparse_all_in(items: Vec<syn::Item>, outer: &[syn::ItemMod]) -> String {
        if items.is_empty() {
            return String::new();
        }
        let mut items = items;
        for module in outer.iter().rev() {
            let mut module = module.clone();
            module.content = Some((Default::default(), items));
            items = vec![syn::Item::Mod(module)];
        }
        let text = prettyplease::unparse(&syn::File {
            shebang: None,
            frontmatter: None,
            attrs: Vec::new(),
            items,
        });
        let depth = outer.len();
        if depth == 0 {
            return text;
        }
        let start = text
            .match_indices('\n')
            .nth(depth - 1)
            .map_or(text.len(), |(i, _)| i + 1);
        let body = &text[start..];
        let mut end = body.len();
        for _ in 0..depth {
            // Each closing line is `}` (indented) and its line break.
            end = body[..end.saturating_sub(1)]
                .rfind('\n')
                .map_or(0, |i| i + 1);
        }
        body[..end].to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::streamed;

    /// The whole-file parse and print that `streamed` stands in for.
    fn whole_file(tokens: proc_macro2::TokenStream) -> String {
        prettyplease::unparse(&syn::parse2(tokens).expect("valid Rust"))
    }

    fn streamed(tokens: proc_macro2::TokenStream) -> String {
        let mut out = String::new();
        streamed::format(tokens, &mut out).expect("valid Rust");
        out
    }

    #[test]
    fn item_shapes_that_a_split_at_braces_could_get_wrong() {
        let tokens = quote::quote! {
            use a::{b, c};
            pub(crate) use d::{e::{f, g}, h as i};
            const C: S = S { a: 1, b: [0; 4] };
            static T: fn() -> u8 = { || 1 };
            #[derive(Debug)]
            /// A doc comment that is long enough that prettyplease has to think about the line width of it at all.
            pub struct A { pub x: u8, y: ::std::option::Option<::std::string::String> }
            struct B(u8);
            impl<T> From<T> for A where T: Into<u8> { fn from(t: T) -> Self { A { x: t.into(), y: None } } }
            macro_rules! m { ($x:expr) => { $x }; }
            m! { 1 }
            m!(2);
            extern "C" { fn ext(); }
            unsafe impl Send for B {}
            pub mod outer {
                #![allow(dead_code)]
                //! Inner doc.
                use super::*;
                pub mod inner {
                    #[allow(clippy::all)]
                    pub fn f(a: u8) -> u8 { match a { 0 => 1, _ => { let b = a * 2; b + 1 } } }
                    pub mod empty {}
                }
                /// After the inner module.
                pub enum E { A, B { x: u8 } }
            }
            pub mod declared;
            fn last() {}
        };
        assert_eq!(streamed(tokens.clone()), whole_file(tokens));
    }

    #[test]
    fn braces_inside_an_initializer_do_not_end_the_item() {
        // `{ 1 }` is followed by `else`, not by the start of an item: one item.
        let tokens = quote::quote! {
            const X: u8 = if true { 1 } else { 2 };
            fn after() {}
        };
        assert_eq!(streamed(tokens.clone()), whole_file(tokens));
    }
}
