//! Input: pointer gestures (pan, move, select, connect), zoom and clicks become
//! [`CanvasEvent`]s and camera changes.

use egui::{CursorIcon, PointerButton, Pos2, Rect, Response, Ui, Vec2, vec2};

use super::{CanvasEvent, CanvasOptions, CanvasState, Gesture};
use crate::geometry::snap;
use crate::gui::geometry;
use crate::gui::layout::to_pos;
use crate::gui::theme;
use crate::gui::view::CanvasView;
use crate::model::Position;

pub(super) fn interact(
    ui: &Ui,
    response: &Response,
    state: &mut CanvasState,
    view: &mut CanvasView,
    options: CanvasOptions,
) -> Vec<CanvasEvent> {
    let viewport = response.rect;
    let mut events = Vec::new();
    let pointer = response.hover_pos();
    let canvas_pointer = pointer.map(|p| state.camera.to_canvas(viewport, p));

    // Zoom (Ctrl+wheel, pinch) around the pointer; wheel and two-finger scroll pan.
    if let Some(p) = pointer {
        let (zoom, scroll) = ui.input(|i| (i.zoom_delta(), i.smooth_scroll_delta()));
        if (zoom - 1.0).abs() > 1e-4 {
            // A wheel notch is about 1.5x in egui; a third of that step reads better.
            state
                .camera
                .zoom_around(viewport, p, zoom.powf(theme::WHEEL_ZOOM_DAMPING));
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
                            // Snapped: saved positions are round numbers, boxes line up.
                            let (x, y) = if options.snap_to_grid {
                                (snap(at.x), snap(at.y))
                            } else {
                                (at.x, at.y)
                            };
                            Some((s, Some(Position { x, y })))
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
                // Dropped back on its own box: a self-loop.
                match geometry::service_at(view.centers(), to) {
                    Some(target) => events.push(CanvasEvent::Connect {
                        from,
                        to: view.uid(target),
                    }),
                    None => events.push(CanvasEvent::ConnectToNew { from, at: to }),
                }
            }
            Gesture::Panning | Gesture::Idle => {}
        }
    }

    if response.double_clicked() {
        if let Some(p) = canvas_pointer
            && hovered_service.is_none()
        {
            // The whole new box on screen, however near the rim the click was.
            let visible = state.camera.visible_canvas(viewport);
            let half = vec2(theme::BOX_WIDTH, theme::BOX_HEIGHT) / 2.0 + vec2(8.0, 8.0);
            let inner = visible.shrink2(half);
            let p = if inner.is_positive() {
                p.clamp(inner.min, inner.max)
            } else {
                visible.center()
            };
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

/// The edge under a canvas point: the nearest route within a few screen points. O(E), only on
/// hover and click.
pub(super) fn edge_under(view: &CanvasView, p: Pos2, zoom: f32) -> Option<usize> {
    let tolerance = theme::EDGE_PICK_PX / zoom.max(1e-3);
    let mut best: Option<(usize, f32)> = None;
    for i in 0..view.pairs().len() {
        if !view.route_bounds(i).expand(tolerance).contains(p) {
            continue;
        }
        let Some(route) = view.route(i) else { continue };
        let points: Vec<Pos2> = route.points.iter().map(|&q| to_pos(q)).collect();
        let d = geometry::distance_to_polyline(p, &points);
        if d <= tolerance && best.is_none_or(|(_, bd)| d < bd) {
            best = Some((i, d));
        }
    }
    best.map(|(i, _)| i)
}
