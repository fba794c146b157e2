//! A device predictor: its forests, calibration and metadata, trained from a device's data.

use crate::calibrate::{Calibration, ModelTerms, Term};
use crate::data::DeviceData;
use crate::error::{PredictorError, Result};
use crate::eval::{EvalConfig, Evaluation, evaluate};
use crate::features::FeatureSet;
use crate::forests::{ForestScope, Forests, MetricName};
use crate::learn::{Learned, Learning, WholeModel, learn, learnable_metrics};
use crate::params::ForestParams;
use crate::scores::Scores;
use einf_dataset::batch::Device;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// einf's version, written into every predictor file.
pub const EINF_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A short account of how well the predictor did in cross-validation when it was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalSummary {
    /// Folds.
    pub k: usize,
    /// Metric → k-fold on kernels, all kinds.
    pub kernel_cv: BTreeMap<MetricName, Scores>,
    /// Metric → leave-models-out, every kernel of the held-out models, all kinds.
    #[serde(default)]
    pub model_cv_kernels: BTreeMap<MetricName, Scores>,
    /// Metric → leave-models-out kernel sums of held-out models.
    pub model_cv: BTreeMap<MetricName, Scores>,
    /// Metric → held-out models against end-to-end measurements, calibrated.
    pub end_to_end: BTreeMap<MetricName, Scores>,
}

impl EvalSummary {
    /// Summarise an evaluation.
    pub fn of(e: &Evaluation) -> EvalSummary {
        let mut s = EvalSummary {
            k: e.k,
            kernel_cv: BTreeMap::new(),
            model_cv_kernels: BTreeMap::new(),
            model_cv: BTreeMap::new(),
            end_to_end: BTreeMap::new(),
        };
        for m in &e.metrics {
            if let Some(all) = m.kernel_cv.get("all") {
                s.kernel_cv.insert(m.metric, all.einf);
            }
            if let Some(all) = m.model_cv_kernels.get("all") {
                s.model_cv_kernels.insert(m.metric, all.einf);
            }
            if let Some(c) = &m.model_cv {
                s.model_cv.insert(m.metric, c.einf);
            }
            if let Some(c) = &m.end_to_end {
                s.end_to_end.insert(m.metric, c.calibrated);
            }
        }
        s
    }
}

/// Everything about a predictor except its trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// einf version that trained it.
    pub einf_version: String,
    /// The device.
    pub device: Device,
    /// Parser backend whose fusion rules match the device's runtime.
    pub backend: String,
    /// Hyperparameters.
    pub params: ForestParams,
    /// Feature definitions.
    pub feature_set: FeatureSet,
    /// sha256 of the training data files.
    pub training_sha256: String,
    /// The training data files (relative to the data folder).
    pub sources: Vec<String>,
    /// Kernel measurements trained on.
    pub kernel_samples: usize,
    /// Model-level calibration per metric.
    pub calibration: BTreeMap<MetricName, Calibration>,
    /// Cross-validation summary.
    pub evaluation: Option<EvalSummary>,
    /// Metrics whose forests were learned from whole-model measurements, and how.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub whole_model: BTreeMap<MetricName, WholeModel>,
}

/// A trained device predictor.
#[derive(Debug, Clone, PartialEq)]
pub struct DevicePredictor {
    /// Metadata.
    pub meta: Meta,
    /// Forests.
    pub forests: Forests,
}

/// The calibration terms used for a device's data: kernel sum, kernel count and intercept when
/// kernels were measured inside the models (dispatch per kernel is what the sum misses); kernel
/// sum, the elements touched by layers without a forest, and intercept otherwise. A device
/// measured as whole models only is calibrated like one with kernels measured inside them.
pub fn calibration_terms(data: &DeviceData) -> Vec<Term> {
    let measured_inside = data.kernels.iter().any(|k| k.model.is_some());
    let models_only = data.kernels.is_empty() && data.models.iter().any(|m| !m.kernels.is_empty());
    if measured_inside || models_only {
        vec![Term::KernelSum, Term::Kernels, Term::Intercept]
    } else {
        vec![Term::KernelSum, Term::Intercept]
    }
}

