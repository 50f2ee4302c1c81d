//! Waiting for asynchronous work: polling with backoff until a state is reached.
//!
//! Changes such as enabling Smart Connect answer at once with a job id and go on in the
//! background. [`WaitOptions`] says how often and how long to look; the loop here asks,
//! judges the answer, and sleeps: from [`WaitOptions::first_delay`], doubling up to
//! [`WaitOptions::max_interval`], never past [`WaitOptions::deadline`]. Dropping the future
//! stops the polling at once: nothing runs in the background.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use tokio::time::Instant;

use crate::states::{instance, job, task};
use crate::types::{ShowConnectorTaskResp, ShowInstanceResp, Tasks};
use crate::{Client, Error};

/// How often and how long to poll.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaitOptions {
    first_delay: Duration,
    max_interval: Duration,
    deadline: Duration,
}

impl Default for WaitOptions {
    /// First look after 1 s, then every 2, 4, 8, 15, 15... s, for at most 30 minutes.
    fn default() -> Self {
        WaitOptions {
            first_delay: Duration::from_secs(1),
            max_interval: Duration::from_secs(15),
            deadline: Duration::from_secs(30 * 60),
        }
    }
}

impl WaitOptions {
    /// The wait before the first look (and the first interval, which then doubles).
    #[must_use]
    pub fn first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self
    }

    /// The longest interval between two looks.
    #[must_use]
    pub fn max_interval(mut self, interval: Duration) -> Self {
        self.max_interval = interval;
        self
    }

    /// How long to wait in all before giving up with [`WaitError::TimedOut`].
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The overall deadline.
    pub fn deadline_after(&self) -> Duration {
        self.deadline
    }

    fn interval(&self, look: u32) -> Duration {
        doubling(self.first_delay, self.max_interval, look)
    }
}

/// `first` doubled for every step after step 1, capped at `cap` (no overflow): the intervals
/// of polling and the delays of retrying.
pub(crate) fn doubling(first: Duration, cap: Duration, step: u32) -> Duration {
    let doublings = step.saturating_sub(1).min(31);
    first.saturating_mul(1u32 << doublings).min(cap)
}

/// What one answer means for the wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The awaited state: stop, with this answer.
    Done,
    /// Not there yet: look again.
    Pending,
    /// A state that will not lead to the awaited one: stop with [`WaitError::Failed`].
    Failed,
}

/// Why a wait ended without reaching the awaited state. `T` is what was polled (a background
/// task, an instance).
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError<T, E> {
    /// The work ended in a state that will not change any more (a job `FAILED`, an
    /// instance in `ERROR`); `last` is the answer that said so.
    Failed {
        /// What the service answered last.
        last: T,
    },
    /// The deadline passed; `last` is what the service answered last, if it answered.
    TimedOut {
        /// How long was waited.
        waited: Duration,
        /// What the service answered last.
        last: Option<T>,
    },
    /// The thing waited for is gone (the service answered 404 for it); `last` is what it
    /// answered before, if anything.
    Gone {
        /// What the service answered last.
        last: Option<T>,
    },
    /// Asking failed (after the client's own retries).
    Call(E),
    /// The call that starts the work failed (for the one-call workflows such as
    /// [`CreateConnector::send_and_wait`](crate::builder::CreateConnector::send_and_wait));
    /// nothing was waited for.
    Start(E),
    /// The call that starts the work succeeded but its reply names nothing to wait for (its
    /// `job_id`, or the new task's `id`, missing or empty).
    NoJob,
}

impl<T: Describe, E: fmt::Display> fmt::Display for WaitError<T, E> {
    /// What was waited for and the last state seen; with `{:#}`, also the failed call's
    /// error and its causes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Failed { last } => write!(f, "{} ended as {}", T::WHAT, last.state())?,
            WaitError::TimedOut { waited, last } => {
                write!(f, "gave up waiting for {} after {waited:?}", T::WHAT)?;
                match last {
                    Some(last) => write!(f, "; last state {}", last.state())?,
                    None => write!(f, "; it was never seen")?,
                }
            }
            WaitError::Gone { last } => {
                write!(f, "{} is gone", T::WHAT)?;
                if let Some(last) = last {
                    write!(f, "; last state {}", last.state())?;
                }
            }
            WaitError::Call(_) => write!(f, "could not ask for the state of {}", T::WHAT)?,
            WaitError::Start(_) => write!(f, "could not start {}", T::WHAT)?,
            WaitError::NoJob => write!(
                f,
                "could not wait for {}: the reply that started it names none (no id)",
                T::WHAT
            )?,
        }
        if let (true, WaitError::Call(e) | WaitError::Start(e)) = (f.alternate(), self) {
            write!(f, ": {e:#}")?;
        }
        Ok(())
    }
}

