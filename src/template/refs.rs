//! Which resources a template value names: by `Ref`, `Fn::GetAtt`, `${...}` in `Fn::Sub`,
//! and by their name as a literal string (templates often write a bucket's or a queue's name
//! rather than `!Ref` it, to dodge a circular dependency), also through a parameter that both
//! the resource's name and the reference use.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// A resource of the template.
#[derive(Debug, Clone, Copy)]
pub(super) struct Resource<'a> {
    /// Its logical id.
    pub id: &'a str,
    /// Its `Type`.
    pub ty: &'a str,
    /// Its `Properties` (empty when it has none).
    pub props: &'a Map<String, Value>,
}

/// What a resource's name property holds, for matching references against it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Name {
    /// A literal name: `my-uploads`.
    Literal(String),
    /// `!Ref Param`: the same parameter in a reference means this resource.
    Parameter(String),
    /// `!Sub '${AWS::StackName}-orders'`: the same text in a reference means this resource.
    Sub(String),
}

/// One resource a value names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Hit {
    /// Index into [`Index::resources`].
    pub resource: usize,
    /// For a bucket named in an ARN with a key part (`${Bucket.Arn}/thumbs/*`): that part.
    pub keys: Option<String>,
}

/// What a value names: resources, and whether it also holds a wildcard that names none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Resolved {
    /// The resources named, each once, in the order found.
    pub hits: Vec<Hit>,
    /// A `*` (or an ARN with one) that matched no resource by name: the AWS service of the
    /// ARN (`sqs`), or `*` for a bare `*`.
    pub wildcard: Option<String>,
}

impl Resolved {
    fn add(&mut self, resource: usize, keys: Option<String>) {
        if !self.hits.iter().any(|h| h.resource == resource) {
            self.hits.push(Hit { resource, keys });
        }
    }
}

/// The template's resources by logical id and by name.
pub(super) struct Index<'a> {
    /// Every resource, in template order.
    pub resources: Vec<Resource<'a>>,
    by_id: HashMap<&'a str, usize>,
    parameters: HashMap<&'a str, Option<&'a str>>,
    names: Vec<(Name, usize)>,
}

/// The property that holds a resource's name, by type.
fn name_property(ty: &str) -> Option<&'static str> {
    Some(match ty {
        "AWS::S3::Bucket" => "BucketName",
        "AWS::SQS::Queue" => "QueueName",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" | "AWS::Serverless::SimpleTable" => {
            "TableName"
        }
        "AWS::Serverless::Function" | "AWS::Lambda::Function" => "FunctionName",
        "AWS::Kinesis::Stream" | "AWS::Events::EventBus" | "AWS::Serverless::StateMachine" => {
            "Name"
        }
        "AWS::KinesisFirehose::DeliveryStream" => "DeliveryStreamName",
        "AWS::StepFunctions::StateMachine" => "StateMachineName",
        "AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster" => "ClusterName",
        "AWS::IAM::Role" => "RoleName",
        _ => return None,
    })
}

static EMPTY: std::sync::LazyLock<Map<String, Value>> = std::sync::LazyLock::new(Map::new);

