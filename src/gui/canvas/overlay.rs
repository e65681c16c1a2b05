//! What goes over the drawing: the running simulation and the gesture in progress.

use egui::epaint::CornerRadius;
use egui::{Align2, FontId, Pos2, Rect, Shape, Stroke, StrokeKind};

use super::{CanvasState, Gesture, Scene, SimOverlay, edges};
use crate::gui::geometry;
use crate::gui::theme;
use crate::gui::view::CanvasView;

/// Each cycle group's class (see `analysis::loops`) above its top-left box, so how dangerous a
/// loop is reads off the canvas, not only off the problems panel.
pub(super) fn paint_loop_tags(
    scene: &Scene,
    view: &CanvasView,
    analysis: &crate::analysis::Analysis,
    loops: &[crate::analysis::LoopReport],
) {
    let Scene {
        painter,
        camera,
        viewport,
        detailed,
        ..
    } = *scene;
    if !detailed {
        return;
    }
    for (cycle, report) in analysis.cycles.iter().zip(loops) {
        let class = report.class.as_str();
        let bounds = cycle
            .members
            .iter()
            .filter_map(|m| view.centers().get(m.index()))
            .map(|&center| geometry::box_rect(center))
            .reduce(|a, b| a.union(b));
        let Some(bounds) = bounds else {
            continue;
        };
        let screen = camera.rect_to_screen(viewport, bounds);
        if !screen.intersects(viewport) {
            continue;
        }
        let color = if report.class == crate::analysis::LoopClass::Intentional {
            scene.palette.muted_text
        } else {
            scene.palette.warning
        };
        // Above the order badge, which sits on the box's top-left corner.
        // Label placement keeps clear of this spot (`geometry::loop_tag_keepout`).
        let offset = crate::geometry::LOOP_TAG_OFFSET;
        painter.text(
            screen.left_top() + egui::vec2(offset.x, offset.y),
            Align2::LEFT_BOTTOM,
            format!("⟳ {class} loop"),
            FontId::proportional(crate::geometry::LOOP_TAG_FONT_PX),
            color,
        );
    }
}

/// Service `i`'s box in screen points, if the view has it.
fn box_on_screen(scene: &Scene, view: &CanvasView, i: usize) -> Option<Rect> {
    let center = *view.centers().get(i)?;
    Some(
        scene
            .camera
            .rect_to_screen(scene.viewport, geometry::box_rect(center)),
    )
}

/// The simulation on top: active services glow, the last hop's edge is lit and carries a dot.
pub(super) fn paint_simulation(scene: &Scene, view: &CanvasView, overlay: &SimOverlay) {
    let Scene {
        painter,
        camera,
        viewport,
        zoom,
        ..
    } = *scene;
    let radius = CornerRadius::same((theme::BOX_ROUNDING * zoom + 4.0).clamp(0.0, 255.0) as u8);
    for &i in &overlay.active {
        let Some(screen) = box_on_screen(scene, view, i) else {
            continue;
        };
        if !screen.intersects(viewport) {
            continue;
        }
        for (grow, alpha) in [(9.0, 0.12), (6.0, 0.25), (3.0, 0.5)] {
            painter.rect_stroke(
                screen.expand(grow),
                radius,
                Stroke::new(3.0, scene.palette.sim_active.gamma_multiply(alpha)),
                StrokeKind::Outside,
            );
        }
        painter.rect_stroke(
            screen.expand(1.0),
            radius,
            Stroke::new(2.0, scene.palette.sim_active),
            StrokeKind::Outside,
        );
    }
    let Some((position, t)) = overlay.hop else {
        return;
    };
    let Some(path) = edges::edge_path(view, position) else {
        return;
    };
    let points: Vec<Pos2> = path
        .iter()
        .map(|&p| camera.to_screen(viewport, p))
        .collect();
    painter.add(Shape::line(
        points.clone(),
        Stroke::new(3.0, scene.palette.sim_dot.gamma_multiply(0.55)),
    ));
    if let Some(at) = edges::point_along(&points, t) {
        let r = (6.0 * zoom).clamp(4.0, 9.0);
        painter.circle_filled(at, r * 2.0, scene.palette.sim_dot.gamma_multiply(0.18));
        painter.circle(
            at,
            r,
            scene.palette.sim_dot,
            Stroke::new(1.5, scene.palette.canvas_bg),
        );
    }
}

/// The empty-canvas hint, the selection rectangle and the connection being dragged.
pub(super) fn paint_gesture(scene: &Scene, state: &CanvasState, view: &CanvasView) {
    let Scene {
        painter,
        camera,
        viewport,
        zoom,
        ..
    } = *scene;
    let centers = view.centers();
    if centers.is_empty() {
        painter.text(
            viewport.center(),
            Align2::CENTER_CENTER,
            "Double-click anywhere to add a service, or use ➕ Add service",
            FontId::proportional(16.0),
            scene.palette.muted_text,
        );
    }

    if let Gesture::Selecting { from, to, .. } = state.gesture {
        let area = Rect::from_two_pos(
            camera.to_screen(viewport, from),
            camera.to_screen(viewport, to),
        );
        painter.rect(
            area,
            CornerRadius::same(2),
            scene.palette.selection.gamma_multiply(0.12),
            Stroke::new(1.0, scene.palette.selection),
            StrokeKind::Inside,
        );
    }

    if let Gesture::Connecting { from, to } = state.gesture
        && let Some(from) = view.index_of(from)
        && let Some(&a) = centers.get(from)
    {
        let s = camera.to_screen(viewport, geometry::handle_center(a));
        let e = camera.to_screen(viewport, to);
        painter.line_segment([s, e], Stroke::new(2.0, scene.palette.pending_edge));
        edges::arrow_head(painter, s, e, zoom.max(0.6), scene.palette.pending_edge);
        if let Some(target) = geometry::service_at(centers, to)
            && target != from
        {
            let r = camera.rect_to_screen(viewport, geometry::box_rect(centers[target]));
            painter.rect_stroke(
                r.expand(3.0),
                CornerRadius::same(6),
                Stroke::new(2.0, scene.palette.pending_edge),
                StrokeKind::Outside,
            );
        }
    }
}
