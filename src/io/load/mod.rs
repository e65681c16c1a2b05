//! Reading a design file: one streaming pass that validates as it goes and reports every
//! problem at once, each with its JSON path and a hint.
//!
//! This file holds the entry points, the thread plumbing and the assembly of the design
//! ([`Loader::finish`]: duplicate ids, edge ends, uids, migration); `intern` the string tables;
//! `visit` the general (serde) reader; `super::fast` the fast reader for the common shape.
//!
//! Why not `#[derive(Deserialize)]` into records and validate afterwards: derive stops at the first
//! wrong type, and holding every edge's three strings costs ~72 bytes an edge before interning
//! (360 MB at 5M edges). Here ids and event names are interned while parsing, so an edge costs
//! 12 bytes during the load and the whole design is never held twice.

use std::hash::BuildHasher;
use std::sync::Arc;

use serde::de::Deserializer;

mod intern;
mod visit;
pub(crate) mod whole;

use intern::{BATCH, Batch, Interner, Item, Span, Tables};
use visit::TopVisitor;
pub(super) use visit::{parse_evidence, parse_filter, parse_intentional_loops, property_problems};

use super::fast::{Stop, Window};
pub(super) use crate::diagnostics::cut;
use crate::diagnostics::{closest, strip_position};
use crate::io::{LoadError, Problem};
use crate::model::{
    CURRENT_VERSION, Design, EdgeFilter, EdgeMode, EdgeUid, EventEdge, Evidence, IntentionalLoop,
    Position, SUPPORTED_VERSIONS, Service, ServiceIndex, ServiceKind, ServiceUid, TemplateSource,
};

/// At most this many problems are listed; the rest are counted.
const MAX_PROBLEMS: usize = 100;

/// Parses and validates a design from JSON text. `origin` names the file in messages.
pub fn parse_design(text: &[u8], origin: &str) -> Result<Design, LoadError> {
    parse_design_versioned(text, origin).map(|(design, _)| design)
}

/// [`parse_design`], also giving the file-format version the text was in (an older version is
/// migrated in memory).
pub fn parse_design_versioned(text: &[u8], origin: &str) -> Result<(Design, u32), LoadError> {
    read(text, origin, text.len() >= THREADED_FROM)?.finish(origin)
}

/// [`parse_design`] taking the text by value: it is freed as soon as it is parsed, before the
/// design is assembled, which lowers the peak memory of a big load by the size of the edges
/// (about 120 MB at 5M edges).
pub fn parse_design_owned(text: Vec<u8>, origin: &str) -> Result<Design, LoadError> {
    parse_versioned(text, origin).map(|(design, _)| design)
}

/// [`parse_design_owned`] with the file-format version.
pub(crate) fn parse_versioned(text: Vec<u8>, origin: &str) -> Result<(Design, u32), LoadError> {
    let loader = read(&text, origin, text.len() >= THREADED_FROM)?;
    drop(text);
    loader.finish(origin)
}

