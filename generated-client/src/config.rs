//! Building a [`Client`]: credentials, project, region or endpoint, timeouts. Everything is
//! checked here, before any network traffic, and nothing here can panic.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

use crate::Client;
use crate::auth::credentials::{Credentials, Secret};
use crate::auth::iam::{DEFAULT_REFRESH_MARGIN, TokenSource};
use crate::auth::signer::SigningKey;
use crate::regions::{Region, UnknownRegion};
use crate::transport::hooks::{Auth, HookState};

/// How long to wait for a TCP + TLS connection (default).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request (connect, send, receive) may take (default).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Environment variable of the access key (official SDK name).
pub const ENV_AK: &str = "HUAWEICLOUD_SDK_AK";
/// Environment variable of the secret key (official SDK name).
pub const ENV_SK: &str = "HUAWEICLOUD_SDK_SK";
/// Environment variable of the project id (official SDK name).
pub const ENV_PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// Environment variable of the security token of temporary credentials (official SDK name).
pub const ENV_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";

/// The client could not be set up; nothing was sent.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No credentials were given (and the environment had none).
    #[error("no credentials: set {ENV_AK} and {ENV_SK} (or give Credentials to ClientConfig)")]
    MissingCredentials,
    /// A credential field is empty.
    #[error("the {0} is empty")]
    EmptyCredential(&'static str),
    /// No project id was given.
    #[error("no project id: set {ENV_PROJECT_ID} (or call ClientConfig::project_id)")]
    MissingProjectId,
    /// The project id is empty or cannot be sent in a header.
    #[error("invalid project id {0:?}: it must be non-empty visible ASCII")]
    InvalidProjectId(String),
    /// Neither a region nor an endpoint was given.
    #[error("no endpoint: choose a region (ClientConfig::region) or give an endpoint URL")]
    MissingEndpoint,
    /// The region id is not known.
    #[error(transparent)]
    UnknownRegion(#[from] UnknownRegion),
    /// A base URL is not an `http(s)://host[:port][/prefix]` URL.
    #[error("invalid {what} URL {url:?}: {reason}")]
    InvalidUrl {
        /// Which URL (`endpoint` or `IAM`).
        what: &'static str,
        /// The URL as given, with any user info replaced by `***`.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Password authentication with a custom endpoint needs the IAM endpoint too.
    #[error(
        "password authentication needs an IAM endpoint: choose a region or call ClientConfig::iam_endpoint"
    )]
    MissingIamEndpoint,
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}

/// Settings for a [`Client`]; [`ClientConfig::build`] checks them all.
///
/// ```no_run
/// use generated_client::{ClientConfig, Credentials};
/// # fn run() -> Result<(), generated_client::ConfigError> {
/// let client = ClientConfig::new()
///     .credentials(Credentials::ak_sk("my-ak", "my-sk"))
///     .project_id("my-project-id")
///     .region("eu-de")
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ClientConfig {
    credentials: Option<Credentials>,
    project_id: Option<String>,
    region: Option<String>,
    endpoint: Option<String>,
    iam_endpoint: Option<String>,
    connect_timeout: Duration,
    request_timeout: Duration,
    token_refresh_margin: Duration,
}

impl fmt::Debug for ClientConfig {
    /// Secrets show as `***`, and so does user info in the endpoint URLs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = |url: &Option<String>| url.as_deref().map(shown_url);
        f.debug_struct("ClientConfig")
            .field("credentials", &self.credentials)
            .field("project_id", &self.project_id)
            .field("region", &self.region)
            .field("endpoint", &url(&self.endpoint))
            .field("iam_endpoint", &url(&self.iam_endpoint))
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("token_refresh_margin", &self.token_refresh_margin)
            .finish()
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            credentials: None,
            project_id: None,
            region: None,
            endpoint: None,
            iam_endpoint: None,
            connect_timeout: CONNECT_TIMEOUT,
            request_timeout: REQUEST_TIMEOUT,
            token_refresh_margin: DEFAULT_REFRESH_MARGIN,
        }
    }
}

