//! Every change to a design is a [`Command`], applied in one place ([`History::apply`]).
//!
//! Applying a command returns its inverse, so undo and redo are exact and cheap, and the dirty
//! flag and re-analysis hook in at one point that no panel can bypass.

use std::sync::Arc;

use super::{Design, EventEdge, Position, Service, ServiceIndex};

/// One edit of a design. A gesture (a whole drag, an auto-layout) is one command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Insert a service at `index` (use `services.len()` to append), with edges to restore.
    InsertService {
        /// Where it goes in file order.
        index: ServiceIndex,
        /// The service.
        service: Service,
        /// Edges to put back with it, as (position in the edge list, edge), ascending.
        edges: Vec<(usize, EventEdge)>,
    },
    /// Remove a service and every edge touching it.
    RemoveService(ServiceIndex),
    /// Replace a service's fields (id, name, kind, notes, ...). The id must stay unique.
    UpdateService {
        /// Which service.
        index: ServiceIndex,
        /// Its new fields.
        service: Service,
    },
    /// Move services (one drag, or an auto-layout).
    MoveServices(Vec<(ServiceIndex, Option<Position>)>),
    /// Insert an event edge at a position of the edge list.
    InsertEdge {
        /// Position in the edge list (use `edges.len()` to append).
        position: usize,
        /// The edge.
        edge: EventEdge,
    },
    /// Remove the edge at a position of the edge list.
    RemoveEdge(usize),
    /// Rename the event an edge carries.
    RenameEvent {
        /// Position in the edge list.
        position: usize,
        /// The new event name.
        event: Arc<str>,
    },
    /// Rename the design.
    RenameDesign(String),
    /// Several commands as one undo step, applied in order.
    Batch(Vec<Command>),
}

/// Why a command was refused. The design is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// An id clash or an empty id.
    #[error("{0}")]
    InvalidId(String),
    /// The command names a service or edge that does not exist.
    #[error("{0} does not exist (it may have been deleted)")]
    Missing(String),
    /// An event name was empty.
    #[error("an event name cannot be empty; type the event this edge carries")]
    EmptyEvent,
}

