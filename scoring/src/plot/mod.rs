//! SVG plots: RELC vs uses, solution power vs frame rate, cascade power vs event rate. Each has a
//! title and axis titles with units.

pub mod chart;

pub use chart::{Axis, Chart, Marker, Series};

use crate::cascade::SweepPoint;
use crate::error::{Error, Result};
use crate::metrics::{Task, break_even_uses, lifecycle_recognition_efficiency, recognition_efficiency};
use crate::solution::Solution;
use einf_parser::units::{Energy, Frequency};

/// `n` ≥ 2 values from `a` > 0 to `b` > `a`, evenly spaced on a log scale.
fn log_space(a: f64, b: f64, n: usize) -> Vec<f64> {
    let (la, lb) = (a.ln(), b.ln());
    (0..n).map(|i| (la + (lb - la) * i as f64 / (n - 1) as f64).exp()).collect()
}

/// A number for labels: 4 decimals at most, or 4 significant digits in scientific notation
/// (`2.5e7`) outside [10⁻³, 10⁶).
fn short(v: f64) -> String {
    if v != 0.0 && !(1e-3..1e6).contains(&v.abs()) {
        let s = format!("{v:.3e}");
        match s.split_once('e') {
            Some((m, e)) if m.contains('.') => {
                format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
            }
            _ => s,
        }
    } else {
        format!("{}", (v * 1e4).round() / 1e4)
    }
}

/// RELC as a function of the number of uses F (log scale, from 1 to 1000 × F½ and past `mark`),
/// with RE, its limit, dashed.
pub fn relc_vs_uses(task: &Task, einf: Energy, etrain: Energy, mark: Option<f64>) -> Result<String> {
    let half = break_even_uses(einf, etrain)?;
    let re = recognition_efficiency(task, einf)?;
    let top = (half * 1e3).max(mark.unwrap_or(1.0) * 10.0).max(10.0);
    if !top.is_finite() {
        return Err(Error::Plot("the range of uses is too large to draw".into()));
    }
    let uses = log_space(1.0, top, 80);
    let relc = uses
        .iter()
        .map(|&f| Ok((f, lifecycle_recognition_efficiency(task, einf, etrain, f)?)))
        .collect::<Result<Vec<_>>>()?;
    let mut markers = vec![Marker { x: half, label: format!("F½ = {} (DLLCE = 0.5)", short(half)) }];
    if let Some(f) = mark {
        markers.push(Marker { x: f, label: format!("F = {}", short(f)) });
    }
    Chart {
        title: format!("Lifecycle recognition efficiency (Einf {einf}, Etrain {etrain})"),
        x: Axis { title: "uses F (inferences)".into(), log: true },
        y: Axis { title: "efficiency (1/√mJ)".into(), log: false },
        series: vec![
            Series { name: "RELC".into(), points: relc, dashed: false },
            Series {
                name: "RE (limit as F → ∞)".into(), points: vec![(1.0, re), (top, re)], dashed: true
            },
        ],
        markers,
    }
    .to_svg()
}

/// Solution power against frame rate (linear, from 0 to twice the larger of the chosen and the
/// break-even rate), with static power dashed.
pub fn solution_power_vs_rate(solution: &Solution) -> Result<String> {
    let rate = solution.frame_rate().as_fps();
    let even = solution.break_even_rate()?.as_fps();
    let top = (2.0 * rate.max(even)).max(1.0);
    let rates: Vec<f64> = (0..=50).map(|i| top * f64::from(i) / 50.0).collect();
    let total = rates
        .iter()
        .map(|&f| Ok((f, solution.power_at(Frequency::from_fps(f))?.as_milliwatts())))
        .collect::<Result<Vec<_>>>()?;
    let p_static = solution.static_power().as_milliwatts();
    let mut markers = vec![Marker { x: rate, label: format!("f = {} fps", short(rate)) }];
    if even > 0.0 {
        markers.push(Marker { x: even, label: format!("static = dynamic at {} fps", short(even)) });
    }
    Chart {
        title: format!("Solution power (Einf {}, static {})", solution.einf(), solution.static_power()),
        x: Axis { title: "frame rate (fps)".into(), log: false },
        y: Axis { title: "power (mW)".into(), log: false },
        series: vec![
            Series { name: "P = P_static + f × Einf".into(), points: total, dashed: false },
            Series { name: "P_static".into(), points: vec![(0.0, p_static), (top, p_static)], dashed: true },
        ],
        markers,
    }
    .to_svg()
}

/// Cascade power and the power of running the large model first against the event rate
/// (log scale), from a sweep, with the break-even rate and the chosen rate marked.
pub fn cascade_power_vs_events(
    sweep: &[SweepPoint],
    break_even: Frequency,
    mark: Option<Frequency>,
) -> Result<String> {
    let cascade = sweep.iter().map(|p| (p.power.events_per_hour, p.power.total_mw)).collect();
    let large = sweep.iter().map(|p| (p.power.events_per_hour, p.power.large_first_mw)).collect();
    let mut markers = Vec::new();
    let even = break_even.as_per_hour();
    if even > 0.0 {
        markers.push(Marker { x: even, label: format!("break-even {} /h", short(even)) });
    }
    if let Some(m) = mark {
        markers.push(Marker { x: m.as_per_hour(), label: format!("{} /h", short(m.as_per_hour())) });
    }
    Chart {
        title: "Cascade power vs event rate".into(),
        x: Axis { title: "event rate (events per hour)".into(), log: true },
        y: Axis { title: "power (mW)".into(), log: false },
        series: vec![
            Series { name: "cascade (small model gates medium)".into(), points: cascade, dashed: false },
            Series { name: "large model first (always on)".into(), points: large, dashed: true },
        ],
        markers,
    }
    .to_svg()
}
