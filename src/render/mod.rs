//! Pictures of a design, drawn from the same geometry as the canvas: SVG ([`svg`]) and PNG
//! (the SVG rasterised by resvg).

pub mod palette;
pub mod svg;

use crate::analysis::Analysis;
use crate::geometry::Drawing;
use crate::geometry::layout::Ranking;
use crate::model::Design;

pub use svg::to_svg;

/// Most pixels a PNG may have; larger drawings are scaled down to fit (memory stays bounded).
pub const MAX_PNG_PIXELS: f64 = 40_000_000.0;

/// The drawing of a design: at its saved positions (services without one are placed as the
/// canvas places them), or all auto-laid-out with these columns when `auto_layout` is set.
pub fn drawing(design: &Design, analysis: &Analysis, auto_layout: Option<Ranking>) -> Drawing {
    match auto_layout {
        None => Drawing::of_design(design, analysis),
        Some(ranking) => Drawing::laid_out(design, analysis, ranking),
    }
}

/// Why a PNG could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PngError {
    /// The SVG did not parse (a bug: we wrote it).
    #[error("the picture could not be read back for rasterising: {0}")]
    Svg(String),
    /// The pixel buffer could not be allocated or encoded.
    #[error("the PNG could not be encoded: {0}")]
    Encode(String),
}

/// Rasterises an SVG document to PNG bytes with resvg, at 2 pixels per canvas unit or fewer
/// (never more than [`MAX_PNG_PIXELS`]). Text uses the system's fonts; `fonts` says how many
/// font faces were found (0: the PNG has no text).
pub fn svg_to_png(svg: &str) -> Result<(Vec<u8>, usize), PngError> {
    let mut options = resvg::usvg::Options::default();
    options.fontdb_mut().load_system_fonts();
    let fonts = options.fontdb.len();
    let tree =
        resvg::usvg::Tree::from_str(svg, &options).map_err(|e| PngError::Svg(e.to_string()))?;
    let size = tree.size();
    let area = size.width() as f64 * size.height() as f64;
    let scale = (MAX_PNG_PIXELS / area.max(1.0)).sqrt().min(2.0) as f32;
    let (w, h) = (
        ((size.width() * scale).ceil() as u32).max(1),
        ((size.height() * scale).ceil() as u32).max(1),
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| PngError::Encode(format!("cannot allocate {w}x{h} pixels")))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap
        .encode_png()
        .map_err(|e| PngError::Encode(e.to_string()))?;
    Ok((png, fonts))
}
