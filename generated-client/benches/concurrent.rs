//! 1,000 concurrent calls on one `Client` against the local DMS, beside bare reqwest making
//! the same calls at the same concurrency (see `BENCHMARKS.md`). Every call must succeed (a
//! full run exits 1 otherwise); the figures are the time of each burst and the calls per
//! second, medians over the rounds, the variants interleaved round by round.
//!
//! The call is "Querying an Instance" with an IAM token (the local DMS accepts that token);
//! each call is a task of its own on a two-worker runtime, so both cores serve the client
//! and the local DMS.
//!
//! `cargo bench -p generated-client --bench concurrent [-- --rounds N --iters CALLS --smoke]`

mod support;

use std::time::Instant;

use generated_client::local_dms::LocalDms;
use generated_client::{Client, ClientConfig, Credentials};
use support::{Args, Samples};

const TOKEN: &str = "an-example-iam-token";
const INSTANCE: &str = "6e3d1f2a-9b8c-4d7e-a6f5-0b1c2d3e4f5a";
const BARE: &str = "bare reqwest";
const GENERATED: &str = "generated client";

/// One burst: `calls` calls at once, each a task; returns how many succeeded.
async fn burst<F>(calls: u64, call: impl Fn() -> F) -> u64
where
    F: std::future::Future<Output = bool> + Send + 'static,
{
    let tasks: Vec<_> = (0..calls).map(|_| tokio::spawn(call())).collect();
    let mut succeeded = 0;
    for task in tasks {
        if task.await.unwrap_or(false) {
            succeeded += 1;
        }
    }
    succeeded
}

/// Makes room for a burst's sockets (both ends are in this process): at least 4,096 open
/// files where the hard limit allows it.
fn raise_open_file_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let limit = getrlimit(Resource::Nofile);
    let wanted = 4_096.min(limit.maximum.unwrap_or(u64::MAX));
    if limit.current.is_some_and(|current| current < wanted) {
        let _ = setrlimit(
            Resource::Nofile,
            rustix::process::Rlimit {
                current: Some(wanted),
                maximum: limit.maximum,
            },
        );
    }
}

fn main() -> std::process::ExitCode {
    let mut args = Args::parse(10, 1_000);
    if args.smoke {
        args.iters = 50;
    }
    raise_open_file_limit();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    // The bare baseline needs a crypto provider (see Cargo.toml); ring, deprecated in rustls
    // 0.23.48 (see transport/http.rs), as the client's default feature uses.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();

    let dms = runtime.block_on(async {
        LocalDms::builder()
            .token(TOKEN)
            .instance(INSTANCE)
            .start()
            .await
            .expect("the local DMS starts")
    });
    let client: Client = ClientConfig::new()
        .credentials(Credentials::token(TOKEN))
        .project_id(dms.project_id())
        .endpoint(dms.base_url())
        .build()
        .expect("a client");
    let bare = reqwest::Client::new();
    let url = format!(
        "{}/v2/{}/instances/{INSTANCE}",
        dms.base_url(),
        dms.project_id()
    );

    let run = |name: &str| -> (f64, u64) {
        let start = Instant::now();
        let succeeded = runtime.block_on(async {
            match name {
                BARE => {
                    burst(args.iters, || {
                        let request = bare.get(&url).header("X-Auth-Token", TOKEN);
                        async move {
                            match request.send().await {
                                Ok(reply) if reply.status().is_success() => {
                                    reply.json::<serde_json::Value>().await.is_ok()
                                }
                                _ => false,
                            }
                        }
                    })
                    .await
                }
                _ => {
                    burst(args.iters, || {
                        let client = client.clone();
                        async move {
                            client
                                .show_instance()
                                .instance_id(INSTANCE)
                                .send()
                                .await
                                .is_ok()
                        }
                    })
                    .await
                }
            }
        });
        (start.elapsed().as_secs_f64() * 1e3, succeeded)
    };

    let names = [BARE, GENERATED];
    // Warm up: the connections of a burst opened once, for both.
    for name in names {
        run(name);
    }
    let mut per_round = vec![Vec::new(); names.len()];
    let mut failed = [0u64; 2];
    for round in 0..args.rounds {
        for k in 0..names.len() {
            let v = (round + k) % names.len();
            let (ms, succeeded) = run(names[v]);
            per_round[v].push(ms);
            failed[v] += args.iters - succeeded;
        }
    }
    let samples = Samples {
        names: names.iter().map(|n| (*n).to_owned()).collect(),
        per_round,
    };
    samples.print(
        &format!(
            "{} concurrent calls on one client against the local DMS, {} rounds, interleaved",
            args.iters, args.rounds
        ),
        "ms",
        BARE,
    );
    for name in names {
        println!(
            "  {name}: {:.0} calls/s (median burst)",
            args.iters as f64 / samples.median_of(name) * 1e3
        );
    }

    drop(dms);
    // Checked in every run, the smoke run too: a call that fails is a bug, not a slow figure.
    if failed.iter().any(|&n| n > 0) {
        for (name, failed) in names.iter().zip(failed) {
            println!("  {name}: {failed} calls failed");
        }
        return std::process::ExitCode::FAILURE;
    }
    println!("  every call succeeded, for both");
    std::process::ExitCode::SUCCESS
}
