//! The design model: services, the event edges between them, and the checks that keep it valid.
//!
//! This is the source of truth for every front end. The GUI's graph widget is a view model synced
//! from a [`Design`]; the CLI and the simulator read it directly. Nothing here imports egui.

pub mod edit;
pub mod evidence;
pub mod filter;
pub mod fragment;
pub mod properties;
pub mod search;
pub mod template;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The file-format versions this build can read (and the one it writes).
pub const SUPPORTED_VERSIONS: &[u32] = &[1, 2];
/// The file-format version this build writes.
pub const CURRENT_VERSION: u32 = 2;

pub use evidence::Evidence;
pub use filter::EdgeFilter;
pub use properties::Properties;
pub use template::TemplateSource;

/// What a service is. Decides its colour on the canvas and its simulated meaning.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceKind {
    /// An API gateway: where requests enter the system.
    Gateway,
    /// A function (like AWS Lambda).
    Function,
    /// A key-value table (like DynamoDB).
    Table,
    /// A queue: one consumer takes each message.
    Queue,
    /// A topic: every subscriber gets each message.
    Topic,
    /// An object store (like S3): keeps objects by key, announces `ObjectCreated`/`ObjectRemoved`.
    Bucket,
    /// An event bus (like EventBridge): delivers each event to the rules whose pattern matches.
    Bus,
    /// A workflow (like Step Functions): runs like a function that forwards.
    StateMachine,
    /// A stream (like Kinesis): a queue that keeps order per partition key.
    Stream,
    /// A schedule: emits its event at the times the scenario gives.
    Schedule,
}

impl ServiceKind {
    /// Every kind, in the order menus list them.
    pub const ALL: [ServiceKind; 10] = [
        ServiceKind::Gateway,
        ServiceKind::Function,
        ServiceKind::Table,
        ServiceKind::Queue,
        ServiceKind::Topic,
        ServiceKind::Bucket,
        ServiceKind::Bus,
        ServiceKind::StateMachine,
        ServiceKind::Stream,
        ServiceKind::Schedule,
    ];

    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Gateway => "gateway",
            ServiceKind::Function => "function",
            ServiceKind::Table => "table",
            ServiceKind::Queue => "queue",
            ServiceKind::Topic => "topic",
            ServiceKind::Bucket => "bucket",
            ServiceKind::Bus => "bus",
            ServiceKind::StateMachine => "state-machine",
            ServiceKind::Stream => "stream",
            ServiceKind::Schedule => "schedule",
        }
    }

    /// Parses a kind by its file name.
    pub fn parse(text: &str) -> Option<ServiceKind> {
        ServiceKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Every kind's file name, comma-separated, for messages.
    pub fn names() -> String {
        let names: Vec<&str> = ServiceKind::ALL.iter().map(|k| k.as_str()).collect();
        names.join(", ")
    }

    /// The kind's colour as RGB: one palette for the canvas and every exporter, so a gateway is
    /// the same purple everywhere.
    pub fn rgb(self) -> [u8; 3] {
        match self {
            ServiceKind::Gateway => [171, 120, 255],
            ServiceKind::Function => [255, 176, 59],
            ServiceKind::Table => [72, 160, 255],
            ServiceKind::Queue => [64, 200, 160],
            ServiceKind::Topic => [240, 98, 146],
            ServiceKind::Bucket => [122, 196, 72],
            ServiceKind::Bus => [236, 72, 86],
            ServiceKind::StateMachine => [214, 110, 214],
            ServiceKind::Stream => [40, 190, 220],
            ServiceKind::Schedule => [160, 160, 176],
        }
    }

    /// The kind's colour as `#rrggbb`.
    pub fn hex(self) -> String {
        let [r, g, b] = self.rgb();
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// A light tint of the kind's colour (`#rrggbb`) for filled shapes on white paper.
    pub fn tint_hex(self) -> String {
        let tint = |c: u8| 255 - (255 - c as u32) * 30 / 100;
        let [r, g, b] = self.rgb().map(|c| tint(c) as u8);
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// The edge mode a new edge into a service of this kind gets: data stores are called
    /// directly, everything else subscribes through the bus.
    pub fn default_mode_into(self) -> EdgeMode {
        match self {
            ServiceKind::Table => EdgeMode::Sync,
            _ => EdgeMode::Async,
        }
    }
}

impl fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a function service behaves in the simulator. Optional: a function without one forwards.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Behavior {
    /// Validates and registers a user, storing an argon2id hash in the table it writes to.
    Register,
    /// Checks a user's password against the stored hash.
    Login,
    /// Puts the event payload into the table it writes to.
    StorePut,
    /// Reads an item from the table it reads from.
    StoreGet,
    /// Publishes what it receives to its subscribers.
    Forward,
    /// Consumes events and publishes nothing (a notification, an audit log).
    Sink,
}

impl Behavior {
    /// Every behaviour, in the order menus list them.
    pub const ALL: [Behavior; 6] = [
        Behavior::Register,
        Behavior::Login,
        Behavior::StorePut,
        Behavior::StoreGet,
        Behavior::Forward,
        Behavior::Sink,
    ];

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Behavior::Register => "register",
            Behavior::Login => "login",
            Behavior::StorePut => "store-put",
            Behavior::StoreGet => "store-get",
            Behavior::Forward => "forward",
            Behavior::Sink => "sink",
        }
    }

    /// Parses a behaviour by its file name.
    pub fn parse(text: &str) -> Option<Behavior> {
        Behavior::ALL.into_iter().find(|b| b.as_str() == text)
    }
}

