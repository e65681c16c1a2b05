//! A design as SAM resources: one resource per service ([`Context::resource`]), and each edge
//! as the construct that makes it happen on AWS ([`Context::wire`]): an event source on the
//! function it triggers, a policy template on the function that writes, a dead-letter queue,
//! a subscription, a rule, a state machine task.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::cycles;
use super::names::{self, DEFAULT_BUS, IMPLICIT_HTTP_API, IMPLICIT_REST_API, Names};
use super::properties::{self, DEFAULT_HANDLER, DEFAULT_MAX_RECEIVE_COUNT, DEFAULT_RUNTIME};
use crate::model::{Behavior, Design, EventEdge, ServiceKind};

/// A template's `Resources`, by logical id.
pub(super) type Resources = Map<String, Value>;

/// What every resource and construct of one export needs to know about the design.
pub(super) struct Context<'d> {
    /// The design exported.
    pub design: &'d Design,
    /// The services' logical ids.
    pub names: Names,
    /// Per service: its resource gets a fixed physical name.
    pub fixed: Vec<bool>,
    /// Per edge: the writer names its target by that fixed name rather than a `!Ref`, which
    /// would close a circular dependency.
    pub by_name: Vec<bool>,
    /// Per service: the physical name its resource already has (an imported one's), used
    /// instead of the fixed name made from the stack's.
    pub given_names: Vec<Option<Value>>,
}

