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
//! ([`Client::wait_for_job`], [`Client::wait_for_instance`], [`Client::wait_for_task`],
//! `send_and_wait`), the list streams (`into_stream` on the builders of lists that page), the
//! service's [`states`], [`signer`] (the
//! AK/SK signature), [`REGIONS`], [`NodeCount`] and [`PathSegment`] (checked values).
//!
//! Where the details are: what each way to authenticate sends, on [`Credentials`]; regions,
//! endpoints, timeouts and limits, on [`ClientConfig`]; the environment, on
//! [`ClientConfig::from_env`]; your own `reqwest::Client`, on [`ClientConfig::http_client`];
//! secrets in request bodies, on [`Secret`]; TLS, errors, retries, tracing and the wire,
//! below; the local DMS and the mocks, on their modules (features `local-dms` and `mock`).
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
//! TLS (see "Choose TLS" below): `rustls-ring` (default), `aws-lc-rs`, `native-tls`.
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
//!
//! # Choose TLS
//!
//! | feature | TLS stack | notes |
//! | --- | --- | --- |
//! | `rustls-ring` (default) | rustls with the `ring` provider | handed to reqwest as a ready `rustls::ClientConfig` with `rustls-platform-verifier`; no process-wide provider is installed or needed |
//! | `aws-lc-rs` | rustls with `aws-lc-rs` (reqwest's `rustls` feature) | builds `aws-lc-sys` (C code: needs a C compiler, and is the slowest unit of the build) |
//! | `native-tls` | the platform's library (OpenSSL on Linux) | needs OpenSSL headers to build |
//!
//! ```toml
//! generated-client = { git = "...", default-features = false, features = ["native-tls"] }
//! ```
//!
//! With several on, `native-tls` wins over `aws-lc-rs`, which wins over `rustls-ring`; with none, only
//! `http://` to loopback works (`ConfigError::NoTls` for `https://`). No combination needs an installed
//! crypto provider: building a client never panics for want of one. progenitor's own `Client::new`
//! (which builds a reqwest client of its own, unauthenticated, with `unwrap()`) cannot be called from
//! outside the crate: its `inner` argument is a crate-private type, so clients come from
//! `ClientConfig::build` only. `.ci/run` checks every feature set compiles and passes the tests.
//!
//! Cold debug build of a downstream crate (`generated-client` by path plus `tokio`, its own target
//! directory under `/tmp`, the workspace's `Cargo.lock`, `cargo build --timings`), measured here on a
//! 2-core machine shared with other builds, so the absolute figures are inflated and noisy; compare
//! within a run:
//!
//! | features | run 1 (load ≈ 6–8) | run 2 (load ≈ 3.5–5) | slowest unit (run 2) |
//! | --- | --- | --- | --- |
//! | default (`rustls-ring`) | 399 s | 114 s | `syn` 26.7 s; ring's build script 4.3 s |
//! | `aws-lc-rs` | 537 s | 192 s | `aws-lc-sys` build script 118 s |
//! | `native-tls` | 319 s | 98 s | (links the system OpenSSL) |
//!
//! So the default saves the `aws-lc-sys` C build (here 118 s of 192 s under load; the issue measured
//! 48.7 s → 33.3 s on a quiet machine). `native-tls` is as quick but needs OpenSSL headers.
//!
//!
//! # Read errors
//!
//! A failed call returns `generated_client::Error` (`#[non_exhaustive]`):
//!
//! | variant | what happened | `is_retryable()` |
//! | --- | --- | --- |
//! | `Service(ServiceError)` | the service answered 4xx/5xx: `status`, `error_code`, `error_msg`, `request_id`, `headers()` | 408, 429, 500, 502, 503, 504 |
//! | `UnexpectedStatus(ServiceError)` | a status the API does not document (1xx, 204, 3xx...) | as above |
//! | `Transport(TransportError)` | `kind()`: `Dns`, `Connect` (nothing was sent), `Timeout`, `Closed` (the request may have been processed), `Body`, `Other`; `nothing_sent()`, `is_timeout()` | yes |
//! | `Iam(IamError)` | no IAM token: `Unreachable { url, source: TransportError }`, `Refused { url, user, domain, status, message }`, `BadAnswer { url, reason }`; nothing reached DMS | unreachable, or IAM's 408/429/5xx |
//! | `ResponseTooLarge(ResponseTooLarge)` | a success body over the limit (`limit`, `content_length`) | no |
//! | `InvalidReply(InvalidReply)` | a 200 whose body is not the documented JSON (`body()`; the serde error is the source) | no |
//! | `InvalidRequest(String)` | refused before sending: a bad path parameter (empty, `.`, `..`, `\`), an unsendable header | no |
//!
//! `ServiceError::meaning()` looks the code up in the service's error-code table (generated from
//! the appendix page `spec/error_codes.rst` into `generated_client::error_codes`, 173 codes):
//! `DMS.00400026` gives the message "This operation is not allowed due to the instance status.",
//! its description and what to do ("Check the instance status."). Unknown codes give `None`. The
//! example prints the description and the handling under the error line.
//!
//!
//! `e.service_error()` gives the `ServiceError` of either reply variant, `e.transport()` the
//! `TransportError` whether it happened talking to DMS or IAM, `e.status()` the status of any reply.
//! Settings problems are `ConfigError`s from `build()`, before any traffic.
//!
//! Every error prints its own message only and keeps its cause as `source()`, so chain printers
//! (`anyhow`, `eyre`, your own loop) show each level once. `{e:#}` prints the whole chain on one line:
//!
//! ```text
//! {e}   the host name could not be resolved (DNS); nothing was sent
//! {e:#} the host name could not be resolved (DNS); nothing was sent: error sending request for url
//!       (http://aaaa...aaaa.invalid/v2/proj-0123456789/instances/inst-1/connector): client error
//!       (Connect): dns error: error resolving DNS: failed to lookup address information: Name or
//!       service not known
//! {e}   HTTP 400 DMS.00400062: Invalid request parameter. (request id req-42)
//! {e}   timed out: no complete reply within the request timeout; the request may have been processed
//! {e}   the connection was closed before a complete reply arrived; the request may have been processed
//! {e:#} cannot get an IAM token: IAM at http://127.0.0.1:1/v3/auth/tokens did not answer: could not
//!       connect; nothing was sent: error sending request for url (...): client error (Connect):
//!       tcp connect error: Connection refused (os error 111)
//! ```
//!
//! An error reply's `Display` is status, code, message and request id; its headers (a `Set-Cookie`
//! included) are kept in `ServiceError::headers()` but never printed, and its `Debug` lists only their
//! names. Error bodies are read like the official SDK reads them: `error_code`/`error_msg`, or
//! `errorCode`/`errorMsg`, or `code`/`message`; a body that is not JSON is kept as text in
//! `error_msg`. (The `exec` hook rewrites 4xx/5xx bodies into the documented shape before the
//! generated code reads them, so status and headers are never lost.)
//!
//! # Retries
//!
//! The client retries inside the transport, as `ClientConfig::retry(RetryPolicy)` says (default:
//! 3 attempts, backoff from 200 ms doubling up to 10 s with jitter, no attempt started after 60 s;
//! `RetryPolicy::never()` sends every request once). A `POST` is not idempotent (enabling twice
//! starts two jobs), so it is sent again only when the first attempt provably had no effect:
//!
//! | failure | GET, PUT, DELETE | POST | why |
//! | --- | --- | --- | --- |
//! | DNS or connect failure (`nothing_sent()`) | retried | retried | nothing was written |
//! | 429 (`Retry-After` honoured, seconds or date) | retried | retried | the gateway refused it unread |
//! | 400 `DMS.00400026` (instance busy), with `retry_when_instance_busy(true)` | retried | retried | refused; the client polls "Querying an Instance" until `RUNNING`, then sends again |
//! | the same, not opted in | not retried | not retried | `Error::Service` with the code: the refusal may be what you want to see |
//! | 408, 500, 502, 503, 504 | retried | not retried | a POST may have taken effect |
//! | timeout, connection closed mid-reply | retried | not retried | the request may have reached the service |
//! | no IAM token, reply over the size limit, any other reply | not retried | not retried | trying again gives the same answer |
//!
//! Each attempt is authenticated afresh (AK/SK: signed again with a new `X-Sdk-Date`; password:
//! the current IAM token). A wait that would end after the deadline is not started: the last
//! answer is returned. The deadline bounds when attempts start, not how long one may take (that
//! is the request timeout). A request whose body cannot be cloned (a stream) is sent once.
//!
//! # Tracing
//!
//! The client emits [`tracing`](https://docs.rs/tracing) data (no subscriber, next to no cost;
//! `tracing` was already built for `hyper-util`, so it adds no crate to the build):
//!
//! - one `INFO` span `dms_call` per call, with `operation` (e.g. `create_connector`), `method`,
//!   `path` (the template, e.g. `/v2/{project_id}/instances/{instance_id}/connector`), and,
//!   recorded per attempt, `attempt`, `status` and `request_id` (the reply's `X-Request-Id`);
//! - one `INFO` event `retrying` per retry (`attempt`, `reason`, `wait_ms`), one per poll of a
//!   busy instance (`instance_status`), and one when a retry is given up for the deadline;
//! - one `INFO` event `polled` per look of `wait_for_job` / `wait_for_instance` (`look`, and the
//!   `verdict`: `Pending`, `Done` or `Failed`);
//! - when the service answers 401 to a signed (AK/SK) request, a `DEBUG` event with the
//!   `canonical_request` the client signed, to compare with the one the service expected. Turn it
//!   on with e.g. `RUST_LOG=generated_client=debug` under `tracing-subscriber`'s `EnvFilter`.
//!
//! No header value, body, key or token is recorded; in the canonical request, an
//! `x-security-token` value shows as `***` (the rest is method, path, query, header values
//! without secrets, and the body's hash).
//!
//! # What goes on the wire
//!
//! | header | sent | signed (AK/SK) | why |
//! | --- | --- | --- | --- |
//! | `Content-Type: application/json` | calls with a body | yes | the body is JSON (`{}` when no field is set); the bodiless calls (GET, DELETE, the PUTs, `delete_connector`'s POST) send no body and no `Content-Type` |
//! | `Accept: application/json` | always | yes | replies are JSON; set by the generated code |
//! | `User-Agent: generated-client/<version>` | always | yes | names this client |
//! | `X-Project-Id` | always (configured project) | yes | project-scoped service; the official SDK sends it too |
//! | `Host` | always (from the URL) | yes | |
//! | `X-Sdk-Date` | AK/SK | yes | signing time |
//! | `X-Security-Token` | temporary AK/SK | yes | the temporary credentials' token |
//! | `Authorization: SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...` | AK/SK | (the signature) | |
//! | `X-Auth-Token` | token or password auth | no signing | the IAM token |
//! | `Content-Length` | calls with a body; `0` on a POST or PUT without one | no | added after signing (by the HTTP stack, or by the client for an empty POST/PUT, as the official SDK's HTTP library does: RFC 9110 asks for it where the method gives content a meaning, and gateways may answer 411 without it) |
//! | `api-version` | never | | progenitor adds it; DMS does not define it, the generator leaves it out (`drop_api_version_header`) |
//!
//! Path parameters are `PathSegment`s, percent-encoded as one segment each (`/`, `%`, `?`, `#`,
//! space and non-ASCII are escaped; `:`, `@`, `+`, `=`, `&` are legal in a segment and go as they
//! are). The values URL parsing would turn into something else (empty, `.`, `..`, anything with a
//! `\`) are refused before a URL is built, so a value can never point a request at another path. The body, path, content type and `X-Project-Id` equal those the official Python SDK
//! sends for the same call (checked by `.ci/run` against `official-sdk-wire-request.json`).

