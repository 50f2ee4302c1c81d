//! The service's state and what each operation does to it.
//!
//! Time is lazy: a job's end is a deadline on tokio's clock, and every request (and every
//! look from the test) first ends the jobs whose deadline has passed. No timer runs.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::control::{JobOutcome, PendingJob, Timing};
use super::routes::Route;
use crate::Operation;

use crate::states::instance::{CONNECTOR_DELETING, EXTENDING, RUNNING};
use crate::states::job::{DELETED, EXECUTING, FAILED, SUCCESS};
use crate::states::task;

/// `max_tasks` and `quota_tasks` of ListConnectorTasks (the page's example).
const MAX_TASKS: usize = 18;
/// Task fields that carry secrets: accepted, never shown (the response tables leave them out).
const SECRET_FIELDS: [&str; 4] = ["password", "redis_password", "access_key", "secret_key"];
/// ShowInstance's reply: the fields and value types of the page's example response (the
/// values that change are filled in by `Instance::to_json`), plus the connector fields of its
/// table.
const INSTANCE_TEMPLATE: &str = r#"{
  "name": "", "engine": "kafka", "port": 9092, "status": "RUNNING", "type": "cluster",
  "specification": "100MB", "engine_version": "2.7",
  "connect_address": "192.168.0.100,192.168.0.61,192.168.0.72", "instance_id": "",
  "resource_spec_code": "dms.instance.kafka.cluster.c3.mini", "charging_mode": 1,
  "vpc_id": "00000000-0000-4000-8000-000000000001", "vpc_name": "local-vpc",
  "created_at": "", "product_id": "00300-30308-0--0",
  "security_group_id": "00000000-0000-4000-8000-000000000002",
  "security_group_name": "Sys-default", "subnet_id": "00000000-0000-4000-8000-000000000003",
  "available_zones": ["local-az-1"], "available_zone_names": ["AZ1"], "user_id": "",
  "user_name": "local_dms", "access_user": "root", "maintain_begin": "02:00:00",
  "maintain_end": "06:00:00", "enable_log_collection": false, "new_auth_cert": false,
  "storage_space": 492, "total_storage_space": 600, "used_storage_space": 25,
  "partition_num": "300", "enable_publicip": false, "ssl_enable": false,
  "broker_ssl_enable": false, "cert_replaced": false, "kafka_security_protocol": "SASL_SSL",
  "management_connect_address": "https://192.168.0.100:9999", "cross_vpc_info": "{}",
  "storage_resource_id": "00000000-0000-4000-8000-000000000004",
  "storage_spec_code": "dms.physical.storage.ultra", "service_type": "advanced",
  "storage_type": "hec", "enterprise_project_id": "0", "retention_policy": "produce_reject",
  "ipv6_enable": false, "ipv6_connect_addresses": [], "rest_enable": false,
  "rest_connect_address": "", "kafka_public_status": "closed", "public_bandwidth": 0,
  "trace_enable": false, "agent_enable": false,
  "pod_connect_address": "100.86.75.15:9080,100.86.142.77:9080,100.86.250.167:9080",
  "disk_encrypted": false,
  "kafka_private_connect_address": "192.168.0.61:9092,192.168.0.100:9092,192.168.0.72:9092",
  "new_spec_billing_enable": false, "ces_version": "linux",
  "connector_enable": false, "connector_node_num": 0
}"#;
/// The user the background tasks name.
const USER_NAME: &str = "local_dms";

/// Error codes and messages from the reference's Error Codes appendix.
pub(crate) mod codes {
    pub const EMPTY_BODY: (u16, &str, &str) = (400, "DMS.00400004", "The request body is empty.");
    pub const NOT_JSON: (u16, &str, &str) = (
        400,
        "DMS.00400005",
        "The message body is not in JSON format or contains invalid characters.",
    );
    pub const BUSY: (u16, &str, &str) = (
        400,
        "DMS.00400026",
        "This operation is not allowed due to the instance status.",
    );
    pub const QUOTA: (u16, &str, &str) = (400, "DMS.00400039", "The quota limit has been reached.");
    pub const INVALID: (u16, &str, &str) = (400, "DMS.00400062", "Invalid request parameter.");
    pub const PROJECT_MISMATCH: (u16, &str, &str) = (
        401,
        "DMS.10240104",
        "The project ID and token do not match.",
    );
    pub const NO_URL: (u16, &str, &str) =
        (404, "DMS.00404001", "The requested URL does not exist.");
    pub const NO_INSTANCE: (u16, &str, &str) =
        (404, "DMS.00404022", "This instance does not exist.");
    pub const METHOD: (u16, &str, &str) =
        (405, "DMS.00405001", "This request method is not allowed.");
    pub const INTERNAL: (u16, &str, &str) = (500, "DMS.00500000", "Internal service error.");
}

