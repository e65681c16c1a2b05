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

use std::borrow::Cow;

use super::{Adjacency, Analysis, CycleGroup, tarjan};
use crate::model::evidence::{BoundKind, EdgeRole, Reach};
use crate::model::filter::CompiledFilter;
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
    /// (Most reasons are fixed sentences: borrowed, not a string per loop.)
    pub reason: Cow<'static, str>,
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
}

/// AWS's recursive-loop detection stops a loop after about this many invocations.
pub const AWS_GUARD_INVOCATIONS: u32 = 16;

/// At most this many edges or services are named in one explanation; the rest are counted.
const LISTED: usize = 10;

/// Classifies every cycle group of `analysis`, in its order. O(V + E) in all, whatever the
/// number or length of the loops: each group is worked on through its own members and edges
/// ([`CycleGroup::edges`]) only, with scratch space shared by all groups.
pub fn classify(design: &Design, analysis: &Analysis) -> Vec<LoopReport> {
    let marks = intentional_marks(design, analysis);
    let mut local = vec![u32::MAX; design.services.len()];
    let kinds: Vec<ServiceKind> = design.services.iter().map(|s| s.kind).collect();
    let mut reports = Vec::with_capacity(analysis.cycles.len());
    for (cycle, mark) in analysis.cycles.iter().zip(marks) {
        for (at, member) in cycle.members.iter().enumerate() {
            local[member.index()] = at as u32;
        }
        let group = Group {
            design,
            cycle,
            local: &local,
            kinds: &kinds,
        };
        reports.push(classify_one(
            &group,
            mark.map(|at| &design.intentional_loops[at]),
        ));
        for member in &cycle.members {
            local[member.index()] = u32::MAX;
        }
    }
    reports
}

/// Per cycle group, the first intentional-loop mark (by place in the list) that names exactly
/// its services. O(V + the marks' length).
fn intentional_marks(design: &Design, analysis: &Analysis) -> Vec<Option<usize>> {
    let mut marks = vec![None; analysis.cycles.len()];
    let group_of = |id: &str| {
        design
            .find(id)
            .and_then(|s| analysis.cycle_of.get(s.index()).copied().flatten())
    };
    for (at, mark) in design.intentional_loops.iter().enumerate() {
        let Some(group) = mark.services.first().and_then(|id| group_of(id)) else {
            continue;
        };
        let slot = &mut marks[group as usize];
        if slot.is_none()
            && mark.services.len() == analysis.cycles[group as usize].members.len()
            && mark.services.iter().all(|id| group_of(id) == Some(group))
        {
            *slot = Some(at);
        }
    }
    marks
}

/// One cycle group, with each member's place among the members (`local`, per service).
struct Group<'a> {
    design: &'a Design,
    cycle: &'a CycleGroup,
    local: &'a [u32],
    /// Every service's kind, compact: the groups read kinds many times, and a service's
    /// record is large.
    kinds: &'a [ServiceKind],
}

impl Group<'_> {
    fn role(&self, at: usize) -> EdgeRole {
        let edge = self.edge(at);
        role(self.kinds[edge.from.index()], edge)
    }

    fn edge(&self, at: usize) -> &EventEdge {
        &self.design.edges[at]
    }

    /// An edge's ends as places among the members.
    fn ends(&self, at: usize) -> (u32, u32) {
        let edge = self.edge(at);
        (self.local[edge.from.index()], self.local[edge.to.index()])
    }

    /// True when an edge of `edges` for which `wanted` holds lies on a cycle made of `edges`
    /// (a self-loop, or its ends in one strongly connected component of them). O(the group's
    /// size).
    fn any_on_cycle(&self, edges: &[usize], wanted: impl Fn(usize) -> bool) -> bool {
        let members = self.cycle.members.len();
        // Every edge of a strongly connected group lies on a cycle of its edges: all of them,
        // or any edge of a one-member group (a self-loop), needs no search.
        if members == 1 || edges.len() == self.cycle.edges.len() {
            return edges.iter().any(|&e| wanted(e));
        }
        let pairs = edges.iter().map(|&at| self.ends(at));
        let (component, _) = tarjan(&Adjacency::new(members, pairs.clone()));
        edges
            .iter()
            .zip(pairs)
            .any(|(&e, (a, b))| component[a as usize] == component[b as usize] && wanted(e))
    }

    /// True when `edges` hold a cycle.
    fn has_cycle(&self, edges: &[usize]) -> bool {
        self.any_on_cycle(edges, |_| true)
    }

    /// Of `edges`, those into each member: `list[offsets[m]..offsets[m + 1]]`, in the order of
    /// `edges`.
    fn edges_into_each(&self, edges: &[usize]) -> (Vec<u32>, Vec<usize>) {
        let members = self.cycle.members.len();
        let mut offsets = vec![0u32; members + 1];
        for &at in edges {
            offsets[self.ends(at).1 as usize + 1] += 1;
        }
        for m in 0..members {
            offsets[m + 1] += offsets[m];
        }
        let mut fill = offsets.clone();
        let mut list = vec![0; edges.len()];
        for &at in edges {
            let to = self.ends(at).1 as usize;
            list[fill[to] as usize] = at;
            fill[to] += 1;
        }
        (offsets, list)
    }
}

