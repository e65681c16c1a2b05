//! `event-architect plan`: write an execution plan.

use std::io::{self, Write};
use std::mem::ManuallyDrop;
use std::path::PathBuf;

use super::{EXIT_CYCLES, EXIT_OK, load, shown, shown_path, stdout};
use crate::plan::{PlanFormat, analyze_with_events, write_plan_with};

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
    let plan = |out: &mut dyn Write| write_plan_with(out, format, &design, &analysis, &events);
    let written = stdout::write_to(args.output.as_deref(), "the plan", plan);
    if let Err(code) = written {
        return code;
    }
    if analysis.is_acyclic() {
        return EXIT_OK;
    }
    // As `check`: loops the user marked as meant to be do not fail the plan.
    let loops = crate::analysis::classify(&design, &analysis);
    if loops
        .iter()
        .all(|l| l.class == crate::analysis::LoopClass::Intentional)
    {
        return EXIT_OK;
    }
    let mut err = io::stderr().lock();
    let count = analysis.cycles.len();
    let _ = writeln!(
        err,
        "error: {} has {count} cycle{}; the plan was written with each cycle as one step",
        shown(&args.file.display().to_string()),
        if count == 1 { "" } else { "s" }
    );
    for (i, cycle) in analysis.cycles.iter().enumerate() {
        let _ = writeln!(
            err,
            "  cycle {}: {}",
            i + 1,
            shown_path(&design, &cycle.path)
        );
    }
    let _ = writeln!(err, "  hint: remove or redirect one edge of each cycle");
    EXIT_CYCLES
}
