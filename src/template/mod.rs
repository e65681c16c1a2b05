//! SAM and CloudFormation templates: reading one (YAML or JSON, short-form tags) into a
//! design, keeping the whole template beside it for the round trip, and writing a design as a
//! deployable SAM template (`export`).
//!
//! | file | owns |
//! |---|---|
//! | `yaml` | text to a JSON value with positions; short forms to long forms; limits |
//! | `refs` | which resources a value names (Ref, GetAtt, Sub, literal names, parameters) |
//! | `services` | which resource types are services, and their properties |
//! | `iam` | write and read actions, SAM policy templates, managed policies |
//! | `build` | the edges, each with its evidence |
//! | `layout` | the imported design's first positions |
//! | `export` | a design as a deployable SAM template; the round trip over the template kept |
//!
//! Nothing here imports egui.

mod build;
pub mod export;
mod iam;
mod layout;
mod refs;
mod services;
pub mod yaml;

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::model::Design;

pub use build::{DEFAULT_BUS, IMPLICIT_HTTP_API, IMPLICIT_REST_API};

/// An imported template.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The services and edges the template makes, laid out.
    pub design: Design,
    /// The whole template as parsed, with intrinsics in long form (`{"Ref": "X"}`): what a
    /// round trip keeps.
    pub document: Value,
    /// What became what.
    pub summary: Summary,
    /// Where each resource's entry (its logical id) is in the text, by logical id.
    pub positions: BTreeMap<String, yaml::Position>,
}

/// What an import made of a template's resources.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// Resources in the template.
    pub resources: usize,
    /// Services in the design (explicit and implicit).
    pub services: usize,
    /// Of them, services SAM or AWS create that the template does not list.
    pub implicit: usize,
    /// Edges in the design.
    pub edges: usize,
    /// Resources that made edges but no service (rules, subscriptions, integrations...).
    pub as_edges: usize,
    /// Resources the design does not show, by type (kept in the document).
    pub kept: BTreeMap<String, usize>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kept: usize = self.kept.values().sum();
        write!(
            f,
            "{} resources: {} services ({} implicit), {} edges ({} resources as edges); {kept} kept but not shown",
            self.resources, self.services, self.implicit, self.edges, self.as_edges
        )?;
        if kept > 0 {
            let types: Vec<String> = self
                .kept
                .iter()
                .map(|(ty, n)| format!("{n} {ty}"))
                .collect();
            write!(f, " ({})", types.join(", "))?;
        }
        Ok(())
    }
}

/// One step of a template path, for located messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    /// A mapping key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// A problem in the template found while importing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the template.
    pub path: Vec<PathPart>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// Why a template could not be imported. Displayed as `file:line:column: path: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The text is not YAML (or JSON), or is refused by a limit.
    #[error("{origin}:{line}:{column}: {message}")]
    Syntax {
        /// The file.
        origin: String,
        /// 1-based line (0 when about the whole file).
        line: u32,
        /// 1-based column.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// The text is YAML but not a template the importer can read.
    #[error("{origin}:{line}:{column}: {path}: {message}")]
    Invalid {
        /// The file.
        origin: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// The template path, `Resources.Queue.Properties.RedrivePolicy`.
        path: String,
        /// What is wrong.
        message: String,
        /// How to fix it.
        hint: String,
    },
}

impl TemplateError {
    /// How to fix it (empty when the message says it).
    pub fn hint(&self) -> &str {
        match self {
            TemplateError::Syntax { .. } => "",
            TemplateError::Invalid { hint, .. } => hint,
        }
    }
}

