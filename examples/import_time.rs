//! Imports every template in a folder, in one process, and reports the median time of a round.
//!
//! `cargo run --release --example import_time -- FOLDER [--rounds N] [--list]`
//!
//! `--list` prints each template's summary (or its error) once. The README's import time comes
//! from this run on the real templates the issue names (not part of the repository).

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut folder = None;
    let mut rounds = 21usize;
    let mut list = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--rounds" => rounds = args.next().and_then(|n| n.parse().ok()).unwrap_or(rounds),
            "--list" => list = true,
            other => folder = Some(other.to_owned()),
        }
    }
    let Some(folder) = folder else {
        eprintln!("usage: import_time FOLDER [--rounds N] [--list]");
        std::process::exit(2);
    };
    let mut templates: Vec<(String, String)> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| {
            eprintln!("cannot read {folder}: {error}");
            std::process::exit(2);
        })
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("yaml" | "yml" | "json" | "template")
            )
        })
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            Some((path.file_name()?.to_string_lossy().into_owned(), text))
        })
        .collect();
    templates.sort();
    if list {
        for (name, text) in &templates {
            match event_architect::template::import(text, name) {
                Ok(imported) => println!("{name}: {}", imported.summary),
                Err(error) => println!("{error}"),
            }
        }
    }
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        let mut edges = 0;
        for (name, text) in &templates {
            if let Ok(imported) = event_architect::template::import(text, name) {
                edges += imported.design.edges.len();
            }
        }
        std::hint::black_box(edges);
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "{} templates, {rounds} rounds: median {:.2} ms a round ({:.3} ms a template), min {:.2} ms, max {:.2} ms",
        templates.len(),
        median.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3 / templates.len().max(1) as f64,
        times[0].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
    );
}
