//! Reading replies with a size limit.
//!
//! A success reply's body is read up to the limit ([`crate::ClientConfig::max_response_body`],
//! default [`crate::MAX_RESPONSE_BODY`]); past it the call fails with
//! [`crate::Error::ResponseTooLarge`] and the rest is not read. A 4xx/5xx body is cut at
//! [`crate::MAX_ERROR_BODY`] instead (the status and error code matter, not the rest)
//! and rewritten into the documented shape ([`crate::errors`]).
//!
//! Either way the reply handed on is the one that came in (status, version, headers,
//! extensions and URL) around the body now in memory. One success reply is handed on unread:
//! one whose `Content-Length` is within the limit (hyper reads no more than that), when a
//! failure to read it would not be retried anyway (see [`read_reply`]).

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use serde_json::{Map, Value};

use crate::error::{MAX_ERROR_BODY, ResponseTooLarge};
use crate::transport::carrier::{HookFailure, carry};

/// The largest success reply body read (default, 1 MiB); a larger one is
/// [`crate::Error::ResponseTooLarge`]. The documented replies are a few hundred bytes.
pub const MAX_RESPONSE_BODY: usize = 1024 * 1024;

/// The reply with its body read into memory (within `limit`), or the error to return.
///
/// `read_now`: whether a failure to read the body must show here, where a retry can follow
/// (an idempotent request with an attempt left). When it need not, a success reply with a
/// `Content-Length` within the limit is handed on as it came: it cannot grow past the limit,
/// and the generated code reads it (a failure then is the same [`crate::Error::Transport`]).
pub(crate) async fn read_reply(
    mut response: reqwest::Response,
    limit: usize,
    read_now: bool,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    if status.is_client_error() || status.is_server_error() {
        // Boxed: the error path, kept out of the future every call carries.
        return Box::pin(normalize_error_reply(response)).await;
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
        return Err(carry(HookFailure::TooLarge(too_large(content_length))));
    }
    if content_length.is_some() && !read_now {
        return Ok(response);
    }
    // The first chunk is kept as it came (most replies are one chunk); only a second one
    // makes a buffer, sized by `Content-Length` when there is one.
    let mut first = None;
    let mut joined = Vec::new();
    let mut read = 0;
    while let Some(chunk) = response.chunk().await? {
        if chunk.len() > limit - read {
            return Err(carry(HookFailure::TooLarge(too_large(content_length))));
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

/// For a 4xx/5xx reply, the body rewritten as `{error_code, error_msg}`; other replies
/// are returned untouched.
pub(crate) async fn normalize_error_reply(
    mut response: reqwest::Response,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(response);
    }
    let body = read_capped(&mut response).await?;
    let normalized = error_body(&body);
    let normalized = serde_json::to_vec(&normalized).unwrap_or_default();
    let mut rebuilt = rebuild(&mut response, normalized.into());
    let headers = rebuilt.headers_mut();
    headers.remove(CONTENT_LENGTH);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(reqwest::Response::from(rebuilt))
}

async fn read_capped(response: &mut reqwest::Response) -> reqwest::Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = MAX_ERROR_BODY.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= MAX_ERROR_BODY {
            break;
        }
    }
    Ok(body)
}

/// The documented error body for the bytes of an error reply.
pub(crate) fn error_body(body: &[u8]) -> Value {
    let parsed: Option<Map<String, Value>> = serde_json::from_slice(body).ok();
    let (code, msg) = match &parsed {
        Some(object) => (
            first_text(object, &["error_code", "errorCode", "code"]),
            first_text(object, &["error_msg", "errorMsg", "message"]),
        ),
        None => (None, None),
    };
    let msg = match (code.is_some(), msg) {
        (_, Some(msg)) => Some(msg),
        // No message under any known key: keep what was sent, as text.
        (false, None) if !body.is_empty() => Some(String::from_utf8_lossy(body).into_owned()),
        (_, None) => None,
    };
    let mut out = Map::new();
    if let Some(code) = code {
        out.insert("error_code".into(), Value::String(code));
    }
    if let Some(msg) = msg {
        out.insert("error_msg".into(), Value::String(msg));
    }
    Value::Object(out)
}

