//! Properties of the AK/SK signer, checked against the server-side verifier of the local DMS
//! (`generated_client::local_dms::verify_signature`, through `support::verify`):
//!
//! - for arbitrary paths (any Unicode in a segment, `/ % ? #` and spaces included, encoded the
//!   way progenitor does, strictly, or sent raw), queries, header values (visible ASCII with
//!   surrounding spaces), content types and bodies (bytes or JSON), what
//!   [`signer::sign`] produces verifies on the server side, with the same canonical request;
//! - no input makes the signer panic, not even a clock outside the years 0000-9999;
//! - a one-byte change to a signed body, or a change to a signed header value, fails
//!   verification (while a body sent as `UNSIGNED-PAYLOAD` or an unsigned header may change);
//! - through the whole client, an arbitrary instance id arrives as one verified path segment,
//!   or is refused before sending when URL parsing would change the path.
//!
//! Case counts are kept modest so the suite stays fast on two cores.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use generated_client::local_dms::{Rejection, Verified};
use generated_client::signer::{self, RequestParts, Signed};
use generated_client::types::CreateConnectorReq;
use generated_client::{Client, ClientConfig, Credentials, Error};
use percent_encoding::{NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sha2::{Digest, Sha256};
use support::RecordedRequest;
use support::verify;
use support::{Reply, TestServer};

const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "ExampleSecretKey0123456789abcdefghijklmn";
const KEYS: &[(&str, &[u8])] = &[(AK, SK.as_bytes())];

/// Headers the generated requests get from elsewhere (or that the signer adds).
const RESERVED: [&str; 8] = [
    "host",
    "x-project-id",
    "x-security-token",
    "authorization",
    "x-sdk-date",
    "x-sdk-content-sha256",
    "content-type",
    "content-length",
];

/// Content types whose body is signed (absent included).
const SIGNED_BODY_TYPES: [Option<&str>; 4] = [
    None,
    Some("application/json"),
    Some("application/json;charset=UTF-8"),
    Some("application/bson"),
];
/// Content types whose body the SDK leaves out of the signature.
const UNSIGNED_BODY_TYPES: [&str; 3] = [
    "application/octet-stream",
    "text/plain",
    "multipart/form-data; boundary=x",
];

/// One request as its sender knows it: what goes into the signer, and onto the wire.
#[derive(Clone, Debug)]
struct Logical {
    /// As given to the signer (any case); upper case on the wire.
    method: String,
    host: String,
    /// The path as sent (already percent-encoded).
    path: String,
    /// Decoded pairs.
    query: Vec<(String, String)>,
    /// As given to the signer and sent (values untrimmed).
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    now: SystemTime,
}

impl Logical {
    fn sign(&self) -> Signed {
        let parts = RequestParts::new(
            &self.method,
            &self.host,
            &self.path,
            &self.query,
            &self.headers,
            &self.body,
        );
        signer::sign(&parts, AK, SK.as_bytes(), self.now)
    }

    /// The request as the server reads it, with the signer's headers and `Host` added.
    fn on_the_wire(&self, signed: &Signed) -> RecordedRequest {
        let query = (!self.query.is_empty()).then(|| {
            self.query
                .iter()
                .map(|(k, v)| format!("{}={}", strict(k), strict(v)))
                .collect::<Vec<_>>()
                .join("&")
        });
        let mut headers = vec![("Host".to_owned(), self.host.clone())];
        headers.extend(self.headers.iter().cloned());
        headers.extend(
            signed
                .headers
                .iter()
                .map(|(name, value)| ((*name).to_owned(), value.clone())),
        );
        headers.push(("Content-Length".to_owned(), self.body.len().to_string()));
        RecordedRequest {
            method: self.method.to_ascii_uppercase(),
            path: self.path.clone(),
            query,
            version: "HTTP/1.1".to_owned(),
            headers,
            body: self.body.clone(),
        }
    }

    fn content_type(&self) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str())
    }
}

/// Every byte but `A-Z a-z 0-9` percent-encoded.
fn strict(text: &str) -> String {
    utf8_percent_encode(text, NON_ALPHANUMERIC).to_string()
}

/// A path segment: arbitrary Unicode, or short strings rich in `/ % ? # . space`.
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        "(?s).{0,10}",
        "[a-z0-9/%?# .~:@+=&-]{0,8}",
        Just(".".to_owned()),
        Just("..".to_owned()),
    ]
}