impl fmt::Display for Behavior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A point on the canvas, in canvas units.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// Horizontal position.
    pub x: f32,
    /// Vertical position.
    pub y: f32,
}

/// A gateway route: a request on `route` is published by the gateway as `event`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Method and path, such as `POST /register`.
    pub route: String,
    /// The event the gateway publishes for it; its edges carrying this event lead to the handler.
    pub event: String,
}

/// A service's identity while a design is open: it never changes, whatever is inserted, deleted
/// or renamed. Not saved; a loaded design numbers its services and edges afresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceUid(pub u32);

/// An edge's identity while a design is open (see [`ServiceUid`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EdgeUid(pub u32);

impl ServiceUid {
    /// Not yet given one: [`Design::add_service`] and the edit commands give it a fresh one.
    pub const UNSET: ServiceUid = ServiceUid(u32::MAX);
}

impl EdgeUid {
    /// Not yet given one (see [`ServiceUid::UNSET`]).
    pub const UNSET: EdgeUid = EdgeUid(u32::MAX);
}

/// How an edge delivers: through the event bus, or as a direct call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeMode {
    /// Publish/subscribe through the bus: the publisher never waits.
    #[default]
    Async,
    /// A direct call or a data access (a function reading or writing its table).
    Sync,
}

impl EdgeMode {
    /// Both modes.
    pub const ALL: [EdgeMode; 2] = [EdgeMode::Async, EdgeMode::Sync];

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeMode::Async => "async",
            EdgeMode::Sync => "sync",
        }
    }

    /// Parses a mode by its file name.
    pub fn parse(text: &str) -> Option<EdgeMode> {
        EdgeMode::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// True for the default (not written to the file).
    pub fn is_async(&self) -> bool {
        *self == EdgeMode::Async
    }
}

/// One service of a design. Two services are equal when what they hold is: the uid is identity,
/// not content (a design reopened from its file numbers its uids afresh).
#[derive(Debug, Clone)]
pub struct Service {
    /// Identity while the design is open (not saved).
    pub uid: ServiceUid,
    /// Unique, non-empty id (any Unicode).
    pub id: String,
    /// Display name; empty means "show the id".
    pub name: String,
    /// What the service is.
    pub kind: ServiceKind,
    /// Simulated behaviour of a function.
    pub behavior: Option<Behavior>,
    /// Gateway routes (gateways only).
    pub routes: Vec<Route>,
    /// Where it sits on the canvas; `None` until placed.
    pub position: Option<Position>,
    /// Free-form notes.
    pub notes: String,
    /// Settings (runtime, memory, timeouts, keys, ...): known keys typed per kind, the rest kept
    /// as they are.
    pub properties: Properties,
}

