//! The gateway's side of authentication: SDK-HMAC-SHA256 signatures checked as a server
//! does ([`verify_signature`]), and IAM tokens compared with the configured ones.
//!
//! The verifier recomputes the canonical request and the string to sign with the signer's
//! own functions ([`crate::signer`]), so the algorithm is written once; the official SDK's
//! vectors (`tests/signing_vectors.rs`) pin it for both sides. What the verifier adds is the
//! server's distrust: only what is signed counts. The header list comes from
//! `SignedHeaders`; `host` and `x-sdk-date` must be in it, and so must `content-type`,
//! `x-project-id`, `x-security-token` and `x-sdk-content-sha256` when the request has them;
//! a signed header that is missing or sent twice is refused; and `X-Sdk-Date` must be within
//! 15 minutes of the server's time.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::Mac;
use hyper::HeaderMap;
use percent_encoding::percent_decode_str;

use crate::Secret;
use crate::signer::{self, SigningKey};

/// Headers that, when present, must be covered by the signature.
const MUST_SIGN_IF_PRESENT: [&str; 4] = [
    "content-type",
    "x-project-id",
    "x-security-token",
    "x-sdk-content-sha256",
];
/// Headers that must always be signed.
const MUST_SIGN: [&str; 2] = ["host", "x-sdk-date"];
/// How far `X-Sdk-Date` may be from the server's time (the gateway's limit).
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

/// A request as it arrived, for [`verify_signature`].
#[derive(Clone, Copy, Debug)]
pub struct Wire<'a> {
    /// The method, e.g. `POST`.
    pub method: &'a str,
    /// The path exactly as sent (percent-encoded).
    pub path: &'a str,
    /// What followed `?`, exactly as sent, if there was a `?`.
    pub query: Option<&'a str>,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// The body.
    pub body: &'a [u8],
}

/// What a signature that verifies was made with, and over.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The access key of the `Authorization` header.
    pub access_key: String,
    /// The `SignedHeaders` names, in order.
    pub signed_headers: Vec<String>,
    /// The canonical request, recomputed from the request as it arrived.
    pub canonical_request: String,
    /// The string to sign, recomputed from the request as it arrived.
    pub string_to_sign: String,
}

