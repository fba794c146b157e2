//! Trace and windows CSV readers.
//!
//! Both readers take the first line that is not blank and not a `#` comment as the header, pick
//! the delimiter from it (comma, else tab, else semicolon), and skip blank and `#` lines after it.
//! Fields may be wrapped in double quotes; columns with an empty header (a trailing comma, as some
//! Monsoon scripts write) and columns with names they do not know are ignored.

use std::path::Path;

use serde::Serialize;

use super::columns::{self, Field, Quantity};
use super::error::{TraceError, TraceErrorKind as K};
use super::integrate;

/// Timestamps beyond this many µs (≈ 11.6 days) are read relative to an integer origin, so that
/// epoch clocks (1.7e15 µs) keep sub-µs resolution in f64.
const ORIGIN_THRESHOLD_US: i64 = 1_000_000_000_000;

/// Which columns a trace was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "format", rename_all = "lowercase")]
pub enum TraceFormat {
    /// Monsoon style: power = current × voltage.
    Monsoon {
        /// Time column header.
        time: String,
        /// Current column header.
        current: String,
        /// Voltage column header.
        voltage: String,
    },
    /// Generic: a power column.
    Power {
        /// Time column header.
        time: String,
        /// Power column header.
        power: String,
    },
    /// Built in memory with [`Trace::from_samples`].
    Samples,
}

/// How a trace was read: format, clean-up done, sampling.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceInfo {
    /// Columns used.
    pub format: TraceFormat,
    /// Data rows read.
    pub rows: usize,
    /// Rows whose timestamp was earlier than the row before them (the trace was sorted).
    pub out_of_order: usize,
    /// Rows merged into an earlier row with the same timestamp (their powers are averaged).
    pub merged_duplicates: usize,
    /// Median interval between consecutive distinct timestamps, µs.
    pub median_interval_us: f64,
}

/// A power trace in canonical units: time in µs (relative to [`Trace::origin_us`]) and power in
/// mW, sorted by time, one sample per distinct timestamp.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    source: String,
    origin_us: i64,
    t_us: Vec<f64>,
    power_mw: Vec<f64>,
    lines: Vec<usize>,
    info: TraceInfo,
}

impl Trace {
    /// A trace from samples in memory (times in µs, powers in mW, any order). Errors are located
    /// at `source` and the 1-based sample index.
    pub fn from_samples(source: &str, t_us: &[f64], power_mw: &[f64]) -> Result<Trace, TraceError> {
        if t_us.len() != power_mw.len() {
            return Err(TraceError::config(format!(
                "{} timestamps but {} power values",
                t_us.len(),
                power_mw.len()
            )));
        }
        let mut samples = Vec::with_capacity(t_us.len());
        for (i, (&t, &p)) in t_us.iter().zip(power_mw).enumerate() {
            let line = i + 1;
            if !t.is_finite() {
                let kind = K::NonFinite { column: "time_us".into(), value: t.to_string() };
                return Err(TraceError::line(source, line, kind));
            }
            check_value(source, line, "power_mW", p)?;
            samples.push(Sample { t_us: t, power_mw: p, line });
        }
        Trace::build(source, 0, TraceFormat::Samples, samples)
    }

    /// File name (or in-memory name) errors are reported against.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Integer origin of [`Trace::times_us`], µs on the file's clock (0 unless the file's clock
    /// is beyond 10¹² µs, e.g. an epoch clock; then the first timestamp's whole second).
    pub fn origin_us(&self) -> i64 {
        self.origin_us
    }

    /// Sample times, µs after [`Trace::origin_us`], strictly increasing.
    pub fn times_us(&self) -> &[f64] {
        &self.t_us
    }

    /// Sample powers, mW.
    pub fn power_mw(&self) -> &[f64] {
        &self.power_mw
    }

    /// Line of each sample in the file (the first line, for merged duplicates).
    pub fn lines(&self) -> &[usize] {
        &self.lines
    }

    /// How the trace was read.
    pub fn info(&self) -> &TraceInfo {
        &self.info
    }

