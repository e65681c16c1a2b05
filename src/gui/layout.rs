//! The library layout ([`crate::geometry::layout`]) in the canvas's egui types.

use egui::{Pos2, pos2};

use crate::analysis::Analysis;
use crate::geometry::{self, Point};
use crate::model::Design;

pub use crate::geometry::layout::auto_layout;

/// A library point as an egui point.
pub fn to_pos(p: Point) -> Pos2 {
    pos2(p.x, p.y)
}

/// An egui point as a library point.
pub fn to_point(p: Pos2) -> Point {
    geometry::pt(p.x, p.y)
}

/// Where each service is drawn: see [`geometry::layout::display_positions`].
pub fn display_positions(design: &Design, analysis: &Analysis) -> Vec<Pos2> {
    geometry::layout::display_positions(design, analysis)
        .into_iter()
        .map(to_pos)
        .collect()
}

/// A free spot near `wanted` for a new box: see [`geometry::layout::free_spot`].
pub fn free_spot(centers: &[Pos2], wanted: Pos2) -> Pos2 {
    let centers: Vec<Point> = centers.iter().copied().map(to_point).collect();
    to_pos(geometry::layout::free_spot(&centers, to_point(wanted)))
}
