//! SDK-HMAC-SHA256: the AK/SK request signature of Huawei Cloud and T Cloud Public.
//!
//! Independent of HTTP: [`sign`] and [`sign_with`] take a [`RequestParts`] (method, path as
//! sent, decoded query pairs, headers, body) and return the headers to add. The steps are
//! those of the official SDK's signer, whose test vectors this module reproduces byte for
//! byte:
//!
//! 1. The canonical request, six parts joined by `\n`:
//!    1. the method, in upper case;
//!    2. the canonical URI ([`canonical_uri`]): the path percent-decoded, re-encoded with only
//!       `A-Z a-z 0-9 - _ . ~` (and `/`) left as they are, and ending with `/`;
//!    3. the canonical query ([`canonical_query`]): the pairs sorted, encoded the same way
//!       (`/` too), joined as `k=v&k=v`;
//!    4. the canonical headers: every header whose name has no `_`, as `name:value\n` with
//!       the name in lower case and the value trimmed, sorted by name. `host` comes from the
//!       URL unless the request has one; `X-Sdk-Date` and `X-Sdk-Content-Sha256` are
//!       signed when the signer adds them;
//!    5. the signed header names, sorted, joined by `;`;
//!    6. the lower-case hex SHA-256 of the body, or `UNSIGNED-PAYLOAD` when a
//!       `Content-Type` says the body is neither JSON nor BSON.
//! 2. The string to sign: `SDK-HMAC-SHA256\n{X-Sdk-Date}\n{hex sha256(canonical request)}`.
//! 3. The signature: the lower-case hex HMAC-SHA256 of the string to sign, keyed with the
//!    secret key, sent as `Authorization: SDK-HMAC-SHA256 Access={AK},
//!    SignedHeaders={names}, Signature={signature}`.
//!
//! A client signs many requests with one key: [`SigningKey`] holds the key's HMAC state,
//! prepared once, and [`sign_with`] signs with it. [`sign`] prepares the key on each call
//! and also returns the canonical request and the string to sign, for debugging a rejected
//! signature. The local DMS (feature `local-dms`) checks signatures with the same steps.

use std::borrow::Cow;
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

/// What the canonical query percent-encodes: every byte but `A-Z a-z 0-9 - _ . ~` (as
/// Python's `quote(s, safe='~')`, with upper-case hex digits).
const ENCODED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// What the canonical URI percent-encodes: [`ENCODED`] but `/`, which separates segments.
const ENCODED_IN_PATH: &AsciiSet = &ENCODED.remove(b'/');

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

/// What the request must carry for its signature to verify ([`sign_with`]): see
/// [`SignatureHeaders::headers`].
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    date: Option<String>,
    unsigned_payload: bool,
    authorization: String,
}

impl SignatureHeaders {
    /// Headers to set on the request, `(name, value)`: `X-Sdk-Date` when it was missing,
    /// `X-Sdk-Content-Sha256` for an unsigned body, and `Authorization`.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let date = self.date.as_deref().map(|date| (DATE_HEADER, date));
        let unsigned = self
            .unsigned_payload
            .then_some((CONTENT_SHA256_HEADER, UNSIGNED_PAYLOAD));
        date.into_iter()
            .chain(unsigned)
            .chain([("Authorization", self.authorization.as_str())])
    }
}

impl std::fmt::Debug for SignatureHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The names only: the signature is a bearer value for the life of the request.
        let names: Vec<&str> = self.headers().map(|(name, _)| name).collect();
        f.debug_struct("SignatureHeaders")
            .field("headers", &names)
            .finish_non_exhaustive()
    }
}

/// The signature, what the request must carry for it to verify, and what was signed
/// ([`sign`]).
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

impl std::fmt::Debug for Signed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The signature itself is a bearer value for the life of the request: keep it out.
        f.debug_struct("Signed")
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .finish_non_exhaustive()
    }
}

/// A secret key ready to sign with: the HMAC-SHA256 state after the key's inner and outer
/// pads, computed once (two SHA-256 blocks saved per signature). It is as good as the key
/// itself: its `Debug` prints `***` and there is no way to read it back.
#[derive(Clone)]
pub struct SigningKey(Hmac<Sha256>);