/// Reads and validates the design file at `path`, streaming: a file of the common shape (see
/// [`super::fast`]) is never held whole. Anything else is read whole and parsed by serde.
pub(super) fn read_file(path: &std::path::Path, origin: &str) -> Result<(Design, u32), LoadError> {
    let io = |source| LoadError::Io {
        origin: origin.to_owned(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    let limit = crate::limits::Budget::current().whole_read_bytes();
    if !metadata.is_file() {
        // A pipe or device (`<(cat design.json)`, `/dev/stdin`, `/dev/zero`) cannot be read
        // twice, and the fallback below reads again: take it whole, as standard input is,
        // within the budget and stopping at the first byte that is not JSON.
        let text = whole::read_checked(file, origin, limit, "a design")?;
        return parse_versioned(text, origin);
    }
    let size = metadata.len();
    let threaded = size >= THREADED_FROM as u64;
    let fast = |loader: &mut Loader| -> Result<(), Stop> {
        super::fast::read(&mut file, loader, Window::STREAM)?;
        loader.flush();
        Ok(())
    };
    match run(threaded, size as usize, fast) {
        Ok(loader) => return loader.finish(origin),
        Err(Stop::Io(error)) => return Err(io(error)),
        Err(Stop::Unusual) => {}
    }
    // The general reader needs the whole text. A file that is not JSON (a gigabyte of zeros,
    // a sparse terabyte, JSON followed by garbage) is refused at its first bad byte by a pass
    // that holds nothing; only well-formed JSON within the budget is read whole.
    if let Err(error) = whole::check_syntax(std::fs::File::open(path).map_err(io)?, origin) {
        // The general reader's words for it, from the text up to the bad byte.
        let file = std::fs::File::open(path).map_err(io)?;
        let Ok(prefix) = whole::read_checked(file, origin, limit, "a design") else {
            return Err(error);
        };
        return match read_with(&prefix, origin, false, false, Window::STREAM) {
            Err(general) => Err(general),
            Ok(_) => Err(error),
        };
    }
    if size > limit {
        return Err(whole::too_large(
            origin,
            whole::Source::File(size),
            limit,
            "a design",
        ));
    }
    let text = std::fs::read(path).map_err(io)?;
    let loader = read_with(&text, origin, threaded, false, Window::STREAM)?;
    drop(text);
    loader.finish(origin)
}

/// Files at least this big intern their strings on a second thread.
const THREADED_FROM: usize = 1 << 20;

/// Reads the text, with the strings interned on a second thread or not.
///
/// On a big file the parser and the interner each take a good part of the time, and they only
/// meet at a queue of batches, so on two cores they overlap. The result is the same either way:
/// one worker interns the batches in file order, exactly as the inline path does.
#[cfg(test)]
fn parse_with(text: &[u8], origin: &str, threaded: bool) -> Result<Design, LoadError> {
    read(text, origin, threaded)?.finish(origin).map(|(d, _)| d)
}

/// Parses and interns everything; [`Loader::finish`] then validates and assembles the design.
fn read(text: &[u8], origin: &str, threaded: bool) -> Result<Loader, LoadError> {
    read_with(text, origin, threaded, true, Window::STREAM)
}

/// [`read`], trying the fast reader for the common shape first (through `window`) or not.
fn read_with(
    text: &[u8],
    origin: &str,
    threaded: bool,
    try_fast: bool,
    window: Window,
) -> Result<Loader, LoadError> {
    // Editors on Windows like to start UTF-8 files with a byte-order mark; JSON forbids it.
    // One is skipped, by each reader on its own (the fast reader skips it itself), so a second
    // one is an error whether the text comes from memory or from a file.
    let whole = text;
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let syntax = |error: serde_json::Error| LoadError::Syntax {
        origin: origin.to_owned(),
        line: error.line(),
        column: error.column(),
        message: strip_position(&error.to_string()),
    };
    let parse = |loader: &mut Loader| -> Result<(), LoadError> {
        let mut deserializer = serde_json::Deserializer::from_slice(text);
        (&mut deserializer)
            .deserialize_any(TopVisitor { loader })
            .map_err(syntax)?;
        deserializer.end().map_err(syntax)?;
        loader.flush();
        Ok(())
    };
    // The common shape first; anything unusual is read again, from the start, by serde.
    let fast = |loader: &mut Loader| -> Result<(), Stop> {
        super::fast::read(&mut &whole[..], loader, window)?;
        loader.flush();
        Ok(())
    };
    if try_fast && let Ok(loader) = run(threaded, text.len(), fast) {
        return Ok(loader);
    }
    run(threaded, text.len(), parse)
}

/// Runs `parse` on a new loader, with the strings interned on a second thread or not. `size` is
/// the length of the text, to size the string tables for it up front.
fn run<E>(
    threaded: bool,
    size: usize,
    parse: impl FnOnce(&mut Loader) -> Result<(), E>,
) -> Result<Loader, E> {
    // The size is what the file claims (a sparse file claims a terabyte): reserve for at most
    // a gigabyte of text, which real designs do not reach.
    let size = size.min(1 << 30);
    let mut loader = Loader::default();
    // The loader hashes the strings it stages with the tables' own hasher.
    let mut tables = Tables::new(loader.hasher.clone());
    // Generated and real designs alike have well under one distinct id or event name per KiB of
    // text; growing a table to its size on the way costs as much again in page faults.
    // (Capped: a huge file of long strings needs no huge table.)
    let expected = (size / 1024).min(1 << 20);
    tables.symbols.reserve(expected);
    tables.events.reserve(expected);
    // A saved edge takes about 100 bytes of pretty JSON and a service about 300: reserving for
    // that up front spares the copies (and the fresh pages) of growing by doubling. Untouched
    // capacity costs no memory.
    tables.edges.reserve(size / 96);
    loader.services.reserve(size / 512);
    if !threaded {
        loader.tables = tables;
        parse(&mut loader)?;
        return Ok(loader);
    }
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Batch>(16);
        // Interned batches go back to the parser to be filled again: a fresh batch grows its
        // lists by doubling, copying each one several times.
        let (give_back, returned) = std::sync::mpsc::channel::<Batch>();
        let worker = scope.spawn(move || {
            let mut tables = tables;
            for mut batch in receiver {
                tables.apply(&batch);
                batch.items.clear();
                batch.text.clear();
                // The parser may be gone already (after a syntax error); then it is dropped.
                let _ = give_back.send(batch);
            }
            tables
        });
        loader.sender = Some(sender);
        loader.returned = Some(returned);
        loader.batch = Batch::with_room();
        let parsed = parse(&mut loader);
        // Closing the queue lets the worker finish (also after a syntax error).
        loader.sender = None;
        loader.returned = None;
        let tables = worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        parsed?;
        loader.tables = tables;
        Ok(loader)
    })
}

impl super::fast::Sink for Loader {
    fn version(&mut self, version: u64) {
        self.version = Some(version);
    }
    fn name(&mut self, name: &str) {
        self.name = name.to_owned();
    }
    fn services_start(&mut self) {
        self.saw_services = true;
    }
    fn service(&mut self, id: &str, service: Service) {
        if !service.properties.is_empty() {
            let at = self.services.len();
            self.newer(|| format!("services[{at}].properties"));
        }
        let span = self.stage(id);
        self.services.push(Service {
            id: id.to_owned(),
            ..service
        });
        self.push(Item::Service(span));
    }
    fn edge(&mut self, fields: [(usize, &str); 3], extra: super::fast::EdgeExtra) {
        let mut spans = [Span::NONE; 3];
        for (field, text) in fields {
            spans[field] = self.stage(text);
        }
        let (mode, filter, evidence, via) = extra;
        if mode != EdgeMode::Async || filter.is_some() || evidence.is_some() || !via.is_empty() {
            let at = self.edge_count;
            self.newer(|| format!("edges[{at}]"));
        }
        self.edge_extra(mode, filter, evidence, via);
        self.push(Item::Edge(spans));
    }
    fn intentional_loops(&mut self, loops: Vec<IntentionalLoop>) {
        self.newer(|| "intentional_loops".to_owned());
        self.intentional_loops = loops;
    }
}

/// An edge's place in the edge list with its mode, filter, evidence and lane (kept only for an
/// edge that has one of them).
type EdgeExtra = (
    usize,
    EdgeMode,
    Option<Box<EdgeFilter>>,
    Option<Box<Evidence>>,
    Box<[Position]>,
);

/// Most points in an edge's lane (two a column: an edge across 2,048 columns).
pub(in crate::io) const MAX_VIA: usize = 4096;

#[derive(Default)]
struct Loader {
    version: Option<u64>,
    name: String,
    services: Vec<Service>,
    /// Interned ids and events (on the worker thread until the end when parsing threaded).
    tables: Tables,
    /// Services' ids and edges read but not interned yet.
    batch: Batch,
    /// Where full batches go when a worker thread interns them.
    sender: Option<std::sync::mpsc::SyncSender<Batch>>,
    /// Where the worker gives interned batches back, empty.
    returned: Option<std::sync::mpsc::Receiver<Batch>>,
    problems: Vec<Problem>,
    problem_count: usize,
    saw_services: bool,
    /// Edges read so far (each one queued, broken or not).
    edge_count: usize,
    /// The path of the first field that version 1 did not have (an error in a version 1 file).
    newer_field: Option<String>,
    /// The mode, filter and evidence of each edge that has one, by place in the edge list.
    edge_extras: Vec<EdgeExtra>,
    /// The loops marked intentional (their ids checked in `finish`).
    intentional_loops: Vec<IntentionalLoop>,
    /// Hashes staged strings (the same hasher as the tables').
    hasher: foldhash::fast::RandomState,
    /// The template the design was imported from (only the general reader reads it).
    template: Option<TemplateSource>,
}

