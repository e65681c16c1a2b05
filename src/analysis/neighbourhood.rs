//! What a service reaches and is reached from within n hops: the window's focus view shows
//! these and dims the rest.

use std::collections::VecDeque;

use crate::model::{Design, ServiceIndex};

/// Marks the services within `hops` edges downstream or upstream of any of `start` (the start
/// services included). Upstream and downstream are walked separately: a sibling reached by
/// going up one edge and down another is not in focus. O(V + E).
pub fn within_hops(design: &Design, start: &[ServiceIndex], hops: u32) -> Vec<bool> {
    let n = design.services.len();
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut into: Vec<Vec<u32>> = vec![Vec::new(); n];
    for edge in &design.edges {
        out[edge.from.index()].push(edge.to.0);
        into[edge.to.index()].push(edge.from.0);
    }
    let mut marked = vec![false; n];
    for adjacency in [&out, &into] {
        let mut depth = vec![u32::MAX; n];
        let mut queue = VecDeque::new();
        for s in start.iter().filter(|s| s.index() < n) {
            depth[s.index()] = 0;
            queue.push_back(s.0);
        }
        while let Some(v) = queue.pop_front() {
            let d = depth[v as usize];
            marked[v as usize] = true;
            if d == hops {
                continue;
            }
            for &w in &adjacency[v as usize] {
                if depth[w as usize] == u32::MAX {
                    depth[w as usize] = d + 1;
                    queue.push_back(w);
                }
            }
        }
    }
    marked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Service, ServiceKind};

    #[test]
    fn focus_walks_up_and_down_separately_and_stops_at_n_hops() {
        // a -> b -> c -> d, and x -> b (a sibling of a upstream of b).
        let mut design = Design::new("t");
        for id in ["a", "b", "c", "d", "x"] {
            design.add_service(Service::new(id, ServiceKind::Function));
        }
        design.connect("a", "b", "1");
        design.connect("b", "c", "2");
        design.connect("c", "d", "3");
        design.connect("x", "b", "4");
        let ids = |start: &str, hops: u32| -> Vec<&str> {
            let start = design.find(start).unwrap();
            within_hops(&design, &[start], hops)
                .iter()
                .enumerate()
                .filter(|(_, on)| **on)
                .map(|(i, _)| design.id(ServiceIndex(i as u32)))
                .collect()
        };
        assert_eq!(ids("b", 0), ["b"]);
        assert_eq!(ids("b", 1), ["a", "b", "c", "x"]);
        assert_eq!(ids("a", 2), ["a", "b", "c"], "x is a sibling, not reached");
        assert_eq!(ids("d", 9), ["a", "b", "c", "d", "x"]);
    }
}
