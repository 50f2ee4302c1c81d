//! Like `enable_smart_connect`, but sending through a `reqwest::Client` the program builds
//! itself (here: its own connection pool settings and timeouts; a proxy or extra CA would go
//! the same way). Requests are still signed by the client's hooks.
//!
//! Reads the same variables (`ClientConfig::from_env`, `DMS_INSTANCE_ID`, `DMS_NODE_CNT`).
//! `tests/official-signer/run.sh` sends its requests to the official SDK's signer check.

use std::process::ExitCode;
use std::time::Duration;

use generated_client::types::CreateConnectorReq;
use generated_client::{ClientConfig, NodeCount};

#[tokio::main]
async fn main() -> ExitCode {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    // Start from this crate's builder: it carries the TLS set-up of the enabled feature.
    let http = match generated_client::http_client_builder().and_then(|builder| {
        builder
            .pool_max_idle_per_host(2)
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(generated_client::ConfigError::HttpClient)
    }) {
        Ok(http) => http,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let client = match ClientConfig::from_env().http_client(http).build() {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let (Some(instance_id), Ok(node_cnt)) = (
        var("DMS_INSTANCE_ID"),
        var("DMS_NODE_CNT")
            .map(|n| n.parse::<NodeCount>())
            .transpose(),
    ) else {
        eprintln!(
            "error: set DMS_INSTANCE_ID (and DMS_NODE_CNT to a count of at least 2, if at all)"
        );
        return ExitCode::from(2);
    };
    let body = CreateConnectorReq {
        node_cnt,
        ..Default::default()
    };
    match client
        .create_connector()
        .instance_id(&instance_id)
        .body(body)
        .send()
        .await
    {
        Ok(reply) => match (&reply.job_id, &reply.connector_id) {
            (Some(job_id), Some(connector_id)) => {
                println!("job_id={job_id} connector_id={connector_id}");
                ExitCode::SUCCESS
            }
            _ => {
                eprintln!(
                    "failed: the reply lacks job_id or connector_id: {:?}",
                    *reply
                );
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}
