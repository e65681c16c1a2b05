//! The canvas: draws the view model with egui's painter and turns pointer gestures into
//! [`CanvasEvent`]s. It never edits the design itself.
//!
//! Drawing culls everything outside the viewport, drops text when zoomed out and uses plain
//! rectangles below a detail threshold, so a frame stays cheap on large designs. It requests no
//! repaint of its own: an idle window sleeps.
//!
//! One file per layer, drawn in this order: [`background`] (stage bands, grid), [`edges`],
//! [`boxes`], [`overlay`] (simulation, gestures), [`navigation`] (zoom buttons, minimap);
//! [`interact`] turns input into events.

mod background;
mod boxes;
mod edges;
mod interact;
pub mod navigation;
mod overlay;

use std::sync::Arc;

use egui::{Painter, Pos2, Rect, Sense, Ui, Vec2, vec2};

use super::geometry::Camera;
use super::theme;
use super::view::CanvasView;
use crate::analysis::{Analysis, LoopReport};
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
    /// A connection was dropped on empty canvas: add a service there, connected.
    ConnectToNew {
        /// The publisher.
        from: ServiceUid,
        /// Where it was dropped (canvas units).
        at: Pos2,
    },
}

/// What to show, from the View menu.
#[derive(Debug, Clone, Copy)]
pub struct CanvasOptions {
    /// Order badges on boxes.
    pub show_order: bool,
    /// Stage bands behind the boxes.
    pub show_stages: bool,
    /// Dropped boxes land on the grid (View > Snap to grid).
    pub snap_to_grid: bool,
}

/// What a running simulation adds to the canvas, resolved to view indices by the window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimOverlay {
    /// Services handling an event now: they glow.
    pub active: Vec<usize>,
    /// The edge (position) the last event took and how far its dot has travelled, 0 to 1.
    pub hop: Option<(usize, f32)>,
    /// View > Focus: what lies outside it (shared with the window's cache, made per edit).
    pub out_of_focus: Arc<OutOfFocus>,
}

/// View > Focus: what the canvas draws receded, indexed like the design's services and edges
/// (both empty without a focus).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OutOfFocus {
    /// Per service: outside the focus (drawn in receded colours).
    pub services: Vec<bool>,
    /// Per edge: not both of its ends inside the focus (drawn faded, with its label).
    pub edges: Vec<bool>,
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
    /// Bring these bounds into view on the next frame, keeping the zoom when they fit (a
    /// trace step or a cycle: no jump to 150%).
    pub focus_request: Option<Rect>,
    /// A design was opened with these bounds: show it readable on the next frame (see
    /// [`navigation::opening_camera`]).
    pub open_request: Option<Rect>,
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
            focus_request: None,
            open_request: None,
            viewport: Rect::from_min_size(Pos2::ZERO, vec2(800.0, 600.0)),
            hovered_edge: None,
            moving_with: Vec::new(),
        }
    }
}

/// Draws the canvas and handles its gestures. Returns what the window should do. `loops` are
/// the classes of `analysis`'s cycle groups, tagged above each group.
pub fn canvas_ui(
    ui: &mut Ui,
    state: &mut CanvasState,
    view: &mut CanvasView,
    analysis: &Analysis,
    loops: &[LoopReport],
    options: CanvasOptions,
    overlay: &SimOverlay,
) -> Vec<CanvasEvent> {
    let (response, painter) = ui.allocate_painter(ui.available_size(), Sense::click_and_drag());
    let viewport = response.rect;
    state.viewport = viewport;
    if let Some(bounds) = state.fit_request.take() {
        state.camera = Camera::fit(bounds, viewport);
    }
    if let Some(bounds) = state.open_request.take() {
        state.camera = navigation::opening_camera(view, bounds, viewport);
    }
    if let Some(bounds) = state.focus_request.take() {
        state.camera = state.camera.focus(bounds, viewport);
    }
    let events = interact::interact(ui, &response, state, view, options);
    paint(&painter, state, view, analysis, loops, options, overlay);
    navigation::navigation_ui(ui, state, view);
    events
}

/// What every layer needs to draw one frame.
struct Scene<'a> {
    painter: &'a Painter,
    camera: Camera,
    viewport: Rect,
    /// The visible canvas (canvas units), grown by an arrow length so nothing pops at the rim.
    visible: Rect,
    zoom: f32,
    /// At or above the zoom where boxes get rounding, outlines and badges.
    detailed: bool,
    /// The colours of the theme egui is showing.
    palette: &'static theme::Palette,
}

fn paint(
    painter: &Painter,
    state: &CanvasState,
    view: &CanvasView,
    analysis: &Analysis,
    loops: &[LoopReport],
    options: CanvasOptions,
    overlay: &SimOverlay,
) {
    let viewport = painter.clip_rect();
    let camera = state.camera;
    let scene = Scene {
        painter,
        camera,
        viewport,
        visible: camera.visible_canvas(viewport).expand(theme::ARROW_LENGTH),
        zoom: camera.zoom,
        detailed: camera.zoom >= theme::DETAIL_MIN_ZOOM,
        palette: theme::palette(painter.ctx()),
    };
    painter.rect_filled(viewport, 0.0, scene.palette.canvas_bg);
    let bands = if options.show_stages {
        background::paint_stages(&scene, view, analysis)
    } else {
        Vec::new()
    };
    background::paint_grid(&scene);
    let labels = edges::paint_edges(&scene, state, view, &overlay.out_of_focus.edges);
    boxes::paint_boxes(&scene, view, options, &overlay.out_of_focus.services);
    // The simulation over boxes and edges, under the labels so it never hides an event name.
    overlay::paint_loop_tags(&scene, view, analysis, loops);
    overlay::paint_simulation(&scene, view, overlay);
    // Edge labels last, so no box hides one.
    edges::paint_labels(&scene, view, labels);
    // Headers stay at the top of the view like a ruler, over what scrolled under them.
    background::paint_stage_headers(&scene, &bands);
    overlay::paint_gesture(&scene, state, view);
}
