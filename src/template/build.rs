//! From an indexed template to services and edges: every construct of the survey that
//! makes a trigger (source to handler) or a write (a function to what it writes), each edge
//! with its [`Evidence`]. Reads and references only an environment variable makes become notes
//! on the service.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::iam::{self, Access};
use super::refs::{Index, Resolved};
use super::services::{integer, kind_of, properties, redrive_policy, with_globals};
use super::{PathPart, Problem};
use crate::model::evidence::{Bound, BoundKind, EdgeRole, Reach};
use crate::model::{
    Design, EdgeFilter, EdgeMode, EventEdge, Evidence, Route, Service, ServiceIndex, ServiceKind,
};

/// The id SAM gives the REST API it creates for `Api` events.
pub const IMPLICIT_REST_API: &str = "ServerlessRestApi";
/// The id SAM gives the HTTP API it creates for `HttpApi` events.
pub const IMPLICIT_HTTP_API: &str = "ServerlessHttpApi";
/// The id of the account's default event bus.
pub const DEFAULT_BUS: &str = "default";

/// At most this many edges come from one wildcard; the rest are counted in a note.
const MAX_WILDCARD_TARGETS: usize = 200;

/// The event a trigger from a service of this kind carries (a bus's and a gateway's are named
/// by the rule or the route instead).
fn trigger_event(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::Queue => "Message",
        ServiceKind::Topic => "Notification",
        ServiceKind::Bucket => "ObjectCreated",
        ServiceKind::Table => "StreamRecord",
        ServiceKind::Stream => "Record",
        ServiceKind::Schedule => "Scheduled",
        ServiceKind::Bus => "Event",
        ServiceKind::Gateway => "Request",
        ServiceKind::Function | ServiceKind::StateMachine => "Output",
    }
}

/// The event a write into a service of this kind carries.
fn write_event(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::Queue => "SendMessage",
        ServiceKind::Topic => "Publish",
        ServiceKind::Bucket => "PutObject",
        ServiceKind::Table => "PutItem",
        ServiceKind::Stream => "PutRecord",
        ServiceKind::Bus => "PutEvents",
        ServiceKind::Function => "Invoke",
        ServiceKind::StateMachine => "StartExecution",
        ServiceKind::Gateway => "PostToConnection",
        ServiceKind::Schedule => "Schedule",
    }
}

/// One edge to add.
struct Link {
    from: ServiceIndex,
    to: ServiceIndex,
    event: String,
    evidence: Evidence,
    filter: Option<EdgeFilter>,
}

/// The design being built.
pub(super) struct Builder<'a> {
    index: &'a Index<'a>,
    /// The template's `Resources`, for what sits beside a resource's `Properties`.
    resources: &'a Map<String, Value>,
    globals: Option<&'a Map<String, Value>>,
    pub design: Design,
    /// Per resource: the service it became.
    service_of_resource: Vec<Option<ServiceIndex>>,
    /// Per resource: it made an edge (a rule, a subscription, an integration...).
    pub used: Vec<bool>,
    by_id: HashMap<String, ServiceIndex>,
    /// Per service: notes to write.
    notes: Vec<Vec<String>>,
    /// (from, to, event) -> place in the edge list.
    edge_at: HashMap<(u32, u32, Arc<str>), usize>,
    /// Per role resource: the functions and state machines that use it.
    role_users: HashMap<usize, usize>,
    /// Services SAM or AWS create that the template does not list.
    pub implicit: usize,
    /// Per service: the AWS managed full-access policies it has, as (IAM prefix, construct).
    managed: HashMap<u32, Vec<(&'static str, String)>>,
}

/// A path from its parts.
fn path(parts: &[&str]) -> Vec<PathPart> {
    parts
        .iter()
        .map(|p| PathPart::Key((*p).to_owned()))
        .collect()
}

fn fail(at: Vec<PathPart>, message: impl Into<String>, hint: impl Into<String>) -> Problem {
    Problem {
        path: at,
        message: message.into(),
        hint: hint.into(),
    }
}

impl<'a> Builder<'a> {
    pub fn new(
        index: &'a Index<'a>,
        resources: &'a Map<String, Value>,
        globals: Option<&'a Map<String, Value>>,
        name: &str,
    ) -> Self {
        let count = index.resources.len();
        Builder {
            index,
            resources,
            globals,
            design: Design::new(name),
            service_of_resource: vec![None; count],
            used: vec![false; count],
            by_id: HashMap::new(),
            notes: Vec::new(),
            edge_at: HashMap::new(),
            role_users: HashMap::new(),
            implicit: 0,
            managed: HashMap::new(),
        }
    }

    /// Every resource the model shows, as a service, in template order.
    pub fn services(&mut self) {
        for (at, resource) in self.index.resources.iter().enumerate() {
            let Some(kind) = kind_of(resource.ty, resource.props) else {
                continue;
            };
            let mut notes = Vec::new();
            let globals =
                if kind == ServiceKind::Function && resource.ty.starts_with("AWS::Serverless") {
                    self.globals
                } else {
                    None
                };
            let mut service = Service::new(resource.id, kind);
            service.properties = properties(kind, resource.ty, resource.props, globals, &mut notes);
            let index = self.add_service(service);
            self.notes[index.index()].extend(notes);
            self.service_of_resource[at] = Some(index);
        }
    }

    fn add_service(&mut self, service: Service) -> ServiceIndex {
        let index = ServiceIndex(self.design.services.len() as u32);
        self.by_id.insert(service.id.clone(), index);
        self.design.add_service(service);
        self.notes.push(Vec::new());
        index
    }

    /// The service with this id, made (as `kind`) when SAM or AWS creates it implicitly.
    fn implicit_service(&mut self, id: &str, kind: ServiceKind) -> ServiceIndex {
        if let Some(&index) = self.by_id.get(id) {
            return index;
        }
        self.implicit += 1;
        let mut service = Service::new(id, kind);
        service.notes = "created implicitly (not a resource of the template)".to_owned();
        self.add_service(service)
    }

    fn note(&mut self, service: ServiceIndex, text: String) {
        let notes = &mut self.notes[service.index()];
        if !notes.contains(&text) {
            notes.push(text);
        }
    }

    /// The shown services a value names (resources of other types are left out).
    fn services_named(&self, resolved: &Resolved) -> Vec<(ServiceIndex, Option<String>)> {
        resolved
            .hits
            .iter()
            .filter_map(|hit| Some((self.service_of_resource[hit.resource]?, hit.keys.clone())))
            .collect()
    }

    fn first_service(&self, value: Option<&Value>) -> Option<ServiceIndex> {
        let resolved = self.index.resolve(value?);
        self.services_named(&resolved).first().map(|(s, _)| *s)
    }

    /// The bus a value names: `default` (or nothing) is the default bus.
    fn bus(&mut self, value: Option<&Value>) -> Option<ServiceIndex> {
        match value {
            None => Some(self.implicit_service(DEFAULT_BUS, ServiceKind::Bus)),
            Some(Value::String(text))
                if text == "default" || text.ends_with("event-bus/default") =>
            {
                Some(self.implicit_service(DEFAULT_BUS, ServiceKind::Bus))
            }
            Some(value) => self
                .first_service(Some(value))
                .filter(|s| self.kind(*s) == ServiceKind::Bus),
        }
    }

    fn kind(&self, service: ServiceIndex) -> ServiceKind {
        self.design.service(service).kind
    }

