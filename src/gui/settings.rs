//! What survives a restart: [`Settings`], saved by eframe persistence, never in a design file.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The key the settings are stored under in eframe's storage.
pub(crate) const SETTINGS_KEY: &str = "event-architect/settings";

/// What survives a restart. Saved by eframe persistence, never in a design file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Recently opened or saved designs, newest first.
    pub recent: Vec<PathBuf>,
    /// View > Show order.
    pub show_order: bool,
    /// View > Show stages.
    pub show_stages: bool,
    /// View > Snap to grid.
    pub snap_to_grid: bool,
    /// The inspector panel is open.
    pub show_inspector: bool,
    /// The problems panel is open.
    pub show_problems: bool,
    /// The simulation panel is open (a tab beside the inspector).
    pub show_simulation: bool,
    /// Which tab the side panel shows when both the inspector and the simulation are open.
    pub side_tab: SideTab,
    /// View > Focus hops: how far up- and downstream the focus view reaches.
    pub focus_hops: u32,
    /// View > Theme.
    pub theme: ThemeChoice,
}

/// The window's colours: the system's light or dark preference, or one chosen in View > Theme.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThemeChoice {
    /// Follow the system (the default).
    #[default]
    System,
    /// Always light.
    Light,
    /// Always dark.
    Dark,
}

impl ThemeChoice {
    /// As egui's preference.
    pub fn preference(self) -> egui::ThemePreference {
        match self {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        }
    }
}

/// The tabs of the side panel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SideTab {
    /// The inspector: the selected service, edge or the design.
    #[default]
    Inspector,
    /// The simulation panel.
    Simulation,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            recent: Vec::new(),
            show_order: true,
            show_stages: true,
            snap_to_grid: true,
            show_inspector: true,
            show_problems: true,
            show_simulation: true,
            side_tab: SideTab::Inspector,
            focus_hops: 1,
            theme: ThemeChoice::System,
        }
    }
}
