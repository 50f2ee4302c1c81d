//! Building a [`Client`]: credentials, project, region or endpoint, timeouts, the HTTP client.
//! Everything is checked here, before any network traffic, and nothing here can panic.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use url::Host;

use crate::Client;
use crate::auth::credentials::{Credentials, Secret};
use crate::auth::iam::{DEFAULT_REFRESH_MARGIN, TokenSource};
use crate::auth::signer::SigningKey;
use crate::checked::PathSegment;
use crate::regions::{Region, UnknownRegion};
use crate::transport::hooks::{Auth, ClientContext};
use crate::transport::http::{HAS_TLS, TlsSetupError};
use crate::transport::retry::RetryPolicy;
use crate::wait::WaitOptions;

pub use crate::transport::body::MAX_RESPONSE_BODY;
pub use crate::transport::http::{CONNECT_TIMEOUT, REQUEST_TIMEOUT};

/// Environment variable of the access key (official SDK name).
pub const ENV_AK: &str = "HUAWEICLOUD_SDK_AK";
/// Environment variable of the secret key (official SDK name).
pub const ENV_SK: &str = "HUAWEICLOUD_SDK_SK";
/// Environment variable of the project id (official SDK name).
pub const ENV_PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// Environment variable of the security token of temporary credentials (official SDK name).
pub const ENV_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// Environment variable of the region id (official SDK name), e.g. `eu-west-101`.
pub const ENV_REGION_ID: &str = "HUAWEICLOUD_SDK_REGION_ID";
/// Prefix of the official SDKs' per-service endpoint variables: the DMS for Kafka endpoint of
/// region `eu-west-101` is read from `HUAWEICLOUD_SDK_REGION_KAFKA_EU_WEST_101` (upper case,
/// `-` as `_`; of a comma-separated list, the first).
pub const ENV_ENDPOINT_PREFIX: &str = "HUAWEICLOUD_SDK_REGION_KAFKA_";
/// Environment variable of the IAM endpoint (official SDK name), e.g.
/// `https://iam.eu-west-101.myhuaweicloud.eu` (`/v3` is added when the URL has no path).
pub const ENV_IAM_ENDPOINT: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";
/// Environment variable of the region id, this crate's name (same as [`ENV_REGION_ID`]).
pub const ENV_DMS_REGION: &str = "DMS_REGION";
/// Environment variable of a full DMS base URL (this crate's name; no official one exists);
/// wins over the region.
pub const ENV_DMS_ENDPOINT: &str = "DMS_ENDPOINT";
/// Environment variable of a ready IAM token (this crate's name); wins over AK/SK.
pub const ENV_DMS_AUTH_TOKEN: &str = "DMS_AUTH_TOKEN";