    fn id(&self, service: ServiceIndex) -> &str {
        self.design.id(service)
    }

    /// Adds an edge, or keeps the one already there for the same ends and event when its
    /// evidence is at least as direct.
    fn link(&mut self, link: Link) {
        let mode = if self.kind(link.from) == ServiceKind::Gateway
            && matches!(
                self.kind(link.to),
                ServiceKind::Function | ServiceKind::StateMachine
            ) {
            EdgeMode::Sync
        } else {
            self.kind(link.to).default_mode_into()
        };
        // A design's events are named (an empty `detail-type` or event key names none).
        let name = if link.event.is_empty() {
            "Event"
        } else {
            link.event.as_str()
        };
        let event: Arc<str> = Arc::from(name);
        let key = (link.from.0, link.to.0, event.clone());
        if let Some(&at) = self.edge_at.get(&key) {
            let existing = &mut self.design.edges[at];
            let rank = |reach: Reach| match reach {
                Reach::Direct => 0,
                Reach::SharedRole => 1,
                Reach::Environment => 2,
                Reach::Wildcard => 3,
            };
            let old = existing.evidence.as_ref().map_or(0, |e| rank(e.reach));
            if rank(link.evidence.reach) < old {
                existing.evidence = Some(Box::new(link.evidence));
            }
            return;
        }
        let mut edge = EventEdge::new(link.from, link.to, event);
        edge.mode = mode;
        edge.filter = link.filter.filter(|f| !f.is_empty()).map(Box::new);
        edge.evidence = Some(Box::new(link.evidence));
        self.edge_at.insert(key, self.design.edges.len());
        self.design.add_edge(edge);
    }

    fn has_edge(&self, from: ServiceIndex, to: ServiceIndex) -> bool {
        self.design
            .edges
            .iter()
            .any(|e| e.from == from && e.to == to)
    }

    /// Every construct that makes edges, resource by resource.
    pub fn edges(&mut self) -> Result<(), Problem> {
        // Which principals use each role, first: a role used by several is a shared one.
        for resource in &self.index.resources {
            let role = match resource.ty {
                "AWS::Serverless::Function"
                | "AWS::Serverless::StateMachine"
                | "AWS::Lambda::Function" => resource.props.get("Role"),
                "AWS::StepFunctions::StateMachine" => resource.props.get("RoleArn"),
                _ => None,
            };
            for hit in role.map(|r| self.index.resolve(r).hits).unwrap_or_default() {
                if self.index.resources[hit.resource].ty == "AWS::IAM::Role" {
                    *self.role_users.entry(hit.resource).or_default() += 1;
                }
            }
        }
        for at in 0..self.index.resources.len() {
            let resource = self.index.resources[at];
            let me = self.service_of_resource[at];
            let props = resource.props;
            let id = resource.id;
            match (resource.ty, me) {
                ("AWS::Serverless::Function", Some(me)) => {
                    self.function_events(at, me, props)?;
                    self.sam_policies(me, props.get("Policies"));
                    self.role(me, props.get("Role"));
                    self.invoke_config(me, props.get("EventInvokeConfig"), "EventInvokeConfig");
                    self.dead_letter(me, props.get("DeadLetterQueue"), "DeadLetterQueue");
                    if let Some(url) = with_globals(props, self.globals, "FunctionUrlConfig") {
                        self.function_url(me, &format!("{id}Url"), url);
                    }
                    self.environment(me, with_globals(props, self.globals, "Environment"), at);
                }
                ("AWS::Lambda::Function", Some(me)) => {
                    self.role(me, props.get("Role"));
                    self.dead_letter(me, props.get("DeadLetterConfig"), "DeadLetterConfig");
                    self.environment(me, props.get("Environment"), at);
                }
                ("AWS::Serverless::StateMachine", Some(me)) => {
                    self.function_events(at, me, props)?;
                    self.sam_policies(me, props.get("Policies"));
                    self.role(me, props.get("Role"));
                    self.definition(me, props);
                }
                ("AWS::StepFunctions::StateMachine", Some(me)) => {
                    self.role(me, props.get("RoleArn"));
                    self.definition(me, props);
                }
                ("AWS::SQS::Queue", Some(me)) => self.redrive(me, id, props)?,
                ("AWS::SNS::Topic", Some(me)) => self.topic_subscriptions(me, props),
                ("AWS::S3::Bucket", Some(me)) => self.bucket_notifications(me, props),
                ("AWS::Events::Rule", _) => self.rule(at, me, props),
                ("AWS::Scheduler::Schedule", Some(me)) => {
                    self.schedule_target(me, props.get("Target"), "Target")
                }
                ("AWS::SNS::Subscription", _) => self.subscription(at, props),
                ("AWS::Lambda::EventSourceMapping", _) => self.event_source_mapping(at, props),
                ("AWS::Lambda::EventInvokeConfig", _) => {
                    if let Some(function) = self.first_service(props.get("FunctionName")) {
                        self.used[at] = true;
                        let construct = format!("EventInvokeConfig {id}");
                        self.invoke_config(
                            function,
                            Some(&Value::Object(props.clone())),
                            &construct,
                        );
                    }
                }
                ("AWS::Pipes::Pipe", _) => self.pipe(at, props),
                ("AWS::Serverless::Api" | "AWS::Serverless::HttpApi", Some(me)) => {
                    self.openapi(me, props.get("DefinitionBody"), "DefinitionBody")
                }
                ("AWS::ApiGateway::RestApi" | "AWS::ApiGatewayV2::Api", Some(me)) => {
                    self.openapi(me, props.get("Body"), "Body")
                }
                ("AWS::ApiGateway::Method", _) => self.rest_method(at, props),
                ("AWS::ApiGatewayV2::Integration", _) => self.v2_integration(at, props),
                ("AWS::Lambda::Url", Some(me)) => {
                    if let Some(function) = self.first_service(props.get("TargetFunctionArn")) {
                        self.add_route(me, "ANY /", id);
                        self.link(Link {
                            from: me,
                            to: function,
                            event: id.to_owned(),
                            evidence: Evidence::new(format!("Lambda::Url {id}"), EdgeRole::Trigger),
                            filter: None,
                        });
                    }
                }
                ("AWS::KinesisFirehose::DeliveryStream", Some(me)) => self.firehose(me, props),
                ("AWS::Serverless::Connector", _) => {
                    self.connector(at, props.get("Source"), props, &format!("Connector {id}"))
                }
                _ => {}
            }
            // Connectors embedded in a resource (SAM), beside its Properties.
            let embedded = self.index_value(at).and_then(|r| r.get("Connectors"));
            if let Some(Value::Object(connectors)) = embedded {
                for (name, connector) in connectors {
                    let source = serde_json::json!({"Id": id});
                    if let Some(Value::Object(cprops)) = connector.get("Properties") {
                        self.connector(at, Some(&source), cprops, &format!("Connectors.{name}"));
                    }
                }
            }
        }
        // Last: a permission only stands in for an edge that nothing else drew.
        for at in 0..self.index.resources.len() {
            let resource = self.index.resources[at];
            if resource.ty == "AWS::Lambda::Permission" {
                self.permission(at, resource.props);
            }
        }
        self.write_notes();
        Ok(())
    }

    /// The resource's whole value (for what sits beside `Properties`).
    fn index_value(&self, at: usize) -> Option<&'a Map<String, Value>> {
        self.resources.get(self.index.resources[at].id)?.as_object()
    }
}

