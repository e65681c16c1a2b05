//! The designer window driven the way a user drives it: by role and label, with pointer and
//! keyboard events (egui_kittest, no GPU). `run_steps` instead of `run`, because drags and
//! windows need a few frames to settle.

#![cfg(feature = "gui")]

use egui::{Key, Modifiers, Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use event_architect::gui::App;
use event_architect::model::{Design, Service, ServiceKind};

#[path = "gui/editor.rs"]
mod editor;
#[path = "gui/look.rs"]
mod look;

fn harness(design: Design) -> Harness<'static, App> {
    Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| App::with_design(design, None))
}

fn settle(h: &mut Harness<'_, App>) {
    h.run_steps(4);
}

fn two_services(a: &str, b: &str) -> Design {
    let mut design = Design::new("Test");
    for (id, x) in [(a, 0.0), (b, 300.0)] {
        let mut s = Service::new(id, ServiceKind::Function);
        s.position = Some(event_architect::model::Position { x, y: 0.0 });
        design.services.push(s);
    }
    design
}

/// Drags a new edge from one service's handle to another service, then names the event.
fn connect(h: &mut Harness<'_, App>, from: &str, to: &str, event: &str) {
    drag_to_connect(h, from, to);
    h.get_by_label("Event name").type_text(event);
    h.step();
    h.get_by_label("Connect").click();
    settle(h);
}

/// Drags from one service's handle to another service: the event-name dialog opens.
fn drag_to_connect(h: &mut Harness<'_, App>, from: &str, to: &str) {
    let end = h.state().service_screen_pos(to).expect("to on screen");
    drag_from_handle(h, from, end);
}

/// Drags from a service's handle to a screen point, in a few pointer moves, and drops.
fn drag_from_handle(h: &mut Harness<'_, App>, from: &str, end: Pos2) {
    let start = h.state().handle_screen_pos(from).expect("from on screen");
    h.hover_at(start);
    h.step();
    h.drag_at(start);
    h.step();
    for k in 1..=6 {
        let t = k as f32 / 6.0;
        h.hover_at(start + (end - start) * t);
        h.step();
    }
    h.drop_at(end);
    settle(h);
}

/// Drags with the primary button from `from` by `by`, in a few pointer moves.
fn drag(h: &mut Harness<'_, App>, from: Pos2, by: egui::Vec2) {
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for k in 1..=5 {
        h.hover_at(from + by * (k as f32 / 6.0));
        h.step();
    }
    h.drop_at(from + by);
    settle(h);
}

fn click_at(h: &mut Harness<'_, App>, p: Pos2) {
    h.hover_at(p);
    h.step();
    h.drag_at(p);
    h.step();
    h.drop_at(p);
    settle(h);
}

fn menu(h: &mut Harness<'_, App>, top: &str, item: &str) {
    h.get_by_label(top).click();
    settle(h);
    h.get_by_label(item).click();
    settle(h);
}

fn type_path_and(h: &mut Harness<'_, App>, path: &std::path::Path, button: &str) {
    let field = h.get_by_label("Path");
    field.focus();
    h.step();
    // Select what is prefilled and replace it.
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.step();
    h.get_by_label("Path")
        .type_text(&path.display().to_string());
    h.step();
    h.get_by_label(button).click();
    settle(h);
}

#[test]
fn a_connection_dropped_on_empty_canvas_adds_a_connected_service_in_one_step() {
    let mut h = harness(Design::new("Empty"));
    settle(&mut h);
    h.get_by_label("➕ Add service").click();
    settle(&mut h);
    // Drag from the handle to empty canvas well below the box.
    let start = h
        .state()
        .handle_screen_pos("function-1")
        .expect("on screen");
    let end = start + egui::vec2(120.0, 220.0);
    drag_from_handle(&mut h, "function-1", end);
    assert_eq!(
        h.state().design().services.len(),
        1,
        "nothing is added before the name"
    );
    h.get_by_label("Event name").type_text("Handed");
    h.step();
    h.get_by_label("Connect").click();
    settle(&mut h);
    let design = h.state().design();
    assert_eq!(design.services.len(), 2);
    assert_eq!(design.edges.len(), 1);
    let edge = &design.edges[0];
    assert_eq!(
        (design.id(edge.from), &*edge.event),
        ("function-1", "Handed")
    );
    let added = design.service(edge.to);
    assert_ne!(added.id, "function-1");
    // Where it was dropped, not at a free spot somewhere else.
    let at = h
        .state()
        .service_screen_pos(&added.id.clone())
        .expect("on screen");
    assert!((at - end).length() < 120.0, "{at:?} vs {end:?}");
    // One undo step takes both away.
    menu(&mut h, "Edit", "Undo add service");
    assert_eq!(h.state().design().services.len(), 1);
    assert!(h.state().design().edges.is_empty());
}

