//! The one geometry of a drawn design, shared by the canvas, `render` and the tests: box sizes,
//! layered auto-layout, edge routing around boxes and label placement. No egui here.
//!
//! Canvas units are the units of [`crate::model::Position`]; a service's position is the centre
//! of its box. Everything is computed once per edit ([`Drawing::new`]), never per frame.

pub mod labels;
pub mod layout;
pub mod route;
mod spatial;
pub mod stages;

pub use labels::{LabelBox, place_labels};
pub use route::{Route, Segment, route_edges};

use crate::analysis::Analysis;
use crate::model::Design;

/// Width of a service box.
pub const BOX_WIDTH: f32 = 176.0;
/// Height of a service box.
pub const BOX_HEIGHT: f32 = 58.0;
/// Radius of the order badge centred on a box's top-left corner.
pub const BADGE_RADIUS: f32 = 10.0;
/// Radius of the connection handle centred on a box's right side.
pub const HANDLE_RADIUS: f32 = 7.0;
/// Font size of edge labels, canvas units.
pub const LABEL_FONT: f32 = 11.0;
/// Height of an edge label's background.
pub const LABEL_HEIGHT: f32 = 16.0;
/// Horizontal padding inside an edge label's background, each side.
pub const LABEL_PAD: f32 = 4.0;
/// The grid that snapped positions and auto-layout land on.
pub const GRID_STEP: f32 = 20.0;

/// A point, canvas units.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    /// Rightward.
    pub x: f32,
    /// Downward.
    pub y: f32,
}

/// Shorthand for [`Point`].
pub const fn pt(x: f32, y: f32) -> Point {
    Point { x, y }
}

impl Point {
    /// Distance to another point.
    pub fn distance(self, other: Point) -> f32 {
        (self.x - other.x).hypot(self.y - other.y)
    }

    /// The point a fraction `t` of the way to `other`.
    pub fn lerp(self, other: Point, t: f32) -> Point {
        pt(
            self.x + (other.x - self.x) * t,
            self.y + (other.y - self.y) * t,
        )
    }

    /// This point moved by (dx, dy).
    pub fn offset(self, dx: f32, dy: f32) -> Point {
        pt(self.x + dx, self.y + dy)
    }
}

/// An axis-aligned rectangle, canvas units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Top-left corner.
    pub min: Point,
    /// Bottom-right corner.
    pub max: Point,
}

impl Rect {
    /// The rectangle of this centre and size.
    pub fn from_center_size(center: Point, width: f32, height: f32) -> Rect {
        Rect {
            min: pt(center.x - width / 2.0, center.y - height / 2.0),
            max: pt(center.x + width / 2.0, center.y + height / 2.0),
        }
    }

    /// Width.
    pub fn width(&self) -> f32 {
        self.max.x - self.min.x
    }

    /// Height.
    pub fn height(&self) -> f32 {
        self.max.y - self.min.y
    }

    /// Centre.
    pub fn center(&self) -> Point {
        self.min.lerp(self.max, 0.5)
    }

    /// Grown by `m` on every side (shrunk when negative).
    pub fn expand(&self, m: f32) -> Rect {
        Rect {
            min: self.min.offset(-m, -m),
            max: self.max.offset(m, m),
        }
    }

    /// True when the interiors overlap (touching edges do not count).
    pub fn intersects(&self, other: &Rect) -> bool {
        self.min.x < other.max.x
            && other.min.x < self.max.x
            && self.min.y < other.max.y
            && other.min.y < self.max.y
    }

    /// True when `p` is strictly inside.
    pub fn contains(&self, p: Point) -> bool {
        self.min.x < p.x && p.x < self.max.x && self.min.y < p.y && p.y < self.max.y
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, other: &Rect) -> Rect {
        Rect {
            min: pt(self.min.x.min(other.min.x), self.min.y.min(other.min.y)),
            max: pt(self.max.x.max(other.max.x), self.max.y.max(other.max.y)),
        }
    }

    /// True when the segment `a`-`b` passes through the interior. Liang-Barsky clipping, O(1).
    pub fn hits_segment(&self, a: Point, b: Point) -> bool {
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let mut t0 = 0.0f32;
        let mut t1 = 1.0f32;
        for (p, q) in [
            (-dx, a.x - self.min.x),
            (dx, self.max.x - a.x),
            (-dy, a.y - self.min.y),
            (dy, self.max.y - a.y),
        ] {
            if p == 0.0 {
                if q <= 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
                if t0 >= t1 {
                    return false;
                }
            }
        }
        true
    }
}

