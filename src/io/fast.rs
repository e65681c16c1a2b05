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
//!
//! It streams: the text goes through a window of [`Window::STREAM`] bytes that is refilled
//! between items, so a big file is never held whole. Reading it whole cost more than the copy:
//! every page of a fresh 90 MB buffer is a page fault, and the window is reused from cache.

use std::io::{self, Read};

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

/// How much text the reader holds at once.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    /// The window is refilled up to this many bytes.
    pub capacity: usize,
    /// Before each item, the window is refilled when fewer bytes than this are left. An item
    /// that is longer still is read again with the rest of the input in the window.
    pub lookahead: usize,
}

impl Window {
    /// The window for files: fits in a core's cache, holds any ordinary item whole.
    pub const STREAM: Window = Window {
        capacity: 1 << 20,
        lookahead: 1 << 16,
    };
}

/// Why the fast reader stopped.
#[derive(Debug)]
pub(super) enum Stop {
    /// The text is not of the common shape (or not valid JSON or UTF-8): read it with serde.
    Unusual,
    /// The source could not be read.
    Io(io::Error),
}

impl From<io::Error> for Stop {
    fn from(error: io::Error) -> Stop {
        Stop::Io(error)
    }
}

/// A string of the window: where it is, already checked to be UTF-8.
#[derive(Clone, Copy, Default)]
struct Text(usize, usize);

/// Reads `source` into `sink`. On [`Stop::Unusual`] the sink holds a partial read to throw
/// away.
pub(super) fn read(
    source: &mut dyn Read,
    sink: &mut impl Sink,
    window: Window,
) -> Result<(), Stop> {
    parse(&mut Scanner::new(source, window), sink)
}

/// [`read`], also saying how many times the window was refilled and how many items had to be
/// read again with the rest of the input.
#[cfg(test)]
pub(super) fn read_counted(
    source: &mut dyn Read,
    sink: &mut impl Sink,
    window: Window,
) -> (Result<(), Stop>, usize, usize) {
    let mut scan = Scanner::new(source, window);
    let result = parse(&mut scan, sink);
    (result, scan.refills, scan.retries)
}

fn parse(scan: &mut Scanner, sink: &mut impl Sink) -> Result<(), Stop> {
    scan.refill()?;
    // Editors on Windows like to start UTF-8 files with a byte-order mark; JSON forbids it.
    if scan.text.starts_with('\u{FEFF}') {
        scan.at = 3;
    }
    let empty = scan.open(b'{', b'}')?;
    let mut seen = [false; 4];
    let mut more = !empty;
    while more {
        let key = scan.item(|scan| {
            scan.skip_space();
            let key = scan.key(&[b"version", b"name", b"services", b"edges"])?;
            scan.skip_space();
            scan.expect(b':')?;
            scan.skip_space();
            Some(key)
        })?;
        if std::mem::replace(&mut seen[key], true) {
            return Err(Stop::Unusual);
        }
        match key {
            0 => {
                // Each item skips the space before it: the space after the key may run past the
                // end of the window, and the value start after a refill.
                let version = scan.item(|scan| {
                    scan.skip_space();
                    scan.whole_number()
                })?;
                sink.version(version);
            }
            1 => {
                let name = scan.item(|scan| {
                    scan.skip_space();
                    scan.string()
                })?;
                sink.name(scan.get(name));
            }
            2 => {
                sink.services_start();
                scan.list(|scan| {
                    let mut fields = [Text::default(); 2];
                    scan.object(&[b"id", b"kind"], |field, text| fields[field] = text)?;
                    let kind = ServiceKind::parse(scan.get(fields[1]))?;
                    // An empty id is a problem the general reader reports.
                    (fields[0].1 > fields[0].0).then_some((fields[0], kind))
                })?
                .for_each(sink, |sink, scan, (id, kind)| {
                    sink.service(scan.get(id), kind)
                })?;
            }
            _ => {
                scan.list(|scan| {
                    let mut fields = [(0, Text::default()); 3];
                    let mut slot = 0;
                    scan.object(&[b"from", b"to", b"event"], |field, text| {
                        fields[slot] = (field, text);
                        slot += 1;
                    })?;
                    // An empty event is a problem the general reader reports.
                    let empty_event = fields.iter().any(|&(f, t)| f == 2 && t.1 == t.0);
                    (!empty_event).then_some(fields)
                })?
                .for_each(sink, |sink, scan, fields| {
                    sink.edge(fields.map(|(field, text)| (field, scan.get(text))));
                })?;
            }
        }
        more = scan.item(|scan| scan.next_or_close(b'}'))?;
    }
    // Nothing but space may follow.
    scan.read_rest()?;
    scan.skip_space();
    if scan.at == scan.text.len() {
        Ok(())
    } else {
        Err(Stop::Unusual)
    }
}

