//! The canvas: draws the view model with egui's painter and turns pointer gestures into
//! [`CanvasEvent`]s. It never edits the design itself.
//!
//! Drawing culls everything outside the viewport, drops text when zoomed out and uses plain
//! rectangles below a detail threshold, so a frame stays cheap on large designs. It requests no
//! repaint of its own: an idle window sleeps.

use egui::epaint::{CornerRadius, PathShape, PathStroke};
use egui::text::{LayoutJob, TextWrapping};
use egui::{
    Align2, Color32, CursorIcon, FontId, Painter, PointerButton, Pos2, Rect, Response, Sense,
    Shape, Stroke, StrokeKind, Ui, Vec2, pos2, vec2,
};

use super::geometry::{self, Camera};
use super::theme;
use super::view::CanvasView;
use crate::analysis::Analysis;
use crate::model::{EdgeUid, Position, ServiceUid};

/// A pointer gesture in progress. Session state.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub enum Gesture {
    /// Nothing.
    #[default]
    Idle,
    /// Dragging the empty canvas.
    Panning,
    /// Dragging a service box; `grab` is the pointer's offset from its centre.
    Moving {
        /// The service.
        service: ServiceUid,
        /// Pointer minus box centre, canvas units.
        grab: Vec2,
        /// Where the box was when the drag started.
        start: Pos2,
    },
    /// Dragging a selection rectangle over empty canvas (Shift or Ctrl held).
    Selecting {
        /// Where the drag started, canvas units.
        from: Pos2,
        /// The pointer, canvas units.
        to: Pos2,
        /// Add to the selection instead of replacing it (Ctrl held).
        add: bool,
    },
    /// Dragging a new edge out of a service's handle.
    Connecting {
        /// The publisher.
        from: ServiceUid,
        /// The pointer, canvas units.
        to: Pos2,
    },
}

/// What the canvas asks the window to do. Edits among these become commands there.
#[derive(Debug, Clone, PartialEq)]
pub enum CanvasEvent {
    /// Select these services (a click; with Shift or Ctrl, `add` toggles into the selection).
    SelectService {
        /// The service.
        service: ServiceUid,
        /// Toggle it in the current selection instead of replacing it.
        add: bool,
    },
    /// Select the services a selection rectangle touched.
    SelectServices {
        /// The services, in file order.
        services: Vec<ServiceUid>,
        /// Add them to the current selection instead of replacing it.
        add: bool,
    },
    /// Select an edge.
    SelectEdge(EdgeUid),
    /// Clear the selection (a click on empty canvas).
    ClearSelection,
    /// A drag of a box ended: one move.
    Moved(Vec<(ServiceUid, Option<Position>)>),
    /// A connection was dropped on a service: ask for the event name.
    Connect {
        /// The publisher.
        from: ServiceUid,
        /// The subscriber.
        to: ServiceUid,
    },
    /// Double-click on empty canvas: add a service here (canvas units).
    AddServiceAt(Pos2),
}

/// What to show, from the View menu.
#[derive(Debug, Clone, Copy)]
pub struct CanvasOptions {
    /// Order badges on boxes.
    pub show_order: bool,
    /// Stage bands behind the boxes.
    pub show_stages: bool,
}

/// What a running simulation adds to the canvas, resolved to view indices by the window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimOverlay {
    /// Services handling an event now: they glow.
    pub active: Vec<usize>,
    /// The edge (position) the last event took and how far its dot has travelled, 0 to 1.
    pub hop: Option<(usize, f32)>,
}

/// The canvas's own state. Session state.
#[derive(Debug)]
pub struct CanvasState {
    /// Pan and zoom.
    pub camera: Camera,
    /// The gesture in progress.
    pub gesture: Gesture,
    /// Frame these canvas bounds on the next frame (after the viewport is known).
    pub fit_request: Option<Rect>,
    /// The viewport of the last frame, screen points.
    pub viewport: Rect,
    /// The edge under the pointer.
    pub hovered_edge: Option<usize>,
    /// While a box is dragged: the other selected boxes, which move with it, and where each
    /// started.
    pub moving_with: Vec<(ServiceUid, Pos2)>,
}

