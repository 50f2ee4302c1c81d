//! SDK-HMAC-SHA256: the AK/SK request signature of Huawei Cloud and T Cloud Public.
//!
//! Independent of HTTP: [`sign`] and [`sign_with`] take a [`RequestParts`] (method, path as
//! sent, decoded query pairs, headers, body) and return the headers to add. The steps follow
//! the official SDK signer and reproduce its test vectors byte for byte:
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
//! prepared once, and [`sign_with`] signs with it. It builds no text but the `Authorization`
//! value: the canonical request goes through a buffer on the stack into SHA-256, the headers
//! are sorted on the stack (a query's pairs, a percent-encoded path or more than a dozen
//! headers take an allocation). [`sign`] also returns the canonical request and the string
//! to sign as text, for debugging.

use std::cell::Cell;
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

/// What the request must carry for its signature to verify ([`sign_with`]): see
/// [`SignatureHeaders::headers`].
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureHeaders {
    date: Option<SdkDate>,
    unsigned_payload: bool,
    authorization: String,
}

impl SignatureHeaders {
    /// Headers to set on the request, `(name, value)`: `X-Sdk-Date` when it was missing,
    /// `X-Sdk-Content-Sha256` for an unsigned body, and `Authorization`.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let date = self.date.as_ref().map(|date| (DATE_HEADER, date.as_str()));
        let unsigned = self
            .unsigned_payload
            .then_some((CONTENT_SHA256_HEADER, UNSIGNED_PAYLOAD));
        date.into_iter()
            .chain(unsigned)
            .chain([("Authorization", self.authorization.as_str())])
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

impl std::fmt::Debug for SignatureHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The names only: the signature is a bearer value for the life of the request.
        let names: Vec<&str> = self.headers().map(|(name, _)| name).collect();
        f.debug_struct("SignatureHeaders")
            .field("headers", &names)
            .finish_non_exhaustive()
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
    SdkDate::new(time).as_str().to_owned()
}

/// An `X-Sdk-Date` value, on the stack.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct SdkDate([u8; 16]);

impl SdkDate {
    fn new(time: SystemTime) -> Self {
        // Requests signed in the same second share a date: each thread keeps the last one
        // it formatted with the second it stands for, `[start, end)` (a plain `Cell`, so
        // `SigningKey` needs no lock to stay `Sync`). Two comparisons of the time then
        // replace the subtraction from the epoch and the formatting.
        thread_local! {
            static LAST: Cell<(SystemTime, SystemTime, SdkDate)> =
                const { Cell::new((UNIX_EPOCH, UNIX_EPOCH, SdkDate([0; 16]))) };
        }
        let cached = LAST.try_with(|last| {
            let (start, end, date) = last.get();
            if start <= time && time < end {
                return date;
            }
            let seconds = Self::seconds(time);
            let date = SdkDate::format(seconds);
            if let Some((start, end)) = Self::second_of(seconds) {
                last.set((start, end, date));
            }
            date
        });
        cached.unwrap_or_else(|_| SdkDate::format(Self::seconds(time)))
    }

