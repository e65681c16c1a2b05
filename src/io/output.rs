//! Output files: the one writer behind `plan -o`, Save, Save as and Export.
//!
//! The rules, each for a reason a user hit:
//! - **Atomic replacement.** A regular file is written to a temporary file in the same folder,
//!   flushed to disk and renamed over the target, so a crash leaves the old file or the new one.
//! - **Symlinks are followed** to their final target, and that target is replaced: the user's
//!   link stays a link (renaming over the link itself would turn it into a regular file).
//! - **Hard links are kept.** A file with more than one name is updated in place after the new
//!   text has been written out in full, so every name sees it (renaming would detach this name
//!   from the others). That final copy is not atomic: the same trade Vim makes
//!   (`backupcopy=auto`).
//! - **Devices and pipes are written in place** (`/dev/null`, a FIFO, a terminal), and
//!   `/dev/stdout` / `/dev/stderr` mean this process's own standard output and error, so
//!   `plan X -o /dev/stdout > file` fills `file`.
//! - **Modes.** A new file gets the mode the umask gives (0644 under 022), as `>` in a shell
//!   would; a replaced file keeps its mode (and, where allowed, its owner).
//! - **No litter.** The temporary file is removed on every error, on a panic, and when the
//!   process gets SIGINT, SIGTERM or SIGHUP. One left by SIGKILL or a power cut is removed by
//!   the next write to that folder once it is older than [`STALE_AFTER`].

use std::fs::{File, OpenOptions};
use std::hash::{BuildHasher, Hasher};
use std::io::{self, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};
use std::time::Duration;

/// Temporary files start with this.
const TEMP_PREFIX: &str = ".event-architect-";
/// Temporary files end with this.
const TEMP_SUFFIX: &str = ".tmp";
/// Random hex digits between prefix and suffix: a name only this writer makes.
const TEMP_DIGITS: usize = 16;
/// The random part of the names that builds before this writer left (tempfile's six
/// alphanumerics); cleaned up as well.
const OLD_TEMP_CHARS: usize = 6;
/// A temporary file of ours untouched for this long is from a process that died: a live writer
/// touches its file with every buffer it writes, and none takes anywhere near this long.
pub const STALE_AFTER: Duration = Duration::from_secs(60 * 60);
/// Most symlinks followed before giving up, as the kernel's own limit (ELOOP).
const MAX_LINKS: usize = 40;

/// Writes `contents` to `path`: see [`write_atomic_with`].
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |out| out.write_all(contents))
}

/// Streams what `write` produces to `path` by the rules in this module's doc: atomic
/// replacement of a regular file (following symlinks, keeping hard links and modes), in place
/// for devices and pipes, and no temporary file left behind.
///
/// A folder is refused with [`io::ErrorKind::IsADirectory`]. When `write` fails, the target is
/// untouched and its error is returned.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    match target(path)? {
        Target::Stdout => write_stream(io::stdout().lock(), write),
        Target::Stderr => write_stream(io::stderr().lock(), write),
        Target::InPlace(path) => write_stream(OpenOptions::new().write(true).open(path)?, write),
        Target::Replace { path, existing } => replace(&path, existing.as_ref(), write),
    }
}

/// Where a write goes.
#[derive(Debug)]
enum Target {
    Stdout,
    Stderr,
    /// A device, pipe or socket: opened and written, never renamed over.
    InPlace(PathBuf),
    /// A regular file (existing or not), at the end of any symlinks.
    Replace {
        path: PathBuf,
        existing: Option<std::fs::Metadata>,
    },
}

fn target(path: &Path) -> io::Result<Target> {
    if let Some(stream) = standard_stream(path) {
        return Ok(stream);
    }
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        let metadata = match std::fs::symlink_metadata(&current) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Ok(Target::Replace {
                    path: current,
                    existing: None,
                });
            }
            Err(error) => return Err(error),
        };
        if metadata.is_symlink() {
            let link = std::fs::read_link(&current)?;
            // `/dev/fd/N` and `/proc/self/fd/N` name open descriptors, not files: their
            // "targets" (`pipe:[123]`) cannot be renamed over. Write through the name.
            if is_descriptor_path(&link) || is_descriptor_path(&current) {
                return Ok(Target::InPlace(current));
            }
            current = match current.parent() {
                Some(parent) if link.is_relative() => parent.join(link),
                _ => link,
            };
            continue;
        }
        if metadata.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "it is a folder; name a file inside it",
            ));
        }
        if !metadata.is_file() {
            return Ok(Target::InPlace(current));
        }
        return Ok(Target::Replace {
            path: current,
            existing: Some(metadata),
        });
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links in a row (a loop?)"
    )))
}

