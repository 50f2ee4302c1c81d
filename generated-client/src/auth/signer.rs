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
//!
//! A client signs many requests with one key: [`SigningKey`] holds the key's HMAC state,
//! prepared once, and [`sign_with`] signs with it. The canonical request is written into one
//! buffer, with no intermediate strings.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};

/// The algorithm name that starts the string to sign and the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// Header carrying the signing time, `%Y%m%dT%H%M%SZ` in UTC.
pub const DATE_HEADER: &str = "X-Sdk-Date";
/// Header that marks a body left out of the signature.
pub const CONTENT_SHA256_HEADER: &str = "X-Sdk-Content-Sha256";
/// Stands in for the body hash when the body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

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
    let mut date = String::with_capacity(16);
    push_sdk_date(&mut date, time);
    date
}

fn push_sdk_date(out: &mut String, time: SystemTime) {
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
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    // In range by the clamp: the year is 0..=9999.
    push_digits(out, u32::try_from(year).unwrap_or(0), 4);
    push_digits(out, month, 2);
    push_digits(out, day, 2);
    out.push('T');
    let second_of_day = u32::try_from(second_of_day).unwrap_or(0);
    push_digits(out, second_of_day / 3600, 2);
    push_digits(out, second_of_day / 60 % 60, 2);
    push_digits(out, second_of_day % 60, 2);
    out.push('Z');
}

/// The proleptic Gregorian `(year, month, day)` of `days` since 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097); // 0..=146_096
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March is 0
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn push_digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = (value / 10u32.pow(place)) % 10;
        out.push(char::from(b'0' + digit as u8));
    }
}

/// Signs `request` with the access key `ak` and secret key `sk`. An `X-Sdk-Date` header in
/// the request is used as is; without one, `now` gives the date and the header is returned.
pub fn sign(request: &RequestParts<'_>, ak: &str, sk: &[u8], now: SystemTime) -> Signed {
    sign_with(request, ak, &SigningKey::new(sk), now)
}

/// [`sign`] with a prepared key: the same bytes out, without preparing the key each time.
pub fn sign_with(
    request: &RequestParts<'_>,
    ak: &str,
    key: &SigningKey,
    now: SystemTime,
) -> Signed {
    let headers = request
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()));
    let out: Signature<'_> = sign_core(
        Request {
            method: request.method,
            host: request.host,
            path: request.path,
            query: request.query,
            body: request.body,
        },
        headers,
        ak,
        key,
        now,
    );
    let date = out
        .given_date
        .or(out.added_date.as_deref())
        .unwrap_or_default()
        .to_owned();
    let mut headers = Vec::with_capacity(3);
    if let Some(date) = out.added_date {
        headers.push((DATE_HEADER, date));
    }
    if out.added_unsigned_payload {
        headers.push((CONTENT_SHA256_HEADER, UNSIGNED_PAYLOAD.to_owned()));
    }
    headers.push(("Authorization", into_string(out.authorization)));
    let mut string_to_sign = String::with_capacity(ALGORITHM.len() + 2 + date.len() + 64);
    string_to_sign.push_str(ALGORITHM);
    string_to_sign.push('\n');
    string_to_sign.push_str(&date);
    string_to_sign.push('\n');
    string_to_sign.push_str(&into_string(hex(&out.canonical_hash).to_vec()));
    Signed {
        headers,
        canonical_request: into_string(out.canonical_request),
        string_to_sign,
    }
}

/// What the signer needs besides the headers.
pub(crate) struct Request<'a, K, V> {
    pub(crate) method: &'a str,
    pub(crate) host: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a [(K, V)],
    pub(crate) body: &'a [u8],
}

