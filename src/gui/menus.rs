//! The menu bar and the keyboard shortcuts.

use egui::{Key, KeyboardShortcut, Modifiers, Ui};

use super::actions::{Action, Intent};
use super::app::App;

impl App {
    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) {
        let typing = ctx.egui_wants_keyboard_input();
        let cmd = Modifiers::COMMAND;
        let shift_cmd = Modifiers::COMMAND | Modifiers::SHIFT;
        let pressed = |m: Modifiers, k: Key| {
            ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(m, k)))
        };
        // Shifted shortcuts first: egui matches Ctrl+Z inside Ctrl+Shift+Z.
        if pressed(shift_cmd, Key::S) {
            self.actions.push(Action::SaveAs);
        } else if pressed(cmd, Key::S) {
            self.actions.push(Action::Save);
        }
        if pressed(cmd, Key::O) {
            self.actions.push(Action::Intent(Intent::Open));
        }
        if pressed(cmd, Key::N) {
            self.actions.push(Action::Intent(Intent::New));
        }
        if typing {
            return; // text fields keep their own undo, redo and Delete
        }
        if pressed(shift_cmd, Key::Z) || pressed(cmd, Key::Y) {
            self.actions.push(Action::Redo);
        } else if pressed(cmd, Key::Z) {
            self.actions.push(Action::Undo);
        }
        if pressed(Modifiers::NONE, Key::Delete) || pressed(Modifiers::NONE, Key::Backspace) {
            self.actions.push(Action::Delete);
        }
        if pressed(Modifiers::NONE, Key::F) {
            self.actions.push(Action::Fit);
        }
    }

    pub(super) fn menu_ui(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("New").clicked() {
                    self.actions.push(Action::Intent(Intent::New));
                }
                if ui.button("Open...").clicked() {
                    self.actions.push(Action::Intent(Intent::Open));
                }
                ui.menu_button("Open recent", |ui| {
                    if self.settings.recent.is_empty() {
                        ui.label("No recent files");
                    }
                    for path in self.settings.recent.clone() {
                        if ui.button(path.display().to_string()).clicked() {
                            self.actions.push(Action::Intent(Intent::OpenPath(path)));
                        }
                    }
                });
                ui.separator();
                if ui.button("Save").clicked() {
                    self.actions.push(Action::Save);
                }
                if ui.button("Save as...").clicked() {
                    self.actions.push(Action::SaveAs);
                }
                if ui.button("Export plan...").clicked() {
                    self.actions.push(Action::Export);
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    self.actions.push(Action::Intent(Intent::Quit));
                }
            });
            ui.menu_button("Edit", |ui| {
                // "Undo move" when there is a step, a greyed-out "Undo" when there is none.
                let history = &self.doc.history;
                for (verb, step, action) in [
                    ("Undo", history.undo_label(), Action::Undo),
                    ("Redo", history.redo_label(), Action::Redo),
                ] {
                    let text = step.map_or_else(|| verb.to_owned(), |l| format!("{verb} {l}"));
                    if ui
                        .add_enabled(step.is_some(), egui::Button::new(text))
                        .clicked()
                    {
                        self.actions.push(action);
                    }
                }
                ui.separator();
                if ui.button("Delete").clicked() {
                    self.actions.push(Action::Delete);
                }
            });
            ui.menu_button("View", |ui| {
                if ui.button("Fit").clicked() {
                    self.actions.push(Action::Fit);
                }
                if ui.button("Auto-layout").clicked() {
                    self.actions.push(Action::AutoLayout);
                }
                ui.separator();
                ui.checkbox(&mut self.settings.show_order, "Show order");
                ui.checkbox(&mut self.settings.show_stages, "Show stages");
                ui.checkbox(&mut self.settings.show_inspector, "Show inspector");
                ui.checkbox(&mut self.settings.show_problems, "Show problems");
                ui.checkbox(&mut self.settings.show_simulation, "Show simulation");
            });
            ui.menu_button("Help", |ui| {
                if ui.button("About Event Architect").clicked() {
                    self.about.open();
                }
            });
        });
    }
}