impl Command {
    /// A short label for menus ("Undo move") and the status line.
    pub fn label(&self) -> &'static str {
        match self {
            Command::InsertService { .. } => "add service",
            Command::RemoveService(_) => "delete service",
            Command::UpdateService { .. } => "edit service",
            Command::MoveServices(_) => "move",
            Command::InsertEdge { .. } => "add edge",
            Command::RemoveEdge(_) => "delete edge",
            Command::RenameEvent { .. } => "rename event",
            Command::RenameDesign(_) => "rename design",
            Command::Batch(_) => "edit",
        }
    }

    /// Applies the command and returns its inverse, or refuses it and leaves `design` unchanged.
    pub fn apply(self, design: &mut Design) -> Result<Command, EditError> {
        match self {
            Command::InsertService {
                index,
                service,
                edges,
            } => {
                design
                    .check_new_id(&service.id, None)
                    .map_err(EditError::InvalidId)?;
                let at = index.index().min(design.services.len());
                for edge in &mut design.edges {
                    for end in [&mut edge.from, &mut edge.to] {
                        if end.index() >= at {
                            end.0 += 1;
                        }
                    }
                }
                design.services.insert(at, service);
                for (position, edge) in edges {
                    let position = position.min(design.edges.len());
                    design.edges.insert(position, edge);
                }
                Ok(Command::RemoveService(ServiceIndex(at as u32)))
            }
            Command::RemoveService(index) => {
                if index.index() >= design.services.len() {
                    return Err(EditError::Missing(format!("service #{}", index.0)));
                }
                let mut removed = Vec::new();
                let mut kept = Vec::with_capacity(design.edges.len());
                for (position, edge) in std::mem::take(&mut design.edges).into_iter().enumerate() {
                    if edge.from == index || edge.to == index {
                        removed.push((position, edge));
                    } else {
                        kept.push(edge);
                    }
                }
                for edge in &mut kept {
                    for end in [&mut edge.from, &mut edge.to] {
                        if end.0 > index.0 {
                            end.0 -= 1;
                        }
                    }
                }
                design.edges = kept;
                let service = design.services.remove(index.index());
                Ok(Command::InsertService {
                    index,
                    service,
                    edges: removed,
                })
            }
            Command::UpdateService { index, service } => {
                let Some(old) = design.services.get(index.index()) else {
                    return Err(EditError::Missing(format!("service #{}", index.0)));
                };
                if old.id != service.id {
                    design
                        .check_new_id(&service.id, Some(index))
                        .map_err(EditError::InvalidId)?;
                }
                let old = std::mem::replace(&mut design.services[index.index()], service);
                Ok(Command::UpdateService {
                    index,
                    service: old,
                })
            }
            Command::MoveServices(moves) => {
                if let Some((missing, _)) = moves
                    .iter()
                    .find(|(i, _)| i.index() >= design.services.len())
                {
                    return Err(EditError::Missing(format!("service #{}", missing.0)));
                }
                let inverse = moves
                    .into_iter()
                    .map(|(index, position)| {
                        let slot = &mut design.services[index.index()].position;
                        (index, std::mem::replace(slot, position))
                    })
                    .collect();
                Ok(Command::MoveServices(inverse))
            }
            Command::InsertEdge { position, edge } => {
                let count = design.services.len();
                if edge.from.index() >= count || edge.to.index() >= count {
                    return Err(EditError::Missing("the edge's service".to_owned()));
                }
                if edge.event.trim().is_empty() {
                    return Err(EditError::EmptyEvent);
                }
                let position = position.min(design.edges.len());
                design.edges.insert(position, edge);
                Ok(Command::RemoveEdge(position))
            }
            Command::RemoveEdge(position) => {
                if position >= design.edges.len() {
                    return Err(EditError::Missing(format!("edge #{position}")));
                }
                let edge = design.edges.remove(position);
                Ok(Command::InsertEdge { position, edge })
            }
            Command::RenameEvent { position, event } => {
                if event.trim().is_empty() {
                    return Err(EditError::EmptyEvent);
                }
                let Some(edge) = design.edges.get_mut(position) else {
                    return Err(EditError::Missing(format!("edge #{position}")));
                };
                let old = std::mem::replace(&mut edge.event, event);
                Ok(Command::RenameEvent {
                    position,
                    event: old,
                })
            }
            Command::RenameDesign(name) => {
                let old = std::mem::replace(&mut design.name, name);
                Ok(Command::RenameDesign(old))
            }
            Command::Batch(commands) => {
                let mut inverses = Vec::with_capacity(commands.len());
                for command in commands {
                    match command.apply(design) {
                        Ok(inverse) => inverses.push(inverse),
                        Err(error) => {
                            // Roll back what already applied so a refused batch changes nothing.
                            for inverse in inverses.into_iter().rev() {
                                let _ = inverse.apply(design);
                            }
                            return Err(error);
                        }
                    }
                }
                inverses.reverse();
                Ok(Command::Batch(inverses))
            }
        }
    }
}

/// Undo and redo stacks plus the unsaved-changes marker.
///
/// Session state: it does not survive a restart.
#[derive(Debug, Default)]
pub struct History {
    undo: Vec<(&'static str, Command)>,
    redo: Vec<(&'static str, Command)>,
    /// Number of undo entries when the design was last saved; `None` if that state is gone.
    saved_at: Option<usize>,
    /// Bumped on every change; front ends re-analyse when it moves.
    revision: u64,
}

impl History {
    /// A fresh history for a design that is saved as it stands.
    pub fn new() -> History {
        History {
            saved_at: Some(0),
            ..History::default()
        }
    }

    /// Applies a command as one undo step.
    pub fn apply(&mut self, design: &mut Design, command: Command) -> Result<(), EditError> {
        let label = command.label();
        let inverse = command.apply(design)?;
        if self.saved_at.is_some_and(|at| at > self.undo.len()) {
            self.saved_at = None; // the saved state was on the redo stack we are dropping
        }
        self.undo.push((label, inverse));
        self.redo.clear();
        self.revision += 1;
        Ok(())
    }

    /// Undoes the last step; returns its label, or `None` when there is nothing to undo.
    pub fn undo(&mut self, design: &mut Design) -> Option<&'static str> {
        let (label, command) = self.undo.pop()?;
        match command.apply(design) {
            Ok(inverse) => {
                self.redo.push((label, inverse));
                self.revision += 1;
                Some(label)
            }
            Err(_) => None,
        }
    }

    /// Redoes the last undone step; returns its label.
    pub fn redo(&mut self, design: &mut Design) -> Option<&'static str> {
        let (label, command) = self.redo.pop()?;
        match command.apply(design) {
            Ok(inverse) => {
                self.undo.push((label, inverse));
                self.revision += 1;
                Some(label)
            }
            Err(_) => None,
        }
    }

