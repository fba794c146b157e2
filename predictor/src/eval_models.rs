//! Evaluation of a metric learned from whole models ([`crate::from_models`]): leave-models-out
//! over the measured models. Models whose kernel sequences (base operators and configurations)
//! are identical form one group; groups are sorted by their first model name and group g goes to
//! fold g mod k, as in [`crate::eval`]. Each fold learns the kernel forests from the other folds'
//! models (and the kernels measured outside the held-out models), fits the calibration on the
//! training models' predicted kernel sums, and predicts the held-out models; the FLOPs baseline
//! fits the same calibration with the models' FLOPs in place of the kernel sum.

use crate::calibrate::{Calibration, ModelTerms};
use crate::data::{DeviceData, KernelSample, ModelSample};
use crate::error::Result;
use crate::eval::{EndToEnd, EvalConfig, MetricEvaluation, groups_of_sequences, layer_key};
use crate::features::counts;
use crate::forests::Forests;
use crate::from_models::fit_from_models;
use crate::scores::Scores;
use einf_dataset::batch::Metric;
use std::collections::BTreeMap;

/// Groups of models with identical kernel sequences, sorted by first model name.
pub fn model_groups(models: &[&ModelSample]) -> Vec<Vec<String>> {
    groups_of_sequences(
        models
            .iter()
            .map(|m| (m.name.as_str(), m.kernels.iter().map(|(kind, c)| layer_key(kind, c)).collect())),
    )
}

/// A model's calibration terms (predicted kernel sum, kernel count) and FLOPs.
fn terms(forests: &Forests, m: &ModelSample, metric: Metric) -> Result<(ModelTerms, f64)> {
    let (mut sum, mut flops) = (0.0, 0.0);
    for (i, (kind, config)) in m.kernels.iter().enumerate() {
        let name = format!("{} kernel {i}", m.name);
        sum += forests.predict(kind, config, metric, &name)?.map_or(0.0, |e| e.value);
        flops += counts(kind, config).flops;
    }
    Ok((ModelTerms { kernel_sum: sum, kernels: m.kernels.len() as f64, other_elements: 0.0 }, flops))
}

/// Leave-models-out evaluation of `metric` learned from `data`'s whole models (`kernels`: the
/// metric's kernel measurements, joining as direct targets).
pub fn evaluate_from_models(
    data: &DeviceData,
    kernels: &[&KernelSample],
    metric: Metric,
    cfg: &EvalConfig,
) -> Result<MetricEvaluation> {
    let k = cfg.k.max(2);
    let models: Vec<&ModelSample> =
        data.models.iter().filter(|m| m.metric == metric && !m.kernels.is_empty()).collect();
    let groups = model_groups(&models);
    let fold_of: BTreeMap<&str, usize> =
        groups.iter().enumerate().flat_map(|(g, ms)| ms.iter().map(move |m| (m.as_str(), g % k))).collect();
    let mut pairs: [Vec<(f64, f64)>; 3] = Default::default();
    for fold in 0..k {
        let held = |name: &str| fold_of.get(name) == Some(&fold);
        let (test, train): (Vec<&ModelSample>, Vec<&ModelSample>) =
            models.iter().partition(|m| held(&m.name));
        if test.is_empty() || train.is_empty() {
            continue;
        }
        let direct: Vec<&KernelSample> =
            kernels.iter().copied().filter(|s| !s.model.as_deref().is_some_and(held)).collect();
        let fit = fit_from_models(&train, &direct, metric, &cfg.params, &cfg.learning.fit)?;
        let rows = |ms: &[&ModelSample]| -> Result<Vec<(ModelTerms, f64, f64)>> {
            ms.iter().map(|m| terms(&fit.forests, m, metric).map(|(t, f)| (t, f, m.value))).collect()
        };
        let (train_rows, test_rows) = (rows(&train)?, rows(&test)?);
        let enough = train_rows.len() > cfg.calibration.len() + 1;
        let fitted = |flops: bool| -> Result<Option<Calibration>> {
            if !enough {
                return Ok(None);
            }
            let xy: Vec<(ModelTerms, f64)> = train_rows
                .iter()
                .map(|(t, f, y)| (if flops { ModelTerms { kernel_sum: *f, ..*t } } else { *t }, *y))
                .collect();
            Calibration::fit(&cfg.calibration, &xy).map(Some)
        };
        let (cal, cal_flops) = (fitted(false)?, fitted(true)?);
        for (t, f, y) in &test_rows {
            pairs[0].push((*y, t.kernel_sum));
            if let (Some(c), Some(cf)) = (&cal, &cal_flops) {
                pairs[1].push((*y, c.apply(t)));
                pairs[2].push((*y, cf.apply(&ModelTerms { kernel_sum: *f, ..*t })));
            }
        }
    }
    let end_to_end = (!pairs[0].is_empty()).then(|| EndToEnd {
        kernel_sum: Scores::of(&pairs[0]),
        calibrated: Scores::of(&pairs[1]),
        flops: Scores::of(&pairs[2]),
    });
    Ok(MetricEvaluation {
        metric,
        kernel_cv: BTreeMap::new(),
        model_cv: None,
        model_cv_kernels: BTreeMap::new(),
        model_groups: groups.len(),
        end_to_end,
        kernel_points: Vec::new(),
        model_kernel_points: Vec::new(),
    })
}
