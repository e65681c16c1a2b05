//! Edge routing around boxes.
//!
//! Every edge leaves its publisher's right side and enters its subscriber's left side, at a
//! port of its own (ports are spread along the side, ordered by where the other end is, so
//! parallel and opposite edges never share a line). An edge whose direct S-curve is clear of
//! every other box is that curve; any other edge (backward, blocked, or between overlapping
//! boxes) is found by A* on a grid of free cells around the boxes, with a cost for turns and for
//! cells other routes already use, then drawn as straight runs with rounded corners.
//! Self-loops go over the box's top-right corner.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::spatial::RectIndex;
use super::{BOX_HEIGHT, BOX_WIDTH, Point, Rect, box_rect, pt};

/// Grid cell of the route search, canvas units (at most; larger designs get larger cells).
const CELL: f32 = 20.0;
/// Room kept between a routed line and any box.
const CLEARANCE: f32 = 6.0;
/// Most cells the search grid may hold: memory stays bounded whatever the design's extent.
const MAX_CELLS: usize = 6_000_000;
/// How far (cells) the search looks beyond the box spanned by an edge's two ends, first try.
const WINDOW: i32 = 14;
/// Second try, wider.
const WIDE_WINDOW: i32 = 60;
/// The searches tried in turn for an edge that cannot be threaded: (cells beyond the ends,
/// most cells expanded, heuristic weight). A weight above 1 finds a good path expanding far
/// fewer cells; the last, greedier try is for the rare edge across a large design (5,000
/// services: one in 10,000 edges) that the others give up on. After that the edge is drawn
/// direct.
const SEARCHES: [(i32, usize, f32); 3] = [
    (WINDOW, 60_000, 1.5),
    (WIDE_WINDOW, 60_000, 1.5),
    (WIDE_WINDOW, 1_500_000, 4.0),
];
/// Spacing of ports along a box side.
const PORT_SPACING: f32 = 9.0;

/// One piece of a route, from where the previous one ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Segment {
    /// A straight line to this point.
    Line(Point),
    /// A cubic Bézier curve: two control points, then the end.
    Cubic(Point, Point, Point),
}

/// The drawn path of one edge, canvas units.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Route {
    /// Where it leaves the publisher.
    pub start: Point,
    /// The pieces, in order; the last one ends at the arrow's tip.
    pub segments: Vec<Segment>,
    /// The path flattened to a polyline (for drawing, hit-testing and labels).
    pub points: Vec<Point>,
    /// The ends of the path's pieces before long curves were split: its corners, for drawing
    /// zoomed out.
    pub coarse: Vec<Point>,
    /// True for a self-loop (its label goes over the loop).
    pub is_loop: bool,
}

impl Route {
    fn new(start: Point, pieces: Vec<Segment>) -> Route {
        // Zoomed out, the path is drawn through the ends of its pieces as they were made,
        // before long curves are split: as few points as the shape allows.
        let coarse: Vec<Point> = std::iter::once(start)
            .chain(pieces.iter().map(|s| match *s {
                Segment::Line(p) | Segment::Cubic(_, _, p) => p,
            }))
            .collect();
        let segments = split_long_curves(start, pieces);
        let mut points = vec![start];
        let mut cur = start;
        for s in &segments {
            match *s {
                Segment::Line(p) => {
                    points.push(p);
                    cur = p;
                }
                Segment::Cubic(c1, c2, p) => {
                    const STEPS: usize = 8;
                    for k in 1..=STEPS {
                        points.push(cubic_at(cur, c1, c2, p, k as f32 / STEPS as f32));
                    }
                    cur = p;
                }
            }
        }
        Route {
            start,
            segments,
            coarse,
            points: flatten(&points, FLATTEN_TOLERANCE),
            is_loop: false,
        }
    }

    /// The bounding box of the flattened path; `None` for an empty route.
    pub fn bounds(&self) -> Option<Rect> {
        let first = *self.points.first()?;
        let mut r = Rect {
            min: first,
            max: first,
        };
        for p in &self.points {
            r.min = pt(r.min.x.min(p.x), r.min.y.min(p.y));
            r.max = pt(r.max.x.max(p.x), r.max.y.max(p.y));
        }
        Some(r)
    }

    /// The tip of the arrow and the point just before it (the arrow's direction).
    pub fn tip(&self) -> Option<(Point, Point)> {
        let n = self.points.len();
        (n >= 2).then(|| (self.points[n - 2], self.points[n - 1]))
    }

