//! One page → one OpenAPI operation and its component schemas.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;
use serde_yaml_ng::{Mapping, Value};

use super::rst::{self, Block, Table};
use super::schema::{self, TypeWord, map, s, schema_ref};
use super::{PageError, Warning, text};
use crate::Error;

/// The schema every path parameter has (a convention, not a per-page choice).
pub(crate) const PATH_SEGMENT: &str = "PathSegment";
/// The schema every error response has.
pub(crate) const ERROR_BODY: &str = "ErrorBody";

/// One page, transcribed.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The page's name as given by the caller.
    pub page: String,
    /// `operationId`, from the page's label.
    pub operation_id: String,
    /// Lower-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// The OpenAPI operation object.
    pub operation: Value,
    /// Component schemas the operation refers to, in the order they were found.
    pub schemas: Vec<(String, Value)>,
    /// What the page says that was not taken as written.
    pub warnings: Vec<Warning>,
}

static URI_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)\s+(/\S*)$").unwrap());
static EXAMPLE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^['"]?(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)\s+(\S+?)['"]?$"#).unwrap()
});
static STATUS_MARKER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\*\*Status code:\s*(\d{3})\*\*$").unwrap());

/// A table with the anchor (`.. _name:`) directly above it, and the section it is in.
struct Placed {
    table: Table,
    anchor: Option<String>,
    section: String,
}

/// Transcribes the page `text`, named `page` in messages, into one operation.
pub fn import_page(page: &str, text: &str) -> Result<Operation, Error> {
    let text = text.replace("\r\n", "\n");
    let blocks = rst::parse(&text).map_err(|e| e.named(page))?;
    let last_line = text.lines().count().max(1);
    Importer::new(page, &blocks, last_line)
        .and_then(|i| i.run())
        .map_err(|e| e.named(page))
}

struct Importer<'a> {
    page: &'a str,
    operation_id: String,
    title: String,
    sections: BTreeMap<String, Vec<&'a Block>>,
    section_lines: BTreeMap<String, usize>,
    last_line: usize,
    tables: Vec<Placed>,
    /// Anchor → component name given to it.
    named: BTreeMap<String, String>,
    schemas: Vec<(String, Value)>,
    warnings: Vec<Warning>,
}

impl<'a> Importer<'a> {
    fn new(page: &'a str, blocks: &'a [Block], last_line: usize) -> Result<Self, PageError> {
        let mut operation_id = None;
        let mut title = None;
        let mut pending_label: Option<(String, usize)> = None;
        let mut section = String::new();
        let mut sections: BTreeMap<String, Vec<&Block>> = BTreeMap::new();
        let mut section_lines = BTreeMap::new();
        let mut tables = Vec::new();
        for block in blocks {
            match block {
                Block::Label { name, line } => {
                    pending_label = Some((name.clone(), *line));
                    continue;
                }
                Block::Heading {
                    text,
                    underline,
                    line,
                } => {
                    if title.is_none() && *underline == '=' {
                        title = Some(text.clone());
                        operation_id = pending_label.take().map(|(name, _)| name);
                        if operation_id.is_none() {
                            return Err(PageError::at(
                                *line,
                                "expected a label such as `.. _CreateConnector:` right above the page title; it gives the operationId",
                            ));
                        }
                    } else {
                        section = text.clone();
                        section_lines.insert(section.clone(), *line);
                    }
                }
                Block::Table(table) => tables.push(Placed {
                    table: table.clone(),
                    anchor: pending_label.take().map(|(name, _)| name),
                    section: section.clone(),
                }),
                _ => {}
            }
            pending_label = None;
            sections.entry(section.clone()).or_default().push(block);
        }
        let title =
            title.ok_or_else(|| PageError::at(1, "expected a page title underlined with `===`"))?;
        Ok(Importer {
            page,
            operation_id: operation_id.unwrap_or_default(),
            title,
            sections,
            section_lines,
            last_line,
            tables,
            named: BTreeMap::new(),
            schemas: Vec::new(),
            warnings: Vec::new(),
        })
    }

    fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(Warning {
            page: self.page.to_owned(),
            line,
            message: message.into(),
        });
    }

    fn section(&self, name: &str) -> &[&'a Block] {
        self.sections.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    fn paragraphs(&self, name: &str) -> Vec<(String, usize)> {
        self.section(name)
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph { text, line } => Some((text.clone(), *line)),
                _ => None,
            })
            .collect()
    }

    /// Tables of a section whose title contains `words` (case-insensitive).
    fn titled(&self, section: &str, words: &str) -> Vec<usize> {
        self.tables
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.section == section
                    && p.table
                        .title
                        .as_deref()
                        .is_some_and(|t| t.to_lowercase().contains(words))
            })
            .map(|(i, _)| i)
            .collect()
    }

    fn run(mut self) -> Result<Operation, PageError> {
        // URI: `METHOD /path`.
        let uri_line = self.section_lines.get("URI").copied();
        let (method, path, line) = self
            .paragraphs("URI")
            .into_iter()
            .find_map(|(t, line)| {
                URI_LINE
                    .captures(t.trim())
                    .map(|c| (c[1].to_lowercase(), c[2].to_owned(), line))
            })
            .ok_or_else(|| {
                PageError::at(
                    uri_line.unwrap_or(1),
                    "expected a line `METHOD /path` (e.g. `POST /v2/{project_id}/instances`) under the `URI` heading",
                )
            })?;
        let (path, query_in_uri) = match path.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (path, None),
        };
        let _ = query_in_uri;

        let mut op = Mapping::new();
        let key = |k: &str| Value::String(k.to_owned());
        op.insert(key("operationId"), s(&self.operation_id));
        op.insert(key("summary"), s(&self.title));
        let function: Vec<String> = self
            .paragraphs("Function")
            .into_iter()
            .map(|(t, _)| text::plain(&t))
            .collect();
        if !function.is_empty() {
            op.insert(key("description"), s(&function.join("\n\n")));
        }

        // Parameters.
        let mut parameters = Vec::new();
        let template: BTreeSet<String> = path
            .split('{')
            .skip(1)
            .filter_map(|r| r.split_once('}').map(|(n, _)| n.to_owned()))
            .collect();
        let mut declared = BTreeSet::new();
        for (kind, words) in [
            ("path", "path parameters"),
            ("query", "query parameters"),
            ("header", "header parameters"),
        ] {
            let mut indexes = self.titled("URI", words);
            indexes.extend(self.titled("Request Parameters", words));
            for index in indexes {
                let table = self.tables[index].table.clone();
                let columns = Columns::of(&table)?;
                for row in &table.rows {
                    let name = text::plain(&row.cells[columns.name]);
                    let required = columns.required(row)?;
                    let description = columns.description(row);
                    let mut parameter = Mapping::new();
                    parameter.insert(key("name"), s(&name));
                    parameter.insert(key("in"), s(kind));
                    if kind == "path" {
                        if !template.contains(&name) {
                            return Err(PageError::at(
                                row.line,
                                format!("path parameter `{name}` is not in the URI `{path}`"),
                            ));
                        }
                        declared.insert(name.clone());
                        if !required {
                            self.warn(
                                row.line,
                                format!("path parameter `{name}` is marked not mandatory; path parameters always are, so it is required"),
                            );
                        }
                        parameter.insert(key("required"), Value::Bool(true));
                    } else if required {
                        parameter.insert(key("required"), Value::Bool(true));
                    }
                    if !description.is_empty() {
                        parameter.insert(key("description"), s(&description));
                    }
                    let schema = if kind == "path" {
                        // An Integer (or Long) stays an integer: it needs no path-segment
                        // check. Every other path parameter is a string that must stay one
                        // path segment.
                        match schema::type_word(&row.cells[columns.kind]) {
                            None => {
                                return Err(PageError::at(
                                    row.line,
                                    format!(
                                        "unknown type `{}`; expected one of {}",
                                        text::plain(&row.cells[columns.kind]),
                                        schema::KNOWN_TYPES
                                    ),
                                ));
                            }
                            Some(schema::TypeWord::Plain(plain))
                                if plain.get("type").and_then(Value::as_str) == Some("integer") =>
                            {
                                plain
                            }
                            Some(_) => schema_ref(PATH_SEGMENT),
                        }
                    } else {
                        let raw_description = columns.raw_description(row);
                        self.field_schema(
                            &row.cells[columns.kind],
                            &raw_description,
                            row.line,
                            Some(&name),
                        )?
                    };
                    parameter.insert(key("schema"), schema);
                    parameters.push(Value::Mapping(parameter));
                }
            }
        }
        if let Some(missing) = template.iter().find(|n| !declared.contains(*n)) {
            return Err(PageError::at(
                line,
                format!(
                    "the URI has {{{missing}}} but no Path Parameters table row names `{missing}`"
                ),
            ));
        }
        if !parameters.is_empty() {
            op.insert(key("parameters"), Value::Sequence(parameters));
        }

        // Request body.
        let body_tables = self.titled("Request Parameters", "request body");
        let request_name = format!("{}Req", self.operation_id);
        let mut request_schema = None;
        if let Some(&index) = body_tables.first() {
            let table = self.tables[index].table.clone();
            let schema = self.body_schema(&table, &request_name, "Request body parameters.")?;
            request_schema = Some(schema.clone());
            op.insert(
                key("requestBody"),
                map([
                    ("required", Value::Bool(true)),
                    ("description", s("Request body parameters.")),
                    (
                        "content",
                        map([("application/json", map([("schema", schema)]))]),
                    ),
                ]),
            );
        }

        // Response bodies per status code.
        let mut bodies: BTreeMap<u16, Value> = BTreeMap::new();
        let mut headers: BTreeMap<u16, Mapping> = BTreeMap::new();
        let mut status: Option<u16> = None;
        let response_blocks: Vec<&Block> = self.section("Response Parameters").to_vec();
        let mut table_index = self
            .tables
            .iter()
            .enumerate()
            .filter(|(_, p)| p.section == "Response Parameters")
            .map(|(i, _)| i)
            .collect::<Vec<_>>()
            .into_iter();
        for block in response_blocks {
            match block {
                Block::Paragraph { text, line } => {
                    if let Some(c) = STATUS_MARKER.captures(text.trim()) {
                        status = c[1].parse().ok();
                    } else if text.trim() != "None" {
                        let _ = line;
                    }
                }
                Block::Table(_) => {
                    let Some(index) = table_index.next() else {
                        continue;
                    };
                    let placed = &self.tables[index];
                    let title = placed
                        .table
                        .title
                        .clone()
                        .unwrap_or_default()
                        .to_lowercase();
                    let table = placed.table.clone();
                    let is_body = title.contains("response body");
                    let is_header = title.contains("response header");
                    if !is_body && !is_header {
                        // A nested table, built when a row refers to it.
                        continue;
                    }
                    let Some(code) = status else {
                        return Err(PageError::at(
                            table.line,
                            "expected `**Status code: NNN**` above this response table",
                        ));
                    };
                    if is_body {
                        if bodies.contains_key(&code) {
                            self.warn(table.line, format!("a second response body table for status {code}; the first is used"));
                            continue;
                        }
                        let schema = if (200..300).contains(&code) {
                            let name = if code == 200 {
                                format!("{}Resp", self.operation_id)
                            } else {
                                format!("{}Resp{code}", self.operation_id)
                            };
                            self.body_schema(
                                &table,
                                &name,
                                &format!("Response body parameters, status code {code}."),
                            )?
                        } else {
                            self.check_error_table(&table, code)?;
                            schema_ref(super::operation::ERROR_BODY)
                        };
                        bodies.insert(code, schema);
                    } else {
                        let columns = Columns::of(&table)?;
                        let entry = headers.entry(code).or_default();
                        for row in &table.rows {
                            let name = text::plain(&row.cells[columns.name]);
                            let description = columns.description(row);
                            let raw_description = columns.raw_description(row);
                            let schema = self.field_schema(
                                &row.cells[columns.kind],
                                &raw_description,
                                row.line,
                                None,
                            )?;
                            let mut header = Mapping::new();
                            if !description.is_empty() {
                                header.insert(key("description"), s(&description));
                            }
                            header.insert(key("schema"), schema);
                            entry.insert(s(&name), Value::Mapping(header));
                        }
                    }
                }
                _ => {}
            }
        }

        // Status codes.
        let status_table = self
            .tables
            .iter()
            .find(|p| p.section == "Status Codes")
            .map(|p| p.table.clone())
            .ok_or_else(|| {
                PageError::at(
                    self.section_lines
                        .get("Status Codes")
                        .copied()
                        .unwrap_or(self.last_line),
                    "expected a `Status Codes` section with a table of status codes (is the file truncated?)",
                )
            })?;
        let mut codes: Vec<(u16, String, usize)> = Vec::new();
        for row in &status_table.rows {
            let code_text = text::plain(&row.cells[0]);
            let code: u16 = code_text
                .parse()
                .ok()
                .filter(|c| (100..600).contains(c))
                .ok_or_else(|| {
                    PageError::at(
                        row.line,
                        format!("expected a status code such as 200, found `{code_text}`"),
                    )
                })?;
            let description = row.cells.get(1).map(|c| text::cell(c)).unwrap_or_default();
            codes.push((code, description, row.line));
        }
        for (&code, _) in bodies.iter() {
            if !codes.iter().any(|(c, _, _)| *c == code) {
                self.warn(
                    status_table.line,
                    format!("a response body is described for status {code}, but the Status Codes table does not list it; it is added"),
                );
                codes.push((code, format!("Status {code}."), status_table.line));
            }
        }
        if !codes.iter().any(|(c, _, _)| (200..300).contains(c)) {
            return Err(PageError::at(
                status_table.line,
                "the Status Codes table lists no 2xx status; expected at least one",
            ));
        }

        // Examples.
        let request_examples = self.request_examples(&method, request_schema.as_ref())?;
        let response_examples = self.response_examples(&bodies)?;

        let mut responses = Mapping::new();
        for (code, description, _) in &codes {
            let mut response = Mapping::new();
            response.insert(
                key("description"),
                s(if description.is_empty() {
                    "No description."
                } else {
                    description
                }),
            );
            if let Some(h) = headers.remove(code) {
                response.insert(key("headers"), Value::Mapping(h));
            }
            let body = bodies
                .get(code)
                .cloned()
                .or_else(|| (*code >= 400).then(|| schema_ref(ERROR_BODY)));
            if let Some(schema) = body {
                let mut media = Mapping::new();
                media.insert(key("schema"), schema);
                if let Some(examples) = response_examples.get(code) {
                    media.insert(key("examples"), examples.clone());
                }
                response.insert(
                    key("content"),
                    map([("application/json", Value::Mapping(media))]),
                );
            }
            responses.insert(s(&code.to_string()), Value::Mapping(response));
        }
        for (range, what) in [("4XX", "Client error"), ("5XX", "Server error")] {
            responses.insert(
                s(range),
                map([
                    ("description", s(&format!("{what}; the body carries the service's error code and message (see the Error Codes appendix)."))),
                    ("content", map([("application/json", map([("schema", schema_ref(ERROR_BODY))]))])),
                ]),
            );
        }
        if let Some(examples) = request_examples
            && let Some(Value::Mapping(body)) = op.get_mut(key("requestBody"))
            && let Some(media) = body
                .get_mut(key("content"))
                .and_then(|c| c.get_mut("application/json"))
                .and_then(Value::as_mapping_mut)
        {
            media.insert(key("examples"), examples);
        }
        op.insert(key("responses"), Value::Mapping(responses));

        Ok(Operation {
            page: self.page.to_owned(),
            operation_id: self.operation_id,
            method,
            path,
            operation: Value::Mapping(op),
            schemas: self.schemas,
            warnings: self.warnings,
        })
    }

    /// An error response's table must describe the shared error body.
    fn check_error_table(&mut self, table: &Table, code: u16) -> Result<(), PageError> {
        let columns = Columns::of(table)?;
        let extra: Vec<String> = table
            .rows
            .iter()
            .map(|r| text::plain(&r.cells[columns.name]))
            .filter(|n| n != "error_code" && n != "error_msg")
            .collect();
        if !extra.is_empty() {
            self.warn(
                table.line,
                format!(
                    "the status {code} body has fields beyond error_code and error_msg ({}); every error response uses ErrorBody, so they are not typed",
                    extra.join(", ")
                ),
            );
        }
        Ok(())
    }

    /// The schema of a body table: a component named `name` (or, for a table whose only row
    /// is `-`, that row's type), returned as a `$ref` or inline schema.
    fn body_schema(
        &mut self,
        table: &Table,
        name: &str,
        description: &str,
    ) -> Result<Value, PageError> {
        let columns = Columns::of(table)?;
        if let Some(row) = table
            .rows
            .iter()
            .find(|r| text::plain(&r.cells[columns.name]) == "-")
        {
            if table.rows.len() > 1 {
                self.warn(row.line, "a row named `-` stands for the whole body; the other rows of this table are ignored");
            }
            let raw_description = columns.raw_description(row);
            let mut schema =
                self.field_schema(&row.cells[columns.kind], &raw_description, row.line, None)?;
            let text = columns.description(row);
            if let Some(m) = schema.as_mapping_mut()
                && !text.is_empty()
                && !m.contains_key("$ref")
            {
                m.insert(s("description"), s(&text));
            }
            if schema.get("$ref").is_some() {
                return Ok(schema);
            }
            self.schemas.push((name.to_owned(), schema));
            return Ok(schema_ref(name));
        }
        let schema = self.object_schema(table, Some(description))?;
        self.schemas.push((name.to_owned(), schema));
        Ok(schema_ref(name))
    }

    fn object_schema(
        &mut self,
        table: &Table,
        description: Option<&str>,
    ) -> Result<Value, PageError> {
        let columns = Columns::of(table)?;
        let mut properties = Mapping::new();
        let mut required = Vec::new();
        for row in &table.rows {
            let field = text::plain(&row.cells[columns.name]);
            if field.is_empty() {
                return Err(PageError::at(
                    row.line,
                    "expected a parameter name in the first column",
                ));
            }
            if columns.required(row)? {
                required.push(s(&field));
            }
            let raw_description = columns.raw_description(row);
            let mut schema = self.field_schema(
                &row.cells[columns.kind],
                &raw_description,
                row.line,
                Some(&field),
            )?;
            let text = columns.description(row);
            // A `$ref` cannot carry a description beside it (OpenAPI 3.0), so the row's words go
            // to the nested table's schema, unless an earlier row already gave it some.
            if let Some(target) = schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                && !text.is_empty()
                && let Some((_, nested)) = self.schemas.iter_mut().find(|(n, _)| n == target)
                && let Some(m) = nested.as_mapping_mut()
                && !m.contains_key("description")
            {
                let mut with = Mapping::new();
                for (k, v) in m.iter() {
                    with.insert(k.clone(), v.clone());
                    if k.as_str() == Some("type") {
                        with.insert(s("description"), s(&text));
                    }
                }
                *m = with;
            }
            if !text.is_empty()
                && let Some(m) = schema.as_mapping_mut()
                && !m.contains_key("$ref")
            {
                // The description goes first, for readability.
                let mut with = Mapping::new();
                with.insert(s("description"), s(&text));
                for (k, v) in m.iter() {
                    with.insert(k.clone(), v.clone());
                }
                *m = with;
            }
            if properties.contains_key(field.as_str()) {
                return Err(PageError::at(
                    row.line,
                    format!("parameter `{field}` appears twice in this table"),
                ));
            }
            properties.insert(s(&field), schema);
        }
        let mut object = Mapping::new();
        object.insert(s("type"), s("object"));
        if let Some(d) = description {
            object.insert(s("description"), s(d));
        }
        if !required.is_empty() {
            object.insert(s("required"), Value::Sequence(required));
        }
        object.insert(s("properties"), Value::Mapping(properties));
        Ok(Value::Mapping(object))
    }

    /// The schema of one field from its type cell and description.
    fn field_schema(
        &mut self,
        raw_type: &str,
        raw_description: &str,
        line: usize,
        field: Option<&str>,
    ) -> Result<Value, PageError> {
        let word = schema::type_word(raw_type).ok_or_else(|| {
            PageError::at(
                line,
                format!(
                    "unknown type `{}`; expected one of {}",
                    text::plain(raw_type),
                    schema::KNOWN_TYPES
                ),
            )
        })?;
        let mut schema = match word {
            TypeWord::Plain(v) => v,
            TypeWord::Ref(t, anchor) => schema_ref(&self.nested(&t, &anchor, line)?),
            TypeWord::ArrayOfRef(t, anchor) => map([
                ("type", s("array")),
                ("items", schema_ref(&self.nested(&t, &anchor, line)?)),
            ]),
            TypeWord::MapOfRef(t, anchor) => map([
                ("type", s("object")),
                (
                    "additionalProperties",
                    schema_ref(&self.nested(&t, &anchor, line)?),
                ),
            ]),
        };
        if schema.get("$ref").is_none() {
            let kind = schema::type_of(&schema).map(str::to_owned);
            let (keywords, notes) = schema::constraints(raw_description, kind.as_deref());
            if let Some(m) = schema.as_mapping_mut() {
                for (k, v) in keywords {
                    m.insert(s(k), v);
                }
            }
            for note in notes {
                let subject = field.map(|f| format!("`{f}`: ")).unwrap_or_default();
                self.warn(line, format!("{subject}{note}"));
            }
        }
        Ok(schema)
    }

    /// The component name of the nested table labelled `anchor`, building it on first use.
    fn nested(&mut self, text: &str, anchor: &str, line: usize) -> Result<String, PageError> {
        if let Some(name) = self.named.get(anchor) {
            return Ok(name.clone());
        }
        let Some(index) = self
            .tables
            .iter()
            .position(|p| p.anchor.as_deref() == Some(anchor))
        else {
            return Err(PageError::at(
                line,
                format!(
                    "`:ref:` to `{anchor}` ({text}), but the page has no table labelled `.. _{anchor}:`"
                ),
            ));
        };
        let base = schema::pascal(text);
        let base = if base.is_empty() {
            schema::pascal(anchor)
        } else {
            base
        };
        let mut name = base.clone();
        // Two tables of one page with the same name: qualify by the side they are on.
        if self.named.values().any(|n| *n == name) {
            let side = if anchor.contains("__request") {
                "Req"
            } else if anchor.contains("__response") {
                "Resp"
            } else {
                ""
            };
            name = format!("{base}{side}");
            let mut n = 2;
            while self.named.values().any(|v| *v == name) {
                name = format!("{base}{side}{n}");
                n += 1;
            }
        }
        self.named.insert(anchor.to_owned(), name.clone());
        let table = self.tables[index].table.clone();
        let schema = self.object_schema(&table, None)?;
        self.schemas.push((name.clone(), schema));
        Ok(name)
    }

    fn lookup(&self, name: &str) -> Option<&Value> {
        self.schemas.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Example Requests → `examples` of the request body.
    fn request_examples(
        &mut self,
        method: &str,
        schema: Option<&Value>,
    ) -> Result<Option<Value>, PageError> {
        let blocks: Vec<&Block> = self.section("Example Requests").to_vec();
        let mut examples = Mapping::new();
        let mut summary: Option<String> = None;
        for block in blocks {
            match block {
                Block::Paragraph { text, .. } => summary = Some(text::plain(text)),
                Block::Code { text: code, line } => {
                    let mut lines = code
                        .lines()
                        .enumerate()
                        .skip_while(|(_, l)| l.trim().is_empty());
                    let Some((_, first)) = lines.next() else {
                        continue;
                    };
                    let Some(c) = EXAMPLE_LINE.captures(first.trim()) else {
                        self.warn(*line, "an example request that does not start with `METHOD URL`; not transcribed");
                        continue;
                    };
                    let request_line = format!("{} {}", &c[1], &c[2]);
                    if c[1].to_lowercase() != method {
                        self.warn(
                            *line,
                            format!(
                                "the example request uses {} but the URI says {}",
                                &c[1],
                                method.to_uppercase()
                            ),
                        );
                    }
                    let body_start = code
                        .lines()
                        .position(|l| l.trim() == first.trim())
                        .unwrap_or(0)
                        + 1;
                    let body: String = code.lines().skip(body_start).collect::<Vec<_>>().join("\n");
                    let body = body.trim();
                    if body.is_empty() {
                        summary = None;
                        continue;
                    }
                    let Some(schema) = schema else {
                        self.warn(*line, "an example request has a body, but the page describes no request body; not transcribed");
                        summary = None;
                        continue;
                    };
                    let body_line = line
                        + body_start
                        + code
                            .lines()
                            .skip(body_start)
                            .take_while(|l| l.trim().is_empty())
                            .count();
                    let value = self.example_value(body, body_line, schema, "example request")?;
                    let mut example = Mapping::new();
                    if let Some(text) = summary.take() {
                        example.insert(s("summary"), s(&text));
                    }
                    example.insert(s("description"), s(&request_line));
                    example.insert(s("value"), value);
                    examples.insert(
                        s(&format!("example{}", examples.len() + 1)),
                        Value::Mapping(example),
                    );
                }
                _ => {}
            }
        }
        Ok((!examples.is_empty()).then_some(Value::Mapping(examples)))
    }

    /// Example Responses → `examples` per status code.
    fn response_examples(
        &mut self,
        bodies: &BTreeMap<u16, Value>,
    ) -> Result<BTreeMap<u16, Value>, PageError> {
        let blocks: Vec<&Block> = self.section("Example Responses").to_vec();
        let mut out: BTreeMap<u16, Mapping> = BTreeMap::new();
        let mut status = None;
        let mut summary = None;
        for block in blocks {
            match block {
                Block::Paragraph { text, .. } => {
                    if let Some(c) = STATUS_MARKER.captures(text.trim()) {
                        status = c[1].parse::<u16>().ok();
                        summary = None;
                    } else if text.trim() != "None" {
                        summary = Some(text::plain(text));
                    }
                }
                Block::Code { text: code, line } => {
                    let Some(code_status) = status else {
                        self.warn(*line, "an example response without `**Status code: NNN**` above it; not transcribed");
                        continue;
                    };
                    let schema = match bodies.get(&code_status) {
                        Some(schema) => schema.clone(),
                        None if code_status >= 400 => schema_ref(ERROR_BODY),
                        None => {
                            self.warn(*line, format!("an example response for status {code_status}, but the page describes no body for it; not transcribed"));
                            continue;
                        }
                    };
                    let value =
                        self.example_value(code.trim(), *line, &schema, "example response")?;
                    let examples = out.entry(code_status).or_default();
                    let mut example = Mapping::new();
                    if let Some(text) = summary.take() {
                        example.insert(s("summary"), s(&text));
                    }
                    example.insert(s("value"), value);
                    examples.insert(
                        s(&format!("example{}", examples.len() + 1)),
                        Value::Mapping(example),
                    );
                }
                _ => {}
            }
        }
        Ok(out
            .into_iter()
            .map(|(k, v)| (k, Value::Mapping(v)))
            .collect())
    }

    /// Parses an example body; JSON becomes a value (checked against `schema`), anything else
    /// is kept as text with a warning.
    fn example_value(
        &mut self,
        body: &str,
        line: usize,
        schema: &Value,
        what: &str,
    ) -> Result<Value, PageError> {
        let json: serde_json::Value = match serde_json::from_str(body) {
            Ok(v) => v,
            Err(e) => {
                self.warn(
                    line,
                    format!("the {what} body is not JSON ({e}); kept as text"),
                );
                return Ok(s(body));
            }
        };
        let mut found = Vec::new();
        {
            let lookup = |name: &str| self.lookup(name);
            schema::mismatches(&json, schema, &lookup, "", "", &mut found);
        }
        for m in found {
            let offset = body
                .lines()
                .position(|l| l.contains(&format!("\"{}\"", m.key)))
                .unwrap_or(0);
            self.warn(
                line + offset,
                format!(
                    "the {what} sends `{}` as {}, but the table types it {}; the spec follows the table",
                    m.field, m.found, m.expected
                ),
            );
        }
        // Read again into an ordered value, so the example keeps the page's key order.
        serde_json::from_str::<Value>(body).map_err(|e| PageError::at(line, e.to_string()))
    }
}