    /// Whole seconds since the Unix epoch, rounded down, clamped into the years 0000-9999.
    fn seconds(time: SystemTime) -> i64 {
        let seconds = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => {
                // Round down: half a second before the epoch is 23:59:59.
                let before = before.duration();
                let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
                (-whole).saturating_sub(i64::from(before.subsec_nanos() > 0))
            }
        };
        seconds.clamp(EARLIEST_SDK_DATE, LATEST_SDK_DATE)
    }

    /// The times that are in second `seconds` since the epoch, `[start, end)`; none at
    /// the ends of the range, where a clamped date stands for many seconds.
    fn second_of(seconds: i64) -> Option<(SystemTime, SystemTime)> {
        if seconds == EARLIEST_SDK_DATE || seconds == LATEST_SDK_DATE {
            return None;
        }
        let from_epoch = std::time::Duration::from_secs(seconds.unsigned_abs());
        let start = if seconds >= 0 {
            UNIX_EPOCH.checked_add(from_epoch)?
        } else {
            UNIX_EPOCH.checked_sub(from_epoch)?
        };
        Some((start, start.checked_add(std::time::Duration::from_secs(1))?))
    }

    /// Formats `seconds` since the Unix epoch, within the years 0000-9999.
    fn format(seconds: i64) -> Self {
        // Counted from 0000-01-01, the time is never negative: plain unsigned division.
        let since_year_0 = u64::try_from(seconds - EARLIEST_SDK_DATE).unwrap_or(0);
        let days = u32::try_from(since_year_0 / 86_400).unwrap_or(0);
        let second_of_day = u32::try_from(since_year_0 % 86_400).unwrap_or(0);
        let (year, month, day) = civil_from_days(days);
        // Built in two words: written byte by byte, the date would be read back whole
        // before the stores land (a store-forwarding stall).
        let pair = |n: u32| u64::from(u16::from_le_bytes(DECIMAL_PAIRS[(n % 100) as usize]));
        let day_part = pair(year / 100) | pair(year) << 16 | pair(month) << 32 | pair(day) << 48;
        let time_part = u64::from(b'T')
            | pair(second_of_day / 3600) << 8
            | pair(second_of_day / 60 % 60) << 24
            | pair(second_of_day % 60) << 40
            | u64::from(b'Z') << 56;
        let out = (u128::from(day_part) | u128::from(time_part) << 64).to_le_bytes();
        SdkDate(out)
    }

    pub(crate) fn as_str(&self) -> &str {
        // ASCII digits, `T` and `Z` by construction.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// The two decimal digits of 0..=99.
const DECIMAL_PAIRS: [[u8; 2]; 100] = {
    let mut table = [[0; 2]; 100];
    let mut n = 0;
    while n < 100 {
        table[n] = [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
        n += 1;
    }
    table
};

/// The proleptic Gregorian `(year, month, day)` of `days` since 0000-01-01, for the years
/// 0000-9999 (H. Hinnant's `civil_from_days`, counted from the March 1st one 400-year era
/// earlier, so that every quantity is unsigned).
fn civil_from_days(days: u32) -> (u32, u32, u32) {
    // 0000-03-01 is day 60 of the (leap) year 0; an era is 146_097 days.
    let z = days + 146_097 - 60;
    let era = z / 146_097;
    let day_of_era = z % 146_097; // 0..=146_096
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
    let year = year_of_era + era * 400 + u32::from(month <= 2) - 400;
    (year, month, day)
}

/// Signs `request` with the access key `ak` and secret key `sk`, and shows what was signed:
/// the canonical request and the string to sign, to compare with the service's after a
/// rejected signature. An `X-Sdk-Date` header in the request is used as is; without one,
/// `now` gives the date and the header is returned.
///
/// For one request: a client signing many prepares the key once ([`SigningKey`]) and calls
/// [`sign_with`], which builds nothing but the headers.
pub fn sign(request: &RequestParts<'_>, ak: &str, sk: &[u8], now: SystemTime) -> Signed {
    let mut canonical_request = Vec::with_capacity(
        256 + 3 * request.path.len()
            + request
                .headers
                .iter()
                .map(|(n, v)| 2 * n.len() + v.len() + 2)
                .sum::<usize>(),
    );
    let out = sign_parts(
        request,
        ak,
        &SigningKey::new(sk),
        now,
        Some(&mut canonical_request),
    );
    Signed {
        string_to_sign: out.string_to_sign(),
        headers: out.into_headers(),
        canonical_request: into_string(canonical_request),
    }
}

/// Signs `request` with the access key `ak` and the prepared secret key `key`: the headers
/// of [`sign`], without building the canonical request or the string to sign as text (they
/// are hashed as they are written).
pub fn sign_with(
    request: &RequestParts<'_>,
    ak: &str,
    key: &SigningKey,
    now: SystemTime,
) -> SignatureHeaders {
    let out = sign_parts(request, ak, key, now, None);
    SignatureHeaders {
        date: out.added_date,
        unsigned_payload: out.added_unsigned_payload,
        authorization: out.authorization,
    }
}

fn sign_parts<'h>(
    request: &RequestParts<'h>,
    ak: &str,
    key: &SigningKey,
    now: SystemTime,
    canonical: Option<&mut Vec<u8>>,
) -> Output<'h> {
    let headers = request
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_str()));
    sign_core(
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
        canonical,
    )
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
pub(crate) struct Output<'h> {
    /// `X-Sdk-Date` to add (the request had none).
    pub(crate) added_date: Option<SdkDate>,
    /// Whether `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` must be added.
    pub(crate) added_unsigned_payload: bool,
    /// The `Authorization` header value.
    pub(crate) authorization: String,
    /// SHA-256 of the canonical request.
    canonical_hash: [u8; 32],
    /// The request's own `X-Sdk-Date`, trimmed (when it had one).
    given_date: Option<&'h str>,
}

impl Output<'_> {
    /// The headers to add to the request.
    fn into_headers(self) -> Vec<(&'static str, String)> {
        let mut headers = Vec::with_capacity(3);
        if let Some(date) = self.added_date {
            headers.push((DATE_HEADER, date.as_str().to_owned()));
        }
        if self.added_unsigned_payload {
            headers.push((CONTENT_SHA256_HEADER, UNSIGNED_PAYLOAD.to_owned()));
        }
        headers.push(("Authorization", self.authorization));
        headers
    }

    /// The string to sign (holds no secret).
    pub(crate) fn string_to_sign(&self) -> String {
        let date = match (self.given_date, &self.added_date) {
            (Some(given), _) => given,
            (None, Some(added)) => added.as_str(),
            (None, None) => "",
        };
        let mut text = String::with_capacity(ALGORITHM.len() + 2 + date.len() + 64);
        text.push_str(ALGORITHM);
        text.push('\n');
        text.push_str(date);
        text.push('\n');
        text.push_str(std::str::from_utf8(&hex(&self.canonical_hash)).unwrap_or_default());
        text
    }
}

