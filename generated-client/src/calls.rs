//! The calls as users make them: the generated builders, with the configured project filled
//! in and failures returned as [`crate::Error`].

use progenitor_client::ResponseValue;

use crate::types::{CreateConnectorReq, CreateConnectorResp};
use crate::{Client, Error, builder};

impl Client {
    /// Enable Smart Connect on instance `instance_id` of the configured project
    /// (`POST /v2/{project_id}/instances/{instance_id}/connector`).
    ///
    /// ```no_run
    /// use generated_client::{ClientConfig, NodeCount, types::CreateConnectorReq};
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = ClientConfig::from_env().build()?;
    /// let body = CreateConnectorReq { node_cnt: Some(NodeCount::new(2)?), ..Default::default() };
    /// match client.enable_smart_connect("my-instance-id").body(body).send().await {
    ///     Ok(reply) => println!("job {:?}", reply.job_id),
    ///     Err(e) => eprintln!("failed: {e:#}"), // the whole cause chain on one line
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// The generated builder is there too, returning progenitor's error
    /// ([`crate::GeneratedError`], convertible with `Error::from`):
    /// `client.create_connector().project_id(..).instance_id(..).body(..).send()`.
    pub fn enable_smart_connect(&self, instance_id: &str) -> EnableSmartConnect<'_> {
        let call = self.create_connector().instance_id(instance_id);
        let call = match self.project_id() {
            Some(project_id) => call.project_id(project_id),
            None => call,
        };
        EnableSmartConnect { call }
    }
}

/// The request of [`Client::enable_smart_connect`]; nothing is sent until
/// [`send`](EnableSmartConnect::send) is awaited.
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until .send() is awaited"]
pub struct EnableSmartConnect<'a> {
    call: builder::CreateConnector<'a>,
}

impl<'a> EnableSmartConnect<'a> {
    /// The request body (every field is optional; the default sends `{}`).
    pub fn body<V>(self, value: V) -> Self
    where
        V: TryInto<CreateConnectorReq>,
        <V as TryInto<CreateConnectorReq>>::Error: std::fmt::Display,
    {
        EnableSmartConnect {
            call: self.call.body(value),
        }
    }

    /// Sends the request and reads the reply.
    pub async fn send(self) -> Result<ResponseValue<CreateConnectorResp>, Error> {
        self.call.send().await.map_err(Error::from)
    }
}
