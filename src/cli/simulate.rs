//! `event-architect simulate`: run a scenario against a design and print the responses, the
//! trace and the store (text timeline or JSON).

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use serde_json::{Value, json};

use super::escape::escape;
use super::{EXIT_OK, report_load_error, shown, stdout};
use crate::simulation::{
    Response, Scenario, ScenarioError, Simulation, TraceEntry, TraceKind, load_scenario,
    reason_phrase,
};

/// How routes reach functions, shown by `simulate --help`.
pub const ROUTING_HELP: &str = "\
How a request reaches a function:
  A gateway service lists routes: {\"route\": \"POST /register\", \"event\": \"RegisterRequested\"}.
  A request on that route enters at the gateway, which publishes RegisterRequested on each of its
  edges carrying that event; the function at the other end handles it by its behavior (register,
  login, store-put, store-get, forward, sink; none means forward). The first function that
  answers gives the response. Events travel through an event bus with a FIFO queue per
  subscriber; publishers never wait. A function's table is the table service it has an edge to.

Scenario file:
  {\"seed\": 42, \"repeat\": 1, \"hash_cost\": {\"m_cost_kib\": 19456, \"t_cost\": 2, \"p_cost\": 1},
   \"requests\": [{\"route\": \"POST /register\", \"body\": {...}, \"delay_ms\": 100, \"repeat\": 1}]}
  In body strings, {i} becomes the repeat number of the request, and the letter n in braces
  the round number (top-level repeat).
  Lowering hash_cost is for load runs only; the output says so.

Exit codes: 0 the run completed (whatever the statuses), 2 bad input (design, scenario, arguments).";

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The design file (`-` reads standard input).
    pub design: PathBuf,
    /// The scenario file (`-` reads standard input); the built-in register/login scenario
    /// when omitted.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: SimulateFormat,
    /// Seed of the random source (argon2 salts); overrides the scenario's.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Load-run mode: no trace and no response bodies; prints status counts, the store's sizes
    /// and the engine's throughput (wall-clock, so not reproducible).
    #[arg(long)]
    pub summary: bool,
}

/// Output formats of `simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SimulateFormat {
    /// A readable timeline, the responses and the store.
    Text,
    /// `{"responses": [...], "trace": [...], "store": {...}}` (plus seed, hash cost, notes).
    Json,
}

pub(super) fn run(args: &SimulateArgs) -> u8 {
    if args.design.as_os_str() == "-" && args.scenario.as_ref().is_some_and(|s| s == "-") {
        return stdout::error(
            "the design and the scenario cannot both be read from standard input",
            "pass one of them as a file",
        );
    }
    let design = match super::load(&args.design) {
        Ok(design) => design,
        Err(code) => return code,
    };
    let scenario = match &args.scenario {
        Some(path) => load_scenario(path),
        None => Ok(Scenario::builtin()),
    };
    let mut scenario = match scenario {
        Ok(scenario) => scenario,
        Err(ScenarioError::File(error)) => return report_load_error(&error),
        Err(error) => return stdout::error(&error.to_string(), ""),
    };
    if args.seed.is_some() {
        scenario.seed = args.seed;
    }
    // Streaming: a request is dropped once done, so a run of any length holds what is in
    // flight and the store, never the whole trace or every response.
    let mut simulation = match Simulation::streaming(&design, scenario) {
        Ok(simulation) => simulation,
        Err(error) => return stdout::error(&error.to_string(), ""),
    };
    let origin = args.design.display().to_string();
    if args.summary {
        simulation.hand_out_responses(false);
    }
    // Responses come during the trace but are printed after it: they wait in a temporary file.
    let mut spool = match (!args.summary).then(tempfile::tempfile).transpose() {
        Ok(spool) => spool.map(io::BufWriter::new),
        Err(error) => {
            return stdout::error(
                &format!("cannot create a temporary file for the responses: {error}"),
                "set TMPDIR to a writable folder",
            );
        }
    };
    let written = stdout::write("the simulation", |out| match &mut spool {
        None => write_summary(out, args.format, &origin, &mut simulation),
        Some(spool) => match args.format {
            SimulateFormat::Json => write_json(out, &mut simulation, spool),
            SimulateFormat::Text => write_text(out, &origin, &mut simulation, spool),
        },
    });
    match (written, simulation.stopped()) {
        (Err(code), _) => code,
        (Ok(()), Some((message, hint))) => stdout::error(message, hint),
        (Ok(()), None) => EXIT_OK,
    }
}

