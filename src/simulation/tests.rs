//! Engine tests: the register/login flow, the bus, failures, determinism and cancellation.

use std::sync::atomic::AtomicBool;

use serde_json::json;

use super::*;
use crate::model::{EdgeFilter, EdgeMode, Route, Service};

fn cheap(mut scenario: Scenario) -> Scenario {
    scenario.hash_cost = HashCost::MINIMUM;
    scenario
}

fn parse(value: Value) -> Scenario {
    parse_scenario(value.to_string().as_bytes(), "test.json").unwrap()
}

fn statuses(simulation: &Simulation) -> Vec<u16> {
    simulation.responses().map(|r| r.status).collect()
}

/// gateway -POST /x-> X -> a (forward) -> b; plus whatever the test adds.
fn chain_design(behavior_b: Option<Behavior>) -> Design {
    let mut design = Design::new("chain");
    let mut gateway = Service::new("gw", ServiceKind::Gateway);
    gateway.routes.push(Route {
        route: "POST /x".into(),
        event: "X".into(),
    });
    design.services.push(gateway);
    design
        .services
        .push(Service::new("a", ServiceKind::Function));
    let mut b = Service::new("b", ServiceKind::Function);
    b.behavior = behavior_b;
    design.services.push(b);
    design.connect("gw", "a", "X");
    design.connect("a", "b", "Y");
    design
}

#[test]
fn builtin_scenario_gives_every_status_at_default_cost() {
    let mut simulation = Simulation::new(&crate::builtin_design(), Scenario::builtin()).unwrap();
    let trace = simulation.run_to_end();
    assert_eq!(statuses(&simulation), [201, 409, 400, 401, 401, 200]);
    assert!(simulation.notes().is_empty(), "default cost is not lowered");
    let responses: Vec<&Response> = simulation.responses().collect();
    assert_eq!(responses[2].body["field"], "email");
    assert_eq!(responses[3].body, responses[4].body, "no user enumeration");
    let users = simulation.store().table("users").unwrap();
    assert_eq!(users.len(), 1);
    let hash = users.get("alice").unwrap()["password_hash"]
        .as_str()
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    // The audit sink runs after alice's login is answered: publishers never wait.
    let last = trace.last().unwrap();
    assert_eq!(
        (last.service.as_str(), last.kind),
        ("audit", TraceKind::Handle)
    );
}

#[test]
fn events_are_linked_to_the_request_that_caused_them() {
    let design = crate::builtin_design();
    let mut simulation = Simulation::new(&design, cheap(Scenario::builtin())).unwrap();
    let trace = simulation.run_to_end();
    for (i, entry) in trace.iter().enumerate() {
        assert_eq!(entry.id, i as u64, "ids count entries");
        if let Some(cause) = entry.caused_by {
            assert!(cause < entry.id, "a cause comes first");
            assert_eq!(trace[cause as usize].request, entry.request);
        }
    }
    assert!(
        trace.windows(2).all(|w| w[0].at_us <= w[1].at_us),
        "time order"
    );
    // Register alice (request 0): gateway -> register -> users (store) -> welcome.
    let welcome = trace
        .iter()
        .find(|e| e.service == "welcome" && e.kind == TraceKind::Handle)
        .unwrap();
    assert_eq!(
        (welcome.request, welcome.event.as_str()),
        (0, USER_REGISTERED)
    );
    let register = &trace[welcome.caused_by.unwrap() as usize];
    assert_eq!(
        (register.service.as_str(), register.status),
        ("register", Some(201))
    );
    let request = &trace[register.caused_by.unwrap() as usize];
    assert_eq!(request.kind, TraceKind::Request);
    assert_eq!(request.payload["password"], REDACTED);
    let audit = trace.iter().find(|e| e.service == "audit").unwrap();
    assert_eq!((audit.request, audit.event.as_str()), (5, USER_LOGGED_IN));
    // Failed requests cause no events.
    for request in 1..5 {
        assert!(
            !trace
                .iter()
                .any(|e| e.request == request && ["welcome", "audit"].contains(&&*e.service))
        );
    }
    let store_steps: Vec<_> = trace
        .iter()
        .filter(|e| e.kind == TraceKind::Store)
        .collect();
    assert!(store_steps.iter().all(|e| e.service == "users"));
    assert_eq!(store_steps[0].event, "PutUser");
}

