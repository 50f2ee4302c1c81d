//! IAM password authentication against local stand-ins: a fake IAM (`POST /v3/auth/tokens`)
//! and a fake DMS, both on 127.0.0.1. Checks the project-scoped password request, that DMS
//! calls carry `X-Auth-Token` (and no `Authorization`), that the token is cached, refreshed
//! within the margin, fetched once by concurrent calls, and that every IAM failure is a clear
//! error that reaches DMS with nothing.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use generated_client::types::{CreateConnectorReq, CreateConnectorResp};
use generated_client::{
    Client, ClientConfig, Credentials, Error, IamError, ResponseValue, TransportErrorKind,
};
use serde_json::json;
use support::{Reply, TestServer};
use time::OffsetDateTime;

const DOMAIN: &str = "acme-domain";
const USER: &str = "kafka-operator";
const PASSWORD: &str = "pw-7Gq!x9-not-for-logs";
const PROJECT_ID: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const INSTANCE_ID: &str = "inst-42";
const DMS_REPLY: &str = r#"{"job_id":"job-1","connector_id":"conn-1"}"#;

type CallResult = Result<ResponseValue<CreateConnectorResp>, Error>;

/// `at` in IAM's format, e.g. `2026-11-30T04:00:00.000000Z` (`at` must be UTC).
fn iam_time(at: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.microsecond()
    )
}

/// IAM's 201 with `token` in `X-Subject-Token` and `expires_at` in the body.
fn token_reply(token: &str, expires_at: &str) -> Reply {
    let body = json!({
        "token": {
            "expires_at": expires_at,
            "issued_at": iam_time(OffsetDateTime::now_utc()),
            "methods": ["password"],
            "project": {"id": PROJECT_ID, "name": "eu-de_kafka"},
            "user": {"name": USER, "domain": {"name": DOMAIN}}
        }
    });
    Reply::json(201, &body.to_string()).header("X-Subject-Token", token)
}

/// A stand-in IAM that issues `token-1`, `token-2`, ... each valid for `valid_for` seconds
/// from the moment it is issued (negative: already expired).
fn issuing_iam(valid_for: i64) -> TestServer {
    let issued = AtomicUsize::new(0);
    TestServer::start_with(move |_| {
        let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
        let expires = OffsetDateTime::now_utc() + time::Duration::seconds(valid_for);
        token_reply(&format!("token-{n}"), &iam_time(expires))
    })
}

fn dms() -> TestServer {
    TestServer::start(Reply::json(200, DMS_REPLY))
}

fn config(iam: &TestServer, dms: &TestServer) -> ClientConfig {
    ClientConfig::new()
        .credentials(Credentials::password(DOMAIN, USER, PASSWORD))
        .project_id(PROJECT_ID)
        .endpoint(dms.base_url())
        .iam_endpoint(format!("{}/v3", iam.base_url()))
}

fn client(iam: &TestServer, dms: &TestServer, margin: Duration) -> Client {
    config(iam, dms)
        .token_refresh_margin(margin)
        .build()
        .expect("a password-authenticated client")
}

async fn call(client: &Client) -> CallResult {
    client
        .create_connector()
        .instance_id(INSTANCE_ID)
        .body(CreateConnectorReq::default())
        .send()
        .await
}

async fn call_ok(client: &Client) {
    let reply = call(client).await.expect("the call succeeds");
    assert_eq!(reply.job_id.as_deref(), Some("job-1"));
}

/// The tokens the DMS stand-in received, in order.
fn tokens_seen(dms: &TestServer) -> Vec<String> {
    dms.requests()
        .iter()
        .map(|r| {
            assert_eq!(r.header_values("x-auth-token").len(), 1, "{r:#?}");
            r.header("x-auth-token").unwrap_or_default().to_owned()
        })
        .collect()
}

/// The message (with its causes) of the `Error::Iam` a failed token fetch becomes.
fn custom_message(result: CallResult) -> String {
    match result {
        Err(error @ Error::Iam(_)) => format!("{error:#}"),
        other => panic!("expected Error::Iam, got {other:?}"),
    }
}

fn assert_no_password(text: &str) {
    assert!(!text.contains(PASSWORD), "the password leaked: {text}");
}

