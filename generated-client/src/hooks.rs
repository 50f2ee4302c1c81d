//! What every request goes through between the generated builder and the wire.
//!
//! progenitor calls [`ClientHooks::pre`] once a request is fully built (headers and body
//! final) and just before it is sent. The generator runs with hooks required, so this
//! implementation is not optional: without it the crate does not compile.

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::{HeaderName, HeaderValue, USER_AGENT};

use crate::{Client, Error};

/// The header progenitor adds to every request with the spec's `info.version`; the DMS API
/// does not define it, so it is removed before sending.
const API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// State the hooks work with; every [`Client`] carries one.
#[derive(Clone, Debug)]
pub struct HookState {
    user_agent: HeaderValue,
}

impl Default for HookState {
    fn default() -> Self {
        HookState {
            user_agent: HeaderValue::from_static(concat!(
                env!("CARGO_PKG_NAME"),
                "/",
                env!("CARGO_PKG_VERSION")
            )),
        }
    }
}

impl HookState {
    /// The `User-Agent` sent with every request (`generated-client/<version>`).
    pub fn user_agent(&self) -> &HeaderValue {
        &self.user_agent
    }
}

impl ClientHooks<HookState> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let headers = request.headers_mut();
        headers.remove(API_VERSION);
        headers.insert(USER_AGENT, self.inner.user_agent.clone());
        Ok(())
    }
}