/// What to answer: a status and, unless it is 204, a JSON body.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Option<Value>,
}

impl Reply {
    fn ok(body: Value) -> Self {
        Reply {
            status: 200,
            body: Some(body),
        }
    }

    fn no_content() -> Self {
        Reply {
            status: 204,
            body: None,
        }
    }

    /// The `error_code` of the body, if any.
    pub(crate) fn error_code(&self) -> Option<&str> {
        self.body.as_ref()?.get("error_code")?.as_str()
    }

    /// `{"error_code": .., "error_msg": ..}` with the code's status.
    pub fn error((status, code, message): (u16, &str, &str)) -> Self {
        Reply {
            status,
            body: Some(json!({ "error_code": code, "error_msg": message })),
        }
    }
}

/// Ids: UUIDs for jobs, connectors and tasks, 32 hex digits for other ids; different in every
/// [`Ids`] (seeded from the process's random hasher keys) and never repeated within one.
pub(crate) struct Ids {
    seed: RandomState,
    counter: AtomicU64,
}

impl Ids {
    pub fn new() -> Self {
        Ids {
            seed: RandomState::new(),
            counter: AtomicU64::new(0),
        }
    }

    fn next128(&self) -> u128 {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let high = self.seed.hash_one((n, 0u8));
        // The low half is the counter itself, so two ids never collide.
        (u128::from(high) << 64) | u128::from(n)
    }

    /// `xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx`.
    pub fn uuid(&self) -> String {
        let v = self.next128();
        let v = (v & !(0xf000 << 64) & !(0xc000 << 48)) | (0x4000 << 64) | (0x8000 << 48);
        let hex = format!("{v:032x}");
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }

    /// 32 lower-case hex digits.
    pub fn hex32(&self) -> String {
        format!("{:032x}", self.next128())
    }
}

/// A background task (a job).
struct Job {
    id: String,
    name: &'static str,
    user_id: String,
    params: String,
    status: &'static str,
    created_at: String,
    updated_at: String,
    /// Sortable `YYYYMMDDHHmmss` of `created_at`, for the list's time filters.
    created_key: String,
}

/// The job an instance is busy with.
struct Pending {
    job_id: String,
    /// When it ends by itself; `None` under [`Timing::Manual`].
    until: Option<Instant>,
    change: Change,
    fails: bool,
}

enum Change {
    Enable { node_cnt: u64 },
    Disable,
}

/// A Smart Connect task as shown (secrets already removed).
struct ConnectorTask {
    id: String,
    task_name: String,
    topics: Option<Value>,
    topics_regex: Option<Value>,
    source_type: Value,
    source_task: Value,
    sink_type: Value,
    sink_task: Value,
    status: String,
    /// When a `CREATING` task runs by itself; `None` under [`Timing::Manual`].
    starting_until: Option<Instant>,
    create_time: i64,
}

struct Instance {
    id: String,
    name: String,
    status: String,
    created_at: String,
    user_id: String,
    /// Node count of the enabled connector.
    connector: Option<u64>,
    pending: Option<Pending>,
    jobs: Vec<Job>,
    tasks: Vec<ConnectorTask>,
}

/// Everything the service knows.
pub(crate) struct State {
    ids: Ids,
    timing: Timing,
    /// The timing of the start state (what [`State::reset`] restores).
    initial_timing: Timing,
    fail_next: bool,
    instances: Vec<Instance>,
}

impl State {
    pub fn new(ids: Ids, instance_ids: &[String], timing: Timing) -> Self {
        let user_id = ids.hex32();
        let instances = instance_ids
            .iter()
            .enumerate()
            .map(|(n, id)| Instance {
                id: id.clone(),
                name: format!("kafka-local-{}", n + 1),
                status: RUNNING.to_owned(),
                created_at: unix_millis().to_string(),
                user_id: user_id.clone(),
                connector: None,
                pending: None,
                jobs: Vec::new(),
                tasks: Vec::new(),
            })
            .collect();
        State {
            ids,
            timing,
            initial_timing: timing,
            fail_next: false,
            instances,
        }
    }