impl<T, E> std::error::Error for WaitError<T, E>
where
    T: Describe + fmt::Debug,
    E: std::error::Error + 'static,
{
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Call(e) | WaitError::Start(e) => Some(e),
            _ => None,
        }
    }
}

impl<T, E> WaitError<T, E> {
    /// What the service answered last, if anything.
    pub fn last(&self) -> Option<&T> {
        match self {
            WaitError::Failed { last } => Some(last),
            WaitError::TimedOut { last, .. } | WaitError::Gone { last } => last.as_ref(),
            WaitError::Call(_) | WaitError::Start(_) | WaitError::NoJob => None,
        }
    }

    /// The failed call's error, for [`WaitError::Call`] and [`WaitError::Start`].
    pub fn call_error(&self) -> Option<&E> {
        match self {
            WaitError::Call(e) | WaitError::Start(e) => Some(e),
            _ => None,
        }
    }
}

/// What a polled thing is called in messages, and its state.
pub trait Describe {
    /// What is waited for, e.g. "the background task".
    const WHAT: &'static str;
    /// Its state as the service names it, e.g. `EXECUTING`.
    fn state(&self) -> String;
}

/// What one look found.
pub(crate) enum Look<T> {
    /// The thing, in some state.
    Seen(T),
    /// Not visible yet: look again.
    NotYet,
    /// Gone: the wait ends with [`WaitError::Gone`].
    Gone,
}

/// Polls `fetch` until `judge` says done or failed, the thing is gone, or the deadline
/// passes.
pub(crate) async fn poll<T, E, F, Fut>(
    options: &WaitOptions,
    mut fetch: F,
    judge: impl Fn(&T) -> Verdict,
) -> Result<T, WaitError<T, E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Look<T>, E>>,
{
    let start = Instant::now();
    let deadline = start + options.deadline;
    let mut last = None;
    let mut look = 0u32;
    loop {
        look += 1;
        let wake = Instant::now() + options.interval(look);
        if wake > deadline {
            return Err(WaitError::TimedOut {
                waited: start.elapsed(),
                last,
            });
        }
        tokio::time::sleep_until(wake).await;
        let answer = match fetch().await.map_err(WaitError::Call)? {
            Look::Seen(answer) => answer,
            Look::NotYet => {
                tracing::info!(look, "polled: not there yet");
                continue;
            }
            Look::Gone => {
                tracing::info!(look, "polled: gone");
                return Err(WaitError::Gone { last });
            }
        };
        let verdict = judge(&answer);
        tracing::info!(look, ?verdict, "polled");
        match verdict {
            Verdict::Done => return Ok(answer),
            Verdict::Failed => return Err(WaitError::Failed { last: answer }),
            Verdict::Pending => last = Some(answer),
        }
    }
}

impl Describe for Tasks {
    const WHAT: &'static str = "the background task";
    fn state(&self) -> String {
        self.status
            .clone()
            .unwrap_or_else(|| "(no status)".to_owned())
    }
}

impl Describe for ShowConnectorTaskResp {
    const WHAT: &'static str = "the Smart Connect task";
    fn state(&self) -> String {
        self.status
            .clone()
            .unwrap_or_else(|| "(no status)".to_owned())
    }
}

impl Describe for ShowInstanceResp {
    const WHAT: &'static str = "the instance";
    fn state(&self) -> String {
        self.status
            .clone()
            .unwrap_or_else(|| "(no status)".to_owned())
    }
}

