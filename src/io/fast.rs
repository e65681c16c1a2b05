//! A hand-written reader for the common shape of a design file, tried before the general one.
//!
//! It reads every field of the format (the tables in [`super::format`]), each key at most once,
//! with the strings the app writes: plain strings free of escapes for ids, names, kinds and
//! events (`properties` and `filter` are JSON of any kind, read by serde_json from their text).
//! On anything the general reader would report as a problem (an empty id or event, an unknown
//! kind, a property of the wrong type) or anything unusual (an escape in an id, an unknown key)
//! it gives up, having told nobody but its [`Sink`], and the caller reads the whole file again
//! with the general reader, so messages stay exactly the same.
//!
//! Why: the general reader goes through serde's visitors for every key and value; here a key
//! is matched by comparing a few bytes and a value is a slice of the text, which makes reading
//! a big generated file several times faster.
//!
//! It streams: the text goes through a window of [`Window::STREAM`] bytes that is refilled
//! between items, so a big file is never held whole. Reading it whole cost more than the copy:
//! every page of a fresh 90 MB buffer is a page fault, and the window is reused from cache.

use std::io::{self, Read};

use super::format::{EDGE_FIELDS, POSITION_FIELDS, ROUTE_FIELDS, SERVICE_FIELDS, TOP_FIELDS};
use crate::model::{
    Behavior, EdgeFilter, EdgeMode, Evidence, IntentionalLoop, Position, Properties, Route,
    Service, ServiceKind,
};

/// An edge's optional parts: mode, filter, evidence and lane.
pub(super) type EdgeExtra = (
    EdgeMode,
    Option<EdgeFilter>,
    Option<Evidence>,
    Vec<Position>,
);

/// What the reader found, in file order.
pub(super) trait Sink {
    fn version(&mut self, version: u64);
    fn name(&mut self, name: &str);
    fn services_start(&mut self);
    /// A service: its id, and everything else in `service` (whose id is empty).
    fn service(&mut self, id: &str, service: Service);
    /// An edge; its string fields in file order, each as (0 from, 1 to, 2 event; text).
    fn edge(&mut self, fields: [(usize, &str); 3], extra: EdgeExtra);
    /// The loops marked intentional.
    fn intentional_loops(&mut self, loops: Vec<IntentionalLoop>);
}

/// A service as read from the window: strings still as places in it.
#[derive(Default)]
struct ServiceText {
    id: Text,
    name: Option<Text>,
    kind: Option<ServiceKind>,
    behavior: Option<Behavior>,
    routes: Vec<(Text, Text)>,
    position: Option<Position>,
    notes: Option<Text>,
    properties: Properties,
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
    let mut seen = [false; TOP_FIELDS.len()];
    let mut more = !empty;
    while more {
        let key = scan.item(|scan| {
            scan.skip_space();
            let key = scan.key(TOP_FIELDS)?;
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
                scan.list(service)?.for_each(sink, |sink, scan, parts| {
                    let text =
                        |t: Option<Text>| t.map_or_else(String::new, |t| scan.get(t).to_owned());
                    let service = Service {
                        name: text(parts.name),
                        behavior: parts.behavior,
                        routes: parts
                            .routes
                            .iter()
                            .map(|&(route, event)| Route {
                                route: scan.get(route).to_owned(),
                                event: scan.get(event).to_owned(),
                            })
                            .collect(),
                        position: parts.position,
                        notes: text(parts.notes),
                        properties: parts.properties,
                        ..Service::new(String::new(), parts.kind.unwrap_or(ServiceKind::Function))
                    };
                    sink.service(scan.get(parts.id), service)
                })?;
            }
            3 => {
                scan.list(edge)?
                    .for_each(sink, |sink, scan, (fields, extra)| {
                        sink.edge(fields.map(|(field, text)| (field, scan.get(text))), extra);
                    })?;
            }
            // The template an imported design keeps is free-form JSON: the general reader's.
            5 => return Err(Stop::Unusual),
            _ => {
                let loops = scan.item(|scan| {
                    scan.skip_space();
                    let raw = scan.raw_nested(b'[')?;
                    let value = super::strict::parse(scan.get(raw)).ok()?;
                    super::load::parse_intentional_loops(value).ok()
                })?;
                sink.intentional_loops(loops);
            }
        }
        more = scan.item(|scan| scan.next_or_close(b'}'))?;
    }
    // Nothing but space may follow. It is read window by window, so a design followed by
    // gigabytes of anything stops at the first byte that is not space, in constant memory.
    loop {
        scan.skip_space();
        if scan.at < scan.text.len() {
            return Err(Stop::Unusual);
        }
        if scan.eof {
            return Ok(());
        }
        scan.refill()?;
    }
}

