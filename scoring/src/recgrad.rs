//! The recognition gradient (Lenherr et al. 2021): per test case `g = p[t] − max_{j≠t} p[j]`,
//! misses (`g < 0`) multiplied by a penalty `k`, averaged over the test set.
//!
//! **Top-N variant** (einf's reading, which reduces to the definition above for N = 1):
//! `g = p[t] − q`, where `q` is the N-th largest probability among the other classes. `g > 0`
//! exactly when the true class is among the N most likely, so a top-N hit has a positive
//! gradient and a top-N miss a negative one.

use crate::error::{CaseError, Error, Result};
use serde::Serialize;

/// Probabilities of a full vector must sum to 1 within this.
pub const SUM_TOLERANCE: f64 = 1e-3;

/// The paper asks for at least this many test cases.
pub const MIN_CASES: u64 = 100;

/// Validated options of the recognition gradient: the miss penalty `k` and the top-N variant.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct GradientParams {
    miss_penalty: f64,
    top_n: usize,
}

impl Default for GradientParams {
    /// `k = 1`, top-1.
    fn default() -> Self {
        GradientParams { miss_penalty: 1.0, top_n: 1 }
    }
}

impl GradientParams {
    /// Options with a miss penalty `k ∈ [1, 3]` (the paper uses 1, 2 or 3) and top-N, `N ≥ 1`.
    pub fn new(miss_penalty: f64, top_n: usize) -> Result<Self> {
        if !(1.0..=3.0).contains(&miss_penalty) {
            return Err(Error::OutOfRange {
                what: "miss penalty k",
                value: miss_penalty.to_string(),
                range: "[1, 3]",
            });
        }
        if top_n == 0 {
            return Err(Error::OutOfRange { what: "top-N", value: "0".into(), range: "N ≥ 1" });
        }
        Ok(GradientParams { miss_penalty, top_n })
    }

    /// The miss penalty `k`.
    pub fn miss_penalty(&self) -> f64 {
        self.miss_penalty
    }

    /// N of the top-N variant.
    pub fn top_n(&self) -> usize {
        self.top_n
    }

    /// Clamps `g` to [−1, 1] (probabilities may exceed 1 by the sum tolerance) and multiplies a
    /// miss by `k`, so a case's gradient lies in [−k, 1].
    fn penalise(&self, g: f64) -> f64 {
        let g = g.clamp(-1.0, 1.0);
        if g < 0.0 { g * self.miss_penalty } else { g }
    }
}

fn check_probability(class: u64, p: f64) -> Result<(), CaseError> {
    if !p.is_finite() {
        return Err(CaseError::NotFiniteProbability { class });
    }
    if p < 0.0 {
        return Err(CaseError::NegativeProbability { class, value: p });
    }
    if p > 1.0 + SUM_TOLERANCE {
        return Err(CaseError::ProbabilityAboveOne { class, value: p });
    }
    Ok(())
}

/// The N-th largest of `others` (1-based), reordering the slice.
fn nth_largest(others: &mut [f64], n: usize) -> Result<f64, CaseError> {
    let available = others.len();
    if n > available {
        return Err(CaseError::TopN { n, available });
    }
    let (_, q, _) = others.select_nth_unstable_by(n - 1, |a, b| b.total_cmp(a));
    Ok(*q)
}

/// The gradient of one test case from its full probability vector (index = class).
///
/// Errors: fewer than 2 classes, a label outside the classes, a probability that is negative,
/// above 1 or not finite, probabilities that do not sum to 1 within 1e-3, N ≥ classes.
pub fn case_gradient(probs: &[f64], label: u64, params: &GradientParams) -> Result<f64, CaseError> {
    let classes = probs.len() as u64;
    if classes < 2 {
        return Err(CaseError::TooFewClasses(classes));
    }
    let mut others = Vec::with_capacity(probs.len());
    case_gradient_in(probs, label, params, &mut others)
}

/// As [`case_gradient`], reusing a buffer.
pub(crate) fn case_gradient_in(
    probs: &[f64],
    label: u64,
    params: &GradientParams,
    others: &mut Vec<f64>,
) -> Result<f64, CaseError> {
    let classes = probs.len() as u64;
    let mut sum = 0.0;
    for (class, &p) in (0u64..).zip(probs) {
        check_probability(class, p)?;
        sum += p;
    }
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return Err(CaseError::Sum { sum });
    }
    let t = usize::try_from(label).ok().filter(|&t| t < probs.len());
    let Some(t) = t else {
        return Err(CaseError::LabelOutOfRange { label, classes });
    };
    others.clear();
    others.extend(probs.iter().enumerate().filter(|&(j, _)| j != t).map(|(_, &p)| p));
    let q = nth_largest(others, params.top_n)?;
    Ok(params.penalise(probs[t] - q))
}

