//! SVG plots of predictions, written as plain SVG text (no font files are needed to write or view
//! them): predicted against measured values on log-log axes, one panel per device and metric
//! ([`predicted_vs_measured`]), and a model's per-kernel breakdown, one panel per prediction and
//! metric ([`breakdown`]). Every panel has a title and axis titles with units
//! (`class="title"`, `"x-axis-title"`, `"y-axis-title"`).

use crate::forests::MetricName;
use crate::model::ModelPrediction;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Why a plot could not be drawn.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PlotError {
    /// Nothing to draw.
    #[error("nothing to plot: {0}")]
    Empty(String),
}

/// One panel of [`predicted_vs_measured`]: a device's (measured, predicted) pairs of one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Device.
    pub device: String,
    /// Metric.
    pub metric: MetricName,
    /// What the points are, e.g. `kernels, 5-fold`.
    pub what: String,
    /// (measured, predicted) in the metric's unit.
    pub points: Vec<(f64, f64)>,
}

const PANEL_W: f64 = 460.0;
const PANEL_H: f64 = 420.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 18.0;
const TOP: f64 = 52.0;
const BOTTOM: f64 = 58.0;
const BLUE: &str = "#1f77b4";
const ORANGE: &str = "#ff7f0e";
const RED: &str = "#d62728";

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c => o.push(c),
        }
    }
    o
}

