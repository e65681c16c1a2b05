//! The Simulation panel: an editable scenario, Run / Step / Play-Pause / Reset, the trace table,
//! the responses with status colours and the store inspector.
//!
//! A thin layer over [`crate::simulation`]: stepping calls [`Simulation::step`] on this thread
//! (a step is microseconds, plus one argon2 hash for register/login steps); Run moves the
//! simulation to a worker thread that reports progress and can be cancelled, so the window never
//! freezes. Everything here is session state: nothing is saved.
//!
//! The app calls [`SimulationPanel::ui`] inside a panel or window, [`SimulationPanel::highlight`]
//! when drawing the canvas (active services glow, the last hop gets a travelling dot), and
//! [`SimulationPanel::design_changed`] after every edit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex};

use egui::{RichText, Ui};

use super::theme;

/// A status that is drawn in the client-error colour (notes).
const STATUS_CLIENT: u16 = 400;
/// A status that is drawn in the server-error colour (errors).
const STATUS_SERVER: u16 = 500;

use crate::model::Design;
use crate::simulation::{
    BUILTIN_SCENARIO, Progress, RunEnd, Simulation, TraceEntry, parse_scenario, reason_phrase,
};

/// The trace table keeps at most this many rows; a longer run counts the rest.
pub const MAX_TRACE_ROWS: usize = 200_000;
/// Most steps Play takes in one frame, whatever the speed.
pub const MAX_STEPS_PER_FRAME: usize = 2_000;

/// What the canvas should show for the current step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimulationHighlight {
    /// Services handling an event at the current virtual time (they glow).
    pub active: Vec<String>,
    /// The edge the last step's event took, publisher to subscriber, and its event name.
    pub hop: Option<(String, String, String)>,
}

/// A run on the worker thread.
struct Worker {
    cancel: Arc<AtomicBool>,
    progress: Arc<Mutex<Progress>>,
    done: Receiver<(Simulation, Vec<TraceEntry>, u64, RunEnd)>,
}

/// The panel's session state.
pub struct SimulationPanel {
    scenario_text: String,
    error: Option<String>,
    simulation: Option<Simulation>,
    worker: Option<Worker>,
    trace: Vec<TraceEntry>,
    dropped_rows: u64,
    playing: bool,
    /// Play speed in steps per second.
    speed: f32,
    step_budget: f32,
    selected_row: Option<usize>,
    cancelled: bool,
    /// The trace table's column widths.
    columns: TraceColumns,
}

impl Default for SimulationPanel {
    fn default() -> SimulationPanel {
        SimulationPanel::new()
    }
}

/// The trace table's columns: each as wide (in characters, the table is monospace) as its
/// longest cell so far. Widened as rows arrive, never per frame over the whole trace.
#[derive(Debug, Clone, Default)]
struct TraceColumns {
    /// Widths of time, request, step, service and event; the outcome comes last, unpadded.
    widths: [usize; 5],
    /// Width of the longest outcome.
    outcome_width: usize,
    /// Rows measured so far.
    seen: usize,
}

/// The column headers, in order (the last is the outcome).
const TRACE_HEADERS: [&str; 6] = ["Time (ms)", "Req", "Step", "Service", "Event", "Outcome"];

impl TraceColumns {
    fn cells(entry: &TraceEntry) -> [String; 6] {
        let from = entry
            .from
            .as_ref()
            .map(|f| format!(" (from {f})"))
            .unwrap_or_default();
        [
            format!("{:.3}", entry.at_us as f64 / 1000.0),
            format!("#{}", entry.request),
            entry.kind.as_str().to_owned(),
            entry.service.clone(),
            entry.event.clone(),
            format!("{}{from}", entry.outcome),
        ]
    }

    /// Widens the columns for rows not measured yet (a reset trace starts again).
    fn update(&mut self, trace: &[TraceEntry]) {
        if self.seen > trace.len() {
            *self = TraceColumns::default();
        }
        if self.seen == 0 {
            for (width, header) in self.widths.iter_mut().zip(TRACE_HEADERS) {
                *width = header.chars().count();
            }
        }
        for entry in &trace[self.seen..] {
            let cells = TraceColumns::cells(entry);
            for (width, cell) in self.widths.iter_mut().zip(&cells) {
                *width = (*width).max(cell.chars().count());
            }
            self.outcome_width = self.outcome_width.max(cells[5].chars().count());
        }
        self.seen = trace.len();
    }

