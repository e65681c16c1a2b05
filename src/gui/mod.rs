//! The designer window (eframe): canvas, menus, inspector, problems panel and status line.
//!
//! The only module that imports egui. Panels never mutate the design: they push [`Action`]s,
//! and [`App::run_actions`] applies them after the frame. Every edit there is a
//! [`Command`] applied through [`History::apply`], which gives undo/redo, the dirty marker and
//! the revision that triggers re-analysis and the view-model sync (never per frame).
//!
//! What survives a restart ([`Settings`], through eframe persistence): recent files, View
//! toggles, which panels are open; eframe itself keeps the window size and panel widths.
//! Everything else on [`App`] is session state.

pub mod about;
mod actions;
mod app;
pub mod canvas;
mod dialogs;
mod edit_actions;
mod export_sam;
mod file_actions;
pub mod files;
pub mod geometry;
mod inspector;
pub mod layout;
mod menus;
pub mod picture;
mod problems;
pub mod recovery_dialog;
mod search_bar;
mod selection;
mod settings;
pub mod shortcuts;
pub mod simulation_panel;
mod status_bar;
pub mod template_ui;
pub mod theme;
mod toolbar;
pub mod view;

use std::path::PathBuf;

use crate::model::Design;

pub use actions::{Action, Intent};
pub use app::App;
pub use settings::{Settings, SideTab, ThemeChoice};

/// Opens the designer window on a design and blocks until it closes.
///
/// `error` (a load error's text) is shown in the window when the requested file could not be
/// opened; the window then shows `design` instead. `note` goes on the status line (such as a
/// file-format migration).
pub fn run(
    design: Design,
    path: Option<PathBuf>,
    error: Option<String>,
    note: Option<String>,
) -> eframe::Result {
    let mut viewport = egui::ViewportBuilder::default()
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([640.0, 420.0])
        .with_app_id(crate::platform::APP_ID)
        .with_title("Event Architect");
    if let Some(icon) = about::window_icon() {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        // Settings and recent files in the platform's data folder (or EVENT_ARCHITECT_DATA_DIR).
        persistence_path: crate::platform::settings_file(),
        ..Default::default()
    };
    eframe::run_native(
        "Event Architect",
        options,
        Box::new(move |cc| {
            let mut app = App::new(cc, design, path);
            if let Some(error) = error {
                app.show_load_error(error);
            } else if let Some(note) = note {
                app.set_status(note);
            }
            Ok(Box::new(app))
        }),
    )
}
