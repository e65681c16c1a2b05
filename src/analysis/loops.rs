//! Which cycles are real event loops and which are harmless: every cycle group gets a class,
//! with the edges and evidence that decide it, and a word on whether AWS's own recursive-loop
//! guard would stop it at run time.
//!
//! The classes, checked in this order (the first that holds wins):
//! - `intentional`: the user marked the loop (its exact services) with a reason.
//! - `permission-only`: the loop closes only through edges that are over-approximations (a
//!   permission on `*`, a role shared by several functions, an environment variable).
//! - `filtered` (cannot match): a filter on the loop that the writes feeding it can never pass
//!   (a key filter against the keys the write is allowed, an object-removed trigger against a
//!   put, a pattern against the publisher and event of a drawn edge).
//! - `bounded`: every way round passes a count that stops it: a hop limit, or a retry count
//!   (maxReceiveCount, MaximumRetryAttempts) on a loop that carries the same failed message all
//!   the way round (a write makes a new message and starts the count again).
//! - `filtered` (may match): a filter on the loop that the writes may pass.
//! - `runaway`: nothing stops it.
//!
//! Edges without evidence (drawn ones) count as direct; out of a function or a state machine
//! they are writes, out of anything else triggers. An edge with evidence role `retry` and no
//! count of its own takes its queue's `max_receive_count` property.

use std::collections::HashSet;

use super::{Adjacency, Analysis, CycleGroup, tarjan};
use crate::model::evidence::{BoundKind, EdgeRole, Reach};
use crate::model::{Design, EdgeFilter, EventEdge, ServiceIndex, ServiceKind};

/// What kind of loop a cycle group is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoopClass {
    /// Nothing stops it.
    Runaway,
    /// A count stops it.
    Bounded,
    /// A filter on it decides (it can or cannot pass).
    Filtered,
    /// It closes only through over-approximated edges.
    PermissionOnly,
    /// Marked by the user as meant to be.
    Intentional,
}

impl LoopClass {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            LoopClass::Runaway => "runaway",
            LoopClass::Bounded => "bounded",
            LoopClass::Filtered => "filtered",
            LoopClass::PermissionOnly => "permission-only",
            LoopClass::Intentional => "intentional",
        }
    }
}

/// Whether AWS's recursive-loop detection (Lambda with SQS, SNS and S3: it stops a loop after
/// about 16 invocations) would catch the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guard {
    /// True when every service of the loop is one the detection follows.
    pub stops: bool,
    /// Why, in a sentence.
    pub reason: String,
}

/// The class of one cycle group, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopReport {
    /// The class.
    pub class: LoopClass,
    /// Why, in a sentence that names the edges, filters or counts that decide it.
    pub explanation: String,
    /// For `filtered`: whether the writes can pass the filter (`Some(false)` never).
    pub can_match: Option<bool>,
    /// For `bounded`: the smallest count that stops it.
    pub bound: Option<(BoundKind, u32)>,
    /// What AWS's guard would do.
    pub guard: Guard,
    /// The edges inside the group, by place in the edge list.
    pub edges: Vec<usize>,
}

/// AWS's recursive-loop detection stops a loop after about this many invocations.
pub const AWS_GUARD_INVOCATIONS: u32 = 16;

/// Classifies every cycle group of `analysis`, in its order. O(C · (V + E)) for C groups.
pub fn classify(design: &Design, analysis: &Analysis) -> Vec<LoopReport> {
    analysis
        .cycles
        .iter()
        .map(|cycle| classify_one(design, cycle))
        .collect()
}

fn role(design: &Design, edge: &EventEdge) -> EdgeRole {
    match &edge.evidence {
        Some(evidence) => evidence.role,
        None => match design.service(edge.from).kind {
            ServiceKind::Function | ServiceKind::StateMachine => EdgeRole::Write,
            _ => EdgeRole::Trigger,
        },
    }
}

fn reach(edge: &EventEdge) -> Reach {
    edge.evidence.as_ref().map_or(Reach::Direct, |e| e.reach)
}