/// Where the columns of a parameter table are.
struct Columns {
    name: usize,
    kind: usize,
    mandatory: Option<usize>,
    description: Option<usize>,
}

impl Columns {
    fn of(table: &Table) -> Result<Self, PageError> {
        let find = |names: &[&str]| {
            table
                .header
                .iter()
                .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
        };
        let name = find(&["Parameter", "Name", "Field"]);
        let kind = find(&["Type"]);
        match (name, kind) {
            (Some(name), Some(kind)) => Ok(Columns {
                name,
                kind,
                mandatory: find(&["Mandatory", "Required"]),
                description: find(&["Description"]),
            }),
            _ => Err(PageError::at(
                table.line,
                format!(
                    "expected a table with the columns Parameter, Type and Description (Mandatory for requests); found {}",
                    table.header.join(", ")
                ),
            )),
        }
    }

    fn required(&self, row: &rst::Row) -> Result<bool, PageError> {
        let Some(i) = self.mandatory else {
            return Ok(false);
        };
        match text::plain(&row.cells[i]).to_lowercase().as_str() {
            "yes" => Ok(true),
            "no" | "" => Ok(false),
            other => Err(PageError::at(
                row.line,
                format!("expected Yes or No in the Mandatory column, found `{other}`"),
            )),
        }
    }

    fn description(&self, row: &rst::Row) -> String {
        self.description
            .map(|i| text::cell(&row.cells[i]))
            .unwrap_or_default()
    }

    fn raw_description(&self, row: &rst::Row) -> String {
        self.description
            .map(|i| row.cells[i].clone())
            .unwrap_or_default()
    }
}
