//! The gateway's side of authentication: SDK-HMAC-SHA256 signatures checked as a server
//! does, and IAM tokens compared with the configured ones.
//!
//! Written from `SIGNING.md` like the tests' independent checker, and sharing no code with
//! [`crate::signer`]: a bug in the signer cannot hide itself here. Only what is signed is
//! trusted: the header list comes from `SignedHeaders`; `host` and `x-sdk-date` must be in
//! it, and so must `content-type`, `x-project-id`, `x-security-token` and
//! `x-sdk-content-sha256` when the request has them; a signed header that is missing or sent
//! twice is refused; `X-Sdk-Date` must be within 15 minutes of now.

use std::fmt::{self, Write as _};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use hyper::HeaderMap;
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};

use crate::credentials::Secret;

const ALGORITHM: &str = "SDK-HMAC-SHA256";
const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// Headers that, when present, must be covered by the signature.
const MUST_SIGN_IF_PRESENT: [&str; 4] = [
    "content-type",
    "x-project-id",
    "x-security-token",
    "x-sdk-content-sha256",
];
/// Headers that must always be signed.
const MUST_SIGN: [&str; 2] = ["host", "x-sdk-date"];
/// How far `X-Sdk-Date` may be from now (the gateway's limit).
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// Who may call.
#[derive(Debug)]
pub(crate) enum AuthPolicy {
    /// Anyone; authentication is not looked at.
    Any,
    /// Signed with one of `keys`, or carrying one of `tokens` as `X-Auth-Token`.
    Checked {
        keys: Vec<(String, Secret)>,
        tokens: Vec<Secret>,
    },
}

/// How a request authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Authenticated {
    /// Not looked at ([`AuthPolicy::Any`]).
    Unchecked,
    /// A valid AK/SK signature.
    Signature,
    /// A known IAM token.
    Token,
}

/// The request as the checker needs it.
pub(crate) struct Wire<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// Why a request is refused (the text goes after "Incorrect IAM authentication
/// information: " in the 401 body; it never holds a secret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn sig_fail(why: impl fmt::Display) -> Refusal {
    Refusal(format!("verify aksk signature fail, {why}"))
}

