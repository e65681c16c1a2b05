//! Reading a design file: one streaming pass that validates as it goes and reports every
//! problem at once, each with its JSON path and a hint.
//!
//! Why not `#[derive(Deserialize)]` into records and validate afterwards: derive stops at the first
//! wrong type, and holding every edge's three strings costs ~72 bytes an edge before interning
//! (360 MB at 5M edges). Here ids and event names are interned while parsing, so an edge costs
//! 12 bytes during the load and the whole design is never held twice.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{LoadError, Problem};
use crate::model::{
    Behavior, Design, EventEdge, Position, Route, SUPPORTED_VERSIONS, Service, ServiceIndex,
    ServiceKind,
};

/// At most this many problems are listed; the rest are counted.
const MAX_PROBLEMS: usize = 100;
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type FastSet<K> = HashSet<K, foldhash::fast::RandomState>;

/// Parses and validates a design from JSON text. `origin` names the file in messages.
pub fn parse_design(text: &[u8], origin: &str) -> Result<Design, LoadError> {
    let mut loader = Loader::default();
    // Editors on Windows like to start UTF-8 files with a byte-order mark; JSON forbids it.
    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let syntax = |error: serde_json::Error| LoadError::Syntax {
        origin: origin.to_owned(),
        line: error.line(),
        column: error.column(),
        message: strip_position(&error.to_string()),
    };
    (&mut deserializer)
        .deserialize_any(TopVisitor {
            loader: &mut loader,
        })
        .map_err(syntax)?;
    deserializer.end().map_err(syntax)?;
    loader.finish(origin)
}

/// serde_json appends " at line L column C"; we print the position ourselves.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

#[derive(Default)]
struct Loader {
    version: Option<u64>,
    name: String,
    services: Vec<Service>,
    /// Interned id of each service, parallel to `services`.
    service_symbols: Vec<u32>,
    /// Every id string seen (services and edge ends) -> symbol.
    symbols: FastMap<Box<str>, u32>,
    /// Event names, shared between edges.
    events: FastSet<Arc<str>>,
    /// Edges as (from symbol, to symbol, event), with their index in the file.
    edges: Vec<(u32, u32, Arc<str>)>,
    problems: Vec<Problem>,
    problem_count: usize,
    saw_services: bool,
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

    fn symbol(&mut self, text: &str) -> u32 {
        if let Some(&symbol) = self.symbols.get(text) {
            return symbol;
        }
        let symbol = self.symbols.len() as u32;
        self.symbols.insert(text.into(), symbol);
        symbol
    }

    fn event(&mut self, text: &str) -> Arc<str> {
        if let Some(event) = self.events.get(text) {
            return event.clone();
        }
        let event: Arc<str> = Arc::from(text);
        self.events.insert(event.clone());
        event
    }

