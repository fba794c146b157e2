//! Which measured kernels each forest of a device learns from, and the kernel k-fold.
//!
//! A forest answers for a [`ForestScope`]: every kernel kind sharing a base role (`conv-bn-relu`,
//! `conv-bn-add`, ... all feed the `conv` forest, which sees what was fused as features), or one
//! kernel kind of its own when [`ForestParams::min_kind_samples`] lets it have one. Training,
//! `einf train --dump-features`, `einf evaluate` and `einf suite --refine` all group samples
//! through [`training_sets`] and split them with [`KernelFolds`].

use crate::data::KernelSample;
use crate::error::{PredictorError, Result};
use crate::features::{Family, FeatureSet, features, work};
use crate::params::{ForestParams, Target};
use einf_dataset::batch::Metric;
use einf_parser::kernel::{KernelConfig, KernelKind, Role};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// What a forest answers for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ForestScope {
    /// Every kind whose base role is this one (written `base:conv`).
    Base(Role),
    /// One kernel kind (written as the kind, `conv-bn-relu`).
    Kind(KernelKind),
}

/// How a base-role scope is written: `base:` and the role.
const BASE_PREFIX: &str = "base:";

impl ForestScope {
    /// The base-role scope of `kind`; `None` for a kind without roles.
    pub fn base_of(kind: &KernelKind) -> Option<ForestScope> {
        kind.base().map(|r| ForestScope::Base(r.clone()))
    }

    /// Whether this scope serves `kind` directly (its own kind, or its base role).
    pub fn covers(&self, kind: &KernelKind) -> bool {
        match self {
            ForestScope::Base(r) => kind.base() == Some(r),
            ForestScope::Kind(k) => k == kind,
        }
    }
}

impl std::fmt::Display for ForestScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ForestScope::Base(r) => write!(f, "{BASE_PREFIX}{r}"),
            ForestScope::Kind(k) => write!(f, "{k}"),
        }
    }
}

impl std::str::FromStr for ForestScope {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<ForestScope, String> {
        match s.strip_prefix(BASE_PREFIX) {
            Some(role) => Ok(ForestScope::Base(role.parse()?)),
            None => Ok(ForestScope::Kind(s.parse()?)),
        }
    }
}

/// A forest: its scope and metric. Written in predictor files as `{"kind": "base:conv",
/// "metric": "latency"}`, and ordered as that text is (the files keep forests in this order).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ForestKey {
    /// What it answers for.
    #[serde(rename = "kind", serialize_with = "scope_out", deserialize_with = "scope_in")]
    pub scope: ForestScope,
    /// The metric.
    pub metric: Metric,
}

fn scope_out<S: Serializer>(scope: &ForestScope, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(scope)
}

fn scope_in<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<ForestScope, D::Error> {
    let text = String::deserialize(d)?;
    text.parse().map_err(serde::de::Error::custom)
}

impl Ord for ForestKey {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.scope.to_string(), self.metric).cmp(&(other.scope.to_string(), other.metric))
    }
}

impl PartialOrd for ForestKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The factor a forest's inverse-transformed output is multiplied by: the kernel's work for
/// [`Target::LogRate`] and an extensive metric (energy, latency), else 1 (power does not grow
/// with work: under `LogRate` it is fitted on its log).
pub fn scale(target: Target, metric: Metric, kind: &KernelKind, config: &KernelConfig) -> f64 {
    match (target, metric) {
        (Target::LogRate, Metric::Energy | Metric::Latency) => work(kind, config),
        _ => 1.0,
    }
}

/// The rows one forest is fitted on.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingSet {
    /// Feature family of its kinds.
    pub family: Family,
    /// Feature rows, in sample order.
    pub x: Vec<Vec<f64>>,
    /// Measured value divided by [`scale`] (the target before [`Target::forward`]).
    pub y: Vec<f64>,
}

