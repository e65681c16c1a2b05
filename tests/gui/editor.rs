//! The editor driven the way a user drives it, by role and label: building a design from an
//! empty canvas, the inspector's editors, the dialogs, clipboard, search and keyboard.

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use event_architect::gui::App;
use event_architect::gui::theme::kind_icon;
use event_architect::model::{Behavior, Design, ServiceKind};
use event_architect::simulation::{Scenario, Simulation};

use super::{click_at, connect, harness, settle};

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
