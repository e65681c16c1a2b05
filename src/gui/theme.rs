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
pub const EDGE_LABEL_MIN_ZOOM: f32 = crate::geometry::LABEL_MIN_ZOOM;
/// Below this zoom, boxes are drawn without rounding, outline or badge (level of detail).
pub const DETAIL_MIN_ZOOM: f32 = 0.36;
/// Ctrl+wheel zoom steps are egui's raised to this power (1 = egui's ~1.5x a notch).
pub const WHEEL_ZOOM_DAMPING: f32 = 0.35;
/// Zoom limits.
pub const MIN_ZOOM: f32 = 0.02;
/// Zoom limits.
pub const MAX_ZOOM: f32 = crate::geometry::MAX_ZOOM;
/// Arrow head length at zoom 1.
pub const ARROW_LENGTH: f32 = 11.0;
/// Edge line width in screen points.
pub const EDGE_WIDTH_PX: f32 = 1.6;

/// Simulation: a 2xx response or trace row.
pub const STATUS_OK: Color32 = Color32::from_rgb(110, 200, 120);
/// Simulation: a 4xx response or trace row.
pub const STATUS_CLIENT_ERROR: Color32 = Color32::from_rgb(235, 170, 70);
/// Simulation: a 5xx response or trace row.
pub const STATUS_SERVER_ERROR: Color32 = Color32::from_rgb(235, 90, 90);
/// Simulation: seconds the dot takes to travel an edge (shorter when playing faster).
pub const SIM_HOP_SECONDS: f32 = 0.6;

/// The colours of one theme: everything the canvas and the panels paint that is not a kind's
/// accent. Panels and canvas layers ask [`palette`] for the one egui is showing, so View › Theme
/// (or the system's preference) changes both. [`DARK`] is also the picture export's palette
/// (`render::palette`; a test keeps the two equal).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    /// Canvas background.
    pub canvas_bg: Color32,
    /// Grid lines.
    pub grid: Color32,
    /// Alternating stage band colours.
    pub stage_bands: [Color32; 2],
    /// Stage band header text.
    pub stage_text: Color32,
    /// Service box fill.
    pub box_fill: Color32,
    /// The soft shadow under a box (transparent where the fill stands out on its own).
    pub box_shadow: Color32,
    /// The frame of a flat (zoomed-out) box that has no other outline, where the fill alone
    /// would not stand out (transparent otherwise).
    pub box_outline: Color32,
    /// Service label text.
    pub box_text: Color32,
    /// Secondary text (kind line, edge labels).
    pub muted_text: Color32,
    /// Normal edge colour.
    pub edge: Color32,
    /// Edge label background.
    pub edge_label_bg: Color32,
    /// Selection outline and selected edges.
    pub selection: Color32,
    /// Hover outline.
    pub hover: Color32,
    /// Order badge fill.
    pub badge: Color32,
    /// Order badge text.
    pub badge_text: Color32,
    /// The edge being drawn by drag-to-connect.
    pub pending_edge: Color32,
    /// Cycle members and warnings.
    pub warning: Color32,
    /// Errors.
    pub error: Color32,
    /// Confirmations.
    pub ok: Color32,
    /// Simulation: services handling an event now.
    pub sim_active: Color32,
    /// Simulation: the travelling dot.
    pub sim_dot: Color32,
    /// The minimap's background.
    pub minimap_bg: Color32,
    /// The minimap's frame.
    pub minimap_frame: Color32,
    /// True for a light background: kind colours are darkened for text on it.
    pub light: bool,
}

/// The dark theme (and the picture export's colours).
pub const DARK: Palette = Palette {
    canvas_bg: Color32::from_rgb(24, 27, 33),
    grid: Color32::from_rgb(38, 43, 53),
    stage_bands: [Color32::from_rgb(30, 35, 44), Color32::from_rgb(27, 31, 38)],
    stage_text: Color32::from_rgb(120, 140, 170),
    box_fill: Color32::from_rgb(38, 42, 51),
    box_shadow: Color32::TRANSPARENT,
    box_outline: Color32::TRANSPARENT,
    box_text: Color32::from_rgb(232, 236, 242),
    muted_text: Color32::from_rgb(150, 158, 172),
    edge: Color32::from_rgb(120, 130, 154),
    edge_label_bg: Color32::from_rgba_premultiplied(24, 27, 33, 220),
    selection: Color32::from_rgb(90, 170, 255),
    hover: Color32::from_rgb(170, 185, 210),
    badge: Color32::from_rgb(70, 80, 100),
    badge_text: Color32::WHITE,
    pending_edge: Color32::from_rgb(90, 170, 255),
    warning: Color32::from_rgb(255, 128, 64),
    error: Color32::from_rgb(240, 90, 90),
    ok: Color32::from_rgb(110, 200, 130),
    sim_active: Color32::from_rgb(80, 220, 200),
    sim_dot: Color32::from_rgb(255, 224, 102),
    minimap_bg: Color32::from_rgb(24, 27, 33),
    minimap_frame: Color32::from_gray(90),
    light: false,
};

