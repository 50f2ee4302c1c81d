//! Every generated operation against the local DMS (feature `local-dms`): signed with AK/SK,
//! `project_id` from the configuration, each typed reply decoded; the workflow's operations
//! through their state, every other one answered with its page's example. Each JSON
//! reply of the stand-in is also read raw and checked field by field against the generated
//! type, so a field the stand-in sends that the page does not define (or sends with another
//! type) shows up here.

mod support;

use std::time::Duration;

use generated_client::local_dms::{self, LocalDms, Operation};
use generated_client::types::{
    CreateConnectorReq, CreateConnectorResp, CreateConnectorTaskReq, CreateConnectorTaskResp,
    DeleteConnectorResp, ListBackgroundTasksResp, ListConnectorTasksResp, ShowBackgroundTaskResp,
    ShowConnectorTaskResp, ShowInstanceResp,
};
use generated_client::{Client, ClientConfig, Credentials, NodeCount};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use support::{example_calls, spec};

const PROJECT: &str = "proj-local";
const INSTANCE: &str = "inst-local";
const AK: &str = "local-ak";
const SK: &str = "local-sk";

async fn start() -> (LocalDms, Client) {
    let dms = LocalDms::builder()
        .project_id(PROJECT)
        .credentials(AK, SK)
        .instance(INSTANCE)
        .busy_for(Duration::from_millis(30))
        .start()
        .await
        .expect("the local DMS starts");
    let client = ClientConfig::new()
        .credentials(Credentials::ak_sk(AK, SK))
        .project_id(PROJECT)
        .endpoint(dms.base_url())
        .build()
        .expect("a client for the local DMS");
    (dms, client)
}

/// The JSON pointers of `raw` that the generated type `T` does not keep (a field it does not
/// know, or a value that comes back different), or the decoding error.
fn not_kept<T: DeserializeOwned + Serialize>(raw: &Value) -> Vec<String> {
    let typed: T = match serde_json::from_value(raw.clone()) {
        Ok(t) => t,
        Err(e) => return vec![format!("does not decode: {e}")],
    };
    let back = serde_json::to_value(&typed).expect("serializes");
    let mut missing = Vec::new();
    compare("", raw, &back, &mut missing);
    missing
}

fn compare(at: &str, raw: &Value, back: &Value, out: &mut Vec<String>) {
    match (raw, back) {
        (Value::Object(r), Value::Object(b)) => {
            for (key, value) in r {
                let here = format!("{at}/{key}");
                match b.get(key) {
                    Some(other) => compare(&here, value, other, out),
                    None if value.is_null() => {}
                    None => out.push(here),
                }
            }
        }
        (Value::Array(r), Value::Array(b)) if r.len() == b.len() => {
            for (i, (x, y)) in r.iter().zip(b).enumerate() {
                compare(&format!("{at}/{i}"), x, y, out);
            }
        }
        (r, b) if r == b => {}
        _ => out.push(format!("{at} ({raw} read back as {back})")),
    }
}

/// Sends `method` `path` (below the project) with `body` raw to a stand-in that accepts any
/// caller, and returns the reply's status and JSON body (`null` when there is none).
async fn raw(dms: &LocalDms, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!("{}/v2/{PROJECT}{path}", dms.base_url());
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = generated_client::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .request(method, url)
        .header("X-Project-Id", PROJECT);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let reply = request.send().await.expect("the raw request");
    let status = reply.status().as_u16();
    let bytes = reply.bytes().await.expect("the body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("a JSON body")
    };
    (status, body)
}

async fn raw_ok(dms: &LocalDms, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, body) = raw(dms, method, path, body).await;
    assert_eq!(status, 200, "{method} {path}: {body}");
    body
}