    /// Total length of the flattened path.
    pub fn length(&self) -> f32 {
        self.points.windows(2).map(|w| w[0].distance(w[1])).sum()
    }

    /// The point a fraction `t` (0 to 1) of the way along, with the direction there.
    pub fn point_at(&self, t: f32) -> Option<(Point, Point)> {
        let total = self.length();
        let mut left = total * t.clamp(0.0, 1.0);
        for w in self.points.windows(2) {
            let d = w[0].distance(w[1]);
            if left <= d && d > 0.0 {
                let dir = pt((w[1].x - w[0].x) / d, (w[1].y - w[0].y) / d);
                return Some((w[0].lerp(w[1], left / d), dir));
            }
            left -= d;
        }
        let (before, tip) = self.tip()?;
        let d = before.distance(tip).max(1e-6);
        Some((tip, pt((tip.x - before.x) / d, (tip.y - before.y) / d)))
    }

    /// The path as SVG path data: absolute `M`, `L` and `C` commands only.
    pub fn svg_path(&self) -> String {
        use std::fmt::Write;
        let mut d = format!("M{:.1},{:.1}", self.start.x, self.start.y);
        for s in &self.segments {
            // Writing to a String cannot fail.
            let _ = match *s {
                Segment::Line(p) => write!(d, " L{:.1},{:.1}", p.x, p.y),
                Segment::Cubic(a, b, p) => write!(
                    d,
                    " C{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}",
                    a.x, a.y, b.x, b.y, p.x, p.y
                ),
            };
        }
        d
    }
}

/// How far (canvas units) the kept polyline may stray from the sampled curve: well inside
/// the 2 units boxes are widened by for the route checks.
const FLATTEN_TOLERANCE: f32 = 0.5;

/// The points that matter (Douglas-Peucker), every dropped point within `tolerance` of the
/// kept line (near 0: only points on a straight run, as for grid-search paths): the straight middle of a long curve, sampled densely
/// so the checks follow it, is drawn and hit-tested as a few points instead of hundreds (at
/// 5,000 services, frames drew 273,000 vertices with every sample kept).
fn flatten(points: &[Point], tolerance: f32) -> Vec<Point> {
    if points.len() <= 2 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        let (pa, pb) = (points[a], points[b]);
        let far = (a + 1..b)
            .map(|i| (i, distance_to_segment(points[i], pa, pb)))
            .max_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((i, d)) = far
            && d > tolerance
        {
            keep[i] = true;
            stack.push((a, i));
            stack.push((i, b));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter_map(|(&p, k)| k.then_some(p))
        .collect()
}

/// Distance from `p` to the segment `a`-`b`.
fn distance_to_segment(p: Point, a: Point, b: Point) -> f32 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    p.distance(pt(a.x + t * dx, a.y + t * dy))
}

/// Longest control polygon a curve piece may have, canvas units.
const MAX_PIECE: f32 = 160.0;

/// Curves split (exactly, de Casteljau) into pieces no longer than [`MAX_PIECE`], so a fixed
/// number of samples per piece follows the curve closely wherever it is checked against boxes:
/// here, on the canvas and by tools reading the SVG. Without it an edge across 50 stages,
/// sampled 8 times, cut the corners of boxes between its samples.
fn split_long_curves(start: Point, segments: Vec<Segment>) -> Vec<Segment> {
    let mut out = Vec::with_capacity(segments.len());
    let mut cur = start;
    for s in segments {
        match s {
            Segment::Line(p) => {
                out.push(s);
                cur = p;
            }
            Segment::Cubic(c1, c2, p) => {
                let polygon = cur.distance(c1) + c1.distance(c2) + c2.distance(p);
                let n = ((polygon / MAX_PIECE).ceil() as usize).clamp(1, 64);
                let (mut a, mut b, c) = (c1, c2, p);
                let mut pieces = Vec::with_capacity(n);
                let first = cur;
                for k in 0..n - 1 {
                    // Split the rest at the fraction that leaves equal parameter steps.
                    let t = 1.0 / (n - k) as f32;
                    let (ab, bc, cd) = (cur.lerp(a, t), a.lerp(b, t), b.lerp(c, t));
                    let (abc, bcd) = (ab.lerp(bc, t), bc.lerp(cd, t));
                    let mid = abc.lerp(bcd, t);
                    pieces.push([ab, abc, mid]);
                    (cur, a, b) = (mid, bcd, cd);
                }
                pieces.push([a, b, c]);
                straighten_runs(first, &pieces, &mut out);
                cur = c;
            }
        }
    }
    out
}

