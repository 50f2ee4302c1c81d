//! Reading a large YAML document on several threads: its big block mappings (`paths`,
//! `components/schemas`) are cut at their keys into pieces of consecutive entries, each
//! piece is parsed on its own, and the mappings are put together in document order.
//!
//! Only a plain shape is cut: block mappings whose keys start their lines, no directives or
//! document markers, no tabs at line starts. Anything else (and any piece that does not
//! parse into a mapping, or keys that repeat across pieces) gives `None`, and the caller
//! parses the document whole, which gives the same tree or the error with its location. An
//! alias whose anchor is in another piece does not parse in its piece, so it falls back too.

use serde_yaml_ng::{Mapping, Value};

/// Documents smaller than this are parsed whole.
const MIN_LEN: usize = 256 * 1024;

/// The deepest mapping that is cut (`components` → `schemas` → entries is 2).
const MAX_DEPTH: usize = 3;

/// The YAML tree of `text`, parsed in pieces on `threads` threads; `None` when the document
/// is small or not shaped for it.
pub(super) fn parse(text: &str, threads: usize) -> Option<Value> {
    if threads < 2 || text.len() < MIN_LEN || !plain_shape(text) {
        return None;
    }
    let lines = lines(text);
    let target = (text.len() / (threads * 8)).max(32 * 1024);
    let mut leaves = Vec::new();
    let root = section(text, &lines, 0, lines.len(), 0, 0, target, &mut leaves)?;
    let parsed = parse_all(&leaves, threads)?;
    let mut parsed = parsed.into_iter();
    let mapping = assemble(root, &mut parsed)?;
    Some(Value::Mapping(mapping))
}

/// No directives, document markers, byte order mark or tab-indented lines.
fn plain_shape(text: &str) -> bool {
    !text.starts_with('\u{feff}')
        && !text.contains('\r')
        && text.lines().all(|line| {
            !(line.starts_with("---")
                || line.starts_with("...")
                || line.starts_with('%')
                || line.starts_with('\t'))
        })
}

/// One line: where it starts and ends (without its line break), where the next line starts,
/// its indentation, and whether it holds anything but spaces and a comment.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    next: usize,
    indent: usize,
    content: bool,
}

fn lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start_matches(' ').len();
        let rest = &body[indent..];
        out.push(Line {
            start,
            end: start + body.len(),
            next: start + line.len(),
            indent,
            content: !(rest.is_empty() || rest.starts_with('#')),
        });
        start += line.len();
    }
    out
}

/// A block mapping cut into pieces: runs of entries parsed as they are, and entries whose
/// value (a block mapping) is cut further.
enum Node {
    /// The next piece of text in the leaves.
    Leaf,
    Nested(String, Vec<Node>),
}

/// The entries of the block mapping in lines `from..to`, whose keys are indented `indent`.
#[allow(clippy::too_many_arguments)]
fn section<'t>(
    text: &'t str,
    lines: &[Line],
    from: usize,
    to: usize,
    indent: usize,
    depth: usize,
    target: usize,
    leaves: &mut Vec<&'t str>,
) -> Option<Vec<Node>> {
    // Each entry: the line of its key, up to the next key of the same indentation.
    let mut keys = Vec::new();
    for (i, line) in lines.iter().enumerate().take(to).skip(from) {
        if !line.content {
            continue;
        }
        if line.indent < indent {
            return None;
        }
        if line.indent == indent {
            let first = text.as_bytes()[line.start + indent];
            if matches!(
                first,
                b'-' | b'?' | b':' | b'{' | b'[' | b'|' | b'>' | b'%' | b'@' | b'`' | b','
            ) {
                return None;
            }
            keys.push(i);
        }
    }
    keys.first()?;
    let mut nodes = Vec::new();
    let mut run_start = from;
    for (k, &key) in keys.iter().enumerate() {
        let entry_end = keys.get(k + 1).copied().unwrap_or(to);
        let size = lines[entry_end - 1].end - lines[key].start;
        let nested = (depth < MAX_DEPTH && size > 2 * target)
            .then(|| nested_key(text, lines, key, entry_end))
            .flatten();
        if let Some((name, child_indent)) = nested {
            if key > run_start {
                push_leaf(text, lines, run_start, key, leaves, &mut nodes);
            }
            let children = section(
                text,
                lines,
                key + 1,
                entry_end,
                child_indent,
                depth + 1,
                target,
                leaves,
            )?;
            nodes.push(Node::Nested(name, children));
            run_start = entry_end;
            continue;
        }
        // Close the run before this entry when it is big enough.
        let run_size = lines[key].start - lines[run_start].start;
        if key > run_start && run_size >= target {
            push_leaf(text, lines, run_start, key, leaves, &mut nodes);
            run_start = key;
        }
    }
    if to > run_start {
        push_leaf(text, lines, run_start, to, leaves, &mut nodes);
    }
    Some(nodes)
}

fn push_leaf<'t>(
    text: &'t str,
    lines: &[Line],
    from: usize,
    to: usize,
    leaves: &mut Vec<&'t str>,
    nodes: &mut Vec<Node>,
) {
    // With the last line's break: a block scalar at the end keeps its final line break.
    let start = lines[from].start;
    let end = lines[to - 1].next;
    nodes.push(Node::Leaf);
    leaves.push(&text[start..end]);
}

