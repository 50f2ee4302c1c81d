//! [`Client`]: the DMS client every call is a method of.

use std::fmt;

use crate::generated;
use crate::transport::ClientContext;

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
    /// progenitor's client of `base_url`, sending with `http` in `context`.
    pub(crate) fn new(base_url: &str, http: reqwest::Client, context: ClientContext) -> Client {
        Client {
            generated: generated::Client::new_with_client(base_url, http, context),
        }
    }

    /// progenitor's client, which the generated calls send with.
    pub(crate) fn generated(&self) -> &generated::Client {
        &self.generated
    }

    /// What every request of this client needs.
    pub(crate) fn context(&self) -> &ClientContext {
        &self.generated.inner
    }

    /// The project id this client was configured with, if any.
    pub fn project_id(&self) -> Option<&str> {
        self.context().project_id()
    }

    /// The base URL requests go to (without a trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.generated.baseurl
    }
}

impl fmt::Debug for Client {
    /// The base URL and its context (which shows no secret).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("context", self.context())
            .finish()
    }
}
