//! Which operation a method and a path name: the path templates of the generated operation
//! table ([`Operation::ALL`]), matched segment by segment.

use hyper::Method;
use percent_encoding::percent_decode_str;

use crate::Operation;

/// A request matched to an operation, with its path parameters percent-decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub operation: Operation,
    /// (name, value) of each path parameter, in path order.
    pub params: Vec<(&'static str, String)>,
}

impl Route {
    /// The value of path parameter `name` (`""` when the operation has none of that name).
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, value)| value.as_str())
    }
}

/// Why a request matches no operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum NoRoute {
    /// No operation has this path.
    NotFound,
    /// Operations have this path, with other methods.
    MethodNotAllowed,
    /// The path names an operation, but this integer path parameter is not an integer.
    NotAnInteger(&'static str),
}

/// The operation that `method` and the raw (percent-encoded) `path` name.
pub(crate) fn route(method: &Method, path: &str) -> Result<Route, NoRoute> {
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
    let mut path_found = false;
    for &operation in Operation::ALL {
        let Some(params) = matches(operation, &segments) else {
            continue;
        };
        path_found = true;
        if operation.method() != method.as_str() {
            continue;
        }
        for (name, value) in &params {
            let integer = operation
                .path_params()
                .iter()
                .any(|p| p.name == *name && p.integer);
            if integer && value.parse::<i64>().is_err() {
                return Err(NoRoute::NotAnInteger(name));
            }
        }
        return Ok(Route { operation, params });
    }
    Err(if path_found {
        NoRoute::MethodNotAllowed
    } else {
        NoRoute::NotFound
    })
}

/// The path parameters of `operation` when `segments` fit its path template.
fn matches(operation: Operation, segments: &[String]) -> Option<Vec<(&'static str, String)>> {
    let template: Vec<&'static str> = operation.path_template()[1..].split('/').collect();
    if template.len() != segments.len() {
        return None;
    }
    let mut params = Vec::new();
    for (part, segment) in template.into_iter().zip(segments) {
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) => params.push((name, segment.clone())),
            None if part == segment => {}
            None => return None,
        }
    }
    Some(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_found_by_its_own_method_and_template() {
        for &op in Operation::ALL {
            let mut path = op.path_template().to_owned();
            for param in op.path_params() {
                let value = if param.integer { "7" } else { "p%2F1" };
                path = path.replace(&format!("{{{}}}", param.name), value);
            }
            let method = Method::from_bytes(op.method().as_bytes()).unwrap();
            let route = route(&method, &path).unwrap_or_else(|e| panic!("{op}: {e:?}"));
            assert_eq!(route.operation, op);
            for param in op.path_params() {
                let want = if param.integer { "7" } else { "p/1" };
                assert_eq!(route.param(param.name), want, "{op} {}", param.name);
            }
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