impl Loader {
    fn problem(&mut self, path: impl Into<String>, message: String, hint: impl Into<String>) {
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem {
                path: path.into(),
                message,
                hint: hint.into(),
            });
        }
    }

    /// Notes a field that version 1 did not have (only the first is reported).
    fn newer(&mut self, path: impl FnOnce() -> String) {
        if self.newer_field.is_none() {
            self.newer_field = Some(path());
        }
    }

    /// Notes the mode, filter and evidence of the edge about to be queued (kept only when not
    /// the default).
    fn edge_extra(
        &mut self,
        mode: EdgeMode,
        filter: Option<EdgeFilter>,
        evidence: Option<Evidence>,
        via: Vec<Position>,
    ) {
        if mode != EdgeMode::Async || filter.is_some() || evidence.is_some() || !via.is_empty() {
            self.edge_extras.push((
                self.edge_count,
                mode,
                filter.map(Box::new),
                evidence.map(Box::new),
                via.into_boxed_slice(),
            ));
        }
        self.edge_count += 1;
    }

    /// Copies a string into the batch, with its hash (computed here, so that a worker thread
    /// interning the batch does not have to).
    fn stage(&mut self, text: &str) -> Span {
        let start = self.batch.text.len();
        self.batch.text.push_str(text);
        Span(
            start,
            self.batch.text.len(),
            self.hasher.hash_one(text.as_bytes()),
        )
    }

    /// Queues an item; hands the batch over once it is full.
    fn push(&mut self, item: Item) {
        self.batch.items.push(item);
        if self.batch.items.len() >= BATCH {
            self.flush();
        }
    }

    /// Interns the queued items, here or on the worker thread.
    fn flush(&mut self) {
        if self.batch.items.is_empty() {
            return;
        }
        match &self.sender {
            Some(sender) => {
                let next = self.returned.as_ref().and_then(|r| r.try_recv().ok());
                let batch =
                    std::mem::replace(&mut self.batch, next.unwrap_or_else(Batch::with_room));
                // The worker only stops when the queue closes, so sending cannot fail.
                let _ = sender.send(batch);
            }
            None => {
                self.tables.apply(&self.batch);
                self.batch.items.clear();
                self.batch.text.clear();
            }
        }
    }

    fn finish(mut self, origin: &str) -> Result<(Design, u32), LoadError> {
        self.batch = Batch::default();
        self.tables.symbols.freeze();
        self.tables.events.freeze();
        match self.version {
            None => self.problem(
                "version",
                "the file has no \"version\"".to_owned(),
                format!("add \"version\": {CURRENT_VERSION} at the top level"),
            ),
            Some(v) if !SUPPORTED_VERSIONS.contains(&(v as u32)) || v > u32::MAX as u64 => {
                // A version this build cannot read makes every other message unreliable.
                return Err(LoadError::Invalid {
                    origin: origin.to_owned(),
                    problems: vec![Problem {
                        path: "version".to_owned(),
                        message: format!("this build cannot read file-format version {v}"),
                        hint: format!(
                            "it reads versions {}; open the file with a newer Event Architect",
                            join(SUPPORTED_VERSIONS)
                        ),
                    }],
                    more: 0,
                });
            }
            Some(_) => {}
        }
        let version = self.version.unwrap_or(u64::from(CURRENT_VERSION)) as u32;
        if version < 2
            && let Some(path) = self.newer_field.take()
        {
            self.problem(
                path,
                "this field is new in file-format version 2".to_owned(),
                "write \"version\": 2 at the top level (this build reads both)",
            );
        }
        if !self.saw_services {
            self.problem(
                "services",
                "the file has no \"services\" list".to_owned(),
                "add \"services\": [] at the top level",
            );
        }

        // Which service each symbol names; duplicates were reported as they were read.
        let mut service_of = vec![u32::MAX; self.tables.symbols.len()];
        let mut first_path: Vec<usize> = Vec::new();
        let mut duplicates = Vec::new();
        for (index, &symbol) in self.tables.service_symbols.iter().enumerate() {
            if symbol == u32::MAX {
                continue; // empty or missing id, already reported
            }
            let slot = &mut service_of[symbol as usize];
            if *slot == u32::MAX {
                *slot = index as u32;
                first_path.push(index);
            } else {
                duplicates.push((index, *slot as usize));
            }
        }
        for (index, first) in duplicates {
            let id = cut(&self.services[index].id);
            self.problem(
                format!("services[{index}].id"),
                format!("duplicate id \"{id}\" (first used by services[{first}])"),
                "give every service its own id",
            );
        }

        // One shared name per distinct event, made in one burst so they sit close in memory.
        let events: Vec<Arc<str>> = (0..self.tables.events.len() as u32)
            .map(|event| Arc::from(self.tables.events.get(event)))
            .collect();
        self.tables.events = Interner::default();
        let loaded = std::mem::take(&mut self.tables.edges);
        // Two halves on two threads: cloning a shared name is an atomic write, which waits for
        // its cache line, and the halves' waits overlap.
        let half = if loaded.len() >= THREADED_EDGES {
            loaded.len() / 2
        } else {
            loaded.len()
        };
        let (first, second) = loaded.split_at(half);
        // Edges are numbered after the services: one uid counter for both.
        let first_edge_uid = self.services.len();
        let resolve = |part: &[(u32, u32, u32)], offset: usize, out: &mut [EventEdge]| {
            resolve_edges(part, offset, out, (&service_of, &events), first_edge_uid)
        };
        // One list for both halves, filled in place: a second half in a list of its own would
        // be copied over and, at 5M edges, hold 100 MB more at the peak.
        let placeholder = EventEdge::new(ServiceIndex(0), ServiceIndex(0), "");
        let mut edges = vec![placeholder; loaded.len()];
        let (mut unknown, mut unknown_count) = if second.is_empty() {
            resolve(first, 0, &mut edges)
        } else {
            let (out_first, out_second) = edges.split_at_mut(half);
            std::thread::scope(|scope| {
                let later = scope.spawn(|| resolve(second, half, out_second));
                let mut earlier = resolve(first, 0, out_first);
                let later = later
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                earlier.0.extend(later.0);
                earlier.1 += later.1;
                earlier
            })
        };
        unknown.truncate(MAX_PROBLEMS);
        drop(loaded);
        if !unknown.is_empty() {
            let names = &self.tables.symbols;
            let ids: Vec<&str> = self.services.iter().map(|s| s.id.as_str()).collect();
            let messages: Vec<(String, String, String)> = unknown
                .into_iter()
                .take(MAX_PROBLEMS)
                .map(|(path, symbol)| {
                    let whole = names.get(symbol);
                    let id = cut(whole);
                    let hint = match closest(whole, &ids) {
                        Some(near) => format!(
                            "did you mean \"{near}\"? Otherwise add a service with id \"{id}\""
                        ),
                        None => format!("add a service with id \"{id}\" or correct the id"),
                    };
                    (path, format!("unknown service \"{id}\""), hint)
                })
                .collect();
            for (path, message, hint) in messages {
                self.problem(path, message, hint);
                unknown_count -= 1;
            }
        }
        // Unknown ends past the listed ones still count towards "and N more".
        self.problem_count += unknown_count;
        if !self.intentional_loops.is_empty() {
            let ids: std::collections::HashSet<&str> =
                self.services.iter().map(|s| s.id.as_str()).collect();
            let mut unknown = Vec::new();
            for (at, mark) in self.intentional_loops.iter().enumerate() {
                for (i, id) in mark.services.iter().enumerate() {
                    if !ids.contains(id.as_str()) {
                        unknown.push((format!("intentional_loops[{at}].services[{i}]"), cut(id)));
                    }
                }
            }
            drop(ids);
            for (path, id) in unknown {
                self.problem(
                    path,
                    format!("unknown service \"{id}\""),
                    "name the services of the loop by their ids",
                );
            }
        }

        if self.problem_count > 0 {
            let more = self.problem_count - self.problems.len();
            return Err(LoadError::Invalid {
                origin: origin.to_owned(),
                problems: self.problems,
                more,
            });
        }
        for (uid, service) in self.services.iter_mut().enumerate() {
            service.uid = ServiceUid(uid as u32);
        }
        let mut lanes = std::collections::HashMap::new();
        for (position, mode, filter, evidence, via) in self.edge_extras {
            // Every edge resolved (there were no problems), so places are file places.
            let edge = &mut edges[position];
            edge.mode = mode;
            edge.filter = filter;
            edge.evidence = evidence;
            if !via.is_empty() {
                lanes.insert(edge.uid, via);
            }
        }
        let next_uid = (self.services.len() + edges.len()) as u32;
        let mut design = Design {
            name: self.name,
            services: self.services,
            edges,
            next_uid,
            intentional_loops: self.intentional_loops,
            template: self.template.map(Arc::new),
            lanes,
        };
        if version == 1 {
            migrate_v1(&mut design);
        }
        Ok((design, version))
    }
}