impl Service {
    /// A service with just an id and a kind.
    pub fn new(id: impl Into<String>, kind: ServiceKind) -> Service {
        Service {
            uid: ServiceUid::UNSET,
            id: id.into(),
            name: String::new(),
            kind,
            behavior: None,
            routes: Vec::new(),
            position: None,
            notes: String::new(),
            properties: Properties::new(),
        }
    }

    /// The name to show: the display name, or the id when it has none.
    pub fn label(&self) -> &str {
        if self.name.is_empty() {
            &self.id
        } else {
            &self.name
        }
    }
}

/// The position of a service in [`Design::services`] (file order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ServiceIndex(pub u32);

impl ServiceIndex {
    /// As a `usize` for indexing.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An event edge: `from` publishes `event`, `to` subscribes to it. Equality ignores the uid, as
/// [`Service`]'s does.
#[derive(Debug, Clone)]
pub struct EventEdge {
    /// The publisher.
    pub from: ServiceIndex,
    /// The subscriber.
    pub to: ServiceIndex,
    /// The event's name. Shared, because large designs repeat a few names many times.
    pub event: Arc<str>,
    /// Identity while the design is open (not saved).
    pub uid: EdgeUid,
    /// Through the bus or a direct call.
    pub mode: EdgeMode,
    /// Which events take this edge; `None` lets every event through. Boxed: most edges have none.
    pub filter: Option<Box<EdgeFilter>>,
    /// Why the edge exists (an imported template's construct); `None` for a drawn edge.
    pub evidence: Option<Box<Evidence>>,
}

/// A loop the user marked as meant to be (a WebSocket reply to its caller), with the reason.
/// Saved in the design; the analysis classes the cycle group of exactly these services as
/// intentional, and `check` does not fail on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntentionalLoop {
    /// The ids of the loop's services (the members of its cycle group), in any order.
    #[schemars(length(min = 1))]
    pub services: Vec<String>,
    /// Why the loop is harmless.
    #[schemars(length(min = 1))]
    pub reason: String,
}

impl PartialEq for Service {
    fn eq(&self, other: &Service) -> bool {
        self.id == other.id
            && self.name == other.name
            && self.kind == other.kind
            && self.behavior == other.behavior
            && self.routes == other.routes
            && self.position == other.position
            && self.notes == other.notes
            && self.properties == other.properties
    }
}

impl PartialEq for EventEdge {
    fn eq(&self, other: &EventEdge) -> bool {
        self.from == other.from
            && self.to == other.to
            && self.event == other.event
            && self.mode == other.mode
            && self.filter == other.filter
            && self.evidence == other.evidence
    }
}

impl EventEdge {
    /// An asynchronous, unfiltered edge without an identity yet.
    pub fn new(from: ServiceIndex, to: ServiceIndex, event: impl Into<Arc<str>>) -> EventEdge {
        EventEdge {
            from,
            to,
            event: event.into(),
            uid: EdgeUid::UNSET,
            mode: EdgeMode::Async,
            filter: None,
            evidence: None,
        }
    }
}

/// A whole design: what is saved in a design file.
///
/// Invariants (kept by the loader and by [`edit::Command`]): ids are unique and non-empty,
/// every edge names services that exist, and every service and edge has its own uid (a design
/// assembled by hand gets them from [`Design::ensure_uids`]).
#[derive(Debug, Clone, Default)]
pub struct Design {
    /// The design's name.
    pub name: String,
    /// Services in file order. File order breaks ties in the analysis.
    pub services: Vec<Service>,
    /// Event edges in file order.
    pub edges: Vec<EventEdge>,
    /// The next uid to give out (services and edges share the counter).
    pub next_uid: u32,
    /// Loops the user marked as meant to be.
    pub intentional_loops: Vec<IntentionalLoop>,
    /// The SAM/CloudFormation template the design was imported from, if it was (shared: undo
    /// snapshots and clones do not copy it).
    pub template: Option<Arc<TemplateSource>>,
    /// The lanes auto-layout gave edges past the columns they skip (see
    /// [`crate::geometry::layout::Layout::vias`]), by edge uid. A side table, not a field of
    /// every edge: most edges have none, and a 5M-edge design stays 80 MB smaller. Read and
    /// written through [`Design::via`] and [`Design::set_via`]; moving an end clears a lane.
    pub lanes: HashMap<EdgeUid, Box<[Position]>>,
}