    /// Label of the step Undo would revert.
    pub fn undo_label(&self) -> Option<&'static str> {
        self.undo.last().map(|(label, _)| *label)
    }

    /// Label of the step Redo would re-apply.
    pub fn redo_label(&self) -> Option<&'static str> {
        self.redo.last().map(|(label, _)| *label)
    }

    /// True when the design differs from what was last saved or opened.
    pub fn is_dirty(&self) -> bool {
        self.saved_at != Some(self.undo.len())
    }

    /// Records that the design as it stands was saved.
    pub fn mark_saved(&mut self) {
        self.saved_at = Some(self.undo.len());
    }

    /// A counter that moves on every change, undo and redo.
    pub fn revision(&self) -> u64 {
        self.revision
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServiceKind;

    fn abc() -> Design {
        let mut design = Design::new("t");
        for id in ["a", "b", "c"] {
            design
                .services
                .push(Service::new(id, ServiceKind::Function));
        }
        design.connect("a", "b", "AB");
        design.connect("b", "c", "BC");
        design.connect("c", "a", "CA");
        design
    }

    #[test]
    fn removing_a_service_takes_its_edges_and_undo_restores_them_exactly() {
        let original = abc();
        let mut design = original.clone();
        let mut history = History::new();
        history
            .apply(&mut design, Command::RemoveService(ServiceIndex(1)))
            .unwrap();
        assert_eq!(design.services.len(), 2);
        assert_eq!(design.edges.len(), 1);
        assert_eq!(design.id(design.edges[0].from), "c");
        assert_eq!(design.id(design.edges[0].to), "a");
        assert!(history.is_dirty());
        history.undo(&mut design).unwrap();
        assert_eq!(design, original);
        assert!(!history.is_dirty());
        history.redo(&mut design).unwrap();
        assert_eq!(design.services.len(), 2);
    }

    #[test]
    fn a_clashing_rename_is_refused_and_changes_nothing() {
        let mut design = abc();
        let mut history = History::new();
        let mut renamed = design.services[0].clone();
        renamed.id = "b".into();
        let error = history
            .apply(
                &mut design,
                Command::UpdateService {
                    index: ServiceIndex(0),
                    service: renamed,
                },
            )
            .unwrap_err();
        assert!(error.to_string().contains("already used"));
        assert_eq!(design, abc());
        assert!(!history.is_dirty());
    }

    #[test]
    fn a_failing_batch_rolls_back() {
        let mut design = abc();
        let batch = Command::Batch(vec![
            Command::RenameDesign("new".into()),
            Command::RemoveEdge(99),
        ]);
        assert!(batch.apply(&mut design).is_err());
        assert_eq!(design, abc());
    }

    #[test]
    fn saving_then_undoing_marks_dirty_and_redo_clears_it() {
        let mut design = abc();
        let mut history = History::new();
        history
            .apply(&mut design, Command::RenameDesign("x".into()))
            .unwrap();
        history.mark_saved();
        assert!(!history.is_dirty());
        history.undo(&mut design);
        assert!(history.is_dirty());
        history.redo(&mut design);
        assert!(!history.is_dirty());
        history.undo(&mut design);
        history
            .apply(&mut design, Command::RenameDesign("y".into()))
            .unwrap();
        assert!(
            history.is_dirty(),
            "the saved state can no longer be reached"
        );
    }
}
