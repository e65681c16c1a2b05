//! Stage bands: one vertical band per stage spanning its members' boxes, with a header row
//! each, so headers never overlap however freely the boxes are placed.

use super::{BOX_WIDTH, Point};

/// Room on each side of a band beyond its boxes.
pub const BAND_PAD: f32 = 14.0;
/// Width a header needs, canvas units ("Stage 12" at the header font).
pub const HEADER_WIDTH: f32 = 72.0;

/// One stage's band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// 0-based stage.
    pub stage: usize,
    /// Left edge, canvas units.
    pub left: f32,
    /// Right edge, canvas units.
    pub right: f32,
    /// Header row, 0 at the top: a header that would overlap an earlier one moves down a row.
    pub row: usize,
}

impl Band {
    /// Where the header is centred horizontally.
    pub fn header_x(&self) -> f32 {
        (self.left + self.right) / 2.0
    }
}

/// The bands of the stages that have members, left to right, with header rows assigned.
/// `stage_of[i]` is service i's stage. O(V + S log S).
pub fn bands(centers: &[Point], stage_of: &[u32], stage_count: usize) -> Vec<Band> {
    let mut spans = vec![(f32::MAX, f32::MIN); stage_count];
    for (c, &stage) in centers.iter().zip(stage_of) {
        if let Some(span) = spans.get_mut(stage as usize) {
            span.0 = span.0.min(c.x - BOX_WIDTH / 2.0 - BAND_PAD);
            span.1 = span.1.max(c.x + BOX_WIDTH / 2.0 + BAND_PAD);
        }
    }
    let mut out: Vec<Band> = spans
        .into_iter()
        .enumerate()
        .filter(|(_, (l, r))| l <= r)
        .map(|(stage, (left, right))| Band {
            stage,
            left,
            right,
            row: 0,
        })
        .collect();
    out.sort_by(|a, b| a.header_x().total_cmp(&b.header_x()));
    // Greedy rows: each header takes the first row whose last header ends before it starts.
    let mut row_ends: Vec<f32> = Vec::new();
    for band in &mut out {
        let start = band.header_x() - HEADER_WIDTH / 2.0;
        let row = row_ends.iter().position(|&end| end <= start);
        let row = row.unwrap_or_else(|| {
            row_ends.push(f32::MIN);
            row_ends.len() - 1
        });
        row_ends[row] = start + HEADER_WIDTH;
        band.row = row;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::pt;
    use super::*;

    #[test]
    fn headers_of_overlapping_bands_take_different_rows() {
        // Stages 0 and 1 placed in one column by hand: their headers would overlap.
        let centers = [pt(0.0, 0.0), pt(10.0, 200.0), pt(600.0, 0.0)];
        let bands = bands(&centers, &[0, 1, 2], 3);
        assert_eq!(bands.len(), 3);
        let row = |s: usize| bands.iter().find(|b| b.stage == s).unwrap().row;
        assert_ne!(row(0), row(1));
        assert_eq!(row(2), 0);
    }
}
