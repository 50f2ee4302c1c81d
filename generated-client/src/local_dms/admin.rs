//! The admin API: JSON over HTTP under `/_local/` (a prefix the service never uses), the same
//! abilities as [`LocalDms`](super::LocalDms)'s methods, on the same state. No
//! authentication, no faults, not in the request record. Documented in `admin.md`.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Method, Response};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value, json};

use super::control::{JobOutcome, Timing};
use super::server::respond;
use super::state::Reply;
use super::{Fault, FaultRule, Operation, SeenRequest, Shared, lock};
use crate::states::job;

/// The prefix of every admin path.
pub(crate) const PREFIX: &str = "/_local";

/// Whether `path` is an admin path (`/_local` or below it).
pub(crate) fn is_admin(path: &str) -> bool {
    path.strip_prefix(PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Answers an admin request and tells the hook.
pub(crate) fn serve(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: &[u8],
    request_id: String,
) -> Response<Full<Bytes>> {
    let reply = answer(shared, method, path, body).unwrap_or_else(|refusal| refusal);
    shared.observe(&SeenRequest {
        method: method.as_str().to_owned(),
        path: path.to_owned(),
        query: query.map(str::to_owned),
        operation: None,
        headers: Vec::new(),
        request_id: request_id.clone(),
        status: Some(reply.status),
        error_code: None,
    });
    respond(reply, &request_id, None)
}

/// A refusal: `{"error": message}` with `status`.
fn refuse(status: u16, message: impl Into<String>) -> Reply {
    Reply {
        status,
        body: Some(json!({ "error": message.into() })),
    }
}

fn ok(body: Value) -> Result<Reply, Reply> {
    Ok(Reply {
        status: 200,
        body: Some(body),
    })
}

fn done() -> Result<Reply, Reply> {
    Ok(Reply {
        status: 204,
        body: None,
    })
}

fn answer(shared: &Shared, method: &Method, path: &str, body: &[u8]) -> Result<Reply, Reply> {
    let rest = path.strip_prefix(PREFIX).unwrap_or_default();
    let mut segments = Vec::new();
    for raw in rest.split('/').filter(|s| !s.is_empty()) {
        let decoded = percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| refuse(404, "no such admin path"))?;
        segments.push(decoded.into_owned());
    }
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (method.as_str(), parts.as_slice()) {
        ("GET", []) => ok(info(shared)),
        ("POST", ["reset"]) => {
            shared.reset();
            done()
        }
        ("GET", ["timing"]) => ok(timing_json(shared.state().timing())),
        ("PUT", ["timing"]) => {
            let timing = parse_timing(&object(body)?)?;
            shared.state().set_timing(timing);
            ok(timing_json(timing))
        }
        ("GET", ["jobs"]) => ok(jobs(shared)),
        ("POST", ["jobs", "fail-next"]) => {
            shared.state().fail_next_job();
            done()
        }
        ("POST", ["jobs", job_id, "finish"]) => {
            let request = object(body)?;
            only(&request, &["outcome"])?;
            let outcome = match request.get("outcome") {
                None => JobOutcome::Success,
                Some(Value::String(s)) if s == job::SUCCESS => JobOutcome::Success,
                Some(Value::String(s)) if s == job::FAILED => JobOutcome::Failed,
                Some(_) => return Err(refuse(400, "outcome must be \"SUCCESS\" or \"FAILED\"")),
            };
            shared
                .finish_job(job_id, outcome)
                .map_err(|e| refuse(404, e.to_string()))?;
            done()
        }
        ("GET", ["faults"]) => ok(faults(shared)),
        ("POST", ["faults"]) => {
            let rule = parse_fault(&object(body)?)?;
            lock(&shared.faults).push(rule);
            done()
        }
        ("DELETE", ["faults"]) => {
            lock(&shared.faults).clear();
            done()
        }
        ("GET", ["requests"]) => ok(requests(shared)),
        ("DELETE", ["requests"]) => {
            lock(&shared.log).clear();
            done()
        }
        ("GET", ["instances"]) => ok(instances(shared)),
        ("PUT", ["instances", id, "status"]) => {
            let request = object(body)?;
            let status = status_of(&request)?;
            if shared.state().set_instance_status(id, status) {
                done()
            } else {
                Err(refuse(404, format!("no instance {id:?}")))
            }
        }
        ("PUT", ["instances", id, "tasks", task_id, "status"]) => {
            let request = object(body)?;
            let status = status_of(&request)?;
            if shared.state().set_task_status(id, task_id, status) {
                done()
            } else {
                Err(refuse(
                    404,
                    format!("no task {task_id:?} on instance {id:?}"),
                ))
            }
        }
        (_, [] | ["reset" | "timing" | "jobs" | "faults" | "requests" | "instances"])
        | (_, ["jobs", "fail-next"] | ["jobs", _, "finish"] | ["instances", _, "status"])
        | (_, ["instances", _, "tasks", _, "status"]) => {
            Err(refuse(405, format!("{method} is not allowed on {path}")))
        }
        _ => Err(refuse(404, format!("no admin path {path}"))),
    }
}

/// The `status` of `{"status": "..."}`, a non-empty string.
fn status_of(request: &Map<String, Value>) -> Result<&str, Reply> {
    only(request, &["status"])?;
    match request.get("status") {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        _ => Err(refuse(400, "status must be a non-empty string")),
    }
}

/// The body as a JSON object; an empty body is `{}`.
fn object(body: &[u8]) -> Result<Map<String, Value>, Reply> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(refuse(400, "the body must be a JSON object")),
    }
}

