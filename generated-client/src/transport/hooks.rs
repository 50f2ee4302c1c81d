//! What every request goes through between the generated builder and the wire.
//!
//! progenitor calls [`ClientHooks::pre`] once a request is fully built (headers and body
//! final) and just before it is sent, and [`ClientHooks::exec`] to send it. The generator
//! runs with hooks required, so this implementation is not optional: without it the crate
//! does not compile. (progenitor's `api-version` header, which the DMS API does not define,
//! is removed first of all.) In order, `pre`:
//!
//! 1. sets `User-Agent` and, when a project is configured, `X-Project-Id`;
//! 2. authenticates: signs with AK/SK (after everything else is final, so what is signed is
//!    what is sent), or adds `X-Auth-Token`.
//!
//! `exec` opens the call's `tracing` span (operation id, method, path template; attempt,
//! status and request id as they come) and sends the request as [`RetryPolicy`] says (see
//! [`super::retry`] for which failures are retried). Each attempt: for password
//! authentication, adds the IAM token (`X-Auth-Token`, not signed); sends the request; on a
//! 401 drops that token from the cache (only that one: another call may have fetched a new one
//! meanwhile); and reads the reply through [`super::body`]: a success body up to the size
//! limit, a 4xx/5xx body rewritten into the documented `{error_code, error_msg}` shape. A
//! further attempt is a clone of the request, signed afresh for AK/SK. Failures found here (no
//! IAM token, a body over the limit) are carried to [`crate::Error`] through the returned
//! `reqwest::Error` (see `crate::error::carry`) and are not retried.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, HeaderName, HeaderValue, USER_AGENT};
use tokio::time::Instant;
use tracing::Instrument;
use url::Position;

use crate::auth::credentials::Secret;
use crate::auth::iam::TokenSource;
use crate::auth::signer::{self, SigningKey};
use crate::error::X_REQUEST_ID;
use crate::generated::Client;
use crate::transport::body::{self, MAX_RESPONSE_BODY};
use crate::transport::carrier::{HookFailure, carries_failure, carry};
use crate::transport::retry::{self, Attempt, Decision, RetryPolicy};
use crate::wait::{self, Look, WaitOptions};
use crate::{Operation, TransportErrorKind};

/// Project of the request; signed.
pub const X_PROJECT_ID: HeaderName = HeaderName::from_static("x-project-id");
/// Security token of temporary AK/SK credentials; signed.
pub const X_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-security-token");
/// The header progenitor adds to every request (the spec's `info.version`); removed.
const API_VERSION: HeaderName = HeaderName::from_static("api-version");
/// IAM token.
pub const X_AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");
/// [`signer::DATE_HEADER`] as a header name.
const X_SDK_DATE: HeaderName = HeaderName::from_static("x-sdk-date");
/// [`signer::CONTENT_SHA256_HEADER`] as a header name.
const X_SDK_CONTENT_SHA256: HeaderName = HeaderName::from_static("x-sdk-content-sha256");

/// The `User-Agent` of this crate: `generated-client/<version>`.
pub const USER_AGENT_VALUE: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// How the hooks authenticate a request.
#[derive(Clone, Debug, Default)]
pub(crate) enum Auth {
    /// Send as is (local stand-ins, tests).
    #[default]
    None,
    /// Sign with SDK-HMAC-SHA256; the secret key's HMAC state is prepared once.
    AkSk {
        ak: String,
        key: SigningKey,
        security_token: Option<Secret>,
    },
    /// Send a fixed token.
    Token(Secret),
    /// Fetch, cache and refresh a token from IAM.
    Iam(Arc<TokenSource>),
}

/// What every request of a client needs (project, authentication, body limit, retry policy,
/// wait options): progenitor's inner value of every [`Client`], which the hooks read. Its
/// `Debug` shows no secret.
/// The default sends no project header and does not authenticate.
///
/// Crate-private on purpose: progenitor's `Client::new` and `Client::new_with_client` take
/// one, so outside this crate they cannot be called (`Client::new` would build a reqwest
/// client of its own, unauthenticated, with progenitor's timeouts, and may panic for want of
/// a TLS crypto provider). Clients come from [`crate::ClientConfig::build`].
#[derive(Clone, Debug)]
pub(crate) struct ClientContext {
    project_id: Option<String>,
    /// `project_id` as a header value, made once (`None` when it cannot be one).
    project_header: Option<HeaderValue>,
    auth: Auth,
    max_response_body: usize,
    retry: RetryPolicy,
    /// How the waits of this client poll unless a call says otherwise.
    wait: WaitOptions,
}

