//! The error-code appendix (a table of status, code, message, description and solution) →
//! data, and that data as Rust source for the client.

use quote::quote;

use super::rst::{self, Block};
use super::text;
use crate::{Error, REGEN_COMMAND};

/// One row of the error-code appendix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorCode {
    /// HTTP status the code comes with.
    pub status: u16,
    /// The service's code, e.g. `DMS.00400026`.
    pub code: String,
    /// The error message the service sends.
    pub message: String,
    /// What it means.
    pub description: String,
    /// What to do about it.
    pub handling: String,
}

/// Reads the error-code table of the appendix page `text`, named `page` in messages.
pub fn error_codes(page: &str, text: &str) -> Result<Vec<ErrorCode>, Error> {
    let blocks = rst::parse(&text.replace("\r\n", "\n")).map_err(|e| e.named(page))?;
    let table = blocks
        .iter()
        .find_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .ok_or_else(|| Error::Page {
            name: page.to_owned(),
            line: 1,
            message: "expected a table of error codes".into(),
        })?;
    let column = |names: &[&str]| {
        table.header.iter().position(|h| {
            names
                .iter()
                .any(|n| h.to_lowercase().starts_with(&n.to_lowercase()))
        })
    };
    let missing = || Error::Page {
        name: page.to_owned(),
        line: table.line,
        message: format!(
            "expected the columns Status Code, Error Code, Error Message, Description, Solution; found {}",
            table.header.join(", ")
        ),
    };
    let status = column(&["Status Code"]).ok_or_else(missing)?;
    let code = column(&["Error Code"]).ok_or_else(missing)?;
    let message = column(&["Error Message"]).ok_or_else(missing)?;
    let description = column(&["Description"]).ok_or_else(missing)?;
    let handling = column(&["Solution", "Handling"]).ok_or_else(missing)?;
    let mut codes = Vec::new();
    for row in &table.rows {
        let status_text = text::plain(&row.cells[status]);
        let status = status_text.parse().map_err(|_| Error::Page {
            name: page.to_owned(),
            line: row.line,
            message: format!("expected a status code, found `{status_text}`"),
        })?;
        let one_line = |i: usize| text::cell(&row.cells[i]).replace('\n', " ");
        codes.push(ErrorCode {
            status,
            code: text::plain(&row.cells[code]),
            message: one_line(message),
            description: one_line(description),
            handling: one_line(handling),
        });
    }
    codes.sort_by(|a, b| a.code.cmp(&b.code));
    if let Some(pair) = codes.windows(2).find(|p| p[0].code == p[1].code) {
        return Err(Error::Page {
            name: page.to_owned(),
            line: table.line,
            message: format!("error code {} appears twice", pair[0].code),
        });
    }
    Ok(codes)
}

/// Rust source holding `codes` and a lookup by code; `source` names the page in the header.
pub fn error_codes_rust(source: &str, codes: &[ErrorCode]) -> String {
    let entries = codes.iter().map(|c| {
        let status = proc_macro2::Literal::u16_unsuffixed(c.status);
        let (code, message, description, handling) =
            (&c.code, &c.message, &c.description, &c.handling);
        quote! {
            ErrorCodeInfo {
                status: #status,
                code: #code,
                message: #message,
                description: #description,
                handling: #handling,
            }
        }
    });
    let count = codes.len();
    let count_literal = proc_macro2::Literal::usize_unsuffixed(count);
    let tokens = quote! {
        /// What the service's error-code table says about one code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct ErrorCodeInfo {
            /// HTTP status the code comes with.
            pub status: u16,
            /// The code, e.g. `DMS.00400026`.
            pub code: &'static str,
            /// The error message the service sends with it.
            pub message: &'static str,
            /// What it means.
            pub description: &'static str,
            /// What to do about it.
            pub handling: &'static str,
        }

        /// Every code of the table, sorted by code.
        pub static ERROR_CODES: [ErrorCodeInfo; #count_literal] = [#(#entries),*];

        /// The table's entry for `code` (e.g. `DMS.00400026`), or `None` for a code it does not list.
        pub fn lookup(code: &str) -> Option<&'static ErrorCodeInfo> {
            ERROR_CODES
                .binary_search_by(|entry| entry.code.cmp(code))
                .ok()
                .map(|index| &ERROR_CODES[index])
        }
    };
    let file: syn::File = syn::parse2(tokens).expect("the error-code table is valid Rust");
    format!(
        "// @generated by `{REGEN_COMMAND}` from {source}. DO NOT EDIT BY HAND:\n\
         // change the page, then run `{REGEN_COMMAND}`.\n\n\
         //! The service's error codes ({count}), from its Error Codes page.\n\n{}",
        prettyplease::unparse(&file)
    )
}
