//! Relative-error scores: share within ±5% and ±10%, MAPE and RMSPE.

use serde::{Deserialize, Serialize};

/// Scores of predictions against measurements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Number of (measured, predicted) pairs.
    pub n: usize,
    /// Share (0–1) with |predicted/measured − 1| ≤ 0.05.
    pub within5: f64,
    /// Share (0–1) with |predicted/measured − 1| ≤ 0.10.
    pub within10: f64,
    /// Mean absolute percentage error, in percent.
    pub mape: f64,
    /// Root mean squared percentage error, in percent.
    pub rmspe: f64,
}

impl Scores {
    /// Score pairs `(measured, predicted)`; a missing prediction counts as 0 (a 100% error).
    pub fn of(pairs: &[(f64, f64)]) -> Scores {
        let n = pairs.len();
        if n == 0 {
            return Scores::default();
        }
        let errs: Vec<f64> = pairs.iter().map(|(m, p)| (p / m - 1.0).abs()).collect();
        let nf = n as f64;
        Scores {
            n,
            within5: errs.iter().filter(|e| **e <= 0.05).count() as f64 / nf,
            within10: errs.iter().filter(|e| **e <= 0.10).count() as f64 / nf,
            mape: 100.0 * errs.iter().sum::<f64>() / nf,
            rmspe: 100.0 * (errs.iter().map(|e| e * e).sum::<f64>() / nf).sqrt(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_count_relative_errors() {
        let s = Scores::of(&[(100.0, 104.0), (100.0, 108.0), (10.0, 12.0), (1.0, 0.0)]);
        assert_eq!(s.n, 4);
        assert_eq!(s.within5, 0.25);
        assert_eq!(s.within10, 0.5);
        assert!((s.mape - 100.0 * (0.04 + 0.08 + 0.2 + 1.0) / 4.0).abs() < 1e-9);
        let rms = ((0.04f64.powi(2) + 0.08f64.powi(2) + 0.04 + 1.0) / 4.0).sqrt() * 100.0;
        assert!((s.rmspe - rms).abs() < 1e-9);
        assert_eq!(Scores::of(&[]).n, 0);
    }
}