impl Default for ClientContext {
    fn default() -> Self {
        ClientContext::new(None, Auth::None)
    }
}

impl ClientContext {
    pub(crate) fn new(project_id: Option<String>, auth: Auth) -> Self {
        let project_header = project_id
            .as_deref()
            .and_then(|id| HeaderValue::from_str(id).ok());
        ClientContext {
            project_id,
            project_header,
            auth,
            max_response_body: MAX_RESPONSE_BODY,
            retry: RetryPolicy::default(),
            wait: WaitOptions::default(),
        }
    }

    /// The same state with another retry policy.
    pub(crate) fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The same state with other wait options.
    pub(crate) fn with_wait(mut self, wait: WaitOptions) -> Self {
        self.wait = wait;
        self
    }

    /// How the waits of this client poll unless a call says otherwise.
    pub(crate) fn wait_options(&self) -> &WaitOptions {
        &self.wait
    }

    /// The same state with another reply size limit.
    pub(crate) fn with_max_response_body(mut self, limit: usize) -> Self {
        self.max_response_body = limit;
        self
    }

    /// The configured project id, if any.
    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }
}

/// Problems found by the hooks are messages, turned into [`Error::InvalidRequest`] by `pre`.
type HookResult<T> = Result<T, String>;

fn header_value(name: &str, value: &str) -> HookResult<HeaderValue> {
    HeaderValue::from_str(value)
        .map_err(|_| format!("{name} contains characters not allowed in an HTTP header"))
}

fn secret_header(name: &str, value: &Secret) -> HookResult<HeaderValue> {
    let mut value = header_value(name, value.expose())?;
    value.set_sensitive(true);
    Ok(value)
}

impl ClientHooks<ClientContext> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        prepare(self, request).await.map_err(|e| match e {
            HookError::Invalid(message) => progenitor_client::Error::InvalidRequest(message),
        })
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        // The field values are only computed when the span is enabled.
        let span = tracing::info_span!(
            "dms_call",
            operation = info.operation_id,
            method = %request.method(),
            path = Operation::from_hook_id(info.operation_id).map_or("", Operation::path_template),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        send_with_retries(self, request, &span)
            .instrument(span.clone())
            .await
    }
}

/// Sends `request` (already prepared and, for AK/SK, signed by `pre`) as the retry policy
/// says: each further attempt is a copy of it, signed afresh (new `X-Sdk-Date`) or with the
/// current IAM token. Without a copyable body (a stream) there is one attempt.
async fn send_with_retries(
    client: &Client,
    mut request: reqwest::Request,
    span: &tracing::Span,
) -> reqwest::Result<reqwest::Response> {
    let state = &client.inner;
    let policy = &state.retry;
    let method = request.method().clone();
    let deadline = Instant::now() + policy.deadline_after();
    let mut attempt = 1u32;
    loop {
        span.record("attempt", attempt);
        // The request as it is sent: for another attempt, or to explain a refused signature.
        let copy = request.try_clone();
        let last = attempt >= policy.attempts() || copy.is_none();
        // A reply whose body fails to arrive is retried only for an idempotent method with an
        // attempt left; only then must the body be read here, where a retry can follow.
        let read_now = !last && retry::is_idempotent(&method);
        let outcome = send_once(client, request, read_now).await;
        if let Ok(response) = &outcome {
            span.record("status", response.status().as_u16());
            if let Some(id) = response
                .headers()
                .get(X_REQUEST_ID)
                .and_then(|v| v.to_str().ok())
            {
                span.record("request_id", id);
            }
            if response.status() == StatusCode::UNAUTHORIZED
                && let Some(sent) = &copy
            {
                explain_signature(state, sent);
            }
        }
        let Some(mut next) = copy.filter(|_| !last) else {
            return outcome;
        };
        let (outcome, decision) = match outcome {
            // The busy refusal is told by its body's error code.
            Ok(response)
                if response.status() == StatusCode::BAD_REQUEST
                    && policy.retries_when_instance_busy() =>
            {
                decide_busy(policy, &method, response).await
            }
            outcome => decide(policy, &method, outcome, None),
        };
        if !wait_to_retry(client, attempt, deadline, &outcome, decision, next.url()).await {
            return outcome;
        }
        if let Err(message) = reauthenticate(state, &mut next) {
            return Err(carry(HookFailure::Invalid(message)));
        }
        request = next;
        attempt += 1;
    }
}

