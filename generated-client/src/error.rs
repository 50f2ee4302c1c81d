//! [`Error`]: what a call returns when it fails, with every cause kept.
//!
//! Each error prints its own message only; its cause is [`std::error::Error::source`], so a
//! chain printer shows every level once. `{e:#}` (the alternate form) prints the whole chain on
//! one line, `what: why: deeper why`:
//!
//! ```text
//! {e}   the host name could not be resolved (DNS); nothing was sent
//! {e:#} the host name could not be resolved (DNS); nothing was sent: error sending request for
//!       url (https://dms.example.invalid/v2/...): client error (Connect): dns error: failed to
//!       lookup address information: Name or service not known
//! ```
//!
//! Every call's `send()` returns it: progenitor's error, which the generated code sees, is
//! turned into it without losing anything (and stays inside the crate; `transport::carrier`
//! does that, and carries the hooks' own failures through progenitor). Error replies arrive
//! as [`ServiceError`], in the documented shape (`transport::body` normalises them).
//!
//! This module holds the error types only: it depends on nothing of the crate but the
//! generated error body and the error-code table.

use std::error::Error as StdError;
use std::fmt;

use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::types::ErrorBody;

/// A failed call.
///
/// `Display` prints one line without the cause; `{e:#}` appends the causes (`: ` separated).
/// [`Error::is_retryable`] tells transient failures from the rest.
///
/// ```
/// use generated_client::{Error, TransportErrorKind};
///
/// fn explain(e: &Error) -> String {
///     match e {
///         Error::Service(reply) => format!("the service said no: {reply}"),
///         Error::Iam(iam) => format!("no token: {iam}"),
///         Error::Transport(t) if t.kind() == TransportErrorKind::Dns => "check the endpoint".into(),
///         other => format!("{other:#}"),
///     }
/// }
/// # let _ = explain;
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The request was refused before anything was sent: a bad path parameter (empty, `.`,
    /// `..`, `\`), a missing builder field, a value that cannot go in a header.
    InvalidRequest(String),
    /// No IAM token could be obtained for password authentication; nothing was sent to DMS.
    Iam(IamError),
    /// The request or its reply failed on the way (DNS, connect, timeout, connection closed).
    Transport(TransportError),
    /// The service answered with a 4xx or 5xx status.
    Service(ServiceError),
    /// The service answered with a status the API does not document (1xx, 204, 3xx...).
    UnexpectedStatus(ServiceError),
    /// The reply body was larger than the limit ([`crate::ClientConfig::max_response_body`]).
    ResponseTooLarge(ResponseTooLarge),
    /// A success reply whose body is not the documented JSON.
    InvalidReply(InvalidReply),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest(message) => write!(f, "request not sent: {message}")?,
            Error::Iam(e) => write!(f, "{e}")?,
            Error::Transport(e) => write!(f, "{e}")?,
            Error::Service(e) => write!(f, "{e}")?,
            Error::UnexpectedStatus(e) => write!(f, "unexpected reply: {e}")?,
            Error::ResponseTooLarge(e) => write!(f, "{e}")?,
            Error::InvalidReply(e) => write!(f, "{e}")?,
        }
        if f.alternate() {
            write_causes(f, self.source())?;
        }
        Ok(())
    }
}

/// Writes `: cause` for `source` and each of its sources.
pub(crate) fn write_causes(
    f: &mut fmt::Formatter<'_>,
    mut source: Option<&(dyn StdError + 'static)>,
) -> fmt::Result {
    while let Some(cause) = source {
        write!(f, ": {cause}")?;
        source = cause.source();
    }
    Ok(())
}

impl StdError for Error {
    /// The cause of the variant's inner error (the inner error's message is already this
    /// error's message, so it is not repeated as a cause).
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Error::Iam(e) => e.source(),
            Error::Transport(e) => e.source(),
            Error::InvalidReply(e) => e.source(),
            Error::InvalidRequest(_)
            | Error::Service(_)
            | Error::UnexpectedStatus(_)
            | Error::ResponseTooLarge(_) => None,
        }
    }
}

impl Error {
    /// Whether trying again later may succeed: transport failures, an unreachable IAM, and
    /// the statuses 408, 429, 500, 502, 503 and 504 (from DMS or IAM): the statuses the
    /// client's own [`RetryPolicy`](crate::RetryPolicy) retries.
    ///
    /// A [`TransportError`] also says whether the request may have reached the server
    /// ([`TransportError::nothing_sent`]); `POST` calls are not idempotent.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport(_) => true,
            Error::Iam(e) => e.is_retryable(),
            Error::Service(s) | Error::UnexpectedStatus(s) => is_retryable_status(s.status),
            Error::InvalidRequest(_) | Error::ResponseTooLarge(_) | Error::InvalidReply(_) => false,
        }
    }

    /// Status, error code, message and request id of an error reply (4xx/5xx, or a status the
    /// API does not document).
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(s) | Error::UnexpectedStatus(s) => Some(s),
            _ => None,
        }
    }

    /// The transport failure, whether it happened talking to DMS or to IAM.
    pub fn transport(&self) -> Option<&TransportError> {
        match self {
            Error::Transport(e) => Some(e),
            Error::Iam(IamError::Unreachable { source, .. }) => Some(source),
            _ => None,
        }
    }

    /// The HTTP status of the reply the error came from, if there was one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Service(s) | Error::UnexpectedStatus(s) => Some(s.status),
            Error::ResponseTooLarge(e) => Some(e.status),
            Error::InvalidReply(e) => e.status,
            _ => None,
        }
    }
}

