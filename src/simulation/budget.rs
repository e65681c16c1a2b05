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
    // Each request may store at most one item per writer it can reach, and most reach each
    // writer once: the worst case that real designs meet. Schedules may reach any writer.
    let writers = writers_reached(design);
    let all_writers = design.services.iter().filter(|s| is_writer(s)).count() as u64;
    let firings: u64 = scenario.schedules.values().map(|t| t.len() as u64).sum();
    let sends = scenario.request_count().saturating_add(firings);
    let items = scenario
        .requests
        .iter()
        .map(|request| {
            let reached = writers.get(&*request.route).copied().unwrap_or(0);
            request.repeat.saturating_mul(reached)
        })
        .fold(0u64, u64::saturating_add)
        .saturating_mul(scenario.rounds)
        .saturating_add(firings.saturating_mul(all_writers));
    let per_item = ITEM_OVERHEAD + body * VALUE_FACTOR;
    let store = items.saturating_mul(per_item);
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

/// What one request, timed action or queued message in flight costs, about: its state, the
/// heap or queue slot, and its share of the payload.
const IN_FLIGHT_COST: u64 = 256;

/// The most requests, timed actions and queued messages a run may hold at once: half the
/// budget. A run that gets there stops with [`super::Simulation::stopped`] rather than abort.
pub(super) fn hold_limit(budget: Budget) -> usize {
    usize::try_from(budget.bytes / 2 / IN_FLIGHT_COST).unwrap_or(usize::MAX)
}

/// Whether a service stores what reaches it.
fn is_writer(service: &crate::model::Service) -> bool {
    service.kind == ServiceKind::Bucket
        || matches!(
            effective_behavior(service.kind, service.behavior),
            Behavior::Register | Behavior::StorePut
        )
}

/// For each gateway route, how many writers a request on it can reach: through the edges
/// that carry the route's event out of its gateway, then through any edge.
fn writers_reached(design: &Design) -> std::collections::HashMap<&str, u64> {
    let n = design.services.len();
    let mut outs: Vec<Vec<(usize, &str)>> = vec![Vec::new(); n];
    for edge in &design.edges {
        outs[edge.from.0 as usize].push((edge.to.0 as usize, &edge.event));
    }
    let mut reached = std::collections::HashMap::new();
    for (gateway, service) in design.services.iter().enumerate() {
        for route in &service.routes {
            let mut seen = vec![false; n];
            let mut stack: Vec<usize> = outs[gateway]
                .iter()
                .filter(|(_, event)| *event == route.event)
                .map(|&(to, _)| to)
                .collect();
            let mut count = 0;
            while let Some(at) = stack.pop() {
                if std::mem::replace(&mut seen[at], true) {
                    continue;
                }
                count += u64::from(is_writer(&design.services[at]));
                stack.extend(outs[at].iter().map(|&(to, _)| to));
            }
            let entry = reached.entry(route.route.as_str()).or_insert(0);
            *entry = count.max(*entry);
        }
    }
    reached
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
        // Logins reach no writer, so only kept requests count: a streaming run of any length
        // fits, a kept one does not.
        let login = r#"{"repeat": 100000000, "requests": [{"route": "POST /login",
            "body": {"name": "nobody", "password": "wrong password"}}]}"#;
        assert!(problems(login, false).is_empty());
        assert_eq!(problems(login, true).len(), 1);
    }
}
