//! Execution plans and their exporters: JSON (the contract), Markdown, Mermaid and Graphviz DOT.
//!
//! Every exporter reads the same [`Analysis`], so a wiki page, a diagram and the GUI agree.

mod diagram;
mod markdown;

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};

use crate::analysis::{Analysis, Step};
use crate::model::{Design, ServiceIndex, ServiceKind};

pub use diagram::{write_dot, write_mermaid};
pub use markdown::write_markdown;

/// The formats a plan can be exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    /// The plan as JSON (the documented contract).
    Json,
    /// A Markdown page for a wiki or pull request.
    Markdown,
    /// A Mermaid flowchart.
    Mermaid,
    /// A Graphviz DOT graph.
    Dot,
}

impl PlanFormat {
    /// Every format, in menu order.
    pub const ALL: [PlanFormat; 4] = [
        PlanFormat::Json,
        PlanFormat::Markdown,
        PlanFormat::Mermaid,
        PlanFormat::Dot,
    ];

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            PlanFormat::Json => "json",
            PlanFormat::Markdown => "md",
            PlanFormat::Mermaid => "mmd",
            PlanFormat::Dot => "dot",
        }
    }

    /// The format a file name's extension asks for.
    pub fn from_extension(path: &std::path::Path) -> Option<PlanFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "json" => Some(PlanFormat::Json),
            "md" | "markdown" => Some(PlanFormat::Markdown),
            "mmd" | "mermaid" => Some(PlanFormat::Mermaid),
            "dot" | "gv" => Some(PlanFormat::Dot),
            _ => None,
        }
    }
}

impl fmt::Display for PlanFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PlanFormat::Json => "JSON",
            PlanFormat::Markdown => "Markdown",
            PlanFormat::Mermaid => "Mermaid",
            PlanFormat::Dot => "Graphviz DOT",
        })
    }
}

/// Writes a plan in a format.
pub fn write_plan(
    out: &mut dyn Write,
    format: PlanFormat,
    design: &Design,
    analysis: &Analysis,
) -> io::Result<()> {
    match format {
        PlanFormat::Json => write_json(out, design, analysis),
        PlanFormat::Markdown => write_markdown(out, design, analysis),
        PlanFormat::Mermaid => write_mermaid(out, design, analysis),
        PlanFormat::Dot => write_dot(out, design, analysis),
    }
}

/// The events each service consumes and publishes, deduplicated, in edge order.
///
/// Built in O(V + E) with flat arrays: each edge's event gets a dense number (looked up by the
/// shared name's address first, so the loader's interned names are never compared byte by
/// byte), edges are counting-sorted by service, and a per-event stamp drops repeats. A
/// `Vec<Vec<_>>` with `contains` costs an allocation per service and is quadratic in a service's
/// distinct events.
pub struct EventIndex<'a> {
    consumes: Lists<'a>,
    publishes: Lists<'a>,
}

/// Per service, a run of names: service `s` has `names[offsets[s]..offsets[s + 1]]`.
struct Lists<'a> {
    offsets: Vec<u32>,
    names: Vec<&'a str>,
}

impl<'a> Lists<'a> {
    /// Groups `(service, event number)` pairs by service, keeping edge order and dropping repeats.
    fn new(
        services: usize,
        pairs: impl Iterator<Item = (u32, u32)> + Clone,
        names: &[&'a str],
    ) -> Lists<'a> {
        let (mut offsets, mut grouped) =
            crate::analysis::Adjacency::new(services, pairs).into_parts();
        // Compact in place: keep an event the first time it shows up for a service.
        let mut seen = vec![u32::MAX; names.len()];
        let mut kept = 0usize;
        let mut start = 0usize;
        for service in 0..services {
            let end = offsets[service + 1] as usize;
            offsets[service] = kept as u32;
            for i in start..end {
                let event = grouped[i];
                if seen[event as usize] != service as u32 {
                    seen[event as usize] = service as u32;
                    grouped[kept] = event;
                    kept += 1;
                }
            }
            start = end;
        }
        offsets[services] = kept as u32;
        grouped.truncate(kept);
        let names = grouped.iter().map(|&event| names[event as usize]).collect();
        Lists { offsets, names }
    }