#[test]
fn same_seed_same_output_other_seed_other_salts() {
    let design = crate::builtin_design();
    let run = |seed: u64| {
        let mut scenario = cheap(Scenario::builtin());
        scenario.seed = Some(seed);
        let mut simulation = Simulation::new(&design, scenario).unwrap();
        let trace = simulation.run_to_end();
        simulation.report_json(&trace).to_string()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn no_plaintext_password_anywhere() {
    let design = crate::builtin_design();
    let scenario = cheap(Scenario::builtin());
    let passwords: Vec<String> = scenario
        .requests
        .iter()
        .filter_map(|r| r.body.get("password")?.as_str().map(str::to_owned))
        .collect();
    assert_eq!(passwords.len(), 6);
    let mut simulation = Simulation::new(&design, scenario).unwrap();
    let trace = simulation.run_to_end();
    let output = simulation.report_json(&trace).to_string();
    for password in &passwords {
        assert!(!output.contains(password.as_str()), "{password} leaked");
    }
    assert!(output.contains("\"password\":\"***\""));
}

#[test]
fn a_busy_subscriber_queues_events_in_order() {
    let design = crate::builtin_design();
    let scenario = cheap(parse(json!({"requests": [
        {"route": "POST /register", "delay_ms": 0,
         "body": {"name": "u{i}", "email": "u@example.com", "password": "password-{i}"},
         "repeat": 3}
    ]})));
    let mut simulation = Simulation::new(&design, scenario).unwrap();
    let trace = simulation.run_to_end();
    assert_eq!(statuses(&simulation), [201, 201, 201]);
    let queued = trace.iter().filter(|e| e.kind == TraceKind::Queued).count();
    assert_eq!(queued, 2);
    let handled: Vec<u64> = trace
        .iter()
        .filter(|e| e.kind == TraceKind::Handle && e.service == "register")
        .map(|e| e.request)
        .collect();
    assert_eq!(handled, [0, 1, 2], "FIFO");
    let latencies: Vec<u64> = simulation.responses().map(|r| r.latency_us).collect();
    assert!(latencies[0] < latencies[1] && latencies[1] < latencies[2]);
}

#[test]
fn rounds_fill_in_templates() {
    let design = crate::builtin_design();
    let scenario = cheap(parse(json!({"repeat": 4, "requests": [
        {"route": "POST /register", "body": {"name": "user{n}", "email": "a@b.co", "password": "pass-word"}},
        {"route": "POST /login", "body": {"name": "user{n}", "password": "pass-word"}}
    ]})));
    assert_eq!(scenario.request_count(), 8);
    let mut simulation = Simulation::new(&design, scenario).unwrap();
    assert_eq!(
        simulation.run(&AtomicBool::new(false), |_| {}),
        RunEnd::Finished
    );
    assert_eq!(statuses(&simulation), [201, 200].repeat(4));
    assert_eq!(simulation.store().table("users").unwrap().len(), 4);
    assert_eq!(simulation.status_counts()[&200], 4);
}

#[test]
fn cancel_stops_a_run_and_resuming_finishes_it() {
    let design = crate::builtin_design();
    let scenario = cheap(parse(json!({"repeat": 50, "requests": [
        {"route": "POST /register", "delay_ms": 1, "body": {"name": "u{n}", "email": "a@b.co", "password": "pass-word"}}
    ]})));
    let mut simulation = Simulation::new(&design, scenario).unwrap();
    let cancel = AtomicBool::new(true);
    let mut seen = Progress::default();
    assert_eq!(simulation.run(&cancel, |p| seen = *p), RunEnd::Cancelled);
    assert!(!seen.finished);
    cancel.store(false, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(simulation.run(&cancel, |p| seen = *p), RunEnd::Finished);
    assert!(seen.finished && simulation.is_finished());
    assert_eq!(seen.responses, 50);
    assert_eq!(seen.fraction(), 1.0);
    assert!(
        seen.events_delivered >= 100,
        "register + welcome per request"
    );
}

#[test]
fn unknown_routes_and_services_are_scenario_errors() {
    let design = crate::builtin_design();
    let bad = parse(json!({
        "latency_ms": {"nobody": 3},
        "tables": {"register": {"key": "id"}},
        "requests": [{"route": "POST /regster", "body": {}}]
    }));
    let error = Simulation::new(&design, bad).unwrap_err();
    let ScenarioError::Invalid { origin, problems } = &error else {
        panic!("{error}");
    };
    assert_eq!(origin, "test.json");
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        ["requests[0].route", "latency_ms.nobody", "tables.register"]
    );
    assert!(problems[0].hint.contains("did you mean \"POST /register\""));
    let empty = Simulation::new(&Design::new("empty"), bad_route()).unwrap_err();
    assert!(empty.to_string().contains("no gateway"), "{empty}");
}

fn bad_route() -> Scenario {
    parse(json!({"requests": [{"route": "GET /", "body": null}]}))
}

#[test]
fn forwarded_requests_are_answered_by_sinks_or_get_502() {
    let x = || parse(json!({"requests": [{"route": "POST /x", "body": {"id": 1}}]}));
    let mut to_sink = Simulation::new(&chain_design(Some(Behavior::Sink)), x()).unwrap();
    to_sink.run_to_end();
    assert_eq!(statuses(&to_sink), [202]);

    // b forwards to nobody: nothing answers.
    let mut nowhere = Simulation::new(&chain_design(None), x()).unwrap();
    let trace = nowhere.run_to_end();
    assert_eq!(statuses(&nowhere), [502]);
    let b = trace.iter().find(|e| e.service == "b").unwrap();
    assert_eq!((b.event.as_str(), b.from.as_deref()), ("Y", Some("a")));

    // b answers from a table it reads.
    let mut design = chain_design(Some(Behavior::StoreGet));
    design.services.push(Service::new("t", ServiceKind::Table));
    design.connect("b", "t", "Read");
    let mut reads = Simulation::new(&design, x()).unwrap();
    reads.run_to_end();
    assert_eq!(statuses(&reads), [404]);
}

#[test]
fn a_failing_handler_gives_500_or_a_dead_letter() {
    // Register without a table: the request gets 500.
    let mut design = chain_design(Some(Behavior::Register));
    let mut register = Service::new("r", ServiceKind::Function);
    register.behavior = Some(Behavior::Register);
    design.services.push(register);
    design.services[0].routes.push(Route {
        route: "POST /r".into(),
        event: "R".into(),
    });
    design.connect("gw", "r", "R");
    let body = json!({"name": "al", "email": "a@b.co", "password": "long-enough"});
    let scenario = cheap(parse(json!({"requests": [
        {"route": "POST /r", "body": body},
        {"route": "POST /x", "body": body}
    ]})));
    let mut simulation = Simulation::new(&design, scenario).unwrap();
    let trace = simulation.run_to_end();
    let responses: Vec<&Response> = simulation.responses().collect();
    assert_eq!(responses[0].status, 500);
    assert!(
        responses[0].body["detail"]
            .as_str()
            .unwrap()
            .contains("no table")
    );
    // Via a forward, b (register, no table) fails after the request is still open: 500 too.
    assert_eq!(responses[1].status, 500);

    // An asynchronous event that fails is dead-lettered: a answers first, b fails later.
    // a stores the item and answers 200; b (register) then rejects the event: dead letter.
    let mut design = chain_design(Some(Behavior::Register));
    design.services[1].behavior = Some(Behavior::StorePut);
    design.services.push(Service::new("t", ServiceKind::Table));
    design.connect("a", "t", "Put");
    let scenario = parse(json!({"requests": [{"route": "POST /x", "body": {"id": 1}}]}));
    let mut simulation = Simulation::new(&design, scenario).unwrap();
    let trace2 = simulation.run_to_end();
    assert_eq!(statuses(&simulation), [200]);
    let dead = trace2
        .iter()
        .find(|e| e.kind == TraceKind::DeadLetter)
        .unwrap();
    assert_eq!(dead.service, "b");
    assert!(dead.outcome.contains("400"), "{}", dead.outcome);
    assert!(!trace.is_empty());
}

#[test]
fn cycles_are_cut_by_the_hop_limit() {
    let mut design = chain_design(None);
    design.connect("b", "a", "X");
    let scenario = parse(json!({"requests": [{"route": "POST /x", "body": {}}]}));
    let mut simulation = Simulation::new(&design, scenario).unwrap();
    let trace = simulation.run_to_end();
    assert_eq!(statuses(&simulation), [508]);
    assert!(trace.len() < 200);
}

#[test]
fn lowered_cost_is_noted() {
    let simulation = Simulation::new(&crate::builtin_design(), cheap(Scenario::builtin())).unwrap();
    assert_eq!(simulation.notes().len(), 1);
    assert!(simulation.notes()[0].contains("lowered"));
    let report = simulation.report_json(&[]);
    assert_eq!(report["hash_cost"]["lowered"], true);
}

#[test]
fn templates_fill_round_and_repeat_only() {
    assert_eq!(fill("u{n}-{i}", 3, 7), "u3-7");
    assert_eq!(fill("{x} {n", 1, 2), "{x} {n");
    assert_eq!(fill("{{n}}", 5, 0), "{5}");
    let body = instantiate(&json!({"a": ["{i}", 1], "{n}": "{n}"}), 4, 9);
    assert_eq!(body, json!({"a": ["9", 1], "{n}": "4"}));
}

/// A gateway routing `POST /in` as `In` to `first`; the test adds the rest.
fn entry_design(first: Service) -> Design {
    let mut design = Design::new("kinds");
    let mut gateway = Service::new("gw", ServiceKind::Gateway);
    gateway.routes.push(Route {
        route: "POST /in".into(),
        event: "In".into(),
    });
    let first_id = first.id.clone();
    design.add_service(gateway);
    design.add_service(first);
    design.connect("gw", &first_id, "In");
    design
}

fn sink(id: &str) -> Service {
    let mut service = Service::new(id, ServiceKind::Function);
    service.behavior = Some(Behavior::Sink);
    service
}

/// Runs `bodies` as `POST /in` requests; the services that handled an event, in trace order.
fn handled_by(design: &Design, bodies: &[Value]) -> (Vec<TraceEntry>, Vec<String>) {
    let requests: Vec<Value> = bodies
        .iter()
        .map(|body| json!({"route": "POST /in", "body": body}))
        .collect();
    let mut simulation =
        Simulation::new(design, cheap(parse(json!({ "requests": requests })))).unwrap();
    let trace = simulation.run_to_end();
    let handlers = trace
        .iter()
        .filter(|e| e.kind == TraceKind::Handle)
        .map(|e| e.service.clone())
        .collect();
    (trace, handlers)
}

#[test]
fn a_sync_edge_is_a_direct_call_and_an_async_one_pays_the_bus() {
    let mut design = entry_design(Service::new("f", ServiceKind::Function));
    design.add_service(sink("direct"));
    design.add_service(sink("queued"));
    let direct = design.connect("f", "direct", "Out");
    design.connect("f", "queued", "Out");
    let at = design.edge_position(direct).unwrap();
    design.edges[at].mode = EdgeMode::Sync;
    let (trace, _) = handled_by(&design, &[json!({})]);
    let time = |id: &str| {
        trace
            .iter()
            .find(|e| e.service == id && e.kind == TraceKind::Handle)
            .unwrap()
            .at_us
    };
    assert_eq!(time("queued") - time("direct"), DEFAULT_BUS_LATENCY_US);
}

#[test]
fn a_filtered_edge_takes_only_the_events_it_matches() {
    let mut design = entry_design(Service::new("f", ServiceKind::Function));
    design.add_service(sink("gold"));
    design.add_service(sink("everyone"));
    let gold = design.connect("f", "gold", "Customer");
    design.connect("f", "everyone", "Customer");
    let at = design.edge_position(gold).unwrap();
    design.edges[at].filter = Some(Box::new(EdgeFilter {
        ..EdgeFilter::with_pattern(&json!({"detail": {"tier": ["gold"]}}))
    }));
    let (_, handlers) = handled_by(
        &design,
        &[json!({"tier": "gold"}), json!({"tier": "basic"})],
    );
    assert_eq!(handlers, ["f", "gold", "everyone", "f", "everyone"]);
}

#[test]
fn a_bucket_stores_objects_and_announces_them_through_key_filters() {
    let mut design = entry_design(Service::new("photos", ServiceKind::Bucket));
    design.add_service(sink("thumbnailer"));
    let trigger = design.connect("photos", "thumbnailer", "ObjectCreated");
    let at = design.edge_position(trigger).unwrap();
    design.edges[at].filter = Some(Box::new(EdgeFilter {
        suffix: Some(".jpg".into()),
        ..EdgeFilter::default()
    }));
    let bodies = [
        json!({"key": "cat.jpg", "size": 10}),
        json!({"key": "notes.txt"}),
    ];
    let requests: Vec<Value> = bodies
        .iter()
        .map(|b| json!({"route": "POST /in", "body": b}))
        .collect();
    let mut simulation =
        Simulation::new(&design, cheap(parse(json!({ "requests": requests })))).unwrap();
    let trace = simulation.run_to_end();
    let thumbnails: Vec<&Value> = trace
        .iter()
        .filter(|e| e.service == "thumbnailer" && e.kind == TraceKind::Handle)
        .map(|e| &e.payload)
        .collect();
    assert_eq!(thumbnails, [&json!({"bucket": "photos", "key": "cat.jpg"})]);
    let objects = simulation.store().table("photos").unwrap();
    assert_eq!(objects.len(), 2, "both objects are stored");
    assert_eq!(objects.get("cat.jpg").unwrap()["size"], 10);
    // Stored, nothing else answers: accepted.
    assert_eq!(statuses(&simulation), [202, 202]);
}

#[test]
fn a_bus_delivers_to_the_rules_whose_pattern_matches() {
    let mut design = entry_design(Service::new("events", ServiceKind::Bus));
    for id in ["big-orders", "same-event", "other-event"] {
        design.add_service(sink(id));
    }
    let rule = design.connect("events", "big-orders", "BigOrder");
    design.connect("events", "same-event", "In");
    design.connect("events", "other-event", "Shipped");
    let at = design.edge_position(rule).unwrap();
    design.edges[at].filter = Some(Box::new(EdgeFilter {
        ..EdgeFilter::with_pattern(
            &json!({"source": ["gw"], "detail": {"total": [{"anything-but": 0}]}}),
        )
    }));
    let (_, handlers) = handled_by(&design, &[json!({"total": 5}), json!({"total": 0})]);
    assert_eq!(
        handlers,
        ["events", "big-orders", "same-event", "events", "same-event"],
        "the rule's pattern decides; an unfiltered rule takes its own event only"
    );
}

#[test]
fn a_schedule_fires_at_the_times_the_scenario_gives() {
    let mut design = Design::new("cron");
    design.add_service(Service::new("nightly", ServiceKind::Schedule));
    design.add_service(sink("report"));
    design.connect("nightly", "report", "Tick");
    let scenario = cheap(parse(
        json!({"requests": [], "schedules": {"nightly": [0, 60000]}}),
    ));
    let mut simulation = Simulation::new(&design, scenario).unwrap();
    let trace = simulation.run_to_end();
    let fired: Vec<u64> = trace
        .iter()
        .filter(|e| e.service == "report" && e.kind == TraceKind::Handle)
        .map(|e| e.at_us)
        .collect();
    assert_eq!(
        fired,
        [DEFAULT_BUS_LATENCY_US, 60_000_000 + DEFAULT_BUS_LATENCY_US]
    );
    assert_eq!(
        simulation.responses().count(),
        0,
        "nobody waits for a schedule"
    );
    // Naming a service that is not a schedule is refused with its path.
    let bad = cheap(parse(json!({"requests": [], "schedules": {"report": [0]}})));
    let error = Simulation::new(&design, bad).unwrap_err().to_string();
    assert!(
        error.contains("schedules.report: report is a function, not a schedule"),
        "{error}"
    );
}

#[test]
fn a_streaming_run_gives_the_same_responses_and_keeps_only_what_is_in_flight() {
    let scenario = cheap(parse(json!({
        "seed": 3, "repeat": 50,
        "requests": [
            {"route": "POST /register", "body": {"name": "u{n}", "email": "u{n}@example.com", "password": "correct horse battery"}},
            {"route": "POST /login", "body": {"name": "u{n}", "password": "correct horse battery"}},
            {"route": "POST /login", "body": {"name": "nobody", "password": "wrong one here"}},
        ]
    })));
    let design = crate::builtin_design();
    let mut kept = Simulation::new(&design, scenario.clone()).unwrap();
    let kept_trace = kept.run_to_end();
    let expected: Vec<Response> = kept.responses().cloned().collect();
    assert_eq!(expected.len(), 150);

    let mut streamed = Simulation::streaming(&design, scenario).unwrap();
    let mut trace = Vec::new();
    let mut responses = Vec::new();
    let mut most_kept = 0;
    while let Some(entry) = streamed.step() {
        trace.push(entry);
        most_kept = most_kept.max(streamed.requests.len());
        responses.extend(streamed.take_responses());
    }
    responses.extend(streamed.take_responses());
    assert_eq!(trace, kept_trace, "the same trace");
    assert_eq!(responses, expected, "the same responses, in request order");
    assert!(
        streamed.requests.is_empty(),
        "every request is dropped at the end"
    );
    assert!(most_kept <= 3, "{most_kept} requests kept at once");
    assert_eq!(streamed.status_counts(), kept.status_counts());
}