    pub fn instance_status(&mut self, id: &str) -> Option<String> {
        self.advance(Instant::now());
        self.instances
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.status.clone())
    }

    pub fn set_instance_status(&mut self, id: &str, status: &str) -> bool {
        self.advance(Instant::now());
        match self.instances.iter_mut().find(|i| i.id == id) {
            Some(instance) => {
                status.clone_into(&mut instance.status);
                true
            }
            None => false,
        }
    }

    /// Sets the status of Smart Connect task `task_id` of instance `instance_id`; `false`
    /// when there is no such task.
    pub fn set_task_status(&mut self, instance_id: &str, task_id: &str, status: &str) -> bool {
        self.advance(Instant::now());
        let task = self
            .instances
            .iter_mut()
            .filter(|i| i.id == instance_id)
            .flat_map(|i| i.tasks.iter_mut())
            .find(|t| t.id == task_id);
        match task {
            Some(task) => {
                status.clone_into(&mut task.status);
                task.starting_until = None;
                true
            }
            None => false,
        }
    }

    pub fn fail_next_job(&mut self) {
        self.fail_next = true;
    }

    /// Ends the jobs whose time has come, and runs the tasks whose start has.
    fn advance(&mut self, now: Instant) {
        for instance in &mut self.instances {
            for task in &mut instance.tasks {
                if task.status == task::CREATING
                    && task.starting_until.is_some_and(|until| until <= now)
                {
                    task.status = task::RUNNING.to_owned();
                    task.starting_until = None;
                }
            }
            if instance
                .pending
                .as_ref()
                .is_some_and(|p| p.until.is_some_and(|until| until <= now))
                && let Some(pending) = instance.pending.take()
            {
                instance.finish(pending);
            }
        }
    }

    /// Answers a routed request.
    pub fn handle(&mut self, route: &Route, query: Option<&str>, body: &[u8]) -> Reply {
        if !has_state(route.operation) {
            return documented_reply(route.operation);
        }
        let now = Instant::now();
        self.advance(now);
        let (until, fail_next) = (self.timing.deadline(now), self.fail_next);
        let Some(instance) = self
            .instances
            .iter_mut()
            .find(|i| i.id == route.param("instance_id"))
        else {
            return Reply::error(codes::NO_INSTANCE);
        };
        if is_change(route.operation) && (instance.status != RUNNING || instance.pending.is_some())
        {
            return Reply::error(codes::BUSY);
        }
        let task_id = route.param("task_id");
        let ids = &self.ids;
        let reply = match route.operation {
            Operation::ShowInstance => Ok(Reply::ok(instance.to_json())),
            Operation::CreateConnector => enable(instance, ids, body, until, fail_next),
            Operation::DeleteConnector => Ok(disable(instance, ids, until, fail_next)),
            Operation::CreateConnectorTask => create_task(instance, ids, body, until),
            Operation::ListConnectorTasks => list_tasks(instance, query),
            Operation::ShowConnectorTask => instance.task(task_id).map(|t| Reply::ok(t.to_json())),
            Operation::DeleteConnectorTask => instance.delete_task(task_id),
            Operation::PauseConnectorTask => {
                instance.move_task(task_id, &[task::RUNNING], task::PAUSED, None)
            }
            Operation::ResumeConnectorTask => {
                instance.move_task(task_id, &[task::PAUSED], task::RUNNING, None)
            }
            Operation::RestartConnectorTask => instance.move_task(
                task_id,
                &[task::RUNNING, task::PAUSED, task::WAITING],
                task::CREATING,
                until,
            ),
            Operation::ListBackgroundTasks => list_jobs(instance, query),
            Operation::ShowBackgroundTask => instance
                .job(task_id)
                .map(|j| Reply::ok(json!({ "task_count": "1", "tasks": [j.to_json()] }))),
            Operation::DeleteBackgroundTask => instance.delete_job(task_id),
            // (Reached only by the operations `has_state` leaves out; none today.)
            #[allow(unreachable_patterns)]
            other => Ok(documented_reply(other)),
        };
        let reply = reply.unwrap_or_else(|error| error);
        if reply.status == 200
            && matches!(
                route.operation,
                Operation::CreateConnector | Operation::DeleteConnector
            )
        {
            self.fail_next = false;
        }
        reply
    }
}

/// Whether the local DMS keeps state for `operation` (the Smart Connect workflow); every
/// other operation of the spec answers its page's example ([`documented_reply`]).
pub(crate) fn has_state(operation: Operation) -> bool {
    matches!(
        operation,
        Operation::ShowInstance
            | Operation::CreateConnector
            | Operation::DeleteConnector
            | Operation::CreateConnectorTask
            | Operation::ListConnectorTasks
            | Operation::ShowConnectorTask
            | Operation::DeleteConnectorTask
            | Operation::PauseConnectorTask
            | Operation::ResumeConnectorTask
            | Operation::RestartConnectorTask
            | Operation::ListBackgroundTasks
            | Operation::ShowBackgroundTask
            | Operation::DeleteBackgroundTask
    )
}

/// Whether the operation changes the instance (refused while it is busy).
fn is_change(operation: Operation) -> bool {
    matches!(
        operation,
        Operation::CreateConnector
            | Operation::DeleteConnector
            | Operation::CreateConnectorTask
            | Operation::DeleteConnectorTask
            | Operation::PauseConnectorTask
            | Operation::ResumeConnectorTask
            | Operation::RestartConnectorTask
    )
}

