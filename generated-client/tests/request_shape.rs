//! Request-shape protocol tests: what the client puts on the wire for
//! `POST /v2/{project_id}/instances/{instance_id}/connector`, captured by a local HTTP server.
//!
//! Each case sends one request and snapshots its shape (YAML, `tests/snapshots/`): method,
//! path, query, content type, headers (lower-cased, sorted; the port in `host` and the crate
//! version in `user-agent` masked), the body exactly as sent and the body parsed as JSON. The
//! key facts are asserted again outside the snapshot.

mod support;

use std::collections::BTreeMap;

use generated_client::types::{CreateConnectorReq, CreateConnectorResp};
use generated_client::{Client, Error, NodeCount, NodeCountError, ResponseValue};
use serde::Serialize;
use serde_json::{Value, json};
use support::{RecordedRequest, Reply, TestServer};

const PROJECT_ID: &str = "proj-0123456789";
const INSTANCE_ID: &str = "inst-1";
const EXPECTED_PATH: &str = "/v2/proj-0123456789/instances/inst-1/connector";

/// The document's example response, so every call here succeeds.
const EXAMPLE_RESPONSE: &str = r#"{"job_id":"7c3ec20c-11de-4df9-acc0-7ef1dea25dfe","connector_id":"55b78880-9077-4c74-ad5a-6868555f76a4"}"#;

/// What a snapshot holds.
#[derive(Serialize)]
struct WireShape {
    method: String,
    path: String,
    query: Option<String>,
    http_version: String,
    content_type: Option<String>,
    headers: BTreeMap<String, String>,
    body_text: String,
    body: Value,
}

impl WireShape {
    fn of(request: &RecordedRequest, server: &TestServer) -> Self {
        let mut headers = BTreeMap::new();
        for (name, value) in &request.headers {
            let name = name.to_ascii_lowercase();
            let value = match name.as_str() {
                "host" => value.replace(&format!(":{}", server.port()), ":[port]"),
                "user-agent" => value.replace(env!("CARGO_PKG_VERSION"), "[version]"),
                _ => value.clone(),
            };
            // A repeated header would show up as one comma-joined entry.
            headers
                .entry(name)
                .and_modify(|joined: &mut String| {
                    joined.push_str(", ");
                    joined.push_str(&value);
                })
                .or_insert(value);
        }
        WireShape {
            method: request.method.clone(),
            path: request.path.clone(),
            query: request.query.clone(),
            http_version: request.version.clone(),
            content_type: request.header("content-type").map(str::to_owned),
            headers,
            body_text: String::from_utf8_lossy(&request.body).into_owned(),
            body: request.body_json(),
        }
    }
}

fn client_for(server: &TestServer) -> Client {
    Client::connect(&server.base_url()).expect("a client for the test server")
}

/// Sends the typed call with `body` to the test server.
async fn send_typed(
    server: &TestServer,
    body: CreateConnectorReq,
) -> Result<ResponseValue<CreateConnectorResp>, Error> {
    client_for(server)
        .create_connector()
        .project_id(PROJECT_ID)
        .instance_id(INSTANCE_ID)
        .body(body)
        .send()
        .await
}

/// Checks what every request of this operation must look like, whatever its body.
fn assert_common_shape(request: &RecordedRequest, server: &TestServer) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, EXPECTED_PATH);
    assert_eq!(request.query, None);
    assert_eq!(request.header_values("content-type"), ["application/json"]);
    assert_eq!(request.header_values("accept"), ["application/json"]);
    assert_eq!(
        request.header_values("user-agent"),
        [concat!("generated-client/", env!("CARGO_PKG_VERSION"))]
    );
    assert_eq!(
        request.header_values("host"),
        [format!("127.0.0.1:{}", server.port())]
    );
    assert_eq!(
        request.header_values("content-length"),
        [request.body.len().to_string()]
    );
    assert!(
        request.header("api-version").is_none(),
        "the api-version header must be removed by the hooks: {:?}",
        request.headers
    );
}

#[tokio::test]
async fn first_example_new_flavors_sends_node_cnt_as_string() {
    let server = TestServer::start(Reply::json(200, EXAMPLE_RESPONSE));
    let body = CreateConnectorReq {
        node_cnt: Some(NodeCount::new(2).expect("2 is a valid count")),
        ..Default::default()
    };

    let reply = send_typed(&server, body).await.expect("the call succeeds");
    assert_eq!(reply.status().as_u16(), 200);

    let request = server.single_request();
    assert_common_shape(&request, &server);
    // The document's example writes `2`; the spec follows the table (String): "2".
    assert_eq!(request.body_json(), json!({"node_cnt": "2"}));
    insta::assert_yaml_snapshot!(WireShape::of(&request, &server));
}

#[tokio::test]
async fn second_example_old_flavors_sends_all_three_fields() {
    let server = TestServer::start(Reply::json(200, EXAMPLE_RESPONSE));
    let body = CreateConnectorReq {
        specification: Some("100MB".to_owned()),
        node_cnt: Some(NodeCount::new(2).expect("2 is a valid count")),
        spec_code: Some("kafka.c3.mini.connector".to_owned()),
    };

    send_typed(&server, body).await.expect("the call succeeds");

    let request = server.single_request();
    assert_common_shape(&request, &server);
    assert_eq!(
        request.body_json(),
        json!({
            "specification": "100MB",
            "node_cnt": "2",
            "spec_code": "kafka.c3.mini.connector"
        })
    );
    insta::assert_yaml_snapshot!(WireShape::of(&request, &server));
}

