//! Checks for the spec shapes that progenitor 0.15 rejects with an unclear message, panics on,
//! or silently turns into a client that does not match the API.
//!
//! Every problem names its place as a JSON pointer (and the operation, where there is one), so
//! the author can go straight to the line to fix.

use std::collections::{BTreeSet, HashMap};

use openapiv3::{OpenAPI, Parameter, ReferenceOr, Response, Schema, SchemaKind, StatusCode};
use serde_json::Value;

use crate::Problem;

/// Every problem of `spec` (with `tree` the same document untyped), in document order, when
/// no schema is replaced by a hand-written type.
pub fn problems(spec: &OpenAPI, tree: &Value) -> Vec<Problem> {
    problems_with(spec, tree, &BTreeSet::new())
}

/// Every problem of `spec`, where the component schemas named in `replaced` are generated as
/// hand-written types (so their own keywords need no support from the generated code).
pub fn problems_with(spec: &OpenAPI, tree: &Value, replaced: &BTreeSet<String>) -> Vec<Problem> {
    let mut found = Vec::new();
    check_version(spec, &mut found);
    check_refs(tree, tree, &mut String::from("#"), &mut found);
    check_operations(spec, &mut found);
    check_keywords(tree, replaced, &mut String::from("#"), &mut found);
    found
}

/// The schema every path parameter must have.
pub const PATH_SEGMENT_REF: &str = "#/components/schemas/PathSegment";

/// String formats whose generated type needs a crate a plain client does not have.
const FORMAT_CRATES: [(&str, &str); 3] = [
    ("date", "chrono::NaiveDate (crate chrono)"),
    ("date-time", "chrono::DateTime (crate chrono)"),
    ("uuid", "uuid::Uuid (crate uuid)"),
];

/// `format`s and `pattern`s whose generated code would need crates the client does not have.
fn check_keywords(
    node: &Value,
    replaced: &BTreeSet<String>,
    place: &mut String,
    found: &mut Vec<Problem>,
) {
    match node {
        Value::Object(map) => {
            let replaced_here = place
                .strip_prefix("#/components/schemas/")
                .is_some_and(|name| !name.contains('/') && replaced.contains(name));
            if place.contains("/schema")
                && let Some(Value::String(kind)) = map.get("type")
                && !["string", "integer", "number", "boolean", "array", "object"]
                    .contains(&kind.as_str())
            {
                found.push(Problem {
                    place: format!("{place}/type"),
                    message: format!("unknown type {kind:?}; expected one of string, integer, number, boolean, array, object"),
                });
            }
            if !replaced_here {
                if let Some(Value::String(format)) = map.get("format")
                    && let Some((_, rust)) = FORMAT_CRATES.iter().find(|(f, _)| f == format)
                {
                    found.push(Problem {
                        place: format!("{place}/format"),
                        message: format!("`format: {format}` is generated as {rust}, which the client does not depend on; drop the format (say it in the description) or name the schema and replace it with a hand-written type"),
                    });
                }
                if let Some(Value::String(_)) = map.get("pattern")
                    && map
                        .get("type")
                        .and_then(Value::as_str)
                        .is_none_or(|t| t == "string")
                {
                    found.push(Problem {
                        place: format!("{place}/pattern"),
                        message: "`pattern` on a string is generated as a newtype checked with the crate regress, which the client does not depend on; state the rule in the description, or name the schema and replace it with a hand-written type (as NodeCount)".into(),
                    });
                }
            }
            for (key, child) in map {
                if key == "example" || key == "examples" || key == "enum" || key == "default" {
                    continue;
                }
                let len = place.len();
                place.push('/');
                place.push_str(&token(key));
                check_keywords(child, replaced, place, found);
                place.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = place.len();
                place.push_str(&format!("/{i}"));
                check_keywords(child, replaced, place, found);
                place.truncate(len);
            }
        }
        _ => {}
    }
}

fn check_version(spec: &OpenAPI, found: &mut Vec<Problem>) {
    if !spec.openapi.trim().starts_with("3.0.") {
        found.push(Problem {
            place: "#/openapi".into(),
            message: format!(
                "version {:?} is not supported; progenitor reads OpenAPI 3.0.x only",
                spec.openapi
            ),
        });
    }
}

/// Escapes one JSON pointer token (RFC 6901).
fn token(raw: &str) -> String {
    raw.replace('~', "~0").replace('/', "~1")
}

