//! The simulator: a discrete-event run of a design against a scenario, with an event bus, an
//! in-memory store and behaviours for functions.
//!
//! # How a request travels
//! 1. A request (`POST /register`) enters at the gateway whose `routes` list it. The route names
//!    an event (`RegisterRequested`); the gateway publishes it on each of its out-edges carrying
//!    that event.
//! 2. The event bus gives every subscriber its own FIFO queue. A publisher never waits: its
//!    events arrive `bus_latency` later in each subscriber's queue. A subscriber handles one event
//!    at a time, taking its behaviour's handling time in virtual time.
//! 3. A function handles an event by its `behavior` (`register`, `login`, `store-put`,
//!    `store-get`, `forward`, `sink`; a function without one forwards; gateways, queues and
//!    topics forward). The first handler that answers a request gives its response; a request
//!    that only reached sinks gets 202, one nothing answered gets 502.
//! 4. A function's table is the table service it has an edge to (out-edges first, then
//!    in-edges); edges to tables are data accesses, never bus deliveries.
//! 5. Edge modes and filters: a `sync` edge is a direct call, delivered without the bus's
//!    latency; an edge with a `filter` takes only the events it matches (the publisher's id as
//!    `source`, the event as `detail-type`, the payload as `detail` and its `key` field for
//!    prefix and suffix).
//! 6. The other kinds: a bucket stores each event's payload as an object under its `key` field
//!    (one is made up when it has none) and publishes `ObjectCreated` (an event named like
//!    `Remove...`/`Delete...` removes it and publishes `ObjectRemoved`) on its out-edges whose
//!    event starts with that name; a bus delivers what it gets to its rules (filtered out-edges
//!    whose filter matches, unfiltered ones carrying the same event); a state machine runs like a
//!    function that forwards; a stream is a queue (its FIFO keeps order, per key too); a schedule
//!    publishes on all its out-edges at the times the scenario's `schedules` give.
//!
//! # Engine
//! A state machine stepped by plain methods: a binary heap of timed actions ordered by
//! (virtual time, sequence number), so equal times keep their scheduling order and a run is
//! deterministic. A subscriber is woken from its queue only when events wait in it, so an idle
//! path costs one action per delivery. [`Simulation::step`] returns the next [`TraceEntry`]; [`Simulation::run`]
//! runs without recording a trace (for long runs on a worker thread, with progress and
//! cancellation). Each action costs O(log h) for h pending actions.
//!
//! Same design + scenario + seed gives the same trace and the same store, byte for byte: the
//! only randomness (argon2 salts) comes from a seeded `StdRng`, and wall-clock time is never read.

mod budget;
mod handlers;
pub mod scenario;
pub mod store;
pub mod trace;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Serialize, Serializer};
use serde_json::{Value, json};

use crate::diagnostics::Problem;
use crate::model::{Behavior, Design, ServiceKind};
use handlers::{Context, Handled, Hashing, Publish};

pub use handlers::{
    LOGIN_FAILED, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, USER_LOGGED_IN, USER_REGISTERED,
    looks_like_email,
};
pub use scenario::{
    BUILTIN_SCENARIO, HashCost, Scenario, ScenarioError, ScenarioRequest, TableConfig,
    load_scenario, parse_scenario,
};
pub use store::{Store, Table, WriteOutcome};
pub use trace::{REDACTED, TraceEntry, TraceKind, redact};

/// Virtual time an event spends on the bus, publisher to subscriber queue, unless the scenario
/// says otherwise: 1 ms.
pub const DEFAULT_BUS_LATENCY_US: u64 = 1_000;
/// Seed used when neither the scenario nor the caller gives one.
pub const DEFAULT_SEED: u64 = 0;
/// An event that has travelled this many edges is dead-lettered: it is going round a cycle.
pub const MAX_HOPS: u16 = 64;
/// At most this many events may descend from one request; the rest are dead-lettered.
pub const MAX_EVENTS_PER_REQUEST: u32 = 10_000;

/// Default handling time of a behaviour, in microseconds of virtual time.
pub fn default_latency_us(kind: ServiceKind, behavior: Behavior) -> u64 {
    match (kind, behavior) {
        (ServiceKind::Gateway, _) => 1_000,
        (_, Behavior::Register | Behavior::Login) => 30_000,
        (_, Behavior::StorePut | Behavior::StoreGet) => 5_000,
        (_, Behavior::Forward) => 1_000,
        (_, Behavior::Sink) => 2_000,
    }
}

/// The behaviour a service runs: its own, else `forward` (a table never handles events).
pub fn effective_behavior(kind: ServiceKind, behavior: Option<Behavior>) -> Behavior {
    match (kind, behavior) {
        (ServiceKind::Table, _) => Behavior::Sink,
        (_, Some(behavior)) => behavior,
        (_, None) => Behavior::Forward,
    }
}

/// The answer to one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    /// The request's number (0-based, scenario order).
    pub request: u64,
    /// The request's route.
    #[serde(serialize_with = "arc_str")]
    pub route: Arc<str>,
    /// HTTP status.
    pub status: u16,
    /// JSON body (`null` when the run does not keep bodies).
    pub body: Value,
    /// Virtual time from request to response, in microseconds.
    pub latency_us: u64,
}

fn arc_str<S: Serializer>(text: &Arc<str>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(text)
}

/// How far a run has got. Cheap to copy; the GUI shows it as a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Requests sent so far.
    pub requests_sent: u64,
    /// Requests the scenario sends in all.
    pub requests_total: u64,
    /// Requests answered so far.
    pub responses: u64,
    /// Events delivered by the bus to subscriber queues so far.
    pub events_delivered: u64,
    /// Timed actions processed so far.
    pub actions: u64,
    /// Virtual time now, in microseconds.
    pub now_us: u64,
    /// True when nothing is left to do.
    pub finished: bool,
}

