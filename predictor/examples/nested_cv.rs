//! Nested cross-validation of einf's three design choices (target transform: log of the cost or log
//! of the cost per unit of work; one forest per kernel kind or one per base operator; leaves that
//! output the mean or the median of their training targets), so that the choice is made on
//! training folds only.
//!
//! For each outer fold of `einf evaluate` (kernel k-fold: i mod 5; leave-models-out: architecture
//! groups, g mod 5), the eight candidates are scored by an inner 4-fold CV of the same kind on the
//! outer training part only (kernels: the training kernels' i mod 4; models: the training groups'
//! g mod 4; score: share within ±10%, ties by mean |log error|); the winner is retrained on the
//! whole outer training part and scored on the outer test fold.
//!
//! ```sh
//! cargo run --release -p einf-predictor --example nested_cv -- pixel4-gpu-tflite-fp16 [...]
//! ```
use einf_predictor::bundled_data::load;
use einf_predictor::data::KernelSample;
use einf_predictor::eval::model_groups;
use einf_predictor::features::FeatureSet;
use einf_predictor::forests::{Forests, MetricName};
use einf_predictor::params::{ForestParams, LeafValue, Target};
use std::collections::BTreeMap;

const CANDIDATES: [(&str, Target, u32, LeafValue); 8] = [
    ("log, per kind, mean", Target::Log, 30, LeafValue::Mean),
    ("log, pooled, mean", Target::Log, u32::MAX, LeafValue::Mean),
    ("log-rate, per kind, mean", Target::LogRate, 30, LeafValue::Mean),
    ("log-rate, pooled, mean", Target::LogRate, u32::MAX, LeafValue::Mean),
    ("log, per kind, median", Target::Log, 30, LeafValue::Median),
    ("log, pooled, median", Target::Log, u32::MAX, LeafValue::Median),
    ("log-rate, per kind, median", Target::LogRate, 30, LeafValue::Median),
    ("log-rate, pooled, median", Target::LogRate, u32::MAX, LeafValue::Median),
];

fn params(c: usize) -> ForestParams {
    let (_, target, min_kind_samples, leaf) = CANDIDATES[c];
    ForestParams { target, min_kind_samples, leaf, ..ForestParams::einf() }
}

/// (share within ±10%, mean |ln(pred/meas)|) of pairs.
fn score(pairs: &[(f64, f64)]) -> (f64, f64) {
    let n = pairs.len().max(1) as f64;
    let w = pairs.iter().filter(|(m, p)| (p / m - 1.0).abs() <= 0.1).count() as f64 / n;
    let l = pairs.iter().map(|(m, p)| (p / m).ln().abs()).sum::<f64>() / n;
    (w, l)
}

fn better(a: (f64, f64), b: (f64, f64)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
}

/// Kernel pairs (measured, predicted) of `test` from forests trained on `train`.
fn kernel_pairs(
    train: &[&KernelSample],
    test: &[&KernelSample],
    c: usize,
) -> anyhow::Result<Vec<(f64, f64)>> {
    let f = Forests::train(train, &params(c), FeatureSet::Einf)?;
    let metric: MetricName = test[0].metric;
    test.iter()
        .map(|s| Ok((s.value, f.predict(&s.kind, &s.config, metric, "k")?.map_or(0.0, |e| e.value))))
        .collect()
}

/// Model-sum pairs of the models of `test`.
fn model_pairs(train: &[&KernelSample], test: &[&KernelSample], c: usize) -> anyhow::Result<Vec<(f64, f64)>> {
    let k = kernel_pairs(train, test, c)?;
    let mut sums: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for (s, (m, p)) in test.iter().zip(k) {
        let e = sums.entry(s.model.as_deref().unwrap_or_default()).or_default();
        e.0 += m;
        e.1 += p;
    }
    Ok(sums.into_values().collect())
}

fn pick(scores: &[(f64, f64)]) -> usize {
    let mut best = 0;
    for (i, s) in scores.iter().enumerate() {
        if better(*s, scores[best]) {
            best = i;
        }
    }
    best
}

