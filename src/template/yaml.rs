//! Template text (YAML or JSON) to a JSON value with the position of every node.
//!
//! Built on `saphyr-parser`'s event stream rather than a serde deserializer: the events carry
//! each node's tag (`!Ref`, `!GetAtt`, ...) and its line and column, which a serde data model
//! drops. CloudFormation's short-form tags become their long form (`!Ref X` is
//! `{"Ref": "X"}`), so the rest of the importer sees one shape. A repeated key is an error (YAML
//! forbids it; most parsers keep the last one silently), and so are anchors that would expand
//! past [`MAX_NODES`] (the "billion laughs"), nesting deeper than [`MAX_DEPTH`] and texts over
//! [`MAX_TEXT_BYTES`]: the importer's memory is bounded by the text, whatever it claims.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

/// The largest template accepted. CloudFormation itself takes at most 1 MB (from S3).
pub const MAX_TEXT_BYTES: usize = 16 << 20;
/// The most nodes a template may hold, aliases counted at their expanded size.
pub const MAX_NODES: usize = 2_000_000;
/// The deepest nesting accepted.
pub const MAX_DEPTH: usize = 128;

/// Where a node starts: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1 (in characters).
    pub column: u32,
}

/// The positions of a value's nodes, shaped like the value: an array's or object's children in
/// order (an object's by the index of their key).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Positions {
    /// Where this node starts (for an object's entry: where its key starts).
    pub at: Position,
    /// The children's positions.
    pub children: Vec<Positions>,
}

/// A parsed template: the value (intrinsics in long form) and its positions.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// The whole template as JSON.
    pub value: Value,
    /// Where each node of `value` is.
    pub positions: Positions,
}

/// One step of a path into a [`Located`] value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// An object's key.
    Key(&'a str),
    /// An array's index.
    Index(usize),
}

impl Located {
    /// Where the node at `path` is, or the nearest node on the way there that exists.
    pub fn position(&self, path: &[Step]) -> Position {
        let (mut value, mut positions) = (&self.value, &self.positions);
        for step in path {
            let child = match (step, value) {
                (Step::Key(key), Value::Object(map)) => map
                    .iter()
                    .position(|(k, _)| k == key)
                    .and_then(|index| Some((index, map.get(*key)?))),
                (Step::Index(index), Value::Array(items)) => {
                    items.get(*index).map(|child| (*index, child))
                }
                _ => None,
            };
            match child.and_then(|(index, child)| Some((child, positions.children.get(index)?))) {
                Some((child, child_positions)) => {
                    value = child;
                    positions = child_positions;
                }
                None => break,
            }
        }
        positions.at
    }
}

/// Why a text could not be parsed: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where (line and column 0 when the problem is the text as a whole).
    pub at: Position,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl SyntaxError {
    fn new(at: Position, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            at,
            message: message.into(),
        }
    }
}

/// CloudFormation's short-form tags and the long form each becomes.
const SHORT_FORMS: &[(&str, &str)] = &[
    ("Ref", "Ref"),
    ("Condition", "Condition"),
    ("GetAtt", "Fn::GetAtt"),
    ("Sub", "Fn::Sub"),
    ("Join", "Fn::Join"),
    ("If", "Fn::If"),
    ("Select", "Fn::Select"),
    ("ImportValue", "Fn::ImportValue"),
    ("FindInMap", "Fn::FindInMap"),
    ("Split", "Fn::Split"),
    ("GetAZs", "Fn::GetAZs"),
    ("Base64", "Fn::Base64"),
    ("Cidr", "Fn::Cidr"),
    ("Equals", "Fn::Equals"),
    ("Not", "Fn::Not"),
    ("And", "Fn::And"),
    ("Or", "Fn::Or"),
    ("Transform", "Fn::Transform"),
    ("Length", "Fn::Length"),
    ("ToJsonString", "Fn::ToJsonString"),
];

/// How many closing brackets [`parse`] moves right before it gives up.
const MAX_REINDENTS: usize = 32;

