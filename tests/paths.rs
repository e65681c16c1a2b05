//! Paths with spaces, non-ASCII names and Windows drive letters and backslashes: through the
//! real binary, the design file, and the window's persisted recent files. Line endings too.

use std::path::{Path, PathBuf};
use std::process::Output;
mod common;
use common::{arg_path, bin, sample, text, windows_exe};

/// A folder with spaces, an en dash, accents and CJK in its name, inside `root`.
fn awkward_folder(root: &Path) -> PathBuf {
    let folder = root.join("My Designs").join("Zoë – 設計 ünïcödé");
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

#[test]
fn the_cli_reads_and_writes_files_in_a_folder_with_spaces_and_non_ascii() {
    let root = tempfile::tempdir().unwrap();
    let folder = awkward_folder(root.path());
    let design = folder.join("Régistér & lögin.json");
    std::fs::copy(sample("register_login.json"), &design).unwrap();

    let out = run_in(root.path(), &["check", &arg_path(&design)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("ok: no cycles"));

    // Relative to the working directory, too.
    let out = run_in(&folder, &["check", "Régistér & lögin.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let plan = folder.join("plan für alle.md");
    let out = run_in(
        root.path(),
        &["plan", &arg_path(&design), "-o", &arg_path(&plan)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::read_to_string(&plan).unwrap().contains("register"));

    // An error names the file as the user wrote it.
    let missing = arg_path(&folder.join("nicht da ø.json"));
    let out = run_in(root.path(), &["check", &missing]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(&missing),
        "{}",
        text(&out.stderr)
    );
}

/// For a Windows exe a backslash separates folders, a drive letter starts an absolute path,
/// and forward slashes work too (under Wine the Unix files are drive `Z:`). Elsewhere a
/// backslash and a colon are ordinary file-name characters: a Windows-looking name is one
/// file, opened as it is (nothing splits paths by hand).
#[test]
fn backslashes_separate_folders_for_windows_only() {
    let root = tempfile::tempdir().unwrap();
    if windows_exe() {
        let folder = awkward_folder(root.path());
        std::fs::copy(sample("register_login.json"), folder.join("a b.json")).unwrap();
        let backslashed = arg_path(&folder.join("a b.json")).replace('/', "\\");
        assert_eq!(backslashed.as_bytes().get(1), Some(&b':'), "{backslashed}");
        let slashed = backslashed.replace('\\', "/");
        let relative = r"My Designs\Zoë – 設計 ünïcödé\a b.json".to_owned();
        for path in [backslashed, slashed, relative] {
            let out = run_in(root.path(), &["check", &path]);
            assert_eq!(out.status.code(), Some(0), "{path}: {}", text(&out.stderr));
        }
    } else {
        let name = r"C:\Users\Zoë\My Designs\design.json";
        std::fs::copy(sample("register_login.json"), root.path().join(name)).unwrap();
        let out = run_in(root.path(), &["check", name]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
}

/// Paths longer than Windows' classic 260-character limit (MAX_PATH): read, and written by
/// every writer (`-o` of plan, export and render as SVG and PNG).
#[test]
fn paths_longer_than_260_characters_read_and_write() {
    let root = tempfile::tempdir().unwrap();
    let mut folder = root.path().to_path_buf();
    for i in 0..8 {
        folder.push(format!("{i} a folder name of some forty characters ✓"));
    }
    std::fs::create_dir_all(&folder).unwrap();
    let design = folder.join("Régistér & lögin.json");
    std::fs::copy(sample("register_login.json"), &design).unwrap();
    let design = arg_path(&design);
    assert!(design.chars().count() > 300, "{}", design.chars().count());

    let out = run_in(root.path(), &["check", &design]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for (command, name) in [
        ("plan", "plan.md"),
        ("export", "template.yaml"),
        ("render", "picture.svg"),
        ("render", "picture.png"),
    ] {
        let written = folder.join(name);
        let out = run_in(root.path(), &[command, &design, "-o", &arg_path(&written)]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        let bytes = std::fs::read(&written).unwrap();
        assert!(bytes.len() > 100, "{name}: {} bytes", bytes.len());
    }
}

#[test]
fn a_design_with_windows_line_endings_reads_the_same() {
    let root = tempfile::tempdir().unwrap();
    let lf = std::fs::read_to_string(sample("ecommerce_saga.json")).unwrap();
    assert!(!lf.contains('\r'), "samples are LF (.gitattributes)");
    let crlf = root.path().join("crlf.json");
    std::fs::write(&crlf, lf.replace('\n', "\r\n")).unwrap();
    let a = run_in(
        root.path(),
        &["plan", &arg_path(&sample("ecommerce_saga.json"))],
    );
    let b = run_in(root.path(), &["plan", &arg_path(&crlf)]);
    assert_eq!(b.status.code(), Some(0), "{}", text(&b.stderr));
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn a_design_saved_to_an_awkward_path_reads_back_identical_with_lf_endings() {
    let root = tempfile::tempdir().unwrap();
    let path = awkward_folder(root.path()).join("sign up & log in ✓.json");
    let design = event_architect::builtin_design();
    event_architect::io::save(&path, &design).unwrap();
    assert_eq!(event_architect::io::load_path(&path).unwrap(), design);
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.contains(&b'\r') && bytes.ends_with(b"\n"));
}

/// The window's recent files go through eframe's persistence (RON): drive letters,
/// backslashes, spaces and non-ASCII come back as they went in.
#[cfg(feature = "gui")]
#[test]
fn recent_files_survive_persistence_with_any_path() {
    use event_architect::gui::Settings;
    use std::collections::HashMap;

    #[derive(Default)]
    struct Memory(HashMap<String, String>);
    impl eframe::Storage for Memory {
        fn get_string(&self, key: &str) -> Option<String> {
            self.0.get(key).cloned()
        }
        fn set_string(&mut self, key: &str, value: String) {
            self.0.insert(key.to_owned(), value);
        }
        fn remove_string(&mut self, key: &str) {
            self.0.remove(key);
        }
        fn flush(&mut self) {}
    }

    let recent: Vec<PathBuf> = [
        r"C:\Users\Zoë\My Designs\sign up.json",
        r"\\server\share\設計\a.json",
        "D:/forward/slashes too.json",
        "/home/zoë/My Designs/\"quoted\" name.json",
    ]
    .into_iter()
    .map(PathBuf::from)
    .collect();
    let settings = Settings {
        recent: recent.clone(),
        ..Settings::default()
    };
    let mut storage = Memory::default();
    eframe::set_value(&mut storage, "settings", &settings);
    let back: Settings = eframe::get_value(&storage, "settings").expect("reads back");
    assert_eq!(back.recent, recent);
}