/// Version 1 had no edge modes: an edge into a table was a direct call by rule. Version 2 says
/// so in the file.
fn migrate_v1(design: &mut Design) {
    for edge in &mut design.edges {
        if design.services[edge.to.index()].kind == ServiceKind::Table {
            edge.mode = EdgeMode::Sync;
        }
    }
}

/// Edges with at least this many edges are resolved on two threads.
const THREADED_EDGES: usize = 1 << 16;

/// Turns interned edges (`part`, the edges from position `offset` on) into the design's edges,
/// written over the placeholders in `edges` (as long as `part`). Also returns the first [`MAX_PROBLEMS`] ends that name no service, as (JSON path, symbol),
/// and how many there are in all.
fn resolve_edges(
    part: &[(u32, u32, u32)],
    offset: usize,
    edges: &mut [EventEdge],
    (service_of, events): (&[u32], &[Arc<str>]),
    first_uid: usize,
) -> (Vec<(String, u32)>, usize) {
    let mut unknown = Vec::new();
    let mut unknown_count = 0;
    for (at, &(from, to, event)) in part.iter().enumerate() {
        if at % BATCH == 0 {
            // Bring the next batch's shared names and service numbers into cache with
            // independent reads, as `Tables::apply` does: cloning an `Arc` writes to it.
            let mut touched = 0usize;
            for &(from, to, event) in part.iter().skip(at).take(BATCH) {
                for symbol in [from, to] {
                    touched ^= *service_of.get(symbol as usize).unwrap_or(&0) as usize;
                }
                if let Some(name) = events.get(event as usize) {
                    touched ^= name.as_bytes().first().copied().unwrap_or(0) as usize;
                }
            }
            std::hint::black_box(touched);
        }
        let mut ends = [ServiceIndex(0); 2];
        let mut ok = from != u32::MAX && to != u32::MAX;
        for (slot, (field, symbol)) in [("from", from), ("to", to)].into_iter().enumerate() {
            if symbol == u32::MAX {
                continue;
            }
            match service_of[symbol as usize] {
                u32::MAX => {
                    ok = false;
                    unknown_count += 1;
                    if unknown.len() < MAX_PROBLEMS {
                        unknown.push((format!("edges[{}].{field}", offset + at), symbol));
                    }
                }
                index => ends[slot] = ServiceIndex(index),
            }
        }
        // A broken edge keeps its placeholder: it was reported, so the design is refused.
        if ok && event != u32::MAX {
            edges[at] = EventEdge {
                from: ends[0],
                to: ends[1],
                event: events[event as usize].clone(),
                uid: EdgeUid((first_uid + offset + at) as u32),
                mode: EdgeMode::Async,
                filter: None,
                evidence: None,
            };
        }
    }
    (unknown, unknown_count)
}

