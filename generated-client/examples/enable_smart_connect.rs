//! Enable Smart Connect on a DMS for Kafka instance, configured from the environment.
//!
//! ```text
//! HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK   AK/SK (HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary ones)
//!   or DMS_AUTH_TOKEN                      an IAM token instead
//! HUAWEICLOUD_SDK_PROJECT_ID               project id
//! DMS_REGION or DMS_ENDPOINT               region id, or a full base URL (wins)
//! DMS_INSTANCE_ID                          the Kafka instance
//! DMS_NODE_CNT, DMS_SPEC_CODE, DMS_SPECIFICATION   optional body fields
//! ```
//!
//! Run: `cargo run -p generated-client --example enable_smart_connect`. Prints
//! `job_id=<id> connector_id=<id>` and exits 0, or prints the failure and exits 1
//! (2 when the configuration is incomplete).

use std::process::ExitCode;

use generated_client::types::CreateConnectorReq;
use generated_client::{ClientConfig, Credentials, NodeCount, ServiceErrorExt};

const HELP: &str = "\
set these environment variables:
  HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK   (or DMS_AUTH_TOKEN for an IAM token)
  HUAWEICLOUD_SDK_PROJECT_ID
  DMS_REGION (e.g. eu-west-101, eu-de) or DMS_ENDPOINT (e.g. https://dms.eu-de.otc.t-systems.com)
  DMS_INSTANCE_ID
optional: HUAWEICLOUD_SDK_SECURITY_TOKEN, DMS_NODE_CNT, DMS_SPEC_CODE, DMS_SPECIFICATION";

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut config = ClientConfig::from_env();
    if let Some(token) = var("DMS_AUTH_TOKEN") {
        config = config.credentials(Credentials::token(token));
    }
    if let Some(region) = var("DMS_REGION") {
        config = config.region(region);
    }
    if let Some(endpoint) = var("DMS_ENDPOINT") {
        config = config.endpoint(endpoint);
    }
    let client = match config.build() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e}\n{HELP}");
            return ExitCode::from(2);
        }
    };
    let Some(instance_id) = var("DMS_INSTANCE_ID") else {
        eprintln!("error: DMS_INSTANCE_ID is not set\n{HELP}");
        return ExitCode::from(2);
    };
    let node_cnt = match var("DMS_NODE_CNT").map(|n| n.parse::<NodeCount>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => {
            eprintln!("error: DMS_NODE_CNT: {e}");
            return ExitCode::from(2);
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
            println!(
                "job_id={} connector_id={}",
                reply.job_id.as_deref().unwrap_or(""),
                reply.connector_id.as_deref().unwrap_or("")
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            match error.service_error() {
                Some(s) => {
                    eprintln!(
                        "failed: status={} error_code={} error_msg={} request_id={}",
                        s.status.as_u16(),
                        s.error_code.as_deref().unwrap_or("-"),
                        s.error_msg.as_deref().unwrap_or("-"),
                        s.request_id.as_deref().unwrap_or("-"),
                    );
                    // What the service's error-code table says about the code, when it lists it.
                    if let Some(meaning) = s.meaning() {
                        eprintln!("meaning: {}", meaning.description);
                        eprintln!("what to do: {}", meaning.handling);
                    }
                }
                None => eprintln!("failed: {error}"),
            }
            ExitCode::FAILURE
        }
    }
}
