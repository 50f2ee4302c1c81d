//! Credentials, and the rule that secrets never show up in `Debug`, `Display` or errors.

use std::fmt;

/// A secret string (secret key, security token, password, IAM token). Its `Debug` and
/// `Display` print `***`; [`Secret::expose`] is the only way to the value.
///
/// The passwords and keys inside request bodies are `Option<Secret>` as well: the Smart
/// Connect task's `SmartConnectTaskReqSourceConfig::{redis_password, password}` and
/// `SmartConnectTaskReqSinkConfig::{redis_password, access_key, secret_key}`. The `Debug` of
/// the body, its builder and the call's builder prints `***`; the wire carries the plain
/// string, and a body read from JSON takes plain strings.
///
/// ```
/// use generated_client::Secret;
/// use generated_client::types::SmartConnectTaskReqSinkConfig;
///
/// let sink = SmartConnectTaskReqSinkConfig {
///     access_key: Some(Secret::new("my-ak")),
///     secret_key: Some("my-sk".into()),
///     ..Default::default()
/// };
/// assert!(format!("{sink:?}").contains("secret_key: Some(***)"));
/// assert_eq!(serde_json::to_value(&sink).unwrap()["secret_key"], "my-sk");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value. Keep it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Serialized as the plain string: a secret in a request body (a task's Redis or Kafka
/// password, an OBS key pair) travels as the service expects it. Only serialization shows the
/// value; `Debug` and `Display` never do.
impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Read from a plain string.
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// How requests are authenticated. Make them with [`Credentials::ak_sk`],
/// [`Credentials::temporary`], [`Credentials::token`] or [`Credentials::password`]
/// ([`crate::ClientConfig::from_env`] reads the first three from the environment).
///
/// | credentials | what every request carries |
/// | --- | --- |
/// | AK/SK | an SDK-HMAC-SHA256 signature (`Authorization`, `X-Sdk-Date`), made by [`crate::signer`] |
/// | temporary AK/SK | the same, and the security token as a signed `X-Security-Token` |
/// | IAM token | `X-Auth-Token`, no signature |
/// | IAM password | `X-Auth-Token` with a project-scoped token fetched from IAM (`POST {iam}/v3/auth/tokens`), cached, and fetched again [`DEFAULT_REFRESH_MARGIN`](crate::DEFAULT_REFRESH_MARGIN) before it expires |
///
/// The signer reproduces the official SDK signer's test vectors byte for byte, and `.ci/run`
/// has the official Python SDK's own signer verify the example's requests. SM3 and the
/// derived V11 signature are not implemented.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// AK/SK: every request is signed with SDK-HMAC-SHA256. With `security_token`
    /// (temporary credentials) the token is sent, and signed, as `X-Security-Token`.
    #[non_exhaustive]
    AkSk {
        /// Access key id (not secret; it appears in the `Authorization` header).
        ak: String,
        /// Secret access key.
        sk: Secret,
        /// Security token of temporary credentials.
        security_token: Option<Secret>,
    },
    /// An IAM token obtained elsewhere, sent as `X-Auth-Token`; nothing is signed.
    Token(Secret),
    /// IAM user name and password: a project-scoped token is obtained from IAM, cached and
    /// refreshed before it expires.
    Password(PasswordAuth),
}

/// What IAM needs for project-scoped password authentication ([`Credentials::password`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PasswordAuth {
    /// IAM user name.
    pub user: String,
    /// The user's password.
    pub password: Secret,
    /// Account (domain) name that owns the user.
    pub domain: String,
}

impl Credentials {
    /// AK/SK credentials.
    #[must_use]
    pub fn ak_sk(ak: impl Into<String>, sk: impl Into<Secret>) -> Self {
        Credentials::AkSk {
            ak: ak.into(),
            sk: sk.into(),
            security_token: None,
        }
    }

    /// Temporary AK/SK credentials with their security token.
    #[must_use]
    pub fn temporary(
        ak: impl Into<String>,
        sk: impl Into<Secret>,
        security_token: impl Into<Secret>,
    ) -> Self {
        Credentials::AkSk {
            ak: ak.into(),
            sk: sk.into(),
            security_token: Some(security_token.into()),
        }
    }

    /// A ready IAM token.
    #[must_use]
    pub fn token(token: impl Into<Secret>) -> Self {
        Credentials::Token(token.into())
    }

    /// IAM password authentication (a token is fetched and refreshed for you).
    #[must_use]
    pub fn password(
        domain: impl Into<String>,
        user: impl Into<String>,
        password: impl Into<Secret>,
    ) -> Self {
        Credentials::Password(PasswordAuth {
            user: user.into(),
            password: password.into(),
            domain: domain.into(),
        })
    }

    /// The first empty field, if any, named for an error message.
    pub(crate) fn empty_field(&self) -> Option<&'static str> {
        match self {
            Credentials::AkSk { ak, .. } if ak.trim().is_empty() => Some("access key (AK)"),
            Credentials::AkSk { sk, .. } if sk.is_empty() => Some("secret key (SK)"),
            Credentials::AkSk {
                security_token: Some(t),
                ..
            } if t.is_empty() => Some("security token"),
            Credentials::Token(t) if t.is_empty() => Some("IAM token"),
            Credentials::Password(p) if p.user.trim().is_empty() => Some("IAM user name"),
            Credentials::Password(p) if p.domain.trim().is_empty() => Some("IAM domain name"),
            Credentials::Password(p) if p.password.is_empty() => Some("IAM password"),
            _ => None,
        }
    }
}