#[test]
fn add_two_services_connect_them_and_see_the_order() {
    let mut h = harness(Design::new("Empty"));
    settle(&mut h);
    h.get_by_label("➕ Add service").click();
    settle(&mut h);
    h.get_by_label("➕ Add service").click();
    settle(&mut h);
    let ids: Vec<String> = h
        .state()
        .design()
        .services
        .iter()
        .map(|s| s.id.clone())
        .collect();
    assert_eq!(ids, ["function-1", "function-2"]);

    // Connect the second to the first, so the order differs from the file order.
    connect(&mut h, "function-2", "function-1", "Ping");
    let design = h.state().design();
    assert_eq!(design.edges.len(), 1);
    assert_eq!(&*design.edges[0].event, "Ping");
    assert_eq!(design.id(design.edges[0].from), "function-2");

    // The inspector of the subscriber shows its place in the order.
    let p = h.state().service_screen_pos("function-1").unwrap();
    click_at(&mut h, p);
    h.get_by_label("Order #2 · stage 2");
    let p = h.state().service_screen_pos("function-2").unwrap();
    click_at(&mut h, p);
    h.get_by_label("Order #1 · stage 1");
    h.get_by_label_contains("No problems");
}

#[test]
fn closing_a_cycle_shows_it_in_the_problems_panel() {
    let mut design = two_services("a", "b");
    design.connect("a", "b", "AB");
    let mut h = harness(design);
    settle(&mut h);
    h.get_by_label_contains("No problems");
    connect(&mut h, "b", "a", "BA");
    assert_eq!(h.state().analysis().cycles.len(), 1);
    let cycle = h.get_by_label("⚠ Cycle 1 (2 services): a -> b -> a");
    h.get_by_label_contains("closed by the edge b -> a (BA)");
    assert!(h.state().status_text().unwrap().contains("closed a cycle"));
    cycle.click();
    settle(&mut h);
    let selected: Vec<&str> = h
        .state()
        .selected_services()
        .iter()
        .map(|&s| h.state().design().by_uid(s).unwrap().id.as_str())
        .collect();
    assert_eq!(selected, ["a", "b"]);
}

#[test]
fn thousands_of_loops_list_only_the_lines_in_view_and_long_paths_are_cut() {
    // 3,000 self-loops: every line exists, but only those in view are laid out, so the panel
    // costs the same whatever the number of loops.
    let mut design = Design::new("loops");
    for i in 0..3_000 {
        design.add_service(Service::new(format!("s{i}"), ServiceKind::Function));
        design.connect(&format!("s{i}"), &format!("s{i}"), "Again");
    }
    let mut h = harness(design);
    settle(&mut h);
    assert_eq!(h.state().analysis().cycles.len(), 3_000);
    h.get_by_label("Problems (3000)");
    h.get_by_label("⚠ Cycle 1 (1 services): s0 -> s0");
    assert!(
        h.query_by_label_contains("Cycle 2500 ").is_none(),
        "a line far below the view is laid out"
    );
    // The ring's path is cut after 12 services, with how many more.
    let mut ring = Design::new("ring");
    for i in 0..40 {
        ring.add_service(Service::new(format!("r{i}"), ServiceKind::Queue));
    }
    for i in 0..40 {
        ring.connect(&format!("r{i}"), &format!("r{}", (i + 1) % 40), "Next");
    }
    let mut h = harness(ring);
    settle(&mut h);
    h.get_by_label_contains("⚠ Cycle 1 (40 services): r0 -> r1 -> ");
    h.get_by_label_contains("r11 -> … (29 more)");
}

