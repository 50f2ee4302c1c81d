//! A small harness for benchmarks whose variants must be compared in the same run: every
//! round runs each variant once (in a rotating order, so no variant always goes first),
//! and the figures are medians over the rounds. Ratios are the median of the per-round
//! ratios, so a slow patch on a shared machine moves numerator and denominator together.
//!
//! Arguments (after `cargo bench --bench NAME --`): `--rounds N`, `--iters N` (work per
//! variant per round), `--smoke` (a tiny run that only checks the bench still works).
//! Anything else (such as the `--bench` cargo passes) is ignored.

#![allow(dead_code)]

use std::time::Duration;

/// Rounds and iterations for one run.
#[derive(Debug, Clone, Copy)]
pub struct Args {
    /// How many rounds of every variant.
    pub rounds: usize,
    /// Iterations of each variant per round.
    pub iters: u64,
    /// A tiny run that only checks the bench still works.
    pub smoke: bool,
}

impl Args {
    /// Reads the command line; `rounds` and `iters` are the defaults.
    pub fn parse(rounds: usize, iters: u64) -> Args {
        let mut args = Args {
            rounds,
            iters,
            smoke: false,
        };
        let mut given = std::env::args().skip(1);
        while let Some(arg) = given.next() {
            let mut number = |what: &str| -> u64 {
                given
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("{what} needs a number"))
            };
            match arg.as_str() {
                "--rounds" => args.rounds = usize::try_from(number("--rounds")).unwrap_or(1),
                "--iters" => args.iters = number("--iters"),
                "--smoke" => {
                    args.smoke = true;
                    args.rounds = 2;
                    args.iters = args.iters.clamp(1, 20);
                }
                _ => {}
            }
        }
        args.rounds = args.rounds.max(1);
        args.iters = args.iters.max(1);
        args
    }
}

/// One variant: a name and a closure that runs `iters` iterations and returns the time
/// (or CPU time) they took.
pub struct Variant<'a> {
    /// Shown in the table.
    pub name: &'a str,
    /// Runs the given number of iterations, returns what they cost.
    pub run: Box<dyn FnMut(u64) -> Duration + 'a>,
}

impl<'a> Variant<'a> {
    /// A variant named `name`.
    pub fn new(name: &'a str, run: impl FnMut(u64) -> Duration + 'a) -> Self {
        Variant {
            name,
            run: Box::new(run),
        }
    }
}

/// Per-variant nanoseconds per iteration, one entry per round.
pub struct Samples {
    /// Variant names, in the order given.
    pub names: Vec<String>,
    /// `per_round[v][r]`: ns per iteration of variant `v` in round `r`.
    pub per_round: Vec<Vec<f64>>,
}

/// Runs every variant once per round, in an order that rotates from round to round.
pub fn interleave(args: Args, variants: &mut [Variant<'_>]) -> Samples {
    let n = variants.len();
    let mut per_round = vec![Vec::with_capacity(args.rounds); n];
    for round in 0..args.rounds {
        for k in 0..n {
            let v = (round + k) % n;
            let took = (variants[v].run)(args.iters);
            per_round[v].push(took.as_nanos() as f64 / args.iters as f64);
        }
    }
    Samples {
        names: variants.iter().map(|v| v.name.to_owned()).collect(),
        per_round,
    }
}

/// The median of `values` (which need not be sorted).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

impl Samples {
    /// Index of the variant named `name`.
    pub fn index(&self, name: &str) -> usize {
        self.names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no variant {name}"))
    }

    /// Median ns per iteration of the variant named `name`.
    pub fn median_of(&self, name: &str) -> f64 {
        median(&self.per_round[self.index(name)])
    }

    /// Median over the rounds of `name / baseline`.
    pub fn ratio(&self, name: &str, baseline: &str) -> f64 {
        let a = &self.per_round[self.index(name)];
        let b = &self.per_round[self.index(baseline)];
        let ratios: Vec<f64> = a.iter().zip(b).map(|(a, b)| a / b).collect();
        median(&ratios)
    }

    /// Prints a table: median and minimum ns per iteration, and the ratio to `baseline`.
    pub fn print(&self, title: &str, unit: &str, baseline: &str) {
        println!("{title}");
        let width = self
            .names
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(0)
            .max(34);
        println!(
            "  {:<width$} {:>12} {:>12} {:>10}",
            "variant",
            format!("median {unit}"),
            format!("min {unit}"),
            format!("x {baseline}")
        );
        for (i, name) in self.names.iter().enumerate() {
            let rounds = &self.per_round[i];
            let min = rounds.iter().copied().fold(f64::INFINITY, f64::min);
            println!(
                "  {:<width$} {:>12.1} {:>12.1} {:>10.3}",
                name,
                median(rounds),
                min,
                self.ratio(name, baseline)
            );
        }
    }
}

/// The guards of one bench run: each printed as it is checked; [`Guards::exit_code`] fails
/// the run when one was missed. A smoke run checks none (a debug build's figures mean
/// nothing).
pub struct Guards {
    checked: bool,
    missed: usize,
}

impl Guards {
    /// Guards for a run with `args` (none checked when it is a smoke run).
    pub fn new(args: Args) -> Guards {
        Guards {
            checked: !args.smoke,
            missed: 0,
        }
    }

    /// `what` is `figure`, which must be at most `limit`.
    pub fn at_most(&mut self, what: &str, figure: f64, limit: f64) {
        self.check(what, figure, figure <= limit, &format!("at most {limit}"));
    }

    /// `what` is `figure`, which must be at least `limit`.
    pub fn at_least(&mut self, what: &str, figure: f64, limit: f64) {
        self.check(what, figure, figure >= limit, &format!("at least {limit}"));
    }

    /// A guard that this run could not check, and why.
    pub fn not_checked(&self, what: &str, why: &str) {
        if self.checked {
            println!("  guard: {what}: not checked ({why})");
        }
    }

    fn check(&mut self, what: &str, figure: f64, met: bool, limit: &str) {
        if !self.checked {
            return;
        }
        let verdict = if met { "met" } else { "MISSED" };
        println!("  guard: {what} = {figure:.2} ({limit}): {verdict}");
        if !met {
            self.missed += 1;
        }
    }

    /// Failure when a guard was missed.
    pub fn exit_code(&self) -> std::process::ExitCode {
        if self.missed == 0 {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        }
    }
}
