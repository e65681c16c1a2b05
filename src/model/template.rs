//! The template a design was imported from, kept so that exporting it again keeps everything
//! the design does not show (Parameters, Conditions, IAM roles, unknown resources and
//! properties, intrinsics in their original form).
//!
//! Only data lives here; `crate::template::export` captures it at import and compares it with
//! the design at export, to tell an untouched service (its resource written back verbatim) from
//! an edited, new or deleted one.

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// The original template and what the import derived from it. Saved in the design file
/// (`template`), so it survives a restart.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TemplateSource {
    /// The whole template as JSON, intrinsic functions in long form (`{"Ref": "X"}`,
    /// `{"Fn::Sub": ".."}`, `{"Fn::GetAtt": ["X", "Arn"]}`).
    pub document: Value,
    /// What the import made of it: `{"services": {ID: {"kind", "routes", "properties"}},
    /// "edges": [{"from", "to", "event", "mode", "filter"}]}`, compared with the design at
    /// export.
    pub derived: Value,
}