/// Imports a template's bytes: refused when too big or not UTF-8, before parsing.
pub fn import_bytes(bytes: &[u8], file_name: &str) -> Result<Imported, TemplateError> {
    let whole = |message: String| TemplateError::Syntax {
        origin: file_name.to_owned(),
        line: 0,
        column: 0,
        message,
    };
    if bytes.len() > yaml::MAX_TEXT_BYTES {
        return Err(whole(format!(
            "the template is {} bytes; templates over {} MiB are refused (CloudFormation takes at most 1 MB)",
            bytes.len(),
            yaml::MAX_TEXT_BYTES >> 20
        )));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|error| {
        whole(format!(
            "the template is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
            error.valid_up_to()
        ))
    })?;
    import(text, file_name)
}

/// Sections whose value CloudFormation requires to be a mapping when present.
const MAPPING_SECTIONS: &[&str] = &[
    "Parameters",
    "Mappings",
    "Conditions",
    "Resources",
    "Outputs",
    "Globals",
    "Metadata",
    "Rules",
];

/// True when `text` looks like a SAM or CloudFormation template rather than a design file: a
/// `Resources` or `AWSTemplateFormatVersion` key at the top level, and no `services`. Reads
/// only the start of a big text.
pub fn looks_like_template(text: &[u8]) -> bool {
    let head = &text[..text.len().min(1 << 16)];
    let head = String::from_utf8_lossy(head);
    let has_key = |key: &str| {
        head.lines().any(|line| {
            let line = line.trim_start_matches('\u{feff}');
            line.starts_with(key) && line[key.len()..].trim_start().starts_with(':')
                || line.trim_start().starts_with(&format!("\"{key}\""))
        })
    };
    let template =
        has_key("AWSTemplateFormatVersion") || has_key("Resources") || has_key("Transform");
    template && !has_key("services") && !head.contains("\"services\"")
}