fn join(versions: &[u32]) -> String {
    versions
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interner_tells_every_string_apart() {
        let mut interner = Interner::default();
        let long = "x".repeat(300);
        let mut texts: Vec<String> = (0..5000).map(|i| format!("s{i}")).collect();
        texts.extend([
            String::new(),
            "sixteen-bytes-ab".to_owned(),
            "seventeen-bytes-a".to_owned(),
            "a\0".to_owned(),
            "a".to_owned(),
            long.clone(),
            format!("{long}y"),
            long[..299].to_owned(),
            "é🙂".to_owned(),
        ]);
        let symbols: Vec<u32> = texts.iter().map(|t| interner.intern(t)).collect();
        assert_eq!(symbols, (0..texts.len() as u32).collect::<Vec<_>>());
        for (text, &symbol) in texts.iter().zip(&symbols) {
            assert_eq!(interner.intern(text), symbol);
            assert_eq!(interner.get(symbol), text);
        }
        assert_eq!(interner.len(), texts.len());
    }

    #[test]
    fn unknown_ends_in_either_half_are_placed_and_counted() {
        // Enough edges to be resolved on two threads; unknown ends early, in the second half,
        // and more of them than are listed.
        let n = THREADED_EDGES + 500;
        let mut text = String::from(
            r#"{"version": 1, "services": [{"id": "a", "kind": "queue"}, {"id": "b", "kind": "queue"}], "edges": ["#,
        );
        let unknown = |i: usize| i < 60 || (n - 100..n - 10).contains(&i);
        for i in 0..n {
            let to = if unknown(i) { "ghost" } else { "b" };
            let comma = if i > 0 { "," } else { "" };
            text.push_str(&format!(
                r#"{comma}{{"from": "a", "to": "{to}", "event": "E"}}"#
            ));
        }
        text.push_str("]}");
        let Err(LoadError::Invalid { problems, more, .. }) =
            parse_design(text.as_bytes(), "t.json")
        else {
            panic!("expected problems");
        };
        assert_eq!(problems.len(), MAX_PROBLEMS);
        assert_eq!(more, 60 + 90 - MAX_PROBLEMS);
        assert_eq!(problems[0].path, "edges[0].to");
        assert_eq!(problems[60].path, format!("edges[{}].to", n - 100));
        assert_eq!(problems[0].message, "unknown service \"ghost\"");
    }

    #[test]
    fn batched_edges_keep_their_file_positions() {
        // More edges than one batch, with a broken one in the middle of the second batch.
        let mut text = String::from(
            r#"{"version": 1, "services": [{"id": "a", "kind": "function"}, {"id": "b", "kind": "function"}], "edges": ["#,
        );
        for i in 0..BATCH + 10 {
            if i > 0 {
                text.push(',');
            }
            if i == BATCH + 3 {
                text.push_str(r#"{"from": "a", "to": "ghost", "event": "E"}"#);
            } else {
                text.push_str(&format!(
                    r#"{{"from": "a", "to": "b", "event": "E{}"}}"#,
                    i % 7
                ));
            }
        }
        text.push_str("]}");
        match parse_design(text.as_bytes(), "t.json") {
            Err(LoadError::Invalid { problems, .. }) => {
                assert_eq!(problems.len(), 1);
                assert_eq!(problems[0].path, format!("edges[{}].to", BATCH + 3));
            }
            other => panic!("expected one problem, got {other:?}"),
        }
        // The threaded path reads the same problems, in the same places.
        match parse_with(text.as_bytes(), "t.json", true) {
            Err(LoadError::Invalid { problems, .. }) => {
                assert_eq!(problems.len(), 1);
                assert_eq!(problems[0].path, format!("edges[{}].to", BATCH + 3));
            }
            other => panic!("expected one problem, got {other:?}"),
        }
        let fixed = text.replace("ghost", "b");
        assert_eq!(
            parse_with(fixed.as_bytes(), "t.json", true).unwrap(),
            parse_with(fixed.as_bytes(), "t.json", false).unwrap()
        );
        assert_eq!(
            parse_design_owned(fixed.clone().into_bytes(), "t.json").unwrap(),
            parse_design(fixed.as_bytes(), "t.json").unwrap()
        );
        assert!(matches!(
            parse_with(b"{\"version\": 1, \"services\": [", "t.json", true),
            Err(LoadError::Syntax { .. })
        ));
        // Items that are not objects keep their places too.
        let shifted = r#"{"version": 1, "services": [1, {"id": "a", "kind": "table"}, {"id": "a", "kind": "table"}],
            "edges": [2, {"from": "a", "to": "nobody", "event": "E"}]}"#;
        let Err(LoadError::Invalid { problems, .. }) = parse_design(shifted.as_bytes(), "t.json")
        else {
            panic!("expected problems");
        };
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            ["services[0]", "edges[0]", "services[2].id", "edges[1].to"]
        );
        assert!(problems[2].message.contains("services[1]"), "{problems:?}");
        let design = parse_design(fixed.as_bytes(), "t.json").unwrap();
        assert_eq!(design.edges.len(), BATCH + 10);
        assert_eq!(
            &*design.edges[BATCH + 4].event,
            format!("E{}", (BATCH + 4) % 7)
        );
        assert!(Arc::ptr_eq(&design.edges[0].event, &design.edges[7].event));
    }
}

/// The fast reader of the common shape must give exactly what serde gives: the same design, or
/// the same error, message for message.
#[cfg(test)]
mod fast_tests {
    use super::*;
    use crate::model::{Behavior, Position, Properties, Route};
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    /// Everything observable about a read: the design or the error, as text.
    fn outcome(text: &[u8], threaded: bool, try_fast: bool) -> String {
        outcome_in(text, threaded, try_fast, Window::STREAM)
    }

    /// A window smaller than any item: every item runs into its end and is read again with the
    /// window grown (the retry path).
    const TINY: Window = Window {
        capacity: 5,
        lookahead: 3,
    };

    /// A window that some items fit and others do not: refills and retries mixed.
    const MID: Window = Window {
        capacity: 40,
        lookahead: 16,
    };

    fn outcome_in(text: &[u8], threaded: bool, try_fast: bool, window: Window) -> String {
        let result =
            read_with(text, "t.json", threaded, try_fast, window).and_then(|l| l.finish("t.json"));
        match result {
            Ok((design, version)) => format!("{design:?} (version {version})"),
            Err(error) => format!("{error:?}\n{error}"),
        }
    }

    /// Whether the fast reader takes the whole text.
    fn fast_takes(text: &str) -> bool {
        let mut loader = Loader::default();
        let taken = super::super::fast::read(&mut text.as_bytes(), &mut loader, Window::STREAM);
        for window in [TINY, MID] {
            let other =
                super::super::fast::read(&mut text.as_bytes(), &mut Loader::default(), window);
            assert_eq!(taken.is_ok(), other.is_ok(), "{window:?} {text:?}");
        }
        taken.is_ok()
    }

