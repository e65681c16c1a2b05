//! The general reader: serde visitors that validate while they parse and record every problem
//! with its JSON path, interning ids and event names through the [`Loader`] as they go. Also the
//! checks of single values that the fast reader shares.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::intern::Span;
use super::{Item, Loader, cut};
use crate::io::Problem;
use crate::io::format::{EDGE_FIELDS, SERVICE_FIELDS, TEMPLATE_FIELDS, TOP_FIELDS};
use crate::io::strict::StrictValue;
use crate::model::{
    Behavior, CURRENT_VERSION, EdgeFilter, EdgeMode, Position, Properties, Route, Service,
    ServiceKind, TemplateSource,
};

/// A JSON value reduced to what validation needs, borrowing strings where it can.
enum Scalar<'de> {
    Str(Cow<'de, str>),
    Number(serde_json::Number),
    Bool,
    Null,
    Array,
    Object,
}

impl Scalar<'_> {
    fn type_name(&self) -> &'static str {
        match self {
            Scalar::Str(_) => "a string",
            Scalar::Number(_) => "a number",
            Scalar::Bool => "a boolean",
            Scalar::Null => "null",
            Scalar::Array => "an array",
            Scalar::Object => "an object",
        }
    }
}

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Number(v.into()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar<'de>, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Scalar::Null, Scalar::Number))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Bool)
    }
    fn visit_unit<E>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Array)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Object)
    }
}

/// A map key, borrowed when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match deserializer.deserialize_str(ScalarVisitor)? {
            Scalar::Str(text) => Ok(Key(text)),
            _ => Err(de::Error::custom("expected a string key")),
        }
    }
}

/// Reads a string field or records a type problem.
fn expect_str<'de>(
    loader: &mut Loader,
    value: Scalar<'de>,
    path: impl FnOnce() -> String,
) -> Option<Cow<'de, str>> {
    match value {
        Scalar::Str(text) => Some(text),
        other => {
            let found = other.type_name();
            loader.problem(
                path(),
                format!("expected a string, found {found}"),
                "write the value in double quotes",
            );
            None
        }
    }
}

/// Checks the `template` an imported design keeps: two objects, `document` and `derived`.
/// Their insides are the template's own business (export reads them leniently).
fn template(loader: &mut Loader, value: serde_json::Value) -> Option<TemplateSource> {
    let serde_json::Value::Object(mut fields) = value else {
        let found = crate::diagnostics::json_type(&value);
        loader.problem(
            "template",
            format!("expected an object, found {found}"),
            "write {\"document\": {..}, \"derived\": {..}}, or remove \"template\" (import writes it)",
        );
        return None;
    };
    let mut problems = 0;
    for key in fields.keys() {
        if !TEMPLATE_FIELDS.contains(&key.as_str()) {
            problems += 1;
            loader.problem(
                format!("template.{}", cut(key)),
                format!("unknown field \"{}\"", cut(key)),
                format!("the template takes {}", TEMPLATE_FIELDS.join(", ")),
            );
        }
    }
    let mut part = |name: &str| match fields.remove(name) {
        Some(value @ serde_json::Value::Object(_)) => Some(value),
        other => {
            let found = other
                .as_ref()
                .map_or("nothing", crate::diagnostics::json_type);
            loader.problem(
                format!("template.{name}"),
                format!("expected an object, found {found}"),
                "import the template again to rebuild it",
            );
            None
        }
    };
    let (document, derived) = (part("document"), part("derived"));
    match (document, derived) {
        (Some(document), Some(derived)) if problems == 0 => {
            Some(TemplateSource { document, derived })
        }
        _ => None,
    }
}

pub(super) struct TopVisitor<'l> {
    pub(super) loader: &'l mut Loader,
}

