//! Recovery copies of unsaved work: what lets the window offer "restore" after a crash.
//!
//! The window writes a copy of a design with unsaved changes into a data folder shortly after
//! each edit ([`Writer`], on its own thread). A normal save or a Discard removes it; a crash or
//! `kill -9` leaves it, and the next start lists it ([`list`]) and offers to restore it.
//!
//! In the folder, for each open file of each running window (a *session*):
//! - `SESSION-FILEKEY.json`: the design, in the design-file format (it opens as a design);
//! - `SESSION-FILEKEY.meta.json`: which file it belongs to, the design's name, when it was taken;
//! - `SESSION.lock`: locked by the window while it runs, so a second window does not offer the
//!   first one's live copies. A crash releases the lock with the process.
//!
//! Every file is written with [`crate::io::write_atomic`]: a crash while writing leaves the
//! previous copy. No egui here; the dialog is `gui::recovery_dialog`.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::model::Design;

/// The environment variable that points the data folder elsewhere (tests, CI).
pub use crate::platform::DATA_DIR_ENV;

/// Format marker of a `.meta.json` file.
const META_VERSION: u32 = 1;

/// What a recovery copy is, without the design itself (cheap to list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The copy's key: `SESSION-FILEKEY`; names its files in the folder.
    #[serde(skip)]
    pub key: String,
    /// Format version of the metadata.
    pub recovery: u32,
    /// The session (running window) that wrote it.
    pub session: String,
    /// The design file the changes belong to; `None` for a design never saved.
    pub file: Option<PathBuf>,
    /// The design's name, to tell untitled copies apart.
    pub design_name: String,
    /// When the copy was taken, milliseconds since the Unix epoch.
    pub taken_unix_ms: u64,
}

impl Snapshot {
    /// When the copy was taken.
    pub fn taken(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.taken_unix_ms)
    }

    /// "file.json" or "an untitled design", for the dialog.
    pub fn belongs_to(&self) -> String {
        match &self.file {
            Some(file) => file.display().to_string(),
            None => "a design never saved".to_owned(),
        }
    }
}

/// Why a recovery copy could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RecoveryError {
    /// The files could not be read.
    #[error("cannot read the recovery copy {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// The copy is not a readable design (a newer format, or damaged).
    #[error("the recovery copy {path} cannot be read: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The recovery folder inside a data folder.
pub fn folder_in(data_dir: &Path) -> PathBuf {
    data_dir.join("recovery")
}

/// A new random session id: 16 hex digits.
pub fn new_session_id() -> String {
    format!("{:016x}", crate::io::output::random_u64())
}

/// The key of a session's copy of one file: the session and a stable hash of the file's path
/// (FNV-1a, so it is the same in every build), or `untitled`.
pub fn key_for(session: &str, file: Option<&Path>) -> String {
    match file {
        None => format!("{session}-untitled"),
        Some(file) => {
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for byte in file.as_os_str().as_encoded_bytes() {
                hash ^= u64::from(*byte);
                hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
            }
            format!("{session}-{hash:016x}")
        }
    }
}

fn design_path(folder: &Path, key: &str) -> PathBuf {
    folder.join(format!("{key}.json"))
}

fn meta_path(folder: &Path, key: &str) -> PathBuf {
    folder.join(format!("{key}.meta.json"))
}

fn lock_path(folder: &Path, session: &str) -> PathBuf {
    folder.join(format!("{session}.lock"))
}

/// A running window's hold on its session: while it lives, [`list`] skips the session's
/// copies. Dropping it (or the process dying) lets them be offered.
#[derive(Debug)]
pub struct SessionLock {
    _file: File,
}

/// Creates the folder, readable by its owner only where a mode can say so: the copies are
/// the user's unsaved work, and the data folder is not where they chose to share it.
fn create_folder(folder: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder)
}

/// Creates the folder and takes the lock of a session.
pub fn lock_session(folder: &Path, session: &str) -> io::Result<SessionLock> {
    create_folder(folder)?;
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(folder, session))?;
    file.try_lock().map_err(|error| match error {
        std::fs::TryLockError::Error(error) => error,
        std::fs::TryLockError::WouldBlock => io::Error::other("the session is in use"),
    })?;
    Ok(SessionLock { _file: file })
}

/// True when the session's window is still running (its lock is held).
fn session_is_live(folder: &Path, session: &str) -> bool {
    let Ok(file) = File::options().write(true).open(lock_path(folder, session)) else {
        return false;
    };
    matches!(file.try_lock(), Err(std::fs::TryLockError::WouldBlock))
}

