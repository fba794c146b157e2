//! The forests of one device: one per (base role, metric), trained on every kernel kind sharing
//! that base (`conv-bn-relu`, `conv-bn-add`, ... all feed the `conv` forest, which sees what was
//! fused as features), plus, when [`ForestParams::min_kind_samples`] is finite, one per (kernel
//! kind, metric) with that many samples.
//!
//! Pooling is einf's default: fused kinds fragment the data (13 conv kinds on the qed-usc phones,
//! several with < 100 samples). With the log-rate target it put about 2 points more phone kernels
//! within ±10% than a forest per kind, and an inner cross-validation on the training folds alone
//! picked the pair (log-rate, pooled) in 51 of 60 outer folds (`examples/nested_cv.rs`).

use crate::data::KernelSample;
use crate::error::Result;
use crate::features::{Family, FeatureSet, features};
use crate::forest::FlatForest;
use crate::params::ForestParams;
use crate::train::fit;
pub use crate::training_set::{ForestKey, ForestScope, scale};
use crate::training_set::{TrainingSet, training_sets};
use einf_dataset::batch::Metric;
use einf_parser::kernel::{KernelConfig, KernelKind};
use rayon::prelude::*;

/// A metric (energy mJ, latency ms, power mW): the dataset's [`Metric`], ordered and
/// serialised by name.
pub type MetricName = Metric;

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

/// A kernel's prediction in the measured unit.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelEstimate {
    /// Point estimate: the inverse transform of the trees' mean.
    pub value: f64,
    /// Each tree's output in the measured unit.
    pub trees: Vec<f64>,
    /// Whether the base-role forest answered as a fallback (the kind had too few samples for a
    /// forest of its own; never with pooled forests, see [`Forests::lookup`]).
    pub fallback: bool,
}