impl<'de> Visitor<'de> for TopVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a design object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let loader = self.loader;
        let mut seen = Seen::default();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            if seen.repeated(TOP_FIELDS, &key) {
                loader.problem(
                    cut(&key),
                    format!("the field \"{}\" is repeated", cut(&key)),
                    "keep one (a JSON object names each field once)",
                );
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            match &*key {
                "version" => match map.next_value::<Scalar>()? {
                    Scalar::Number(n) if n.as_u64().is_some() => loader.version = n.as_u64(),
                    other => {
                        let found = other.type_name();
                        loader.problem(
                            "version",
                            format!("expected a whole number, found {found}"),
                            format!("write \"version\": {CURRENT_VERSION}"),
                        );
                        loader.version = Some(u64::from(CURRENT_VERSION));
                    }
                },
                "name" => {
                    let value = map.next_value::<Scalar>()?;
                    if let Some(name) = expect_str(loader, value, || "name".to_owned()) {
                        loader.name = name.into_owned();
                    }
                }
                "services" => {
                    loader.saw_services = true;
                    map.next_value_seed(ListSeed {
                        loader,
                        list: List::Services,
                    })?
                }
                "edges" => map.next_value_seed(ListSeed {
                    loader,
                    list: List::Edges,
                })?,
                "intentional_loops" => {
                    loader.newer(|| "intentional_loops".to_owned());
                    let StrictValue(value) = map.next_value()?;
                    match parse_intentional_loops(value) {
                        Ok(loops) => loader.intentional_loops = loops,
                        Err(message) => loader.problem(
                            "intentional_loops",
                            message,
                            "write it as [{\"services\": [\"api\", \"reply\"], \"reason\": \"the reply goes back to the caller\"}]",
                        ),
                    }
                }
                "template" => {
                    let StrictValue(value) = map.next_value()?;
                    loader.newer(|| "template".to_owned());
                    loader.template = template(loader, value);
                }
                other => {
                    loader.problem(
                        cut(other),
                        format!("unknown field \"{}\"", cut(other)),
                        format!("the top level takes {}", TOP_FIELDS.join(", ")),
                    );
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.not_an_object("an array");
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.not_an_object("a string");
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.not_an_object("a number");
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.not_an_object("a number");
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.not_an_object("a number");
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.not_an_object("a boolean");
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.not_an_object("null");
        Ok(())
    }
}

impl TopVisitor<'_> {
    fn not_an_object(self, found: &str) {
        self.loader.version = Some(u64::from(CURRENT_VERSION));
        self.loader.saw_services = true;
        self.loader.problem(
            "$",
            format!("a design file is a JSON object, found {found}"),
            "start from samples/register_login.json or `event-architect schema`",
        );
    }
}

#[derive(Clone, Copy)]
enum List {
    Services,
    Edges,
}

impl List {
    fn name(self) -> &'static str {
        match self {
            List::Services => "services",
            List::Edges => "edges",
        }
    }
}

struct ListSeed<'l> {
    loader: &'l mut Loader,
    list: List,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        loop {
            let seed = ItemSeed {
                loader: &mut *self.loader,
                list: self.list,
                index,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.wrong("an object");
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.wrong("a string");
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.wrong("a number");
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.wrong("a number");
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.wrong("a number");
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.wrong("a boolean");
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.wrong("null");
        Ok(())
    }
}

impl ListSeed<'_> {
    fn wrong(self, found: &str) {
        let name = self.list.name();
        self.loader.problem(
            name,
            format!("expected a list, found {found}"),
            format!("write \"{name}\": [ ... ]"),
        );
    }
}

struct ItemSeed<'l> {
    loader: &'l mut Loader,
    list: List,
    index: usize,
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        match self.list {
            List::Services => deserializer.deserialize_any(ServiceVisitor(self)),
            List::Edges => deserializer.deserialize_any(EdgeVisitor(self)),
        }
    }
}