struct Scanner<'s> {
    source: &'s mut dyn Read,
    /// How many times the window was refilled, and items read again with the rest of the
    /// input (for tests).
    refills: usize,
    retries: usize,
    /// The window: the text from some point of the input on.
    text: String,
    /// The start of a character cut off at the end of the window (read, not yet in `text`).
    pending: Vec<u8>,
    /// Where the scan is in `text`.
    at: usize,
    /// The whole rest of the input is in the window.
    eof: bool,
    /// The scan ran into the end of the window since the current item began.
    starved: bool,
    window: Window,
}

/// A list being read: call [`List::for_each`] to read its items.
struct List<'a, 's, T, F> {
    scan: &'a mut Scanner<'s>,
    item: F,
    empty: bool,
    _item: std::marker::PhantomData<T>,
}

impl<'s, T, F: FnMut(&mut Scanner<'s>) -> Option<T>> List<'_, 's, T, F> {
    /// Reads each item and hands it to `each` while its text is still in the window.
    fn for_each<K>(
        mut self,
        sink: &mut K,
        mut each: impl FnMut(&mut K, &Scanner<'s>, T),
    ) -> Result<(), Stop> {
        if self.empty {
            return Ok(());
        }
        let item = &mut self.item;
        loop {
            let (value, more) = self.scan.item(|scan| {
                scan.skip_space();
                let value = item(scan)?;
                Some((value, scan.next_or_close(b']')?))
            })?;
            each(sink, self.scan, value);
            if !more {
                return Ok(());
            }
        }
    }
}

impl<'s> Scanner<'s> {
    fn new(source: &'s mut dyn Read, window: Window) -> Scanner<'s> {
        Scanner {
            source,
            refills: 0,
            retries: 0,
            text: String::new(),
            pending: Vec::new(),
            at: 0,
            eof: false,
            starved: false,
            window,
        }
    }

    /// The text of a string read since the last refill.
    fn get(&self, text: Text) -> &str {
        &self.text[text.0..text.1]
    }

    /// Parses one item with `parse`, which must not have side effects: with the window as it is
    /// (refilled if little is left), then, as long as it runs into the end of the window before
    /// the end of the input, again with the window twice as big.
    fn item<T>(&mut self, mut parse: impl FnMut(&mut Self) -> Option<T>) -> Result<T, Stop> {
        if !self.eof && self.text.len() - self.at < self.window.lookahead {
            self.refill()?;
        }
        let start = self.at;
        loop {
            self.starved = false;
            if let Some(value) = parse(self) {
                return Ok(value);
            }
            // Only an item cut off by the end of the window deserves another try, with the
            // window grown to twice its size (an item longer than the lookahead: a long name).
            if self.eof || !self.starved {
                return Err(Stop::Unusual);
            }
            self.at = start;
            self.retries += 1;
            self.read_more(self.text.len().max(self.window.capacity))?;
        }
    }

    /// Drops what was scanned and reads up to the window's capacity.
    fn refill(&mut self) -> Result<(), Stop> {
        self.refills += 1;
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        bytes.drain(..self.at);
        self.at = 0;
        self.text = String::from_utf8(bytes).map_err(|_| Stop::Unusual)?;
        let want = self.window.capacity.saturating_sub(self.text.len()).max(1);
        self.read_more(want)
    }

    /// Reads up to `want` more bytes onto the end of the window (what was scanned stays).
    fn read_more(&mut self, want: usize) -> Result<(), Stop> {
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        bytes.append(&mut self.pending);
        bytes.reserve(want);
        let read = Read::take(&mut *self.source, want as u64).read_to_end(&mut bytes)?;
        self.eof = read < want;
        self.set_text(bytes)
    }

    /// Reads the whole rest of the input into the window.
    fn read_rest(&mut self) -> Result<(), Stop> {
        if self.eof {
            return Ok(());
        }
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        bytes.append(&mut self.pending);
        self.source.read_to_end(&mut bytes)?;
        self.eof = true;
        self.set_text(bytes)
    }

    /// Makes `bytes` the window, keeping a character cut off at its end for the next refill.
    fn set_text(&mut self, bytes: Vec<u8>) -> Result<(), Stop> {
        self.text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => {
                let utf8 = error.utf8_error();
                // Only a character cut short at the end of the window is fine, and only
                // before the end of the input.
                if utf8.error_len().is_some() || self.eof {
                    return Err(Stop::Unusual);
                }
                let valid = utf8.valid_up_to();
                let mut bytes = error.into_bytes();
                self.pending = bytes.split_off(valid);
                String::from_utf8(bytes).map_err(|_| Stop::Unusual)?
            }
        };
        Ok(())
    }

    fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    fn skip_space(&mut self) {
        let text = self.text.as_bytes();
        let mut at = self.at;
        loop {
            // Pretty files indent with runs of spaces: eight at a time.
            while text.get(at..at + 8) == Some(b"        ") {
                at += 8;
            }
            match text.get(at) {
                Some(b' ' | b'\n' | b'\r' | b'\t') => at += 1,
                _ => break,
            }
        }
        self.at = at;
    }

    /// The byte at `at`; `None`, and the scan starved, past the end of the window.
    fn byte(&mut self, at: usize) -> Option<u8> {
        let byte = self.bytes().get(at).copied();
        self.starved |= byte.is_none();
        byte
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.byte(self.at) == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// Opens an object or a list (as one item): true when it closes right away.
    fn open(&mut self, open: u8, close: u8) -> Result<bool, Stop> {
        self.item(|scan| {
            scan.skip_space();
            scan.expect(open)?;
            scan.skip_space();
            // At the end of the window, whether it closes cannot be told yet.
            scan.byte(scan.at)?;
            Some(scan.eat(close))
        })
    }

    /// After a member of an object or list: true when a comma says more follow, false when
    /// `close` ends it.
    fn next_or_close(&mut self, close: u8) -> Option<bool> {
        self.skip_space();
        if self.eat(b',') {
            return Some(true);
        }
        self.expect(close)?;
        Some(false)
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        self.eat(byte).then_some(())
    }

    /// A quoted key that is one of `keys`: its position there.
    fn key(&mut self, keys: &[&[u8]]) -> Option<usize> {
        self.expect(b'"')?;
        let rest = &self.bytes()[self.at..];
        for (position, key) in keys.iter().enumerate() {
            if rest.len() > key.len() && rest.starts_with(key) && rest[key.len()] == b'"' {
                self.at += key.len() + 1;
                return Some(position);
            }
        }
        // A key may be cut off by the end of the window.
        self.starved |= keys.iter().any(|key| rest.len() <= key.len());
        None
    }

    /// A string without escapes or control characters (the window is UTF-8 already).
    fn string(&mut self) -> Option<Text> {
        self.expect(b'"')?;
        let start = self.at;
        let Some(length) = self.bytes()[start..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        else {
            self.starved = true;
            return None;
        };
        if self.bytes()[start + length] != b'"' {
            return None;
        }
        self.at = start + length + 1;
        Some(Text(start, start + length))
    }

    /// A non-negative whole number in plain digits (no fraction, exponent or leading zero).
    fn whole_number(&mut self) -> Option<u64> {
        let start = self.at;
        let mut value: u64 = 0;
        while let Some(digit @ b'0'..=b'9') = self.byte(self.at) {
            value = value
                .checked_mul(10)?
                .checked_add(u64::from(digit - b'0'))?;
            self.at += 1;
        }
        let digits = self.at - start;
        if digits == 0 || (digits > 1 && self.bytes()[start] == b'0') {
            return None;
        }
        match self.byte(self.at) {
            // A number cut off by the end of the window is not done either.
            Some(b'.' | b'e' | b'E') | None => None,
            _ => Some(value),
        }
    }

    /// A list whose items `item` reads, without side effects; [`List::for_each`] reads them.
    fn list<T, F: FnMut(&mut Self) -> Option<T>>(
        &mut self,
        item: F,
    ) -> Result<List<'_, 's, T, F>, Stop> {
        let empty = self.open(b'[', b']')?;
        Ok(List {
            scan: self,
            item,
            empty,
            _item: std::marker::PhantomData,
        })
    }

    /// An object with each of `keys` exactly once, in any order, every value a string.
    fn object(&mut self, keys: &[&[u8]], mut field: impl FnMut(usize, Text)) -> Option<()> {
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
            if self.next_or_close(b'}')? {
                continue;
            }
            return (seen == (1 << keys.len()) - 1).then_some(());
        }
    }
}
