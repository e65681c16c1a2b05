//! Template JSON (intrinsics in long form) to YAML text with CloudFormation's short-form tags.
//!
//! saphyr (maintained, YAML 1.2) emits tagged nodes, so the template is turned into its
//! [`Yaml`] tree with single-key intrinsic maps as `!Ref X`, `!GetAtt X.Arn`, `!Sub '..'` and
//! written by saphyr's emitter: no hand-written quoting rules.

use std::borrow::Cow;

use saphyr::{Mapping, Scalar, ScalarStyle, Tag, Yaml, YamlEmitter};
use serde_json::Value;

/// The intrinsic functions that have a YAML short form, long name to tag.
const SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("Fn::Base64", "Base64"),
    ("Fn::Cidr", "Cidr"),
    ("Fn::FindInMap", "FindInMap"),
    ("Fn::GetAtt", "GetAtt"),
    ("Fn::GetAZs", "GetAZs"),
    ("Fn::ImportValue", "ImportValue"),
    ("Fn::Join", "Join"),
    ("Fn::Select", "Select"),
    ("Fn::Split", "Split"),
    ("Fn::Sub", "Sub"),
    ("Fn::If", "If"),
    ("Fn::Equals", "Equals"),
    ("Fn::Not", "Not"),
    ("Fn::And", "And"),
    ("Fn::Or", "Or"),
];

/// The template as YAML text, ending in a newline.
pub fn to_yaml(document: &Value) -> String {
    let tree = node(document);
    let mut text = String::new();
    let mut emitter = YamlEmitter::new(&mut text);
    emitter.multiline(true);
    // Writing into a String cannot fail.
    let _ = emitter.dump(&tree);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// True for a string that a YAML 1.1 reader (PyYAML, which cfn-lint and the SAM CLI use) would
/// take for a date or a number (`2010-09-09`, `0x1F`, `1_000`, `.inf`), though YAML 1.2 does
/// not: saphyr writes it plain, so it is double-quoted here. Such strings hold only digits
/// and number punctuation, so quoting needs no escapes.
fn implicit_in_yaml_1_1(text: &str) -> bool {
    let special = [".inf", ".nan", "-.inf", "+.inf"];
    if special.iter().any(|s| text.eq_ignore_ascii_case(s)) {
        return true;
    }
    let unsigned = text.trim_start_matches(['+', '-']);
    let radix = ["0x", "0X", "0o", "0b"]
        .iter()
        .find_map(|prefix| unsigned.strip_prefix(prefix));
    match radix {
        Some(digits) => {
            !digits.is_empty()
                && digits
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        }
        None => {
            text.bytes().any(|b| b.is_ascii_digit())
                && text
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b"-_.:+eE".contains(&b))
        }
    }
}

/// A string scalar (a value or a key), quoted where a YAML 1.1 reader would misread it.
fn string(text: &str) -> Yaml<'static> {
    if implicit_in_yaml_1_1(text) {
        Yaml::Representation(Cow::Owned(text.to_owned()), ScalarStyle::DoubleQuoted, None)
    } else {
        Yaml::Value(Scalar::String(Cow::Owned(text.to_owned())))
    }
}

fn node(value: &Value) -> Yaml<'static> {
    match value {
        Value::Null => Yaml::Value(Scalar::Null),
        Value::Bool(b) => Yaml::Value(Scalar::Boolean(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Yaml::Value(Scalar::Integer(i)),
            // u64 beyond i64 and fractions: written as they are in JSON, a plain scalar.
            None if n.is_u64() => Yaml::Value(Scalar::String(Cow::Owned(n.to_string()))),
            None => Yaml::Value(Scalar::FloatingPoint(n.as_f64().unwrap_or(0.0).into())),
        },
        Value::String(s) => string(s),
        Value::Array(items) => Yaml::Sequence(items.iter().map(node).collect()),
        Value::Object(map) => {
            if let Some(tagged) = short_form(map) {
                return tagged;
            }
            let mut out = Mapping::new();
            for (key, value) in map {
                out.insert(string(key), node(value));
            }
            Yaml::Mapping(out)
        }
    }
}

