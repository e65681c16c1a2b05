//! Input that must be read whole, read within the memory budget and checked as it arrives.
//!
//! Standard input, pipes and devices cannot be read twice, and the general reader needs the
//! whole text. Reading them to the end first is what let `/dev/zero` grow until the machine
//! killed it. Here the bytes go through a streaming syntax check (serde_json skipping every
//! value, which holds no more than a byte per open bracket) while they are kept, so a byte that
//! is not JSON, or anything but whitespace after the value, ends the read at that byte, and a
//! well-formed text longer than the budget ends it at the budget.

use std::io::{self, BufReader, Read};

use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::diagnostics::strip_position;
use crate::io::LoadError;
use crate::limits::{Budget, human_bytes};

/// Where the bytes come from, for the message when they are too many.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// Standard input, a pipe or a device: kept while read.
    Stream,
    /// A regular file of this many bytes that the streaming reader could not take.
    File(u64),
}

/// Reads a whole design or scenario text, at most `limit` bytes, stopping at the first byte
/// that is not well-formed JSON. `what` says what the text is (`a design`, `a scenario`).
///
/// On a syntax error the bytes read so far (through the bad byte) are returned, not the error:
/// the caller's own parser then fails on them at the same byte, in its own words, so a design
/// read from a pipe gets exactly the message the same bytes get from a file or from memory.
pub fn read_checked(
    reader: impl Read,
    origin: &str,
    limit: u64,
    what: &str,
) -> Result<Vec<u8>, LoadError> {
    let mut bytes = Vec::new();
    let mut over = false;
    let capture = Capture {
        inner: reader,
        bytes: &mut bytes,
        limit,
        over: &mut over,
    };
    let checked = check_syntax(capture, origin);
    if over {
        return Err(too_large(origin, Source::Stream, limit, what));
    }
    match checked {
        Ok(()) | Err(LoadError::Syntax { .. }) => Ok(bytes),
        Err(error) => Err(error),
    }
}

/// Checks that `reader` holds one well-formed JSON value (after at most one byte-order mark)
/// and nothing but whitespace after it, in memory that does not grow with the input. The error
/// is serde_json's, at the same line and column as the general reader's.
pub fn check_syntax(reader: impl Read, origin: &str) -> Result<(), LoadError> {
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    skip_bom(&mut reader).map_err(|source| LoadError::Io {
        origin: origin.to_owned(),
        source,
    })?;
    let mut deserializer = serde_json::Deserializer::from_reader(reader);
    IgnoredAny::deserialize(&mut deserializer)
        .and_then(|_| deserializer.end())
        .map_err(|error| match error.io_error_kind() {
            Some(kind) => LoadError::Io {
                origin: origin.to_owned(),
                source: io::Error::new(kind, strip_position(&error.to_string())),
            },
            None => LoadError::Syntax {
                origin: origin.to_owned(),
                line: error.line(),
                column: error.column(),
                message: strip_position(&error.to_string()),
            },
        })
}

/// The error for a text over the budget, with how to get it read.
pub fn too_large(origin: &str, source: Source, limit: u64, what: &str) -> LoadError {
    let budget = Budget::current();
    let (message, needed) = match source {
        Source::Stream => (
            format!(
                "more than {} of {what} read from a stream (the limit for input that is read whole)",
                human_bytes(limit)
            ),
            limit.saturating_mul(2),
        ),
        Source::File(size) => (
            format!(
                "{} of {what} in a layout the streaming reader does not take; it must be read whole, and the limit for that is {}",
                human_bytes(size),
                human_bytes(limit)
            ),
            size.saturating_mul(crate::limits::WHOLE_READ_FACTOR),
        ),
    };
    let hint = match source {
        Source::Stream => format!(
            "save it to a file and pass the file (a design saved by the app is streamed), or {}",
            budget.raise_hint(needed)
        ),
        Source::File(_) => format!(
            "save it again from the app (which writes the streamed layout), or {}",
            budget.raise_hint(needed)
        ),
    };
    LoadError::Limit {
        origin: origin.to_owned(),
        message,
        hint,
    }
}

