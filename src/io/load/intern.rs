//! Interning while loading: ids and event names are staged into batches as they are read,
//! then looked up in a flat open-addressing table (on a second thread for big files), so an edge
//! costs 12 bytes during the load and the file's strings are held once.

use std::hash::BuildHasher;

/// Items whose table slots are brought into cache together: few enough that their pages stay
/// in the TLB.
pub(super) const PREFETCH: usize = 128;

/// Items queued before their strings are interned.
pub(super) const BATCH: usize = 1024;

/// Services' ids and edges in file order, their strings end to end in `text`.
#[derive(Default)]
pub(super) struct Batch {
    pub(super) items: Vec<Item>,
    pub(super) text: String,
}

impl Batch {
    /// An empty batch with room for [`BATCH`] items of ordinary length.
    pub(super) fn with_room() -> Batch {
        Batch {
            items: Vec::with_capacity(BATCH),
            text: String::with_capacity(BATCH * 32),
        }
    }
}

/// A queued service id or edge.
pub(super) enum Item {
    /// A service's id; `Span::NONE` when it has none (missing, empty or not a string).
    Service(Span),
    /// An edge's from, to and event; `Span::NONE` for each one missing or broken.
    Edge([Span; 3]),
}

/// The interned strings of the file.
#[derive(Default)]
pub(super) struct Tables {
    /// Every id string seen (services and edge ends) -> symbol.
    pub(super) symbols: Interner,
    /// Event names -> symbol; each becomes one shared `Arc<str>` at the end.
    pub(super) events: Interner,
    /// Interned id of each service, parallel to `Loader::services`; `u32::MAX` for none.
    pub(super) service_symbols: Vec<u32>,
    /// Edges as (from symbol, to symbol, event symbol), in file order. `u32::MAX` marks a
    /// missing or broken end; the edge is kept so later problems name the right index.
    pub(super) edges: Vec<(u32, u32, u32)>,
}

impl Tables {
    /// Empty tables whose interners hash with `hasher`.
    pub(super) fn new(hasher: foldhash::fast::RandomState) -> Tables {
        Tables {
            symbols: Interner::new(hasher.clone()),
            events: Interner::new(hasher),
            ..Tables::default()
        }
    }

    /// Interns a batch's strings, in order.
    ///
    /// At a million ids the tables do not fit in cache, and one lookup at a time waits for
    /// one cache miss at a time. Here, [`PREFETCH`] items at a time, one independent read of
    /// each string's home slot (hashed when it was staged) brings every line in at once (the
    /// processor overlaps independent misses), and only then are the strings looked up, from
    /// cache. Whole batches at once were measurably slower (likely more pages than the TLB
    /// holds).
    pub(super) fn apply(&mut self, batch: &Batch) {
        let spans = |item: &Item| -> [(bool, Span); 3] {
            match *item {
                Item::Service(id) => [(true, id), (true, Span::NONE), (false, Span::NONE)],
                Item::Edge([from, to, event]) => [(true, from), (true, to), (false, event)],
            }
        };
        let text = &batch.text;
        self.symbols.reserve(2 * batch.items.len());
        self.events.reserve(batch.items.len());
        for chunk in batch.items.chunks(PREFETCH) {
            let mut touched = 0u64;
            for item in chunk {
                for (is_id, span) in spans(item) {
                    if span.0 != usize::MAX {
                        let table = if is_id { &self.symbols } else { &self.events };
                        touched ^= table.home(span.2);
                    }
                }
            }
            std::hint::black_box(touched);
            for item in chunk {
                let mut symbols = [u32::MAX; 3];
                for (slot, (is_id, span)) in spans(item).into_iter().enumerate() {
                    if let Some(part) = span.of(text) {
                        let table = if is_id {
                            &mut self.symbols
                        } else {
                            &mut self.events
                        };
                        symbols[slot] = table.intern_hashed(part, span.2);
                    }
                }
                match item {
                    Item::Service(_) => self.service_symbols.push(symbols[0]),
                    Item::Edge(_) => self.edges.push((symbols[0], symbols[1], symbols[2])),
                }
            }
        }
    }
}

/// A string of the batch, `batch_text[start..end]`, and its hash; `Span::NONE` is a missing
/// value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Span(pub(super) usize, pub(super) usize, pub(super) u64);

impl Span {
    pub(super) const NONE: Span = Span(usize::MAX, 0, 0);

    pub(super) fn of(self, text: &str) -> Option<&str> {
        if self.0 == usize::MAX {
            None
        } else {
            Some(&text[self.0..self.1])
        }
    }
}

/// A string interner: symbols are dense `u32`s in order of first sight.
///
/// Why not a `HashMap<Box<str>, u32>`: there every key is its own heap block, so each lookup
/// chases a pointer to a cold cache line and compares it with `memcmp`; at a million ids the
/// cache misses were most of the load time. Here the table is a flat array of 24-byte slots
/// (linear probing, at most half full): the symbol, 24 bits of hash and the length, and the
/// string itself when it is at most 16 bytes (most ids and event names), otherwise where it
/// starts in the arena. A lookup of a short string touches one cache line.
#[derive(Default)]
pub(super) struct Interner {
    /// Every string, end to end.
    pub(super) bytes: String,
    /// Where each symbol's string starts in `bytes`, plus its end at the back.
    pub(super) starts: Vec<usize>,
    /// `[hash << 40 | length << 32 | symbol + 1, inline bytes or arena start, inline bytes or
    /// length]`;
    /// a zero first word is an empty slot. The length is a power of two.
    pub(super) slots: Vec<[u64; 3]>,
    pub(super) hasher: foldhash::fast::RandomState,
}

