//! The local DMS (`generated_client::local_dms`) over real HTTP on 127.0.0.1: its state
//! machine, refusals, authentication, faults and request counting.
//!
//! Enabling goes through the generated client (the only generated operation so far); the
//! other operations go through [`Caller`], a reqwest client that signs with the crate's
//! public signer, so the stand-in's checks meet real signatures.

mod support;

use std::time::{Duration, SystemTime};

use generated_client::local_dms::{Fault, LocalDms, Operation};
use generated_client::signer::{self, RequestParts};
use generated_client::types::CreateConnectorReq;
use generated_client::{Client, ClientConfig, Credentials, NodeCount, TransportErrorKind};
use serde_json::{Value, json};
use support::dms::{AK, INSTANCE, PROJECT, SK};

/// Long enough to look at the busy states on a loaded machine (a few round trips), short
/// enough for a fast suite.
const BUSY: Duration = Duration::from_millis(1000);

const BUSY_BODY: &str = "This operation is not allowed due to the instance status.";

async fn start_signed() -> LocalDms {
    support::dms::start(BUSY).await
}

/// The generated client, AK/SK-signed, pointed at `dms`.
fn client(dms: &LocalDms) -> Client {
    support::dms::config(dms)
        .build()
        .expect("client for the local DMS")
}

/// A reply as the test sees it.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
    headers: reqwest::header::HeaderMap,
}

/// Sends requests to the local DMS, signed with an AK/SK (or not) and with a project header.
struct Caller {
    http: reqwest::Client,
    base_url: String,
    host: String,
    ak: String,
    sk: Option<String>,
    project_header: Option<String>,
}

impl Caller {
    fn new(dms: &LocalDms) -> Self {
        Caller {
            http: generated_client::http_client_builder()
                .unwrap()
                .build()
                .unwrap(),
            base_url: dms.base_url(),
            host: dms.addr().to_string(),
            ak: AK.to_owned(),
            sk: Some(SK.to_owned()),
            project_header: Some(PROJECT.to_owned()),
        }
    }

    fn sk(mut self, sk: Option<&str>) -> Self {
        self.sk = sk.map(str::to_owned);
        self
    }

    fn project_header(mut self, project: Option<&str>) -> Self {
        self.project_header = project.map(str::to_owned);
        self
    }

    /// `path` is below `/v2/{PROJECT}`, e.g. `/instances/{id}`.
    async fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        self.call_raw(
            method,
            &format!("/v2/{PROJECT}{path}"),
            body.map(|b| b.to_string().into_bytes()),
            &[],
        )
        .await
    }

    async fn call_raw(
        &self,
        method: &str,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        extra_headers: &[(&str, &str)],
    ) -> Answer {
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        let query_pairs: Vec<(String, String)> = query
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();
        let mut headers: Vec<(String, String)> = Vec::new();
        if body.is_some() {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        if let Some(project) = &self.project_header {
            headers.push(("X-Project-Id".into(), project.clone()));
        }
        for (name, value) in extra_headers {
            headers.push(((*name).to_owned(), (*value).to_owned()));
        }
        let body = body.unwrap_or_default();
        if let Some(sk) = &self.sk {
            let signed = signer::sign(
                &RequestParts::new(method, &self.host, path, &query_pairs, &headers, &body),
                &self.ak,
                sk.as_bytes(),
                SystemTime::now(),
            );
            headers.extend(signed.headers.into_iter().map(|(n, v)| (n.to_owned(), v)));
        }
        let mut request = self.http.request(
            method.parse().expect("a method"),
            format!("{}{path_and_query}", self.base_url),
        );
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.body(body).send().await.expect("a reply");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("the body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("a JSON body")
        };
        Answer {
            status,
            body,
            headers,
        }
    }
}

fn error_body(code: &str, message: &str) -> Value {
    json!({ "error_code": code, "error_msg": message })
}

