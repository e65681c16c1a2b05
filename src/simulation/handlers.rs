//! What a service does with an event, by behaviour: register, login, store-put, store-get,
//! forward and sink.
//!
//! Handlers are plain functions of (payload, table, clock, random source) to a [`Handled`]
//! value; the engine turns that into a response, publications and trace entries. They never
//! panic on a payload: anything wrong becomes a 4xx, or a [`Handled::failure`] (a 5xx for a
//! request, a dead letter for an event).

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Version};
use rand::RngCore;
use rand::rngs::StdRng;
use serde_json::{Map, Value, json};

use super::scenario::HashCost;
use super::store::{Store, WriteOutcome, key_text};
use super::trace::{contains_secret, redact_map};
use crate::model::Behavior;

/// The event `register` publishes on its edges carrying it.
pub const USER_REGISTERED: &str = "UserRegistered";
/// The event `login` publishes on its edges carrying it.
pub const USER_LOGGED_IN: &str = "UserLoggedIn";
/// Passwords longer than this are refused before hashing (a cheap guard against hashing
/// megabytes).
pub const MAX_PASSWORD_CHARS: usize = 1024;
/// Minimum password length for `register`.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// The body of every failed login: the same for an unknown user and a wrong password.
pub const LOGIN_FAILED: &str = "invalid name or password";

/// What a handler publishes when it is done.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Publish {
    /// Nothing.
    Nothing,
    /// This event on the out-edges carrying it.
    Event(&'static str, Arc<Value>),
    /// This payload on every out-edge, each with its own event name.
    AllEdges(Arc<Value>),
    /// This payload on the out-edges whose event starts with the name (a bucket's
    /// `ObjectCreated`, which templates also spell `ObjectCreated:Put`).
    Prefixed(&'static str, Arc<Value>),
    /// A bus's delivery of the event it got: on the rules (out-edges) whose filter matches, and
    /// on unfiltered out-edges carrying that same event.
    Rules(u32, Arc<Value>),
}

/// A table operation a handler made, for the trace.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoreOp {
    /// `put-if-absent`, `put`, `get`.
    pub op: &'static str,
    /// The item's key.
    pub key: String,
    /// What it did, in words.
    pub result: &'static str,
}

/// The result of handling one event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Handled {
    /// The HTTP answer, when the behaviour answers requests.
    pub response: Option<(u16, Arc<Value>)>,
    /// What to publish.
    pub publish: Publish,
    /// The table operation made, if any.
    pub store_op: Option<StoreOp>,
    /// Why the handler failed (the design or the store is broken, not the request).
    pub failure: Option<String>,
}

impl Handled {
    fn answer(status: u16, body: Value) -> Handled {
        Handled {
            response: Some((status, Arc::new(body))),
            publish: Publish::Nothing,
            store_op: None,
            failure: None,
        }
    }

    fn failed(reason: String) -> Handled {
        Handled {
            response: Some((
                500,
                Arc::new(json!({"error": "internal error", "detail": reason})),
            )),
            publish: Publish::Nothing,
            store_op: None,
            failure: Some(reason),
        }
    }

    fn with_op(
        mut self,
        op: &'static str,
        key: impl Into<String>,
        result: &'static str,
    ) -> Handled {
        self.store_op = Some(StoreOp {
            op,
            key: key.into(),
            result,
        });
        self
    }
}

/// Password hashing with a fixed cost, and the dummy hash that makes an unknown user's login
/// cost the same work as a wrong password.
pub(crate) struct Hashing {
    argon2: Argon2<'static>,
    dummy: Option<String>,
}

