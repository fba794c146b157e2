//! Evaluation that cannot flatter itself: k-fold cross-validation on kernels, and leave-models-out
//! cross-validation where all kernels of a model (and of every model with the same architecture)
//! are held out together, scored per held-out kernel and per held-out model's kernel sum, each
//! against two baselines trained on the same folds:
//!
//! - **FLOPs**: per kernel kind, value = a·FLOPs (a = geometric mean of value/FLOPs over the
//!   training kernels of the kind; kinds without FLOPs use output bytes);
//! - **nn-Meter**: nn-Meter's features and TFLite-GPU forest hyperparameters, no target transform.
//!
//! Folds are deterministic. Kernels: the i-th kernel of the device's data goes to fold i mod k.
//! Models: models whose kernel sequences (base operators and configurations; the ops a runtime
//! linked into a kernel are left out, so squeezenet and squeezeresnet match) are identical form one group;
//! groups are sorted by their first model name and group g goes to fold g mod k.

use crate::calibrate::{Calibration, ModelTerms, Term};
use crate::data::{DeviceData, KernelSample};
use crate::error::Result;
use crate::features::{Family, FeatureSet, counts};
use crate::forests::{Forests, MetricName};
use crate::learn::{Learning, from_models, learnable_metrics};
use crate::params::ForestParams;
use crate::scores::Scores;
use crate::training_set::{ForestScope, KernelFolds};
use einf_parser::kernel::{KernelConfig, KernelKind};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// What to evaluate with.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalConfig {
    /// Folds.
    pub k: usize,
    /// einf's hyperparameters.
    pub params: ForestParams,
    /// The nn-Meter-style baseline's hyperparameters.
    pub baseline: ForestParams,
    /// Calibration terms.
    pub calibration: Vec<Term>,
    /// Whether to train the baselines (off: their scores are left empty).
    pub baselines: bool,
    /// What einf's forests learn from ([`crate::learn`]).
    pub learning: Learning,
}

/// Scores of einf and the two baselines on the same pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Compared {
    /// einf.
    pub einf: Scores,
    /// FLOPs-proportional per kind.
    pub flops: Scores,
    /// nn-Meter-style forest.
    pub nn_meter: Scores,
}

/// End-to-end comparison of held-out models.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct EndToEnd {
    /// einf's kernel sum, uncalibrated.
    pub kernel_sum: Scores,
    /// einf's kernel sum, calibrated on the training models.
    pub calibrated: Scores,
    /// Baseline: the same calibration form fitted with FLOPs in place of the kernel sum.
    pub flops: Scores,
}

/// Evaluation of one metric of one device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricEvaluation {
    /// Metric.
    pub metric: MetricName,
    /// k-fold on kernels, per kind and `all`.
    pub kernel_cv: BTreeMap<String, Compared>,
    /// Leave-models-out: predicted vs measured kernel sums of held-out models (when kernels were
    /// measured inside models).
    pub model_cv: Option<Compared>,
    /// Leave-models-out at kernel level: every kernel of the held-out models against its
    /// measurement, per kind and `all` (empty when kernels were not measured inside models).
    pub model_cv_kernels: BTreeMap<String, Compared>,
    /// Model groups (identical architectures) in the leave-models-out folds.
    pub model_groups: usize,
    /// Held-out models against their measured end-to-end cost.
    pub end_to_end: Option<EndToEnd>,
    /// (measured, predicted) kernel pairs of einf in the kernel folds, for plots.
    #[serde(skip)]
    pub kernel_points: Vec<(f64, f64)>,
    /// (measured, predicted) pairs of einf for the kernels of the held-out models, for plots.
    #[serde(skip)]
    pub model_kernel_points: Vec<(f64, f64)>,
}

/// Evaluation of a device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Device.
    pub device: String,
    /// Folds.
    pub k: usize,
    /// Per metric.
    pub metrics: Vec<MetricEvaluation>,
}

/// Per-kind FLOPs ratios (the FLOPs baseline), falling back to the base role and to all kernels.
struct FlopsBaseline {
    ratio: HashMap<ForestScope, f64>,
    all: f64,
}

fn work(kind: &KernelKind, c: &KernelConfig) -> f64 {
    let k = counts(kind, c);
    if k.flops > 0.0 { k.flops } else { (k.output_elements * k.element_bytes).max(1.0) }
}

