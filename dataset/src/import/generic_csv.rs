//! `csv`: einf's generic CSV, for people's own measurements.
//!
//! # Columns
//! A header line names the columns, in any order; an unknown column is an error (a misspelt
//! column is not silently dropped). One row is one measured value.
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `device` | yes (unless the importer names the device: `--device`) | device name |
//! | `device_class` | no | `cpu`, `gpu`, `npu`, `mcu` or `accelerator`; else `--device-class`, else told by the name (`...gpu...`) |
//! | `kind` | yes (may be empty on model rows) | kernel kind in einf's spelling (`conv-bn-relu`, `dwconv-bn-relu`, `fc`, `gap`, ...; `conv-relu` is read as `conv-bn-relu`, as the parser names it); empty: the row measures a whole model |
//! | `model` | on model rows | model name; on kernel rows, the model the kernel was measured in (optional) |
//! | `metric` | yes | `energy`, `latency` or `power` |
//! | `value` | yes | the measured value, finite and > 0 |
//! | `unit` | yes | its unit: `J`, `mJ`, `µJ`/`uJ`, `nJ`; `s`, `ms`, `µs`/`us`, `ns`; `W`, `mW`, `µW`/`uW` (must fit `metric`) |
//! | `std` | no | standard deviation, same unit, ≥ 0 |
//! | `repetitions` | no | how many repetitions `value` is the mean of, ≥ 1 |
//! | `run` | no | index of a repeated run (the same kernel measured again), ≥ 0 |
//! | `source_id` | no | the kernel's identifier in the user's own records |
//! | `soc`, `runtime`, `precision` | no | the device's system on chip or board, runtime and backend, numeric precision; a device's rows may leave them empty but not give two values |
//! | `subject` | no | `kernel` or `model`: must agree with `kind` (empty on model rows) |
//! | `model_sha256` | no | model rows: sha256 of the model file (64 hex digits); a model is its name and this hash |
//! | `file`, `file_sha256`, `line` | no | where an exported row was first imported from: file name, its sha256 (64 hex digits), line |
//! | `model_file` | no | model rows: the measured model's ONNX or TFLite file, relative to the CSV's folder (`..` may leave it; absolute paths are refused); parsed once, it sets `model_sha256` and gives the model's kernels per backend |
//! | `arch` | no | model rows: the measured model as a built-in architecture, `nb201:<cell>`, `fbnet:<blocks>`, `fbnet-imagenet:<blocks>` (the candidate as `einf nas --out` writes it) or `zoo:<name>[@w<width>][@r<resolution>][@v<seed>]`; it gives the model's kernels per backend, and names the model when `model` is empty |
//!
//! `einf dataset export --format csv` writes these columns, so an export re-imports as `csv`:
//! devices, kernels, models and values come back alike. The store keeps one file per import, so
//! `file`, `file_sha256` and `line` are not stored per row: the import's provenance text names
//! the original files with their sha256, row counts and line ranges (the first 20; the rest
//! counted), and each row's original line stays in the re-imported file, which the store keys by
//! its sha256.
//!
//! Kernel configuration columns (kernel rows; empty on model rows), in the parser's
//! `KernelConfig` vocabulary: `input_h`, `input_w`, `cin`, `cout` (required on kernel rows);
//! `batch` (1), `kernel_h`, `kernel_w` (1), `stride_h`, `stride_w` (1), `pad_top`, `pad_left`,
//! `pad_bottom`, `pad_right` (0), `dilation_h`, `dilation_w` (1), `groups` (1), `dtype` (`f32`;
//! also `f16`, `bf16`, `f64`, `i8`, `u8`, `i16`, `i32`, `i4`), `input_channels` (the channels of
//! each input of a multi-input kernel, separated by `;` or `,`), `output_h`, `output_w` (default: what
//! the window gives, `(in + pads − dilation·(kernel − 1) − 1) / stride + 1`). An empty cell or an
//! absent column takes the default in parentheses. `groups` divides `cin`, and `cout` too unless
//! the kind has several convolutions (a depthwise one fused with a 1x1 one: `groups` is the
//! first's, `cout` the last's).
//!
//! A value is stored in the store's canonical unit (mJ, ms, mW), converted once here.
//!
//! A model row with `model_file` or `arch` comes with the model's graph for each built-in parser
//! backend (its kernels, so that training can learn from the row without the file); see
//! `model_links.rs` for the rules. Either on a kernel row is an error.
//!
//! # Keys
//! (device, kernel kind and configuration or model and `model_sha256`, model, metric, run) is
//! unique in a file: a second row with the same key is an error (number repeated runs with
//! `run`). Rows that give `file`, `file_sha256` or `line` are keyed by them too: an export's rows
//! from different lines of the original files are different measurements (a layer repeated in a
//! model), as the original reader read them.
//!
//! ```text
//! device,device_class,kind,model,input_h,input_w,cin,cout,kernel_h,kernel_w,stride_h,stride_w,pad_top,pad_left,pad_bottom,pad_right,metric,value,unit,std,repetitions
//! pixel7-cpu-tflite-fp32,cpu,conv-bn-relu,,56,56,64,64,3,3,1,1,1,1,1,1,energy,812.5,uJ,10.2,100
//! pixel7-cpu-tflite-fp32,cpu,,mobilenetv2,,,,,,,,,,,,,latency,21.4,ms,0.3,50
//! ```

