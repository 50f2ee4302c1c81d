//! An independent, server-side check of SDK-HMAC-SHA256 signatures, written from
//! `SIGNING.md` (the official SDK's algorithm) and deliberately sharing no code with
//! `generated_client::signer`.
//!
//! [`verify`] takes a [`RecordedRequest`] exactly as it arrived on the wire (method, raw
//! path, raw query, headers, body), looks the access key of its `Authorization` header up
//! in the keys it is given, recomputes the canonical request, the string to sign and the
//! signature, and says either [`Verified`] or why not ([`Rejection`]). Like a real gateway
//! it only trusts what is signed: it reads the header list from `SignedHeaders`, insists
//! that `host`, `x-sdk-date` and (when present) `content-type`, `x-project-id`,
//! `x-security-token` and `x-sdk-content-sha256` are among them, and refuses a signed
//! header that is missing or sent twice.

use std::fmt::{self, Write as _};

use hmac::{Hmac, Mac};
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};

use super::RecordedRequest;

/// The only algorithm this checker knows.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// The body hash stand-in for a body that is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// Headers that, when present on the request, must be covered by the signature: a request
/// whose project, token, body hash or content type could be swapped is refused.
const MUST_SIGN_IF_PRESENT: [&str; 4] = [
    "content-type",
    "x-project-id",
    "x-security-token",
    "x-sdk-content-sha256",
];
/// Headers that must always be signed.
const MUST_SIGN: [&str; 2] = ["host", "x-sdk-date"];

/// What a request that verifies was signed with and over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The access key of the `Authorization` header.
    pub access_key: String,
    /// The `SignedHeaders` names, in order.
    pub signed_headers: Vec<String>,
    /// The `X-Sdk-Date` value.
    pub date: String,
    /// The canonical request recomputed from the wire.
    pub canonical_request: String,
    /// The string to sign recomputed from the wire.
    pub string_to_sign: String,
}

/// Why a request does not verify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// There is no `Authorization` header.
    MissingAuthorization,
    /// A header that must be unique (`Authorization`, `X-Sdk-Date`, a signed one) came more
    /// than once.
    DuplicateHeader(String),
    /// The `Authorization` header is not `ALG Access=.., SignedHeaders=.., Signature=..`.
    MalformedAuthorization(String),
    /// The `Authorization` header names another algorithm.
    UnsupportedAlgorithm(String),
    /// No secret key is known for this access key.
    UnknownAccessKey(String),
    /// `X-Sdk-Date` is missing or not `YYYYMMDDTHHMMSSZ`.
    BadDate(String),
    /// `SignedHeaders` is not a sorted, duplicate-free list of lower-case names without `_`.
    BadSignedHeaders(String),
    /// A header that must be signed is not in `SignedHeaders`.
    NotSigned(String),
    /// A header named in `SignedHeaders` is not on the request.
    SignedHeaderMissing(String),
    /// `X-Sdk-Content-Sha256` claims a hash that the body does not have.
    ContentHashMismatch {
        /// The claimed hash.
        claimed: String,
        /// The body's hash.
        actual: String,
    },
    /// Everything is well-formed but the signature is not the one recomputed here.
    SignatureMismatch {
        /// The `Signature=` of the request.
        sent: String,
        /// What the canonical request recomputed here is.
        canonical_request: String,
        /// What the string to sign recomputed here is.
        string_to_sign: String,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::MissingAuthorization => write!(f, "no Authorization header"),
            Rejection::DuplicateHeader(name) => write!(f, "header {name} is sent more than once"),
            Rejection::MalformedAuthorization(why) => write!(f, "malformed Authorization: {why}"),
            Rejection::UnsupportedAlgorithm(alg) => write!(f, "unsupported algorithm {alg:?}"),
            Rejection::UnknownAccessKey(ak) => write!(f, "unknown access key {ak:?}"),
            Rejection::BadDate(why) => write!(f, "bad X-Sdk-Date: {why}"),
            Rejection::BadSignedHeaders(why) => write!(f, "bad SignedHeaders: {why}"),
            Rejection::NotSigned(name) => write!(f, "header {name} is present but not signed"),
            Rejection::SignedHeaderMissing(name) => {
                write!(f, "signed header {name} is not on the request")
            }
            Rejection::ContentHashMismatch { claimed, actual } => write!(
                f,
                "X-Sdk-Content-Sha256 says {claimed} but the body hashes to {actual}"
            ),
            Rejection::SignatureMismatch {
                sent,
                canonical_request,
                string_to_sign,
            } => write!(
                f,
                "signature {sent} does not match; recomputed canonical request:\n{canonical_request}\n\
                 --- string to sign:\n{string_to_sign}"
            ),
        }
    }
}

