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

// The allocator, per platform (the one place this is decided). On Linux mimalloc instead of
// glibc's malloc: the loader's threads allocate and free at the same time, which glibc serialises
// on an arena lock (measured in the README). Elsewhere the system allocator: unmeasured there,
// and mimalloc's C code needs Apple's toolchain to build for macOS.
#[cfg(all(target_os = "linux", not(feature = "system-allocator")))]
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
    let (design, path, error) = match file {
        None => (event_architect::builtin_design(), None, None),
        Some(path) => match event_architect::io::load_path(&path) {
            Ok(design) => (design, Some(path), None),
            Err(error) => (
                event_architect::builtin_design(),
                None,
                Some(error.to_string()),
            ),
        },
    };
    match event_architect::gui::run(design, path, error) {
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
