//! Authentication as it arrives on the wire: calls made through [`ClientConfig`] against the
//! local test server on 127.0.0.1, checked by the local DMS's server-side signature verifier
//! (`generated_client::local_dms::verify_signature`, through `support::verify`).
//!
//! AK/SK calls must verify and sign the headers that matter; temporary credentials send and
//! sign `X-Security-Token`; IAM tokens are sent as `X-Auth-Token` without any signature; path
//! parameters that need encoding arrive as exactly one segment and still verify (or are refused
//! before sending when URL parsing would resolve them away); any change to a signed part of a
//! recorded request is caught; and the request equals the official Python SDK's for the same
//! inputs in everything but the volatile details.

mod support;

use std::collections::BTreeMap;

use generated_client::local_dms::{Rejection, Verified};
use generated_client::types::{CreateConnectorReq, CreateConnectorResp};
use generated_client::{Client, ClientConfig, Credentials, Error, NodeCount, ResponseValue};
use percent_encoding::percent_decode_str;
use serde::Serialize;
use serde_json::{Value, json};
use support::verify;
use support::{RecordedRequest, Reply, TestServer};

const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "ExampleSecretKey0123456789abcdefghijklmn";
const PROJECT_ID: &str = "proj-0123456789";
const INSTANCE_ID: &str = "inst-1";
const SECURITY_TOKEN: &str = "temporary-security-token-value";
const IAM_TOKEN: &str = "MIIexample-iam-token";

const EXAMPLE_RESPONSE: &str = r#"{"job_id":"7c3ec20c-11de-4df9-acc0-7ef1dea25dfe","connector_id":"55b78880-9077-4c74-ad5a-6868555f76a4"}"#;
const OFFICIAL_REQUEST: &str = include_str!("data/official-sdk-wire-request.json");

/// The keys the checker knows.
const KEYS: &[(&str, &[u8])] = &[(AK, SK.as_bytes())];

type CallResult = Result<ResponseValue<CreateConnectorResp>, Error>;

fn client(server: &TestServer, credentials: Credentials) -> Client {
    ClientConfig::new()
        .credentials(credentials)
        .project_id(PROJECT_ID)
        .endpoint(server.base_url())
        .build()
        .expect("a valid configuration")
}

fn node_cnt_2() -> CreateConnectorReq {
    CreateConnectorReq {
        node_cnt: Some(NodeCount::new(2).expect("2 is a valid count")),
        ..Default::default()
    }
}

async fn enable(client: &Client, instance_id: &str) -> CallResult {
    client
        .create_connector()
        .instance_id(instance_id)
        .body(node_cnt_2())
        .send()
        .await
}

/// One AK/SK call of the first example, and the request the server saw.
async fn signed_request() -> (RecordedRequest, TestServer) {
    let server = TestServer::start(Reply::json(200, EXAMPLE_RESPONSE));
    enable(&client(&server, Credentials::ak_sk(AK, SK)), INSTANCE_ID)
        .await
        .expect("the call succeeds");
    (server.single_request(), server)
}

fn check(request: &RecordedRequest) -> Verified {
    verify(request, KEYS).unwrap_or_else(|e| panic!("{e}\n{request:#?}"))
}

/// The `SignedHeaders=` list of the `Authorization` header.
fn signed_header_names(request: &RecordedRequest) -> Vec<String> {
    let authorization = request.header("authorization").expect("an Authorization");
    let list = authorization
        .split(", ")
        .find_map(|field| field.strip_prefix("SignedHeaders="))
        .expect("a SignedHeaders field");
    list.split(';').map(str::to_owned).collect()
}

fn set_header(request: &mut RecordedRequest, name: &str, value: &str) {
    let slot = request
        .headers
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("no {name} header"));
    slot.1 = value.to_owned();
}

