//! Writing an [`ImportBatch`]: checked first, then written in one transaction, keyed by the
//! sha256 of the file it came from.

use super::error::StoreError;
use super::source::ImportSource;
use crate::batch::{Device, DeviceClass, ImportBatch, Measurement, ModelRecord, Subject};
use einf_parser::kernel::{KernelConfig, KernelKind};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// How far an import has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Measurements written so far.
    pub done: u64,
    /// Measurements in the batch.
    pub total: u64,
}

/// One import as the store records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportInfo {
    /// Import id (`measurements.import_id`).
    pub id: i64,
    /// File name.
    pub file: String,
    /// sha256 of the file.
    pub sha256: String,
    /// Reader format.
    pub format: String,
    /// When it was imported (UTC, RFC 3339).
    pub imported_at: String,
    /// Licence and provenance text.
    pub provenance: String,
    /// Measurements it added.
    pub rows: u64,
}

/// What a successful import added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// The new import.
    #[serde(flatten)]
    pub import: ImportInfo,
    /// Devices the batch refers to.
    pub devices: u64,
    /// Of those, new to the store.
    pub devices_new: u64,
    /// Distinct kernels the batch measures.
    pub kernels: u64,
    /// Of those, new to the store.
    pub kernels_new: u64,
    /// Distinct models the batch refers to (measured whole or as the home of a kernel).
    pub models: u64,
    /// Of those, new to the store.
    pub models_new: u64,
    /// Distinct model graphs (a model's kernel list for one backend) the batch gives.
    pub graphs: u64,
    /// Of those, new to the store (the others were stored already, with the same kernels).
    pub graphs_new: u64,
}

/// The result of [`crate::store::Store::import`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ImportOutcome {
    /// The batch was written.
    Imported(ImportSummary),
    /// The store already holds a file with these bytes; nothing was written.
    AlreadyImported(ImportInfo),
}

/// How many measurements are written between two progress calls.
const PROGRESS_EVERY: u64 = 1 << 14;

/// Write `items` in one transaction: every batch or none. A batch whose sha256 the store (or an
/// earlier item of the same call) already holds is skipped as [`ImportOutcome::AlreadyImported`].
pub(crate) fn import_all(
    conn: &mut Connection,
    path: &Path,
    extreme: bool,
    items: &[(&ImportBatch, &ImportSource)],
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<ImportOutcome>, StoreError> {
    let sql = |what: &'static str| move |error| StoreError::Sqlite { path: path.to_path_buf(), what, error };
    for (_, source) in items {
        if source.sha256.len() != 64
            || !source.sha256.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(invalid(
                source,
                0,
                format!("sha256 '{}' is not 64 lowercase hex digits", source.sha256),
            ));
        }
    }
    let mut counter =
        Counter { done: 0, total: items.iter().map(|(b, _)| b.measurements.len() as u64).sum() };
    progress(counter.progress());
    // Every id a measurement refers to was just read or inserted by this transaction, so SQLite's
    // per-row foreign-key lookups (four per measurement) are skipped for the import; the pragma
    // only takes effect outside a transaction, and is restored whatever happens.
    conn.execute_batch("PRAGMA foreign_keys = OFF").map_err(sql("starting the import"))?;
    let result = import_all_tx(conn, path, extreme, items, &mut counter, progress);
    let restored = conn.execute_batch("PRAGMA foreign_keys = ON").map_err(sql("finishing the import"));
    let outcomes = result?;
    restored?;
    Ok(outcomes)
}

fn import_all_tx(
    conn: &mut Connection,
    path: &Path,
    extreme: bool,
    items: &[(&ImportBatch, &ImportSource)],
    counter: &mut Counter,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<ImportOutcome>, StoreError> {
    let sql = |what: &'static str| move |error| StoreError::Sqlite { path: path.to_path_buf(), what, error };
    // IMMEDIATE: take the write lock now, so that the sha256 checks and the writes see one state.
    let tx =
        conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sql("starting the import"))?;
    let mut outcomes = Vec::with_capacity(items.len());
    for (batch, source) in items {
        if let Some(earlier) =
            find_import(&tx, &source.sha256).map_err(sql("looking up the file's sha256"))?
        {
            same_format(source, &earlier, &batch.format)?;
            counter.done += batch.measurements.len() as u64;
            progress(counter.progress());
            outcomes.push(ImportOutcome::AlreadyImported(earlier));
            continue;
        }
        // Read again for each batch: an earlier batch of this call may have added devices.
        let stored = stored_devices(&tx).map_err(sql("reading devices"))?;
        let devices = check(batch, source, &stored, extreme)?;
        let graphs = super::graph_write::check(batch, source)?;
        let summary = write(&tx, batch, source, &stored, &devices, &graphs, counter, progress).map_err(
            |f| match f {
                Failure::Sql(e) => sql("writing the import")(e),
                Failure::Invalid(e) => e,
            },
        )?;
        outcomes.push(ImportOutcome::Imported(summary));
    }
    tx.commit().map_err(sql("committing the import"))?;
    Ok(outcomes)
}