/// Writes a recovery copy of `design` (atomically: design first, then its metadata).
pub fn write(
    folder: &Path,
    session: &str,
    file: Option<&Path>,
    design: &Design,
    taken: SystemTime,
) -> io::Result<Snapshot> {
    create_folder(folder)?;
    let key = key_for(session, file);
    crate::io::write_atomic(
        &design_path(folder, &key),
        crate::io::to_json(design).as_bytes(),
    )?;
    let snapshot = Snapshot {
        key: key.clone(),
        recovery: META_VERSION,
        session: session.to_owned(),
        file: file.map(Path::to_path_buf),
        design_name: design.name.clone(),
        taken_unix_ms: taken
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64),
    };
    let meta = serde_json::to_vec_pretty(&snapshot).map_err(io::Error::other)?;
    crate::io::write_atomic(&meta_path(folder, &key), &meta)?;
    Ok(snapshot)
}

/// The copies left by windows that are no longer running, newest first. Unreadable metadata
/// is skipped (it is not ours to judge), and lock files of dead sessions without copies are
/// removed.
pub fn list(folder: &Path) -> Vec<Snapshot> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut locks = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some(session) = name.strip_suffix(".lock") {
            locks.push(session.to_owned());
            continue;
        }
        let Some(key) = name.strip_suffix(".meta.json") else {
            continue;
        };
        let Ok(text) = std::fs::read(entry.path()) else {
            continue;
        };
        let Ok(mut snapshot) = serde_json::from_slice::<Snapshot>(&text) else {
            continue;
        };
        if snapshot.recovery != META_VERSION || !key.starts_with(&snapshot.session) {
            continue;
        }
        snapshot.key = key.to_owned();
        found.push(snapshot);
    }
    let mut live = std::collections::HashMap::new();
    found.retain(|s| {
        !*live
            .entry(s.session.clone())
            .or_insert_with(|| session_is_live(folder, &s.session))
    });
    for session in locks {
        if !found.iter().any(|s| s.session == session)
            && !live.contains_key(&session)
            && !session_is_live(folder, &session)
        {
            let _ = std::fs::remove_file(lock_path(folder, &session));
        }
    }
    found.sort_by(|a, b| {
        b.taken_unix_ms
            .cmp(&a.taken_unix_ms)
            .then(a.key.cmp(&b.key))
    });
    found
}

/// Reads the design of a copy.
pub fn load(folder: &Path, snapshot: &Snapshot) -> Result<Design, RecoveryError> {
    let path = design_path(folder, &snapshot.key);
    let text = std::fs::read(&path).map_err(|source| RecoveryError::Io {
        path: path.clone(),
        source,
    })?;
    crate::io::parse_design(&text, &path.display().to_string()).map_err(|error| {
        RecoveryError::Invalid {
            path,
            message: error.to_string(),
        }
    })
}

/// Removes a copy (metadata first, so a half-removed copy is never listed). A copy already
/// gone is not an error.
pub fn remove(folder: &Path, key: &str) -> io::Result<()> {
    for path in [meta_path(folder, key), design_path(folder, key)] {
        match std::fs::remove_file(path) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
    }
    Ok(())
}

