//! The crate as a downstream crate uses it: only the public API (`generated_client::*`,
//! `reqwest`), against real HTTP servers on 127.0.0.1. Covers what issue 9 asked for: errors
//! that keep and print their cause once, error replies that never print every header, the
//! caller's own `reqwest::Client` (still signed), proxies, `http://` only for loopback, the
//! reply size limit, and TLS set-ups that never panic.

mod support;

use std::error::Error as _;
use std::time::Duration;

use generated_client::types::CreateConnectorReq;
use generated_client::{
    Client, ClientConfig, ConfigError, Credentials, Error, MAX_RESPONSE_BODY, NodeCount,
    TransportErrorKind,
};
use support::verify;
use support::{Reply, TestServer};

const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "ExampleSecretKey0123456789abcdefghijklmn";
const KEYS: &[(&str, &[u8])] = &[(AK, SK.as_bytes())];
const PROJECT_ID: &str = "proj-0123456789";
const OK_REPLY: &str = r#"{"job_id":"job-1","connector_id":"conn-1"}"#;

fn config(endpoint: &str) -> ClientConfig {
    ClientConfig::new()
        .credentials(Credentials::ak_sk(AK, SK))
        .project_id(PROJECT_ID)
        .endpoint(endpoint)
}

async fn enable(
    client: &Client,
) -> Result<generated_client::ResponseValue<generated_client::types::CreateConnectorResp>, Error> {
    client
        .create_connector()
        .instance_id("inst-1")
        .body(CreateConnectorReq {
            node_cnt: Some(NodeCount::new(2).expect("2 is valid")),
            ..Default::default()
        })
        .send()
        .await
}

/// Every message of the error's source chain, top first.
fn chain(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut messages = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        messages.push(cause.to_string());
        source = cause.source();
    }
    messages
}

/// No message of the chain repeats the one below it (each cause is printed once).
fn assert_printed_once(error: &Error) {
    let messages = chain(error);
    for pair in messages.windows(2) {
        assert!(
            !pair[0].contains(&pair[1]),
            "{:?} repeats its cause {:?}",
            pair[0],
            pair[1]
        );
    }
    assert_eq!(format!("{error:#}"), messages.join(": "));
}

/// A host name that fails to resolve inside this machine: a label of 64 characters is longer
/// than DNS allows (63), so glibc's resolver refuses to build the query and no packet is sent
/// (checked with `strace -e trace=network getent ahosts <name>`: no socket to the name server).
/// An ordinary `.invalid` name would be sent to the configured name server. (Over https://
/// such a name fails earlier, as an invalid TLS server name, so the test uses http://.)
fn unresolvable_host() -> String {
    format!("{}.invalid", "a".repeat(64))
}

#[tokio::test]
async fn a_dns_failure_says_why_with_the_alternate_format() {
    let client = config(&format!("http://{}", unresolvable_host()))
        .danger_allow_insecure_http(true)
        .build()
        .expect("client");
    let error = enable(&client)
        .await
        .expect_err("the name does not resolve");

    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}");
    };
    assert_eq!(transport.kind(), TransportErrorKind::Dns, "{error:?}");
    assert!(transport.nothing_sent());
    assert!(error.is_retryable());
    let plain = error.to_string();
    assert_eq!(
        plain,
        "the host name could not be resolved (DNS); nothing was sent"
    );
    let full = format!("{error:#}");
    eprintln!("{full}");
    assert!(full.starts_with(&plain), "{full}");
    assert!(full.contains("dns error"), "{full}");
    assert_eq!(full.matches("error sending request").count(), 1, "{full}");
    assert_printed_once(&error);
}

#[tokio::test]
async fn a_refused_connection_says_so() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let client = config(&format!("http://127.0.0.1:{port}"))
        .build()
        .expect("client");
    let error = enable(&client).await.expect_err("nothing listens there");
    assert!(
        matches!(&error, Error::Transport(t) if t.kind() == TransportErrorKind::Connect),
        "{error:?}"
    );
    let full = format!("{error:#}");
    assert!(
        full.starts_with("could not connect; nothing was sent: "),
        "{full}"
    );
    assert!(full.to_lowercase().contains("connection refused"), "{full}");
    assert_printed_once(&error);
}