/// The success reply the operation's page documents: its status and its example body (`{}`
/// where the page documents a body but shows no example; no body where it documents none).
pub(crate) fn documented_reply(operation: Operation) -> Reply {
    let (status, body) = operation.example_reply().unwrap_or((200, None));
    Reply {
        status,
        body: body.map(|body| serde_json::from_str(body).unwrap_or_else(|_| json!({}))),
    }
}

impl Instance {
    fn start_job(
        &mut self,
        ids: &Ids,
        name: &'static str,
        params: String,
        change: Change,
        until: Option<Instant>,
        fails: bool,
    ) -> String {
        let (created_at, created_key) = wall_clock();
        let job_id = ids.uuid();
        self.jobs.push(Job {
            id: job_id.clone(),
            name,
            user_id: self.user_id.clone(),
            params,
            status: EXECUTING,
            updated_at: created_at.clone(),
            created_at,
            created_key,
        });
        self.status = match change {
            Change::Enable { .. } => EXTENDING,
            Change::Disable => CONNECTOR_DELETING,
        }
        .to_owned();
        self.pending = Some(Pending {
            job_id: job_id.clone(),
            until,
            change,
            fails,
        });
        job_id
    }

    fn finish(&mut self, pending: Pending) {
        let status = if pending.fails {
            FAILED
        } else {
            match pending.change {
                Change::Enable { node_cnt } => self.connector = Some(node_cnt),
                Change::Disable => {
                    self.connector = None;
                    self.tasks.clear();
                }
            }
            SUCCESS
        };
        RUNNING.clone_into(&mut self.status);
        if let Some(job) = self.jobs.iter_mut().find(|j| j.id == pending.job_id) {
            if job.status != DELETED {
                job.status = status;
            }
            job.updated_at = wall_clock().0;
        }
    }

    fn to_json(&self) -> Value {
        let mut shown: Map<String, Value> =
            serde_json::from_str(INSTANCE_TEMPLATE).unwrap_or_default();
        for (key, value) in [
            ("name", Value::from(self.name.as_str())),
            ("status", Value::from(self.status.as_str())),
            ("instance_id", Value::from(self.id.as_str())),
            ("created_at", Value::from(self.created_at.as_str())),
            ("user_id", Value::from(self.user_id.as_str())),
            ("connector_enable", Value::from(self.connector.is_some())),
            (
                "connector_node_num",
                Value::from(self.connector.unwrap_or(0)),
            ),
        ] {
            shown.insert(key.to_owned(), value);
        }
        Value::Object(shown)
    }

    fn task(&self, id: &str) -> Result<&ConnectorTask, Reply> {
        self.tasks
            .iter()
            .find(|t| t.id == id)
            .ok_or_else(|| Reply::error(codes::NO_URL))
    }

    fn delete_task(&mut self, id: &str) -> Result<Reply, Reply> {
        let index = self
            .tasks
            .iter()
            .position(|t| t.id == id)
            .ok_or_else(|| Reply::error(codes::NO_URL))?;
        self.tasks.remove(index);
        Ok(Reply::no_content())
    }

    /// Moves task `id` to `to` if its status is one of `from`; 400 otherwise. A task moved
    /// to `CREATING` runs at `starting_until`.
    fn move_task(
        &mut self,
        id: &str,
        from: &[&str],
        to: &str,
        starting_until: Option<Instant>,
    ) -> Result<Reply, Reply> {
        let task = self
            .tasks
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or_else(|| Reply::error(codes::NO_URL))?;
        if !from.contains(&task.status.as_str()) {
            return Err(Reply::error(codes::INVALID));
        }
        to.clone_into(&mut task.status);
        task.starting_until = starting_until;
        Ok(Reply::no_content())
    }

    fn job(&self, id: &str) -> Result<&Job, Reply> {
        self.jobs
            .iter()
            .find(|j| j.id == id)
            .ok_or_else(|| Reply::error(codes::NO_URL))
    }

    /// Marks the job `DELETED` (it stays visible to ShowBackgroundTask, not to the list); the
    /// change it stands for still completes.
    fn delete_job(&mut self, id: &str) -> Result<Reply, Reply> {
        let job = self
            .jobs
            .iter_mut()
            .find(|j| j.id == id && j.status != DELETED)
            .ok_or_else(|| Reply::error(codes::NO_URL))?;
        job.status = DELETED;
        job.updated_at = wall_clock().0;
        Ok(Reply::no_content())
    }
}

impl Job {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "user_name": USER_NAME,
            "user_id": self.user_id,
            "params": self.params,
            "status": self.status,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

impl ConnectorTask {
    fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("task_name".into(), Value::String(self.task_name.clone()));
        if let Some(topics) = &self.topics {
            out.insert("topics".into(), topics.clone());
        }
        if let Some(regex) = &self.topics_regex {
            out.insert("topics_regex".into(), regex.clone());
        }
        out.insert("source_type".into(), self.source_type.clone());
        out.insert("source_task".into(), self.source_task.clone());
        out.insert("sink_type".into(), self.sink_type.clone());
        out.insert("sink_task".into(), self.sink_task.clone());
        out.insert("id".into(), Value::String(self.id.clone()));
        out.insert("status".into(), Value::String(self.status.clone()));
        out.insert("create_time".into(), Value::from(self.create_time));
        Value::Object(out)
    }
}

