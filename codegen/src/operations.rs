//! The client's own per-operation layer, generated from the same spec as progenitor's code and
//! written beside it (progenitor's output is used as progenitor writes it).
//!
//! For every operation of the spec it writes:
//!
//! - `impl Client { pub fn <operation>(&self) -> builder::<Operation> }`: the call a user
//!   makes, a builder around progenitor's builder with the same setters (path parameters,
//!   query parameters, body), the path defaults of [`Layer::path_defaults`] filled in, and a
//!   `send()` that returns the client's own error type ([`Layer::error_type`]);
//! - `Operation`, one variant per operation: its id, HTTP method, path template and summary,
//!   for the hooks (tracing, routing) and for tests;
//! - for a stand-in server ([`Layer::local_dms_cfg`]): each operation's path parameters, a
//!   check of a request body against the operation's request type, and the page's example
//!   reply.
//!
//! Types are named as progenitor names them: typify, with the same settings, resolves each
//! parameter, body and reply schema.

use std::collections::BTreeMap;

use heck::{ToPascalCase, ToSnakeCase};
use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, StatusCode};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use typify::{TypeDetails, TypeSpace, TypeSpaceSettings};

use crate::{Error, Settings};

/// A path parameter that every `Client::<operation>()` method pre-fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathDefault {
    /// The path parameter's name, as the builder's setter is named (e.g. `project_id`).
    pub param: String,
    /// A Rust expression of type `Option<V>`, where `V` is accepted by the builder's setter;
    /// evaluated inside `impl Client` (so `self` is the client), e.g.
    /// `crate::transport::default_project_id(self)`.
    pub expr: String,
}

/// How the per-operation layer fits the client crate it is compiled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// The module holding progenitor's output (e.g. `crate::generated`): its `builder`s.
    pub progenitor_module: String,
    /// The client type the calls are methods of (e.g. `crate::Client`). It must have a method
    /// `generated(&self) -> &<progenitor_module>::Client`.
    pub client_type: String,
    /// The error every `send()` returns (e.g. `crate::Error`). It must have a function
    /// `from_generated(progenitor_client::Error<E>) -> Self` for the spec's error body `E`; a
    /// path parameter that did not convert arrives there as progenitor's `InvalidRequest`.
    pub error_type: String,
    /// Path parameters every call pre-fills.
    pub path_defaults: Vec<PathDefault>,
    /// The `cfg` predicate (e.g. `feature = "local-dms"`) under which the stand-in's tables are
    /// compiled; `None`: they are not generated.
    pub local_dms_cfg: Option<String>,
    /// The paging conventions of the service's lists. An operation whose query has a
    /// convention's two parameters and whose reply has one array of named items (a `$ref`
    /// schema or a scalar) gets `into_stream(page_size)` on its builder.
    pub paging: Vec<Paging>,
    /// The function the streams are made with (e.g. `crate::paging::items`), called as
    /// `items(page_size: u32, first: u32, fetch)` where `fetch(position: u32, limit: u32)`
    /// answers a future of `Result<(Vec<Item>, Option<u64>), error_type>`: a page's items
    /// and the reply's total, if it has one.
    pub paging_fn: String,
}

/// A list's paging convention: the query parameter that says where a page starts, the one
/// that says how many items it holds, and the reply's field that counts all items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paging {
    /// Where a page starts (e.g. `offset`).
    pub position: String,
    /// The first page's position (`0` for an offset, `1` for a 1-based start).
    pub first: u32,
    /// How many items a page holds (e.g. `limit`).
    pub limit: String,
    /// The names the reply may count all items by (e.g. `total_number`): the first one the
    /// reply has is read, an integer or a decimal string; without one a stream ends on a
    /// short page.
    pub totals: Vec<String>,
}

/// One operation, as the layer needs it.
struct Operation {
    id: String,
    variant: Ident,
    method_name: Ident,
    http_method: String,
    path: String,
    summary: String,
    description: String,
    path_params: Vec<Param>,
    query_params: Vec<Param>,
    body: Option<Body>,
    reply: TokenStream,
    example_reply: Option<ExampleReply>,
    list: Option<ListReply>,
}

/// A success reply with one array of named items, and its other top-level fields.
struct ListReply {
    /// The array's field.
    items: Ident,
    /// The type of one item.
    item_ty: TokenStream,
    /// The other fields: name, and whether the spec types it as an integer (else a string).
    fields: Vec<(String, bool)>,
}

struct Param {
    api_name: String,
    ident: Ident,
    ty: TokenStream,
    type_name: String,
    description: String,
    integer: bool,
}

struct Body {
    ty: TokenStream,
    required: bool,
}

