//! Fitting one forest: smartcore's `RandomForestRegressor`, then its trees read out into a
//! [`FlatForest`].
//!
//! smartcore keeps its nodes private; with its `serde` feature the fitted forest serialises, and
//! the node list (`output`, `split_feature`, `split_value`, `true_child`, `false_child`; true means
//! `x <= split_value`) is read from that. [`FlatForest`] then re-orders each tree in pre-order.

use crate::error::{PredictorError, Result};
use crate::forest::{FlatForest, LEAF};
use crate::params::{ForestParams, LeafValue};
use smartcore::ensemble::random_forest_regressor::{RandomForestRegressor, RandomForestRegressorParameters};
use smartcore::linalg::basic::matrix::DenseMatrix;

/// A fitted forest with the transform its outputs are in.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainedForest {
    /// The trees (outputs in the transformed target).
    pub forest: FlatForest,
    /// The hyperparameters it was trained with.
    pub params: ForestParams,
}

impl TrainedForest {
    /// Point prediction in the measured unit.
    pub fn predict(&self, x: &[f64]) -> Result<f64> {
        Ok(self.params.target.inverse(self.forest.predict(x)?))
    }
}

/// Fit a forest on rows `x` (all of one length) and measured values `y` (> 0 for a log target).
/// `weights` (one per row, > 0) make the bootstrap draw rows in proportion to them (a row that
/// stands for several identical measurements). `what` names the forest in errors.
pub fn fit(
    x: &[Vec<f64>],
    y: &[f64],
    weights: Option<&[f64]>,
    params: &ForestParams,
    what: &str,
) -> Result<TrainedForest> {
    params.validate()?;
    let err = |reason: String| PredictorError::Training { what: what.to_string(), reason };
    if x.is_empty() || x.len() != y.len() {
        return Err(err(format!("{} rows and {} targets", x.len(), y.len())));
    }
    let p = x[0].len();
    if p == 0 || p >= LEAF as usize || x.iter().any(|r| r.len() != p) {
        return Err(err("rows of different or zero length".into()));
    }
    if let Some((i, v)) =
        x.iter().enumerate().find_map(|(i, r)| r.iter().find(|v| !v.is_finite()).map(|v| (i, v)))
    {
        return Err(err(format!("row {i}: feature value {v} is not finite")));
    }
    let t: Vec<f64> = y.iter().map(|&v| params.target.forward(v)).collect();
    if let Some((i, v)) =
        y.iter().zip(&t).enumerate().find_map(|(i, (v, t))| (!t.is_finite()).then_some((i, v)))
    {
        return Err(err(format!("row {i}: target {v} cannot be transformed ({:?})", params.target)));
    }
    let matrix = DenseMatrix::from_2d_vec(&x.to_vec()).map_err(|e| err(e.to_string()))?;
    let sc = smartcore_params(params, p);
    let model = match weights {
        Some(w) if w.len() != y.len() || w.iter().any(|v| !(v.is_finite() && *v > 0.0)) => {
            return Err(err(format!(
                "{} weights for {} rows, or a weight that is not > 0",
                w.len(),
                y.len()
            )));
        }
        Some(w) => RandomForestRegressor::fit_with_weights(&matrix, &t, w, sc),
        None => RandomForestRegressor::fit(&matrix, &t, sc),
    }
    .map_err(|e| err(e.to_string()))?;
    let mut forest = flatten(&model, p).map_err(err)?;
    if params.leaf == LeafValue::Median {
        median_leaves(&mut forest, x, &t, weights);
    }
    Ok(TrainedForest { forest, params: params.clone() })
}

