//! The inspector for one service: id, name, kind, behaviour, notes, a gateway's routes and the
//! kind's properties.

use egui::{RichText, Ui};

use crate::model::{Behavior, ServiceIndex, ServiceKind};

use super::super::actions::Action;
use super::super::app::App;
use super::super::theme;

/// What each behaviour does, for the menu.
fn behavior_text(behavior: Option<Behavior>) -> &'static str {
    match behavior {
        None => "forward (default)",
        Some(Behavior::Register) => "register: store a new user",
        Some(Behavior::Login) => "login: check a password",
        Some(Behavior::StorePut) => "store-put: write the payload",
        Some(Behavior::StoreGet) => "store-get: read an item",
        Some(Behavior::Forward) => "forward: publish what it gets",
        Some(Behavior::Sink) => "sink: publish nothing",
    }
}

/// Kinds whose behaviour the simulator reads (a table is a store, a gateway routes).
fn has_behavior(kind: ServiceKind) -> bool {
    !matches!(kind, ServiceKind::Table | ServiceKind::Gateway)
}

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
            .color(theme::palette(ui.ctx()).kind_text(service.kind))
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
                    let id = self.draft.id.trim().to_owned();
                    match self.doc.design.check_new_id(&id, Some(index)) {
                        Ok(()) => {
                            self.draft.error = None;
                            self.edit_service(&service, |s| s.id = id);
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
                    ui.label(RichText::new(error).color(theme::palette(ui.ctx()).error));
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
                    let name = self.draft.name.clone();
                    self.edit_service(&service, |s| s.name = name);
                }
                ui.end_row();
                let label = ui.label("Kind");
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
                    })
                    .response
                    .labelled_by(label.id);
                self.edit_service(&service, |s| s.kind = kind);
                ui.end_row();
                if has_behavior(service.kind) {
                    let label = ui.label("Behaviour");
                    let mut behavior = service.behavior;
                    egui::ComboBox::from_id_salt("service-behavior")
                        .selected_text(behavior_text(behavior))
                        .width(220.0)
                        .show_ui(ui, |ui| {
                            for b in std::iter::once(None).chain(Behavior::ALL.map(Some)) {
                                ui.selectable_value(&mut behavior, b, behavior_text(b));
                            }
                        })
                        .response
                        .labelled_by(label.id)
                        .on_hover_text("What the simulator does when an event reaches it");
                    self.edit_service(&service, |s| s.behavior = behavior);
                    ui.end_row();
                }
            });
        ui.add_space(4.0);
        let label = ui.label("Notes");
        let r = ui
            .add(
                egui::TextEdit::multiline(&mut self.draft.notes)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if r.lost_focus() && self.draft.notes != service.notes {
            let notes = self.draft.notes.clone();
            self.edit_service(&service, |s| s.notes = notes);
        }
        if service.kind == ServiceKind::Gateway || !service.routes.is_empty() {
            ui.add_space(8.0);
            self.routes_ui(ui, &service, index);
        }
        ui.add_space(8.0);
        self.properties_ui(ui, &service);
        ui.add_space(8.0);
        let analysis = &self.doc.analysis;
        let i = index.index();
        ui.label(format!(
            "Order #{} · stage {}",
            analysis.order_position.get(i).map_or(0, |o| o + 1),
            analysis.stage_of.get(i).map_or(0, |s| s + 1)
        ));
        if analysis.cycle_of.get(i).copied().flatten().is_some() {
            ui.label(RichText::new("⚠ part of a cycle").color(theme::palette(ui.ctx()).warning));
        }
        let design = &self.doc.design;
        let consumes = design.consumed_events(index).join(", ");
        let publishes = design.published_events(index).join(", ");
        let or_dash = |text: &str| {
            if text.is_empty() {
                "—".to_owned()
            } else {
                text.to_owned()
            }
        };
        ui.label(format!("Consumes: {}", or_dash(&consumes)));
        ui.label(format!("Publishes: {}", or_dash(&publishes)));
        ui.add_space(8.0);
        if ui.button("🗑 Delete service").clicked() {
            self.actions.push(Action::Delete);
        }
    }
}