impl<'d> Context<'d> {
    /// The context of a design, its logical ids distinct from `taken`.
    pub(super) fn new(design: &'d Design, taken: &HashSet<String>) -> Context<'d> {
        let names = Names::new(design, taken);
        let by_name = cycles::refer_by_name(design);
        let mut fixed: Vec<bool> = design
            .services
            .iter()
            .map(|s| fifo(s.kind, &s.properties.to_map()) || s.kind == ServiceKind::Bus)
            .collect();
        for (edge, &named) in design.edges.iter().zip(&by_name) {
            if named {
                fixed[edge.to.index()] = true;
            }
        }
        Context {
            design,
            names,
            fixed,
            by_name,
            given_names: vec![None; design.services.len()],
        }
    }

    fn kind(&self, service: usize) -> ServiceKind {
        self.design.services[service].kind
    }

    pub(super) fn logical(&self, service: usize) -> &str {
        self.names.logical(service)
    }

    /// The logical id of the resource a service is written as; None for a service that has no
    /// resource of its own (a schedule, SAM's implicit API, the default bus).
    pub(super) fn resource_id(&self, service: usize) -> Option<&str> {
        let s = &self.design.services[service];
        let implicit = match s.kind {
            ServiceKind::Schedule => true,
            ServiceKind::Gateway => s.id == IMPLICIT_REST_API || s.id == IMPLICIT_HTTP_API,
            ServiceKind::Bus => s.id == DEFAULT_BUS,
            _ => false,
        };
        (!implicit).then(|| self.logical(service))
    }

    pub(super) fn fixed_name(&self, service: usize) -> Value {
        if let Some(given) = &self.given_names[service] {
            return given.clone();
        }
        let s = &self.design.services[service];
        names::fixed_name(
            self.logical(service),
            s.kind,
            fifo(s.kind, &s.properties.to_map()),
        )
    }

    /// The resource of a service, without the constructs its edges add.
    pub(super) fn resource(&self, service: usize) -> Option<Value> {
        self.resource_id(service)?;
        let s = &self.design.services[service];
        let all = s.properties.to_map();
        let mut props = Map::new();
        if self.fixed[service]
            && let Some(key) = names::name_property(s.kind)
        {
            props.insert(key.to_owned(), self.fixed_name(service));
        }
        match s.kind {
            ServiceKind::Function => {
                if !s.name.is_empty() {
                    props.insert("Description".to_owned(), json!(s.name));
                }
                let folder = format!("functions/{}/", names::kebab(self.logical(service)));
                props.insert("CodeUri".to_owned(), json!(folder));
                props.insert("Handler".to_owned(), json!(DEFAULT_HANDLER));
                props.insert("Runtime".to_owned(), json!(DEFAULT_RUNTIME));
            }
            ServiceKind::Gateway => {
                props.insert("StageName".to_owned(), json!("prod"));
                if !s.name.is_empty() {
                    props.insert("Description".to_owned(), json!(s.name));
                }
            }
            ServiceKind::Table => {
                props.insert("BillingMode".to_owned(), json!("PAY_PER_REQUEST"));
            }
            ServiceKind::Queue | ServiceKind::Topic | ServiceKind::Bucket | ServiceKind::Bus => {}
            ServiceKind::StateMachine => {
                props.insert(
                    "Definition".to_owned(),
                    json!({"StartAt": "Start", "States": {"Start": {"Type": "Pass", "End": true}}}),
                );
            }
            ServiceKind::Stream => {
                props.insert("ShardCount".to_owned(), json!(1));
            }
            ServiceKind::Schedule => return None,
        }
        properties::apply_all(s.kind, &mut props, &all);
        let mut resource = Map::new();
        resource.insert("Type".to_owned(), json!(resource_type(s.kind)));
        if !props.is_empty() {
            resource.insert("Properties".to_owned(), Value::Object(props));
        }
        Some(Value::Object(resource))
    }

    /// Adds what makes edge `edge` happen to `resources`. Returns a note when SAM has no
    /// counterpart for it (or for part of it, such as a filter).
    pub(super) fn wire(&self, resources: &mut Resources, edge: usize) -> Vec<String> {
        let e = &self.design.edges[edge];
        let (from, to) = (e.from.index(), e.to.index());
        let (fk, tk) = (self.kind(from), self.kind(to));
        let mut notes = Vec::new();
        use ServiceKind::*;
        let triggers_function = matches!(
            fk,
            Gateway | Queue | Topic | Bucket | Stream | Table | Schedule | Bus
        );
        let triggers_workflow = matches!(fk, Gateway | Schedule | Bus);
        // An imported resource of another type (a plain `AWS::Lambda::Function`, a
        // `SimpleTable`) cannot take SAM's constructs: the edge is for the user to add.
        let holder = match (fk, tk) {
            (_, Function | StateMachine)
                if (tk == Function && triggers_function) || triggers_workflow =>
            {
                Some(to)
            }
            (Function | StateMachine, _) => Some(from),
            (Queue, Queue) => Some(from),
            _ => None,
        };
        let mismatch = holder
            .and_then(|service| self.other_type(resources, service))
            .or_else(|| {
                (fk == Table && tk == Function)
                    .then(|| self.other_type(resources, from))
                    .flatten()
            });
        if let Some((service, found)) = mismatch {
            notes.push(self.note(
                e,
                &format!(
                    "left out: {} is an {found} resource, which the export does not wire; \
                     add the connection to the template by hand",
                    self.design.services[service].id
                ),
            ));
            return notes;
        }
        match (fk, tk) {
            (_, Function) if triggers_function => self.event_source(resources, e, &mut notes),
            (_, StateMachine) if triggers_workflow => self.event_source(resources, e, &mut notes),
            (Function | StateMachine, _) if policy(tk, e, self.design).is_some() => {
                if self.write_policy(resources, edge) {
                    notes.push(self.note(
                        e,
                        "the writer has a Role of its own, which SAM uses instead of policy \
                         templates: add the permission to that role",
                    ));
                }
                if fk == StateMachine {
                    self.task(resources, edge);
                }
                if e.filter.is_some() {
                    notes.push(self.note(e, "its filter is left out (a write has no filter)"));
                }
            }
            (Queue, Queue) => self.dead_letter_queue(resources, e, &mut notes),
            (Topic, Queue) => self.subscription(resources, e, &mut notes),
            (Bus | Schedule, Queue | Topic) => self.rule(resources, e, &mut notes),
            _ => notes.push(self.note(
                e,
                &format!(
                    "left out: SAM has no {fk}-to-{tk} connection; put a function between them"
                ),
            )),
        }
        notes
    }

    /// The service and the type of its resource in `resources` when that is not the type the
    /// export writes for its kind (an imported resource of another type).
    fn other_type<'r>(&self, resources: &'r Resources, service: usize) -> Option<(usize, &'r str)> {
        let found = resources.get(self.resource_id(service)?)?["Type"].as_str()?;
        (found != resource_type(self.kind(service))).then_some((service, found))
    }