/// Why [`verify_signature`] refuses a request. Its text is what the local DMS's 401 body
/// says after "Incorrect IAM authentication information: "; it never holds a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// There is no `Authorization` header.
    MissingAuthorization,
    /// A header that must be unique (`Authorization`, `X-Sdk-Date`, a signed one) is sent
    /// more than once.
    DuplicateHeader(String),
    /// A header that is read has a value that is not visible ASCII.
    NotVisibleAscii(String),
    /// The `Authorization` header is not `SDK-HMAC-SHA256 Access=.., SignedHeaders=..,
    /// Signature=..`; says what is wrong.
    MalformedAuthorization(&'static str),
    /// The `Authorization` header names another algorithm (this one).
    UnsupportedAlgorithm(String),
    /// No secret key is known for this access key.
    UnknownAccessKey(String),
    /// There is no `X-Sdk-Date` header.
    MissingDate,
    /// `X-Sdk-Date` (this value) is not a real time written `YYYYMMDDTHHMMSSZ`.
    BadDate(String),
    /// `X-Sdk-Date` (this value) is more than 15 minutes from the server's time.
    DateTooFar(String),
    /// `SignedHeaders` holds this name, which is empty, has an upper-case letter or a `_`.
    BadSignedHeaderName(String),
    /// `SignedHeaders` is not sorted, or repeats a name.
    SignedHeadersNotSorted,
    /// This header (`host` or `x-sdk-date`) must always be signed, and is not.
    RequiredHeaderNotSigned(String),
    /// This header is on the request but not signed (`content-type`, `x-project-id`,
    /// `x-security-token` and `x-sdk-content-sha256` must be when present).
    NotSigned(String),
    /// This header is named in `SignedHeaders` but not on the request.
    SignedHeaderMissing(String),
    /// `X-Sdk-Content-Sha256` claims a hash that the body does not have.
    ContentHashMismatch,
    /// The `Signature` is not 64 lower-case hex digits.
    SignatureNotHex,
    /// Everything is well-formed, but the signature is not the one of what arrived.
    SignatureMismatch {
        /// The canonical request recomputed from the request as it arrived.
        canonical_request: String,
        /// The string to sign recomputed from it.
        string_to_sign: String,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const FAIL: &str = "verify aksk signature fail";
        match self {
            Rejection::UnknownAccessKey(ak) => {
                write!(f, "Get secretKey failed,ak:{ak},err:ak not exist")
            }
            Rejection::MissingAuthorization => write!(f, "{FAIL}, no Authorization header"),
            Rejection::DuplicateHeader(name) => {
                write!(f, "{FAIL}, header {name} is sent more than once")
            }
            Rejection::NotVisibleAscii(name) => {
                write!(f, "{FAIL}, header {name} is not visible ASCII")
            }
            Rejection::MalformedAuthorization(why) => {
                write!(f, "{FAIL}, malformed Authorization: {why}")
            }
            Rejection::UnsupportedAlgorithm(_) => {
                write!(f, "{FAIL}, malformed Authorization: unsupported algorithm")
            }
            Rejection::MissingDate => write!(f, "{FAIL}, X-Sdk-Date is missing"),
            Rejection::BadDate(date) => {
                write!(f, "{FAIL}, X-Sdk-Date {date:?} is not YYYYMMDDTHHMMSSZ")
            }
            Rejection::DateTooFar(date) => write!(
                f,
                "{FAIL}, X-Sdk-Date {date} is more than 15 minutes from the server's time"
            ),
            Rejection::BadSignedHeaderName(name) => write!(
                f,
                "{FAIL}, SignedHeaders holds {name:?} (must be lower-case names without '_')"
            ),
            Rejection::SignedHeadersNotSorted => {
                write!(f, "{FAIL}, SignedHeaders is not sorted, or repeats a name")
            }
            Rejection::RequiredHeaderNotSigned(name) => {
                write!(f, "{FAIL}, header {name} is not signed")
            }
            Rejection::NotSigned(name) => {
                write!(f, "{FAIL}, header {name} is present but not signed")
            }
            Rejection::SignedHeaderMissing(name) => {
                write!(f, "{FAIL}, signed header {name} is not on the request")
            }
            Rejection::ContentHashMismatch => {
                write!(
                    f,
                    "{FAIL}, X-Sdk-Content-Sha256 is not the hash of the body"
                )
            }
            Rejection::SignatureNotHex => {
                write!(f, "{FAIL}, Signature is not 64 lower-case hex digits")
            }
            Rejection::SignatureMismatch { .. } => {
                write!(f, "{FAIL}, the signature does not match")
            }
        }
    }
}

impl std::error::Error for Rejection {}

