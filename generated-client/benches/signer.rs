//! The AK/SK signer against the hashing it cannot avoid, and against the official Python
//! SDK's signer, interleaved in one run, and the guards they are held to (see `BENCHMARKS.md`;
//! a full run exits 1 when one is missed).
//!
//! `cargo bench -p generated-client --bench signer [-- --rounds N --iters N --smoke]`

mod support;

use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant, UNIX_EPOCH};

use generated_client::signer::{self, RequestParts};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use support::{Args, Guards, Variant};

const AK: &str = "HPUAEXAMPLEAK0000001";
const SK: &str = "ExampleSecretKey0123456789abcdefghijklmn";
const HOST: &str = "dms.eu-de.otc.t-systems.com";
const PATH: &str =
    "/v2/0a1b2c3d4e5f60718293a4b5c6d7e8f9/instances/6e3d1f2a-9b8c-4d7e-a6f5-0b1c2d3e4f5a/connector";
const BODY: &str =
    r#"{"node_cnt":"2","specification":"c6.2u4g","spec_code":"dms.physical.storage.high.v2"}"#;

/// The headers the client's hooks hand to the signer for CreateConnector (names as the
/// HTTP stack has them).
fn headers() -> Vec<(String, String)> {
    [
        ("accept", "application/json"),
        ("content-type", "application/json"),
        ("user-agent", "generated-client/0.1.0"),
        ("x-project-id", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
    ]
    .into_iter()
    .map(|(n, v)| (n.to_owned(), v.to_owned()))
    .collect()
}

fn timed(iters: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed()
}

/// The official Python SDK's signer in a child process, fed commands per round.
struct Python {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Python {
    /// Starts the timing script with the venv of `tests/official-signer/run.sh`, if present.
    fn start(canonical_request: &str, string_to_sign: &str) -> Option<(Python, String)> {
        // The venv is in cargo's target directory, the parent of CARGO_TARGET_TMPDIR.
        let python = std::env::var_os("OFFICIAL_SDK_PYTHON").map_or_else(
            || {
                std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join("../official-sdk-venv/bin/python")
            },
            Into::into,
        );
        if !python.exists() {
            return None;
        }
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/python_signer.py");
        let mut command = Command::new(python);
        command
            .arg(script)
            .args([AK, SK, HOST, PATH, BODY, canonical_request, string_to_sign])
            .args(headers().iter().map(|(n, v)| format!("{n}={v}")))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut child = command.spawn().ok()?;
        let stdin = child.stdin.take()?;
        let mut stdout = BufReader::new(child.stdout.take()?);
        let mut line = String::new();
        stdout.read_line(&mut line).ok()?;
        let authorization = line.trim_end().strip_prefix("authorization ")?.to_owned();
        Some((
            Python {
                child,
                stdin,
                stdout,
            },
            authorization,
        ))
    }

    /// Runs `command` `n` times in Python; the nanoseconds it took.
    fn run(&mut self, command: &str, n: u64) -> Duration {
        writeln!(self.stdin, "{command} {n}").expect("write to python");
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("read from python");
        Duration::from_nanos(line.trim().parse().expect("python answers a number"))
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn main() -> std::process::ExitCode {
    let args = Args::parse(40, 20_000);
    let headers = headers();
    let now = UNIX_EPOCH + Duration::from_secs(1_704_164_645); // 2024-01-02T03:04:05Z
    let parts = RequestParts::new("POST", HOST, PATH, &[], &headers, BODY.as_bytes());
    let reference = signer::sign(&parts, AK, SK.as_bytes(), now);
    let canonical_request = reference.canonical_request.clone();
    let string_to_sign = reference.string_to_sign.clone();

    // Python costs ~100x more per call: it runs 1/PY_SCALE of the iterations, scaled up.
    const PY_SCALE: u64 = 50;
    let python = Python::start(&canonical_request, &string_to_sign);
    let python = std::cell::RefCell::new(match python {
        Some((python, authorization)) => {
            let ours = reference
                .headers
                .iter()
                .find(|(n, _)| *n == "Authorization")
                .map(|(_, v)| v.as_str());
            assert_eq!(
                ours,
                Some(authorization.as_str()),
                "the official Python signer disagrees with ours"
            );
            Some(python)
        }
        None => {
            println!(
                "(official Python SDK not found: run `bash generated-client/tests/official-signer/run.sh` once to install it; Python variants skipped)"
            );
            None
        }
    });

    let key = signer::SigningKey::new(SK.as_bytes());
    let prepared = Hmac::<Sha256>::new_from_slice(SK.as_bytes()).expect("any key length");
    let mut variants = vec![
        Variant::new("floor: sha256 x2 + hmac (key ready)", |n| {
            timed(n, || {
                black_box(Sha256::digest(black_box(BODY.as_bytes())));
                black_box(Sha256::digest(black_box(canonical_request.as_bytes())));
                let mut mac = prepared.clone();
                mac.update(black_box(string_to_sign.as_bytes()));
                black_box(mac.finalize().into_bytes());
            })
        }),
        Variant::new("floor: sha256 x2 + hmac (raw key)", |n| {
            timed(n, || {
                black_box(Sha256::digest(black_box(BODY.as_bytes())));
                black_box(Sha256::digest(black_box(canonical_request.as_bytes())));
                let mut mac = Hmac::<Sha256>::new_from_slice(black_box(SK.as_bytes()))
                    .expect("any key length");
                mac.update(black_box(string_to_sign.as_bytes()));
                black_box(mac.finalize().into_bytes());
            })
        }),
        Variant::new("signer::sign_with (key ready)", |n| {
            timed(n, || {
                black_box(signer::sign_with(
                    black_box(&parts),
                    AK,
                    black_box(&key),
                    now,
                ));
            })
        }),
        Variant::new("signer::sign (raw sk)", |n| {
            timed(n, || {
                black_box(signer::sign(
                    black_box(&parts),
                    AK,
                    black_box(SK.as_bytes()),
                    now,
                ));
            })
        }),
    ];
    if python.borrow().is_some() {
        let scaled = |command: &'static str| {
            let python = &python;
            move |n: u64| {
                let calls = (n / PY_SCALE).max(1);
                let mut python = python.borrow_mut();
                let python = python.as_mut().expect("python is running");
                python.run(command, calls) * u32::try_from(n / calls).unwrap_or(1)
            }
        };
        variants.push(Variant::new(
            "python: Signer.sign + request",
            scaled("sign"),
        ));
        variants.push(Variant::new("python: request alone", scaled("build")));
        variants.push(Variant::new(
            "python: bare hashing (hashlib)",
            scaled("hash"),
        ));
    }
    let samples = support::interleave(args, &mut variants);
    drop(variants);
    samples.print(
        &format!(
            "signer: ns per signature, {} rounds x {} iterations, interleaved",
            args.rounds, args.iters
        ),
        "ns",
        "floor: sha256 x2 + hmac (key ready)",
    );
    let ours = "signer::sign_with (key ready)";
    let mut guards = Guards::new(args);
    guards.at_most(
        "signer::sign_with, median ns",
        samples.median_of(ours),
        MAX_NS,
    );
    guards.at_most(
        "signer::sign_with / the hashing floor",
        samples.ratio(ours, "floor: sha256 x2 + hmac (key ready)"),
        MAX_OVER_FLOOR,
    );
    if samples.names.iter().any(|n| n.starts_with("python")) {
        let python_net = samples.median_of("python: Signer.sign + request")
            - samples.median_of("python: request alone");
        println!(
            "  python signer net of request construction: {python_net:.1} ns (median - median)"
        );
        println!(
            "  python signer (net) / signer::sign (raw sk): {:.1}x",
            python_net / samples.median_of("signer::sign (raw sk)")
        );
        guards.at_least(
            "python signer (net) / signer::sign_with",
            python_net / samples.median_of(ours),
            MIN_UNDER_PYTHON,
        );
    } else {
        guards.not_checked(
            "python signer / signer::sign_with",
            "the official Python SDK is not installed",
        );
    }
    guards.exit_code()
}

/// The guards (BENCHMARKS.md): a signature takes at most this many ns,
const MAX_NS: f64 = 2_000.0;
/// at most this many times the hashing it must do,
const MAX_OVER_FLOOR: f64 = 3.0;
/// and the official Python signer takes at least this many times as long.
const MIN_UNDER_PYTHON: f64 = 10.0;