impl ItemSeed<'_> {
    fn path(&self, field: &str) -> String {
        format!("{}[{}].{field}", self.list.name(), self.index)
    }
    /// The path, built only if a problem needs it.
    fn lazy_path(&self, field: &'static str) -> impl FnOnce() -> String + use<> {
        let (list, index) = (self.list, self.index);
        move || format!("{}[{index}].{field}", list.name())
    }
    fn not_an_object(&mut self, found: &str) {
        let path = format!("{}[{}]", self.list.name(), self.index);
        let example = match self.list {
            List::Services => "{\"id\": \"orders\", \"kind\": \"function\"}",
            List::Edges => "{\"from\": \"a\", \"to\": \"b\", \"event\": \"Happened\"}",
        };
        self.loader.problem(
            path,
            format!("expected an object, found {found}"),
            format!("write it like {example}"),
        );
        // Hold its place, so later problems (duplicates, unknown ids) name the right index.
        match self.list {
            List::Services => {
                let placeholder = Service::new(String::new(), ServiceKind::Function);
                self.loader.services.push(placeholder);
                self.loader.push(Item::Service(Span::NONE));
            }
            List::Edges => {
                self.loader
                    .edge_extra(EdgeMode::Async, None, None, Vec::new());
                self.loader.push(Item::Edge([Span::NONE; 3]))
            }
        }
    }
    fn missing(&mut self, field: &str, hint: &str) {
        let path = self.path(field);
        self.loader
            .problem(path, format!("missing \"{field}\""), hint.to_owned());
    }
    fn unknown(&mut self, field: &str, known: &str) {
        let field = cut(field);
        let path = self.path(&field);
        self.loader.problem(
            path,
            format!("unknown field \"{field}\""),
            format!("known fields: {known}"),
        );
    }
    fn repeated(&mut self, field: &str) {
        let path = self.path(field);
        self.loader.problem(
            path,
            format!("the field \"{field}\" is repeated"),
            "keep one (a JSON object names each field once)",
        );
    }
}

/// Implements the non-object cases of an item visitor: record a problem, skip the value.
macro_rules! item_not_object {
    () => {
        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            self.0.not_an_object("an array");
            Ok(())
        }
        fn visit_str<E>(mut self, _: &str) -> Result<(), E> {
            self.0.not_an_object("a string");
            Ok(())
        }
        fn visit_u64<E>(mut self, _: u64) -> Result<(), E> {
            self.0.not_an_object("a number");
            Ok(())
        }
        fn visit_i64<E>(mut self, _: i64) -> Result<(), E> {
            self.0.not_an_object("a number");
            Ok(())
        }
        fn visit_f64<E>(mut self, _: f64) -> Result<(), E> {
            self.0.not_an_object("a number");
            Ok(())
        }
        fn visit_bool<E>(mut self, _: bool) -> Result<(), E> {
            self.0.not_an_object("a boolean");
            Ok(())
        }
        fn visit_unit<E>(mut self) -> Result<(), E> {
            self.0.not_an_object("null");
            Ok(())
        }
    };
}

struct ServiceVisitor<'l>(ItemSeed<'l>);

