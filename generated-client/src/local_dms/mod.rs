//! A local DMS: an in-process, stateful stand-in of the DMS for Kafka service for tests
//! (feature `local-dms`).
//!
//! [`LocalDms`] serves every operation of the spec ([`Operation`]) over real HTTP/1.1 on
//! `127.0.0.1` (hyper on tokio), with the paths, status codes and JSON fields of the API
//! reference pages. Routing, path parameters and the request body (read as the operation's
//! request type; otherwise 400 `DMS.00400004`, `DMS.00400005` or `DMS.00400062`) are checked
//! from the generated operation table for all of them. The Smart Connect workflow keeps state
//! between calls ([`keeps_state`]); every other operation answers its page's example reply:
//!
//! | call | effect |
//! | --- | --- |
//! | enable Smart Connect (`CreateConnector`) | instance `RUNNING → EXTENDING`, a background task `EXECUTING`; after [`busy_for`](LocalDmsBuilder::busy_for): `RUNNING` with `connector_enable: true`, task `SUCCESS` |
//! | disable Smart Connect (`DeleteConnector`) | instance `RUNNING → CONNECTOR_DELETING`, a background task `EXECUTING`; after `busy_for`: `RUNNING`, `connector_enable: false`, its Smart Connect tasks gone, task `SUCCESS` |
//! | any change while the instance is not `RUNNING` | HTTP 400 `DMS.00400026` "This operation is not allowed due to the instance status." |
//! | Smart Connect tasks | created `CREATING` and `RUNNING` after `busy_for` (or `WAITING` with `start_later`), listed (`offset`/`limit`, `total_number`), shown, paused (`PAUSED`), resumed (`RUNNING`), restarted (`CREATING`, then `RUNNING` after `busy_for`), deleted |
//! | background tasks (paging) | listed with `start` (1-based position) and `limit`, `task_count` the number of all |
//! | background tasks | listed (newest first), shown, deleted (a deleted task shows status `DELETED`) |
//! | an unknown instance | 404 `DMS.00404022` "This instance does not exist." |
//! | an unknown task id or path | 404 `DMS.00404001` "The requested URL does not exist." |
//!
//! It checks authentication like the service: with [`credentials`](LocalDmsBuilder::credentials)
//! every request must carry a valid SDK-HMAC-SHA256 signature (X-Sdk-Date within 15 minutes,
//! `host`, `x-sdk-date` and, when present, `x-project-id`, `x-security-token` and `content-type`
//! signed) and an `X-Project-Id` equal to the project in the path; otherwise 401 with the
//! gateway's body (`APIGW.0301`, "Incorrect IAM authentication information: ..."). A path for
//! another project is 401 `DMS.10240104`.
//!
//! Tests can [`inject`](LocalDms::inject) faults ([`Fault`]: 429 with `Retry-After`, 500, a
//! stalled reply, a dropped connection), make the next job fail
//! ([`fail_next_job`](LocalDms::fail_next_job)), and count what the stand-in saw
//! ([`requests_seen`](LocalDms::requests_seen), [`seen`](LocalDms::seen),
//! [`requests`](LocalDms::requests)). Durations run on tokio's clock. Dropping the
//! [`LocalDms`] stops the server and closes its connections.
//!
//! ```no_run
//! use std::time::Duration;
//! use generated_client::{ClientConfig, Credentials};
//! use generated_client::local_dms::LocalDms;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let dms = LocalDms::builder()
//!     .project_id("my-project")
//!     .credentials("my-ak", "my-sk")
//!     .busy_for(Duration::from_millis(50))
//!     .start()
//!     .await?;
//! let client = ClientConfig::new()
//!     .credentials(Credentials::ak_sk("my-ak", "my-sk"))
//!     .project_id(dms.project_id())
//!     .endpoint(dms.base_url())
//!     .build()?;
//! let instance = &dms.instance_ids()[0];
//! let reply = client
//!     .create_connector().instance_id(instance)
//!     .body(generated_client::types::CreateConnectorReq::default())
//!     .send()
//!     .await?;
//! assert!(reply.job_id.is_some());
//! assert_eq!(dms.instance_status(instance).as_deref(), Some("EXTENDING"));
//! # Ok(())
//! # }
//! ```
#![doc = include_str!("admin.md")]

mod admin;
mod auth;
mod control;
mod routes;
mod server;
mod state;

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::Secret;

pub use crate::Operation;
pub use auth::{Rejection, Verified, Wire, verify_signature};
pub use control::{ControlError, JobOutcome, PendingJob, Timing};

/// Whether the local DMS keeps state for `operation` (enabling and disabling Smart Connect,
/// its tasks, background tasks, the instance). Every other operation of the spec is answered
/// with its page's documented example reply (status and body), after the same checks of
/// authentication, path and body.
pub fn keeps_state(operation: Operation) -> bool {
    state::has_state(operation)
}

/// The project id a [`LocalDms`] serves unless [`LocalDmsBuilder::project_id`] says otherwise.
pub const DEFAULT_PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";
/// How long enabling or disabling Smart Connect keeps an instance busy unless
/// [`LocalDmsBuilder::busy_for`] says otherwise.
pub const DEFAULT_BUSY_FOR: Duration = Duration::from_millis(200);