/// The body as a JSON object: 400 `DMS.00400004` when empty, `DMS.00400005` when not an
/// object.
fn json_object(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Reply::error(codes::EMPTY_BODY));
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Reply::error(codes::NOT_JSON)),
    }
}

/// A JSON type a documented field has.
#[derive(Clone, Copy)]
enum Kind {
    Str,
    Int,
    Bool,
    Object,
}

/// 400 `DMS.00400062` unless every field of `fields` present in `object` (and not `null`)
/// has its documented type.
fn check_types(object: &Map<String, Value>, fields: &[(&str, Kind)]) -> Result<(), Reply> {
    for (name, kind) in fields {
        let ok = match (object.get(*name), kind) {
            (None | Some(Value::Null), _) => true,
            (Some(v), Kind::Str) => v.is_string(),
            (Some(v), Kind::Int) => v.is_i64() || v.is_u64(),
            (Some(v), Kind::Bool) => v.is_boolean(),
            (Some(v), Kind::Object) => v.is_object(),
        };
        if !ok {
            return Err(Reply::error(codes::INVALID));
        }
    }
    Ok(())
}

/// 400 `DMS.00400062` unless every field of `names` is a non-empty string in `object`.
fn require_strings(object: &Map<String, Value>, names: &[&str]) -> Result<(), Reply> {
    if names.iter().all(|n| {
        object
            .get(*n)
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    }) {
        Ok(())
    } else {
        Err(Reply::error(codes::INVALID))
    }
}

fn enable(
    instance: &mut Instance,
    ids: &Ids,
    body: &[u8],
    until: Option<Instant>,
    fails: bool,
) -> Result<Reply, Reply> {
    let request = json_object(body)?;
    check_types(
        &request,
        &[("specification", Kind::Str), ("spec_code", Kind::Str)],
    )?;
    // The page types node_cnt as a string and sends the number 2 in its example: take both.
    let node_cnt = match request.get("node_cnt") {
        None | Some(Value::Null) => 2,
        Some(Value::String(s)) => s.parse::<u64>().map_err(|_| Reply::error(codes::INVALID))?,
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| Reply::error(codes::INVALID))?,
        Some(_) => return Err(Reply::error(codes::INVALID)),
    };
    if node_cnt < 2 {
        return Err(Reply::error(codes::INVALID));
    }
    if instance.connector.is_some() {
        return Err(Reply::error(codes::INVALID));
    }
    let mut params = request;
    params.insert("node_cnt".into(), Value::from(node_cnt));
    let job_id = instance.start_job(
        ids,
        "createConnector",
        Value::Object(params).to_string(),
        Change::Enable { node_cnt },
        until,
        fails,
    );
    Ok(Reply::ok(
        json!({ "job_id": job_id, "connector_id": ids.uuid() }),
    ))
}

fn disable(instance: &mut Instance, ids: &Ids, until: Option<Instant>, fails: bool) -> Reply {
    if instance.connector.is_none() {
        return Reply::error(codes::INVALID);
    }
    let job_id = instance.start_job(
        ids,
        "deleteConnector",
        "{}".to_owned(),
        Change::Disable,
        until,
        fails,
    );
    Reply::ok(json!({ "job_id": job_id }))
}

const SOURCE_FIELDS: &[(&str, Kind)] = &[
    ("redis_address", Kind::Str),
    ("redis_type", Kind::Str),
    ("dcs_instance_id", Kind::Str),
    ("redis_password", Kind::Str),
    ("sync_mode", Kind::Str),
    ("full_sync_wait_ms", Kind::Int),
    ("full_sync_max_retry", Kind::Int),
    ("ratelimit", Kind::Int),
    ("current_cluster_name", Kind::Str),
    ("cluster_name", Kind::Str),
    ("user_name", Kind::Str),
    ("password", Kind::Str),
    ("sasl_mechanism", Kind::Str),
    ("instance_id", Kind::Str),
    ("bootstrap_servers", Kind::Str),
    ("security_protocol", Kind::Str),
    ("direction", Kind::Str),
    ("sync_consumer_offsets_enabled", Kind::Bool),
    ("replication_factor", Kind::Int),
    ("task_num", Kind::Int),
    ("rename_topic_enabled", Kind::Bool),
    ("provenance_header_enabled", Kind::Bool),
    ("consumer_strategy", Kind::Str),
    ("compression_type", Kind::Str),
    ("topics_mapping", Kind::Str),
];

