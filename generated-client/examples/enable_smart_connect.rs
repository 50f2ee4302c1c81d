//! Enable Smart Connect on a DMS for Kafka instance, configured from the environment.
//!
//! ```text
//! HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK   AK/SK (HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary ones)
//!   or DMS_AUTH_TOKEN                      an IAM token instead
//! HUAWEICLOUD_SDK_PROJECT_ID               project id
//! HUAWEICLOUD_SDK_REGION_ID or DMS_REGION  region id, e.g. eu-west-101 or eu-de
//!   or DMS_ENDPOINT                        a full base URL (wins over the region)
//! DMS_INSTANCE_ID                          the Kafka instance
//! DMS_NODE_CNT, DMS_SPEC_CODE, DMS_SPECIFICATION   optional body fields
//! ```
//!
//! (`ClientConfig::from_env` reads all but the last two lines; see its documentation.)
//!
//! Run: `cargo run -p generated-client --example enable_smart_connect`. Prints
//! `job_id=<id> connector_id=<id>` and exits 0; exits 2 on a settings problem (before
//! anything is sent) and 1 when the call fails or the reply lacks the `job_id`.
//!
//! With none of these variables set, it starts a local DMS (`generated_client::local_dms`,
//! in-process on 127.0.0.1) instead, says so, and runs the whole Smart Connect workflow on it:
//! enable, wait for the job (`SUCCESS`), show the instance (`RUNNING`, connector enabled),
//! create a task and wait until it runs, pause it (and wait), resume it (and wait), list all
//! tasks through the stream, delete the task, disable, wait; exit 0 when every step answered
//! as expected, 1 otherwise.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use futures_util::StreamExt;
use generated_client::local_dms::LocalDms;
use generated_client::types::{CreateConnectorReq, CreateConnectorTaskReq};
use generated_client::{
    ClientConfig, Credentials, ENV_AK, ENV_DMS_AUTH_TOKEN, ENV_DMS_ENDPOINT, ENV_DMS_REGION,
    ENV_IAM_ENDPOINT, ENV_PROJECT_ID, ENV_REGION_ID, ENV_SECURITY_TOKEN, ENV_SK, Error, NodeCount,
    PathSegment, WaitOptions,
};

