//! Request-shape tests of every operation of the spec, built from its page's example requests,
//! against a capture server on 127.0.0.1 (smithy style: method, path, query, headers and the
//! JSON body compared by meaning; the whole shape snapshotted in `tests/snapshots/`).
//!
//! The operations come from the generated table ([`Operation::ALL`]) and each call from the
//! generated test calls (`support::example_calls`): a new page gets its request-shape snapshots
//! through insta's review, with no test code. Each call starts from the generated
//! `Client::<operation>()` method of a client configured with a project, so `project_id`
//! comes from the configuration (the generated pre-fill); the other path parameters, a sample
//! query and each example body are set. The server answers with the page's example response
//! (from the committed spec), or its bodyless status, and the typed call must decode it.

mod support;

use std::collections::BTreeMap;

use generated_client::{Client, Operation};
use serde::Serialize;
use serde_json::Value;
use support::spec::{
    ExampleRequest, documents_body, example_reply, example_requests, params, snake, spec,
    spec_operation,
};
use support::{RecordedRequest, Reply, TestServer, example_calls};

const PROJECT_ID: &str = "proj-0123456789";

fn client_for(server: &TestServer) -> Client {
    server.token_client(PROJECT_ID)
}

/// What a snapshot holds.
#[derive(Serialize)]
struct WireShape {
    method: String,
    path: String,
    query: Option<String>,
    headers: BTreeMap<String, String>,
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
            headers,
            body: if request.body.is_empty() {
                Value::Null
            } else {
                request.body_json()
            },
        }
    }
}

/// Sends every example request of `operation` (one call without a body when the page has
/// none), checks method, path, query, headers and body, and snapshots each shape.
async fn check(operation: Operation) {
    let spec = spec();
    let (template, method, op) = spec_operation(&spec, operation.id());
    let id = snake(operation.id());
    let params = params(&spec, &op);
    let examples = example_requests(&spec, &op);
    let bodies: Vec<Option<ExampleRequest>> = if examples.is_empty() {
        vec![None]
    } else {
        examples.into_iter().map(Some).collect()
    };
    for (n, example) in bodies.into_iter().enumerate() {
        let server = TestServer::start(example_reply(&spec, &op));
        let client = client_for(&server);
        let body = example.as_ref().map(|e| &e.body);
        if let Some(breach) = example.as_ref().and_then(|e| e.breach.as_ref()) {
            let refused = example_calls::send(&client, operation, &params, body).await;
            assert!(refused.is_err(), "{id}: {breach}, yet sent");
            assert!(server.requests().is_empty(), "{id}: {breach}, yet sent");
            continue;
        }
        let (status, reply) = example_calls::send(&client, operation, &params, body)
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!((200..300).contains(&status), "{id}: {status}");
        assert_eq!(reply.is_null(), !documents_body(&op), "{id}: {reply}");

        let request = server.single_request();
        let mut path = template.replace("{project_id}", PROJECT_ID);
        let mut query = Vec::new();
        for (name, value) in &params {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned);
            let placeholder = format!("{{{name}}}");
            if path.contains(&placeholder) {
                path = path.replace(&placeholder, &text);
            } else {
                query.push((name.clone(), text));
            }
        }
        assert_eq!(request.method, method, "{id}");
        assert_eq!(request.path, path, "{id}");
        let mut sent: Vec<(String, String)> = request
            .query
            .as_deref()
            .unwrap_or_default()
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();
        sent.sort();
        query.sort();
        assert_eq!(sent, query, "{id}: every query parameter, once");
        assert_eq!(
            request.header_values("accept"),
            ["application/json"],
            "{id}"
        );
        assert_eq!(request.header_values("x-project-id"), [PROJECT_ID], "{id}");
        assert_eq!(
            request.header_values("x-auth-token"),
            ["test-token"],
            "{id}"
        );
        assert!(request.header("api-version").is_none(), "{id}");
        match body {
            Some(example) => {
                assert_eq!(
                    request.header_values("content-type"),
                    ["application/json"],
                    "{id}"
                );
                assert_eq!(
                    request.body_json(),
                    *example,
                    "{id}: the body means the example"
                );
            }
            None => {
                assert!(request.body.is_empty(), "{id}: no body");
                assert!(request.header("content-type").is_none(), "{id}");
            }
        }
        insta::assert_yaml_snapshot!(format!("{id}_{}", n + 1), WireShape::of(&request, &server));
    }
}

#[tokio::test]
async fn every_operation_sends_its_pages_example_requests() {
    assert!(!Operation::ALL.is_empty());
    for &operation in Operation::ALL {
        check(operation).await;
    }
}

#[test]
fn the_operation_table_matches_the_spec() {
    let spec = spec();
    let mut in_spec = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            let id = op["operationId"].as_str().expect("an operation id");
            in_spec.push((id.to_owned(), method.to_uppercase(), path.clone()));
        }
    }
    let mut table: Vec<(String, String, String)> = Operation::ALL
        .iter()
        .map(|o| {
            (
                o.id().to_owned(),
                o.method().to_owned(),
                o.path_template().to_owned(),
            )
        })
        .collect();
    table.sort();
    in_spec.sort();
    assert_eq!(table, in_spec);
    assert_eq!(
        Operation::from_id("ShowInstance").map(Operation::path_template),
        Some("/v2/{project_id}/instances/{instance_id}")
    );
    assert_eq!(Operation::from_id("nope"), None);
}

/// The configured project fills `project_id`; the builder's setter overrides it; without a
/// configured project the builder reports it missing.
#[tokio::test]
async fn project_id_comes_from_the_configuration_and_can_be_overridden() {
    let server = TestServer::start(Reply::status(204));
    let client = client_for(&server);
    client
        .pause_connector_task()
        .project_id("other-project")
        .instance_id("inst-1")
        .task_id("task-1")
        .send()
        .await
        .expect("the call succeeds");
    assert_eq!(
        server.single_request().path,
        "/v2/other-project/instances/inst-1/connector/tasks/task-1/pause"
    );

    let unconfigured = Client::connect(&server.base_url()).expect("a client");
    let error = unconfigured
        .pause_connector_task()
        .instance_id("inst-1")
        .task_id("task-1")
        .send()
        .await
        .expect_err("no project");
    assert!(error.to_string().contains("project_id"), "{error}");
    assert_eq!(server.requests().len(), 1, "nothing more was sent");
}
