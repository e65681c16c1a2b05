//! What lies under everything: stage bands and the grid.

use egui::{Align2, FontId, Rect, Stroke, pos2};

use super::Scene;
use crate::analysis::Analysis;
use crate::gui::theme;
use crate::gui::view::CanvasView;

pub(super) fn paint_grid(scene: &Scene) {
    let Scene {
        painter,
        camera,
        viewport,
        ..
    } = *scene;
    let step = 40.0;
    if step * camera.zoom < 20.0 {
        return;
    }
    let visible = camera.visible_canvas(viewport);
    let stroke = Stroke::new(1.0, theme::GRID);
    let mut x = (visible.min.x / step).floor() * step;
    while x <= visible.max.x {
        let sx = camera.to_screen(viewport, pos2(x, 0.0)).x;
        painter.vline(sx, viewport.y_range(), stroke);
        x += step;
    }
    let mut y = (visible.min.y / step).floor() * step;
    while y <= visible.max.y {
        let sy = camera.to_screen(viewport, pos2(0.0, y)).y;
        painter.hline(viewport.x_range(), sy, stroke);
        y += step;
    }
}

/// Stage bands: one column per stage spanning its members' boxes, labelled at the top.
pub(super) fn paint_stages(scene: &Scene, view: &CanvasView, analysis: &Analysis) {
    let Scene {
        painter,
        camera,
        viewport,
        ..
    } = *scene;
    let count = analysis.stage_count();
    if count == 0 {
        return;
    }
    let mut spans = vec![(f32::MAX, f32::MIN); count];
    for (i, &c) in view.centers().iter().enumerate() {
        let Some(&stage) = analysis.stage_of.get(i) else {
            continue;
        };
        if let Some(span) = spans.get_mut(stage as usize) {
            span.0 = span.0.min(c.x - theme::BOX_WIDTH / 2.0);
            span.1 = span.1.max(c.x + theme::BOX_WIDTH / 2.0);
        }
    }
    let font = FontId::proportional(12.0);
    for (stage, &(left, right)) in spans.iter().enumerate() {
        if left > right {
            continue;
        }
        let pad = 14.0;
        let l = camera.to_screen(viewport, pos2(left - pad, 0.0)).x;
        let r = camera.to_screen(viewport, pos2(right + pad, 0.0)).x;
        if r < viewport.min.x || l > viewport.max.x {
            continue;
        }
        let band = Rect::from_x_y_ranges(l..=r, viewport.y_range());
        painter.rect_filled(band, 0.0, theme::STAGE_BANDS[stage % 2]);
        if r - l > 40.0 {
            painter.text(
                pos2((l + r) / 2.0, viewport.min.y + 8.0),
                Align2::CENTER_TOP,
                format!("Stage {}", stage + 1),
                font.clone(),
                theme::STAGE_TEXT,
            );
        }
    }
}