/// Measurements written (or skipped) so far, out of all of one call's batches.
struct Counter {
    done: u64,
    total: u64,
}

impl Counter {
    fn progress(&self) -> Progress {
        Progress { done: self.done, total: self.total }
    }
}

/// The import of `sha256`, if any.
pub(crate) fn find_import(conn: &Connection, sha256: &str) -> rusqlite::Result<Option<ImportInfo>> {
    conn.prepare_cached(
        "SELECT id, file, sha256, format, imported_at, provenance, rows FROM imports WHERE sha256 = ?1",
    )?
    .query_row([sha256], import_info)
    .optional()
}

/// An `imports` row, selected as `id, file, sha256, format, imported_at, provenance, rows`.
pub(crate) fn import_info(r: &rusqlite::Row<'_>) -> rusqlite::Result<ImportInfo> {
    Ok(ImportInfo {
        id: r.get(0)?,
        file: r.get(1)?,
        sha256: r.get(2)?,
        format: r.get(3)?,
        imported_at: r.get(4)?,
        provenance: r.get(5)?,
        rows: get_u64(r, 6)?,
    })
}

/// A count column (SQLite integers are i64).
pub(crate) fn get_u64(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<u64> {
    let v: i64 = r.get(i)?;
    u64::try_from(v)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Integer, e.into()))
}

/// The same bytes read as another format would be other measurements: an error saying so, rather
/// than the earlier import reported as this one.
pub(super) fn same_format(
    source: &ImportSource,
    earlier: &ImportInfo,
    format: &str,
) -> Result<(), StoreError> {
    if earlier.format == format {
        return Ok(());
    }
    Err(invalid(
        source,
        0,
        format!(
            "these bytes are already in the store as import {} of '{}', read as {}; not read again as {format}",
            earlier.id, earlier.file, earlier.format
        ),
    ))
}

pub(super) fn invalid(source: &ImportSource, line: usize, what: String) -> StoreError {
    StoreError::InvalidRow { file: source.file.clone(), line, what }
}

/// Stored devices by name: id and description.
type StoredDevices = HashMap<String, (i64, Device)>;

fn stored_devices(tx: &Transaction<'_>) -> rusqlite::Result<StoredDevices> {
    let mut st = tx.prepare("SELECT id, name, class, soc, runtime, precision, notes FROM devices")?;
    let rows = st.query_map([], |r| {
        let class: String = r.get(2)?;
        let device = Device {
            name: r.get(1)?,
            // The schema's CHECK admits only the five classes; an unknown one cannot conflict.
            class: class.parse::<DeviceClass>().unwrap_or(DeviceClass::Accelerator),
            soc: r.get(3)?,
            runtime: r.get(4)?,
            precision: r.get(5)?,
            notes: r.get(6)?,
        };
        Ok((device.name.clone(), (r.get(0)?, device)))
    })?;
    rows.collect()
}

/// Check every device and measurement before anything is written. Returns the batch's devices
/// by name.
fn check<'b>(
    batch: &'b ImportBatch,
    source: &ImportSource,
    stored: &StoredDevices,
    extreme: bool,
) -> Result<HashMap<&'b str, &'b Device>, StoreError> {
    let mut devices: HashMap<&str, &Device> = HashMap::with_capacity(batch.devices.len());
    for d in &batch.devices {
        if d.name.trim().is_empty() {
            return Err(invalid(source, 0, "a device has an empty name".into()));
        }
        if let Some(first) = devices.insert(&d.name, d)
            && first != d
        {
            return Err(invalid(source, 0, format!("device '{}' is described twice, differently", d.name)));
        }
        if let Some((_, old)) = stored.get(&d.name) {
            check_same_device(source, old, d)?;
        }
    }
    for m in &batch.measurements {
        check_measurement(source, m, &devices, stored)?;
        if !extreme {
            check_plausible(m).map_err(|what| invalid(source, m.line, what))?;
        }
    }
    Ok(devices)
}

