//! Helpers for the end-to-end tests of the `einf` binary (in `tests/tests/`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A fixture model by its path under `tests/fixtures/models`.
pub fn fixture(rel: &str) -> PathBuf {
    repo_root().join("tests/fixtures/models").join(rel)
}

/// The `einf` binary built by `cargo test --workspace` (next to the test executable's folder).
pub fn einf_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    // target/<profile>/deps/<test> → target/<profile>/einf
    let profile_dir = exe.parent().and_then(Path::parent).map(Path::to_path_buf).unwrap_or_default();
    profile_dir.join(format!("einf{}", std::env::consts::EXE_SUFFIX))
}

/// Run `einf` with arguments.
pub fn einf(args: &[&str]) -> std::io::Result<Output> {
    let bin = einf_binary();
    if !bin.exists() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "{} is missing: run the workspace tests (cargo test --workspace) so cargo builds it",
                bin.display()
            ),
        ));
    }
    Command::new(bin).args(args).current_dir(repo_root()).output()
}

/// A fresh, empty folder for one test (`<suite>` names the test file, `<test>` the test).
#[allow(clippy::unwrap_used)]
pub fn scratch_dir(suite: &str, test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("einf-{suite}-e2e-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `einf`, expects success, and returns its standard output.
#[allow(clippy::unwrap_used)]
pub fn einf_ok(args: &[&str]) -> String {
    let o = einf(args).unwrap();
    assert!(o.status.success(), "einf {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

/// Runs `einf`, expects failure with a one-line error, and returns the error.
#[allow(clippy::unwrap_used)]
pub fn einf_fails(args: &[&str]) -> String {
    let o = einf(args).unwrap();
    assert!(!o.status.success(), "einf {args:?} should fail");
    let err = String::from_utf8(o.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one-line error: {err}");
    err
}
