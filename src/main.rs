//! The `event-architect` binary: the designer window, or a headless subcommand.

use std::process::ExitCode;

use clap::Parser;
use event_architect::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
    match args.command {
        Some(command) => cli::run(command),
        None => match args.file {
            Some(path) => match cli::load(&path) {
                Ok(_) => cli::print_builtin(),
                Err(code) => ExitCode::from(code),
            },
            None => cli::print_builtin(),
        },
    }
}