#[tokio::test]
async fn an_error_reply_shows_status_code_message_and_request_id_but_no_cookie() {
    let server = TestServer::start(
        Reply::json(
            400,
            r#"{"error_code":"DMS.00400021","error_msg":"Invalid node_cnt"}"#,
        )
        .header("X-Request-Id", "req-42")
        .header("Set-Cookie", "session=COOKIE-SECRET-123; HttpOnly"),
    );
    let client = config(&server.base_url()).build().expect("client");
    let error = enable(&client).await.expect_err("400");

    assert_eq!(
        error.to_string(),
        "HTTP 400 DMS.00400021: Invalid node_cnt (request id req-42)"
    );
    for shown in [
        error.to_string(),
        format!("{error:#}"),
        format!("{error:?}"),
        format!("{error:#?}"),
    ] {
        assert!(!shown.contains("COOKIE-SECRET-123"), "{shown}");
    }
    let reply = error.service_error().expect("an error reply");
    assert_eq!(reply.status.as_u16(), 400);
    assert_eq!(reply.request_id.as_deref(), Some("req-42"));
    // Still there for whoever needs it.
    assert!(reply.headers().contains_key("set-cookie"));
    assert!(!error.is_retryable());
    assert!(error.source().is_none());
}

#[tokio::test]
async fn a_callers_reqwest_client_is_used_and_requests_are_still_signed() {
    let server = TestServer::start(Reply::json(200, OK_REPLY));
    let http = generated_client::http_client_builder()
        .expect("builder")
        .user_agent("my-app/1.0")
        .build()
        .expect("reqwest client");
    let client = config(&server.base_url())
        .http_client(http)
        .build()
        .expect("client");
    let reply = enable(&client).await.expect("the call succeeds");
    assert_eq!(reply.job_id.as_deref(), Some("job-1"));

    let request = server.single_request();
    let verified = verify(&request, KEYS).expect("the signature verifies");
    assert_eq!(verified.access_key, AK);
    // The hooks set this crate's User-Agent on every request (and sign it).
    assert_eq!(
        request.header("user-agent"),
        Some(generated_client::USER_AGENT)
    );
}

#[tokio::test]
async fn requests_go_through_a_proxy_set_with_reqwest_and_stay_signed() {
    // The "proxy" is the test server: it receives the absolute-form request for a host that
    // is never resolved (the proxy would do that), so nothing leaves the machine.
    let proxy = TestServer::start(Reply::json(200, OK_REPLY));
    let proxy_url = proxy.base_url();
    let client = config("http://dms.example.test")
        .danger_allow_insecure_http(true)
        .customize_http(move |builder| {
            builder.proxy(reqwest::Proxy::http(&proxy_url).expect("proxy URL"))
        })
        .build()
        .expect("client");
    enable(&client).await.expect("the call succeeds");

    let request = proxy.single_request();
    assert_eq!(
        request.path,
        format!("http://dms.example.test/v2/{PROJECT_ID}/instances/inst-1/connector")
    );
    assert_eq!(request.header("host"), Some("dms.example.test"));
    // A proxy request target is the absolute URL; the signature covers the path and the
    // Host the service will see.
    let mut as_seen_by_the_service = request.clone();
    as_seen_by_the_service.path = format!("/v2/{PROJECT_ID}/instances/inst-1/connector");
    verify(&as_seen_by_the_service, KEYS).expect("the signature verifies");
}

