//! The maintainer commands of this workspace:
//!
//! - `cargo xtask regen [--check]`: the pages in `spec/pages/` plus the decisions in
//!   `spec/decisions.yaml` → the committed spec → `generated-client/src/generated.rs`, and the
//!   error-code page → `generated-client/src/error_codes.rs`;
//! - `cargo xtask import --out FILE PAGE.rst...`: the transcription alone, no decisions;
//! - `cargo xtask generate --spec FILE --out FILE.rs`: the code generation alone, plain settings.
//!
//! The binary (`main.rs`) parses arguments; everything it does lives here so tests can drive
//! it against a scratch copy of the workspace.

pub mod public_api;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use codegen::pages::Warning;

/// The spec, relative to the workspace root.
pub const SPEC: &str = "spec/dms-kafka-smart-connect.yaml";
/// The API pages the client is built from.
pub const PAGES: &str = "spec/pages";
/// The decisions (an OpenAPI Overlay 1.0) applied to the imported pages.
pub const DECISIONS: &str = "spec/decisions.yaml";
/// The error-code page.
pub const ERROR_PAGE: &str = "spec/error_codes.rst";
/// The generated client, relative to the workspace root.
pub const GENERATED: &str = "generated-client/src/generated.rs";
/// The generated per-operation layer: the calls, their builders and the operation table.
pub const GENERATED_OPERATIONS: &str = "generated-client/src/operations.rs";
/// The generated test support: any operation's call from JSON values.
pub const GENERATED_TEST_CALLS: &str = "generated-client/tests/support/example_calls.rs";
/// The generated httpmock helpers (`generated_client::mock`, feature `mock`).
pub const GENERATED_MOCK: &str = "generated-client/src/generated_mock.rs";
/// The generated error-code table.
pub const ERROR_CODES: &str = "generated-client/src/error_codes.rs";
/// Every DMS API page, vendored for tests (`{group}/{page}.rst` below this folder).
pub const ALL_PAGES: &str = "codegen/tests/pages/apis_v2_recommended";
/// The import of [`ALL_PAGES`], committed so the compile check below is reviewable.
pub const ALL_PAGES_SPEC: &str = "pages-check/spec.yaml";
/// The standalone client of [`ALL_PAGES_SPEC`]; the crate `pages-check` compiles it.
pub const ALL_PAGES_CODE: &str = "pages-check/src/generated.rs";

/// The workspace this xtask was built in.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_owned()
}

/// How progenitor generates `generated-client`: hooks required, their state in
/// `crate::transport::ClientContext`; the spec's `NodeCount` and `PathSegment` schemas replaced by
/// the hand-written checked types; every `format: password` string generated as
/// `crate::Secret`. (The client's choices, so they live here, not in codegen.)
pub fn client_settings() -> codegen::Settings {
    codegen::Settings {
        inner_type: Some("crate::transport::ClientContext".into()),
        hooks_required: true,
        replacements: vec![
            codegen::Replacement {
                schema: "NodeCount".into(),
                rust_type: "crate::NodeCount".into(),
            },
            codegen::Replacement {
                schema: "PathSegment".into(),
                rust_type: "crate::PathSegment".into(),
            },
        ],
        conversions: vec![codegen::Conversion {
            format: "password".into(),
            rust_type: "crate::Secret".into(),
        }],
        command: None,
    }
}

/// How the client's own per-operation layer fits the crate: progenitor's code in
/// `crate::generated`, the calls on `crate::Client` returning `crate::Error`, every
/// `project_id` pre-filled from the configured project, the local DMS's tables behind its
/// feature, and a stream for every list that pages the way the service's lists do.
pub fn client_layer() -> codegen::Layer {
    codegen::Layer {
        progenitor_module: "crate::generated".into(),
        client_type: "crate::Client".into(),
        error_type: "crate::Error".into(),
        path_defaults: vec![codegen::PathDefault {
            param: "project_id".into(),
            expr: "crate::transport::default_project_id(self)".into(),
        }],
        local_dms_cfg: Some("feature = \"local-dms\"".into()),
        paging: vec![
            // Querying Smart Connect Tasks: `offset` from 0, `limit`, `total_number` (other
            // lists of the reference count by `total`).
            codegen::Paging {
                position: "offset".into(),
                first: 0,
                limit: "limit".into(),
                totals: vec!["total_number".into(), "total".into()],
            },
            // Listing Background Tasks: `start` from 1, `limit`, `task_count` (a string).
            codegen::Paging {
                position: "start".into(),
                first: 1,
                limit: "limit".into(),
                totals: vec!["task_count".into()],
            },
        ],
        paging_fn: "crate::paging::items".into(),
    }
}

