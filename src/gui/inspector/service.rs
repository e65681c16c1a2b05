//! The inspector for one service.

use egui::{RichText, Ui};

use crate::model::edit::Command;
use crate::model::{ServiceIndex, ServiceKind};

use super::super::actions::Action;
use super::super::app::App;
use super::super::theme;

impl App {
    pub(super) fn service_inspector_ui(&mut self, ui: &mut Ui, index: ServiceIndex) {
        let Some(service) = self.doc.design.services.get(index.index()).cloned() else {
            return;
        };
        ui.label(
            RichText::new(format!(
                "{} {}",
                theme::kind_icon(service.kind),
                service.label()
            ))
            .color(theme::kind_color(service.kind))
            .strong()
            .size(16.0),
        );
        ui.add_space(6.0);
        egui::Grid::new("service-fields")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let label = ui.label("Id");
                let r = ui.add(
                    egui::TextEdit::singleline(&mut self.draft.id).desired_width(f32::INFINITY),
                );
                let r = r.labelled_by(label.id);
                if r.lost_focus() && self.draft.id != service.id {
                    let mut updated = service.clone();
                    updated.id = self.draft.id.trim().to_owned();
                    match self.doc.design.check_new_id(&updated.id, Some(index)) {
                        Ok(()) => {
                            self.draft.error = None;
                            self.actions.push(Action::Edit(Command::UpdateService {
                                uid: service.uid,
                                service: updated,
                            }));
                        }
                        Err(message) => {
                            self.set_error(format!("Id refused: {message}"));
                            self.draft.error = Some(message);
                        }
                    }
                }
                ui.end_row();
                if let Some(error) = &self.draft.error {
                    ui.label("");
                    ui.label(RichText::new(error).color(theme::ERROR));
                    ui.end_row();
                }
                let label = ui.label("Name");
                let r = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.draft.name)
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                if r.lost_focus() && self.draft.name != service.name {
                    let mut updated = service.clone();
                    updated.name = self.draft.name.clone();
                    self.actions.push(Action::Edit(Command::UpdateService {
                        uid: service.uid,
                        service: updated,
                    }));
                }
                ui.end_row();
                ui.label("Kind");
                let mut kind = service.kind;
                egui::ComboBox::from_id_salt("service-kind")
                    .selected_text(format!("{} {kind}", theme::kind_icon(kind)))
                    .show_ui(ui, |ui| {
                        for k in ServiceKind::ALL {
                            ui.selectable_value(
                                &mut kind,
                                k,
                                format!("{} {k}", theme::kind_icon(k)),
                            );
                        }
                    });
                if kind != service.kind {
                    let mut updated = service.clone();
                    updated.kind = kind;
                    self.actions.push(Action::Edit(Command::UpdateService {
                        uid: service.uid,
                        service: updated,
                    }));
                }
                ui.end_row();
            });
        ui.add_space(4.0);
        let label = ui.label("Notes");
        let r = ui
            .add(
                egui::TextEdit::multiline(&mut self.draft.notes)
                    .desired_rows(4)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if r.lost_focus() && self.draft.notes != service.notes {
            let mut updated = service.clone();
            updated.notes = self.draft.notes.clone();
            self.actions.push(Action::Edit(Command::UpdateService {
                uid: service.uid,
                service: updated,
            }));
        }
        ui.add_space(8.0);
        let analysis = &self.doc.analysis;
        let i = index.index();
        ui.label(format!(
            "Order #{} · stage {}",
            analysis.order_position.get(i).map_or(0, |o| o + 1),
            analysis.stage_of.get(i).map_or(0, |s| s + 1)
        ));
        if analysis.cycle_of.get(i).copied().flatten().is_some() {
            ui.label(RichText::new("⚠ part of a cycle").color(theme::WARNING));
        }
        let design = &self.doc.design;
        let consumes = design.consumed_events(index).join(", ");
        let publishes = design.published_events(index).join(", ");
        ui.label(format!(
            "Consumes: {}",
            if consumes.is_empty() {
                "—"
            } else {
                &consumes
            }
        ));
        ui.label(format!(
            "Publishes: {}",
            if publishes.is_empty() {
                "—"
            } else {
                &publishes
            }
        ));
        ui.add_space(8.0);
        if ui.button("🗑 Delete service").clicked() {
            self.actions.push(Action::Delete);
        }
    }
}