impl Progress {
    /// Share of requests answered, from 0 to 1.
    pub fn fraction(&self) -> f32 {
        if self.finished || self.requests_total == 0 {
            1.0
        } else {
            self.responses as f32 / self.requests_total as f32
        }
    }
}

/// How [`Simulation::run`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// Everything was processed.
    Finished,
    /// The cancel flag was raised; the run can be resumed.
    Cancelled,
}

/// An event in flight or in a queue.
#[derive(Debug, Clone)]
struct Message {
    /// Index into `Simulation::events`.
    event: u32,
    payload: Arc<Value>,
    request: u32,
    from: u32,
    /// The trace entry that published it.
    cause: u64,
    /// True while the request it belongs to may still be answered through it.
    reply: bool,
    hops: u16,
}

#[derive(Debug)]
enum Action {
    /// The next scenario request arrives at its gateway.
    NextRequest,
    /// An event reaches a subscriber's queue.
    Deliver { to: u32, message: Message },
    /// A service finishes its current event and takes the next one from its queue.
    Ready { service: u32 },
    /// A schedule fires.
    Fire { service: u32, at_ms: u64 },
    /// The gateway answers a request.
    Respond {
        request: u32,
        status: u16,
        body: Arc<Value>,
        cause: u64,
    },
}

#[derive(Debug)]
struct Timed {
    at_us: u64,
    seq: u64,
    action: Action,
}

// Reversed, so the std max-heap pops the earliest time, then the earliest scheduled.
impl Ord for Timed {
    fn cmp(&self, other: &Timed) -> Ordering {
        (other.at_us, other.seq).cmp(&(self.at_us, self.seq))
    }
}
impl PartialOrd for Timed {
    fn partial_cmp(&self, other: &Timed) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Timed {
    fn eq(&self, other: &Timed) -> bool {
        (self.at_us, self.seq) == (other.at_us, other.seq)
    }
}
impl Eq for Timed {}

#[derive(Debug)]
struct Node {
    id: String,
    kind: ServiceKind,
    behavior: Behavior,
    latency_us: u64,
    /// The table it uses and the event name of the edge to it.
    table: Option<(String, Arc<str>)>,
    /// Subscribers (never tables) by the edges to them, in edge order.
    outs: Vec<Out>,
    queue: VecDeque<Message>,
    /// Virtual time when the event being handled is done; idle from then on.
    busy_until_us: u64,
}

/// An out-edge as the bus sees it.
#[derive(Debug, Clone)]
struct Out {
    to: u32,
    /// The event it carries (interned).
    event: u32,
    /// A direct call: no bus latency.
    sync: bool,
    filter: Option<Arc<crate::model::filter::CompiledFilter>>,
}

/// Which out-edges a publish takes.
#[derive(Debug, Clone, Copy)]
enum Select<'a> {
    All,
    Event(u32),
    Prefix(&'a str),
    Rules(u32),
}

#[derive(Debug)]
struct RequestState {
    route: Arc<str>,
    gateway: u32,
    sent_at_us: u64,
    /// Reply-carrying events not handled yet.
    outstanding: u32,
    /// Events descended from this request.
    events: u32,
    /// A response is scheduled or given.
    answered: bool,
    /// A sink took it: 202 if nothing else answers.
    accepted: bool,
    response: Option<Response>,
    /// Deliveries of its events scheduled and not handled yet: when none are left and it has
    /// been responded to, nothing can touch it again.
    live: u32,
    /// Its response was given (or none is due: a schedule's firing).
    responded: bool,
}

/// Where the scenario's request list is up to.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    round: u64,
    index: usize,
    repeat: u64,
}

/// A running simulation: session state, never saved. See the module docs for the semantics.
pub struct Simulation {
    design_name: String,
    scenario: Scenario,
    /// Per scenario request: the gateway and the event its route maps to.
    routes: Vec<(u32, u32)>,
    /// Event names, interned: messages and edges carry indices.
    events: Vec<Arc<str>>,
    /// The indices of `UserRegistered` and `UserLoggedIn`, when an edge carries them.
    well_known: [Option<u32>; 2],
    nodes: Vec<Node>,
    store: Store,
    heap: BinaryHeap<Timed>,
    next_seq: u64,
    next_entry: u64,
    pending: VecDeque<TraceEntry>,
    cursor: Option<Cursor>,
    /// The requests from `first_request` on. A run that keeps its responses keeps them all; a
    /// streaming run drops each from the front once it is done (see [`Simulation::streaming`]).
    requests: VecDeque<RequestState>,
    first_request: u32,
    /// Whether done requests are kept ([`Simulation::responses`]) or handed out and dropped.
    retain: bool,
    /// Responses of dropped requests, in request order, until [`Simulation::take_responses`].
    released: VecDeque<Response>,
    /// Whether dropped requests' responses go to `released` or are only counted.
    hand_out: bool,
    /// Messages waiting in subscriber queues.
    queued: usize,
    /// The most requests, timed actions and queued messages held at once (from the budget).
    hold_limit: usize,
    /// Why the run stopped early ([`Simulation::stopped`]).
    stopped: Option<(String, String)>,
    rng: StdRng,
    seed: u64,
    hashing: Hashing,
    bus_latency_us: u64,
    keep_bodies: bool,
    status_counts: BTreeMap<u16, u64>,
    progress: Progress,
    notes: Vec<String>,
}

impl std::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulation")
            .field("design", &self.design_name)
            .field("seed", &self.seed)
            .field("progress", &self.progress)
            .finish_non_exhaustive()
    }
}

