//! `event-architect check`: problems, cycles and a summary.

use std::io::{self, Write};
use std::path::PathBuf;

use serde_json::json;

use super::input::{self, InputError};
use super::{EXIT_CYCLES, EXIT_OK, shown, shown_path, stdout};
use crate::analysis::{Analysis, LoopClass, LoopReport, analyze, classify};
use crate::io::LoadError;
use crate::model::Design;

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
}

pub(super) fn run(args: &CheckArgs) -> u8 {
    // Named as the loader names it in errors.
    let origin = if args.file.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        args.file.display().to_string()
    };
    // Never freed: the process ends right after (see `plan`).
    let design = std::mem::ManuallyDrop::new(match input::read(&args.file) {
        Ok(input) => {
            if let Some(version) = input.version
                && let Some(note) =
                    crate::io::migration_note(&crate::io::origin(&args.file), version)
            {
                eprintln!("{}", super::shown(&note));
            }
            input.design
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
            return code;
        }
    });
    let analysis = std::mem::ManuallyDrop::new(analyze(&design));
    let loops = classify(&design, &analysis);
    let written = stdout::write("the report", |out| match args.format {
        CheckFormat::Text => write_text_with(out, &origin, &design, &analysis, &loops),
        CheckFormat::Json => writeln!(out, "{:#}", valid_json(&design, &analysis, &loops)),
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
                for &at in &report.edges {
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

fn valid_json(design: &Design, analysis: &Analysis, loops: &[LoopReport]) -> serde_json::Value {
    let ids = |list: &[crate::model::ServiceIndex]| {
        list.iter().map(|&s| design.id(s)).collect::<Vec<_>>()
    };
    json!({
        "valid": true,
        "problems": [],
        "design": design.name,
        "services": design.services.len(),
        "edges": design.edges.len(),
        "stages": analysis.stage_count(),
        "acyclic": analysis.is_acyclic(),
        "cycles": analysis.cycles.iter().map(|c| ids(&c.members)).collect::<Vec<_>>(),
        "cycle_paths": analysis.cycles.iter().map(|c| ids(&c.path)).collect::<Vec<_>>(),
        "cycle_filters": analysis.cycles.iter().map(|c| {
            crate::analysis::filters_crossed(design, c).iter().map(|x| json!({
                "edge": x.position, "from": x.from, "to": x.to, "event": x.event,
                "filter": x.filter,
            })).collect::<Vec<_>>()
        }).collect::<Vec<_>>(),
        "failing_cycles": loops.iter().filter(|l| l.class != LoopClass::Intentional).count(),
        "loops": analysis.cycles.iter().zip(loops).map(|(c, l)| json!({
            "members": ids(&c.members),
            "class": l.class.as_str(),
            "explanation": l.explanation,
            "can_match": l.can_match,
            "bound": l.bound.map(|(kind, count)| json!({"kind": kind.as_str(), "count": count})),
            "aws_guard": {"stops": l.guard.stops, "reason": l.guard.reason},
            "edges": l.edges.iter().map(|&at| {
                let e = &design.edges[at];
                json!({"edge": at, "from": design.id(e.from), "to": design.id(e.to),
                       "event": &*e.event, "evidence": e.evidence.as_deref()})
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
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