/// Waits before another attempt after `attempt` ended with `outcome`, as `decision` says
/// (the backoff or the server's `Retry-After`, or until the instance at `url` runs again);
/// `false` when there is to be none (the decision is to stop, or the wait would pass
/// `deadline`).
async fn wait_to_retry(
    client: &Client,
    attempt: u32,
    deadline: Instant,
    outcome: &reqwest::Result<reqwest::Response>,
    decision: Decision,
    url: &reqwest::Url,
) -> bool {
    let policy = &client.inner.retry;
    let wait = match decision {
        Decision::Stop => return false,
        Decision::Retry { retry_after } => {
            retry_after.unwrap_or_else(|| policy.jittered_backoff(attempt))
        }
        Decision::RetryWhenInstanceRuns => Duration::ZERO,
    };
    if Instant::now() + wait > deadline {
        tracing::info!(
            attempt,
            wait_ms = wait.as_millis() as u64,
            "not retried: the wait would pass the retry deadline"
        );
        return false;
    }
    tracing::info!(
        attempt,
        reason = %reason(outcome),
        wait_ms = wait.as_millis() as u64,
        "retrying"
    );
    if decision == Decision::RetryWhenInstanceRuns {
        if !wait_until_running(client, url, policy, deadline).await {
            tracing::info!(attempt, "not retried: the instance is not running in time");
            return false;
        }
    } else {
        tokio::time::sleep(wait).await;
    }
    true
}

/// Adds `Content-Length: 0` to a POST, PUT or PATCH without content (after signing: it is not
/// signed, as the official SDK's HTTP library adds it after signing too). RFC 9110 §8.6: a
/// user agent should send `Content-Length` when the method gives content a meaning; hyper
/// writes none for an empty body, and some gateways answer such a request with 411.
fn announce_empty_body(request: &mut reqwest::Request) {
    use reqwest::Method;
    let empty = match request.body() {
        None => true,
        Some(body) => body.as_bytes().is_some_and(<[u8]>::is_empty),
    };
    if empty
        && matches!(
            *request.method(),
            Method::POST | Method::PUT | Method::PATCH
        )
        && !request.headers().contains_key(CONTENT_LENGTH)
    {
        request
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
    }
}

/// One attempt: the IAM token (password authentication), the request, the reply read within
/// the size limit (see [`body::read_reply`] for `read_now`).
async fn send_once(
    client: &Client,
    mut request: reqwest::Request,
    read_now: bool,
) -> reqwest::Result<reqwest::Response> {
    let iam_token = match &client.inner.auth {
        Auth::Iam(source) => Some((source, add_iam_token(client, source, &mut request).await?)),
        _ => None,
    };
    announce_empty_body(&mut request);
    let response = client.client().execute(request).await?;
    if response.status() == StatusCode::UNAUTHORIZED
        && let Some((source, token)) = iam_token
    {
        // A revoked token would otherwise be sent until it nears expiry. Only the token
        // this request carried is dropped: another call may have fetched a fresh one.
        source.forget(&token).await;
    }
    body::read_reply(response, client.inner.max_response_body, read_now).await
}

/// Adds the current IAM token (`X-Auth-Token`) to `request`; the token, to forget it if the
/// service refuses it.
async fn add_iam_token(
    client: &Client,
    source: &TokenSource,
    request: &mut reqwest::Request,
) -> reqwest::Result<Secret> {
    let token = source
        .token(client.client())
        .await
        .map_err(|e| carry(HookFailure::Iam(e)))?;
    let value =
        secret_header("the IAM token", &token).map_err(|m| carry(HookFailure::Invalid(m)))?;
    request.headers_mut().insert(X_AUTH_TOKEN, value);
    Ok(token)
}

