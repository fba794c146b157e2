//! The store's schema, created and upgraded by numbered migrations.
//!
//! `PRAGMA user_version` holds the schema version of a file and `PRAGMA application_id` marks it
//! as an einf store. Opening a file applies the migrations it lacks, in one transaction; a file
//! whose version is newer than [`SCHEMA_VERSION`] is refused, and so is a SQLite file of another
//! program. A migration is never edited once released: a schema change is a new entry appended
//! to [`MIGRATIONS`].

use super::error::StoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// `PRAGMA application_id` of an einf store: the bytes `einf`.
pub const APPLICATION_ID: i32 = 0x6569_6e66;

/// One schema step: the SQL that upgrades a file from version `i` to `i + 1`, where `i` is its
/// index in [`MIGRATIONS`].
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// What the step changes, for humans.
    pub description: &'static str,
    /// The statements, run as one batch inside the migration transaction.
    pub sql: &'static str,
}

/// Every schema step, oldest first. Version 1 is the first released schema.
pub const MIGRATIONS: &[Migration] = &[
    Migration { description: "initial schema", sql: V1 },
    Migration {
        description: "kernel lists of whole models (model_graphs, kernel_lists, models.arch)",
        sql: V2,
    },
];

/// The schema version this build writes: the number of migrations.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Version 1. Values are in canonical units (energy mJ, latency ms, power mW), see the `unit`
/// column of the `measured` view.
const V1: &str = r#"
CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    file         TEXT    NOT NULL,                 -- file name (no directory)
    sha256       TEXT    NOT NULL UNIQUE CHECK (length(sha256) = 64),
    format       TEXT    NOT NULL,                 -- reader name: qed-ops, neurstruc, csv, ...
    imported_at  TEXT    NOT NULL,                 -- UTC, RFC 3339
    provenance   TEXT    NOT NULL,                 -- licence and provenance text
    rows         INTEGER NOT NULL CHECK (rows >= 0),
    einf_version TEXT    NOT NULL
) STRICT;

CREATE TABLE devices (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    class     TEXT NOT NULL CHECK (class IN ('cpu', 'gpu', 'npu', 'mcu', 'accelerator')),
    soc       TEXT,
    runtime   TEXT,
    precision TEXT,
    notes     TEXT
) STRICT;

-- A kernel is its kind plus every field of the parser's KernelConfig.
CREATE TABLE kernels (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL,
    batch          INTEGER NOT NULL,
    input_h        INTEGER NOT NULL,
    input_w        INTEGER NOT NULL,
    output_h       INTEGER NOT NULL,
    output_w       INTEGER NOT NULL,
    cin            INTEGER NOT NULL,
    cout           INTEGER NOT NULL,
    kernel_h       INTEGER NOT NULL,
    kernel_w       INTEGER NOT NULL,
    stride_h       INTEGER NOT NULL,
    stride_w       INTEGER NOT NULL,
    pad_top        INTEGER NOT NULL,
    pad_left       INTEGER NOT NULL,
    pad_bottom     INTEGER NOT NULL,
    pad_right      INTEGER NOT NULL,
    dilation_h     INTEGER NOT NULL,
    dilation_w     INTEGER NOT NULL,
    groups         INTEGER NOT NULL,
    dtype          TEXT    NOT NULL,
    input_channels TEXT    NOT NULL,               -- comma-separated, '' when the kernel has one input
    UNIQUE (kind, batch, input_h, input_w, output_h, output_w, cin, cout, kernel_h, kernel_w,
            stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right, dilation_h, dilation_w,
            groups, dtype, input_channels)
) STRICT;

CREATE TABLE models (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    file_sha256 TEXT                               -- NULL when the model file is not known
) STRICT;
CREATE UNIQUE INDEX models_name_sha256 ON models (name, ifnull(file_sha256, ''));

-- kernel_id set: a kernel (model_id, if set, is the model it was measured in);
-- kernel_id NULL: the whole model model_id.
CREATE TABLE measurements (
    id          INTEGER PRIMARY KEY,
    import_id   INTEGER NOT NULL REFERENCES imports (id),
    device_id   INTEGER NOT NULL REFERENCES devices (id),
    kernel_id   INTEGER REFERENCES kernels (id),
    model_id    INTEGER REFERENCES models (id),
    metric      TEXT    NOT NULL CHECK (metric IN ('energy', 'latency', 'power')),
    value       REAL    NOT NULL CHECK (value > 0),
    std         REAL    CHECK (std >= 0),
    repetitions INTEGER CHECK (repetitions > 0),
    run         INTEGER CHECK (run >= 0),
    source_id   TEXT,                              -- the source's own name for the kernel
    line        INTEGER NOT NULL,                  -- 1-based line of the imported file
    CHECK (kernel_id IS NOT NULL OR model_id IS NOT NULL)
) STRICT;
CREATE INDEX measurements_device ON measurements (device_id);

