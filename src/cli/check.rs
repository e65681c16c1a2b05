//! `event-architect check`: problems, cycles and a summary.

use std::io::{self, Write};
use std::path::PathBuf;

use serde::{Serialize, Serializer};
use serde_json::json;

use super::input::{self, InputError};
use super::sarif;
use super::{EXIT_CYCLES, EXIT_OK, shown, shown_path, stdout};
use crate::analysis::{Analysis, CycleGroup, LoopClass, LoopReport, analyze, classify};
use crate::io::LoadError;
use crate::model::{Design, ServiceIndex};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The design file, or a SAM/CloudFormation template (`-` reads standard input).
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// Human-readable report.
    Text,
    /// Machine-readable report.
    Json,
    /// SARIF 2.1.0, for code scanning: one result per loop and per problem, at its line.
    Sarif,
}

pub(super) fn run(args: &CheckArgs) -> u8 {
    // Named as the loader names it in errors.
    let origin = if args.file.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        args.file.display().to_string()
    };
    let sarif = args.format == CheckFormat::Sarif;
    // Standard input cannot be read twice: its places are found as it is read.
    let mut stdin_spots = None;
    let read = input::read_located(&args.file, sarif.then_some(&mut stdin_spots));
    let input = match read {
        Ok(input) => {
            if let Some(version) = input.version
                && let Some(note) =
                    crate::io::migration_note(&crate::io::origin(&args.file), version)
            {
                eprintln!("{}", super::shown(&note));
            }
            input
        }
        Err(error) => {
            let code = input::report(&error);
            // The JSON report is the output of `check --format json`, for an invalid design
            // too: CI reads the problems from it (the README's contract says so).
            if args.format == CheckFormat::Json {
                let report = invalid_json(&error);
                if let Err(code) = stdout::write("the report", |out| writeln!(out, "{report:#}")) {
                    return code;
                }
            }
            if sarif {
                let places = match stdin_spots {
                    Some(spots) => sarif::Places::Design(spots),
                    None => sarif::places_of_error(&args.file, &error),
                };
                let written = stdout::write("the report", |out| {
                    sarif::write_invalid(out, &args.file, &error, &places)
                });
                if let Err(code) = written {
                    return code;
                }
            }
            return code;
        }
    };
    let resources = input.resources;
    // Never freed: the process ends right after (see `plan`).
    let design = std::mem::ManuallyDrop::new(input.design);
    let analysis = std::mem::ManuallyDrop::new(analyze(&design));
    let loops = classify(&design, &analysis);
    let places = if !sarif {
        sarif::Places::None
    } else if let Some(resources) = resources {
        sarif::Places::Template(resources)
    } else if let Some(spots) = stdin_spots {
        sarif::Places::Design(spots)
    } else {
        sarif::places_of_design(&args.file, &analysis)
    };
    let written = stdout::write("the report", |out| match args.format {
        CheckFormat::Text => write_text_with(out, &origin, &design, &analysis, &loops),
        CheckFormat::Json => write_valid_json(out, &design, &analysis, &loops),
        CheckFormat::Sarif => {
            sarif::write_valid(out, &args.file, &design, &analysis, &loops, &places)
        }
    });
    if let Err(code) = written {
        return code;
    }
    // Only loops the user has not marked as meant to be fail the check.
    if loops.iter().all(|l| l.class == LoopClass::Intentional) {
        EXIT_OK
    } else {
        EXIT_CYCLES
    }
}

/// The human-readable report.
pub(super) fn write_text(
    out: &mut dyn Write,
    origin: &str,
    design: &Design,
    analysis: &Analysis,
) -> io::Result<()> {
    write_text_with(out, origin, design, analysis, &classify(design, analysis))
}