    fn finish(mut self, origin: &str) -> Result<Design, LoadError> {
        match self.version {
            None => self.problem(
                "version",
                "the file has no \"version\"".to_owned(),
                format!(
                    "add \"version\": {} at the top level",
                    SUPPORTED_VERSIONS[0]
                ),
            ),
            Some(v) if !SUPPORTED_VERSIONS.contains(&(v as u32)) || v > u32::MAX as u64 => {
                // A version this build cannot read makes every other message unreliable.
                return Err(LoadError::Invalid {
                    origin: origin.to_owned(),
                    problems: vec![Problem {
                        path: "version".to_owned(),
                        message: format!("this build cannot read file-format version {v}"),
                        hint: format!(
                            "it reads version(s) {}; open the file with a newer Event Architect",
                            join(SUPPORTED_VERSIONS)
                        ),
                    }],
                    more: 0,
                });
            }
            Some(_) => {}
        }
        if !self.saw_services {
            self.problem(
                "services",
                "the file has no \"services\" list".to_owned(),
                "add \"services\": [] at the top level",
            );
        }

        // Which service each symbol names; duplicates were reported as they were read.
        let mut service_of = vec![u32::MAX; self.symbols.len()];
        let mut first_path: Vec<usize> = Vec::new();
        let mut duplicates = Vec::new();
        for (index, &symbol) in self.service_symbols.iter().enumerate() {
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
            let id = self.services[index].id.clone();
            self.problem(
                format!("services[{index}].id"),
                format!("duplicate id \"{id}\" (first used by services[{first}])"),
                "give every service its own id",
            );
        }

        let mut edges = Vec::with_capacity(self.edges.len());
        let mut unknown: Vec<(String, u32)> = Vec::new();
        for (position, (from, to, event)) in std::mem::take(&mut self.edges).into_iter().enumerate()
        {
            let mut ends = [ServiceIndex(0); 2];
            let mut ok = from != u32::MAX && to != u32::MAX;
            for (slot, (field, symbol)) in [("from", from), ("to", to)].into_iter().enumerate() {
                if symbol == u32::MAX {
                    continue;
                }
                match service_of[symbol as usize] {
                    u32::MAX => {
                        ok = false;
                        unknown.push((format!("edges[{position}].{field}"), symbol));
                    }
                    index => ends[slot] = ServiceIndex(index),
                }
            }
            if ok {
                edges.push(EventEdge {
                    from: ends[0],
                    to: ends[1],
                    event,
                });
            }
        }
        if !unknown.is_empty() {
            let mut names = vec![""; self.symbols.len()];
            for (text, &symbol) in &self.symbols {
                names[symbol as usize] = text;
            }
            let ids: Vec<&str> = self.services.iter().map(|s| s.id.as_str()).collect();
            let messages: Vec<(String, String, String)> = unknown
                .into_iter()
                .take(MAX_PROBLEMS)
                .map(|(path, symbol)| {
                    let id = names[symbol as usize];
                    let hint = match closest(id, &ids) {
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
        Ok(Design {
            name: self.name,
            services: self.services,
            edges,
        })
    }
}

fn join(versions: &[u32]) -> String {
    versions
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The id most like `id`, when one is close enough to be a likely typo. Bounded so a file with
/// a million services and a typo does not take seconds to report it.
fn closest<'a>(id: &str, ids: &[&'a str]) -> Option<&'a str> {
    if ids.len() > 20_000 {
        return None;
    }
    ids.iter()
        .map(|candidate| (strsim::levenshtein(id, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.chars().count() / 4))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// A JSON value reduced to what validation needs, borrowing strings where it can.
enum Scalar<'de> {
    Str(Cow<'de, str>),
    Number(serde_json::Number),
    Bool,
    Null,
    Array,
    Object,
}

impl Scalar<'_> {
    fn type_name(&self) -> &'static str {
        match self {
            Scalar::Str(_) => "a string",
            Scalar::Number(_) => "a number",
            Scalar::Bool => "a boolean",
            Scalar::Null => "null",
            Scalar::Array => "an array",
            Scalar::Object => "an object",
        }
    }
}

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Number(v.into()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar<'de>, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Scalar::Null, Scalar::Number))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Bool)
    }
    fn visit_unit<E>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Object)
    }
}

/// A map key, borrowed when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_str(ScalarVisitor)? {
            Scalar::Str(text) => Ok(Key(text)),
            _ => Err(de::Error::custom("expected a string key")),
        }
    }
}

/// Reads a string field or records a type problem.
fn expect_str<'de>(
    loader: &mut Loader,
    value: Scalar<'de>,
    path: impl FnOnce() -> String,
) -> Option<Cow<'de, str>> {
    match value {
        Scalar::Str(text) => Some(text),
        other => {
            let found = other.type_name();
            loader.problem(
                path(),
                format!("expected a string, found {found}"),
                "write the value in double quotes",
            );
            None
        }
    }
}

struct TopVisitor<'l> {
    loader: &'l mut Loader,
}

impl<'de> Visitor<'de> for TopVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a design object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let loader = self.loader;
        while let Some(Key(key)) = map.next_key::<Key>()? {
            match &*key {
                "version" => match map.next_value::<Scalar>()? {
                    Scalar::Number(n) if n.as_u64().is_some() => loader.version = n.as_u64(),
                    other => {
                        let found = other.type_name();
                        loader.problem(
                            "version",
                            format!("expected a whole number, found {found}"),
                            format!("write \"version\": {}", SUPPORTED_VERSIONS[0]),
                        );
                        loader.version = Some(SUPPORTED_VERSIONS[0] as u64);
                    }
                },
                "name" => {
                    let value = map.next_value::<Scalar>()?;
                    if let Some(name) = expect_str(loader, value, || "name".to_owned()) {
                        loader.name = name.into_owned();
                    }
                }
                "services" => {
                    loader.saw_services = true;
                    map.next_value_seed(ListSeed {
                        loader,
                        list: List::Services,
                    })?
                }
                "edges" => map.next_value_seed(ListSeed {
                    loader,
                    list: List::Edges,
                })?,
                other => {
                    loader.problem(
                        other.to_owned(),
                        format!("unknown field \"{other}\""),
                        "the top level takes version, name, services and edges",
                    );
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.not_an_object("an array");
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.not_an_object("a string");
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.not_an_object("a number");
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.not_an_object("a number");
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.not_an_object("a number");
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.not_an_object("a boolean");
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.not_an_object("null");
        Ok(())
    }
}

impl TopVisitor<'_> {
    fn not_an_object(self, found: &str) {
        self.loader.version = Some(SUPPORTED_VERSIONS[0] as u64);
        self.loader.saw_services = true;
        self.loader.problem(
            "$",
            format!("a design file is a JSON object, found {found}"),
            "start from samples/register_login.json or `event-architect schema`",
        );
    }
}

