//! The generated client against a bare reqwest call, over loopback, against one local hyper
//! server, interleaved in one run (see `BENCHMARKS.md`).
//!
//! Each variant sends `--iters` CreateConnector POSTs per round on a kept-alive connection
//! and decodes the JSON reply. The client runs on a current-thread runtime on the main
//! thread, so the thread's CPU time is the client's whole cost; the server runs on a thread
//! of its own. Figures: wall time and client CPU time per request, medians over the rounds,
//! and the median per-round ratio to bare reqwest. For the least noise run it on one CPU:
//! `taskset -c 0 cargo bench -p generated-client --bench client`.
//!
//! `cargo bench -p generated-client --bench client [-- --rounds N --iters N --smoke --only NAME]`
//! (`--only` may be repeated to run several variants interleaved)

mod support;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use generated_client::types::CreateConnectorReq;
use generated_client::{Client, ClientConfig, Credentials, NodeCount, RetryPolicy, signer};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use support::{Args, Samples};

const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const INSTANCE: &str = "6e3d1f2a-9b8c-4d7e-a6f5-0b1c2d3e4f5a";
const ACCESS_KEY: &str = "HPUAEXAMPLEAK0000001";
const SECRET_KEY: &str = "ExampleSecretKey0123456789abcdefghijklmn";
const REPLY: &str = r#"{"job_id":"7c3ec20c-11de-4df9-acc0-7ef1dea25dfe","connector_id":"55b78880-9077-4c74-ad5a-6868555f76a4"}"#;

/// The request body, as a bare caller would declare it.
#[derive(serde::Serialize)]
struct BareRequest {
    node_cnt: &'static str,
    spec_code: &'static str,
    specification: &'static str,
}

/// The reply, as a bare caller would declare it.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct BareReply {
    job_id: Option<String>,
    connector_id: Option<String>,
}

/// Reads the whole request, answers 200 with the documented reply.
async fn answer(
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Infallible> {
    let _ = request.into_body().collect().await;
    let mut reply = hyper::Response::new(Full::new(Bytes::from_static(REPLY.as_bytes())));
    reply.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    Ok(reply)
}

/// Connections the server accepted (each variant should keep one alive).
static ACCEPTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Starts the server on a thread of its own; returns its address.
fn start_server() -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("address"))
                .expect("send");
            loop {
                let (stream, _) = listener.accept().await.expect("accept");
                ACCEPTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let _ = stream.set_nodelay(true);
                tokio::spawn(async move {
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service_fn(answer))
                        .await;
                });
            }
        });
    });
    rx.recv().expect("the server's address")
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

/// Reads a reply as progenitor's `ResponseValue::from_response` does: the headers cloned, the
/// body as bytes, then decoded.
async fn read_as_progenitor_does(response: reqwest::Response) {
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("read");
    let reply: BareReply = serde_json::from_slice(&bytes).expect("decoded");
    std::hint::black_box((reply, headers));
}

/// The headers a bare caller signs besides `Host`: the body's type and the project.
fn signed_header_list() -> [(String, String); 2] {
    [
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("X-Project-Id".to_owned(), PROJECT.to_owned()),
    ]
}

type Call<'a> = Box<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>> + 'a>;

