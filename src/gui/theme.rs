//! Colours and sizes of the designer window, in one place.
//!
//! Sizes are in canvas units unless their name says `_px` (screen points).

use egui::Color32;

use crate::model::ServiceKind;

/// Width of a service box.
pub const BOX_WIDTH: f32 = crate::geometry::BOX_WIDTH;
/// Height of a service box.
pub const BOX_HEIGHT: f32 = crate::geometry::BOX_HEIGHT;
/// Corner radius of a service box.
pub const BOX_ROUNDING: f32 = 8.0;
/// Horizontal gap between auto-layout columns (stages).
pub const COLUMN_GAP: f32 = 110.0;
/// Vertical gap between boxes of one auto-layout column.
pub const ROW_GAP: f32 = 40.0;
/// Radius of the connection handle on the right edge of a box.
pub const HANDLE_RADIUS: f32 = crate::geometry::HANDLE_RADIUS;
/// Sideways spacing of parallel edges between the same two services.
pub const PARALLEL_EDGE_SPACING: f32 = 16.0;
/// How close (screen points) a click must be to an edge to select it.
pub const EDGE_PICK_PX: f32 = 6.0;
/// Font size of a service label at zoom 1.
pub const LABEL_FONT: f32 = 14.0;
/// Font size of the kind line under a service label at zoom 1.
pub const KIND_FONT: f32 = 11.0;
/// Font size of edge labels, fixed in screen points so they read the same at every zoom.
pub const EDGE_LABEL_FONT_PX: f32 = 11.5;
/// Below this zoom, service text is dropped (too small to read; saves time on big designs).
pub const TEXT_MIN_ZOOM: f32 = 0.25;
/// Below this zoom, the kind line under a service label is dropped.
pub const SUBTITLE_MIN_ZOOM: f32 = 0.55;
/// Smallest service label font, screen points: zoomed out, labels stop shrinking here.
pub const MIN_LABEL_FONT_PX: f32 = 10.0;
/// Below this zoom, edge labels are shown only for the selected or hovered edge.
pub const EDGE_LABEL_MIN_ZOOM: f32 = 0.6;
/// Below this zoom, boxes are drawn without rounding, outline or badge (level of detail).
pub const DETAIL_MIN_ZOOM: f32 = 0.36;
/// Ctrl+wheel zoom steps are egui's raised to this power (1 = egui's ~1.5x a notch).
pub const WHEEL_ZOOM_DAMPING: f32 = 0.35;
/// Zoom limits.
pub const MIN_ZOOM: f32 = 0.02;
/// Zoom limits.
pub const MAX_ZOOM: f32 = 4.0;
/// Arrow head length at zoom 1.
pub const ARROW_LENGTH: f32 = 11.0;
/// Edge line width in screen points.
pub const EDGE_WIDTH_PX: f32 = 1.6;

/// Canvas background.
pub const CANVAS_BG: Color32 = Color32::from_rgb(24, 27, 33);
/// Grid dots.
pub const GRID: Color32 = Color32::from_rgb(38, 43, 53);
/// Alternating stage band colours.
pub const STAGE_BANDS: [Color32; 2] =
    [Color32::from_rgb(30, 35, 44), Color32::from_rgb(27, 31, 38)];
/// Stage band header text.
pub const STAGE_TEXT: Color32 = Color32::from_rgb(120, 140, 170);
/// Service box fill.
pub const BOX_FILL: Color32 = Color32::from_rgb(38, 42, 51);
/// Service label text.
pub const BOX_TEXT: Color32 = Color32::from_rgb(232, 236, 242);
/// Secondary text (kind line, edge labels).
pub const MUTED_TEXT: Color32 = Color32::from_rgb(150, 158, 172);
/// Normal edge colour.
pub const EDGE: Color32 = Color32::from_rgb(120, 130, 150);
/// Edge label background.
pub const EDGE_LABEL_BG: Color32 = Color32::from_rgba_premultiplied(24, 27, 33, 220);
/// Selection outline and selected edges.
pub const SELECTION: Color32 = Color32::from_rgb(90, 170, 255);
/// Hover outline.
pub const HOVER: Color32 = Color32::from_rgb(170, 185, 210);
/// Cycle members and cycle edges.
pub const WARNING: Color32 = Color32::from_rgb(255, 128, 64);
/// Errors in panels and the status line.
pub const ERROR: Color32 = Color32::from_rgb(240, 90, 90);
/// Confirmations in the status line.
pub const OK: Color32 = Color32::from_rgb(110, 200, 130);
/// Order badge fill.
pub const BADGE: Color32 = Color32::from_rgb(70, 80, 100);
/// Order badge text.
pub const BADGE_TEXT: Color32 = Color32::WHITE;
/// The edge being drawn by drag-to-connect.
pub const PENDING_EDGE: Color32 = Color32::from_rgb(90, 170, 255);

/// Simulation: a 2xx response or trace row.
pub const STATUS_OK: Color32 = Color32::from_rgb(110, 200, 120);
/// Simulation: a 4xx response or trace row.
pub const STATUS_CLIENT_ERROR: Color32 = Color32::from_rgb(235, 170, 70);
/// Simulation: a 5xx response or trace row.
pub const STATUS_SERVER_ERROR: Color32 = Color32::from_rgb(235, 90, 90);
/// Simulation: the glow around services handling an event now.
pub const SIM_ACTIVE: Color32 = Color32::from_rgb(80, 220, 200);
/// Simulation: the dot travelling along the edge the last event took.
pub const SIM_DOT: Color32 = Color32::from_rgb(255, 224, 102);
/// Simulation: seconds the dot takes to travel an edge (shorter when playing faster).
pub const SIM_HOP_SECONDS: f32 = 0.6;

/// The colour of an HTTP status in the simulation panel.
pub fn status_color(status: u16) -> Color32 {
    match status {
        200..=299 => STATUS_OK,
        400..=499 => STATUS_CLIENT_ERROR,
        _ => STATUS_SERVER_ERROR,
    }
}

/// The accent colour of a service kind (left stripe, handle, legend).
pub fn kind_color(kind: ServiceKind) -> Color32 {
    // One palette for the canvas and every exporter: it lives in the model.
    let [r, g, b] = kind.rgb();
    Color32::from_rgb(r, g, b)
}

/// The icon drawn before a kind's name.
pub fn kind_icon(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::Gateway => "🌐",
        ServiceKind::Function => "λ",
        ServiceKind::Table => "🗄",
        ServiceKind::Queue => "📨",
        ServiceKind::Topic => "📢",
        ServiceKind::Bucket => "📦",
        ServiceKind::Bus => "🚌",
        ServiceKind::StateMachine => "⚙",
        ServiceKind::Stream => "🌊",
        ServiceKind::Schedule => "⏰",
    }
}
