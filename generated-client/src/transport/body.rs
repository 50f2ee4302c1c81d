//! Reading replies with a size limit.
//!
//! A success reply's body is read up to the limit ([`crate::ClientConfig::max_response_body`],
//! default [`crate::MAX_RESPONSE_BODY`]); past it the call fails with
//! [`crate::Error::ResponseTooLarge`] and the rest is not read. A 4xx/5xx body is cut at
//! [`crate::errors::MAX_ERROR_BODY`] instead (the status and error code matter, not the rest)
//! and rewritten into the documented shape ([`crate::errors`]).

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
    let capacity = content_length
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    let mut body = Vec::with_capacity(capacity);
    while let Some(chunk) = response.chunk().await? {
        if chunk.len() > limit - body.len() {
            return Err(carry(Carried::TooLarge(too_large(content_length))).await);
        }
        body.extend_from_slice(&chunk);
    }
    let length = HeaderValue::from(body.len());
    let mut rebuilt = http::Response::new(reqwest::Body::from(body));
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = response.version();
    *rebuilt.headers_mut() = std::mem::take(response.headers_mut());
    // The body is now complete in memory; its length is what was read.
    rebuilt.headers_mut().insert(CONTENT_LENGTH, length);
    Ok(reqwest::Response::from(rebuilt))
}
