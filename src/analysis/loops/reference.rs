//! The classification as first written, group by group over the whole edge list: slow (it
//! scans every edge per group and walks the group once per write), and kept only as the oracle
//! the property test holds [`super::classify`] to.

use std::collections::{HashMap, HashSet};

use super::{LoopClass, bounds, reach, role, write_can_pass};
use crate::analysis::{Adjacency, Analysis, tarjan};
use crate::model::evidence::{BoundKind, EdgeRole, Reach};
use crate::model::{Design, EventEdge, ServiceIndex, ServiceKind};

/// What the property test compares: the class, whether a filter can match, the bound.
pub(super) type Verdict = (LoopClass, Option<bool>, Option<(BoundKind, u32)>);

pub(super) fn classify(design: &Design, analysis: &Analysis) -> Vec<Verdict> {
    analysis
        .cycles
        .iter()
        .map(|cycle| verdict(design, &cycle.members))
        .collect()
}

fn has_cycle(design: &Design, members: &[ServiceIndex], edges: &[usize]) -> bool {
    let local: HashMap<ServiceIndex, u32> = members
        .iter()
        .enumerate()
        .map(|(i, &m)| (m, i as u32))
        .collect();
    let pairs: Vec<(u32, u32)> = edges
        .iter()
        .map(|&at| (local[&design.edges[at].from], local[&design.edges[at].to]))
        .collect();
    if pairs.iter().any(|(a, b)| a == b) {
        return true;
    }
    let (_, components) = tarjan(&Adjacency::new(members.len(), pairs.iter().copied()));
    (components as usize) < members.len()
}

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

fn verdict(design: &Design, members: &[ServiceIndex]) -> Verdict {
    let member: HashSet<ServiceIndex> = members.iter().copied().collect();
    let edges: Vec<usize> = (0..design.edges.len())
        .filter(|&at| {
            member.contains(&design.edges[at].from) && member.contains(&design.edges[at].to)
        })
        .collect();
    let ids: HashSet<&str> = members.iter().map(|&m| design.id(m)).collect();
    if design.intentional_loops.iter().any(|mark| {
        mark.services.len() == ids.len() && mark.services.iter().all(|id| ids.contains(id.as_str()))
    }) {
        return (LoopClass::Intentional, None, None);
    }
    let direct: Vec<usize> = edges
        .iter()
        .copied()
        .filter(|&e| reach(&design.edges[e]) == Reach::Direct)
        .collect();
    if !has_cycle(design, members, &direct) {
        return (LoopClass::PermissionOnly, None, None);
    }
    let (mut blocked, mut maybe) = (Vec::new(), false);
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
        if !writes.is_empty()
            && writes
                .iter()
                .all(|w| write_can_pass(design, w, trigger) == Some(false))
        {
            blocked.push(e);
        } else if trigger.filter.is_some() {
            maybe = true;
        }
    }
    let passable: Vec<usize> = direct
        .iter()
        .copied()
        .filter(|e| !blocked.contains(e))
        .collect();
    if !blocked.is_empty() && !has_cycle(design, members, &passable) {
        return (LoopClass::Filtered, Some(false), None);
    }
    let edge = |e: usize| &design.edges[e];
    let hop = |e: usize| {
        bounds(design, edge(e))
            .iter()
            .any(|(kind, _)| *kind == BoundKind::HopLimit)
    };
    let counted = |e: usize| {
        role(design.service(edge(e).from).kind, edge(e)) == EdgeRole::Retry
            && !bounds(design, edge(e)).is_empty()
    };
    let rest: Vec<usize> = passable.iter().copied().filter(|&e| !hop(e)).collect();
    let write_round = rest.iter().any(|&e| {
        role(design.service(edge(e).from).kind, edge(e)) == EdgeRole::Write
            && reaches(design, &rest, edge(e).to, edge(e).from)
    });
    let uncounted: Vec<usize> = rest
        .iter()
        .copied()
        .filter(|&e| {
            !counted(e) && role(design.service(edge(e).from).kind, edge(e)) != EdgeRole::Write
        })
        .collect();
    let any_bound = passable.iter().any(|&e| hop(e) || counted(e));
    if any_bound && !write_round && !has_cycle(design, members, &uncounted) {
        let smallest = passable
            .iter()
            .filter(|&&e| hop(e) || counted(e))
            .flat_map(|&e| bounds(design, edge(e)))
            .fold(None::<(BoundKind, u32)>, |best, (kind, count)| match best {
                Some((_, c)) if c <= count => best,
                _ => Some((kind, count)),
            });
        return (
            LoopClass::Bounded,
            None,
            Some(smallest.unwrap_or((BoundKind::HopLimit, 0))),
        );
    }
    if maybe {
        return (LoopClass::Filtered, Some(true), None);
    }
    (LoopClass::Runaway, None, None)
}
