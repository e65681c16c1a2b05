//! The problems panel: each cycle, what closed it and the filters it crosses.

use egui::{RichText, Ui};

use super::actions::Action;
use super::app::App;
use super::theme;

impl App {
    pub(super) fn problems_ui(&mut self, ui: &mut Ui) {
        let analysis = &self.doc.analysis;
        let design = &self.doc.design;
        ui.horizontal(|ui| {
            ui.heading(format!("Problems ({})", analysis.cycles.len()));
        });
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            if analysis.cycles.is_empty() {
                ui.label(
                    RichText::new(format!(
                        "✔ No problems: the design is acyclic; {} stages, order shown on the badges.",
                        analysis.stage_count()
                    ))
                    .color(theme::palette(ui.ctx()).ok),
                );
            }
            for (i, cycle) in analysis.cycles.iter().enumerate() {
                let path = crate::plan::path_text(design, &cycle.path);
                let text = format!(
                    "⚠ Cycle {} ({} services): {path}",
                    i + 1,
                    cycle.members.len()
                );
                ui.horizontal(|ui| {
                    if ui
                        .link(RichText::new(text).color(theme::palette(ui.ctx()).warning))
                        .on_hover_text("Select and frame these services")
                        .clicked()
                    {
                        let uids = cycle.members.iter().map(|&m| design.uid(m)).collect();
                        self.actions.push(Action::SelectAndFrame(uids));
                    }
                });
                let members: Vec<&str> = cycle.members.iter().map(|&m| design.id(m)).collect();
                if let Some(closer) = self.closers.iter().rev().find(|c| {
                    members.contains(&c.from.as_str())
                        && members.contains(&c.to.as_str())
                        && design.edges.iter().any(|e| {
                            e.event == c.event
                                && design.id(e.from) == c.from
                                && design.id(e.to) == c.to
                        })
                }) {
                    ui.label(format!(
                        "      closed by the edge {} -> {} ({})",
                        closer.from, closer.to, closer.event
                    ));
                }
                super::template_ui::loop_class_ui(ui, self.doc.loops.get(i));
                for crossing in crate::analysis::filters_crossed(design, cycle) {
                    ui.label(format!(
                        "      crosses the filter on {} -> {}: {}",
                        crossing.from,
                        crossing.to,
                        crossing.filter.describe()
                    ));
                }
            }
        });
    }
}
