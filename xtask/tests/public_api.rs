//! The public API of generated-client equals the committed listing
//! (`generated-client/public-api.txt`), so any change of the surface shows up in review.

#[test]
fn public_api_matches_the_committed_listing() {
    let root = xtask::workspace_root();
    let listing = xtask::public_api::generate(&root).expect("cargo doc and the listing");
    let committed =
        std::fs::read_to_string(root.join(xtask::public_api::LISTING)).unwrap_or_default();
    if listing != committed {
        panic!(
            "\nthe public API of generated-client changed:\n{}\n(if intended: run `cargo xtask public-api` and commit {})\n",
            similar::TextDiff::from_lines(&committed, &listing)
                .unified_diff()
                .header("committed", "now"),
            xtask::public_api::LISTING
        );
    }
}