/// Parses a YAML (or JSON, which is YAML) template. An empty text is an error.
///
/// One leniency: a flow list or mapping closed on a line of its own at the indentation of its
/// key (`Resource: [` ... `]`) is invalid YAML 1.2, which `saphyr` enforces, but libyaml (and
/// so PyYAML, cfn-lint and the SAM CLI) accepts it and real templates have it. Such a line is
/// moved right one space at a time and the text parsed again (at most [`MAX_REINDENTS`]
/// times); only that line's columns shift, by the spaces added.
pub fn parse(text: &str) -> Result<Located, SyntaxError> {
    let mut text = std::borrow::Cow::Borrowed(text);
    for _ in 0..MAX_REINDENTS {
        match parse_once(&text) {
            Err(error) if error.message == "YAML syntax: invalid indentation" => {
                let line = error.at.line as usize;
                let Some(fixed) = reindent_closing(&text, line) else {
                    return Err(error);
                };
                text = std::borrow::Cow::Owned(fixed);
            }
            other => return other,
        }
    }
    parse_once(&text)
}

/// The text with one more space before line `line` (1-based) when that line holds only
/// closing brackets (and commas); `None` otherwise.
fn reindent_closing(text: &str, line: usize) -> Option<String> {
    let start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let rest = &text[start..];
    let content = rest.split('\n').next().unwrap_or("").trim();
    let closing = !content.is_empty()
        && content
            .chars()
            .all(|c| matches!(c, ']' | '}' | ',' | ' ' | '\r'));
    if !closing {
        return None;
    }
    let mut fixed = String::with_capacity(text.len() + 1);
    fixed.push_str(&text[..start]);
    fixed.push(' ');
    fixed.push_str(rest);
    Some(fixed)
}

fn parse_once(text: &str) -> Result<Located, SyntaxError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(SyntaxError::new(
            Position::default(),
            format!(
                "the template is {} bytes; templates over {} MiB are refused (CloudFormation takes at most 1 MB)",
                text.len(),
                MAX_TEXT_BYTES >> 20
            ),
        ));
    }
    let mut builder = Builder {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
        nodes: 0,
    };
    let mut document = None;
    loop {
        let (event, span) = builder.next()?;
        match event {
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => {}
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                if document.is_some() {
                    return Err(SyntaxError::new(
                        at(&span),
                        "a second YAML document (`---`): a template is one document",
                    ));
                }
                let (event, span) = builder.next()?;
                document = Some(builder.node(event, span, 0)?);
            }
            _ => {
                return Err(SyntaxError::new(at(&span), "unexpected YAML event"));
            }
        }
    }
    match document {
        Some((value, positions)) => Ok(Located { value, positions }),
        None => Err(SyntaxError::new(
            Position { line: 1, column: 1 },
            "the file is empty: a template is a mapping with a Resources section",
        )),
    }
}

fn at(span: &Span) -> Position {
    Position {
        line: span.start.line().min(u32::MAX as usize) as u32,
        column: (span.start.col() + 1).min(u32::MAX as usize) as u32,
    }
}

struct Builder<'a> {
    parser: Parser<'a, saphyr_parser::StrInput<'a>>,
    /// Anchored nodes by anchor id, with their node count.
    anchors: HashMap<usize, (Value, Positions, usize)>,
    /// Nodes built so far, aliases counted at their size.
    nodes: usize,
}

type Built = (Value, Positions);