/// The client could not be set up; nothing was sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No credentials were given (and the environment had none).
    #[error(
        "no credentials: set {ENV_AK} and {ENV_SK} (or {ENV_DMS_AUTH_TOKEN}), or give Credentials to ClientConfig"
    )]
    MissingCredentials,
    /// A credential field is empty.
    #[error("the {0} is empty")]
    EmptyCredential(&'static str),
    /// No project id was given.
    #[error("no project id: set {ENV_PROJECT_ID} (or call ClientConfig::project_id)")]
    MissingProjectId,
    /// The project id cannot be sent: not one path segment, or not visible ASCII (it is also
    /// the `X-Project-Id` header).
    #[error("invalid project id {project_id:?}: {reason}")]
    #[non_exhaustive]
    InvalidProjectId {
        /// The project id as given.
        project_id: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// Neither a region nor an endpoint was given.
    #[error(
        "no endpoint: choose a region (ClientConfig::region, {ENV_REGION_ID}) or give an endpoint URL (ClientConfig::endpoint, {ENV_DMS_ENDPOINT})"
    )]
    MissingEndpoint,
    /// The region id is not known.
    #[error(transparent)]
    UnknownRegion(#[from] UnknownRegion),
    /// A base URL is not an `http(s)://host[:port][/prefix]` URL.
    #[error("invalid {what} URL {url:?}: {reason}")]
    #[non_exhaustive]
    InvalidUrl {
        /// Which URL (`endpoint` or `IAM`).
        what: &'static str,
        /// The URL as given, with any user info replaced by `***`.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An `http://` URL for a host that is not loopback: credentials and tokens would cross the
    /// network in clear text. Use `https://`, or opt in with
    /// [`ClientConfig::danger_allow_insecure_http`].
    #[error(
        "refusing plain http:// to {what} URL {url:?}: credentials and tokens would cross the network unencrypted; use https:// (http:// is accepted for loopback hosts only, unless ClientConfig::danger_allow_insecure_http(true))"
    )]
    #[non_exhaustive]
    InsecureHttp {
        /// Which URL (`endpoint` or `IAM`).
        what: &'static str,
        /// The URL as given.
        url: String,
    },
    /// An `https://` URL, but this build has no TLS (none of the features `rustls-ring`,
    /// `aws-lc-rs`, `native-tls`).
    #[error(
        "{what} URL {url:?} needs TLS, but generated-client was built without a TLS feature (rustls-ring, aws-lc-rs or native-tls)"
    )]
    #[non_exhaustive]
    NoTls {
        /// Which URL (`endpoint` or `IAM`).
        what: &'static str,
        /// The URL as given.
        url: String,
    },
    /// Password authentication with a custom endpoint needs the IAM endpoint too.
    #[error(
        "password authentication needs an IAM endpoint: choose a region or call ClientConfig::iam_endpoint ({ENV_IAM_ENDPOINT})"
    )]
    MissingIamEndpoint,
    /// Two environment variables for the same setting disagree.
    #[error("{first}={first_value:?} and {second}={second_value:?} disagree; set one of them")]
    #[non_exhaustive]
    ConflictingEnv {
        /// The first variable's name.
        first: &'static str,
        /// Its value.
        first_value: String,
        /// The second variable's name.
        second: &'static str,
        /// Its value.
        second_value: String,
    },
    /// The TLS set-up failed (e.g. the platform certificate verifier).
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    HttpClient(#[source] reqwest::Error),
}

/// Where the `reqwest::Client` comes from.
#[derive(Clone, Default)]
enum HttpSetup {
    /// Built from [`base_builder`] with the configured timeouts.
    #[default]
    Default,
    /// The caller's, used as it is.
    Client(reqwest::Client),
    /// [`base_builder`], then the caller's changes.
    Customize(Arc<CustomizeHttp>),
}

type CustomizeHttp = dyn Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync;

impl fmt::Debug for HttpSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HttpSetup::Default => "default",
            HttpSetup::Client(_) => "the caller's reqwest::Client",
            HttpSetup::Customize(_) => "default, customized",
        })
    }
}