/// Skips one UTF-8 byte-order mark, the one Windows editors write; JSON itself has none.
fn skip_bom(reader: &mut BufReader<impl Read>) -> io::Result<()> {
    use io::BufRead;
    // A mark split over reads is not worth handling: the first read of a file or pipe holds at
    // least three bytes unless the input is shorter.
    let head = reader.fill_buf()?;
    if head.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
    }
    Ok(())
}

/// Keeps what passes through, up to `limit` bytes; past it, reading fails and `over` is set.
struct Capture<'a, R> {
    inner: R,
    bytes: &'a mut Vec<u8>,
    limit: u64,
    over: &'a mut bool,
}

impl<R: Read> Read for Capture<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if self.bytes.len() as u64 + n as u64 > self.limit {
            *self.over = true;
            return Err(io::Error::other("over the limit"));
        }
        self.bytes.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax(text: impl Read) -> Option<(usize, usize)> {
        match check_syntax(text, "t.json") {
            Ok(()) => None,
            Err(LoadError::Syntax { line, column, .. }) => Some((line, column)),
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn the_check_fails_at_the_first_bad_byte_whatever_follows() {
        assert_eq!(syntax(&b"{\"a\": [1, 2]}\n"[..]), None);
        assert_eq!(syntax(&b"\xEF\xBB\xBF{}"[..]), None);
        // An endless source of zeros stops at its first byte.
        assert_eq!(syntax(io::repeat(0).take(1 << 40)), Some((1, 1)));
        // Valid JSON followed by garbage stops at the garbage.
        let tail = (&b"{\"a\": 1}\n"[..]).chain(io::repeat(0).take(1 << 40));
        assert_eq!(syntax(tail), Some((2, 1)));
        // Deep nesting is skipped in a byte per level.
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(syntax(deep.as_bytes()), None);
    }

    #[test]
    fn every_way_in_gives_the_general_readers_message() {
        // serde skipping a value words some errors differently from serde reading a design
        // ("key must be a string" for a trailing comma): each reader reports the general one.
        let text = br#"{"version": 1, "services": [],}"#;
        let general = crate::io::parse_design(text, "t.json")
            .unwrap_err()
            .to_string();
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("t.json");
        std::fs::write(&path, text).unwrap();
        let from_file = crate::io::load_path(&path).unwrap_err().to_string();
        let origin = path.display().to_string();
        assert_eq!(from_file, general.replace("t.json", &origin));
        let kept = read_checked(&text[..], "t.json", 1 << 20, "a design").unwrap();
        let from_stream = crate::io::parse_design(&kept, "t.json")
            .unwrap_err()
            .to_string();
        assert_eq!(from_stream, general);
    }

    #[test]
    fn the_check_gives_the_general_readers_position_and_message() {
        let text = b"{\n  \"name\": \"x\",\n  \"services\": [1 2]\n}";
        let ours = check_syntax(&text[..], "t.json").unwrap_err().to_string();
        let general = crate::io::parse_design(text, "t.json")
            .unwrap_err()
            .to_string();
        assert_eq!(ours, general);
    }

    #[test]
    fn a_stream_is_kept_up_to_the_limit_and_refused_past_it() {
        let text = br#"{"name": "x", "services": []}"#;
        let kept = read_checked(&text[..], "<stdin>", 1024, "a design").unwrap();
        assert_eq!(kept, text);
        // Up to a bad byte, not past it: an endless stream of zeros gives what was read.
        let zeros = read_checked(io::repeat(0), "<stdin>", 1 << 30, "a design").unwrap();
        assert!(
            !zeros.is_empty() && zeros.len() <= 64 * 1024,
            "{}",
            zeros.len()
        );
        let long = format!("[{}1]", "1, ".repeat(1000));
        let error = read_checked(long.as_bytes(), "<stdin>", 100, "a design").unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, LoadError::Limit { .. }), "{message}");
        assert!(message.contains("EVENT_ARCHITECT_MEMORY_MIB="), "{message}");
    }
}