/// Checks the signature of `request` with the secret key that `keys` (access key, secret
/// key) holds for its access key.
pub fn verify(request: &RecordedRequest, keys: &[(&str, &[u8])]) -> Result<Verified, Rejection> {
    let authorization =
        unique_header(request, "authorization")?.ok_or(Rejection::MissingAuthorization)?;
    let auth = parse_authorization(authorization)?;
    let secret = keys
        .iter()
        .find(|(ak, _)| *ak == auth.access_key)
        .map(|(_, sk)| *sk)
        .ok_or_else(|| Rejection::UnknownAccessKey(auth.access_key.clone()))?;

    let date = unique_header(request, "x-sdk-date")?
        .ok_or_else(|| Rejection::BadDate("missing".to_owned()))?
        .to_owned();
    check_date(&date)?;

    check_signed_header_list(&auth.signed_headers)?;
    for name in MUST_SIGN {
        if !auth.signed_headers.iter().any(|h| h == name) {
            return Err(Rejection::NotSigned(name.to_owned()));
        }
    }
    for name in MUST_SIGN_IF_PRESENT {
        let present = request
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name));
        if present && !auth.signed_headers.iter().any(|h| h == name) {
            return Err(Rejection::NotSigned(name.to_owned()));
        }
    }

    let mut header_block = String::new();
    for name in &auth.signed_headers {
        let value = unique_header(request, name)?
            .ok_or_else(|| Rejection::SignedHeaderMissing(name.clone()))?;
        let _ = writeln!(header_block, "{name}:{value}");
    }

    let payload = payload_hash(request)?;
    let canonical_request = [
        request.method.to_ascii_uppercase(),
        canonical_path(&request.path),
        canonical_query(request.query.as_deref().unwrap_or("")),
        header_block,
        auth.signed_headers.join(";"),
        payload,
    ]
    .join("\n");
    let string_to_sign = format!(
        "{ALGORITHM}\n{date}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );

    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(string_to_sign.as_bytes());
    let sent = unhex(&auth.signature).ok_or_else(|| {
        Rejection::MalformedAuthorization(format!(
            "Signature {:?} is not 64 lower-case hex digits",
            auth.signature
        ))
    })?;
    if mac.verify_slice(&sent).is_err() {
        return Err(Rejection::SignatureMismatch {
            sent: auth.signature,
            canonical_request,
            string_to_sign,
        });
    }
    Ok(Verified {
        access_key: auth.access_key,
        signed_headers: auth.signed_headers,
        date,
        canonical_request,
        string_to_sign,
    })
}

/// The parts of an `Authorization` header.
struct Authorization {
    access_key: String,
    signed_headers: Vec<String>,
    signature: String,
}

fn parse_authorization(value: &str) -> Result<Authorization, Rejection> {
    let malformed = |why: &str| Rejection::MalformedAuthorization(format!("{why} in {value:?}"));
    let (algorithm, fields) = value
        .split_once(' ')
        .ok_or_else(|| malformed("no space after the algorithm"))?;
    if algorithm != ALGORITHM {
        return Err(Rejection::UnsupportedAlgorithm(algorithm.to_owned()));
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
            _ => return Err(malformed(&format!("unknown field {key:?}"))),
        };
        if slot.replace(field_value.to_owned()).is_some() {
            return Err(malformed(&format!("field {key} given twice")));
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

/// The one value of header `name` (trimmed), `None` without one, an error with two.
fn unique_header<'r>(
    request: &'r RecordedRequest,
    name: &str,
) -> Result<Option<&'r str>, Rejection> {
    let mut values = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim());
    let first = values.next();
    if values.next().is_some() {
        return Err(Rejection::DuplicateHeader(name.to_owned()));
    }
    Ok(first)
}

fn check_date(date: &str) -> Result<(), Rejection> {
    let bytes = date.as_bytes();
    let shape_ok = bytes.len() == 16
        && bytes[8] == b'T'
        && bytes[15] == b'Z'
        && bytes[..8].iter().all(u8::is_ascii_digit)
        && bytes[9..15].iter().all(u8::is_ascii_digit);
    if !shape_ok {
        return Err(Rejection::BadDate(format!(
            "{date:?} is not YYYYMMDDTHHMMSSZ"
        )));
    }
    let field = |range: std::ops::Range<usize>| -> u32 {
        date[range].parse().expect("checked to be digits")
    };
    let in_range = (1..=12).contains(&field(4..6))
        && (1..=31).contains(&field(6..8))
        && field(9..11) < 24
        && field(11..13) < 60
        && field(13..15) < 61;
    if !in_range {
        return Err(Rejection::BadDate(format!("{date:?} is not a valid time")));
    }
    Ok(())
}

fn check_signed_header_list(names: &[String]) -> Result<(), Rejection> {
    for name in names {
        if name.is_empty() {
            return Err(Rejection::BadSignedHeaders("an empty name".to_owned()));
        }
        if name.contains('_') {
            return Err(Rejection::BadSignedHeaders(format!(
                "{name:?} contains '_' (such headers are never signed)"
            )));
        }
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(Rejection::BadSignedHeaders(format!(
                "{name:?} is not lower-case"
            )));
        }
    }
    if let Some(pair) = names.windows(2).find(|pair| pair[0] >= pair[1]) {
        return Err(Rejection::BadSignedHeaders(format!(
            "{:?} then {:?}: not sorted, or repeated",
            pair[0], pair[1]
        )));
    }
    Ok(())
}

/// The hex SHA-256 of the body, `UNSIGNED-PAYLOAD` when the request says so, or a
/// precomputed hash from `X-Sdk-Content-Sha256` after checking it. An empty body always
/// hashes as empty (as the official SDK signs it).
fn payload_hash(request: &RecordedRequest) -> Result<String, Rejection> {
    let actual = hex(&Sha256::digest(&request.body));
    if request.body.is_empty() {
        return Ok(actual);
    }
    match unique_header(request, "x-sdk-content-sha256")? {
        Some(UNSIGNED_PAYLOAD) => Ok(UNSIGNED_PAYLOAD.to_owned()),
        Some(claimed) if !claimed.is_empty() => {
            if claimed == actual {
                Ok(actual)
            } else {
                Err(Rejection::ContentHashMismatch {
                    claimed: claimed.to_owned(),
                    actual,
                })
            }
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
fn decode(text: &str) -> String {
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
        .map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?))
        .collect()
}
