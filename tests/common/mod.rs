//! Helpers shared by the black-box tests: run the real binary from the project folder.
//!
//! The binary is the one cargo built for this test run, or another build of it named by
//! `EVENT_ARCHITECT_EXE`, started through `EVENT_ARCHITECT_RUNNER` when that is set. CI runs
//! the `cli`, `paths`, `render` and `simulate` tests this way against the Windows exe under
//! Wine (`scripts/wine-check.sh` lists the few Unix-only ones it leaves out), with the same test
//! binaries and no second build. `limits.rs` (`ulimit`) and the `sh` helpers of
//! `cli/output_files.rs` (Unix file semantics) keep the native binary.

#![allow(dead_code)] // each test binary uses its own subset

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Names another build of the binary to test instead of cargo's (a path).
pub const EXE_ENV: &str = "EVENT_ARCHITECT_EXE";
/// Names a program that runs [`EXE_ENV`] (`wine64`), like cargo's target runners.
pub const RUNNER_ENV: &str = "EVENT_ARCHITECT_RUNNER";

/// The command line that starts the binary under test, before its arguments: the runner if
/// any, then the binary.
pub fn program() -> Vec<OsString> {
    let exe = std::env::var_os(EXE_ENV).filter(|exe| !exe.is_empty());
    let runner = std::env::var_os(RUNNER_ENV).filter(|runner| !runner.is_empty());
    match exe {
        Some(exe) => runner.into_iter().chain([exe]).collect(),
        None => vec![env!("CARGO_BIN_EXE_event-architect").into()],
    }
}

/// True when the binary under test is a Windows exe: built for Windows, or the exe that
/// [`EXE_ENV`] names (run through Wine).
pub fn windows_exe() -> bool {
    cfg!(windows)
        || std::env::var_os(EXE_ENV)
            .is_some_and(|exe| exe.to_string_lossy().to_ascii_lowercase().ends_with(".exe"))
}

/// `path` as the binary under test spells it. Under Wine the Unix file system is drive `Z:`,
/// so `/tmp/a b/x.json` is passed as `Z:\tmp\a b\x.json`: a Windows path, as a user types it.
pub fn arg_path(path: &Path) -> String {
    let text = path.to_str().expect("test paths are UTF-8");
    if cfg!(unix) && windows_exe() && path.is_absolute() {
        format!("Z:{}", text.replace('/', "\\"))
    } else {
        text.to_owned()
    }
}

/// The path separator of the binary under test.
pub fn separator() -> char {
    if windows_exe() { '\\' } else { '/' }
}

/// The binary under test, started in the project folder.
pub fn bin() -> Command {
    let program = program();
    let mut command = Command::new(&program[0]);
    command.args(&program[1..]);
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

/// Runs the binary with arguments.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

/// Runs the binary with arguments and `input` on standard input.
pub fn run_stdin(args: &[&str], input: &str) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// A file in `samples/`.
pub fn sample(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

/// Process output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