fn main() -> anyhow::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dataset/data");
    let devices: Vec<String> = std::env::args().skip(1).collect();
    let (k, inner) = (5usize, 4usize);
    for device in devices {
        let data = load(&root, &device)?;
        // The device's first metric (qed-usc: latency; NeurstrucEnergy: energy).
        let metric = data.kernels.first().map(|s| s.metric);
        let samples: Vec<&KernelSample> = data.kernels.iter().filter(|s| Some(s.metric) == metric).collect();
        // Kernel k-fold.
        let mut outer = Vec::new();
        let mut picks = Vec::new();
        for fold in 0..k {
            let train: Vec<&KernelSample> =
                samples.iter().enumerate().filter(|(i, _)| i % k != fold).map(|(_, s)| *s).collect();
            let test: Vec<&KernelSample> =
                samples.iter().enumerate().filter(|(i, _)| i % k == fold).map(|(_, s)| *s).collect();
            let mut scores = Vec::new();
            for c in 0..CANDIDATES.len() {
                let mut pairs = Vec::new();
                for f in 0..inner {
                    let tr: Vec<&KernelSample> =
                        train.iter().enumerate().filter(|(i, _)| i % inner != f).map(|(_, s)| *s).collect();
                    let te: Vec<&KernelSample> =
                        train.iter().enumerate().filter(|(i, _)| i % inner == f).map(|(_, s)| *s).collect();
                    pairs.extend(kernel_pairs(&tr, &te, c)?);
                }
                scores.push(score(&pairs));
            }
            let c = pick(&scores);
            picks.push(CANDIDATES[c].0);
            outer.extend(kernel_pairs(&train, &test, c)?);
        }
        let kern = score(&outer).0;
        // Leave-models-out.
        let groups = model_groups(&samples);
        if groups.is_empty() {
            println!(
                "{device}: nested kernel ±10% {:.1}% (inner picks: {})",
                100.0 * kern,
                picks.join(" | ")
            );
            continue;
        }
        let fold_of: BTreeMap<&str, usize> =
            groups.iter().enumerate().flat_map(|(g, ms)| ms.iter().map(move |m| (m.as_str(), g))).collect();
        let group = |s: &KernelSample| s.model.as_deref().and_then(|m| fold_of.get(m)).copied();
        let mut outer_m = Vec::new();
        let mut picks_m = Vec::new();
        for fold in 0..k {
            let train: Vec<&KernelSample> =
                samples.iter().filter(|s| group(s).is_none_or(|g| g % k != fold)).copied().collect();
            let test: Vec<&KernelSample> =
                samples.iter().filter(|s| group(s).is_some_and(|g| g % k == fold)).copied().collect();
            // Inner folds: the training groups in order, g mod inner.
            let mut train_groups: Vec<usize> = train.iter().filter_map(|s| group(s)).collect();
            train_groups.sort();
            train_groups.dedup();
            let inner_of: BTreeMap<usize, usize> =
                train_groups.iter().enumerate().map(|(i, g)| (*g, i % inner)).collect();
            let inner_fold = |s: &KernelSample| group(s).and_then(|g| inner_of.get(&g)).copied();
            let mut scores = Vec::new();
            for c in 0..CANDIDATES.len() {
                let mut pairs = Vec::new();
                for f in 0..inner {
                    let tr: Vec<&KernelSample> =
                        train.iter().filter(|s| inner_fold(s) != Some(f)).copied().collect();
                    let te: Vec<&KernelSample> =
                        train.iter().filter(|s| inner_fold(s) == Some(f)).copied().collect();
                    if !te.is_empty() {
                        pairs.extend(model_pairs(&tr, &te, c)?);
                    }
                }
                scores.push(score(&pairs));
            }
            let c = pick(&scores);
            picks_m.push(CANDIDATES[c].0);
            outer_m.extend(model_pairs(&train, &test, c)?);
        }
        let models = score(&outer_m).0;
        println!(
            "{device}: nested kernel ±10% {:.1}% (inner picks: {}); nested held-out models ±10% {:.1}% of {} (inner picks: {})",
            100.0 * kern,
            picks.join(" | "),
            100.0 * models,
            outer_m.len(),
            picks_m.join(" | ")
        );
    }
    Ok(())
}
