//! First positions for an imported design: the library's layered auto-layout
//! ([`crate::geometry::layout`]), the one the window's Auto-layout and `render --auto-layout`
//! use, so an imported template opens as readable as a laid-out design.

use crate::analysis::analyze;
use crate::model::Design;

/// Gives every service a position.
pub(super) fn place(design: &mut Design) {
    let analysis = analyze(design);
    let positions = crate::geometry::layout::auto_layout(design, &analysis);
    if positions.len() != design.services.len() {
        return;
    }
    for (service, position) in design.services.iter_mut().zip(positions) {
        service.position = Some(position);
    }
}
