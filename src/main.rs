//! The `event-architect` binary: the designer window, or a headless subcommand.
//!
//! `event-architect` opens the window on the built-in register/login design and
//! `event-architect FILE.json` on that file. When FILE cannot be loaded, the window opens on
//! the built-in design and shows the same error text the CLI prints (a desktop user launching
//! from a file manager never sees stderr). Built without the `gui` feature, the binary prints
//! the analysis instead.
//!
//! On Windows the exe is a GUI-subsystem program, so starting it from Explorer or a shortcut
//! opens the designer without a console window beside it. Started from a terminal, it attaches
//! to that terminal's console so the subcommands print there (see [`console`]); output that
//! the caller redirected to a file or a pipe goes there as on any platform.

// Windows: no console window of its own (the loader would make one before `main` runs).
#![cfg_attr(windows, windows_subsystem = "windows")]

use std::process::ExitCode;

use event_architect::cli;

// The allocator, per platform (the one place this is decided). On Linux mimalloc instead of
// glibc's malloc: the loader's threads allocate and free at the same time, which glibc serialises
// on an arena lock (measured in the README). Elsewhere the system allocator: unmeasured there,
// and mimalloc's C code needs Apple's toolchain to build for macOS.
#[cfg(all(target_os = "linux", not(feature = "system-allocator")))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Before anything prints: clap's usage errors, --help and --version need the console too.
    console::attach_to_terminal();
    let args = match cli::parse() {
        Ok(args) => args,
        Err(error) => return argument_error(&error),
    };
    match args.command {
        Some(command) => cli::run(command),
        None => open_window(args.file),
    }
}

/// The console of a GUI-subsystem exe (Windows). Such a process starts without standard
/// handles unless its caller gave it some. From a terminal (cmd, PowerShell, Windows Terminal)
/// there are none: attaching to the parent's console makes `println!` reach it, because the
/// standard library asks Windows for the handle at every write. Handles the caller did give
/// (`> file`, a pipe, CI's test harness) are left alone. From Explorer there is no parent
/// console, attaching fails, and nothing is shown, which is the point. A window opened from a
/// terminal stays attached (so an error opening it still prints there).
#[cfg(windows)]
mod console {
    use std::os::windows::io::AsRawHandle;

    /// Attaches to the parent's console when the caller gave no output handles.
    pub fn attach_to_terminal() {
        let stdout_missing = std::io::stdout().as_raw_handle().is_null();
        let stderr_missing = std::io::stderr().as_raw_handle().is_null();
        if stdout_missing && stderr_missing {
            // Fails without a parent console (Explorer, a shortcut): then there is no one to
            // print to, and the window is what the user asked for.
            let _ = winsafe::AttachConsole(winsafe::PidParent::Parent);
        }
    }
}

/// Elsewhere a program keeps the terminal it was started from: nothing to do.
#[cfg(not(windows))]
mod console {
    pub fn attach_to_terminal() {}
}

/// `--help` and `--version` as clap prints them; a usage error with the arguments it quotes
/// escaped and cut (a 100 KB argument is not echoed in full), exit 2.
fn argument_error(error: &clap::Error) -> ExitCode {
    if !error.use_stderr() {
        return match error.print() {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::from(cli::EXIT_INVALID),
        };
    }
    let text = error.render().to_string();
    eprintln!("{}", cli::escape::message(text.trim_end()));
    ExitCode::from(cli::EXIT_INVALID)
}

#[cfg(feature = "gui")]
fn open_window(file: Option<std::path::PathBuf>) -> ExitCode {
    let (design, path, error, note) = match file {
        None => (event_architect::builtin_design(), None, None, None),
        // A template opens as its imported design, not tied to the template's path.
        Some(path) => match event_architect::gui::template_ui::read(&path) {
            Some(Ok(imported)) => (imported.design, None, None, Some(imported.status)),
            Some(Err(error)) => (event_architect::builtin_design(), None, Some(error), None),
            None => match event_architect::io::load_path_versioned(&path) {
                Ok((design, version)) => {
                    let note =
                        event_architect::io::migration_note(&path.display().to_string(), version);
                    (design, Some(path), None, note)
                }
                Err(error) => (
                    event_architect::builtin_design(),
                    None,
                    Some(error.to_string()),
                    None,
                ),
            },
        },
    };
    match event_architect::gui::run(design, path, error, note) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => ExitCode::from(cli::fail(
            &anyhow::anyhow!("{error}").context("cannot open the designer window"),
        )),
    }
}

#[cfg(not(feature = "gui"))]
fn open_window(file: Option<std::path::PathBuf>) -> ExitCode {
    match file {
        Some(path) => match cli::load(&path) {
            Ok(_) => cli::print_builtin(),
            Err(code) => ExitCode::from(code),
        },
        None => cli::print_builtin(),
    }
}
