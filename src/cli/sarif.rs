//! `check --format sarif`: the report as SARIF 2.1.0, for code scanning (GitHub shows each
//! result on its line of the file).
//!
//! One result per loop (its rule says its class) and per problem of an invalid input, each at
//! the line and column of the design file's service or edge, or of the template's resource.
//! Written as it is made, like the JSON report: a million loops are never one value in memory.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use serde::{Serialize, Serializer};

use super::input::InputError;
use crate::analysis::{Analysis, CycleGroup, LoopClass, LoopReport};
use crate::io::LoadError;
use crate::io::locate::{self, Spot, Spots, Wanted};
use crate::model::evidence::EdgeRole;
use crate::model::{Design, ServiceIndex};
use crate::template::TemplateError;
use crate::template::yaml::Position;

/// The schema SARIF 2.1.0 logs name.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// At most this many other members and edges of a loop are related locations; the message
/// counts them all.
const RELATED: usize = 50;

/// At most this many services of a loop's path are named in its message.
const PATH_NAMED: usize = 20;

/// One rule: its id, name, level and what it says.
struct RuleInfo {
    id: &'static str,
    name: &'static str,
    level: &'static str,
    short: &'static str,
    full: &'static str,
    /// The README section that explains it.
    anchor: &'static str,
}

const RULES: [RuleInfo; 6] = [
    RuleInfo {
        id: "loop-runaway",
        name: "RunawayLoop",
        level: "error",
        short: "An event loop that nothing stops",
        full: "Services that trigger each other in a cycle with no count, filter or mark that stops a message going round: every event may run forever (and be billed).",
        anchor: "which-loops-are-real",
    },
    RuleInfo {
        id: "loop-bounded",
        name: "BoundedLoop",
        level: "error",
        short: "An event loop that a count stops",
        full: "A cycle that every way round passes a hop limit or a retry count: it stops, but only after that many turns.",
        anchor: "which-loops-are-real",
    },
    RuleInfo {
        id: "loop-filtered",
        name: "FilteredLoop",
        level: "error",
        short: "An event loop that a filter decides",
        full: "A cycle that crosses a filter (an S3 key filter, an event pattern): the writes may pass it or never can, as the message says.",
        anchor: "which-loops-are-real",
    },
    RuleInfo {
        id: "loop-permission-only",
        name: "PermissionOnlyLoop",
        level: "error",
        short: "An event loop closed only by over-approximated edges",
        full: "A cycle closed only by edges inferred from wide permissions (a wildcard resource, a shared role): check whether the code really sends there.",
        anchor: "which-loops-are-real",
    },
    RuleInfo {
        id: "loop-intentional",
        name: "IntentionalLoop",
        level: "note",
        short: "An event loop marked as meant to be",
        full: "A cycle the design lists in intentional_loops (or a template marks with Metadata EventArchitect IntentionalLoop): reported, not failed.",
        anchor: "which-loops-are-real",
    },
    RuleInfo {
        id: "invalid-design",
        name: "InvalidDesign",
        level: "error",
        short: "The design or template cannot be read",
        full: "Malformed JSON or YAML, or a value the design file or template does not allow: nothing was checked.",
        anchor: "the-design-file",
    },
];

const INVALID: usize = 5;

fn rule_of(class: LoopClass) -> usize {
    match class {
        LoopClass::Runaway => 0,
        LoopClass::Bounded => 1,
        LoopClass::Filtered => 2,
        LoopClass::PermissionOnly => 3,
        LoopClass::Intentional => 4,
    }
}

/// Where the services and edges are in the input's text.
pub(super) enum Places {
    /// A design file's elements.
    Design(Spots),
    /// A template's resources, by logical id.
    Template(BTreeMap<String, Position>),
    /// Nothing known.
    None,
}

