//! Test only (not published): `spec.yaml` is `cargo xtask import` of all 62 DMS API pages
//! vendored in `codegen/tests/pages/`, and `generated.rs` is `cargo xtask generate` of it with
//! plain settings. Both are kept fresh by `cargo xtask regen` (and `regen --check` fails when
//! they are stale), so `cargo test --workspace` fails when the pages stop generating code
//! that compiles.

#[rustfmt::skip]
#[allow(missing_docs, clippy::all, clippy::pedantic)]
mod generated;

pub use generated::*;