    /// Sorts, merges duplicate timestamps (mean power), checks there is something to integrate.
    fn build(
        source: &str,
        origin_us: i64,
        format: TraceFormat,
        mut samples: Vec<Sample>,
    ) -> Result<Trace, TraceError> {
        let rows = samples.len();
        let out_of_order = samples.windows(2).filter(|w| w[1].t_us < w[0].t_us).count();
        if out_of_order > 0 {
            // Stable: rows with equal timestamps keep file order.
            samples.sort_by(|a, b| a.t_us.total_cmp(&b.t_us));
        }
        let mut t_us: Vec<f64> = Vec::with_capacity(rows);
        let mut power_mw: Vec<f64> = Vec::with_capacity(rows);
        let mut lines = Vec::with_capacity(rows);
        let mut i = 0;
        while i < samples.len() {
            let first = &samples[i];
            let mut j = i + 1;
            let mut sum_mw = first.power_mw;
            while j < samples.len() && samples[j].t_us == first.t_us {
                sum_mw += samples[j].power_mw;
                j += 1;
            }
            t_us.push(first.t_us);
            power_mw.push(if j - i == 1 { first.power_mw } else { sum_mw / (j - i) as f64 });
            lines.push(first.line);
            i = j;
        }
        if t_us.len() < 2 {
            return Err(TraceError::file(source, K::TooFewSamples { found: t_us.len() }));
        }
        let median_interval_us = integrate::median_interval_us(&t_us);
        let merged_duplicates = rows - t_us.len();
        let info = TraceInfo { format, rows, out_of_order, merged_duplicates, median_interval_us };
        Ok(Trace { source: source.to_string(), origin_us, t_us, power_mw, lines, info })
    }
}

struct Sample {
    t_us: f64,
    power_mw: f64,
    line: usize,
}

/// One inference: start and end on the windows file's clock, µs after [`Windows::origin_us`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Window {
    /// Start, µs.
    pub start_us: f64,
    /// End, µs (after the start).
    pub end_us: f64,
    /// Line in the windows file (1-based sample index for windows built in memory).
    pub line: usize,
}

/// Inference windows, sorted by start, not overlapping (back-to-back is fine).
#[derive(Debug, Clone, PartialEq)]
pub struct Windows {
    source: String,
    origin_us: i64,
    windows: Vec<Window>,
    out_of_order: usize,
}

impl Windows {
    /// Windows from `(start_us, end_us)` pairs in memory, any order. Errors are located at
    /// `source` and the 1-based pair index.
    pub fn from_pairs(source: &str, pairs: &[(f64, f64)]) -> Result<Windows, TraceError> {
        let mut windows = Vec::with_capacity(pairs.len());
        for (i, &(start_us, end_us)) in pairs.iter().enumerate() {
            for (column, v) in [("start_us", start_us), ("end_us", end_us)] {
                if !v.is_finite() {
                    let kind = K::NonFinite { column: column.into(), value: v.to_string() };
                    return Err(TraceError::line(source, i + 1, kind));
                }
            }
            windows.push(Window { start_us, end_us, line: i + 1 });
        }
        Windows::build(source, 0, windows)
    }

    /// File name errors are reported against.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Integer origin of the window times, µs on the file's clock (see [`Trace::origin_us`]).
    pub fn origin_us(&self) -> i64 {
        self.origin_us
    }

    /// The windows, sorted by start.
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }

    /// Rows whose start was earlier than the row before them (the windows were sorted).
    pub fn out_of_order(&self) -> usize {
        self.out_of_order
    }

    fn build(source: &str, origin_us: i64, mut windows: Vec<Window>) -> Result<Windows, TraceError> {
        if windows.is_empty() {
            return Err(TraceError::file(source, K::NoWindows { detail: String::new() }));
        }
        for w in &windows {
            if w.end_us <= w.start_us {
                let kind = K::EmptyWindow { start_us: w.start_us, end_us: w.end_us };
                return Err(TraceError::line(source, w.line, kind));
            }
        }
        let out_of_order = windows.windows(2).filter(|w| w[1].start_us < w[0].start_us).count();
        windows.sort_by(|a, b| a.start_us.total_cmp(&b.start_us));
        for pair in windows.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if b.start_us < a.end_us {
                let kind = K::OverlappingWindows {
                    start_us: b.start_us,
                    end_us: b.end_us,
                    other_line: a.line,
                    other_start_us: a.start_us,
                    other_end_us: a.end_us,
                };
                return Err(TraceError::line(source, b.line, kind));
            }
        }
        Ok(Windows { source: source.to_string(), origin_us, windows, out_of_order })
    }
}

