//! Reading the store back: devices, one device's summary, imports, and exports of every
//! measurement as CSV or JSON lines.

use super::import::{ImportInfo, get_u64, import_info};
use super::{Store, StoreError};
use crate::batch::{Device, Metric};
use einf_parser::kernel::KernelConfig;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use std::io::Write;

/// A device with what the store holds for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceSummary {
    /// The device.
    #[serde(flatten)]
    pub device: Device,
    /// Measurements on it.
    pub measurements: u64,
    /// Distinct kernels measured on it.
    pub kernels: u64,
    /// Distinct models measured whole on it.
    pub models: u64,
    /// Metrics measured on it.
    pub metrics: Vec<Metric>,
}

/// Kernel measurements of one kind and metric on a device.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindSummary {
    /// Kernel kind (`conv-bn-relu`).
    pub kind: String,
    /// Metric.
    pub metric: Metric,
    /// Unit of `mean`, `min`, `max` (mJ, ms, mW).
    pub unit: &'static str,
    /// Measurements.
    pub measurements: u64,
    /// Distinct kernels (configurations).
    pub kernels: u64,
    /// Mean value.
    pub mean: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// Whole-model measurements of one metric on a device.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelsSummary {
    /// Metric.
    pub metric: Metric,
    /// Unit of `mean`, `min`, `max`.
    pub unit: &'static str,
    /// Measurements.
    pub measurements: u64,
    /// Distinct models.
    pub models: u64,
    /// Mean value.
    pub mean: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// An import that contributed measurements to a device.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceImport {
    /// The import.
    #[serde(flatten)]
    pub import: ImportInfo,
    /// Of its measurements, those on this device.
    pub device_rows: u64,
}

/// What the store holds for one device.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeviceReport {
    /// The device and its counts.
    pub device: DeviceSummary,
    /// Kernel measurements by kind and metric.
    pub kernels: Vec<KindSummary>,
    /// Whole-model measurements by metric.
    pub models: Vec<ModelsSummary>,
    /// The imports its measurements came from, oldest first.
    pub imports: Vec<DeviceImport>,
    /// Of the models measured whole on it, those whose kernels the store knows: a stored graph
    /// (any backend), or kernels measured inside the model on this device.
    pub models_linked: u64,
}

/// Export file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// CSV with a header row (RFC 4180 quoting); an absent value is an empty cell.
    Csv,
    /// One JSON object per line; an absent value is `null`.
    Jsonl,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" => Ok(ExportFormat::Csv),
            "jsonl" => Ok(ExportFormat::Jsonl),
            _ => Err(format!("unknown export format '{s}' (known: csv, jsonl)")),
        }
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Jsonl => "jsonl",
        })
    }
}

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOptions {
    /// File format.
    pub format: ExportFormat,
    /// Only this device's measurements (all devices when `None`).
    pub device: Option<String>,
}

/// Export columns, in order: one row per measurement, in import order. Kernel columns are
/// empty for whole-model rows; `model` is also set for a kernel measured inside a model.
pub const EXPORT_COLUMNS: &[&str] = &KernelConfig::table_columns::<39>(
    &["device", "device_class", "soc", "runtime", "precision", "subject", "kind"],
    KernelConfig::COLUMNS.len(),
    &[
        "model",
        "model_sha256",
        "source_id",
        "metric",
        "value",
        "unit",
        "std",
        "repetitions",
        "run",
        "file",
        "file_sha256",
        "line",
    ],
);

