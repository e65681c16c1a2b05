//! `event-architect import`: a SAM or CloudFormation template to a design file.

use std::io::Read;
use std::path::PathBuf;

use super::{EXIT_CYCLES, EXIT_OK, shown, stdout};
use crate::template;

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The template, YAML or JSON (`-` reads standard input).
    pub template: PathBuf,
    /// Write the design to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "DESIGN")]
    pub output: Option<PathBuf>,
}

pub(super) fn run(args: &ImportArgs) -> u8 {
    let origin = crate::io::origin(&args.template);
    let limit = template::yaml::MAX_TEXT_BYTES as u64;
    let mut bytes = Vec::new();
    // One byte past the limit is enough to refuse it, whatever the file claims.
    let read = if args.template.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(&args.template)
            .and_then(|file| file.take(limit + 1).read_to_end(&mut bytes))
    };
    if let Err(error) = read {
        return stdout::error(
            &format!("cannot read {origin}: {error}"),
            stdout::read_hint(&error),
        );
    }
    let imported = match template::import_bytes(&bytes, &origin) {
        Ok(imported) => imported,
        Err(error) => return stdout::error(&error.to_string(), error.hint()),
    };
    drop(bytes);
    let text = crate::io::to_json(&imported.design);
    let written = match &args.output {
        Some(path) => crate::io::write_atomic(path, text.as_bytes()).map_err(|error| {
            stdout::error(
                &format!("cannot write {}: {error}", path.display()),
                stdout::write_hint(&error),
            )
        }),
        None => stdout::write("the design", |out| out.write_all(text.as_bytes())),
    };
    if let Err(code) = written {
        return code;
    }
    eprintln!("imported {}: {}", shown(&origin), imported.summary);
    let analysis = crate::analysis::analyze(&imported.design);
    let loops = crate::analysis::classify(&imported.design, &analysis);
    let real = loops
        .iter()
        .filter(|l| l.class != crate::analysis::LoopClass::Intentional)
        .count();
    if real == 0 {
        return EXIT_OK;
    }
    eprintln!(
        "note: the design has {real} loop{} (see `event-architect check` for their classes)",
        if real == 1 { "" } else { "s" }
    );
    EXIT_CYCLES
}
