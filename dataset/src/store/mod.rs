//! The SQLite store of measured kernel and model costs per device.
//!
//! One file (default `einf.db`) holds devices, kernels (kind + the parser's configuration),
//! models, measurements in canonical units (energy mJ, latency ms, power mW) and the imports
//! they came from (file name, sha256, format, time, provenance, row count). See [`schema`] for
//! the tables.
//!
//! - **One transaction per import.** [`Store::import`] writes a whole [`ImportBatch`] or nothing:
//!   a batch with an invalid row, or a process killed mid-import, leaves the store as it was.
//! - **Idempotent.** An import is keyed by the sha256 of the file's bytes; importing the same
//!   bytes again adds nothing and says so ([`ImportOutcome::AlreadyImported`]).
//! - **Journal.** The default rollback journal, not WAL: a store is one file that can be copied
//!   or shared as it is (WAL keeps recent commits in a `-wal` side file), einf has one writer at a
//!   time, and a bulk import appends new pages, which the rollback journal need not copy, while
//!   WAL would write every page twice (log, then checkpoint).
//!
//! ```
//! use einf_dataset::batch::{Device, DeviceClass, ImportBatch, Measurement, Metric, ModelRecord, Subject};
//! use einf_dataset::store::{ImportOutcome, ImportSource, Store};
//!
//! # fn main() -> Result<(), einf_dataset::store::StoreError> {
//! let mut store = Store::open_in_memory()?;
//! // A synthetic batch (made-up value, for the example only).
//! let batch = ImportBatch {
//!     format: "csv".into(),
//!     devices: vec![Device::named("example-cpu", DeviceClass::Cpu)],
//!     measurements: vec![Measurement {
//!         device: "example-cpu".into(),
//!         subject: Subject::Model(ModelRecord { name: "tiny".into(), file_sha256: None }),
//!         metric: Metric::Latency,
//!         value: 1.5,
//!         std: None,
//!         repetitions: None,
//!         run: None,
//!         line: 2,
//!     }],
//!     provenance: "synthetic example".into(),
//!     graphs: Vec::new(),
//! };
//! let source = ImportSource::from_bytes("example.csv", b"the file's bytes");
//! assert!(matches!(store.import(&batch, &source)?, ImportOutcome::Imported(_)));
//! assert!(matches!(store.import(&batch, &source)?, ImportOutcome::AlreadyImported(_)));
//! assert_eq!(store.stats()?.measurements, 1);
//! # Ok(())
//! # }
//! ```

mod error;
mod graph_write;
mod graphs;
mod import;
mod query;
pub mod schema;
mod source;
mod training;

pub use error::StoreError;
pub use graphs::{GraphRow, GraphTable, StoredGraph};
pub use import::{ImportInfo, ImportOutcome, ImportSummary, PLAUSIBLE_DIMENSION, PLAUSIBLE_VALUES, Progress};
pub use query::{
    DeviceImport, DeviceReport, DeviceSummary, EXPORT_COLUMNS, ExportFormat, ExportOptions, KindSummary,
    ModelsSummary,
};
pub use source::{ImportSource, sha256_file};
pub use training::{DeviceRows, Filter, KernelRow, ModelRow, StoredKernel};

use crate::batch::ImportBatch;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The default store file, relative to the working directory.
pub const DEFAULT_PATH: &str = "einf.db";

/// The environment variable that names the store file when `--db` is not given.
pub const DB_ENV: &str = "EINF_DB";

/// The store file to use: `flag` (`--db`), else `env` (the value of [`DB_ENV`]), else
/// [`DEFAULT_PATH`]. An empty value counts as not given.
pub fn resolve_path(flag: Option<&Path>, env: Option<&std::ffi::OsStr>) -> PathBuf {
    flag.filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .or_else(|| env.filter(|v| !v.is_empty()).map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PATH))
}

/// An open store.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    allow_extreme: bool,
}

