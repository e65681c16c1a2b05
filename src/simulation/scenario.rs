//! Scenario files: the requests a simulation sends, and the knobs of a run (seed, hashing cost,
//! latencies, table keys).
//!
//! A scenario is read in two passes: `serde_json` checks the syntax (so a typo gets its line and
//! column), then a hand-written walk checks the shape and reports every problem at once with its
//! JSON path and a hint. Derive would stop at the first wrong type.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::diagnostics::{LoadError, Problem, json_type as type_name, strip_position};

/// The built-in register/login scenario (`samples/register_login.scenario.json`).
pub const BUILTIN_SCENARIO: &str = include_str!("../../samples/register_login.scenario.json");

/// Virtual time between two requests when a request does not say (`delay_ms`): long enough for
/// the previous request to be answered, so a scenario reads like a script.
pub const DEFAULT_DELAY_MS: u64 = 100;

/// The most requests one scenario may expand to (rounds × repeats), to keep a typo from asking
/// for a run that never ends.
pub const MAX_REQUESTS: u64 = 100_000_000;

/// Argon2id cost of password hashing.
///
/// The default is the OWASP minimum for argon2id (19 MiB, 2 iterations, 1 lane), which is also
/// the `argon2` crate's default. A load run may lower it; the output then says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    /// Memory in KiB (argon2 `m_cost`).
    pub m_cost_kib: u32,
    /// Iterations (argon2 `t_cost`).
    pub t_cost: u32,
    /// Lanes (argon2 `p_cost`).
    pub p_cost: u32,
}

impl HashCost {
    /// The OWASP minimum for argon2id: m = 19456 KiB, t = 2, p = 1.
    pub const DEFAULT: HashCost = HashCost {
        m_cost_kib: argon2::Params::DEFAULT_M_COST,
        t_cost: argon2::Params::DEFAULT_T_COST,
        p_cost: argon2::Params::DEFAULT_P_COST,
    };

    /// The cheapest cost argon2 accepts (m = 8 KiB, t = 1, p = 1): for load runs only.
    pub const MINIMUM: HashCost = HashCost {
        m_cost_kib: 8,
        t_cost: 1,
        p_cost: 1,
    };

    /// True when this is cheaper than [`HashCost::DEFAULT`] in memory or iterations.
    pub fn is_lowered(&self) -> bool {
        self.m_cost_kib < HashCost::DEFAULT.m_cost_kib || self.t_cost < HashCost::DEFAULT.t_cost
    }

    /// The argon2 parameters, or why argon2 refuses them.
    pub fn params(&self) -> Result<argon2::Params, argon2::Error> {
        argon2::Params::new(self.m_cost_kib, self.t_cost, self.p_cost, None)
    }
}

impl Default for HashCost {
    fn default() -> HashCost {
        HashCost::DEFAULT
    }
}

/// One request of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioRequest {
    /// Method and path, such as `POST /register`; a gateway route maps it to an event.
    pub route: Arc<str>,
    /// The JSON body. In strings, `{n}` becomes the round number and `{i}` the repeat number.
    pub body: Value,
    /// Virtual milliseconds after the previous request (default [`DEFAULT_DELAY_MS`]).
    pub delay_ms: u64,
    /// How many times it is sent in a row (default 1).
    pub repeat: u64,
}

/// Per-table settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableConfig {
    /// The item field that is the primary key.
    pub key: String,
}

/// A scenario: what to send and how to run it. Plain data; the file format is in the README.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scenario {
    /// Where it was read from, for messages (`built-in scenario`, a path, `<stdin>`).
    pub origin: String,
    /// Seed of the random source (argon2 salts); the CLI's `--seed` overrides it.
    pub seed: Option<u64>,
    /// Password hashing cost.
    pub hash_cost: HashCost,
    /// How many times the whole request list is sent (default 1).
    pub rounds: u64,
    /// Virtual latency of the event bus, publisher to subscriber queue, in microseconds.
    pub bus_latency_us: Option<u64>,
    /// Handling time per service id, in microseconds, overriding the behaviour's default.
    pub latency_us: BTreeMap<String, u64>,
    /// Per-table settings by table service id.
    pub tables: BTreeMap<String, TableConfig>,
    /// When each schedule service fires, in milliseconds of virtual time from the start.
    pub schedules: BTreeMap<String, Vec<u64>>,
    /// The requests, in order.
    pub requests: Vec<ScenarioRequest>,
}

