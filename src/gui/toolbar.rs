//! The toolbar: add a service of a kind, fit, auto-layout, view toggles, simulate, the legend.

use egui::{RichText, Ui};

use crate::model::ServiceKind;

use super::actions::Action;
use super::app::App;
use super::settings::SideTab;
use super::theme;

impl App {
    pub(super) fn toolbar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            if ui
                .button("➕ Add service")
                .on_hover_text("Add a service (or double-click empty canvas)")
                .clicked()
            {
                self.actions.push(Action::AddService(self.new_kind, None));
            }
            egui::ComboBox::from_id_salt("new-kind")
                .selected_text(format!(
                    "{} {}",
                    theme::kind_icon(self.new_kind),
                    self.new_kind
                ))
                .show_ui(ui, |ui| {
                    for kind in ServiceKind::ALL {
                        ui.selectable_value(
                            &mut self.new_kind,
                            kind,
                            format!("{} {kind}", theme::kind_icon(kind)),
                        );
                    }
                });
            ui.separator();
            if ui
                .button("Fit")
                .on_hover_text("Frame the whole design (F)")
                .clicked()
            {
                self.actions.push(Action::Fit);
            }
            if ui
                .button("Auto-layout")
                .on_hover_text("Arrange left to right with the shortest edges")
                .clicked()
            {
                self.actions
                    .push(Action::AutoLayout(super::layout::Ranking::default()));
            }
            ui.separator();
            ui.toggle_value(&mut self.settings.show_order, "Order");
            ui.toggle_value(&mut self.settings.show_stages, "Stages");
            ui.separator();
            let simulating = self.settings.show_simulation
                && (self.settings.side_tab == SideTab::Simulation || !self.settings.show_inspector);
            if ui
                .selectable_label(simulating, "▶ Simulate")
                .on_hover_text(if simulating {
                    "Close the Simulation panel"
                } else {
                    "Open the Simulation panel: run a scenario of requests against this design"
                })
                .clicked()
            {
                if simulating {
                    self.settings.side_tab = SideTab::Inspector;
                    self.settings.show_simulation = false;
                } else {
                    self.settings.show_simulation = true;
                    self.settings.side_tab = SideTab::Simulation;
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                for kind in ServiceKind::ALL.iter().rev() {
                    ui.label(
                        RichText::new(format!("{} {kind}", theme::kind_icon(*kind)))
                            .color(theme::palette(ui.ctx()).kind_text(*kind)),
                    );
                }
            });
        });
    }
}
