//! The round trip: export of a design that was imported from a template.
//!
//! The import keeps the whole template and a snapshot of what it made of it
//! ([`TemplateSource::capture`]). Export starts from the template and compares the design with
//! the snapshot: an untouched service keeps its resource as it was (every property, intrinsic
//! and attribute), an edited one gets only the properties that changed, a new one a fresh
//! resource, a deleted one loses its resource. Edges are compared as a multiset: an added edge
//! gets its construct (event source, policy, ...), a removed one loses the construct that
//! refers to the other end. Everything else (Parameters, Mappings, Conditions, Outputs,
//! Globals, Metadata, resources the design does not show) is written back as it was.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::Exported;
use super::generate::{Context, Resources, properties_mut, resource_type};
use super::names;
use super::properties;
use crate::model::{Design, ServiceKind, TemplateSource};

impl TemplateSource {
    /// What the importer keeps of a template: the whole `document` (intrinsics in long form)
    /// and a snapshot of the `design` it made of it.
    pub fn capture(document: Value, design: &Design) -> TemplateSource {
        TemplateSource {
            document,
            derived: snapshot(design),
        }
    }
}

/// The parts of a design that the template says: per service its kind, routes and
/// properties; per edge its ends, event, mode, filter and (from a gateway) its route.
fn snapshot(design: &Design) -> Value {
    let mut services = Map::new();
    for service in &design.services {
        services.insert(service.id.clone(), service_record(service));
    }
    let edges: Vec<Value> = (0..design.edges.len())
        .map(|edge| edge_record(design, edge))
        .collect();
    json!({"services": services, "edges": edges})
}

fn service_record(service: &crate::model::Service) -> Value {
    json!({
        "kind": service.kind,
        "routes": service.routes,
        "properties": service.properties,
    })
}

fn edge_record(design: &Design, edge: usize) -> Value {
    let e = &design.edges[edge];
    let from = design.service(e.from);
    let mut record = json!({
        "from": from.id,
        "to": design.id(e.to),
        "event": &*e.event,
        "mode": e.mode.as_str(),
        "filter": e.filter,
    });
    if from.kind == ServiceKind::Gateway {
        let route = from.routes.iter().find(|r| r.event == *e.event);
        record["route"] = json!(route.map(|r| r.route.as_str()));
    }
    record
}

/// A snapshot's service as the export needs it.
struct Before {
    kind: Option<ServiceKind>,
    record: Value,
}

