//! Where things are in a design file's text: the line and column of `services[i]`,
//! `edges[j]` and the top-level keys, for reports that point into the file (SARIF).
//!
//! The loader keeps no positions (a million services would pay for them on every load), so
//! this is a second, cheap pass: a byte tokenizer that follows only strings and nesting, and
//! keeps the positions asked for. Memory is the positions kept, whatever the file's size.

use std::collections::BTreeSet;
use std::io::{self, BufRead, Read};

/// A place in the text: 1-based line and column (the column in Unicode code points).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spot {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, in code points.
    pub column: u32,
}

/// Which elements of `services` and `edges` to locate.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    /// Every element (for standard input, read only once).
    pub all: bool,
    /// These services, by place in the list.
    pub services: BTreeSet<usize>,
    /// These edges, by place in the list.
    pub edges: BTreeSet<usize>,
}

impl Wanted {
    /// Every element of both lists.
    pub fn all() -> Wanted {
        Wanted {
            all: true,
            ..Wanted::default()
        }
    }

    /// Adds what a problem's JSON path (`services[3].kind`, `edges[0].to`) points into.
    pub fn add_path(&mut self, path: &str) {
        match element(path) {
            Some((List::Services, i)) => {
                self.services.insert(i);
            }
            Some((List::Edges, i)) => {
                self.edges.insert(i);
            }
            None => {}
        }
    }
}

/// The positions found: the top-level keys and the elements asked for.
#[derive(Debug, Clone, Default)]
pub struct Spots {
    keys: Vec<(String, Spot)>,
    services: Vec<(usize, Spot)>,
    edges: Vec<(usize, Spot)>,
}

impl Spots {
    /// Where `services[index]` starts.
    pub fn service(&self, index: usize) -> Option<Spot> {
        find(&self.services, index)
    }

    /// Where `edges[index]` starts.
    pub fn edge(&self, index: usize) -> Option<Spot> {
        find(&self.edges, index)
    }

    /// Where the value at a problem's JSON path is, or the nearest place known on the way:
    /// the element of `services` or `edges` it is in, else its top-level key.
    pub fn path(&self, path: &str) -> Option<Spot> {
        match element(path) {
            Some((List::Services, i)) => return self.service(i).or_else(|| self.key("services")),
            Some((List::Edges, i)) => return self.edge(i).or_else(|| self.key("edges")),
            None => {}
        }
        let key = path.split(['.', '[']).next().unwrap_or("");
        self.key(key)
    }

    fn key(&self, key: &str) -> Option<Spot> {
        self.keys.iter().find(|(k, _)| k == key).map(|(_, at)| *at)
    }
}