fn standard_stream(path: &Path) -> Option<Target> {
    match path.to_str()? {
        "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => Some(Target::Stdout),
        "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => Some(Target::Stderr),
        _ => None,
    }
}

fn is_descriptor_path(path: &Path) -> bool {
    path.starts_with("/dev/fd") || path.starts_with("/proc/self/fd") || {
        // /proc/<pid>/fd/N
        let mut parts = path.components().skip(1);
        parts.next().is_some_and(|c| c.as_os_str() == "proc")
            && parts.next().is_some()
            && parts.next().is_some_and(|c| c.as_os_str() == "fd")
    }
}

fn write_stream(
    stream: impl Write,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, stream);
    write(&mut out)?;
    out.flush()
}

fn replace(
    path: &Path,
    existing: Option<&std::fs::Metadata>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    remove_stale_temporaries(folder, STALE_AFTER);
    let mut temp = TempFile::create(folder)?;
    {
        let mut out = BufWriter::with_capacity(1 << 16, temp.file()?);
        write(&mut out)?;
        out.flush()?;
    }
    let file = temp.file()?;
    file.sync_all()?;
    if let Some(existing) = existing {
        keep_owner(file, existing);
        file.set_permissions(existing.permissions())?;
        if link_count(existing) > 1 {
            return copy_in_place(temp, path);
        }
    }
    std::fs::rename(&temp.path, path)?;
    temp.disarm();
    // Make the rename itself durable; a folder that cannot be opened (Windows) is skipped.
    if let Ok(folder) = File::open(folder) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// Copies the finished temporary file into a target with several hard links, so all of its
/// names see the new text, then removes the temporary file.
fn copy_in_place(mut temp: TempFile, path: &Path) -> io::Result<()> {
    let source = temp.file()?;
    source.seek(io::SeekFrom::Start(0))?;
    let mut target = OpenOptions::new().write(true).truncate(true).open(path)?;
    io::copy(source, &mut target)?;
    target.sync_all()?;
    drop(temp);
    Ok(())
}

#[cfg(unix)]
fn link_count(metadata: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(metadata)
}

#[cfg(not(unix))]
fn link_count(_metadata: &std::fs::Metadata) -> u64 {
    1
}

/// Gives the new file the replaced file's owner: best effort, as only root may give a file
/// away (and a normal user can only write files of others they could not chown anyway).
#[cfg(unix)]
fn keep_owner(file: &File, existing: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    let _ = std::os::unix::fs::fchown(file, Some(existing.uid()), Some(existing.gid()));
}

#[cfg(not(unix))]
fn keep_owner(_file: &File, _existing: &std::fs::Metadata) {}

/// A temporary file of ours, removed when dropped unless it was renamed into place, and listed
/// for the signal handler while it exists.
struct TempFile {
    path: PathBuf,
    file: Option<File>,
}

impl TempFile {
    fn create(folder: &Path) -> io::Result<TempFile> {
        install_signal_cleanup();
        let mut attempts = 0;
        loop {
            let path = folder.join(format!(
                "{TEMP_PREFIX}{:0width$x}{TEMP_SUFFIX}",
                random_u64(),
                width = TEMP_DIGITS
            ));
            // Registered before it exists, so a signal between the two cannot miss it.
            live_temporaries(|live| live.push(path.clone()));
            // OpenOptions creates with 0666 less the umask, like a shell's `>`; tempfile's
            // 0600 would hide a saved design from teammates and CI.
            match OpenOptions::new()
                .write(true)
                .read(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    return Ok(TempFile {
                        path,
                        file: Some(file),
                    });
                }
                Err(error) => {
                    forget(&path);
                    attempts += 1;
                    if error.kind() != io::ErrorKind::AlreadyExists || attempts >= 8 {
                        return Err(error);
                    }
                }
            }
        }
    }

    fn file(&mut self) -> io::Result<&mut File> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("temporary file already closed"))
    }

    /// The file was renamed into place: nothing to remove.
    fn disarm(mut self) {
        self.file = None;
        forget(&self.path);
        self.path = PathBuf::new();
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.path.as_os_str().is_empty() {
            return;
        }
        self.file = None;
        let _ = std::fs::remove_file(&self.path);
        forget(&self.path);
    }
}

