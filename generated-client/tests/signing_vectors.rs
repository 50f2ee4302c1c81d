//! The official SDK's signing vectors (`tests/data/signing-vectors.json`, produced by the
//! Python SDK's signer), reproduced byte for byte by [`generated_client::signer::sign`]:
//! canonical request, string to sign, `Authorization` and every header the signer adds.
//!
//! Only the `SDK-HMAC-SHA256` algorithm is implemented; the vectors of the optional
//! `SDK-HMAC-SM3` and `V11-HMAC-SHA256` algorithms are skipped, and a test makes sure they
//! are the only ones skipped, so a new `SDK-HMAC-SHA256` vector is always checked. The
//! local DMS's verifier (`generated_client::local_dms::verify_signature`) must accept every
//! vector as the official SDK sent it, which checks the verifier's reading of the wire
//! against the official SDK too.

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use generated_client::local_dms::Rejection;
use generated_client::signer::{self, RequestParts};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use support::RecordedRequest;
use support::verify;

const VECTORS: &str = include_str!("data/signing-vectors.json");

/// Vectors of algorithms this crate does not implement, by name.
const OUT_OF_SCOPE: [&str; 2] = ["derived_v11_hmac_sha256", "sm3_sdk_hmac_sm3"];

/// Headers the signer itself may add (`Host` is added by the HTTP library on the wire).
const ADDED_BY_SIGNER: [&str; 3] = ["X-Sdk-Date", "X-Sdk-Content-Sha256", "Authorization"];

fn file() -> Value {
    serde_json::from_str(VECTORS).expect("signing-vectors.json is JSON")
}

fn text<'v>(value: &'v Value, key: &str) -> &'v str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {value}"))
}

/// The algorithm of a vector: the first word of its `Authorization` output.
fn algorithm(vector: &Value) -> &str {
    let authorization = text(&vector["output"]["headers"], "Authorization");
    authorization.split(' ').next().unwrap_or_default()
}

/// `YYYYMMDDTHHMMSSZ` as a time.
fn parse_sdk_date(date: &str) -> SystemTime {
    assert_eq!(date.len(), 16, "{date}");
    let number = |range: std::ops::Range<usize>| -> u32 {
        date[range]
            .parse()
            .unwrap_or_else(|e| panic!("{date}: {e}"))
    };
    let year = i32::try_from(number(0..4)).expect("a four-digit year");
    let month = time::Month::try_from(u8::try_from(number(4..6)).expect("month")).expect("month");
    let day = u8::try_from(number(6..8)).expect("day");
    let [hour, minute, second] =
        [9..11, 11..13, 13..15].map(|r| u8::try_from(number(r)).expect("time field"));
    let date_time = time::PrimitiveDateTime::new(
        time::Date::from_calendar_date(year, month, day).expect("a valid date"),
        time::Time::from_hms(hour, minute, second).expect("a valid time"),
    );
    SystemTime::from(date_time.assume_utc())
}

/// A JSON scalar as the SDK prints it into a query (`str()`, booleans lower-case).
fn query_scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => panic!("unsupported query value {other}"),
    }
}

/// The vector's query as `(key, value)` pairs: a list gives one pair per element.
fn query_pairs(query: &Value) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for item in query.as_array().expect("query is a list") {
        let [key, value] = item.as_array().expect("a [key, value] pair").as_slice() else {
            panic!("a query item is not [key, value]: {item}");
        };
        let key = key.as_str().expect("a string key").to_owned();
        match value {
            Value::Array(values) => {
                pairs.extend(values.iter().map(|v| (key.clone(), query_scalar(v))));
            }
            scalar => pairs.push((key, query_scalar(scalar))),
        }
    }
    pairs
}

fn header_list(headers: &Value) -> Vec<(String, String)> {
    headers
        .as_object()
        .expect("headers are an object")
        .iter()
        .map(|(name, value)| {
            let value = value.as_str().expect("a string header value");
            (name.clone(), value.to_owned())
        })
        .collect()
}

