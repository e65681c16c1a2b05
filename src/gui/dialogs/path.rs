//! The in-app path field, used where no native file dialog can be shown. Enter confirms,
//! Escape cancels; the field starts with the current file's folder (or its path) with the
//! cursor at the end; the window's top is anchored and messages go below the buttons, so the
//! buttons never move.

use std::path::PathBuf;

use egui::text::{CCursor, CCursorRange};
use egui::{Key, RichText};

use super::super::files::FilePurpose;
use super::super::theme;

/// The in-app path dialog. Session state.
pub(crate) struct PathField {
    /// What the path is for.
    pub(crate) purpose: FilePurpose,
    /// The path being typed.
    pub(crate) text: String,
    /// Why the in-app field is shown, or what went wrong.
    pub(crate) message: String,
    /// Still to take the keyboard focus.
    focus: bool,
}

impl PathField {
    /// The field for `purpose`, prefilled with `suggested`.
    pub(crate) fn new(purpose: FilePurpose, suggested: Option<PathBuf>, message: String) -> Self {
        PathField {
            purpose,
            text: suggested
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            message,
            focus: true,
        }
    }

    /// Draws the dialog. `Some(Some(path))` when confirmed, `Some(None)` when cancelled.
    pub(super) fn ui(&mut self, ctx: &egui::Context) -> Option<Option<PathBuf>> {
        let mut answer: Option<Option<PathBuf>> = None;
        let PathField {
            purpose,
            text,
            message,
            focus,
        } = self;
        egui::Window::new(purpose.title())
            .collapsible(false)
            .resizable(false)
            .default_width(460.0)
            .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 160.0))
            .show(ctx, |ui| {
                if *purpose == FilePurpose::Export {
                    ui.label("The extension chooses the format: .json, .md, .mmd or .dot.");
                }
                let label = ui.label("Path");
                let output = egui::TextEdit::singleline(text)
                    .desired_width(440.0)
                    .show(ui);
                let r = output.response.response.labelled_by(label.id);
                if *focus {
                    r.request_focus();
                    if r.has_focus() {
                        // The cursor at the end, ready for a file name after the folder.
                        let mut state = output.state;
                        let end = CCursor::new(text.chars().count());
                        state.cursor.set_char_range(Some(CCursorRange::one(end)));
                        state.store(ui.ctx(), r.id);
                        *focus = false;
                    }
                }
                let enter =
                    (r.lost_focus() || r.has_focus()) && ui.input(|i| i.key_pressed(Key::Enter));
                ui.horizontal(|ui| {
                    if ui.button(purpose.verb()).clicked() || enter {
                        if text.trim().is_empty() {
                            *message = "Type a file path first.".to_owned();
                            *focus = true;
                        } else {
                            answer = Some(Some(PathBuf::from(text.trim())));
                        }
                    }
                    if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                        answer = Some(None);
                    }
                });
                if !message.is_empty() {
                    ui.label(
                        RichText::new(message.as_str()).color(theme::palette(ui.ctx()).warning),
                    );
                }
            });
        answer
    }
}
