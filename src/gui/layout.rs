//! Auto-layout by stages, left to right, and placement of services that have no position.
//!
//! Pure functions over the model and its analysis: the window turns their result into one
//! [`crate::model::edit::Command::MoveServices`], so a layout is one undo step.

use egui::{Pos2, pos2};

use super::theme;
use crate::analysis::Analysis;
use crate::model::{Design, Position};

/// Positions (box centres) for every service: one column per stage of the condensed plan, left
/// to right; each cycle group kept together in one column; within a column, groups sorted by
/// the mean row of their publishers (a barycentre pass that removes most crossings), file order
/// breaking ties. Boxes never overlap.
///
/// Complexity: O(V log V + E).
pub fn auto_layout(design: &Design, analysis: &Analysis) -> Vec<Position> {
    let n = design.services.len();
    if n == 0 || analysis.stage_of.len() != n || analysis.step_of.len() != n {
        return Vec::new();
    }
    let stage_count = analysis
        .stage_of
        .iter()
        .copied()
        .max()
        .map_or(0, |m| m as usize + 1);
    // Steps of each column, in file order of their first member.
    let mut columns: Vec<Vec<u32>> = vec![Vec::new(); stage_count];
    let mut seen = vec![
        false;
        analysis
            .step_of
            .iter()
            .copied()
            .max()
            .map_or(0, |m| m as usize + 1)
    ];
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); seen.len()];
    for service in 0..n {
        let step = analysis.step_of[service] as usize;
        members[step].push(service);
        if !seen[step] {
            seen[step] = true;
            columns[analysis.stage_of[service] as usize].push(step as u32);
        }
    }
    let mut predecessors: Vec<Vec<usize>> = vec![Vec::new(); n];
    for edge in &design.edges {
        predecessors[edge.to.index()].push(edge.from.index());
    }

    let row_height = theme::BOX_HEIGHT + theme::ROW_GAP;
    let column_width = theme::BOX_WIDTH + theme::COLUMN_GAP;
    let mut row_of = vec![f32::NAN; n];
    let mut out = vec![Position::default(); n];
    for (column_index, column) in columns.iter_mut().enumerate() {
        if column_index > 0 {
            let key = |step: u32| -> f32 {
                let mut sum = 0.0;
                let mut count = 0.0;
                for &m in &members[step as usize] {
                    for &p in &predecessors[m] {
                        if !row_of[p].is_nan() {
                            sum += row_of[p];
                            count += 1.0;
                        }
                    }
                }
                if count > 0.0 { sum / count } else { f32::MAX }
            };
            let mut keyed: Vec<(f32, u32)> = column.iter().map(|&s| (key(s), s)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            *column = keyed.into_iter().map(|(_, s)| s).collect();
        }
        let rows: usize = column.iter().map(|&s| members[s as usize].len()).sum();
        let top = -(rows as f32 - 1.0) * row_height / 2.0;
        let mut row = 0usize;
        for &step in column.iter() {
            for &m in &members[step as usize] {
                row_of[m] = row as f32;
                out[m] = Position {
                    x: column_index as f32 * column_width,
                    y: top + row as f32 * row_height,
                };
                row += 1;
            }
        }
    }
    out
}

/// Where each service is drawn: its saved position, or, for services without one, a place
/// from [`auto_layout`] (all of it when nothing is placed; otherwise a row below the placed
/// ones, so nothing lands on top of what the user arranged).
pub fn display_positions(design: &Design, analysis: &Analysis) -> Vec<Pos2> {
    let placed: Vec<Option<Pos2>> = design
        .services
        .iter()
        .map(|s| s.position.map(|p| pos2(p.x, p.y)))
        .collect();
    if placed.iter().all(Option::is_some) {
        return placed.into_iter().flatten().collect();
    }
    let auto = auto_layout(design, analysis);
    let auto_at = |i: usize| auto.get(i).map_or(Pos2::ZERO, |p| pos2(p.x, p.y));
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
                let x = left + next as f32 * (theme::BOX_WIDTH + theme::ROW_GAP);
                next += 1;
                pos2(x, bottom + theme::BOX_HEIGHT + 2.0 * theme::ROW_GAP)
            })
        })
        .collect()
}

/// A free spot near `wanted` for a new box: moves down a row at a time until it overlaps no
/// existing box. O(V) per try.
pub fn free_spot(centers: &[Pos2], wanted: Pos2) -> Pos2 {
    let mut spot = wanted;
    for _ in 0..1000 {
        let rect = super::geometry::box_rect(spot).expand(theme::ROW_GAP / 4.0);
        if !centers
            .iter()
            .any(|&c| super::geometry::box_rect(c).intersects(rect))
        {
            return spot;
        }
        spot.y += theme::BOX_HEIGHT + theme::ROW_GAP / 2.0;
    }
    spot
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyze;
    use crate::gui::geometry::box_rect;
    use crate::model::{Service, ServiceKind};

    fn overlaps(positions: &[Position]) -> bool {
        for (i, a) in positions.iter().enumerate() {
            for b in &positions[i + 1..] {
                if box_rect(pos2(a.x, a.y)).intersects(box_rect(pos2(b.x, b.y))) {
                    return true;
                }
            }
        }
        false
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
    fn stages_go_left_to_right_without_overlap() {
        let d = design(
            &["a", "b", "c", "d"],
            &[("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")],
        );
        let p = auto_layout(&d, &analyze(&d));
        assert!(p[0].x < p[1].x && p[1].x == p[2].x && p[2].x < p[3].x);
        assert!(!overlaps(&p));
    }

    #[test]
    fn a_cycle_group_stays_in_one_column() {
        let d = design(
            &["a", "b", "c", "x"],
            &[("a", "b"), ("b", "c"), ("c", "b"), ("c", "x")],
        );
        let p = auto_layout(&d, &analyze(&d));
        assert_eq!(p[1].x, p[2].x);
        assert!(p[0].x < p[1].x && p[2].x < p[3].x);
        assert!(!overlaps(&p));
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
            assert!(!overlaps(&p), "{path}");
        }
    }

    #[test]
    fn unplaced_services_go_below_placed_ones() {
        let mut d = design(&["a", "b"], &[("a", "b")]);
        d.services[0].position = Some(Position { x: 0.0, y: 0.0 });
        let p = display_positions(&d, &analyze(&d));
        assert_eq!(p[0], pos2(0.0, 0.0));
        assert!(!box_rect(p[0]).intersects(box_rect(p[1])));
        let spot = free_spot(&p, p[0]);
        assert!(!box_rect(spot).intersects(box_rect(p[0])));
    }
}
