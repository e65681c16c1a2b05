//! An edge's `filter`: which events take the edge. Covers the filters real templates use: an S3
//! key prefix/suffix, and an event pattern (EventBridge rules, SQS, DynamoDB and Lambda event
//! source filters) matched against the event.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A JSON value held as its compact text: a parsed pattern of two fields costs about 500 bytes
/// of heap, its text about 60, and a big design holds a filter on many of its edges.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CompactJson(Box<str>);

impl CompactJson {
    /// The compact text of a value.
    pub fn new(value: &Value) -> CompactJson {
        // A JSON value always serializes.
        CompactJson(
            serde_json::to_string(value)
                .unwrap_or_default()
                .into_boxed_str(),
        )
    }

    /// The value.
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }

    /// The compact text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for CompactJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for CompactJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CompactJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(|value| CompactJson::new(&value))
    }
}

/// Which events take an edge. Every part that is set must match.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EdgeFilter {
    /// The object key (payload field `key`) must start with this (S3 notifications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The object key (payload field `key`) must end with this (S3 notifications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// An event pattern in EventBridge's syntax: an object whose leaves are lists of allowed
    /// values or of `{"prefix": ..}`, `{"suffix": ..}`, `{"anything-but": ..}`, `{"exists": ..}`.
    /// It is matched against `{"source", "detail-type", "detail"}` (the publisher's id, the event
    /// name and the payload); other top-level keys are matched against the payload itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Value>")]
    pub pattern: Option<CompactJson>,
}

/// An [`EdgeFilter`] with its pattern parsed, for matching many events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CompiledFilter {
    prefix: Option<String>,
    suffix: Option<String>,
    pattern: Option<Value>,
}

impl EdgeFilter {
    /// True when nothing is set (the filter lets everything through).
    pub fn is_empty(&self) -> bool {
        self.prefix.is_none() && self.suffix.is_none() && self.pattern.is_none()
    }

    /// A filter with this event pattern.
    pub fn with_pattern(pattern: &Value) -> EdgeFilter {
        EdgeFilter {
            pattern: Some(CompactJson::new(pattern)),
            ..EdgeFilter::default()
        }
    }

    /// Checks the pattern's shape; the message names what is wrong and where.
    pub fn check(&self) -> Result<(), String> {
        match self.pattern.as_ref().map(CompactJson::value) {
            None => Ok(()),
            Some(Value::Object(map)) => check_pattern(&map, "pattern"),
            Some(_) => Err("pattern: an event pattern is an object".to_owned()),
        }
    }

    /// The filter with its pattern parsed once.
    pub fn compile(&self) -> CompiledFilter {
        CompiledFilter {
            prefix: self.prefix.clone(),
            suffix: self.suffix.clone(),
            pattern: self.pattern.as_ref().map(CompactJson::value),
        }
    }

    /// Does an event take this edge? `source` is the publisher's id, `event` the event name.
    /// Parses the pattern: use [`EdgeFilter::compile`] to match many events.
    pub fn matches(&self, source: &str, event: &str, payload: &Value) -> bool {
        self.compile().matches(source, event, payload)
    }

    /// A short description for messages and the inspector: `prefix "in/", suffix ".jpg"`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(prefix) = &self.prefix {
            parts.push(format!("prefix {prefix:?}"));
        }
        if let Some(suffix) = &self.suffix {
            parts.push(format!("suffix {suffix:?}"));
        }
        if let Some(pattern) = &self.pattern {
            parts.push(format!("pattern {}", pattern.as_str()));
        }
        parts.join(", ")
    }
}

impl CompiledFilter {
    /// A filter of just an event pattern, already parsed.
    pub fn of_pattern(pattern: Value) -> CompiledFilter {
        CompiledFilter {
            prefix: None,
            suffix: None,
            pattern: Some(pattern),
        }
    }

    /// See [`EdgeFilter::matches`].
    pub fn matches(&self, source: &str, event: &str, payload: &Value) -> bool {
        let key = payload.get("key").and_then(Value::as_str);
        if let Some(prefix) = &self.prefix
            && !key.is_some_and(|k| k.starts_with(prefix.as_str()))
        {
            return false;
        }
        if let Some(suffix) = &self.suffix
            && !key.is_some_and(|k| k.ends_with(suffix.as_str()))
        {
            return false;
        }
        let Some(Value::Object(pattern)) = &self.pattern else {
            return true;
        };
        pattern.iter().all(|(field, rule)| {
            let target = match field.as_str() {
                "source" => Some(Value::String(source.to_owned())),
                "detail-type" => Some(Value::String(event.to_owned())),
                "detail" => Some(payload.clone()),
                other => payload.get(other).cloned(),
            };
            matches_rule(rule, target.as_ref())
        })
    }
}

