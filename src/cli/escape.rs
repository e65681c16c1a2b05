//! What the CLI prints for a terminal: values from a file or an argument made harmless.
//!
//! An id is any Unicode, so raw it could hold a newline that forges an `ok: no cycles` line,
//! an ANSI escape that rewrites the screen, or a bidi override that shows `a -> b` as `b -> a`.
//! Everything the CLI prints as text (reports, errors) goes through here; JSON, Markdown, DOT
//! and Mermaid output keep exact values under their own escaping.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Longest value shown whole, in characters; longer ones are cut with their length said.
pub const VALUE_CHARS: usize = 120;
/// Longest line of a message shown whole, in characters (a message quotes values itself).
pub const LINE_CHARS: usize = 1000;

/// True for characters that would change what a terminal shows rather than show themselves:
/// C0 and C1 controls, DEL, bidi embeddings, overrides, isolates and marks, and the Unicode
/// line and paragraph separators.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            | '\u{2028}' | '\u{2029}')
}

/// `text` with every unsafe character written as an escape: `\n`, `\r`, `\t`, `\u{1b}`.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` cut to `max_chars` characters, saying how long it was: `abc… (50000000 bytes)`.
pub fn cut(text: &str, max_chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        None => Cow::Borrowed(text),
        Some((end, _)) => Cow::Owned(format!("{}… ({} bytes)", &text[..end], text.len())),
    }
}

/// A value (an id, an event name, a path) as the CLI prints it: cut to [`VALUE_CHARS`] first
/// (so a 50 MB id costs nothing to escape), then escaped.
pub fn value(text: &str) -> String {
    let cut = cut(text, VALUE_CHARS);
    escape(&cut).into_owned()
}

/// A message of several lines (a library error's text) as the CLI prints it: its line breaks
/// kept, every other unsafe character escaped, and each line over [`LINE_CHARS`] cut in the
/// middle, keeping its start and its end (where clap and our errors say which argument or
/// field it was): `invalid value 'ppp… (cut: 100047 bytes in all) …ppp' for '--format'`.
pub fn message(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(1 << 16));
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&escape(&cut_middle(line, LINE_CHARS)));
    }
    out
}

fn cut_middle(line: &str, max_chars: usize) -> Cow<'_, str> {
    let Some((head_end, _)) = line.char_indices().nth(max_chars * 3 / 4) else {
        return Cow::Borrowed(line);
    };
    let tail_chars = max_chars / 4;
    let Some((tail_start, _)) = line.char_indices().rev().nth(tail_chars.saturating_sub(1)) else {
        return Cow::Borrowed(line);
    };
    if tail_start <= head_end {
        return Cow::Borrowed(line);
    }
    Cow::Owned(format!(
        "{}… (cut: {} bytes in all) …{}",
        &line[..head_end],
        line.len(),
        &line[tail_start..]
    ))
}

