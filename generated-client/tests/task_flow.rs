//! Smart Connect tasks end to end against the local DMS over real HTTP: the waits for a
//! task's state (`Client::wait_for_task`, the `send_and_wait` of the task calls) and every
//! page of a list as one stream (`into_stream`).

use std::time::Duration;

mod support;

use futures_util::StreamExt;
use generated_client::local_dms::{Fault, LocalDms, Operation, Timing};
use generated_client::states::task;
use generated_client::types::{CreateConnectorReq, CreateConnectorTaskReq};
use generated_client::{Client, RetryPolicy, WaitError, WaitOptions};
use serde_json::json;
use support::dms::{INSTANCE, config, start};

/// Polls quickly, gives up after `deadline`.
fn fast(deadline: Duration) -> WaitOptions {
    WaitOptions::default()
        .first_delay(Duration::from_millis(20))
        .max_interval(Duration::from_millis(100))
        .deadline(deadline)
}

/// The local DMS with Smart Connect enabled, and a client for it that polls quickly.
async fn enabled(busy_for: Duration) -> (LocalDms, Client) {
    let dms = start(busy_for).await;
    let client = config(&dms)
        .wait_options(fast(Duration::from_secs(20)))
        .build()
        .expect("a client for the local DMS");
    client
        .create_connector()
        .instance_id(INSTANCE)
        .body(CreateConnectorReq::default())
        .send_and_wait()
        .await
        .expect("Smart Connect enabled");
    (dms, client)
}

/// A task that dumps a topic to OBS; `start_later` as given.
fn obs_task(name: &str, start_later: bool) -> CreateConnectorTaskReq {
    serde_json::from_value(json!({
        "task_name": name,
        "start_later": start_later,
        "topics": "topic-1",
        "source_type": "NONE",
        "sink_type": "OBS_SINK",
        "sink_task": {
            "consumer_strategy": "latest",
            "destination_file_type": "TEXT",
            "obs_bucket_name": "bucket-1",
            "access_key": "ak",
            "secret_key": "sk",
        },
    }))
    .expect("a task body")
}

#[tokio::test]
async fn each_wait_reaches_its_state() {
    let (dms, client) = enabled(Duration::from_millis(150)).await;
    let created = client
        .create_connector_task()
        .instance_id(INSTANCE)
        .body(obs_task("to-obs", false))
        .send_and_wait()
        .await
        .expect("created and running");
    assert_eq!(created.status.as_deref(), Some(task::RUNNING));
    assert!(
        dms.seen(Operation::ShowConnectorTask) >= 2,
        "it polled while CREATING"
    );
    let id = created.id.expect("an id");

    let paused = client
        .pause_connector_task()
        .instance_id(INSTANCE)
        .task_id(id.as_str())
        .send_and_wait()
        .await
        .expect("paused");
    assert_eq!(paused.status.as_deref(), Some(task::PAUSED));
    let resumed = client
        .resume_connector_task()
        .instance_id(INSTANCE)
        .task_id(id.as_str())
        .send_and_wait()
        .await
        .expect("resumed");
    assert_eq!(resumed.status.as_deref(), Some(task::RUNNING));
    let restarted = client
        .restart_connector_task()
        .instance_id(INSTANCE)
        .task_id(id.as_str())
        .send_and_wait()
        .await
        .expect("restarted");
    assert_eq!(restarted.status.as_deref(), Some(task::RUNNING));

    // Created with start_later: it waits for a start, and the one call answers it so.
    let later = client
        .create_connector_task()
        .instance_id(INSTANCE)
        .body(obs_task("later", true))
        .send_and_wait()
        .await
        .expect("created");
    assert_eq!(later.status.as_deref(), Some(task::WAITING));
}

#[tokio::test]
async fn a_task_deleted_mid_wait_ends_it_as_gone() {
    let (dms, client) = enabled(Duration::ZERO).await;
    dms.set_timing(Timing::Manual);
    let created = client
        .create_connector_task()
        .instance_id(INSTANCE)
        .body(obs_task("to-obs", false))
        .send()
        .await
        .expect("created")
        .into_inner();
    assert_eq!(created.status.as_deref(), Some(task::CREATING));
    let id = created.id.expect("an id");
    let delete = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        client
            .delete_connector_task()
            .instance_id(INSTANCE)
            .task_id(id.as_str())
            .send()
            .await
            .expect("deleted");
    };
    let (waited, ()) = tokio::join!(client.wait_for_task(INSTANCE, &id, task::RUNNING), delete);
    let error = waited.expect_err("gone");
    assert!(matches!(error, WaitError::Gone { .. }), "{error}");
    assert_eq!(
        error.last().and_then(|t| t.status.as_deref()),
        Some(task::CREATING)
    );
    assert_eq!(
        error.to_string(),
        "the Smart Connect task is gone; last state CREATING"
    );
}

