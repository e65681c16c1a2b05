//! Edge label placement: each label goes on its own route, at the first of a few candidate
//! spots (middle first, then toward either end, on the line or just beside it) where it
//! overlaps no box, badge, handle or label placed before. A label with no room is shortened;
//! with no room even then it yields: `None`, and the canvas shows it on hover only.

use super::spatial::RectIndex;
use super::{LABEL_FONT, LABEL_HEIGHT, LABEL_PAD, Point, Rect, Route, box_keepout, text_width};

/// Widest label, canvas units: longer event names are shortened (full text on hover).
pub const MAX_LABEL_WIDTH: f32 = 170.0;
/// Room kept between two labels.
const GAP: f32 = 2.0;

/// A placed label.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelBox {
    /// Its background, canvas units.
    pub rect: Rect,
    /// The text shown: the event name, or its start and "…" when shortened.
    pub text: String,
    /// True when `text` is shortened.
    pub shortened: bool,
}

/// The text at most `max_width` wide: all of it, or its start and "…".
fn fit(text: &str, max_width: f32) -> (String, bool) {
    if text_width(text, LABEL_FONT) <= max_width {
        return (text.to_owned(), false);
    }
    let ellipsis = text_width("…", LABEL_FONT);
    let mut out = String::new();
    let mut width = 0.0;
    for c in text.chars() {
        let w = text_width(c.encode_utf8(&mut [0; 4]), LABEL_FONT);
        if width + w + ellipsis > max_width {
            break;
        }
        width += w;
        out.push(c);
    }
    out.push('…');
    (out, true)
}

/// Places one label per route (`texts[i]` on `routes[i]`), in edge order, clear of the boxes
/// and of `keepouts` (loop tags). O(E) candidate checks, each O(1) on average through a bucket
/// grid.
pub fn place_labels(
    centers: &[Point],
    routes: &[Route],
    texts: &[&str],
    keepouts: &[Rect],
) -> Vec<Option<LabelBox>> {
    let mut taken = RectIndex::new(120.0);
    for &c in centers {
        taken.insert(box_keepout(c));
    }
    for &r in keepouts {
        taken.insert(r);
    }
    let mut out = vec![None; routes.len()];
    // Self-loops first: their one good spot is over the loop.
    let mut order: Vec<usize> = (0..routes.len()).collect();
    order.sort_by_key(|&i| !routes[i].is_loop);
    for i in order {
        let (route, text) = (&routes[i], texts.get(i).copied().unwrap_or(""));
        if route.points.len() < 2 || text.is_empty() {
            continue;
        }
        let tiers = [MAX_LABEL_WIDTH, 90.0, 50.0];
        'tiers: for max_width in tiers {
            let (shown, shortened) = fit(text, max_width);
            let width = text_width(&shown, LABEL_FONT) + 2.0 * LABEL_PAD;
            for at in candidates(route, LABEL_HEIGHT) {
                let rect = Rect::from_center_size(at, width, LABEL_HEIGHT);
                if !taken.any_overlap(&rect.expand(GAP), |_, _| true) {
                    taken.insert(rect);
                    out[i] = Some(LabelBox {
                        rect,
                        text: shown,
                        shortened,
                    });
                    break 'tiers;
                }
            }
        }
    }
    out
}

/// Label centres to try along a route: on the line and beside it, middle out.
fn candidates(route: &Route, height: f32) -> impl Iterator<Item = Point> + '_ {
    const TS: [f32; 9] = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.12, 0.88];
    let loop_top = route.is_loop.then(|| {
        let r = route.bounds().unwrap_or(Rect {
            min: Point::default(),
            max: Point::default(),
        });
        super::pt(r.center().x, r.min.y - height / 2.0 - 1.0)
    });
    let along = TS.into_iter().flat_map(move |t| {
        let (p, dir) = route.point_at(t).unwrap_or_default();
        // Beside a mostly horizontal line means above or below it; beside a vertical one,
        // left or right of it.
        let beside = if dir.x.abs() >= dir.y.abs() {
            [
                p,
                p.offset(0.0, -(height / 2.0 + 3.0)),
                p.offset(0.0, height / 2.0 + 3.0),
            ]
        } else {
            [p, p.offset(-40.0, 0.0), p.offset(40.0, 0.0)]
        };
        beside.into_iter()
    });
    loop_top.into_iter().chain(along)
}

#[cfg(test)]
mod tests {
    use super::super::{pt, route_edges};
    use super::*;

    #[test]
    fn labels_never_overlap_boxes_or_each_other() {
        // Three edges between the same two boxes, one of them back: labels compete for room.
        let centers = [pt(0.0, 0.0), pt(420.0, 0.0), pt(420.0, 120.0)];
        let pairs = [(0, 1), (0, 1), (1, 0), (0, 2), (2, 2)];
        let routes = route_edges(&centers, &pairs, &[]);
        let texts = [
            "PaymentProcessed",
            "PaymentFailed",
            "RetryPayment",
            "Ship",
            "Tick",
        ];
        let labels = place_labels(&centers, &routes, &texts, &[]);
        let placed: Vec<&LabelBox> = labels.iter().flatten().collect();
        assert!(placed.len() >= 4, "{labels:?}");
        for (i, a) in placed.iter().enumerate() {
            for &c in &centers {
                assert!(!a.rect.intersects(&box_keepout(c)), "{a:?}");
            }
            for b in &placed[i + 1..] {
                assert!(!a.rect.intersects(&b.rect), "{a:?} {b:?}");
            }
        }
        // The self-loop's label sits above its loop.
        let tick = labels[4].as_ref().unwrap();
        assert!(tick.rect.max.y <= routes[4].bounds().unwrap().min.y + 1.0);
    }

    #[test]
    fn long_names_are_shortened_and_a_crowded_label_yields() {
        let (text, shortened) = fit(&"VeryLongEventName".repeat(4), MAX_LABEL_WIDTH);
        assert!(shortened && text.ends_with('…'));
        assert!(text_width(&text, LABEL_FONT) <= MAX_LABEL_WIDTH);
        // Two boxes almost touching: no room anywhere for a label.
        let centers = [pt(0.0, 0.0), pt(200.0, 0.0)];
        let routes = route_edges(&centers, &[(0, 1)], &[]);
        let labels = place_labels(&centers, &routes, &["AnEventNameTooLongToFit"], &[]);
        assert_eq!(labels[0], None);
    }
}
