//! `cargo xtask regen`: keeps `generated-client/src/generated.rs` in step with the spec.
//!
//! The binary (`main.rs`) parses arguments; everything it does lives here so tests can drive
//! it against a scratch copy of the workspace.

pub mod public_api;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The spec, relative to the workspace root.
pub const SPEC: &str = "spec/dms-kafka-smart-connect.yaml";
/// The generated client, relative to the workspace root.
pub const GENERATED: &str = "generated-client/src/generated.rs";

/// The workspace this xtask was built in.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_owned()
}

/// Why a regen or a check did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum RegenError {
    /// The spec could not be turned into code; nothing was written.
    #[error("{0}\nnothing was written; fix the spec and run `{cmd}` again", cmd = codegen::REGEN_COMMAND)]
    Codegen(#[from] codegen::Error),
    /// Reading or writing the generated file failed.
    #[error("{path}: {source}", path = path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// `--check`: the committed code differs from what the spec produces now.
    #[error("{GENERATED} is stale: it differs from what {SPEC} produces now.\n{diff}\nrun `{cmd}` to update it, then commit the result", cmd = codegen::REGEN_COMMAND)]
    Stale {
        /// A short unified diff, committed → regenerated.
        diff: String,
    },
}

/// What `regen` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The file already held exactly this code; it was not touched.
    Unchanged,
    /// The file was (re)written.
    Written,
}

/// Generates the client code from the spec under `root`.
pub fn generate(root: &Path) -> Result<String, RegenError> {
    Ok(codegen::generate_from_path(
        &root.join(SPEC),
        SPEC,
        &codegen::Settings::generated_client(),
    )?)
}

/// Regenerates the client under `root`, writing only when the content changed, via a
/// temporary file and a rename so the file is never left half-written.
pub fn regen(root: &Path) -> Result<Outcome, RegenError> {
    let fresh = generate(root)?;
    let target = root.join(GENERATED);
    if committed(&target)?.as_deref() == Some(fresh.as_str()) {
        return Ok(Outcome::Unchanged);
    }
    write_atomically(&target, fresh.as_bytes())?;
    Ok(Outcome::Written)
}

/// Fails with [`RegenError::Stale`] when the committed client under `root` differs from what
/// the spec produces now. Writes nothing.
pub fn check(root: &Path) -> Result<(), RegenError> {
    let fresh = generate(root)?;
    let committed = committed(&root.join(GENERATED))?.unwrap_or_default();
    if committed == fresh {
        Ok(())
    } else {
        Err(RegenError::Stale {
            diff: short_diff(&committed, &fresh),
        })
    }
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
    let dir = target.parent().unwrap_or(Path::new("."));
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

/// At most this many diff lines are shown; the rest is summarised.
const DIFF_LINES: usize = 40;

fn short_diff(committed: &str, fresh: &str) -> String {
    let diff = similar::TextDiff::from_lines(committed, fresh)
        .unified_diff()
        .context_radius(2)
        .header(
            &format!("{GENERATED} (committed)"),
            &format!("{GENERATED} (from {SPEC})"),
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
