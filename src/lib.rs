//! Event Architect: design, analyse and simulate event-driven serverless systems.
//!
//! The modules, what each is for and which others it may use are the layer table of
//! `ARCHITECTURE.md` (one table; the `architecture` test below holds the code to it). Nothing
//! but [`gui`] imports egui.

pub mod analysis;
pub mod build_info;
pub mod cli;
pub mod diagnostics;
pub mod geometry;
#[cfg(feature = "gui")]
pub mod gui;
pub mod io;
pub mod limits;
pub mod model;
pub mod plan;
pub mod platform;
pub mod recovery;
pub mod render;
pub mod simulation;
pub mod template;

/// The built-in register/login design (`samples/register_login.json`), opened when no file is.
pub const BUILTIN_DESIGN: &str = include_str!("../samples/register_login.json");

/// Parses the built-in design. A test keeps it valid.
pub fn builtin_design() -> model::Design {
    io::parse_design(BUILTIN_DESIGN.as_bytes(), "built-in design").unwrap_or_default()
}

/// The layer table of `ARCHITECTURE.md` held against the code: every `crate::` path a module
/// names outside its tests, and every crate only one module may name.
#[cfg(test)]
mod architecture {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    /// Items of the crate root every row may name as "the crate root".
    const ROOT_ITEMS: [&str; 2] = ["builtin_design", "BUILTIN_DESIGN"];

    struct Row {
        may_use: BTreeSet<String>,
        crates: Vec<String>,
    }

    fn ticked(cell: &str) -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    /// The table's rows by module.
    fn table() -> BTreeMap<String, Row> {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md"))
                .expect("ARCHITECTURE.md is at the top of the repository");
        let rows: Vec<Vec<&str>> = text
            .lines()
            .skip_while(|line| !line.starts_with("## Layers"))
            .take_while(|line| !line.starts_with("What must not happen"))
            .filter(|line| line.starts_with("| `"))
            .map(|line| line.trim_matches('|').split('|').map(str::trim).collect())
            .collect();
        let modules: Vec<String> = rows.iter().map(|r| ticked(r[0]).remove(0)).collect();
        rows.iter()
            .zip(&modules)
            .map(|(row, module)| {
                let mut may_use: BTreeSet<String> = ticked(row[2]).into_iter().collect();
                if let Some(rest) = row[2].strip_prefix("every module") {
                    let except = ticked(rest.split(',').next().unwrap_or_default());
                    may_use = modules
                        .iter()
                        .filter(|m| *m != module && !except.contains(m))
                        .cloned()
                        .collect();
                }
                if row[2].contains("crate root") {
                    may_use.insert("(root)".to_owned());
                }
                let row = Row {
                    may_use,
                    crates: ticked(row[3]),
                };
                (module.clone(), row)
            })
            .collect()
    }

    /// The module's source files that are built outside tests.
    fn files(module: &str) -> Vec<PathBuf> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let single = src.join(format!("{module}.rs"));
        if single.exists() {
            return vec![single];
        }
        let mut out = Vec::new();
        let mut stack = vec![src.join(module)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        // Files declared `#[cfg(test)] mod name;` are tests.
        let mut tests = BTreeSet::new();
        for file in &out {
            let text = std::fs::read_to_string(file).unwrap();
            let lines: Vec<&str> = text.lines().map(str::trim).collect();
            for pair in lines.windows(2) {
                if pair[0] == "#[cfg(test)]"
                    && let Some(name) = pair[1]
                        .trim_start_matches("pub(crate) ")
                        .strip_prefix("mod ")
                        .and_then(|n| n.strip_suffix(';'))
                {
                    let dir = match file.file_stem().and_then(|s| s.to_str()) {
                        Some("mod" | "lib") => file.parent().unwrap().to_path_buf(),
                        _ => file.with_extension(""),
                    };
                    tests.insert(dir.join(format!("{name}.rs")));
                    tests.insert(dir.join(name).join("mod.rs"));
                }
            }
        }
        out.retain(|f| !tests.contains(f));
        out
    }