/// The pieces of one split curve, each run of pieces whose control points all lie within
/// [`FLATTEN_TOLERANCE`] of the line across the run (so the curve does: it stays in their hull)
/// written as that line. The long middle of a steep S-curve is such a run: at 5,000 services
/// the SVG had 600,000 curve pieces, most of them straight to the eye, and tools reading it
/// sample every piece.
fn straighten_runs(start: Point, pieces: &[[Point; 3]], out: &mut Vec<Segment>) {
    let mut from = start;
    let mut i = 0;
    while i < pieces.len() {
        let flat = |j: usize| {
            pieces[i..=j]
                .iter()
                .flatten()
                .all(|&q| distance_to_segment(q, from, pieces[j][2]) <= FLATTEN_TOLERANCE)
        };
        let mut end = i;
        while end < pieces.len() && flat(end) {
            end += 1;
        }
        if end > i {
            from = pieces[end - 1][2];
            out.push(Segment::Line(from));
            i = end;
        } else {
            let [c1, c2, p] = pieces[i];
            out.push(Segment::Cubic(c1, c2, p));
            from = p;
            i += 1;
        }
    }
}

fn cubic_at(p0: Point, c1: Point, c2: Point, p1: Point, t: f32) -> Point {
    let u = 1.0 - t;
    let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
    pt(
        a * p0.x + b * c1.x + c * c2.x + d * p1.x,
        a * p0.y + b * c1.y + c * c2.y + d * p1.y,
    )
}

/// The route drawn while a box is dragged (before the drop re-routes everything): the S-curve
/// from the publisher's right side to the subscriber's left side, or the self-loop.
pub fn provisional(from: Point, to: Point, is_loop: bool) -> Route {
    if is_loop {
        return self_loop(from, 0);
    }
    direct(
        pt(from.x + BOX_WIDTH / 2.0, from.y),
        pt(to.x - BOX_WIDTH / 2.0, to.y),
    )
}

/// The S-curve from a right-side port to a left-side port.
fn direct(s: Point, t: Point) -> Route {
    let reach = ((t.x - s.x) * 0.5).clamp(20.0, 160.0);
    Route::new(
        s,
        vec![Segment::Cubic(
            s.offset(reach, 0.0),
            t.offset(-reach, 0.0),
            t,
        )],
    )
}

/// The self-loop of a service: out of the top side, over the top-right corner, back into the
/// right side above the handle. `k` nests several loops of one service.
pub fn self_loop(center: Point, k: usize) -> Route {
    let top = center.y - BOX_HEIGHT / 2.0;
    let right = center.x + BOX_WIDTH / 2.0;
    let out = 22.0 + 12.0 * k as f32;
    let x0 = center.x + BOX_WIDTH * 0.18 - 8.0 * k as f32;
    let y1 = center.y - BOX_HEIGHT * 0.28;
    let mut route = rounded(&[
        pt(x0, top),
        pt(x0, top - out),
        pt(right + out, top - out),
        pt(right + out, y1),
        pt(right, y1),
    ]);
    route.is_loop = true;
    route
}

/// A polyline drawn as straight runs joined by rounded corners.
fn rounded(points: &[Point]) -> Route {
    let Some(&start) = points.first() else {
        return Route::default();
    };
    let mut segments = Vec::new();
    for i in 1..points.len() {
        let p = points[i];
        if i + 1 == points.len() {
            segments.push(Segment::Line(p));
            break;
        }
        let (a, b) = (points[i - 1], points[i + 1]);
        let r = 10.0f32.min(a.distance(p) / 2.0).min(b.distance(p) / 2.0);
        if r < 0.5 {
            segments.push(Segment::Line(p));
            continue;
        }
        let into = p.lerp(a, r / a.distance(p));
        let out = p.lerp(b, r / b.distance(p));
        segments.push(Segment::Line(into));
        segments.push(Segment::Cubic(into.lerp(p, 0.55), out.lerp(p, 0.55), out));
    }
    Route::new(start, segments)
}

