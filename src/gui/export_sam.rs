//! File > Export SAM template...: the template `event-architect export` writes, with what SAM
//! cannot say shown in the status line.

use std::path::{Path, PathBuf};

use super::App;

impl App {
    /// Writes the design's SAM template to `path` (atomically); says where, and how many notes
    /// the export has (the first in full), or why it could not be written.
    pub(super) fn export_sam(&mut self, path: &Path) {
        let exported = crate::template::export::export_sam(&self.doc.design);
        match crate::io::write_atomic(path, exported.to_yaml().as_bytes()) {
            Ok(()) => {
                let done = format!("Exported the SAM template to {}", path.display());
                match exported.notes.as_slice() {
                    [] => self.set_status(done),
                    [only] => self.set_status(format!("{done}. Note: {only}")),
                    [first, rest @ ..] => self.set_status(format!(
                        "{done}. {} notes (`event-architect export` lists them), first: {first}",
                        rest.len() + 1
                    )),
                }
            }
            Err(error) => self.set_error(format!(
                "Could not export the SAM template to {}: {error}",
                path.display()
            )),
        }
    }

    /// Where the export dialog starts: `template.yaml` beside the design, as SAM expects.
    pub(super) fn sam_template_path(&self) -> PathBuf {
        self.doc
            .path
            .as_ref()
            .map(|p| p.with_file_name("template.yaml"))
            .unwrap_or_else(|| PathBuf::from("template.yaml"))
    }
}
