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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

    /// The name a command line or a file uses for it: `json`, `markdown`, `mermaid`, `dot`.
    pub fn name(self) -> &'static str {
        match self {
            PlanFormat::Json => "json",
            PlanFormat::Markdown => "markdown",
            PlanFormat::Mermaid => "mermaid",
            PlanFormat::Dot => "dot",
        }
    }

    /// What it is, in a few words (the command line's help).
    pub fn description(self) -> &'static str {
        match self {
            PlanFormat::Json => "The plan as JSON (the documented contract)",
            PlanFormat::Markdown => "A Markdown page for a wiki or pull request",
            PlanFormat::Mermaid => "A Mermaid flowchart",
            PlanFormat::Dot => "A Graphviz DOT graph",
        }
    }

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

/// [`write_plan`] with the design's events already indexed (see [`analyze_with_events`]).
pub fn write_plan_with(
    out: &mut dyn Write,
    format: PlanFormat,
    design: &Design,
    analysis: &Analysis,
    events: &EventIndex,
) -> io::Result<()> {
    match format {
        PlanFormat::Json => write_json_with(out, design, analysis, events),
        PlanFormat::Markdown => markdown::write_markdown_with(out, design, analysis, events),
        PlanFormat::Mermaid => write_mermaid(out, design, analysis),
        PlanFormat::Dot => write_dot(out, design, analysis),
    }
}

/// Analyses a design and indexes its events at the same time, on two threads: at a million
/// edges each takes tens of milliseconds, and a plan needs both.
pub fn analyze_with_events(design: &Design) -> (Analysis, EventIndex<'_>) {
    std::thread::scope(|scope| {
        let events = scope.spawn(|| EventIndex::new(design));
        let analysis = crate::analysis::analyze(design);
        let events = events
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (analysis, events)
    })
}

/// The events each service consumes and publishes, deduplicated, in edge order.
///
/// Built in O(V + E) with flat arrays: each edge's event gets a dense number (looked up by the
/// shared name's address first, so the loader's interned names are never compared byte by
/// byte), edges are counting-sorted by service, and a per-event stamp drops repeats. A
/// `Vec<Vec<_>>` with `contains` costs an allocation per service and is quadratic in a service's
/// distinct events.
pub struct EventIndex<'a> {
    /// Each distinct event name once, numbered in order of first use.
    names: Vec<&'a str>,
    consumes: Lists,
    publishes: Lists,
}

/// Per service, a run of event numbers: service `s` has `events[offsets[s]..offsets[s + 1]]`.
struct Lists {
    offsets: Vec<u32>,
    events: Vec<u32>,
}

impl Lists {
    /// Groups `(service, event number)` pairs by service, keeping edge order and dropping repeats.
    fn new(
        services: usize,
        event_count: usize,
        pairs: impl Iterator<Item = (u32, u32)> + Clone,
    ) -> Lists {
        let (mut offsets, mut grouped) =
            crate::analysis::Adjacency::new(services, pairs).into_parts();
        // Compact in place: keep an event the first time it shows up for a service.
        let mut seen = vec![u32::MAX; event_count];
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
        Lists {
            offsets,
            events: grouped,
        }
    }