const HELP: &str = "\
set these environment variables:
  HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK   (or DMS_AUTH_TOKEN for an IAM token)
  HUAWEICLOUD_SDK_PROJECT_ID
  HUAWEICLOUD_SDK_REGION_ID or DMS_REGION (e.g. eu-west-101, eu-de),
    or DMS_ENDPOINT (e.g. https://dms.eu-de.otc.t-systems.com)
  DMS_INSTANCE_ID
optional: HUAWEICLOUD_SDK_SECURITY_TOKEN, DMS_NODE_CNT, DMS_SPEC_CODE, DMS_SPECIFICATION";

/// Exit code of a settings problem: nothing was sent.
const SETTINGS: u8 = 2;
/// Exit code of a failed call (or a reply without what it exists to return).
const FAILED: u8 = 1;

/// The variables that are settings: with none of them set, the example runs on a local DMS.
const SETTINGS_VARS: [&str; 13] = [
    ENV_AK,
    ENV_SK,
    ENV_SECURITY_TOKEN,
    ENV_DMS_AUTH_TOKEN,
    ENV_PROJECT_ID,
    ENV_REGION_ID,
    ENV_DMS_REGION,
    ENV_DMS_ENDPOINT,
    ENV_IAM_ENDPOINT,
    "DMS_INSTANCE_ID",
    "DMS_NODE_CNT",
    "DMS_SPEC_CODE",
    "DMS_SPECIFICATION",
];

#[tokio::main]
async fn main() -> ExitCode {
    let code = run(
        |name| std::env::var(name).ok(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    )
    .await;
    ExitCode::from(code)
}

/// The program, reading variables through `var`; returns the exit code. (`pub` for the
/// test that runs it in-process, `tests/example.rs`.)
pub async fn run(
    var: impl Fn(&str) -> Option<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    if SETTINGS_VARS.iter().all(|name| var(name).is_none()) {
        return run_local(out, err).await;
    }
    // Writing to stdout/stderr can only fail when they are closed; there is no one to tell.
    let client = match ClientConfig::from_vars(var).build() {
        Ok(client) => client,
        Err(e) => {
            let _ = writeln!(err, "error: {e:#}\n{HELP}");
            return SETTINGS;
        }
    };
    let Some(instance_id) = var("DMS_INSTANCE_ID") else {
        let _ = writeln!(err, "error: DMS_INSTANCE_ID is not set\n{HELP}");
        return SETTINGS;
    };
    if let Err(e) = PathSegment::new(instance_id.as_str()) {
        let _ = writeln!(err, "error: DMS_INSTANCE_ID: {e}");
        return SETTINGS;
    }
    let node_cnt = match var("DMS_NODE_CNT").map(|n| n.parse::<NodeCount>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => {
            let _ = writeln!(err, "error: DMS_NODE_CNT: {e}");
            return SETTINGS;
        }
    };
    let body = CreateConnectorReq {
        node_cnt,
        spec_code: var("DMS_SPEC_CODE"),
        specification: var("DMS_SPECIFICATION"),
    };

    match client
        .create_connector()
        .instance_id(&instance_id)
        .body(body)
        .send()
        .await
    {
        Ok(reply) => {
            let Some(job_id) = reply.job_id.as_deref().filter(|id| !id.is_empty()) else {
                let _ = writeln!(
                    err,
                    "failed: HTTP {} but the reply has no job_id (connector_id: {})",
                    reply.status().as_u16(),
                    reply.connector_id.as_deref().unwrap_or("missing too"),
                );
                return FAILED;
            };
            match reply.connector_id.as_deref() {
                Some(connector_id) => {
                    let _ = writeln!(out, "job_id={job_id} connector_id={connector_id}");
                }
                None => {
                    let _ = writeln!(out, "job_id={job_id}");
                    let _ = writeln!(err, "note: the reply has no connector_id");
                }
            }
            0
        }
        Err(Error::Service(s)) => {
            let _ = writeln!(
                err,
                "failed: status={} error_code={} error_msg={} request_id={}",
                s.status.as_u16(),
                s.error_code.as_deref().unwrap_or("-"),
                s.error_msg.as_deref().unwrap_or("-"),
                s.request_id.as_deref().unwrap_or("-"),
            );
            // What the service's error-code table says about the code, when it lists it.
            if let Some(meaning) = s.meaning() {
                let _ = writeln!(err, "meaning: {}", meaning.description);
                let _ = writeln!(err, "what to do: {}", meaning.handling);
            }
            FAILED
        }
        // `{e:#}`: the error and every cause, e.g. "the host name could not be resolved
        // (DNS); nothing was sent: error sending request for url (...): ... dns error: ...".
        Err(e) => {
            let _ = writeln!(err, "failed: {e:#}");
            FAILED
        }
    }
}

/// The whole workflow against a local DMS: enable, wait for the job, show the instance, a
/// task's lifecycle, disable, wait. Prints each step with what the service answered; 0 when all went as
/// expected, 1 otherwise.
async fn run_local(out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    const AK: &str = "LOCALDMSEXAMPLEAK000";
    const SK: &str = "local-dms-example-sk";
    let dms = match LocalDms::builder().credentials(AK, SK).start().await {
        Ok(dms) => dms,
        Err(e) => {
            let _ = writeln!(err, "failed: could not start the local DMS: {e}");
            return FAILED;
        }
    };
    let instance_id = dms.instance_ids()[0].clone();
    let _ = writeln!(
        out,
        "no HUAWEICLOUD_SDK_*/DMS_* settings: running the Smart Connect workflow against a local DMS \
         at {} (instance {instance_id}); set them to use the real service",
        dms.base_url()
    );
    let client = match ClientConfig::new()
        .credentials(Credentials::ak_sk(AK, SK))
        .project_id(dms.project_id())
        .endpoint(dms.base_url())
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            let _ = writeln!(err, "failed: {e:#}");
            return FAILED;
        }
    };
    let wait = WaitOptions::default()
        .first_delay(Duration::from_millis(100))
        .max_interval(Duration::from_millis(500))
        .deadline(Duration::from_secs(30));
    match local_workflow(&client, &instance_id, wait, out).await {
        Ok(()) => {
            let _ = writeln!(out, "done");
            0
        }
        Err(e) => {
            let _ = writeln!(err, "failed: {e}");
            FAILED
        }
    }
}