/// The file as a SARIF artifact: a URI relative to the current folder when it is under it (code
/// scanning wants paths relative to the repository), else a `file:` URI; none for standard
/// input.
fn artifact_uri(path: &Path) -> Option<String> {
    if path.as_os_str() == "-" {
        return None;
    }
    // Made absolute first: on Windows `\work\d.json` has a root but no drive, and is on the
    // current folder's drive.
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let relative = std::env::current_dir()
        .ok()
        .and_then(|dir| absolute.strip_prefix(dir).ok().map(Path::to_path_buf));
    let text = |p: &Path| -> String {
        let parts: Vec<String> = p
            .components()
            .filter(|c| {
                !matches!(
                    c,
                    std::path::Component::CurDir | std::path::Component::RootDir
                )
            })
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        parts.join("/")
    };
    match relative {
        Some(relative) => Some(encode(&text(&relative))),
        None => Some(format!("file:///{}", encode(&text(&absolute)))),
    }
}

/// Percent-encodes what a URI path may not hold as it is.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/:".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The places of a design file's loop members and edges that a report names, found in the
/// file (read again; standard input brings its own).
pub(super) fn places_of_design(path: &Path, analysis: &Analysis) -> Places {
    let mut wanted = Wanted::default();
    for cycle in &analysis.cycles {
        wanted
            .services
            .extend(cycle.members.iter().take(RELATED + 1).map(|s| s.index()));
        wanted.edges.extend(cycle.edges.iter().take(RELATED));
    }
    located_file(path, &wanted)
}

/// The places of an invalid design's problems.
pub(super) fn places_of_error(path: &Path, error: &InputError) -> Places {
    let mut wanted = Wanted::default();
    if let InputError::Design(LoadError::Invalid { problems, .. }) = error {
        for problem in problems {
            wanted.add_path(&problem.path);
        }
    }
    located_file(path, &wanted)
}

fn located_file(path: &Path, wanted: &Wanted) -> Places {
    let regular = path.as_os_str() != "-" && std::fs::metadata(path).is_ok_and(|m| m.is_file());
    if !regular {
        return Places::None;
    }
    match std::fs::File::open(path).and_then(|file| locate::locate(file, wanted)) {
        Ok(spots) => Places::Design(spots),
        Err(_) => Places::None,
    }
}

impl Places {
    fn service(&self, design: &Design, index: usize) -> Option<Spot> {
        match self {
            Places::Design(spots) => spots.service(index),
            Places::Template(resources) => {
                let id = design.services.get(index).map(|s| s.id.as_str())?;
                resources.get(id).map(spot)
            }
            Places::None => None,
        }
    }

    fn edge(&self, design: &Design, index: usize) -> Option<Spot> {
        match self {
            Places::Design(spots) => spots.edge(index),
            Places::Template(_) => {
                // A template's edge is made by a construct of one of its ends: a trigger by
                // the target's events, anything else by the source's policies or destinations.
                let edge = design.edges.get(index)?;
                let trigger = edge
                    .evidence
                    .as_ref()
                    .is_some_and(|e| e.role == EdgeRole::Trigger);
                let (first, second) = if trigger {
                    (edge.to, edge.from)
                } else {
                    (edge.from, edge.to)
                };
                self.service(design, first.index())
                    .or_else(|| self.service(design, second.index()))
            }
            Places::None => None,
        }
    }
}

fn spot(position: &Position) -> Spot {
    Spot {
        line: position.line,
        column: position.column,
    }
}

#[derive(Serialize)]
struct Log<R: Serialize> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<R>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<R: Serialize> {
    tool: Tool,
    column_kind: &'static str,
    results: R,
}

struct Tool;

impl Serialize for Tool {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Driver {
            name: &'static str,
            version: &'static str,
            semantic_version: &'static str,
            #[serde(skip_serializing_if = "Option::is_none")]
            information_uri: Option<&'static str>,
            rules: Vec<Rule>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Rule {
            id: &'static str,
            name: &'static str,
            short_description: Text<&'static str>,
            full_description: Text<&'static str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            help_uri: Option<String>,
            default_configuration: Level,
        }
        #[derive(Serialize)]
        struct Level {
            level: &'static str,
        }
        #[derive(Serialize)]
        struct Wrapper {
            driver: Driver,
        }
        let home = crate::build_info::HOMEPAGE;
        let rules = RULES
            .iter()
            .map(|r| Rule {
                id: r.id,
                name: r.name,
                short_description: Text { text: r.short },
                full_description: Text { text: r.full },
                help_uri: home.map(|home| format!("{home}#{}", r.anchor)),
                default_configuration: Level { level: r.level },
            })
            .collect();
        Wrapper {
            driver: Driver {
                name: env!("CARGO_PKG_NAME"),
                version: crate::build_info::VERSION_LINE,
                semantic_version: crate::build_info::VERSION,
                information_uri: home,
                rules,
            },
        }
        .serialize(serializer)
    }
}

