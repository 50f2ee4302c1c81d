//! The 13 operations, and which one a method and a path name.

use std::fmt;

use hyper::Method;
use percent_encoding::percent_decode_str;

/// An operation of the API reference pages that the local DMS serves, by its operation id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// `POST /v2/{project_id}/instances/{instance_id}/connector`: enable Smart Connect.
    CreateConnector,
    /// `POST /v2/{project_id}/kafka/instances/{instance_id}/delete-connector`: disable it.
    DeleteConnector,
    /// `POST /v2/{project_id}/instances/{instance_id}/connector/tasks`.
    CreateConnectorTask,
    /// `GET /v2/{project_id}/instances/{instance_id}/connector/tasks`.
    ListConnectorTasks,
    /// `GET /v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}`.
    ShowConnectorTask,
    /// `DELETE /v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}`.
    DeleteConnectorTask,
    /// `PUT /v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}/pause`.
    PauseConnectorTask,
    /// `PUT /v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}/resume`.
    ResumeConnectorTask,
    /// `PUT /v2/{project_id}/kafka/instances/{instance_id}/connector/tasks/{task_id}/restart`.
    RestartConnectorTask,
    /// `GET /v2/{project_id}/instances/{instance_id}/tasks`.
    ListBackgroundTasks,
    /// `GET /v2/{project_id}/instances/{instance_id}/tasks/{task_id}`.
    ShowBackgroundTask,
    /// `DELETE /v2/{project_id}/instances/{instance_id}/tasks/{task_id}`.
    DeleteBackgroundTask,
    /// `GET /v2/{project_id}/instances/{instance_id}`.
    ShowInstance,
}

impl Operation {
    /// All 13, in the order above.
    pub const ALL: [Operation; 13] = [
        Operation::CreateConnector,
        Operation::DeleteConnector,
        Operation::CreateConnectorTask,
        Operation::ListConnectorTasks,
        Operation::ShowConnectorTask,
        Operation::DeleteConnectorTask,
        Operation::PauseConnectorTask,
        Operation::ResumeConnectorTask,
        Operation::RestartConnectorTask,
        Operation::ListBackgroundTasks,
        Operation::ShowBackgroundTask,
        Operation::DeleteBackgroundTask,
        Operation::ShowInstance,
    ];

    /// The operation id of the API reference, e.g. `CreateConnector`.
    pub fn id(self) -> &'static str {
        self.spec().2
    }

    /// The HTTP method, e.g. `POST`.
    pub fn method(self) -> &'static str {
        self.spec().0
    }

    /// The path template of the API reference, e.g.
    /// `/v2/{project_id}/instances/{instance_id}/connector`.
    pub fn path_template(self) -> &'static str {
        self.spec().1
    }

    fn spec(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Operation::CreateConnector => (
                "POST",
                "/v2/{project_id}/instances/{instance_id}/connector",
                "CreateConnector",
            ),
            Operation::DeleteConnector => (
                "POST",
                "/v2/{project_id}/kafka/instances/{instance_id}/delete-connector",
                "DeleteConnector",
            ),
            Operation::CreateConnectorTask => (
                "POST",
                "/v2/{project_id}/instances/{instance_id}/connector/tasks",
                "CreateConnectorTask",
            ),
            Operation::ListConnectorTasks => (
                "GET",
                "/v2/{project_id}/instances/{instance_id}/connector/tasks",
                "ListConnectorTasks",
            ),
            Operation::ShowConnectorTask => (
                "GET",
                "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}",
                "ShowConnectorTask",
            ),
            Operation::DeleteConnectorTask => (
                "DELETE",
                "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}",
                "DeleteConnectorTask",
            ),
            Operation::PauseConnectorTask => (
                "PUT",
                "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}/pause",
                "PauseConnectorTask",
            ),
            Operation::ResumeConnectorTask => (
                "PUT",
                "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}/resume",
                "ResumeConnectorTask",
            ),
            Operation::RestartConnectorTask => (
                "PUT",
                "/v2/{project_id}/kafka/instances/{instance_id}/connector/tasks/{task_id}/restart",
                "RestartConnectorTask",
            ),
            Operation::ListBackgroundTasks => (
                "GET",
                "/v2/{project_id}/instances/{instance_id}/tasks",
                "ListBackgroundTasks",
            ),
            Operation::ShowBackgroundTask => (
                "GET",
                "/v2/{project_id}/instances/{instance_id}/tasks/{task_id}",
                "ShowBackgroundTask",
            ),
            Operation::DeleteBackgroundTask => (
                "DELETE",
                "/v2/{project_id}/instances/{instance_id}/tasks/{task_id}",
                "DeleteBackgroundTask",
            ),
            Operation::ShowInstance => (
                "GET",
                "/v2/{project_id}/instances/{instance_id}",
                "ShowInstance",
            ),
        }
    }

    /// Whether the operation changes the instance (refused while it is busy).
    pub(crate) fn is_change(self) -> bool {
        matches!(
            self,
            Operation::CreateConnector
                | Operation::DeleteConnector
                | Operation::CreateConnectorTask
                | Operation::DeleteConnectorTask
                | Operation::PauseConnectorTask
                | Operation::ResumeConnectorTask
                | Operation::RestartConnectorTask
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A request matched to an operation, with its path parameters percent-decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub operation: Operation,
    pub project_id: String,
    pub instance_id: String,
    /// The `{task_id}` of the operations that have one.
    pub task_id: Option<String>,
}

/// Why a request matches no operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NoRoute {
    /// No operation has this path.
    NotFound,
    /// Operations have this path, with other methods.
    MethodNotAllowed,
}

