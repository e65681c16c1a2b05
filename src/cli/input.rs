//! What `check` and `plan` read: a design file, or a SAM/CloudFormation template (told apart
//! by content, whatever the extension), imported on the fly.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use crate::io::LoadError;
use crate::model::Design;
use crate::template::{self, TemplateError};

/// How much of a file is read to tell a template from a design.
const SNIFF_BYTES: u64 = 1 << 16;

/// A design read from a file.
pub(crate) struct Input {
    /// The design.
    pub design: Design,
    /// The design file's format version (`None` for a template).
    pub version: Option<u32>,
    /// For a template: where each resource is in its text, by logical id.
    pub resources: Option<BTreeMap<String, template::yaml::Position>>,
}

/// Why an input could not be read.
#[derive(Debug)]
pub(crate) enum InputError {
    /// A design file that is unreadable or invalid.
    Design(LoadError),
    /// A template that could not be imported.
    Template(TemplateError),
}

/// Reads a design file or a template (`-` reads standard input).
pub(crate) fn read(path: &Path) -> Result<Input, InputError> {
    read_located(path, None)
}

/// [`read`]; with `spots`, a design read from standard input or a pipe (which cannot be read
/// again) is also located (every element of `services` and `edges`) into it, valid or not.
pub(crate) fn read_located(
    path: &Path,
    spots: Option<&mut Option<crate::io::locate::Spots>>,
) -> Result<Input, InputError> {
    let origin = crate::io::origin(path);
    let io_error = |source| {
        InputError::Design(LoadError::Io {
            origin: origin.clone(),
            source,
        })
    };
    let regular = path.as_os_str() != "-" && std::fs::metadata(path).is_ok_and(|m| m.is_file());
    if regular {
        let mut head = Vec::new();
        std::fs::File::open(path)
            .and_then(|file| file.take(SNIFF_BYTES).read_to_end(&mut head))
            .map_err(io_error)?;
        let yaml_name = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(e.to_ascii_lowercase().as_str(), "yaml" | "yml" | "template")
        });
        // A design file is JSON: YAML by name is a template even when its content does not
        // say so (an empty file gets the template's message).
        if !yaml_name && !template::looks_like_template(&head) {
            // Streamed by the design loader.
            return crate::io::load_path_versioned(path)
                .map(|(design, version)| Input {
                    design,
                    version: Some(version),
                    resources: None,
                })
                .map_err(InputError::Design);
        }
        let size = std::fs::metadata(path).map_err(io_error)?.len();
        if size > template::yaml::MAX_TEXT_BYTES as u64 {
            return Err(InputError::Template(TemplateError::Syntax {
                origin,
                line: 0,
                column: 0,
                message: format!(
                    "the template is {size} bytes; templates over {} MiB are refused",
                    template::yaml::MAX_TEXT_BYTES >> 20
                ),
            }));
        }
        let bytes = std::fs::read(path).map_err(io_error)?;
        return imported(&bytes, &origin);
    }
    // Standard input, a pipe or a device: read once. The head tells a template from a design;
    // a design is then read on through the design loader's checked, bounded read (so
    // `/dev/zero` stops at its first byte), a template up to the template limit.
    let stream: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::fs::File::open(path).map_err(io_error)?)
    };
    let mut stream = stream;
    let mut head = Vec::new();
    (&mut stream)
        .take(SNIFF_BYTES)
        .read_to_end(&mut head)
        .map_err(io_error)?;
    if template::looks_like_template(&head) {
        let limit = template::yaml::MAX_TEXT_BYTES as u64;
        let mut bytes = head;
        (&mut stream)
            .take(limit + 1 - (bytes.len() as u64).min(limit))
            .read_to_end(&mut bytes)
            .map_err(io_error)?;
        if bytes.len() as u64 > limit {
            return Err(InputError::Template(TemplateError::Syntax {
                origin,
                line: 0,
                column: 0,
                message: format!(
                    "the template is more than {} MiB; templates over that are refused",
                    limit >> 20
                ),
            }));
        }
        return imported(&bytes, &origin);
    }
    let limit = crate::limits::Budget::current().whole_read_bytes();
    let rest = std::io::Cursor::new(head).chain(stream);
    let bytes = crate::io::whole::read_checked(rest, &origin, limit, "a design")
        .map_err(InputError::Design)?;
    if let Some(spots) = spots {
        // Reading a slice cannot fail.
        *spots = crate::io::locate::locate(&bytes[..], &crate::io::locate::Wanted::all()).ok();
    }
    crate::io::parse_design_owned_versioned(bytes, &origin)
        .map(|(design, version)| Input {
            design,
            version: Some(version),
            resources: None,
        })
        .map_err(InputError::Design)
}

fn imported(bytes: &[u8], origin: &str) -> Result<Input, InputError> {
    let imported = template::import_bytes(bytes, origin).map_err(InputError::Template)?;
    Ok(Input {
        design: imported.design,
        version: None,
        resources: Some(imported.positions),
    })
}

/// Prints why an input could not be read and returns exit code 2.
pub(crate) fn report(error: &InputError) -> u8 {
    match error {
        InputError::Design(error) => super::report_load_error(error),
        InputError::Template(error) => super::stdout::error(&error.to_string(), error.hint()),
    }
}