impl<'de> Visitor<'de> for ServiceVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a service object")
    }
    item_not_object!();
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let item = &mut self.0;
        let mut service = Service::new(String::new(), ServiceKind::Function);
        let mut id_span = Span::NONE;
        let mut properties = None;
        let mut seen = Seen::default();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            if seen.repeated(SERVICE_FIELDS, &key) {
                map.next_value::<IgnoredAny>()?;
                item.repeated(&key);
                continue;
            }
            match &*key {
                "id" => {
                    let value = map.next_value::<Scalar>()?;
                    if let Some(id) = expect_str(item.loader, value, item.lazy_path("id")) {
                        if id.is_empty() {
                            item.loader.problem(
                                item.path("id"),
                                "the id is empty".to_owned(),
                                "give the service a non-empty, unique id",
                            );
                        } else {
                            id_span = item.loader.stage(&id);
                            service.id = id.into_owned();
                        }
                    }
                }
                "kind" => {
                    let value = map.next_value::<Scalar>()?;
                    if let Some(kind) = expect_str(item.loader, value, item.lazy_path("kind")) {
                        match ServiceKind::parse(&kind) {
                            Some(kind) => service.kind = kind,
                            None => item.loader.problem(
                                item.path("kind"),
                                format!("unknown kind \"{}\"", cut(&kind)),
                                format!("use one of {}", ServiceKind::names()),
                            ),
                        }
                    }
                }
                "name" => {
                    let value = map.next_value::<Scalar>()?;
                    if let Some(name) = expect_str(item.loader, value, item.lazy_path("name")) {
                        service.name = name.into_owned();
                    }
                }
                "notes" => {
                    let value = map.next_value::<Scalar>()?;
                    if let Some(notes) = expect_str(item.loader, value, item.lazy_path("notes")) {
                        service.notes = notes.into_owned();
                    }
                }
                "behavior" => {
                    let value = map.next_value::<Scalar>()?;
                    if let Some(text) = expect_str(item.loader, value, item.lazy_path("behavior")) {
                        match Behavior::parse(&text) {
                            Some(behavior) => service.behavior = Some(behavior),
                            None => item.loader.problem(
                                item.path("behavior"),
                                format!("unknown behavior \"{}\"", cut(&text)),
                                "use one of register, login, store-put, store-get, forward, sink",
                            ),
                        }
                    }
                }
                "position" => {
                    let StrictValue(value) = map.next_value()?;
                    match parse_position(value) {
                        Ok(position) => service.position = Some(position),
                        Err((message, hint)) => {
                            item.loader.problem(item.path("position"), message, hint)
                        }
                    }
                }
                "routes" => {
                    let StrictValue(value) = map.next_value()?;
                    match parse_routes(value) {
                        Ok(routes) => service.routes = routes,
                        Err(message) => item.loader.problem(
                            item.path("routes"),
                            message,
                            "write them as [{\"route\": \"POST /login\", \"event\": \"LoginRequested\"}]",
                        ),
                    }
                }
                "properties" => {
                    let path = item.lazy_path("properties");
                    item.loader.newer(path);
                    let StrictValue(value) = map.next_value()?;
                    match value {
                        serde_json::Value::Object(map) => properties = Some(map),
                        other => item.loader.problem(
                            item.path("properties"),
                            format!(
                                "expected an object, found {}",
                                crate::model::properties::type_name(&other)
                            ),
                            "write them as {\"runtime\": \"python3.12\", \"memory_mb\": 512}",
                        ),
                    }
                }
                other => {
                    let other = other.to_owned();
                    map.next_value::<IgnoredAny>()?;
                    item.unknown(&other, &SERVICE_FIELDS.join(", "));
                }
            }
        }
        for (field, hint) in [
            ("id", "add a unique \"id\" to the service".to_owned()),
            (
                "kind",
                format!("add \"kind\": one of {}", ServiceKind::names()),
            ),
        ] {
            if !seen.has(SERVICE_FIELDS, field) {
                item.missing(field, &hint);
            }
        }
        if let Some(properties) = properties {
            // Checked once the kind is known, whatever the order of the fields.
            for problem in property_problems(service.kind, &properties) {
                let path = format!("{}.{}", item.path("properties"), problem.path);
                item.loader.problem(path, problem.message, problem.hint);
            }
            service.properties = Properties::from_map(&properties);
        }
        item.loader.services.push(service);
        item.loader.push(Item::Service(id_span));
        Ok(())
    }
}

/// Which of a record's fields were seen: a bit per field of its table.
#[derive(Default)]
struct Seen(u64);

impl Seen {
    /// Marks `key` seen; true if it already was. Unknown keys are never "repeated" here.
    fn repeated(&mut self, fields: &[&str], key: &str) -> bool {
        let Some(bit) = fields.iter().position(|f| *f == key) else {
            return false;
        };
        let repeated = self.0 & (1 << bit) != 0;
        self.0 |= 1 << bit;
        repeated
    }
    fn has(&self, fields: &[&str], key: &str) -> bool {
        fields
            .iter()
            .position(|f| *f == key)
            .is_some_and(|bit| self.0 & (1 << bit) != 0)
    }
}

/// A position from its JSON value: an object of exactly `x` and `y`, both finite.
pub(in crate::io) fn parse_position(
    value: serde_json::Value,
) -> Result<Position, (String, String)> {
    let hint = "write it as {\"x\": 10, \"y\": 20}".to_owned();
    if !value.is_object() {
        let found = crate::model::properties::type_name(&value);
        return Err((format!("expected an object, found {found}"), hint));
    }
    match serde_json::from_value::<Position>(value) {
        Ok(position) if position.x.is_finite() && position.y.is_finite() => Ok(position),
        Ok(_) => Err((
            "the position is too far out to draw".to_owned(),
            "use coordinates between -1e30 and 1e30".to_owned(),
        )),
        Err(error) => Err((format!("invalid position: {error}"), hint)),
    }
}