impl FlopsBaseline {
    fn fit(train: &[&KernelSample]) -> FlopsBaseline {
        let mut acc: HashMap<ForestScope, (f64, usize)> = HashMap::new();
        let mut all = (0.0, 0usize);
        for s in train {
            let l = (s.value / work(&s.kind, &s.config)).ln();
            let scopes =
                std::iter::once(ForestScope::Kind(s.kind.clone())).chain(ForestScope::base_of(&s.kind));
            for scope in scopes {
                let e = acc.entry(scope).or_default();
                e.0 += l;
                e.1 += 1;
            }
            all.0 += l;
            all.1 += 1;
        }
        let mean = |(s, n): (f64, usize)| (s / n as f64).exp();
        FlopsBaseline {
            ratio: acc.into_iter().map(|(k, v)| (k, mean(v))).collect(),
            all: if all.1 > 0 { mean(all) } else { 0.0 },
        }
    }

    fn predict(&self, kind: &KernelKind, c: &KernelConfig) -> f64 {
        let r = self
            .ratio
            .get(&ForestScope::Kind(kind.clone()))
            .or_else(|| ForestScope::base_of(kind).and_then(|b| self.ratio.get(&b)))
            .copied()
            .unwrap_or(self.all);
        r * work(kind, c)
    }
}

/// Predictions of the three methods for some kernels.
#[derive(Default)]
struct Trio {
    einf: Vec<f64>,
    flops: Vec<f64>,
    nn: Vec<f64>,
}

/// Measured values and the three methods' predictions, per kernel kind and `all`.
#[derive(Default)]
struct PerKind(BTreeMap<String, (Vec<f64>, Trio)>);

impl PerKind {
    /// Add test kernel `i` of a fold's predictions `t`.
    fn push(&mut self, s: &KernelSample, t: &Trio, i: usize) {
        for key in [s.kind.to_string(), "all".to_string()] {
            let e = self.0.entry(key).or_default();
            e.0.push(s.value);
            e.1.einf.push(t.einf[i]);
            e.1.flops.push(t.flops[i]);
            e.1.nn.push(t.nn[i]);
        }
    }

    fn scores(&self) -> BTreeMap<String, Compared> {
        self.0.iter().map(|(kind, (m, t))| (kind.clone(), compared(m, t))).collect()
    }

    /// (measured, einf's prediction) of every kernel added, in the order added.
    fn einf_points(&self) -> Vec<(f64, f64)> {
        self.0
            .get("all")
            .map_or_else(Vec::new, |(m, t)| m.iter().copied().zip(t.einf.iter().copied()).collect())
    }
}

fn fit_and_predict(
    train: &[&KernelSample],
    test: &[&KernelSample],
    metric: MetricName,
    cfg: &EvalConfig,
) -> Result<Trio> {
    let einf = Forests::train(train, &cfg.params, FeatureSet::Einf)?;
    let nn =
        if cfg.baselines { Some(Forests::train(train, &cfg.baseline, FeatureSet::NnMeter)?) } else { None };
    let fl = FlopsBaseline::fit(train);
    let mut out = Trio { einf: Vec::new(), flops: Vec::new(), nn: Vec::new() };
    for (i, s) in test.iter().enumerate() {
        let name = format!("held-out kernel {i}");
        out.einf.push(einf.predict(&s.kind, &s.config, metric, &name)?.map_or(0.0, |e| e.value));
        let baseline = match &nn {
            Some(nn) => nn.predict(&s.kind, &s.config, metric, &name)?.map_or(0.0, |e| e.value.max(0.0)),
            None => f64::NAN,
        };
        out.nn.push(baseline);
        out.flops.push(fl.predict(&s.kind, &s.config));
    }
    Ok(out)
}

fn compared(measured: &[f64], t: &Trio) -> Compared {
    // A baseline that was not trained (NaN predictions) scores as empty.
    let pairs = |p: &[f64]| {
        measured.iter().copied().zip(p.iter().copied()).filter(|(_, p)| !p.is_nan()).collect::<Vec<_>>()
    };
    Compared {
        einf: Scores::of(&pairs(&t.einf)),
        flops: Scores::of(&pairs(&t.flops)),
        nn_meter: Scores::of(&pairs(&t.nn)),
    }
}

