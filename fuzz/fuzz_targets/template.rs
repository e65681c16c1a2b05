//! The template importer on arbitrary bytes: no panic, no hang, no huge allocation (aliases
//! and nesting are bounded), and what imports is a design that saves, loads back the same and
//! can be analysed and classified.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(imported) = event_architect::template::import_bytes(data, "fuzz.yaml") else {
        return;
    };
    let design = &imported.design;
    let saved = event_architect::io::to_json(design);
    let again = event_architect::io::parse_design(saved.as_bytes(), "fuzz.json");
    assert_eq!(again.as_ref().ok(), Some(design), "save/load round trip");
    let analysis = event_architect::analysis::analyze(design);
    let loops = event_architect::analysis::classify(design, &analysis);
    assert_eq!(loops.len(), analysis.cycles.len());
});
