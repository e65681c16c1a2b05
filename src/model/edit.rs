//! Every change to a design is a [`Command`], applied in one place ([`History::apply`]).
//!
//! Commands name services and edges by their uids, never by list positions, so a command, the
//! selection or a gesture still means the same thing after other edits. Applying a command
//! returns its inverse, so undo and redo are exact and cheap, and the dirty flag and re-analysis
//! hook in at one point that no panel can bypass. Positions appear only as "where in file order"
//! a service or edge goes back to, which keeps undo byte-exact.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Design, EdgeFilter, EdgeMode, EdgeUid, EventEdge, Position, Service, ServiceUid};

/// An edge as a command carries it: its ends by uid.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeDraft {
    /// Its uid; [`EdgeUid::UNSET`] gets a fresh one.
    pub uid: EdgeUid,
    /// The publisher.
    pub from: ServiceUid,
    /// The subscriber.
    pub to: ServiceUid,
    /// The event it carries.
    pub event: Arc<str>,
    /// Through the bus or a direct call.
    pub mode: EdgeMode,
    /// Which events take it.
    pub filter: Option<Box<EdgeFilter>>,
    /// Why it exists (kept through undo).
    pub evidence: Option<Box<crate::model::Evidence>>,
    /// Its lane from auto-layout (kept through undo).
    pub via: Box<[Position]>,
}

impl EdgeDraft {
    /// A new asynchronous, unfiltered edge.
    pub fn new(from: ServiceUid, to: ServiceUid, event: impl Into<Arc<str>>) -> EdgeDraft {
        EdgeDraft {
            uid: EdgeUid::UNSET,
            from,
            to,
            event: event.into(),
            mode: EdgeMode::Async,
            filter: None,
            evidence: None,
            via: Box::default(),
        }
    }

    /// The draft of an edge of `design`.
    pub fn of(design: &Design, edge: &EventEdge) -> EdgeDraft {
        EdgeDraft {
            uid: edge.uid,
            from: design.uid(edge.from),
            to: design.uid(edge.to),
            event: edge.event.clone(),
            mode: edge.mode,
            filter: edge.filter.clone(),
            evidence: edge.evidence.clone(),
            via: design.via(edge.uid).into(),
        }
    }
}

/// One edit of a design. A gesture (a whole drag, an auto-layout) is one command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Insert a service at a place in file order (`None` appends), with edges to put back with
    /// it. A service whose uid is [`ServiceUid::UNSET`] gets a fresh one.
    InsertService {
        /// Where it goes in file order; `None` appends.
        at: Option<usize>,
        /// The service.
        service: Service,
        /// Edges to put back with it, as (place in the edge list, edge), ascending.
        edges: Vec<(usize, EdgeDraft)>,
    },
    /// Remove a service and every edge touching it.
    RemoveService(ServiceUid),
    /// Replace a service's fields (id, name, kind, notes, properties, ...). The id must stay
    /// unique; the uid stays.
    UpdateService {
        /// Which service.
        uid: ServiceUid,
        /// Its new fields.
        service: Service,
    },
    /// Move services (one drag, or an auto-layout). The lanes of the edges touching them are
    /// cleared (they ran between the boxes where they were); undo puts them back.
    MoveServices(Vec<(ServiceUid, Option<Position>)>),
    /// Set the lanes of edges (an auto-layout's, after the move of its boxes).
    SetEdgeVias(Vec<(EdgeUid, Box<[Position]>)>),
    /// Insert an event edge at a place in the edge list (`None` appends).
    InsertEdge {
        /// Place in the edge list; `None` appends.
        at: Option<usize>,
        /// The edge.
        edge: EdgeDraft,
    },
    /// Remove an edge.
    RemoveEdge(EdgeUid),
    /// Change what an edge carries and how: its event, mode and filter.
    UpdateEdge {
        /// Which edge.
        uid: EdgeUid,
        /// The event name.
        event: Arc<str>,
        /// The mode.
        mode: EdgeMode,
        /// The filter.
        filter: Option<Box<EdgeFilter>>,
    },
    /// Rename the design.
    RenameDesign(String),
    /// Replace the list of loops marked intentional (mark or unmark one).
    SetIntentionalLoops(Vec<crate::model::IntentionalLoop>),
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
    /// A property or filter that does not check.
    #[error("{0}")]
    Invalid(String),
}

