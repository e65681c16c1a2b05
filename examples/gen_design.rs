//! Generates a large layered, acyclic design for benchmarks, as our JSON design file and as the
//! same graph in GNU `tsort`'s input format (one `from to` pair a line); or, with `--shape`, a
//! design where every service is in a small loop (`self-loops`, `pairs` a -> b -> a) or all are
//! in one `ring`, for the loop-analysis benchmarks (`--edges` and `--layers` are then ignored).
//!
//! ```text
//! cargo run --release --example gen_design -- --services 100000 --edges 1000000 \
//!     --json /tmp/d.json --pairs /tmp/d.pairs [--layers 100] [--seed 1]
//! cargo run --release --example gen_design -- --shape ring --services 1000000 --json /tmp/r.json
//! ```
//!
//! Services `s0`..`s{N-1}` get a random layer each (so file order and layer order differ and
//! the file-order tie-break of Kahn's algorithm matters); every edge goes from a lower layer to
//! a higher one (mostly the next few), so the design is acyclic. Service `sI` publishes one event,
//! `SIDone`, on all its out-edges. No (from, to) pair repeats. The same seed gives the same
//! files on every platform (a fixed splitmix64 generator, no dependency). The JSON is written by
//! the app's own writer (`io::to_json`, what `save` writes) with every field a saved design has:
//! names, positions, notes, routes, behaviours, properties, edge modes and filters.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::Arc;

use event_architect::model::{
    Behavior, Design, EdgeFilter, EventEdge, Position, Route, Service, ServiceIndex, ServiceKind,
};
use serde_json::json;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Number of services.
    pub services: u32,
    /// Number of edges.
    pub edges: u64,
    /// Number of layers (at least 2).
    pub layers: u32,
    /// Seed of the generator.
    pub seed: u64,
}

/// splitmix64: tiny, fast and fixed, so generated files never change with a crate version.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const KINDS: [&str; 8] = [
    "function", "function", "function", "function", "queue", "topic", "table", "function",
];

/// The graph: each service's kind and the edges as (from, to) service numbers.
pub struct Graph {
    /// Kind of each service.
    pub kinds: Vec<&'static str>,
    /// Edges in file order.
    pub edges: Vec<(u32, u32)>,
}

/// The shapes of loop the generator makes (beside the layered, acyclic `graph`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Every service triggers itself.
    SelfLoops,
    /// Services in pairs that trigger each other (`s0 -> s1 -> s0`, ...).
    Pairs,
    /// One ring through every service in file order.
    Ring,
}

impl Shape {
    /// The shape named on the command line.
    pub fn parse(name: &str) -> Option<Shape> {
        Some(match name {
            "self-loops" => Shape::SelfLoops,
            "pairs" => Shape::Pairs,
            "ring" => Shape::Ring,
            _ => return None,
        })
    }
}

/// A design of `services` services in loops of `shape`, kinds drawn as
/// `graph` draws them, so the loops are of every class the kinds give.
pub fn loop_graph(shape: Shape, services: u32, seed: u64) -> Graph {
    let mut rng = Rng(seed);
    let n = services;
    let kinds = (0..n)
        .map(|_| KINDS[rng.below(KINDS.len() as u64) as usize])
        .collect();
    let edges = match shape {
        Shape::SelfLoops => (0..n).map(|i| (i, i)).collect(),
        Shape::Pairs => (0..n)
            .map(|i| {
                (
                    i,
                    if i % 2 == 0 {
                        (i + 1).min(n - 1)
                    } else {
                        i - 1
                    },
                )
            })
            .collect(),
        Shape::Ring => (0..n).map(|i| (i, (i + 1) % n)).collect(),
    };
    Graph { kinds, edges }
}