use super::ReadOptions;
use super::chunks;
use super::common::{LineCounter, class_from_device_name, count, field, provenance, whole};
use super::error::{ImportError, ImportErrorKind};
use super::model_links;
use super::units::Unit;
use crate::batch::{
    Device, DeviceClass, ImportBatch, KernelRecord, Measurement, Metric, ModelRecord, Subject,
};
use crate::store::EXPORT_COLUMNS;
use einf_parser::ir::DType;
use einf_parser::kernel::{KernelConfig, KernelKind, Role};
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::{Hash, Hasher};
use std::path::Path;

/// Format name.
pub const FORMAT: &str = "csv";

/// Every column the format knows: those `einf dataset export --format csv` writes, in its order
/// ([`EXPORT_COLUMNS`]: the device and its description, the subject, the kind,
/// [`KernelConfig::COLUMNS`], the model and its file hash, the value, the original import's file,
/// hash and line), so that an export re-imports.
pub const COLUMNS: &[&str] = EXPORT_COLUMNS;

const CONFIG_COLUMNS: std::ops::Range<usize> = BATCH..INPUT_CHANNELS + 1;

/// Position of a column name in [`COLUMNS`] (evaluated at compile time).
const fn col(name: &str) -> usize {
    let mut i = 0;
    while i < COLUMNS.len() {
        let (a, b) = (COLUMNS[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    usize::MAX
}

const DEVICE: usize = col("device");
const DEVICE_CLASS: usize = col("device_class");
const KIND: usize = col("kind");
const MODEL: usize = col("model");
const METRIC: usize = col("metric");
const VALUE: usize = col("value");
const UNIT: usize = col("unit");
const STD: usize = col("std");
const REPETITIONS: usize = col("repetitions");
const RUN: usize = col("run");
const SOURCE_ID: usize = col("source_id");
const SOC: usize = col("soc");
const RUNTIME: usize = col("runtime");
const PRECISION: usize = col("precision");
const SUBJECT: usize = col("subject");
const MODEL_SHA256: usize = col("model_sha256");
const FILE: usize = col("file");
const FILE_SHA256: usize = col("file_sha256");
const LINE: usize = col("line");
const BATCH: usize = col("batch");
const INPUT_H: usize = col("input_h");
const INPUT_W: usize = col("input_w");
const OUTPUT_H: usize = col("output_h");
const OUTPUT_W: usize = col("output_w");
const CIN: usize = col("cin");
const COUT: usize = col("cout");
const KERNEL_H: usize = col("kernel_h");
const KERNEL_W: usize = col("kernel_w");
const STRIDE_H: usize = col("stride_h");
const STRIDE_W: usize = col("stride_w");
const PAD_TOP: usize = col("pad_top");
const PAD_LEFT: usize = col("pad_left");
const PAD_BOTTOM: usize = col("pad_bottom");
const PAD_RIGHT: usize = col("pad_right");
const DILATION_H: usize = col("dilation_h");
const DILATION_W: usize = col("dilation_w");
const GROUPS: usize = col("groups");
const DTYPE: usize = col("dtype");
const INPUT_CHANNELS: usize = col("input_channels");

const DTYPES: [DType; 9] = [
    DType::F32,
    DType::F16,
    DType::Bf16,
    DType::F64,
    DType::I8,
    DType::U8,
    DType::I16,
    DType::I32,
    DType::I4,
];

type Res<T> = Result<T, ImportErrorKind>;

/// Column indices in the file (by position in [`COLUMNS`], then the link columns by position in
/// [`model_links::COLUMNS`]).
struct Header {
    index: [Option<usize>; COLUMNS.len()],
    links: [Option<usize>; model_links::COLUMNS.len()],
    width: usize,
}

impl Header {
    fn at(&self, column: usize) -> Option<usize> {
        self.index.get(column).copied().flatten()
    }
}

fn header(fields: &csv::StringRecord, opts: &ReadOptions) -> Res<Header> {
    let mut index = [None; COLUMNS.len()];
    let mut links = [None; model_links::COLUMNS.len()];
    for (i, raw) in fields.iter().enumerate() {
        let name = raw.trim().trim_start_matches('\u{feff}');
        let slot = match COLUMNS.iter().position(|k| *k == name) {
            Some(c) => index.get_mut(c),
            None => model_links::COLUMNS.iter().position(|k| *k == name).and_then(|c| links.get_mut(c)),
        };
        let Some(slot) = slot else {
            return Err(ImportErrorKind::WrongFile(format!(
                "unknown column '{name}' (the generic CSV's columns: {}, {})",
                COLUMNS.join(", "),
                model_links::COLUMNS.join(", ")
            )));
        };
        if slot.is_some() {
            return Err(ImportErrorKind::WrongFile(format!("column '{name}' twice")));
        }
        *slot = Some(i);
    }
    for (c, name) in COLUMNS.iter().enumerate() {
        let needed = matches!(*name, "kind" | "metric" | "value" | "unit")
            || (*name == "device" && opts.device.is_none());
        if needed && index.get(c).copied().flatten().is_none() {
            return Err(ImportErrorKind::MissingColumn((*name).to_string()));
        }
    }
    Ok(Header { index, links, width: fields.len() })
}

/// What identifies a measurement within a file: (device, kernel kind and configuration or
/// model and its file hash, model, metric, run), and on an export's rows their original file and
/// line ([`Origins`]: the original reader's distinct rows stay distinct). Rows are keyed by a hash
/// of it; two rows with the same hash are a duplicate only when their keys are equal (compared on
/// the rows themselves, so a hash collision is never taken for a duplicate).
fn same_key(a: &Measurement, b: &Measurement) -> bool {
    let subject = match (&a.subject, &b.subject) {
        (Subject::Kernel(x), Subject::Kernel(y)) => {
            x.kind == y.kind && x.config == y.config && x.model == y.model
        }
        (Subject::Model(x), Subject::Model(y)) => x == y,
        _ => false,
    };
    subject && a.device == b.device && a.metric == b.metric && a.run == b.run
}

/// Read a generic measurement CSV.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<ImportBatch, ImportError> {
    // The file is read twice and never held whole: once in blocks for its line count and a quote
    // left open, then in chunks of whole records.
    let scan = chunks::scan(path)?;
    let mut state = State::new(opts, scan.newlines);
    let mut measurements: Vec<Measurement> = Vec::with_capacity(scan.newlines);
    let outcome = read_rows(path, &scan, &mut state, &mut measurements);
    // Every key seen so far is from a line before any error's: a duplicate among them comes first.
    if let Some((line, kind)) = state.first_duplicate(&measurements) {
        return Err(ImportError::new(path, line, kind));
    }
    outcome?;
    if measurements.is_empty() {
        return Err(ImportError::new(path, 0, ImportErrorKind::Truncated("no rows after the header".into())));
    }
    let graphs = match state.links.take() {
        Some(links) if !opts.without_graphs => {
            links.finish().map_err(|(line, kind)| ImportError::new(path, line, kind))?
        }
        _ => Vec::new(),
    };
    let mut notes = String::from(
        "generic CSV: one measured value per row, unit per row (converted to mJ / ms / mW); kernel rows in the \
         parser's kind and configuration vocabulary (defaults: batch 1, kernel 1, stride 1, padding 0, dilation 1, \
         groups 1, f32, output side from the window); model rows have an empty kind.\n",
    );
    state.origins.describe(&mut notes);
    if !graphs.is_empty() {
        notes.push_str(
            "Model rows with a model_file or arch are linked to their kernels: one graph per built-in parser backend \
             (tflite-cpu, tflite-gpu, onnxruntime-cpu, tensorrt), the file or architecture split by einf's parser.\n",
        );
    }
    Ok(ImportBatch {
        format: FORMAT.into(),
        devices: state.devices,
        measurements,
        provenance: provenance(FORMAT, path, &notes),
        graphs,
    })
}

/// The header, then every row into `out`, chunk by chunk; stops at the first error.
fn read_rows(
    path: &Path,
    scan: &chunks::Scan,
    state: &mut State<'_>,
    out: &mut Vec<Measurement>,
) -> Result<(), ImportError> {
    let err = |line: usize, kind| ImportError::new(path, line, kind);
    let mut chunks = chunks::Chunks::open(path)?;
    let mut record = csv::StringRecord::new();
    let mut head: Option<Header> = None;
    while let Some(chunk) = chunks.next_chunk()? {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(chunk.bytes);
        let mut lines = LineCounter::new(chunk.bytes);
        // Lines of the chunk (1-based) as lines of the file.
        let in_file = |line: usize| (chunk.line + line).saturating_sub(1);
        while read_next(path, &mut reader, &mut record, chunk.line)? {
            let Some(h) = &head else {
                let h = header(&record, state.opts).map_err(|k| err(1, k))?;
                if h.links.iter().any(Option::is_some) {
                    let dir = path.parent().unwrap_or(Path::new(""));
                    state.links = Some(model_links::Linker::new(dir).map_err(|k| err(1, k))?);
                }
                head = Some(h);
                if let Some(line) = scan.unclosed_quote {
                    let what = "the file ends inside a quoted field";
                    return Err(err(line, ImportErrorKind::Truncated(what.into())));
                }
                continue;
            };
            let line = in_file(lines.line_of(record.position()));
            if record.len() == 1 && record.get(0).is_some_and(|f| f.trim().is_empty()) {
                continue;
            }
            if record.len() != h.width {
                let (expected, found) = (h.width, record.len());
                let is_last = !read_next(path, &mut reader, &mut record, chunk.line)? && chunk.last;
                let truncated = is_last && found < expected && !scan.ends_with_newline;
                return Err(err(line, ImportErrorKind::ColumnCount { expected, found, truncated }));
            }
            state.row(h, &record, line, out).map_err(|k| err(line, k))?;
        }
    }
    match head {
        Some(_) => Ok(()),
        None => Err(err(0, ImportErrorKind::Truncated("empty file: no header line".into()))),
    }
}

/// The next record of a chunk that starts on line `first_line` into `record`; `false` at the
/// end of the chunk.
fn read_next(
    path: &Path,
    reader: &mut csv::Reader<&[u8]>,
    record: &mut csv::StringRecord,
    first_line: usize,
) -> Result<bool, ImportError> {
    reader.read_record(record).map_err(|e| {
        let line = e.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
        let line = if line == 0 { 0 } else { (first_line + line).saturating_sub(1) };
        ImportError::new(path, line, ImportErrorKind::Invalid(format!("not CSV: {e}")))
    })
}

/// What rows share: devices, parsed kinds and units, the keys seen, the original imports of an
/// export's rows.
struct State<'o> {
    opts: &'o ReadOptions,
    /// Devices in first-seen order: a device's id is its index.
    devices: Vec<Device>,
    device_ids: FxHashMap<String, (u32, DeviceClass)>,
    kinds: FxHashMap<String, (u32, KernelKind)>,
    kind_ids: FxHashMap<KernelKind, u32>,
    models: FxHashMap<String, u32>,
    /// Model file hashes (`model_sha256`) by id: a model is its name and hash.
    model_shas: FxHashMap<String, u32>,
    origins: Origins,
    units: Vec<(Metric, String, Unit)>,
    /// Every row's key hash ([`same_key`]) and index among the measurements, in file order until
    /// [`State::first_duplicate`] sorts them (one sort of 16-byte pairs costs less than a hash
    /// map of a million keys).
    keys: Vec<(u64, usize)>,
    /// Each row's original import and line, from the first row that names one (a row past its
    /// end names none).
    origin_of: Vec<OriginKey>,
    /// The model rows' links to their kernels, when the file has a `model_file` or `arch` column.
    links: Option<model_links::Linker>,
}

impl<'o> State<'o> {
    /// State for a file of about `rows` rows (the map of keys is sized once, not regrown).
    fn new(opts: &'o ReadOptions, rows: usize) -> State<'o> {
        State {
            opts,
            devices: Vec::new(),
            device_ids: FxHashMap::default(),
            kinds: FxHashMap::default(),
            kind_ids: FxHashMap::default(),
            models: FxHashMap::default(),
            model_shas: FxHashMap::default(),
            origins: Origins::default(),
            units: Vec::new(),
            keys: Vec::with_capacity(rows),
            origin_of: Vec::new(),
            links: None,
        }
    }

    /// Read one row into `out`.
    fn row(&mut self, h: &Header, r: &csv::StringRecord, line: usize, out: &mut Vec<Measurement>) -> Res<()> {
        let get = |c: usize| h.at(c).map_or("", |i| field(r, i));

        let device_name = match (get(DEVICE), &self.opts.device) {
            ("", Some(d)) => d.as_str(),
            ("", None) => return Err(ImportErrorKind::Invalid("empty device".into())),
            (d, _) => d,
        };
        let described = [("soc", get(SOC)), ("runtime", get(RUNTIME)), ("precision", get(PRECISION))];
        let device = self.device(device_name, get(DEVICE_CLASS), described)?;

        let metric = Metric::from_name(get(METRIC)).ok_or_else(|| {
            ImportErrorKind::Invalid(format!("metric: '{}' is not energy, latency or power", get(METRIC)))
        })?;
        let unit = self.unit(metric, get(UNIT))?;
        let value = super::common::positive("value", get(VALUE), metric.name())?;
        let std = match get(STD) {
            "" => None,
            t => {
                let s = super::common::number("std", t)?;
                if s < 0.0 {
                    return Err(ImportErrorKind::Invalid(format!("std: negative standard deviation {s}")));
                }
                Some(unit.to_canonical(s))
            }
        };
        // `repetitions` ≥ 1; `run` ≥ 0, as the store keeps it (a NeurstrucEnergy `*_0.txt` is run 0).
        let small = |name: &str, t: &str, zero: bool| -> Res<Option<u32>> {
            if t.is_empty() {
                return Ok(None);
            }
            let v = if zero { whole(name, t)? } else { count(name, t)? };
            u32::try_from(v).map(Some).map_err(|_| ImportErrorKind::BadNumber {
                column: name.into(),
                text: t.into(),
                expected: "a whole number below 2^32",
            })
        };
        let repetitions = small("repetitions", get(REPETITIONS), false)?;
        let run = small("run", get(RUN), true)?;
        let model = match get(MODEL) {
            "" => None,
            m => Some(m.to_string()),
        };
        let kind_text = get(KIND);
        match (get(SUBJECT), kind_text) {
            ("", _) | ("model", "") => {}
            ("kernel", k) if !k.is_empty() => {}
            ("kernel", _) => {
                return Err(ImportErrorKind::Invalid(
                    "subject 'kernel' with an empty kind: a kernel row names its kind".into(),
                ));
            }
            ("model", k) => {
                return Err(ImportErrorKind::Invalid(format!(
                    "subject 'model' with kind '{k}': a model row leaves the kind empty"
                )));
            }
            (s, _) => return Err(ImportErrorKind::Invalid(format!("subject: '{s}' is not kernel or model"))),
        }
        let model_sha = match get(MODEL_SHA256) {
            "" => None,
            _ if !kind_text.is_empty() => {
                return Err(ImportErrorKind::Invalid(
                    "model_sha256 on a kernel row: only a whole-model row carries its model file's hash"
                        .into(),
                ));
            }
            s => Some(sha256("model_sha256", s)?),
        };
        let (model, model_sha) = match &mut self.links {
            Some(links) => {
                let cell = |c: usize| h.links.get(c).copied().flatten().map_or("", |i| field(r, i));
                links.row(!kind_text.is_empty(), cell(0), cell(1), model, model_sha, line)?
            }
            None => (model, model_sha.map(str::to_string)),
        };
        let sha_id = match model_sha.as_deref() {
            None => u32::MAX,
            Some(s) => next_id(&mut self.model_shas, s),
        };
        let model_id = model.as_deref().map_or(u32::MAX, |m| next_id(&mut self.models, m));
        let (subject, key_kind, key_config) = if kind_text.is_empty() {
            let Some(name) = model.clone() else {
                return Err(ImportErrorKind::Invalid(
                    "empty kind and empty model: a row measures a kernel (kind) or a model (model, or arch)"
                        .into(),
                ));
            };
            if let Some(c) = CONFIG_COLUMNS.clone().find(|&c| !get(c).is_empty()) {
                return Err(ImportErrorKind::Invalid(format!(
                    "model row with a kernel configuration ({} = '{}'): give the kind, or leave the configuration empty",
                    COLUMNS.get(c).copied().unwrap_or(""),
                    get(c)
                )));
            }
            let file_sha256 = model_sha;
            (Subject::Model(ModelRecord { name, file_sha256 }), u32::MAX, u64::from(sha_id))
        } else {
            let (kind_id, kind) = self.kind(kind_text)?;
            let config = config(&get, &kind)?;
            let mut hasher = FxHasher::default();
            config.hash(&mut hasher);
            let config_hash = hasher.finish();

            let source_id = match get(SOURCE_ID) {
                "" => None,
                s => Some(s.to_string()),
            };
            let record = KernelRecord { kind, config, source_id, model };
            (Subject::Kernel(record), kind_id, config_hash)
        };
        let origin = self.origins.note(get(FILE), get(FILE_SHA256), get(LINE))?;
        if let Some(o) = origin {
            self.origin_of.resize(out.len(), NO_ORIGIN);
            self.origin_of.push(o);
        }
        let mut key = FxHasher::default();
        (device, key_kind, model_id, key_config, run, metric, origin).hash(&mut key);
        self.keys.push((key.finish(), out.len()));
        out.push(Measurement {
            device: device_name.to_string(),
            subject,
            metric,
            value: unit.to_canonical(value),
            std,
            repetitions,
            run,
            line,
        });
        Ok(())
    }

    /// The first row, in file order, that measures what an earlier row measures (an error on
    /// that row naming the earlier one), as a hash map of the keys seen would find it row by row.
    fn first_duplicate(&mut self, rows: &[Measurement]) -> Option<(usize, ImportErrorKind)> {
        self.keys.sort_unstable();
        let origin = |i: usize| self.origin_of.get(i).copied().unwrap_or(NO_ORIGIN);
        let same = |a: usize, b: usize| {
            origin(a) == origin(b) && rows.get(a).zip(rows.get(b)).is_some_and(|(a, b)| same_key(a, b))
        };
        // Runs of equal hashes, each in file order: a row repeats the first earlier row of its run
        // with the same key (a run holds more than one key only on a hash collision). The row
        // that repeats something earliest in the file is the one to report.
        let mut found: Option<(usize, usize)> = None;
        for run in self.keys.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            for (j, &(_, later)) in run.iter().enumerate().skip(1) {
                if found.is_some_and(|(f, _)| later >= f) {
                    break;
                }
                if let Some(&(_, earlier)) = run.iter().take(j).find(|(_, i)| same(*i, later)) {
                    found = Some((later, earlier));
                    break;
                }
            }
        }
        let (later, earlier) = found?;
        let (m, first) = (rows.get(later)?, rows.get(earlier)?);
        let what = if matches!(m.subject, Subject::Model(_)) { "model" } else { "kernel" };
        let run = m.run.map_or(String::new(), |r| format!(", run {r}"));
        let kind = ImportErrorKind::Duplicate {
            key: format!(
                "{} of this {what} on {}{run} (number repeated runs with a 'run' column)",
                m.metric.name(),
                m.device
            ),
            first_line: first.line,
        };
        Some((m.line, kind))
    }

    /// The id of device `name`, described by its class and its `soc`, `runtime` and `precision`
    /// (an empty text is not given): the first row to give a field sets it, a later row may not
    /// give another.
    fn device(&mut self, name: &str, class_text: &str, described: [(&str, &str); 3]) -> Res<u32> {
        let id = self.device_class(name, class_text)?;
        if described.iter().all(|(_, text)| text.is_empty()) {
            return Ok(id);
        }
        let Some(d) = usize::try_from(id).ok().and_then(|i| self.devices.get_mut(i)) else {
            return Ok(id);
        };
        for ((field, text), slot) in described.into_iter().zip([&mut d.soc, &mut d.runtime, &mut d.precision])
        {
            match slot {
                _ if text.is_empty() => {}
                None => *slot = Some(text.to_string()),
                Some(earlier) if earlier != text => {
                    return Err(ImportErrorKind::Invalid(format!(
                        "device '{name}' has {field} '{text}' here and '{earlier}' on an earlier row"
                    )));
                }
                Some(_) => {}
            }
        }
        Ok(id)
    }

    /// The id of device `name` of class `class_text` (empty: known from an earlier row, the
    /// options or the name).
    fn device_class(&mut self, name: &str, class_text: &str) -> Res<u32> {
        let given = match class_text {
            "" => None,
            t => Some(
                t.parse::<DeviceClass>()
                    .map_err(|e| ImportErrorKind::Invalid(format!("device_class: {e}")))?,
            ),
        };
        if let Some(&(id, class)) = self.device_ids.get(name) {
            if given.is_some_and(|g| g != class) {
                return Err(ImportErrorKind::Invalid(format!(
                    "device '{name}' is {} here and {} on an earlier row",
                    class_text,
                    class.name()
                )));
            }
            return Ok(id);
        }
        let class = given.or(self.opts.device_class).or_else(|| class_from_device_name(name)).ok_or_else(|| {
            ImportErrorKind::Invalid(format!(
                "device '{name}': its class (cpu, gpu, npu, mcu, accelerator) cannot be known from its name; give a \
                 device_class column or --device-class"
            ))
        })?;
        let id = u32::try_from(self.device_ids.len()).unwrap_or(u32::MAX);
        self.device_ids.insert(name.to_string(), (id, class));
        self.devices.push(Device {
            notes: Some("device of a generic CSV import".into()),
            ..Device::named(name, class)
        });
        Ok(id)
    }

    fn unit(&mut self, metric: Metric, symbol: &str) -> Res<Unit> {
        if let Some((_, _, u)) = self.units.iter().find(|(m, s, _)| *m == metric && s == symbol) {
            return Ok(*u);
        }
        let u = Unit::for_metric(metric, symbol).map_err(|e| ImportErrorKind::Unit {
            column: "unit".into(),
            reason: if symbol.is_empty() {
                "empty: the value's unit cannot be known".into()
            } else {
                e.to_string()
            },
        })?;
        self.units.push((metric, symbol.to_string(), u));
        Ok(u)
    }

    fn kind(&mut self, text: &str) -> Res<(u32, KernelKind)> {
        if let Some((id, k)) = self.kinds.get(text) {
            return Ok((*id, k.clone()));
        }
        let unknown = |reason: String| ImportErrorKind::UnknownKind { kind: text.to_string(), reason };
        if text.starts_with("unsupported") {
            return Err(unknown("einf cannot cost unsupported kernels".into()));
        }
        let roles: Vec<Role> = text
            .split('-')
            .map(str::parse)
            .collect::<Result<_, String>>()
            .map_err(|e| unknown(format!("{e} (kinds are roles joined by '-', e.g. conv-bn-relu)")))?;
        let kind = KernelKind::from_roles(&roles);
        // Spellings of one kind (`conv-relu`, `conv-bn-relu`) share its id.
        let next = u32::try_from(self.kind_ids.len()).unwrap_or(u32::MAX - 1);
        let id = *self.kind_ids.entry(kind.clone()).or_insert(next);
        self.kinds.insert(text.to_string(), (id, kind.clone()));
        Ok((id, kind))
    }
}

/// The id of `text` in `ids`; a new one, the next number, when it is not there yet.
fn next_id(ids: &mut FxHashMap<String, u32>, text: &str) -> u32 {
    if let Some(&id) = ids.get(text) {
        return id;
    }
    let id = u32::try_from(ids.len()).unwrap_or(u32::MAX - 1);
    ids.insert(text.to_string(), id);
    id
}

/// `text` when it is a sha256: 64 hex digits.
fn sha256<'t>(column: &str, text: &'t str) -> Res<&'t str> {
    if crate::batch::is_sha256(text) {
        Ok(text)
    } else {
        Err(ImportErrorKind::Invalid(format!("{column}: '{text}' is not a sha256 (64 hex digits)")))
    }
}

