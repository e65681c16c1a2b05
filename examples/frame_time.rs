//! CPU time of one frame of the designer window, release build, headless: the real [`App`]
//! driven through `egui::Context::run_ui`, then tessellated, with every service in view (the
//! camera fitted to the whole design) on a generated layered design. Edges are drawn along
//! their routes and labels where the geometry placed them (routed once, when the design opens).
//!
//! ```text
//! cargo run --release --example frame_time -- [1000 5000 20000] [--frames 60]
//! ```
//!
//! Prints, per size, the median and 90th percentile of the UI pass, the tessellation and their
//! sum, for the fitted view and for 30% and 100% zoom views (text drawn); and the time to open the
//! design from a file.

use std::sync::Arc;
use std::time::Instant;

use egui::{Pos2, RawInput, Rect, vec2};
use event_architect::gui::{Action, App};
use event_architect::model::{Design, EventEdge, Service, ServiceIndex, ServiceKind};

/// A layered design: about sqrt(n/2) layers, each service fed by one or two services of the
/// layer before it. Deterministic.
fn layered(n: usize) -> Design {
    let layers = ((n as f64 / 2.0).sqrt().ceil() as usize).max(2);
    let per_layer = n.div_ceil(layers);
    let mut design = Design::new(format!("generated {n}"));
    for i in 0..n {
        let kind = ServiceKind::ALL[i % ServiceKind::ALL.len()];
        let mut s = Service::new(format!("s{i}"), kind);
        s.name = format!("Service number {i}");
        design.services.push(s);
    }
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in per_layer..n {
        let layer = i / per_layer;
        let base = (layer - 1) * per_layer;
        for _ in 0..(1 + (next() % 2) as usize) {
            let from = base + (next() as usize % per_layer);
            design.edges.push(EventEdge::new(
                ServiceIndex(from as u32),
                ServiceIndex(i as u32),
                Arc::<str>::from(format!("S{from}Done")),
            ));
        }
    }
    design
}

fn input(size: egui::Vec2, pointer: Pos2) -> RawInput {
    RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, size)),
        events: vec![egui::Event::PointerMoved(pointer)],
        ..RawInput::default()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// One untimed frame, tessellated as a backend would.
fn frame(app: &mut App, ctx: &egui::Context) {
    let output = ctx.run_ui(input(vec2(1600.0, 1000.0), Pos2::new(700.0, 500.0)), |ui| {
        app.frame_ui(ui)
    });
    ctx.tessellate(output.shapes, output.pixels_per_point);
}

/// Prints one row: median / p90 of each part of a frame, as [`measure`] returns them.
fn report(n: usize, view: &str, ([ui, tess, total], vertices): ([(f64, f64); 3], usize)) {
    println!(
        "{n:>6} services, {view}: ui {:.2}/{:.2}  tessellate {:.2}/{:.2}  total {:.2}/{:.2}  ({vertices} vertices)",
        ui.0, ui.1, tess.0, tess.1, total.0, total.1
    );
}

fn measure(app: &mut App, ctx: &egui::Context, frames: usize) -> ([(f64, f64); 3], usize) {
    let size = vec2(1600.0, 1000.0);
    let pointer = Pos2::new(700.0, 500.0);
    let (mut ui_ms, mut tess_ms, mut total_ms) = (Vec::new(), Vec::new(), Vec::new());
    let mut vertices = 0;
    for _ in 0..frames {
        let t0 = Instant::now();
        let output = ctx.run_ui(input(size, pointer), |ui| app.frame_ui(ui));
        let t1 = Instant::now();
        let meshes = ctx.tessellate(output.shapes, output.pixels_per_point);
        let t2 = Instant::now();
        vertices = meshes
            .iter()
            .map(|m| match &m.primitive {
                egui::epaint::Primitive::Mesh(mesh) => mesh.vertices.len(),
                egui::epaint::Primitive::Callback(_) => 0,
            })
            .sum();
        ui_ms.push((t1 - t0).as_secs_f64() * 1e3);
        tess_ms.push((t2 - t1).as_secs_f64() * 1e3);
        total_ms.push((t2 - t0).as_secs_f64() * 1e3);
    }
    let times = [ui_ms, tess_ms, total_ms].map(|mut v| {
        v.sort_by(f64::total_cmp);
        (percentile(&v, 0.5), percentile(&v, 0.9))
    });
    (times, vertices)
}

fn main() {
    let mut sizes = Vec::new();
    let mut frames = 60;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--frames" {
            frames = args.next().and_then(|f| f.parse().ok()).unwrap_or(frames);
        } else if let Ok(n) = arg.parse() {
            sizes.push(n);
        }
    }
    if sizes.is_empty() {
        sizes = vec![1000, 5000, 20000];
    }
    println!("frame CPU time, ms (median / p90), viewport 1600x1000, {frames} frames");
    for n in sizes {
        // Opening: read and validate the file, analyse, build the view model, first frame.
        let file = std::env::temp_dir().join(format!("frame_time_{n}.json"));
        if let Err(error) = event_architect::io::save(&file, &layered(n)) {
            eprintln!("cannot write {}: {error}", file.display());
            return;
        }
        let ctx = egui::Context::default();
        let opened = Instant::now();
        let design = match event_architect::io::load_path(&file) {
            Ok(design) => design,
            Err(error) => {
                eprintln!("{error}");
                return;
            }
        };
        let mut app = App::with_design(design, None);
        frame(&mut app, &ctx);
        println!(
            "{n:>6} services: open (load + analyse + view model + first frame) {:.1} ms",
            opened.elapsed().as_secs_f64() * 1e3
        );
        let _ = std::fs::remove_file(&file);
        // A design opens readable (first stage); measure everything in view: Fit.
        app.push_action(Action::Fit);
        // Warm up: fit, lay out, fill the font caches.
        for _ in 0..5 {
            frame(&mut app, &ctx);
        }
        let zoom = app.zoom();
        let view = format!("all in view (zoom {:>3.0}%)", zoom * 100.0);
        report(n, &view, measure(&mut app, &ctx, frames));
        for zoom in [0.3, 1.0] {
            app.push_action(Action::ZoomTo(zoom));
            for _ in 0..3 {
                frame(&mut app, &ctx);
            }
            let view = format!("zoom {:>3.0}% (boxes with text)", zoom * 100.0);
            report(n, &view, measure(&mut app, &ctx, frames));
        }
    }
}
