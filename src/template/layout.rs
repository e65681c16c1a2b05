//! First positions for an imported design: one column per stage of the condensed plan, the
//! services of a column one under another in file order.
//!
//! A stand-in, marked to be replaced by the library-side layout that is moving out of the GUI
//! (`src/gui/layout.rs`): the window runs its own auto-layout on demand either way.

use crate::analysis::analyze;
use crate::model::{Design, Position};

/// Horizontal distance between stage columns, in canvas units.
const COLUMN_WIDTH: f32 = 240.0;
/// Vertical distance between services in a column.
const ROW_HEIGHT: f32 = 100.0;

/// Gives every service a position by its stage. O(V + E).
pub(super) fn place(design: &mut Design) {
    let analysis = analyze(design);
    let mut rows: Vec<u32> = Vec::new();
    for (index, service) in design.services.iter_mut().enumerate() {
        let stage = analysis.stage_of.get(index).copied().unwrap_or(0) as usize;
        if rows.len() <= stage {
            rows.resize(stage + 1, 0);
        }
        let row = rows[stage];
        rows[stage] += 1;
        service.position = Some(Position {
            x: 100.0 + stage as f32 * COLUMN_WIDTH,
            y: 80.0 + row as f32 * ROW_HEIGHT,
        });
    }
}