/// Writes the responses handed out so far to `spool`, each as `line` makes it.
fn spool_responses(
    simulation: &mut Simulation,
    spool: &mut impl Write,
    first: &mut bool,
    mut line: impl FnMut(&mut dyn Write, &Response, bool) -> io::Result<()>,
) -> io::Result<()> {
    for response in simulation.take_responses() {
        line(spool, &response, *first)?;
        *first = false;
    }
    Ok(())
}

/// Copies the spooled responses to `out`.
fn unspool(spool: &mut io::BufWriter<std::fs::File>, out: &mut dyn Write) -> io::Result<()> {
    use std::io::Seek;
    spool.flush()?;
    let file = spool.get_mut();
    file.rewind()?;
    io::copy(file, out)?;
    Ok(())
}

/// `{"design", "seed", "hash_cost", "notes", "trace": [...], "responses": [...], "store"}`,
/// written as the run goes: one trace entry or response per line.
fn write_json(
    out: &mut dyn Write,
    simulation: &mut Simulation,
    spool: &mut io::BufWriter<std::fs::File>,
) -> io::Result<()> {
    let header = simulation.report_header_json();
    writeln!(out, "{{")?;
    if let Value::Object(fields) = &header {
        for (key, value) in fields {
            writeln!(out, "  {}: {},", json!(key), value)?;
        }
    }
    write!(out, "  \"trace\": [")?;
    let mut first_entry = true;
    let mut first_response = true;
    let response_line = |spool: &mut dyn Write, response: &Response, first: bool| {
        let separator = if first { "" } else { "," };
        write!(spool, "{separator}\n    {}", json!(response))
    };
    while let Some(entry) = simulation.step() {
        let separator = if first_entry { "" } else { "," };
        write!(out, "{separator}\n    {}", json!(entry))?;
        first_entry = false;
        spool_responses(simulation, spool, &mut first_response, response_line)?;
    }
    spool_responses(simulation, spool, &mut first_response, response_line)?;
    let close = |empty: bool| if empty { "]" } else { "\n  ]" };
    writeln!(out, "{},", close(first_entry))?;
    write!(out, "  \"responses\": [")?;
    unspool(spool, out)?;
    writeln!(out, "{},", close(first_response))?;
    writeln!(out, "  \"store\": {}", simulation.store().to_json())?;
    writeln!(out, "}}")
}

fn write_summary(
    out: &mut dyn Write,
    format: SimulateFormat,
    origin: &str,
    simulation: &mut Simulation,
) -> io::Result<()> {
    simulation.keep_response_bodies(false);
    let started = Instant::now();
    simulation.run(&AtomicBool::new(false), |_| {});
    let seconds = started.elapsed().as_secs_f64();
    let progress = simulation.progress();
    let per_second = |n: u64| {
        if seconds > 0.0 {
            n as f64 / seconds
        } else {
            0.0
        }
    };
    let tables: serde_json::Map<String, Value> = simulation
        .store()
        .tables
        .iter()
        .map(|(id, table)| (id.clone(), json!(table.len())))
        .collect();
    let statuses: serde_json::Map<String, Value> = simulation
        .status_counts()
        .iter()
        .map(|(status, n)| (status.to_string(), json!(n)))
        .collect();
    match format {
        SimulateFormat::Json => {
            let report = json!({
                "seed": simulation.seed(),
                "notes": simulation.notes(),
                "requests": progress.requests_sent,
                "statuses": statuses,
                "events_delivered": progress.events_delivered,
                "actions": progress.actions,
                "virtual_time_us": progress.now_us,
                "store_items": tables,
                "wall_seconds": seconds,
                "events_per_second": per_second(progress.events_delivered),
                "requests_per_second": per_second(progress.requests_sent),
            });
            writeln!(out, "{report:#}")
        }
        SimulateFormat::Text => {
            write_header(out, origin, simulation)?;
            writeln!(out, "requests: {}", progress.requests_sent)?;
            for (status, count) in simulation.status_counts() {
                writeln!(out, "  {status} {}: {count}", reason_phrase(*status))?;
            }
            writeln!(
                out,
                "bus events delivered: {} ({:.0}/s), requests {:.0}/s, wall {seconds:.3} s, virtual {}",
                progress.events_delivered,
                per_second(progress.events_delivered),
                per_second(progress.requests_sent),
                time_text(progress.now_us),
            )?;
            for (id, table) in &simulation.store().tables {
                writeln!(out, "table {}: {} items", shown(id), table.len())?;
            }
            Ok(())
        }
    }
}

