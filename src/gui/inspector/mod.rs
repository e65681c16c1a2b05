//! The inspector: edits what is selected (a service, an edge) or else the design itself.
//! Text fields are drafts committed on Enter or focus loss, each as one command.

mod design;
mod edge;
mod service;

use egui::Ui;

use crate::model::{EdgeUid, ServiceIndex, ServiceUid};

use super::app::App;

/// The inspector's text fields, edited in place and committed on Enter or focus loss.
#[derive(Debug, Clone, Default)]
pub(crate) struct Draft {
    pub(crate) key: Option<(Option<ServiceUid>, Option<EdgeUid>, u64)>,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) notes: String,
    pub(crate) event: String,
    pub(crate) design_name: String,
    pub(crate) error: Option<String>,
}

impl App {
    pub(super) fn inspector_ui(&mut self, ui: &mut Ui) {
        let key = (
            (self.selection.services.len() == 1).then(|| self.selection.services[0]),
            self.selection.edge,
            self.doc.history.revision(),
        );
        if self.draft.key != Some(key) && !ui.ctx().egui_wants_keyboard_input() {
            let design = &self.doc.design;
            let mut draft = Draft {
                key: Some(key),
                design_name: design.name.clone(),
                ..Draft::default()
            };
            if let Some(s) = key.0.and_then(|uid| design.by_uid(uid)) {
                draft.id = s.id.clone();
                draft.name = s.name.clone();
                draft.notes = s.notes.clone();
            }
            if let Some(e) = key
                .1
                .and_then(|uid| design.edge_position(uid))
                .map(|i| &design.edges[i])
            {
                draft.event = e.event.to_string();
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
                } else if let Some(edge) = key.1.and_then(|uid| self.view.edge_index_of(uid)) {
                    self.edge_inspector_ui(ui, edge);
                } else {
                    self.design_inspector_ui(ui);
                }
            });
    }
}