/// A path as sent: segments encoded like progenitor's `encode_path`, strictly, or raw
/// visible ASCII (which may hold `%` escapes of its own, valid or not).
fn wire_path() -> impl Strategy<Value = String> {
    let encoded = (prop::collection::vec(segment(), 1..5), any::<bool>()).prop_map(
        |(segments, progenitor)| {
            segments
                .iter()
                .map(|s| {
                    if progenitor {
                        progenitor_client::encode_path(s)
                    } else {
                        strict(s)
                    }
                })
                .collect::<Vec<_>>()
        },
    );
    let raw = prop::collection::vec("[!-~&&[^?#/]]{0,10}", 1..5);
    (prop_oneof![encoded, raw], any::<bool>()).prop_map(|(segments, trailing_slash)| {
        let mut path = format!("/{}", segments.join("/"));
        if trailing_slash {
            path.push('/');
        }
        path
    })
}

/// Visible ASCII with up to two spaces either side.
fn header_value() -> impl Strategy<Value = String> {
    " {0,2}[!-~]([ -~]{0,14}[!-~])? {0,2}|[ ]{0,3}"
}

/// Extra headers: distinct names (some with `_`, which are never signed), none reserved.
fn extra_headers() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(("[A-Za-z][A-Za-z0-9_-]{0,10}", header_value()), 0..5).prop_map(
        |headers| {
            let mut by_name = BTreeMap::new();
            for (name, value) in headers {
                let lower = name.to_ascii_lowercase();
                if !RESERVED.contains(&lower.as_str()) {
                    by_name.entry(lower).or_insert((name, value));
                }
            }
            by_name.into_values().collect()
        },
    )
}

/// Arbitrary bytes, or a JSON object.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let json = prop::collection::btree_map("\\PC{0,6}", "\\PC{0,8}", 0..4).prop_map(|map| {
        let value: serde_json::Map<String, serde_json::Value> = map
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        serde_json::to_vec(&value).expect("a JSON object serialises")
    });
    prop_oneof![prop::collection::vec(any::<u8>(), 0..96), json]
}

/// A time between 2000 and 2099.
fn now() -> impl Strategy<Value = SystemTime> {
    (946_684_800u64..4_102_444_800).prop_map(|secs| UNIX_EPOCH + Duration::from_secs(secs))
}

/// A whole request, with `content_type` chosen by the caller.
fn logical(content_type: impl Strategy<Value = Option<String>>) -> impl Strategy<Value = Logical> {
    let query = prop::collection::vec(("(?s).{0,6}", "(?s).{0,8}"), 0..4);
    let method = prop::sample::select(vec!["GET", "post", "Put", "DELETE", "patch"]);
    let host = prop::sample::select(vec![
        "dms.eu-west-101.myhuaweicloud.eu",
        "127.0.0.1:37111",
        "[::1]:8443",
    ]);
    let credentials_headers = (
        header_value(),
        proptest::option::of(header_value()),
        // A date the caller set already, padded with spaces or not.
        proptest::option::of((" {0,2}", " {0,2}")),
    );
    (
        method,
        host,
        wire_path(),
        query,
        extra_headers(),
        credentials_headers,
        content_type,
        body(),
        now(),
    )
        .prop_map(
            |(
                method,
                host,
                path,
                query,
                extra,
                (project, token, date),
                content_type,
                body,
                now,
            )| {
                let mut headers = extra;
                headers.push(("X-Project-Id".to_owned(), project));
                if let Some(token) = token {
                    headers.push(("X-Security-Token".to_owned(), token));
                }
                if let Some((before, after)) = date {
                    let date = format!("{before}{}{after}", signer::sdk_date(now));
                    headers.push(("X-Sdk-Date".to_owned(), date));
                }
                if let Some(content_type) = content_type {
                    headers.push(("Content-Type".to_owned(), content_type));
                }
                Logical {
                    method: method.to_owned(),
                    host: host.to_owned(),
                    path,
                    query,
                    headers,
                    body,
                    now,
                }
            },
        )
}