    fn get(&self, service: ServiceIndex) -> &[&'a str] {
        let i = service.index();
        &self.names[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

impl<'a> EventIndex<'a> {
    /// Indexes a design's edges. O(V + E).
    pub fn new(design: &'a Design) -> EventIndex<'a> {
        type Map<K> = HashMap<K, u32, foldhash::fast::RandomState>;
        let n = design.services.len();
        let mut by_address: Map<*const u8> = Map::default();
        let mut by_text: Map<&'a str> = Map::default();
        let mut names: Vec<&'a str> = Vec::new();
        let events: Vec<u32> = design
            .edges
            .iter()
            .map(|edge| {
                let address = edge.event.as_ptr();
                if let Some(&event) = by_address.get(&address) {
                    return event;
                }
                let text: &'a str = &edge.event;
                let event = *by_text.entry(text).or_insert_with(|| {
                    names.push(text);
                    names.len() as u32 - 1
                });
                by_address.insert(address, event);
                event
            })
            .collect();
        drop((by_address, by_text));
        let edges = || design.edges.iter().zip(&events);
        EventIndex {
            consumes: Lists::new(n, edges().map(|(e, &ev)| (e.to.0, ev)), &names),
            publishes: Lists::new(n, edges().map(|(e, &ev)| (e.from.0, ev)), &names),
        }
    }

    /// Events a service consumes.
    pub fn consumes(&self, service: ServiceIndex) -> &[&'a str] {
        self.consumes.get(service)
    }

    /// Events a service publishes.
    pub fn publishes(&self, service: ServiceIndex) -> &[&'a str] {
        self.publishes.get(service)
    }
}

/// A pretty JSON writer for the plan, byte for byte what `serde_json`'s pretty printer writes
/// (two-space indents, `"key": value`, `[]` and `{}` when empty), but streaming into one owned
/// buffer: through `serde_json` and a `dyn Write` every quote, comma and indent was its own call,
/// and every id was fetched from its `Service` in plan order (a cache miss each at 1M services).
struct Pretty<'w> {
    out: &'w mut dyn Write,
    buffer: Vec<u8>,
    depth: usize,
    /// No element written yet in the innermost open container.
    first: bool,
}

/// Flush the buffer once it holds this much.
const FLUSH_AT: usize = 1 << 16;

impl Pretty<'_> {
    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.buffer.len() >= FLUSH_AT {
            self.out.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    fn open(&mut self, bracket: u8) {
        self.buffer.push(bracket);
        self.depth += 1;
        self.first = true;
    }

    fn close(&mut self, bracket: u8) {
        self.depth -= 1;
        if !self.first {
            self.buffer.push(b'\n');
            self.indent();
        }
        self.buffer.push(bracket);
        self.first = false;
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.buffer.extend_from_slice(b"  ");
        }
    }

    /// Starts the next element of the innermost container.
    fn element(&mut self) {
        if self.first {
            self.buffer.push(b'\n');
        } else {
            self.buffer.extend_from_slice(b",\n");
        }
        self.indent();
        self.first = false;
    }

    /// Starts a map entry; `key` needs no escaping.
    fn key(&mut self, key: &str) {
        self.element();
        self.buffer.push(b'"');
        self.buffer.extend_from_slice(key.as_bytes());
        self.buffer.extend_from_slice(b"\": ");
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    fn string(&mut self, text: &str) {
        quote(&mut self.buffer, text);
    }

    fn number(&mut self, number: u32) {
        let mut digits = [0u8; 10];
        let mut at = digits.len();
        let mut rest = number;
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        self.buffer.extend_from_slice(&digits[at..]);
    }

    fn boolean(&mut self, value: bool) {
        self.raw(if value { b"true" } else { b"false" });
    }

    /// An array of strings.
    fn strings<'s>(&mut self, items: impl IntoIterator<Item = &'s str>) -> io::Result<()> {
        self.open(b'[');
        for item in items {
            self.element();
            self.string(item);
            self.flush_if_full()?;
        }
        self.close(b']');
        Ok(())
    }

    /// An array of ids from the table.
    fn ids(&mut self, table: &IdTable, services: &[ServiceIndex]) -> io::Result<()> {
        self.open(b'[');
        for &s in services {
            self.element();
            self.buffer.extend_from_slice(table.quoted(s));
            self.flush_if_full()?;
        }
        self.close(b']');
        Ok(())
    }
}

/// Writes `text` as a JSON string, escaped exactly as `serde_json` escapes it.
fn quote(buffer: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        buffer.push(b'"');
        buffer.extend_from_slice(text.as_bytes());
        buffer.push(b'"');
    } else {
        // Writing a string into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *buffer, text);
    }
}

/// Every service's id, quoted and escaped once, end to end in file order: the plan prints
/// each id several times in orders unrelated to the file, and this table is small enough to
/// stay in cache where the `Service` records are not.
struct IdTable {
    bytes: Vec<u8>,
    /// Where each service's quoted id ends; it starts where the previous one ends.
    ends: Vec<usize>,
}

impl IdTable {
    fn new(design: &Design) -> IdTable {
        let mut table = IdTable {
            bytes: Vec::new(),
            ends: Vec::with_capacity(design.services.len()),
        };
        for service in &design.services {
            quote(&mut table.bytes, &service.id);
            table.ends.push(table.bytes.len());
        }
        table
    }

