//! The design file's records: what [`save`](super::save) writes and what the JSON Schema in
//! `assets/design.schema.json` describes. Field order here is the order in the file.

use schemars::JsonSchema;
use serde::Serialize;

use crate::model::{Behavior, Design, Position, Route, ServiceKind};

/// A whole design file.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "Event Architect design", deny_unknown_fields)]
pub struct DesignFile<'a> {
    /// File-format version; this build reads and writes 1.
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    /// The design's name.
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub name: &'a str,
    /// The services, in the order that breaks ties in the analysis.
    pub services: Vec<ServiceRecord<'a>>,
    /// Event edges from publisher to subscriber.
    #[serde(default)]
    pub edges: Vec<EdgeRecord<'a>>,
}

/// One service.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ServiceRecord<'a> {
    /// Unique, non-empty id; any Unicode.
    #[schemars(length(min = 1))]
    pub id: &'a str,
    /// Display name.
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub name: &'a str,
    /// What the service is.
    pub kind: ServiceKind,
    /// How a function behaves in the simulator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behavior: Option<Behavior>,
    /// Gateway routes: a request on `route` is published as `event`.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub routes: &'a [Route],
    /// Where it sits on the canvas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// Free-form notes.
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub notes: &'a str,
}

/// One event edge.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct EdgeRecord<'a> {
    /// The publisher's id.
    pub from: &'a str,
    /// The subscriber's id.
    pub to: &'a str,
    /// The event's name.
    #[schemars(length(min = 1))]
    pub event: &'a str,
}

impl<'a> DesignFile<'a> {
    /// The records for a design, borrowing its strings.
    pub fn from_design(design: &'a Design) -> DesignFile<'a> {
        DesignFile {
            version: crate::model::CURRENT_VERSION,
            name: &design.name,
            services: design
                .services
                .iter()
                .map(|s| ServiceRecord {
                    id: &s.id,
                    name: &s.name,
                    kind: s.kind,
                    behavior: s.behavior,
                    routes: &s.routes,
                    position: s.position,
                    notes: &s.notes,
                })
                .collect(),
            edges: design
                .edges
                .iter()
                .map(|e| EdgeRecord {
                    from: design.id(e.from),
                    to: design.id(e.to),
                    event: &e.event,
                })
                .collect(),
        }
    }
}

/// The JSON Schema of the design file, pretty-printed with a final newline.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(DesignFile<'static>);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