/// The training set of every forest the samples make, by key: each sample joins its base
/// role's forest and, when its kind has at least `params.min_kind_samples` samples of the
/// metric, its kind's own. A value that is not finite and positive is an error naming the sample.
pub fn training_sets(
    samples: &[&KernelSample],
    params: &ForestParams,
    set: FeatureSet,
) -> Result<BTreeMap<ForestKey, TrainingSet>> {
    let mut kind_counts: BTreeMap<(&KernelKind, Metric), usize> = BTreeMap::new();
    for s in samples {
        *kind_counts.entry((&s.kind, s.metric)).or_default() += 1;
    }
    let mut sets: BTreeMap<ForestKey, TrainingSet> = BTreeMap::new();
    for (i, s) in samples.iter().enumerate() {
        if !(s.value.is_finite() && s.value > 0.0) {
            return Err(PredictorError::TrainingData(format!("sample {i} ({}): value {}", s.kind, s.value)));
        }
        let family = Family::of(&s.kind);
        let x = features(&s.kind, &s.config, set, &format!("sample {i}"))?;
        let own =
            kind_counts.get(&(&s.kind, s.metric)).copied().unwrap_or(0) >= params.min_kind_samples as usize;
        let base = ForestScope::base_of(&s.kind)
            .ok_or_else(|| PredictorError::TrainingData(format!("sample {i}: a kind without roles")))?;
        let mut scopes = vec![base];
        if own {
            scopes.push(ForestScope::Kind(s.kind.clone()));
        }
        let y = s.value / scale(params.target, s.metric, &s.kind, &s.config);
        for scope in scopes {
            let key = ForestKey { scope, metric: s.metric };
            let t = sets.entry(key).or_insert_with(|| TrainingSet { family, x: Vec::new(), y: Vec::new() });
            t.x.push(x.clone());
            t.y.push(y);
        }
    }
    Ok(sets)
}

/// The kernel k-fold: the i-th sample (in the device data's order) goes to fold `i mod k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KernelFolds {
    k: usize,
}

impl KernelFolds {
    /// `k` folds; fewer than 2 is an error.
    pub fn new(k: usize) -> Result<KernelFolds> {
        if k < 2 {
            return Err(PredictorError::TrainingData(format!("a k-fold needs at least 2 folds, got {k}")));
        }
        Ok(KernelFolds { k })
    }

    /// Number of folds.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The fold of the i-th sample.
    pub fn fold_of(&self, i: usize) -> usize {
        i % self.k
    }

    /// `(train, test)` of fold `fold`: the items outside it and in it, each in order.
    pub fn split<T: Copy>(&self, items: &[T], fold: usize) -> (Vec<T>, Vec<T>) {
        let (mut train, mut test) = (Vec::new(), Vec::new());
        for (i, item) in items.iter().enumerate() {
            if self.fold_of(i) == fold { test.push(*item) } else { train.push(*item) }
        }
        (train, test)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_written_and_read_as_the_files_spell_them() {
        for text in ["base:conv", "conv-bn-relu", "base:dwconv", "gap"] {
            let s: ForestScope = text.parse().unwrap_or_else(|e| unreachable!("{e}"));
            assert_eq!(s.to_string(), text);
        }
        let key = ForestKey {
            scope: "base:conv".parse().unwrap_or_else(|e| unreachable!("{e}")),
            metric: Metric::Latency,
        };
        let json = serde_json::to_string(&key).unwrap_or_default();
        assert_eq!(json, r#"{"kind":"base:conv","metric":"latency"}"#);
        assert_eq!(serde_json::from_str::<ForestKey>(&json).ok(), Some(key));
        assert!("base:nonsense-role".parse::<ForestScope>().is_err());
    }

    #[test]
    fn keys_sort_as_their_text_and_scopes_cover_their_kinds() {
        let k =
            |t: &str, m| ForestKey { scope: t.parse().unwrap_or_else(|e| unreachable!("{e}")), metric: m };
        let mut keys = [
            k("conv-bn-relu", Metric::Latency),
            k("base:conv", Metric::Power),
            k("add", Metric::Energy),
            k("base:conv", Metric::Energy),
        ];
        keys.sort();
        let text: Vec<String> = keys.iter().map(|k| format!("{} {}", k.scope, k.metric.name())).collect();
        assert_eq!(text, ["add energy", "base:conv energy", "base:conv power", "conv-bn-relu latency"]);
        let kind: KernelKind = "conv-bn-relu".parse().unwrap_or_else(|e| unreachable!("{e}"));
        assert!(keys[1].scope.covers(&kind) && keys[3].scope.covers(&kind) && !keys[0].scope.covers(&kind));
    }

    #[test]
    fn folds_split_by_index_mod_k_and_refuse_fewer_than_two() {
        let f = KernelFolds::new(3).unwrap_or_else(|e| unreachable!("{e}"));
        let items: Vec<usize> = (0..8).collect();
        let (train, test) = f.split(&items, 1);
        assert_eq!(test, [1, 4, 7]);
        assert_eq!(train, [0, 2, 3, 5, 6]);
        assert!(KernelFolds::new(1).is_err());
    }
}