/// Text this module wrote: valid UTF-8 by construction (ASCII, or whole `&str`s, or ASCII
/// case changes of them).
fn into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Where the canonical request goes: kept (bytes of UTF-8 text), or only hashed.
trait Sink {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]);
    /// Appends `name:value` and a line feed.
    #[inline]
    fn put_line(&mut self, name: &[u8], value: &[u8]) {
        self.put(name);
        self.put(b":");
        self.put(value);
        self.put(b"\n");
    }
    /// Appends the lower-case hex of a SHA-256 digest.
    #[inline]
    fn put_hex(&mut self, digest: &[u8; 32]) {
        self.put(&hex(digest));
    }
    /// Appends `text` with ASCII letters in lower case.
    fn put_lower(&mut self, text: &[u8]);
    /// Appends `text` with ASCII letters in upper case.
    fn put_upper(&mut self, text: &[u8]);
    /// SHA-256 of everything appended.
    fn digest(&mut self) -> [u8; 32];
}

impl Sink for Vec<u8> {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    fn put_lower(&mut self, text: &[u8]) {
        self.extend(text.iter().map(u8::to_ascii_lowercase));
    }

    fn put_upper(&mut self, text: &[u8]) {
        self.extend(text.iter().map(u8::to_ascii_uppercase));
    }

    fn digest(&mut self) -> [u8; 32] {
        Sha256::digest(self.as_slice()).into()
    }
}

/// Size of the buffer of [`Hashing`]: a usual canonical request fits whole.
const HASHING_BUFFER: usize = 512;

/// Hashes what it is given through a buffer on the stack, so the hasher sees few, large
/// writes.
struct Hashing {
    hasher: Sha256,
    buffer: [u8; HASHING_BUFFER],
    len: usize,
}

impl Hashing {
    fn new() -> Self {
        Hashing {
            hasher: Sha256::new(),
            buffer: [0; HASHING_BUFFER],
            len: 0,
        }
    }

    /// Hashes the buffer and empties it.
    #[cold]
    #[inline(never)]
    fn flush(&mut self) {
        self.hasher.update(&self.buffer[..self.len]);
        self.len = 0;
    }

    /// Room for `n` more bytes in the buffer (`n` at most its size).
    #[inline]
    fn room(&mut self, n: usize) -> &mut [u8] {
        if n > HASHING_BUFFER - self.len {
            self.flush();
        }
        let start = self.len;
        self.len += n;
        &mut self.buffer[start..start + n]
    }
}

impl Sink for Hashing {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        if bytes.len() <= HASHING_BUFFER - self.len {
            self.buffer[self.len..self.len + bytes.len()].copy_from_slice(bytes);
            self.len += bytes.len();
        } else {
            self.flush();
            self.hasher.update(bytes);
        }
    }

    #[inline(always)]
    fn put_line(&mut self, name: &[u8], value: &[u8]) {
        let (start, end) = (self.len, self.len + name.len() + value.len() + 2);
        if end <= HASHING_BUFFER {
            let line = &mut self.buffer[start..end];
            let (line_name, rest) = line.split_at_mut(name.len());
            line_name.copy_from_slice(name);
            rest[0] = b':';
            rest[1..=value.len()].copy_from_slice(value);
            rest[value.len() + 1] = b'\n';
            self.len = end;
        } else {
            self.put(name);
            self.put(b":");
            self.put(value);
            self.put(b"\n");
        }
    }

    #[inline]
    fn put_hex(&mut self, digest: &[u8; 32]) {
        if let Some(out) = self.room(64).first_chunk_mut() {
            hex_into(digest, out);
        }
    }

    fn put_lower(&mut self, text: &[u8]) {
        for chunk in text.chunks(HASHING_BUFFER) {
            let room = self.room(chunk.len());
            for (out, b) in room.iter_mut().zip(chunk) {
                *out = b.to_ascii_lowercase();
            }
        }
    }

    fn put_upper(&mut self, text: &[u8]) {
        for chunk in text.chunks(HASHING_BUFFER) {
            let room = self.room(chunk.len());
            for (out, b) in room.iter_mut().zip(chunk) {
                *out = b.to_ascii_uppercase();
            }
        }
    }

    fn digest(&mut self) -> [u8; 32] {
        self.hasher.update(&self.buffer[..self.len]);
        self.len = 0;
        self.hasher.finalize_reset().into()
    }
}

/// A header to sign: its name (in any case) and value.
#[derive(Clone, Copy)]
struct Entry<'x> {
    name: &'x str,
    value: &'x [u8],
    /// Whether `name` has an upper-case letter.
    upper: bool,
    /// The first four bytes of the lower-case name, big-endian, zero-padded: names usually
    /// differ there, so the sort compares one number (set by [`Entries::push`]).
    prefix: u32,
}

