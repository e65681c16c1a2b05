//! Help > About: the app's icon, version, commit and licence, and where its data lives; and the
//! window icon, decoded from the same PNG.

use std::sync::Arc;

use egui::{RichText, Ui};

use crate::build_info;

/// The 256 px app icon (rendered from `assets/icon.svg` by `scripts/render-icons.sh`).
pub const ICON_PNG: &[u8] = include_bytes!("../../assets/icons/256x256.png");

/// The window's icon (title bar, task bar, Alt+Tab). `None` if the PNG cannot be decoded: the
/// window then opens with the platform's default icon rather than not at all.
pub fn window_icon() -> Option<Arc<egui::IconData>> {
    eframe::icon_data::from_png_bytes(ICON_PNG)
        .ok()
        .map(Arc::new)
}

/// The About window. Session state.
#[derive(Default)]
pub struct About {
    open: bool,
    icon: Option<egui::TextureHandle>,
}

impl About {
    /// Shows the window (Help > About).
    pub fn open(&mut self) {
        self.open = true;
    }

    /// Whether the window is showing.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Draws the window while it is open; Close, its title bar's ✖ or Esc close it.
    pub fn show(&mut self, ctx: &egui::Context) {
        if !self.open {
            return;
        }
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.open = false;
            return;
        }
        let icon = self.icon.get_or_insert_with(|| load_icon(ctx)).clone();
        let mut open = true;
        let mut close = false;
        egui::Window::new("About Event Architect")
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.horizontal(|ui| {
                    ui.image((icon.id(), egui::vec2(96.0, 96.0)));
                    ui.vertical(facts_ui);
                });
                ui.add_space(6.0);
                ui.vertical_centered(|ui| close = ui.button("Close").clicked());
            });
        self.open = open && !close;
    }
}

fn facts_ui(ui: &mut Ui) {
    ui.label(RichText::new("Event Architect").heading().strong());
    ui.label(env!("CARGO_PKG_DESCRIPTION"));
    ui.add_space(6.0);
    egui::Grid::new("about-facts")
        .num_columns(2)
        .spacing([12.0, 4.0])
        .show(ui, |ui| {
            for (name, value) in [
                ("Version", build_info::VERSION.to_owned()),
                ("Commit", build_info::COMMIT.to_owned()),
                ("Licence", build_info::LICENSE.to_owned()),
                (
                    "Data folder",
                    crate::platform::data_dir()
                        .map_or_else(|| "none".to_owned(), |d| d.display().to_string()),
                ),
            ] {
                ui.label(RichText::new(name).weak());
                ui.label(value);
                ui.end_row();
            }
        });
}

/// The icon as a texture; a blank one if the PNG cannot be decoded.
fn load_icon(ctx: &egui::Context) -> egui::TextureHandle {
    let image = match eframe::icon_data::from_png_bytes(ICON_PNG) {
        Ok(icon) => egui::ColorImage::from_rgba_unmultiplied(
            [icon.width as usize, icon.height as usize],
            &icon.rgba,
        ),
        Err(_) => egui::ColorImage::new([1, 1], vec![egui::Color32::TRANSPARENT]),
    };
    ctx.load_texture("about-icon", image, egui::TextureOptions::LINEAR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_icon_decodes_to_256_square() {
        let icon = window_icon().expect("the committed PNG decodes");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
    }
}