impl Simulation {
    /// Prepares a run of `scenario` on `design`. Checks that every route is served by a
    /// gateway and every service the scenario names exists; reports all problems at once.
    /// O(V + E + requests).
    pub fn new(design: &Design, scenario: Scenario) -> Result<Simulation, ScenarioError> {
        Simulation::build(design, scenario, true)
    }

    /// [`Simulation::new`] for runs of any length: a request is dropped as soon as it is done
    /// and its response handed to [`Simulation::take_responses`], so memory stays bounded by
    /// the requests in flight and the store, not by the requests sent.
    /// [`Simulation::responses`] then lists only the requests still in flight.
    pub fn streaming(design: &Design, scenario: Scenario) -> Result<Simulation, ScenarioError> {
        Simulation::build(design, scenario, false)
    }

    fn build(
        design: &Design,
        scenario: Scenario,
        retain: bool,
    ) -> Result<Simulation, ScenarioError> {
        let mut problems =
            budget::check(design, &scenario, retain, crate::limits::Budget::current());
        let mut nodes: Vec<Node> = design
            .services
            .iter()
            .map(|service| {
                let behavior = effective_behavior(service.kind, service.behavior);
                Node {
                    id: service.id.clone(),
                    kind: service.kind,
                    behavior,
                    latency_us: scenario
                        .latency_us
                        .get(&service.id)
                        .copied()
                        .unwrap_or_else(|| default_latency_us(service.kind, behavior)),
                    // A bucket is its own store.
                    table: (service.kind == ServiceKind::Bucket)
                        .then(|| (service.id.clone(), Arc::from("object"))),
                    outs: Vec::new(),
                    queue: VecDeque::new(),
                    busy_until_us: 0,
                }
            })
            .collect();
        let is_table = |i: u32| design.services[i as usize].kind == ServiceKind::Table;
        let mut events: Vec<Arc<str>> = Vec::new();
        let mut event_ids: std::collections::HashMap<Arc<str>, u32> =
            std::collections::HashMap::new();
        let mut intern = |name: &Arc<str>| -> u32 {
            *event_ids.entry(Arc::clone(name)).or_insert_with(|| {
                events.push(Arc::clone(name));
                (events.len() - 1) as u32
            })
        };
        for edge in &design.edges {
            let (from, to) = (edge.from.0, edge.to.0);
            if is_table(to) {
                let node = &mut nodes[from as usize];
                if node.table.is_none() {
                    node.table = Some((design.id(edge.to).to_owned(), Arc::clone(&edge.event)));
                }
            } else {
                let event = intern(&edge.event);
                nodes[from as usize].outs.push(Out {
                    to,
                    event,
                    sync: edge.mode == crate::model::EdgeMode::Sync,
                    filter: edge.filter.as_deref().map(|f| Arc::new(f.compile())),
                });
            }
        }
        // In-edges from a table (reads) count when a function writes to none.
        for edge in &design.edges {
            if is_table(edge.from.0) && nodes[edge.to.index()].table.is_none() {
                nodes[edge.to.index()].table =
                    Some((design.id(edge.from).to_owned(), Arc::clone(&edge.event)));
            }
        }

        let mut store = Store::default();
        for service in &design.services {
            if service.kind == ServiceKind::Bucket {
                // A bucket keeps its objects by key.
                store
                    .tables
                    .insert(service.id.clone(), Table::new("key".to_owned()));
            }
        }
        for service in scenario.schedules.keys() {
            match design.find(service).map(|i| design.service(i).kind) {
                Some(ServiceKind::Schedule) => {}
                Some(kind) => problems.push(Problem::new(
                    format!("schedules.{service}"),
                    format!("{service} is a {kind}, not a schedule"),
                    "name a service of kind schedule",
                )),
                None => problems.push(Problem::new(
                    format!("schedules.{service}"),
                    format!(
                        "the design has no service \"{}\"",
                        crate::diagnostics::cut(service)
                    ),
                    "use the id of a service of kind schedule",
                )),
            }
        }
        for service in &design.services {
            if service.kind != ServiceKind::Table {
                continue;
            }
            let used_for_users = nodes.iter().any(|n| {
                matches!(n.behavior, Behavior::Register | Behavior::Login)
                    && n.kind != ServiceKind::Table
                    && n.table.as_ref().is_some_and(|(t, _)| *t == service.id)
            });
            let key = match scenario.tables.get(&service.id) {
                Some(config) => config.key.clone(),
                None if used_for_users => "name".to_owned(),
                None => "id".to_owned(),
            };
            store.tables.insert(service.id.clone(), Table::new(key));
        }

        // Routes: the first gateway (file order) listing a route serves it.
        let mut route_map: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
        for (i, service) in design.services.iter().enumerate() {
            if service.kind != ServiceKind::Gateway {
                continue;
            }
            for route in &service.routes {
                let event = intern(&Arc::from(route.event.as_str()));
                route_map
                    .entry(route.route.trim())
                    .or_insert((i as u32, event));
            }
        }
        if route_map.is_empty() && !scenario.requests.is_empty() {
            problems.push(Problem {
                path: "requests".to_owned(),
                message: format!(
                    "the design \"{}\" has no gateway with routes, so no request can enter",
                    design.name
                ),
                hint: "add a service of kind gateway with \"routes\": [{\"route\": \"POST /register\", \"event\": \"RegisterRequested\"}] and an edge carrying that event".to_owned(),
            });
        }
        let known: Vec<&str> = route_map.keys().copied().collect();
        let mut routes = Vec::with_capacity(scenario.requests.len());
        for (i, request) in scenario.requests.iter().enumerate() {
            match route_map.get(&*request.route) {
                Some(found) => routes.push(*found),
                None => {
                    if !known.is_empty() {
                        let suggestion = crate::diagnostics::closest(&request.route, &known)
                            .map(|k| format!("did you mean \"{k}\"? "))
                            .unwrap_or_default();
                        problems.push(Problem {
                            path: format!("requests[{i}].route"),
                            message: format!(
                                "no gateway of the design has the route \"{}\"",
                                request.route
                            ),
                            hint: format!("{suggestion}the routes are: {}", known.join(", ")),
                        });
                    }
                    routes.push((0, 0));
                }
            }
        }
        for service in scenario.latency_us.keys() {
            if design.find(service).is_none() {
                problems.push(Problem {
                    path: format!("latency_ms.{service}"),
                    message: format!("the design has no service \"{service}\""),
                    hint: "use the id of a service of the design".to_owned(),
                });
            }
        }
        for table in scenario.tables.keys() {
            if !store.tables.contains_key(table) {
                problems.push(Problem {
                    path: format!("tables.{table}"),
                    message: format!("the design has no table service \"{table}\""),
                    hint: "use the id of a service of kind table".to_owned(),
                });
            }
        }
        let hashing = Hashing::new(scenario.hash_cost).map_err(|error| {
            problems.push(Problem {
                path: "hash_cost".to_owned(),
                message: format!("argon2 refuses this cost: {error}"),
                hint: "m_cost_kib must be at least 8 × p_cost".to_owned(),
            });
        });
        let hashing = match hashing {
            Ok(hashing) if problems.is_empty() => hashing,
            _ => {
                let origin = if scenario.origin.is_empty() {
                    "scenario".to_owned()
                } else {
                    scenario.origin.clone()
                };
                return Err(ScenarioError::Invalid { origin, problems });
            }
        };

        let mut notes = Vec::new();
        let cost = scenario.hash_cost;
        if cost.is_lowered() {
            let d = HashCost::DEFAULT;
            notes.push(format!(
                "password hashing cost lowered to argon2id m={} KiB, t={}, p={} (default m={} KiB, t={}, p={}): for load runs only",
                cost.m_cost_kib, cost.t_cost, cost.p_cost, d.m_cost_kib, d.t_cost, d.p_cost
            ));
        }
        let seed = scenario.seed.unwrap_or(DEFAULT_SEED);
        let well_known = [USER_REGISTERED, USER_LOGGED_IN].map(|name| event_ids.get(name).copied());
        let mut simulation = Simulation {
            design_name: design.name.clone(),
            routes,
            events,
            well_known,
            nodes,
            store,
            heap: BinaryHeap::new(),
            next_seq: 0,
            next_entry: 0,
            pending: VecDeque::new(),
            cursor: None,
            requests: VecDeque::new(),
            first_request: 0,
            retain,
            released: VecDeque::new(),
            hand_out: true,
            queued: 0,
            hold_limit: budget::hold_limit(crate::limits::Budget::current()),
            stopped: None,
            rng: StdRng::seed_from_u64(seed),
            seed,
            hashing,
            bus_latency_us: scenario.bus_latency_us.unwrap_or(DEFAULT_BUS_LATENCY_US),
            keep_bodies: true,
            status_counts: BTreeMap::new(),
            progress: Progress {
                requests_total: scenario.request_count(),
                ..Progress::default()
            },
            notes,
            scenario,
        };
        let firings: Vec<(u32, u64)> = simulation
            .scenario
            .schedules
            .iter()
            .filter_map(|(id, times)| Some((design.find(id)?.0, times)))
            .flat_map(|(service, times)| times.iter().map(move |&ms| (service, ms)))
            .collect();
        for (service, at_ms) in firings {
            simulation.schedule(at_ms * 1000, Action::Fire { service, at_ms });
        }
        if let Some(first) = simulation.first_cursor() {
            let delay = simulation.scenario.requests[first.index].delay_ms * 1000;
            simulation.cursor = Some(first);
            simulation.schedule(delay, Action::NextRequest);
        } else if simulation.heap.is_empty() {
            simulation.progress.finished = true;
        }
        Ok(simulation)
    }

