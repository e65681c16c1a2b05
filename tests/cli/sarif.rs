//! `check --format sarif`: the real binary's SARIF logs, their exit codes and where their
//! results point in the file.

use super::*;

use serde_json::Value;

/// `check FILE --format FORMAT`: exit code and stdout.
fn check_as(file: &str, format: &str) -> (Option<i32>, Vec<u8>) {
    let out = run(&["check", file, "--format", format]);
    (out.status.code(), out.stdout)
}

fn sarif(file: &str) -> (Option<i32>, Value) {
    let (code, stdout) = check_as(file, "sarif");
    let log = serde_json::from_slice(&stdout)
        .unwrap_or_else(|e| panic!("{file}: not JSON ({e}): {}", text(&stdout)));
    (code, log)
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"].as_array().expect("results")
}

/// The text from a SARIF region (1-based line, column in code points) to the end.
fn text_at<'a>(file_text: &'a str, location: &Value) -> &'a str {
    let region = &location["physicalLocation"]["region"];
    let line = region["startLine"].as_u64().expect("startLine") as usize;
    let column = region["startColumn"].as_u64().expect("startColumn") as usize;
    let start: usize = file_text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let rest = &file_text[start..];
    let skip: usize = rest.chars().take(column - 1).map(char::len_utf8).sum();
    &rest[skip..]
}

/// The id of the design-file service object that starts `text`.
fn first_id(text: &str) -> String {
    assert!(text.starts_with('{'), "not at an object: {:.40}", text);
    let after = &text[text.find("\"id\"").expect("an id")..];
    let value: Vec<&str> = after.splitn(5, '"').collect();
    value[3].to_owned()
}

#[test]
fn exit_codes_are_those_of_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let invalid = write_temp(
        &dir,
        "bad.json",
        r#"{"version": 2, "services": [{"id": "a", "kind": "lambda"}], "edges": []}"#,
    );
    let malformed = write_temp(
        &dir,
        "malformed.json",
        "{\"version\": 2,\n  \"services\": [",
    );
    let files = [
        sample("register_login.json").to_str().unwrap().to_owned(),
        sample("event_loops.json").to_str().unwrap().to_owned(),
        invalid.to_str().unwrap().to_owned(),
        malformed.to_str().unwrap().to_owned(),
        fixture("templates/loop_s3_writeback.yaml"),
        fixture("templates/loop_websocket_reply.yaml"),
        fixture("templates/sqs_redrive.yaml"),
    ];
    let mut seen = Vec::new();
    for file in &files {
        let (text_code, _) = check_as(file, "text");
        let (json_code, _) = check_as(file, "json");
        let (sarif_code, log) = sarif(file);
        assert_eq!(sarif_code, text_code, "{file}");
        assert_eq!(sarif_code, json_code, "{file}");
        assert_eq!(log["version"], "2.1.0", "{file}");
        seen.push(sarif_code);
    }
    assert_eq!(
        seen,
        [
            Some(0),
            Some(1),
            Some(2),
            Some(2),
            Some(1),
            Some(0),
            Some(0)
        ]
    );
}

#[test]
fn one_result_per_cycle_with_its_class_rule() {
    let file = sample("event_loops.json");
    let file = file.to_str().unwrap();
    let (_, json) = check_as(file, "json");
    let report: Value = serde_json::from_slice(&json).unwrap();
    let (_, log) = sarif(file);
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "event-architect");
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    let rules: Vec<&str> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "loop-runaway",
            "loop-bounded",
            "loop-filtered",
            "loop-permission-only",
            "loop-intentional",
            "invalid-design"
        ]
    );
    let results = results(&log);
    let loops = report["loops"].as_array().unwrap();
    assert_eq!(results.len(), report["cycles"].as_array().unwrap().len());
    assert!(!results.is_empty());
    for (result, l) in results.iter().zip(loops) {
        let class = l["class"].as_str().unwrap();
        assert_eq!(result["ruleId"], format!("loop-{class}"));
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index], result["ruleId"]);
        assert_eq!(result["level"], "error");
        let message = result["message"]["text"].as_str().unwrap();
        let members: Vec<&str> = l["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap())
            .collect();
        assert!(message.contains(&members.join(" -> ")) || members.len() == 1);
        assert!(message.starts_with(&format!("{class} loop")), "{message}");
    }
}

