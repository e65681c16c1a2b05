//! The status line: counts, acyclic or not, the last message, zoom and the unsaved marker.

use egui::{RichText, Ui};

use super::app::App;
use super::theme;

impl App {
    pub(super) fn status_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let design = &self.doc.design;
            let analysis = &self.doc.analysis;
            let summary = format!(
                "{} services · {} edges · {} stages",
                design.services.len(),
                design.edges.len(),
                analysis.stage_count()
            );
            ui.label(summary);
            ui.separator();
            if analysis.is_acyclic() {
                ui.label(RichText::new("✔ acyclic").color(theme::OK));
            } else {
                let n = analysis.cycles.len();
                ui.label(
                    RichText::new(format!("⚠ {n} cycle{}", if n == 1 { "" } else { "s" }))
                        .color(theme::WARNING),
                );
            }
            if let Some(status) = &self.status {
                ui.separator();
                let color = if status.error {
                    theme::ERROR
                } else {
                    ui.visuals().text_color()
                };
                ui.label(RichText::new(&status.text).color(color));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(format!("{:.0}%", self.canvas.camera.zoom * 100.0));
                if self.is_dirty() {
                    ui.label(RichText::new("⏺ unsaved").color(theme::WARNING));
                }
                if self.focus.is_some() {
                    ui.label(RichText::new(self.focus_text()).color(theme::SELECTION));
                }
            });
        });
    }
}