/// Reads a power trace (Monsoon-style or generic CSV; see the module docs for headers).
pub fn read_trace(path: &Path) -> Result<Trace, TraceError> {
    let name = path.display().to_string();
    let text = read_text(path, &name)?;
    parse_trace(&text, &name)
}

/// Reads an inference windows CSV (`start_us,end_us`; see the module docs for headers).
pub fn read_windows(path: &Path) -> Result<Windows, TraceError> {
    let name = path.display().to_string();
    let text = read_text(path, &name)?;
    parse_windows(&text, &name)
}

fn read_text(path: &Path, name: &str) -> Result<String, TraceError> {
    let bytes = std::fs::read(path).map_err(|e| TraceError::file(name, K::Io(e)))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.as_bytes().get(..e.utf8_error().valid_up_to()).unwrap_or_default();
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        TraceError::line(name, line, K::NotUtf8)
    })
}

/// Data lines of a CSV text: header (line number, fields), then rows.
struct Csv<'a> {
    name: &'a str,
    delimiter: char,
    header_line: usize,
    header: String,
    fields: Vec<Field>,
    rows: Vec<(usize, &'a str)>,
}

impl<'a> Csv<'a> {
    fn new(text: &'a str, name: &'a str) -> Result<Csv<'a>, TraceError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        let Some((header_line, header)) = lines.next() else {
            return Err(TraceError::file(name, K::Empty));
        };
        let delimiter = columns::delimiter(header);
        let fields = header.split(delimiter).map(Field::parse).collect();
        Ok(Csv {
            name,
            delimiter,
            header_line,
            header: header.trim().to_string(),
            fields,
            rows: lines.collect(),
        })
    }

    /// The column holding `quantity` (name in `names`), with its factor to the canonical unit.
    fn column(&self, quantity: Quantity, names: &[&str]) -> Result<Option<(usize, f64)>, TraceError> {
        let mut found: Option<usize> = None;
        for (i, f) in self.fields.iter().enumerate() {
            if !f.is(names) {
                continue;
            }
            if let Some(first) = found {
                let kind = K::DuplicateColumn {
                    quantity: quantity.label(),
                    first: self.fields[first].raw.clone(),
                    second: f.raw.clone(),
                };
                return Err(TraceError::line(self.name, self.header_line, kind));
            }
            found = Some(i);
        }
        let Some(i) = found else { return Ok(None) };
        let f = &self.fields[i];
        match f.factor(quantity) {
            Some(factor) => Ok(Some((i, factor))),
            None => {
                let kind = K::UnknownUnit {
                    column: f.raw.clone(),
                    quantity: quantity.label(),
                    expected: quantity.expected(),
                };
                Err(TraceError::line(self.name, self.header_line, kind))
            }
        }
    }

    /// Like [`Csv::column`], but the column must exist; `label` names it in the error.
    fn required(
        &self,
        quantity: Quantity,
        label: &'static str,
        names: &[&str],
        accepted: &'static str,
    ) -> Result<(usize, f64), TraceError> {
        self.column(quantity, names)?.ok_or_else(|| {
            let kind = K::MissingColumn { quantity: label, header: self.header.clone(), accepted };
            TraceError::line(self.name, self.header_line, kind)
        })
    }

    /// Splits a row into exactly as many fields as the header has.
    fn split<'r>(&self, line: usize, row: &'r str, out: &mut Vec<&'r str>) -> Result<(), TraceError> {
        out.clear();
        out.extend(row.split(self.delimiter).map(columns::clean));
        if out.len() != self.fields.len() {
            let kind = K::FieldCount { expected: self.fields.len(), found: out.len() };
            return Err(TraceError::line(self.name, line, kind));
        }
        Ok(())
    }

    fn raw(&self, column: usize) -> String {
        self.fields.get(column).map(|f| f.raw.clone()).unwrap_or_default()
    }

    fn number(&self, line: usize, column: usize, field: &str) -> Result<f64, TraceError> {
        let bad = |kind| TraceError::line(self.name, line, kind);
        let v: f64 =
            field.parse().map_err(|_| bad(K::BadNumber { column: self.raw(column), value: field.into() }))?;
        if !v.is_finite() {
            return Err(bad(K::NonFinite { column: self.raw(column), value: field.into() }));
        }
        if v < 0.0 {
            return Err(bad(K::Negative { column: self.raw(column), value: v }));
        }
        Ok(v)
    }

    fn time(&self, line: usize, column: usize, field: &str, factor: f64) -> Result<Time, TraceError> {
        parse_time(field, factor).map_err(|e| {
            let (column, value) = (self.raw(column), field.to_string());
            let kind = match e {
                TimeError::Bad => K::BadNumber { column, value },
                TimeError::NonFinite => K::NonFinite { column, value },
                TimeError::Range => K::TimeOutOfRange { column, value },
            };
            TraceError::line(self.name, line, kind)
        })
    }
}