/// Something going wrong on purpose, for the next requests (see [`LocalDms::inject`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 429 with the gateway's throttling body (`APIGW.0308`) and, when given, a
    /// `Retry-After` header of that many seconds. The request has no effect.
    TooManyRequests {
        /// Seconds for the `Retry-After` header; `None` sends none.
        retry_after: Option<u64>,
    },
    /// HTTP 500 `DMS.00500000` "Internal service error.". The request has no effect.
    ServerError,
    /// The request is read and takes effect, but the reply is held back this long
    /// (longer than a client's timeout makes it time out after writing).
    Stall(Duration),
    /// The request is read and takes effect, then the connection is closed without a reply
    /// (the request may have reached the service, as far as the client can know).
    DropConnection,
}

/// One request as the stand-in read it (recorded before any fault or check).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenRequest {
    /// The method, e.g. `POST`.
    pub method: String,
    /// The path exactly as sent (percent-encoded).
    pub path: String,
    /// What followed `?`, if anything.
    pub query: Option<String>,
    /// The operation the method and path name, if any.
    pub operation: Option<Operation>,
    /// Headers in arrival order, names lower-cased; the values of `authorization`,
    /// `x-auth-token` and `x-security-token` are replaced by `***`.
    pub headers: Vec<(String, String)>,
    /// The `X-Request-Id` of the answer.
    pub request_id: String,
    /// The status answered; `None` while it is being answered, or when no answer was sent
    /// (a dropped connection).
    pub status: Option<u16>,
    /// The `error_code` of the answer's body, if any.
    pub error_code: Option<String>,
}

impl SeenRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Settings for a [`LocalDms`]; [`LocalDms::builder`] makes one.
#[derive(Clone, Debug)]
pub struct LocalDmsBuilder {
    project_id: String,
    keys: Vec<(String, Secret)>,
    tokens: Vec<Secret>,
    instances: Vec<String>,
    timing: Timing,
    port: u16,
    observer: Option<control::Observer>,
}

impl LocalDmsBuilder {
    /// The project the stand-in serves (default [`DEFAULT_PROJECT_ID`]); a path with another
    /// project is refused.
    pub fn project_id(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = project_id.into();
        self
    }

    /// Accept requests signed (SDK-HMAC-SHA256) with this access key and secret key, and
    /// from then on check every request. May be given several times.
    pub fn credentials(mut self, ak: impl Into<String>, sk: impl Into<Secret>) -> Self {
        self.keys.push((ak.into(), sk.into()));
        self
    }

    /// Accept requests that carry this IAM token as `X-Auth-Token`, and from then on check
    /// every request. May be given several times.
    pub fn token(mut self, token: impl Into<Secret>) -> Self {
        self.tokens.push(token.into());
        self
    }

    /// Accept every request without looking at its authentication (the default when neither
    /// [`credentials`](Self::credentials) nor [`token`](Self::token) is given); forgets
    /// credentials and tokens given before. The project in the path, and `X-Project-Id` when
    /// sent, are still checked.
    pub fn accept_any_auth(mut self) -> Self {
        self.keys.clear();
        self.tokens.clear();
        self
    }

    /// Serve an instance with this id (status `RUNNING`, Smart Connect disabled). May be
    /// given several times; without it there is one instance with a generated UUID.
    pub fn instance(mut self, instance_id: impl Into<String>) -> Self {
        self.instances.push(instance_id.into());
        self
    }

    /// How long enabling or disabling Smart Connect keeps an instance busy (default
    /// [`DEFAULT_BUSY_FOR`]); measured with tokio's clock.
    pub fn busy_for(mut self, duration: Duration) -> Self {
        self.timing = Timing::Auto(duration);
        self
    }

    /// Binds `127.0.0.1` ([`port`](Self::port), default any free one) and starts serving on the current tokio runtime.
    ///
    /// # Errors
    /// The error of binding the port.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub async fn start(self) -> std::io::Result<LocalDms> {
        let ids = state::Ids::new();
        let mut instances = self.instances;
        if instances.is_empty() {
            instances.push(ids.uuid());
        }
        let auth = if self.keys.is_empty() && self.tokens.is_empty() {
            auth::AuthPolicy::Any
        } else {
            auth::AuthPolicy::Checked {
                keys: self.keys,
                tokens: self.tokens,
            }
        };
        let shared = Arc::new(Shared {
            project_id: self.project_id,
            auth,
            state: Mutex::new(state::State::new(ids, &instances, self.timing)),
            faults: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            request_ids: state::Ids::new(),
            observer: self.observer,
        });
        let (addr, task) = server::start(Arc::clone(&shared), self.port).await?;
        Ok(LocalDms {
            addr,
            shared,
            instance_ids: instances,
            server: task,
        })
    }
}

