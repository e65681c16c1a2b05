//! The trace: every step of a run as data, and the redaction that keeps passwords out of it.

use serde::Serialize;
use serde_json::{Map, Value};

/// What a trace entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TraceKind {
    /// A request entered at a gateway, which published the route's event.
    Request,
    /// An event reached a busy subscriber and waits in its FIFO queue.
    Queued,
    /// A service handled an event.
    Handle,
    /// A function read or wrote a table (a synchronous call along its edge to the table).
    Store,
    /// The gateway answered a request.
    Response,
    /// An event that could not be handled was set aside (never retried).
    DeadLetter,
}

impl TraceKind {
    /// The name used in the JSON trace and the text timeline.
    pub fn as_str(self) -> &'static str {
        match self {
            TraceKind::Request => "request",
            TraceKind::Queued => "queued",
            TraceKind::Handle => "handle",
            TraceKind::Store => "store",
            TraceKind::Response => "response",
            TraceKind::DeadLetter => "dead-letter",
        }
    }
}

/// One step of a run. Passwords in `payload` are already `"***"`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceEntry {
    /// Sequence number of the entry in the run (0, 1, 2, ...).
    pub id: u64,
    /// Virtual time, in microseconds since the start of the run.
    pub at_us: u64,
    /// What happened.
    pub kind: TraceKind,
    /// The service where it happened (for a store step, the table).
    pub service: String,
    /// The service the event came from, when it travelled along an edge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The request (0-based, in scenario order) that caused this step.
    pub request: u64,
    /// The entry that published the event handled here (request → event → event chains).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caused_by: Option<u64>,
    /// The route (request, response), event name (queued, handle, dead-letter) or the edge's
    /// event name (store).
    pub event: String,
    /// The request body, event payload or store operation, redacted.
    pub payload: Value,
    /// What came of it, in words.
    pub outcome: String,
    /// The HTTP status, for responses and handlers that answer a request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Virtual time the step took, in microseconds.
    pub duration_us: u64,
}

/// The text shown instead of a password.
pub const REDACTED: &str = "***";

/// True for a field that holds a secret: any name containing "password", "passwd" or "secret",
/// except a hash of one (`password_hash`).
pub fn is_secret_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.contains("password") || lower.contains("passwd") || lower.contains("secret"))
        && !lower.contains("hash")
}

/// True when `value` has a secret field at any depth (then [`redact`] changes it). O(size).
pub fn contains_secret(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| is_secret_field(key) || contains_secret(value)),
        Value::Array(items) => items.iter().any(contains_secret),
        _ => false,
    }
}

/// A copy of `value` with every secret field (at any depth) replaced by `"***"`. O(size).
pub fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(redact_map(map)),
        Value::Array(items) => Value::Array(items.iter().map(redact).collect()),
        other => other.clone(),
    }
}

/// [`redact`] for an object.
pub fn redact_map(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .map(|(key, value)| {
            let value = if is_secret_field(key) {
                Value::String(REDACTED.to_owned())
            } else {
                redact(value)
            };
            (key.clone(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_redacted_at_any_depth_but_hashes_are_kept() {
        let value = json!({
            "name": "alice",
            "password": "hunter2-long",
            "nested": [{"newPassword": "x"}, {"client_secret": 5}],
            "password_hash": "$argon2id$..."
        });
        let redacted = redact(&value);
        assert_eq!(redacted["password"], "***");
        assert_eq!(redacted["nested"][0]["newPassword"], "***");
        assert_eq!(redacted["nested"][1]["client_secret"], "***");
        assert_eq!(redacted["password_hash"], "$argon2id$...");
        assert_eq!(redacted["name"], "alice");
        assert!(!redacted.to_string().contains("hunter2"));
        assert!(contains_secret(&value));
        assert!(!contains_secret(&redacted["nested"][0]["x"]));
        assert!(!contains_secret(
            &json!({"a": [{"b": 1}], "password_hash": "h"})
        ));
    }
}