/// Settings for a [`Client`]; [`ClientConfig::build`] checks them all, before any traffic.
///
/// ```
/// use generated_client::{ClientConfig, Credentials};
/// # fn run() -> Result<(), generated_client::ConfigError> {
/// let client = ClientConfig::new()
///     .credentials(Credentials::ak_sk("my-ak", "my-sk"))
///     .project_id("my-project-id")
///     .region("eu-de")
///     .build()?;
/// assert_eq!(client.project_id(), Some("my-project-id"));
/// # Ok(()) }
/// # run().unwrap();
/// ```
///
/// # Endpoints, timeouts and limits
///
/// - The endpoint is the region's ([`ClientConfig::region`], any id of [`crate::REGIONS`]:
///   Huawei Cloud's regions and T Cloud Public's `eu-de` and `eu-nl`), or any base URL
///   ([`ClientConfig::endpoint`], which wins). An unknown region id is an error listing the
///   known ones.
/// - `http://` is accepted only for loopback hosts (`127.0.0.0/8`, `::1`, `localhost`,
///   `*.localhost`), for DMS and IAM alike: anywhere else passwords, tokens and signed
///   requests would cross the network in clear text ([`ConfigError::InsecureHttp`], unless
///   [`ClientConfig::danger_allow_insecure_http`]).
/// - Password authentication asks the region's IAM (T Cloud Public:
///   `iam.{region}.otc.t-systems.com/v3`; Huawei Cloud: the `iam.` host beside the region's
///   `dms.` host), or [`ClientConfig::iam_endpoint`].
/// - 10 s to connect, 60 s per request ([`ClientConfig::connect_timeout`],
///   [`ClientConfig::request_timeout`]); redirects are not followed.
/// - A success reply is read up to [`MAX_RESPONSE_BODY`] (1 MiB,
///   [`ClientConfig::max_response_body`]); a larger one is [`crate::Error::ResponseTooLarge`]
///   and is not read further. Error replies are cut at [`crate::MAX_ERROR_BODY`] (64 KiB),
///   keeping status, code and request id.
/// - The project id must be one path segment (not empty, `.`, `..`, nothing with `\`) of
///   visible ASCII: it is also the `X-Project-Id` header.
///
/// Settings problems are [`ConfigError`]s:
///
/// ```
/// use generated_client::{ClientConfig, ConfigError, Credentials};
///
/// let error = ClientConfig::new()
///     .credentials(Credentials::ak_sk("my-ak", "my-sk"))
///     .project_id("..")
///     .region("eu-de")
///     .build()
///     .unwrap_err();
/// assert!(matches!(error, ConfigError::InvalidProjectId { .. }));
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
    max_response_body: usize,
    allow_insecure_http: bool,
    retry: RetryPolicy,
    wait: WaitOptions,
    http: HttpSetup,
    env_conflict: Option<(&'static str, String, &'static str, String)>,
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
            .field("max_response_body", &self.max_response_body)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("retry", &self.retry)
            .field("wait", &self.wait)
            .field("http", &self.http)
            .finish_non_exhaustive()
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
            max_response_body: MAX_RESPONSE_BODY,
            allow_insecure_http: false,
            retry: RetryPolicy::default(),
            wait: WaitOptions::default(),
            http: HttpSetup::Default,
            env_conflict: None,
        }
    }
}