/// A running local DMS on `127.0.0.1`; stops when dropped. See the [module](self) docs.
pub struct LocalDms {
    addr: SocketAddr,
    shared: Arc<Shared>,
    instance_ids: Vec<String>,
    server: tokio::task::JoinHandle<()>,
}

impl fmt::Debug for LocalDms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalDms")
            .field("addr", &self.addr)
            .field("project_id", &self.shared.project_id)
            .field("instance_ids", &self.instance_ids)
            .finish_non_exhaustive()
    }
}

impl LocalDms {
    /// Settings with the defaults: project [`DEFAULT_PROJECT_ID`], any authentication
    /// accepted, one instance, busy for [`DEFAULT_BUSY_FOR`].
    pub fn builder() -> LocalDmsBuilder {
        LocalDmsBuilder {
            project_id: DEFAULT_PROJECT_ID.to_owned(),
            keys: Vec::new(),
            tokens: Vec::new(),
            instances: Vec::new(),
            timing: Timing::Auto(DEFAULT_BUSY_FOR),
            port: 0,
            observer: None,
        }
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash: the client's endpoint.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The project the stand-in serves.
    pub fn project_id(&self) -> &str {
        &self.shared.project_id
    }

    /// The ids of the instances it serves, in the order given to the builder.
    pub fn instance_ids(&self) -> &[String] {
        &self.instance_ids
    }

    /// The instance's status now (`RUNNING`, `EXTENDING`, `CONNECTOR_DELETING`, or what
    /// [`set_instance_status`](Self::set_instance_status) set), `None` for an unknown id.
    pub fn instance_status(&self, instance_id: &str) -> Option<String> {
        self.shared.state().instance_status(instance_id)
    }

    /// Sets an instance's status by hand, e.g. `ERROR`; any status but `RUNNING` refuses
    /// changes with `DMS.00400026`. A job still running sets `RUNNING` when it ends. `false`
    /// for an unknown id.
    pub fn set_instance_status(&self, instance_id: &str, status: &str) -> bool {
        self.shared.state().set_instance_status(instance_id, status)
    }

    /// Sets the status of Smart Connect task `task_id` of instance `instance_id` (say
    /// `RUNNING` for a task that is `CREATING` under [`Timing::Manual`], or `FAILED`);
    /// `false` when there is no such task.
    pub fn set_task_status(&self, instance_id: &str, task_id: &str, status: &str) -> bool {
        self.shared
            .state()
            .set_task_status(instance_id, task_id, status)
    }

    /// The next job that enabling or disabling Smart Connect starts ends `FAILED` (the
    /// instance goes back to `RUNNING` unchanged).
    pub fn fail_next_job(&self) {
        self.shared.state().fail_next_job();
    }

    /// The next `times` requests, whatever they are, meet `fault`. Faults queue up: a request
    /// meets the first injected fault (that matches it and has uses left).
    pub fn inject(&self, fault: Fault, times: usize) {
        self.push_fault(None, fault, times);
    }

    /// The next `times` requests for `operation` meet `fault`; other requests pass.
    pub fn inject_on(&self, operation: Operation, fault: Fault, times: usize) {
        self.push_fault(Some(operation), fault, times);
    }

    /// Forgets the faults not yet used.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    fn push_fault(&self, operation: Option<Operation>, fault: Fault, times: usize) {
        if times > 0 {
            lock(&self.shared.faults).push(FaultRule {
                operation,
                fault,
                left: times,
            });
        }
    }

    /// Every request read so far, in arrival order.
    pub fn requests(&self) -> Vec<SeenRequest> {
        lock(&self.shared.log).clone()
    }

    /// How many requests with this method (any case) and exact path (as sent) were read.
    pub fn requests_seen(&self, method: &str, path: &str) -> usize {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path == path)
            .count()
    }

    /// How many requests for `operation` were read (whatever the reply was).
    pub fn seen(&self, operation: Operation) -> usize {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.operation == Some(operation))
            .count()
    }
}

impl Drop for LocalDms {
    fn drop(&mut self) {
        // The accept loop owns the listener and every connection task: aborting it closes
        // the port and all connections.
        self.server.abort();
    }
}

/// What the server task and the [`LocalDms`] handle share.
struct Shared {
    project_id: String,
    auth: auth::AuthPolicy,
    state: Mutex<state::State>,
    faults: Mutex<Vec<FaultRule>>,
    log: Mutex<Vec<SeenRequest>>,
    request_ids: state::Ids,
    observer: Option<control::Observer>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, state::State> {
        lock(&self.state)
    }

    /// The fault the next request for `operation` meets, if any (one use is taken).
    fn take_fault(&self, operation: Option<Operation>) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let index = faults
            .iter()
            .position(|rule| rule.operation.is_none() || rule.operation == operation)?;
        let rule = &mut faults[index];
        let fault = rule.fault.clone();
        rule.left -= 1;
        if rule.left == 0 {
            faults.remove(index);
        }
        Some(fault)
    }
}

/// An injected fault and what it applies to.
struct FaultRule {
    operation: Option<Operation>,
    fault: Fault,
    left: usize,
}

/// Locks `mutex`, also after a panic elsewhere (the data stays usable for tests).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
