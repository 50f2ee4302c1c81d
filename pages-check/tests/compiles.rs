//! The client generated from all 62 pages compiles and builds requests (nothing is sent).

#[test]
fn the_client_of_all_62_pages_builds_a_request() {
    // See Cargo.toml: progenitor's `Client::new` builds a plain reqwest client.
    // ring is deprecated in rustls 0.23.48 (no post-quantum algorithms); enough for this test.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = pages_check::Client::new("http://127.0.0.1:9");
    // One operation of each kind of body: a typed JSON body, path parameters.
    let call = client
        .create_connector()
        .project_id(String::from("p"))
        .instance_id(String::from("i"))
        .body(pages_check::types::CreateConnectorReq::default());
    drop(call);
    let operations = include_str!("../src/generated.rs")
        .matches("operation_id: \"")
        .count();
    assert_eq!(operations, 62, "one operation per page");
}
