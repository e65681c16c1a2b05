//! What the canvas paints, read from the shapes of the last frame: the theme's colours and the
//! focus view's fading.

use egui::epaint::{ColorMode, PathShape, RectShape, TextShape};
use egui::{Color32, Pos2, Rect, Shape};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use event_architect::gui::App;
use event_architect::gui::theme::{DARK, LIGHT, Palette};

use super::editor::row_of_three;
use super::{click_at, menu, settle};

/// Every shape the last frame painted, nested lists flattened, in painting order.
fn painted(h: &Harness<'_, App>) -> Vec<Shape> {
    fn flatten(shape: &Shape, out: &mut Vec<Shape>) {
        match shape {
            Shape::Vec(shapes) => shapes.iter().for_each(|s| flatten(s, out)),
            shape => out.push(shape.clone()),
        }
    }
    let mut out = Vec::new();
    for clipped in &h.output().shapes {
        flatten(&clipped.shape, &mut out);
    }
    out
}

fn near(a: Rect, b: Rect) -> bool {
    (a.min - b.min).length() < 1.0 && (a.max - b.max).length() < 1.0
}

/// The filled rectangles painted over `rect` (outlines, which have no fill, left out).
fn fills_over(shapes: &[Shape], rect: Rect) -> Vec<Color32> {
    shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Rect(RectShape { rect: r, fill, .. })
                if near(*r, rect) && *fill != Color32::TRANSPARENT =>
            {
                Some(*fill)
            }
            _ => None,
        })
        .collect()
}

/// The box of service `id` on screen: the one filled rectangle centred on it with the box's
/// proportions (the kind stripe and the shadow are centred elsewhere).
fn box_fill(h: &Harness<'_, App>, shapes: &[Shape], id: &str) -> Color32 {
    let center = h.state().service_screen_pos(id).expect("on screen");
    let zoom = h.state().zoom();
    let size = egui::vec2(
        event_architect::gui::theme::BOX_WIDTH,
        event_architect::gui::theme::BOX_HEIGHT,
    ) * zoom;
    let fills = fills_over(shapes, Rect::from_center_size(center, size));
    assert_eq!(fills.len(), 1, "one box fill for {id}: {fills:?}");
    fills[0]
}

/// View › Theme › `item`.
pub(super) fn choose_theme(h: &mut Harness<'_, App>, item: &str) {
    h.get_by_label("View").click();
    settle(h);
    h.get_by_label_contains("Theme").click();
    settle(h);
    h.get_by_label(item).click();
    settle(h);
}

#[test]
fn the_canvas_paints_in_the_chosen_theme() {
    let mut h = super::harness(row_of_three());
    settle(&mut h);
    let mut seen: Vec<(Color32, Color32)> = Vec::new();
    for (item, palette) in [("Light", &LIGHT), ("Dark", &DARK), ("Light", &LIGHT)] {
        choose_theme(&mut h, item);
        let shapes = painted(&h);
        let background = fills_over(&shapes, h.state().canvas_rect());
        assert_eq!(
            background.first(),
            Some(&palette.canvas_bg),
            "{item}: the canvas is cleared with its theme's background"
        );
        let fill = box_fill(&h, &shapes, "b");
        assert_eq!(
            fill, palette.box_fill,
            "{item}: boxes are filled in the theme"
        );
        seen.push((background[0], fill));
    }
    assert_ne!(seen[0], seen[1], "light and dark differ on the canvas");
    assert_eq!(
        seen[0], seen[2],
        "and switching back restores the light canvas"
    );
}

/// The open paths (edge lines) painted between two screen x positions, with their colours.
fn edge_lines(shapes: &[Shape], from_x: f32, to_x: f32) -> Vec<Color32> {
    shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Path(PathShape {
                points,
                closed: false,
                stroke,
                ..
            }) if points.len() >= 2 && points.iter().all(|p: &Pos2| p.x > from_x && p.x < to_x) => {
                match stroke.color {
                    ColorMode::Solid(c) => Some(c),
                    ColorMode::UV(_) => None,
                }
            }
            _ => None,
        })
        .collect()
}

/// The colour of the edge label reading `text`.
fn label_color(shapes: &[Shape], text: &str) -> Option<Color32> {
    shapes.iter().find_map(|s| match s {
        Shape::Text(TextShape { galley, .. }) if galley.text() == text => {
            galley.job.sections.first().map(|s| s.format.color)
        }
        _ => None,
    })
}

