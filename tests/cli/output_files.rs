//! `-o` and standard output as files: symlinks, hard links, modes, devices, signals, litter.

use super::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// The binary under `sh`, for what a test process cannot set on itself without unsafe code
/// (a umask, a closed descriptor).
fn sh(script: &str, args: &[&str]) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_event-architect"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn saga() -> String {
    sample("ecommerce_saga.json").to_str().unwrap().to_owned()
}

fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn temporaries(folder: &Path) -> Vec<String> {
    names(folder)
        .into_iter()
        .filter(|n| n.starts_with(".event-architect-"))
        .collect()
}

#[test]
fn a_symlink_is_followed_and_its_target_replaced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("docs")).unwrap();
    let target = dir.path().join("docs/PLAN.md");
    std::fs::write(&target, "old").unwrap();
    let link = dir.path().join("PLAN.md");
    std::os::unix::fs::symlink("docs/PLAN.md", &link).unwrap();
    let out = run(&["plan", &saga(), "-o", link.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    let md = std::fs::read_to_string(&target).unwrap();
    assert!(md.starts_with("# Execution plan: Order saga"), "{md}");
    assert_eq!(names(&dir.path().join("docs")), ["PLAN.md"]);
}

#[test]
fn a_hard_link_keeps_both_names_on_the_new_plan() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("plan.json");
    let two = dir.path().join("copy.json");
    std::fs::write(&one, "old").unwrap();
    std::fs::hard_link(&one, &two).unwrap();
    let out = run(&["plan", &saga(), "-o", one.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::metadata(&one).unwrap().nlink(), 2);
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&two).unwrap()).unwrap();
    assert_eq!(plan["design"], "Order saga");
}

#[test]
fn new_files_get_the_umask_mode_and_old_files_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.json");
    let out = sh(
        "umask 022; exec \"$0\" \"$@\"",
        &["plan", &saga(), "-o", new.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::metadata(&new).unwrap().mode() & 0o777, 0o644);

    let old = dir.path().join("old.json");
    std::fs::write(&old, "x").unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = run(&["plan", &saga(), "-o", old.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::metadata(&old).unwrap().mode() & 0o777, 0o600);
}

#[test]
fn dev_stdout_writes_into_what_stdout_is() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.json");
    let out = Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" \"$@\" > \"$PLAN_FILE\"")
        .arg(env!("CARGO_BIN_EXE_event-architect"))
        .args(["plan", &saga(), "-o", "/dev/stdout"])
        .env("PLAN_FILE", &file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(plan["design"], "Order saga");
    assert_eq!(names(dir.path()), ["plan.json"]);
    assert!(Path::new("/dev/stdout").exists());
}

#[test]
fn stale_temporaries_of_ours_go_and_other_files_stay() {
    let dir = tempfile::tempdir().unwrap();
    let old = SystemTime::now() - Duration::from_secs(3 * 60 * 60);
    for name in [
        ".event-architect-0123456789abcdef.tmp",
        ".event-architect-Zq81Lm.tmp",
        ".event-architect-fedcba9876543210.tmp",
        ".event-architect-mine.tmp",
        "notes.tmp",
    ] {
        let file = std::fs::File::create(dir.path().join(name)).unwrap();
        if name != ".event-architect-fedcba9876543210.tmp" {
            file.set_modified(old).unwrap();
        }
    }
    let out = run(&[
        "plan",
        &saga(),
        "-o",
        dir.path().join("plan.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        names(dir.path()),
        [
            ".event-architect-fedcba9876543210.tmp",
            ".event-architect-mine.tmp",
            "notes.tmp",
            "plan.json"
        ]
    );
}

#[test]
fn an_unwritable_folder_says_what_to_do_and_leaves_nothing() {
    let out = run(&["plan", &saga(), "-o", "/definitely/not/here/plan.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cannot write /definitely/not/here/plan.json"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: check that the folder exists"),
        "{stderr}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["plan", &saga(), "-o", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("hint: name a file inside"));
}

/// A design big enough that writing its plan takes a while (a chain of 100,000 services).
fn big_design(dir: &Path) -> PathBuf {
    let n = 100_000;
    let mut text = String::from("{\"version\": 1, \"services\": [");
    for i in 0..n {
        let comma = if i == 0 { "" } else { "," };
        text.push_str(&format!("{comma}{{\"id\": \"s{i}\", \"kind\": \"queue\"}}"));
    }
    text.push_str("], \"edges\": [");
    for i in 0..n - 1 {
        let comma = if i == 0 { "" } else { "," };
        text.push_str(&format!(
            "{comma}{{\"from\": \"s{i}\", \"to\": \"s{}\", \"event\": \"E{i}\"}}",
            i + 1
        ));
    }
    text.push_str("]}");
    let path = dir.join("big.json");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_signal_during_a_write_removes_the_temporary_and_keeps_the_old_file() {
    use std::os::unix::process::ExitStatusExt;
    let designs = tempfile::tempdir().unwrap();
    let big = big_design(designs.path());
    for (signal, number) in [("TERM", 15), ("INT", 2), ("HUP", 1)] {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("plan.md");
        std::fs::write(&target, "old").unwrap();
        let mut child = bin()
            .args(["plan", big.to_str().unwrap(), "--format", "markdown", "-o"])
            .arg(&target)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait for the temporary file, then signal at once: the write is under way.
        let started = Instant::now();
        while temporaries(dir.path()).is_empty() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no temporary file appeared"
            );
            assert!(child.try_wait().unwrap().is_none(), "the write ended first");
            std::thread::sleep(Duration::from_millis(1));
        }
        let sent = Command::new("kill")
            .args(["-s", signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        assert_eq!(status.signal(), Some(number), "SIG{signal}: {status:?}");
        assert_eq!(names(dir.path()), ["plan.md"], "SIG{signal}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
    }
}