/// The design exported over the template it was imported from.
pub(super) fn merge(design: &Design, source: &TemplateSource) -> Exported {
    let mut document = match &source.document {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    let before: HashMap<String, Before> = source.derived["services"]
        .as_object()
        .map(|services| {
            services
                .iter()
                .map(|(id, record)| {
                    let kind = record["kind"].as_str().and_then(ServiceKind::parse);
                    let before = Before {
                        kind,
                        record: record.clone(),
                    };
                    (id.clone(), before)
                })
                .collect()
        })
        .unwrap_or_default();
    // Taken out and put back in its place: the template keeps its order of sections.
    let mut resources = match document.get_mut("Resources").map(Value::take) {
        Some(Value::Object(resources)) => resources,
        _ => Map::new(),
    };
    let mut notes = Vec::new();

    // Resources that are not the imported services' keep their ids: new services get others.
    let taken: HashSet<String> = resources
        .keys()
        .filter(|id| !before.contains_key(*id))
        .cloned()
        .collect();
    let mut context = Context::new(design, &taken);
    for index in 0..design.services.len() {
        let kind = design.services[index].kind;
        if let Some(key) = names::name_property(kind)
            && let Some(name) = resources
                .get(context.logical(index))
                .and_then(|r| r["Properties"].get(key))
        {
            context.given_names[index] = Some(name.clone());
        }
    }

    // Deleted services lose their resources.
    let current: HashSet<&str> = design.services.iter().map(|s| s.id.as_str()).collect();
    let mut deleted: Vec<&String> = before
        .keys()
        .filter(|id| !current.contains(id.as_str()))
        .collect();
    deleted.sort();
    for id in &deleted {
        if resources.shift_remove(id.as_str()).is_some() {
            notes.push(format!("service {id}: deleted, its resource removed"));
        }
    }

    // Services that are new or changed kind get a fresh resource; edited ones their changes.
    let mut replaced: HashSet<usize> = HashSet::new();
    let mut added_serverless = false;
    for (index, service) in design.services.iter().enumerate() {
        let logical = context.logical(index).to_owned();
        let record = service_record(service);
        match before.get(&service.id) {
            Some(old) if old.record == record => {}
            Some(old) if old.kind == Some(service.kind) => {
                let ty = resources.get(&logical).and_then(|r| r["Type"].as_str());
                if let Some(ty) = ty
                    && ty != resource_type(service.kind)
                {
                    // The property table speaks for the types the export writes.
                    notes.push(format!(
                        "service {}: its settings changed, but its resource is an {ty}, which \
                         the export does not edit; change the template by hand",
                        service.id
                    ));
                    continue;
                }
                let Some(props) = properties_mut(&mut resources, &logical) else {
                    continue;
                };
                let was = old.record["properties"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                let now = service.properties.to_map();
                let keys: Vec<&String> = was.keys().chain(now.keys()).collect();
                let mut done = HashSet::new();
                for key in keys {
                    if done.insert(key) && was.get(key) != now.get(key) {
                        properties::apply(service.kind, props, key, now.get(key), &now);
                    }
                }
            }
            _ => {
                if let Some(resource) = context.resource(index) {
                    added_serverless |= resource["Type"]
                        .as_str()
                        .is_some_and(|t| t.starts_with("AWS::Serverless::"));
                    resources.insert(logical, resource);
                }
                replaced.insert(index);
            }
        }
    }

    // Edges: a multiset difference of the records.
    let mut old_edges: Vec<Option<Value>> = source.derived["edges"]
        .as_array()
        .map(|edges| edges.iter().cloned().map(Some).collect())
        .unwrap_or_default();
    let mut added = Vec::new();
    for edge in 0..design.edges.len() {
        let e = &design.edges[edge];
        let touches_replaced =
            replaced.contains(&e.from.index()) || replaced.contains(&e.to.index());
        let record = edge_record(design, edge);
        let matched = (!touches_replaced)
            .then(|| {
                old_edges
                    .iter()
                    .position(|old| old.as_ref() == Some(&record))
            })
            .flatten();
        match matched {
            Some(position) => old_edges[position] = None,
            None => added.push(edge),
        }
    }
    for old in old_edges.into_iter().flatten() {
        let removal = remove_construct(&mut resources, &old, &before, design);
        if let Err(why) = removal {
            notes.push(format!(
                "edge {} -> {} ({}): {why}; remove it from the template by hand",
                old["from"].as_str().unwrap_or("?"),
                old["to"].as_str().unwrap_or("?"),
                old["event"].as_str().unwrap_or("?"),
            ));
        }
    }
    for edge in added {
        let target = design.edges[edge].to.index();
        if context.by_name[edge]
            && context.given_names[target].is_none()
            && let Some(key) = names::name_property(design.services[target].kind)
            && let Some(props) = properties_mut(&mut resources, context.logical(target))
            && !props.contains_key(key)
        {
            props.insert(key.to_owned(), context.fixed_name(target));
            notes.push(format!(
                "service {}: given the fixed name {key} to break a circular reference \
                 (CloudFormation replaces the resource on the next deploy)",
                design.services[target].id
            ));
        }
        notes.extend(context.wire(&mut resources, edge));
    }

    // Outputs that name a deleted resource would fail the deploy.
    if let Some(Value::Object(outputs)) = document.get_mut("Outputs") {
        let stale: Vec<String> = outputs
            .iter()
            .filter(|(_, output)| deleted.iter().any(|id| mentions(output, id)))
            .map(|(key, _)| key.clone())
            .collect();
        for key in stale {
            outputs.shift_remove(&key);
            notes.push(format!("output {key}: removed, it named a deleted service"));
        }
    }
    for id in &deleted {
        let users: Vec<&String> = resources
            .iter()
            .filter(|(_, resource)| mentions(resource, id))
            .map(|(key, _)| key)
            .collect();
        if !users.is_empty() {
            let users: Vec<&str> = users.iter().map(|s| s.as_str()).collect();
            notes.push(format!(
                "service {id}: deleted, but {} still refer to it; edit them by hand",
                users.join(", ")
            ));
        }
    }

    // A new SAM resource in a plain CloudFormation template needs the SAM transform (an
    // unedited template stays as it was, transform or not).
    if added_serverless {
        add_transform(&mut document);
    }
    document.insert("Resources".to_owned(), Value::Object(resources));
    Exported {
        document: Value::Object(document),
        notes,
    }
}

/// Declares the SAM transform, beside any other the template has.
fn add_transform(document: &mut Map<String, Value>) {
    let sam = json!(super::SAM_TRANSFORM);
    match document.get_mut("Transform") {
        Some(Value::Array(list)) if !list.contains(&sam) => list.push(sam),
        Some(Value::Array(_)) => {}
        Some(other) if *other != sam => *other = json!([other.take(), sam]),
        Some(_) => {}
        None => {
            document.insert("Transform".to_owned(), sam);
        }
    }
}

/// Removes what made an imported edge (by the snapshot's record). Err says why it could not.
fn remove_construct(
    resources: &mut Resources,
    edge: &Value,
    before: &HashMap<String, Before>,
    design: &Design,
) -> Result<(), &'static str> {
    let (Some(from), Some(to)) = (edge["from"].as_str(), edge["to"].as_str()) else {
        return Err("the snapshot of the import is damaged");
    };
    let kind = |id: &str| {
        design
            .find(id)
            .map(|i| design.service(i).kind)
            .or_else(|| before.get(id).and_then(|b| b.kind))
    };
    let (Some(fk), Some(tk)) = (kind(from), kind(to)) else {
        return Err("its services are unknown");
    };
    use ServiceKind::*;
    match (fk, tk) {
        (Function | StateMachine, Function | StateMachine)
            if has_event_from(resources, to, from) =>
        {
            remove_event(resources, to, (from, fk, before.get(from)), edge)
        }
        (Function | StateMachine, _) => {
            // Another edge between the same two still needs the policy.
            let still = design
                .edges
                .iter()
                .any(|e| design.id(e.from) == from && design.id(e.to) == to);
            if still {
                return Ok(());
            }
            remove_policy(resources, from, to)
        }
        (_, Function | StateMachine) => {
            remove_event(resources, to, (from, fk, before.get(from)), edge)
        }
        (Queue, Queue) => {
            let Some(props) = existing_properties(resources, from) else {
                return Ok(());
            };
            if props.get("RedrivePolicy").is_some_and(|r| mentions(r, to)) {
                props.shift_remove("RedrivePolicy");
                Ok(())
            } else {
                Err("no RedrivePolicy of the queue names the other queue")
            }
        }
        _ => {
            // A subscription, rule or mapping of its own that names both ends.
            let own: Vec<String> = resources
                .iter()
                .filter(|(key, resource)| {
                    key.as_str() != from
                        && key.as_str() != to
                        && mentions(&resource["Properties"], from)
                        && mentions(&resource["Properties"], to)
                        && !resource["Type"]
                            .as_str()
                            .is_some_and(|t| t.ends_with("Policy"))
                })
                .map(|(key, _)| key.clone())
                .collect();
            if own.len() == 1 {
                resources.shift_remove(&own[0]);
                Ok(())
            } else {
                Err("no single resource connects the two")
            }
        }
    }
}

fn existing_properties<'r>(
    resources: &'r mut Resources,
    id: &str,
) -> Option<&'r mut Map<String, Value>> {
    resources
        .get_mut(id)?
        .get_mut("Properties")?
        .as_object_mut()
}