/// The box of a service whose centre is `center`.
pub fn box_rect(center: Point) -> Rect {
    Rect::from_center_size(center, BOX_WIDTH, BOX_HEIGHT)
}

/// Font size of a cycle group's loop tag ("⟳ runaway loop"), screen points: like edge labels,
/// it reads the same at every zoom.
pub const LOOP_TAG_FONT_PX: f32 = 11.0;
/// From the top-left corner of a cycle group's boxes to its loop tag's bottom-left corner,
/// screen points: right of and above the order badge.
pub const LOOP_TAG_OFFSET: Point = Point { x: 14.0, y: -16.0 };
/// Below this zoom the canvas shows edge labels only for the hovered or selected edge.
pub const LABEL_MIN_ZOOM: f32 = 0.6;
/// The canvas's largest zoom.
pub const MAX_ZOOM: f32 = 4.0;

/// The canvas area a cycle group's loop tag can cover at any zoom that shows edge labels
/// (between [`LABEL_MIN_ZOOM`] and [`MAX_ZOOM`]; its screen size is fixed, so the further out,
/// the more canvas it covers), sized for the widest class: label placement keeps clear of it.
/// `corner` is the top-left corner of the group's boxes.
pub fn loop_tag_keepout(corner: Point) -> Rect {
    let width = text_width("⟳ permission-only loop", LOOP_TAG_FONT_PX);
    let height = LOOP_TAG_FONT_PX * 1.4;
    let (near, far) = (1.0 / MAX_ZOOM, 1.0 / LABEL_MIN_ZOOM);
    Rect {
        min: pt(
            corner.x + LOOP_TAG_OFFSET.x * near,
            corner.y + (LOOP_TAG_OFFSET.y - height) * far,
        ),
        max: pt(
            corner.x + (LOOP_TAG_OFFSET.x + width) * far,
            corner.y + LOOP_TAG_OFFSET.y * near,
        ),
    }
}

/// What labels must keep clear of around a box: the box, its badge and its handle.
pub fn box_keepout(center: Point) -> Rect {
    box_rect(center).expand(BADGE_RADIUS + 2.0)
}

/// The bounding box of a set of service centres, boxes included; `None` when empty.
pub fn bounds(centers: impl IntoIterator<Item = Point>) -> Option<Rect> {
    centers.into_iter().map(box_rect).reduce(|a, b| a.union(&b))
}

/// A value rounded to the grid.
pub fn snap(v: f32) -> f32 {
    (v / GRID_STEP).round() * GRID_STEP
}

/// Estimated width of `text` in the label font, canvas units: a per-character table for a
/// sans-serif face (DejaVu Sans, the widest common default), so real text fits inside.
pub fn text_width(text: &str, font_size: f32) -> f32 {
    let em: f32 = text
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | 'I' => 0.32,
            'f' | 't' | 'r' | ' ' | '(' | ')' | '-' => 0.42,
            'm' | 'w' | 'M' | 'W' => 0.92,
            'A'..='Z' => 0.72,
            '0'..='9' => 0.64,
            c if c.is_ascii() => 0.62,
            _ => 1.0,
        })
        .sum();
    em * font_size
}

/// Everything drawn for a design at given box centres: routed edges and placed labels.
/// Computed per edit (cached by the caller against the design's revision), never per frame.
#[derive(Debug, Clone, Default)]
pub struct Drawing {
    /// Box centres, indexed like the design's services.
    pub centers: Vec<Point>,
    /// One route per edge, indexed like the design's edges.
    pub routes: Vec<Route>,
    /// One label per edge; `None` when there was no room (it shows on hover only).
    pub labels: Vec<Option<LabelBox>>,
}

impl Drawing {
    /// Routes every edge around the boxes and places every label. O((V + E) * k) for a route
    /// search window of k cells; edges whose direct curve is clear cost O(1) each.
    /// Labels keep clear of the loop tags of `analysis`'s cycle groups too.
    /// Edges follow their saved lanes where those are still clear.
    pub fn new(design: &Design, analysis: &Analysis, centers: Vec<Point>) -> Drawing {
        let vias = design
            .edges
            .iter()
            .map(|e| design.via(e.uid).iter().map(|p| pt(p.x, p.y)).collect())
            .collect();
        Drawing::with_lanes(design, analysis, centers, vias)
    }