#[test]
fn loops_point_at_their_services_and_edges_in_the_file() {
    let path = sample("event_loops.json");
    let file_text = std::fs::read_to_string(&path).unwrap();
    let (_, from_file) = sarif(path.to_str().unwrap());
    let from_stdin = run_stdin(&["check", "-", "--format", "sarif"], &file_text);
    let from_stdin: Value = serde_json::from_slice(&from_stdin.stdout).unwrap();
    let (_, json) = check_as(path.to_str().unwrap(), "json");
    let report: Value = serde_json::from_slice(&json).unwrap();
    let location = &results(&from_file)[0]["locations"][0];
    assert_eq!(
        location["physicalLocation"]["artifactLocation"]["uri"],
        "samples/event_loops.json"
    );
    for (log, name) in [(&from_file, "file"), (&from_stdin, "stdin")] {
        for (result, l) in results(log).iter().zip(report["loops"].as_array().unwrap()) {
            let first = l["members"][0].as_str().unwrap();
            let here = text_at(&file_text, &result["locations"][0]);
            assert_eq!(first_id(here), first, "{name}");
            // The line is the one just above `"id": "<first member>"`, found in the text.
            let id_line = file_text
                .lines()
                .position(|line| line.contains(&format!("\"id\": \"{first}\"")))
                .unwrap()
                + 1;
            let line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap() as usize;
            assert_eq!(line + 1, id_line, "{name}: {first}");
            let related = result["relatedLocations"].as_array().unwrap();
            let others = l["members"].as_array().unwrap().len() - 1;
            let edges = l["edges"].as_array().unwrap();
            assert_eq!(related.len(), others + edges.len(), "{name}");
            for (member, location) in l["members"].as_array().unwrap()[1..].iter().zip(related) {
                assert_eq!(first_id(text_at(&file_text, location)), *member, "{name}");
            }
            for (edge, location) in edges.iter().zip(&related[others..]) {
                let here = text_at(&file_text, location);
                let object = &here[..here.find('}').unwrap()];
                assert!(
                    object.contains(&format!("\"from\": \"{}\"", edge["from"].as_str().unwrap())),
                    "{name}: {object}"
                );
                assert!(object.contains(&format!("\"to\": \"{}\"", edge["to"].as_str().unwrap())));
            }
        }
    }
}

#[test]
fn a_template_loop_points_at_its_resource() {
    let file = fixture("templates/loop_s3_writeback.yaml");
    let file_text = std::fs::read_to_string(&file).unwrap();
    let (code, log) = sarif(&file);
    assert_eq!(code, Some(1));
    let results = results(&log);
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["ruleId"], "loop-runaway");
    let location = &results[0]["locations"][0];
    let name = location["logicalLocations"][0]["name"].as_str().unwrap();
    assert!(text_at(&file_text, location).starts_with(&format!("{name}:")));
    let uri = location["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert_eq!(uri, "tests/fixtures/templates/loop_s3_writeback.yaml");
    // An intentional loop is a note, and does not fail.
    let (code, log) = sarif(&fixture("templates/loop_websocket_reply.yaml"));
    assert_eq!(code, Some(0));
    assert_eq!(crate::sarif::results(&log)[0]["ruleId"], "loop-intentional");
    assert_eq!(crate::sarif::results(&log)[0]["level"], "note");
}

#[test]
fn problems_of_an_invalid_design_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let design = "{\n  \"version\": 2,\n  \"services\": [\n    {\"id\": \"a\", \"kind\": \"queue\"},\n    {\"id\": \"b\", \"kind\": \"lambda\"}\n  ],\n  \"edges\": [\n    {\"from\": \"a\", \"to\": \"zz\", \"event\": \"E\"}\n  ]\n}\n";
    let path = write_temp(&dir, "bad.json", design);
    let (code, log) = sarif(path.to_str().unwrap());
    assert_eq!(code, Some(2));
    let stdin = run_stdin(&["check", "-", "--format", "sarif"], design);
    assert_eq!(stdin.status.code(), Some(2));
    let stdin: Value = serde_json::from_slice(&stdin.stdout).unwrap();
    for log in [&log, &stdin] {
        let results = results(log);
        assert_eq!(results.len(), 2);
        for result in results {
            assert_eq!(result["ruleId"], "invalid-design");
            assert_eq!(result["level"], "error");
        }
        assert!(
            results[0]["message"]["text"]
                .as_str()
                .unwrap()
                .starts_with("services[1].kind")
        );
        let region = |i: usize| results[i]["locations"][0]["physicalLocation"]["region"].clone();
        assert_eq!(
            region(0),
            serde_json::json!({"startLine": 5, "startColumn": 5})
        );
        assert_eq!(
            region(1),
            serde_json::json!({"startLine": 8, "startColumn": 5})
        );
    }
    // Malformed JSON: at the parser's line and column.
    let path = write_temp(
        &dir,
        "malformed.json",
        "{\"version\": 2,\n  \"services\": [",
    );
    let (code, log) = sarif(path.to_str().unwrap());
    assert_eq!(code, Some(2));
    assert_eq!(
        results(&log)[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}