/// Groups of models with identical kernel sequences, sorted by first model name.
pub fn model_groups(samples: &[&KernelSample]) -> Vec<Vec<String>> {
    let mut seq: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for s in samples {
        if let Some(m) = &s.model {
            seq.entry(m.as_str()).or_default().push(layer_key(&s.kind, &s.config));
        }
    }
    groups_of_sequences(seq)
}

/// A kernel as it counts for "the same architecture": its base operator and configuration (the
/// ops a runtime linked into it are left out).
pub(crate) fn layer_key(kind: &KernelKind, config: &KernelConfig) -> String {
    format!("{} {config}", kind.base().map(|r| r.to_string()).unwrap_or_default())
}

/// Models (by name, each once) with identical layer sequences, grouped: each group sorted, the
/// groups sorted.
pub(crate) fn groups_of_sequences<'a>(
    seqs: impl IntoIterator<Item = (&'a str, Vec<String>)>,
) -> Vec<Vec<String>> {
    let mut by_seq: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for (m, s) in seqs {
        by_seq.entry(s).or_default().push(m.to_string());
    }
    let mut groups: Vec<Vec<String>> = by_seq.into_values().collect();
    for g in groups.iter_mut() {
        g.sort();
    }
    groups.sort();
    groups
}

/// Evaluate every metric of a device.
pub fn evaluate(data: &DeviceData, cfg: &EvalConfig) -> Result<Evaluation> {
    let mut metrics = Vec::new();
    for metric in learnable_metrics(data) {
        let samples: Vec<&KernelSample> = data.kernels.iter().filter(|s| s.metric == metric).collect();
        if from_models(&cfg.learning, &samples) {
            metrics.push(crate::eval_models::evaluate_from_models(data, &samples, metric, cfg)?);
        } else if !samples.is_empty() {
            metrics.push(evaluate_metric(data, &samples, metric, cfg)?);
        }
    }
    Ok(Evaluation { device: data.device.name.clone(), k: cfg.k, metrics })
}

fn evaluate_metric(
    data: &DeviceData,
    samples: &[&KernelSample],
    metric: MetricName,
    cfg: &EvalConfig,
) -> Result<MetricEvaluation> {
    let folds = KernelFolds::new(cfg.k.max(2))?;
    let k = folds.k();
    // k-fold on kernels.
    let mut per_kind = PerKind::default();
    for fold in 0..k {
        let (train, test) = folds.split(samples, fold);
        let t = fit_and_predict(&train, &test, metric, cfg)?;
        for (i, s) in test.iter().enumerate() {
            per_kind.push(s, &t, i);
        }
    }
    let kernel_cv = per_kind.scores();

    let e2e: BTreeMap<&str, f64> =
        data.models.iter().filter(|m| m.metric == metric).map(|m| (m.name.as_str(), m.value)).collect();
    let groups = model_groups(samples);
    let (model_cv, model_kernels, end_to_end) = if !groups.is_empty() {
        leave_models_out(samples, &groups, &e2e, metric, cfg, k)?
    } else if !e2e.is_empty() {
        (None, PerKind::default(), Some(leave_one_model_out(data, samples, metric, cfg)?))
    } else {
        (None, PerKind::default(), None)
    };
    Ok(MetricEvaluation {
        metric,
        kernel_cv,
        model_cv,
        model_cv_kernels: model_kernels.scores(),
        model_groups: groups.len(),
        end_to_end,
        kernel_points: per_kind.einf_points(),
        model_kernel_points: model_kernels.einf_points(),
    })
}

/// Per model: (measured kernel sum, kernel count, FLOPs).
fn model_sums(samples: &[&KernelSample]) -> BTreeMap<String, ModelTerms> {
    let mut out: BTreeMap<String, ModelTerms> = BTreeMap::new();
    for s in samples {
        if let Some(m) = &s.model {
            let t = out.entry(m.clone()).or_default();
            t.kernel_sum += s.value;
            t.kernels += 1.0;
            t.other_elements += counts(&s.kind, &s.config).flops;
        }
    }
    out
}

type ModelCv = (Option<Compared>, PerKind, Option<EndToEnd>);

