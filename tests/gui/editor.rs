//! The editor driven the way a user drives it, by role and label: building a design from an
//! empty canvas, the inspector's editors, the dialogs, clipboard, search and keyboard.

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use event_architect::gui::App;
use event_architect::gui::theme::kind_icon;
use event_architect::model::{Behavior, Design, ServiceKind};
use event_architect::simulation::{Scenario, Simulation};

use super::{click_at, connect, drag_to_connect, harness, settle};

/// Replaces what a labelled field holds with `text` and presses Enter, as a user would.
fn retype(h: &mut Harness<'_, App>, label: &str, text: &str) {
    h.get_by_label(label).click();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
    h.key_press(Key::Enter);
    settle(h);
}

/// Opens a combo box by its label and picks an item.
fn choose(h: &mut Harness<'_, App>, combo: &str, item: &str) {
    h.get_by_label(combo).click();
    settle(h);
    // The item, not the toolbar's legend of the same text.
    h.get_by_role_and_label(Role::Button, item).click();
    settle(h);
}

fn select(h: &mut Harness<'_, App>, id: &str) {
    let at = h.state().service_screen_pos(id).expect("on screen");
    click_at(h, at);
}

/// Adds a service with the toolbar, then names it and sets its kind in the inspector.
fn add(h: &mut Harness<'_, App>, id: &str, kind: ServiceKind) {
    h.get_by_label("➕ Add service").click();
    settle(h);
    retype(h, "Id", id);
    if kind != ServiceKind::Function {
        choose(h, "Kind", &format!("{} {kind}", kind_icon(kind)));
    }
}

