//! Error replies: one shape for every 4xx/5xx, and the details one method call away.
//!
//! The service answers errors with `{"error_code": ..., "error_msg": ...}`. Like the official
//! SDK, this client also understands `errorCode`/`errorMsg` and `code`/`message`, and keeps a
//! body that is not JSON as text (in `error_msg`). `normalize_error_reply` (run by the
//! `exec` hook) rewrites such replies into the documented shape before the generated code reads
//! them, so they arrive as [`crate::Error::Service`] with status and headers intact.

use std::fmt;

use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Map, Value};

use crate::types::ErrorBody;

/// Response header carrying the service's request id.
pub const X_REQUEST_ID: &str = "x-request-id";
/// At most this much of an error (4xx/5xx) body is kept; the rest is not read. The status,
/// code and request id matter, not a proxy's 10 MiB HTML page.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// What an error reply says: status, error code, message and request id.
///
/// `Display` prints exactly those (`HTTP 400 DMS.00400021: Invalid node_cnt (request id r-1)`);
/// the reply's other headers are kept for [`ServiceError::headers`] but never printed, and
/// `Debug` shows only their names (a `Set-Cookie` value stays out of logs).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// HTTP status of the reply.
    pub status: StatusCode,
    /// The service's error code, e.g. `DMS.00400021`.
    pub error_code: Option<String>,
    /// The service's message (or the body's text when it was not JSON).
    pub error_msg: Option<String>,
    /// The `X-Request-Id` response header, for support cases.
    pub request_id: Option<String>,
    headers: HeaderMap,
}

impl fmt::Debug for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceError")
            .field("status", &self.status)
            .field("error_code", &self.error_code)
            .field("error_msg", &self.error_msg)
            .field("request_id", &self.request_id)
            .field("header_names", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}", self.status.as_u16())?;
        if let Some(code) = &self.error_code {
            write!(f, " {code}")?;
        }
        if let Some(msg) = &self.error_msg {
            write!(f, ": {msg}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl ServiceError {
    /// What the service's error-code table says about this error's code (message, description,
    /// what to do), or `None` when there is no code or the table does not list it.
    pub fn meaning(&self) -> Option<&'static crate::error_codes::ErrorCodeInfo> {
        crate::error_codes::lookup(self.error_code.as_deref()?)
    }
}

impl std::error::Error for ServiceError {}

impl ServiceError {
    /// All headers of the reply (e.g. `Retry-After`).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// From a reply the generated code read as the documented error body.
    pub(crate) fn from_reply(reply: &ResponseValue<ErrorBody>) -> Self {
        ServiceError {
            status: reply.status(),
            error_code: reply.error_code.clone(),
            error_msg: reply.error_msg.clone(),
            request_id: request_id(reply.headers()),
            headers: reply.headers().clone(),
        }
    }

    /// From a reply with a status the API does not document (its body is not read).
    pub(crate) fn from_response(response: &reqwest::Response) -> Self {
        ServiceError {
            status: response.status(),
            error_code: None,
            error_msg: None,
            request_id: request_id(response.headers()),
            headers: response.headers().clone(),
        }
    }
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
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
    use super::*;
    use serde_json::json;

    #[test]
    fn every_known_key_pair_and_plain_text() {
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
