//! Export of a design as a SAM template that deploys (`sam deploy --guided`).
//!
//! A design without a template behind it is written fresh: a resource per service, and per
//! edge the construct that makes it happen (see `generate`). A design imported from a
//! template starts from that template instead and changes only what was edited since the
//! import (see `source`). Either way the result is template JSON with intrinsics in long form,
//! written as YAML with short-form tags by [`yaml`].

mod cycles;
mod generate;
mod names;
mod properties;
mod source;
pub mod yaml;

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::model::{Design, ServiceKind};
use generate::Context;

/// The SAM transform every exported template declares.
pub const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// An exported template and what could not be said in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// The template, intrinsics in long form (`{"Ref": ..}`).
    pub document: Value,
    /// One line per edge or setting that SAM has no counterpart for, or that needs the user's
    /// attention (an imported construct that could not be found to remove).
    pub notes: Vec<String>,
}

impl Exported {
    /// The template as YAML with short-form tags.
    pub fn to_yaml(&self) -> String {
        yaml::to_yaml(&self.document)
    }
}

/// Exports a design as a SAM template: from its own template when it was imported (keeping
/// everything the design does not show), else fresh.
pub fn export_sam(design: &Design) -> Exported {
    match &design.template {
        Some(source) => source::merge(design, source),
        None => fresh(design),
    }
}

/// A template made from the design alone.
fn fresh(design: &Design) -> Exported {
    let context = Context::new(design, &HashSet::new());
    let mut resources = Map::new();
    for index in 0..design.services.len() {
        if let Some(resource) = context.resource(index) {
            resources.insert(context.logical(index).to_owned(), resource);
        }
    }
    let mut notes = Vec::new();
    for edge in 0..design.edges.len() {
        notes.extend(context.wire(&mut resources, edge));
    }
    let mut outputs = Map::new();
    for (index, service) in design.services.iter().enumerate() {
        if service.kind != ServiceKind::Gateway {
            continue;
        }
        let Some(api) = context.resource_id(index) else {
            continue;
        };
        if !routed(&resources, api) {
            // An API with no route is refused by SAM (it has no paths to write).
            resources.shift_remove(api);
            notes.push(format!(
                "gateway {}: left out, no route of it leads to a function or state machine",
                service.id
            ));
            continue;
        }
        outputs.insert(
            format!("{api}Url"),
            json!({
                "Description": format!("Base URL of {}", service.label()),
                "Value": {"Fn::Sub": format!(
                    "https://${{{api}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/prod/"
                )}
            }),
        );
    }
    let mut document = Map::new();
    document.insert("AWSTemplateFormatVersion".to_owned(), json!("2010-09-09"));
    document.insert("Transform".to_owned(), json!(SAM_TRANSFORM));
    let description = if design.name.is_empty() {
        "Exported by Event Architect".to_owned()
    } else {
        format!("{} (exported by Event Architect)", design.name)
    };
    document.insert("Description".to_owned(), json!(description));
    document.insert("Resources".to_owned(), Value::Object(resources));
    if !outputs.is_empty() {
        document.insert("Outputs".to_owned(), Value::Object(outputs));
    }
    Exported {
        document: Value::Object(document),
        notes,
    }
}

/// True when some function's or state machine's `Api` event names this API.
fn routed(resources: &Map<String, Value>, api: &str) -> bool {
    let reference = json!({"Ref": api});
    resources.values().any(|resource| {
        resource["Properties"]["Events"]
            .as_object()
            .is_some_and(|events| {
                events
                    .values()
                    .any(|event| event["Properties"]["RestApiId"] == reference)
            })
    })
}

/// The export's tests; [`tests::assert_unedited_round_trip`] is for the importer's tests too.
#[cfg(test)]
pub(crate) mod tests;
