//! The example program (`examples/enable_smart_connect.rs`), run in-process through its `run`
//! function with variables from a table (never the process environment) against servers on
//! 127.0.0.1: exit 2 for settings problems before any traffic, 1 for a failed call and for a
//! 200 without `job_id`, 0 with the ids printed. The names it read before `from_env` existed
//! (`DMS_REGION`, `DMS_ENDPOINT`, `DMS_AUTH_TOKEN`) still work.

mod support;

#[allow(dead_code)] // its `main` is not called here
#[path = "../examples/enable_smart_connect.rs"]
mod example;

use std::collections::BTreeMap;

use support::{Reply, TestServer};

/// Runs the example with `vars`; returns (exit code, stdout, stderr).
async fn run(vars: &[(&str, &str)]) -> (u8, String, String) {
    let vars: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = example::run(|name| vars.get(name).cloned(), &mut out, &mut err).await;
    (
        code,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

fn ak_sk_vars(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("HUAWEICLOUD_SDK_AK", "HPUAEXAMPLEAK0000001".to_owned()),
        ("HUAWEICLOUD_SDK_SK", "example-secret".to_owned()),
        ("HUAWEICLOUD_SDK_PROJECT_ID", "proj-1".to_owned()),
        ("DMS_ENDPOINT", endpoint.to_owned()),
        ("DMS_INSTANCE_ID", "inst-1".to_owned()),
    ]
}

fn as_refs<'a>(vars: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn success_prints_the_ids_and_exits_0() {
    let server = TestServer::start(Reply::json(
        200,
        r#"{"job_id":"job-1","connector_id":"conn-1"}"#,
    ));
    let vars = ak_sk_vars(&server.base_url());
    let (code, out, err) = run(&as_refs(&vars)).await;
    assert_eq!(
        (code, out.as_str()),
        (0, "job_id=job-1 connector_id=conn-1\n"),
        "{err}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_200_without_job_id_exits_1_naming_what_is_missing() {
    for body in [r#"{}"#, r#"{"connector_id":"conn-1"}"#, r#"{"job_id":""}"#] {
        let server = TestServer::start(Reply::json(200, body));
        let vars = ak_sk_vars(&server.base_url());
        let (code, out, err) = run(&as_refs(&vars)).await;
        assert_eq!(code, 1, "{body}: {out}{err}");
        assert_eq!(out, "", "{body}: nothing may look like success");
        assert!(err.contains("no job_id"), "{body}: {err}");
    }
}

#[tokio::test]
async fn an_oversized_job_id_is_not_printed_and_exits_1() {
    let huge = format!(r#"{{"job_id":"{}"}}"#, "j".repeat(2 * 1024 * 1024));
    let server = TestServer::start(Reply::json(200, &huge));
    let vars = ak_sk_vars(&server.base_url());
    let (code, out, err) = run(&as_refs(&vars)).await;
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert!(err.contains("larger than the limit"), "{err}");
    assert!(err.len() < 1000, "{err}");
}

#[tokio::test]
async fn a_failed_call_exits_1_with_the_details() {
    let server = TestServer::start(
        Reply::json(
            400,
            r#"{"error_code":"DMS.00400026","error_msg":"This operation is not allowed due to the instance status."}"#,
        )
        .header("X-Request-Id", "req-1"),
    );
    let vars = ak_sk_vars(&server.base_url());
    let (code, _, err) = run(&as_refs(&vars)).await;
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "failed: status=400 error_code=DMS.00400026 error_msg=This operation is not allowed due to the instance status. request_id=req-1\n\
         meaning: This operation is not allowed when the instance is in the current state.\n\
         what to do: Check the instance status.\n"
    );
}

#[tokio::test]
async fn a_transport_failure_exits_1_with_its_cause() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let vars = ak_sk_vars(&format!("http://127.0.0.1:{port}"));
    let (code, _, err) = run(&as_refs(&vars)).await;
    assert_eq!(code, 1);
    assert!(
        err.starts_with("failed: could not connect; nothing was sent: "),
        "{err}"
    );
    assert!(err.to_lowercase().contains("connection refused"), "{err}");
}

