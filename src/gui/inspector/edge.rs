//! The inspector for one edge.

use std::sync::Arc;

use egui::{RichText, Ui};

use crate::model::EdgeMode;
use crate::model::edit::Command;

use super::super::actions::Action;
use super::super::app::App;
use super::super::theme;

impl App {
    pub(super) fn edge_inspector_ui(&mut self, ui: &mut Ui, position: usize) {
        let Some(edge) = self.doc.design.edges.get(position).cloned() else {
            return;
        };
        let design = &self.doc.design;
        ui.label(
            RichText::new(format!(
                "{} -> {}",
                design.service(edge.from).label(),
                design.service(edge.to).label()
            ))
            .strong()
            .size(16.0),
        );
        ui.add_space(6.0);
        let label = ui.label("Event");
        let r = ui
            .add(egui::TextEdit::singleline(&mut self.draft.event).desired_width(f32::INFINITY))
            .labelled_by(label.id);
        if r.lost_focus() && *self.draft.event != *edge.event {
            self.actions.push(Action::Edit(Command::UpdateEdge {
                uid: edge.uid,
                event: Arc::from(self.draft.event.trim()),
                mode: edge.mode,
                filter: edge.filter.clone(),
            }));
        }
        ui.horizontal(|ui| {
            ui.label("Mode");
            let mut mode = edge.mode;
            egui::ComboBox::from_id_salt("edge-mode")
                .selected_text(mode.as_str())
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut mode, EdgeMode::Async, "async (through the bus)");
                    ui.selectable_value(&mut mode, EdgeMode::Sync, "sync (a direct call)");
                });
            if mode != edge.mode {
                self.actions.push(Action::Edit(Command::UpdateEdge {
                    uid: edge.uid,
                    event: edge.event.clone(),
                    mode,
                    filter: edge.filter.clone(),
                }));
            }
        });
        if let Some(filter) = &edge.filter {
            ui.label(format!("Filter: {}", filter.describe()));
        }
        if self.doc.analysis.edge_in_cycle(edge.from, edge.to) {
            ui.label(RichText::new("⚠ this edge is part of a cycle").color(theme::WARNING));
        }
        ui.add_space(8.0);
        if ui.button("🗑 Delete edge").clicked() {
            self.actions.push(Action::Delete);
        }
    }
}
