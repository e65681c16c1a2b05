//! Event edges: routed lines, arrow heads and their placed labels.

use egui::epaint::{CornerRadius, PathShape, PathStroke};
use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, vec2};

use super::{CanvasState, Gesture, Scene};
use crate::geometry::LABEL_FONT;
use crate::geometry::route;
use crate::gui::layout::{to_point, to_pos};
use crate::gui::theme;
use crate::gui::view::CanvasView;

/// A label to draw after the boxes.
pub(super) struct PendingLabel {
    edge: usize,
    color: Color32,
    /// Hovered or selected: shown in full and readable whatever the zoom.
    emphasised: bool,
    /// Outside View › Focus: drawn receded.
    dimmed: bool,
}

/// Which services move with a drag in progress (empty when none does).
fn moving_services(state: &CanvasState, view: &CanvasView) -> Vec<bool> {
    let Gesture::Moving { service, .. } = state.gesture else {
        return Vec::new();
    };
    let mut moving = vec![false; view.centers().len()];
    for uid in std::iter::once(service).chain(state.moving_with.iter().map(|&(u, _)| u)) {
        if let Some(i) = view.index_of(uid) {
            moving[i] = true;
        }
    }
    moving
}

/// Draws the edges in view along their routes and returns their labels, which go on top of
/// the boxes. Routes come from the view (computed per edit); only the edges of boxes being
/// dragged are drawn provisionally, as plain S-curves, until the drop. Edges marked in
/// `dimmed` (View › Focus, indexed like the design's edges) recede and go first, so the
/// focused ones and their labels lie on top.
pub(super) fn paint_edges(
    scene: &Scene,
    state: &CanvasState,
    view: &CanvasView,
    dimmed: &[bool],
) -> Vec<PendingLabel> {
    let Scene {
        painter,
        camera,
        viewport,
        visible,
        zoom,
        detailed,
        palette,
    } = *scene;
    let centers = view.centers();
    let moving = moving_services(state, view);
    let edge_width = if detailed { theme::EDGE_WIDTH_PX } else { 1.0 };
    // Zoomed out, edges go into one plain mesh (no anti-aliasing feather) along their coarse
    // polylines: tessellation then only copies it, which keeps 20,000 services cheap.
    let mut edge_mesh = egui::Mesh::default();
    let mut labels: Vec<PendingLabel> = Vec::new();
    let show_labels = zoom >= theme::EDGE_LABEL_MIN_ZOOM;
    let mut screen: Vec<Pos2> = Vec::new();
    let pairs = view.pairs();
    let is_dimmed = |i: usize| dimmed.get(i) == Some(&true);
    let back = (0..pairs.len()).filter(|&i| is_dimmed(i));
    let front = (0..pairs.len()).filter(|&i| !is_dimmed(i));
    for i in back.chain(front) {
        let (from, to) = pairs[i];
        let dragged = !moving.is_empty()
            && (moving.get(from as usize) == Some(&true) || moving.get(to as usize) == Some(&true));
        let provisional;
        let route = if dragged {
            let (Some(&a), Some(&b)) = (centers.get(from as usize), centers.get(to as usize))
            else {
                continue;
            };
            provisional = route::provisional(to_point(a), to_point(b), from == to);
            &provisional
        } else {
            if !view.route_bounds(i).intersects(visible) {
                continue;
            }
            match view.route(i) {
                Some(route) => route,
                None => continue,
            }
        };
        if route.points.len() < 2 {
            continue;
        }
        let in_cycle = view.edge(i).is_some_and(|e| e.in_cycle);
        let selected = view.is_edge_selected(i);
        let hovered = state.hovered_edge == Some(i);
        let color = if selected {
            palette.selection
        } else if in_cycle {
            palette.warning
        } else if hovered {
            palette.hover
        } else {
            palette.edge
        };
        // What the user points at or picked stays lit, in focus or not.
        let receded = is_dimmed(i) && !selected && !hovered;
        let color = if receded {
            palette.dimmed(color)
        } else {
            color
        };
        let width = if selected || hovered {
            edge_width + 1.0
        } else {
            edge_width
        };
        screen.clear();
        if detailed {
            screen.extend(
                route
                    .points
                    .iter()
                    .map(|&p| camera.to_screen(viewport, to_pos(p))),
            );
            let n = screen.len();
            arrow_head(painter, screen[n - 2], screen[n - 1], zoom, color);
            painter.add(Shape::line(screen.clone(), Stroke::new(width, color)));
        } else {
            screen.extend(
                route
                    .coarse
                    .iter()
                    .map(|&p| camera.to_screen(viewport, to_pos(p))),
            );
            let n = screen.len();
            for (k, w) in screen.windows(2).enumerate() {
                let head = k + 2 == n && zoom >= 0.12;
                mesh_segment(&mut edge_mesh, w[0], w[1], width, color, head);
            }
        }
        if !dragged && (show_labels || selected || hovered) {
            labels.push(PendingLabel {
                edge: i,
                color,
                emphasised: selected || hovered,
                dimmed: receded,
            });
        }
    }
    if !edge_mesh.is_empty() {
        painter.add(Shape::mesh(edge_mesh));
    }
    labels
}

