//! The window's modal dialogs. At most one is open: [`Dialog`] says which, and
//! [`App::dialogs_ui`] draws it and carries out the answer. (About and crash recovery keep their
//! own state in `about` and `recovery_dialog`.)

mod event_name;
mod load_error;
mod path;
mod unsaved;

pub(crate) use event_name::PendingEdge;
pub(crate) use path::PathField;

use crate::model::edit::Command;

use super::actions::{Action, Intent};
use super::app::App;
use super::files::{FilePurpose, NativeDialog};

/// The open dialog. Session state.
#[derive(Default)]
pub(crate) enum Dialog {
    /// None is open.
    #[default]
    None,
    /// A file could not be opened: the loader's full message.
    LoadError(String),
    /// Unsaved changes: save, discard or cancel before carrying out the intent.
    UnsavedChanges(Intent),
    /// A new edge waiting for its event name.
    EventName(PendingEdge),
    /// A native file dialog on a worker thread.
    NativeFile(NativeDialog),
    /// The in-app path field (no native dialog here).
    PathField(PathField),
}

impl App {
    /// Draws the open dialog (and the About window) and carries out what was answered.
    pub(super) fn dialogs_ui(&mut self, ctx: &egui::Context) {
        self.about.show(ctx);
        match &mut self.dialog {
            Dialog::None | Dialog::NativeFile(_) => {}
            Dialog::LoadError(text) => {
                if load_error::load_error_ui(ctx, text) {
                    self.dialog = Dialog::None;
                }
            }
            Dialog::UnsavedChanges(intent) => {
                let intent = intent.clone();
                match unsaved::unsaved_ui(ctx, &self.doc.design.name) {
                    None => {}
                    Some(unsaved::Answer::Save) => {
                        self.dialog = Dialog::None;
                        match self.doc.path.clone() {
                            Some(path) => {
                                if self.save_to(&path) {
                                    self.actions.push(Action::Proceed(intent));
                                }
                            }
                            None => {
                                self.choose_path(ctx, FilePurpose::SaveAs { then: Some(intent) })
                            }
                        }
                    }
                    Some(unsaved::Answer::Discard) => {
                        self.dialog = Dialog::None;
                        self.actions.push(Action::Proceed(intent));
                    }
                    Some(unsaved::Answer::Cancel) => self.dialog = Dialog::None,
                }
            }
            Dialog::EventName(pending) => match pending.ui(ctx, &self.doc.design) {
                None => {}
                Some(edge) => {
                    let new_service = pending.new_service.take();
                    self.dialog = Dialog::None;
                    match (edge, new_service) {
                        (Some(edge), Some(service)) => {
                            let at = self.doc.design.edges.len();
                            self.actions.push(Action::Edit(Command::InsertService {
                                at: None,
                                service,
                                edges: vec![(at, edge)],
                            }));
                        }
                        (Some(edge), None) => self
                            .actions
                            .push(Action::Edit(Command::InsertEdge { at: None, edge })),
                        (None, _) => {}
                    }
                }
            },
            Dialog::PathField(field) => match field.ui(ctx) {
                None => {}
                Some(answer) => {
                    let purpose = field.purpose.clone();
                    self.dialog = Dialog::None;
                    if let Some(path) = answer {
                        self.actions.push(Action::PathChosen(purpose, path));
                    }
                }
            },
        }
    }
}
