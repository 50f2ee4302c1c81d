//! The client generated from all 62 pages compiles and builds requests (nothing is sent).

#[test]
fn the_client_of_all_62_pages_builds_a_request() {
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
