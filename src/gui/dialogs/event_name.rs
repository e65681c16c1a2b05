//! "Name the event": asked when a drag connects two services. Offers the design's events,
//! filtered as the user types; the pre-filled suggestion starts selected, so typing replaces it.

use egui::Key;
use egui::text::{CCursor, CCursorRange};

use crate::model::edit::EdgeDraft;
use crate::model::{Design, ServiceUid};

/// Most suggestions shown at once.
const MAX_SUGGESTIONS: usize = 8;

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
    /// True once the user typed: suggestions are then filtered by the text.
    pub(crate) typed: bool,
    /// The subscriber to create with the edge, when the connection was dropped on empty canvas
    /// (`to` is its uid): both are added as one undo step.
    pub(crate) new_service: Option<crate::model::Service>,
}

impl PendingEdge {
    /// A new edge from `from` to `to`, pre-filled with `suggestion`.
    pub(crate) fn new(from: ServiceUid, to: ServiceUid, suggestion: String) -> PendingEdge {
        PendingEdge {
            from,
            to,
            event: suggestion,
            focus: true,
            typed: false,
            new_service: None,
        }
    }

    /// Draws the dialog. `Some(Some(edge))` to insert, `Some(None)` when cancelled.
    pub(super) fn ui(&mut self, ctx: &egui::Context, design: &Design) -> Option<Option<EdgeDraft>> {
        let from = design.by_uid(self.from).map_or("?", |s| s.id.as_str());
        let to = match &self.new_service {
            Some(service) => service.id.as_str(),
            None => design.by_uid(self.to).map_or("?", |s| s.id.as_str()),
        };
        let mut done: Option<bool> = None;
        egui::Window::new("Name the event")
            .collapsible(false)
            .resizable(false)
            .default_width(360.0)
            .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 160.0))
            .show(ctx, |ui| {
                ui.label(format!("{from} publishes an event that {to} consumes."));
                let label = ui.label("Event name");
                let output = egui::TextEdit::singleline(&mut self.event)
                    .hint_text("e.g. OrderPlaced")
                    .desired_width(320.0)
                    .show(ui);
                let r = output.response.response.labelled_by(label.id);
                if r.changed() {
                    self.typed = true;
                }
                // Keep asking until it sticks (a new window's first frame is a sizing pass),
                // then select the suggestion so that typing replaces it.
                if self.focus {
                    r.request_focus();
                    if r.has_focus() {
                        let mut state = output.state;
                        let end = CCursor::new(self.event.chars().count());
                        state
                            .cursor
                            .set_char_range(Some(CCursorRange::two(CCursor::new(0), end)));
                        state.store(ui.ctx(), r.id);
                        self.focus = false;
                    }
                }
                if (r.lost_focus() || r.has_focus()) && ui.input(|i| i.key_pressed(Key::Enter)) {
                    done = Some(true);
                }
                // The buttons before the suggestions, so they stay put as the list changes.
                ui.horizontal(|ui| {
                    if ui.button("Connect").clicked() {
                        done = Some(true);
                    }
                    if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                        done = Some(false);
                    }
                });
                let typed = self.event.trim().to_lowercase();
                let suggestions: Vec<&str> = design
                    .event_names()
                    .into_iter()
                    .filter(|e| {
                        !self.typed
                            || (e.to_lowercase().contains(&typed) && *e != self.event.trim())
                    })
                    .take(MAX_SUGGESTIONS)
                    .collect();
                if !suggestions.is_empty() {
                    ui.add_space(4.0);
                    ui.label("Events in this design:");
                    ui.horizontal_wrapped(|ui| {
                        for event in suggestions {
                            if ui.button(event).on_hover_text("Use this event").clicked() {
                                self.event = event.to_owned();
                                self.typed = true;
                                r.request_focus();
                            }
                        }
                    });
                }
            });
        match done? {
            true if self.event.trim().is_empty() => {
                self.focus = true;
                None
            }
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
