//! The in-app path field, used where no native file dialog can be shown.

use std::path::PathBuf;

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
        }
    }

    /// Draws the dialog. `Some(Some(path))` when confirmed, `Some(None)` when cancelled.
    pub(super) fn ui(&mut self, ctx: &egui::Context) -> Option<Option<PathBuf>> {
        let mut answer: Option<Option<PathBuf>> = None;
        let PathField {
            purpose,
            text,
            message,
        } = self;
        egui::Window::new(purpose.title())
            .collapsible(false)
            .resizable(false)
            .default_width(460.0)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                if !message.is_empty() {
                    ui.label(RichText::new(message.as_str()).color(theme::WARNING));
                }
                if *purpose == FilePurpose::Export {
                    ui.label("The extension chooses the format: .json, .md, .mmd or .dot.");
                }
                let label = ui.label("Path");
                let r = ui
                    .add(egui::TextEdit::singleline(text).desired_width(420.0))
                    .labelled_by(label.id);
                if ui.memory(|m| m.focused().is_none()) {
                    r.request_focus();
                }
                let enter = r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                ui.horizontal(|ui| {
                    if ui.button(purpose.verb()).clicked() || enter {
                        if text.trim().is_empty() {
                            *message = "Type a file path first.".to_owned();
                        } else {
                            answer = Some(Some(PathBuf::from(text.trim())));
                        }
                    }
                    if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape)) {
                        answer = Some(None);
                    }
                });
            });
        answer
    }
}
