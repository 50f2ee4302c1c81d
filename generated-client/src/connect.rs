//! Building a [`Client`] for an endpoint without any path to a panic.

use std::time::Duration;

use reqwest::Url;

use crate::Client;
use crate::hooks::HookState;

/// How long to wait for a TCP + TLS connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request (connect, send, receive) may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The client could not be set up; nothing was sent.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The base URL is not an `http(s)://host[:port][/prefix]` URL.
    #[error("invalid base URL {url:?}: {reason}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client could not be built (for example, no TLS roots).
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}

impl Client {
    /// A client for the endpoint at `base_url`, e.g. `https://dms.eu-west-101.myhuaweicloud.eu`
    /// (`http://` is accepted for local testing), with [`CONNECT_TIMEOUT`] and
    /// [`REQUEST_TIMEOUT`].
    pub fn connect(base_url: &str) -> Result<Self, ConfigError> {
        let base_url = check_base_url(base_url)?;
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            // A redirect would resend the body, and headers such as X-Auth-Token, to
            // wherever it points; DMS does not redirect, so surface one as a reply instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(ConfigError::HttpClient)?;
        Ok(Client::new_with_client(
            &base_url,
            http,
            HookState::default(),
        ))
    }
}

/// Checks `url` and returns it without a trailing `/` (the generated code appends `/v2/...`).
fn check_base_url(url: &str) -> Result<String, ConfigError> {
    let invalid = |reason: &str| ConfigError::InvalidBaseUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid(
            "the scheme must be https (or http for local testing)",
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("there is no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a base URL takes no query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // Never repeat a password back, not even in an error.
        let mut shown = parsed.clone();
        let _ = shown.set_username("***");
        let _ = shown.set_password(None);
        return Err(ConfigError::InvalidBaseUrl {
            url: shown.to_string(),
            reason: "credentials do not belong in the URL".to_owned(),
        });
    }
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_trimmed() {
        assert_eq!(
            check_base_url("https://dms.eu-de.otc.t-systems.com/").unwrap(),
            "https://dms.eu-de.otc.t-systems.com"
        );
        assert_eq!(
            check_base_url("http://127.0.0.1:8080/prefix/").unwrap(),
            "http://127.0.0.1:8080/prefix"
        );
        for (bad, why) in [
            ("dms.eu-de.otc.t-systems.com", "relative URL without a base"),
            ("ftp://example.test", "scheme must be https"),
            ("https://example.test/?a=1", "no query or fragment"),
        ] {
            let message = check_base_url(bad).unwrap_err().to_string();
            assert!(message.contains(why), "{bad}: {message}");
            assert!(message.contains(bad), "{bad}: {message}");
        }
        let message = check_base_url("https://user:s3cret@example.test")
            .unwrap_err()
            .to_string();
        assert!(message.contains("credentials do not belong"), "{message}");
        assert!(
            !message.contains("s3cret") && !message.contains("user"),
            "{message}"
        );
    }
}