/// The signature, and what the request must carry with it.
pub(crate) struct Signature<'h> {
    /// `X-Sdk-Date` to add (the request had none).
    pub(crate) added_date: Option<String>,
    /// Whether `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` must be added.
    pub(crate) added_unsigned_payload: bool,
    /// The `Authorization` header value.
    pub(crate) authorization: Vec<u8>,
    /// The canonical request.
    pub(crate) canonical_request: Vec<u8>,
    /// SHA-256 of the canonical request.
    canonical_hash: [u8; 32],
    /// The request's own `X-Sdk-Date`, trimmed (when it had one).
    given_date: Option<&'h str>,
}

/// Signs; `headers` are `(name, value)` in any case and order.
pub(crate) fn sign_core<'h, K: AsRef<str>, V: AsRef<str>>(
    request: Request<'_, K, V>,
    headers: impl Iterator<Item = (&'h str, &'h str)>,
    ak: &str,
    key: &SigningKey,
    now: SystemTime,
) -> Signature<'h> {
    // Names with `_` are never signed (and none of the names looked up below has one).
    let mut entries: Vec<(Cow<'h, str>, &'h str)> = Vec::with_capacity(8);
    for (name, value) in headers {
        if name.contains('_') {
            continue;
        }
        let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        };
        entries.push((name, value));
    }
    let find = |entries: &[(Cow<'h, str>, &'h str)], name: &str| {
        entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| *value)
    };

    // Trimmed, as it reaches the server (and as the canonical header has it).
    let given_date = find(&entries, "x-sdk-date").map(str::trim);
    let added_date = given_date.is_none().then(|| sdk_date(now));
    let unsigned_body = find(&entries, "content-type")
        .is_some_and(|t| !(t.starts_with("application/json") || t.starts_with("application/bson")));
    let content_sha256 = find(&entries, "x-sdk-content-sha256");
    let added_unsigned_payload = unsigned_body && content_sha256.is_none();
    // As the SDK: an empty body always hashes as empty; otherwise a non-empty
    // X-Sdk-Content-Sha256 header (UNSIGNED-PAYLOAD, or a precomputed hash), trimmed as it
    // reaches the server, stands for the body.
    let given_payload = if added_unsigned_payload {
        Some(UNSIGNED_PAYLOAD)
    } else {
        content_sha256.map(str::trim)
    }
    .filter(|given| !given.is_empty() && !request.body.is_empty());
    let has_host = find(&entries, "host").is_some();

    let date_entry: &str = added_date.as_deref().unwrap_or_default();
    let mut entries: Vec<(Cow<'_, str>, &str)> = entries;
    if added_date.is_some() {
        entries.push((Cow::Borrowed("x-sdk-date"), date_entry));
    }
    if added_unsigned_payload {
        entries.push((Cow::Borrowed("x-sdk-content-sha256"), UNSIGNED_PAYLOAD));
    }
    if !has_host {
        entries.push((Cow::Borrowed("host"), request.host));
    }
    // Stable: headers of the same name keep their order.
    entries.sort_by(|a, b| a.0.cmp(&b.0));

    // Bytes, not a String: everything written is ASCII or comes from a `&str` whole, and
    // one UTF-8 check at the end (only where a String is asked for) beats one per write.
    let mut canonical = Vec::with_capacity(
        256 + 3 * request.path.len()
            + entries
                .iter()
                .map(|(n, v)| 2 * n.len() + v.len() + 2)
                .sum::<usize>(),
    );
    if request.method.bytes().any(|b| b.is_ascii_lowercase()) {
        canonical.extend_from_slice(request.method.to_ascii_uppercase().as_bytes());
    } else {
        canonical.extend_from_slice(request.method.as_bytes());
    }
    canonical.push(b'\n');
    push_canonical_uri(&mut canonical, request.path);
    canonical.push(b'\n');
    push_canonical_query(&mut canonical, request.query);
    canonical.push(b'\n');
    for (name, value) in &entries {
        canonical.extend_from_slice(name.as_bytes());
        canonical.push(b':');
        canonical.extend_from_slice(trim(value).as_bytes());
        canonical.push(b'\n');
    }
    canonical.push(b'\n');
    let signed_start = canonical.len();
    for (i, (name, _)) in entries.iter().enumerate() {
        if i > 0 {
            canonical.push(b';');
        }
        canonical.extend_from_slice(name.as_bytes());
    }
    let signed_end = canonical.len();
    canonical.push(b'\n');
    match given_payload {
        Some(given) => canonical.extend_from_slice(given.as_bytes()),
        None => canonical.extend_from_slice(&hex(&Sha256::digest(request.body).into())),
    }

    let canonical_hash: [u8; 32] = Sha256::digest(&canonical).into();
    let mut mac = key.0.clone();
    mac.update(ALGORITHM.as_bytes());
    mac.update(b"\n");
    let date = given_date.or(added_date.as_deref()).unwrap_or_default();
    mac.update(date.as_bytes());
    mac.update(b"\n");
    mac.update(&hex(&canonical_hash));
    let signature = hex(&mac.finalize().into_bytes().into());

    let signed_headers = &canonical[signed_start..signed_end];
    let mut authorization =
        Vec::with_capacity(ALGORITHM.len() + ak.len() + signed_headers.len() + 64 + 40);
    authorization.extend_from_slice(ALGORITHM.as_bytes());
    authorization.extend_from_slice(b" Access=");
    authorization.extend_from_slice(ak.as_bytes());
    authorization.extend_from_slice(b", SignedHeaders=");
    authorization.extend_from_slice(signed_headers);
    authorization.extend_from_slice(b", Signature=");
    authorization.extend_from_slice(&signature);
    drop(entries);
    Signature {
        added_date,
        given_date,
        added_unsigned_payload,
        authorization,
        canonical_request: canonical,
        canonical_hash,
    }
}

