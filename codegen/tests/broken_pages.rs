//! The broken-page corpus: every page gives a clear error naming the page, the line and what
//! was expected (snapshotted), and none panics.

use std::panic::catch_unwind;

#[test]
fn every_broken_page_fails_with_a_clear_message() {
    let mut cases = 0;
    insta::glob!("broken-pages/*.rst", |path| {
        cases += 1;
        let text = std::fs::read_to_string(path).unwrap();
        let name = format!(
            "broken-pages/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let result = catch_unwind(|| codegen::pages::import(&[(name.as_str(), text.as_str())]))
            .unwrap_or_else(|_| panic!("the importer panicked on {name}; it must return an error"));
        let error = result.expect_err("a broken page must not import");
        let message = error.to_string();
        assert!(
            message.starts_with(&name),
            "the message names the page: {message}"
        );
        insta::assert_snapshot!(message);
    });
    assert!(
        cases >= 10,
        "the corpus must hold at least 10 cases, found {cases}"
    );
}
