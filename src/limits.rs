//! The memory budget: what any one command may hold, whatever its input claims.
//!
//! Input that is streamed (design files in the usual layout) needs no budget. What cannot be
//! streamed is checked against the budget up front and refused with a message that says how to
//! raise it: a design read whole (standard input, a pipe, a device, or a file the streaming
//! reader cannot take), and a simulation's hashing cost and stored items. The README lists
//! each limit.

/// The variable that sets the budget, in MiB.
pub const MEMORY_ENV: &str = "EVENT_ARCHITECT_MEMORY_MIB";

/// The budget when [`MEMORY_ENV`] is not set: 2 GiB, well inside a laptop's memory.
pub const DEFAULT_MEMORY_MIB: u64 = 2048;

/// A design read whole takes up to this many times its size while it is parsed and checked
/// (the text, serde's values for nested properties, the string tables and the design).
pub const WHOLE_READ_FACTOR: u64 = 4;

/// The memory budget in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Bytes.
    pub bytes: u64,
}

impl Budget {
    /// The budget set by [`MEMORY_ENV`], or the default. A value that is not a whole number of
    /// MiB above zero is ignored (the default applies), so a typo cannot remove the limit.
    pub fn current() -> Budget {
        let mib = std::env::var(MEMORY_ENV)
            .ok()
            .and_then(|value| value.trim().parse::<u64>().ok())
            .filter(|&mib| mib > 0)
            .unwrap_or(DEFAULT_MEMORY_MIB);
        Budget {
            bytes: mib.saturating_mul(1 << 20),
        }
    }

    /// The budget in MiB.
    pub fn mib(self) -> u64 {
        self.bytes >> 20
    }

    /// The largest input that may be read whole.
    pub fn whole_read_bytes(self) -> u64 {
        self.bytes / WHOLE_READ_FACTOR
    }

    /// How to raise the budget so that `needed` bytes fit: `raise it with ...=N (now M)`.
    pub fn raise_hint(self, needed: u64) -> String {
        let mib = needed.div_ceil(1 << 20).max(self.mib() + 1);
        format!(
            "raise the memory budget with {MEMORY_ENV}={} (now {} MiB)",
            mib.next_power_of_two(),
            self.mib()
        )
    }
}

/// `n` bytes for people: `512 MiB`, `3.2 GiB`, `12 KiB`.
pub fn human_bytes(n: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    match n {
        n if n >= GIB && n % GIB == 0 => format!("{} GiB", n / GIB),
        n if n >= GIB => format!("{:.1} GiB", n as f64 / GIB as f64),
        n if n >= MIB => format!("{} MiB", n.div_ceil(MIB)),
        n if n >= KIB => format!("{} KiB", n.div_ceil(KIB)),
        n => format!("{n} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hint_names_a_budget_that_fits() {
        let budget = Budget { bytes: 2048 << 20 };
        assert_eq!(budget.whole_read_bytes(), 512 << 20);
        let hint = budget.raise_hint(3000 << 20);
        assert!(hint.contains("EVENT_ARCHITECT_MEMORY_MIB=4096"), "{hint}");
        assert!(hint.contains("now 2048 MiB"), "{hint}");
        // Never a hint to lower it.
        assert!(budget.raise_hint(1).contains("=4096"));
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_bytes(512 << 20), "512 MiB");
        assert_eq!(human_bytes(2 << 30), "2 GiB");
        assert_eq!(human_bytes((3 << 30) + (1 << 29)), "3.5 GiB");
        assert_eq!(human_bytes(100), "100 bytes");
    }
}
