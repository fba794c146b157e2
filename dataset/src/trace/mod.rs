//! Power-trace ingestion: a power-meter trace plus inference start/end timestamps → energy (mJ),
//! latency (ms) and average power (mW) per inference, with mean, std and count
//! (`einf measure --power TRACE --windows WINDOWS [--baseline auto|IDLE_TRACE]`).
//!
//! # Files
//!
//! **Trace** ([`read_trace`]): a CSV with a header. The first line that is not blank and not a
//! `#` comment is the header; the delimiter is a comma, else a tab, else a semicolon (chosen from
//! the header). Each header field is a name and a unit, written `name(unit)`, `name [unit]`,
//! `name_unit` or `name unit`; names are matched without case (`_`, `-` and spaces alike), units
//! without case, `µ`/`μ`/`u` for micro.
//!
//! | quantity | accepted names | units |
//! |---|---|---|
//! | time | `time`, `t`, `timestamp` | s, ms, us/µs, ns |
//! | current | `current`, `i`, `main`, `main current`, `main avg current` | A, mA, uA |
//! | voltage | `voltage`, `v`, `u`, `main voltage`, `main avg voltage` | V, mV |
//! | power | `power`, `p`, `main power`, `main avg power` | W, mW, uW |
//!
//! A trace needs a time column and either a power column (generic: `time_s,power_W`,
//! `t_ms,P_mW`) or a current and a voltage column (Monsoon style: `time_us,current_mA,voltage_V`,
//! or PyMonsoon's `Time(ms),Main(mA),Main Voltage(V)`); power = current × voltage. When a file has
//! both, the power column is used. A column with an accepted name but no unit, or a unit of the
//! wrong quantity (`power`, `time_mA`), is an error: units are never guessed. Columns with other
//! names (`USB(mA)`, `Aux(mA)`, an index) and columns with an empty header (a trailing comma) are
//! ignored. Two columns for one quantity are an error.
//!
//! **Windows** ([`read_windows`]): a CSV, same rules, with a start column (`start`, `begin`,
//! `start time`, `t start`) and an end column (`end`, `stop`, `end time`, `t end`), each with a
//! time unit: `start_us,end_us`, one row per inference, on the same clock as the trace. Other
//! columns are ignored.
//!
//! Epoch clocks are fine: times beyond 10¹² µs are held relative to an integer origin, so
//! `1712345678.123456` (s) keeps its microseconds.
//!
//! # Method
//!
//! After Lenherr et al. 2021 and DeepEn2023. The trace is read as the piecewise-linear curve
//! through its samples (power in mW against time in µs).
//!
//! 1. **Baseline** ([`Baseline`]): `auto` = the time-weighted mean power (trapezoid integral ÷
//!    length) over the idle period from the start of the trace (or the last `idle_ms` of it) to
//!    `guard_ms` (default 1000 ms) before the first window, warm-up windows included; an idle
//!    trace = the time-weighted mean power of that whole trace; or a fixed value.
//! 2. **Windows**: sorted by start; the first `drop_first` (warm-up) and last `drop_last`
//!    (phase-out) are dropped.
//! 3. **Per inference** ([`Mode::PerInference`]): gross energy = trapezoid integral of power over
//!    the window, the trace interpolated linearly at the window's edges; net energy = gross −
//!    baseline × duration; latency = window length; average power = net energy ÷ latency.
//! 4. **Coarse meters** ([`Mode::Phase`]): when a meter samples more slowly than an inference
//!    runs, windows are grouped into phases of back-to-back inferences (a window starting more than
//!    `phase_gap_ms` after the previous one ends starts a new phase; default: the median sample
//!    interval); each phase is integrated from its first start to its last end, its net energy
//!    divided by its window count gives each of its inferences' energy; latency is still each
//!    window's length. A phase must hold at least two samples. Where a phase borders idle time
//!    the integral reaches a margin beyond it (default two sample intervals, `phase_margin_ms`)
//!    to catch the energy a coarse, averaging meter smears past the edge; the baseline is
//!    subtracted over the margin too. [`Mode::Auto`] (the default)
//!    chooses phase mode when the median window is shorter than [`AUTO_PHASE_SAMPLES`] median
//!    sample intervals.
//! 5. **Summary**: mean, sample std (n − 1) and count of net energy, latency and power over the
//!    kept inferences.
//!
//! For a signal that is piecewise linear between samples the integrals are exact up to rounding.
//! A drifting idle power biases net energies by (drift rate × time from the idle period's middle
//! to the window's middle × duration): keep runs short or record the baseline close to them.
//!
//! # Robustness
//!
//! - Unsorted trace timestamps are **sorted** (stably), and counted in
//!   [`TraceInfo::out_of_order`]; rows sharing a timestamp are merged into one sample with their
//!   mean power ([`TraceInfo::merged_duplicates`]), as meters with coarse clocks log several
//!   samples per tick. Unsorted windows are sorted too ([`Windows::out_of_order`]).
//! - Errors name the file and line ([`TraceError`]): non-numeric, NaN/inf or negative current,
//!   voltage or power; wrong field count (truncated lines); a window that does not end after it
//!   starts; overlapping windows (back-to-back is fine); a window or phase outside the trace; a
//!   window, phase or idle period overlapping a gap longer than `max_gap_factor` (default 5) ×
//!   the median sample interval; no idle period before the first window; no windows left.
//!
//! # Example
//!
//! ```
//! use einf_dataset::trace::{Baseline, MeasureConfig, Mode, measure, parse_trace, parse_windows};
//!
//! // Synthetic: idle at 100 mW, 300 mW during the inference from 2.0 s to 2.1 s.
//! let trace = parse_trace(
//!     "time_s,power_mW\n0,100\n1.0,100\n1.9,100\n2.0,300\n2.1,300\n2.2,100\n3.0,100\n",
//!     "synthetic.csv",
//! )?;
//! let windows = parse_windows("start_us,end_us\n2000000,2100000\n", "windows.csv")?;
//! let config = MeasureConfig {
//!     baseline: Baseline::Auto { guard_ms: 100.0, idle_ms: None },
//!     mode: Mode::PerInference, // `Mode::Auto` would take this sparse trace for a coarse meter
//!     ..Default::default()
//! };
//! let m = measure(&trace, &windows, &config)?;
//! assert!((m.baseline.power_mw - 100.0).abs() < 1e-9);
//! assert!((m.rows[0].energy_mj - 20.0).abs() < 1e-9); // 200 mW × 100 ms
//! assert!((m.summary.power_mw.mean - 200.0).abs() < 1e-9);
//! # Ok::<(), einf_dataset::trace::TraceError>(())
//! ```

