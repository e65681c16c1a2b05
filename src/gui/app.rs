//! The designer window's state ([`App`]) and its frame: panels, canvas, dialogs, then the
//! queued actions.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use egui::{RichText, Ui};

use crate::analysis::{Analysis, analyze};
use crate::model::edit::History;
use crate::model::fragment::Fragment;
use crate::model::{Design, ServiceIndex, ServiceKind, ServiceUid};

use super::actions::Action;
use super::canvas::{self, CanvasOptions, CanvasState, OutOfFocus, SimOverlay};
use super::dialogs::Dialog;
use super::inspector::Draft;
use super::search_bar::SearchBar;
use super::selection::Selection;
use super::settings::{SETTINGS_KEY, Settings, SideTab, ThemeChoice};
use super::view::CanvasView;
use super::{about, files, geometry, layout, recovery_dialog, simulation_panel, theme};

/// Room around what is framed, canvas units (self-loops and edge labels stick out a little).
const FIT_MARGIN: f32 = 30.0;

/// The open design: the document, its history and its analysis.
pub(super) struct Document {
    pub(super) design: Design,
    pub(super) path: Option<PathBuf>,
    pub(super) history: History,
    pub(super) analysis: Analysis,
    /// Each cycle's class, made with `analysis`.
    pub(super) loops: Vec<crate::analysis::LoopReport>,
    pub(super) analyzed: u64,
    /// Which analysis this is, unique in the process: what is listed from it (the problems
    /// panel's lines) is listed again when it changes, whichever document it belongs to.
    pub(super) generation: u64,
}

