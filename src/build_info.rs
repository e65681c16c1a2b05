//! What this build is: version, commit and licence, for `--version` and the About box.

/// The crate version, from Cargo.toml.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit the build was made from (short hash), or "unknown" when it was built outside
/// a git checkout. Set by build.rs; `EVENT_ARCHITECT_COMMIT` overrides it.
pub const COMMIT: &str = env!("EVENT_ARCHITECT_COMMIT");

/// The project's home page (Cargo.toml's `homepage`, else `repository`), when it names one:
/// reports link their rules' documentation to it.
pub const HOMEPAGE: Option<&str> = match option_env!("CARGO_PKG_HOMEPAGE") {
    Some(home) if !home.is_empty() => Some(home),
    _ => match option_env!("CARGO_PKG_REPOSITORY") {
        Some(repository) if !repository.is_empty() => Some(repository),
        _ => None,
    },
};

/// The licence expression, from Cargo.toml.
pub const LICENSE: &str = env!("CARGO_PKG_LICENSE");

/// What `--version` prints after the program name: "0.1.0 (commit 1a2b3c4)".
pub const VERSION_LINE: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("EVENT_ARCHITECT_COMMIT"),
    ")"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_line_names_version_and_commit() {
        assert!(VERSION_LINE.starts_with(VERSION));
        assert!(VERSION_LINE.contains(COMMIT));
        assert!(!COMMIT.is_empty());
        assert_eq!(LICENSE, "MIT OR Apache-2.0");
    }
}
