//! `cargo xtask`: maintainer commands for this workspace.

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
                -> generated-client/src/{generated,operations,generated_mock}.rs and the
                tests' calls, and spec/error_codes.rst -> generated-client/src/error_codes.rs. Writes only what changed; a bad page,
                decision or spec writes nothing and exits 1.
    import      Transcribe API reference pages (one operation each, no decisions) into an
                OpenAPI 3.0.3 document: YAML, or JSON when FILE ends in .json.
    generate    Generate a standalone progenitor client (plain settings: needs only
                progenitor-client, reqwest, serde, serde_json) from any spec.
    public-api  Write generated-client/public-api.txt, the listing of the crate's public API
                (from `cargo doc`); with --check, exit 1 with a diff when it is stale.

OPTIONS:
    --check         regen: write nothing; exit 1 with a short diff when a committed file is stale.
    --root <dir>    regen, public-api: workspace to work on (default: this xtask's own).
    --out FILE      import, generate: the file to write.
    --spec FILE     generate: the spec to read.
    -h, --help      Print this help.
";

/// The command line, declared with xflags (`Xtask` and one struct per subcommand).
mod flags {
    use std::path::PathBuf;

    xflags::xflags! {
        cmd xtask {
            cmd regen {
                optional --check
                optional --root root: PathBuf
            }
            cmd import {
                required --out out: PathBuf
                repeated pages: PathBuf
            }
            cmd generate {
                required --spec spec: PathBuf
                required --out out: PathBuf
            }
            cmd public-api {
                optional --check
                optional --root root: PathBuf
            }
        }
    }
}

fn main() -> ExitCode {
    let args = std::env::args_os().skip(1).collect();
    let flags = match flags::Xtask::from_vec(args) {
        Ok(flags) => flags,
        Err(e) if e.is_help() => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => return usage(&e.to_string()),
    };
    let outcome = match flags.subcommand {
        flags::XtaskCmd::Regen(cmd) => regen(cmd),
        flags::XtaskCmd::Import(cmd) => import(cmd),
        flags::XtaskCmd::Generate(cmd) => generate(cmd),
        flags::XtaskCmd::PublicApi(cmd) => public_api(cmd),
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        ExitCode::FAILURE
    })
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

fn regen(cmd: flags::Regen) -> anyhow::Result<ExitCode> {
    let root = cmd.root.unwrap_or_else(xtask::workspace_root);
    if cmd.check {
        let warnings = xtask::check(&root)?;
        print_warnings(&warnings);
        println!(
            "regen --check: the spec and the generated files are up to date with {PAGES} and {DECISIONS}"
        );
        return Ok(ExitCode::SUCCESS);
    }
    let (outcome, warnings) = xtask::regen(&root)?;
    print_warnings(&warnings);
    match outcome {
        Outcome::Unchanged => {
            println!("regen: everything is already up to date with {PAGES} and {DECISIONS}")
        }
        Outcome::Written(files) => {
            for file in files {
                println!("regen: wrote {file}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn import(cmd: flags::Import) -> anyhow::Result<ExitCode> {
    if cmd.pages.is_empty() {
        return Ok(usage("import needs at least one PAGE.rst"));
    }
    let warnings = xtask::import(&cmd.out, &cmd.pages)?;
    print_warnings(&warnings);
    let n = cmd.pages.len();
    println!(
        "import: wrote {} ({n} operation{})",
        cmd.out.display(),
        if n == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

fn generate(cmd: flags::Generate) -> anyhow::Result<ExitCode> {
    xtask::generate(&cmd.spec, &cmd.out)?;
    println!(
        "generate: wrote {} from {}",
        cmd.out.display(),
        cmd.spec.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn public_api(cmd: flags::PublicApi) -> anyhow::Result<ExitCode> {
    use xtask::public_api::LISTING;
    let (root, check) = (cmd.root.unwrap_or_else(xtask::workspace_root), cmd.check);
    let listing = xtask::public_api::generate(&root)?;
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
