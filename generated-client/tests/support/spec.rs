//! The committed spec as the tests read it: operations, their parameters, the pages' example
//! requests and replies.

use serde_json::{Map, Value, json};

use super::Reply;

/// The committed spec, read as JSON.
pub fn spec() -> Value {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../spec/dms-kafka-smart-connect.yaml"),
    )
    .expect("the committed spec");
    serde_yaml_ng::from_str(&text).expect("the spec is YAML")
}

/// The operation object of the spec whose `operationId` is `id`, with its path and its HTTP
/// method (upper case).
pub fn spec_operation(spec: &Value, id: &str) -> (String, String, Value) {
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            if op["operationId"] == id {
                return (path.clone(), method.to_uppercase(), op.clone());
            }
        }
    }
    panic!("no operation {id} in the spec")
}

/// `CreateConnector` as `create_connector` (the snapshots' names).
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `#/components/schemas/X` resolved, or the schema itself.
pub fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => spec
            .pointer(&reference.replace("#/", "/"))
            .expect("a $ref into the spec"),
        None => schema,
    }
}

/// A value the test sends for a parameter: `instance_id` → `instance-1`; an integer its
/// minimum (or 1); a string `<name>-1`.
pub fn sample(spec: &Value, param: &Value) -> Value {
    let name = param["name"].as_str().expect("a name");
    let schema = resolve(spec, &param["schema"]);
    match schema["type"].as_str() {
        Some("integer") => json!(schema["minimum"].as_i64().unwrap_or(1)),
        Some("boolean") => json!(true),
        _ => json!(format!("{}-1", name.trim_end_matches("_id"))),
    }
}

/// The path and query parameters the test sends, by name (all but `project_id`, which the
/// client's configuration fills in).
pub fn params(spec: &Value, op: &Value) -> Map<String, Value> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] != "project_id")
        .map(|p| (p["name"].as_str().unwrap().to_owned(), sample(spec, p)))
        .collect()
}

/// One of a page's example request bodies.
pub struct ExampleRequest {
    /// The body, read as its table types it (see [`conform`]): what a caller builds the typed
    /// body from, and what the wire carries.
    pub body: Value,
    /// Where the example breaks a limit of its own table (a redacted password shorter than
    /// the minimum, say), found by [`breach`]: the client must refuse it before sending.
    pub breach: Option<String>,
    /// The body brought within those limits (strings padded or cut, numbers clamped): one the
    /// client sends. The body itself where it breaks none.
    pub within_limits: Value,
}

/// The example request bodies of the operation's page, in order.
pub fn example_requests(spec: &Value, op: &Value) -> Vec<ExampleRequest> {
    let Some(media) = op.pointer("/requestBody/content/application~1json") else {
        return Vec::new();
    };
    let schema = &media["schema"];
    media["examples"]
        .as_object()
        .into_iter()
        .flat_map(|examples| examples.values())
        .map(|example| {
            let body = conform(spec, &example["value"], schema);
            let breach = breach(spec, &body, schema, "body");
            let within_limits = within_limits(spec, &body, schema);
            ExampleRequest {
                body,
                breach,
                within_limits,
            }
        })
        .collect()
}

