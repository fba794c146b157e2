//! The NAS-Bench-201 fast path: the stem, the two reduction blocks, the head and each edge
//! operation at each stage's size are built once as real graphs ([`Nb201Parts::new`]); a
//! candidate's network is then composed from them by index and split into kernels by the light
//! graph ([`super::lite`]), in the same node order as [`super::nb201::build`].

use super::lite::{Fragment, KernelCache, LiteGraph, LocalCache, NodeInfo};
use super::nb201::{self, C, N, Nb201Cell, Nb201Op};
use crate::error::{ModelsError, Result};
use crate::net::{Fm, Net};
use crate::options::{ArchOptions, Rounding};
use einf_parser::fusion::Rules;
use einf_parser::kernel::Kernel;

/// The parts of one stage.
struct Stage {
    conv1x1: Fragment,
    conv3x3: Fragment,
    pool: Fragment,
    add: Fragment,
    zero: Fragment,
}

/// Every part a NAS-Bench-201 network is composed of.
pub struct Nb201Parts {
    stem: Fragment,
    reductions: [Fragment; 2],
    stages: [Stage; 3],
    head: Fragment,
}

fn fragment(input: (u64, u64, u64), body: impl FnOnce(&mut Net, Fm) -> Result<Fm>) -> Result<Fragment> {
    let (mut net, x) = Net::new("nb201-part", input, &ArchOptions::default(), Rounding::Divisible(1))?;
    let y = body(&mut net, x)?;
    Fragment::from_graph(&net.finish(&[y])?)
}

fn cell_of(op: Nb201Op) -> Nb201Cell {
    // A cell whose only live edge is 0 → 3 with `op`: the edge on its own.
    let mut ops = [Nb201Op::None; 6];
    ops[3] = op;
    Nb201Cell { ops }
}

impl Nb201Parts {
    /// Build the parts (a few milliseconds).
    pub fn new() -> Result<Nb201Parts> {
        let stage = |s: u32| -> Result<Stage> {
            let (c, hw) = (C << s, 32 >> s);
            let shape = (c, hw, hw);
            Ok(Stage {
                conv1x1: fragment(shape, |n, x| nb201::cell(n, x, &cell_of(Nb201Op::Conv1x1)))?,
                conv3x3: fragment(shape, |n, x| nb201::cell(n, x, &cell_of(Nb201Op::Conv3x3)))?,
                pool: fragment(shape, |n, x| nb201::cell(n, x, &cell_of(Nb201Op::AvgPool3x3)))?,
                add: fragment(shape, |n, x| n.add(x, x))?,
                zero: fragment(shape, |n, x| Ok(n.mul_scalar(x, 0.0)))?,
            })
        };
        Ok(Nb201Parts {
            stem: fragment((3, 32, 32), nb201::stem)?,
            reductions: [
                fragment((C, 32, 32), |n, x| nb201::reduction(n, x, 2 * C))?,
                fragment((2 * C, 16, 16), |n, x| nb201::reduction(n, x, 4 * C))?,
            ],
            stages: [stage(0)?, stage(1)?, stage(2)?],
            head: fragment((4 * C, 8, 8), nb201::head)?,
        })
    }

    /// The kernels of `cell`'s network split with `rules`: the same as splitting
    /// [`nb201::build`]'s graph, without node ids or names.
    pub fn kernels(&self, cell: &Nb201Cell, rules: &Rules) -> Result<Vec<Kernel>> {
        let cache = KernelCache::default();
        let ids = self.kernel_ids(cell, rules, &cache, &mut LocalCache::default())?;
        ids.into_iter()
            .map(|id| {
                cache.get(id).ok_or_else(|| ModelsError::Layer {
                    arch: "nb201".into(),
                    layer: cell.to_string(),
                    message: "kernel cache lost a kernel".into(),
                })
            })
            .collect()
    }

    /// As [`Nb201Parts::kernels`], each kernel as its id in `cache` (which must be used with
    /// these parts and these rules only).
    pub(crate) fn kernel_ids(
        &self,
        cell: &Nb201Cell,
        rules: &Rules,
        cache: &KernelCache,
        local: &mut LocalCache,
    ) -> Result<Vec<u32>> {
        let missing = || ModelsError::Layer {
            arch: "nb201".into(),
            layer: cell.to_string(),
            message: "a part of the fast path is not a single node".into(),
        };
        let (add, zero): (Vec<&NodeInfo>, Vec<&NodeInfo>) = (
            self.stages.iter().map(|s| s.add.single()).collect::<Option<_>>().ok_or_else(missing)?,
            self.stages.iter().map(|s| s.zero.single()).collect::<Option<_>>().ok_or_else(missing)?,
        );
        let live = cell.live_edges();
        let mut g = LiteGraph::new(3 * 32 * 32 * 4);
        let mut x = g.append(&self.stem, 0);
        for (s, stage) in self.stages.iter().enumerate() {
            if s > 0 {
                x = g.append(&self.reductions[s - 1], x);
            }
            for _ in 0..N {
                if live.is_empty() {
                    x = g.node(zero[s], &[x]);
                    continue;
                }
                let mut nodes: [Option<u32>; 4] = [Some(x), None, None, None];
                for &(to, from, op) in &live {
                    let Some(input) = nodes[from] else { continue };
                    let y = match op {
                        Nb201Op::Conv1x1 => g.append(&stage.conv1x1, input),
                        Nb201Op::Conv3x3 => g.append(&stage.conv3x3, input),
                        Nb201Op::AvgPool3x3 => g.append(&stage.pool, input),
                        Nb201Op::Skip | Nb201Op::None => input,
                    };
                    nodes[to] = Some(match nodes[to] {
                        Some(acc) => g.node(add[s], &[acc, y]),
                        None => y,
                    });
                }
                x = nodes[3].ok_or_else(missing)?;
            }
        }
        let y = g.append(&self.head, x);
        Ok(g.kernels(rules, y, cache, local))
    }
}

/// Splits NAS-Bench-201 cells with one backend's rules through the fast path, remembering each
/// distinct kernel across calls (and threads): a cell's kernels come back as ids, which
/// [`Nb201Splitter::kernel`] turns into kernels, so that a whole space is split without
/// building (or copying) a kernel twice.
pub struct Nb201Splitter {
    parts: Nb201Parts,
    rules: Rules,
    cache: KernelCache,
}

impl Nb201Splitter {
    /// A splitter for `rules` (builds the parts: a few milliseconds).
    pub fn new(rules: Rules) -> Result<Nb201Splitter> {
        Ok(Nb201Splitter { parts: Nb201Parts::new()?, rules, cache: KernelCache::default() })
    }

    /// The kernels of `cell`'s network, in [`Nb201Parts::kernels`]'s order, as ids: a kernel
    /// met in an earlier call has the id it had then.
    pub fn kernel_ids(&self, cell: &Nb201Cell) -> Result<Vec<u32>> {
        self.parts.kernel_ids(cell, &self.rules, &self.cache, &mut LocalCache::default())
    }

    /// The kernel with id `id`, when some call returned it.
    pub fn kernel(&self, id: u32) -> Option<Kernel> {
        self.cache.get(id)
    }
}