#[tokio::test]
async fn settings_problems_exit_2_before_any_traffic() {
    let server = TestServer::start(Reply::json(200, r#"{"job_id":"j"}"#));
    let url = server.base_url();
    let base = ak_sk_vars(&url);
    let with = |changes: &[(&'static str, &str)]| {
        let mut vars: Vec<(&'static str, String)> = base
            .iter()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .cloned()
            .collect();
        vars.extend(
            changes
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (*k, (*v).to_owned())),
        );
        vars
    };
    for (changes, needle) in [
        (vec![("HUAWEICLOUD_SDK_SK", "")], "no credentials"),
        (vec![("HUAWEICLOUD_SDK_PROJECT_ID", "")], "no project id"),
        (
            vec![("HUAWEICLOUD_SDK_PROJECT_ID", "..")],
            "invalid project id",
        ),
        (vec![("DMS_ENDPOINT", "")], "no endpoint"),
        (
            vec![("DMS_ENDPOINT", "http://dms.example.test")],
            "refusing plain http://",
        ),
        (
            vec![("DMS_ENDPOINT", ""), ("DMS_REGION", "mars-1")],
            "unknown region",
        ),
        (
            vec![
                ("DMS_ENDPOINT", ""),
                ("DMS_REGION", "eu-de"),
                ("HUAWEICLOUD_SDK_REGION_ID", "eu-nl"),
            ],
            "disagree",
        ),
        (vec![("DMS_INSTANCE_ID", "")], "DMS_INSTANCE_ID is not set"),
        (vec![("DMS_INSTANCE_ID", "..")], "DMS_INSTANCE_ID"),
        (vec![("DMS_NODE_CNT", "1")], "DMS_NODE_CNT"),
    ] {
        let vars = with(&changes);
        let (code, out, err) = run(&as_refs(&vars)).await;
        assert_eq!(code, 2, "{changes:?}: {out}{err}");
        assert!(err.contains(needle), "{changes:?}: {err}");
        assert!(!err.contains("example-secret"), "{err}");
    }
    assert!(server.requests().is_empty(), "{:#?}", server.requests());
}

#[tokio::test]
async fn the_names_it_always_read_still_work() {
    // DMS_AUTH_TOKEN instead of AK/SK, DMS_ENDPOINT for the base URL.
    let server = TestServer::start(Reply::json(200, r#"{"job_id":"j","connector_id":"c"}"#));
    let url = server.base_url();
    let (code, out, err) = run(&[
        ("DMS_AUTH_TOKEN", "iam-token-1"),
        ("HUAWEICLOUD_SDK_PROJECT_ID", "proj-1"),
        ("DMS_ENDPOINT", &url),
        ("DMS_INSTANCE_ID", "inst-1"),
        ("DMS_NODE_CNT", "3"),
    ])
    .await;
    assert_eq!(
        (code, out.as_str()),
        (0, "job_id=j connector_id=c\n"),
        "{err}"
    );
    let request = server.single_request();
    assert_eq!(request.header("x-auth-token"), Some("iam-token-1"));
    assert_eq!(request.body_json()["node_cnt"], "3");

    // DMS_REGION picks the region's endpoint (checked by build(), nothing sent here: the
    // instance id is refused first).
    let (code, _, err) = run(&[
        ("HUAWEICLOUD_SDK_AK", "ak"),
        ("HUAWEICLOUD_SDK_SK", "sk"),
        ("HUAWEICLOUD_SDK_PROJECT_ID", "proj-1"),
        ("DMS_REGION", "eu-de"),
        ("DMS_INSTANCE_ID", "."),
    ])
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("DMS_INSTANCE_ID"), "{err}");
}

#[tokio::test]
async fn with_no_settings_it_runs_the_whole_workflow_on_a_local_dms() {
    // Variables unrelated to the example do not count as settings.
    let (code, out, err) = run(&[("HOME", "/root"), ("DMS_INSTANCE_ID", " ")]).await;
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(err, "");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("no HUAWEICLOUD_SDK_*/DMS_* settings: running the Smart Connect workflow against a local DMS at http://127.0.0.1:"),
        "{out}"
    );
    let steps: Vec<&str> = lines[1..].to_vec();
    let [
        enable,
        ids,
        wait,
        job_done,
        show,
        instance,
        create,
        created,
        pause,
        paused,
        resume,
        resumed,
        list,
        listed,
        delete,
        deleted,
        disable,
        disabled,
        done,
    ] = steps[..]
    else {
        panic!("unexpected steps:\n{out}");
    };
    assert_eq!(enable, "1. enable Smart Connect");
    let ids = ids.strip_prefix("job_id=").expect(ids);
    let (job_id, connector_id) = ids.split_once(" connector_id=").expect(ids);
    assert!(!job_id.is_empty() && !connector_id.is_empty(), "{ids}");
    assert_eq!(wait, format!("2. wait for job {job_id}"));
    assert_eq!(job_done, format!("job {job_id}: SUCCESS"));
    assert_eq!(show, "3. show the instance");
    assert!(
        instance.starts_with("instance ") && instance.ends_with(": RUNNING, connector_enable=true"),
        "{instance}"
    );
    assert_eq!(
        create,
        "4. create a task (Kafka to OBS) and wait until it runs"
    );
    let task_id = created
        .strip_prefix("task ")
        .and_then(|rest| rest.strip_suffix(": RUNNING"))
        .expect(created);
    assert_eq!(pause, "5. pause it and wait");
    assert_eq!(paused, format!("task {task_id}: PAUSED"));
    assert_eq!(resume, "6. resume it and wait");
    assert_eq!(resumed, format!("task {task_id}: RUNNING"));
    assert_eq!(list, "7. list every task (a stream over the pages)");
    assert_eq!(listed, format!("listed {task_id} example-to-obs: RUNNING"));
    assert_eq!(delete, "8. delete the task");
    assert_eq!(deleted, format!("task {task_id}: deleted (HTTP 204)"));
    assert_eq!(disable, "9. disable Smart Connect and wait");
    assert!(
        disabled.starts_with("job ")
            && disabled.ends_with(": SUCCESS")
            && !disabled.contains(job_id),
        "{disabled}"
    );
    assert_eq!(done, "done");
}