    /// Keeps (the default) or drops response bodies; a long run drops them to save memory.
    pub fn keep_response_bodies(&mut self, keep: bool) {
        self.keep_bodies = keep;
    }

    /// The seed of the random source.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The scenario being run.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Things the output must say, such as a lowered hashing cost.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The tables, inspectable at any step. Items hold hashes, never passwords.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// How far the run has got.
    pub fn progress(&self) -> Progress {
        self.progress
    }

    /// True when nothing is left to do.
    pub fn is_finished(&self) -> bool {
        self.progress.finished && self.pending.is_empty()
    }

    /// Responses given so far, in request order.
    pub fn responses(&self) -> impl Iterator<Item = &Response> {
        self.requests.iter().filter_map(|r| r.response.as_ref())
    }

    /// Responses of the requests a streaming run has finished with since the last call, in
    /// request order (see [`Simulation::streaming`]; a run that keeps its requests gives none).
    pub fn take_responses(&mut self) -> impl Iterator<Item = Response> + '_ {
        self.released.drain(..)
    }

    /// The state of request `request`, which is still kept.
    fn request_mut(&mut self, request: u32) -> &mut RequestState {
        &mut self.requests[(request - self.first_request) as usize]
    }

    fn next_request_id(&self) -> u32 {
        self.first_request + self.requests.len() as u32
    }

    /// Drops done requests from the front, handing out their responses. Requests finish
    /// roughly in order, so the requests kept are about those in flight.
    fn release(&mut self) {
        while let Some(front) = self.requests.front() {
            if !front.responded || front.live > 0 {
                break;
            }
            if let Some(state) = self.requests.pop_front() {
                self.first_request += 1;
                if self.hand_out {
                    self.released.extend(state.response);
                }
            }
        }
    }

    /// How many responses had each status.
    pub fn status_counts(&self) -> &BTreeMap<u16, u64> {
        &self.status_counts
    }

    /// Ids of the services that are handling an event now (the GUI makes them glow).
    pub fn busy_services(&self) -> impl Iterator<Item = &str> {
        let now = self.progress.now_us;
        self.nodes
            .iter()
            .filter(move |n| n.busy_until_us > now)
            .map(|n| n.id.as_str())
    }

    /// The next trace entry, or `None` when the run is over. Entries come in virtual-time order;
    /// `entry.id` counts from 0.
    pub fn step(&mut self) -> Option<TraceEntry> {
        loop {
            if let Some(entry) = self.pending.pop_front() {
                return Some(entry);
            }
            if !self.advance(true) {
                return None;
            }
        }
    }

    /// Runs to the end, returning the whole trace.
    pub fn run_to_end(&mut self) -> Vec<TraceEntry> {
        std::iter::from_fn(|| self.step()).collect()
    }

    /// Runs without recording a trace until the end or until `cancel` is raised (checked every
    /// 1024 actions), calling `on_progress` about every 65 536 actions and at the end. For long
    /// runs on a worker thread; the trace is not kept, the store and responses are.
    pub fn run(&mut self, cancel: &AtomicBool, mut on_progress: impl FnMut(&Progress)) -> RunEnd {
        self.pending.clear();
        let mut count: u64 = 0;
        loop {
            if count.is_multiple_of(1024) && cancel.load(std::sync::atomic::Ordering::Relaxed) {
                on_progress(&self.progress);
                return RunEnd::Cancelled;
            }
            if !self.advance(false) {
                on_progress(&self.progress);
                return RunEnd::Finished;
            }
            count += 1;
            if count.is_multiple_of(65_536) {
                on_progress(&self.progress);
            }
        }
    }

    /// The run as JSON: `{"responses", "trace", "store"}` plus the fields of
    /// [`Simulation::report_header_json`]. The CLI writes the same fields as the run goes.
    pub fn report_json(&self, trace: &[TraceEntry]) -> Value {
        let mut report = self.report_header_json();
        if let Value::Object(fields) = &mut report {
            fields.insert(
                "responses".to_owned(),
                json!(self.responses().collect::<Vec<_>>()),
            );
            fields.insert("trace".to_owned(), json!(trace));
            fields.insert("store".to_owned(), self.store.to_json());
        }
        report
    }

    /// What a report says before its trace: the design name, seed, hashing cost and notes.
    pub fn report_header_json(&self) -> Value {
        let cost = self.scenario.hash_cost;
        json!({
            "design": self.design_name,
            "seed": self.seed,
            "hash_cost": {
                "algorithm": "argon2id",
                "m_cost_kib": cost.m_cost_kib,
                "t_cost": cost.t_cost,
                "p_cost": cost.p_cost,
                "lowered": cost.is_lowered(),
            },
            "notes": self.notes,
        })
    }

    /// Why the run stopped before its end, if it did: more requests and events in flight at
    /// once than the memory budget holds (see [`crate::limits`]).
    pub fn stopped(&self) -> Option<(&str, &str)> {
        self.stopped
            .as_ref()
            .map(|(message, hint)| (message.as_str(), hint.as_str()))
    }

    fn stop_over_budget(&mut self, held: usize) {
        let budget = crate::limits::Budget::current();
        let message = format!(
            "the run stopped after {} ms of virtual time: {held} requests and events were in flight at once, more than the memory budget of {} holds (requests arrive faster than the design handles them)",
            self.progress.now_us / 1000,
            crate::limits::human_bytes(budget.bytes),
        );
        let hint = format!(
            "raise the requests' \"delay_ms\" above the slowest service's latency, or {}",
            budget.raise_hint(budget.bytes.saturating_mul(2))
        );
        self.stopped = Some((message, hint));
        self.progress.finished = true;
    }

    /// Whether a streaming run hands out the responses of the requests it drops (the default)
    /// or only counts them ([`Simulation::status_counts`]), as a load run does.
    pub fn hand_out_responses(&mut self, hand_out: bool) {
        self.hand_out = hand_out;
    }

    fn first_cursor(&self) -> Option<Cursor> {
        let index = self.scenario.requests.iter().position(|r| r.repeat > 0)?;
        (self.scenario.rounds > 0).then_some(Cursor {
            round: 0,
            index,
            repeat: 0,
        })
    }

    fn next_cursor(&self, at: Cursor) -> Option<Cursor> {
        let requests = &self.scenario.requests;
        if at.repeat + 1 < requests[at.index].repeat {
            return Some(Cursor {
                repeat: at.repeat + 1,
                ..at
            });
        }
        let mut round = at.round;
        let mut index = at.index + 1;
        loop {
            if index >= requests.len() {
                round += 1;
                index = 0;
                if round >= self.scenario.rounds {
                    return None;
                }
            }
            if requests[index].repeat > 0 {
                return Some(Cursor {
                    round,
                    index,
                    repeat: 0,
                });
            }
            index += 1;
        }
    }

    fn schedule(&mut self, at_us: u64, action: Action) {
        self.heap.push(Timed {
            at_us,
            seq: self.next_seq,
            action,
        });
        self.next_seq += 1;
    }

    fn entry_id(&mut self) -> u64 {
        let id = self.next_entry;
        self.next_entry += 1;
        id
    }

    /// Processes one timed action; false when none is left.
    fn advance(&mut self, record: bool) -> bool {
        if self.stopped.is_some() {
            return false;
        }
        let held = self.requests.len() + self.heap.len() + self.queued;
        if held > self.hold_limit {
            self.stop_over_budget(held);
            return false;
        }
        let Some(Timed { at_us, action, .. }) = self.heap.pop() else {
            self.progress.finished = true;
            return false;
        };
        self.progress.now_us = at_us;
        self.progress.actions += 1;
        match action {
            Action::NextRequest => self.send_request(record),
            Action::Deliver { to, message } => {
                self.progress.events_delivered += 1;
                let node = &mut self.nodes[to as usize];
                if node.busy_until_us > at_us || !node.queue.is_empty() {
                    // Wake the subscriber when it is free, unless a wake-up is already due.
                    if node.queue.is_empty() {
                        let wake_at = node.busy_until_us;
                        self.schedule(wake_at, Action::Ready { service: to });
                    }
                    let node = &mut self.nodes[to as usize];
                    node.queue.push_back(message);
                    self.queued += 1;
                    if record {
                        let message = node.queue.back().cloned();
                        let waiting = node.queue.len();
                        if let Some(message) = message {
                            self.record_message(
                                TraceKind::Queued,
                                to,
                                &message,
                                format!("queued ({waiting} waiting)"),
                                None,
                                0,
                            );
                        }
                    }
                } else {
                    self.handle(to, message, record);
                }
            }
            Action::Ready { service } => {
                let node = &mut self.nodes[service as usize];
                if let Some(message) = node.queue.pop_front() {
                    self.queued -= 1;
                    self.handle(service, message, record);
                    let node = &self.nodes[service as usize];
                    if !node.queue.is_empty() {
                        let wake_at = node.busy_until_us;
                        self.schedule(wake_at, Action::Ready { service });
                    }
                }
            }
            Action::Respond {
                request,
                status,
                body,
                cause,
            } => self.respond(request, status, body, cause, record),
            Action::Fire { service, at_ms } => self.fire(service, at_ms, record),
        }
        if !self.retain {
            self.release();
        }
        if self.heap.is_empty() {
            self.progress.finished = true;
        }
        true
    }

    fn send_request(&mut self, record: bool) {
        let Some(cursor) = self.cursor else {
            return;
        };
        let now = self.progress.now_us;
        let template = &self.scenario.requests[cursor.index];
        let body = Arc::new(instantiate(&template.body, cursor.round, cursor.repeat));
        let route = Arc::clone(&template.route);
        let (gateway, event_id) = self.routes[cursor.index];
        let event = Arc::clone(&self.events[event_id as usize]);
        let request = self.next_request_id();
        let entry = self.entry_id();
        let latency = self.nodes[gateway as usize].latency_us;
        self.requests.push_back(RequestState {
            route: Arc::clone(&route),
            gateway,
            sent_at_us: now,
            outstanding: 0,
            events: 0,
            answered: false,
            accepted: false,
            response: None,
            live: 0,
            responded: false,
        });
        self.progress.requests_sent += 1;
        let message = Message {
            event: event_id,
            payload: Arc::clone(&body),
            request,
            from: gateway,
            cause: entry,
            reply: true,
            hops: 0,
        };
        let (count, names) = self.publish(
            gateway,
            Select::Event(event_id),
            &body,
            &message,
            now + latency,
            record,
        );
        let state = self.request_mut(request);
        state.outstanding = count;
        state.events = count;
        if count == 0 {
            let body = Arc::new(json!({
                "error": format!("no service subscribes to {event}, the event of route {route}"),
            }));
            self.answer(request, 502, body, entry, now + latency);
        }
        if record {
            let outcome = if count == 0 {
                format!("no subscriber for {event}: 502")
            } else {
                format!("published {event} to {names}")
            };
            self.pending.push_back(TraceEntry {
                id: entry,
                at_us: now,
                kind: TraceKind::Request,
                service: self.nodes[gateway as usize].id.clone(),
                from: None,
                request: u64::from(request),
                caused_by: None,
                event: route.to_string(),
                payload: redact(&body),
                outcome,
                status: None,
                duration_us: latency,
            });
        }
        // Schedule the next request.
        let next = self.next_cursor(cursor);
        self.cursor = next;
        if let Some(next) = next {
            let delay = self.scenario.requests[next.index].delay_ms * 1000;
            self.schedule(now + delay, Action::NextRequest);
        }
    }

    /// A schedule fires: it publishes on all its out-edges, like a request nobody answers.
    fn fire(&mut self, service: u32, at_ms: u64, record: bool) {
        let now = self.progress.now_us;
        let request = self.next_request_id();
        let entry = self.entry_id();
        let id = self.nodes[service as usize].id.clone();
        self.requests.push_back(RequestState {
            route: Arc::from(format!("schedule {id}")),
            gateway: service,
            sent_at_us: now,
            outstanding: 0,
            events: 0,
            // Nothing waits for an answer.
            answered: true,
            accepted: false,
            response: None,
            live: 0,
            responded: true,
        });
        let payload = Arc::new(json!({"schedule": id, "at_ms": at_ms}));
        let message = Message {
            event: 0,
            payload: Arc::clone(&payload),
            request,
            from: service,
            cause: entry,
            reply: false,
            hops: 0,
        };
        let (count, names) = self.publish(service, Select::All, &payload, &message, now, record);
        self.request_mut(request).events = count;
        if record {
            let outcome = if count == 0 {
                "fired; no edge leaves it".to_owned()
            } else {
                format!("fired; published to {names}")
            };
            self.pending.push_back(TraceEntry {
                id: entry,
                at_us: now,
                kind: TraceKind::Request,
                service: id,
                from: None,
                request: u64::from(request),
                caused_by: None,
                event: "schedule".to_owned(),
                payload: (*payload).clone(),
                outcome,
                status: None,
                duration_us: 0,
            });
        }
    }

    /// Publishes `payload` on the out-edges of `from` that `select` takes and whose filter lets
    /// it through: `bus_latency` after `at_us`, or at `at_us` on a sync edge. Returns how many
    /// subscribers and, when recording, their ids.
    fn publish(
        &mut self,
        from: u32,
        select: Select<'_>,
        payload: &Arc<Value>,
        template: &Message,
        at_us: u64,
        record: bool,
    ) -> (u32, String) {
        let mut count = 0;
        let mut names = String::new();
        for k in 0..self.nodes[from as usize].outs.len() {
            let out = &self.nodes[from as usize].outs[k];
            let (to, edge_event) = (out.to, out.event);
            let taken = match select {
                Select::All => true,
                Select::Event(event) => event == edge_event,
                Select::Prefix(prefix) => self.events[edge_event as usize].starts_with(prefix),
                Select::Rules(event) => out.filter.is_some() || event == edge_event,
            };
            if !taken {
                continue;
            }
            if let Some(filter) = &out.filter {
                // On a bus the event's source and type are the sender's, as EventBridge sees
                // them; elsewhere the edge's own.
                let (source, event) = if self.nodes[from as usize].kind == ServiceKind::Bus {
                    (template.from, template.event)
                } else {
                    (from, edge_event)
                };
                let source = &self.nodes[source as usize].id;
                if !filter.matches(source, &self.events[event as usize], payload) {
                    continue;
                }
            }
            let deliver_at = if out.sync {
                at_us
            } else {
                at_us + self.bus_latency_us
            };
            if record {
                if !names.is_empty() {
                    names.push_str(", ");
                }
                names.push_str(&self.nodes[to as usize].id);
            }
            let message = Message {
                event: edge_event,
                payload: Arc::clone(payload),
                request: template.request,
                from,
                cause: template.cause,
                reply: template.reply,
                hops: template.hops,
            };
            self.schedule(deliver_at, Action::Deliver { to, message });
            count += 1;
        }
        self.request_mut(template.request).live += count;
        (count, names)
    }

    fn handle(&mut self, service: u32, message: Message, record: bool) {
        let now = self.progress.now_us;
        let index = service as usize;
        let latency = self.nodes[index].latency_us;
        self.nodes[index].busy_until_us = now + latency;
        let entry = self.entry_id();
        let request = message.request;
        let state = self.request_mut(request);
        state.live = state.live.saturating_sub(1);

        let over_budget =
            message.hops >= MAX_HOPS || self.request_mut(request).events >= MAX_EVENTS_PER_REQUEST;
        let handled = if over_budget {
            Handled {
                response: Some((
                    508,
                    Arc::new(
                        json!({"error": "the event went round a cycle of the design too many times"}),
                    ),
                )),
                publish: Publish::Nothing,
                store_op: None,
                failure: Some(format!(
                    "limit reached ({MAX_HOPS} hops or {MAX_EVENTS_PER_REQUEST} events per request): the event is going round a cycle; `event-architect check` lists the cycles"
                )),
            }
        } else {
            let node = &self.nodes[index];
            let cx = Context {
                store: &mut self.store,
                table: node.table.as_ref().map(|(id, _)| id.as_str()),
                service: &node.id,
                now_us: now,
                rng: &mut self.rng,
                hashing: &mut self.hashing,
            };
            match node.kind {
                ServiceKind::Bucket => {
                    let removing = {
                        let name = &self.events[message.event as usize];
                        name.contains("Remove") || name.contains("Delete")
                    };
                    handlers::bucket(&message.payload, removing, entry, cx)
                }
                ServiceKind::Bus => Handled {
                    response: None,
                    publish: Publish::Rules(message.event, Arc::clone(&message.payload)),
                    store_op: None,
                    failure: None,
                },
                _ => handlers::handle(node.behavior, &message.payload, cx),
            }
        };
        let done_at = now + latency;

        let behavior = self.nodes[index].behavior;
        let mut answered_here = false;
        if message.reply {
            // A bucket that stored the object has taken the request, as a sink does.
            let takes = behavior == Behavior::Sink || self.nodes[index].kind == ServiceKind::Bucket;
            let state = self.request_mut(request);
            state.outstanding = state.outstanding.saturating_sub(1);
            if takes && handled.failure.is_none() {
                state.accepted = true;
            } else if let Some((status, body)) = &handled.response
                && !state.answered
            {
                answered_here = true;
                let (status, body) = (*status, Arc::clone(body));
                self.answer(message.request, status, body, entry, done_at);
            }
        }
        // Events published while the request is unanswered may still answer it (forwarding).
        let still_open = message.reply && !self.request_mut(request).answered;
        let template = Message {
            reply: still_open,
            cause: entry,
            hops: message.hops + 1,
            ..message.clone()
        };
        let event_name = match &handled.publish {
            Publish::Event(name, _) | Publish::Prefixed(name, _) => *name,
            _ => "",
        };
        let (count, names) = match &handled.publish {
            _ if handled.failure.is_some() => (0, String::new()),
            Publish::Nothing => (0, String::new()),
            Publish::Event(name, payload) => {
                // Handlers publish only these two names.
                let slot = usize::from(*name == USER_LOGGED_IN);
                match self.well_known[slot] {
                    Some(id) => self.publish(
                        service,
                        Select::Event(id),
                        payload,
                        &template,
                        done_at,
                        record,
                    ),
                    None => (0, String::new()),
                }
            }
            Publish::AllEdges(payload) => {
                self.publish(service, Select::All, payload, &template, done_at, record)
            }
            Publish::Prefixed(prefix, payload) => self.publish(
                service,
                Select::Prefix(prefix),
                payload,
                &template,
                done_at,
                record,
            ),
            Publish::Rules(event, payload) => self.publish(
                service,
                Select::Rules(*event),
                payload,
                &template,
                done_at,
                record,
            ),
        };
        let state = self.request_mut(request);
        state.events = state.events.saturating_add(count);
        if still_open {
            state.outstanding += count;
            if state.outstanding == 0 {
                let (status, body) = if state.accepted {
                    (202, json!({"accepted": true}))
                } else {
                    (502, json!({"error": "no function answered the request"}))
                };
                self.answer(message.request, status, Arc::new(body), entry, done_at);
            }
        }

        let status = handled.response.as_ref().map(|(status, _)| *status);
        let rejected = status.is_some_and(|s| s >= 400);
        let dead_letter = !message.reply && (handled.failure.is_some() || rejected);
        if !record {
            return;
        }
        let mut outcome = match (&handled.failure, &handled.response) {
            (Some(reason), _) => format!("failed: {reason}"),
            (None, Some((status, body))) if behavior != Behavior::Sink => {
                let mut text = format!("{status} {}", reason_phrase(*status));
                if let Some(error) = body.get("error").and_then(Value::as_str) {
                    text.push_str(&format!(": {error}"));
                }
                if message.reply && !answered_here {
                    text.push_str(" (request already answered)");
                }
                text
            }
            _ if behavior == Behavior::Sink => "consumed".to_owned(),
            _ => "forwarded".to_owned(),
        };
        if count > 0 {
            let shown = if event_name.is_empty() {
                "it"
            } else {
                event_name
            };
            outcome.push_str(&format!("; published {shown} to {names}"));
        }
        self.pending.push_back(TraceEntry {
            id: entry,
            at_us: now,
            kind: TraceKind::Handle,
            service: self.nodes[index].id.clone(),
            from: Some(self.nodes[message.from as usize].id.clone()),
            request: message.request.into(),
            caused_by: Some(message.cause),
            event: self.events[message.event as usize].to_string(),
            payload: redact(&message.payload),
            outcome,
            status,
            duration_us: latency,
        });
        let table = self.nodes[index].table.clone();
        if let (Some(op), Some((table, edge_event))) = (&handled.store_op, table) {
            let id = self.entry_id();
            self.pending.push_back(TraceEntry {
                id,
                at_us: now,
                kind: TraceKind::Store,
                service: table,
                from: Some(self.nodes[index].id.clone()),
                request: message.request.into(),
                caused_by: Some(entry),
                event: edge_event.to_string(),
                payload: json!({"op": op.op, "key": op.key}),
                outcome: op.result.to_owned(),
                status: None,
                duration_us: 0,
            });
        }
        if dead_letter {
            let reason = match (&handled.failure, &handled.response) {
                (Some(reason), _) => reason.clone(),
                (None, Some((status, body))) => format!("rejected with {status}: {body}"),
                (None, None) => "rejected".to_owned(),
            };
            self.record_message(
                TraceKind::DeadLetter,
                service,
                &message,
                reason,
                Some(entry),
                0,
            );
        }
    }

    /// Marks a request answered and schedules its response at `at_us`.
    fn answer(&mut self, request: u32, status: u16, body: Arc<Value>, cause: u64, at_us: u64) {
        self.request_mut(request).answered = true;
        self.schedule(
            at_us,
            Action::Respond {
                request,
                status,
                body,
                cause,
            },
        );
    }

    /// Records an entry about `message` at `service` (queued, dead letter).
    fn record_message(
        &mut self,
        kind: TraceKind,
        service: u32,
        message: &Message,
        outcome: String,
        caused_by: Option<u64>,
        duration_us: u64,
    ) {
        let id = self.entry_id();
        self.pending.push_back(TraceEntry {
            id,
            at_us: self.progress.now_us,
            kind,
            service: self.nodes[service as usize].id.clone(),
            from: Some(self.nodes[message.from as usize].id.clone()),
            request: message.request.into(),
            caused_by: Some(caused_by.unwrap_or(message.cause)),
            event: self.events[message.event as usize].to_string(),
            payload: redact(&message.payload),
            outcome,
            status: None,
            duration_us,
        });
    }

    fn respond(&mut self, request: u32, status: u16, body: Arc<Value>, cause: u64, record: bool) {
        let now = self.progress.now_us;
        let entry = self.entry_id();
        let keep = self.keep_bodies;
        let state = self.request_mut(request);
        let latency_us = now.saturating_sub(state.sent_at_us);
        let route = Arc::clone(&state.route);
        let gateway = state.gateway;
        if record {
            let id = self.nodes[gateway as usize].id.clone();
            self.pending.push_back(TraceEntry {
                id: entry,
                at_us: now,
                kind: TraceKind::Response,
                service: id,
                from: None,
                request: request.into(),
                caused_by: Some(cause),
                event: route.to_string(),
                payload: redact(&body),
                outcome: format!("{status} {}", reason_phrase(status)),
                status: Some(status),
                duration_us: latency_us,
            });
        }
        self.request_mut(request).response = Some(Response {
            request: request.into(),
            route,
            status,
            body: if keep {
                Arc::unwrap_or_clone(body)
            } else {
                Value::Null
            },
            latency_us,
        });
        self.request_mut(request).responded = true;
        *self.status_counts.entry(status).or_insert(0) += 1;
        self.progress.responses += 1;
    }
}

/// The standard reason phrase of the statuses the simulator gives.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        409 => "Conflict",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        508 => "Loop Detected",
        _ => "",
    }
}

/// A copy of a request body template with `{n}` (round) and `{i}` (repeat) filled in strings.
fn instantiate(value: &Value, round: u64, repeat: u64) -> Value {
    match value {
        Value::String(text) if text.contains('{') => Value::String(fill(text, round, repeat)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| instantiate(v, round, repeat))
                .collect(),
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), instantiate(v, round, repeat)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `text` with `{n}` and `{i}` replaced, in one pass.
fn fill(text: &str, round: u64, repeat: u64) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("{n}") {
            let _ = write!(out, "{round}");
            rest = after;
        } else if let Some(after) = tail.strip_prefix("{i}") {
            let _ = write!(out, "{repeat}");
            rest = after;
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
