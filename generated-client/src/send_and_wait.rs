//! A call and the wait that follows it, in one (`send_and_wait`): enabling and disabling
//! Smart Connect wait for their job; creating, pausing, resuming and restarting a Smart
//! Connect task wait for the task's state. The one behaviour added by hand to the generated
//! calls.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::states::task;
use crate::types::{ShowConnectorTaskResp, Tasks};
use crate::{Client, Error, WaitError, WaitOptions, builder};

/// A Smart Connect job that ended `SUCCESS`: what
/// [`CreateConnector::send_and_wait`](builder::CreateConnector::send_and_wait) and
/// [`DeleteConnector::send_and_wait`](builder::DeleteConnector::send_and_wait) answer.
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

/// What a started job's call answered: its job id and, for enabling, the connector id.
type Started<'a> =
    Pin<Box<dyn Future<Output = Result<(Option<String>, Option<String>), Error>> + Send + 'a>>;

/// A call that starts a Smart Connect job, then a wait for that job; `.await` it. Nothing is
/// sent until then; dropping the future stops the waiting (the job, once started, goes on in
/// the service).
#[must_use = "nothing is sent until it is awaited"]
pub struct SendAndWait<'a> {
    client: &'a Client,
    instance_id: Option<String>,
    start: Started<'a>,
    options: WaitOptions,
}

impl std::fmt::Debug for SendAndWait<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendAndWait")
            .field("instance_id", &self.instance_id)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'a> SendAndWait<'a> {
    fn new(client: &'a Client, instance_id: Option<String>, start: Started<'a>) -> Self {
        SendAndWait {
            client,
            instance_id,
            start,
            options: client.context().wait_options().clone(),
        }
    }

    /// How the wait polls (default: the client's,
    /// [`ClientConfig::wait_options`](crate::ClientConfig::wait_options)).
    pub fn options(mut self, options: WaitOptions) -> Self {
        self.options = options;
        self
    }
}

impl<'a> IntoFuture for SendAndWait<'a> {
    type Output = Result<CompletedJob, WaitError<Tasks, Error>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (job_id, connector_id) = self.start.await.map_err(WaitError::Start)?;
            let job_id = job_id.filter(|id| !id.is_empty()).ok_or(WaitError::NoJob)?;
            // The call succeeded, so its instance id was set and valid.
            let instance_id = self.instance_id.unwrap_or_default();
            let task = self
                .client
                .wait_for_job(&instance_id, &job_id)
                .options(self.options)
                .await?;
            Ok(CompletedJob {
                job_id,
                connector_id,
                task,
            })
        })
    }
}

impl<'a> builder::CreateConnector<'a> {
    /// Enables Smart Connect and waits for its job ([`Client::wait_for_job`]) to end
    /// `SUCCESS`: the common case in one call.
    ///
    /// ```no_run
    /// use generated_client::{ClientConfig, NodeCount, types::CreateConnectorReq};
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = ClientConfig::from_env().build()?;
    /// let body = CreateConnectorReq { node_cnt: Some(NodeCount::new(2)?), ..Default::default() };
    /// let job = client
    ///     .create_connector()
    ///     .instance_id("my-instance-id")
    ///     .body(body)
    ///     .send_and_wait()
    ///     .await?;
    /// println!("connector {:?} enabled by job {}", job.connector_id, job.job_id);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`WaitError::Start`] when the enabling call fails, [`WaitError::NoJob`] when its reply
    /// has no `job_id`, otherwise the errors of [`Client::wait_for_job`] (`Failed` with the
    /// task, `TimedOut` with the last state seen, `Call`).
    pub fn send_and_wait(self) -> SendAndWait<'a> {
        let (client, instance_id) = (self.client, id_of(&self.instance_id));
        let start = Box::pin(async move {
            let reply = self.send().await?.into_inner();
            Ok((reply.job_id, reply.connector_id))
        });
        SendAndWait::new(client, instance_id, start)
    }
}

impl<'a> builder::DeleteConnector<'a> {
    /// Disables Smart Connect and waits for its job to end `SUCCESS`; errors as for
    /// [`CreateConnector::send_and_wait`](builder::CreateConnector::send_and_wait).
    pub fn send_and_wait(self) -> SendAndWait<'a> {
        let (client, instance_id) = (self.client, id_of(&self.instance_id));
        let start = Box::pin(async move {
            let reply = self.send().await?.into_inner();
            Ok((reply.job_id, None))
        });
        SendAndWait::new(client, instance_id, start)
    }
}

