//! Property tests of the analysis against independent reference checks (petgraph and
//! straightforward quadratic implementations), and of load/save round trips.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use event_architect::analysis::analyze;
use event_architect::io::{parse_design, to_json};
use event_architect::model::edit::{Command, EdgeDraft, History};
use event_architect::model::filter::CompactJson;
use event_architect::model::{
    Behavior, Design, EdgeFilter, EdgeMode, EventEdge, Position, Route, Service, ServiceIndex,
    ServiceKind, ServiceUid,
};
use event_architect::plan::write_json;
use petgraph::graph::DiGraph;
use proptest::prelude::*;

/// A random design: `n` services and edges between random pairs (self-loops included).
fn graph(max_nodes: usize, max_edges: usize) -> impl Strategy<Value = Design> {
    (1..=max_nodes).prop_flat_map(move |n| {
        prop::collection::vec((0..n as u32, 0..n as u32), 0..=max_edges).prop_map(move |pairs| {
            let mut design = Design::new("random");
            for i in 0..n {
                design.add_service(Service::new(format!("s{i}"), ServiceKind::Function));
            }
            design.edges = pairs
                .into_iter()
                .map(|(from, to)| {
                    EventEdge::new(ServiceIndex(from), ServiceIndex(to), format!("E{from}"))
                })
                .collect();
            // Numbered as a loaded design is: services first, then edges.
            design.ensure_uids();
            design
        })
    })
}

/// A random DAG: edges only go from a lower to a higher index, so it never has a cycle.
fn dag(max_nodes: usize, max_edges: usize) -> impl Strategy<Value = Design> {
    graph(max_nodes, max_edges).prop_map(|mut design| {
        design.edges.retain(|e| e.from < e.to);
        design
    })
}

fn petgraph_of(design: &Design) -> DiGraph<(), ()> {
    let mut g = DiGraph::new();
    let nodes: Vec<_> = design.services.iter().map(|_| g.add_node(())).collect();
    for e in &design.edges {
        g.add_edge(nodes[e.from.index()], nodes[e.to.index()], ());
    }
    g
}

/// Kahn by the letter: among the ready services always take the first in the file. O(V^2 + E).
fn reference_order(design: &Design) -> Option<Vec<u32>> {
    let n = design.services.len();
    let mut indegree = vec![0; n];
    for e in &design.edges {
        indegree[e.to.index()] += 1;
    }
    let mut done = vec![false; n];
    let mut order = Vec::new();
    while order.len() < n {
        let next = (0..n).find(|&v| !done[v] && indegree[v] == 0)?;
        done[next] = true;
        order.push(next as u32);
        for e in design.edges.iter().filter(|e| e.from.index() == next) {
            indegree[e.to.index()] -= 1;
        }
    }
    Some(order)
}