/// Temporary files being written right now, for the signal handler.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live_temporaries<T>(f: impl FnOnce(&mut Vec<PathBuf>) -> T) -> T {
    // A panic while holding the lock leaves a list that is still right.
    let mut live = LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut live)
}

fn forget(path: &Path) {
    live_temporaries(|live| {
        if let Some(i) = live.iter().position(|p| p == path) {
            live.swap_remove(i);
        }
    });
}

/// On the first write, starts a thread that waits for SIGINT, SIGTERM and SIGHUP, removes the
/// temporary files being written, then ends the process the way the signal would have (so the
/// exit status still says "killed by SIGTERM").
fn install_signal_cleanup() {
    static INSTALLED: Once = Once::new();
    #[cfg(unix)]
    INSTALLED.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("output-signal-cleanup".into())
            .spawn(move || {
                if let Some(signal) = signals.forever().next() {
                    live_temporaries(|live| {
                        for path in live.drain(..) {
                            let _ = std::fs::remove_file(path);
                        }
                    });
                    let _ = signal_hook::low_level::emulate_default_handler(signal);
                    std::process::exit(128 + signal);
                }
            });
        drop(spawned);
    });
    #[cfg(not(unix))]
    INSTALLED.call_once(|| {});
}

/// A random number for a file name, from std's per-process random hash keys (no extra crate).
pub(crate) fn random_u64() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.write_u32(std::process::id());
    hasher.finish()
}

/// True for names of the temporary files this writer makes (or older builds made).
pub fn is_our_temporary(name: &str) -> bool {
    let Some(middle) = name
        .strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
    else {
        return false;
    };
    let ours = middle.len() == TEMP_DIGITS
        && middle
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let older = middle.len() == OLD_TEMP_CHARS && middle.bytes().all(|b| b.is_ascii_alphanumeric());
    ours || older
}