/// The steps of [`run_local`]; the error says which step went wrong and how.
async fn local_workflow(
    client: &generated_client::Client,
    instance_id: &str,
    wait: WaitOptions,
    out: &mut dyn Write,
) -> Result<(), String> {
    let _ = writeln!(out, "1. enable Smart Connect");
    let reply = client
        .create_connector()
        .instance_id(instance_id)
        .body(CreateConnectorReq {
            node_cnt: Some(NodeCount::new(2).map_err(|e| e.to_string())?),
            ..Default::default()
        })
        .send()
        .await
        .map_err(|e| format!("enabling: {e:#}"))?
        .into_inner();
    let job_id = reply.job_id.ok_or("enabling: the reply has no job_id")?;
    let connector_id = reply.connector_id.unwrap_or_default();
    let _ = writeln!(out, "job_id={job_id} connector_id={connector_id}");

    let _ = writeln!(out, "2. wait for job {job_id}");
    let task = client
        .wait_for_job(instance_id, &job_id)
        .options(wait.clone())
        .await
        .map_err(|e| format!("waiting for the enabling job: {e:#}"))?;
    let _ = writeln!(out, "job {job_id}: {}", task.status.unwrap_or_default());

    let _ = writeln!(out, "3. show the instance");
    let instance = client
        .show_instance()
        .instance_id(instance_id)
        .send()
        .await
        .map_err(|e| format!("showing the instance: {e:#}"))?
        .into_inner();
    let status = instance.status.unwrap_or_default();
    let enabled = instance.connector_enable.unwrap_or(false);
    let _ = writeln!(
        out,
        "instance {instance_id}: {status}, connector_enable={enabled}"
    );
    if status != "RUNNING" || !enabled {
        return Err(format!(
            "the instance is {status} with connector_enable={enabled}, not RUNNING with it enabled"
        ));
    }

    let _ = writeln!(
        out,
        "4. create a task (Kafka to OBS) and wait until it runs"
    );
    let body: CreateConnectorTaskReq = serde_json::from_value(serde_json::json!({
        "task_name": "example-to-obs",
        "topics": "topic-1",
        "sink_type": "OBS_SINK",
        "sink_task": {
            "consumer_strategy": "latest",
            "destination_file_type": "TEXT",
            "obs_bucket_name": "example-bucket",
            "access_key": "example-obs-ak",
            "secret_key": "example-obs-sk",
        },
    }))
    .map_err(|e| format!("the task's body: {e}"))?;
    let running = client
        .create_connector_task()
        .instance_id(instance_id)
        .body(body)
        .send_and_wait()
        .options(wait.clone())
        .await
        .map_err(|e| format!("creating the task: {e:#}"))?;
    let task_id = running.id.ok_or("creating the task: the reply has no id")?;
    let _ = writeln!(
        out,
        "task {task_id}: {}",
        running.status.unwrap_or_default()
    );

    let _ = writeln!(out, "5. pause it and wait");
    let paused = client
        .pause_connector_task()
        .instance_id(instance_id)
        .task_id(task_id.as_str())
        .send_and_wait()
        .options(wait.clone())
        .await
        .map_err(|e| format!("pausing the task: {e:#}"))?;
    let _ = writeln!(out, "task {task_id}: {}", paused.status.unwrap_or_default());

    let _ = writeln!(out, "6. resume it and wait");
    let resumed = client
        .resume_connector_task()
        .instance_id(instance_id)
        .task_id(task_id.as_str())
        .send_and_wait()
        .options(wait.clone())
        .await
        .map_err(|e| format!("resuming the task: {e:#}"))?;
    let _ = writeln!(
        out,
        "task {task_id}: {}",
        resumed.status.unwrap_or_default()
    );

    let _ = writeln!(out, "7. list every task (a stream over the pages)");
    let mut tasks = std::pin::pin!(
        client
            .list_connector_tasks()
            .instance_id(instance_id)
            .into_stream(10)
    );
    while let Some(listed) = tasks.next().await {
        let listed = listed.map_err(|e| format!("listing the tasks: {e:#}"))?;
        let _ = writeln!(
            out,
            "listed {} {}: {}",
            listed.id.unwrap_or_default(),
            listed.task_name.unwrap_or_default(),
            listed.status.unwrap_or_default()
        );
    }

    let _ = writeln!(out, "8. delete the task");
    let deleted = client
        .delete_connector_task()
        .instance_id(instance_id)
        .task_id(task_id.as_str())
        .send()
        .await
        .map_err(|e| format!("deleting the task: {e:#}"))?;
    let _ = writeln!(
        out,
        "task {task_id}: deleted (HTTP {})",
        deleted.status().as_u16()
    );

    let _ = writeln!(out, "9. disable Smart Connect and wait");
    let done = client
        .delete_connector()
        .instance_id(instance_id)
        .send_and_wait()
        .options(wait)
        .await
        .map_err(|e| format!("disabling: {e:#}"))?;
    let _ = writeln!(
        out,
        "job {}: {}",
        done.job_id,
        done.task.status.unwrap_or_default()
    );
    Ok(())
}