#[derive(Clone, Copy)]
enum List {
    Services,
    Edges,
}

impl List {
    fn name(self) -> &'static str {
        match self {
            List::Services => "services",
            List::Edges => "edges",
        }
    }
}

struct ListSeed<'l> {
    loader: &'l mut Loader,
    list: List,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        loop {
            let seed = ItemSeed {
                loader: &mut *self.loader,
                list: self.list,
                index,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.wrong("an object");
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.wrong("a string");
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.wrong("a number");
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.wrong("a number");
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.wrong("a number");
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.wrong("a boolean");
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.wrong("null");
        Ok(())
    }
}

impl ListSeed<'_> {
    fn wrong(self, found: &str) {
        let name = self.list.name();
        self.loader.problem(
            name,
            format!("expected a list, found {found}"),
            format!("write \"{name}\": [ ... ]"),
        );
    }
}

struct ItemSeed<'l> {
    loader: &'l mut Loader,
    list: List,
    index: usize,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        match self.list {
            List::Services => deserializer.deserialize_any(ServiceVisitor(self)),
            List::Edges => deserializer.deserialize_any(EdgeVisitor(self)),
        }
    }
}

impl ItemSeed<'_> {
    fn path(&self, field: &str) -> String {
        format!("{}[{}].{field}", self.list.name(), self.index)
    }
    /// The path, built only if a problem needs it.
    fn lazy_path(&self, field: &'static str) -> impl FnOnce() -> String + use<> {
        let (list, index) = (self.list, self.index);
        move || format!("{}[{index}].{field}", list.name())
    }
    fn not_an_object(&mut self, found: &str) {
        let path = format!("{}[{}]", self.list.name(), self.index);
        let example = match self.list {
            List::Services => "{\"id\": \"orders\", \"kind\": \"function\"}",
            List::Edges => "{\"from\": \"a\", \"to\": \"b\", \"event\": \"Happened\"}",
        };
        self.loader.problem(
            path,
            format!("expected an object, found {found}"),
            format!("write it like {example}"),
        );
    }
    fn missing(&mut self, field: &str, hint: &str) {
        let path = self.path(field);
        self.loader
            .problem(path, format!("missing \"{field}\""), hint.to_owned());
    }
    fn unknown(&mut self, field: &str, known: &str) {
        let path = self.path(field);
        self.loader.problem(
            path,
            format!("unknown field \"{field}\""),
            format!("known fields: {known}"),
        );
    }
}

/// Implements the non-object cases of an item visitor: record a problem, skip the value.
macro_rules! item_not_object {
    () => {
        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            self.0.not_an_object("an array");
            Ok(())
        }
        fn visit_str<E>(mut self, _: &str) -> Result<(), E> {
            self.0.not_an_object("a string");
            Ok(())
        }
        fn visit_u64<E>(mut self, _: u64) -> Result<(), E> {
            self.0.not_an_object("a number");
            Ok(())
        }
        fn visit_i64<E>(mut self, _: i64) -> Result<(), E> {
            self.0.not_an_object("a number");
            Ok(())
        }
        fn visit_f64<E>(mut self, _: f64) -> Result<(), E> {
            self.0.not_an_object("a number");
            Ok(())
        }
        fn visit_bool<E>(mut self, _: bool) -> Result<(), E> {
            self.0.not_an_object("a boolean");
            Ok(())
        }
        fn visit_unit<E>(mut self) -> Result<(), E> {
            self.0.not_an_object("null");
            Ok(())
        }
    };
}

struct ServiceVisitor<'l>(ItemSeed<'l>);

