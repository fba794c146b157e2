//! NAS-Bench-201 (Dong & Yang, ICLR 2020): one cell of 4 nodes and 6 edges, each edge one of 5
//! operations, repeated in the CIFAR "tiny network" (`xautodl/models/cell_infers/tiny_network.py`,
//! also `hw_nas_bench_api/nas_201_models` in HW-NAS-Bench):
//!
//! - stem: 3×3 conv (3 → C, no bias) + BatchNorm, no activation;
//! - three stages of N = 5 cells at C = 16, 32, 64 channels and 32², 16², 8² pixels, with a
//!   `ResNetBasicblock` (stride 2) between stages: ReLU-conv3×3(s2)-BN, ReLU-conv3×3-BN, plus
//!   the shortcut avgpool 2×2(s2) → conv 1×1 (no BatchNorm), summed;
//! - head: BatchNorm + ReLU, global average pooling, fully connected to 10 classes.
//!
//! Inside a cell, node `i` is the sum over `j < i` of `op(i←j)(node j)`, the cell's output is
//! node 3. Operations: `none` (zero), `skip_connect` (identity), `nor_conv_1x1` and
//! `nor_conv_3x3` (ReLU → conv, no bias → BatchNorm), `avg_pool_3x3` (stride 1, padding 1).
//!
//! Conventions where the graph is not a literal transcription of the PyTorch code:
//! - a `none` edge adds nothing and is left out (PyTorch computes `x · 0` and adds it), and so is
//!   every operation whose result only reaches the output through `none` edges; when the cell's
//!   output is identically zero, the cell is one `Mul(x, 0)`;
//! - `avg_pool_3x3` uses `count_include_pad=False`, which einf's graph does not record (it
//!   changes neither shapes nor operation counts).

use crate::error::{ModelsError, Result};
use crate::net::{Act, Conv, Fm, Net, Pool};
use crate::options::{ArchOptions, Rounding};
use einf_parser::ir::Graph;

/// Base width C.
pub const C: u64 = 16;
/// Cells per stage N.
pub const N: usize = 5;
/// Output classes (CIFAR-10).
pub const CLASSES: u64 = 10;
/// Edges of a cell, in arch-string order: (to, from).
pub const EDGES: [(usize, usize); 6] = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)];

/// One edge operation, in NAS-Bench-201's order of `NAS_BENCH_201` op names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Nb201Op {
    /// Zero.
    None,
    /// Identity.
    Skip,
    /// ReLU → 1×1 conv → BatchNorm.
    Conv1x1,
    /// ReLU → 3×3 conv → BatchNorm.
    Conv3x3,
    /// 3×3 average pooling, stride 1.
    AvgPool3x3,
}

impl Nb201Op {
    /// All five, in index order.
    pub const ALL: [Nb201Op; 5] =
        [Nb201Op::None, Nb201Op::Skip, Nb201Op::Conv1x1, Nb201Op::Conv3x3, Nb201Op::AvgPool3x3];

    /// The name in arch strings.
    pub fn name(self) -> &'static str {
        match self {
            Nb201Op::None => "none",
            Nb201Op::Skip => "skip_connect",
            Nb201Op::Conv1x1 => "nor_conv_1x1",
            Nb201Op::Conv3x3 => "nor_conv_3x3",
            Nb201Op::AvgPool3x3 => "avg_pool_3x3",
        }
    }

    fn parse(s: &str) -> Option<Nb201Op> {
        Nb201Op::ALL.into_iter().find(|o| o.name() == s)
    }
}

/// A NAS-Bench-201 cell: the operation of each of the 6 edges, in [`EDGES`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nb201Cell {
    /// Edge operations.
    pub ops: [Nb201Op; 6],
}

/// Number of cells in the space (5⁶).
pub const SIZE: usize = 15_625;

impl Nb201Cell {
    /// The cell with enumeration index `i < 15,625`: the base-5 digits of `i`, first edge most
    /// significant, in [`Nb201Op::ALL`] order. This is einf's order, not NAS-Bench-201's
    /// archive index (which follows the benchmark's own file order; HELP's table gives both).
    pub fn from_index(i: usize) -> Option<Nb201Cell> {
        if i >= SIZE {
            return None;
        }
        let mut ops = [Nb201Op::None; 6];
        let mut r = i;
        for slot in ops.iter_mut().rev() {
            *slot = Nb201Op::ALL[r % 5];
            r /= 5;
        }
        Some(Nb201Cell { ops })
    }