/// Where the rows of an `einf dataset export` were first imported from (its `file`,
/// `file_sha256` and `line` columns). The store keeps a file and its sha256 per import, not per
/// row, so a re-import names the original files in its provenance text; each row's original line
/// stays in the re-imported file itself, which the store keys by its sha256.
#[derive(Default)]
struct Origins {
    /// Distinct (file, sha256) in first-seen order.
    list: Vec<Origin>,
    index: FxHashMap<(String, String), usize>,
    /// The origin of the previous row (an export lists an import's rows together).
    last: usize,
}

/// One original import: its rows in the file read and the lines they had in it.
struct Origin {
    file: String,
    sha256: String,
    rows: u64,
    lines: Option<(u64, u64)>,
}

/// How many original files the provenance text names (the rest are counted).
const ORIGINS_NAMED: usize = 20;

/// A row's original import (its index in [`Origins`]) and line (`u64::MAX`: not given).
type OriginKey = (u32, u64);

/// The origin of a row that names none.
const NO_ORIGIN: OriginKey = (u32::MAX, u64::MAX);

impl Origins {
    /// Take in a row's `file`, `file_sha256` and `line`; its origin, `None` when all are empty.
    fn note(&mut self, file: &str, sha: &str, line: &str) -> Res<Option<OriginKey>> {
        if file.is_empty() && sha.is_empty() && line.is_empty() {
            return Ok(None);
        }
        if !sha.is_empty() {
            sha256("file_sha256", sha)?;
        }
        let line = match line {
            "" => None,
            t => Some(whole("line", t)?),
        };
        let i = match self.list.get(self.last) {
            Some(o) if o.file == file && o.sha256 == sha => self.last,
            _ => {
                let key = (file.to_string(), sha.to_string());
                let next = self.list.len();
                let i = *self.index.entry(key).or_insert(next);
                if i == next {
                    self.list.push(Origin { file: file.into(), sha256: sha.into(), rows: 0, lines: None });
                }
                i
            }
        };
        self.last = i;
        if let Some(o) = self.list.get_mut(i) {
            o.rows += 1;
            if let Some(l) = line {
                o.lines = Some(o.lines.map_or((l, l), |(a, b)| (a.min(l), b.max(l))));
            }
        }
        Ok(Some((u32::try_from(i).unwrap_or(u32::MAX - 1), line.unwrap_or(u64::MAX))))
    }