/// The statuses after which the same request may succeed later: 408, 429, 500, 502, 503 and
/// 504. The one rule of what is transient: [`Error::is_retryable`] and the retry policy
/// (`transport::retry`, which retries a non-idempotent request only on 429) both use it.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::REQUEST_TIMEOUT
            | StatusCode::TOO_MANY_REQUESTS
            | StatusCode::INTERNAL_SERVER_ERROR
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

impl From<IamError> for Error {
    fn from(error: IamError) -> Self {
        Error::Iam(error)
    }
}

impl From<TransportError> for Error {
    fn from(error: TransportError) -> Self {
        Error::Transport(error)
    }
}

/// What went wrong on the way, as far as it can be told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The host name did not resolve. Nothing was sent.
    Dns,
    /// No connection could be made (refused, unreachable, TLS handshake, connect timeout).
    /// Nothing was sent.
    Connect,
    /// No (complete) reply within the request timeout. The request may have been processed.
    Timeout,
    /// The connection was closed before a complete reply arrived. The request may have been
    /// processed.
    Closed,
    /// The reply's body could not be read.
    Body,
    /// Anything else reqwest reports.
    Other,
}

impl TransportErrorKind {
    /// What `source` says went wrong.
    pub(crate) fn of(source: &reqwest::Error) -> Self {
        if source.is_dns() {
            TransportErrorKind::Dns
        } else if source.is_connect() {
            TransportErrorKind::Connect
        } else if source.is_timeout() {
            TransportErrorKind::Timeout
        } else if closed_early(source) {
            TransportErrorKind::Closed
        } else if source.is_body() || source.is_decode() {
            TransportErrorKind::Body
        } else {
            TransportErrorKind::Other
        }
    }

    /// `true` when the request certainly did not reach the server (DNS or connect failure).
    pub(crate) fn nothing_sent(self) -> bool {
        matches!(self, TransportErrorKind::Dns | TransportErrorKind::Connect)
    }
}

/// A failure on the way to the server or back; the `reqwest::Error` is its source.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    timeout: bool,
    source: reqwest::Error,
}

impl TransportError {
    pub(crate) fn new(source: reqwest::Error) -> Self {
        TransportError {
            kind: TransportErrorKind::of(&source),
            timeout: source.is_timeout(),
            source,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// Whether a timeout (connect or request) ended the attempt.
    pub fn is_timeout(&self) -> bool {
        self.timeout
    }

    /// `true` when the request certainly did not reach the server (DNS or connect failure),
    /// so sending it again cannot repeat its effect.
    pub fn nothing_sent(&self) -> bool {
        self.kind.nothing_sent()
    }

    /// The underlying reqwest error (also [`std::error::Error::source`]).
    pub fn reqwest_error(&self) -> &reqwest::Error {
        &self.source
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.kind {
            TransportErrorKind::Dns => "the host name could not be resolved (DNS); nothing was sent",
            TransportErrorKind::Connect if self.timeout => {
                "no connection within the connect timeout; nothing was sent"
            }
            TransportErrorKind::Connect => "could not connect; nothing was sent",
            TransportErrorKind::Timeout => {
                "timed out: no complete reply within the request timeout; the request may have been processed"
            }
            TransportErrorKind::Closed => {
                "the connection was closed before a complete reply arrived; the request may have been processed"
            }
            TransportErrorKind::Body => "reading the reply failed",
            TransportErrorKind::Other => "the HTTP request failed",
        })?;
        if f.alternate() {
            write_causes(f, self.source())?;
        }
        Ok(())
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}

/// Whether the peer closed the connection before a complete reply (hyper's "connection closed
/// before message completed", or an I/O reset/EOF).
fn closed_early(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn StdError + 'static)> = error.source();
    while let Some(cause) = source {
        if let Some(hyper) = cause.downcast_ref::<hyper::Error>()
            && (hyper.is_incomplete_message() || hyper.is_closed() || hyper.is_canceled())
        {
            return true;
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::UnexpectedEof
                    | std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::ConnectionAborted
                    | std::io::ErrorKind::BrokenPipe
            )
        {
            return true;
        }
        source = cause.source();
    }
    false
}

/// A reply body over the limit; the rest of it was not read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseTooLarge {
    /// Status of the reply.
    pub status: StatusCode,
    /// The limit in bytes ([`crate::ClientConfig::max_response_body`]).
    pub limit: usize,
    /// The `Content-Length` the reply announced, if any.
    pub content_length: Option<u64>,
}

impl fmt::Display for ResponseTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the HTTP {} reply body is larger than the limit of {} bytes",
            self.status.as_u16(),
            self.limit
        )?;
        if let Some(length) = self.content_length {
            write!(f, " (Content-Length {length})")?;
        }
        f.write_str("; it was not read (see ClientConfig::max_response_body)")
    }
}

