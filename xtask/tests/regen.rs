//! `regen`, `regen --check`, `import` and `generate` against scratch copies of the workspace.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::copy_dir;
use xtask::{
    ALL_PAGES, ALL_PAGES_CODE, ALL_PAGES_SPEC, DECISIONS, ERROR_CODES, ERROR_PAGE, GENERATED,
    GENERATED_MOCK, GENERATED_OPERATIONS, GENERATED_TEST_CALLS, Outcome, PAGES, RegenError, SPEC,
};

/// Every file `regen` writes.
const OUTPUTS: [&str; 8] = [
    SPEC,
    GENERATED,
    GENERATED_OPERATIONS,
    GENERATED_TEST_CALLS,
    GENERATED_MOCK,
    ERROR_CODES,
    ALL_PAGES_SPEC,
    ALL_PAGES_CODE,
];
/// The enabling page, as vendored.
const PAGE: &str = "spec/pages/enabling_smart_connect_pay-per-use_instance.rst";

fn real(path: &str) -> String {
    fs::read_to_string(xtask::workspace_root().join(path)).unwrap()
}

/// A scratch workspace: the inputs of regen and the committed outputs, under cargo's tmpdir.
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("regen-{name}"));
        let _ = fs::remove_dir_all(&root);
        let workspace = xtask::workspace_root();
        copy_dir(&workspace.join(PAGES), &root.join(PAGES));
        copy_dir(&workspace.join(ALL_PAGES), &root.join(ALL_PAGES));
        for file in [DECISIONS, ERROR_PAGE].into_iter().chain(OUTPUTS) {
            fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
            fs::copy(workspace.join(file), root.join(file)).unwrap();
        }
        Scratch { root }
    }

    fn read(&self, file: &str) -> String {
        fs::read_to_string(self.root.join(file)).unwrap()
    }

    fn write(&self, file: &str, text: &str) {
        fs::write(self.root.join(file), text).unwrap();
    }

    /// Edits `file` by replacing `from` (which must occur) with `to`.
    fn edit(&self, file: &str, from: &str, to: &str) {
        let text = self.read(file);
        assert!(text.contains(from), "{file} has no {from:?}");
        self.write(file, &text.replacen(from, to, 1));
    }

    /// The outputs as they are now.
    fn outputs(&self) -> Vec<String> {
        OUTPUTS.iter().map(|f| self.read(f)).collect()
    }

    /// Files in the directories of the outputs (a leftover temporary file would show here).
    fn files_beside_outputs(&self) -> Vec<String> {
        let mut names = Vec::new();
        for dir in [
            "spec",
            "generated-client/src",
            "pages-check",
            "pages-check/src",
        ] {
            for entry in fs::read_dir(self.root.join(dir)).unwrap() {
                names.push(format!(
                    "{dir}/{}",
                    entry.unwrap().file_name().to_string_lossy()
                ));
            }
        }
        names.sort();
        names
    }

    fn xtask(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .arg("--root")
            .arg(&self.root)
            .output()
            .unwrap()
    }
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap()
}

fn committed_outputs() -> Vec<String> {
    OUTPUTS.iter().map(|f| real(f)).collect()
}

#[test]
fn regen_writes_a_stale_file_and_leaves_fresh_ones_alone() {
    let scratch = Scratch::new("stale");
    scratch.write(GENERATED, "// stale\n");
    let before = scratch.files_beside_outputs();
    let (outcome, _) = xtask::regen(&scratch.root).unwrap();
    assert_eq!(outcome, Outcome::Written(vec![GENERATED.to_owned()]));
    assert_eq!(scratch.outputs(), committed_outputs());

    #[cfg(unix)]
    let inode = |file: &str| {
        use std::os::unix::fs::MetadataExt;
        fs::metadata(scratch.root.join(file)).unwrap().ino()
    };
    #[cfg(unix)]
    let inodes: Vec<u64> = OUTPUTS.iter().map(|f| inode(f)).collect();
    assert_eq!(xtask::regen(&scratch.root).unwrap().0, Outcome::Unchanged);
    #[cfg(unix)]
    assert_eq!(
        inodes,
        OUTPUTS.iter().map(|f| inode(f)).collect::<Vec<_>>(),
        "up-to-date files must not be rewritten"
    );
    assert_eq!(
        scratch.files_beside_outputs(),
        before,
        "no temporary file is left"
    );
}

/// An edit of the page and what must show up in the spec afterwards. (The code always
/// changes with the spec: its header carries the spec's SHA-256.)
struct PageEdit {
    name: &'static str,
    from: &'static str,
    to: &'static str,
    in_spec: &'static str,
}

