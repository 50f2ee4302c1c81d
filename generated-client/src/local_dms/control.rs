//! What tests control besides the service itself: the timing of jobs, resets, the port and a
//! hook per request. The admin API (`admin.rs`) calls the same methods.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::{LocalDms, LocalDmsBuilder, SeenRequest, Shared, lock};

/// When a job (enabling or disabling Smart Connect) ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timing {
    /// By itself, this long after it started (on tokio's clock).
    Auto(Duration),
    /// Only when told: [`LocalDms::finish_job`] or `POST /_local/jobs/{job_id}/finish`.
    Manual,
}

impl Timing {
    /// When a job starting `now` ends by itself; `None` for never.
    pub(crate) fn deadline(self, now: Instant) -> Option<Instant> {
        match self {
            Timing::Auto(duration) => now.checked_add(duration),
            Timing::Manual => None,
        }
    }
}

/// How a job told to finish ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobOutcome {
    /// `SUCCESS`, and the change happens.
    Success,
    /// `FAILED`; the instance goes back to `RUNNING` unchanged.
    Failed,
}

/// A background task still `EXECUTING`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingJob {
    /// The job id (the `job_id` of the reply that started it).
    pub job_id: String,
    /// The instance it changes.
    pub instance_id: String,
    /// `createConnector` or `deleteConnector`.
    pub name: String,
    /// How long until it ends by itself; `None` under [`Timing::Manual`].
    pub ends_in: Option<Duration>,
    /// Whether it will end `FAILED` (see [`LocalDms::fail_next_job`]).
    pub fails: bool,
}

/// A control call that names something the local DMS does not have.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlError {
    /// No instance has a background task with this id.
    #[error("no background task {0:?}")]
    UnknownJob(String),
    /// The background task has already ended.
    #[error("background task {0:?} is not EXECUTING")]
    JobNotExecuting(String),
}

/// The hook of [`LocalDmsBuilder::on_request`].
#[derive(Clone)]
pub(crate) struct Observer(Arc<dyn Fn(&SeenRequest) + Send + Sync>);

impl fmt::Debug for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Observer(..)")
    }
}

impl LocalDmsBuilder {
    /// Listen on this port of `127.0.0.1` (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// When jobs end (default `Timing::Auto(DEFAULT_BUSY_FOR)`); the same as
    /// [`busy_for`](Self::busy_for) for [`Timing::Auto`]. [`LocalDms::reset`] restores it.
    pub fn timing(mut self, timing: Timing) -> Self {
        self.timing = timing;
        self
    }

    /// Calls `hook` once per request when its answer is known (after a stall, if any):
    /// service requests with `status` set (`None` for a dropped connection), and admin
    /// requests (`/_local/...`, never in [`LocalDms::requests`]). Runs on the server's task:
    /// keep it short.
    pub fn on_request(mut self, hook: impl Fn(&SeenRequest) + Send + Sync + 'static) -> Self {
        self.observer = Some(Observer(Arc::new(hook)));
        self
    }
}

impl LocalDms {
    /// Back to the start state: instances `RUNNING` with Smart Connect off, no Smart Connect
    /// tasks, no background tasks, the builder's timing, no faults, no failing job ahead, the
    /// request record empty. The instance ids stay the same.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// The timing jobs follow now.
    pub fn timing(&self) -> Timing {
        self.shared.state().timing()
    }

    /// From now on jobs follow `timing`, running ones included: under [`Timing::Manual`] they
    /// wait for [`finish_job`](Self::finish_job); under [`Timing::Auto`] a job without a
    /// deadline gets one from now.
    pub fn set_timing(&self, timing: Timing) {
        self.shared.state().set_timing(timing);
    }

    /// The background tasks still `EXECUTING`.
    pub fn pending_jobs(&self) -> Vec<PendingJob> {
        self.shared.state().pending_jobs()
    }

    /// Ends the `EXECUTING` background task `job_id` now, whatever the timing.
    ///
    /// # Errors
    /// [`ControlError::UnknownJob`], [`ControlError::JobNotExecuting`].
    pub fn finish_job(&self, job_id: &str, outcome: JobOutcome) -> Result<(), ControlError> {
        self.shared.finish_job(job_id, outcome)
    }

    /// Forgets the requests read so far.
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }
}

impl Shared {
    pub(crate) fn reset(&self) {
        self.state().reset();
        lock(&self.faults).clear();
        lock(&self.log).clear();
    }

    pub(crate) fn finish_job(&self, job_id: &str, outcome: JobOutcome) -> Result<(), ControlError> {
        self.state()
            .finish_job(job_id, outcome)
            .map_err(|exists| match exists {
                true => ControlError::JobNotExecuting(job_id.to_owned()),
                false => ControlError::UnknownJob(job_id.to_owned()),
            })
    }

    /// Notes the answer to the recorded request `seen` (status `None`: no answer) and tells
    /// the hook.
    pub(crate) fn replied(
        &self,
        mut seen: SeenRequest,
        status: Option<u16>,
        error_code: Option<&str>,
    ) {
        seen.status = status;
        seen.error_code = error_code.map(str::to_owned);
        {
            let mut log = lock(&self.log);
            // Newest first: the request is near the end (unless a reset emptied the record).
            if let Some(entry) = log
                .iter_mut()
                .rev()
                .find(|r| r.request_id == seen.request_id)
            {
                entry.status = status;
                entry.error_code.clone_from(&seen.error_code);
            }
        }
        self.observe(&seen);
    }

    /// Tells the hook about a request that is not recorded (an admin request).
    pub(crate) fn observe(&self, seen: &SeenRequest) {
        if let Some(observer) = &self.observer {
            (observer.0)(seen);
        }
    }
}