    fn note(&self, edge: &EventEdge, what: &str) -> String {
        format!(
            "edge {} -> {} ({}): {what}",
            self.design.id(edge.from),
            self.design.id(edge.to),
            edge.event
        )
    }

    /// An entry of the target's `Events`: what invokes a function or starts a workflow.
    fn event_source(&self, resources: &mut Resources, e: &EventEdge, notes: &mut Vec<String>) {
        let (from, to) = (e.from.index(), e.to.index());
        let Some(target) = self.resource_id(to) else {
            return;
        };
        let source = &self.design.services[from];
        let mut filter_used = e.filter.is_none();
        let (ty, event) = match source.kind {
            ServiceKind::Gateway => {
                let (method, path) = route_of(source, &e.event);
                let mut props = json!({"Path": path, "Method": method});
                let ty = if source.id == IMPLICIT_HTTP_API {
                    "HttpApi"
                } else {
                    if let Some(api) = self.resource_id(from) {
                        props["RestApiId"] = json!({"Ref": api});
                    }
                    "Api"
                };
                (ty, props)
            }
            ServiceKind::Queue => ("SQS", json!({"Queue": self.arn(from)})),
            ServiceKind::Topic => ("SNS", json!({"Topic": self.arn(from)})),
            ServiceKind::Stream => (
                "Kinesis",
                json!({"Stream": self.arn(from), "StartingPosition": "LATEST"}),
            ),
            ServiceKind::Table => {
                if let Some(table) = self.resource_id(from)
                    && let Some(props) = properties_mut(resources, table)
                {
                    props
                        .entry("StreamSpecification")
                        .or_insert_with(|| json!({"StreamViewType": "NEW_AND_OLD_IMAGES"}));
                }
                let stream = json!({"Fn::GetAtt": [self.logical(from), "StreamArn"]});
                (
                    "DynamoDB",
                    json!({"Stream": stream, "StartingPosition": "LATEST"}),
                )
            }
            ServiceKind::Bucket => {
                let removed = ["Removed", "Deleted", "Delete"]
                    .iter()
                    .any(|w| e.event.contains(w));
                let events = if removed {
                    "s3:ObjectRemoved:*"
                } else {
                    "s3:ObjectCreated:*"
                };
                let mut props = json!({"Bucket": {"Ref": self.logical(from)}, "Events": events});
                if let Some(filter) = &e.filter {
                    let mut rules = Vec::new();
                    for (name, value) in [("prefix", &filter.prefix), ("suffix", &filter.suffix)] {
                        if let Some(value) = value {
                            rules.push(json!({"Name": name, "Value": value}));
                        }
                    }
                    if !rules.is_empty() {
                        props["Filter"] = json!({"S3Key": {"Rules": rules}});
                    }
                    filter_used = filter.pattern.is_none();
                }
                ("S3", props)
            }
            ServiceKind::Schedule => {
                let expression = source
                    .properties
                    .get("expression")
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_else(|| "rate(5 minutes)".to_owned());
                ("Schedule", json!({"Schedule": expression}))
            }
            ServiceKind::Bus => {
                let (pattern, used) = pattern_of(e);
                filter_used = used;
                let mut props = json!({"Pattern": pattern});
                if self.resource_id(from).is_some() {
                    props["EventBusName"] = self.name(from, false);
                }
                ("EventBridgeRule", props)
            }
            _ => return,
        };
        if !filter_used {
            notes.push(self.note(e, "its filter is left out (SAM cannot say it here)"));
        }
        if matches!(ty, "Api" | "HttpApi") && route_taken(resources, &event) {
            notes.push(self.note(
                e,
                "left out: another function already serves this route (API Gateway routes a \
                 method and path to one integration)",
            ));
            return;
        }
        let Some(props) = properties_mut(resources, target) else {
            return;
        };
        let events = object_entry(props, "Events");
        let key = unique_key(
            events,
            &[&names::pascal(&e.event, source.kind), self.logical(from)],
        );
        events.insert(key, json!({"Type": ty, "Properties": event}));
    }
}