impl Scenario {
    /// The built-in register/login scenario.
    pub fn builtin() -> Scenario {
        // A unit test keeps the built-in scenario valid.
        parse_scenario(BUILTIN_SCENARIO.as_bytes(), "built-in scenario").unwrap_or_default()
    }

    /// How many requests the scenario sends (rounds × the sum of repeats).
    pub fn request_count(&self) -> u64 {
        let per_round: u64 = self.requests.iter().map(|r| r.repeat).sum();
        per_round.saturating_mul(self.rounds)
    }
}

/// Why a scenario cannot be run.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read or is not well-formed JSON: the same errors, with the same
    /// file:line:column and hint, as a design file's.
    #[error(transparent)]
    File(#[from] LoadError),
    /// Well-formed JSON that is not a valid scenario, or one the design cannot run.
    #[error("{}", problems_message(origin, problems))]
    Invalid {
        /// The file (or "built-in scenario").
        origin: String,
        /// Every problem, in file order, each with its JSON path and a hint.
        problems: Vec<Problem>,
    },
}

fn problems_message(origin: &str, problems: &[Problem]) -> String {
    crate::diagnostics::render(origin, " in the scenario", problems, 0)
}

/// Reads a scenario from a file, or from standard input when `path` is `-`.
pub fn load_scenario(path: &Path) -> Result<Scenario, ScenarioError> {
    let stdin = path.as_os_str() == "-";
    let origin = if stdin {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    };
    // A scenario is parsed into values whole; it is a few requests with repeat counts, so a
    // quarter of what a design may take is plenty.
    let limit = crate::limits::Budget::current().whole_read_bytes() / 4;
    let io = |source| LoadError::Io {
        origin: origin.clone(),
        source,
    };
    let bytes = if stdin {
        crate::io::whole::read_checked(std::io::stdin().lock(), &origin, limit, "a scenario")?
    } else {
        let file = std::fs::File::open(path).map_err(io)?;
        crate::io::whole::read_checked(file, &origin, limit, "a scenario")?
    };
    parse_scenario(&bytes, &origin)
}

/// Parses and checks a scenario. `origin` names the file in messages.
pub fn parse_scenario(text: &[u8], origin: &str) -> Result<Scenario, ScenarioError> {
    let value: Value = serde_json::from_slice(text).map_err(|error| LoadError::Syntax {
        origin: origin.to_owned(),
        line: error.line(),
        column: error.column(),
        message: strip_position(&error.to_string()),
    })?;
    let mut walk = Walk::default();
    let mut scenario = walk.top(&value);
    scenario.origin = origin.to_owned();
    if walk.problems.is_empty() {
        Ok(scenario)
    } else {
        Err(ScenarioError::Invalid {
            origin: origin.to_owned(),
            problems: walk.problems,
        })
    }
}

const TOP_FIELDS: &[&str] = &[
    "requests",
    "seed",
    "hash_cost",
    "repeat",
    "bus_latency_ms",
    "latency_ms",
    "tables",
    "schedules",
    "description",
];
const REQUEST_FIELDS: &[&str] = &["route", "body", "delay_ms", "repeat", "comment"];
const COST_FIELDS: &[&str] = &["m_cost_kib", "t_cost", "p_cost"];

#[derive(Default)]
struct Walk {
    problems: Vec<Problem>,
}

