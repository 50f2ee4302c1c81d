//! The decisions file: an [OpenAPI Overlay 1.0](https://spec.openapis.org/overlay/v1.0.0.html)
//! applied to an imported document.
//!
//! Each action's `target` is an RFC 9535 JSONPath, evaluated with `serde_json_path`; the
//! selected nodes are then edited in the document itself, so the document keeps its key order.
//! `update` merges an object into each selected object (recursively; other values are replaced)
//! or appends to each selected array; `remove: true` removes each selected node.
//!
//! Stricter than the Overlay specification, on purpose: a target that selects nothing is an
//! error, so a decision that no longer fits the pages cannot be silently dropped.

use serde_json_path::{JsonPath, PathElement};
use serde_yaml_ng::{Mapping, Value};

use crate::Error;
use crate::pages::Warning;

/// One step from a node to a child.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Index(usize),
}

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// How many actions were applied.
    pub actions: usize,
    /// The importer's warnings the actions answer: each action's `x-reviewed-warnings`, texts
    /// found in the messages of the warnings they answer, with their place in the file
    /// (`actions[2].x-reviewed-warnings[0]`). See [`drop_reviewed`].
    pub reviewed_warnings: Vec<(String, String)>,
}

/// Applies the overlay `text` (YAML or JSON), named `name` in messages, to `document`.
pub fn apply(document: &mut Value, name: &str, text: &str) -> Result<Applied, Error> {
    let fail = |place: String, message: String| Error::Overlay {
        name: name.to_owned(),
        place,
        message,
    };
    let overlay: Value = serde_yaml_ng::from_str(&text.replace("\r\n", "\n")).map_err(|e| {
        let place = e
            .location()
            .map(|l| format!("line {} column {}", l.line(), l.column()))
            .unwrap_or_else(|| "the file".into());
        fail(place, e.to_string())
    })?;
    let version = overlay.get("overlay").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("1.0.") {
        return Err(fail(
            "overlay".into(),
            format!("expected `overlay: 1.0.0` (OpenAPI Overlay 1.0), found {version:?}"),
        ));
    }
    let info = overlay.get("info");
    if info
        .and_then(|i| i.get("title"))
        .and_then(Value::as_str)
        .is_none()
        || info.and_then(|i| i.get("version")).is_none()
    {
        return Err(fail(
            "info".into(),
            "expected `info` with a `title` and a `version`".into(),
        ));
    }
    let actions = overlay
        .get("actions")
        .and_then(Value::as_sequence)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            fail(
                "actions".into(),
                "expected a non-empty list of actions".into(),
            )
        })?;

    let mut reviewed_warnings = Vec::new();
    for (i, action) in actions.iter().enumerate() {
        let place = format!("actions[{i}]");
        let Some(fields) = action.as_mapping() else {
            return Err(fail(
                place,
                "expected an object with `target` and `update` or `remove`".into(),
            ));
        };
        for key in fields.keys() {
            let key = key.as_str().unwrap_or("");
            if !matches!(key, "target" | "description" | "update" | "remove")
                && !key.starts_with("x-")
            {
                return Err(fail(
                    place,
                    format!(
                        "unknown field `{key}`; an action has target, description, update, remove"
                    ),
                ));
            }
        }
        let target = action
            .get("target")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                fail(
                    format!("{place}.target"),
                    "expected a JSONPath string".into(),
                )
            })?;
        let remove = match action.get("remove") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(fail(
                    format!("{place}.remove"),
                    "expected true or false".into(),
                ));
            }
        };
        if let Some(list) = action.get("x-reviewed-warnings") {
            let place = format!("{place}.x-reviewed-warnings");
            let texts = list
                .as_sequence()
                .and_then(|items| items.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
                .ok_or_else(|| fail(place.clone(), "expected a list of strings".into()))?;
            for (n, text) in texts.into_iter().enumerate() {
                reviewed_warnings.push((format!("{place}[{n}]"), text.to_owned()));
            }
        }
        let update = action.get("update");
        if remove == update.is_some() {
            return Err(fail(
                place,
                "expected exactly one of `update` and `remove: true`".into(),
            ));
        }
        let path = JsonPath::parse(target).map_err(|e| {
            fail(
                format!("{place}.target"),
                format!("`{target}` is not a JSONPath (RFC 9535): {e}"),
            )
        })?;
        let json =
            serde_json::to_value(&*document).map_err(|e| fail(place.clone(), e.to_string()))?;
        let mut locations: Vec<Vec<Step>> = path
            .query_located(&json)
            .locations()
            .map(|location| {
                location
                    .iter()
                    .map(|element| match element {
                        PathElement::Name(n) => Step::Key((*n).to_owned()),
                        PathElement::Index(i) => Step::Index(*i),
                    })
                    .collect()
            })
            .collect();
        if locations.is_empty() {
            return Err(fail(
                format!("{place}.target"),
                format!(
                    "`{target}` selects nothing in the imported spec; the decision no longer applies (did a page change?)"
                ),
            ));
        }
        if remove {
            // Later array indexes first, so earlier removals do not shift them.
            locations.sort_by(|a, b| b.cmp(a));
            for location in locations {
                let (last, parent) = location.split_last().ok_or_else(|| {
                    fail(
                        format!("{place}.target"),
                        "cannot remove the whole document".into(),
                    )
                })?;
                let parent = node_mut(document, parent).expect("a located node exists");
                match (parent, last) {
                    (Value::Mapping(m), Step::Key(k)) => {
                        m.shift_remove(k.as_str());
                    }
                    (Value::Sequence(items), Step::Index(i)) => {
                        items.remove(*i);
                    }
                    _ => unreachable!("a location matches its parent's kind"),
                }
            }
        } else if let Some(update) = update {
            for location in locations {
                let node = node_mut(document, &location).expect("a located node exists");
                match (node, update) {
                    (Value::Mapping(node), Value::Mapping(update)) => merge(node, update),
                    (Value::Sequence(items), value) => items.push(value.clone()),
                    (Value::Mapping(_), _) => {
                        return Err(fail(
                            format!("{place}.update"),
                            "the target is an object, so `update` must be an object".into(),
                        ));
                    }
                    (other, _) => {
                        return Err(fail(
                            format!("{place}.target"),
                            format!(
                                "`{target}` selects a {}; Overlay 1.0 updates objects and arrays only (target the object that holds it)",
                                kind(other)
                            ),
                        ));
                    }
                }
            }
        }
    }
    Ok(Applied {
        actions: actions.len(),
        reviewed_warnings,
    })
}