    fn line(&self, cells: [&str; 6]) -> String {
        let [w0, w1, w2, w3, w4] = self.widths;
        let [time, request, step, service, event, outcome] = cells;
        format!("{time:>w0$}  {request:<w1$}  {step:<w2$}  {service:<w3$}  {event:<w4$}  {outcome}")
    }

    /// Characters in the longest line.
    fn line_chars(&self) -> usize {
        self.widths.iter().sum::<usize>() + 2 * self.widths.len() + self.outcome_width
    }

    fn header(&self) -> String {
        self.line(TRACE_HEADERS)
    }

    fn row(&self, entry: &TraceEntry) -> String {
        let cells = TraceColumns::cells(entry);
        self.line(cells.each_ref().map(String::as_str))
    }
}

impl SimulationPanel {
    /// A panel with the built-in register/login scenario loaded.
    pub fn new() -> SimulationPanel {
        SimulationPanel {
            scenario_text: BUILTIN_SCENARIO.to_owned(),
            error: None,
            simulation: None,
            worker: None,
            trace: Vec::new(),
            dropped_rows: 0,
            playing: false,
            speed: 8.0,
            step_budget: 0.0,
            selected_row: None,
            columns: TraceColumns::default(),
            cancelled: false,
        }
    }

    /// The design was edited: the run no longer matches it, so it is dropped (Reset rebuilds).
    pub fn design_changed(&mut self) {
        self.cancel_worker();
        self.simulation = None;
        self.trace.clear();
        self.dropped_rows = 0;
        self.playing = false;
        self.selected_row = None;
        self.columns = TraceColumns::default();
    }

    /// The scenario text being edited.
    pub fn scenario_text(&self) -> &str {
        &self.scenario_text
    }

    /// The trace so far.
    pub fn trace(&self) -> &[TraceEntry] {
        &self.trace
    }

    /// The simulation, when one is built and not on the worker thread.
    pub fn simulation(&self) -> Option<&Simulation> {
        self.simulation.as_ref()
    }

    /// True while Play is stepping (the canvas animates then).
    pub fn is_playing(&self) -> bool {
        self.playing && self.worker.is_none()
    }

    /// Play speed, steps per second.
    pub fn speed(&self) -> f32 {
        self.speed
    }

    /// True while a run is on the worker thread.
    pub fn is_running(&self) -> bool {
        self.worker.is_some()
    }

    /// What the canvas should highlight now.
    pub fn highlight(&self) -> SimulationHighlight {
        let Some(simulation) = &self.simulation else {
            return SimulationHighlight::default();
        };
        let hop = self.trace.last().and_then(|entry| {
            let from = entry.from.clone()?;
            Some((from, entry.service.clone(), entry.event.clone()))
        });
        SimulationHighlight {
            active: simulation.busy_services().map(str::to_owned).collect(),
            hop,
        }
    }

    /// Builds a fresh simulation from the scenario text; the error is shown in the panel.
    pub fn reset(&mut self, design: &Design) {
        self.design_changed();
        self.cancelled = false;
        let scenario = parse_scenario(self.scenario_text.as_bytes(), "scenario");
        match scenario.and_then(|scenario| Simulation::new(design, scenario)) {
            Ok(simulation) => {
                self.simulation = Some(simulation);
                self.error = None;
            }
            Err(error) => self.error = Some(error.to_string()),
        }
    }

    /// Builds the simulation if there is none yet (and no error or run), so the panel shows the
    /// scenario ready to go before the first click.
    pub fn ensure_ready(&mut self, design: &Design) {
        if self.error.is_none() {
            self.ensure_built(design);
        }
    }

    fn ensure_built(&mut self, design: &Design) -> bool {
        if self.simulation.is_none() && self.worker.is_none() {
            self.reset(design);
        }
        self.simulation.is_some()
    }

    /// One step; false at the end.
    pub fn step(&mut self, design: &Design) -> bool {
        if !self.ensure_built(design) {
            return false;
        }
        let Some(entry) = self.simulation.as_mut().and_then(Simulation::step) else {
            self.playing = false;
            return false;
        };
        if self.trace.len() < MAX_TRACE_ROWS {
            self.trace.push(entry);
        } else {
            self.dropped_rows += 1;
        }
        true
    }