/// The edges of `edges` that `keep` keeps: `edges` itself when it keeps all of them.
fn narrowed(edges: &[usize], mut keep: impl FnMut(usize) -> bool) -> Cow<'_, [usize]> {
    match edges.iter().position(|&e| !keep(e)) {
        None => Cow::Borrowed(edges),
        Some(first) => {
            let mut out = edges[..first].to_vec();
            out.extend(edges[first + 1..].iter().copied().filter(|&e| keep(e)));
            Cow::Owned(out)
        }
    }
}

/// The first [`LISTED`] of `items` as text, joined by `separator`, then how many more.
fn listed<T>(items: &[T], separator: &str, text: impl Fn(&T) -> String) -> String {
    let mut out: Vec<String> = items.iter().take(LISTED).map(text).collect();
    if items.len() > LISTED {
        out.push(format!("and {} more", items.len() - LISTED));
    }
    out.join(separator)
}

fn classify_one(group: &Group, mark: Option<&crate::model::IntentionalLoop>) -> LoopReport {
    let design = group.design;
    let members = &group.cycle.members;
    let edges = &group.cycle.edges;
    let report = |class, explanation: String| LoopReport {
        class,
        explanation,
        can_match: None,
        bound: None,
        guard: guard(design, group.kinds, members, edges),
    };

    if let Some(mark) = mark {
        return report(
            LoopClass::Intentional,
            format!("marked intentional: {}", mark.reason),
        );
    }

    // Each step below narrows the edges; where nothing is taken away the list is borrowed, so
    // a big loop of plain edges costs no copies.
    let direct = narrowed(edges, |e| reach(group.edge(e)) == Reach::Direct);
    if !group.has_cycle(&direct) {
        let wide: Vec<usize> = edges
            .iter()
            .copied()
            .filter(|&e| reach(group.edge(e)) != Reach::Direct)
            .collect();
        return report(
            LoopClass::PermissionOnly,
            format!(
                "closed only by over-approximated edges: {}; the code may never send there",
                listed(&wide, "; ", |&e| format!(
                    "{} [{}]",
                    edge_text(design, e),
                    reach(group.edge(e)).as_str()
                ))
            ),
        );
    }

    // Filtered edges the writes feeding them can never pass are cut.
    let gated = |e: usize| {
        let trigger = group.edge(e);
        trigger.filter.is_some() || group.kinds[trigger.from.index()] == ServiceKind::Bucket
    };
    let (offsets, into) = if direct.iter().any(|&e| gated(e)) {
        group.edges_into_each(&direct)
    } else {
        (Vec::new(), Vec::new())
    };
    let mut blocked = Vec::new();
    let mut maybe = Vec::new();
    for &e in direct.iter() {
        if !gated(e) {
            continue;
        }
        let trigger = group.edge(e);
        let source = group.local[trigger.from.index()] as usize;
        let writes = &into[offsets[source] as usize..offsets[source + 1] as usize];
        if !writes.is_empty()
            && writes
                .iter()
                .all(|&w| write_can_pass(design, group.edge(w), trigger) == Some(false))
        {
            blocked.push(e);
        } else if trigger.filter.is_some() {
            maybe.push(e);
        }
    }
    // `blocked` is in the order of `direct`: one merge takes it out.
    let mut cut = blocked.iter().peekable();
    let passable = narrowed(&direct, |e| cut.next_if_eq(&&e).is_none());
    if !blocked.is_empty() && !group.has_cycle(&passable) {
        let mut out = report(
            LoopClass::Filtered,
            format!(
                "broken by a filter the writes cannot match: {}",
                listed(&blocked, "; ", |&e| {
                    let edge = group.edge(e);
                    let filter = edge
                        .filter
                        .as_deref()
                        .map_or_else(|| format!("event {}", edge.event), EdgeFilter::describe);
                    format!("{} ({filter})", edge_text(design, e))
                })
            ),
        );
        out.can_match = Some(false);
        return out;
    }

    // Counts: a hop limit stops any way round; a retry count only a way round that carries the
    // same message (no write on it).
    let hop = |e: usize| {
        bounds(design, group.edge(e))
            .iter()
            .any(|(kind, _)| *kind == BoundKind::HopLimit)
    };
    let counted =
        |e: usize| group.role(e) == EdgeRole::Retry && !bounds(design, group.edge(e)).is_empty();
    let any_bound = passable.iter().any(|&e| hop(e) || counted(e));
    let bounded = any_bound && {
        let rest = narrowed(&passable, |e| !hop(e));
        // A write goes round when its subscriber reaches its publisher again through `rest`.
        let write_round = group.any_on_cycle(&rest, |e| group.role(e) == EdgeRole::Write);
        let uncounted = narrowed(&rest, |e| !counted(e) && group.role(e) != EdgeRole::Write);
        !write_round && !group.has_cycle(&uncounted)
    };
    if bounded {
        let mut smallest: Option<(BoundKind, u32, usize)> = None;
        for &e in passable.iter() {
            if hop(e) || counted(e) {
                for (kind, count) in bounds(design, group.edge(e)) {
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
        let mut out = report(
            LoopClass::Filtered,
            format!(
                "crosses a filter the writes may match: {}; whether it loops depends on what the code sends",
                listed(&maybe, "; ", |&e| {
                    let filter = group
                        .edge(e)
                        .filter
                        .as_deref()
                        .map(EdgeFilter::describe)
                        .unwrap_or_default();
                    format!("{} ({filter})", edge_text(design, e))
                })
            ),
        );
        out.can_match = Some(true);
        return out;
    }

    let writes: Vec<usize> = passable
        .iter()
        .copied()
        .filter(|&e| group.role(e) == EdgeRole::Write)
        .collect();
    let explanation = if writes.is_empty() {
        "nothing bounds or filters it".to_owned()
    } else {
        format!(
            "each trigger's handler writes back into the loop ({}) and nothing bounds or filters it",
            listed(&writes, "; ", |&e| edge_text(design, e))
        )
    };
    report(LoopClass::Runaway, explanation)
}

/// What an edge does: its evidence's role, or for a drawn edge what its publisher's kind does.
fn role(publisher: ServiceKind, edge: &EventEdge) -> EdgeRole {
    match &edge.evidence {
        Some(evidence) => evidence.role,
        None => match publisher {
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
            let known = CompiledFilter::of_pattern(serde_json::Value::Object(map));
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

fn guard(
    design: &Design,
    kinds: &[ServiceKind],
    members: &[ServiceIndex],
    edges: &[usize],
) -> Guard {
    let followed = |kind: ServiceKind| {
        matches!(
            kind,
            ServiceKind::Function | ServiceKind::Queue | ServiceKind::Topic | ServiceKind::Bucket
        )
    };
    if !members
        .iter()
        .any(|&m| kinds[m.index()] == ServiceKind::Function)
    {
        return Guard {
            stops: false,
            reason: "no Lambda function in the loop: AWS's recursive-loop detection does not apply"
                .into(),
        };
    }
    let others: Vec<ServiceIndex> = members
        .iter()
        .copied()
        .filter(|&m| !followed(kinds[m.index()]))
        .collect();
    if !others.is_empty() {
        return Guard {
            stops: false,
            reason: Cow::Owned(format!(
                "AWS's recursive-loop detection would not stop it: it follows only Lambda, SQS, SNS and S3, and the loop passes {}",
                listed(&others, ", ", |&m| format!(
                    "{} ({})",
                    design.id(m),
                    design.service(m).kind
                ))
            )),
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
    // The count is written out: a fixed sentence needs no string per loop.
    const _: () = assert!(AWS_GUARD_INVOCATIONS == 16);
    Guard {
        stops: true,
        reason: Cow::Borrowed(
            "AWS's recursive-loop detection would stop it after about 16 invocations (Lambda with SQS, SNS and S3), at run time",
        ),
    }
}

#[cfg(test)]
mod reference;

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

    /// A random design from `seed`: few services and many edges (so loops of every size share
    /// services and edges), every kind, evidence of every role and reach with counts and keys,
    /// filters of each sort, queue counts, and intentional marks, some exact and some not.
    fn random_design(seed: u64, services: usize, edges: usize) -> Design {
        let mut state = seed;
        let mut next = move |below: usize| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) % below as u64) as usize
        };
        let mut d = Design::new("random");
        for i in 0..services {
            let kind = ServiceKind::ALL[next(ServiceKind::ALL.len())];
            let mut service = Service::new(format!("s{i}"), kind);
            if kind == ServiceKind::Queue && next(2) == 0 {
                service
                    .properties
                    .insert("max_receive_count", (1 + next(9) as u64).into());
            }
            d.add_service(service);
        }
        const EVENTS: [&str; 6] = [
            "ObjectCreated",
            "ObjectRemoved",
            "PutObject",
            "DeleteObject",
            "OrderPlaced",
            "Retry",
        ];
        for _ in 0..edges {
            let (from, to) = (next(services), next(services));
            d.connect(
                &format!("s{from}"),
                &format!("s{to}"),
                EVENTS[next(EVENTS.len())],
            );
            let edge = d.edges.last_mut().unwrap();
            if next(5) < 3 {
                let role = [EdgeRole::Trigger, EdgeRole::Write, EdgeRole::Retry][next(3)];
                let mut e = Evidence::new("random", role);
                e.reach = [
                    Reach::Direct,
                    Reach::Direct,
                    Reach::Wildcard,
                    Reach::SharedRole,
                ][next(4)];
                if next(3) == 0 {
                    e.bounds.push(Bound {
                        kind: [
                            BoundKind::MaxReceiveCount,
                            BoundKind::RetryAttempts,
                            BoundKind::HopLimit,
                        ][next(3)],
                        count: 1 + next(9) as u32,
                    });
                }
                e.keys = [None, Some("thumbs/*.png"), Some("*"), Some("in/a.jpg")][next(4)]
                    .map(str::to_owned);
                edge.evidence = Some(Box::new(e));
            }
            edge.filter = match next(6) {
                0 => Some(Box::new(EdgeFilter {
                    prefix: Some(["thumbs/", "in/"][next(2)].into()),
                    ..EdgeFilter::default()
                })),
                1 => Some(Box::new(EdgeFilter {
                    suffix: Some([".jpg", ".png"][next(2)].into()),
                    ..EdgeFilter::default()
                })),
                2 => Some(Box::new(EdgeFilter::with_pattern(&serde_json::json!({
                    "detail-type": [EVENTS[next(EVENTS.len())]],
                    "source": [format!("s{}", next(services))],
                })))),
                _ => None,
            };
        }
        let analysis = analyze(&d);
        for _ in 0..next(3) {
            let Some(cycle) = analysis.cycles.get(next(analysis.cycles.len().max(1))) else {
                break;
            };
            let mut ids: Vec<String> = cycle.members.iter().map(|&m| d.id(m).to_owned()).collect();
            match next(4) {
                0 => ids.push(format!("s{}", next(services))),
                1 => {
                    ids.pop();
                }
                _ => {}
            }
            d.intentional_loops.push(IntentionalLoop {
                services: ids,
                reason: "meant".into(),
            });
        }
        d
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]
        /// The linear classification gives the reference's answers, and each group's edges are
        /// exactly the edges between its members.
        #[test]
        fn the_linear_classes_are_the_reference_classes(
            seed in proptest::prelude::any::<u64>(),
            services in 1usize..12,
            edges in 0usize..36,
        ) {
            let d = random_design(seed, services, edges);
            let analysis = analyze(&d);
            for cycle in &analysis.cycles {
                let between: Vec<usize> = (0..d.edges.len())
                    .filter(|&at| {
                        let e = &d.edges[at];
                        cycle.members.contains(&e.from) && cycle.members.contains(&e.to)
                    })
                    .collect();
                proptest::prop_assert_eq!(&cycle.edges, &between);
            }
            let fast: Vec<reference::Verdict> = classify(&d, &analysis)
                .iter()
                .map(|r| (r.class, r.can_match, r.bound))
                .collect();
            proptest::prop_assert_eq!(fast, reference::classify(&d, &analysis));
        }
    }

    #[test]
    fn long_explanations_name_the_first_edges_and_count_the_rest() {
        let n = 25;
        let services: Vec<(String, ServiceKind)> = (0..n)
            .map(|i| (format!("f{i}"), ServiceKind::Function))
            .collect();
        let services: Vec<(&str, ServiceKind)> =
            services.iter().map(|(id, k)| (id.as_str(), *k)).collect();
        let ids: Vec<String> = (0..n).map(|i| format!("f{}", (i + 1) % n)).collect();
        let edges: Vec<(&str, &str, &str)> = (0..n)
            .map(|i| (services[i].0, ids[i].as_str(), "Invoke"))
            .collect();
        let report = &classes(&design(&services, &edges))[0];
        assert_eq!(report.class, LoopClass::Runaway);
        assert!(
            report.explanation.contains("f0 -> f1 (Invoke)"),
            "{report:?}"
        );
        assert!(!report.explanation.contains("f20 -> f21"), "{report:?}");
        assert!(report.explanation.contains("and 15 more"), "{report:?}");
    }
}