/// What the policy says about `outcome` (handed back, its body still readable), given the
/// error code of the reply's body when that was read.
fn decide(
    policy: &RetryPolicy,
    method: &reqwest::Method,
    outcome: reqwest::Result<reqwest::Response>,
    code: Option<&str>,
) -> (reqwest::Result<reqwest::Response>, Decision) {
    match outcome {
        Err(error) if carries_failure(&error) => (Err(error), Decision::Stop),
        Err(error) => {
            let decision = policy.decide(method, &Attempt::Failed(TransportErrorKind::of(&error)));
            (Err(error), decision)
        }
        Ok(response) => {
            let decision = policy.decide(
                method,
                &Attempt::Replied {
                    status: response.status(),
                    headers: response.headers(),
                    error_code: code,
                },
            );
            (Ok(response), decision)
        }
    }
}

/// [`decide`] for a 400 reply when the busy refusal is retried: its body's error code (the
/// body is in memory) tells.
async fn decide_busy(
    policy: &RetryPolicy,
    method: &reqwest::Method,
    response: reqwest::Response,
) -> (reqwest::Result<reqwest::Response>, Decision) {
    match error_code(response).await {
        Ok((response, code)) => decide(policy, method, Ok(response), code.as_deref()),
        Err(error) => (Err(error), Decision::Stop),
    }
}

/// The `error_code` of a (normalised, in-memory) error reply, and the reply rebuilt.
async fn error_code(
    mut response: reqwest::Response,
) -> reqwest::Result<(reqwest::Response, Option<String>)> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        bytes.extend_from_slice(&chunk);
    }
    let code = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|body| body.get("error_code")?.as_str().map(str::to_owned));
    let rebuilt = body::rebuild(&mut response, bytes.into());
    Ok((reqwest::Response::from(rebuilt), code))
}

/// A short reason for the retry event: the status, or the kind of transport failure.
fn reason(outcome: &reqwest::Result<reqwest::Response>) -> String {
    match outcome {
        Ok(response) => format!("HTTP {}", response.status().as_u16()),
        Err(error) => format!("{:?}", TransportErrorKind::of(error)),
    }
}

/// Authenticates a further attempt afresh: AK/SK signs again with the current time (the old
/// `Authorization` and `X-Sdk-Date` removed first); the IAM token is added by [`send_once`].
fn reauthenticate(state: &ClientContext, request: &mut reqwest::Request) -> HookResult<()> {
    if let Auth::AkSk { ak, key, .. } = &state.auth {
        let headers = request.headers_mut();
        headers.remove(AUTHORIZATION);
        headers.remove(X_SDK_DATE);
        sign(request, ak, key)?;
    }
    Ok(())
}

/// Polls "Querying an Instance" for the instance in `url`'s path (with the engine of
/// [`crate::wait`]) until it is `RUNNING` (`true`), or until the deadline, a state that does
/// not end by itself or a failed poll (`false`). A path without an instance is given one
/// backoff instead.
async fn wait_until_running(
    client: &Client,
    url: &reqwest::Url,
    policy: &RetryPolicy,
    deadline: Instant,
) -> bool {
    let Some(show_url) = show_instance_url(url) else {
        let wait = policy.jittered_backoff(1);
        if Instant::now() + wait > deadline {
            return false;
        }
        tokio::time::sleep(wait).await;
        return true;
    };
    let options = policy.wait_options(deadline.saturating_duration_since(Instant::now()));
    let fetch = || {
        let url = show_url.clone();
        async move {
            let mut request = reqwest::Request::new(reqwest::Method::GET, url);
            prepare(client, &mut request).await.map_err(|_| ())?;
            let response = send_once(client, request, true).await.map_err(|_| ())?;
            if !response.status().is_success() {
                return Err(());
            }
            let body: serde_json::Value = response.json().await.map_err(|_| ())?;
            let status = body.get("status").and_then(|s| s.as_str()).unwrap_or("");
            tracing::info!(instance_status = status, "waiting for the instance to run");
            Ok(Look::Seen(status.to_owned()))
        }
    };
    let judge = |status: &String| wait::instance_verdict(Some(status));
    wait::poll(&options, fetch, judge).await.is_ok()
}

