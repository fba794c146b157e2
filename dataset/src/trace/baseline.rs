//! Idle baseline: the power the device draws when it is not inferring.

use serde::Serialize;

use super::error::{Interval, TraceError, TraceErrorKind as K};
use super::integrate::checked_integral_mj;
use super::read::Trace;

/// Where the idle baseline comes from (`--baseline auto|IDLE_TRACE`).
#[derive(Debug, Clone, PartialEq)]
pub enum Baseline {
    /// From the measured trace itself: the time-weighted mean power from the start of the trace
    /// (or `idle_ms` before the end of the idle period, if given) up to `guard_ms` before the
    /// first window (warm-up windows included).
    Auto {
        /// Guard interval skipped before the first window, ms (default 1000).
        guard_ms: f64,
        /// Use at most this much idle time, ms, ending at the guard; `None` = from the trace start.
        idle_ms: Option<f64>,
    },
    /// The time-weighted mean power of a separate idle trace, over its whole length.
    IdleTrace(Box<Trace>),
    /// A known idle power, mW (`0` gives gross energies).
    Fixed {
        /// Idle power, mW.
        power_mw: f64,
    },
}

impl Default for Baseline {
    fn default() -> Self {
        Baseline::Auto { guard_ms: 1000.0, idle_ms: None }
    }
}

impl Baseline {
    pub(crate) fn validate(&self) -> Result<(), TraceError> {
        match self {
            Baseline::Auto { guard_ms, idle_ms } => {
                if !(guard_ms.is_finite() && *guard_ms >= 0.0) {
                    return Err(TraceError::config(format!("guard interval {guard_ms} ms must be ≥ 0")));
                }
                if let Some(idle) = idle_ms
                    && !(idle.is_finite() && *idle > 0.0)
                {
                    return Err(TraceError::config(format!("idle period {idle} ms must be > 0")));
                }
            }
            Baseline::IdleTrace(_) => {}
            Baseline::Fixed { power_mw } => {
                if !(power_mw.is_finite() && *power_mw >= 0.0) {
                    return Err(TraceError::config(format!("fixed baseline {power_mw} mW must be ≥ 0")));
                }
            }
        }
        Ok(())
    }
}

/// The baseline as measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineInfo {
    /// Idle power, mW.
    pub power_mw: f64,
    /// Where it came from.
    pub source: BaselineSource,
}

/// Where a measured baseline came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BaselineSource {
    /// The idle period of the measured trace, µs on the trace clock.
    Auto {
        /// Idle period start, µs.
        start_us: f64,
        /// Idle period end (first window − guard), µs.
        end_us: f64,
    },
    /// A separate idle trace.
    IdleTrace {
        /// Its file.
        file: String,
        /// Its length, µs.
        duration_us: f64,
    },
    /// Given by the caller.
    Fixed,
}

/// Measures the baseline; `first_window_us` is the start of the first window on the trace clock.
pub(crate) fn measure_baseline(
    baseline: &Baseline,
    trace: &Trace,
    first_window_us: f64,
    gap_factor: f64,
) -> Result<BaselineInfo, TraceError> {
    match baseline {
        Baseline::Fixed { power_mw } => {
            Ok(BaselineInfo { power_mw: *power_mw, source: BaselineSource::Fixed })
        }
        Baseline::IdleTrace(idle) => {
            let t = idle.times_us();
            let (a, b) = (t[0], t[t.len() - 1]);
            let energy_mj = checked_integral_mj(idle, a, b, gap_factor, Interval::Idle, |k| {
                TraceError::file(idle.source(), k)
            })?;
            let duration_us = b - a;
            Ok(BaselineInfo {
                power_mw: energy_mj / (duration_us * 1e-6),
                source: BaselineSource::IdleTrace { file: idle.source().to_string(), duration_us },
            })
        }
        Baseline::Auto { guard_ms, idle_ms } => {
            let trace_start_us = trace.times_us()[0];
            let end_us = first_window_us - guard_ms * 1e3;
            let start_us = match idle_ms {
                Some(idle) => (end_us - idle * 1e3).max(trace_start_us),
                None => trace_start_us,
            };
            if end_us <= start_us {
                return Err(TraceError::file(
                    trace.source(),
                    K::NoIdlePeriod {
                        trace: trace.source().to_string(),
                        trace_start_us,
                        first_window_us,
                        guard_ms: *guard_ms,
                    },
                ));
            }
            let energy_mj = checked_integral_mj(trace, start_us, end_us, gap_factor, Interval::Idle, |k| {
                TraceError::file(trace.source(), k)
            })?;
            Ok(BaselineInfo {
                power_mw: energy_mj / ((end_us - start_us) * 1e-6),
                source: BaselineSource::Auto { start_us, end_us },
            })
        }
    }
}

impl Baseline {
    /// The baseline a `--baseline` argument names: `auto` (with `guard_ms` and `idle_ms`), or
    /// the path of an idle trace, which is read here.
    pub fn from_arg(arg: &str, guard_ms: f64, idle_ms: Option<f64>) -> Result<Baseline, TraceError> {
        if arg == "auto" {
            Ok(Baseline::Auto { guard_ms, idle_ms })
        } else {
            Ok(Baseline::IdleTrace(Box::new(super::read::read_trace(std::path::Path::new(arg))?)))
        }
    }
}
