//! Waiting for Smart Connect jobs and instances (`Client::wait_for_job`,
//! `Client::wait_for_instance`, `send_and_wait`) against the local DMS over real HTTP:
//! the whole workflow, a failed job, the deadline, and cancel-safety.

use std::time::Duration;

mod support;

use generated_client::local_dms::{LocalDms, Operation};
use generated_client::types::CreateConnectorReq;
use generated_client::{Client, WaitError, WaitOptions};
use support::dms::{INSTANCE, PROJECT, config, start};

fn client(dms: &LocalDms) -> Client {
    config(dms).build().expect("client for the local DMS")
}

/// Polls quickly, gives up after `deadline`.
fn fast(deadline: Duration) -> WaitOptions {
    WaitOptions::default()
        .first_delay(Duration::from_millis(50))
        .max_interval(Duration::from_millis(200))
        .deadline(deadline)
}

#[tokio::test]
async fn the_whole_workflow_enable_wait_show_disable_wait() {
    let dms = start(Duration::from_millis(300)).await;
    let client = client(&dms);

    let enabled = client
        .create_connector()
        .instance_id(INSTANCE)
        .body(CreateConnectorReq::default())
        .send_and_wait()
        .options(fast(Duration::from_secs(20)))
        .await
        .expect("enabled");
    assert_eq!(enabled.task.status.as_deref(), Some("SUCCESS"));
    assert_eq!(enabled.task.id.as_deref(), Some(enabled.job_id.as_str()));
    assert!(enabled.connector_id.is_some_and(|id| !id.is_empty()));
    assert!(
        dms.seen(Operation::ShowBackgroundTask) >= 2,
        "it polled while EXECUTING"
    );

    let instance = client
        .wait_for_instance(INSTANCE)
        .options(fast(Duration::from_secs(20)))
        .await
        .expect("running");
    assert_eq!(instance.status.as_deref(), Some("RUNNING"));
    assert_eq!(instance.connector_enable, Some(true));

    let disabled = client
        .delete_connector()
        .instance_id(INSTANCE)
        .send_and_wait()
        .options(fast(Duration::from_secs(20)))
        .await
        .expect("disabled");
    assert_eq!(disabled.task.status.as_deref(), Some("SUCCESS"));
    assert_eq!(disabled.connector_id, None);
    let instance = client
        .show_instance()
        .instance_id(INSTANCE)
        .send()
        .await
        .expect("shown");
    assert_eq!(instance.status.as_deref(), Some("RUNNING"));
    assert_eq!(instance.connector_enable, Some(false));
}

#[tokio::test]
async fn a_failed_job_is_a_typed_error_with_the_task() {
    let dms = start(Duration::from_millis(200)).await;
    let client = client(&dms);
    dms.fail_next_job();
    let error = client
        .create_connector()
        .instance_id(INSTANCE)
        .send_and_wait()
        .options(fast(Duration::from_secs(20)))
        .await
        .expect_err("the job fails");
    let WaitError::Failed { last } = &error else {
        panic!("not Failed: {error:?}");
    };
    assert_eq!(last.status.as_deref(), Some("FAILED"));
    assert!(last.id.is_some());
    assert_eq!(error.to_string(), "the background task ended as FAILED");
    // The instance is back to RUNNING, unchanged.
    let instance = client
        .wait_for_instance(INSTANCE)
        .options(fast(Duration::from_secs(20)))
        .await
        .expect("running");
    assert_ne!(instance.connector_enable, Some(true));
}

#[tokio::test]
async fn the_deadline_is_a_typed_timeout_with_the_last_status() {
    let dms = start(Duration::from_secs(3600)).await;
    let client = client(&dms);
    let job_id = client
        .create_connector()
        .instance_id(INSTANCE)
        .send()
        .await
        .expect("enabled")
        .into_inner()
        .job_id
        .expect("a job id");

    let error = client
        .wait_for_job(INSTANCE, &job_id)
        .options(fast(Duration::from_millis(600)))
        .await
        .expect_err("times out");
    assert!(matches!(error, WaitError::TimedOut { .. }), "{error:?}");
    assert_eq!(
        error.last().and_then(|t| t.status.as_deref()),
        Some("EXECUTING")
    );
    assert!(
        error
            .to_string()
            .starts_with("gave up waiting for the background task after ")
            && error.to_string().ends_with("; last state EXECUTING"),
        "{error}"
    );

    let error = client
        .wait_for_instance(INSTANCE)
        .options(fast(Duration::from_millis(600)))
        .await
        .expect_err("times out");
    assert_eq!(
        error.last().and_then(|i| i.status.as_deref()),
        Some("EXTENDING")
    );
    assert!(
        error.to_string().ends_with("; last state EXTENDING"),
        "{error}"
    );
}