fn check_pattern(map: &serde_json::Map<String, Value>, path: &str) -> Result<(), String> {
    for (key, rule) in map {
        let here = format!("{path}.{key}");
        match rule {
            Value::Object(inner) => check_pattern(inner, &here)?,
            Value::Array(_) => {}
            _ => {
                return Err(format!(
                    "{here}: a pattern's leaves are lists of allowed values, like [\"a\", \"b\"]"
                ));
            }
        }
    }
    Ok(())
}

/// One rule of a pattern against the value it names (`None` when the field is absent).
fn matches_rule(rule: &Value, target: Option<&Value>) -> bool {
    match rule {
        Value::Object(fields) => match target {
            Some(Value::Object(_)) => fields
                .iter()
                .all(|(field, rule)| matches_rule(rule, target.and_then(|t| t.get(field)))),
            _ => false,
        },
        Value::Array(allowed) => allowed.iter().any(|one| matches_one(one, target)),
        _ => false,
    }
}

/// One allowed value (or matcher object) against a value; a list value matches if any element
/// does, as in EventBridge.
fn matches_one(allowed: &Value, target: Option<&Value>) -> bool {
    if let Value::Object(matcher) = allowed {
        if let Some(Value::Bool(wanted)) = matcher.get("exists") {
            return target.is_some() == *wanted;
        }
        if let Some(but) = matcher.get("anything-but") {
            let excluded = match but {
                Value::Array(values) => values.clone(),
                one => vec![one.clone()],
            };
            return target.is_some_and(|t| !excluded.contains(t));
        }
    }
    match target {
        Some(Value::Array(values)) => values.iter().any(|v| matches_scalar(allowed, v)),
        Some(value) => matches_scalar(allowed, value),
        None => false,
    }
}

fn matches_scalar(allowed: &Value, value: &Value) -> bool {
    match allowed {
        Value::Object(matcher) => {
            let text = value.as_str();
            if let Some(Value::String(prefix)) = matcher.get("prefix") {
                return text.is_some_and(|t| t.starts_with(prefix.as_str()));
            }
            if let Some(Value::String(suffix)) = matcher.get("suffix") {
                return text.is_some_and(|t| t.ends_with(suffix.as_str()));
            }
            false
        }
        other => other == value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_filters_match_the_object_key() {
        let filter = EdgeFilter {
            prefix: Some("uploads/".into()),
            suffix: Some(".jpg".into()),
            pattern: None,
        };
        assert!(filter.matches("b", "ObjectCreated", &json!({"key": "uploads/cat.jpg"})));
        assert!(!filter.matches("b", "ObjectCreated", &json!({"key": "thumbs/cat.jpg"})));
        assert!(!filter.matches("b", "ObjectCreated", &json!({"key": "uploads/cat.png"})));
        assert!(!filter.matches("b", "ObjectCreated", &json!({})));
    }

    #[test]
    fn patterns_match_source_detail_type_and_detail() {
        let filter = EdgeFilter {
            ..EdgeFilter::with_pattern(&json!({
                "source": ["orders"],
                "detail-type": ["OrderPlaced", "OrderChanged"],
                "detail": {"total": [{"anything-but": 0}], "region": [{"prefix": "eu-"}]}
            }))
        };
        filter.check().unwrap();
        let payload = json!({"total": 10, "region": "eu-west-1"});
        assert!(filter.matches("orders", "OrderPlaced", &payload));
        assert!(!filter.matches("billing", "OrderPlaced", &payload));
        assert!(!filter.matches("orders", "OrderShipped", &payload));
        assert!(!filter.matches(
            "orders",
            "OrderPlaced",
            &json!({"total": 0, "region": "eu-1"})
        ));
        assert!(!filter.matches(
            "orders",
            "OrderPlaced",
            &json!({"total": 3, "region": "us-1"})
        ));
    }

    #[test]
    fn a_pattern_with_a_bare_leaf_is_refused_with_its_path() {
        let filter = EdgeFilter::with_pattern(&json!({"detail": {"status": "done"}}));
        let error = filter.check().unwrap_err();
        assert!(error.contains("pattern.detail.status"), "{error}");
    }
}