impl DevicePredictor {
    /// Train on a device's data. With `eval_k`, cross-validate einf (no baselines) first and keep
    /// the summary in the file.
    pub fn train(data: &DeviceData, params: &ForestParams, eval_k: Option<usize>) -> Result<DevicePredictor> {
        Self::train_with(data, params, &Learning::default(), eval_k)
    }

    /// [`DevicePredictor::train`], learning each metric as `learning` says ([`crate::learn`]).
    pub fn train_with(
        data: &DeviceData,
        params: &ForestParams,
        learning: &Learning,
        eval_k: Option<usize>,
    ) -> Result<DevicePredictor> {
        let metrics = learnable_metrics(data);
        if metrics.is_empty() {
            return Err(PredictorError::TrainingData(format!(
                "no kernel measurements, and no model measurements with known kernels, for {}",
                data.device.name
            )));
        }
        let kernels: Vec<_> = data.kernels.iter().collect();
        let models: Vec<_> = data.models.iter().collect();
        let Learned { forests, whole_model } = learn(&kernels, &models, &metrics, params, learning)?;
        let terms = calibration_terms(data);
        let mut calibration = BTreeMap::new();
        // Power does not add up over kernels, so no kernel sum calibrates it.
        for metric in forests.metrics().into_iter().filter(|m| *m != MetricName::Power) {
            let m: MetricName = metric;
            let rows = model_rows(data, &forests, m)?;
            if rows.len() > terms.len() + 1 {
                calibration.insert(m, Calibration::fit(&terms, &rows)?);
            }
        }
        let evaluation = match eval_k {
            Some(k) => {
                let cfg = EvalConfig {
                    k,
                    params: params.clone(),
                    baseline: params.clone(),
                    calibration: terms.clone(),
                    baselines: false,
                    learning: *learning,
                };
                Some(EvalSummary::of(&evaluate(data, &cfg)?))
            }
            None => None,
        };
        let meta = Meta {
            einf_version: EINF_VERSION.to_string(),
            device: data.device.clone(),
            backend: data.backend.clone(),
            params: params.clone(),
            feature_set: FeatureSet::Einf,
            training_sha256: data.sha256.clone(),
            sources: data.sources.clone(),
            kernel_samples: data.kernels.len(),
            calibration,
            evaluation,
            whole_model,
        };
        Ok(DevicePredictor { meta, forests })
    }

    /// Per metric, the kernel samples its forests learned from (each kernel once, whatever the
    /// forests it joined); for a metric learned from whole models, the distinct kernels of those
    /// models.
    pub fn kernel_samples_per_metric(&self) -> BTreeMap<MetricName, u64> {
        let mut out: BTreeMap<MetricName, u64> = BTreeMap::new();
        for f in self.forests.list.iter().filter(|f| matches!(f.key.scope, ForestScope::Base(_))) {
            *out.entry(f.key.metric).or_default() += u64::from(f.samples);
        }
        out
    }

    /// The device name.
    pub fn name(&self) -> &str {
        &self.meta.device.name
    }
}

/// Calibration rows of a device: per model with an end-to-end measurement, its measured kernel sum
/// when its kernels were measured, else the forests' kernel sum.
fn model_rows(data: &DeviceData, forests: &Forests, metric: MetricName) -> Result<Vec<(ModelTerms, f64)>> {
    let mut measured: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for k in data.kernels.iter().filter(|k| k.metric == metric) {
        if let Some(m) = &k.model {
            let e = measured.entry(m.as_str()).or_default();
            e.0 += k.value;
            e.1 += 1.0;
        }
    }
    let mut rows = Vec::new();
    for m in data.models.iter().filter(|m| m.metric == metric) {
        let terms = if let Some((sum, n)) = measured.get(m.name.as_str()) {
            ModelTerms { kernel_sum: *sum, kernels: *n, other_elements: 0.0 }
        } else {
            let mut sum = 0.0;
            for (i, (kind, cfg)) in m.kernels.iter().enumerate() {
                let name = format!("{} kernel {i}", m.name);
                sum += forests.predict(kind, cfg, metric, &name)?.map_or(0.0, |e| e.value);
            }
            ModelTerms { kernel_sum: sum, kernels: m.kernels.len() as f64, other_elements: 0.0 }
        };
        rows.push((terms, m.value));
    }
    Ok(rows)
}
