//! The Markdown plan: blocking cycles first, then one numbered section per stage.

use std::io::{self, Write};

use super::{EventIndex, path_text};
use crate::analysis::Analysis;
use crate::model::Design;

/// Text as a Markdown code span that survives backticks in it, and `|` inside a table.
fn code(text: &str, in_table: bool) -> String {
    let mut text = text.replace(['\n', '\r'], " ");
    if in_table {
        text = text.replace('|', "\\|");
    }
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Plain text with Markdown and HTML markup characters escaped.
fn prose(text: &str, in_table: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '*' | '_' | '`' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '|' if in_table => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn events<'a>(list: impl ExactSizeIterator<Item = &'a str>) -> String {
    if list.len() == 0 {
        "–".to_owned()
    } else {
        list.map(|e| code(e, true)).collect::<Vec<_>>().join(", ")
    }
}

/// Writes the plan as Markdown for a wiki page or a pull request.
pub fn write_markdown(out: &mut dyn Write, design: &Design, analysis: &Analysis) -> io::Result<()> {
    write_markdown_with(out, design, analysis, &EventIndex::new(design))
}

/// [`write_markdown`] with the design's events already indexed.
pub(super) fn write_markdown_with(
    out: &mut dyn Write,
    design: &Design,
    analysis: &Analysis,
    index: &EventIndex,
) -> io::Result<()> {
    let title = if design.name.is_empty() {
        "Untitled design"
    } else {
        &design.name
    };
    writeln!(out, "# Execution plan: {}\n", prose(title, false))?;
    writeln!(
        out,
        "{} services, {} event edges, {} stages.\n",
        design.services.len(),
        design.edges.len(),
        analysis.stage_count()
    )?;
    if analysis.is_acyclic() {
        writeln!(out, "No cycles: the design can start in the order below.\n")?;
    } else {
        writeln!(out, "## Blocking: {} cycle(s)\n", analysis.cycles.len())?;
        writeln!(
            out,
            "These services trigger each other in a loop. Break each loop (remove or redirect an edge) before deploying; until then each group runs as one step of the condensed plan.\n"
        )?;
        for (i, cycle) in analysis.cycles.iter().enumerate() {
            let members = cycle
                .members
                .iter()
                .map(|&s| code(design.id(s), false))
                .collect::<Vec<_>>()
                .join(", ");
            writeln!(
                out,
                "{}. {} — path: {}",
                i + 1,
                members,
                code(&path_text(design, &cycle.path), false)
            )?;
        }
        writeln!(out)?;
    }
    let label = if analysis.is_acyclic() {
        "Stage"
    } else {
        "Stage (condensed)"
    };
    for (number, stage) in analysis.condensed_stages.iter().enumerate() {
        writeln!(out, "## {label} {}\n", number + 1)?;
        writeln!(out, "| Service | Kind | Consumes | Publishes |")?;
        writeln!(out, "|---|---|---|---|")?;
        for &step in stage {
            let cycle = analysis.step_cycle(step);
            for &s in analysis.members(step) {
                let service = design.service(s);
                let mut name = code(&service.id, true);
                if !service.name.is_empty() {
                    name.push_str(&format!(" ({})", prose(&service.name, true)));
                }
                if let Some(c) = cycle {
                    name.push_str(&format!(" ⚠ cycle {}", c + 1));
                }
                writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    name,
                    service.kind,
                    events(index.consumes(s)),
                    events(index.publishes(s))
                )?;
            }
        }
        writeln!(out)?;
    }
    if !analysis.critical_path.is_empty() {
        let path = analysis
            .critical_path
            .iter()
            .flat_map(|&step| analysis.members(step))
            .map(|&s| code(design.id(s), false))
            .collect::<Vec<_>>()
            .join(" → ");
        writeln!(out, "**Critical path:** {path}")?;
    }
    Ok(())
}
