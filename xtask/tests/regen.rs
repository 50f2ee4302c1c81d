//! `regen` and `regen --check` against scratch copies of the workspace.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use xtask::{GENERATED, Outcome, RegenError, SPEC};

/// A scratch workspace holding a spec and a generated file, under cargo's test tmpdir.
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new(name: &str, spec: &str, generated: &str) -> Scratch {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("regen-{name}"));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("spec")).unwrap();
        fs::create_dir_all(root.join("generated-client/src")).unwrap();
        fs::write(root.join(SPEC), spec).unwrap();
        fs::write(root.join(GENERATED), generated).unwrap();
        Scratch { root }
    }

    fn generated(&self) -> String {
        fs::read_to_string(self.root.join(GENERATED)).unwrap()
    }

    fn files_in_generated_dir(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.root.join("generated-client/src"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn xtask(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .arg("--root")
            .arg(&self.root)
            .output()
            .unwrap()
    }
}

fn real(path: &str) -> String {
    fs::read_to_string(xtask::workspace_root().join(path)).unwrap()
}

#[test]
fn regen_writes_a_stale_file_and_leaves_a_fresh_one_alone() {
    let scratch = Scratch::new("stale", &real(SPEC), "// stale\n");
    assert_eq!(xtask::regen(&scratch.root).unwrap(), Outcome::Written);
    assert_eq!(scratch.generated(), real(GENERATED));

    #[cfg(unix)]
    let inode = {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(scratch.root.join(GENERATED)).unwrap().ino()
    };
    assert_eq!(xtask::regen(&scratch.root).unwrap(), Outcome::Unchanged);
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let after = fs::metadata(scratch.root.join(GENERATED)).unwrap().ino();
        assert_eq!(inode, after, "an up-to-date file must not be rewritten");
    }
    assert_eq!(scratch.files_in_generated_dir(), ["generated.rs"]);
}

#[test]
fn check_reports_drift_with_a_diff_and_the_fix_and_writes_nothing() {
    // Edit the operation's description, whatever it says now.
    let mut tree: serde_json::Value = serde_yaml_ng::from_str(&real(SPEC)).unwrap();
    let operation = tree["paths"]
        .as_object_mut()
        .and_then(|paths| paths.values_mut().next())
        .and_then(|item| item.get_mut("post"))
        .expect("the spec has a POST operation");
    let description = operation["description"].as_str().unwrap().to_owned();
    operation["description"] = format!("{description} Edited by a test.").into();
    let spec = serde_yaml_ng::to_string(&tree).unwrap();
    let scratch = Scratch::new("drift", &spec, &real(GENERATED));

    let error = xtask::check(&scratch.root).unwrap_err();
    assert!(matches!(error, RegenError::Stale { .. }));
    let message = error.to_string();
    assert!(message.contains("run `cargo xtask regen`"), "{message}");
    assert!(message.contains("Edited by a test."), "{message}");
    assert_eq!(
        scratch.generated(),
        real(GENERATED),
        "--check must not write"
    );

    let output = scratch.xtask(&["regen", "--check"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cargo xtask regen"));

    // Running the fix makes the check pass.
    let output = scratch.xtask(&["regen"]);
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("wrote"));
    xtask::check(&scratch.root).unwrap();
    assert!(scratch.generated().contains("Edited by a test."));
}

#[test]
fn crlf_checkouts_are_not_drift() {
    let scratch = Scratch::new(
        "crlf",
        &real(SPEC).replace('\n', "\r\n"),
        &real(GENERATED).replace('\n', "\r\n"),
    );
    xtask::check(&scratch.root).unwrap();
}

#[test]
fn no_broken_spec_changes_the_generated_file() {
    let corpus = xtask::workspace_root().join("codegen/tests/broken-specs");
    let mut cases: Vec<PathBuf> = fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 12, "corpus has {} cases", cases.len());
    let committed = real(GENERATED);
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let scratch = Scratch::new(&name, &fs::read_to_string(&case).unwrap(), &committed);
        let result = std::panic::catch_unwind(|| xtask::regen(&scratch.root));
        let error = result
            .unwrap_or_else(|_| panic!("{name}: regen panicked"))
            .expect_err(&name);
        assert!(matches!(error, RegenError::Codegen(_)), "{name}: {error}");
        assert_eq!(scratch.generated(), committed, "{name} changed the file");
        assert_eq!(scratch.files_in_generated_dir(), ["generated.rs"], "{name}");
    }
}

#[test]
fn a_bad_spec_exits_1_with_the_error_and_writes_nothing() {
    let committed = real(GENERATED);
    let spec = real(SPEC).replace("operationId: CreateConnector", "summary2: x");
    let scratch = Scratch::new("cli-bad", &spec, &committed);
    for args in [&["regen"][..], &["regen", "--check"]] {
        let output = scratch.xtask(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("spec/dms-kafka-smart-connect.yaml"),
            "{stderr}"
        );
        assert!(stderr.contains("has no operationId"), "{stderr}");
        assert_eq!(scratch.generated(), committed);
    }
}

#[test]
fn help_and_usage_errors() {
    let scratch = Scratch::new("cli-help", &real(SPEC), &real(GENERATED));
    let help = scratch.xtask(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("regen") && text.contains("--check"), "{text}");

    let bad = scratch.xtask(&["regenerate"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unexpected argument"));
}