impl Hashing {
    /// Hashing at `cost`, or argon2's reason for refusing it.
    pub fn new(cost: HashCost) -> Result<Hashing, argon2::Error> {
        Ok(Hashing {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, cost.params()?),
            dummy: None,
        })
    }

    /// An argon2id PHC string of `password` with a 16-byte salt from `rng`.
    fn hash(&self, password: &str, rng: &mut StdRng) -> Result<String, String> {
        let mut salt = [0u8; 16];
        rng.fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| format!("salt: {e}"))?;
        self.argon2
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| format!("argon2 could not hash: {e}"))
    }

    /// Verifies against a stored PHC string (its own parameters apply). `Ok(false)` on a wrong
    /// password, `Err` when the stored hash is unreadable.
    fn verify(&self, password: &str, stored: &str) -> Result<bool, String> {
        let parsed = PasswordHash::new(stored).map_err(|e| format!("stored hash: {e}"))?;
        match self.argon2.verify_password(password.as_bytes(), &parsed) {
            Ok(()) => Ok(true),
            Err(argon2::password_hash::Error::Password) => Ok(false),
            Err(e) => Err(format!("argon2 could not verify: {e}")),
        }
    }

    /// Spends a verification's work on a dummy hash, so an unknown name is not faster.
    fn verify_dummy(&mut self, password: &str) {
        if self.dummy.is_none() {
            // A fixed salt: this hash is never stored, and it must not consume the seeded
            // random source (that would change later salts depending on who logs in).
            let salt = SaltString::encode_b64(b"event-architect!").ok();
            self.dummy = salt.and_then(|salt| {
                self.argon2
                    .hash_password(b"dummy password", &salt)
                    .ok()
                    .map(|h| h.to_string())
            });
        }
        if let Some(dummy) = &self.dummy {
            let _ = self.verify(password, dummy);
        }
    }
}

/// What a handler can reach: its table, the clock, the random source and the hasher.
pub(crate) struct Context<'a> {
    /// Every table.
    pub store: &'a mut Store,
    /// The id of the table this service uses (the table it has an edge to), if any.
    pub table: Option<&'a str>,
    /// The service's id, for messages.
    pub service: &'a str,
    /// Virtual time now, in microseconds.
    pub now_us: u64,
    /// The seeded random source.
    pub rng: &'a mut StdRng,
    /// Password hashing.
    pub hashing: &'a mut Hashing,
}

/// Handles `payload` by `behavior`.
pub(crate) fn handle(behavior: Behavior, payload: &Arc<Value>, cx: Context<'_>) -> Handled {
    match behavior {
        Behavior::Register => register(payload, cx),
        Behavior::Login => login(payload, cx),
        Behavior::StorePut => store_put(payload, cx),
        Behavior::StoreGet => store_get(payload, cx),
        Behavior::Forward => Handled {
            response: None,
            publish: Publish::AllEdges(Arc::clone(payload)),
            store_op: None,
            failure: None,
        },
        // A sink does not answer: the engine gives 202 if nothing else does.
        Behavior::Sink => Handled {
            response: None,
            publish: Publish::Nothing,
            store_op: None,
            failure: None,
        },
    }
}

/// A request refused before any work: a status and its body.
struct Rejection(u16, Value);

impl From<Rejection> for Handled {
    fn from(Rejection(status, body): Rejection) -> Handled {
        Handled::answer(status, body)
    }
}

fn bad_request(field: &str, error: String) -> Rejection {
    Rejection(400, json!({"error": error, "field": field}))
}

/// The string field `field` of a body, or the 400 that names it.
fn required<'a>(body: &'a Map<String, Value>, field: &str) -> Result<&'a str, Rejection> {
    match body.get(field) {
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            Err(bad_request(field, format!("{field} is required")))
        }
        Some(_) => Err(bad_request(field, format!("{field} must be a string"))),
    }
}

fn object(payload: &Value) -> Result<&Map<String, Value>, Rejection> {
    payload.as_object().ok_or_else(|| {
        Rejection(
            400,
            json!({"error": "the body must be a JSON object", "field": null}),
        )
    })
}

