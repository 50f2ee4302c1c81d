//! Typed Rust client for the Smart Connect API of DMS for Kafka (Huawei Cloud and T Cloud
//! Public): enabling and disabling Smart Connect, its tasks, background tasks and the instance.
//!
//! Every operation of `spec/dms-kafka-smart-connect.yaml` (made from the published API pages by
//! `cargo xtask regen`) is a method of [`Client`] returning a [`builder`]: set the path
//! parameters and the body, then `.send().await`, which answers
//! `Result<ResponseValue<Reply>, Error>`. `project_id` starts as the configured project.
//! [`Operation`] lists every operation. The [`types`], the builders and the calls are generated;
//! beside them live [`ClientConfig`] (credentials, region, timeouts, your own
//! `reqwest::Client`), [`Error`] (every failure, with its cause), the waits
//! ([`Client::wait_for_job`], [`Client::wait_for_instance`], `send_and_wait`), [`signer`] (the
//! AK/SK signature), [`REGIONS`], [`NodeCount`] and [`PathSegment`] (checked values).
//!
//! ```no_run
//! use generated_client::{ClientConfig, Error, NodeCount, types::CreateConnectorReq};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_REGION_ID
//! let client = ClientConfig::from_env().build()?;
//! let body = CreateConnectorReq {
//!     node_cnt: Some(NodeCount::new(2)?),
//!     ..Default::default()
//! };
//! match client.create_connector().instance_id("my-instance-id").body(body).send().await {
//!     Ok(reply) => println!("job {:?}, connector {:?}", reply.job_id, reply.connector_id),
//!     // HTTP 400 DMS.00400062: Invalid request parameter. (request id ...)
//!     Err(Error::Service(reply)) => eprintln!("{reply}"),
//!     // e.g. "could not connect; nothing was sent: error sending request ...: tcp connect error: ..."
//!     Err(e) => eprintln!("{e:#}"),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Cargo features
//!
//! TLS (see the README's "Choose TLS"): `rustls-ring` (default), `aws-lc-rs`, `native-tls`.
//! `local-dms`: `local_dms`, a stand-in of the service for tests. `mock`: `mock`, progenitor's
//! typed httpmock helpers.
//!
//! # Clients come from [`ClientConfig::build`]
//!
//! [`Client`] has no public constructor but [`Client::connect`] (unauthenticated, for local
//! stand-ins):
//!
//! ```compile_fail
//! let client = generated_client::Client::new("https://dms.example", Default::default());
//! ```
//!
//! # One error type
//!
//! Every call answers [`Error`]; progenitor's own error never reaches a caller:
//!
//! ```compile_fail
//! let _: generated_client::GeneratedError;
//! ```

mod auth;
mod calls;
mod client;
mod config;
mod error;
#[rustfmt::skip]
pub mod error_codes;
mod errors;
#[cfg(feature = "local-dms")]
pub mod local_dms;
#[rustfmt::skip]
#[allow(dead_code, missing_docs, private_interfaces, unused_imports, clippy::all, clippy::pedantic)]
mod generated;
#[rustfmt::skip]
#[allow(dead_code, clippy::all, clippy::pedantic)]
mod operations;
mod paging;
#[cfg(feature = "mock")]
#[rustfmt::skip]
#[allow(missing_docs, clippy::all, clippy::pedantic)]
#[path = "generated_mock.rs"]
pub mod mock;
mod regions;
pub mod states;
mod transport;
mod values;
mod wait;

pub use auth::signer;

pub use auth::credentials::{Credentials, PasswordAuth, Secret};
pub use auth::iam::DEFAULT_REFRESH_MARGIN;
pub use calls::{CompletedJob, SendAndWait, SendAndWaitTask};
pub use client::Client;
pub use config::{
    CONNECT_TIMEOUT, ClientConfig, ConfigError, ENV_AK, ENV_DMS_AUTH_TOKEN, ENV_DMS_ENDPOINT,
    ENV_DMS_REGION, ENV_ENDPOINT_PREFIX, ENV_IAM_ENDPOINT, ENV_PROJECT_ID, ENV_REGION_ID,
    ENV_SECURITY_TOKEN, ENV_SK, MAX_RESPONSE_BODY, REQUEST_TIMEOUT, http_client_builder,
};
pub use error::{
    Error, IamError, InvalidReply, ResponseTooLarge, TransportError, TransportErrorKind,
};
pub use errors::{MAX_ERROR_BODY, ServiceError, X_REQUEST_ID};
pub use generated::types;
pub use operations::{Operation, builder};
pub use progenitor_client::ResponseValue;
pub use regions::{Cloud, REGIONS, Region, UnknownRegion};
pub use transport::hooks::USER_AGENT_VALUE as USER_AGENT;
pub use transport::retry::RetryPolicy;
pub use values::{NodeCount, NodeCountError, PathSegment, PathSegmentError};
pub use wait::{
    Describe, WaitError, WaitForInstance, WaitForJob, WaitForTask, WaitFuture, WaitOptions,
};

/// The README's Rust snippets, compiled (and run, unless marked `no_run`) as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
