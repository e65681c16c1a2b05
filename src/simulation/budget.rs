//! A run's memory, estimated up front and checked against the budget ([`crate::limits`]).
//!
//! What a run holds that grows: argon2's working memory (one hash at a time), the items the
//! store keeps, and, in a run that keeps its requests, one state and response per request. A
//! scenario whose worst case does not fit is refused before anything runs, with the numbers
//! and how to raise the budget: the alternative is an abort ("memory allocation failed")
//! minutes in.

use crate::diagnostics::Problem;
use crate::limits::{Budget, human_bytes};
use crate::model::{Behavior, Design, ServiceKind};

use super::effective_behavior;
use super::scenario::Scenario;

/// What one stored item costs besides its body: the key, the map, the hash of a registered
/// user's password, the table's index entry.
const ITEM_OVERHEAD: u64 = 320;
/// What one kept request costs besides its response body: its state and its response.
const REQUEST_OVERHEAD: u64 = 192;
/// A JSON body held as values takes about this many times its text.
const VALUE_FACTOR: u64 = 3;

/// The problems that keep `scenario` from running on `design` within `budget`; `retain` when
/// the run keeps every request (the window does; the CLI streams).
pub(super) fn check(
    design: &Design,
    scenario: &Scenario,
    retain: bool,
    budget: Budget,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let hash = u64::from(scenario.hash_cost.m_cost_kib) * 1024;
    // Half the budget: the store and the run need the rest.
    if hash > budget.bytes / 2 {
        problems.push(Problem {
            path: "hash_cost.m_cost_kib".to_owned(),
            message: format!(
                "argon2 would take {} for each password hash, more than half the memory budget of {}",
                human_bytes(hash),
                human_bytes(budget.bytes)
            ),
            hint: format!(
                "lower m_cost_kib (the default is 19456, 19 MiB), or {}",
                budget.raise_hint(hash * 2)
            ),
        });
    }
    let body = scenario
        .requests
        .iter()
        .map(|request| serde_json::to_string(&request.body).map_or(0, |t| t.len() as u64))
        .max()
        .unwrap_or(0);
    // Each event a request causes may store at most one item per writer it reaches, and most
    // reach each writer once: the worst case that real designs meet.
    let writers = design
        .services
        .iter()
        .filter(|s| {
            s.kind == ServiceKind::Bucket
                || matches!(
                    effective_behavior(s.kind, s.behavior),
                    Behavior::Register | Behavior::StorePut
                )
        })
        .count() as u64;
    let firings: u64 = scenario.schedules.values().map(|t| t.len() as u64).sum();
    let sends = scenario.request_count().saturating_add(firings);
    let per_item = ITEM_OVERHEAD + body * VALUE_FACTOR;
    let store = sends.saturating_mul(writers).saturating_mul(per_item);
    let kept = if retain {
        sends.saturating_mul(REQUEST_OVERHEAD + body * VALUE_FACTOR)
    } else {
        0
    };
    let total = store.saturating_add(kept);
    if total > budget.bytes / 2 {
        let what = match (store > 0, retain) {
            (true, true) => "the items the store may keep and the requests the run keeps",
            (true, false) => "the items the store may keep",
            _ => "the requests the run keeps",
        };
        problems.push(Problem {
            path: "repeat".to_owned(),
            message: format!(
                "{sends} requests could take {} for {what}, more than half the memory budget of {}",
                human_bytes(total),
                human_bytes(budget.bytes)
            ),
            hint: format!(
                "lower \"repeat\" (at the top or in a request), or {}",
                budget.raise_hint(total.saturating_mul(2))
            ),
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulation::scenario::parse_scenario;

    const BUDGET: Budget = Budget { bytes: 2048 << 20 };

    fn problems(scenario: &str, retain: bool) -> Vec<Problem> {
        let design = crate::builtin_design();
        let scenario = parse_scenario(scenario.as_bytes(), "s.json").unwrap();
        check(&design, &scenario, retain, BUDGET)
    }

    #[test]
    fn a_hash_cost_over_the_budget_is_refused_with_the_way_out() {
        let found = problems(
            r#"{"requests": [], "hash_cost": {"m_cost_kib": 4194304}}"#,
            false,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].path, "hash_cost.m_cost_kib");
        assert!(found[0].message.contains("4 GiB"), "{}", found[0].message);
        assert!(
            found[0].hint.contains("EVENT_ARCHITECT_MEMORY_MIB="),
            "{}",
            found[0].hint
        );
        assert!(
            problems(
                r#"{"requests": [], "hash_cost": {"m_cost_kib": 65536}}"#,
                false
            )
            .is_empty()
        );
    }

    #[test]
    fn registrations_that_could_fill_the_store_are_refused_and_logins_are_not() {
        let register = r#"{"repeat": 100000000, "requests": [{"route": "POST /register",
            "body": {"name": "u{i}", "email": "u{i}@example.com", "password": "correct horse"}}]}"#;
        let found = problems(register, false);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].message.contains("100000000 requests"),
            "{}",
            found[0].message
        );
        // A short run of the same fits.
        assert!(problems(&register.replace("100000000", "1000"), false).is_empty());
        // Without a writer in the design, only kept requests count: a streaming run of any
        // length fits, a kept one does not.
        let mut design = crate::builtin_design();
        for service in &mut design.services {
            if service.behavior == Some(Behavior::Register) {
                service.behavior = Some(Behavior::Login);
            }
        }
        let scenario = parse_scenario(register.as_bytes(), "s.json").unwrap();
        assert!(check(&design, &scenario, false, BUDGET).is_empty());
        assert_eq!(check(&design, &scenario, true, BUDGET).len(), 1);
    }
}
