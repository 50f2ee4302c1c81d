//! Generation guards (see `BENCHMARKS.md`): time and peak memory of one generation of the
//! real spec and of synthetic specs of 100 and 1,000 operations, and, given a jar,
//! openapi-generator's `rust` generator on the same 1,000-operation spec.
//!
//! Every generation runs in a process of its own (this binary again, with `--child`), so
//! the peak resident set (`VmHWM`) belongs to that one generation, and so that both
//! generators are timed the same way: from starting the process to its exit, the spec read
//! from a file and the code written to one. Figures are medians over the rounds.
//!
//! Each guard compares runs made under the same conditions. The sizes are interleaved round
//! by round, ours alone; then openapi-generator and ours at 1,000 alternate, round by round.
//! (On this VM a process that follows the JVM pays for the memory the JVM gave back: the
//! first touch of every page is slow again. Interleaved with the sizes, that cost would fall
//! on the larger size more than on the smaller one; alternating with ours, both pay it.)
//!
//! A full run checks the guards and exits 1 when one is missed:
//! - linear: generating 1,000 operations takes at most [`LINEAR_LIMIT`] times 100;
//! - at least [`AGAINST_OPENAPI_GENERATOR`] times faster than openapi-generator at 1,000
//!   operations (`--openapi-generator JAR`; `benches/against-openapi-generator.sh` installs
//!   the jar and passes it).
//!
//! `cargo bench -p codegen --bench generate [-- --rounds N --sizes real,100,1000
//! --openapi-generator JAR --smoke]`. `--smoke` (what `.ci/run` runs, in a debug build) runs
//! tiny sizes once and checks no guard.

#[path = "support/synthetic.rs"]
mod synthetic;
// The client's bench harness: its median and its guards.
#[path = "../../generated-client/benches/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Generating 10x the operations may take at most this many times as long: linear, with a
/// quarter's allowance for a working set ten times larger (caches, and the VM zeroing more
/// fresh memory). A step that grew as n log n would show 15x, a quadratic one 100x.
const LINEAR_LIMIT: f64 = 12.5;
/// openapi-generator's time over ours, at 1,000 operations, at least.
const AGAINST_OPENAPI_GENERATOR: f64 = 3.0;

/// Labels of the two sides of the comparison.
const OPENAPI_GENERATOR: &str = "openapi-generator rust, 1000";
const OURS_BESIDE: &str = "ours, 1000, beside it";

const REAL_SPEC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../spec/dms-kafka-smart-connect.yaml"
);

/// `VmRSS` and `VmHWM` of this process, in KiB.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// In the child: generate the spec at `spec` into `out` once and print
/// `generation_ns peak_kib bytes_out`.
fn child(spec: &Path, out: &Path) {
    let text = std::fs::read_to_string(spec).expect("read the spec");
    let name = spec.file_name().expect("a file name").to_string_lossy();
    let settings = xtask::client_settings();
    let start = Instant::now();
    let code = codegen::generate(&name, &text, &settings).expect("the spec generates");
    let took = start.elapsed();
    let (_, peak) = memory_kib();
    std::fs::write(out, &code).expect("write the output");
    println!("{} {peak} {}", took.as_nanos(), code.len());
}

/// One timed process.
struct Sample {
    /// From starting the process to its exit.
    wall_ms: f64,
    /// `codegen::generate` alone (ours only).
    generation_ms: f64,
    peak_mib: f64,
    output_kib: f64,
}

/// What a round runs: ours on a spec, or openapi-generator's `rust` generator.
enum Variant {
    Ours { label: String, spec: PathBuf },
    OpenapiGenerator { jar: PathBuf, spec: PathBuf },
}

impl Variant {
    fn label(&self) -> String {
        match self {
            Variant::Ours { label, .. } => label.clone(),
            Variant::OpenapiGenerator { .. } => OPENAPI_GENERATOR.to_owned(),
        }
    }

    fn run(&self, scratch: &Path) -> Sample {
        match self {
            Variant::Ours { spec, .. } => {
                let mut command = Command::new(std::env::current_exe().expect("own path"));
                command
                    .arg("--child")
                    .args([spec, &scratch.join("generated.rs")]);
                let (wall_ms, out) = timed(command, &format!("the child for {}", spec.display()));
                let text = String::from_utf8_lossy(&out.stdout);
                let numbers: Vec<f64> = text
                    .split_whitespace()
                    .map(|n| n.parse().expect("a number"))
                    .collect();
                let [ns, peak_kib, bytes] = numbers[..] else {
                    panic!("unexpected child output {text:?}");
                };
                Sample {
                    wall_ms,
                    generation_ms: ns / 1e6,
                    peak_mib: peak_kib / 1024.0,
                    output_kib: bytes / 1024.0,
                }
            }
            Variant::OpenapiGenerator { jar, spec } => {
                let out_dir = scratch.join("openapi-generator");
                let _ = std::fs::remove_dir_all(&out_dir);
                let mut command = Command::new("java");
                command
                    .arg("-jar")
                    .arg(jar)
                    .args(["generate", "-g", "rust", "-i"])
                    .arg(spec)
                    .arg("-o")
                    .arg(&out_dir);
                let (wall_ms, _) = timed(command, "openapi-generator");
                Sample {
                    wall_ms,
                    generation_ms: f64::NAN,
                    peak_mib: f64::NAN,
                    output_kib: f64::NAN,
                }
            }
        }
    }
}