/// The counts on an edge: its evidence's, or for a retry edge without one its queue's
/// `max_receive_count`.
fn bounds(design: &Design, edge: &EventEdge) -> Vec<(BoundKind, u32)> {
    let Some(evidence) = &edge.evidence else {
        return Vec::new();
    };
    let mut out: Vec<(BoundKind, u32)> =
        evidence.bounds.iter().map(|b| (b.kind, b.count)).collect();
    if out.is_empty() && evidence.role == EdgeRole::Retry {
        for end in [edge.from, edge.to] {
            let service = design.service(end);
            if service.kind == ServiceKind::Queue
                && let Some(count) = service
                    .properties
                    .get("max_receive_count")
                    .and_then(|v| v.as_u64())
            {
                out.push((
                    BoundKind::MaxReceiveCount,
                    count.min(u32::MAX as u64) as u32,
                ));
            }
        }
    }
    out
}

/// True when the edges (places in the edge list) among `members` hold a cycle.
fn has_cycle(design: &Design, members: &[ServiceIndex], edges: &[usize]) -> bool {
    let local: std::collections::HashMap<ServiceIndex, u32> = members
        .iter()
        .enumerate()
        .map(|(i, &m)| (m, i as u32))
        .collect();
    let pairs: Vec<(u32, u32)> = edges
        .iter()
        .map(|&at| {
            let edge = &design.edges[at];
            (local[&edge.from], local[&edge.to])
        })
        .collect();
    if pairs.iter().any(|(a, b)| a == b) {
        return true;
    }
    let graph = Adjacency::new(members.len(), pairs.iter().copied());
    let (_, components) = tarjan(&graph);
    (components as usize) < members.len()
}

/// True when `to` is reached from `from` over `edges`.
fn reaches(design: &Design, edges: &[usize], from: ServiceIndex, to: ServiceIndex) -> bool {
    let mut seen = HashSet::from([from]);
    let mut stack = vec![from];
    while let Some(at) = stack.pop() {
        if at == to {
            return true;
        }
        for &e in edges {
            let edge = &design.edges[e];
            if edge.from == at && seen.insert(edge.to) {
                stack.push(edge.to);
            }
        }
    }
    false
}

fn edge_text(design: &Design, at: usize) -> String {
    let edge = &design.edges[at];
    let mut text = format!(
        "{} -> {} ({})",
        design.id(edge.from),
        design.id(edge.to),
        edge.event
    );
    if let Some(evidence) = &edge.evidence {
        text.push_str(&format!(" from {}", evidence.construct));
    }
    text
}

/// The literal start and end of a key glob (`thumbs/*.png` gives `thumbs/` and `.png`), or
/// the whole key when it has no wildcard.
fn glob_ends(glob: &str) -> (&str, &str, bool) {
    match (glob.find(['*', '?']), glob.rfind(['*', '?'])) {
        (Some(first), Some(last)) => (&glob[..first], &glob[last + 1..], true),
        _ => (glob, glob, false),
    }
}

/// Can a write limited to `keys` (a glob) produce a key that passes a prefix/suffix filter?
fn keys_can_pass(keys: &str, filter: &EdgeFilter) -> bool {
    let (start, end, wild) = glob_ends(keys);
    if !wild {
        return filter.prefix.as_deref().is_none_or(|p| keys.starts_with(p))
            && filter.suffix.as_deref().is_none_or(|s| keys.ends_with(s));
    }
    let prefix_ok = filter
        .prefix
        .as_deref()
        .is_none_or(|p| p.starts_with(start) || start.starts_with(p));
    let suffix_ok = filter
        .suffix
        .as_deref()
        .is_none_or(|s| s.ends_with(end) || end.ends_with(s));
    prefix_ok && suffix_ok
}

