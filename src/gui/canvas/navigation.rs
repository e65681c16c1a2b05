//! Getting around: zoom buttons (out, 100%, in), a minimap when the design is larger than the
//! view (click or drag it to go there), and opening a design at a readable zoom.

use egui::{Pos2, Rect, Sense, Stroke, StrokeKind, Ui, pos2, vec2};

use super::CanvasState;
use crate::gui::geometry::{self, Camera};
use crate::gui::theme;
use crate::gui::view::CanvasView;

/// Size of the minimap, screen points.
const MINIMAP: egui::Vec2 = vec2(200.0, 130.0);
/// Most boxes the minimap draws one by one; beyond, every k-th (it is a sketch).
const MINIMAP_BOXES: usize = 4000;
/// Designs with fewer services get no minimap.
const MINIMAP_MIN_SERVICES: usize = 12;
/// Zoom a design opens at when fitting all of it would cut its names.
pub const READABLE_ZOOM: f32 = 0.75;

/// The camera a design opens with: all of it when that is readable; otherwise a readable zoom
/// on its first stage (the left end): centred on the boxes there, or at their top when they
/// are taller than the view. `Fit` still shows all.
pub fn opening_camera(view: &CanvasView, bounds: Rect, viewport: Rect) -> Camera {
    let fit = Camera::fit(bounds, viewport);
    if fit.zoom >= theme::SUBTITLE_MIN_ZOOM {
        return fit;
    }
    let zoom = READABLE_ZOOM;
    let first: Vec<Pos2> = view
        .centers()
        .iter()
        .copied()
        .filter(|c| c.x <= bounds.min.x + theme::BOX_WIDTH * 2.0)
        .collect();
    let rows = geometry::bounds(first).unwrap_or(bounds);
    let visible_h = viewport.height() / zoom;
    let margin = 40.0 / zoom;
    // The first stage's middle when it fits (unless that leaves the top of the design empty
    // above it); its top when it is taller than the view, so reading starts where it starts.
    let center_y = if rows.height() + 2.0 * margin > visible_h {
        rows.min.y - margin + visible_h / 2.0
    } else {
        rows.center().y.max(bounds.min.y + visible_h / 2.0 - margin)
    };
    let left = bounds.min.x - margin;
    Camera {
        zoom,
        pan: vec2(-left * zoom, viewport.height() / 2.0 - center_y * zoom),
    }
}

/// Size of one zoom button, screen points.
const ZOOM_BUTTON: egui::Vec2 = vec2(34.0, 22.0);
/// Gap between zoom buttons, screen points.
const ZOOM_BUTTON_GAP: f32 = 4.0;

/// Where the zoom buttons sit: the canvas's top right corner (the stage headers keep clear).
pub(super) fn zoom_buttons_rect(viewport: Rect) -> Rect {
    let width = 3.0 * ZOOM_BUTTON.x + 2.0 * ZOOM_BUTTON_GAP;
    Rect::from_min_size(
        pos2(viewport.max.x - 8.0 - width, viewport.min.y + 8.0),
        vec2(width, ZOOM_BUTTON.y),
    )
}

/// Zoom buttons and the minimap over the canvas. Returns true when either was used.
pub fn navigation_ui(ui: &mut Ui, state: &mut CanvasState, view: &CanvasView) -> bool {
    let viewport = state.viewport;
    let mut used = false;
    let size = ZOOM_BUTTON;
    let mut at = zoom_buttons_rect(viewport).min;
    for (text, hint, factor) in [
        ("−", "Zoom out", Some(1.0 / 1.25)),
        ("100%", "Zoom to 100%", None),
        ("+", "Zoom in", Some(1.25)),
    ] {
        let rect = Rect::from_min_size(at, size);
        let button = egui::Button::new(text).wrap_mode(egui::TextWrapMode::Extend);
        let button = ui.put(rect, button).on_hover_text(hint);
        if button.clicked() {
            let factor = factor.unwrap_or(1.0 / state.camera.zoom.max(1e-6));
            state
                .camera
                .zoom_around(viewport, viewport.center(), factor);
            used = true;
        }
        at.x += size.x + ZOOM_BUTTON_GAP;
    }

    let Some(bounds) = geometry::bounds(view.centers().iter().copied()) else {
        return used;
    };
    let visible = state.camera.visible_canvas(viewport);
    // A handful of boxes needs no map (and the map would cover some of them).
    if visible.contains_rect(bounds)
        || view.centers().len() < MINIMAP_MIN_SERVICES
        || viewport.width() < 2.5 * MINIMAP.x
    {
        return used;
    }
    let map = Rect::from_min_size(viewport.max - MINIMAP - vec2(10.0, 10.0), MINIMAP);
    let response = ui.interact(map, ui.id().with("minimap"), Sense::click_and_drag());
    let world = bounds.union(visible.intersect(bounds.expand(bounds.size().max_elem())));
    let scale = 0.92 * (map.width() / world.width()).min(map.height() / world.height());
    let offset = map.center() - world.center().to_vec2() * scale;
    let to_map = |p: Pos2| offset + p.to_vec2() * scale;
    if let Some(p) = response.interact_pointer_pos()
        && (response.clicked() || response.dragged())
    {
        let target = ((p - offset) / scale).to_pos2();
        state.camera.pan = viewport.size() / 2.0 - target.to_vec2() * state.camera.zoom;
        used = true;
    }
    let palette = theme::palette(ui.ctx());
    let painter = ui.painter().with_clip_rect(map);
    painter.rect_filled(map, 4.0, palette.minimap_bg);
    let mut mesh = egui::Mesh::default();
    let step = view.centers().len().div_ceil(MINIMAP_BOXES).max(1);
    for (i, &c) in view.centers().iter().enumerate().step_by(step) {
        let color = view
            .node(i)
            .map_or(palette.edge, |n| theme::kind_color(n.kind));
        let r = geometry::box_rect(c);
        let r = Rect::from_min_max(to_map(r.min), to_map(r.max));
        mesh.add_colored_rect(r.expand(0.5), color);
    }
    painter.add(egui::Shape::mesh(mesh));
    let seen = Rect::from_min_max(to_map(visible.min), to_map(visible.max));
    painter.rect_stroke(
        seen,
        1.0,
        Stroke::new(1.5, palette.selection),
        StrokeKind::Inside,
    );
    painter.rect_stroke(
        map,
        4.0,
        Stroke::new(1.0, palette.minimap_frame),
        StrokeKind::Inside,
    );
    used
}