/// Why a command did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum RegenError {
    /// A page, the decisions or the spec could not be turned into code; nothing was written.
    #[error("{0}\nnothing was written")]
    Codegen(#[from] codegen::Error),
    /// Reading or writing a file failed.
    #[error("{path}: {source}", path = path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A command line that names a file that is not what the command expects.
    #[error("{0}")]
    Usage(String),
    /// `--check`: committed files differ from what the pages produce now.
    #[error("{files} stale: {what}.\n{diff}\nrun `{cmd}` to update, then review and commit the result",
        files = files.join(" and "),
        what = if files.len() == 1 { "it differs from what spec/pages and spec/decisions.yaml produce now" } else { "they differ from what spec/pages and spec/decisions.yaml produce now" },
        cmd = codegen::REGEN_COMMAND)]
    Stale {
        /// The stale files, relative to the root.
        files: Vec<String>,
        /// Short unified diffs, committed → regenerated.
        diff: String,
    },
}

/// What `regen` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every file already held exactly this content; none was touched.
    Unchanged,
    /// These files (relative to the root) were (re)written.
    Written(Vec<String>),
}

/// Everything `regen` produces, computed before anything is written.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// (relative path, content) of each produced file.
    pub files: Vec<(&'static str, String)>,
    /// What the importer noticed (page contradictions, renamed tables).
    pub warnings: Vec<Warning>,
}

fn read(path: &Path) -> Result<String, RegenError> {
    fs::read_to_string(path)
        .map(|t| t.replace("\r\n", "\n"))
        .map_err(|source| RegenError::Io {
            path: path.to_owned(),
            source,
        })
}

/// The `.rst` pages of `spec/pages/` under `root`, sorted by name: (relative name, text).
pub fn pages(root: &Path) -> Result<Vec<(String, String)>, RegenError> {
    let dir = root.join(PAGES);
    let entries = fs::read_dir(&dir).map_err(|source| RegenError::Io {
        path: dir.clone(),
        source,
    })?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rst"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let name = format!("{PAGES}/{n}");
            read(&root.join(&name)).map(|text| (name, text))
        })
        .collect()
}

/// Every vendored DMS page under `root` ([`ALL_PAGES`]), sorted: (relative name, text).
pub fn all_pages(root: &Path) -> Result<Vec<(String, String)>, RegenError> {
    let base = root.join(ALL_PAGES);
    let groups = fs::read_dir(&base).map_err(|source| RegenError::Io {
        path: base.clone(),
        source,
    })?;
    let mut names = Vec::new();
    for group in groups.filter_map(|e| e.ok()) {
        let group_name = group.file_name().to_string_lossy().into_owned();
        let Ok(entries) = fs::read_dir(group.path()) else {
            continue;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let file = entry.file_name().to_string_lossy().into_owned();
            if file.ends_with(".rst") {
                names.push(format!("{ALL_PAGES}/{group_name}/{file}"));
            }
        }
    }
    names.sort();
    names
        .into_iter()
        .map(|name| read(&root.join(&name)).map(|text| (name, text)))
        .collect()
}

/// The spec text the pages and decisions under `root` produce, and the importer's warnings.
pub fn spec(root: &Path) -> Result<(String, Vec<Warning>), RegenError> {
    let pages = pages(root)?;
    if pages.is_empty() {
        return Err(RegenError::Usage(format!(
            "{PAGES}: no .rst pages; copy the API reference page of each operation here"
        )));
    }
    let refs: Vec<(&str, &str)> = pages
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let mut imported = codegen::pages::import(&refs)?;
    let decisions = read(&root.join(DECISIONS))?;
    let applied = codegen::overlay::apply(&mut imported.document, DECISIONS, &decisions)?;
    let warnings =
        codegen::overlay::drop_reviewed(DECISIONS, &applied.reviewed_warnings, imported.warnings)?;
    let header = format!(
        "# @generated by `{cmd}` from {PAGES}/*.rst (the published API reference pages,\n\
         # verbatim) and {DECISIONS} (what the pages leave open). DO NOT EDIT BY HAND:\n\
         # change a page or a decision, then run `{cmd}`.\n",
        cmd = codegen::REGEN_COMMAND
    );
    Ok((
        format!("{header}{}", codegen::pages::to_yaml(&imported.document)),
        warnings,
    ))
}

