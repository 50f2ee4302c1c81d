//! What every request goes through between the generated builder and the wire.
//!
//! progenitor calls [`ClientHooks::pre`] once a request is fully built (headers and body
//! final) and just before it is sent, and [`ClientHooks::exec`] to send it. The generator
//! runs with hooks required, so this implementation is not optional: without it the crate
//! does not compile. In order, `pre`:
//!
//! 1. removes progenitor's `api-version` header (the DMS API does not define it);
//! 2. sets `User-Agent` and, when a project is configured, `X-Project-Id`;
//! 3. authenticates: signs with AK/SK (after everything else is final, so what is signed is
//!    what is sent), or adds `X-Auth-Token`.
//!
//! `exec`, for password authentication, adds the IAM token (`X-Auth-Token`, not signed); sends
//! the request; on a 401 drops that token from the cache (only that one: another call may have
//! fetched a new one meanwhile); and reads the reply through [`super::body`]: a success body up
//! to the size limit, a 4xx/5xx body rewritten into the documented `{error_code, error_msg}`
//! shape. Failures found here (no IAM token, a body over the limit) are carried to
//! [`crate::Error`] through the returned `reqwest::Error` (see `crate::error::carry`).

use std::sync::Arc;
use std::time::SystemTime;

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue, USER_AGENT};
use url::Position;

use crate::Client;
use crate::auth::credentials::Secret;
use crate::auth::iam::TokenSource;
use crate::auth::signer::{self, SigningKey};
use crate::config::MAX_RESPONSE_BODY;
use crate::error::{Carried, carry};
use crate::transport::body;

/// The header progenitor adds to every request with the spec's `info.version`.
const API_VERSION: HeaderName = HeaderName::from_static("api-version");
/// Project of the request; signed.
pub const X_PROJECT_ID: HeaderName = HeaderName::from_static("x-project-id");
/// Security token of temporary AK/SK credentials; signed.
pub const X_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-security-token");
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

/// State the hooks work with; every [`Client`] carries one. Its `Debug` shows no secret.
/// The default sends no project header and does not authenticate.
///
/// Crate-private on purpose: progenitor's `Client::new` and `Client::new_with_client` take
/// one, so outside this crate they cannot be called (`Client::new` would build a reqwest
/// client of its own, unauthenticated, with progenitor's timeouts, and may panic for want of
/// a TLS crypto provider). Clients come from [`crate::ClientConfig::build`].
#[derive(Clone, Debug)]
pub(crate) struct HookState {
    project_id: Option<String>,
    /// `project_id` as a header value, made once (`None` when it cannot be one).
    project_header: Option<HeaderValue>,
    auth: Auth,
    max_response_body: usize,
}

impl Default for HookState {
    fn default() -> Self {
        HookState::new(None, Auth::None)
    }
}

impl HookState {
    pub(crate) fn new(project_id: Option<String>, auth: Auth) -> Self {
        let project_header = project_id
            .as_deref()
            .and_then(|id| HeaderValue::from_str(id).ok());
        HookState {
            project_id,
            project_header,
            auth,
            max_response_body: MAX_RESPONSE_BODY,
        }
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

impl ClientHooks<HookState> for Client {
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
        mut request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let iam_token = match &self.inner.auth {
            Auth::Iam(source) => {
                let token = match source.token(self.client()).await {
                    Ok(token) => token,
                    Err(e) => return Err(carry(Carried::Iam(e)).await),
                };
                match secret_header("the IAM token", &token) {
                    Ok(value) => request.headers_mut().insert(X_AUTH_TOKEN, value),
                    Err(message) => return Err(carry(Carried::Invalid(message)).await),
                };
                Some((source, token))
            }
            _ => None,
        };
        let response = self.client().execute(request).await?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED
            && let Some((source, token)) = iam_token
        {
            // A revoked token would otherwise be sent until it nears expiry. Only the token
            // this request carried is dropped: another call may have fetched a fresh one.
            source.forget(&token).await;
        }
        body::read_reply(response, self.inner.max_response_body).await
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
    let mut headers = Vec::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        let value = value
            .to_str()
            .map_err(|_| format!("header {name} is not visible ASCII and cannot be signed"))?;
        headers.push((name.as_str(), value));
    }
    let body = match request.body() {
        None => &[][..],
        Some(body) => body
            .as_bytes()
            .ok_or_else(|| "a streamed body cannot be signed".to_owned())?,
    };
    let signed = signer::sign_core(
        signer::Request {
            method: request.method().as_str(),
            host,
            path: url.path(),
            query: &query,
            body,
        },
        headers.into_iter(),
        ak,
        key,
        SystemTime::now(),
    );
    let owned_value = |name: &HeaderName, value: Vec<u8>| {
        HeaderValue::try_from(value)
            .map_err(|_| format!("{name} contains characters not allowed in an HTTP header"))
    };
    let date = signed
        .added_date
        .map(|date| owned_value(&X_SDK_DATE, date.into_bytes()))
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