impl<'a> Builder<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), SyntaxError> {
        match self.parser.next_event() {
            Some(Ok(pair)) => Ok(pair),
            Some(Err(error)) => {
                let mark = error.marker();
                Err(SyntaxError::new(
                    Position {
                        line: mark.line().min(u32::MAX as usize) as u32,
                        column: (mark.col() + 1).min(u32::MAX as usize) as u32,
                    },
                    format!("YAML syntax: {}", error.info()),
                ))
            }
            None => Err(SyntaxError::new(
                Position::default(),
                "the YAML ends in the middle of a value",
            )),
        }
    }

    fn count(&mut self, nodes: usize, span: &Span) -> Result<(), SyntaxError> {
        self.nodes = self.nodes.saturating_add(nodes);
        if self.nodes > MAX_NODES {
            return Err(SyntaxError::new(
                at(span),
                format!(
                    "the template holds more than {MAX_NODES} values (aliases counted at their expanded size); refused to bound memory"
                ),
            ));
        }
        Ok(())
    }

    /// One node from its first event, recursively (depth-limited).
    fn node(&mut self, event: Event<'a>, span: Span, depth: usize) -> Result<Built, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(SyntaxError::new(
                at(&span),
                format!("values are nested more than {MAX_DEPTH} deep; refused"),
            ));
        }
        let here = Positions {
            at: at(&span),
            children: Vec::new(),
        };
        let before = self.nodes;
        let (built, anchor) = match event {
            Event::Alias(id) => {
                let Some((value, positions, size)) = self.anchors.get(&id) else {
                    return Err(SyntaxError::new(here.at, "an alias names no anchor"));
                };
                let (value, positions, size) = (value.clone(), positions.clone(), *size);
                self.count(size, &span)?;
                return Ok((value, positions));
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, &span)?;
                let value = scalar(&text, style, tag.as_deref(), here.at)?;
                (wrap_tag(value, tag.as_deref(), here, &span)?, anchor)
            }
            Event::SequenceStart(anchor, tag) => {
                self.count(1, &span)?;
                let mut items = Vec::new();
                let mut children = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    let (value, positions) = self.node(event, span, depth + 1)?;
                    items.push(value);
                    children.push(positions);
                }
                let built = (
                    Value::Array(items),
                    Positions {
                        at: here.at,
                        children,
                    },
                );
                (wrap_built(built, tag.as_deref(), &span)?, anchor)
            }
            Event::MappingStart(anchor, tag) => {
                self.count(1, &span)?;
                let mut map = Map::new();
                let mut children = Vec::new();
                loop {
                    let (event, key_span) = self.next()?;
                    if matches!(event, Event::MappingEnd) {
                        break;
                    }
                    let key = match event {
                        Event::Scalar(text, ..) => text.into_owned(),
                        _ => {
                            return Err(SyntaxError::new(
                                at(&key_span),
                                "a mapping key must be a plain value (a name), not a list, a mapping or an alias",
                            ));
                        }
                    };
                    let (event, span) = self.next()?;
                    let (value, mut positions) = self.node(event, span, depth + 1)?;
                    if map.contains_key(&key) {
                        return Err(SyntaxError::new(
                            at(&key_span),
                            format!(
                                "the key \"{}\" is repeated in this mapping; keep one",
                                crate::diagnostics::cut(&key)
                            ),
                        ));
                    }
                    // An entry is found by its key's position: that is what an editor shows.
                    positions.at = at(&key_span);
                    map.insert(key, value);
                    children.push(positions);
                }
                let built = (
                    Value::Object(map),
                    Positions {
                        at: here.at,
                        children,
                    },
                );
                (wrap_built(built, tag.as_deref(), &span)?, anchor)
            }
            _ => return Err(SyntaxError::new(here.at, "unexpected YAML event")),
        };
        if anchor > 0 {
            let size = self.nodes - before;
            self.anchors
                .insert(anchor, (built.0.clone(), built.1.clone(), size));
        }
        Ok(built)
    }
}

/// The long-form key of a CloudFormation tag, `None` for a YAML core tag (`!!str`).
fn long_form(tag: &Tag, at: Position) -> Result<Option<&'static str>, SyntaxError> {
    if tag.is_yaml_core_schema() {
        return Ok(None);
    }
    let name = if tag.handle == "!" {
        tag.suffix.as_str()
    } else {
        ""
    };
    match SHORT_FORMS.iter().find(|(short, _)| *short == name) {
        Some((_, long)) => Ok(Some(long)),
        None => Err(SyntaxError::new(
            at,
            format!(
                "unknown tag {}{}: CloudFormation's short forms are !Ref, !GetAtt, !Sub, !Join, !If, !Select, !ImportValue, !FindInMap, !Split, !GetAZs, !Base64, !Cidr, !Equals, !Not, !And, !Or and !Condition",
                tag.handle, tag.suffix
            ),
        )),
    }
}