/// `…/v2/{project_id}/instances/{instance_id}` for a request path under an instance
/// (`…/v2/{project_id}[/kafka]/instances/{instance_id}/…`).
fn show_instance_url(url: &reqwest::Url) -> Option<reqwest::Url> {
    let path = url.path();
    let at = path.find("/instances/")?;
    let rest = &path[at + "/instances/".len()..];
    let id = rest.split('/').next().filter(|id| !id.is_empty())?;
    let prefix = path[..at].strip_suffix("/kafka").unwrap_or(&path[..at]);
    let mut show = url.clone();
    show.set_path(&format!("{prefix}/instances/{id}"));
    show.set_query(None);
    Some(show)
}

/// Logs, at debug level, the canonical request of a signed request the service refused with
/// 401, so a user can compare it with the service's. It holds no secret: a security token
/// value in it is replaced by `***`.
fn explain_signature(state: &ClientContext, sent: &reqwest::Request) {
    let Auth::AkSk { ak, key, .. } = &state.auth else {
        return;
    };
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return;
    }
    let mut unsigned = match sent.try_clone() {
        Some(request) => request,
        None => return,
    };
    unsigned.headers_mut().remove(AUTHORIZATION);
    let mut canonical = Vec::new();
    if signature_of(&unsigned, ak, key, Some(&mut canonical)).is_ok() {
        let canonical = String::from_utf8_lossy(&canonical);
        let shown: Vec<String> = canonical
            .split('\n')
            .map(|line| match line.split_once(':') {
                Some((name, _)) if name == X_SECURITY_TOKEN.as_str() => format!("{name}:***"),
                _ => line.to_owned(),
            })
            .collect();
        tracing::debug!(
            canonical_request = %shown.join("\n"),
            "the service refused the signature (401); compare this canonical request with the one it expected"
        );
    }
}

/// Why `pre` refused a request.
enum HookError {
    /// The request cannot be sent as asked (a bad path parameter, an unsendable header).
    Invalid(String),
}

impl From<String> for HookError {
    fn from(message: String) -> Self {
        HookError::Invalid(message)
    }
}

async fn prepare(client: &Client, request: &mut reqwest::Request) -> Result<(), HookError> {
    let state = &client.inner;
    let headers = request.headers_mut();
    // progenitor sends the spec's version as `api-version`; the DMS API defines no such
    // header, so it never goes on the wire (or into a signature).
    headers.remove(API_VERSION);
    headers.insert(USER_AGENT, HeaderValue::from_static(USER_AGENT_VALUE));
    if let Some(project_id) = &state.project_id {
        let value = match &state.project_header {
            Some(value) => value.clone(),
            None => header_value("the project id", project_id)?,
        };
        headers.insert(X_PROJECT_ID, value);
    }

    match &state.auth {
        Auth::None => {}
        Auth::Token(token) => {
            let value = secret_header("the IAM token", token)?;
            request.headers_mut().insert(X_AUTH_TOKEN, value);
        }
        // The IAM token is added by `exec`, which can report IAM failures typed.
        Auth::Iam(_) => {}
        Auth::AkSk {
            ak,
            key,
            security_token,
        } => {
            if let Some(token) = security_token {
                let value = secret_header("the security token", token)?;
                request.headers_mut().insert(X_SECURITY_TOKEN, value);
            }
            sign(request, ak, key)?;
        }
    }
    Ok(())
}

/// Signs the request as it stands and adds the signature headers.
fn sign(request: &mut reqwest::Request, ak: &str, key: &SigningKey) -> HookResult<()> {
    let signed = signature_of(request, ak, key, None)?;
    let owned_value = |name: &HeaderName, value: String| {
        HeaderValue::try_from(value)
            .map_err(|_| format!("{name} contains characters not allowed in an HTTP header"))
    };
    let date = signed
        .added_date
        .map(|date| {
            HeaderValue::from_str(date.as_str()).map_err(|_| {
                format!("{X_SDK_DATE} contains characters not allowed in an HTTP header")
            })
        })
        .transpose()?;
    let mut authorization = owned_value(&AUTHORIZATION, signed.authorization)?;
    authorization.set_sensitive(true);
    let unsigned_payload = signed.added_unsigned_payload;
    let headers = request.headers_mut();
    if let Some(date) = date {
        headers.insert(X_SDK_DATE, date);
    }
    if unsigned_payload {
        headers.insert(
            X_SDK_CONTENT_SHA256,
            HeaderValue::from_static(signer::UNSIGNED_PAYLOAD),
        );
    }
    headers.insert(AUTHORIZATION, authorization);
    Ok(())
}