impl Context<'_> {
    /// The physical name of a service as policy templates take it: by `!Ref`/`!GetAtt`, or by
    /// its fixed name where a reference would be circular.
    fn name(&self, service: usize, by_name: bool) -> Value {
        let s = &self.design.services[service];
        let Some(logical) = self.resource_id(service) else {
            return json!(s.id);
        };
        if by_name {
            return self.fixed_name(service);
        }
        match s.kind {
            ServiceKind::Queue => json!({"Fn::GetAtt": [logical, "QueueName"]}),
            ServiceKind::Topic => json!({"Fn::GetAtt": [logical, "TopicName"]}),
            ServiceKind::StateMachine => json!({"Fn::GetAtt": [logical, "Name"]}),
            _ => json!({"Ref": logical}),
        }
    }

    /// The ARN of a service's resource.
    fn arn(&self, service: usize) -> Value {
        let s = &self.design.services[service];
        let Some(logical) = self.resource_id(service) else {
            return json!({"Fn::Sub": format!(
                "arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:event-bus/{}",
                s.id
            )});
        };
        match s.kind {
            ServiceKind::Topic | ServiceKind::StateMachine => json!({"Ref": logical}),
            _ => json!({"Fn::GetAtt": [logical, "Arn"]}),
        }
    }

    /// The least-privilege policy template on the writer for a write edge. True when the writer
    /// has a `Role` of its own (an imported one's), which makes SAM ignore its policies.
    fn write_policy(&self, resources: &mut Resources, edge: usize) -> bool {
        let e = &self.design.edges[edge];
        let (from, to) = (e.from.index(), e.to.index());
        let Some((template, parameter)) = policy(self.kind(to), e, self.design) else {
            return false;
        };
        let Some(writer) = self.resource_id(from) else {
            return false;
        };
        let name = self.name(to, self.by_name[edge]);
        let variable = (self.kind(from) == ServiceKind::Function)
            .then(|| self.variable(to, self.by_name[edge]))
            .flatten();
        let Some(props) = properties_mut(resources, writer) else {
            return false;
        };
        push_policy(props, json!({ template: { parameter: name } }));
        let own_role = props.contains_key("Role");
        // The code finds what it writes to in its environment (an imported function's own
        // variable of that name is kept).
        if let Some((key, value)) = variable {
            let environment = object_entry(props, "Environment");
            object_entry(environment, "Variables")
                .entry(key)
                .or_insert(value);
        }
        own_role
    }

    /// The environment variable that tells a function's code where a target is:
    /// `RETRY_QUEUE_URL`, `USERS_TABLE_NAME`, `NOTIFIER_FUNCTION_NAME`, ... By reference, or
    /// made from the fixed name where a reference would be circular (None when that name is
    /// not a plain string or `!Sub` text).
    fn variable(&self, target: usize, by_name: bool) -> Option<(String, Value)> {
        let kind = self.kind(target);
        let (word, suffix) = match kind {
            ServiceKind::Function => ("function", "FUNCTION_NAME"),
            ServiceKind::Queue => ("queue", "QUEUE_URL"),
            ServiceKind::Topic => ("topic", "TOPIC_ARN"),
            ServiceKind::Table => ("table", "TABLE_NAME"),
            ServiceKind::Bucket => ("bucket", "BUCKET_NAME"),
            ServiceKind::Bus => ("bus", "BUS_NAME"),
            ServiceKind::StateMachine => ("state-machine", "STATE_MACHINE_ARN"),
            ServiceKind::Stream => ("stream", "STREAM_NAME"),
            ServiceKind::Gateway | ServiceKind::Schedule => return None,
        };
        let slug = names::kebab(self.logical(target));
        let stem = slug
            .strip_suffix(word)
            .map(|s| s.trim_end_matches('-'))
            .filter(|s| !s.is_empty())
            .unwrap_or(&slug);
        let mut key = format!("{}_{suffix}", stem.to_ascii_uppercase().replace('-', "_"));
        if !key.starts_with(|c: char| c.is_ascii_alphabetic()) {
            key.insert_str(0, "S_");
        }
        let Some(logical) = self.resource_id(target) else {
            return Some((key, json!(self.design.services[target].id)));
        };
        if !by_name {
            let value = match kind {
                ServiceKind::Queue | ServiceKind::Topic | ServiceKind::StateMachine => {
                    json!({"Ref": logical})
                }
                _ => self.name(target, false),
            };
            return Some((key, value));
        }
        let name = match self.fixed_name(target) {
            Value::String(text) => text.replace("${", "${!"),
            Value::Object(map) => map.get("Fn::Sub")?.as_str()?.to_owned(),
            _ => return None,
        };
        let text = match kind {
            ServiceKind::Queue => format!(
                "https://sqs.${{AWS::Region}}.${{AWS::URLSuffix}}/${{AWS::AccountId}}/{name}"
            ),
            ServiceKind::Topic => {
                format!("arn:${{AWS::Partition}}:sns:${{AWS::Region}}:${{AWS::AccountId}}:{name}")
            }
            ServiceKind::StateMachine => format!(
                "arn:${{AWS::Partition}}:states:${{AWS::Region}}:${{AWS::AccountId}}:stateMachine:{name}"
            ),
            _ => name,
        };
        Some((key, json!({"Fn::Sub": text})))
    }

    /// A state machine's task for an edge out of it, chained after the tasks before it.
    fn task(&self, resources: &mut Resources, edge: usize) {
        let e = &self.design.edges[edge];
        let (from, to) = (e.from.index(), e.to.index());
        let target = self.logical(to).to_owned();
        let substitution = format!("{target}Ref");
        let (resource, parameters, value) = match self.kind(to) {
            ServiceKind::Function => (
                "arn:aws:states:::lambda:invoke",
                json!({"FunctionName": format!("${{{substitution}}}"), "Payload.$": "$"}),
                if self.by_name[edge] {
                    self.fixed_name(to)
                } else {
                    json!({"Fn::GetAtt": [target, "Arn"]})
                },
            ),
            ServiceKind::Queue => (
                "arn:aws:states:::sqs:sendMessage",
                json!({"QueueUrl": format!("${{{substitution}}}"), "MessageBody.$": "$"}),
                json!({"Ref": target}),
            ),
            ServiceKind::Topic => (
                "arn:aws:states:::sns:publish",
                json!({"TopicArn": format!("${{{substitution}}}"), "Message.$": "$"}),
                json!({"Ref": target}),
            ),
            ServiceKind::Bus => (
                "arn:aws:states:::events:putEvents",
                json!({"Entries": [{
                    "EventBusName": format!("${{{substitution}}}"),
                    "Source": self.design.id(e.from),
                    "DetailType": &*e.event,
                    "Detail.$": "$"
                }]}),
                self.name(to, false),
            ),
            ServiceKind::Table => {
                // The item is keyed by the execution: every key attribute is a string.
                let table = self.design.services[to].properties.to_map();
                let mut item = Map::new();
                let key = table.get("key").and_then(Value::as_str).unwrap_or("id");
                item.insert(key.to_owned(), json!({"S.$": "$$.Execution.Id"}));
                if let Some(sort) = table.get("sort_key").and_then(Value::as_str) {
                    item.insert(sort.to_owned(), json!({"S.$": "$$.State.EnteredTime"}));
                }
                (
                    "arn:aws:states:::dynamodb:putItem",
                    json!({"TableName": format!("${{{substitution}}}"), "Item": item}),
                    json!({"Ref": target}),
                )
            }
            ServiceKind::StateMachine => (
                "arn:aws:states:::states:startExecution",
                json!({"StateMachineArn": format!("${{{substitution}}}"), "Input.$": "$"}),
                json!({"Ref": target}),
            ),
            _ => return,
        };
        let Some(machine) = self.resource_id(from) else {
            return;
        };
        let Some(props) = properties_mut(resources, machine) else {
            return;
        };
        object_entry(props, "DefinitionSubstitutions").insert(substitution, value);
        let Some(Value::Object(definition)) = props.get_mut("Definition") else {
            return;
        };
        let state = json!({"Type": "Task", "Resource": resource, "Parameters": parameters});
        append_state(
            definition,
            &format!("Send{}", names::pascal(&e.event, self.kind(to))),
            state,
        );
    }

    /// A queue's dead-letter queue: the other end of a queue-to-queue edge.
    fn dead_letter_queue(&self, resources: &mut Resources, e: &EventEdge, notes: &mut Vec<String>) {
        let (from, to) = (e.from.index(), e.to.index());
        let count = self.design.services[from]
            .properties
            .get("max_receive_count")
            .unwrap_or(json!(DEFAULT_MAX_RECEIVE_COUNT));
        let target = self.arn(to);
        let Some(queue) = self.resource_id(from) else {
            return;
        };
        let Some(props) = properties_mut(resources, queue) else {
            return;
        };
        if props.contains_key("RedrivePolicy") {
            notes.push(self.note(e, "left out: a queue has one dead-letter queue"));
            return;
        }
        props.insert(
            "RedrivePolicy".to_owned(),
            json!({"deadLetterTargetArn": target, "maxReceiveCount": count}),
        );
    }

    /// A topic's subscription of a queue, and the queue's permission for it.
    fn subscription(&self, resources: &mut Resources, e: &EventEdge, notes: &mut Vec<String>) {
        let (from, to) = (e.from.index(), e.to.index());
        let (topic, queue) = (self.logical(from).to_owned(), self.logical(to).to_owned());
        let id = unique_key(resources, &[&format!("{topic}To{queue}Subscription")]);
        let mut subscription = json!({
            "Type": "AWS::SNS::Subscription",
            "Properties": {"TopicArn": {"Ref": topic}, "Protocol": "sqs",
                           "Endpoint": {"Fn::GetAtt": [queue, "Arn"]}, "RawMessageDelivery": true}
        });
        if let Some(filter) = &e.filter {
            match &filter.pattern {
                Some(pattern) if filter.prefix.is_none() && filter.suffix.is_none() => {
                    subscription["Properties"]["FilterPolicyScope"] = json!("MessageBody");
                    subscription["Properties"]["FilterPolicy"] = pattern.value();
                }
                _ => notes.push(self.note(e, "its filter is left out (SNS cannot say it)")),
            }
        }
        resources.insert(id, subscription);
        self.allow(resources, to, "sns.amazonaws.com", json!({"Ref": topic}));
    }

    /// An EventBridge rule (on a bus, or on a schedule) with a queue or topic as its target.
    fn rule(&self, resources: &mut Resources, e: &EventEdge, notes: &mut Vec<String>) {
        let (from, to) = (e.from.index(), e.to.index());
        let target = self.logical(to).to_owned();
        let source = &self.design.services[from];
        let id = unique_key(
            resources,
            &[&format!("{}To{target}Rule", self.logical(from))],
        );
        let mut props = json!({
            "State": "ENABLED",
            "Targets": [{"Id": target, "Arn": self.arn(to)}]
        });
        if source.kind == ServiceKind::Schedule {
            let expression = source
                .properties
                .get("expression")
                .unwrap_or(json!("rate(5 minutes)"));
            props["ScheduleExpression"] = expression;
            if e.filter.is_some() {
                notes.push(self.note(e, "its filter is left out (a schedule has none)"));
            }
        } else {
            let (pattern, used) = pattern_of(e);
            if !used {
                notes.push(self.note(e, "its filter is left out (SAM cannot say it here)"));
            }
            props["EventPattern"] = pattern;
            if self.resource_id(from).is_some() {
                props["EventBusName"] = self.name(from, false);
            }
        }
        let rule_arn = json!({"Fn::GetAtt": [id, "Arn"]});
        resources.insert(
            id,
            json!({"Type": "AWS::Events::Rule", "Properties": props}),
        );
        self.allow(resources, to, "events.amazonaws.com", rule_arn);
    }

    /// Lets a service (`principal`) send to a queue or publish to a topic, from `source`: one
    /// statement in the queue's or topic's policy resource.
    fn allow(&self, resources: &mut Resources, target: usize, principal: &str, source: Value) {
        let logical = self.logical(target).to_owned();
        let (ty, list, action, resource, condition) = match self.kind(target) {
            ServiceKind::Queue => (
                "AWS::SQS::QueuePolicy",
                "Queues",
                "sqs:SendMessage",
                json!({"Fn::GetAtt": [logical, "Arn"]}),
                json!({"ArnEquals": {"aws:SourceArn": source}}),
            ),
            _ => (
                "AWS::SNS::TopicPolicy",
                "Topics",
                "sns:Publish",
                json!({"Ref": logical}),
                json!({"ArnEquals": {"aws:SourceArn": source}}),
            ),
        };
        let statement = json!({
            "Effect": "Allow",
            "Principal": {"Service": principal},
            "Action": action,
            "Resource": resource,
            "Condition": condition
        });
        let id = format!("{logical}Policy");
        let owned = resources.get(&id).is_some_and(|r| {
            r["Type"] == json!(ty) && r["Properties"][list][0] == json!({"Ref": logical})
        });
        let id = if owned || !resources.contains_key(&id) {
            id
        } else {
            unique_key(resources, &[&id])
        };
        let policy = resources.entry(id).or_insert_with(|| {
            json!({"Type": ty, "Properties": {
                list: [{"Ref": logical}],
                "PolicyDocument": {"Version": "2012-10-17", "Statement": []}
            }})
        });
        if let Some(Value::Array(statements)) =
            policy.pointer_mut("/Properties/PolicyDocument/Statement")
        {
            statements.push(statement);
        }
    }
}

