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

use std::borrow::Cow;

use percent_encoding::percent_decode_str;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue, USER_AGENT};
use url::Position;

use crate::auth::credentials::Secret;
use crate::auth::iam::{IamError, TokenSource};
use crate::auth::signer::{self, SigningKey};
use crate::{Client, Error, errors};

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
#[derive(Clone, Debug, Default)]
pub struct HookState {
    project_id: Option<String>,
    /// `project_id` as a header value, made once (`None` when it cannot be one).
    project_header: Option<HeaderValue>,
    auth: Auth,
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
        }
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
