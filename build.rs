//! Build script: the git commit for `--version` and the About box, and on Windows the icon and
//! version resource embedded in the exe.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=EVENT_ARCHITECT_COMMIT");
    let commit = commit();
    println!("cargo:rustc-env=EVENT_ARCHITECT_COMMIT={commit}");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("windows") {
        windows_resource();
    }
}

/// The short commit: `EVENT_ARCHITECT_COMMIT` if set (a packager building from a tarball), else
/// `git rev-parse --short HEAD`, else "unknown" (no git, or not a checkout: `cargo install` from
/// a crate). Never fails the build.
fn commit() -> String {
    if let Ok(commit) = std::env::var("EVENT_ARCHITECT_COMMIT")
        && !commit.trim().is_empty()
    {
        return commit.trim().to_owned();
    }
    let Some(commit) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "unknown".to_owned();
    };
    // Rerun when HEAD moves. Only files that exist: a missing one would rerun every build.
    let mut watched = vec![git_path("HEAD")];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.push(git_path(&branch));
    }
    watched.push(git_path("packed-refs"));
    for path in watched.into_iter().flatten() {
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    commit
}

fn git(args: &[&str]) -> Option<String> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_owned())
}

/// Where git keeps `name` (worktrees keep HEAD apart from the shared refs).
fn git_path(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(git(&["rev-parse", "--git-path", name])?);
    if path.is_absolute() {
        Some(path)
    } else {
        Some(Path::new(&std::env::var_os("CARGO_MANIFEST_DIR")?).join(path))
    }
}

/// The exe's icon and file properties (Explorer, the taskbar, Alt+Tab). A missing resource
/// compiler is a warning, not a failed build; CI checks the resource is there.
fn windows_resource() {
    println!("cargo:rerun-if-changed=assets/icon.ico");
    let mut res = winresource::WindowsResource::new();
    res.set_icon("assets/icon.ico")
        .set("ProductName", "Event Architect")
        .set("FileDescription", "Event Architect")
        .set("LegalCopyright", "MIT OR Apache-2.0");
    if let Err(error) = res.compile_for("event-architect") {
        println!("cargo:warning=no icon resource in the exe: {error}");
    }
}