/// Builds the graph for `params`. Panics when the edges asked for cannot fit without repeats.
pub fn graph(params: Params) -> Graph {
    let n = params.services;
    let layers = params.layers.max(2);
    assert!(n >= 2, "at least 2 services");
    let mut rng = Rng(params.seed);
    let layer: Vec<u32> = (0..n).map(|_| rng.below(layers as u64) as u32).collect();
    let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); layers as usize];
    for (service, &l) in layer.iter().enumerate() {
        buckets[l as usize].push(service as u32);
    }
    let kinds = (0..n)
        .map(|i| {
            if layer[i as usize] == 0 && i % 4 == 0 {
                "gateway"
            } else {
                KINDS[rng.below(KINDS.len() as u64) as usize]
            }
        })
        .collect();
    let mut seen: HashSet<u64> = HashSet::with_capacity(params.edges as usize);
    let mut edges = Vec::with_capacity(params.edges as usize);
    let mut misses = 0u64;
    while (edges.len() as u64) < params.edges {
        let from = rng.below(n as u64) as u32;
        let from_layer = layer[from as usize];
        if from_layer + 1 >= layers {
            continue;
        }
        // Mostly the next layer, sometimes up to three further.
        let step = 1 + [0, 0, 0, 0, 1, 1, 2, 3][rng.below(8) as usize];
        let to_layer = (from_layer + step).min(layers - 1);
        let bucket = &buckets[to_layer as usize];
        if bucket.is_empty() {
            continue;
        }
        let to = bucket[rng.below(bucket.len() as u64) as usize];
        if seen.insert((from as u64) << 32 | to as u64) {
            edges.push((from, to));
            misses = 0;
        } else {
            misses += 1;
            assert!(misses < 1_000_000, "too many edges for so few services");
        }
    }
    Graph { kinds, edges }
}

/// The design of `graph` with every field a saved design has: display names, grid positions
/// (as the window snaps them), notes, gateway routes, behaviours, typed and free-form
/// properties, sync edges into tables and filters on some edges.
pub fn design(params: Params, graph: &Graph) -> Design {
    let mut design = Design::new(format!(
        "Generated {} services, {} edges, seed {}",
        params.services, params.edges, params.seed
    ));
    let mut row = std::collections::HashMap::<u32, u32>::new();
    let mut first_event = vec![None; graph.kinds.len()];
    for &(from, _) in &graph.edges {
        first_event[from as usize].get_or_insert(from);
    }
    for (i, &kind) in graph.kinds.iter().enumerate() {
        let kind = ServiceKind::parse(kind).unwrap_or(ServiceKind::Function);
        let mut service = Service::new(format!("s{i}"), kind);
        service.name = format!("Service {i}");
        let column = (i as u32 * 7919) % 100;
        let y = row.entry(column).or_insert(0);
        service.position = Some(Position {
            x: column as f32 * 320.0,
            y: *y as f32 * 120.0,
        });
        *y += 1;
        if i % 10 == 0 {
            service.notes = format!("Owned by team {}; pages on-call after 3 failures.", i % 7);
        }
        let mut props = event_architect::model::properties::PropertyMap::new();
        match kind {
            ServiceKind::Gateway => service.routes.push(Route {
                route: format!("POST /s{i}"),
                event: format!("S{i}Done"),
            }),
            ServiceKind::Function => {
                service.behavior = Some(if i % 3 == 0 {
                    Behavior::Sink
                } else {
                    Behavior::Forward
                });
                props.insert("runtime".into(), json!("python3.12"));
                props.insert("handler".into(), json!("app.handler"));
                props.insert("memory_mb".into(), json!(256));
                props.insert("timeout_s".into(), json!(30));
            }
            ServiceKind::Queue => {
                props.insert("max_receive_count".into(), json!(5));
                props.insert("visibility_timeout_s".into(), json!(60));
            }
            ServiceKind::Table => {
                props.insert("key".into(), json!("id"));
                props.insert("BillingMode".into(), json!("PAY_PER_REQUEST"));
            }
            _ => {}
        }
        service.properties = event_architect::model::Properties::from_map(&props);
        design.add_service(service);
    }
    for (n, &(from, to)) in graph.edges.iter().enumerate() {
        let mut edge = EventEdge::new(
            ServiceIndex(from),
            ServiceIndex(to),
            Arc::<str>::from(format!("S{from}Done")),
        );
        edge.mode = design.services[to as usize].kind.default_mode_into();
        if n % 25 == 0 {
            edge.filter = Some(Box::new(EdgeFilter::with_pattern(
                &json!({"detail-type": [format!("S{from}Done")], "detail": {"status": ["ok"]}}),
            )));
        } else if n % 25 == 1 {
            edge.filter = Some(Box::new(EdgeFilter {
                prefix: Some("incoming/".into()),
                ..EdgeFilter::default()
            }));
        }
        design.add_edge(edge);
    }
    design
}

