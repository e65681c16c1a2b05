//! The canvas as an SVG document, from [`crate::geometry::Drawing`].
//!
//! Readable by tools: each service is a `<g class="service" data-id>` whose first `<rect>` is
//! its box; each edge a `<g class="edge" data-from data-to data-event>` holding one `<path>` of
//! absolute `M`, `L` and `C` commands; each edge label a `<g class="edge-label">` holding its
//! background `<rect>` and its `<text>`.

use std::fmt::Write;

use super::palette as p;
use crate::analysis::Analysis;
use crate::geometry::{
    self, BADGE_RADIUS, BOX_HEIGHT, BOX_WIDTH, Drawing, HANDLE_RADIUS, LABEL_FONT, Rect,
    stages::bands, text_width,
};
use crate::model::Design;

/// Room around the drawing.
const MARGIN: f32 = 40.0;
/// Height of one row of stage headers.
const HEADER_ROW: f32 = 22.0;

/// Escapes text for XML content and attribute values.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even escaped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// `text` cut with "…" to fit `width` at `size`.
fn truncate(text: &str, size: f32, width: f32) -> String {
    if text_width(text, size) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = text_width("…", size);
    for c in text.chars() {
        let w = text_width(c.encode_utf8(&mut [0; 4]), size);
        if used + w > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// The SVG document of a design drawn as `drawing` lays it out.
///
/// Complexity: O(V + E) plus the text.
pub fn to_svg(design: &Design, analysis: &Analysis, drawing: &Drawing) -> String {
    let bands = if analysis.stage_of.len() == design.services.len() {
        bands(&drawing.centers, &analysis.stage_of, analysis.stage_count())
    } else {
        Vec::new()
    };
    let header_rows = bands.iter().map(|b| b.row + 1).max().unwrap_or(0);
    let content = drawing.bounds().unwrap_or(Rect {
        min: geometry::pt(0.0, 0.0),
        max: geometry::pt(400.0, 200.0),
    });
    let top = content.min.y - MARGIN - header_rows as f32 * HEADER_ROW;
    let (left, right, bottom) = (
        content.min.x - MARGIN,
        content.max.x + MARGIN,
        content.max.y + MARGIN,
    );
    let (width, height) = (right - left, bottom - top);
    let mut s = String::with_capacity(512 + 600 * (design.services.len() + design.edges.len()));
    // Writing to a String cannot fail: the results below are ignored for that reason.
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left:.1} {top:.1} {width:.1} {height:.1}" width="{width:.0}" height="{height:.0}" font-family="DejaVu Sans, Verdana, Arial, sans-serif">
<title>{}</title>
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker>
<marker id="arrow-edge" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{edge}"/></marker>
<marker id="arrow-cycle" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{warn}"/></marker></defs>
<rect class="background" x="{left:.1}" y="{top:.1}" width="{width:.1}" height="{height:.1}" fill="{bg}"/>
"#,
        xml(&design.name),
        edge = p::EDGE,
        warn = p::WARNING,
        bg = p::CANVAS_BG,
    );

    s.push_str("<g class=\"stages\">\n");
    // Every band before any header: bands of stages sharing a column overlap, and a later
    // band must not cover an earlier one's header.
    for band in &bands {
        let fill = p::STAGE_BANDS[band.stage % 2];
        let _ = writeln!(
            s,
            r#"<rect x="{:.1}" y="{top:.1}" width="{:.1}" height="{height:.1}" fill="{fill}"/>"#,
            band.left,
            band.right - band.left,
        );
    }
    for band in &bands {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle" fill="{}">Stage {}</text>"#,
            band.header_x(),
            top + MARGIN / 2.0 + band.row as f32 * HEADER_ROW + 10.0,
            p::STAGE_TEXT,
            band.stage + 1
        );
    }
    s.push_str("</g>\n<g class=\"edges\">\n");
    for (edge, route) in design.edges.iter().zip(&drawing.routes) {
        if route.points.is_empty() {
            continue;
        }
        let cycle = analysis.edge_in_cycle(edge.from, edge.to);
        let (color, marker) = if cycle {
            (p::WARNING, "arrow-cycle")
        } else {
            (p::EDGE, "arrow-edge")
        };
        let _ = writeln!(
            s,
            r#"<g class="edge" data-from="{}" data-to="{}" data-event="{}"><path d="{}" fill="none" stroke="{color}" stroke-width="1.6" marker-end="url(#{marker})"/></g>"#,
            xml(design.id(edge.from)),
            xml(design.id(edge.to)),
            xml(&edge.event),
            route.svg_path(),
        );
    }
    s.push_str("</g>\n<g class=\"services\">\n");
    for (i, (service, c)) in design.services.iter().zip(&drawing.centers).enumerate() {
        let r = geometry::box_rect(*c);
        let accent = service.kind.hex();
        let in_cycle = analysis.cycle_of.get(i).copied().flatten().is_some();
        let outline = if in_cycle { p::WARNING } else { &accent };
        let outline_width = if in_cycle { 2.0 } else { 1.0 };
        let title = truncate(service.label(), 14.0, BOX_WIDTH - 28.0);
        let subtitle = if service.label() == service.id {
            service.kind.as_str().to_owned()
        } else {
            format!("{} · {}", service.kind.as_str(), service.id)
        };
        let subtitle = truncate(&subtitle, 11.0, BOX_WIDTH - 28.0);
        let _ = write!(
            s,
            r#"<g class="service" data-id="{id}" data-kind="{kind}"><rect x="{x:.1}" y="{y:.1}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" rx="8" fill="{fill}" stroke="{outline}" stroke-width="{outline_width}"/><rect class="stripe" x="{x:.1}" y="{y:.1}" width="5" height="{BOX_HEIGHT}" fill="{accent}"/><text x="{tx:.1}" y="{ty:.1}" font-size="14" fill="{text}">{title}</text><text x="{tx:.1}" y="{sy:.1}" font-size="11" fill="{muted}">{subtitle}</text>"#,
            id = xml(&service.id),
            kind = service.kind.as_str(),
            x = r.min.x,
            y = r.min.y,
            fill = p::BOX_FILL,
            tx = r.min.x + 14.0,
            ty = r.min.y + 24.0,
            sy = r.max.y - 12.0,
            text = p::BOX_TEXT,
            muted = p::MUTED_TEXT,
            title = xml(&title),
            subtitle = xml(&subtitle),
        );
        if let Some(order) = analysis.order_position.get(i) {
            let fill = if in_cycle { p::WARNING } else { p::BADGE };
            let _ = write!(
                s,
                r#"<g class="badge"><circle cx="{:.1}" cy="{:.1}" r="{BADGE_RADIUS}" fill="{fill}" stroke="{}" stroke-width="1.5"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle" fill="{}">{}</text></g>"#,
                r.min.x,
                r.min.y,
                p::CANVAS_BG,
                r.min.x,
                r.min.y + 3.5,
                p::BADGE_TEXT,
                order + 1
            );
        }
        let _ = writeln!(
            s,
            r#"<circle class="handle" cx="{:.1}" cy="{:.1}" r="{HANDLE_RADIUS}" fill="{}" stroke="{accent}" stroke-width="1.5"/></g>"#,
            r.max.x,
            c.y,
            p::BOX_FILL
        );
    }
    s.push_str("</g>\n<g class=\"edge-labels\">\n");
    for (edge, label) in design.edges.iter().zip(&drawing.labels) {
        let Some(label) = label else { continue };
        let r = label.rect;
        let color = if analysis.edge_in_cycle(edge.from, edge.to) {
            p::WARNING
        } else {
            p::EDGE
        };
        let hover = if label.shortened {
            format!("<title>{}</title>", xml(&edge.event))
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            r#"<g class="edge-label">{hover}<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="4" fill="{}" stroke="{color}" stroke-width="1"/><text x="{:.1}" y="{:.1}" font-size="{LABEL_FONT}" text-anchor="middle" fill="{}">{}</text></g>"#,
            r.min.x,
            r.min.y,
            r.width(),
            r.height(),
            p::LABEL_BG,
            r.center().x,
            r.center().y + LABEL_FONT * 0.36,
            p::BOX_TEXT,
            xml(&label.text)
        );
    }
    s.push_str("</g>\n</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_cut_to_fit() {
        assert_eq!(xml("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert_eq!(xml("\u{1}"), "\u{fffd}");
        let cut = truncate(&"W".repeat(60), 14.0, 100.0);
        assert!(cut.ends_with('…') && text_width(&cut, 14.0) <= 100.0);
        assert_eq!(truncate("ok", 14.0, 100.0), "ok");
    }
}