fn any_content_type() -> impl Strategy<Value = Option<String>> {
    let all: Vec<Option<String>> = SIGNED_BODY_TYPES
        .iter()
        .map(|t| t.map(str::to_owned))
        .chain(UNSIGNED_BODY_TYPES.iter().map(|t| Some((*t).to_owned())))
        .collect();
    prop::sample::select(all)
}

fn signed_body_content_type() -> impl Strategy<Value = Option<String>> {
    prop::sample::select(
        SIGNED_BODY_TYPES
            .iter()
            .map(|t| t.map(str::to_owned))
            .collect::<Vec<_>>(),
    )
}

fn unsigned_body_content_type() -> impl Strategy<Value = Option<String>> {
    prop::sample::select(UNSIGNED_BODY_TYPES.to_vec()).prop_map(|t| Some(t.to_owned()))
}

fn verifies(request: &RecordedRequest) -> Result<Verified, TestCaseError> {
    verify(request, KEYS).map_err(|e| TestCaseError::fail(format!("{e}\n{request:#?}")))
}

fn is_signature_mismatch(result: &Result<Verified, Rejection>) -> bool {
    matches!(result, Err(Rejection::SignatureMismatch { .. }))
}

proptest! {
    #![proptest_config(Config::with_cases(128))]

    #[test]
    fn signed_requests_verify_with_the_same_canonical_request(request in logical(any_content_type())) {
        let signed = request.sign();
        let verified = verifies(&request.on_the_wire(&signed))?;
        prop_assert_eq!(&verified.canonical_request, &signed.canonical_request);
        prop_assert_eq!(&verified.string_to_sign, &signed.string_to_sign);
        let unsigned_body = request
            .content_type()
            .is_some_and(|t| UNSIGNED_BODY_TYPES.contains(&t));
        prop_assert_eq!(
            signed.headers.iter().any(|(n, v)| *n == "X-Sdk-Content-Sha256" && v == "UNSIGNED-PAYLOAD"),
            unsigned_body
        );
    }

    #[test]
    fn a_one_byte_change_to_a_signed_body_fails(
        request in logical(signed_body_content_type()),
        at in any::<Index>(),
        flip in 1u8..,
    ) {
        let signed = request.sign();
        let mut wire = request.on_the_wire(&signed);
        verifies(&wire)?;
        if wire.body.is_empty() {
            wire.body.push(flip);
        } else {
            let at = at.index(wire.body.len());
            wire.body[at] ^= flip;
        }
        let result = verify(&wire, KEYS);
        prop_assert!(is_signature_mismatch(&result), "{:?}", result);
    }

    #[test]
    fn an_unsigned_payload_may_change_but_not_appear(
        request in logical(unsigned_body_content_type()),
        at in any::<Index>(),
        flip in 1u8..,
    ) {
        let signed = request.sign();
        let mut wire = request.on_the_wire(&signed);
        verifies(&wire)?;
        if wire.body.is_empty() {
            // An empty body is signed as empty even then: adding one is caught.
            wire.body.push(flip);
            let result = verify(&wire, KEYS);
            prop_assert!(is_signature_mismatch(&result), "{:?}", result);
        } else {
            // UNSIGNED-PAYLOAD: the body is outside the signature, by design.
            let at = at.index(wire.body.len());
            wire.body[at] ^= flip;
            verifies(&wire)?;
        }
    }

    #[test]
    fn changing_a_signed_header_value_fails_and_an_unsigned_one_does_not(
        request in logical(any_content_type()),
        which in any::<Index>(),
    ) {
        let signed = request.sign();
        let wire = request.on_the_wire(&signed);
        verifies(&wire)?;
        let which = which.index(request.headers.len());
        let (name, value) = &request.headers[which];
        let mut changed = wire.clone();
        let slot = changed
            .headers
            .iter_mut()
            .find(|(n, _)| n == name)
            .expect("the header is on the wire");
        slot.1 = format!("{}!", value.trim());
        let result = verify(&changed, KEYS);
        if name.contains('_') {
            prop_assert!(result.is_ok(), "{} is not signed: {:?}", name, result);
        } else {
            prop_assert!(is_signature_mismatch(&result) || matches!(result, Err(Rejection::BadDate(_))),
                "{}: {:?}", name, result);
        }
    }

    #[test]
    fn the_signer_never_panics(
        method in "(?s).{0,8}",
        host in "(?s).{0,16}",
        path in "(?s).{0,40}",
        query in prop::collection::vec(("(?s).{0,6}", "(?s).{0,6}"), 0..4),
        headers in prop::collection::vec(("(?s).{0,12}", "(?s).{0,16}"), 0..6),
        body in prop::collection::vec(any::<u8>(), 0..64),
        secs in any::<i64>(),
        nanos in 0u32..1_000_000_000,
    ) {
        let offset = Duration::new(secs.unsigned_abs(), nanos);
        let now = if secs >= 0 {
            UNIX_EPOCH.checked_add(offset)
        } else {
            UNIX_EPOCH.checked_sub(offset)
        }
        .unwrap_or(UNIX_EPOCH);
        let parts = RequestParts::new(
            &method,
            &host,
            &path,
            &query,
            &headers,
            &body,
        );
        let signed = signer::sign(&parts, AK, SK.as_bytes(), now);
        prop_assert!(signed.headers.iter().any(|(n, _)| *n == "Authorization"));
        let date = signed
            .headers
            .iter()
            .find(|(n, _)| *n == signer::DATE_HEADER)
            .map(|(_, v)| v.clone())
            .or_else(|| {
                headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(signer::DATE_HEADER))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .expect("a date, added or given");
        let head = format!("SDK-HMAC-SHA256\n{date}\n");
        prop_assert!(signed.string_to_sign.starts_with(&head), "{:?}", signed.string_to_sign);
    }
}

#[test]
fn a_given_date_with_spaces_is_signed_as_sent() {
    // HTTP strips the spaces around a header value, so the server signs the bare date.
    let request = Logical {
        method: "POST".to_owned(),
        host: "dms.eu-west-101.myhuaweicloud.eu".to_owned(),
        path: "/v2/p/instances/i/connector".to_owned(),
        query: Vec::new(),
        headers: vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("X-Sdk-Date".to_owned(), "  20240102T030405Z ".to_owned()),
        ],
        body: br#"{"node_cnt":"2"}"#.to_vec(),
        now: UNIX_EPOCH,
    };
    let signed = request.sign();
    assert!(
        signed
            .string_to_sign
            .starts_with("SDK-HMAC-SHA256\n20240102T030405Z\n"),
        "{:?}",
        signed.string_to_sign
    );
    verify(&request.on_the_wire(&signed), KEYS).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_given_content_hash_is_used_as_sent() {
    let body = br#"{"node_cnt":"2"}"#.to_vec();
    let hash = format!("{:x}", Sha256::digest(&body));
    for given in [format!(" {hash}  "), hash.clone(), String::new()] {
        let request = Logical {
            method: "POST".to_owned(),
            host: "dms.eu-west-101.myhuaweicloud.eu".to_owned(),
            path: "/v2/p/instances/i/connector".to_owned(),
            query: Vec::new(),
            headers: vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("X-Sdk-Content-Sha256".to_owned(), given.clone()),
            ],
            body: body.clone(),
            now: UNIX_EPOCH,
        };
        let signed = request.sign();
        // As the SDK: the (trimmed) header value stands for the body; an empty one does not.
        assert!(
            signed.canonical_request.ends_with(&format!("\n{hash}")),
            "{given:?}: {:?}",
            signed.canonical_request
        );
        verify(&request.on_the_wire(&signed), KEYS).unwrap_or_else(|e| panic!("{given:?}: {e}"));
    }
}

