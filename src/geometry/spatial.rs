//! A uniform bucket grid of rectangles: "which rectangles may touch this one" in O(1) per
//! bucket instead of O(n).

use std::collections::HashMap;

use super::{Point, Rect};

/// Rectangles bucketed by the grid cells they cover.
#[derive(Debug, Default)]
pub struct RectIndex {
    cell: f32,
    buckets: HashMap<(i32, i32), Vec<u32>>,
    rects: Vec<Rect>,
}

impl RectIndex {
    /// An empty index with square cells of `cell` canvas units.
    pub fn new(cell: f32) -> RectIndex {
        RectIndex {
            cell: cell.max(1.0),
            buckets: HashMap::new(),
            rects: Vec::new(),
        }
    }

    fn cells(&self, r: &Rect) -> impl Iterator<Item = (i32, i32)> + use<> {
        let c = self.cell;
        let clamp = |v: f32| (v / c).floor().clamp(-1e6, 1e6) as i32;
        let (x0, x1, y0, y1) = (
            clamp(r.min.x),
            clamp(r.max.x),
            clamp(r.min.y),
            clamp(r.max.y),
        );
        (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
    }

    /// Adds a rectangle; returns its number.
    pub fn insert(&mut self, r: Rect) -> u32 {
        let id = self.rects.len() as u32;
        self.rects.push(r);
        for key in self.cells(&r).collect::<Vec<_>>() {
            self.buckets.entry(key).or_default().push(id);
        }
        id
    }

    /// Calls `f` with each rectangle whose interior overlaps `r`, until it returns true; returns
    /// whether it did. A rectangle may be visited more than once.
    pub fn any_overlap(&self, r: &Rect, mut f: impl FnMut(u32, &Rect) -> bool) -> bool {
        for key in self.cells(r) {
            if let Some(ids) = self.buckets.get(&key) {
                for &id in ids {
                    let other = &self.rects[id as usize];
                    if other.intersects(r) && f(id, other) {
                        return true;
                    }
                }
            }
        }
        false
    }

    /// True when the segment `a`-`b` passes through a rectangle other than those `skip` accepts.
    pub fn segment_blocked(&self, a: Point, b: Point, skip: impl Fn(u32) -> bool) -> bool {
        self.first_hit(a, b, skip).is_some()
    }

    /// Of the rectangles (other than those `skip` accepts) the segment `a`-`b` passes through,
    /// the one nearest `a`'s side (leftmost when `a` is left of `b`).
    pub fn first_hit(&self, a: Point, b: Point, skip: impl Fn(u32) -> bool) -> Option<u32> {
        let rightward = b.x >= a.x;
        let mut best: Option<(f32, u32)> = None;
        let span = Rect {
            min: super::pt(a.x.min(b.x), a.y.min(b.y)),
            max: super::pt(a.x.max(b.x), a.y.max(b.y)),
        };
        for key in self.cells(&span) {
            if let Some(ids) = self.buckets.get(&key) {
                for &id in ids {
                    let r = &self.rects[id as usize];
                    if !skip(id) && r.hits_segment(a, b) {
                        let key = if rightward { r.min.x } else { -r.max.x };
                        if best.is_none_or(|(k, _)| key < k) {
                            best = Some((key, id));
                        }
                    }
                }
            }
        }
        best.map(|(_, id)| id)
    }

    /// Every rectangle overlapping `r`, each once.
    pub fn overlapping(&self, r: &Rect) -> Vec<u32> {
        let mut out = Vec::new();
        self.any_overlap(r, |id, _| {
            out.push(id);
            false
        });
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The rectangle with this number.
    pub fn rect(&self, id: u32) -> Rect {
        self.rects[id as usize]
    }
}
