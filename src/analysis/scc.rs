//! Strongly connected components by Tarjan's algorithm, iterative.
//!
//! petgraph's `tarjan_scc` is recursive: a chain of a few hundred thousand services overflows the
//! stack, and a user's file must never crash the tool. Its iterative `kosaraju_scc` needs the
//! reversed graph and two passes; this single pass over a compact adjacency array is what
//! the analysis uses, and the property tests check it against petgraph's Kosaraju.

use super::Adjacency;

/// Component of every node, numbered in order of discovery of the component's root
/// (reverse topological order of the condensation). O(V + E) time, O(V) extra space.
pub fn tarjan(graph: &Adjacency) -> (Vec<u32>, u32) {
    const UNSEEN: u32 = u32::MAX;
    let n = graph.node_count();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0u32; n];
    let mut component = vec![UNSEEN; n];
    let mut stack: Vec<u32> = Vec::new();
    // (node, position of the next out-edge to look at)
    let mut calls: Vec<(u32, u32)> = Vec::new();
    let mut next_index = 0u32;
    let mut components = 0u32;

    for root in 0..n as u32 {
        if index[root as usize] != UNSEEN {
            continue;
        }
        index[root as usize] = next_index;
        low[root as usize] = next_index;
        next_index += 1;
        stack.push(root);
        calls.push((root, graph.offsets[root as usize]));
        while let Some(&mut (v, ref mut cursor)) = calls.last_mut() {
            let end = graph.offsets[v as usize + 1];
            if *cursor < end {
                let w = graph.targets[*cursor as usize];
                *cursor += 1;
                let wi = w as usize;
                if index[wi] == UNSEEN {
                    index[wi] = next_index;
                    low[wi] = next_index;
                    next_index += 1;
                    stack.push(w);
                    calls.push((w, graph.offsets[wi]));
                } else if component[wi] == UNSEEN {
                    // On the stack: part of the current search path's component.
                    low[v as usize] = low[v as usize].min(index[wi]);
                }
                continue;
            }
            calls.pop();
            let vi = v as usize;
            if low[vi] == index[vi] {
                while let Some(w) = stack.pop() {
                    component[w as usize] = components;
                    if w == v {
                        break;
                    }
                }
                components += 1;
            }
            if let Some(&(parent, _)) = calls.last() {
                let pi = parent as usize;
                low[pi] = low[pi].min(low[vi]);
            }
        }
    }
    (component, components)
}
