//! Service boxes: fill, kind stripe, outline, title, kind line, order badge and handle, with
//! three levels of detail by zoom.

use egui::epaint::CornerRadius;
use egui::text::{LayoutJob, TextWrapping};
use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Shape, Stroke, StrokeKind, pos2, vec2};

use super::{CanvasOptions, Scene};
use crate::gui::geometry;
use crate::gui::theme;
use crate::gui::view::CanvasView;

/// Draws the boxes in view; those marked in `dimmed` (View › Focus, indexed like the design's
/// services) in the theme's receded colours, unless selected or hovered.
pub(super) fn paint_boxes(
    scene: &Scene,
    view: &CanvasView,
    options: CanvasOptions,
    dimmed: &[bool],
) {
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
    // Zoomed out, boxes go into one plain mesh (no rounding, no feather).
    let mut box_mesh = egui::Mesh::default();
    let mut flat_labels: Vec<(Pos2, std::sync::Arc<egui::Galley>)> = Vec::new();
    let (lit, receded) = (palette, &palette.receded());
    for (i, &center) in centers.iter().enumerate() {
        let rect = geometry::box_rect(center);
        if !rect.intersects(visible) {
            continue;
        }
        let Some(node) = view.node(i) else { continue };
        let screen = camera.rect_to_screen(viewport, rect);
        let recede =
            dimmed.get(i) == Some(&true) && !view.is_selected(i) && view.hovered() != Some(i);
        let (palette, accent) = if recede {
            (receded, lit.dimmed(theme::kind_color(node.kind)))
        } else {
            (lit, theme::kind_color(node.kind))
        };
        if !detailed {
            let outline = if view.is_selected(i) {
                Some(palette.selection)
            } else if node.in_cycle {
                Some(palette.warning)
            } else {
                None
            };
            if zoom < theme::TEXT_MIN_ZOOM {
                // Far out: one solid quad in the kind's (or the warning) colour.
                box_mesh.add_colored_rect(screen, outline.unwrap_or(accent));
                continue;
            }
            // Middle distance: flat box, stripe and outline as quads, label drawn later.
            if let Some(color) = outline {
                box_mesh.add_colored_rect(screen.expand(2.0), color);
            } else if palette.box_outline.a() > 0 {
                box_mesh.add_colored_rect(screen.expand(1.0), palette.box_outline);
            }
            box_mesh.add_colored_rect(screen, palette.box_fill);
            box_mesh.add_colored_rect(
                Rect::from_min_size(screen.min, vec2(3.0, screen.height())),
                accent,
            );
            let text = if options.show_order && node.order > 0 {
                format!("{}. {}", node.order, node.label)
            } else {
                node.label.clone()
            };
            let galley = text_galley(
                painter,
                &text,
                theme::MIN_LABEL_FONT_PX,
                palette.box_text,
                screen.width() - 8.0,
            );
            let at = pos2(
                screen.min.x + 6.0,
                screen.center().y - galley.size().y / 2.0,
            );
            flat_labels.push((at, galley));
            continue;
        }
        let selected = view.is_selected(i);
        let hovered = view.hovered() == Some(i);
        let radius = CornerRadius::same((theme::BOX_ROUNDING * zoom).clamp(0.0, 255.0) as u8);
        if palette.box_shadow.a() > 0 {
            // White on near-white needs a lift to read as a box (the dark theme's fill does not).
            let drop = (2.0 * zoom).max(1.0);
            painter.rect_filled(
                screen.translate(vec2(0.0, drop)).expand(drop / 2.0),
                radius,
                palette.box_shadow,
            );
        }
        painter.rect_filled(screen, radius, palette.box_fill);
        let stripe = Rect::from_min_size(screen.min, vec2((5.0 * zoom).max(2.0), screen.height()));
        painter.rect_filled(
            stripe,
            CornerRadius {
                nw: radius.nw,
                sw: radius.sw,
                ne: 0,
                se: 0,
            },
            accent,
        );
        let outline = if selected {
            Stroke::new(2.5, palette.selection)
        } else if node.in_cycle {
            Stroke::new(2.0, palette.warning)
        } else if hovered {
            Stroke::new(1.5, palette.hover)
        } else {
            Stroke::new(1.0, accent.gamma_multiply(0.45))
        };
        painter.rect_stroke(screen, radius, outline, StrokeKind::Outside);

        if zoom >= theme::TEXT_MIN_ZOOM {
            // Zoomed out, the label keeps a readable minimum size and the kind line goes.
            let pad = 14.0 * zoom;
            let width = screen.width() - pad - 10.0 * zoom;
            let title_size = (theme::LABEL_FONT * zoom).max(theme::MIN_LABEL_FONT_PX);
            let title = text_galley(painter, &node.label, title_size, palette.box_text, width);
            if zoom >= theme::SUBTITLE_MIN_ZOOM {
                let top = screen.min + vec2(pad, 10.0 * zoom);
                painter.galley(top, title, palette.box_text);
                let icon = theme::kind_icon(node.kind);
                let subtitle = if node.label == node.id {
                    format!("{icon} {}", node.kind)
                } else {
                    format!("{icon} {} · {}", node.kind, node.id)
                };
                let sub = text_galley(
                    painter,
                    &subtitle,
                    theme::KIND_FONT * zoom,
                    palette.muted_text,
                    width,
                );
                painter.galley(
                    pos2(top.x, screen.max.y - 10.0 * zoom - sub.size().y),
                    sub,
                    palette.muted_text,
                );
            } else {
                let at = pos2(screen.min.x + pad, screen.center().y - title.size().y / 2.0);
                painter.galley(at, title, palette.box_text);
            }
        }
        if options.show_order && node.order > 0 && zoom >= theme::TEXT_MIN_ZOOM {
            let r = (10.0 * zoom).max(8.0);
            let c = screen.left_top() + vec2(0.0, 0.0);
            let fill = if node.in_cycle {
                palette.warning
            } else {
                palette.badge
            };
            painter.circle(c, r, fill, Stroke::new(1.5, palette.canvas_bg));
            painter.text(
                c,
                Align2::CENTER_CENTER,
                node.order.to_string(),
                FontId::proportional((r * 1.05).clamp(8.0, 20.0)),
                palette.badge_text,
            );
        }
        if zoom >= 0.5 || hovered || selected {
            let h = camera.to_screen(viewport, geometry::handle_center(center));
            let r = (theme::HANDLE_RADIUS * zoom).max(4.0);
            let fill = if hovered || selected {
                accent
            } else {
                palette.box_fill
            };
            painter.circle(h, r, fill, Stroke::new(1.5, accent));
        }
    }
    if !box_mesh.is_empty() {
        painter.add(Shape::mesh(box_mesh));
    }
    for (at, galley) in flat_labels {
        painter.galley(at, galley, palette.box_text);
    }
}

fn text_galley(
    painter: &Painter,
    text: &str,
    size: f32,
    color: Color32,
    width: f32,
) -> std::sync::Arc<egui::Galley> {
    let mut job = LayoutJob::simple_singleline(text.to_owned(), FontId::proportional(size), color);
    job.wrap = TextWrapping::truncate_at_width(width.max(1.0));
    painter.layout_job(job)
}
