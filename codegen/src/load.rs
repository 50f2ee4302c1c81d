//! Reading the YAML text into an OpenAPI document.

use openapiv3::OpenAPI;
use serde::Deserialize;

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
    // The YAML is parsed once, into a YAML tree that keeps the document's order, and both
    // views are read from that. Whenever that does not work out (a syntax error, duplicate
    // keys, a field of the wrong type...), the text is read again as before, directly into
    // each view: that gives the answer, and the error with its line and column.
    // The YAML tree is consumed while the plain tree is built, so the three are not all
    // whole at once.
    if let Ok(yaml) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text)
        && let Ok(spec) = OpenAPI::deserialize(&yaml)
        && let Ok(tree) = serde_json::Value::deserialize(yaml)
    {
        return Ok(Loaded { spec, tree });
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Reading both views from one YAML tree gives what reading each from the text gives.
    #[test]
    fn one_parse_reads_what_two_parses_read() {
        let texts = [
            include_str!("../../spec/dms-kafka-smart-connect.yaml"),
            include_str!("../tests/fixtures/operation-shapes.yaml"),
            include_str!("../tests/fixtures/replaced-type-and-hooks.yaml"),
        ];
        for text in texts {
            let loaded = load("spec.yaml", text).expect("the spec loads");
            let tree: serde_json::Value = serde_yaml_ng::from_str(text).expect("a tree");
            let spec: OpenAPI = serde_yaml_ng::from_str(text).expect("a spec");
            assert_eq!(loaded.tree, tree);
            assert_eq!(loaded.spec, spec);
            // Document order (what progenitor generates in) is kept.
            assert!(loaded.spec.paths.paths.keys().eq(spec.paths.paths.keys()));
            let schemas = |s: &OpenAPI| {
                s.components
                    .as_ref()
                    .map(|c| c.schemas.keys().cloned().collect::<Vec<_>>())
            };
            assert_eq!(schemas(&loaded.spec), schemas(&spec));
        }
    }
}
