//! Architecture search spaces: NAS-Bench-201 cells ([`nb201`]), the FBNet space of HW-NAS-Bench
//! and HELP ([`fbnet`]), and generic mobile spaces read from a file ([`mobile`]). A [`Space`]
//! names its candidates, parses them from their identifiers, enumerates or samples them with a
//! seed, and builds each one's graph in einf's vocabulary.
//!
//! ```
//! use einf_models::space::Space;
//! let space = Space::named("nb201")?;
//! let c = space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")?;
//! let graph = space.build(&c)?;
//! assert_eq!(graph.inputs.len(), 1);
//! # Ok::<(), einf_models::ModelsError>(())
//! ```

pub mod fbnet;
mod fbnet_fast;
pub(crate) mod lite;
pub mod mobile;
pub mod nb201;
mod nb201_fast;

pub use fbnet_fast::FbnetParts;
pub use nb201_fast::{Nb201Parts, Nb201Splitter};

use crate::error::{ModelsError, Result};
use crate::rng::Rng;
use einf_parser::ir::Graph;
use fbnet::{FbnetArch, Setting};
use mobile::{MobileArch, MobileSpace};
use nb201::Nb201Cell;
use std::collections::HashSet;

/// A search space.
#[derive(Debug, Clone, PartialEq)]
pub enum Space {
    /// NAS-Bench-201 on CIFAR-10.
    Nb201,
    /// FBNet (HW-NAS-Bench) in a dataset setting.
    Fbnet(Setting),
    /// A mobile space from a file.
    Mobile(Box<MobileSpace>),
}

/// A member of a search space.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Candidate {
    /// A NAS-Bench-201 cell.
    Nb201(Nb201Cell),
    /// An FBNet block list.
    Fbnet(FbnetArch),
    /// A mobile space choice.
    Mobile(MobileArch),
}

impl std::fmt::Display for Candidate {
    /// The candidate's identifier, which [`Space::parse`] reads back.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Candidate::Nb201(c) => c.fmt(f),
            Candidate::Fbnet(a) => a.fmt(f),
            Candidate::Mobile(m) => m.fmt(f),
        }
    }
}

/// Largest number of candidates [`Space::all`] enumerates.
pub const MAX_ENUMERATE: u128 = 10_000_000;

impl Space {
    /// A built-in space by name: `nb201` (also `nasbench201`, `nas-bench-201`), `fbnet`
    /// (CIFAR-100 setting, HELP's), `fbnet-imagenet`.
    pub fn named(name: &str) -> Result<Space> {
        match name.to_ascii_lowercase().as_str() {
            "nb201" | "nasbench201" | "nas-bench-201" => Ok(Space::Nb201),
            "fbnet" | "fbnet-cifar100" => Ok(Space::Fbnet(Setting::Cifar100)),
            "fbnet-imagenet" => Ok(Space::Fbnet(Setting::ImageNet)),
            _ => Err(ModelsError::UnknownSpace { name: name.to_string() }),
        }
    }

    /// The space's name.
    pub fn name(&self) -> String {
        match self {
            Space::Nb201 => "nb201".into(),
            Space::Fbnet(Setting::Cifar100) => "fbnet".into(),
            Space::Fbnet(Setting::ImageNet) => "fbnet-imagenet".into(),
            Space::Mobile(m) => m.name.clone(),
        }
    }

    /// Number of candidates (saturating at `u128::MAX`).
    pub fn size(&self) -> u128 {
        match self {
            Space::Nb201 => nb201::SIZE as u128,
            Space::Fbnet(_) => u128::from(fbnet::CHOICES).pow(fbnet::LAYERS as u32),
            Space::Mobile(m) => m.size(),
        }
    }

    /// Every candidate, in the space's enumeration order; an error when there are more than
    /// [`MAX_ENUMERATE`] (sample instead).
    pub fn all(&self) -> Result<Vec<Candidate>> {
        let n = self.size();
        if n > MAX_ENUMERATE {
            return Err(ModelsError::InvalidOption {
                option: "space",
                message: format!(
                    "{} has {n} candidates, more than the {MAX_ENUMERATE} that are enumerated; sample a subset",
                    self.name()
                ),
            });
        }
        Ok((0..n).map(|i| self.nth(i)).collect())
    }

