//! A trained forest in a flat, cache-friendly layout: what is saved and what prediction walks.
//!
//! The nodes of every tree are stored in pre-order, one tree after the other, as three parallel
//! arrays. An inner node `i` tests `x[feature[i]] <= value[i]`: true goes to `i + 1` (its left
//! child follows it in pre-order), false to `right[i]`. A leaf has `feature == LEAF` and holds
//! its output in `value`. Trees start at `roots`.

use crate::error::{PredictorError, Result};

/// `feature` of a leaf.
pub const LEAF: u16 = u16::MAX;

/// A forest of regression trees in a flat layout.
#[derive(Debug, Clone, PartialEq)]
pub struct FlatForest {
    /// Number of features a sample must have.
    pub n_features: u16,
    /// First node of each tree.
    pub roots: Vec<u32>,
    /// Feature tested by each node, or [`LEAF`].
    pub feature: Vec<u16>,
    /// Threshold of an inner node, output of a leaf.
    pub value: Vec<f64>,
    /// False child of an inner node (0 for leaves).
    pub right: Vec<u32>,
}

impl FlatForest {
    /// Number of trees.
    pub fn n_trees(&self) -> usize {
        self.roots.len()
    }

    /// Number of nodes over all trees.
    pub fn n_nodes(&self) -> usize {
        self.feature.len()
    }

    /// Check the structure: every index in range, every tree ends in leaves, children after their
    /// parent (so a walk always terminates). Used on every file loaded.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let n = self.feature.len();
        if self.value.len() != n || self.right.len() != n {
            return Err("node arrays of different lengths".into());
        }
        if self.roots.is_empty() {
            return Err("a forest without trees".into());
        }
        for (t, &r) in self.roots.iter().enumerate() {
            let end = self.roots.get(t + 1).copied().unwrap_or(n as u32);
            if r >= end || end as usize > n {
                return Err(format!("tree {t}: root {r} out of range"));
            }
            for i in r..end {
                let i = i as usize;
                let f = self.feature[i];
                if !self.value[i].is_finite() {
                    return Err(format!("node {i}: value {} is not finite", self.value[i]));
                }
                if f == LEAF {
                    continue;
                }
                if f >= self.n_features {
                    return Err(format!("node {i}: feature {f} of {}", self.n_features));
                }
                let rc = self.right[i];
                if (i as u32) + 1 >= end || rc <= i as u32 + 1 || rc >= end {
                    return Err(format!("node {i}: child out of its tree"));
                }
            }
        }
        Ok(())
    }

    /// Output of tree `t` for sample `x` (unchecked length: see [`FlatForest::check_len`]).
    #[inline]
    pub fn predict_tree(&self, t: usize, x: &[f64]) -> f64 {
        self.value[self.leaf_of(t, x)]
    }

    /// Index of the leaf of tree `t` that sample `x` reaches (unchecked length).
    #[inline]
    pub fn leaf_of(&self, t: usize, x: &[f64]) -> usize {
        let mut i = self.roots[t] as usize;
        loop {
            let f = self.feature[i];
            if f == LEAF {
                return i;
            }
            i = if x[f as usize] <= self.value[i] { i + 1 } else { self.right[i] as usize };
        }
    }

    /// Fail unless `x` has the forest's number of features.
    pub fn check_len(&self, x: &[f64]) -> Result<()> {
        if x.len() != self.n_features as usize {
            return Err(PredictorError::TrainingData(format!(
                "a sample of {} features for a forest of {}",
                x.len(),
                self.n_features
            )));
        }
        Ok(())
    }

    /// Mean output of the trees.
    pub fn predict(&self, x: &[f64]) -> Result<f64> {
        self.check_len(x)?;
        let sum: f64 = (0..self.roots.len()).map(|t| self.predict_tree(t, x)).sum();
        Ok(sum / self.roots.len() as f64)
    }

    /// Output of every tree into `out` (cleared first).
    pub fn predict_each(&self, x: &[f64], out: &mut Vec<f64>) -> Result<()> {
        self.check_len(x)?;
        out.clear();
        out.extend((0..self.roots.len()).map(|t| self.predict_tree(t, x)));
        Ok(())
    }

    /// Mean outputs for many samples stored row-major in `xs` (`n_features` per row), tree by
    /// tree so each tree's nodes stay in cache across the batch.
    pub fn predict_batch(&self, xs: &[f64], out: &mut Vec<f64>) -> Result<()> {
        let p = self.n_features as usize;
        if p == 0 || !xs.len().is_multiple_of(p) {
            return Err(PredictorError::TrainingData(format!(
                "a batch of {} values is not a whole number of {p}-feature rows",
                xs.len()
            )));
        }
        let rows = xs.len() / p;
        out.clear();
        out.resize(rows, 0.0);
        for t in 0..self.roots.len() {
            for (o, x) in out.iter_mut().zip(xs.chunks_exact(p)) {
                *o += self.predict_tree(t, x);
            }
        }
        let n = self.roots.len() as f64;
        for o in out.iter_mut() {
            *o /= n;
        }
        Ok(())
    }

    /// Append another forest's trees (same number of features).
    pub(crate) fn push_tree(&mut self, nodes: &[(u16, f64, u32)]) {
        let base = self.feature.len() as u32;
        self.roots.push(base);
        for &(f, v, r) in nodes {
            self.feature.push(f);
            self.value.push(v);
            self.right.push(if f == LEAF { 0 } else { r + base });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-built forest (synthetic): tree 0 splits feature 0 at 1.5, tree 1 is a single leaf.
    fn forest() -> FlatForest {
        let mut f =
            FlatForest { n_features: 2, roots: vec![], feature: vec![], value: vec![], right: vec![] };
        f.push_tree(&[(0, 1.5, 2), (LEAF, 10.0, 0), (LEAF, 20.0, 0)]);
        f.push_tree(&[(LEAF, 4.0, 0)]);
        f
    }

    #[test]
    fn walks_left_on_le_and_right_on_gt() {
        let f = forest();
        assert!(f.validate().is_ok());
        assert_eq!(f.predict_tree(0, &[1.5, 0.0]), 10.0);
        assert_eq!(f.predict_tree(0, &[1.6, 0.0]), 20.0);
        assert_eq!(f.predict(&[2.0, 0.0]).unwrap(), 12.0);
        let mut out = Vec::new();
        f.predict_batch(&[1.0, 0.0, 2.0, 0.0], &mut out).unwrap();
        assert_eq!(out, vec![7.0, 12.0]);
        assert!(f.predict(&[1.0]).is_err());
    }

    #[test]
    fn validate_rejects_cycles_and_bad_features() {
        let mut f = forest();
        f.right[0] = 0;
        assert!(f.validate().is_err());
        let mut f = forest();
        f.feature[0] = 7;
        assert!(f.validate().is_err());
        let mut f = forest();
        f.value[1] = f64::NAN;
        assert!(f.validate().is_err());
    }
}