fn check_same_device(source: &ImportSource, old: &Device, new: &Device) -> Result<(), StoreError> {
    let conflict = |field: &'static str, stored: &str, new_value: &str| StoreError::DeviceConflict {
        file: source.file.clone(),
        device: new.name.clone(),
        field,
        stored: stored.to_string(),
        new: new_value.to_string(),
    };
    if old.class != new.class {
        return Err(conflict("class", old.class.name(), new.class.name()));
    }
    let fields = [
        ("soc", &old.soc, &new.soc),
        ("runtime", &old.runtime, &new.runtime),
        ("precision", &old.precision, &new.precision),
    ];
    for (field, a, b) in fields {
        if let (Some(a), Some(b)) = (a, b)
            && a != b
        {
            return Err(conflict(field, a, b));
        }
    }
    Ok(())
}

fn check_measurement(
    source: &ImportSource,
    m: &Measurement,
    devices: &HashMap<&str, &Device>,
    stored: &StoredDevices,
) -> Result<(), StoreError> {
    let bad = |what: String| invalid(source, m.line, what);
    if !devices.contains_key(m.device.as_str()) && !stored.contains_key(&m.device) {
        return Err(bad(format!("device '{}' is neither described by the file nor in the store", m.device)));
    }
    let unit = m.metric.unit();
    if !(m.value.is_finite() && m.value > 0.0) {
        return Err(bad(format!("{} {} {unit} is not a finite positive value", m.metric.name(), m.value)));
    }
    if let Some(std) = m.std
        && !(std.is_finite() && std >= 0.0)
    {
        return Err(bad(format!("standard deviation {std} {unit} is not finite and ≥ 0")));
    }
    if m.repetitions == Some(0) {
        return Err(bad("0 repetitions".into()));
    }
    match &m.subject {
        Subject::Kernel(k) => {
            config_ints(&k.config).map_err(bad)?;
            if k.model.as_deref().is_some_and(|n| n.trim().is_empty()) {
                return Err(bad("empty model name".into()));
            }
        }
        Subject::Model(model) => check_model(model).map_err(bad)?,
    }
    Ok(())
}

/// Values no real measurement has, in canonical units: below a femtojoule / picosecond /
/// nanowatt (1e-9 mJ, ms, mW) or above a gigajoule / eleven days / a gigawatt (1e12).
pub const PLAUSIBLE_VALUES: (f64, f64) = (1e-9, 1e12);

/// The largest kernel dimension taken as real (2^31: no tensor side or channel count comes near).
pub const PLAUSIBLE_DIMENSION: u64 = 1 << 31;

/// A value or a kernel dimension outside what any real measurement has: almost always a unit or
/// column slip. [`crate::store::Store::allow_extreme`] lets such rows in.
fn check_plausible(m: &Measurement) -> Result<(), String> {
    let (lo, hi) = PLAUSIBLE_VALUES;
    let unit = m.metric.unit();
    let why = "a unit or column slip? --allow-extreme imports it";
    if !(lo..=hi).contains(&m.value) {
        return Err(format!(
            "{} {:e} {unit} is outside {lo:e}..{hi:e} {unit} ({why})",
            m.metric.name(),
            m.value
        ));
    }
    if let Subject::Kernel(k) = &m.subject {
        let big = k.config.whole_numbers().into_iter().chain(k.config.input_channels.iter().copied()).max();
        if let Some(v) = big.filter(|v| *v > PLAUSIBLE_DIMENSION) {
            return Err(format!("kernel dimension {v} is above 2^31 ({why})"));
        }
    }
    Ok(())
}

pub(super) fn check_model(m: &ModelRecord) -> Result<(), String> {
    if m.name.trim().is_empty() {
        return Err("empty model name".into());
    }
    if let Some(sha) = &m.file_sha256
        && !crate::batch::is_sha256(sha)
    {
        return Err(format!("model file sha256 '{sha}' is not 64 hex digits"));
    }
    Ok(())
}