#[derive(Serialize)]
struct Text<T> {
    text: T,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text<String>,
    locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: Physical<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<Logical<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<String>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical<'a> {
    artifact_location: Artifact<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct Artifact<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Text<&'static str>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Logical<'a> {
    name: &'a str,
    fully_qualified_name: String,
    kind: &'static str,
}

/// What every location of one report shares: the file.
struct Where<'a> {
    uri: Option<&'a str>,
}

impl<'a> Where<'a> {
    fn physical(&self, at: Option<Spot>) -> Physical<'a> {
        Physical {
            artifact_location: Artifact {
                uri: self.uri,
                description: self.uri.is_none().then_some(Text {
                    text: "standard input",
                }),
            },
            region: at.filter(|s| s.line > 0).map(|s| Region {
                start_line: s.line,
                start_column: s.column.max(1),
            }),
        }
    }
}

/// Writes the SARIF log of a design that was read.
pub(super) fn write_valid(
    out: &mut dyn Write,
    path: &Path,
    design: &Design,
    analysis: &Analysis,
    loops: &[LoopReport],
    places: &Places,
) -> io::Result<()> {
    let uri = artifact_uri(path);
    let results = LoopResults {
        design,
        analysis,
        loops,
        places,
        at: Where {
            uri: uri.as_deref(),
        },
    };
    write_log(out, results)
}

fn write_log(out: &mut dyn Write, results: impl Serialize) -> io::Result<()> {
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool,
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

struct LoopResults<'a> {
    design: &'a Design,
    analysis: &'a Analysis,
    loops: &'a [LoopReport],
    places: &'a Places,
    at: Where<'a>,
}

impl Serialize for LoopResults<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.analysis
                .cycles
                .iter()
                .zip(self.loops)
                .map(|(cycle, report)| self.result(cycle, report)),
        )
    }
}

impl<'a> LoopResults<'a> {
    fn service_location(
        &self,
        member: ServiceIndex,
        id: Option<usize>,
        note: bool,
    ) -> Location<'a> {
        let index = member.index();
        let name = self.design.id(member);
        Location {
            id,
            physical_location: self.at.physical(self.places.service(self.design, index)),
            logical_locations: vec![Logical {
                name,
                fully_qualified_name: format!("services[{index}]"),
                kind: "object",
            }],
            message: note.then(|| Text {
                text: format!("loop member {}", crate::diagnostics::cut(name)),
            }),
        }
    }

    fn result(&self, cycle: &CycleGroup, report: &LoopReport) -> SarifResult<'a> {
        let design = self.design;
        let rule = rule_of(report.class);
        let members = &cycle.members;
        // The first member with a place in the text (a template's implicit services have
        // none), else the first member.
        let primary = members
            .iter()
            .find(|m| self.places.service(design, m.index()).is_some())
            .or(members.first())
            .copied();
        let mut path: Vec<String> = cycle
            .path
            .iter()
            .take(PATH_NAMED)
            .map(|&s| crate::diagnostics::cut(design.id(s)))
            .collect();
        if cycle.path.len() > PATH_NAMED {
            path.push(format!("... ({} steps in all)", cycle.path.len()));
        }
        let plural = if members.len() == 1 { "" } else { "s" };
        let text = format!(
            "{} loop through {} service{plural}: {}. {}. AWS's recursive-loop detection: {}",
            report.class.as_str(),
            members.len(),
            path.join(" -> "),
            report.explanation.trim_end_matches('.'),
            report.guard.reason
        );
        let locations = primary
            .map(|p| vec![self.service_location(p, None, false)])
            .unwrap_or_default();
        let mut related = Vec::new();
        let mut id = 0;
        for m in members.iter().take(RELATED + 1) {
            if Some(*m) == primary {
                continue;
            }
            id += 1;
            related.push(self.service_location(*m, Some(id), true));
        }
        for &at in cycle.edges.iter().take(RELATED) {
            let Some(edge) = design.edges.get(at) else {
                continue;
            };
            id += 1;
            related.push(Location {
                id: Some(id),
                physical_location: self.at.physical(self.places.edge(design, at)),
                logical_locations: vec![Logical {
                    name: &edge.event,
                    fully_qualified_name: format!("edges[{at}]"),
                    kind: "object",
                }],
                message: Some(Text {
                    text: format!(
                        "edge {} -> {} ({})",
                        crate::diagnostics::cut(design.id(edge.from)),
                        crate::diagnostics::cut(design.id(edge.to)),
                        crate::diagnostics::cut(&edge.event)
                    ),
                }),
            });
        }
        SarifResult {
            rule_id: RULES[rule].id,
            rule_index: rule,
            level: RULES[rule].level,
            message: Text { text },
            locations,
            related_locations: related,
        }
    }
}