/// Computes every file `regen` writes under `root`, writing nothing.
pub fn outputs(root: &Path) -> Result<Outputs, RegenError> {
    let (spec, warnings) = spec(root)?;
    let code = codegen::generate(SPEC, &spec, &client_settings())?;
    let operations =
        codegen::generate_operations(SPEC, &spec, &client_settings(), &client_layer())?;
    let test_calls =
        codegen::generate_example_calls(SPEC, &spec, &client_settings(), "generated-client")?;
    let mock = codegen::generate_mock(SPEC, &spec, &client_settings(), "crate")?;
    let error_page = read(&root.join(ERROR_PAGE))?;
    let codes = codegen::pages::error_codes(ERROR_PAGE, &error_page)?;
    let error_codes = codegen::pages::error_codes_rust(ERROR_PAGE, &codes);
    let all_pages = all_pages(root)?;
    let refs: Vec<(&str, &str)> = all_pages
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let all_spec = codegen::pages::to_yaml(&codegen::pages::import(&refs)?.document);
    let all_code = codegen::generate(ALL_PAGES_SPEC, &all_spec, &codegen::Settings::default())?;
    Ok(Outputs {
        files: vec![
            (SPEC, spec),
            (GENERATED, code),
            (GENERATED_OPERATIONS, operations),
            (GENERATED_TEST_CALLS, test_calls),
            (GENERATED_MOCK, mock),
            (ERROR_CODES, error_codes),
            (ALL_PAGES_SPEC, all_spec),
            (ALL_PAGES_CODE, all_code),
        ],
        warnings,
    })
}

/// Regenerates under `root`: every output is computed first (so a bad page writes nothing),
/// then each file whose content changed is written via a temporary file and a rename.
pub fn regen(root: &Path) -> Result<(Outcome, Vec<Warning>), RegenError> {
    let outputs = outputs(root)?;
    let mut written = Vec::new();
    for (name, content) in &outputs.files {
        let target = root.join(name);
        if committed(&target)?.as_deref() != Some(content.as_str()) {
            write_atomically(&target, content.as_bytes())?;
            written.push((*name).to_owned());
        }
    }
    let outcome = if written.is_empty() {
        Outcome::Unchanged
    } else {
        Outcome::Written(written)
    };
    Ok((outcome, outputs.warnings))
}

/// Fails with [`RegenError::Stale`] when a committed file under `root` differs from what the
/// pages produce now. Writes nothing.
pub fn check(root: &Path) -> Result<Vec<Warning>, RegenError> {
    let outputs = outputs(root)?;
    let mut files = Vec::new();
    let mut diff = String::new();
    for (name, content) in &outputs.files {
        let committed = committed(&root.join(name))?.unwrap_or_default();
        if committed != *content {
            files.push((*name).to_owned());
            diff.push_str(&short_diff(name, &committed, content));
        }
    }
    if files.is_empty() {
        Ok(outputs.warnings)
    } else {
        Err(RegenError::Stale { files, diff })
    }
}

/// `cargo xtask import`: transcribes `pages` (no decisions) and writes `out` (JSON when it
/// ends in `.json`, YAML otherwise). Nothing is written when a page fails.
pub fn import(out: &Path, pages: &[PathBuf]) -> Result<Vec<Warning>, RegenError> {
    if pages.is_empty() {
        return Err(RegenError::Usage(
            "import needs at least one PAGE.rst".into(),
        ));
    }
    let texts = pages
        .iter()
        .map(|p| read(p).map(|t| (p.display().to_string(), t)))
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<(&str, &str)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let imported = codegen::pages::import(&refs)?;
    let text = if out.extension().is_some_and(|e| e == "json") {
        codegen::pages::to_json(&imported.document)
    } else {
        codegen::pages::to_yaml(&imported.document)
    };
    write_atomically(out, text.as_bytes())?;
    Ok(imported.warnings)
}

/// `cargo xtask generate`: generates a standalone progenitor client (plain settings) from the
/// spec at `spec` into `out`. Nothing is written when the spec fails.
pub fn generate(spec: &Path, out: &Path) -> Result<(), RegenError> {
    let command = format!(
        "cargo xtask generate --spec {} --out {}",
        spec.display(),
        out.display()
    );
    let settings = codegen::Settings {
        command: Some(command),
        ..codegen::Settings::default()
    };
    let code = codegen::generate_from_path(spec, &spec.display().to_string(), &settings)?;
    write_atomically(out, code.as_bytes())
}

/// The file's text with `\r\n` read as `\n` (a checkout may convert line ends), or `None`
/// when there is no file yet.
fn committed(path: &Path) -> Result<Option<String>, RegenError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text.replace("\r\n", "\n"))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(RegenError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), RegenError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| RegenError::Io { path, source }
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temp).map_err(io(&temp))?;
        file.write_all(bytes).map_err(io(&temp))?;
        file.sync_all().map_err(io(&temp))?;
        fs::rename(&temp, target).map_err(io(target))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// At most this many diff lines are shown per file; the rest is summarised.
const DIFF_LINES: usize = 40;

fn short_diff(name: &str, committed: &str, fresh: &str) -> String {
    let diff = similar::TextDiff::from_lines(committed, fresh)
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{name} (committed)"),
            &format!("{name} (from {PAGES} and {DECISIONS})"),
        )
        .to_string();
    let total = diff.lines().count();
    let mut shown: String = diff
        .lines()
        .take(DIFF_LINES)
        .map(|l| format!("{l}\n"))
        .collect();
    if total > DIFF_LINES {
        shown.push_str(&format!("... {} more diff lines\n", total - DIFF_LINES));
    }
    shown
}