/// The importer's `warnings` without those the decisions file (named `name`) records as
/// reviewed ([`Applied::reviewed_warnings`]). A listed text that no warning contains is an
/// error, like a target that selects nothing: a review that no longer fits the pages is never
/// kept silently.
pub fn drop_reviewed(
    name: &str,
    reviewed: &[(String, String)],
    warnings: Vec<Warning>,
) -> Result<Vec<Warning>, Error> {
    for (place, text) in reviewed {
        if !warnings.iter().any(|w| w.message.contains(text.as_str())) {
            return Err(Error::Overlay {
                name: name.to_owned(),
                place: place.clone(),
                message: format!("no warning of the pages contains {text:?}"),
            });
        }
    }
    Ok(warnings
        .into_iter()
        .filter(|w| !reviewed.iter().any(|(_, r)| w.message.contains(r.as_str())))
        .collect())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Sequence(_) => "array",
        Value::Mapping(_) => "object",
        Value::Tagged(_) => "tagged value",
    }
}

fn node_mut<'a>(mut node: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    for step in steps {
        node = match (node, step) {
            (Value::Mapping(m), Step::Key(k)) => m.get_mut(k.as_str())?,
            (Value::Sequence(items), Step::Index(i)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Overlay merge: objects merge recursively, anything else replaces (in place, keeping the
/// key's position), new keys are appended.
fn merge(target: &mut Mapping, update: &Mapping) {
    for (key, value) in update {
        match (target.get_mut(key), value) {
            (Some(Value::Mapping(existing)), Value::Mapping(more)) => merge(existing, more),
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        serde_yaml_ng::from_str("a: {x: 1, y: [1]}\nb: {x: 2}\n").unwrap()
    }

    const HEAD: &str = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\n";

    #[test]
    fn update_merges_and_appends_and_remove_removes() {
        let mut d = doc();
        let text = format!(
            "{HEAD}actions:\n  - target: $.a\n    update: {{x: 5, z: 6}}\n  - target: $.a.y\n    update: 2\n  - target: $.b\n    remove: true\n"
        );
        assert_eq!(apply(&mut d, "o", &text).unwrap().actions, 3);
        assert_eq!(
            serde_yaml_ng::to_string(&d).unwrap(),
            "a:\n  x: 5\n  y:\n  - 1\n  - 2\n  z: 6\n"
        );
    }

    #[test]
    fn reviewed_warnings_are_dropped_and_a_stale_review_is_an_error() {
        let text = format!(
            "{HEAD}actions:\n  - target: $.a\n    remove: true\n    x-reviewed-warnings: [\"sends 2\"]\n"
        );
        let warning = |line, message: &str| Warning {
            page: "p".into(),
            line,
            message: message.into(),
        };
        let reviewed = apply(&mut doc(), "o", &text).unwrap().reviewed_warnings;
        let warnings = vec![warning(1, "sends 2 for a String"), warning(2, "other")];
        let kept = drop_reviewed("o", &reviewed, warnings).unwrap();
        assert_eq!(kept, [warning(2, "other")]);
        let e = drop_reviewed("o", &reviewed, vec![warning(2, "other")])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("actions[0].x-reviewed-warnings[0]") && e.contains("sends 2"),
            "{e}"
        );
    }

    #[test]
    fn a_target_that_selects_nothing_is_an_error() {
        let text = format!("{HEAD}actions:\n  - target: $.c\n    remove: true\n");
        let e = apply(&mut doc(), "o", &text).unwrap_err().to_string();
        assert!(
            e.contains("actions[0].target") && e.contains("selects nothing"),
            "{e}"
        );
    }

    #[test]
    fn bad_jsonpath_and_primitive_targets_are_errors() {
        let text = format!("{HEAD}actions:\n  - target: $.a[\n    remove: true\n");
        assert!(
            apply(&mut doc(), "o", &text)
                .unwrap_err()
                .to_string()
                .contains("not a JSONPath")
        );
        let text = format!("{HEAD}actions:\n  - target: $.a.x\n    update: 3\n");
        assert!(
            apply(&mut doc(), "o", &text)
                .unwrap_err()
                .to_string()
                .contains("selects a number")
        );
    }
}
