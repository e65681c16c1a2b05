//! Which references would make CloudFormation reject the template as circular (cfn-lint's
//! E3004), and so must name their target by a fixed name instead of a `!Ref`.
//!
//! Each edge makes one resource depend on another, or neither (a subscription or a rule is a
//! resource of its own): a writer's policy depends on its target, a function's poller role on
//! the queue, stream or table it reads, a bucket's notification on the function it calls, an
//! API on the functions it routes to, a queue on its dead-letter queue. Only the first kind can
//! name its target without a reference, and every cycle of these dependencies passes through
//! one (queues, topics, tables and buses depend on nothing that leads back). So: the policy
//! references inside a strongly connected component are the ones turned into names. O(V + E).

use crate::analysis::{Adjacency, tarjan};
use crate::model::{Design, ServiceKind};

/// Per edge: whether the writer must name its target by its fixed name.
pub(super) fn refer_by_name(design: &Design) -> Vec<bool> {
    let dependencies: Vec<Option<(u32, u32, bool)>> = design
        .edges
        .iter()
        .map(|e| dependency(design, e.from.index(), e.to.index()))
        .collect();
    let pairs: Vec<(u32, u32)> = dependencies
        .iter()
        .flatten()
        .map(|&(a, b, _)| (a, b))
        .collect();
    let graph = Adjacency::new(design.services.len(), pairs.iter().copied());
    let (component, _) = tarjan(&graph);
    dependencies
        .iter()
        .map(|dependency| match *dependency {
            Some((a, b, true)) => component[a as usize] == component[b as usize],
            _ => false,
        })
        .collect()
}

/// The dependency an edge makes: (dependent, dependency, whether a name can replace it).
fn dependency(design: &Design, from: usize, to: usize) -> Option<(u32, u32, bool)> {
    use ServiceKind::*;
    let (fk, tk) = (design.services[from].kind, design.services[to].kind);
    let (a, b) = (from as u32, to as u32);
    match (fk, tk) {
        (Queue | Stream | Table, Function) => Some((b, a, false)),
        (Bucket, Function) => Some((a, b, false)),
        (Gateway, Function | StateMachine) => Some((a, b, false)),
        (Queue, Queue) => Some((a, b, false)),
        (Function | StateMachine, Gateway | Schedule) => None,
        (Function | StateMachine, _) => Some((a, b, true)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Service;

    fn design(services: &[(&str, ServiceKind)], edges: &[(&str, &str)]) -> Design {
        let mut design = Design::new("t");
        for &(id, kind) in services {
            design.add_service(Service::new(id, kind));
        }
        for &(from, to) in edges {
            design.connect(from, to, "E");
        }
        design
    }

    #[test]
    fn a_self_invoking_function_and_a_bucket_loop_are_named_and_nothing_else() {
        use ServiceKind::*;
        let d = design(
            &[
                ("poller", Function),
                ("f", Function),
                ("q", Queue),
                ("b", Bucket),
                ("g", Function),
            ],
            &[
                ("poller", "poller"), // invokes itself: circular by reference
                ("f", "q"),           // writes the queue that triggers it: no cycle
                ("q", "f"),
                ("b", "g"), // the bucket calls g, g writes the bucket: circular
                ("g", "b"),
                ("f", "g"), // a plain call
            ],
        );
        assert_eq!(refer_by_name(&d), [true, false, false, false, true, false]);
    }

    #[test]
    fn two_functions_calling_each_other_name_each_other() {
        let d = design(
            &[("a", ServiceKind::Function), ("b", ServiceKind::Function)],
            &[("a", "b"), ("b", "a")],
        );
        assert_eq!(refer_by_name(&d), [true, true]);
    }
}
