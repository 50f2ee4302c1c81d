//! [`Client`]: the DMS client every call is a method of.

use std::fmt;

use crate::generated;
use crate::transport::HookState;

/// A client of the DMS for Kafka API, made by [`ClientConfig::build`](crate::ClientConfig::build)
/// (or [`Client::connect`] for local stand-ins).
///
/// Every operation of the spec is a method returning a builder (see the [`builder`](crate::builder)
/// module): set its parameters and body, then `.send().await`, which answers
/// `Result<ResponseValue<Reply>, Error>`. `project_id` starts as the configured project.
/// Cloning is cheap (the HTTP connection pool and the token cache are shared).
#[derive(Clone)]
pub struct Client {
    generated: generated::Client,
}

impl Client {
    /// progenitor's client of `base_url`, sending with `http` through the hooks' `state`.
    pub(crate) fn new(base_url: &str, http: reqwest::Client, state: HookState) -> Client {
        Client {
            generated: generated::Client::new_with_client(base_url, http, state),
        }
    }

    /// progenitor's client, which the generated calls send with.
    pub(crate) fn generated(&self) -> &generated::Client {
        &self.generated
    }

    /// The state every request's hooks work with.
    pub(crate) fn hook_state(&self) -> &HookState {
        &self.generated.inner
    }

    /// The project id this client was configured with, if any.
    pub fn project_id(&self) -> Option<&str> {
        self.hook_state().project_id()
    }

    /// The base URL requests go to (without a trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.generated.baseurl
    }
}

impl fmt::Debug for Client {
    /// The base URL and the hooks' state (which shows no secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("state", self.hook_state())
            .finish()
    }
}
