//! A small line-chart writer that emits SVG text directly (plotters' SVG backend drops axis and
//! tick labels when built without a font library, so einf writes its own). Text is plain
//! `<text>` in a generic `sans-serif` family: no font files are needed to write or view it.

use crate::error::{Error, Result};
use std::fmt::Write;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 460.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 74.0;
const BOTTOM: f64 = 70.0;
const COLOURS: [&str; 4] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"];

/// An axis: its title (with the unit) and whether it is logarithmic.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// Title with unit, e.g. `frame rate (fps)`.
    pub title: String,
    /// Logarithmic scale (values must be positive).
    pub log: bool,
}

/// A named line.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Points in data coordinates.
    pub points: Vec<(f64, f64)>,
    /// Drawn dashed.
    pub dashed: bool,
}

/// A labelled vertical line at an x value.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// Where.
    pub x: f64,
    /// Label.
    pub label: String,
}

/// A line chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Title.
    pub title: String,
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// Lines.
    pub series: Vec<Series>,
    /// Vertical markers (drawn when inside the x range).
    pub markers: Vec<Marker>,
}

/// Escape text for XML.
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

/// A compact tick label.
fn tick_label(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        return format!("{v:e}");
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// A range and its ticks along one axis.
struct Scale {
    lo: f64,
    hi: f64,
    log: bool,
    ticks: Vec<f64>,
}

impl Scale {
    fn linear(min: f64, max: f64) -> Scale {
        // A flat series (or one whose spread is below what ticks can resolve) gets a range around it.
        let span = max - min;
        let flat = !(span > 1e-290 && span > 1e-12 * min.abs().max(max.abs()));
        let pad = (min.abs() * 0.1).max(1.0);
        let (min, max) = if flat { (min - pad, max + pad) } else { (min, max) };
        let raw = (max - min) / 6.0;
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
        let lo = (min / step).floor() * step;
        let hi = (max / step).ceil() * step;
        let n = ((hi - lo) / step).round() as i64;
        let ticks = (0..=n.clamp(1, 20)).map(|i| lo + i as f64 * step).collect();
        Scale { lo, hi, log: false, ticks }
    }

    fn logarithmic(min: f64, max: f64) -> Scale {
        let lo = min.log10().floor();
        let hi = max.log10().ceil().max(lo + 1.0);
        let decades = (hi - lo) as i64;
        let mut ticks = Vec::new();
        let every = (decades / 8 + 1).max(1);
        for d in 0..=decades {
            if d % every == 0 {
                ticks.push(10f64.powf(lo + d as f64));
            }
            if decades <= 2 && d < decades {
                for m in [2.0, 5.0] {
                    ticks.push(m * 10f64.powf(lo + d as f64));
                }
            }
        }
        ticks.sort_by(f64::total_cmp);
        Scale { lo: 10f64.powf(lo), hi: 10f64.powf(hi), log: true, ticks }
    }

    /// Position in [0, 1] along the axis.
    fn frac(&self, v: f64) -> f64 {
        if self.log {
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }
}

fn data_range(points: impl Iterator<Item = f64>, log: bool, what: &str) -> Result<(f64, f64)> {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in points {
        // Log axes start at a decade that must itself be a normal number.
        if !v.is_finite() || (log && v < 1e-300) {
            return Err(Error::Plot(format!("{what} value {v} cannot be drawn on this axis")));
        }
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return Err(Error::Plot("no points to draw".into()));
    }
    Ok((lo, hi))
}

impl Chart {
    /// The chart as a standalone SVG document.
    pub fn to_svg(&self) -> Result<String> {
        let pts = || self.series.iter().flat_map(|s| s.points.iter().copied());
        let (x0, x1) = data_range(pts().map(|p| p.0), self.x.log, "x")?;
        let (y0, y1) = data_range(pts().map(|p| p.1), self.y.log, "y")?;
        // Ticks are rounded outwards by up to a step; keep room for that.
        let spans = [x1 - x0, y1.max(0.0) - y0.min(0.0)];
        if spans.iter().any(|s| !(4.0 * s + x0.abs().max(x1.abs()).max(y0.abs()).max(y1.abs())).is_finite()) {
            return Err(Error::Plot("the range of values is too large to draw".into()));
        }
        let xs = if self.x.log { Scale::logarithmic(x0, x1) } else { Scale::linear(x0, x1) };
        let ys = if self.y.log {
            Scale::logarithmic(y0, y1)
        } else {
            // Power and efficiency read best from zero.
            Scale::linear(y0.min(0.0), y1.max(0.0))
        };
        let pw = WIDTH - LEFT - RIGHT;
        let ph = HEIGHT - TOP - BOTTOM;
        let px = |v: f64| LEFT + xs.frac(v) * pw;
        let py = |v: f64| TOP + (1.0 - ys.frac(v)) * ph;

        let mut s = String::new();
        let w = &mut s;
        // Writing to a String cannot fail.
        let _ = writeln!(
            w,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif">"#
        );
        let _ = writeln!(w, r#"<title>{}</title>"#, esc(&self.title));
        let _ = writeln!(w, r#"<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>"#);
        let _ = writeln!(
            w,
            r#"<text class="title" x="{:.1}" y="26" font-size="17" text-anchor="middle">{}</text>"#,
            WIDTH / 2.0,
            esc(&self.title)
        );
        // Grid and ticks.
        for &t in &xs.ticks {
            let x = px(t);
            let _ = writeln!(
                w,
                r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="#e0e0e0"/><text x="{x:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text>"##,
                TOP + ph,
                TOP + ph + 18.0,
                esc(&tick_label(t))
            );
        }
        for &t in &ys.ticks {
            let y = py(t);
            let _ = writeln!(
                w,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end">{}</text>"##,
                LEFT + pw,
                LEFT - 6.0,
                y + 4.0,
                esc(&tick_label(t))
            );
        }
        let _ = writeln!(
            w,
            r#"<rect x="{LEFT}" y="{TOP}" width="{pw:.1}" height="{ph:.1}" fill="none" stroke="black"/>"#
        );
        // Axis titles.
        let _ = writeln!(
            w,
            r#"<text class="x-axis-title" x="{:.1}" y="{:.1}" font-size="14" text-anchor="middle">{}</text>"#,
            LEFT + pw / 2.0,
            HEIGHT - 22.0,
            esc(&self.x.title)
        );
        let (tx, ty) = (22.0, TOP + ph / 2.0);
        let _ = writeln!(
            w,
            r#"<text class="y-axis-title" x="{tx}" y="{ty:.1}" font-size="14" text-anchor="middle" transform="rotate(-90 {tx} {ty:.1})">{}</text>"#,
            esc(&self.y.title)
        );
        // Markers, labels staggered downwards, right of their line unless they would leave the plot
        // (about 6 px per character of an 11 px font).
        let inside =
            |m: &&Marker| m.x.is_finite() && (!self.x.log || m.x > 0.0) && (xs.lo..=xs.hi).contains(&m.x);
        for (i, m) in self.markers.iter().filter(inside).enumerate() {
            let x = px(m.x);
            let width = 6.0 * m.label.chars().count() as f64;
            let (tx, anchor) =
                if x + 4.0 + width > LEFT + pw { (x - 4.0, "end") } else { (x + 4.0, "start") };
            let _ = writeln!(
                w,
                r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="#555" stroke-dasharray="2,3"/><text class="marker" x="{tx:.1}" y="{:.1}" font-size="11" fill="#555" text-anchor="{anchor}">{}</text>"##,
                TOP + ph,
                TOP + 14.0 + 14.0 * i as f64,
                esc(&m.label)
            );
        }
        // Lines, and the legend in one row between the title and the plot.
        let mut lx = LEFT;
        for (i, series) in self.series.iter().enumerate() {
            let colour = COLOURS[i % COLOURS.len()];
            let dash = if series.dashed { r#" stroke-dasharray="6,4""# } else { "" };
            let path: Vec<String> =
                series.points.iter().map(|&(x, y)| format!("{:.2},{:.2}", px(x), py(y))).collect();
            let _ = writeln!(
                w,
                r#"<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{}"/>"#,
                path.join(" ")
            );
            let ly = TOP - 22.0;
            let _ = writeln!(
                w,
                r#"<line x1="{lx:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="2"{dash}/><text class="legend" x="{:.1}" y="{:.1}" font-size="12">{}</text>"#,
                lx + 24.0,
                lx + 30.0,
                ly + 4.0,
                esc(&series.name)
            );
            // About 6.5 px per character of a 12 px sans-serif font.
            lx += 30.0 + 6.5 * series.name.chars().count() as f64 + 24.0;
        }
        let _ = writeln!(w, "</svg>");
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_are_compact() {
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(tick_label(2.5), "2.5");
        assert_eq!(tick_label(1000.0), "1000");
        assert_eq!(tick_label(1e6), "1e6");
        assert_eq!(tick_label(0.0001), "1e-4");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