-- The kernels measured inside each model (the kernel list, where a source gives it).
CREATE VIEW model_kernels AS
    SELECT DISTINCT model_id, kernel_id FROM measurements
    WHERE kernel_id IS NOT NULL AND model_id IS NOT NULL;

-- One readable row per measurement, with names and the unit.
CREATE VIEW measured AS
    SELECT m.id, d.name AS device,
           CASE WHEN m.kernel_id IS NULL THEN 'model' ELSE 'kernel' END AS subject,
           k.kind, mo.name AS model, m.metric, m.value,
           CASE m.metric WHEN 'energy' THEN 'mJ' WHEN 'latency' THEN 'ms' ELSE 'mW' END AS unit,
           m.std, m.repetitions, m.run, m.source_id, i.file, m.line
    FROM measurements m
    JOIN devices d ON d.id = m.device_id
    JOIN imports i ON i.id = m.import_id
    LEFT JOIN kernels k ON k.id = m.kernel_id
    LEFT JOIN models mo ON mo.id = m.model_id;
"#;

/// Version 2: the kernels of whole models, so that a model measurement can be learnt from without
/// its file. A model's kernel list per parser backend (`backend` NULL: the list the source gives
/// itself, e.g. NeurstrucEnergy's layers) is a row of `model_graphs`; the lists themselves are
/// stored once each in `kernel_lists` (HELP's 20,625 architectures × 4 backends have far fewer
/// distinct lists), as a JSON array of `kernels.id` in execution order, which the
/// `model_graph_kernels` view expands into one row per kernel.
const V2: &str = r#"
-- The architecture einf-models built the model from (`nb201:<cell>`, `fbnet:<blocks>`,
-- `zoo:<name>[@w<width>][@r<px>][@v<seed>]`); NULL for a model from a file or named by its source.
ALTER TABLE models ADD COLUMN arch TEXT CHECK (arch <> '');

-- Each distinct kernel list once. digest: the first 8 bytes of the sha256 of `kernels` (big-endian,
-- as a signed integer), to find a list; lists are compared by their text.
CREATE TABLE kernel_lists (
    id      INTEGER PRIMARY KEY,
    digest  INTEGER NOT NULL,
    length  INTEGER NOT NULL CHECK (length >= 0),
    kernels TEXT    NOT NULL CHECK (json_valid(kernels) AND json_type(kernels) = 'array')
) STRICT;
CREATE INDEX kernel_lists_digest ON kernel_lists (digest);

-- The kernels of a whole model as split for one parser backend (tflite-gpu, ...), or as the
-- source lists them (backend NULL). uncosted: kernels the parser could not cost, not in the list.
CREATE TABLE model_graphs (
    id        INTEGER PRIMARY KEY,
    model_id  INTEGER NOT NULL REFERENCES models (id),
    backend   TEXT    CHECK (backend <> ''),
    list_id   INTEGER NOT NULL REFERENCES kernel_lists (id),
    uncosted  INTEGER NOT NULL CHECK (uncosted >= 0),
    import_id INTEGER NOT NULL REFERENCES imports (id)   -- the import that first stored it
) STRICT;
CREATE UNIQUE INDEX model_graphs_model_backend ON model_graphs (model_id, ifnull(backend, ''));

-- One row per kernel of each model graph, position 0 first.
CREATE VIEW model_graph_kernels AS
    SELECT g.id AS graph_id, g.model_id, g.backend, CAST(j.key AS INTEGER) AS position,
           j.value AS kernel_id
    FROM model_graphs g JOIN kernel_lists l ON l.id = g.list_id JOIN json_each(l.kernels) j;
"#;

