//! The forests of one device: one per (kernel kind, metric) with enough samples, plus one per
//! (base role, metric) that covers the rarer kinds sharing that base (`conv-bn-relu-add` falls
//! back to the `conv` forest, which sees how many ops were fused as a feature).

use crate::data::KernelSample;
use crate::error::{PredictorError, Result};
use crate::features::{Family, FeatureSet, features};
use crate::forest::FlatForest;
use crate::params::ForestParams;
use crate::train::fit;
use einf_dataset::batch::Metric;
use einf_parser::kernel::{KernelConfig, KernelKind};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Kinds with fewer samples than this get no forest of their own.
pub const MIN_KIND_SAMPLES: usize = 30;

/// Prefix of a fallback forest's key: `base:conv`.
pub const BASE_PREFIX: &str = "base:";

/// What a forest predicts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ForestKey {
    /// A kernel kind (`conv-bn-relu`) or a base role (`base:conv`).
    pub kind: String,
    /// The metric.
    pub metric: MetricName,
}

/// A metric, ordered and serialisable as a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricName {
    /// Energy, mJ.
    Energy,
    /// Latency, ms.
    Latency,
    /// Power, mW.
    Power,
}

impl From<Metric> for MetricName {
    fn from(m: Metric) -> Self {
        match m {
            Metric::Energy => MetricName::Energy,
            Metric::Latency => MetricName::Latency,
            Metric::Power => MetricName::Power,
        }
    }
}

impl MetricName {
    /// The unit values are in.
    pub fn unit(self) -> &'static str {
        match self {
            MetricName::Energy => "mJ",
            MetricName::Latency => "ms",
            MetricName::Power => "mW",
        }
    }

    /// The name (`energy`).
    pub fn name(self) -> &'static str {
        match self {
            MetricName::Energy => "energy",
            MetricName::Latency => "latency",
            MetricName::Power => "power",
        }
    }
}

impl std::str::FromStr for MetricName {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "energy" => Ok(MetricName::Energy),
            "latency" => Ok(MetricName::Latency),
            "power" => Ok(MetricName::Power),
            _ => Err(format!("unknown metric '{s}' (energy, latency, power)")),
        }
    }
}

/// One fitted forest with what it needs at prediction time.
#[derive(Debug, Clone, PartialEq)]
pub struct KindForest {
    /// Kind and metric.
    pub key: ForestKey,
    /// Feature family.
    pub family: Family,
    /// Feature names, in the order the trees index them.
    pub features: Vec<String>,
    /// Training samples.
    pub samples: u32,
    /// The trees (outputs in the transformed target).
    pub forest: FlatForest,
}

/// All forests of a device.
#[derive(Debug, Clone, PartialEq)]
pub struct Forests {
    /// Hyperparameters shared by every forest.
    pub params: ForestParams,
    /// Feature definitions.
    pub set: FeatureSet,
    /// Forests, sorted by key.
    pub list: Vec<KindForest>,
}

/// The key of the fallback forest of a kind.
pub fn base_key(kind: &KernelKind) -> String {
    format!("{BASE_PREFIX}{}", kind.base().map(|r| r.to_string()).unwrap_or_default())
}

/// A kernel's prediction in the measured unit.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelEstimate {
    /// Point estimate: the inverse transform of the trees' mean.
    pub value: f64,
    /// Each tree's output in the measured unit.
    pub trees: Vec<f64>,
    /// Whether the base-role fallback forest answered (no forest for the kind itself).
    pub fallback: bool,
}

impl Forests {
    /// Train every forest from `samples` (in parallel over forests).
    pub fn train(samples: &[&KernelSample], params: &ForestParams, set: FeatureSet) -> Result<Forests> {
        params.validate()?;
        type Group = (Family, Vec<Vec<f64>>, Vec<f64>);
        let mut groups: BTreeMap<ForestKey, Group> = BTreeMap::new();
        let mut kind_counts: BTreeMap<(String, MetricName), usize> = BTreeMap::new();
        for s in samples {
            *kind_counts.entry((s.kind.to_string(), s.metric.into())).or_default() += 1;
        }
        for (i, s) in samples.iter().enumerate() {
            if !(s.value.is_finite() && s.value > 0.0) {
                return Err(PredictorError::TrainingData(format!(
                    "sample {i} ({}): value {}",
                    s.kind, s.value
                )));
            }
            let family = Family::of(&s.kind);
            let x = features(&s.kind, &s.config, set, &format!("sample {i}"))?;
            let metric: MetricName = s.metric.into();
            let own =
                kind_counts.get(&(s.kind.to_string(), metric)).copied().unwrap_or(0) >= MIN_KIND_SAMPLES;
            let mut keys = vec![ForestKey { kind: base_key(&s.kind), metric }];
            if own {
                keys.push(ForestKey { kind: s.kind.to_string(), metric });
            }
            for key in keys {
                let g = groups.entry(key).or_insert_with(|| (family, Vec::new(), Vec::new()));
                g.1.push(x.clone());
                g.2.push(s.value);
            }
        }
        let tasks: Vec<(ForestKey, Group)> = groups.into_iter().collect();
        let list = tasks
            .into_par_iter()
            .map(|(key, (family, x, y))| {
                let what = format!("{} {}", key.kind, key.metric.name());
                let trained = fit(&x, &y, None, params, &what)?;
                Ok(KindForest {
                    features: family.names(set).iter().map(|s| s.to_string()).collect(),
                    family,
                    samples: y.len() as u32,
                    forest: trained.forest,
                    key,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Forests { params: params.clone(), set, list })
    }

    /// The forest that answers for `kind` and `metric`: its own, else its base role's.
    pub fn lookup(&self, kind: &KernelKind, metric: MetricName) -> Option<(&KindForest, bool)> {
        let find = |k: &str| {
            self.list
                .binary_search_by(|f| (f.key.kind.as_str(), f.key.metric).cmp(&(k, metric)))
                .ok()
                .and_then(|i| self.list.get(i))
        };
        find(&kind.to_string()).map(|f| (f, false)).or_else(|| find(&base_key(kind)).map(|f| (f, true)))
    }

    /// Metrics with at least one forest.
    pub fn metrics(&self) -> Vec<MetricName> {
        let mut m: Vec<MetricName> = self.list.iter().map(|f| f.key.metric).collect();
        m.sort();
        m.dedup();
        m
    }

    /// Predict one kernel; `None` when no forest covers its kind.
    pub fn predict(
        &self,
        kind: &KernelKind,
        config: &KernelConfig,
        metric: MetricName,
        name: &str,
    ) -> Result<Option<KernelEstimate>> {
        let Some((f, fallback)) = self.lookup(kind, metric) else { return Ok(None) };
        let x = features(kind, config, self.set, name)?;
        let mut trees = Vec::with_capacity(f.forest.n_trees());
        f.forest.predict_each(&x, &mut trees)?;
        let mean = trees.iter().sum::<f64>() / trees.len() as f64;
        let target = self.params.target;
        let value = target.inverse(mean);
        for t in trees.iter_mut() {
            *t = target.inverse(*t);
        }
        Ok(Some(KernelEstimate { value, trees, fallback }))
    }
}
