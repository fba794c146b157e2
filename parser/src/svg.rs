//! Generic SVG pieces shared by the plot writers of einf-predictor, einf-scoring and einf: XML
//! escaping, ticks for linear and log axes, tick labels, the document header and a [`Frame`] that
//! draws a plot area's grid, border and axis titles. Text is plain `<text>` in the generic
//! `sans-serif` family, so no font files are needed to write or view the plots. Writing to a
//! `String` cannot fail, so the writers return nothing.

use std::fmt::Write;

/// `s` escaped for XML text and attribute values.
pub fn escape(s: &str) -> String {
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

/// A compact tick label: `0`, up to 6 decimals in [10⁻³, 10⁵), scientific notation with up to
/// 7 significant digits outside (`2.5e7`, `1e-4`).
pub fn tick_label(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !(1e-3..1e5).contains(&v.abs()) {
        let s = format!("{v:.6e}");
        return match s.split_once('e') {
            Some((m, e)) => format!("{}e{e}", trim_zeros(m)),
            None => s,
        };
    }
    trim_zeros(&format!("{v:.6}")).to_string()
}

/// A decimal without trailing zeros (and without the point when nothing follows it).
fn trim_zeros(s: &str) -> &str {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { s }
}

/// A range along one axis and the values to tick in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Scale {
    /// Lower end of the axis.
    pub lo: f64,
    /// Upper end of the axis.
    pub hi: f64,
    /// Logarithmic (both ends positive).
    pub log: bool,
    /// Tick values, ascending, within [`lo`, `hi`].
    ///
    /// [`lo`]: Scale::lo
    /// [`hi`]: Scale::hi
    pub ticks: Vec<f64>,
}

impl Scale {
    /// A linear axis over [`min`, `max`] in about `divisions` steps of 1, 2 or 5 × 10ᵏ, rounded
    /// outwards to whole steps (at most 20 ticks). A flat range, or one whose spread is below what
    /// ticks can resolve, gets a range around it.
    pub fn linear(min: f64, max: f64, divisions: u32) -> Scale {
        let span = max - min;
        let flat = !(span > 1e-290 && span > 1e-12 * min.abs().max(max.abs()));
        let pad = (min.abs() * 0.1).max(1.0);
        let (min, max) = if flat { (min - pad, max + pad) } else { (min, max) };
        let raw = (max - min) / f64::from(divisions.max(1));
        let mag = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
        let lo = (min / step).floor() * step;
        let hi = (max / step).ceil() * step;
        let n = ((hi - lo) / step).round() as i64;
        let ticks = (0..=n.clamp(1, 20)).map(|i| lo + i as f64 * step).collect();
        Scale { lo, hi, log: false, ticks }
    }