/// The type of the resource the export writes for a kind (a schedule has none).
pub(super) fn resource_type(kind: ServiceKind) -> &'static str {
    match kind {
        ServiceKind::Function => "AWS::Serverless::Function",
        ServiceKind::Gateway => "AWS::Serverless::Api",
        ServiceKind::Table => "AWS::DynamoDB::Table",
        ServiceKind::Queue => "AWS::SQS::Queue",
        ServiceKind::Topic => "AWS::SNS::Topic",
        ServiceKind::Bucket => "AWS::S3::Bucket",
        ServiceKind::Bus => "AWS::Events::EventBus",
        ServiceKind::StateMachine => "AWS::Serverless::StateMachine",
        ServiceKind::Stream => "AWS::Kinesis::Stream",
        ServiceKind::Schedule => "",
    }
}

/// True when a queue or topic is FIFO.
fn fifo(kind: ServiceKind, properties: &Map<String, Value>) -> bool {
    matches!(kind, ServiceKind::Queue | ServiceKind::Topic)
        && properties.get("fifo").and_then(Value::as_bool) == Some(true)
}

/// True when an edge only reads: a function that logs in or gets an item, or an event named
/// like a read (`GetUser`, `QueryOrders`). Tables and buckets get a read-only policy for it.
fn reads(edge: &EventEdge, design: &Design) -> bool {
    let behavior = design.services[edge.from.index()].behavior;
    let event = edge.event.to_ascii_lowercase();
    matches!(behavior, Some(Behavior::Login | Behavior::StoreGet))
        || ["get", "read", "query", "scan", "list", "fetch", "load"]
            .iter()
            .any(|verb| event.starts_with(verb))
}