impl SigningKey {
    /// Prepares the secret key `sk`.
    pub fn new(sk: &[u8]) -> Self {
        SigningKey(Hmac::<Sha256>::new_from_slice(sk).expect("HMAC accepts keys of any length"))
    }

    /// The HMAC of `string_to_sign` with this key, to finalize or to verify.
    pub(crate) fn mac(&self, string_to_sign: &str) -> Hmac<Sha256> {
        let mut mac = self.0.clone();
        mac.update(string_to_sign.as_bytes());
        mac
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(***)")
    }
}

/// `0000-01-01T00:00:00Z` in seconds since the Unix epoch: the earliest `X-Sdk-Date`.
const EARLIEST_SDK_DATE: i64 = -62_167_219_200;
/// `9999-12-31T23:59:59Z` in seconds since the Unix epoch: the latest `X-Sdk-Date`.
const LATEST_SDK_DATE: i64 = 253_402_300_799;

/// `time` as `X-Sdk-Date` wants it: `20240102T030405Z`. A time outside the years 0000-9999
/// (a clock gone wrong) is clamped into them, so the format holds and nothing panics.
pub fn sdk_date(time: SystemTime) -> String {
    // Whole seconds since the epoch, rounded down: half a second before it is 23:59:59.
    let seconds = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let before = before.duration();
            let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
            -whole - i64::from(before.subsec_nanos() > 0)
        }
    };
    let seconds = seconds.clamp(EARLIEST_SDK_DATE, LATEST_SDK_DATE);
    let utc = time::OffsetDateTime::from_unix_timestamp(seconds)
        .expect("the years 0000-9999 are in the time crate's range");
    // `{:04}{:02}{:02}T{:02}{:02}{:02}Z`, without the formatting machinery (a signature
    // costs about a microsecond, `format!` here a tenth of that).
    let mut date = String::with_capacity(16);
    push_digits(&mut date, utc.year().unsigned_abs(), 4);
    push_digits(&mut date, u8::from(utc.month()).into(), 2);
    push_digits(&mut date, utc.day().into(), 2);
    date.push('T');
    push_digits(&mut date, utc.hour().into(), 2);
    push_digits(&mut date, utc.minute().into(), 2);
    push_digits(&mut date, utc.second().into(), 2);
    date.push('Z');
    date
}

/// Appends the last `width` decimal digits of `n`, with leading zeros.
fn push_digits(out: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = n / 10_u32.pow(place) % 10;
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

/// Signs `request` with the access key `ak` and secret key `sk`, and shows what was signed:
/// the canonical request and the string to sign, to compare with the service's after a
/// rejected signature. An `X-Sdk-Date` header in the request is used as is; without one,
/// `now` gives the date and the header is returned.
///
/// For one request: a client signing many prepares the key once ([`SigningKey`]) and calls
/// [`sign_with`].
pub fn sign(request: &RequestParts<'_>, ak: &str, sk: &[u8], now: SystemTime) -> Signed {
    let signed = sign_parts(request, ak, &SigningKey::new(sk), now);
    let added = SignatureHeaders {
        date: signed.added_date,
        unsigned_payload: signed.added_unsigned_payload,
        authorization: signed.authorization,
    };
    Signed {
        headers: added
            .headers()
            .map(|(name, value)| (name, value.to_owned()))
            .collect(),
        canonical_request: signed.canonical_request,
        string_to_sign: signed.string_to_sign,
    }
}

/// Signs `request` with the access key `ak` and the prepared secret key `key`: the headers
/// of [`sign`].
pub fn sign_with(
    request: &RequestParts<'_>,
    ak: &str,
    key: &SigningKey,
    now: SystemTime,
) -> SignatureHeaders {
    let signed = sign_parts(request, ak, key, now);
    SignatureHeaders {
        date: signed.added_date,
        unsigned_payload: signed.added_unsigned_payload,
        authorization: signed.authorization,
    }
}

fn sign_parts(request: &RequestParts<'_>, ak: &str, key: &SigningKey, now: SystemTime) -> Output {
    let headers = request
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()));
    let parts = Request {
        method: request.method,
        host: request.host,
        path: request.path,
        query: request.query,
        body: request.body,
    };
    sign_core(parts, headers, ak, key, now, None)
}

/// What the signer needs besides the headers (the query pairs in any string type).
pub(crate) struct Request<'a, K, V> {
    pub(crate) method: &'a str,
    pub(crate) host: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a [(K, V)],
    pub(crate) body: &'a [u8],
}