/// The integer fields of a configuration in `kernels` column order (SQLite integers are i64).
pub(super) fn config_ints(c: &KernelConfig) -> Result<[i64; 18], String> {
    let [pt, pl, pb, pr] = c.pads;
    let fields = [
        ("batch", c.batch),
        ("input_h", c.input_h),
        ("input_w", c.input_w),
        ("output_h", c.output_h),
        ("output_w", c.output_w),
        ("cin", c.cin),
        ("cout", c.cout),
        ("kernel_h", c.kernel_h),
        ("kernel_w", c.kernel_w),
        ("stride_h", c.stride_h),
        ("stride_w", c.stride_w),
        ("pad_top", pt),
        ("pad_left", pl),
        ("pad_bottom", pb),
        ("pad_right", pr),
        ("dilation_h", c.dilation_h),
        ("dilation_w", c.dilation_w),
        ("groups", c.groups),
    ];
    let mut out = [0i64; 18];
    for ((name, v), slot) in fields.iter().zip(out.iter_mut()) {
        *slot = i64::try_from(*v).map_err(|_| format!("kernel {name} = {v} is too large to store"))?;
    }
    if let Some(v) = c.input_channels.iter().find(|&&v| i64::try_from(v).is_err()) {
        return Err(format!("kernel input channel count {v} is too large to store"));
    }
    Ok(out)
}

/// `input_channels` as stored: comma-separated, empty when the kernel has one input.
pub(crate) fn channels_text(channels: &[u64]) -> String {
    channels.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
}

/// Ids of the kernels and models of one batch, looked up or inserted once each.
pub(super) struct Subjects<'b> {
    kernels: FxHashMap<(&'b KernelKind, &'b KernelConfig), i64>,
    /// The kernel of the previous row (files list a kernel's metrics on consecutive rows).
    last_kernel: Option<(&'b KernelKind, &'b KernelConfig, i64)>,
    models: FxHashMap<(&'b str, Option<&'b str>), i64>,
    kernels_new: u64,
    models_new: u64,
    /// Models this import inserted (none of their graphs is stored before it).
    pub(super) inserted_models: rustc_hash::FxHashSet<i64>,
}

const KERNEL_SELECT: &str = "SELECT id FROM kernels WHERE kind = ?1 AND batch = ?2 AND input_h = ?3 \
     AND input_w = ?4 AND output_h = ?5 AND output_w = ?6 AND cin = ?7 AND cout = ?8 AND kernel_h = ?9 \
     AND kernel_w = ?10 AND stride_h = ?11 AND stride_w = ?12 AND pad_top = ?13 AND pad_left = ?14 \
     AND pad_bottom = ?15 AND pad_right = ?16 AND dilation_h = ?17 AND dilation_w = ?18 AND groups = ?19 \
     AND dtype = ?20 AND input_channels = ?21";

const KERNEL_INSERT: &str = "INSERT INTO kernels (kind, batch, input_h, input_w, output_h, output_w, cin, \
     cout, kernel_h, kernel_w, stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right, dilation_h, \
     dilation_w, groups, dtype, input_channels) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)";

impl<'b> Subjects<'b> {
    /// The id of the kernel `kind` + `config`, inserted if the store lacks it.
    pub(super) fn kernel(
        &mut self,
        tx: &Transaction<'_>,
        kind: &'b KernelKind,
        config: &'b KernelConfig,
    ) -> rusqlite::Result<i64> {
        if let Some((k, c, id)) = self.last_kernel
            && k == kind
            && c == config
        {
            return Ok(id);
        }
        if let Some(&id) = self.kernels.get(&(kind, config)) {
            self.last_kernel = Some((kind, config, id));
            return Ok(id);
        }
        // Checked before the transaction wrote anything; a failure here is a bug, reported as one.
        let ints = config_ints(config).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
        let (k, c) = (kind, config);
        let kind = k.to_string();
        let dtype = c.dtype.name();
        let channels = channels_text(&c.input_channels);
        let mut values: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(21);
        values.push(&kind);
        values.extend(ints.iter().map(|v| v as &dyn rusqlite::ToSql));
        values.push(&dtype);
        values.push(&channels);
        let found =
            tx.prepare_cached(KERNEL_SELECT)?.query_row(values.as_slice(), |r| r.get(0)).optional()?;
        let id = match found {
            Some(id) => id,
            None => {
                tx.prepare_cached(KERNEL_INSERT)?.execute(values.as_slice())?;
                self.kernels_new += 1;
                tx.last_insert_rowid()
            }
        };
        self.kernels.insert((k, c), id);
        self.last_kernel = Some((k, c, id));
        Ok(id)
    }