/// A compact number for tick labels.
fn label(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !(1e-3..1e5).contains(&v.abs()) {
        return format!("{v:e}");
    }
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A number for titles: 4 significant digits.
fn short(v: f64) -> String {
    if v == 0.0 || !(1e-3..1e6).contains(&v.abs()) {
        return format!("{v:.3e}");
    }
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

fn open(w: &mut String, width: f64, height: f64, title: &str) {
    let _ = writeln!(
        w,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">"#
    );
    let _ = writeln!(w, "<title>{}</title>", esc(title));
    let _ = writeln!(w, r#"<rect width="{width}" height="{height}" fill="white"/>"#);
}

/// Frame, panel title (and a smaller subtitle) and axis titles of a panel whose top-left corner is
/// (x0, y0).
fn frame(w: &mut String, (x0, y0): (f64, f64), (pw, ph): (f64, f64), title: [&str; 2], xt: &str, yt: &str) {
    let _ = writeln!(
        w,
        r#"<text class="title" x="{:.1}" y="{:.1}" font-size="14" text-anchor="middle">{}</text>"#,
        x0 + LEFT + pw / 2.0,
        y0 + 18.0,
        esc(title[0])
    );
    if !title[1].is_empty() {
        let _ = writeln!(
            w,
            r#"<text class="subtitle" x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text>"#,
            x0 + LEFT + pw / 2.0,
            y0 + 34.0,
            esc(title[1])
        );
    }
    let _ = writeln!(
        w,
        r#"<rect x="{:.1}" y="{:.1}" width="{pw:.1}" height="{ph:.1}" fill="none" stroke="black"/>"#,
        x0 + LEFT,
        y0 + TOP
    );
    let _ = writeln!(
        w,
        r#"<text class="x-axis-title" x="{:.1}" y="{:.1}" font-size="13" text-anchor="middle">{}</text>"#,
        x0 + LEFT + pw / 2.0,
        y0 + TOP + ph + 42.0,
        esc(xt)
    );
    let (tx, ty) = (x0 + 18.0, y0 + TOP + ph / 2.0);
    let _ = writeln!(
        w,
        r#"<text class="y-axis-title" x="{tx:.1}" y="{ty:.1}" font-size="13" text-anchor="middle" transform="rotate(-90 {tx:.1} {ty:.1})">{}</text>"#,
        esc(yt)
    );
}

/// Decades covering [lo, hi] (both > 0).
fn decades(lo: f64, hi: f64) -> (f64, f64) {
    let a = lo.log10().floor();
    let b = hi.log10().ceil().max(a + 1.0);
    (a, b)
}

/// Predicted against measured values, log-log, one panel per device and metric (two columns),
/// with the identity line and the ±10% band. Pairs with a value ≤ 0 or not finite cannot be drawn
/// on log axes and are counted in the panel's note instead. Points that fall on the same half
/// pixel are drawn once.
pub fn predicted_vs_measured(panels: &[Panel]) -> Result<String, PlotError> {
    if panels.iter().all(|p| p.points.is_empty()) {
        return Err(PlotError::Empty("no (measured, predicted) pairs".into()));
    }
    let cols = panels.len().min(2);
    let rows = panels.len().div_ceil(2);
    let (width, height) = (PANEL_W * cols as f64, PANEL_H * rows as f64);
    let mut s = String::new();
    let w = &mut s;
    open(w, width, height, "einf: predicted vs measured");
    let (pw, ph) = (PANEL_W - LEFT - RIGHT, PANEL_H - TOP - BOTTOM);
    for (i, p) in panels.iter().enumerate() {
        let (x0, y0) = ((i % 2) as f64 * PANEL_W, (i / 2) as f64 * PANEL_H);
        let ok = |v: f64| v.is_finite() && v > 0.0;
        let drawable: Vec<(f64, f64)> = p.points.iter().copied().filter(|&(m, q)| ok(m) && ok(q)).collect();
        let dropped = p.points.len() - drawable.len();
        let unit = p.metric.unit();
        let name = p.metric.name();
        let within = drawable.iter().filter(|(m, q)| (q / m - 1.0).abs() <= 0.1).count();
        let title = format!("{}: {name}", p.device);
        let subtitle = format!("{}, {} points", p.what, p.points.len());
        frame(
            w,
            (x0, y0),
            (pw, ph),
            [&title, &subtitle],
            &format!("measured {name} ({unit})"),
            &format!("predicted {name} ({unit})"),
        );
        if drawable.is_empty() {
            continue;
        }
        let lo = drawable.iter().map(|(m, q)| m.min(*q)).fold(f64::INFINITY, f64::min);
        let hi = drawable.iter().map(|(m, q)| m.max(*q)).fold(0.0, f64::max);
        let (a, b) = decades(lo, hi);
        let px = |v: f64| x0 + LEFT + (v.log10() - a) / (b - a) * pw;
        let py = |v: f64| y0 + TOP + (1.0 - (v.log10() - a) / (b - a)) * ph;
        let every = ((b - a) as i64 / 8 + 1).max(1);
        for d in (a as i64..=b as i64).step_by(every as usize) {
            let v = 10f64.powi(d as i32);
            let (x, y) = (px(v), py(v));
            let _ = writeln!(
                w,
                r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#e0e0e0"/><text x="{x:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text>"##,
                y0 + TOP,
                y0 + TOP + ph,
                y0 + TOP + ph + 16.0,
                label(v)
            );
            let _ = writeln!(
                w,
                r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"##,
                x0 + LEFT,
                x0 + LEFT + pw,
                x0 + LEFT - 5.0,
                y + 4.0,
                label(v)
            );
        }
        let (va, vb) = (10f64.powf(a), 10f64.powf(b));
        for (f, dash) in [(1.0, ""), (1.1, r#" stroke-dasharray="5,4""#), (0.9, r#" stroke-dasharray="5,4""#)]
        {
            // y = f·x, clipped to the square.
            let (xa, xb) = ((va / f).max(va), (vb / f).min(vb));
            let _ = writeln!(
                w,
                r##"<line class="reference" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#555"{dash}/>"##,
                px(xa),
                py(f * xa),
                px(xb),
                py(f * xb)
            );
        }
        let mut seen = BTreeSet::new();
        let _ = write!(w, r#"<g class="points" fill="{BLUE}" fill-opacity="0.45">"#);
        for &(m, q) in &drawable {
            let (x, y) = (px(m), py(q));
            if seen.insert(((x * 2.0).round() as i64, (y * 2.0).round() as i64)) {
                let _ = write!(w, r#"<circle cx="{x:.1}" cy="{y:.1}" r="1.8"/>"#);
            }
        }
        let _ = writeln!(w, "</g>");
        let mut note =
            format!("{:.1}% within ±10% (dashed)", 100.0 * within as f64 / drawable.len().max(1) as f64);
        if dropped > 0 {
            let _ = write!(note, "; {dropped} pairs ≤ 0 not drawn");
        }
        let _ = writeln!(
            w,
            r#"<text class="note" x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            x0 + LEFT + 6.0,
            y0 + TOP + 14.0,
            esc(&note)
        );
    }
    let _ = writeln!(w, "</svg>");
    Ok(s)
}

/// Per-kernel breakdown of predictions: one panel per prediction and metric, a bar per kernel in
/// execution order (blue: the kind's own forest, orange: its base operator's forest, a red mark
/// under the axis: no regressor, not counted).
pub fn breakdown(preds: &[ModelPrediction]) -> Result<String, PlotError> {
    let panels: Vec<(&ModelPrediction, MetricName, f64)> =
        preds.iter().flat_map(|p| p.totals.iter().map(move |t| (p, t.metric, t.value))).collect();
    if panels.is_empty() || preds.iter().all(|p| p.kernels.is_empty()) {
        return Err(PlotError::Empty("no predicted kernels".into()));
    }
    let panel_w = 900.0;
    let panel_h = 330.0;
    let (pw, ph) = (panel_w - LEFT - RIGHT, panel_h - TOP - BOTTOM);
    let mut s = String::new();
    let w = &mut s;
    open(w, panel_w, panel_h * panels.len() as f64, "einf: per-kernel breakdown");
    for (i, (p, metric, total)) in panels.iter().enumerate() {
        let (x0, y0) = (0.0, i as f64 * panel_h);
        let unit = metric.unit();
        let title = format!(
            "{} on {}: {} per kernel (kernel sum {} {unit}, {} kernels)",
            p.model,
            p.device,
            metric.name(),
            short(*total),
            p.kernels.len()
        );
        frame(
            w,
            (x0, y0),
            (pw, ph),
            [&title, ""],
            "kernel (execution order)",
            &format!("{} ({unit})", metric.name()),
        );
        let values: Vec<Option<f64>> =
            p.kernels.iter().map(|k| k.values.get(metric).copied().filter(|v| v.is_finite())).collect();
        let top = values.iter().flatten().fold(0.0f64, |a, &b| a.max(b));
        // Linear axis from 0 with 1-2-5 ticks.
        let raw = if top > 0.0 { top / 5.0 } else { 1.0 };
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
        let hi = ((top / step).ceil() * step).max(step);
        let py = |v: f64| y0 + TOP + (1.0 - v / hi) * ph;
        let n_ticks = (hi / step).round() as i64;
        for t in 0..=n_ticks {
            let v = t as f64 * step;
            let y = py(v);
            let _ = writeln!(
                w,
                r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"##,
                x0 + LEFT,
                x0 + LEFT + pw,
                x0 + LEFT - 5.0,
                y + 4.0,
                label(v)
            );
        }
        let n = values.len().max(1);
        let bw = pw / n as f64;
        let every = (n / 12).max(1);
        for k in (0..n).step_by(every) {
            let _ = writeln!(
                w,
                r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{k}</text>"#,
                x0 + LEFT + (k as f64 + 0.5) * bw,
                y0 + TOP + ph + 16.0
            );
        }
        let _ = write!(w, r#"<g class="bars">"#);
        for (k, (v, line)) in values.iter().zip(&p.kernels).enumerate() {
            let x = x0 + LEFT + k as f64 * bw;
            match v {
                Some(v) => {
                    let colour = if line.fallback { ORANGE } else { BLUE };
                    let y = py(*v);
                    let _ = write!(
                        w,
                        r#"<rect x="{x:.2}" y="{y:.2}" width="{:.2}" height="{:.2}" fill="{colour}"><title>{} ({}): {} {unit}</title></rect>"#,
                        (bw * 0.85).max(0.5),
                        (y0 + TOP + ph - y).max(0.0),
                        esc(&line.name),
                        esc(&line.kind),
                        short(*v)
                    );
                }
                None => {
                    let _ = write!(
                        w,
                        r#"<rect class="uncovered" x="{x:.2}" y="{:.2}" width="{:.2}" height="5" fill="{RED}"><title>{} ({}): no regressor</title></rect>"#,
                        y0 + TOP + ph + 1.0,
                        (bw * 0.85).max(0.5),
                        esc(&line.name),
                        esc(&line.kind)
                    );
                }
            }
        }
        let _ = writeln!(w, "</g>");
        let mut lx = x0 + LEFT;
        for (colour, text) in
            [(BLUE, "own forest"), (ORANGE, "base-operator forest"), (RED, "no regressor (under the axis)")]
        {
            let _ = writeln!(
                w,
                r#"<rect x="{lx:.1}" y="{:.1}" width="10" height="10" fill="{colour}"/><text class="legend" x="{:.1}" y="{:.1}" font-size="11">{text}</text>"#,
                y0 + TOP - 18.0,
                lx + 14.0,
                y0 + TOP - 9.0
            );
            lx += 14.0 + 6.2 * text.chars().count() as f64 + 16.0;
        }
    }
    let _ = writeln!(w, "</svg>");
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{KernelLine, Total};
    use std::collections::BTreeMap;

    #[test]
    fn scatter_has_titled_axes_points_and_a_note_for_dropped_pairs() {
        // Synthetic pairs.
        let panel = Panel {
            device: "dev<1>".into(),
            metric: MetricName::Latency,
            what: "kernels, 5-fold".into(),
            points: vec![(1.0, 1.05), (10.0, 20.0), (0.01, 0.011), (0.5, 0.0)],
        };
        let svg =
            predicted_vs_measured(&[panel.clone(), Panel { metric: MetricName::Energy, ..panel }]).unwrap();
        assert!(svg.contains("measured latency (ms)") && svg.contains("predicted energy (mJ)"));
        assert!(svg.contains("dev&lt;1&gt;"));
        assert_eq!(svg.matches("<circle").count(), 6);
        assert!(svg.contains("1 pairs ≤ 0 not drawn") && svg.contains("66.7% within ±10%"));
        assert_eq!(
            predicted_vs_measured(&[]).unwrap_err(),
            PlotError::Empty("no (measured, predicted) pairs".into())
        );
    }

    #[test]
    fn breakdown_draws_a_bar_per_covered_kernel_and_marks_the_rest() {
        // A synthetic prediction of three kernels, one without a regressor.
        let line = |name: &str, v: Option<f64>, fallback: bool| KernelLine {
            name: name.into(),
            kind: "conv".into(),
            flops: 10,
            values: v.map(|v| BTreeMap::from([(MetricName::Latency, v)])).unwrap_or_default(),
            fallback,
        };
        let p = ModelPrediction {
            model: "m".into(),
            device: "d".into(),
            totals: vec![Total {
                metric: MetricName::Latency,
                unit: "ms".into(),
                value: 3.0,
                low: 2.0,
                high: 4.0,
                calibrated: None,
            }],
            power_mw: None,
            power_basis: None,
            kernels: vec![line("a", Some(1.0), false), line("b", Some(2.0), true), line("c", None, false)],
            uncovered: vec![],
            uncovered_flops_share: 0.0,
            fallback_kernels: 1,
            assumed_input_shapes: Vec::new(),
        };
        let svg = breakdown(&[p]).unwrap();
        assert!(svg.contains("kernel (execution order)") && svg.contains("latency (ms)"));
        assert_eq!(svg.matches(r#"class="uncovered""#).count(), 1);
        assert!(svg.contains("b (conv): 2.000 ms"));
        assert!(svg.contains(&format!("fill=\"{ORANGE}\"><title>")));
        assert!(breakdown(&[]).is_err());
    }
}
