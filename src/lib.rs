//! Event Architect: design, analyse and simulate event-driven serverless systems.
//!
//! | module | owns | may import |
//! |---|---|---|
//! | [`model`] | services, event edges, ids, edit commands and undo history | std, serde |
//! | [`analysis`] | cycles, Kahn order, stages, condensed plan, critical path | `model` |
//! | [`plan`] | execution plans: JSON, Markdown, Mermaid, DOT | `model`, `analysis` |
//! | [`simulation`] | discrete-event runs: event bus (modes, filters, rules), tables and buckets, behaviours, schedules, scenarios, trace | `model`, `diagnostics` |
//! | [`template`] | SAM/CloudFormation templates: YAML with tags and positions, import with evidence; export as a deployable SAM template and the round trip of an imported one | `model`, `analysis` |
//! | [`diagnostics`] | located problems, their rendering, did-you-mean | std |
//! | [`geometry`] | layered auto-layout, edge routing around boxes, label placement: what the canvas and `render` draw (no egui) | `model`, `analysis` |
//! | [`io`] | the design file: streaming validated load, atomic save, JSON Schema | `model` |
//! | [`render`] | pictures from the geometry: SVG (tool-readable), PNG through resvg (no egui) | `model`, `analysis`, `geometry` |
//! | [`limits`] | the memory budget that bounds what a command may hold | std |
//! | [`recovery`] | recovery copies of unsaved work: write, list, load, remove (no egui) | `model`, `io` |
//! | [`cli`] | argument parsing and headless subcommands | everything but `gui` |
//! | [`platform`] | what differs per OS: data folder, app id, command key (one place each) | std |
//! | [`build_info`] | version, commit and licence of this build | std |
//! | [`gui`] | the designer window (feature `gui`): canvas, menus, inspector, problems, file dialogs | everything, egui, eframe, egui_graphs, rfd |
//!
//! Nothing but `gui` imports egui.

pub mod analysis;
pub mod build_info;
pub mod cli;
pub mod diagnostics;
pub mod geometry;
#[cfg(feature = "gui")]
pub mod gui;
pub mod io;
pub mod limits;
pub mod model;
pub mod plan;
pub mod platform;
pub mod recovery;
pub mod render;
pub mod simulation;
pub mod template;

/// The built-in register/login design (`samples/register_login.json`), opened when no file is.
pub const BUILTIN_DESIGN: &str = include_str!("../samples/register_login.json");

/// Parses the built-in design. A test keeps it valid.
pub fn builtin_design() -> model::Design {
    io::parse_design(BUILTIN_DESIGN.as_bytes(), "built-in design").unwrap_or_default()
}