/// [`write_text`] with the loop classes already made.
fn write_text_with(
    out: &mut dyn Write,
    origin: &str,
    design: &Design,
    analysis: &Analysis,
    loops: &[LoopReport],
) -> io::Result<()> {
    // Ids, names and the path are escaped and cut: an id holding a newline must not forge
    // an `ok: no cycles` line.
    let name = if design.name.is_empty() {
        "(unnamed)".to_owned()
    } else {
        shown(&design.name)
    };
    writeln!(out, "{}: \"{name}\"", shown(origin))?;
    writeln!(
        out,
        "  {} services, {} edges, {} stages",
        design.services.len(),
        design.edges.len(),
        analysis.stage_count()
    )?;
    if analysis.is_acyclic() {
        writeln!(out, "ok: no cycles")?;
        let order: Vec<String> = analysis
            .order
            .iter()
            .map(|&s| shown(design.id(s)))
            .collect();
        writeln!(out, "order: {}", order.join(", "))?;
        writeln!(out, "stages:")?;
        for (i, stage) in analysis.stages.iter().enumerate() {
            let ids: Vec<String> = stage.iter().map(|&s| shown(design.id(s))).collect();
            writeln!(out, "  {}: {}", i + 1, ids.join(", "))?;
        }
    } else {
        let count = analysis.cycles.len();
        let plural = if count == 1 { "" } else { "s" };
        if loops.iter().all(|l| l.class == LoopClass::Intentional) {
            writeln!(out, "ok: {count} cycle{plural}, marked intentional")?;
        } else {
            writeln!(out, "error: {count} cycle{plural} found")?;
        }
        for (i, cycle) in analysis.cycles.iter().enumerate() {
            let ids: Vec<String> = cycle.members.iter().map(|&s| shown(design.id(s))).collect();
            writeln!(
                out,
                "  cycle {}: {} (path: {})",
                i + 1,
                ids.join(", "),
                shown_path(design, &cycle.path)
            )?;
            if let Some(report) = loops.get(i) {
                writeln!(
                    out,
                    "    class: {}: {}",
                    report.class.as_str(),
                    sentence(&report.explanation)
                )?;
                writeln!(out, "    aws guard: {}", sentence(&report.guard.reason))?;
                for &at in &cycle.edges {
                    let edge = &design.edges[at];
                    if let Some(evidence) = &edge.evidence {
                        writeln!(
                            out,
                            "    edge {} -> {} ({}): {}",
                            shown(design.id(edge.from)),
                            shown(design.id(edge.to)),
                            shown(&edge.event),
                            sentence(&evidence.describe())
                        )?;
                    }
                }
            }
            for crossing in crate::analysis::filters_crossed(design, cycle) {
                writeln!(
                    out,
                    "    crosses the filter on {} -> {} ({}): {}",
                    crossing.from,
                    crossing.to,
                    crossing.event,
                    crossing.filter.describe()
                )?;
            }
        }
        if loops.iter().any(|l| l.class != LoopClass::Intentional) {
            writeln!(
                out,
                "  hint: remove or redirect one edge of each cycle, or mark a loop that is meant to be in \"intentional_loops\"; `event-architect plan` shows the condensed plan"
            )?;
        }
    }
    Ok(())
}

/// A sentence of the analysis (which quotes ids) made safe to print, cut only when very long.
fn sentence(text: &str) -> String {
    super::escape::escape(&super::escape::cut(text, 2000)).into_owned()
}

/// The JSON report of a valid design, written as it is made: a design of a million services in
/// loops would take gigabytes as a `serde_json::Value`. The fields and their order are the
/// README's contract.
fn write_valid_json(
    out: &mut dyn Write,
    design: &Design,
    analysis: &Analysis,
    loops: &[LoopReport],
) -> io::Result<()> {
    let report = ValidReport {
        valid: true,
        problems: [(); 0],
        design: &design.name,
        services: design.services.len(),
        edges: design.edges.len(),
        stages: analysis.stage_count(),
        acyclic: analysis.is_acyclic(),
        cycles: PerCycle(design, analysis, Part::Members),
        cycle_paths: PerCycle(design, analysis, Part::Path),
        cycle_filters: PerCycle(design, analysis, Part::Filters),
        failing_cycles: loops
            .iter()
            .filter(|l| l.class != LoopClass::Intentional)
            .count(),
        loops: Loops(design, analysis, loops),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}

#[derive(Serialize)]
struct ValidReport<'a> {
    valid: bool,
    problems: [(); 0],
    design: &'a str,
    services: usize,
    edges: usize,
    stages: usize,
    acyclic: bool,
    cycles: PerCycle<'a>,
    cycle_paths: PerCycle<'a>,
    cycle_filters: PerCycle<'a>,
    failing_cycles: usize,
    loops: Loops<'a>,
}

/// One part of each cycle group, as a JSON array.
struct PerCycle<'a>(&'a Design, &'a Analysis, Part);

#[derive(Clone, Copy)]
enum Part {
    Members,
    Path,
    Filters,
}

