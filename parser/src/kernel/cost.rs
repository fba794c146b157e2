//! Per-node cost: exact multiply-accumulates, FLOPs and parameters, by operator family.
//!
//! Conventions (the same as the independent reference in `tests/fixtures/reference`):
//! - Convolution MACs = N·Cout·Hout·Wout·(Cin/groups)·kh·kw (padding and dilation are already in
//!   the output size and window; a depthwise conv has Cin/groups = 1). Transposed convolution
//!   MACs = N·Cin·Hin·Win·(Cout/groups)·kh·kw. Fully connected / MatMul MACs = rows·K·N.
//! - FLOPs = 2·MACs, plus one per output element for a bias, and for other operators one per
//!   output element (pooling: one per window element; softmax: three per element; LRN: `size`
//!   per element). Data movement (reshape, concat, pad, ...) has no FLOPs.
//! - Parameters = elements of the constant data operands (weights, bias, BatchNorm statistics,
//!   PRelu slopes, constant operands of elementwise ops); shape-like operands (axes, pads,
//!   target shapes, scales) are not parameters.

use super::role::channel_axis;
use crate::ir::{Graph, Node, Op, TensorId, WeightLayout};

/// The cost of one node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NodeCost {
    /// Multiply-accumulates.
    pub macs: u64,
    /// Floating-point (or integer) operations.
    pub flops: u64,
    /// Parameters (elements of constant data operands).
    pub params: u64,
}

fn elements(graph: &Graph, t: Option<TensorId>) -> Option<u64> {
    graph.tensor(t?).elements()
}

fn shape(graph: &Graph, t: Option<TensorId>) -> Option<Vec<u64>> {
    graph.tensor(t?).known_shape()
}

/// Indices of the inputs of `node` that are data operands (weights), as opposed to shape-like
/// parameters.
pub fn data_operands(node: &Node) -> std::ops::Range<usize> {
    let n = node.inputs.len();
    match node.op {
        Op::Conv(_) | Op::ConvTranspose(_) | Op::Gemm { .. } | Op::MatMul { .. } => 0..n.min(3),
        Op::BatchNorm { .. } | Op::Norm { .. } | Op::PRelu | Op::Binary(_) | Op::Concat { .. } => 0..n,
        _ => 0..n.min(1),
    }
}

/// Parameters of a node: elements of its constant data operands.
fn params(graph: &Graph, node: &Node) -> u64 {
    data_operands(node)
        .filter_map(|i| node.input(i))
        .filter(|&t| graph.tensor(t).is_const())
        .filter_map(|t| graph.tensor(t).elements())
        .fold(0u64, u64::saturating_add)
}

fn conv_macs(graph: &Graph, node: &Node, transposed: bool) -> Option<u64> {
    let (Op::Conv(a) | Op::ConvTranspose(a)) = &node.op else { return None };
    let x = shape(graph, node.input(0))?;
    let y = shape(graph, node.output(0))?;
    let w = shape(graph, node.input(1))?;
    let groups = a.groups.unwrap_or(1).max(1);
    let window: u64 = match a.weight_layout {
        WeightLayout::Oihw | WeightLayout::Iohw => w.iter().skip(2).product(),
        WeightLayout::Ohwi | WeightLayout::Ihwo => w.iter().skip(1).take(w.len().saturating_sub(2)).product(),
    };
    let cin = *x.get(channel_axis(graph.layout, x.len()))?;
    let cout = *y.get(channel_axis(graph.layout, y.len()))?;
    // Per output (or, transposed, per input) element: (channels of the other side / groups)·window.
    let (positions, other) = if transposed {
        (x.iter().product::<u64>(), cout / groups)
    } else {
        (y.iter().product::<u64>(), cin / groups)
    };
    Some(positions.saturating_mul(other).saturating_mul(window))
}

fn linear_macs(graph: &Graph, node: &Node) -> Option<u64> {
    let y = shape(graph, node.output(0))?;
    let a = shape(graph, node.input(0))?;
    let k = match &node.op {
        Op::Gemm { trans_a: true, .. } => *a.first()?,
        Op::MatMul { adj_a: true, .. } if a.len() >= 2 => *a.get(a.len() - 2)?,
        _ => *a.last()?,
    };
    Some(y.iter().product::<u64>().saturating_mul(k))
}

/// The cost of one node; zero where shapes are unknown (the coverage report counts those).
pub fn node_cost(graph: &Graph, node: &Node) -> NodeCost {
    let out = elements(graph, node.output(0)).unwrap_or(0);
    let params = params(graph, node);
    let (macs, flops) = match &node.op {
        Op::Conv(_) | Op::ConvTranspose(_) => {
            let macs = conv_macs(graph, node, matches!(node.op, Op::ConvTranspose(_))).unwrap_or(0);
            let bias = if node.input(2).is_some() { out } else { 0 };
            (macs, macs.saturating_mul(2).saturating_add(bias))
        }
        Op::Gemm { .. } | Op::MatMul { .. } => {
            let macs = linear_macs(graph, node).unwrap_or(0);
            let bias = if node.input(2).is_some() { out } else { 0 };
            (macs, macs.saturating_mul(2).saturating_add(bias))
        }
        Op::Pool(p) => {
            let window = if p.global {
                elements(graph, node.input(0)).unwrap_or(0)
            } else {
                out.saturating_mul(p.kernel.iter().product())
            };
            (0, window)
        }
        Op::Reduce { .. } => (0, elements(graph, node.input(0)).unwrap_or(0)),
        Op::BatchNorm { .. } => (0, out.saturating_mul(2)),
        Op::Norm { .. } => (0, out.saturating_mul(4)),
        Op::Lrn { size } => (0, out.saturating_mul(*size)),
        Op::Softmax { .. } => (0, out.saturating_mul(3)),
        Op::Binary(_) | Op::Unary(_) | Op::PRelu | Op::Resize { .. } => (0, out),
        _ => (0, 0),
    };
    NodeCost { macs, flops, params }
}
