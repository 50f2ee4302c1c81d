//! Generation time and peak memory at 10, 100 and 1,000 synthetic operations, and for the
//! real spec (see `BENCHMARKS.md`).
//!
//! Every measurement runs in a child process of its own (this binary again, with
//! `--child`), so the peak resident set size (`VmHWM`) belongs to that one generation. The
//! sizes are interleaved round by round; figures are medians over the rounds.
//!
//! `cargo bench -p codegen --bench generate [-- --rounds N --sizes 10,100,1000 --smoke]`

#[path = "support/synthetic.rs"]
mod synthetic;

use std::process::Command;
use std::time::Instant;

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

/// In the child: generate once and print `nanoseconds rss_before_kib peak_kib bytes_out`.
fn child(what: &str) {
    let (name, text) = if what == "real" {
        (
            "spec/dms-kafka-smart-connect.yaml".to_owned(),
            std::fs::read_to_string(REAL_SPEC).expect("the real spec"),
        )
    } else {
        let n: usize = what.parse().expect("a number of operations");
        (format!("synthetic-{n}.yaml"), synthetic::spec(n))
    };
    let settings = xtask::client_settings();
    let (before, _) = memory_kib();
    let start = Instant::now();
    let code = codegen::generate(&name, &text, &settings).expect("the spec generates");
    let took = start.elapsed();
    let (_, peak) = memory_kib();
    // For comparing the bytes of two builds.
    if let Some(path) = std::env::var_os("GENERATE_BENCH_OUTPUT") {
        std::fs::write(path, &code).expect("write the output");
    }
    println!("{} {before} {peak} {}", took.as_nanos(), code.len());
}

struct Sample {
    ns: f64,
    rss_before_kib: f64,
    peak_kib: f64,
    bytes: f64,
}

fn run_child(what: &str) -> Sample {
    let out = Command::new(std::env::current_exe().expect("own path"))
        .args(["--child", what])
        .output()
        .expect("run the child");
    assert!(
        out.status.success(),
        "child {what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let numbers: Vec<f64> = text
        .split_whitespace()
        .map(|n| n.parse().expect("a number"))
        .collect();
    let [ns, rss_before_kib, peak_kib, bytes] = numbers[..] else {
        panic!("unexpected child output {text:?}");
    };
    Sample {
        ns,
        rss_before_kib,
        peak_kib,
        bytes,
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut rounds = 5usize;
    let mut sizes = vec!["real".to_owned(), "10".into(), "100".into(), "1000".into()];
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--child" => {
                let what = args.next().expect("--child what");
                return child(&what);
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
            "--smoke" => {
                rounds = 1;
                sizes = vec!["real".into(), "2".into(), "30".into()];
            }
            _ => {}
        }
    }
    let rounds = rounds.max(1);

    let mut samples: Vec<Vec<Sample>> = sizes.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        for k in 0..sizes.len() {
            let i = (round + k) % sizes.len();
            samples[i].push(run_child(&sizes[i]));
        }
    }

    println!(
        "generate: one process per generation, {rounds} rounds interleaved, medians (MiB = 1024 KiB)"
    );
    println!(
        "  {:>10} {:>12} {:>14} {:>14} {:>12}",
        "operations", "time ms", "peak RSS MiB", "RSS before MiB", "output KiB"
    );
    let mut time_of = std::collections::HashMap::new();
    for (size, runs) in sizes.iter().zip(&samples) {
        let pick = |f: fn(&Sample) -> f64| median(&mut runs.iter().map(f).collect::<Vec<_>>());
        let ms = pick(|s| s.ns) / 1e6;
        time_of.insert(size.clone(), ms);
        println!(
            "  {:>10} {:>12.1} {:>14.1} {:>14.1} {:>12.1}",
            size,
            ms,
            pick(|s| s.peak_kib) / 1024.0,
            pick(|s| s.rss_before_kib) / 1024.0,
            pick(|s| s.bytes) / 1024.0
        );
    }
    if let (Some(t100), Some(t1000)) = (time_of.get("100"), time_of.get("1000")) {
        println!("  t(1000)/t(100) = {:.2}", t1000 / t100);
    }
}
