//! progenitor's typed `httpmock` helpers for every operation of a spec: a `MockServerExt`
//! trait for `httpmock::MockServer` with one method per operation, and typed `When`/`Then`
//! wrappers (`operations::<Op>When`, `operations::<Op>Then`).

use progenitor::Generator;

use crate::{Error, Settings};

/// Generates the formatted mock helpers for the spec `text` named `name`, for a client
/// generated from the same spec with the same `settings`. `client_path` is the Rust path of the
/// generated client's module from where the helpers are compiled (e.g. `crate`): its `types`
/// and the replaced and converted types must resolve from there.
///
/// The generated code needs the crates `httpmock`, `regex` and `serde_json`.
pub fn generate_mock(
    name: &str,
    text: &str,
    settings: &Settings,
    client_path: &str,
) -> Result<String, Error> {
    let text = text.replace("\r\n", "\n");
    let spec = crate::generate::checked_spec(name, &text, settings)?;
    syn::parse_str::<syn::Path>(client_path)
        .map_err(|e| Error::Settings(client_path.to_owned(), e.to_string()))?;
    let progenitor_settings = settings.progenitor()?;
    let tokens = crate::panics::catch_quietly(|| {
        Generator::new(&progenitor_settings).httpmock(&spec, client_path)
    })
    .map_err(|payload| Error::ProgenitorPanic {
        name: name.to_owned(),
        message: crate::generate::panic_message(payload.as_ref()),
    })?
    .map_err(|e| Error::Progenitor {
        name: name.to_owned(),
        message: e.to_string(),
    })?;
    crate::generate::formatted(
        name,
        &text,
        settings,
        "progenitor (httpmock helpers)",
        tokens,
    )
}