impl<'a> Index<'a> {
    /// Indexes `Resources` (a map already checked) and `Parameters`.
    pub fn new(resources: &'a Map<String, Value>, parameters: Option<&'a Value>) -> Index<'a> {
        let mut index = Index {
            resources: Vec::with_capacity(resources.len()),
            by_id: HashMap::with_capacity(resources.len()),
            parameters: HashMap::new(),
            names: Vec::new(),
        };
        if let Some(Value::Object(parameters)) = parameters {
            for (name, parameter) in parameters {
                let default = parameter.get("Default").and_then(Value::as_str);
                index.parameters.insert(name.as_str(), default);
            }
        }
        for (id, resource) in resources {
            let ty = resource.get("Type").and_then(Value::as_str).unwrap_or("");
            let props = match resource.get("Properties") {
                Some(Value::Object(props)) => props,
                _ => &EMPTY,
            };
            let at = index.resources.len();
            index.resources.push(Resource { id, ty, props });
            index.by_id.insert(id.as_str(), at);
            let Some(name) = name_property(ty).and_then(|key| props.get(key)) else {
                continue;
            };
            match name {
                Value::String(text) => index.names.push((Name::Literal(text.clone()), at)),
                Value::Object(map) => {
                    if let Some(Value::String(parameter)) = map.get("Ref") {
                        index.names.push((Name::Parameter(parameter.clone()), at));
                        if let Some(Some(default)) = index.parameters.get(parameter.as_str()) {
                            index.names.push((Name::Literal((*default).to_owned()), at));
                        }
                    } else if let Some(Value::String(text)) = map.get("Fn::Sub") {
                        if text.contains("${") {
                            index.names.push((Name::Sub(text.clone()), at));
                        } else {
                            index.names.push((Name::Literal(text.clone()), at));
                        }
                    }
                }
                _ => {}
            }
        }
        index
    }

    /// The resource with this logical id.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    /// True when `name` is a template parameter.
    pub fn is_parameter(&self, name: &str) -> bool {
        self.parameters.contains_key(name)
    }

    /// Everything `value` names, looking through intrinsics, lists and objects.
    pub fn resolve(&self, value: &Value) -> Resolved {
        let mut out = Resolved::default();
        self.walk(value, &mut out, 0);
        out
    }

    fn walk(&self, value: &Value, out: &mut Resolved, depth: usize) {
        // Templates are depth-limited when parsed; this guards callers that build values.
        if depth > 64 {
            return;
        }
        match value {
            Value::String(text) => self.literal(text, out),
            Value::Array(items) => {
                for item in items {
                    self.walk(item, out, depth + 1);
                }
            }
            Value::Object(map) => {
                if map.len() == 1
                    && let Some((key, inner)) = map.iter().next()
                {
                    match (key.as_str(), inner) {
                        ("Ref", Value::String(name)) => return self.reference(name, out),
                        ("Fn::GetAtt", Value::Array(parts)) => {
                            if let Some(Value::String(id)) = parts.first()
                                && let Some(at) = self.find(id)
                            {
                                out.add(at, None);
                            }
                            return;
                        }
                        ("Fn::GetAtt", Value::String(text)) => {
                            let id = text.split('.').next().unwrap_or("");
                            if let Some(at) = self.find(id) {
                                out.add(at, None);
                            }
                            return;
                        }
                        ("Fn::Sub", Value::String(text)) => return self.sub(text, None, out),
                        ("Fn::Sub", Value::Array(parts)) => {
                            if let Some(Value::String(text)) = parts.first() {
                                let vars = parts.get(1).and_then(Value::as_object);
                                self.sub(text, vars, out);
                            }
                            return;
                        }
                        ("Fn::ImportValue" | "Fn::FindInMap" | "Fn::GetAZs" | "Condition", _) => {
                            return;
                        }
                        _ => {}
                    }
                }
                for inner in map.values() {
                    self.walk(inner, out, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// `!Ref name`: a resource, or a parameter that a resource's name also uses.
    fn reference(&self, name: &str, out: &mut Resolved) {
        if let Some(at) = self.find(name) {
            out.add(at, None);
            return;
        }
        for (key, at) in &self.names {
            if matches!(key, Name::Parameter(p) if p == name) {
                out.add(*at, None);
            }
        }
    }

    /// `!Sub text`: each `${Name}` or `${Name.Attr}`, the variables given, and resource names
    /// written in the text.
    fn sub(&self, text: &str, vars: Option<&Map<String, Value>>, out: &mut Resolved) {
        let mut rest = text;
        let mut literal = String::with_capacity(text.len());
        while let Some(start) = rest.find("${") {
            literal.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                literal.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let token = &after[..end];
            let tail = &after[end + 1..];
            // `${!Literal}` is an escaped `${`.
            if let Some(escaped) = token.strip_prefix('!') {
                literal.push_str("${");
                literal.push_str(escaped);
                literal.push('}');
            } else if let Some(var) = vars.and_then(|v| v.get(token)) {
                self.walk(var, out, 1);
                literal.push('\u{1}');
            } else {
                let name = token.split('.').next().unwrap_or(token);
                if let Some(at) = self.find(name) {
                    out.add(at, key_part(tail));
                } else if self.is_parameter(name) {
                    self.reference(name, out);
                }
                // A placeholder that no literal name can span.
                literal.push('\u{1}');
            }
            rest = tail;
        }
        literal.push_str(rest);
        for (key, at) in &self.names {
            if let Name::Sub(name) = key
                && text.contains(name.as_str())
            {
                out.add(*at, None);
            }
        }
        self.literal(&literal, out);
    }

    /// A literal string: resource names written in it, or a wildcard.
    fn literal(&self, text: &str, out: &mut Resolved) {
        let mut found = false;
        for (key, at) in &self.names {
            if let Name::Literal(name) = key
                && let Some(keys) = names_in(text, name)
            {
                out.add(*at, keys);
                found = true;
            }
        }
        if !found && text.contains('*') && out.wildcard.is_none() {
            let service = if text == "*" {
                "*".to_owned()
            } else {
                text.split(':').nth(2).unwrap_or("*").to_owned()
            };
            out.wildcard = Some(service);
        }
    }
}

/// The key part after a bucket in an ARN's tail: `/thumbs/*` gives `thumbs/*`.
fn key_part(tail: &str) -> Option<String> {
    let keys = tail.strip_prefix('/')?;
    let end = keys.find(['"', '\'', ',', ' ']).unwrap_or(keys.len());
    Some(keys[..end].to_owned())
}

/// Whether `text` names `name` as a whole word of an ARN or as itself; `Some(keys)` when it
/// does, with the key part after it (for a bucket's objects).
fn names_in(text: &str, name: &str) -> Option<Option<String>> {
    // Too short a name would match by accident inside other words.
    if name.len() < 3 {
        return (text == name).then_some(None);
    }
    let mut from = 0;
    while let Some(found) = text[from..].find(name) {
        let start = from + found;
        let end = start + name.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let starts = matches!(before, None | Some(':' | '/' | '"' | '\u{1}'));
        let ends = matches!(after, None | Some(':' | '/' | '"' | '\u{1}'));
        if starts && ends {
            return Some(key_part(&text[end..]));
        }
        from = start + 1;
        while !text.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template() -> Value {
        json!({
            "Parameters": {"UploadBucketName": {"Type": "String", "Default": "uploads-prod"}},
            "Resources": {
                "Uploads": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Ref": "UploadBucketName"}}},
                "Orders": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${AWS::StackName}-orders"}}},
                "Events": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "order-events"}},
                "Worker": {"Type": "AWS::Serverless::Function"}
            }
        })
    }

    fn ids(index: &Index, value: Value) -> (Vec<String>, Option<String>) {
        let resolved = index.resolve(&value);
        let ids = resolved
            .hits
            .iter()
            .map(|h| {
                let id = index.resources[h.resource].id.to_owned();
                match &h.keys {
                    Some(keys) => format!("{id}[{keys}]"),
                    None => id,
                }
            })
            .collect();
        (ids, resolved.wildcard)
    }

    #[test]
    fn references_resolve_by_id_name_parameter_and_sub() {
        let doc = template();
        let resources = doc["Resources"].as_object().unwrap();
        let index = Index::new(resources, doc.get("Parameters"));
        assert_eq!(ids(&index, json!({"Ref": "Worker"})).0, ["Worker"]);
        assert_eq!(
            ids(&index, json!({"Fn::GetAtt": ["Orders", "Arn"]})).0,
            ["Orders"]
        );
        assert_eq!(
            ids(&index, json!({"Ref": "UploadBucketName"})).0,
            ["Uploads"]
        );
        assert_eq!(
            ids(&index, json!("arn:aws:s3:::uploads-prod/thumbs/*")).0,
            ["Uploads[thumbs/*]"]
        );
        assert_eq!(
            ids(&index, json!({"Fn::Sub": "${Uploads.Arn}/out/*"})).0,
            ["Uploads[out/*]"]
        );
        assert_eq!(
            ids(
                &index,
                json!({"Fn::Sub": "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${AWS::StackName}-orders"})
            )
            .0,
            ["Orders"]
        );
        assert_eq!(
            ids(
                &index,
                json!("arn:aws:sns:us-east-1:123456789012:order-events")
            )
            .0,
            ["Events"]
        );
        // A name inside another word is not a reference.
        assert!(
            ids(&index, json!("arn:aws:sns:us-east-1:1:order-events-old"))
                .0
                .is_empty()
        );
        assert_eq!(ids(&index, json!("*")).1.as_deref(), Some("*"));
        assert_eq!(
            ids(&index, json!("arn:aws:sqs:*:*:*")).1.as_deref(),
            Some("sqs")
        );
    }
}
