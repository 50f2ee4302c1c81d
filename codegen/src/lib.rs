//! Spec in, formatted Rust source out.
//!
//! [`generate`] loads an OpenAPI 3.0.x document, checks it for the shapes that progenitor
//! rejects or silently mishandles ([`validate`]), runs progenitor's builder-style generator and
//! formats the result with prettyplease. The output starts with a "generated, do not edit"
//! header naming the spec and its SHA-256, and is byte-identical for identical input. A
//! large spec is generated in parts of a few operations, on as many threads as there are
//! cores, and put together with the bytes one run would give
//! ([`Settings::operations_per_part`]): memory stays bounded by a part, not by the spec.

mod error;
mod generate;
mod load;
mod mock;
pub mod overlay;
pub mod pages;
pub mod prepare;
mod quiet;
mod rewrite;
pub mod validate;

/// The synthetic spec of the generation benchmark, for the tests of generating in parts.
#[cfg(test)]
#[path = "../benches/support/synthetic.rs"]
mod synthetic;

pub use error::{Error, Problem};
pub use generate::{Conversion, Replacement, Settings, generate, generate_from_path};
pub use load::load;
pub use mock::generate_mock;
pub use rewrite::PathDefault;

/// The command that regenerates the committed client; quoted in headers and error messages.
pub const REGEN_COMMAND: &str = "cargo xtask regen";