fn check_refs(root: &Value, node: &Value, place: &mut String, found: &mut Vec<Problem>) {
    match node {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref") {
                match target.as_str() {
                    Some(target) => check_ref(root, target, place, found),
                    None => found.push(Problem {
                        place: place.clone(),
                        message: "$ref must be a string".into(),
                    }),
                }
            }
            for (key, child) in map {
                let len = place.len();
                place.push('/');
                place.push_str(&token(key));
                check_refs(root, child, place, found);
                place.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = place.len();
                place.push_str(&format!("/{i}"));
                check_refs(root, child, place, found);
                place.truncate(len);
            }
        }
        _ => {}
    }
}

fn check_ref(root: &Value, target: &str, place: &str, found: &mut Vec<Problem>) {
    let Some(pointer) = target.strip_prefix('#') else {
        found.push(Problem {
            place: place.to_owned(),
            message: format!(
                "$ref {target:?} points outside this file; only local references (#/...) are supported"
            ),
        });
        return;
    };
    // Tokens are percent-decoded when the reference is a URI fragment ({ and } in path names).
    let pointer = percent_decode(pointer);
    if root.pointer(&pointer).is_none() {
        found.push(Problem {
            place: place.to_owned(),
            message: format!("$ref {target:?} does not resolve to anything in this document"),
        });
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn check_operations(spec: &OpenAPI, found: &mut Vec<Problem>) {
    let mut operation_ids: HashMap<&str, String> = HashMap::new();
    let mut operations = 0;
    for (path, item) in &spec.paths.paths {
        let path_place = format!("#/paths/{}", token(path));
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { .. } => {
                found.push(Problem {
                    place: path_place,
                    message: "a path item given as $ref is not supported by progenitor; write the operations inline".into(),
                });
                continue;
            }
        };
        for (method, operation) in item.iter() {
            operations += 1;
            let op = Operation {
                pointer: format!("{path_place}/{method}"),
                label: format!("{} {path}", method.to_uppercase()),
            };
            let place = op.at("");
            match operation.operation_id.as_deref() {
                None | Some("") => found.push(Problem {
                    place: place.clone(),
                    message:
                        "operation has no operationId; progenitor names the client method after it"
                            .into(),
                }),
                Some(id) => {
                    if let Some(first) = operation_ids.get(id) {
                        found.push(Problem {
                            place: place.clone(),
                            message: format!(
                                "operationId {id:?} is already used at {first}; each must be unique"
                            ),
                        });
                    } else {
                        operation_ids.insert(id, place.clone());
                    }
                }
            }
            let parameters = item
                .parameters
                .iter()
                .enumerate()
                .map(|(i, p)| (format!("{path_place}/parameters/{i}"), p))
                .chain(
                    operation
                        .parameters
                        .iter()
                        .enumerate()
                        .map(|(i, p)| (op.at(&format!("/parameters/{i}")), p)),
                );
            check_path_parameters(spec, path, parameters, &place, found);
            check_responses(spec, &operation.responses, &op, found);
        }
    }
    if operations == 0 {
        found.push(Problem {
            place: "#/paths".into(),
            message: "the spec has no operations, so there is nothing to generate".into(),
        });
    }
}

/// Where an operation is: its JSON pointer and its `METHOD /path` label.
struct Operation {
    pointer: String,
    label: String,
}

impl Operation {
    /// The place `suffix` (a pointer continuation) below this operation.
    fn at(&self, suffix: &str) -> String {
        format!("{}{suffix} ({})", self.pointer, self.label)
    }
}

/// Names between `{` and `}` in a path template.
fn template_names(path: &str) -> BTreeSet<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

fn check_path_parameters<'a>(
    spec: &'a OpenAPI,
    path: &str,
    parameters: impl Iterator<Item = (String, &'a ReferenceOr<Parameter>)>,
    place: &str,
    found: &mut Vec<Problem>,
) {
    let in_template = template_names(path);
    let mut declared = BTreeSet::new();
    for (at, parameter) in parameters {
        let (parameter, at) = match parameter {
            ReferenceOr::Item(p) => (p, at),
            // An unresolvable $ref is reported by the reference check.
            ReferenceOr::Reference { reference } => match resolve_parameter(spec, reference) {
                Some(p) => (p, reference.clone()),
                None => continue,
            },
        };
        if let Parameter::Path { parameter_data, .. } = parameter {
            let name = parameter_data.name.as_str();
            declared.insert(name.to_owned());
            let is_segment = match &parameter_data.format {
                openapiv3::ParameterSchemaOrContent::Schema(ReferenceOr::Reference {
                    reference,
                }) => reference == PATH_SEGMENT_REF,
                // An integer cannot leave its path segment.
                openapiv3::ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) => matches!(
                    schema.schema_kind,
                    openapiv3::SchemaKind::Type(openapiv3::Type::Integer(_))
                ),
                _ => false,
            };
            if !is_segment {
                let (pointer, label) = match at.split_once(" (") {
                    Some((pointer, label)) => (pointer.to_owned(), format!(" ({label}")),
                    None => (at.clone(), String::new()),
                };
                found.push(Problem {
                    place: format!("{pointer}/schema{label}"),
                    message: format!(
                        "path parameter {name:?} must have the schema `$ref: '{PATH_SEGMENT_REF}'` (a string that stays one path segment) or be an integer; any other schema lets a value such as `..` send a signed request to another path"
                    ),
                });
            }
            if !in_template.contains(name) {
                found.push(Problem {
                    place: place.to_owned(),
                    message: format!("path parameter {name:?} is declared but the path template has no {{{name}}}"),
                });
            }
        }
    }
    for name in in_template {
        if !declared.contains(name) {
            found.push(Problem {
                place: place.to_owned(),
                message: format!(
                    "the path template has {{{name}}} but no path parameter {name:?} is declared"
                ),
            });
        }
    }
}

