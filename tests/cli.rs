//! Black-box tests of the real binary: exit codes, outputs and error messages.

use std::path::{Path, PathBuf};
mod common;
#[cfg(unix)]
use common::bin;
use common::{run, run_stdin};

#[cfg(unix)]
#[path = "cli/contract.rs"]
mod contract;
#[cfg(unix)]
#[path = "cli/output_files.rs"]
mod output_files;
#[path = "cli/sarif.rs"]
mod sarif;
#[path = "cli/templates.rs"]
mod templates;

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

/// A file of `tests/fixtures` (`templates/x.yaml` for a template), as an argument.
fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write_temp(dir: &tempfile::TempDir, name: &str, contents: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

mod check {
    use super::*;

    #[test]
    fn every_sample_loads_and_reports_its_summary() {
        for (name, code) in [
            ("register_login.json", 0),
            ("ecommerce_saga.json", 0),
            ("event_loops.json", 1),
        ] {
            let out = run(&["check", sample(name).to_str().unwrap()]);
            assert_eq!(
                out.status.code(),
                Some(code),
                "{name}: {}",
                text(&out.stderr)
            );
            assert!(text(&out.stdout).contains("services"), "{name}");
        }
    }

    #[test]
    fn register_login_order_and_stages() {
        let out = run(&["check", sample("register_login.json").to_str().unwrap()]);
        let stdout = text(&out.stdout);
        assert!(stdout.contains("ok: no cycles"), "{stdout}");
        assert!(
            stdout.contains("order: gateway, register, login, users, welcome, audit"),
            "{stdout}"
        );
        assert!(stdout.contains("2: register, login"), "{stdout}");
    }

    #[test]
    fn the_saga_has_twelve_to_twenty_services_over_several_stages() {
        let out = run(&[
            "check",
            sample("ecommerce_saga.json").to_str().unwrap(),
            "--format",
            "json",
        ]);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let services = report["services"].as_u64().unwrap();
        assert!((12..=20).contains(&services), "{services}");
        assert!(report["stages"].as_u64().unwrap() >= 4);
        assert_eq!(report["acyclic"], true);
    }

    #[test]
    fn loops_are_listed_with_their_paths() {
        let out = run(&["check", sample("event_loops.json").to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let stdout = text(&out.stdout);
        assert!(stdout.contains("3 cycles"), "{stdout}");
        assert!(
            stdout.contains("process-payment -> retry-queue -> process-payment"),
            "{stdout}"
        );
        assert!(
            stdout.contains("notifier -> user-events -> preferences -> notifier"),
            "{stdout}"
        );
        assert!(stdout.contains("poller -> poller"), "{stdout}");
    }

    #[test]
    fn json_report_of_cycles() {
        let out = run(&[
            "check",
            sample("event_loops.json").to_str().unwrap(),
            "--format",
            "json",
        ]);
        assert_eq!(out.status.code(), Some(1));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["valid"], true);
        assert_eq!(report["cycles"][2], serde_json::json!(["poller"]));
        assert_eq!(
            report["cycle_paths"][0],
            serde_json::json!(["process-payment", "retry-queue", "process-payment"])
        );
    }

    #[test]
    fn an_invalid_file_lists_every_problem_with_its_path_and_exits_2() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_temp(
            &dir,
            "bad.json",
            r#"{"version": 1, "services": [{"id": "a", "kind": "lambda"}, {"id": "a", "kind": "function"}],
               "edges": [{"from": "a", "to": "nowhere", "event": "E"}]}"#,
        );
        let out = run(&["check", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = text(&out.stderr);
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains("bad.json"), "{stderr}");
        assert!(stderr.contains("3 problems"), "{stderr}");
        assert!(
            stderr.contains("services[0].kind: unknown kind \"lambda\""),
            "{stderr}"
        );
        assert!(
            stderr.contains("services[1].id: duplicate id \"a\""),
            "{stderr}"
        );
        assert!(
            stderr.contains("edges[0].to: unknown service \"nowhere\""),
            "{stderr}"
        );
        assert!(stderr.contains("hint:"), "{stderr}");
        assert!(out.stdout.is_empty());
    }

    #[test]
    fn standard_input_is_named_as_in_errors() {
        let design = std::fs::read_to_string(sample("register_login.json")).unwrap();
        let out = run_stdin(&["check", "-"], &design);
        assert!(text(&out.stdout).starts_with("<stdin>: \"User accounts\""));
    }

    #[test]
    fn invalid_json_report_lists_problems_on_stdout() {
        let out = run_stdin(
            &["check", "-", "--format", "json"],
            r#"{"version": 1, "services": [{"id": "", "kind": "table"}]}"#,
        );
        assert_eq!(out.status.code(), Some(2));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["valid"], false);
        assert_eq!(report["problems"][0]["path"], "services[0].id");
    }

    #[test]
    fn malformed_json_gives_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_temp(
            &dir,
            "broken.json",
            "{\n  \"version\": 1,\n  \"services\": [\n    {\"id\": \"a\" \"kind\": \"table\"}\n  ]\n}\n",
        );
        let out = run(&["check", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("broken.json:4:"), "{stderr}");
        assert!(stderr.contains("malformed JSON"), "{stderr}");
    }

    #[test]
    fn an_unsupported_version_names_the_readable_ones() {
        let out = run_stdin(&["check", "-"], r#"{"version": 3, "services": []}"#);
        assert_eq!(out.status.code(), Some(2));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("cannot read file-format version 3"),
            "{stderr}"
        );
        assert!(stderr.contains("reads versions 1, 2"), "{stderr}");
    }

    #[test]
    fn a_missing_file_is_exit_2_with_its_name() {
        let out = run(&["check", "/definitely/not/here.json"]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("cannot read /definitely/not/here.json"),
            "{stderr}"
        );
    }
}

