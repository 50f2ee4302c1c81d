//! Type words and description phrasings → schema keywords; example values checked against the
//! schema they illustrate.

use std::sync::LazyLock;

use regex::Regex;
use serde_yaml_ng::{Mapping, Value};

use super::text;

/// Builds a mapping from key/value pairs, in order.
pub(crate) fn map<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    let mut m = Mapping::new();
    for (k, v) in pairs {
        m.insert(Value::String(k.to_owned()), v);
    }
    Value::Mapping(m)
}

pub(crate) fn s(text: &str) -> Value {
    Value::String(text.to_owned())
}

/// `#/components/schemas/{name}`.
pub(crate) fn schema_ref(name: &str) -> Value {
    map([("$ref", s(&format!("#/components/schemas/{name}")))])
}

/// What a type cell says, before nested tables are looked up.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TypeWord {
    /// A schema that needs no lookup.
    Plain(Value),
    /// A nested table: (reference text, anchor).
    Ref(String, String),
    /// An array of nested tables.
    ArrayOfRef(String, String),
    /// A map from string to nested tables.
    MapOfRef(String, String),
}

/// The type words the importer knows, for messages.
pub(crate) const KNOWN_TYPES: &str = "String, Integer, Long, Boolean, Float, Double, Number, Object, \
    Array of strings (integers, longs, booleans, numbers, objects), Array of X objects, X object, \
    Map<String,X>";

fn scalar(word: &str) -> Option<Value> {
    let typed = |t: &str| map([("type", s(t))]);
    let formatted = |t: &str, f: &str| map([("type", s(t)), ("format", s(f))]);
    Some(match word {
        "string" | "strings" => typed("string"),
        "integer" | "integers" | "int" | "int32" => formatted("integer", "int32"),
        "long" | "longs" | "int64" => formatted("integer", "int64"),
        "boolean" | "booleans" | "bool" => typed("boolean"),
        "float" | "floats" => formatted("number", "float"),
        "double" | "doubles" => formatted("number", "double"),
        "number" | "numbers" | "bigdecimal" => typed("number"),
        "object" | "objects" | "json" | "jsonobject" => typed("object"),
        _ => return None,
    })
}

/// Reads a type cell (raw rst). `None`: not a type word the importer knows.
pub(crate) fn type_word(raw: &str) -> Option<TypeWord> {
    let reference = text::first_ref(raw);
    let words = text::plain(raw).to_lowercase();
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let compact: String = words.chars().filter(|c| !c.is_whitespace()).collect();
    if let Some(inner) = compact
        .strip_prefix("map<string,")
        .and_then(|r| r.strip_suffix('>'))
    {
        if let Some((text, anchor)) = reference {
            return Some(TypeWord::MapOfRef(text, anchor));
        }
        let inner = inner.trim_end_matches("object");
        return scalar(inner).map(|value| {
            TypeWord::Plain(map([
                ("type", s("object")),
                ("additionalProperties", value),
            ]))
        });
    }
    if let Some(rest) = words
        .strip_prefix("array of ")
        .or_else(|| words.strip_prefix("list of "))
    {
        if let Some((text, anchor)) = reference {
            return Some(TypeWord::ArrayOfRef(text, anchor));
        }
        return scalar(rest.trim())
            .map(|items| TypeWord::Plain(map([("type", s("array")), ("items", items)])));
    }
    if let Some(inner) = compact
        .strip_prefix("list<")
        .and_then(|r| r.strip_suffix('>'))
    {
        return scalar(inner)
            .map(|items| TypeWord::Plain(map([("type", s("array")), ("items", items)])));
    }
    if let Some((text, anchor)) = reference {
        let rest = words.trim_end_matches("object").trim();
        if rest == text.to_lowercase() || words.ends_with("object") || words == text.to_lowercase()
        {
            return Some(TypeWord::Ref(text, anchor));
        }
        return None;
    }
    scalar(&words).map(TypeWord::Plain)
}

/// `SmartConnectTaskReqSourceConfig` stays; `topic_other_configs` → `TopicOtherConfigs`.
pub(crate) fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut chars = p.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// The schema's `type`, when it has one.
pub(crate) fn type_of(schema: &Value) -> Option<&str> {
    schema.get("type").and_then(Value::as_str)
}

