//! The design loader on arbitrary bytes: no panic, no hang, no huge allocation, and the two
//! ways in agree. `parse_design` reads bytes in memory; `load_path` streams a file through the
//! byte-level fast reader's window and falls back to serde. Same bytes, same design or same
//! error (compared as Debug text, since `LoadError` holds an `io::Error`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir();
    let path = dir.join(format!("event-architect-fuzz-{}.json", std::process::id()));
    let origin = path.display().to_string();
    let in_memory = event_architect::io::parse_design(data, &origin);
    let written = std::fs::File::create(&path).and_then(|mut file| file.write_all(data));
    if written.is_err() {
        return;
    }
    let streamed = event_architect::io::load_path(&path);
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        format!("{in_memory:?}"),
        format!("{streamed:?}"),
        "parse_design and load_path disagree"
    );
    if let Ok(design) = in_memory {
        // What loads also saves and loads back to the same design.
        let saved = event_architect::io::to_json(&design);
        let again = event_architect::io::parse_design(saved.as_bytes(), &origin);
        assert_eq!(again.as_ref().ok(), Some(&design), "save/load round trip");
    }
});
