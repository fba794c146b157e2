//! Build options: width and resolution multipliers, number of classes, and the seeded variant
//! sampler, each validated before any layer is built.

use crate::error::{ModelsError, Result};

/// How a network is scaled and varied.
#[derive(Debug, Clone, PartialEq)]
pub struct ArchOptions {
    /// Width multiplier applied to every channel decision (1.0 = the published network).
    pub width: f64,
    /// Input height in pixels (`None` = the architecture's default); the width follows in
    /// proportion for non-square inputs.
    pub resolution: Option<u64>,
    /// Number of output classes (`None` = the architecture's default).
    pub classes: Option<u64>,
    /// Resample each layer's channels and kernel size around the original (DeepEn2023's model
    /// dataset); `None` = the reference network.
    pub variant: Option<Variant>,
}

impl Default for ArchOptions {
    fn default() -> Self {
        ArchOptions { width: 1.0, resolution: None, classes: None, variant: None }
    }
}

/// Parameters of a seeded variant: each channel decision is multiplied by a factor drawn
/// uniformly from `[1 - channel_spread, 1 + channel_spread]` (then rounded as the architecture
/// rounds), and each square kernel of size `k ≥ 3` is redrawn from `{k - 2, k, k + 2}` (never
/// below 3) with the padding changed by the same half-difference, so spatial sizes are kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Seed of the random draws.
    pub seed: u64,
    /// Relative spread of channel counts, in `[0, 0.9]`.
    pub channel_spread: f64,
    /// Whether kernel sizes are resampled.
    pub resample_kernels: bool,
}

impl Variant {
    /// A variant with the default spread (±50 %) and kernel resampling on.
    pub fn new(seed: u64) -> Self {
        Variant { seed, channel_spread: 0.5, resample_kernels: true }
    }
}

/// Largest width multiplier accepted.
pub const MAX_WIDTH: f64 = 4.0;
/// Largest input side accepted, in pixels.
pub const MAX_RESOLUTION: u64 = 4096;

impl ArchOptions {
    /// Check every field; the first problem found is returned as [`ModelsError::InvalidOption`].
    pub fn validate(&self) -> Result<()> {
        let bad = |option: &'static str, message: String| Err(ModelsError::InvalidOption { option, message });
        if !(self.width.is_finite() && self.width > 0.0 && self.width <= MAX_WIDTH) {
            return bad("width", format!("{} is not in (0, {MAX_WIDTH}]", self.width));
        }
        if let Some(r) = self.resolution
            && !(1..=MAX_RESOLUTION).contains(&r)
        {
            return bad("resolution", format!("{r} is not in 1..={MAX_RESOLUTION}"));
        }
        if self.classes == Some(0) {
            return bad("classes", "must be at least 1".into());
        }
        if let Some(v) = &self.variant
            && !(v.channel_spread.is_finite() && (0.0..=0.9).contains(&v.channel_spread))
        {
            return bad("channel_spread", format!("{} is not in [0, 0.9]", v.channel_spread));
        }
        Ok(())
    }
}

/// How an architecture rounds a scaled channel count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// `_make_divisible(v, d)` of the TensorFlow and torchvision mobile networks: the nearest
    /// multiple of `d`, at least `d`, and never more than 10 % below `v`. With `d = 1` this is
    /// rounding to the nearest integer (at least 1).
    Divisible(u64),
    /// `int(v)` (Keras MobileNet's `alpha`), at least 1.
    Truncate,
}

impl Rounding {
    /// Round a scaled channel count.
    pub fn apply(self, v: f64) -> u64 {
        match self {
            Rounding::Divisible(d) => make_divisible(v, d),
            Rounding::Truncate => (v.floor() as u64).max(1),
        }
    }
}

/// `_make_divisible` as in the TensorFlow MobileNet code and torchvision: the multiple of
/// `divisor` nearest to `v` (at least `divisor`), raised by one `divisor` if that is more than
/// 10 % below `v`.
pub fn make_divisible(v: f64, divisor: u64) -> u64 {
    let d = divisor.max(1);
    let df = d as f64;
    let mut new = d.max(((v + df / 2.0).floor() as u64) / d * d);
    if (new as f64) < 0.9 * v {
        new += d;
    }
    new
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn make_divisible_matches_torchvision_values() {
        // Values torchvision's mobilenetv3 computes for its squeeze-excite widths.
        assert_eq!(make_divisible(4.0, 8), 8);
        assert_eq!(make_divisible(18.0, 8), 24);
        assert_eq!(make_divisible(60.0, 8), 64);
        assert_eq!(make_divisible(12.0, 8), 16);
        assert_eq!(make_divisible(32.0 * 0.35, 8), 16);
        assert_eq!(make_divisible(116.0, 1), 116);
        assert_eq!(make_divisible(0.2, 1), 1);
        assert_eq!(Rounding::Truncate.apply(32.0 * 0.25), 8);
        assert_eq!(Rounding::Truncate.apply(0.3), 1);
    }

    #[test]
    fn options_are_validated() {
        assert!(ArchOptions::default().validate().is_ok());
        for width in [0.0, -1.0, f64::NAN, 5.0] {
            let o = ArchOptions { width, ..ArchOptions::default() };
            assert!(matches!(o.validate(), Err(ModelsError::InvalidOption { option: "width", .. })));
        }
        let o = ArchOptions { resolution: Some(0), ..ArchOptions::default() };
        assert!(o.validate().is_err());
        let o = ArchOptions { classes: Some(0), ..ArchOptions::default() };
        assert!(o.validate().is_err());
        let v = Variant { channel_spread: 1.5, ..Variant::new(1) };
        let o = ArchOptions { variant: Some(v), ..ArchOptions::default() };
        assert!(o.validate().is_err());
    }
}