fn path_text(path: &[PathPart]) -> String {
    let mut text = String::new();
    for part in path {
        match part {
            PathPart::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(&crate::diagnostics::cut(key));
            }
            PathPart::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    text
}

/// Reads a template into a design. `file_name` names it in messages and gives the design its
/// name.
///
/// Complexity: O(R² + size of the template) for R resources (each reference is matched
/// against every resource's name).
pub fn import(text: &str, file_name: &str) -> Result<Imported, TemplateError> {
    let located = yaml::parse(text).map_err(|error| TemplateError::Syntax {
        origin: file_name.to_owned(),
        line: error.at.line,
        column: error.at.column,
        message: error.message,
    })?;
    let invalid = |problem: Problem| {
        let steps: Vec<yaml::Step> = problem
            .path
            .iter()
            .map(|p| match p {
                PathPart::Key(k) => yaml::Step::Key(k),
                PathPart::Index(i) => yaml::Step::Index(*i),
            })
            .collect();
        let at = located.position(&steps);
        TemplateError::Invalid {
            origin: file_name.to_owned(),
            line: at.line,
            column: at.column,
            path: path_text(&problem.path),
            message: problem.message,
            hint: problem.hint,
        }
    };
    let key = |k: &str| vec![PathPart::Key(k.to_owned())];
    let Value::Object(top) = &located.value else {
        return Err(invalid(Problem {
            path: Vec::new(),
            message: "the template is not a mapping of sections".into(),
            hint: "a template is a mapping with Resources (and AWSTemplateFormatVersion, Parameters, Outputs...)".into(),
        }));
    };
    for section in MAPPING_SECTIONS {
        match top.get(*section) {
            Some(Value::Null) => {
                return Err(invalid(Problem {
                    path: key(section),
                    message: format!("the {section} section is empty (null)"),
                    hint: format!(
                        "CloudFormation refuses an empty section: remove the `{section}:` line or give it entries"
                    ),
                }));
            }
            Some(Value::Object(_)) | None => {}
            Some(other) => {
                return Err(invalid(Problem {
                    path: key(section),
                    message: format!(
                        "{section} is {}, not a mapping",
                        crate::diagnostics::json_type(other)
                    ),
                    hint: format!("write {section} as a mapping of names to entries"),
                }));
            }
        }
    }
    let Some(Value::Object(resources)) = top.get("Resources") else {
        return Err(invalid(Problem {
            path: Vec::new(),
            message: "the template has no Resources section".into(),
            hint: "a template lists its resources under Resources: (is this a design file?)".into(),
        }));
    };
    if resources.is_empty() {
        return Err(invalid(Problem {
            path: key("Resources"),
            message: "Resources is empty".into(),
            hint: "CloudFormation needs at least one resource".into(),
        }));
    }
    for (id, resource) in resources {
        let here = |more: &[&str]| {
            let mut path = vec![PathPart::Key("Resources".into()), PathPart::Key(id.clone())];
            path.extend(more.iter().map(|m| PathPart::Key((*m).to_owned())));
            path
        };
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(invalid(Problem {
                path: here(&[]),
                message: format!(
                    "the logical id \"{}\" is not alphanumeric",
                    crate::diagnostics::cut(id)
                ),
                hint: "CloudFormation takes logical ids of letters A-Z, a-z and digits only".into(),
            }));
        }
        let Value::Object(resource) = resource else {
            return Err(invalid(Problem {
                path: here(&[]),
                message: "a resource is not a mapping".into(),
                hint: "give it a Type (and Properties)".into(),
            }));
        };
        match resource.get("Type") {
            Some(Value::String(_)) => {}
            None => {
                return Err(invalid(Problem {
                    path: here(&[]),
                    message: "the resource has no Type".into(),
                    hint: "add a Type such as AWS::Serverless::Function or AWS::SQS::Queue".into(),
                }));
            }
            Some(_) => {
                return Err(invalid(Problem {
                    path: here(&["Type"]),
                    message: "Type is not a string".into(),
                    hint: "write the resource type, such as AWS::SQS::Queue".into(),
                }));
            }
        }
        if let Some(props) = resource.get("Properties")
            && !props.is_object()
            && !props.is_null()
        {
            return Err(invalid(Problem {
                path: here(&["Properties"]),
                message: "Properties is not a mapping".into(),
                hint: "write the resource's properties as a mapping".into(),
            }));
        }
    }
    let index = refs::Index::new(resources, top.get("Parameters"));
    let globals = top
        .get("Globals")
        .and_then(|g| g.get("Function"))
        .and_then(Value::as_object);
    let name = std::path::Path::new(file_name).file_stem().map_or_else(
        || file_name.to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let mut builder = build::Builder::new(&index, resources, globals, &name);
    builder.services();
    builder.edges().map_err(invalid)?;
    let mut design = std::mem::take(&mut builder.design);
    mark_intentional_loops(&mut design, resources);
    layout::place(&mut design);
    // The whole template and what this import made of it, for the round trip (`export`).
    design.template = Some(std::sync::Arc::new(crate::model::TemplateSource::capture(
        located.value.clone(),
        &design,
    )));
    let mut summary = Summary {
        resources: resources.len(),
        services: design.services.len(),
        implicit: builder.implicit,
        edges: design.edges.len(),
        ..Summary::default()
    };
    for (at, resource) in index.resources.iter().enumerate() {
        let shown = services::kind_of(resource.ty, resource.props).is_some();
        if shown {
            continue;
        }
        if builder.used[at] {
            summary.as_edges += 1;
        } else {
            *summary.kept.entry(resource.ty.to_owned()).or_default() += 1;
        }
    }
    drop(builder);
    let positions = resource_positions(&located);
    // The design keeps the template and what was made of it, so export can write it back.
    design.template = Some(std::sync::Arc::new(crate::model::TemplateSource::capture(
        located.value.clone(),
        &design,
    )));
    Ok(Imported {
        design,
        document: located.value,
        summary,
        positions,
    })
}

/// Where each entry of `Resources` starts (its key), by logical id.
fn resource_positions(located: &yaml::Located) -> BTreeMap<String, yaml::Position> {
    let Value::Object(top) = &located.value else {
        return BTreeMap::new();
    };
    let Some((at, Value::Object(resources))) = top
        .iter()
        .enumerate()
        .find(|(_, (k, _))| *k == "Resources")
        .map(|(at, (_, v))| (at, v))
    else {
        return BTreeMap::new();
    };
    let Some(section) = located.positions.children.get(at) else {
        return BTreeMap::new();
    };
    resources
        .keys()
        .zip(&section.children)
        .map(|(id, positions)| (id.clone(), positions.at))
        .collect()
}

/// A resource's `Metadata: {EventArchitect: {IntentionalLoop: REASON}}` marks the loop it is
/// in as meant to be (the user's mark, kept in the template).
fn mark_intentional_loops(design: &mut Design, resources: &serde_json::Map<String, Value>) {
    let marks: Vec<(&str, &str)> = resources
        .iter()
        .filter_map(|(id, resource)| {
            let reason = resource
                .get("Metadata")?
                .get("EventArchitect")?
                .get("IntentionalLoop")?
                .as_str()?;
            Some((id.as_str(), reason)).filter(|(_, r)| !r.trim().is_empty())
        })
        .collect();
    if marks.is_empty() {
        return;
    }
    let analysis = crate::analysis::analyze(design);
    for (id, reason) in marks {
        let Some(index) = design.find(id) else {
            continue;
        };
        let group = analysis.cycle_of.get(index.index()).copied().flatten();
        match group.and_then(|g| analysis.cycles.get(g as usize)) {
            Some(cycle) => {
                let services = cycle
                    .members
                    .iter()
                    .map(|&m| design.id(m).to_owned())
                    .collect();
                design
                    .intentional_loops
                    .push(crate::model::IntentionalLoop {
                        services,
                        reason: reason.to_owned(),
                    });
            }
            None => {
                let service = &mut design.services[index.index()];
                if !service.notes.is_empty() {
                    service.notes.push('\n');
                }
                service
                    .notes
                    .push_str("Metadata marks an intentional loop, but the service is in none");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_told_from_designs_by_content() {
        assert!(looks_like_template(
            b"AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n"
        ));
        assert!(looks_like_template(
            b"{\n  \"Resources\": {\"Q\": {\"Type\": \"AWS::SQS::Queue\"}}\n}"
        ));
        assert!(looks_like_template(
            b"\xEF\xBB\xBFTransform: AWS::Serverless-2016-10-31\n"
        ));
        assert!(!looks_like_template(
            br#"{"version": 2, "services": [], "edges": []}"#
        ));
        assert!(!looks_like_template(
            b"{\"version\": 2, \"services\": [{\"id\": \"Resources\", \"kind\": \"queue\"}]}"
        ));
    }

    #[test]
    fn structural_errors_are_located() {
        let cases = [
            ("", "empty"),
            (
                "Parameters:\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n",
                "Parameters section is empty",
            ),
            ("Resources: [1, 2]\n", "not a mapping"),
            ("Description: x\n", "no Resources"),
            ("Resources:\n  Q:\n    Properties: {}\n", "no Type"),
            ("- 1\n- 2\n", "not a mapping of sections"),
            (
                "Resources:\n  my-queue:\n    Type: AWS::SQS::Queue\n",
                "\"my-queue\" is not alphanumeric",
            ),
            (
                "Resources:\n  \"\":\n    Type: AWS::SQS::Queue\n",
                "\"\" is not alphanumeric",
            ),
        ];
        for (text, expected) in cases {
            let error = import(text, "t.yaml").unwrap_err().to_string();
            assert!(error.contains(expected), "{text:?}: {error}");
            assert!(error.starts_with("t.yaml:"), "{error}");
        }
        let error = import(
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy: [1]\n",
            "template.yaml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.starts_with(
                "template.yaml:5:7: Resources.Q.Properties.RedrivePolicy: expected a mapping"
            ),
            "{error}"
        );
    }
}