/// Why the local DMS refuses a request (the text goes after "Incorrect IAM authentication
/// information: " in the 401 body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The signature does not verify.
    Signature(Rejection),
    /// The `X-Auth-Token` is not a known token.
    UnknownToken,
    /// Neither `Authorization` nor `X-Auth-Token` is sent.
    NoCredentials,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Signature(rejection) => rejection.fmt(f),
            Refusal::UnknownToken => f.write_str("decrypt token fail"),
            Refusal::NoCredentials => f.write_str("no Authorization or X-Auth-Token header"),
        }
    }
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
    if wire.headers.contains_key("authorization") {
        let keys: Vec<(&str, &[u8])> = keys
            .iter()
            .map(|(ak, sk)| (ak.as_str(), sk.expose().as_bytes()))
            .collect();
        verify_signature(wire, &keys, Some(now)).map_err(Refusal::Signature)?;
        return Ok(Authenticated::Signature);
    }
    let Some(token) = unique_header(wire.headers, "x-auth-token").map_err(Refusal::Signature)?
    else {
        return Err(Refusal::NoCredentials);
    };
    // Compare every known token in full, so timing says nothing about near misses.
    let known = tokens.iter().fold(false, |found, t| {
        found | constant_time_eq(t.expose().as_bytes(), token.as_bytes())
    });
    if known {
        Ok(Authenticated::Token)
    } else {
        Err(Refusal::UnknownToken)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks the SDK-HMAC-SHA256 signature of `request` as the service's gateway does, with
/// the secret key that `keys` (access key, secret key) holds for its access key.
///
/// With `now`, an `X-Sdk-Date` more than 15 minutes from it is refused; without, only its
/// form is checked (for requests recorded at a fixed time, such as test vectors).
pub fn verify_signature(
    request: &Wire<'_>,
    keys: &[(&str, &[u8])],
    now: Option<SystemTime>,
) -> Result<Verified, Rejection> {
    let authorization =
        unique_header(request.headers, "authorization")?.ok_or(Rejection::MissingAuthorization)?;
    let auth = parse_authorization(authorization)?;
    let secret = keys
        .iter()
        .find(|(ak, _)| *ak == auth.access_key)
        .map(|(_, sk)| *sk)
        .ok_or_else(|| Rejection::UnknownAccessKey(auth.access_key.to_owned()))?;

    let date = unique_header(request.headers, "x-sdk-date")?.ok_or(Rejection::MissingDate)?;
    check_date(date, now)?;

    check_signed_header_list(&auth.signed_headers)?;
    for name in MUST_SIGN {
        if !auth.signed_headers.contains(&name) {
            return Err(Rejection::RequiredHeaderNotSigned(name.to_owned()));
        }
    }
    for name in MUST_SIGN_IF_PRESENT {
        if request.headers.contains_key(name) && !auth.signed_headers.contains(&name) {
            return Err(Rejection::NotSigned(name.to_owned()));
        }
    }
    let mut headers = Vec::with_capacity(auth.signed_headers.len());
    for &name in &auth.signed_headers {
        let value = unique_header(request.headers, name)?
            .ok_or_else(|| Rejection::SignedHeaderMissing(name.to_owned()))?;
        headers.push((name, value));
    }

    let query: Vec<(String, String)> = request
        .query
        .unwrap_or("")
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (key, value) = piece.split_once('=').unwrap_or((piece, ""));
            (decode(key), decode(value))
        })
        .collect();
    let canonical_request = signer::canonical_request(
        request.method,
        request.path,
        &query,
        &headers,
        auth.signed_headers_text,
        &payload_hash(request)?,
    );
    let string_to_sign = signer::string_to_sign(date, &canonical_request);
    let sent = unhex(auth.signature).ok_or(Rejection::SignatureNotHex)?;
    if SigningKey::new(secret)
        .mac(&string_to_sign)
        .verify_slice(&sent)
        .is_err()
    {
        return Err(Rejection::SignatureMismatch {
            canonical_request,
            string_to_sign,
        });
    }
    Ok(Verified {
        access_key: auth.access_key.to_owned(),
        signed_headers: auth.signed_headers.iter().map(|&n| n.to_owned()).collect(),
        canonical_request,
        string_to_sign,
    })
}

/// The parts of an `Authorization` header.
struct Authorization<'a> {
    access_key: &'a str,
    signed_headers_text: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, Rejection> {
    use Rejection::MalformedAuthorization as Malformed;
    let (algorithm, fields) = value
        .split_once(' ')
        .ok_or(Malformed("no space after the algorithm"))?;
    if algorithm != signer::ALGORITHM {
        return Err(Rejection::UnsupportedAlgorithm(algorithm.to_owned()));
    }
    let (mut access, mut signed, mut signature) = (None, None, None);
    for field in fields.split(", ") {
        let (key, field_value) = field
            .split_once('=')
            .ok_or(Malformed("a field without '='"))?;
        let slot = match key {
            "Access" => &mut access,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(Malformed("an unknown field")),
        };
        if slot.replace(field_value).is_some() {
            return Err(Malformed("a field given twice"));
        }
    }
    let access_key = access.ok_or(Malformed("no Access"))?;
    let signed = signed.ok_or(Malformed("no SignedHeaders"))?;
    let signature = signature.ok_or(Malformed("no Signature"))?;
    if access_key.is_empty() {
        return Err(Malformed("an empty Access"));
    }
    Ok(Authorization {
        access_key,
        signed_headers_text: signed,
        signed_headers: signed.split(';').collect(),
        signature,
    })
}

/// The one value of header `name` (trimmed), `None` without one; two values, or one that is
/// not visible ASCII, are refused.
pub(crate) fn unique_header<'h>(
    headers: &'h HeaderMap,
    name: &str,
) -> Result<Option<&'h str>, Rejection> {
    let mut values = headers.get_all(name).iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(Rejection::DuplicateHeader(name.to_owned()));
    }
    let text = first
        .to_str()
        .map_err(|_| Rejection::NotVisibleAscii(name.to_owned()))?;
    Ok(Some(text.trim()))
}