/// The files made from the spec (each names the spec's SHA-256), in the order regen lists them.
fn spec_files() -> Vec<String> {
    [
        SPEC,
        GENERATED,
        GENERATED_OPERATIONS,
        GENERATED_TEST_CALLS,
        GENERATED_MOCK,
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn editing_a_page_makes_check_fail_and_regen_brings_it_back() {
    let edits = [
        PageEdit {
            name: "row",
            from: "Instance dump ID.",
            to: "Dump instance ID.",
            in_spec: "description: Dump instance ID.",
        },
        PageEdit {
            name: "type",
            from: "| spec_code       | No              | String          |",
            to: "| spec_code       | No              | Integer         |",
            in_spec: "format: int32",
        },
        PageEdit {
            name: "example",
            from: "\"specification\" : \"100MB\"",
            to: "\"specification\" : \"300MB\"",
            in_spec: "specification: 300MB",
        },
    ];
    for edit in edits {
        let scratch = Scratch::new(&format!("edit-{}", edit.name));
        scratch.edit(PAGE, edit.from, edit.to);
        let before = scratch.outputs();

        let error = xtask::check(&scratch.root).unwrap_err();
        let RegenError::Stale { files, .. } = &error else {
            panic!("{}: expected a stale error, got {error}", edit.name);
        };
        assert_eq!(files, &spec_files(), "{}", edit.name);
        let message = error.to_string();
        assert!(message.contains("run `cargo xtask regen`"), "{message}");
        assert!(
            message.contains(edit.in_spec),
            "{}: the diff shows the edit: {message}",
            edit.name
        );
        assert_eq!(scratch.outputs(), before, "--check must not write");

        let output = scratch.xtask(&["regen", "--check"]);
        assert_eq!(output.status.code(), Some(1), "{}", edit.name);
        assert!(String::from_utf8_lossy(&output.stderr).contains("cargo xtask regen"));

        let output = scratch.xtask(&["regen"]);
        assert!(output.status.success(), "{output:?}");
        assert!(String::from_utf8_lossy(&output.stdout).contains(&format!("wrote {SPEC}")));
        xtask::check(&scratch.root).unwrap();
        assert!(scratch.read(SPEC).contains(edit.in_spec), "{}", edit.name);
    }
}

#[test]
fn a_changed_decision_shows_in_spec_and_code() {
    let scratch = Scratch::new("decision");
    scratch.edit(
        DECISIONS,
        "pattern: '^([2-9]|[1-9][0-9]+)$'",
        "pattern: '^([3-9]|[1-9][0-9]+)$'",
    );
    let error = xtask::check(&scratch.root).unwrap_err();
    assert!(
        matches!(&error, RegenError::Stale { files, .. } if files == &spec_files()),
        "{error}"
    );
    scratch.xtask(&["regen"]);
    assert!(
        scratch
            .read(SPEC)
            .contains("pattern: ^([3-9]|[1-9][0-9]+)$")
    );
}

#[test]
fn crlf_checkouts_are_not_drift() {
    let scratch = Scratch::new("crlf");
    for file in [PAGE, DECISIONS].into_iter().chain(OUTPUTS) {
        let text = scratch.read(file);
        scratch.write(file, &text.replace('\n', "\r\n"));
    }
    xtask::check(&scratch.root).unwrap();
}

#[test]
fn no_broken_page_changes_any_file() {
    let corpus = xtask::workspace_root().join("codegen/tests/broken-pages");
    let mut cases: Vec<PathBuf> = fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "corpus has {} cases", cases.len());
    let committed = committed_outputs();
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let scratch = Scratch::new(&format!("broken-page-{name}"));
        let before = scratch.files_beside_outputs();
        scratch.write(PAGE, &fs::read_to_string(&case).unwrap());
        let error = std::panic::catch_unwind(|| xtask::regen(&scratch.root))
            .unwrap_or_else(|_| panic!("{name}: regen panicked"))
            .expect_err(&name);
        assert!(matches!(error, RegenError::Codegen(_)), "{name}: {error}");
        assert!(
            error.to_string().starts_with(PAGE),
            "{name}: the message names the page: {error}"
        );
        assert_eq!(scratch.outputs(), committed, "{name} changed a file");
        assert_eq!(scratch.files_beside_outputs(), before, "{name}");

        let output = scratch.xtask(&["regen"]);
        assert_eq!(output.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("nothing was written") && !stderr.contains("panicked"),
            "{stderr}"
        );
    }
}