/// The rows of [`EXPORT_COLUMNS`], column for column (the kernel columns are the `kernels`
/// table's, named as [`KernelConfig::COLUMNS`]).
const EXPORT_SELECT: &str = "SELECT d.name, d.class, d.soc, d.runtime, d.precision, \
     CASE WHEN m.kernel_id IS NULL THEN 'model' ELSE 'kernel' END, \
     k.kind, k.batch, k.input_h, k.input_w, k.output_h, k.output_w, k.cin, k.cout, k.kernel_h, k.kernel_w, \
     k.stride_h, k.stride_w, k.pad_top, k.pad_left, k.pad_bottom, k.pad_right, k.dilation_h, k.dilation_w, \
     k.groups, k.dtype, k.input_channels, mo.name, mo.file_sha256, m.source_id, m.metric, m.value, \
     CASE m.metric WHEN 'energy' THEN 'mJ' WHEN 'latency' THEN 'ms' ELSE 'mW' END, \
     m.std, m.repetitions, m.run, i.file, i.sha256, m.line \
     FROM measurements m \
     JOIN devices d ON d.id = m.device_id \
     JOIN imports i ON i.id = m.import_id \
     LEFT JOIN kernels k ON k.id = m.kernel_id \
     LEFT JOIN models mo ON mo.id = m.model_id \
     WHERE ?1 IS NULL OR m.device_id = ?1 \
     ORDER BY m.id";

/// Rows of `imports`, oldest first.
pub(crate) fn imports(conn: &Connection) -> rusqlite::Result<Vec<ImportInfo>> {
    let mut st = conn
        .prepare("SELECT id, file, sha256, format, imported_at, provenance, rows FROM imports ORDER BY id")?;
    st.query_map([], import_info)?.collect()
}

/// The row of `imports` with id `id`.
pub(crate) fn import(conn: &Connection, id: i64) -> rusqlite::Result<ImportInfo> {
    let mut st = conn.prepare_cached(
        "SELECT id, file, sha256, format, imported_at, provenance, rows FROM imports WHERE id = ?1",
    )?;
    st.query_row([id], import_info)
}

/// Read-back problems: SQLite errors, or a value the schema admits but this build cannot name.
pub(super) enum Failure {
    /// SQLite failed.
    Sql(rusqlite::Error),
    /// A stored value this build cannot read.
    Corrupt(String),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Sql(e)
    }
}

