//! `import`, and `check` and `plan` on templates: the real binary on fixtures and on broken
//! templates written to a temporary folder.

use super::*;

fn template(name: &str) -> String {
    fixture(&format!("templates/{name}"))
}

#[test]
fn import_writes_a_design_that_check_reads_back() {
    let out = run(&["import", &template("sqs_redrive.yaml")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let design: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(design["version"], 2);
    assert_eq!(design["services"][0]["id"], "Orders");
    assert_eq!(design["edges"][0]["evidence"]["construct"], "RedrivePolicy");
    assert_eq!(
        design["edges"][0]["evidence"]["bounds"][0],
        serde_json::json!({"kind": "max-receive-count", "count": 4})
    );
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("imported "), "{stderr}");
    assert!(
        stderr.contains("3 resources: 3 services (0 implicit), 2 edges"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("design.json");
    let out = run(&[
        "import",
        &template("sqs_redrive.yaml"),
        "-o",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let out = run(&["check", saved.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["edges"], 2);
}

#[test]
fn import_reads_standard_input_and_exits_1_on_a_loop() {
    let yaml = std::fs::read_to_string(template("loop_s3_writeback.yaml")).unwrap();
    let out = run_stdin(&["import", "-"], &yaml);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(!out.stdout.is_empty(), "the design is still written");
    assert!(
        text(&out.stderr).contains("1 loop"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_reads_a_template_by_content_and_shows_classes_and_evidence() {
    let dir = tempfile::tempdir().unwrap();
    // No .yaml extension: recognised by what it holds.
    let yaml = std::fs::read_to_string(template("loop_wildcard.yaml")).unwrap();
    let path = write_temp(&dir, "infra.txt", &yaml);
    let out = run(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("class: permission-only"), "{stdout}");
    assert!(
        stdout.contains("aws guard: AWS's recursive-loop detection would stop it after about 16"),
        "{stdout}"
    );
    assert!(
        stdout.contains("edge Worker -> Jobs (SendMessage): Policies[0].Statement[0] sqs:SendMessage on \"*\" (write, wildcard)"),
        "{stdout}"
    );
    let out = run(&["check", path.to_str().unwrap(), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let one = &report["loops"][0];
    assert_eq!(one["class"], "permission-only");
    assert_eq!(one["aws_guard"]["stops"], true);
    assert_eq!(one["edges"][1]["evidence"]["reach"], "wildcard");
    assert_eq!(report["failing_cycles"], 1);
}

#[test]
fn check_exits_0_when_every_loop_is_intentional() {
    let out = run(&["check", &template("loop_websocket_reply.yaml")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("ok: 1 cycle, marked intentional"),
        "{stdout}"
    );
    assert!(
        stdout.contains("class: intentional: marked intentional: the reply goes back"),
        "{stdout}"
    );
    // Each other loop shape fails the check, with its class.
    for (name, class) in [
        ("loop_s3_writeback.yaml", "runaway"),
        ("loop_dlq_remediation.yaml", "runaway"),
        ("loop_suffix_filter.yaml", "filtered"),
        ("loop_shared_role.yaml", "permission-only"),
        ("loop_bounded_retry.yaml", "bounded"),
    ] {
        let out = run(&["check", &template(name), "--format", "json"]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["loops"][0]["class"], class, "{name}");
    }
}

#[test]
fn plan_fails_only_for_loops_not_marked_intentional() {
    let out = run(&["plan", &template("loop_websocket_reply.yaml")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let out = run(&["plan", &template("loop_s3_writeback.yaml")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cycle 1:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_design_file_marks_a_loop_intentional_and_an_unknown_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let design = r#"{"version": 2, "services": [{"id": "a", "kind": "queue"}, {"id": "b", "kind": "function"}],
        "edges": [{"from": "a", "to": "b", "event": "M"}, {"from": "b", "to": "a", "event": "R"}],
        "intentional_loops": [{"services": ["b", "a"], "reason": "by design"}]}"#;
    let path = write_temp(&dir, "marked.json", design);
    let out = run(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let typo = design.replace("[\"b\", \"a\"]", "[\"b\", \"x\"]");
    let path = write_temp(&dir, "typo.json", &typo);
    let out = run(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("intentional_loops[0].services[1]: unknown service \"x\""),
        "{stderr}"
    );
}

#[test]
fn plan_reads_a_template_too() {
    let out = run(&["plan", &template("s3_event.yaml")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["order"], serde_json::json!(["Uploads", "Thumbnailer"]));
}

#[test]
fn every_broken_template_is_exit_2_with_a_located_message() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "malformed.yaml",
            "Resources:\n  Q: [1, 2\n",
            "malformed.yaml:3:1: YAML syntax",
        ),
        (
            "duplicate.yaml",
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  Q:\n    Type: AWS::SNS::Topic\n",
            "duplicate.yaml:4:3: the key \"Q\" is repeated",
        ),
        ("empty.yaml", "", "empty.yaml:1:1: the file is empty"),
        (
            "list.yaml",
            "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  - Q\n",
            "list.yaml:2:1: Resources: Resources is an array, not a mapping",
        ),
        (
            "null.yaml",
            "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n",
            "null.yaml:2:1: Parameters: the Parameters section is empty (null)",
        ),
        (
            "redrive.yaml",
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy:\n        deadLetterTargetArn: x\n        maxReceiveCount: lots\n",
            "redrive.yaml:7:9: Resources.Q.Properties.RedrivePolicy.maxReceiveCount: maxReceiveCount is not a whole number",
        ),
        (
            "event.yaml",
            "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        Up:\n          Properties: {}\n",
            "event.yaml:6:9: Resources.F.Properties.Events.Up: the event source has no Type",
        ),
        (
            "tag.yaml",
            "Resources:\n  Q:\n    Type: !Bogus AWS::SQS::Queue\n",
            "tag.yaml:3:11: unknown tag !Bogus",
        ),
    ];
    for (name, yaml, expected) in cases {
        let path = write_temp(&dir, name, yaml);
        for command in ["import", "check"] {
            let out = run(&[command, path.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(2), "{command} {name}");
            assert!(out.stdout.is_empty(), "{command} {name}");
            let stderr = text(&out.stderr);
            let wanted = format!("error: {}", path.parent().unwrap().join(expected).display());
            assert!(
                stderr.starts_with(&wanted),
                "{command} {name}: {stderr}\nwanted: {wanted}"
            );
        }
    }
    // `check --format json` reports the located problem in its JSON.
    let path = dir.path().join("null.yaml");
    let out = run(&["check", path.to_str().unwrap(), "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["problems"][0]["path"], "Parameters");
    assert_eq!(report["problems"][0]["line"], 2);
}

#[test]
fn an_oversized_or_binary_template_is_refused_up_front() {
    let dir = tempfile::tempdir().unwrap();
    let mut big = String::from("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Metadata: \"");
    big.push_str(&"x".repeat(17 << 20));
    big.push_str("\"\n");
    let path = write_temp(&dir, "big.yaml", &big);
    let out = run(&["import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("MiB are refused"),
        "{}",
        text(&out.stderr)
    );
    let path = dir.path().join("binary.yaml");
    std::fs::write(&path, b"Resources:\n  Q: \xff\xfe\n").unwrap();
    let out = run(&["import", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not UTF-8"),
        "{}",
        text(&out.stderr)
    );
}