/// Checks `wire` against `policy` at time `now`.
pub(crate) fn authenticate(
    policy: &AuthPolicy,
    wire: &Wire<'_>,
    now: SystemTime,
) -> Result<Authenticated, Refusal> {
    let AuthPolicy::Checked { keys, tokens } = policy else {
        return Ok(Authenticated::Unchecked);
    };
    if let Some(authorization) = unique_header(wire.headers, "authorization")? {
        verify_signature(wire, authorization, keys, now)?;
        return Ok(Authenticated::Signature);
    }
    if let Some(token) = unique_header(wire.headers, "x-auth-token")? {
        // Compare every known token in full, so timing says nothing about near misses.
        let known = tokens.iter().fold(false, |found, t| {
            found | constant_time_eq(t.expose().as_bytes(), token.as_bytes())
        });
        return if known {
            Ok(Authenticated::Token)
        } else {
            Err(Refusal("decrypt token fail".to_owned()))
        };
    }
    Err(Refusal(
        "no Authorization or X-Auth-Token header".to_owned(),
    ))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn verify_signature(
    wire: &Wire<'_>,
    authorization: &str,
    keys: &[(String, Secret)],
    now: SystemTime,
) -> Result<(), Refusal> {
    let auth = parse_authorization(authorization)?;
    let secret = keys
        .iter()
        .find(|(ak, _)| *ak == auth.access_key)
        .map(|(_, sk)| sk)
        .ok_or_else(|| {
            Refusal(format!(
                "Get secretKey failed,ak:{},err:ak not exist",
                auth.access_key
            ))
        })?;

    let date = unique_header(wire.headers, "x-sdk-date")?
        .ok_or_else(|| sig_fail("X-Sdk-Date is missing"))?;
    check_date(date, now)?;

    check_signed_header_list(&auth.signed_headers)?;
    for name in MUST_SIGN {
        if !auth.signed_headers.iter().any(|h| h == name) {
            return Err(sig_fail(format_args!("header {name} is not signed")));
        }
    }
    for name in MUST_SIGN_IF_PRESENT {
        if wire.headers.contains_key(name) && !auth.signed_headers.iter().any(|h| h == name) {
            return Err(sig_fail(format_args!(
                "header {name} is present but not signed"
            )));
        }
    }

    let mut header_block = String::new();
    for name in &auth.signed_headers {
        let value = unique_header(wire.headers, name)?
            .ok_or_else(|| sig_fail(format_args!("signed header {name} is not on the request")))?;
        let _ = writeln!(header_block, "{name}:{value}");
    }

    let canonical_request = [
        wire.method.to_ascii_uppercase(),
        canonical_path(wire.path),
        canonical_query(wire.query.unwrap_or("")),
        header_block,
        auth.signed_headers.join(";"),
        payload_hash(wire)?,
    ]
    .join("\n");
    let string_to_sign = format!(
        "{ALGORITHM}\n{date}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let sent = unhex(&auth.signature)
        .ok_or_else(|| sig_fail("Signature is not 64 lower-case hex digits"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .map_err(|_| sig_fail("unusable secret key"))?;
    mac.update(string_to_sign.as_bytes());
    mac.verify_slice(&sent)
        .map_err(|_| sig_fail("the signature does not match"))
}

/// The parts of an `Authorization` header.
struct Authorization {
    access_key: String,
    signed_headers: Vec<String>,
    signature: String,
}

fn parse_authorization(value: &str) -> Result<Authorization, Refusal> {
    let malformed = |why: &str| sig_fail(format_args!("malformed Authorization: {why}"));
    let (algorithm, fields) = value
        .split_once(' ')
        .ok_or_else(|| malformed("no space after the algorithm"))?;
    if algorithm != ALGORITHM {
        return Err(malformed("unsupported algorithm"));
    }
    let (mut access, mut signed, mut signature) = (None, None, None);
    for field in fields.split(", ") {
        let (key, field_value) = field
            .split_once('=')
            .ok_or_else(|| malformed("a field without '='"))?;
        let slot = match key {
            "Access" => &mut access,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(malformed("an unknown field")),
        };
        if slot.replace(field_value.to_owned()).is_some() {
            return Err(malformed("a field given twice"));
        }
    }
    let access_key = access.ok_or_else(|| malformed("no Access"))?;
    let signed = signed.ok_or_else(|| malformed("no SignedHeaders"))?;
    let signature = signature.ok_or_else(|| malformed("no Signature"))?;
    if access_key.is_empty() {
        return Err(malformed("an empty Access"));
    }
    Ok(Authorization {
        access_key,
        signed_headers: signed.split(';').map(str::to_owned).collect(),
        signature,
    })
}

/// The one value of header `name` (trimmed), `None` without one; two values, or one that is
/// not visible ASCII, are refused.
pub(crate) fn unique_header<'h>(
    headers: &'h HeaderMap,
    name: &str,
) -> Result<Option<&'h str>, Refusal> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(sig_fail(format_args!(
            "header {name} is sent more than once"
        )));
    }
    let text = first
        .to_str()
        .map_err(|_| sig_fail(format_args!("header {name} is not visible ASCII")))?;
    Ok(Some(text.trim()))
}

/// `YYYYMMDDTHHMMSSZ`, a real time, within [`MAX_SKEW`] of `now`.
fn check_date(date: &str, now: SystemTime) -> Result<(), Refusal> {
    let bad = || sig_fail(format_args!("X-Sdk-Date {date:?} is not YYYYMMDDTHHMMSSZ"));
    let bytes = date.as_bytes();
    let shape_ok = bytes.len() == 16
        && bytes[8] == b'T'
        && bytes[15] == b'Z'
        && bytes[..8].iter().all(u8::is_ascii_digit)
        && bytes[9..15].iter().all(u8::is_ascii_digit);
    if !shape_ok {
        return Err(bad());
    }
    let field = |range: std::ops::Range<usize>| date[range].parse::<u32>().map_err(|_| bad());
    let year = i32::try_from(field(0..4)?).map_err(|_| bad())?;
    let month = u8::try_from(field(4..6)?)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or_else(bad)?;
    let day = u8::try_from(field(6..8)?).map_err(|_| bad())?;
    let to_u8 = |v: u32| u8::try_from(v).map_err(|_| bad());
    let hour = to_u8(field(9..11)?)?;
    let minute = to_u8(field(11..13)?)?;
    let second = to_u8(field(13..15)?)?;
    let signed_at = time::Date::from_calendar_date(year, month, day)
        .and_then(|d| d.with_hms(hour, minute, second))
        .map_err(|_| bad())?
        .assume_utc()
        .unix_timestamp();
    let now = match now.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    };
    let skew = now.abs_diff(signed_at);
    if skew > MAX_SKEW.as_secs() {
        return Err(sig_fail(format_args!(
            "X-Sdk-Date {date} is more than 15 minutes from the server's time"
        )));
    }
    Ok(())
}