/// A success reply: its status and, when the page documents a JSON body, its example (JSON
/// text; `{}` when the page shows none).
type ExampleReply = (u16, Option<String>);

/// Generates the formatted per-operation layer for the spec `text` named `name`, for a client
/// generated from the same spec with `settings`.
pub fn generate_operations(
    name: &str,
    text: &str,
    settings: &Settings,
    layer: &Layer,
) -> Result<String, Error> {
    let text = text.replace("\r\n", "\n");
    let operations = operations(name, &text, settings)?;
    let tokens = layer_tokens(&operations, layer)?;
    crate::generate::formatted(
        name,
        &text,
        settings,
        "the per-operation layer of codegen::generate_operations",
        tokens,
    )
}

/// A type space with progenitor's settings, in which every component schema is known by its
/// name (a placeholder: only the names matter to the layer).
fn type_space(spec: &OpenAPI, settings: &Settings) -> TypeSpace {
    let mut type_settings = TypeSpaceSettings::default();
    type_settings
        .with_type_mod("types")
        .with_struct_builder(true);
    for replacement in &settings.replacements {
        type_settings.with_replacement(
            &replacement.schema,
            &replacement.rust_type,
            std::iter::empty(),
        );
    }
    for conversion in &settings.conversions {
        type_settings.with_conversion(
            conversion.schema(),
            &conversion.rust_type,
            std::iter::empty(),
        );
    }
    let mut types = TypeSpace::new(&type_settings);
    let placeholder: schemars::schema::Schema = serde_json::from_value(serde_json::json!({
        "type": "object",
        "properties": { "x": { "type": "string" } },
        "required": ["x"]
    }))
    .expect("a valid schema");
    let names = spec
        .components
        .iter()
        .flat_map(|c| c.schemas.keys())
        .map(|name| (name.clone(), placeholder.clone()));
    // Placeholder objects always convert.
    let _ = types.add_ref_types(names);
    types
}

/// progenitor's names: `sanitize(input, case)` of progenitor-impl.
fn sanitize(input: &str, pascal: bool) -> String {
    let cleaned: String = input
        .replace('\'', "")
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let out = if pascal {
        cleaned.to_pascal_case()
    } else {
        cleaned.to_snake_case()
    };
    let out = match out.chars().next() {
        None => "x".to_owned(),
        Some(c) if c.is_alphabetic() || c == '_' => out,
        Some(_) => format!("_{out}"),
    };
    if typify::accept_as_ident(&out) {
        out
    } else {
        format!("{out}_")
    }
}

fn type_of(
    name: &str,
    place: &str,
    types: &mut TypeSpace,
    schema: &ReferenceOr<openapiv3::Schema>,
    type_name: String,
    unwrap_option: bool,
) -> Result<(TokenStream, String), Error> {
    let problem = |message: String| Error::Invalid {
        name: name.to_owned(),
        problems: vec![crate::Problem {
            place: place.to_owned(),
            message,
        }],
    };
    let json = serde_json::to_value(schema).map_err(|e| problem(e.to_string()))?;
    let schema: schemars::schema::Schema =
        serde_json::from_value(json).map_err(|e| problem(e.to_string()))?;
    let id = types
        .add_type_with_name(&schema, Some(type_name))
        .map_err(|e| problem(format!("typify cannot name this type: {e}")))?;
    let ty = types
        .get_type(&id)
        .map_err(|e| problem(format!("typify cannot name this type: {e}")))?;
    if unwrap_option && let TypeDetails::Option(inner) = ty.details() {
        let inner = types
            .get_type(&inner)
            .map_err(|e| problem(format!("typify cannot name this type: {e}")))?;
        return Ok((inner.ident(), inner.name()));
    }
    Ok((ty.ident(), ty.name()))
}