    /// Runs the rest on a worker thread; `ctx` is asked to repaint as it progresses.
    pub fn run(&mut self, design: &Design, ctx: &egui::Context) {
        if !self.ensure_built(design) {
            return;
        }
        let Some(mut simulation) = self.simulation.take() else {
            return;
        };
        self.playing = false;
        let cancel = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(Mutex::new(simulation.progress()));
        let (send, done) = std::sync::mpsc::channel();
        let room = MAX_TRACE_ROWS.saturating_sub(self.trace.len());
        let (flag, shared, ctx) = (Arc::clone(&cancel), Arc::clone(&progress), ctx.clone());
        std::thread::spawn(move || {
            let mut trace = Vec::new();
            let mut dropped = 0u64;
            let mut steps = 0u64;
            let end = loop {
                if flag.load(Ordering::Relaxed) {
                    break RunEnd::Cancelled;
                }
                match simulation.step() {
                    Some(entry) if trace.len() < room => trace.push(entry),
                    Some(_) => dropped += 1,
                    None => break RunEnd::Finished,
                }
                steps += 1;
                if steps.is_multiple_of(4096) {
                    if let Ok(mut shared) = shared.lock() {
                        *shared = simulation.progress();
                    }
                    ctx.request_repaint();
                }
            };
            // The panel may be gone (window closed): nothing to report to then.
            let _ = send.send((simulation, trace, dropped, end));
            ctx.request_repaint();
        });
        self.worker = Some(Worker {
            cancel,
            progress,
            done,
        });
    }

    fn cancel_worker(&mut self) {
        if let Some(worker) = &self.worker {
            worker.cancel.store(true, Ordering::Relaxed);
        }
    }

    fn poll_worker(&mut self) {
        let Some(worker) = &self.worker else {
            return;
        };
        match worker.done.try_recv() {
            Ok((simulation, trace, dropped, end)) => {
                self.trace.extend(trace);
                self.dropped_rows += dropped;
                self.cancelled = end == RunEnd::Cancelled;
                self.simulation = Some(simulation);
                self.worker = None;
            }
            Err(TryRecvError::Empty) => {}
            Err(TryRecvError::Disconnected) => {
                self.error = Some("the simulation thread stopped unexpectedly".to_owned());
                self.worker = None;
            }
        }
    }

    /// Draws the panel. Returns the id of a service whose trace row was clicked, for the app to
    /// select on the canvas.
    pub fn ui(&mut self, ui: &mut Ui, design: &Design) -> Option<String> {
        self.poll_worker();
        self.play(ui, design);
        self.controls_ui(ui, design);
        if let Some(error) = &self.error {
            ui.colored_label(theme::palette(ui.ctx()).status(STATUS_SERVER), error);
        }
        egui::CollapsingHeader::new("Scenario")
            .default_open(false)
            .show(ui, |ui| {
                ui.add(
                    egui::TextEdit::multiline(&mut self.scenario_text)
                        .code_editor()
                        .desired_rows(10)
                        .desired_width(f32::INFINITY),
                );
                ui.label("Edits apply on Reset.");
            });
        if let Some(simulation) = &self.simulation {
            for note in simulation.notes() {
                ui.colored_label(
                    theme::palette(ui.ctx()).status(STATUS_CLIENT),
                    format!("Note: {note}"),
                );
            }
        }
        self.responses_ui(ui);
        let clicked = self.trace_ui(ui);
        self.store_ui(ui);
        clicked
    }

    fn play(&mut self, ui: &Ui, design: &Design) {
        if !self.playing || self.worker.is_some() {
            return;
        }
        self.step_budget += self.speed * ui.input(|i| i.stable_dt).min(0.25);
        let steps = (self.step_budget.floor() as usize).min(MAX_STEPS_PER_FRAME);
        self.step_budget -= steps as f32;
        for _ in 0..steps {
            if !self.step(design) {
                break;
            }
        }
        ui.ctx().request_repaint();
    }