impl Default for CanvasState {
    fn default() -> CanvasState {
        CanvasState {
            camera: Camera::default(),
            gesture: Gesture::Idle,
            fit_request: None,
            viewport: Rect::from_min_size(Pos2::ZERO, vec2(800.0, 600.0)),
            hovered_edge: None,
            moving_with: Vec::new(),
        }
    }
}

/// Draws the canvas and handles its gestures. Returns what the window should do.
pub fn canvas_ui(
    ui: &mut Ui,
    state: &mut CanvasState,
    view: &mut CanvasView,
    analysis: &Analysis,
    options: CanvasOptions,
    overlay: &SimOverlay,
) -> Vec<CanvasEvent> {
    let (response, painter) = ui.allocate_painter(ui.available_size(), Sense::click_and_drag());
    let viewport = response.rect;
    state.viewport = viewport;
    if let Some(bounds) = state.fit_request.take() {
        state.camera = Camera::fit(bounds, viewport);
    }
    let events = interact(ui, &response, state, view);
    paint(&painter, state, view, analysis, options, overlay);
    events
}

fn interact(
    ui: &Ui,
    response: &Response,
    state: &mut CanvasState,
    view: &mut CanvasView,
) -> Vec<CanvasEvent> {
    let viewport = response.rect;
    let mut events = Vec::new();
    let pointer = response.hover_pos();
    let canvas_pointer = pointer.map(|p| state.camera.to_canvas(viewport, p));

    // Zoom (Ctrl+wheel, pinch) around the pointer; wheel and two-finger scroll pan.
    if let Some(p) = pointer {
        let (zoom, scroll) = ui.input(|i| (i.zoom_delta(), i.smooth_scroll_delta()));
        if (zoom - 1.0).abs() > 1e-4 {
            state.camera.zoom_around(viewport, p, zoom);
        }
        if scroll != Vec2::ZERO {
            state.camera.pan += scroll;
        }
    }

    // Escape abandons a drag-to-connect or a move (the box goes back).
    if state.gesture != Gesture::Idle && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
        if let Gesture::Moving { service, start, .. } = state.gesture {
            for &(other, other_start) in &state.moving_with {
                view.drag_uid_to(other, other_start);
            }
            view.drag_uid_to(service, start);
            view.end_drag();
        }
        state.moving_with.clear();
        state.gesture = Gesture::Idle;
    }

    let hovered_service = canvas_pointer.and_then(|p| geometry::service_at(view.centers(), p));
    if state.gesture == Gesture::Idle {
        view.set_hovered(hovered_service);
        state.hovered_edge = match (hovered_service, canvas_pointer) {
            (None, Some(p)) => edge_under(view, p, state.camera.zoom),
            _ => None,
        };
    }

    if response.drag_started_by(PointerButton::Primary) {
        let origin = ui
            .input(|i| i.pointer.press_origin())
            .map(|p| state.camera.to_canvas(viewport, p));
        if let Some(origin) = origin {
            let zoom = state.camera.zoom;
            state.gesture = if let Some(from) = geometry::handle_at(view.centers(), origin, zoom) {
                Gesture::Connecting {
                    from: view.uid(from),
                    to: origin,
                }
            } else if let Some(service) = geometry::service_at(view.centers(), origin) {
                let start = view.centers()[service];
                // A box of a multi-selection drags the whole selection; any other box is
                // selected alone first.
                state.moving_with = if view.is_selected(service) {
                    (0..view.centers().len())
                        .filter(|&s| s != service && view.is_selected(s))
                        .map(|s| (view.uid(s), view.centers()[s]))
                        .collect()
                } else {
                    events.push(CanvasEvent::SelectService {
                        service: view.uid(service),
                        add: false,
                    });
                    Vec::new()
                };
                Gesture::Moving {
                    service: view.uid(service),
                    grab: origin - start,
                    start,
                }
            } else if let Some(modifiers) =
                Some(ui.input(|i| i.modifiers)).filter(|m| m.shift || m.command)
            {
                Gesture::Selecting {
                    from: origin,
                    to: origin,
                    add: modifiers.command,
                }
            } else {
                Gesture::Panning
            };
        }
    } else if response.drag_started() {
        state.gesture = Gesture::Panning; // middle or right button
    }

    if response.dragged() {
        match &mut state.gesture {
            Gesture::Panning => state.camera.pan += response.drag_delta(),
            Gesture::Moving {
                service,
                grab,
                start,
            } => {
                if let Some(p) = canvas_pointer.or_else(|| {
                    ui.input(|i| i.pointer.interact_pos())
                        .map(|p| state.camera.to_canvas(viewport, p))
                }) {
                    let delta = p - *grab - *start;
                    for &(other, other_start) in &state.moving_with {
                        view.drag_uid_to(other, other_start + delta);
                    }
                    view.drag_uid_to(*service, p - *grab);
                }
            }
            Gesture::Selecting { to, .. } => {
                if let Some(p) = canvas_pointer {
                    *to = p;
                }
            }
            Gesture::Connecting { to, .. } => {
                if let Some(p) = canvas_pointer {
                    *to = p;
                }
            }
            Gesture::Idle => {}
        }
    }

    if response.drag_stopped() {
        match std::mem::take(&mut state.gesture) {
            Gesture::Moving { service, start, .. } => {
                let end = view.center_of(service).unwrap_or(start);
                view.end_drag();
                let others = std::mem::take(&mut state.moving_with);
                if end.distance(start) > 0.5 {
                    // The whole selection in one command: one undo step.
                    let moved = std::iter::once(service)
                        .chain(others.iter().map(|&(other, _)| other))
                        .filter_map(|s| {
                            let at = view.center_of(s)?;
                            Some((s, Some(Position { x: at.x, y: at.y })))
                        })
                        .collect();
                    events.push(CanvasEvent::Moved(moved));
                }
            }
            Gesture::Selecting { from, to, add } => {
                let area = Rect::from_two_pos(from, to);
                let services = (0..view.centers().len())
                    .filter(|&s| geometry::box_rect(view.centers()[s]).intersects(area))
                    .map(|s| view.uid(s))
                    .collect();
                events.push(CanvasEvent::SelectServices { services, add });
            }
            Gesture::Connecting { from, to } => {
                if let Some(target) = geometry::service_at(view.centers(), to)
                    && view.uid(target) != from
                {
                    events.push(CanvasEvent::Connect {
                        from,
                        to: view.uid(target),
                    });
                }
            }
            Gesture::Panning | Gesture::Idle => {}
        }
    }

    if response.double_clicked() {
        if let Some(p) = canvas_pointer
            && hovered_service.is_none()
        {
            events.push(CanvasEvent::AddServiceAt(p));
        }
    } else if response.clicked()
        && let Some(p) = canvas_pointer
    {
        let add = ui.input(|i| i.modifiers.shift || i.modifiers.command);
        if let Some(service) = hovered_service {
            events.push(CanvasEvent::SelectService {
                service: view.uid(service),
                add,
            });
        } else if let Some(edge) = edge_under(view, p, state.camera.zoom) {
            events.push(CanvasEvent::SelectEdge(view.edge_uid(edge)));
        } else {
            events.push(CanvasEvent::ClearSelection);
        }
    }

    let cursor = match state.gesture {
        Gesture::Panning | Gesture::Moving { .. } => Some(CursorIcon::Grabbing),
        Gesture::Connecting { .. } | Gesture::Selecting { .. } => Some(CursorIcon::Crosshair),
        Gesture::Idle => canvas_pointer.and_then(|p| {
            if geometry::handle_at(view.centers(), p, state.camera.zoom).is_some() {
                Some(CursorIcon::Crosshair)
            } else if hovered_service.is_some() {
                Some(CursorIcon::Grab)
            } else {
                None
            }
        }),
    };
    if let Some(cursor) = cursor {
        ui.ctx().set_cursor_icon(cursor);
    }
    events
}