fn main() {
    let args = Args::parse(30, 2_000);
    let address = start_server();
    let base = format!("http://{address}");
    let url = format!("{base}/v2/{PROJECT}/instances/{INSTANCE}/connector");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");

    // The plain reqwest baselines need a crypto provider (see Cargo.toml); ring, deprecated
    // in rustls 0.23.48 (see transport/http.rs), as the client's default feature uses.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let bare = reqwest::Client::new();
    let bare_timeouts = reqwest::Client::builder()
        .connect_timeout(generated_client::CONNECT_TIMEOUT)
        .timeout(generated_client::REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let unsigned = Client::connect(&base).expect("a client");
    let ak_sk = || Credentials::ak_sk(ACCESS_KEY, SECRET_KEY);
    let configured = |credentials: Credentials| {
        ClientConfig::new()
            .credentials(credentials)
            .project_id(PROJECT)
            .endpoint(&base)
    };
    let signed = configured(ak_sk()).build().expect("a client");
    // The AK/SK client's cost split: the same configuration with a fixed token instead of a
    // signature (X-Project-Id, default retries, `enable_smart_connect`), and AK/SK with no
    // retries (no spare copy of the request is kept).
    let token = configured(Credentials::token("an-example-iam-token"))
        .build()
        .expect("a client");
    let signed_once = configured(ak_sk())
        .retry(RetryPolicy::never())
        .build()
        .expect("a client");
    let body = || CreateConnectorReq {
        node_cnt: Some(NodeCount::new(2).expect("2 is allowed")),
        spec_code: Some("dms.physical.storage.high.v2".to_owned()),
        specification: Some("c6.2u4g".to_owned()),
    };
    let bare_body = BareRequest {
        node_cnt: "2",
        spec_code: "dms.physical.storage.high.v2",
        specification: "c6.2u4g",
    };
    let bare_call = |http: &'static reqwest::Client| -> Call<'_> {
        let (url, bare_body) = (&url, &bare_body);
        Box::new(move || {
            Box::pin(async move {
                let reply: BareReply = http
                    .post(url)
                    .json(bare_body)
                    .send()
                    .await
                    .expect("sent")
                    .json()
                    .await
                    .expect("decoded");
                std::hint::black_box(reply);
            })
        })
    };
    let bare: &'static reqwest::Client = Box::leak(Box::new(bare));
    let bare_timeouts: &'static reqwest::Client = Box::leak(Box::new(bare_timeouts));
    let shaped_call = |http: &'static reqwest::Client| -> Call<'_> {
        let (url, bare_body) = (&url, &bare_body);
        Box::new(move || {
            Box::pin(async move {
                let response = http
                    .post(url)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .header(reqwest::header::USER_AGENT, generated_client::USER_AGENT)
                    .json(bare_body)
                    .send()
                    .await
                    .expect("sent");
                read_as_progenitor_does(response).await;
            })
        })
    };
    // What signing costs a bare caller: the client's headers plus `X-Project-Id`, signed
    // with the crate's public signer (key prepared once), the signature's headers added.
    let key: &'static signer::SigningKey =
        Box::leak(Box::new(signer::SigningKey::new(SECRET_KEY.as_bytes())));
    let host = address.to_string();
    let path = format!("/v2/{PROJECT}/instances/{INSTANCE}/connector");
    // `compute`: sign every request; otherwise send the same headers with a signature made
    // once beforehand (what carrying them costs, without computing them).
    let fixed_signature: &'static signer::SignatureHeaders =
        Box::leak(Box::new(signer::sign_with(
            &signer::RequestParts::new(
                "POST",
                &host,
                &path,
                &[],
                &signed_header_list(),
                &serde_json::to_vec(&bare_body).expect("encoded"),
            ),
            ACCESS_KEY,
            key,
            std::time::SystemTime::now(),
        )));
    let bare_signed_call = |http: &'static reqwest::Client, compute: bool| -> Call<'_> {
        let (url, bare_body, host, path) = (&url, &bare_body, &host, &path);
        Box::new(move || {
            Box::pin(async move {
                let body = serde_json::to_vec(bare_body).expect("encoded");
                let computed;
                let signature = if compute {
                    let headers = signed_header_list();
                    let parts = signer::RequestParts::new("POST", host, path, &[], &headers, &body);
                    computed =
                        signer::sign_with(&parts, ACCESS_KEY, key, std::time::SystemTime::now());
                    &computed
                } else {
                    fixed_signature
                };
                let mut request = http
                    .post(url)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .header(reqwest::header::USER_AGENT, generated_client::USER_AGENT)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .header("X-Project-Id", PROJECT);
                for (name, value) in signature.headers() {
                    request = request.header(name, value);
                }
                let response = request.body(body).send().await.expect("sent");
                read_as_progenitor_does(response).await;
            })
        })
    };
    let (signed, token, signed_once): (&'static Client, &'static Client, &'static Client) = (
        Box::leak(Box::new(signed)),
        Box::leak(Box::new(token)),
        Box::leak(Box::new(signed_once)),
    );
    let enable_call = |client: &'static Client| -> Call<'_> {
        let body = &body;
        Box::new(move || {
            Box::pin(async move {
                let reply = client
                    .create_connector()
                    .instance_id(INSTANCE)
                    .body(body())
                    .send()
                    .await
                    .expect("200");
                std::hint::black_box(reply.into_inner());
            })
        })
    };
    let variants: Vec<(&str, Call<'_>)> = vec![
        ("bare reqwest", bare_call(bare)),
        ("bare reqwest, client's timeouts", bare_call(bare_timeouts)),
        (
            "bare reqwest, the client's headers",
            shaped_call(bare_timeouts),
        ),
        (
            "bare reqwest, the client's headers, signed",
            bare_signed_call(bare_timeouts, true),
        ),
        (
            "bare reqwest, the signed headers, not computed",
            bare_signed_call(bare_timeouts, false),
        ),
        (
            "generated, unsigned (connect)",
            Box::new(|| {
                Box::pin(async {
                    let reply = unsigned
                        .create_connector()
                        .project_id(PROJECT)
                        .instance_id(INSTANCE)
                        .body(body())
                        .send()
                        .await
                        .expect("200");
                    std::hint::black_box(reply.into_inner());
                })
            }),
        ),
        ("generated, AK/SK signed", enable_call(signed)),
        ("generated, token (ClientConfig)", enable_call(token)),
        ("generated, AK/SK, no retries", enable_call(signed_once)),
    ];

    // `--only NAME`: run just the variants whose names contain NAME (for a profiler such as
    // callgrind); repeat it to run several.
    let args_given: Vec<String> = std::env::args().collect();
    let only: Vec<&str> = args_given
        .windows(2)
        .filter(|pair| pair[0] == "--only")
        .map(|pair| pair[1].as_str())
        .collect();
    let variants: Vec<(&str, Call<'_>)> = variants
        .into_iter()
        .filter(|(name, _)| only.is_empty() || only.iter().any(|o| name.contains(o)))
        .collect();

    // Warm up: connections open, pools filled.
    runtime.block_on(async {
        for (_, call) in &variants {
            for _ in 0..20 {
                call().await;
            }
        }
    });

    let n = variants.len();
    let mut wall = vec![Vec::with_capacity(args.rounds); n];
    let mut cpu = vec![Vec::with_capacity(args.rounds); n];
    for round in 0..args.rounds {
        for k in 0..n {
            let v = (round + k) % n;
            let call = &variants[v].1;
            let (start, start_cpu) = (Instant::now(), thread_cpu());
            runtime.block_on(async {
                for _ in 0..args.iters {
                    call().await;
                }
            });
            let per = |d: Duration| d.as_nanos() as f64 / args.iters as f64;
            wall[v].push(per(start.elapsed()));
            cpu[v].push(per(thread_cpu().saturating_sub(start_cpu)));
        }
    }
    let names: Vec<String> = variants
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    let title = |what: &str| {
        format!(
            "client over loopback: {what} per request, {} rounds x {} requests, interleaved",
            args.rounds, args.iters
        )
    };
    Samples {
        names: names.clone(),
        per_round: wall,
    }
    .print(&title("wall time"), "ns", &names[0]);
    println!(
        "  connections accepted by the server: {}",
        ACCEPTED.load(std::sync::atomic::Ordering::Relaxed)
    );
    let baseline = names[0].clone();
    Samples {
        names,
        per_round: cpu,
    }
    .print(&title("client-thread CPU time"), "ns", &baseline);
}
