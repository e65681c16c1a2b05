//! The command line: argument parsing (clap) and the headless subcommands.
//!
//! Exit codes, for every subcommand: 0 success, 1 the design has cycles (output is still
//! written), 2 bad input (unreadable or invalid file, bad arguments) or output that could not
//! be written. What goes to stdout and what to stderr is the README's table; `tests/cli.rs`
//! checks it for every subcommand.

mod check;
pub mod escape;
mod export;
mod import;
mod input;
mod plan;
mod render;
mod sarif;
mod simulate;
mod stdout;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::io::LoadError;
use crate::model::Design;

/// Exit code: the run succeeded and the design is clean.
pub const EXIT_OK: u8 = 0;
/// Exit code: the design has cycles (the output is still written).
pub const EXIT_CYCLES: u8 = 1;
/// Exit code: the input could not be read or is invalid, or the arguments are wrong.
pub const EXIT_INVALID: u8 = 2;

/// Design, analyse and simulate event-driven serverless systems.
///
/// Without a subcommand, opens the designer window on FILE (or on the built-in register/login
/// design).
#[derive(Debug, Parser)]
#[command(
    name = "event-architect",
    version = crate::build_info::VERSION_LINE,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// A design file to open in the window.
    pub file: Option<PathBuf>,
    /// A headless subcommand.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The headless subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a design and report its cycles, order and stages.
    ///
    /// Exit codes: 0 clean, 1 the design has cycles, 2 the file is unreadable or invalid.
    Check(check::CheckArgs),
    /// Export an execution plan (JSON, Markdown, Mermaid or Graphviz DOT).
    ///
    /// Exit codes: 0 plan written, 1 plan written but the design has cycles (listed on
    /// stderr), 2 the input could not be read or is invalid (nothing on stdout).
    Plan(plan::PlanArgs),
    /// Draw a design as a picture (SVG, or PNG with `-o FILE.png`), as the canvas shows it.
    ///
    /// Exit codes: 0 picture written, 1 picture written but the design has cycles (listed on
    /// stderr), 2 the input could not be read or is invalid, or the picture not written.
    Render(render::RenderArgs),
    /// Export a deployable AWS SAM template (YAML) of a design.
    ///
    /// A design imported from a template is written over that template, keeping what the
    /// design does not show. What SAM cannot say is listed on stderr as notes. Exit codes: 0
    /// written, 2 the input could not be read or is invalid, or the output not written.
    Export(export::ExportArgs),
    /// Import a SAM or CloudFormation template (YAML or JSON) as a design.
    ///
    /// Exit codes: 0 design written, 1 design written but it has loops that are not marked
    /// intentional, 2 the template is unreadable or invalid, or the output could not be
    /// written.
    Import(import::ImportArgs),
    /// Print the JSON Schema of the design file format.
    Schema,
    /// Run a scenario of requests against a design: responses, trace and store.
    #[command(after_long_help = simulate::ROUTING_HELP)]
    Simulate(simulate::SimulateArgs),
}

/// Parses the process's arguments. A first word that is neither a subcommand nor an existing
/// file is taken as a mistyped subcommand (`chek FILE`), not as a file to open: clap would
/// otherwise read it as FILE and complain about the real file after it.
pub fn parse() -> Result<Cli, clap::Error> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(error) = unknown_subcommand(&args) {
        return Err(error);
    }
    Cli::try_parse_from(args)
}

/// The error for `args` (the program name first) when its first argument looks like a
/// subcommand that does not exist, with the closest one suggested.
pub fn unknown_subcommand(args: &[std::ffi::OsString]) -> Option<clap::Error> {
    use clap::CommandFactory;
    let word = args.get(1)?.to_str()?;
    let positionals = args[1..]
        .iter()
        .filter(|a| !a.to_string_lossy().starts_with('-'))
        .count();
    let pathlike = word.contains(['.', '/', '\\']) || word.is_empty();
    if word.starts_with('-') || Path::new(word).exists() || (pathlike && positionals < 2) {
        return None;
    }
    let mut command = Cli::command();
    let names: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .chain(["help".to_owned()])
        .collect();
    if names.iter().any(|name| name == word) {
        return None;
    }
    let closest = names
        .iter()
        .map(|name| (strsim::jaro_winkler(word, name), name))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let hint = match closest {
        Some((_, name)) => format!("did you mean '{name}'?"),
        None => format!("the subcommands are {}", names.join(", ")),
    };
    Some(command.error(
        clap::error::ErrorKind::InvalidSubcommand,
        format!(
            "'{}' is not a subcommand, and no file of that name exists; {hint}",
            escape::value(word)
        ),
    ))
}

