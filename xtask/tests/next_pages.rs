//! The 13 pages the next issue adds to `spec/pages/` (all of smart_connect/ and
//! background_task_management/, and lifecycle_management/querying_an_instance.rst) import,
//! take today's decisions and generate with the client's settings.

#[test]
fn the_thirteen_smart_connect_pages_generate_with_the_client_settings() {
    let root = xtask::workspace_root();
    let pages: Vec<(String, String)> = xtask::all_pages(&root)
        .unwrap()
        .into_iter()
        .filter(|(name, _)| {
            name.contains("/smart_connect/")
                || name.contains("/background_task_management/")
                || name.ends_with("/lifecycle_management/querying_an_instance.rst")
        })
        .collect();
    assert_eq!(pages.len(), 13);
    let refs: Vec<(&str, &str)> = pages
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let mut imported = codegen::pages::import(&refs).unwrap();
    let decisions = std::fs::read_to_string(root.join(xtask::DECISIONS)).unwrap();
    codegen::overlay::apply(&mut imported.document, xtask::DECISIONS, &decisions).unwrap();
    let spec = codegen::pages::to_yaml(&imported.document);
    let code = codegen::generate("next.yaml", &spec, &xtask::client_settings())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code.matches("operation_id: \"").count(), 13);
    assert!(code.contains("pub node_cnt: ::std::option::Option<crate::NodeCount>"));
    // The body keeps its conventional name beside the list's nested table of the same name.
    assert!(code.contains("pub struct ShowInstanceResp "));
}
