//! The inspector for several services: change the kind or a property of all at once, as one
//! undo step.

use egui::{RichText, Ui};

use crate::model::edit::Command;
use crate::model::properties::{known_property, parse_text};
use crate::model::{Service, ServiceKind};

use super::super::actions::Action;
use super::super::app::App;
use super::super::theme;

/// The command that applies `change` to every service it changes (one undo step), if any.
fn batch(services: &[Service], change: impl Fn(&mut Service)) -> Option<Command> {
    let commands: Vec<Command> = services
        .iter()
        .filter_map(|service| {
            let mut updated = service.clone();
            change(&mut updated);
            (updated != *service).then_some(Command::UpdateService {
                uid: service.uid,
                service: updated,
            })
        })
        .collect();
    (!commands.is_empty()).then_some(Command::Batch(commands))
}

impl App {
    pub(super) fn multi_inspector_ui(&mut self, ui: &mut Ui) {
        let design = &self.doc.design;
        let services: Vec<Service> = self
            .selection
            .services
            .iter()
            .filter_map(|&uid| design.by_uid(uid))
            .cloned()
            .collect();
        ui.label(
            RichText::new(format!("{} services selected", services.len()))
                .strong()
                .size(16.0),
        );
        let mut ids: Vec<&str> = services.iter().take(12).map(|s| s.id.as_str()).collect();
        if services.len() > ids.len() {
            ids.push("…");
        }
        ui.label(ids.join(", "));
        ui.add_space(6.0);
        let mut command = None;
        let common = services
            .first()
            .map(|s| s.kind)
            .filter(|k| services.iter().all(|s| s.kind == *k));
        ui.horizontal(|ui| {
            let label = ui.label("Kind of all");
            let mut chosen = common;
            egui::ComboBox::from_id_salt("multi-kind")
                .selected_text(common.map_or_else(
                    || "mixed".to_owned(),
                    |k| format!("{} {k}", theme::kind_icon(k)),
                ))
                .show_ui(ui, |ui| {
                    for k in ServiceKind::ALL {
                        ui.selectable_value(
                            &mut chosen,
                            Some(k),
                            format!("{} {k}", theme::kind_icon(k)),
                        );
                    }
                })
                .response
                .labelled_by(label.id);
            if chosen != common
                && let Some(kind) = chosen
            {
                command = batch(&services, |s| s.kind = kind);
            }
        });
        ui.add_space(6.0);
        ui.label(RichText::new("A property of all").strong());
        let mut refused = None;
        ui.horizontal(|ui| {
            let label = ui.label("Key");
            ui.add(egui::TextEdit::singleline(&mut self.draft.new_key).desired_width(110.0))
                .labelled_by(label.id);
            let label = ui.label("Value");
            ui.add(
                egui::TextEdit::singleline(&mut self.draft.new_value)
                    .hint_text("text or JSON")
                    .desired_width(110.0),
            )
            .labelled_by(label.id);
        });
        ui.horizontal(|ui| {
            let key = self.draft.new_key.trim().to_owned();
            if ui.button("Set on all").clicked() {
                if key.is_empty() {
                    refused = Some("type the property's key first".to_owned());
                } else {
                    // Each service reads the text as its own kind types the key.
                    let mut values = Vec::with_capacity(services.len());
                    for s in &services {
                        match parse_text(known_property(s.kind, &key), &self.draft.new_value) {
                            Ok(value) => values.push((s.uid, value)),
                            Err(message) => {
                                refused = Some(format!("{}: {message}", s.id));
                                break;
                            }
                        }
                    }
                    if refused.is_none() {
                        command = batch(&services, |s| {
                            match values.iter().find(|(uid, _)| *uid == s.uid) {
                                Some((_, Some(value))) => {
                                    s.properties.insert(key.clone(), value.clone())
                                }
                                _ => {
                                    s.properties.remove(&key);
                                }
                            }
                        });
                    }
                }
            }
            if ui.button("Remove from all").clicked() && !key.is_empty() {
                command = batch(&services, |s| {
                    s.properties.remove(&key);
                });
            }
        });
        if let Some(message) = refused {
            self.set_error(format!("Property refused: {message}"));
        }
        if let Some(command) = command {
            self.actions.push(Action::Edit(command));
        }
        ui.add_space(8.0);
        if ui
            .button(format!("🗑 Delete {} services", services.len()))
            .clicked()
        {
            self.actions.push(Action::Delete);
        }
    }
}
