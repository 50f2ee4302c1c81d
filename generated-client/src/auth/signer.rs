//! SDK-HMAC-SHA256: the AK/SK request signature of Huawei Cloud and T Cloud Public.
//!
//! Independent of HTTP: [`sign`] takes a [`RequestParts`] (method, path as sent, decoded
//! query pairs, headers, body) and returns the headers to add. The steps follow the official
//! SDK signer and reproduce its test vectors byte for byte:
//!
//! 1. canonical request: method, canonical URI (path percent-decoded, each segment re-encoded
//!    with only `A-Z a-z 0-9 - _ . ~` left as is, `/` appended), canonical query (pairs sorted,
//!    encoded the same way), canonical headers (names without `_`, lower-cased, values
//!    trimmed, sorted; `host` from the URL unless given), signed header names, and the hex
//!    SHA-256 of the body (or `UNSIGNED-PAYLOAD` for content that is not JSON/BSON);
//! 2. string to sign: `SDK-HMAC-SHA256\n{X-Sdk-Date}\n{hex sha256(canonical request)}`;
//! 3. signature: hex HMAC-SHA256 keyed with the SK over the string to sign.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

/// The algorithm name that starts the string to sign and the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// Header carrying the signing time, `%Y%m%dT%H%M%SZ` in UTC.
pub const DATE_HEADER: &str = "X-Sdk-Date";
/// Header that marks a body left out of the signature.
pub const CONTENT_SHA256_HEADER: &str = "X-Sdk-Content-Sha256";
/// Stands in for the body hash when the body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded (Python's `quote(s, safe='~')`).
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The parts of a request that the signature covers ([`RequestParts::new`]).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct RequestParts<'a> {
    /// HTTP method (any case).
    pub method: &'a str,
    /// `host[:port]` of the URL, used when `headers` has no `Host`.
    pub host: &'a str,
    /// The path as sent on the wire (percent-encoded).
    pub path: &'a str,
    /// Query pairs, decoded.
    pub query: &'a [(String, String)],
    /// Request headers as `(name, value)`, in any case and order.
    pub headers: &'a [(String, String)],
    /// The body bytes (empty for none).
    pub body: &'a [u8],
}

/// The signature and what the request must carry for it to verify.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signed {
    /// Headers to set on the request (`X-Sdk-Date` when it was missing,
    /// `X-Sdk-Content-Sha256` for an unsigned body, and `Authorization`).
    pub headers: Vec<(&'static str, String)>,
    /// The canonical request (for debugging a rejected signature; holds no secret).
    pub canonical_request: String,
    /// The string to sign (holds no secret).
    pub string_to_sign: String,
}

impl<'a> RequestParts<'a> {
    /// The parts of one request: method, `host[:port]`, the path as sent, the decoded query
    /// pairs, the headers and the body.
    pub fn new(
        method: &'a str,
        host: &'a str,
        path: &'a str,
        query: &'a [(String, String)],
        headers: &'a [(String, String)],
        body: &'a [u8],
    ) -> Self {
        RequestParts {
            method,
            host,
            path,
            query,
            headers,
            body,
        }
    }
}

impl std::fmt::Debug for Signed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The signature itself is a bearer value for the life of the request: keep it out.
        f.debug_struct("Signed")
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .finish_non_exhaustive()
    }
}

/// `0000-01-01T00:00:00Z` in seconds since the Unix epoch: the earliest `X-Sdk-Date`.
const EARLIEST_SDK_DATE: i64 = -62_167_219_200;
/// `9999-12-31T23:59:59Z` in seconds since the Unix epoch: the latest `X-Sdk-Date`.
const LATEST_SDK_DATE: i64 = 253_402_300_799;

/// `time` as `X-Sdk-Date` wants it: `20240102T030405Z`. A time outside the years 0000-9999
/// (a clock gone wrong) is clamped into them, so the format holds and nothing panics.
pub fn sdk_date(time: SystemTime) -> String {
    let seconds = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            // Round down: half a second before the epoch is 23:59:59.
            let before = before.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            (-whole).saturating_sub(i64::from(before.subsec_nanos() > 0))
        }
    };
    let seconds = seconds.clamp(EARLIEST_SDK_DATE, LATEST_SDK_DATE);
    let utc = time::OffsetDateTime::from_unix_timestamp(seconds)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    )
}