/// `YYYYMMDDTHHMMSSZ`, a real time, and with `now` within [`MAX_SKEW`] of it.
fn check_date(date: &str, now: Option<SystemTime>) -> Result<(), Rejection> {
    let bad = || Rejection::BadDate(date.to_owned());
    let bytes = date.as_bytes();
    let shape_ok = bytes.len() == 16
        && bytes[8] == b'T'
        && bytes[15] == b'Z'
        && bytes[..8].iter().all(u8::is_ascii_digit)
        && bytes[9..15].iter().all(u8::is_ascii_digit);
    if !shape_ok {
        return Err(bad());
    }
    // Digits only, so these parse.
    let number = |range: std::ops::Range<usize>| date[range].parse::<u16>().unwrap_or(0);
    let two_digits = |range| u8::try_from(number(range)).unwrap_or(0);
    let month = time::Month::try_from(two_digits(4..6)).map_err(|_| bad())?;
    let (hour, minute, second) = (two_digits(9..11), two_digits(11..13), two_digits(13..15));
    let signed_at = time::Date::from_calendar_date(number(0..4).into(), month, two_digits(6..8))
        .and_then(|day| day.with_hms(hour, minute, second))
        .map_err(|_| bad())?
        .assume_utc()
        .unix_timestamp();
    let Some(now) = now else {
        return Ok(());
    };
    let now = match now.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(_) => 0,
    };
    if now.abs_diff(signed_at) > MAX_SKEW.as_secs() {
        return Err(Rejection::DateTooFar(date.to_owned()));
    }
    Ok(())
}

fn check_signed_header_list(names: &[&str]) -> Result<(), Rejection> {
    for name in names {
        if name.is_empty() || name.contains('_') || name.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(Rejection::BadSignedHeaderName((*name).to_owned()));
        }
    }
    if names.windows(2).any(|pair| pair[0] >= pair[1]) {
        return Err(Rejection::SignedHeadersNotSorted);
    }
    Ok(())
}

/// The hex SHA-256 of the body, `UNSIGNED-PAYLOAD` when the request says so, or a
/// precomputed hash from `X-Sdk-Content-Sha256` after checking it. An empty body always
/// hashes as empty (as the official SDK signs it).
fn payload_hash(request: &Wire<'_>) -> Result<String, Rejection> {
    let actual = signer::sha256_hex(request.body);
    if request.body.is_empty() {
        return Ok(actual);
    }
    match unique_header(request.headers, "x-sdk-content-sha256")? {
        Some(signer::UNSIGNED_PAYLOAD) => Ok(signer::UNSIGNED_PAYLOAD.to_owned()),
        Some(claimed) if !claimed.is_empty() && claimed != actual => {
            Err(Rejection::ContentHashMismatch)
        }
        _ => Ok(actual),
    }
}