mod baseline;
mod columns;
mod error;
mod integrate;
mod phase;
mod read;
mod summary;

use std::path::Path;

use serde::Serialize;

pub use baseline::{Baseline, BaselineInfo, BaselineSource};
pub use error::{Interval, Location, TraceError, TraceErrorKind};
pub use read::{
    Trace, TraceFormat, TraceInfo, Window, Windows, parse_trace, parse_windows, read_trace, read_windows,
};
pub use summary::{InferenceRow, Measurement, PhaseRow, Stats, Summary};

use error::TraceErrorKind as K;

/// How energies are attributed to inferences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Choose from the data: [`Mode::Phase`] when the median kept window is shorter than
    /// [`AUTO_PHASE_SAMPLES`] median sample intervals, else [`Mode::PerInference`].
    #[default]
    Auto,
    /// Integrate each window on its own.
    PerInference,
    /// Coarse meter: integrate each phase (a run of back-to-back windows), divide by its count.
    Phase,
}

/// [`Mode::Auto`] picks [`Mode::Phase`] when the median window is shorter than this many median
/// sample intervals.
pub const AUTO_PHASE_SAMPLES: f64 = 4.0;

/// How to measure; [`MeasureConfig::default`] is `--baseline auto`, 1 s guard, automatic mode,
/// nothing dropped, gaps over 5 × the median interval refused.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureConfig {
    /// Idle baseline.
    pub baseline: Baseline,
    /// Per inference, per phase, or chosen from the data.
    pub mode: Mode,
    /// Windows dropped at the start (warm-up).
    pub drop_first: usize,
    /// Windows dropped at the end (phase-out).
    pub drop_last: usize,
    /// A window, phase or idle period may not overlap two consecutive samples further apart than
    /// this × the median sample interval (> 1).
    pub max_gap_factor: f64,
    /// Phase mode: a window starting more than this after the previous one ends starts a new
    /// phase, ms; `None` = the trace's median sample interval.
    pub phase_gap_ms: Option<f64>,
    /// Phase mode: the widest idle margin integrated beyond a phase edge that borders idle time,
    /// ms (at most half the pause to the nearest other window); `None` = two median sample
    /// intervals, `Some(0.0)` = none.
    pub phase_margin_ms: Option<f64>,
}

impl Default for MeasureConfig {
    fn default() -> Self {
        MeasureConfig {
            baseline: Baseline::default(),
            mode: Mode::Auto,
            drop_first: 0,
            drop_last: 0,
            max_gap_factor: 5.0,
            phase_gap_ms: None,
            phase_margin_ms: None,
        }
    }
}

