//! The inspector for one edge.

use std::sync::Arc;

use egui::{RichText, Ui};

use crate::model::edit::Command;
use crate::model::filter::CompactJson;
use crate::model::{EdgeFilter, EdgeMode, EventEdge};

use super::super::actions::Action;
use super::super::app::App;
use super::super::theme;
use super::text_field;

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
            let label = ui.label("Mode");
            let mut mode = edge.mode;
            egui::ComboBox::from_id_salt("edge-mode")
                .selected_text(mode.as_str())
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut mode, EdgeMode::Async, "async (through the bus)");
                    ui.selectable_value(&mut mode, EdgeMode::Sync, "sync (a direct call)");
                })
                .response
                .labelled_by(label.id);
            if mode != edge.mode {
                self.actions.push(Action::Edit(Command::UpdateEdge {
                    uid: edge.uid,
                    event: edge.event.clone(),
                    mode,
                    filter: edge.filter.clone(),
                }));
            }
        });
        ui.add_space(6.0);
        self.filter_ui(ui, &edge);
        crate::gui::template_ui::evidence_ui(ui, &edge);
        if self.doc.analysis.edge_in_cycle(edge.from, edge.to) {
            ui.label(
                RichText::new("⚠ this edge is part of a cycle")
                    .color(theme::palette(ui.ctx()).warning),
            );
        }
        ui.add_space(8.0);
        if ui.button("🗑 Delete edge").clicked() {
            self.actions.push(Action::Delete);
        }
    }

    /// The edge's filter: an object-key prefix and suffix, and an event pattern (JSON).
    fn filter_ui(&mut self, ui: &mut Ui, edge: &EventEdge) {
        ui.label(RichText::new("Filter").strong())
            .on_hover_text("Which events take this edge; empty fields let everything through");
        let draft = &mut self.draft;
        let mut commit = false;
        egui::Grid::new("edge-filter")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                commit |= text_field(ui, "Key prefix", &mut draft.filter_prefix, "e.g. uploads/")
                    .lost_focus();
                ui.end_row();
                commit |= text_field(ui, "Key suffix", &mut draft.filter_suffix, "e.g. .jpg")
                    .lost_focus();
                ui.end_row();
            });
        let label = ui.label("Event pattern (JSON)");
        commit |= ui
            .add(
                egui::TextEdit::multiline(&mut draft.filter_pattern)
                    .code_editor()
                    .hint_text(r#"{"detail": {"status": ["paid"]}}"#)
                    .desired_rows(2)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id)
            .lost_focus();
        if commit {
            match filter_of(
                &draft.filter_prefix,
                &draft.filter_suffix,
                &draft.filter_pattern,
            ) {
                Ok(filter) if filter != edge.filter => {
                    draft.property_error = None;
                    self.actions.push(Action::Edit(Command::UpdateEdge {
                        uid: edge.uid,
                        event: edge.event.clone(),
                        mode: edge.mode,
                        filter,
                    }));
                }
                Ok(_) => draft.property_error = None,
                Err(message) => draft.property_error = Some(message),
            }
        }
        if let Some(error) = &self.draft.property_error {
            ui.label(RichText::new(error).color(theme::palette(ui.ctx()).error));
        }
    }
}

/// The filter the fields describe; `None` when all are empty.
fn filter_of(prefix: &str, suffix: &str, pattern: &str) -> Result<Option<Box<EdgeFilter>>, String> {
    let text = |t: &str| (!t.trim().is_empty()).then(|| t.trim().to_owned());
    let pattern = match pattern.trim() {
        "" => None,
        json => match serde_json::from_str::<serde_json::Value>(json) {
            Ok(value) => Some(CompactJson::new(&value)),
            Err(error) => return Err(format!("The event pattern is not JSON: {error}")),
        },
    };
    let filter = EdgeFilter {
        prefix: text(prefix),
        suffix: text(suffix),
        pattern,
    };
    Ok((!filter.is_empty()).then(|| Box::new(filter)))
}
