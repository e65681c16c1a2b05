//! The search bar (Edit > Find, Ctrl+F): services by id, name or event, with the results to
//! step through; each step selects and frames its service. Session state.

use egui::{Key, Modifiers, RichText, Ui};

use crate::model::ServiceUid;
use crate::model::search::{Match, search};

use super::actions::Action;
use super::app::App;
use super::theme;

/// The open search bar.
#[derive(Debug, Clone, Default)]
pub(crate) struct SearchBar {
    /// What is typed.
    pub(crate) text: String,
    /// The services found, in file order, and what matched.
    pub(crate) hits: Vec<(ServiceUid, String)>,
    /// The result shown (index into `hits`).
    pub(crate) at: usize,
    /// The text and design revision `hits` were found for.
    found_for: Option<(String, u64)>,
    /// Still to take the keyboard focus.
    pub(crate) focus: bool,
}

impl App {
    pub(super) fn open_search(&mut self) {
        let bar = self.search.get_or_insert_with(SearchBar::default);
        bar.focus = true;
    }

    /// The bar, when open: the field, "2 of 5", Previous, Next, Close.
    pub(super) fn search_ui(&mut self, ui: &mut Ui) {
        let revision = self.doc.history.revision();
        let design = &self.doc.design;
        let Some(bar) = &mut self.search else {
            return;
        };
        let mut step: Option<isize> = None;
        let mut close = false;
        ui.horizontal(|ui| {
            let label = ui.label("Search");
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut bar.text)
                        .hint_text("id, name or event")
                        .desired_width(220.0),
                )
                .labelled_by(label.id);
            if bar.focus {
                r.request_focus();
                bar.focus = !r.has_focus();
            }
            let key = (bar.text.clone(), revision);
            if bar.found_for.as_ref() != Some(&key) {
                let text_changed = bar.found_for.as_ref().is_none_or(|(t, _)| *t != bar.text);
                bar.hits = search(design, &bar.text)
                    .into_iter()
                    .map(|hit| {
                        let why = match hit.by {
                            Match::Id => "id".to_owned(),
                            Match::Name => format!("name \"{}\"", design.service(hit.service).name),
                            Match::Event(event) => format!("event {event}"),
                        };
                        (design.uid(hit.service), why)
                    })
                    .collect();
                bar.found_for = Some(key);
                if text_changed {
                    bar.at = 0;
                    step = Some(0);
                } else {
                    bar.at = bar.at.min(bar.hits.len().saturating_sub(1));
                }
            }
            // Enter steps on (Shift+Enter back) and keeps the field focused for the next one.
            if r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                let back = ui.input(|i| i.modifiers.matches_logically(Modifiers::SHIFT));
                step = Some(if back { -1 } else { 1 });
                r.request_focus();
            }
            // Escape closes the bar from its field, or when no other field has the keyboard.
            let elsewhere =
                !r.has_focus() && !r.lost_focus() && ui.ctx().egui_wants_keyboard_input();
            if !elsewhere && ui.input(|i| i.key_pressed(Key::Escape)) {
                close = true;
            }
            let count = bar.hits.len();
            if bar.text.trim().is_empty() {
                ui.weak("Type to search");
            } else if count == 0 {
                ui.label(RichText::new("No match").color(theme::palette(ui.ctx()).warning));
            } else {
                ui.label(format!("{} of {count}", bar.at + 1));
            }
            if ui
                .add_enabled(count > 1, egui::Button::new("◀ Previous"))
                .clicked()
            {
                step = Some(-1);
            }
            if ui
                .add_enabled(count > 1, egui::Button::new("Next ▶"))
                .clicked()
            {
                step = Some(1);
            }
            if let Some((uid, why)) = bar.hits.get(bar.at) {
                let id = design.by_uid(*uid).map_or("", |s| s.id.as_str());
                ui.weak(format!("{id}: {why}"));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("Close search").clicked() {
                    close = true;
                }
            });
        });
        if close {
            self.search = None;
            return;
        }
        let Some(step) = step else {
            return;
        };
        let count = bar.hits.len() as isize;
        if count == 0 {
            return;
        }
        bar.at = (bar.at as isize + step).rem_euclid(count) as usize;
        let uid = bar.hits[bar.at].0;
        self.actions.push(Action::SelectAndFrame(vec![uid]));
    }
}
