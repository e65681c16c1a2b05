//! The `event-architect` binary: the designer window, or a headless subcommand.
//!
//! `event-architect` opens the window on the built-in register/login design and
//! `event-architect FILE.json` on that file. When FILE cannot be loaded, the window opens on
//! the built-in design and shows the same error text the CLI prints (a desktop user launching
//! from a file manager never sees stderr). Built without the `gui` feature, the binary prints
//! the analysis instead.

use std::process::ExitCode;

use clap::Parser;
use event_architect::cli::{self, Cli};

/// mimalloc instead of the system allocator: the loader's threads allocate and free at the same
/// time, which glibc's malloc serialises on an arena lock.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = Cli::parse();
    match args.command {
        Some(command) => cli::run(command),
        None => open_window(args.file),
    }
}

#[cfg(feature = "gui")]
fn open_window(file: Option<std::path::PathBuf>) -> ExitCode {
    let (design, path, error, note) = match file {
        None => (event_architect::builtin_design(), None, None, None),
        Some(path) => match event_architect::io::load_path_versioned(&path) {
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