fn check_signed_header_list(names: &[String]) -> Result<(), Refusal> {
    for name in names {
        if name.is_empty() || name.contains('_') || name.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(sig_fail(format_args!(
                "SignedHeaders holds {name:?} (must be lower-case names without '_')"
            )));
        }
    }
    if names.windows(2).any(|pair| pair[0] >= pair[1]) {
        return Err(sig_fail("SignedHeaders is not sorted, or repeats a name"));
    }
    Ok(())
}

/// The hex SHA-256 of the body, `UNSIGNED-PAYLOAD` when the request says so, or a
/// precomputed hash from `X-Sdk-Content-Sha256` after checking it. An empty body always
/// hashes as empty (as the official SDK signs it).
fn payload_hash(wire: &Wire<'_>) -> Result<String, Refusal> {
    let actual = hex(&Sha256::digest(wire.body));
    if wire.body.is_empty() {
        return Ok(actual);
    }
    match unique_header(wire.headers, "x-sdk-content-sha256")? {
        Some(UNSIGNED_PAYLOAD) => Ok(UNSIGNED_PAYLOAD.to_owned()),
        Some(claimed) if !claimed.is_empty() && claimed != actual => {
            Err(sig_fail("X-Sdk-Content-Sha256 is not the hash of the body"))
        }
        _ => Ok(actual),
    }
}

/// Percent-decodes the raw path, re-encodes every `/`-separated segment, and ends it with `/`.
fn canonical_path(raw_path: &str) -> String {
    let decoded = decode(raw_path);
    let mut path = decoded.split('/').map(encode).collect::<Vec<_>>().join("/");
    if !path.ends_with('/') {
        path.push('/');
    }
    path
}

/// The raw query as decoded `(key, value)` pairs, sorted, re-encoded and joined.
fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(String, String)> = raw_query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            (decode(key), decode(value))
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `%XX` decoding (a `+` stays a `+`); bytes that are not UTF-8 become U+FFFD.
pub(crate) fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

/// Every byte but `A-Z a-z 0-9 - _ . ~` as `%XX` (upper-case hex).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// The bytes of 64 lower-case hex digits.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() != 64 {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    text.as_bytes()
        .chunks(2)
        .map(|pair| Some((digit(pair[0])? << 4) | digit(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_well_formed_real_and_recent() {
        let now = UNIX_EPOCH + Duration::from_secs(1_704_164_645); // 2024-01-02T03:04:05Z
        assert_eq!(check_date("20240102T030405Z", now), Ok(()));
        assert_eq!(check_date("20240102T031805Z", now), Ok(()));
        for bad in [
            "20240102T032006Z", // 16 minutes ahead
            "20240102T024804Z", // 16 minutes behind
            "20241302T030405Z", // month 13
            "20240230T030405Z", // 30 February
            "20240102T250405Z", // hour 25
            "2024-01-02T03:04",
            "２０240102T030405Z",
            "",
        ] {
            assert!(check_date(bad, now).is_err(), "{bad}");
        }
    }

    #[test]
    fn canonical_forms_follow_signing_md() {
        assert_eq!(canonical_path("/v2/a%3Ab/x y"), "/v2/a%3Ab/x%20y/");
        assert_eq!(canonical_query("b=2&a=%7e&a=1"), "a=1&a=~&b=2");
        assert_eq!(unhex(&"0f".repeat(32)), Some(vec![15; 32]));
        assert_eq!(unhex(&"0F".repeat(32)), None);
    }
}