fn resolve_parameter<'a>(spec: &'a OpenAPI, reference: &str) -> Option<&'a Parameter> {
    let name = reference.strip_prefix("#/components/parameters/")?;
    match spec.components.as_ref()?.parameters.get(name)? {
        ReferenceOr::Item(p) => Some(p),
        ReferenceOr::Reference { .. } => None,
    }
}

fn resolve_response<'a>(
    spec: &'a OpenAPI,
    response: &'a ReferenceOr<Response>,
) -> Option<&'a Response> {
    match response {
        ReferenceOr::Item(r) => Some(r),
        ReferenceOr::Reference { reference } => {
            let name = reference.strip_prefix("#/components/responses/")?;
            match spec.components.as_ref()?.responses.get(name)? {
                ReferenceOr::Item(r) => Some(r),
                ReferenceOr::Reference { .. } => None,
            }
        }
    }
}

fn check_responses(
    spec: &OpenAPI,
    responses: &openapiv3::Responses,
    op: &Operation,
    found: &mut Vec<Problem>,
) {
    let is_success = |code: &StatusCode| match code {
        StatusCode::Code(n) => (200..300).contains(n),
        StatusCode::Range(n) => *n == 2,
    };
    let is_error = |code: &StatusCode| match code {
        StatusCode::Code(n) => *n >= 400,
        StatusCode::Range(n) => *n >= 4,
    };
    if responses.default.is_some() && responses.responses.keys().any(is_success) {
        found.push(Problem {
            place: op.at("/responses/default"),
            message: "`default` next to a 2xx response makes progenitor 0.15 panic; describe errors as 4XX and 5XX".into(),
        });
    }
    for (code, response) in &responses.responses {
        let Some(response) = resolve_response(spec, response) else {
            continue;
        };
        if is_error(code) && response.content.is_empty() {
            found.push(Problem {
                place: op.at(&format!("/responses/{code}")),
                message: "error response has no content; give it the error body schema so callers get a typed error".into(),
            });
        }
        for (media, content) in &response.content {
            if let Some(ReferenceOr::Item(schema)) = &content.schema
                && is_structured(schema)
            {
                found.push(Problem {
                    place: op.at(&format!("/responses/{code}/content/{}", token(media))),
                    message: "inline object schema in a response; progenitor names and merges such types by operation, so move it to #/components/schemas and use $ref".into(),
                });
            }
        }
    }
}

/// Schemas that become a named Rust type when generated.
fn is_structured(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(openapiv3::Type::Object(_)) => true,
        SchemaKind::Type(openapiv3::Type::Array(array)) => {
            matches!(&array.items, Some(ReferenceOr::Item(item)) if is_structured(item))
        }
        SchemaKind::OneOf { .. } | SchemaKind::AllOf { .. } | SchemaKind::AnyOf { .. } => true,
        SchemaKind::Any(any) => !any.properties.is_empty(),
        _ => false,
    }
}