impl ClientConfig {
    /// Empty settings with the default timeouts.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Settings from the environment. Unset or empty variables are left out; call setters
    /// afterwards to override what was read.
    ///
    /// | setting | variables (first found wins) |
    /// | --- | --- |
    /// | credentials | [`ENV_DMS_AUTH_TOKEN`] (an IAM token); else [`ENV_AK`] + [`ENV_SK`] (+ [`ENV_SECURITY_TOKEN`]) |
    /// | project | [`ENV_PROJECT_ID`] |
    /// | region | [`ENV_REGION_ID`] or [`ENV_DMS_REGION`] (both set and different: an error in `build()`) |
    /// | endpoint | [`ENV_DMS_ENDPOINT`]; else `HUAWEICLOUD_SDK_REGION_KAFKA_{REGION}` ([`ENV_ENDPOINT_PREFIX`]) for the region |
    /// | IAM endpoint | [`ENV_IAM_ENDPOINT`] |
    ///
    /// The `HUAWEICLOUD_SDK_*` names are the official SDKs'; the `DMS_*` ones are this crate's,
    /// where the official SDKs have none.
    #[must_use]
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Like [`ClientConfig::from_env`], reading variables through `var`.
    ///
    /// ```
    /// use generated_client::ClientConfig;
    ///
    /// let vars = [
    ///     ("HUAWEICLOUD_SDK_AK", "my-ak"),
    ///     ("HUAWEICLOUD_SDK_SK", "my-sk"),
    ///     ("HUAWEICLOUD_SDK_PROJECT_ID", "my-project"),
    ///     ("HUAWEICLOUD_SDK_REGION_ID", "eu-de"),
    /// ];
    /// let config = ClientConfig::from_vars(|name| {
    ///     vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string())
    /// });
    /// let client = config.build()?;
    /// assert_eq!(client.project_id(), Some("my-project"));
    /// # Ok::<(), generated_client::ConfigError>(())
    /// ```
    #[must_use]
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let mut config = Self::new();
        if let Some(token) = var(ENV_DMS_AUTH_TOKEN) {
            config.credentials = Some(Credentials::Token(Secret::new(token)));
        } else if let (Some(ak), Some(sk)) = (var(ENV_AK), var(ENV_SK)) {
            config.credentials = Some(Credentials::AkSk {
                ak,
                sk: Secret::new(sk),
                security_token: var(ENV_SECURITY_TOKEN).map(Secret::new),
            });
        }
        config.project_id = var(ENV_PROJECT_ID);
        config.region = match (var(ENV_REGION_ID), var(ENV_DMS_REGION)) {
            (Some(official), Some(ours)) => {
                if !official.trim().eq_ignore_ascii_case(ours.trim()) {
                    config.env_conflict =
                        Some((ENV_REGION_ID, official.clone(), ENV_DMS_REGION, ours));
                }
                Some(official)
            }
            (official, ours) => official.or(ours),
        };
        config.endpoint = var(ENV_DMS_ENDPOINT).or_else(|| {
            let region = config.region.as_deref()?;
            let name = format!(
                "{ENV_ENDPOINT_PREFIX}{}",
                region.trim().to_ascii_uppercase().replace('-', "_")
            );
            let list = var(&name)?;
            list.split(',')
                .map(str::trim)
                .find(|url| !url.is_empty())
                .map(str::to_owned)
        });
        config.iam_endpoint = var(ENV_IAM_ENDPOINT);
        config
    }

    /// How requests are authenticated.
    #[must_use]
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The project every request is for (sent, and signed, as `X-Project-Id`, and used as the
    /// `{project_id}` path segment).
    #[must_use]
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = Some(project_id.into());
        self
    }

    /// A region from [`crate::REGIONS`], e.g. `eu-west-101` or `eu-de`.
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// A base URL for the DMS API; wins over the region. `https://`, or `http://` for a
    /// loopback host (see [`ClientConfig::danger_allow_insecure_http`]).
    #[must_use]
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// The IAM base URL for password authentication (`https://iam.example/v3`; a URL without a
    /// path gets `/v3`); defaults to the region's.
    #[must_use]
    pub fn iam_endpoint(mut self, url: impl Into<String>) -> Self {
        self.iam_endpoint = Some(url.into());
        self
    }

    /// Time allowed to connect (default [`CONNECT_TIMEOUT`]). Not applied to a client given
    /// with [`ClientConfig::http_client`].
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole request (default [`REQUEST_TIMEOUT`]). Not applied to a
    /// client given with [`ClientConfig::http_client`].
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// With password authentication, fetch a new token when the cached one expires within
    /// this margin (default 15 minutes).
    #[must_use]
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_refresh_margin = margin;
        self
    }

    /// The largest success reply body to read, in bytes (default [`MAX_RESPONSE_BODY`]); a
    /// larger one fails the call with [`crate::Error::ResponseTooLarge`].
    #[must_use]
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Accept `http://` endpoints for any host, not just loopback ones. Everything, including
    /// IAM passwords and tokens, then crosses the network in clear text: only for test set-ups
    /// on networks you trust.
    #[must_use]
    pub fn danger_allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Send through this `reqwest::Client` (proxies, custom CAs, connection pools, your own
    /// timeouts); requests are still signed or carry the token. The client is used as it is:
    /// the timeouts of this config do not apply, and it should not follow redirects (the
    /// default builder's `redirect::Policy::none()`). Start from
    /// [`crate::http_client_builder`] to keep this crate's TLS set-up.
    ///
    /// CAs with the default `rustls-ring` feature: the platform verifier reads the system's
    /// store (on Linux also `SSL_CERT_FILE`/`SSL_CERT_DIR`); for a CA in code, hand reqwest your
    /// own `rustls::ClientConfig` (`ClientBuilder::tls_backend_preconfigured`), or use the
    /// `aws-lc-rs` or `native-tls` feature, where `add_root_certificate` applies.
    ///
    /// ```
    /// use generated_client::{ClientConfig, Credentials};
    ///
    /// let http = generated_client::http_client_builder()?
    ///     .proxy(reqwest::Proxy::https("http://proxy.internal:3128")?)
    ///     .build()?;
    /// let client = ClientConfig::new()
    ///     .credentials(Credentials::ak_sk("my-ak", "my-sk"))
    ///     .project_id("my-project-id")
    ///     .region("eu-de")
    ///     .http_client(http)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = HttpSetup::Client(client);
        self
    }

    /// Adjust the `reqwest::ClientBuilder` this config would use (TLS, timeouts and redirect
    /// policy already set) before it is built, e.g. to add a proxy.
    ///
    /// ```
    /// use generated_client::{ClientConfig, Credentials};
    ///
    /// let proxy = reqwest::Proxy::all("http://proxy.internal:3128")?;
    /// let client = ClientConfig::new()
    ///     .credentials(Credentials::ak_sk("my-ak", "my-sk"))
    ///     .project_id("my-project-id")
    ///     .region("eu-de")
    ///     .customize_http(move |builder| builder.proxy(proxy.clone()))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn customize_http(
        mut self,
        customize: impl Fn(reqwest::ClientBuilder) -> reqwest::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.http = HttpSetup::Customize(Arc::new(customize));
        self
    }

    /// How failed requests are retried (default [`RetryPolicy::default`];
    /// [`RetryPolicy::never`] sends every request once). See the crate docs' "Retries" table.
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How this client's waits poll ([`Client::wait_for_job`](crate::Client::wait_for_job),
    /// [`Client::wait_for_instance`](crate::Client::wait_for_instance), `send_and_wait`) unless
    /// a call sets its own (default [`WaitOptions::default`]: first look after 1 s, doubling
    /// up to 15 s, for at most 30 minutes).
    #[must_use]
    pub fn wait_options(mut self, options: WaitOptions) -> Self {
        self.wait = options;
        self
    }

    /// Checks the settings and builds the client. Sends nothing.
    pub fn build(&self) -> Result<Client, ConfigError> {
        if let Some((first, first_value, second, second_value)) = &self.env_conflict {
            return Err(ConfigError::ConflictingEnv {
                first,
                first_value: first_value.clone(),
                second,
                second_value: second_value.clone(),
            });
        }
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
        check_project_id(&project_id)?;
        let region = match &self.region {
            Some(id) => Some(Region::from_id(id)?),
            None => None,
        };
        let allow_http = self.allow_insecure_http;
        let endpoint = match (&self.endpoint, region) {
            (Some(url), _) => check_base_url("endpoint", url, allow_http)?,
            (None, Some(region)) => check_base_url("endpoint", region.endpoint, allow_http)?,
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
                let checked = check_base_url("IAM", iam, allow_http)?;
                let mut iam_url = Url::parse(&checked).map_err(|e| ConfigError::InvalidUrl {
                    what: "IAM",
                    url: shown_url(iam),
                    reason: e.to_string(),
                })?;
                if iam_url.path() == "/" {
                    iam_url.set_path("/v3");
                }
                Auth::Iam(Arc::new(TokenSource::new(
                    &iam_url,
                    password,
                    project_id.clone(),
                    self.token_refresh_margin,
                )))
            }
        };
        let http = match &self.http {
            HttpSetup::Client(client) => client.clone(),
            HttpSetup::Default => base_builder(self.connect_timeout, self.request_timeout)?
                .build()
                .map_err(ConfigError::HttpClient)?,
            HttpSetup::Customize(customize) => {
                customize(base_builder(self.connect_timeout, self.request_timeout)?)
                    .build()
                    .map_err(ConfigError::HttpClient)?
            }
        };
        let state = ClientContext::new(Some(project_id), auth)
            .with_max_response_body(self.max_response_body)
            .with_retry(self.retry.clone())
            .with_wait(self.wait.clone());
        Ok(Client::new(&endpoint, http, state))
    }
}