/// The light theme: a near-white canvas with a faint grid, white boxes lifted by a soft
/// shadow, and accents deep enough to read on white.
pub const LIGHT: Palette = Palette {
    canvas_bg: Color32::from_rgb(246, 247, 250),
    grid: Color32::from_rgb(226, 230, 237),
    stage_bands: [
        Color32::from_rgb(236, 240, 246),
        Color32::from_rgb(242, 244, 248),
    ],
    stage_text: Color32::from_rgb(80, 96, 122),
    box_fill: Color32::WHITE,
    box_shadow: Color32::from_rgba_premultiplied(0, 0, 0, 26),
    box_outline: Color32::from_rgb(200, 206, 216),
    box_text: Color32::from_rgb(28, 32, 40),
    muted_text: Color32::from_rgb(92, 100, 114),
    edge: Color32::from_rgb(112, 120, 138),
    edge_label_bg: Color32::from_rgba_premultiplied(246, 247, 250, 235),
    selection: Color32::from_rgb(20, 110, 220),
    hover: Color32::from_rgb(90, 108, 146),
    badge: Color32::from_rgb(84, 94, 116),
    badge_text: Color32::WHITE,
    pending_edge: Color32::from_rgb(20, 110, 220),
    warning: Color32::from_rgb(214, 90, 16),
    error: Color32::from_rgb(196, 36, 36),
    ok: Color32::from_rgb(28, 132, 56),
    sim_active: Color32::from_rgb(0, 160, 140),
    sim_dot: Color32::from_rgb(230, 150, 0),
    minimap_bg: Color32::WHITE,
    minimap_frame: Color32::from_gray(170),
    light: true,
};

/// The palette of the theme egui is showing (View › Theme, or the system's preference).
pub fn palette(ctx: &egui::Context) -> &'static Palette {
    match ctx.theme() {
        egui::Theme::Dark => &DARK,
        egui::Theme::Light => &LIGHT,
    }
}

/// How far [`Palette::dimmed`] moves a colour towards the canvas background.
const DIM: f32 = 0.72;

impl Palette {
    /// A kind's colour for text and thin lines on this theme's background (darker on light).
    pub fn kind_text(&self, kind: ServiceKind) -> Color32 {
        self.text_on_background(kind_color(kind))
    }

    /// An HTTP status's colour for text on this theme's background.
    pub fn status(&self, status: u16) -> Color32 {
        self.text_on_background(status_color(status))
    }

    /// A colour receded into the background, for what lies outside View › Focus. Opaque, so
    /// dimmed edges crossing each other do not add up to a darker knot.
    pub fn dimmed(&self, color: Color32) -> Color32 {
        color.lerp_to_gamma(self.canvas_bg, DIM)
    }

    /// This palette with everything drawn on the canvas [`Palette::dimmed`]: how a box
    /// outside View › Focus is drawn. The background, bands and grid stay as they are.
    pub fn receded(&self) -> Palette {
        let dim = |c: Color32| self.dimmed(c);
        Palette {
            stage_text: dim(self.stage_text),
            box_fill: dim(self.box_fill),
            box_outline: if self.box_outline.a() > 0 {
                dim(self.box_outline)
            } else {
                self.box_outline
            },
            // A translucent shadow fades by its alpha (a lerp would make it an opaque grey).
            box_shadow: self.box_shadow.gamma_multiply(1.0 - DIM),
            box_text: dim(self.box_text),
            muted_text: dim(self.muted_text),
            edge: dim(self.edge),
            selection: dim(self.selection),
            hover: dim(self.hover),
            badge: dim(self.badge),
            badge_text: dim(self.badge_text),
            pending_edge: dim(self.pending_edge),
            warning: dim(self.warning),
            error: dim(self.error),
            ok: dim(self.ok),
            sim_active: dim(self.sim_active),
            sim_dot: dim(self.sim_dot),
            ..*self
        }
    }

