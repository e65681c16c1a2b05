//! The selection (session state) and how canvas gestures change it.

use crate::model::edit::Command;
use crate::model::{EdgeUid, ServiceIndex, ServiceUid};

use super::actions::Action;
use super::app::App;
use super::canvas::CanvasEvent;

/// The selection. Session state.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Selection {
    /// The selected services.
    pub(crate) services: Vec<ServiceUid>,
    /// The selected edge (never together with services).
    pub(crate) edge: Option<EdgeUid>,
}

impl App {
    /// The selected services' file places (the ones that exist).
    pub(super) fn selected_indices(&self) -> Vec<ServiceIndex> {
        let mut indices: Vec<ServiceIndex> = self
            .selection
            .services
            .iter()
            .filter_map(|&uid| self.view.index_of(uid))
            .map(|i| ServiceIndex(i as u32))
            .collect();
        indices.sort_unstable();
        indices
    }

    /// Drops from the selection what no longer exists (after an undo, say); what remains names
    /// the same services it did.
    pub(super) fn clamp_selection(&mut self) {
        let view = &self.view;
        self.selection
            .services
            .retain(|&uid| view.index_of(uid).is_some());
        if let Some(edge) = self.selection.edge
            && view.edge_index_of(edge).is_none()
        {
            self.selection.edge = None;
        }
    }

    pub(super) fn handle_canvas_events(&mut self, events: Vec<CanvasEvent>) {
        for event in events {
            match event {
                CanvasEvent::SelectService { service, add } => {
                    self.selection.edge = None;
                    if add {
                        if let Some(at) = self.selection.services.iter().position(|s| *s == service)
                        {
                            self.selection.services.remove(at);
                        } else {
                            self.selection.services.push(service);
                        }
                    } else if !self.selection.services.contains(&service)
                        || self.selection.services.len() > 1
                    {
                        self.selection.services = vec![service];
                    }
                }
                CanvasEvent::SelectServices { services, add } => {
                    self.selection.edge = None;
                    if !add {
                        self.selection.services.clear();
                    }
                    for service in services {
                        if !self.selection.services.contains(&service) {
                            self.selection.services.push(service);
                        }
                    }
                }
                CanvasEvent::SelectEdge(edge) => {
                    self.selection = Selection {
                        services: Vec::new(),
                        edge: Some(edge),
                    };
                }
                CanvasEvent::ClearSelection => self.selection = Selection::default(),
                CanvasEvent::Moved(moves) => self
                    .actions
                    .push(Action::Edit(Command::MoveServices(moves))),
                CanvasEvent::Connect { from, to } => {
                    self.actions.push(Action::BeginConnect(from, to))
                }
                CanvasEvent::ConnectToNew { from, at } => self
                    .actions
                    .push(Action::BeginConnectToNew(from, self.new_kind, at)),
                CanvasEvent::AddServiceAt(p) => self
                    .actions
                    .push(Action::AddService(self.new_kind, Some(p))),
            }
        }
        self.view
            .set_selection(&self.selection.services, self.selection.edge);
    }
}
