//! The public API of `generated-client` as a text listing, for review: every public item with
//! its declaration, the inherent methods, and the trait implementations (auto traits
//! included, blanket implementations left out).
//!
//! Made from the HTML that stable `rustdoc` writes (`cargo doc -p generated-client
//! --no-deps`): rustdoc's JSON output, which `cargo public-api` reads, needs a nightly
//! toolchain. The listing is committed as `generated-client/public-api.txt`; the test
//! `xtask/tests/public_api.rs` fails when the API differs from it, and `cargo xtask
//! public-api` rewrites it. What `cargo xtask regen` generates per operation is left out (the
//! `types`, `builder` and `mock` modules, the `Operation` table and the `Client` methods
//! returning a builder): a new page changes the API by design, and the generated files are
//! reviewed in their own diffs. A new Rust toolchain may change how rustdoc prints some items
//! (e.g. new auto traits); such changes show up here too, which is the point.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The committed listing, relative to the workspace root.
pub const LISTING: &str = "generated-client/public-api.txt";
/// Where `cargo doc` writes for the listing, under cargo's target directory (a target
/// directory of its own, so the listing does not depend on, or wait for, other builds).
const TARGET_SUBDIR: &str = "public-api";

/// Runs `cargo doc` for `generated-client` and returns the listing.
pub fn generate(root: &Path) -> anyhow::Result<String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = target_directory(&cargo, root)?.join(TARGET_SUBDIR);
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "doc",
            "--quiet",
            "--package",
            "generated-client",
            "--no-deps",
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("RUSTDOCFLAGS")
        .status()?;
    anyhow::ensure!(status.success(), "cargo doc failed ({status})");
    listing(&target_dir.join("doc").join("generated_client"))
}

/// The target directory cargo uses for the workspace at `root`: `CARGO_TARGET_DIR` or
/// `build.target-dir` may put it outside the clone, so it is asked of `cargo metadata`.
fn target_directory(cargo: &OsStr, root: &Path) -> anyhow::Result<PathBuf> {
    let output = Command::new(cargo)
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "cargo metadata failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let dir = metadata["target_directory"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("cargo metadata gave no target_directory"))?;
    Ok(PathBuf::from(dir))
}

/// The listing of the crate documented in `doc_dir` (`.../doc/<crate>`).
pub fn listing(doc_dir: &Path) -> anyhow::Result<String> {
    let read = |path: &PathBuf| {
        std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))
    };
    let all = read(&doc_dir.join("all.html"))?;
    let mut out = String::from(
        "# Public API of generated-client (made by `cargo xtask public-api`; do not edit)\n",
    );
    let items = all_items(&all);
    let builders: Vec<String> = items
        .iter()
        .filter_map(|(_, _, name)| name.strip_prefix("builder::").map(str::to_owned))
        .collect();
    for (kind, href, name) in items {
        if is_generated(&name) {
            continue;
        }
        let page = read(&doc_dir.join(&href))?;
        let main = page
            .find("id=\"main-content\"")
            .map_or(page.as_str(), |at| &page[at..]);
        let _ = writeln!(out, "\n{kind} generated_client::{name}");
        if let Some(decl) = between(
            main,
            "<pre class=\"rust item-decl\"><code>",
            "</code></pre>",
        ) {
            for line in text(decl).lines() {
                let _ = writeln!(out, "    {}", line.trim_end());
            }
        }
        for (section, headers) in sections(main) {
            let headers = without_generated_calls(section, headers, &builders);
            if headers.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  [{section}]");
            for header in headers {
                let _ = writeln!(out, "    {header}");
            }
        }
    }
    Ok(out)
}

/// Whether the item is generated per operation of the spec (left out of the listing).
fn is_generated(name: &str) -> bool {
    ["types::", "builder::", "mock::"]
        .iter()
        .any(|module| name.starts_with(module))
        || name == "Operation"
}

/// `headers` without the methods that return a generated builder (`-> Name<'_>`); in the
/// inherent section, an `impl` line left with no method goes too.
fn without_generated_calls(
    section: &str,
    headers: Vec<String>,
    builders: &[String],
) -> Vec<String> {
    let generated = |header: &str| {
        builders
            .iter()
            .any(|b| header.ends_with(&format!("-> {b}<'_>")))
    };
    let kept: Vec<String> = headers.into_iter().filter(|h| !generated(h)).collect();
    if section != "inherent" {
        return kept;
    }
    let is_impl = |h: &String| h.starts_with("impl");
    kept.iter()
        .enumerate()
        .filter(|(i, h)| !is_impl(h) || kept.get(i + 1).is_some_and(|next| !is_impl(next)))
        .map(|(_, h)| h.clone())
        .collect()
}

