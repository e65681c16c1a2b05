//! The one place where things change: [`Action`]s queued by panels and run after the frame.
//! Every edit goes through [`App::apply`], and so through the history (undo, dirty marker,
//! re-analysis).

use std::path::PathBuf;

use crate::model::edit::Command;
use crate::model::{Design, Position, Service, ServiceIndex, ServiceKind, ServiceUid};

use super::app::{App, ClosingEdge};
use super::dialogs::{Dialog, PendingEdge};
use super::files::FilePurpose;
use super::layout;
use super::selection::Selection;

/// Something that replaces or closes the design, and so may first ask to save changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// File > New.
    New,
    /// File > Open... (choose a file).
    Open,
    /// Open this file (recent files, a dropped file).
    OpenPath(PathBuf),
    /// File > Import template... (choose a SAM or CloudFormation template).
    Import,
    /// Close the window.
    Quit,
}

/// Everything the window can be asked to do. Panels push these; [`App::run_actions`] runs them.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// An edit of the design (one undo step).
    Edit(Command),
    /// Edit > Undo.
    Undo,
    /// Edit > Redo.
    Redo,
    /// Edit > Delete: the selected services or edge.
    Delete,
    /// New, Open, Quit: asks about unsaved changes first.
    Intent(Intent),
    /// Carry out an intent now (the answer was Discard, or nothing was unsaved).
    Proceed(Intent),
    /// File > Save.
    Save,
    /// File > Save as...
    SaveAs,
    /// File > Export plan...
    Export,
    /// File > Export SAM template...
    ExportSam,
    /// File > Export picture... (SVG or PNG).
    ExportPicture,
    /// A path was chosen for a file purpose.
    PathChosen(FilePurpose, PathBuf),
    /// View > Fit.
    Fit,
    /// View > Auto-layout compact (the toolbar's Auto-layout) or Auto-layout by stage.
    AutoLayout(layout::Ranking),
    /// Add a service of a kind at a canvas point (or a free spot in view).
    AddService(ServiceKind, Option<egui::Pos2>),
    /// Select services and frame them.
    SelectAndFrame(Vec<ServiceUid>),
    /// Ask for the event name of a new edge.
    BeginConnect(ServiceUid, ServiceUid),
    /// Ask for the event name of a new edge to a new service of a kind at a canvas point.
    BeginConnectToNew(ServiceUid, ServiceKind, egui::Pos2),
    /// Set the zoom, keeping the viewport's centre in place.
    ZoomTo(f32),
    /// Edit > Copy: the selected services and the edges between them.
    Copy,
    /// Edit > Paste: what the system clipboard holds when it is a design (`Some(text)`), else
    /// what was copied last in this window.
    Paste(Option<String>),
    /// Edit > Duplicate: copy and paste the selection in one go (the clipboard is untouched).
    Duplicate,
    /// Edit > Select all.
    SelectAll,
    /// Move the selected services by this much, canvas units (arrow keys).
    Nudge(f32, f32),
    /// Edit > Find: open (or focus) the search bar.
    Find,
    /// View > Focus on the selection, or show everything again.
    ToggleFocus,
}

impl App {
    /// Runs the queued actions: edits through the history, files, selection, view.
    pub fn run_actions(&mut self, ctx: &egui::Context) {
        let mut guard = 0;
        while !self.actions.is_empty() && guard < 64 {
            guard += 1;
            let actions = std::mem::take(&mut self.actions);
            for action in actions {
                self.run_action(ctx, action);
            }
        }
        self.refresh();
    }

