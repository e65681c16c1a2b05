//! The scenario parser on arbitrary bytes: no panic, no hang, no huge allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(scenario) = event_architect::simulation::scenario::parse_scenario(data, "fuzz") {
        // What parses can be counted without overflow.
        let _ = scenario.request_count();
    }
});
