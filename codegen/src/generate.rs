//! Running progenitor and formatting what it produces.

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

impl Conversion {
    /// The schemas it applies to: strings of its `format`.
    pub(crate) fn schema(&self) -> schemars::schema::SchemaObject {
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some(self.format.clone()),
            ..Default::default()
        }
    }
}

/// How progenitor generates the client: its own settings, nothing more.
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
                conversion.schema(),
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
    let text = text.replace("\r\n", "\n");
    let spec = checked_spec(name, &text, settings)?;
    let progenitor_settings = settings.progenitor()?;
    let tokens = crate::panics::catch_quietly(|| {
        Generator::new(&progenitor_settings).generate_tokens(&spec)
    })
    .map_err(|payload| Error::ProgenitorPanic {
        name: name.to_owned(),
        message: panic_message(payload.as_ref()),
    })?
    .map_err(|e| Error::Progenitor {
        name: name.to_owned(),
        message: e.to_string(),
    })?;
    formatted(
        name,
        &text,
        settings,
        "progenitor (builder interface)",
        tokens,
    )
}

/// The spec `text` named `name` (`\n` line ends), loaded, checked for `settings` and prepared
/// as progenitor gets it ([`crate::prepare`]).
pub(crate) fn checked_spec(
    name: &str,
    text: &str,
    settings: &Settings,
) -> Result<openapiv3::OpenAPI, Error> {
    let crate::load::Loaded { spec, tree } = load(name, text)?;
    let problems = validate::problems_with(&spec, &tree, &settings.replaced());
    if !problems.is_empty() {
        return Err(Error::Invalid {
            name: name.to_owned(),
            problems,
        });
    }
    Ok(crate::prepare::for_progenitor(spec))
}

/// `tokens` as a generated file made from the spec `text` named `name` by `generator`: the
/// header, then the code formatted by prettyplease ([`crate::print`]), `\n` line ends only.
pub(crate) fn formatted(
    name: &str,
    text: &str,
    settings: &Settings,
    generator: &str,
    tokens: proc_macro2::TokenStream,
) -> Result<String, Error> {
    let code = crate::print::unparse(tokens).map_err(|e| Error::Unparseable {
        name: name.to_owned(),
        message: e.to_string(),
    })?;
    let header = header(name, text, settings.command.as_deref(), generator);
    Ok(format!("{header}{code}").replace("\r\n", "\n"))
}

/// The "generated, do not edit" header of a file made from the spec `text` named `name` by
/// `generator`, naming the command that remakes it (`None`: [`REGEN_COMMAND`]).
fn header(name: &str, text: &str, command: Option<&str>, generator: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let command = command.unwrap_or(REGEN_COMMAND);
    format!(
        "// @generated by `{command}` from {name}. DO NOT EDIT BY HAND:\n\
         // change the spec, then run `{command}`.\n\
         // spec sha256: {digest:x}\n\
         // generator: {generator}, formatted with prettyplease\n\n"
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