/// Whether the write `write` into the filtered edge's source can pass `trigger`'s filter:
/// `Some(false)` when it never can, `Some(true)` when it surely can, `None` when it depends
/// on what the code sends.
fn write_can_pass(design: &Design, write: &EventEdge, trigger: &EventEdge) -> Option<bool> {
    let source = design.service(trigger.from).kind;
    if source == ServiceKind::Bucket {
        // A put creates objects, a delete removes them.
        let removes = write.event.contains("Delete") || write.event.contains("Removed");
        let wants_removed = trigger.event.contains("Removed");
        if write.evidence.is_some() && removes != wants_removed {
            return Some(false);
        }
    }
    let filter = trigger.filter.as_deref()?;
    if filter.prefix.is_some() || filter.suffix.is_some() {
        let keys = write.evidence.as_ref().and_then(|e| e.keys.as_deref());
        if let Some(keys) = keys
            && !keys_can_pass(keys, filter)
        {
            return Some(false);
        }
    }
    // A drawn edge names what reaches the bus: the publisher (`source`) and the event
    // (`detail-type`), as the simulator matches them.
    if write.evidence.is_none()
        && let Some(pattern) = &filter.pattern
        && let serde_json::Value::Object(mut map) = pattern.value()
    {
        map.retain(|key, _| key == "source" || key == "detail-type");
        if !map.is_empty() {
            let known = EdgeFilter::with_pattern(&serde_json::Value::Object(map));
            if !known.matches(
                design.id(write.from),
                &write.event,
                &serde_json::Value::Null,
            ) {
                return Some(false);
            }
        }
    }
    None
}

fn guard(design: &Design, members: &[ServiceIndex], edges: &[usize]) -> Guard {
    let followed = |kind: ServiceKind| {
        matches!(
            kind,
            ServiceKind::Function | ServiceKind::Queue | ServiceKind::Topic | ServiceKind::Bucket
        )
    };
    if !members
        .iter()
        .any(|&m| design.service(m).kind == ServiceKind::Function)
    {
        return Guard {
            stops: false,
            reason: "no Lambda function in the loop: AWS's recursive-loop detection does not apply"
                .into(),
        };
    }
    let others: Vec<String> = members
        .iter()
        .filter(|&&m| !followed(design.service(m).kind))
        .map(|&m| format!("{} ({})", design.id(m), design.service(m).kind))
        .collect();
    if !others.is_empty() {
        return Guard {
            stops: false,
            reason: format!(
                "AWS's recursive-loop detection would not stop it: it follows only Lambda, SQS, SNS and S3, and the loop passes {}",
                others.join(", ")
            ),
        };
    }
    if edges
        .iter()
        .all(|&e| design.edges[e].mode == crate::model::EdgeMode::Sync)
    {
        return Guard {
            stops: false,
            reason: "every edge is a direct call: AWS's detection sees only events through SQS, SNS and S3".into(),
        };
    }
    Guard {
        stops: true,
        reason: format!(
            "AWS's recursive-loop detection would stop it after about {AWS_GUARD_INVOCATIONS} invocations (Lambda with SQS, SNS and S3), at run time"
        ),
    }
}