fn first_text(object: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| match object.get(*key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use reqwest::ResponseBuilderExt;

    use super::*;

    /// A body that arrives in the given chunks, with no declared length.
    struct Chunks(VecDeque<&'static [u8]>);

    impl http_body::Body for Chunks {
        type Data = &'static [u8];
        type Error = std::convert::Infallible;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
            Poll::Ready(self.0.pop_front().map(|c| Ok(http_body::Frame::data(c))))
        }
    }

    fn reply(body: reqwest::Body, content_length: Option<usize>) -> reqwest::Response {
        let mut builder = http::Response::builder()
            .status(200)
            .header("x-request-id", "r-1")
            .url("https://dms.example.com/v2/p/instances".parse().unwrap());
        if let Some(length) = content_length {
            builder = builder.header(CONTENT_LENGTH, length);
        }
        reqwest::Response::from(builder.body(body).unwrap())
    }

    #[tokio::test]
    async fn a_reply_read_in_chunks_keeps_its_url_headers_and_every_byte() {
        let body = reqwest::Body::wrap(Chunks(VecDeque::from([&b"{\"a\":"[..], b"1", b"}"])));
        let read = read_reply(reply(body, None), 1024, true).await.unwrap();
        assert_eq!(
            read.url().as_str(),
            "https://dms.example.com/v2/p/instances"
        );
        assert_eq!(read.headers()["x-request-id"], "r-1");
        assert_eq!(read.headers()[CONTENT_LENGTH], "7");
        assert_eq!(read.bytes().await.unwrap(), &b"{\"a\":1}"[..]);
    }

    #[tokio::test]
    async fn a_reply_of_one_chunk_is_read_as_it_came() {
        let body = reqwest::Body::from(&b"{\"a\":1}"[..]);
        let read = read_reply(reply(body, Some(7)), 1024, true).await.unwrap();
        assert_eq!(
            read.url().as_str(),
            "https://dms.example.com/v2/p/instances"
        );
        assert_eq!(read.headers()[CONTENT_LENGTH], "7");
        assert_eq!(read.bytes().await.unwrap(), &b"{\"a\":1}"[..]);
    }

    #[tokio::test]
    async fn a_reply_past_the_limit_fails_whether_or_not_it_is_read_now() {
        for read_now in [true, false] {
            // Declared too large: refused before reading.
            let body = reqwest::Body::from(vec![b'x'; 100]);
            let error = read_reply(reply(body, Some(100)), 10, read_now)
                .await
                .unwrap_err();
            assert!(
                crate::transport::carrier::carries_failure(&error),
                "{error}"
            );
            // Not declared: refused once the chunks pass the limit.
            let body = reqwest::Body::wrap(Chunks(VecDeque::from([&[b'x'; 8][..], &[b'x'; 8]])));
            let error = read_reply(reply(body, None), 10, read_now)
                .await
                .unwrap_err();
            assert!(
                crate::transport::carrier::carries_failure(&error),
                "{error}"
            );
        }
    }

    #[tokio::test]
    async fn a_declared_length_within_the_limit_is_handed_on_unread_unless_asked() {
        let body = reqwest::Body::from(&b"{}"[..]);
        let kept = read_reply(reply(body, Some(2)), 1024, false).await.unwrap();
        assert_eq!(
            kept.url().as_str(),
            "https://dms.example.com/v2/p/instances"
        );
        assert_eq!(kept.bytes().await.unwrap(), &b"{}"[..]);
    }

    #[test]
    fn every_known_key_pair_and_plain_text() {
        use serde_json::json;
        let cases = [
            (
                r#"{"error_code":"DMS.1","error_msg":"m"}"#,
                json!({"error_code":"DMS.1","error_msg":"m"}),
            ),
            (
                r#"{"errorCode":"DMS.2","errorMsg":"m2"}"#,
                json!({"error_code":"DMS.2","error_msg":"m2"}),
            ),
            (
                r#"{"code":"APIGW.0101","message":"m3"}"#,
                json!({"error_code":"APIGW.0101","error_msg":"m3"}),
            ),
            (r#"{"code":401}"#, json!({"error_code":"401"})),
            (
                "<html>bad gateway</html>",
                json!({"error_msg":"<html>bad gateway</html>"}),
            ),
            (
                r#"{"something":"else"}"#,
                json!({"error_msg":r#"{"something":"else"}"#}),
            ),
            ("", json!({})),
        ];
        for (body, expected) in cases {
            assert_eq!(error_body(body.as_bytes()), expected, "{body}");
        }
    }
}
