//! `event-architect render`: the canvas as a picture, SVG or PNG.

use std::path::{Path, PathBuf};

use super::{EXIT_OK, load, stdout};
use crate::analysis::analyze;

/// Arguments of `render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// The design file (`-` reads standard input).
    pub file: PathBuf,
    /// Write the picture to this file (atomically): PNG when it ends in `.png`, else SVG.
    /// Without it, the SVG goes to standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Lay every service out afresh instead of using saved positions: `--auto-layout` (or
    /// `=compact`) puts each service in the column, left to right, where its edges are
    /// shortest (a column may hold several stages); `--auto-layout=stages` makes the plan's
    /// stages the columns (long edges, more crossings).
    #[arg(
        long,
        value_name = "COLUMNS",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "compact"
    )]
    pub auto_layout: Option<Columns>,
}

/// The columns of `--auto-layout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Columns {
    /// Shortest edges (the default).
    Compact,
    /// The plan's stages, left to right.
    Stages,
}

impl From<Columns> for crate::geometry::layout::Ranking {
    fn from(columns: Columns) -> Self {
        match columns {
            Columns::Stages => Self::Stages,
            Columns::Compact => Self::Compact,
        }
    }
}

fn is_png(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("png"))
}

pub(super) fn run(args: &RenderArgs) -> u8 {
    let design = match load(&args.file) {
        Ok(design) => design,
        Err(code) => return code,
    };
    let analysis = analyze(&design);
    let drawing = crate::render::drawing(&design, &analysis, args.auto_layout.map(Into::into));
    let svg = crate::render::to_svg(&design, &analysis, &drawing);
    let output = args.output.as_deref();
    let bytes = if output.is_some_and(is_png) {
        match crate::render::svg_to_png(&svg) {
            Ok((png, fonts)) => {
                if fonts == 0 {
                    eprintln!(
                        "warning: no fonts found, so the PNG has no text\n  hint: install a font (Debian: apt-get install fonts-dejavu-core), or write SVG"
                    );
                }
                png
            }
            Err(error) => {
                return stdout::error(&error.to_string(), "write SVG instead (-o FILE.svg)");
            }
        }
    } else {
        svg.into_bytes()
    };
    if let Err(code) = stdout::write_to(output, "the picture", |out| out.write_all(&bytes)) {
        return code;
    }
    if analysis.is_acyclic() {
        EXIT_OK
    } else {
        super::report_cycles(&args.file, &design, &analysis, "the picture was written")
    }
}
