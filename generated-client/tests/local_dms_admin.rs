//! The local DMS's admin API (`/_local/...`) over real HTTP on 127.0.0.1: manual timing,
//! fault injection, the request record, reset, and that it is the same state as the
//! `LocalDms` methods. Service calls here go unsigned to a stand-in that accepts any
//! authentication (signatures are the business of `local_dms.rs` and the official SDK check).

use std::time::{Duration, Instant};

use generated_client::local_dms::{
    ControlError, Fault, JobOutcome, LocalDms, Operation, PendingJob, Timing,
};
use serde_json::{Value, json};

const PROJECT: &str = "proj-admin-1";
const INSTANCE: &str = "inst-admin-1";

async fn start(busy_for: Duration) -> LocalDms {
    LocalDms::builder()
        .project_id(PROJECT)
        .instance(INSTANCE)
        .busy_for(busy_for)
        .start()
        .await
        .expect("the local DMS starts")
}

/// A reply: status, `Retry-After`, the body as JSON (`Null` when empty).
#[derive(Debug)]
struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: Value,
}

struct Http {
    client: reqwest::Client,
    base_url: String,
}

impl Http {
    fn new(dms: &LocalDms) -> Self {
        Http {
            client: generated_client::http_client_builder()
                .unwrap()
                .no_proxy()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
            base_url: dms.base_url(),
        }
    }