#[test]
fn undo_and_redo_move_the_design_back_and_forth() {
    let original = two_services("a", "b");
    let mut h = harness(original.clone());
    settle(&mut h);
    connect(&mut h, "a", "b", "AB");
    let connected = h.state().design().clone();
    assert_eq!(connected.edges.len(), 1);
    assert!(h.state().is_dirty());
    assert!(h.state().title().contains('•'), "{}", h.state().title());

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(h.state().design(), &original);
    assert!(!h.state().is_dirty());

    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    settle(&mut h);
    assert_eq!(h.state().design(), &connected);

    menu(&mut h, "Edit", "Undo add edge");
    assert_eq!(h.state().design(), &original);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Y);
    settle(&mut h);
    assert_eq!(h.state().design(), &connected);

    // A whole drag is one undo step.
    let from = h.state().service_screen_pos("a").unwrap();
    drag(&mut h, from, vec2(0.0, 100.0));
    let moved = h.state().design().services[0].position.unwrap();
    assert!(moved.y > 50.0, "{moved:?}");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(h.state().design(), &connected);
}

#[test]
fn opening_a_bad_file_shows_the_cli_error_and_keeps_the_design() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"version\": 1, \"services\": [ {\"id\": \"a\" ").unwrap();
    let expected = event_architect::io::load_path(&bad)
        .unwrap_err()
        .to_string();

    let design = event_architect::builtin_design();
    let mut h = harness(design.clone());
    settle(&mut h);
    menu(&mut h, "File", "Open...");
    type_path_and(&mut h, &bad, "Open");
    h.get_by_label(&expected);
    h.get_by_label("Could not open the file");
    assert_eq!(h.state().design(), &design);
    assert!(!h.state().is_dirty());
    assert!(h.state().status_text().unwrap().contains("unchanged"));
}

#[test]
fn save_then_reopen_gives_the_same_design() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.json");
    let mut h = harness(event_architect::builtin_design());
    settle(&mut h);
    h.get_by_label("➕ Add service").click();
    settle(&mut h);
    let edited = h.state().design().clone();
    assert!(h.state().is_dirty());

    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
    settle(&mut h);
    type_path_and(&mut h, &path, "Save");
    assert!(!h.state().is_dirty());
    assert_eq!(h.state().path(), Some(path.as_path()));
    assert_eq!(event_architect::io::load_path(&path).unwrap(), edited);

    // Start over, then open the saved file.
    menu(&mut h, "File", "New");
    assert!(h.state().design().services.is_empty());
    h.key_press_modifiers(Modifiers::COMMAND, Key::O);
    settle(&mut h);
    type_path_and(&mut h, &path, "Open");
    assert_eq!(h.state().design(), &edited);
    assert!(!h.state().is_dirty());
}

#[test]
fn new_with_unsaved_changes_asks_first() {
    let mut h = harness(event_architect::builtin_design());
    settle(&mut h);
    h.get_by_label("➕ Add service").click();
    settle(&mut h);
    let edited = h.state().design().clone();
    h.key_press_modifiers(Modifiers::COMMAND, Key::N);
    settle(&mut h);
    h.get_by_label("Unsaved changes");
    h.get_by_label("Cancel").click();
    settle(&mut h);
    assert_eq!(h.state().design(), &edited);
    h.key_press_modifiers(Modifiers::COMMAND, Key::N);
    settle(&mut h);
    h.get_by_label("Discard").click();
    settle(&mut h);
    assert!(h.state().design().services.is_empty());
}

#[test]
fn a_clashing_id_is_refused_with_a_message() {
    let mut h = harness(two_services("a", "b"));
    settle(&mut h);
    let p = h.state().service_screen_pos("b").unwrap();
    click_at(&mut h, p);
    let field = h.get_by_label("Id");
    field.focus();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.step();
    h.get_by_label("Id").type_text("a");
    h.step();
    h.key_press(Key::Enter);
    settle(&mut h);
    assert_eq!(h.state().design().services[1].id, "b");
    // In the inspector, under the field, and on the status line.
    h.get_by_label("the id \"a\" is already used by another service; choose a different id");
    assert!(h.state().status_text().unwrap().starts_with("Id refused"));
}