    fn nth(&self, i: u128) -> Candidate {
        match self {
            Space::Nb201 => Candidate::Nb201(
                Nb201Cell::from_index(i as usize).unwrap_or(Nb201Cell { ops: [nb201::Nb201Op::None; 6] }),
            ),
            Space::Fbnet(_) => Candidate::Fbnet(FbnetArch::from_number(i)),
            Space::Mobile(m) => Candidate::Mobile(m.nth(i)),
        }
    }

    /// `n` distinct candidates drawn uniformly with `seed` (all of them, in a random order, when
    /// `n` is at least the space's size).
    pub fn sample(&self, n: usize, seed: u64) -> Vec<Candidate> {
        let mut rng = Rng::new(seed);
        let size = self.size();
        if size <= (n as u128).saturating_mul(2) && size <= MAX_ENUMERATE {
            // A partial Fisher–Yates shuffle of the whole space.
            let mut idx: Vec<u128> = (0..size).collect();
            let take = n.min(idx.len());
            for i in 0..take {
                let j = i + rng.below((idx.len() - i) as u64) as usize;
                idx.swap(i, j);
            }
            return idx[..take].iter().map(|&i| self.nth(i)).collect();
        }
        let mut seen = HashSet::with_capacity(n);
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let c = match self {
                Space::Nb201 => self.nth(u128::from(rng.below(nb201::SIZE as u64))),
                Space::Fbnet(_) => {
                    let mut blocks = [0u8; fbnet::LAYERS];
                    for b in &mut blocks {
                        *b = rng.below(u64::from(fbnet::CHOICES)) as u8;
                    }
                    Candidate::Fbnet(FbnetArch { blocks })
                }
                Space::Mobile(m) => Candidate::Mobile(m.random(&mut rng)),
            };
            if seen.insert(c.clone()) {
                out.push(c);
            }
        }
        out
    }

    /// Parse a candidate's identifier (an NB201 arch string, 22 FBNet block indices, a mobile
    /// `kKeEdDwW-...` string).
    pub fn parse(&self, id: &str) -> Result<Candidate> {
        match self {
            Space::Nb201 => Nb201Cell::parse(id).map(Candidate::Nb201),
            Space::Fbnet(_) => FbnetArch::parse(id).map(Candidate::Fbnet),
            Space::Mobile(m) => m.parse(id).map(Candidate::Mobile),
        }
    }

    /// Build a candidate's graph (shape-inferred). The candidate must belong to this space.
    pub fn build(&self, c: &Candidate) -> Result<Graph> {
        match (self, c) {
            (Space::Nb201, Candidate::Nb201(cell)) => nb201::build(cell),
            (Space::Fbnet(s), Candidate::Fbnet(a)) => fbnet::build(a, *s),
            (Space::Mobile(m), Candidate::Mobile(a)) => m.build(a),
            _ => Err(ModelsError::Candidate {
                space: self.name(),
                input: c.to_string(),
                message: "not a member of this space".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_sizes() {
        assert_eq!(Space::named("nb201").unwrap().size(), 15_625);
        assert_eq!(Space::named("FBNet").unwrap().size(), 9u128.pow(22));
        assert!(matches!(Space::named("darts"), Err(ModelsError::UnknownSpace { .. })));
        assert!(Space::named("fbnet").unwrap().all().is_err());
    }

    #[test]
    fn samples_are_distinct_and_seeded() {
        for space in [Space::Nb201, Space::Fbnet(Setting::Cifar100)] {
            let a = space.sample(500, 3);
            let b = space.sample(500, 3);
            assert_eq!(a, b);
            assert_ne!(a, space.sample(500, 4));
            let set: HashSet<_> = a.iter().collect();
            assert_eq!(set.len(), 500);
        }
        let all = Space::Nb201.sample(20_000, 1);
        assert_eq!(all.len(), 15_625);
        assert_eq!(all.iter().collect::<HashSet<_>>().len(), 15_625);
    }
}