static DEFAULT_BOLD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)default value is\s+\*\*([^*]+)\*\*").unwrap());
static DEFAULT_EM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)default value is\s+\*([^*\s]+)\*").unwrap());
static MIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bmin(?:imum)?\.?:\s*\**(-?\d+)\**").unwrap());
static MAX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bmax(?:imum)?\.?:\s*\**(-?\d+)\**").unwrap());
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:value range(?: is)?:?|value ranges from|ranges from)\s*\**(-?\d+)\**\s*(?:to|-|~)\s*\**(-?\d+)\**",
    )
    .unwrap()
});
static LENGTH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(\d+)\s+to\s+(\d+)\s+characters").unwrap());
static MAX_LENGTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:up to|a maximum of|at most)\s+(\d+)\s+characters").unwrap()
});

/// Keywords a description states in one of the corpus's phrasings, for a schema of type
/// `kind`, and the notes for those that do not fit the type.
pub(crate) fn constraints(
    raw: &str,
    kind: Option<&str>,
) -> (Vec<(&'static str, Value)>, Vec<String>) {
    let mut keywords = Vec::new();
    let mut notes = Vec::new();
    let plain = text::plain(raw);
    let numeric = matches!(kind, Some("integer" | "number"));
    let type_name = kind.unwrap_or("untyped");

    let default = DEFAULT_BOLD
        .captures(raw)
        .or_else(|| DEFAULT_EM.captures(raw))
        .map(|c| c[1].trim().to_owned());
    if let Some(value) = default {
        match typed_value(&value, kind) {
            Some(v) => keywords.push(("default", v)),
            None => notes.push(format!(
                "the description states the default {value:?}, which is not a valid {type_name} value; not transcribed as `default`"
            )),
        }
    }

    let mut bound = |name: &'static str, value: &str| {
        let Ok(n) = value.parse::<i64>() else { return };
        if numeric {
            if !keywords.iter().any(|(k, _)| *k == name) {
                keywords.push((name, Value::Number(n.into())));
            }
        } else {
            notes.push(format!(
                "the description states a {name} of {n}, but the table types the field {}; OpenAPI has no {name} for that type, so it is not transcribed (a decision can add one, e.g. a pattern)",
                kind.map(|k| match k {
                    "string" => "String",
                    "boolean" => "Boolean",
                    "array" => "Array",
                    "object" => "Object",
                    other => other,
                })
                .unwrap_or("without a type")
            ));
        }
    };
    if let Some(c) = RANGE.captures(&plain) {
        bound("minimum", &c[1]);
        bound("maximum", &c[2]);
    }
    if let Some(c) = MIN.captures(&plain) {
        bound("minimum", &c[1]);
    }
    if let Some(c) = MAX.captures(&plain) {
        bound("maximum", &c[1]);
    }
    if kind == Some("string") {
        if let Some(c) = LENGTH.captures(&plain) {
            let (lo, hi) = (c[1].parse::<u64>(), c[2].parse::<u64>());
            if let (Ok(lo), Ok(hi)) = (lo, hi) {
                if lo > 0 {
                    keywords.push(("minLength", Value::Number(lo.into())));
                }
                keywords.push(("maxLength", Value::Number(hi.into())));
            }
        } else if let Some(c) = MAX_LENGTH.captures(&plain)
            && let Ok(hi) = c[1].parse::<u64>()
        {
            keywords.push(("maxLength", Value::Number(hi.into())));
        }
    }
    (keywords, notes)
}

fn typed_value(value: &str, kind: Option<&str>) -> Option<Value> {
    match kind {
        Some("integer") => value.parse::<i64>().ok().map(|n| Value::Number(n.into())),
        Some("number") => value.parse::<f64>().ok().map(|n| Value::Number(n.into())),
        Some("boolean") => match value {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Some("string") => Some(s(value)),
        _ => None,
    }
}

/// A found difference between an example value and the table's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mismatch {
    /// Dotted path of the field in the example (`sink_task.store_keys`).
    pub field: String,
    /// The last key, for finding its line.
    pub key: String,
    /// `the number 2`.
    pub found: String,
    /// `String`.
    pub expected: String,
}

fn describe(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::Bool(b) => format!("the boolean {b}"),
        serde_json::Value::Number(n) => format!("the number {n}"),
        serde_json::Value::String(t) => format!("the string {t:?}"),
        serde_json::Value::Array(_) => "an array".into(),
        serde_json::Value::Object(_) => "an object".into(),
    }
}