fn leave_models_out(
    samples: &[&KernelSample],
    groups: &[Vec<String>],
    e2e: &BTreeMap<&str, f64>,
    metric: MetricName,
    cfg: &EvalConfig,
    k: usize,
) -> Result<ModelCv> {
    let fold_of: BTreeMap<&str, usize> =
        groups.iter().enumerate().flat_map(|(g, ms)| ms.iter().map(move |m| (m.as_str(), g % k))).collect();
    let measured = model_sums(samples);
    let (mut meas, mut trio) = (Vec::new(), Trio::default());
    let mut kernels = PerKind::default();
    let mut e2e_pairs: [Vec<(f64, f64)>; 3] = Default::default();
    for fold in 0..k {
        let in_fold = |s: &&KernelSample| s.model.as_deref().and_then(|m| fold_of.get(m)) == Some(&fold);
        let train: Vec<&KernelSample> = samples.iter().filter(|s| !in_fold(s)).copied().collect();
        let test: Vec<&KernelSample> = samples.iter().filter(|s| in_fold(s)).copied().collect();
        if test.is_empty() {
            continue;
        }
        let t = fit_and_predict(&train, &test, metric, cfg)?;
        let mut pred: BTreeMap<&str, [f64; 3]> = BTreeMap::new();
        for (i, s) in test.iter().enumerate() {
            kernels.push(s, &t, i);
            let e = pred.entry(s.model.as_deref().unwrap_or_default()).or_default();
            e[0] += t.einf[i];
            e[1] += t.flops[i];
            e[2] += t.nn[i];
        }
        for (m, p) in &pred {
            meas.push(measured.get(*m).map_or(0.0, |t| t.kernel_sum));
            trio.einf.push(p[0]);
            trio.flops.push(p[1]);
            trio.nn.push(p[2]);
        }
        // Calibration on the training models' measured kernel sums.
        let train_models: Vec<(ModelTerms, f64)> = measured
            .iter()
            .filter(|(m, _)| fold_of.get(m.as_str()) != Some(&fold))
            .filter_map(|(m, t)| e2e.get(m.as_str()).map(|y| (*t, *y)))
            .collect();
        if train_models.len() > cfg.calibration.len() + 1 {
            let cal = Calibration::fit(&cfg.calibration, &train_models)?;
            let flops_terms: Vec<(ModelTerms, f64)> = train_models
                .iter()
                .map(|(t, y)| (ModelTerms { kernel_sum: t.other_elements, ..*t }, *y))
                .collect();
            let cal_flops = Calibration::fit(&cfg.calibration, &flops_terms)?;
            for (m, p) in &pred {
                let (Some(y), Some(t)) = (e2e.get(m), measured.get(*m)) else { continue };
                let terms = ModelTerms { kernel_sum: p[0], ..*t };
                e2e_pairs[0].push((*y, p[0]));
                e2e_pairs[1].push((*y, cal.apply(&terms)));
                e2e_pairs[2].push((*y, cal_flops.apply(&ModelTerms { kernel_sum: t.other_elements, ..*t })));
            }
        }
    }
    let end_to_end = (!e2e_pairs[0].is_empty()).then(|| EndToEnd {
        kernel_sum: Scores::of(&e2e_pairs[0]),
        calibrated: Scores::of(&e2e_pairs[1]),
        flops: Scores::of(&e2e_pairs[2]),
    });
    Ok((Some(compared(&meas, &trio)), kernels, end_to_end))
}

