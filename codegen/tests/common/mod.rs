//! What several codegen test files share.

use codegen::Settings;

/// Settings like those xtask gives generated-client: hooks required, an inner type, and
/// `NodeCount` / `PathSegment` replaced by hand-written types (without its rewrites, so the
/// output is progenitor's own).
pub fn client_like() -> Settings {
    Settings {
        inner_type: Some("crate::transport::ClientContext".into()),
        hooks_required: true,
        replacements: ["NodeCount", "PathSegment"]
            .map(|schema| codegen::Replacement {
                schema: schema.into(),
                rust_type: format!("crate::{schema}"),
            })
            .to_vec(),
        ..Settings::default()
    }
}