    /// The enumeration index (inverse of [`Nb201Cell::from_index`]).
    pub fn index(&self) -> usize {
        self.ops.iter().fold(0, |acc, &o| acc * 5 + o as usize)
    }

    /// Parse an arch string `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`.
    pub fn parse(s: &str) -> Result<Nb201Cell> {
        let bad =
            |message: String| ModelsError::Candidate { space: "nb201".into(), input: s.to_string(), message };
        let nodes: Vec<&str> = s.trim().split('+').collect();
        if nodes.len() != 3 {
            return Err(bad(format!("{} node groups separated by '+', expected 3", nodes.len())));
        }
        let mut ops = [Nb201Op::None; 6];
        let mut k = 0;
        for (i, group) in nodes.iter().enumerate() {
            let inner = group
                .strip_prefix('|')
                .and_then(|g| g.strip_suffix('|'))
                .ok_or_else(|| bad(format!("node {} '{group}' is not enclosed in '|'", i + 1)))?;
            let edges: Vec<&str> = inner.split('|').collect();
            if edges.len() != i + 1 {
                return Err(bad(format!("node {} has {} edges, expected {}", i + 1, edges.len(), i + 1)));
            }
            for (j, e) in edges.iter().enumerate() {
                let (name, from) =
                    e.split_once('~').ok_or_else(|| bad(format!("edge '{e}' is not 'op~input'")))?;
                let op = Nb201Op::parse(name).ok_or_else(|| {
                    bad(format!(
                        "unknown operation '{name}' (known: {})",
                        Nb201Op::ALL.map(Nb201Op::name).join(", ")
                    ))
                })?;
                if from != j.to_string() {
                    return Err(bad(format!("edge '{e}' of node {} must read node {j}", i + 1)));
                }
                ops[k] = op;
                k += 1;
            }
        }
        Ok(Nb201Cell { ops })
    }

    fn op(&self, to: usize, from: usize) -> Nb201Op {
        EDGES.iter().position(|&e| e == (to, from)).map_or(Nb201Op::None, |k| self.ops[k])
    }

    /// The edges that contribute to the output: `(to, from, op)`, for operations other than
    /// `none` on a path from the input to node 3 with no `none` edge.
    pub fn live_edges(&self) -> Vec<(usize, usize, Nb201Op)> {
        let mut nonzero = [true, false, false, false];
        for i in 1..4 {
            nonzero[i] = (0..i).any(|j| nonzero[j] && self.op(i, j) != Nb201Op::None);
        }
        let mut needed = [false, false, false, true];
        for j in (0..3).rev() {
            needed[j] = (j + 1..4).any(|i| needed[i] && self.op(i, j) != Nb201Op::None);
        }
        EDGES
            .iter()
            .map(|&(i, j)| (i, j, self.op(i, j)))
            .filter(|&(i, j, op)| op != Nb201Op::None && nonzero[j] && needed[i])
            .collect()
    }

    /// Whether the cell's output is identically zero.
    pub fn is_zero(&self) -> bool {
        self.live_edges().is_empty()
    }
}

impl std::fmt::Display for Nb201Cell {
    /// The arch string.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut k = 0;
        for i in 1..4 {
            if i > 1 {
                f.write_str("+")?;
            }
            f.write_str("|")?;
            for j in 0..i {
                write!(f, "{}~{j}|", self.ops[k].name())?;
                k += 1;
            }
        }
        Ok(())
    }
}

/// ReLU → conv k×k (stride s, padding k/2, no bias) → BatchNorm.
fn relu_conv_bn(net: &mut Net, x: Fm, cout: u64, k: u64, s: u64) -> Result<Fm> {
    let y = net.act(x, Act::Relu)?;
    net.conv(y, Conv::new(cout, k).s(s).act(Act::None))
}

fn edge(net: &mut Net, x: Fm, op: Nb201Op) -> Result<Fm> {
    match op {
        Nb201Op::Conv1x1 => relu_conv_bn(net, x, x.c, 1, 1),
        Nb201Op::Conv3x3 => relu_conv_bn(net, x, x.c, 3, 1),
        Nb201Op::AvgPool3x3 => net.pool(x, Pool::avg(3, 1, 1)),
        Nb201Op::Skip | Nb201Op::None => Ok(x),
    }
}

