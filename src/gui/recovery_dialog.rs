//! The window's side of crash recovery: when to take a copy of unsaved work, and the dialog
//! that offers copies left by a window that died. The copies themselves are
//! [`crate::recovery`] (no egui).
//!
//! A copy is taken [`QUIET_SECONDS`] after the last edit, or at the latest [`MAX_WAIT_SECONDS`]
//! after the first one not yet copied (a long drag still gets saved), never on every frame: a
//! frame only compares two numbers, and the copy is serialised and written on the writer's
//! thread. Session state: nothing here survives a restart but the copies on disk.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use egui::RichText;

use crate::model::Design;
use crate::recovery::{self, Snapshot, Writer};

use super::theme;

/// Seconds without an edit before a copy is taken.
pub const QUIET_SECONDS: f64 = 1.0;
/// Most seconds an unsaved edit waits for its copy, however busy the user is.
pub const MAX_WAIT_SECONDS: f64 = 5.0;

/// The data folder the recovery copies live in: [`crate::platform::data_dir`].
fn data_dir() -> Option<PathBuf> {
    crate::platform::data_dir()
}

/// What the user chose in the dialog, for the app to carry out.
pub enum Outcome {
    /// Open this copy as the current, unsaved design.
    Restore {
        /// The design as it was when the copy was taken.
        design: Design,
        /// The file it belongs to.
        file: Option<PathBuf>,
        /// What the status line says.
        message: String,
    },
    /// A copy could not be read or removed.
    Error(String),
}

/// Recovery copies for one window.
pub struct Recovery {
    writer: Option<Writer>,
    /// Copies left by windows that are gone, offered until restored, discarded or put off.
    offers: Vec<Snapshot>,
    dialog_open: bool,
    /// The file of the design the last copy was taken of.
    file: Option<PathBuf>,
    /// True when this session has a copy of the current design on disk.
    has_copy: bool,
    seen_revision: u64,
    /// When the first edit not yet copied was made, and the last one (egui time, seconds).
    pending: Option<(f64, f64)>,
    /// Keys of restored copies, removed once this session's own copy replaces them.
    adopted: Vec<String>,
}

impl Recovery {
    /// No copies at all: tests and benchmarks that do not ask for them.
    pub fn off() -> Recovery {
        Recovery {
            writer: None,
            offers: Vec::new(),
            dialog_open: false,
            file: None,
            has_copy: false,
            seen_revision: 0,
            pending: None,
            adopted: Vec::new(),
        }
    }

    /// Copies in the platform's data folder (or `EVENT_ARCHITECT_DATA_DIR`).
    pub fn in_data_dir() -> (Recovery, Option<String>) {
        match data_dir() {
            Some(dir) => Recovery::in_folder(recovery::folder_in(&dir)),
            None => (
                Recovery::off(),
                Some(format!(
                    "No data folder for recovery copies: set {} to keep them",
                    recovery::DATA_DIR_ENV
                )),
            ),
        }
    }

    /// Copies in `folder`, offering those left by windows that are gone. The error, if any, is
    /// for the status line: the window works without copies.
    pub fn in_folder(folder: PathBuf) -> (Recovery, Option<String>) {
        let mut state = Recovery::off();
        state.offers = recovery::list(&folder);
        state.dialog_open = !state.offers.is_empty();
        match Writer::start(folder.clone()) {
            Ok(writer) => state.writer = Some(writer),
            Err(error) => {
                return (
                    state,
                    Some(format!(
                        "Unsaved changes will not survive a crash: cannot keep recovery copies \
                         in {}: {error}",
                        folder.display()
                    )),
                );
            }
        }
        (state, None)
    }

    /// Copies written so far by this window (for tests: never one per frame).
    pub fn written(&self) -> u64 {
        self.writer.as_ref().map_or(0, |w| w.status().written)
    }

    /// Waits until the copies asked for so far are on disk.
    pub fn flush(&self) {
        if let Some(writer) = &self.writer {
            writer.flush();
        }
    }

    /// Once a frame: takes a copy when one is due, removes it once nothing is unsaved.
    /// Returns an error for the status line, once.
    pub fn tick(
        &mut self,
        ctx: &egui::Context,
        dirty: bool,
        revision: u64,
        design: &Design,
        file: Option<&Path>,
    ) -> Option<String> {
        self.writer.as_ref()?;
        let now = ctx.input(|i| i.time);
        if self.file.as_deref() != file {
            // Another design or another file: the old copy was saved or discarded.
            self.remove_copy();
            self.file = file.map(Path::to_path_buf);
        }
        if !dirty {
            // Saved, or undone back to what was saved.
            self.remove_copy();
            self.pending = None;
            self.seen_revision = revision;
        } else {
            if revision != self.seen_revision || (!self.has_copy && self.pending.is_none()) {
                self.seen_revision = revision;
                let first = self.pending.map_or(now, |(first, _)| first);
                self.pending = Some((first, now));
            }
            if let Some((first, last)) = self.pending {
                let due = (last + QUIET_SECONDS).min(first + MAX_WAIT_SECONDS);
                if now >= due {
                    if let Some(writer) = &self.writer {
                        let adopted = std::mem::take(&mut self.adopted);
                        writer.write(self.file.clone(), design.clone(), adopted);
                    }
                    self.has_copy = true;
                    self.pending = None;
                } else {
                    ctx.request_repaint_after(std::time::Duration::from_secs_f64(due - now));
                }
            }
        }
        self.writer.as_ref().and_then(Writer::take_error)
    }

