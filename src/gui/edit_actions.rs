//! Editing the selection as a whole: copy, paste, duplicate, select all, arrow-key nudges and
//! the focus view. Each edit is one undo step (a run of nudges of one selection is one, too).

use std::hash::{Hash, Hasher};

use crate::model::Position;
use crate::model::fragment::Fragment;

use super::app::App;
use super::selection::Selection;

/// How far a paste or a duplicate lands from the originals, canvas units (once per paste).
const PASTE_OFFSET: f32 = 40.0;

impl App {
    /// The selected services and the edges between them, with the positions they are drawn at.
    fn selected_fragment(&self) -> Fragment {
        let mut fragment = Fragment::of(&self.doc.design, &self.selection.services);
        for service in &mut fragment.services {
            if service.position.is_none()
                && let Some(c) = self.view.center_of(service.uid)
            {
                service.position = Some(Position { x: c.x, y: c.y });
            }
        }
        fragment
    }

    pub(super) fn copy_selection(&mut self, ctx: &egui::Context) {
        let fragment = self.selected_fragment();
        if fragment.is_empty() {
            self.set_status("Select the services to copy first");
            return;
        }
        // On the system clipboard as design-file text: another window can paste it, and a
        // text editor shows what was copied.
        ctx.copy_text(crate::io::to_json(&fragment.to_design("Copied services")));
        self.set_status(format!(
            "Copied {} services and {} edges between them",
            fragment.services.len(),
            fragment.edges.len()
        ));
        self.clipboard = fragment;
        self.pastes = 0;
    }

    /// Pastes `text` when it is design-file text, else what this window copied last.
    pub(super) fn paste(&mut self, text: Option<&str>) {
        let from_text = text
            .and_then(|t| crate::io::parse_design(t.as_bytes(), "the clipboard").ok())
            .map(|d| Fragment::from_design(&d))
            .filter(|f| !f.is_empty());
        let fragment = from_text.unwrap_or_else(|| self.clipboard.clone());
        if fragment.is_empty() {
            self.set_status("Nothing to paste: copy some services first");
            return;
        }
        self.pastes += 1;
        let offset = PASTE_OFFSET * self.pastes as f32;
        self.insert_fragment(&fragment, offset, "Pasted");
    }

    pub(super) fn duplicate_selection(&mut self) {
        let fragment = self.selected_fragment();
        if fragment.is_empty() {
            self.set_status("Select the services to duplicate first");
            return;
        }
        self.insert_fragment(&fragment, PASTE_OFFSET, "Duplicated");
    }

    fn insert_fragment(&mut self, fragment: &Fragment, offset: f32, verb: &str) {
        let (command, uids) = fragment.paste_command(&mut self.doc.design, (offset, offset));
        if self.apply(command) {
            self.selection = Selection {
                services: uids,
                edge: None,
            };
            self.set_status(format!(
                "{verb} {} services and {} edges (new ids where taken); one undo step",
                fragment.services.len(),
                fragment.edges.len()
            ));
        }
    }

    pub(super) fn select_all(&mut self) {
        self.selection = Selection {
            services: self.doc.design.services.iter().map(|s| s.uid).collect(),
            edge: None,
        };
    }

    /// Moves the selection by (dx, dy); presses in a row on one selection are one undo step.
    pub(super) fn nudge(&mut self, dx: f32, dy: f32) {
        let moves: Vec<_> = self
            .selection
            .services
            .iter()
            .filter_map(|&uid| {
                let c = self.view.center_of(uid)?;
                Some((
                    uid,
                    Some(Position {
                        x: c.x + dx,
                        y: c.y + dy,
                    }),
                ))
            })
            .collect();
        if moves.is_empty() {
            return;
        }
        let mut key = std::collections::hash_map::DefaultHasher::new();
        "nudge".hash(&mut key);
        for (uid, _) in &moves {
            uid.hash(&mut key);
        }
        self.apply_merging(
            crate::model::edit::Command::MoveServices(moves),
            Some(key.finish()),
        );
    }

    pub(super) fn toggle_focus(&mut self) {
        if self.focus.take().is_some() {
            self.set_status("Showing everything");
            return;
        }
        let Some(&uid) = self.selection.services.first() else {
            self.set_status("Select a service to focus on");
            return;
        };
        self.focus = Some((uid, self.settings.focus_hops));
        self.set_status("View › Show everything ends the focus");
    }

    /// What the focus view shows, for the status line.
    pub(super) fn focus_text(&self) -> String {
        let Some((uid, hops)) = self.focus else {
            return String::new();
        };
        let design = &self.doc.design;
        let Some(index) = design.index_of(uid) else {
            return String::new();
        };
        let shown = crate::analysis::neighbourhood::within_hops(design, &[index], hops)
            .iter()
            .filter(|on| **on)
            .count();
        let plural = if hops == 1 { "" } else { "s" };
        format!(
            "Focus: {shown} of {} services within {hops} hop{plural} of {}",
            design.services.len(),
            design.id(index)
        )
    }
}