/// One cell at the width and size of `x`.
pub(crate) fn cell(net: &mut Net, x: Fm, cell: &Nb201Cell) -> Result<Fm> {
    let live = cell.live_edges();
    if live.is_empty() {
        return Ok(net.mul_scalar(x, 0.0));
    }
    let mut nodes: [Option<Fm>; 4] = [Some(x), None, None, None];
    for i in 1..4 {
        for &(to, from, op) in live.iter().filter(|e| e.0 == i) {
            let Some(input) = nodes[from] else { continue };
            let y = edge(net, input, op)?;
            nodes[to] = Some(match nodes[to] {
                Some(acc) => net.add(acc, y)?,
                None => y,
            });
        }
    }
    nodes[3].ok_or_else(|| ModelsError::Layer {
        arch: "nb201".into(),
        layer: cell.to_string(),
        message: "node 3 has no live input".into(),
    })
}

/// NAS-Bench-201's `ResNetBasicblock` with stride 2.
pub(crate) fn reduction(net: &mut Net, x: Fm, cout: u64) -> Result<Fm> {
    let a = relu_conv_bn(net, x, cout, 3, 2)?;
    let b = relu_conv_bn(net, a, cout, 3, 1)?;
    let r = net.pool(x, Pool::avg(2, 2, 0))?;
    let r = net.conv(r, Conv::new(cout, 1).plain())?;
    net.add(r, b)
}

/// The stem: conv 3×3 (3 → C) + BatchNorm.
pub(crate) fn stem(net: &mut Net, x: Fm) -> Result<Fm> {
    net.conv(x, Conv::new(C, 3).act(Act::None))
}

/// The head: BatchNorm, ReLU, global average pooling, fully connected.
pub(crate) fn head(net: &mut Net, x: Fm) -> Result<Fm> {
    let y = net.bn(x);
    let y = net.act(y, Act::Relu)?;
    let y = net.gap(y);
    net.fc(y, CLASSES, Act::None)
}

/// The whole CIFAR-10 network of `cell` (32×32×3 input), shape-inferred.
pub fn build(cell_: &Nb201Cell) -> Result<Graph> {
    let (mut net, x) = Net::new("nb201", (3, 32, 32), &ArchOptions::default(), Rounding::Divisible(1))?;
    net.scope("stem");
    let mut x = stem(&mut net, x)?;
    for (s, c) in [C, 2 * C, 4 * C].into_iter().enumerate() {
        if s > 0 {
            net.scope(format!("reduce{s}"));
            x = reduction(&mut net, x, c)?;
        }
        for n in 0..N {
            net.scope(format!("stage{}.cell{n}", s + 1));
            x = cell(&mut net, x, cell_)?;
        }
    }
    net.scope("head");
    let y = head(&mut net, x)?;
    net.finish(&[y])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arch_strings_round_trip_and_index() {
        let s =
            "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|";
        let c = Nb201Cell::parse(s).unwrap();
        assert_eq!(c.to_string(), s);
        assert_eq!(Nb201Cell::from_index(c.index()), Some(c));
        assert_eq!(Nb201Cell::from_index(0).unwrap().ops, [Nb201Op::None; 6]);
        assert_eq!(Nb201Cell::from_index(SIZE - 1).unwrap().ops, [Nb201Op::AvgPool3x3; 6]);
        assert!(Nb201Cell::from_index(SIZE).is_none());
    }

    #[test]
    fn malformed_strings_are_named_errors() {
        for bad in [
            "",
            "|none~0|+|none~0|none~1|",
            "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|",
            "|none~1|+|none~0|none~1|+|none~0|none~1|none~2|",
            "|none~0|+|none~0|+|none~0|none~1|none~2|",
            "none~0+|none~0|none~1|+|none~0|none~1|none~2|",
            "|none0|+|none~0|none~1|+|none~0|none~1|none~2|",
        ] {
            match Nb201Cell::parse(bad) {
                Err(ModelsError::Candidate { space, .. }) => assert_eq!(space, "nb201"),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn dead_edges_are_pruned() {
        // Node 1 is only read through a none edge: its conv does not reach the output.
        let c = Nb201Cell::parse("|nor_conv_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|none~1|none~2|")
            .unwrap();
        assert_eq!(c.live_edges(), vec![(3, 0, Nb201Op::Conv1x1)]);
        // Node 2 reads only a zero node.
        let c = Nb201Cell::parse("|none~0|+|none~0|skip_connect~1|+|none~0|none~1|avg_pool_3x3~2|").unwrap();
        assert!(c.is_zero());
        assert!(Nb201Cell::from_index(0).unwrap().is_zero());
    }
}