#[test]
fn plain_http_to_a_remote_host_is_refused_unless_opted_in() {
    for url in [
        "http://dms.eu-de.otc.t-systems.com",
        "http://10.0.0.1:8080",
        "http://[2001:db8::1]",
    ] {
        let error = config(url)
            .build()
            .expect_err("plain http to a remote host");
        assert!(
            matches!(
                error,
                ConfigError::InsecureHttp {
                    what: "endpoint",
                    ..
                }
            ),
            "{url}: {error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("https://"), "{message}");
        assert!(message.contains("danger_allow_insecure_http"), "{message}");
        assert!(message.contains(url), "{message}");

        config(url)
            .danger_allow_insecure_http(true)
            .build()
            .expect("explicitly allowed");
    }
    // The IAM endpoint too: a password must not cross the network in clear text.
    let error = ClientConfig::new()
        .credentials(Credentials::password("domain", "user", "pw"))
        .project_id(PROJECT_ID)
        .endpoint("http://127.0.0.1:9")
        .iam_endpoint("http://iam.example.test/v3")
        .build()
        .expect_err("plain http IAM");
    assert!(
        matches!(error, ConfigError::InsecureHttp { what: "IAM", .. }),
        "{error:?}"
    );
    for loopback in [
        "http://127.0.0.1:8080",
        "http://127.1.2.3",
        "http://[::1]:8080",
        "http://localhost:8080",
        "http://dms.localhost",
    ] {
        config(loopback).build().expect("loopback is fine");
    }
}

#[tokio::test]
async fn a_reply_over_the_size_limit_is_a_typed_error() {
    // Default limit: a 50 MiB job_id is not read.
    let huge = format!(r#"{{"job_id":"{}"}}"#, "x".repeat(MAX_RESPONSE_BODY + 1));
    let server = TestServer::start(Reply::json(200, &huge));
    let client = config(&server.base_url()).build().expect("client");
    let error = enable(&client).await.expect_err("too large");
    match &error {
        Error::ResponseTooLarge(e) => {
            assert_eq!(e.limit, MAX_RESPONSE_BODY);
            assert_eq!(e.status.as_u16(), 200);
            assert_eq!(e.content_length, Some(huge.len() as u64));
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    assert!(!error.is_retryable());
    let message = error.to_string();
    assert!(
        message.contains("larger than the limit of 1048576 bytes"),
        "{message}"
    );
    assert!(message.len() < 300, "{message}");

    // A configured limit.
    let server = TestServer::start(Reply::json(200, OK_REPLY));
    let client = config(&server.base_url())
        .max_response_body(OK_REPLY.len() - 1)
        .build()
        .expect("client");
    assert!(matches!(
        enable(&client).await,
        Err(Error::ResponseTooLarge(_))
    ));
    let client = config(&server.base_url())
        .max_response_body(OK_REPLY.len())
        .build()
        .expect("client");
    enable(&client).await.expect("exactly at the limit is fine");
}

#[tokio::test]
async fn a_reply_that_is_not_json_is_shown_briefly() {
    let garbage = "<html>".repeat(20_000);
    let server = TestServer::start(Reply::status(200).body(garbage.clone()));
    let client = config(&server.base_url()).build().expect("client");
    let error = enable(&client).await.expect_err("not JSON");
    let Error::InvalidReply(reply) = &error else {
        panic!("expected InvalidReply, got {error:?}");
    };
    assert_eq!(reply.body(), garbage.as_bytes());
    let shown = format!("{error:#}");
    assert!(shown.len() < 400, "{shown}");
    assert!(shown.contains("120000 bytes"), "{shown}");
    assert_printed_once(&error);
}

#[tokio::test]
async fn a_stalled_reply_says_timed_out() {
    let server = TestServer::start(Reply::Stall);
    let client = config(&server.base_url())
        .request_timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let error = enable(&client).await.expect_err("timeout");
    let transport = error.transport().expect("a transport error");
    assert_eq!(transport.kind(), TransportErrorKind::Timeout);
    assert!(!transport.nothing_sent());
    assert!(error.to_string().starts_with("timed out"), "{error}");
    assert_printed_once(&error);
}

#[cfg(any(feature = "rustls-ring", feature = "aws-lc-rs", feature = "native-tls"))]
#[tokio::test]
async fn https_works_with_the_compiled_tls_stack_and_never_panics_for_a_provider() {
    // A TLS handshake against a server that speaks plain HTTP: the TLS stack runs (no
    // crypto-provider panic) and the failure is a connect error.
    let server = TestServer::start(Reply::json(200, OK_REPLY));
    let client = config(&format!("https://127.0.0.1:{}", server.port()))
        .connect_timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let error = enable(&client).await.expect_err("not a TLS server");
    assert!(
        matches!(&error, Error::Transport(t) if t.kind() == TransportErrorKind::Connect),
        "{error:?}"
    );
    // Building clients for every region works without any process-wide provider.
    for region in generated_client::REGIONS {
        ClientConfig::new()
            .credentials(Credentials::ak_sk(AK, SK))
            .project_id(PROJECT_ID)
            .region(region.id)
            .build()
            .expect("client");
    }
    generated_client::http_client_builder()
        .expect("builder")
        .build()
        .expect("reqwest client");
}

#[test]
fn bad_path_values_are_refused_before_anything_is_sent() {
    for project_id in ["..", ".", "", "a\\b", "a b"] {
        let error = config("http://127.0.0.1:9")
            .project_id(project_id)
            .build()
            .expect_err("bad project id");
        assert!(
            matches!(error, ConfigError::InvalidProjectId { .. }),
            "{project_id:?}: {error:?}"
        );
    }
}

#[cfg(not(any(feature = "rustls-ring", feature = "aws-lc-rs", feature = "native-tls")))]
#[test]
fn without_tls_https_is_refused_by_build() {
    let error = config("https://dms.example.test")
        .build()
        .expect_err("no TLS compiled in");
    assert!(matches!(error, ConfigError::NoTls { .. }), "{error:?}");
}