/// A `reqwest::ClientBuilder` set up like the one [`ClientConfig::build`] uses: the TLS stack
/// of the enabled feature, [`CONNECT_TIMEOUT`], [`REQUEST_TIMEOUT`] and no redirects.
///
/// Start from this when you build your own `reqwest::Client` for
/// [`ClientConfig::http_client`]: with the default `rustls-ring` feature a plain
/// `reqwest::Client::builder().build()` finds no rustls crypto provider (unless your program
/// installed one) and reqwest panics, while this builder already carries one.
///
/// ```
/// let http = generated_client::http_client_builder()?
///     .pool_max_idle_per_host(4)
///     .build()?;
/// # let _ = http;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, ConfigError> {
    base_builder(CONNECT_TIMEOUT, REQUEST_TIMEOUT)
}

/// [`http_client_builder`] with the given timeouts.
fn base_builder(
    connect: Duration,
    request: Duration,
) -> Result<reqwest::ClientBuilder, ConfigError> {
    crate::transport::http::base_builder(connect, request)
        .map_err(|TlsSetupError(reason)| ConfigError::Tls(reason))
}

/// The project id goes in the path (one segment) and in the `X-Project-Id` header.
fn check_project_id(project_id: &str) -> Result<(), ConfigError> {
    let invalid = |reason: String| ConfigError::InvalidProjectId {
        project_id: project_id.to_owned(),
        reason,
    };
    if project_id.trim().is_empty() {
        return Err(invalid("it is empty".into()));
    }
    PathSegment::new(project_id).map_err(|e| invalid(e.to_string()))?;
    if !project_id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(invalid(
            "it must be visible ASCII (it is sent as the X-Project-Id header)".into(),
        ));
    }
    Ok(())
}