/// The design of `graph` with nothing but ids, kinds and edges with their event: the smallest
/// file of the shape.
pub fn bare_design(graph: &Graph) -> Design {
    let mut design = Design::new("bare");
    for (i, &kind) in graph.kinds.iter().enumerate() {
        let kind = ServiceKind::parse(kind).unwrap_or(ServiceKind::Function);
        design.add_service(Service::new(format!("s{i}"), kind));
    }
    for &(from, to) in &graph.edges {
        let event = Arc::<str>::from(format!("S{from}Done"));
        design.add_edge(EventEdge::new(ServiceIndex(from), ServiceIndex(to), event));
    }
    design
}

/// Writes the design file exactly as the app's `save` writes it and, when asked, the tsort pair
/// list.
pub fn write(
    params: Params,
    graph: &Graph,
    json: &mut dyn Write,
    pairs: Option<&mut dyn Write>,
) -> io::Result<()> {
    json.write_all(event_architect::io::to_json(&design(params, graph)).as_bytes())?;
    if let Some(pairs) = pairs {
        for &(from, to) in &graph.edges {
            writeln!(pairs, "s{from} s{to}")?;
        }
    }
    Ok(())
}

fn usage() -> ! {
    eprintln!(
        "usage: gen_design --services N --edges E --json OUT.json [--pairs OUT.pairs] \
         [--layers L (default 100)] [--seed S (default 1)] \
         [--shape layered|self-loops|pairs|ring (default layered)] [--bare]"
    );
    std::process::exit(2)
}

#[allow(dead_code)] // the benches include this file as a module for `graph` and `write`
fn main() -> io::Result<()> {
    let mut params = Params {
        services: 0,
        edges: 0,
        layers: 100,
        seed: 1,
    };
    let (mut json, mut pairs) = (None, None);
    let mut shape = None; // layered
    let mut bare = false;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--bare" {
            bare = true;
            continue;
        }
        let value = args.next().unwrap_or_else(|| usage());
        let number = || value.parse::<u64>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--services" => params.services = number() as u32,
            "--edges" => params.edges = number(),
            "--layers" => params.layers = number() as u32,
            "--seed" => params.seed = number(),
            "--json" => json = Some(value),
            "--pairs" => pairs = Some(value),
            "--shape" if value == "layered" => shape = None,
            "--shape" => shape = Some(Shape::parse(&value).unwrap_or_else(|| usage())),
            _ => usage(),
        }
    }
    let Some(json) = json else { usage() };
    if params.services < 2 {
        usage();
    }
    let graph = match shape {
        None => graph(params),
        Some(shape) => loop_graph(shape, params.services, params.seed),
    };
    params.edges = graph.edges.len() as u64;
    let mut json = BufWriter::with_capacity(1 << 20, File::create(json)?);
    if bare {
        json.write_all(event_architect::io::to_json(&bare_design(&graph)).as_bytes())?;
        return json.flush();
    }
    let mut pairs = match pairs {
        Some(path) => Some(BufWriter::with_capacity(1 << 20, File::create(path)?)),
        None => None,
    };
    write(
        params,
        &graph,
        &mut json,
        pairs.as_mut().map(|p| p as &mut dyn Write),
    )?;
    json.flush()?;
    if let Some(mut pairs) = pairs {
        pairs.flush()?;
    }
    Ok(())
}