/// A scalar with its tag applied: `!GetAtt A.B` becomes `{"Fn::GetAtt": ["A", "B"]}`.
fn wrap_tag(
    value: Value,
    tag: Option<&Tag>,
    here: Positions,
    span: &Span,
) -> Result<Built, SyntaxError> {
    let Some(tag) = tag else {
        return Ok((value, here));
    };
    let Some(long) = long_form(tag, here.at)? else {
        return Ok((value, here));
    };
    let inner = match (long, value) {
        ("Fn::GetAtt", Value::String(text)) => {
            let Some((resource, attribute)) = text.split_once('.') else {
                return Err(SyntaxError::new(
                    at(span),
                    format!(
                        "!GetAtt {}: name the resource and the attribute, as in !GetAtt MyQueue.Arn",
                        crate::diagnostics::cut(&text)
                    ),
                ));
            };
            let parts = Value::Array(vec![resource.into(), attribute.into()]);
            let positions = Positions {
                at: here.at,
                children: vec![here.clone(), here.clone()],
            };
            (parts, positions)
        }
        (_, value) => (value, here.clone()),
    };
    let mut map = Map::new();
    map.insert(long.to_owned(), inner.0);
    Ok((
        Value::Object(map),
        Positions {
            at: here.at,
            children: vec![inner.1],
        },
    ))
}

/// A list or mapping with its tag applied (`!Join [",", [a, b]]`).
fn wrap_built(built: Built, tag: Option<&Tag>, span: &Span) -> Result<Built, SyntaxError> {
    let Some(tag) = tag else {
        return Ok(built);
    };
    let Some(long) = long_form(tag, at(span))? else {
        return Ok(built);
    };
    let here = built.1.at;
    let mut map = Map::new();
    map.insert(long.to_owned(), built.0);
    Ok((
        Value::Object(map),
        Positions {
            at: here,
            children: vec![built.1],
        },
    ))
}

/// A scalar's value under YAML 1.2's core schema: only a plain (unquoted) scalar can be null,
/// a boolean or a number; `!!str` keeps any text a string. A number with a leading zero
/// (`012345678901`, an account id) stays text, so it is not changed by a round trip.
fn scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    _at: Position,
) -> Result<Value, SyntaxError> {
    let core = tag
        .filter(|t| t.is_yaml_core_schema())
        .map(|t| t.suffix.as_str());
    if core == Some("str") || style != ScalarStyle::Plain {
        return Ok(Value::String(text.to_string()));
    }
    let text: &str = text;
    Ok(match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" => Value::Bool(true),
        "false" | "False" | "FALSE" => Value::Bool(false),
        _ => number(text).unwrap_or_else(|| Value::String(text.to_owned())),
    })
}

