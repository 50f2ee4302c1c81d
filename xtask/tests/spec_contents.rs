//! The committed spec carries what the source document (CreateConnector.rst) says: every table
//! row, both example requests, the example response and the status code. The document's
//! values are copied here as data, so a spec edit that departs from the document fails here.
//! (This file sorts after `generated_is_fresh.rs`: a stale generated client is reported first.)

use serde_json::{Value, json};

fn spec() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/dms-kafka-smart-connect.yaml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    codegen::load("spec", &text).unwrap().tree
}

fn at<'a>(spec: &'a Value, pointer: &str) -> &'a Value {
    spec.pointer(pointer)
        .unwrap_or_else(|| panic!("spec has nothing at {pointer}"))
}

const OPERATION: &str = "/paths/~1v2~1{project_id}~1instances~1{instance_id}~1connector/post";

#[test]
fn operation_summary_description_and_server() {
    let spec = spec();
    assert_eq!(at(&spec, "/openapi"), "3.0.3");
    let op = at(&spec, OPERATION);
    assert_eq!(op["operationId"], "CreateConnector");
    assert_eq!(
        op["summary"],
        "Enabling Smart Connect (Pay-per-Use Instance)"
    );
    assert_eq!(
        op["description"],
        "This API is used to enable Smart Connect so you can create a connector."
    );
    assert_eq!(at(&spec, "/servers/0/url"), "https://{endpoint}");
    assert!(at(&spec, "/servers/0/variables/endpoint/default").is_string());
}

#[test]
fn table_1_path_parameters() {
    let spec = spec();
    let params = at(&spec, &format!("{OPERATION}/parameters"))
        .as_array()
        .unwrap();
    let rows = [
        (
            "project_id",
            "Project ID. For details about how to obtain it, see Obtaining a Project ID.",
        ),
        ("instance_id", "Instance ID."),
    ];
    assert_eq!(params.len(), rows.len());
    // Both are Strings; PathSegment is a string that stays one path segment.
    let segment = at(&spec, "/components/schemas/PathSegment");
    assert_eq!(segment["type"], "string");
    for (param, (name, description)) in params.iter().zip(rows) {
        assert_eq!(param["name"], name);
        assert_eq!(param["in"], "path");
        assert_eq!(param["required"], true, "{name} is mandatory");
        assert_eq!(
            param["schema"]["$ref"], "#/components/schemas/PathSegment",
            "{name}"
        );
        assert_eq!(param["description"], description, "{name}");
    }
}

#[test]
fn table_2_request_body() {
    let spec = spec();
    let body = at(&spec, "/components/schemas/CreateConnectorReq");
    // Mandatory: No for every row.
    assert!(body.get("required").is_none(), "no body field is mandatory");
    let props = body["properties"].as_object().unwrap();
    let mut names: Vec<&str> = props.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["node_cnt", "spec_code", "specification"]);

    assert_eq!(props["specification"]["type"], "string");
    assert_eq!(
        props["specification"]["description"],
        "Bandwidth for deploying Smart Connect, that is, the maximum amount of data transferred per unit time. Use the bandwidth of the current instance."
    );
    assert_eq!(props["spec_code"]["type"], "string");
    assert_eq!(
        props["spec_code"]["description"],
        "Specification code of the connector. This parameter is mandatory only for old instance flavors."
    );

    assert_eq!(props["node_cnt"]["$ref"], "#/components/schemas/NodeCount");
    let node_cnt = at(&spec, "/components/schemas/NodeCount");
    assert_eq!(
        node_cnt["type"], "string",
        "the table types node_cnt as String"
    );
    assert_eq!(node_cnt["default"], "2");
    let description = node_cnt["description"].as_str().unwrap();
    assert!(
        description.starts_with(
            "Number of connectors. Min.: 2. The default value is 2 if it is not specified."
        ),
        "{description}"
    );
    assert!(
        description.contains("Type decision"),
        "the decision is recorded"
    );
    // The minimum, as far as a string schema can state it: the pattern admits 2.. and not 0, 1.
    assert_eq!(node_cnt["pattern"], "^([2-9]|[1-9][0-9]+)$");
}

#[test]
fn table_3_response_and_status_codes() {
    let spec = spec();
    let responses = at(&spec, &format!("{OPERATION}/responses"));
    assert_eq!(responses["200"]["description"], "Successful.");
    assert_eq!(
        responses["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/CreateConnectorResp"
    );
    for range in ["4XX", "5XX"] {
        assert_eq!(
            responses[range]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
    }
    assert!(responses.get("default").is_none());
    let resp = at(&spec, "/components/schemas/CreateConnectorResp/properties");
    assert_eq!(
        resp["job_id"],
        json!({"type": "string", "description": "Task ID."})
    );
    assert_eq!(
        resp["connector_id"],
        json!({"type": "string", "description": "Instance dump ID."})
    );
    let error = at(&spec, "/components/schemas/ErrorBody/properties");
    assert_eq!(error["error_code"]["type"], "string");
    assert_eq!(error["error_msg"]["type"], "string");
}

#[test]
fn examples_from_the_document() {
    let spec = spec();
    let examples = at(
        &spec,
        &format!("{OPERATION}/requestBody/content/application~1json/examples"),
    );
    // The document writes node_cnt as the number 2; the table's String type makes it "2".
    assert_eq!(examples["new_flavors"]["value"], json!({"node_cnt": "2"}));
    assert_eq!(
        examples["old_flavors"]["value"],
        json!({"specification": "100MB", "node_cnt": "2", "spec_code": "kafka.c3.mini.connector"})
    );
    assert_eq!(
        at(
            &spec,
            &format!(
                "{OPERATION}/responses/200/content/application~1json/examples/successful/value"
            )
        ),
        &json!({
            "job_id": "7c3ec20c-11de-4df9-acc0-7ef1dea25dfe",
            "connector_id": "55b78880-9077-4c74-ad5a-6868555f76a4"
        })
    );
}

#[test]
fn both_ways_to_authenticate() {
    let spec = spec();
    let schemes = at(&spec, "/components/securitySchemes")
        .as_object()
        .unwrap();
    assert_eq!(schemes["akskSignature"]["name"], "Authorization");
    assert_eq!(schemes["iamToken"]["name"], "X-Auth-Token");
    assert_eq!(at(&spec, "/security").as_array().unwrap().len(), 2);
}
