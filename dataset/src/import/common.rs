//! What the readers share: reading a CSV with line numbers, checked numbers, provenance text.

use super::error::{ImportError, ImportErrorKind};
use super::units::Unit;
use crate::batch::{Device, DeviceClass, Measurement, Metric, Subject};
use std::collections::HashMap;
use std::path::Path;

/// The bytes of a file (an I/O error is an [`ImportError`] on line 0).
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, ImportError> {
    std::fs::read(path).map_err(|e| ImportError::new(path, 0, ImportErrorKind::Io(e)))
}

/// The text of a file, which must be UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, ImportError> {
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes).map_err(|e| {
        let line = e.as_bytes().get(..e.utf8_error().valid_up_to()).map_or(0, |b| 1 + count_lines(b));
        ImportError::new(path, line, ImportErrorKind::Invalid("not UTF-8 text".into()))
    })
}

fn count_lines(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c == b'\n').count()
}

/// A CSV file read whole: the header and the records, each with its 1-based line.
pub(crate) struct Csv {
    /// Header fields, trimmed.
    pub header: Vec<String>,
    /// Records (all with as many fields as the header), with their line.
    pub rows: Vec<(usize, csv::StringRecord)>,
}

impl Csv {
    /// Read a comma-separated file with a header line. A row with another number of fields than
    /// the header is an error (flagged as truncated when it is the file's last row and shorter).
    pub(crate) fn read(path: &Path) -> Result<Csv, ImportError> {
        let bytes = read_bytes(path)?;
        Csv::parse(path, &bytes)
    }

    /// Parse CSV bytes (see [`Csv::read`]).
    pub(crate) fn parse(path: &Path, bytes: &[u8]) -> Result<Csv, ImportError> {
        let err = |line: usize, kind| ImportError::new(path, line, kind);
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
        let mut records = reader.records();
        let header: Vec<String> = match records.next() {
            Some(Ok(r)) => r.iter().map(|s| s.trim().trim_start_matches('\u{feff}').to_string()).collect(),
            Some(Err(e)) => return Err(err(csv_line(&e), csv_kind(e))),
            None => return Err(err(0, ImportErrorKind::Truncated("empty file: no header line".into()))),
        };
        let mut rows: Vec<(usize, csv::StringRecord)> = Vec::new();
        let mut lines = LineCounter::new(bytes);
        for r in records {
            let r = r.map_err(|e| err(csv_line(&e), csv_kind(e)))?;
            let line = lines.line_of(r.position());
            // A blank line reads as one empty field; skip it.
            if r.len() == 1 && r.get(0).is_some_and(|f| f.trim().is_empty()) {
                continue;
            }
            rows.push((line, r));
        }
        if let Some(line) = unclosed_quote_line(bytes) {
            return Err(err(line, ImportErrorKind::Truncated("the file ends inside a quoted field".into())));
        }
        let ends_with_newline = bytes.last().is_some_and(|&b| b == b'\n');
        let n = rows.len();
        for (i, (line, r)) in rows.iter().enumerate() {
            if r.len() != header.len() {
                let truncated = i + 1 == n && r.len() < header.len() && !ends_with_newline;
                return Err(err(
                    *line,
                    ImportErrorKind::ColumnCount { expected: header.len(), found: r.len(), truncated },
                ));
            }
        }
        Ok(Csv { header, rows })
    }

    /// Index of a header column, or a [`ImportErrorKind::MissingColumn`] error.
    pub(crate) fn column(&self, path: &Path, name: &str) -> Result<usize, ImportError> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| ImportError::new(path, 1, ImportErrorKind::MissingColumn(name.to_string())))
    }
}

/// The line of a quote that is never closed (a file cut inside a quoted field), if any.
pub(crate) fn unclosed_quote_line(bytes: &[u8]) -> Option<usize> {
    let mut scan = QuoteScan::default();
    scan.feed(bytes);
    scan.unclosed_quote_line()
}

/// Lines and quotes of a file read front to back, whole or in blocks: where a quote that is never
/// closed opens (every `"` toggles being inside a quoted field; `""` toggles twice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QuoteScan {
    /// The line the next byte is on (1-based).
    line: usize,
    /// The line of the last quote that opened a quoted field.
    open: usize,
    /// Whether the bytes so far end inside a quoted field.
    inside: bool,
}

impl Default for QuoteScan {
    fn default() -> QuoteScan {
        QuoteScan { line: 1, open: 0, inside: false }
    }
}

