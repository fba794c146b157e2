//! The Pareto plot of `einf nas` as SVG text: every candidate as a small grey dot, the front as
//! a red line through red dots, axes with ticks and titles. einf-scoring's chart draws lines
//! only, so the scatter is drawn here with the same SVG pieces (`einf_parser::svg`).

use einf_parser::svg::{self, Frame, Scale};
use std::fmt::Write;

const W: f64 = 760.0;
const H: f64 = 480.0;
/// The plot area: room for the y axis left of it, the title above, the x axis below.
const FRAME: Frame = Frame::within((W, H), [90.0, 30.0, 50.0, 70.0], 12.0, (48.0, 68.0));
/// Dots drawn at most (the front is always drawn).
const MAX_DOTS: usize = 20_000;

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
    let (xs, ys) = (Scale::linear(x0, x1, 6), Scale::linear(y0, y1, 6));
    let frame = FRAME;
    let px = |v: f64| frame.x(&xs, v);
    let py = |v: f64| frame.y(&ys, v);
    let mut s = String::new();
    svg::open(&mut s, W, H, title);
    svg::text(&mut s, "title", (W / 2.0, 28.0), 16.0, "middle", title);
    frame.x_grid(&mut s, &xs);
    frame.y_grid(&mut s, &ys);
    frame.border_and_titles(&mut s, x_title, y_title);
    // Writing to a String cannot fail.
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
        frame.left + frame.width - 6.0,
        frame.top + 16.0,
        on.len(),
        points.len()
    );
    svg::close(&mut s);
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
