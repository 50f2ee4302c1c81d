//! `cargo xtask`: maintainer commands for this workspace.

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::{GENERATED, Outcome, SPEC};

const HELP: &str = "\
cargo xtask: maintainer commands

USAGE:
    cargo xtask regen [--check] [--root <dir>]
    cargo xtask public-api [--check] [--root <dir>]
    cargo xtask --help

COMMANDS:
    regen           Generate generated-client/src/generated.rs from spec/dms-kafka-smart-connect.yaml.
                    Writes only when the code changed; a bad spec writes nothing and exits 1.
    public-api      Write generated-client/public-api.txt, the listing of the crate's public API
                    (from `cargo doc`); with --check, exit 1 with a diff when it is stale.

OPTIONS:
    --check         Write nothing; exit 1 with a short diff when the committed code is stale.
    --root <dir>    Workspace to work on (default: the one this xtask was built in).
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

fn run(args: Vec<String>) -> anyhow::Result<ExitCode> {
    let mut args = args.into_iter();
    let mut command = None;
    let mut check = false;
    let mut root = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" | "help" => {
                print!("{HELP}");
                return Ok(ExitCode::SUCCESS);
            }
            "--check" => check = true,
            "--root" => {
                let dir = args
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("--root needs a directory"))?;
                root = Some(PathBuf::from(dir));
            }
            "regen" | "public-api" if command.is_none() => command = Some(arg),
            other => {
                eprint!("error: unexpected argument {other:?}\n\n{HELP}");
                return Ok(ExitCode::from(2));
            }
        }
    }
    if command.is_none() {
        eprint!("error: no command given\n\n{HELP}");
        return Ok(ExitCode::from(2));
    }
    let root = root.unwrap_or_else(xtask::workspace_root);
    if command.as_deref() == Some("public-api") {
        return public_api(&root, check);
    }
    if check {
        xtask::check(&root)?;
        println!("regen --check: {GENERATED} is up to date with {SPEC}");
    } else {
        match xtask::regen(&root)? {
            Outcome::Unchanged => println!("regen: {GENERATED} is already up to date with {SPEC}"),
            Outcome::Written => println!("regen: wrote {GENERATED} from {SPEC}"),
        }
    }
    Ok(ExitCode::SUCCESS)
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