impl QuoteScan {
    /// Take in the next bytes of the file.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        if !bytes.contains(&b'"') {
            self.line += count_lines(bytes);
            return;
        }
        for &b in bytes {
            match b {
                b'\n' => self.line += 1,
                b'"' => {
                    self.inside = !self.inside;
                    if self.inside {
                        self.open = self.line;
                    }
                }
                _ => {}
            }
        }
    }

    /// The `\n` bytes taken in so far.
    pub(crate) fn newlines(&self) -> usize {
        self.line - 1
    }

    /// The line of a quote never closed in the bytes taken in so far, if any.
    pub(crate) fn unclosed_quote_line(&self) -> Option<usize> {
        self.inside.then_some(self.open)
    }
}

/// The 1-based line a CSV record starts on. (The csv crate's own line count is one short after a
/// CRLF line end: it ends the record at the `\r` and counts the `\n` with the next record.)
pub(crate) struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    /// A counter over the whole file.
    pub(crate) fn new(bytes: &'a [u8]) -> LineCounter<'a> {
        LineCounter { bytes, pos: 0, line: 1 }
    }

    /// The line of the record at `position` (positions must come in file order).
    pub(crate) fn line_of(&mut self, position: Option<&csv::Position>) -> usize {
        let Some(p) = position else { return 0 };
        let mut start = usize::try_from(p.byte()).unwrap_or(usize::MAX).min(self.bytes.len());
        while self.bytes.get(start).is_some_and(|&b| b == b'\r' || b == b'\n') {
            start += 1;
        }
        if start >= self.pos {
            let skipped = self.bytes.get(self.pos..start).unwrap_or_default();
            self.line += count_lines(skipped);
            self.pos = start;
        }
        self.line
    }
}

fn csv_line(e: &csv::Error) -> usize {
    e.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX))
}

fn csv_kind(e: csv::Error) -> ImportErrorKind {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => ImportErrorKind::Io(io),
        csv::ErrorKind::Utf8 { .. } => ImportErrorKind::Invalid("not UTF-8 text".into()),
        other => ImportErrorKind::Invalid(format!("{other:?}")),
    }
}

/// A field of a record (empty when absent), trimmed.
pub(crate) fn field(r: &csv::StringRecord, i: usize) -> &str {
    trim(r.get(i).unwrap_or(""))
}

/// `s.trim()`, with a fast path for the usual field that starts and ends with an ASCII byte that
/// is not whitespace (then no Unicode whitespace can be at either end).
pub(crate) fn trim(s: &str) -> &str {
    let solid = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii() && !char::from(b).is_whitespace());
    if solid(s.as_bytes().first()) && solid(s.as_bytes().last()) { s } else { s.trim() }
}

/// A finite number.
pub(crate) fn number(column: &str, text: &str) -> Result<f64, ImportErrorKind> {
    let t = trim(text);
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(ImportErrorKind::BadNumber {
            column: column.to_string(),
            text: t.to_string(),
            expected: "a finite number",
        }),
    }
}

/// A finite number > 0 (an energy, latency or power).
pub(crate) fn positive(column: &str, text: &str, what: &'static str) -> Result<f64, ImportErrorKind> {
    let v = number(column, text)?;
    if v > 0.0 {
        Ok(v)
    } else {
        Err(ImportErrorKind::NotPositive { column: column.to_string(), value: v, what })
    }
}

/// A whole number ≥ 0, written as an integer or as a float with no fraction (`3`, `3.0`).
pub(crate) fn whole(column: &str, text: &str) -> Result<u64, ImportErrorKind> {
    let t = trim(text);
    if let Ok(v) = t.parse::<u64>() {
        return Ok(v);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 9.0e15 => Ok(v as u64),
        _ => Err(ImportErrorKind::BadNumber {
            column: column.to_string(),
            text: t.to_string(),
            expected: "a whole number",
        }),
    }
}

/// A whole number ≥ 1.
pub(crate) fn count(column: &str, text: &str) -> Result<u64, ImportErrorKind> {
    match whole(column, text)? {
        0 => Err(ImportErrorKind::BadNumber {
            column: column.to_string(),
            text: trim(text).to_string(),
            expected: "a whole number ≥ 1",
        }),
        v => Ok(v),
    }
}

