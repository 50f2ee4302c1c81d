//! Retries inside the transport, against the local DMS (real HTTP on 127.0.0.1): what is sent
//! again, what is not (a `POST` that may have reached the service), and that every attempt
//! is signed afresh (the stand-in checks AK/SK signatures).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

mod support;

use generated_client::local_dms::{Fault, LocalDms, Operation};
use generated_client::types::CreateConnectorReq;
use generated_client::{Client, ClientConfig, Credentials, Error, RetryPolicy, TransportErrorKind};
use support::dms::{AK, INSTANCE, PROJECT, SK, config, start};

/// Short delays so the suite stays fast.
fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .first_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(100))
}

fn client(dms: &LocalDms, policy: RetryPolicy) -> Client {
    config(dms).retry(policy).build().expect("a client")
}

async fn enable(client: &Client) -> Result<(), Error> {
    client
        .create_connector()
        .instance_id(INSTANCE)
        .body(CreateConnectorReq::default())
        .send()
        .await
        .map(drop)
}

async fn show(client: &Client) -> Result<String, Error> {
    let instance = client.show_instance().instance_id(INSTANCE).send().await?;
    Ok(instance.status.clone().unwrap_or_default())
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after_even_for_a_post() {
    let dms = start(Duration::from_millis(50)).await;
    dms.inject_on(
        Operation::CreateConnector,
        Fault::TooManyRequests {
            retry_after: Some(1),
        },
        1,
    );
    let started = std::time::Instant::now();
    enable(&client(&dms, quick()))
        .await
        .expect("the second attempt succeeds");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured: {:?}",
        started.elapsed()
    );
    assert_eq!(dms.seen(Operation::CreateConnector), 2);
}

#[tokio::test]
async fn a_retry_after_beyond_the_deadline_is_not_waited_for() {
    let dms = start(Duration::from_millis(50)).await;
    dms.inject(
        Fault::TooManyRequests {
            retry_after: Some(30),
        },
        1,
    );
    let started = std::time::Instant::now();
    let error = show(&client(&dms, quick().deadline(Duration::from_secs(2))))
        .await
        .expect_err("429 handed back");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(dms.seen(Operation::ShowInstance), 1);
}

#[tokio::test]
async fn a_get_is_retried_on_500_and_a_post_is_not() {
    let dms = start(Duration::from_millis(50)).await;
    let client = client(&dms, quick());
    dms.inject(Fault::ServerError, 2);
    assert_eq!(show(&client).await.expect("third attempt"), "RUNNING");
    assert_eq!(dms.seen(Operation::ShowInstance), 3);

    dms.inject(Fault::ServerError, 1);
    let error = enable(&client).await.expect_err("500 handed back");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(dms.seen(Operation::CreateConnector), 1);
}

#[tokio::test]
async fn attempts_are_limited_and_never_turns_retries_off() {
    let dms = start(Duration::from_millis(50)).await;
    dms.inject(Fault::ServerError, 10);
    let error = show(&client(&dms, quick().max_attempts(4)))
        .await
        .expect_err("still 500");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(dms.seen(Operation::ShowInstance), 4);

    show(&client(&dms, RetryPolicy::never()))
        .await
        .expect_err("500, once");
    assert_eq!(dms.seen(Operation::ShowInstance), 5);
}

#[tokio::test]
async fn a_post_that_timed_out_after_writing_is_not_retried() {
    let dms = start(Duration::from_secs(5)).await;
    dms.inject_on(
        Operation::CreateConnector,
        Fault::Stall(Duration::from_secs(3)),
        1,
    );
    let impatient = config(&dms)
        .retry(quick())
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = enable(&impatient).await.expect_err("timed out");
    assert!(
        matches!(&error, Error::Transport(e) if e.kind() == TransportErrorKind::Timeout),
        "{error:?}"
    );
    assert_eq!(dms.seen(Operation::CreateConnector), 1);
}

#[tokio::test]
async fn a_post_whose_connection_dropped_is_not_retried_a_get_is() {
    let dms = start(Duration::from_millis(50)).await;
    let client = client(&dms, quick());
    dms.inject_on(Operation::CreateConnector, Fault::DropConnection, 1);
    let error = enable(&client).await.expect_err("no reply");
    assert!(
        matches!(&error, Error::Transport(e) if e.kind() == TransportErrorKind::Closed),
        "{error:?}"
    );
    assert_eq!(dms.seen(Operation::CreateConnector), 1);

    dms.inject_on(Operation::ShowInstance, Fault::DropConnection, 1);
    show(&client).await.expect("the GET is sent again");
    assert_eq!(dms.seen(Operation::ShowInstance), 2);
}