#[test]
fn a_bad_decision_exits_1_naming_the_action_and_writes_nothing() {
    let scratch = Scratch::new("bad-decision");
    scratch.edit(
        DECISIONS,
        "$.components.schemas.CreateConnectorReq.properties.node_cnt",
        "$.components.schemas.CreateConnectorReq.properties.node_count",
    );
    let output = scratch.xtask(&["regen"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("spec/decisions.yaml: actions[4].target"),
        "{stderr}"
    );
    assert!(stderr.contains("selects nothing"), "{stderr}");
    assert_eq!(scratch.outputs(), committed_outputs());
}

#[test]
fn import_writes_yaml_or_json_and_a_broken_page_writes_nothing() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("import-cli");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let page = xtask::workspace_root().join(PAGE);
    let other = xtask::workspace_root()
        .join(ALL_PAGES)
        .join("smart_connect/creating_a_smart_connect_task.rst");
    for out in ["out.yaml", "out.json"] {
        let path = dir.join(out);
        let output = xtask(&[
            "import",
            "--out",
            path.to_str().unwrap(),
            page.to_str().unwrap(),
            other.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{output:?}");
        let text = fs::read_to_string(&path).unwrap();
        let document: serde_json::Value = if out.ends_with(".json") {
            serde_json::from_str(&text).expect("JSON for .json")
        } else {
            assert!(
                serde_json::from_str::<serde_json::Value>(&text).is_err(),
                "YAML otherwise"
            );
            serde_yaml_ng::from_str(&text).unwrap()
        };
        let paths = document["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 2, "one operation per page");
        // No decisions: node_cnt is the page's String, not NodeCount.
        assert_eq!(
            document["components"]["schemas"]["CreateConnectorReq"]["properties"]["node_cnt"]["type"],
            "string"
        );
        // The contradiction is a warning with page and line.
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("enabling_smart_connect_pay-per-use_instance.rst:69: the example request sends `node_cnt` as the number 2"), "{stderr}");
    }

    let broken =
        xtask::workspace_root().join("codegen/tests/broken-pages/05-unknown-type-word.rst");
    let path = dir.join("broken.yaml");
    let output = xtask(&[
        "import",
        "--out",
        path.to_str().unwrap(),
        broken.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("05-unknown-type-word.rst:27: unknown type `Strnig`"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!path.exists(), "nothing written");
    let names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
}

#[test]
fn generate_makes_a_standalone_client_and_refuses_clearly_without_a_panic_on_screen() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("generate-cli");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("imported.yaml");
    let page = xtask::workspace_root().join(PAGE);
    assert!(
        xtask(&[
            "import",
            "--out",
            spec.to_str().unwrap(),
            page.to_str().unwrap()
        ])
        .status
        .success()
    );
    let out = dir.join("client.rs");
    let output = xtask(&[
        "generate",
        "--spec",
        spec.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");
    let code = fs::read_to_string(&out).unwrap();
    assert!(code.contains("pub fn create_connector"));
    // The header names the command that remakes this file, not the workspace's regen.
    let remake = format!(
        "// change the spec, then run `cargo xtask generate --spec {} --out {}`.\n",
        spec.display(),
        out.display()
    );
    assert!(code.contains(&remake), "{}", &code[..400.min(code.len())]);
    assert!(!code.contains("xtask regen"));
    assert!(
        !code.contains("crate::"),
        "plain settings: no hooks state, no replaced types"
    );

    // A progenitor panic (two request media types) and validator refusals: exit 1, the file
    // and place named, nothing written, no panic text even with RUST_BACKTRACE=1.
    let corpus = xtask::workspace_root().join("codegen/tests/broken-specs");
    for (case, expected) in [
        (
            "17-two-request-media-types.yaml",
            "progenitor panicked on this spec",
        ),
        (
            "21-date-time-format.yaml",
            "#/components/schemas/ThingReq/properties/created/format",
        ),
        ("24-misspelt-type.yaml", "unknown type \"strnig\""),
        (
            "20-path-parameter-not-path-segment.yaml",
            "must have the schema `$ref: '#/components/schemas/PathSegment'`",
        ),
    ] {
        let out = dir.join(format!("{case}.rs"));
        let output = xtask(&[
            "generate",
            "--spec",
            corpus.join(case).to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{case}: {stderr}");
        assert!(
            stderr.contains(case) && stderr.contains(expected),
            "{case}: {stderr}"
        );
        assert!(
            !stderr.contains("panicked at") && !stderr.contains("stack backtrace"),
            "{case}: {stderr}"
        );
        assert!(!out.exists(), "{case}: nothing written");
    }
}

#[test]
fn help_and_usage_errors() {
    let help = xtask(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for word in [
        "regen [--check]",
        "import --out FILE PAGE.rst",
        "generate --spec FILE --out FILE.rs",
    ] {
        assert!(text.contains(word), "{text}");
    }
    for args in [
        &["regenerate"][..],
        &["import", "page.rst"],
        &["generate", "--spec", "x.yaml"],
        &[],
    ] {
        let output = xtask(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("USAGE"),
            "{args:?}"
        );
    }
}
