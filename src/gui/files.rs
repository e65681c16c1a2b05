//! File dialogs that never freeze drawing: rfd's `AsyncFileDialog` polled on a worker thread,
//! with an in-app path field when no native dialog can be shown.
//!
//! On Linux without a desktop portal or zenity, rfd answers `None` within milliseconds; a
//! person cannot cancel a dialog that fast, so a quick `None` means "no native dialog here" and
//! the window switches to its own path field for the rest of the session.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use crate::plan::PlanFormat;

/// A `None` from the native dialog faster than this means no dialog was shown.
const NO_DIALOG_WITHIN: Duration = Duration::from_millis(400);

/// What the chosen path is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilePurpose {
    /// Open a design.
    Open,
    /// Import a SAM or CloudFormation template.
    Import,
    /// Save the design under a new name, then carry on with what asked for the save.
    SaveAs {
        /// What to do after a successful save (New, Open or Quit that asked first).
        then: Option<super::Intent>,
    },
    /// Export the execution plan.
    Export,
    /// Export the canvas as a picture (SVG or PNG).
    ExportPicture,
    /// Export a SAM template.
    ExportSam,
}

impl FilePurpose {
    /// The dialog's title.
    pub fn title(&self) -> &'static str {
        match self {
            FilePurpose::Open => "Open design",
            FilePurpose::Import => "Import template",
            FilePurpose::SaveAs { .. } => "Save design as",
            FilePurpose::Export => "Export plan",
            FilePurpose::ExportPicture => "Export picture",
            FilePurpose::ExportSam => "Export SAM template",
        }
    }

    /// The confirm button of the in-app dialog.
    pub fn verb(&self) -> &'static str {
        match self {
            FilePurpose::Open => "Open",
            FilePurpose::Import => "Import",
            FilePurpose::SaveAs { .. } => "Save",
            FilePurpose::Export | FilePurpose::ExportPicture | FilePurpose::ExportSam => "Export",
        }
    }
}

type PathFuture = Pin<Box<dyn Future<Output = Option<PathBuf>> + Send>>;

/// A native file dialog open on a worker thread. Session state.
pub struct NativeDialog {
    /// What the path is for.
    purpose: FilePurpose,
    /// When it was opened.
    started: Instant,
    /// The worker's answer.
    answer: Receiver<Option<PathBuf>>,
}

/// What polling a native dialog found.
pub enum DialogOutcome {
    /// Still open.
    Waiting,
    /// A path was chosen.
    Chosen(FilePurpose, PathBuf),
    /// The user cancelled.
    Cancelled,
    /// No native dialog could be shown: use the in-app field.
    Unavailable(FilePurpose),
}

