//! Model-level calibration: the measured end-to-end cost of a model as a linear map of its kernel
//! sum and of what the kernels leave out (their number: dispatch per kernel; elements touched by
//! layers without a forest), fitted by least squares on *relative* error over training models.

use crate::error::{PredictorError, Result};
use serde::{Deserialize, Serialize};

/// A term of the calibration map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Term {
    /// Sum of the kernel predictions (or measurements when fitting on measured sums).
    KernelSum,
    /// Number of kernels.
    Kernels,
    /// Elements touched by layers without a forest (millions).
    OtherElements,
    /// 1.
    Intercept,
}

/// What the calibration sees of one model.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ModelTerms {
    /// Kernel sum.
    pub kernel_sum: f64,
    /// Number of kernels.
    pub kernels: f64,
    /// Elements touched by other layers.
    pub other_elements: f64,
}

impl ModelTerms {
    fn get(&self, t: Term) -> f64 {
        match t {
            Term::KernelSum => self.kernel_sum,
            Term::Kernels => self.kernels,
            Term::OtherElements => self.other_elements / 1e6,
            Term::Intercept => 1.0,
        }
    }
}

/// A fitted calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Terms, in order.
    pub terms: Vec<Term>,
    /// Coefficients, parallel to `terms`.
    pub coef: Vec<f64>,
    /// Models it was fitted on.
    pub models: usize,
}

impl Calibration {
    /// Fit on `(terms, measured end-to-end value)` pairs, minimising Σ((ŷ − y)/y)².
    pub fn fit(terms: &[Term], data: &[(ModelTerms, f64)]) -> Result<Calibration> {
        let p = terms.len();
        if data.len() < p + 1 {
            return Err(PredictorError::TrainingData(format!(
                "calibration with {p} terms needs at least {} models, got {}",
                p + 1,
                data.len()
            )));
        }
        // Normal equations of the weighted problem (rows divided by y).
        let mut a = vec![vec![0.0; p]; p];
        let mut b = vec![0.0; p];
        for (m, y) in data {
            if !(y.is_finite() && *y > 0.0) {
                return Err(PredictorError::TrainingData(format!("calibration target {y}")));
            }
            let row: Vec<f64> = terms.iter().map(|t| m.get(*t) / y).collect();
            for i in 0..p {
                b[i] += row[i];
                for j in 0..p {
                    a[i][j] += row[i] * row[j];
                }
            }
        }
        let coef = solve(a, b).ok_or_else(|| {
            PredictorError::TrainingData("calibration: the models do not determine the coefficients".into())
        })?;
        Ok(Calibration { terms: terms.to_vec(), coef, models: data.len() })
    }

    /// The calibrated value of a model.
    pub fn apply(&self, m: &ModelTerms) -> f64 {
        self.terms.iter().zip(&self.coef).map(|(t, c)| c * m.get(*t)).sum()
    }
}

/// Gaussian elimination with partial pivoting; `None` when singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 * a.iter().map(|r| r[col].abs()).fold(0.0, f64::max).max(1e-300) {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        let pivot_row = a[col].clone();
        for r in col + 1..n {
            let f = a[r][col] / pivot_row[col];
            for (x, p) in a[r].iter_mut().zip(&pivot_row).skip(col) {
                *x -= f * p;
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|c| a[r][c] * x[c]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_an_exact_affine_map() {
        // Synthetic: e2e = 1.1 · sum + 0.02 · kernels + 0.5.
        let data: Vec<(ModelTerms, f64)> = (1..20)
            .map(|i| {
                let m = ModelTerms {
                    kernel_sum: i as f64 * 3.0,
                    kernels: (i * 7 % 11) as f64,
                    other_elements: 0.0,
                };
                (m, 1.1 * m.kernel_sum + 0.02 * m.kernels + 0.5)
            })
            .collect();
        let c = Calibration::fit(&[Term::KernelSum, Term::Kernels, Term::Intercept], &data).unwrap();
        for (got, want) in c.coef.iter().zip([1.1, 0.02, 0.5]) {
            assert!((got - want).abs() < 1e-9, "{:?}", c.coef);
        }
        assert!((c.apply(&data[3].0) - data[3].1).abs() < 1e-9);
        assert!(Calibration::fit(&[Term::KernelSum, Term::Intercept], &data[..2]).is_err());
    }
}