/// Two designs are equal when what they hold is: uids and their counter are identity and
/// bookkeeping.
impl PartialEq for Design {
    fn eq(&self, other: &Design) -> bool {
        self.name == other.name
            && self.services == other.services
            && self.edges == other.edges
            && self
                .edges
                .iter()
                .map(|e| self.via(e.uid))
                .eq(other.edges.iter().map(|e| other.via(e.uid)))
            && self.intentional_loops == other.intentional_loops
            && self.template == other.template
    }
}

impl Design {
    /// An empty design with a name.
    pub fn new(name: impl Into<String>) -> Design {
        Design {
            name: name.into(),
            ..Design::default()
        }
    }

    /// The lane of an edge (empty for most).
    pub fn via(&self, uid: EdgeUid) -> &[Position] {
        self.lanes.get(&uid).map_or(&[], |v| v)
    }

    /// Sets an edge's lane (empty removes it) and returns the old one. An edge without a uid
    /// yet has no lane.
    pub fn set_via(&mut self, uid: EdgeUid, via: Box<[Position]>) -> Box<[Position]> {
        if uid == EdgeUid::UNSET {
            return Box::default();
        }
        let old = if via.is_empty() {
            self.lanes.remove(&uid)
        } else {
            self.lanes.insert(uid, via)
        };
        old.unwrap_or_default()
    }

    /// Gives a uid to every service and edge that has none, above every uid in use.
    pub fn ensure_uids(&mut self) {
        let used = self
            .services
            .iter()
            .map(|s| s.uid.0)
            .chain(self.edges.iter().map(|e| e.uid.0))
            .filter(|&uid| uid != u32::MAX)
            .max();
        self.next_uid = self.next_uid.max(used.map_or(0, |u| u + 1));
        for service in &mut self.services {
            if service.uid == ServiceUid::UNSET {
                service.uid = ServiceUid(self.next_uid);
                self.next_uid += 1;
            }
        }
        for edge in &mut self.edges {
            if edge.uid == EdgeUid::UNSET {
                edge.uid = EdgeUid(self.next_uid);
                self.next_uid += 1;
            }
        }
    }

    /// A fresh uid for a new service.
    pub fn fresh_service_uid(&mut self) -> ServiceUid {
        self.next_uid += 1;
        ServiceUid(self.next_uid - 1)
    }

    /// A fresh uid for a new edge.
    pub fn fresh_edge_uid(&mut self) -> EdgeUid {
        self.next_uid += 1;
        EdgeUid(self.next_uid - 1)
    }

    /// Appends a service, giving it a fresh uid; returns the uid.
    pub fn add_service(&mut self, mut service: Service) -> ServiceUid {
        service.uid = self.fresh_service_uid();
        let uid = service.uid;
        self.services.push(service);
        uid
    }

    /// Appends an edge, giving it a fresh uid; returns the uid.
    pub fn add_edge(&mut self, mut edge: EventEdge) -> EdgeUid {
        edge.uid = self.fresh_edge_uid();
        let uid = edge.uid;
        self.edges.push(edge);
        uid
    }

    /// Where the service with this uid sits in file order. O(V).
    pub fn index_of(&self, uid: ServiceUid) -> Option<ServiceIndex> {
        self.services
            .iter()
            .position(|s| s.uid == uid)
            .map(|i| ServiceIndex(i as u32))
    }

    /// The service with this uid.
    pub fn by_uid(&self, uid: ServiceUid) -> Option<&Service> {
        self.services.iter().find(|s| s.uid == uid)
    }

    /// Where the edge with this uid sits in file order. O(E).
    pub fn edge_position(&self, uid: EdgeUid) -> Option<usize> {
        self.edges.iter().position(|e| e.uid == uid)
    }

    /// The uid of the service at an index.
    pub fn uid(&self, index: ServiceIndex) -> ServiceUid {
        self.services[index.index()].uid
    }

    /// The service with this id, if any. O(V): build a map for repeated look-ups.
    pub fn find(&self, id: &str) -> Option<ServiceIndex> {
        self.services
            .iter()
            .position(|s| s.id == id)
            .map(|i| ServiceIndex(i as u32))
    }