fn run_simulation(h: &mut Harness<'_, App>) {
    h.get_by_label("Simulation").click();
    settle(h);
    h.get_by_label("Run").click();
    h.run_steps(2);
    for _ in 0..1500 {
        h.step();
        if h.query_by_label_contains("finished").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    settle(h);
    assert!(
        h.query_by_label_contains("finished").is_some(),
        "the run did not finish"
    );
}

/// (route, status, body) of every response.
fn results(simulation: &Simulation) -> Vec<(String, u16, serde_json::Value)> {
    simulation
        .responses()
        .map(|r| (r.route.to_string(), r.status, r.body.clone()))
        .collect()
}

#[test]
fn a_design_drawn_from_an_empty_canvas_simulates_like_the_builtin_one() {
    let mut h = harness(Design::new("Drawn by hand"));
    settle(&mut h);
    add(&mut h, "gateway", ServiceKind::Gateway);
    add(&mut h, "register", ServiceKind::Function);
    add(&mut h, "login", ServiceKind::Function);
    add(&mut h, "users", ServiceKind::Table);
    let ids: Vec<&str> = h
        .state()
        .design()
        .services
        .iter()
        .map(|s| s.id.as_str())
        .collect();
    assert_eq!(ids, ["gateway", "register", "login", "users"]);

    connect(&mut h, "gateway", "register", "RegisterRequested");
    connect(&mut h, "gateway", "login", "LoginRequested");
    connect(&mut h, "register", "users", "PutUser");
    connect(&mut h, "login", "users", "GetUser");
    assert_eq!(h.state().design().edges.len(), 4);

    // Routes: each new route is offered the next event the gateway's edges carry.
    select(&mut h, "gateway");
    h.get_by_label("➕ Add route").click();
    settle(&mut h);
    h.get_by_label("➕ Add route").click();
    settle(&mut h);
    retype(&mut h, "Route 1", "POST /register");
    retype(&mut h, "Route 2", "POST /login");

    // Behaviours.
    select(&mut h, "register");
    choose(&mut h, "Behaviour", "register: store a new user");
    select(&mut h, "login");
    choose(&mut h, "Behaviour", "login: check a password");

    let design = h.state().design().clone();
    let gateway = &design.services[0];
    let routes: Vec<(&str, &str)> = gateway
        .routes
        .iter()
        .map(|r| (r.route.as_str(), r.event.as_str()))
        .collect();
    assert_eq!(
        routes,
        [
            ("POST /register", "RegisterRequested"),
            ("POST /login", "LoginRequested")
        ]
    );
    assert_eq!(design.services[1].behavior, Some(Behavior::Register));
    assert_eq!(design.services[2].behavior, Some(Behavior::Login));

    run_simulation(&mut h);
    let drawn = results(h.state().simulation().expect("a simulation"));
    let mut builtin =
        Simulation::new(&event_architect::builtin_design(), Scenario::builtin()).unwrap();
    builtin.run_to_end();
    assert_eq!(drawn, results(&builtin));
    let statuses: Vec<u16> = drawn.iter().map(|r| r.1).collect();
    assert_eq!(statuses, [201, 409, 400, 401, 401, 200]);
    assert!(h.query_by_label_contains("409 Conflict").is_some());
}

/// Three placed functions in a row: a -> b -> c.
pub(super) fn row_of_three() -> Design {
    let mut design = Design::new("Row");
    for (id, x) in [("a", 0.0), ("b", 260.0), ("c", 520.0)] {
        let mut s = event_architect::model::Service::new(id, ServiceKind::Function);
        s.position = Some(event_architect::model::Position { x, y: 0.0 });
        design.add_service(s);
    }
    design.connect("a", "b", "AB");
    design.connect("b", "c", "BC");
    design
}

#[test]
fn properties_are_typed_and_refused_values_change_nothing() {
    let mut h = harness(row_of_three());
    settle(&mut h);
    select(&mut h, "a");
    retype(&mut h, "memory_mb", "512");
    let props = |h: &Harness<'_, App>| h.state().design().services[0].properties.to_map();
    assert_eq!(props(&h).get("memory_mb"), Some(&serde_json::json!(512)));
    assert!(h.state().is_dirty());

    // Not a number: refused with a message, the value stays.
    retype(&mut h, "memory_mb", "lots");
    assert_eq!(props(&h).get("memory_mb"), Some(&serde_json::json!(512)));
    // On the status line and under the field.
    assert_eq!(
        h.query_all_by_label_contains("is not a whole number")
            .count(),
        2
    );
    // Out of range: the command refuses it and says the range.
    retype(&mut h, "memory_mb", "99999");
    assert_eq!(props(&h).get("memory_mb"), Some(&serde_json::json!(512)));
    assert!(
        h.state()
            .status_text()
            .is_some_and(|s| s.contains("out of range"))
    );

    // Any other key goes in the key/value table, JSON when it reads as JSON.
    retype(&mut h, "New key", "Tracing");
    retype(&mut h, "value", "Active");
    h.get_by_label("Add property").click();
    settle(&mut h);
    retype(&mut h, "New key", "Tags");
    retype(&mut h, "value", r#"{"team": "accounts"}"#);
    h.get_by_label("Add property").click();
    settle(&mut h);
    assert_eq!(props(&h).get("Tracing"), Some(&serde_json::json!("Active")));
    assert_eq!(
        props(&h).get("Tags"),
        Some(&serde_json::json!({"team": "accounts"}))
    );
    retype(&mut h, "Tracing", "PassThrough");
    assert_eq!(
        props(&h).get("Tracing"),
        Some(&serde_json::json!("PassThrough"))
    );
    h.get_by_label("Remove Tracing").click();
    settle(&mut h);
    assert_eq!(props(&h).get("Tracing"), None);

    // Each change was one undo step: 512, Tracing, Tags, PassThrough, the removal.
    for _ in 0..5 {
        h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
        settle(&mut h);
    }
    assert_eq!(h.state().design(), &row_of_three());
}

#[test]
fn an_edges_filter_and_mode_are_edited_in_the_inspector() {
    let mut h = harness(row_of_three());
    settle(&mut h);
    // Click the middle of the edge a -> b (the boxes sit on one row).
    let a = h.state().handle_screen_pos("a").unwrap();
    let b = h.state().service_screen_pos("b").unwrap();
    click_at(&mut h, egui::pos2(a.x + (b.x - a.x) * 0.3, a.y));
    assert!(
        h.query_by_label("Key prefix").is_some(),
        "the edge inspector is open"
    );
    retype(&mut h, "Key prefix", "uploads/");
    choose(&mut h, "Mode", "sync (a direct call)");
    let edge = |h: &Harness<'_, App>| h.state().design().edges[0].clone();
    let filter = edge(&h).filter.expect("a filter");
    assert_eq!(filter.prefix.as_deref(), Some("uploads/"));
    assert_eq!(edge(&h).mode, event_architect::model::EdgeMode::Sync);

    // A pattern that is not JSON is refused and named; a good one is kept.
    h.get_by_label("Event pattern (JSON)").click();
    h.step();
    h.get_by_label("Event pattern (JSON)").type_text("{detail");
    h.step();
    h.get_by_label("Key suffix").click(); // focus leaves the pattern: it is committed
    settle(&mut h);
    assert!(h.query_by_label_contains("not JSON").is_some());
    assert!(edge(&h).filter.unwrap().pattern.is_none());
    h.get_by_label("Event pattern (JSON)").click();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label("Event pattern (JSON)")
        .type_text(r#"{"detail": {"status": ["paid"]}}"#);
    h.step();
    h.get_by_label("Key suffix").click();
    settle(&mut h);
    let filter = edge(&h).filter.unwrap();
    assert_eq!(
        filter.pattern.unwrap().as_str(),
        r#"{"detail":{"status":["paid"]}}"#
    );
}

#[test]
fn several_services_change_kind_together_in_one_undo_step() {
    let mut h = harness(row_of_three());
    settle(&mut h);
    let empty = h.state().canvas_rect().center_bottom() - egui::vec2(0.0, 20.0);
    click_at(&mut h, empty);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    settle(&mut h);
    assert_eq!(h.state().selected_services().len(), 3);
    h.get_by_label("3 services selected");
    choose(
        &mut h,
        "Kind of all",
        &format!("{} queue", kind_icon(ServiceKind::Queue)),
    );
    let kinds: Vec<ServiceKind> = h.state().design().services.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [ServiceKind::Queue; 3]);
    retype(&mut h, "Key", "fifo");
    retype(&mut h, "Value", "true");
    h.get_by_label("Set on all").click();
    settle(&mut h);
    assert!(
        h.state()
            .design()
            .services
            .iter()
            .all(|s| s.properties.get("fifo") == Some(serde_json::json!(true)))
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(
        h.state().design(),
        &row_of_three(),
        "two steps took everything back"
    );
}

#[test]
fn typing_an_event_name_replaces_the_suggestion_and_suggestions_follow_the_text() {
    let mut design = row_of_three();
    design.connect("a", "c", "JobDone");
    let mut h = harness(design);
    settle(&mut h);
    // b already publishes BC: the dialog suggests it, selected.
    drag_to_connect(&mut h, "b", "a");
    h.get_by_label("Event name");
    // Every event of the design is offered before anything is typed.
    for event in ["AB", "BC", "JobDone"] {
        assert!(
            h.query_by_role_and_label(Role::Button, event).is_some(),
            "{event}"
        );
    }
    h.get_by_label("Event name").type_text("Job");
    settle(&mut h);
    assert!(h.query_by_role_and_label(Role::Button, "JobDone").is_some());
    assert!(
        h.query_by_role_and_label(Role::Button, "AB").is_none(),
        "filtered out"
    );
    h.get_by_label("Event name").type_text("Queued");
    h.step();
    h.key_press(Key::Enter);
    settle(&mut h);
    let design = h.state().design();
    let last = design.edges.last().unwrap();
    assert_eq!(
        &*last.event, "JobQueued",
        "typing replaced the suggested BC"
    );
    assert_eq!((design.id(last.from), design.id(last.to)), ("b", "a"));
}

#[test]
fn copy_paste_and_duplicate_make_unique_copies_with_their_edges() {
    let mut h = harness(row_of_three());
    settle(&mut h);
    select(&mut h, "a");
    // Shift-click adds b.
    let b = h.state().service_screen_pos("b").unwrap();
    h.event(egui::Event::ModifiersChanged(Modifiers::SHIFT));
    h.step();
    click_at(&mut h, b);
    h.event(egui::Event::ModifiersChanged(Modifiers::NONE));
    h.step();
    assert_eq!(h.state().selected_services().len(), 2);
    h.key_press_modifiers(Modifiers::COMMAND, Key::C);
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::V);
    settle(&mut h);
    let ids = |h: &Harness<'_, App>| -> Vec<String> {
        h.state()
            .design()
            .services
            .iter()
            .map(|s| s.id.clone())
            .collect()
    };
    assert_eq!(ids(&h), ["a", "b", "c", "a-copy", "b-copy"]);
    let design = h.state().design();
    let copied = design.edges.last().unwrap();
    assert_eq!(
        (design.id(copied.from), design.id(copied.to)),
        ("a-copy", "b-copy")
    );
    assert_eq!(
        design.edges.len(),
        3,
        "only the edge between the copies is copied"
    );
    // The copies are selected: Ctrl+D duplicates them again.
    h.key_press_modifiers(Modifiers::COMMAND, Key::D);
    settle(&mut h);
    assert_eq!(ids(&h)[5..], ["a-copy-2", "b-copy-2"]);
    let a2 = &h.state().design().services[5];
    let a = &h.state().design().services[0];
    assert!(a2.position.unwrap().x > a.position.unwrap().x);
    // Each was one undo step.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(h.state().design(), &row_of_three());
    // The Edit menu shows the shortcuts.
    h.get_by_label("Edit").click();
    settle(&mut h);
    let duplicate = h.get_by_label("Duplicate");
    let keys = duplicate
        .accesskit_node()
        .description()
        .map(|d| d.to_string());
    assert!(
        matches!(keys.as_deref(), Some("Ctrl+D" | "⌘D")),
        "the menu shows the shortcut: {keys:?}"
    );
}

#[test]
fn arrow_keys_nudge_the_selection_and_a_run_of_presses_is_one_undo_step() {
    let mut h = harness(row_of_three());
    settle(&mut h);
    select(&mut h, "b");
    for _ in 0..3 {
        h.key_press(Key::ArrowRight);
        h.step();
    }
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowDown);
    settle(&mut h);
    let p = h.state().design().services[1].position.unwrap();
    assert_eq!((p.x, p.y), (290.0, 50.0));
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(h.state().design(), &row_of_three());
}