/// `str::trim`, with a fast answer for the usual value that starts and ends with a visible
/// ASCII character (no whitespace, ASCII or not, to remove).
fn trim(value: &str) -> &str {
    match (value.as_bytes().first(), value.as_bytes().last()) {
        (Some(&first), Some(&last))
            if (0x21..0x7f).contains(&first) && (0x21..0x7f).contains(&last) =>
        {
            value
        }
        _ => value.trim(),
    }
}

/// Text this module wrote: valid UTF-8 by construction (ASCII, or whole `&str`s).
fn into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Percent-decodes the path, re-encodes each segment and makes sure it ends with `/`.
pub fn canonical_uri(path: &str) -> String {
    let mut uri = Vec::with_capacity(path.len() + 1);
    push_canonical_uri(&mut uri, path);
    into_string(uri)
}

fn push_canonical_uri(out: &mut Vec<u8>, path: &str) {
    let start = out.len();
    if path.contains('%') {
        push_encoded(out, &percent_decode_str(path).decode_utf8_lossy(), true);
    } else {
        push_encoded(out, path, true);
    }
    if out.len() == start || out.last() != Some(&b'/') {
        out.push(b'/');
    }
}

/// Sorted `k=v` pairs joined by `&`, keys and values encoded like path segments.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut out = Vec::new();
    push_canonical_query(&mut out, query);
    into_string(out)
}

fn push_canonical_query<K: AsRef<str>, V: AsRef<str>>(out: &mut Vec<u8>, query: &[(K, V)]) {
    if query.is_empty() {
        return;
    }
    // Sorted by the raw key, then the raw value, as the SDK does; emitted encoded.
    let mut sorted: Vec<(&str, &str)> = query
        .iter()
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    sorted.sort_unstable();
    for (i, (key, value)) in sorted.into_iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        push_encoded(out, key, false);
        out.push(b'=');
        push_encoded(out, value, false);
    }
}

/// Bytes left as they are by [`push_encoded`]: `A-Z a-z 0-9 - _ . ~`.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~');
        b += 1;
    }
    table
};

/// [`UNRESERVED`] and `/`.
const UNRESERVED_OR_SLASH: [bool; 256] = {
    let mut table = UNRESERVED;
    table[b'/' as usize] = true;
    table
};