/// `{"Ref": "X"}` as `!Ref X` and the like; None when the map is not a single intrinsic.
fn short_form(map: &serde_json::Map<String, Value>) -> Option<Yaml<'static>> {
    if map.len() != 1 {
        return None;
    }
    let (key, value) = map.iter().next()?;
    let &(_, tag) = SHORT_FORMS.iter().find(|(long, _)| long == key)?;
    // `Condition` is an intrinsic only with a name; elsewhere it is a key (a policy's).
    if tag == "Condition" && !value.is_string() {
        return None;
    }
    let inner = match (tag, value) {
        // `!GetAtt X.Arn` is the short form everybody writes; a computed attribute stays a list.
        ("GetAtt", Value::Array(parts))
            if parts.len() == 2 && parts.iter().all(Value::is_string) =>
        {
            let resource = parts[0].as_str().unwrap_or_default();
            let attribute = parts[1].as_str().unwrap_or_default();
            Yaml::Value(Scalar::String(Cow::Owned(format!(
                "{resource}.{attribute}"
            ))))
        }
        _ => node(value),
    };
    let tag = Tag {
        handle: "!".to_owned(),
        suffix: tag.to_owned(),
    };
    Some(Yaml::Tagged(Cow::Owned(tag), Box::new(inner)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use saphyr::LoadableYamlNode;
    use serde_json::json;

    /// Reads YAML back to JSON, turning tags into long-form intrinsics (the way CloudFormation
    /// reads them), so the written text can be compared structurally.
    pub(crate) fn read_back(text: &str) -> Value {
        let docs = Yaml::load_from_str(text).expect("valid YAML");
        assert_eq!(docs.len(), 1, "one document");
        to_json(&docs[0])
    }

    fn to_json(yaml: &Yaml) -> Value {
        match yaml {
            Yaml::Value(Scalar::Null) => Value::Null,
            Yaml::Value(Scalar::Boolean(b)) => json!(b),
            Yaml::Value(Scalar::Integer(i)) => json!(i),
            Yaml::Value(Scalar::FloatingPoint(f)) => json!(f.into_inner()),
            Yaml::Value(Scalar::String(s)) => json!(s),
            Yaml::Sequence(items) => Value::Array(items.iter().map(to_json).collect()),
            Yaml::Mapping(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.as_str().expect("string key").to_owned(), to_json(v)))
                    .collect(),
            ),
            Yaml::Tagged(tag, inner) => {
                let long = SHORT_FORMS
                    .iter()
                    .find(|(_, short)| *short == tag.suffix)
                    .map(|(long, _)| *long)
                    .expect("a known tag");
                let inner = to_json(inner);
                let inner = match (long, inner) {
                    ("Fn::GetAtt", Value::String(s)) => {
                        let (resource, attribute) = s.split_once('.').expect("X.Attr");
                        json!([resource, attribute])
                    }
                    (_, other) => other,
                };
                json!({ long: inner })
            }
            other => panic!("unexpected node {other:?}"),
        }
    }

    #[test]
    fn intrinsics_are_written_as_short_tags_and_read_back_the_same() {
        let document = json!({
            "Resources": {
                "Fn": {
                    "Type": "AWS::Serverless::Function",
                    "Properties": {
                        "FunctionName": {"Fn::Sub": "${AWS::StackName}-register"},
                        "Role": {"Fn::GetAtt": ["Role", "Arn"]},
                        "Layers": [{"Ref": "Layer"}],
                        "Env": {"Fn::If": ["IsProd", {"Ref": "A"}, {"Fn::Join": ["", ["a", {"Ref": "B"}]]}]},
                        "Sub2": {"Fn::Sub": ["${X}-y", {"X": {"Ref": "Z"}}]},
                        "Cond": {"Fn::And": [{"Condition": "C1"}, {"Fn::Not": [{"Condition": "C2"}]}]},
                        "Statement": {"Condition": {"StringEquals": {"a": "b"}}},
                        "Strings": ["true", "123", "2024-01-01", "", " x", "a: b", "#c", "null", "*",
                                    "0x1F", "1_000", ".inf", "12:30", "abc1"],
                        "Numbers": [1, -2, 2.5, 18446744073709551615u64],
                        "Multi": "line one\nline two\n",
                        "Nothing": null,
                        "Empty": {},
                        "EmptyList": []
                    }
                }
            }
        });
        let text = to_yaml(&document);
        assert!(
            text.contains("!Sub \"${AWS::StackName}-register\"")
                || text.contains("!Sub ${AWS::StackName}-register"),
            "{text}"
        );
        assert!(text.contains("!GetAtt Role.Arn"), "{text}");
        assert!(text.contains("- !Ref Layer"), "{text}");
        assert!(text.contains("!If"), "{text}");
        for quoted in [
            "\"2024-01-01\"",
            "\"0x1F\"",
            "\"1_000\"",
            "\".inf\"",
            "\"12:30\"",
        ] {
            assert!(text.contains(quoted), "{quoted} in {text}");
        }
        assert!(text.contains("- abc1"), "{text}");
        assert!(!text.contains("Fn::"), "{text}");
        let mut expected = document.clone();
        // The huge number is written as digits, read back as a string: CloudFormation takes
        // numbers as strings anyway.
        expected["Resources"]["Fn"]["Properties"]["Numbers"][3] = json!("18446744073709551615");
        assert_eq!(read_back(&text), expected, "{text}");
    }

    #[test]
    fn keys_that_look_like_numbers_or_dates_stay_strings() {
        let document =
            json!({"Mappings": {"Accounts": {"123456789012": {"Env": "prod"}, "2024-01-01": 1}}});
        let text = to_yaml(&document);
        assert!(text.contains("\"123456789012\":"), "{text}");
        assert!(text.contains("\"2024-01-01\":"), "{text}");
        assert_eq!(read_back(&text), document);
    }

    #[test]
    fn a_map_of_two_keys_is_not_an_intrinsic() {
        let document = json!({"A": {"Ref": "X", "Other": 1}, "B": {"Fn::Unknown": "x"}});
        let text = to_yaml(&document);
        assert!(!text.contains('!'), "{text}");
        assert_eq!(read_back(&text), document);
    }
}
