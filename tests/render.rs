//! `event-architect render`: the SVG contract tools read, the zero-overlap rules checked on the
//! SVG itself (box overlaps, label overlaps, edges through boxes), PNG output, exit codes.
//!
//! The checks parse the SVG the binary wrote and measure it independently of the geometry code.

mod common;

use std::sync::Arc;

use common::{run, sample, text};
use event_architect::model::{Design, EventEdge, Service, ServiceIndex, ServiceKind};

#[derive(Debug, Clone, Copy)]
struct Box2 {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Box2 {
    fn overlaps(&self, o: &Box2) -> bool {
        let w = self.x1.min(o.x1) - self.x0.max(o.x0);
        let h = self.y1.min(o.y1) - self.y0.max(o.y0);
        w > 1.0 && h > 1.0
    }

    fn shrink(&self, m: f64) -> Box2 {
        Box2 {
            x0: self.x0 + m,
            y0: self.y0 + m,
            x1: self.x1 - m,
            y1: self.y1 - m,
        }
    }

    fn contains(&self, (x, y): (f64, f64)) -> bool {
        self.x0 < x && x < self.x1 && self.y0 < y && y < self.y1
    }
}

/// An edge of the SVG: from, to, event, and the points of its path (curves sampled).
type ParsedEdge = (String, String, String, Vec<(f64, f64)>);

struct Parsed {
    boxes: Vec<(String, Box2)>,
    edges: Vec<ParsedEdge>,
    labels: Vec<Box2>,
}

fn rect_of(node: roxmltree::Node) -> Box2 {
    let f = |name: &str| node.attribute(name).unwrap().parse::<f64>().unwrap();
    let (x, y) = (f("x"), f("y"));
    Box2 {
        x0: x,
        y0: y,
        x1: x + f("width"),
        y1: y + f("height"),
    }
}

/// The points of path data, asserting it uses absolute M, L and C only; curves sampled.
fn path_points(d: &str) -> Vec<(f64, f64)> {
    let mut tokens = Vec::new();
    for part in d.split([' ', ',']).filter(|p| !p.is_empty()) {
        let (head, rest) =
            part.split_at(part.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(0));
        if !head.is_empty() {
            assert!(matches!(head, "M" | "L" | "C"), "command {head} in {d}");
            tokens.push(head.to_owned());
        }
        if !rest.is_empty() {
            tokens.push(rest.to_owned());
        }
    }
    let mut points: Vec<(f64, f64)> = Vec::new();
    let mut i = 0;
    let num = |t: &str| t.parse::<f64>().unwrap();
    let mut command = String::new();
    while i < tokens.len() {
        if tokens[i].chars().all(|c| c.is_ascii_alphabetic()) {
            command = tokens[i].clone();
            i += 1;
            continue;
        }
        match command.as_str() {
            "M" | "L" => {
                points.push((num(&tokens[i]), num(&tokens[i + 1])));
                i += 2;
            }
            "C" => {
                let p0 = *points.last().expect("C after a point");
                let c: Vec<f64> = (0..6).map(|k| num(&tokens[i + k])).collect();
                for s in 1..=12 {
                    let t = s as f64 / 12.0;
                    let u = 1.0 - t;
                    let (a, b, cc, dd) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
                    points.push((
                        a * p0.0 + b * c[0] + cc * c[2] + dd * c[4],
                        a * p0.1 + b * c[1] + cc * c[3] + dd * c[5],
                    ));
                }
                i += 6;
            }
            other => panic!("numbers without a command ({other}) in {d}"),
        }
    }
    points
}

fn parse(svg: &str) -> Parsed {
    let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
    let mut parsed = Parsed {
        boxes: Vec::new(),
        edges: Vec::new(),
        labels: Vec::new(),
    };
    for g in doc.descendants().filter(|n| n.has_tag_name("g")) {
        let class = g.attribute("class").unwrap_or("");
        let first = |tag: &str| g.descendants().find(|n| n.has_tag_name(tag));
        match class {
            "service" => {
                let rect = first("rect").expect("a service's box");
                parsed
                    .boxes
                    .push((g.attribute("data-id").unwrap().to_owned(), rect_of(rect)));
            }
            "edge" => {
                let paths: Vec<_> = g.children().filter(|n| n.has_tag_name("path")).collect();
                assert_eq!(paths.len(), 1, "one path per edge");
                parsed.edges.push((
                    g.attribute("data-from").unwrap().to_owned(),
                    g.attribute("data-to").unwrap().to_owned(),
                    g.attribute("data-event").unwrap().to_owned(),
                    path_points(paths[0].attribute("d").unwrap()),
                ));
            }
            "edge-label" => {
                assert!(first("text").is_some(), "a label's text");
                parsed
                    .labels
                    .push(rect_of(first("rect").expect("a label's rect")));
            }
            _ => {}
        }
    }
    parsed
}

/// (box overlaps, label overlaps with labels or boxes, edges through boxes not their ends).
fn violations(p: &Parsed) -> (usize, usize, usize) {
    let mut boxes = 0;
    for (i, a) in p.boxes.iter().enumerate() {
        boxes += p.boxes[i + 1..]
            .iter()
            .filter(|b| a.1.overlaps(&b.1))
            .count();
    }
    let mut labels = 0;
    for (i, a) in p.labels.iter().enumerate() {
        labels += p.labels[i + 1..].iter().filter(|b| a.overlaps(b)).count();
        labels += p.boxes.iter().filter(|b| a.overlaps(&b.1)).count();
    }
    let mut through = 0;
    for (from, to, _, points) in &p.edges {
        for (id, b) in &p.boxes {
            if id == from || id == to {
                continue;
            }
            let inner = b.shrink(3.0);
            let hit = points.windows(2).any(|w| {
                (0..=8).any(|k| {
                    let t = k as f64 / 8.0;
                    inner.contains((
                        w[0].0 + (w[1].0 - w[0].0) * t,
                        w[0].1 + (w[1].1 - w[0].1) * t,
                    ))
                })
            });
            through += hit as usize;
        }
    }
    (boxes, labels, through)
}

fn render_stdout(args: &[&str]) -> (String, i32) {
    let out = run(args);
    (text(&out.stdout), out.status.code().unwrap_or(-1))
}

/// A layered design: `n` services, two edges each into the next layers, some skipping layers.
fn generated(n: usize) -> Design {
    let layers = ((n as f64).sqrt() * 0.8) as usize;
    let per = n.div_ceil(layers);
    let mut d = Design::new(format!("generated {n}"));
    for i in 0..n {
        d.services.push(Service::new(
            format!("s{i}"),
            ServiceKind::ALL[i % ServiceKind::ALL.len()],
        ));
    }
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in per..n {
        let layer = i / per;
        for _ in 0..2 {
            let back = 1 + (next() % 3) as usize;
            let from_layer = layer.saturating_sub(back);
            let from = from_layer * per + (next() as usize % per);
            if from < i {
                d.edges.push(EventEdge::new(
                    ServiceIndex(from as u32),
                    ServiceIndex(i as u32),
                    Arc::<str>::from(format!("S{from}Done")),
                ));
            }
        }
    }
    d
}

#[test]
fn every_sample_renders_the_svg_contract() {
    for name in [
        "register_login.json",
        "ecommerce_saga.json",
        "event_loops.json",
    ] {
        let path = sample(name);
        let design = event_architect::io::load_path(&path).unwrap();
        let (svg, code) = render_stdout(&["render", path.to_str().unwrap()]);
        let cycles = name == "event_loops.json";
        assert_eq!(code, if cycles { 1 } else { 0 }, "{name}");
        let p = parse(&svg);
        let ids: Vec<&str> = p.boxes.iter().map(|(id, _)| id.as_str()).collect();
        let expected: Vec<&str> = design.services.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, expected, "{name}");
        assert_eq!(p.edges.len(), design.edges.len(), "{name}");
        for ((from, to, event, points), edge) in p.edges.iter().zip(&design.edges) {
            assert_eq!(from, design.id(edge.from));
            assert_eq!(to, design.id(edge.to));
            assert_eq!(event, &*edge.event);
            assert!(points.len() >= 2);
        }
        assert!(!p.labels.is_empty(), "{name}");
    }
}