/// Appends `text` with everything but `A-Z a-z 0-9 - _ . ~` (and `/` when `keep_slash`)
/// percent-encoded, as Python's `quote(s, safe='~')` (upper-case hex digits).
fn push_encoded(out: &mut Vec<u8>, text: &str, keep_slash: bool) {
    const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
    let table = if keep_slash {
        &UNRESERVED_OR_SLASH
    } else {
        &UNRESERVED
    };
    let kept = |b: &u8| table[usize::from(*b)];
    let mut rest = text.as_bytes();
    while !rest.is_empty() {
        // A run that stays as it is goes in one copy; the run after it is escaped byte by
        // byte.
        let kept_end = rest.iter().position(|b| !kept(b)).unwrap_or(rest.len());
        out.extend_from_slice(&rest[..kept_end]);
        rest = &rest[kept_end..];
        let escaped_end = rest.iter().position(kept).unwrap_or(rest.len());
        for &b in &rest[..escaped_end] {
            out.extend_from_slice(&[
                b'%',
                HEX_UPPER[usize::from(b >> 4)],
                HEX_UPPER[usize::from(b & 0x0f)],
            ]);
        }
        rest = &rest[escaped_end..];
    }
}

/// Each byte's two lower-case hex digits.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut table = [[0; 2]; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = [DIGITS[b >> 4], DIGITS[b & 0x0f]];
        b += 1;
    }
    table
};

/// Lower-case hex of a SHA-256 digest.
fn hex(digest: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (pair, &b) in out.chunks_exact_mut(2).zip(digest) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_agree_with_the_time_crate_across_the_range() {
        // Every day boundary of a few centuries, and a stride across 0000-9999.
        let days = (-200 * 366..200 * 366)
            .chain((EARLIEST_SDK_DATE / 86_400..=LATEST_SDK_DATE / 86_400).step_by(997));
        for day in days {
            for seconds in [day * 86_400, day * 86_400 + 86_399] {
                let seconds = seconds.clamp(EARLIEST_SDK_DATE, LATEST_SDK_DATE);
                let utc = time::OffsetDateTime::from_unix_timestamp(seconds).expect("in range");
                let expected = format!(
                    "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
                    utc.year(),
                    u8::from(utc.month()),
                    utc.day(),
                    utc.hour(),
                    utc.minute(),
                    utc.second()
                );
                let mut got = String::new();
                let time = if seconds >= 0 {
                    UNIX_EPOCH + std::time::Duration::from_secs(seconds.unsigned_abs())
                } else {
                    UNIX_EPOCH - std::time::Duration::from_secs(seconds.unsigned_abs())
                };
                push_sdk_date(&mut got, time);
                assert_eq!(got, expected, "{seconds}");
            }
        }
    }

    #[test]
    fn a_signing_key_never_shows_the_secret() {
        let key = SigningKey::new(b"SK-very-secret");
        assert_eq!(format!("{key:?}"), "SigningKey(***)");
        assert_eq!(format!("{key:#?}"), "SigningKey(***)");
    }

    #[test]
    fn a_prepared_key_signs_as_the_raw_key() {
        let headers = vec![("Content-Type".to_owned(), "text/plain".to_owned())];
        let query = vec![
            ("b".to_owned(), "2 2".to_owned()),
            ("a".to_owned(), String::new()),
        ];
        let parts = RequestParts {
            method: "put",
            host: "example.test:8443",
            path: "/v1/a%20b/ü/",
            query: &query,
            headers: &headers,
            body: b"body",
        };
        let now = UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let raw = sign(&parts, "AK", b"SK", now);
        let prepared = sign_with(&parts, "AK", &SigningKey::new(b"SK"), now);
        assert_eq!(raw, prepared);
        assert_eq!(
            raw.canonical_request.lines().take(3).collect::<Vec<_>>(),
            ["PUT", "/v1/a%20b/%C3%BC/", "a=&b=2%202"]
        );
    }
}
