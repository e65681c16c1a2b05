//! Execution plans and their exporters: JSON (the contract), Markdown, Mermaid and Graphviz DOT.
//!
//! Every exporter reads the same [`Analysis`], so a wiki page, a diagram and the GUI agree.

mod diagram;
mod markdown;

use std::fmt;
use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::analysis::{Analysis, Step};
use crate::model::{Design, ServiceIndex, ServiceKind};

pub use diagram::{write_dot, write_mermaid};
pub use markdown::write_markdown;

/// The formats a plan can be exported in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    /// The plan as JSON (the documented contract).
    Json,
    /// A Markdown page for a wiki or pull request.
    Markdown,
    /// A Mermaid flowchart.
    Mermaid,
    /// A Graphviz DOT graph.
    Dot,
}

impl PlanFormat {
    /// Every format, in menu order.
    pub const ALL: [PlanFormat; 4] = [
        PlanFormat::Json,
        PlanFormat::Markdown,
        PlanFormat::Mermaid,
        PlanFormat::Dot,
    ];

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            PlanFormat::Json => "json",
            PlanFormat::Markdown => "md",
            PlanFormat::Mermaid => "mmd",
            PlanFormat::Dot => "dot",
        }
    }

    /// The format a file name's extension asks for.
    pub fn from_extension(path: &std::path::Path) -> Option<PlanFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "json" => Some(PlanFormat::Json),
            "md" | "markdown" => Some(PlanFormat::Markdown),
            "mmd" | "mermaid" => Some(PlanFormat::Mermaid),
            "dot" | "gv" => Some(PlanFormat::Dot),
            _ => None,
        }
    }
}

impl fmt::Display for PlanFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PlanFormat::Json => "JSON",
            PlanFormat::Markdown => "Markdown",
            PlanFormat::Mermaid => "Mermaid",
            PlanFormat::Dot => "Graphviz DOT",
        })
    }
}

/// Writes a plan in a format.
pub fn write_plan(
    out: &mut dyn Write,
    format: PlanFormat,
    design: &Design,
    analysis: &Analysis,
) -> io::Result<()> {
    match format {
        PlanFormat::Json => write_json(out, design, analysis),
        PlanFormat::Markdown => write_markdown(out, design, analysis),
        PlanFormat::Mermaid => write_mermaid(out, design, analysis),
        PlanFormat::Dot => write_dot(out, design, analysis),
    }
}

/// The events each service consumes and publishes, deduplicated, built in one pass over edges.
pub struct EventIndex<'a> {
    consumes: Vec<Vec<&'a str>>,
    publishes: Vec<Vec<&'a str>>,
}

impl<'a> EventIndex<'a> {
    /// Indexes a design's edges. O(E) (a service's list is short, so dedup scans it).
    pub fn new(design: &'a Design) -> EventIndex<'a> {
        let n = design.services.len();
        let mut index = EventIndex {
            consumes: vec![Vec::new(); n],
            publishes: vec![Vec::new(); n],
        };
        for edge in &design.edges {
            for (list, service) in [
                (&mut index.publishes, edge.from),
                (&mut index.consumes, edge.to),
            ] {
                let events = &mut list[service.index()];
                if !events.contains(&&*edge.event) {
                    events.push(&edge.event);
                }
            }
        }
        index
    }

    /// Events a service consumes.
    pub fn consumes(&self, service: ServiceIndex) -> &[&'a str] {
        &self.consumes[service.index()]
    }

    /// Events a service publishes.
    pub fn publishes(&self, service: ServiceIndex) -> &[&'a str] {
        &self.publishes[service.index()]
    }
}

/// Serializes a list of services as their ids, without collecting them first.
struct Ids<'a>(&'a Design, &'a [ServiceIndex]);

impl Serialize for Ids<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.1.iter().map(|&s| self.0.id(s)))
    }
}

/// Serializes any cloneable iterator as a JSON array, lazily: at a million services the plan
/// would otherwise hold millions of small vectors just to print them.
struct Seq<I>(I);

impl<I> Serialize for Seq<I>
where
    I: Iterator + Clone,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone())
    }
}

#[derive(Serialize)]
struct JsonStep<'a> {
    id: &'a str,
    kind: ServiceKind,
    stage: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    cycle: Option<u32>,
    consumes: &'a [&'a str],
    publishes: &'a [&'a str],
}

#[derive(Serialize)]
struct JsonGroup<'a> {
    services: Ids<'a>,
    cycle: bool,
}

/// Writes the JSON plan: the contract fields `design`, `acyclic`, `order`, `stages`, `cycles`,
/// plus `cycle_paths`, `steps` (each service with its stage and events, in condensed order),
/// `condensed_order`, `condensed_stages` and `critical_path`.
pub fn write_json(out: &mut dyn Write, design: &Design, analysis: &Analysis) -> io::Result<()> {
    let events = EventIndex::new(design);
    let group = |step: &Step| JsonGroup {
        services: Ids(design, analysis.members(*step)),
        cycle: analysis.step_cycle(*step).is_some(),
    };
    let in_order = || {
        analysis
            .condensed_order
            .iter()
            .flat_map(|&step| analysis.members(step))
    };
    let steps = in_order().map(|&s| JsonStep {
        id: design.id(s),
        kind: design.service(s).kind,
        stage: analysis.stage_of[s.index()],
        cycle: analysis.cycle_of[s.index()],
        consumes: events.consumes(s),
        publishes: events.publishes(s),
    });
    let critical = analysis
        .critical_path
        .iter()
        .flat_map(|&step| analysis.members(step))
        .map(|&s| design.id(s));
    let mut map = serde_json::Serializer::pretty(&mut *out);
    let mut plan = map.serialize_map(None)?;
    plan.serialize_entry("design", &design.name)?;
    plan.serialize_entry("acyclic", &analysis.is_acyclic())?;
    plan.serialize_entry("order", &Ids(design, &analysis.order))?;
    plan.serialize_entry(
        "stages",
        &Seq(analysis.stages.iter().map(|s| Ids(design, s))),
    )?;
    plan.serialize_entry(
        "cycles",
        &Seq(analysis.cycles.iter().map(|c| Ids(design, &c.members))),
    )?;
    plan.serialize_entry(
        "cycle_paths",
        &Seq(analysis.cycles.iter().map(|c| Ids(design, &c.path))),
    )?;
    plan.serialize_entry("steps", &Seq(steps))?;
    plan.serialize_entry(
        "condensed_order",
        &Seq(analysis.condensed_order.iter().map(group)),
    )?;
    plan.serialize_entry(
        "condensed_stages",
        &Seq(analysis
            .condensed_stages
            .iter()
            .map(|stage| Seq(stage.iter().map(group)))),
    )?;
    plan.serialize_entry("critical_path", &Seq(critical))?;
    SerializeMap::end(plan)?;
    out.write_all(b"\n")
}

/// A cycle path as users read it: `a -> b -> a`.
pub fn path_text(design: &Design, path: &[ServiceIndex]) -> String {
    path.iter()
        .map(|&s| design.id(s))
        .collect::<Vec<_>>()
        .join(" -> ")
}
