//! A small line-chart writer that emits SVG text directly (plotters' SVG backend drops axis and
//! tick labels when built without a font library, so einf writes its own). Text is plain
//! `<text>` in a generic `sans-serif` family: no font files are needed to write or view it.
//! Escaping, ticks, the header and the frame come from [`einf_parser::svg`].

use crate::error::{Error, Result};
use einf_parser::svg::{self, Frame, Scale, escape as esc};
use std::fmt::Write;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 460.0;
/// The plot area: room for the y axis left of it, the title and the legend above, the x axis below.
const FRAME: Frame = Frame::within((WIDTH, HEIGHT), [90.0, 30.0, 74.0, 70.0], 12.0, (48.0, 68.0));
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
        let xs = if self.x.log { Scale::logarithmic(x0, x1) } else { Scale::linear(x0, x1, 6) };
        let ys = if self.y.log {
            Scale::logarithmic(y0, y1)
        } else {
            // Power and efficiency read best from zero.
            Scale::linear(y0.min(0.0), y1.max(0.0), 6)
        };
        let frame = FRAME;
        let px = |v: f64| frame.x(&xs, v);
        let py = |v: f64| frame.y(&ys, v);

        let mut s = String::new();
        let w = &mut s;
        svg::open(w, WIDTH, HEIGHT, &self.title);
        svg::text(w, "title", (WIDTH / 2.0, 26.0), 17.0, "middle", &self.title);
        frame.x_grid(w, &xs);
        frame.y_grid(w, &ys);
        frame.border_and_titles(w, &self.x.title, &self.y.title);
        // Markers, labels staggered downwards, right of their line unless they would leave the plot
        // (about 6 px per character of an 11 px font).
        let inside =
            |m: &&Marker| m.x.is_finite() && (!self.x.log || m.x > 0.0) && (xs.lo..=xs.hi).contains(&m.x);
        for (i, m) in self.markers.iter().filter(inside).enumerate() {
            let x = px(m.x);
            let width = 6.0 * m.label.chars().count() as f64;
            let (tx, anchor) = if x + 4.0 + width > frame.left + frame.width {
                (x - 4.0, "end")
            } else {
                (x + 4.0, "start")
            };
            let _ = writeln!(
                w,
                r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{:.1}" stroke="#555" stroke-dasharray="2,3"/><text class="marker" x="{tx:.1}" y="{:.1}" font-size="11" fill="#555" text-anchor="{anchor}">{}</text>"##,
                frame.top,
                frame.bottom(),
                frame.top + 14.0 + 14.0 * i as f64,
                esc(&m.label)
            );
        }
        // Lines, and the legend in one row between the title and the plot.
        let mut lx = frame.left;
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
            let ly = frame.top - 22.0;
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
        svg::close(w);
        Ok(s)
    }
}