/// The edge under a canvas point. O(E), only on hover and click.
fn edge_under(view: &CanvasView, p: Pos2, zoom: f32) -> Option<usize> {
    let centers = view.centers();
    let tolerance = theme::EDGE_PICK_PX / zoom.max(1e-3);
    let mut best: Option<(usize, f32)> = None;
    for (i, &(from, to)) in view.pairs().iter().enumerate() {
        let (Some(&a), Some(&b)) = (centers.get(from as usize), centers.get(to as usize)) else {
            continue;
        };
        if !geometry::edge_bounds(a, b).expand(tolerance).contains(p) {
            continue;
        }
        let offset = view.edge(i).map_or(0.0, |e| e.offset);
        let d = if from == to {
            geometry::distance_to_polyline(p, &geometry::self_loop(a))
        } else if geometry::needs_bow(a, b) {
            geometry::distance_to_polyline(p, &geometry::bowed_edge(a, b, offset))
        } else {
            match geometry::edge_segment(a, b, offset) {
                Some((s, e)) => geometry::distance_to_segment(p, s, e),
                None => continue,
            }
        };
        if d <= tolerance && best.is_none_or(|(_, bd)| d < bd) {
            best = Some((i, d));
        }
    }
    best.map(|(i, _)| i)
}

fn paint(
    painter: &Painter,
    state: &CanvasState,
    view: &CanvasView,
    analysis: &Analysis,
    options: CanvasOptions,
    overlay: &SimOverlay,
) {
    let viewport = painter.clip_rect();
    let camera = state.camera;
    let zoom = camera.zoom;
    let visible = camera.visible_canvas(viewport).expand(theme::ARROW_LENGTH);
    painter.rect_filled(viewport, 0.0, theme::CANVAS_BG);
    if options.show_stages {
        paint_stages(painter, &camera, viewport, view, analysis);
    }
    paint_grid(painter, &camera, viewport);

    let centers = view.centers();
    let detailed = zoom >= theme::DETAIL_MIN_ZOOM;
    let edge_width = if detailed { theme::EDGE_WIDTH_PX } else { 1.0 };

    // Zoomed out, edges and boxes go into two plain meshes (no anti-aliasing feather, no
    // rounding): tessellation then only copies them, which keeps 5,000 services cheap.
    let mut edge_mesh = egui::Mesh::default();
    let mut box_mesh = egui::Mesh::default();
    let mut flat_labels: Vec<(Pos2, std::sync::Arc<egui::Galley>)> = Vec::new();

    // Edges (their labels are drawn after the boxes).
    // (anchor, edge, colour, side): a label with a side sits beside its line, on that side.
    let mut labels: Vec<(Pos2, usize, Color32, Vec2)> = Vec::new();
    for (i, &(from, to)) in view.pairs().iter().enumerate() {
        let (Some(&a), Some(&b)) = (centers.get(from as usize), centers.get(to as usize)) else {
            continue;
        };
        if !geometry::edge_bounds(a, b).intersects(visible) {
            continue;
        }
        let (in_cycle, offset) = view
            .edge(i)
            .map_or((false, 0.0), |e| (e.in_cycle, e.offset));
        let selected = view.is_edge_selected(i);
        let hovered = state.hovered_edge == Some(i);
        let color = if selected {
            theme::SELECTION
        } else if in_cycle {
            theme::WARNING
        } else if hovered {
            theme::HOVER
        } else {
            theme::EDGE
        };
        let width = if selected || hovered {
            edge_width + 1.0
        } else {
            edge_width
        };
        let stroke = Stroke::new(width, color);
        let mut side = Vec2::ZERO;
        let label_at = if from == to {
            let points: Vec<Pos2> = geometry::self_loop(a)
                .iter()
                .map(|&p| camera.to_screen(viewport, p))
                .collect();
            let (tip, before) = (points[4], points[3]);
            painter.add(Shape::line(points.clone(), stroke));
            arrow_head(painter, before, tip, zoom, color);
            pos2((points[1].x + points[2].x) / 2.0, points[1].y)
        } else if geometry::needs_bow(a, b) {
            let points: Vec<Pos2> = geometry::bowed_edge(a, b, offset)
                .iter()
                .map(|&p| camera.to_screen(viewport, p))
                .collect();
            let n = points.len();
            if detailed {
                painter.add(Shape::line(points.clone(), stroke));
                arrow_head(painter, points[n - 2], points[n - 1], zoom, color);
            } else {
                for (k, w) in points.windows(2).enumerate() {
                    mesh_segment(&mut edge_mesh, w[0], w[1], width, color, k == n - 2);
                }
            }
            points[n / 2]
        } else {
            let Some((s, e)) = geometry::edge_segment(a, b, offset) else {
                continue;
            };
            let (s, e) = (camera.to_screen(viewport, s), camera.to_screen(viewport, e));
            if detailed {
                painter.line_segment([s, e], stroke);
                arrow_head(painter, s, e, zoom, color);
            } else {
                mesh_segment(&mut edge_mesh, s, e, width, color, zoom >= 0.12);
            }
            // Parallel and opposite edges: each label sits beside its own line, on the side the
            // line was moved to, and nearer its publisher, so two labels never share a spot
            // (centred on the lines, the labels of a retry loop between stacked boxes overlapped).
            let t = if offset == 0.0 { 0.5 } else { 0.32 };
            if offset != 0.0 {
                let normal = (e - s).normalized().rot90();
                let centre_line = camera.to_screen(viewport, a.lerp(b, 0.5));
                let moved = (s.lerp(e, 0.5) - centre_line).dot(normal);
                side = if moved >= 0.0 { normal } else { -normal };
            }
            s + (e - s) * t
        };
        if zoom >= theme::EDGE_LABEL_MIN_ZOOM || selected || hovered {
            labels.push((label_at, i, color, side));
        }
    }
    if !edge_mesh.is_empty() {
        painter.add(Shape::mesh(edge_mesh));
    }

    // Boxes.
    for (i, &center) in centers.iter().enumerate() {
        let rect = geometry::box_rect(center);
        if !rect.intersects(visible) {
            continue;
        }
        let Some(node) = view.node(i) else { continue };
        let screen = camera.rect_to_screen(viewport, rect);
        let accent = theme::kind_color(node.kind);
        if !detailed {
            let outline = if view.is_selected(i) {
                Some(theme::SELECTION)
            } else if node.in_cycle {
                Some(theme::WARNING)
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
            }
            box_mesh.add_colored_rect(screen, theme::BOX_FILL);
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
                theme::BOX_TEXT,
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
        painter.rect_filled(screen, radius, theme::BOX_FILL);
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
            Stroke::new(2.5, theme::SELECTION)
        } else if node.in_cycle {
            Stroke::new(2.0, theme::WARNING)
        } else if hovered {
            Stroke::new(1.5, theme::HOVER)
        } else {
            Stroke::new(1.0, accent.gamma_multiply(0.45))
        };
        painter.rect_stroke(screen, radius, outline, StrokeKind::Outside);

        if zoom >= theme::TEXT_MIN_ZOOM {
            // Zoomed out, the label keeps a readable minimum size and the kind line goes.
            let pad = 14.0 * zoom;
            let width = screen.width() - pad - 10.0 * zoom;
            let title_size = (theme::LABEL_FONT * zoom).max(theme::MIN_LABEL_FONT_PX);
            let title = text_galley(painter, &node.label, title_size, theme::BOX_TEXT, width);
            if zoom >= theme::SUBTITLE_MIN_ZOOM {
                let top = screen.min + vec2(pad, 10.0 * zoom);
                painter.galley(top, title, theme::BOX_TEXT);
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
                    theme::MUTED_TEXT,
                    width,
                );
                painter.galley(
                    pos2(top.x, screen.max.y - 10.0 * zoom - sub.size().y),
                    sub,
                    theme::MUTED_TEXT,
                );
            } else {
                let at = pos2(screen.min.x + pad, screen.center().y - title.size().y / 2.0);
                painter.galley(at, title, theme::BOX_TEXT);
            }
        }
        if options.show_order && node.order > 0 && zoom >= theme::TEXT_MIN_ZOOM {
            let r = (10.0 * zoom).max(8.0);
            let c = screen.left_top() + vec2(0.0, 0.0);
            let fill = if node.in_cycle {
                theme::WARNING
            } else {
                theme::BADGE
            };
            painter.circle(c, r, fill, Stroke::new(1.5, theme::CANVAS_BG));
            painter.text(
                c,
                Align2::CENTER_CENTER,
                node.order.to_string(),
                FontId::proportional((r * 1.05).clamp(8.0, 20.0)),
                theme::BADGE_TEXT,
            );
        }
        if zoom >= 0.5 || hovered || selected {
            let h = camera.to_screen(viewport, geometry::handle_center(center));
            let r = (theme::HANDLE_RADIUS * zoom).max(4.0);
            let fill = if hovered || selected {
                accent
            } else {
                theme::BOX_FILL
            };
            painter.circle(h, r, fill, Stroke::new(1.5, accent));
        }
    }

    if !box_mesh.is_empty() {
        painter.add(Shape::mesh(box_mesh));
    }
    for (at, galley) in flat_labels {
        painter.galley(at, galley, theme::BOX_TEXT);
    }

    // The simulation over boxes and edges, under the labels so it never hides an event name.
    paint_simulation(painter, state, view, overlay);

    // Edge labels last, so no box hides one.
    for (at, i, color, side) in labels {
        if let Some(edge) = view.edge(i) {
            edge_label(painter, at, &edge.event, color, side);
        }
    }

    if centers.is_empty() {
        painter.text(
            viewport.center(),
            Align2::CENTER_CENTER,
            "Double-click anywhere to add a service, or use ➕ Add service",
            FontId::proportional(16.0),
            theme::MUTED_TEXT,
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
            theme::SELECTION.gamma_multiply(0.12),
            Stroke::new(1.0, theme::SELECTION),
            StrokeKind::Inside,
        );
    }

    if let Gesture::Connecting { from, to } = state.gesture
        && let Some(from) = view.index_of(from)
        && let Some(&a) = centers.get(from)
    {
        let s = camera.to_screen(viewport, geometry::handle_center(a));
        let e = camera.to_screen(viewport, to);
        painter.line_segment([s, e], Stroke::new(2.0, theme::PENDING_EDGE));
        arrow_head(painter, s, e, zoom.max(0.6), theme::PENDING_EDGE);
        if let Some(target) = geometry::service_at(centers, to)
            && target != from
        {
            let r = camera.rect_to_screen(viewport, geometry::box_rect(centers[target]));
            painter.rect_stroke(
                r.expand(3.0),
                CornerRadius::same(6),
                Stroke::new(2.0, theme::PENDING_EDGE),
                StrokeKind::Outside,
            );
        }
    }
}