/// The gradient of one test case given as a top-k list of `(class, probability)` pairs out of
/// `classes` classes, read pessimistically. A true class missing from the list counts as
/// probability 0 (it is below every listed class, so the case is a miss for any N ≤ k). When
/// the N-th most likely other class is not listed (top-N with N above the listed others), it is
/// taken at the largest value it can have: no more than the smallest listed probability, and
/// `(1 − Σp) / j` when it is the j-th of the unlisted classes sharing the rest of the mass.
pub fn case_gradient_top_k(
    pairs: &[(u64, f64)],
    label: u64,
    classes: u64,
    params: &GradientParams,
) -> Result<f64, CaseError> {
    if classes < 2 {
        return Err(CaseError::TooFewClasses(classes));
    }
    if label >= classes {
        return Err(CaseError::LabelOutOfRange { label, classes });
    }
    let mut sum = 0.0;
    let mut p_true = 0.0;
    let mut others = Vec::with_capacity(pairs.len());
    for (i, &(class, p)) in pairs.iter().enumerate() {
        if class >= classes {
            return Err(CaseError::LabelOutOfRange { label: class, classes });
        }
        if pairs[..i].iter().any(|&(c, _)| c == class) {
            return Err(CaseError::DuplicateClass(class));
        }
        check_probability(class, p)?;
        sum += p;
        if class == label {
            p_true = p;
        } else {
            others.push(p);
        }
    }
    if sum > 1.0 + SUM_TOLERANCE {
        return Err(CaseError::TopKSum { sum });
    }
    let listed = others.len();
    let n = params.top_n;
    if n <= listed {
        let q = nth_largest(&mut others, n)?;
        return Ok(params.penalise(p_true - q));
    }
    // The N-th other class is among the unlisted ones (the true class, if unlisted, is not one).
    let label_listed = pairs.iter().any(|&(c, _)| c == label);
    let unlisted = classes - pairs.len() as u64 - u64::from(!label_listed);
    let j = (n - listed) as u64;
    if j > unlisted {
        let available = usize::try_from(unlisted).unwrap_or(usize::MAX).saturating_add(listed);
        return Err(CaseError::TopN { n, available });
    }
    let smallest = others.iter().copied().fold(f64::INFINITY, f64::min);
    let q = ((1.0 - sum).max(0.0) / j as f64).min(smallest);
    Ok(params.penalise(p_true - q))
}

/// The recognition gradient of a test set: mean, spread and count of the per-case gradients.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RecGrad {
    /// RECgrad, the mean gradient (between −k and 1).
    pub mean: f64,
    /// Sample standard deviation of the gradients (0 for one case).
    pub std: f64,
    /// Number of test cases.
    pub count: u64,
    /// Number of classes, when the cases showed it.
    pub classes: Option<u64>,
}

impl RecGrad {
    /// A warning when the test set is smaller than the paper asks for.
    pub fn warning(&self) -> Option<String> {
        (self.count < MIN_CASES).then(|| {
            format!(
                "RECgrad from {} test cases; the paper asks for at least {MIN_CASES}, so it is uncertain",
                self.count
            )
        })
    }
}

/// Running mean and variance of gradients (Welford's algorithm).
#[derive(Clone, Copy, Debug, Default)]
pub struct GradientStats {
    count: u64,
    mean: f64,
    m2: f64,
}

impl GradientStats {
    /// Add one gradient.
    pub fn push(&mut self, g: f64) {
        self.count += 1;
        let d = g - self.mean;
        self.mean += d / self.count as f64;
        self.m2 += d * (g - self.mean);
    }

    /// Number of gradients so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The summary, or `None` when there are no gradients (or they were not finite).
    pub fn finish(&self, classes: Option<u64>) -> Option<RecGrad> {
        if self.count == 0 || !self.mean.is_finite() || !self.m2.is_finite() {
            return None;
        }
        let std = if self.count > 1 { (self.m2.max(0.0) / (self.count - 1) as f64).sqrt() } else { 0.0 };
        Some(RecGrad { mean: self.mean, std, count: self.count, classes })
    }
}