#[test]
fn double_click_adds_a_service_and_delete_removes_it_with_its_edges() {
    let mut design = two_services("a", "b");
    design.connect("a", "b", "AB");
    let mut h = harness(design.clone());
    settle(&mut h);
    // Double-click on empty canvas, well below the two boxes.
    let empty = h.state().service_screen_pos("a").unwrap() + vec2(0.0, 200.0);
    h.hover_at(empty);
    h.step();
    for _ in 0..2 {
        for pressed in [true, false] {
            h.event(egui::Event::PointerButton {
                pos: empty,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: Modifiers::NONE,
            });
            h.step();
        }
    }
    settle(&mut h);
    assert_eq!(h.state().design().services.len(), 3);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(h.state().design(), &design);

    // Select "a" and press Delete: its edge goes too; one undo brings both back.
    let p = h.state().service_screen_pos("a").unwrap();
    click_at(&mut h, p);
    h.key_press(Key::Delete);
    settle(&mut h);
    assert_eq!(h.state().design().services.len(), 1);
    assert!(h.state().design().edges.is_empty());
    menu(&mut h, "Edit", "Undo delete service");
    assert_eq!(h.state().design(), &design);
}

#[test]
fn export_plan_writes_the_format_its_extension_names() {
    let dir = tempfile::tempdir().unwrap();
    let design = event_architect::builtin_design();
    let analysis = event_architect::analysis::analyze(&design);
    let mut h = harness(design.clone());
    settle(&mut h);
    for format in event_architect::plan::PlanFormat::ALL {
        let path = dir.path().join(format!("plan.{}", format.extension()));
        menu(&mut h, "File", "Export plan...");
        type_path_and(&mut h, &path, "Export");
        let mut expected = Vec::new();
        event_architect::plan::write_plan(&mut expected, format, &design, &analysis).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), expected, "{format}");
    }
    // An unknown extension is refused with a message that says how to fix it.
    let path = dir.path().join("plan.txt");
    menu(&mut h, "File", "Export plan...");
    type_path_and(&mut h, &path, "Export");
    assert!(!path.exists());
    assert!(h.state().status_text().unwrap().contains(".mmd"));
}

#[test]
fn closing_with_unsaved_changes_asks_and_cancel_keeps_the_window() {
    let mut h = harness(event_architect::builtin_design());
    settle(&mut h);
    h.get_by_label("➕ Add service").click();
    settle(&mut h);
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.step();
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .clear();
    settle(&mut h);
    h.get_by_label("Unsaved changes");
    h.get_by_label("Cancel").click();
    settle(&mut h);
    assert!(h.query_by_label("Unsaved changes").is_none());
    assert!(h.state().is_dirty());
}

/// A file dropped on the window, as the windowing integration would hand it over.
#[derive(Debug)]
struct Dropped(std::path::PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_design_file_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dropped.json");
    let design = two_services("x", "y");
    event_architect::io::save(&path, &design).unwrap();
    let mut h = harness(event_architect::builtin_design());
    settle(&mut h);
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(path.clone())));
    settle(&mut h);
    assert_eq!(h.state().design(), &design);
    assert_eq!(h.state().path(), Some(path.as_path()));
    assert!(h.state().title().contains("dropped.json"));
}