/// The SAM policy template (and its parameter) that lets a function write to a service of
/// `kind`; None for kinds nothing writes to.
fn policy(
    kind: ServiceKind,
    edge: &EventEdge,
    design: &Design,
) -> Option<(&'static str, &'static str)> {
    let read = reads(edge, design);
    Some(match kind {
        ServiceKind::Function => ("LambdaInvokePolicy", "FunctionName"),
        ServiceKind::Queue => ("SQSSendMessagePolicy", "QueueName"),
        ServiceKind::Topic => ("SNSPublishMessagePolicy", "TopicName"),
        ServiceKind::Table if read => ("DynamoDBReadPolicy", "TableName"),
        ServiceKind::Table => ("DynamoDBCrudPolicy", "TableName"),
        ServiceKind::Bucket if read => ("S3ReadPolicy", "BucketName"),
        ServiceKind::Bucket => ("S3CrudPolicy", "BucketName"),
        ServiceKind::Bus => ("EventBridgePutEventsPolicy", "EventBusName"),
        ServiceKind::StateMachine => ("StepFunctionsExecutionPolicy", "StateMachineName"),
        ServiceKind::Stream => ("KinesisCrudPolicy", "StreamName"),
        ServiceKind::Gateway | ServiceKind::Schedule => return None,
    })
}