#[test]
fn clocks_outside_the_years_0000_to_9999_do_not_panic() {
    let far = Duration::from_secs(400_000 * 365 * 86_400);
    for now in [
        UNIX_EPOCH + far,
        UNIX_EPOCH - far,
        UNIX_EPOCH - Duration::from_millis(500),
    ] {
        let date = signer::sdk_date(now);
        assert_eq!(date.len(), 16, "{date}");
        assert!(date.bytes().all(|b| b.is_ascii_alphanumeric()), "{date}");
    }
    assert_eq!(signer::sdk_date(UNIX_EPOCH + far), "99991231T235959Z");
    assert_eq!(signer::sdk_date(UNIX_EPOCH - far), "00000101T000000Z");
    assert_eq!(
        signer::sdk_date(UNIX_EPOCH - Duration::from_millis(500)),
        "19691231T235959Z"
    );
}

#[test]
fn an_encoded_slash_signs_like_a_slash() {
    // A property of the algorithm (the SDK's too): the path is decoded before it is split, so
    // `a%2Fb` (one segment) and `a/b` (two) have one canonical URI. A signature does not tell
    // them apart; the server must route on the same path it verified.
    let encoded = signer::canonical_uri("/v2/p/instances/a%2Fb/connector");
    let split = signer::canonical_uri("/v2/p/instances/a/b/connector");
    assert_eq!(encoded, split);
    assert_eq!(encoded, "/v2/p/instances/a/b/connector/");
}

