//! Fails when the committed generated client differs from what the spec produces now.

#[test]
fn committed_generated_client_matches_the_spec() {
    if let Err(e) = xtask::check(&xtask::workspace_root()) {
        panic!("\n{e}\n\n(the fix: run `cargo xtask regen` and commit the result)\n");
    }
}
