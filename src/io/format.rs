//! The design file's records: what [`save`](super::save) writes and what the JSON Schema in
//! `assets/design.schema.json` describes. Field order here is the order in the file, and the
//! field tables below are what both readers match keys against and name in their messages (a
//! test keeps them equal to the records).

use schemars::JsonSchema;
use serde::Serialize;

use crate::model::{
    Behavior, Design, EdgeFilter, EdgeMode, Evidence, IntentionalLoop, Position, Properties, Route,
    ServiceKind, TemplateSource,
};

/// The top level's fields, in file order.
pub const TOP_FIELDS: &[&str] = &[
    "version",
    "name",
    "services",
    "edges",
    "intentional_loops",
    "template",
];
/// A service's fields, in file order.
pub const SERVICE_FIELDS: &[&str] = &[
    "id",
    "name",
    "kind",
    "behavior",
    "routes",
    "position",
    "notes",
    "properties",
];
/// An edge's fields, in file order.
pub const EDGE_FIELDS: &[&str] = &["from", "to", "event", "mode", "filter", "evidence", "via"];
/// A route's fields.
pub const ROUTE_FIELDS: &[&str] = &["route", "event"];
/// A position's fields.
pub const POSITION_FIELDS: &[&str] = &["x", "y"];
/// The fields of the template a design was imported from.
pub const TEMPLATE_FIELDS: &[&str] = &["document", "derived"];

/// A whole design file.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(title = "Event Architect design", deny_unknown_fields)]
pub struct DesignFile<'a> {
    /// File-format version; this build reads 1 and 2 and writes 2.
    #[schemars(range(min = 1, max = 2))]
    pub version: u32,
    /// The design's name.
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub name: &'a str,
    /// The services, in the order that breaks ties in the analysis.
    pub services: Vec<ServiceRecord<'a>>,
    /// Event edges from publisher to subscriber.
    #[serde(default)]
    pub edges: Vec<EdgeRecord<'a>>,
    /// Loops marked as meant to be: the ids of a cycle group's services and why. `check` does
    /// not fail on them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intentional_loops: Vec<&'a IntentionalLoop>,
    /// The SAM/CloudFormation template the design was imported from, and what the import made
    /// of it: `export` writes untouched services back as they were (new in version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<&'a TemplateSource>,
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
    /// Settings. Known keys per kind: function `runtime`, `handler`, `code_uri` (strings),
    /// `memory_mb` (128 to 10240), `timeout_s` (1 to 900); queue `visibility_timeout_s`,
    /// `max_receive_count`, `fifo`; table `key`, `sort_key`; topic `fifo`; bucket `versioned`;
    /// state-machine `type`; stream `partition_key`, `shards`; schedule `expression`. Other keys
    /// are kept as they are.
    #[serde(skip_serializing_if = "properties_empty")]
    #[schemars(with = "crate::model::properties::PropertyMap")]
    pub properties: &'a Properties,
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
    /// `async` (through the bus, the default) or `sync` (a direct call or data access).
    #[serde(default, skip_serializing_if = "EdgeMode::is_async")]
    pub mode: EdgeMode,
    /// Which events take this edge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<&'a EdgeFilter>,
    /// Why the edge exists: the template construct that made it (set by `import`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<&'a Evidence>,
    /// The lane auto-layout gave the edge past the columns it skips: points it passes, each
    /// column's entry and exit. The canvas follows it while it stays clear of the boxes.
    #[serde(default, skip_serializing_if = "<[Position]>::is_empty")]
    #[schemars(length(max = 4096))]
    pub via: &'a [Position],
}

fn properties_empty(properties: &&Properties) -> bool {
    properties.is_empty()
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
                    properties: &s.properties,
                })
                .collect(),
            edges: design
                .edges
                .iter()
                .map(|e| EdgeRecord {
                    from: design.id(e.from),
                    to: design.id(e.to),
                    event: &e.event,
                    mode: e.mode,
                    filter: e.filter.as_deref(),
                    evidence: e.evidence.as_deref(),
                    via: design.via(e.uid),
                })
                .collect(),
            // A mark whose service is gone (deleted) marks no loop any more.
            intentional_loops: design
                .intentional_loops
                .iter()
                .filter(|l| l.services.iter().all(|id| design.find(id).is_some()))
                .collect(),
            template: design.template.as_deref(),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys of a record's schema, in order.
    fn keys(schema: &serde_json::Value, definition: Option<&str>) -> Vec<String> {
        let object = match definition {
            Some(name) => &schema["$defs"][name],
            None => schema,
        };
        object["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn the_field_tables_are_the_records_fields() {
        let schema: serde_json::Value = serde_json::from_str(&schema_json()).unwrap();
        assert_eq!(keys(&schema, None), TOP_FIELDS);
        assert_eq!(keys(&schema, Some("ServiceRecord")), SERVICE_FIELDS);
        assert_eq!(keys(&schema, Some("EdgeRecord")), EDGE_FIELDS);
        assert_eq!(keys(&schema, Some("Route")), ROUTE_FIELDS);
        assert_eq!(keys(&schema, Some("Position")), POSITION_FIELDS);
        assert_eq!(keys(&schema, Some("TemplateSource")), TEMPLATE_FIELDS);
    }
}