/// Replace every leaf's output by the (weighted) median of the targets of all training rows that
/// reach it; every leaf is reached by at least the bootstrap rows it was grown from.
fn median_leaves(forest: &mut FlatForest, x: &[Vec<f64>], t: &[f64], weights: Option<&[f64]>) {
    // Per tree (its nodes from its root to the next tree's, as `flatten` lays them out): the
    // leaf of each row, then the rows grouped by leaf in row order (a counting sort), each
    // group's (target, weight) pairs handed to the median in that order.
    let mut leaf_of: Vec<usize> = vec![0; x.len()];
    let mut start: Vec<usize> = Vec::new();
    let mut by_leaf: Vec<(f64, f64)> = vec![(0.0, 0.0); x.len()];
    for tree in 0..forest.n_trees() {
        let first = forest.roots[tree] as usize;
        let end = forest.roots.get(tree + 1).map_or(forest.value.len(), |&r| r as usize);
        start.clear();
        start.resize(end - first + 1, 0);
        for (i, row) in x.iter().enumerate() {
            let leaf = forest.leaf_of(tree, row);
            leaf_of[i] = leaf;
            start[leaf - first + 1] += 1;
        }
        for i in 1..start.len() {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        for (i, &leaf) in leaf_of.iter().enumerate() {
            let at = &mut next[leaf - first];
            by_leaf[*at] = (t[i], weights.map_or(1.0, |w| w[i]));
            *at += 1;
        }
        for node in first..end {
            let (a, b) = (start[node - first], start[node - first + 1]);
            if a < b {
                forest.value[node] = weighted_median(&mut by_leaf[a..b]) as f32 as f64;
            }
        }
    }
}

/// The value at half the total weight; exactly on a boundary between two values, their mean (so
/// unit weights give the usual median).
fn weighted_median(v: &mut [(f64, f64)]) -> f64 {
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half = 0.5 * v.iter().map(|p| p.1).sum::<f64>();
    let mut acc = 0.0;
    for (i, &(value, w)) in v.iter().enumerate() {
        acc += w;
        if acc > half {
            return value;
        }
        if acc == half {
            return v.get(i + 1).map_or(value, |next| 0.5 * (value + next.0));
        }
    }
    v.last().map_or(0.0, |p| p.0)
}

/// smartcore's parameters for `params` on `p` features.
fn smartcore_params(params: &ForestParams, p: usize) -> RandomForestRegressorParameters {
    RandomForestRegressorParameters::default()
        .with_n_trees(params.n_trees as usize)
        .with_max_depth(params.max_depth)
        .with_min_samples_leaf(params.min_samples_leaf as usize)
        .with_min_samples_split(params.min_samples_split as usize)
        .with_m(params.max_features.resolve(p))
        .with_seed(params.seed)
}

/// smartcore's prediction, for tests that the flat walk agrees.
#[cfg(test)]
pub(crate) fn fit_smartcore(
    x: &[Vec<f64>],
    t: &[f64],
    params: &ForestParams,
) -> RandomForestRegressor<f64, f64, DenseMatrix<f64>, Vec<f64>> {
    let p = x[0].len();
    let sc = smartcore_params(params, p);
    let Ok(m) = DenseMatrix::from_2d_vec(&x.to_vec()) else { panic!("matrix") };
    let Ok(model) = RandomForestRegressor::fit(&m, &t.to_vec(), sc) else { panic!("fit") };
    model
}

/// Read smartcore's trees into a flat forest ([`crate::smartcore_nodes`]: smartcore keeps its
/// nodes private).
pub(crate) fn flatten(
    model: &RandomForestRegressor<f64, f64, DenseMatrix<f64>, Vec<f64>>,
    p: usize,
) -> std::result::Result<FlatForest, String> {
    let trees = crate::smartcore_nodes::trees(model)?;
    let mut out = FlatForest {
        n_features: p as u16,
        roots: Vec::new(),
        feature: Vec::new(),
        value: Vec::new(),
        right: Vec::new(),
    };
    for (ti, nodes) in trees.iter().enumerate() {
        out.push_tree(&preorder(nodes).map_err(|e| format!("tree {ti}: {e}"))?);
    }
    out.validate()?;
    Ok(out)
}

/// One tree's nodes in pre-order as `(feature or LEAF, threshold or output, right child index)`.
fn preorder(nodes: &[crate::smartcore_nodes::Node]) -> std::result::Result<Vec<(u16, f64, u32)>, String> {
    let mut out: Vec<(u16, f64, u32)> = Vec::with_capacity(nodes.len());
    // (smartcore node, index in `out` of the parent whose right child this is)
    let mut stack: Vec<(usize, Option<usize>)> = vec![(0, None)];
    while let Some((id, parent)) = stack.pop() {
        if out.len() > nodes.len() {
            return Err("a cycle in the node links".into());
        }
        let n = nodes.get(id).ok_or(format!("node {id} out of range"))?;
        let here = out.len();
        if let Some(p) = parent {
            out[p].2 = here as u32;
        }
        match (n.true_child, n.false_child) {
            (Some(t), Some(f)) => {
                let feature = n.split_feature.ok_or("a split without feature")?;
                let threshold = n.split_value.ok_or("a split without value")?;
                out.push((feature as u16, threshold, 0));
                stack.push((f as usize, Some(here)));
                stack.push((t as usize, None));
            }
            _ => {
                let output = n.output.ok_or("a leaf without output")?;
                // Leaves are stored as f32 (a relative change below 1e-7; files are smaller).
                out.push((LEAF, output as f32 as f64, 0));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Target;

    /// Synthetic data: y = x0 * x1 + x2 with a little structure, 300 rows.
    fn synthetic() -> (Vec<Vec<f64>>, Vec<f64>) {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..300u64 {
            let a = ((i * 7919) % 97) as f64 + 1.0;
            let b = ((i * 104729) % 13) as f64 + 1.0;
            let c = (i % 5) as f64;
            x.push(vec![a, b, c]);
            y.push(a * b + c + 1.0);
        }
        (x, y)
    }

    #[test]
    fn flat_walk_equals_smartcore() {
        let (x, y) = synthetic();
        let params = ForestParams { n_trees: 12, target: Target::Identity, ..ForestParams::einf() };
        let sc = fit_smartcore(&x, &y, &params);
        let Ok(reference) = sc.predict(&DenseMatrix::from_2d_vec(&x).unwrap()) else { panic!("predict") };
        let flat = flatten(&sc, 3).unwrap();
        assert_eq!(flat.n_trees(), 12);
        for (row, want) in x.iter().zip(&reference) {
            let got = flat.predict(row).unwrap();
            assert!((got - want).abs() <= 1e-6 * want.abs().max(1.0), "{got} vs {want}");
        }
    }

    #[test]
    fn smartcores_nodes_are_read_exactly_as_its_json_gives_them() {
        let (x, y) = synthetic();
        let sc = fit_smartcore(&x, &y, &ForestParams { n_trees: 6, ..ForestParams::einf() });
        let walked = crate::smartcore_nodes::trees(&sc).unwrap();
        let json = crate::smartcore_nodes::from_json(&serde_json::to_value(&sc).unwrap());
        assert_eq!(walked.len(), 6);
        assert!(walked.iter().all(|t| t.len() > 10));
        assert_eq!(walked, json);
    }

    #[test]
    fn same_seed_same_trees_other_seed_other_trees() {
        let (x, y) = synthetic();
        let params = ForestParams { n_trees: 8, ..ForestParams::einf() };
        let a = fit(&x, &y, None, &params, "a").unwrap();
        let b = fit(&x, &y, None, &params, "b").unwrap();
        assert_eq!(a, b);
        let c = fit(&x, &y, None, &ForestParams { seed: 11, ..params }, "c").unwrap();
        assert_ne!(a.forest, c.forest);
    }

    #[test]
    fn log_target_fits_relative_error() {
        let (x, y) = synthetic();
        let f = fit(&x, &y, None, &ForestParams { n_trees: 16, ..ForestParams::einf() }, "t").unwrap();
        let within: usize =
            x.iter().zip(&y).filter(|(r, v)| (f.predict(r).unwrap() / **v - 1.0).abs() < 0.1).count();
        assert!(within > 270, "{within}/300 training rows within 10%");
    }

    #[test]
    fn weighted_median_of_unit_weights_is_the_median() {
        let mut odd = vec![(3.0, 1.0), (1.0, 1.0), (2.0, 1.0)];
        assert_eq!(weighted_median(&mut odd), 2.0);
        let mut even = vec![(4.0, 1.0), (1.0, 1.0), (2.0, 1.0), (3.0, 1.0)];
        assert_eq!(weighted_median(&mut even), 2.5);
        let mut heavy = vec![(1.0, 1.0), (2.0, 1.0), (9.0, 5.0)];
        assert_eq!(weighted_median(&mut heavy), 9.0);
    }

    /// Synthetic: 9 configurations, each measured 7 times, 5 runs at `v` and 2 runs three times
    /// slower (a bimodal kernel). A median leaf predicts `v`; a mean of logs lands between.
    #[test]
    fn median_leaves_ignore_the_occasional_slow_run() {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for c in 1..=9u32 {
            for run in 0..7 {
                x.push(vec![f64::from(c)]);
                y.push(f64::from(c) * if run < 5 { 1.0 } else { 3.0 });
            }
        }
        let base = ForestParams { n_trees: 16, target: Target::Log, ..ForestParams::einf() };
        let median =
            fit(&x, &y, None, &ForestParams { leaf: LeafValue::Median, ..base.clone() }, "m").unwrap();
        let mean = fit(&x, &y, None, &ForestParams { leaf: LeafValue::Mean, ..base }, "m").unwrap();
        for c in 1..=9u32 {
            let v = f64::from(c);
            let m = median.predict(&[v]).unwrap();
            assert!((m / v - 1.0).abs() < 1e-6, "median leaf: {m} for {v}");
            assert!(mean.predict(&[v]).unwrap() / v > 1.1, "a mean of logs is pulled up");
        }
    }

    #[test]
    fn bad_input_is_a_named_error() {
        let (mut x, y) = synthetic();
        assert!(fit(&x, &y[..10], None, &ForestParams::einf(), "t").is_err());
        x[3][1] = f64::NAN;
        let e = fit(&x, &y, None, &ForestParams::einf(), "conv").unwrap_err().to_string();
        assert!(e.contains("row 3") && e.contains("conv"), "{e}");
        let (x, mut y) = synthetic();
        y[5] = 0.0;
        assert!(fit(&x, &y, None, &ForestParams::einf(), "t").unwrap_err().to_string().contains("row 5"));
        let (x, y) = synthetic();
        let w = vec![1.0; 299];
        assert!(
            fit(&x, &y, Some(&w), &ForestParams::einf(), "t").unwrap_err().to_string().contains("weights")
        );
    }
}