/// The next analysis generation (see [`Document::generation`]).
fn next_generation() -> u64 {
    static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Document {
    pub(super) fn new(mut design: Design, path: Option<PathBuf>) -> Document {
        // A design assembled by hand (tests, generators) may not have its uids yet.
        design.ensure_uids();
        let analysis = analyze(&design);
        let loops = crate::analysis::classify(&design, &analysis);
        Document {
            design,
            path,
            history: History::new(),
            analysis,
            loops,
            analyzed: 0,
            generation: next_generation(),
        }
    }

    pub(super) fn file_name(&self) -> String {
        self.path.as_ref().and_then(|p| p.file_name()).map_or_else(
            || "not saved yet".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
}

/// A message on the status line.
#[derive(Debug, Clone)]
pub(super) struct Status {
    pub(super) text: String,
    pub(super) error: bool,
}

/// An edge that closed a cycle, remembered so the problems panel can name it.
#[derive(Debug, Clone)]
pub(super) struct ClosingEdge {
    pub(super) from: String,
    pub(super) to: String,
    pub(super) event: Arc<str>,
}

/// The designer window.
pub struct App {
    pub(super) doc: Document,
    pub(super) view: CanvasView,
    pub(super) canvas: CanvasState,
    pub(super) selection: Selection,
    pub(super) settings: Settings,
    pub(super) status: Option<Status>,
    pub(super) draft: Draft,
    /// The open dialog, if any.
    pub(super) dialog: Dialog,
    pub(super) native_dialogs: bool,
    pub(super) closers: Vec<ClosingEdge>,
    /// The problems panel's lines, listed once per analysis.
    pub(super) problem_rows: super::problems::ProblemRows,
    pub(super) new_kind: ServiceKind,
    pub(super) actions: Vec<Action>,
    pub(super) allowed_to_close: bool,
    pub(super) title: String,
    pub(super) simulation: simulation_panel::SimulationPanel,
    pub(super) about: about::About,
    /// The hop the canvas animates: its trace length (a new step restarts it) and start time.
    pub(super) hop_started: Option<(usize, f64)>,
    /// An auto-layout running on the worker thread.
    pub(super) layout_job: layout::LayoutJob,
    /// Recovery copies of unsaved work, and the dialog offering those a crash left.
    pub(super) recovery: recovery_dialog::Recovery,
    /// What Edit > Copy took last (this window's clipboard).
    pub(super) clipboard: Fragment,
    /// Pastes since the last copy: each lands a step further from the originals.
    pub(super) pastes: u32,
    /// The search bar, when open.
    pub(super) search: Option<SearchBar>,
    /// The focus view: only what this service reaches or is reached from within so many hops
    /// is shown in full; the canvas dims the rest.
    pub(super) focus: Option<(ServiceUid, u32)>,
    /// What [`App::out_of_focus`] made, and for which focus and revision.
    pub(super) focus_cache: Option<((ServiceUid, u32, u64), Arc<OutOfFocus>)>,
    /// The theme last handed to egui.
    pub(super) applied_theme: Option<ThemeChoice>,
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
            draft: Draft::default(),
            dialog: Dialog::None,
            native_dialogs: false,
            closers: Vec::new(),
            problem_rows: Default::default(),
            new_kind: ServiceKind::Function,
            actions: Vec::new(),
            allowed_to_close: false,
            title: String::new(),
            simulation: simulation_panel::SimulationPanel::new(),
            about: about::About::default(),
            hop_started: None,
            layout_job: layout::LayoutJob::Idle,
            recovery: recovery_dialog::Recovery::off(),
            clipboard: Fragment::default(),
            pastes: 0,
            search: None,
            focus: None,
            focus_cache: None,
            applied_theme: None,
        }
    }

    pub(super) fn design_bounds(doc: &Document) -> egui::Rect {
        let centers = layout::display_positions(&doc.design, &doc.analysis);
        Self::drawn_bounds(&centers, &doc.design, None).unwrap_or(egui::Rect::from_center_size(
            egui::Pos2::ZERO,
            egui::vec2(600.0, 400.0),
        ))
    }

    /// What framing must show: the boxes (all, or `only` these) and the edges that bow out of
    /// their column between them. O(V + E).
    pub(super) fn drawn_bounds(
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

    /// The Simulation panel's simulation, once it has one (after Run, Step or Play).
    pub fn simulation(&self) -> Option<&crate::simulation::Simulation> {
        self.simulation.simulation()
    }

    /// The ids of the services View > Focus draws faded (none without a focus).
    pub fn dimmed_services(&mut self) -> Vec<String> {
        let out = self.out_of_focus();
        self.doc
            .design
            .services
            .iter()
            .zip(&out.services)
            .filter(|(_, dim)| **dim)
            .map(|(s, _)| s.id.clone())
            .collect()
    }

    /// The edges (publisher id, subscriber id) View > Focus draws dimmed (none without a focus).
    pub fn dimmed_edges(&mut self) -> Vec<(String, String)> {
        let out = self.out_of_focus();
        let design = &self.doc.design;
        design
            .edges
            .iter()
            .zip(&out.edges)
            .filter(|(_, dim)| **dim)
            .map(|(e, _)| (design.id(e.from).to_owned(), design.id(e.to).to_owned()))
            .collect()
    }

    /// The canvas's zoom (screen points per canvas unit).
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
        self.dialog = Dialog::LoadError(text);
    }

    pub(super) fn set_status(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: false,
        });
    }

    pub(super) fn set_error(&mut self, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            error: true,
        });
    }

    /// Re-analyses and re-syncs the view when the revision moved. Cheap when it did not.
    pub(super) fn refresh(&mut self) {
        let revision = self.doc.history.revision();
        if self.doc.analyzed != revision {
            self.doc.analysis = analyze(&self.doc.design);
            self.doc.loops = crate::analysis::classify(&self.doc.design, &self.doc.analysis);
            self.doc.analyzed = revision;
            self.doc.generation = next_generation();
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
        if let Some((uid, _)) = self.focus
            && self.view.index_of(uid).is_none()
        {
            self.focus = None; // its service was deleted
        }
        self.view
            .set_selection(&self.selection.services, self.selection.edge);
    }

    /// View > Focus: which services and edges lie outside the focus (empty when there is
    /// none). An edge is inside when both its ends are. Made once per focus and revision,
    /// O(V + E); a frame only shares it.
    pub(super) fn out_of_focus(&mut self) -> Arc<OutOfFocus> {
        let Some((uid, hops)) = self.focus else {
            return Arc::default();
        };
        let key = (uid, hops, self.doc.history.revision());
        if let Some((cached, out)) = &self.focus_cache
            && *cached == key
        {
            return Arc::clone(out);
        }
        let design = &self.doc.design;
        let Some(start) = design.index_of(uid) else {
            return Arc::default();
        };
        let inside = crate::analysis::neighbourhood::within_hops(design, &[start], hops);
        let is_inside = |i: ServiceIndex| inside.get(i.index()) == Some(&true);
        let out = Arc::new(OutOfFocus {
            services: inside.iter().map(|&inside| !inside).collect(),
            edges: design
                .edges
                .iter()
                .map(|e| !(is_inside(e.from) && is_inside(e.to)))
                .collect(),
        });
        self.focus_cache = Some((key, Arc::clone(&out)));
        out
    }

    /// The side panel: the inspector and the simulation, as tabs when both are open.
    pub(super) fn side_ui(&mut self, ui: &mut Ui) {
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
    pub(super) fn sim_overlay(&mut self, ctx: &egui::Context) -> SimOverlay {
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
            return SimOverlay {
                active,
                ..SimOverlay::default()
            };
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
            ..SimOverlay::default()
        }
    }

    /// One frame of the whole window, for eframe and for benchmarks and tests.
    pub fn frame_ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        if self.applied_theme != Some(self.settings.theme) {
            ctx.set_theme(self.settings.theme.preference());
            self.applied_theme = Some(self.settings.theme);
        }
        self.refresh();
        self.poll_dialog();
        self.handle_drops_and_close(&ctx);
        self.poll_layout(&ctx);
        self.shortcuts(&ctx);

        egui::Panel::top("menu").show(ui, |ui| self.menu_ui(ui));
        egui::Panel::top("toolbar").show(ui, |ui| self.toolbar_ui(ui));
        if self.search.is_some() {
            egui::Panel::top("search").show(ui, |ui| self.search_ui(ui));
        }
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
        let mut overlay = self.sim_overlay(&ctx);
        overlay.out_of_focus = self.out_of_focus();
        let events = egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                canvas::canvas_ui(
                    ui,
                    &mut self.canvas,
                    &mut self.view,
                    &self.doc.analysis,
                    &self.doc.loops,
                    options,
                    &overlay,
                )
            })
            .inner;
        self.handle_canvas_events(events);
        self.dialogs_ui(&ctx);
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
