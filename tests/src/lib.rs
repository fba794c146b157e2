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
