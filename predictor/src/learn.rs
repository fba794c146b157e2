//! What a device's forests learn from, per metric: its kernel measurements, or its whole-model
//! measurements through [`crate::from_models`] (kernel rows joining as direct targets).

use crate::data::{DeviceData, KernelSample, ModelSample};
use crate::error::{PredictorError, Result};
use crate::features::FeatureSet;
use crate::forests::Forests;
use crate::from_models::{ModelFitParams, fit_from_models};
use crate::params::ForestParams;
use einf_dataset::batch::Metric;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which measurements the forests of a metric learn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LearnFrom {
    /// Kernel measurements where the metric has any, else whole models.
    #[default]
    Auto,
    /// Kernel measurements only (a metric without any is not learned).
    Kernels,
    /// Whole-model measurements, with kernel measurements as direct targets.
    Models,
}

impl std::str::FromStr for LearnFrom {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<LearnFrom, String> {
        match s {
            "auto" => Ok(LearnFrom::Auto),
            "kernels" => Ok(LearnFrom::Kernels),
            "models" => Ok(LearnFrom::Models),
            _ => Err(format!("unknown learning source '{s}' (auto, kernels, models)")),
        }
    }
}

/// How a device's forests learn.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Learning {
    /// From what.
    pub from: LearnFrom,
    /// Whole-model learning's iterations.
    pub fit: ModelFitParams,
}

/// How the forests of one metric were learned from whole models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WholeModel {
    /// Models learned from.
    pub models: usize,
    /// Distinct kernels in them.
    pub distinct_kernels: usize,
    /// Kernel measurements that joined as direct targets.
    pub kernel_rows: usize,
    /// Mean relative error of the training models' kernel sums after each round.
    pub history: Vec<f64>,
    /// The round kept.
    pub best: usize,
}

/// Forests and, per metric learned from whole models, how.
#[derive(Debug, Clone, PartialEq)]
pub struct Learned {
    /// Every metric's forests.
    pub forests: Forests,
    /// Metrics learned from whole models.
    pub whole_model: BTreeMap<Metric, WholeModel>,
}

/// Whether the metric's forests learn from whole models.
pub fn from_models(learning: &Learning, kernels: &[&KernelSample]) -> bool {
    match learning.from {
        LearnFrom::Auto => kernels.is_empty(),
        LearnFrom::Kernels => false,
        LearnFrom::Models => true,
    }
}

/// The metrics a device's data can learn: those with kernel measurements, and those with model
/// measurements whose kernels are known.
pub fn learnable_metrics(data: &DeviceData) -> Vec<Metric> {
    Metric::ALL
        .into_iter()
        .filter(|m| {
            data.kernels.iter().any(|k| k.metric == *m)
                || data.models.iter().any(|s| s.metric == *m && !s.kernels.is_empty())
        })
        .collect()
}

/// Learn every metric's forests from `kernels` and `models` (a device's, or a fold's).
pub fn learn(
    kernels: &[&KernelSample],
    models: &[&ModelSample],
    metrics: &[Metric],
    params: &ForestParams,
    learning: &Learning,
) -> Result<Learned> {
    let mut by_kernels: Vec<&KernelSample> = Vec::new();
    let mut lists = Vec::new();
    let mut whole_model = BTreeMap::new();
    for &metric in metrics {
        let of: Vec<&KernelSample> = kernels.iter().copied().filter(|k| k.metric == metric).collect();
        if from_models(learning, &of) {
            let fit = fit_from_models(models, &of, metric, params, &learning.fit)?;
            whole_model.insert(
                metric,
                WholeModel {
                    models: fit.models,
                    distinct_kernels: fit.distinct_kernels,
                    kernel_rows: of.len(),
                    history: fit.history,
                    best: fit.best,
                },
            );
            lists.extend(fit.forests.list);
        }
    }
    // The kernel-learned metrics train together, in the data's order (as they always have).
    let kernel_metrics: Vec<Metric> =
        metrics.iter().copied().filter(|m| !whole_model.contains_key(m)).collect();
    by_kernels.extend(kernels.iter().copied().filter(|k| kernel_metrics.contains(&k.metric)));
    if by_kernels.is_empty() && lists.is_empty() {
        return Err(PredictorError::TrainingData(
            "nothing to learn from: no kernel measurements, and no model measurements with known kernels"
                .into(),
        ));
    }
    let mut forests = if by_kernels.is_empty() {
        Forests { params: params.clone(), set: FeatureSet::Einf, list: Vec::new() }
    } else {
        Forests::train(&by_kernels, params, FeatureSet::Einf)?
    };
    forests.list.extend(lists);
    forests.list.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(Learned { forests, whole_model })
}