#[test]
fn the_simulation_panel_runs_the_builtin_scenario() {
    let mut h = harness(event_architect::builtin_design());
    settle(&mut h);
    // The side panel opens on the inspector; the Simulation tab is one click away.
    h.get_by_label("Simulation").click();
    settle(&mut h);
    h.get_by_label("Run").click();
    h.run_steps(2);
    // The run is on a worker thread (argon2 hashes): step until it reports back, bounded.
    for _ in 0..1500 {
        h.step();
        if h.query_by_label_contains("finished").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    settle(&mut h);
    assert!(
        h.query_by_label_contains("finished").is_some(),
        "the run did not finish"
    );
    let shown: Vec<u16> = h
        .query_all_by_label_contains(" ")
        .filter_map(|node| {
            let ak = node.accesskit_node();
            let label = ak.label().or_else(|| ak.value())?;
            let mut words = label.split_whitespace();
            let first = words.next()?;
            if !first.starts_with('#') {
                return None;
            }
            // "#<request> <method> <path> <status> <reason> <body>": the first status-like word.
            words.find_map(|w| w.parse::<u16>().ok().filter(|s| (100..600).contains(s)))
        })
        .collect();
    assert_eq!(shown, [201, 409, 400, 401, 401, 200]);
    // The window never hid the statuses behind another panel: the reason phrases are shown.
    assert!(h.query_by_label_contains("409 Conflict").is_some());
    // A trace row selects its service on the canvas.
    let audit_row = h
        .query_all_by_label_contains("consumed")
        .find(|n| {
            let ak = n.accesskit_node();
            ak.label()
                .is_some_and(|l| l.contains("audit") && l.contains("UserLoggedIn"))
        })
        .expect("the audit function's trace row");
    audit_row.click();
    settle(&mut h);
    let audit = h.state().design().find("audit").expect("the audit service");
    assert_eq!(
        h.state().selected_services(),
        [h.state().design().uid(audit)]
    );
}

#[test]
fn shift_drag_selects_boxes_and_dragging_one_moves_them_all_in_one_undo_step() {
    let mut design = two_services("a", "b");
    let mut c = Service::new("c", ServiceKind::Queue);
    c.position = Some(event_architect::model::Position { x: 700.0, y: 0.0 });
    design.services.push(c);
    let mut h = harness(design.clone());
    settle(&mut h);
    let a = h.state().service_screen_pos("a").unwrap();
    let b = h.state().service_screen_pos("b").unwrap();

    // A rectangle from empty canvas below-right of b to the middle of a, Shift held (the test
    // harness forgets modifiers between frames, so it is pressed again in each one).
    let (from, to) = (b + vec2(110.0, 60.0), a + vec2(10.0, 10.0));
    assert!(h.state().canvas_rect().contains(from));
    let shift = |h: &mut Harness<'_, App>| {
        h.event(egui::Event::ModifiersChanged(Modifiers::SHIFT));
        h.step();
    };
    h.hover_at(from);
    shift(&mut h);
    h.drag_at(from);
    shift(&mut h);
    for k in 1..=5 {
        h.hover_at(from + (to - from) * (k as f32 / 5.0));
        shift(&mut h);
    }
    h.drop_at(to);
    settle(&mut h);
    let ids: Vec<&str> = h
        .state()
        .selected_services()
        .iter()
        .map(|&s| h.state().design().by_uid(s).unwrap().id.as_str())
        .collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(h.state().design(), &design, "selecting is not an edit");

    // Dragging b drags a with it; c stays.
    drag(&mut h, b, vec2(0.0, 120.0));
    let moved = h.state().design().clone();
    let dy =
        |i: usize| moved.services[i].position.unwrap().y - design.services[i].position.unwrap().y;
    assert!(dy(0) > 50.0, "a moved by {}", dy(0));
    assert!(
        (dy(0) - dy(1)).abs() < 0.01,
        "a by {}, b by {}",
        dy(0),
        dy(1)
    );
    assert_eq!(dy(2), 0.0);
    assert_eq!(
        moved.services[0].position.unwrap().x,
        design.services[0].position.unwrap().x
    );

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(h.state().design(), &design, "one undo puts both back");
}

fn recovering_harness(
    design: Design,
    path: &std::path::Path,
    folder: &std::path::Path,
) -> Harness<'static, App> {
    let (path, folder) = (path.to_path_buf(), folder.to_path_buf());
    Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| App::with_design(design, Some(path)).with_recovery_folder(folder))
}