const SINK_FIELDS: &[(&str, Kind)] = &[
    ("redis_address", Kind::Str),
    ("redis_type", Kind::Str),
    ("dcs_instance_id", Kind::Str),
    ("redis_password", Kind::Str),
    ("consumer_strategy", Kind::Str),
    ("destination_file_type", Kind::Str),
    ("deliver_time_interval", Kind::Int),
    ("access_key", Kind::Str),
    ("secret_key", Kind::Str),
    ("obs_bucket_name", Kind::Str),
    ("obs_path", Kind::Str),
    ("partition_format", Kind::Str),
    ("record_delimiter", Kind::Str),
    ("store_keys", Kind::Bool),
];

/// The object under `name` (an empty one when absent or `null`).
fn sub_object(request: &Map<String, Value>, name: &str) -> Map<String, Value> {
    match request.get(name) {
        Some(Value::Object(map)) => map.clone(),
        _ => Map::new(),
    }
}

/// The object as shown: without its secret fields; `null` when the request had none.
fn shown(request: &Map<String, Value>, name: &str) -> Value {
    match request.get(name) {
        Some(Value::Object(map)) => Value::Object(
            map.iter()
                .filter(|(k, _)| !SECRET_FIELDS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        _ => Value::Null,
    }
}

/// A new task is `WAITING` when created with `start_later`, otherwise `CREATING` until
/// `starting_until` (the timing's deadline), then `RUNNING`.
fn create_task(
    instance: &mut Instance,
    ids: &Ids,
    body: &[u8],
    starting_until: Option<Instant>,
) -> Result<Reply, Reply> {
    let request = json_object(body)?;
    check_types(
        &request,
        &[
            ("task_name", Kind::Str),
            ("start_later", Kind::Bool),
            ("topics", Kind::Str),
            ("topics_regex", Kind::Str),
            ("source_type", Kind::Str),
            ("source_task", Kind::Object),
            ("sink_type", Kind::Str),
            ("sink_task", Kind::Object),
        ],
    )?;
    let source = sub_object(&request, "source_task");
    let sink = sub_object(&request, "sink_task");
    check_types(&source, SOURCE_FIELDS)?;
    check_types(&sink, SINK_FIELDS)?;
    let kind = |name| request.get(name).and_then(Value::as_str).unwrap_or("NONE");
    let (source_type, sink_type) = (kind("source_type"), kind("sink_type"));
    // What the tables mark "mandatory only when the type is ...", kept to the essentials.
    match source_type {
        "NONE" => {}
        "REDIS_REPLICATOR_SOURCE" => require_strings(&source, &["redis_address", "redis_type"])?,
        "KAFKA_REPLICATOR_SOURCE" => {
            require_strings(
                &source,
                &["current_cluster_name", "cluster_name", "direction"],
            )?;
            if require_strings(&source, &["instance_id"]).is_err() {
                require_strings(&source, &["bootstrap_servers"])?;
            }
        }
        _ => return Err(Reply::error(codes::INVALID)),
    }
    match sink_type {
        "NONE" => {}
        "REDIS_REPLICATOR_SINK" => require_strings(&sink, &["redis_address", "redis_type"])?,
        "OBS_SINK" => require_strings(&sink, &["obs_bucket_name", "access_key", "secret_key"])?,
        _ => return Err(Reply::error(codes::INVALID)),
    }
    if source_type == "NONE" && sink_type == "NONE" {
        return Err(Reply::error(codes::INVALID));
    }
    if instance.connector.is_none() {
        return Err(Reply::error(codes::INVALID));
    }
    if instance.tasks.len() >= MAX_TASKS {
        return Err(Reply::error(codes::QUOTA));
    }
    let start_later = request.get("start_later").and_then(Value::as_bool) == Some(true);
    let id = ids.uuid();
    let task = ConnectorTask {
        task_name: match request.get("task_name").and_then(Value::as_str) {
            Some(name) => name.to_owned(),
            None => format!("smart-connect-{}", &id[..8]),
        },
        id,
        topics: request.get("topics").filter(|v| !v.is_null()).cloned(),
        topics_regex: request
            .get("topics_regex")
            .filter(|v| !v.is_null())
            .cloned(),
        source_type: Value::String(source_type.to_owned()),
        source_task: shown(&request, "source_task"),
        sink_type: Value::String(sink_type.to_owned()),
        sink_task: shown(&request, "sink_task"),
        status: if start_later {
            task::WAITING
        } else {
            task::CREATING
        }
        .to_owned(),
        starting_until,
        create_time: i64::try_from(unix_millis()).unwrap_or(i64::MAX),
    };
    let reply = Reply::ok(task.to_json());
    instance.tasks.push(task);
    Ok(reply)
}

/// The query's value for `key` (percent-decoded), if given.
fn query_value(query: Option<&str>, key: &str) -> Option<String> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| super::auth::decode(k) == key)
        .map(|(_, v)| super::auth::decode(v))
}