/// An S3 key filter (`Filter.S3Key.Rules`: prefix and suffix rules).
fn s3_filter(filter: Option<&Value>) -> Option<EdgeFilter> {
    let rules = filter?.get("S3Key")?.get("Rules")?.as_array()?;
    let mut out = EdgeFilter::default();
    for rule in rules {
        let name = rule
            .get("Name")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase);
        let value = rule.get("Value").and_then(Value::as_str).map(str::to_owned);
        match name.as_deref() {
            Some("prefix") => out.prefix = value,
            Some("suffix") => out.suffix = value,
            _ => {}
        }
    }
    (!out.is_empty()).then_some(out)
}

/// An event pattern (an object, or its JSON text) as a filter, when the model can hold it.
fn pattern_filter(pattern: Option<&Value>) -> Option<EdgeFilter> {
    let pattern = match pattern? {
        Value::String(text) => serde_json::from_str(text).ok()?,
        other => other.clone(),
    };
    let filter = EdgeFilter::with_pattern(&pattern);
    filter.check().ok().map(|()| filter)
}

/// The first pattern of a `FilterCriteria` (SQS, streams, pipes), and how many there are.
fn criteria_filter(criteria: Option<&Value>) -> (Option<EdgeFilter>, usize) {
    let Some(filters) = criteria
        .and_then(|c| c.get("Filters"))
        .and_then(Value::as_array)
    else {
        return (None, 0);
    };
    let first = filters
        .first()
        .and_then(|f| pattern_filter(f.get("Pattern")));
    (first, filters.len())
}

