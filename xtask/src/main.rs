//! `cargo xtask`: maintainer commands for this workspace.

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::{DECISIONS, Outcome, PAGES};

const HELP: &str = "\
cargo xtask: maintainer commands

USAGE:
    cargo xtask regen [--check] [--root <dir>]
    cargo xtask import --out FILE PAGE.rst [PAGE.rst ...]
    cargo xtask generate --spec FILE --out FILE.rs
    cargo xtask public-api [--check] [--root <dir>]
    cargo xtask --help

COMMANDS:
    regen       spec/pages/*.rst + spec/decisions.yaml -> spec/dms-kafka-smart-connect.yaml
                -> generated-client/src/generated.rs, and spec/error_codes.rst
                -> generated-client/src/error_codes.rs. Writes only what changed; a bad page,
                decision or spec writes nothing and exits 1.
    import      Transcribe API reference pages (one operation each, no decisions) into an
                OpenAPI 3.0.3 document: YAML, or JSON when FILE ends in .json.
    generate    Generate a standalone progenitor client (plain settings: needs only
                progenitor-client, reqwest, serde, serde_json) from any spec.
    public-api  Write generated-client/public-api.txt, the listing of the crate's public API
                (from `cargo doc`); with --check, exit 1 with a diff when it is stale.

OPTIONS:
    --check         regen: write nothing; exit 1 with a short diff when a committed file is stale.
    --root <dir>    regen: workspace to work on (default: the one this xtask was built in).
    --out FILE      import, generate: the file to write.
    --spec FILE     generate: the spec to read.
    -h, --help      Print this help.
";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(message: &str) -> ExitCode {
    eprint!("error: {message}\n\n{HELP}");
    ExitCode::from(2)
}

fn print_warnings(warnings: &[codegen::pages::Warning]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

fn run(args: Vec<String>) -> anyhow::Result<ExitCode> {
    let mut args = args.into_iter();
    let mut command: Option<String> = None;
    let mut check = false;
    let mut root = None;
    let mut out = None;
    let mut spec = None;
    let mut inputs = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" | "help" => {
                print!("{HELP}");
                return Ok(ExitCode::SUCCESS);
            }
            "--check" => check = true,
            "--root" | "--out" | "--spec" => {
                let Some(value) = args.next() else {
                    return Ok(usage(&format!("{arg} needs a value")));
                };
                let slot = match arg.as_str() {
                    "--root" => &mut root,
                    "--out" => &mut out,
                    _ => &mut spec,
                };
                *slot = Some(PathBuf::from(value));
            }
            "regen" | "import" | "generate" | "public-api" if command.is_none() => {
                command = Some(arg)
            }
            other if command.as_deref() == Some("import") && !other.starts_with('-') => {
                inputs.push(PathBuf::from(other))
            }
            other => return Ok(usage(&format!("unexpected argument {other:?}"))),
        }
    }
    match command.as_deref() {
        None => Ok(usage("no command given")),
        Some("public-api") => public_api(&root.unwrap_or_else(xtask::workspace_root), check),
        Some("regen") => {
            if out.is_some() || spec.is_some() {
                return Ok(usage("regen takes only --check and --root"));
            }
            let root = root.unwrap_or_else(xtask::workspace_root);
            if check {
                let warnings = xtask::check(&root)?;
                print_warnings(&warnings);
                println!(
                    "regen --check: the spec and the generated files are up to date with {PAGES} and {DECISIONS}"
                );
            } else {
                let (outcome, warnings) = xtask::regen(&root)?;
                print_warnings(&warnings);
                match outcome {
                    Outcome::Unchanged => println!(
                        "regen: everything is already up to date with {PAGES} and {DECISIONS}"
                    ),
                    Outcome::Written(files) => {
                        for file in files {
                            println!("regen: wrote {file}");
                        }
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some("import") => {
            let Some(out) = out else {
                return Ok(usage("import needs --out FILE"));
            };
            if inputs.is_empty() {
                return Ok(usage("import needs at least one PAGE.rst"));
            }
            let warnings = xtask::import(&out, &inputs)?;
            print_warnings(&warnings);
            println!(
                "import: wrote {} ({} operation{})",
                out.display(),
                inputs.len(),
                if inputs.len() == 1 { "" } else { "s" }
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(_) => {
            let (Some(spec), Some(out)) = (spec, out) else {
                return Ok(usage("generate needs --spec FILE and --out FILE.rs"));
            };
            xtask::generate(&spec, &out)?;
            println!("generate: wrote {} from {}", out.display(), spec.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn public_api(root: &std::path::Path, check: bool) -> anyhow::Result<ExitCode> {
    use xtask::public_api::{LISTING, generate};
    let listing = generate(root)?;
    let path = root.join(LISTING);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if listing == committed {
        println!("public-api: {LISTING} is up to date");
    } else if check {
        eprintln!(
            "public-api: {LISTING} is stale (run `cargo xtask public-api`):\n{}",
            similar::TextDiff::from_lines(&committed, &listing)
                .unified_diff()
                .header(LISTING, "now")
        );
        return Ok(ExitCode::FAILURE);
    } else {
        std::fs::write(&path, &listing)?;
        println!("public-api: wrote {LISTING}");
    }
    Ok(ExitCode::SUCCESS)
}
