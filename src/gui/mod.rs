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
pub mod canvas;
pub mod files;
pub mod geometry;
pub mod layout;
pub mod picture;
pub mod recovery_dialog;
pub mod simulation_panel;
pub mod theme;
pub mod view;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};
use serde::{Deserialize, Serialize};

use crate::analysis::{Analysis, analyze};
use crate::model::edit::EdgeDraft;
use crate::model::edit::{Command, History};
use crate::model::{
    Design, EdgeMode, EdgeUid, Position, Service, ServiceIndex, ServiceKind, ServiceUid,
};
use crate::plan::PlanFormat;
use canvas::{CanvasEvent, CanvasOptions, CanvasState, SimOverlay};
use files::{DialogOutcome, DialogState, FilePurpose};
use view::CanvasView;

const SETTINGS_KEY: &str = "event-architect/settings";

/// Room around what is framed, canvas units (self-loops and edge labels stick out a little).
const FIT_MARGIN: f32 = 30.0;

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
        }
    }
}

/// Something that replaces or closes the design, and so may first ask to save changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// File > New.
    New,
    /// File > Open... (choose a file).
    Open,
    /// Open this file (recent files, a dropped file).
    OpenPath(PathBuf),
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
    /// File > Export picture... (SVG or PNG).
    ExportPicture,
    /// File > Export plan...
    Export,
    /// A path was chosen for a file purpose.
    PathChosen(FilePurpose, PathBuf),
    /// View > Fit.
    Fit,
    /// View > Auto-layout.
    AutoLayout,
    /// Add a service of a kind at a canvas point (or a free spot in view).
    AddService(ServiceKind, Option<egui::Pos2>),
    /// Select services and frame them.
    SelectAndFrame(Vec<ServiceUid>),
    /// Ask for the event name of a new edge.
    BeginConnect(ServiceUid, ServiceUid),
    /// Set the zoom, keeping the viewport's centre in place.
    ZoomTo(f32),
}

/// The open design: the document, its history and its analysis.
struct Document {
    design: Design,
    path: Option<PathBuf>,
    history: History,
    analysis: Analysis,
    analyzed: u64,
}

impl Document {
    fn new(mut design: Design, path: Option<PathBuf>) -> Document {
        // A design assembled by hand (tests, generators) may not have its uids yet.
        design.ensure_uids();
        let analysis = analyze(&design);
        Document {
            design,
            path,
            history: History::new(),
            analysis,
            analyzed: 0,
        }
    }

