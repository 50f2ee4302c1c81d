//! Operations → one OpenAPI 3.0.3 document, with the conventions every operation shares:
//! the servers, the two security schemes, `PathSegment` for every path parameter and
//! `ErrorBody` for every error response.

use std::collections::BTreeMap;

use serde_yaml_ng::{Mapping, Value};

use super::operation::{ERROR_BODY, PATH_SEGMENT};
use super::schema::{map, s};
use super::{Operation, Warning, import_page};
use crate::Error;

/// An imported document and what was noticed on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The OpenAPI document, keys in a reading order.
    pub document: Value,
    /// Warnings of every page, in page order, then those of assembling.
    pub warnings: Vec<Warning>,
}

/// Imports `pages` (name, text), one operation each, and assembles them.
pub fn import(pages: &[(&str, &str)]) -> Result<Imported, Error> {
    let operations = pages
        .iter()
        .map(|(name, text)| import_page(name, text))
        .collect::<Result<Vec<_>, _>>()?;
    assemble(operations)
}

fn conventions() -> (Value, Value, Value) {
    let servers = Value::Sequence(vec![map([
        ("url", s("https://{endpoint}")),
        ("description", s("The service's regional endpoint.")),
        (
            "variables",
            map([(
                "endpoint",
                map([
                    ("default", s("localhost")),
                    (
                        "description",
                        s("Host name of the service's endpoint in the region."),
                    ),
                ]),
            )]),
        ),
    ])]);
    let security = Value::Sequence(vec![
        map([("akskSignature", Value::Sequence(vec![]))]),
        map([("iamToken", Value::Sequence(vec![]))]),
    ]);
    let schemes = map([
        (
            "akskSignature",
            map([
                ("type", s("apiKey")),
                ("in", s("header")),
                ("name", s("Authorization")),
                (
                    "description",
                    s(
                        "AK/SK signature (SDK-HMAC-SHA256). The request is signed with the secret access key and sent with `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...`, together with the signed `X-Sdk-Date` and `X-Project-Id` headers (and `X-Security-Token` for temporary credentials).",
                    ),
                ),
            ]),
        ),
        (
            "iamToken",
            map([
                ("type", s("apiKey")),
                ("in", s("header")),
                ("name", s("X-Auth-Token")),
                (
                    "description",
                    s(
                        "IAM token obtained from `POST /v3/auth/tokens` of the IAM service (returned in the `X-Subject-Token` response header), sent unsigned in `X-Auth-Token`.",
                    ),
                ),
            ]),
        ),
    ]);
    (servers, security, schemes)
}

fn shared_schemas() -> Vec<(String, Value)> {
    vec![
        (
            PATH_SEGMENT.to_owned(),
            map([
                ("type", s("string")),
                (
                    "description",
                    s(
                        "The value of a path parameter. It is sent percent-encoded as exactly one path segment, so it must not be empty, \".\" or \"..\" (which URL resolution would remove) and must not contain a backslash (which URLs read as \"/\").",
                    ),
                ),
            ]),
        ),
        (
            ERROR_BODY.to_owned(),
            map([
                ("type", s("object")),
                (
                    "description",
                    s(
                        "Error body returned with 4xx and 5xx status codes. See the service's Error Codes page.",
                    ),
                ),
                (
                    "properties",
                    map([
                        (
                            "error_code",
                            map([
                                ("type", s("string")),
                                ("description", s("Error code, for example DMS.00400062.")),
                            ]),
                        ),
                        (
                            "error_msg",
                            map([("type", s("string")), ("description", s("Error message."))]),
                        ),
                    ]),
                ),
            ]),
        ),
    ]
}