#[tokio::test]
async fn the_deadline_ends_the_wait_with_the_last_task_seen_and_a_failed_task_ends_it() {
    let (dms, client) = enabled(Duration::ZERO).await;
    dms.set_timing(Timing::Manual);
    let id = client
        .create_connector_task()
        .instance_id(INSTANCE)
        .body(obs_task("to-obs", false))
        .send()
        .await
        .expect("created")
        .into_inner()
        .id
        .expect("an id");
    let error = client
        .wait_for_task(INSTANCE, &id, task::RUNNING)
        .options(fast(Duration::from_millis(300)))
        .await
        .expect_err("timed out");
    assert!(matches!(error, WaitError::TimedOut { .. }), "{error}");
    assert_eq!(
        error.last().and_then(|t| t.status.as_deref()),
        Some(task::CREATING)
    );

    assert!(dms.set_task_status(INSTANCE, &id, task::FAILED));
    let error = client
        .wait_for_task(INSTANCE, &id, task::RUNNING)
        .await
        .expect_err("failed");
    assert!(matches!(error, WaitError::Failed { .. }), "{error}");
    assert_eq!(error.to_string(), "the Smart Connect task ended as FAILED");
}

#[tokio::test]
async fn a_stream_of_15_tasks_with_pages_of_6_asks_three_times_and_stops_when_dropped() {
    let (dms, client) = enabled(Duration::ZERO).await;
    for n in 0..15 {
        client
            .create_connector_task()
            .instance_id(INSTANCE)
            .body(obs_task(&format!("task-{n}"), true))
            .send()
            .await
            .expect("created");
    }
    let before = dms.seen(Operation::ListConnectorTasks);
    let names: Vec<String> = client
        .list_connector_tasks()
        .instance_id(INSTANCE)
        .into_stream(6)
        .map(|task| task.expect("a task").task_name.expect("a name"))
        .collect()
        .await;
    let expected: Vec<String> = (0..15).map(|n| format!("task-{n}")).collect();
    assert_eq!(names, expected);
    assert_eq!(dms.seen(Operation::ListConnectorTasks) - before, 3);

    let before = dms.seen(Operation::ListConnectorTasks);
    let first_two: Vec<_> = client
        .list_connector_tasks()
        .instance_id(INSTANCE)
        .into_stream(6)
        .take(2)
        .collect()
        .await;
    assert_eq!(first_two.len(), 2);
    assert_eq!(
        dms.seen(Operation::ListConnectorTasks) - before,
        1,
        "one page"
    );
}

#[tokio::test]
async fn background_tasks_stream_by_start_and_limit() {
    let (dms, client) = enabled(Duration::ZERO).await;
    // Each disable and enable adds a background task: 1 + 2 * 3 = 7.
    for _ in 0..3 {
        client
            .delete_connector()
            .instance_id(INSTANCE)
            .send_and_wait()
            .await
            .expect("disabled");
        client
            .create_connector()
            .instance_id(INSTANCE)
            .body(CreateConnectorReq::default())
            .send_and_wait()
            .await
            .expect("enabled");
    }
    let before = dms.seen(Operation::ListBackgroundTasks);
    let ids: Vec<String> = client
        .list_background_tasks()
        .instance_id(INSTANCE)
        .into_stream(3)
        .map(|job| job.expect("a background task").id.expect("an id"))
        .collect()
        .await;
    assert_eq!(ids.len(), 7);
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 7, "no task twice: {ids:?}");
    assert_eq!(dms.seen(Operation::ListBackgroundTasks) - before, 3);
}

#[tokio::test]
async fn a_failed_page_ends_the_stream_with_its_error() {
    let (dms, _) = enabled(Duration::ZERO).await;
    let client = config(&dms)
        .retry(RetryPolicy::never())
        .build()
        .expect("a client");
    dms.inject_on(Operation::ListConnectorTasks, Fault::ServerError, 1);
    let items: Vec<_> = client
        .list_connector_tasks()
        .instance_id(INSTANCE)
        .into_stream(6)
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    let error = items[0].as_ref().expect_err("the page's error");
    assert_eq!(error.service_error().map(|e| e.status.as_u16()), Some(500));
}
