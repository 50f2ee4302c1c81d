//! Generation time and peak memory at 10, 100 and 1,000 synthetic operations, and for the
//! real spec (see `BENCHMARKS.md`).
//!
//! Every measurement runs in a child process of its own (this binary again, with
//! `--child`), so the peak resident set size (`VmHWM`) belongs to that one generation. The
//! sizes are interleaved round by round; figures are medians over the rounds.
//!
//! `cargo bench -p codegen --bench generate [-- --rounds N --sizes 10,100,1000 --one-run --smoke]`

#[path = "support/synthetic.rs"]
mod synthetic;

/// The allocator `cargo xtask` generates with (glibc's malloc slows down as a generation's
/// heap grows: per-item cost rising with the heap size).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
fn child(what: &str, one_run: bool) {
    let (name, text) = if what == "real" {
        (
            "spec/dms-kafka-smart-connect.yaml".to_owned(),
            std::fs::read_to_string(REAL_SPEC).expect("the real spec"),
        )
    } else {
        let n: usize = what.parse().expect("a number of operations");
        (format!("synthetic-{n}.yaml"), synthetic::spec(n))
    };
    let settings = client_like(one_run);
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

fn run_child(what: &str, one_run: bool) -> Sample {
    let out = Command::new(std::env::current_exe().expect("own path"))
        .args(["--child", what])
        .args(one_run.then_some("--one-run"))
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

/// `--phases N`: time steps of a generation separately, in this process (no memory figures):
/// load (YAML to the spec and its tree), validate, progenitor's tokens for the whole spec in
/// one run (for reference: `codegen::generate` runs progenitor part by part), and the whole
/// `codegen::generate`; "the rest" is what the whole takes beyond loading and validating
/// (progenitor on each part, parsing, printing).
fn phases(what: &str) {
    let n: usize = what.parse().expect("a number of operations");
    let text = synthetic::spec(n);
    let settings = client_like(false);
    let start = Instant::now();
    let loaded = codegen::load("synthetic.yaml", &text).expect("loads");
    let load = start.elapsed();
    let start = Instant::now();
    let problems = codegen::validate::problems(&loaded.spec, &loaded.tree);
    let validate = start.elapsed();
    assert!(problems.is_empty(), "{problems:?}");
    let progenitor_settings = builder_settings();
    let start = Instant::now();
    let tokens = progenitor::Generator::new(&progenitor_settings)
        .generate_tokens(&loaded.spec)
        .expect("generates");
    let tokens_took = start.elapsed();
    drop((tokens, loaded));
    let start = Instant::now();
    let code = codegen::generate("synthetic.yaml", &text, &settings).expect("generates");
    let whole = start.elapsed();
    let floor = library_floor(n);
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "{n} operations: load {:.1} ms, validate {:.1} ms, progenitor tokens in one run {:.1} ms; \
         whole generate {:.1} ms (the rest ~{:.1} ms), {} bytes",
        ms(load),
        ms(validate),
        ms(tokens_took),
        ms(whole),
        ms(whole) - ms(load) - ms(validate),
        code.len()
    );
    println!(
        "  library floor: progenitor + syn::parse2 + prettyplease alone on {} parts (of {PART} \
         operations, the last of what is left), {} threads: {:.1} ms ({:.1} ms of CPU: \
         progenitor {:.1}, parse {:.1}, print {:.1}, drop {:.1})",
        floor.parts,
        floor.threads,
        ms(floor.wall),
        ms(floor.cpu.iter().sum()),
        ms(floor.cpu[0]),
        ms(floor.cpu[1]),
        ms(floor.cpu[2]),
        ms(floor.cpu[3]),
    );
}

/// progenitor's settings for the builder interface, without the client's hooks and types.
fn builder_settings() -> progenitor::GenerationSettings {
    let mut settings = progenitor::GenerationSettings::new();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged);
    settings
}

/// Operations per part, as `codegen::generate` cuts a large spec (its default).
const PART: usize = 25;