/// What an instance's status means for a wait until it is `RUNNING` (no status yet: look
/// again).
pub(crate) fn instance_verdict(status: Option<&str>) -> Verdict {
    match status {
        Some(instance::RUNNING) => Verdict::Done,
        Some(s) if !instance::TRANSITIONAL.contains(&s) => Verdict::Failed,
        _ => Verdict::Pending,
    }
}

/// The future of a wait: boxed, `Send`; dropping it stops the polling.
pub type WaitFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, WaitError<T, Error>>> + Send + 'a>>;

impl Client {
    /// Waits for background task `job_id` of instance `instance_id` (the `job_id` that
    /// enabling or disabling Smart Connect answers) by polling "Querying a Background Task":
    /// `SUCCESS` ends the wait with the task; `FAILED` and `DELETED` end it with
    /// [`WaitError::Failed`]; `EXECUTING` (or a task not listed yet) is polled again, with
    /// the client's [`ClientConfig::wait_options`](crate::ClientConfig::wait_options) unless
    /// [`WaitForJob::options`] says otherwise.
    ///
    /// ```no_run
    /// # async fn run(client: generated_client::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use generated_client::WaitOptions;
    ///
    /// let task = client
    ///     .wait_for_job("my-instance-id", "my-job-id")
    ///     .options(WaitOptions::default().deadline(Duration::from_secs(600)))
    ///     .await?;
    /// println!("{:?}", task.status); // Some("SUCCESS")
    /// # Ok(()) }
    /// ```
    pub fn wait_for_job(&self, instance_id: &str, job_id: &str) -> WaitForJob<'_> {
        WaitForJob {
            client: self,
            instance_id: instance_id.to_owned(),
            job_id: job_id.to_owned(),
            options: self.context().wait_options().clone(),
        }
    }

    /// Waits until Smart Connect task `task_id` of instance `instance_id` is in state
    /// `target` (one of [`states::task`](crate::states::task)) by polling "Querying Smart
    /// Connect Task Details". A task still starting (`CREATING`) is polled again; a task in
    /// any other state than `target` cannot reach it without another call and ends the wait
    /// with [`WaitError::Failed`]; a task that is gone (404) ends it with
    /// [`WaitError::Gone`].
    ///
    /// ```no_run
    /// # async fn run(client: generated_client::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// use generated_client::states::task;
    ///
    /// let shown = client
    ///     .wait_for_task("my-instance-id", "my-task-id", task::RUNNING)
    ///     .await?;
    /// assert_eq!(shown.status.as_deref(), Some(task::RUNNING));
    /// # Ok(()) }
    /// ```
    pub fn wait_for_task(
        &self,
        instance_id: &str,
        task_id: &str,
        target: &'static str,
    ) -> WaitForTask<'_> {
        WaitForTask {
            client: self,
            instance_id: instance_id.to_owned(),
            task_id: task_id.to_owned(),
            target,
            options: self.context().wait_options().clone(),
        }
    }

    /// Waits until instance `instance_id` is `RUNNING` by polling "Querying an Instance";
    /// the states that end by themselves (`CREATING`, `EXTENDING`, `RESTARTING`, ...) are
    /// polled again, any other (`ERROR`, `EXTENDEDFAILED`, ...) ends the wait with
    /// [`WaitError::Failed`].
    pub fn wait_for_instance(&self, instance_id: &str) -> WaitForInstance<'_> {
        WaitForInstance {
            client: self,
            instance_id: instance_id.to_owned(),
            options: self.context().wait_options().clone(),
        }
    }
}

/// A wait for a background task ([`Client::wait_for_job`]); `.await` it. Nothing is sent
/// until then.
#[derive(Debug, Clone)]
#[must_use = "nothing is polled until it is awaited"]
pub struct WaitForJob<'a> {
    client: &'a Client,
    instance_id: String,
    job_id: String,
    options: WaitOptions,
}

impl<'a> WaitForJob<'a> {
    /// How often and how long to poll (default: the client's,
    /// [`ClientConfig::wait_options`](crate::ClientConfig::wait_options)).
    pub fn options(mut self, options: WaitOptions) -> Self {
        self.options = options;
        self
    }
}