#[test]
fn unsaved_work_survives_a_crash_and_is_restored_on_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let path = dir.path().join("orders.json");
    let saved = two_services("a", "b");
    event_architect::io::save(&path, &saved).unwrap();

    // An edit, then a second of quiet: one copy, not one a frame.
    let mut h = recovering_harness(saved.clone(), &path, &data);
    settle(&mut h);
    h.get_by_label("➕ Add service").click();
    h.run_steps(30);
    assert_eq!(
        h.state().recovery_copies_written(),
        0,
        "half a second after the edit"
    );
    h.run_steps(60);
    assert_eq!(h.state().recovery_copies_written(), 1);
    h.run_steps(120);
    assert_eq!(
        h.state().recovery_copies_written(),
        1,
        "no edit, no new copy"
    );
    h.get_by_label("➕ Add service").click();
    h.run_steps(90);
    assert_eq!(h.state().recovery_copies_written(), 2);
    let edited = h.state().design().clone();
    assert_eq!(edited.services.len(), 4);
    // The window goes away without saving (as in a crash: nothing asks).
    drop(h);
    assert_eq!(event_architect::io::load_path(&path).unwrap(), saved);

    // The next start offers the copy, says whose it is and when it was taken.
    let mut h = recovering_harness(saved.clone(), &path, &data);
    settle(&mut h);
    h.get_by_label("Recover unsaved work");
    h.get_by_label(&path.display().to_string());
    h.get_by_label_contains("copy taken");
    h.get_by_label_contains("just now");
    assert!(h.query_by_label_contains("changed on disk").is_none());
    h.get_by_label("Restore").click();
    settle(&mut h);
    assert_eq!(h.state().design(), &edited);
    assert_eq!(h.state().path(), Some(path.as_path()));
    assert!(
        h.state().is_dirty(),
        "restored changes are unsaved until saved"
    );
    assert!(h.state().status_text().unwrap().contains("Restored"));
    assert!(h.query_by_label("Recover unsaved work").is_none());
    // The restored design gets a copy of this session's at once; the old one goes.
    h.run_steps(2);
    assert_eq!(h.state().recovery_copies_written(), 1);
    let copies = event_architect::recovery::list(&data);
    assert!(
        copies.is_empty(),
        "this window's own copy is not offered: {copies:?}"
    );

    // A normal save removes the copy: the next start offers nothing.
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    settle(&mut h);
    assert!(!h.state().is_dirty());
    assert_eq!(event_architect::io::load_path(&path).unwrap(), edited);
    h.state().recovery_copies_written();
    drop(h);
    assert!(event_architect::recovery::list(&data).is_empty());
    let mut h = recovering_harness(edited.clone(), &path, &data);
    settle(&mut h);
    assert!(h.query_by_label("Recover unsaved work").is_none());
}

#[test]
fn a_recovery_copy_can_be_discarded_and_quit_discard_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let path = dir.path().join("d.json");
    let saved = two_services("a", "b");
    event_architect::io::save(&path, &saved).unwrap();
    let mut h = recovering_harness(saved.clone(), &path, &data);
    settle(&mut h);
    h.get_by_label("➕ Add service").click();
    h.run_steps(90);
    assert_eq!(h.state().recovery_copies_written(), 1);
    drop(h);
    // Someone changes the file after the copy was taken: the dialog says so.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();

    let mut h = recovering_harness(saved.clone(), &path, &data);
    settle(&mut h);
    h.get_by_label_contains("changed on disk after this copy was taken");
    h.get_by_label("Discard").click();
    settle(&mut h);
    assert_eq!(h.state().design(), &saved);
    assert!(h.query_by_label("Recover unsaved work").is_none());
    // An edit copied, then Quit › Discard: the copy goes with the changes.
    h.get_by_label("➕ Add service").click();
    h.run_steps(90);
    assert_eq!(h.state().recovery_copies_written(), 1);
    h.state_mut()
        .push_action(event_architect::gui::Action::Intent(
            event_architect::gui::Intent::Quit,
        ));
    settle(&mut h);
    h.get_by_label("Discard").click();
    settle(&mut h);
    h.state().recovery_copies_written();
    drop(h);
    assert!(event_architect::recovery::list(&data).is_empty());
}

#[test]
fn help_about_shows_version_commit_and_licence() {
    let mut h = harness(event_architect::builtin_design());
    settle(&mut h);
    assert!(h.query_by_label("MIT OR Apache-2.0").is_none());
    menu(&mut h, "Help", "About Event Architect");
    h.get_by_label(event_architect::build_info::VERSION);
    h.get_by_label(event_architect::build_info::COMMIT);
    h.get_by_label("MIT OR Apache-2.0");
    h.get_by_label("Close").click();
    settle(&mut h);
    assert!(h.query_by_label("MIT OR Apache-2.0").is_none(), "closed");
}