/// Resolves the test host name to 127.0.0.2 (where nothing listens: connection refused)
/// the first time, to 127.0.0.1 (the local DMS) after that.
struct RefuseFirst {
    lookups: Arc<AtomicUsize>,
}

impl reqwest::dns::Resolve for RefuseFirst {
    fn resolve(&self, _name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let first = self.lookups.fetch_add(1, Ordering::SeqCst) == 0;
        let ip = if first {
            [127, 0, 0, 2]
        } else {
            [127, 0, 0, 1]
        };
        let addrs: Box<dyn Iterator<Item = SocketAddr> + Send> =
            Box::new(std::iter::once(SocketAddr::from((ip, 0))));
        Box::pin(async move { Ok(addrs) })
    }
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_post() {
    let dms = start(Duration::from_millis(50)).await;
    let lookups = Arc::new(AtomicUsize::new(0));
    let resolver = Arc::new(RefuseFirst {
        lookups: Arc::clone(&lookups),
    });
    let client = ClientConfig::new()
        .credentials(Credentials::ak_sk(AK, SK))
        .project_id(PROJECT)
        .endpoint(format!("http://dms.retry.test:{}", dms.addr().port()))
        .danger_allow_insecure_http(true)
        .retry(quick())
        .customize_http(move |builder| builder.dns_resolver(Arc::clone(&resolver)))
        .build()
        .unwrap();
    enable(&client).await.expect("the second attempt connects");
    assert!(
        lookups.load(Ordering::SeqCst) >= 2,
        "the first one was refused"
    );
    assert_eq!(dms.seen(Operation::CreateConnector), 1);

    // Without retries the refusal is the answer, and nothing was sent.
    lookups.store(0, Ordering::SeqCst);
    let never = ClientConfig::new()
        .credentials(Credentials::ak_sk(AK, SK))
        .project_id(PROJECT)
        .endpoint(format!("http://dms.retry.test:{}", dms.addr().port()))
        .danger_allow_insecure_http(true)
        .retry(RetryPolicy::never())
        .customize_http({
            let resolver = Arc::new(RefuseFirst {
                lookups: Arc::clone(&lookups),
            });
            move |builder| builder.dns_resolver(Arc::clone(&resolver))
        })
        .build()
        .unwrap();
    let error = show(&never).await.expect_err("refused");
    assert!(
        matches!(&error, Error::Transport(e) if e.nothing_sent()),
        "{error:?}"
    );
}

#[tokio::test]
async fn busy_is_waited_out_when_opted_in_and_a_typed_error_when_not() {
    // Long enough that the two refused calls below surely meet the busy instance.
    let dms = start(Duration::from_millis(1500)).await;
    let plain = client(&dms, quick());
    enable(&plain).await.expect("enable");
    assert_eq!(dms.instance_status(INSTANCE).as_deref(), Some("EXTENDING"));

    // Not opted in: the refusal, typed.
    let error = plain
        .delete_connector()
        .instance_id(INSTANCE)
        .send()
        .await
        .expect_err("busy");
    match &error {
        Error::Service(reply) => {
            assert_eq!(reply.status.as_u16(), 400);
            assert_eq!(reply.error_code.as_deref(), Some("DMS.00400026"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(dms.seen(Operation::DeleteConnector), 1);

    // Opted in: waits until the instance runs (polling ShowInstance), then sends it again.
    let patient = client(
        &dms,
        quick()
            .retry_when_instance_busy(true)
            .deadline(Duration::from_secs(20)),
    );
    let polls_before = dms.seen(Operation::ShowInstance);
    patient
        .delete_connector()
        .instance_id(INSTANCE)
        .send()
        .await
        .expect("sent again once the instance ran");
    assert_eq!(dms.seen(Operation::DeleteConnector), 3);
    assert!(
        dms.seen(Operation::ShowInstance) > polls_before,
        "it polled"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_on_one_client_succeed() {
    let dms = start(Duration::from_millis(50)).await;
    let client = client(&dms, quick());
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..1000 {
        let client = client.clone();
        calls.spawn(async move { show(&client).await });
    }
    let mut ok = 0;
    while let Some(result) = calls.join_next().await {
        assert_eq!(result.expect("no panic").expect("success"), "RUNNING");
        ok += 1;
    }
    assert_eq!(ok, 1000);
    assert_eq!(dms.seen(Operation::ShowInstance), 1000);
}