/// Bring the file behind `conn` to [`SCHEMA_VERSION`] with `migrations`, or refuse it.
pub(crate) fn migrate(
    conn: &mut Connection,
    path: &Path,
    migrations: &[Migration],
) -> Result<(), StoreError> {
    let supported = u32::try_from(migrations.len()).unwrap_or(u32::MAX);
    let sql =
        |error| StoreError::Sqlite { path: path.to_path_buf(), what: "reading the schema version", error };
    // Checked once without a write lock (most opens change nothing), then again under it.
    let (version, app_id, tables) = read_header(conn).map_err(|e| not_a_database(path, e, sql))?;
    check_header(path, version, app_id, tables, supported)?;
    if version == supported {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|error| {
        StoreError::Sqlite { path: path.to_path_buf(), what: "locking the store to upgrade it", error }
    })?;
    let (version, app_id, tables) = read_header(&tx).map_err(sql)?;
    check_header(path, version, app_id, tables, supported)?;
    let from = usize::try_from(version).unwrap_or(usize::MAX);
    for step in migrations.iter().skip(from) {
        tx.execute_batch(step.sql).map_err(|error| StoreError::Sqlite {
            path: path.to_path_buf(),
            what: "upgrading the schema",
            error,
        })?;
    }
    tx.execute_batch(&format!("PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {supported};"))
        .and_then(|()| tx.commit())
        .map_err(|error| StoreError::Sqlite { path: path.to_path_buf(), what: "upgrading the schema", error })
}

/// `(user_version, application_id, number of tables)`.
fn read_header(conn: &Connection) -> rusqlite::Result<(u32, i32, u64)> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let app_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        [],
        |r| r.get(0),
    )?;
    Ok((u32::try_from(version).unwrap_or(u32::MAX), app_id, u64::try_from(tables).unwrap_or(0)))
}

fn check_header(
    path: &Path,
    version: u32,
    app_id: i32,
    tables: u64,
    supported: u32,
) -> Result<(), StoreError> {
    let not_ours = |reason: String| StoreError::NotAStore { path: path.to_path_buf(), reason };
    if app_id != APPLICATION_ID && app_id != 0 {
        return Err(not_ours(format!(
            "its application id is {app_id:#x}, an einf store's is {APPLICATION_ID:#x}"
        )));
    }
    if app_id == 0 && tables > 0 {
        return Err(not_ours(format!("it is a SQLite database with {tables} table(s) of another program")));
    }
    if version > supported {
        return Err(StoreError::TooNew { path: path.to_path_buf(), found: version, supported });
    }
    Ok(())
}

/// SQLite says "file is not a database" on the first read of a file that is something else.
pub(crate) fn not_a_database(
    path: &Path,
    e: rusqlite::Error,
    otherwise: impl Fn(rusqlite::Error) -> StoreError,
) -> StoreError {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => {
            StoreError::NotAStore { path: path.to_path_buf(), reason: "not a SQLite database".into() }
        }
        _ => otherwise(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A made-up second version, to check the upgrade mechanism on its own (the released
    /// upgrade from version 1 to 2 is checked in `tests/store_graphs.rs`).
    const TEST_V2: Migration = Migration {
        description: "test: a column added to devices",
        sql: "ALTER TABLE devices ADD COLUMN memory_mib INTEGER;",
    };

    fn version(conn: &Connection) -> i64 {
        conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn an_older_file_is_upgraded_and_keeps_its_rows() {
        let path = Path::new("memory");
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, path, &MIGRATIONS[..1]).unwrap();
        assert_eq!(version(&conn), 1);
        conn.execute("INSERT INTO devices (name, class) VALUES ('pixel4-gpu', 'gpu')", []).unwrap();

        migrate(&mut conn, path, &[MIGRATIONS[0], TEST_V2]).unwrap();
        assert_eq!(version(&conn), 2);
        let (name, mem): (String, Option<i64>) = conn
            .query_row("SELECT name, memory_mib FROM devices", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!((name.as_str(), mem), ("pixel4-gpu", None));

        // Opening again at the same version changes nothing; going back is refused.
        migrate(&mut conn, path, &[MIGRATIONS[0], TEST_V2]).unwrap();
        let err = migrate(&mut conn, path, &MIGRATIONS[..1]).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { found: 2, supported: 1, .. }), "{err}");
    }

    #[test]
    fn a_failed_migration_leaves_the_old_version() {
        let path = Path::new("memory");
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, path, &MIGRATIONS[..1]).unwrap();
        let broken = Migration { description: "test: broken", sql: "CREATE TABLE t (x); SELECT nonsense;" };
        assert!(migrate(&mut conn, path, &[MIGRATIONS[0], broken]).is_err());
        assert_eq!(version(&conn), 1);
        let t: i64 =
            conn.query_row("SELECT count(*) FROM sqlite_schema WHERE name = 't'", [], |r| r.get(0)).unwrap();
        assert_eq!(t, 0);
    }
}