/// A plausible email: one `@`, something before it, a dotted domain after it, no spaces.
pub fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && text.len() <= 254
        && !domain.contains('@')
        && !text.chars().any(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

fn table_missing(cx: &Context<'_>) -> Handled {
    Handled::failed(format!(
        "{} has no table: add an edge from it to a table service",
        cx.service
    ))
}

fn register(payload: &Value, cx: Context<'_>) -> Handled {
    let fields = (|| {
        let body = object(payload)?;
        let name = required(body, "name")?;
        let email = required(body, "email")?;
        let password = required(body, "password")?;
        if !looks_like_email(email) {
            return Err(bad_request(
                "email",
                "email must look like name@example.com".to_owned(),
            ));
        }
        let length = password.chars().count();
        if length < MIN_PASSWORD_CHARS {
            return Err(bad_request(
                "password",
                format!("password must be at least {MIN_PASSWORD_CHARS} characters"),
            ));
        }
        if length > MAX_PASSWORD_CHARS {
            return Err(bad_request(
                "password",
                format!("password must be at most {MAX_PASSWORD_CHARS} characters"),
            ));
        }
        Ok((name, email, password))
    })();
    let (name, email, password) = match fields {
        Ok(fields) => fields,
        Err(rejection) => return rejection.into(),
    };
    let Some(table_id) = cx.table else {
        return table_missing(&cx);
    };
    let Some(table) = cx.store.tables.get_mut(table_id) else {
        return table_missing(&cx);
    };
    // Look first, so a taken name costs no hash (put-if-absent still guards the write).
    if table.get(name).is_some() {
        return Handled::answer(
            409,
            json!({"error": "name already registered", "field": "name"}),
        )
        .with_op("get", name, "found: name taken");
    }
    let password_hash = match cx.hashing.hash(password, cx.rng) {
        Ok(hash) => hash,
        Err(reason) => return Handled::failed(reason),
    };
    let mut item = Map::new();
    item.insert("name".into(), Value::String(name.to_owned()));
    item.insert("email".into(), Value::String(email.to_owned()));
    item.insert("password_hash".into(), Value::String(password_hash));
    item.insert("created_at".into(), Value::from(cx.now_us));
    match table.put_if_absent(name.to_owned(), item) {
        WriteOutcome::Written => {
            let user = Arc::new(json!({"name": name, "email": email, "created_at": cx.now_us}));
            Handled {
                response: Some((201, Arc::clone(&user))),
                publish: Publish::Event(USER_REGISTERED, user),
                store_op: None,
                failure: None,
            }
            .with_op("put-if-absent", name, "stored")
        }
        _ => Handled::answer(
            409,
            json!({"error": "name already registered", "field": "name"}),
        )
        .with_op("put-if-absent", name, "exists: name taken"),
    }
}

fn login(payload: &Value, cx: Context<'_>) -> Handled {
    let fields = (|| {
        let body = object(payload)?;
        let name = required(body, "name")?;
        let password = required(body, "password")?;
        if password.chars().count() > MAX_PASSWORD_CHARS {
            // Same as a wrong password: a length cannot exist in the table.
            return Err(Rejection(401, json!({"error": LOGIN_FAILED})));
        }
        Ok((name, password))
    })();
    let (name, password) = match fields {
        Ok(fields) => fields,
        Err(rejection) => return rejection.into(),
    };
    let Some(table_id) = cx.table else {
        return table_missing(&cx);
    };
    let Some(table) = cx.store.tables.get(table_id) else {
        return table_missing(&cx);
    };
    let denied = || Handled::answer(401, json!({"error": LOGIN_FAILED}));
    let Some(user) = table.get(name) else {
        cx.hashing.verify_dummy(password);
        return denied().with_op("get", name, "not found");
    };
    let Some(stored) = user.get("password_hash").and_then(Value::as_str) else {
        return Handled::failed(format!(
            "the item \"{name}\" in {table_id} has no password_hash string"
        ))
        .with_op("get", name, "found");
    };
    match cx.hashing.verify(password, stored) {
        Ok(true) => {
            let event = json!({"name": name, "at": cx.now_us});
            Handled {
                response: Some((
                    200,
                    Arc::new(json!({"name": name, "logged_in_at": cx.now_us})),
                )),
                publish: Publish::Event(USER_LOGGED_IN, Arc::new(event)),
                store_op: None,
                failure: None,
            }
            .with_op("get", name, "found")
        }
        Ok(false) => denied().with_op("get", name, "found"),
        Err(reason) => Handled::failed(reason).with_op("get", name, "found"),
    }
}

fn keyed<'a>(
    payload: &'a Value,
    cx: &Context<'_>,
) -> Result<(&'a Map<String, Value>, String), Box<Handled>> {
    let body = object(payload).map_err(|r| Box::new(r.into()))?;
    let missing = || Box::new(table_missing(cx));
    let table_id = cx.table.ok_or_else(missing)?;
    let table = cx.store.table(table_id).ok_or_else(missing)?;
    let field = &table.key_field;
    let key = body.get(field).and_then(key_text).ok_or_else(|| {
        let error =
            format!("{field} (the key of table {table_id}) is required: a string or a number");
        Box::new(Handled::from(bad_request(field, error)))
    })?;
    Ok((body, key))
}

