//! Event edges: lines, arrow heads and their labels.

use egui::epaint::{CornerRadius, PathShape, PathStroke};
use egui::{Color32, FontId, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, Vec2, pos2, vec2};

use super::{CanvasState, Scene};
use crate::gui::geometry;
use crate::gui::theme;
use crate::gui::view::CanvasView;

/// A label to draw after the boxes: (anchor, edge, colour, side); a label with a side sits beside
/// its line, on that side.
pub(super) type PendingLabel = (Pos2, usize, Color32, Vec2);

/// Draws the edges in view and returns their labels, which go on top of the boxes.
pub(super) fn paint_edges(
    scene: &Scene,
    state: &CanvasState,
    view: &CanvasView,
) -> Vec<PendingLabel> {
    let Scene {
        painter,
        camera,
        viewport,
        visible,
        zoom,
        detailed,
    } = *scene;
    let centers = view.centers();
    let edge_width = if detailed { theme::EDGE_WIDTH_PX } else { 1.0 };
    // Zoomed out, edges go into one plain mesh (no anti-aliasing feather): tessellation then
    // only copies it, which keeps 5,000 services cheap.
    let mut edge_mesh = egui::Mesh::default();
    let mut labels: Vec<PendingLabel> = Vec::new();
    for (i, &(from, to)) in view.pairs().iter().enumerate() {
        let (Some(&a), Some(&b)) = (centers.get(from as usize), centers.get(to as usize)) else {
            continue;
        };
        if !geometry::edge_bounds(a, b).intersects(visible) {
            continue;
        }
        let (in_cycle, offset) = view
            .edge(i)
            .map_or((false, 0.0), |e| (e.in_cycle, e.offset));
        let selected = view.is_edge_selected(i);
        let hovered = state.hovered_edge == Some(i);
        let color = if selected {
            theme::SELECTION
        } else if in_cycle {
            theme::WARNING
        } else if hovered {
            theme::HOVER
        } else {
            theme::EDGE
        };
        let width = if selected || hovered {
            edge_width + 1.0
        } else {
            edge_width
        };
        let stroke = Stroke::new(width, color);
        let mut side = Vec2::ZERO;
        let label_at = if from == to {
            let points: Vec<Pos2> = geometry::self_loop(a)
                .iter()
                .map(|&p| camera.to_screen(viewport, p))
                .collect();
            let (tip, before) = (points[4], points[3]);
            painter.add(Shape::line(points.clone(), stroke));
            arrow_head(painter, before, tip, zoom, color);
            pos2((points[1].x + points[2].x) / 2.0, points[1].y)
        } else if geometry::needs_bow(a, b) {
            let points: Vec<Pos2> = geometry::bowed_edge(a, b, offset)
                .iter()
                .map(|&p| camera.to_screen(viewport, p))
                .collect();
            let n = points.len();
            if detailed {
                painter.add(Shape::line(points.clone(), stroke));
                arrow_head(painter, points[n - 2], points[n - 1], zoom, color);
            } else {
                for (k, w) in points.windows(2).enumerate() {
                    mesh_segment(&mut edge_mesh, w[0], w[1], width, color, k == n - 2);
                }
            }
            points[n / 2]
        } else {
            let Some((s, e)) = geometry::edge_segment(a, b, offset) else {
                continue;
            };
            let (s, e) = (camera.to_screen(viewport, s), camera.to_screen(viewport, e));
            if detailed {
                painter.line_segment([s, e], stroke);
                arrow_head(painter, s, e, zoom, color);
            } else {
                mesh_segment(&mut edge_mesh, s, e, width, color, zoom >= 0.12);
            }
            // Parallel and opposite edges: each label sits beside its own line, on the side the
            // line was moved to, and nearer its publisher, so two labels never share a spot
            // (centred on the lines, the labels of a retry loop between stacked boxes overlapped).
            let t = if offset == 0.0 { 0.5 } else { 0.32 };
            if offset != 0.0 {
                let normal = (e - s).normalized().rot90();
                let centre_line = camera.to_screen(viewport, a.lerp(b, 0.5));
                let moved = (s.lerp(e, 0.5) - centre_line).dot(normal);
                side = if moved >= 0.0 { normal } else { -normal };
            }
            s + (e - s) * t
        };
        if zoom >= theme::EDGE_LABEL_MIN_ZOOM || selected || hovered {
            labels.push((label_at, i, color, side));
        }
    }
    if !edge_mesh.is_empty() {
        painter.add(Shape::mesh(edge_mesh));
    }
    labels
}

