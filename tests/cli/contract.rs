//! The README's exit-code and stdout/stderr contract, subcommand by subcommand, and what the
//! CLI prints of hostile ids, paths and arguments.

use super::*;
use std::io::Read;
use std::process::{Command, Stdio};

/// What a run gave: exit code, whether stdout and stderr had anything.
#[derive(Debug, PartialEq, Eq)]
struct Split {
    code: Option<i32>,
    stdout: bool,
    stderr: bool,
}

fn split(out: &std::process::Output) -> Split {
    Split {
        code: out.status.code(),
        stdout: !out.stdout.is_empty(),
        stderr: !out.stderr.is_empty(),
    }
}

fn expect(code: i32, stdout: bool, stderr: bool) -> Split {
    Split {
        code: Some(code),
        stdout,
        stderr,
    }
}

/// A sample as the binary under test spells its path (`Z:\...` under Wine).
fn s(name: &str) -> String {
    common::arg_path(&sample(name))
}

const INVALID: &str = r#"{"version": 1, "services": [{"id": "a", "kind": "lambda"}]}"#;

#[test]
fn every_subcommand_splits_stdout_and_stderr_as_the_readme_says() {
    let dir = tempfile::tempdir().unwrap();
    let bad = common::arg_path(&write_temp(&dir, "bad.json", INVALID));
    let bad = bad.as_str();
    let bad_scenario =
        common::arg_path(&write_temp(&dir, "bad.scenario.json", "{\"requests\": 3}"));
    let plan_file = dir.path().join("plan.md");
    let out_file = common::arg_path(&plan_file);
    let clean = s("register_login.json");
    let loops = s("event_loops.json");
    // Relative to the working directory (the project folder), in the binary's own spelling.
    let relative = format!("samples{}register_login.json", common::separator());
    let cases: Vec<(Vec<&str>, Split)> = vec![
        // check: the report is the output; it lists cycles itself.
        (vec!["check", &clean], expect(0, true, false)),
        (vec!["check", &relative], expect(0, true, false)),
        (vec!["check", &loops], expect(1, true, false)),
        (vec!["check", bad], expect(2, false, true)),
        (
            vec!["check", &clean, "--format", "json"],
            expect(0, true, false),
        ),
        (
            vec!["check", &loops, "--format", "json"],
            expect(1, true, false),
        ),
        // The one exception to "nothing on stdout with exit 2": the JSON report of problems.
        (
            vec!["check", bad, "--format", "json"],
            expect(2, true, true),
        ),
        // plan: stdout holds the plan only; cycles go to stderr.
        (vec!["plan", &clean], expect(0, true, false)),
        (vec!["plan", &loops], expect(1, true, true)),
        (vec!["plan", bad], expect(2, false, true)),
        (
            vec!["plan", &clean, "-o", &out_file],
            expect(0, false, false),
        ),
        (
            vec!["plan", &loops, "-o", &out_file],
            expect(1, false, true),
        ),
        // simulate: 0 when the run completed, 2 on bad input.
        (
            vec!["simulate", &clean, "--format", "json"],
            expect(0, true, false),
        ),
        (vec!["simulate", bad], expect(2, false, true)),
        (
            vec!["simulate", &clean, "--scenario", &bad_scenario],
            expect(2, false, true),
        ),
        // export: the template on stdout; what SAM cannot say as notes on stderr.
        (vec!["export", &clean], expect(0, true, false)),
        (vec!["export", &loops], expect(0, true, false)),
        (vec!["export", bad], expect(2, false, true)),
        (
            vec!["export", &clean, "-o", &out_file],
            expect(0, false, false),
        ),
        (
            vec!["export", &clean, "--format", "terraform"],
            expect(2, false, true),
        ),
        (vec!["schema"], expect(0, true, false)),
        // render: the picture is the output; cycles go to stderr as for plan.
        (vec!["render", &clean], expect(0, true, false)),
        (vec!["render", &loops], expect(1, true, true)),
        (vec!["render", bad], expect(2, false, true)),
        // Arguments: usage errors on stderr; --help and --version on stdout.
        (
            vec!["plan", &clean, "--format", "pdf"],
            expect(2, false, true),
        ),
        (vec!["check"], expect(2, false, true)),
        (vec!["frobnicate", "x"], expect(2, false, true)),
        (vec!["plan", "--help"], expect(0, true, false)),
        (vec!["--version"], expect(0, true, false)),
    ];
    for (args, expected) in cases {
        let out = run(&args);
        assert_eq!(
            split(&out),
            expected,
            "{args:?}\nstdout: {}\nstderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
    let report: serde_json::Value =
        serde_json::from_slice(&run(&["check", bad, "--format", "json"]).stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["problems"][0]["path"], "services[0].kind");
    // The last `-o` above wrote the template into the file the binary was given.
    let written = std::fs::read_to_string(&plan_file).unwrap();
    assert!(
        written.starts_with("---\nAWSTemplateFormatVersion"),
        "{written}"
    );
}

#[test]
fn crlf_input_on_stdin_and_in_files_gives_the_same_answers() {
    let lf = std::fs::read_to_string(sample("event_loops.json")).unwrap();
    let crlf = lf.replace('\n', "\r\n");
    let dir = tempfile::tempdir().unwrap();
    let crlf_file = common::arg_path(&write_temp(&dir, "crlf.json", &crlf));
    for args in [["check", "-"], ["plan", "-"]] {
        let from_lf = run_stdin(&args, &lf);
        let from_crlf = run_stdin(&args, &crlf);
        assert_eq!(split(&from_crlf), split(&from_lf), "{args:?}");
        assert_eq!(from_crlf.status.code(), Some(1), "{args:?}");
        assert_eq!(from_crlf.stdout, from_lf.stdout, "{args:?}");
        // A file named on the command line reads the same as standard input.
        let from_file = run(&[args[0], &crlf_file]);
        assert_eq!(from_file.status.code(), Some(1), "{args:?}");
        let stdout = text(&from_file.stdout);
        assert!(!stdout.contains('\r'), "{args:?}: {stdout:?}");
        if args[0] == "plan" {
            assert_eq!(from_file.stdout, from_lf.stdout, "the plan names no file");
        }
    }
}

/// Runs the binary with its standard output set up by `sh` (`>&-`, `> /dev/full`, `1<>/dev/null`).
fn with_stdout(redirect: &str, args: &[&str]) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("exec \"$@\" {redirect}"))
        .arg("sh")
        .args(common::program())
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// Every subcommand, on a clean sample (each exits 0 into a file).
fn every_subcommand(clean: &str) -> [Vec<&str>; 7] {
    [
        vec!["check", clean],
        vec!["check", clean, "--format", "json"],
        vec!["plan", clean],
        vec!["render", clean],
        vec!["export", clean],
        vec!["simulate", clean],
        vec!["schema"],
    ]
}

/// A run that ended as it would into a file: exit 0, nothing on stderr.
fn assert_as_into_a_file(out: &std::process::Output, label: &str) {
    assert_eq!(out.status.code(), Some(0), "{label}: {}", text(&out.stderr));
    assert!(out.stderr.is_empty(), "{label}: {}", text(&out.stderr));
}

#[test]
fn a_full_stdout_is_exit_2_with_a_message_for_every_subcommand() {
    if !Path::new("/dev/full").exists() {
        return;
    }
    let clean = s("register_login.json");
    for args in every_subcommand(&clean) {
        let out = with_stdout("> /dev/full", &args);
        assert_eq!(out.status.code(), Some(2), "{args:?} > /dev/full");
        let stderr = text(&out.stderr);
        assert!(stderr.contains("No space left"), "{args:?}: {stderr}");
        assert!(stderr.contains("hint: free some space"), "{stderr}");
    }
}

#[test]
fn output_discarded_the_way_harnesses_discard_it_succeeds_for_every_subcommand() {
    // A shell's `> /dev/null` (write-only), what Python's `subprocess.DEVNULL` and Node's
    // `stdio: "ignore"` give (read-write `/dev/null`, here `1<>`), and a stdout closed at start,
    // which Rust's runtime reopens on a read-write `/dev/null` before `main` and so cannot be
    // told apart: each run ends as it would into a file, with nothing on stderr.
    let clean = s("register_login.json");
    for args in every_subcommand(&clean) {
        for redirect in ["> /dev/null", "1<>/dev/null", ">&-"] {
            let out = with_stdout(redirect, &args);
            assert_as_into_a_file(&out, &format!("{args:?} {redirect}"));
        }
    }
    // The harnesses themselves, where the machine has them (CI has both).
    let program = common::program();
    let python = "import subprocess, sys\n\
        r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n\
        sys.stderr.buffer.write(r.stderr)\n\
        sys.exit(r.returncode)";
    let node = "const r = require('child_process').spawnSync(process.argv[1], process.argv.slice(2), \
        {stdio: ['ignore', 'ignore', 'pipe']});\n\
        process.stderr.write(r.stderr);\n\
        process.exit(r.status);";
    for (harness, flag, script) in [("python3", "-c", python), ("node", "-e", node)] {
        if Command::new(harness).arg("--version").output().is_err() {
            continue;
        }
        for args in every_subcommand(&clean) {
            let out = Command::new(harness)
                .args([flag, script])
                .args(&program)
                .args(&args)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .output()
                .unwrap();
            assert_as_into_a_file(&out, &format!("{harness} {args:?}"));
        }
    }
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    // Far more than a pipe holds (64 KiB), so the writer meets the closed pipe.
    let mut design = String::from("{\"version\": 2, \"services\": [");
    for i in 0..20_000 {
        let comma = if i == 0 { "" } else { "," };
        design.push_str(&format!(
            "{comma}{{\"id\": \"service-{i}\", \"kind\": \"queue\"}}"
        ));
    }
    design.push_str("]}");
    let path = write_temp(&dir, "wide.json", &design);
    for args in [
        vec!["plan", path.to_str().unwrap()],
        vec!["plan", path.to_str().unwrap(), "-o", "/dev/stdout"],
        vec!["check", path.to_str().unwrap()],
    ] {
        let mut child = bin()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The reader is gone (`| head -c 16`).
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(text(&out.stderr), "", "{args:?}");
    }
}

#[test]
fn ids_with_control_and_bidi_characters_cannot_forge_lines() {
    let dir = tempfile::tempdir().unwrap();
    // A cyclic design whose id tries to print a clean verdict and recolour the terminal.
    let design = r#"{"version": 1, "name": "x\u001b[2J", "services": [
        {"id": "a\nok: no cycles", "kind": "queue"},
        {"id": "b\u202Egnp.exe", "kind": "queue"}],
      "edges": [{"from": "a\nok: no cycles", "to": "b\u202Egnp.exe", "event": "E"},
                {"from": "b\u202Egnp.exe", "to": "a\nok: no cycles", "event": "F"}]}"#;
    let path = write_temp(&dir, "evil\u{1b}[31m.json", design);
    let out = run(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(!stdout.lines().any(|l| l.starts_with("ok:")), "{stdout}");
    assert!(
        stdout.contains("a\\nok: no cycles -> b\\u{202e}gnp.exe"),
        "{stdout}"
    );
    assert!(stdout.contains("evil\\u{1b}[31m.json"), "{stdout}");
    assert!(stdout.contains("\"x\\u{1b}[2J\""), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{202e}'),
        "{stdout}"
    );
    let out = run(&["plan", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{202e}'),
        "{stderr}"
    );
    assert!(
        stderr.contains("cycle 1: a\\nok: no cycles -> "),
        "{stderr}"
    );
}

#[test]
fn huge_values_and_arguments_are_cut_with_their_length() {
    let dir = tempfile::tempdir().unwrap();
    let long_id = "x".repeat(5_000_000);
    let design = format!(
        r#"{{"version": 1, "services": [{{"id": "{long_id}", "kind": "queue"}}, {{"id": "{long_id}", "kind": "queue"}}]}}"#
    );
    let path = write_temp(&dir, "long.json", &design);
    let out = run(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.len() < 20_000, "{} bytes of stderr", stderr.len());
    assert!(stderr.contains("duplicate id"), "{stderr}");
    assert!(stderr.contains(" bytes in all)"), "{stderr}");

    let argument = "p".repeat(100_000);
    let out = run(&["plan", "x.json", "--format", &argument]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.len() < 5_000, "{} bytes of stderr", stderr.len());
    assert!(stderr.contains("--format"), "{stderr}");
    assert!(stderr.contains("bytes in all)"), "{stderr}");
}

#[test]
fn a_missing_design_says_what_to_do() {
    let out = run(&["check", "/definitely/not/here.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("hint: check the file name"), "{stderr}");
    let design = s("register_login.json");
    let out = run(&["simulate", &design, "--scenario", "/no/such.scenario.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("hint: check the file name"), "{stderr}");
    let out = run(&["check", env!("CARGO_MANIFEST_DIR")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("hint:"), "{}", text(&out.stderr));
}

#[test]
fn on_a_terminal_the_plan_formats_escape_what_they_carry_raw() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_temp(
        &dir,
        "esc.json",
        r#"{"version": 1, "services": [{"id": "a\u001b[31mred\u202e", "kind": "queue"}]}"#,
    );
    let plan = |terminal: bool| {
        let program: Vec<String> = common::program()
            .iter()
            .map(|word| format!("'{}'", word.to_string_lossy()))
            .collect();
        let command = format!(
            "{} plan '{}' --format markdown",
            program.join(" "),
            common::arg_path(&path)
        );
        let out = if terminal {
            // util-linux's `script` runs the command on a pseudo-terminal.
            Command::new("script")
                .args(["-qec", &command, "/dev/null"])
                .stdin(Stdio::null())
                .output()
                .expect("script (util-linux) runs the binary on a terminal")
        } else {
            Command::new("sh").args(["-c", &command]).output().unwrap()
        };
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let on_terminal = plan(true);
    assert!(!on_terminal.contains('\u{1b}'), "{on_terminal:?}");
    assert!(!on_terminal.contains('\u{202e}'), "{on_terminal:?}");
    assert!(
        on_terminal.contains("a\\u{1b}[31mred\\u{202e}"),
        "{on_terminal}"
    );
    // Into a pipe, the Markdown is the plan module's own bytes.
    assert!(plan(false).contains("a\u{1b}[31mred"));
}

#[test]
fn a_mistyped_subcommand_is_named_and_the_closest_one_suggested() {
    let design = s("register_login.json");
    for (args, closest) in [
        (vec!["chek", design.as_str()], "check"),
        (vec!["rendr"], "render"),
        (vec!["simulte", design.as_str(), "--summary"], "simulate"),
    ] {
        let out = run(&args);
        let stderr = text(&out.stderr);
        assert_eq!(split(&out), expect(2, false, true), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("'{}' is not a subcommand", args[0])),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!("did you mean '{closest}'?")),
            "{stderr}"
        );
    }
    // Nothing close: the subcommands are listed.
    let out = run(&["xyzzy", &design]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("the subcommands are check, plan"),
        "{}",
        text(&out.stderr)
    );
}
