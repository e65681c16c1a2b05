//! Black-box tests of the memory bounds: the real binary under an address-space limit the test
//! sets (`ulimit -v`), so a regression fails here instead of eating the machine.
#![cfg(target_os = "linux")]

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The limit every run here gets: far below what the unbounded reads took (8 GB and more).
const LIMIT_KIB: u64 = 1024 * 1024;

/// The binary under `ulimit -v`, with `args`, started in the project folder.
fn limited(args: &[&str]) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {LIMIT_KIB} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_event-architect"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("EVENT_ARCHITECT_MEMORY_MIB");
    command
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Exit 2 with `expected` in the message: refused, not aborted.
fn assert_refused(output: &Output, expected: &str) {
    let message = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains(expected), "{message}");
    assert!(!message.contains("memory allocation"), "{message}");
    assert!(output.stdout.is_empty());
}

#[test]
fn endless_devices_are_refused_at_their_first_byte() {
    for device in ["/dev/zero", "/dev/urandom"] {
        for command in ["check", "plan"] {
            let output = limited(&[command, device]).output().unwrap();
            assert_refused(&output, &format!("{device}:1:"));
        }
    }
    let output = limited(&["check", "-"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    assert_refused(&output, "<stdin>:1:1: malformed JSON");
}

#[test]
fn files_that_claim_or_hold_more_than_their_json_are_refused_at_the_first_bad_byte() {
    let folder = tempfile::tempdir().unwrap();
    // A sparse terabyte: its size is a claim, its bytes are zeros.
    let sparse = folder.path().join("sparse.json");
    std::fs::File::create(&sparse)
        .unwrap()
        .set_len(1 << 40)
        .unwrap();
    let output = limited(&["check", sparse.to_str().unwrap()])
        .output()
        .unwrap();
    assert_refused(&output, "sparse.json:1:1: malformed JSON");

    // A valid design followed by 4 GiB of zeros (sparse: no disk) under the 1 GiB limit: the
    // file is streamed as standard input is, so the error comes where the zeros start, having
    // read no more than a window past them.
    let design = std::fs::read_to_string("samples/register_login.json").unwrap();
    let lines = design.lines().count();
    let tailed = folder.path().join("tailed.json");
    let mut file = std::fs::File::create(&tailed).unwrap();
    file.write_all(design.as_bytes()).unwrap();
    file.set_len(design.len() as u64 + (4 << 30)).unwrap();
    drop(file);
    let output = limited(&["check", tailed.to_str().unwrap()])
        .output()
        .unwrap();
    assert_refused(
        &output,
        &format!(
            "tailed.json:{}:1: malformed JSON: trailing characters",
            lines + 1
        ),
    );
}

#[test]
fn a_stream_of_valid_json_longer_than_the_budget_is_refused_with_how_to_raise_it() {
    // 12 MiB of one long array against a 32 MiB budget (8 MiB may be read whole).
    let mut child = limited(&["check", "-"])
        .env("EVENT_ARCHITECT_MEMORY_MIB", "32")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(b"[");
        for _ in 0..(3 << 20) {
            if stdin.write_all(b"1, ").is_err() {
                return; // the reader stopped at the budget, as it should
            }
        }
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_refused(&output, "EVENT_ARCHITECT_MEMORY_MIB=");
    assert!(
        stderr(&output).contains("read from a stream"),
        "{}",
        stderr(&output)
    );
}

fn scenario_file(folder: &tempfile::TempDir, text: &str) -> String {
    let path = folder.path().join("scenario.json");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn simulations_whose_memory_depends_on_the_input_are_checked_up_front() {
    let folder = tempfile::tempdir().unwrap();
    // The 60-byte scenario that passed 3 GB in seconds: 10^8 registrations.
    let scenario = scenario_file(
        &folder,
        r#"{"repeat": 100000000, "requests": [{"route": "POST /register", "body": {"name": "u{n}", "email": "u{n}@x.io", "password": "correct horse"}}]}"#,
    );
    let output = simulate_sample(&scenario);
    assert_refused(&output, "100000000 requests could take");
    assert!(stderr(&output).contains("EVENT_ARCHITECT_MEMORY_MIB="));

    let scenario = scenario_file(
        &folder,
        r#"{"requests": [], "hash_cost": {"m_cost_kib": 4194304, "t_cost": 1, "p_cost": 1}}"#,
    );
    let output = simulate_sample(&scenario);
    assert_refused(&output, "hash_cost.m_cost_kib");
}

/// `simulate` of the register/login sample with `scenario`, under the limit.
fn simulate_sample(scenario: &str) -> Output {
    limited(&[
        "simulate",
        "samples/register_login.json",
        "--scenario",
        scenario,
    ])
    .output()
    .unwrap()
}

/// Runs `args` under the limit for `seconds`, reading and counting its stdout, then stops it.
/// Returns how many bytes it wrote and whether it was still running (not aborted) at the end.
fn run_for(args: &[&str], seconds: u64) -> (u64, Option<i32>) {
    let (written, status, _) = run_for_head(args, seconds);
    (written, status)
}

/// [`run_for`], also returning the first 4 KiB of stdout. Stderr is discarded (a pipe nobody
/// reads would stop a run that says much there).
fn run_for_head(args: &[&str], seconds: u64) -> (u64, Option<i32>, String) {
    let mut child = limited(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let counter = std::thread::spawn(move || {
        let mut head = Vec::new();
        let _ = (&mut stdout).take(4096).read_to_end(&mut head);
        let rest = std::io::copy(&mut stdout, &mut std::io::sink()).unwrap_or(0);
        (
            head.len() as u64 + rest,
            String::from_utf8_lossy(&head).into_owned(),
        )
    });
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut finished = None;
    while finished.is_none() && Instant::now() < deadline {
        finished = child.try_wait().ok().flatten();
        std::thread::sleep(Duration::from_millis(50));
    }
    // Stopped if still running; waited for either way.
    let _ = child.kill();
    let status = child.wait().unwrap();
    let status = finished.map(|_| status.code().unwrap_or(-1));
    let (written, head) = counter.join().unwrap();
    (written, status, head)
}

#[test]
fn long_runs_stream_their_trace_and_keep_summaries_in_constant_memory() {
    let folder = tempfile::tempdir().unwrap();
    // Logins of an unknown user store nothing: any number of them may run. At the lowest hash
    // cost this sends thousands of requests a second; under the limit it must keep going.
    let scenario = scenario_file(
        &folder,
        r#"{"repeat": 100000000, "hash_cost": {"m_cost_kib": 8, "t_cost": 1, "p_cost": 1},
            "requests": [{"route": "POST /login", "body": {"name": "nobody", "password": "wrong password"}}]}"#,
    );
    for extra in [&["--summary"][..], &["--format", "json"], &[]] {
        let mut args = vec![
            "simulate",
            "samples/register_login.json",
            "--scenario",
            &scenario,
        ];
        args.extend_from_slice(extra);
        let (written, status) = run_for(&args, 4);
        assert_eq!(
            status, None,
            "{extra:?}: still running when stopped, not aborted"
        );
        if extra != ["--summary"] {
            assert!(
                written > 1 << 20,
                "{extra:?}: the trace streams out ({written} bytes)"
            );
        }
    }
}

#[test]
fn a_fan_out_loop_streams_its_trace_in_bounded_memory() {
    // Every event doubles on its way round: each request runs into the per-request event limit.
    let folder = tempfile::tempdir().unwrap();
    let design = folder.path().join("fan-out.json");
    std::fs::write(
        &design,
        r#"{"version": 2, "name": "fan-out loop", "services": [
            {"id": "api", "kind": "gateway", "routes": [{"route": "POST /go", "event": "Go"}]},
            {"id": "a", "kind": "function", "behavior": "forward"},
            {"id": "b", "kind": "function", "behavior": "forward"},
            {"id": "c", "kind": "function", "behavior": "forward"}],
          "edges": [{"from": "api", "to": "a", "event": "Go"},
            {"from": "a", "to": "b", "event": "Split"}, {"from": "a", "to": "c", "event": "Split"},
            {"from": "b", "to": "a", "event": "Join"}, {"from": "c", "to": "a", "event": "Join"}]}"#,
    )
    .unwrap();
    let scenario = scenario_file(
        &folder,
        r#"{"repeat": 1000, "requests": [{"route": "POST /go", "body": {"n": "{n}"}}]}"#,
    );
    let design = design.to_str().unwrap();
    let (written, status) = run_for(
        &[
            "simulate",
            design,
            "--scenario",
            &scenario,
            "--format",
            "json",
        ],
        4,
    );
    assert!(matches!(status, None | Some(0)), "not aborted: {status:?}");
    assert!(written > 1 << 20, "the trace streams out ({written} bytes)");
}

#[test]
fn a_burst_faster_than_the_design_handles_stops_at_the_budget_instead_of_aborting() {
    let folder = tempfile::tempdir().unwrap();
    // 10^8 requests at the same instant: they pile up in flight.
    let scenario = scenario_file(
        &folder,
        r#"{"repeat": 100000000, "hash_cost": {"m_cost_kib": 8, "t_cost": 1, "p_cost": 1},
            "requests": [{"route": "POST /login", "body": {"name": "nobody", "password": "wrong password"}, "delay_ms": 0}]}"#,
    );
    let output = limited(&[
        "simulate",
        "samples/register_login.json",
        "--scenario",
        &scenario,
        "--summary",
    ])
    .env("EVENT_ARCHITECT_MEMORY_MIB", "64")
    .output()
    .unwrap();
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert!(message.contains("in flight at once"), "{message}");
    assert!(message.contains("delay_ms"), "{message}");
}

