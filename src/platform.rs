//! Everything that differs between Linux, macOS and Windows, one concern a section, each branch
//! compiled by CI's cross-target clippy.
//!
//! - **Data folder** ([`data_dir`]): where settings, recent files and recovery copies live.
//! - **Identity** ([`APP_ID`]): the reverse-DNS id shared by the Wayland app id, the Linux
//!   desktop entry and AppStream file, and the macOS bundle.
//! - **Command key** ([`COMMAND_KEY`]): shortcuts use egui's `Modifiers::COMMAND`, which is Cmd
//!   on macOS and Ctrl elsewhere; this is its name in help text.
//! - **Allocator**: chosen in `main.rs` (a global allocator belongs to the binary): mimalloc on
//!   Linux, the system allocator elsewhere.
//! - **Line endings**: every file we write uses `\n` on every platform, so designs and plans
//!   diff the same everywhere; reading accepts `\r\n` too (JSON treats it as whitespace).
//!   `.gitattributes` keeps the samples `\n` in Windows checkouts.
//! - **File dialogs**: rfd picks the native one; `gui::files` falls back to an in-app path field
//!   where there is none (Linux without a portal or zenity).

use std::ffi::OsString;
use std::path::PathBuf;

/// The application id in reverse-DNS form.
pub const APP_ID: &str = "org.eventarchitect.EventArchitect";

/// Environment variable that overrides [`data_dir`] (tests, portable installs).
pub const DATA_DIR_ENV: &str = "EVENT_ARCHITECT_DATA_DIR";

/// The name of the key that `Modifiers::COMMAND` stands for, as help text spells it.
#[cfg(target_os = "macos")]
pub const COMMAND_KEY: &str = "Cmd";
/// The name of the key that `Modifiers::COMMAND` stands for, as help text spells it.
#[cfg(not(target_os = "macos"))]
pub const COMMAND_KEY: &str = "Ctrl";

/// The folder name inside the platform's application-data folder.
/// Linux: `$XDG_DATA_HOME/event-architect` (`~/.local/share/event-architect`, where eframe kept
/// settings before, so they carry over).
#[cfg(not(any(target_os = "macos", target_os = "windows")))]
const DIR_NAME: &str = "event-architect";
/// macOS: `~/Library/Application Support/<bundle id>`, Apple's convention.
#[cfg(target_os = "macos")]
const DIR_NAME: &str = APP_ID;
/// Windows: `%APPDATA%\Event Architect` (roaming, so settings follow the user).
#[cfg(target_os = "windows")]
const DIR_NAME: &str = "Event Architect";

/// The folder where this platform keeps the app's data: settings, recent files, the recovery
/// copy of unsaved work. `EVENT_ARCHITECT_DATA_DIR`, when set and not empty, wins (taken as
/// given; a relative path is relative to the working directory).
///
/// `None` when the platform has no such folder (no home directory). The folder may not exist
/// yet: create it before writing.
pub fn data_dir() -> Option<PathBuf> {
    data_dir_with(std::env::var_os(DATA_DIR_ENV), || {
        directories::BaseDirs::new().map(|dirs| dirs.data_dir().to_path_buf())
    })
}

/// [`data_dir`] with the override and the platform's folder passed in, so tests need no
/// environment changes.
fn data_dir_with(
    override_dir: Option<OsString>,
    platform_data: impl FnOnce() -> Option<PathBuf>,
) -> Option<PathBuf> {
    match override_dir {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => platform_data().map(|base| base.join(DIR_NAME)),
    }
}

/// The file the window's settings and recent files are kept in (eframe's RON store).
pub fn settings_file() -> Option<PathBuf> {
    data_dir().map(|dir| dir.join("app.ron"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_override_wins_and_is_taken_verbatim() {
        for dir in [
            "/tmp/my data/Zoë's designs",
            r"C:\Users\Zoë\App Data\event architect",
            "relative dir",
        ] {
            let got = data_dir_with(Some(OsString::from(dir)), || {
                panic!("the platform folder is not asked for")
            });
            assert_eq!(got, Some(PathBuf::from(dir)));
        }
    }

    #[test]
    fn without_override_it_is_the_platform_folder_plus_our_name() {
        let base = PathBuf::from("/home/zoë/.local/share");
        for empty in [None, Some(OsString::new())] {
            let got = data_dir_with(empty, || Some(base.clone()));
            assert_eq!(got, Some(base.join(DIR_NAME)));
        }
        assert_eq!(data_dir_with(None, || None), None);
    }

    #[test]
    fn the_real_data_dir_ends_in_our_folder() {
        // The test process may or may not have the override set; either way it is a path.
        if std::env::var_os(DATA_DIR_ENV).is_none()
            && let Some(dir) = data_dir()
        {
            assert!(dir.ends_with(DIR_NAME), "{}", dir.display());
            assert!(dir.is_absolute(), "{}", dir.display());
        }
    }
}