#[test]
fn search_finds_by_id_name_or_event_and_steps_through_the_results() {
    let mut h = harness(row_of_three());
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    settle(&mut h);
    h.get_by_label("Search").type_text("bc");
    settle(&mut h);
    // "BC" is carried by b -> c: both match, the first is selected and framed.
    assert!(h.query_by_label("1 of 2").is_some());
    let uid = |h: &Harness<'_, App>, id: &str| {
        let d = h.state().design();
        d.uid(d.find(id).unwrap())
    };
    assert_eq!(h.state().selected_services(), [uid(&h, "b")]);
    h.key_press(Key::Enter);
    settle(&mut h);
    assert!(h.query_by_label("2 of 2").is_some());
    assert_eq!(h.state().selected_services(), [uid(&h, "c")]);
    h.get_by_label("Next ▶").click();
    settle(&mut h);
    assert_eq!(
        h.state().selected_services(),
        [uid(&h, "b")],
        "it wraps around"
    );
    h.key_press(Key::Escape);
    settle(&mut h);
    assert!(
        h.query_by_label("Search").is_none(),
        "Escape closes the bar"
    );
}

#[test]
fn focus_keeps_what_the_selection_reaches_within_n_hops() {
    let mut h = harness(row_of_three());
    settle(&mut h);
    select(&mut h, "a");
    h.get_by_label("View").click();
    settle(&mut h);
    h.get_by_label("Focus on the selection").click();
    settle(&mut h);
    assert!(
        h.query_by_label("Focus: 2 of 3 services within 1 hop of a")
            .is_some()
    );
    assert_eq!(
        h.state_mut().dimmed_services(),
        ["c"],
        "the canvas fades the rest"
    );
    h.get_by_label("View").click();
    settle(&mut h);
    h.get_by_label("Show everything").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("Focus:").is_none());
    assert!(h.state_mut().dimmed_services().is_empty());
}

