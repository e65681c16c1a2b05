//! `event-architect check`: problems, cycles and a summary.

use std::io::{self, Write};
use std::path::PathBuf;

use serde_json::json;

use super::{EXIT_CYCLES, EXIT_OK, report_load_error, shown, shown_path, stdout};
use crate::analysis::{Analysis, analyze};
use crate::io::LoadError;
use crate::model::Design;

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The design file (`-` reads standard input).
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
    let design = std::mem::ManuallyDrop::new(match crate::io::load_path_versioned(&args.file) {
        Ok((design, version)) => {
            if let Some(note) = crate::io::migration_note(&crate::io::origin(&args.file), version) {
                eprintln!("{}", super::shown(&note));
            }
            design
        }
        Err(error) => {
            let code = report_load_error(&error);
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
    let written = stdout::write("the report", |out| match args.format {
        CheckFormat::Text => write_text(out, &origin, &design, &analysis),
        CheckFormat::Json => writeln!(out, "{:#}", valid_json(&design, &analysis)),
    });
    if let Err(code) = written {
        return code;
    }
    if analysis.is_acyclic() {
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
        writeln!(
            out,
            "error: {count} cycle{} found",
            if count == 1 { "" } else { "s" }
        )?;
        for (i, cycle) in analysis.cycles.iter().enumerate() {
            let ids: Vec<String> = cycle.members.iter().map(|&s| shown(design.id(s))).collect();
            writeln!(
                out,
                "  cycle {}: {} (path: {})",
                i + 1,
                ids.join(", "),
                shown_path(design, &cycle.path)
            )?;
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
        writeln!(
            out,
            "  hint: remove or redirect one edge of each cycle; `event-architect plan` shows the condensed plan"
        )?;
    }
    Ok(())
}

fn valid_json(design: &Design, analysis: &Analysis) -> serde_json::Value {
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
    })
}

fn invalid_json(error: &LoadError) -> serde_json::Value {
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