fn classify_one(design: &Design, cycle: &CycleGroup) -> LoopReport {
    let members = &cycle.members;
    let member: HashSet<ServiceIndex> = members.iter().copied().collect();
    let edges: Vec<usize> = design
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| member.contains(&e.from) && member.contains(&e.to))
        .map(|(at, _)| at)
        .collect();
    let report = |class, explanation: String| LoopReport {
        class,
        explanation,
        can_match: None,
        bound: None,
        guard: guard(design, members, &edges),
        edges: edges.clone(),
    };

    let ids: HashSet<&str> = members.iter().map(|&m| design.id(m)).collect();
    if let Some(mark) = design.intentional_loops.iter().find(|mark| {
        mark.services.len() == ids.len() && mark.services.iter().all(|id| ids.contains(id.as_str()))
    }) {
        return report(
            LoopClass::Intentional,
            format!("marked intentional: {}", mark.reason),
        );
    }

    let direct: Vec<usize> = edges
        .iter()
        .copied()
        .filter(|&e| reach(&design.edges[e]) == Reach::Direct)
        .collect();
    if !has_cycle(design, members, &direct) {
        let wide: Vec<String> = edges
            .iter()
            .filter(|&&e| reach(&design.edges[e]) != Reach::Direct)
            .map(|&e| {
                format!(
                    "{} [{}]",
                    edge_text(design, e),
                    reach(&design.edges[e]).as_str()
                )
            })
            .collect();
        return report(
            LoopClass::PermissionOnly,
            format!(
                "closed only by over-approximated edges: {}; the code may never send there",
                wide.join("; ")
            ),
        );
    }

    // Filtered edges the writes feeding them can never pass are cut.
    let mut blocked = Vec::new();
    let mut maybe = Vec::new();
    for &e in &direct {
        let trigger = &design.edges[e];
        if trigger.filter.is_none() && design.service(trigger.from).kind != ServiceKind::Bucket {
            continue;
        }
        let writes: Vec<&EventEdge> = direct
            .iter()
            .map(|&w| &design.edges[w])
            .filter(|w| w.to == trigger.from)
            .collect();
        let verdicts: Vec<Option<bool>> = writes
            .iter()
            .map(|w| write_can_pass(design, w, trigger))
            .collect();
        if !writes.is_empty() && verdicts.iter().all(|v| *v == Some(false)) {
            blocked.push(e);
        } else if trigger.filter.is_some() {
            maybe.push(e);
        }
    }
    let passable: Vec<usize> = direct
        .iter()
        .copied()
        .filter(|e| !blocked.contains(e))
        .collect();
    if !blocked.is_empty() && !has_cycle(design, members, &passable) {
        let which: Vec<String> = blocked
            .iter()
            .map(|&e| {
                let edge = &design.edges[e];
                let filter = edge
                    .filter
                    .as_deref()
                    .map_or_else(|| format!("event {}", edge.event), EdgeFilter::describe);
                format!("{} ({filter})", edge_text(design, e))
            })
            .collect();
        let mut out = report(
            LoopClass::Filtered,
            format!(
                "broken by a filter the writes cannot match: {}",
                which.join("; ")
            ),
        );
        out.can_match = Some(false);
        return out;
    }

    // Counts: a hop limit stops any way round; a retry count only a way round that carries the
    // same message (no write on it).
    let hop = |e: usize| {
        bounds(design, &design.edges[e])
            .iter()
            .any(|(kind, _)| *kind == BoundKind::HopLimit)
    };
    let counted = |e: usize| {
        role(design, &design.edges[e]) == EdgeRole::Retry
            && !bounds(design, &design.edges[e]).is_empty()
    };
    let rest: Vec<usize> = passable.iter().copied().filter(|&e| !hop(e)).collect();
    let write_round = rest.iter().any(|&e| {
        let edge = &design.edges[e];
        role(design, edge) == EdgeRole::Write && reaches(design, &rest, edge.to, edge.from)
    });
    let uncounted: Vec<usize> = rest
        .iter()
        .copied()
        .filter(|&e| !counted(e) && role(design, &design.edges[e]) != EdgeRole::Write)
        .collect();
    let any_bound = passable.iter().any(|&e| hop(e) || counted(e));
    if any_bound && !write_round && !has_cycle(design, members, &uncounted) {
        let mut smallest: Option<(BoundKind, u32, usize)> = None;
        for &e in &passable {
            if hop(e) || counted(e) {
                for (kind, count) in bounds(design, &design.edges[e]) {
                    if smallest.is_none_or(|(_, c, _)| count < c) {
                        smallest = Some((kind, count, e));
                    }
                }
            }
        }
        let (kind, count, at) = smallest.unwrap_or((BoundKind::HopLimit, 0, passable[0]));
        let mut out = report(
            LoopClass::Bounded,
            format!(
                "stopped by {} after {count} on {}",
                kind.as_str(),
                edge_text(design, at)
            ),
        );
        out.bound = Some((kind, count));
        return out;
    }

    if !maybe.is_empty() {
        let which: Vec<String> = maybe
            .iter()
            .map(|&e| {
                let filter = design.edges[e]
                    .filter
                    .as_deref()
                    .map(EdgeFilter::describe)
                    .unwrap_or_default();
                format!("{} ({filter})", edge_text(design, e))
            })
            .collect();
        let mut out = report(
            LoopClass::Filtered,
            format!(
                "crosses a filter the writes may match: {}; whether it loops depends on what the code sends",
                which.join("; ")
            ),
        );
        out.can_match = Some(true);
        return out;
    }

    let writes: Vec<String> = passable
        .iter()
        .filter(|&&e| role(design, &design.edges[e]) == EdgeRole::Write)
        .map(|&e| edge_text(design, e))
        .collect();
    let explanation = if writes.is_empty() {
        "nothing bounds or filters it".to_owned()
    } else {
        format!(
            "each trigger's handler writes back into the loop ({}) and nothing bounds or filters it",
            writes.join("; ")
        )
    };
    report(LoopClass::Runaway, explanation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::model::evidence::{Bound, Evidence};
    use crate::model::{IntentionalLoop, Service};

    fn design(services: &[(&str, ServiceKind)], edges: &[(&str, &str, &str)]) -> Design {
        let mut design = Design::new("t");
        for (id, kind) in services {
            design.add_service(Service::new(*id, *kind));
        }
        for (from, to, event) in edges {
            design.connect(from, to, event);
        }
        design
    }

    fn evidence(design: &mut Design, at: usize, role: EdgeRole, reach: Reach) -> &mut Evidence {
        let mut e = Evidence::new(format!("construct {at}"), role);
        e.reach = reach;
        design.edges[at].evidence = Some(Box::new(e));
        design.edges[at].evidence.as_mut().unwrap()
    }

    fn classes(design: &Design) -> Vec<LoopReport> {
        classify(design, &analyze(design))
    }

    #[test]
    fn a_bucket_written_back_by_its_trigger_is_a_runaway_loop_aws_stops() {
        let d = design(
            &[
                ("Photos", ServiceKind::Bucket),
                ("Resize", ServiceKind::Function),
            ],
            &[
                ("Photos", "Resize", "ObjectCreated"),
                ("Resize", "Photos", "PutObject"),
            ],
        );
        let report = &classes(&d)[0];
        assert_eq!(report.class, LoopClass::Runaway, "{report:?}");
        assert!(
            report.explanation.contains("Resize -> Photos"),
            "{report:?}"
        );
        assert!(report.guard.stops, "{report:?}");
    }

    #[test]
    fn a_key_filter_the_write_cannot_match_breaks_the_loop() {
        let mut d = design(
            &[
                ("Photos", ServiceKind::Bucket),
                ("Resize", ServiceKind::Function),
            ],
            &[
                ("Photos", "Resize", "ObjectCreated"),
                ("Resize", "Photos", "PutObject"),
            ],
        );
        evidence(&mut d, 0, EdgeRole::Trigger, Reach::Direct);
        evidence(&mut d, 1, EdgeRole::Write, Reach::Direct).keys = Some("thumbs/*.png".into());
        d.edges[0].filter = Some(Box::new(EdgeFilter {
            suffix: Some(".jpg".into()),
            ..EdgeFilter::default()
        }));
        let report = &classes(&d)[0];
        assert_eq!(
            (report.class, report.can_match),
            (LoopClass::Filtered, Some(false)),
            "{report:?}"
        );
        assert!(report.explanation.contains("suffix \".jpg\""), "{report:?}");
        // A write allowed everywhere may match the same filter.
        d.edges[1].evidence.as_mut().unwrap().keys = Some("*".into());
        let report = &classes(&d)[0];
        assert_eq!(
            (report.class, report.can_match),
            (LoopClass::Filtered, Some(true)),
            "{report:?}"
        );
    }

    #[test]
    fn a_loop_closed_only_by_a_wildcard_or_shared_role_is_permission_only() {
        for reach in [Reach::Wildcard, Reach::SharedRole, Reach::Environment] {
            let mut d = design(
                &[
                    ("Jobs", ServiceKind::Queue),
                    ("Worker", ServiceKind::Function),
                ],
                &[
                    ("Jobs", "Worker", "Message"),
                    ("Worker", "Jobs", "SendMessage"),
                ],
            );
            evidence(&mut d, 1, EdgeRole::Write, reach);
            let report = &classes(&d)[0];
            assert_eq!(report.class, LoopClass::PermissionOnly, "{report:?}");
            assert!(report.explanation.contains(reach.as_str()), "{report:?}");
        }
    }

    #[test]
    fn a_retry_count_bounds_a_loop_of_the_same_message_but_not_one_with_a_write() {
        // The queue hands a failed message back to itself through its consumer's failure path.
        let mut d = design(
            &[
                ("Jobs", ServiceKind::Queue),
                ("Worker", ServiceKind::Function),
            ],
            &[("Jobs", "Worker", "Message"), ("Worker", "Jobs", "Retry")],
        );
        evidence(&mut d, 0, EdgeRole::Trigger, Reach::Direct);
        evidence(&mut d, 1, EdgeRole::Retry, Reach::Direct);
        d.services[0]
            .properties
            .insert("max_receive_count", 3.into());
        let report = &classes(&d)[0];
        assert_eq!(report.class, LoopClass::Bounded, "{report:?}");
        assert_eq!(report.bound, Some((BoundKind::MaxReceiveCount, 3)));
        // A dead-letter queue whose remediation sends a new message back: unbounded.
        let mut d = design(
            &[
                ("Orders", ServiceKind::Queue),
                ("OrdersDlq", ServiceKind::Queue),
                ("Remediate", ServiceKind::Function),
            ],
            &[
                ("Orders", "OrdersDlq", "Redrive"),
                ("OrdersDlq", "Remediate", "Message"),
                ("Remediate", "Orders", "SendMessage"),
            ],
        );
        evidence(&mut d, 0, EdgeRole::Retry, Reach::Direct)
            .bounds
            .push(Bound {
                kind: BoundKind::MaxReceiveCount,
                count: 5,
            });
        let report = &classes(&d)[0];
        assert_eq!(report.class, LoopClass::Runaway, "{report:?}");
        assert!(report.guard.stops);
        // A hop limit stops it whatever writes there are.
        d.edges[2].evidence = Some(Box::new(Evidence {
            bounds: vec![Bound {
                kind: BoundKind::HopLimit,
                count: 4,
            }],
            ..Evidence::new("hops", EdgeRole::Write)
        }));
        let report = &classes(&d)[0];
        assert_eq!(report.bound, Some((BoundKind::HopLimit, 4)), "{report:?}");
    }

    #[test]
    fn a_marked_loop_is_intentional_and_the_guard_is_told_for_every_class() {
        let mut d = design(
            &[
                ("Socket", ServiceKind::Gateway),
                ("Reply", ServiceKind::Function),
            ],
            &[
                ("Socket", "Reply", "sendMessage"),
                ("Reply", "Socket", "PostToConnection"),
            ],
        );
        let report = &classes(&d)[0];
        assert_eq!(report.class, LoopClass::Runaway);
        assert!(!report.guard.stops);
        assert!(
            report.guard.reason.contains("Socket (gateway)"),
            "{report:?}"
        );
        d.intentional_loops.push(IntentionalLoop {
            services: vec!["Reply".into(), "Socket".into()],
            reason: "the reply goes back to the caller".into(),
        });
        let report = &classes(&d)[0];
        assert_eq!(report.class, LoopClass::Intentional);
        assert!(report.explanation.contains("back to the caller"));
        // A mark for other services does not apply.
        d.intentional_loops[0].services.pop();
        assert_eq!(classes(&d)[0].class, LoopClass::Runaway);
    }

    #[test]
    fn a_drawn_rule_pattern_that_names_another_publisher_cannot_match() {
        let mut d = design(
            &[
                ("Bus", ServiceKind::Bus),
                ("Handler", ServiceKind::Function),
            ],
            &[
                ("Bus", "Handler", "OrderPlaced"),
                ("Handler", "Bus", "OrderShipped"),
            ],
        );
        d.edges[0].filter = Some(Box::new(EdgeFilter::with_pattern(
            &serde_json::json!({"detail-type": ["OrderPlaced"]}),
        )));
        let report = &classes(&d)[0];
        assert_eq!(
            (report.class, report.can_match),
            (LoopClass::Filtered, Some(false)),
            "{report:?}"
        );
        assert!(
            !report.guard.stops,
            "EventBridge is not followed by the guard"
        );
    }
}