impl ClientConfig {
    /// Empty settings with the default timeouts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Settings from the official SDKs' environment variables: [`ENV_AK`] + [`ENV_SK`]
    /// (+ [`ENV_SECURITY_TOKEN`]) and [`ENV_PROJECT_ID`]. Unset or empty variables are left out.
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Like [`ClientConfig::from_env`], reading variables through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let mut config = Self::new();
        if let (Some(ak), Some(sk)) = (var(ENV_AK), var(ENV_SK)) {
            config.credentials = Some(Credentials::AkSk {
                ak,
                sk: Secret::new(sk),
                security_token: var(ENV_SECURITY_TOKEN).map(Secret::new),
            });
        }
        config.project_id = var(ENV_PROJECT_ID);
        config
    }

    /// How requests are authenticated.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The project every request is for (sent, and signed, as `X-Project-Id`).
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// A region from [`crate::regions::REGIONS`], e.g. `eu-west-101` or `eu-de`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// A base URL for the DMS API; wins over the region. `http://` is accepted for local
    /// testing.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The IAM base URL (ending in `/v3`) for password authentication; defaults to the
    /// region's.
    pub fn iam_endpoint(mut self, url: impl Into<String>) -> Self {
        self.iam_endpoint = Some(url.into());
        self
    }

    /// Time allowed to connect (default [`CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole request (default [`REQUEST_TIMEOUT`]).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// With password authentication, fetch a new token when the cached one expires within
    /// this margin (default 15 minutes).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = margin;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(&self) -> Result<Client, ConfigError> {
        let credentials = self
            .credentials
            .clone()
            .ok_or(ConfigError::MissingCredentials)?;
        if let Some(field) = credentials.empty_field() {
            return Err(ConfigError::EmptyCredential(field));
        }
        let project_id = self
            .project_id
            .clone()
            .ok_or(ConfigError::MissingProjectId)?;
        if project_id.trim().is_empty() || !project_id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConfigError::InvalidProjectId(project_id));
        }
        let region = match &self.region {
            Some(id) => Some(Region::from_id(id)?),
            None => None,
        };
        let endpoint = match (&self.endpoint, region) {
            (Some(url), _) => check_base_url("endpoint", url)?,
            (None, Some(region)) => check_base_url("endpoint", region.endpoint)?,
            (None, None) => return Err(ConfigError::MissingEndpoint),
        };
        let auth = match credentials {
            Credentials::AkSk {
                ak,
                sk,
                security_token,
            } => Auth::AkSk {
                ak,
                key: SigningKey::new(sk.expose().as_bytes()),
                security_token,
            },
            Credentials::Token(token) => Auth::Token(token),
            Credentials::Password(password) => {
                let iam = match (&self.iam_endpoint, region) {
                    (Some(url), _) => url.as_str(),
                    (None, Some(region)) => region.iam_endpoint,
                    (None, None) => return Err(ConfigError::MissingIamEndpoint),
                };
                let iam = Url::parse(&check_base_url("IAM", iam)?).map_err(|e| {
                    ConfigError::InvalidUrl {
                        what: "IAM",
                        url: shown_url(iam),
                        reason: e.to_string(),
                    }
                })?;
                Auth::Iam(Arc::new(TokenSource::new(
                    &iam,
                    password,
                    project_id.clone(),
                    self.token_refresh_margin,
                )))
            }
        };
        let http = http_client(self.connect_timeout, self.request_timeout)?;
        Ok(Client::new_with_client(
            &endpoint,
            http,
            HookState::new(Some(project_id), auth),
        ))
    }
}

fn http_client(connect: Duration, request: Duration) -> Result<reqwest::Client, ConfigError> {
    reqwest::Client::builder()
        .connect_timeout(connect)
        .timeout(request)
        // A redirect would resend the body, and headers such as X-Auth-Token, to wherever
        // it points; DMS does not redirect, so surface one as a reply instead.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(ConfigError::HttpClient)
}

impl Client {
    /// An unauthenticated client for the endpoint at `base_url`, for local stand-ins and
    /// tests; use [`ClientConfig`] for the real service.
    pub fn connect(base_url: &str) -> Result<Self, ConfigError> {
        let base_url = check_base_url("endpoint", base_url)?;
        let http = http_client(CONNECT_TIMEOUT, REQUEST_TIMEOUT)?;
        Ok(Client::new_with_client(
            &base_url,
            http,
            HookState::default(),
        ))
    }

    /// The project id this client was configured with, if any.
    pub fn project_id(&self) -> Option<&str> {
        self.inner.project_id()
    }
}

/// `url` for messages and `Debug`: user info (which may hold a password) replaced by `***`.
/// A URL that does not parse, or has no authority (`user:password@host` parses as scheme
/// `user`), loses everything up to its last `@`.
fn shown_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if !parsed.cannot_be_a_base() => {
            if parsed.username().is_empty() && parsed.password().is_none() {
                return url.to_owned();
            }
            let _ = parsed.set_username("***");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => {
            let start = url.find("://").map_or(0, |i| i + 3);
            match url[start..].rfind('@') {
                Some(at) => format!("{}***{}", &url[..start], &url[start + at..]),
                None => url.to_owned(),
            }
        }
    }
}

/// Checks `url` and returns it without a trailing `/` (the generated code appends `/v2/...`).
fn check_base_url(what: &'static str, url: &str) -> Result<String, ConfigError> {
    // Never repeat a password back, not even in an error.
    let invalid = |reason: &str| ConfigError::InvalidUrl {
        what,
        url: shown_url(url),
        reason: reason.to_owned(),
    };
    let parsed = Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("credentials do not belong in the URL"));
    }
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
    Ok(parsed.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_and_trimmed() {
        assert_eq!(
            check_base_url("endpoint", "https://dms.eu-de.otc.t-systems.com/").unwrap(),
            "https://dms.eu-de.otc.t-systems.com"
        );
        assert_eq!(
            check_base_url("endpoint", "http://127.0.0.1:8080/prefix/").unwrap(),
            "http://127.0.0.1:8080/prefix"
        );
        for (bad, why) in [
            ("dms.eu-de.otc.t-systems.com", "relative URL without a base"),
            ("ftp://example.test", "scheme must be https"),
            ("https://example.test/?a=1", "no query or fragment"),
        ] {
            let message = check_base_url("endpoint", bad).unwrap_err().to_string();
            assert!(message.contains(why), "{bad}: {message}");
            assert!(message.contains(bad), "{bad}: {message}");
        }
        let message = check_base_url("endpoint", "https://user:s3cret@example.test")
            .unwrap_err()
            .to_string();
        assert!(message.contains("credentials do not belong"), "{message}");
        assert!(
            !message.contains("s3cret") && !message.contains("user"),
            "{message}"
        );
    }

    #[test]
    fn user_info_is_hidden_even_in_urls_that_do_not_parse() {
        for (url, shown) in [
            (
                "https://dms.example.test/a@b",
                "https://dms.example.test/a@b",
            ),
            (
                "https://u:s3cret@dms.example.test",
                "https://***@dms.example.test/",
            ),
            (
                "https://u:s3cret@dms example.test",
                "https://***@dms example.test",
            ),
            (
                "https://u:s3/cret@dms.example.test",
                "https://***@dms.example.test",
            ),
            ("u:s3cret@dms.example.test", "***@dms.example.test"),
            ("dms.example.test", "dms.example.test"),
        ] {
            assert_eq!(shown_url(url), shown, "{url}");
        }
    }
}