/// The edge's drawn path, canvas units (as [`paint`] draws it).
fn edge_path(view: &CanvasView, position: usize) -> Option<Vec<Pos2>> {
    let centers = view.centers();
    let &(from, to) = view.pairs().get(position)?;
    let a = *centers.get(from as usize)?;
    let b = *centers.get(to as usize)?;
    let offset = view.edge(position).map_or(0.0, |e| e.offset);
    Some(if from == to {
        geometry::self_loop(a).to_vec()
    } else if geometry::needs_bow(a, b) {
        geometry::bowed_edge(a, b, offset)
    } else {
        let (s, e) = geometry::edge_segment(a, b, offset)?;
        vec![s, e]
    })
}

/// The point a fraction `t` (0 to 1) of the way along a polyline.
fn point_along(points: &[Pos2], t: f32) -> Option<Pos2> {
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

/// The simulation on top: active services glow, the last hop's edge is lit and carries a dot.
fn paint_simulation(
    painter: &Painter,
    state: &CanvasState,
    view: &CanvasView,
    overlay: &SimOverlay,
) {
    let viewport = painter.clip_rect();
    let camera = state.camera;
    let zoom = camera.zoom;
    let radius = CornerRadius::same((theme::BOX_ROUNDING * zoom + 4.0).clamp(0.0, 255.0) as u8);
    for &i in &overlay.active {
        let Some(&center) = view.centers().get(i) else {
            continue;
        };
        let screen = camera.rect_to_screen(viewport, geometry::box_rect(center));
        if !screen.intersects(viewport) {
            continue;
        }
        for (grow, alpha) in [(9.0, 0.12), (6.0, 0.25), (3.0, 0.5)] {
            painter.rect_stroke(
                screen.expand(grow),
                radius,
                Stroke::new(3.0, theme::SIM_ACTIVE.gamma_multiply(alpha)),
                StrokeKind::Outside,
            );
        }
        painter.rect_stroke(
            screen.expand(1.0),
            radius,
            Stroke::new(2.0, theme::SIM_ACTIVE),
            StrokeKind::Outside,
        );
    }
    let Some((position, t)) = overlay.hop else {
        return;
    };
    let Some(path) = edge_path(view, position) else {
        return;
    };
    let points: Vec<Pos2> = path
        .iter()
        .map(|&p| camera.to_screen(viewport, p))
        .collect();
    painter.add(Shape::line(
        points.clone(),
        Stroke::new(3.0, theme::SIM_DOT.gamma_multiply(0.55)),
    ));
    if let Some(at) = point_along(&points, t) {
        let r = (6.0 * zoom).clamp(4.0, 9.0);
        painter.circle_filled(at, r * 2.0, theme::SIM_DOT.gamma_multiply(0.18));
        painter.circle(at, r, theme::SIM_DOT, Stroke::new(1.5, theme::CANVAS_BG));
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

fn arrow_head(painter: &Painter, from: Pos2, tip: Pos2, zoom: f32, color: Color32) {
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

/// An event label centred on `at`, or, with a `side` (a unit vector), beside `at` on that side
/// with a small gap.
fn edge_label(painter: &Painter, at: Pos2, text: &str, color: Color32, side: Vec2) {
    let galley = painter.layout_no_wrap(
        text.to_owned(),
        FontId::proportional(theme::EDGE_LABEL_FONT_PX),
        theme::BOX_TEXT,
    );
    let size = galley.size() + vec2(10.0, 4.0);
    // How far the centre moves so that the rectangle's near side clears the line.
    let clear = (size.x / 2.0 * side.x).abs() + (size.y / 2.0 * side.y).abs() + 3.0;
    let rect = Rect::from_center_size(at + side * clear, size);
    painter.rect(
        rect,
        CornerRadius::same(4),
        theme::EDGE_LABEL_BG,
        Stroke::new(1.0, color.gamma_multiply(0.7)),
        StrokeKind::Inside,
    );
    painter.galley(rect.min + vec2(5.0, 2.0), galley, theme::BOX_TEXT);
}

fn paint_grid(painter: &Painter, camera: &Camera, viewport: Rect) {
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
fn paint_stages(
    painter: &Painter,
    camera: &Camera,
    viewport: Rect,
    view: &CanvasView,
    analysis: &Analysis,
) {
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