/// Every operation of the spec `text` named `name`, checked and prepared for `settings`, its
/// types named as progenitor names them.
fn operations(name: &str, text: &str, settings: &Settings) -> Result<Vec<Operation>, Error> {
    let spec = &crate::generate::checked_spec(name, text, settings)?;
    let types = &mut type_space(spec, settings);
    let tree = serde_json::to_value(spec).unwrap_or_default();
    let mut out = Vec::new();
    for (path, item) in &spec.paths.paths {
        let Some(item) = item.as_item() else {
            continue;
        };
        for (method, op) in item.iter() {
            let Some(id) = op.operation_id.clone() else {
                continue;
            };
            let place = format!("{method} {path} ({id})");
            let pascal = sanitize(&id, true);
            let mut path_params = Vec::new();
            let mut query_params = Vec::new();
            let params = item.parameters.iter().chain(&op.parameters);
            for param in params {
                let ReferenceOr::Item(param) = param else {
                    return Err(invalid(
                        name,
                        &place,
                        "a parameter by $ref is not supported",
                    ));
                };
                let data = param.parameter_data_ref();
                let ParameterSchemaOrContent::Schema(schema) = &data.format else {
                    return Err(invalid(name, &place, "a parameter needs a schema"));
                };
                let type_name = sanitize(&format!("{id}-{}", data.name), true);
                let is_query = matches!(param, Parameter::Query { .. });
                let (ty, type_name) = type_of(name, &place, types, schema, type_name, is_query)?;
                let integer = matches!(
                    schema,
                    ReferenceOr::Item(s) if matches!(s.schema_kind, openapiv3::SchemaKind::Type(openapiv3::Type::Integer(_)))
                );
                let param_model = Param {
                    api_name: data.name.clone(),
                    ident: format_ident!("{}", sanitize(&data.name, false)),
                    ty,
                    type_name,
                    description: data.description.clone().unwrap_or_default(),
                    integer,
                };
                match param {
                    Parameter::Path { .. } => path_params.push(param_model),
                    Parameter::Query { .. } => query_params.push(param_model),
                    _ => {
                        return Err(invalid(
                            name,
                            &place,
                            &format!(
                                "parameter {:?}: only path and query parameters are supported",
                                data.name
                            ),
                        ));
                    }
                }
            }
            let body = match &op.request_body {
                None => None,
                Some(ReferenceOr::Reference { .. }) => {
                    return Err(invalid(
                        name,
                        &place,
                        "a request body by $ref is not supported",
                    ));
                }
                Some(ReferenceOr::Item(body)) => {
                    let Some(media) = body.content.get("application/json") else {
                        return Err(invalid(
                            name,
                            &place,
                            "only JSON request bodies are supported",
                        ));
                    };
                    let Some(schema) = &media.schema else {
                        return Err(invalid(
                            name,
                            &place,
                            "the JSON request body needs a schema",
                        ));
                    };
                    let type_name = sanitize(&format!("{id}-body"), true);
                    let (ty, _) = type_of(name, &place, types, schema, type_name, false)?;
                    Some(Body {
                        ty,
                        required: body.required,
                    })
                }
            };
            let (reply, example_reply, list) = reply(name, &place, &id, op, types, &tree)?;
            out.push(Operation {
                variant: format_ident!("{pascal}"),
                method_name: format_ident!("{}", sanitize(&id, false)),
                id,
                http_method: method.to_uppercase(),
                path: path.clone(),
                summary: op.summary.clone().unwrap_or_default(),
                description: op.description.clone().unwrap_or_default(),
                path_params,
                query_params,
                body,
                reply,
                example_reply,
                list,
            });
        }
    }
    Ok(out)
}

fn invalid(name: &str, place: &str, message: &str) -> Error {
    Error::Invalid {
        name: name.to_owned(),
        problems: vec![crate::Problem {
            place: place.to_owned(),
            message: message.to_owned(),
        }],
    }
}

/// The success type progenitor gives the operation, and the page's example success reply.
fn reply(
    name: &str,
    place: &str,
    id: &str,
    op: &openapiv3::Operation,
    types: &mut TypeSpace,
    tree: &serde_json::Value,
) -> Result<(TokenStream, Option<ExampleReply>, Option<ListReply>), Error> {
    let mut found: BTreeMap<u16, (TokenStream, Option<String>, Option<ListReply>)> =
        BTreeMap::new();
    for (code, response) in &op.responses.responses {
        let status = match code {
            StatusCode::Code(code @ 200..=299) => *code,
            StatusCode::Range(2) => 200,
            _ => continue,
        };
        let ReferenceOr::Item(response) = response else {
            return Err(invalid(name, place, "a response by $ref is not supported"));
        };
        let json = response.content.iter().find(|(media, _)| {
            *media == "application/json" || media.starts_with("application/json;")
        });
        let (ty, example, list) = match json {
            Some((_, media)) => {
                let Some(schema) = &media.schema else {
                    return Err(invalid(name, place, "a JSON reply needs a schema"));
                };
                let type_name = sanitize(&format!("{id}-response"), true);
                let (ty, _) = type_of(name, place, types, schema, type_name, false)?;
                let example = media
                    .example
                    .clone()
                    .or_else(|| {
                        media.examples.values().find_map(|e| match e {
                            ReferenceOr::Item(e) => e.value.clone(),
                            ReferenceOr::Reference { .. } => None,
                        })
                    })
                    .map(|value| {
                        let schema = serde_json::to_value(schema).unwrap_or_default();
                        conform(tree, &value, &schema).to_string()
                    })
                    .unwrap_or_else(|| "{}".to_owned());
                let list = list_reply(name, place, types, tree, schema)?;
                (ty, Some(example), list)
            }
            None if response.content.is_empty() => (quote!(()), None, None),
            None => (quote!(progenitor_client::ByteStream), None, None),
        };
        found.insert(status, (ty, example, list));
    }
    let mut replies = found.into_iter();
    let Some((status, (ty, example, list))) = replies.next() else {
        return Ok((quote!(()), None, None));
    };
    for (other, (other_ty, _, _)) in replies {
        if other_ty.to_string() != ty.to_string() {
            return Err(invalid(
                name,
                place,
                &format!(
                    "replies {status} and {other} have different types; progenitor supports one success type"
                ),
            ));
        }
    }
    Ok((ty, Some((status, example)), list))
}

