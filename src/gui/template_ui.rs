//! Templates in the window: File > Import template... and a dropped `template.yaml` go through
//! [`read`]; the inspector shows an edge's evidence ([`evidence_ui`]) (each cycle's class is a
//! line of the problems panel). Everything decided here comes from the library
//! (`crate::template`, `crate::analysis::loops`), so the window and `check` agree.

use std::path::Path;

use egui::Ui;

use crate::model::{Design, EventEdge};

/// A template read for the window: the design (not tied to the template's path, so a save
/// never writes JSON over the YAML) and the status line to show.
pub struct ImportedTemplate {
    /// The imported design.
    pub design: Design,
    /// What to tell the user.
    pub status: String,
}

/// True for a `.yaml`, `.yml` or `.template` name (a template whatever it holds).
pub fn is_template_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "yaml" | "yml" | "template"))
}

/// The template at `path` imported, when the file is one (by content, or a `.yaml`/`.yml`
/// name); `None` for a design file. An unreadable template is `Some(Err(message))`.
pub fn read(path: &Path) -> Option<Result<ImportedTemplate, String>> {
    let yaml_name = is_template_name(path);
    let limit = crate::template::yaml::MAX_TEXT_BYTES as u64;
    let mut bytes = Vec::new();
    let read = std::fs::File::open(path).and_then(|file| {
        std::io::Read::read_to_end(&mut std::io::Read::take(file, limit + 1), &mut bytes)
    });
    if let Err(error) = read {
        return yaml_name.then(|| Err(format!("Could not read {}: {error}", path.display())));
    }
    if !yaml_name && !crate::template::looks_like_template(&bytes) {
        return None;
    }
    let origin = path.display().to_string();
    Some(
        crate::template::import_bytes(&bytes, &origin)
            .map(|imported| ImportedTemplate {
                status: format!(
                    "Imported {origin}: {}; save it as a design (the template is not changed)",
                    imported.summary
                ),
                design: imported.design,
            })
            .map_err(|error| match error.hint() {
                "" => error.to_string(),
                hint => format!("{error}\n  hint: {hint}"),
            }),
    )
}

/// An edge's evidence in the inspector.
pub fn evidence_ui(ui: &mut Ui, edge: &EventEdge) {
    if let Some(evidence) = &edge.evidence {
        ui.label(format!("Evidence: {}", evidence.describe()));
    }
}