impl Walk {
    fn problem(&mut self, path: impl Into<String>, message: String, hint: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message,
            hint: hint.into(),
        });
    }

    fn object<'v>(&mut self, value: &'v Value, path: &str) -> Option<&'v Map<String, Value>> {
        match value {
            Value::Object(map) => Some(map),
            other => {
                self.problem(
                    path,
                    format!("expected an object, found {}", type_name(other)),
                    "write it as {\"field\": value, ...}",
                );
                None
            }
        }
    }

    fn unknown_fields(&mut self, map: &Map<String, Value>, path: &str, known: &[&str]) {
        for key in map.keys() {
            if !known.contains(&key.as_str()) {
                let suggestion = crate::diagnostics::closest(key, known)
                    .map(|k| format!("did you mean \"{k}\"? "))
                    .unwrap_or_default();
                self.problem(
                    join_path(path, key),
                    format!("unknown field \"{key}\""),
                    format!("{suggestion}known fields: {}", known.join(", ")),
                );
            }
        }
    }

    fn unsigned(&mut self, value: &Value, path: &str, min: u64, max: u64) -> Option<u64> {
        match value.as_u64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.problem(
                    path,
                    format!("expected a whole number from {min} to {max}, found {value}"),
                    format!("write a number such as {}", min.max(1)),
                );
                None
            }
        }
    }

    fn top(&mut self, value: &Value) -> Scenario {
        let mut scenario = Scenario {
            rounds: 1,
            ..Scenario::default()
        };
        let Some(map) = self.object(value, "$") else {
            return scenario;
        };
        self.unknown_fields(map, "", TOP_FIELDS);
        if let Some(seed) = map.get("seed") {
            scenario.seed = self.unsigned(seed, "seed", 0, u64::MAX);
        }
        if let Some(rounds) = map.get("repeat") {
            scenario.rounds = self
                .unsigned(rounds, "repeat", 1, MAX_REQUESTS)
                .unwrap_or(1);
        }
        if let Some(latency) = map.get("bus_latency_ms") {
            scenario.bus_latency_us = self
                .unsigned(latency, "bus_latency_ms", 0, 3_600_000)
                .map(|ms| ms * 1000);
        }
        if let Some(cost) = map.get("hash_cost") {
            scenario.hash_cost = self.hash_cost(cost);
        }
        if let Some(latencies) = map.get("latency_ms")
            && let Some(latencies) = self.object(latencies, "latency_ms")
        {
            for (service, ms) in latencies {
                let path = join_path("latency_ms", service);
                if let Some(ms) = self.unsigned(ms, &path, 0, 3_600_000) {
                    scenario.latency_us.insert(service.clone(), ms * 1000);
                }
            }
        }
        if let Some(tables) = map.get("tables")
            && let Some(tables) = self.object(tables, "tables")
        {
            for (table, config) in tables {
                let path = join_path("tables", table);
                let Some(config) = self.object(config, &path) else {
                    continue;
                };
                self.unknown_fields(config, &path, &["key"]);
                match config.get("key").and_then(Value::as_str) {
                    Some(key) if !key.is_empty() => {
                        scenario.tables.insert(
                            table.clone(),
                            TableConfig {
                                key: key.to_owned(),
                            },
                        );
                    }
                    _ => self.problem(
                        format!("{path}.key"),
                        "a table needs its primary key field as a non-empty string".to_owned(),
                        "write {\"key\": \"name\"}",
                    ),
                }
            }
        }
        if let Some(schedules) = map.get("schedules")
            && let Some(schedules) = self.object(schedules, "schedules")
        {
            for (service, times) in schedules {
                let path = join_path("schedules", service);
                let Value::Array(times) = times else {
                    self.problem(
                        path,
                        format!("expected a list of times, found {}", type_name(times)),
                        "write the milliseconds it fires at, such as [0, 60000]",
                    );
                    continue;
                };
                if times.len() as u64 > MAX_REQUESTS {
                    self.problem(
                        path,
                        format!(
                            "{} firings is more than the {MAX_REQUESTS} a run takes",
                            times.len()
                        ),
                        "fire it less often",
                    );
                    continue;
                }
                let fired: Vec<u64> = times
                    .iter()
                    .enumerate()
                    .filter_map(|(i, t)| {
                        self.unsigned(t, &format!("{path}[{i}]"), 0, 86_400_000 * 365)
                    })
                    .collect();
                scenario.schedules.insert(service.clone(), fired);
            }
        }
        match map.get("requests") {
            None => self.problem(
                "requests",
                "missing field \"requests\"".to_owned(),
                "add \"requests\": [{\"route\": \"POST /register\", \"body\": {...}}]",
            ),
            Some(Value::Array(requests)) => {
                for (i, request) in requests.iter().enumerate() {
                    if let Some(request) = self.request(request, &format!("requests[{i}]")) {
                        scenario.requests.push(request);
                    }
                }
            }
            Some(other) => self.problem(
                "requests",
                format!("expected an array of requests, found {}", type_name(other)),
                "write \"requests\": [{\"route\": \"POST /register\", \"body\": {...}}]",
            ),
        }
        if self.problems.is_empty() && scenario.request_count() > MAX_REQUESTS {
            self.problem(
                "repeat",
                format!(
                    "the scenario expands to {} requests, more than the {MAX_REQUESTS} allowed",
                    scenario.request_count()
                ),
                "lower \"repeat\" at the top or in a request",
            );
        }
        scenario
    }

    fn hash_cost(&mut self, value: &Value) -> HashCost {
        let mut cost = HashCost::DEFAULT;
        let Some(map) = self.object(value, "hash_cost") else {
            return cost;
        };
        self.unknown_fields(map, "hash_cost", COST_FIELDS);
        let before = self.problems.len();
        if let Some(m) = map.get("m_cost_kib") {
            cost.m_cost_kib = self
                .unsigned(m, "hash_cost.m_cost_kib", 8, 4 * 1024 * 1024)
                .map_or(cost.m_cost_kib, |m| m as u32);
        }
        if let Some(t) = map.get("t_cost") {
            cost.t_cost = self
                .unsigned(t, "hash_cost.t_cost", 1, 100)
                .map_or(cost.t_cost, |t| t as u32);
        }
        if let Some(p) = map.get("p_cost") {
            cost.p_cost = self
                .unsigned(p, "hash_cost.p_cost", 1, 64)
                .map_or(cost.p_cost, |p| p as u32);
        }
        if self.problems.len() == before
            && let Err(error) = cost.params()
        {
            self.problem(
                "hash_cost",
                format!("argon2 refuses this cost: {error}"),
                "m_cost_kib must be at least 8 × p_cost; the default is m_cost_kib 19456, t_cost 2, p_cost 1",
            );
        }
        cost
    }

    fn request(&mut self, value: &Value, path: &str) -> Option<ScenarioRequest> {
        let map = self.object(value, path)?;
        self.unknown_fields(map, path, REQUEST_FIELDS);
        let route = match map.get("route") {
            Some(Value::String(route)) if !route.trim().is_empty() => Some(route.trim()),
            Some(other) => {
                self.problem(
                    format!("{path}.route"),
                    format!("expected a route such as \"POST /register\", found {other}"),
                    "write the method and path the gateway routes, such as \"POST /login\"",
                );
                None
            }
            None => {
                self.problem(
                    format!("{path}.route"),
                    "missing field \"route\"".to_owned(),
                    "add \"route\": \"POST /register\" (a route of the design's gateway)",
                );
                None
            }
        };
        let delay_ms = match map.get("delay_ms") {
            Some(delay) => self.unsigned(delay, &format!("{path}.delay_ms"), 0, 86_400_000)?,
            None => DEFAULT_DELAY_MS,
        };
        let repeat = match map.get("repeat") {
            Some(repeat) => self.unsigned(repeat, &format!("{path}.repeat"), 1, MAX_REQUESTS)?,
            None => 1,
        };
        Some(ScenarioRequest {
            route: Arc::from(route?),
            body: map.get("body").cloned().unwrap_or(Value::Null),
            delay_ms,
            repeat,
        })
    }
}

