//! The committed spec carries what its pages say: for every page in `spec/pages/`, every table
//! row (name, type and the first words of its description), every example body and every
//! status code is found in the spec. The pages are read here with a reader of their own (not
//! the importer), so a transcription that drops or changes something fails here.
//!
//! The same check runs on the import of all 62 vendored pages (`pages-check/spec.yaml`), which
//! also tests this reader.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

/// One table row as the page shows it.
#[derive(Debug)]
struct Row {
    line: usize,
    name: String,
    kind: String,
    words: String,
}

/// What a page holds, read plainly.
#[derive(Debug, Default)]
struct Page {
    operation_id: String,
    method: String,
    path: String,
    rows: Vec<Row>,
    examples: Vec<(usize, String)>,
    status_codes: Vec<String>,
}

fn strip_markup(text: &str) -> String {
    let mut out = text.replace("**", "").replace("``", "").replace("\\ ", "");
    while let Some(start) = out.find(":ref:`") {
        let Some(end) = out[start + 6..].find('`') else {
            break;
        };
        let inner = out[start + 6..start + 6 + end].to_owned();
        let shown = inner.split(" <").next().unwrap_or(&inner).to_owned();
        out.replace_range(start..start + 6 + end + 1, &shown);
    }
    out.trim_start_matches("-  ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn read_page(text: &str) -> Page {
    let lines: Vec<&str> = text.lines().collect();
    let mut page = Page::default();
    let mut section = "";
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim();
        if page.operation_id.is_empty()
            && let Some(label) = t.strip_prefix(".. _").and_then(|l| l.strip_suffix(':'))
        {
            page.operation_id = label.to_owned();
        }
        if lines
            .get(i + 1)
            .is_some_and(|n| n.starts_with("---") && !n.contains(' '))
        {
            section = t;
        }
        if section == "URI" && page.method.is_empty() {
            let mut parts = t.split(' ');
            if let (Some(m @ ("GET" | "POST" | "PUT" | "DELETE" | "PATCH")), Some(p)) =
                (parts.next(), parts.next())
            {
                page.method = m.to_lowercase();
                page.path = p.to_owned();
            }
        }
        let in_examples = section.starts_with("Example");
        if in_examples && t.starts_with(".. code-block::") {
            let indent = line.len() - line.trim_start().len();
            let mut body = Vec::new();
            let mut j = i + 1;
            while j < lines.len()
                && (lines[j].trim().is_empty()
                    || lines[j].len() - lines[j].trim_start().len() > indent)
            {
                body.push(lines[j].trim());
                j += 1;
            }
            let mut text: Vec<&str> = body.into_iter().skip_while(|l| l.is_empty()).collect();
            if text.first().is_some_and(|l| {
                l.trim_matches('\'')
                    .split(' ')
                    .next()
                    .is_some_and(|m| ["GET", "POST", "PUT", "DELETE"].contains(&m))
            }) {
                text.remove(0);
            }
            let text = text.join("\n").trim().to_owned();
            if !text.is_empty() {
                page.examples.push((i + 1, text));
            }
            i = j;
            continue;
        }
        // Grid table rows: a border, then `| name | ...` (the first line of each row).
        if (t.starts_with("+-") || t.starts_with("+="))
            && lines.get(i + 1).is_some_and(|n| n.trim().starts_with('|'))
        {
            let cells: Vec<String> = lines[i + 1]
                .trim()
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect();
            self_row(&mut page, section, &cells, i + 2, &lines, i + 1);
        }
        // Simple tables: border, header, border, rows, border.
        if t.starts_with("==") && t.contains(' ') && t.chars().all(|c| c == '=' || c == ' ') {
            let border = line;
            let spans: Vec<(usize, usize)> = {
                let mut spans = Vec::new();
                let bytes = border.as_bytes();
                let mut p = 0;
                while p < bytes.len() {
                    if bytes[p] == b'=' {
                        let from = p;
                        while p < bytes.len() && bytes[p] == b'=' {
                            p += 1;
                        }
                        spans.push((from, p));
                    } else {
                        p += 1;
                    }
                }
                spans
            };
            let cut = |l: &str, k: usize| -> String {
                let (from, to) = spans[k];
                let to = if k + 1 == spans.len() {
                    l.len()
                } else {
                    to.min(l.len())
                };
                l.get(from.min(l.len())..to).unwrap_or("").trim().to_owned()
            };
            let header: Vec<String> = (0..spans.len()).map(|k| cut(lines[i + 1], k)).collect();
            let mut j = i + 3;
            while j < lines.len() && lines[j].trim() != border.trim() {
                if !cut(lines[j], 0).is_empty() {
                    let cells: Vec<String> = (0..spans.len()).map(|k| cut(lines[j], k)).collect();
                    table_row(&mut page, section, &header, &cells, j + 1);
                }
                j += 1;
            }
            i = j + 1;
            continue;
        }
        i += 1;
    }
    page
}

