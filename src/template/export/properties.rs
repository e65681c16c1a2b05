//! A service's known properties as the properties of its resource (`memory_mb` ->
//! `MemorySize`), one table for the export of a new service and for an edit of an imported one.

use serde_json::{Map, Value, json};

use crate::model::ServiceKind;
use crate::model::properties::PropertyMap;

/// The function code SAM is pointed at when a function names none: a folder per function,
/// beside the template.
pub(super) const DEFAULT_RUNTIME: &str = "python3.12";
/// See [`DEFAULT_RUNTIME`].
pub(super) const DEFAULT_HANDLER: &str = "app.handler";

/// The receive count a dead-letter queue gets when its queue does not say.
pub(super) const DEFAULT_MAX_RECEIVE_COUNT: i64 = 5;

/// True for a key that is written to the resource as it is: a CloudFormation property name
/// (`Tracing`, `ReservedConcurrentExecutions`), which an import keeps in `properties`.
pub(super) fn is_passthrough(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_uppercase())
}

/// Sets (or, for `None`, removes) what property `key` of a service of `kind` means in its
/// resource's `properties`. Keys this table does not know and that are not pass-through are
/// left alone (they mean nothing to CloudFormation). `all` is every property the service has,
/// for the keys that are written together (a table's key schema).
pub(super) fn apply(
    kind: ServiceKind,
    resource: &mut Map<String, Value>,
    key: &str,
    value: Option<&Value>,
    all: &PropertyMap,
) {
    if is_passthrough(key) {
        set(resource, key, value.cloned());
        return;
    }
    match (kind, key) {
        (ServiceKind::Function, "runtime") => set(resource, "Runtime", value.cloned()),
        (ServiceKind::Function, "handler") => set(resource, "Handler", value.cloned()),
        (ServiceKind::Function, "code_uri") => set(resource, "CodeUri", value.cloned()),
        (ServiceKind::Function, "memory_mb") => set(resource, "MemorySize", value.cloned()),
        (ServiceKind::Function, "timeout_s") => set(resource, "Timeout", value.cloned()),
        (ServiceKind::Queue, "visibility_timeout_s") => {
            set(resource, "VisibilityTimeout", value.cloned())
        }
        (ServiceKind::Queue, "fifo") => set(resource, "FifoQueue", only_true(value)),
        (ServiceKind::Queue, "max_receive_count") => {
            if let Some(Value::Object(redrive)) = resource.get_mut("RedrivePolicy") {
                let count = value.cloned().unwrap_or(json!(DEFAULT_MAX_RECEIVE_COUNT));
                redrive.insert("maxReceiveCount".to_owned(), count);
            }
        }
        (ServiceKind::Topic, "fifo") => set(resource, "FifoTopic", only_true(value)),
        (ServiceKind::Bucket, "versioned") => set(
            resource,
            "VersioningConfiguration",
            value
                .and_then(Value::as_bool)
                .map(|on| json!({"Status": if on { "Enabled" } else { "Suspended" }})),
        ),
        (ServiceKind::StateMachine, "type") => set(resource, "Type", value.cloned()),
        (ServiceKind::Stream, "shards") => set(resource, "ShardCount", value.cloned()),
        (ServiceKind::Table, "key" | "sort_key") => key_schema(resource, all),
        _ => {}
    }
}

/// Every property of a new service's resource.
pub(super) fn apply_all(kind: ServiceKind, resource: &mut Map<String, Value>, all: &PropertyMap) {
    if kind == ServiceKind::Table {
        key_schema(resource, all);
    }
    for (key, value) in all {
        apply(kind, resource, key, Some(value), all);
    }
}

fn only_true(value: Option<&Value>) -> Option<Value> {
    value.filter(|v| v.as_bool() == Some(true)).cloned()
}

fn set(resource: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    match value {
        Some(value) => {
            resource.insert(key.to_owned(), value);
        }
        None => {
            resource.shift_remove(key);
        }
    }
}

/// A table's key schema from its `key` (default `id`) and `sort_key`, as strings.
fn key_schema(resource: &mut Map<String, Value>, all: &PropertyMap) {
    let key = all.get("key").and_then(Value::as_str).unwrap_or("id");
    let mut attributes = vec![json!({"AttributeName": key, "AttributeType": "S"})];
    let mut schema = vec![json!({"AttributeName": key, "KeyType": "HASH"})];
    if let Some(sort) = all.get("sort_key").and_then(Value::as_str)
        && sort != key
    {
        attributes.push(json!({"AttributeName": sort, "AttributeType": "S"}));
        schema.push(json!({"AttributeName": sort, "KeyType": "RANGE"}));
    }
    resource.insert("AttributeDefinitions".to_owned(), Value::Array(attributes));
    resource.insert("KeySchema".to_owned(), Value::Array(schema));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn known_keys_become_resource_properties() {
        let all = map(
            json!({"runtime": "nodejs20.x", "memory_mb": 512, "timeout_s": 30,
            "Tracing": "Active", "colour": "blue"}),
        );
        let mut resource = Map::new();
        apply_all(ServiceKind::Function, &mut resource, &all);
        assert_eq!(
            Value::Object(resource.clone()),
            json!({"Runtime": "nodejs20.x", "MemorySize": 512, "Timeout": 30, "Tracing": "Active"})
        );
        apply(
            ServiceKind::Function,
            &mut resource,
            "memory_mb",
            None,
            &all,
        );
        assert!(!resource.contains_key("MemorySize"));
    }

    #[test]
    fn a_table_gets_its_key_schema_and_a_bucket_its_versioning() {
        let all = map(json!({"key": "pk", "sort_key": "sk"}));
        let mut table = Map::new();
        apply_all(ServiceKind::Table, &mut table, &all);
        assert_eq!(
            table["KeySchema"][1],
            json!({"AttributeName": "sk", "KeyType": "RANGE"})
        );
        assert_eq!(table["AttributeDefinitions"].as_array().unwrap().len(), 2);
        let mut bucket = Map::new();
        apply_all(
            ServiceKind::Bucket,
            &mut bucket,
            &map(json!({"versioned": true})),
        );
        assert_eq!(
            bucket["VersioningConfiguration"],
            json!({"Status": "Enabled"})
        );
        let mut queue = Map::new();
        apply_all(ServiceKind::Queue, &mut queue, &map(json!({"fifo": false})));
        assert!(
            queue.is_empty(),
            "FifoQueue: false is the default, not written"
        );
    }
}
