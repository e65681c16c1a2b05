//! The inspector: edits what is selected (a service, several services, an edge) or else the
//! design itself. Text fields are drafts committed on Enter or focus loss, each as one command.

mod design;
mod edge;
mod multi;
mod properties;
mod routes;
mod service;

use egui::Ui;

use crate::model::edit::Command;
use crate::model::properties::{known, value_text};
use crate::model::{EdgeUid, Service, ServiceIndex, ServiceUid};

use super::actions::Action;
use super::app::App;

/// The inspector's text fields, edited in place and committed on Enter or focus loss.
/// Session state, rebuilt from the design whenever the selection or the design changes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    /// What the draft was made from: the one selected service, the edge, the revision.
    pub(crate) key: Option<(Option<ServiceUid>, Option<EdgeUid>, u64)>,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) notes: String,
    pub(crate) event: String,
    pub(crate) design_name: String,
    /// A gateway's routes: (method and path, event).
    pub(crate) routes: Vec<(String, String)>,
    /// Property fields as typed, by key: the kind's known keys, then the others.
    pub(crate) properties: Vec<(String, String)>,
    /// The "add a property" row (also the multi-selection's "set on all").
    pub(crate) new_key: String,
    pub(crate) new_value: String,
    /// An edge's filter fields.
    pub(crate) filter_prefix: String,
    pub(crate) filter_suffix: String,
    pub(crate) filter_pattern: String,
    /// Why the last committed id was refused.
    pub(crate) error: Option<String>,
    /// Why the last property, route or filter field was refused.
    pub(crate) property_error: Option<String>,
}

impl Draft {
    /// The draft of a service's fields.
    fn of_service(&mut self, s: &Service) {
        self.id = s.id.clone();
        self.name = s.name.clone();
        self.notes = s.notes.clone();
        self.routes = s
            .routes
            .iter()
            .map(|r| (r.route.clone(), r.event.clone()))
            .collect();
        let map = s.properties.to_map();
        self.properties = known(s.kind)
            .iter()
            .map(|k| {
                (
                    k.key.to_owned(),
                    map.get(k.key).map(value_text).unwrap_or_default(),
                )
            })
            .collect();
        for (key, value) in &map {
            if !self.properties.iter().any(|(k, _)| k == key) {
                self.properties.push((key.clone(), value_text(value)));
            }
        }
    }

    /// The typed text of a property field.
    pub(crate) fn property_mut(&mut self, key: &str) -> &mut String {
        let at = match self.properties.iter().position(|(k, _)| k == key) {
            Some(at) => at,
            None => {
                self.properties.push((key.to_owned(), String::new()));
                self.properties.len() - 1
            }
        };
        &mut self.properties[at].1
    }
}

/// A single-line field under a label (the label names it for screen readers and tests).
/// Returns the field's response; commit on `lost_focus()`.
pub(crate) fn text_field(
    ui: &mut Ui,
    label: &str,
    text: &mut String,
    hint: &str,
) -> egui::Response {
    let label = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(f32::INFINITY),
    )
    .labelled_by(label.id)
}

impl App {
    /// Queues the edit of one service: `change` applied to a copy of it.
    pub(super) fn edit_service(&mut self, service: &Service, change: impl FnOnce(&mut Service)) {
        let mut updated = service.clone();
        change(&mut updated);
        if updated != *service {
            self.actions.push(Action::Edit(Command::UpdateService {
                uid: service.uid,
                service: updated,
            }));
        }
    }

    pub(super) fn inspector_ui(&mut self, ui: &mut Ui) {
        let key = (
            (self.selection.services.len() == 1).then(|| self.selection.services[0]),
            self.selection.edge,
            self.doc.history.revision(),
        );
        // A new selection always gets its own draft (a field focused elsewhere, such as the
        // search bar, must not leave another service's values here); a new revision of the
        // same selection waits until no field is being typed in, so typing is never undone.
        let same_selection = self.draft.key.is_some_and(|k| (k.0, k.1) == (key.0, key.1));
        let stale = !same_selection
            || (self.draft.key != Some(key) && !ui.ctx().egui_wants_keyboard_input());
        if stale {
            let design = &self.doc.design;
            let mut draft = Draft {
                key: Some(key),
                design_name: design.name.clone(),
                ..Draft::default()
            };
            if let Some(s) = key.0.and_then(|uid| design.by_uid(uid)) {
                draft.of_service(s);
            }
            if let Some(e) = key
                .1
                .and_then(|uid| design.edge_position(uid))
                .map(|i| &design.edges[i])
            {
                draft.event = e.event.to_string();
                if let Some(filter) = &e.filter {
                    draft.filter_prefix = filter.prefix.clone().unwrap_or_default();
                    draft.filter_suffix = filter.suffix.clone().unwrap_or_default();
                    draft.filter_pattern = filter
                        .pattern
                        .as_ref()
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_default();
                }
            }
            if self.draft.key.is_some_and(|k| k.0 == key.0 && k.1 == key.1) {
                draft.error = self.draft.error.take();
            }
            self.draft = draft;
        }
        ui.heading("Inspector");
        ui.separator();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if let Some(index) = key.0.and_then(|uid| self.view.index_of(uid)) {
                    self.service_inspector_ui(ui, ServiceIndex(index as u32));
                } else if self.selection.services.len() > 1 {
                    self.multi_inspector_ui(ui);
                } else if let Some(edge) = key.1.and_then(|uid| self.view.edge_index_of(uid)) {
                    self.edge_inspector_ui(ui, edge);
                } else {
                    self.design_inspector_ui(ui);
                }
            });
    }
}
