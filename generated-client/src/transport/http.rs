//! The HTTP client under every call: TLS chosen by cargo feature, timeouts, no redirects.
//!
//! | features on | TLS |
//! | --- | --- |
//! | `rustls-ring` (default) | rustls with the ring provider, handed to reqwest as a ready `rustls::ClientConfig` (certificates checked by `rustls-platform-verifier`: the system's CA store) |
//! | `aws-lc-rs` | reqwest's own rustls set-up with the aws-lc-rs provider |
//! | `native-tls` | reqwest's native-tls set-up (OpenSSL on Linux) |
//! | none | no TLS: only `http://` to loopback hosts works |
//!
//! With several on, `native-tls` wins over `aws-lc-rs`, which wins over `rustls-ring`. None of
//! these needs a process-wide rustls `CryptoProvider`: with `rustls-ring` the provider is given
//! to the `rustls::ClientConfig` directly, the other two bring reqwest's own default, so building
//! a client never panics for want of one.

use std::time::Duration;

/// How long to wait for a TCP + TLS connection (default).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole request (connect, send, receive) may take (default).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The TLS stack could not be set up (the reason, as its library gives it).
#[derive(Debug)]
pub(crate) struct TlsSetupError(pub(crate) String);

/// A `reqwest::ClientBuilder` with the given timeouts, the TLS stack of the enabled feature and
/// no redirects (what `crate::http_client_builder` gives, with other timeouts).
pub(crate) fn base_builder(
    connect: Duration,
    request: Duration,
) -> Result<reqwest::ClientBuilder, TlsSetupError> {
    let builder = reqwest::Client::builder()
        .connect_timeout(connect)
        .timeout(request)
        // A redirect would resend the body, and headers such as X-Auth-Token, to wherever it
        // points; DMS does not redirect, so surface one as a reply instead.
        .redirect(reqwest::redirect::Policy::none());
    with_tls(builder)
}

/// Whether this build can talk `https://` at all.
pub(crate) const HAS_TLS: bool = cfg!(any(
    feature = "rustls-ring",
    feature = "aws-lc-rs",
    feature = "native-tls"
));

#[cfg(all(
    feature = "rustls-ring",
    not(feature = "aws-lc-rs"),
    not(feature = "native-tls")
))]
fn with_tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, TlsSetupError> {
    use std::sync::Arc;

    // rustls 0.23.48 deprecates its ring provider ("no support for post-quantum
    // algorithms") and has no ring-backed replacement: the provider it keeps is aws-lc-rs,
    // this crate's `aws-lc-rs` feature (a C build). Until rustls 0.24 moves ring into its own
    // crate (`rustls-ring`), the default feature keeps ring, knowingly.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(Arc::clone(&provider))
        .map_err(|e| TlsSetupError(e.to_string()))?;
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(builder.tls_backend_preconfigured(config))
}

#[cfg(not(all(
    feature = "rustls-ring",
    not(feature = "aws-lc-rs"),
    not(feature = "native-tls")
)))]
fn with_tls(builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, TlsSetupError> {
    // aws-lc-rs: reqwest's rustls default (its own provider); native-tls: reqwest picks
    // native-tls whenever it is compiled in; neither: no TLS at all.
    Ok(builder)
}