    /// The code of a file without comments and without its test module (the last item).
    fn code(file: &Path) -> String {
        let text = std::fs::read_to_string(file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut out = String::new();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim();
            if trimmed == "#[cfg(test)]"
                && lines.get(i + 1).is_some_and(|next| {
                    next.trim().starts_with("mod ") && next.trim().ends_with('{')
                })
            {
                break;
            }
            if !trimmed.starts_with("//") {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// The first segment of every `crate::` path in `code` (`crate::{a, b::c}` gives a and b);
    /// crate-root items as `(root)`.
    fn crate_paths(code: &str) -> BTreeSet<String> {
        let ident = |s: &str| -> String {
            s.trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        };
        let mut out = BTreeSet::new();
        for (at, _) in code.match_indices("crate::") {
            if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            let rest = &code[at + "crate::".len()..];
            let names = match rest.strip_prefix('{') {
                Some(group) => {
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    group.split(',').map(ident).collect()
                }
                None => vec![ident(rest)],
            };
            for name in names.into_iter().filter(|n| !n.is_empty()) {
                if ROOT_ITEMS.contains(&name.as_str()) {
                    out.insert("(root)".to_owned());
                } else {
                    out.insert(name);
                }
            }
        }
        out
    }

    /// True when `code` names the crate `name` (`name::`, `use name`).
    fn names_crate(code: &str, name: &str) -> bool {
        code.match_indices(name).any(|(at, _)| {
            let before = code[..at].chars().next_back();
            let after = &code[at + name.len()..];
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                && (after.starts_with("::") || after.starts_with(';') || after.starts_with(" as "))
        })
    }

    #[test]
    fn every_module_keeps_to_its_row_of_the_layer_table() {
        let table = table();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        // Every module of the crate has a row, and every row a module.
        let mut on_disk: BTreeSet<String> = std::fs::read_dir(&src)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
            .filter(|name| !matches!(name.as_str(), "lib" | "main"))
            .collect();
        on_disk.retain(|name| src.join(name).is_dir() || src.join(format!("{name}.rs")).is_file());
        let rows: BTreeSet<String> = table.keys().cloned().collect();
        assert_eq!(on_disk, rows, "ARCHITECTURE.md's rows against src/");
        let owner: BTreeMap<&str, &str> = table
            .iter()
            .flat_map(|(m, row)| row.crates.iter().map(move |c| (c.as_str(), m.as_str())))
            .collect();
        let mut crossings = Vec::new();
        for (module, row) in &table {
            for file in files(module) {
                let code = code(&file);
                let shown = file.strip_prefix(&src).unwrap().display().to_string();
                for used in crate_paths(&code) {
                    if used != *module && !row.may_use.contains(&used) {
                        crossings.push(format!("{shown} uses `{used}`, not in `{module}`'s row"));
                    }
                }
                for (name, only) in &owner {
                    if only != module && names_crate(&code, name) {
                        crossings.push(format!("{shown} names `{name}`, which only `{only}` may"));
                    }
                }
            }
        }
        assert!(
            crossings.is_empty(),
            "layer table crossed:\n{}",
            crossings.join("\n")
        );
    }

    #[test]
    fn the_checks_see_what_they_look_for() {
        let paths = crate_paths(
            "use crate::{analysis::x, model};\nlet d = crate::builtin_design();\nmycrate::io",
        );
        assert_eq!(
            paths.into_iter().collect::<Vec<_>>(),
            ["(root)", "analysis", "model"]
        );
        assert!(names_crate("use clap::Parser;", "clap"));
        assert!(names_crate("#[derive(clap::ValueEnum)]", "clap"));
        assert!(!names_crate("let clapping = 1; egui_graphs::x", "clap"));
        assert!(!names_crate("eframe::egui::Ui", "egui"));
        let code = code(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("src/analysis/loops.rs")
                .as_path(),
        );
        assert!(
            !code.contains("fn long_explanations_name"),
            "the test module is left out"
        );
    }
}