impl<'a> IntoFuture for WaitForJob<'a> {
    type Output = Result<Tasks, WaitError<Tasks, Error>>;
    type IntoFuture = WaitFuture<'a, Tasks>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let WaitForJob {
                client,
                instance_id,
                job_id,
                options,
            } = self;
            let (instance_id, job_id) = (instance_id.as_str(), job_id.as_str());
            poll(
                &options,
                || async move {
                    let reply = client
                        .show_background_task()
                        .instance_id(instance_id)
                        .task_id(job_id)
                        .send()
                        .await?
                        .into_inner();
                    // The task with this id; a reply that lists others is read as "not yet".
                    Ok(reply
                        .tasks
                        .into_iter()
                        .find(|t| t.id.as_deref().is_none_or(|id| id == job_id))
                        .map_or(Look::NotYet, Look::Seen))
                },
                |task: &Tasks| match task.status.as_deref() {
                    Some(job::SUCCESS) => Verdict::Done,
                    Some(s) if job::ENDED_WITHOUT_SUCCESS.contains(&s) => Verdict::Failed,
                    _ => Verdict::Pending,
                },
            )
            .await
        })
    }
}

/// A wait for a Smart Connect task to reach a state ([`Client::wait_for_task`]); `.await`
/// it. Nothing is sent until then.
#[derive(Debug, Clone)]
#[must_use = "nothing is polled until it is awaited"]
pub struct WaitForTask<'a> {
    client: &'a Client,
    instance_id: String,
    task_id: String,
    target: &'static str,
    options: WaitOptions,
}

impl<'a> WaitForTask<'a> {
    /// How often and how long to poll (default: the client's,
    /// [`ClientConfig::wait_options`](crate::ClientConfig::wait_options)).
    pub fn options(mut self, options: WaitOptions) -> Self {
        self.options = options;
        self
    }
}

impl<'a> IntoFuture for WaitForTask<'a> {
    type Output = Result<ShowConnectorTaskResp, WaitError<ShowConnectorTaskResp, Error>>;
    type IntoFuture = WaitFuture<'a, ShowConnectorTaskResp>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let WaitForTask {
                client,
                instance_id,
                task_id,
                target,
                options,
            } = self;
            let (instance_id, task_id) = (instance_id.as_str(), task_id.as_str());
            poll(
                &options,
                || async move {
                    let reply = client
                        .show_connector_task()
                        .instance_id(instance_id)
                        .task_id(task_id)
                        .send()
                        .await;
                    match reply {
                        Ok(reply) => Ok(Look::Seen(reply.into_inner())),
                        Err(e) if e.service_error().is_some_and(|s| s.status == 404) => {
                            Ok(Look::Gone)
                        }
                        Err(e) => Err(e),
                    }
                },
                |shown: &ShowConnectorTaskResp| match shown.status.as_deref() {
                    Some(status) if status == target => Verdict::Done,
                    Some(status) if !task::can_reach(status, target) => Verdict::Failed,
                    _ => Verdict::Pending,
                },
            )
            .await
        })
    }
}

/// A wait for an instance to be `RUNNING` ([`Client::wait_for_instance`]); `.await` it.
#[derive(Debug, Clone)]
#[must_use = "nothing is polled until it is awaited"]
pub struct WaitForInstance<'a> {
    client: &'a Client,
    instance_id: String,
    options: WaitOptions,
}

impl<'a> WaitForInstance<'a> {
    /// How often and how long to poll (default: the client's,
    /// [`ClientConfig::wait_options`](crate::ClientConfig::wait_options)).
    pub fn options(mut self, options: WaitOptions) -> Self {
        self.options = options;
        self
    }
}