impl Entry<'_> {
    /// Whether the header `name` is signed (it has no `_`), and if so whether it has an
    /// upper-case letter.
    #[inline]
    fn classify(name: &[u8]) -> Option<bool> {
        if !has_upper_or_underscore(name) {
            Some(false)
        } else if name.contains(&b'_') {
            None
        } else {
            Some(name.iter().any(u8::is_ascii_uppercase))
        }
    }

    /// Whether the name is `lower` (given in lower case), in any case.
    #[inline]
    fn is(&self, lower: &str) -> bool {
        if self.upper {
            self.name.eq_ignore_ascii_case(lower)
        } else {
            self.name == lower
        }
    }
}

/// Whether `name` has a byte in 0x41-0x5f (`A-Z` and `_` are all there): eight bytes at a
/// time, the last eight overlapping the ones before, so the usual name takes a word or two.
#[inline]
fn has_upper_or_underscore(name: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    /// Whether a byte of `word` is in 0x41..=0x5f (exact: a byte's test borrows nothing from
    /// its neighbours).
    #[inline(always)]
    fn any_in_range(word: u64) -> bool {
        let low7 = word & (ONES * 0x7f);
        // Top bit of each byte: below 0x60, above 0x40, and ASCII at all.
        ((ONES * (0x7f + 0x60) - low7) & (low7 + ONES * (0x7f - 0x40)) & !word & (ONES * 0x80)) != 0
    }
    #[inline(always)]
    fn word(eight: &[u8]) -> u64 {
        u64::from_le_bytes(eight.try_into().unwrap_or_default())
    }
    let n = name.len();
    if n < 8 {
        return match (name.first_chunk::<4>(), name.last_chunk::<4>()) {
            // Four to seven bytes: the first four and the last four (overlapping), one word.
            (Some(first), Some(last)) => any_in_range(
                u64::from(u32::from_le_bytes(*first)) | u64::from(u32::from_le_bytes(*last)) << 32,
            ),
            _ => name.iter().any(|b| b.wrapping_sub(0x41) <= 0x1e),
        };
    }
    let mut start = 0;
    while start + 8 < n {
        if any_in_range(word(&name[start..start + 8])) {
            return true;
        }
        start += 8;
    }
    any_in_range(word(&name[n - 8..]))
}

/// Number of headers [`Entries`] holds without allocating.
const FEW_HEADERS: usize = 12;

/// The headers to sign, on the stack while they are few.
struct Entries<'x> {
    few: [Entry<'x>; FEW_HEADERS],
    len: usize,
    many: Vec<Entry<'x>>,
    /// The length of the names, one more each: the signed header list.
    names_len: usize,
}

impl<'x> Entries<'x> {
    fn new() -> Self {
        Entries {
            few: [Entry {
                name: "",
                value: b"",
                upper: false,
                prefix: 0,
            }; FEW_HEADERS],
            len: 0,
            many: Vec::new(),
            names_len: 0,
        }
    }

