//! Totals of a built network in the conventions of the published tables: multiply-accumulates
//! of convolutions and fully connected layers, and trainable parameters.
//!
//! MACs are the parser's (`einf_parser::kernel::node_cost`), which is what torchvision's "GFLOPS"
//! column and the papers' "Mult-Adds" count. Parameters are what `model.parameters()` counts:
//! conv and fully connected weights and biases, and BatchNorm scale and bias; BatchNorm running
//! statistics are buffers, not parameters (einf's kernel features count them: they are data the
//! runtime reads).

use einf_parser::ir::{Graph, Op};
use einf_parser::kernel::node_cost;
use serde::Serialize;

/// Totals of one network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Multiply-accumulates (batch 1).
    pub macs: u64,
    /// Trainable parameters.
    pub params: u64,
    /// Nodes.
    pub nodes: usize,
}

/// Totals of `graph` (shape-inferred).
pub fn summarize(graph: &Graph) -> Summary {
    let mut s = Summary { macs: 0, params: 0, nodes: graph.nodes.len() };
    for n in &graph.nodes {
        s.macs += node_cost(graph, n).macs;
        let trainable: &[usize] = match n.op {
            Op::Conv(_) | Op::ConvTranspose(_) | Op::Gemm { .. } | Op::MatMul { .. } => &[1, 2],
            Op::BatchNorm { .. } => &[1, 2],
            Op::PRelu => &[1],
            _ => &[],
        };
        for &i in trainable {
            if let Some(t) = n.input(i).map(|t| graph.tensor(t))
                && t.is_const()
            {
                s.params += t.elements().unwrap_or(0);
            }
        }
    }
    s
}
