//! Simulator throughput, in bus events per second, and memory per stored user.
//!
//! `cargo bench --bench simulation` runs:
//! - criterion: 100k register+login pairs (200k requests, 400k bus events) on the register/login design at the minimum argon2
//!   cost (hashing included), and the same flow with `store-put`/`store-get` functions (no
//!   hashing: the engine itself: bus, queues, heap, tables);
//! - a scaling report: 1M requests (500k pairs) both ways, median of 3 runs, and the memory
//!   per stored user (resident-set growth of a deep copy of the users table; Linux only).
//!   `cargo bench --bench simulation -- scaling` runs only this part (the filter matches no
//!   criterion benchmark).
//!
//! `SIMULATION_BENCH_NO_SCALING=1` skips the scaling report (for profiling one benchmark).
//! Under `cargo test --benches` every part runs once on small inputs, as a smoke test.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use event_architect::model::Design;
use event_architect::simulation::{RunEnd, Scenario, Simulation, Table, parse_scenario};

/// The register/login flow with store functions instead of register/login: no hashing.
const STORE_DESIGN: &str = r#"{
  "version": 1, "name": "store flow",
  "services": [
    {"id": "gateway", "kind": "gateway", "routes": [
      {"route": "POST /register", "event": "RegisterRequested"},
      {"route": "POST /login", "event": "LoginRequested"}]},
    {"id": "register", "kind": "function", "behavior": "store-put"},
    {"id": "login", "kind": "function", "behavior": "store-get"},
    {"id": "users", "kind": "table"},
    {"id": "welcome", "kind": "function", "behavior": "sink"},
    {"id": "audit", "kind": "function", "behavior": "sink"}
  ],
  "edges": [
    {"from": "gateway", "to": "register", "event": "RegisterRequested"},
    {"from": "gateway", "to": "login", "event": "LoginRequested"},
    {"from": "register", "to": "users", "event": "PutUser"},
    {"from": "login", "to": "users", "event": "GetUser"},
    {"from": "register", "to": "welcome", "event": "UserRegistered"},
    {"from": "login", "to": "audit", "event": "UserLoggedIn"}
  ]
}"#;

/// `pairs` register+login pairs at the minimum hashing cost. Delays keep each login after its
/// register, so every pair gives 201 then 200.
fn pairs_scenario(pairs: u64) -> Scenario {
    let text = format!(
        r#"{{"repeat": {pairs}, "seed": 1,
        "hash_cost": {{"m_cost_kib": 8, "t_cost": 1, "p_cost": 1}},
        "tables": {{"users": {{"key": "name"}}}},
        "requests": [
          {{"route": "POST /register", "delay_ms": 1,
            "body": {{"name": "user{{n}}", "email": "user{{n}}@example.com", "password": "password-{{n}}"}}}},
          {{"route": "POST /login", "delay_ms": 40,
            "body": {{"name": "user{{n}}", "password": "password-{{n}}"}}}}
        ]}}"#
    );
    parse_scenario(text.as_bytes(), "bench").unwrap()
}

struct Run {
    seconds: f64,
    events: u64,
    requests: u64,
}

fn run_once(design: &Design, pairs: u64) -> (Run, Simulation) {
    let mut simulation = Simulation::new(design, pairs_scenario(pairs)).unwrap();
    simulation.keep_response_bodies(false);
    let started = Instant::now();
    let end = simulation.run(&AtomicBool::new(false), |_| {});
    let seconds = started.elapsed().as_secs_f64();
    assert_eq!(end, RunEnd::Finished);
    let statuses = simulation.status_counts();
    let ok: u64 = statuses.range(200..300).map(|(_, n)| n).sum();
    assert_eq!(ok, 2 * pairs, "every request succeeds: {statuses:?}");
    let progress = simulation.progress();
    let run = Run {
        seconds,
        events: progress.events_delivered,
        requests: progress.requests_sent,
    };
    (run, simulation)
}

fn designs() -> [(&'static str, Design); 2] {
    let store = event_architect::io::parse_design(STORE_DESIGN.as_bytes(), "store").unwrap();
    [
        ("engine_no_hashing", store),
        (
            "register_login_min_argon2",
            event_architect::builtin_design(),
        ),
    ]
}

fn bench_pairs(c: &mut Criterion, pairs: u64) {
    let mut group = c.benchmark_group("simulation");
    group.sample_size(10);
    for (name, design) in designs() {
        // Four bus events a pair: gateway -> register -> welcome, gateway -> login -> audit.
        group.throughput(Throughput::Elements(4 * pairs));
        // Only `Simulation::run` is timed: building the scenario and dropping the store are not.
        group.bench_with_input(BenchmarkId::new(name, pairs), &pairs, |b, &pairs| {
            b.iter_custom(|iterations| {
                (0..iterations)
                    .map(|_| Duration::from_secs_f64(run_once(&design, pairs).0.seconds))
                    .sum()
            })
        });
    }
    group.finish();
}

fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn scaling_report(pairs: u64, runs: usize) {
    println!(
        "\nscaling: {} requests ({pairs} register+login pairs), median of {runs}",
        2 * pairs
    );
    for (name, design) in designs() {
        let mut events_per_second = Vec::new();
        let mut requests_per_second = Vec::new();
        let mut last = None;
        for _ in 0..runs {
            drop(last.take());
            let (run, simulation) = run_once(&design, pairs);
            events_per_second.push(run.events as f64 / run.seconds);
            requests_per_second.push(run.requests as f64 / run.seconds);
            last = Some(simulation);
        }
        println!(
            "  {name:<28} {:>12.0} bus events/s {:>12.0} requests/s",
            median(events_per_second),
            median(requests_per_second)
        );
        if let Some(simulation) = last {
            let Some(table) = simulation.store().table("users") else {
                continue;
            };
            let users = table.len() as u64;
            // A deep copy built the way the engine builds the table: items are shared, so a
            // plain clone would only copy pointers.
            let before = rss_bytes();
            let mut copy = Table::new(table.key_field.clone());
            for item in table.scan() {
                let key = table.key_of(item).unwrap_or_default();
                copy.put(key, item.clone());
            }
            match (before, rss_bytes()) {
                (Some(before), Some(after)) if users > 0 => println!(
                    "  {name:<28} {:>12.0} bytes per stored user (RSS growth of a deep copy of the table, {users} users)",
                    after.saturating_sub(before) as f64 / users as f64
                ),
                _ => println!("  {name:<28} memory per user: n/a (no /proc/self/statm)"),
            }
            drop(copy);
        }
    }
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let mut criterion = Criterion::default().configure_from_args();
    if benching {
        bench_pairs(&mut criterion, 100_000);
        criterion.final_summary();
        if std::env::var_os("SIMULATION_BENCH_NO_SCALING").is_none() {
            scaling_report(500_000, 3);
        }
    } else {
        // `cargo test --benches`: one quick pass of everything.
        bench_pairs(&mut criterion, 100);
        scaling_report(100, 1);
    }
}