mod auth;
mod client;
mod config;
mod error;
mod send_and_wait;
#[rustfmt::skip]
pub mod error_codes;
#[cfg(feature = "local-dms")]
pub mod local_dms;
#[rustfmt::skip]
#[allow(dead_code, missing_docs, private_interfaces, unused_imports, clippy::all, clippy::pedantic)]
mod generated;
#[rustfmt::skip]
#[allow(dead_code, clippy::all, clippy::pedantic)]
mod operations;
mod paging;
/// progenitor's typed [httpmock](https://docs.rs/httpmock) helpers for every operation
/// (feature `mock`), generated by `cargo xtask regen`.
///
/// [`MockServerExt`](mock::MockServerExt) gives `httpmock::MockServer` one method per
/// operation; its `When` takes the operation's typed path parameters, query and body, its
/// `Then` the typed replies (`ok(&ShowInstanceResp)`, `no_content()`, `client_error(400,
/// &ErrorBody)`, `server_error(..)`). Path parameters are matched by regular expression on the
/// raw value, so use plain ids (a value with regex characters, or characters that are
/// percent-encoded on the wire, does not match as written).
///
/// The feature adds httpmock (without its default features) and regex, and through feature
/// unification rebuilds some of the crates they share with the client; it costs nothing
/// when off.
#[cfg(feature = "mock")]
#[rustfmt::skip]
#[allow(missing_docs, clippy::all, clippy::pedantic)]
#[path = "generated_mock.rs"]
pub mod mock;
mod checked;
mod regions;
pub mod states;
mod transport;
mod wait;

