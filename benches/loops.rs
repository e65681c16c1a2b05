//! In-process benchmarks of the loop analysis on designs where every service is in a loop:
//! 10k, 100k and 1M services made of self-loops, of pairs (`a -> b -> a`) and of one ring.
//! Each run finds the cycle groups and their paths (`analyze`), classes every loop
//! (`classify`) and lists the filters each crosses: what `check` computes before it prints.
//! The time must grow linearly: 100x more loops may cost at most 150x the time.
//!
//! `cargo bench --bench loops` (add `-- ring` or `-- self-loops/1M` to pick). The designs come
//! from `examples/gen_design.rs` (`--shape`), built in memory, so the benchmark needs no files.
//! Whole-process `check` times on saved files: `scripts/bench_loops.sh`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use event_architect::analysis::{analyze, classify, filters_crossed};

#[path = "../examples/gen_design.rs"]
#[allow(dead_code)]
mod gen_design;

use gen_design::{Params, Shape};

const SIZES: [(u32, &str); 3] = [(10_000, "10k"), (100_000, "100k"), (1_000_000, "1M")];

fn benches(c: &mut Criterion) {
    for (shape, name) in [
        (Shape::SelfLoops, "self-loops"),
        (Shape::Pairs, "pairs"),
        (Shape::Ring, "ring"),
    ] {
        let mut group = c.benchmark_group(name);
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(5));
        for (services, label) in SIZES {
            let graph = gen_design::loop_graph(shape, services, 1);
            let params = Params {
                services,
                edges: graph.edges.len() as u64,
                layers: 1,
                seed: 1,
            };
            let design = gen_design::design(params, &graph);
            group.throughput(Throughput::Elements(services as u64));
            group.bench_with_input(BenchmarkId::from_parameter(label), &design, |b, design| {
                b.iter(|| {
                    let analysis = analyze(black_box(design));
                    let loops = classify(design, &analysis);
                    let filters: usize = analysis
                        .cycles
                        .iter()
                        .map(|cycle| filters_crossed(design, cycle).len())
                        .sum();
                    (analysis, loops, filters)
                })
            });
        }
        group.finish();
    }
}

fn main() {
    // What `criterion_group!`/`criterion_main!` expand to, without their undocumented items.
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
}