/// The list shape of a reply `schema`: its one array property whose items are a `$ref` or a
/// scalar, and its other fields; `None` for any other reply.
fn list_reply(
    name: &str,
    place: &str,
    types: &mut TypeSpace,
    tree: &serde_json::Value,
    schema: &ReferenceOr<openapiv3::Schema>,
) -> Result<Option<ListReply>, Error> {
    let schema = serde_json::to_value(schema).unwrap_or_default();
    let schema = resolved(tree, &schema);
    let Some(properties) = schema["properties"].as_object() else {
        return Ok(None);
    };
    let arrays: Vec<(&String, &serde_json::Value)> = properties
        .iter()
        .filter(|(_, p)| p["type"] == "array")
        .collect();
    let [(field, array)] = arrays.as_slice() else {
        return Ok(None);
    };
    let items = &array["items"];
    if items.get("$ref").is_none() && !matches!(items["type"].as_str(), Some("string" | "integer"))
    {
        return Ok(None);
    }
    let items: ReferenceOr<openapiv3::Schema> = serde_json::from_value(items.clone())
        .map_err(|e| invalid(name, place, &format!("the items of {field:?}: {e}")))?;
    let (item_ty, _) = type_of(name, place, types, &items, format!("{field}-item"), false)?;
    let fields = properties
        .iter()
        .filter(|(key, _)| key != field)
        .map(|(key, p)| (key.clone(), p["type"] == "integer"))
        .collect();
    Ok(Some(ListReply {
        items: format_ident!("{}", sanitize(field, false)),
        item_ty,
        fields,
    }))
}

/// `schema`, or the schema of the spec `tree` its `$ref` names (`null` for a `$ref` to nothing).
fn resolved<'a>(
    tree: &'a serde_json::Value,
    schema: &'a serde_json::Value,
) -> &'a serde_json::Value {
    match schema["$ref"].as_str() {
        Some(reference) => tree
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or(&serde_json::Value::Null),
        None => schema,
    }
}

/// An example as its table types it (the spec follows the table where a page's example
/// contradicts it): a number where the schema says string written as a string; `"true"` and
/// `"false"` where it says boolean, and a numeric string where it says integer or number, read
/// as such. `tree` is the spec, for `$ref`s.
fn conform(
    tree: &serde_json::Value,
    value: &serde_json::Value,
    schema: &serde_json::Value,
) -> serde_json::Value {
    use serde_json::Value;
    let schema = resolved(tree, schema);
    match value {
        Value::Number(n) if schema["type"] == "string" => Value::String(n.to_string()),
        Value::String(text)
            if schema["type"] == "boolean" && (text == "true" || text == "false") =>
        {
            Value::Bool(text == "true")
        }
        Value::String(text) if schema["type"] == "integer" || schema["type"] == "number" => {
            serde_json::from_str::<serde_json::Number>(text)
                .map_or_else(|_| value.clone(), Value::Number)
        }
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(key, v)| (key.clone(), conform(tree, v, &schema["properties"][key])))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| conform(tree, v, &schema["items"]))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn rust_path(path: &str) -> Result<syn::Path, Error> {
    syn::parse_str::<syn::Path>(path).map_err(|e| Error::Settings(path.to_owned(), e.to_string()))
}