/// An edge's lane from its JSON value: a list of at most [`super::MAX_VIA`] positions.
pub(in crate::io) fn parse_via(
    value: serde_json::Value,
) -> Result<Vec<Position>, (String, String)> {
    let hint = "write it as a list of points, [{\"x\": 10, \"y\": 20}, ...], or leave it out (auto-layout writes it)";
    let serde_json::Value::Array(items) = value else {
        let found = crate::model::properties::type_name(&value);
        return Err((
            format!("expected a list of points, found {found}"),
            hint.to_owned(),
        ));
    };
    if items.len() > super::MAX_VIA {
        return Err((
            format!(
                "{} points, more than the {} a lane may have",
                items.len(),
                super::MAX_VIA
            ),
            "leave `via` out: auto-layout writes it again".to_owned(),
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| parse_position(item).map_err(|(m, h)| (format!("point {i}: {m}"), h)))
        .collect()
}

/// Routes from their JSON value: a list of objects of exactly `route` and `event`.
pub(in crate::io) fn parse_routes(value: serde_json::Value) -> Result<Vec<Route>, String> {
    let serde_json::Value::Array(items) = &value else {
        let found = crate::model::properties::type_name(&value);
        return Err(format!("expected a list, found {found}"));
    };
    if let Some(at) = items.iter().position(|item| !item.is_object()) {
        return Err(format!("routes[{at}] is not an object"));
    }
    serde_json::from_value::<Vec<Route>>(value).map_err(|error| format!("invalid routes: {error}"))
}

/// An edge filter from its JSON value, checked.
pub(in crate::io) fn parse_filter(value: serde_json::Value) -> Result<EdgeFilter, String> {
    if !value.is_object() {
        let found = crate::model::properties::type_name(&value);
        return Err(format!("expected an object, found {found}"));
    }
    let filter = serde_json::from_value::<EdgeFilter>(value)
        .map_err(|error| format!("invalid filter: {error}"))?;
    filter.check()?;
    Ok(filter)
}

/// The loops marked intentional, from their JSON value, checked for shape (that the ids name
/// services is checked once every service is read).
pub(in crate::io) fn parse_intentional_loops(
    value: serde_json::Value,
) -> Result<Vec<crate::model::IntentionalLoop>, String> {
    if !value.is_array() {
        let found = crate::model::properties::type_name(&value);
        return Err(format!("expected a list, found {found}"));
    }
    let loops = serde_json::from_value::<Vec<crate::model::IntentionalLoop>>(value)
        .map_err(|error| format!("invalid intentional loop: {error}"))?;
    for (at, mark) in loops.iter().enumerate() {
        if mark.services.is_empty() {
            return Err(format!(
                "[{at}].services is empty: name the loop's services"
            ));
        }
        if mark.reason.trim().is_empty() {
            return Err(format!(
                "[{at}].reason is empty: say why the loop is meant to be"
            ));
        }
    }
    Ok(loops)
}

/// An edge's evidence from its JSON value, checked.
pub(in crate::io) fn parse_evidence(
    value: serde_json::Value,
) -> Result<crate::model::Evidence, String> {
    if !value.is_object() {
        let found = crate::model::properties::type_name(&value);
        return Err(format!("expected an object, found {found}"));
    }
    let evidence = serde_json::from_value::<crate::model::Evidence>(value)
        .map_err(|error| format!("invalid evidence: {error}"))?;
    evidence.check()?;
    Ok(evidence)
}

/// The problems of a service's properties, each with its key as the path.
pub(in crate::io) fn property_problems(
    kind: ServiceKind,
    properties: &crate::model::properties::PropertyMap,
) -> Vec<Problem> {
    crate::model::properties::check(kind, properties)
        .into_iter()
        .map(|p| Problem::new(p.key, p.message, p.hint))
        .collect()
}

struct EdgeVisitor<'l>(ItemSeed<'l>);

impl<'de> Visitor<'de> for EdgeVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an edge object")
    }
    item_not_object!();
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let item = &mut self.0;
        let (mut from, mut to, mut event) = (None, None, None);
        let (mut mode, mut filter, mut evidence, mut via) =
            (EdgeMode::Async, None, None, Vec::new());
        let mut broken = false;
        let mut seen = Seen::default();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            if seen.repeated(EDGE_FIELDS, &key) {
                map.next_value::<IgnoredAny>()?;
                item.repeated(&key);
                broken = true;
                continue;
            }
            let field = match &*key {
                "from" => 0,
                "to" => 1,
                "event" => 2,
                "mode" => {
                    let path = item.lazy_path("mode");
                    item.loader.newer(path);
                    let value = map.next_value::<Scalar>()?;
                    if let Some(text) = expect_str(item.loader, value, item.lazy_path("mode")) {
                        match EdgeMode::parse(&text) {
                            Some(parsed) => mode = parsed,
                            None => item.loader.problem(
                                item.path("mode"),
                                format!("unknown mode \"{}\"", cut(&text)),
                                "use async (through the bus) or sync (a direct call)",
                            ),
                        }
                    }
                    continue;
                }
                "filter" => {
                    let path = item.lazy_path("filter");
                    item.loader.newer(path);
                    let StrictValue(value) = map.next_value()?;
                    match parse_filter(value) {
                        Ok(parsed) => filter = Some(parsed),
                        Err(message) => item.loader.problem(
                            item.path("filter"),
                            message,
                            "write it as {\"prefix\": \"uploads/\"}, {\"suffix\": \".jpg\"} or {\"pattern\": {\"detail-type\": [\"OrderPlaced\"]}}",
                        ),
                    }
                    continue;
                }
                "evidence" => {
                    let path = item.lazy_path("evidence");
                    item.loader.newer(path);
                    let StrictValue(value) = map.next_value()?;
                    match parse_evidence(value) {
                        Ok(parsed) => evidence = Some(parsed),
                        Err(message) => item.loader.problem(
                            item.path("evidence"),
                            message,
                            "write it as {\"construct\": \"Events.Upload (S3)\", \"role\": \"trigger\"}; role is trigger, write or retry",
                        ),
                    }
                    continue;
                }
                "via" => {
                    let path = item.lazy_path("via");
                    item.loader.newer(path);
                    let StrictValue(value) = map.next_value()?;
                    match parse_via(value) {
                        Ok(parsed) => via = parsed,
                        Err((message, hint)) => {
                            item.loader.problem(item.path("via"), message, hint)
                        }
                    }
                    continue;
                }
                other => {
                    let other = other.to_owned();
                    map.next_value::<IgnoredAny>()?;
                    item.unknown(&other, &EDGE_FIELDS.join(", "));
                    continue;
                }
            };
            let value = map.next_value::<Scalar>()?;
            let name = EDGE_FIELDS[field];
            match expect_str(item.loader, value, item.lazy_path(name)) {
                None => broken = true,
                Some(text) => match field {
                    0 => from = Some(item.loader.stage(&text)),
                    1 => to = Some(item.loader.stage(&text)),
                    _ if text.is_empty() => {
                        broken = true;
                        item.loader.problem(
                            item.path("event"),
                            "the event name is empty".to_owned(),
                            "name the event this edge carries, such as \"OrderPlaced\"",
                        );
                    }
                    _ => event = Some(item.loader.stage(&text)),
                },
            }
        }
        for (field, value) in [("from", from.is_some()), ("to", to.is_some())] {
            if !value && !broken {
                item.missing(field, "name the id of a service");
            }
        }
        if event.is_none() && !broken {
            item.missing("event", "name the event this edge carries");
        }
        item.loader.edge_extra(mode, filter, evidence, via);
        match (from, to, event) {
            (Some(from), Some(to), Some(event)) if !broken => {
                item.loader.push(Item::Edge([from, to, event]));
            }
            // Keep the edge's position so later problems name the right index.
            (from, to, _) => item.loader.push(Item::Edge([
                from.unwrap_or(Span::NONE),
                to.unwrap_or(Span::NONE),
                Span::NONE,
            ])),
        }
        Ok(())
    }
}
