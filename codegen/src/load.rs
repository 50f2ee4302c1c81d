//! Reading the YAML text into an OpenAPI document.

use openapiv3::OpenAPI;

use crate::Error;

/// A parsed spec: the typed document and the same document as a plain tree (for `$ref` checks).
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The typed OpenAPI document.
    pub spec: OpenAPI,
    /// The same document as an untyped tree.
    pub tree: serde_json::Value,
}

/// Parses YAML (or JSON) text named `name` into an OpenAPI document.
///
/// Syntax errors, duplicate keys and fields of the wrong type are reported with the line and
/// column the parser gives.
pub fn load(name: &str, text: &str) -> Result<Loaded, Error> {
    let parse_error = |e: serde_yaml_ng::Error| {
        let location = e.location();
        Error::Parse {
            name: name.to_owned(),
            line: location.as_ref().map(|l| l.line()),
            column: location.as_ref().map(|l| l.column()),
            message: strip_location(&e.to_string()),
        }
    };
    if text.trim().is_empty() {
        return Err(Error::Parse {
            name: name.to_owned(),
            line: None,
            column: None,
            message: "the file is empty; expected an OpenAPI 3.0.x document".to_owned(),
        });
    }
    let tree: serde_json::Value = serde_yaml_ng::from_str(text).map_err(parse_error)?;
    let spec: OpenAPI = serde_yaml_ng::from_str(text).map_err(parse_error)?;
    Ok(Loaded { spec, tree })
}

/// serde_yaml_ng appends " at line L column C" to its messages; the location is printed
/// separately, so drop the copy.
fn strip_location(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}