/// The query's integer `key`, `default` when absent, 400 when not an integer in `range`.
fn query_int(
    query: Option<&str>,
    key: &str,
    default: usize,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, Reply> {
    match query_value(query, key) {
        None => Ok(default),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|v| range.contains(v))
            .ok_or_else(|| Reply::error(codes::INVALID)),
    }
}

fn list_tasks(instance: &Instance, query: Option<&str>) -> Result<Reply, Reply> {
    let offset = query_int(query, "offset", 0, 0..=usize::MAX)?;
    let limit = query_int(query, "limit", 10, 1..=50)?;
    let tasks: Vec<Value> = instance
        .tasks
        .iter()
        .skip(offset)
        .take(limit)
        .map(ConnectorTask::to_json)
        .collect();
    Ok(Reply::ok(json!({
        "tasks": tasks,
        "total_number": instance.tasks.len(),
        "max_tasks": MAX_TASKS,
        "quota_tasks": MAX_TASKS,
    })))
}

fn list_jobs(instance: &Instance, query: Option<&str>) -> Result<Reply, Reply> {
    let start = query_int(query, "start", 1, 1..=usize::MAX)?;
    let limit = query_int(query, "limit", 10, 1..=usize::MAX)?;
    let time_bound = |key| match query_value(query, key) {
        None => Ok(None),
        Some(t) if t.len() == 14 && t.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(t)),
        Some(_) => Err(Reply::error(codes::INVALID)),
    };
    let (begin, end) = (time_bound("begin_time")?, time_bound("end_time")?);
    // Newest first, as the page's example lists them; deleted tasks are gone from the list.
    let matching: Vec<&Job> = instance
        .jobs
        .iter()
        .rev()
        .filter(|j| j.status != DELETED)
        .filter(|j| begin.as_ref().is_none_or(|b| j.created_key >= *b))
        .filter(|j| end.as_ref().is_none_or(|e| j.created_key <= *e))
        .collect();
    let tasks: Vec<Value> = matching
        .iter()
        .skip(start - 1)
        .take(limit)
        .map(|j| j.to_json())
        .collect();
    Ok(Reply::ok(json!({
        "task_count": matching.len().to_string(),
        "tasks": tasks,
    })))
}

fn unix_millis() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

/// Now as `2020-05-15T03:19:51.046Z` (the background task pages' format), and as the
/// sortable `YYYYMMDDHHmmss` of the list's `begin_time`/`end_time`.
fn wall_clock() -> (String, String) {
    let now = time::OffsetDateTime::now_utc();
    let (y, mo, d) = (now.year(), u8::from(now.month()), now.day());
    let (h, mi, s) = (now.hour(), now.minute(), now.second());
    (
        format!(
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
            now.millisecond()
        ),
        format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}"),
    )
}

// Control: what `LocalDms`'s control methods and the admin API (`control.rs`, `admin.rs`) do.

impl State {
    /// Back to the start state: every instance `RUNNING` without Smart Connect, tasks or
    /// background tasks; the start timing; no failing job ahead. Ids stay unique.
    pub fn reset(&mut self) {
        self.timing = self.initial_timing;
        self.fail_next = false;
        for instance in &mut self.instances {
            RUNNING.clone_into(&mut instance.status);
            instance.connector = None;
            instance.pending = None;
            instance.jobs.clear();
            instance.tasks.clear();
        }
    }

    pub fn timing(&self) -> Timing {
        self.timing
    }

    /// New jobs follow `timing`; so do running ones: under [`Timing::Manual`] they wait to be
    /// finished, under [`Timing::Auto`] those without a deadline get one from now.
    pub fn set_timing(&mut self, timing: Timing) {
        let now = Instant::now();
        self.advance(now);
        let follow = |until: Option<Instant>| match timing {
            Timing::Manual => None,
            Timing::Auto(_) => until.or(timing.deadline(now)),
        };
        for instance in &mut self.instances {
            if let Some(pending) = instance.pending.as_mut() {
                pending.until = follow(pending.until);
            }
            for task in instance
                .tasks
                .iter_mut()
                .filter(|t| t.status == task::CREATING)
            {
                task.starting_until = follow(task.starting_until);
            }
        }
        self.timing = timing;
    }

    /// The jobs still `EXECUTING`, in instance order.
    pub fn pending_jobs(&mut self) -> Vec<PendingJob> {
        let now = Instant::now();
        self.advance(now);
        self.instances
            .iter()
            .filter_map(|instance| {
                let pending = instance.pending.as_ref()?;
                let name = instance
                    .jobs
                    .iter()
                    .find(|j| j.id == pending.job_id)
                    .map_or("", |j| j.name);
                Some(PendingJob {
                    job_id: pending.job_id.clone(),
                    instance_id: instance.id.clone(),
                    name: name.to_owned(),
                    ends_in: pending.until.map(|u| u.saturating_duration_since(now)),
                    fails: pending.fails,
                })
            })
            .collect()
    }

