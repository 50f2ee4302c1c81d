//! Reading replies with a size limit.
//!
//! A success reply's body is read up to the limit ([`crate::ClientConfig::max_response_body`],
//! default [`crate::MAX_RESPONSE_BODY`]); past it the call fails with
//! [`crate::Error::ResponseTooLarge`] and the rest is not read. A 4xx/5xx body is cut at
//! [`crate::errors::MAX_ERROR_BODY`] instead (the status and error code matter, not the rest)
//! and rewritten into the documented shape ([`crate::errors`]).
//!
//! Either way the reply handed on is the one that came in (status, version, headers,
//! extensions and URL) around the body now in memory.

use reqwest::header::{CONTENT_LENGTH, HeaderValue};

use crate::error::{Carried, ResponseTooLarge, carry};
use crate::errors;

/// The reply with its body read into memory (within `limit`), or the error to return.
pub(crate) async fn read_reply(
    mut response: reqwest::Response,
    limit: usize,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        return errors::normalize_error_reply(response).await;
    }
    let too_large = |content_length| ResponseTooLarge {
        status,
        limit,
        content_length,
    };
    let content_length = response.content_length();
    if let Some(length) = content_length
        && usize::try_from(length).map_or(true, |length| length > limit)
    {
        return Err(carry(Carried::TooLarge(too_large(content_length))).await);
    }
    // The first chunk is kept as it came (most replies are one chunk); only a second one
    // makes a buffer, sized by `Content-Length` when there is one.
    let mut first = None;
    let mut joined = Vec::new();
    let mut read = 0;
    while let Some(chunk) = response.chunk().await? {
        if chunk.len() > limit - read {
            return Err(carry(Carried::TooLarge(too_large(content_length))).await);
        }
        read += chunk.len();
        match &first {
            None => first = Some(chunk),
            Some(first) => {
                if joined.is_empty() {
                    let capacity = content_length
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(0)
                        .max(read);
                    joined.reserve_exact(capacity);
                    joined.extend_from_slice(first);
                }
                joined.extend_from_slice(&chunk);
            }
        }
    }
    let body = match first {
        Some(first) if joined.is_empty() => reqwest::Body::from(first),
        _ => reqwest::Body::from(joined),
    };
    let mut rebuilt = rebuild(&mut response, body);
    // The body is now complete in memory; its length is what was read.
    if content_length != u64::try_from(read).ok() {
        rebuilt
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(read));
    }
    Ok(reqwest::Response::from(rebuilt))
}

/// `response` (status, version, headers, extensions and URL, taken from it) around `body`,
/// ready to become a `reqwest::Response` again.
///
/// The URL goes in as the extension `reqwest::Response::from` looks for, so the rebuilt reply
/// keeps its URL (without it reqwest parses a placeholder URL on every call).
pub(crate) fn rebuild(
    response: &mut reqwest::Response,
    body: reqwest::Body,
) -> http::Response<reqwest::Body> {
    use reqwest::ResponseBuilderExt;

    let mut extensions = http::response::Builder::new()
        .url(response.url().clone())
        .extensions_mut()
        .map(std::mem::take)
        .unwrap_or_default();
    extensions.extend(std::mem::take(response.extensions_mut()));
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = response.status();
    *rebuilt.version_mut() = response.version();
    *rebuilt.headers_mut() = std::mem::take(response.headers_mut());
    *rebuilt.extensions_mut() = extensions;
    rebuilt
}