    async fn try_send(
        &self,
        method: &str,
        path: &str,
        body: Option<&[u8]>,
    ) -> reqwest::Result<Answer> {
        let mut request = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.base_url));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_vec());
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = response.bytes().await?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
        };
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let body = body.map(|b| b.to_string().into_bytes());
        self.try_send(method, path, body.as_deref())
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// An admin call below `/_local`.
    async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.send(method, &format!("/_local{path}"), body).await
    }

    /// A service call below `/v2/{PROJECT}/instances/{INSTANCE}`.
    async fn service(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.send(
            method,
            &format!("/v2/{PROJECT}/instances/{INSTANCE}{path}"),
            body,
        )
        .await
    }

    async fn enable(&self) -> Answer {
        self.service("POST", "/connector", Some(json!({ "node_cnt": 2 })))
            .await
    }

    async fn disable(&self) -> Answer {
        let path = format!("/v2/{PROJECT}/kafka/instances/{INSTANCE}/delete-connector");
        self.send("POST", &path, None).await
    }

    async fn instance(&self) -> Value {
        let answer = self.service("GET", "", None).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        answer.body
    }

    async fn job_status(&self, job_id: &str) -> String {
        let answer = self.service("GET", &format!("/tasks/{job_id}"), None).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        answer.body["tasks"][0]["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

fn job_id(answer: &Answer) -> String {
    assert_eq!(answer.status, 200, "{answer:?}");
    answer.body["job_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn manual_timing_holds_a_job_until_it_is_told_to_finish() {
    let dms = start(Duration::from_millis(30)).await;
    let http = Http::new(&dms);
    let timing = http.admin("GET", "/timing", None).await;
    assert_eq!(timing.body, json!({ "mode": "auto", "busy_for_ms": 30 }));
    let set = http
        .admin("PUT", "/timing", Some(json!({ "mode": "manual" })))
        .await;
    assert_eq!((set.status, &set.body), (200, &json!({ "mode": "manual" })));
    assert_eq!(
        dms.timing(),
        Timing::Manual,
        "the library sees the same timing"
    );

    let job = job_id(&http.enable().await);
    // Far longer than busy_for: still busy.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(http.instance().await["status"], "EXTENDING");
    assert_eq!(http.job_status(&job).await, "EXECUTING");
    let jobs = http.admin("GET", "/jobs", None).await.body;
    assert_eq!(
        jobs,
        json!({ "jobs": [{ "job_id": job, "instance_id": INSTANCE, "name": "createConnector",
                           "status": "EXECUTING", "ends_in_ms": null, "fails": false }] })
    );

    // Told to fail: FAILED, the instance RUNNING without Smart Connect.
    let finish = http
        .admin(
            "POST",
            &format!("/jobs/{job}/finish"),
            Some(json!({ "outcome": "FAILED" })),
        )
        .await;
    assert_eq!((finish.status, &finish.body), (204, &Value::Null));
    assert_eq!(http.job_status(&job).await, "FAILED");
    let instance = http.instance().await;
    assert_eq!(
        (&instance["status"], &instance["connector_enable"]),
        (&json!("RUNNING"), &json!(false))
    );
    let again = http
        .admin("POST", &format!("/jobs/{job}/finish"), None)
        .await;
    assert_eq!(again.status, 404, "{again:?}");
    assert!(
        again.body["error"]
            .as_str()
            .unwrap()
            .contains("not EXECUTING"),
        "{again:?}"
    );
    let unknown = http.admin("POST", "/jobs/no-such-job/finish", None).await;
    assert_eq!(unknown.status, 404, "{unknown:?}");

    // Told to succeed (the default outcome), through the library this time.
    let job = job_id(&http.enable().await);
    assert_eq!(
        dms.pending_jobs(),
        [PendingJob {
            job_id: job.clone(),
            instance_id: INSTANCE.into(),
            name: "createConnector".into(),
            ends_in: None,
            fails: false,
        }]
    );
    assert_eq!(
        dms.finish_job("no-such-job", JobOutcome::Success),
        Err(ControlError::UnknownJob("no-such-job".into()))
    );
    let bad = http
        .admin(
            "POST",
            &format!("/jobs/{job}/finish"),
            Some(json!({ "outcome": "success" })),
        )
        .await;
    assert_eq!(bad.status, 400, "{bad:?}");
    assert_eq!(
        http.job_status(&job).await,
        "EXECUTING",
        "a refused finish changes nothing"
    );
    assert_eq!(
        http.admin("POST", &format!("/jobs/{job}/finish"), None)
            .await
            .status,
        204
    );
    assert_eq!(http.job_status(&job).await, "SUCCESS");
    assert_eq!(http.instance().await["connector_enable"], true);

    // Back to automatic: a job waiting by hand gets a deadline from now, and ends.
    let job = job_id(&http.disable().await);
    assert_eq!(http.job_status(&job).await, "EXECUTING");
    let auto = http
        .admin(
            "PUT",
            "/timing",
            Some(json!({ "mode": "auto", "busy_for_ms": 50 })),
        )
        .await;
    assert_eq!(auto.status, 200);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(http.job_status(&job).await, "SUCCESS");
    assert_eq!(
        http.admin("GET", "/jobs", None).await.body,
        json!({ "jobs": [] })
    );

    // Refused timings change nothing.
    for body in [
        json!({ "mode": "auto" }),
        json!({ "mode": "manual", "busy_for_ms": 5 }),
        json!({ "mode": "slow" }),
        json!({ "mode": "auto", "busy_for_ms": -1 }),
        json!({ "mode": "auto", "busy_for_ms": 1.5 }),
        json!({ "mode": "auto", "busy_for_ms": 5, "extra": 1 }),
        json!([]),
    ] {
        let answer = http.admin("PUT", "/timing", Some(body.clone())).await;
        assert_eq!(answer.status, 400, "{body}: {answer:?}");
    }
    assert_eq!(dms.timing(), Timing::Auto(Duration::from_millis(50)));
}

#[tokio::test]
async fn faults_injected_over_http_meet_the_next_calls() {
    let dms = start(Duration::from_millis(20)).await;
    let http = Http::new(&dms);
    let injected = http
        .admin(
            "POST",
            "/faults",
            Some(json!({ "fault": "too_many_requests", "retry_after": 3,
                         "operation": "CreateConnector", "times": 2 })),
        )
        .await;
    assert_eq!(injected.status, 204, "{injected:?}");
    let listed = http.admin("GET", "/faults", None).await.body;
    assert_eq!(
        listed,
        json!({ "faults": [{ "fault": "too_many_requests", "retry_after": 3,
                             "operation": "CreateConnector", "times": 2 }] })
    );
    // Other operations pass; admin calls never meet a fault.
    assert_eq!(http.instance().await["status"], "RUNNING");
    for _ in 0..2 {
        let throttled = http.enable().await;
        assert_eq!(throttled.status, 429, "{throttled:?}");
        assert_eq!(throttled.retry_after.as_deref(), Some("3"));
        assert_eq!(throttled.body["error_code"], "APIGW.0308");
    }
    assert_eq!(
        http.instance().await["status"],
        "RUNNING",
        "a 429 has no effect"
    );
    assert_eq!(
        http.admin("GET", "/faults", None).await.body,
        json!({ "faults": [] })
    );
    job_id(&http.enable().await);

    // Any operation: a 500, then a 429 without Retry-After.
    http.admin("POST", "/faults", Some(json!({ "fault": "server_error" })))
        .await;
    http.admin(
        "POST",
        "/faults",
        Some(json!({ "fault": "too_many_requests" })),
    )
    .await;
    let error = http.service("GET", "/connector/tasks", None).await;
    assert_eq!(
        (error.status, &error.body["error_code"]),
        (500, &json!("DMS.00500000"))
    );
    let throttled = http.service("GET", "", None).await;
    assert_eq!((throttled.status, throttled.retry_after), (429, None));

    // A stalled reply comes late; a dropped connection gets none.
    http.admin(
        "POST",
        "/faults",
        Some(json!({ "fault": "stall", "stall_ms": 400, "operation": "ShowInstance" })),
    )
    .await;
    let started = Instant::now();
    assert_eq!(http.instance().await["instance_id"], INSTANCE);
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    http.admin(
        "POST",
        "/faults",
        Some(json!({ "fault": "drop_connection", "operation": "ListBackgroundTasks" })),
    )
    .await;
    let dropped = http
        .try_send(
            "GET",
            &format!("/v2/{PROJECT}/instances/{INSTANCE}/tasks"),
            None,
        )
        .await;
    assert!(dropped.is_err(), "{dropped:?}");
    assert_eq!(http.service("GET", "/tasks", None).await.status, 200);

    // The library's faults and the admin API's are one queue; DELETE forgets them.
    dms.inject(Fault::ServerError, 5);
    let listed = http.admin("GET", "/faults", None).await.body;
    assert_eq!(
        listed,
        json!({ "faults": [{ "fault": "server_error", "operation": null, "times": 5 }] })
    );
    assert_eq!(http.admin("DELETE", "/faults", None).await.status, 204);
    assert_eq!(http.instance().await["status"], "RUNNING");

    // Refused: nothing is queued.
    for body in [
        json!({ "fault": "stall" }),
        json!({ "fault": "server_error", "retry_after": 1 }),
        json!({ "fault": "drop_connection", "times": 0 }),
        json!({ "fault": "server_error", "times": -2 }),
        json!({ "fault": "server_error", "operation": "CreateTopic" }),
        json!({ "fault": "server_error", "operation": 3 }),
        json!({ "fault": "teapot" }),
        json!({ "fault": "server_error", "time": 2 }),
        json!({}),
        json!("server_error"),
    ] {
        let answer = http.admin("POST", "/faults", Some(body.clone())).await;
        assert_eq!(answer.status, 400, "{body}: {answer:?}");
        assert!(answer.body["error"].is_string(), "{answer:?}");
    }
    let garbage = http
        .try_send("POST", "/_local/faults", Some(b"{\"fault\": \xff"))
        .await
        .unwrap();
    assert_eq!(garbage.status, 400);
    assert_eq!(
        http.admin("GET", "/faults", None).await.body,
        json!({ "faults": [] })
    );
}

#[tokio::test]
async fn the_request_record_tells_what_arrived_and_how_it_was_answered() {
    let dms = start(Duration::from_millis(20)).await;
    let http = Http::new(&dms);
    http.enable().await;
    http.send("GET", &format!("/v2/{PROJECT}/instances/other?x=1"), None)
        .await;
    http.send("GET", "/v3/nothing", None).await;
    dms.inject_on(Operation::ListConnectorTasks, Fault::DropConnection, 1);
    let _ = http
        .try_send(
            "GET",
            &format!("/v2/{PROJECT}/instances/{INSTANCE}/connector/tasks"),
            None,
        )
        .await;
    http.admin("GET", "/timing", None).await;

    let record = http.admin("GET", "/requests", None).await.body;
    let rows: Vec<Value> = record["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            json!([
                r["operation"],
                r["method"],
                r["path"],
                r["query"],
                r["status"],
                r["error_code"]
            ])
        })
        .collect();
    assert_eq!(
        rows,
        [
            json!([
                "CreateConnector",
                "POST",
                format!("/v2/{PROJECT}/instances/{INSTANCE}/connector"),
                null,
                200,
                null
            ]),
            json!([
                "ShowInstance",
                "GET",
                format!("/v2/{PROJECT}/instances/other"),
                "x=1",
                404,
                "DMS.00404022"
            ]),
            json!([null, "GET", "/v3/nothing", null, 404, "DMS.00404001"]),
            json!([
                "ListConnectorTasks",
                "GET",
                format!("/v2/{PROJECT}/instances/{INSTANCE}/connector/tasks"),
                null,
                null,
                null
            ]),
        ],
        "admin calls are not recorded; a dropped connection has no status"
    );
    let first = &record["requests"][0];
    assert!(
        first["headers"]
            .as_array()
            .unwrap()
            .contains(&json!(["content-type", "application/json"])),
        "{first}"
    );
    assert_eq!(first["request_id"].as_str().unwrap().len(), 32);

    // The same record through the library.
    let seen = dms.requests();
    assert_eq!(seen.len(), 4);
    assert_eq!(
        (seen[1].status, seen[1].error_code.as_deref()),
        (Some(404), Some("DMS.00404022"))
    );
    assert_eq!(seen[0].request_id, first["request_id"].as_str().unwrap());

    assert_eq!(http.admin("DELETE", "/requests", None).await.status, 204);
    assert_eq!(
        http.admin("GET", "/requests", None).await.body,
        json!({ "requests": [] })
    );
    assert!(dms.requests().is_empty());
}

