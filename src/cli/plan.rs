//! `event-architect plan`: write an execution plan.

use std::io::{self, Write};
use std::mem::ManuallyDrop;
use std::path::PathBuf;

use anyhow::Context;

use super::{EXIT_CYCLES, EXIT_OK, fail, load};
use crate::plan::{PlanFormat, analyze_with_events, path_text, write_plan_with};

/// Arguments of `plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The design file (`-` reads standard input).
    pub file: PathBuf,
    /// Output format [default: from the extension of --output, else json].
    #[arg(long, value_enum)]
    pub format: Option<PlanFormat>,
    /// Write the plan to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

pub(super) fn run(args: &PlanArgs) -> u8 {
    // Never freed: the process ends right after, and freeing a million-edge design one
    // allocation at a time costs tens of milliseconds for nothing.
    let design = ManuallyDrop::new(match load(&args.file) {
        Ok(design) => design,
        Err(code) => return code,
    });
    let format = args
        .format
        .or_else(|| args.output.as_deref().and_then(PlanFormat::from_extension))
        .unwrap_or(PlanFormat::Json);
    let (analysis, events) = analyze_with_events(&design);
    let (analysis, events) = (ManuallyDrop::new(analysis), ManuallyDrop::new(events));
    let written = match &args.output {
        Some(path) => crate::io::write_atomic_with(path, |out| {
            write_plan_with(out, format, &design, &analysis, &events)
        })
        .with_context(|| format!("cannot write {}", path.display())),
        None => {
            let stdout = io::stdout().lock();
            let mut out = io::BufWriter::with_capacity(1 << 16, stdout);
            write_plan_with(&mut out, format, &design, &analysis, &events)
                .and_then(|()| out.flush())
                .context("cannot write the plan to standard output")
        }
    };
    if let Err(error) = written {
        return fail(&error);
    }
    if analysis.is_acyclic() {
        return EXIT_OK;
    }
    let mut err = io::stderr().lock();
    let count = analysis.cycles.len();
    let _ = writeln!(
        err,
        "error: {} has {count} cycle{}; the plan was written with each cycle as one step",
        args.file.display(),
        if count == 1 { "" } else { "s" }
    );
    for (i, cycle) in analysis.cycles.iter().enumerate() {
        let _ = writeln!(
            err,
            "  cycle {}: {}",
            i + 1,
            path_text(&design, &cycle.path)
        );
    }
    let _ = writeln!(err, "  hint: remove or redirect one edge of each cycle");
    EXIT_CYCLES
}