/// Escapes what a terminal would act on in a stream of text (Markdown, DOT, Mermaid plans and
/// every report, when standard output is a terminal): like [`escape`], but line breaks and
/// tabs pass, and bytes that are not UTF-8 are shown as `\x..`. Text cut between two writes
/// in the middle of a character is held until the rest arrives.
pub struct TerminalWriter<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> TerminalWriter<W> {
    /// Wraps a writer.
    pub fn new(inner: W) -> TerminalWriter<W> {
        TerminalWriter {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes out what is pending; `end` says no more bytes will come, so an incomplete
    /// character at the end is shown as bytes.
    fn drain(&mut self, end: bool) -> std::io::Result<()> {
        let mut out = String::with_capacity(self.pending.len() + 16);
        let mut rest = &self.pending[..];
        loop {
            match std::str::from_utf8(rest) {
                Ok(text) => {
                    push_terminal_text(&mut out, text);
                    rest = &[];
                    break;
                }
                Err(error) => {
                    let (valid, after) = rest.split_at(error.valid_up_to());
                    // from_utf8 said these bytes are valid.
                    push_terminal_text(&mut out, std::str::from_utf8(valid).unwrap_or_default());
                    match error.error_len() {
                        Some(n) => {
                            for byte in &after[..n] {
                                let _ = write!(out, "\\x{byte:02x}");
                            }
                            rest = &after[n..];
                        }
                        None if end => {
                            for byte in after {
                                let _ = write!(out, "\\x{byte:02x}");
                            }
                            rest = &[];
                            break;
                        }
                        None => {
                            rest = after;
                            break;
                        }
                    }
                }
            }
        }
        let kept = rest.len();
        let start = self.pending.len() - kept;
        self.pending.drain(..start);
        self.inner.write_all(out.as_bytes())
    }
}

fn push_terminal_text(out: &mut String, text: &str) {
    for c in text.chars() {
        if matches!(c, '\n' | '\t') || !is_unsafe(c) {
            out.push(c);
        } else if c == '\r' {
            out.push_str("\\r");
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

impl<W: std::io::Write> std::io::Write for TerminalWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        self.drain(false)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.drain(true)?;
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(escape("gateway-é ✓"), Cow::Borrowed(_)));
        assert_eq!(escape("a\nok: no cycles"), "a\\nok: no cycles");
        assert_eq!(escape("\u{1b}[2J\r\t"), "\\u{1b}[2J\\r\\t");
        assert_eq!(
            escape("x\u{202E}y\u{2066}z\u{85}"),
            "x\\u{202e}y\\u{2066}z\\u{85}"
        );
        assert_eq!(escape("\u{7f}\u{2028}"), "\\u{7f}\\u{2028}");
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        let long = "é".repeat(10_000);
        let shown = value(&long);
        assert!(shown.starts_with(&"é".repeat(VALUE_CHARS)));
        assert!(shown.ends_with("… (20000 bytes)"), "{shown}");
        assert_eq!(value("short"), "short");
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "abc… (4 bytes)");
    }

    #[test]
    fn messages_keep_their_lines_and_escape_the_rest() {
        let text = format!(
            "error: x\n  hint: y\u{1b}[31m\n'{}' for '--format'",
            "z".repeat(5000)
        );
        let shown = message(&text);
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1], "  hint: y\\u{1b}[31m");
        assert!(lines[2].starts_with("'zzz"), "{}", lines[2]);
        assert!(
            lines[2].contains("… (cut: 5017 bytes in all) …"),
            "{}",
            lines[2]
        );
        assert!(lines[2].ends_with("zz' for '--format'"), "{}", lines[2]);
        assert!(lines[2].chars().count() < LINE_CHARS + 40);
        assert_eq!(message(&"y".repeat(LINE_CHARS)), "y".repeat(LINE_CHARS));
        assert!(message("a\rb").contains("\\r"));
    }

    #[test]
    fn a_terminal_stream_keeps_lines_and_escapes_the_rest_across_writes() {
        use std::io::Write;
        let mut out = TerminalWriter::new(Vec::new());
        let text = "| a\u{1b}[31m | b\u{202e}c |\n\tnext é\r\n".as_bytes();
        // Cut inside the two-byte é and the three-byte U+202E.
        let cut_at = [3, 13, 14, text.len() - 4, text.len() - 3];
        let mut start = 0;
        for &end in &cut_at {
            out.write_all(&text[start..end]).unwrap();
            start = end;
        }
        out.write_all(&text[start..]).unwrap();
        out.write_all(b"bad \xff\xfe end \xe2\x80").unwrap();
        out.flush().unwrap();
        let shown = String::from_utf8(out.inner).unwrap();
        assert_eq!(
            shown,
            "| a\\u{1b}[31m | b\\u{202e}c |\n\tnext é\\r\nbad \\xff\\xfe end \\xe2\\x80"
        );
    }
}