/// `key:` alone on its line, a plain word that YAML reads as a string, with a block
/// mapping indented under it: the key and the indentation of that mapping.
fn nested_key(text: &str, lines: &[Line], key: usize, end: usize) -> Option<(String, usize)> {
    let line = lines[key];
    let body = &text[line.start + line.indent..line.end];
    let name = body.trim_end_matches(' ').strip_suffix(':')?;
    if name.is_empty()
        || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        || !name.as_bytes()[0].is_ascii_alphabetic()
        || ["null", "true", "false", "yes", "no", "on", "off", "y", "n"]
            .contains(&name.to_ascii_lowercase().as_str())
    {
        return None;
    }
    let child = lines[key + 1..end].iter().find(|l| l.content)?;
    (child.indent > line.indent).then(|| (name.to_owned(), child.indent))
}

/// Each piece's mapping, parsed on up to `threads` threads; `None` if one does not parse
/// into a mapping.
fn parse_all(leaves: &[&str], threads: usize) -> Option<Vec<Mapping>> {
    use std::sync::atomic::{AtomicUsize, Ordering};

    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(leaf) = leaves.get(index) else {
                break;
            };
            let mapping = match serde_yaml_ng::from_str::<Value>(leaf) {
                Ok(Value::Mapping(mapping)) => Some(mapping),
                // Only comments.
                Ok(Value::Null)
                    if leaf.lines().all(|l| {
                        let l = l.trim_start_matches(' ');
                        l.is_empty() || l.starts_with('#')
                    }) =>
                {
                    Some(Mapping::new())
                }
                _ => None,
            };
            let failed = mapping.is_none();
            done.push((index, mapping));
            if failed {
                // Make the others stop.
                next.store(leaves.len(), Ordering::Relaxed);
                break;
            }
        }
        done
    };
    let mut parsed: Vec<(usize, Option<Mapping>)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads.min(leaves.len()))
            .map(|_| scope.spawn(work))
            .collect();
        let mut all = work();
        for helper in helpers {
            all.extend(
                helper
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            );
        }
        all
    });
    if parsed.len() != leaves.len() {
        return None;
    }
    parsed.sort_by_key(|(index, _)| *index);
    parsed.into_iter().map(|(_, mapping)| mapping).collect()
}

/// The mapping of `nodes`, the pieces taken in order from `parsed`; `None` when a key
/// repeats.
fn assemble(nodes: Vec<Node>, parsed: &mut impl Iterator<Item = Mapping>) -> Option<Mapping> {
    let mut mapping = Mapping::new();
    for node in nodes {
        match node {
            Node::Leaf => {
                for (key, value) in parsed.next()? {
                    if mapping.insert(key, value).is_some() {
                        return None;
                    }
                }
            }
            Node::Nested(key, children) => {
                let value = Value::Mapping(assemble(children, parsed)?);
                if mapping.insert(Value::String(key), value).is_some() {
                    return None;
                }
            }
        }
    }
    Some(mapping)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(text: &str) -> Value {
        serde_yaml_ng::from_str(text).expect("parses")
    }

    #[test]
    fn pieces_give_the_tree_of_the_whole() {
        let synthetic = crate::synthetic::spec(300);
        for threads in [2, 3, 8] {
            let tree = parse(&synthetic, threads).expect("cut into pieces");
            assert!(tree == whole(&synthetic));
        }
        // Small documents are parsed whole.
        let real = include_str!("../../../spec/dms-kafka-smart-connect.yaml");
        assert!(parse(real, 2).is_none());
    }

    /// A document padded to the size where it is cut, with `tail` at the end of `paths`.
    fn padded(tail: &str) -> String {
        let mut text = String::from("openapi: 3.0.3\npaths:\n");
        for i in 0..4000 {
            text.push_str(&format!(
                "  /p{i}:\n    get:\n      description: \"path {i}\"\n      # a comment\n\n"
            ));
        }
        text.push_str(tail);
        text.push_str("components:\n  schemas: {}\n");
        text
    }

    #[test]
    fn shapes_it_does_not_cut_are_parsed_whole_or_give_the_same_tree() {
        let plain = padded("");
        assert!(parse(&plain, 2).expect("cut") == whole(&plain));
        // A key that repeats across pieces, an alias to an anchor in another piece: parsed
        // whole (which reports the error).
        for tail in ["  /p0:\n    get: {}\n", "  /q:\n    get: *a\n"] {
            let text = padded(tail);
            assert!(serde_yaml_ng::from_str::<Value>(&text).is_err());
            assert!(parse(&text, 2).is_none(), "{tail}");
        }
        // An alias to an anchor in the same piece, block scalars and flow collections over
        // several lines, quoted keys, comments at the start of lines, a compact sequence, a
        // multi-line quoted scalar: cut, and the same tree.
        for tail in [
            "  /q: &a\n    get: {}\n  /r:\n    get: *a\n",
            "  /q:\n    description: |\n      /p1:\n        x\n\n      # not a comment\n",
            "  /q:\n    description: |+\n      x\n\n\n",
            "  /q: {get: {description: a,\n    b: c}}\n",
            "  '/q':\n    get: {}\n  \"/r\": {}\n",
            "# a comment\n  /q:\n# another\n    get: {}\n",
            "  /q:\n    tags:\n    - a\n    - b\n",
            "  /q:\n    description: \"a\n    b\"\n",
        ] {
            let text = padded(tail);
            let tree = parse(&text, 2).unwrap_or_else(|| panic!("cut: {tail}"));
            assert!(tree == whole(&text), "{tail}");
        }
        let with_marker = format!("---\n{plain}");
        assert!(parse(&with_marker, 2).is_none());
    }
}