fn layer_tokens(operations: &[Operation], layer: &Layer) -> Result<TokenStream, Error> {
    let progenitor = rust_path(&layer.progenitor_module)?;
    let client = rust_path(&layer.client_type)?;
    let error = rust_path(&layer.error_type)?;
    let defaults = layer
        .path_defaults
        .iter()
        .map(|d| {
            syn::parse_str::<syn::Expr>(&d.expr)
                .map(|expr| (d.param.clone(), expr))
                .map_err(|e| Error::Settings(d.expr.clone(), e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let variants: Vec<&Ident> = operations.iter().map(|o| &o.variant).collect();
    let ids: Vec<&str> = operations.iter().map(|o| o.id.as_str()).collect();
    let hook_ids: Vec<String> = operations
        .iter()
        .map(|o| o.method_name.to_string())
        .collect();
    let methods: Vec<&str> = operations.iter().map(|o| o.http_method.as_str()).collect();
    let paths: Vec<&str> = operations.iter().map(|o| o.path.as_str()).collect();
    let summaries: Vec<&str> = operations.iter().map(|o| o.summary.as_str()).collect();
    let variant_docs: Vec<String> = operations
        .iter()
        .map(|o| format!("{}: `{} {}`.", o.summary, o.http_method, o.path))
        .collect();

    let calls = operations.iter().map(|o| call_tokens(o, &defaults));
    let builders = operations
        .iter()
        .map(|o| builder_tokens(o, &progenitor, &client, &error));
    let paging_fn = rust_path(&layer.paging_fn)?;
    let streams = operations
        .iter()
        .filter_map(|o| stream_tokens(o, &layer.paging, &paging_fn, &error));

    let local_dms = match &layer.local_dms_cfg {
        None => quote!(),
        Some(cfg) => {
            let cfg: TokenStream = cfg
                .parse()
                .map_err(|e: proc_macro2::LexError| Error::Settings(cfg.clone(), e.to_string()))?;
            local_dms_tokens(operations, &cfg)
        }
    };

    Ok(quote! {
        //! Every operation of the spec, as a user calls it: one method of `Client` each,
        //! returning a builder whose `send()` answers with the crate's error type, and the
        //! table of operations.

        #[allow(unused_imports)]
        use #progenitor::types;

        /// An operation of the spec (one API reference page), by its operation id.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Operation {
            #(#[doc = #variant_docs] #variants,)*
        }

        impl Operation {
            /// Every operation, in the spec's order.
            pub const ALL: &'static [Operation] = &[#(Operation::#variants),*];

            /// The operation id of the page, e.g. `CreateConnector`.
            pub const fn id(self) -> &'static str {
                match self { #(Operation::#variants => #ids,)* }
            }

            /// The HTTP method, e.g. `POST`.
            pub const fn method(self) -> &'static str {
                match self { #(Operation::#variants => #methods,)* }
            }

            /// The path template, e.g. `/v2/{project_id}/instances/{instance_id}/connector`.
            pub const fn path_template(self) -> &'static str {
                match self { #(Operation::#variants => #paths,)* }
            }

            /// The page's title, e.g. `Enabling Smart Connect`.
            pub const fn summary(self) -> &'static str {
                match self { #(Operation::#variants => #summaries,)* }
            }

            /// The operation whose id is `id` (as [`Operation::id`] gives it).
            pub fn from_id(id: &str) -> Option<Operation> {
                match id { #(#ids => Some(Operation::#variants),)* _ => None }
            }

            /// The operation progenitor's hooks name `operation_id` (the `Client` method's
            /// name, e.g. `create_connector`).
            #[allow(dead_code)]
            pub(crate) fn from_hook_id(operation_id: &str) -> Option<Operation> {
                match operation_id { #(#hook_ids => Some(Operation::#variants),)* _ => None }
            }
        }

        impl ::std::fmt::Display for Operation {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.id())
            }
        }

        impl #client {
            #(#calls)*
        }

        /// The builders of the calls: set the parameters and the body, then `.send().await`.
        pub mod builder {
            #[allow(unused_imports)]
            use super::types;
            #(#builders)*
            #(#streams)*
        }

        #local_dms
    })
}

/// `into_stream(page_size)` for an operation that pages by one of `conventions`.
fn stream_tokens(
    o: &Operation,
    conventions: &[Paging],
    paging_fn: &syn::Path,
    error: &syn::Path,
) -> Option<TokenStream> {
    let list = o.list.as_ref()?;
    let has = |name: &str| o.query_params.iter().find(|p| p.api_name == name);
    let (convention, position, limit) = conventions
        .iter()
        .find_map(|c| Some((c, has(&c.position)?, has(&c.limit)?)))?;
    let (variant, items, item_ty) = (&o.variant, &list.items, &list.item_ty);
    // A page that types them String gets the number as text.
    let set = |param: &Param, value: TokenStream| {
        let ident = &param.ident;
        if param.integer {
            quote!(.#ident(#value))
        } else {
            quote!(.#ident(#value.to_string()))
        }
    };
    let (set_position, set_limit) = (set(position, quote!(position)), set(limit, quote!(limit)));
    let first = proc_macro2::Literal::u32_unsuffixed(convention.first);
    let total_field = convention
        .totals
        .iter()
        .find_map(|name| list.fields.iter().find(|(f, _)| f == name));
    let total = match total_field {
        Some((field, true)) => {
            let field = format_ident!("{}", sanitize(field, false));
            quote!(page.#field.and_then(|n| u64::try_from(n).ok()))
        }
        Some((field, false)) => {
            let field = format_ident!("{}", sanitize(field, false));
            quote!(page.#field.and_then(|n| n.parse::<u64>().ok()))
        }
        None => quote!(None),
    };
    let doc = format!(
        concat!(
            "Every item of the list (`{}`), page after page: `{}` from {} on, ",
            "`page_size` items a page (`{}`). The next page is asked for only when the stream ",
            "is polled past the items it has; the stream ends {}on a short page, or after an ",
            "error. Dropping it stops the paging.\n\n",
            "Consume it with `futures::StreamExt` (or any `Stream` adapter):\n\n",
            "```no_run\n",
            "# async fn run(client: generated_client::Client) -> Result<(), generated_client::Error> {{\n",
            "use futures_util::StreamExt;\n\n",
            "let mut items = std::pin::pin!(client.{}(){}.into_stream(50));\n",
            "while let Some(item) = items.next().await {{\n",
            "    println!(\"{{:?}}\", item?);\n",
            "}}\n",
            "# Ok(()) }}\n",
            "```"
        ),
        items,
        convention.position,
        convention.first,
        convention.limit,
        total_field.map_or(String::new(), |(f, _)| format!(
            "after the reply's `{f}` items, "
        )),
        o.method_name,
        example_setters(o),
    );
    Some(quote! {
        impl<'a> #variant<'a> {
            #[doc = #doc]
            pub fn into_stream(
                self,
                page_size: u32,
            ) -> impl ::futures_core::Stream<Item = Result<#item_ty, #error>> + Send + 'a {
                #paging_fn(page_size, #first, move |position: u32, limit: u32| {
                    let call = self.clone()#set_position #set_limit;
                    async move {
                        let page = call.send().await?.into_inner();
                        let total = #total;
                        Ok((page.#items, total))
                    }
                })
            }
        }
    })
}

/// `.instance_id("my-instance-id")`... for the path parameters of `o` a caller sets (the
/// `project_id` comes from the configuration), as a doc example writes them.
fn example_setters(o: &Operation) -> String {
    o.path_params
        .iter()
        .filter(|p| p.api_name != "project_id")
        .map(|p| {
            if p.integer {
                format!(".{}(0)", p.ident)
            } else {
                format!(".{}(\"my-{}\")", p.ident, p.api_name.replace('_', "-"))
            }
        })
        .collect()
}

fn call_tokens(o: &Operation, defaults: &[(String, syn::Expr)]) -> TokenStream {
    let method = &o.method_name;
    let variant = &o.variant;
    let mut doc = format!("{}: `{} {}`.", o.summary, o.http_method, o.path);
    if !o.description.is_empty() {
        doc.push_str(&format!("\n\n{}", o.description));
    }
    let mut setters: Vec<String> = o
        .path_params
        .iter()
        .chain(&o.query_params)
        .map(|p| format!("`{}`", p.ident))
        .collect();
    if o.body.is_some() {
        setters.push("`body`".into());
    }
    if !setters.is_empty() {
        doc.push_str(&format!("\n\nSetters: {}.", setters.join(", ")));
    }
    let prefilled: Vec<TokenStream> = defaults
        .iter()
        .filter(|(param, _)| o.path_params.iter().any(|p| p.ident == param.as_str()))
        .map(|(param, expr)| {
            let setter = format_ident!("{param}");
            quote! {
                let call = match #expr {
                    Some(value) => call.#setter(value),
                    None => call,
                };
            }
        })
        .collect();
    for (param, _) in defaults {
        if o.path_params.iter().any(|p| p.ident == param.as_str()) {
            doc.push_str(&format!(
                "\n\n`{param}` starts as the client's configured value; `.{param}(..)` overrides it."
            ));
        }
    }
    let fields = o.path_params.iter().map(|p| {
        let ident = &p.ident;
        quote!(#ident: Ok(None),)
    });
    quote! {
        #[doc = #doc]
        pub fn #method(&self) -> builder::#variant<'_> {
            let call = builder::#variant {
                call: self.generated().#method(),
                client: self,
                #(#fields)*
            };
            #(#prefilled)*
            call
        }
    }
}

fn builder_tokens(
    o: &Operation,
    progenitor: &syn::Path,
    client: &syn::Path,
    error: &syn::Path,
) -> TokenStream {
    let variant = &o.variant;
    let method = &o.method_name;
    let reply = &o.reply;
    let doc = format!(
        "The call of [`Client::{method}`](crate::Client::{method}); nothing is sent until \
         [`send`](Self::send) is awaited."
    );
    let path_fields = o.path_params.iter().map(|p| {
        let ident = &p.ident;
        let ty = &p.ty;
        let doc = format!(
            "`{}`: `Ok(None)` until set, `Err` when its value did not convert.",
            p.api_name
        );
        quote! {
            #[doc = #doc]
            pub(crate) #ident: Result<Option<#ty>, String>,
        }
    });
    let path_setters = o.path_params.iter().map(|p| {
        let ident = &p.ident;
        let ty = &p.ty;
        let doc = setter_doc(p);
        quote! {
            #[doc = #doc]
            pub fn #ident<V>(mut self, value: V) -> Self
            where
                V: TryInto<#ty>,
                <V as TryInto<#ty>>::Error: ::std::fmt::Display,
            {
                self.#ident = match value.try_into() {
                    Ok(value) => {
                        self.call = self.call.#ident(value.clone());
                        Ok(Some(value))
                    }
                    Err(e) => Err(e.to_string()),
                };
                self
            }
        }
    });
    let query_setters = o.query_params.iter().map(|p| {
        let ident = &p.ident;
        let ty = &p.ty;
        let doc = setter_doc(p);
        quote! {
            #[doc = #doc]
            pub fn #ident<V>(mut self, value: V) -> Self
            where
                V: TryInto<#ty>,
            {
                self.call = self.call.#ident(value);
                self
            }
        }
    });
    let body_setter = o.body.as_ref().map(|body| {
        let ty = &body.ty;
        let doc = if body.required {
            "The request body."
        } else {
            "The request body (optional)."
        };
        quote! {
            #[doc = #doc]
            pub fn body<V>(mut self, value: V) -> Self
            where
                V: TryInto<#ty>,
                <V as TryInto<#ty>>::Error: ::std::fmt::Display,
            {
                self.call = self.call.body(value);
                self
            }
        }
    });
    let checks = o.path_params.iter().map(|p| {
        let ident = &p.ident;
        let name = &p.api_name;
        quote! {
            if let Err(reason) = &self.#ident {
                return Err(#error::from_generated(progenitor_client::Error::InvalidRequest(
                    format!("{}: {reason}", #name),
                )));
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[must_use = "nothing is sent until .send() is awaited"]
        pub struct #variant<'a> {
            /// progenitor's builder of the call.
            pub(crate) call: #progenitor::builder::#variant<'a>,
            /// The client the call is made with.
            pub(crate) client: &'a #client,
            #(#path_fields)*
        }

        impl<'a> #variant<'a> {
            #(#path_setters)*
            #(#query_setters)*
            #body_setter

            /// Sends the request and reads the reply.
            pub async fn send(self) -> Result<progenitor_client::ResponseValue<#reply>, #error> {
                #(#checks)*
                self.call.send().await.map_err(#error::from_generated)
            }
        }
    }
}

fn setter_doc(p: &Param) -> String {
    let mut doc = format!("`{}` (`{}`)", p.api_name, p.type_name);
    if !p.description.is_empty() {
        doc.push_str(": ");
        doc.push_str(&p.description);
    }
    doc
}

fn local_dms_tokens(operations: &[Operation], cfg: &TokenStream) -> TokenStream {
    let variants: Vec<&Ident> = operations.iter().map(|o| &o.variant).collect();
    let params = operations.iter().map(|o| {
        let entries = o.path_params.iter().map(|p| {
            let name = &p.api_name;
            let integer = p.integer;
            quote!(PathParam { name: #name, integer: #integer })
        });
        quote!(&[#(#entries),*])
    });
    let bodies = operations.iter().map(|o| match &o.body {
        Some(body) => {
            let ty = &body.ty;
            let required = body.required;
            quote! {
                if body.is_empty() && !#required {
                    Ok(())
                } else {
                    serde_json::from_slice::<#ty>(body).map(drop)
                }
            }
        }
        None => quote!(Ok(())),
    });
    let examples = operations.iter().map(|o| match &o.example_reply {
        Some((status, body)) => {
            let status = proc_macro2::Literal::u16_unsuffixed(*status);
            match body {
                Some(body) => quote!(Some((#status, Some(#body)))),
                None => quote!(Some((#status, None))),
            }
        }
        None => quote!(None),
    });
    quote! {
        /// A path parameter of an operation, in path order.
        #[cfg(#cfg)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) struct PathParam {
            /// Its name in the path template.
            pub(crate) name: &'static str,
            /// Whether it is an integer (otherwise a string segment).
            pub(crate) integer: bool,
        }

        #[cfg(#cfg)]
        impl Operation {
            /// The path parameters, in the order of the path template.
            pub(crate) const fn path_params(self) -> &'static [PathParam] {
                match self { #(Operation::#variants => #params,)* }
            }

            /// Reads `body` as the operation's request type (an empty body is fine where the
            /// body is optional or there is none).
            pub(crate) fn read_body(self, body: &[u8]) -> Result<(), serde_json::Error> {
                match self { #(Operation::#variants => { #bodies })* }
            }

            /// The page's success reply: its status and, when the page documents a JSON
            /// body, its example (`{}` when the page shows none).
            pub(crate) const fn example_reply(self) -> Option<(u16, Option<&'static str>)> {
                match self { #(Operation::#variants => #examples,)* }
            }
        }
    }
}

/// Generates the formatted test support of a client crate named `crate_name`: one function,
/// `send`, that makes any operation's call from JSON values (path and query parameters by
/// name, the body), through the generated builders, and answers the reply's status and its
/// body as JSON. Tests that go over every operation of the spec (request shapes, the local
/// DMS) use it, so a new operation needs no test code.
pub fn generate_example_calls(
    name: &str,
    text: &str,
    settings: &Settings,
    crate_name: &str,
) -> Result<String, Error> {
    let text = text.replace("\r\n", "\n");
    let operations = operations(name, &text, settings)?;
    let krate = format_ident!("{}", crate_name.replace('-', "_"));
    let arms = operations.iter().map(|o| {
        let variant = &o.variant;
        let method = &o.method_name;
        let params = o.path_params.iter().chain(&o.query_params).map(|p| {
            let ident = &p.ident;
            let api_name = &p.api_name;
            let ty = external(p.ty.clone(), &krate);
            quote! {
                if let Some(value) = params.get(#api_name) {
                    let value = serde_json::from_value::<#ty>(value.clone())
                        .map_err(|e| format!("{}: {e}", #api_name))?;
                    call = call.#ident(value);
                }
            }
        });
        let body = o.body.as_ref().map(|body| {
            let ty = external(body.ty.clone(), &krate);
            quote! {
                if let Some(body) = body {
                    let body = serde_json::from_value::<#ty>(body.clone())
                        .map_err(|e| format!("body: {e}"))?;
                    call = call.body(body);
                }
            }
        });
        let reply_type = o.reply.to_string();
        let reply = if reply_type.contains("ByteStream") || reply_type == "()" {
            quote!({
                drop(reply);
                serde_json::Value::Null
            })
        } else {
            quote!(serde_json::to_value(reply.into_inner()).unwrap_or_default())
        };
        quote! {
            #krate::Operation::#variant => {
                #[allow(unused_mut)]
                let mut call = client.#method();
                #(#params)*
                #body
                let reply = call.send().await.map_err(|e| format!("{e:#}"))?;
                let status = reply.status().as_u16();
                Ok((status, #reply))
            }
        }
    });
    let tokens = quote! {
        //! Any operation's call from JSON values, for the tests that go over every operation.

        use serde_json::{Map, Value};

        /// Calls `operation` on `client`: each path and query parameter found in `params` (by
        /// its name in the spec) and `body` are read as the call's types and set; answers the
        /// reply's status and its body as JSON (`null` without one), or the error's text.
        #[allow(dead_code, unused_variables)]
        pub async fn send(
            client: &#krate::Client,
            operation: #krate::Operation,
            params: &Map<String, Value>,
            body: Option<&Value>,
        ) -> Result<(u16, Value), String> {
            match operation {
                #(#arms)*
                other => Err(format!("{other}: no generated call")),
            }
        }
    };
    crate::generate::formatted(
        name,
        &text,
        settings,
        "the test calls of codegen::generate_example_calls",
        tokens,
    )
}

/// A type of the layer as another crate names it: `crate::X` as `krate::X`, `types::X` as
/// `krate::types::X`.
fn external(ty: TokenStream, krate: &Ident) -> TokenStream {
    use proc_macro2::{Group, TokenTree};
    let mut out = Vec::new();
    let mut after_colons = false;
    for token in ty {
        match &token {
            TokenTree::Ident(ident) if ident == "crate" && !after_colons => {
                out.push(TokenTree::Ident(krate.clone()));
                after_colons = false;
                continue;
            }
            TokenTree::Ident(ident) if ident == "types" && !after_colons => {
                out.extend(quote!(#krate::types));
                after_colons = false;
                continue;
            }
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), external(group.stream(), krate));
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
                after_colons = false;
                continue;
            }
            TokenTree::Punct(p) if p.as_char() == ':' => {
                out.push(token.clone());
                after_colons = true;
                continue;
            }
            _ => {}
        }
        after_colons = false;
        out.push(token);
    }
    out.into_iter().collect()
}
