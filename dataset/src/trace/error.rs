//! Trace errors: what is wrong, and where (`file:line`).

use std::fmt;

/// Where an error was found: a file (or the name an in-memory source was given) and, when the
/// problem belongs to one row, its 1-based line.
///
/// Lines count every physical line of the file, blank lines and `#` comments included, so an
/// editor's "go to line" lands on the row. For traces built in memory
/// ([`crate::trace::Trace::from_samples`]) the "line" is the 1-based sample index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File name as given by the caller.
    pub file: String,
    /// 1-based line, when the problem is on one line.
    pub line: Option<usize>,
}

impl Location {
    /// A whole file.
    pub fn file(file: impl Into<String>) -> Self {
        Location { file: file.into(), line: None }
    }

    /// One line of a file.
    pub fn line(file: impl Into<String>, line: usize) -> Self {
        Location { file: file.into(), line: Some(line) }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => write!(f, "{}", self.file),
        }
    }
}

/// An error reading a trace or windows file, or measuring inferences on a trace.
///
/// Displayed as `file:line: what is wrong` (or just `what is wrong` for an invalid
/// configuration, which belongs to no file). Match on [`TraceError::kind`] in code; the
/// location is [`TraceError::location`].
#[derive(Debug, thiserror::Error)]
#[error("{}{kind}", prefix(.at))]
pub struct TraceError {
    at: Option<Location>,
    kind: Box<TraceErrorKind>,
}

fn prefix(at: &Option<Location>) -> String {
    match at {
        Some(at) => format!("{at}: "),
        None => String::new(),
    }
}

impl TraceError {
    /// An error at a location.
    pub fn at(at: Location, kind: TraceErrorKind) -> Self {
        TraceError { at: Some(at), kind: Box::new(kind) }
    }

    /// An error at one line of a file.
    pub fn line(file: &str, line: usize, kind: TraceErrorKind) -> Self {
        TraceError::at(Location::line(file, line), kind)
    }

    /// An error about a whole file.
    pub fn file(file: &str, kind: TraceErrorKind) -> Self {
        TraceError::at(Location::file(file), kind)
    }

    /// An invalid measurement configuration (no file involved).
    pub fn config(what: impl Into<String>) -> Self {
        TraceError { at: None, kind: Box::new(TraceErrorKind::InvalidConfig { what: what.into() }) }
    }

    /// What went wrong.
    pub fn kind(&self) -> &TraceErrorKind {
        &self.kind
    }

    /// Where; `None` only for [`TraceErrorKind::InvalidConfig`].
    pub fn location(&self) -> Option<&Location> {
        self.at.as_ref()
    }
}

/// A stretch of time the method integrates power over; named in gap and range errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interval {
    /// One inference window: 0-based index in time order (before warm-up/phase-out are dropped).
    Window(usize),
    /// A coarse-meter phase: 0-based phase number and the index range of its windows.
    Phase {
        /// Phase number, 0-based.
        phase: usize,
        /// Index of the phase's first window.
        first: usize,
        /// Index of the phase's last window.
        last: usize,
    },
    /// The idle period the baseline is averaged over.
    Idle,
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Interval::Window(i) => write!(f, "window {i}"),
            Interval::Phase { phase, first, last } => write!(f, "phase {phase} (windows {first}..={last})"),
            Interval::Idle => write!(f, "the idle period"),
        }
    }
}