    /// Adds a header (field by field: a whole `Entry` built on the stack and copied costs
    /// a store-forwarding stall).
    #[inline(always)]
    fn push(&mut self, name: &'x str, value: &'x [u8], upper: bool) {
        self.names_len += name.len() + 1;
        let mut first = [0u8; 4];
        match name.as_bytes().first_chunk::<4>() {
            Some(four) => first = *four,
            None => {
                for (to, b) in first.iter_mut().zip(name.as_bytes()) {
                    *to = *b;
                }
            }
        }
        if upper {
            first = first.map(|b| b.to_ascii_lowercase());
        }
        let prefix = u32::from_be_bytes(first);
        if self.len < FEW_HEADERS {
            let entry = &mut self.few[self.len];
            entry.name = name;
            entry.value = value;
            entry.upper = upper;
            entry.prefix = prefix;
            self.len += 1;
        } else {
            if self.many.is_empty() {
                self.many.extend_from_slice(&self.few);
            }
            self.many.push(Entry {
                name,
                value,
                upper,
                prefix,
            });
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Entry<'x>] {
        if self.many.is_empty() {
            &mut self.few[..self.len]
        } else {
            &mut self.many
        }
    }
}

/// Orders header names as their lower-case forms.
#[inline]
fn by_lower_name(a: &Entry<'_>, b: &Entry<'_>) -> std::cmp::Ordering {
    let fold = |c: u8, upper: bool| if upper { c.to_ascii_lowercase() } else { c };
    for (&x, &y) in a.name.as_bytes().iter().zip(b.name.as_bytes()) {
        let (x, y) = (fold(x, a.upper), fold(y, b.upper));
        if x != y {
            return x.cmp(&y);
        }
    }
    a.name.len().cmp(&b.name.len())
}

/// Whether `a` sorts after `b` by lower-case name; names usually differ in their first
/// four bytes.
#[inline]
fn after(a: &Entry<'_>, b: &Entry<'_>) -> bool {
    if a.prefix != b.prefix {
        // Zero-padded: a shorter name is before the longer ones it starts (a header name
        // has no NUL byte; with one, the names tie here and are compared whole below).
        return a.prefix > b.prefix;
    }
    if !(a.upper || b.upper) {
        let (x, y) = (a.name.as_bytes(), b.name.as_bytes());
        return match (x.first(), y.first()) {
            (Some(p), Some(q)) if p != q => p > q,
            _ => x > y,
        };
    }
    by_lower_name(a, b) == std::cmp::Ordering::Greater
}

/// Sorts the headers by lower-case name, stably (headers of the same name keep their
/// order): an insertion sort, as the list is short and mostly in order.
fn sort_by_lower_name(entries: &mut [Entry<'_>]) {
    for i in 1..entries.len() {
        let mut j = i;
        while j > 0 && after(&entries[j - 1], &entries[j]) {
            entries.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Signs; `headers` are `(name, value)` in any case and order. With `canonical`, the
/// canonical request is also appended there.
pub(crate) fn sign_core<'h, K: AsRef<str>, V: AsRef<str>>(
    request: Request<'_, K, V>,
    headers: impl Iterator<Item = (&'h str, &'h str)>,
    ak: &str,
    key: &SigningKey,
    now: SystemTime,
    canonical: Option<&mut Vec<u8>>,
) -> Output<'h> {
    match canonical {
        Some(text) => sign_into(text, request, headers, ak, key, now),
        None => sign_into(&mut Hashing::new(), request, headers, ak, key, now),
    }
}

fn sign_into<'h, S: Sink, K: AsRef<str>, V: AsRef<str>>(
    canonical: &mut S,
    request: Request<'_, K, V>,
    headers: impl Iterator<Item = (&'h str, &'h str)>,
    ak: &str,
    key: &SigningKey,
    now: SystemTime,
) -> Output<'h> {
    // The first value of each header looked up below (all without `_`).
    let mut given_date = None;
    let mut content_type = None;
    let mut content_sha256 = None;
    let mut has_host = false;
    let mut entries = Entries::new();
    for (name, value) in headers {
        let Some(upper) = Entry::classify(name.as_bytes()) else {
            continue;
        };
        let entry = Entry {
            name,
            value: value.as_bytes(),
            upper,
            prefix: 0,
        };
        match name.len() {
            4 => has_host = has_host || entry.is("host"),
            10 if given_date.is_none() && entry.is("x-sdk-date") => given_date = Some(value),
            12 if content_type.is_none() && entry.is("content-type") => {
                content_type = Some(value);
            }
            20 if content_sha256.is_none() && entry.is("x-sdk-content-sha256") => {
                content_sha256 = Some(value);
            }
            _ => {}
        }
        entries.push(name, value.as_bytes(), upper);
    }

    // Trimmed, as it reaches the server (and as the canonical header has it).
    let given_date = given_date.map(str::trim);
    let added_date = given_date.is_none().then(|| SdkDate::new(now));
    let date: &[u8] = match (given_date, &added_date) {
        (Some(given), _) => given.as_bytes(),
        (None, Some(added)) => &added.0,
        (None, None) => b"",
    };
    let unsigned_body = content_type
        .is_some_and(|t| !(t.starts_with("application/json") || t.starts_with("application/bson")));
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

    if added_date.is_some() {
        entries.push("x-sdk-date", date, false);
    }
    if added_unsigned_payload {
        entries.push("x-sdk-content-sha256", UNSIGNED_PAYLOAD.as_bytes(), false);
    }
    if !has_host {
        entries.push("host", request.host.as_bytes(), false);
    }
    let names_len = entries.names_len;
    let entries = entries.as_mut_slice();
    sort_by_lower_name(entries);

    if request.method.bytes().any(|b| b.is_ascii_lowercase()) {
        canonical.put_upper(request.method.as_bytes());
    } else {
        canonical.put(request.method.as_bytes());
    }
    canonical.put(b"\n");
    put_canonical_uri(canonical, request.path);
    canonical.put(b"\n");
    put_canonical_query(canonical, request.query);
    canonical.put(b"\n");
    for entry in entries.iter() {
        let value = trim(entry.value);
        if entry.upper {
            canonical.put_lower(entry.name.as_bytes());
            canonical.put(b":");
            canonical.put(value);
            canonical.put(b"\n");
        } else {
            canonical.put_line(entry.name.as_bytes(), value);
        }
    }
    canonical.put(b"\n");

    // The signed header names go into the `Authorization` value, and from there into the
    // canonical request.
    const ACCESS: &str = "SDK-HMAC-SHA256 Access=";
    const SIGNED_HEADERS: &str = ", SignedHeaders=";
    const SIGNATURE: &str = ", Signature=";
    let mut authorization = String::with_capacity(
        ACCESS.len() + ak.len() + SIGNED_HEADERS.len() + names_len + SIGNATURE.len() + 64,
    );
    authorization.push_str(ACCESS);
    authorization.push_str(ak);
    authorization.push_str(SIGNED_HEADERS);
    let signed_start = authorization.len();
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            authorization.push(';');
        }
        if entry.upper {
            authorization.extend(entry.name.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            authorization.push_str(entry.name);
        }
    }
    canonical.put(&authorization.as_bytes()[signed_start..]);
    canonical.put(b"\n");
    match given_payload {
        Some(given) => canonical.put(given.as_bytes()),
        None => canonical.put_hex(&Sha256::digest(request.body).into()),
    }

