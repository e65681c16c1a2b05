//! Layered auto-layout (Sugiyama style), stages left to right, and places for services that
//! have no position.
//!
//! Layers are the analysis's stages, so the picture and the plan agree. Each step of the
//! condensed plan is one node: a service, or a whole cycle group drawn as a block (a few
//! columns, members in cycle order) instead of one tall column. Edges that skip stages get a
//! chain of dummy nodes, so they get a lane of their own. Crossings are reduced by median
//! sweeps with transposition, keeping the best order found (crossings counted exactly,
//! Barth-Mutzel-Jünger), then by sifting each node to its best place in its layer; rows
//! are then placed as close to their neighbours as the order allows (isotonic regression,
//! pool-adjacent-violators). Box centres land on the grid, so saved positions are round.
//!
//! Pure functions: the window turns the result into one `MoveServices` command (one undo step).

use super::{BOX_HEIGHT, BOX_WIDTH, GRID_STEP, Point, box_rect, pt, snap};
use crate::analysis::Analysis;
use crate::model::{Design, Position};

/// Horizontal gap between stages: room for edge labels.
pub const LAYER_GAP: f32 = 204.0;
/// Vertical gap between boxes of one stage (box pitch 120).
pub const ROW_GAP: f32 = 62.0;
/// Horizontal gap inside a cycle block (box pitch 280).
pub const BLOCK_GAP_X: f32 = 104.0;
/// Height a dummy node (an edge passing a stage) takes.
const DUMMY_HEIGHT: f32 = 12.0;
/// Vertical room between the lanes of parallel edges sharing dummy nodes.
const LANE_SPACING: f32 = 6.0;
/// Crossing-reduction rounds (each a sweep down and a sweep up).
const SWEEPS: usize = 24;
/// Most sifting passes (each every layer down and up; they converge in 4 to 8 here).
const SIFT_PASSES: usize = 8;
/// How far (places) sifting moves a node in one go.
const SIFT_WINDOW: usize = 48;
/// Coordinate rounds.
const PLACEMENT_ROUNDS: usize = 6;

/// Positions (box centres) for every service, or nothing for an empty design or an analysis
/// of another design. See the module doc for the method.
///
/// Complexity: O(R * (N + D) log(N + D)) for N services, D dummy nodes (one per stage an edge
/// skips) and R rounds.
pub fn auto_layout(design: &Design, analysis: &Analysis) -> Vec<Position> {
    layout(design, analysis, Ranking::default()).positions
}

/// How auto-layout picks each service's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ranking {
    /// The columns are the plan's stages (Kahn's), so the picture and the plan agree column
    /// for column; long edges from early sources to late stages cost crossings.
    Stages,
    /// The default: each step moves to the column between its publishers and subscribers
    /// where its edges are shortest (still left to right, in stage order along every edge):
    /// fewer long edges and crossings (below dot's on generated designs, where stage columns
    /// are above), but a column may hold several stages, each with its band and header.
    #[default]
    Compact,
}

/// What an auto-layout gives: positions for the services and lanes for the edges.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    /// One box centre per service.
    pub positions: Vec<Position>,
    /// Per edge (indexed like the design's edges): where it passes the columns it skips, as
    /// the entry and exit of a level run through each (empty for an edge to the next column).
    pub vias: Vec<Vec<Position>>,
}

/// [`auto_layout`] with a choice of columns, and the edges' lanes.
pub fn layout(design: &Design, analysis: &Analysis, ranking: Ranking) -> Layout {
    layout_with_progress(design, analysis, ranking, &mut |_| true).unwrap_or_default()
}

/// [`layout`] that reports progress (0 to 1) between rounds; when `progress` returns false
/// the layout stops and returns `None` (cancelled).
pub fn layout_with_progress(
    design: &Design,
    analysis: &Analysis,
    ranking: Ranking,
    progress: &mut dyn FnMut(f32) -> bool,
) -> Option<Layout> {
    let n = design.services.len();
    if n == 0 || analysis.stage_of.len() != n || analysis.step_of.len() != n {
        return Some(Layout::default());
    }
    let graph = LayerGraph::new(design, analysis, ranking);
    let mut layers = graph.initial_order();
    let mut best = layers.clone();
    let mut best_crossings = graph.crossings(&layers);
    let total = (SWEEPS + SIFT_PASSES + PLACEMENT_ROUNDS) as f32;
    for round in 0..SWEEPS {
        if best_crossings == 0.0 {
            break;
        }
        if !progress(round as f32 / total) {
            return None;
        }
        // Medians beat barycentres here (generated 300/600: 8,535 layer crossings against
        // 8,983; alternating them, 8,625).
        graph.sweep(&mut layers, true, true);
        graph.transpose(&mut layers);
        graph.sweep(&mut layers, false, true);
        graph.transpose(&mut layers);
        let c = graph.crossings(&layers);
        if c < best_crossings {
            best_crossings = c;
            best.clone_from(&layers);
        }
    }
    // Sifting polishes the best sweep result (generated 300/600: 9,217 layer crossings to
    // 7,922; 1,000/2,000: 61,474 to 51,663). Sweeps after it undo its gains, and sifting from
    // the start instead of sweeps ends higher (8,878 and 55,371).
    let mut layers = best.clone();
    for pass in 0..SIFT_PASSES {
        if best_crossings == 0.0 {
            break;
        }
        if !progress((SWEEPS + pass) as f32 / total) {
            return None;
        }
        let moved = graph.sift(&mut layers);
        let c = graph.crossings(&layers);
        if c < best_crossings {
            best_crossings = c;
            best.clone_from(&layers);
        }
        if !moved {
            break;
        }
    }
    if !progress((SWEEPS + SIFT_PASSES) as f32 / total) {
        return None;
    }
    let ys = graph.place_rows(&best);
    let xs = graph.place_columns();
    let mut out = vec![Position::default(); n];
    for step in 0..graph.steps {
        let center = pt(xs[graph.layer[step] as usize], ys[step]);
        let block = &graph.blocks[step];
        for (k, &member) in block.members.iter().enumerate() {
            let (col, row) = (k % block.cols, k / block.cols);
            let x = center.x + (col as f32 - (block.cols - 1) as f32 / 2.0) * block_pitch_x();
            let y = center.y + (row as f32 - (block.rows - 1) as f32 / 2.0) * row_pitch();
            out[member] = Position { x, y };
        }
    }
    let vias = graph.lanes(design, analysis, &xs, &ys);
    progress(1.0);
    Some(Layout {
        positions: out,
        vias,
    })
}

