//! Paths with spaces, non-ASCII names and Windows drive letters and backslashes: through the
//! real binary, the design file, and the window's persisted recent files. Line endings too.

use std::path::{Path, PathBuf};
use std::process::Output;
mod common;
use common::{bin, sample, text};

/// A folder with spaces, an en dash, accents and CJK in its name, inside `root`.
fn awkward_folder(root: &Path) -> PathBuf {
    let folder = root.join("My Designs").join("Zoë – 設計 ünïcödé");
    std::fs::create_dir_all(&folder).unwrap();
    folder
}

fn run_in(dir: &Path, args: &[&std::ffi::OsStr]) -> Output {
    bin().current_dir(dir).args(args).output().unwrap()
}

#[test]
fn the_cli_reads_and_writes_files_in_a_folder_with_spaces_and_non_ascii() {
    let root = tempfile::tempdir().unwrap();
    let folder = awkward_folder(root.path());
    let design = folder.join("Régistér & lögin.json");
    std::fs::copy(sample("register_login.json"), &design).unwrap();

    let out = run_in(root.path(), &["check".as_ref(), design.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("ok: no cycles"));

    // Relative to the working directory, too.
    let out = run_in(
        &folder,
        &["check".as_ref(), "Régistér & lögin.json".as_ref()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let plan = folder.join("plan für alle.md");
    let out = run_in(
        root.path(),
        &[
            "plan".as_ref(),
            design.as_os_str(),
            "-o".as_ref(),
            plan.as_os_str(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::read_to_string(&plan).unwrap().contains("register"));

    // An error names the file as the user wrote it.
    let missing = folder.join("nicht da ø.json");
    let out = run_in(root.path(), &["check".as_ref(), missing.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("nicht da ø.json"),
        "{}",
        text(&out.stderr)
    );
}

/// On Windows the temp folder has a drive letter; the path is spelled with backslashes, and
/// with forward slashes (which Windows accepts too). Built by CI's cross clippy, run on Windows.
#[cfg(windows)]
#[test]
fn the_cli_takes_drive_letters_and_backslashes() {
    let root = tempfile::tempdir().unwrap();
    let folder = awkward_folder(root.path());
    std::fs::copy(sample("register_login.json"), folder.join("a b.json")).unwrap();
    let backslashed = format!("{}\\a b.json", folder.display()).replace('/', "\\");
    assert!(
        backslashed.as_bytes().get(1) == Some(&b':'),
        "{backslashed}"
    );
    let slashed = backslashed.replace('\\', "/");
    for path in [backslashed, slashed] {
        let out = run_in(root.path(), &["check".as_ref(), path.as_ref()]);
        assert_eq!(out.status.code(), Some(0), "{path}: {}", text(&out.stderr));
    }
}

/// Elsewhere a backslash and a colon are ordinary file-name characters: a Windows-looking name
/// is one file, opened as it is (nothing splits paths by hand).
#[cfg(unix)]
#[test]
fn a_windows_looking_name_is_one_file_on_unix() {
    let root = tempfile::tempdir().unwrap();
    let name = r"C:\Users\Zoë\My Designs\design.json";
    std::fs::copy(sample("register_login.json"), root.path().join(name)).unwrap();
    let out = run_in(root.path(), &["check".as_ref(), name.as_ref()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
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
        &["plan".as_ref(), sample("ecommerce_saga.json").as_os_str()],
    );
    let b = run_in(root.path(), &["plan".as_ref(), crlf.as_os_str()]);
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