    /// Ends the `EXECUTING` job `job_id` now, with `outcome`. `Err(true)` when the job exists
    /// but has ended, `Err(false)` when no instance has it.
    pub fn finish_job(&mut self, job_id: &str, outcome: JobOutcome) -> Result<(), bool> {
        self.advance(Instant::now());
        for instance in &mut self.instances {
            if instance
                .pending
                .as_ref()
                .is_some_and(|p| p.job_id == job_id)
                && let Some(mut pending) = instance.pending.take()
            {
                pending.fails = outcome == JobOutcome::Failed;
                instance.finish(pending);
                return Ok(());
            }
        }
        Err(self
            .instances
            .iter()
            .any(|i| i.jobs.iter().any(|j| j.id == job_id)))
    }

    /// Each instance's id, status and whether Smart Connect is on.
    pub fn instances(&mut self) -> Vec<(String, String, bool)> {
        self.advance(Instant::now());
        self.instances
            .iter()
            .map(|i| (i.id.clone(), i.status.clone(), i.connector.is_some()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `a` and `b` say the same, reading a scalar and its text as one (where a page's example
    /// writes `"false"` or `2` against its table, the stand-in answers what the table says).
    fn same_meaning(a: &Value, b: &Value) -> bool {
        let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .all(|(k, v)| y.get(k).is_some_and(|w| same_meaning(v, w)))
            }
            (Value::Array(x), Value::Array(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same_meaning(v, w))
            }
            (Value::Object(_) | Value::Array(_), _) | (_, Value::Object(_) | Value::Array(_)) => {
                false
            }
            (x, y) => text(x) == text(y),
        }
    }

    /// For every operation of the table, the documented reply is the committed spec's first
    /// success reply: its status, and its example body (or none for a bodyless status).
    #[test]
    fn every_documented_reply_is_the_specs_example() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../spec/dms-kafka-smart-connect.yaml"),
        )
        .expect("the committed spec");
        let spec: Value = serde_yaml_ng::from_str(&text).expect("YAML");
        let mut seen = 0;
        for item in spec["paths"].as_object().expect("paths").values() {
            for op in item.as_object().expect("a path item").values() {
                let id = op["operationId"].as_str().expect("an id");
                let operation = Operation::from_id(id).expect("in the table");
                let (status, response) = op["responses"]
                    .as_object()
                    .expect("responses")
                    .iter()
                    .find(|(status, _)| status.starts_with('2'))
                    .expect("a success reply");
                let reply = documented_reply(operation);
                assert_eq!(reply.status.to_string(), *status, "{id}");
                let example = response
                    .pointer("/content/application~1json/examples")
                    .and_then(Value::as_object)
                    .and_then(|examples| examples.values().next())
                    .map(|example| example["value"].clone());
                match example {
                    Some(body) => {
                        let served = reply.body.expect("a body");
                        assert!(same_meaning(&served, &body), "{id}: {served} for {body}");
                    }
                    None if response.pointer("/content/application~1json").is_none() => {
                        assert_eq!(reply.body, None, "{id}")
                    }
                    None => assert_eq!(reply.body, Some(json!({})), "{id}"),
                }
                seen += 1;
            }
        }
        assert_eq!(seen, Operation::ALL.len());
    }

    #[test]
    fn ids_look_like_the_services_and_do_not_repeat() {
        let ids = Ids::new();
        let a = ids.uuid();
        let b = ids.uuid();
        assert_ne!(a, b);
        let shape: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(shape, [8, 4, 4, 4, 12], "{a}");
        assert_eq!(&a[14..15], "4", "{a}");
        assert!(ids.hex32().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(Ids::new().uuid(), Ids::new().uuid());
    }

    #[test]
    fn the_instance_template_is_json() {
        let template: Map<String, Value> = serde_json::from_str(INSTANCE_TEMPLATE).unwrap();
        assert_eq!(template["user_name"], USER_NAME);
        assert!(template["connector_node_num"].is_i64());
    }

    #[test]
    fn odd_bodies_are_the_services_400s_not_panics() {
        for (body, code) in [
            (&b""[..], "DMS.00400004"),
            (b"  \n", "DMS.00400004"),
            (b"{", "DMS.00400005"),
            (b"[]", "DMS.00400005"),
            (b"\xff\xfe", "DMS.00400005"),
            (b"null", "DMS.00400005"),
        ] {
            let error = json_object(body).unwrap_err();
            assert_eq!(error.body.unwrap()["error_code"], code);
        }
    }
}