/// The methods API Gateway routes (SAM's names).
const METHODS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "head", "options", "any",
];

/// The method and path of the gateway route that publishes `event` (`POST /register` ->
/// `("post", "/register")`); a POST on a path named after the event when no route does.
fn route_of(gateway: &crate::model::Service, event: &str) -> (String, String) {
    if let Some(route) = gateway.routes.iter().find(|r| r.event == event) {
        let mut parts = route.route.split_whitespace();
        let (method, path) = match (parts.next(), parts.next()) {
            (Some(method), Some(path)) if METHODS.contains(&&*method.to_ascii_lowercase()) => {
                (method.to_ascii_lowercase(), path.to_owned())
            }
            (Some(_), Some(path)) => ("any".to_owned(), path.to_owned()),
            (Some(path), None) if path.starts_with('/') => ("any".to_owned(), path.to_owned()),
            _ => ("post".to_owned(), String::new()),
        };
        if path.starts_with('/') {
            return (method, path);
        }
    }
    let slug = names::kebab(&names::pascal(event, ServiceKind::Gateway));
    ("post".to_owned(), format!("/{slug}"))
}

/// True when some resource's `Api`/`HttpApi` event already serves the method and path of
/// `event` on the same API.
fn route_taken(resources: &Resources, event: &Value) -> bool {
    let same = |other: &Value| {
        ["Path", "Method", "RestApiId"]
            .iter()
            .all(|key| other.get(key) == event.get(key))
    };
    resources.values().any(|resource| {
        resource["Properties"]["Events"]
            .as_object()
            .is_some_and(|events| {
                events.values().any(|e| {
                    matches!(e["Type"].as_str(), Some("Api" | "HttpApi")) && same(&e["Properties"])
                })
            })
    })
}