/// Writes the SARIF log of an input that could not be read: one result per problem.
pub(super) fn write_invalid(
    out: &mut dyn Write,
    path: &Path,
    error: &InputError,
    places: &Places,
) -> io::Result<()> {
    let uri = artifact_uri(path);
    let at = Where {
        uri: uri.as_deref(),
    };
    let mut problems: Vec<(String, Option<Spot>)> = Vec::new();
    let line_column = |line: u32, column: u32| {
        (line > 0).then_some(Spot {
            line,
            column: column.max(1),
        })
    };
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    match error {
        InputError::Template(TemplateError::Syntax {
            line,
            column,
            message,
            ..
        }) => problems.push((message.clone(), line_column(*line, *column))),
        InputError::Template(TemplateError::Invalid {
            line,
            column,
            path,
            message,
            hint,
            ..
        }) => problems.push((
            format!("{path}: {message} (hint: {hint})"),
            line_column(*line, *column),
        )),
        InputError::Design(LoadError::Invalid {
            problems: all,
            more,
            ..
        }) => {
            for problem in all {
                let spot = match places {
                    Places::Design(spots) => spots.path(&problem.path),
                    _ => None,
                };
                problems.push((problem.to_string(), spot));
            }
            if *more > 0 {
                problems.push((format!("... and {more} more problems not listed"), None));
            }
        }
        InputError::Design(LoadError::Syntax {
            line,
            column,
            message,
            ..
        }) => problems.push((
            format!("malformed JSON: {message}"),
            line_column(clamp(*line), clamp(*column)),
        )),
        InputError::Design(LoadError::Limit { message, hint, .. }) => {
            problems.push((format!("{message} (hint: {hint})"), None));
        }
        InputError::Design(LoadError::Io { source, .. }) => {
            problems.push((format!("cannot read the file: {source}"), None));
        }
    }
    let results: Vec<SarifResult> = problems
        .into_iter()
        .map(|(text, spot)| SarifResult {
            rule_id: RULES[INVALID].id,
            rule_index: INVALID,
            level: RULES[INVALID].level,
            message: Text { text },
            locations: vec![Location {
                id: None,
                physical_location: at.physical(spot),
                logical_locations: Vec::new(),
                message: None,
            }],
            related_locations: Vec::new(),
        })
        .collect();
    write_log(out, results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(
            artifact_uri(Path::new("./samples/a b.json")).as_deref(),
            Some("samples/a%20b.json")
        );
        assert_eq!(artifact_uri(Path::new("-")), None);
        let here = std::env::current_dir().unwrap().join("x").join("d.json");
        assert_eq!(artifact_uri(&here).as_deref(), Some("x/d.json"));
        #[cfg(unix)]
        assert_eq!(
            artifact_uri(Path::new("/no/such/dir/é.json")).as_deref(),
            Some("file:///no/such/dir/%C3%A9.json")
        );
    }

    #[test]
    fn every_class_has_its_rule() {
        for class in [
            LoopClass::Runaway,
            LoopClass::Bounded,
            LoopClass::Filtered,
            LoopClass::PermissionOnly,
            LoopClass::Intentional,
        ] {
            let rule = &RULES[rule_of(class)];
            assert_eq!(rule.id, format!("loop-{}", class.as_str()));
        }
    }
}
