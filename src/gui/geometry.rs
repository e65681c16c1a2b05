//! Canvas geometry in egui units: the camera and hit-testing. Routing and label placement are
//! the library's ([`crate::geometry`]); the bowed-edge test here only widens framing.
//!
//! Nothing here draws or reads input, so all of it is unit-tested. Canvas units are the units of
//! [`crate::model::Position`]; a service's position is the centre of its box.

use egui::{Pos2, Rect, Vec2, pos2, vec2};

use super::theme;

/// Maps canvas units to screen points: `screen = viewport.min + pan + canvas * zoom`.
///
/// Session state: the camera is not saved in the design file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    /// Screen offset of the canvas origin from the viewport's top-left corner.
    pub pan: Vec2,
    /// Screen points per canvas unit.
    pub zoom: f32,
}

impl Default for Camera {
    fn default() -> Camera {
        Camera {
            pan: vec2(80.0, 300.0),
            zoom: 1.0,
        }
    }
}

impl Camera {
    /// A canvas point on screen.
    pub fn to_screen(&self, viewport: Rect, p: Pos2) -> Pos2 {
        viewport.min + self.pan + p.to_vec2() * self.zoom
    }

    /// A screen point on the canvas.
    pub fn to_canvas(&self, viewport: Rect, p: Pos2) -> Pos2 {
        ((p - viewport.min - self.pan) / self.zoom).to_pos2()
    }

    /// A canvas rectangle on screen.
    pub fn rect_to_screen(&self, viewport: Rect, r: Rect) -> Rect {
        Rect::from_min_max(
            self.to_screen(viewport, r.min),
            self.to_screen(viewport, r.max),
        )
    }

    /// The part of the canvas the viewport shows.
    pub fn visible_canvas(&self, viewport: Rect) -> Rect {
        Rect::from_min_max(
            self.to_canvas(viewport, viewport.min),
            self.to_canvas(viewport, viewport.max),
        )
    }

    /// Zooms by `factor`, keeping the canvas point under `anchor` (a screen point) in place.
    pub fn zoom_around(&mut self, viewport: Rect, anchor: Pos2, factor: f32) {
        let before = self.to_canvas(viewport, anchor);
        self.zoom = (self.zoom * factor).clamp(theme::MIN_ZOOM, theme::MAX_ZOOM);
        self.pan = anchor - viewport.min - before.to_vec2() * self.zoom;
    }

    /// The camera that shows `bounds` (canvas) centred in `viewport` with a margin, never
    /// zooming in past 1.5.
    pub fn fit(bounds: Rect, viewport: Rect) -> Camera {
        if !bounds.is_finite() || bounds.is_negative() {
            return Camera::default();
        }
        let margin = 40.0;
        let available = (viewport.size() - vec2(2.0 * margin, 2.0 * margin)).max(vec2(1.0, 1.0));
        let size = bounds.size().max(vec2(1.0, 1.0));
        let zoom = (available.x / size.x)
            .min(available.y / size.y)
            .clamp(theme::MIN_ZOOM, 1.5);
        let pan = viewport.size() / 2.0 - bounds.center().to_vec2() * zoom;
        Camera { pan, zoom }
    }
}

impl Camera {
    /// This camera moved so `bounds` is in view with a margin, at the same zoom when they fit,
    /// else fitted (never zooming in).
    pub fn focus(self, bounds: Rect, viewport: Rect) -> Camera {
        let visible = self
            .visible_canvas(viewport)
            .shrink(40.0 / self.zoom.max(1e-3));
        if bounds.width() <= visible.width() && bounds.height() <= visible.height() {
            let pan = viewport.size() / 2.0 - bounds.center().to_vec2() * self.zoom;
            return Camera { pan, ..self };
        }
        let fit = Camera::fit(bounds, viewport);
        if fit.zoom > self.zoom {
            Camera {
                zoom: self.zoom,
                ..fit
            }
        } else {
            fit
        }
    }
}

/// The box of a service whose centre is `center`.
pub fn box_rect(center: Pos2) -> Rect {
    Rect::from_center_size(center, vec2(theme::BOX_WIDTH, theme::BOX_HEIGHT))
}

/// The bounding box of a set of service centres, boxes included; `None` when empty.
pub fn bounds(centers: impl IntoIterator<Item = Pos2>) -> Option<Rect> {
    let mut out: Option<Rect> = None;
    for c in centers {
        let r = box_rect(c);
        out = Some(out.map_or(r, |o| o.union(r)));
    }
    out
}

/// The topmost service (drawn last) whose box contains `p`. O(V).
pub fn service_at(centers: &[Pos2], p: Pos2) -> Option<usize> {
    centers.iter().rposition(|&c| box_rect(c).contains(p))
}

/// Centre of the connection handle of a box.
pub fn handle_center(center: Pos2) -> Pos2 {
    center + vec2(theme::BOX_WIDTH / 2.0, 0.0)
}

/// The service whose connection handle is under `p`. The handle stays at least 9 screen points
/// wide when zoomed out. O(V).
pub fn handle_at(centers: &[Pos2], p: Pos2, zoom: f32) -> Option<usize> {
    let radius = theme::HANDLE_RADIUS.max(9.0 / zoom.max(1e-3)) + 2.0;
    centers
        .iter()
        .rposition(|&c| handle_center(c).distance(p) <= radius)
}