#[tokio::test]
async fn reset_restores_the_start_state() {
    let dms = start(Duration::from_millis(20)).await;
    let http = Http::new(&dms);
    let job = job_id(&http.enable().await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(http.job_status(&job).await, "SUCCESS");
    let task = http
        .service(
            "POST",
            "/connector/tasks",
            Some(
                json!({ "task_name": "t", "sink_type": "OBS_SINK", "sink_task": {
                "obs_bucket_name": "b", "access_key": "ak", "secret_key": "sk" } }),
            ),
        )
        .await;
    assert_eq!(task.status, 200, "{task:?}");
    http.admin("PUT", "/timing", Some(json!({ "mode": "manual" })))
        .await;
    job_id(&http.disable().await);
    http.admin("POST", "/jobs/fail-next", None).await;
    http.admin(
        "POST",
        "/faults",
        Some(json!({ "fault": "server_error", "operation": "DeleteConnector", "times": 9 })),
    )
    .await;

    assert_eq!(http.admin("POST", "/reset", None).await.status, 204);
    assert_eq!(
        http.admin("GET", "/faults", None).await.body,
        json!({ "faults": [] })
    );
    assert_eq!(
        http.admin("GET", "/requests", None).await.body,
        json!({ "requests": [] })
    );
    assert_eq!(
        http.admin("GET", "/timing", None).await.body,
        json!({ "mode": "auto", "busy_for_ms": 20 }),
        "the builder's timing"
    );
    assert_eq!(
        http.admin("GET", "/instances", None).await.body,
        json!({ "instances": [{ "instance_id": INSTANCE, "status": "RUNNING", "connector_enable": false }] })
    );
    let instance = http.instance().await;
    assert_eq!(
        (&instance["status"], &instance["connector_node_num"]),
        (&json!("RUNNING"), &json!(0))
    );
    let jobs = http.service("GET", "/tasks", None).await.body;
    assert_eq!(jobs, json!({ "task_count": "0", "tasks": [] }));
    assert_eq!(
        http.service("GET", &format!("/tasks/{job}"), None)
            .await
            .status,
        404
    );
    let tasks = http.service("GET", "/connector/tasks", None).await.body;
    assert_eq!(tasks["total_number"], 0, "{tasks}");

    // No failing job is left ahead: the next enable succeeds, by itself.
    let job = job_id(&http.enable().await);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(http.job_status(&job).await, "SUCCESS");

    // The library's reset is the same.
    dms.set_timing(Timing::Manual);
    dms.inject(Fault::ServerError, 1);
    assert!(dms.set_instance_status(INSTANCE, "ERROR"));
    dms.reset();
    assert_eq!(dms.instance_status(INSTANCE).as_deref(), Some("RUNNING"));
    assert_eq!(dms.timing(), Timing::Auto(Duration::from_millis(20)));
    assert_eq!(
        http.instance().await["connector_enable"],
        false,
        "no fault left, Smart Connect off"
    );
}

#[tokio::test]
async fn admin_paths_need_no_signature_and_never_meet_the_services() {
    let dms = LocalDms::builder()
        .project_id(PROJECT)
        .credentials("an-ak", "an-sk")
        .instance(INSTANCE)
        .start()
        .await
        .unwrap();
    let http = Http::new(&dms);
    let info = http.admin("GET", "", None).await;
    assert_eq!(info.status, 200);
    assert_eq!(info.body["project_id"], PROJECT);
    assert_eq!(info.body["instance_ids"], json!([INSTANCE]));
    assert_eq!(http.send("GET", "/_local/", None).await.status, 200);
    let unsigned = http.service("GET", "", None).await;
    assert_eq!(
        (unsigned.status, &unsigned.body["error_code"]),
        (401, &json!("APIGW.0301"))
    );

    let status = http
        .admin(
            "PUT",
            &format!("/instances/{INSTANCE}/status"),
            Some(json!({ "status": "ERROR" })),
        )
        .await;
    assert_eq!(status.status, 204);
    assert_eq!(dms.instance_status(INSTANCE).as_deref(), Some("ERROR"));
    for (method, path, body, want) in [
        (
            "PUT",
            "/_local/instances/nope/status",
            Some(json!({ "status": "ERROR" })),
            404,
        ),
        (
            "PUT",
            "/_local/instances/inst-admin-1/status",
            Some(json!({ "status": "" })),
            400,
        ),
        (
            "PUT",
            "/_local/instances/inst-admin-1/status",
            Some(json!({ "state": "X" })),
            400,
        ),
        ("GET", "/_local/reset", None, 405),
        ("DELETE", "/_local/timing", None, 405),
        ("PATCH", "/_local/jobs/x/finish", None, 405),
        ("GET", "/_local/nothing", None, 404),
        ("GET", "/_local/jobs/%FF/finish", None, 404),
        ("POST", "/_local/reset/now", None, 404),
    ] {
        let answer = http.send(method, path, body).await;
        assert_eq!(answer.status, want, "{method} {path}: {answer:?}");
        assert!(
            answer.body["error"].is_string(),
            "{method} {path}: {answer:?}"
        );
    }
    // Not the admin prefix: the service answers (and checks the signature).
    for path in ["/_localx", "/_locals/reset", "/v2/_local/reset"] {
        let answer = http.send("POST", path, None).await;
        assert_eq!(answer.status, 401, "{path}: {answer:?}");
        assert_eq!(answer.body["error_code"], "APIGW.0301", "{path}");
    }
    assert_eq!(
        dms.requests().len(),
        4,
        "the three above and the unsigned ShowInstance"
    );
}
