//! Standard output and error messages for the subcommands: one place that decides what a
//! failed write means.
//!
//! - A full standard output (`/dev/full`), or one that fails otherwise, is an error: exit 2,
//!   with a message on stderr. Output sent to `/dev/null`, whether write-only (a shell's
//!   `> /dev/null`) or read-write (Python's `subprocess.DEVNULL`, Node's `stdio: "ignore"`), is
//!   discarded as asked. A stdout closed at start (`>&-`) cannot be told from the read-write
//!   `/dev/null`: Rust's runtime reopens it there before `main`, so it is discarded too.
//! - A reader that went away (`plan big.json | head -1`) is not an error: the subcommand stops
//!   writing, prints nothing about it and exits with the code it would have had (0 or 1).

use std::io::{self, BufWriter, IsTerminal, Write};

use super::EXIT_INVALID;
use super::escape;

/// Writes what `produce` writes to standard output, buffered. `what` names it for the error
/// message ("the plan"). Err is the exit code after the message was printed.
pub(super) fn write(
    what: &str,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), u8> {
    let stdout = io::stdout().lock();
    // On a terminal, what the plan formats carry raw (an id's escape sequence in Markdown or
    // DOT) is escaped too; into a file or a pipe the bytes are the format's own.
    let written = if stdout.is_terminal() {
        let mut out = BufWriter::with_capacity(1 << 16, escape::TerminalWriter::new(stdout));
        produce(&mut out).and_then(|()| out.flush())
    } else {
        let mut out = BufWriter::with_capacity(1 << 16, stdout);
        produce(&mut out).and_then(|()| out.flush())
    };
    match written {
        Ok(()) => Ok(()),
        Err(e) => match ended(e) {
            None => Ok(()),
            Some(e) => Err(error(
                &format!("cannot write {what} to standard output: {e}"),
                write_hint(&e),
            )),
        },
    }
}

/// Writes what `produce` writes to `output` (atomically, see [`crate::io::output`]), or to
/// standard output without one. Err is the exit code after the message was printed.
pub(super) fn write_to(
    output: Option<&std::path::Path>,
    what: &str,
    produce: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), u8> {
    let Some(path) = output else {
        return write(what, produce);
    };
    crate::io::write_atomic_with(path, produce).or_else(|error| {
        // `-o /dev/stdout | head` is a reader going away too.
        match ended(error) {
            None => Ok(()),
            Some(error) => Err(self::error(
                &format!("cannot write {}: {error}", path.display()),
                write_hint(&error),
            )),
        }
    })
}

/// None when the error only says the reader went away (a broken pipe), else the error.
pub(super) fn ended(error: io::Error) -> Option<io::Error> {
    (error.kind() != io::ErrorKind::BrokenPipe && !pipe_not_connected(&error)).then_some(error)
}

/// Windows' ERROR_PIPE_NOT_CONNECTED (233): a pipe whose reader has closed, as Wine reports it
/// (Windows itself says ERROR_NO_DATA, which the standard library already calls a broken pipe).
fn pipe_not_connected(error: &io::Error) -> bool {
    cfg!(windows) && error.raw_os_error() == Some(233)
}

/// Prints `error: TEXT` and `  hint: HINT` on stderr (made safe for a terminal) and returns
/// exit code 2.
pub(super) fn error(text: &str, hint: &str) -> u8 {
    let text = escape::message(text);
    if hint.is_empty() {
        eprintln!("error: {text}");
    } else {
        eprintln!("error: {text}\n  hint: {hint}");
    }
    EXIT_INVALID
}

/// What to do about a failed write, by what the OS said.
pub(super) fn write_hint(error: &io::Error) -> &'static str {
    use io::ErrorKind::*;
    match error.kind() {
        StorageFull | QuotaExceeded => "free some space, or write to another disk",
        PermissionDenied => {
            "choose a path you can write to, or change the permissions of the file or its folder"
        }
        NotFound => "check that the folder exists (create it first)",
        IsADirectory => "name a file inside that folder",
        NotADirectory => "a part of the path is a file, not a folder: check the path",
        ReadOnlyFilesystem => "that file system is read-only: write somewhere else",
        _ => "check the path and the disk, then try again",
    }
}

/// What to do about a file that could not be read, by what the OS said.
pub(super) fn read_hint(error: &io::Error) -> &'static str {
    use io::ErrorKind::*;
    match error.kind() {
        NotFound => "check the file name and the folder (`-` reads standard input)",
        PermissionDenied => "make the file readable (chmod +r), or copy it somewhere you can read",
        IsADirectory => "name a design file inside that folder",
        _ => "check the path and that the file is readable, then try again",
    }
}