    /// The user discarded the unsaved changes (Quit › Discard): their copy goes.
    pub fn discard(&mut self) {
        self.remove_copy();
        self.pending = None;
    }

    fn remove_copy(&mut self) {
        let Some(writer) = &self.writer else { return };
        if self.has_copy {
            writer.remove(writer.key(self.file.as_deref()));
            self.has_copy = false;
        }
        for key in self.adopted.drain(..) {
            writer.remove(key);
        }
    }

    /// The dialog, while there are copies to offer. `can_restore` is false while the current
    /// design has unsaved changes of its own (restoring would replace them).
    pub fn dialog_ui(&mut self, ctx: &egui::Context, can_restore: bool) -> Option<Outcome> {
        if !self.dialog_open || self.offers.is_empty() {
            return None;
        }
        let mut outcome = None;
        let mut chosen: Option<(usize, bool)> = None;
        let mut later = false;
        let now = SystemTime::now();
        egui::Window::new("Recover unsaved work")
            .collapsible(false)
            .resizable(false)
            .default_width(520.0)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.label("Event Architect closed without saving these changes:");
                ui.add_space(6.0);
                for (i, offer) in self.offers.iter().enumerate() {
                    ui.group(|ui| {
                        ui.label(RichText::new(offer.belongs_to()).strong());
                        let name = if offer.design_name.is_empty() {
                            "(unnamed)"
                        } else {
                            &offer.design_name
                        };
                        ui.label(format!(
                            "\"{name}\", copy taken {} ({})",
                            recovery::utc_text(offer.taken()),
                            recovery::ago_text(offer.taken(), now)
                        ));
                        let changed_since = offer
                            .file
                            .as_deref()
                            .and_then(|file| std::fs::metadata(file).ok())
                            .and_then(|metadata| metadata.modified().ok())
                            .is_some_and(|modified| modified > offer.taken());
                        if changed_since {
                            ui.label(
                                RichText::new(
                                    "⚠ The file changed on disk after this copy was taken; \
                                     restoring and saving would replace those changes.",
                                )
                                .color(theme::palette(ui.ctx()).warning),
                            );
                        }
                        ui.horizontal(|ui| {
                            let restore = ui
                                .add_enabled(can_restore, egui::Button::new("Restore"))
                                .on_disabled_hover_text(
                                    "Save or discard the current changes first",
                                );
                            if restore.clicked() {
                                chosen = Some((i, true));
                            }
                            if ui.button("Discard").clicked() {
                                chosen = Some((i, false));
                            }
                        });
                    });
                }
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    if ui.button("Not now").clicked() {
                        later = true;
                    }
                    ui.label(
                        RichText::new("The copies stay until the next start.")
                            .color(theme::palette(ui.ctx()).muted_text),
                    );
                });
            });
        if later {
            self.dialog_open = false;
        }
        if let Some((i, restore)) = chosen {
            let offer = self.offers.remove(i);
            outcome = if restore {
                Some(self.restore(offer))
            } else {
                self.remove_offer(&offer)
            };
        }
        outcome
    }

    fn restore(&mut self, offer: Snapshot) -> Outcome {
        let Some(writer) = &self.writer else {
            return Outcome::Error("Recovery copies are off".to_owned());
        };
        match recovery::load(writer.folder(), &offer) {
            Ok(design) => {
                // Kept until this session's own copy of the restored design is on disk.
                self.adopted.push(offer.key.clone());
                Outcome::Restore {
                    design,
                    file: offer.file.clone(),
                    message: format!(
                        "Restored the unsaved changes to {} from {}; save to keep them",
                        offer.belongs_to(),
                        recovery::utc_text(offer.taken())
                    ),
                }
            }
            Err(error) => Outcome::Error(format!("Could not restore: {error}")),
        }
    }

    fn remove_offer(&self, offer: &Snapshot) -> Option<Outcome> {
        let writer = self.writer.as_ref()?;
        writer.remove(offer.key.clone());
        None
    }

    /// The restored design is the current one now (unsaved): take its copy at once.
    pub fn restored(&mut self, file: Option<&Path>) {
        self.file = file.map(Path::to_path_buf);
        self.has_copy = false;
        self.pending = Some((f64::NEG_INFINITY, f64::NEG_INFINITY));
    }
}
