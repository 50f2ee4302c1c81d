//! The calls as users make them: the generated builders, with the configured project filled
//! in and failures returned as [`crate::Error`].

use progenitor_client::ResponseValue;

use crate::types::{CreateConnectorReq, CreateConnectorResp, DeleteConnectorResp, Tasks};
use crate::{Client, Error, WaitError, WaitOptions, builder};

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
        // `create_connector()` starts with the configured project (checked as a path segment
        // when the client was built), as `delete_connector()` does.
        let call = self.create_connector().instance_id(instance_id);
        EnableSmartConnect {
            call,
            client: self,
            instance_id: instance_id.to_owned(),
            wait: self.inner.wait_options().clone(),
        }
    }

    /// Disable Smart Connect on instance `instance_id` of the configured project
    /// (`POST /v2/{project_id}/kafka/instances/{instance_id}/delete-connector`): the generated
    /// `delete_connector()` builder returning [`Error`], with
    /// [`send_and_wait`](DisableSmartConnect::send_and_wait) for the whole job.
    pub fn disable_smart_connect(&self, instance_id: &str) -> DisableSmartConnect<'_> {
        DisableSmartConnect {
            call: self.delete_connector().instance_id(instance_id),
            client: self,
            instance_id: instance_id.to_owned(),
            wait: self.inner.wait_options().clone(),
        }
    }
}

/// A Smart Connect job that ended `SUCCESS`: what
/// [`EnableSmartConnect::send_and_wait`] and [`DisableSmartConnect::send_and_wait`] return.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CompletedJob {
    /// The job (background task) id the call answered.
    pub job_id: String,
    /// The connector id the enabling call answered (`None` for disabling, or when the reply
    /// had none).
    pub connector_id: Option<String>,
    /// The background task as last seen, status `SUCCESS`.
    pub task: Tasks,
}

/// The end of both `send_and_wait`s: waits for the job a started call answered (`job_id`,
/// unless it is missing or empty) to end `SUCCESS`.
async fn wait_for_started_job(
    client: &Client,
    instance_id: &str,
    wait: WaitOptions,
    job_id: Option<String>,
    connector_id: Option<String>,
) -> Result<CompletedJob, WaitError<Tasks, Error>> {
    let job_id = job_id.filter(|id| !id.is_empty()).ok_or(WaitError::NoJob)?;
    let task = client
        .wait_for_job(instance_id, &job_id)
        .options(wait)
        .await?;
    Ok(CompletedJob {
        job_id,
        connector_id,
        task,
    })
}

/// The request of [`Client::enable_smart_connect`]; nothing is sent until
/// [`send`](EnableSmartConnect::send) is awaited.
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until .send() is awaited"]
pub struct EnableSmartConnect<'a> {
    call: builder::CreateConnector<'a>,
    client: &'a Client,
    instance_id: String,
    wait: WaitOptions,
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
            ..self
        }
    }

    /// How [`send_and_wait`](Self::send_and_wait) polls (default: the client's,
    /// [`ClientConfig::wait_options`](crate::ClientConfig::wait_options)).
    pub fn wait_options(mut self, options: WaitOptions) -> Self {
        self.wait = options;
        self
    }

    /// Sends the request and reads the reply.
    ///
    /// (Not an `async fn`: the future holds the generated call alone, not this whole value.)
    pub fn send(
        self,
    ) -> impl Future<Output = Result<ResponseValue<CreateConnectorResp>, Error>> + 'a {
        let call = self.call;
        async move { call.send().await.map_err(Error::from) }
    }

    /// Enables Smart Connect and waits for its job ([`Client::wait_for_job`]) to end
    /// `SUCCESS`: the common case in one call. Dropping the future stops the waiting (the
    /// enabling, once sent, goes on in the service).
    ///
    /// # Errors
    /// [`WaitError::Start`] when the enabling call fails, [`WaitError::NoJob`] when its reply
    /// has no `job_id`, otherwise the errors of [`Client::wait_for_job`] (`Failed` with the
    /// task, `TimedOut` with the last state seen, `Call`).
    pub async fn send_and_wait(self) -> Result<CompletedJob, WaitError<Tasks, Error>> {
        let (client, instance_id, wait) =
            (self.client, self.instance_id.clone(), self.wait.clone());
        let reply = self.send().await.map_err(WaitError::Start)?.into_inner();
        wait_for_started_job(client, &instance_id, wait, reply.job_id, reply.connector_id).await
    }
}

/// The request of [`Client::disable_smart_connect`]; nothing is sent until
/// [`send`](DisableSmartConnect::send) or [`send_and_wait`](DisableSmartConnect::send_and_wait)
/// is awaited.
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until .send() is awaited"]
pub struct DisableSmartConnect<'a> {
    call: builder::DeleteConnector<'a>,
    client: &'a Client,
    instance_id: String,
    wait: WaitOptions,
}

impl<'a> DisableSmartConnect<'a> {
    /// How [`send_and_wait`](Self::send_and_wait) polls (default: the client's,
    /// [`ClientConfig::wait_options`](crate::ClientConfig::wait_options)).
    pub fn wait_options(mut self, options: WaitOptions) -> Self {
        self.wait = options;
        self
    }

    /// Sends the request and reads the reply (the `job_id` of the disabling job).
    ///
    /// (Not an `async fn`: the future holds the generated call alone, not this whole value.)
    pub fn send(
        self,
    ) -> impl Future<Output = Result<ResponseValue<DeleteConnectorResp>, Error>> + 'a {
        let call = self.call;
        async move { call.send().await.map_err(Error::from) }
    }

    /// Disables Smart Connect and waits for its job to end `SUCCESS`; errors as for
    /// [`EnableSmartConnect::send_and_wait`].
    pub async fn send_and_wait(self) -> Result<CompletedJob, WaitError<Tasks, Error>> {
        let (client, instance_id, wait) =
            (self.client, self.instance_id.clone(), self.wait.clone());
        let reply = self.send().await.map_err(WaitError::Start)?.into_inner();
        wait_for_started_job(client, &instance_id, wait, reply.job_id, None).await
    }
}
