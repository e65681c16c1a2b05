//! Stage bands: one vertical band per column a stage's members stand in (boxes side by side
//! in x make one band), with a header row each, so headers never overlap however freely the
//! boxes are placed. In stage columns that is one band a stage; where a compact layout or the
//! user puts members of one stage in several columns, each column shows which stages it holds.

use super::{BOX_WIDTH, Point, layout::BLOCK_GAP_X};

/// Room on each side of a band beyond its boxes.
pub const BAND_PAD: f32 = 14.0;
/// Width a header needs, canvas units ("Stage 12" at the header font).
pub const HEADER_WIDTH: f32 = 72.0;
/// Members of a stage this close in x (band edge to band edge) share one band: the gap
/// inside a cycle group's block (76) joins, the gap between layout columns (176) does not.
const JOIN_GAP: f32 = BLOCK_GAP_X;

/// One band of a stage.
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
/// `stage_of[i]` is service i's stage. O(V log V).
pub fn bands(centers: &[Point], stage_of: &[u32], stage_count: usize) -> Vec<Band> {
    let mut spans: Vec<(u32, f32)> = centers
        .iter()
        .zip(stage_of)
        .filter(|&(c, &stage)| (stage as usize) < stage_count && c.x.is_finite())
        .map(|(c, &stage)| (stage, c.x))
        .collect();
    spans.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let half = BOX_WIDTH / 2.0 + BAND_PAD;
    let mut out: Vec<Band> = Vec::new();
    for (stage, x) in spans {
        let stage = stage as usize;
        match out.last_mut() {
            Some(b) if b.stage == stage && x - half <= b.right + JOIN_GAP => {
                b.right = b.right.max(x + half);
            }
            _ => out.push(Band {
                stage,
                left: x - half,
                right: x + half,
                row: 0,
            }),
        }
    }
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

    #[test]
    fn a_stage_in_two_columns_has_a_band_in_each_and_a_block_has_one() {
        // Stage 0 in the first column and (moved) in the third; stage 1 in the second as a
        // block two boxes wide; stage 2 in the third.
        let w = BOX_WIDTH + BLOCK_GAP_X;
        let centers = [
            pt(0.0, 0.0),
            pt(760.0, 200.0),
            pt(380.0, 0.0),
            pt(380.0 + w, 0.0),
            pt(760.0, 0.0),
        ];
        let bands = bands(&centers, &[0, 0, 1, 1, 2], 3);
        let of = |s: usize| bands.iter().filter(|b| b.stage == s).count();
        assert_eq!((of(0), of(1), of(2)), (2, 1, 1), "{bands:?}");
        let late = bands
            .iter()
            .find(|b| b.stage == 0 && b.left > 500.0)
            .unwrap();
        let third = bands.iter().find(|b| b.stage == 2).unwrap();
        assert_eq!((late.left, late.right), (third.left, third.right));
        assert_ne!(late.row, third.row);
    }
}
