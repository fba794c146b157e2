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

mod config;
mod header;
mod origin;
mod state;

use super::ReadOptions;
use super::chunks;
use super::common::{LineCounter, provenance};
use super::error::{ImportError, ImportErrorKind};
use super::model_links;
use crate::batch::{ImportBatch, Measurement};
use crate::store::EXPORT_COLUMNS;
use header::Header;
use state::State;
use std::path::Path;

/// Format name.
pub const FORMAT: &str = "csv";

/// Every column the format knows: those `einf dataset export --format csv` writes, in its order
/// ([`EXPORT_COLUMNS`]: the device and its description, the subject, the kind,
/// [`KernelConfig::COLUMNS`], the model and its file hash, the value, the original import's file,
/// hash and line), so that an export re-imports.
///
/// [`KernelConfig::COLUMNS`]: einf_parser::kernel::KernelConfig::COLUMNS
pub const COLUMNS: &[&str] = EXPORT_COLUMNS;

type Res<T> = Result<T, ImportErrorKind>;

/// `text` when it is a sha256: 64 hex digits.
fn sha256<'t>(column: &str, text: &'t str) -> Res<&'t str> {
    if crate::batch::is_sha256(text) {
        Ok(text)
    } else {
        Err(ImportErrorKind::Invalid(format!("{column}: '{text}' is not a sha256 (64 hex digits)")))
    }
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
                let h = header::header(&record, state.opts).map_err(|k| err(1, k))?;
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
}