/// Signs `request` with the access key `ak` and secret key `sk`. An `X-Sdk-Date` header in
/// the request is used as is; without one, `now` gives the date and the header is returned.
pub fn sign(request: &RequestParts<'_>, ak: &str, sk: &[u8], now: SystemTime) -> Signed {
    let mut added = Vec::new();
    let mut headers: Vec<(String, String)> = request.headers.to_vec();

    let date = match find(&headers, DATE_HEADER) {
        // Trimmed, as it reaches the server (and as the canonical header has it).
        Some(date) => date.trim().to_owned(),
        None => {
            let date = sdk_date(now);
            headers.push((DATE_HEADER.to_owned(), date.clone()));
            added.push((DATE_HEADER, date.clone()));
            date
        }
    };
    let unsigned_body = find(&headers, "content-type")
        .is_some_and(|t| !(t.starts_with("application/json") || t.starts_with("application/bson")));
    if unsigned_body && find(&headers, CONTENT_SHA256_HEADER).is_none() {
        headers.push((
            CONTENT_SHA256_HEADER.to_owned(),
            UNSIGNED_PAYLOAD.to_owned(),
        ));
        added.push((CONTENT_SHA256_HEADER, UNSIGNED_PAYLOAD.to_owned()));
    }
    if find(&headers, "host").is_none() {
        headers.push(("host".to_owned(), request.host.to_owned()));
    }

    let (canonical_headers, signed_headers) = canonical_headers(&headers);
    // As the SDK: an empty body always hashes as empty; otherwise a non-empty
    // X-Sdk-Content-Sha256 header (UNSIGNED-PAYLOAD, or a precomputed hash), trimmed as it
    // reaches the server, stands for the body.
    let payload = match find(&headers, CONTENT_SHA256_HEADER).map(str::trim) {
        Some(given) if !given.is_empty() && !request.body.is_empty() => given.to_owned(),
        _ => hex_sha256(request.body),
    };
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method.to_ascii_uppercase(),
        canonical_uri(request.path),
        canonical_query(request.query),
        canonical_headers,
        signed_headers,
        payload
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{date}\n{}",
        hex_sha256(canonical_request.as_bytes())
    );
    let signature = hmac_sha256_hex(sk, string_to_sign.as_bytes());
    added.push((
        "Authorization",
        format!("{ALGORITHM} Access={ak}, SignedHeaders={signed_headers}, Signature={signature}"),
    ));
    Signed {
        headers: added,
        canonical_request,
        string_to_sign,
    }
}

fn find<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Percent-decodes the path, re-encodes each segment and makes sure it ends with `/`.
pub fn canonical_uri(path: &str) -> String {
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    let mut uri = decoded
        .split('/')
        .map(|segment| utf8_percent_encode(segment, ENCODE).to_string())
        .collect::<Vec<_>>()
        .join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// Sorted `k=v` pairs joined by `&`, keys and values encoded like path segments.
pub fn canonical_query(query: &[(String, String)]) -> String {
    // Sorted by the raw key, then the raw value, as the SDK does; emitted encoded.
    let mut sorted: Vec<&(String, String)> = query.iter().collect();
    sorted.sort();
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    utf8_percent_encode(text, ENCODE).to_string()
}

/// The canonical header block (each `name:value\n`) and the signed header list.
fn canonical_headers(headers: &[(String, String)]) -> (String, String) {
    let mut entries: Vec<(String, &str)> = headers
        .iter()
        .filter(|(name, _)| !name.contains('_'))
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut block = String::new();
    for (name, value) in &entries {
        let _ = writeln!(block, "{name}:{value}");
    }
    let names = entries
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    (block, names)
}

fn hex_sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    format!("{:x}", mac.finalize().into_bytes())
}