/// `%XX` decoding (a `+` stays a `+`); bytes that are not UTF-8 become U+FFFD.
pub(crate) fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
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
        let now = Some(UNIX_EPOCH + Duration::from_secs(1_704_164_645)); // 2024-01-02T03:04:05Z
        assert_eq!(check_date("20240102T030405Z", now), Ok(()));
        assert_eq!(check_date("20240102T031805Z", now), Ok(()));
        for far in ["20240102T032006Z", "20240102T024804Z"] {
            // 16 minutes ahead, 16 minutes behind: fine without a clock.
            assert_eq!(check_date(far, now), Err(Rejection::DateTooFar(far.into())));
            assert_eq!(check_date(far, None), Ok(()));
        }
        for bad in [
            "20241302T030405Z", // month 13
            "20240230T030405Z", // 30 February
            "20240102T250405Z", // hour 25
            "2024-01-02T03:04",
            "２０240102T030405Z",
            "",
        ] {
            assert_eq!(check_date(bad, now), Err(Rejection::BadDate(bad.into())));
            assert_eq!(check_date(bad, None), Err(Rejection::BadDate(bad.into())));
        }
    }

    #[test]
    fn signatures_are_64_lower_case_hex_digits() {
        assert_eq!(unhex(&"0f".repeat(32)), Some(vec![15; 32]));
        assert_eq!(unhex(&"0F".repeat(32)), None);
        assert_eq!(unhex(&"0f".repeat(31)), None);
    }

    #[test]
    fn the_texts_are_the_gateways() {
        let fail = |why: &str| format!("verify aksk signature fail, {why}");
        let name = || "x-project-id".to_owned();
        let texts = [
            (
                Rejection::UnknownAccessKey("AK".into()),
                "Get secretKey failed,ak:AK,err:ak not exist".to_owned(),
            ),
            (
                Rejection::MissingAuthorization,
                fail("no Authorization header"),
            ),
            (
                Rejection::DuplicateHeader(name()),
                fail("header x-project-id is sent more than once"),
            ),
            (
                Rejection::NotVisibleAscii(name()),
                fail("header x-project-id is not visible ASCII"),
            ),
            (
                Rejection::MalformedAuthorization("no Access"),
                fail("malformed Authorization: no Access"),
            ),
            (
                Rejection::UnsupportedAlgorithm("SDK-HMAC-SM3".into()),
                fail("malformed Authorization: unsupported algorithm"),
            ),
            (Rejection::MissingDate, fail("X-Sdk-Date is missing")),
            (
                Rejection::BadDate("2024".into()),
                fail(r#"X-Sdk-Date "2024" is not YYYYMMDDTHHMMSSZ"#),
            ),
            (
                Rejection::DateTooFar("20240102T030405Z".into()),
                fail("X-Sdk-Date 20240102T030405Z is more than 15 minutes from the server's time"),
            ),
            (
                Rejection::BadSignedHeaderName("X_A".into()),
                fail(r#"SignedHeaders holds "X_A" (must be lower-case names without '_')"#),
            ),
            (
                Rejection::SignedHeadersNotSorted,
                fail("SignedHeaders is not sorted, or repeats a name"),
            ),
            (
                Rejection::RequiredHeaderNotSigned("host".into()),
                fail("header host is not signed"),
            ),
            (
                Rejection::NotSigned(name()),
                fail("header x-project-id is present but not signed"),
            ),
            (
                Rejection::SignedHeaderMissing(name()),
                fail("signed header x-project-id is not on the request"),
            ),
            (
                Rejection::ContentHashMismatch,
                fail("X-Sdk-Content-Sha256 is not the hash of the body"),
            ),
            (
                Rejection::SignatureNotHex,
                fail("Signature is not 64 lower-case hex digits"),
            ),
            (
                Rejection::SignatureMismatch {
                    canonical_request: "GET".into(),
                    string_to_sign: "x".into(),
                },
                fail("the signature does not match"),
            ),
        ];
        for (rejection, text) in texts {
            assert_eq!(rejection.to_string(), text);
        }
        assert_eq!(Refusal::UnknownToken.to_string(), "decrypt token fail");
        assert_eq!(
            Refusal::NoCredentials.to_string(),
            "no Authorization or X-Auth-Token header"
        );
    }

    #[test]
    fn what_the_signer_signs_verifies_now_and_not_later() {
        let now = UNIX_EPOCH + Duration::from_secs(1_704_164_645);
        let given = [("Content-Type", "application/json"), ("X-Project-Id", "p")];
        let given: Vec<(String, String)> = given
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        let query = vec![("limit".to_owned(), "10 0".to_owned())];
        let parts = signer::RequestParts::new("GET", "h:1", "/v2/p/x", &query, &given, b"{}");
        let signed = signer::sign(&parts, "AK", b"SK", now);
        let on_the_wire = given
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .chain([("Host", "h:1")])
            .chain(signed.headers.iter().map(|(n, v)| (*n, v.as_str())));
        let mut headers = HeaderMap::new();
        for (name, value) in on_the_wire {
            let name: hyper::header::HeaderName = name.parse().expect("a header name");
            headers.insert(name, value.parse().expect("a header value"));
        }
        let wire = Wire {
            method: "GET",
            path: "/v2/p/x",
            query: Some("limit=10%200"),
            headers: &headers,
            body: b"{}",
        };
        let keys: &[(&str, &[u8])] = &[("AK", b"SK")];
        let verified = verify_signature(&wire, keys, Some(now)).expect("it verifies");
        assert_eq!(verified.canonical_request, signed.canonical_request);
        assert_eq!(verified.string_to_sign, signed.string_to_sign);
        let later = now + Duration::from_secs(16 * 60);
        assert_eq!(
            verify_signature(&wire, keys, Some(later)),
            Err(Rejection::DateTooFar("20240102T030405Z".into()))
        );
        assert!(matches!(
            verify_signature(&wire, &[("AK", b"another SK")], Some(now)),
            Err(Rejection::SignatureMismatch { .. })
        ));
    }
}
