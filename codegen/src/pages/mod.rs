//! From API reference pages to OpenAPI: [`import_page`] transcribes one page (reStructuredText,
//! as the Huawei Cloud / T Cloud Public API references are published) into one operation plus
//! its component schemas; [`assemble`] puts operations together into an OpenAPI 3.0.3 document
//! with the conventions every operation shares.
//!
//! Pure: page text in, document out, no I/O. Where a page contradicts itself the table wins
//! and a [`Warning`] names the page and line; nothing is silently changed.

mod assemble;
mod error_codes;
mod operation;
mod rst;
mod schema;
mod text;

use std::fmt;

pub use assemble::{Imported, assemble, import};
pub use error_codes::{ErrorCode, error_codes, error_codes_rust};
pub use operation::{Operation, import_page};

/// Something a page says that the transcription did not take as written, or that looks wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The page, as named by the caller.
    pub page: String,
    /// 1-based line (0 when the warning is about the page as a whole).
    pub line: usize,
    /// What was noticed and what the transcription did.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.page, self.message)
        } else {
            write!(f, "{}:{}: {}", self.page, self.line, self.message)
        }
    }
}

/// A problem at a line of a page, before the page's name is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageError {
    pub line: usize,
    pub message: String,
}

impl PageError {
    pub(crate) fn at(line: usize, message: impl Into<String>) -> Self {
        PageError {
            line,
            message: message.into(),
        }
    }

    pub(crate) fn named(self, page: &str) -> crate::Error {
        crate::Error::Page {
            name: page.to_owned(),
            line: self.line,
            message: self.message,
        }
    }
}

/// The document as YAML text, keys in the order they were built.
pub fn to_yaml(document: &serde_yaml_ng::Value) -> String {
    serde_yaml_ng::to_string(document).expect("a YAML value always serialises")
}

/// The document as pretty JSON text, keys in the order they were built.
pub fn to_json(document: &serde_yaml_ng::Value) -> String {
    let mut text = serde_json::to_string_pretty(document).expect("the document is JSON-compatible");
    text.push('\n');
    text
}
