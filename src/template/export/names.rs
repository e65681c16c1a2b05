//! What the template calls each service: a logical id (`ProcessPayment`) and, where a fixed
//! name is needed, a physical name derived from the stack's (`${AWS::StackName}-process-payment`).

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::model::{Design, ServiceKind};

// The ids of the services SAM or AWS create without a resource of their own (the import gives
// them these ids): SAM's implicit APIs and the default event bus.
pub(super) use crate::template::{DEFAULT_BUS, IMPLICIT_HTTP_API, IMPLICIT_REST_API};

/// Logical ids of the services, by service index.
#[derive(Debug, Clone)]
pub(super) struct Names {
    logical: Vec<String>,
}

impl Names {
    /// A logical id for every service: its own id when that is a valid logical id (an imported
    /// design keeps its template's), else a PascalCase form of it. Unique, also ignoring case
    /// (the fixed names are lower case), and distinct from `taken` (other resources' ids).
    pub(super) fn new(design: &Design, taken: &HashSet<String>) -> Names {
        let mut used: HashSet<String> = taken.iter().map(|id| id.to_ascii_lowercase()).collect();
        let mut logical = Vec::with_capacity(design.services.len());
        // Ids that are valid as they are claim theirs first, so an imported design keeps them.
        let valid: Vec<bool> = design
            .services
            .iter()
            .map(|s| is_logical_id(&s.id))
            .collect();
        let mut claimed: Vec<Option<String>> = vec![None; design.services.len()];
        for (i, service) in design.services.iter().enumerate() {
            if valid[i] && used.insert(service.id.to_ascii_lowercase()) {
                claimed[i] = Some(service.id.clone());
            }
        }
        for (i, service) in design.services.iter().enumerate() {
            let id = match claimed[i].take() {
                Some(id) => id,
                None => unique(&pascal(&service.id, service.kind), &mut used),
            };
            logical.push(id);
        }
        Names { logical }
    }

    /// The logical id of the service at `index`.
    pub(super) fn logical(&self, index: usize) -> &str {
        &self.logical[index]
    }

    /// Every logical id, by service index.
    #[cfg(test)]
    pub(super) fn all(&self) -> &[String] {
        &self.logical
    }
}

/// True for a CloudFormation logical id: ASCII letters and digits, at most 255.
pub(super) fn is_logical_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 255 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `process-payment` -> `ProcessPayment`; a kind name when nothing usable is left, and before
/// a leading digit.
pub(super) fn pascal(text: &str, kind: ServiceKind) -> String {
    let mut out = String::new();
    for part in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    // SAM names generated resources `<Function><Event>Permission...`: both parts stay short
    // enough for a logical id (255) and a Step Functions state name (80).
    out.truncate(64);
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, &pascal(kind.as_str(), ServiceKind::Function));
    }
    out
}

fn unique(base: &str, used: &mut HashSet<String>) -> String {
    if used.insert(base.to_ascii_lowercase()) {
        return base.to_owned();
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|candidate| used.insert(candidate.to_ascii_lowercase()))
        .unwrap_or_default()
}

/// `ProcessPayment` -> `process-payment`: the readable, lower-case part of a fixed name.
pub(super) fn kebab(logical: &str) -> String {
    let mut out = String::with_capacity(logical.len() + 4);
    let mut previous: Option<char> = None;
    for c in logical.chars() {
        if c.is_ascii_uppercase()
            && previous.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
        {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
        previous = Some(c);
    }
    out
}

/// The fixed physical name of a resource, from the stack's name: what other resources can
/// name without a `!Ref` (and so without depending on it). Buckets' names are global, so they
/// also carry the account id; FIFO queues and topics end in `.fifo` as AWS requires.
pub(super) fn fixed_name(logical: &str, kind: ServiceKind, fifo: bool) -> Value {
    let slug = kebab(logical);
    let suffix = if fifo { ".fifo" } else { "" };
    match kind {
        ServiceKind::Bucket => {
            json!({"Fn::Sub": format!("${{AWS::StackName}}-${{AWS::AccountId}}-{slug}")})
        }
        _ => json!({"Fn::Sub": format!("${{AWS::StackName}}-{slug}{suffix}")}),
    }
}

/// The property a kind's resource takes its physical name in.
pub(super) fn name_property(kind: ServiceKind) -> Option<&'static str> {
    Some(match kind {
        ServiceKind::Function => "FunctionName",
        ServiceKind::Queue => "QueueName",
        ServiceKind::Topic => "TopicName",
        ServiceKind::Table => "TableName",
        ServiceKind::Bucket => "BucketName",
        ServiceKind::Bus | ServiceKind::StateMachine | ServiceKind::Stream => "Name",
        ServiceKind::Gateway | ServiceKind::Schedule => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Service;

    #[test]
    fn valid_ids_are_kept_and_others_made_valid_and_unique() {
        let mut design = Design::new("t");
        for (id, kind) in [
            ("process-payment", ServiceKind::Function),
            ("ProcessPayment", ServiceKind::Function),
            ("ünïcödé → 服务", ServiceKind::Function),
            ("9lives", ServiceKind::Queue), // valid: logical ids may start with a digit
            ("", ServiceKind::Table),
            ("9-lives", ServiceKind::Queue),
            ("Taken", ServiceKind::Topic),
        ] {
            design.add_service(Service::new(id, kind));
        }
        let taken: HashSet<String> = ["taken".to_owned()].into();
        let names = Names::new(&design, &taken);
        assert_eq!(
            names.all(),
            [
                "ProcessPayment2",
                "ProcessPayment",
                "NCD",
                "9lives",
                "Table",
                "Queue9Lives",
                "Taken2"
            ]
        );
        assert!(names.all().iter().all(|id| is_logical_id(id)));
    }

    #[test]
    fn long_ids_are_cut_to_what_sam_and_step_functions_accept() {
        let long = "a-".repeat(300);
        let id = pascal(&long, ServiceKind::Queue);
        assert_eq!(id.len(), 64);
        assert!(is_logical_id(&id));
    }

    #[test]
    fn fixed_names_are_lower_case_and_fifo_ends_in_fifo() {
        assert_eq!(kebab("ProcessPayment"), "process-payment");
        assert_eq!(kebab("S3Bucket2"), "s3-bucket2");
        assert_eq!(
            fixed_name("Register", ServiceKind::Function, false),
            json!({"Fn::Sub": "${AWS::StackName}-register"})
        );
        assert_eq!(
            fixed_name("Orders", ServiceKind::Queue, true),
            json!({"Fn::Sub": "${AWS::StackName}-orders.fifo"})
        );
        assert!(
            fixed_name("Up", ServiceKind::Bucket, false)["Fn::Sub"]
                .as_str()
                .unwrap()
                .contains("AWS::AccountId")
        );
    }
}
