//! Trapezoid integration of a sampled power trace, with linear interpolation at interval edges.
//!
//! The trace is read as the piecewise-linear curve through its samples; the integral over
//! `[a, b]` is that curve's exact area: partial trapezoids from `a` to the first sample inside and
//! from the last sample inside to `b`, full trapezoids between. For a signal that is itself
//! piecewise linear with breakpoints on samples, this is exact up to rounding.

use super::error::{Interval, TraceError, TraceErrorKind as K};
use super::read::Trace;

/// Median of `values` (mean of the two middle values for an even count; NaN when empty).
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mid = values.len() / 2;
    let even = values.len().is_multiple_of(2);
    let (lower, upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    if even {
        // The other middle value is the largest of the lower part.
        let lower_max = lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        0.5 * (lower_max + *upper)
    } else {
        *upper
    }
}

/// Median of the intervals between consecutive (strictly increasing) timestamps, µs.
pub(crate) fn median_interval_us(t_us: &[f64]) -> f64 {
    median(t_us.windows(2).map(|w| w[1] - w[0]).collect())
}

/// Index of the first sample strictly after `x`.
fn first_after(t: &[f64], x: f64) -> usize {
    t.partition_point(|&ti| ti <= x)
}

/// Index of the first sample at or after `x`.
fn first_at_or_after(t: &[f64], x: f64) -> usize {
    t.partition_point(|&ti| ti < x)
}

/// Value of the linear interpolant at `x` on segment `[k, k + 1]`.
fn lerp(t: &[f64], p: &[f64], k: usize, x: f64) -> f64 {
    let (t0, t1, p0, p1) = (t[k], t[k + 1], p[k], p[k + 1]);
    if x == t0 {
        p0
    } else if x == t1 {
        p1
    } else {
        p0 + (p1 - p0) * ((x - t0) / (t1 - t0))
    }
}

/// Number of samples strictly inside `(a, b)`.
pub(crate) fn samples_inside(t: &[f64], a: f64, b: f64) -> usize {
    first_at_or_after(t, b).saturating_sub(first_after(t, a))
}

/// ∫ p dt over `[a, b]` in mW·µs (= nJ). Requires `t[0] <= a < b <= t[last]`, which
/// [`checked_integral_mj`] ensures.
fn integral_mw_us(t: &[f64], p: &[f64], a: f64, b: f64) -> f64 {
    let i = first_after(t, a); // t[i - 1] <= a < t[i]
    let j = first_at_or_after(t, b); // t[j - 1] < b <= t[j]
    let pa = lerp(t, p, i - 1, a);
    let pb = lerp(t, p, j - 1, b);
    if i >= j {
        // a and b on the same segment.
        return 0.5 * (pa + pb) * (b - a);
    }
    let mut sum = 0.5 * (pa + p[i]) * (t[i] - a);
    for k in i..j - 1 {
        sum += 0.5 * (p[k] + p[k + 1]) * (t[k + 1] - t[k]);
    }
    sum + 0.5 * (p[j - 1] + pb) * (b - t[j - 1])
}

/// The first segment overlapping `(a, b)` that is longer than `max_dt_us`.
fn find_gap(t: &[f64], a: f64, b: f64, max_dt_us: f64) -> Option<usize> {
    // Segments [k, k + 1] with t[k] < b and t[k + 1] > a.
    let from = first_after(t, a).saturating_sub(1);
    let to = first_at_or_after(t, b).min(t.len() - 1);
    (from..to).find(|&k| t[k + 1] - t[k] > max_dt_us)
}

/// Gross energy over `[a_us, b_us]` (trace clock, µs after the trace origin) in mJ, after checking
/// the interval lies within the trace and crosses no gap longer than `gap_factor` × the median
/// sample interval. Errors are located at `at`.
pub(crate) fn checked_integral_mj(
    trace: &Trace,
    a_us: f64,
    b_us: f64,
    gap_factor: f64,
    interval: Interval,
    at: impl Fn(K) -> TraceError,
) -> Result<f64, TraceError> {
    let (t, p) = (trace.times_us(), trace.power_mw());
    let (first, last) = (t[0], t[t.len() - 1]);
    if !(a_us >= first && b_us <= last && a_us < b_us) {
        return Err(at(K::OutsideTrace {
            interval,
            start_us: a_us,
            end_us: b_us,
            trace: trace.source().to_string(),
            trace_start_us: first,
            trace_end_us: last,
        }));
    }
    let median_us = trace.info().median_interval_us;
    if let Some(k) = find_gap(t, a_us, b_us, gap_factor * median_us) {
        let lines = trace.lines();
        return Err(at(K::InGap {
            interval,
            trace: trace.source().to_string(),
            gap_start_line: lines[k],
            gap_end_line: lines[k + 1],
            gap_start_us: t[k],
            gap_end_us: t[k + 1],
            gap_us: t[k + 1] - t[k],
            median_us,
            factor: gap_factor,
        }));
    }
    // mW · µs = nJ = 1e-6 mJ.
    Ok(integral_mw_us(t, p, a_us, b_us) * 1e-6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_even_and_odd() {
        assert_eq!(median_interval_us(&[0.0, 1.0, 3.0, 6.0]), 2.0);
        assert_eq!(median_interval_us(&[0.0, 1.0, 3.0, 6.0, 10.0]), 2.5);
    }

    #[test]
    fn integral_within_one_segment_and_across() {
        let t = [0.0, 10.0, 20.0];
        let p = [0.0, 10.0, 10.0];
        assert_eq!(integral_mw_us(&t, &p, 2.0, 4.0), 6.0);
        assert_eq!(integral_mw_us(&t, &p, 0.0, 20.0), 150.0);
        assert_eq!(integral_mw_us(&t, &p, 5.0, 15.0), 0.5 * (5.0 + 10.0) * 5.0 + 50.0);
        assert_eq!(samples_inside(&t, 0.0, 20.0), 1);
        assert_eq!(find_gap(&t, 0.0, 20.0, 9.0), Some(0));
        assert_eq!(find_gap(&t, 10.0, 20.0, 10.0), None);
    }
}