/// A grid row: finds the header of its table (the row above the `+===+` border) first.
fn self_row(
    page: &mut Page,
    section: &str,
    cells: &[String],
    _next: usize,
    lines: &[&str],
    at: usize,
) {
    // Walk up to the table's header: the first `|` line after the table's first border.
    let mut k = at;
    while k > 0 && !lines[k - 1].trim().is_empty() {
        k -= 1;
    }
    let header: Vec<String> = lines[k + 1]
        .trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_owned())
        .collect();
    if header == cells {
        return;
    }
    table_row(page, section, &header, cells, at + 1);
}

fn table_row(page: &mut Page, section: &str, header: &[String], cells: &[String], line: usize) {
    let col = |name: &str| header.iter().position(|h| h == name);
    if section == "Status Codes" {
        if let Some(code) = cells.first().filter(|c| c.len() == 3) {
            page.status_codes.push(code.clone());
        }
        return;
    }
    let (Some(name), Some(kind)) = (col("Parameter"), col("Type")) else {
        return;
    };
    let words = col("Description")
        .and_then(|d| cells.get(d))
        .map(|d| {
            strip_markup(d)
                .split(' ')
                .take(4)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default();
    page.rows.push(Row {
        line,
        name: strip_markup(&cells[name]),
        kind: strip_markup(&cells[kind]),
        words,
    });
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => spec.pointer(&r.replace("#/", "/")).unwrap_or(schema),
        None => schema,
    }
}

/// Every (name, schema, holder of its description) of a parameter or property the operation
/// reaches.
fn fields<'a>(spec: &'a Value, operation: &'a Value) -> Vec<(String, &'a Value, &'a Value)> {
    let mut out = Vec::new();
    let mut todo: Vec<&Value> = Vec::new();
    for p in operation["parameters"].as_array().into_iter().flatten() {
        out.push((p["name"].as_str().unwrap().to_owned(), &p["schema"], p));
        todo.push(&p["schema"]);
    }
    todo.push(&operation["requestBody"]["content"]["application/json"]["schema"]);
    for r in operation["responses"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        todo.push(&r["content"]["application/json"]["schema"]);
    }
    let mut seen = BTreeSet::new();
    while let Some(schema) = todo.pop() {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str)
            && !seen.insert(r.to_owned())
        {
            continue;
        }
        let schema = resolve(spec, schema);
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            out.push((name.clone(), property, property));
            todo.push(property);
        }
        for key in ["items", "additionalProperties"] {
            if schema[key].is_object() {
                todo.push(&schema[key]);
            }
        }
    }
    out
}

fn type_matches(spec: &Value, page_type: &str, schema: &Value) -> bool {
    let target = resolve(spec, schema);
    let kind = target["type"].as_str().unwrap_or("");
    let t = page_type.to_lowercase();
    if t.starts_with("array of") {
        kind == "array"
    } else if t.starts_with("map<") || t.ends_with("object") {
        kind == "object"
    } else {
        match t.as_str() {
            "string" => kind == "string",
            "integer" | "long" => kind == "integer",
            "boolean" => kind == "boolean",
            "float" | "double" | "number" => kind == "number",
            _ => false,
        }
    }
}

fn description_has(spec: &Value, holder: &Value, schema: &Value, words: &str) -> bool {
    let normalise = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = normalise(words);
    [holder, schema, resolve(spec, schema)]
        .iter()
        .filter_map(|s| s["description"].as_str())
        .any(|d| normalise(d).contains(&words))
}

