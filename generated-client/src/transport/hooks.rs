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
//! `exec` sends the request and, for 4xx/5xx replies, rewrites the body into the documented
//! `{error_code, error_msg}` shape (see [`crate::errors`]), so every error reply arrives as a
//! typed [`crate::types::ErrorBody`] with its status and headers.

use std::sync::Arc;
use std::time::SystemTime;

use percent_encoding::percent_decode_str;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue, USER_AGENT};

use crate::auth::credentials::Secret;
use crate::auth::iam::{IamError, TokenSource};
use crate::auth::signer::{self, RequestParts};
use crate::{Client, Error, errors};

/// The header progenitor adds to every request with the spec's `info.version`.
const API_VERSION: HeaderName = HeaderName::from_static("api-version");
/// Project of the request; signed.
pub const X_PROJECT_ID: HeaderName = HeaderName::from_static("x-project-id");
/// Security token of temporary AK/SK credentials; signed.
pub const X_SECURITY_TOKEN: HeaderName = HeaderName::from_static("x-security-token");
/// IAM token.
pub const X_AUTH_TOKEN: HeaderName = HeaderName::from_static("x-auth-token");

/// The `User-Agent` of this crate: `generated-client/<version>`.
pub const USER_AGENT_VALUE: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

/// How the hooks authenticate a request.
#[derive(Clone, Debug, Default)]
pub(crate) enum Auth {
    /// Send as is (local stand-ins, tests).
    #[default]
    None,
    /// Sign with SDK-HMAC-SHA256.
    AkSk {
        ak: String,
        sk: Secret,
        security_token: Option<Secret>,
    },
    /// Send a fixed token.
    Token(Secret),
    /// Fetch, cache and refresh a token from IAM.
    Iam(Arc<TokenSource>),
}

/// State the hooks work with; every [`Client`] carries one. Its `Debug` shows no secret.
/// The default sends no project header and does not authenticate.
#[derive(Clone, Debug, Default)]
pub struct HookState {
    project_id: Option<String>,
    auth: Auth,
}

impl HookState {
    pub(crate) fn new(project_id: Option<String>, auth: Auth) -> Self {
        HookState { project_id, auth }
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
    ) -> Result<(), Error<E>> {
        prepare(self, request).await.map_err(|e| match e {
            HookError::Invalid(message) => Error::InvalidRequest(message),
            HookError::Iam(e) => Error::Custom(e.to_string()),
        })
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client().execute(request).await?;
        if response.status() == reqwest::StatusCode::UNAUTHORIZED
            && let Auth::Iam(source) = &self.inner.auth
        {
            // A revoked token would otherwise be sent until it nears expiry.
            source.forget().await;
        }
        errors::normalize_error_reply(response).await
    }
}

/// Why `pre` refused a request.
enum HookError {
    /// The request cannot be sent as asked (a bad path parameter, an unsendable header).
    Invalid(String),
    /// No IAM token could be obtained.
    Iam(IamError),
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
        headers.insert(X_PROJECT_ID, header_value("the project id", project_id)?);
    }

    match &state.auth {
        Auth::None => {}
        Auth::Token(token) => {
            let value = secret_header("the IAM token", token)?;
            request.headers_mut().insert(X_AUTH_TOKEN, value);
        }
        Auth::Iam(source) => {
            let token = source
                .token(client.client())
                .await
                .map_err(HookError::Iam)?;
            let value = secret_header("the IAM token", &token)?;
            request.headers_mut().insert(X_AUTH_TOKEN, value);
        }
        Auth::AkSk {
            ak,
            sk,
            security_token,
        } => {
            if let Some(token) = security_token {
                let value = secret_header("the security token", token)?;
                request.headers_mut().insert(X_SECURITY_TOKEN, value);
            }
            sign(request, ak, sk)?;
        }
    }
    Ok(())
}

/// Signs the request as it stands and adds the signature headers.
fn sign(request: &mut reqwest::Request, ak: &str, sk: &Secret) -> HookResult<()> {
    let url = request.url();
    let host = match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => return Err("the URL has no host".into()),
    };
    // Percent-decoding only: `+` stays `+` (form decoding would read a space), as an
    // SDK-style server reads it.
    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    let query: Vec<(String, String)> = url
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect();
    let mut headers = Vec::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        let value = value
            .to_str()
            .map_err(|_| format!("header {name} is not visible ASCII and cannot be signed"))?;
        headers.push((name.as_str().to_owned(), value.to_owned()));
    }
    let body = match request.body() {
        None => &[][..],
        Some(body) => body
            .as_bytes()
            .ok_or_else(|| "a streamed body cannot be signed".to_owned())?,
    };
    let parts = RequestParts {
        method: request.method().as_str(),
        host: &host,
        path: url.path(),
        query: &query,
        headers: &headers,
        body,
    };
    let signed = signer::sign(&parts, ak, sk.expose().as_bytes(), SystemTime::now());
    for (name, value) in signed.headers {
        // from_bytes lower-cases the signer's `X-Sdk-Date` style names.
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("the signer produced an invalid header name {name:?}"))?;
        let mut value = header_value(name.as_str(), &value)?;
        if name == AUTHORIZATION {
            value.set_sensitive(true);
        }
        request.headers_mut().insert(name, value);
    }
    Ok(())
}
