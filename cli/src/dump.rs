//! `einf train --dump-features DIR`: the training sets of a device's forests as CSV, for
//! training the same forests elsewhere (predictor/tools/sklearn_timing.py trains them with
//! scikit-learn). One file per forest, `<kind>.<metric>.csv` (`base:conv` → `base-conv`), with the
//! feature columns in the forest's order and `target`, the value the forest fits (the transformed
//! measurement); `params.json` holds the hyperparameters.

use anyhow::{Context, Result};
use einf_predictor::data::{DeviceData, KernelSample};
use einf_predictor::features::FeatureSet;
use einf_predictor::params::ForestParams;
use einf_predictor::training_set::training_sets;
use std::fmt::Write as _;
use std::path::Path;

/// Write the training sets and hyperparameters to `dir`; returns the number of files and rows.
pub fn dump(data: &DeviceData, params: &ForestParams, dir: &Path) -> Result<(usize, usize)> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let samples: Vec<&KernelSample> = data.kernels.iter().collect();
    let sets = training_sets(&samples, params, FeatureSet::Einf)?;
    let mut rows = 0;
    for (key, set) in &sets {
        let mut text = set.family.names(FeatureSet::Einf).join(",");
        text.push_str(",target\n");
        for (x, y) in set.x.iter().zip(&set.y) {
            for v in x {
                let _ = write!(text, "{v:?},");
            }
            let _ = writeln!(text, "{:?}", params.target.forward(*y));
        }
        rows += set.y.len();
        let name = key.scope.to_string().replace(':', "-");
        let path = dir.join(format!("{name}.{}.csv", key.metric.name()));
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    let path = dir.join("params.json");
    let json = serde_json::json!({ "device": data.device.name, "params": params });
    std::fs::write(&path, serde_json::to_string_pretty(&json)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok((sets.len(), rows))
}
