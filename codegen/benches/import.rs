//! Pages → spec against spec → code: importing all 62 vendored DMS pages (and assembling them
//! into one spec) beside generating the code of that spec, interleaved round by round,
//! medians (see `BENCHMARKS.md`).
//!
//! `cargo bench -p codegen --bench import [-- --rounds N --smoke]`

use std::path::Path;
use std::time::{Duration, Instant};

fn pages() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pages/apis_v2_recommended");
    let mut pages = Vec::new();
    let mut groups: Vec<_> = std::fs::read_dir(&root)
        .expect("the vendored pages")
        .map(|e| e.expect("a folder entry").path())
        .collect();
    groups.sort();
    for group in groups {
        let mut files: Vec<_> = std::fs::read_dir(&group)
            .expect("a page group")
            .map(|e| e.expect("a folder entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "rst"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a page");
            pages.push((file.display().to_string(), text));
        }
    }
    pages
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let smoke = args.iter().any(|a| a == "--smoke");
    let rounds = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(if smoke { 1 } else { 10 });

    let pages = pages();
    assert_eq!(pages.len(), 62, "all 62 DMS pages");
    let refs: Vec<(&str, &str)> = pages
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let spec = codegen::pages::to_yaml(
        &codegen::pages::import(&refs)
            .expect("the pages import")
            .document,
    );

    let (mut import, mut generate) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let start = Instant::now();
        let imported = codegen::pages::import(&refs).expect("the pages import");
        let text = codegen::pages::to_yaml(&imported.document);
        import.push(start.elapsed());
        assert_eq!(text, spec, "the import is deterministic");

        let start = Instant::now();
        let code = codegen::generate("all-pages.yaml", &spec, &codegen::Settings::default())
            .expect("the spec of all pages generates");
        generate.push(start.elapsed());
        std::hint::black_box(code);
    }
    let (import, generate) = (median(import), median(generate));
    println!("pages -> spec vs spec -> code, 62 DMS pages, {rounds} rounds interleaved, medians");
    println!(
        "  import + assemble + YAML   {:>10.1} ms",
        import.as_secs_f64() * 1e3
    );
    println!(
        "  generate (plain settings)  {:>10.1} ms",
        generate.as_secs_f64() * 1e3
    );
    println!(
        "  import / generate          {:>10.3}",
        import.as_secs_f64() / generate.as_secs_f64()
    );
}