#[tokio::test]
async fn iam_request_is_a_project_scoped_password_authentication() {
    let (iam, dms) = (issuing_iam(24 * 3600), dms());
    call_ok(&client(&iam, &dms, Duration::from_secs(60))).await;

    let request = iam.single_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v3/auth/tokens");
    assert_eq!(request.query, None);
    assert_eq!(request.header_values("content-type"), ["application/json"]);
    assert_eq!(
        request.body_json(),
        json!({
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": USER,
                            "password": PASSWORD,
                            "domain": {"name": DOMAIN}
                        }
                    }
                },
                "scope": {"project": {"id": PROJECT_ID}}
            }
        })
    );
    for header in ["authorization", "x-auth-token", "x-security-token"] {
        assert!(request.header(header).is_none(), "{header}: {request:#?}");
    }
}

#[tokio::test]
async fn iam_base_url_with_a_trailing_slash_gives_the_same_token_path() {
    let (iam, dms) = (issuing_iam(24 * 3600), dms());
    let client = config(&iam, &dms)
        .iam_endpoint(format!("{}/v3/", iam.base_url()))
        .build()
        .expect("client");
    call_ok(&client).await;
    assert_eq!(iam.single_request().path, "/v3/auth/tokens");
}

#[tokio::test]
async fn dms_call_carries_the_token_and_no_authorization() {
    let (iam, dms) = (issuing_iam(24 * 3600), dms());
    call_ok(&client(&iam, &dms, Duration::from_secs(60))).await;

    let request = dms.single_request();
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.path,
        format!("/v2/{PROJECT_ID}/instances/{INSTANCE_ID}/connector")
    );
    assert_eq!(request.header_values("x-auth-token"), ["token-1"]);
    assert_eq!(request.header_values("x-project-id"), [PROJECT_ID]);
    for header in [
        "authorization",
        "x-sdk-date",
        "x-security-token",
        "x-sdk-content-sha256",
    ] {
        assert!(
            request.header(header).is_none(),
            "token auth signs nothing, but {header} was sent: {request:#?}"
        );
    }
}

#[tokio::test]
async fn a_valid_token_is_reused() {
    let (iam, dms) = (issuing_iam(24 * 3600), dms());
    let client = client(&iam, &dms, Duration::from_secs(15 * 60));
    call_ok(&client).await;
    call_ok(&client).await;
    call_ok(&client.clone()).await;

    assert_eq!(
        iam.requests().len(),
        1,
        "IAM asked once: {:#?}",
        iam.requests()
    );
    assert_eq!(tokens_seen(&dms), ["token-1", "token-1", "token-1"]);
}

#[tokio::test]
async fn a_token_just_outside_the_refresh_margin_is_reused() {
    // Valid 20 more minutes, margin 15: still good.
    let (iam, dms) = (issuing_iam(20 * 60), dms());
    let client = client(&iam, &dms, Duration::from_secs(15 * 60));
    call_ok(&client).await;
    call_ok(&client).await;

    assert_eq!(iam.requests().len(), 1);
    assert_eq!(tokens_seen(&dms), ["token-1", "token-1"]);
}