#[tokio::test]
async fn empty_body_sends_an_empty_object() {
    let server = TestServer::start(Reply::json(200, EXAMPLE_RESPONSE));

    send_typed(&server, CreateConnectorReq::default())
        .await
        .expect("the call succeeds");

    let request = server.single_request();
    assert_common_shape(&request, &server);
    assert_eq!(request.body, b"{}");
    assert_eq!(request.body_json(), json!({}));
    insta::assert_yaml_snapshot!(WireShape::of(&request, &server));
}

#[tokio::test]
async fn node_count_below_minimum_is_refused_before_sending() {
    let server = TestServer::start(Reply::json(200, EXAMPLE_RESPONSE));

    // Every way of making a count of 0 or 1 fails before there is a body to send.
    let attempts: Vec<(&str, Result<CreateConnectorReq, String>)> = vec![
        (
            "NodeCount::new(1)",
            NodeCount::new(1)
                .map(|count| CreateConnectorReq {
                    node_cnt: Some(count),
                    ..Default::default()
                })
                .map_err(|e| e.to_string()),
        ),
        (
            "NodeCount::try_from(0u32)",
            NodeCount::try_from(0u32)
                .map(|count| CreateConnectorReq {
                    node_cnt: Some(count),
                    ..Default::default()
                })
                .map_err(|e| e.to_string()),
        ),
        (
            "\"1\".parse()",
            "1".parse::<NodeCount>()
                .map(|count| CreateConnectorReq {
                    node_cnt: Some(count),
                    ..Default::default()
                })
                .map_err(|e| e.to_string()),
        ),
        (
            "JSON {\"node_cnt\":\"1\"}",
            serde_json::from_value(json!({"node_cnt": "1"})).map_err(|e| e.to_string()),
        ),
        (
            "JSON {\"node_cnt\":1}",
            serde_json::from_value(json!({"node_cnt": 1})).map_err(|e| e.to_string()),
        ),
    ];
    for (how, attempt) in attempts {
        match attempt {
            Ok(body) => {
                // Should not happen; send it so the server count below shows the failure.
                let _ = send_typed(&server, body).await;
                panic!("{how} made a body with a count below 2");
            }
            Err(message) => assert!(
                message.contains("node_cnt must be at least 2"),
                "{how}: {message}"
            ),
        }
    }
    assert_eq!(NodeCount::new(1), Err(NodeCountError::BelowMinimum(1)));
    let seen = server.requests();
    assert!(
        seen.is_empty(),
        "nothing may reach the server for a count below 2: {seen:#?}"
    );

    // Control: the same server does record a valid call.
    let body = CreateConnectorReq {
        node_cnt: Some(NodeCount::MIN.try_into().expect("the minimum is valid")),
        ..Default::default()
    };
    send_typed(&server, body).await.expect("the call succeeds");
    assert_eq!(
        server.single_request().body_json(),
        json!({"node_cnt": "2"})
    );
}

#[tokio::test]
async fn path_parameters_are_percent_encoded_as_one_segment() {
    let server = TestServer::start(Reply::json(200, EXAMPLE_RESPONSE));
    let client = client_for(&server);
    // A `/`, `?`, `%` or space in an id must not change the path's shape or start a query.
    let (project_id, instance_id) = ("proj/../x?y=1", "inst 1%");

    client
        .create_connector()
        .project_id(project_id)
        .instance_id(instance_id)
        .body(CreateConnectorReq::default())
        .send()
        .await
        .expect("the typed call succeeds");

    let requests = server.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    for request in &requests {
        assert_eq!(
            request.path,
            "/v2/proj%2F..%2Fx%3Fy=1/instances/inst%201%25/connector"
        );
        assert_eq!(request.query, None);
    }
}

/// Every call answers the crate's one error type, whatever the operation: a bad path
/// parameter, a missing one and a refused reply all arrive as [`Error`].
#[tokio::test]
async fn every_call_returns_the_crates_error() {
    let server = TestServer::start(Reply::json(
        400,
        r#"{"error_code":"DMS.00400062","error_msg":"Invalid request parameter."}"#,
    ));
    let client = client_for(&server);
    let refused: Result<_, Error> = client
        .show_instance()
        .project_id(PROJECT_ID)
        .instance_id(INSTANCE_ID)
        .send()
        .await;
    assert!(
        matches!(&refused, Err(Error::Service(e)) if e.error_code.as_deref() == Some("DMS.00400062")),
        "{refused:?}"
    );
    let invalid: Result<_, Error> = client
        .delete_background_task()
        .project_id(PROJECT_ID)
        .instance_id(INSTANCE_ID)
        .task_id("..")
        .send()
        .await;
    assert!(
        matches!(&invalid, Err(Error::InvalidRequest(m)) if m.starts_with("task_id: ")),
        "{invalid:?}"
    );
    let missing: Result<_, Error> = client
        .list_connector_tasks()
        .project_id(PROJECT_ID)
        .send()
        .await;
    assert!(
        matches!(&missing, Err(Error::InvalidRequest(m)) if m.contains("instance_id")),
        "{missing:?}"
    );
    let _: Result<_, Error> = Box::pin(client.pause_connector_task().send()).await;
    assert_eq!(server.requests().len(), 1, "refused calls send nothing");
}
