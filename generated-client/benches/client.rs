//! The generated client against a bare reqwest call, over loopback, against one local hyper
//! server, interleaved in one run, and the guard they are held to (see `BENCHMARKS.md`; a full
//! run exits 1 when it is missed): a call costs at most 1.3x the bare call, unsigned and
//! signed (the bare signed call signs with this crate's public signer, as a caller of the bare
//! API would).
//!
//! Each variant sends `--iters` CreateConnector POSTs per round on a kept-alive connection
//! and decodes the JSON reply. The client runs on a current-thread runtime on the main
//! thread, so the thread's CPU time is the client's whole cost; the server runs on a thread
//! of its own. Figures: wall time and client CPU time per request, medians over the rounds,
//! and the median per-round ratio to bare reqwest. For the least noise run it on one CPU:
//! `taskset -c 0 cargo bench -p generated-client --bench client`.
//!
//! `cargo bench -p generated-client --bench client [-- --rounds N --iters N --smoke]`

mod support;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use generated_client::types::CreateConnectorReq;
use generated_client::{Client, ClientConfig, Credentials, NodeCount, signer};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use support::{Args, Guards, Samples};

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

/// The headers a bare caller signs besides `Host`: the body's type and the project.
fn signed_header_list() -> [(String, String); 2] {
    [
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("X-Project-Id".to_owned(), PROJECT.to_owned()),
    ]
}

/// Sends CreateConnector with `body` through the generated client and decodes the reply.
async fn send_generated(
    call: generated_client::builder::CreateConnector<'_>,
    body: CreateConnectorReq,
) {
    let reply = call
        .instance_id(INSTANCE)
        .body(body)
        .send()
        .await
        .expect("200");
    std::hint::black_box(reply.into_inner());
}

/// Sends a bare request and decodes its reply as a bare caller would.
async fn send_bare(request: reqwest::RequestBuilder) {
    let reply: BareReply = request
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("decoded");
    std::hint::black_box(reply);
}

type Call<'a> = Box<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>> + 'a>;

/// A call costs at most this many times the bare reqwest call (wall and client CPU time).
const MAX_OVER_BARE: f64 = 1.3;

fn main() -> std::process::ExitCode {
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
    let bare: &'static reqwest::Client = Box::leak(Box::new(reqwest::Client::new()));
    let unsigned: &'static Client = Box::leak(Box::new(Client::connect(&base).expect("a client")));
    let signed: &'static Client = Box::leak(Box::new(
        ClientConfig::new()
            .credentials(Credentials::ak_sk(ACCESS_KEY, SECRET_KEY))
            .project_id(PROJECT)
            .endpoint(&base)
            .build()
            .expect("a client"),
    ));
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
    // A bare signed call: the headers the API needs, signed with the crate's public signer
    // (key prepared once), the signature's headers added.
    let key = signer::SigningKey::new(SECRET_KEY.as_bytes());
    let host = address.to_string();
    let path = format!("/v2/{PROJECT}/instances/{INSTANCE}/connector");

    let variants: Vec<(&str, Call<'_>)> = vec![
        (
            BARE,
            Box::new(|| Box::pin(async { send_bare(bare.post(&url).json(&bare_body)).await })),
        ),
        (
            BARE_SIGNED,
            Box::new(|| {
                Box::pin(async {
                    let body = serde_json::to_vec(&bare_body).expect("encoded");
                    let headers = signed_header_list();
                    let parts =
                        signer::RequestParts::new("POST", &host, &path, &[], &headers, &body);
                    let signature =
                        signer::sign_with(&parts, ACCESS_KEY, &key, std::time::SystemTime::now());
                    let mut request = bare
                        .post(&url)
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .header("X-Project-Id", PROJECT);
                    for (name, value) in signature.headers() {
                        request = request.header(name, value);
                    }
                    send_bare(request.body(body)).await;
                })
            }),
        ),
        (
            GENERATED,
            Box::new(|| {
                Box::pin(send_generated(
                    unsigned.create_connector().project_id(PROJECT),
                    body(),
                ))
            }),
        ),
        (
            GENERATED_SIGNED,
            Box::new(|| {
                // The project comes from the client's configuration.
                Box::pin(send_generated(signed.create_connector(), body()))
            }),
        ),
    ];

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
    let wall = Samples {
        names: names.clone(),
        per_round: wall,
    };
    wall.print(&title("wall time"), "ns", BARE);
    println!(
        "  connections accepted by the server: {}",
        ACCEPTED.load(std::sync::atomic::Ordering::Relaxed)
    );
    let cpu = Samples {
        names,
        per_round: cpu,
    };
    cpu.print(&title("client-thread CPU time"), "ns", BARE);

    let mut guards = Guards::new(args);
    for (samples, what) in [(&wall, "wall"), (&cpu, "CPU")] {
        for (ours, baseline) in [(GENERATED, BARE), (GENERATED_SIGNED, BARE_SIGNED)] {
            guards.at_most(
                &format!("{ours} / {baseline}, {what}"),
                samples.ratio(ours, baseline),
                MAX_OVER_BARE,
            );
        }
    }
    guards.exit_code()
}

const BARE: &str = "bare reqwest";
const BARE_SIGNED: &str = "bare reqwest, signed";
const GENERATED: &str = "generated, unsigned";
const GENERATED_SIGNED: &str = "generated, AK/SK signed";