    fn file_name(&self) -> String {
        self.path.as_ref().and_then(|p| p.file_name()).map_or_else(
            || "not saved yet".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
}

/// The selection. Session state.
#[derive(Debug, Clone, Default, PartialEq)]
struct Selection {
    services: Vec<ServiceUid>,
    edge: Option<EdgeUid>,
}

/// A message on the status line.
#[derive(Debug, Clone)]
struct Status {
    text: String,
    error: bool,
}

/// The inspector's text fields, edited in place and committed on Enter or focus loss.
#[derive(Debug, Clone, Default)]
struct Draft {
    key: Option<(Option<ServiceUid>, Option<EdgeUid>, u64)>,
    id: String,
    name: String,
    notes: String,
    event: String,
    design_name: String,
    error: Option<String>,
}

/// A new edge waiting for its event name.
#[derive(Debug, Clone)]
struct PendingEdge {
    from: ServiceUid,
    to: ServiceUid,
    event: String,
    focus: bool,
}

/// An edge that closed a cycle, remembered so the problems panel can name it.
#[derive(Debug, Clone)]
struct ClosingEdge {
    from: String,
    to: String,
    event: Arc<str>,
}

/// The designer window.
pub struct App {
    doc: Document,
    view: CanvasView,
    canvas: CanvasState,
    selection: Selection,
    settings: Settings,
    status: Option<Status>,
    load_error: Option<String>,
    draft: Draft,
    pending_edge: Option<PendingEdge>,
    confirm: Option<Intent>,
    dialog: DialogState,
    native_dialogs: bool,
    closers: Vec<ClosingEdge>,
    new_kind: ServiceKind,
    actions: Vec<Action>,
    allowed_to_close: bool,
    title: String,
    simulation: simulation_panel::SimulationPanel,
    about: about::About,
    /// The hop the canvas animates: its trace length (a new step restarts it) and start time.
    hop_started: Option<(usize, f64)>,
    /// An auto-layout running on the worker thread.
    layout_job: layout::LayoutJob,
    /// Recovery copies of unsaved work, and the dialog offering those a crash left.
    recovery: recovery_dialog::Recovery,
}

impl App {
    /// The app as eframe creates it: persisted settings restored, native file dialogs on.
    pub fn new(cc: &eframe::CreationContext<'_>, design: Design, path: Option<PathBuf>) -> App {
        let mut app = App::with_design(design, path);
        app.native_dialogs = true;
        if let Some(settings) = cc
            .storage
            .and_then(|s| eframe::get_value::<Settings>(s, SETTINGS_KEY))
        {
            app.settings = settings;
        }
        if let Some(path) = app.doc.path.clone() {
            files::push_recent(&mut app.settings.recent, path);
        }
        let (recovery, error) = recovery_dialog::Recovery::in_data_dir();
        app.recovery = recovery;
        if let Some(error) = error {
            app.set_error(error);
        }
        app
    }

    /// Keeps recovery copies of unsaved work in `folder` (and offers those left there by a
    /// window that died), as [`App::new`] does in the platform's data folder.
    pub fn with_recovery_folder(mut self, folder: PathBuf) -> App {
        let (recovery, error) = recovery_dialog::Recovery::in_folder(folder);
        self.recovery = recovery;
        if let Some(error) = error {
            self.set_error(error);
        }
        self
    }

    /// Recovery copies written so far, after waiting for those under way.
    pub fn recovery_copies_written(&self) -> u64 {
        self.recovery.flush();
        self.recovery.written()
    }

    /// The app on a design, without persistence and with the in-app path field instead of
    /// native dialogs: what tests and benchmarks use.
    pub fn with_design(design: Design, path: Option<PathBuf>) -> App {
        let mut canvas = CanvasState::default();
        let doc = Document::new(design, path);
        canvas.open_request = Some(Self::design_bounds(&doc));
        App {
            doc,
            view: CanvasView::default(),
            canvas,
            selection: Selection::default(),
            settings: Settings::default(),
            status: None,
            load_error: None,
            draft: Draft::default(),
            pending_edge: None,
            confirm: None,
            dialog: DialogState::Idle,
            native_dialogs: false,
            closers: Vec::new(),
            new_kind: ServiceKind::Function,
            actions: Vec::new(),
            allowed_to_close: false,
            title: String::new(),
            simulation: simulation_panel::SimulationPanel::new(),
            about: about::About::default(),
            hop_started: None,
            recovery: recovery_dialog::Recovery::off(),
            layout_job: layout::LayoutJob::Idle,
        }
    }

    fn design_bounds(doc: &Document) -> egui::Rect {
        let centers = layout::display_positions(&doc.design, &doc.analysis);
        Self::drawn_bounds(&centers, &doc.design, None).unwrap_or(egui::Rect::from_center_size(
            egui::Pos2::ZERO,
            egui::vec2(600.0, 400.0),
        ))
    }

    /// What framing must show: the boxes (all, or `only` these) and the edges that bow out of
    /// their column between them. O(V + E).
    fn drawn_bounds(
        centers: &[egui::Pos2],
        design: &Design,
        only: Option<&[ServiceIndex]>,
    ) -> Option<egui::Rect> {
        let included = |s: ServiceIndex| only.is_none_or(|list| list.contains(&s));
        let mut bounds = geometry::bounds(
            centers
                .iter()
                .enumerate()
                .filter(|(i, _)| included(ServiceIndex(*i as u32)))
                .map(|(_, c)| *c),
        )?;
        for edge in &design.edges {
            if !(included(edge.from) && included(edge.to)) {
                continue;
            }
            let (Some(&a), Some(&b)) =
                (centers.get(edge.from.index()), centers.get(edge.to.index()))
            else {
                continue;
            };
            if geometry::needs_bow(a, b) {
                for p in geometry::bowed_edge(a, b, 0.0) {
                    bounds.extend_with(p);
                }
            }
        }
        Some(bounds.expand(FIT_MARGIN))
    }

    // ---- test-facing accessors ----

    /// The design as it stands.
    pub fn design(&self) -> &Design {
        &self.doc.design
    }

    /// Its analysis (recomputed after every change).
    pub fn analysis(&self) -> &Analysis {
        &self.doc.analysis
    }

    /// The file the design was opened from or saved to.
    pub fn path(&self) -> Option<&Path> {
        self.doc.path.as_deref()
    }

    /// True when there are unsaved changes.
    pub fn is_dirty(&self) -> bool {
        self.doc.history.is_dirty()
    }

    /// The status line's message.
    pub fn status_text(&self) -> Option<&str> {
        self.status.as_ref().map(|s| s.text.as_str())
    }

    /// The selected services, by uid.
    pub fn selected_services(&self) -> &[ServiceUid] {
        &self.selection.services
    }

    /// The selected services' file places (the ones that exist).
    fn selected_indices(&self) -> Vec<ServiceIndex> {
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

    /// The window title the app sets.
    pub fn title(&self) -> String {
        let dirty = if self.is_dirty() { " •" } else { "" };
        let name = if self.doc.design.name.is_empty() {
            "Untitled"
        } else {
            &self.doc.design.name
        };
        format!("{name} — {}{dirty} — Event Architect", self.doc.file_name())
    }

    /// Where a service's box centre is on screen (for tests that drag and click).
    pub fn service_screen_pos(&self, id: &str) -> Option<egui::Pos2> {
        let index = self.doc.design.find(id)?;
        let center = self.view.centers().get(index.index())?;
        Some(self.canvas.camera.to_screen(self.canvas.viewport, *center))
    }

    /// Where a service's connection handle is on screen.
    pub fn handle_screen_pos(&self, id: &str) -> Option<egui::Pos2> {
        let index = self.doc.design.find(id)?;
        let center = self.view.centers().get(index.index())?;
        Some(
            self.canvas
                .camera
                .to_screen(self.canvas.viewport, geometry::handle_center(*center)),
        )
    }

    /// The canvas zoom (screen points per canvas unit).
    pub fn zoom(&self) -> f32 {
        self.canvas.camera.zoom
    }

    /// The canvas area on screen.
    pub fn canvas_rect(&self) -> egui::Rect {
        self.canvas.viewport
    }

    /// Queues an action, as a menu item would.
    pub fn push_action(&mut self, action: Action) {
        self.actions.push(action);
    }

    /// Shows a load error (the CLI's text) in the window.
    pub fn show_load_error(&mut self, text: String) {
        self.set_error(format!(
            "Could not open the file; the current design is unchanged. {}",
            first_line(&text)
        ));
        self.load_error = Some(text);
    }

    fn set_status(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    fn set_error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
        });
    }

    // ---- the one place where things change ----

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

    fn run_action(&mut self, ctx: &egui::Context, action: Action) {
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
                    self.confirm = Some(intent);
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
            Action::ExportPicture => self.choose_path(ctx, FilePurpose::ExportPicture),
            Action::PathChosen(purpose, path) => match purpose {
                FilePurpose::Open => self.open(&path),
                FilePurpose::SaveAs { then } => {
                    if self.save_to(&path)
                        && let Some(intent) = then
                    {
                        self.actions.push(Action::Proceed(intent));
                    }
                }
                FilePurpose::Export => self.export(&path),
                FilePurpose::ExportPicture => {
                    let (design, analysis) = (&self.doc.design, &self.doc.analysis);
                    match picture::export(&path, design, analysis, self.view.drawing()) {
                        Ok(status) => self.set_status(status),
                        Err(error) => self.set_error(error),
                    }
                }
            },
            Action::Fit => self.frame(None),
            Action::AutoLayout => {
                if self.doc.design.services.len() < layout::WORKER_MIN_SERVICES {
                    let positions = layout::auto_layout(&self.doc.design, &self.doc.analysis);
                    self.apply_layout(positions);
                } else if !self.layout_job.is_running() {
                    self.layout_job = layout::LayoutJob::start(
                        self.doc.design.clone(),
                        self.doc.analysis.clone(),
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
            Action::BeginConnect(from, to) => {
                let suggestion = self
                    .doc
                    .design
                    .index_of(from)
                    .and_then(|from| self.doc.design.published_events(from).first().copied())
                    .map(str::to_owned)
                    .unwrap_or_default();
                self.pending_edge = Some(PendingEdge {
                    from,
                    to,
                    event: suggestion,
                    focus: true,
                });
            }
        }
    }

    /// Applies one edit as one undo step; a refused edit is reported and changes nothing.
    fn apply(&mut self, command: Command) -> bool {
        let closing = match &command {
            Command::InsertEdge { edge, .. } => Some((edge.from, edge.to, edge.event.clone())),
            _ => None,
        };
        let label = command.label();
        match self.doc.history.apply(&mut self.doc.design, command) {
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

    /// Re-analyses and re-syncs the view when the revision moved. Cheap when it did not.
    fn refresh(&mut self) {
        let revision = self.doc.history.revision();
        if self.doc.analyzed != revision {
            self.doc.analysis = analyze(&self.doc.design);
            self.doc.analyzed = revision;
            self.simulation.design_changed();
            self.hop_started = None;
        }
        if self
            .view
            .sync(&self.doc.design, &self.doc.analysis, revision)
        {
            self.draft.key = None;
        }
        self.clamp_selection();
        self.view
            .set_selection(&self.selection.services, self.selection.edge);
    }

    /// Drops from the selection what no longer exists (after an undo, say); what remains names
    /// the same services it did.
    fn clamp_selection(&mut self) {
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

    fn replace(&mut self, design: Design, path: Option<PathBuf>) {
        self.doc = Document::new(design, path);
        self.view.invalidate();
        self.selection = Selection::default();
        self.closers.clear();
        self.pending_edge = None;
        self.draft = Draft::default();
        self.refresh();
        self.canvas.open_request = Self::drawn_bounds(self.view.centers(), &self.doc.design, None);
    }

    fn open(&mut self, path: &Path) {
        match crate::io::load_path_versioned(path) {
            Ok((design, version)) => {
                let count = design.services.len();
                self.replace(design, Some(path.to_path_buf()));
                files::push_recent(&mut self.settings.recent, path.to_path_buf());
                self.load_error = None;
                let origin = path.display().to_string();
                let note = crate::io::migration_note(&origin, version)
                    .map_or_else(String::new, |note| format!("; {note}"));
                self.set_status(format!("Opened {origin} ({count} services){note}"));
            }
            Err(error) => self.show_load_error(error.to_string()),
        }
    }

    /// Carries out the recovery dialog's choice.
    fn recovered(&mut self, outcome: recovery_dialog::Outcome) {
        match outcome {
            recovery_dialog::Outcome::Restore {
                design,
                file,
                message,
            } => {
                self.replace(design, file.clone());
                // A history that was never saved: the restored changes are unsaved until the
                // user saves them, with nothing to undo before them.
                self.doc.history = History::default();
                self.recovery.restored(file.as_deref());
                self.set_status(message);
            }
            recovery_dialog::Outcome::Error(error) => self.set_error(error),
        }
    }

    fn save_to(&mut self, path: &Path) -> bool {
        match crate::io::save(path, &self.doc.design) {
            Ok(()) => {
                self.doc.history.mark_saved();
                self.doc.path = Some(path.to_path_buf());
                files::push_recent(&mut self.settings.recent, path.to_path_buf());
                self.set_status(format!("Saved {}", path.display()));
                true
            }
            Err(error) => {
                self.set_error(format!("Could not save {}: {error}", path.display()));
                false
            }
        }
    }

    fn export(&mut self, path: &Path) {
        let Some(format) = PlanFormat::from_extension(path) else {
            self.set_error(format!(
                "Cannot export to {}: end the file name in .json, .md, .mmd or .dot to choose \
                 JSON, Markdown, Mermaid or DOT",
                path.display()
            ));
            return;
        };
        let mut out = Vec::new();
        let written =
            crate::plan::write_plan(&mut out, format, &self.doc.design, &self.doc.analysis)
                .and_then(|()| crate::io::write_atomic(path, &out));
        match written {
            Ok(()) => self.set_status(format!("Exported the {format} plan to {}", path.display())),
            Err(error) => {
                self.set_error(format!("Could not export to {}: {error}", path.display()))
            }
        }
    }

    fn choose_path(&mut self, ctx: &egui::Context, purpose: FilePurpose) {
        let suggested = match &purpose {
            FilePurpose::Export => self
                .doc
                .path
                .as_ref()
                .map(|p| p.with_extension("plan.md"))
                .or_else(|| Some(PathBuf::from("plan.md"))),
            FilePurpose::ExportPicture => self
                .doc
                .path
                .as_ref()
                .map(|p| p.with_extension("svg"))
                .or_else(|| Some(PathBuf::from("design.svg"))),
            _ => self.doc.path.clone(),
        };
        self.dialog = if self.native_dialogs {
            DialogState::native(purpose, suggested, ctx)
        } else {
            DialogState::typed(purpose, suggested, String::new())
        };
    }

    fn poll_dialog(&mut self) {
        match self.dialog.poll() {
            DialogOutcome::Waiting => {}
            DialogOutcome::Chosen(purpose, path) => {
                self.actions.push(Action::PathChosen(purpose, path))
            }
            DialogOutcome::Cancelled => self.set_status("Cancelled"),
            DialogOutcome::Unavailable(purpose) => {
                self.native_dialogs = false;
                let suggested = self.doc.path.clone();
                self.dialog = DialogState::typed(
                    purpose,
                    suggested,
                    "No native file dialog is available here (no desktop portal or zenity). \
                     Type the file's path instead."
                        .to_owned(),
                );
            }
        }
    }

    fn add_service(&mut self, kind: ServiceKind, at: Option<egui::Pos2>) {
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
        let uid = self.doc.design.fresh_service_uid();
        service.uid = uid;
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

    fn delete_selection(&mut self) {
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

    /// Moves the boxes an auto-layout placed, as one command; nothing when none moved.
    fn apply_layout(&mut self, positions: Vec<crate::model::Position>) {
        let moves = positions
            .into_iter()
            .zip(&self.doc.design.services)
            .filter(|(p, s)| s.position != Some(*p))
            .map(|(p, s)| (s.uid, Some(p)))
            .collect::<Vec<_>>();
        if moves.is_empty() {
            self.set_status("Auto-layout: every box is already in its place");
        } else if self.apply(Command::MoveServices(moves)) {
            self.set_status(format!(
                "Auto-layout: {}, left to right (Undo puts the boxes back)",
                view::counted(self.doc.analysis.stage_count(), "stage")
            ));
        }
        self.refresh();
        self.frame(None);
    }

    /// Steps a layout running on the worker: its progress window, then its result.
    fn poll_layout(&mut self, ctx: &egui::Context) {
        match self.layout_job.poll() {
            layout::LayoutPoll::Done {
                revision,
                positions,
            } if revision == self.doc.history.revision() => self.apply_layout(positions),
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

    /// Frames some services, or the whole design.
    fn frame(&mut self, services: Option<&[ServiceIndex]>) {
        if let Some(bounds) = Self::drawn_bounds(self.view.centers(), &self.doc.design, services) {
            // Some services (a trace step, a cycle) keep the zoom when they fit; all is a Fit.
            match services {
                Some(_) => self.canvas.focus_request = Some(bounds),
                None => self.canvas.fit_request = Some(bounds),
            }
        }
    }

    // ---- drawing ----

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let typing = ctx.egui_wants_keyboard_input();
        let cmd = Modifiers::COMMAND;
        let shift_cmd = Modifiers::COMMAND | Modifiers::SHIFT;
        let pressed = |m: Modifiers, k: Key| {
            ctx.input_mut(|i| i.consume_shortcut(&KeyboardShortcut::new(m, k)))
        };
        // Shifted shortcuts first: egui matches Ctrl+Z inside Ctrl+Shift+Z.
        if pressed(shift_cmd, Key::S) {
            self.actions.push(Action::SaveAs);
        } else if pressed(cmd, Key::S) {
            self.actions.push(Action::Save);
        }
        if pressed(cmd, Key::O) {
            self.actions.push(Action::Intent(Intent::Open));
        }
        if pressed(cmd, Key::N) {
            self.actions.push(Action::Intent(Intent::New));
        }
        if typing {
            return; // text fields keep their own undo, redo and Delete
        }
        if pressed(shift_cmd, Key::Z) || pressed(cmd, Key::Y) {
            self.actions.push(Action::Redo);
        } else if pressed(cmd, Key::Z) {
            self.actions.push(Action::Undo);
        }
        if pressed(Modifiers::NONE, Key::Delete) || pressed(Modifiers::NONE, Key::Backspace) {
            self.actions.push(Action::Delete);
        }
        if pressed(Modifiers::NONE, Key::F) {
            self.actions.push(Action::Fit);
        }
    }

    fn menu_ui(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("New").clicked() {
                    self.actions.push(Action::Intent(Intent::New));
                }
                if ui.button("Open...").clicked() {
                    self.actions.push(Action::Intent(Intent::Open));
                }
                ui.menu_button("Open recent", |ui| {
                    if self.settings.recent.is_empty() {
                        ui.label("No recent files");
                    }
                    for path in self.settings.recent.clone() {
                        if ui.button(path.display().to_string()).clicked() {
                            self.actions.push(Action::Intent(Intent::OpenPath(path)));
                        }
                    }
                });
                ui.separator();
                if ui.button("Save").clicked() {
                    self.actions.push(Action::Save);
                }
                if ui.button("Save as...").clicked() {
                    self.actions.push(Action::SaveAs);
                }
                if ui.button("Export plan...").clicked() {
                    self.actions.push(Action::Export);
                }
                if ui.button("Export picture...").clicked() {
                    self.actions.push(Action::ExportPicture);
                }
                ui.separator();
                if ui.button("Quit").clicked() {
                    self.actions.push(Action::Intent(Intent::Quit));
                }
            });
            ui.menu_button("Edit", |ui| {
                // "Undo move" when there is a step, a greyed-out "Undo" when there is none.
                let history = &self.doc.history;
                for (verb, step, action) in [
                    ("Undo", history.undo_label(), Action::Undo),
                    ("Redo", history.redo_label(), Action::Redo),
                ] {
                    let text = step.map_or_else(|| verb.to_owned(), |l| format!("{verb} {l}"));
                    if ui
                        .add_enabled(step.is_some(), egui::Button::new(text))
                        .clicked()
                    {
                        self.actions.push(action);
                    }
                }
                ui.separator();
                if ui.button("Delete").clicked() {
                    self.actions.push(Action::Delete);
                }
            });
            ui.menu_button("View", |ui| {
                if ui.button("Fit").clicked() {
                    self.actions.push(Action::Fit);
                }
                if ui.button("Auto-layout").clicked() {
                    self.actions.push(Action::AutoLayout);
                }
                ui.separator();
                ui.checkbox(&mut self.settings.show_order, "Show order");
                ui.checkbox(&mut self.settings.show_stages, "Show stages");
                ui.checkbox(&mut self.settings.snap_to_grid, "Snap to grid");
                ui.checkbox(&mut self.settings.show_inspector, "Show inspector");
                ui.checkbox(&mut self.settings.show_problems, "Show problems");
                ui.checkbox(&mut self.settings.show_simulation, "Show simulation");
            });
            ui.menu_button("Help", |ui| {
                if ui.button("About Event Architect").clicked() {
                    self.about.open();
                }
            });
        });
    }

    fn toolbar_ui(&mut self, ui: &mut Ui) {
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
                .on_hover_text("Arrange by stages, left to right")
                .clicked()
            {
                self.actions.push(Action::AutoLayout);
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
                            .color(theme::kind_color(*kind)),
                    );
                }
            });
        });
    }