    let canonical_hash = canonical.digest();
    let mut mac = key.0.clone();
    // The string to sign, in one write when the date is of the usual length.
    const HEAD: &[u8] = b"SDK-HMAC-SHA256\n";
    let mut string_to_sign = [0u8; HEAD.len() + 16 + 1 + 64];
    if date.len() == 16 {
        string_to_sign[..HEAD.len()].copy_from_slice(HEAD);
        string_to_sign[HEAD.len()..HEAD.len() + 16].copy_from_slice(date);
        string_to_sign[HEAD.len() + 16] = b'\n';
        if let Some(digits) = string_to_sign[HEAD.len() + 17..].first_chunk_mut() {
            hex_into(&canonical_hash, digits);
        }
        mac.update(&string_to_sign);
    } else {
        mac.update(HEAD);
        mac.update(date);
        mac.update(b"\n");
        mac.update(&hex(&canonical_hash));
    }
    authorization.push_str(SIGNATURE);
    let signature = hex(&mac.finalize().into_bytes().into());
    // Hex digits: ASCII.
    authorization.push_str(std::str::from_utf8(&signature).unwrap_or_default());
    Output {
        added_date,
        given_date,
        added_unsigned_payload,
        authorization,
        canonical_hash,
    }
}

/// `str::trim`, with a fast answer for the usual value that starts and ends with a visible
/// ASCII character (no whitespace, ASCII or not, to remove).
fn trim(value: &[u8]) -> &[u8] {
    match (value.first(), value.last()) {
        (Some(&first), Some(&last))
            if (0x21..0x7f).contains(&first) && (0x21..0x7f).contains(&last) =>
        {
            value
        }
        // A value given as text (every value but the added date, which is ASCII).
        _ => std::str::from_utf8(value).map_or(value, |text| text.trim().as_bytes()),
    }
}

/// Percent-decodes the path, re-encodes each segment and makes sure it ends with `/`.
pub fn canonical_uri(path: &str) -> String {
    let mut uri = Vec::with_capacity(path.len() + 1);
    put_canonical_uri(&mut uri, path);
    into_string(uri)
}

fn put_canonical_uri<S: Sink>(out: &mut S, path: &str) {
    // The usual path needs neither decoding nor encoding.
    let ends_with_slash = if all_unreserved_or_slash(path.as_bytes()) {
        out.put(path.as_bytes());
        path.ends_with('/')
    } else if path.contains('%') {
        let decoded = percent_decode_str(path).decode_utf8_lossy();
        put_encoded(out, &decoded, true);
        decoded.ends_with('/')
    } else {
        put_encoded(out, path, true);
        path.ends_with('/')
    };
    if !ends_with_slash {
        out.put(b"/");
    }
}

/// Sorted `k=v` pairs joined by `&`, keys and values encoded like path segments.
pub fn canonical_query(query: &[(String, String)]) -> String {
    let mut out = Vec::new();
    put_canonical_query(&mut out, query);
    into_string(out)
}

fn put_canonical_query<S: Sink, K: AsRef<str>, V: AsRef<str>>(out: &mut S, query: &[(K, V)]) {
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
            out.put(b"&");
        }
        put_encoded(out, key, false);
        out.put(b"=");
        put_encoded(out, value, false);
    }
}

/// Bytes left as they are by [`put_encoded`]: `A-Z a-z 0-9 - _ . ~`.
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

/// Whether every byte is in [`UNRESERVED_OR_SLASH`]; tested 16 bytes at a time without a
/// table, so the compiler can use vector instructions.
fn all_unreserved_or_slash(bytes: &[u8]) -> bool {
    #[inline(always)]
    fn kept(b: u8) -> bool {
        let letter = (b | 0x20).wrapping_sub(b'a') < 26;
        // `-` `.` `/` and `0-9` are 0x2d-0x39.
        let dash_to_nine = b.wrapping_sub(b'-') < 13;
        letter | dash_to_nine | (b == b'_') | (b == b'~')
    }
    #[inline(always)]
    fn all_kept(chunk: &[u8; 16]) -> bool {
        chunk.iter().fold(true, |all, &b| all & kept(b))
    }
    let mut chunks = bytes.chunks_exact(16);
    for chunk in &mut chunks {
        if !all_kept(chunk.try_into().unwrap_or(&[0; 16])) {
            return false;
        }
    }
    match bytes.last_chunk::<16>() {
        // The rest within the last 16 bytes (overlapping bytes already tested).
        Some(last) => all_kept(last),
        // Under 16 bytes, padded with a kept byte.
        None => {
            let mut last = [b'a'; 16];
            last[..bytes.len()].copy_from_slice(bytes);
            all_kept(&last)
        }
    }
}