/// `future`'s outcome; a failure naming `what` when it is still pending after 10 s.
async fn within_ten_seconds<F: std::future::IntoFuture>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(10), future)
        .await
        .unwrap_or_else(|_| panic!("{what}: still waiting after 10 s"))
}

/// The wait options set on `ClientConfig` are every wait's default: with a 600 ms deadline
/// there, waits that set none give up within seconds (the built-in default waits 30 minutes).
#[tokio::test]
async fn the_client_wide_wait_options_are_the_default_of_every_wait() {
    let dms = start(Duration::from_secs(3600)).await;
    let client = config(&dms)
        .wait_options(fast(Duration::from_millis(600)))
        .build()
        .expect("client for the local DMS");
    let error = within_ten_seconds(
        "send_and_wait",
        client
            .create_connector()
            .instance_id(INSTANCE)
            .body(CreateConnectorReq::default())
            .send_and_wait(),
    )
    .await
    .expect_err("times out");
    assert!(matches!(error, WaitError::TimedOut { .. }), "{error:?}");

    let job_id = error
        .last()
        .and_then(|task| task.id.clone())
        .expect("the enabling job, as last seen");
    let error = within_ten_seconds("wait_for_job", client.wait_for_job(INSTANCE, &job_id))
        .await
        .expect_err("times out");
    assert!(matches!(error, WaitError::TimedOut { .. }), "{error:?}");

    let error = within_ten_seconds("wait_for_instance", client.wait_for_instance(INSTANCE))
        .await
        .expect_err("times out");
    assert!(matches!(error, WaitError::TimedOut { .. }), "{error:?}");
}

#[tokio::test]
async fn an_instance_in_error_ends_the_wait() {
    let dms = start(Duration::from_millis(200)).await;
    let client = client(&dms);
    assert!(dms.set_instance_status(INSTANCE, "ERROR"));
    let error = client
        .wait_for_instance(INSTANCE)
        .options(fast(Duration::from_secs(20)))
        .await
        .expect_err("ERROR ends it");
    assert!(
        matches!(&error, WaitError::Failed { last } if last.status.as_deref() == Some("ERROR"))
    );
    assert_eq!(error.to_string(), "the instance ended as ERROR");
}

#[tokio::test]
async fn a_failed_poll_is_a_call_error_with_the_cause() {
    let dms = start(Duration::from_millis(200)).await;
    let client = client(&dms);
    let error = client
        .wait_for_job(INSTANCE, "no-such-job")
        .options(fast(Duration::from_secs(20)))
        .await
        .expect_err("unknown job");
    let call = error.call_error().expect("a Call error");
    assert_eq!(call.status().map(|s| s.as_u16()), Some(404));
    assert!(
        format!("{error:#}").starts_with("could not ask for the state of the background task: "),
        "{error:#}"
    );
}

#[tokio::test]
async fn dropping_a_wait_stops_the_polling() {
    let dms = start(Duration::from_secs(3600)).await;
    let client = client(&dms);
    let job_id = client
        .create_connector()
        .instance_id(INSTANCE)
        .send()
        .await
        .expect("enabled")
        .into_inner()
        .job_id
        .expect("a job id");
    let wait = client
        .wait_for_job(INSTANCE, &job_id)
        .options(fast(Duration::from_secs(600)));
    // Cut the wait off mid-way: after a few polls, while the job is still EXECUTING.
    let cut = tokio::time::timeout(Duration::from_millis(700), wait).await;
    assert!(cut.is_err(), "still waiting when dropped");
    let polls = dms.seen(Operation::ShowBackgroundTask);
    assert!(polls >= 2, "it polled before the drop: {polls}");
    let path = format!("/v2/{PROJECT}/instances/{INSTANCE}/tasks/{job_id}");
    assert_eq!(dms.requests_seen("GET", &path), polls);

    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(
        dms.seen(Operation::ShowBackgroundTask),
        polls,
        "no poll after the drop"
    );
}