    /// A log axis from the decade at or below `min` to the one at or above `max` (both > 0; at
    /// least one decade), ticked at the decades (every n-th beyond 8 decades) and at 2 and 5 × 10ᵏ
    /// when it spans at most 2.
    pub fn logarithmic(min: f64, max: f64) -> Scale {
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

    /// Where `v` stands along the axis, 0 at [`lo`](Scale::lo) and 1 at [`hi`](Scale::hi).
    pub fn frac(&self, v: f64) -> f64 {
        if self.log {
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }
}

/// Opens an SVG document of `width` × `height` with a `<title>` and a white background.
pub fn open(w: &mut String, width: f64, height: f64, title: &str) {
    let _ = writeln!(
        w,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">"#
    );
    let _ = writeln!(w, "<title>{}</title>", escape(title));
    let _ = writeln!(w, r#"<rect width="{width}" height="{height}" fill="white"/>"#);
}

/// Closes the document [`open`] started.
pub fn close(w: &mut String) {
    let _ = writeln!(w, "</svg>");
}

/// A line of text of a `class` (`title`, `legend`, …) at (x, y), escaped.
pub fn text(w: &mut String, class: &str, (x, y): (f64, f64), size: f64, anchor: &str, body: &str) {
    let _ = writeln!(
        w,
        r#"<text class="{class}" x="{x:.1}" y="{y:.1}" font-size="{size}" text-anchor="{anchor}">{}</text>"#,
        escape(body)
    );
}

/// A plot area on the canvas and the size of the text around it: maps data to the canvas and
/// draws the grid with tick labels, the border and the axis titles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// Left edge of the plot area.
    pub left: f64,
    /// Top edge of the plot area.
    pub top: f64,
    /// Width of the plot area.
    pub width: f64,
    /// Height of the plot area.
    pub height: f64,
    /// Font size of the tick labels; the axis titles are 2 larger.
    pub font: f64,
    /// How far below the area the x-axis title's baseline stands, and how far left of the area
    /// the y-axis title's.
    pub title_gaps: (f64, f64),
}

impl Frame {
    /// The plot area of a `width` × `height` canvas less its `margins` (left, right, top,
    /// bottom), with tick labels of `font` size and the axis titles `title_gaps` away.
    pub const fn within(
        (width, height): (f64, f64),
        [left, right, top, bottom]: [f64; 4],
        font: f64,
        title_gaps: (f64, f64),
    ) -> Frame {
        Frame { left, top, width: width - left - right, height: height - top - bottom, font, title_gaps }
    }

    /// The canvas x of `v` on `scale`.
    pub fn x(&self, scale: &Scale, v: f64) -> f64 {
        self.left + scale.frac(v) * self.width
    }

    /// The canvas y of `v` on `scale` (SVG y grows downwards).
    pub fn y(&self, scale: &Scale, v: f64) -> f64 {
        self.top + (1.0 - scale.frac(v)) * self.height
    }

    /// The bottom edge of the plot area.
    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }

    /// A label under the plot area, centred at canvas `x`.
    pub fn x_label(&self, w: &mut String, x: f64, label: &str) {
        let _ = writeln!(
            w,
            r#"<text x="{x:.1}" y="{:.1}" font-size="{}" text-anchor="middle">{}</text>"#,
            self.bottom() + 1.5 * self.font,
            self.font,
            escape(label)
        );
    }

    /// Vertical grid lines at the ticks of `scale`, labelled under the plot area.
    pub fn x_grid(&self, w: &mut String, scale: &Scale) {
        for &t in &scale.ticks {
            let x = self.x(scale, t);
            let _ = write!(
                w,
                r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#e0e0e0"/>"##,
                self.top,
                self.bottom()
            );
            self.x_label(w, x, &tick_label(t));
        }
    }

    /// Horizontal grid lines at the ticks of `scale`, labelled left of the plot area.
    pub fn y_grid(&self, w: &mut String, scale: &Scale) {
        for &t in &scale.ticks {
            let y = self.y(scale, t);
            let _ = writeln!(
                w,
                r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" font-size="{}" text-anchor="end">{}</text>"##,
                self.left,
                self.left + self.width,
                self.left - self.font / 2.0,
                y + 4.0,
                self.font,
                escape(&tick_label(t))
            );
        }
    }

    /// The border of the plot area and its axis titles (`class="x-axis-title"` and
    /// `"y-axis-title"`, the latter turned to read upwards).
    pub fn border_and_titles(&self, w: &mut String, x_title: &str, y_title: &str) {
        let _ = writeln!(
            w,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="none" stroke="black"/>"#,
            self.left, self.top, self.width, self.height
        );
        let size = self.font + 2.0;
        let at = (self.left + self.width / 2.0, self.bottom() + self.title_gaps.0);
        text(w, "x-axis-title", at, size, "middle", x_title);
        let (tx, ty) = (self.left - self.title_gaps.1, self.top + self.height / 2.0);
        let _ = writeln!(
            w,
            r#"<text class="y-axis-title" x="{tx:.1}" y="{ty:.1}" font-size="{size}" text-anchor="middle" transform="rotate(-90 {tx:.1} {ty:.1})">{}</text>"#,
            escape(y_title)
        );
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
        assert_eq!(tick_label(-2.5e7), "-2.5e7");
        // Float noise in a tick value does not reach the label.
        assert_eq!(tick_label(3.0 * 1e-4), "3e-4");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn linear_ticks_are_round_and_cover_the_range() {
        let s = Scale::linear(0.3, 9.7, 6);
        assert_eq!((s.lo, s.hi), (0.0, 10.0));
        assert_eq!(s.ticks, vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        let flat = Scale::linear(5.0, 5.0, 6);
        assert!(flat.lo < 5.0 && flat.hi > 5.0);
        assert_eq!(Scale::linear(0.0, 1.0, 1).ticks, vec![0.0, 1.0]);
    }

    #[test]
    fn log_ticks_mark_decades() {
        let s = Scale::logarithmic(2.0, 50.0);
        assert_eq!((s.lo, s.hi), (1.0, 100.0));
        assert_eq!(s.ticks, vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]);
        assert_eq!(Scale::logarithmic(1.0, 1e20).ticks.len(), 7);
        assert!((s.frac(10.0) - 0.5).abs() < 1e-12);
    }
}