/// What a task's call answered: the task's id (`None` for the calls whose path names it) and
/// the state to wait for.
type TaskStarted<'a> =
    Pin<Box<dyn Future<Output = Result<(Option<String>, &'static str), Error>> + Send + 'a>>;

/// A call that changes a Smart Connect task, then a wait ([`Client::wait_for_task`]) for the
/// state it leads to; `.await` it. Nothing is sent until then.
#[must_use = "nothing is sent until it is awaited"]
pub struct SendAndWaitTask<'a> {
    client: &'a Client,
    instance_id: Option<String>,
    task_id: Option<String>,
    start: TaskStarted<'a>,
    options: WaitOptions,
}

impl std::fmt::Debug for SendAndWaitTask<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendAndWaitTask")
            .field("instance_id", &self.instance_id)
            .field("task_id", &self.task_id)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'a> SendAndWaitTask<'a> {
    fn new(
        client: &'a Client,
        instance_id: Option<String>,
        task_id: Option<String>,
        start: TaskStarted<'a>,
    ) -> Self {
        SendAndWaitTask {
            client,
            instance_id,
            task_id,
            start,
            options: client.context().wait_options().clone(),
        }
    }

    /// How the wait polls (default: the client's,
    /// [`ClientConfig::wait_options`](crate::ClientConfig::wait_options)).
    pub fn options(mut self, options: WaitOptions) -> Self {
        self.options = options;
        self
    }
}

impl<'a> IntoFuture for SendAndWaitTask<'a> {
    type Output = Result<ShowConnectorTaskResp, WaitError<ShowConnectorTaskResp, Error>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let (answered, target) = self.start.await.map_err(WaitError::Start)?;
            let task_id = answered
                .or(self.task_id)
                .filter(|id| !id.is_empty())
                .ok_or(WaitError::NoJob)?;
            // The call succeeded, so its instance id was set and valid.
            let instance_id = self.instance_id.unwrap_or_default();
            self.client
                .wait_for_task(&instance_id, &task_id, target)
                .options(self.options)
                .await
        })
    }
}

impl<'a> builder::CreateConnectorTask<'a> {
    /// Creates a Smart Connect task and waits until it runs ([`Client::wait_for_task`] for
    /// `RUNNING`); a task the reply shows `WAITING` (created with `start_later`: it waits for
    /// a start) is waited for as `WAITING`.
    ///
    /// ```no_run
    /// use generated_client::types::CreateConnectorTaskReq;
    ///
    /// # async fn run(client: generated_client::Client, body: CreateConnectorTaskReq)
    /// # -> Result<(), Box<dyn std::error::Error>> {
    /// let task = client
    ///     .create_connector_task()
    ///     .instance_id("my-instance-id")
    ///     .body(body)
    ///     .send_and_wait()
    ///     .await?;
    /// println!("task {:?} is {:?}", task.id, task.status); // Some("RUNNING")
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`WaitError::Start`] when the call fails, [`WaitError::NoJob`] when its reply has no
    /// task id, otherwise the errors of [`Client::wait_for_task`].
    pub fn send_and_wait(self) -> SendAndWaitTask<'a> {
        let (client, instance_id) = (self.client, id_of(&self.instance_id));
        let start = Box::pin(async move {
            let created = self.send().await?.into_inner();
            let target = match created.status.as_deref() {
                Some(task::WAITING) => task::WAITING,
                _ => task::RUNNING,
            };
            Ok((created.id, target))
        });
        SendAndWaitTask::new(client, instance_id, None, start)
    }
}

/// `send_and_wait` for the calls on one task: the call, then a wait for `target`.
macro_rules! task_call_and_wait {
    ($($builder:ident => $target:expr, $doc:literal;)*) => {$(
        impl<'a> builder::$builder<'a> {
            #[doc = $doc]
            ///
            /// # Errors
            /// [`WaitError::Start`] when the call fails, otherwise the errors of
            /// [`Client::wait_for_task`].
            pub fn send_and_wait(self) -> SendAndWaitTask<'a> {
                let client = self.client;
                let instance_id = id_of(&self.instance_id);
                let task_id = id_of(&self.task_id);
                let start = Box::pin(async move {
                    self.send().await?;
                    Ok((None, $target))
                });
                SendAndWaitTask::new(client, instance_id, task_id, start)
            }
        }
    )*};
}

task_call_and_wait! {
    PauseConnectorTask => task::PAUSED,
        "Pauses the task and waits until it is `PAUSED`.";
    ResumeConnectorTask => task::RUNNING,
        "Resumes (starts) the task and waits until it is `RUNNING`.";
    RestartConnectorTask => task::RUNNING,
        "Restarts the task and waits until it is `RUNNING` again.";
}

/// The id a builder was given for a path parameter, when it was valid.
fn id_of(value: &Result<Option<crate::PathSegment>, String>) -> Option<String> {
    match value {
        Ok(Some(id)) => Some(id.to_string()),
        _ => None,
    }
}