    /// Append the original files to the provenance notes (nothing when no row named one).
    fn describe(&self, notes: &mut String) {
        use std::fmt::Write as _;
        if self.list.is_empty() {
            return;
        }
        let _ = writeln!(
            notes,
            "A re-import of an einf dataset export: its rows were first imported from {} file(s), as its file, \
             file_sha256 and line columns give them (each row's original line is in this file's line column; \
             the lines stored with this import are this file's; the original imports' licence and provenance \
             texts are not in an export: they stay with those imports in the store exported from):",
            self.list.len()
        );
        let unknown = |s: &str| if s.is_empty() { "?".to_string() } else { s.to_string() };
        for o in self.list.iter().take(ORIGINS_NAMED) {
            let lines = o.lines.map_or(String::new(), |(a, b)| format!(", lines {a}-{b} there"));
            let _ = writeln!(
                notes,
                "  {} (sha256 {}): {} rows{lines}",
                unknown(&o.file),
                unknown(&o.sha256),
                o.rows
            );
        }
        if let Some(rest) = self.list.get(ORIGINS_NAMED..).filter(|r| !r.is_empty()) {
            let rows: u64 = rest.iter().map(|o| o.rows).sum();
            let _ = writeln!(notes, "  and {} more file(s): {rows} rows", rest.len());
        }
    }
}

