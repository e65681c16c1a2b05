//! Templates in the window: dropping a `template.yaml` and File > Import template... import it
//! (without tying the design to the template's path), and the problems panel shows each
//! loop's class and the inspector an edge's evidence.

#![cfg(feature = "gui")]

use std::path::{Path, PathBuf};

use egui::vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use event_architect::gui::App;

fn harness() -> Harness<'static, App> {
    Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .with_step_dt(1.0 / 60.0)
        .build_eframe(|_cc| App::with_design(event_architect::builtin_design(), None))
}

fn settle(h: &mut Harness<'_, App>) {
    h.run_steps(4);
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/templates")
        .join(name)
}

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_template_imports_it_and_problems_show_the_loop_class() {
    let mut h = harness();
    settle(&mut h);
    let path = fixture("loop_wildcard.yaml");
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(path.clone())));
    settle(&mut h);
    let ids: Vec<&str> = h
        .state()
        .design()
        .services
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(ids, ["Jobs", "Worker"]);
    // A save must not write JSON over the template.
    assert_eq!(h.state().path(), None);
    let status = h.state().status_text().unwrap().to_owned();
    assert!(status.starts_with("Imported "), "{status}");
    h.get_by_label_contains("permission-only: closed only by over-approximated edges");
    h.get_by_label_contains("recursive-loop detection would stop it");
}

#[test]
fn file_import_template_reads_the_chosen_template() {
    let mut h = harness();
    settle(&mut h);
    h.get_by_label("File").click();
    settle(&mut h);
    h.get_by_label("Import template...").click();
    settle(&mut h);
    let field = h.get_by_label("Path");
    field.focus();
    h.step();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label("Path")
        .type_text(&fixture("loop_websocket_reply.yaml").display().to_string());
    h.step();
    h.get_by_label("Import").click();
    settle(&mut h);
    assert_eq!(h.state().design().services.len(), 2);
    h.get_by_label_contains("intentional: marked intentional: the reply goes back");
}

#[test]
fn a_broken_template_shows_its_located_error_and_keeps_the_design() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(
        &path,
        "Parameters:\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n",
    )
    .unwrap();
    let mut h = harness();
    settle(&mut h);
    let before = h.state().design().clone();
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(path)));
    settle(&mut h);
    assert_eq!(h.state().design(), &before);
    // In the error dialog (and the status line).
    let shown = h
        .query_all_by_label_contains(
            "template.yaml:1:1: Parameters: the Parameters section is empty",
        )
        .count();
    assert!(shown >= 1);
}