    pub(super) fn run_action(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::Edit(command) => {
                self.apply(command);
            }
            Action::Undo => match self.doc.history.undo(&mut self.doc.design) {
                Some(label) => {
                    self.clamp_selection();
                    self.set_status(format!("Undid {label}"));
                }
                None => self.set_status("Nothing to undo"),
            },
            Action::Redo => match self.doc.history.redo(&mut self.doc.design) {
                Some(label) => {
                    self.clamp_selection();
                    self.set_status(format!("Redid {label}"));
                }
                None => self.set_status("Nothing to redo"),
            },
            Action::Delete => self.delete_selection(),
            Action::Intent(intent) => {
                if self.is_dirty() {
                    self.dialog = Dialog::UnsavedChanges(intent);
                } else {
                    self.run_action(ctx, Action::Proceed(intent));
                }
            }
            Action::Proceed(intent) => match intent {
                Intent::New => {
                    self.replace(Design::new("Untitled"), None);
                    self.set_status("New design");
                }
                Intent::Open => self.choose_path(ctx, FilePurpose::Open),
                Intent::Import => self.choose_path(ctx, FilePurpose::Import),
                Intent::OpenPath(path) => self.open(&path),
                Intent::Quit => {
                    self.recovery.discard();
                    self.allowed_to_close = true;
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                }
            },
            Action::Save => match self.doc.path.clone() {
                Some(path) => {
                    self.save_to(&path);
                }
                None => self.choose_path(ctx, FilePurpose::SaveAs { then: None }),
            },
            Action::SaveAs => self.choose_path(ctx, FilePurpose::SaveAs { then: None }),
            Action::Export => self.choose_path(ctx, FilePurpose::Export),
            Action::ExportSam => self.choose_path(ctx, FilePurpose::ExportSam),
            Action::ExportPicture => self.choose_path(ctx, FilePurpose::ExportPicture),
            Action::PathChosen(purpose, path) => match purpose {
                FilePurpose::Open | FilePurpose::Import => self.open(&path),
                FilePurpose::SaveAs { then } => {
                    if self.save_to(&path)
                        && let Some(intent) = then
                    {
                        self.actions.push(Action::Proceed(intent));
                    }
                }
                FilePurpose::Export => self.export(&path),
                FilePurpose::ExportSam => self.export_sam(&path),
                FilePurpose::ExportPicture => {
                    let (design, analysis) = (&self.doc.design, &self.doc.analysis);
                    match super::picture::export(&path, design, analysis, self.view.drawing()) {
                        Ok(status) => self.set_status(status),
                        Err(error) => self.set_error(error),
                    }
                }
            },
            Action::Fit => self.frame(None),
            Action::AutoLayout(ranking) => {
                if self.doc.design.services.len() < layout::WORKER_MIN_SERVICES {
                    let out = layout::layout(&self.doc.design, &self.doc.analysis, ranking);
                    self.apply_layout(out);
                } else if !self.layout_job.is_running() {
                    self.layout_job = layout::LayoutJob::start(
                        self.doc.design.clone(),
                        self.doc.analysis.clone(),
                        ranking,
                        self.doc.history.revision(),
                    );
                }
            }
            Action::AddService(kind, at) => self.add_service(kind, at),
            Action::ZoomTo(zoom) => {
                let viewport = self.canvas.viewport;
                let factor = zoom / self.canvas.camera.zoom.max(1e-6);
                self.canvas
                    .camera
                    .zoom_around(viewport, viewport.center(), factor);
            }
            Action::SelectAndFrame(services) => {
                self.selection = Selection {
                    services,
                    edge: None,
                };
                let indices = self.selected_indices();
                self.frame(Some(&indices));
            }
            Action::Copy => self.copy_selection(ctx),
            Action::Paste(text) => self.paste(text.as_deref()),
            Action::Duplicate => self.duplicate_selection(),
            Action::SelectAll => self.select_all(),
            Action::Nudge(dx, dy) => self.nudge(dx, dy),
            Action::Find => self.open_search(),
            Action::ToggleFocus => self.toggle_focus(),
            Action::BeginConnectToNew(from, kind, at) => {
                let service = self.new_service(kind, Some(at));
                let suggestion = self.suggested_event(from);
                let mut pending = PendingEdge::new(from, service.uid, suggestion);
                pending.new_service = Some(service);
                self.dialog = Dialog::EventName(pending);
            }
            Action::BeginConnect(from, to) => {
                let suggestion = self
                    .doc
                    .design
                    .index_of(from)
                    .and_then(|from| self.doc.design.published_events(from).first().copied())
                    .map(str::to_owned)
                    .unwrap_or_default();
                self.dialog = Dialog::EventName(PendingEdge::new(from, to, suggestion));
            }
        }
    }

    /// Applies one edit as one undo step; a refused edit is reported and changes nothing.
    pub(super) fn apply(&mut self, command: Command) -> bool {
        self.apply_merging(command, None)
    }

    /// [`App::apply`], joining the last undo step when it had the same `merge` key (see
    /// [`History::apply_merging`](crate::model::edit::History::apply_merging)).
    pub(super) fn apply_merging(&mut self, command: Command, merge: Option<u64>) -> bool {
        let closing = match &command {
            Command::InsertEdge { edge, .. } => Some((edge.from, edge.to, edge.event.clone())),
            _ => None,
        };
        let label = command.label();
        let history = &mut self.doc.history;
        let applied = match merge {
            Some(key) => history.apply_merging(&mut self.doc.design, command, key),
            None => history.apply(&mut self.doc.design, command),
        };
        match applied {
            Ok(()) => {
                self.refresh();
                let design = &self.doc.design;
                let ends = closing.and_then(|(from, to, event)| {
                    Some((design.index_of(from)?, design.index_of(to)?, event))
                });
                if let Some((from, to, event)) = ends
                    && self.doc.analysis.edge_in_cycle(from, to)
                {
                    let from = design.id(from).to_owned();
                    let to = design.id(to).to_owned();
                    self.set_error(format!(
                        "The edge {from} -> {to} ({event}) closed a cycle; see Problems"
                    ));
                    self.closers.push(ClosingEdge { from, to, event });
                } else {
                    self.set_status(format!("Done: {label}"));
                }
                true
            }
            Err(error) => {
                self.set_error(format!("Cannot {label}: {error}"));
                false
            }
        }
    }

    /// The event a new edge from `from` is offered: the first it already publishes.
    fn suggested_event(&self, from: ServiceUid) -> String {
        self.doc
            .design
            .index_of(from)
            .and_then(|from| self.doc.design.published_events(from).first().copied())
            .map(str::to_owned)
            .unwrap_or_default()
    }

    pub(super) fn add_service(&mut self, kind: ServiceKind, at: Option<egui::Pos2>) {
        let service = self.new_service(kind, at);
        let (uid, id) = (service.uid, service.id.clone());
        if self.apply(Command::InsertService {
            at: None,
            service,
            edges: Vec::new(),
        }) {
            self.selection = Selection {
                services: vec![uid],
                edge: None,
            };
            self.set_status(format!("Added {kind} \"{id}\"; edit it in the inspector"));
        }
    }

    /// A new service of `kind` with a unique id (`function-3`) and a fresh uid, at a free spot
    /// near `at` (the view's centre when `None`). Not added yet.
    fn new_service(&mut self, kind: ServiceKind, at: Option<egui::Pos2>) -> Service {
        let design = &self.doc.design;
        let mut n = design.services.len() + 1;
        let id = loop {
            let candidate = format!("{}-{n}", kind.as_str());
            if design.find(&candidate).is_none() {
                break candidate;
            }
            n += 1;
        };
        let wanted = at.unwrap_or_else(|| {
            let c = self.canvas.viewport.center();
            self.canvas.camera.to_canvas(self.canvas.viewport, c)
        });
        let spot = layout::free_spot(self.view.centers(), wanted);
        let mut service = Service::new(id.clone(), kind);
        service.position = Some(Position {
            x: spot.x,
            y: spot.y,
        });
        service.uid = self.doc.design.fresh_service_uid();
        service
    }

    pub(super) fn delete_selection(&mut self) {
        if let Some(edge) = self.selection.edge {
            self.selection.edge = None;
            self.apply(Command::RemoveEdge(edge));
            return;
        }
        let mut services = self.selection.services.clone();
        if services.is_empty() {
            self.set_status("Select a service or an edge to delete");
            return;
        }
        // Uids do not shift, but undo must put the services back in file order: remove the
        // last in the file first.
        services.sort_unstable_by_key(|&uid| std::cmp::Reverse(self.view.index_of(uid)));
        services.dedup();
        let command = if services.len() == 1 {
            Command::RemoveService(services[0])
        } else {
            Command::Batch(services.into_iter().map(Command::RemoveService).collect())
        };
        self.selection = Selection::default();
        self.apply(command);
    }

    /// Frames some services, or the whole design.
    pub(super) fn frame(&mut self, services: Option<&[ServiceIndex]>) {
        if let Some(bounds) = Self::drawn_bounds(self.view.centers(), &self.doc.design, services) {
            // Some services (a trace step, a cycle) keep the zoom when they fit; all is a Fit.
            match services {
                Some(_) => self.canvas.focus_request = Some(bounds),
                None => self.canvas.fit_request = Some(bounds),
            }
        }
    }

    /// Moves the boxes an auto-layout placed, as one command; nothing when none moved.
    /// One undo step: the boxes moved, then the edges' lanes set (the move clears the old ones).
    fn apply_layout(&mut self, out: layout::Layout) {
        let design = &self.doc.design;
        let moves = out
            .positions
            .into_iter()
            .zip(&design.services)
            .filter(|(p, s)| s.position != Some(*p))
            .map(|(p, s)| (s.uid, Some(p)))
            .collect::<Vec<_>>();
        let lanes_same = out.vias.len() == design.edges.len()
            && out
                .vias
                .iter()
                .zip(&design.edges)
                .all(|(v, e)| **v == *design.via(e.uid));
        let vias = out
            .vias
            .into_iter()
            .zip(&design.edges)
            .filter(|(v, e)| !v.is_empty() || !design.via(e.uid).is_empty())
            .map(|(v, e)| (e.uid, v.into_boxed_slice()))
            .collect::<Vec<_>>();
        if moves.is_empty() && lanes_same {
            self.set_status("Auto-layout: every box is already in its place");
        } else if self.apply(Command::Batch(vec![
            Command::MoveServices(moves),
            Command::SetEdgeVias(vias),
        ])) {
            self.set_status(format!(
                "Auto-layout: {} arranged left to right (Undo puts the boxes back)",
                super::view::counted(self.doc.design.services.len(), "service")
            ));
        }
        self.refresh();
        self.frame(None);
    }

    /// Steps a layout running on the worker: its progress window, then its result.
    pub(super) fn poll_layout(&mut self, ctx: &egui::Context) {
        match self.layout_job.poll() {
            layout::LayoutPoll::Done { revision, layout }
                if revision == self.doc.history.revision() =>
            {
                self.apply_layout(layout)
            }
            layout::LayoutPoll::Done { .. } => {
                self.set_status("Auto-layout dropped: the design changed while it ran")
            }
            layout::LayoutPoll::Cancelled => self.set_status("Auto-layout cancelled"),
            layout::LayoutPoll::Running(done) => {
                if layout::progress_ui(ctx, done) {
                    self.layout_job.cancel();
                }
                ctx.request_repaint_after(std::time::Duration::from_millis(50));
            }
            layout::LayoutPoll::Idle => {}
        }
    }
}
