//! Coarse meters: many back-to-back inferences per phase, one integral per phase.
//!
//! A meter that logs every 400 ms cannot see one 20 ms inference. Run many inferences back to
//! back instead; a phase is a maximal run of kept windows in which each window starts at most
//! `phase_gap` after the previous one ends. The phase's net energy (over first start → last end,
//! so the short pauses between inferences count too) divided by its window count is the energy of
//! one inference. The phase must hold at least two trace samples.
//!
//! **Margins.** A coarse meter smears a phase's energy past its edges: a USB meter's sample is
//! the mean power since the previous sample, so the curve through the samples lags the device
//! by about half an interval, and linear interpolation spreads each edge over a whole interval.
//! Where a phase borders idle time, the integral is therefore widened by a margin on that side
//! (default two median sample intervals, never more than half the pause to the nearest other
//! window, dropped ones included, nor beyond the trace): the net power there is idle, ≈ 0, except
//! for the smeared energy, which is thereby counted. The baseline is subtracted over the widened
//! interval too. Where a phase borders dropped warm-up or phase-out windows (busy on both sides)
//! the margin is 0 and the smear in and out roughly cancel.

use super::error::{Interval, TraceError, TraceErrorKind as K};
use super::integrate::{checked_integral_mj, samples_inside};
use super::read::{Trace, Window};
use super::summary::{InferenceRow, PhaseRow};

/// Splits windows (time order; `first_index` = index of `windows[0]` among all windows) into
/// phases: ranges into `windows`.
pub(crate) fn group(windows: &[Window], phase_gap_us: f64) -> Vec<std::ops::Range<usize>> {
    let mut phases = Vec::new();
    let mut start = 0;
    for i in 1..windows.len() {
        if windows[i].start_us - windows[i - 1].end_us > phase_gap_us {
            phases.push(start..i);
            start = i;
        }
    }
    if !windows.is_empty() {
        phases.push(start..windows.len());
    }
    phases
}

/// Parameters shared by the phase measurement.
pub(crate) struct PhaseParams<'a> {
    pub(crate) trace: &'a Trace,
    pub(crate) windows_file: &'a str,
    /// Offset to add to window times to put them on the trace clock, µs.
    pub(crate) shift_us: f64,
    pub(crate) baseline_mw: f64,
    pub(crate) gap_factor: f64,
    pub(crate) phase_gap_us: f64,
    /// Widest margin added on a side that borders idle time, µs.
    pub(crate) margin_us: f64,
}

/// The margin on one side of a phase: `margin_us`, at most half the pause `pause_us` to the
/// nearest other window on that side (∞ when there is none), and at most `room_us` (to the trace's
/// end on that side).
fn side_margin(margin_us: f64, pause_us: f64, room_us: f64) -> f64 {
    margin_us.min(0.5 * pause_us).min(room_us).max(0.0)
}

/// Measures kept windows (`all[first_index..first_index + count]`) phase by phase; `all` holds
/// every window in time order, dropped ones included.
pub(crate) fn measure_phases(
    params: &PhaseParams<'_>,
    all: &[Window],
    first_index: usize,
    count: usize,
) -> Result<(Vec<InferenceRow>, Vec<PhaseRow>), TraceError> {
    let trace = params.trace;
    let kept = &all[first_index..first_index + count];
    let median_us = trace.info().median_interval_us;
    let t = trace.times_us();
    let (trace_start_us, trace_end_us) = (t[0], t[t.len() - 1]);
    let mut rows = Vec::with_capacity(kept.len());
    let mut phases = Vec::new();
    for (phase, range) in group(kept, params.phase_gap_us).into_iter().enumerate() {
        let ws = &kept[range.clone()];
        let (Some(first), Some(last)) = (ws.first(), ws.last()) else { continue };
        let interval =
            Interval::Phase { phase, first: first_index + range.start, last: first_index + range.end - 1 };
        let at = |kind| TraceError::line(params.windows_file, first.line, kind);
        let (a_us, b_us) = (first.start_us + params.shift_us, last.end_us + params.shift_us);
        let samples = samples_inside(t, a_us, b_us);
        if samples < 2 {
            return Err(at(K::PhaseTooShort {
                interval,
                span_ms: (b_us - a_us) * 1e-3,
                samples,
                median_ms: median_us * 1e-3,
            }));
        }
        let (i_first, i_last) = (first_index + range.start, first_index + range.end - 1);
        let pause_before = i_first
            .checked_sub(1)
            .and_then(|i| all.get(i))
            .map_or(f64::INFINITY, |w| first.start_us - w.end_us);
        let pause_after = all.get(i_last + 1).map_or(f64::INFINITY, |w| w.start_us - last.end_us);
        let m_before = side_margin(params.margin_us, pause_before, a_us - trace_start_us);
        let m_after = side_margin(params.margin_us, pause_after, trace_end_us - b_us);
        let (from_us, to_us) = (a_us - m_before, b_us + m_after);
        let gross_mj = checked_integral_mj(trace, from_us, to_us, params.gap_factor, interval.clone(), at)?;
        let net_mj = gross_mj - params.baseline_mw * (to_us - from_us) * 1e-6;
        let count = ws.len();
        let energy_mj = net_mj / count as f64;
        let gross_per_mj = gross_mj / count as f64;
        let busy_ms: f64 = ws.iter().map(|w| (w.end_us - w.start_us) * 1e-3).sum();
        for (k, w) in ws.iter().enumerate() {
            let latency_ms = (w.end_us - w.start_us) * 1e-3;
            rows.push(InferenceRow {
                index: first_index + range.start + k,
                line: w.line,
                start_us: w.start_us + params.shift_us,
                end_us: w.end_us + params.shift_us,
                latency_ms,
                gross_energy_mj: gross_per_mj,
                energy_mj,
                // mJ / ms = W; × 1e3 = mW.
                power_mw: energy_mj / latency_ms * 1e3,
                phase: Some(phase),
            });
        }
        phases.push(PhaseRow {
            phase,
            first: first_index + range.start,
            last: first_index + range.end - 1,
            count,
            start_us: a_us,
            end_us: b_us,
            margin_before_ms: m_before * 1e-3,
            margin_after_ms: m_after * 1e-3,
            samples,
            gross_energy_mj: gross_mj,
            net_energy_mj: net_mj,
            energy_mj,
            latency_ms: busy_ms / count as f64,
            power_mw: net_mj / busy_ms * 1e3,
        });
    }
    Ok((rows, phases))
}