/// One service, read without side effects (it may be read again after a refill).
fn service(scan: &mut Scanner) -> Option<ServiceText> {
    let mut parts = ServiceText::default();
    let seen = scan.fields(SERVICE_FIELDS, |scan, field| {
        match field {
            0 => parts.id = scan.string()?,
            1 => parts.name = Some(scan.string()?),
            2 => parts.kind = Some(ServiceKind::parse(scan.plain()?)?),
            3 => parts.behavior = Some(Behavior::parse(scan.plain()?)?),
            4 => {
                let empty = scan.open_inline(b'[', b']')?;
                let mut more = !empty;
                while more {
                    scan.skip_space();
                    let mut pair = [Text::default(); 2];
                    let seen = scan.fields(ROUTE_FIELDS, |scan, field| {
                        pair[field] = scan.string()?;
                        Some(())
                    })?;
                    if seen != 0b11 {
                        return None;
                    }
                    parts.routes.push((pair[0], pair[1]));
                    more = scan.next_or_close(b']')?;
                }
            }
            5 => parts.position = Some(position(scan)?),
            6 => parts.notes = Some(scan.string()?),
            _ => {
                let raw = scan.raw_object()?;
                let serde_json::Value::Object(map) = super::strict::parse(scan.get(raw)).ok()?
                else {
                    return None;
                };
                if !super::load::property_problems(parts.kind?, &map).is_empty() {
                    return None;
                }
                parts.properties = Properties::from_map(&map);
            }
        }
        Some(())
    })?;
    // An empty id or a missing id or kind are problems the general reader reports (as is a
    // property of the wrong type, refused above; properties before `kind` go to it too, since
    // they cannot be checked yet: `save` writes the kind first).
    let complete = seen & 0b101 == 0b101 && parts.id.1 > parts.id.0;
    complete.then_some(parts)
}

/// A position: exactly `x` and `y`, finite.
fn position(scan: &mut Scanner) -> Option<Position> {
    let mut xy = [0f32; 2];
    let seen = scan.fields(POSITION_FIELDS, |scan, field| {
        xy[field] = scan.float()?;
        Some(())
    })?;
    (seen == 0b11).then_some(Position { x: xy[0], y: xy[1] })
}

/// One edge: its string fields in file order, its mode, filter and evidence.
type EdgeText = ([(usize, Text); 3], EdgeExtra);

/// One edge, read without side effects.
fn edge(scan: &mut Scanner) -> Option<EdgeText> {
    let mut fields = [(0, Text::default()); 3];
    let mut slot = 0;
    let (mut mode, mut filter, mut evidence, mut via) = (EdgeMode::Async, None, None, Vec::new());
    let seen = scan.fields(EDGE_FIELDS, |scan, field| {
        match field {
            0..=2 => {
                let text = scan.string()?;
                // An empty event is a problem the general reader reports.
                if field == 2 && text.1 == text.0 {
                    return None;
                }
                fields[slot] = (field, text);
                slot += 1;
            }
            3 => mode = EdgeMode::parse(scan.plain()?)?,
            4 => {
                let raw = scan.raw_object()?;
                let value = super::strict::parse(scan.get(raw)).ok()?;
                filter = Some(super::load::parse_filter(value).ok()?);
            }
            5 => {
                let raw = scan.raw_object()?;
                let value = super::strict::parse(scan.get(raw)).ok()?;
                evidence = Some(super::load::parse_evidence(value).ok()?);
            }
            _ => {
                let mut more = !scan.open_inline(b'[', b']')?;
                while more {
                    // Too long a lane is a problem the general reader reports.
                    if via.len() == super::load::MAX_VIA {
                        return None;
                    }
                    scan.skip_space();
                    via.push(position(scan)?);
                    more = scan.next_or_close(b']')?;
                }
            }
        }
        Some(())
    })?;
    (seen & 0b111 == 0b111).then_some((fields, (mode, filter, evidence, via)))
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
    fn key(&mut self, keys: &[&str]) -> Option<usize> {
        self.expect(b'"')?;
        let rest = &self.bytes()[self.at..];
        for (position, key) in keys.iter().enumerate() {
            let key = key.as_bytes();
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

    /// An object whose keys are among `keys`, each at most once, in any order; `value` reads
    /// the value of each. Returns the keys seen, a bit each.
    fn fields(
        &mut self,
        keys: &[&str],
        mut value: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<u64> {
        self.expect(b'{')?;
        let mut seen = 0u64;
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
            value(self, key)?;
            if self.next_or_close(b'}')? {
                continue;
            }
            return Some(seen);
        }
    }

    /// A plain string's text (for names of kinds, behaviours and modes).
    fn plain(&mut self) -> Option<&str> {
        let text = self.string()?;
        Some(self.get(text))
    }

    /// Opens a list inside an item: true when it closes right away.
    fn open_inline(&mut self, open: u8, close: u8) -> Option<bool> {
        self.expect(open)?;
        self.skip_space();
        self.byte(self.at)?;
        Some(self.eat(close))
    }

    /// A number as `f32`, exactly as serde_json reads one into an `f32`; `None` unless finite.
    fn float(&mut self) -> Option<f32> {
        let start = self.at;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.byte(self.at) {
            self.at += 1;
        }
        // The byte after the number must be in the window too (else it may go on).
        self.byte(self.at)?;
        let value: f32 = serde_json::from_str(&self.text[start..self.at]).ok()?;
        value.is_finite().then_some(value)
    }

    /// The text of a JSON object, balanced, strings skipped with their escapes; serde_json
    /// reads it afterwards.
    fn raw_object(&mut self) -> Option<Text> {
        self.raw_nested(b'{')
    }

    /// The text of a JSON object or list (by `open`), not checked beyond its brackets.
    fn raw_nested(&mut self, open: u8) -> Option<Text> {
        let start = self.at;
        if self.byte(self.at)? != open {
            return None;
        }
        let mut depth = 0usize;
        loop {
            match self.byte(self.at)? {
                b'"' => {
                    self.at += 1;
                    loop {
                        match self.byte(self.at)? {
                            b'\\' => self.at += 2,
                            b'"' => break,
                            _ => self.at += 1,
                        }
                    }
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        self.at += 1;
                        return Some(Text(start, self.at));
                    }
                }
                _ => {}
            }
            self.at += 1;
        }
    }
}
