//! Which resources become services, and the properties each takes from its template.

use serde_json::{Map, Value};

use crate::model::properties::{self, PropertyMap};
use crate::model::{ServiceKind, properties::Properties};

/// The kind a resource type is shown as; `None` for the types the model does not show.
pub(super) fn kind_of(ty: &str, props: &Map<String, Value>) -> Option<ServiceKind> {
    Some(match ty {
        "AWS::Serverless::Function" | "AWS::Lambda::Function" => ServiceKind::Function,
        "AWS::Serverless::Api"
        | "AWS::Serverless::HttpApi"
        | "AWS::ApiGateway::RestApi"
        | "AWS::ApiGatewayV2::Api"
        | "AWS::Lambda::Url" => ServiceKind::Gateway,
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" | "AWS::Serverless::SimpleTable" => {
            ServiceKind::Table
        }
        "AWS::SQS::Queue" => ServiceKind::Queue,
        "AWS::SNS::Topic" => ServiceKind::Topic,
        "AWS::S3::Bucket" => ServiceKind::Bucket,
        "AWS::Events::EventBus" => ServiceKind::Bus,
        "AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine" => {
            ServiceKind::StateMachine
        }
        "AWS::Kinesis::Stream"
        | "AWS::KinesisFirehose::DeliveryStream"
        | "AWS::MSK::Cluster"
        | "AWS::MSK::ServerlessCluster" => ServiceKind::Stream,
        "AWS::Scheduler::Schedule" => ServiceKind::Schedule,
        // A rule on a schedule is the schedule; a rule on a pattern is edges from its bus.
        "AWS::Events::Rule" if props.contains_key("ScheduleExpression") => ServiceKind::Schedule,
        _ => return None,
    })
}

/// A whole number from a template value (`30` or `"30"`).
pub(super) fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A flag from a template value (`true` or `"true"`).
fn flag(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(text) => match text.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn text(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::to_owned)
}

/// A function's property: its own, else the template's `Globals.Function`.
pub(super) fn with_globals<'a>(
    props: &'a Map<String, Value>,
    globals: Option<&'a Map<String, Value>>,
    key: &str,
) -> Option<&'a Value> {
    props.get(key).or_else(|| globals?.get(key))
}

/// The model properties of a resource shown as `kind`: known keys from the template's
/// settings (out-of-range values are left out, with a note), and `resource_type`, the
/// CloudFormation type, so that exporting the design again knows what it was.
pub(super) fn properties(
    kind: ServiceKind,
    ty: &str,
    props: &Map<String, Value>,
    globals: Option<&Map<String, Value>>,
    notes: &mut Vec<String>,
) -> Properties {
    let mut map = PropertyMap::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            map.insert(key.to_owned(), value);
        }
    };
    match kind {
        ServiceKind::Function => {
            let get = |key| with_globals(props, globals, key);
            put("runtime", text(get("Runtime")).map(Value::from));
            put("handler", text(get("Handler")).map(Value::from));
            put("code_uri", text(get("CodeUri")).map(Value::from));
            put("memory_mb", integer(get("MemorySize")).map(Value::from));
            put("timeout_s", integer(get("Timeout")).map(Value::from));
        }
        ServiceKind::Queue => {
            put(
                "visibility_timeout_s",
                integer(props.get("VisibilityTimeout")).map(Value::from),
            );
            let redrive = props.get("RedrivePolicy").and_then(redrive_policy);
            put(
                "max_receive_count",
                redrive
                    .as_ref()
                    .and_then(|r| integer(r.get("maxReceiveCount")))
                    .map(Value::from),
            );
            put("fifo", flag(props.get("FifoQueue")).map(Value::from));
        }
        ServiceKind::Table => {
            if let Some(Value::Array(keys)) = props.get("KeySchema") {
                for key in keys {
                    let name = text(key.get("AttributeName")).map(Value::from);
                    match key.get("KeyType").and_then(Value::as_str) {
                        Some("HASH") => put("key", name),
                        Some("RANGE") => put("sort_key", name),
                        _ => {}
                    }
                }
            }
            if let Some(primary) = props.get("PrimaryKey") {
                put("key", text(primary.get("Name")).map(Value::from));
            }
        }
        ServiceKind::Topic => put("fifo", flag(props.get("FifoTopic")).map(Value::from)),
        ServiceKind::Bucket => {
            let status = props
                .get("VersioningConfiguration")
                .and_then(|v| v.get("Status"))
                .and_then(Value::as_str);
            put("versioned", status.map(|s| Value::Bool(s == "Enabled")));
        }
        ServiceKind::StateMachine => {
            let ty = props.get("Type").or_else(|| props.get("StateMachineType"));
            put("type", text(ty).map(Value::from));
        }
        ServiceKind::Stream => put("shards", integer(props.get("ShardCount")).map(Value::from)),
        ServiceKind::Schedule => {
            let expression = props
                .get("ScheduleExpression")
                .or_else(|| props.get("Schedule"));
            put("expression", text(expression).map(Value::from));
        }
        ServiceKind::Gateway | ServiceKind::Bus => {}
    }
    for problem in properties::check(kind, &map) {
        notes.push(format!("{}: {} (left out)", problem.key, problem.message));
        map.shift_remove(&problem.key);
    }
    if !ty.is_empty() {
        map.insert("resource_type".to_owned(), Value::from(ty));
    }
    Properties::from_map(&map)
}

/// A queue's or a subscription's RedrivePolicy as an object (CloudFormation also takes it as
/// JSON text).
pub(super) fn redrive_policy(value: &Value) -> Option<Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map.clone()),
        Value::String(text) => match serde_json::from_str(text) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn function_settings_come_from_the_function_then_the_globals() {
        let props = json!({"Runtime": "python3.12", "MemorySize": 99999});
        let globals = json!({"Timeout": 30, "Handler": "app.handler", "Runtime": "nodejs20.x"});
        let mut notes = Vec::new();
        let properties = properties(
            ServiceKind::Function,
            "AWS::Serverless::Function",
            props.as_object().unwrap(),
            globals.as_object(),
            &mut notes,
        );
        assert_eq!(
            Value::Object(properties.to_map()),
            json!({"runtime": "python3.12", "handler": "app.handler", "timeout_s": 30,
                   "resource_type": "AWS::Serverless::Function"})
        );
        assert!(notes[0].contains("memory_mb"), "{notes:?}");
    }

    #[test]
    fn a_queue_takes_its_receive_count_from_a_redrive_policy_in_either_form() {
        for redrive in [
            json!({"deadLetterTargetArn": "x", "maxReceiveCount": 5}),
            json!("{\"deadLetterTargetArn\": \"x\", \"maxReceiveCount\": 5}"),
        ] {
            let props = json!({"RedrivePolicy": redrive, "FifoQueue": true});
            let map = properties(
                ServiceKind::Queue,
                "AWS::SQS::Queue",
                props.as_object().unwrap(),
                None,
                &mut Vec::new(),
            )
            .to_map();
            assert_eq!(map["max_receive_count"], json!(5));
            assert_eq!(map["fifo"], json!(true));
        }
    }
}
