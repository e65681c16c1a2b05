//! First positions for an imported design: the library's layered auto-layout
//! ([`crate::geometry::layout`]), the one the window's Auto-layout and `render --auto-layout`
//! use, so an imported template opens as readable as a laid-out design.

use crate::analysis::analyze;
use crate::model::Design;

/// Gives every service a position.
pub(super) fn place(design: &mut Design) {
    let analysis = analyze(design);
    let layout = crate::geometry::layout::layout(design, &analysis, Default::default());
    if layout.positions.len() != design.services.len() || layout.vias.len() != design.edges.len() {
        return;
    }
    for (service, position) in design.services.iter_mut().zip(layout.positions) {
        service.position = Some(position);
    }
    let uids: Vec<_> = design.edges.iter().map(|e| e.uid).collect();
    for (uid, via) in uids.into_iter().zip(layout.vias) {
        design.set_via(uid, via.into_boxed_slice());
    }
}
