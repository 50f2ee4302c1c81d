//! The broken-spec corpus: every case gives a clear error (snapshotted), and none panics.

use std::panic::catch_unwind;
use std::path::Path;

mod common;

use common::client_like;

fn generate_case(path: &Path) -> Result<String, codegen::Error> {
    let text = std::fs::read_to_string(path).expect("corpus file is readable");
    let name = format!(
        "broken-specs/{}",
        path.file_name().unwrap().to_string_lossy()
    );
    catch_unwind(|| codegen::generate(&name, &text, &client_like()))
        .unwrap_or_else(|_| panic!("codegen panicked on {name}; it must return an error"))
}

#[test]
fn every_broken_spec_fails_with_a_clear_message() {
    let mut cases = 0;
    insta::glob!("broken-specs/*.yaml", |path| {
        cases += 1;
        let error = generate_case(path).expect_err("a broken spec must not produce code");
        insta::assert_snapshot!(error.to_string());
    });
    assert!(
        cases >= 12,
        "the corpus must hold at least 12 cases, found {cases}"
    );
}

#[test]
fn a_progenitor_panic_becomes_an_error() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/broken-specs/17-two-request-media-types.yaml");
    match generate_case(&path) {
        Err(codegen::Error::ProgenitorPanic { message, .. }) => {
            assert!(message.contains("more media types"), "{message}")
        }
        other => panic!("expected a caught progenitor panic, got {other:?}"),
    }
}

#[test]
fn parse_errors_name_line_and_column() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken-specs/01-yaml-syntax-error.yaml");
    match generate_case(&path) {
        Err(codegen::Error::Parse { line, column, .. }) => {
            assert_eq!((line, column), (Some(9), Some(6)));
        }
        other => panic!("expected a parse error, got {other:?}"),
    }
}