async fn wait_running(client: &Client) {
    for _ in 0..200 {
        let instance = client
            .show_instance()
            .instance_id(INSTANCE)
            .send()
            .await
            .expect("show_instance");
        if instance.status.as_deref() == Some("RUNNING") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the instance did not get back to RUNNING");
}

/// The top-level fields of the page's example reply of `operation_id` (from the committed
/// spec): fields an example shows beyond the table (ShowInstance's) are the page's too.
fn example_fields(operation_id: &str) -> Vec<String> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../spec/dms-kafka-smart-connect.yaml"),
    )
    .expect("the committed spec");
    let spec: Value = serde_yaml_ng::from_str(&text).expect("the spec is YAML");
    for item in spec["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("a path item").values() {
            if op["operationId"] == operation_id {
                return op
                    .pointer("/responses/200/content/application~1json/examples/example1/value")
                    .and_then(Value::as_object)
                    .map(|o| o.keys().cloned().collect())
                    .unwrap_or_default();
            }
        }
    }
    panic!("no operation {operation_id}")
}

/// Checks `raw`, a reply of `what` (an operation id, maybe followed by a note), against `T`.
fn check<T: DeserializeOwned + Serialize>(what: &str, raw: &Value) {
    let operation_id = what.split(' ').next().unwrap_or(what);
    let shown_by_the_page = example_fields(operation_id);
    let missing: Vec<String> = not_kept::<T>(raw)
        .into_iter()
        .filter(|at| !shown_by_the_page.iter().any(|f| *at == format!("/{f}")))
        .collect();
    assert!(
        missing.is_empty(),
        "{what}: the local DMS replies fields the generated type does not keep: {missing:?}\n{raw:#}"
    );
}

#[tokio::test]
async fn every_operation_decodes_the_local_dms_replies() {
    let (dms, client) = start().await;

    let instance = client
        .show_instance()
        .instance_id(INSTANCE)
        .send()
        .await
        .expect("show_instance");
    assert_eq!(instance.status.as_deref(), Some("RUNNING"));
    assert_eq!(instance.connector_enable, Some(false));

    let enabled = client
        .create_connector()
        .instance_id(INSTANCE)
        .body(CreateConnectorReq {
            node_cnt: Some(NodeCount::new(2).unwrap()),
            ..Default::default()
        })
        .send()
        .await
        .expect("create_connector");
    let job = enabled.job_id.clone().expect("a job id");
    assert!(enabled.connector_id.is_some());

    let jobs = client
        .list_background_tasks()
        .instance_id(INSTANCE)
        .send()
        .await
        .expect("list_background_tasks");
    assert!(
        jobs.tasks
            .iter()
            .any(|t| t.id.as_deref() == Some(job.as_str()))
    );
    let shown = client
        .show_background_task()
        .instance_id(INSTANCE)
        .task_id(job.as_str())
        .send()
        .await
        .expect("show_background_task");
    assert_eq!(shown.tasks.len(), 1);

    wait_running(&client).await;
    let instance = client
        .show_instance()
        .instance_id(INSTANCE)
        .send()
        .await
        .unwrap();
    assert_eq!(instance.connector_enable, Some(true));
    assert_eq!(instance.connector_node_num, Some(2));

    let body: CreateConnectorTaskReq = serde_json::from_value(json!({
        "task_name": "smart-connect-3",
        "start_later": false,
        "source_type": "REDIS_REPLICATOR_SOURCE",
        "source_task": {
            "redis_address": "192.168.99.249:6379",
            "redis_type": "cluster",
            "redis_password": "source-secret",
            "sync_mode": "RDB_ONLY",
            "full_sync_max_retry": 10,
            "full_sync_wait_ms": 10000,
            "ratelimit": 10
        },
        "topics": "topic-sc-3",
        "sink_type": "REDIS_REPLICATOR_SINK",
        "sink_task": {
            "redis_address": "192.168.119.51:6379",
            "redis_type": "standalone",
            "redis_password": "sink-secret"
        }
    }))
    .unwrap();
    let created = client
        .create_connector_task()
        .instance_id(INSTANCE)
        .body(body)
        .send()
        .await
        .expect("create_connector_task");
    let task = created.id.clone().expect("a task id");
    assert_eq!(created.status.as_deref(), Some("CREATING"));
    // RUNNING after `busy_for` (30 ms).
    tokio::time::sleep(Duration::from_millis(100)).await;

    let tasks = client
        .list_connector_tasks()
        .instance_id(INSTANCE)
        .send()
        .await
        .expect("list_connector_tasks");
    assert_eq!(tasks.total_number, Some(1));
    let one = client
        .show_connector_task()
        .instance_id(INSTANCE)
        .task_id(task.as_str())
        .send()
        .await
        .expect("show_connector_task");
    assert_eq!(one.id.as_deref(), Some(task.as_str()));
    assert_eq!(one.status.as_deref(), Some("RUNNING"));

    for (name, status) in [
        (
            "pause",
            client
                .pause_connector_task()
                .instance_id(INSTANCE)
                .task_id(task.as_str())
                .send()
                .await,
        ),
        (
            "resume",
            client
                .resume_connector_task()
                .instance_id(INSTANCE)
                .task_id(task.as_str())
                .send()
                .await,
        ),
        (
            "restart",
            client
                .restart_connector_task()
                .instance_id(INSTANCE)
                .task_id(task.as_str())
                .send()
                .await,
        ),
        (
            "delete",
            client
                .delete_connector_task()
                .instance_id(INSTANCE)
                .task_id(task.as_str())
                .send()
                .await,
        ),
    ] {
        let reply = status.unwrap_or_else(|e| panic!("{name}_connector_task: {e}"));
        assert_eq!(reply.status().as_u16(), 204, "{name}");
    }

    let disabled = client
        .delete_connector()
        .instance_id(INSTANCE)
        .send()
        .await
        .expect("delete_connector");
    let disable_job = disabled.job_id.clone().expect("a job id");
    wait_running(&client).await;
    let deleted = client
        .delete_background_task()
        .instance_id(INSTANCE)
        .task_id(disable_job.as_str())
        .send()
        .await
        .expect("delete_background_task");
    assert_eq!(deleted.status().as_u16(), 204);

    for &operation in Operation::ALL {
        if local_dms::keeps_state(operation) {
            assert!(dms.seen(operation) >= 1, "{operation:?} was not called");
        }
    }
    drop(dms);
}

