//! Carrying typed failures through progenitor, and progenitor's error turned into [`Error`].
//!
//! progenitor's hooks can only fail with its own `Error<E>` (from `pre`) or a `reqwest::Error`
//! (from `exec`), neither of which can hold our types, and a `reqwest::Error` cannot be built
//! from outside reqwest. So `exec` makes one: it reads a body whose only frame is an error
//! holding the failure; reqwest wraps that in a `reqwest::Error` whose source chain leads to it,
//! progenitor passes the `reqwest::Error` on, and [`Error::from_generated`] takes the failure
//! back out.

use std::error::Error as StdError;
use std::fmt;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll};

use reqwest::StatusCode;

use crate::error::{Error, IamError, InvalidReply, ResponseTooLarge, ServiceError, TransportError};
use crate::types::ErrorBody;

/// The error of progenitor's builders, which the generated calls turn into [`Error`].
pub(crate) type GeneratedError = progenitor_client::Error<ErrorBody>;

/// A failure found by the hooks, carried to the caller inside a `reqwest::Error`.
#[derive(Debug)]
pub(crate) enum HookFailure {
    Iam(IamError),
    TooLarge(ResponseTooLarge),
    Invalid(String),
}

/// The error inside the carrier body: the failure (taken out once) and its message.
#[derive(Debug)]
struct Carrier {
    message: String,
    failure: Mutex<Option<HookFailure>>,
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
pub(crate) fn carry(failure: HookFailure) -> reqwest::Error {
    let message = match &failure {
        HookFailure::Iam(e) => e.to_string(),
        HookFailure::TooLarge(e) => e.to_string(),
        HookFailure::Invalid(message) => message.clone(),
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
pub(crate) fn carries_failure(error: &reqwest::Error) -> bool {
    carrier_in(error).is_some()
}

/// The failure carried by `error`, if it carries one (taken out: a second call finds none).
fn take_failure(error: &reqwest::Error) -> Option<HookFailure> {
    carrier_in(error)?
        .failure
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
}

/// The carrier in `error`'s source chain, if there is one.
fn carrier_in(error: &reqwest::Error) -> Option<&Carrier> {
    let mut source: Option<&(dyn StdError + 'static)> = error.source();
    while let Some(cause) = source {
        if let Some(carrier) = cause.downcast_ref::<Carrier>() {
            return Some(carrier);
        }
        source = cause.source();
    }
    None
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
            G::InvalidResponsePayload(body, source) => {
                Error::InvalidReply(InvalidReply::new(None, body.to_vec(), source))
            }
        }
    }

    /// Sorts a `reqwest::Error` out: a failure carried through progenitor, or a transport one.
    pub(crate) fn from_reqwest(error: reqwest::Error) -> Self {
        match take_failure(&error) {
            Some(HookFailure::Iam(e)) => Error::Iam(e),
            Some(HookFailure::TooLarge(e)) => Error::ResponseTooLarge(e),
            Some(HookFailure::Invalid(message)) => Error::InvalidRequest(message),
            None => Error::Transport(TransportError::new(error)),
        }
    }
}
