//! Design files: reading with every problem reported at once, and atomic, diff-friendly saving.

mod fast;
pub mod format;
mod load;
pub mod locate;
pub mod output;
mod strict;

use std::path::Path;

pub use crate::diagnostics::{LoadError, Problem};
pub(crate) use load::parse_versioned as parse_design_owned_versioned;
pub(crate) use load::whole;
pub use load::{parse_design, parse_design_owned, parse_design_versioned};
pub use output::{write_atomic, write_atomic_with};

use crate::model::Design;

/// What a caller tells the user about a file it opened in an older format, once.
pub fn migration_note(origin: &str, version: u32) -> Option<String> {
    (version < crate::model::CURRENT_VERSION).then(|| {
        format!(
            "note: {origin} is in file-format version {version}; it will be saved as version {}",
            crate::model::CURRENT_VERSION
        )
    })
}

/// How messages name a path: `<stdin>` for `-`.
pub fn origin(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

/// Reads a design from a file, or from standard input when `path` is `-`.
pub fn load_path(path: &Path) -> Result<Design, LoadError> {
    load_path_versioned(path).map(|(design, _)| design)
}

/// [`load_path`], also saying which file-format version the file was in (an older one is
/// migrated in memory: see [`migration_note`]).
pub fn load_path_versioned(path: &Path) -> Result<(Design, u32), LoadError> {
    if path.as_os_str() != "-" {
        return load::read_file(path, &path.display().to_string());
    }
    let origin = "<stdin>";
    let limit = crate::limits::Budget::current().whole_read_bytes();
    let bytes = whole::read_checked(std::io::stdin().lock(), origin, limit, "a design")?;
    load::parse_versioned(bytes, origin)
}

/// The design as file text: pretty-printed, stable field order, ending in a newline.
pub fn to_json(design: &Design) -> String {
    let file = format::DesignFile::from_design(design);
    // Serializing borrowed records of plain data cannot fail.
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

/// Saves a design atomically (see [`output`] for the rules).
pub fn save(path: &Path, design: &Design) -> std::io::Result<()> {
    write_atomic(path, to_json(design).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ServiceKind;

    /// A big design file (over a megabyte, so it is streamed through several windows and
    /// interned on a second thread) with non-ASCII ids; `tail` is spliced in before the end.
    fn big_file(tail: &str) -> String {
        let n = 6000;
        let mut text =
            String::from("{\n  \"version\": 1,\n  \"name\": \"Big\",\n  \"services\": [");
        for i in 0..n {
            let comma = if i == 0 { "" } else { "," };
            text.push_str(&format!(
                "{comma}\n    {{\"id\": \"sérvice-{i}\", \"kind\": \"queue\"}}"
            ));
        }
        text.push_str("\n  ],\n  \"edges\": [");
        for i in 0..6 * n {
            let comma = if i == 0 { "" } else { "," };
            let (from, to) = (i % n, (i * 7 + 1) % n);
            text.push_str(&format!(
                "{comma}\n    {{\"from\": \"sérvice-{from}\", \"to\": \"sérvice-{to}\", \"event\": \"É{from}\"}}"
            ));
        }
        text.push_str("\n  ]");
        text.push_str(tail);
        text.push_str("\n}\n");
        assert!(text.len() > 2 << 20);
        text
    }

    #[cfg(unix)]
    #[test]
    fn a_design_from_a_pipe_is_read_once() {
        // `check <(cat design.json)`: a named pipe cannot be read twice, so a design that is not
        // of the fast reader's shape (here a service with notes) must still load.
        let dir = tempfile::tempdir().unwrap();
        let pipe = dir.path().join("design.pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .unwrap();
        assert!(made.success());
        let text = r#"{"version": 1, "services": [{"id": "a", "kind": "queue", "notes": "n"}], "edges": []}"#;
        let writer = {
            let pipe = pipe.clone();
            std::thread::spawn(move || std::fs::write(pipe, text).unwrap())
        };
        let design = load_path(&pipe).unwrap();
        writer.join().unwrap();
        assert_eq!(design.services[0].notes, "n");
    }

    #[test]
    fn a_big_file_is_streamed_to_the_same_design_or_the_same_error() {
        let dir = tempfile::tempdir().unwrap();
        // The common shape (streamed), and an unusual one that is read again by serde.
        for tail in ["", ",\n  \"notes\": 3"] {
            let text = big_file(tail);
            let path = dir.path().join("big.json");
            std::fs::write(&path, &text).unwrap();
            let origin = path.display().to_string();
            let expected = format!("{:?}", parse_design(text.as_bytes(), &origin));
            assert_eq!(format!("{:?}", load_path(&path)), expected);
        }
        let design = load_path(&dir.path().join("big.json"));
        assert!(
            matches!(design, Err(LoadError::Invalid { .. })),
            "{design:?}"
        );
        let text = big_file("");
        std::fs::write(dir.path().join("good.json"), &text).unwrap();
        let design = load_path(&dir.path().join("good.json")).unwrap();
        assert_eq!(design.services.len(), 6000);
        assert_eq!(design.edges.len(), 36000);
        assert_eq!(design.id(design.edges[35999].to), "sérvice-5994");
    }

    fn problems(text: &str) -> Vec<Problem> {
        match parse_design(text.as_bytes(), "t.json") {
            Err(LoadError::Invalid { problems, .. }) => problems,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn a_minimal_file_loads() {
        let design = parse_design(
            br#"{"version": 1, "services": [{"id": "a", "kind": "gateway"}, {"id": "b", "kind": "function"}],
                "edges": [{"from": "a", "to": "b", "event": "E"}]}"#,
            "t.json",
        )
        .unwrap();
        assert_eq!(design.services[0].kind, ServiceKind::Gateway);
        assert_eq!(design.id(design.edges[0].to), "b");
    }

    #[test]
    fn a_byte_order_mark_is_accepted_and_unrepresentable_positions_are_refused() {
        let design = parse_design(
            b"\xEF\xBB\xBF{\"version\": 1, \"services\": []}",
            "bom.json",
        )
        .unwrap();
        assert!(design.services.is_empty());
        let found = problems(
            r#"{"version": 1, "services": [{"id": "a", "kind": "table", "position": {"x": 1e300, "y": 0}}]}"#,
        );
        assert_eq!(found[0].path, "services[0].position");
    }

    #[test]
    fn edges_may_come_before_services() {
        let design = parse_design(
            br#"{"edges": [{"from": "a", "to": "a", "event": "Loop"}], "version": 1,
                "services": [{"id": "a", "kind": "queue"}]}"#,
            "t.json",
        )
        .unwrap();
        assert_eq!(design.edges.len(), 1);
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let found = problems(
            r#"{"version": 1, "services": [
                {"id": "a", "kind": "lambda"},
                {"id": "a", "kind": "function"},
                {"id": "", "kind": "table"},
                {"kind": "queue", "colour": "red"},
                {"id": 7, "kind": "topic"}],
              "edges": [{"from": "a", "to": "ghost", "event": "E"}, {"from": "a", "to": "a"}, 3]}"#,
        );
        let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
        for expected in [
            "services[0].kind",
            "services[1].id",
            "services[2].id",
            "services[3].id",
            "services[3].colour",
            "services[4].id",
            "edges[0].to",
            "edges[1].event",
            "edges[2]",
        ] {
            assert!(
                paths.contains(&expected),
                "{expected} missing from {paths:?}"
            );
        }
        let unknown = found.iter().find(|p| p.path == "edges[0].to").unwrap();
        assert!(unknown.message.contains("ghost"));
    }

    #[test]
    fn a_broken_template_field_is_located() {
        let found = problems(r#"{"version": 2, "services": [], "template": 3}"#);
        assert_eq!(found[0].path, "template");
        assert!(found[0].message.contains("a whole number"), "{found:?}");
        let found = problems(
            r#"{"version": 2, "services": [], "template": {"document": {}, "derived": [], "x": 1}}"#,
        );
        let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["template.x", "template.derived"]);
        let found = problems(
            r#"{"version": 1, "services": [], "template": {"document": {}, "derived": {}}}"#,
        );
        assert_eq!(found[0].path, "template");
        assert!(found[0].message.contains("version 2"), "{found:?}");
        let design = parse_design(
            br#"{"version": 2, "services": [], "template": {"document": {"Resources": {}}, "derived": {}}}"#,
            "t.json",
        )
        .unwrap();
        let template = design.template.expect("kept");
        assert_eq!(template.document, serde_json::json!({"Resources": {}}));
    }

    #[test]
    fn unreadable_versions_name_the_readable_ones() {
        let found = problems(r#"{"version": 9, "services": []}"#);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains('9'));
        assert!(found[0].hint.contains('1'));
    }

    #[test]
    fn malformed_json_reports_line_and_column() {
        match parse_design(b"{\n  \"version\": 1,\n  \"services\": [,]\n}", "t.json") {
            Err(LoadError::Syntax { line, column, .. }) => {
                assert_eq!(line, 3);
                assert!(column > 0);
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn typos_get_a_suggestion() {
        let found = problems(
            r#"{"version": 1, "services": [{"id": "register", "kind": "function"}],
                "edges": [{"from": "registr", "to": "register", "event": "E"}]}"#,
        );
        assert!(
            found[0].hint.contains("did you mean \"register\""),
            "{found:?}"
        );
    }

    #[test]
    fn saving_is_stable_and_round_trips() {
        let text = r#"{"version": 1, "name": "D", "services": [{"kind": "gateway", "id": "g", "position": {"y": 2, "x": 1}, "routes": [{"route": "POST /x", "event": "X"}]},
            {"id": "é", "kind": "function", "behavior": "sink", "notes": "n"}], "edges": [{"event": "X", "to": "é", "from": "g"}]}"#;
        let design = parse_design(text.as_bytes(), "t.json").unwrap();
        let saved = to_json(&design);
        assert!(saved.ends_with("}\n"));
        assert!(saved.find("\"version\"").unwrap() < saved.find("\"services\"").unwrap());
        let again = parse_design(saved.as_bytes(), "t.json").unwrap();
        assert_eq!(again, design);
        assert_eq!(to_json(&again), saved);
    }

    #[test]
    fn atomic_save_replaces_the_file_and_leaves_no_temporary() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("d.json");
        std::fs::write(&path, "old").unwrap();
        let design = Design::new("x");
        save(&path, &design).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), to_json(&design));
        let files: Vec<_> = std::fs::read_dir(folder.path()).unwrap().collect();
        assert_eq!(files.len(), 1);
    }
}