/// What the three libraries alone take for a generation of `n` operations in parts.
struct Floor {
    parts: usize,
    threads: usize,
    wall: std::time::Duration,
    /// Thread CPU time summed over the parts: progenitor's tokens, `syn::parse2`,
    /// `prettyplease::unparse`, and dropping the tokens and syntax tree.
    cpu: [std::time::Duration; 4],
}

/// The floor under a generation of `n` operations: for each part of [`PART`] operations, the
/// last of what is left (the synthetic spec of that size, parsed beforehand), progenitor's
/// tokens, one `syn::parse2` and one `prettyplease::unparse`, nothing else, on as many threads
/// as `codegen::generate` uses. Whatever the generator does around the libraries (cutting the spec, rewrites,
/// putting the parts together), it cannot be faster than this.
fn library_floor(n: usize) -> Floor {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let spec_of = |size: usize| {
        codegen::load("part.yaml", &synthetic::spec(size))
            .expect("loads")
            .spec
    };
    // Whole parts, and the last one with what is left.
    let (whole, rest) = (
        spec_of(PART),
        (!n.is_multiple_of(PART)).then(|| spec_of(n % PART)),
    );
    let parts = n.div_ceil(PART);
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(parts);
    let next = AtomicUsize::new(0);
    let cpu = Mutex::new([std::time::Duration::ZERO; 4]);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let settings = builder_settings();
                let mut mine = [std::time::Duration::ZERO; 4];
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= parts {
                        break;
                    }
                    let part = match &rest {
                        Some(rest) if index == parts - 1 => rest,
                        _ => &whole,
                    };
                    let t0 = thread_cpu();
                    let tokens = progenitor::Generator::new(&settings)
                        .generate_tokens(part)
                        .expect("generates");
                    let t1 = thread_cpu();
                    let file: syn::File = syn::parse2(tokens).expect("parses");
                    let t2 = thread_cpu();
                    let text = prettyplease::unparse(&file);
                    let t3 = thread_cpu();
                    drop((file, std::hint::black_box(text)));
                    let t4 = thread_cpu();
                    for (i, (a, b)) in [(t0, t1), (t1, t2), (t2, t3), (t3, t4)]
                        .into_iter()
                        .enumerate()
                    {
                        mine[i] += b - a;
                    }
                }
                let mut total = cpu.lock().unwrap_or_else(|e| e.into_inner());
                for (t, m) in total.iter_mut().zip(mine) {
                    *t += m;
                }
            });
        }
    });
    Floor {
        parts,
        threads,
        wall: start.elapsed(),
        cpu: cpu.into_inner().unwrap_or_else(|e| e.into_inner()),
    }
}

/// CPU time of the calling thread.
fn thread_cpu() -> std::time::Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    std::time::Duration::new(
        u64::try_from(t.tv_sec).unwrap_or(0),
        u32::try_from(t.tv_nsec).unwrap_or(0),
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut rounds = 5usize;
    let mut sizes = vec!["real".to_owned(), "10".into(), "100".into(), "1000".into()];
    let mut one_run = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--child" => {
                let what = args.next().expect("--child what");
                return child(&what, args.next().as_deref() == Some("--one-run"));
            }
            "--phases" => return phases(&args.next().expect("--phases N")),
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
            // Every generation in one progenitor run.
            "--one-run" => one_run = true,
            "--smoke" => {
                rounds = 1;
                // 30 operations: two parts, so the parts path runs too.
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
            samples[i].push(run_child(&sizes[i], one_run));
        }
    }

    let how = if one_run {
        "one progenitor run"
    } else {
        "in parts (the default)"
    };
    println!(
        "generate, {how}: one process per generation, {rounds} rounds interleaved, medians (MiB = 1024 KiB)"
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

/// The settings generated-client is generated with (`xtask::client_settings()`); with
/// `one_run`, in one progenitor run instead of parts.
fn client_like(one_run: bool) -> codegen::Settings {
    codegen::Settings {
        operations_per_part: one_run.then_some(usize::MAX),
        ..xtask::client_settings()
    }
}