/// Removes temporary files of ours in `folder` last modified more than `age` ago, and returns
/// how many went. Best effort: a file that cannot be removed is left.
pub fn remove_stale_temporaries(folder: &Path, age: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_str().is_some_and(is_our_temporary) {
            continue;
        }
        // Not followed: a symlink with our name is not one of our files.
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        let old = metadata
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|elapsed| elapsed > age);
        if metadata.is_file() && old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(folder: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("d.json");
        std::fs::write(&path, "old").unwrap();
        let failed = write_atomic_with(&path, |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        });
        assert_eq!(failed.unwrap_err().to_string(), "disk full");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(names(folder.path()), ["d.json"]);
        assert!(live_temporaries(|live| live.is_empty()));
    }

    #[test]
    fn a_panicking_writer_leaves_no_temporary() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("d.json");
        let result = std::panic::catch_unwind(|| {
            let _ = write_atomic_with(&path, |out| {
                out.write_all(b"half")?;
                panic!("writer bug");
            });
        });
        assert!(result.is_err());
        assert!(names(folder.path()).is_empty());
    }

    #[test]
    fn a_folder_is_refused() {
        let folder = tempfile::tempdir().unwrap();
        let error = write_atomic(folder.path(), b"x").unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::IsADirectory);
    }

    #[test]
    fn our_temporary_names_and_no_others() {
        assert!(is_our_temporary(".event-architect-0123456789abcdef.tmp"));
        assert!(is_our_temporary(".event-architect-aB3xY9.tmp"));
        for name in [
            ".event-architect-0123456789abcdeg.tmp",
            ".event-architect-.tmp",
            ".event-architect-notours.tmp",
            "event-architect-0123456789abcdef.tmp",
            ".event-architect-0123456789abcdef.tmp.json",
            ".event-architect-0123456789ABCDEF.tmp",
        ] {
            assert!(!is_our_temporary(name), "{name}");
        }
    }

    #[test]
    fn stale_temporaries_of_ours_are_removed_on_the_next_write() {
        let folder = tempfile::tempdir().unwrap();
        let old = std::time::SystemTime::now() - Duration::from_secs(2 * 60 * 60);
        for name in [
            ".event-architect-00000000000000aa.tmp",
            ".event-architect-Ab12Cd.tmp",
            ".event-architect-00000000000000bb.tmp",
            ".event-architect-keep-me.tmp",
        ] {
            let file = File::create(folder.path().join(name)).unwrap();
            if name != ".event-architect-00000000000000bb.tmp" {
                file.set_modified(old).unwrap();
            }
        }
        write_atomic(&folder.path().join("plan.json"), b"{}").unwrap();
        assert_eq!(
            names(folder.path()),
            [
                ".event-architect-00000000000000bb.tmp",
                ".event-architect-keep-me.tmp",
                "plan.json"
            ]
        );
    }

    #[cfg(unix)]
    mod unix {
        use super::*;
        use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};

        #[test]
        fn a_device_is_written_in_place() {
            write_atomic(Path::new("/dev/null"), b"plan").unwrap();
            let metadata = std::fs::metadata("/dev/null").unwrap();
            assert!(metadata.file_type().is_char_device());
        }

        #[test]
        fn a_symlink_is_followed_and_stays_a_link() {
            let folder = tempfile::tempdir().unwrap();
            let real = folder.path().join("real");
            std::fs::create_dir(&real).unwrap();
            let target = real.join("plan.json");
            std::fs::write(&target, "old").unwrap();
            let link = folder.path().join("link.json");
            std::os::unix::fs::symlink("real/plan.json", &link).unwrap();
            let chain = folder.path().join("chain.json");
            std::os::unix::fs::symlink(&link, &chain).unwrap();
            write_atomic(&chain, b"new").unwrap();
            assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
            assert!(std::fs::symlink_metadata(&chain).unwrap().is_symlink());
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
            // The temporary file was made beside the target, not beside the link.
            assert_eq!(names(&real), ["plan.json"]);
            assert_eq!(names(folder.path()), ["chain.json", "link.json", "real"]);
        }

        #[test]
        fn a_dangling_symlink_creates_its_target() {
            let folder = tempfile::tempdir().unwrap();
            let link = folder.path().join("link.json");
            std::os::unix::fs::symlink("made.json", &link).unwrap();
            write_atomic(&link, b"new").unwrap();
            assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
            let made = folder.path().join("made.json");
            assert_eq!(std::fs::read_to_string(made).unwrap(), "new");
        }

        #[test]
        fn a_symlink_loop_is_an_error() {
            let folder = tempfile::tempdir().unwrap();
            let a = folder.path().join("a");
            std::os::unix::fs::symlink("b", &a).unwrap();
            std::os::unix::fs::symlink("a", folder.path().join("b")).unwrap();
            let error = write_atomic(&a, b"x").unwrap_err();
            assert!(error.to_string().contains("symbolic links"), "{error}");
        }

        #[test]
        fn a_hard_linked_file_is_updated_through_every_name() {
            let folder = tempfile::tempdir().unwrap();
            let one = folder.path().join("one.json");
            let two = folder.path().join("two.json");
            std::fs::write(&one, "old").unwrap();
            std::fs::hard_link(&one, &two).unwrap();
            write_atomic(&one, b"new").unwrap();
            assert_eq!(std::fs::read_to_string(&two).unwrap(), "new");
            assert_eq!(std::fs::metadata(&one).unwrap().nlink(), 2);
            assert_eq!(names(folder.path()), ["one.json", "two.json"]);
            // A failing writer leaves both names on the old text.
            let failed = write_atomic_with(&two, |_| Err(io::Error::other("no")));
            assert!(failed.is_err());
            assert_eq!(std::fs::read_to_string(&one).unwrap(), "new");
        }

        #[test]
        fn a_new_file_gets_the_umask_mode_and_an_old_one_keeps_its_mode() {
            let folder = tempfile::tempdir().unwrap();
            // What a plain create gives under this process's umask.
            let probe = folder.path().join("probe");
            File::create(&probe).unwrap();
            let umask_mode = std::fs::metadata(&probe).unwrap().mode() & 0o777;
            let new = folder.path().join("new.json");
            write_atomic(&new, b"x").unwrap();
            assert_eq!(std::fs::metadata(&new).unwrap().mode() & 0o777, umask_mode);
            assert_ne!(umask_mode, 0o600, "the test needs a umask other than 077");

            let old = folder.path().join("old.json");
            std::fs::write(&old, "x").unwrap();
            std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o640)).unwrap();
            write_atomic(&old, b"y").unwrap();
            assert_eq!(std::fs::metadata(&old).unwrap().mode() & 0o777, 0o640);
        }

        #[test]
        fn descriptor_paths_are_recognised() {
            assert!(is_descriptor_path(Path::new("/proc/self/fd/3")));
            assert!(is_descriptor_path(Path::new("/proc/123/fd/1")));
            assert!(is_descriptor_path(Path::new("/dev/fd/4")));
            assert!(!is_descriptor_path(Path::new("/proc/123/status")));
            assert!(!is_descriptor_path(Path::new("/home/fd/1")));
        }
    }
}
