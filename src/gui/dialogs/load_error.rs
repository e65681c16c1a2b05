//! "Could not open the file": the loader's whole message, where it went wrong and how to fix it.

use egui::RichText;

use super::super::theme;

/// Draws the dialog; true when the user closed it.
pub(super) fn load_error_ui(ctx: &egui::Context, text: &str) -> bool {
    let mut open = true;
    let mut closed = false;
    egui::Window::new("Could not open the file")
        .open(&mut open)
        .collapsible(false)
        .default_width(520.0)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.label(
                RichText::new(text)
                    .monospace()
                    .color(theme::palette(ui.ctx()).error),
            );
            ui.add_space(6.0);
            ui.label("The current design is unchanged.");
            if ui.button("OK").clicked() {
                closed = true;
            }
        });
    closed || !open
}