/// The operation that `method` and the raw (percent-encoded) `path` name.
pub(crate) fn route(method: &Method, path: &str) -> Result<Route, NoRoute> {
    use Operation as Op;

    let Some(rest) = path.strip_prefix('/') else {
        return Err(NoRoute::NotFound);
    };
    let mut segments = Vec::new();
    for raw in rest.split('/') {
        let decoded = percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| NoRoute::NotFound)?;
        if decoded.is_empty() {
            return Err(NoRoute::NotFound);
        }
        segments.push(decoded.into_owned());
    }
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();

    // (operations by method, project, instance, task)
    let (candidates, project, instance, task): (&[(Method, Op)], _, _, _) = match parts[..] {
        ["v2", p, "instances", i] => (&[(Method::GET, Op::ShowInstance)], p, i, None),
        ["v2", p, "instances", i, "connector"] => {
            (&[(Method::POST, Op::CreateConnector)], p, i, None)
        }
        ["v2", p, "kafka", "instances", i, "delete-connector"] => {
            (&[(Method::POST, Op::DeleteConnector)], p, i, None)
        }
        ["v2", p, "instances", i, "connector", "tasks"] => (
            &[
                (Method::POST, Op::CreateConnectorTask),
                (Method::GET, Op::ListConnectorTasks),
            ],
            p,
            i,
            None,
        ),
        ["v2", p, "instances", i, "connector", "tasks", t] => (
            &[
                (Method::GET, Op::ShowConnectorTask),
                (Method::DELETE, Op::DeleteConnectorTask),
            ],
            p,
            i,
            Some(t),
        ),
        ["v2", p, "instances", i, "connector", "tasks", t, "pause"] => {
            (&[(Method::PUT, Op::PauseConnectorTask)], p, i, Some(t))
        }
        ["v2", p, "instances", i, "connector", "tasks", t, "resume"] => {
            (&[(Method::PUT, Op::ResumeConnectorTask)], p, i, Some(t))
        }
        [
            "v2",
            p,
            "kafka",
            "instances",
            i,
            "connector",
            "tasks",
            t,
            "restart",
        ] => (&[(Method::PUT, Op::RestartConnectorTask)], p, i, Some(t)),
        ["v2", p, "instances", i, "tasks"] => {
            (&[(Method::GET, Op::ListBackgroundTasks)], p, i, None)
        }
        ["v2", p, "instances", i, "tasks", t] => (
            &[
                (Method::GET, Op::ShowBackgroundTask),
                (Method::DELETE, Op::DeleteBackgroundTask),
            ],
            p,
            i,
            Some(t),
        ),
        _ => return Err(NoRoute::NotFound),
    };
    let operation = candidates
        .iter()
        .find(|(m, _)| m == method)
        .map(|(_, op)| *op)
        .ok_or(NoRoute::MethodNotAllowed)?;
    Ok(Route {
        operation,
        project_id: project.to_owned(),
        instance_id: instance.to_owned(),
        task_id: task.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_found_by_its_own_method_and_template() {
        for op in Operation::ALL {
            let path = op
                .path_template()
                .replace("{project_id}", "p%2F1")
                .replace("{instance_id}", "i-1")
                .replace("{task_id}", "t-1");
            let method = Method::from_bytes(op.method().as_bytes()).unwrap();
            let route = route(&method, &path).unwrap_or_else(|e| panic!("{op}: {e:?}"));
            assert_eq!(route.operation, op);
            assert_eq!(route.project_id, "p/1");
            assert_eq!(route.instance_id, "i-1");
            assert_eq!(
                route.task_id.is_some(),
                op.path_template().contains("{task_id}")
            );
        }
    }

    #[test]
    fn other_paths_and_methods_are_told_apart() {
        let cases = [
            (
                Method::GET,
                "/v2/p/instances/i/connector",
                NoRoute::MethodNotAllowed,
            ),
            (
                Method::PATCH,
                "/v2/p/instances/i",
                NoRoute::MethodNotAllowed,
            ),
            (Method::GET, "/v2/p/instances/i/", NoRoute::NotFound),
            (Method::GET, "/v2/p/instances//tasks", NoRoute::NotFound),
            (Method::GET, "/v1/p/instances/i", NoRoute::NotFound),
            (Method::GET, "", NoRoute::NotFound),
            (Method::GET, "/v2/p/instances/%FF", NoRoute::NotFound),
            (
                Method::PUT,
                "/v2/p/kafka/instances/i/connector/tasks/t/pause",
                NoRoute::NotFound,
            ),
        ];
        for (method, path, expected) in cases {
            assert_eq!(route(&method, path), Err(expected), "{method} {path}");
        }
    }
}
