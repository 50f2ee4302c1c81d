//! The error-code table generated from the Error Codes page: lookups, and the example's error
//! output (the example program run against a local server that refuses the call).

mod support;

use generated_client::error_codes::{ERROR_CODES, lookup};
use support::{Reply, TestServer};

#[test]
fn a_listed_code_says_what_it_means_and_what_to_do() {
    let info = lookup("DMS.00400026").expect("DMS.00400026 is in the table");
    assert_eq!(info.status, 400);
    assert_eq!(
        info.message,
        "This operation is not allowed due to the instance status."
    );
    assert_eq!(info.handling, "Check the instance status.");
    assert_eq!(lookup("DMS.99999999"), None, "unknown codes stay plain");
    assert_eq!(ERROR_CODES.len(), 173, "every row of the page");
    assert!(
        ERROR_CODES.windows(2).all(|w| w[0].code < w[1].code),
        "sorted, so lookup works"
    );
}

/// The example binary, built by `cargo test` beside the test binaries.
fn example() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    dir.join("examples").join(format!(
        "enable_smart_connect{}",
        std::env::consts::EXE_SUFFIX
    ))
}

#[test]
fn the_example_prints_the_meaning_of_a_refusal() {
    let path = example();
    assert!(
        path.exists(),
        "{} is missing: run `cargo test -p generated-client` (which builds the example)",
        path.display()
    );
    let server = TestServer::start(Reply::json(
        400,
        r#"{"error_code":"DMS.00400026","error_msg":"This operation is not allowed due to the instance status."}"#,
    ));
    let output = std::process::Command::new(&path)
        .env_clear()
        .env("HUAWEICLOUD_SDK_AK", "ak")
        .env("HUAWEICLOUD_SDK_SK", "sk")
        .env("HUAWEICLOUD_SDK_PROJECT_ID", "proj")
        .env("DMS_ENDPOINT", server.base_url())
        .env("DMS_INSTANCE_ID", "inst-1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error_code=DMS.00400026"), "{stderr}");
    assert!(
        stderr.contains(
            "meaning: This operation is not allowed when the instance is in the current state."
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("what to do: Check the instance status."),
        "{stderr}"
    );
}