fn has_event_from(resources: &Resources, target: &str, source: &str) -> bool {
    resources
        .get(target)
        .and_then(|r| r["Properties"]["Events"].as_object())
        .is_some_and(|events| events.values().any(|event| mentions(event, source)))
}

/// Removes the target's event source that names the source (for a gateway: by its route too;
/// for a schedule, which has no resource: the schedule events of the target).
fn remove_event(
    resources: &mut Resources,
    target: &str,
    (source, kind, was): (&str, ServiceKind, Option<&Before>),
    edge: &Value,
) -> Result<(), &'static str> {
    let Some(props) = existing_properties(resources, target) else {
        // The target's resource is gone (deleted or replaced): so is its event.
        return Ok(());
    };
    let Some(Value::Object(events)) = props.get_mut("Events") else {
        return Err("the target has no Events");
    };
    let route = edge["route"].as_str().map(|r| {
        let mut parts = r.split_whitespace();
        let method = parts.next().unwrap_or_default().to_ascii_lowercase();
        (method, parts.next().unwrap_or_default().to_owned())
    });
    let matching: Vec<String> = events
        .iter()
        .filter(|(key, event)| {
            let p = &event["Properties"];
            if let Some((method, path)) = &route {
                let same_route = p["Path"].as_str() == Some(path.as_str())
                    && p["Method"].as_str().map(str::to_ascii_lowercase).as_deref()
                        == Some(method.as_str());
                return same_route
                    && (mentions(p, source)
                        || source == names::IMPLICIT_REST_API
                        || source == names::IMPLICIT_HTTP_API);
            }
            key.as_str() == source || mentions(p, source) || source.ends_with(key.as_str())
        })
        .map(|(key, _)| key.clone())
        .collect();
    // A schedule or the default bus has no resource to name: its event is the one of its
    // type that says its expression, or carries its event name with no bus of its own.
    let matching = if matching.is_empty() {
        let expression = was.and_then(|b| b.record["properties"]["expression"].as_str());
        let event_name = edge["event"].as_str().unwrap_or_default();
        events
            .iter()
            .filter(|(_, event)| {
                let p = &event["Properties"];
                match (kind, event["Type"].as_str()) {
                    (ServiceKind::Schedule, Some("Schedule" | "ScheduleV2")) => expression
                        .is_none_or(|x| {
                            p["Schedule"].as_str() == Some(x)
                                || p["ScheduleExpression"].as_str() == Some(x)
                        }),
                    (ServiceKind::Bus, Some("EventBridgeRule" | "CloudWatchEvent"))
                        if source == names::DEFAULT_BUS =>
                    {
                        p.get("EventBusName").is_none_or(|b| b == "default")
                            && mentions(&p["Pattern"], event_name)
                    }
                    _ => false,
                }
            })
            .map(|(key, _)| key.clone())
            .collect()
    } else {
        matching
    };
    match matching.as_slice() {
        [one] => {
            events.shift_remove(one);
            Ok(())
        }
        [] => Err("no event source of the target names it"),
        _ => Err("several event sources of the target name it"),
    }
}