/// Where each edge leaves (right side) and enters (left side): ports spread along the side,
/// ordered by the y of the other end, so lines leave a box without crossing each other.
fn ports(centers: &[Point], pairs: &[(u32, u32)]) -> Vec<(Point, Point)> {
    let n = centers.len();
    let mut outs: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut ins: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, &(a, b)) in pairs.iter().enumerate() {
        if a != b && (a as usize) < n && (b as usize) < n {
            outs[a as usize].push(i);
            ins[b as usize].push(i);
        }
    }
    let mut result = vec![(Point::default(), Point::default()); pairs.len()];
    let spread = |count: usize, k: usize| -> f32 {
        if count <= 1 {
            return 0.0;
        }
        let spacing = PORT_SPACING.min((BOX_HEIGHT - 14.0) / (count - 1) as f32);
        (k as f32 - (count - 1) as f32 / 2.0) * spacing
    };
    for (s, list) in outs.iter_mut().enumerate() {
        let key = |&i: &usize| {
            let o = centers[pairs[i].1 as usize];
            (o.y, o.x)
        };
        list.sort_by(|a, b| key(a).partial_cmp(&key(b)).unwrap_or(Ordering::Equal));
        let c = centers[s];
        for (k, &i) in list.iter().enumerate() {
            result[i].0 = pt(c.x + BOX_WIDTH / 2.0, c.y + spread(list.len(), k));
        }
    }
    for (t, list) in ins.iter_mut().enumerate() {
        let key = |&i: &usize| {
            let o = centers[pairs[i].0 as usize];
            (o.y, o.x)
        };
        list.sort_by(|a, b| key(a).partial_cmp(&key(b)).unwrap_or(Ordering::Equal));
        let c = centers[t];
        for (k, &i) in list.iter().enumerate() {
            result[i].1 = pt(c.x - BOX_WIDTH / 2.0, c.y + spread(list.len(), k));
        }
    }
    result
}

/// Routes every edge (`pairs[i]` is edge i's (from, to), indices into `centers`). Edges naming
/// a service that does not exist get an empty route. An edge with a lane (`vias[i]`, saved by
/// auto-layout) follows it when the lane is still clear of the boxes and runs left to right;
/// otherwise, and for edges without one, it is routed afresh.
///
/// Complexity: O(V + E) for edges with a clear direct curve; each other edge adds one A*
/// search over a window around its ends, O(k log k) for k cells (bounded by [`MAX_CELLS`]).
pub fn route_edges(centers: &[Point], pairs: &[(u32, u32)], vias: &[Vec<Point>]) -> Vec<Route> {
    let mut index = RectIndex::new(200.0);
    for &c in centers {
        index.insert(box_rect(c).expand(2.0));
    }
    let ports = ports(centers, pairs);
    let mut loops = vec![0usize; centers.len()];
    let mut routes = Vec::with_capacity(pairs.len());
    // Direct curves first, so searched routes can see (and keep off) the cells they use.
    let mut pending = Vec::new();
    for (i, &(a, b)) in pairs.iter().enumerate() {
        let (Some(&ca), Some(_)) = (centers.get(a as usize), centers.get(b as usize)) else {
            routes.push(Route::default());
            continue;
        };
        if a == b {
            routes.push(self_loop(ca, loops[a as usize]));
            loops[a as usize] += 1;
            continue;
        }
        let (s, t) = ports[i];
        let skip = |id| id == a || id == b;
        if let Some(via) = vias.get(i).filter(|v| !v.is_empty())
            && let Some(segments) = through(&index, s, t, via, skip)
        {
            routes.push(Route::new(s, segments));
            continue;
        }
        if t.x - s.x >= 24.0
            && let Some(segments) = thread(&index, s, t, skip)
        {
            routes.push(Route::new(s, segments));
            continue;
        }
        routes.push(Route::default());
        pending.push(i);
    }
    if pending.is_empty() {
        return routes;
    }
    let mut grid = Grid::new(centers);
    for route in &routes {
        grid.mark_used(&route.points);
    }
    for i in pending {
        let (s, t) = ports[i];
        let route = SEARCHES
            .iter()
            .find_map(|&(margin, budget, weight)| grid.search(s, t, margin, budget, weight))
            .map(|cells| {
                let mut points = vec![s];
                points.extend(cells);
                points.push(t);
                rounded(&flatten(&points, 1e-3))
            })
            .unwrap_or_else(|| direct(s, t));
        grid.mark_used(&route.points);
        routes[i] = route;
    }
    routes
}

