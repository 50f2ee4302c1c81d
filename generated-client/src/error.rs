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
//! turned into it without losing anything (and stays inside the crate). Failures found inside the request hooks (no
//! IAM token, a reply over the size limit) travel through progenitor as the source of a
//! `reqwest::Error` and come back out typed here.

use std::error::Error as StdError;
use std::fmt;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use reqwest::StatusCode;

use crate::errors::ServiceError;
use crate::types::ErrorBody;

/// The error of progenitor's builders, which the generated calls turn into [`Error`].
pub(crate) type GeneratedError = progenitor_client::Error<ErrorBody>;

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

    /// Sorts a `reqwest::Error` out: a failure carried through progenitor, or a transport one.
    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        match take_carried(&error) {
            Some(Carried::Iam(e)) => Error::Iam(e),
            Some(Carried::TooLarge(e)) => Error::ResponseTooLarge(e),
            Some(Carried::Invalid(message)) => Error::InvalidRequest(message),
            None => Error::Transport(TransportError::new(error)),
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

impl Error {
    /// progenitor's error, as this one (every generated call's `send()` uses it).
    pub(crate) fn from_generated(error: GeneratedError) -> Self {
        use progenitor_client::Error as G;
        match error {
            G::InvalidRequest(message) | G::Custom(message) => Error::InvalidRequest(message),
            G::CommunicationError(e) | G::ResponseBodyError(e) | G::InvalidUpgrade(e) => {
                Error::from_reqwest(e)
            }
            G::ErrorResponse(reply) => Error::Service(ServiceError::from_reply(&reply)),
            G::UnexpectedResponse(response) => {
                Error::UnexpectedStatus(ServiceError::from_response(&response))
            }
            G::InvalidResponsePayload(body, source) => Error::InvalidReply(InvalidReply {
                status: None,
                body: body.to_vec(),
                source,
            }),
        }
    }
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

// ---------------------------------------------------------------------------------------------
// Carrying typed failures through progenitor.
//
// progenitor's hooks can only fail with its own `Error<E>` (from `pre`) or a `reqwest::Error`
// (from `exec`), neither of which can hold our types, and a `reqwest::Error` cannot be built
// from outside reqwest. So `exec` makes one: it reads a body whose only frame is an error
// holding the failure; reqwest wraps that in a `reqwest::Error` whose source chain leads to it,
// progenitor passes the `reqwest::Error` on, and `Error::from` takes the failure back out.

/// A failure found by the hooks.
#[derive(Debug)]
pub(crate) enum Carried {
    Iam(IamError),
    TooLarge(ResponseTooLarge),
    Invalid(String),
}

/// The error inside the carrier body: the failure (taken out once) and its message.
#[derive(Debug)]
struct Carrier {
    message: String,
    failure: Mutex<Option<Carried>>,
}

impl fmt::Display for Carrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl StdError for Carrier {}

/// An `http_body::Body` whose first frame is the carrier error.
struct FailingBody(Option<Carrier>);

impl http_body::Body for FailingBody {
    type Data = &'static [u8];
    type Error = Box<dyn StdError + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Poll::Ready(self.0.take().map(|carrier| Err(Box::new(carrier) as _)))
    }
}

/// A `reqwest::Error` whose source chain holds `failure`.
///
/// Synchronous: the carrier body's first frame is ready at once, so reading it takes one poll
/// (with a waker nothing will wake), and the hooks' futures carry no state for it.
pub(crate) fn carry(failure: Carried) -> reqwest::Error {
    let message = match &failure {
        Carried::Iam(e) => e.to_string(),
        Carried::TooLarge(e) => e.to_string(),
        Carried::Invalid(message) => message.clone(),
    };
    let carrier = Carrier {
        message,
        failure: Mutex::new(Some(failure)),
    };
    let body = reqwest::Body::wrap(FailingBody(Some(carrier)));
    let mut response = reqwest::Response::from(http::Response::new(body));
    let mut cx = Context::from_waker(std::task::Waker::noop());
    loop {
        match std::pin::pin!(response.chunk()).poll(&mut cx) {
            Poll::Ready(Err(e)) => return e,
            // Unreachable: the body's first frame is the error. Should reqwest ever skip it
            // (or not have it at once), the call still needs an error, so ask for one it
            // always has.
            Poll::Ready(Ok(Some(_))) => {}
            Poll::Ready(Ok(None)) | Poll::Pending => {
                let mut fallback = http::Response::new(reqwest::Body::from(Vec::new()));
                *fallback.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                if let Err(e) = reqwest::Response::from(fallback).error_for_status() {
                    return e;
                }
            }
        }
    }
}

/// Whether `error` carries a failure of the hooks (not a transport failure).
pub(crate) fn is_carried(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn StdError + 'static)> = error.source();
    while let Some(cause) = source {
        if cause.is::<Carrier>() {
            return true;
        }
        source = cause.source();
    }
    false
}

/// The failure carried by `error`, if it carries one (taken out: a second call finds none).
fn take_carried(error: &reqwest::Error) -> Option<Carried> {
    let mut source: Option<&(dyn StdError + 'static)> = error.source();
    while let Some(cause) = source {
        if let Some(carrier) = cause.downcast_ref::<Carrier>() {
            return carrier
                .failure
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
        }
        source = cause.source();
    }
    None
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