/// The configuration of a kernel row of kind `kind`.
fn config<'r>(get: &impl Fn(usize) -> &'r str, kind: &KernelKind) -> Res<KernelConfig> {
    let num = |column: usize, default: Option<u64>, min: u64| -> Res<u64> {
        let name = COLUMNS.get(column).copied().unwrap_or("");
        let t = get(column);
        let v = match (t, default) {
            ("", Some(d)) => return Ok(d),
            ("", None) => {
                return Err(ImportErrorKind::MissingField { what: "kernel row".into(), field: name.into() });
            }
            (t, _) => super::common::whole(name, t)?,
        };
        if v < min {
            return Err(ImportErrorKind::BadNumber {
                column: name.into(),
                text: t.into(),
                expected: "a whole number ≥ 1",
            });
        }
        Ok(v)
    };
    let mut c = KernelConfig::neutral();
    c.batch = num(BATCH, Some(1), 1)?;
    (c.input_h, c.input_w, c.cin, c.cout) =
        (num(INPUT_H, None, 1)?, num(INPUT_W, None, 1)?, num(CIN, None, 1)?, num(COUT, None, 1)?);
    (c.kernel_h, c.kernel_w) = (num(KERNEL_H, Some(1), 1)?, num(KERNEL_W, Some(1), 1)?);
    (c.stride_h, c.stride_w) = (num(STRIDE_H, Some(1), 1)?, num(STRIDE_W, Some(1), 1)?);
    c.pads = [
        num(PAD_TOP, Some(0), 0)?,
        num(PAD_LEFT, Some(0), 0)?,
        num(PAD_BOTTOM, Some(0), 0)?,
        num(PAD_RIGHT, Some(0), 0)?,
    ];
    (c.dilation_h, c.dilation_w) = (num(DILATION_H, Some(1), 1)?, num(DILATION_W, Some(1), 1)?);
    c.groups = num(GROUPS, Some(1), 1)?;
    // `groups` is the first convolution's; in a kernel of several (a depthwise convolution fused
    // with a 1x1 one) `cout` is the last one's.
    let convs = kind
        .roles()
        .iter()
        .filter(|r| matches!(r, Role::Conv | Role::DwConv | Role::GroupConv | Role::ConvTranspose))
        .count();
    if !c.cin.is_multiple_of(c.groups) || (convs <= 1 && !c.cout.is_multiple_of(c.groups)) {
        return Err(ImportErrorKind::Invalid(format!(
            "groups {} does not divide cin {} and cout {}",
            c.groups, c.cin, c.cout
        )));
    }
    // (in + pads - dilation (kernel - 1) - 1) / stride + 1, or None when the window does not fit.
    let window = |i: u64, p0: u64, p1: u64, k: u64, d: u64, s: u64| {
        let padded = i.saturating_add(p0).saturating_add(p1);
        padded.checked_sub(d.saturating_mul(k - 1).saturating_add(1)).map(|x| x / s + 1)
    };
    let (oh, ow) = (
        window(c.input_h, c.pads[0], c.pads[2], c.kernel_h, c.dilation_h, c.stride_h),
        window(c.input_w, c.pads[1], c.pads[3], c.kernel_w, c.dilation_w, c.stride_w),
    );
    let side = |column: usize, computed: Option<u64>| -> Res<u64> {
        if get(column).is_empty() {
            let name = COLUMNS.get(column).copied().unwrap_or("");
            computed.ok_or_else(|| {
                ImportErrorKind::Invalid(format!(
                    "{name}: the kernel window does not fit the padded input; give {name} or fix the window"
                ))
            })
        } else {
            num(column, None, 1)
        }
    };
    (c.output_h, c.output_w) = (side(OUTPUT_H, oh)?, side(OUTPUT_W, ow)?);
    c.dtype = match get(DTYPE) {
        "" => DType::F32,
        t => DTYPES.into_iter().find(|d| d.name() == t).ok_or_else(|| {
            ImportErrorKind::Invalid(format!(
                "dtype: '{t}' is not one of {}",
                DTYPES.iter().map(|d| d.name()).collect::<Vec<_>>().join(", ")
            ))
        })?,
    };
    let channels = get(INPUT_CHANNELS);
    if !channels.is_empty() {
        c.input_channels = channels
            .split([';', ','])
            .map(|t| super::common::count("input_channels", t))
            .collect::<Result<_, _>>()?;
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SYNTHETIC: a made-up generic CSV of `rows` kernel rows (CRLF line ends, a quoted
    /// `source_id` with a line break every 997 rows), spanning several read chunks, with `edit`
    /// applied to the text of each row (0-based row, text) before it is written.
    fn big_file(
        name: &str,
        rows: usize,
        edit: impl Fn(usize, String) -> String,
    ) -> (std::path::PathBuf, Vec<usize>) {
        let dir = std::env::temp_dir().join(format!("einf-generic-csv-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("big.csv");
        let mut text = String::from("device,kind,input_h,input_w,cin,cout,metric,value,unit,source_id\r\n");
        let (mut line, mut lines) = (2, Vec::with_capacity(rows));
        for i in 0..rows {
            let id = if i % 997 == 5 { format!("\"k{i}\r\nsecond line\"") } else { format!("k{i}") };
            let row = format!(
                "synthetic-board-gpu,conv-bn-relu,28,28,{},{},latency,1.5,ms,{id}\r\n",
                1 + i % 500,
                1 + i / 500
            );
            lines.push(line);
            line += row.matches('\n').count();
            text.push_str(&edit(i, row));
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        (path, lines)
    }

    #[test]
    fn lines_stay_right_across_chunks_and_the_first_failing_line_is_reported() {
        let rows = 40_000; // about 2.6 MB: three chunks
        let (path, lines) = big_file("ok", rows, |_, r| r);
        let b = read(&path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(b.measurements.len(), rows);
        assert!(b.measurements.iter().zip(&lines).all(|(m, &l)| m.line == l));

        // A bad value far into the file, on the line the row starts on.
        let bad = 33_333;
        let (path, lines) =
            big_file("bad", rows, |i, r| if i == bad { r.replace(",1.5,", ",-1,") } else { r });
        let e = read(&path, &ReadOptions::default()).err().map(|e| (e.line, e.to_string()));
        assert_eq!(e.as_ref().map(|e| e.0), Some(lines[bad]), "{e:?}");

        // Row 30,000 repeats row 29,999's kernel: the duplicate comes first in the file and is
        // reported, with its first line; a duplicate after the bad value is not.
        let (dup, first) = (30_000, 29_999);
        let same = |i: usize| i == dup || i == first;
        let (path, lines) = big_file("dup", rows, |i, r| {
            let r = if i == bad { r.replace(",1.5,", ",-1,") } else { r };
            if same(i) {
                r.replacen(&format!(",28,28,{},{},", 1 + i % 500, 1 + i / 500), ",14,14,7,7,", 1)
            } else {
                r
            }
        });
        let e = read(&path, &ReadOptions::default()).err().unwrap_or_else(|| panic!("accepted"));
        assert_eq!(e.line, lines[dup], "{e}");
        assert!(
            matches!(e.kind, ImportErrorKind::Duplicate { first_line, .. } if first_line == lines[first]),
            "{e}"
        );
        let (path, lines) = big_file("dup-after", rows, |i, r| {
            let r = if i == 20_000 { r.replace(",1.5,", ",-1,") } else { r };
            if same(i) {
                r.replacen(&format!(",28,28,{},{},", 1 + i % 500, 1 + i / 500), ",14,14,7,7,", 1)
            } else {
                r
            }
        });
        let e = read(&path, &ReadOptions::default()).err().map(|e| e.line);
        assert_eq!(e, Some(lines[20_000]));
        if let Some(dir) = path.parent().and_then(|p| p.parent()) {
            for name in ["ok", "bad", "dup", "dup-after"] {
                let _ = std::fs::remove_dir_all(
                    dir.join(format!("einf-generic-csv-{}-{name}", std::process::id())),
                );
            }
        }
    }

    #[test]
    fn column_constants_name_their_columns() {
        for (i, name) in COLUMNS.iter().enumerate() {
            assert_eq!(col(name), i, "{name}");
        }
        assert_eq!(col("nonsense"), usize::MAX);
        assert_eq!(COLUMNS.get(CONFIG_COLUMNS), Some(&KernelConfig::COLUMNS[..]));
        let read = [
            DEVICE,
            DEVICE_CLASS,
            SOC,
            RUNTIME,
            PRECISION,
            SUBJECT,
            KIND,
            MODEL,
            MODEL_SHA256,
            SOURCE_ID,
            METRIC,
            VALUE,
            UNIT,
            STD,
            REPETITIONS,
            RUN,
            FILE,
            FILE_SHA256,
            LINE,
        ];
        // Every column is read: its own ones above, the configuration's in `config`.
        let mut all: Vec<usize> = read.into_iter().chain(CONFIG_COLUMNS).collect();
        all.sort_unstable();
        assert_eq!(all, (0..COLUMNS.len()).collect::<Vec<_>>());
    }

    #[test]
    fn headers_need_the_value_columns_and_refuse_unknown_ones() {
        let rec = |s: &str| csv::StringRecord::from(s.split(',').collect::<Vec<_>>());
        let opts = ReadOptions::default();
        assert!(header(&rec("device,kind,metric,value,unit"), &opts).is_ok());
        let e = header(&rec("device,kind,metric,valeu,unit"), &opts).err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.starts_with("unknown column 'valeu'")));
        let e = header(&rec("kind,metric,value,unit"), &opts).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("missing column 'device'"));
        let named = ReadOptions { device: Some("board".into()), ..ReadOptions::default() };
        assert!(header(&rec("kind,metric,value,unit"), &named).is_ok());
        assert!(header(&rec("device,kind,metric,value,unit,unit"), &opts).is_err());
    }
}