impl<'a> IntoFuture for WaitForInstance<'a> {
    type Output = Result<ShowInstanceResp, WaitError<ShowInstanceResp, Error>>;
    type IntoFuture = WaitFuture<'a, ShowInstanceResp>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let WaitForInstance {
                client,
                instance_id,
                options,
            } = self;
            let instance_id = instance_id.as_str();
            poll(
                &options,
                || async move {
                    let reply = client
                        .show_instance()
                        .instance_id(instance_id)
                        .send()
                        .await?;
                    Ok(Look::Seen(reply.into_inner()))
                },
                |shown: &ShowInstanceResp| instance_verdict(shown.status.as_deref()),
            )
            .await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    #[derive(Debug, Clone, PartialEq)]
    struct Job(&'static str);
    impl Describe for Job {
        const WHAT: &'static str = "the job";
        fn state(&self) -> String {
            self.0.to_owned()
        }
    }

    fn judge(job: &Job) -> Verdict {
        match job.0 {
            "SUCCESS" => Verdict::Done,
            "FAILED" => Verdict::Failed,
            _ => Verdict::Pending,
        }
    }

    /// Answers the given states in turn, then the last one forever; records when it was asked.
    fn script(
        states: &'static [Option<&'static str>],
    ) -> (RefCell<Vec<Duration>>, impl Fn(usize) -> Option<Job>) {
        (RefCell::new(Vec::new()), move |i: usize| {
            states[i.min(states.len() - 1)].map(Job)
        })
    }

    #[tokio::test(start_paused = true)]
    async fn polls_with_doubling_capped_intervals_until_done() {
        let options = WaitOptions::default()
            .first_delay(Duration::from_secs(1))
            .max_interval(Duration::from_secs(3));
        let (asked, answer) =
            script(&[None, Some("EXECUTING"), Some("EXECUTING"), Some("SUCCESS")]);
        let start = Instant::now();
        let result: Result<Job, WaitError<Job, String>> = poll(
            &options,
            || {
                let mut asked = asked.borrow_mut();
                asked.push(start.elapsed());
                let job = answer(asked.len() - 1);
                async move { Ok(job.map_or(Look::NotYet, Look::Seen)) }
            },
            judge,
        )
        .await;
        assert_eq!(result.unwrap(), Job("SUCCESS"));
        let secs: Vec<u64> = asked.borrow().iter().map(|d| d.as_secs()).collect();
        assert_eq!(secs, [1, 3, 6, 9], "1 s, then 2, then capped at 3");
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_state_ends_the_wait_with_it() {
        let (_, answer) = script(&[Some("EXECUTING"), Some("FAILED")]);
        let mut i = 0;
        let result: Result<Job, WaitError<Job, String>> = poll(
            &WaitOptions::default(),
            || {
                i += 1;
                let job = answer(i - 1);
                async move { Ok(job.map_or(Look::NotYet, Look::Seen)) }
            },
            judge,
        )
        .await;
        let error = result.unwrap_err();
        assert_eq!(error.last(), Some(&Job("FAILED")));
        assert_eq!(error.to_string(), "the job ended as FAILED");
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_ends_the_wait_with_the_last_state() {
        let options = WaitOptions::default()
            .first_delay(Duration::from_secs(1))
            .max_interval(Duration::from_secs(1))
            .deadline(Duration::from_secs(5));
        let mut asked = 0;
        let result: Result<Job, WaitError<Job, String>> = poll(
            &options,
            || {
                asked += 1;
                async { Ok(Look::Seen(Job("EXECUTING"))) }
            },
            judge,
        )
        .await;
        let error = result.unwrap_err();
        assert!(matches!(error, WaitError::TimedOut { .. }), "{error:?}");
        assert_eq!(error.last(), Some(&Job("EXECUTING")));
        assert_eq!(asked, 5, "looks at 1..=5 s, none after the deadline");
        assert!(
            error.to_string().contains("last state EXECUTING"),
            "{error}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_call_ends_the_wait_with_its_error() {
        let result: Result<Job, WaitError<Job, String>> = poll(
            &WaitOptions::default(),
            || async { Err("connection refused".to_owned()) },
            judge,
        )
        .await;
        assert!(matches!(result, Err(WaitError::Call(e)) if e == "connection refused"));
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_wait_stops_the_polling() {
        let asked = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let counter = asked.clone();
        let options = WaitOptions::default().first_delay(Duration::from_secs(1));
        let wait = async move {
            let _: Result<Job, WaitError<Job, String>> = poll(
                &options,
                || {
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    async { Ok(Look::Seen(Job("EXECUTING"))) }
                },
                judge,
            )
            .await;
        };
        let _ = tokio::time::timeout(Duration::from_millis(3500), wait).await;
        let seen = asked.load(std::sync::atomic::Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(asked.load(std::sync::atomic::Ordering::SeqCst), seen);
        assert_eq!(seen, 2, "at 1 s and 3 s");
    }
}