/// Whether URL parsing would change the path for this path parameter (a `\\` is a `/` to
/// it); `PathSegment` refuses these.
fn resolved_away(id: &str) -> bool {
    matches!(id, "" | "." | "..") || id.contains('\\')
}

/// A blocking runtime, a test server answering success, and an AK/SK client for it.
fn ak_sk_client() -> (tokio::runtime::Runtime, TestServer, Client) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let server = TestServer::start(Reply::json(200, r#"{"job_id":"j","connector_id":"c"}"#));
    let client = ClientConfig::new()
        .credentials(Credentials::ak_sk(AK, SK))
        .project_id("proj-0123456789")
        .endpoint(server.base_url())
        .build()
        .expect("a valid configuration");
    (runtime, server, client)
}

#[test]
fn arbitrary_instance_ids_arrive_as_one_verified_segment_or_are_refused() {
    let (runtime, server, client) = ak_sk_client();
    let ids = prop_oneof![
        "(?s).{0,10}",
        "[./\\\\%?# ]{0,4}",
        prop::sample::select(vec!["", ".", "..", "...", "a\\b", "%2e", "%2E%2e"])
            .prop_map(str::to_owned),
    ];
    let mut runner = TestRunner::new(Config::with_cases(48));
    let result = runner.run(&ids, |id| {
        let seen = server.requests().len();
        let result = runtime.block_on(
            client
                .create_connector()
                .instance_id(id.as_str())
                .body(CreateConnectorReq::default())
                .send(),
        );
        let requests = server.requests();
        if resolved_away(&id) {
            prop_assert!(
                matches!(result, Err(Error::InvalidRequest(_))),
                "{:?}: {:?}",
                id,
                result.map(|_| ())
            );
            prop_assert_eq!(requests.len(), seen, "{:?} was sent", id);
            return Ok(());
        }
        prop_assert!(result.is_ok(), "{:?}: {:?}", id, result.map(|_| ()));
        prop_assert_eq!(requests.len(), seen + 1);
        let request = &requests[seen];
        let segments: Vec<&str> = request.path.split('/').collect();
        prop_assert_eq!(segments.len(), 6, "{:?} -> {}", id, request.path);
        let decoded = percent_decode_str(segments[4]).decode_utf8_lossy();
        prop_assert_eq!(decoded.as_ref(), id.as_str(), "{}", request.path);
        verifies(request)?;
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn a_backslash_alone_is_refused_before_sending() {
    let (runtime, server, client) = ak_sk_client();
    for id in ["a\\b", "\\", "x\\", "\\..", "..\\"] {
        let result = runtime.block_on(client.create_connector().instance_id(id).send());
        assert!(
            matches!(result, Err(Error::InvalidRequest(_))),
            "{id:?}: {:?}",
            result.map(|_| ())
        );
    }
    assert_eq!(server.requests(), []);
}

/// URL parsing turns a `\\` in a path parameter into `/` (adding a segment) and resolves a `.`
/// segment (removing one); together they keep the segment count, so a check on the built URL
/// cannot see that `.\\x` would go to `/instances/x/connector` or
/// `..\\..\\other-project\\instances\\z` to `/v2/other-project/instances/z/connector`.
/// `PathSegment` refuses such values before the URL is built.
#[test]
fn a_backslash_next_to_a_dot_segment_is_refused() {
    let (runtime, server, client) = ak_sk_client();
    for id in [
        ".\\x",
        "x\\..\\y",
        ".\\ ",
        "..\\..\\other-project\\instances\\z",
    ] {
        let result = runtime.block_on(client.create_connector().instance_id(id).send());
        assert!(
            matches!(result, Err(Error::InvalidRequest(_))),
            "{id:?}: {:?}",
            result.map(|_| ())
        );
    }
    assert_eq!(server.requests(), []);
}
