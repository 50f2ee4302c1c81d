//! Enable Smart Connect on a DMS for Kafka instance, configured from the environment.
//!
//! ```text
//! HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK   AK/SK (HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary ones)
//!   or DMS_AUTH_TOKEN                      an IAM token instead
//! HUAWEICLOUD_SDK_PROJECT_ID               project id
//! HUAWEICLOUD_SDK_REGION_ID or DMS_REGION  region id, e.g. eu-west-101 or eu-de
//!   or DMS_ENDPOINT                        a full base URL (wins over the region)
//! DMS_INSTANCE_ID                          the Kafka instance
//! DMS_NODE_CNT, DMS_SPEC_CODE, DMS_SPECIFICATION   optional body fields
//! ```
//!
//! (`ClientConfig::from_env` reads all but the last two lines; see its documentation.)
//!
//! Run: `cargo run -p generated-client --example enable_smart_connect`. Prints
//! `job_id=<id> connector_id=<id>` and exits 0; exits 2 on a settings problem (before
//! anything is sent) and 1 when the call fails or the reply lacks the `job_id`.

use std::io::Write;
use std::process::ExitCode;

use generated_client::types::CreateConnectorReq;
use generated_client::{ClientConfig, Error, NodeCount, PathSegment};

const HELP: &str = "\
set these environment variables:
  HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK   (or DMS_AUTH_TOKEN for an IAM token)
  HUAWEICLOUD_SDK_PROJECT_ID
  HUAWEICLOUD_SDK_REGION_ID or DMS_REGION (e.g. eu-west-101, eu-de),
    or DMS_ENDPOINT (e.g. https://dms.eu-de.otc.t-systems.com)
  DMS_INSTANCE_ID
optional: HUAWEICLOUD_SDK_SECURITY_TOKEN, DMS_NODE_CNT, DMS_SPEC_CODE, DMS_SPECIFICATION";

/// Exit code of a settings problem: nothing was sent.
const SETTINGS: u8 = 2;
/// Exit code of a failed call (or a reply without what it exists to return).
const FAILED: u8 = 1;

#[tokio::main]
async fn main() -> ExitCode {
    let code = run(
        |name| std::env::var(name).ok(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    )
    .await;
    ExitCode::from(code)
}

/// The program, reading variables through `var`; returns the exit code. (`pub` for the
/// test that runs it in-process, `tests/example.rs`.)
pub async fn run(
    var: impl Fn(&str) -> Option<String>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    // Writing to stdout/stderr can only fail when they are closed; there is no one to tell.
    let client = match ClientConfig::from_vars(var).build() {
        Ok(client) => client,
        Err(e) => {
            let _ = writeln!(err, "error: {e:#}\n{HELP}");
            return SETTINGS;
        }
    };
    let Some(instance_id) = var("DMS_INSTANCE_ID") else {
        let _ = writeln!(err, "error: DMS_INSTANCE_ID is not set\n{HELP}");
        return SETTINGS;
    };
    if let Err(e) = PathSegment::new(instance_id.as_str()) {
        let _ = writeln!(err, "error: DMS_INSTANCE_ID: {e}");
        return SETTINGS;
    }
    let node_cnt = match var("DMS_NODE_CNT").map(|n| n.parse::<NodeCount>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => {
            let _ = writeln!(err, "error: DMS_NODE_CNT: {e}");
            return SETTINGS;
        }
    };
    let body = CreateConnectorReq {
        node_cnt,
        spec_code: var("DMS_SPEC_CODE"),
        specification: var("DMS_SPECIFICATION"),
    };

    match client
        .enable_smart_connect(&instance_id)
        .body(body)
        .send()
        .await
    {
        Ok(reply) => {
            let Some(job_id) = reply.job_id.as_deref().filter(|id| !id.is_empty()) else {
                let _ = writeln!(
                    err,
                    "failed: HTTP {} but the reply has no job_id (connector_id: {})",
                    reply.status().as_u16(),
                    reply.connector_id.as_deref().unwrap_or("missing too"),
                );
                return FAILED;
            };
            match reply.connector_id.as_deref() {
                Some(connector_id) => {
                    let _ = writeln!(out, "job_id={job_id} connector_id={connector_id}");
                }
                None => {
                    let _ = writeln!(out, "job_id={job_id}");
                    let _ = writeln!(err, "note: the reply has no connector_id");
                }
            }
            0
        }
        Err(Error::Service(s)) => {
            let _ = writeln!(
                err,
                "failed: status={} error_code={} error_msg={} request_id={}",
                s.status.as_u16(),
                s.error_code.as_deref().unwrap_or("-"),
                s.error_msg.as_deref().unwrap_or("-"),
                s.request_id.as_deref().unwrap_or("-"),
            );
            // What the service's error-code table says about the code, when it lists it.
            if let Some(meaning) = s.meaning() {
                let _ = writeln!(err, "meaning: {}", meaning.description);
                let _ = writeln!(err, "what to do: {}", meaning.handling);
            }
            FAILED
        }
        // `{e:#}`: the error and every cause, e.g. "the host name could not be resolved
        // (DNS); nothing was sent: error sending request for url (...): ... dns error: ...".
        Err(e) => {
            let _ = writeln!(err, "failed: {e:#}");
            FAILED
        }
    }
}