/// The first limit of `schema` (lengths, bounds) that `value` breaks, named by its place, read
/// from the spec independently of the generated types.
pub fn breach(spec: &Value, value: &Value, schema: &Value, place: &str) -> Option<String> {
    let schema = resolve(spec, schema);
    let limit = |key: &str| schema[key].as_f64();
    match value {
        Value::String(text) => {
            let length = text.chars().count() as f64;
            if limit("minLength").is_some_and(|min| length < min) {
                return Some(format!("{place}: shorter than minLength"));
            }
            if limit("maxLength").is_some_and(|max| length > max) {
                return Some(format!("{place}: longer than maxLength"));
            }
            None
        }
        Value::Number(n) => {
            let n = n.as_f64()?;
            if limit("minimum").is_some_and(|min| n < min) {
                return Some(format!("{place}: below minimum"));
            }
            if limit("maximum").is_some_and(|max| n > max) {
                return Some(format!("{place}: above maximum"));
            }
            None
        }
        Value::Object(object) => object.iter().find_map(|(key, v)| {
            breach(
                spec,
                v,
                &schema["properties"][key],
                &format!("{place}.{key}"),
            )
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| breach(spec, v, &schema["items"], &format!("{place}[{i}]"))),
        _ => None,
    }
}

/// `value` brought within the lengths and bounds of `schema`.
fn within_limits(spec: &Value, value: &Value, schema: &Value) -> Value {
    let schema = resolve(spec, schema);
    let limit = |key: &str| schema[key].as_u64().map(|n| n as usize);
    match value {
        Value::String(text) => {
            let mut text: String = text
                .chars()
                .take(limit("maxLength").unwrap_or(usize::MAX))
                .collect();
            while text.chars().count() < limit("minLength").unwrap_or(0) {
                text.push('x');
            }
            json!(text)
        }
        Value::Number(n) => {
            let (min, max) = (schema["minimum"].as_f64(), schema["maximum"].as_f64());
            match n.as_f64() {
                Some(x) if min.is_some_and(|min| x < min) => schema["minimum"].clone(),
                Some(x) if max.is_some_and(|max| x > max) => schema["maximum"].clone(),
                _ => value.clone(),
            }
        }
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, v)| {
                    let fitted = within_limits(spec, v, &schema["properties"][key]);
                    (key.clone(), fitted)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| within_limits(spec, v, &schema["items"]))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The reply the page shows: the first 2xx, with its example body when it has one (read as
/// its table types it, see [`conform`]).
pub fn example_reply(spec: &Value, op: &Value) -> Reply {
    let (status, response) = success_reply(op).expect("a success reply");
    let status: u16 = status.parse().unwrap_or(200);
    let media = &response["content"]["application/json"];
    match media.get("examples") {
        Some(examples) => {
            let body = examples
                .as_object()
                .and_then(|e| e.values().next())
                .expect("an example");
            let body = conform(spec, &body["value"], &media["schema"]);
            Reply::json(status, &body.to_string())
        }
        None if response.get("content").is_some() => Reply::json(status, "{}"),
        None => Reply::status(status),
    }
}

/// Whether the page's success reply has a body.
pub fn documents_body(op: &Value) -> bool {
    success_reply(op).is_some_and(|(_, response)| response.get("content").is_some())
}

/// The operation's first 2xx reply: its status and its response object.
fn success_reply(op: &Value) -> Option<(&String, &Value)> {
    op["responses"]
        .as_object()
        .expect("responses")
        .iter()
        .find(|(status, _)| status.starts_with('2'))
}

/// An example as its table types it: a number where the spec says string written as a string
/// (`node_cnt`: the table types it String, the page's example writes the number 2), and a
/// boolean or a number written as a string read as one. What the body on the wire must mean
/// for an example request body.
pub fn conform(spec: &Value, value: &Value, schema: &Value) -> Value {
    let schema = resolve(spec, schema);
    match value {
        Value::Number(n) if schema["type"] == "string" => json!(n.to_string()),
        // A page's example that writes a boolean or a number as a string, against its table.
        Value::String(text)
            if schema["type"] == "boolean" && (text == "true" || text == "false") =>
        {
            json!(text == "true")
        }
        Value::String(text) if schema["type"] == "integer" || schema["type"] == "number" => {
            serde_json::from_str::<serde_json::Number>(text)
                .map_or_else(|_| json!(text), Value::Number)
        }
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, v)| {
                    let property = &schema["properties"][key];
                    (key.clone(), conform(spec, v, property))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| conform(spec, v, &schema["items"]))
                .collect(),
        ),
        other => other.clone(),
    }
}