#[tokio::test]
async fn ak_sk_request_verifies_and_signs_the_expected_headers() {
    let before = generated_client::signer::sdk_date(std::time::SystemTime::now());
    let (request, server) = signed_request().await;
    let after = generated_client::signer::sdk_date(std::time::SystemTime::now());

    let verified = check(&request);
    assert_eq!(verified.access_key, AK);
    for name in [
        "content-type",
        "host",
        "user-agent",
        "x-project-id",
        "x-sdk-date",
    ] {
        assert!(
            verified.signed_headers.iter().any(|h| h == name),
            "{name} is not signed: {:?}",
            verified.signed_headers
        );
    }
    assert_eq!(signed_header_names(&request), verified.signed_headers);
    let authorization = request.header_values("authorization");
    assert_eq!(authorization.len(), 1, "{authorization:?}");
    assert!(
        authorization[0].starts_with(&format!("SDK-HMAC-SHA256 Access={AK}, SignedHeaders=")),
        "{authorization:?}"
    );
    assert_eq!(request.header_values("x-project-id"), [PROJECT_ID]);
    assert_eq!(
        request.header_values("host"),
        [format!("127.0.0.1:{}", server.port())]
    );
    // Signed "now" (the format is fixed-width, so text order is time order).
    let date = request.header("x-sdk-date").expect("an X-Sdk-Date");
    assert!(
        before.as_str() <= date && date <= after.as_str(),
        "{before} <= {date} <= {after}"
    );
    assert!(request.header("x-security-token").is_none());
    assert!(request.header("x-auth-token").is_none());
    assert!(request.header("x-sdk-content-sha256").is_none());
}

/// A POST without content (disabling Smart Connect) says `Content-Length: 0`, as the official
/// SDK's does, and leaves it out of the signature; so does its retry, signed afresh.
#[tokio::test]
async fn a_post_without_content_sends_an_unsigned_zero_length_on_every_attempt() {
    let attempts = std::sync::atomic::AtomicUsize::new(0);
    let server = TestServer::start_with(move |_| {
        if attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            Reply::status(429)
        } else {
            Reply::json(200, r#"{"job_id":"7c3ec20c-11de-4df9-acc0-7ef1dea25dfe"}"#)
        }
    });
    let client = ClientConfig::new()
        .credentials(Credentials::ak_sk(AK, SK))
        .project_id(PROJECT_ID)
        .endpoint(server.base_url())
        .retry(
            generated_client::RetryPolicy::default()
                .first_delay(std::time::Duration::from_millis(10))
                .max_delay(std::time::Duration::from_millis(20)),
        )
        .build()
        .expect("a valid configuration");
    client
        .delete_connector()
        .instance_id(INSTANCE_ID)
        .send()
        .await
        .expect("the second attempt succeeds");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:#?}");
    for request in &requests {
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.header_values("content-length"),
            ["0"],
            "{request:#?}"
        );
        assert!(request.body.is_empty());
        let verified = check(request);
        assert!(
            !verified
                .signed_headers
                .iter()
                .any(|h| h == "content-length"),
            "{:?}",
            verified.signed_headers
        );
    }
}

#[tokio::test]
async fn temporary_credentials_send_and_sign_the_security_token() {
    let server = TestServer::start(Reply::json(200, EXAMPLE_RESPONSE));
    let credentials = Credentials::temporary(AK, SK, SECURITY_TOKEN);
    enable(&client(&server, credentials), INSTANCE_ID)
        .await
        .expect("the call succeeds");

    let request = server.single_request();
    assert_eq!(request.header_values("x-security-token"), [SECURITY_TOKEN]);
    let verified = check(&request);
    assert!(
        verified
            .signed_headers
            .iter()
            .any(|h| h == "x-security-token"),
        "{:?}",
        verified.signed_headers
    );
    assert!(
        verified
            .canonical_request
            .contains(&format!("\nx-security-token:{SECURITY_TOKEN}\n")),
        "{}",
        verified.canonical_request
    );
    // A swapped token is caught.
    let mut swapped = request.clone();
    set_header(&mut swapped, "x-security-token", "another-token");
    assert!(matches!(
        verify(&swapped, KEYS),
        Err(Rejection::SignatureMismatch { .. })
    ));
}

