//! Results: per-inference rows, coarse-meter phases, and their summary.

use serde::Serialize;

use super::Mode;
use super::baseline::BaselineInfo;
use super::read::TraceInfo;

/// Mean, sample standard deviation and count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1 in the denominator; 0 when `count` is 1).
    pub std: f64,
    /// Number of values.
    pub count: usize,
}

impl Stats {
    /// Stats of `values` (two passes, for precision). `count` 0 gives NaN mean and std.
    pub fn of(values: impl Iterator<Item = f64> + Clone) -> Stats {
        let (count, sum) = values.clone().fold((0_usize, 0.0), |(n, s), v| (n + 1, s + v));
        let mean = sum / count as f64;
        let std = if count > 1 {
            (values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / (count - 1) as f64).sqrt()
        } else if count == 1 {
            0.0
        } else {
            f64::NAN
        };
        Stats { mean, std, count }
    }
}

/// One inference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct InferenceRow {
    /// 0-based index in time order among all windows (dropped ones included).
    pub index: usize,
    /// Line in the windows file.
    pub line: usize,
    /// Start, µs on the trace clock (after [`Measurement::origin_us`]).
    pub start_us: f64,
    /// End, µs on the trace clock.
    pub end_us: f64,
    /// Latency = window length, ms.
    pub latency_ms: f64,
    /// Gross energy (baseline included), mJ; in phase mode, the phase's gross energy / its count.
    pub gross_energy_mj: f64,
    /// Net energy = gross − baseline × duration, mJ; in phase mode, the phase's net energy / count.
    pub energy_mj: f64,
    /// Average power = net energy / latency, mW.
    pub power_mw: f64,
    /// Phase number (phase mode only).
    pub phase: Option<usize>,
}

/// A coarse-meter phase: back-to-back windows integrated together.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PhaseRow {
    /// Phase number, 0-based.
    pub phase: usize,
    /// Index of the first window.
    pub first: usize,
    /// Index of the last window.
    pub last: usize,
    /// Inferences in the phase.
    pub count: usize,
    /// Phase start (first window's start), µs on the trace clock.
    pub start_us: f64,
    /// Phase end (last window's end), µs.
    pub end_us: f64,
    /// Idle margin integrated before the phase start, ms (see the phase-mode docs).
    pub margin_before_ms: f64,
    /// Idle margin integrated after the phase end, ms.
    pub margin_after_ms: f64,
    /// Trace samples strictly inside the phase.
    pub samples: usize,
    /// Gross energy over the phase and its margins, mJ.
    pub gross_energy_mj: f64,
    /// Net energy = gross − baseline × (end − start + margins), mJ.
    pub net_energy_mj: f64,
    /// Net energy per inference = net / count, mJ.
    pub energy_mj: f64,
    /// Mean window length, ms.
    pub latency_ms: f64,
    /// Net energy / summed window length, mW.
    pub power_mw: f64,
}

/// Mean, std and count of energy, latency and power over the kept inferences.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Summary {
    /// Net energy per inference, mJ.
    pub energy_mj: Stats,
    /// Latency, ms.
    pub latency_ms: Stats,
    /// Average power, mW.
    pub power_mw: Stats,
}

impl Summary {
    /// Summary of per-inference rows. In phase mode every row of a phase carries the phase's
    /// energy, so the energy std only shows phase-to-phase spread (0 with one phase).
    pub fn of(rows: &[InferenceRow]) -> Summary {
        Summary {
            energy_mj: Stats::of(rows.iter().map(|r| r.energy_mj)),
            latency_ms: Stats::of(rows.iter().map(|r| r.latency_ms)),
            power_mw: Stats::of(rows.iter().map(|r| r.power_mw)),
        }
    }
}

/// Everything [`crate::trace::measure`] found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measurement {
    /// The mode used ([`Mode::PerInference`] or [`Mode::Phase`], never `Auto`).
    pub mode: Mode,
    /// Integer origin of all `*_us` times here, µs on the trace file's clock.
    pub origin_us: i64,
    /// The idle baseline.
    pub baseline: BaselineInfo,
    /// How the trace was read.
    pub trace: TraceInfo,
    /// Windows in the file.
    pub windows: usize,
    /// Windows dropped at the start (warm-up).
    pub dropped_first: usize,
    /// Windows dropped at the end (phase-out).
    pub dropped_last: usize,
    /// Kept inferences, in time order.
    pub rows: Vec<InferenceRow>,
    /// Phases (phase mode only).
    pub phases: Vec<PhaseRow>,
    /// Mean, std and count over `rows`.
    pub summary: Summary,
}