/// The stand-in's JSON replies, read raw, carry only fields the generated types know, with
/// values they keep; its 204s carry no body.
#[tokio::test]
async fn the_local_dms_replies_only_what_the_pages_define() {
    let dms = LocalDms::builder()
        .project_id(PROJECT)
        .instance(INSTANCE)
        .busy_for(Duration::from_millis(30))
        .start()
        .await
        .expect("the local DMS starts");
    let client = ClientConfig::new()
        .credentials(Credentials::token("any"))
        .project_id(PROJECT)
        .endpoint(dms.base_url())
        .build()
        .unwrap();
    let at = |rest: &str| format!("/instances/{INSTANCE}{rest}");

    let instance = raw_ok(&dms, "GET", &at(""), None).await;
    check::<ShowInstanceResp>("ShowInstance", &instance);

    let enabled = raw_ok(
        &dms,
        "POST",
        &at("/connector"),
        Some(json!({"node_cnt": "2"})),
    )
    .await;
    check::<CreateConnectorResp>("CreateConnector", &enabled);
    let job = enabled["job_id"].as_str().expect("a job id").to_owned();
    let jobs = raw_ok(&dms, "GET", &at("/tasks"), None).await;
    check::<ListBackgroundTasksResp>("ListBackgroundTasks", &jobs);
    let one_job = raw_ok(&dms, "GET", &at(&format!("/tasks/{job}")), None).await;
    check::<ShowBackgroundTaskResp>("ShowBackgroundTask", &one_job);
    wait_running(&client).await;
    let instance = raw_ok(&dms, "GET", &at(""), None).await;
    check::<ShowInstanceResp>("ShowInstance (enabled)", &instance);

    // The example request bodies of the CreateConnectorTask page (secrets filled in).
    let examples = [
        json!({"task_name": "smart-connect-1", "start_later": false, "source_type": "NONE",
               "topics_regex": "topic-obs*", "sink_type": "OBS_SINK",
               "sink_task": {"consumer_strategy": "earliest", "destination_file_type": "TEXT",
                             "deliver_time_interval": 300, "access_key": "the-ak", "secret_key": "the-sk",
                             "obs_bucket_name": "obs_bucket", "obs_path": "obsTransfer-1810125534",
                             "partition_format": "yyyy/MM/dd/HH/mm", "record_delimiter": "\\n",
                             "store_keys": false}}),
        json!({"task_name": "smart-connect-2", "start_later": true,
               "source_type": "KAFKA_REPLICATOR_SOURCE",
               "source_task": {"current_cluster_name": "A", "cluster_name": "B", "user_name": "user1",
                               "password": "the-pw", "sasl_mechanism": "SCRAM-SHA-512",
                               "instance_id": "b54c9dd8", "direction": "two-way",
                               "sync_consumer_offsets_enabled": false, "replication_factor": 3,
                               "task_num": 2, "rename_topic_enabled": false,
                               "provenance_header_enabled": true, "consumer_strategy": "latest",
                               "compression_type": "snappy",
                               "topics_mapping": "topic-sc-1:topic-sc-3,topic-sc-2:topic-sc-4"}}),
        json!({"task_name": "smart-connect-3", "start_later": false,
               "source_type": "REDIS_REPLICATOR_SOURCE",
               "source_task": {"redis_address": "192.168.99.249:6379", "redis_type": "cluster",
                               "redis_password": "the-redis-pw", "sync_mode": "RDB_ONLY",
                               "full_sync_max_retry": 10, "full_sync_wait_ms": 10000, "ratelimit": 10},
               "topics": "topic-sc-3", "sink_type": "REDIS_REPLICATOR_SINK",
               "sink_task": {"redis_address": "192.168.119.51:6379", "redis_type": "standalone",
                             "redis_password": "the-sink-pw"}}),
    ];
    for example in examples {
        let created = raw_ok(&dms, "POST", &at("/connector/tasks"), Some(example)).await;
        check::<CreateConnectorTaskResp>("CreateConnectorTask", &created);
        let id = created["id"].as_str().expect("a task id").to_owned();
        let shown = raw_ok(&dms, "GET", &at(&format!("/connector/tasks/{id}")), None).await;
        check::<ShowConnectorTaskResp>("ShowConnectorTask", &shown);
        for text in [created.to_string(), shown.to_string()] {
            assert!(
                !text.contains("\"the-"),
                "the stand-in shows a secret: {text}"
            );
        }
    }
    let listed = raw_ok(&dms, "GET", &at("/connector/tasks"), None).await;
    check::<ListConnectorTasksResp>("ListConnectorTasks", &listed);
    let id = listed["tasks"][0]["id"].as_str().unwrap().to_owned();
    for (method, rest) in [
        ("PUT", format!("/connector/tasks/{id}/pause")),
        ("PUT", format!("/connector/tasks/{id}/resume")),
        ("DELETE", format!("/connector/tasks/{id}")),
    ] {
        assert_eq!(
            raw(&dms, method, &at(&rest), None).await,
            (204, Value::Null),
            "{method} {rest}"
        );
    }

    let disabled = raw_ok(
        &dms,
        "POST",
        &format!("/kafka/instances/{INSTANCE}/delete-connector"),
        None,
    )
    .await;
    check::<DeleteConnectorResp>("DeleteConnector", &disabled);
}

/// Every operation of the spec that the local DMS keeps no state for answers, signed, with the
/// status and the body its page documents (read through the generated call). The operations
/// come from the generated table, so a page added to `spec/pages/` is covered here with no
/// test code.
#[tokio::test]
async fn every_operation_without_state_answers_its_pages_example() {
    let (dms, client) = start().await;
    let spec = spec::spec();
    for &operation in Operation::ALL {
        if local_dms::keeps_state(operation) {
            continue;
        }
        let (_, _, op) = spec::spec_operation(&spec, operation.id());
        let params = spec::params(&spec, &op);
        // The first example, within its table's limits (a page may redact a value below them).
        let body = spec::example_requests(&spec, &op)
            .into_iter()
            .next()
            .map(|example| example.within_limits);
        let (status, reply) = example_calls::send(&client, operation, &params, body.as_ref())
            .await
            .unwrap_or_else(|e| panic!("{operation}: {e}"));
        let documented = spec::example_reply(&spec, &op);
        assert_eq!(Some(status), documented.status_code(), "{operation}");
        assert_eq!(
            reply.is_null(),
            !spec::documents_body(&op),
            "{operation}: {reply}"
        );
        assert_eq!(dms.seen(operation), 1, "{operation}");
    }
}