impl<'de> Visitor<'de> for ServiceVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a service object")
    }
    item_not_object!();
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let item = &mut self.0;
        let mut service = Service::new(String::new(), ServiceKind::Function);
        let mut symbol = u32::MAX;
        let (mut saw_id, mut saw_kind) = (false, false);
        while let Some(Key(key)) = map.next_key::<Key>()? {
            match &*key {
                "id" => {
                    saw_id = true;
                    let value = map.next_value::<Scalar>()?;
                    let path = item.path("id");
                    if let Some(id) = expect_str(item.loader, value, || path.clone()) {
                        if id.is_empty() {
                            item.loader.problem(
                                path,
                                "the id is empty".to_owned(),
                                "give the service a non-empty, unique id",
                            );
                        } else {
                            symbol = item.loader.symbol(&id);
                            service.id = id.into_owned();
                        }
                    }
                }
                "kind" => {
                    saw_kind = true;
                    let value = map.next_value::<Scalar>()?;
                    let path = item.path("kind");
                    if let Some(kind) = expect_str(item.loader, value, || path.clone()) {
                        match ServiceKind::parse(&kind) {
                            Some(kind) => service.kind = kind,
                            None => item.loader.problem(
                                path,
                                format!("unknown kind \"{kind}\""),
                                "use one of gateway, function, table, queue, topic",
                            ),
                        }
                    }
                }
                "name" => {
                    let value = map.next_value::<Scalar>()?;
                    if let Some(name) = expect_str(item.loader, value, item.lazy_path("name")) {
                        service.name = name.into_owned();
                    }
                }
                "notes" => {
                    let value = map.next_value::<Scalar>()?;
                    if let Some(notes) = expect_str(item.loader, value, item.lazy_path("notes")) {
                        service.notes = notes.into_owned();
                    }
                }
                "behavior" => {
                    let value = map.next_value::<Scalar>()?;
                    let path = item.path("behavior");
                    if let Some(text) = expect_str(item.loader, value, || path.clone()) {
                        match Behavior::parse(&text) {
                            Some(behavior) => service.behavior = Some(behavior),
                            None => item.loader.problem(
                                path,
                                format!("unknown behavior \"{text}\""),
                                "use one of register, login, store-put, store-get, forward, sink",
                            ),
                        }
                    }
                }
                "position" => {
                    let value = map.next_value::<serde_json::Value>()?;
                    match serde_json::from_value::<Position>(value) {
                        Ok(position) if position.x.is_finite() && position.y.is_finite() => {
                            service.position = Some(position)
                        }
                        Ok(_) => item.loader.problem(
                            item.path("position"),
                            "the position is too far out to draw".to_owned(),
                            "use coordinates between -1e30 and 1e30",
                        ),
                        Err(error) => item.loader.problem(
                            item.path("position"),
                            format!("invalid position: {error}"),
                            "write it as {\"x\": 10, \"y\": 20}",
                        ),
                    }
                }
                "routes" => {
                    let value = map.next_value::<serde_json::Value>()?;
                    match serde_json::from_value::<Vec<Route>>(value) {
                        Ok(routes) => service.routes = routes,
                        Err(error) => item.loader.problem(
                            item.path("routes"),
                            format!("invalid routes: {error}"),
                            "write them as [{\"route\": \"POST /login\", \"event\": \"LoginRequested\"}]",
                        ),
                    }
                }
                other => {
                    let other = other.to_owned();
                    map.next_value::<IgnoredAny>()?;
                    item.unknown(&other, "id, name, kind, behavior, routes, position, notes");
                }
            }
        }
        if !saw_id {
            item.missing("id", "add a unique \"id\" to the service");
        }
        if !saw_kind {
            item.missing(
                "kind",
                "add \"kind\": one of gateway, function, table, queue, topic",
            );
        }
        item.loader.services.push(service);
        item.loader.service_symbols.push(symbol);
        Ok(())
    }
}

struct EdgeVisitor<'l>(ItemSeed<'l>);

impl<'de> Visitor<'de> for EdgeVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an edge object")
    }
    item_not_object!();
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let item = &mut self.0;
        let (mut from, mut to, mut event) = (None, None, None);
        let mut broken = false;
        while let Some(Key(key)) = map.next_key::<Key>()? {
            let field = match &*key {
                "from" => 0,
                "to" => 1,
                "event" => 2,
                other => {
                    let other = other.to_owned();
                    map.next_value::<IgnoredAny>()?;
                    item.unknown(&other, "from, to, event");
                    continue;
                }
            };
            let value = map.next_value::<Scalar>()?;
            let name = ["from", "to", "event"][field];
            match expect_str(item.loader, value, item.lazy_path(name)) {
                None => broken = true,
                Some(text) => match field {
                    0 => from = Some(item.loader.symbol(&text)),
                    1 => to = Some(item.loader.symbol(&text)),
                    _ if text.is_empty() => {
                        broken = true;
                        item.loader.problem(
                            item.path("event"),
                            "the event name is empty".to_owned(),
                            "name the event this edge carries, such as \"OrderPlaced\"",
                        );
                    }
                    _ => event = Some(item.loader.event(&text)),
                },
            }
        }
        for (field, value) in [("from", from.is_some()), ("to", to.is_some())] {
            if !value && !broken {
                item.missing(field, "name the id of a service");
            }
        }
        if event.is_none() && !broken {
            item.missing("event", "name the event this edge carries");
        }
        match (from, to, event) {
            (Some(from), Some(to), Some(event)) if !broken => {
                item.loader.edges.push((from, to, event));
            }
            // Keep the edge's position so later problems name the right index.
            (from, to, _) => item.loader.edges.push((
                from.unwrap_or(u32::MAX),
                to.unwrap_or(u32::MAX),
                Arc::from(""),
            )),
        }
        Ok(())
    }
}