impl NativeDialog {
    /// Opens a native dialog for `purpose` on a worker thread. `suggested` is the current file.
    /// When no worker can be started, says why.
    pub fn open(
        purpose: FilePurpose,
        suggested: Option<&Path>,
        ctx: &egui::Context,
    ) -> Result<NativeDialog, (FilePurpose, String)> {
        let mut dialog = rfd::AsyncFileDialog::new().set_title(purpose.title());
        if let Some(dir) = suggested.and_then(|p| p.parent())
            && !dir.as_os_str().is_empty()
        {
            dialog = dialog.set_directory(dir);
        }
        if let Some(name) = suggested.and_then(|p| p.file_name()) {
            dialog = dialog.set_file_name(name.to_string_lossy());
        }
        // The future is created here, on the UI thread (macOS requires it), and polled on the
        // worker so drawing goes on.
        let future: PathFuture = match &purpose {
            FilePurpose::Open => {
                let pick = dialog
                    .add_filter("Event Architect design", &["json"])
                    .pick_file();
                Box::pin(async move { pick.await.map(|h| h.path().to_path_buf()) })
            }
            FilePurpose::Import => {
                let pick = dialog
                    .add_filter(
                        "SAM or CloudFormation template",
                        &["yaml", "yml", "json", "template"],
                    )
                    .pick_file();
                Box::pin(async move { pick.await.map(|h| h.path().to_path_buf()) })
            }
            FilePurpose::SaveAs { .. } => {
                let save = dialog
                    .add_filter("Event Architect design", &["json"])
                    .save_file();
                Box::pin(async move { save.await.map(|h| h.path().to_path_buf()) })
            }
            FilePurpose::Export => {
                for format in PlanFormat::ALL {
                    dialog = dialog.add_filter(format.to_string(), &[format.extension()]);
                }
                let save = dialog.save_file();
                Box::pin(async move { save.await.map(|h| h.path().to_path_buf()) })
            }
            FilePurpose::ExportSam => {
                let save = dialog
                    .add_filter("SAM template", &["yaml", "yml"])
                    .save_file();
                Box::pin(async move { save.await.map(|h| h.path().to_path_buf()) })
            }
            FilePurpose::ExportPicture => {
                let save = dialog
                    .add_filter("SVG picture", &["svg"])
                    .add_filter("PNG picture", &["png"])
                    .save_file();
                Box::pin(async move { save.await.map(|h| h.path().to_path_buf()) })
            }
        };
        let (sender, answer) = channel();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("file-dialog".to_owned())
            .spawn(move || {
                let _ = sender.send(block_on(future));
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => Ok(NativeDialog {
                purpose,
                started: Instant::now(),
                answer,
            }),
            Err(error) => Err((
                purpose,
                format!("Could not start the file dialog ({error}); type a path instead."),
            )),
        }
    }

    /// Checks for an answer; anything but [`DialogOutcome::Waiting`] means the dialog is over.
    pub fn poll(&mut self) -> DialogOutcome {
        let result = match self.answer.try_recv() {
            Ok(result) => result,
            Err(TryRecvError::Empty) => return DialogOutcome::Waiting,
            Err(TryRecvError::Disconnected) => None,
        };
        let purpose = self.purpose.clone();
        let quick = self.started.elapsed() < NO_DIALOG_WITHIN;
        match result {
            Some(path) => DialogOutcome::Chosen(purpose, path),
            None if quick => DialogOutcome::Unavailable(purpose),
            None => DialogOutcome::Cancelled,
        }
    }
}

/// Runs a future to completion on the current thread (rfd's own blocking dialogs do the same).
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(value) => return value,
            Poll::Pending => std::thread::park(),
        }
    }
}

/// A file name for a design never saved, from its name: `Order saga` gives `order-saga`.
pub fn file_stem_for(design_name: &str) -> String {
    let mut stem = String::with_capacity(design_name.len());
    for c in design_name.trim().chars() {
        if c.is_alphanumeric() {
            stem.extend(c.to_lowercase());
        } else if !stem.ends_with('-') && !stem.is_empty() {
            stem.push('-');
        }
    }
    let stem = stem.trim_end_matches('-');
    if stem.is_empty() {
        "design".to_owned()
    } else {
        stem.to_owned()
    }
}

/// Adds a path to the front of a recent-files list, without duplicates, keeping at most 10.
pub fn push_recent(recent: &mut Vec<PathBuf>, path: PathBuf) {
    recent.retain(|p| p != &path);
    recent.insert(0, path);
    recent.truncate(10);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_files_are_unique_newest_first_and_bounded() {
        let mut recent = Vec::new();
        for i in 0..12 {
            push_recent(&mut recent, PathBuf::from(format!("{i}.json")));
        }
        push_recent(&mut recent, PathBuf::from("5.json"));
        assert_eq!(recent.len(), 10);
        assert_eq!(recent[0], PathBuf::from("5.json"));
        assert_eq!(
            recent
                .iter()
                .filter(|p| p.as_path() == std::path::Path::new("5.json"))
                .count(),
            1
        );
    }

    #[test]
    fn a_design_name_gives_a_plain_file_name() {
        assert_eq!(file_stem_for("Order saga"), "order-saga");
        assert_eq!(file_stem_for("  Ünïcode / names!! "), "ünïcode-names");
        assert_eq!(file_stem_for("***"), "design");
    }

    #[test]
    fn block_on_runs_a_ready_future() {
        assert_eq!(block_on(async { 7 }), 7);
    }
}