/// Runs `command` to its exit and returns the milliseconds that took and its output; panics
/// with its output when it fails (`what` names it).
fn timed(mut command: Command, what: &str) -> (f64, std::process::Output) {
    let start = Instant::now();
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("start {what}: {e}"));
    let wall_ms = start.elapsed().as_secs_f64() * 1e3;
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (wall_ms, out)
}

/// Runs `variants` `rounds` times, each round starting one variant later, and returns each
/// variant's label with its samples.
fn interleaved(variants: &[Variant], rounds: usize, scratch: &Path) -> Vec<(String, Vec<Sample>)> {
    let mut samples: Vec<Vec<Sample>> = variants.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        for k in 0..variants.len() {
            let i = (round + k) % variants.len();
            samples[i].push(variants[i].run(scratch));
        }
    }
    variants.iter().map(Variant::label).zip(samples).collect()
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let mut rounds = 3usize;
    let mut sizes = vec!["real".to_owned(), "100".into(), "1000".into()];
    let mut jar = None;
    let mut smoke = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--child" => {
                let spec = PathBuf::from(args.next().expect("--child SPEC OUT"));
                let out = PathBuf::from(args.next().expect("--child SPEC OUT"));
                child(&spec, &out);
                return std::process::ExitCode::SUCCESS;
            }
            "--rounds" => {
                rounds = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--rounds N")
            }
            "--sizes" => {
                sizes = args
                    .next()
                    .expect("--sizes a,b,c")
                    .split(',')
                    .map(str::to_owned)
                    .collect();
            }
            "--openapi-generator" => {
                jar = Some(PathBuf::from(args.next().expect("--openapi-generator JAR")))
            }
            "--smoke" => smoke = true,
            _ => {}
        }
    }
    if smoke {
        rounds = 1;
        sizes = vec!["real".into(), "2".into(), "30".into()];
        jar = None;
    }
    let rounds = rounds.max(1);

    let scratch =
        std::env::temp_dir().join(format!("codegen-generate-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("a scratch folder");
    let spec_of = |size: &str| -> PathBuf {
        if size == "real" {
            return PathBuf::from(REAL_SPEC);
        }
        let n: usize = size.parse().expect("a number of operations");
        let path = scratch.join(format!("synthetic-{n}.yaml"));
        std::fs::write(&path, synthetic::spec(n)).expect("write the synthetic spec");
        path
    };
    let sizes: Vec<Variant> = sizes
        .iter()
        .map(|size| Variant::Ours {
            label: format!("ours, {size}"),
            spec: spec_of(size),
        })
        .collect();
    let comparison: Vec<Variant> = match &jar {
        Some(jar) => {
            let spec = spec_of("1000");
            vec![
                Variant::OpenapiGenerator {
                    jar: jar.clone(),
                    spec: spec.clone(),
                },
                Variant::Ours {
                    label: OURS_BESIDE.to_owned(),
                    spec,
                },
            ]
        }
        None => Vec::new(),
    };
    let mut results = interleaved(&sizes, rounds, &scratch);
    results.extend(interleaved(&comparison, rounds, &scratch));
    let _ = std::fs::remove_dir_all(&scratch);

    println!("generate: one process per generation, {rounds} rounds interleaved, medians");
    println!(
        "  {:<30} {:>10} {:>14} {:>13} {:>11}",
        "variant", "wall ms", "generation ms", "peak RSS MiB", "output KiB"
    );
    let mut wall = std::collections::HashMap::new();
    let mut generation = std::collections::HashMap::new();
    for (label, runs) in &results {
        let pick = |f: fn(&Sample) -> f64| support::median(&runs.iter().map(f).collect::<Vec<_>>());
        // NaN: not measured (openapi-generator's own figures).
        let cell = |v: f64| {
            if v.is_nan() {
                "-".to_owned()
            } else {
                format!("{v:.1}")
            }
        };
        println!(
            "  {:<30} {:>10} {:>14} {:>13} {:>11}",
            label,
            cell(pick(|s| s.wall_ms)),
            cell(pick(|s| s.generation_ms)),
            cell(pick(|s| s.peak_mib)),
            cell(pick(|s| s.output_kib))
        );
        wall.insert(label.clone(), pick(|s| s.wall_ms));
        generation.insert(label.clone(), pick(|s| s.generation_ms));
    }
    let mut guards = support::Guards::new(support::Args {
        rounds,
        iters: 1,
        smoke,
    });
    if let (Some(t100), Some(t1000)) = (generation.get("ours, 100"), generation.get("ours, 1000")) {
        guards.at_most("generation t(1000)/t(100)", t1000 / t100, LINEAR_LIMIT);
    }
    match (wall.get(OPENAPI_GENERATOR), wall.get(OURS_BESIDE)) {
        (Some(theirs), Some(ours)) => guards.at_least(
            "openapi-generator / ours at 1000, wall",
            theirs / ours,
            AGAINST_OPENAPI_GENERATOR,
        ),
        _ => guards.not_checked(
            "openapi-generator / ours at 1000",
            "give --openapi-generator JAR: benches/against-openapi-generator.sh",
        ),
    }
    guards.exit_code()
}