fn store_put(payload: &Arc<Value>, cx: Context<'_>) -> Handled {
    let (body, key) = match keyed(payload, &cx) {
        Ok(found) => found,
        Err(rejection) => return *rejection,
    };
    // A table never holds a password in plain text, whatever a scenario sends it. Without a
    // secret, the payload itself is stored (shared, not copied).
    let item = if contains_secret(payload) {
        Arc::new(Value::Object(redact_map(body)))
    } else {
        Arc::clone(payload)
    };
    let Some(table) = cx.table.and_then(|id| cx.store.tables.get_mut(id)) else {
        return table_missing(&cx);
    };
    table.put_shared(key.clone(), Arc::clone(&item));
    Handled {
        // Answers with the stored item, like a put that returns its new value.
        response: Some((200, Arc::clone(&item))),
        publish: Publish::AllEdges(item),
        store_op: None,
        failure: None,
    }
    .with_op("put", key, "stored")
}

/// A bucket's handling of an event: the payload is the object, stored under its `key` field (or a
/// made-up key); `removing` deletes it instead. Announces `ObjectCreated`/`ObjectRemoved` with
/// the bucket and the key, as S3 notifications do.
pub(crate) fn bucket(payload: &Arc<Value>, removing: bool, entry: u64, cx: Context<'_>) -> Handled {
    let key = payload
        .get("key")
        .and_then(key_text)
        .unwrap_or_else(|| format!("object-{entry}"));
    let Some(objects) = cx.store.tables.get_mut(cx.service) else {
        return table_missing(&cx);
    };
    let (announce, op, result) = if removing {
        let outcome = objects.delete(&key);
        let result = if outcome == WriteOutcome::NotFound {
            "not found"
        } else {
            "removed"
        };
        ("ObjectRemoved", "delete", result)
    } else {
        let object = match payload.as_object() {
            Some(body) if contains_secret(payload) => Arc::new(Value::Object(redact_map(body))),
            _ => Arc::clone(payload),
        };
        objects.put_shared(key.clone(), object);
        ("ObjectCreated", "put", "stored")
    };
    Handled {
        response: None,
        publish: Publish::Prefixed(
            announce,
            Arc::new(json!({"bucket": cx.service, "key": key})),
        ),
        store_op: None,
        failure: None,
    }
    .with_op(op, key, result)
}