impl Forests {
    /// Train every forest from `samples` (in parallel over forests), grouped by
    /// [`training_sets`].
    pub fn train(samples: &[&KernelSample], params: &ForestParams, set: FeatureSet) -> Result<Forests> {
        params.validate()?;
        let tasks: Vec<(ForestKey, TrainingSet)> = training_sets(samples, params, set)?.into_iter().collect();
        let list = tasks
            .into_par_iter()
            .map(|(key, t)| {
                let what = format!("{} {}", key.scope, key.metric.name());
                let trained = fit(&t.x, &t.y, None, params, &what)?;
                Ok(KindForest {
                    features: t.family.names(set).iter().map(|s| s.to_string()).collect(),
                    family: t.family,
                    samples: t.y.len() as u32,
                    forest: trained.forest,
                    key,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Forests { params: params.clone(), set, list })
    }

    /// The forest that answers for `kind` and `metric`: its own, else its base role's. The flag
    /// says the base role's forest answered as a fallback, i.e. the kind had too few samples for
    /// a forest of its own; with pooled forests (`min_kind_samples == u32::MAX`, einf's default)
    /// the base role's forest is every kind's own by design and the flag is false.
    pub fn lookup(&self, kind: &KernelKind, metric: MetricName) -> Option<(&KindForest, bool)> {
        let of = |want: fn(&ForestScope) -> bool| {
            self.list
                .iter()
                .find(|f| f.key.metric == metric && want(&f.key.scope) && f.key.scope.covers(kind))
        };
        let pooled = self.params.min_kind_samples == u32::MAX;
        of(|s| matches!(s, ForestScope::Kind(_)))
            .map(|f| (f, false))
            .or_else(|| of(|s| matches!(s, ForestScope::Base(_))).map(|f| (f, !pooled)))
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
        let w = scale(target, metric, kind, config);
        let value = w * target.inverse(mean);
        for t in trees.iter_mut() {
            *t = w * target.inverse(*t);
        }
        Ok(Some(KernelEstimate { value, trees, fallback }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::work;
    use crate::params::Target;
    use einf_parser::ir::DType;

    fn cfg(hw: u64, c: u64) -> KernelConfig {
        KernelConfig {
            batch: 1,
            input_h: hw,
            input_w: hw,
            output_h: hw,
            output_w: hw,
            cin: c,
            cout: c,
            kernel_h: 3,
            kernel_w: 3,
            stride_h: 1,
            stride_w: 1,
            pads: [1, 1, 1, 1],
            dilation_h: 1,
            dilation_w: 1,
            groups: 1,
            dtype: DType::F16,
            input_channels: vec![],
        }
    }

    /// Synthetic: latency exactly proportional to work (1 ns per unit), on maps of 8..=40 pixels.
    fn synthetic(kinds: &[&str]) -> Vec<KernelSample> {
        let mut out = Vec::new();
        for (i, kind) in kinds.iter().enumerate() {
            let kind: KernelKind = kind.parse().unwrap();
            for hw in (8..=40).step_by(2) {
                for c in [16, 24, 32, 48, 64] {
                    let config = cfg(hw + i as u64 % 2, c);
                    let value = 1e-6 * work(&kind, &config);
                    out.push(KernelSample {
                        model: None,
                        kind: kind.clone(),
                        config,
                        metric: Metric::Latency,
                        value,
                        source_id: None,
                    });
                }
            }
        }
        out
    }

    #[test]
    fn the_rate_target_extrapolates_where_the_cost_target_cannot() {
        let data = synthetic(&["conv-bn-relu"]);
        let refs: Vec<&KernelSample> = data.iter().collect();
        let kind: KernelKind = "conv-bn-relu".parse().unwrap();
        // Four times the largest map side seen in training: 16x the work.
        let big = cfg(160, 64);
        let truth = 1e-6 * work(&kind, &big);
        let err = |target: Target| {
            let p = ForestParams { n_trees: 8, target, ..ForestParams::einf() };
            let f = Forests::train(&refs, &p, FeatureSet::Einf).unwrap();
            let e = f.predict(&kind, &big, MetricName::Latency, "big").unwrap().unwrap();
            assert_eq!(e.trees.len(), 8);
            e.value / truth - 1.0
        };
        assert!(err(Target::LogRate).abs() < 0.05, "{}", err(Target::LogRate));
        assert!(
            err(Target::Log) < -0.8,
            "a cost forest predicts the largest cost it saw: {}",
            err(Target::Log)
        );
    }

    #[test]
    fn pooled_forests_serve_every_kind_of_a_base_without_a_fallback_flag() {
        let data = synthetic(&["conv-bn-relu", "conv-bn-add"]);
        let refs: Vec<&KernelSample> = data.iter().collect();
        let pooled =
            Forests::train(&refs, &ForestParams { n_trees: 4, ..ForestParams::einf() }, FeatureSet::Einf)
                .unwrap();
        let keys: Vec<String> = pooled.list.iter().map(|f| f.key.scope.to_string()).collect();
        assert_eq!(keys, ["base:conv"]);
        let (f, fallback) = pooled.lookup(&"conv-bn-relu-mul".parse().unwrap(), MetricName::Latency).unwrap();
        assert_eq!((f.samples as usize, fallback), (data.len(), false));
        assert!(pooled.lookup(&"conv".parse().unwrap(), MetricName::Energy).is_none());
        let per_kind = ForestParams { n_trees: 4, min_kind_samples: 30, ..ForestParams::einf() };
        let split = Forests::train(&refs, &per_kind, FeatureSet::Einf).unwrap();
        assert_eq!(split.list.len(), 3, "base:conv, conv-bn-add, conv-bn-relu");
        let (_, fallback) = split.lookup(&"conv-bn-relu-mul".parse().unwrap(), MetricName::Latency).unwrap();
        assert!(fallback);
    }

    #[test]
    fn power_is_not_scaled_by_work() {
        let kind: KernelKind = "conv".parse().unwrap();
        let c = cfg(32, 32);
        assert_eq!(scale(Target::LogRate, MetricName::Power, &kind, &c), 1.0);
        assert_eq!(scale(Target::LogRate, MetricName::Energy, &kind, &c), work(&kind, &c));
        assert_eq!(scale(Target::Log, MetricName::Latency, &kind, &c), 1.0);
    }
}