/// What is wrong with a trace, a windows file or a measurement.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TraceErrorKind {
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(std::io::Error),
    /// The file is not UTF-8 (at the reported line).
    #[error("not valid UTF-8")]
    NotUtf8,
    /// No header line (file empty, or only blank and `#` lines).
    #[error("no header line: the file is empty")]
    Empty,
    /// A required column is missing from the header.
    #[error("no {quantity} column in header `{header}` (accepted: {accepted})")]
    MissingColumn {
        /// The quantity looked for (`time`, `power`, `current`, ...).
        quantity: &'static str,
        /// The header line as read.
        header: String,
        /// Accepted column names, for the message.
        accepted: &'static str,
    },
    /// A column names a known quantity but its unit is absent or unknown: no guessing.
    #[error(
        "column `{column}` is {quantity} but its unit cannot be known (write it in the header: {expected})"
    )]
    UnknownUnit {
        /// The header field.
        column: String,
        /// The quantity the name says.
        quantity: &'static str,
        /// Examples of accepted headers.
        expected: &'static str,
    },
    /// Two columns claim the same quantity.
    #[error("columns `{first}` and `{second}` are both {quantity}: keep one")]
    DuplicateColumn {
        /// The quantity.
        quantity: &'static str,
        /// First column.
        first: String,
        /// Second column.
        second: String,
    },
    /// A data row has the wrong number of fields (truncated or garbled line).
    #[error("expected {expected} fields (as in the header), found {found}")]
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields on this line.
        found: usize,
    },
    /// A field that must be a number is not one.
    #[error("column `{column}`: `{value}` is not a number")]
    BadNumber {
        /// Column header.
        column: String,
        /// The field as read.
        value: String,
    },
    /// NaN or infinity.
    #[error("column `{column}`: `{value}` is not finite")]
    NonFinite {
        /// Column header.
        column: String,
        /// The field as read.
        value: String,
    },
    /// A negative current, voltage or power.
    #[error("column `{column}`: negative value {value}")]
    Negative {
        /// Column header.
        column: String,
        /// The value.
        value: f64,
    },
    /// A timestamp too large to hold in microseconds.
    #[error("column `{column}`: time `{value}` is out of range")]
    TimeOutOfRange {
        /// Column header.
        column: String,
        /// The field as read.
        value: String,
    },
    /// Fewer than two distinct timestamps: nothing to integrate.
    #[error("a trace needs at least 2 samples with distinct timestamps, found {found}")]
    TooFewSamples {
        /// Distinct timestamps found.
        found: usize,
    },
    /// The windows file has no rows, or dropping warm-up/phase-out left none.
    #[error("no inference windows{detail}")]
    NoWindows {
        /// Why, when windows were dropped.
        detail: String,
    },
    /// A window that does not end after it starts.
    #[error("window ends at {end_us} µs, not after its start {start_us} µs")]
    EmptyWindow {
        /// Start, µs.
        start_us: f64,
        /// End, µs.
        end_us: f64,
    },
    /// Two windows overlap (back-to-back windows, end == next start, are fine).
    #[error(
        "window [{start_us}, {end_us}] µs overlaps the window on line {other_line} [{other_start_us}, {other_end_us}] µs"
    )]
    OverlappingWindows {
        /// This window's start, µs.
        start_us: f64,
        /// This window's end, µs.
        end_us: f64,
        /// Line of the window it overlaps.
        other_line: usize,
        /// Other window's start, µs.
        other_start_us: f64,
        /// Other window's end, µs.
        other_end_us: f64,
    },
    /// An interval is not inside the trace's time range.
    #[error(
        "{interval} [{start_us}, {end_us}] µs is outside trace `{trace}` [{trace_start_us}, {trace_end_us}] µs"
    )]
    OutsideTrace {
        /// What was integrated.
        interval: Interval,
        /// Interval start, µs (trace clock).
        start_us: f64,
        /// Interval end, µs.
        end_us: f64,
        /// Trace file.
        trace: String,
        /// First trace timestamp, µs.
        trace_start_us: f64,
        /// Last trace timestamp, µs.
        trace_end_us: f64,
    },
    /// An interval overlaps a gap in the trace (two consecutive samples further apart than the
    /// configured multiple of the median sample interval).
    #[error(
        "{interval} falls in a gap of {gap_us} µs in trace `{trace}` (lines {gap_start_line}..{gap_end_line}, \
         [{gap_start_us}, {gap_end_us}] µs), more than {factor} × the median interval {median_us} µs"
    )]
    InGap {
        /// What was integrated.
        interval: Interval,
        /// Trace file.
        trace: String,
        /// Line of the sample before the gap.
        gap_start_line: usize,
        /// Line of the sample after the gap.
        gap_end_line: usize,
        /// Time of the sample before the gap, µs.
        gap_start_us: f64,
        /// Time of the sample after the gap, µs.
        gap_end_us: f64,
        /// Gap length, µs.
        gap_us: f64,
        /// Median sample interval, µs.
        median_us: f64,
        /// Configured factor.
        factor: f64,
    },
    /// `--baseline auto` needs idle samples before the first window minus the guard interval.
    #[error(
        "no idle period for the baseline: trace `{trace}` starts at {trace_start_us} µs, the first window at \
         {first_window_us} µs, and the guard interval is {guard_ms} ms"
    )]
    NoIdlePeriod {
        /// Trace file.
        trace: String,
        /// First trace timestamp, µs.
        trace_start_us: f64,
        /// Start of the first window, µs.
        first_window_us: f64,
        /// Guard interval, ms.
        guard_ms: f64,
    },
    /// A coarse-meter phase holds fewer than two trace samples: its energy would be all
    /// interpolation.
    #[error(
        "{interval} spans {span_ms} ms but holds only {samples} trace samples (median interval {median_ms} ms): \
         run more back-to-back inferences per phase"
    )]
    PhaseTooShort {
        /// The phase.
        interval: Interval,
        /// Phase length, ms.
        span_ms: f64,
        /// Trace samples strictly inside the phase.
        samples: usize,
        /// Median sample interval, ms.
        median_ms: f64,
    },
    /// The measurement configuration is invalid.
    #[error("invalid trace configuration: {what}")]
    InvalidConfig {
        /// What is wrong.
        what: String,
    },
}