impl StdError for ResponseTooLarge {}

/// A success reply whose body is not the documented JSON; the parse error is the source.
#[derive(Debug)]
#[non_exhaustive]
pub struct InvalidReply {
    /// Status of the reply, when known.
    pub status: Option<StatusCode>,
    body: Vec<u8>,
    source: serde_json::Error,
}

impl InvalidReply {
    /// A reply with this status (when known) and body, which `source` could not decode.
    pub(crate) fn new(
        status: Option<StatusCode>,
        body: Vec<u8>,
        source: serde_json::Error,
    ) -> Self {
        InvalidReply {
            status,
            body,
            source,
        }
    }

    /// The body as received (at most [`crate::ClientConfig::max_response_body`] bytes).
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// At most this many characters of a body are quoted in a message.
const QUOTED: usize = 80;

impl fmt::Display for InvalidReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.status {
            Some(status) => write!(f, "the HTTP {} reply", status.as_u16())?,
            None => f.write_str("the reply")?,
        }
        let text = String::from_utf8_lossy(&self.body);
        let quoted: String = text.chars().take(QUOTED).collect();
        let more = if quoted.len() < text.len() { "..." } else { "" };
        write!(
            f,
            " is not the documented JSON ({} bytes: {quoted:?}{more})",
            self.body.len()
        )?;
        if f.alternate() {
            write_causes(f, self.source())?;
        }
        Ok(())
    }
}

impl StdError for InvalidReply {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}

/// Response header carrying the service's request id.
pub const X_REQUEST_ID: &str = "x-request-id";
/// At most this much of an error (4xx/5xx) body is kept; the rest is not read. The status,
/// code and request id matter, not a proxy's 10 MiB HTML page.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// What an error reply says: status, error code, message and request id.
///
/// `Display` prints exactly those (`HTTP 400 DMS.00400062: Invalid request parameter. (request id r-1)`);
/// the reply's other headers are kept for [`ServiceError::headers`] but never printed, and
/// `Debug` shows only their names (a `Set-Cookie` value stays out of logs).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServiceError {
    /// HTTP status of the reply.
    pub status: StatusCode,
    /// The service's error code, e.g. `DMS.00400062`.
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

/// Getting a token from IAM failed; nothing was sent to DMS.
///
/// Each variant's message names the IAM URL (and, when IAM refused, the user and domain, never
/// the password); an unreachable IAM keeps the transport failure as its source.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IamError {
    /// IAM could not be reached or did not answer in time: a communication failure, retryable.
    #[error("cannot get an IAM token: IAM at {url} did not answer")]
    #[non_exhaustive]
    Unreachable {
        /// The token URL.
        url: String,
        /// What went wrong on the way (DNS, connect, timeout...).
        #[source]
        source: TransportError,
    },
    /// IAM answered with an error status (401: wrong user, password or domain).
    #[error(
        "cannot get an IAM token: IAM at {url} refused the password authentication of user {user:?} in domain {domain:?}: HTTP {status}{}",
        message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
    )]
    #[non_exhaustive]
    Refused {
        /// The token URL.
        url: String,
        /// The user name (not secret).
        user: String,
        /// The domain name (not secret).
        domain: String,
        /// IAM's status.
        status: u16,
        /// IAM's error message, if it sent one.
        message: Option<String>,
    },
    /// IAM answered 2xx but without a usable token.
    #[error("cannot get an IAM token: IAM at {url} answered without a usable token: {reason}")]
    #[non_exhaustive]
    BadAnswer {
        /// The token URL.
        url: String,
        /// What was missing or wrong.
        reason: String,
    },
}

impl IamError {
    /// Whether asking again later may succeed: IAM unreachable, or IAM answered 408, 429, 500,
    /// 502, 503 or 504.
    pub fn is_retryable(&self) -> bool {
        match self {
            IamError::Unreachable { .. } => true,
            IamError::Refused { status, .. } => {
                StatusCode::from_u16(*status).is_ok_and(is_retryable_status)
            }
            IamError::BadAnswer { .. } => false,
        }
    }
}