    fn same(text: &str) {
        let serde = outcome(text.as_bytes(), false, false);
        assert_eq!(outcome(text.as_bytes(), false, true), serde, "{text}");
        assert_eq!(outcome(text.as_bytes(), true, true), serde, "{text}");
        assert_eq!(
            outcome_in(text.as_bytes(), false, true, TINY),
            serde,
            "{text}"
        );
    }

    #[test]
    fn the_common_shape_is_read_fast_and_the_same() {
        let common = [
            r#"{"version": 1, "name": "D", "services": [{"id": "a", "kind": "gateway"}, {"kind": "queue", "id": "b"}],
                "edges": [{"from": "a", "to": "b", "event": "E"}, {"event": "F", "to": "a", "from": "b"}]}"#,
            "{}",
            " {\"services\":[],\"edges\":[]}\r\n\t",
            r#"{"edges": [{"from": "a", "to": "ghost", "event": "E"}], "version": 1, "services": [{"id": "a", "kind": "table"}, {"id": "a", "kind": "table"}]}"#,
            r#"{"version": 1, "services": [{"id": "é🙂", "kind": "topic"}], "edges": [{"from": "é🙂", "to": "é🙂", "event": "Ünïcode"}]}"#,
            r#"{"version": 7, "services": []}"#,
            r#"{"version": 0, "services": [], "edges": [{"from": "", "to": "", "event": "E"}]}"#,
            // Every field of version 2, as `save` writes it.
            r#"{
  "version": 2,
  "name": "All",
  "services": [
    {"id": "api", "name": "API", "kind": "gateway", "routes": [{"route": "POST /x", "event": "X"}, {"event": "Y", "route": "GET /y"}], "position": {"x": 10.5, "y": -2e1}, "notes": "n"},
    {"id": "f", "kind": "function", "behavior": "store-put", "properties": {"runtime": "python3.12", "memory_mb": 512, "Custom": {"a": ["b\"c]}"]}}},
    {"id": "t", "kind": "table", "properties": {"key": "id"}},
    {"id": "b", "kind": "bucket", "routes": []},
    {"id": "s", "kind": "state-machine"}, {"id": "k", "kind": "stream"}, {"id": "c", "kind": "schedule"}, {"id": "bus", "kind": "bus"}
  ],
  "edges": [
    {"from": "api", "to": "f", "event": "X"},
    {"from": "f", "to": "t", "event": "Put", "mode": "sync"},
    {"from": "b", "to": "f", "event": "ObjectCreated", "filter": {"prefix": "in/", "suffix": ".jpg"}},
    {"from": "bus", "to": "s", "event": "E", "mode": "async", "filter": {"pattern": {"detail-type": ["E"], "detail": {"n": [{"prefix": "a"}]}}}},
    {"from": "api", "to": "t", "event": "Z", "via": [{"x": 100, "y": 20}, {"y": 20, "x": 280.5}]},
    {"from": "api", "to": "s", "event": "Z", "via": []}
  ]
}"#,
        ];
        for text in common {
            assert!(fast_takes(text), "{text}");
            same(text);
        }
    }

    #[test]
    fn a_design_as_save_writes_it_takes_the_fast_path_with_every_field() {
        let mut design = Design::new("Saved");
        let mut api = Service::new("api", ServiceKind::Gateway);
        api.name = "API".into();
        api.routes.push(Route {
            route: "POST /orders".into(),
            event: "OrderRequested".into(),
        });
        api.position = Some(Position { x: 40.0, y: -80.5 });
        api.notes = "Public entry".into();
        let mut f = Service::new("orders", ServiceKind::Function);
        f.behavior = Some(Behavior::StorePut);
        f.properties = Properties::from_map(
            serde_json::json!({"runtime": "python3.12", "memory_mb": 512, "Layers": [{"Ref": "Deps"}]})
                .as_object()
                .unwrap(),
        );
        design.add_service(api);
        design.add_service(f);
        design.add_service(Service::new("t", ServiceKind::Table));
        design.connect("api", "orders", "OrderRequested");
        let put = design.connect("orders", "t", "PutOrder");
        let at = design.edge_position(put).unwrap();
        design.edges[at].filter = Some(Box::new(EdgeFilter {
            suffix: Some(".json".into()),
            ..EdgeFilter::with_pattern(
                &serde_json::json!({"detail": {"total": [{"anything-but": 0}]}}),
            )
        }));
        let lane = design.connect("api", "t", "Audit");
        let via = [
            Position { x: 160.0, y: 90.0 },
            Position { x: 340.0, y: 90.0 },
        ];
        design.set_via(lane, via.into());
        let text = super::super::to_json(&design);
        assert!(
            text.contains("\"mode\": \"sync\"")
                && text.contains("\"filter\"")
                && text.contains("\"via\""),
            "{text}"
        );
        assert!(fast_takes(&text), "{text}");
        same(&text);
    }

    #[test]
    fn what_the_general_reader_reports_the_fast_reader_leaves_to_it() {
        let unusual = [
            // A repeated key, at every level.
            r#"{"version": 2, "version": 2, "services": []}"#,
            r#"{"version": 2, "services": [{"id": "a", "id": "b", "kind": "queue"}]}"#,
            r#"{"version": 2, "services": [{"id": "a", "kind": "queue", "properties": {"k": 1, "k": 2}}]}"#,
            // Positions and routes with what the format does not have.
            r#"{"version": 2, "services": [{"id": "a", "kind": "queue", "position": {"x": 1, "y": 2, "z": 3}}]}"#,
            r#"{"version": 2, "services": [{"id": "a", "kind": "queue", "position": [1, 2]}]}"#,
            r#"{"version": 2, "services": [{"id": "a", "kind": "gateway", "routes": [{"route": "GET /", "event": "E", "method": "GET"}]}]}"#,
            // Known properties of the wrong type, unknown modes, bad filters.
            r#"{"version": 2, "services": [{"id": "a", "kind": "function", "properties": {"memory_mb": "big"}}]}"#,
            r#"{"version": 2, "services": [{"id": "a", "kind": "queue"}], "edges": [{"from": "a", "to": "a", "event": "E", "mode": "later"}]}"#,
            r#"{"version": 2, "services": [{"id": "a", "kind": "queue"}], "edges": [{"from": "a", "to": "a", "event": "E", "filter": {"pattern": {"x": "y"}}}]}"#,
            // Lanes that are not lists of points.
            r#"{"version": 2, "services": [{"id": "a", "kind": "queue"}], "edges": [{"from": "a", "to": "a", "event": "E", "via": {"x": 1, "y": 2}}]}"#,
            r#"{"version": 2, "services": [{"id": "a", "kind": "queue"}], "edges": [{"from": "a", "to": "a", "event": "E", "via": [{"x": 1}]}]}"#,
        ];
        for text in unusual {
            assert!(!fast_takes(text), "{text}");
            let serde = outcome(text.as_bytes(), false, false);
            // A problem, or (a key repeated inside free-form JSON) a located syntax error.
            assert!(!serde.starts_with("Design"), "{text}: {serde}");
            same(text);
        }
    }

    #[test]
    fn fields_of_version_2_in_a_version_1_file_are_a_problem_on_both_paths() {
        let text = r#"{"version": 1, "services": [{"id": "a", "kind": "queue", "properties": {"fifo": true}}]}"#;
        let serde = outcome(text.as_bytes(), false, false);
        assert!(
            serde.contains("services[0].properties: this field is new in file-format version 2"),
            "{serde}"
        );
        same(text);
    }

    #[test]
    fn a_version_1_file_is_migrated_edges_into_tables_become_sync() {
        let text = r#"{"version": 1, "services": [{"id": "f", "kind": "function"}, {"id": "t", "kind": "table"}],
            "edges": [{"from": "f", "to": "t", "event": "Put"}, {"from": "t", "to": "f", "event": "Got"}]}"#;
        let (design, version) = parse_design_versioned(text.as_bytes(), "v1.json").unwrap();
        assert_eq!(version, 1);
        let modes: Vec<EdgeMode> = design.edges.iter().map(|e| e.mode).collect();
        assert_eq!(modes, [EdgeMode::Sync, EdgeMode::Async]);
        let saved = super::super::to_json(&design);
        assert!(
            saved.contains("\"version\": 2") && saved.contains("\"mode\": \"sync\""),
            "{saved}"
        );
    }

    #[test]
    fn a_streamed_file_is_refilled_item_by_item_with_cuts_inside_characters() {
        // Ids and events full of 2- and 4-byte characters, read through windows of every
        // capacity in a range, so that refills cut strings and characters at every offset,
        // while the lookahead holds any item whole: no item may need a retry.
        let mut text = String::from("{\"version\": 1, \"name\": \"Ünï 🙂\", \"services\": [");
        for i in 0..40 {
            let comma = if i == 0 { "" } else { ", " };
            text.push_str(&format!(r#"{comma}{{"id": "sé🙂{i}", "kind": "queue"}}"#));
        }
        text.push_str("], \"edges\": [");
        for i in 0..60 {
            let comma = if i == 0 { "" } else { ",\n " };
            let (from, to) = (i % 40, (i * 7 + 3) % 40);
            text.push_str(&format!(
                r#"{comma}{{"event": "É{from}🙂", "from": "sé🙂{from}", "to": "sé🙂{to}"}}"#
            ));
        }
        text.push_str("]}\n");
        let serde = outcome(text.as_bytes(), false, false);
        assert!(serde.starts_with("Design"), "{serde}");
        for capacity in 97..=200 {
            let window = Window {
                capacity,
                lookahead: 96,
            };
            let mut loader = Loader::default();
            let (read, refills, retries) =
                super::super::fast::read_counted(&mut text.as_bytes(), &mut loader, window);
            assert!(read.is_ok(), "capacity {capacity}: {read:?}");
            assert_eq!(retries, 0, "capacity {capacity}");
            assert!(
                refills > text.len() / capacity,
                "capacity {capacity}: {refills}"
            );
            assert_eq!(outcome_in(text.as_bytes(), false, true, window), serde);
        }
    }

    #[test]
    fn anything_unusual_is_left_to_serde_with_the_same_outcome() {
        let unusual = [
            r#"{"version": 1, "services": [{"id": "a\"b", "kind": "table"}]}"#,
            r#"{"version": 1, "services": [{"i\u0064": "a", "kind": "table"}]}"#,
            r#"{"version": 1, "services": [{"id": "a", "kind": "table", "name": "A"}]}"#,
            r#"{"version": 1, "services": [{"id": "a", "kind": "lambda"}]}"#,
            r#"{"version": 1, "services": [{"id": "", "kind": "table"}]}"#,
            r#"{"version": 1, "services": [{"id": "a"}]}"#,
            r#"{"version": 1, "services": [{"id": "a", "id": "b", "kind": "table"}]}"#,
            r#"{"version": 1, "services": [{"id": 7, "kind": "table"}]}"#,
            r#"{"version": 1, "services": [3]}"#,
            r#"{"version": 1, "services": {}}"#,
            r#"{"version": 1, "services": [], "edges": [{"from": "a", "to": "b", "event": ""}]}"#,
            r#"{"version": 1, "services": [], "edges": [{"from": "a", "to": "b"}]}"#,
            r#"{"version": 1, "services": [], "edges": [{"from": "a", "to": "b", "event": "E", "x": 1}]}"#,
            r#"{"version": 1, "services": [], "edges": [{"from": "a\u0062", "to": "b", "event": "E"}]}"#,
            r#"{"version": 1.0, "services": []}"#,
            r#"{"version": 01, "services": []}"#,
            r#"{"version": -1, "services": []}"#,
            r#"{"version": 1e0, "services": []}"#,
            r#"{"version": 18446744073709551616, "services": []}"#,
            r#"{"version": 18446744073709551615, "services": []}"#,
            r#"{"version": "1", "services": []}"#,
            r#"{"version": 1, "version": 1, "services": []}"#,
            r#"{"version": 1, "services": [], "services": []}"#,
            r#"{"version": 1, "services": [], "extra": true}"#,
            r#"{"version": 1, "services": [],}"#,
            r#"{"version": 1, "services": [{"id": "a", "kind": "table"},]}"#,
            r#"{"version": 1, "services": []} x"#,
            r#"{"version": 1, "services": []}}"#,
            "{\"version\": 1, \"services\": [{\"id\": \"a\tb\", \"kind\": \"table\"}]}",
            "{\"version\": 1,\u{000B}\"services\": []}",
            "{\"version\": 1,\u{00A0}\"services\": []}",
            r#"[]"#,
            r#"{"version": 1, "services": [{"id": "a", "kind": "table"}"#,
            "",
        ];
        for text in unusual {
            same(text);
        }
        // Invalid UTF-8 in a string, and a byte-order mark.
        for bytes in [
            &b"{\"version\": 1, \"services\": [{\"id\": \"\xff\", \"kind\": \"table\"}]}"[..],
            &b"\xEF\xBB\xBF{\"version\": 1, \"services\": []}"[..],
        ] {
            let serde = outcome(bytes, false, false);
            assert_eq!(outcome(bytes, false, true), serde);
            assert_eq!(outcome(bytes, true, true), serde);
            assert_eq!(outcome_in(bytes, false, true, TINY), serde);
        }
    }

    /// A JSON value from a list of tricky ones, for a field that wants a string.
    fn value(plain: &'static [&'static str]) -> impl Strategy<Value = String> {
        let tricky = prop::sample::select(vec![
            r#""""#,
            r#""é🙂""#,
            r#""a\"b""#,
            r#""\u0061""#,
            r#""a\\b""#,
            r#""x\ny""#,
            "\"x\ty\"",
            r#""\ud83d\ude42""#,
            "7",
            "null",
            "[]",
            "{}",
            "true",
            r#""lambda""#,
        ]);
        let plain = prop::sample::select(plain.to_vec()).prop_map(|v| format!("\"{v}\""));
        prop_oneof![6 => plain, 1 => tricky.prop_map(str::to_owned)]
    }

    fn space() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["", " ", "\n  ", "\t", "\r\n", "  ", "\n"])
    }

    /// An object of `fields` in a random order, sometimes with an extra, a repeated or an
    /// escaped key.
    fn object(fields: Vec<(&'static str, String)>) -> impl Strategy<Value = String> {
        let extra = prop::sample::select(vec![
            None,
            None,
            None,
            None,
            Some((r#""name""#, r#""N""#)),
            Some((r#""i\u0064""#, r#""a""#)),
            Some((r#""from""#, r#""a""#)),
            Some((r#""colour""#, "1")),
        ]);
        (
            Just(fields).prop_shuffle(),
            extra,
            any::<bool>(),
            space(),
            space(),
        )
            .prop_map(|(fields, extra, drop_last, a, b)| {
                let mut parts: Vec<String> = fields
                    .into_iter()
                    .map(|(k, v)| format!("{a}\"{k}\"{b}:{a}{v}"))
                    .collect();
                if let Some((k, v)) = extra {
                    parts.push(format!("{a}{k}:{b}{v}"));
                    if drop_last {
                        parts.remove(0);
                    }
                }
                format!("{{{}{b}}}", parts.join(","))
            })
    }

    const IDS: &[&str] = &["a", "b", "c", "s1", "é"];

    fn service() -> impl Strategy<Value = String> {
        (
            value(IDS),
            value(&["function", "queue", "table", "topic", "gateway"]),
        )
            .prop_flat_map(|(id, kind)| object(vec![("id", id), ("kind", kind)]))
    }

    fn edge() -> impl Strategy<Value = String> {
        (value(IDS), value(IDS), value(&["E", "F", "Done"])).prop_flat_map(|(from, to, event)| {
            object(vec![("from", from), ("to", to), ("event", event)])
        })
    }

    fn design() -> impl Strategy<Value = String> {
        let version = prop::sample::select(vec![
            "1", "1", "1", "1", "0", "2", "01", "1.0", "-1", "1e2", "\"1\"",
        ]);
        (
            version,
            prop::collection::vec(service(), 0..6),
            prop::collection::vec(edge(), 0..8),
            value(&["D", "My design"]),
            any::<[bool; 3]>(),
            space(),
        )
            .prop_flat_map(|(version, services, edges, name, keep, s)| {
                let list = |items: Vec<String>| format!("[{s}{}{s}]", items.join(&format!(",{s}")));
                let mut entries = vec![format!("\"version\":{s}{version}")];
                if keep[0] {
                    entries.push(format!("\"name\": {name}"));
                }
                if keep[1] {
                    entries.push(format!("\"services\": {}", list(services)));
                }
                if keep[2] {
                    entries.push(format!("\"edges\":{}", list(edges)));
                }
                (Just(entries).prop_shuffle(), Just(s))
            })
            .prop_map(|(entries, s)| format!("{s}{{{s}{}{s}}}{s}", entries.join(&format!(",{s}"))))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn fast_and_serde_agree_on_random_designs(text in design(), cut in any::<prop::sample::Index>(), broken in 0..8u8) {
            let text = match broken {
                // Cut short, or with a stray character: malformed JSON.
                0 => {
                    let mut at = cut.index(text.len() + 1);
                    while !text.is_char_boundary(at) { at -= 1; }
                    text[..at].to_owned()
                }
                1 => {
                    let mut at = cut.index(text.len() + 1);
                    while !text.is_char_boundary(at) { at -= 1; }
                    format!("{}#{}", &text[..at], &text[at..])
                }
                _ => text,
            };
            let serde = outcome(text.as_bytes(), false, false);
            prop_assert_eq!(&outcome(text.as_bytes(), false, true), &serde, "{}", text);
            // Every item cut off by the window and read again with the window grown, or some.
            prop_assert_eq!(&outcome_in(text.as_bytes(), false, true, TINY), &serde, "{}", text);
            prop_assert_eq!(&outcome_in(text.as_bytes(), false, true, MID), &serde, "{}", text);
            if broken == 2 {
                prop_assert_eq!(&outcome(text.as_bytes(), true, true), &serde, "{}", text);
            }
        }
    }

    #[test]
    fn random_designs_often_take_the_fast_path() {
        // Guards the property test above against testing only the fallback.
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = design();
        let mut fast = 0;
        for _ in 0..400 {
            let text = strategy.new_tree(&mut runner).unwrap().current();
            if fast_takes(&text) {
                fast += 1;
            }
        }
        assert!(fast >= 20, "only {fast} of 400 took the fast path");
    }
}