/// Removes the writer's policy entries that name the target.
fn remove_policy(
    resources: &mut Resources,
    writer: &str,
    target: &str,
) -> Result<(), &'static str> {
    let Some(props) = existing_properties(resources, writer) else {
        return Ok(());
    };
    let Some(Value::Array(policies)) = props.get_mut("Policies") else {
        return Err("the writer has no Policies list");
    };
    let mut removed = false;
    policies.retain_mut(|policy| {
        if !policy.is_object() || !mentions(policy, target) {
            return true;
        }
        removed = true;
        // An inline policy document loses only the statements that name the target.
        match policy.get_mut("Statement") {
            Some(Value::Array(statements)) => {
                statements.retain(|statement| !mentions(statement, target));
                !statements.is_empty()
            }
            _ => false,
        }
    });
    if removed {
        Ok(())
    } else {
        Err("no policy of the writer names the target")
    }
}

/// True when a value refers to the resource `id`: `Ref`, `Fn::GetAtt`, `${id}` in `Fn::Sub`, or
/// its id as a literal string (templates name resources so to dodge circular references).
pub(super) fn mentions(value: &Value, id: &str) -> bool {
    match value {
        Value::String(text) => text == id,
        Value::Array(items) => items.iter().any(|item| mentions(item, id)),
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("Ref") {
                return target == id;
            }
            if let Some(attribute) = map.get("Fn::GetAtt") {
                let named = match attribute {
                    Value::Array(parts) => parts.first().and_then(Value::as_str) == Some(id),
                    Value::String(text) => text.split('.').next() == Some(id),
                    _ => false,
                };
                if named {
                    return true;
                }
            }
            if let Some(sub) = map.get("Fn::Sub") {
                let text = match sub {
                    Value::Array(parts) => parts.first().and_then(Value::as_str),
                    other => other.as_str(),
                };
                if text.is_some_and(|t| {
                    t.contains(&format!("${{{id}}}")) || t.contains(&format!("${{{id}."))
                }) {
                    return true;
                }
            }
            map.values().any(|inner| mentions(inner, id))
        }
        _ => false,
    }
}