#[tokio::test]
async fn token_credentials_send_x_auth_token_and_no_signature() {
    let server = TestServer::start(Reply::json(200, EXAMPLE_RESPONSE));
    enable(&client(&server, Credentials::token(IAM_TOKEN)), INSTANCE_ID)
        .await
        .expect("the call succeeds");

    let request = server.single_request();
    assert_eq!(request.header_values("x-auth-token"), [IAM_TOKEN]);
    assert_eq!(request.header_values("x-project-id"), [PROJECT_ID]);
    for absent in [
        "authorization",
        "x-sdk-date",
        "x-sdk-content-sha256",
        "x-security-token",
    ] {
        assert!(
            request.header(absent).is_none(),
            "{absent} must not be sent with a token: {:?}",
            request.headers
        );
    }
    assert_eq!(verify(&request, KEYS), Err(Rejection::MissingAuthorization));
}

/// Instance ids that need encoding, and whether URL parsing would resolve them away.
const SPECIAL_IDS: [(&str, bool); 13] = [
    ("a/b", true),
    ("a%2Fb", true),
    ("50%", true),
    ("q?x=1", true),
    ("frag#x", true),
    ("sp ace", true),
    ("c:o@l", true),
    ("ünï-çødé", true),
    ("a+b=c&d", true),
    ("...", true),
    ("..", false),
    (".", false),
    ("", false),
];

#[tokio::test]
async fn special_instance_ids_arrive_as_one_verified_segment_or_are_refused() {
    let server = TestServer::start(Reply::json(200, EXAMPLE_RESPONSE));
    let client = client(&server, Credentials::ak_sk(AK, SK));
    for (id, sendable) in SPECIAL_IDS {
        {
            let seen = server.requests().len();
            let result = enable(&client, id).await;
            let requests = server.requests();
            let how = "call";
            if !sendable {
                match result {
                    Err(Error::InvalidRequest(message)) => {
                        // "instance_id: <why it is not one path segment>".
                        assert!(message.starts_with("instance_id: "), "{id:?}: {message}");
                    }
                    other => panic!("{how} {id:?}: expected InvalidRequest, got {other:?}"),
                }
                assert_eq!(
                    requests.len(),
                    seen,
                    "{how} {id:?}: nothing may be sent, got {:#?}",
                    &requests[seen..]
                );
                continue;
            }
            result.unwrap_or_else(|e| panic!("{how} {id:?}: {e}"));
            assert_eq!(requests.len(), seen + 1, "{how} {id:?}");
            let request = &requests[seen];
            let segments: Vec<&str> = request.path.split('/').collect();
            let ["", "v2", project, "instances", instance, "connector"] = segments.as_slice()
            else {
                panic!("{how} {id:?}: path {:?} lost its shape", request.path);
            };
            assert_eq!(*project, PROJECT_ID);
            let decoded = percent_decode_str(instance)
                .decode_utf8()
                .unwrap_or_else(|e| panic!("{how} {id:?}: {instance:?} is not UTF-8: {e}"));
            assert_eq!(decoded, id, "{how} {id:?}: the server decodes {instance:?}");
            assert_eq!(request.query, None, "{how} {id:?}");
            check(request);
        }
    }
}