fn join_path(path: &str, key: &str) -> String {
    let simple = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_');
    match (path.is_empty(), simple) {
        (true, true) => key.to_owned(),
        (true, false) => format!("[{key:?}]"),
        (false, true) => format!("{path}.{key}"),
        (false, false) => format!("{path}[{key:?}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_scenario_is_valid() {
        let scenario = parse_scenario(BUILTIN_SCENARIO.as_bytes(), "built-in").unwrap();
        assert_eq!(scenario.requests.len(), 6);
        assert_eq!(scenario.hash_cost, HashCost::DEFAULT);
        assert!(!scenario.hash_cost.is_lowered());
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let error =
            parse_scenario(b"{\n  \"requests\": [\n    {\"route\": }\n]}", "s.json").unwrap_err();
        let text = error.to_string();
        assert!(text.starts_with("s.json:3:15: malformed JSON"), "{text}");
        assert!(text.contains("hint:"), "{text}");
    }

    #[test]
    fn shape_errors_give_json_paths_and_hints() {
        let text = r#"{"requests": [{"route": "POST /login", "delay_ms": -1},
            {"rout": "POST /x"}], "hash_cost": {"m_cost_kib": 8, "p_cost": 2}}"#;
        let ScenarioError::Invalid { problems, .. } =
            parse_scenario(text.as_bytes(), "s.json").unwrap_err()
        else {
            panic!("expected Invalid");
        };
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "hash_cost",
                "requests[0].delay_ms",
                "requests[1].rout",
                "requests[1].route"
            ]
        );
        assert!(problems[2].hint.contains("did you mean \"route\""));
    }

    #[test]
    fn lowered_cost_is_detected() {
        assert!(HashCost::MINIMUM.is_lowered());
        assert!(HashCost::MINIMUM.params().is_ok());
        let text = r#"{"requests": [], "hash_cost": {"m_cost_kib": 8, "t_cost": 1}, "repeat": 3}"#;
        let scenario = parse_scenario(text.as_bytes(), "s").unwrap();
        assert_eq!(scenario.hash_cost, HashCost::MINIMUM);
        assert_eq!(scenario.rounds, 3);
    }
}
