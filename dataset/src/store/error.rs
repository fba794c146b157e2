//! Errors of the store: every one names the store file or the imported file (and line) it concerns.

use std::path::PathBuf;

/// What went wrong in the store.
///
/// Messages are one line and carry their own context (`einf.db: ...`, `qed.csv:12: ...`), so a
/// caller prints them as they are.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused an operation on the store file.
    #[error("{}: {what}: {error}", path.display())]
    Sqlite {
        /// Store file.
        path: PathBuf,
        /// What the store was doing.
        what: &'static str,
        /// What SQLite said.
        error: rusqlite::Error,
    },
    /// A file (store or imported file) could not be read.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
    /// `open_existing` was asked for a store file that does not exist.
    #[error(
        "{}: no store here (import something first, or point --db / EINF_DB at an existing store)",
        path.display()
    )]
    NoStore {
        /// Store file.
        path: PathBuf,
    },
    /// The file is a SQLite database of some other program, or not a SQLite database at all.
    #[error("{}: not an einf store: {reason}", path.display())]
    NotAStore {
        /// Store file.
        path: PathBuf,
        /// Why it is not one.
        reason: String,
    },
    /// The store was written by a newer einf, whose schema this one does not know.
    #[error(
        "{}: store schema version {found} is newer than this einf understands (version {supported}); \
         use a newer einf or another --db",
        path.display()
    )]
    TooNew {
        /// Store file.
        path: PathBuf,
        /// `PRAGMA user_version` of the file.
        found: u32,
        /// The newest schema version this build knows.
        supported: u32,
    },
    /// A measurement or device of an import batch is invalid; nothing of the batch was written.
    #[error("{}: {what}", location(file, *line))]
    InvalidRow {
        /// Imported file name.
        file: String,
        /// 1-based line of that file (0 when the problem is not tied to a line).
        line: usize,
        /// What is wrong.
        what: String,
    },
    /// A device of the batch has the name of a stored device but describes other hardware or
    /// software; nothing of the batch was written.
    #[error(
        "{file}: device '{device}' is already in the store with {field} '{stored}', this file says '{new}' \
         (use another device name)"
    )]
    DeviceConflict {
        /// Imported file name.
        file: String,
        /// Device name.
        device: String,
        /// The field that differs (`class`, `soc`, `runtime`, `precision`).
        field: &'static str,
        /// The stored value.
        stored: String,
        /// The batch's value.
        new: String,
    },
    /// A query named a device the store does not have.
    #[error("{}: no device '{name}' (known: {known})", path.display())]
    UnknownDevice {
        /// Store file.
        path: PathBuf,
        /// The name asked for.
        name: String,
        /// Known device names, comma-separated (or `none`).
        known: String,
    },
    /// The store file holds a value this build cannot read back (edited by hand, or damaged).
    #[error("{}: damaged store: {what}", path.display())]
    Corrupt {
        /// Store file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// Writing an export failed.
    #[error("export: {0}")]
    Write(std::io::Error),
}

/// `file:line`, or `file` when the problem is not tied to a line (line 0).
fn location(file: &str, line: usize) -> String {
    if line == 0 { file.to_string() } else { format!("{file}:{line}") }
}
