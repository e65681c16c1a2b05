//! Every keyboard shortcut of the window, in one table: the shortcut handler, the menus (which
//! show them) and the README's table all read it, and a test checks the README lists each one.

use egui::{Key, KeyboardShortcut, Modifiers};

const fn cmd(key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(Modifiers::COMMAND, key)
}

const fn cmd_shift(key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), key)
}

const fn plain(key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(Modifiers::NONE, key)
}

/// File > New.
pub const NEW: KeyboardShortcut = cmd(Key::N);
/// File > Open...
pub const OPEN: KeyboardShortcut = cmd(Key::O);
/// File > Save.
pub const SAVE: KeyboardShortcut = cmd(Key::S);
/// File > Save as...
pub const SAVE_AS: KeyboardShortcut = cmd_shift(Key::S);
/// File > Quit.
pub const QUIT: KeyboardShortcut = cmd(Key::Q);
/// Edit > Undo.
pub const UNDO: KeyboardShortcut = cmd(Key::Z);
/// Edit > Redo.
pub const REDO: KeyboardShortcut = cmd_shift(Key::Z);
/// Edit > Redo, the other way.
pub const REDO_ALT: KeyboardShortcut = cmd(Key::Y);
/// Edit > Copy.
pub const COPY: KeyboardShortcut = cmd(Key::C);
/// Edit > Paste.
pub const PASTE: KeyboardShortcut = cmd(Key::V);
/// Edit > Duplicate.
pub const DUPLICATE: KeyboardShortcut = cmd(Key::D);
/// Edit > Select all.
pub const SELECT_ALL: KeyboardShortcut = cmd(Key::A);
/// Edit > Delete.
pub const DELETE: KeyboardShortcut = plain(Key::Delete);
/// Edit > Delete, the other way.
pub const DELETE_ALT: KeyboardShortcut = plain(Key::Backspace);
/// Edit > Find...
pub const FIND: KeyboardShortcut = cmd(Key::F);
/// View > Fit.
pub const FIT: KeyboardShortcut = plain(Key::F);

/// Canvas units an arrow key moves the selection.
pub const NUDGE_STEP: f32 = 10.0;
/// Canvas units Shift+arrow moves the selection.
pub const NUDGE_STEP_LARGE: f32 = 50.0;

/// What each shortcut does, as the README's table says it: (what, shortcuts).
pub const TABLE: &[(&str, &[KeyboardShortcut])] = &[
    ("New design", &[NEW]),
    ("Open a design", &[OPEN]),
    ("Save", &[SAVE]),
    ("Save as", &[SAVE_AS]),
    ("Quit", &[QUIT]),
    ("Undo", &[UNDO]),
    ("Redo", &[REDO, REDO_ALT]),
    ("Copy the selected services", &[COPY]),
    ("Paste", &[PASTE]),
    ("Duplicate the selected services", &[DUPLICATE]),
    ("Select all services", &[SELECT_ALL]),
    ("Delete the selection", &[DELETE, DELETE_ALT]),
    ("Find a service by id, name or event", &[FIND]),
    ("Fit the design in view", &[FIT]),
];

/// How a shortcut is written on this platform's menus: `Ctrl+Shift+S`, `⇧⌘S` on a Mac.
pub fn text(ctx: &egui::Context, shortcut: &KeyboardShortcut) -> String {
    ctx.format_shortcut(shortcut)
}

/// How the README writes a shortcut (the names used off the Mac): `Ctrl+Shift+S`.
pub fn readme_text(shortcut: &KeyboardShortcut) -> String {
    shortcut.format(&egui::ModifierNames::NAMES, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_lists_every_shortcut() {
        let readme = include_str!("../../README.md");
        let mut missing = Vec::new();
        for (what, shortcuts) in TABLE {
            for shortcut in *shortcuts {
                let keys = readme_text(shortcut);
                if !readme.contains(&format!("`{keys}`")) {
                    missing.push(format!("{what}: `{keys}`"));
                }
            }
        }
        for keys in ["`Arrow keys`", "`Shift+Arrow keys`", "`Enter`", "`Escape`"] {
            if !readme.contains(keys) {
                missing.push(keys.to_owned());
            }
        }
        assert!(
            missing.is_empty(),
            "the README's shortcut table misses {missing:?}"
        );
    }

    #[test]
    fn no_two_commands_share_a_shortcut() {
        let all: Vec<String> = TABLE
            .iter()
            .flat_map(|(_, s)| s.iter().map(readme_text))
            .collect();
        for (i, keys) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(keys), "{keys} is bound twice");
        }
        assert_eq!(readme_text(&SAVE_AS), "Ctrl+Shift+S");
    }
}
