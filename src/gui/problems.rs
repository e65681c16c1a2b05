//! The problems panel: each cycle, what closed it, its class and the filters it crosses, one
//! line each. A design can hold hundreds of thousands of loops, so the lines are listed once
//! per analysis (in time linear in the design) and only those in view are laid out.

use egui::{RichText, TextWrapMode, Ui};

use super::actions::Action;
use super::app::{App, ClosingEdge};
use super::theme;
use crate::analysis::{Analysis, LoopClass, LoopReport};
use crate::model::{Design, ServiceIndex};

/// A path longer than this many services is shown cut, with how many more.
const PATH_SHOWN: usize = 12;

/// One line of the panel.
#[derive(Debug, Clone, Copy)]
enum Row {
    /// The cycle's heading: its number, size and path (a link that frames it).
    Cycle(u32),
    /// The edge whose addition closed it (a place in the closers list).
    Closer(u32),
    /// Its class and why.
    Class(u32),
    /// What AWS's own guard would do.
    Guard(u32),
    /// A filtered edge on it (a place in the edge list).
    Filter(u32),
}

/// The panel's lines, and the analysis and closers they were listed for.
#[derive(Debug, Default)]
pub(super) struct ProblemRows {
    made_for: Option<(u64, usize)>,
    rows: Vec<Row>,
}

impl ProblemRows {
    /// Lists the lines again when `generation` (the analysis's) or the closers changed.
    fn update(
        &mut self,
        generation: u64,
        design: &Design,
        analysis: &Analysis,
        closers: &[ClosingEdge],
    ) {
        let key = (generation, closers.len());
        if self.made_for == Some(key) {
            return;
        }
        self.made_for = Some(key);
        self.rows.clear();
        let closer_of = closers_of(design, analysis, closers);
        for (i, cycle) in analysis.cycles.iter().enumerate() {
            let c = i as u32;
            self.rows.push(Row::Cycle(c));
            if let Some(k) = closer_of[i] {
                self.rows.push(Row::Closer(k));
            }
            self.rows.extend([Row::Class(c), Row::Guard(c)]);
            self.rows.extend(
                cycle
                    .edges
                    .iter()
                    .filter(|&&e| design.edges[e].filter.is_some())
                    .map(|&e| Row::Filter(e as u32)),
            );
        }
    }
}

/// Per cycle, the latest closer that closed it: its ends are members and the edge is still
/// there. O(cycles + the closers' groups' edges).
fn closers_of(design: &Design, analysis: &Analysis, closers: &[ClosingEdge]) -> Vec<Option<u32>> {
    let mut out = vec![None; analysis.cycles.len()];
    let group = |id: &str| {
        design
            .find(id)
            .and_then(|s| analysis.cycle_of.get(s.index()).copied().flatten())
    };
    for (k, closer) in closers.iter().enumerate().rev() {
        let Some(g) = group(&closer.from).filter(|&g| group(&closer.to) == Some(g)) else {
            continue;
        };
        let slot = &mut out[g as usize];
        if slot.is_none()
            && analysis.cycles[g as usize].edges.iter().any(|&e| {
                let edge = &design.edges[e];
                edge.event == closer.event
                    && design.id(edge.from) == closer.from
                    && design.id(edge.to) == closer.to
            })
        {
            *slot = Some(k as u32);
        }
    }
    out
}

/// `a -> b -> a`, cut after [`PATH_SHOWN`] services.
fn path_shown(design: &Design, path: &[ServiceIndex]) -> String {
    let mut text = crate::plan::path_text(design, &path[..path.len().min(PATH_SHOWN)]);
    if path.len() > PATH_SHOWN {
        text.push_str(&format!(" -> … ({} more)", path.len() - PATH_SHOWN));
    }
    text
}

impl App {
    pub(super) fn problems_ui(&mut self, ui: &mut Ui) {
        let analysis = &self.doc.analysis;
        let design = &self.doc.design;
        ui.horizontal(|ui| {
            ui.heading(format!("Problems ({})", analysis.cycles.len()));
        });
        if analysis.cycles.is_empty() {
            ui.label(
                RichText::new(format!(
                    "✔ No problems: the design is acyclic; {} stages, order shown on the badges.",
                    analysis.stage_count()
                ))
                .color(theme::palette(ui.ctx()).ok),
            );
            return;
        }
        self.problem_rows
            .update(self.doc.generation, design, analysis, &self.closers);
        let rows = &self.problem_rows.rows;
        let height = ui.text_style_height(&egui::TextStyle::Body);
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show_rows(ui, height, rows.len(), |ui, range| {
                ui.style_mut().wrap_mode = Some(TextWrapMode::Truncate);
                for row in &rows[range] {
                    match *row {
                        Row::Cycle(c) => {
                            let cycle = &analysis.cycles[c as usize];
                            let text = format!(
                                "⚠ Cycle {} ({} services): {}",
                                c + 1,
                                cycle.members.len(),
                                path_shown(design, &cycle.path)
                            );
                            let warning = theme::palette(ui.ctx()).warning;
                            if ui
                                .link(RichText::new(text).color(warning))
                                .on_hover_text("Select and frame these services")
                                .clicked()
                            {
                                let uids = cycle.members.iter().map(|&m| design.uid(m)).collect();
                                self.actions.push(Action::SelectAndFrame(uids));
                            }
                        }
                        Row::Closer(k) => {
                            let closer = &self.closers[k as usize];
                            ui.label(format!(
                                "      closed by the edge {} -> {} ({})",
                                closer.from, closer.to, closer.event
                            ));
                        }
                        Row::Class(c) => {
                            if let Some(report) = self.doc.loops.get(c as usize) {
                                class_line(ui, report);
                            }
                        }
                        Row::Guard(c) => {
                            if let Some(report) = self.doc.loops.get(c as usize) {
                                ui.label(format!("      {}", report.guard.reason));
                            }
                        }
                        Row::Filter(e) => {
                            let edge = &design.edges[e as usize];
                            let filter = edge.filter.as_deref().map(|f| f.describe());
                            ui.label(format!(
                                "      crosses the filter on {} -> {}: {}",
                                design.id(edge.from),
                                design.id(edge.to),
                                filter.unwrap_or_default()
                            ));
                        }
                    }
                }
            });
    }
}

/// A loop's class and why, coloured by whether it is a danger.
fn class_line(ui: &mut Ui, report: &LoopReport) {
    let palette = theme::palette(ui.ctx());
    let colour = match report.class {
        LoopClass::Intentional | LoopClass::PermissionOnly => palette.ok,
        LoopClass::Filtered if report.can_match == Some(false) => palette.ok,
        _ => palette.warning,
    };
    ui.label(
        RichText::new(format!(
            "      {}: {}",
            report.class.as_str(),
            report.explanation
        ))
        .color(colour),
    );
}