/// A measured value: finite and > 0 in `unit`, converted to the canonical unit.
pub(crate) fn measured(column: &str, text: &str, unit: Unit) -> Result<f64, ImportErrorKind> {
    let v = positive(column, text, unit.metric().name())?;
    Ok(unit.to_canonical(v))
}

/// A measurement with no std, repetitions or run.
pub(crate) fn measurement(
    device: &str,
    subject: Subject,
    metric: Metric,
    value: f64,
    line: usize,
) -> Measurement {
    Measurement {
        device: device.to_string(),
        subject,
        metric,
        value,
        std: None,
        repetitions: None,
        run: None,
        line,
    }
}

/// Devices in first-seen order, each once.
#[derive(Default)]
pub(crate) struct Devices {
    list: Vec<Device>,
    index: HashMap<String, usize>,
}

impl Devices {
    /// Add a device unless one of that name is already there.
    pub(crate) fn add(&mut self, d: Device) {
        if !self.index.contains_key(&d.name) {
            self.index.insert(d.name.clone(), self.list.len());
            self.list.push(d);
        }
    }

    /// The device of that name, if added.
    pub(crate) fn get(&self, name: &str) -> Option<&Device> {
        self.index.get(name).and_then(|&i| self.list.get(i))
    }

    /// The devices.
    pub(crate) fn into_vec(self) -> Vec<Device> {
        self.list
    }
}

/// Provenance text: the format, the file name, the reader's notes on columns and assumptions, and
/// the `SOURCE.txt` that sits beside the file, if any (bundled data keeps its licence and origin
/// there).
pub(crate) fn provenance(format: &str, path: &Path, notes: &str) -> String {
    let name =
        path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let mut text = format!("format {format}; file {name}\n{}\n", notes.trim_end());
    if let Some(dir) = path.parent() {
        let source = dir.join("SOURCE.txt");
        if let Ok(s) = std::fs::read_to_string(&source) {
            text.push_str("\n--- SOURCE.txt ---\n");
            text.push_str(s.trim_end());
            text.push('\n');
        }
    }
    text
}

/// The class a device name tells, when exactly one of `gpu`, `cpu`, `npu`/`vpu`/`dsp`/`tpu`,
/// `mcu` occurs in it (case-insensitive: `adreno640gpu_tflite21` → gpu, `cortexA76cpu` → cpu).
pub(crate) fn class_from_device_name(name: &str) -> Option<DeviceClass> {
    let lower = name.to_ascii_lowercase();
    let found: Vec<DeviceClass> = [
        (DeviceClass::Gpu, &["gpu"][..]),
        (DeviceClass::Cpu, &["cpu"][..]),
        (DeviceClass::Npu, &["npu", "vpu", "dsp", "tpu"][..]),
        (DeviceClass::Mcu, &["mcu"][..]),
    ]
    .into_iter()
    .filter(|(_, words)| words.iter().any(|w| lower.contains(w)))
    .map(|(c, _)| c)
    .collect();
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// The class of device `name`: the one given, else the one its name tells, else an error.
pub(crate) fn device_class(name: &str, given: Option<DeviceClass>) -> Result<DeviceClass, ImportErrorKind> {
    given.or_else(|| class_from_device_name(name)).ok_or_else(|| {
        ImportErrorKind::Invalid(format!(
            "device '{name}': its class (cpu, gpu, npu, mcu, accelerator) cannot be known from its name; give it \
             (--device-class)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SYNTHETIC bytes: a file scanned in two blocks, split anywhere, tells what it tells whole.
    #[test]
    fn quote_scan_in_blocks_matches_the_whole_file() {
        for text in [&b"a,b\n1,\"x\ny\"\n2,\"open\n\n"[..], b"a\n\"\"\"\n", b"no quotes\nat all"] {
            let mut whole = QuoteScan::default();
            whole.feed(text);
            for cut in 0..=text.len() {
                let (head, tail) = text.split_at(cut);
                let mut blocks = QuoteScan::default();
                blocks.feed(head);
                blocks.feed(tail);
                assert_eq!(blocks, whole, "cut at {cut}");
            }
        }
        assert_eq!(unclosed_quote_line(b"a,b\n1,\"x\ny\"\n2,\"open\n\n"), Some(4));
        assert_eq!(unclosed_quote_line(b"a\n\"\"\"\n"), Some(2));
        assert_eq!(unclosed_quote_line(b"a,\"b\"\n"), None);
    }
}