/// The path from `s` through the lane `via` to `t`: a level line between two points at one
/// height, an S-curve between others. The layout's lanes run between the boxes it placed, so
/// layered edges keep the order crossing reduction gave them. `None` when a piece goes
/// right to left or hits a box (the boxes moved since the layout).
fn through(
    index: &RectIndex,
    s: Point,
    t: Point,
    via: &[Point],
    skip: impl Fn(u32) -> bool + Copy,
) -> Option<Vec<Segment>> {
    let mut segments = Vec::new();
    let mut cur = s;
    // Whether the last segment is a level line (so the next level one extends it).
    let mut level = false;
    for &next in via.iter().chain(std::iter::once(&t)) {
        if (next.y - cur.y).abs() < 0.01 {
            if next.x < cur.x || index.segment_blocked(cur, next, skip) {
                return None;
            }
            // A level run across several columns is one line, not one a column.
            match segments.last_mut() {
                Some(Segment::Line(p)) if level => *p = next,
                _ => segments.push(Segment::Line(next)),
            }
            level = true;
        } else {
            let curve = direct(cur, next);
            if next.x - cur.x < 8.0 || hits(index, &curve.points, skip) {
                return None;
            }
            segments.extend(curve.segments);
            level = false;
        }
        cur = next;
    }
    Some(segments)
}

/// True when the polyline `points` hits a box not skipped.
fn hits(index: &RectIndex, points: &[Point], skip: impl Fn(u32) -> bool + Copy) -> bool {
    points
        .windows(2)
        .any(|w| index.first_hit(w[0], w[1], skip).is_some())
}

/// The flattened points of the S-curve from `s` to `t`.
fn curve_points(s: Point, t: Point) -> Vec<Point> {
    direct(s, t).points
}

/// A forward edge threaded through the gaps between boxes, as a layered drawing's edges pass
/// the stages they skip: an S-curve toward the target; where a box is in the way, a level run
/// through the free gap of that box's column nearest the straight line, then on (the way into
/// that gap threaded the same way, a few levels deep). `None` when that does not get through
/// (the caller searches instead).
fn thread(
    index: &RectIndex,
    s: Point,
    t: Point,
    skip: impl Fn(u32) -> bool + Copy,
) -> Option<Vec<Segment>> {
    let mut segments = Vec::new();
    thread_into(index, s, t, skip, 0, &mut segments).then_some(segments)
}

fn thread_into(
    index: &RectIndex,
    s: Point,
    t: Point,
    skip: impl Fn(u32) -> bool + Copy,
    depth: usize,
    segments: &mut Vec<Segment>,
) -> bool {
    let mut cur = s;
    for _ in 0..64 {
        let points = curve_points(cur, t);
        let hit = points
            .windows(2)
            .find_map(|w| index.first_hit(w[0], w[1], skip));
        let Some(hit) = hit else {
            let reach = ((t.x - cur.x) * 0.5).clamp(4.0, 160.0);
            segments.push(Segment::Cubic(
                cur.offset(reach, 0.0),
                t.offset(-reach, 0.0),
                t,
            ));
            return true;
        };
        let b = index.rect(hit);
        let (left, right) = (b.min.x - 8.0, b.max.x + 8.0);
        if depth > 4 || left <= cur.x + 16.0 || right >= t.x - 16.0 {
            return false;
        }
        let bx = b.center().x;
        let ideal = cur.y + (t.y - cur.y) * (bx - cur.x) / (t.x - cur.x);
        let Some(gy) = free_gap(index, left, right, ideal, skip) else {
            return false;
        };
        let (entry, exit) = (pt(left, gy), pt(right, gy));
        if index.segment_blocked(entry, exit, skip)
            || !thread_into(index, cur, entry, skip, depth + 1, segments)
        {
            return false;
        }
        segments.push(Segment::Line(exit));
        cur = exit;
    }
    false
}

