//! The menu bar and the keyboard shortcuts (the shortcuts themselves are in [`shortcuts`]).

use egui::{Event, Key, KeyboardShortcut, Modifiers, Ui};

use super::actions::{Action, Intent};
use super::app::App;
use super::settings::ThemeChoice;
use super::shortcuts::{self, NUDGE_STEP, NUDGE_STEP_LARGE};

/// A menu item showing its shortcut; true when clicked.
fn item(ui: &mut Ui, text: &str, shortcut: Option<&KeyboardShortcut>, enabled: bool) -> bool {
    let keys = shortcut.map(|s| shortcuts::text(ui.ctx(), s));
    let mut button = egui::Button::new(text);
    if let Some(keys) = &keys {
        button = button.shortcut_text(keys.as_str());
    }
    let response = ui.add_enabled(enabled, button);
    // Screen readers (and tests) name the item by its text; the shortcut is its description.
    response.widget_info(|| egui::WidgetInfo::labeled(egui::WidgetType::Button, enabled, text));
    if let Some(keys) = keys {
        ui.ctx()
            .accesskit_node_builder(response.id, |node| node.set_description(keys));
    }
    response.clicked()
}

impl App {
    pub(super) fn shortcuts(&mut self, ctx: &egui::Context) {
        let typing = ctx.egui_wants_keyboard_input();
        let pressed = |s: &KeyboardShortcut| ctx.input_mut(|i| i.consume_shortcut(s));
        // Shifted shortcuts first: egui matches Ctrl+Z inside Ctrl+Shift+Z.
        if pressed(&shortcuts::SAVE_AS) {
            self.actions.push(Action::SaveAs);
        } else if pressed(&shortcuts::SAVE) {
            self.actions.push(Action::Save);
        }
        if pressed(&shortcuts::OPEN) {
            self.actions.push(Action::Intent(Intent::Open));
        }
        if pressed(&shortcuts::NEW) {
            self.actions.push(Action::Intent(Intent::New));
        }
        if pressed(&shortcuts::QUIT) {
            self.actions.push(Action::Intent(Intent::Quit));
        }
        if pressed(&shortcuts::FIND) {
            self.actions.push(Action::Find);
        }
        if typing {
            return; // text fields keep their own undo, redo, copy, paste, arrows and Delete
        }
        if pressed(&shortcuts::REDO) || pressed(&shortcuts::REDO_ALT) {
            self.actions.push(Action::Redo);
        } else if pressed(&shortcuts::UNDO) {
            self.actions.push(Action::Undo);
        }
        if pressed(&shortcuts::DELETE) || pressed(&shortcuts::DELETE_ALT) {
            self.actions.push(Action::Delete);
        }
        if pressed(&shortcuts::FIT) {
            self.actions.push(Action::Fit);
        }
        if pressed(&shortcuts::SELECT_ALL) {
            self.actions.push(Action::SelectAll);
        }
        if pressed(&shortcuts::DUPLICATE) {
            self.actions.push(Action::Duplicate);
        }
        // The native window turns Ctrl+C and Ctrl+V into Copy and Paste events (Paste only when
        // the system clipboard holds text); tests and other back ends send the keys.
        let (copy, paste) = ctx.input_mut(|i| {
            let mut copy = false;
            let mut paste = None;
            i.events.retain(|event| match event {
                Event::Copy => {
                    copy = true;
                    false
                }
                Event::Paste(text) => {
                    paste = Some(Some(text.clone()));
                    false
                }
                _ => true,
            });
            copy |= i.consume_shortcut(&shortcuts::COPY);
            if i.consume_shortcut(&shortcuts::PASTE) && paste.is_none() {
                paste = Some(None);
            }
            (copy, paste)
        });
        if copy {
            self.actions.push(Action::Copy);
        }
        if let Some(text) = paste {
            self.actions.push(Action::Paste(text));
        }
        if !self.selection.services.is_empty() {
            for (key, dx, dy) in [
                (Key::ArrowLeft, -1.0, 0.0),
                (Key::ArrowRight, 1.0, 0.0),
                (Key::ArrowUp, 0.0, -1.0),
                (Key::ArrowDown, 0.0, 1.0),
            ] {
                // Shift first: a plain arrow would match Shift+arrow too.
                let step = if ctx.input_mut(|i| i.consume_key(Modifiers::SHIFT, key)) {
                    NUDGE_STEP_LARGE
                } else if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key)) {
                    NUDGE_STEP
                } else {
                    continue;
                };
                self.actions.push(Action::Nudge(dx * step, dy * step));
            }
        }
    }

    pub(super) fn menu_ui(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| self.file_menu_ui(ui));
            ui.menu_button("Edit", |ui| self.edit_menu_ui(ui));
            ui.menu_button("View", |ui| self.view_menu_ui(ui));
            ui.menu_button("Help", |ui| {
                if ui.button("About Event Architect").clicked() {
                    self.about.open();
                }
            });
        });
    }

    fn file_menu_ui(&mut self, ui: &mut Ui) {
        if item(ui, "New", Some(&shortcuts::NEW), true) {
            self.actions.push(Action::Intent(Intent::New));
        }
        if item(ui, "Open...", Some(&shortcuts::OPEN), true) {
            self.actions.push(Action::Intent(Intent::Open));
        }
        if item(ui, "Import template...", None, true) {
            self.actions.push(Action::Intent(Intent::Import));
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
        if item(ui, "Save", Some(&shortcuts::SAVE), true) {
            self.actions.push(Action::Save);
        }
        if item(ui, "Save as...", Some(&shortcuts::SAVE_AS), true) {
            self.actions.push(Action::SaveAs);
        }
        if item(ui, "Export plan...", None, true) {
            self.actions.push(Action::Export);
        }
        if item(ui, "Export picture...", None, true) {
            self.actions.push(Action::ExportPicture);
        }
        if item(ui, "Export SAM template...", None, true) {
            self.actions.push(Action::ExportSam);
        }
        ui.separator();
        if item(ui, "Quit", Some(&shortcuts::QUIT), true) {
            self.actions.push(Action::Intent(Intent::Quit));
        }
    }

    fn edit_menu_ui(&mut self, ui: &mut Ui) {
        // "Undo move" when there is a step, a greyed-out "Undo" when there is none.
        let history = &self.doc.history;
        let steps = [
            ("Undo", history.undo_label(), Action::Undo, shortcuts::UNDO),
            ("Redo", history.redo_label(), Action::Redo, shortcuts::REDO),
        ];
        for (verb, step, action, shortcut) in steps {
            let text = step.map_or_else(|| verb.to_owned(), |l| format!("{verb} {l}"));
            if item(ui, &text, Some(&shortcut), step.is_some()) {
                self.actions.push(action);
            }
        }
        ui.separator();
        let selected = !self.selection.services.is_empty();
        if item(ui, "Copy", Some(&shortcuts::COPY), selected) {
            self.actions.push(Action::Copy);
        }
        if item(
            ui,
            "Paste",
            Some(&shortcuts::PASTE),
            !self.clipboard.is_empty(),
        ) {
            self.actions.push(Action::Paste(None));
        }
        if item(ui, "Duplicate", Some(&shortcuts::DUPLICATE), selected) {
            self.actions.push(Action::Duplicate);
        }
        if item(ui, "Select all", Some(&shortcuts::SELECT_ALL), true) {
            self.actions.push(Action::SelectAll);
        }
        let deletable = selected || self.selection.edge.is_some();
        if item(ui, "Delete", Some(&shortcuts::DELETE), deletable) {
            self.actions.push(Action::Delete);
        }
        ui.separator();
        if item(ui, "Find...", Some(&shortcuts::FIND), true) {
            self.actions.push(Action::Find);
        }
    }

    fn view_menu_ui(&mut self, ui: &mut Ui) {
        if item(ui, "Fit", Some(&shortcuts::FIT), true) {
            self.actions.push(Action::Fit);
        }
        // Compact first: it is the toolbar's Auto-layout.
        if item(ui, "Auto-layout compact", None, true) {
            self.actions
                .push(Action::AutoLayout(super::layout::Ranking::Compact));
        }
        if item(ui, "Auto-layout by stage", None, true) {
            self.actions
                .push(Action::AutoLayout(super::layout::Ranking::Stages));
        }
        ui.separator();
        let focused = self.focus.is_some();
        let focus_text = if focused {
            "Show everything"
        } else {
            "Focus on the selection"
        };
        if item(
            ui,
            focus_text,
            None,
            focused || !self.selection.services.is_empty(),
        ) {
            self.actions.push(Action::ToggleFocus);
        }
        ui.horizontal(|ui| {
            let label = ui.label("Focus hops");
            let hops = ui
                .add(egui::DragValue::new(&mut self.settings.focus_hops).range(1..=9))
                .labelled_by(label.id)
                .on_hover_text("How many edges away, up- and downstream, stay in focus");
            if hops.changed()
                && let Some((_, n)) = &mut self.focus
            {
                *n = self.settings.focus_hops;
            }
        });
        ui.separator();
        ui.checkbox(&mut self.settings.show_order, "Show order");
        ui.checkbox(&mut self.settings.show_stages, "Show stages");
        ui.checkbox(&mut self.settings.snap_to_grid, "Snap to grid");
        ui.checkbox(&mut self.settings.show_inspector, "Show inspector");
        ui.checkbox(&mut self.settings.show_problems, "Show problems");
        ui.checkbox(&mut self.settings.show_simulation, "Show simulation");
        ui.separator();
        ui.menu_button("Theme", |ui| {
            for (choice, text) in [
                (ThemeChoice::System, "Follow the system"),
                (ThemeChoice::Light, "Light"),
                (ThemeChoice::Dark, "Dark"),
            ] {
                ui.radio_value(&mut self.settings.theme, choice, text);
            }
        });
    }
}