    fn controls_ui(&mut self, ui: &mut Ui, design: &Design) {
        let running = self.worker.is_some();
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(!running, egui::Button::new("Run"))
                .on_hover_text("Run to the end on a worker thread")
                .clicked()
            {
                self.run(design, ui.ctx());
            }
            if ui
                .add_enabled(!running, egui::Button::new("Step"))
                .on_hover_text("Process the next step")
                .clicked()
            {
                self.playing = false;
                self.step(design);
            }
            let play = if self.playing { "Pause" } else { "Play" };
            if ui.add_enabled(!running, egui::Button::new(play)).clicked() {
                self.playing = !self.playing;
                self.step_budget = 0.0;
            }
            if ui
                .add_enabled(!running, egui::Button::new("Reset"))
                .on_hover_text("Start again from the scenario text")
                .clicked()
            {
                self.reset(design);
            }
            if running && ui.button("Cancel").clicked() {
                self.cancel_worker();
            }
        });
        ui.horizontal(|ui| {
            ui.label("Play speed");
            ui.add(
                egui::Slider::new(&mut self.speed, 1.0..=2000.0)
                    .logarithmic(true)
                    .text("steps/s"),
            );
        });
        let progress = match &self.worker {
            Some(worker) => worker.progress.lock().map(|p| *p).ok(),
            None => self.simulation.as_ref().map(Simulation::progress),
        };
        if let Some(progress) = progress {
            let finished = self
                .simulation
                .as_ref()
                .is_some_and(Simulation::is_finished);
            let state = if running {
                "running"
            } else if self.playing {
                "playing"
            } else if self.cancelled {
                "cancelled"
            } else if finished {
                "finished"
            } else {
                "ready"
            };
            ui.add(egui::ProgressBar::new(progress.fraction()).text(format!(
                "{state}: {}/{} responses, {} events, t = {:.3} ms",
                progress.responses,
                progress.requests_total,
                progress.events_delivered,
                progress.now_us as f64 / 1000.0
            )));
        }
    }

    fn responses_ui(&self, ui: &mut Ui) {
        let Some(simulation) = &self.simulation else {
            return;
        };
        egui::CollapsingHeader::new("Responses")
            .default_open(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("simulation-responses")
                    .max_height(160.0)
                    .show(ui, |ui| {
                        if simulation.responses().next().is_none() {
                            ui.weak("None yet: Run, Step or Play.");
                        }
                        // One line each; the whole body is in the tooltip.
                        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Truncate);
                        for response in simulation.responses().take(1000) {
                            let text = format!(
                                "#{} {} {} {} {}",
                                response.request,
                                response.route,
                                response.status,
                                reason_phrase(response.status),
                                response.body
                            );
                            ui.label(
                                RichText::new(text)
                                    .monospace()
                                    .color(theme::palette(ui.ctx()).status(response.status)),
                            )
                            .on_hover_text(response.body.to_string());
                        }
                    });
            });
    }

    fn trace_ui(&mut self, ui: &mut Ui) -> Option<String> {
        let mut clicked = None;
        let header = if self.dropped_rows > 0 {
            format!(
                "Trace ({} steps, {} more not kept)",
                self.trace.len(),
                self.dropped_rows
            )
        } else {
            format!("Trace ({} steps)", self.trace.len())
        };
        self.columns.update(&self.trace);
        egui::CollapsingHeader::new(header)
            .id_salt("simulation-trace")
            .default_open(true)
            .show(ui, |ui| {
                let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 4.0;
                // One line a row (rows have a fixed height, so only those in view are laid
                // out); columns as wide as their longest cell, so nothing is cut: the table
                // scrolls sideways under its header.
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
                egui::ScrollArea::horizontal()
                    .id_salt("simulation-trace-columns")
                    .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
                    .show(ui, |ui| {
                        // As wide as the longest row, so the rows scroll sideways, not clip.
                        let font = egui::TextStyle::Monospace.resolve(ui.style());
                        let char_px = ui.fonts_mut(|f| f.glyph_width(&font, '0'));
                        ui.set_min_width(self.columns.line_chars() as f32 * char_px + 24.0);
                        ui.label(RichText::new(self.columns.header()).monospace().strong());
                        egui::ScrollArea::vertical()
                            .id_salt("simulation-trace-rows")
                            .max_height(240.0)
                            .stick_to_bottom(true)
                            .show_rows(ui, row_height, self.trace.len(), |ui, rows| {
                                for row in rows {
                                    let Some(entry) = self.trace.get(row) else {
                                        continue;
                                    };
                                    let mut label =
                                        RichText::new(self.columns.row(entry)).monospace();
                                    if let Some(status) = entry.status {
                                        label =
                                            label.color(theme::palette(ui.ctx()).status(status));
                                    }
                                    let selected = self.selected_row == Some(row);
                                    let response = ui
                                        .selectable_label(selected, label)
                                        .on_hover_text(entry.payload.to_string());
                                    if response.clicked() {
                                        self.selected_row = Some(row);
                                        clicked = Some(entry.service.clone());
                                    }
                                }
                            });
                    });
            });
        clicked
    }

    fn store_ui(&self, ui: &mut Ui) {
        let Some(simulation) = &self.simulation else {
            return;
        };
        egui::CollapsingHeader::new("Store")
            .default_open(true)
            .show(ui, |ui| {
                for (id, table) in &simulation.store().tables {
                    egui::CollapsingHeader::new(format!(
                        "{id} ({} items, key \"{}\")",
                        table.len(),
                        table.key_field
                    ))
                    .id_salt(("simulation-table", id))
                    .default_open(true)
                    .show(ui, |ui| {
                        // Items hold argon2id hashes; the engine never stores a password.
                        for item in table.scan().take(500) {
                            ui.label(
                                RichText::new(serde_json::Value::Object(item.clone()).to_string())
                                    .monospace()
                                    .small(),
                            );
                        }
                        if table.len() > 500 {
                            ui.label(format!("... and {} more", table.len() - 500));
                        }
                    });
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    fn harness() -> Harness<'static, SimulationPanel> {
        let design = crate::builtin_design();
        Harness::builder()
            .with_size(egui::vec2(900.0, 900.0))
            .build_ui_state(
                move |ui, panel: &mut SimulationPanel| {
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        panel.ui(ui, &design);
                    });
                },
                SimulationPanel::new(),
            )
    }

    #[test]
    fn run_shows_every_status_of_the_builtin_scenario() {
        let mut h = harness();
        h.run_steps(2);
        h.get_by_label("Run").click();
        for _ in 0..600 {
            h.step();
            if !h.state().is_running() && h.state().simulation().is_some() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        h.run_steps(2);
        let statuses: Vec<u16> = h
            .state()
            .simulation()
            .unwrap()
            .responses()
            .map(|r| r.status)
            .collect();
        assert_eq!(statuses, [201, 409, 400, 401, 401, 200]);
        let shown = |h: &Harness<'_, SimulationPanel>, text: &str| {
            h.query_all_by_label_contains(text).count()
        };
        for status in ["201 Created", "409 Conflict", "400 Bad Request", "200 OK"] {
            assert!(shown(&h, status) >= 1, "{status} not shown");
        }
        assert!(shown(&h, "401 Unauthorized") >= 2);
        assert!(shown(&h, "$argon2id$") >= 1, "the store shows the hash");
        assert_eq!(shown(&h, "Tr0ub4dor"), 0, "never the password");
    }

    #[test]
    fn step_and_reset() {
        let mut h = harness();
        h.get_by_label("Step").click();
        h.run_steps(2);
        assert_eq!(h.state().trace().len(), 1);
        assert_eq!(h.state().trace()[0].service, "gateway");
        h.get_by_label("Step").click();
        h.run_steps(2);
        let highlight = h.state().highlight();
        assert_eq!(
            highlight.hop,
            Some((
                "gateway".into(),
                "register".into(),
                "RegisterRequested".into()
            ))
        );
        assert_eq!(highlight.active, ["register"]);
        h.get_by_label("Reset").click();
        h.run_steps(2);
        assert!(h.state().trace().is_empty());
    }

    #[test]
    fn a_broken_scenario_shows_its_error() {
        let mut panel = SimulationPanel::new();
        panel.scenario_text = "{\"requests\": [}".to_owned();
        panel.reset(&crate::builtin_design());
        assert!(panel.error.as_deref().unwrap().contains("scenario:1:"));
        assert!(panel.simulation().is_none());
    }

    #[test]
    fn the_trace_has_column_headers_and_rows_keep_every_cell_whole() {
        let mut h = harness();
        for _ in 0..3 {
            h.get_by_label("Step").click();
            h.run_steps(2);
        }
        let header = h.get_by_label_contains("Time (ms)");
        // A label's text is its value; a button's (a selectable row) its label.
        let ak = header.accesskit_node();
        let header = ak
            .label()
            .or_else(|| ak.value())
            .unwrap_or_default()
            .to_string();
        for column in TRACE_HEADERS {
            assert!(header.contains(column), "{column} missing from {header:?}");
        }
        // Every cell is whole and starts under its header.
        let trace = h.state().trace().to_vec();
        let service_at = header.find("Service").unwrap();
        let event_at = header.find("Event").unwrap();
        let rows: Vec<String> = h
            .query_all_by_label_contains(&trace[0].event)
            .filter_map(|n| n.accesskit_node().label().map(|l| l.to_string()))
            .collect();
        assert!(!rows.is_empty());
        let first = h.state().columns.row(&trace[0]);
        assert_eq!(
            &first[service_at..service_at + trace[0].service.len()],
            trace[0].service
        );
        assert_eq!(
            &first[event_at..event_at + trace[0].event.len()],
            trace[0].event
        );
        assert!(first.contains(&trace[0].outcome));
        assert!(rows.contains(&first), "the row is shown whole: {rows:?}");
    }
}
