//! A service's `properties`: settings such as a function's runtime or a queue's receive count.
//!
//! Known keys are typed per kind and checked on load and on edit; any other key is kept as it
//! is, so the settings of an imported template survive a save.

use serde_json::Value;

use super::ServiceKind;

/// Properties as a JSON object, in file order.
pub type PropertyMap = serde_json::Map<String, Value>;

/// A service's settings, in file order.
///
/// Held as compact JSON text rather than a map: a map of four settings costs about 700 bytes of
/// heap (an index table, 64-byte entries, a block per string), the text about 110, and a design
/// of a million services holds a million of them while only the inspector, the validator and
/// the exporters ever look inside. [`Properties::to_map`] and [`Properties::from_map`] convert.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Properties(Option<Box<str>>);

impl Properties {
    /// No settings.
    pub fn new() -> Properties {
        Properties(None)
    }

    /// True when there are no settings.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The settings of a map (kept in its order).
    pub fn from_map(map: &PropertyMap) -> Properties {
        if map.is_empty() {
            return Properties(None);
        }
        // A map of JSON values always serializes.
        Properties(serde_json::to_string(map).ok().map(String::into_boxed_str))
    }

    /// The settings as a map.
    pub fn to_map(&self) -> PropertyMap {
        self.0
            .as_deref()
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default()
    }

    /// One setting.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.to_map().remove(key)
    }

    /// Sets one setting (at the end when it is new, in place otherwise).
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let mut map = self.to_map();
        map.insert(key.into(), value);
        *self = Properties::from_map(&map);
    }

    /// Removes one setting; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let mut map = self.to_map();
        let old = map.shift_remove(key);
        *self = Properties::from_map(&map);
        old
    }

    /// The compact JSON text (`None` when empty).
    pub fn as_json(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl std::fmt::Debug for Properties {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.as_deref().unwrap_or("{}"))
    }
}

impl serde::Serialize for Properties {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_map().serialize(serializer)
    }
}

/// The type a known property takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyType {
    /// A string.
    Text,
    /// A whole number within `min..=max`.
    Integer {
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// `true` or `false`.
    Flag,
}

/// A property a kind knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownProperty {
    /// Its key in `properties`.
    pub key: &'static str,
    /// What it holds.
    pub ty: PropertyType,
    /// One line for the inspector and the schema.
    pub doc: &'static str,
}

const fn text(key: &'static str, doc: &'static str) -> KnownProperty {
    KnownProperty {
        key,
        ty: PropertyType::Text,
        doc,
    }
}

const fn integer(key: &'static str, min: i64, max: i64, doc: &'static str) -> KnownProperty {
    KnownProperty {
        key,
        ty: PropertyType::Integer { min, max },
        doc,
    }
}

const fn flag(key: &'static str, doc: &'static str) -> KnownProperty {
    KnownProperty {
        key,
        ty: PropertyType::Flag,
        doc,
    }
}

const FUNCTION: &[KnownProperty] = &[
    text(
        "runtime",
        "language runtime, such as python3.12 or nodejs20.x",
    ),
    text("handler", "entry point, such as app.handler"),
    text("code_uri", "folder or archive of the code"),
    integer("memory_mb", 128, 10_240, "memory in MB (128 to 10240)"),
    integer(
        "timeout_s",
        1,
        900,
        "time limit of one invocation in seconds (1 to 900)",
    ),
];
const QUEUE: &[KnownProperty] = &[
    integer(
        "visibility_timeout_s",
        0,
        43_200,
        "seconds a received message stays hidden (0 to 43200)",
    ),
    integer(
        "max_receive_count",
        1,
        1_000,
        "receives before a message goes to the dead-letter queue (1 to 1000)",
    ),
    flag("fifo", "first-in-first-out queue"),
];
const TABLE: &[KnownProperty] = &[
    text("key", "the field items are keyed by"),
    text("sort_key", "the field items are sorted by within a key"),
];
const TOPIC: &[KnownProperty] = &[flag("fifo", "first-in-first-out topic")];
const BUCKET: &[KnownProperty] = &[flag("versioned", "keeps every version of an object")];
const STATE_MACHINE: &[KnownProperty] = &[text("type", "STANDARD or EXPRESS")];
const STREAM: &[KnownProperty] = &[
    text("partition_key", "the payload field that orders records"),
    integer("shards", 1, 10_000, "number of shards (1 to 10000)"),
];
const SCHEDULE: &[KnownProperty] = &[text(
    "expression",
    "when it fires, such as rate(5 minutes) or cron(0 12 * * ? *)",
)];

/// The properties a kind knows, with their types.
pub fn known(kind: ServiceKind) -> &'static [KnownProperty] {
    match kind {
        ServiceKind::Function => FUNCTION,
        ServiceKind::Queue => QUEUE,
        ServiceKind::Table => TABLE,
        ServiceKind::Topic => TOPIC,
        ServiceKind::Bucket => BUCKET,
        ServiceKind::StateMachine => STATE_MACHINE,
        ServiceKind::Stream => STREAM,
        ServiceKind::Schedule => SCHEDULE,
        ServiceKind::Gateway | ServiceKind::Bus => &[],
    }
}

/// A known property with a value of the wrong type or out of range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyProblem {
    /// The property's key.
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// Checks every known key of `properties` for a service of `kind`; unknown keys pass.
pub fn check(kind: ServiceKind, properties: &PropertyMap) -> Vec<PropertyProblem> {
    let mut problems = Vec::new();
    for property in known(kind) {
        let Some(value) = properties.get(property.key) else {
            continue;
        };
        if let Err((message, hint)) = check_value(property, value) {
            problems.push(PropertyProblem {
                key: property.key.to_owned(),
                message,
                hint,
            });
        }
    }
    problems
}

