//! The ways generation fails, each naming the file and the place in it.

use std::fmt;
use std::path::PathBuf;

/// Why no code was generated.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The spec file could not be read.
    #[error("{path}: cannot read the spec: {source}", path = path.display())]
    Read {
        /// The file that was asked for.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The text is not YAML, or not an OpenAPI document.
    #[error("{name}{at}: {message}", at = location(*line, *column))]
    Parse {
        /// Name of the spec, as given by the caller.
        name: String,
        /// 1-based line, when the parser knows it.
        line: Option<usize>,
        /// 1-based column, when the parser knows it.
        column: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// The document parsed, but has shapes progenitor would reject or mishandle.
    #[error("{name}: {count} problem{s} found before running progenitor:\n{list}",
        count = problems.len(),
        s = if problems.len() == 1 { "" } else { "s" },
        list = ProblemList(problems))]
    Invalid {
        /// Name of the spec.
        name: String,
        /// Every problem found, in document order.
        problems: Vec<Problem>,
    },
    /// progenitor returned an error.
    #[error("{name}: progenitor rejected the spec: {message}")]
    Progenitor {
        /// Name of the spec.
        name: String,
        /// progenitor's message.
        message: String,
    },
    /// progenitor panicked; the panic was caught and turned into this error.
    #[error(
        "{name}: progenitor panicked on this spec ({message}); the spec uses a shape it does not support"
    )]
    ProgenitorPanic {
        /// Name of the spec.
        name: String,
        /// The panic payload, when it was a string.
        message: String,
    },
    /// The generation settings name something that is not a Rust path.
    #[error("invalid codegen settings: {0:?} is not a Rust path: {1}")]
    Settings(String, String),
    /// An API reference page could not be transcribed.
    #[error("{name}{at}: {message}", at = if *line == 0 { String::new() } else { format!(":{line}") })]
    Page {
        /// Name of the page, as given by the caller.
        name: String,
        /// 1-based line (0: the page as a whole).
        line: usize,
        /// What was expected.
        message: String,
    },
    /// The decisions file (an OpenAPI Overlay) could not be read or applied.
    #[error("{name}: {place}: {message}")]
    Overlay {
        /// Name of the decisions file.
        name: String,
        /// Where in it: `actions[2].target`, `line 3 column 5`, ...
        place: String,
        /// What was expected.
        message: String,
    },
    /// progenitor produced tokens that do not parse as a Rust file.
    #[error("{name}: progenitor produced code that does not parse: {message}")]
    Unparseable {
        /// Name of the spec.
        name: String,
        /// syn's message.
        message: String,
    },
}

/// One thing wrong in a spec, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON pointer into the document (`#/paths/~1v2~1x/post`), followed by the operation
    /// (`POST /v2/x`) where there is one.
    pub place: String,
    /// What is wrong and why it matters.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "  - {problem}")?;
        }
        Ok(())
    }
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(line), Some(column)) => format!(":{line}:{column}"),
        (Some(line), None) => format!(":{line}"),
        _ => String::new(),
    }
}
