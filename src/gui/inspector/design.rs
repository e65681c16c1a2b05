//! The inspector when nothing is selected: the design's name and how to use the canvas.

use egui::{RichText, Ui};

use crate::model::edit::Command;

use super::super::actions::Action;
use super::super::app::App;

impl App {
    pub(super) fn design_inspector_ui(&mut self, ui: &mut Ui) {
        let label = ui.label("Design name");
        let r = ui
            .add(
                egui::TextEdit::singleline(&mut self.draft.design_name)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if r.lost_focus() && self.draft.design_name != self.doc.design.name {
            self.actions.push(Action::Edit(Command::RenameDesign(
                self.draft.design_name.clone(),
            )));
        }
        ui.add_space(10.0);
        ui.label(RichText::new("How to").strong());
        let zoom = format!(
            "{}+wheel or pinch to zoom; F fits the design.",
            crate::platform::COMMAND_KEY
        );
        for line in [
            "Double-click empty canvas to add a service.",
            "Drag from the round handle on a box's right edge to another box to connect them.",
            "Drag a box to move it; drag empty canvas to pan.",
            "Shift-drag on empty canvas to select several boxes; drag one to move them all.",
            zoom.as_str(),
            "Click a service or an edge to edit it here.",
        ] {
            ui.label(format!("• {line}"));
        }
    }
}