/// The event pattern of an edge from a bus: its filter's pattern, else the event by name.
/// Also says whether the whole filter was used.
fn pattern_of(edge: &EventEdge) -> (Value, bool) {
    match &edge.filter {
        Some(filter) => match &filter.pattern {
            Some(pattern) => (
                pattern.value(),
                filter.prefix.is_none() && filter.suffix.is_none(),
            ),
            None => (json!({"detail-type": [&*edge.event]}), false),
        },
        None => (json!({"detail-type": [&*edge.event]}), true),
    }
}

/// The `Properties` of a resource, made when missing; None when there is no such resource or
/// it is not an object.
pub(super) fn properties_mut<'r>(
    resources: &'r mut Resources,
    logical: &str,
) -> Option<&'r mut Map<String, Value>> {
    let Some(Value::Object(resource)) = resources.get_mut(logical) else {
        return None;
    };
    match resource
        .entry("Properties")
        .or_insert_with(|| Value::Object(Map::new()))
    {
        Value::Object(props) => Some(props),
        _ => None,
    }
}

/// An object member, made when missing (or when it was not an object).
fn object_entry<'m>(map: &'m mut Map<String, Value>, key: &str) -> &'m mut Map<String, Value> {
    let entry = map
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    match entry {
        Value::Object(inner) => inner,
        _ => unreachable!("made an object above"),
    }
}

/// The first candidate not yet a key of `map`, else the first with a number appended.
fn unique_key(map: &Map<String, Value>, candidates: &[&str]) -> String {
    let usable: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| names::is_logical_id(c))
        .collect();
    let base = usable.first().copied().unwrap_or("Event");
    if let Some(free) = usable.iter().find(|c| !map.contains_key(**c)) {
        return (*free).to_owned();
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|c| !map.contains_key(c))
        .unwrap_or_default()
}

/// Adds a policy to a resource's `Policies` unless it is there already (a single policy or
/// managed policy name becomes a list).
pub(super) fn push_policy(props: &mut Map<String, Value>, policy: Value) {
    let entry = props
        .entry("Policies")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        *entry = Value::Array(vec![entry.take()]);
    }
    if let Value::Array(policies) = entry
        && !policies.contains(&policy)
    {
        policies.push(policy);
    }
}

/// Appends a state after the one that ends the definition.
fn append_state(definition: &mut Map<String, Value>, name: &str, mut state: Value) {
    let Some(Value::Object(states)) = definition.get_mut("States") else {
        return;
    };
    let mut name = name.to_owned();
    let mut n = 2;
    while states.contains_key(&name) {
        name = format!("{}{n}", name.trim_end_matches(|c: char| c.is_ascii_digit()));
        n += 1;
    }
    for previous in states.values_mut() {
        if let Value::Object(previous) = previous
            && previous.get("End") == Some(&Value::Bool(true))
        {
            previous.shift_remove("End");
            previous.insert("Next".to_owned(), json!(name));
        }
    }
    state["End"] = json!(true);
    states.insert(name, state);
}