#[test]
fn focus_dims_the_edges_and_labels_it_leaves_out() {
    let mut h = super::harness(row_of_three());
    settle(&mut h);
    choose_theme(&mut h, "Dark");
    let palette: &Palette = &DARK;
    let x = |h: &Harness<'_, App>, id: &str| h.state().service_screen_pos(id).unwrap().x;
    let (a, b, c) = (x(&h, "a"), x(&h, "b"), x(&h, "c"));
    let shapes = painted(&h);
    assert_eq!(edge_lines(&shapes, a, b), [palette.edge]);
    assert_eq!(edge_lines(&shapes, b, c), [palette.edge]);
    assert_eq!(label_color(&shapes, "BC"), Some(palette.box_text));

    let at = h.state().service_screen_pos("a").unwrap();
    click_at(&mut h, at);
    menu(&mut h, "View", "Focus on the selection");
    assert_eq!(h.state_mut().dimmed_services(), ["c"]);
    assert_eq!(
        h.state_mut().dimmed_edges(),
        [("b".to_owned(), "c".to_owned())],
        "b -> c leaves the focus: c is outside it"
    );
    let shapes = painted(&h);
    assert_eq!(edge_lines(&shapes, a, b), [palette.edge], "a -> b stays");
    assert_eq!(
        edge_lines(&shapes, b, c),
        [palette.dimmed(palette.edge)],
        "b -> c recedes"
    );
    assert_eq!(label_color(&shapes, "AB"), Some(palette.box_text));
    assert_eq!(
        box_fill(&h, &shapes, "b"),
        palette.box_fill,
        "b is in focus"
    );
    assert_eq!(
        box_fill(&h, &shapes, "c"),
        palette.dimmed(palette.box_fill),
        "c is faded"
    );
    assert_eq!(
        label_color(&shapes, "BC"),
        Some(palette.dimmed(palette.box_text))
    );

    menu(&mut h, "View", "Show everything");
    assert!(h.state_mut().dimmed_edges().is_empty());
    let shapes = painted(&h);
    assert_eq!(edge_lines(&shapes, b, c), [palette.edge], "back in full");
}

/// The screen rectangles of the "Stage N" headers painted in the last frame, each with its
/// place in the painting order.
fn stage_headers(shapes: &[Shape]) -> Vec<(usize, Rect)> {
    shapes
        .iter()
        .enumerate()
        .filter_map(|(k, s)| match s {
            Shape::Text(TextShape { pos, galley, .. }) if galley.text().starts_with("Stage ") => {
                Some((k, Rect::from_min_size(*pos, galley.size())))
            }
            _ => None,
        })
        .collect()
}

/// True when, between the last grid line painted across `text` and the text at `at`, a filled
/// rectangle covers the text: no grid line shows through it.
fn grid_stops_short_of(shapes: &[Shape], at: usize, text: Rect) -> bool {
    let last_line = shapes[..at].iter().rposition(|s| match s {
        Shape::LineSegment { points, .. } => Rect::from_two_pos(points[0], points[1])
            .expand(0.5)
            .intersects(text),
        _ => false,
    });
    let from = last_line.map_or(0, |k| k + 1);
    shapes[from..at].iter().any(|s| {
        matches!(s, Shape::Rect(RectShape { rect, fill, .. })
            if rect.contains_rect(text) && *fill != Color32::TRANSPARENT)
    })
}

#[test]
fn stage_headers_keep_clear_of_the_zoom_buttons_the_grid_and_each_other() {
    // A chain of eight services, one stage each, wider than the view.
    let mut design = event_architect::model::Design::new("Chain");
    for i in 0..8 {
        let mut s = event_architect::model::Service::new(
            format!("s{i}"),
            event_architect::model::ServiceKind::Function,
        );
        s.position = Some(event_architect::model::Position {
            x: 260.0 * i as f32,
            y: 0.0,
        });
        design.add_service(s);
    }
    for i in 1..8 {
        design.connect(&format!("s{}", i - 1), &format!("s{i}"), "Next");
    }
    let mut h = super::harness(design);
    settle(&mut h);
    let buttons = ["−", "100%", "+"]
        .iter()
        .map(|label| h.get_by_label(label).rect())
        .reduce(|a, b| a.union(b))
        .unwrap();
    let canvas = h.state().canvas_rect();
    let grab = egui::pos2(canvas.center().x, canvas.max.y - 30.0);
    let mut moved_below = false;
    // Pan the bands under the buttons step by step: no header is ever covered, crossed by the
    // grid or laid over another.
    for _ in 0..16 {
        let shapes = painted(&h);
        let headers = stage_headers(&shapes);
        assert!(!headers.is_empty());
        for (k, &(at, a)) in headers.iter().enumerate() {
            assert!(!a.intersects(buttons), "{a:?} under the zoom buttons");
            assert!(headers[k + 1..].iter().all(|(_, b)| !a.intersects(*b)));
            assert!(
                grid_stops_short_of(&shapes, at, a),
                "a grid line crosses {a:?}"
            );
            moved_below |= a.min.y > buttons.max.y;
        }
        super::drag(&mut h, grab, egui::vec2(-40.0, 0.0));
    }
    assert!(
        moved_below,
        "some header met the buttons and moved below them"
    );
}
