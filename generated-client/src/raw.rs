//! The escape hatch, written once for every operation: any operation of the spec by its id,
//! with a JSON body you build, through the same hooks as the typed calls.
//!
//! The method and path template come from the generated operation table
//! ([`crate::OPERATIONS`]), so a page added to the spec is reachable here without new code.

use progenitor_client::{ClientHooks, OperationInfo, ResponseValue, encode_path};
use reqwest::header::{ACCEPT, HeaderValue};
use serde::de::DeserializeOwned;

use crate::error::GeneratedError;
use crate::types::ErrorBody;
use crate::{ApiOperation, Client, Error, PathSegment, api_operation};

impl Client {
    /// Operation `operation_id` (as in [`crate::OPERATIONS`], e.g. `create_connector`) with
    /// path parameters, query and JSON body given by hand: for a field or a value the spec
    /// does not know yet. `project_id` is filled in from the configuration unless set. The
    /// request goes through the same hooks as the typed call (signing or token, size limit),
    /// and error replies arrive as [`Error::Service`].
    ///
    /// ```no_run
    /// # async fn run(client: &generated_client::Client) -> Result<(), generated_client::Error> {
    /// use serde_json::json;
    /// let reply = client
    ///     .raw("create_connector")
    ///     .path_param("instance_id", "my-instance-id")
    ///     .body(json!({ "node_cnt": 2 })) // the page's example literally: a number
    ///     .send::<serde_json::Value>()
    ///     .await?;
    /// println!("{}", reply.into_inner()["job_id"]);
    /// # Ok(()) }
    /// ```
    pub fn raw(&self, operation_id: &str) -> RawCall<'_> {
        RawCall {
            client: self,
            operation: api_operation(operation_id)
                .ok_or_else(|| format!("no operation {operation_id:?} in the spec")),
            path: Vec::new(),
            query: Vec::new(),
            body: None,
        }
    }
}

/// A request of [`Client::raw`]; nothing is sent until [`RawCall::send`] is awaited.
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until .send() is awaited"]
pub struct RawCall<'a> {
    client: &'a Client,
    operation: Result<&'static ApiOperation, String>,
    path: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Option<serde_json::Value>,
}

impl RawCall<'_> {
    /// Sets path parameter `name` (sent percent-encoded as one segment; the values that would
    /// not stay one segment are refused, as for the typed calls).
    pub fn path_param(mut self, name: &str, value: &str) -> Self {
        self.path.retain(|(n, _)| n != name);
        self.path.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds query parameter `name=value`.
    pub fn query(mut self, name: &str, value: impl ToString) -> Self {
        self.query.push((name.to_owned(), value.to_string()));
        self
    }

    /// The JSON body, sent as it is.
    pub fn body(mut self, json: serde_json::Value) -> Self {
        self.body = Some(json);
        self
    }

    /// Sends the request; a 2xx reply is read as `T` (use `serde_json::Value` to take it as
    /// it comes; an empty body reads as JSON `null`, so `()` fits a 204).
    pub async fn send<T: DeserializeOwned>(self) -> Result<ResponseValue<T>, Error> {
        self.send_generated().await.map_err(Error::from)
    }

    async fn send_generated<T: DeserializeOwned>(self) -> Result<ResponseValue<T>, GeneratedError> {
        let operation = self.operation.map_err(GeneratedError::InvalidRequest)?;
        let default_project = crate::transport::default_project_id(&self.client.inner);
        let path = fill_template(operation.path, |name| {
            let given = self.path.iter().find(|(n, _)| n == name);
            match (given, name) {
                (Some((_, value)), _) => {
                    PathSegment::new(value).map_err(|e| format!("{name}: {e}"))
                }
                (None, "project_id") => default_project
                    .clone()
                    .ok_or_else(|| "project_id is not set".to_owned()),
                (None, _) => Err(format!("{name} is not set")),
            }
        })
        .map_err(GeneratedError::InvalidRequest)?;
        let method = reqwest::Method::from_bytes(operation.method.as_bytes()).map_err(|_| {
            GeneratedError::InvalidRequest(format!("bad method {}", operation.method))
        })?;
        let mut request = self
            .client
            .client
            .request(method, format!("{}{path}", self.client.baseurl))
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        if !self.query.is_empty() {
            request = request.query(&self.query);
        }
        if let Some(body) = &self.body {
            request = request.json(body);
        }
        let mut request = request.build()?;
        let info = OperationInfo {
            operation_id: operation.id,
        };
        self.client.pre(&mut request, &info).await?;
        let result = self.client.exec(request, &info).await;
        self.client.post(&result, &info).await?;
        let response = result?;
        match response.status().as_u16() {
            200..=299 => {
                let status = response.status();
                let headers = response.headers().clone();
                let bytes = response
                    .bytes()
                    .await
                    .map_err(GeneratedError::ResponseBodyError)?;
                let value = if bytes.is_empty() {
                    serde_json::from_value(serde_json::Value::Null)
                } else {
                    serde_json::from_slice(&bytes)
                }
                .map_err(|e| GeneratedError::InvalidResponsePayload(bytes, e))?;
                Ok(ResponseValue::new(value, status, headers))
            }
            400..=599 => Err(GeneratedError::ErrorResponse(
                ResponseValue::<ErrorBody>::from_response(response).await?,
            )),
            _ => Err(GeneratedError::UnexpectedResponse(response)),
        }
    }
}

/// `template` with every `{name}` replaced by the percent-encoded segment `value(name)`.
fn fill_template(
    template: &str,
    mut value: impl FnMut(&str) -> Result<PathSegment, String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .map(|i| open + i)
            .ok_or_else(|| format!("unclosed {{ in {template}"))?;
        out.push_str(&rest[..open]);
        let segment = value(&rest[open + 1..close])?;
        out.push_str(&encode_path(segment.as_str()));
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_filled_with_encoded_segments() {
        let filled = fill_template("/v2/{project_id}/instances/{instance_id}/tasks", |name| {
            PathSegment::new(if name == "project_id" { "p 1" } else { "i/2" })
                .map_err(|e| e.to_string())
        });
        assert_eq!(filled.unwrap(), "/v2/p%201/instances/i%2F2/tasks");
        let missing = fill_template("/v2/{project_id}", |name| Err(format!("{name} is not set")));
        assert_eq!(missing.unwrap_err(), "project_id is not set");
    }
}