    /// The service at an index.
    pub fn service(&self, index: ServiceIndex) -> &Service {
        &self.services[index.index()]
    }

    /// The id of the service at an index.
    pub fn id(&self, index: ServiceIndex) -> &str {
        &self.services[index.index()].id
    }

    /// Adds an edge between two ids with the mode their kinds suggest; a convenience for tests
    /// and generators. Panics on an unknown id: use [`edit::Command`] for anything a user
    /// controls.
    pub fn connect(&mut self, from: &str, to: &str, event: &str) -> EdgeUid {
        let from = self.find(from).expect("known publisher");
        let to = self.find(to).expect("known subscriber");
        let mut edge = EventEdge::new(from, to, event);
        edge.mode = self.service(to).kind.default_mode_into();
        self.add_edge(edge)
    }

    /// Checks an id a user typed for a new or renamed service.
    pub fn check_new_id(&self, id: &str, except: Option<ServiceIndex>) -> Result<(), String> {
        if id.trim().is_empty() {
            return Err("a service id cannot be empty".to_owned());
        }
        if let Some(existing) = self.find(id)
            && Some(existing) != except
        {
            return Err(format!(
                "the id \"{id}\" is already used by another service; choose a different id"
            ));
        }
        Ok(())
    }

    /// The events a service publishes, deduplicated, in edge order.
    pub fn published_events(&self, index: ServiceIndex) -> Vec<&str> {
        dedup_events(self.edges.iter().filter(|e| e.from == index))
    }

    /// Every event name the design uses, once each: those its edges carry (in edge order),
    /// then those only its gateway routes name. O(E + R) with a hash set.
    pub fn event_names(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        self.edges
            .iter()
            .map(|e| &*e.event)
            .chain(
                self.services
                    .iter()
                    .flat_map(|s| s.routes.iter().map(|r| r.event.as_str())),
            )
            .filter(|e| !e.is_empty() && seen.insert(*e))
            .collect()
    }

    /// The events a service consumes, deduplicated, in edge order.
    pub fn consumed_events(&self, index: ServiceIndex) -> Vec<&str> {
        dedup_events(self.edges.iter().filter(|e| e.to == index))
    }
}

fn dedup_events<'a>(edges: impl Iterator<Item = &'a EventEdge>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for edge in edges {
        if !out.contains(&&*edge.event) {
            out.push(&edge.event);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_behaviors_round_trip_by_name() {
        for kind in ServiceKind::ALL {
            assert_eq!(ServiceKind::parse(kind.as_str()), Some(kind));
        }
        for behavior in Behavior::ALL {
            assert_eq!(Behavior::parse(behavior.as_str()), Some(behavior));
        }
        assert_eq!(ServiceKind::parse("lambda"), None);
    }

    #[test]
    fn new_ids_must_be_unique_and_non_empty() {
        let mut design = Design::new("t");
        design.add_service(Service::new("a", ServiceKind::Function));
        design.add_service(Service::new("b", ServiceKind::Table));
        assert!(design.check_new_id("c", None).is_ok());
        assert!(design.check_new_id("  ", None).is_err());
        let clash = design.check_new_id("b", Some(ServiceIndex(0))).unwrap_err();
        assert!(clash.contains("already used"), "{clash}");
        assert!(design.check_new_id("b", Some(ServiceIndex(1))).is_ok());
    }

    #[test]
    fn events_are_listed_once_per_service() {
        let mut design = Design::new("t");
        for id in ["a", "b", "c"] {
            design.add_service(Service::new(id, ServiceKind::Function));
        }
        design.connect("a", "b", "X");
        design.connect("a", "c", "X");
        design.connect("a", "c", "Y");
        assert_eq!(design.published_events(ServiceIndex(0)), vec!["X", "Y"]);
        assert_eq!(design.consumed_events(ServiceIndex(2)), vec!["X", "Y"]);
        design.services[0].routes.push(Route {
            route: "GET /x".into(),
            event: "Z".into(),
        });
        design.services[0].routes.push(Route {
            route: "GET /y".into(),
            event: "X".into(),
        });
        assert_eq!(design.event_names(), vec!["X", "Y", "Z"]);
    }
}