impl Client {
    /// An unauthenticated client for the endpoint at `base_url`, for local stand-ins and
    /// tests; use [`ClientConfig`] for the real service. `http://` only for loopback hosts.
    pub fn connect(base_url: &str) -> Result<Self, ConfigError> {
        let base_url = check_base_url("endpoint", base_url, false)?;
        let http = base_builder(CONNECT_TIMEOUT, REQUEST_TIMEOUT)?
            .build()
            .map_err(ConfigError::HttpClient)?;
        Ok(Client::new(&base_url, http, ClientContext::default()))
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

/// Whether `host` is this machine: `127.0.0.0/8`, `::1`, `localhost` or `*.localhost`.
fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}

/// Checks `url` and returns it without a trailing `/` (the generated code appends `/v2/...`).
fn check_base_url(
    what: &'static str,
    url: &str,
    allow_insecure_http: bool,
) -> Result<String, ConfigError> {
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
            "the scheme must be https (or http for a loopback host)",
        ));
    }
    let Some(host) = parsed.host().filter(|h| !matches!(h, Host::Domain(""))) else {
        return Err(invalid("there is no host"));
    };
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a base URL takes no query or fragment"));
    }
    if parsed.scheme() == "http" && !allow_insecure_http && !is_loopback(&host) {
        return Err(ConfigError::InsecureHttp {
            what,
            url: url.to_owned(),
        });
    }
    if parsed.scheme() == "https" && !HAS_TLS {
        return Err(ConfigError::NoTls {
            what,
            url: url.to_owned(),
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
            check_base_url("endpoint", "https://dms.eu-de.otc.t-systems.com/", false).unwrap(),
            "https://dms.eu-de.otc.t-systems.com"
        );
        assert_eq!(
            check_base_url("endpoint", "http://127.0.0.1:8080/prefix/", false).unwrap(),
            "http://127.0.0.1:8080/prefix"
        );
        for (bad, why) in [
            ("dms.eu-de.otc.t-systems.com", "relative URL without a base"),
            ("ftp://example.test", "scheme must be https"),
            ("https://example.test/?a=1", "no query or fragment"),
        ] {
            let message = check_base_url("endpoint", bad, false)
                .unwrap_err()
                .to_string();
            assert!(message.contains(why), "{bad}: {message}");
            assert!(message.contains(bad), "{bad}: {message}");
        }
        let message = check_base_url("endpoint", "https://user:s3cret@example.test", false)
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