fn find(spots: &[(usize, Spot)], index: usize) -> Option<Spot> {
    spots
        .binary_search_by_key(&index, |(i, _)| *i)
        .ok()
        .map(|at| spots[at].1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Services,
    Edges,
}

/// `services[3].kind` is `(Services, 3)`.
fn element(path: &str) -> Option<(List, usize)> {
    let (list, rest) = if let Some(rest) = path.strip_prefix("services[") {
        (List::Services, rest)
    } else if let Some(rest) = path.strip_prefix("edges[") {
        (List::Edges, rest)
    } else {
        return None;
    };
    let end = rest.find(']')?;
    Some((list, rest[..end].parse().ok()?))
}

/// Keys longer than this are not kept (no key the reports look up is).
const KEY_BYTES: usize = 64;

/// Finds the positions `wanted` asks for in a design file's text. A text that is not the
/// shape of a design gives what it could find; only a failed read is an error.
pub fn locate(reader: impl Read, wanted: &Wanted) -> io::Result<Spots> {
    let mut reader = io::BufReader::with_capacity(1 << 16, reader);
    let mut spots = Spots::default();
    let (mut line, mut column) = (1u32, 1u32);
    // Open containers; `depth` 1 is the top-level object.
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    // At depth 1: the next string is a key.
    let mut expect_key = false;
    let mut reading_key = false;
    let mut key = Vec::new();
    let mut key_spot = Spot { line, column };
    let mut last_key: Option<List> = None;
    // Inside the top-level `services` or `edges` array (depth 2).
    let mut list: Option<List> = None;
    let mut expect_element = false;
    let mut index = 0usize;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            break;
        }
        let len = buffer.len();
        for &byte in buffer {
            let here = Spot { line, column };
            if byte == b'\n' {
                line = line.saturating_add(1);
                column = 1;
            } else if byte & 0xC0 != 0x80 {
                column = column.saturating_add(1);
            }
            if in_string {
                if escaped {
                    escaped = false;
                } else if byte == b'\\' {
                    escaped = true;
                } else if byte == b'"' {
                    in_string = false;
                    if reading_key {
                        reading_key = false;
                        last_key = match &key[..] {
                            b"services" => Some(List::Services),
                            b"edges" => Some(List::Edges),
                            _ => None,
                        };
                        if key.len() <= KEY_BYTES {
                            let text = String::from_utf8_lossy(&key).into_owned();
                            if spots.key(&text).is_none() {
                                spots.keys.push((text, key_spot));
                            }
                        }
                        continue;
                    }
                }
                if reading_key && key.len() <= KEY_BYTES {
                    key.push(byte);
                }
                continue;
            }
            if matches!(byte, b' ' | b'\t' | b'\r' | b'\n') {
                continue;
            }
            if depth == 2 && expect_element && byte != b']' {
                expect_element = false;
                let keep = |set: &BTreeSet<usize>| wanted.all || set.contains(&index);
                match list {
                    Some(List::Services) if keep(&wanted.services) => {
                        spots.services.push((index, here));
                    }
                    Some(List::Edges) if keep(&wanted.edges) => spots.edges.push((index, here)),
                    _ => {}
                }
            }
            match byte {
                b'"' => {
                    in_string = true;
                    if depth == 1 && expect_key {
                        expect_key = false;
                        reading_key = true;
                        key.clear();
                        key_spot = here;
                    }
                }
                b'{' | b'[' => {
                    depth += 1;
                    if depth == 1 {
                        expect_key = byte == b'{';
                    } else if depth == 2 && byte == b'[' {
                        list = last_key;
                        expect_element = list.is_some();
                        index = 0;
                    }
                }
                b'}' | b']' => {
                    if depth == 2 {
                        list = None;
                        expect_element = false;
                    }
                    depth = depth.saturating_sub(1);
                }
                b',' => {
                    if depth == 1 {
                        expect_key = true;
                        last_key = None;
                    } else if depth == 2 && list.is_some() {
                        expect_element = true;
                        index += 1;
                    }
                }
                _ => {}
            }
        }
        reader.consume(len);
    }
    Ok(spots)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\n  \"version\": 2,\n  \"name\": \"é \\\" [{\",\n  \"services\": [\n    {\"id\": \"a\", \"kind\": \"queue\", \"x\": [1, {\"services\": [0]}]},\n      {\"id\": \"b\"}\n  ],\n  \"edges\": [ {\"from\": \"a\"},\n{\"from\": \"b\"}]\n}\n";

    #[test]
    fn elements_and_keys_are_found_where_they_start() {
        let spots = locate(TEXT.as_bytes(), &Wanted::all()).unwrap();
        let at = |line, column| Some(Spot { line, column });
        assert_eq!(spots.service(0), at(5, 5));
        assert_eq!(spots.service(1), at(6, 7));
        assert_eq!(spots.service(2), None);
        assert_eq!(spots.edge(0), at(8, 14));
        assert_eq!(spots.edge(1), at(9, 1));
        assert_eq!(spots.path("services[1].kind"), at(6, 7));
        assert_eq!(spots.path("services[9].kind"), at(4, 3));
        assert_eq!(spots.path("version"), at(2, 3));
        assert_eq!(spots.path("name"), at(3, 3));
    }

    #[test]
    fn only_what_is_wanted_is_kept() {
        let mut wanted = Wanted::default();
        wanted.add_path("edges[1].to");
        let spots = locate(TEXT.as_bytes(), &wanted).unwrap();
        assert_eq!(spots.edge(1), Some(Spot { line: 9, column: 1 }));
        assert_eq!((spots.services.len(), spots.edges.len()), (0, 1));
    }

    #[test]
    fn any_text_gives_an_answer() {
        for text in [
            "",
            "[",
            "}}]]",
            "{\"services\": [",
            "\"",
            "{\"edges\": [1,,]}",
        ] {
            let _ = locate(text.as_bytes(), &Wanted::all()).unwrap();
        }
    }
}
