//! The canvas driven like a user drives it (egui_kittest): self-loops, snapping, zoom buttons,
//! opening readable, counts in words.

#![cfg(feature = "gui")]

use egui::{Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use event_architect::gui::App;
use event_architect::model::{Design, Position, Service, ServiceKind};

fn harness(design: Design) -> Harness<'static, App> {
    Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .with_step_dt(1.0 / 60.0)
        .build_eframe(move |_cc| App::with_design(design, None))
}

fn settle(h: &mut Harness<'_, App>) {
    h.run_steps(4);
}

fn placed(ids: &[&str]) -> Design {
    let mut design = Design::new("Test");
    for (i, id) in ids.iter().enumerate() {
        let mut s = Service::new(*id, ServiceKind::Function);
        s.position = Some(Position {
            x: 300.0 * i as f32,
            y: 0.0,
        });
        design.services.push(s);
    }
    design
}

/// A primary-button drag from `from` to `to` in a few pointer moves.
fn drag(h: &mut Harness<'_, App>, from: Pos2, to: Pos2) {
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for k in 1..=6 {
        h.hover_at(from + (to - from) * (k as f32 / 6.0));
        h.step();
    }
    h.drop_at(to);
    settle(h);
}

#[test]
fn dropping_a_connection_on_its_own_box_makes_a_self_loop() {
    let mut h = harness(placed(&["poller", "other"]));
    settle(&mut h);
    let handle = h.state().handle_screen_pos("poller").unwrap();
    let center = h.state().service_screen_pos("poller").unwrap();
    drag(&mut h, handle, center);
    h.get_by_label("Event name").type_text("PollAgain");
    h.step();
    h.get_by_label("Connect").click();
    settle(&mut h);
    let design = h.state().design();
    assert_eq!(design.edges.len(), 1);
    let edge = &design.edges[0];
    assert_eq!(
        (design.id(edge.from), design.id(edge.to)),
        ("poller", "poller")
    );
    assert_eq!(h.state().analysis().cycles.len(), 1);
}

#[test]
fn a_dropped_box_lands_on_the_grid_unless_snapping_is_off() {
    let mut h = harness(placed(&["a", "b"]));
    settle(&mut h);
    let from = h.state().service_screen_pos("a").unwrap();
    drag(&mut h, from, from + vec2(37.0, 53.0));
    let p = h.state().design().services[0].position.unwrap();
    assert!(p.x != 0.0 || p.y != 0.0, "it moved: {p:?}");
    assert_eq!((p.x % 20.0, p.y % 20.0), (0.0, 0.0), "{p:?}");

    h.get_by_label("View").click();
    settle(&mut h);
    h.get_by_label("Snap to grid").click();
    settle(&mut h);
    h.key_press(egui::Key::Escape);
    settle(&mut h);
    let from = h.state().service_screen_pos("b").unwrap();
    drag(&mut h, from, from + vec2(37.0, 53.0));
    let q = h.state().design().services[1].position.unwrap();
    assert!(q.x % 20.0 != 0.0 || q.y % 20.0 != 0.0, "{q:?}");
}

#[test]
fn zoom_buttons_step_the_zoom_and_100_resets_it() {
    let mut h = harness(placed(&["a", "b"]));
    settle(&mut h);
    let before = h.state().zoom();
    h.get_by_label("+").click();
    settle(&mut h);
    assert!(
        (h.state().zoom() - before * 1.25).abs() < 1e-3,
        "{}",
        h.state().zoom()
    );
    h.get_by_label("−").click();
    h.step();
    h.get_by_label("−").click();
    settle(&mut h);
    assert!(h.state().zoom() < before);
    h.get_by_label("100%").click();
    settle(&mut h);
    assert!((h.state().zoom() - 1.0).abs() < 1e-4);
}

#[test]
fn a_long_design_opens_readable_and_fit_still_shows_all_of_it() {
    // A chain of 40 stages: fitting it all would cut every name.
    let ids: Vec<String> = (0..40).map(|i| format!("s{i}")).collect();
    let mut design = Design::new("Chain");
    for id in &ids {
        design
            .services
            .push(Service::new(id, ServiceKind::Function));
    }
    for w in ids.windows(2) {
        design.connect(&w[0], &w[1], "Next");
    }
    let mut h = harness(design);
    settle(&mut h);
    assert!(h.state().zoom() >= 0.7, "opened at {}", h.state().zoom());
    // The first stage is on screen, inside the canvas.
    let first = h.state().service_screen_pos("s0").unwrap();
    assert!(h.state().canvas_rect().contains(first), "{first:?}");
    h.get_by_label("Fit").click();
    settle(&mut h);
    assert!(h.state().zoom() < 0.3, "fit at {}", h.state().zoom());
    let last = h.state().service_screen_pos("s39").unwrap();
    assert!(h.state().canvas_rect().contains(last));
}

#[test]
fn a_first_stage_taller_than_the_view_opens_at_its_top() {
    // 40 sources feed the head of a 30-stage chain: the first column is far taller than the
    // view, and fitting everything would cut every name.
    let mut design = Design::new("Tall start");
    let sources: Vec<String> = (0..40).map(|i| format!("src{i}")).collect();
    let chain: Vec<String> = (0..30).map(|i| format!("c{i}")).collect();
    for id in sources.iter().chain(&chain) {
        design
            .services
            .push(Service::new(id, ServiceKind::Function));
    }
    for id in &sources {
        design.connect(id, &chain[0], "Go");
    }
    for w in chain.windows(2) {
        design.connect(&w[0], &w[1], "Next");
    }
    let mut h = harness(design);
    settle(&mut h);
    assert!(h.state().zoom() >= 0.7, "opened at {}", h.state().zoom());
    let top = sources
        .iter()
        .filter_map(|id| h.state().service_screen_pos(id))
        .min_by(|a, b| a.y.total_cmp(&b.y))
        .unwrap();
    assert!(h.state().canvas_rect().contains(top), "{top:?}");
}

#[test]
fn one_stage_is_said_in_the_singular() {
    let mut h = harness(placed(&["only"]));
    settle(&mut h);
    h.get_by_label("1 service · 0 edges · 1 stage");
}

#[test]
fn export_picture_writes_what_the_canvas_shows_as_svg_and_png() {
    let design = event_architect::builtin_design();
    let mut h = harness(design.clone());
    settle(&mut h);
    let dir = tempfile::tempdir().unwrap();
    for name in ["design.svg", "design.png"] {
        let path = dir.path().join(name);
        h.get_by_label("File").click();
        settle(&mut h);
        h.get_by_label("Export picture...").click();
        settle(&mut h);
        let field = h.get_by_label("Path");
        field.focus();
        h.step();
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        h.step();
        h.get_by_label("Path")
            .type_text(&path.display().to_string());
        h.step();
        h.get_by_label("Export").click();
        settle(&mut h);
        let bytes = std::fs::read(&path).unwrap();
        if name.ends_with(".svg") {
            let svg = String::from_utf8(bytes).unwrap();
            for s in &design.services {
                assert!(svg.contains(&format!("class=\"service\" data-id=\"{}\"", s.id)));
            }
            assert_eq!(svg.matches("class=\"edge\" ").count(), design.edges.len());
        } else {
            assert_eq!(&bytes[..4], b"\x89PNG");
        }
        assert!(h.state().status_text().unwrap().contains("Exported the"));
    }
}