/// Walks `value` along `schema` (refs resolved by `lookup`) and lists where the types differ.
pub(crate) fn mismatches<'a>(
    value: &serde_json::Value,
    schema: &'a Value,
    lookup: &dyn Fn(&str) -> Option<&'a Value>,
    path: &str,
    key: &str,
    out: &mut Vec<Mismatch>,
) {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            match lookup(name) {
                Some(s) => s,
                None => return,
            }
        }
        None => schema,
    };
    let Some(kind) = type_of(schema) else { return };
    use serde_json::Value as J;
    let ok = match (kind, value) {
        (_, J::Null) => true,
        ("string", J::String(_)) => true,
        ("integer", J::Number(n)) => n.is_i64() || n.is_u64(),
        ("number", J::Number(_)) => true,
        ("boolean", J::Bool(_)) => true,
        ("array", J::Array(items)) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    mismatches(item, item_schema, lookup, &format!("{path}[{i}]"), key, out);
                }
            }
            true
        }
        ("object", J::Object(fields)) => {
            let properties = schema.get("properties");
            let additional = schema.get("additionalProperties");
            for (name, field) in fields {
                let child = format!("{}{name}", if path.is_empty() { "" } else { "." });
                let child = format!("{path}{child}");
                if let Some(p) = properties.and_then(|p| p.get(name.as_str())) {
                    mismatches(field, p, lookup, &child, name, out);
                } else if let Some(a) = additional.filter(|a| a.is_mapping()) {
                    mismatches(field, a, lookup, &child, name, out);
                }
            }
            true
        }
        _ => false,
    };
    if !ok {
        let expected = match (kind, schema.get("format").and_then(Value::as_str)) {
            ("integer", Some("int64")) => "Long",
            ("integer", _) => "Integer",
            ("number", _) => "Number",
            ("string", _) => "String",
            ("boolean", _) => "Boolean",
            ("array", _) => "Array",
            _ => "Object",
        };
        out.push(Mismatch {
            field: if path.is_empty() {
                "the body".into()
            } else {
                path.to_owned()
            },
            key: key.to_owned(),
            found: describe(value),
            expected: expected.to_owned(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_words() {
        assert_eq!(
            type_word("String"),
            Some(TypeWord::Plain(map([("type", s("string"))])))
        );
        assert!(matches!(
            type_word("Array of :ref:`results <a__response_results>` objects"),
            Some(TypeWord::ArrayOfRef(t, a)) if t == "results" && a == "a__response_results"
        ));
        assert!(matches!(
            type_word(":ref:`BssParam <a__bssparam>` object"),
            Some(TypeWord::Ref(t, _)) if t == "BssParam"
        ));
        assert!(matches!(
            type_word("Map<String,String>"),
            Some(TypeWord::Plain(v)) if v["additionalProperties"]["type"] == s("string")
        ));
        assert!(
            matches!(type_word("Array of strings"), Some(TypeWord::Plain(v)) if v["items"]["type"] == s("string"))
        );
        assert_eq!(type_word("Strnig"), None);
    }

    #[test]
    fn phrasings() {
        let (k, notes) = constraints(
            "The default value is **10**. The value ranges from 1 to 50.",
            Some("integer"),
        );
        assert_eq!(
            k,
            vec![
                ("default", Value::Number(10.into())),
                ("minimum", Value::Number(1.into())),
                ("maximum", Value::Number(50.into()))
            ]
        );
        assert!(notes.is_empty());
        let (k, notes) = constraints(
            "Number of connectors. Min.: 2.\n\nThe default value is **2** if it is not specified.",
            Some("string"),
        );
        assert_eq!(k, vec![("default", s("2"))]);
        assert_eq!(notes.len(), 1, "{notes:?}");
        let (k, _) = constraints("Can contain 4 to 64 characters.", Some("string"));
        assert_eq!(
            k,
            vec![
                ("minLength", Value::Number(4.into())),
                ("maxLength", Value::Number(64.into()))
            ]
        );
        let (k, _) = constraints("Max. retries of full synchronization.", Some("integer"));
        assert!(k.is_empty());
    }

    #[test]
    fn names() {
        assert_eq!(pascal("topic_other_configs"), "TopicOtherConfigs");
        assert_eq!(
            pascal("SmartConnectTaskReqSourceConfig"),
            "SmartConnectTaskReqSourceConfig"
        );
    }
}