fn check_value(source: &str, line: usize, column: &str, v: f64) -> Result<(), TraceError> {
    if !v.is_finite() {
        let kind = K::NonFinite { column: column.into(), value: v.to_string() };
        return Err(TraceError::line(source, line, kind));
    }
    if v < 0.0 {
        return Err(TraceError::line(source, line, K::Negative { column: column.into(), value: v }));
    }
    Ok(())
}

/// Parses a power trace from CSV text; `name` is used in errors.
pub fn parse_trace(text: &str, name: &str) -> Result<Trace, TraceError> {
    let csv = Csv::new(text, name)?;
    let (time, time_factor) =
        csv.required(Quantity::Time, "time", columns::TIME_NAMES, columns::TIME_ACCEPTED)?;
    let power = csv.column(Quantity::Power, columns::POWER_NAMES)?;
    let current = csv.column(Quantity::Current, columns::CURRENT_NAMES)?;
    let voltage = csv.column(Quantity::Voltage, columns::VOLTAGE_NAMES)?;
    // A power column wins over current × voltage when a file has both.
    let (source, format) = match (power, current, voltage) {
        (Some(p), _, _) => {
            (PowerFrom::Power(p), TraceFormat::Power { time: csv.raw(time), power: csv.raw(p.0) })
        }
        (None, Some(i), Some(v)) => (
            PowerFrom::CurrentVoltage(i, v),
            TraceFormat::Monsoon { time: csv.raw(time), current: csv.raw(i.0), voltage: csv.raw(v.0) },
        ),
        _ => {
            let kind = K::MissingColumn {
                quantity: Quantity::Power.label(),
                header: csv.header.clone(),
                accepted: columns::POWER_ACCEPTED,
            };
            return Err(TraceError::line(name, csv.header_line, kind));
        }
    };
    let mut samples = Vec::with_capacity(csv.rows.len());
    let mut origin_us: Option<i64> = None;
    let mut fields = Vec::with_capacity(csv.fields.len());
    for &(line, row) in &csv.rows {
        csv.split(line, row, &mut fields)?;
        let t = csv.time(line, time, fields[time], time_factor)?;
        let origin = *origin_us.get_or_insert_with(|| origin_for(t.whole_us));
        let power_mw = match source {
            PowerFrom::Power((c, f)) => csv.number(line, c, fields[c])? * f,
            PowerFrom::CurrentVoltage((ci, fi), (cv, fv)) => {
                // mA × V = mW.
                (csv.number(line, ci, fields[ci])? * fi) * (csv.number(line, cv, fields[cv])? * fv)
            }
        };
        let t_us = t.relative_to(origin).ok_or_else(|| {
            TraceError::line(
                name,
                line,
                K::TimeOutOfRange { column: csv.raw(time), value: fields[time].into() },
            )
        })?;
        samples.push(Sample { t_us, power_mw, line });
    }
    Trace::build(name, origin_us.unwrap_or(0), format, samples)
}

#[derive(Clone, Copy)]
enum PowerFrom {
    Power((usize, f64)),
    CurrentVoltage((usize, f64), (usize, f64)),
}

/// Parses inference windows from CSV text; `name` is used in errors.
pub fn parse_windows(text: &str, name: &str) -> Result<Windows, TraceError> {
    let csv = Csv::new(text, name)?;
    let (start, start_factor) =
        csv.required(Quantity::Time, "start", columns::START_NAMES, columns::START_ACCEPTED)?;
    let (end, end_factor) = csv.required(Quantity::Time, "end", columns::END_NAMES, columns::END_ACCEPTED)?;
    let mut windows = Vec::with_capacity(csv.rows.len());
    let mut origin_us: Option<i64> = None;
    let mut fields = Vec::with_capacity(csv.fields.len());
    for &(line, row) in &csv.rows {
        csv.split(line, row, &mut fields)?;
        let s = csv.time(line, start, fields[start], start_factor)?;
        let e = csv.time(line, end, fields[end], end_factor)?;
        let origin = *origin_us.get_or_insert_with(|| origin_for(s.whole_us));
        let range = |c: usize| {
            TraceError::line(name, line, K::TimeOutOfRange { column: csv.raw(c), value: fields[c].into() })
        };
        let start_us = s.relative_to(origin).ok_or_else(|| range(start))?;
        let end_us = e.relative_to(origin).ok_or_else(|| range(end))?;
        windows.push(Window { start_us, end_us, line });
    }
    Windows::build(name, origin_us.unwrap_or(0), windows)
}

