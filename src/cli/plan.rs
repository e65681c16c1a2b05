//! `event-architect plan`: write an execution plan.

use std::io::Write;
use std::mem::ManuallyDrop;
use std::path::PathBuf;

use super::{EXIT_OK, load, stdout};
use crate::plan::{PlanFormat, analyze_with_events, write_plan_with};

/// Arguments of `plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// The design file (`-` reads standard input).
    pub file: PathBuf,
    /// Output format [default: from the extension of --output, else json].
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write the plan to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
}

/// A [`PlanFormat`] as the command line spells it (the library's type knows nothing of clap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatArg(pub PlanFormat);

impl clap::ValueEnum for FormatArg {
    fn value_variants<'a>() -> &'a [Self] {
        const ALL: [FormatArg; 4] = [
            FormatArg(PlanFormat::ALL[0]),
            FormatArg(PlanFormat::ALL[1]),
            FormatArg(PlanFormat::ALL[2]),
            FormatArg(PlanFormat::ALL[3]),
        ];
        &ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.name()).help(self.0.description()))
    }
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
        .map(|f| f.0)
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
    super::report_cycles(
        &args.file,
        &design,
        &analysis,
        "the plan was written with each cycle as one step",
    )
}