/// The signature of the request as it stands; with `canonical`, the canonical request is
/// written there too.
fn signature_of(
    request: &reqwest::Request,
    ak: &str,
    key: &SigningKey,
    canonical: Option<&mut Vec<u8>>,
) -> HookResult<signer::Output> {
    let url = request.url();
    if url.host_str().is_none() {
        return Err("the URL has no host".into());
    }
    // `host[:port]` as the URL has it (the port only when it is not the default).
    let host = &url[Position::BeforeHost..Position::AfterPort];
    // Percent-decoding only: `+` stays `+` (form decoding would read a space), as an
    // SDK-style server reads it.
    let decode = |s| percent_decode_str(s).decode_utf8_lossy();
    let query: Vec<(Cow<'_, str>, Cow<'_, str>)> = match url.query() {
        None | Some("") => Vec::new(),
        Some(query) => query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (decode(key), decode(value))
            })
            .collect(),
    };
    // Checked as the signer reads them (it reads every one), so the headers are read once and
    // no list is built; with one that is not visible ASCII the signature is not used.
    let unsignable = std::cell::Cell::new(None);
    let headers = request.headers().iter().map(|(name, value)| {
        let value = value.to_str().unwrap_or_else(|_| {
            if unsignable.get().is_none() {
                unsignable.set(Some(name));
            }
            ""
        });
        (name.as_str(), value)
    });
    let unsignable_header =
        |name: &HeaderName| format!("header {name} is not visible ASCII and cannot be signed");
    let body = match request.body() {
        None => &[][..],
        Some(body) => match body.as_bytes() {
            Some(bytes) => bytes,
            None => {
                // A header that cannot be signed is reported first.
                let unsignable = request.headers().iter().find(|(_, v)| v.to_str().is_err());
                return Err(match unsignable {
                    Some((name, _)) => unsignable_header(name),
                    None => "a streamed body cannot be signed".to_owned(),
                });
            }
        },
    };
    let signed = signer::sign_core(
        signer::Request {
            method: request.method().as_str(),
            host,
            path: url.path(),
            query: &query,
            body,
        },
        headers,
        ak,
        key,
        SystemTime::now(),
        canonical,
    );
    match unsignable.get() {
        None => Ok(signed),
        Some(name) => Err(unsignable_header(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: Option<reqwest::Body>) -> reqwest::Request {
        let mut request = reqwest::Request::new(
            reqwest::Method::POST,
            "https://dms.example.com/v2/p/instances".parse().unwrap(),
        );
        *request.body_mut() = body;
        request
    }

    #[test]
    fn a_header_that_is_not_visible_ascii_is_not_signed() {
        let key = SigningKey::new(b"secret");
        let mut bad = request(Some(reqwest::Body::from("{}")));
        bad.headers_mut()
            .insert("x-note", HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap());
        let error = signature_of(&bad, "AK", &key, None).err().unwrap();
        assert_eq!(
            error,
            "header x-note is not visible ASCII and cannot be signed"
        );
        // Reported before a streamed body is.
        let streamed = http_body_util::Full::new(bytes::Bytes::from_static(b"{}"));
        *bad.body_mut() = Some(reqwest::Body::wrap(streamed));
        let error = signature_of(&bad, "AK", &key, None).err().unwrap();
        assert_eq!(
            error,
            "header x-note is not visible ASCII and cannot be signed"
        );
        bad.headers_mut().remove("x-note");
        let error = signature_of(&bad, "AK", &key, None).err().unwrap();
        assert_eq!(error, "a streamed body cannot be signed");
        let good = request(Some(reqwest::Body::from("{}")));
        assert!(signature_of(&good, "AK", &key, None).is_ok());
    }
}
