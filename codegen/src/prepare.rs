//! The spec as progenitor gets it. The committed spec stays as the pages say; these rules are
//! the generator's policy, the same for every operation:
//!
//! - **Unset stays unset.** A `default` on a property is what the *service* assumes when the
//!   field is absent. typify would turn it into a non-optional field that is always sent (and
//!   filled in on replies), so property defaults are dropped: the field stays an `Option`, an
//!   unset field is left out of the body, and the description still states the default.
//! - **Replies are read leniently.** A schema that a response body reaches is generated without
//!   `enum`, `minimum`/`maximum`, `minLength`/`maxLength`, `pattern` and
//!   `additionalProperties: false`: a new enum value or an out-of-range number from the service
//!   must not turn a successful call into a decoding error.
//! - **Error codes beside their range.** An explicit `403` with the same body as `4XX` is left
//!   to the range (progenitor would put it after the range as an unreachable match arm).
//! - **One success type.** progenitor 0.15 asserts one response type per operation. Where a
//!   2xx without a body sits beside a 2xx with one, progenitor sees only those with a body; a
//!   bodyless reply then arrives as `Error::UnexpectedResponse`, whose status tells it apart.

use std::collections::BTreeSet;

use openapiv3::OpenAPI;
use serde_json::{Map, Value};

/// Applies the rules above; a spec that does not survive the round trip is passed on unchanged
/// (the validator has already checked it, progenitor reports what remains).
pub fn for_progenitor(spec: OpenAPI) -> OpenAPI {
    match prepared_tree(&spec) {
        Some(tree) => serde_json::from_value(tree).unwrap_or(spec),
        None => spec,
    }
}

/// The rules above applied to `spec`, as a tree; `None` if it does not convert.
pub(crate) fn prepared_tree(spec: &OpenAPI) -> Option<Value> {
    let mut tree = serde_json::to_value(spec).ok()?;
    one_success_type(&mut tree);
    let reached = reached_by_responses(&tree);
    if let Some(schemas) = tree
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            if reached.contains(name) {
                visit(schema, &mut lenient);
            }
        }
    }
    visit_all(&mut tree, &mut drop_property_defaults);
    Some(tree)
}

/// Calls `f` on `schema` and on every schema nested inline in it.
fn visit(schema: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    f(object);
    if let Some(properties) = object.get_mut("properties").and_then(Value::as_object_mut) {
        for child in properties.values_mut() {
            visit(child, f);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = object.get_mut(key) {
            visit(child, f);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(children) = object.get_mut(key).and_then(Value::as_array_mut) {
            for child in children {
                visit(child, f);
            }
        }
    }
}

/// Visits every schema of the document: components, parameters, bodies.
fn visit_all(tree: &mut Value, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    match tree {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key == "schema" {
                    visit(child, f);
                } else if key == "schemas" {
                    if let Some(schemas) = child.as_object_mut() {
                        for schema in schemas.values_mut() {
                            visit(schema, f);
                        }
                    }
                } else if key != "examples" && key != "example" {
                    visit_all(child, f);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|c| visit_all(c, f)),
        _ => {}
    }
}

fn drop_property_defaults(schema: &mut Map<String, Value>) {
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for property in properties.values_mut() {
            if let Some(p) = property.as_object_mut() {
                p.remove("default");
            }
        }
    }
}

fn lenient(schema: &mut Map<String, Value>) {
    for key in [
        "enum",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
    ] {
        schema.remove(key);
    }
    if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
        schema.remove("additionalProperties");
    }
}

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && let Some(name) = r.strip_prefix("#/components/schemas/")
            {
                out.push(name.to_owned());
            }
            for (key, child) in map {
                if key != "examples" && key != "example" {
                    refs(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|c| refs(c, out)),
        _ => {}
    }
}

/// Component schemas reachable from any response body.
fn reached_by_responses(tree: &Value) -> BTreeSet<String> {
    let mut todo = Vec::new();
    if let Some(paths) = tree.get("paths").and_then(Value::as_object) {
        for item in paths.values() {
            for operation in item.as_object().into_iter().flat_map(|m| m.values()) {
                if let Some(responses) = operation.get("responses") {
                    refs(responses, &mut todo);
                }
            }
        }
    }
    if let Some(responses) = tree.pointer("/components/responses") {
        refs(responses, &mut todo);
    }
    let mut reached = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if reached.insert(name.clone())
            && let Some(schema) = tree.pointer(&format!(
                "/components/schemas/{}",
                name.replace('~', "~0").replace('/', "~1")
            ))
        {
            refs(schema, &mut todo);
        }
    }
    reached
}

fn one_success_type(tree: &mut Value) {
    let Some(paths) = tree.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for operation in item.values_mut() {
            let Some(responses) = operation
                .get_mut("responses")
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            let success = |code: &str| code.starts_with('2');
            let has_body = |r: &Value| {
                r.get("$ref").is_some()
                    || r.get("content")
                        .and_then(Value::as_object)
                        .is_some_and(|c| !c.is_empty())
            };
            // An error code beside its range with the same body: the range alone generates the
            // same client (progenitor would emit an unreachable match arm for the code).
            for class in ['4', '5'] {
                let range = format!("{class}XX");
                let schema = |r: &Value| r.pointer("/content/application~1json/schema").cloned();
                let Some(range_schema) = responses.get(&range).map(schema) else {
                    continue;
                };
                responses.retain(|code, r| {
                    !(code.len() == 3
                        && code.starts_with(class)
                        && code.chars().all(|c| c.is_ascii_digit())
                        && schema(r) == range_schema)
                });
            }
            let any_body = responses
                .iter()
                .any(|(code, r)| success(code) && has_body(r));
            if any_body {
                responses.retain(|code, r| !success(code) || has_body(r));
            }
        }
    }
}