/// Replaces every `$ref` to `#/components/schemas/{from}` in `value` by one to `to`.
fn rename_refs(value: &mut Value, from: &str, to: &str) {
    let old = format!("#/components/schemas/{from}");
    match value {
        Value::Mapping(m) => {
            for (k, v) in m.iter_mut() {
                if k.as_str() == Some("$ref") && v.as_str() == Some(old.as_str()) {
                    *v = s(&format!("#/components/schemas/{to}"));
                } else {
                    rename_refs(v, from, to);
                }
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(|v| rename_refs(v, from, to)),
        _ => {}
    }
}

/// Puts operations together. A component name defined identically by several pages is
/// shared; defined differently, every definer's copy is renamed `{OperationId}{Name}` (in
/// page order, whatever the order) and a warning says so.
pub fn assemble(mut operations: Vec<Operation>) -> Result<Imported, Error> {
    let mut warnings: Vec<Warning> = operations.iter().flat_map(|o| o.warnings.clone()).collect();

    // Same name, different content: qualify every definer. Repeat, since renaming a schema
    // changes those that refer to it.
    let reserved = shared_schemas();
    for _ in 0..8 {
        let mut definitions: BTreeMap<String, Vec<(usize, Value)>> = BTreeMap::new();
        for (name, schema) in &reserved {
            definitions
                .entry(name.clone())
                .or_default()
                .push((usize::MAX, schema.clone()));
        }
        for (i, op) in operations.iter().enumerate() {
            for (name, schema) in &op.schemas {
                definitions
                    .entry(name.clone())
                    .or_default()
                    .push((i, schema.clone()));
            }
        }
        let clashes: Vec<(String, Vec<usize>)> = definitions
            .into_iter()
            .filter(|(_, defs)| defs.iter().any(|(_, d)| *d != defs[0].1))
            .map(|(name, defs)| {
                // A body named by the convention ({OperationId}Req / {OperationId}Resp) keeps
                // its name; the nested tables that clash with it are qualified.
                let is_body = |i: usize| {
                    let id = &operations[i].operation_id;
                    name.strip_prefix(id.as_str())
                        .is_some_and(|rest| rest.starts_with("Req") || rest.starts_with("Resp"))
                };
                let mut users: Vec<usize> = defs
                    .into_iter()
                    .map(|(i, _)| i)
                    .filter(|i| *i != usize::MAX && !is_body(*i))
                    .collect();
                users.dedup();
                (name, users)
            })
            .filter(|(_, users)| !users.is_empty())
            .collect();
        if clashes.is_empty() {
            break;
        }
        for (name, users) in clashes {
            let pages: Vec<String> = users.iter().map(|&i| operations[i].page.clone()).collect();
            for &i in &users {
                let op = &mut operations[i];
                let qualified = format!("{}{name}", op.operation_id);
                for (n, schema) in op.schemas.iter_mut() {
                    if *n == name {
                        *n = qualified.clone();
                    }
                    rename_refs(schema, &name, &qualified);
                }
                rename_refs(&mut op.operation, &name, &qualified);
            }
            warnings.push(Warning {
                page: pages.join(", "),
                line: 0,
                message: format!(
                    "the table name `{name}` stands for different tables on these pages (or for a body or shared schema of that name); each of these pages' tables is named `{{OperationId}}{name}`"
                ),
            });
        }
    }

    let mut paths = Mapping::new();
    let mut seen: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut schemas = Mapping::new();
    for (name, schema) in reserved {
        schemas.insert(s(&name), schema);
    }
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    for op in operations {
        if let Some(first) = seen.insert((op.path.clone(), op.method.clone()), op.page.clone()) {
            return Err(Error::Page {
                name: op.page,
                line: 0,
                message: format!(
                    "{} {} is also the operation of {first}; one page per operation",
                    op.method.to_uppercase(),
                    op.path
                ),
            });
        }
        if let Some(first) = ids.insert(op.operation_id.clone(), op.page.clone()) {
            return Err(Error::Page {
                name: op.page,
                line: 0,
                message: format!(
                    "operationId {} is also the label of {first}",
                    op.operation_id
                ),
            });
        }
        let item = paths
            .entry(s(&op.path))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if let Some(m) = item.as_mapping_mut() {
            m.insert(s(&op.method), op.operation);
        }
        for (name, schema) in op.schemas {
            if !schemas.contains_key(name.as_str()) {
                schemas.insert(s(&name), schema);
            }
        }
    }

    let (servers, security, schemes) = conventions();
    let document = map([
        ("openapi", s("3.0.3")),
        (
            "info",
            map([
                ("title", s("API transcribed from its reference pages")),
                ("version", s("1.0.0")),
            ]),
        ),
        ("servers", servers),
        ("security", security),
        ("paths", Value::Mapping(paths)),
        (
            "components",
            map([
                ("securitySchemes", schemes),
                ("schemas", Value::Mapping(schemas)),
            ]),
        ),
    ]);
    Ok(Imported { document, warnings })
}
