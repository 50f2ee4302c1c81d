//! The generator formats progenitor's output one item at a time; for whole generated
//! clients (the synthetic spec of the generation benchmark, with nested modules and every
//! kind of item progenitor emits) that gives the same bytes as parsing and printing the
//! whole file at once.

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle};

/// What `codegen::generate` produced before items were formatted one at a time: one
/// `syn::parse2` of the whole token stream, printed by prettyplease. Settings as
/// `codegen::Settings::default()`, the spec prepared by the same generator rules.
fn whole_file(text: &str) -> String {
    let spec: openapiv3::OpenAPI = serde_yaml_ng::from_str(text).expect("the spec parses");
    let spec = codegen::prepare::for_progenitor(spec);
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged);
    let tokens = Generator::new(&settings)
        .generate_tokens(&spec)
        .expect("progenitor generates");
    prettyplease::unparse(&syn::parse2(tokens).expect("valid Rust"))
}

#[test]
fn item_by_item_equals_whole_file_for_the_synthetic_spec() {
    let text = synthetic::spec(12);
    let code = codegen::generate("synthetic.yaml", &text, &codegen::Settings::default())
        .expect("the synthetic spec generates");
    // Everything after the header's blank line is the formatted code.
    let (_header, body) = code.split_once("\n\n").expect("a header");
    assert_eq!(body, whole_file(&text));
    assert!(body.contains("pub mod types {") && body.contains("pub mod builder {"));
    for i in 0..12 {
        assert!(
            body.contains(&format!("pub fn create_thing{i}(&self)")),
            "operation {i}"
        );
    }
}
