//! Spec in, formatted Rust source out.
//!
//! [`generate`] loads an OpenAPI 3.0.x document, checks it for the shapes that progenitor
//! rejects or silently mishandles ([`validate`]), runs progenitor's builder-style generator and
//! formats the result with prettyplease; [`generate_operations`] writes the client's own
//! per-operation layer beside it from the same spec, and [`generate_mock`] progenitor's
//! httpmock helpers. Every output starts with a "generated, do not edit" header naming the
//! spec and its SHA-256, and is byte-identical for identical input.

mod error;
mod generate;
mod load;
mod mock;
mod operations;
pub mod overlay;
pub mod pages;
mod panics;
pub mod prepare;
mod print;
pub mod validate;

pub use error::{Error, Problem};
pub use generate::{Conversion, Replacement, Settings, generate, generate_from_path};
pub use load::load;
pub use mock::generate_mock;
pub use operations::{Layer, Paging, PathDefault, generate_example_calls, generate_operations};

/// The command that regenerates the committed client; quoted in headers and error messages.
pub const REGEN_COMMAND: &str = "cargo xtask regen";