    /// [`Drawing::new`] with the edges' lanes given (an auto-layout's, not saved), indexed like
    /// the design's edges.
    pub fn with_lanes(
        design: &Design,
        analysis: &Analysis,
        centers: Vec<Point>,
        vias: Vec<Vec<Point>>,
    ) -> Drawing {
        let pairs: Vec<(u32, u32)> = design.edges.iter().map(|e| (e.from.0, e.to.0)).collect();
        let routes = route_edges(&centers, &pairs, &vias);
        let texts: Vec<&str> = design.edges.iter().map(|e| &*e.event).collect();
        let tags: Vec<Rect> = analysis
            .cycles
            .iter()
            .filter_map(|group| {
                let members = group.members.iter().filter_map(|m| centers.get(m.index()));
                bounds(members.copied()).map(|b| loop_tag_keepout(b.min))
            })
            .collect();
        let labels = place_labels(&centers, &routes, &texts, &tags);
        Drawing {
            centers,
            routes,
            labels,
        }
    }

    /// The drawing of a design where it is saved, or laid out where nothing is saved.
    pub fn of_design(design: &Design, analysis: &Analysis) -> Drawing {
        if design.services.iter().all(|s| s.position.is_none()) {
            return Drawing::laid_out(design, analysis, layout::Ranking::default());
        }
        let centers = layout::display_positions(design, analysis);
        Drawing::new(design, analysis, centers)
    }

    /// The drawing of a design all laid out afresh, edges in the layout's lanes.
    pub fn laid_out(design: &Design, analysis: &Analysis, ranking: layout::Ranking) -> Drawing {
        let out = layout::layout(design, analysis, ranking);
        let point = |p: &crate::model::Position| pt(p.x, p.y);
        let centers = out.positions.iter().map(point).collect();
        let vias = out
            .vias
            .iter()
            .map(|v| v.iter().map(point).collect())
            .collect();
        Drawing::with_lanes(design, analysis, centers, vias)
    }

    /// The bounding box of boxes, routes and labels.
    pub fn bounds(&self) -> Option<Rect> {
        let boxes = bounds(self.centers.iter().copied());
        let routes = self.routes.iter().filter_map(Route::bounds);
        let labels = self.labels.iter().flatten().map(|l| l.rect);
        boxes
            .into_iter()
            .chain(routes)
            .chain(labels)
            .reduce(|a, b| a.union(&b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_hits_only_the_interior() {
        let r = box_rect(pt(0.0, 0.0));
        assert!(r.hits_segment(pt(-200.0, 0.0), pt(200.0, 0.0)));
        assert!(r.hits_segment(pt(0.0, 0.0), pt(1.0, 1.0)));
        assert!(!r.hits_segment(pt(-200.0, 40.0), pt(200.0, 40.0)));
        // Along the border is outside.
        assert!(!r.hits_segment(pt(-200.0, 29.0), pt(200.0, 29.0)));
        assert!(!r.hits_segment(pt(100.0, -100.0), pt(100.0, 100.0)));
    }

    #[test]
    fn labels_keep_clear_of_loop_tags() {
        use crate::model::{Service, ServiceKind};
        // A cycle a <-> b, and an edge u -> v whose label would sit, mid-line, just above a's
        // top-left corner, where the loop tag is drawn.
        let mut d = Design::new("t");
        for id in ["a", "b", "u", "v"] {
            d.services.push(Service::new(id, ServiceKind::Function));
        }
        d.connect("a", "b", "Ping");
        d.connect("b", "a", "Pong");
        d.connect("u", "v", "Passing");
        let analysis = crate::analysis::analyze(&d);
        let centers = vec![
            pt(0.0, 0.0),
            pt(0.0, 120.0),
            pt(-500.0, -56.0),
            pt(400.0, -56.0),
        ];
        let tag = loop_tag_keepout(bounds([centers[0], centers[1]]).unwrap().min);
        let drawing = Drawing::new(&d, &analysis, centers.clone());
        let label = drawing.labels[2]
            .as_ref()
            .expect("room elsewhere on the line");
        assert!(!label.rect.intersects(&tag), "{label:?} {tag:?}");
        // Without the tag, the same label takes the middle of its line, inside the tag's area.
        let texts = ["Ping", "Pong", "Passing"];
        let free = place_labels(&centers, &drawing.routes, &texts, &[]);
        assert!(free[2].as_ref().unwrap().rect.intersects(&tag));
    }

    #[test]
    fn wider_text_is_estimated_wider() {
        assert!(text_width("WWW", 11.0) > text_width("iii", 11.0));
        assert!(text_width("PaymentProcessed", 11.0) > 80.0);
        assert_eq!(snap(31.0), 40.0);
        assert_eq!(snap(-9.0), -0.0);
    }
}