/// Row counts of the store's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Imports.
    pub imports: u64,
    /// Devices.
    pub devices: u64,
    /// Distinct kernels (kind + configuration).
    pub kernels: u64,
    /// Models.
    pub models: u64,
    /// Measurements.
    pub measurements: u64,
    /// Model graphs (a model's kernel list for one backend).
    pub graphs: u64,
}

impl Store {
    /// Open the store at `path`, creating it if missing and upgrading an older schema.
    ///
    /// Refuses a file written by a newer einf ([`StoreError::TooNew`]) and a file that is not
    /// an einf store ([`StoreError::NotAStore`]).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Self::open_with(path, OpenFlags::default())
    }

    /// Open the store at `path` like [`Store::open`], but fail with [`StoreError::NoStore`]
    /// when the file does not exist, and with [`StoreError::NotAStore`] when it is empty (SQLite
    /// would take it for a new database and write the schema into it), for commands that only
    /// read.
    pub fn open_existing(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::NoStore { path: path.to_path_buf() });
        }
        if path.metadata().is_ok_and(|m| m.is_file() && m.len() == 0) {
            return Err(StoreError::NotAStore { path: path.to_path_buf(), reason: "an empty file".into() });
        }
        Self::open_with(path, OpenFlags::default() - OpenFlags::SQLITE_OPEN_CREATE)
    }

    /// A store in memory (tests, examples).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|error| StoreError::Sqlite {
            path: path.clone(),
            what: "opening",
            error,
        })?;
        Self::init(conn, path)
    }

    fn open_with(path: &Path, flags: OpenFlags) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(path, flags).map_err(|error| StoreError::Sqlite {
            path: path.to_path_buf(),
            what: "opening",
            error,
        })?;
        Self::init(conn, path.to_path_buf())
    }

    fn init(mut conn: Connection, path: PathBuf) -> Result<Store, StoreError> {
        // Concurrent einf processes wait for each other's imports instead of failing at once.
        conn.busy_timeout(std::time::Duration::from_secs(30)).map_err(|error| StoreError::Sqlite {
            path: path.clone(),
            what: "configuring",
            error,
        })?;
        // Room for the indexes a large import touches (64 MiB).
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;").map_err(|e| {
            schema::not_a_database(&path, e, |error| StoreError::Sqlite {
                path: path.clone(),
                what: "configuring",
                error,
            })
        })?;
        conn.set_prepared_statement_cache_capacity(32);
        schema::migrate(&mut conn, &path, schema::MIGRATIONS)?;
        Ok(Store { conn, path, allow_extreme: false })
    }

    /// Let imports through whose values or kernel dimensions no real measurement has (outside
    /// [`PLAUSIBLE_VALUES`] of the canonical unit, or above [`PLAUSIBLE_DIMENSION`]);
    /// by default such a row fails its import, naming its line.
    pub fn allow_extreme(&mut self, yes: bool) {
        self.allow_extreme = yes;
    }

    /// The store file (`:memory:` for [`Store::open_in_memory`]).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write `batch`, read from the file `source` describes, in one transaction.
    ///
    /// See [`Store::import_with_progress`].
    pub fn import(
        &mut self,
        batch: &ImportBatch,
        source: &ImportSource,
    ) -> Result<ImportOutcome, StoreError> {
        self.import_with_progress(batch, source, &mut |_| {})
    }

    /// Write `batch` in one transaction, calling `progress` every few thousand measurements.
    ///
    /// If the store already holds an import of the same sha256, nothing is written and the
    /// earlier import is returned as [`ImportOutcome::AlreadyImported`]. Every row is checked
    /// before anything is written (finite positive values, known devices, a device name that
    /// keeps describing the same device); an invalid row fails the whole batch with
    /// `file:line: what is wrong` and leaves the store untouched.
    pub fn import_with_progress(
        &mut self,
        batch: &ImportBatch,
        source: &ImportSource,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportOutcome, StoreError> {
        let mut outcomes = self.import_all(&[(batch, source)], progress)?;
        outcomes.pop().ok_or_else(|| StoreError::Corrupt {
            path: self.path.clone(),
            what: "an import of one file reported no outcome".into(),
        })
    }

    /// Write several files' batches in one transaction: all of them or, when any is invalid (or
    /// the process dies), none. Each file is still its own import (its own sha256, row count and
    /// provenance); a file already in the store, or given twice, is
    /// [`ImportOutcome::AlreadyImported`]. `progress` counts measurements over all batches.
    pub fn import_all(
        &mut self,
        items: &[(&ImportBatch, &ImportSource)],
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Vec<ImportOutcome>, StoreError> {
        import::import_all(&mut self.conn, &self.path, self.allow_extreme, items, progress)
    }

    /// The import of a file with these bytes (sha256, lowercase hex), if the store has one.
    pub fn find_import(&self, sha256: &str) -> Result<Option<ImportInfo>, StoreError> {
        import::find_import(&self.conn, sha256).map_err(|e| self.sql("looking up an import", e))
    }

    /// The import of `source`'s bytes, if the store has one, when it was read as `format` (a
    /// reader's name); the same bytes imported as another format are an error naming both.
    pub fn find_import_as(
        &self,
        source: &ImportSource,
        format: &str,
    ) -> Result<Option<ImportInfo>, StoreError> {
        match self.find_import(&source.sha256)? {
            Some(earlier) => import::same_format(source, &earlier, format).map(|()| Some(earlier)),
            None => Ok(None),
        }
    }

    /// Every import, oldest first.
    pub fn imports(&self) -> Result<Vec<ImportInfo>, StoreError> {
        query::imports(&self.conn).map_err(|e| self.sql("listing imports", e))
    }

    /// Row counts.
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let count = |table: &str| -> rusqlite::Result<u64> {
            self.conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| import::get_u64(r, 0))
        };
        let stats = (|| {
            Ok(Stats {
                imports: count("imports")?,
                devices: count("devices")?,
                kernels: count("kernels")?,
                models: count("models")?,
                measurements: count("measurements")?,
                graphs: count("model_graphs")?,
            })
        })();
        stats.map_err(|e| self.sql("counting rows", e))
    }

    /// SQLite's `integrity_check` and `foreign_key_check`: `Ok` when the file is sound.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let problems = (|| -> rusqlite::Result<Vec<String>> {
            let mut st = self.conn.prepare("PRAGMA integrity_check")?;
            let mut out: Vec<String> =
                st.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<_>>()?;
            out.retain(|s| s != "ok");
            let mut fk = self.conn.prepare("PRAGMA foreign_key_check")?;
            let dangling = fk.query_map([], |r| {
                Ok(format!(
                    "{} row {} refers to a missing {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    { r.get::<_, String>(2)? }
                ))
            })?;
            for d in dangling {
                out.push(d?);
            }
            out.extend(graphs::dangling_list_kernels(&self.conn)?);
            Ok(out)
        })()
        .map_err(|e| self.sql("checking integrity", e))?;
        if problems.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Corrupt { path: self.path.clone(), what: problems.join("; ") })
        }
    }

    fn sql(&self, what: &'static str, error: rusqlite::Error) -> StoreError {
        StoreError::Sqlite { path: self.path.clone(), what, error }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_path_precedence() {
        let flag = Path::new("flag.db");
        let env = std::ffi::OsStr::new("env.db");
        assert_eq!(resolve_path(Some(flag), Some(env)), PathBuf::from("flag.db"));
        assert_eq!(resolve_path(None, Some(env)), PathBuf::from("env.db"));
        assert_eq!(resolve_path(None, Some(std::ffi::OsStr::new(""))), PathBuf::from("einf.db"));
        assert_eq!(resolve_path(None, None), PathBuf::from("einf.db"));
    }
}
