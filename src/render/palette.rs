//! Colours of pictures: the canvas's dark theme (`gui::theme`, which needs egui) as SVG colours.
//! Kind colours come from the model ([`crate::model::ServiceKind::hex`]), like everywhere.

/// Canvas background.
pub const CANVAS_BG: &str = "#181b21";
/// Alternating stage band colours.
pub const STAGE_BANDS: [&str; 2] = ["#1e232c", "#1b1f26"];
/// Stage header text.
pub const STAGE_TEXT: &str = "#788caa";
/// Box fill.
pub const BOX_FILL: &str = "#262a33";
/// Box title and label text.
pub const BOX_TEXT: &str = "#e8ecf2";
/// The kind line under a title.
pub const MUTED_TEXT: &str = "#969eac";
/// Edges.
pub const EDGE: &str = "#78829a";
/// Edge label background.
pub const LABEL_BG: &str = "#181b21";
/// Cycle members and cycle edges.
pub const WARNING: &str = "#ff8040";
/// Order badge fill.
pub const BADGE: &str = "#465064";
/// Order badge text.
pub const BADGE_TEXT: &str = "#ffffff";