fn store_get(payload: &Value, cx: Context<'_>) -> Handled {
    let (_, key) = match keyed(payload, &cx) {
        Ok(found) => found,
        Err(rejection) => return *rejection,
    };
    let Some(table) = cx.table.and_then(|id| cx.store.table(id)) else {
        return table_missing(&cx);
    };
    match table.get_shared(&key) {
        Some(item) => Handled {
            response: Some((200, Arc::clone(item))),
            publish: Publish::AllEdges(Arc::clone(item)),
            store_op: None,
            failure: None,
        }
        .with_op("get", key, "found"),
        None => Handled::answer(404, json!({"error": "not found", "key": key})).with_op(
            "get",
            &key,
            "not found",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulation::store::Table;
    use rand::SeedableRng;

    struct Fixture {
        store: Store,
        rng: StdRng,
        hashing: Hashing,
    }

    impl Fixture {
        fn new() -> Fixture {
            let mut store = Store::default();
            store.tables.insert("users".into(), Table::new("name"));
            Fixture {
                store,
                rng: StdRng::seed_from_u64(1),
                hashing: Hashing::new(HashCost::MINIMUM).unwrap(),
            }
        }

        fn run(&mut self, behavior: Behavior, payload: Value) -> Handled {
            let cx = Context {
                store: &mut self.store,
                table: Some("users"),
                service: "f",
                now_us: 5,
                rng: &mut self.rng,
                hashing: &mut self.hashing,
            };
            handle(behavior, &Arc::new(payload), cx)
        }
    }

    fn status(handled: &Handled) -> u16 {
        handled.response.as_ref().unwrap().0
    }

    #[test]
    fn register_validates_each_field_by_name() {
        let mut f = Fixture::new();
        let cases = [
            (json!({"email": "a@b.co", "password": "12345678"}), "name"),
            (json!({"name": "a", "password": "12345678"}), "email"),
            (json!({"name": "a", "email": "a@b.co"}), "password"),
            (
                json!({"name": 5, "email": "a@b.co", "password": "12345678"}),
                "name",
            ),
            (
                json!({"name": "a", "email": "nope", "password": "12345678"}),
                "email",
            ),
            (
                json!({"name": "a", "email": "a@b.co", "password": "1234567"}),
                "password",
            ),
        ];
        for (body, field) in cases {
            let handled = f.run(Behavior::Register, body.clone());
            let (status, answer) = handled.response.unwrap();
            assert_eq!(status, 400, "{body}");
            assert_eq!(answer["field"], field, "{body}");
        }
        assert_eq!(status(&f.run(Behavior::Register, json!([1]))), 400);
        assert!(f.store.tables["users"].is_empty());
    }

    #[test]
    fn register_stores_a_hash_and_refuses_a_taken_name() {
        let mut f = Fixture::new();
        let body = json!({"name": "al", "email": "al@example.com", "password": "s3cret-pass"});
        let handled = f.run(Behavior::Register, body.clone());
        assert_eq!(status(&handled), 201);
        let Publish::Event(event, payload) = &handled.publish else {
            panic!("register publishes");
        };
        assert_eq!(*event, USER_REGISTERED);
        assert!(payload.get("password").is_none());
        let item = f.store.tables["users"].get("al").unwrap();
        let hash = item["password_hash"].as_str().unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{hash}");
        assert_eq!(item["created_at"], 5);
        assert!(!serde_json::to_string(item).unwrap().contains("s3cret"));
        assert_eq!(status(&f.run(Behavior::Register, body)), 409);
    }

    #[test]
    fn login_does_not_tell_unknown_users_from_wrong_passwords() {
        let mut f = Fixture::new();
        let register = json!({"name": "al", "email": "al@example.com", "password": "s3cret-pass"});
        f.run(Behavior::Register, register);
        let wrong = f.run(
            Behavior::Login,
            json!({"name": "al", "password": "guess-guess"}),
        );
        let unknown = f.run(
            Behavior::Login,
            json!({"name": "zed", "password": "guess-guess"}),
        );
        assert_eq!(wrong.response, unknown.response);
        assert_eq!(status(&wrong), 401);
        let ok = f.run(
            Behavior::Login,
            json!({"name": "al", "password": "s3cret-pass"}),
        );
        assert_eq!(status(&ok), 200);
        assert!(matches!(ok.publish, Publish::Event(USER_LOGGED_IN, _)));
        let missing = f.run(Behavior::Login, json!({"name": "al"}));
        assert_eq!(missing.response.unwrap().1["field"], "password");
    }

    #[test]
    fn a_corrupt_stored_hash_is_a_failure_not_a_panic() {
        let mut f = Fixture::new();
        let item = json!({"name": "al", "password_hash": "not a phc string"});
        let item = item.as_object().unwrap().clone();
        f.store
            .tables
            .get_mut("users")
            .unwrap()
            .put("al".into(), item);
        let handled = f.run(
            Behavior::Login,
            json!({"name": "al", "password": "whatever1"}),
        );
        assert_eq!(status(&handled), 500);
        assert!(handled.failure.unwrap().contains("stored hash"));
    }

    #[test]
    fn store_put_and_get_use_the_table_key_and_redact() {
        let mut f = Fixture::new();
        let put = f.run(
            Behavior::StorePut,
            json!({"name": "k", "password": "plain-text", "v": {"deep": {"secret": "s3"}}}),
        );
        assert_eq!(status(&put), 200);
        let got = f.run(Behavior::StoreGet, json!({"name": "k"}));
        let (status_code, item) = got.response.unwrap();
        assert_eq!(status_code, 200);
        assert_eq!(item["password"], "***");
        assert_eq!(item["v"]["deep"]["secret"], "***");
        f.run(Behavior::StorePut, json!({"name": "plain", "v": 2}));
        let stored = f.store.tables["users"].get("plain").unwrap();
        assert_eq!(stored["v"], 2);
        assert_eq!(
            status(&f.run(Behavior::StoreGet, json!({"name": "x"}))),
            404
        );
        assert_eq!(status(&f.run(Behavior::StorePut, json!({"v": 1}))), 400);
    }

    #[test]
    fn emails() {
        assert!(looks_like_email("a@b.co"));
        for bad in [
            "", "a", "@b.co", "a@b", "a@.co", "a@b.", "a b@c.de", "a@b@c.de", "a@b..c",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }
}