impl Store {
    /// The store error of a read-back failure while doing `what`.
    pub(super) fn fail(&self, what: &'static str) -> impl Fn(Failure) -> StoreError + '_ {
        move |f| match f {
            Failure::Sql(error) => StoreError::Sqlite { path: self.path.clone(), what, error },
            Failure::Corrupt(what) => StoreError::Corrupt { path: self.path.clone(), what },
        }
    }

    /// Every device with its measurement counts, by name.
    pub fn devices(&self) -> Result<Vec<DeviceSummary>, StoreError> {
        self.device_summaries(None).map_err(self.fail("listing devices"))
    }

    fn device_summaries(&self, only: Option<i64>) -> Result<Vec<DeviceSummary>, Failure> {
        let mut st = self.conn.prepare(
            "SELECT d.name, d.class, d.soc, d.runtime, d.precision, d.notes, count(m.id), \
             count(DISTINCT m.kernel_id), count(DISTINCT CASE WHEN m.kernel_id IS NULL THEN m.model_id END), \
             group_concat(DISTINCT m.metric) \
             FROM devices d LEFT JOIN measurements m ON m.device_id = d.id \
             WHERE ?1 IS NULL OR d.id = ?1 GROUP BY d.id ORDER BY d.name",
        )?;
        let mut rows = st.query([only])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let class: String = r.get(1)?;
            let class = class
                .parse::<crate::batch::DeviceClass>()
                .ok()
                .ok_or_else(|| Failure::Corrupt(format!("device class '{class}'")))?;
            let metrics: Option<String> = r.get(9)?;
            let mut metrics = metrics
                .unwrap_or_default()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| Metric::from_name(s).ok_or_else(|| Failure::Corrupt(format!("metric '{s}'"))))
                .collect::<Result<Vec<_>, _>>()?;
            metrics.sort_by_key(|m| *m as u8);
            out.push(DeviceSummary {
                device: Device {
                    name: r.get(0)?,
                    class,
                    soc: r.get(2)?,
                    runtime: r.get(3)?,
                    precision: r.get(4)?,
                    notes: r.get(5)?,
                },
                measurements: get_u64(r, 6)?,
                kernels: get_u64(r, 7)?,
                models: get_u64(r, 8)?,
                metrics,
            });
        }
        Ok(out)
    }

    pub(crate) fn device_id(&self, name: &str) -> Result<i64, StoreError> {
        let id = self
            .conn
            .query_row("SELECT id FROM devices WHERE name = ?1", [name], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql("looking up a device", e))?;
        match id {
            Some(id) => Ok(id),
            None => {
                let mut known =
                    self.devices()?.into_iter().map(|d| d.device.name).collect::<Vec<_>>().join(", ");
                if known.is_empty() {
                    known = "none".into();
                }
                Err(StoreError::UnknownDevice { path: self.path.clone(), name: name.to_string(), known })
            }
        }
    }

    /// What the store holds for the device `name`: its description, kernel measurements by
    /// kind and metric, whole-model measurements by metric, and the imports they came from.
    pub fn show(&self, name: &str) -> Result<DeviceReport, StoreError> {
        let id = self.device_id(name)?;
        self.report(id).map_err(self.fail("summarising a device"))
    }

    fn report(&self, id: i64) -> Result<DeviceReport, Failure> {
        let device = self
            .device_summaries(Some(id))?
            .into_iter()
            .next()
            .ok_or_else(|| Failure::Corrupt("a device vanished while reading".into()))?;
        let metric =
            |s: String| Metric::from_name(&s).ok_or_else(|| Failure::Corrupt(format!("metric '{s}'")));

        let mut kernels = Vec::new();
        let mut st = self.conn.prepare(
            "SELECT k.kind, m.metric, count(*), count(DISTINCT m.kernel_id), avg(m.value), min(m.value), \
             max(m.value) FROM measurements m JOIN kernels k ON k.id = m.kernel_id \
             WHERE m.device_id = ?1 GROUP BY k.kind, m.metric ORDER BY k.kind, m.metric",
        )?;
        let mut rows = st.query([id])?;
        while let Some(r) = rows.next()? {
            let metric = metric(r.get(1)?)?;
            kernels.push(KindSummary {
                kind: r.get(0)?,
                metric,
                unit: metric.unit(),
                measurements: get_u64(r, 2)?,
                kernels: get_u64(r, 3)?,
                mean: r.get(4)?,
                min: r.get(5)?,
                max: r.get(6)?,
            });
        }

        let mut models = Vec::new();
        let mut st = self.conn.prepare(
            "SELECT metric, count(*), count(DISTINCT model_id), avg(value), min(value), max(value) \
             FROM measurements WHERE device_id = ?1 AND kernel_id IS NULL GROUP BY metric ORDER BY metric",
        )?;
        let mut rows = st.query([id])?;
        while let Some(r) = rows.next()? {
            let metric = metric(r.get(0)?)?;
            models.push(ModelsSummary {
                metric,
                unit: metric.unit(),
                measurements: get_u64(r, 1)?,
                models: get_u64(r, 2)?,
                mean: r.get(3)?,
                min: r.get(4)?,
                max: r.get(5)?,
            });
        }

        let mut imports = Vec::new();
        let mut st = self.conn.prepare(
            "SELECT i.id, i.file, i.sha256, i.format, i.imported_at, i.provenance, i.rows, count(*) \
             FROM imports i JOIN measurements m ON m.import_id = i.id WHERE m.device_id = ?1 \
             GROUP BY i.id ORDER BY i.id",
        )?;
        let mut rows = st.query([id])?;
        while let Some(r) = rows.next()? {
            imports.push(DeviceImport { import: import_info(r)?, device_rows: get_u64(r, 7)? });
        }
        let models_linked = super::graphs::models_linked(&self.conn, id)?;
        Ok(DeviceReport { device, kernels, models, imports, models_linked })
    }

    /// Write every measurement (or one device's) to `out` as [`EXPORT_COLUMNS`], in import
    /// order. Returns the number of rows written.
    pub fn export(&self, opts: &ExportOptions, out: &mut dyn Write) -> Result<u64, StoreError> {
        let device = opts.device.as_deref().map(|name| self.device_id(name)).transpose()?;
        let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
        let written = self.export_rows(opts.format, device, &mut out).map_err(|e| match e {
            ExportFailure::Sql(error) => self.sql("exporting", error),
            ExportFailure::Io(e) => StoreError::Write(e),
        })?;
        out.flush().map_err(StoreError::Write)?;
        Ok(written)
    }

    fn export_rows(
        &self,
        format: ExportFormat,
        device: Option<i64>,
        out: &mut dyn Write,
    ) -> Result<u64, ExportFailure> {
        let mut st = self.conn.prepare(EXPORT_SELECT)?;
        let mut rows = st.query([device])?;
        if format == ExportFormat::Csv {
            writeln!(out, "{}", EXPORT_COLUMNS.join(","))?;
        }
        let mut line = String::new();
        let mut n = 0u64;
        while let Some(r) = rows.next()? {
            line.clear();
            match format {
                ExportFormat::Csv => {
                    for (i, _) in EXPORT_COLUMNS.iter().enumerate() {
                        if i > 0 {
                            line.push(',');
                        }
                        push_csv(&mut line, r.get_ref(i)?);
                    }
                }
                ExportFormat::Jsonl => {
                    // Written field by field, in column order (a serde_json map would sort the keys
                    // and allocate a tree per row).
                    line.push('{');
                    for (i, name) in EXPORT_COLUMNS.iter().enumerate() {
                        if i > 0 {
                            line.push(',');
                        }
                        line.push('"');
                        line.push_str(name);
                        line.push_str("\":");
                        push_json(&mut line, name, r.get_ref(i)?);
                    }
                    line.push('}');
                }
            }
            line.push('\n');
            out.write_all(line.as_bytes())?;
            n += 1;
        }
        Ok(n)
    }
}