/// Appends `text` with everything but `A-Z a-z 0-9 - _ . ~` (and `/` when `keep_slash`)
/// percent-encoded, as Python's `quote(s, safe='~')` (upper-case hex digits).
fn put_encoded<S: Sink>(out: &mut S, text: &str, keep_slash: bool) {
    const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
    let table = if keep_slash {
        &UNRESERVED_OR_SLASH
    } else {
        &UNRESERVED
    };
    let kept = |b: &u8| table[usize::from(*b)];
    let mut rest = text.as_bytes();
    while !rest.is_empty() {
        // A run that stays as it is goes in one piece; the run after it is escaped byte by
        // byte.
        let kept_end = rest.iter().position(|b| !kept(b)).unwrap_or(rest.len());
        out.put(&rest[..kept_end]);
        rest = &rest[kept_end..];
        let escaped_end = rest.iter().position(kept).unwrap_or(rest.len());
        for &b in &rest[..escaped_end] {
            out.put(&[
                b'%',
                HEX_UPPER[usize::from(b >> 4)],
                HEX_UPPER[usize::from(b & 0x0f)],
            ]);
        }
        rest = &rest[escaped_end..];
    }
}

/// Lower-case hex of a SHA-256 digest.
fn hex(digest: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    hex_into(digest, &mut out);
    out
}

