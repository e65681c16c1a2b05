//! Diagnostics shared by every reader (design files, scenarios): [`LoadError`], a located
//! [`Problem`], how a list of them is printed, the did-you-mean matcher, and how a quoted value
//! is cut to a readable length. One place, so the design loader and the simulator word things the same way.

use std::fmt;

/// One thing wrong with an input file: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON path of the offending value, such as `edges[3].to`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

impl Problem {
    /// A problem at `path`.
    pub fn new(
        path: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} (hint: {})", self.path, self.message, self.hint)
    }
}

/// `origin: N problems<what>` and one indented entry per problem, then `... and N more`.
pub fn render(origin: &str, what: &str, problems: &[Problem], more: usize) -> String {
    let total = problems.len() + more;
    let plural = if total == 1 { "" } else { "s" };
    let mut text = format!("{origin}: {total} problem{plural}{what}");
    for problem in problems {
        text.push_str(&format!(
            "\n  {}: {}\n    hint: {}",
            problem.path, problem.message, problem.hint
        ));
    }
    if more > 0 {
        text.push_str(&format!("\n  ... and {more} more"));
    }
    text
}

/// The known word most like `word`, when one is close enough to be a likely typo (edit distance
/// at most 2, or a quarter of the word). Bounded so a list of a million ids is not searched.
pub fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    if known.len() > 20_000 {
        return None;
    }
    known
        .iter()
        .map(|candidate| (strsim::levenshtein(word, candidate), *candidate))
        .filter(|(distance, candidate)| {
            *distance > 0 && *distance <= 2.max(candidate.chars().count() / 4)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// The JSON type of a value, for messages ("expected a string, found a whole number").
pub fn json_type(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "a whole number",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// serde_json appends " at line L column C" to its messages; we print the position ourselves.
pub fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// Values quoted in messages are cut to this many characters.
pub const QUOTE_LIMIT: usize = 80;

/// A value to quote in a message: whole when short, else its start and how long it is, so a
/// 50 MB id does not give 50 MB of error text.
pub fn cut(text: &str) -> String {
    if text.chars().count() <= QUOTE_LIMIT {
        return text.to_owned();
    }
    let start: String = text.chars().take(QUOTE_LIMIT).collect();
    format!("{start}... ({} bytes in all)", text.len())
}

/// Why an input file (a design, a scenario) could not be read. Nothing is half-loaded: a caller
/// keeps what it had.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read at all.
    #[error("cannot read {origin}: {source}")]
    Io {
        /// The file.
        origin: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The text is not well-formed JSON.
    #[error(
        "{origin}:{line}:{column}: malformed JSON: {message}\n  hint: fix the JSON syntax at that line and column (a missing comma, quote or bracket is the usual cause)"
    )]
    Syntax {
        /// The file.
        origin: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// The input is more than the memory budget lets a command hold (see [`crate::limits`]).
    #[error("{origin}: {message}\n  hint: {hint}")]
    Limit {
        /// The file.
        origin: String,
        /// What is too large, with the sizes.
        message: String,
        /// How to get it read.
        hint: String,
    },
    /// Well-formed JSON that is not a valid design.
    #[error("{}", invalid_message(origin, problems, *more))]
    Invalid {
        /// The file.
        origin: String,
        /// The problems, in file order (at most 100).
        problems: Vec<Problem>,
        /// How many more were found but not listed.
        more: usize,
    },
}

fn invalid_message(origin: &str, problems: &[Problem], more: usize) -> String {
    crate::diagnostics::render(origin, "; nothing was loaded", problems, more)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_are_matched_and_strangers_are_not() {
        let known = ["orders", "payments", "POST /register"];
        assert_eq!(closest("ordres", &known), Some("orders"));
        assert_eq!(closest("POST /regster", &known), Some("POST /register"));
        assert_eq!(closest("inventory", &known), None);
    }

    #[test]
    fn long_values_are_cut_with_their_length() {
        assert_eq!(cut("short"), "short");
        let long = "x".repeat(1000);
        let quoted = cut(&long);
        assert!(
            quoted.len() < 120 && quoted.ends_with("(1000 bytes in all)"),
            "{quoted}"
        );
    }
}
