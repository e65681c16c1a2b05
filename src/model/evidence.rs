//! An edge's `evidence`: which construct of an imported template made the edge, and what the
//! loop classifier ([`crate::analysis::loops`]) needs to know about it.
//!
//! Optional: a drawn edge has none. Saved in the design file, so a design imported once keeps
//! telling why each edge is there after it is edited and saved.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Why an edge exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// The construct that made the edge, as the template names it: `Events.Upload (S3)`,
    /// `Policies[1] S3CrudPolicy`, `Role.Statement[0] s3:PutObject on "*"`.
    #[schemars(length(min = 1))]
    pub construct: String,
    /// What the edge does: a trigger invokes its target, a write sends something new to it,
    /// a retry hands the same failed message on.
    pub role: EdgeRole,
    /// How surely the edge is real: `direct` (names its target), or an over-approximation.
    #[serde(default, skip_serializing_if = "Reach::is_direct")]
    pub reach: Reach,
    /// Counts that stop a message going round (a queue's maxReceiveCount, retry attempts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bounds: Vec<Bound>,
    /// The object keys a write to a bucket is limited to, as a glob (`thumbnails/*`), from
    /// the resource of the permission that allows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<String>,
}

/// What an edge does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeRole {
    /// The source invokes or delivers to the target (an event source, a subscription, a route).
    Trigger,
    /// The source sends something new to the target (a put, a publish, an invoke).
    Write,
    /// The same failed message goes on (a redrive to a dead-letter queue, a failure destination).
    Retry,
}

/// How an edge's target was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// The construct names the target.
    #[default]
    Direct,
    /// A permission on `*` (or a wildcard ARN) that covers every resource of the kind.
    Wildcard,
    /// A role shared by several functions: each of them gets the role's edges.
    SharedRole,
    /// Only an environment variable names the target; the permission is a broad one.
    Environment,
}

impl Reach {
    /// True for [`Reach::Direct`] (the default, not written).
    pub fn is_direct(&self) -> bool {
        *self == Reach::Direct
    }

    /// The name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Reach::Direct => "direct",
            Reach::Wildcard => "wildcard",
            Reach::SharedRole => "shared-role",
            Reach::Environment => "environment",
        }
    }
}

impl EdgeRole {
    /// The name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeRole::Trigger => "trigger",
            EdgeRole::Write => "write",
            EdgeRole::Retry => "retry",
        }
    }
}

/// A count that limits how often a message takes an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bound {
    /// What counts.
    pub kind: BoundKind,
    /// After how many.
    pub count: u32,
}

/// What a [`Bound`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum BoundKind {
    /// A queue's `maxReceiveCount`: receives before the message goes to the dead-letter queue.
    MaxReceiveCount,
    /// `MaximumRetryAttempts` of an event source, an asynchronous invocation or a rule target.
    RetryAttempts,
    /// A hop counter in the message that a filter stops at.
    HopLimit,
}

impl BoundKind {
    /// The name used in files and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            BoundKind::MaxReceiveCount => "max-receive-count",
            BoundKind::RetryAttempts => "retry-attempts",
            BoundKind::HopLimit => "hop-limit",
        }
    }
}

impl Evidence {
    /// Direct evidence of a role, without bounds.
    pub fn new(construct: impl Into<String>, role: EdgeRole) -> Evidence {
        Evidence {
            construct: construct.into(),
            role,
            reach: Reach::Direct,
            bounds: Vec::new(),
            keys: None,
        }
    }

    /// Checks what the types cannot: a construct is named.
    pub fn check(&self) -> Result<(), String> {
        if self.construct.trim().is_empty() {
            return Err(
                "evidence.construct is empty: name the construct that made the edge".into(),
            );
        }
        Ok(())
    }

    /// One line for reports and the inspector: `Policies[1] S3CrudPolicy (write, wildcard,
    /// max-receive-count 5)`.
    pub fn describe(&self) -> String {
        let mut parts = vec![self.role.as_str().to_owned()];
        if !self.reach.is_direct() {
            parts.push(self.reach.as_str().to_owned());
        }
        for bound in &self.bounds {
            parts.push(format!("{} {}", bound.kind.as_str(), bound.count));
        }
        if let Some(keys) = &self.keys {
            parts.push(format!("keys {keys:?}"));
        }
        format!("{} ({})", self.construct, parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evidence_reads_and_writes_its_short_form() {
        let mut evidence = Evidence::new("RedrivePolicy", EdgeRole::Retry);
        evidence.bounds.push(Bound {
            kind: BoundKind::MaxReceiveCount,
            count: 5,
        });
        let value = serde_json::to_value(&evidence).unwrap();
        assert_eq!(
            value,
            json!({"construct": "RedrivePolicy", "role": "retry",
                   "bounds": [{"kind": "max-receive-count", "count": 5}]})
        );
        assert_eq!(serde_json::from_value::<Evidence>(value).unwrap(), evidence);
        assert_eq!(
            evidence.describe(),
            "RedrivePolicy (retry, max-receive-count 5)"
        );
        let unknown = json!({"construct": "x", "role": "write", "why": 1});
        assert!(serde_json::from_value::<Evidence>(unknown).is_err());
        assert!(Evidence::new(" ", EdgeRole::Write).check().is_err());
    }
}