    fn get(&self, service: ServiceIndex) -> &[u32] {
        let i = service.index();
        &self.events[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

impl<'a> EventIndex<'a> {
    /// Indexes a design's edges. O(V + E).
    pub fn new(design: &'a Design) -> EventIndex<'a> {
        let n = design.services.len();
        type Map<K> = HashMap<K, u32, foldhash::fast::RandomState>;
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
        let count = names.len();
        EventIndex {
            consumes: Lists::new(n, count, edges().map(|(e, &ev)| (e.to.0, ev))),
            publishes: Lists::new(n, count, edges().map(|(e, &ev)| (e.from.0, ev))),
            names,
        }
    }

    /// Events a service consumes.
    pub fn consumes(&self, service: ServiceIndex) -> impl ExactSizeIterator<Item = &'a str> + '_ {
        self.consumes
            .get(service)
            .iter()
            .map(|&e| self.names[e as usize])
    }

    /// Events a service publishes.
    pub fn publishes(&self, service: ServiceIndex) -> impl ExactSizeIterator<Item = &'a str> + '_ {
        self.publishes
            .get(service)
            .iter()
            .map(|&e| self.names[e as usize])
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

/// A comma, a newline and indents: the separator before an element is one slice of it.
const BREAK: &[u8] = b",\n                                                                  ";
/// The deepest indent written with one copy of [`COPY`] bytes.
const BREAK_DEPTH: usize = (COPY - 2) / 2;
const _: () = assert!(BREAK.len() > COPY);

/// Bytes moved by one fixed-size copy. Appending a short slice of variable length is a call to
/// `memcpy` per id, comma and indent, which was most of the writer's time; copying a fixed 32
/// bytes compiles to two vector moves, and the excess is cut off again.
const COPY: usize = 32;

/// Appends `source[start..end]`; `source` must continue at least [`COPY`] bytes past `start`
/// for the fast path (anything readable: the excess is dropped).
fn append(buffer: &mut Vec<u8>, source: &[u8], start: usize, end: usize) {
    match source.get(start..start + COPY) {
        Some(chunk) if end - start <= COPY => {
            let length = buffer.len() + (end - start);
            let chunk: &[u8; COPY] = chunk.try_into().unwrap_or(&[0; COPY]);
            buffer.extend_from_slice(chunk);
            buffer.truncate(length);
        }
        _ => buffer.extend_from_slice(&source[start..end]),
    }
}

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
            self.line_break(false);
        }
        self.buffer.push(bracket);
        self.first = false;
    }

    /// A newline (after a comma or not) and the indent of the current depth.
    fn line_break(&mut self, comma: bool) {
        let from = usize::from(!comma);
        match BREAK.get(from..2 + 2 * self.depth) {
            Some(separator) => self.buffer.extend_from_slice(separator),
            None => {
                self.buffer.extend_from_slice(&BREAK[from..2]);
                for _ in 0..self.depth {
                    self.buffer.extend_from_slice(b"  ");
                }
            }
        }
        debug_assert!(
            self.depth <= BREAK_DEPTH,
            "plans nest at most {BREAK_DEPTH} deep"
        );
    }

    /// Starts the next element of the innermost container.
    fn element(&mut self) {
        self.line_break(!self.first);
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

    /// An array of strings from a table of quoted strings.
    fn quoted(
        &mut self,
        table: &Quoted,
        items: impl Iterator<Item = u32> + Clone,
    ) -> io::Result<()> {
        self.open(b'[');
        let mut ahead = items.clone();
        for (n, item) in items.enumerate() {
            if n % PREFETCH == 0 {
                let touched = ahead
                    .by_ref()
                    .take(PREFETCH)
                    .fold(0, |t, i| t ^ table.touch(i));
                std::hint::black_box(touched);
            }
            self.element();
            table.append_to(&mut self.buffer, item);
            self.flush_if_full()?;
        }
        self.close(b']');
        Ok(())
    }

    /// An array of ids.
    fn ids(&mut self, ids: &Quoted, services: &[ServiceIndex]) -> io::Result<()> {
        self.quoted(ids, services.iter().map(|s| s.0))
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

/// Strings quoted and escaped once: the plan prints each id and event name several times in
/// orders unrelated to the file, so every print is a random read. Here a string of up to 15
/// quoted bytes (most ids and event names) sits in one 16-byte slot, one cache line: a print is
/// one memory access (two when the string is long), and [`Quoted::touch`] can fetch it ahead.
struct Quoted {
    /// Per string: its length then its bytes, or [`LONG`] then its number in `long_spans` (a
    /// little-endian `u32`).
    slots: Vec<[u8; SLOT]>,
    /// Strings too long for a slot, end to end, then [`COPY`] bytes of padding for [`append`].
    long: Vec<u8>,
    /// Where each long string is in `long`.
    long_spans: Vec<(usize, usize)>,
}

const SLOT: usize = 16;
/// The first byte of a slot whose string is in [`Quoted::long`].
const LONG: u8 = u8::MAX;

impl Quoted {
    fn new<'s>(strings: impl ExactSizeIterator<Item = &'s str>) -> Quoted {
        let mut table = Quoted {
            slots: Vec::with_capacity(strings.len()),
            long: Vec::new(),
            long_spans: Vec::new(),
        };
        let mut quoted = Vec::new();
        for text in strings {
            quoted.clear();
            quote(&mut quoted, text);
            let mut slot = [0u8; SLOT];
            if quoted.len() < SLOT {
                slot[0] = quoted.len() as u8;
                slot[1..=quoted.len()].copy_from_slice(&quoted);
            } else {
                // There are fewer strings than `u32::MAX` (they are services and events).
                let number = table.long_spans.len() as u32;
                let start = table.long.len();
                table.long.extend_from_slice(&quoted);
                table.long_spans.push((start, table.long.len()));
                slot[0] = LONG;
                slot[1..5].copy_from_slice(&number.to_le_bytes());
            }
            table.slots.push(slot);
        }
        table.long.extend_from_slice(&[0; COPY]);
        table
    }

    /// Reads string `i`'s slot, to bring it into cache ahead of [`Quoted::append_to`].
    fn touch(&self, i: u32) -> u8 {
        self.slots[i as usize][0]
    }

    /// Appends string `i`, quoted.
    fn append_to(&self, buffer: &mut Vec<u8>, i: u32) {
        let slot = &self.slots[i as usize];
        if slot[0] != LONG {
            // A fixed 15-byte copy, then the excess cut off (see `COPY`).
            let length = buffer.len() + slot[0] as usize;
            let bytes: &[u8; SLOT - 1] = slot[1..].try_into().unwrap_or(&[0; SLOT - 1]);
            buffer.extend_from_slice(bytes);
            buffer.truncate(length);
        } else {
            let number = u32::from_le_bytes([slot[1], slot[2], slot[3], slot[4]]);
            let (start, end) = self.long_spans[number as usize];
            append(buffer, &self.long, start, end);
        }
    }
}

/// Items whose table slots are fetched together before they are printed: independent reads
/// overlap their cache misses, where printing one at a time waits for each miss in turn.
const PREFETCH: usize = 256;

/// Writes the JSON plan: the contract fields `design`, `acyclic`, `order`, `stages`, `cycles`,
/// plus `cycle_paths`, `steps` (each service with its stage and events, in condensed order),
/// `condensed_order`, `condensed_stages` and `critical_path`.
pub fn write_json(out: &mut dyn Write, design: &Design, analysis: &Analysis) -> io::Result<()> {
    write_json_with(out, design, analysis, &EventIndex::new(design))
}

/// [`write_json`] with the design's events already indexed.
pub fn write_json_with(
    out: &mut dyn Write,
    design: &Design,
    analysis: &Analysis,
    events: &EventIndex,
) -> io::Result<()> {
    let ids = Quoted::new(design.services.iter().map(|s| s.id.as_str()));
    std::thread::scope(|scope| {
        // The last sections (about a third of the text) are rendered on a second thread while
        // this one writes the rest.
        // The tail prints every id up to three times, one a line: room for that up front, so
        // the buffer is not grown (and copied, and its old pages kept) by doubling.
        let id_bytes: usize = design.services.iter().map(|s| s.id.len() + 16).sum();
        let tail_ids = &ids;
        let tail = scope.spawn(move || -> io::Result<Vec<u8>> {
            let mut bytes = Vec::with_capacity(3 * id_bytes);
            let mut json = Pretty {
                out: &mut bytes,
                buffer: Vec::with_capacity(FLUSH_AT + 4096),
                depth: 1,
                first: false,
            };
            write_tail(&mut json, analysis, tail_ids)?;
            json.out.write_all(&json.buffer)?;
            drop(json);
            Ok(bytes)
        });
        let names = Quoted::new(events.names.iter().copied());
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
        let (consumes, publishes) = (&events.consumes, &events.publishes);
        for chunk in analysis.condensed_order.chunks(PREFETCH) {
            let services = || chunk.iter().flat_map(|&step| analysis.members(step));
            // Fetch what the chunk prints before printing it (see `PREFETCH`): first the
            // per-service records, then the event names their lists point at.
            let mut touched = 0u32;
            for &s in services() {
                let i = s.index();
                touched ^= u32::from(ids.touch(s.0)) ^ analysis.stage_of[i] ^ kinds[i] as u32;
                touched ^= consumes.offsets[i] ^ publishes.offsets[i];
            }
            for &s in services() {
                for &event in consumes.get(s).iter().chain(publishes.get(s)) {
                    touched ^= u32::from(names.touch(event));
                }
            }
            std::hint::black_box(touched);
            for &s in services() {
                json.element();
                json.open(b'{');
                json.key("id");
                ids.append_to(&mut json.buffer, s.0);
                json.key("kind");
                json.string(kinds[s.index()].as_str());
                json.key("stage");
                json.number(analysis.stage_of[s.index()]);
                if let Some(cycle) = analysis.cycle_of[s.index()] {
                    json.key("cycle");
                    json.number(cycle);
                }
                json.key("consumes");
                json.quoted(&names, consumes.get(s).iter().copied())?;
                json.key("publishes");
                json.quoted(&names, publishes.get(s).iter().copied())?;
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
fn write_tail(json: &mut Pretty, analysis: &Analysis, ids: &Quoted) -> io::Result<()> {
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
    json.quoted(
        ids,
        analysis
            .critical_path
            .iter()
            .flat_map(|&step| analysis.members(step))
            .map(|s| s.0),
    )
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
            design.edges.push(EventEdge::new(
                ServiceIndex(from as u32),
                ServiceIndex(to as u32),
                event,
            ));
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
        // Short and long strings (the table keeps up to 15 quoted bytes inline).
        let d = design(
            &[
                "a\"q",
                "b\\s",
                "c\n\u{7}",
                "ü",
                "e",
                "fourteen-bytes",
                "a-service-id-well-over-fifteen-bytes-ü",
            ],
            &[
                (0, 1, "E\"1"),
                (0, 1, "E\"1"),
                (1, 2, "x"),
                (3, 2, "x"),
                (5, 6, "AnEventNameLongerThanFifteenBytes"),
                (6, 4, "x"),
            ],
        );
        let text = json(&d);
        assert_serde_pretty(&text);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["order"][0], "a\"q");
        assert_eq!(value["order"][4], "fourteen-bytes");
        assert_eq!(value["order"][5], "a-service-id-well-over-fifteen-bytes-ü");
        assert_eq!(value["order"][6], "e");
        let step = &value["steps"][4];
        assert_eq!(step["publishes"][0], "AnEventNameLongerThanFifteenBytes");
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
        let list = |s: u32| index.consumes(ServiceIndex(s)).collect::<Vec<_>>();
        assert_eq!(list(2), ["X", "Y"]);
        let list = |s: u32| index.publishes(ServiceIndex(s)).collect::<Vec<_>>();
        assert_eq!(list(0), ["X", "Z"]);
        assert_eq!(list(1), ["Y", "X"]);
        assert_eq!(index.consumes(ServiceIndex(0)).len(), 0);
    }
}
