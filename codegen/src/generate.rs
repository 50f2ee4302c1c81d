//! Running progenitor and formatting what it produces.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use sha2::{Digest, Sha256};

use crate::{Error, REGEN_COMMAND, load, validate};

/// A component schema whose generated type is replaced by a hand-written one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// Name of the schema under `#/components/schemas`.
    pub schema: String,
    /// Path of the Rust type used instead, e.g. `crate::NodeCount`.
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
}

impl Settings {
    /// The settings `generated-client` is built with: hooks and their state in
    /// `crate::hooks`, `NodeCount` as the hand-written checked number and `PathSegment` as
    /// the checked path parameter.
    pub fn generated_client() -> Self {
        Settings {
            inner_type: Some("crate::hooks::HookState".into()),
            hooks_required: true,
            replacements: vec![
                Replacement {
                    schema: "NodeCount".into(),
                    rust_type: "crate::NodeCount".into(),
                },
                Replacement {
                    schema: "PathSegment".into(),
                    rust_type: "crate::PathSegment".into(),
                },
            ],
        }
    }

    fn progenitor(&self, name: &str) -> Result<GenerationSettings, Error> {
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
            settings.with_inner_type(rust_path(name, inner)?);
        }
        for replacement in &self.replacements {
            settings.with_replacement(
                &replacement.schema,
                &replacement.rust_type,
                [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
            );
        }
        Ok(settings)
    }
}

fn rust_path(name: &str, path: &str) -> Result<proc_macro2::TokenStream, Error> {
    syn::parse_str::<syn::Path>(path)
        .map(|p| quote::quote!(#p))
        .map_err(|e| Error::Progenitor {
            name: name.to_owned(),
            message: format!("setting names {path:?}, which is not a Rust path: {e}"),
        })
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
    let text = text.replace("\r\n", "\n");
    let loaded = load(name, &text)?;
    let problems = validate::problems(&loaded.spec, &loaded.tree);
    if !problems.is_empty() {
        return Err(Error::Invalid {
            name: name.to_owned(),
            problems,
        });
    }

    let progenitor_settings = settings.progenitor(name)?;
    let tokens = catch_unwind(AssertUnwindSafe(|| {
        Generator::new(&progenitor_settings).generate_tokens(&loaded.spec)
    }))
    .map_err(|payload| Error::ProgenitorPanic {
        name: name.to_owned(),
        message: panic_message(payload.as_ref()),
    })?
    .map_err(|e| Error::Progenitor {
        name: name.to_owned(),
        message: e.to_string(),
    })?;

    let file: syn::File = syn::parse2(tokens).map_err(|e| Error::Unparseable {
        name: name.to_owned(),
        message: e.to_string(),
    })?;
    let body = prettyplease::unparse(&file);
    Ok(format!(
        "{}{}",
        header(name, &text),
        body.replace("\r\n", "\n")
    ))
}

fn header(name: &str, text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "// @generated by `{REGEN_COMMAND}` from {name}. DO NOT EDIT BY HAND:\n\
         // change the spec, then run `{REGEN_COMMAND}`.\n\
         // spec sha256: {digest:x}\n\
         // generator: progenitor (builder interface), formatted with prettyplease\n\n"
    )
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "no message".to_owned()
    }
}