    fn status_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let design = &self.doc.design;
            let analysis = &self.doc.analysis;
            let summary = format!(
                "{} · {} · {}",
                view::counted(design.services.len(), "service"),
                view::counted(design.edges.len(), "edge"),
                view::counted(analysis.stage_count(), "stage")
            );
            ui.label(summary);
            ui.separator();
            if analysis.is_acyclic() {
                ui.label(RichText::new("✔ acyclic").color(theme::OK));
            } else {
                let n = analysis.cycles.len();
                ui.label(
                    RichText::new(format!("⚠ {n} cycle{}", if n == 1 { "" } else { "s" }))
                        .color(theme::WARNING),
                );
            }
            if let Some(status) = &self.status {
                ui.separator();
                let color = if status.error {
                    theme::ERROR
                } else {
                    ui.visuals().text_color()
                };
                ui.label(RichText::new(&status.text).color(color));
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(format!("{:.0}%", self.canvas.camera.zoom * 100.0));
                if self.is_dirty() {
                    ui.label(RichText::new("⏺ unsaved").color(theme::WARNING));
                }
            });
        });
    }

    fn problems_ui(&mut self, ui: &mut Ui) {
        let analysis = &self.doc.analysis;
        let design = &self.doc.design;
        ui.horizontal(|ui| {
            ui.heading(format!("Problems ({})", analysis.cycles.len()));
        });
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            if analysis.cycles.is_empty() {
                ui.label(
                    RichText::new(format!(
                        "✔ No problems: the design is acyclic; {} stages, order shown on the badges.",
                        analysis.stage_count()
                    ))
                    .color(theme::OK),
                );
            }
            for (i, cycle) in analysis.cycles.iter().enumerate() {
                let path = crate::plan::path_text(design, &cycle.path);
                let text = format!(
                    "⚠ Cycle {} ({} services): {path}",
                    i + 1,
                    cycle.members.len()
                );
                ui.horizontal(|ui| {
                    if ui
                        .link(RichText::new(text).color(theme::WARNING))
                        .on_hover_text("Select and frame these services")
                        .clicked()
                    {
                        let uids = cycle.members.iter().map(|&m| design.uid(m)).collect();
                        self.actions.push(Action::SelectAndFrame(uids));
                    }
                });
                let members: Vec<&str> = cycle.members.iter().map(|&m| design.id(m)).collect();
                if let Some(closer) = self.closers.iter().rev().find(|c| {
                    members.contains(&c.from.as_str())
                        && members.contains(&c.to.as_str())
                        && design.edges.iter().any(|e| {
                            e.event == c.event
                                && design.id(e.from) == c.from
                                && design.id(e.to) == c.to
                        })
                }) {
                    ui.label(format!(
                        "      closed by the edge {} -> {} ({})",
                        closer.from, closer.to, closer.event
                    ));
                }
                for crossing in crate::analysis::filters_crossed(design, cycle) {
                    ui.label(format!(
                        "      crosses the filter on {} -> {}: {}",
                        crossing.from,
                        crossing.to,
                        crossing.filter.describe()
                    ));
                }
            }
        });
    }

    fn inspector_ui(&mut self, ui: &mut Ui) {
        let key = (
            (self.selection.services.len() == 1).then(|| self.selection.services[0]),
            self.selection.edge,
            self.doc.history.revision(),
        );
        if self.draft.key != Some(key) && !ui.ctx().egui_wants_keyboard_input() {
            let design = &self.doc.design;
            let mut draft = Draft {
                key: Some(key),
                design_name: design.name.clone(),
                ..Draft::default()
            };
            if let Some(s) = key.0.and_then(|uid| design.by_uid(uid)) {
                draft.id = s.id.clone();
                draft.name = s.name.clone();
                draft.notes = s.notes.clone();
            }
            if let Some(e) = key
                .1
                .and_then(|uid| design.edge_position(uid))
                .map(|i| &design.edges[i])
            {
                draft.event = e.event.to_string();
            }
            if self.draft.key.is_some_and(|k| k.0 == key.0 && k.1 == key.1) {
                draft.error = self.draft.error.take();
            }
            self.draft = draft;
        }
        ui.heading("Inspector");
        ui.separator();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if let Some(index) = key.0.and_then(|uid| self.view.index_of(uid)) {
                    self.service_inspector_ui(ui, ServiceIndex(index as u32));
                } else if let Some(edge) = key.1.and_then(|uid| self.view.edge_index_of(uid)) {
                    self.edge_inspector_ui(ui, edge);
                } else {
                    self.design_inspector_ui(ui);
                }
            });
    }

    fn service_inspector_ui(&mut self, ui: &mut Ui, index: ServiceIndex) {
        let Some(service) = self.doc.design.services.get(index.index()).cloned() else {
            return;
        };
        ui.label(
            RichText::new(format!(
                "{} {}",
                theme::kind_icon(service.kind),
                service.label()
            ))
            .color(theme::kind_color(service.kind))
            .strong()
            .size(16.0),
        );
        ui.add_space(6.0);
        egui::Grid::new("service-fields")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let label = ui.label("Id");
                let r = ui.add(
                    egui::TextEdit::singleline(&mut self.draft.id).desired_width(f32::INFINITY),
                );
                let r = r.labelled_by(label.id);
                if r.lost_focus() && self.draft.id != service.id {
                    let mut updated = service.clone();
                    updated.id = self.draft.id.trim().to_owned();
                    match self.doc.design.check_new_id(&updated.id, Some(index)) {
                        Ok(()) => {
                            self.draft.error = None;
                            self.actions.push(Action::Edit(Command::UpdateService {
                                uid: service.uid,
                                service: updated,
                            }));
                        }
                        Err(message) => {
                            self.set_error(format!("Id refused: {message}"));
                            self.draft.error = Some(message);
                        }
                    }
                }
                ui.end_row();
                if let Some(error) = &self.draft.error {
                    ui.label("");
                    ui.label(RichText::new(error).color(theme::ERROR));
                    ui.end_row();
                }
                let label = ui.label("Name");
                let r = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.draft.name)
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                if r.lost_focus() && self.draft.name != service.name {
                    let mut updated = service.clone();
                    updated.name = self.draft.name.clone();
                    self.actions.push(Action::Edit(Command::UpdateService {
                        uid: service.uid,
                        service: updated,
                    }));
                }
                ui.end_row();
                ui.label("Kind");
                let mut kind = service.kind;
                egui::ComboBox::from_id_salt("service-kind")
                    .selected_text(format!("{} {kind}", theme::kind_icon(kind)))
                    .show_ui(ui, |ui| {
                        for k in ServiceKind::ALL {
                            ui.selectable_value(
                                &mut kind,
                                k,
                                format!("{} {k}", theme::kind_icon(k)),
                            );
                        }
                    });
                if kind != service.kind {
                    let mut updated = service.clone();
                    updated.kind = kind;
                    self.actions.push(Action::Edit(Command::UpdateService {
                        uid: service.uid,
                        service: updated,
                    }));
                }
                ui.end_row();
            });
        ui.add_space(4.0);
        let label = ui.label("Notes");
        let r = ui
            .add(
                egui::TextEdit::multiline(&mut self.draft.notes)
                    .desired_rows(4)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        if r.lost_focus() && self.draft.notes != service.notes {
            let mut updated = service.clone();
            updated.notes = self.draft.notes.clone();
            self.actions.push(Action::Edit(Command::UpdateService {
                uid: service.uid,
                service: updated,
            }));
        }
        ui.add_space(8.0);
        let analysis = &self.doc.analysis;
        let i = index.index();
        ui.label(format!(
            "Order #{} · stage {}",
            analysis.order_position.get(i).map_or(0, |o| o + 1),
            analysis.stage_of.get(i).map_or(0, |s| s + 1)
        ));
        if analysis.cycle_of.get(i).copied().flatten().is_some() {
            ui.label(RichText::new("⚠ part of a cycle").color(theme::WARNING));
        }
        let design = &self.doc.design;
        let consumes = design.consumed_events(index).join(", ");
        let publishes = design.published_events(index).join(", ");
        ui.label(format!(
            "Consumes: {}",
            if consumes.is_empty() {
                "—"
            } else {
                &consumes
            }
        ));
        ui.label(format!(
            "Publishes: {}",
            if publishes.is_empty() {
                "—"
            } else {
                &publishes
            }
        ));
        ui.add_space(8.0);
        if ui.button("🗑 Delete service").clicked() {
            self.actions.push(Action::Delete);
        }
    }

    fn edge_inspector_ui(&mut self, ui: &mut Ui, position: usize) {
        let Some(edge) = self.doc.design.edges.get(position).cloned() else {
            return;
        };
        let design = &self.doc.design;
        ui.label(
            RichText::new(format!(
                "{} -> {}",
                design.service(edge.from).label(),
                design.service(edge.to).label()
            ))
            .strong()
            .size(16.0),
        );
        ui.add_space(6.0);
        let label = ui.label("Event");
        let r = ui
            .add(egui::TextEdit::singleline(&mut self.draft.event).desired_width(f32::INFINITY))
            .labelled_by(label.id);
        if r.lost_focus() && *self.draft.event != *edge.event {
            self.actions.push(Action::Edit(Command::UpdateEdge {
                uid: edge.uid,
                event: Arc::from(self.draft.event.trim()),
                mode: edge.mode,
                filter: edge.filter.clone(),
            }));
        }
        ui.horizontal(|ui| {
            ui.label("Mode");
            let mut mode = edge.mode;
            egui::ComboBox::from_id_salt("edge-mode")
                .selected_text(mode.as_str())
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut mode, EdgeMode::Async, "async (through the bus)");
                    ui.selectable_value(&mut mode, EdgeMode::Sync, "sync (a direct call)");
                });
            if mode != edge.mode {
                self.actions.push(Action::Edit(Command::UpdateEdge {
                    uid: edge.uid,
                    event: edge.event.clone(),
                    mode,
                    filter: edge.filter.clone(),
                }));
            }
        });
        if let Some(filter) = &edge.filter {
            ui.label(format!("Filter: {}", filter.describe()));
        }
        if self.doc.analysis.edge_in_cycle(edge.from, edge.to) {
            ui.label(RichText::new("⚠ this edge is part of a cycle").color(theme::WARNING));
        }
        ui.add_space(8.0);
        if ui.button("🗑 Delete edge").clicked() {
            self.actions.push(Action::Delete);
        }
    }

    fn design_inspector_ui(&mut self, ui: &mut Ui) {
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

    fn windows_ui(&mut self, ctx: &egui::Context) {
        self.about.show(ctx);
        if let Some(text) = self.load_error.clone() {
            let mut open = true;
            egui::Window::new("Could not open the file")
                .open(&mut open)
                .collapsible(false)
                .default_width(520.0)
                .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
                .show(ctx, |ui| {
                    ui.label(RichText::new(&text).monospace().color(theme::ERROR));
                    ui.add_space(6.0);
                    ui.label("The current design is unchanged.");
                    if ui.button("OK").clicked() {
                        self.load_error = None;
                    }
                });
            if !open {
                self.load_error = None;
            }
        }

        if let Some(intent) = self.confirm.clone() {
            egui::Window::new("Unsaved changes")
                .collapsible(false)
                .resizable(false)
                .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
                .show(ctx, |ui| {
                    ui.label(format!(
                        "\"{}\" has unsaved changes. Save them first?",
                        self.doc.design.name
                    ));
                    ui.horizontal(|ui| {
                        if ui.button("Save").clicked() {
                            self.confirm = None;
                            match self.doc.path.clone() {
                                Some(path) => {
                                    if self.save_to(&path) {
                                        self.actions.push(Action::Proceed(intent.clone()));
                                    }
                                }
                                None => self.choose_path(
                                    ctx,
                                    FilePurpose::SaveAs {
                                        then: Some(intent.clone()),
                                    },
                                ),
                            }
                        }
                        if ui.button("Discard").clicked() {
                            self.confirm = None;
                            self.actions.push(Action::Proceed(intent.clone()));
                        }
                        if ui.button("Cancel").clicked() {
                            self.confirm = None;
                        }
                    });
                });
        }

        if let Some(pending) = &mut self.pending_edge {
            let design = &self.doc.design;
            let from = design.by_uid(pending.from).map_or("?", |s| s.id.as_str());
            let to = design.by_uid(pending.to).map_or("?", |s| s.id.as_str());
            let mut done: Option<bool> = None;
            egui::Window::new("Name the event")
                .collapsible(false)
                .resizable(false)
                .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
                .show(ctx, |ui| {
                    ui.label(format!("{from} publishes an event that {to} consumes."));
                    let label = ui.label("Event name");
                    let r = ui
                        .add(
                            egui::TextEdit::singleline(&mut pending.event)
                                .hint_text("e.g. OrderPlaced"),
                        )
                        .labelled_by(label.id);
                    // Keep asking until it sticks: a new window's first frame is a sizing pass.
                    if pending.focus {
                        r.request_focus();
                        pending.focus = !r.has_focus();
                    }
                    if r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                        done = Some(true);
                    }
                    ui.horizontal(|ui| {
                        if ui.button("Connect").clicked() {
                            done = Some(true);
                        }
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            done = Some(false);
                        }
                    });
                });
            match done {
                Some(true) => {
                    let mut edge = EdgeDraft::new(pending.from, pending.to, pending.event.trim());
                    // Data stores are called directly; everything else goes through the bus.
                    if let Some(to) = design.by_uid(pending.to) {
                        edge.mode = to.kind.default_mode_into();
                    }
                    self.pending_edge = None;
                    self.actions
                        .push(Action::Edit(Command::InsertEdge { at: None, edge }));
                }
                Some(false) => self.pending_edge = None,
                None => {}
            }
        }

        if let DialogState::Typed {
            purpose,
            text,
            message,
        } = &mut self.dialog
        {
            let mut answer: Option<Option<PathBuf>> = None;
            egui::Window::new(purpose.title())
                .collapsible(false)
                .resizable(false)
                .default_width(460.0)
                .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
                .show(ctx, |ui| {
                    if !message.is_empty() {
                        ui.label(RichText::new(message.as_str()).color(theme::WARNING));
                    }
                    if *purpose == FilePurpose::Export {
                        ui.label("The extension chooses the format: .json, .md, .mmd or .dot.");
                    }
                    let label = ui.label("Path");
                    let r = ui
                        .add(egui::TextEdit::singleline(text).desired_width(420.0))
                        .labelled_by(label.id);
                    if ui.memory(|m| m.focused().is_none()) {
                        r.request_focus();
                    }
                    let enter = r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                    ui.horizontal(|ui| {
                        if ui.button(purpose.verb()).clicked() || enter {
                            if text.trim().is_empty() {
                                *message = "Type a file path first.".to_owned();
                            } else {
                                answer = Some(Some(PathBuf::from(text.trim())));
                            }
                        }
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            answer = Some(None);
                        }
                    });
                });
            if let Some(answer) = answer {
                let purpose = purpose.clone();
                self.dialog = DialogState::Idle;
                if let Some(path) = answer {
                    self.actions.push(Action::PathChosen(purpose, path));
                }
            }
        }
    }

    fn handle_canvas_events(&mut self, events: Vec<CanvasEvent>) {
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
                CanvasEvent::AddServiceAt(p) => self
                    .actions
                    .push(Action::AddService(self.new_kind, Some(p))),
            }
        }
        self.view
            .set_selection(&self.selection.services, self.selection.edge);
    }

    fn handle_drops_and_close(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if let Some(path) = dropped.into_iter().next() {
            let is_json = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"));
            if is_json {
                self.actions.push(Action::Intent(Intent::OpenPath(path)));
            } else {
                self.set_error(format!(
                    "Cannot open {}: drop a .json design file",
                    path.display()
                ));
            }
        }
        if ctx.input(|i| i.viewport().close_requested())
            && !self.allowed_to_close
            && self.is_dirty()
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.confirm = Some(Intent::Quit);
        }
    }

    /// The side panel: the inspector and the simulation, as tabs when both are open.
    fn side_ui(&mut self, ui: &mut Ui) {
        let tab = match (self.settings.show_inspector, self.settings.show_simulation) {
            (true, true) => {
                ui.horizontal(|ui| {
                    for (tab, label) in [
                        (SideTab::Inspector, "Inspector"),
                        (SideTab::Simulation, "Simulation"),
                    ] {
                        let text = RichText::new(label).size(15.0);
                        ui.selectable_value(&mut self.settings.side_tab, tab, text);
                    }
                });
                ui.separator();
                self.settings.side_tab
            }
            (false, _) => SideTab::Simulation,
            (true, false) => SideTab::Inspector,
        };
        match tab {
            SideTab::Inspector => self.inspector_ui(ui),
            SideTab::Simulation => {
                let clicked = egui::ScrollArea::vertical()
                    .id_salt("simulation-panel")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        self.simulation.ensure_ready(&self.doc.design);
                        self.simulation.ui(ui, &self.doc.design)
                    })
                    .inner;
                if let Some(index) = clicked.and_then(|id| self.doc.design.find(&id)) {
                    let uid = self.doc.design.uid(index);
                    self.actions.push(Action::SelectAndFrame(vec![uid]));
                }
            }
        }
    }

    /// The simulation's highlight in view indices; asks for repaints only while a dot travels.
    fn sim_overlay(&mut self, ctx: &egui::Context) -> SimOverlay {
        let highlight = self.simulation.highlight();
        let design = &self.doc.design;
        let active = highlight
            .active
            .iter()
            .filter_map(|id| design.find(id))
            .map(|s| s.index())
            .collect();
        let edge = highlight.hop.as_ref().and_then(|(from, to, event)| {
            let (from, to) = (design.find(from)?, design.find(to)?);
            design
                .edges
                .iter()
                .position(|e| e.from == from && e.to == to && *e.event == **event)
                .or_else(|| {
                    design
                        .edges
                        .iter()
                        .position(|e| e.from == from && e.to == to)
                })
        });
        let Some(edge) = edge else {
            self.hop_started = None;
            return SimOverlay { active, hop: None };
        };
        let now = ctx.input(|i| i.time);
        let steps = self.simulation.trace().len();
        let started = match self.hop_started {
            Some((at, started)) if at == steps => started,
            _ => {
                self.hop_started = Some((steps, now));
                now
            }
        };
        let seconds = if self.simulation.is_playing() {
            (1.0 / self.simulation.speed().max(0.1)).min(theme::SIM_HOP_SECONDS)
        } else {
            theme::SIM_HOP_SECONDS
        };
        let t = ((now - started) as f32 / seconds).clamp(0.0, 1.0);
        if t < 1.0 {
            ctx.request_repaint();
        }
        SimOverlay {
            active,
            hop: Some((edge, t)),
        }
    }

    /// One frame of the whole window, for eframe and for benchmarks and tests.
    pub fn frame_ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        self.refresh();
        self.poll_dialog();
        self.handle_drops_and_close(&ctx);
        self.shortcuts(&ctx);
        self.poll_layout(&ctx);

        egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui));
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar_ui(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_ui(ui));
        if self.settings.show_problems {
            egui::Panel::bottom("problems")
                .resizable(true)
                .default_size(96.0)
                .min_size(60.0)
                .show(ui, |ui| self.problems_ui(ui));
        }
        if self.settings.show_inspector || self.settings.show_simulation {
            egui::Panel::right("side")
                .resizable(true)
                .default_size(400.0)
                .min_size(240.0)
                .show(ui, |ui| self.side_ui(ui));
        }
        let options = CanvasOptions {
            show_order: self.settings.show_order,
            show_stages: self.settings.show_stages,
            snap_to_grid: self.settings.snap_to_grid,
        };
        let overlay = self.sim_overlay(&ctx);
        let events = egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                canvas::canvas_ui(
                    ui,
                    &mut self.canvas,
                    &mut self.view,
                    &self.doc.analysis,
                    options,
                    &overlay,
                )
            })
            .inner;
        self.handle_canvas_events(events);
        self.windows_ui(&ctx);
        if let Some(outcome) = self.recovery.dialog_ui(&ctx, !self.is_dirty()) {
            self.recovered(outcome);
        }
        if ctx.input(|i| !i.raw.hovered_files.is_empty()) {
            let painter = ctx.layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::new("drop-overlay"),
            ));
            let rect = ctx.content_rect();
            painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(160));
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "Drop a .json design to open it",
                egui::FontId::proportional(24.0),
                egui::Color32::WHITE,
            );
        }
        self.run_actions(&ctx);
        let (dirty, revision) = (self.is_dirty(), self.doc.history.revision());
        let path = self.doc.path.as_deref();
        if let Some(error) = self
            .recovery
            .tick(&ctx, dirty, revision, &self.doc.design, path)
        {
            self.set_error(error);
        }
        let title = self.title();
        if title != self.title {
            ctx.send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
            self.title = title;
        }
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, SETTINGS_KEY, &self.settings);
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}