fn examples(operation: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    let mut media = vec![&operation["requestBody"]["content"]["application/json"]];
    for r in operation["responses"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
    {
        media.push(&r["content"]["application/json"]);
    }
    for m in media {
        for e in m["examples"]
            .as_object()
            .into_iter()
            .flat_map(|e| e.values())
        {
            out.push(&e["value"]);
        }
    }
    out
}

/// Checks one page against the spec; returns what is missing.
fn missing(name: &str, text: &str, spec: &Value) -> Vec<String> {
    let page = read_page(text);
    let mut problems = Vec::new();
    let operation = &spec["paths"][&page.path][&page.method];
    if operation["operationId"] != Value::String(page.operation_id.clone()) {
        return vec![format!(
            "{name}: no operation {} {} {}",
            page.operation_id, page.method, page.path
        )];
    }
    let fields = fields(spec, operation);
    assert!(
        !page.rows.is_empty(),
        "{name}: the reader found no table rows"
    );
    for row in &page.rows {
        if row.name == "-" {
            continue;
        }
        // Error tables are transcribed as the shared ErrorBody: its fields count by name and type.
        let shared = row.name == "error_code" || row.name == "error_msg";
        let found = fields.iter().any(|(n, schema, holder)| {
            *n == row.name
                && type_matches(spec, &row.kind, schema)
                && (shared || description_has(spec, holder, schema, &row.words))
        });
        if !found {
            problems.push(format!(
                "{name}:{}: row `{}` ({}, \"{}...\") is not in the spec",
                row.line, row.name, row.kind, row.words
            ));
        }
    }
    let values = examples(operation);
    for (line, body) in &page.examples {
        let expected =
            serde_json::from_str::<Value>(body).unwrap_or_else(|_| Value::String(body.clone()));
        if !values.contains(&&expected) {
            problems.push(format!("{name}:{line}: this example is not in the spec"));
        }
    }
    for code in &page.status_codes {
        if operation["responses"].get(code).is_none() {
            problems.push(format!("{name}: status code {code} is not in the spec"));
        }
    }
    if page.status_codes.is_empty() {
        problems.push(format!("{name}: the reader found no status codes"));
    }
    problems
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    codegen::load(&path.display().to_string(), &text)
        .unwrap()
        .tree
}

#[test]
fn every_row_example_and_status_code_of_spec_pages_is_in_the_spec() {
    let root = xtask::workspace_root();
    let spec = load(&root.join(xtask::SPEC));
    let pages = xtask::pages(&root).unwrap();
    assert!(!pages.is_empty());
    let problems: Vec<String> = pages
        .iter()
        .flat_map(|(n, t)| missing(n, t, &spec))
        .collect();
    assert!(
        problems.is_empty(),
        "\n{}\n(the fix: run `cargo xtask regen`)",
        problems.join("\n")
    );
}

#[test]
fn every_row_example_and_status_code_of_all_62_pages_is_in_their_import() {
    let root = xtask::workspace_root();
    let spec = load(&root.join(xtask::ALL_PAGES_SPEC));
    let pages = xtask::all_pages(&root).unwrap();
    assert_eq!(pages.len(), 62);
    let problems: Vec<String> = pages
        .iter()
        .flat_map(|(n, t)| missing(n, t, &spec))
        .collect();
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_check_fails_when_the_spec_lacks_a_row_or_an_example() {
    let root = xtask::workspace_root();
    let pages = xtask::pages(&root).unwrap();
    let (name, text) = &pages[0];
    let spec = load(&root.join(xtask::SPEC));

    let mut without_row = spec.clone();
    without_row["components"]["schemas"]["CreateConnectorReq"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("spec_code");
    let problems = missing(name, text, &without_row);
    assert!(
        problems.iter().any(|p| p.contains("row `spec_code`")),
        "{problems:?}"
    );

    let mut other_example = spec.clone();
    let examples = other_example
        .pointer_mut("/paths/~1v2~1{project_id}~1instances~1{instance_id}~1connector/post/requestBody/content/application~1json/examples/example2/value")
        .unwrap();
    examples["specification"] = "200MB".into();
    let problems = missing(name, text, &other_example);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("this example is not in the spec")),
        "{problems:?}"
    );

    let mut other_type = spec;
    other_type["components"]["schemas"]["CreateConnectorReq"]["properties"]["specification"]["type"] =
        "integer".into();
    let problems = missing(name, text, &other_type);
    assert!(
        problems.iter().any(|p| p.contains("row `specification`")),
        "{problems:?}"
    );
}