#[test]
fn the_path_field_starts_in_the_files_folder_and_enter_saves() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.json");
    event_architect::io::save(&first, &row_of_three()).unwrap();
    let design = event_architect::io::load_path(&first).unwrap();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_eframe(move |_cc| App::with_design(design, Some(first.clone())));
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::O);
    settle(&mut h);
    let field = h.get_by_label("Path");
    let start = field
        .accesskit_node()
        .value()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        std::path::PathBuf::from(&start),
        dir.path().join(""),
        "Open starts in the current file's folder"
    );
    h.key_press(Key::Escape);
    settle(&mut h);
    assert!(h.query_by_label("Path").is_none(), "Escape cancels");

    // Save as: the field holds the current path; typing a new name and Enter saves there,
    // without clicking the field first.
    h.key_press_modifiers(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
    settle(&mut h);
    let save_button = h.get_by_label("Save").rect();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    let second = dir.path().join("second.json");
    h.get_by_label("Path")
        .type_text(&second.display().to_string());
    h.step();
    h.key_press(Key::Enter);
    settle(&mut h);
    assert!(second.exists(), "Enter saved");
    assert_eq!(h.state().path(), Some(second.as_path()));

    // An empty path shows a message under the buttons: the buttons stay put.
    h.key_press_modifiers(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S);
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.key_press(Key::Backspace);
    h.step();
    h.get_by_label("Save").click();
    settle(&mut h);
    assert!(h.query_by_label("Type a file path first.").is_some());
    assert_eq!(h.get_by_label("Save").rect(), save_button);
}

#[test]
fn the_inspector_follows_a_selection_made_while_another_field_has_the_keyboard() {
    let mut h = harness(row_of_three());
    settle(&mut h);
    select(&mut h, "c");
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    settle(&mut h);
    // The search field keeps the keyboard while its results select services.
    h.get_by_label("Search").type_text("a");
    settle(&mut h);
    let design = h.state().design();
    assert_eq!(
        h.state().selected_services(),
        [design.uid(design.find("a").unwrap())]
    );
    let id = h.get_by_label("Id");
    assert_eq!(
        id.accesskit_node().value().as_deref(),
        Some("a"),
        "not c's draft"
    );
}

#[test]
fn view_theme_switches_between_light_and_dark() {
    let mut h = harness(row_of_three());
    settle(&mut h);
    for (item, theme) in [("Light", egui::Theme::Light), ("Dark", egui::Theme::Dark)] {
        super::look::choose_theme(&mut h, item);
        assert_eq!(h.ctx.theme(), theme, "{item}");
        assert_eq!(
            event_architect::gui::theme::palette(&h.ctx).light,
            item == "Light"
        );
    }
}