/// Strings up to this long are kept in the slot itself.
pub(super) const INLINE: usize = 16;

impl Interner {
    pub(super) fn len(&self) -> usize {
        self.starts.len()
    }

    /// The string of a symbol.
    pub(super) fn get(&self, symbol: u32) -> &str {
        let start = self.starts[symbol as usize];
        let end = self
            .starts
            .get(symbol as usize + 1)
            .copied()
            .unwrap_or(self.bytes.len());
        &self.bytes[start..end]
    }

    /// The first word of a slot without the symbol: 24 bits of hash and the length (capped).
    pub(super) fn tag(hash: u64, text: &str) -> u64 {
        (hash & !0xFF_FFFF_FFFF) | (text.len().min(255) as u64) << 32
    }

    /// A short string as two words, zero-padded (its length is in the tag).
    pub(super) fn pack(text: &str) -> [u64; 2] {
        let mut buffer = [0u8; INLINE];
        buffer[..text.len()].copy_from_slice(text.as_bytes());
        let (low, high) = buffer.split_at(8);
        let word = |bytes: &[u8]| u64::from_le_bytes(bytes.try_into().unwrap_or_default());
        [word(low), word(high)]
    }

    /// An empty interner hashing with `hasher`.
    pub(super) fn new(hasher: foldhash::fast::RandomState) -> Interner {
        Interner {
            hasher,
            ..Interner::default()
        }
    }

    /// Reads the first word of the slot where a lookup of `hash` starts (to bring it into
    /// cache ahead of the lookup).
    pub(super) fn home(&self, hash: u64) -> u64 {
        let slot = self.slots[hash as usize & (self.slots.len() - 1)];
        // Both ends: a slot may straddle two cache lines.
        slot[0] ^ slot[2]
    }

    /// Grows the table now so that `more` new symbols fit without growing.
    pub(super) fn reserve(&mut self, more: usize) {
        let needed = (self.starts.len() + more) * 2 + 1;
        if needed > self.slots.len() {
            self.grow_to(needed.next_power_of_two().max(1024));
        }
    }

    /// The symbol of `text`, new if it was not seen before.
    #[cfg(test)]
    pub(super) fn intern(&mut self, text: &str) -> u32 {
        let hash = self.hasher.hash_one(text.as_bytes());
        self.intern_hashed(text, hash)
    }

    /// [`Interner::intern`] with the hash of `text` already computed.
    pub(super) fn intern_hashed(&mut self, text: &str, hash: u64) -> u32 {
        if self.starts.len() * 2 >= self.slots.len() {
            self.grow_to((self.slots.len() * 2).max(1024));
        }
        let tag = Self::tag(hash, text);
        let short = text.len() <= INLINE;
        let packed = if short { Self::pack(text) } else { [0, 0] };
        let mask = self.slots.len() - 1;
        let mut at = hash as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot[0] == 0 {
                let symbol = self.starts.len() as u32;
                let start = self.bytes.len();
                self.bytes.push_str(text);
                self.starts.push(start);
                self.slots[at] = if short {
                    [tag | (symbol as u64 + 1), packed[0], packed[1]]
                } else {
                    [tag | (symbol as u64 + 1), start as u64, text.len() as u64]
                };
                return symbol;
            }
            if slot[0] & !0xFFFF_FFFF == tag {
                let symbol = (slot[0] as u32) - 1;
                let same = if short {
                    slot[1] == packed[0] && slot[2] == packed[1]
                } else {
                    let (start, len) = (slot[1] as usize, slot[2] as usize);
                    len == text.len()
                        && self.bytes.as_bytes().get(start..start + len) == Some(text.as_bytes())
                };
                if same {
                    return symbol;
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// Makes the table `capacity` slots (a power of two) and re-inserts every symbol (hashes are
    /// recomputed from the arena).
    pub(super) fn grow_to(&mut self, capacity: usize) {
        let mut slots = vec![[0u64; 3]; capacity];
        let mask = capacity - 1;
        for symbol in 0..self.starts.len() as u32 {
            let text = self.get(symbol);
            let hash = self.hasher.hash_one(text.as_bytes());
            let mut at = hash as usize & mask;
            while slots[at][0] != 0 {
                at = (at + 1) & mask;
            }
            let first = Self::tag(hash, text) | (symbol as u64 + 1);
            slots[at] = if text.len() <= INLINE {
                let packed = Self::pack(text);
                [first, packed[0], packed[1]]
            } else {
                [
                    first,
                    self.starts[symbol as usize] as u64,
                    text.len() as u64,
                ]
            };
        }
        self.slots = slots;
    }

    /// Frees the lookup table; `get` still works.
    pub(super) fn freeze(&mut self) {
        self.slots = Vec::new();
    }
}