fn missing_service(uid: ServiceUid) -> EditError {
    EditError::Missing(format!("service #{}", uid.0))
}

fn missing_edge(uid: EdgeUid) -> EditError {
    EditError::Missing(format!("edge #{}", uid.0))
}

/// Checks what a command would store on a service: its properties' known keys.
fn check_service(service: &Service) -> Result<(), EditError> {
    match super::properties::check(service.kind, &service.properties.to_map()).first() {
        Some(problem) => Err(EditError::Invalid(format!(
            "properties.{}: {} ({})",
            problem.key, problem.message, problem.hint
        ))),
        None => Ok(()),
    }
}

fn check_edge(event: &str, filter: Option<&EdgeFilter>) -> Result<(), EditError> {
    if event.trim().is_empty() {
        return Err(EditError::EmptyEvent);
    }
    if let Some(filter) = filter {
        filter
            .check()
            .map_err(|error| EditError::Invalid(format!("filter.{error}")))?;
    }
    Ok(())
}

impl Command {
    /// A short label for menus ("Undo move") and the status line.
    pub fn label(&self) -> &'static str {
        match self {
            Command::InsertService { .. } => "add service",
            Command::RemoveService(_) => "delete service",
            Command::UpdateService { .. } => "edit service",
            Command::MoveServices(_) => "move",
            Command::SetEdgeVias(_) => "edge lanes",
            Command::InsertEdge { .. } => "add edge",
            Command::RemoveEdge(_) => "delete edge",
            Command::UpdateEdge { .. } => "edit edge",
            Command::RenameDesign(_) => "rename design",
            Command::SetIntentionalLoops(_) => "mark loop",
            // An auto-layout, or a move that cleared lanes: a move to the user.
            Command::Batch(c) if c.iter().any(|c| matches!(c, Command::MoveServices(_))) => "move",
            Command::Batch(_) => "edit",
        }
    }

    /// Applies the command and returns its inverse, or refuses it and leaves `design` unchanged.
    pub fn apply(self, design: &mut Design) -> Result<Command, EditError> {
        match self {
            Command::InsertService {
                at,
                mut service,
                edges,
            } => {
                design
                    .check_new_id(&service.id, None)
                    .map_err(EditError::InvalidId)?;
                check_service(&service)?;
                if service.uid == ServiceUid::UNSET {
                    service.uid = design.fresh_service_uid();
                } else if design.index_of(service.uid).is_some() {
                    return Err(EditError::InvalidId(format!(
                        "service #{} is already in the design",
                        service.uid.0
                    )));
                }
                let uid = service.uid;
                let at = at.unwrap_or(usize::MAX).min(design.services.len());
                for edge in &mut design.edges {
                    for end in [&mut edge.from, &mut edge.to] {
                        if end.index() >= at {
                            end.0 += 1;
                        }
                    }
                }
                design.services.insert(at, service);
                // The edges name services by uid: resolve them now the service is in.
                let mut inserted = Vec::with_capacity(edges.len());
                for (position, draft) in edges {
                    let insert = Command::InsertEdge {
                        at: Some(position),
                        edge: draft,
                    };
                    match insert.apply(design) {
                        Ok(inverse) => inserted.push(inverse),
                        Err(error) => {
                            for inverse in inserted.into_iter().rev() {
                                let _ = inverse.apply(design);
                            }
                            let _ = Command::RemoveService(uid).apply(design);
                            return Err(error);
                        }
                    }
                }
                Ok(Command::RemoveService(uid))
            }
            Command::RemoveService(uid) => {
                let index = design.index_of(uid).ok_or_else(|| missing_service(uid))?;
                let mut removed = Vec::new();
                let mut kept = Vec::with_capacity(design.edges.len());
                for (position, edge) in std::mem::take(&mut design.edges).into_iter().enumerate() {
                    if edge.from == index || edge.to == index {
                        removed.push((position, edge));
                    } else {
                        kept.push(edge);
                    }
                }
                design.edges = kept;
                // Drafts name the ends by uid: take them before the indices shift.
                let removed: Vec<(usize, EdgeDraft)> = removed
                    .into_iter()
                    .map(|(position, edge)| (position, EdgeDraft::of(design, &edge)))
                    .collect();
                for (_, draft) in &removed {
                    design.set_via(draft.uid, Box::default());
                }
                for edge in &mut design.edges {
                    for end in [&mut edge.from, &mut edge.to] {
                        if end.0 > index.0 {
                            end.0 -= 1;
                        }
                    }
                }
                let service = design.services.remove(index.index());
                Ok(Command::InsertService {
                    at: Some(index.index()),
                    service,
                    edges: removed,
                })
            }
            Command::UpdateService { uid, mut service } => {
                let index = design.index_of(uid).ok_or_else(|| missing_service(uid))?;
                if design.service(index).id != service.id {
                    design
                        .check_new_id(&service.id, Some(index))
                        .map_err(EditError::InvalidId)?;
                }
                check_service(&service)?;
                service.uid = uid;
                // A loop marked intentional names its services by id: it follows a rename (and
                // the inverse renames it back).
                let old_id = &design.services[index.index()].id;
                if *old_id != service.id {
                    for id in design
                        .intentional_loops
                        .iter_mut()
                        .flat_map(|l| l.services.iter_mut())
                        .filter(|id| *id == old_id)
                    {
                        id.clone_from(&service.id);
                    }
                }
                let old = std::mem::replace(&mut design.services[index.index()], service);
                Ok(Command::UpdateService { uid, service: old })
            }
            Command::MoveServices(moves) => {
                let index: HashMap<ServiceUid, usize> = design
                    .services
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.uid, i))
                    .collect();
                if let Some((missing, _)) = moves.iter().find(|(uid, _)| !index.contains_key(uid)) {
                    return Err(missing_service(*missing));
                }
                let mut moved = vec![false; design.services.len()];
                let inverse = moves
                    .into_iter()
                    .map(|(uid, position)| {
                        moved[index[&uid]] = true;
                        let slot = &mut design.services[index[&uid]].position;
                        (uid, std::mem::replace(slot, position))
                    })
                    .collect();
                let touched: Vec<EdgeUid> = design
                    .edges
                    .iter()
                    .filter(|e| moved[e.from.index()] || moved[e.to.index()])
                    .filter(|e| design.lanes.contains_key(&e.uid))
                    .map(|e| e.uid)
                    .collect();
                let cleared: Vec<(EdgeUid, Box<[Position]>)> = touched
                    .into_iter()
                    .map(|uid| (uid, design.set_via(uid, Box::default())))
                    .collect();
                if cleared.is_empty() {
                    Ok(Command::MoveServices(inverse))
                } else {
                    Ok(Command::Batch(vec![
                        Command::MoveServices(inverse),
                        Command::SetEdgeVias(cleared),
                    ]))
                }
            }
            Command::SetEdgeVias(vias) => {
                let known: std::collections::HashSet<EdgeUid> =
                    design.edges.iter().map(|e| e.uid).collect();
                if let Some((missing, _)) = vias.iter().find(|(uid, _)| !known.contains(uid)) {
                    return Err(missing_edge(*missing));
                }
                let inverse = vias
                    .into_iter()
                    .map(|(uid, via)| (uid, design.set_via(uid, via)))
                    .collect();
                Ok(Command::SetEdgeVias(inverse))
            }
            Command::InsertEdge { at, edge } => {
                let from = design
                    .index_of(edge.from)
                    .ok_or_else(|| missing_service(edge.from))?;
                let to = design
                    .index_of(edge.to)
                    .ok_or_else(|| missing_service(edge.to))?;
                check_edge(&edge.event, edge.filter.as_deref())?;
                let uid = if edge.uid == EdgeUid::UNSET {
                    design.fresh_edge_uid()
                } else if design.edge_position(edge.uid).is_some() {
                    return Err(EditError::InvalidId(format!(
                        "edge #{} is already in the design",
                        edge.uid.0
                    )));
                } else {
                    edge.uid
                };
                let position = at.unwrap_or(usize::MAX).min(design.edges.len());
                design.edges.insert(
                    position,
                    EventEdge {
                        from,
                        to,
                        event: edge.event,
                        uid,
                        mode: edge.mode,
                        filter: edge.filter,
                        evidence: edge.evidence,
                    },
                );
                design.set_via(uid, edge.via);
                Ok(Command::RemoveEdge(uid))
            }
            Command::RemoveEdge(uid) => {
                let position = design.edge_position(uid).ok_or_else(|| missing_edge(uid))?;
                let edge = design.edges.remove(position);
                let draft = EdgeDraft::of(design, &edge);
                design.set_via(uid, Box::default());
                Ok(Command::InsertEdge {
                    at: Some(position),
                    edge: draft,
                })
            }
            Command::UpdateEdge {
                uid,
                event,
                mode,
                filter,
            } => {
                check_edge(&event, filter.as_deref())?;
                let position = design.edge_position(uid).ok_or_else(|| missing_edge(uid))?;
                let edge = &mut design.edges[position];
                Ok(Command::UpdateEdge {
                    uid,
                    event: std::mem::replace(&mut edge.event, event),
                    mode: std::mem::replace(&mut edge.mode, mode),
                    filter: std::mem::replace(&mut edge.filter, filter),
                })
            }
            Command::RenameDesign(name) => {
                let old = std::mem::replace(&mut design.name, name);
                Ok(Command::RenameDesign(old))
            }
            Command::SetIntentionalLoops(loops) => {
                if let Some(bad) = loops
                    .iter()
                    .flat_map(|l| &l.services)
                    .find(|id| design.find(id).is_none())
                {
                    return Err(EditError::InvalidId(format!(
                        "no service \"{}\" to mark a loop with",
                        crate::diagnostics::cut(bad)
                    )));
                }
                let old = std::mem::replace(&mut design.intentional_loops, loops);
                Ok(Command::SetIntentionalLoops(old))
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
    /// The merge key of the last step, while further steps with that key may join it.
    merge_key: Option<u64>,
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
        self.merge_key = None;
        self.push(design, command)
    }

    /// Applies a command that joins the last step when that step had the same `key` and
    /// nothing was undone or saved since (arrow-key nudges of one selection: one undo step for
    /// the whole run of presses). The joined step's inverse is the first one's, so undo goes
    /// back to before the run; this holds for commands that only overwrite state, such as
    /// [`Command::MoveServices`] of the same services.
    pub fn apply_merging(
        &mut self,
        design: &mut Design,
        command: Command,
        key: u64,
    ) -> Result<(), EditError> {
        let joins = self.merge_key == Some(key)
            && self.redo.is_empty()
            && !self.undo.is_empty()
            && self.saved_at != Some(self.undo.len());
        if !joins {
            self.push(design, command)?;
            self.merge_key = Some(key);
            return Ok(());
        }
        command.apply(design)?;
        self.revision += 1;
        Ok(())
    }

    fn push(&mut self, design: &mut Design, command: Command) -> Result<(), EditError> {
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
        self.merge_key = None;
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
        self.merge_key = None;
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
        self.merge_key = None;
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
            design.add_service(Service::new(id, ServiceKind::Function));
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
        let b = design.services[1].uid;
        history
            .apply(&mut design, Command::RemoveService(b))
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
                    uid: renamed.uid,
                    service: renamed,
                },
            )
            .unwrap_err();
        assert!(error.to_string().contains("already used"));
        assert_eq!(design, abc());
        assert!(!history.is_dirty());
    }

    #[test]
    fn moving_an_end_clears_the_edges_lanes_and_undo_puts_them_back() {
        let original = {
            let mut d = abc();
            for uid in d.edges.iter().map(|e| e.uid).collect::<Vec<_>>() {
                d.set_via(uid, vec![Position { x: 1.0, y: 2.0 }].into());
            }
            d
        };
        let mut design = original.clone();
        let mut history = History::new();
        let a = design.services[0].uid;
        let to = Some(Position { x: 50.0, y: 0.0 });
        history
            .apply(&mut design, Command::MoveServices(vec![(a, to)]))
            .unwrap();
        // AB and CA touch a; BC keeps its lane.
        let lanes: Vec<usize> = design
            .edges
            .iter()
            .map(|e| design.via(e.uid).len())
            .collect();
        assert_eq!(lanes, [0, 1, 0]);
        history.undo(&mut design);
        assert_eq!(design, original);
        history.redo(&mut design);
        assert_eq!(design.services[0].position, to);
        assert!(design.via(design.edges[0].uid).is_empty());
        // Setting lanes is a step of its own, undone exactly.
        let uid = design.edges[0].uid;
        let lane: Box<[Position]> = vec![Position { x: 9.0, y: 9.0 }].into();
        let before = design.clone();
        history
            .apply(&mut design, Command::SetEdgeVias(vec![(uid, lane.clone())]))
            .unwrap();
        assert_eq!(*design.via(uid), *lane);
        history.undo(&mut design);
        assert_eq!(design, before);
        let missing = Command::SetEdgeVias(vec![(EdgeUid(99), lane)]);
        assert!(history.apply(&mut design, missing).is_err());
        assert_eq!(design, before);
        // Deleting a service drops its edges' lanes with them; undo brings both back.
        let b = design.services[1].uid;
        history
            .apply(&mut design, Command::RemoveService(b))
            .unwrap();
        assert_eq!(design.lanes.len(), 0, "AB and BC went with b");
        history.undo(&mut design);
        assert_eq!(design, before);
    }

    #[test]
    fn a_failing_batch_rolls_back() {
        let mut design = abc();
        let batch = Command::Batch(vec![
            Command::RenameDesign("new".into()),
            Command::RemoveEdge(EdgeUid(99)),
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

    #[test]
    fn repeated_nudges_of_one_selection_are_one_undo_step() {
        let original = abc();
        let mut design = original.clone();
        let mut history = History::new();
        let a = design.services[0].uid;
        let at = |x: f32| Command::MoveServices(vec![(a, Some(Position { x, y: 0.0 }))]);
        for x in [10.0, 20.0, 30.0] {
            history.apply_merging(&mut design, at(x), 7).unwrap();
        }
        assert_eq!(
            design.services[0].position,
            Some(Position { x: 30.0, y: 0.0 })
        );
        history.undo(&mut design).unwrap();
        assert_eq!(design, original, "one undo takes back the whole run");
        assert!(history.undo_label().is_none());

        // Another key, an undo or a save in between starts a new step.
        history.apply_merging(&mut design, at(10.0), 7).unwrap();
        history.apply_merging(&mut design, at(20.0), 8).unwrap();
        history.mark_saved();
        history.apply_merging(&mut design, at(30.0), 8).unwrap();
        history.undo(&mut design).unwrap();
        assert_eq!(
            design.services[0].position,
            Some(Position { x: 20.0, y: 0.0 })
        );
        assert!(!history.is_dirty());
        history.undo(&mut design).unwrap();
        assert_eq!(
            design.services[0].position,
            Some(Position { x: 10.0, y: 0.0 })
        );
    }
}
