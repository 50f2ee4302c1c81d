//! Project-scoped IAM tokens from a user name and password, cached and refreshed.
//!
//! `POST {iam}/auth/tokens` (the IAM base URL ends in `/v3`) with password authentication
//! scoped to the project; IAM answers 201 with the token in the `X-Subject-Token` header and
//! its expiry in `token.expires_at`. The token is reused until it is within the refresh margin
//! of its expiry, then fetched again. Concurrent calls wait for one fetch.

use std::fmt;
use std::time::{Duration, SystemTime};

use reqwest::Url;
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::Mutex;

use crate::auth::credentials::{PasswordAuth, Secret};
use crate::error::{IamError, TransportError};

/// Fetch a new token when the cached one expires within this margin (default).
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(15 * 60);

/// At most this much of an IAM reply is read (a token reply with its service catalog is far
/// smaller).
const MAX_IAM_REPLY: usize = 4 * 1024 * 1024;

#[derive(Clone)]
struct CachedToken {
    token: Secret,
    expires_at: SystemTime,
}

/// Fetches and caches the token of one user for one project.
pub(crate) struct TokenSource {
    url: Url,
    auth: PasswordAuth,
    project_id: String,
    refresh_margin: Duration,
    cached: Mutex<Option<CachedToken>>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSource")
            .field("url", &self.url.as_str())
            .field("user", &self.auth.user)
            .field("domain", &self.auth.domain)
            .field("project_id", &self.project_id)
            .field("refresh_margin", &self.refresh_margin)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// `iam_base` is the IAM base URL ending in `/v3`.
    pub(crate) fn new(
        iam_base: &Url,
        auth: PasswordAuth,
        project_id: String,
        refresh_margin: Duration,
    ) -> Self {
        let mut url = iam_base.clone();
        let path = format!("{}/auth/tokens", url.path().trim_end_matches('/'));
        url.set_path(&path);
        TokenSource {
            url,
            auth,
            project_id,
            refresh_margin,
            cached: Mutex::new(None),
        }
    }

    /// A token valid for at least the refresh margin, from the cache or fresh from IAM.
    pub(crate) async fn token(&self, http: &reqwest::Client) -> Result<Secret, IamError> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref()
            && token
                .expires_at
                .duration_since(SystemTime::now())
                .is_ok_and(|left| left > self.refresh_margin)
        {
            return Ok(token.token.clone());
        }
        let fresh = self.fetch(http).await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// Drops the cached token if it is still `refused` (the service answered 401 to it), so
    /// the next call fetches a new one. A token fetched meanwhile by another call is kept.
    pub(crate) async fn forget(&self, refused: &Secret) {
        let mut cached = self.cached.lock().await;
        if cached.as_ref().is_some_and(|c| &c.token == refused) {
            *cached = None;
        }
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<CachedToken, IamError> {
        let url = self.url.as_str().to_owned();
        let body = json!({
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": self.auth.user,
                            "password": self.auth.password.expose(),
                            "domain": { "name": self.auth.domain }
                        }
                    }
                },
                "scope": { "project": { "id": self.project_id } }
            }
        });
        let unreachable = |source| IamError::Unreachable {
            url: url.clone(),
            source: TransportError::new(source),
        };
        let response = http
            .post(self.url.clone())
            .json(&body)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let subject_token = response
            .headers()
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bad = |reason: &str| IamError::BadAnswer {
            url: url.clone(),
            reason: reason.to_owned(),
        };
        let mut response = response;
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if body.len() + chunk.len() > MAX_IAM_REPLY {
                if !status.is_success() {
                    break; // the status says enough
                }
                return Err(bad(&format!(
                    "the reply is larger than {MAX_IAM_REPLY} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8_lossy(&body);
        if !status.is_success() {
            return Err(IamError::Refused {
                url,
                user: self.auth.user.clone(),
                domain: self.auth.domain.clone(),
                status: status.as_u16(),
                message: iam_error_message(&text),
            });
        }
        let token = subject_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| bad("no X-Subject-Token header"))?;
        let parsed: TokenBody =
            serde_json::from_str(&text).map_err(|e| bad(&format!("body is not a token: {e}")))?;
        let expires_at = OffsetDateTime::parse(&parsed.token.expires_at, &Rfc3339)
            .map_err(|e| bad(&format!("expires_at {:?}: {e}", parsed.token.expires_at)))?;
        Ok(CachedToken {
            token: Secret::new(token),
            expires_at: expires_at.into(),
        })
    }
}

#[derive(Deserialize)]
struct TokenBody {
    token: TokenInfo,
}

#[derive(Deserialize)]
struct TokenInfo {
    expires_at: String,
}

/// IAM's own error message (`{"error": {"message": ...}}` or `{"error_msg": ...}`), if any.
fn iam_error_message(body: &str) -> Option<String> {
    let value = serde_json::from_str::<serde_json::Value>(body).ok()?;
    value
        .pointer("/error/message")
        .or_else(|| value.get("error_msg"))
        .and_then(|m| m.as_str())
        .map(str::to_owned)
}