/// The free y nearest `ideal` for a level run from `left` to `right`, clear of every box by
/// [`CLEARANCE`] and more.
fn free_gap(
    index: &RectIndex,
    left: f32,
    right: f32,
    ideal: f32,
    skip: impl Fn(u32) -> bool,
) -> Option<f32> {
    const REACH: f32 = 3000.0;
    let strip = Rect {
        min: pt(left, ideal - REACH),
        max: pt(right, ideal + REACH),
    };
    let margin = CLEARANCE + 4.0;
    let mut spans: Vec<(f32, f32)> = index
        .overlapping(&strip)
        .into_iter()
        .filter(|&id| !skip(id))
        .map(|id| {
            let r = index.rect(id);
            (r.min.y - margin, r.max.y + margin)
        })
        .collect();
    spans.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<(f32, f32)> = Vec::new();
    for (lo, hi) in spans {
        match merged.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    match merged.iter().find(|&&(lo, hi)| lo < ideal && ideal < hi) {
        None => Some(ideal),
        Some(&(lo, hi)) => {
            let y = if ideal - lo <= hi - ideal { lo } else { hi };
            (y > strip.min.y && y < strip.max.y).then_some(y)
        }
    }
}

/// Free and blocked cells around the boxes, and how many routes use each cell.
struct Grid {
    origin: Point,
    cell: f32,
    width: i32,
    height: i32,
    blocked: Vec<bool>,
    used: Vec<u8>,
}

#[derive(Clone, Copy, PartialEq)]
struct Open {
    f: f32,
    state: u32,
}

impl Eq for Open {}

impl Ord for Open {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .f
            .total_cmp(&self.f)
            .then(other.state.cmp(&self.state))
    }
}

impl PartialOrd for Open {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

const DIRS: [(i32, i32); 4] = [(1, 0), (0, 1), (-1, 0), (0, -1)];

impl Grid {
    fn new(centers: &[Point]) -> Grid {
        let bounds = super::bounds(centers.iter().copied())
            .unwrap_or(Rect {
                min: Point::default(),
                max: Point::default(),
            })
            .expand(10.0 * CELL);
        let area = (bounds.width() as f64) * (bounds.height() as f64);
        let mut cell = CELL;
        if area / (cell as f64 * cell as f64) > MAX_CELLS as f64 {
            cell = (area / MAX_CELLS as f64).sqrt().ceil() as f32;
        }
        let width = (bounds.width() / cell).ceil() as i32 + 1;
        let height = (bounds.height() / cell).ceil() as i32 + 1;
        let mut grid = Grid {
            origin: bounds.min,
            cell,
            width,
            height,
            blocked: vec![false; (width as usize) * (height as usize)],
            used: vec![0; (width as usize) * (height as usize)],
        };
        for &c in centers {
            let r = box_rect(c).expand(CLEARANCE);
            let (x0, y0) = grid.cell_of_floor(r.min);
            let (x1, y1) = grid.cell_of_floor(r.max);
            for y in y0.max(0)..=y1.min(height - 1) {
                for x in x0.max(0)..=x1.min(width - 1) {
                    grid.blocked[(y * width + x) as usize] = true;
                }
            }
        }
        grid
    }

    /// The cell holding `p` (cell x spans [origin + x*cell, origin + (x+1)*cell)).
    fn cell_of_floor(&self, p: Point) -> (i32, i32) {
        (
            ((p.x - self.origin.x) / self.cell).floor() as i32,
            ((p.y - self.origin.y) / self.cell).floor() as i32,
        )
    }

    fn center(&self, (x, y): (i32, i32)) -> Point {
        pt(
            self.origin.x + (x as f32 + 0.5) * self.cell,
            self.origin.y + (y as f32 + 0.5) * self.cell,
        )
    }

    fn free(&self, (x, y): (i32, i32)) -> bool {
        x >= 0
            && y >= 0
            && x < self.width
            && y < self.height
            && !self.blocked[(y * self.width + x) as usize]
    }

    fn mark_used(&mut self, points: &[Point]) {
        for w in points.windows(2) {
            let steps = (w[0].distance(w[1]) / (self.cell * 0.5)).ceil().max(1.0) as usize;
            for k in 0..=steps {
                let (x, y) = self.cell_of_floor(w[0].lerp(w[1], k as f32 / steps as f32));
                if x >= 0 && y >= 0 && x < self.width && y < self.height {
                    let u = &mut self.used[(y * self.width + x) as usize];
                    *u = u.saturating_add(1);
                }
            }
        }
    }