pub use auth::signer;

pub use auth::credentials::{Credentials, PasswordAuth, Secret};
pub use auth::iam::DEFAULT_REFRESH_MARGIN;
pub use checked::{NodeCount, NodeCountError, PathSegment, PathSegmentError};
pub use client::Client;
pub use config::{
    CONNECT_TIMEOUT, ClientConfig, ConfigError, ENV_AK, ENV_DMS_AUTH_TOKEN, ENV_DMS_ENDPOINT,
    ENV_DMS_REGION, ENV_ENDPOINT_PREFIX, ENV_IAM_ENDPOINT, ENV_PROJECT_ID, ENV_REGION_ID,
    ENV_SECURITY_TOKEN, ENV_SK, MAX_RESPONSE_BODY, REQUEST_TIMEOUT, http_client_builder,
};
pub use error::{
    Error, IamError, InvalidReply, MAX_ERROR_BODY, ResponseTooLarge, ServiceError, TransportError,
    TransportErrorKind, X_REQUEST_ID,
};
pub use generated::types;
pub use operations::{Operation, builder};
pub use progenitor_client::ResponseValue;
pub use regions::{Cloud, REGIONS, Region, UnknownRegion};
pub use send_and_wait::{CompletedJob, SendAndWait, SendAndWaitTask};
pub use transport::hooks::USER_AGENT_VALUE as USER_AGENT;
pub use transport::retry::RetryPolicy;
pub use wait::{
    Describe, WaitError, WaitForInstance, WaitForJob, WaitForTask, WaitFuture, WaitOptions,
};

/// The README's Rust snippets, compiled (and run, unless marked `no_run`) as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
