//! A service's properties: a typed field for each key its kind knows, a key/value table for the
//! rest, and a row to add one.

use egui::{RichText, Ui};

use crate::model::Service;
use crate::model::properties::{PropertyType, known, known_property, parse_text, value_text};

use super::super::app::App;
use super::super::theme;

impl App {
    pub(super) fn properties_ui(&mut self, ui: &mut Ui, service: &Service) {
        ui.label(RichText::new("Properties").strong());
        let map = service.properties.to_map();
        let mut set: Option<(String, Option<serde_json::Value>)> = None;
        let mut refused: Option<String> = None;
        egui::Grid::new("service-properties")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                for property in known(service.kind) {
                    let key = property.key;
                    if property.ty == PropertyType::Flag {
                        ui.label("");
                        let mut on = map.get(key).and_then(|v| v.as_bool()).unwrap_or(false);
                        if ui
                            .checkbox(&mut on, key)
                            .on_hover_text(property.doc)
                            .changed()
                        {
                            set =
                                Some((key.to_owned(), on.then_some(serde_json::Value::Bool(true))));
                        }
                        ui.end_row();
                        continue;
                    }
                    let label = ui.label(key).on_hover_text(property.doc);
                    let text = self.draft.property_mut(key);
                    let r = ui
                        .add(
                            egui::TextEdit::singleline(text)
                                .hint_text(property.doc)
                                .desired_width(f32::INFINITY),
                        )
                        .labelled_by(label.id);
                    let current = map.get(key).map(value_text).unwrap_or_default();
                    if r.lost_focus() && text.trim() != current {
                        match parse_text(Some(property), text) {
                            Ok(value) => set = Some((key.to_owned(), value)),
                            Err(message) => refused = Some(message),
                        }
                    }
                    ui.end_row();
                }
                for (key, value) in &map {
                    if known_property(service.kind, key).is_some() {
                        continue;
                    }
                    let label = ui.label(key);
                    ui.horizontal(|ui| {
                        let text = self.draft.property_mut(key);
                        let r = ui
                            .add(egui::TextEdit::singleline(text).desired_width(180.0))
                            .labelled_by(label.id);
                        if r.lost_focus() && text.trim() != value_text(value) {
                            match parse_text(None, text) {
                                Ok(value) => set = Some((key.clone(), value)),
                                Err(message) => refused = Some(message),
                            }
                        }
                        if ui.button(format!("Remove {key}")).clicked() {
                            set = Some((key.clone(), None));
                        }
                    });
                    ui.end_row();
                }
            });
        ui.horizontal(|ui| {
            let label = ui.label("New key");
            ui.add(
                egui::TextEdit::singleline(&mut self.draft.new_key)
                    .hint_text("key")
                    .desired_width(90.0),
            )
            .labelled_by(label.id);
            let label = ui.label("value");
            ui.add(
                egui::TextEdit::singleline(&mut self.draft.new_value)
                    .hint_text("text or JSON")
                    .desired_width(110.0),
            )
            .labelled_by(label.id);
            if ui.button("Add property").clicked() {
                let key = self.draft.new_key.trim().to_owned();
                if key.is_empty() {
                    refused = Some("Type the new property's key first".to_owned());
                } else {
                    match parse_text(known_property(service.kind, &key), &self.draft.new_value) {
                        Ok(value) => set = Some((key, value)),
                        Err(message) => refused = Some(message),
                    }
                }
            }
        });
        if let Some(message) = refused {
            self.set_error(format!("Property refused: {message}"));
            self.draft.property_error = Some(message);
        }
        if let Some(error) = &self.draft.property_error {
            ui.label(RichText::new(error).color(theme::palette(ui.ctx()).error));
        }
        if let Some((key, value)) = set {
            self.draft.property_error = None;
            self.edit_service(service, |s| match value {
                Some(value) => s.properties.insert(key, value),
                None => {
                    s.properties.remove(&key);
                }
            });
        }
    }
}
