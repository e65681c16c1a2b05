//! A hand-written reader for the common shape of a design file, tried before the general one.
//!
//! It reads only files whose top level has `version` (a plain whole number), `name`,
//! `services` (objects of exactly `id` and `kind`) and `edges` (objects of exactly `from`, `to`
//! and `event`), each key at most once, every string free of escapes, and nothing that the
//! general reader would report as a problem while parsing (an empty id or event, an unknown
//! kind). On anything else it gives up, having told nobody but its [`Sink`], and the caller
//! reads the whole file again with the general reader, so messages stay exactly the same.
//!
//! Why: the general reader goes through serde's visitors for every key and value; here a key
//! is matched by comparing a few bytes and a value is a slice of the text, which makes reading
//! a big generated file several times faster.

use crate::model::ServiceKind;

/// What the reader found, in file order.
pub(super) trait Sink {
    fn version(&mut self, version: u64);
    fn name(&mut self, name: &str);
    fn services_start(&mut self);
    fn service(&mut self, id: &str, kind: ServiceKind);
    /// An edge; its fields in file order, each as (0 from, 1 to, 2 event; text).
    fn edge(&mut self, fields: [(usize, &str); 3]);
}

/// Reads `text` into `sink`; `None` when the file is not of the common shape (the sink then
/// holds a partial read to throw away).
pub(super) fn read(text: &[u8], sink: &mut impl Sink) -> Option<()> {
    let mut scan = Scanner { text, at: 0 };
    scan.skip_space();
    scan.expect(b'{')?;
    let mut seen = [false; 4];
    if !scan.peek_after_space(b'}') {
        loop {
            scan.skip_space();
            let key = scan.key(&[b"version", b"name", b"services", b"edges"])?;
            if std::mem::replace(&mut seen[key], true) {
                return None;
            }
            scan.skip_space();
            scan.expect(b':')?;
            scan.skip_space();
            match key {
                0 => sink.version(scan.whole_number()?),
                1 => sink.name(scan.string()?),
                2 => {
                    sink.services_start();
                    scan.list(|scan| {
                        let mut fields = [""; 2];
                        scan.object(&[b"id", b"kind"], |field, text| fields[field] = text)?;
                        let kind = ServiceKind::parse(fields[1])?;
                        if fields[0].is_empty() {
                            return None;
                        }
                        sink.service(fields[0], kind);
                        Some(())
                    })?
                }
                _ => scan.list(|scan| {
                    let mut fields = [(0, ""); 3];
                    let mut slot = 0;
                    scan.object(&[b"from", b"to", b"event"], |field, text| {
                        fields[slot] = (field, text);
                        slot += 1;
                    })?;
                    if fields
                        .iter()
                        .any(|&(field, text)| field == 2 && text.is_empty())
                    {
                        return None;
                    }
                    sink.edge(fields);
                    Some(())
                })?,
            }
            scan.skip_space();
            if scan.eat(b',') {
                continue;
            }
            scan.expect(b'}')?;
            break;
        }
    }
    scan.skip_space();
    (scan.at == text.len()).then_some(())
}

struct Scanner<'t> {
    text: &'t [u8],
    at: usize,
}

impl<'t> Scanner<'t> {
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.text.get(self.at) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.text.get(self.at) == Some(&byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    /// Skips space; eats `byte` when it comes next.
    fn peek_after_space(&mut self, byte: u8) -> bool {
        self.skip_space();
        self.eat(byte)
    }

    /// A quoted key that is one of `keys`: its position there.
    fn key(&mut self, keys: &[&[u8]]) -> Option<usize> {
        self.expect(b'"')?;
        let rest = &self.text[self.at..];
        for (position, key) in keys.iter().enumerate() {
            if rest.len() > key.len() && rest.starts_with(key) && rest[key.len()] == b'"' {
                self.at += key.len() + 1;
                return Some(position);
            }
        }
        None
    }

    /// A string without escapes or control characters, valid UTF-8.
    fn string(&mut self) -> Option<&'t str> {
        self.expect(b'"')?;
        let start = self.at;
        let length = self.text[start..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if self.text[start + length] != b'"' {
            return None;
        }
        self.at = start + length + 1;
        std::str::from_utf8(&self.text[start..start + length]).ok()
    }

    /// A non-negative whole number in plain digits (no fraction, exponent or leading zero).
    fn whole_number(&mut self) -> Option<u64> {
        let start = self.at;
        let mut value: u64 = 0;
        while let Some(&digit @ b'0'..=b'9') = self.text.get(self.at) {
            value = value
                .checked_mul(10)?
                .checked_add(u64::from(digit - b'0'))?;
            self.at += 1;
        }
        let digits = self.at - start;
        if digits == 0 || (digits > 1 && self.text[start] == b'0') {
            return None;
        }
        match self.text.get(self.at) {
            Some(b'.' | b'e' | b'E') => None,
            _ => Some(value),
        }
    }

    /// A list whose items `item` reads.
    fn list(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.expect(b'[')?;
        if self.peek_after_space(b']') {
            return Some(());
        }
        loop {
            self.skip_space();
            item(self)?;
            self.skip_space();
            if self.eat(b',') {
                continue;
            }
            return self.expect(b']');
        }
    }

    /// An object with each of `keys` exactly once, in any order, every value a string.
    fn object(&mut self, keys: &[&[u8]], mut field: impl FnMut(usize, &'t str)) -> Option<()> {
        self.expect(b'{')?;
        let mut seen = 0u32;
        loop {
            self.skip_space();
            let key = self.key(keys)?;
            if seen & (1 << key) != 0 {
                return None;
            }
            seen |= 1 << key;
            self.skip_space();
            self.expect(b':')?;
            self.skip_space();
            field(key, self.string()?);
            self.skip_space();
            if self.eat(b',') {
                continue;
            }
            self.expect(b'}')?;
            return (seen == (1 << keys.len()) - 1).then_some(());
        }
    }
}