    fn quoted(&self, service: ServiceIndex) -> &[u8] {
        let i = service.index();
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }
}

/// Writes the JSON plan: the contract fields `design`, `acyclic`, `order`, `stages`, `cycles`,
/// plus `cycle_paths`, `steps` (each service with its stage and events, in condensed order),
/// `condensed_order`, `condensed_stages` and `critical_path`.
pub fn write_json(out: &mut dyn Write, design: &Design, analysis: &Analysis) -> io::Result<()> {
    let ids = IdTable::new(design);
    std::thread::scope(|scope| {
        // The last sections (about a third of the text) are rendered on a second thread while
        // this one indexes the events and writes the rest.
        let tail = scope.spawn(|| -> io::Result<Vec<u8>> {
            let mut bytes = Vec::new();
            let mut json = Pretty {
                out: &mut bytes,
                buffer: Vec::with_capacity(FLUSH_AT + 4096),
                depth: 1,
                first: false,
            };
            write_tail(&mut json, analysis, &ids)?;
            json.out.write_all(&json.buffer)?;
            drop(json);
            Ok(bytes)
        });
        let events = EventIndex::new(design);
        let mut json = Pretty {
            out,
            buffer: Vec::with_capacity(FLUSH_AT + 4096),
            depth: 0,
            first: true,
        };
        json.open(b'{');
        json.key("design");
        json.string(&design.name);
        json.key("acyclic");
        json.boolean(analysis.is_acyclic());
        json.key("order");
        json.ids(&ids, &analysis.order)?;
        json.key("stages");
        json.open(b'[');
        for stage in &analysis.stages {
            json.element();
            json.ids(&ids, stage)?;
        }
        json.close(b']');
        for (key, path) in [("cycles", false), ("cycle_paths", true)] {
            json.key(key);
            json.open(b'[');
            for cycle in &analysis.cycles {
                json.element();
                json.ids(&ids, if path { &cycle.path } else { &cycle.members })?;
            }
            json.close(b']');
        }
        json.key("steps");
        json.open(b'[');
        // Kinds in a compact array: the steps go in plan order, and the `Service` records are far
        // apart in memory.
        let kinds: Vec<ServiceKind> = design.services.iter().map(|s| s.kind).collect();
        for chunk in analysis.condensed_order.chunks(256) {
            // Independent reads of the chunk's event names first, so their cache misses overlap
            // instead of stalling the writer one at a time.
            let mut touched = 0u8;
            for &step in chunk {
                for &s in analysis.members(step) {
                    for name in events.consumes(s).iter().chain(events.publishes(s)) {
                        touched ^= name.as_bytes().first().copied().unwrap_or(0);
                    }
                }
            }
            std::hint::black_box(touched);
            for &s in chunk.iter().flat_map(|&step| analysis.members(step)) {
                json.element();
                json.open(b'{');
                json.key("id");
                json.raw(ids.quoted(s));
                json.key("kind");
                json.string(kinds[s.index()].as_str());
                json.key("stage");
                json.number(analysis.stage_of[s.index()]);
                if let Some(cycle) = analysis.cycle_of[s.index()] {
                    json.key("cycle");
                    json.number(cycle);
                }
                json.key("consumes");
                json.strings(events.consumes(s).iter().copied())?;
                json.key("publishes");
                json.strings(events.publishes(s).iter().copied())?;
                json.close(b'}');
                json.flush_if_full()?;
            }
        }
        json.close(b']');
        let tail = tail
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        json.out.write_all(&json.buffer)?;
        json.buffer.clear();
        json.out.write_all(&tail)?;
        json.close(b'}');
        json.raw(b"\n");
        json.out.write_all(&json.buffer)?;
        json.out.flush()
    })
}

/// The sections after `steps`: `condensed_order`, `condensed_stages` and `critical_path`.
fn write_tail(json: &mut Pretty, analysis: &Analysis, ids: &IdTable) -> io::Result<()> {
    let groups = |json: &mut Pretty, steps: &[Step]| -> io::Result<()> {
        json.open(b'[');
        for &step in steps {
            json.element();
            json.open(b'{');
            json.key("services");
            json.ids(ids, analysis.members(step))?;
            json.key("cycle");
            json.boolean(analysis.step_cycle(step).is_some());
            json.close(b'}');
        }
        json.close(b']');
        Ok(())
    };
    json.key("condensed_order");
    groups(json, &analysis.condensed_order)?;
    json.key("condensed_stages");
    json.open(b'[');
    for stage in &analysis.condensed_stages {
        json.element();
        groups(json, stage)?;
    }
    json.close(b']');
    json.key("critical_path");
    json.open(b'[');
    for &step in &analysis.critical_path {
        for &s in analysis.members(step) {
            json.element();
            json.raw(ids.quoted(s));
        }
        json.flush_if_full()?;
    }
    json.close(b']');
    Ok(())
}

/// A cycle path as users read it: `a -> b -> a`.
pub fn path_text(design: &Design, path: &[ServiceIndex]) -> String {
    path.iter()
        .map(|&s| design.id(s))
        .collect::<Vec<_>>()
        .join(" -> ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::model::{EventEdge, Service, ServiceKind};

    fn design(ids: &[&str], edges: &[(usize, usize, &str)]) -> Design {
        let mut design = Design::new("Plan \"test\" \\ \u{1}é");
        for id in ids {
            design
                .services
                .push(Service::new(*id, ServiceKind::Function));
        }
        for &(from, to, event) in edges {
            design.edges.push(EventEdge {
                from: ServiceIndex(from as u32),
                to: ServiceIndex(to as u32),
                event: event.into(),
            });
        }
        design
    }

    fn json(design: &Design) -> String {
        let mut out = Vec::new();
        write_json(&mut out, design, &analyze(design)).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The hand-written writer must print exactly what serde_json's pretty printer prints.
    fn assert_serde_pretty(text: &str) {
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(serde_json::to_string_pretty(&value).unwrap() + "\n", text);
    }

    #[test]
    fn the_json_plan_is_serde_json_pretty_output_with_escapes() {
        let d = design(
            &["a\"q", "b\\s", "c\n\u{7}", "ü", "e"],
            &[(0, 1, "E\"1"), (0, 1, "E\"1"), (1, 2, "x"), (3, 2, "x")],
        );
        let text = json(&d);
        assert_serde_pretty(&text);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["order"][0], "a\"q");
        assert_eq!(value["steps"][0]["publishes"], serde_json::json!(["E\"1"]));
        assert_eq!(value["design"], "Plan \"test\" \\ \u{1}é");
    }

    #[test]
    fn the_json_plan_of_a_cyclic_design_is_serde_json_pretty_output() {
        let d = design(
            &["a", "b", "c", "d"],
            &[(0, 1, "E"), (1, 0, "F"), (2, 2, "G"), (1, 3, "H")],
        );
        let text = json(&d);
        assert_serde_pretty(&text);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["order"], serde_json::json!([]));
        assert_eq!(value["cycles"], serde_json::json!([["a", "b"], ["c"]]));
        assert_eq!(value["steps"][0]["cycle"], 0);
        assert_serde_pretty(&json(&Design::new("")));
    }

    #[test]
    fn event_index_keeps_edge_order_and_drops_repeats_by_content() {
        // Equal names in distinct allocations count as one event.
        let d = design(
            &["a", "b", "c"],
            &[
                (0, 2, "X"),
                (1, 2, "Y"),
                (0, 2, "X"),
                (1, 2, &String::from("X")),
                (0, 1, "Z"),
            ],
        );
        let index = EventIndex::new(&d);
        assert_eq!(index.consumes(ServiceIndex(2)), ["X", "Y"]);
        assert_eq!(index.publishes(ServiceIndex(0)), ["X", "Z"]);
        assert_eq!(index.publishes(ServiceIndex(1)), ["Y", "X"]);
        assert!(index.consumes(ServiceIndex(0)).is_empty());
    }
}