mod plan {
    use super::*;

    #[test]
    fn json_plan_meets_the_contract() {
        let out = run(&["plan", sample("register_login.json").to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(plan["design"], "User accounts");
        assert_eq!(plan["acyclic"], true);
        assert_eq!(
            plan["order"],
            serde_json::json!(["gateway", "register", "login", "users", "welcome", "audit"])
        );
        assert_eq!(
            plan["stages"],
            serde_json::json!([
                ["gateway"],
                ["register", "login"],
                ["users", "welcome", "audit"]
            ])
        );
        assert_eq!(plan["cycles"], serde_json::json!([]));
        let register = &plan["steps"][1];
        assert_eq!(register["id"], "register");
        assert_eq!(
            register["consumes"],
            serde_json::json!(["RegisterRequested"])
        );
        assert_eq!(
            register["publishes"],
            serde_json::json!(["PutUser", "UserRegistered"])
        );
        assert_eq!(
            plan["critical_path"],
            serde_json::json!(["gateway", "register", "users"])
        );
    }

    #[test]
    fn a_plan_with_cycles_is_still_written_and_exits_1() {
        let out = run(&["plan", sample("event_loops.json").to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(plan["acyclic"], false);
        assert_eq!(plan["order"], serde_json::json!([]));
        assert_eq!(plan["stages"], serde_json::json!([]));
        assert_eq!(plan["cycles"].as_array().unwrap().len(), 3);
        // The condensed plan still orders every service, each cycle as one marked step.
        let steps = plan["condensed_order"].as_array().unwrap();
        let count: usize = steps
            .iter()
            .map(|s| s["services"].as_array().unwrap().len())
            .sum();
        assert_eq!(count, 9);
        assert!(steps.iter().any(|s| s["cycle"] == true
            && s["services"] == serde_json::json!(["process-payment", "retry-queue"])));
        assert!(!plan["condensed_stages"].as_array().unwrap().is_empty());
        let stderr = text(&out.stderr);
        assert!(stderr.contains("3 cycles"), "{stderr}");
        assert!(stderr.contains("poller -> poller"), "{stderr}");
    }

    #[test]
    fn markdown_lists_cycles_first_then_numbered_stages() {
        let out = run(&[
            "plan",
            sample("event_loops.json").to_str().unwrap(),
            "--format",
            "markdown",
        ]);
        let md = text(&out.stdout);
        let blocking = md.find("## Blocking").unwrap();
        let stage = md.find("## Stage (condensed) 1").unwrap();
        assert!(blocking < stage, "{md}");
        assert!(
            md.contains("`process-payment -> retry-queue -> process-payment`"),
            "{md}"
        );
        assert!(
            md.contains("| Service | Kind | Consumes | Publishes |"),
            "{md}"
        );
    }

    #[test]
    fn mermaid_is_a_flowchart_with_stage_subgraphs_and_highlighted_cycles() {
        let out = run(&[
            "plan",
            sample("event_loops.json").to_str().unwrap(),
            "--format",
            "mermaid",
        ]);
        let mmd = text(&out.stdout);
        assert!(mmd.starts_with("flowchart LR\n"), "{mmd}");
        assert_eq!(
            mmd.matches("subgraph ").count(),
            mmd.matches("\n  end\n").count()
        );
        assert!(mmd.contains("linkStyle"), "{mmd}");
        assert!(mmd.contains("class s1 cycle"), "{mmd}");
        let edges = mmd.lines().filter(|l| l.contains(" -->|")).count();
        assert_eq!(edges, 10);
    }

    #[test]
    fn dot_ranks_stages_and_colours_cycle_edges() {
        let out = run(&[
            "plan",
            sample("event_loops.json").to_str().unwrap(),
            "--format",
            "dot",
        ]);
        let dot = text(&out.stdout);
        assert!(
            dot.starts_with("digraph \"Accidental event loops\" {"),
            "{dot}"
        );
        assert!(dot.contains("rank=same;"), "{dot}");
        assert!(
            dot.contains("s7 -> s7 [label=\"PollAgain\", color="),
            "{dot}"
        );
        assert!(dot.trim_end().ends_with('}'));
        assert_eq!(dot.matches('{').count(), dot.matches('}').count());
    }

    #[test]
    fn output_file_and_format_from_extension() {
        let dir = tempfile::tempdir().unwrap();
        let out_path = dir.path().join("plan.md");
        let out = run(&[
            "plan",
            sample("ecommerce_saga.json").to_str().unwrap(),
            "-o",
            out_path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty());
        let md = std::fs::read_to_string(&out_path).unwrap();
        assert!(md.starts_with("# Execution plan: Order saga"), "{md}");
    }

    #[test]
    fn stdin_input_and_invalid_input_gives_nothing_on_stdout() {
        let design = std::fs::read_to_string(sample("register_login.json")).unwrap();
        let out = run_stdin(&["plan", "-"], &design);
        assert_eq!(out.status.code(), Some(0));
        assert!(!out.stdout.is_empty());
        let out = run_stdin(&["plan", "-"], "{\"version\": 1, \"services\": 5}");
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let stderr = text(&out.stderr);
        assert!(stderr.contains("<stdin>"), "{stderr}");
        assert!(stderr.contains("services: expected a list"), "{stderr}");
    }

    #[test]
    fn bad_arguments_are_exit_2_with_usage() {
        let out = run(&["plan", "x.json", "--format", "pdf"]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("error:"), "{stderr}");
        assert!(stderr.contains("json"), "{stderr}");
    }
}

mod export {
    use super::*;

    #[test]
    fn a_sample_exports_as_a_sam_template_with_short_form_tags() {
        let out = run(&["export", sample("register_login.json").to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let yaml = text(&out.stdout);
        assert!(
            yaml.starts_with("---\nAWSTemplateFormatVersion: \"2010-09-09\"\n"),
            "{yaml}"
        );
        assert!(
            yaml.contains("Transform: \"AWS::Serverless-2016-10-31\""),
            "{yaml}"
        );
        assert!(
            yaml.contains("Type: \"AWS::Serverless::Function\""),
            "{yaml}"
        );
        assert!(yaml.contains("RestApiId: !Ref gateway"), "{yaml}");
        assert!(
            yaml.contains("- DynamoDBCrudPolicy:\n            TableName: !Ref users"),
            "{yaml}"
        );
        // Logging in reads the table: a read-only policy.
        assert!(yaml.contains("- DynamoDBReadPolicy:"), "{yaml}");
        assert!(!yaml.contains("Fn::"), "{yaml}");
    }

    #[test]
    fn the_file_is_written_atomically_and_notes_go_to_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("template.yaml");
        let out = run(&[
            "export",
            &fixture("tricky_names.json"),
            "--format",
            "sam",
            "-o",
            path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty());
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.contains("Type: \"AWS::SNS::Topic\""), "{written}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("note: edge pipe|and`tick -> end; drop (x\\y): left out: SAM has no topic-to-table connection"),
            "{stderr}"
        );
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(files.len(), 1, "no temporary file left");
    }

    #[test]
    fn a_template_exports_as_itself_through_an_import() {
        let template =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/template/sqs_redrive.yaml");
        let out = run(&["export", template.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
        let yaml = text(&out.stdout);
        for kept in [
            "deadLetterTargetArn: !GetAtt OrdersDlq.Arn",
            "maxReceiveCount: 4",
            "Runtime: nodejs20.x",
            "Queue: !GetAtt Orders.Arn",
        ] {
            assert!(yaml.contains(kept), "{kept} in {yaml}");
        }
        // Nothing the template did not have.
        assert!(!yaml.contains("Transform"), "{yaml}");
        assert!(!yaml.contains("Policies"), "{yaml}");
    }

    #[test]
    fn a_design_from_standard_input_exports_too() {
        let design = r#"{"version": 2, "services": [{"id": "q", "kind": "queue"}, {"id": "f", "kind": "function"}],
                         "edges": [{"from": "q", "to": "f", "event": "Job"}]}"#;
        let out = run_stdin(&["export", "-"], design);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).contains("Queue: !GetAtt q.Arn"),
            "{}",
            text(&out.stdout)
        );
    }

    #[test]
    fn errors_are_located_and_exit_2_with_nothing_on_stdout() {
        let dir = tempfile::tempdir().unwrap();
        let bad = write_temp(
            &dir,
            "bad.json",
            r#"{"version": 2, "services": [{"id": "f", "kind": "function", "properties": {"memory_mb": 1}}]}"#,
        );
        let out = run(&["export", bad.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("services[0].properties.memory_mb"),
            "{stderr}"
        );
        let out = run(&["export", "missing.json"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            text(&out.stderr).contains("missing.json"),
            "{}",
            text(&out.stderr)
        );
        let nowhere = dir.path().join("no/such/folder/t.yaml");
        let out = run(&[
            "export",
            sample("register_login.json").to_str().unwrap(),
            "-o",
            nowhere.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("cannot write") && stderr.contains("hint:"),
            "{stderr}"
        );
        // An escape sequence in a path is shown, not obeyed.
        let out = run(&["export", "evil\u{1b}[31m.json"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            !text(&out.stderr).contains('\u{1b}'),
            "{}",
            text(&out.stderr)
        );
    }
}

mod escaping {
    use super::*;

    fn tricky(format: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tricky_names.json");
        let out = run(&["plan", path.to_str().unwrap(), "--format", format]);
        assert_eq!(out.status.code(), Some(1), "the fixture has one cycle");
        text(&out.stdout)
    }

    #[test]
    fn markdown_code_spans_survive_backticks_and_pipes() {
        let md = tricky("markdown");
        assert!(
            md.contains("| ``pipe\\|and`tick`` (line break) ⚠ cycle 1 | topic |"),
            "{md}"
        );
        assert!(md.contains("&lt;b>tags&lt;/b>"), "{md}");
        assert!(
            md.starts_with("# Execution plan: Quotes \"and\" \\#hashes &lt;tags>"),
            "{md}"
        );
    }

    #[test]
    fn dot_and_mermaid_escape_quotes() {
        let dot = tricky("dot");
        assert!(
            dot.contains("label=\"Name with \\\"quotes\\\" and <b>tags</b>\\n(gateway)\""),
            "{dot}"
        );
        assert!(dot.contains("label=\"x\\\\y\""), "{dot}");
        let mmd = tricky("mermaid");
        assert!(mmd.contains("s0([\"Name with #quot;quotes#quot; and #lt;b#gt;tags#lt;/b#gt;<br/><i>gateway</i>\"])"), "{mmd}");
        assert!(
            mmd.contains("s0 -->|\"Event #quot;with#quot; quotes #35;1 #lt;x#gt;\"| s1"),
            "{mmd}"
        );
    }
}

mod schema {
    use super::*;

    #[test]
    fn the_shipped_schema_is_the_generated_one() {
        let shipped = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/design.schema.json"),
        )
        .unwrap();
        let out = run(&["schema"]);
        assert!(
            text(&out.stdout) == shipped,
            "assets/design.schema.json is stale: run `cargo run -- schema > assets/design.schema.json`"
        );
        let schema: serde_json::Value = serde_json::from_str(&shipped).unwrap();
        let required = &schema["required"];
        assert!(required.as_array().unwrap().contains(&"services".into()));
        let kinds = schema.to_string();
        for kind in ["gateway", "function", "table", "queue", "topic"] {
            assert!(kinds.contains(kind), "{kind}");
        }
    }
}

mod save {
    use super::*;

    #[test]
    fn samples_are_saved_exactly_as_the_app_would_write_them() {
        // Load and save every sample: the saved text loads back to the same design.
        for name in [
            "register_login.json",
            "ecommerce_saga.json",
            "event_loops.json",
        ] {
            let design = event_architect::io::load_path(&sample(name)).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join(name);
            event_architect::io::save(&path, &design).unwrap();
            let again = event_architect::io::load_path(&path).unwrap();
            assert_eq!(again, design, "{name}");
            let saved = std::fs::read_to_string(&path).unwrap();
            assert!(saved.ends_with("\n"));
            let out = run(&["check", path.to_str().unwrap()]);
            assert_ne!(out.status.code(), Some(2), "{name}");
        }
    }

    #[test]
    fn the_built_in_design_is_the_register_login_sample() {
        let sample = event_architect::io::load_path(&sample("register_login.json")).unwrap();
        assert_eq!(event_architect::builtin_design(), sample);
        assert!(!sample.services.is_empty());
    }
}

/// File format 2: migration, the new kinds, properties, edge modes and filters, and the loader's
/// strictness about what the format does not have.
mod format_v2 {
    use super::*;

    /// `check -` on `design`: (exit code, stdout, stderr).
    fn check(design: &str) -> (Option<i32>, String, String) {
        let out = run_stdin(&["check", "-"], design);
        (out.status.code(), text(&out.stdout), text(&out.stderr))
    }

    #[test]
    fn a_version_1_file_opens_says_once_it_will_be_saved_as_2_and_plans_the_same() {
        let v1 = r#"{"version": 1, "services": [{"id": "f", "kind": "function"}, {"id": "t", "kind": "table"}],
                     "edges": [{"from": "f", "to": "t", "event": "Put"}]}"#;
        let (code, stdout, stderr) = check(v1);
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(
            stderr
                .matches("note: <stdin> is in file-format version 1; it will be saved as version 2")
                .count(),
            1,
            "{stderr}"
        );
        assert!(stdout.contains("no cycles"), "{stdout}");
        let (_, _, stderr) = check(&v1.replace("\"version\": 1", "\"version\": 2"));
        assert!(
            !stderr.contains("note:"),
            "a current file gets no note: {stderr}"
        );
    }

    #[test]
    fn every_kind_loads_and_every_exporter_colours_it_as_the_canvas_does() {
        let kinds = [
            "gateway",
            "function",
            "table",
            "queue",
            "topic",
            "bucket",
            "bus",
            "state-machine",
            "stream",
            "schedule",
        ];
        let services: Vec<String> = kinds
            .iter()
            .map(|k| format!(r#"{{"id": "{k}-1", "kind": "{k}"}}"#))
            .collect();
        let design = format!(r#"{{"version": 2, "services": [{}]}}"#, services.join(","));
        let (code, _, stderr) = check(&design);
        assert_eq!(code, Some(0), "{stderr}");
        let mermaid = text(&run_stdin(&["plan", "-", "--format", "mermaid"], &design).stdout);
        let dot = text(&run_stdin(&["plan", "-", "--format", "dot"], &design).stdout);
        // The gateway is the canvas's purple (171, 120, 255) in both.
        assert!(
            mermaid.contains("classDef gateway fill:#e6d7ff,stroke:#ab78ff"),
            "{mermaid}"
        );
        assert!(dot.contains("color=\"#ab78ff\""), "{dot}");
        for kind in kinds {
            assert!(
                mermaid.contains(&format!("classDef {} ", kind.replace('-', "_"))),
                "{kind}"
            );
            assert!(dot.contains(&format!("({kind})")), "{kind}");
        }
    }

    #[test]
    fn properties_are_typed_per_kind_and_unknown_keys_survive_a_save() {
        let dir = tempfile::tempdir().unwrap();
        let design = r#"{"version": 2, "services": [
            {"id": "f", "kind": "function", "properties": {"memory_mb": "lots", "timeout_s": 9999}},
            {"id": "q", "kind": "queue", "properties": {"max_receive_count": 3, "Tags": [{"Key": "team"}]}}]}"#;
        let (code, _, stderr) = check(design);
        assert_eq!(code, Some(2));
        assert!(
            stderr.contains(
                "services[0].properties.memory_mb: expected a whole number, found a string"
            ),
            "{stderr}"
        );
        assert!(
            stderr.contains("services[0].properties.timeout_s: 9999 is out of range"),
            "{stderr}"
        );
        assert!(
            !stderr.contains("services[1]"),
            "unknown keys are kept, not refused: {stderr}"
        );
        // A good design keeps its unknown keys through plan's reading and a save by the window's
        // own writer (the library's `save`), byte for byte.
        let good = design.replace(
            r#""memory_mb": "lots", "timeout_s": 9999"#,
            r#""memory_mb": 256"#,
        );
        let path = write_temp(&dir, "props.json", &good);
        let loaded = event_architect::io::load_path(&path).unwrap();
        let saved = event_architect::io::to_json(&loaded);
        assert!(
            saved.contains("\"Tags\": [\n          {\n            \"Key\": \"team\""),
            "{saved}"
        );
        assert_eq!(
            event_architect::io::parse_design(saved.as_bytes(), "again").unwrap(),
            loaded
        );
    }

    #[test]
    fn modes_and_filters_are_checked_with_their_paths() {
        let design = r#"{"version": 2, "services": [{"id": "b", "kind": "bucket"}, {"id": "f", "kind": "function"}],
            "edges": [{"from": "b", "to": "f", "event": "ObjectCreated", "mode": "eventually"},
                      {"from": "b", "to": "f", "event": "ObjectCreated", "filter": {"prefix": "in/", "glob": "*"}},
                      {"from": "b", "to": "f", "event": "ObjectCreated", "filter": {"pattern": {"detail": {"size": 5}}}},
                      {"from": "f", "to": "b", "event": "PutObject", "mode": "sync", "filter": {"suffix": ".png"}}]}"#;
        let (code, _, stderr) = check(design);
        assert_eq!(code, Some(2));
        assert!(
            stderr.contains("edges[0].mode: unknown mode \"eventually\""),
            "{stderr}"
        );
        assert!(
            stderr.contains("edges[1].filter: invalid filter: unknown field `glob`"),
            "{stderr}"
        );
        assert!(
            stderr.contains("edges[2].filter: pattern.detail.size"),
            "{stderr}"
        );
        assert!(!stderr.contains("edges[3]"), "{stderr}");
    }

    #[test]
    fn fields_the_format_does_not_have_are_errors_not_silently_dropped() {
        let design = r#"{"version": 2, "services": [
            {"id": "g", "kind": "gateway", "routes": [{"route": "GET /", "event": "E", "method": "GET"}]},
            {"id": "a", "kind": "queue", "position": {"x": 1, "y": 2, "z": 3}},
            {"id": "b", "kind": "queue", "position": [1, 2]}]}"#;
        let (code, _, stderr) = check(design);
        assert_eq!(code, Some(2));
        assert!(
            stderr.contains("services[0].routes: invalid routes: unknown field `method`"),
            "{stderr}"
        );
        assert!(
            stderr.contains("services[1].position: invalid position: unknown field `z`"),
            "{stderr}"
        );
        assert!(
            stderr.contains("services[2].position: expected an object, found an array"),
            "{stderr}"
        );
    }

    #[test]
    fn a_repeated_key_is_an_error_at_every_level() {
        let design = r#"{"version": 2, "services": [{"id": "a", "id": "b", "kind": "queue"}], "services": []}"#;
        let (code, _, stderr) = check(design);
        assert_eq!(code, Some(2));
        assert!(
            stderr.contains("services[0].id: the field \"id\" is repeated"),
            "{stderr}"
        );
        assert!(
            stderr.contains("services: the field \"services\" is repeated"),
            "{stderr}"
        );
        let nested = r#"{"version": 2, "services": [{"id": "a", "kind": "queue", "properties": {"k": 1, "k": 2}}]}"#;
        let (code, _, stderr) = check(nested);
        assert_eq!(code, Some(2));
        assert!(stderr.contains("<stdin>:1:"), "located: {stderr}");
        assert!(stderr.contains("the key \"k\" is repeated"), "{stderr}");
    }
}

mod cycle_filters {
    use super::*;

    #[test]
    fn check_names_the_filters_a_cycle_crosses_in_text_and_json() {
        let design = r#"{"version": 2, "services": [{"id": "photos", "kind": "bucket"}, {"id": "resize", "kind": "function"}],
            "edges": [{"from": "photos", "to": "resize", "event": "ObjectCreated", "filter": {"prefix": "uploads/"}},
                      {"from": "resize", "to": "photos", "event": "PutObject"}]}"#;
        let out = run_stdin(&["check", "-"], design);
        assert_eq!(
            out.status.code(),
            Some(1),
            "a filtered cycle is still a cycle"
        );
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains(
                "crosses the filter on photos -> resize (ObjectCreated): prefix \"uploads/\""
            ),
            "{stdout}"
        );
        let out = run_stdin(&["check", "-", "--format", "json"], design);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            report["cycle_filters"][0][0]["filter"]["prefix"],
            "uploads/"
        );
        assert_eq!(report["cycle_filters"][0][0]["from"], "photos");
    }
}
