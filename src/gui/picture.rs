//! File > Export picture...: the canvas as the user sees it (same drawing the canvas shows), as
//! SVG or PNG by the file's extension, written atomically.

use std::path::Path;

use crate::analysis::Analysis;
use crate::geometry::Drawing;
use crate::model::Design;

/// Writes the picture; Ok is the status line to show, Err the error to show.
pub fn export(
    path: &Path,
    design: &Design,
    analysis: &Analysis,
    drawing: &Drawing,
) -> Result<String, String> {
    let svg = crate::render::to_svg(design, analysis, drawing);
    let png = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("png"));
    let (bytes, kind) = if png {
        let (bytes, fonts) = crate::render::svg_to_png(&svg)
            .map_err(|e| format!("Could not export to {}: {e}", path.display()))?;
        let note = if fonts == 0 {
            " (no fonts found: no text)"
        } else {
            ""
        };
        (bytes, format!("PNG picture{note}"))
    } else {
        (svg.into_bytes(), "SVG picture".to_owned())
    };
    crate::io::write_atomic(path, &bytes)
        .map_err(|e| format!("Could not export to {}: {e}", path.display()))?;
    Ok(format!("Exported the {kind} to {}", path.display()))
}