#[test]
fn samples_and_a_generated_design_have_no_overlaps_and_no_edge_through_a_box() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("generated.json");
    event_architect::io::save(&big, &generated(300)).unwrap();
    let mut files: Vec<std::path::PathBuf> = [
        "register_login.json",
        "ecommerce_saga.json",
        "event_loops.json",
    ]
    .iter()
    .map(|n| sample(n))
    .collect();
    files.push(big);
    for file in &files {
        for layout in [None, Some("--auto-layout"), Some("--auto-layout=stages")] {
            let mut args = vec!["render", file.to_str().unwrap()];
            args.extend(layout);
            let (svg, code) = render_stdout(&args);
            assert!(code == 0 || code == 1, "{file:?}: exit {code}");
            let p = parse(&svg);
            assert_eq!(violations(&p), (0, 0, 0), "{file:?} {layout:?}");
            if file.ends_with("generated.json") {
                assert_eq!(p.boxes.len(), 300);
                // Most labels find room; the rest yield rather than overlap.
                assert!(
                    p.labels.len() * 10 >= p.edges.len() * 9,
                    "{}",
                    p.labels.len()
                );
            }
        }
    }
}

#[test]
fn auto_layout_is_compact_by_default_and_each_column_names_the_stages_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("generated.json");
    event_architect::io::save(&file, &generated(300)).unwrap();
    let f = file.to_str().unwrap();
    let (bare, _) = render_stdout(&["render", f, "--auto-layout"]);
    let (compact, _) = render_stdout(&["render", f, "--auto-layout=compact"]);
    let (stages, _) = render_stdout(&["render", f, "--auto-layout=stages"]);
    assert_eq!(bare, compact);
    assert_ne!(compact, stages);
    // (x, y, text) of every stage header.
    let headers = |svg: &str| -> Vec<(String, String, String)> {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("text") && n.text().is_some_and(|t| t.starts_with("Stage ")))
            .map(|n| {
                let a = |k: &str| n.attribute(k).unwrap_or_default().to_string();
                (a("x"), a("y"), n.text().unwrap_or_default().to_string())
            })
            .collect()
    };
    let by_stage = headers(&stages);
    let mut names: Vec<&String> = by_stage.iter().map(|h| &h.2).collect();
    let count = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), count, "one header a stage in stage columns");
    let compact = headers(&compact);
    // A step moved toward its subscribers leaves its stage a band (and header) in two columns.
    let mut stages_named: Vec<&String> = compact.iter().map(|h| &h.2).collect();
    let headers_count = stages_named.len();
    stages_named.sort();
    stages_named.dedup();
    assert!(
        stages_named.len() < headers_count,
        "no stage has a band in two columns: {compact:?}"
    );
    let mut spots: Vec<(&String, &String)> = compact.iter().map(|h| (&h.0, &h.1)).collect();
    let all = spots.len();
    spots.sort();
    spots.dedup();
    assert_eq!(spots.len(), all, "two headers in one spot");
}