fn has_header(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// Headers the SDK's credentials set before signing, which the vector's `input` leaves out:
/// `BasicCredentials` sets `X-Project-Id`, temporary credentials `X-Security-Token`. Any other
/// header in the output that the input lacks must be one the signer adds.
fn credential_headers(vector: &Value, project_id: &str) -> Vec<(String, String)> {
    let input = header_list(&vector["input"]["headers"]);
    let output = header_list(&vector["output"]["headers"]);
    let mut extra = Vec::new();
    for (name, value) in &output {
        if has_header(&input, name)
            || name.eq_ignore_ascii_case("host")
            || ADDED_BY_SIGNER.iter().any(|a| a.eq_ignore_ascii_case(name))
        {
            continue;
        }
        match name.to_ascii_lowercase().as_str() {
            "x-project-id" => {
                assert_eq!(value, project_id, "{}: X-Project-Id", vector["name"]);
            }
            "x-security-token" => {}
            _ => panic!(
                "{}: output header {name} is neither in the input nor set by credentials or the signer",
                vector["name"]
            ),
        }
        extra.push((name.clone(), value.clone()));
    }
    extra
}

/// Signs a vector's input and returns every difference from its outputs.
fn check_vector(vector: &Value, project_id: &str, fixed_date: SystemTime) -> Vec<String> {
    let name = text(vector, "name");
    let input = &vector["input"];
    let output = &vector["output"];
    let mut headers = header_list(&input["headers"]);
    headers.extend(credential_headers(vector, project_id));
    let query = query_pairs(&input["query"]);
    let body = match &input["body"] {
        Value::Null => Vec::new(),
        Value::String(body) => body.clone().into_bytes(),
        other => panic!("{name}: unsupported body {other}"),
    };
    // Without X-Sdk-Date the SDK used the (monkeypatched) clock: the file's fixed date. With
    // one, `now` is a time far away, so using it instead of the header would show.
    let now = if has_header(&headers, signer::DATE_HEADER) {
        UNIX_EPOCH + Duration::from_secs(1)
    } else {
        fixed_date
    };
    let parts = RequestParts::new(
        text(input, "method"),
        text(input, "host"),
        text(input, "path"),
        &query,
        &headers,
        &body,
    );
    let signed = signer::sign(&parts, text(input, "ak"), text(input, "sk").as_bytes(), now);

    let mut problems = Vec::new();
    let mut expect = |what: &str, got: &str, want: &str| {
        if got != want {
            problems.push(format!("{name}: {what}\n  got:  {got:?}\n  want: {want:?}"));
        }
    };
    expect(
        "canonical request",
        &signed.canonical_request,
        text(vector, "canonical_request"),
    );
    expect(
        "string to sign",
        &signed.string_to_sign,
        text(vector, "string_to_sign"),
    );

    // The headers the signer returns are exactly the output's headers that neither the
    // input nor the credentials had, except Host.
    let mut want_added: Vec<(String, String)> = header_list(&output["headers"])
        .into_iter()
        .filter(|(n, _)| !has_header(&headers, n) && !n.eq_ignore_ascii_case("host"))
        .collect();
    want_added.sort();
    let mut got_added: Vec<(String, String)> = signed
        .headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.clone()))
        .collect();
    got_added.sort();
    expect(
        "added headers",
        &format!("{got_added:?}"),
        &format!("{want_added:?}"),
    );
    let authorization = signed
        .headers
        .iter()
        .find(|(n, _)| *n == "Authorization")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    expect(
        "Authorization",
        authorization,
        text(&output["headers"], "Authorization"),
    );

    // The path goes on the wire as given; the query as the canonical query.
    let uri_on_wire = text(output, "uri_on_wire");
    let (wire_path, wire_query) = uri_on_wire.split_once('?').unwrap_or((uri_on_wire, ""));
    expect("path on the wire", wire_path, text(input, "path"));
    expect(
        "query on the wire",
        &signer::canonical_query(&query),
        wire_query,
    );
    problems
}