fn row_pitch() -> f32 {
    BOX_HEIGHT + ROW_GAP
}

fn block_pitch_x() -> f32 {
    BOX_WIDTH + BLOCK_GAP_X
}

/// How a step is drawn: its members, row by row, in a block of `cols` x `rows` boxes.
struct Block {
    members: Vec<usize>,
    cols: usize,
    rows: usize,
}

impl Block {
    fn width(&self) -> f32 {
        self.cols as f32 * block_pitch_x() - BLOCK_GAP_X
    }

    fn height(&self) -> f32 {
        self.rows as f32 * row_pitch() - ROW_GAP
    }
}

/// The graph the layout orders: steps (nodes `0..steps`) and dummy nodes after them, each in
/// one layer, with weighted edges between adjacent layers only.
struct LayerGraph {
    steps: usize,
    blocks: Vec<Block>,
    layer: Vec<u32>,
    height: Vec<f32>,
    up: Vec<Vec<(u32, f32)>>,
    down: Vec<Vec<(u32, f32)>>,
    layer_count: usize,
    /// The dummy nodes of each pair of steps edges join across skipped layers, and how many
    /// edges share them.
    chains: std::collections::HashMap<(u32, u32), (Vec<u32>, usize)>,
}

impl LayerGraph {
    fn new(design: &Design, analysis: &Analysis, ranking: Ranking) -> LayerGraph {
        let n = design.services.len();
        let steps = analysis
            .step_of
            .iter()
            .map(|&s| s as usize + 1)
            .max()
            .unwrap_or(0);
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); steps];
        let mut layer = vec![0u32; steps];
        for s in 0..n {
            let step = analysis.step_of[s] as usize;
            members[step].push(s);
            layer[step] = analysis.stage_of[s];
        }
        // Successors inside each step, for walking a cycle in order.
        let mut inner: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut between: Vec<(u32, u32)> = Vec::new();
        for e in &design.edges {
            let (a, b) = (e.from.index(), e.to.index());
            if a >= n || b >= n || a == b {
                continue;
            }
            let (sa, sb) = (analysis.step_of[a], analysis.step_of[b]);
            if sa == sb {
                inner[a].push(b);
            } else if layer[sb as usize] > layer[sa as usize] {
                between.push((sa, sb));
            }
        }
        if ranking == Ranking::Compact {
            compact_layers(&mut layer, &between);
        }
        let blocks: Vec<Block> = members
            .into_iter()
            .map(|m| {
                let k = m.len();
                let cols = if k <= 3 {
                    1
                } else {
                    ((0.4 * k as f32).sqrt().ceil() as usize).max(2)
                };
                let members = if k > 1 { cycle_order(&m, &inner) } else { m };
                Block {
                    members,
                    cols,
                    rows: k.div_ceil(cols).max(1),
                }
            })
            .collect();
        let mut height: Vec<f32> = blocks.iter().map(Block::height).collect();
        let layer_count = layer.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
        let mut up: Vec<Vec<(u32, f32)>> = vec![Vec::new(); steps];
        let mut down: Vec<Vec<(u32, f32)>> = vec![Vec::new(); steps];
        between.sort_unstable();
        let mut chains = std::collections::HashMap::new();
        let mut i = 0;
        while i < between.len() {
            let mut j = i + 1;
            while j < between.len() && between[j] == between[i] {
                j += 1;
            }
            let (a, b) = between[i];
            let weight = (j - i) as f32;
            let mut prev = a;
            let mut chain = Vec::new();
            for l in layer[a as usize] + 1..layer[b as usize] {
                let d = layer.len() as u32;
                chain.push(d);
                layer.push(l);
                height.push(DUMMY_HEIGHT + LANE_SPACING * (weight - 1.0));
                up.push(Vec::new());
                down.push(Vec::new());
                down[prev as usize].push((d, weight));
                up[d as usize].push((prev, weight));
                prev = d;
            }
            down[prev as usize].push((b, weight));
            up[b as usize].push((prev, weight));
            chains.insert((a, b), (chain, j - i));
            i = j;
        }
        LayerGraph {
            steps,
            blocks,
            layer,
            height,
            up,
            down,
            layer_count,
            chains,
        }
    }

    /// Layers in step order (file order of first members), dummies after, then one sweep down.
    fn initial_order(&self) -> Vec<Vec<u32>> {
        let mut layers = vec![Vec::new(); self.layer_count];
        for (v, &l) in self.layer.iter().enumerate() {
            layers[l as usize].push(v as u32);
        }
        self.sweep(&mut layers, true, false);
        layers
    }

    /// Reorders every layer by the median (or barycentre) of its neighbours in the layer before
    /// (down) or after (up); a node without such neighbours keeps its place.
    fn sweep(&self, layers: &mut [Vec<u32>], downward: bool, use_median: bool) {
        let mut pos = vec![0f32; self.layer.len()];
        for layer in layers.iter() {
            for (i, &v) in layer.iter().enumerate() {
                pos[v as usize] = i as f32;
            }
        }
        let count = layers.len();
        for k in 1..count {
            let l = if downward { k } else { count - 1 - k };
            let layer = &mut layers[l];
            let mut keyed: Vec<(f32, f32, u32)> = layer
                .iter()
                .map(|&v| {
                    let adj = if downward {
                        &self.up[v as usize]
                    } else {
                        &self.down[v as usize]
                    };
                    let own = pos[v as usize];
                    let key = if use_median {
                        median(adj, &pos)
                    } else {
                        barycentre(adj, &pos)
                    };
                    (key.unwrap_or(own), own, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
            for (i, &(_, _, v)) in keyed.iter().enumerate() {
                layer[i] = v;
                pos[v as usize] = i as f32;
            }
        }
    }

    /// Swaps neighbours of a layer while that removes crossings with both adjacent layers
    /// (Gansner et al.'s transpose step), a few passes at most. O(passes * E * d) for degree d.
    fn transpose(&self, layers: &mut [Vec<u32>]) {
        let mut pos = vec![0u32; self.layer.len()];
        for layer in layers.iter() {
            for (i, &v) in layer.iter().enumerate() {
                pos[v as usize] = i as u32;
            }
        }
        // Weighted crossings between the edges of v and of w (v left of w) on one side.
        let pair = |adj_v: &[(u32, f32)], adj_w: &[(u32, f32)], pos: &[u32]| -> f32 {
            let mut c = 0.0;
            for &(a, wa) in adj_v {
                for &(b, wb) in adj_w {
                    if pos[a as usize] > pos[b as usize] {
                        c += wa * wb;
                    }
                }
            }
            c
        };
        for pass in 0..4 {
            let mut improved = false;
            for layer in layers.iter_mut() {
                for i in 0..layer.len().saturating_sub(1) {
                    let (v, w) = (layer[i] as usize, layer[i + 1] as usize);
                    let (uv, uw, dv, dw) = (&self.up[v], &self.up[w], &self.down[v], &self.down[w]);
                    if uv.len() * uw.len() + dv.len() * dw.len() > 4096 {
                        continue;
                    }
                    let now = pair(uv, uw, &pos) + pair(dv, dw, &pos);
                    let swapped = pair(uw, uv, &pos) + pair(dw, dv, &pos);
                    // On odd passes a swap that keeps the count is taken too (dot's
                    // "reverse" transpose): it moves the order off plateaus where strict
                    // swaps stop (generated 300: 8,597 crossings to 8,469).
                    let tie = pass % 2 == 1 && now > 0.0 && swapped == now;
                    if swapped < now || tie {
                        layer.swap(i, i + 1);
                        pos[v] = (i + 1) as u32;
                        pos[w] = i as u32;
                        improved = true;
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// Sifting (Matuszewski, Schönfeld and Molitor): each node in turn, heaviest first, moves
    /// to the place in its layer where its edges to both neighbouring layers cross the fewest
    /// others, every layer down and then up. Unlike swapping neighbours it can jump over a run
    /// of nodes that a swap at a time would first make worse. Returns whether anything moved.
    /// O(N * W * d) a pass for layer width W and degree d.
    fn sift(&self, layers: &mut [Vec<u32>]) -> bool {
        let mut pos = vec![0u32; self.layer.len()];
        for layer in layers.iter() {
            for (i, &v) in layer.iter().enumerate() {
                pos[v as usize] = i as u32;
            }
        }
        let mut moved = false;
        let count = layers.len();
        let mut costs: Vec<(f64, f64)> = Vec::new();
        for k in 0..2 * count {
            let l = if k < count { k } else { 2 * count - 1 - k };
            if layers[l].len() < 2 {
                continue;
            }
            // Neighbour positions of each node of the layer, sorted, per side; the other
            // layers stay put while this one is sifted.
            let sorted = |adj: &[(u32, f32)]| -> Ranked {
                let mut s: Ranked = adj
                    .iter()
                    .map(|&(u, w)| (pos[u as usize], w as f64))
                    .collect();
                s.sort_unstable_by_key(|e| e.0);
                s
            };
            let sides: Vec<(Ranked, Ranked)> = layers[l]
                .iter()
                .map(|&v| (sorted(&self.up[v as usize]), sorted(&self.down[v as usize])))
                .collect();
            let mut slot: Vec<usize> = (0..layers[l].len()).collect();
            let mut order = slot.clone();
            order.sort_by_key(|&i| std::cmp::Reverse(sides[i].0.len() + sides[i].1.len()));
            for &i in &order {
                if sides[i].0.len() + sides[i].1.len() == 0 {
                    continue;
                }
                let from = slot.iter().position(|&s| s == i).unwrap_or(0);
                slot.remove(from);
                // Places within a window around the node's own: the outside adds the same
                // to every place in it, and the pass stays O(N * window * d) in wide layers.
                let lo = from.saturating_sub(SIFT_WINDOW);
                let hi = (from + SIFT_WINDOW).min(slot.len());
                costs.clear();
                costs.extend(slot[lo..hi].iter().map(|&j| {
                    let (a, b) = (&sides[i], &sides[j]);
                    (
                        inversions(&a.0, &b.0) + inversions(&a.1, &b.1),
                        inversions(&b.0, &a.0) + inversions(&b.1, &a.1),
                    )
                }));
                // Cost with the node at place p: left of slot p and everything after it.
                let mut cost: f64 = costs.iter().map(|c| c.0).sum();
                let (mut best, mut best_cost) = (from, f64::INFINITY);
                for p in lo..=hi {
                    let closer = p.abs_diff(from) < best.abs_diff(from);
                    if cost < best_cost - 1e-9 || (cost <= best_cost + 1e-9 && closer) {
                        best = p;
                        best_cost = cost;
                    }
                    if let Some(&(left, right)) = costs.get(p - lo) {
                        cost += right - left;
                    }
                }
                moved |= best != from;
                slot.insert(best, i);
            }
            let old = layers[l].clone();
            for (p, &i) in slot.iter().enumerate() {
                layers[l][p] = old[i];
                pos[old[i] as usize] = p as u32;
            }
        }
        moved
    }

    /// Weighted crossings between all pairs of adjacent layers. O(E log V).
    fn crossings(&self, layers: &[Vec<u32>]) -> f64 {
        let mut pos = vec![0usize; self.layer.len()];
        for layer in layers {
            for (i, &v) in layer.iter().enumerate() {
                pos[v as usize] = i;
            }
        }
        let mut total = 0.0;
        for l in 0..layers.len().saturating_sub(1) {
            let mut edges: Vec<(usize, usize, f32)> = layers[l]
                .iter()
                .flat_map(|&u| {
                    let pos = &pos;
                    self.down[u as usize]
                        .iter()
                        .map(move |&(v, w)| (pos[u as usize], pos[v as usize], w))
                })
                .collect();
            edges.sort_by_key(|e| (e.0, e.1));
            // Fenwick tree over the lower layer: weight of edges seen so far ending right of v.
            let size = layers[l + 1].len() + 1;
            let mut tree = vec![0f64; size + 1];
            let mut seen = 0.0f64;
            for (_, v, w) in edges {
                // Edges already seen that end strictly right of v cross this one.
                let mut i = v + 1;
                let mut upto = 0.0;
                while i > 0 {
                    upto += tree[i];
                    i &= i - 1;
                }
                total += (seen - upto) * w as f64;
                let mut i = v + 1;
                while i <= size {
                    tree[i] += w as f64;
                    i += i & i.wrapping_neg();
                }
                seen += w as f64;
            }
        }
        total
    }

    /// Gap between two neighbours of one layer, centre to centre.
    fn separation(&self, a: u32, b: u32) -> f32 {
        let dummy = |v: u32| v as usize >= self.steps;
        let gap = match (dummy(a), dummy(b)) {
            (false, false) => ROW_GAP,
            (true, true) => 10.0,
            _ => 24.0,
        };
        (self.height[a as usize] + self.height[b as usize]) / 2.0 + gap
    }

    /// The y of every node: packed first, then pulled toward its neighbours round by round
    /// while keeping order and gaps; steps snapped to the grid.
    fn place_rows(&self, layers: &[Vec<u32>]) -> Vec<f32> {
        let mut y = vec![0f32; self.layer.len()];
        for layer in layers {
            let mut at = 0.0;
            for (i, &v) in layer.iter().enumerate() {
                if i > 0 {
                    at += self.separation(layer[i - 1], v);
                }
                y[v as usize] = at;
            }
            // Centre each layer on 0.
            let mid = at / 2.0;
            for &v in layer {
                y[v as usize] -= mid;
            }
        }
        for round in 0..PLACEMENT_ROUNDS {
            let both = round + 2 >= PLACEMENT_ROUNDS;
            for downward in [true, false] {
                let count = layers.len();
                for k in 0..count {
                    let l = if downward { k } else { count - 1 - k };
                    self.pull(&layers[l], &mut y, downward, both);
                }
            }
        }
        // Snap steps to the grid, pushing down where snapping would close a gap.
        for layer in layers {
            let mut prev: Option<u32> = None;
            for &v in layer {
                let mut at = if (v as usize) < self.steps {
                    snap(y[v as usize])
                } else {
                    y[v as usize]
                };
                if let Some(p) = prev {
                    let min = y[p as usize] + self.separation(p, v);
                    if at < min {
                        at = if (v as usize) < self.steps {
                            (min / GRID_STEP).ceil() * GRID_STEP
                        } else {
                            min
                        };
                    }
                }
                y[v as usize] = at;
                prev = Some(v);
            }
        }
        self.straighten(layers, &mut y);
        y
    }

    /// Long edges drawn level: each chain's dummies moved to one y where every layer it skips
    /// has room between its neighbours there (gaps kept), the publisher's or subscriber's y
    /// when that fits, so a lane is one level run instead of a jog at every column (at 5,000
    /// services the jogs made the SVG too big for the metrics tool to read). Orders, and so
    /// crossings, are unchanged; where no one y fits, the chain is split into runs that do.
    fn straighten(&self, layers: &[Vec<u32>], y: &mut [f32]) {
        let mut slot = vec![0usize; self.layer.len()];
        for layer in layers {
            for (i, &v) in layer.iter().enumerate() {
                slot[v as usize] = i;
            }
        }
        let room = |d: u32, y: &[f32]| {
            let layer = &layers[self.layer[d as usize] as usize];
            let i = slot[d as usize];
            let lo = match i.checked_sub(1).map(|p| layer[p]) {
                Some(p) => y[p as usize] + self.separation(p, d),
                None => f32::NEG_INFINITY,
            };
            let hi = match layer.get(i + 1) {
                Some(&q) => y[q as usize] - self.separation(d, q),
                None => f32::INFINITY,
            };
            (lo, hi)
        };
        // Longest chains first: they gain most from a level run. Sorted, so runs repeat.
        let mut chains: Vec<(&(u32, u32), &Vec<u32>)> = self
            .chains
            .iter()
            .filter(|(_, c)| !c.0.is_empty())
            .map(|(k, c)| (k, &c.0))
            .collect();
        chains.sort_unstable_by_key(|&(k, c)| (std::cmp::Reverse(c.len()), *k));
        for (&(a, b), chain) in chains {
            let mut start = 0;
            while start < chain.len() {
                let (mut lo, mut hi) = room(chain[start], y);
                let mut end = start + 1;
                while let Some(&d) = chain.get(end) {
                    let (l, h) = room(d, y);
                    if l.max(lo) > h.min(hi) {
                        break;
                    }
                    (lo, hi) = (lo.max(l), hi.min(h));
                    end += 1;
                }
                if lo <= hi {
                    let run = &chain[start..end];
                    let ends = [
                        (start == 0).then(|| y[a as usize]),
                        (end == chain.len()).then(|| y[b as usize]),
                    ];
                    let mut own: Vec<f32> = run.iter().map(|&d| y[d as usize]).collect();
                    own.sort_unstable_by(f32::total_cmp);
                    let target = ends
                        .into_iter()
                        .flatten()
                        .find(|t| (lo..=hi).contains(t))
                        .unwrap_or_else(|| own[own.len() / 2].clamp(lo, hi));
                    for &d in run {
                        y[d as usize] = target;
                    }
                }
                start = end;
            }
        }
    }

    /// One layer's nodes moved to the weighted mean of their neighbours' y (before, after or
    /// both), as near as order and gaps allow: isotonic regression by pool-adjacent-violators.
    fn pull(&self, layer: &[u32], y: &mut [f32], downward: bool, both: bool) {
        if layer.is_empty() {
            return;
        }
        let mut offsets = Vec::with_capacity(layer.len());
        let mut at = 0.0;
        for (i, &v) in layer.iter().enumerate() {
            if i > 0 {
                at += self.separation(layer[i - 1], v);
            }
            offsets.push(at);
        }
        // (weight, weighted sum of targets, count) per pooled block.
        let mut pools: Vec<(f64, f64, usize)> = Vec::new();
        for (i, &v) in layer.iter().enumerate() {
            let mut sum = 0.0f64;
            let mut weight = 0.0f64;
            let sides: &[&Vec<(u32, f32)>] = if both {
                &[&self.up[v as usize], &self.down[v as usize]]
            } else if downward {
                &[&self.up[v as usize]]
            } else {
                &[&self.down[v as usize]]
            };
            for adj in sides {
                for &(u, w) in adj.iter() {
                    sum += (y[u as usize] * w) as f64;
                    weight += w as f64;
                }
            }
            let (target, w) = if weight > 0.0 {
                (sum / weight, weight)
            } else {
                (y[v as usize] as f64, 0.05)
            };
            let z = target - offsets[i] as f64;
            pools.push((w, z * w, 1));
            while pools.len() >= 2 {
                let (w2, s2, c2) = pools[pools.len() - 1];
                let (w1, s1, c1) = pools[pools.len() - 2];
                if s1 / w1 <= s2 / w2 {
                    break;
                }
                pools.pop();
                let last = pools.len() - 1;
                pools[last] = (w1 + w2, s1 + s2, c1 + c2);
            }
        }
        let mut i = 0;
        for (w, s, c) in pools {
            let z = (s / w) as f32;
            for _ in 0..c {
                y[layer[i] as usize] = z + offsets[i];
                i += 1;
            }
        }
    }

    /// Each edge's lane: the entry and exit of a level run at its dummy node's y across each
    /// column it skips, parallel edges of one chain a few units apart.
    fn lanes(
        &self,
        design: &Design,
        analysis: &Analysis,
        xs: &[f32],
        ys: &[f32],
    ) -> Vec<Vec<Position>> {
        let width = self.column_widths();
        let mut seen: std::collections::HashMap<(u32, u32), usize> = Default::default();
        design
            .edges
            .iter()
            .map(|e| {
                let key = match (
                    analysis.step_of.get(e.from.index()),
                    analysis.step_of.get(e.to.index()),
                ) {
                    (Some(&a), Some(&b)) => (a, b),
                    _ => return Vec::new(),
                };
                let Some((chain, count)) = self.chains.get(&key).filter(|c| !c.0.is_empty()) else {
                    return Vec::new();
                };
                let k = seen.entry(key).or_insert(0);
                let dy = (*k as f32 - (*count as f32 - 1.0) / 2.0) * LANE_SPACING;
                *k += 1;
                chain
                    .iter()
                    .flat_map(|&d| {
                        let l = self.layer[d as usize] as usize;
                        let (x, y) = (xs[l], ys[d as usize] + dy);
                        let half = width[l] / 2.0;
                        [Position { x: x - half, y }, Position { x: x + half, y }]
                    })
                    .collect()
            })
            .collect()
    }

    /// Each layer's width: its widest block.
    fn column_widths(&self) -> Vec<f32> {
        let mut width = vec![BOX_WIDTH; self.layer_count];
        for (step, block) in self.blocks.iter().enumerate() {
            let l = self.layer[step] as usize;
            width[l] = width[l].max(block.width());
        }
        width
    }

    /// The x of every layer's centre line, on the grid.
    fn place_columns(&self) -> Vec<f32> {
        let width = self.column_widths();
        let mut xs = Vec::with_capacity(self.layer_count);
        let mut left = 0.0;
        for w in width {
            let center = snap(left + w / 2.0);
            xs.push(center);
            left = center + w / 2.0 + LAYER_GAP;
        }
        xs
    }
}

/// Moves each step to the layer between its predecessors and successors where its edges are
/// shortest (moving right by one shortens each outgoing edge and lengthens each incoming one,
/// so a step with more of one kind goes as far as it can that way), until nothing moves; then
/// closes up empty layers. A local optimum of total edge length (network simplex would find
/// the global one); on the generated 1,000/2,000 it cuts dummy nodes from 4,070 to 2,283.
fn compact_layers(layer: &mut [u32], between: &[(u32, u32)]) {
    let n = layer.len();
    let mut preds: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<u32>> = vec![Vec::new(); n];
    for &(a, b) in between {
        succs[a as usize].push(b);
        preds[b as usize].push(a);
    }
    for _ in 0..64 {
        let mut moved = false;
        for v in 0..n {
            let (i, o) = (preds[v].len(), succs[v].len());
            if i == o {
                continue;
            }
            let lo = preds[v].iter().map(|&p| layer[p as usize] + 1).max();
            let hi = succs[v].iter().map(|&s| layer[s as usize] - 1).min();
            let target = if o > i { hi } else { lo };
            if let Some(t) = target
                && t != layer[v]
            {
                layer[v] = t;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    // Columns left empty close up.
    let mut used: Vec<u32> = layer.to_vec();
    used.sort_unstable();
    used.dedup();
    for l in layer.iter_mut() {
        *l = used.binary_search(l).unwrap_or(0) as u32;
    }
}

/// A node's neighbours on one side as (position in their layer, edge weight), by position.
type Ranked = Vec<(u32, f64)>;

/// Weighted pairs (x in `a`, y in `b`) with x's position right of y's: the crossings between
/// two nodes' edges on one side when the node of `a` is left of the node of `b`. Both lists
/// sorted by position. O(|a| + |b|).
fn inversions(a: &[(u32, f64)], b: &[(u32, f64)]) -> f64 {
    let (mut j, mut below, mut total) = (0, 0.0, 0.0);
    for &(p, w) in a {
        while j < b.len() && b[j].0 < p {
            below += b[j].1;
            j += 1;
        }
        total += w * below;
    }
    total
}

/// The weighted mean position of a node's neighbours; `None` without neighbours.
fn barycentre(adj: &[(u32, f32)], pos: &[f32]) -> Option<f32> {
    let (sum, weight) = adj.iter().fold((0.0, 0.0), |(s, w), &(u, uw)| {
        (s + pos[u as usize] * uw, w + uw)
    });
    (weight > 0.0).then(|| sum / weight)
}

/// The median position of a node's neighbours (`adj`, at `pos`), weights ignored; with an even
/// count, the weighted average of the two middle ones leaning toward the denser side (Gansner
/// et al.). `None` without neighbours.
fn median(adj: &[(u32, f32)], pos: &[f32]) -> Option<f32> {
    let mut p: Vec<f32> = adj.iter().map(|&(u, _)| pos[u as usize]).collect();
    p.sort_by(f32::total_cmp);
    let n = p.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(p[n / 2]),
        2 => Some((p[0] + p[1]) / 2.0),
        _ => {
            let m = n / 2;
            let left = p[m - 1] - p[0];
            let right = p[n - 1] - p[m];
            if left + right == 0.0 {
                Some((p[m - 1] + p[m]) / 2.0)
            } else {
                Some((p[m - 1] * right + p[m] * left) / (left + right))
            }
        }
    }
}

/// The members of a cycle group in the order a walk along its edges meets them (each next
/// member a successor of the last when one is left), so neighbours in the block are neighbours
/// in the cycle.
fn cycle_order(members: &[usize], inner: &[Vec<usize>]) -> Vec<usize> {
    let mut visited: std::collections::HashSet<usize> = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(members.len());
    let mut current = members.first().copied();
    while out.len() < members.len() {
        let c = match current {
            Some(c) if !visited.contains(&c) => c,
            _ => match members.iter().find(|m| !visited.contains(m)) {
                Some(&m) => m,
                None => break,
            },
        };
        visited.insert(c);
        out.push(c);
        current = inner[c].iter().copied().find(|s| !visited.contains(s));
    }
    out
}

/// Where each service is drawn: its saved position, or, for services without one, a place
/// from [`auto_layout`] (all of it when nothing is placed; otherwise a row below the placed
/// ones, so nothing lands on top of what the user arranged).
pub fn display_positions(design: &Design, analysis: &Analysis) -> Vec<Point> {
    let placed: Vec<Option<Point>> = design
        .services
        .iter()
        .map(|s| s.position.map(|p| pt(p.x, p.y)))
        .collect();
    if placed.iter().all(Option::is_some) {
        return placed.into_iter().flatten().collect();
    }
    let auto = auto_layout(design, analysis);
    let auto_at = |i: usize| auto.get(i).map_or(Point::default(), |p| pt(p.x, p.y));
    if placed.iter().all(Option::is_none) {
        return (0..placed.len()).map(auto_at).collect();
    }
    let bottom = placed
        .iter()
        .flatten()
        .map(|p| p.y)
        .fold(f32::MIN, f32::max);
    let left = placed
        .iter()
        .flatten()
        .map(|p| p.x)
        .fold(f32::MAX, f32::min);
    let mut next = 0usize;
    placed
        .into_iter()
        .map(|p| {
            p.unwrap_or_else(|| {
                let x = left + next as f32 * block_pitch_x();
                next += 1;
                pt(x, snap(bottom + 2.0 * row_pitch()))
            })
        })
        .collect()
}

/// A free spot near `wanted` for a new box: moves down a row at a time until it overlaps no
/// existing box. O(V) per try.
pub fn free_spot(centers: &[Point], wanted: Point) -> Point {
    let mut spot = wanted;
    for _ in 0..1000 {
        // A small gap, so a few new boxes stay near where they were asked for (on screen).
        let rect = box_rect(spot).expand(10.0);
        if !centers.iter().any(|&c| box_rect(c).intersects(&rect)) {
            return spot;
        }
        spot.y += BOX_HEIGHT + 20.0;
    }
    spot
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::model::{Service, ServiceKind};

    fn overlaps(positions: &[Position]) -> usize {
        let mut n = 0;
        for (i, a) in positions.iter().enumerate() {
            for b in &positions[i + 1..] {
                if box_rect(pt(a.x, a.y)).intersects(&box_rect(pt(b.x, b.y))) {
                    n += 1;
                }
            }
        }
        n
    }

    fn design(ids: &[&str], edges: &[(&str, &str)]) -> Design {
        let mut d = Design::new("t");
        for id in ids {
            d.services.push(Service::new(*id, ServiceKind::Function));
        }
        for (a, b) in edges {
            d.connect(a, b, "E");
        }
        d
    }

    #[test]
    fn stages_go_left_to_right_without_overlap_on_the_grid() {
        let d = design(
            &["a", "b", "c", "d"],
            &[("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")],
        );
        let p = auto_layout(&d, &analyze(&d));
        assert!(p[0].x < p[1].x && p[1].x == p[2].x && p[2].x < p[3].x);
        assert_eq!(overlaps(&p), 0);
        for q in &p {
            assert_eq!(q.x % GRID_STEP, 0.0, "{q:?}");
            assert_eq!(q.y % GRID_STEP, 0.0, "{q:?}");
        }
    }

    #[test]
    fn a_big_cycle_group_is_a_block_not_a_column() {
        let ids: Vec<String> = (0..20).map(|i| format!("s{i}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut edges: Vec<(&str, &str)> = (0..20).map(|i| (refs[i], refs[(i + 1) % 20])).collect();
        edges.push(("s0", "s5"));
        let d = design(&refs, &edges);
        let p = auto_layout(&d, &analyze(&d));
        assert_eq!(overlaps(&p), 0);
        let columns: std::collections::BTreeSet<i64> = p.iter().map(|q| q.x as i64).collect();
        let rows: std::collections::BTreeSet<i64> = p.iter().map(|q| q.y as i64).collect();
        assert!(columns.len() >= 3, "{columns:?}");
        assert!(rows.len() <= 8, "{rows:?}");
        // Cycle neighbours sit side by side: s0 and s1 share a row.
        assert_eq!(p[0].y, p[1].y);
    }

    #[test]
    fn sweeps_remove_a_crossing_a_file_order_layout_has() {
        // File order puts x's child above w's child although w is above x: a crossing.
        let d = design(&["w", "x", "cx", "cw"], &[("w", "cw"), ("x", "cx")]);
        let p = auto_layout(&d, &analyze(&d));
        assert_eq!(p[0].y < p[1].y, p[3].y < p[2].y, "{p:?}");
    }

    #[test]
    fn every_sample_lays_out_without_overlap() {
        for path in [
            "samples/register_login.json",
            "samples/ecommerce_saga.json",
            "samples/event_loops.json",
        ] {
            let d = crate::io::load_path(std::path::Path::new(path)).unwrap();
            let p = auto_layout(&d, &analyze(&d));
            assert_eq!(p.len(), d.services.len());
            assert_eq!(overlaps(&p), 0, "{path}");
        }
    }

    #[test]
    fn sifting_moves_a_node_past_a_run_of_others() {
        // The file order puts z, whose publisher is first, last: its edge crosses the three
        // others. Sifting moves it to the front in one step.
        let d = design(
            &["a", "b", "c", "e", "w", "x", "y", "z"],
            &[("a", "z"), ("b", "w"), ("c", "x"), ("e", "y")],
        );
        let graph = LayerGraph::new(&d, &analyze(&d), Ranking::Stages);
        let mut layers = vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7]];
        assert_eq!(graph.crossings(&layers), 3.0);
        assert!(graph.sift(&mut layers));
        assert_eq!(graph.crossings(&layers), 0.0);
        assert!(
            !graph.sift(&mut layers),
            "a second pass finds nothing to move"
        );
    }

    /// Sum over edges of columns spanned, and whether every edge goes left to right.
    fn spans(d: &Design, p: &[Position]) -> (f32, bool) {
        let pitch = BOX_WIDTH + LAYER_GAP;
        d.edges.iter().fold((0.0, true), |(sum, ok), e| {
            let dx = p[e.to.index()].x - p[e.from.index()].x;
            (sum + dx / pitch, ok && dx > 0.0)
        })
    }

    #[test]
    fn compact_columns_shorten_edges_and_keep_them_left_to_right() {
        // a feeds a chain of four; s only feeds its end. By stage s sits in the first column,
        // its edge skipping three; compact puts it next to its subscriber.
        let d = design(
            &["a", "b", "c", "e", "s"],
            &[("a", "b"), ("b", "c"), ("c", "e"), ("s", "e")],
        );
        let a = analyze(&d);
        let stages = layout(&d, &a, Ranking::Stages);
        let compact = layout(&d, &a, Ranking::Compact);
        let (long, ok) = spans(&d, &stages.positions);
        let (short, compact_ok) = spans(&d, &compact.positions);
        assert!(ok && compact_ok);
        assert_eq!((long, short), (6.0, 4.0));
        assert_eq!(overlaps(&compact.positions), 0);
        // By stage the long edge has a lane through the two columns it skips; compact none.
        assert_eq!(stages.vias[3].len(), 4);
        assert!(compact.vias.iter().all(Vec::is_empty));
        // The lane runs level through each column it skips, clear of its boxes.
        let lane = &stages.vias[3];
        assert_eq!(lane[0].y, lane[1].y);
        assert!(lane[0].x < lane[1].x && lane[1].x < lane[2].x);
        let c = stages.positions[2];
        assert!(lane[2].x < c.x && c.x < lane[3].x && (lane[2].y - c.y).abs() >= BOX_HEIGHT / 2.0);
    }

    #[test]
    fn a_long_lane_runs_level_where_the_columns_it_skips_have_room() {
        // x and y sit below a in the first column and feed e, four columns on: pulled toward
        // both ends, their lanes would slope through every column they skip.
        let d = design(
            &["a", "b", "c", "d", "e", "x", "y", "f"],
            &[
                ("a", "b"),
                ("b", "c"),
                ("c", "d"),
                ("d", "e"),
                ("x", "e"),
                ("y", "f"),
                ("f", "e"),
            ],
        );
        let l = layout(&d, &analyze(&d), Ranking::Stages);
        for (k, lane) in l.vias.iter().enumerate().filter(|(_, v)| v.len() > 2) {
            assert!(lane.iter().all(|p| p.y == lane[0].y), "edge {k}: {lane:?}");
        }
        assert!(l.vias.iter().filter(|v| v.len() > 2).count() >= 2);
        assert_eq!(overlaps(&l.positions), 0);
    }

    #[test]
    fn cancelling_stops_the_layout_mid_run() {
        // Every source to every sink, crossed in file order: the layout has rounds to run.
        let ids = ["a", "b", "c", "d", "x", "y", "z", "w"];
        let mut edges = Vec::new();
        for from in &ids[..4] {
            for to in ids[4..].iter().rev() {
                edges.push((*from, *to));
            }
        }
        let d = design(&ids, &edges);
        let analysis = analyze(&d);
        let mut calls = 0;
        let whole = layout_with_progress(&d, &analysis, Ranking::Stages, &mut |_| {
            calls += 1;
            true
        });
        assert!(whole.is_some());
        assert!(calls > 3, "the whole run reports progress {calls} times");
        // Cancelled at its third report: it stops there, reporting nothing more.
        let mut seen = 0;
        let cancelled = layout_with_progress(&d, &analysis, Ranking::Stages, &mut |_| {
            seen += 1;
            seen < 3
        });
        assert!(cancelled.is_none());
        assert_eq!(seen, 3, "no round runs after the cancel");
    }

    #[test]
    fn unplaced_services_go_below_placed_ones() {
        let mut d = design(&["a", "b"], &[("a", "b")]);
        d.services[0].position = Some(Position { x: 0.0, y: 0.0 });
        let p = display_positions(&d, &analyze(&d));
        assert_eq!(p[0], pt(0.0, 0.0));
        assert!(!box_rect(p[0]).intersects(&box_rect(p[1])));
        let spot = free_spot(&p, p[0]);
        assert!(!box_rect(spot).intersects(&box_rect(p[0])));
    }
}
