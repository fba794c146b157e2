//! The FBNet fast path: the stem, each of the 9 blocks at each of the 22 layer positions and the
//! head are built once as small graphs and split with one backend's rules ([`FbnetParts::new`]);
//! a candidate's kernels are then the pieces of its blocks, in order. No kernel crosses a layer
//! boundary (a layer starts with a convolution, which no built-in rules fuse onto what precedes
//! it), so the pieces give the kernels of splitting [`super::fbnet::build`]'s graph:
//! `tests/space_fast.rs` checks it, kernel for kernel, on every backend.

use super::fbnet::{self, BLOCKS, FbnetArch, LAYERS, STAGE_CHANNELS, STAGE_LAYERS, Setting};
use crate::error::{ModelsError, Result};
use crate::net::{Fm, Net};
use crate::options::{ArchOptions, Rounding};
use einf_parser::fusion::{Rules, fuse};
use einf_parser::kernel::Kernel;

/// The kernels of every piece of the FBNet networks of one setting, split with one backend's
/// rules.
pub struct FbnetParts {
    pieces: Vec<Vec<Kernel>>,
    /// Piece of each block at each layer: `layers[l][b]`.
    layers: Vec<[usize; BLOCKS.len()]>,
}

/// The kernels of `body` applied to an input of `shape` (channels, height, width), and the
/// output's shape.
fn piece(
    shape: (u64, u64, u64),
    rules: &Rules,
    body: impl FnOnce(&mut Net, Fm) -> Result<Fm>,
) -> Result<(Vec<Kernel>, (u64, u64, u64))> {
    let (mut net, x) = Net::new("fbnet-part", shape, &ArchOptions::default(), Rounding::Divisible(1))?;
    let y = body(&mut net, x)?;
    if y.id == x.id {
        // The identity: no node, no kernel.
        return Ok((Vec::new(), shape));
    }
    let out = (y.c, y.h, y.w);
    let graph = net.finish(&[y])?;
    let mut kernels = fuse(&graph, rules)
        .map_err(|source| ModelsError::Parser { arch: "fbnet-part".into(), source: Box::new(source) })?;
    // Node ids and names are the piece's, not a network's.
    for k in &mut kernels {
        k.nodes.clear();
        k.names.clear();
    }
    Ok((kernels, out))
}

impl FbnetParts {
    /// Build and split the pieces (a few hundred small graphs).
    pub fn new(setting: Setting, rules: &Rules) -> Result<FbnetParts> {
        let r = setting.input();
        let (stem, mut shape) = piece((3, r, r), rules, |n, x| fbnet::stem(n, x, setting))?;
        let mut pieces = vec![stem];
        let mut layers = Vec::with_capacity(LAYERS);
        for (s, (&n, &c)) in STAGE_LAYERS.iter().zip(&STAGE_CHANNELS).enumerate() {
            for i in 0..n {
                let stride = if i == 0 { setting.strides()[s] } else { 1 };
                let mut slots = [0usize; BLOCKS.len()];
                let mut next = None;
                for (b, slot) in (0u8..).zip(slots.iter_mut()) {
                    let (ks, out) = piece(shape, rules, |n, x| fbnet::layer(n, x, b, c, stride))?;
                    if next.is_some_and(|o| o != out) {
                        return Err(ModelsError::Layer {
                            arch: "fbnet".into(),
                            layer: format!("layer{}", layers.len() + 1),
                            message: "blocks of one layer give different output shapes".into(),
                        });
                    }
                    next = Some(out);
                    *slot = pieces.len();
                    pieces.push(ks);
                }
                shape = next.unwrap_or(shape);
                layers.push(slots);
            }
        }
        let (head, _) = piece(shape, rules, |n, x| fbnet::head(n, x, setting))?;
        pieces.push(head);
        Ok(FbnetParts { pieces, layers })
    }

    /// Every piece's kernels (stem, then each layer's blocks, then the head).
    pub fn pieces(&self) -> &[Vec<Kernel>] {
        &self.pieces
    }

    /// The pieces of `arch`'s network, in execution order: indices into [`FbnetParts::pieces`].
    pub fn piece_ids(&self, arch: &FbnetArch) -> Vec<usize> {
        let mut out = Vec::with_capacity(LAYERS + 2);
        out.push(0);
        out.extend(
            self.layers.iter().zip(arch.blocks).filter_map(|(slots, b)| slots.get(usize::from(b)).copied()),
        );
        out.push(self.pieces.len() - 1);
        out
    }

    /// The kernels of `arch`'s network: the same as splitting [`super::fbnet::build`]'s graph
    /// with these rules, without node ids or names.
    pub fn kernels(&self, arch: &FbnetArch) -> Vec<Kernel> {
        self.piece_ids(arch).into_iter().filter_map(|i| self.pieces.get(i)).flatten().cloned().collect()
    }
}