/// `(kind, href, name)` of every item listed in `all.html`.
fn all_items(all: &str) -> Vec<(String, String, String)> {
    let mut items = Vec::new();
    let mut rest = all;
    while let Some(at) = rest.find("<h3 id=\"") {
        rest = &rest[at + "<h3 id=\"".len()..];
        let Some(end) = rest.find('"') else { break };
        let kind = rest[..end].to_owned();
        let list = between(rest, "<ul class=\"all-items\">", "</ul>").unwrap_or_default();
        let mut entries = list;
        while let Some(at) = entries.find("<a href=\"") {
            entries = &entries[at + "<a href=\"".len()..];
            let Some(end) = entries.find('"') else { break };
            let href = entries[..end].to_owned();
            let name = between(entries, ">", "</a>").map(text).unwrap_or_default();
            items.push((singular(&kind), href, name));
        }
    }
    items
}

fn singular(kind: &str) -> String {
    match kind {
        "structs" => "struct",
        "enums" => "enum",
        "traits" => "trait",
        "functions" => "fn",
        "types" => "type",
        "constants" => "const",
        "statics" => "static",
        "macros" => "macro",
        "unions" => "union",
        other => other,
    }
    .to_owned()
}

/// The impl sections of an item page: inherent impls with their methods, trait impls and auto
/// trait impls (impl lines only), implementors of a trait. Blanket impls are left out.
fn sections(main: &str) -> Vec<(&'static str, Vec<String>)> {
    const KEPT: [(&str, &str, bool); 4] = [
        ("implementations", "inherent", true),
        ("trait-implementations", "traits", false),
        ("synthetic-implementations", "auto traits", false),
        ("implementors", "implementors", false),
    ];
    let mut starts: Vec<(usize, &str)> = Vec::new();
    let mut rest = 0;
    while let Some(at) = main[rest..].find("<h2 id=\"") {
        let start = rest + at;
        let id_start = start + "<h2 id=\"".len();
        let id_end = main[id_start..]
            .find('"')
            .map_or(id_start, |e| id_start + e);
        starts.push((start, &main[id_start..id_end]));
        rest = id_end;
    }
    let mut out = Vec::new();
    for (i, (start, id)) in starts.iter().enumerate() {
        let Some((_, label, with_methods)) = KEPT.iter().find(|(kept, _, _)| kept == id) else {
            continue;
        };
        let end = starts.get(i + 1).map_or(main.len(), |(next, _)| *next);
        let headers = code_headers(&main[*start..end], *with_methods);
        if !headers.is_empty() {
            out.push((*label, headers));
        }
    }
    out
}

/// The `code-header` lines of `html`: `impl ...` (h3), and with `methods` also `fn ...` (h4,
/// indented).
fn code_headers(html: &str, methods: bool) -> Vec<String> {
    let mut headers = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(" class=\"code-header\">") {
        let level = &rest[at.saturating_sub(2)..at];
        rest = &rest[at + " class=\"code-header\">".len()..];
        let close = if level == "h4" { "</h4>" } else { "</h3>" };
        let Some(end) = rest.find(close) else { break };
        let header = text(&rest[..end])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        match level {
            "h3" => headers.push(header),
            "h4" if methods => headers.push(format!("    {header}")),
            _ => {}
        }
        rest = &rest[end..];
    }
    headers
}

/// The part of `html` after the first `start` and before the following `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = html.find(start)? + start.len();
    let to = html[from..].find(end)? + from;
    Some(&html[from..to])
}

/// `html` without tags (a `div` or `br` becomes a space), entities decoded.
fn text(html: &str) -> String {
    let mut plain = String::with_capacity(html.len());
    let mut tag: Option<String> = None;
    for c in html.chars() {
        match (&mut tag, c) {
            (None, '<') => tag = Some(String::new()),
            (Some(name), '>') => {
                let name = name.trim_start_matches('/');
                if name.starts_with("div") || name.starts_with("br") {
                    plain.push(' ');
                }
                tag = None;
            }
            (Some(name), c) => name.push(c),
            (None, c) => plain.push(c),
        }
    }
    plain
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strips_tags_and_decodes_entities() {
        assert_eq!(
            text("pub fn <a href=\"#m\">f</a>(&amp;self) -&gt; Option&lt;&amp;str&gt;"),
            "pub fn f(&self) -> Option<&str>"
        );
    }

    #[test]
    fn a_where_clause_is_separated() {
        assert_eq!(
            text("-&gt; Self<div class=\"where\">where V: X</div>"),
            "-> Self where V: X "
        );
    }

    #[test]
    fn code_headers_keep_impls_and_optionally_methods() {
        let html = "<h3 class=\"code-header\">impl <a>X</a></h3>\
                    <h4 class=\"code-header\">pub fn <a>kind</a>(&amp;self)</h4>";
        assert_eq!(code_headers(html, false), ["impl X"]);
        assert_eq!(
            code_headers(html, true),
            ["impl X", "    pub fn kind(&self)"]
        );
    }
}