/// A time as `2026-12-01 20:45 UTC` (no time-zone database needed).
pub fn utc_text(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    // Howard Hinnant's civil_from_days, for days since 1970-01-01 (no dates before it here).
    let z = days as i64 + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// How long ago, in words: "just now", "5 minutes ago", "3 hours ago", "2 days ago".
pub fn ago_text(then: SystemTime, now: SystemTime) -> String {
    let seconds = now.duration_since(then).map_or(0, |d| d.as_secs());
    let (n, unit) = match seconds {
        0..60 => return "just now".to_owned(),
        60..3600 => (seconds / 60, "minute"),
        3600..86_400 => (seconds / 3600, "hour"),
        _ => (seconds / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// A job for the writer thread.
enum Job {
    Write {
        file: Option<PathBuf>,
        design: Box<Design>,
        /// Copies to remove once this one is written (a restored copy this one replaces).
        then_remove: Vec<String>,
    },
    Remove(String),
    Flush(mpsc::Sender<()>),
}

/// What the writer thread has done, for the window's status line and for tests.
#[derive(Debug, Default, Clone)]
pub struct WriterStatus {
    /// Copies written so far.
    pub written: u64,
    /// The last failure, taken by the window to show once.
    pub error: Option<String>,
}

/// Writes and removes a session's copies on a thread of its own, in the order asked, so the
/// window never waits on the disk. Holds the session's lock while it lives.
pub struct Writer {
    folder: PathBuf,
    session: String,
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
    status: Arc<Mutex<WriterStatus>>,
    _lock: SessionLock,
}

impl Writer {
    /// Starts a new session in `folder` (created if missing).
    pub fn start(folder: PathBuf) -> io::Result<Writer> {
        let session = new_session_id();
        let lock = lock_session(&folder, &session)?;
        let (jobs, receive) = mpsc::channel::<Job>();
        let status = Arc::new(Mutex::new(WriterStatus::default()));
        let thread = {
            let (folder, session, status) = (folder.clone(), session.clone(), status.clone());
            std::thread::Builder::new()
                .name("recovery-writer".into())
                .spawn(move || {
                    for job in receive {
                        run_job(&folder, &session, &status, job);
                    }
                })?
        };
        Ok(Writer {
            folder,
            session,
            jobs: Some(jobs),
            thread: Some(thread),
            status,
            _lock: lock,
        })
    }

    /// The folder the copies go to.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// This session's id.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// The key this session's copy of `file` is written under.
    pub fn key(&self, file: Option<&Path>) -> String {
        key_for(&self.session, file)
    }

    /// Queues a copy of `design` (a clone: the window keeps editing), then removes
    /// `then_remove` once it is written.
    pub fn write(&self, file: Option<PathBuf>, design: Design, then_remove: Vec<String>) {
        self.send(Job::Write {
            file,
            design: Box::new(design),
            then_remove,
        });
    }

    /// Queues removing a copy.
    pub fn remove(&self, key: String) {
        self.send(Job::Remove(key));
    }

    /// Waits until every job queued so far is done.
    pub fn flush(&self) {
        let (done, wait) = mpsc::channel();
        self.send(Job::Flush(done));
        let _ = wait.recv_timeout(Duration::from_secs(10));
    }

    /// What the thread has done so far.
    pub fn status(&self) -> WriterStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Takes the last failure, if any.
    pub fn take_error(&self) -> Option<String> {
        self.status.lock().ok().and_then(|mut s| s.error.take())
    }

    fn send(&self, job: Job) {
        if let Some(jobs) = &self.jobs
            && jobs.send(job).is_err()
        {
            self.record_error("the recovery writer stopped".to_owned());
        }
    }

    fn record_error(&self, error: String) {
        if let Ok(mut status) = self.status.lock() {
            status.error = Some(error);
        }
    }
}

impl Drop for Writer {
    /// Finishes the queued jobs (a dropped window is not a crash), then lets the lock go.
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run_job(folder: &Path, session: &str, status: &Mutex<WriterStatus>, job: Job) {
    let result = match job {
        Job::Write {
            file,
            design,
            then_remove,
        } => write(folder, session, file.as_deref(), &design, SystemTime::now()).and_then(|_| {
            if let Ok(mut status) = status.lock() {
                status.written += 1;
            }
            then_remove.iter().try_for_each(|key| remove(folder, key))
        }),
        Job::Remove(key) => remove(folder, &key),
        Job::Flush(done) => {
            let _ = done.send(());
            Ok(())
        }
    };
    if let Err(error) = result
        && let Ok(mut status) = status.lock()
    {
        status.error = Some(format!(
            "Could not keep a recovery copy in {}: {error}",
            folder.display()
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Service, ServiceKind};

    fn design(name: &str) -> Design {
        let mut design = Design::new(name);
        design
            .services
            .push(Service::new("a", ServiceKind::Function));
        design
    }

    #[test]
    fn a_copy_is_written_listed_loaded_and_removed() {
        let folder = tempfile::tempdir().unwrap();
        let file = Path::new("/home/u/orders.json");
        let taken = UNIX_EPOCH + Duration::from_secs(1_764_621_912);
        let written = write(folder.path(), "s1", Some(file), &design("Orders"), taken).unwrap();
        let listed = list(folder.path());
        assert_eq!(listed, std::slice::from_ref(&written));
        assert_eq!(listed[0].file.as_deref(), Some(file));
        assert_eq!(listed[0].design_name, "Orders");
        assert_eq!(listed[0].taken(), taken);
        assert_eq!(load(folder.path(), &listed[0]).unwrap(), design("Orders"));
        // The design copy is a design file of its own.
        let copy = folder.path().join(format!("{}.json", written.key));
        assert_eq!(crate::io::load_path(&copy).unwrap(), design("Orders"));
        remove(folder.path(), &written.key).unwrap();
        assert!(list(folder.path()).is_empty());
        remove(folder.path(), &written.key).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn the_folder_is_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let data = tempfile::tempdir().unwrap();
        let folder = folder_in(data.path());
        write(&folder, "s", None, &design("X"), SystemTime::now()).unwrap();
        let mode = std::fs::metadata(&folder).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn a_running_sessions_copies_are_not_offered() {
        let folder = tempfile::tempdir().unwrap();
        let lock = lock_session(folder.path(), "live").unwrap();
        write(
            folder.path(),
            "live",
            None,
            &design("Mine"),
            SystemTime::now(),
        )
        .unwrap();
        write(
            folder.path(),
            "dead",
            None,
            &design("Crashed"),
            SystemTime::now(),
        )
        .unwrap();
        let names: Vec<String> = list(folder.path())
            .into_iter()
            .map(|s| s.design_name)
            .collect();
        assert_eq!(names, ["Crashed"]);
        drop(lock);
        assert_eq!(list(folder.path()).len(), 2);
        assert!(lock_session(folder.path(), "again").is_ok());
    }

    #[test]
    fn keys_are_per_session_and_file_and_stable() {
        let a = key_for("s", Some(Path::new("/x/a.json")));
        assert_eq!(a, key_for("s", Some(Path::new("/x/a.json"))));
        assert_ne!(a, key_for("s", Some(Path::new("/x/b.json"))));
        assert_ne!(a, key_for("t", Some(Path::new("/x/a.json"))));
        assert_eq!(key_for("s", None), "s-untitled");
        let hash = a.strip_prefix("s-").unwrap();
        assert!(
            hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
            "{a}"
        );
        assert_eq!(new_session_id().len(), 16);
    }

    #[test]
    fn damaged_or_foreign_metadata_is_skipped_and_newest_comes_first() {
        let folder = tempfile::tempdir().unwrap();
        let old = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let new = UNIX_EPOCH + Duration::from_secs(2_000_000);
        write(folder.path(), "a", None, &design("Old"), old).unwrap();
        write(folder.path(), "b", None, &design("New"), new).unwrap();
        std::fs::write(folder.path().join("c-untitled.meta.json"), "{not json").unwrap();
        std::fs::write(folder.path().join("notes.txt"), "x").unwrap();
        let names: Vec<String> = list(folder.path())
            .into_iter()
            .map(|s| s.design_name)
            .collect();
        assert_eq!(names, ["New", "Old"]);
        assert!(list(&folder.path().join("missing")).is_empty());
    }

    #[test]
    fn a_damaged_design_copy_is_an_error_not_a_panic() {
        let folder = tempfile::tempdir().unwrap();
        let snapshot = write(folder.path(), "a", None, &design("X"), SystemTime::now()).unwrap();
        std::fs::write(folder.path().join("a-untitled.json"), "{\"version\": 1, ").unwrap();
        let error = load(folder.path(), &snapshot).unwrap_err();
        assert!(matches!(error, RecoveryError::Invalid { .. }), "{error}");
    }

    #[test]
    fn the_writer_writes_in_order_and_removes() {
        let folder = tempfile::tempdir().unwrap();
        let writer = Writer::start(folder.path().to_path_buf()).unwrap();
        writer.write(None, design("One"), Vec::new());
        writer.write(None, design("Two"), Vec::new());
        writer.flush();
        assert_eq!(writer.status().written, 2);
        // Live: not offered while the writer runs.
        assert!(list(folder.path()).is_empty());
        let key = writer.key(None);
        drop(writer);
        let left = list(folder.path());
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].design_name, "Two");
        assert_eq!(left[0].key, key);

        let writer = Writer::start(folder.path().to_path_buf()).unwrap();
        writer.write(None, design("Three"), vec![key]);
        writer.remove(writer.key(Some(Path::new("/never/written.json"))));
        writer.flush();
        assert!(writer.take_error().is_none());
        drop(writer);
        let names: Vec<String> = list(folder.path())
            .into_iter()
            .map(|s| s.design_name)
            .collect();
        assert_eq!(names, ["Three"]);
    }

    #[test]
    fn times_read_as_dates_and_ages() {
        let t = UNIX_EPOCH + Duration::from_secs(1_764_621_912);
        assert_eq!(utc_text(t), "2025-12-01 20:45 UTC");
        assert_eq!(utc_text(UNIX_EPOCH), "1970-01-01 00:00 UTC");
        assert_eq!(
            utc_text(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29 00:00 UTC"
        );
        assert_eq!(ago_text(t, t + Duration::from_secs(5)), "just now");
        assert_eq!(ago_text(t, t + Duration::from_secs(60)), "1 minute ago");
        assert_eq!(ago_text(t, t + Duration::from_secs(7200)), "2 hours ago");
        assert_eq!(
            ago_text(t, t + Duration::from_secs(3 * 86_400)),
            "3 days ago"
        );
        assert_eq!(ago_text(t + Duration::from_secs(9), t), "just now");
    }
}