#[test]
fn save_into_a_folder_with_spaces_and_non_ascii_then_reopen_it_from_recent_files() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("My Designs").join("Zoë – 設計");
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("sign up & log in.json");
    let design = event_architect::builtin_design();
    let mut h = harness(design.clone());
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::S);
    settle(&mut h);
    type_path_and(&mut h, &path, "Save");
    assert_eq!(h.state().path(), Some(path.as_path()));
    assert_eq!(event_architect::io::load_path(&path).unwrap(), design);

    menu(&mut h, "File", "New");
    assert!(h.state().design().services.is_empty());
    h.get_by_label("File").click();
    settle(&mut h);
    h.get_by_label_contains("Open recent").click();
    settle(&mut h);
    h.get_by_label(&path.display().to_string()).click();
    settle(&mut h);
    assert_eq!(h.state().path(), Some(path.as_path()));
    assert_eq!(h.state().design(), &design);
}

#[test]
fn export_sam_template_writes_what_the_command_line_writes() {
    let dir = tempfile::tempdir().unwrap();
    let design = event_architect::builtin_design();
    let mut h = harness(design.clone());
    settle(&mut h);
    let path = dir.path().join("template.yaml");
    menu(&mut h, "File", "Export SAM template...");
    // The path field starts at a template, never at the design it would overwrite.
    let prefilled = h
        .get_by_label("Path")
        .accesskit_node()
        .value()
        .map(|v| v.to_string());
    assert!(
        prefilled
            .as_deref()
            .is_some_and(|p| p.ends_with("template.yaml")),
        "{prefilled:?}"
    );
    type_path_and(&mut h, &path, "Export");
    let expected = event_architect::template::export::export_sam(&design).to_yaml();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected);
    let status = h.state().status_text().unwrap();
    assert!(status.contains("Exported the SAM template"), "{status}");
    // A folder that does not exist: the error is shown, nothing is written.
    let nowhere = dir.path().join("missing/template.yaml");
    menu(&mut h, "File", "Export SAM template...");
    type_path_and(&mut h, &nowhere, "Export");
    assert!(!nowhere.exists());
    let status = h.state().status_text().unwrap();
    assert!(
        status.contains("Could not export the SAM template"),
        "{status}"
    );
}

/// a feeds a chain of three; s feeds only its end: by stage s's edge skips two columns.
fn chain_with_a_late_source() -> Design {
    let mut design = Design::new("Late source");
    for (k, id) in ["a", "b", "c", "e", "s"].into_iter().enumerate() {
        let mut s = Service::new(id, ServiceKind::Function);
        s.position = Some(event_architect::model::Position {
            x: 0.0,
            y: 140.0 * k as f32,
        });
        design.services.push(s);
    }
    for (from, to) in [("a", "b"), ("b", "c"), ("c", "e"), ("s", "e")] {
        design.connect(from, to, "E");
    }
    design
}

#[test]
fn auto_layout_compact_from_the_toolbar_and_by_stage_are_one_undo_step_each_and_keep_the_lanes() {
    let mut h = harness(chain_with_a_late_source());
    settle(&mut h);
    let x = |h: &Harness<'_, App>, id: &str| {
        let d = h.state().design();
        d.services[d.find(id).unwrap().index()].position.unwrap().x
    };
    let lane = |h: &Harness<'_, App>, k: usize| {
        let d = h.state().design();
        d.via(d.edges[k].uid).len()
    };
    menu(&mut h, "View", "Auto-layout by stage");
    assert!(h.state().is_dirty());
    // s sits in the first stage's column, and its edge keeps a lane through the two it skips.
    assert_eq!(x(&h, "s"), x(&h, "a"));
    assert_eq!(lane(&h, 3), 4);
    menu(&mut h, "View", "Auto-layout compact");
    assert_eq!(x(&h, "s"), x(&h, "c"), "s moves next to its subscriber");
    assert!(lane(&h, 3) == 0);
    menu(&mut h, "Edit", "Undo move");
    assert_eq!(x(&h, "s"), x(&h, "a"));
    assert_eq!(lane(&h, 3), 4, "undo puts the lane back");
    // The toolbar's Auto-layout is the compact one.
    h.get_by_label("Auto-layout").click();
    settle(&mut h);
    assert_eq!(x(&h, "s"), x(&h, "c"), "the toolbar lays out compact");
    menu(&mut h, "View", "Auto-layout by stage");
    // Laying out again where everything already is changes nothing.
    menu(&mut h, "View", "Auto-layout by stage");
    assert!(
        h.state()
            .status_text()
            .is_some_and(|s| s.contains("already in its place")),
        "{:?}",
        h.state().status_text()
    );
}