/// Longest path reaching each service, by relaxing edges V times (Bellman-Ford style).
fn reference_layers(design: &Design) -> Vec<u32> {
    let mut layer = vec![0u32; design.services.len()];
    for _ in 0..design.services.len() {
        for e in &design.edges {
            layer[e.to.index()] = layer[e.to.index()].max(layer[e.from.index()] + 1);
        }
    }
    layer
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn a_cycle_is_reported_iff_kahn_cannot_finish(design in graph(12, 24)) {
        let analysis = analyze(&design);
        let reference = reference_order(&design);
        prop_assert_eq!(analysis.is_acyclic(), reference.is_some());
        prop_assert_eq!(
            analysis.is_acyclic(),
            !petgraph::algo::is_cyclic_directed(&petgraph_of(&design))
        );
        if !analysis.is_acyclic() {
            prop_assert!(analysis.order.is_empty() && analysis.stages.is_empty());
        }
    }

    #[test]
    fn the_order_is_kahn_with_file_order_ties_and_respects_every_edge(design in dag(14, 30)) {
        let analysis = analyze(&design);
        let order: Vec<u32> = analysis.order.iter().map(|s| s.0).collect();
        prop_assert_eq!(Some(order.clone()), reference_order(&design));
        let mut position = vec![0; design.services.len()];
        for (i, &s) in order.iter().enumerate() {
            position[s as usize] = i;
        }
        for e in &design.edges {
            prop_assert!(position[e.from.index()] < position[e.to.index()]);
        }
        let unique: HashSet<u32> = order.iter().copied().collect();
        prop_assert_eq!(unique.len(), design.services.len());
    }

    #[test]
    fn stages_equal_longest_path_layers(design in dag(14, 30)) {
        let analysis = analyze(&design);
        let layers = reference_layers(&design);
        for (stage, members) in analysis.stages.iter().enumerate() {
            let mut previous = None;
            for s in members {
                prop_assert_eq!(layers[s.index()] as usize, stage);
                prop_assert!(previous < Some(s.0), "file order inside a stage");
                previous = Some(s.0);
            }
        }
        let staged: usize = analysis.stages.iter().map(Vec::len).sum();
        prop_assert_eq!(staged, design.services.len());
        // The critical path is a chain of edges as long as the deepest stage.
        prop_assert_eq!(analysis.critical_path.len(), analysis.stages.len());
        for pair in analysis.critical_path.windows(2) {
            let (from, to) = (analysis.members(pair[0])[0], analysis.members(pair[1])[0]);
            prop_assert!(design.edges.iter().any(|e| e.from == from && e.to == to));
        }
    }

    #[test]
    fn cycle_groups_match_petgraph_and_their_paths_are_real_cycles(design in graph(12, 24)) {
        let analysis = analyze(&design);
        let g = petgraph_of(&design);
        let self_loops: HashSet<u32> =
            design.edges.iter().filter(|e| e.from == e.to).map(|e| e.from.0).collect();
        let mut expected: Vec<Vec<u32>> = petgraph::algo::kosaraju_scc(&g)
            .into_iter()
            .map(|c| {
                let mut c: Vec<u32> = c.into_iter().map(|n| n.index() as u32).collect();
                c.sort_unstable();
                c
            })
            .filter(|c| c.len() > 1 || self_loops.contains(&c[0]))
            .collect();
        expected.sort_by_key(|c| c[0]);
        let found: Vec<Vec<u32>> = analysis
            .cycles
            .iter()
            .map(|c| c.members.iter().map(|s| s.0).collect())
            .collect();
        prop_assert_eq!(&found, &expected);
        let edges: HashSet<(u32, u32)> = design.edges.iter().map(|e| (e.from.0, e.to.0)).collect();
        for cycle in &analysis.cycles {
            let members: BTreeSet<u32> = cycle.members.iter().map(|s| s.0).collect();
            prop_assert_eq!(cycle.path.first(), cycle.path.last());
            prop_assert_eq!(cycle.path[0], cycle.members[0]);
            prop_assert!(cycle.path.len() >= 2);
            for pair in cycle.path.windows(2) {
                prop_assert!(edges.contains(&(pair[0].0, pair[1].0)));
                prop_assert!(members.contains(&pair[1].0));
            }
        }
    }

    #[test]
    fn the_condensed_plan_orders_every_step_after_its_inputs(design in graph(12, 24)) {
        let analysis = analyze(&design);
        let mut position = vec![0; design.services.len()];
        let mut seen = 0;
        for (i, &step) in analysis.condensed_order.iter().enumerate() {
            for s in analysis.members(step) {
                position[s.index()] = i;
                seen += 1;
            }
        }
        prop_assert_eq!(seen, design.services.len());
        for e in &design.edges {
            if analysis.step_of[e.from.index()] != analysis.step_of[e.to.index()] {
                prop_assert!(position[e.from.index()] < position[e.to.index()]);
                prop_assert!(analysis.stage_of[e.from.index()] < analysis.stage_of[e.to.index()]);
            }
        }
    }

    #[test]
    fn load_save_load_round_trips(
        design in graph(8, 12),
        names in prop::collection::vec("\\PC{0,12}", 8),
        moved in prop::collection::vec(prop::option::of((-1e4f32..1e4, -1e4f32..1e4)), 8),
        extras in prop::collection::vec(any::<(bool, bool, u16)>(), 12),
    ) {
        let mut design = design;
        for (i, service) in design.services.iter_mut().enumerate() {
            service.name = names[i].clone();
            service.id = format!("{}·{i}", names[i]);
            service.position = moved[i].map(|(x, y)| Position { x, y });
            service.kind = ServiceKind::ALL[i % ServiceKind::ALL.len()];
            service.notes = names[(i + 1) % names.len()].clone();
            // Every field the format has, escapes and unknown keys included.
            if i % 3 == 0 {
                service.properties.insert("Custom \"key\"", serde_json::json!({"nested": [1, names[i].clone()]}));
            }
            if service.kind == ServiceKind::Function {
                service.properties.insert("memory_mb", serde_json::json!(128 + i));
                service.behavior = Some(Behavior::ALL[i % Behavior::ALL.len()]);
            }
            if service.kind == ServiceKind::Gateway {
                service.routes.push(Route { route: format!("POST /{}", names[i]), event: format!("E{i}") });
            }
        }
        for (edge, &(sync, filtered, n)) in design.edges.iter_mut().zip(&extras) {
            if sync {
                edge.mode = EdgeMode::Sync;
            }
            if filtered {
                edge.filter = Some(Box::new(EdgeFilter {
                    prefix: Some(format!("in/{n}")),
                    suffix: None,
                    pattern: (n % 2 == 0).then(|| CompactJson::new(&serde_json::json!({"detail-type": [format!("E{n}")]}))),
                }));
            }
        }
        let text = to_json(&design);
        let loaded = parse_design(text.as_bytes(), "round-trip.json").unwrap();
        prop_assert_eq!(&loaded, &design);
        prop_assert_eq!(to_json(&loaded), text);
    }

    #[test]
    fn the_json_plan_is_serde_pretty_output_naming_every_service_once(
        design in graph(10, 20),
        names in prop::collection::vec("\\PC{0,40}", 10),
    ) {
        // Ids and event names of every length around the writer's 15- and 32-byte limits,
        // with characters that need escaping.
        let mut design = design;
        // (Half of them need escaping.)
        for (i, service) in design.services.iter_mut().enumerate() {
            let mark = if i % 2 == 0 { "-" } else { "\"" };
            service.id = format!("{}{mark}{i}", names[i]);
        }
        for edge in &mut design.edges {
            let from = edge.from.index();
            let mark = if from % 2 == 0 { "" } else { "\\" };
            edge.event = Arc::from(format!("{}{mark}", names[from]));
        }
        let analysis = analyze(&design);
        let mut out = Vec::new();
        write_json(&mut out, &design, &analysis).unwrap();
        let text = String::from_utf8(out).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(serde_json::to_string_pretty(&value).unwrap() + "\n", text);
        let steps: Vec<&str> = value["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|step| step["id"].as_str().unwrap())
            .collect();
        let mut expected: Vec<&str> = design.services.iter().map(|s| s.id.as_str()).collect();
        let mut found = steps.clone();
        expected.sort_unstable();
        found.sort_unstable();
        prop_assert_eq!(found, expected);
        if analysis.is_acyclic() {
            prop_assert_eq!(value["order"].as_array().unwrap().len(), design.services.len());
            prop_assert_eq!(&value["order"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>(), &steps);
        }
    }
}

/// One random edit, naming services by their place in the design at the time it is made (and
/// turned into a uid-based command then, as the window does).
#[derive(Debug, Clone)]
enum Edit {
    Add(u8),
    Delete(u8),
    Rename(u8, u8),
    Connect(u8, u8, bool),
    Disconnect(u8),
    Move(u8, i16, i16),
    ChangeKind(u8, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<u8>().prop_map(Edit::Add),
        any::<u8>().prop_map(Edit::Delete),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Edit::Rename(a, b)),
        (any::<u8>(), any::<u8>(), any::<bool>()).prop_map(|(a, b, s)| Edit::Connect(a, b, s)),
        any::<u8>().prop_map(Edit::Disconnect),
        (any::<u8>(), any::<i16>(), any::<i16>()).prop_map(|(a, x, y)| Edit::Move(a, x, y)),
        (any::<u8>(), any::<u8>()).prop_map(|(a, k)| Edit::ChangeKind(a, k)),
    ]
}

/// The command an edit makes on `design`; `None` when it has nothing to act on.
fn command(design: &Design, edit: &Edit, step: usize) -> Option<Command> {
    let pick = |n: u8| -> Option<&Service> {
        (!design.services.is_empty()).then(|| &design.services[n as usize % design.services.len()])
    };
    Some(match *edit {
        Edit::Add(n) => Command::InsertService {
            at: Some(n as usize % (design.services.len() + 1)),
            service: Service::new(format!("new{step}"), ServiceKind::ALL[n as usize % 10]),
            edges: Vec::new(),
        },
        Edit::Delete(n) => Command::RemoveService(pick(n)?.uid),
        Edit::Rename(n, m) => {
            let mut service = pick(n)?.clone();
            service.id = format!("r{m}-{step}");
            service.name = format!("Renamed {m}");
            Command::UpdateService {
                uid: service.uid,
                service,
            }
        }
        Edit::Connect(a, b, sync) => {
            let mut edge = EdgeDraft::new(pick(a)?.uid, pick(b)?.uid, format!("E{step}"));
            if sync {
                edge.mode = EdgeMode::Sync;
            }
            Command::InsertEdge {
                at: Some(a as usize),
                edge,
            }
        }
        Edit::Disconnect(n) => {
            if design.edges.is_empty() {
                return None;
            }
            Command::RemoveEdge(design.edges[n as usize % design.edges.len()].uid)
        }
        Edit::Move(n, x, y) => Command::MoveServices(vec![(
            pick(n)?.uid,
            Some(Position {
                x: x as f32,
                y: y as f32,
            }),
        )]),
        Edit::ChangeKind(n, k) => {
            let mut service = pick(n)?.clone();
            service.kind = ServiceKind::ALL[k as usize % 10];
            Command::UpdateService {
                uid: service.uid,
                service,
            }
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Undo all of a random edit sequence and the saved bytes are the start's; redo all and they
    /// are the end's. A selection taken at any point names, after any undo, only services that
    /// exist, and the same ones (by id at the time it was taken).
    #[test]
    fn undo_and_redo_are_exact_and_uids_are_stable(
        start in graph(6, 8),
        edits in prop::collection::vec(edit(), 1..25),
    ) {
        let mut design = start.clone();
        let mut history = History::new();
        let before = to_json(&design);
        // The design after each applied edit, and a selection (every service) taken then.
        let mut states = vec![design.clone()];
        for (step, edit) in edits.iter().enumerate() {
            if let Some(command) = command(&design, edit, step)
                && history.apply(&mut design, command).is_ok()
            {
                states.push(design.clone());
            }
        }
        let after = to_json(&design);
        let end = design.clone();
        let uids: HashSet<ServiceUid> = design.services.iter().map(|s| s.uid).collect();
        prop_assert_eq!(uids.len(), design.services.len(), "uids are distinct");
        let selection: Vec<(ServiceUid, String)> =
            design.services.iter().map(|s| (s.uid, s.id.clone())).collect();
        let mut at = states.len() - 1;
        while history.undo(&mut design).is_some() {
            at -= 1;
            // Exactly the earlier state, uids included: whatever referred to a uid then means
            // the same service now.
            prop_assert_eq!(&design, &states[at]);
            // (Equality compares content; the uids are compared here.)
            prop_assert!(design.services.iter().zip(&states[at].services).all(|(a, b)| a.uid == b.uid));
            prop_assert!(design.edges.iter().zip(&states[at].edges).all(|(a, b)| a.uid == b.uid));
            // The selection, kept to what exists (as the window does), names the services
            // with those uids; a service not renamed since keeps its id.
            for (uid, id) in &selection {
                if let Some(service) = design.by_uid(*uid)
                    && states[at..].iter().all(|s| s.by_uid(*uid).is_some_and(|x| x.id == *id))
                {
                    prop_assert_eq!(&service.id, id);
                }
            }
        }
        prop_assert_eq!(at, 0);
        prop_assert_eq!(to_json(&design), before);
        prop_assert_eq!(&design, &start);
        while history.redo(&mut design).is_some() {}
        prop_assert_eq!(to_json(&design), after);
        prop_assert_eq!(&design, &end);
    }
}
