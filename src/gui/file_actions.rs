//! File actions: open, save, export, the path dialogs they ask, recovery, dropped files and
//! closing the window with unsaved changes.

use std::path::{Path, PathBuf};

use crate::model::Design;
use crate::model::edit::History;
use crate::plan::PlanFormat;

use super::actions::{Action, Intent};
use super::app::{App, Document};
use super::dialogs::{Dialog, PathField};
use super::files::{self, DialogOutcome, FilePurpose, NativeDialog};
use super::inspector::Draft;
use super::recovery_dialog;
use super::selection::Selection;

impl App {
    pub(super) fn replace(&mut self, design: Design, path: Option<PathBuf>) {
        self.doc = Document::new(design, path);
        self.view.invalidate();
        self.selection = Selection::default();
        self.closers.clear();
        self.dialog = Dialog::None;
        self.draft = Draft::default();
        self.refresh();
        self.canvas.open_request = Self::drawn_bounds(self.view.centers(), &self.doc.design, None);
    }

    pub(super) fn open(&mut self, path: &Path) {
        match super::template_ui::read(path) {
            Some(Ok(imported)) => {
                self.replace(imported.design, None);
                return self.set_status(imported.status);
            }
            Some(Err(message)) => return self.show_load_error(message),
            None => {}
        }
        match crate::io::load_path_versioned(path) {
            Ok((design, version)) => {
                let count = design.services.len();
                self.replace(design, Some(path.to_path_buf()));
                files::push_recent(&mut self.settings.recent, path.to_path_buf());
                let origin = path.display().to_string();
                let note = crate::io::migration_note(&origin, version)
                    .map_or_else(String::new, |note| format!("; {note}"));
                self.set_status(format!("Opened {origin} ({count} services){note}"));
            }
            Err(error) => self.show_load_error(error.to_string()),
        }
    }

    /// Carries out the recovery dialog's choice.
    pub(super) fn recovered(&mut self, outcome: recovery_dialog::Outcome) {
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

    pub(super) fn save_to(&mut self, path: &Path) -> bool {
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

    pub(super) fn export(&mut self, path: &Path) {
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

    pub(super) fn choose_path(&mut self, ctx: &egui::Context, purpose: FilePurpose) {
        let suggested = match &purpose {
            FilePurpose::Export => self
                .doc
                .path
                .as_ref()
                .map(|p| p.with_extension("plan.md"))
                .or_else(|| Some(PathBuf::from("plan.md"))),
            FilePurpose::ExportSam => Some(self.sam_template_path()),
            FilePurpose::ExportPicture => Some(
                self.doc
                    .path
                    .as_ref()
                    .map_or_else(|| PathBuf::from("design.svg"), |p| p.with_extension("svg")),
            ),
            _ => self.doc.path.clone(),
        };
        let typed = Some(self.typed_suggestion(&purpose));
        self.dialog = if self.native_dialogs {
            match NativeDialog::open(purpose, suggested.as_deref(), ctx) {
                Ok(native) => Dialog::NativeFile(native),
                Err((purpose, message)) => {
                    Dialog::PathField(PathField::new(purpose, typed, message))
                }
            }
        } else {
            Dialog::PathField(PathField::new(purpose, typed, String::new()))
        };
    }

    /// What the in-app path field starts with: the current file's folder (the working folder
    /// for a design never saved), with the current file's name where one is wanted.
    fn typed_suggestion(&self, purpose: &FilePurpose) -> PathBuf {
        let folder = self
            .doc
            .path
            .as_deref()
            .and_then(Path::parent)
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        match purpose {
            // Joining "" ends the folder in a separator, ready for a file name.
            FilePurpose::Open | FilePurpose::Import => folder.join(""),
            FilePurpose::SaveAs { .. } => self.doc.path.clone().unwrap_or_else(|| {
                folder.join(format!(
                    "{}.json",
                    files::file_stem_for(&self.doc.design.name)
                ))
            }),
            FilePurpose::Export => self
                .doc
                .path
                .as_ref()
                .map(|p| p.with_extension("plan.md"))
                .unwrap_or_else(|| folder.join("plan.md")),
            // SAM looks for template.yaml beside the code: the design's folder.
            FilePurpose::ExportSam => folder.join("template.yaml"),
            FilePurpose::ExportPicture => self
                .doc
                .path
                .as_ref()
                .map_or_else(|| folder.join("design.svg"), |p| p.with_extension("svg")),
        }
    }

    /// Checks a native file dialog for its answer.
    pub(super) fn poll_dialog(&mut self) {
        let Dialog::NativeFile(native) = &mut self.dialog else {
            return;
        };
        let outcome = native.poll();
        if !matches!(outcome, DialogOutcome::Waiting) {
            self.dialog = Dialog::None;
        }
        match outcome {
            DialogOutcome::Waiting => {}
            DialogOutcome::Chosen(purpose, path) => {
                self.actions.push(Action::PathChosen(purpose, path))
            }
            DialogOutcome::Cancelled => self.set_status("Cancelled"),
            DialogOutcome::Unavailable(purpose) => {
                self.native_dialogs = false;
                let suggested = Some(self.typed_suggestion(&purpose));
                self.dialog = Dialog::PathField(PathField::new(
                    purpose,
                    suggested,
                    "No native file dialog is available here (no desktop portal or zenity). \
                     Type the file's path instead."
                        .to_owned(),
                ));
            }
        }
    }

    pub(super) fn handle_drops_and_close(&mut self, ctx: &egui::Context) {
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
            if is_json || super::template_ui::is_template_name(&path) {
                self.actions.push(Action::Intent(Intent::OpenPath(path)));
            } else {
                self.set_error(format!(
                    "Cannot open {}: drop a .json design file or a .yaml template",
                    path.display()
                ));
            }
        }
        if ctx.input(|i| i.viewport().close_requested())
            && !self.allowed_to_close
            && self.is_dirty()
        {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.dialog = Dialog::UnsavedChanges(Intent::Quit);
        }
    }
}
