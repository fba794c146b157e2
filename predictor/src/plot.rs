//! SVG plots of predictions, written as plain SVG text (no font files are needed to write or view
//! them): predicted against measured values on log-log axes, one panel per device and metric
//! ([`predicted_vs_measured`]), and a model's per-kernel breakdown, one panel per prediction and
//! metric ([`breakdown`]). Every panel has a title and axis titles with units
//! (`class="title"`, `"x-axis-title"`, `"y-axis-title"`).

use crate::forests::MetricName;
use crate::model::ModelPrediction;
use einf_parser::svg::{self, Frame, Scale, escape as esc};
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
/// Margins of a panel's plot area (left, right, top, bottom): room for the y axis, the titles and
/// the legend above, the x axis below.
const MARGINS: [f64; 4] = [78.0, 18.0, 52.0, 58.0];
const BLUE: &str = "#1f77b4";
const ORANGE: &str = "#ff7f0e";
const RED: &str = "#d62728";

/// A number for titles: 4 significant digits.
fn short(v: f64) -> String {
    if v == 0.0 || !(1e-3..1e6).contains(&v.abs()) {
        return format!("{v:.3e}");
    }
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

/// The plot area of a panel of `size` whose top-left corner is (x0, y0).
fn panel_frame((x0, y0): (f64, f64), size: (f64, f64)) -> Frame {
    let f = Frame::within(size, MARGINS, 11.0, (42.0, 60.0));
    Frame { left: x0 + f.left, top: y0 + f.top, ..f }
}

/// The panel title (and a smaller subtitle unless it is empty) centred over `frame`.
fn titles(w: &mut String, frame: &Frame, title: &str, subtitle: &str) {
    let (mid, y0) = (frame.left + frame.width / 2.0, frame.top - MARGINS[2]);
    svg::text(w, "title", (mid, y0 + 18.0), 14.0, "middle", title);
    if !subtitle.is_empty() {
        svg::text(w, "subtitle", (mid, y0 + 34.0), 11.0, "middle", subtitle);
    }
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
    svg::open(w, width, height, "einf: predicted vs measured");
    for (i, p) in panels.iter().enumerate() {
        let frame = panel_frame(((i % 2) as f64 * PANEL_W, (i / 2) as f64 * PANEL_H), (PANEL_W, PANEL_H));
        let ok = |v: f64| v.is_finite() && v > 0.0;
        let drawable: Vec<(f64, f64)> = p.points.iter().copied().filter(|&(m, q)| ok(m) && ok(q)).collect();
        let dropped = p.points.len() - drawable.len();
        let unit = p.metric.unit();
        let name = p.metric.name();
        let within = drawable.iter().filter(|(m, q)| (q / m - 1.0).abs() <= 0.1).count();
        titles(
            w,
            &frame,
            &format!("{}: {name}", p.device),
            &format!("{}, {} points", p.what, p.points.len()),
        );
        let (xt, yt) = (format!("measured {name} ({unit})"), format!("predicted {name} ({unit})"));
        if drawable.is_empty() {
            frame.border_and_titles(w, &xt, &yt);
            continue;
        }
        let lo = drawable.iter().map(|(m, q)| m.min(*q)).fold(f64::INFINITY, f64::min);
        let hi = drawable.iter().map(|(m, q)| m.max(*q)).fold(0.0, f64::max);
        // The same decades on both axes: the identity is the diagonal.
        let scale = Scale::logarithmic(lo, hi);
        let px = |v: f64| frame.x(&scale, v);
        let py = |v: f64| frame.y(&scale, v);
        frame.x_grid(w, &scale);
        frame.y_grid(w, &scale);
        frame.border_and_titles(w, &xt, &yt);
        let (va, vb) = (scale.lo, scale.hi);
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
            frame.left + 6.0,
            frame.top + 14.0,
            esc(&note)
        );
    }
    svg::close(w);
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
    let mut s = String::new();
    let w = &mut s;
    svg::open(w, panel_w, panel_h * panels.len() as f64, "einf: per-kernel breakdown");
    for (i, (p, metric, total)) in panels.iter().enumerate() {
        let frame = panel_frame((0.0, i as f64 * panel_h), (panel_w, panel_h));
        let unit = metric.unit();
        let title = format!(
            "{} on {}: {} per kernel (kernel sum {} {unit}, {} kernels)",
            p.model,
            p.device,
            metric.name(),
            short(*total),
            p.kernels.len()
        );
        titles(w, &frame, &title, "");
        let values: Vec<Option<f64>> =
            p.kernels.iter().map(|k| k.values.get(metric).copied().filter(|v| v.is_finite())).collect();
        let top = values.iter().flatten().fold(0.0f64, |a, &b| a.max(b));
        // Linear axis from 0 with 1-2-5 ticks (0 to 1 when nothing is above 0).
        let scale = if top > 0.0 { Scale::linear(0.0, top, 5) } else { Scale::linear(0.0, 1.0, 1) };
        let py = |v: f64| frame.y(&scale, v);
        frame.y_grid(w, &scale);
        frame.border_and_titles(w, "kernel (execution order)", &format!("{} ({unit})", metric.name()));
        let n = values.len().max(1);
        let bw = frame.width / n as f64;
        let every = (n / 12).max(1);
        for k in (0..n).step_by(every) {
            frame.x_label(w, frame.left + (k as f64 + 0.5) * bw, &k.to_string());
        }
        let _ = write!(w, r#"<g class="bars">"#);
        for (k, (v, line)) in values.iter().zip(&p.kernels).enumerate() {
            let x = frame.left + k as f64 * bw;
            match v {
                Some(v) => {
                    let colour = if line.fallback { ORANGE } else { BLUE };
                    let y = py(*v);
                    let _ = write!(
                        w,
                        r#"<rect x="{x:.2}" y="{y:.2}" width="{:.2}" height="{:.2}" fill="{colour}"><title>{} ({}): {} {unit}</title></rect>"#,
                        (bw * 0.85).max(0.5),
                        (frame.bottom() - y).max(0.0),
                        esc(&line.name),
                        esc(&line.kind),
                        short(*v)
                    );
                }
                None => {
                    let _ = write!(
                        w,
                        r#"<rect class="uncovered" x="{x:.2}" y="{:.2}" width="{:.2}" height="5" fill="{RED}"><title>{} ({}): no regressor</title></rect>"#,
                        frame.bottom() + 1.0,
                        (bw * 0.85).max(0.5),
                        esc(&line.name),
                        esc(&line.kind)
                    );
                }
            }
        }
        let _ = writeln!(w, "</g>");
        let mut lx = frame.left;
        for (colour, text) in
            [(BLUE, "own forest"), (ORANGE, "base-operator forest"), (RED, "no regressor (under the axis)")]
        {
            let _ = writeln!(
                w,
                r#"<rect x="{lx:.1}" y="{:.1}" width="10" height="10" fill="{colour}"/><text class="legend" x="{:.1}" y="{:.1}" font-size="11">{text}</text>"#,
                frame.top - 18.0,
                lx + 14.0,
                frame.top - 9.0
            );
            lx += 14.0 + 6.2 * text.chars().count() as f64 + 16.0;
        }
    }
    svg::close(w);
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