    /// The id of the model `name` with file hash `sha`, inserted if the store lacks it.
    pub(super) fn model(
        &mut self,
        tx: &Transaction<'_>,
        name: &'b str,
        sha: Option<&'b str>,
    ) -> rusqlite::Result<i64> {
        if let Some(&id) = self.models.get(&(name, sha)) {
            return Ok(id);
        }
        let found = tx
            .prepare_cached(
                "SELECT id FROM models WHERE name = ?1 AND ifnull(file_sha256, '') = ifnull(?2, '')",
            )?
            .query_row(params![name, sha], |r| r.get(0))
            .optional()?;
        let id = match found {
            Some(id) => id,
            None => {
                tx.prepare_cached("INSERT INTO models (name, file_sha256) VALUES (?1, ?2)")?
                    .execute(params![name, sha])?;
                self.models_new += 1;
                let id = tx.last_insert_rowid();
                self.inserted_models.insert(id);
                id
            }
        };
        self.models.insert((name, sha), id);
        Ok(id)
    }
}

/// Measurements per INSERT statement: one statement with many rows costs SQLite much less than
/// as many one-row statements (11 parameters a row, far below SQLite's limit of 32766).
const ROWS_PER_INSERT: usize = 64;

/// One `measurements` row, waiting for its INSERT.
struct Row<'b> {
    device_id: i64,
    kernel_id: Option<i64>,
    model_id: Option<i64>,
    metric: &'static str,
    value: f64,
    std: Option<f64>,
    repetitions: Option<u32>,
    run: Option<u32>,
    source_id: Option<&'b str>,
    line: i64,
}

/// `INSERT INTO measurements ... VALUES (...), (...)` for `rows` rows.
fn insert_sql(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO measurements (import_id, device_id, kernel_id, model_id, metric, value, std, \
         repetitions, run, source_id, line) VALUES ",
    );
    for i in 0..rows {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str("(?,?,?,?,?,?,?,?,?,?,?)");
    }
    sql
}

/// Bind `rows` to `st` (prepared from [`insert_sql`] for as many rows) and run it.
fn insert_rows(st: &mut rusqlite::Statement<'_>, import_id: i64, rows: &[Row<'_>]) -> rusqlite::Result<()> {
    let mut i = 0;
    let mut next = || {
        i += 1;
        i
    };
    for r in rows {
        st.raw_bind_parameter(next(), import_id)?;
        st.raw_bind_parameter(next(), r.device_id)?;
        st.raw_bind_parameter(next(), r.kernel_id)?;
        st.raw_bind_parameter(next(), r.model_id)?;
        st.raw_bind_parameter(next(), r.metric)?;
        st.raw_bind_parameter(next(), r.value)?;
        st.raw_bind_parameter(next(), r.std)?;
        st.raw_bind_parameter(next(), r.repetitions)?;
        st.raw_bind_parameter(next(), r.run)?;
        st.raw_bind_parameter(next(), r.source_id)?;
        st.raw_bind_parameter(next(), r.line)?;
    }
    st.raw_execute()?;
    Ok(())
}

/// Why writing a checked batch failed: SQLite, or a graph that contradicts a stored one.
pub(super) enum Failure {
    Sql(rusqlite::Error),
    Invalid(StoreError),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Sql(e)
    }
}