impl Serialize for PerCycle<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let PerCycle(design, analysis, part) = *self;
        let cycles = analysis.cycles.iter();
        match part {
            Part::Members => serializer.collect_seq(cycles.map(|c| Ids(design, &c.members))),
            Part::Path => serializer.collect_seq(cycles.map(|c| Ids(design, &c.path))),
            Part::Filters => serializer.collect_seq(cycles.map(|c| FiltersOf(design, c))),
        }
    }
}

/// Services as an array of their ids.
struct Ids<'a>(&'a Design, &'a [ServiceIndex]);

impl Serialize for Ids<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.1.iter().map(|&s| self.0.id(s)))
    }
}

/// The filtered edges of a cycle group.
struct FiltersOf<'a>(&'a Design, &'a CycleGroup);

impl Serialize for FiltersOf<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Crossing<'a> {
            edge: usize,
            from: &'a str,
            to: &'a str,
            event: &'a str,
            filter: &'a crate::model::EdgeFilter,
        }
        let crossings = crate::analysis::filters_crossed(self.0, self.1);
        serializer.collect_seq(crossings.iter().map(|x| Crossing {
            edge: x.position,
            from: x.from,
            to: x.to,
            event: x.event,
            filter: x.filter,
        }))
    }
}

/// Each cycle group's class, why, and its edges with their evidence.
struct Loops<'a>(&'a Design, &'a Analysis, &'a [LoopReport]);

impl Serialize for Loops<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Loop<'a> {
            members: Ids<'a>,
            class: &'static str,
            explanation: &'a str,
            can_match: Option<bool>,
            bound: Option<Bound>,
            aws_guard: Guard<'a>,
            edges: Edges<'a>,
        }
        #[derive(Serialize)]
        struct Bound {
            kind: &'static str,
            count: u32,
        }
        #[derive(Serialize)]
        struct Guard<'a> {
            stops: bool,
            reason: &'a str,
        }
        let Loops(design, analysis, loops) = *self;
        serializer.collect_seq(analysis.cycles.iter().zip(loops).map(|(c, l)| Loop {
            members: Ids(design, &c.members),
            class: l.class.as_str(),
            explanation: &l.explanation,
            can_match: l.can_match,
            bound: l.bound.map(|(kind, count)| Bound {
                kind: kind.as_str(),
                count,
            }),
            aws_guard: Guard {
                stops: l.guard.stops,
                reason: &l.guard.reason[..],
            },
            edges: Edges(design, &c.edges),
        }))
    }
}

/// Edges by place in the edge list, with their ends, event and evidence.
struct Edges<'a>(&'a Design, &'a [usize]);

impl Serialize for Edges<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Edge<'a> {
            edge: usize,
            from: &'a str,
            to: &'a str,
            event: &'a str,
            evidence: Option<&'a crate::model::Evidence>,
        }
        let design = self.0;
        serializer.collect_seq(self.1.iter().map(|&at| {
            let e = &design.edges[at];
            Edge {
                edge: at,
                from: design.id(e.from),
                to: design.id(e.to),
                event: &e.event,
                evidence: e.evidence.as_deref(),
            }
        }))
    }
}

fn invalid_json(error: &InputError) -> serde_json::Value {
    let error = match error {
        InputError::Design(error) => error,
        InputError::Template(error) => {
            let problem = match error {
                crate::template::TemplateError::Syntax {
                    line,
                    column,
                    message,
                    ..
                } => {
                    json!({"line": line, "column": column, "message": message,
                        "hint": "fix the template at that line and column"})
                }
                crate::template::TemplateError::Invalid {
                    line,
                    column,
                    path,
                    message,
                    hint,
                    ..
                } => {
                    json!({"line": line, "column": column, "path": path, "message": message, "hint": hint})
                }
            };
            return json!({"valid": false, "problems": [problem]});
        }
    };
    let problems = match error {
        LoadError::Invalid { problems, .. } => problems
            .iter()
            .map(|p| json!({"path": p.path, "message": p.message, "hint": p.hint}))
            .collect(),
        LoadError::Syntax {
            line,
            column,
            message,
            ..
        } => vec![json!({"line": line, "column": column, "message": message,
            "hint": "fix the JSON syntax at that line and column"})],
        LoadError::Limit { message, hint, .. } => vec![json!({"message": message, "hint": hint})],
        LoadError::Io { source, .. } => vec![json!({"message": source.to_string(),
            "hint": "check the path and that the file is readable"})],
    };
    json!({"valid": false, "problems": problems})
}