#[test]
fn every_sdk_hmac_sha256_vector_is_reproduced() {
    let file = file();
    let project_id = text(&file, "project_id");
    let fixed_date = parse_sdk_date(text(&file, "fixed_date"));
    assert_eq!(signer::sdk_date(fixed_date), text(&file, "fixed_date"));

    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for vector in file["vectors"].as_array().expect("a vector list") {
        if algorithm(vector) != signer::ALGORITHM {
            continue;
        }
        checked.push(text(vector, "name"));
        problems.extend(check_vector(vector, project_id, fixed_date));
    }
    assert!(
        problems.is_empty(),
        "{} difference(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    // Every vector not named out of scope was checked (at least the nine of SIGNING.md).
    let in_scope: Vec<&str> = file["vectors"]
        .as_array()
        .expect("a vector list")
        .iter()
        .map(|v| text(v, "name"))
        .filter(|name| !OUT_OF_SCOPE.contains(name))
        .collect();
    assert_eq!(checked, in_scope);
    assert!(checked.len() >= 9, "{checked:?}");
}

#[test]
fn only_the_sm3_and_v11_vectors_are_skipped() {
    let file = file();
    let vectors = file["vectors"].as_array().expect("a vector list");
    let mut skipped: Vec<&str> = vectors
        .iter()
        .filter(|v| algorithm(v) != signer::ALGORITHM)
        .map(|v| text(v, "name"))
        .collect();
    skipped.sort_unstable();
    assert_eq!(
        skipped, OUT_OF_SCOPE,
        "vectors skipped as not SDK-HMAC-SHA256"
    );
    for vector in vectors {
        let name = text(vector, "name");
        let algorithm = algorithm(vector);
        let expected = match name {
            "derived_v11_hmac_sha256" => "V11-HMAC-SHA256",
            "sm3_sdk_hmac_sm3" => "SDK-HMAC-SM3",
            _ => signer::ALGORITHM,
        };
        assert_eq!(algorithm, expected, "{name}");
        // The string to sign names the same algorithm: no vector is mislabelled.
        assert!(
            text(vector, "string_to_sign").starts_with(&format!("{expected}\n")),
            "{name}"
        );
    }
}

#[test]
fn the_v11_vector_shares_the_sdk_hmac_sha256_canonical_request() {
    // V11 only changes the string to sign and the key; the canonical request is the same.
    let file = file();
    let vector = file["vectors"]
        .as_array()
        .expect("a vector list")
        .iter()
        .find(|v| v["name"] == "derived_v11_hmac_sha256")
        .expect("the V11 vector");
    let input = &vector["input"];
    let headers = header_list(&input["headers"]);
    let body = text(input, "body").as_bytes();
    let query = query_pairs(&input["query"]);
    let parts = RequestParts::new(
        text(input, "method"),
        text(input, "host"),
        text(input, "path"),
        &query,
        &headers,
        body,
    );
    let signed = signer::sign(&parts, text(input, "ak"), b"unused", UNIX_EPOCH);
    assert_eq!(signed.canonical_request, text(vector, "canonical_request"));
}

#[test]
fn the_vector_without_a_date_is_signed_at_the_fixed_date() {
    let file = file();
    let vector = file["vectors"]
        .as_array()
        .expect("a vector list")
        .iter()
        .find(|v| !has_header(&header_list(&v["input"]["headers"]), "X-Sdk-Date"))
        .expect("a vector without X-Sdk-Date");
    assert_eq!(vector["name"], "no_date_header_monkeypatched_utcnow");
    let fixed = parse_sdk_date(text(&file, "fixed_date"));
    assert!(check_vector(vector, text(&file, "project_id"), fixed).is_empty());
    // One second later is another signature: the date really comes from `now`.
    let later = check_vector(
        vector,
        text(&file, "project_id"),
        fixed + Duration::from_secs(1),
    );
    assert!(
        later.iter().any(|p| p.contains("Authorization")),
        "{later:?}"
    );
}

#[test]
fn doc_cross_check_signature() {
    let file = file();
    let check = &file["doc_cross_check"];
    let mut mac =
        Hmac::<Sha256>::new_from_slice(text(check, "sk").as_bytes()).expect("any key length");
    mac.update(text(check, "string_to_sign").as_bytes());
    let signature: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(signature, text(check, "signature"));
    assert_eq!(signature, text(check, "expected_signature_in_doc"));
}

#[test]
fn the_verifier_accepts_every_vector() {
    let file = file();
    for vector in file["vectors"].as_array().expect("a vector list") {
        let name = text(vector, "name");
        let input = &vector["input"];
        let output = &vector["output"];
        let uri_on_wire = text(output, "uri_on_wire");
        let (path, query) = match uri_on_wire.split_once('?') {
            Some((path, query)) => (path, Some(query.to_owned())),
            None => (uri_on_wire, None),
        };
        let request = RecordedRequest {
            method: text(input, "method").to_owned(),
            path: path.to_owned(),
            query,
            version: "HTTP/1.1".to_owned(),
            headers: header_list(&output["headers"]),
            body: input["body"]
                .as_str()
                .map(|b| b.as_bytes().to_vec())
                .unwrap_or_default(),
        };
        let sk = text(input, "sk").as_bytes();
        let result = verify(&request, &[(text(input, "ak"), sk)]);
        if algorithm(vector) == signer::ALGORITHM {
            let verified = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                verified.canonical_request,
                text(vector, "canonical_request"),
                "{name}"
            );
            assert_eq!(
                verified.string_to_sign,
                text(vector, "string_to_sign"),
                "{name}"
            );
        } else {
            // The verifier knows only SDK-HMAC-SHA256 and says so.
            assert!(
                matches!(result, Err(Rejection::UnsupportedAlgorithm(_))),
                "{name}: {result:?}"
            );
        }
    }
}