/// The S3 event names of an `Events` value (`s3:ObjectCreated:*` gives `ObjectCreated`).
fn s3_events(events: Option<&Value>) -> Vec<String> {
    let list: Vec<&str> = match events {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let mut out: Vec<String> = Vec::new();
    for event in list {
        let name = event
            .split(':')
            .nth(1)
            .unwrap_or("ObjectCreated")
            .to_owned();
        if !out.contains(&name) {
            out.push(name);
        }
    }
    if out.is_empty() {
        out.push("ObjectCreated".to_owned());
    }
    out
}

/// The event a rule's pattern names: its first `detail-type`, else its first `source`.
fn pattern_event(pattern: Option<&Value>, fallback: &str) -> String {
    let pattern = match pattern {
        Some(Value::String(text)) => serde_json::from_str(text).unwrap_or(Value::Null),
        Some(other) => other.clone(),
        None => Value::Null,
    };
    for key in ["detail-type", "source"] {
        if let Some(first) = pattern
            .get(key)
            .and_then(|v| v.get(0))
            .and_then(Value::as_str)
        {
            return first.to_owned();
        }
    }
    fallback.to_owned()
}

fn bound(kind: BoundKind, count: Option<i64>) -> Option<Bound> {
    let count = u32::try_from(count?).ok()?;
    Some(Bound { kind, count })
}

/// A short, safe rendering of a template value for an evidence text: a string as it is
/// (quoted), an intrinsic by its target.
fn shown_value(value: &Value) -> String {
    match value {
        Value::String(text) => format!("{:?}", crate::diagnostics::cut(text)),
        Value::Object(map) if map.len() == 1 => {
            let (key, inner) = map
                .iter()
                .next()
                .map_or(("", &Value::Null), |(k, v)| (k.as_str(), v));
            match (key, inner) {
                ("Ref", Value::String(name)) => name.clone(),
                ("Fn::GetAtt", Value::Array(parts)) => parts
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("."),
                ("Fn::Sub", Value::String(text)) => format!("{:?}", crate::diagnostics::cut(text)),
                _ => key.to_owned(),
            }
        }
        _ => "a value".to_owned(),
    }
}

fn strings(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

impl<'a> Builder<'a> {
    /// A function's or state machine's `Events`: the sources that trigger it.
    fn function_events(
        &mut self,
        at: usize,
        me: ServiceIndex,
        props: &Map<String, Value>,
    ) -> Result<(), Problem> {
        let id = self.index.resources[at].id;
        let events = match props.get("Events") {
            None => return Ok(()),
            Some(Value::Object(events)) => events,
            Some(_) => {
                return Err(fail(
                    path(&["Resources", id, "Properties", "Events"]),
                    "Events is not a mapping",
                    "write each event source as a named entry: Events: { Upload: { Type: S3, Properties: {...} } }",
                ));
            }
        };
        for (key, event) in events {
            let here = || path(&["Resources", id, "Properties", "Events", key]);
            let Some(event) = event.as_object() else {
                return Err(fail(
                    here(),
                    "an event source is not a mapping",
                    "give it a Type and Properties",
                ));
            };
            let Some(ty) = event.get("Type").and_then(Value::as_str) else {
                return Err(fail(
                    here(),
                    "the event source has no Type",
                    "add a Type such as S3, SQS, SNS, Api, HttpApi, Schedule or EventBridgeRule",
                ));
            };
            let empty = Map::new();
            let p = event
                .get("Properties")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let construct = format!("Events.{key} ({ty})");
            match ty {
                "S3" => {
                    let Some(bucket) = self.first_service(p.get("Bucket")) else {
                        self.note(
                            me,
                            format!("{construct}: its bucket is not in the template"),
                        );
                        continue;
                    };
                    let filter = s3_filter(p.get("Filter"));
                    for name in s3_events(p.get("Events")) {
                        self.link(Link {
                            from: bucket,
                            to: me,
                            event: name,
                            evidence: Evidence::new(construct.clone(), EdgeRole::Trigger),
                            filter: filter.clone(),
                        });
                    }
                }
                "SNS" | "SQS" | "Kinesis" | "DynamoDB" | "MSK" | "MQ" | "DocumentDB" => {
                    let source_key = match ty {
                        "SNS" => "Topic",
                        "SQS" => "Queue",
                        "MSK" => "Stream",
                        "MQ" | "DocumentDB" => "Broker",
                        _ => "Stream",
                    };
                    let Some(source) = self.first_service(p.get(source_key)) else {
                        self.note(
                            me,
                            format!("{construct}: its source is not in the template"),
                        );
                        continue;
                    };
                    let (filter, count) = if ty == "SNS" {
                        (pattern_filter(p.get("FilterPolicy")), 1)
                    } else {
                        criteria_filter(p.get("FilterCriteria"))
                    };
                    if count > 1 {
                        self.note(
                            me,
                            format!(
                                "{construct}: {count} filter patterns; the edge keeps the first"
                            ),
                        );
                    }
                    let on_failure = format!("Events.{key} DestinationConfig.OnFailure");
                    self.polled_trigger(source, me, p, (construct.clone(), on_failure), filter);
                }
                "Api" | "HttpApi" => {
                    let (api_key, implicit) = if ty == "Api" {
                        ("RestApiId", IMPLICIT_REST_API)
                    } else {
                        ("ApiId", IMPLICIT_HTTP_API)
                    };
                    let api = match p.get(api_key) {
                        Some(value) => match self.first_service(Some(value)) {
                            Some(api) => api,
                            None => {
                                self.note(
                                    me,
                                    format!("{construct}: its API is not in the template"),
                                );
                                continue;
                            }
                        },
                        None => self.implicit_service(implicit, ServiceKind::Gateway),
                    };
                    let method = p
                        .get("Method")
                        .and_then(Value::as_str)
                        .map_or("ANY".to_owned(), str::to_ascii_uppercase);
                    let route = match p.get("Path").and_then(Value::as_str) {
                        Some(path) => format!("{method} {path}"),
                        None => "$default".to_owned(),
                    };
                    self.add_route(api, &route, key);
                    self.link(Link {
                        from: api,
                        to: me,
                        event: key.clone(),
                        evidence: Evidence::new(construct, EdgeRole::Trigger),
                        filter: None,
                    });
                }
                "Schedule" | "ScheduleV2" => {
                    let schedule_id = format!("{id}{key}");
                    let schedule = self.implicit_service(&schedule_id, ServiceKind::Schedule);
                    let expression = p
                        .get("Schedule")
                        .or_else(|| p.get("ScheduleExpression"))
                        .and_then(Value::as_str);
                    if let Some(expression) = expression {
                        self.design.services[schedule.index()]
                            .properties
                            .insert("expression", Value::from(expression));
                    }
                    let mut evidence = Evidence::new(construct, EdgeRole::Trigger);
                    evidence.bounds.extend(bound(
                        BoundKind::RetryAttempts,
                        integer(
                            p.get("RetryPolicy")
                                .and_then(|r| r.get("MaximumRetryAttempts")),
                        ),
                    ));
                    self.link(Link {
                        from: schedule,
                        to: me,
                        event: key.clone(),
                        evidence,
                        filter: None,
                    });
                }
                "EventBridgeRule" | "CloudWatchEvent" => {
                    let Some(bus) = self.bus(p.get("EventBusName")) else {
                        self.note(
                            me,
                            format!("{construct}: its event bus is not in the template"),
                        );
                        continue;
                    };
                    let mut evidence = Evidence::new(construct, EdgeRole::Trigger);
                    evidence.bounds.extend(bound(
                        BoundKind::RetryAttempts,
                        integer(
                            p.get("RetryPolicy")
                                .and_then(|r| r.get("MaximumRetryAttempts")),
                        ),
                    ));
                    self.link(Link {
                        from: bus,
                        to: me,
                        event: pattern_event(p.get("Pattern"), key),
                        evidence,
                        filter: pattern_filter(p.get("Pattern")),
                    });
                }
                other => {
                    self.note(
                        me,
                        format!("Events.{key} ({other}): its source is not shown"),
                    );
                }
            }
        }
        Ok(())
    }

    fn add_route(&mut self, gateway: ServiceIndex, route: &str, event: &str) {
        let routes = &mut self.design.services[gateway.index()].routes;
        if !routes.iter().any(|r| r.route == route) {
            routes.push(Route {
                route: route.to_owned(),
                // As `link` names an unnamed event.
                event: if event.is_empty() { "Event" } else { event }.to_owned(),
            });
        }
    }

    /// SAM `Policies`: policy templates, inline statements and managed policies by name.
    fn sam_policies(&mut self, me: ServiceIndex, policies: Option<&Value>) {
        let list: Vec<&Value> = match policies {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one) => vec![one],
            None => Vec::new(),
        };
        for (i, policy) in list.into_iter().enumerate() {
            let prefix = format!("Policies[{i}]");
            match policy {
                Value::String(name) => self.managed_policy(me, name, &prefix),
                Value::Object(map) if map.contains_key("Statement") => {
                    self.statements(me, map.get("Statement"), &prefix, Reach::Direct);
                }
                Value::Object(map) => {
                    for (name, params) in map {
                        self.policy_template(me, name, params, &prefix);
                    }
                }
                _ => {}
            }
        }
    }

    fn managed_policy(&mut self, me: ServiceIndex, name: &str, construct: &str) {
        let short = name.rsplit('/').next().unwrap_or(name);
        if let Some((_, prefix)) = iam::MANAGED_POLICIES.iter().find(|(p, _)| *p == short) {
            self.managed
                .entry(me.0)
                .or_default()
                .push((prefix, format!("{construct} {short}")));
        }
    }

    fn policy_template(&mut self, me: ServiceIndex, name: &str, params: &Value, prefix: &str) {
        let Some(&(_, param, access, event)) =
            iam::POLICY_TEMPLATES.iter().find(|(t, ..)| *t == name)
        else {
            return;
        };
        let construct = format!("{prefix} {name}");
        let value = params.get(param);
        let targets: Vec<(ServiceIndex, Option<String>)> = if param == "EventBusName" {
            self.bus(value.or(Some(&Value::String("default".into()))))
                .map(|b| vec![(b, None)])
                .unwrap_or_default()
        } else {
            let resolved = value.map(|v| self.index.resolve(v)).unwrap_or_default();
            let kind = match param {
                "TableName" => ServiceKind::Table,
                "QueueName" => ServiceKind::Queue,
                "TopicName" => ServiceKind::Topic,
                "BucketName" => ServiceKind::Bucket,
                "FunctionName" => ServiceKind::Function,
                "StateMachineName" => ServiceKind::StateMachine,
                _ => ServiceKind::Stream,
            };
            let mut named = self.services_named(&resolved);
            named.retain(|(s, _)| self.kind(*s) == kind);
            named
        };
        if targets.is_empty() {
            self.note(
                me,
                format!("{construct}: names no resource of the template"),
            );
        }
        for (target, keys) in targets {
            match access {
                Access::Write => {
                    let mut evidence = Evidence::new(construct.clone(), EdgeRole::Write);
                    evidence.keys = keys;
                    let event = if event.is_empty() {
                        write_event(self.kind(target))
                    } else {
                        event
                    };
                    self.link(Link {
                        from: me,
                        to: target,
                        event: event.to_owned(),
                        evidence,
                        filter: None,
                    });
                }
                Access::Read => {
                    let text = format!("reads {} ({construct})", self.id(target));
                    self.note(me, text);
                }
            }
        }
    }

    /// IAM statements: an edge for each write action on a resource the template has.
    fn statements(
        &mut self,
        me: ServiceIndex,
        statements: Option<&Value>,
        prefix: &str,
        reach: Reach,
    ) {
        let list: Vec<&Value> = match statements {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one @ Value::Object(_)) => vec![one],
            _ => Vec::new(),
        };
        for (k, statement) in list.into_iter().enumerate() {
            if statement.get("Effect").and_then(Value::as_str) == Some("Deny") {
                continue;
            }
            let Some(resource) = statement.get("Resource") else {
                continue;
            };
            let resolved = self.index.resolve(resource);
            let named = self.services_named(&resolved);
            for action in strings(statement.get("Action")) {
                for (service, access, event) in iam::classify(action) {
                    let targets: Vec<(ServiceIndex, Option<String>)> = named
                        .iter()
                        .filter(|(s, _)| {
                            let ty = self.design.service(*s).properties.get("resource_type");
                            ty.as_ref()
                                .and_then(Value::as_str)
                                .is_some_and(|ty| service.types.contains(&ty))
                        })
                        .cloned()
                        .collect();
                    let construct =
                        |target: &str| format!("{prefix}.Statement[{k}] {action} on {target}");
                    if !targets.is_empty() {
                        for (target, keys) in targets {
                            let text = construct(self.id(target));
                            self.statement_edge(me, target, access, event, text, reach, keys);
                        }
                        continue;
                    }
                    let covers = resolved.wildcard.as_deref().is_some_and(|w| {
                        w == "*" || iam::glob(&w.to_ascii_lowercase(), service.prefix)
                    });
                    if !covers {
                        continue;
                    }
                    let Some(kind) = iam::kind_of_prefix(service.prefix) else {
                        continue;
                    };
                    let shown = match resource {
                        Value::String(text) => format!("{:?}", crate::diagnostics::cut(text)),
                        _ => "\"*\"".to_owned(),
                    };
                    let all: Vec<ServiceIndex> = (0..self.design.services.len() as u32)
                        .map(ServiceIndex)
                        .filter(|&s| {
                            self.kind(s) == kind
                                && self
                                    .design
                                    .service(s)
                                    .properties
                                    .get("resource_type")
                                    .as_ref()
                                    .and_then(Value::as_str)
                                    .is_some_and(|ty| service.types.contains(&ty))
                        })
                        .collect();
                    if all.len() > MAX_WILDCARD_TARGETS {
                        self.note(
                            me,
                            format!(
                                "{}: {} resources covered, the first {MAX_WILDCARD_TARGETS} drawn",
                                construct(&shown),
                                all.len()
                            ),
                        );
                    }
                    for target in all.into_iter().take(MAX_WILDCARD_TARGETS) {
                        let wide = if reach == Reach::Direct {
                            Reach::Wildcard
                        } else {
                            reach
                        };
                        self.statement_edge(
                            me,
                            target,
                            access,
                            event,
                            construct(&shown),
                            wide,
                            None,
                        );
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn statement_edge(
        &mut self,
        me: ServiceIndex,
        target: ServiceIndex,
        access: Access,
        event: &str,
        construct: String,
        reach: Reach,
        keys: Option<String>,
    ) {
        match access {
            Access::Write => {
                let mut evidence = Evidence::new(construct, EdgeRole::Write);
                evidence.reach = reach;
                // Object keys mean something for a bucket only.
                evidence.keys = keys.filter(|_| self.kind(target) == ServiceKind::Bucket);
                self.link(Link {
                    from: me,
                    to: target,
                    event: event.to_owned(),
                    evidence,
                    filter: None,
                });
            }
            Access::Read => {
                let text = format!("reads {} ({construct})", self.id(target));
                self.note(me, text);
            }
        }
    }

    /// A role's statements (its own policies and the policies attached to it) and managed
    /// policies; shared when several functions or state machines use the role.
    fn role(&mut self, me: ServiceIndex, role: Option<&Value>) {
        let Some(role) = role else { return };
        for hit in self.index.resolve(role).hits {
            let resource = self.index.resources[hit.resource];
            if resource.ty != "AWS::IAM::Role" {
                continue;
            }
            let shared = self.role_users.get(&hit.resource).copied().unwrap_or(0) > 1;
            let reach = if shared {
                Reach::SharedRole
            } else {
                Reach::Direct
            };
            let role_id = resource.id;
            if let Some(Value::Array(policies)) = resource.props.get("Policies") {
                for (j, policy) in policies.iter().enumerate() {
                    let statements = policy
                        .get("PolicyDocument")
                        .and_then(|d| d.get("Statement"));
                    self.statements(
                        me,
                        statements,
                        &format!("Role {role_id} Policies[{j}]"),
                        reach,
                    );
                }
            }
            for (j, arn) in strings(resource.props.get("ManagedPolicyArns"))
                .into_iter()
                .enumerate()
            {
                self.managed_policy(me, arn, &format!("Role {role_id} ManagedPolicyArns[{j}]"));
            }
            // Policies that attach themselves to the role, and managed policies of the
            // template that the role lists.
            let managed = resource
                .props
                .get("ManagedPolicyArns")
                .map(|m| self.index.resolve(m));
            for (other, policy) in self.index.resources.iter().enumerate() {
                if !matches!(policy.ty, "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy") {
                    continue;
                }
                let attached = policy.props.get("Roles").is_some_and(|roles| {
                    self.index
                        .resolve(roles)
                        .hits
                        .iter()
                        .any(|h| h.resource == hit.resource)
                }) || managed
                    .as_ref()
                    .is_some_and(|m| m.hits.iter().any(|h| h.resource == other));
                if attached {
                    let statements = policy
                        .props
                        .get("PolicyDocument")
                        .and_then(|d| d.get("Statement"));
                    self.statements(
                        me,
                        statements,
                        &format!("Role {role_id} {}", policy.id),
                        reach,
                    );
                }
            }
        }
    }

    /// An EventInvokeConfig's destinations; the failure one is bounded by the retries.
    fn invoke_config(&mut self, me: ServiceIndex, config: Option<&Value>, construct: &str) {
        let Some(config) = config else { return };
        let retries = integer(config.get("MaximumRetryAttempts")).or(Some(2));
        for (key, role) in [
            ("OnSuccess", EdgeRole::Write),
            ("OnFailure", EdgeRole::Retry),
        ] {
            let destination = config
                .get("DestinationConfig")
                .and_then(|d| d.get(key))
                .and_then(|d| d.get("Destination"));
            let Some(target) = self.first_service(destination) else {
                continue;
            };
            let mut evidence = Evidence::new(format!("{construct}.DestinationConfig.{key}"), role);
            if role == EdgeRole::Retry {
                evidence
                    .bounds
                    .extend(bound(BoundKind::RetryAttempts, retries));
            }
            self.link(Link {
                from: me,
                to: target,
                event: key.to_owned(),
                evidence,
                filter: None,
            });
        }
    }

    /// A function's dead-letter queue or topic.
    fn dead_letter(&mut self, me: ServiceIndex, config: Option<&Value>, construct: &str) {
        let Some(target) = self.first_service(config.and_then(|c| c.get("TargetArn"))) else {
            return;
        };
        self.link(Link {
            from: me,
            to: target,
            event: "DeadLetter".to_owned(),
            evidence: Evidence::new(construct, EdgeRole::Retry),
            filter: None,
        });
    }

    /// A SAM function URL: a gateway SAM creates, with one route.
    fn function_url(&mut self, me: ServiceIndex, url_id: &str, _config: &Value) {
        let url = self.implicit_service(url_id, ServiceKind::Gateway);
        self.add_route(url, "ANY /", url_id);
        self.link(Link {
            from: url,
            to: me,
            event: url_id.to_owned(),
            evidence: Evidence::new("FunctionUrlConfig", EdgeRole::Trigger),
            filter: None,
        });
    }

    /// Environment variables that name resources: an edge where a broad managed policy allows
    /// writing there (the variable is all that names the target), a note otherwise.
    fn environment(&mut self, me: ServiceIndex, environment: Option<&Value>, at: usize) {
        let mut variables: Vec<(&str, &Value)> = Vec::new();
        let own = environment
            .and_then(|e| e.get("Variables"))
            .and_then(Value::as_object);
        let global = (self.index.resources[at].ty == "AWS::Serverless::Function")
            .then(|| {
                self.globals?
                    .get("Environment")?
                    .get("Variables")?
                    .as_object()
            })
            .flatten();
        for map in [own, global].into_iter().flatten() {
            for (name, value) in map {
                if !variables.iter().any(|(n, _)| n == name) {
                    variables.push((name, value));
                }
            }
        }
        for (name, value) in variables {
            let resolved = self.index.resolve(value);
            for (target, _) in self.services_named(&resolved) {
                if target == me || self.has_edge(me, target) {
                    continue;
                }
                let ty = self.design.service(target).properties.get("resource_type");
                let service = ty
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(iam::service_of_type);
                let policy = service.and_then(|service| {
                    self.managed
                        .get(&me.0)?
                        .iter()
                        .find(|(prefix, _)| *prefix == service.prefix)
                        .map(|(_, construct)| construct.clone())
                });
                match (policy, service) {
                    (Some(policy), Some(service)) => {
                        let mut evidence = Evidence::new(
                            format!("{policy} + Environment {name}"),
                            EdgeRole::Write,
                        );
                        evidence.reach = Reach::Environment;
                        let event = service.writes.first().map_or("Write", |(_, e)| *e);
                        self.link(Link {
                            from: me,
                            to: target,
                            event: event.to_owned(),
                            evidence,
                            filter: None,
                        });
                    }
                    _ => {
                        let text = format!("Environment {name} names {}", self.id(target));
                        self.note(me, text);
                    }
                }
            }
        }
    }

    /// What a state machine's definition names: an edge to the functions, queues, topics,
    /// buses, state machines and streams it calls, a note for tables and buckets (a read or a
    /// write cannot be told from the definition alone).
    fn definition(&mut self, me: ServiceIndex, props: &Map<String, Value>) {
        let mut parts: Vec<(String, &Value)> = Vec::new();
        if let Some(Value::Object(substitutions)) = props.get("DefinitionSubstitutions") {
            for (name, value) in substitutions {
                parts.push((format!("DefinitionSubstitutions.{name}"), value));
            }
        }
        for key in ["Definition", "DefinitionString"] {
            if let Some(value) = props.get(key) {
                parts.push((key.to_owned(), value));
            }
        }
        for (construct, value) in parts {
            let resolved = self.index.resolve(value);
            for (target, _) in self.services_named(&resolved) {
                if target == me {
                    continue;
                }
                let kind = self.kind(target);
                match kind {
                    ServiceKind::Table | ServiceKind::Bucket | ServiceKind::Gateway => {
                        let text = format!("{construct} names {}", self.id(target));
                        self.note(me, text);
                    }
                    _ => self.link(Link {
                        from: me,
                        to: target,
                        event: write_event(kind).to_owned(),
                        evidence: Evidence::new(construct.clone(), EdgeRole::Write),
                        filter: None,
                    }),
                }
            }
        }
    }

    /// A queue's RedrivePolicy: the queue hands a message that failed `maxReceiveCount` times
    /// to its dead-letter queue.
    fn redrive(
        &mut self,
        me: ServiceIndex,
        id: &str,
        props: &Map<String, Value>,
    ) -> Result<(), Problem> {
        let Some(value) = props.get("RedrivePolicy") else {
            return Ok(());
        };
        let here = || path(&["Resources", id, "Properties", "RedrivePolicy"]);
        let intrinsic = value
            .as_object()
            .is_some_and(|m| m.len() == 1 && m.keys().all(|k| k.starts_with("Fn::") || k == "Ref"));
        if intrinsic {
            self.note(
                me,
                "RedrivePolicy is computed (an intrinsic): not followed".to_owned(),
            );
            return Ok(());
        }
        let Some(policy) = redrive_policy(value) else {
            return Err(fail(
                here(),
                "expected a mapping (or its JSON text) with deadLetterTargetArn and maxReceiveCount",
                "write RedrivePolicy: { deadLetterTargetArn: !GetAtt DeadLetterQueue.Arn, maxReceiveCount: 5 }",
            ));
        };
        let count = policy.get("maxReceiveCount");
        if let Some(count) = count
            && !count.is_object()
            && integer(Some(count)).is_none_or(|n| !(1..=1000).contains(&n))
        {
            return Err(fail(
                path(&[
                    "Resources",
                    id,
                    "Properties",
                    "RedrivePolicy",
                    "maxReceiveCount",
                ]),
                "maxReceiveCount is not a whole number from 1 to 1000",
                "write the number of receives before a message goes to the dead-letter queue, such as 5",
            ));
        }
        let Some(target) = self.first_service(policy.get("deadLetterTargetArn")) else {
            self.note(
                me,
                "RedrivePolicy: its dead-letter queue is not in the template".to_owned(),
            );
            return Ok(());
        };
        let mut evidence = Evidence::new("RedrivePolicy", EdgeRole::Retry);
        evidence
            .bounds
            .extend(bound(BoundKind::MaxReceiveCount, integer(count)));
        self.link(Link {
            from: me,
            to: target,
            event: "Redrive".to_owned(),
            evidence,
            filter: None,
        });
        Ok(())
    }

    /// A topic's inline subscriptions.
    fn topic_subscriptions(&mut self, me: ServiceIndex, props: &Map<String, Value>) {
        let Some(Value::Array(subscriptions)) = props.get("Subscription") else {
            return;
        };
        for (i, subscription) in subscriptions.iter().enumerate() {
            let protocol = subscription
                .get("Protocol")
                .and_then(Value::as_str)
                .unwrap_or("?");
            if let Some(target) = self.first_service(subscription.get("Endpoint")) {
                self.link(Link {
                    from: me,
                    to: target,
                    event: "Notification".to_owned(),
                    evidence: Evidence::new(
                        format!("Subscription[{i}] ({protocol})"),
                        EdgeRole::Trigger,
                    ),
                    filter: None,
                });
            }
        }
    }

    fn subscription(&mut self, at: usize, props: &Map<String, Value>) {
        let id = self.index.resources[at].id;
        let (Some(topic), Some(target)) = (
            self.first_service(props.get("TopicArn")),
            self.first_service(props.get("Endpoint")),
        ) else {
            return;
        };
        self.used[at] = true;
        let protocol = props.get("Protocol").and_then(Value::as_str).unwrap_or("?");
        self.link(Link {
            from: topic,
            to: target,
            event: "Notification".to_owned(),
            evidence: Evidence::new(
                format!("SNS::Subscription {id} ({protocol})"),
                EdgeRole::Trigger,
            ),
            filter: pattern_filter(props.get("FilterPolicy")),
        });
    }

    /// A bucket's NotificationConfiguration: functions, queues and topics it notifies, and
    /// EventBridge.
    fn bucket_notifications(&mut self, me: ServiceIndex, props: &Map<String, Value>) {
        let Some(config) = props.get("NotificationConfiguration") else {
            return;
        };
        for (list, key) in [
            ("LambdaConfigurations", "Function"),
            ("QueueConfigurations", "Queue"),
            ("TopicConfigurations", "Topic"),
        ] {
            let Some(Value::Array(items)) = config.get(list) else {
                continue;
            };
            for (i, item) in items.iter().enumerate() {
                let Some(target) = self.first_service(item.get(key)) else {
                    continue;
                };
                let filter = s3_filter(item.get("Filter"));
                for event in s3_events(item.get("Event")) {
                    self.link(Link {
                        from: me,
                        to: target,
                        event,
                        evidence: Evidence::new(
                            format!("NotificationConfiguration.{list}[{i}]"),
                            EdgeRole::Trigger,
                        ),
                        filter: filter.clone(),
                    });
                }
            }
        }
        let eventbridge = config
            .get("EventBridgeConfiguration")
            .and_then(|e| e.get("EventBridgeEnabled"));
        if matches!(eventbridge, Some(Value::Bool(true)))
            || eventbridge.and_then(Value::as_str) == Some("true")
        {
            let bus = self.implicit_service(DEFAULT_BUS, ServiceKind::Bus);
            self.link(Link {
                from: me,
                to: bus,
                event: "Object Created".to_owned(),
                evidence: Evidence::new(
                    "NotificationConfiguration.EventBridgeConfiguration",
                    EdgeRole::Trigger,
                ),
                filter: None,
            });
        }
    }

    /// An EventBridge rule: from its bus (or from itself, on a schedule) to each target.
    fn rule(&mut self, at: usize, me: Option<ServiceIndex>, props: &Map<String, Value>) {
        let id = self.index.resources[at].id;
        let (source, event, filter) = match me {
            Some(schedule) => (Some(schedule), "Scheduled".to_owned(), None),
            None => (
                self.bus(props.get("EventBusName")),
                pattern_event(props.get("EventPattern"), id),
                pattern_filter(props.get("EventPattern")),
            ),
        };
        let Some(source) = source else { return };
        let Some(Value::Array(targets)) = props.get("Targets") else {
            return;
        };
        for (i, target) in targets.iter().enumerate() {
            let Some(to) = self.first_service(target.get("Arn")) else {
                continue;
            };
            self.used[at] = true;
            let mut evidence =
                Evidence::new(format!("Events::Rule {id} Targets[{i}]"), EdgeRole::Trigger);
            evidence.bounds.extend(bound(
                BoundKind::RetryAttempts,
                integer(
                    target
                        .get("RetryPolicy")
                        .and_then(|r| r.get("MaximumRetryAttempts")),
                ),
            ));
            self.link(Link {
                from: source,
                to,
                event: event.clone(),
                evidence,
                filter: filter.clone(),
            });
        }
        if props.get("State").and_then(Value::as_str) == Some("DISABLED") {
            self.note(source, format!("Events::Rule {id} is DISABLED"));
        }
    }

    /// An EventBridge Scheduler schedule's target.
    fn schedule_target(&mut self, me: ServiceIndex, target: Option<&Value>, construct: &str) {
        let Some(target) = target else { return };
        let Some(to) = self.first_service(target.get("Arn")) else {
            return;
        };
        let mut evidence = Evidence::new(construct, EdgeRole::Trigger);
        evidence.bounds.extend(bound(
            BoundKind::RetryAttempts,
            integer(
                target
                    .get("RetryPolicy")
                    .and_then(|r| r.get("MaximumRetryAttempts")),
            ),
        ));
        self.link(Link {
            from: me,
            to,
            event: "Scheduled".to_owned(),
            evidence,
            filter: None,
        });
    }

    fn event_source_mapping(&mut self, at: usize, props: &Map<String, Value>) {
        let id = self.index.resources[at].id;
        let (Some(source), Some(function)) = (
            self.first_service(props.get("EventSourceArn")),
            self.first_service(props.get("FunctionName")),
        ) else {
            return;
        };
        self.used[at] = true;
        let (filter, _) = criteria_filter(props.get("FilterCriteria"));
        let construct = format!("Lambda::EventSourceMapping {id}");
        let on_failure = format!("{construct} DestinationConfig.OnFailure");
        self.polled_trigger(source, function, props, (construct, on_failure), filter);
    }

    /// A trigger Lambda polls (a queue or stream event, an event source mapping): the edge from
    /// the source, bounded by `MaximumRetryAttempts`, and the `DestinationConfig.OnFailure` edge
    /// from the function to where failed batches go. `constructs` name the two in the evidence.
    fn polled_trigger(
        &mut self,
        source: ServiceIndex,
        function: ServiceIndex,
        props: &Map<String, Value>,
        (construct, on_failure): (String, String),
        filter: Option<EdgeFilter>,
    ) {
        let mut evidence = Evidence::new(construct, EdgeRole::Trigger);
        evidence.bounds.extend(bound(
            BoundKind::RetryAttempts,
            integer(props.get("MaximumRetryAttempts")),
        ));
        let event = trigger_event(self.kind(source)).to_owned();
        self.link(Link {
            from: source,
            to: function,
            event,
            evidence,
            filter,
        });
        let failure = props
            .get("DestinationConfig")
            .and_then(|d| d.get("OnFailure"))
            .and_then(|d| d.get("Destination"));
        if let Some(target) = self.first_service(failure) {
            self.link(Link {
                from: function,
                to: target,
                event: "OnFailure".to_owned(),
                evidence: Evidence::new(on_failure, EdgeRole::Retry),
                filter: None,
            });
        }
    }

    /// An EventBridge pipe: source, then its enrichment step if any, then target.
    fn pipe(&mut self, at: usize, props: &Map<String, Value>) {
        let id = self.index.resources[at].id;
        let source = self.first_service(props.get("Source"));
        let target = self.first_service(props.get("Target"));
        let enrichment = self.first_service(props.get("Enrichment"));
        let (filter, _) = criteria_filter(
            props
                .get("SourceParameters")
                .and_then(|p| p.get("FilterCriteria")),
        );
        let Some(source) = source else { return };
        self.used[at] = true;
        let event = trigger_event(self.kind(source)).to_owned();
        let mut stops = vec![source];
        stops.extend(enrichment);
        stops.extend(target);
        for (i, pair) in stops.windows(2).enumerate() {
            let construct = if enrichment.is_some() && i == 0 {
                format!("Pipe {id} Enrichment")
            } else {
                format!("Pipe {id}")
            };
            self.link(Link {
                from: pair[0],
                to: pair[1],
                event: event.clone(),
                evidence: Evidence::new(construct, EdgeRole::Trigger),
                filter: if i == 0 { filter.clone() } else { None },
            });
        }
    }

    /// An OpenAPI body's `x-amazon-apigateway-integration`s: a route and an edge each.
    fn openapi(&mut self, me: ServiceIndex, body: Option<&Value>, construct: &str) {
        let Some(body) = body else { return };
        if let Some(include) = body.get("Fn::Transform") {
            let location = include
                .get("Parameters")
                .and_then(|p| p.get("Location"))
                .map_or_else(|| "another file".to_owned(), shown_value);
            self.note(
                me,
                format!("{construct} is included from {location}: its routes are not read"),
            );
            return;
        }
        let Some(Value::Object(paths)) = body.get("paths") else {
            return;
        };
        for (path_text, methods) in paths {
            let Some(methods) = methods.as_object() else {
                continue;
            };
            for (method, operation) in methods {
                let Some(integration) = operation.get("x-amazon-apigateway-integration") else {
                    continue;
                };
                let verb = if method == "x-amazon-apigateway-any-method" {
                    "ANY".to_owned()
                } else {
                    method.to_ascii_uppercase()
                };
                let route = format!("{verb} {path_text}");
                let evidence = format!(
                    "{construct}.paths[{path_text:?}].{method} x-amazon-apigateway-integration"
                );
                self.integration(
                    me,
                    &route,
                    integration,
                    &["uri", "requestParameters", "requestTemplates"],
                    evidence,
                );
            }
        }
    }

    /// One API integration: the route on the gateway and an edge to what it calls.
    fn integration(
        &mut self,
        api: ServiceIndex,
        route: &str,
        integration: &Value,
        keys: &[&str],
        construct: String,
    ) {
        let mut targets: Vec<ServiceIndex> = Vec::new();
        for key in keys {
            if let Some(value) = integration.get(*key) {
                for (target, _) in self.services_named(&self.index.resolve(value)) {
                    if target != api
                        && !targets.contains(&target)
                        && self.kind(target) != ServiceKind::Gateway
                    {
                        targets.push(target);
                    }
                }
            }
        }
        if targets.is_empty() {
            return;
        }
        self.add_route(api, route, route);
        for target in targets {
            self.link(Link {
                from: api,
                to: target,
                event: route.to_owned(),
                evidence: Evidence::new(construct.clone(), EdgeRole::Trigger),
                filter: None,
            });
        }
    }

    /// The path of an API Gateway resource, from its PathPart and its parents.
    fn rest_path(&self, resource: Option<&Value>, depth: usize) -> String {
        let Some(resource) = resource else {
            return "/".to_owned();
        };
        if depth > 32 {
            return "/".to_owned();
        }
        let hit = self
            .index
            .resolve(resource)
            .hits
            .into_iter()
            .find(|h| self.index.resources[h.resource].ty == "AWS::ApiGateway::Resource");
        // `!GetAtt Api.RootResourceId` (or anything else) is the root.
        let Some(hit) = hit else {
            return "/".to_owned();
        };
        let props = self.index.resources[hit.resource].props;
        let part = props.get("PathPart").and_then(Value::as_str).unwrap_or("?");
        let parent = self.rest_path(props.get("ParentId"), depth + 1);
        if parent.ends_with('/') {
            format!("{parent}{part}")
        } else {
            format!("{parent}/{part}")
        }
    }

    fn rest_method(&mut self, at: usize, props: &Map<String, Value>) {
        let id = self.index.resources[at].id;
        let Some(api) = self.first_service(props.get("RestApiId")) else {
            return;
        };
        let Some(integration) = props.get("Integration") else {
            return;
        };
        let verb = props
            .get("HttpMethod")
            .and_then(Value::as_str)
            .unwrap_or("ANY")
            .to_ascii_uppercase();
        let route = format!("{verb} {}", self.rest_path(props.get("ResourceId"), 0));
        self.used[at] = true;
        self.integration(
            api,
            &route,
            integration,
            &["Uri", "RequestParameters", "RequestTemplates"],
            format!("ApiGateway::Method {id}"),
        );
    }

    fn v2_integration(&mut self, at: usize, props: &Map<String, Value>) {
        let id = self.index.resources[at].id;
        let Some(api) = self.first_service(props.get("ApiId")) else {
            return;
        };
        let mut routes: Vec<String> = Vec::new();
        let mut used_routes = Vec::new();
        for route in &self.index.resources {
            if route.ty != "AWS::ApiGatewayV2::Route" {
                continue;
            }
            let targets_me = route
                .props
                .get("Target")
                .is_some_and(|t| self.index.resolve(t).hits.iter().any(|h| h.resource == at));
            if targets_me && let Some(key) = route.props.get("RouteKey").and_then(Value::as_str) {
                routes.push(key.to_owned());
                if let Some(route_at) = self.index.find(route.id) {
                    used_routes.push(route_at);
                }
            }
        }
        if routes.is_empty() {
            routes.push("$default".to_owned());
        }
        self.used[at] = true;
        for route_at in used_routes {
            self.used[route_at] = true;
        }
        let value = Value::Object(props.clone());
        for route in routes {
            self.integration(
                api,
                &route,
                &value,
                &["IntegrationUri", "RequestParameters", "RequestTemplates"],
                format!("ApiGatewayV2::Integration {id}"),
            );
        }
    }

    /// A SAM connector: `Write` is an edge from the source to each destination, `Read` a note.
    fn connector(
        &mut self,
        at: usize,
        source: Option<&Value>,
        props: &Map<String, Value>,
        construct: &str,
    ) {
        let source = source
            .and_then(|s| s.get("Id"))
            .and_then(Value::as_str)
            .and_then(|id| self.by_id.get(id).copied());
        let Some(source) = source else { return };
        let destinations: Vec<&Value> = match props.get("Destination") {
            Some(Value::Array(many)) => many.iter().collect(),
            Some(one) => vec![one],
            None => Vec::new(),
        };
        let permissions = strings(props.get("Permissions"));
        for destination in destinations {
            let Some(target) = destination
                .get("Id")
                .and_then(Value::as_str)
                .and_then(|id| self.by_id.get(id).copied())
            else {
                continue;
            };
            self.used[at] = true;
            if permissions.contains(&"Write") {
                let kind = self.kind(target);
                self.link(Link {
                    from: source,
                    to: target,
                    event: write_event(kind).to_owned(),
                    evidence: Evidence::new(format!("{construct} (Write)"), EdgeRole::Write),
                    filter: None,
                });
            } else if permissions.contains(&"Read") {
                let text = format!("reads {} ({construct})", self.id(target));
                self.note(source, text);
            }
        }
    }

    /// A permission for an API to invoke a function, when nothing else drew that edge (the
    /// API's routes may be in an included file).
    fn permission(&mut self, at: usize, props: &Map<String, Value>) {
        let id = self.index.resources[at].id;
        let Some(function) = self.first_service(props.get("FunctionName")) else {
            return;
        };
        let Some(source) = self.first_service(props.get("SourceArn")) else {
            return;
        };
        if self.kind(source) != ServiceKind::Gateway || self.has_edge(source, function) {
            return;
        }
        self.used[at] = true;
        self.link(Link {
            from: source,
            to: function,
            event: "Invoke".to_owned(),
            evidence: Evidence::new(format!("Lambda::Permission {id}"), EdgeRole::Trigger),
            filter: None,
        });
    }

    /// A Firehose delivery stream: its Kinesis source, its transforming function and the
    /// bucket it delivers to.
    fn firehose(&mut self, me: ServiceIndex, props: &Map<String, Value>) {
        if let Some(source) = props
            .get("KinesisStreamSourceConfiguration")
            .and_then(|c| c.get("KinesisStreamARN"))
            .and_then(|v| self.first_service(Some(v)))
        {
            self.link(Link {
                from: source,
                to: me,
                event: "Record".to_owned(),
                evidence: Evidence::new("KinesisStreamSourceConfiguration", EdgeRole::Trigger),
                filter: None,
            });
        }
        for (key, config) in props {
            if !key.ends_with("DestinationConfiguration") {
                continue;
            }
            if let Some(bucket) = config
                .get("BucketARN")
                .and_then(|v| self.first_service(Some(v)))
            {
                self.link(Link {
                    from: me,
                    to: bucket,
                    event: "PutObject".to_owned(),
                    evidence: Evidence::new(format!("{key}.BucketARN"), EdgeRole::Write),
                    filter: None,
                });
            }
            let processors = config
                .get("ProcessingConfiguration")
                .and_then(|p| p.get("Processors"))
                .and_then(Value::as_array);
            for (i, processor) in processors.into_iter().flatten().enumerate() {
                let resolved = self
                    .index
                    .resolve(processor.get("Parameters").unwrap_or(&Value::Null));
                for (function, _) in self.services_named(&resolved) {
                    if self.kind(function) == ServiceKind::Function {
                        self.link(Link {
                            from: me,
                            to: function,
                            event: "Record".to_owned(),
                            evidence: Evidence::new(
                                format!("{key}.ProcessingConfiguration.Processors[{i}]"),
                                EdgeRole::Trigger,
                            ),
                            filter: None,
                        });
                    }
                }
            }
        }
    }

    /// Writes each service's notes (one per line).
    fn write_notes(&mut self) {
        for (service, notes) in self.design.services.iter_mut().zip(&self.notes) {
            if notes.is_empty() {
                continue;
            }
            if !service.notes.is_empty() {
                service.notes.push('\n');
            }
            service.notes.push_str(&notes.join("\n"));
        }
    }
}
