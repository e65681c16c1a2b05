//! In-process benchmarks of loading (`parse_design`), analysing (`analyze`) and writing the JSON
//! plan (`write_json`) of generated layered designs: 10k services/50k edges and 100k/1M.
//!
//! `cargo bench --bench analysis` (add `-- load` or `-- analyze` to pick a group). The designs
//! come from the same generator as `scripts/bench_vs_tsort.sh` (`examples/gen_design.rs`),
//! built in memory, so the benchmark needs no files.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use event_architect::analysis::analyze;
use event_architect::io::parse_design;
use event_architect::plan::write_json;

#[path = "../examples/gen_design.rs"]
#[allow(dead_code)]
mod gen_design;

use gen_design::Params;

/// (services, edges) of each benchmarked size.
const SIZES: [(u32, u64); 2] = [(10_000, 50_000), (100_000, 1_000_000)];

/// The design file text of a generated design.
fn design_text(services: u32, edges: u64) -> Vec<u8> {
    let params = Params {
        services,
        edges,
        layers: 100,
        seed: 1,
    };
    let graph = gen_design::graph(params);
    let mut text = Vec::new();
    gen_design::write(params, &graph, &mut text, None).expect("writing to memory");
    text
}

fn label(services: u32, edges: u64) -> String {
    let short = |n: u64| match n {
        n if n >= 1_000_000 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 => format!("{}k", n / 1_000),
        n => n.to_string(),
    };
    format!("{}/{}", short(services as u64), short(edges))
}

fn benches(c: &mut Criterion) {
    for (services, edges) in SIZES {
        let text = design_text(services, edges);
        let design = parse_design(&text, "bench.json").expect("generated designs are valid");
        let analysis = analyze(&design);
        let id = label(services, edges);

        let mut group = c.benchmark_group("load");
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(10));
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(&id), &text, |b, text| {
            b.iter(|| parse_design(black_box(text), "bench.json").expect("valid"))
        });
        group.finish();

        let mut group = c.benchmark_group("analyze");
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(5));
        group.throughput(Throughput::Elements(edges));
        group.bench_with_input(BenchmarkId::from_parameter(&id), &design, |b, design| {
            b.iter(|| analyze(black_box(design)))
        });
        group.finish();

        let mut group = c.benchmark_group("write_json");
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(5));
        group.bench_with_input(BenchmarkId::from_parameter(&id), &design, |b, design| {
            b.iter(|| write_json(&mut std::io::sink(), black_box(design), &analysis))
        });
        group.finish();
    }
}

fn main() {
    // What `criterion_group!`/`criterion_main!` expand to, without their undocumented items.
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