/// Writes the lower-case hex of a SHA-256 digest into `out`.
///
/// Plain arithmetic on fixed-size arrays, with no table and no branch: the compiler turns
/// the loop into a few vector instructions per 16 bytes (a table lookup costs several
/// scalar instructions per byte).
#[inline]
fn hex_into(digest: &[u8; 32], out: &mut [u8; 64]) {
    /// The hex digit of `n` (0..=15): `0`-`9` then `a`-`f`, without a branch.
    #[inline(always)]
    fn digit(n: u8) -> u8 {
        // 1 when n > 9 (9 - n wraps around to 0xf7..=0xfa), else 0.
        let letter = 9u8.wrapping_sub(n) >> 7 & 1;
        n + b'0' + letter * (b'a' - b'0' - 10)
    }
    for (pair, &b) in out.chunks_exact_mut(2).zip(digest) {
        pair[0] = digit(b >> 4);
        pair[1] = digit(b & 0x0f);
    }
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
                let time = if seconds >= 0 {
                    UNIX_EPOCH + std::time::Duration::from_secs(seconds.unsigned_abs())
                } else {
                    UNIX_EPOCH - std::time::Duration::from_secs(seconds.unsigned_abs())
                };
                assert_eq!(SdkDate::new(time).as_str(), expected, "{seconds}");
            }
        }
    }

    #[test]
    fn the_cached_date_follows_the_second() {
        let at = |s: u64| UNIX_EPOCH + std::time::Duration::from_secs(s);
        let half = std::time::Duration::from_millis(500);
        let dates: Vec<SdkDate> = [
            at(1_704_164_645),
            at(1_704_164_645) + half,
            at(1_704_164_646),
        ]
        .into_iter()
        .chain([at(1_704_164_645), UNIX_EPOCH - half, UNIX_EPOCH])
        // Clamped times are not kept as a second: the last second after one stays itself.
        .chain([
            at(300_000_000_000),
            at(253_402_300_798),
            at(300_000_000_000),
        ])
        .chain([
            at(253_402_300_798) + half,
            UNIX_EPOCH - std::time::Duration::from_secs(300_000_000_000),
        ])
        .map(SdkDate::new)
        .collect();
        let texts: Vec<&str> = dates.iter().map(SdkDate::as_str).collect();
        assert_eq!(
            texts,
            [
                "20240102T030405Z",
                "20240102T030405Z",
                "20240102T030406Z",
                "20240102T030405Z",
                "19691231T235959Z",
                "19700101T000000Z",
                "99991231T235959Z",
                "99991231T235958Z",
                "99991231T235959Z",
                "99991231T235958Z",
                "00000101T000000Z",
            ]
        );
    }

    #[test]
    fn paths_kept_as_they_are_agree_with_the_table() {
        for len in 1..40 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut path = vec![b'/'; len];
                    path[at] = b;
                    let expected = UNRESERVED_OR_SLASH[usize::from(b)];
                    assert_eq!(all_unreserved_or_slash(&path), expected, "{len} {at} {b}");
                }
            }
        }
        assert!(all_unreserved_or_slash(b""));
    }

    #[test]
    fn upper_case_and_underscores_are_found_anywhere() {
        for len in 0..40 {
            for filler in [b'a', b'-', 0x40, 0x60, 0x7f, 0x80, 0xff] {
                for at in 0..len {
                    for b in 0..=255u8 {
                        let mut name = vec![filler; len];
                        name[at] = b;
                        let expected = name.iter().any(|c| (0x41..=0x5f).contains(c));
                        assert_eq!(
                            has_upper_or_underscore(&name),
                            expected,
                            "{len} {filler} {at} {b}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn headers_sort_as_their_lower_case_names_stably() {
        let names = [
            "x-sdk-date",
            "X-Sdk-Content-Sha256",
            "a",
            "AB",
            "ab",
            "abc",
            "Abcd",
            "abcd",
            "abcde",
            "ab-",
            "host",
            "Host",
            "content-type",
            "Content-Length",
            "x",
            "X-A",
            "x-a",
            "x-",
            "accept",
            "~",
            "Zed",
            "z",
        ];
        // Every rotation (more names than FEW_HEADERS: the allocated list too); each value
        // marks the place its header was given in, so the order of equal names shows.
        for start in 0..names.len() {
            let values: Vec<String> = (0..names.len()).map(|i| i.to_string()).collect();
            let mut entries = Entries::new();
            for i in 0..names.len() {
                let name = names[(start + i) % names.len()];
                let upper = name.bytes().any(|b| b.is_ascii_uppercase());
                entries.push(name, values[i].as_bytes(), upper);
            }
            let entries = entries.as_mut_slice();
            let mut expected: Vec<(String, &[u8])> = entries
                .iter()
                .map(|e| (e.name.to_ascii_lowercase(), e.value))
                .collect();
            expected.sort_by(|a, b| a.0.cmp(&b.0));
            sort_by_lower_name(entries);
            let sorted: Vec<(String, &[u8])> = entries
                .iter()
                .map(|e| (e.name.to_ascii_lowercase(), e.value))
                .collect();
            assert_eq!(sorted, expected, "{start}");
        }
    }

    #[test]
    fn a_signing_key_never_shows_the_secret() {
        let key = SigningKey::new(b"SK-very-secret");
        assert_eq!(format!("{key:?}"), "SigningKey(***)");
        assert_eq!(format!("{key:#?}"), "SigningKey(***)");
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
    fn hashing_as_written_signs_as_the_text() {
        // `sign_with` hashes through a small buffer; `sign` keeps the text. Cases that
        // overflow the buffer, in small pieces and in one piece, and take every slow path.
        let long = "v".repeat(3 * HASHING_BUFFER);
        let long_name = format!("X-Long-{}", "N".repeat(HASHING_BUFFER + 7));
        let many: Vec<(String, String)> = (0..3 * FEW_HEADERS)
            .map(|i| (format!("X-H{:02}", 50 - i), format!(" {i} ")))
            .collect();
        let cases: Vec<Case<'_>> = vec![
            ("POST", "/v2/p/instances/i/connector", vec![], vec![], b"{}"),
            ("get", "", vec![], vec![], b""),
            (
                "Put",
                "/a%20b/%C3%BC/%2F/~x_y.z-",
                vec![("b".into(), "2 2".into()), ("a".into(), "é&=".into())],
                vec![
                    ("Content-Type".into(), "text/plain".into()),
                    ("X_Skipped".into(), "x".into()),
                    ("X-Sdk-Date".into(), " 20240102T030405Z ".into()),
                    ("HOST".into(), "h.example".into()),
                    ("x-dup".into(), "2".into()),
                    ("X-Dup".into(), "1".into()),
                ],
                b"body",
            ),
            (
                "POST",
                "/ü/ä ö",
                vec![],
                vec![("X-Long".into(), long.clone())],
                b"{}",
            ),
            (
                "POST",
                "/",
                vec![],
                vec![(long_name.clone(), "x".into())],
                b"{}",
            ),
            ("POST", "/x", vec![], many.clone(), b"{}"),
            (
                "POST",
                "/x",
                vec![],
                vec![("X-Sdk-Content-Sha256".into(), UNSIGNED_PAYLOAD.into())],
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
    fn signature_headers_show_no_signature() {
        let parts = RequestParts::new("GET", "h", "/", &[], &[], b"");
        let signed = sign_with(&parts, "AK", &SigningKey::new(b"SK"), UNIX_EPOCH);
        assert_eq!(
            format!("{signed:?}"),
            r#"SignatureHeaders { headers: ["X-Sdk-Date", "Authorization"], .. }"#
        );
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
        let prepared: Vec<(&str, String)> = prepared
            .headers()
            .map(|(name, value)| (name, value.to_owned()))
            .collect();
        assert_eq!(raw.headers, prepared);
        assert_eq!(
            raw.canonical_request.lines().take(3).collect::<Vec<_>>(),
            ["PUT", "/v1/a%20b/%C3%BC/", "a=&b=2%202"]
        );
    }
}