#[tokio::test]
async fn tampered_requests_are_rejected() {
    let (original, _server) = signed_request().await;
    check(&original);

    let mismatch = |request: &RecordedRequest, what: &str| match verify(request, KEYS) {
        Err(Rejection::SignatureMismatch { .. }) => {}
        other => panic!("{what}: expected a signature mismatch, got {other:?}"),
    };

    let mut body = original.clone();
    body.body = br#"{"node_cnt":"3"}"#.to_vec();
    mismatch(&body, "a changed body");

    let mut one_byte = original.clone();
    let last = one_byte.body.len() - 1;
    one_byte.body[last] ^= 0x01;
    mismatch(&one_byte, "a body with one bit flipped");

    for (name, value) in [
        ("x-project-id", "proj-9876543210"),
        ("user-agent", "curl/8.0"),
        ("content-type", "application/json;charset=UTF-8"),
        ("accept", "*/*"),
        ("host", "127.0.0.1:1"),
        ("x-sdk-date", "20200101T000000Z"),
    ] {
        let mut changed = original.clone();
        set_header(&mut changed, name, value);
        mismatch(&changed, &format!("a changed {name}"));
    }

    let mut path = original.clone();
    path.path = path.path.replace("inst-1", "inst-2");
    mismatch(&path, "another instance in the path");

    let mut method = original.clone();
    method.method = "PUT".to_owned();
    mismatch(&method, "another method");

    let mut query = original.clone();
    query.query = Some("force=true".to_owned());
    mismatch(&query, "an added query");

    let mut dropped = original.clone();
    dropped
        .headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("x-project-id"));
    assert_eq!(
        verify(&dropped, KEYS),
        Err(Rejection::SignedHeaderMissing("x-project-id".to_owned()))
    );

    let mut doubled = original.clone();
    doubled
        .headers
        .push(("X-Project-Id".to_owned(), "proj-9876543210".to_owned()));
    assert_eq!(
        verify(&doubled, KEYS),
        Err(Rejection::DuplicateHeader("x-project-id".to_owned()))
    );

    let mut unsigned = original.clone();
    let authorization = unsigned
        .header("authorization")
        .expect("an Authorization")
        .replace("x-project-id;", "");
    set_header(&mut unsigned, "authorization", &authorization);
    assert_eq!(
        verify(&unsigned, KEYS),
        Err(Rejection::NotSigned("x-project-id".to_owned()))
    );

    mismatch_with_keys(&original, &[(AK, b"wrong-secret")]);
    assert_eq!(
        verify(&original, &[("another-ak", SK.as_bytes())]),
        Err(Rejection::UnknownAccessKey(AK.to_owned()))
    );

    // Headers that are not signed may change (proxies add and rewrite them).
    let mut relayed = original.clone();
    set_header(&mut relayed, "content-length", "16");
    relayed
        .headers
        .push(("X-Forwarded-For".to_owned(), "10.0.0.1".to_owned()));
    check(&relayed);
}

fn mismatch_with_keys(request: &RecordedRequest, keys: &[(&str, &[u8])]) {
    assert!(
        matches!(
            verify(request, keys),
            Err(Rejection::SignatureMismatch { .. })
        ),
        "a wrong secret key must not verify"
    );
}