    /// The first free cell walking from `p` in direction `dx` (away from the box side).
    fn exit_cell(&self, p: Point, dx: i32) -> Option<(i32, i32)> {
        let (mut x, y) = self.cell_of_floor(p);
        for _ in 0..6 {
            x += dx;
            if self.free((x, y)) {
                return Some((x, y));
            }
        }
        None
    }

    /// Cell centres of a cheap path from the cell right of `s` to the cell left of `t`,
    /// searching a window `margin` cells around both, expanding at most `budget` cells, the
    /// distance still to go weighted by `weight`. `None` when it finds none.
    fn search(
        &self,
        s: Point,
        t: Point,
        margin: i32,
        mut budget: usize,
        weight: f32,
    ) -> Option<Vec<Point>> {
        let start = self.exit_cell(s, 1)?;
        let goal = self.exit_cell(t, -1)?;
        let x0 = (start.0.min(goal.0) - margin).max(0);
        let x1 = (start.0.max(goal.0) + margin).min(self.width - 1);
        let y0 = (start.1.min(goal.1) - margin).max(0);
        let y1 = (start.1.max(goal.1) + margin).min(self.height - 1);
        let (w, h) = (x1 - x0 + 1, y1 - y0 + 1);
        let states = (w * h * 4) as usize;
        let mut cost = vec![f32::INFINITY; states];
        let mut came = vec![u32::MAX; states];
        let local = |(x, y): (i32, i32), d: usize| (((y - y0) * w + (x - x0)) * 4) as usize + d;
        let heuristic = |(x, y): (i32, i32)| ((x - goal.0).abs() + (y - goal.1).abs()) as f32;
        let mut open = BinaryHeap::new();
        // Leave the publisher rightward.
        let first = local(start, 0);
        cost[first] = 0.0;
        open.push(Open {
            f: heuristic(start),
            state: first as u32,
        });
        let mut found = None;
        while let Some(Open { state, .. }) = open.pop() {
            budget -= 1;
            if budget == 0 {
                return None;
            }
            let state = state as usize;
            let d = state % 4;
            let cell_index = state / 4;
            let cell = (x0 + (cell_index as i32 % w), y0 + (cell_index as i32 / w));
            if cell == goal {
                found = Some(state);
                break;
            }
            let g = cost[state];
            for (nd, &(dx, dy)) in DIRS.iter().enumerate() {
                if nd == (d + 2) % 4 {
                    continue;
                }
                let next = (cell.0 + dx, cell.1 + dy);
                if next.0 < x0 || next.0 > x1 || next.1 < y0 || next.1 > y1 || !self.free(next) {
                    continue;
                }
                let used = self.used[(next.1 * self.width + next.0) as usize] as f32;
                let turn = if nd == d { 0.0 } else { 3.0 };
                let ng = g + 1.0 + turn + used.min(4.0) * 0.75;
                let ns = local(next, nd);
                if ng < cost[ns] {
                    cost[ns] = ng;
                    came[ns] = state as u32;
                    open.push(Open {
                        f: ng + weight * heuristic(next),
                        state: ns as u32,
                    });
                }
            }
        }
        let mut state = found?;
        let mut cells = Vec::new();
        loop {
            let cell_index = state / 4;
            let cell = (x0 + (cell_index as i32 % w), y0 + (cell_index as i32 / w));
            cells.push(self.center(cell));
            let prev = came[state];
            if prev == u32::MAX {
                break;
            }
            state = prev as usize;
        }
        cells.reverse();
        // Enter the subscriber level with its port.
        if let Some(last) = cells.last_mut() {
            last.y = last.y.clamp(t.y - self.cell * 0.5, t.y + self.cell * 0.5);
        }
        Some(cells)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through_other_boxes(centers: &[Point], pairs: &[(u32, u32)], routes: &[Route]) -> usize {
        let mut hits = 0;
        for (r, &(a, b)) in routes.iter().zip(pairs) {
            for (s, &c) in centers.iter().enumerate() {
                if s as u32 == a || s as u32 == b {
                    continue;
                }
                let inner = box_rect(c).expand(-3.0);
                if r.points.windows(2).any(|w| inner.hits_segment(w[0], w[1])) {
                    hits += 1;
                }
            }
        }
        hits
    }

    #[test]
    fn an_edge_follows_its_lane_while_it_is_clear_and_is_routed_afresh_when_not() {
        // a -> c across b's column; the lane passes below b.
        let centers = [pt(0.0, 0.0), pt(400.0, 0.0), pt(800.0, 0.0)];
        let half = BOX_WIDTH / 2.0;
        let lane = vec![pt(400.0 - half, 120.0), pt(400.0 + half, 120.0)];
        let routes = route_edges(&centers, &[(0, 2)], std::slice::from_ref(&lane));
        let r = &routes[0];
        assert!(
            r.points
                .iter()
                .any(|p| (p.y - 120.0).abs() < 0.01 && p.x > 400.0)
        );
        assert!(r.segments.contains(&Segment::Line(lane[1])));
        // b moved onto the lane: the edge no longer takes it, and keeps clear of b.
        let moved = [centers[0], pt(400.0, 120.0), centers[2]];
        let routes = route_edges(&moved, &[(0, 2)], &[lane]);
        let b = box_rect(moved[1]);
        assert!(
            !routes[0]
                .points
                .windows(2)
                .any(|w| b.hits_segment(w[0], w[1]))
        );
        assert!(!routes[0].points.iter().any(|p| (p.y - 120.0).abs() < 0.01));
    }

    #[test]
    fn an_edge_past_a_box_in_the_way_goes_around_it() {
        let centers = [pt(0.0, 0.0), pt(300.0, 0.0), pt(600.0, 0.0)];
        let pairs = [(0, 2), (0, 1), (1, 2)];
        let routes = route_edges(&centers, &pairs, &[]);
        assert_eq!(through_other_boxes(&centers, &pairs, &routes), 0);
        // The straight ones stay direct curves: one segment.
        assert_eq!(routes[1].segments.len(), 1);
        assert!(routes[0].segments.len() > 1);
        for r in &routes {
            assert!(r.svg_path().starts_with('M'));
        }
    }

    #[test]
    fn backward_and_opposite_edges_are_routed_apart_and_clear_of_boxes() {
        let centers = [pt(0.0, 0.0), pt(400.0, 0.0), pt(200.0, 150.0)];
        let pairs = [(0, 1), (1, 0), (1, 0)];
        let routes = route_edges(&centers, &pairs, &[]);
        assert_eq!(through_other_boxes(&centers, &pairs, &routes), 0);
        assert_ne!(routes[1].points, routes[2].points);
        assert_ne!(routes[0].points, routes[1].points);
        // Each ends on its subscriber's left side.
        let (_, tip) = routes[1].tip().unwrap();
        assert!((tip.x - (0.0 - BOX_WIDTH / 2.0)).abs() < 1e-3);
    }

    #[test]
    fn self_loops_nest_and_stay_outside_their_box() {
        let c = pt(0.0, 0.0);
        let (a, b) = (self_loop(c, 0), self_loop(c, 1));
        let inner = box_rect(c).expand(-1.0);
        for r in [&a, &b] {
            assert!(r.points.iter().all(|&p| !inner.contains(p)));
        }
        assert!(b.bounds().unwrap().min.y < a.bounds().unwrap().min.y);
    }

    #[test]
    fn a_steep_curve_is_written_with_its_straight_middle_as_one_line() {
        let (s, t) = (pt(0.0, 0.0), pt(200.0, 3000.0));
        let r = direct(s, t);
        let cubics = r
            .segments
            .iter()
            .filter(|g| matches!(g, Segment::Cubic(..)))
            .count();
        assert!(r.segments.iter().any(|g| matches!(g, Segment::Line(_))));
        // Split alone, the curve (control polygon 3,200) takes 20 pieces.
        assert!(cubics < 12, "{cubics} curve pieces");
        // It still follows the curve it stands for.
        let (c1, c2) = (pt(100.0, 0.0), pt(100.0, 3000.0));
        for k in 0..=400 {
            let p = cubic_at(s, c1, c2, t, k as f32 / 400.0);
            let d = r
                .points
                .windows(2)
                .map(|w| distance_to_segment(p, w[0], w[1]))
                .fold(f32::MAX, f32::min);
            assert!(d < 1.0, "{p:?} is {d} off the route");
        }
        assert_eq!(
            r.segments.last().map(|g| match *g {
                Segment::Line(p) | Segment::Cubic(_, _, p) => p,
            }),
            Some(t)
        );
    }

    #[test]
    fn missing_services_give_empty_routes() {
        let routes = route_edges(&[pt(0.0, 0.0)], &[(0, 5)], &[]);
        assert!(routes[0].points.is_empty());
    }
}