/// Checks one value against a known property.
pub fn check_value(property: &KnownProperty, value: &Value) -> Result<(), (String, String)> {
    let found = type_name(value);
    match property.ty {
        PropertyType::Text if value.is_string() => Ok(()),
        PropertyType::Text => Err((
            format!("expected a string, found {found}"),
            format!("{}: write it in double quotes", property.doc),
        )),
        PropertyType::Flag if value.is_boolean() => Ok(()),
        PropertyType::Flag => Err((
            format!("expected true or false, found {found}"),
            property.doc.to_owned(),
        )),
        PropertyType::Integer { min, max } => match value.as_i64() {
            Some(n) if (min..=max).contains(&n) => Ok(()),
            Some(n) => Err((format!("{n} is out of range"), property.doc.to_owned())),
            None => Err((
                format!("expected a whole number, found {found}"),
                property.doc.to_owned(),
            )),
        },
    }
}

pub use crate::diagnostics::json_type as type_name;

/// A value as an editor shows it: a string as it is, anything else as compact JSON.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Reads what was typed into a property's field. `None` (an empty field) removes the key.
///
/// A known text property takes the text as it is; a known integer must be a whole number (its
/// range is checked by [`check`] when the edit is applied). Any other key takes JSON when the
/// text is JSON (`5`, `true`, `{"a": 1}`, `"5"`) and the text as a string otherwise.
pub fn parse_text(known: Option<&KnownProperty>, text: &str) -> Result<Option<Value>, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    match known.map(|k| (k.key, k.ty)) {
        Some((_, PropertyType::Text)) => Ok(Some(Value::String(trimmed.to_owned()))),
        Some((key, PropertyType::Integer { min, max })) => match trimmed.parse::<i64>() {
            Ok(n) => Ok(Some(Value::from(n))),
            Err(_) => Err(format!(
                "{key}: \"{trimmed}\" is not a whole number; type one from {min} to {max}"
            )),
        },
        Some((key, PropertyType::Flag)) => match trimmed {
            "true" => Ok(Some(Value::Bool(true))),
            "false" => Ok(Some(Value::Bool(false))),
            _ => Err(format!("{key}: type true or false")),
        },
        None => Ok(Some(
            serde_json::from_str(trimmed).unwrap_or_else(|_| Value::String(trimmed.to_owned())),
        )),
    }
}

/// The known property of a kind with this key.
pub fn known_property(kind: ServiceKind, key: &str) -> Option<&'static KnownProperty> {
    known(kind).iter().find(|p| p.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(value: Value) -> PropertyMap {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn known_keys_are_typed_and_unknown_keys_pass() {
        let good = props(json!({"runtime": "python3.12", "memory_mb": 512, "Tracing": "Active"}));
        assert!(check(ServiceKind::Function, &good).is_empty());
        let bad = props(json!({"memory_mb": "lots", "timeout_s": 5000}));
        let problems = check(ServiceKind::Function, &bad);
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["memory_mb", "timeout_s"]);
        assert!(problems[0].message.contains("a string"), "{problems:?}");
        assert!(problems[1].message.contains("out of range"), "{problems:?}");
    }

    #[test]
    fn the_compact_text_keeps_order_and_values() {
        let map = props(json!({"z": 1, "a": {"b": [true, null, "x"]}, "m": "é"}));
        let compact = Properties::from_map(&map);
        assert_eq!(
            compact.as_json(),
            Some(r#"{"z":1,"a":{"b":[true,null,"x"]},"m":"é"}"#)
        );
        assert_eq!(compact.to_map(), map);
        let mut edited = compact.clone();
        edited.insert("a", json!(2));
        edited.insert("n", json!(3));
        assert_eq!(edited.as_json(), Some(r#"{"z":1,"a":2,"m":"é","n":3}"#));
        assert_eq!(edited.remove("z"), Some(json!(1)));
        assert!(Properties::from_map(&PropertyMap::new()).is_empty());
    }

    #[test]
    fn a_key_is_only_known_to_its_kind() {
        // A table's `fifo` is nobody's business: kept, not checked.
        let value = props(json!({"fifo": "yes"}));
        assert!(check(ServiceKind::Table, &value).is_empty());
        assert_eq!(check(ServiceKind::Queue, &value).len(), 1);
    }

    #[test]
    fn typed_text_becomes_the_value_its_key_expects() {
        let memory = known_property(ServiceKind::Function, "memory_mb");
        assert_eq!(parse_text(memory, " 512 "), Ok(Some(json!(512))));
        let error = parse_text(memory, "lots").unwrap_err();
        assert!(
            error.contains("memory_mb") && error.contains("128"),
            "{error}"
        );
        assert_eq!(parse_text(memory, "  "), Ok(None));
        let runtime = known_property(ServiceKind::Function, "runtime");
        assert_eq!(parse_text(runtime, "42"), Ok(Some(json!("42"))));
        let fifo = known_property(ServiceKind::Queue, "fifo");
        assert_eq!(parse_text(fifo, "true"), Ok(Some(json!(true))));
        assert!(parse_text(fifo, "yes").is_err());
        assert_eq!(parse_text(None, "5"), Ok(Some(json!(5))));
        assert_eq!(parse_text(None, "\"5\""), Ok(Some(json!("5"))));
        assert_eq!(parse_text(None, "Active"), Ok(Some(json!("Active"))));
        assert_eq!(
            parse_text(None, r#"{"a": [1]}"#),
            Ok(Some(json!({"a": [1]})))
        );
        assert_eq!(value_text(&json!("Active")), "Active");
        assert_eq!(value_text(&json!({"a": 1})), r#"{"a":1}"#);
    }
}
