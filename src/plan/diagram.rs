//! Mermaid and Graphviz DOT diagrams: stages as ranks, cycle edges and services highlighted.

use std::io::{self, Write};

use crate::analysis::Analysis;
use crate::model::{Design, ServiceKind};

/// Highlight colour of cycles in exported diagrams.
const CYCLE_COLOUR: &str = "#d62728";

/// A Mermaid class name for a kind (class names take no hyphen).
fn class(kind: ServiceKind) -> String {
    kind.as_str().replace('-', "_")
}

/// Text inside a Mermaid quoted label: quotes and markup characters become entities.
fn mermaid_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Writes a Mermaid flowchart, left to right, one subgraph a stage.
pub fn write_mermaid(out: &mut dyn Write, design: &Design, analysis: &Analysis) -> io::Result<()> {
    writeln!(out, "flowchart LR")?;
    for (number, stage) in analysis.condensed_stages.iter().enumerate() {
        writeln!(out, "  subgraph stage{number}[\"Stage {}\"]", number + 1)?;
        writeln!(out, "    direction TB")?;
        for &step in stage {
            for &s in analysis.members(step) {
                let service = design.service(s);
                let label = mermaid_text(service.label());
                let kind = service.kind;
                let (open, close) = match kind {
                    ServiceKind::Gateway => ("([", "])"),
                    ServiceKind::Function => ("[", "]"),
                    ServiceKind::Table => ("[(", ")]"),
                    ServiceKind::Queue => ("[[", "]]"),
                    ServiceKind::Topic => ("{{", "}}"),
                    ServiceKind::Bucket => ("[/", "/]"),
                    ServiceKind::Bus => (">", "]"),
                    ServiceKind::StateMachine => ("[/", "\\]"),
                    ServiceKind::Stream => ("[\\", "\\]"),
                    ServiceKind::Schedule => ("((", "))"),
                };
                writeln!(
                    out,
                    "    s{}{open}\"{label}<br/><i>{kind}</i>\"{close}",
                    s.0
                )?;
            }
        }
        writeln!(out, "  end")?;
    }
    let mut cycle_links = Vec::new();
    for (i, edge) in design.edges.iter().enumerate() {
        writeln!(
            out,
            "  s{} -->|\"{}\"| s{}",
            edge.from.0,
            mermaid_text(&edge.event),
            edge.to.0
        )?;
        if analysis.edge_in_cycle(edge.from, edge.to) {
            cycle_links.push(i.to_string());
        }
    }
    for kind in ServiceKind::ALL {
        // The canvas's colour for the outline, a tint of it for the fill.
        writeln!(
            out,
            "  classDef {} fill:{},stroke:{}",
            class(kind),
            kind.tint_hex(),
            kind.hex()
        )?;
    }
    writeln!(
        out,
        "  classDef cycle fill:#fde0dc,stroke:{CYCLE_COLOUR},stroke-width:3px"
    )?;
    for (i, service) in design.services.iter().enumerate() {
        let class = if analysis.cycle_of[i].is_some() {
            "cycle".to_owned()
        } else {
            class(service.kind)
        };
        writeln!(out, "  class s{i} {class}")?;
    }
    if !cycle_links.is_empty() {
        writeln!(
            out,
            "  linkStyle {} stroke:{CYCLE_COLOUR},stroke-width:3px",
            cycle_links.join(",")
        )?;
    }
    Ok(())
}

/// Text inside a DOT double-quoted string.
fn dot_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Writes a Graphviz DOT digraph, left to right, each stage one rank.
pub fn write_dot(out: &mut dyn Write, design: &Design, analysis: &Analysis) -> io::Result<()> {
    writeln!(out, "digraph \"{}\" {{", dot_text(&design.name))?;
    writeln!(out, "  rankdir=LR;")?;
    writeln!(
        out,
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];"
    )?;
    writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=10];")?;
    for (number, stage) in analysis.condensed_stages.iter().enumerate() {
        writeln!(out, "  subgraph stage{number} {{")?;
        writeln!(out, "    rank=same;")?;
        for &step in stage {
            for &s in analysis.members(step) {
                let service = design.service(s);
                let colour = if analysis.cycle_of[s.index()].is_some() {
                    format!(", color=\"{CYCLE_COLOUR}\", penwidth=2")
                } else {
                    String::new()
                };
                writeln!(
                    out,
                    "    s{} [label=\"{}\\n({})\", fillcolor=\"{}\", color=\"{}\"{colour}];",
                    s.0,
                    dot_text(service.label()),
                    service.kind,
                    service.kind.tint_hex(),
                    service.kind.hex()
                )?;
            }
        }
        writeln!(out, "  }}")?;
    }
    for edge in &design.edges {
        let style = if analysis.edge_in_cycle(edge.from, edge.to) {
            format!(", color=\"{CYCLE_COLOUR}\", fontcolor=\"{CYCLE_COLOUR}\", penwidth=2")
        } else {
            String::new()
        };
        writeln!(
            out,
            "  s{} -> s{} [label=\"{}\"{style}];",
            edge.from.0,
            edge.to.0,
            dot_text(&edge.event)
        )?;
    }
    writeln!(out, "}}")
}