/// 400 when `request` has a field not in `known` (a typo should not pass unnoticed).
fn only(request: &Map<String, Value>, known: &[&str]) -> Result<(), Reply> {
    match request.keys().find(|k| !known.contains(&k.as_str())) {
        Some(key) => Err(refuse(
            400,
            format!("unknown field {key:?} (known: {})", known.join(", ")),
        )),
        None => Ok(()),
    }
}

/// A non-negative integer field; `None` when absent or `null`.
fn uint(request: &Map<String, Value>, name: &str) -> Result<Option<u64>, Reply> {
    match request.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .map(Some)
            .ok_or_else(|| refuse(400, format!("{name} must be a non-negative integer"))),
    }
}

fn info(shared: &Shared) -> Value {
    let mut state = shared.state();
    let ids: Vec<String> = state.instances().into_iter().map(|(id, ..)| id).collect();
    json!({
        "project_id": shared.project_id,
        "instance_ids": ids,
        "timing": timing_json(state.timing()),
    })
}

fn timing_json(timing: Timing) -> Value {
    match timing {
        Timing::Auto(busy_for) => json!({
            "mode": "auto",
            "busy_for_ms": u64::try_from(busy_for.as_millis()).unwrap_or(u64::MAX),
        }),
        Timing::Manual => json!({ "mode": "manual" }),
    }
}

fn parse_timing(request: &Map<String, Value>) -> Result<Timing, Reply> {
    only(request, &["mode", "busy_for_ms"])?;
    match (
        request.get("mode").and_then(Value::as_str),
        uint(request, "busy_for_ms")?,
    ) {
        (Some("manual"), None) => Ok(Timing::Manual),
        (Some("auto"), Some(ms)) => Ok(Timing::Auto(Duration::from_millis(ms))),
        _ => Err(refuse(
            400,
            "timing is {\"mode\": \"manual\"} or {\"mode\": \"auto\", \"busy_for_ms\": N}",
        )),
    }
}

fn jobs(shared: &Shared) -> Value {
    let jobs: Vec<Value> = shared
        .state()
        .pending_jobs()
        .into_iter()
        .map(|job| {
            json!({
                "job_id": job.job_id,
                "instance_id": job.instance_id,
                "name": job.name,
                "status": job::EXECUTING,
                "ends_in_ms": job.ends_in.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                "fails": job.fails,
            })
        })
        .collect();
    json!({ "jobs": jobs })
}

fn instances(shared: &Shared) -> Value {
    let instances: Vec<Value> = shared
        .state()
        .instances()
        .into_iter()
        .map(|(id, status, enabled)| {
            json!({ "instance_id": id, "status": status, "connector_enable": enabled })
        })
        .collect();
    json!({ "instances": instances })
}

fn parse_fault(request: &Map<String, Value>) -> Result<FaultRule, Reply> {
    only(
        request,
        &["fault", "operation", "times", "retry_after", "stall_ms"],
    )?;
    let operation = match request.get("operation") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(
            Operation::ALL
                .iter()
                .copied()
                .find(|op| op.id() == name)
                .ok_or_else(|| refuse(400, format!("no operation {name:?}")))?,
        ),
        Some(_) => return Err(refuse(400, "operation must be an operation id")),
    };
    let times = match uint(request, "times")? {
        None => 1,
        Some(0) => return Err(refuse(400, "times must be at least 1")),
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let (retry_after, stall_ms) = (uint(request, "retry_after")?, uint(request, "stall_ms")?);
    let kind = request.get("fault").and_then(Value::as_str);
    let fault = match (kind, retry_after, stall_ms) {
        (Some("too_many_requests"), retry_after, None) => Fault::TooManyRequests { retry_after },
        (Some("server_error"), None, None) => Fault::ServerError,
        (Some("stall"), None, Some(ms)) => Fault::Stall(Duration::from_millis(ms)),
        (Some("drop_connection"), None, None) => Fault::DropConnection,
        _ => {
            return Err(refuse(
                400,
                "fault is \"too_many_requests\" (optional retry_after), \"server_error\", \
                 \"stall\" (with stall_ms) or \"drop_connection\"",
            ));
        }
    };
    Ok(FaultRule {
        operation,
        fault,
        left: times,
    })
}

fn faults(shared: &Shared) -> Value {
    let faults: Vec<Value> = lock(&shared.faults)
        .iter()
        .map(|rule| {
            let mut shown = json!({
                "operation": rule.operation.map(Operation::id),
                "times": rule.left,
            });
            let extra = match &rule.fault {
                Fault::TooManyRequests { retry_after } => {
                    json!({ "fault": "too_many_requests", "retry_after": retry_after })
                }
                Fault::ServerError => json!({ "fault": "server_error" }),
                Fault::Stall(d) => json!({
                    "fault": "stall",
                    "stall_ms": u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
                }),
                Fault::DropConnection => json!({ "fault": "drop_connection" }),
            };
            if let (Value::Object(shown), Value::Object(extra)) = (&mut shown, extra) {
                shown.extend(extra);
            }
            shown
        })
        .collect();
    json!({ "faults": faults })
}

fn requests(shared: &Shared) -> Value {
    let requests: Vec<Value> = lock(&shared.log)
        .iter()
        .map(|r| {
            json!({
                "operation": r.operation.map(Operation::id),
                "method": r.method,
                "path": r.path,
                "query": r.query,
                "status": r.status,
                "error_code": r.error_code,
                "request_id": r.request_id,
                "headers": r.headers,
            })
        })
        .collect();
    json!({ "requests": requests })
}
