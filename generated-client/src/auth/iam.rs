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

/// Fetch a new token when the cached one expires within this margin (default).
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(15 * 60);

/// Getting a token from IAM failed.
#[derive(Debug, thiserror::Error)]
pub enum IamError {
    /// IAM could not be reached or did not answer in time.
    #[error("cannot reach IAM at {url}: {source}")]
    Unreachable {
        /// The token URL.
        url: String,
        /// What reqwest said.
        #[source]
        source: reqwest::Error,
    },
    /// IAM answered with an error status (401: wrong user, password or domain).
    #[error(
        "IAM at {url} refused the password authentication of user {user:?} in domain {domain:?}: HTTP {status}{detail}"
    )]
    Refused {
        /// The token URL.
        url: String,
        /// The user name (not secret).
        user: String,
        /// The domain name (not secret).
        domain: String,
        /// IAM's status.
        status: u16,
        /// IAM's error message, if it sent one, prefixed with ": ".
        detail: String,
    },
    /// IAM answered 2xx but without a usable token.
    #[error("IAM at {url} answered without a usable token: {reason}")]
    BadAnswer {
        /// The token URL.
        url: String,
        /// What was missing.
        reason: String,
    },
}

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

    /// Drops the cached token (the service refused it), so the next call fetches a new one.
    pub(crate) async fn forget(&self) {
        *self.cached.lock().await = None;
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
            source,
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
        let text = response.text().await.map_err(unreachable)?;
        if !status.is_success() {
            return Err(IamError::Refused {
                url,
                user: self.auth.user.clone(),
                domain: self.auth.domain.clone(),
                status: status.as_u16(),
                detail: iam_error_detail(&text),
            });
        }
        let bad = |reason: &str| IamError::BadAnswer {
            url: url.clone(),
            reason: reason.to_owned(),
        };
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
fn iam_error_detail(body: &str) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(body) else {
        return String::new();
    };
    let message = value
        .pointer("/error/message")
        .or_else(|| value.get("error_msg"))
        .and_then(|m| m.as_str());
    match message {
        Some(m) => format!(": {m}"),
        None => String::new(),
    }
}