#[tokio::test]
async fn request_matches_the_official_sdk_request() {
    let official: Value = serde_json::from_str(OFFICIAL_REQUEST).expect("JSON");
    let official = &official["request"];
    let official_header = |name: &str| -> &str {
        official["headers"]
            .as_array()
            .expect("a header list")
            .iter()
            .find(|h| h[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
            .and_then(|h| h[1].as_str())
            .unwrap_or_else(|| panic!("the official request has no {name}"))
    };

    let (request, _server) = signed_request().await;

    assert_eq!(request.method, official["method"]);
    assert_eq!(request.path, official["raw_request_target"]);
    assert_eq!(request.path, official["path"]);
    assert_eq!(request.query.as_deref().unwrap_or(""), official["query"]);
    assert_eq!(request.version, official["http_version"]);
    let official_body: Value =
        serde_json::from_str(official["body"].as_str().expect("a body")).expect("a JSON body");
    assert_eq!(request.body_json(), official_body);
    assert_eq!(official_body, json!({"node_cnt": "2"}));
    assert_eq!(
        request.header_values("content-type"),
        [official_header("content-type")]
    );
    assert_eq!(
        request.header_values("x-project-id"),
        [official_header("x-project-id")]
    );
    // Everything the SDK signs is signed here too.
    let official_signed = official_header("authorization")
        .split(", ")
        .find_map(|f| f.strip_prefix("SignedHeaders="))
        .expect("SignedHeaders");
    let ours = signed_header_names(&request);
    for name in official_signed.split(';') {
        assert!(
            ours.iter().any(|h| h == name),
            "{name} is signed by the SDK, not here: {ours:?}"
        );
    }
}

/// The official SDK's requests as recorded in `official-sdk-wire-request.json`.
fn official_requests() -> Vec<(&'static str, RecordedRequest, Value)> {
    let file: Value = serde_json::from_str(OFFICIAL_REQUEST).expect("JSON");
    let headers = |list: &Value| -> Vec<(String, String)> {
        list.as_array()
            .expect("a header list")
            .iter()
            .map(|h| {
                (
                    h[0].as_str().expect("a name").to_owned(),
                    h[1].as_str().expect("a value").to_owned(),
                )
            })
            .collect()
    };
    let main = &file["request"];
    let with_body = RecordedRequest {
        method: main["method"].as_str().expect("method").to_owned(),
        path: main["path"].as_str().expect("path").to_owned(),
        query: None,
        version: main["http_version"].as_str().expect("version").to_owned(),
        headers: headers(&main["headers"]),
        body: main["body"].as_str().expect("body").as_bytes().to_vec(),
    };
    let no_body = RecordedRequest {
        headers: headers(&file["request_no_body"]["headers"]),
        body: file["request_no_body"]["body"]
            .as_str()
            .expect("body")
            .as_bytes()
            .to_vec(),
        ..with_body.clone()
    };
    vec![
        ("request", with_body, file["signature_check"].clone()),
        ("request_no_body", no_body, Value::Null),
    ]
}

#[test]
fn checker_accepts_the_official_sdk_requests() {
    for (name, request, signature_check) in official_requests() {
        let verified = check(&request);
        if !signature_check.is_null() {
            assert_eq!(
                verified.canonical_request, signature_check["canonical_request"],
                "{name}"
            );
            assert_eq!(
                verified.string_to_sign, signature_check["string_to_sign"],
                "{name}"
            );
        }
        let mut tampered = request.clone();
        set_header(&mut tampered, "x-project-id", "proj-other");
        assert!(
            matches!(
                verify(&tampered, KEYS),
                Err(Rejection::SignatureMismatch { .. })
            ),
            "{name}"
        );
    }
}

/// An AK/SK request with its volatile values masked, for the snapshot.
#[derive(Serialize)]
struct SignedShape {
    method: String,
    path: String,
    query: Option<String>,
    http_version: String,
    headers: BTreeMap<String, String>,
    signed_headers: Vec<String>,
    canonical_request: String,
    string_to_sign: String,
    body_text: String,
}

#[tokio::test]
async fn ak_sk_request_shape() {
    let (request, server) = signed_request().await;
    let verified = check(&request);
    let date = request
        .header("x-sdk-date")
        .expect("an X-Sdk-Date")
        .to_owned();
    let signature = request
        .header("authorization")
        .and_then(|a| a.split("Signature=").nth(1))
        .expect("a Signature")
        .to_owned();
    assert_eq!(signature.len(), 64, "{signature}");
    let version = env!("CARGO_PKG_VERSION");
    let mask = |text: &str| -> String {
        text.replace(&format!(":{}", server.port()), ":[port]")
            .replace(&date, "[date]")
            .replace(&signature, "[signature]")
            .replace(
                &format!("generated-client/{version}"),
                "generated-client/[version]",
            )
    };
    let mut headers = BTreeMap::new();
    for (name, value) in &request.headers {
        let previous = headers.insert(name.to_ascii_lowercase(), mask(value));
        assert!(previous.is_none(), "{name} was sent twice");
    }
    // The string to sign holds the hash of the canonical request, which holds the date.
    let string_to_sign = match verified.string_to_sign.rsplit_once('\n') {
        Some((head, _hash)) => format!("{}\n[hash of the canonical request]", mask(head)),
        None => panic!("{}", verified.string_to_sign),
    };
    let shape = SignedShape {
        method: request.method.clone(),
        path: request.path.clone(),
        query: request.query.clone(),
        http_version: request.version.clone(),
        headers,
        signed_headers: verified.signed_headers.clone(),
        canonical_request: mask(&verified.canonical_request),
        string_to_sign,
        body_text: String::from_utf8_lossy(&request.body).into_owned(),
    };
    insta::assert_yaml_snapshot!(shape);
}