fn write_header(out: &mut dyn Write, origin: &str, simulation: &Simulation) -> io::Result<()> {
    let scenario = simulation.scenario();
    let cost = scenario.hash_cost;
    writeln!(
        out,
        "simulating {} with {} ({} requests, seed {}, argon2id m={} KiB t={} p={})",
        shown(origin),
        shown(&scenario.origin),
        scenario.request_count(),
        simulation.seed(),
        cost.m_cost_kib,
        cost.t_cost,
        cost.p_cost
    )?;
    for note in simulation.notes() {
        writeln!(out, "note: {}", escape(note))?;
    }
    Ok(())
}

/// Virtual microseconds as milliseconds with three decimals.
fn time_text(us: u64) -> String {
    format!("{}.{:03} ms", us / 1000, us % 1000)
}

/// The readable timeline, then the responses and the store.
fn write_text(
    out: &mut dyn Write,
    origin: &str,
    simulation: &mut Simulation,
    spool: &mut io::BufWriter<std::fs::File>,
) -> io::Result<()> {
    write_header(out, origin, simulation)?;
    writeln!(out)?;
    writeln!(
        out,
        "timeline (virtual time, request, step, service, event: outcome):"
    )?;
    // A payload is shown when it first appears in a request's chain, not at every hop. Only
    // recent requests are remembered: at worst a payload is shown again.
    let mut payload_shown: HashMap<u64, Value> = HashMap::new();
    let mut first = true;
    let response_line = |spool: &mut dyn Write, response: &Response, _| {
        writeln!(
            spool,
            "  #{:<3} {:<18} {} {:<12} {}  ({} after the request)",
            response.request,
            shown(&response.route),
            response.status,
            reason_phrase(response.status),
            escape(&response.body.to_string()),
            time_text(response.latency_us)
        )
    };
    while let Some(entry) = simulation.step() {
        write_entry(out, &entry, &mut payload_shown)?;
        spool_responses(simulation, spool, &mut first, response_line)?;
    }
    spool_responses(simulation, spool, &mut first, response_line)?;
    writeln!(out)?;
    writeln!(out, "responses:")?;
    unspool(spool, out)?;
    writeln!(out)?;
    writeln!(out, "store:")?;
    for (id, table) in &simulation.store().tables {
        writeln!(
            out,
            "  {} ({} item{}, key \"{}\")",
            shown(id),
            table.len(),
            if table.len() == 1 { "" } else { "s" },
            shown(&table.key_field)
        )?;
        for item in table.scan() {
            writeln!(
                out,
                "    {}",
                escape(&Value::Object(item.clone()).to_string())
            )?;
        }
    }
    Ok(())
}

/// One line of the timeline, and the payload under it when it is new for its request.
fn write_entry(
    out: &mut dyn Write,
    entry: &TraceEntry,
    payload_shown: &mut HashMap<u64, Value>,
) -> io::Result<()> {
    let from = entry
        .from
        .as_ref()
        .map(|from| format!(" (from {})", shown(from)))
        .unwrap_or_default();
    writeln!(
        out,
        "{:>12}  #{:<3} {:<11} {:<10} {}: {}{from}",
        time_text(entry.at_us),
        entry.request,
        entry.kind.as_str(),
        shown(&entry.service),
        shown(&entry.event),
        escape(&entry.outcome),
    )?;
    let new_payload = payload_shown.get(&entry.request) != Some(&entry.payload);
    if new_payload
        && matches!(
            entry.kind,
            TraceKind::Request | TraceKind::Handle | TraceKind::DeadLetter
        )
    {
        writeln!(out, "{:>19}{}", "", escape(&entry.payload.to_string()))?;
        if payload_shown.len() >= 4096 {
            payload_shown.clear();
        }
        payload_shown.insert(entry.request, entry.payload.clone());
    }
    Ok(())
}