/// Draws the labels [`paint_edges`] collected.
pub(super) fn paint_labels(scene: &Scene, view: &CanvasView, labels: Vec<PendingLabel>) {
    for (at, i, color, side) in labels {
        if let Some(edge) = view.edge(i) {
            edge_label(scene.painter, at, &edge.event, color, side);
        }
    }
}

/// The edge's drawn path, canvas units (as [`paint_edges`] draws it).
pub(super) fn edge_path(view: &CanvasView, position: usize) -> Option<Vec<Pos2>> {
    let centers = view.centers();
    let &(from, to) = view.pairs().get(position)?;
    let a = *centers.get(from as usize)?;
    let b = *centers.get(to as usize)?;
    let offset = view.edge(position).map_or(0.0, |e| e.offset);
    Some(if from == to {
        geometry::self_loop(a).to_vec()
    } else if geometry::needs_bow(a, b) {
        geometry::bowed_edge(a, b, offset)
    } else {
        let (s, e) = geometry::edge_segment(a, b, offset)?;
        vec![s, e]
    })
}

/// The point a fraction `t` (0 to 1) of the way along a polyline.
pub(super) fn point_along(points: &[Pos2], t: f32) -> Option<Pos2> {
    let total: f32 = points.windows(2).map(|w| w[0].distance(w[1])).sum();
    let first = *points.first()?;
    let mut left = total * t.clamp(0.0, 1.0);
    for w in points.windows(2) {
        let length = w[0].distance(w[1]);
        if left <= length && length > 0.0 {
            return Some(w[0] + (w[1] - w[0]) * (left / length));
        }
        left -= length;
    }
    Some(points.last().copied().unwrap_or(first))
}

/// A line as a thin quad, plus an arrow head triangle, appended to a mesh.
fn mesh_segment(mesh: &mut egui::Mesh, s: Pos2, e: Pos2, width: f32, color: Color32, head: bool) {
    let dir = (e - s).normalized();
    if !dir.is_finite() {
        return;
    }
    let n = vec2(-dir.y, dir.x) * (width / 2.0);
    let base = mesh.vertices.len() as u32;
    for p in [s + n, s - n, e - n, e + n] {
        mesh.colored_vertex(p, color);
    }
    mesh.add_triangle(base, base + 1, base + 2);
    mesh.add_triangle(base, base + 2, base + 3);
    if head {
        let length = 5.0;
        let side = vec2(-dir.y, dir.x) * length * 0.5;
        let back = e - dir * length;
        let base = mesh.vertices.len() as u32;
        for p in [e, back + side, back - side] {
            mesh.colored_vertex(p, color);
        }
        mesh.add_triangle(base, base + 1, base + 2);
    }
}

pub(super) fn arrow_head(painter: &Painter, from: Pos2, tip: Pos2, zoom: f32, color: Color32) {
    let dir = (tip - from).normalized();
    if !dir.is_finite() {
        return;
    }
    let length = (theme::ARROW_LENGTH * zoom).clamp(6.0, 18.0);
    let side = vec2(-dir.y, dir.x) * length * 0.45;
    let base = tip - dir * length;
    painter.add(Shape::Path(PathShape {
        points: vec![tip, base + side, base - side],
        closed: true,
        fill: color,
        stroke: PathStroke::NONE,
    }));
}

/// An event label centred on `at`, or, with a `side` (a unit vector), beside `at` on that side
/// with a small gap.
fn edge_label(painter: &Painter, at: Pos2, text: &str, color: Color32, side: Vec2) {
    let galley = painter.layout_no_wrap(
        text.to_owned(),
        FontId::proportional(theme::EDGE_LABEL_FONT_PX),
        theme::BOX_TEXT,
    );
    let size = galley.size() + vec2(10.0, 4.0);
    // How far the centre moves so that the rectangle's near side clears the line.
    let clear = (size.x / 2.0 * side.x).abs() + (size.y / 2.0 * side.y).abs() + 3.0;
    let rect = Rect::from_center_size(at + side * clear, size);
    painter.rect(
        rect,
        CornerRadius::same(4),
        theme::EDGE_LABEL_BG,
        Stroke::new(1.0, color.gamma_multiply(0.7)),
        StrokeKind::Inside,
    );
    painter.galley(rect.min + vec2(5.0, 2.0), galley, theme::BOX_TEXT);
}