fn number(text: &str) -> Option<Value> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let first = digits.bytes().next()?;
    if !first.is_ascii_digit() && first != b'.' {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.") {
        return None;
    }
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = text.parse::<i64>() {
            return Some(Value::Number(n.into()));
        }
        if let Ok(n) = text.trim_start_matches('+').parse::<u64>() {
            return Some(Value::Number(n.into()));
        }
        return None;
    }
    let float_shape = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'));
    if !float_shape || digits.contains("..") {
        return None;
    }
    let n: f64 = text.parse().ok()?;
    Number::from_f64(n).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn value(text: &str) -> Value {
        parse(text).unwrap().value
    }

    #[test]
    fn short_forms_become_long_forms() {
        let parsed = value(
            "A: !Ref X\nB: !GetAtt Queue.Arn\nC: !Sub '${X}-y'\nD: !Join [',', [a, !Ref Y]]\nE: !If [Cond, 1, 2]\nF: !GetAZs ''\nG: !Condition IsProd\nH: !Select [0, !GetAZs '']\n",
        );
        assert_eq!(
            parsed,
            json!({
                "A": {"Ref": "X"},
                "B": {"Fn::GetAtt": ["Queue", "Arn"]},
                "C": {"Fn::Sub": "${X}-y"},
                "D": {"Fn::Join": [",", ["a", {"Ref": "Y"}]]},
                "E": {"Fn::If": ["Cond", 1, 2]},
                "F": {"Fn::GetAZs": ""},
                "G": {"Condition": "IsProd"},
                "H": {"Fn::Select": [0, {"Fn::GetAZs": ""}]},
            })
        );
    }

    #[test]
    fn scalars_follow_the_core_schema_and_keep_leading_zeros() {
        let parsed = value(
            "a: 2010-09-09\nb: 012345678901\nc: 10\nd: 1.5\ne: 'true'\nf: true\ng: ~\nh: -3\ni: !!str 7\nj: 1e3\n",
        );
        assert_eq!(
            parsed,
            json!({"a": "2010-09-09", "b": "012345678901", "c": 10, "d": 1.5, "e": "true",
                   "f": true, "g": null, "h": -3, "i": "7", "j": 1000.0})
        );
    }

    #[test]
    fn positions_point_at_keys_and_values() {
        let located = parse("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n").unwrap();
        let at = located.position(&[
            Step::Key("Resources"),
            Step::Key("Queue"),
            Step::Key("Type"),
        ]);
        assert_eq!((at.line, at.column), (3, 5));
        // A path that goes on past what exists stops at the last node found.
        let at = located.position(&[Step::Key("Resources"), Step::Key("Nope")]);
        assert_eq!(at.line, 1);
    }

    #[test]
    fn json_is_read_too() {
        let parsed = value(r#"{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "N": [1, "x"]}}}"#);
        assert_eq!(
            parsed,
            json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "N": [1, "x"]}}})
        );
    }

    #[test]
    fn repeated_keys_unknown_tags_and_empty_texts_are_located_errors() {
        let error = parse("Resources:\n  A: 1\n  A: 2\n").unwrap_err();
        assert_eq!((error.at.line, error.at.column), (3, 3));
        assert!(error.message.contains("\"A\" is repeated"), "{error:?}");
        let error = parse("A: !Bogus x\n").unwrap_err();
        assert!(error.message.contains("unknown tag !Bogus"), "{error:?}");
        assert!(parse("").unwrap_err().message.contains("empty"));
        assert!(
            parse("# only a comment\n")
                .unwrap_err()
                .message
                .contains("empty")
        );
        let error = parse("A: [1, 2\n").unwrap_err();
        assert!(error.message.contains("YAML syntax"), "{error:?}");
    }

    #[test]
    fn a_closing_bracket_at_its_keys_indentation_is_accepted_as_libyaml_does() {
        let text = "Statement:\n  - Effect: Allow\n    Resource: [\n      a,\n      b\n    ]\n    Action: x\n";
        assert_eq!(
            value(text),
            json!({"Statement": [{"Effect": "Allow", "Resource": ["a", "b"], "Action": "x"}]})
        );
        // Other bad indentation is still an error.
        assert!(parse("a:\n  b: 1\n c: 2\n").is_err());
    }

    #[test]
    fn an_alias_bomb_is_refused_and_deep_nesting_too() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut previous = 'a';
        for name in 'b'..='k' {
            text.push_str(&format!(
                "{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
            ));
            previous = name;
        }
        let error = parse(&text).unwrap_err();
        assert!(error.message.contains("more than"), "{error:?}");
        let deep = format!("a: {}{}", "[".repeat(200), "]".repeat(200));
        let error = parse(&deep).unwrap_err();
        assert!(error.message.contains("nested more than 128"), "{error:?}");
        // Deeper still, the parser's own limit answers first.
        let deeper = format!("a: {}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&deeper).is_err());
        // A small alias is expanded.
        assert_eq!(
            value("a: &x {b: 1}\nc: *x\n"),
            json!({"a": {"b": 1}, "c": {"b": 1}})
        );
    }
}