#[test]
fn overlapping_boxes_in_a_saved_design_are_reported_by_the_checks() {
    // The checks themselves can fail: two boxes saved on one spot are one box overlap.
    let mut d = generated(12);
    for s in d.services.iter_mut().take(2) {
        s.position = Some(event_architect::model::Position { x: 0.0, y: 0.0 });
    }
    for (i, s) in d.services.iter_mut().enumerate().skip(2) {
        s.position = Some(event_architect::model::Position {
            x: 400.0 * i as f32,
            y: 0.0,
        });
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stacked.json");
    event_architect::io::save(&file, &d).unwrap();
    let (svg, _) = render_stdout(&["render", file.to_str().unwrap()]);
    assert_eq!(violations(&parse(&svg)).0, 1);
}

#[test]
fn png_and_svg_files_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("saga.png");
    let svg = dir.path().join("saga.svg");
    let input = sample("ecommerce_saga.json");
    for out in [&png, &svg] {
        let o = run(&[
            "render",
            input.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert!(o.stdout.is_empty());
    }
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    assert!(bytes.len() > 10_000);
    let svg = std::fs::read_to_string(&svg).unwrap();
    assert!(svg.starts_with("<svg"));
}

#[test]
fn unreadable_input_exits_2_with_a_message() {
    let o = run(&["render", "no/such/design.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    assert!(
        text(&o.stderr).contains("no/such/design.json"),
        "{}",
        text(&o.stderr)
    );
}