#[allow(clippy::too_many_arguments)]
fn write<'b>(
    tx: &Transaction<'_>,
    batch: &'b ImportBatch,
    source: &ImportSource,
    stored: &StoredDevices,
    devices: &HashMap<&str, &Device>,
    graphs: &[&'b crate::batch::ModelGraph],
    counter: &mut Counter,
    progress: &mut dyn FnMut(Progress),
) -> Result<ImportSummary, Failure> {
    let total = batch.measurements.len() as u64;
    let rows = i64::try_from(total).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    tx.execute(
        "INSERT INTO imports (file, sha256, format, imported_at, provenance, rows, einf_version) \
         VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?4, ?5, ?6)",
        params![source.file, source.sha256, batch.format, batch.provenance, rows, env!("CARGO_PKG_VERSION")],
    )?;
    let import_id = tx.last_insert_rowid();

    // Devices: new ones inserted; stored ones keep their fields and gain those they lacked.
    let mut device_ids: HashMap<&str, i64> = HashMap::with_capacity(devices.len());
    let mut devices_new = 0;
    for d in &batch.devices {
        if device_ids.contains_key(d.name.as_str()) {
            continue;
        }
        let id = match stored.get(&d.name) {
            Some((id, _)) => {
                tx.prepare_cached(
                    "UPDATE devices SET soc = ifnull(soc, ?2), runtime = ifnull(runtime, ?3), \
                     precision = ifnull(precision, ?4), notes = ifnull(notes, ?5) WHERE id = ?1",
                )?
                .execute(params![id, d.soc, d.runtime, d.precision, d.notes])?;
                *id
            }
            None => {
                tx.prepare_cached(
                    "INSERT INTO devices (name, class, soc, runtime, precision, notes) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    d.name,
                    d.class.name(),
                    d.soc,
                    d.runtime,
                    d.precision,
                    d.notes
                ])?;
                devices_new += 1;
                tx.last_insert_rowid()
            }
        };
        device_ids.insert(&d.name, id);
    }

    let mut subjects = Subjects {
        kernels: FxHashMap::default(),
        last_kernel: None,
        models: FxHashMap::default(),
        kernels_new: 0,
        models_new: 0,
        inserted_models: rustc_hash::FxHashSet::default(),
    };
    let mut full = tx.prepare(&insert_sql(ROWS_PER_INSERT))?;
    let mut rows: Vec<Row<'_>> = Vec::with_capacity(ROWS_PER_INSERT);
    // Files list a device's rows together: the previous row's device is looked up once.
    let mut last_device: Option<(&str, i64)> = None;
    for m in &batch.measurements {
        let device_id = match last_device {
            Some((name, id)) if name == m.device => id,
            _ => {
                let id = match device_ids.get(m.device.as_str()) {
                    Some(&id) => id,
                    None => {
                        // A stored device the file does not describe (checked to exist before writing).
                        let id = stored
                            .get(&m.device)
                            .map(|(id, _)| *id)
                            .ok_or(rusqlite::Error::QueryReturnedNoRows)?;
                        device_ids.insert(&m.device, id);
                        id
                    }
                };
                last_device = Some((&m.device, id));
                id
            }
        };
        let (kernel_id, model_id, source_id) = match &m.subject {
            Subject::Kernel(k) => {
                let model = k.model.as_deref().map(|name| subjects.model(tx, name, None)).transpose()?;
                (Some(subjects.kernel(tx, &k.kind, &k.config)?), model, k.source_id.as_deref())
            }
            Subject::Model(r) => (None, Some(subjects.model(tx, &r.name, r.file_sha256.as_deref())?), None),
        };
        rows.push(Row {
            device_id,
            kernel_id,
            model_id,
            metric: m.metric.name(),
            value: m.value,
            std: m.std,
            repetitions: m.repetitions,
            run: m.run,
            source_id,
            line: i64::try_from(m.line).unwrap_or(i64::MAX),
        });
        if rows.len() == ROWS_PER_INSERT {
            insert_rows(&mut full, import_id, &rows)?;
            rows.clear();
        }
        counter.done += 1;
        if counter.done.is_multiple_of(PROGRESS_EVERY) {
            progress(counter.progress());
        }
    }
    if !rows.is_empty() {
        insert_rows(&mut tx.prepare(&insert_sql(rows.len()))?, import_id, &rows)?;
    }
    let graphs_new = super::graph_write::write(tx, graphs, batch, source, import_id, &mut subjects)?;
    progress(counter.progress());
    Ok(ImportSummary {
        import: ImportInfo {
            id: import_id,
            file: source.file.clone(),
            sha256: source.sha256.clone(),
            format: batch.format.clone(),
            imported_at: tx
                .query_row("SELECT imported_at FROM imports WHERE id = ?1", [import_id], |r| r.get(0))?,
            provenance: batch.provenance.clone(),
            rows: total,
        },
        devices: device_ids.len() as u64,
        devices_new,
        kernels: subjects.kernels.len() as u64,
        kernels_new: subjects.kernels_new,
        models: subjects.models.len() as u64,
        models_new: subjects.models_new,
        graphs: graphs.len() as u64,
        graphs_new,
    })
}
