//! Tracing: one span per call with its operation, method, path template, attempt, status and
//! request id; an event per retry and per poll; on a 401 to a signed request, the canonical request at
//! debug level; and never a secret (keys, tokens, passwords in bodies).
//!
//! The subscriber is a small one written here: it writes every span's and event's fields to a
//! buffer, so the test reads exactly what any subscriber would be given.

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use generated_client::local_dms::{Fault, LocalDms, Operation};
use generated_client::types::{
    CreateConnectorTaskReq, SmartConnectTaskReqSinkConfig, SmartConnectTaskReqSourceConfig,
};
use generated_client::{ClientConfig, Credentials, RetryPolicy, Secret, WaitOptions};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const AK: &str = "TRACETESTAK0001";
const SK: &str = "trace-test-secret-key-0123456789";
const SECURITY_TOKEN: &str = "trace-test-security-token-abcdef";
const PROJECT: &str = "proj-trace";
const INSTANCE: &str = "inst-trace";
const PASSWORDS: [&str; 3] = ["redis-pw-trace-1", "kafka-pw-trace-2", "obs-sk-trace-3"];

/// Writes every span (new and recorded fields) and event to a shared buffer, one per line.
#[derive(Clone, Default)]
struct Capture {
    out: Arc<Mutex<String>>,
    next: Arc<AtomicU64>,
}

struct Line<'a>(&'a mut String);

impl Visit for Line<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::SeqCst) + 1;
        let mut line = format!(
            "span#{id} {} {}",
            span.metadata().level(),
            span.metadata().name()
        );
        span.record(&mut Line(&mut line));
        let mut out = self.out.lock().unwrap();
        out.push_str(&line);
        out.push('\n');
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut line = format!("record#{}", span.into_u64());
        values.record(&mut Line(&mut line));
        let mut out = self.out.lock().unwrap();
        out.push_str(&line);
        out.push('\n');
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = format!("event {}", event.metadata().level());
        event.record(&mut Line(&mut line));
        let mut out = self.out.lock().unwrap();
        out.push_str(&line);
        out.push('\n');
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn task_with_passwords() -> CreateConnectorTaskReq {
    CreateConnectorTaskReq {
        task_name: Some("traced".into()),
        source_type: Some("REDIS_REPLICATOR_SOURCE".into()),
        source_task: Some(SmartConnectTaskReqSourceConfig {
            redis_address: Some("192.168.0.1:6379".into()),
            redis_password: Some(Secret::new(PASSWORDS[0])),
            password: Some(Secret::new(PASSWORDS[1])),
            ..Default::default()
        }),
        sink_type: Some("REDIS_REPLICATOR_SINK".into()),
        sink_task: Some(SmartConnectTaskReqSinkConfig {
            secret_key: Some(Secret::new(PASSWORDS[2])),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[tokio::test]
async fn spans_events_and_the_canonical_request_without_a_secret() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());

    let dms = LocalDms::builder()
        .project_id(PROJECT)
        .credentials(AK, SK)
        .instance(INSTANCE)
        .busy_for(Duration::from_millis(20))
        .start()
        .await
        .unwrap();
    let client = ClientConfig::new()
        .credentials(Credentials::temporary(AK, SK, SECURITY_TOKEN))
        .project_id(PROJECT)
        .endpoint(dms.base_url())
        .retry(RetryPolicy::default().first_delay(Duration::from_millis(10)))
        .build()
        .unwrap();

    // A retried GET.
    dms.inject_on(Operation::ShowInstance, Fault::ServerError, 1);
    client
        .show_instance()
        .instance_id(INSTANCE)
        .send()
        .await
        .expect("the second attempt succeeds");
    // A body with passwords (accepted or not, it must not show).
    let _ = client
        .create_connector_task()
        .instance_id(INSTANCE)
        .body(task_with_passwords())
        .send()
        .await;
    // A signature the service refuses: the same AK with another SK.
    let wrong = ClientConfig::new()
        .credentials(Credentials::temporary(AK, "not-the-sk", SECURITY_TOKEN))
        .project_id(PROJECT)
        .endpoint(dms.base_url())
        .build()
        .unwrap();
    let refused = wrong
        .show_instance()
        .instance_id(INSTANCE)
        .send()
        .await
        .expect_err("401");
    assert_eq!(refused.status().map(|s| s.as_u16()), Some(401));
    // A wait: an event per poll.
    client
        .wait_for_instance(INSTANCE)
        .options(WaitOptions::default().first_delay(Duration::from_millis(10)))
        .await
        .expect("the instance runs");

    let out = capture.out.lock().unwrap().clone();
    // The span of a call.
    assert!(out.contains("dms_call operation=show_instance method=GET path=/v2/{project_id}/instances/{instance_id}"), "{out}");
    assert!(out.contains("attempt=2"), "{out}");
    assert!(
        out.contains("status=500") && out.contains("status=200"),
        "{out}"
    );
    assert!(out.contains("request_id="), "{out}");
    // An event per retry.
    assert!(
        out.contains("retrying") && out.contains("reason=HTTP 500"),
        "{out}"
    );
    // The canonical request of the refused signature, with the security token hidden.
    assert!(
        out.contains("(401); compare this canonical request with the one it expected canonical_request=GET\n/v2/proj-trace/instances/inst-trace/\n"),
        "{out}"
    );
    assert!(out.contains("x-security-token:***"), "{out}");
    // An event per poll of a wait.
    assert!(out.contains("polled look=1 verdict=Done"), "{out}");
    // Never a secret.
    for secret in [SK, "not-the-sk", SECURITY_TOKEN]
        .into_iter()
        .chain(PASSWORDS)
    {
        assert!(!out.contains(secret), "{secret} in {out}");
    }
    assert!(!out.contains("Signature="), "no Authorization value: {out}");
}