#[tokio::test]
async fn a_token_within_the_refresh_margin_is_refreshed() {
    // Valid 10 more minutes, margin 15: every call needs a fresh one.
    let (iam, dms) = (issuing_iam(10 * 60), dms());
    let client = client(&iam, &dms, Duration::from_secs(15 * 60));
    call_ok(&client).await;
    call_ok(&client).await;

    assert_eq!(iam.requests().len(), 2, "{:#?}", iam.requests());
    assert_eq!(tokens_seen(&dms), ["token-1", "token-2"]);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_even_with_no_margin() {
    let (iam, dms) = (issuing_iam(-3600), dms());
    let client = client(&iam, &dms, Duration::ZERO);
    call_ok(&client).await;
    call_ok(&client).await;

    assert_eq!(iam.requests().len(), 2, "{:#?}", iam.requests());
    assert_eq!(tokens_seen(&dms), ["token-1", "token-2"]);
}

#[tokio::test]
async fn the_refreshed_token_is_cached_again() {
    // First token: inside the margin; the second one: valid for a day.
    let issued = AtomicUsize::new(0);
    let iam = TestServer::start_with(move |_| {
        let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
        let valid_for = if n == 1 { 60 } else { 24 * 3600 };
        let expires = OffsetDateTime::now_utc() + time::Duration::seconds(valid_for);
        token_reply(&format!("token-{n}"), &iam_time(expires))
    });
    let dms = dms();
    let client = client(&iam, &dms, Duration::from_secs(15 * 60));
    for _ in 0..4 {
        call_ok(&client).await;
    }

    assert_eq!(iam.requests().len(), 2);
    assert_eq!(
        tokens_seen(&dms),
        ["token-1", "token-2", "token-2", "token-2"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_on_a_cold_cache_fetch_the_token_once() {
    const CALLS: usize = 8;
    // IAM answers slowly, so every call is waiting for the token at the same time.
    let issued = Arc::new(AtomicUsize::new(0));
    let iam = {
        let issued = Arc::clone(&issued);
        TestServer::start_with(move |_| {
            std::thread::sleep(Duration::from_millis(300));
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            let expires = OffsetDateTime::now_utc() + time::Duration::days(1);
            token_reply(&format!("token-{n}"), &iam_time(expires))
        })
    };
    let dms = dms();
    let client = client(&iam, &dms, Duration::from_secs(15 * 60));

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..CALLS {
        let client = client.clone();
        calls.spawn(async move { call(&client).await.map(|_| ()) });
    }
    while let Some(done) = calls.join_next().await {
        done.expect("the task ran").expect("the call succeeds");
    }

    assert_eq!(
        iam.requests().len(),
        1,
        "IAM asked once: {:#?}",
        iam.requests()
    );
    assert_eq!(issued.load(Ordering::SeqCst), 1);
    assert_eq!(tokens_seen(&dms), vec!["token-1"; CALLS]);
}

#[tokio::test]
async fn iam_401_is_a_clear_error_and_nothing_reaches_dms() {
    let iam = TestServer::start(Reply::json(
        401,
        r#"{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}"#,
    ));
    let dms = dms();
    let result = call(&client(&iam, &dms, Duration::from_secs(60))).await;
    match &result {
        Err(
            error @ Error::Iam(IamError::Refused {
                status: 401,
                user,
                domain,
                message: Some(message),
                ..
            }),
        ) => {
            assert_eq!((user.as_str(), domain.as_str()), (USER, DOMAIN));
            assert_eq!(message, "The username or password is wrong.");
            assert!(!error.is_retryable(), "a wrong password stays wrong");
            assert!(error.transport().is_none());
        }
        other => panic!("expected IamError::Refused with status 401, got {other:?}"),
    }
    let message = custom_message(result);

    for needle in [
        "IAM",
        "401",
        USER,
        DOMAIN,
        "/v3/auth/tokens",
        "The username or password is wrong.",
    ] {
        assert!(message.contains(needle), "{needle:?} missing in {message}");
    }
    assert_no_password(&message);
    assert_eq!(iam.requests().len(), 1);
    assert!(dms.requests().is_empty(), "{:#?}", dms.requests());
}

#[tokio::test]
async fn iam_error_status_without_a_body_is_still_clear() {
    let iam = TestServer::start(Reply::status(403));
    let dms = dms();
    let message = custom_message(call(&client(&iam, &dms, Duration::from_secs(60))).await);

    for needle in ["IAM", "403", USER, DOMAIN] {
        assert!(message.contains(needle), "{needle:?} missing in {message}");
    }
    assert_no_password(&message);
    assert!(dms.requests().is_empty());
}

#[tokio::test]
async fn a_failed_fetch_is_not_cached_and_the_next_call_asks_again() {
    let asked = AtomicUsize::new(0);
    let iam = TestServer::start_with(move |_| {
        if asked.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::json(401, r#"{"error":{"message":"try again"}}"#)
        } else {
            let expires = OffsetDateTime::now_utc() + time::Duration::days(1);
            token_reply("token-after-retry", &iam_time(expires))
        }
    });
    let dms = dms();
    let client = client(&iam, &dms, Duration::from_secs(60));

    custom_message(call(&client).await);
    assert!(dms.requests().is_empty());
    call_ok(&client).await;

    assert_eq!(iam.requests().len(), 2);
    assert_eq!(tokens_seen(&dms), ["token-after-retry"]);
}

#[tokio::test]
async fn iam_201_without_x_subject_token_is_a_clear_error() {
    let expires = iam_time(OffsetDateTime::now_utc() + time::Duration::days(1));
    for reply in [
        Reply::json(201, &json!({"token": {"expires_at": expires}}).to_string()),
        token_reply("", &expires),
    ] {
        let (iam, dms) = (TestServer::start(reply), dms());
        let message = custom_message(call(&client(&iam, &dms, Duration::from_secs(60))).await);

        assert!(message.contains("IAM"), "{message}");
        assert!(message.contains("X-Subject-Token"), "{message}");
        assert_no_password(&message);
        assert!(dms.requests().is_empty());
    }
}

#[tokio::test]
async fn iam_201_with_a_bad_expires_at_is_a_clear_error() {
    let bodies = [
        json!({"token": {"expires_at": "tomorrow morning"}}).to_string(),
        json!({"token": {"expires_at": "2026-13-45T99:00:00Z"}}).to_string(),
        json!({"token": {"expires_at": 1_796_000_000}}).to_string(),
        json!({"token": {"issued_at": "2026-11-29T04:00:00.000000Z"}}).to_string(),
        json!({"nothing": "here"}).to_string(),
        "not json at all".to_owned(),
        String::new(),
    ];
    for body in bodies {
        let iam = TestServer::start(Reply::json(201, &body).header("X-Subject-Token", "tok-xyz"));
        let dms = dms();
        let message = custom_message(call(&client(&iam, &dms, Duration::from_secs(60))).await);

        assert!(
            message.contains("IAM") && message.contains("without a usable token"),
            "{body}: {message}"
        );
        assert_no_password(&message);
        assert!(!message.contains("tok-xyz"), "the token leaked: {message}");
        assert!(dms.requests().is_empty(), "{body}");
    }
}

#[tokio::test]
async fn iam_hanging_up_is_a_retryable_communication_error() {
    let (iam, dms) = (TestServer::start(Reply::Hangup), dms());
    let result = call(&client(&iam, &dms, Duration::from_secs(60))).await;
    match &result {
        Err(error @ Error::Iam(IamError::Unreachable { source, .. })) => {
            assert_eq!(source.kind(), TransportErrorKind::Closed, "{error:?}");
            assert!(error.is_retryable(), "an unreachable IAM is transient");
            assert!(error.transport().is_some());
        }
        other => panic!("expected IamError::Unreachable, got {other:?}"),
    }
    let message = custom_message(result);

    assert!(
        message.contains("IAM at") && message.contains("did not answer"),
        "{message}"
    );
    assert!(
        message.contains("closed before a complete reply"),
        "{message}"
    );
    assert!(message.contains("/v3/auth/tokens"), "{message}");
    assert_no_password(&message);
    assert!(dms.requests().is_empty());
}

#[tokio::test]
async fn a_stalled_iam_is_cut_off_by_the_request_timeout() {
    let (iam, dms) = (TestServer::start(Reply::Stall), dms());
    let client = config(&iam, &dms)
        .request_timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let started = std::time::Instant::now();
    let result = call(&client).await;
    match &result {
        Err(error @ Error::Iam(IamError::Unreachable { source, .. })) => {
            assert_eq!(source.kind(), TransportErrorKind::Timeout, "{error:?}");
            assert!(error.is_retryable());
        }
        other => panic!("expected IamError::Unreachable, got {other:?}"),
    }
    let message = custom_message(result);

    assert!(started.elapsed() < Duration::from_secs(3), "{message}");
    assert!(
        message.contains("did not answer") && message.contains("timed out"),
        "{message}"
    );
    assert!(dms.requests().is_empty());
}

#[test]
fn iam_time_has_the_format_iam_uses() {
    let at = OffsetDateTime::from_unix_timestamp(1_796_011_200).expect("a valid timestamp");
    assert_eq!(iam_time(at), "2026-11-30T04:00:00.000000Z");
}

#[tokio::test]
async fn a_token_the_service_refuses_is_dropped_and_fetched_again() {
    let iam = issuing_iam(3600);
    // DMS refuses the first call (a revoked token), then accepts.
    let calls = AtomicUsize::new(0);
    let dms = TestServer::start_with(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::json(
                401,
                r#"{"error_code":"APIGW.0307","error_msg":"token expired"}"#,
            )
        } else {
            Reply::json(200, DMS_REPLY)
        }
    });
    let client = client(&iam, &dms, Duration::from_secs(60));
    let refused = call(&client).await;
    assert!(matches!(refused, Err(Error::Service(ref r)) if r.status == 401));
    call_ok(&client).await;
    assert_eq!(iam.requests().len(), 2, "the refused token was not reused");
    assert_eq!(tokens_seen(&dms), ["token-1", "token-2"]);
}

#[tokio::test]
async fn an_unreachable_iam_is_a_retryable_communication_error() {
    // A port nothing listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let dms = dms();
    let client = ClientConfig::new()
        .credentials(Credentials::password(DOMAIN, USER, PASSWORD))
        .project_id(PROJECT_ID)
        .endpoint(dms.base_url())
        .iam_endpoint(format!("http://127.0.0.1:{port}/v3"))
        .build()
        .expect("client");
    let error = call(&client).await.expect_err("IAM is not there");
    let Error::Iam(IamError::Unreachable { source, url, .. }) = &error else {
        panic!("expected IamError::Unreachable, got {error:?}");
    };
    assert_eq!(source.kind(), TransportErrorKind::Connect);
    assert!(source.nothing_sent());
    assert!(url.ends_with("/v3/auth/tokens"), "{url}");
    assert!(error.is_retryable());
    let shown = format!("{error:#}");
    assert!(shown.contains("could not connect"), "{shown}");
    assert_no_password(&shown);
    assert!(dms.requests().is_empty());
}

/// The 401 race: a call refused with an old token must not drop a newer token that another
/// call fetched meanwhile (only the token that was actually refused is forgotten).
#[tokio::test]
async fn a_late_401_for_an_old_token_keeps_the_newer_token() {
    // IAM is slow on its first answer, so the two first calls both wait for token-1.
    let issued = AtomicUsize::new(0);
    let iam = TestServer::start_with(move |_| {
        let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
        if n == 1 {
            std::thread::sleep(Duration::from_millis(200));
        }
        let expires = OffsetDateTime::now_utc() + time::Duration::days(1);
        token_reply(&format!("token-{n}"), &iam_time(expires))
    });
    // DMS refuses token-1: the first refusal at once, the second only after a pause.
    let refusals = AtomicUsize::new(0);
    let dms = TestServer::start_with(move |request| {
        if request.header("x-auth-token") == Some("token-1") {
            if refusals.fetch_add(1, Ordering::SeqCst) == 1 {
                std::thread::sleep(Duration::from_millis(800));
            }
            Reply::json(401, r#"{"error_code":"APIGW.0307","error_msg":"revoked"}"#)
        } else {
            Reply::json(200, DMS_REPLY)
        }
    });
    let client = Arc::new(client(&iam, &dms, Duration::from_secs(60)));
    let spawn_call = |client: &Arc<Client>| {
        let client = Arc::clone(client);
        tokio::spawn(async move { call(&client).await })
    };

    let (a, b) = (spawn_call(&client), spawn_call(&client));
    // Wait for the quick refusal: one of the two calls is done, the other is waiting.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !(a.is_finished() || b.is_finished()) {
        assert!(std::time::Instant::now() < deadline, "no refusal arrived");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Meanwhile another call fetches token-2 and succeeds.
    call_ok(&client).await;
    // Now the slow refusal of token-1 arrives.
    for refused in [a.await, b.await] {
        let refused = refused.expect("the task ran");
        assert!(
            matches!(refused, Err(Error::Service(ref r)) if r.status == 401),
            "{refused:?}"
        );
    }
    // token-2 is still cached: no third fetch.
    call_ok(&client).await;
    assert_eq!(
        iam.requests().len(),
        2,
        "token-2 was dropped by the late 401"
    );
    assert_eq!(
        tokens_seen(&dms),
        ["token-1", "token-1", "token-2", "token-2"]
    );
}