/// Polls ShowInstance until the instance is `RUNNING` (5 s at most).
async fn wait_running(caller: &Caller, instance: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let answer = caller
            .call("GET", &format!("/instances/{instance}"), None)
            .await;
        assert_eq!(answer.status, 200, "{answer:?}");
        if answer.body["status"] == "RUNNING" {
            return answer.body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still {}",
            answer.body["status"]
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn job_status(caller: &Caller, job_id: &str) -> Value {
    let answer = caller
        .call(
            "GET",
            &format!("/instances/{INSTANCE}/tasks/{job_id}"),
            None,
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["task_count"], "1");
    answer.body["tasks"][0]["status"].clone()
}

/// Enables Smart Connect with the generated client; returns the job id.
async fn enable(dms: &LocalDms) -> String {
    let reply = client(dms)
        .create_connector()
        .instance_id(INSTANCE)
        .body(CreateConnectorReq {
            node_cnt: Some(NodeCount::new(2).unwrap()),
            ..Default::default()
        })
        .send()
        .await
        .expect("enable is accepted")
        .into_inner();
    assert!(
        reply
            .connector_id
            .as_deref()
            .is_some_and(|id| id.len() == 36)
    );
    reply.job_id.expect("a job id")
}

/// The three example requests of the CreateConnectorTask page.
fn example_tasks() -> [Value; 3] {
    [
        json!({
            "task_name": "smart-connect-1", "start_later": false, "source_type": "NONE",
            "topics_regex": "topic-obs*", "sink_type": "OBS_SINK",
            "sink_task": {
                "consumer_strategy": "earliest", "destination_file_type": "TEXT",
                "deliver_time_interval": 300, "access_key": "AK-SECRET-1",
                "secret_key": "SK-SECRET-1", "obs_bucket_name": "obs_bucket",
                "obs_path": "obsTransfer-1810125534", "partition_format": "yyyy/MM/dd/HH/mm",
                "record_delimiter": "\\n", "store_keys": false
            }
        }),
        json!({
            "task_name": "smart-connect-2", "start_later": true,
            "source_type": "KAFKA_REPLICATOR_SOURCE",
            "source_task": {
                "current_cluster_name": "A", "cluster_name": "B", "user_name": "user1",
                "password": "KAFKA-SECRET-2", "sasl_mechanism": "SCRAM-SHA-512",
                "instance_id": "b54c9dd8-0000-0000-0000", "direction": "two-way",
                "sync_consumer_offsets_enabled": false, "replication_factor": 3, "task_num": 2,
                "rename_topic_enabled": false, "provenance_header_enabled": true,
                "consumer_strategy": "latest", "compression_type": "snappy",
                "topics_mapping": "topic-sc-1:topic-sc-3,topic-sc-2:topic-sc-4"
            }
        }),
        json!({
            "task_name": "smart-connect-3", "start_later": false,
            "source_type": "REDIS_REPLICATOR_SOURCE",
            "source_task": {
                "redis_address": "192.168.99.249:6379,192.168.120.127:6379",
                "redis_type": "cluster", "redis_password": "REDIS-SECRET-3",
                "sync_mode": "RDB_ONLY", "full_sync_max_retry": 10,
                "full_sync_wait_ms": 10000, "ratelimit": 10
            },
            "topics": "topic-sc-3", "sink_type": "REDIS_REPLICATOR_SINK",
            "sink_task": {
                "redis_address": "192.168.119.51:6379", "redis_type": "standalone",
                "redis_password": "REDIS-SECRET-4"
            }
        }),
    ]
}

#[tokio::test]
async fn the_whole_workflow_moves_through_the_documented_states() {
    let dms = start_signed().await;
    let caller = Caller::new(&dms);
    let instance_path = format!("/instances/{INSTANCE}");

    let before = caller.call("GET", &instance_path, None).await;
    assert_eq!(before.status, 200);
    assert_eq!(before.body["status"], "RUNNING");
    assert_eq!(before.body["instance_id"], INSTANCE);
    assert_eq!(before.body["connector_enable"], false);
    assert!(before.headers.contains_key("x-request-id"));

    // Enable: EXTENDING with an EXECUTING job, and a second change is refused.
    let job = enable(&dms).await;
    let busy = caller.call("GET", &instance_path, None).await;
    assert_eq!(busy.body["status"], "EXTENDING");
    assert_eq!(job_status(&caller, &job).await, "EXECUTING");
    let again = caller
        .call(
            "POST",
            &format!("{instance_path}/connector"),
            Some(&json!({})),
        )
        .await;
    assert_eq!(again.status, 400);
    assert_eq!(again.body, error_body("DMS.00400026", BUSY_BODY));

    // Then RUNNING with the connector, the job SUCCESS.
    let running = wait_running(&caller, INSTANCE).await;
    assert_eq!(running["connector_enable"], true);
    assert_eq!(running["connector_node_num"], 2);
    assert_eq!(job_status(&caller, &job).await, "SUCCESS");
    let jobs = caller
        .call("GET", &format!("{instance_path}/tasks"), None)
        .await;
    assert_eq!(jobs.body["task_count"], "1");
    let listed = &jobs.body["tasks"][0];
    assert_eq!(listed["id"], job.as_str());
    assert_eq!(listed["name"], "createConnector");
    assert_eq!(
        serde_json::from_str::<Value>(listed["params"].as_str().unwrap()).unwrap()["node_cnt"],
        2
    );
    for field in ["user_name", "user_id", "created_at", "updated_at"] {
        assert!(listed[field].is_string(), "{field}: {listed}");
    }

    // Smart Connect tasks: the page's three examples.
    let tasks_path = format!("{instance_path}/connector/tasks");
    let mut ids = Vec::new();
    for (n, task) in example_tasks().iter().enumerate() {
        let created = caller.call("POST", &tasks_path, Some(task)).await;
        assert_eq!(created.status, 200, "{created:?}");
        assert_eq!(
            created.body["task_name"],
            format!("smart-connect-{}", n + 1)
        );
        assert!(created.body["create_time"].is_i64());
        ids.push(created.body["id"].as_str().unwrap().to_owned());
    }
    let statuses = |list: &Answer| -> Vec<Value> {
        let tasks = list.body["tasks"].as_array().unwrap();
        tasks.iter().map(|t| t["status"].clone()).collect()
    };
    let list = caller.call("GET", &tasks_path, None).await;
    assert_eq!(list.body["total_number"], 3);
    assert_eq!(list.body["max_tasks"], 18);
    assert_eq!(list.body["quota_tasks"], 18);
    assert_eq!(statuses(&list), ["CREATING", "WAITING", "CREATING"]);
    // After `busy_for`, a task created to start is RUNNING.
    tokio::time::sleep(BUSY * 2).await;
    let list = caller.call("GET", &tasks_path, None).await;
    assert_eq!(statuses(&list), ["RUNNING", "WAITING", "RUNNING"]);
    let obs = &list.body["tasks"][0];
    assert_eq!(obs["source_task"], Value::Null);
    assert_eq!(obs["topics_regex"], "topic-obs*");
    let page = caller
        .call("GET", &format!("{tasks_path}?offset=1&limit=1"), None)
        .await;
    assert_eq!(page.body["tasks"][0]["id"], ids[1].as_str());
    assert_eq!(page.body["tasks"].as_array().unwrap().len(), 1);

    let task = format!("{tasks_path}/{}", ids[0]);
    let pause = caller.call("PUT", &format!("{task}/pause"), None).await;
    assert_eq!((pause.status, &pause.body), (204, &Value::Null));
    assert_eq!(
        caller.call("GET", &task, None).await.body["status"],
        "PAUSED"
    );
    let pause_again = caller.call("PUT", &format!("{task}/pause"), None).await;
    assert_eq!(pause_again.status, 400);
    let resume = caller.call("PUT", &format!("{task}/resume"), None).await;
    assert_eq!(resume.status, 204);
    assert_eq!(
        caller.call("GET", &task, None).await.body["status"],
        "RUNNING"
    );
    let restart_path = format!("/instances/{INSTANCE}/connector/tasks/{}/restart", ids[1]);
    let restart = caller
        .call("PUT", &format!("/kafka{restart_path}"), None)
        .await;
    assert_eq!(restart.status, 204);
    let waiting_one = caller
        .call("GET", &format!("{tasks_path}/{}", ids[1]), None)
        .await;
    assert_eq!(waiting_one.body["status"], "CREATING");
    let delete = caller.call("DELETE", &task, None).await;
    assert_eq!(delete.status, 204);
    let gone = caller.call("GET", &task, None).await;
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.body,
        error_body("DMS.00404001", "The requested URL does not exist.")
    );

    // Disable: CONNECTOR_DELETING, then RUNNING without the connector or its tasks.
    let disable = caller
        .call(
            "POST",
            &format!("/kafka/instances/{INSTANCE}/delete-connector"),
            None,
        )
        .await;
    assert_eq!(disable.status, 200, "{disable:?}");
    let disable_job = disable.body["job_id"].as_str().unwrap().to_owned();
    assert_eq!(
        caller.call("GET", &instance_path, None).await.body["status"],
        "CONNECTOR_DELETING"
    );
    let refused = caller
        .call("POST", &tasks_path, Some(&example_tasks()[0]))
        .await;
    assert_eq!(refused.body, error_body("DMS.00400026", BUSY_BODY));
    let after = wait_running(&caller, INSTANCE).await;
    assert_eq!(after["connector_enable"], false);
    assert_eq!(job_status(&caller, &disable_job).await, "SUCCESS");
    let empty = caller.call("GET", &tasks_path, None).await;
    assert_eq!(empty.body["total_number"], 0);
    let jobs = caller
        .call("GET", &format!("{instance_path}/tasks"), None)
        .await;
    assert_eq!(jobs.body["task_count"], "2");
    assert_eq!(
        jobs.body["tasks"][0]["id"],
        disable_job.as_str(),
        "newest first"
    );
}

#[tokio::test]
async fn a_job_told_to_fail_ends_failed_and_leaves_the_instance_as_it_was() {
    let dms = start_signed().await;
    let caller = Caller::new(&dms);
    dms.fail_next_job();
    let job = enable(&dms).await;
    assert_eq!(dms.instance_status(INSTANCE).as_deref(), Some("EXTENDING"));
    let instance = wait_running(&caller, INSTANCE).await;
    assert_eq!(instance["connector_enable"], false);
    assert_eq!(job_status(&caller, &job).await, "FAILED");
    // Only the next job fails.
    let second = enable(&dms).await;
    wait_running(&caller, INSTANCE).await;
    assert_eq!(job_status(&caller, &second).await, "SUCCESS");
}

#[tokio::test]
async fn a_deleted_background_task_shows_deleted_and_leaves_the_list() {
    let dms = start_signed().await;
    let caller = Caller::new(&dms);
    let job = enable(&dms).await;
    let path = format!("/instances/{INSTANCE}/tasks/{job}");
    assert_eq!(caller.call("DELETE", &path, None).await.status, 204);
    assert_eq!(job_status(&caller, &job).await, "DELETED");
    let list = caller
        .call("GET", &format!("/instances/{INSTANCE}/tasks"), None)
        .await;
    assert_eq!(list.body, json!({ "task_count": "0", "tasks": [] }));
    assert_eq!(caller.call("DELETE", &path, None).await.status, 404);
    // The change itself still completes.
    let instance = wait_running(&caller, INSTANCE).await;
    assert_eq!(instance["connector_enable"], true);
    assert_eq!(job_status(&caller, &job).await, "DELETED");
}

#[tokio::test]
async fn an_instance_in_another_status_refuses_changes_and_serves_reads() {
    let dms = start_signed().await;
    let caller = Caller::new(&dms);
    assert!(dms.set_instance_status(INSTANCE, "ERROR"));
    let refused = client(&dms)
        .create_connector()
        .instance_id(INSTANCE)
        .body(CreateConnectorReq::default())
        .send()
        .await
        .expect_err("refused");
    let service = refused.service_error().expect("a service error");
    assert_eq!(service.status.as_u16(), 400);
    assert_eq!(service.error_code.as_deref(), Some("DMS.00400026"));
    assert_eq!(service.error_msg.as_deref(), Some(BUSY_BODY));
    assert!(service.request_id.is_some());
    let shown = caller
        .call("GET", &format!("/instances/{INSTANCE}"), None)
        .await;
    assert_eq!(shown.body["status"], "ERROR");
    assert!(!dms.set_instance_status("no-such-instance", "RUNNING"));
}

#[tokio::test]
async fn unknown_ids_and_paths_get_the_services_error_bodies() {
    let dms = start_signed().await;
    let caller = Caller::new(&dms);
    // No page documents a PATCH, so every path answers it 405.
    assert!(Operation::ALL.iter().all(|op| op.method() != "PATCH"));
    let cases = [
        (
            "GET",
            "/instances/no-such-instance".to_owned(),
            404,
            "DMS.00404022",
            "This instance does not exist.",
        ),
        (
            "POST",
            "/kafka/instances/no-such-instance/delete-connector".to_owned(),
            404,
            "DMS.00404022",
            "This instance does not exist.",
        ),
        (
            "GET",
            format!("/instances/{INSTANCE}/tasks/no-such-job"),
            404,
            "DMS.00404001",
            "The requested URL does not exist.",
        ),
        (
            "GET",
            format!("/instances/{INSTANCE}/connector/tasks/no-such-task"),
            404,
            "DMS.00404001",
            "The requested URL does not exist.",
        ),
        (
            "PUT",
            format!("/instances/{INSTANCE}/connector/tasks/no-such-task/pause"),
            404,
            "DMS.00404001",
            "The requested URL does not exist.",
        ),
        (
            "GET",
            format!("/instances/{INSTANCE}/nothing-here"),
            404,
            "DMS.00404001",
            "The requested URL does not exist.",
        ),
        (
            "PATCH",
            format!("/instances/{INSTANCE}"),
            405,
            "DMS.00405001",
            "This request method is not allowed.",
        ),
    ];
    for (method, path, status, code, message) in cases {
        let answer = caller.call(method, &path, None).await;
        assert_eq!(answer.status, status, "{method} {path}");
        assert_eq!(answer.body, error_body(code, message), "{method} {path}");
    }
}

#[tokio::test]
async fn bad_bodies_get_400s_and_change_nothing() {
    let dms = start_signed().await;
    let caller = Caller::new(&dms);
    let connector = format!("/v2/{PROJECT}/instances/{INSTANCE}/connector");
    let cases: [(&[u8], &str); 7] = [
        (b"{\"node_cnt\":", "DMS.00400005"),
        (b"[2]", "DMS.00400005"),
        (b"", "DMS.00400004"),
        (b"{\"node_cnt\":\"1\"}", "DMS.00400062"),
        (b"{\"node_cnt\":1}", "DMS.00400062"),
        (b"{\"node_cnt\":\"two\"}", "DMS.00400062"),
        (b"{\"spec_code\":7}", "DMS.00400062"),
    ];
    for (body, code) in cases {
        let answer = caller
            .call_raw("POST", &connector, Some(body.to_vec()), &[])
            .await;
        assert_eq!(answer.status, 400, "{}", String::from_utf8_lossy(body));
        assert_eq!(answer.body["error_code"], code);
    }
    assert_eq!(dms.instance_status(INSTANCE).as_deref(), Some("RUNNING"));

    // A task for a connector that is not enabled, or with a missing mandatory field.
    let tasks = format!("/instances/{INSTANCE}/connector/tasks");
    let not_enabled = caller.call("POST", &tasks, Some(&example_tasks()[2])).await;
    assert_eq!(not_enabled.body["error_code"], "DMS.00400062");
    enable(&dms).await;
    wait_running(&caller, INSTANCE).await;
    let mut no_bucket = example_tasks()[0].clone();
    no_bucket["sink_task"]
        .as_object_mut()
        .unwrap()
        .remove("obs_bucket_name");
    for bad in [
        no_bucket,
        json!({ "source_type": "NONE", "sink_type": "NONE" }),
        json!({ "source_type": "SOMETHING_ELSE" }),
        json!({ "task_name": 5, "sink_type": "OBS_SINK" }),
    ] {
        let answer = caller.call("POST", &tasks, Some(&bad)).await;
        assert_eq!(answer.status, 400, "{bad}");
        assert_eq!(answer.body["error_code"], "DMS.00400062", "{bad}");
    }
    let list_bad = caller.call("GET", &format!("{tasks}?limit=51"), None).await;
    assert_eq!(list_bad.status, 400);
}

#[tokio::test]
async fn task_secrets_are_accepted_but_never_shown() {
    let dms = start_signed().await;
    let caller = Caller::new(&dms);
    enable(&dms).await;
    wait_running(&caller, INSTANCE).await;
    let tasks = format!("/instances/{INSTANCE}/connector/tasks");
    let mut shown = Vec::new();
    for task in example_tasks() {
        let created = caller.call("POST", &tasks, Some(&task)).await;
        shown.push(created.body.to_string());
        let id = created.body["id"].as_str().unwrap().to_owned();
        shown.push(
            caller
                .call("GET", &format!("{tasks}/{id}"), None)
                .await
                .body
                .to_string(),
        );
    }
    shown.push(caller.call("GET", &tasks, None).await.body.to_string());
    for text in &shown {
        for secret in ["SECRET", "access_key", "secret_key", "password"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    assert!(
        shown[0].contains("obs_bucket"),
        "other fields stay: {}",
        shown[0]
    );
}

#[tokio::test]
async fn bad_signatures_are_refused_with_the_gateways_401() {
    let dms = start_signed().await;
    let path = format!("/instances/{INSTANCE}");
    let prefix = "Incorrect IAM authentication information: ";
    let wrong_sk = Caller::new(&dms).sk(Some("not-the-secret-key"));
    let unsigned = Caller::new(&dms).sk(None);
    for (caller, why) in [
        (
            &wrong_sk,
            "verify aksk signature fail, the signature does not match",
        ),
        (&unsigned, "no Authorization or X-Auth-Token header"),
    ] {
        let answer = caller.call("GET", &path, None).await;
        assert_eq!(answer.status, 401);
        assert_eq!(answer.body["error_code"], "APIGW.0301");
        assert_eq!(answer.body["error_msg"], format!("{prefix}{why}"));
        assert_eq!(
            answer.body["request_id"].as_str(),
            answer.headers["x-request-id"].to_str().ok()
        );
    }
    // A refused enable changes nothing.
    let refused = wrong_sk
        .call("POST", &format!("{path}/connector"), Some(&json!({})))
        .await;
    assert_eq!(refused.status, 401);
    assert_eq!(dms.instance_status(INSTANCE).as_deref(), Some("RUNNING"));

    // Signed correctly, but at a time too far from the server's.
    let ok = Caller::new(&dms);
    let stale = ok
        .call_raw(
            "GET",
            &format!("/v2/{PROJECT}{path}"),
            None,
            &[("X-Sdk-Date", "20200101T000000Z")],
        )
        .await;
    assert_eq!(stale.status, 401);
    assert!(
        stale.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("more than 15 minutes"),
        "{stale:?}"
    );
    let good = ok.call("GET", &path, None).await;
    assert_eq!(good.status, 200);
    let other_ak = Caller {
        ak: "SOMEONE-ELSE".into(),
        ..Caller::new(&dms)
    };
    let unknown = other_ak.call("GET", &path, None).await;
    assert_eq!(unknown.status, 401);
    assert!(
        unknown.body["error_msg"]
            .as_str()
            .unwrap()
            .contains("ak not exist")
    );
}

#[tokio::test]
async fn the_project_in_the_path_and_header_must_be_the_services() {
    let dms = start_signed().await;
    let path = format!("/instances/{INSTANCE}");
    let mismatch = error_body("DMS.10240104", "The project ID and token do not match.");

    let other_header = Caller::new(&dms).project_header(Some("proj-other"));
    let answer = other_header.call("GET", &path, None).await;
    assert_eq!((answer.status, &answer.body), (401, &mismatch));

    let no_header = Caller::new(&dms).project_header(None);
    let answer = no_header.call("GET", &path, None).await;
    assert_eq!((answer.status, &answer.body), (401, &mismatch));

    // Signed correctly, header and path agree, but the project is not this service's.
    let other_project = Caller::new(&dms).project_header(Some("proj-other"));
    let answer = other_project
        .call_raw("GET", &format!("/v2/proj-other{path}"), None, &[])
        .await;
    assert_eq!((answer.status, &answer.body), (401, &mismatch));

    // The X-Project-Id the generated client sends is the right one.
    client(&dms)
        .create_connector()
        .instance_id(INSTANCE)
        .body(CreateConnectorReq::default())
        .send()
        .await
        .expect("the generated client's requests pass every check");
    let seen = dms.requests();
    let last = seen.last().unwrap();
    assert_eq!(last.header("x-project-id"), Some(PROJECT));
    assert_eq!(last.operation, Some(Operation::CreateConnector));
}

#[tokio::test]
async fn tokens_are_checked_when_configured_and_anything_goes_by_default() {
    let dms = LocalDms::builder().token("token-ok").start().await.unwrap();
    let instance = dms.instance_ids()[0].clone();
    let url = format!(
        "{}/v2/{}/instances/{instance}",
        dms.base_url(),
        dms.project_id()
    );
    let http = generated_client::http_client_builder()
        .unwrap()
        .build()
        .unwrap();
    let with = |token: &'static str| http.get(&url).header("X-Auth-Token", token).send();
    assert_eq!(with("token-ok").await.unwrap().status(), 200);
    let wrong = with("token-bad").await.unwrap();
    assert_eq!(wrong.status(), 401);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(
        body["error_msg"],
        "Incorrect IAM authentication information: decrypt token fail"
    );

    // Default: no authentication needed (Client::connect sends none).
    let open = LocalDms::builder().start().await.unwrap();
    let instance = open.instance_ids()[0].clone();
    let reply = Client::connect(&open.base_url())
        .unwrap()
        .create_connector()
        .project_id(open.project_id())
        .instance_id(instance.as_str())
        .body(CreateConnectorReq::default())
        .send()
        .await
        .expect("accepted without credentials");
    assert!(reply.job_id.is_some());
    assert_eq!(open.instance_ids().len(), 1);
    assert_eq!(instance.len(), 36);
}

#[tokio::test]
async fn too_many_requests_carries_retry_after_and_has_no_effect() {
    let dms = start_signed().await;
    let caller = Caller::new(&dms);
    dms.inject_on(
        Operation::CreateConnector,
        Fault::TooManyRequests {
            retry_after: Some(2),
        },
        2,
    );
    let connector = format!("/instances/{INSTANCE}/connector");
    // Other operations pass.
    let read = caller
        .call("GET", &format!("/instances/{INSTANCE}"), None)
        .await;
    assert_eq!(read.status, 200);
    for _ in 0..2 {
        let answer = caller.call("POST", &connector, Some(&json!({}))).await;
        assert_eq!(answer.status, 429);
        assert_eq!(answer.headers["retry-after"], "2");
        assert_eq!(answer.body["error_code"], "APIGW.0308");
        assert_eq!(dms.instance_status(INSTANCE).as_deref(), Some("RUNNING"));
    }
    let third = caller.call("POST", &connector, Some(&json!({}))).await;
    assert_eq!(third.status, 200);
    assert_eq!(dms.seen(Operation::CreateConnector), 3);
    assert_eq!(
        dms.requests_seen("POST", &format!("/v2/{PROJECT}{connector}")),
        3
    );
    assert_eq!(dms.seen(Operation::ShowInstance), 1);
}

#[tokio::test]
async fn server_errors_hit_the_next_requests_whatever_they_are() {
    let dms = start_signed().await;
    let caller = Caller::new(&dms);
    dms.inject(Fault::ServerError, 2);
    dms.inject(Fault::TooManyRequests { retry_after: None }, 1);
    let path = format!("/instances/{INSTANCE}");
    let first = caller.call("GET", &path, None).await;
    assert_eq!(
        (first.status, first.body),
        (500, error_body("DMS.00500000", "Internal service error."))
    );
    let second = caller
        .call("POST", &format!("{path}/connector"), Some(&json!({})))
        .await;
    assert_eq!(second.status, 500);
    assert_eq!(dms.instance_status(INSTANCE).as_deref(), Some("RUNNING"));
    let third = caller.call("GET", &path, None).await;
    assert_eq!(third.status, 429);
    assert!(!third.headers.contains_key("retry-after"));
    assert_eq!(caller.call("GET", &path, None).await.status, 200);
    dms.inject(Fault::ServerError, 5);
    dms.clear_faults();
    assert_eq!(caller.call("GET", &path, None).await.status, 200);
}

#[tokio::test]
async fn a_stalled_reply_times_out_after_the_request_took_effect() {
    let dms = start_signed().await;
    dms.inject_on(
        Operation::CreateConnector,
        Fault::Stall(Duration::from_secs(5)),
        1,
    );
    let impatient = ClientConfig::new()
        .credentials(Credentials::ak_sk(AK, SK))
        .project_id(PROJECT)
        .endpoint(dms.base_url())
        .request_timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let result = impatient
        .create_connector()
        .instance_id(INSTANCE)
        .body(CreateConnectorReq::default())
        .send()
        .await;
    let error = result.expect_err("timed out");
    assert!(
        matches!(&error, generated_client::Error::Transport(e) if e.kind() == TransportErrorKind::Timeout),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(dms.seen(Operation::CreateConnector), 1);
    assert_eq!(dms.instance_status(INSTANCE).as_deref(), Some("EXTENDING"));
}

#[tokio::test]
async fn a_dropped_connection_gives_no_reply_after_the_request_took_effect() {
    let dms = start_signed().await;
    // A 429 first, so the dropped request travels on a kept-alive connection: the HTTP
    // stack must not resend it on its own either.
    dms.inject_on(
        Operation::CreateConnector,
        Fault::TooManyRequests { retry_after: None },
        1,
    );
    dms.inject_on(Operation::CreateConnector, Fault::DropConnection, 1);
    // The stand-in's faults as they are, without the client's retries.
    let client = ClientConfig::new()
        .credentials(Credentials::ak_sk(AK, SK))
        .project_id(PROJECT)
        .endpoint(dms.base_url())
        .retry(generated_client::RetryPolicy::never())
        .build()
        .unwrap();
    let send = || {
        client
            .create_connector()
            .instance_id(INSTANCE)
            .body(CreateConnectorReq::default())
            .send()
    };
    let throttled = send().await.expect_err("429");
    assert_eq!(throttled.status().map(|s| s.as_u16()), Some(429));
    let error = send().await.expect_err("no reply");
    assert!(
        matches!(&error, generated_client::Error::Transport(e) if e.kind() == TransportErrorKind::Closed),
        "{error:?}"
    );
    assert_eq!(dms.seen(Operation::CreateConnector), 2);
    assert_eq!(dms.instance_status(INSTANCE).as_deref(), Some("EXTENDING"));
    // The connection is gone, the server is not.
    let answer = Caller::new(&dms)
        .call("GET", &format!("/instances/{INSTANCE}"), None)
        .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn the_request_log_keeps_no_secret() {
    let dms = LocalDms::builder()
        .project_id(PROJECT)
        .credentials(AK, SK)
        .token("a-secret-token")
        .instance(INSTANCE)
        .start()
        .await
        .unwrap();
    let builder_debug = format!(
        "{:?}",
        LocalDms::builder()
            .credentials(AK, SK)
            .token("a-secret-token")
    );
    assert!(!builder_debug.contains(SK) && !builder_debug.contains("a-secret-token"));
    Caller::new(&dms)
        .call("GET", &format!("/instances/{INSTANCE}"), None)
        .await;
    generated_client::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .get(format!(
            "{}/v2/{PROJECT}/instances/{INSTANCE}",
            dms.base_url()
        ))
        .header("X-Auth-Token", "a-secret-token")
        .header("X-Security-Token", "a-security-token")
        .send()
        .await
        .unwrap();
    let log = format!("{:?} {:?}", dms.requests(), dms);
    for secret in [SK, "a-secret-token", "a-security-token", "Signature="] {
        assert!(!log.contains(secret), "{secret} in {log}");
    }
    assert_eq!(dms.requests()[0].header("authorization"), Some("***"));
}

#[tokio::test]
async fn many_concurrent_calls_are_all_answered() {
    let dms = start_signed().await;
    let caller = std::sync::Arc::new(Caller::new(&dms));
    let calls = (0..200).map(|_| {
        let caller = std::sync::Arc::clone(&caller);
        tokio::spawn(async move {
            caller
                .call("GET", &format!("/instances/{INSTANCE}"), None)
                .await
                .status
        })
    });
    for call in calls.collect::<Vec<_>>() {
        assert_eq!(call.await.unwrap(), 200);
    }
    assert_eq!(dms.seen(Operation::ShowInstance), 200);
}

#[tokio::test]
async fn dropping_it_closes_the_port() {
    let dms = LocalDms::builder().start().await.unwrap();
    let addr = dms.addr();
    assert!(addr.ip().is_loopback());
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
    drop(dms);
    // The abort takes effect at the accept loop's next poll.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "still listening");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