    /// A bright accent as text: as it is on dark, darkened on light so it still reads.
    fn text_on_background(&self, color: Color32) -> Color32 {
        if self.light {
            let dark = |c: u8| (c as u16 * 55 / 100) as u8;
            Color32::from_rgb(dark(color.r()), dark(color.g()), dark(color.b()))
        } else {
            color
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG relative luminance of a colour.
    fn luminance(c: Color32) -> f32 {
        let channel = |v: u8| {
            let v = v as f32 / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
    }

    fn contrast(a: Color32, b: Color32) -> f32 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    #[test]
    fn text_reads_on_its_background_in_both_themes() {
        for palette in [DARK, LIGHT] {
            // WCAG AA: 4.5 for body text, 3 for large text and graphics.
            assert!(
                contrast(palette.box_text, palette.box_fill) >= 4.5,
                "{palette:?}"
            );
            assert!(
                contrast(palette.muted_text, palette.box_fill) >= 3.0,
                "{palette:?}"
            );
            assert!(
                contrast(palette.stage_text, palette.canvas_bg) >= 3.0,
                "{palette:?}"
            );
            assert!(
                contrast(palette.badge_text, palette.badge) >= 4.5,
                "{palette:?}"
            );
            for status in [200, 404, 500] {
                let bg = if palette.light {
                    Color32::WHITE
                } else {
                    palette.canvas_bg
                };
                assert!(contrast(palette.status(status), bg) >= 3.0, "{status}");
            }
            for kind in ServiceKind::ALL {
                let bg = if palette.light {
                    palette.canvas_bg
                } else {
                    palette.box_fill
                };
                assert!(
                    contrast(palette.kind_text(kind), bg) >= 3.0,
                    "{kind} on {:?}",
                    palette.light
                );
            }
        }
        assert!(luminance(LIGHT.canvas_bg) > luminance(DARK.canvas_bg));
    }

    #[test]
    fn the_dark_theme_is_the_picture_exports_palette() {
        use crate::render::palette as svg;
        let hex = |c: Color32| format!("#{:02x}{:02x}{:02x}", c.r(), c.g(), c.b());
        for (canvas, picture) in [
            (DARK.canvas_bg, svg::CANVAS_BG),
            (DARK.stage_bands[0], svg::STAGE_BANDS[0]),
            (DARK.stage_bands[1], svg::STAGE_BANDS[1]),
            (DARK.stage_text, svg::STAGE_TEXT),
            (DARK.box_fill, svg::BOX_FILL),
            (DARK.box_text, svg::BOX_TEXT),
            (DARK.muted_text, svg::MUTED_TEXT),
            (DARK.edge, svg::EDGE),
            (DARK.warning, svg::WARNING),
            (DARK.badge, svg::BADGE),
            (DARK.badge_text, svg::BADGE_TEXT),
        ] {
            assert_eq!(hex(canvas), picture);
        }
    }

    #[test]
    fn dimmed_colours_recede_into_the_background_in_both_themes() {
        for palette in [DARK, LIGHT] {
            for color in [palette.edge, palette.box_text, palette.warning] {
                let dim = palette.dimmed(color);
                assert!(
                    contrast(dim, palette.canvas_bg) < contrast(color, palette.canvas_bg) / 1.5,
                    "{color:?} on {:?}",
                    palette.light
                );
                assert!(dim.is_opaque());
            }
            let receded = palette.receded();
            assert_eq!(receded.canvas_bg, palette.canvas_bg);
            assert_eq!(receded.box_text, palette.dimmed(palette.box_text));
            assert!(receded.box_shadow.a() < palette.box_shadow.a().max(1));
        }
    }

    #[test]
    fn boxes_selection_and_cycles_stand_out_from_the_canvas_in_both_themes() {
        for palette in [DARK, LIGHT] {
            for color in [palette.selection, palette.warning, palette.edge] {
                assert!(contrast(color, palette.canvas_bg) >= 3.0, "{color:?}");
            }
            assert!(contrast(palette.stage_text, palette.stage_bands[0]) >= 3.0);
            assert_ne!(palette.box_fill, palette.canvas_bg);
        }
    }
}
