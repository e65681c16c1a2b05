//! The design model: services, the event edges between them, and the checks that keep it valid.
//!
//! This is the source of truth for every front end. The GUI's graph widget is a view model synced
//! from a [`Design`]; the CLI and the simulator read it directly. Nothing here imports egui.

pub mod edit;

use std::fmt;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The file-format versions this build can read (and the one it writes).
pub const SUPPORTED_VERSIONS: &[u32] = &[1];
/// The file-format version this build writes.
pub const CURRENT_VERSION: u32 = 1;

/// What a service is. Decides its colour on the canvas and its default simulated behaviour.
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
}

impl ServiceKind {
    /// Every kind, in the order menus list them.
    pub const ALL: [ServiceKind; 5] = [
        ServiceKind::Gateway,
        ServiceKind::Function,
        ServiceKind::Table,
        ServiceKind::Queue,
        ServiceKind::Topic,
    ];

    /// The name used in files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Gateway => "gateway",
            ServiceKind::Function => "function",
            ServiceKind::Table => "table",
            ServiceKind::Queue => "queue",
            ServiceKind::Topic => "topic",
        }
    }

    /// Parses a kind by its file name.
    pub fn parse(text: &str) -> Option<ServiceKind> {
        ServiceKind::ALL.into_iter().find(|k| k.as_str() == text)
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
pub struct Position {
    /// Horizontal position.
    pub x: f32,
    /// Vertical position.
    pub y: f32,
}

/// A gateway route: a request on `route` is published by the gateway as `event`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Route {
    /// Method and path, such as `POST /register`.
    pub route: String,
    /// The event the gateway publishes for it; its edges carrying this event lead to the handler.
    pub event: String,
}

/// One service of a design.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
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
}

impl Service {
    /// A service with just an id and a kind.
    pub fn new(id: impl Into<String>, kind: ServiceKind) -> Service {
        Service {
            id: id.into(),
            name: String::new(),
            kind,
            behavior: None,
            routes: Vec::new(),
            position: None,
            notes: String::new(),
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

/// An event edge: `from` publishes `event`, `to` subscribes to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventEdge {
    /// The publisher.
    pub from: ServiceIndex,
    /// The subscriber.
    pub to: ServiceIndex,
    /// The event's name. Shared, because large designs repeat a few names many times.
    pub event: Arc<str>,
}

/// A whole design: what is saved in a design file.
///
/// Invariants (kept by the loader and by [`edit::Command`]): ids are unique and non-empty, and
/// every edge names services that exist.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Design {
    /// The design's name.
    pub name: String,
    /// Services in file order. File order breaks ties in the analysis.
    pub services: Vec<Service>,
    /// Event edges in file order.
    pub edges: Vec<EventEdge>,
}

impl Design {
    /// An empty design with a name.
    pub fn new(name: impl Into<String>) -> Design {
        Design {
            name: name.into(),
            ..Design::default()
        }
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

    /// Adds a service by id, kind and edge list; a convenience for tests and generators.
    /// Panics on an unknown id: use [`edit::Command`] for anything a user controls.
    pub fn connect(&mut self, from: &str, to: &str, event: &str) {
        let from = self.find(from).expect("known publisher");
        let to = self.find(to).expect("known subscriber");
        self.edges.push(EventEdge {
            from,
            to,
            event: Arc::from(event),
        });
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
        design
            .services
            .push(Service::new("a", ServiceKind::Function));
        design.services.push(Service::new("b", ServiceKind::Table));
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
            design
                .services
                .push(Service::new(id, ServiceKind::Function));
        }
        design.connect("a", "b", "X");
        design.connect("a", "c", "X");
        design.connect("a", "c", "Y");
        assert_eq!(design.published_events(ServiceIndex(0)), vec!["X", "Y"]);
        assert_eq!(design.consumed_events(ServiceIndex(2)), vec!["X", "Y"]);
    }
}
