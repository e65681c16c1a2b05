//! Black-box tests of `event-architect simulate`: the real binary on the shipped samples.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{run, run_stdin};

use serde_json::Value;

const DESIGN: &str = "samples/register_login.json";
const SCENARIO: &str = "samples/register_login.scenario.json";

fn root(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn sample_json() -> (Output, Value) {
    let output = run(&[
        "simulate",
        DESIGN,
        "--scenario",
        SCENARIO,
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = serde_json::from_slice(&output.stdout).unwrap();
    (output, report)
}

fn statuses(report: &Value) -> Vec<u64> {
    report["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect()
}

#[test]
fn every_status_of_the_sample_in_request_order() {
    let (_, report) = sample_json();
    assert_eq!(statuses(&report), [201, 409, 400, 401, 401, 200]);
    let responses = report["responses"].as_array().unwrap();
    let routes: Vec<&str> = responses
        .iter()
        .map(|r| r["route"].as_str().unwrap())
        .collect();
    assert_eq!(routes[..3], ["POST /register"; 3]);
    assert_eq!(routes[3..], ["POST /login"; 3]);
    assert_eq!(responses[0]["body"]["name"], "alice");
    assert_eq!(responses[1]["body"]["field"], "name");
    assert_eq!(responses[2]["body"]["field"], "email");
    assert_eq!(
        responses[3]["body"], responses[4]["body"],
        "unknown user and wrong password look the same"
    );
    assert_eq!(responses[5]["body"]["name"], "alice");

    let users = report["store"]["users"].as_array().unwrap();
    assert_eq!(users.len(), 1, "only alice is stored");
    let alice = users[0].as_object().unwrap();
    let keys: Vec<&str> = alice.keys().map(String::as_str).collect();
    assert_eq!(keys, ["name", "email", "password_hash", "created_at"]);
    let hash = alice["password_hash"].as_str().unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert_eq!(report["hash_cost"]["lowered"], false);
}

#[test]
fn the_builtin_scenario_is_the_sample() {
    let builtin = run(&["simulate", DESIGN, "--format", "json"]);
    assert_eq!(builtin.status.code(), Some(0), "{}", stderr(&builtin));
    let report: Value = serde_json::from_slice(&builtin.stdout).unwrap();
    assert_eq!(statuses(&report), [201, 409, 400, 401, 401, 200]);
    let (sample, _) = sample_json();
    assert_eq!(builtin.stdout, sample.stdout);
}

#[test]
fn trace_is_ordered_and_links_requests_to_their_events() {
    let (_, report) = sample_json();
    let trace = report["trace"].as_array().unwrap();
    let field = |e: &Value, k: &str| e[k].as_u64();
    for (i, entry) in trace.iter().enumerate() {
        assert_eq!(field(entry, "id"), Some(i as u64));
        for key in [
            "at_us",
            "service",
            "kind",
            "event",
            "payload",
            "outcome",
            "duration_us",
        ] {
            assert!(entry.get(key).is_some(), "{key} missing in {entry}");
        }
        if i > 0 {
            assert!(field(&trace[i - 1], "at_us") <= field(entry, "at_us"));
        }
        // Following caused_by always ends at the request entry of the same request.
        let mut at = entry;
        while let Some(cause) = at["caused_by"].as_u64() {
            let parent = &trace[cause as usize];
            assert_eq!(parent["request"], entry["request"], "{entry}");
            at = parent;
        }
        assert_eq!(at["kind"], "request", "{entry}");
    }
    let handled = |service: &str| -> Vec<(u64, String)> {
        trace
            .iter()
            .filter(|e| e["service"] == service && e["kind"] == "handle")
            .map(|e| {
                (
                    field(e, "request").unwrap(),
                    e["event"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(handled("welcome"), [(0, "UserRegistered".to_owned())]);
    assert_eq!(handled("audit"), [(5, "UserLoggedIn".to_owned())]);
    assert_eq!(handled("register").len(), 3);
    assert_eq!(handled("login").len(), 3);
    // Per request: request, then handle, then response, in that order.
    for request in 0..6u64 {
        let kinds: Vec<&str> = trace
            .iter()
            .filter(|e| field(e, "request") == Some(request))
            .map(|e| e["kind"].as_str().unwrap())
            .filter(|k| *k != "store")
            .collect();
        assert_eq!(kinds[..3], ["request", "handle", "response"], "#{request}");
    }
    let welcome = trace.iter().find(|e| e["service"] == "welcome").unwrap();
    assert!(welcome["payload"].get("password").is_none());
    assert_eq!(welcome["from"], "register");
}

#[test]
fn same_input_same_output_byte_for_byte() {
    for format in ["json", "text"] {
        let args = [
            "simulate",
            DESIGN,
            "--scenario",
            SCENARIO,
            "--format",
            format,
        ];
        let first = run(&args);
        let second = run(&args);
        assert_eq!(first.status.code(), Some(0));
        assert_eq!(first.stdout, second.stdout, "{format}");
    }
    let seeded = |seed: &str| run(&["simulate", DESIGN, "--format", "json", "--seed", seed]).stdout;
    assert_eq!(seeded("5"), seeded("5"));
    assert_ne!(seeded("5"), seeded("6"), "the seed decides the salts");
}

#[test]
fn no_plaintext_password_in_any_output() {
    let scenario: Value =
        serde_json::from_str(&std::fs::read_to_string(root(SCENARIO)).unwrap()).unwrap();
    let passwords: Vec<String> = scenario["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["body"]["password"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(passwords.len(), 6);
    let text = run(&["simulate", DESIGN, "--scenario", SCENARIO]);
    let (json, report) = sample_json();
    for output in [&text, &json] {
        let all = [output.stdout.as_slice(), output.stderr.as_slice()].concat();
        let all = String::from_utf8(all).unwrap();
        for password in &passwords {
            assert!(!all.contains(password.as_str()), "{password} leaked");
        }
    }
    let trace = report["trace"].to_string();
    assert!(trace.contains(r#""password":"***""#));
    assert!(!report["store"].to_string().contains("\"password\""));
}

#[test]
fn text_output_is_a_timeline_with_responses_and_store() {
    let output = run(&["simulate", DESIGN, "--scenario", SCENARIO]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    for needle in [
        "timeline",
        "POST /register: published RegisterRequested to register",
        "201 Created",
        "409 Conflict",
        "400 Bad Request: email is required",
        "401 Unauthorized",
        "200 OK; published UserLoggedIn to audit",
        "users (1 item, key \"name\")",
        "$argon2id$",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
}

#[test]
fn malformed_scenario_exits_2_naming_file_place_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(
        &broken,
        "{\n  \"requests\": [\n    {\"route\": \"POST /login\" \"body\": {}}\n  ]\n}\n",
    )
    .unwrap();
    let output = run(&["simulate", DESIGN, "--scenario", broken.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let message = stderr(&output);
    assert!(message.starts_with("error: "), "{message}");
    assert!(
        message.contains("broken.json:3:29: malformed JSON: expected `,` or `}`"),
        "{message}"
    );
    assert!(message.contains("hint:"), "{message}");

    let wrong = dir.path().join("wrong.json");
    std::fs::write(
        &wrong,
        r#"{"requests": [{"route": "POST /regster", "body": {}}, {"route": "POST /login", "delay_ms": "soon"}]}"#,
    )
    .unwrap();
    let output = run(&["simulate", DESIGN, "--scenario", wrong.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("wrong.json"), "{message}");
    assert!(message.contains("requests[1].delay_ms"), "{message}");

    let fixed = dir.path().join("route.json");
    std::fs::write(
        &fixed,
        r#"{"requests": [{"route": "POST /regster", "body": {}}]}"#,
    )
    .unwrap();
    let output = run(&["simulate", DESIGN, "--scenario", fixed.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("requests[0].route"), "{message}");
    assert!(
        message.contains("did you mean \"POST /register\""),
        "{message}"
    );

    let missing = run(&["simulate", DESIGN, "--scenario", "no/such/file.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read no/such/file.json"));
}

#[test]
fn design_from_stdin_and_bad_design() {
    let design = std::fs::read_to_string(root(DESIGN)).unwrap();
    let output = run_stdin(&["simulate", "-", "--format", "json"], &design);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(statuses(&report), [201, 409, 400, 401, 401, 200]);

    let both = run(&["simulate", "-", "--scenario", "-"]);
    assert_eq!(both.status.code(), Some(2));
    let bad = run(&["simulate", "no/such/design.json"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("no/such/design.json"));
}

#[test]
fn a_load_run_says_the_hashing_cost_was_lowered() {
    let scenario = r#"{"repeat": 200, "seed": 1,
        "hash_cost": {"m_cost_kib": 8, "t_cost": 1, "p_cost": 1},
        "requests": [
          {"route": "POST /register", "delay_ms": 1, "body": {"name": "user{n}", "email": "u{n}@example.com", "password": "password-{n}"}},
          {"route": "POST /login", "delay_ms": 40, "body": {"name": "user{n}", "password": "password-{n}"}}
        ]}"#;
    let output = run_stdin(
        &[
            "simulate",
            DESIGN,
            "--scenario",
            "-",
            "--summary",
            "--format",
            "json",
        ],
        scenario,
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["requests"], 400);
    assert_eq!(report["statuses"]["201"], 200);
    assert_eq!(report["statuses"]["200"], 200);
    assert_eq!(report["store_items"]["users"], 200);
    assert_eq!(report["events_delivered"], 800);
    assert!(report["notes"][0].as_str().unwrap().contains("lowered"));

    let text = run_stdin(
        &["simulate", DESIGN, "--scenario", "-", "--summary"],
        scenario,
    );
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.contains("note: password hashing cost lowered"),
        "{text}"
    );
}

#[test]
fn help_explains_how_routes_reach_functions() {
    let output = run(&["simulate", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("How a request reaches a function"), "{help}");
    assert!(help.contains("--scenario"));
    assert!(help.contains("{i} becomes the repeat number"), "{help}");
}
