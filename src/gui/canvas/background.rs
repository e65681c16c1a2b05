//! What lies under everything: stage bands and the grid, then the stage headers on top of the
//! grid so no grid line crosses their text.

use egui::{Align2, FontId, Rect, Stroke, pos2, vec2};

use super::Scene;
use super::navigation::zoom_buttons_rect;
use crate::analysis::Analysis;
use crate::geometry::stages::{self, Band};
use crate::gui::layout::to_point;
use crate::gui::view::CanvasView;

/// Height of one row of stage headers, screen points.
const HEADER_ROW_PX: f32 = 21.0;

pub(super) fn paint_grid(scene: &Scene) {
    let Scene {
        painter,
        camera,
        viewport,
        palette,
        ..
    } = *scene;
    let step = 40.0;
    if step * camera.zoom < 20.0 {
        return;
    }
    let visible = camera.visible_canvas(viewport);
    let stroke = Stroke::new(1.0, palette.grid);
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

/// A stage band in view: the band and its left and right edges on screen.
pub(super) type BandOnScreen = (Band, f32, f32);

/// Stage bands: one column per stage spanning its members' boxes (the library's bands, as the
/// picture export draws them). Returns the bands in view, for [`paint_stage_headers`].
pub(super) fn paint_stages(
    scene: &Scene,
    view: &CanvasView,
    analysis: &Analysis,
) -> Vec<BandOnScreen> {
    let Scene {
        painter,
        camera,
        viewport,
        palette,
        ..
    } = *scene;
    let count = analysis.stage_count();
    if count == 0 || analysis.stage_of.len() != view.centers().len() {
        return Vec::new();
    }
    // Per frame, O(V log V) (the bands sort members by stage and x; 20,000 services stay
    // within the frame budget): a dragged box takes its band along live.
    let centers: Vec<_> = view.centers().iter().map(|&c| to_point(c)).collect();
    let mut in_view = Vec::new();
    for band in stages::bands(&centers, &analysis.stage_of, count) {
        let l = camera.to_screen(viewport, pos2(band.left, 0.0)).x;
        let r = camera.to_screen(viewport, pos2(band.right, 0.0)).x;
        if r < viewport.min.x || l > viewport.max.x {
            continue;
        }
        let rect = Rect::from_x_y_ranges(l..=r, viewport.y_range());
        painter.rect_filled(rect, 0.0, palette.stage_bands[band.stage % 2]);
        in_view.push((band, l, r));
    }
    in_view
}

/// Each band's "Stage N" at the top of the view, in the header row the geometry gave it, on a
/// patch of its band's colour (so the grid stops short of the text); one under the zoom buttons
/// moves below them. A header that would still touch one already drawn (zoomed far out)
/// yields rather than cover it.
pub(super) fn paint_stage_headers(scene: &Scene, bands: &[BandOnScreen]) {
    let (painter, palette) = (scene.painter, scene.palette);
    let font = FontId::proportional(12.0);
    let buttons = zoom_buttons_rect(scene.viewport).expand(2.0);
    let mut drawn: Vec<Rect> = Vec::new();
    for &(band, l, r) in bands {
        let galley = painter.layout_no_wrap(
            format!("Stage {}", band.stage + 1),
            font.clone(),
            palette.stage_text,
        );
        if galley.size().x + 8.0 > r - l {
            continue;
        }
        let top = scene.viewport.min.y + 6.0 + band.row as f32 * HEADER_ROW_PX;
        let mut text = Align2::CENTER_TOP.anchor_size(pos2((l + r) / 2.0, top), galley.size());
        if text.expand2(vec2(6.0, 2.0)).intersects(buttons) {
            text = text.translate(vec2(0.0, buttons.max.y + 4.0 - text.min.y));
        }
        let patch = text.expand2(vec2(6.0, 2.0));
        if drawn.iter().any(|d| d.intersects(patch)) {
            continue;
        }
        drawn.push(patch);
        painter.rect_filled(patch, 3.0, palette.stage_bands[band.stage % 2]);
        painter.galley(text.min, galley, palette.stage_text);
    }
}