fn origin_for(first_whole_us: i64) -> i64 {
    if first_whole_us.checked_abs().is_none_or(|a| a > ORIGIN_THRESHOLD_US) {
        first_whole_us.div_euclid(1_000_000) * 1_000_000
    } else {
        0
    }
}

/// A timestamp in µs as an integer part and a small fractional part, so that long clocks keep
/// their resolution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Time {
    whole_us: i64,
    frac_us: f64,
}

impl Time {
    fn relative_to(self, origin_us: i64) -> Option<f64> {
        let whole = self.whole_us.checked_sub(origin_us)?;
        // Exact for |whole| < 2^53 µs (285 years).
        (whole.unsigned_abs() < (1 << 53)).then_some(whole as f64 + self.frac_us)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeError {
    Bad,
    NonFinite,
    Range,
}

/// Parses a time field in a unit that is `factor` µs. Plain decimals (`-12.345`) are split into
/// integer and fraction before scaling; other forms (`1.5e3`) go through f64.
pub(crate) fn parse_time(field: &str, factor: f64) -> Result<Time, TimeError> {
    let (negative, digits) = match field.as_bytes().first() {
        Some(b'-') => (true, &field[1..]),
        Some(b'+') => (false, &field[1..]),
        _ => (false, field),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = !(int_part.is_empty() && frac_part.is_empty())
        && int_part.bytes().all(|b| b.is_ascii_digit())
        && frac_part.bytes().all(|b| b.is_ascii_digit());
    // Integer units per µs for s, ms, µs; ns and other factors go through f64.
    let int_factor = [1_000_000_i64, 1_000, 1].into_iter().find(|&k| k as f64 == factor);
    if plain
        && let Some(k) = int_factor
        && int_part.len() <= 18
    {
        let int: i64 = if int_part.is_empty() { 0 } else { int_part.parse().map_err(|_| TimeError::Bad)? };
        let frac: f64 = if frac_part.is_empty() {
            0.0
        } else {
            format!("0.{frac_part}").parse().map_err(|_| TimeError::Bad)?
        };
        let whole_us = int.checked_mul(k).ok_or(TimeError::Range)?;
        let frac_us = frac * k as f64;
        return Ok(if negative {
            Time { whole_us: -whole_us, frac_us: -frac_us }
        } else {
            Time { whole_us, frac_us }
        });
    }
    let v: f64 = field.parse().map_err(|_| TimeError::Bad)?;
    if !v.is_finite() {
        return Err(TimeError::NonFinite);
    }
    let us = v * factor;
    if !us.is_finite() || us.abs() >= 9.0e18 {
        return Err(TimeError::Range);
    }
    let whole = us.trunc();
    Ok(Time { whole_us: whole as i64, frac_us: us - whole })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_times_keep_microseconds() {
        let a = parse_time("1712345678.123456", 1e6).unwrap();
        let b = parse_time("1712345678.123457", 1e6).unwrap();
        let o = origin_for(a.whole_us);
        let d = b.relative_to(o).unwrap() - a.relative_to(o).unwrap();
        assert!((d - 1.0).abs() < 1e-6, "{d}");
        assert_eq!(parse_time("-1.5", 1e3).unwrap(), Time { whole_us: -1000, frac_us: -500.0 });
        assert_eq!(parse_time("1.5e3", 1.0).unwrap(), Time { whole_us: 1500, frac_us: 0.0 });
        assert_eq!(parse_time("nan", 1.0), Err(TimeError::NonFinite));
        assert_eq!(parse_time("1.2.3", 1.0), Err(TimeError::Bad));
        assert_eq!(parse_time("", 1.0), Err(TimeError::Bad));
        assert_eq!(parse_time("99999999999999999", 1e6), Err(TimeError::Range));
    }
}
