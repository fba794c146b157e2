//! The Pareto plot of `einf nas` as SVG text: every candidate as a small grey dot, the front as
//! a red line through red dots, axes with ticks and titles. einf-scoring's chart draws lines
//! only, so the scatter is drawn here in the same plain style (generic sans-serif text).

use std::fmt::Write;

const W: f64 = 760.0;
const H: f64 = 480.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 70.0;
/// Dots drawn at most (the front is always drawn).
const MAX_DOTS: usize = 20_000;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Ticks at 1, 2 or 5 × 10^k covering `[lo, hi]`.
fn ticks(lo: f64, hi: f64) -> (f64, f64, Vec<f64>) {
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 1.0, hi + 1.0) };
    let raw = (hi - lo) / 6.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let (a, b) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    let n = ((b - a) / step).round().clamp(1.0, 20.0) as usize;
    (a, b, (0..=n).map(|i| a + i as f64 * step).collect())
}

fn label(v: f64) -> String {
    let a = v.abs();
    if v != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{v:.2e}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// An SVG scatter of `points` (x, y) with the `front` (indices, in x order) highlighted.
pub fn pareto_svg(
    title: &str,
    x_title: &str,
    y_title: &str,
    points: &[(f64, f64)],
    front: &[usize],
) -> String {
    let finite: Vec<(f64, f64)> =
        points.iter().copied().filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
    let (x0, x1) =
        finite.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) =
        finite.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let (x0, x1) = if finite.is_empty() { (0.0, 1.0) } else { (x0, x1) };
    let (y0, y1) = if finite.is_empty() { (0.0, 1.0) } else { (y0, y1) };
    let (xa, xb, xt) = ticks(x0, x1);
    let (ya, yb, yt) = ticks(y0, y1);
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let px = |v: f64| LEFT + (v - xa) / (xb - xa) * pw;
    let py = |v: f64| TOP + (1.0 - (v - ya) / (yb - ya)) * ph;
    let mut s = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif">"#
    );
    let _ = writeln!(s, "<title>{}</title>", esc(title));
    let _ = writeln!(s, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text class="title" x="{:.1}" y="28" font-size="16" text-anchor="middle">{}</text>"#,
        W / 2.0,
        esc(title)
    );
    for &t in &xt {
        let x = px(t);
        let _ = writeln!(
            s,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="#e0e0e0"/><text x="{x:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text>"##,
            TOP + ph,
            TOP + ph + 18.0,
            label(t)
        );
    }
    for &t in &yt {
        let y = py(t);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end">{}</text>"##,
            LEFT + pw,
            LEFT - 6.0,
            y + 4.0,
            label(t)
        );
    }
    let _ = writeln!(
        s,
        r#"<rect x="{LEFT}" y="{TOP}" width="{pw:.1}" height="{ph:.1}" fill="none" stroke="black"/>"#
    );
    let _ = writeln!(
        s,
        r#"<text class="x-axis-title" x="{:.1}" y="{:.1}" font-size="14" text-anchor="middle">{}</text>"#,
        LEFT + pw / 2.0,
        H - 22.0,
        esc(x_title)
    );
    let (tx, ty) = (22.0, TOP + ph / 2.0);
    let _ = writeln!(
        s,
        r#"<text class="y-axis-title" x="{tx}" y="{ty:.1}" font-size="14" text-anchor="middle" transform="rotate(-90 {tx} {ty:.1})">{}</text>"#,
        esc(y_title)
    );
    let _ = writeln!(s, r##"<g class="candidates" fill="#9e9e9e" fill-opacity="0.5">"##);
    let every = finite.len().div_ceil(MAX_DOTS).max(1);
    for p in finite.iter().step_by(every) {
        let _ = writeln!(s, r#"<circle cx="{:.1}" cy="{:.1}" r="1.6"/>"#, px(p.0), py(p.1));
    }
    let _ = writeln!(s, "</g>");
    let on: Vec<(f64, f64)> = front
        .iter()
        .filter_map(|&i| points.get(i).copied())
        .filter(|p| p.0.is_finite() && p.1.is_finite())
        .collect();
    let path: Vec<String> = on.iter().map(|p| format!("{:.1},{:.1}", px(p.0), py(p.1))).collect();
    let _ = writeln!(
        s,
        r##"<polyline class="front" fill="none" stroke="#d62728" stroke-width="2" points="{}"/>"##,
        path.join(" ")
    );
    let _ = writeln!(s, r##"<g class="front-points" fill="#d62728">"##);
    for p in &on {
        let _ = writeln!(s, r#"<circle cx="{:.1}" cy="{:.1}" r="3.5"/>"#, px(p.0), py(p.1));
    }
    let _ = writeln!(s, "</g>");
    let _ = writeln!(
        s,
        r##"<text class="legend" x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="#d62728">Pareto front ({} of {})</text>"##,
        LEFT + pw - 6.0,
        TOP + 16.0,
        on.len(),
        points.len()
    );
    let _ = writeln!(s, "</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_every_point_and_the_front() {
        let pts = [(1.0, 0.5), (2.0, 0.7), (3.0, 0.6)];
        let svg = pareto_svg("t <1>", "cost (ms)", "accuracy (%)", &pts, &[0, 1]);
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("r=\"1.6\"").count(), 3);
        assert_eq!(svg.matches("r=\"3.5\"").count(), 2);
        assert!(svg.contains("t &lt;1&gt;") && svg.contains("cost (ms)") && svg.contains("accuracy (%)"));
        assert!(svg.contains("Pareto front (2 of 3)"));
    }
}