/// For framing: true when an edge joins two boxes stacked in one column with room for another box between
/// them: drawn straight it would run behind the boxes in between (typically the edge that
/// closes a cycle group laid out in one column), so it bows out to the right instead.
pub fn needs_bow(from: Pos2, to: Pos2) -> bool {
    (to.x - from.x).abs() < theme::BOX_WIDTH * 0.5
        && (to.y - from.y).abs() > 1.5 * theme::BOX_HEIGHT + 0.5 * theme::ROW_GAP
}

/// A bowed edge as a polyline (canvas units): it leaves the source's right side, swings out to
/// the right of the column and enters the target's right side. `offset` separates parallels.
pub fn bowed_edge(from: Pos2, to: Pos2, offset: f32) -> Vec<Pos2> {
    let half_w = theme::BOX_WIDTH / 2.0;
    let toward = (to.y - from.y).signum();
    let start = pos2(from.x + half_w, from.y + toward * theme::BOX_HEIGHT * 0.3);
    let end = pos2(to.x + half_w, to.y - toward * theme::BOX_HEIGHT * 0.3);
    let reach = 40.0 + 0.15 * (to.y - from.y).abs() + offset.abs();
    let c1 = start + vec2(reach, 0.0);
    let c2 = end + vec2(reach, 0.0);
    const STEPS: usize = 16;
    (0..=STEPS)
        .map(|i| {
            let t = i as f32 / STEPS as f32;
            let u = 1.0 - t;
            let p = start.to_vec2() * (u * u * u)
                + c1.to_vec2() * (3.0 * u * u * t)
                + c2.to_vec2() * (3.0 * u * t * t)
                + end.to_vec2() * (t * t * t);
            p.to_pos2()
        })
        .collect()
}

/// Distance from `p` to a polyline.
pub fn distance_to_polyline(p: Pos2, points: &[Pos2]) -> f32 {
    points
        .windows(2)
        .map(|w| distance_to_segment(p, w[0], w[1]))
        .fold(f32::MAX, f32::min)
}

/// Distance from `p` to the segment `a`-`b`.
pub fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let len_sq = ab.length_sq();
    if len_sq < 1e-9 {
        return p.distance(a);
    }
    let t = ((p - a).dot(ab) / len_sq).clamp(0.0, 1.0);
    p.distance(a + ab * t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_round_trips_and_zooms_around_the_anchor() {
        let viewport = Rect::from_min_size(pos2(10.0, 20.0), vec2(800.0, 600.0));
        let mut camera = Camera::default();
        let p = pos2(123.0, -45.0);
        let s = camera.to_screen(viewport, p);
        assert!((camera.to_canvas(viewport, s) - p).length() < 1e-3);
        let anchor = pos2(300.0, 200.0);
        let under = camera.to_canvas(viewport, anchor);
        camera.zoom_around(viewport, anchor, 2.0);
        assert!((camera.to_canvas(viewport, anchor) - under).length() < 1e-3);
        assert!((camera.zoom - 2.0).abs() < 1e-6);
    }

    #[test]
    fn focusing_keeps_the_zoom_when_the_target_fits() {
        let viewport = Rect::from_min_size(Pos2::ZERO, vec2(800.0, 600.0));
        let camera = Camera {
            pan: vec2(-5000.0, 0.0),
            zoom: 0.8,
        };
        let target = box_rect(pos2(100.0, 100.0));
        let focused = camera.focus(target, viewport);
        assert_eq!(focused.zoom, 0.8);
        assert!(viewport.contains_rect(focused.rect_to_screen(viewport, target)));
        let wide = bounds([pos2(0.0, 0.0), pos2(5000.0, 0.0)]).unwrap();
        let focused = camera.focus(wide, viewport);
        assert!(focused.zoom < 0.8);
        assert!(viewport.contains_rect(focused.rect_to_screen(viewport, wide)));
    }

    #[test]
    fn fit_shows_every_box() {
        let viewport = Rect::from_min_size(Pos2::ZERO, vec2(800.0, 600.0));
        let b = bounds([pos2(0.0, 0.0), pos2(3000.0, 1000.0)]).unwrap();
        let camera = Camera::fit(b, viewport);
        let on_screen = camera.rect_to_screen(viewport, b);
        assert!(viewport.contains_rect(on_screen), "{on_screen:?}");
    }

    #[test]
    fn hit_testing_prefers_the_topmost_box_and_finds_handles() {
        let centers = [pos2(0.0, 0.0), pos2(20.0, 0.0), pos2(500.0, 0.0)];
        assert_eq!(service_at(&centers, pos2(5.0, 0.0)), Some(1));
        assert_eq!(service_at(&centers, pos2(300.0, 0.0)), None);
        let h = handle_center(centers[2]);
        assert_eq!(handle_at(&centers, h, 1.0), Some(2));
        assert_eq!(handle_at(&centers, pos2(250.0, 200.0), 1.0), None);
    }

    #[test]
    fn edges_down_a_column_bow_around_the_boxes_between() {
        let (top, middle, bottom) = (pos2(0.0, 0.0), pos2(0.0, 100.0), pos2(0.0, 200.0));
        assert!(!needs_bow(top, middle));
        assert!(needs_bow(bottom, top));
        assert!(!needs_bow(top, pos2(400.0, 200.0)));
        let curve = bowed_edge(bottom, top, 0.0);
        // No point of the curve is inside the box in between.
        assert!(curve.iter().all(|&p| !box_rect(middle).contains(p)));
        assert!(distance_to_polyline(curve[8], &curve) < 1e-3);
    }
}
