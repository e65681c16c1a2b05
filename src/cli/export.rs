//! `event-architect export`: write a deployable SAM template of a design.

use std::io::Write;
use std::path::PathBuf;

use super::{EXIT_OK, load, stdout};
use crate::template::export::export_sam;

/// What `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// An AWS SAM template (YAML), deployable with `sam deploy --guided`.
    Sam,
}

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The design file, or a SAM/CloudFormation template (`-` reads standard input).
    pub file: PathBuf,
    /// What to write.
    #[arg(long, value_enum, default_value = "sam")]
    pub format: ExportFormat,
    /// Write the template to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

pub(super) fn run(args: &ExportArgs) -> u8 {
    let design = match load(&args.file) {
        Ok(design) => design,
        Err(code) => return code,
    };
    let ExportFormat::Sam = args.format;
    let exported = export_sam(&design);
    let text = exported.to_yaml();
    let written = stdout::write_to(args.output.as_deref(), "the template", |out| {
        out.write_all(text.as_bytes())
    });
    if let Err(code) = written {
        return code;
    }
    // What the template could not say goes to stderr, one line each: the template is usable,
    // but the user should know.
    let mut err = std::io::stderr().lock();
    for note in &exported.notes {
        let _ = writeln!(err, "note: {}", super::escape::message(note));
    }
    EXIT_OK
}