/// Draws the labels [`paint_edges`] collected, where the geometry placed them, scaled with the
/// zoom. A hovered or selected edge's label is drawn in full at a readable size, also when it
/// was shortened or yielded for lack of room.
pub(super) fn paint_labels(scene: &Scene, view: &CanvasView, labels: Vec<PendingLabel>) {
    let Scene {
        painter,
        camera,
        viewport,
        zoom,
        palette,
        ..
    } = *scene;
    for pending in labels {
        let text = if pending.dimmed {
            palette.dimmed(palette.box_text)
        } else {
            palette.box_text
        };
        let style = LabelStyle {
            border: pending.color,
            text,
            background: palette.edge_label_bg,
        };
        let Some(edge) = view.edge(pending.edge) else {
            continue;
        };
        let placed = view.label(pending.edge);
        let font = LABEL_FONT * zoom;
        match placed {
            Some(label) if !(pending.emphasised && (label.shortened || font < 11.0)) => {
                let rect = Rect::from_min_max(
                    camera.to_screen(viewport, to_pos(label.rect.min)),
                    camera.to_screen(viewport, to_pos(label.rect.max)),
                );
                label_box(painter, rect, &label.text, font, style);
            }
            _ if pending.emphasised => {
                // In full, over its placed spot or the middle of its route.
                let at = placed.map(|l| l.rect.center()).or_else(|| {
                    view.route(pending.edge)
                        .and_then(|r| r.point_at(0.5))
                        .map(|p| p.0)
                });
                if let Some(at) = at {
                    let at = camera.to_screen(viewport, to_pos(at));
                    let font = font.max(theme::EDGE_LABEL_FONT_PX);
                    let galley = painter.layout_no_wrap(
                        edge.event.to_string(),
                        FontId::proportional(font),
                        text,
                    );
                    let rect = Rect::from_center_size(at, galley.size() + vec2(10.0, 4.0));
                    label_box(painter, rect, &edge.event, font, style);
                }
            }
            _ => {}
        }
    }
}

/// The colours of one edge label.
#[derive(Clone, Copy)]
struct LabelStyle {
    /// The edge's colour.
    border: Color32,
    text: Color32,
    background: Color32,
}

/// A label: background, border and centred text.
fn label_box(painter: &Painter, rect: Rect, text: &str, font: f32, style: LabelStyle) {
    painter.rect(
        rect,
        CornerRadius::same(((4.0 * rect.height() / 16.0) as u8).clamp(1, 8)),
        style.background,
        Stroke::new(1.0, style.border.gamma_multiply(0.7)),
        StrokeKind::Inside,
    );
    painter.text(
        rect.center(),
        Align2::CENTER_CENTER,
        text,
        FontId::proportional(font),
        style.text,
    );
}

/// The edge's drawn path, canvas units (its route).
pub(super) fn edge_path(view: &CanvasView, position: usize) -> Option<Vec<Pos2>> {
    let route = view.route(position)?;
    (route.points.len() >= 2).then(|| route.points.iter().map(|&p| to_pos(p)).collect())
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