/// A bare design of `n` functions and the edges `edge(i)` gives each.
fn loop_design(path: &std::path::Path, n: usize, edge: impl Fn(usize) -> usize) {
    let mut text = String::from(r#"{"version": 2, "name": "loops", "services": ["#);
    for i in 0..n {
        let comma = if i == 0 { "" } else { "," };
        text.push_str(&format!(r#"{comma}{{"id": "s{i}", "kind": "function"}}"#));
    }
    text.push_str(r#"], "edges": ["#);
    for i in 0..n {
        let comma = if i == 0 { "" } else { "," };
        let to = edge(i);
        text.push_str(&format!(
            r#"{comma}{{"from": "s{i}", "to": "s{to}", "event": "E"}}"#
        ));
    }
    text.push_str("]}\n");
    std::fs::write(path, text).unwrap();
}

#[test]
fn designs_made_of_many_loops_are_checked_in_time_linear_in_their_size() {
    // The shapes that once took time in the square of the number of loops (100,000 self-loops
    // took minutes; pairs and one ring alike). Each must finish (exit 1, every loop counted)
    // under the memory limit well before the guard stops it: the guard catches a hang, it is no
    // benchmark (`cargo bench --bench loops` and `scripts/bench_loops.sh` are).
    let folder = tempfile::tempdir().unwrap();
    let n = 100_000;
    type Shape<'a> = (&'a str, &'a dyn Fn(usize) -> usize, usize);
    let shapes: [Shape; 3] = [
        ("self-loops", &|i| i, n),
        ("pairs", &|i| if i % 2 == 0 { i + 1 } else { i - 1 }, n / 2),
        ("ring", &|i| (i + 1) % n, 1),
    ];
    for (name, edge, cycles) in shapes {
        let path = folder.path().join(format!("{name}.json"));
        loop_design(&path, n, edge);
        for command in ["check", "plan"] {
            let (written, status, head) = run_for_head(&[command, path.to_str().unwrap()], 120);
            assert_eq!(status, Some(1), "{command} {name}: still running or failed");
            assert!(written > 0, "{command} {name}: nothing written");
            if command == "check" {
                let plural = if cycles == 1 { "" } else { "s" };
                assert!(
                    head.contains(&format!("error: {cycles} cycle{plural} found")),
                    "{name}: {head}"
                );
            }
        }
    }
}
