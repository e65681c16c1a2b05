//! "Name the event": asked when a drag connects two services.

use egui::Key;

use crate::model::edit::EdgeDraft;
use crate::model::{Design, ServiceUid};

/// A new edge waiting for its event name.
#[derive(Debug, Clone)]
pub(crate) struct PendingEdge {
    /// The publisher.
    pub(crate) from: ServiceUid,
    /// The subscriber.
    pub(crate) to: ServiceUid,
    /// The event name being typed.
    pub(crate) event: String,
    /// Still to take the keyboard focus (a new window's first frame is a sizing pass).
    pub(crate) focus: bool,
}

impl PendingEdge {
    /// Draws the dialog. `Some(Some(edge))` to insert, `Some(None)` when cancelled.
    pub(super) fn ui(&mut self, ctx: &egui::Context, design: &Design) -> Option<Option<EdgeDraft>> {
        let from = design.by_uid(self.from).map_or("?", |s| s.id.as_str());
        let to = design.by_uid(self.to).map_or("?", |s| s.id.as_str());
        let mut done: Option<bool> = None;
        egui::Window::new("Name the event")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.label(format!("{from} publishes an event that {to} consumes."));
                let label = ui.label("Event name");
                let r = ui
                    .add(egui::TextEdit::singleline(&mut self.event).hint_text("e.g. OrderPlaced"))
                    .labelled_by(label.id);
                // Keep asking until it sticks: a new window's first frame is a sizing pass.
                if self.focus {
                    r.request_focus();
                    self.focus = !r.has_focus();
                }
                if r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                    done = Some(true);
                }
                ui.horizontal(|ui| {
                    if ui.button("Connect").clicked() {
                        done = Some(true);
                    }
                    if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                        done = Some(false);
                    }
                });
            });
        match done? {
            true => {
                let mut edge = EdgeDraft::new(self.from, self.to, self.event.trim());
                // Data stores are called directly; everything else goes through the bus.
                if let Some(to) = design.by_uid(self.to) {
                    edge.mode = to.kind.default_mode_into();
                }
                Some(Some(edge))
            }
            false => Some(None),
        }
    }
}