/// Models whose kernels were not measured in them (NeurstrucEnergy): the kernel forests are trained
/// on the layer data once; each model is predicted with a calibration fitted on the other models.
fn leave_one_model_out(
    data: &DeviceData,
    samples: &[&KernelSample],
    metric: MetricName,
    cfg: &EvalConfig,
) -> Result<EndToEnd> {
    let forests = Forests::train(samples, &cfg.params, FeatureSet::Einf)?;
    let mut rows: Vec<(ModelTerms, ModelTerms, f64)> = Vec::new();
    for m in data.models.iter().filter(|m| m.metric == metric) {
        let mut sum = 0.0;
        let mut flops = 0.0;
        for (i, (kind, cfg_k)) in m.kernels.iter().enumerate() {
            sum += forests
                .predict(kind, cfg_k, metric, &format!("{} kernel {i}", m.name))?
                .map_or(0.0, |e| e.value);
            if Family::of(kind) == Family::Conv {
                flops += counts(kind, cfg_k).flops;
            }
        }
        let t = ModelTerms { kernel_sum: sum, kernels: m.kernels.len() as f64, other_elements: 0.0 };
        rows.push((t, ModelTerms { kernel_sum: flops / 1e9, ..t }, m.value));
    }
    let mut pairs: [Vec<(f64, f64)>; 3] = Default::default();
    for i in 0..rows.len() {
        let train: Vec<(ModelTerms, f64)> =
            rows.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, r)| (r.0, r.2)).collect();
        let train_f: Vec<(ModelTerms, f64)> =
            rows.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, r)| (r.1, r.2)).collect();
        let cal = Calibration::fit(&cfg.calibration, &train)?;
        let cal_f = Calibration::fit(&cfg.calibration, &train_f)?;
        let (t, tf, y) = rows[i];
        pairs[0].push((y, t.kernel_sum));
        pairs[1].push((y, cal.apply(&t)));
        pairs[2].push((y, cal_f.apply(&tf)));
    }
    Ok(EndToEnd {
        kernel_sum: Scores::of(&pairs[0]),
        calibrated: Scores::of(&pairs[1]),
        flops: Scores::of(&pairs[2]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use einf_dataset::batch::{Device, DeviceClass, Metric};

    /// SYNTHETIC: 12 models of 15 convolutions each (cost ∝ MACs with a wobble); models 2i and
    /// 2i+1 share an architecture, so the leave-models-out folds hold them out together.
    fn synthetic() -> DeviceData {
        let mut kernels = Vec::new();
        for m in 0..12u64 {
            let arch = m / 2;
            for l in 0..15u64 {
                let c = 8 + 8 * ((arch * 7 + l * 3) % 16);
                let hw = 7 << (l % 4);
                let config = KernelConfig {
                    input_h: hw,
                    input_w: hw,
                    output_h: hw,
                    output_w: hw,
                    cin: c,
                    cout: c,
                    kernel_h: 3,
                    kernel_w: 3,
                    pads: [1; 4],
                    ..KernelConfig::neutral()
                };
                let macs = (hw * hw * c * c * 9) as f64;
                kernels.push(KernelSample {
                    model: Some(format!("model{m:02}")),
                    kind: "conv-bn-relu".parse().unwrap_or_else(|_| unreachable!()),
                    config,
                    metric: Metric::Latency,
                    value: 1e-8 * macs * (1.0 + 0.05 * ((m + l) % 5) as f64),
                    source_id: None,
                });
            }
        }
        DeviceData::of_kernels(Device::named("synthetic", DeviceClass::Gpu), "tflite-gpu", kernels)
    }

    #[test]
    fn every_kernel_of_every_held_out_model_is_scored_and_plotted() {
        let data = synthetic();
        let params = ForestParams { n_trees: 4, max_depth: 8, ..ForestParams::einf() };
        let cfg = EvalConfig {
            k: 3,
            params: params.clone(),
            baseline: params,
            calibration: vec![],
            baselines: false,
            learning: Learning::default(),
        };
        let eval = evaluate(&data, &cfg).unwrap_or_else(|e| unreachable!("{e}"));
        let m = &eval.metrics[0];
        assert_eq!(m.model_groups, 6);
        let all = &m.model_cv_kernels["all"];
        assert_eq!(all.einf.n, data.kernels.len());
        assert_eq!(m.model_kernel_points.len(), data.kernels.len());
        // The same measurements, each once, in another order (fold by fold).
        let mut measured: Vec<f64> = m.model_kernel_points.iter().map(|p| p.0).collect();
        let mut want: Vec<f64> = data.kernels.iter().map(|k| k.value).collect();
        measured.sort_by(f64::total_cmp);
        want.sort_by(f64::total_cmp);
        assert_eq!(measured, want);
        assert!(m.model_kernel_points.iter().all(|p| p.1 > 0.0));
        // The held-out models' kernel sums are scored too, one per model.
        assert_eq!(m.model_cv.map(|c| c.einf.n), Some(12));
    }
}