impl MeasureConfig {
    /// Checks the values before anything is measured.
    pub fn validate(&self) -> Result<(), TraceError> {
        self.baseline.validate()?;
        if !(self.max_gap_factor.is_finite() && self.max_gap_factor > 1.0) {
            return Err(TraceError::config(format!("max gap factor {} must be > 1", self.max_gap_factor)));
        }
        if let Some(gap) = self.phase_gap_ms
            && !(gap.is_finite() && gap >= 0.0)
        {
            return Err(TraceError::config(format!("phase gap {gap} ms must be ≥ 0")));
        }
        if let Some(margin) = self.phase_margin_ms
            && !(margin.is_finite() && margin >= 0.0)
        {
            return Err(TraceError::config(format!("phase margin {margin} ms must be ≥ 0")));
        }
        Ok(())
    }
}

/// Reads a trace and a windows file and measures ([`measure`]).
pub fn measure_files(
    power: &Path,
    windows: &Path,
    config: &MeasureConfig,
) -> Result<Measurement, TraceError> {
    config.validate()?;
    let trace = read_trace(power)?;
    let windows = read_windows(windows)?;
    measure(&trace, &windows, config)
}

/// Per-inference energy, latency and power from a trace and its inference windows (see the
/// module docs for the method).
pub fn measure(trace: &Trace, windows: &Windows, config: &MeasureConfig) -> Result<Measurement, TraceError> {
    config.validate()?;
    let all = windows.windows();
    let wfile = windows.source();
    let shift = windows.origin_us().checked_sub(trace.origin_us()).filter(|s| s.unsigned_abs() < (1 << 53));
    let Some(shift) = shift else {
        return Err(TraceError::config(format!(
            "the clocks of `{}` and `{wfile}` are too far apart to share",
            trace.source()
        )));
    };
    let shift_us = shift as f64;
    let Some(first) = all.first() else {
        return Err(TraceError::file(wfile, K::NoWindows { detail: String::new() }));
    };
    let gap_factor = config.max_gap_factor;
    let baseline =
        baseline::measure_baseline(&config.baseline, trace, first.start_us + shift_us, gap_factor)?;

    let n = all.len();
    let dropped = config.drop_first.saturating_add(config.drop_last);
    if dropped >= n {
        let detail = format!(
            ": {n} in the file, dropping {} first and {} last leaves none",
            config.drop_first, config.drop_last
        );
        return Err(TraceError::file(wfile, K::NoWindows { detail }));
    }
    let kept = &all[config.drop_first..n - config.drop_last];

    let median_interval_us = trace.info().median_interval_us;
    let mode = match config.mode {
        Mode::Auto => {
            let median_window_us = integrate::median(kept.iter().map(|w| w.end_us - w.start_us).collect());
            if median_window_us < AUTO_PHASE_SAMPLES * median_interval_us {
                Mode::Phase
            } else {
                Mode::PerInference
            }
        }
        mode => mode,
    };

    let (rows, phases) = match mode {
        Mode::Phase => {
            let params = phase::PhaseParams {
                trace,
                windows_file: wfile,
                shift_us,
                baseline_mw: baseline.power_mw,
                gap_factor,
                phase_gap_us: config.phase_gap_ms.map_or(median_interval_us, |ms| ms * 1e3),
                margin_us: config.phase_margin_ms.map_or(2.0 * median_interval_us, |ms| ms * 1e3),
            };
            phase::measure_phases(&params, all, config.drop_first, kept.len())?
        }
        Mode::Auto | Mode::PerInference => {
            let mut rows = Vec::with_capacity(kept.len());
            for (k, w) in kept.iter().enumerate() {
                let index = config.drop_first + k;
                let (a_us, b_us) = (w.start_us + shift_us, w.end_us + shift_us);
                let at = |kind| TraceError::line(wfile, w.line, kind);
                let gross_mj = integrate::checked_integral_mj(
                    trace,
                    a_us,
                    b_us,
                    gap_factor,
                    Interval::Window(index),
                    at,
                )?;
                let latency_ms = (w.end_us - w.start_us) * 1e-3;
                let energy_mj = gross_mj - baseline.power_mw * latency_ms * 1e-3;
                rows.push(InferenceRow {
                    index,
                    line: w.line,
                    start_us: a_us,
                    end_us: b_us,
                    latency_ms,
                    gross_energy_mj: gross_mj,
                    energy_mj,
                    // mJ / ms = W; × 1e3 = mW.
                    power_mw: energy_mj / latency_ms * 1e3,
                    phase: None,
                });
            }
            (rows, Vec::new())
        }
    };
    let summary = Summary::of(&rows);
    Ok(Measurement {
        mode,
        origin_us: trace.origin_us(),
        baseline,
        trace: trace.info().clone(),
        windows: n,
        dropped_first: config.drop_first,
        dropped_last: config.drop_last,
        rows,
        phases,
        summary,
    })
}