/// Runs a subcommand and returns the process exit code.
pub fn run(command: Command) -> ExitCode {
    let code = match command {
        Command::Check(args) => check::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Import(args) => import::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Schema => {
            let schema = crate::io::format::schema_json();
            match stdout::write("the schema", |out| out.write_all(schema.as_bytes())) {
                Ok(()) => EXIT_OK,
                Err(code) => code,
            }
        }
    };
    ExitCode::from(code)
}

/// Prints an error in the usual `error: ...` style (with its causes, made safe for a terminal)
/// and returns exit code 2.
pub fn fail(error: &anyhow::Error) -> u8 {
    stdout::error(&format!("{error:#}"), "")
}

/// Loads a design (or imports a template) for a subcommand, printing the error the way the
/// GUI shows it.
pub fn load(path: &Path) -> Result<Design, u8> {
    // An older file-format version is migrated in memory without a word: `check` and the
    // window say it, a plan in a pipeline stays quiet.
    input::read(path)
        .map(|input| input.design)
        .map_err(|error| input::report(&error))
}

/// Prints why a design could not be loaded (escaped, long lines cut, with a hint for a plain
/// I/O error) and returns exit code 2.
pub(crate) fn report_load_error(error: &LoadError) -> u8 {
    let text = error.to_string();
    let hint = match error {
        LoadError::Io { source, .. } if !text.contains("hint:") => stdout::read_hint(source),
        _ => "",
    };
    stdout::error(&text, hint)
}

/// A value from a file or an argument (id, event, path) made safe to print: see [`escape`].
pub(crate) fn shown(text: &str) -> String {
    escape::value(text)
}

/// A cycle's path, `a -> b -> a`, each id made safe to print.
pub(crate) fn shown_path(design: &Design, path: &[crate::model::ServiceIndex]) -> String {
    let ids: Vec<String> = path.iter().map(|&s| shown(design.id(s))).collect();
    ids.join(" -> ")
}

/// Prints a design's cycles on stderr (`error: FILE has N cycles; WRITTEN`, each cycle, a hint)
/// and returns exit code 1: the output was written, but the design has cycles.
pub(crate) fn report_cycles(
    file: &Path,
    design: &Design,
    analysis: &crate::analysis::Analysis,
    written: &str,
) -> u8 {
    use std::io::Write;
    // As `check`: loops the user marked as meant to be do not fail the command.
    let loops = crate::analysis::classify(design, analysis);
    if loops
        .iter()
        .all(|l| l.class == crate::analysis::LoopClass::Intentional)
    {
        return EXIT_OK;
    }
    // Buffered: a design of 200,000 loops is as many lines, and stderr writes each at once.
    let mut err = std::io::BufWriter::new(std::io::stderr().lock());
    let count = analysis.cycles.len();
    let _ = writeln!(
        err,
        "error: {} has {count} cycle{}; {written}",
        shown(&file.display().to_string()),
        if count == 1 { "" } else { "s" }
    );
    for (i, cycle) in analysis.cycles.iter().enumerate() {
        let _ = writeln!(
            err,
            "  cycle {}: {}",
            i + 1,
            shown_path(design, &cycle.path)
        );
    }
    let _ = writeln!(err, "  hint: remove or redirect one edge of each cycle");
    let _ = err.flush();
    EXIT_CYCLES
}

/// Prints the analysis of the built-in design: what `event-architect` does without a window.
pub fn print_builtin() -> ExitCode {
    let design = crate::builtin_design();
    let analysis = crate::analysis::analyze(&design);
    let written = stdout::write("the report", |out| {
        check::write_text(out, "built-in design", &design, &analysis)
    });
    let code = match written {
        Ok(()) if analysis.is_acyclic() => EXIT_OK,
        Ok(()) => EXIT_CYCLES,
        Err(code) => code,
    };
    ExitCode::from(code)
}
