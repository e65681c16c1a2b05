//! The in-memory store: one table of JSON items per `table` service, keyed by a primary key.
//!
//! Items are kept in key order (a `BTreeMap`), so a scan, the CLI's `store` output and the GUI's
//! inspector list them the same way on every run. Every operation is O(log n).

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    /// The item was written.
    Written,
    /// `put_if_absent` found an item with that key and left it alone.
    AlreadyExists,
    /// `update` or `delete` found no item with that key.
    NotFound,
}

/// One table: JSON objects keyed by the string value of their primary key field.
///
/// Items are shared (`Arc`): a read hands the same item to the response and to the events it
/// publishes without copying it; a write to a shared item copies it first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The item field that is the primary key.
    pub key_field: String,
    /// Always `Value::Object`s.
    items: BTreeMap<String, Arc<Value>>,
}

impl Table {
    /// An empty table keyed by `key_field`.
    pub fn new(key_field: impl Into<String>) -> Table {
        Table {
            key_field: key_field.into(),
            items: BTreeMap::new(),
        }
    }

    /// The primary key of an item: its key field as a string (numbers are written out), or
    /// `None` when the field is missing or not a string or number.
    pub fn key_of(&self, item: &Map<String, Value>) -> Option<String> {
        key_text(item.get(&self.key_field)?)
    }

    /// Stores `item` unless its key is taken. O(log n).
    pub fn put_if_absent(&mut self, key: String, item: Map<String, Value>) -> WriteOutcome {
        match self.items.entry(key) {
            std::collections::btree_map::Entry::Occupied(_) => WriteOutcome::AlreadyExists,
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(Arc::new(Value::Object(item)));
                WriteOutcome::Written
            }
        }
    }

    /// Stores `item`, replacing any item with the same key. O(log n).
    pub fn put(&mut self, key: String, item: Map<String, Value>) -> WriteOutcome {
        self.put_shared(key, Arc::new(Value::Object(item)))
    }

    /// Stores a shared item (it must be an object; anything else is refused as `NotFound`).
    /// O(log n).
    pub fn put_shared(&mut self, key: String, item: Arc<Value>) -> WriteOutcome {
        if !item.is_object() {
            return WriteOutcome::NotFound;
        }
        self.items.insert(key, item);
        WriteOutcome::Written
    }

    /// The item with this key. O(log n).
    pub fn get(&self, key: &str) -> Option<&Map<String, Value>> {
        self.items.get(key).and_then(|item| item.as_object())
    }

    /// The item with this key, shared. O(log n).
    pub fn get_shared(&self, key: &str) -> Option<&Arc<Value>> {
        self.items.get(key)
    }

    /// Merges `fields` into the item with this key. O(log n + fields).
    pub fn update(&mut self, key: &str, fields: Map<String, Value>) -> WriteOutcome {
        match self
            .items
            .get_mut(key)
            .and_then(|item| Arc::make_mut(item).as_object_mut())
        {
            Some(item) => {
                item.extend(fields);
                WriteOutcome::Written
            }
            None => WriteOutcome::NotFound,
        }
    }

    /// Removes the item with this key. O(log n).
    pub fn delete(&mut self, key: &str) -> WriteOutcome {
        match self.items.remove(key) {
            Some(_) => WriteOutcome::Written,
            None => WriteOutcome::NotFound,
        }
    }

    /// Every item in key order.
    pub fn scan(&self) -> impl Iterator<Item = &Map<String, Value>> {
        self.items.values().filter_map(|item| item.as_object())
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when the table holds no item.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// A key value as text: strings as they are, numbers written out.
pub(crate) fn key_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Every table of a simulation, by table service id, in id order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Store {
    /// The tables by service id.
    pub tables: BTreeMap<String, Table>,
}

impl Store {
    /// The table of a service, if it is one.
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.get(id)
    }

    /// The whole store as JSON: `{"TABLE": [items in key order]}`.
    pub fn to_json(&self) -> Value {
        Value::Object(
            self.tables
                .iter()
                .map(|(id, table)| {
                    let items = table.scan().map(|item| Value::Object(item.clone()));
                    (id.clone(), Value::Array(items.collect()))
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn crud_and_scan_in_key_order() {
        let mut table = Table::new("name");
        let bob = item(json!({"name": "bob", "n": 1}));
        let key = table.key_of(&bob).unwrap();
        assert_eq!(table.put_if_absent(key, bob), WriteOutcome::Written);
        let again = item(json!({"name": "bob", "n": 2}));
        assert_eq!(
            table.put_if_absent("bob".into(), again),
            WriteOutcome::AlreadyExists
        );
        table.put("alice".into(), item(json!({"name": "alice"})));
        assert_eq!(table.get("bob").unwrap()["n"], 1);
        let names: Vec<&Value> = table.scan().map(|i| &i["name"]).collect();
        assert_eq!(names, [&json!("alice"), &json!("bob")]);
        assert_eq!(
            table.update("bob", item(json!({"n": 3}))),
            WriteOutcome::Written
        );
        assert_eq!(table.get("bob").unwrap()["n"], 3);
        assert_eq!(table.update("carol", Map::new()), WriteOutcome::NotFound);
        assert_eq!(table.delete("bob"), WriteOutcome::Written);
        assert_eq!(table.delete("bob"), WriteOutcome::NotFound);
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn keys_are_strings_or_numbers() {
        let table = Table::new("id");
        assert_eq!(table.key_of(&item(json!({"id": 7}))), Some("7".into()));
        assert_eq!(table.key_of(&item(json!({"id": ""}))), None);
        assert_eq!(table.key_of(&item(json!({"id": [1]}))), None);
        assert_eq!(table.key_of(&item(json!({}))), None);
    }
}