/// A signature, and what the request must carry with it.
pub(crate) struct Output {
    /// `X-Sdk-Date` to add (the request had none).
    pub(crate) added_date: Option<String>,
    /// Whether `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` must be added.
    pub(crate) added_unsigned_payload: bool,
    /// The `Authorization` header value.
    pub(crate) authorization: String,
    canonical_request: String,
    string_to_sign: String,
}

/// Signs; `headers` are `(name, value)` in any case and order. With `canonical`, the
/// canonical request is also appended there (the client logs it when a signature is
/// refused).
pub(crate) fn sign_core<'h, K: AsRef<str>, V: AsRef<str>>(
    request: Request<'_, K, V>,
    headers: impl Iterator<Item = (&'h str, &'h str)>,
    ak: &str,
    key: &SigningKey,
    now: SystemTime,
    canonical: Option<&mut Vec<u8>>,
) -> Output {
    // Every header whose name has no `_` is signed, by its lower-case name (with room for
    // the three the signer may add).
    let mut signed: Vec<(Cow<'_, str>, &str)> = Vec::with_capacity(headers.size_hint().0 + 3);
    signed.extend(
        headers
            .filter(|(name, _)| !name.contains('_'))
            .map(|(name, value)| (lower_case(name), value)),
    );
    let first = |wanted: &str| {
        signed
            .iter()
            .find(|(name, _)| name == wanted)
            .map(|&(_, value)| value)
    };
    // The request's own X-Sdk-Date, trimmed as it reaches the server; else now.
    let given_date = first("x-sdk-date").map(str::trim);
    let added_date = given_date.is_none().then(|| sdk_date(now));
    // A body that is not JSON or BSON is left out of the signature, as the SDK does.
    let unsigned_body = first("content-type").is_some_and(|content_type| {
        !content_type.starts_with("application/json")
            && !content_type.starts_with("application/bson")
    });
    let given_content_sha256 = first("x-sdk-content-sha256");
    let added_unsigned_payload = unsigned_body && given_content_sha256.is_none();
    // An empty body always hashes as empty; otherwise a non-empty X-Sdk-Content-Sha256
    // (UNSIGNED-PAYLOAD, or a precomputed hash), trimmed, stands for the body.
    let payload = match given_content_sha256.map(str::trim) {
        _ if request.body.is_empty() => sha256_hex(request.body),
        _ if added_unsigned_payload => UNSIGNED_PAYLOAD.to_owned(),
        Some(given) if !given.is_empty() => given.to_owned(),
        _ => sha256_hex(request.body),
    };
    let has_host = first("host").is_some();

    let date = given_date.or(added_date.as_deref()).unwrap_or_default();
    if added_date.is_some() {
        signed.push(("x-sdk-date".into(), date));
    }
    if added_unsigned_payload {
        signed.push(("x-sdk-content-sha256".into(), UNSIGNED_PAYLOAD));
    }
    if !has_host {
        signed.push(("host".into(), request.host));
    }
    // By name; headers of one name keep their order (the sort is stable).
    signed.sort_by(|(a, _), (b, _)| a.cmp(b));

    let mut signed_headers = String::new();
    for (i, (name, _)) in signed.iter().enumerate() {
        if i > 0 {
            signed_headers.push(';');
        }
        signed_headers.push_str(name);
    }

    let canonical_request = canonical_request(
        request.method,
        request.path,
        request.query,
        &signed,
        &signed_headers,
        &payload,
    );
    let string_to_sign = string_to_sign(date, &canonical_request);
    let mut authorization = String::with_capacity(128 + ak.len() + signed_headers.len());
    for part in [
        ALGORITHM,
        " Access=",
        ak,
        ", SignedHeaders=",
        &signed_headers,
    ] {
        authorization.push_str(part);
    }
    authorization.push_str(", Signature=");
    let signature = key.mac(&string_to_sign).finalize().into_bytes();
    push_hex(&mut authorization, &signature);
    if let Some(out) = canonical {
        out.extend_from_slice(canonical_request.as_bytes());
    }
    Output {
        added_date,
        added_unsigned_payload,
        authorization,
        canonical_request,
        string_to_sign,
    }
}

/// The canonical request of `method`, `path` (as sent), the decoded `query` pairs, the
/// signed `headers` (lower-case names, sorted; the values are trimmed here), their names
/// joined by `;` (`signed_headers`) and the `payload` hash.
pub(crate) fn canonical_request<K, V, N>(
    method: &str,
    path: &str,
    query: &[(K, V)],
    headers: &[(N, &str)],
    signed_headers: &str,
    payload: &str,
) -> String
where
    K: AsRef<str>,
    V: AsRef<str>,
    N: AsRef<str>,
{
    let mut out = String::with_capacity(512);
    out.extend(method.chars().map(|c| c.to_ascii_uppercase()));
    out.push('\n');
    push_canonical_uri(&mut out, path);
    out.push('\n');
    out.push_str(&canonical_query_of(query));
    out.push('\n');
    for (name, value) in headers {
        out.push_str(name.as_ref());
        out.push(':');
        out.push_str(value.trim());
        out.push('\n');
    }
    out.push('\n');
    out.push_str(signed_headers);
    out.push('\n');
    out.push_str(payload);
    out
}

/// `SDK-HMAC-SHA256\n{date}\n{hex sha256(canonical request)}`.
pub(crate) fn string_to_sign(date: &str, canonical_request: &str) -> String {
    let mut text = String::with_capacity(ALGORITHM.len() + date.len() + 2 + 64);
    text.push_str(ALGORITHM);
    text.push('\n');
    text.push_str(date);
    text.push('\n');
    push_hex(&mut text, &Sha256::digest(canonical_request));
    text
}

/// Percent-decodes the path, re-encodes it with only `A-Z a-z 0-9 - _ . ~ /` left as they
/// are, and makes sure it ends with `/`.
pub fn canonical_uri(path: &str) -> String {
    let mut uri = String::with_capacity(path.len() + 1);
    push_canonical_uri(&mut uri, path);
    uri
}

fn push_canonical_uri(out: &mut String, path: &str) {
    // The usual path has no `%` to decode.
    let decoded = if path.contains('%') {
        percent_decode_str(path).decode_utf8_lossy()
    } else {
        Cow::Borrowed(path)
    };
    out.extend(utf8_percent_encode(&decoded, ENCODED_IN_PATH));
    if !decoded.ends_with('/') {
        out.push('/');
    }
}

/// Sorted `k=v` pairs joined by `&`, keys and values encoded with only `A-Z a-z 0-9 - _ . ~`
/// left as they are.
pub fn canonical_query(query: &[(String, String)]) -> String {
    canonical_query_of(query)
}

fn canonical_query_of<K: AsRef<str>, V: AsRef<str>>(query: &[(K, V)]) -> String {
    // Sorted by the decoded key, then the decoded value, as the SDK does.
    let mut pairs: Vec<(&str, &str)> = query
        .iter()
        .map(|(key, value)| (key.as_ref(), value.as_ref()))
        .collect();
    pairs.sort_unstable();
    let mut out = String::new();
    for (i, (key, value)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.extend(utf8_percent_encode(key, ENCODED));
        out.push('=');
        out.extend(utf8_percent_encode(value, ENCODED));
    }
    out
}

/// `name` with ASCII letters in lower case (borrowed when it has no upper-case letter, as
/// the names of an HTTP library's headers usually have none).
fn lower_case(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// The lower-case hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(64);
    push_hex(&mut hex, &Sha256::digest(bytes));
    hex
}

/// Appends `bytes` in lower-case hex.
fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: SystemTime = UNIX_EPOCH;

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn a_signing_key_never_shows_the_secret() {
        let key = SigningKey::new(b"SK-very-secret");
        assert_eq!(format!("{key:?}"), "SigningKey(***)");
        assert_eq!(format!("{key:#?}"), "SigningKey(***)");
    }

    #[test]
    fn signature_headers_show_no_signature() {
        let parts = RequestParts::new("GET", "h", "/", &[], &[], b"");
        let signed = sign_with(&parts, "AK", &SigningKey::new(b"SK"), NOW);
        assert_eq!(
            format!("{signed:?}"),
            r#"SignatureHeaders { headers: ["X-Sdk-Date", "Authorization"], .. }"#
        );
    }

    #[test]
    fn headers_sort_by_lower_case_name_and_keep_the_order_of_one_name() {
        let headers = owned(&[
            ("X-B", "1"),
            ("x-dup", " second "),
            ("Accept", "*/*"),
            ("X-Dup", "first"),
            ("X_Skipped", "x"),
            ("x-a", "2"),
        ]);
        let parts = RequestParts::new("get", "h:8443", "/p", &[], &headers, b"");
        let signed = sign(&parts, "AK", b"SK", NOW);
        let lines: Vec<&str> = signed.canonical_request.lines().collect();
        assert_eq!(
            lines[3..11],
            [
                "accept:*/*",
                "host:h:8443",
                "x-a:2",
                "x-b:1",
                "x-dup:second",
                "x-dup:first",
                "x-sdk-date:19700101T000000Z",
                "",
            ]
        );
        assert_eq!(lines[11], "accept;host;x-a;x-b;x-dup;x-dup;x-sdk-date");
    }

    #[test]
    fn an_empty_header_name_still_takes_its_place_in_the_list() {
        let headers = owned(&[("", "x")]);
        let parts = RequestParts::new("GET", "h", "/", &[], &headers, b"");
        let signed = sign(&parts, "AK", b"SK", NOW);
        let lines: Vec<&str> = signed.canonical_request.lines().collect();
        assert_eq!(
            lines[3..8],
            [
                ":x",
                "host:h",
                "x-sdk-date:19700101T000000Z",
                "",
                ";host;x-sdk-date"
            ]
        );
    }

    /// Method, path, query, headers, body.
    type Case<'a> = (
        &'a str,
        &'a str,
        Vec<(String, String)>,
        Vec<(String, String)>,
        &'a [u8],
    );

    #[test]
    fn a_prepared_key_signs_as_the_raw_key() {
        let long = "v".repeat(2000);
        let many: Vec<(String, String)> = (0..40)
            .map(|i| (format!("X-H{:02}", 50 - i), format!(" {i} ")))
            .collect();
        let cases: Vec<Case<'_>> = vec![
            ("POST", "/v2/p/instances/i/connector", vec![], vec![], b"{}"),
            ("get", "", vec![], vec![], b""),
            (
                "Put",
                "/a%20b/%C3%BC/%2F/~x_y.z-",
                owned(&[("b", "2 2"), ("a", "é&=")]),
                owned(&[
                    ("Content-Type", "text/plain"),
                    ("X-Sdk-Date", " 20240102T030405Z "),
                    ("HOST", "h.example"),
                ]),
                b"body",
            ),
            ("POST", "/ü/ä ö", vec![], owned(&[("X-Long", &long)]), b"{}"),
            ("POST", "/x", vec![], many, b"{}"),
            (
                "POST",
                "/x",
                vec![],
                owned(&[("X-Sdk-Content-Sha256", UNSIGNED_PAYLOAD)]),
                b"x",
            ),
        ];
        let key = SigningKey::new(b"SK");
        let now = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        for (method, path, query, headers, body) in &cases {
            let parts = RequestParts::new(method, "example.test:8443", path, query, headers, body);
            let raw = sign(&parts, "AK", b"SK", now);
            let prepared: Vec<(&str, String)> = sign_with(&parts, "AK", &key, now)
                .headers()
                .map(|(name, value)| (name, value.to_owned()))
                .collect();
            assert_eq!(raw.headers, prepared, "{method} {path}");
        }
    }

    #[test]
    fn the_canonical_request_can_be_copied_out() {
        let headers = owned(&[("Content-Type", "application/json")]);
        let query = owned(&[("b", "2 2"), ("a", "")]);
        let parts = RequestParts::new("put", "h", "/v1/a%20b/ü/", &query, &headers, b"{}");
        let request = Request {
            method: parts.method,
            host: parts.host,
            path: parts.path,
            query: parts.query,
            body: parts.body,
        };
        let mut copied = Vec::new();
        let iter = headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        let key = SigningKey::new(b"SK");
        sign_core(request, iter, "AK", &key, NOW, Some(&mut copied));
        let signed = sign(&parts, "AK", b"SK", NOW);
        assert_eq!(copied, signed.canonical_request.as_bytes());
        assert_eq!(
            signed.canonical_request.lines().take(3).collect::<Vec<_>>(),
            ["PUT", "/v1/a%20b/%C3%BC/", "a=&b=2%202"]
        );
    }
}