enum ExportFailure {
    Sql(rusqlite::Error),
    Io(std::io::Error),
}

impl From<rusqlite::Error> for ExportFailure {
    fn from(e: rusqlite::Error) -> Self {
        ExportFailure::Sql(e)
    }
}

impl From<std::io::Error> for ExportFailure {
    fn from(e: std::io::Error) -> Self {
        ExportFailure::Io(e)
    }
}

fn push_csv(line: &mut String, v: ValueRef<'_>) {
    use std::fmt::Write as _;
    match v {
        ValueRef::Null => {}
        ValueRef::Integer(i) => {
            let _ = write!(line, "{i}");
        }
        ValueRef::Real(f) => {
            let _ = write!(line, "{f}");
        }
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let s = String::from_utf8_lossy(t);
            if s.contains([',', '"', '\n', '\r']) {
                line.push('"');
                line.push_str(&s.replace('"', "\"\""));
                line.push('"');
            } else {
                line.push_str(&s);
            }
        }
    }
}

/// A stored value as JSON: `null`, a number, a string, or for `input_channels` (stored
/// comma-separated) an array of numbers.
fn push_json(line: &mut String, column: &str, v: ValueRef<'_>) {
    use std::fmt::Write as _;
    match v {
        ValueRef::Null => line.push_str("null"),
        ValueRef::Integer(i) => {
            let _ = write!(line, "{i}");
        }
        // Stored values are finite (the schema's CHECKs and the import's checks); a whole number
        // keeps its `.0` so that it reads back as a float.
        ValueRef::Real(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => {
            let _ = write!(line, "{f:.1}");
        }
        ValueRef::Real(f) if f.is_finite() => {
            let _ = write!(line, "{f}");
        }
        ValueRef::Real(_) => line.push_str("null"),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let s = String::from_utf8_lossy(t);
            if column == "input_channels" {
                line.push('[');
                line.push_str(
                    &s.split(',').filter(|c| c.parse::<u64>().is_ok()).collect::<Vec<_>>().join(","),
                );
                line.push(']');
            } else {
                line.push_str(&serde_json::Value::from(s.as_ref()).to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_export_selects_the_kernel_columns_it_names() {
        let kernel = format!("k.{}", KernelConfig::COLUMNS.join(", k."));
        let select = EXPORT_SELECT.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(select.contains(&format!("k.kind, {kernel}, mo.name")), "{select}");
        let joined = EXPORT_COLUMNS.join(",");
        assert!(joined.contains(&format!(",kind,{},model,", KernelConfig::COLUMNS.join(","))), "{joined}");
    }
}
