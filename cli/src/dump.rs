//! `einf train --dump-features DIR`: the training sets of a device's forests as CSV, for
//! training the same forests elsewhere (predictor/tools/sklearn_timing.py trains them with
//! scikit-learn). One file per forest, `<kind>.<metric>.csv` (`base:conv` → `base-conv`), with the
//! feature columns in the forest's order and `target`, the value the forest fits (the transformed
//! measurement); `params.json` holds the hyperparameters.

use anyhow::{Context, Result};
use einf_predictor::data::DeviceData;
use einf_predictor::features::{Family, FeatureSet, features};
use einf_predictor::forests::{MetricName, base_key, scale};
use einf_predictor::params::ForestParams;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Rows of one forest: its family and (features, target) rows.
type Rows = (Family, Vec<(Vec<f64>, f64)>);

/// The training set of every forest `Forests::train` fits on `data` with `params` (the same
/// grouping: a kind's own forest from `min_kind_samples` samples, and its base operator's).
pub fn training_sets(
    data: &DeviceData,
    params: &ForestParams,
) -> Result<BTreeMap<(String, MetricName), Rows>> {
    let mut kind_counts: BTreeMap<(String, MetricName), usize> = BTreeMap::new();
    for s in &data.kernels {
        *kind_counts.entry((s.kind.to_string(), s.metric)).or_default() += 1;
    }
    let mut sets: BTreeMap<(String, MetricName), Rows> = BTreeMap::new();
    for (i, s) in data.kernels.iter().enumerate() {
        let metric = s.metric;
        let x = features(&s.kind, &s.config, FeatureSet::Einf, &format!("sample {i}"))?;
        let t = params.target.forward(s.value / scale(params.target, metric, &s.kind, &s.config));
        let own = kind_counts.get(&(s.kind.to_string(), metric)).copied().unwrap_or(0)
            >= params.min_kind_samples as usize;
        let mut keys = vec![(base_key(&s.kind), metric)];
        if own {
            keys.push((s.kind.to_string(), metric));
        }
        for key in keys {
            let e = sets.entry(key).or_insert_with(|| (Family::of(&s.kind), Vec::new()));
            e.1.push((x.clone(), t));
        }
    }
    Ok(sets)
}

/// Write the training sets and hyperparameters to `dir`; returns the number of files and rows.
pub fn dump(data: &DeviceData, params: &ForestParams, dir: &Path) -> Result<(usize, usize)> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let sets = training_sets(data, params)?;
    let mut rows = 0;
    for ((kind, metric), (family, set)) in &sets {
        let mut text = family.names(FeatureSet::Einf).join(",");
        text.push_str(",target\n");
        for (x, t) in set {
            for v in x {
                let _ = write!(text, "{v:?},");
            }
            let _ = writeln!(text, "{t:?}");
        }
        rows += set.len();
        let path = dir.join(format!("{}.{}.csv", kind.replace(':', "-"), metric.name()));
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let path = dir.join("params.json");
    let json = serde_json::json!({ "device": data.device.name, "params": params });
    std::fs::write(&path, serde_json::to_string_pretty(&json)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok((sets.len(), rows))
}
