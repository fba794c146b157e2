//! Scoring candidates of a search space without any I/O: each candidate is built and split into
//! kernels with the cost model's fusion rules, identical kernels across all candidates are costed
//! once, and a candidate's cost is the sum over its kernels.
//!
//! ```
//! use einf_models::score::{FlopsCost, score_batch};
//! use einf_models::space::Space;
//! let space = Space::named("nb201")?;
//! let cands = space.sample(4, 7);
//! let scores = score_batch(&space, &cands, &FlopsCost::new("tflite-gpu")?)?;
//! assert!(scores.iter().all(|s| s.cost == s.flops as f64));
//! # Ok::<(), einf_models::ModelsError>(())
//! ```

use crate::error::{ModelsError, Result};
use crate::space::lite::{KernelCache, LocalCache};
use crate::space::{Candidate, Nb201Parts, Space};
use einf_parser::fusion::{Rules, fuse};
use einf_parser::kernel::Kernel;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// A per-kernel cost model: predicted latency, energy, or an operation count.
pub trait KernelCost: Sync {
    /// Name, for messages and output (`flops`, `pixel4-gpu-tflite-fp16 latency`).
    fn name(&self) -> String;
    /// Unit of the costs (`FLOPs`, `ms`, `mJ`).
    fn unit(&self) -> String;
    /// The fusion rules kernels are split with (the backend the cost model describes).
    fn rules(&self) -> &Rules;
    /// The cost of each kernel, in order. Kernels it cannot cost are an error or `NaN`, as the
    /// model documents.
    fn cost(&self, kernels: &[Kernel]) -> Result<Vec<f64>>;
}

/// Floating-point operations as the cost (the parser's per-kernel FLOPs).
#[derive(Debug, Clone)]
pub struct FlopsCost {
    rules: Rules,
}

impl FlopsCost {
    /// FLOPs of kernels split with the built-in rules of `backend` (`tflite-gpu`, ...).
    pub fn new(backend: &str) -> Result<FlopsCost> {
        let rules = Rules::builtin(backend)
            .map_err(|e| ModelsError::Cost { model: "flops".into(), message: e.to_string() })?;
        Ok(FlopsCost { rules })
    }
}

impl KernelCost for FlopsCost {
    fn name(&self) -> String {
        "flops".into()
    }
    fn unit(&self) -> String {
        "FLOPs".into()
    }
    fn rules(&self) -> &Rules {
        &self.rules
    }
    fn cost(&self, kernels: &[Kernel]) -> Result<Vec<f64>> {
        Ok(kernels.iter().map(|k| k.features.flops as f64).collect())
    }
}

/// The score of one candidate.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Score {
    /// Sum of the cost model over the candidate's kernels.
    pub cost: f64,
    /// Multiply-accumulates.
    pub macs: u64,
    /// Operations.
    pub flops: u64,
    /// Parameters (elements of constant data operands).
    pub params: u64,
    /// Kernels.
    pub kernels: usize,
    /// Kernels einf cannot cost (an unsupported operator or unknown shapes).
    pub uncosted: usize,
}

/// Two kernels are identical for a cost model when kind, configuration and features are.
fn same(a: &Kernel, b: &Kernel) -> bool {
    a.features == b.features && a.kind == b.kind && a.config == b.config
}

fn key_hash(k: &Kernel) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    k.kind.hash(&mut h);
    k.config.hash(&mut h);
    k.features.hash(&mut h);
    h.finish()
}

/// The distinct kernels of one candidate with their hash and count.
fn local_unique(ks: Vec<Kernel>) -> Vec<(u64, Kernel, u32)> {
    let mut out: Vec<(u64, Kernel, u32)> = Vec::with_capacity(ks.len() / 2);
    for k in ks {
        let h = key_hash(&k);
        match out.iter_mut().find(|(oh, ok, _)| *oh == h && same(ok, &k)) {
            Some((_, _, n)) => *n += 1,
            None => out.push((h, k, 1)),
        }
    }
    out
}

/// A candidate as counts of distinct kernels.
type Multiset = Vec<(u32, u32)>;

/// One candidate's kernels: ids in the fast path's cache, or built kernels with their hashes,
/// each with its count.
enum Split {
    Cached(Vec<(u32, u32)>),
    Built(Vec<(u64, Kernel, u32)>),
}

/// Scores batches of one space with one cost model, remembering every distinct kernel (and its
/// cost) across batches.
pub struct Scorer<'a> {
    space: &'a Space,
    cost: &'a dyn KernelCost,
    ids: HashMap<u64, Vec<u32>>,
    kernels: Vec<Kernel>,
    costs: Vec<f64>,
    seen: u64,
    fast: Option<Nb201Parts>,
    lite: KernelCache,
    lite_ids: Vec<u32>,
}

impl<'a> Scorer<'a> {
    /// A scorer of `space` with `cost`. NAS-Bench-201 candidates take the fast path
    /// ([`Nb201Parts`]), whose kernels are the same as those of the built graph.
    pub fn new(space: &'a Space, cost: &'a dyn KernelCost) -> Result<Self> {
        let fast = match space {
            Space::Nb201 => Some(Nb201Parts::new()?),
            _ => None,
        };
        Ok(Scorer {
            space,
            cost,
            ids: HashMap::new(),
            kernels: Vec::new(),
            costs: Vec::new(),
            seen: 0,
            fast,
            lite: KernelCache::default(),
            lite_ids: Vec::new(),
        })
    }

