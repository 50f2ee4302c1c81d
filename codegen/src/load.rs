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

/// serde_yaml_ng puts " at line L column C" into its messages; the location is printed
/// separately, so drop the copy.
fn strip_location(message: &str) -> String {
    let Some(at) = message.find(" at line ") else {
        return message.to_owned();
    };
    let rest = &message[at + " at line ".len()..];
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let line_len = digits(rest);
    let Some(after_line) = rest[line_len..].strip_prefix(" column ") else {
        return message.to_owned();
    };
    let column_len = digits(after_line);
    if line_len == 0 || column_len == 0 {
        return message.to_owned();
    }
    format!("{}{}", &message[..at], &after_line[column_len..])
}
