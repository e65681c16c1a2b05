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
                "{} · {} · {}",
                super::view::counted(design.services.len(), "service"),
                super::view::counted(design.edges.len(), "edge"),
                super::view::counted(analysis.stage_count(), "stage")
            );
            ui.label(summary);
            ui.separator();
            if analysis.is_acyclic() {
                ui.label(RichText::new("✔ acyclic").color(theme::palette(ui.ctx()).ok));
            } else {
                let n = analysis.cycles.len();
                ui.label(
                    RichText::new(format!("⚠ {n} cycle{}", if n == 1 { "" } else { "s" }))
                        .color(theme::palette(ui.ctx()).warning),
                );
            }
            if let Some(status) = &self.status {
                ui.separator();
                let color = if status.error {
                    theme::palette(ui.ctx()).error
                } else {
                    ui.visuals().text_color()
                };
                ui.label(RichText::new(&status.text).color(color));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(format!("{:.0}%", self.canvas.camera.zoom * 100.0));
                if self.is_dirty() {
                    ui.label(RichText::new("⏺ unsaved").color(theme::palette(ui.ctx()).warning));
                }
                if self.focus.is_some() {
                    ui.label(
                        RichText::new(self.focus_text()).color(theme::palette(ui.ctx()).selection),
                    );
                }
            });
        });
    }
}