    /// Distinct kernels costed so far.
    pub fn distinct_kernels(&self) -> usize {
        self.kernels.len()
    }

    /// Kernels split so far (with repeats).
    pub fn total_kernels(&self) -> u64 {
        self.seen
    }

    /// Score `candidates` (in parallel), in order.
    pub fn score(&mut self, candidates: &[Candidate]) -> Result<Vec<Score>> {
        let rules = self.cost.rules();
        let space = self.space;
        let fast = self.fast.as_ref();
        // Split and deduplicate within each candidate in parallel; intern across candidates after.
        let lite = &self.lite;
        let split: Vec<Split> = candidates
            .par_iter()
            .map_init(LocalCache::default, |local, c| match (fast, c) {
                (Some(parts), Candidate::Nb201(cell)) => {
                    let mut ids = parts.kernel_ids(cell, rules, lite, local)?;
                    ids.sort_unstable();
                    let mut counted: Vec<(u32, u32)> = Vec::with_capacity(ids.len() / 2);
                    for id in ids {
                        match counted.last_mut() {
                            Some((last, n)) if *last == id => *n += 1,
                            _ => counted.push((id, 1)),
                        }
                    }
                    Ok(Split::Cached(counted))
                }
                _ => Ok(Split::Built(local_unique(kernels_of(space, c, rules)?))),
            })
            .collect::<Result<_>>()?;
        let first_new = self.kernels.len();
        let mut sets: Vec<Multiset> = Vec::with_capacity(split.len());
        for one in split {
            let mut set: Multiset = Vec::new();
            match one {
                Split::Cached(counted) => {
                    for (cid, n) in counted {
                        self.seen += u64::from(n);
                        let slot = cid as usize;
                        if self.lite_ids.len() <= slot {
                            self.lite_ids.resize(slot + 1, u32::MAX);
                        }
                        if self.lite_ids[slot] == u32::MAX {
                            let k = self.lite.get(cid).ok_or_else(|| ModelsError::Cost {
                                model: self.cost.name(),
                                message: format!("kernel {cid} missing from the cache"),
                            })?;
                            self.lite_ids[slot] = self.intern(key_hash(&k), k);
                        }
                        set.push((self.lite_ids[slot], n));
                    }
                }
                Split::Built(ks) => {
                    for (h, k, n) in ks {
                        self.seen += u64::from(n);
                        set.push((self.intern(h, k), n));
                    }
                }
            }
            sets.push(set);
        }
        let new = &self.kernels[first_new..];
        if !new.is_empty() {
            let costs = self.cost.cost(new)?;
            if costs.len() != new.len() {
                return Err(ModelsError::Cost {
                    model: self.cost.name(),
                    message: format!("{} costs for {} kernels", costs.len(), new.len()),
                });
            }
            self.costs.extend(costs);
        }
        Ok(sets.iter().map(|set| self.total(set)).collect())
    }

    fn intern(&mut self, h: u64, k: Kernel) -> u32 {
        let ids = self.ids.entry(h).or_default();
        if let Some(id) = ids.iter().copied().find(|&id| same(&self.kernels[id as usize], &k)) {
            return id;
        }
        let id = self.kernels.len() as u32;
        ids.push(id);
        self.kernels.push(k);
        id
    }

    /// A candidate's score. The cost terms are added smallest first: the order kernels were
    /// first seen in (which threads and earlier candidates decide) must not change the last bits
    /// of a floating-point sum, so a candidate costs the same in any batch and any run.
    fn total(&self, set: &Multiset) -> Score {
        let mut s = Score { cost: 0.0, macs: 0, flops: 0, params: 0, kernels: 0, uncosted: 0 };
        let mut terms: Vec<f64> = Vec::with_capacity(set.len());
        for &(id, n) in set {
            let (k, c) = (&self.kernels[id as usize], self.costs[id as usize]);
            let n64 = u64::from(n);
            terms.push(c * f64::from(n));
            s.macs += k.features.macs * n64;
            s.flops += k.features.flops * n64;
            s.params += k.features.params * n64;
            s.kernels += n as usize;
            if !k.is_costed() {
                s.uncosted += n as usize;
            }
        }
        terms.sort_unstable_by(f64::total_cmp);
        s.cost = terms.iter().fold(0.0, |a, b| a + b);
        s
    }
}

/// The kernels of one candidate: its graph split with `rules`.
pub fn kernels_of(space: &Space, c: &Candidate, rules: &Rules) -> Result<Vec<Kernel>> {
    let graph = space.build(c)?;
    fuse(&graph, rules)
        .map_err(|source| ModelsError::Parser { arch: c.to_string(), source: Box::new(source) })
}

/// Score `candidates` of `space` with `cost`: one [`Score`] per candidate, in order.
pub fn score_batch(space: &Space, candidates: &[Candidate], cost: &dyn KernelCost) -> Result<Vec<Score>> {
    Scorer::new(space, cost)?.score(candidates)
}
