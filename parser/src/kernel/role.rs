//! The role of one node inside a kernel: the token kernel kinds are spelled with.

use crate::ir::{BinaryOp, Graph, Layout, Node, Op, PoolKind, ReduceKind, UnaryOp};
use serde::{Deserialize, Serialize};

/// What a node does, as far as kernel kinds care (`conv`, `dwconv`, `relu`, `add`, ...).
///
/// Several operators share a role when runtimes execute them alike: Relu, Relu6 and `Clip(0, x)`
/// are all `relu` (as in nn-Meter); Reshape, Flatten, Squeeze and Unsqueeze are all `reshape`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Role {
    /// Dense convolution (groups = 1).
    Conv,
    /// Depthwise convolution (groups = Cin, any depth multiplier).
    DwConv,
    /// Grouped convolution (1 < groups < Cin); never costed as a dense one.
    GroupConv,
    /// Transposed convolution.
    ConvTranspose,
    /// Fully connected (Gemm, FULLY_CONNECTED, MatMul with a constant operand).
    Fc,
    /// Matrix product of two activations.
    MatMul,
    /// Max pooling.
    MaxPool,
    /// Average pooling.
    AvgPool,
    /// Global average pooling (GlobalAveragePool, mean over H and W, average pool over the whole map).
    Gap,
    /// Global max pooling.
    Gmp,
    /// Batch normalisation, or an elementwise add/sub/mul/div by a per-channel or scalar
    /// constant: a per-channel affine map that runtimes fold into a preceding convolution.
    Bn,
    /// Instance, layer or group normalisation.
    Norm,
    /// Local response normalisation.
    Lrn,
    /// ReLU, ReLU6, Clip(0, x).
    Relu,
    /// Other clipping.
    Clip,
    /// Leaky ReLU.
    LeakyRelu,
    /// Parametric ReLU.
    Prelu,
    /// Sigmoid.
    Sigmoid,
    /// Hard sigmoid.
    Hsigmoid,
    /// Hard swish (also the template x·relu6(x+3)/6).
    Hswish,
    /// Swish / SiLU.
    Swish,
    /// Tanh.
    Tanh,
    /// ELU, GELU, softplus.
    Act,
    /// Other elementwise math (exp, sqrt, ...).
    Math,
    /// Elementwise addition.
    Add,
    /// Elementwise subtraction.
    Sub,
    /// Elementwise multiplication.
    Mul,
    /// Elementwise division.
    Div,
    /// Other binary elementwise ops (pow, max, min, comparisons).
    Eltwise,
    /// Softmax.
    Softmax,
    /// Reductions other than global average pooling.
    Reduce,
    /// Concatenation.
    Concat,
    /// Split.
    Split,
    /// Slice.
    Slice,
    /// Padding.
    Pad,
    /// Reshape, Flatten, Squeeze, Unsqueeze.
    Reshape,
    /// Transpose.
    Transpose,
    /// Resize / upsample.
    Resize,
    /// Depth-to-space / space-to-depth.
    SpaceDepth,
    /// Tile, Expand, Gather and other data movement.
    Copy,
    /// Cast, Quantize, Dequantize.
    Convert,
    /// Identity.
    Identity,
    /// Squeeze-and-excite (template).
    Se,
    /// Channel shuffle (template).
    ChannelShuffle,
    /// An operator einf cannot cost.
    Unsupported(String),
}

impl Role {
    /// The token used in kernel kind names.
    pub fn token(&self) -> &str {
        match self {
            Role::Conv => "conv",
            Role::DwConv => "dwconv",
            Role::GroupConv => "groupconv",
            Role::ConvTranspose => "convtranspose",
            Role::Fc => "fc",
            Role::MatMul => "matmul",
            Role::MaxPool => "maxpool",
            Role::AvgPool => "avgpool",
            Role::Gap => "gap",
            Role::Gmp => "gmp",
            Role::Bn => "bn",
            Role::Norm => "norm",
            Role::Lrn => "lrn",
            Role::Relu => "relu",
            Role::Clip => "clip",
            Role::LeakyRelu => "leakyrelu",
            Role::Prelu => "prelu",
            Role::Sigmoid => "sigmoid",
            Role::Hsigmoid => "hsigmoid",
            Role::Hswish => "hswish",
            Role::Swish => "swish",
            Role::Tanh => "tanh",
            Role::Act => "act",
            Role::Math => "math",
            Role::Add => "add",
            Role::Sub => "sub",
            Role::Mul => "mul",
            Role::Div => "div",
            Role::Eltwise => "eltwise",
            Role::Softmax => "softmax",
            Role::Reduce => "reduce",
            Role::Concat => "concat",
            Role::Split => "split",
            Role::Slice => "slice",
            Role::Pad => "pad",
            Role::Reshape => "reshape",
            Role::Transpose => "transpose",
            Role::Resize => "resize",
            Role::SpaceDepth => "spacedepth",
            Role::Copy => "copy",
            Role::Convert => "convert",
            Role::Identity => "identity",
            Role::Se => "se",
            Role::ChannelShuffle => "channelshuffle",
            Role::Unsupported(_) => "unsupported",
        }
    }

    /// Every role with a fixed token, for parsing and documentation.
    pub const ALL: [Role; 44] = [
        Role::Conv,
        Role::DwConv,
        Role::GroupConv,
        Role::ConvTranspose,
        Role::Fc,
        Role::MatMul,
        Role::MaxPool,
        Role::AvgPool,
        Role::Gap,
        Role::Gmp,
        Role::Bn,
        Role::Norm,
        Role::Lrn,
        Role::Relu,
        Role::Clip,
        Role::LeakyRelu,
        Role::Prelu,
        Role::Sigmoid,
        Role::Hsigmoid,
        Role::Hswish,
        Role::Swish,
        Role::Tanh,
        Role::Act,
        Role::Math,
        Role::Add,
        Role::Sub,
        Role::Mul,
        Role::Div,
        Role::Eltwise,
        Role::Softmax,
        Role::Reduce,
        Role::Concat,
        Role::Split,
        Role::Slice,
        Role::Pad,
        Role::Reshape,
        Role::Transpose,
        Role::Resize,
        Role::SpaceDepth,
        Role::Copy,
        Role::Convert,
        Role::Identity,
        Role::Se,
        Role::ChannelShuffle,
    ];

    /// Convolution-like roles (BatchNorm folds into them).
    pub fn is_conv(&self) -> bool {
        matches!(self, Role::Conv | Role::DwConv | Role::GroupConv | Role::ConvTranspose)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Role::Unsupported(name) => write!(f, "unsupported:{name}"),
            other => f.write_str(other.token()),
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(name) = s.strip_prefix("unsupported:") {
            return Ok(Role::Unsupported(name.to_string()));
        }
        Role::ALL.iter().find(|r| r.token() == s).cloned().ok_or_else(|| format!("unknown kernel role '{s}'"))
    }
}

impl From<Role> for String {
    fn from(r: Role) -> String {
        r.to_string()
    }
}

impl TryFrom<String> for Role {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// Channel axis and spatial axes of a rank-`rank` activation in `layout`.
pub(crate) fn channel_axis(layout: Layout, rank: usize) -> usize {
    match layout {
        Layout::Nchw => 1.min(rank.saturating_sub(1)),
        Layout::Nhwc => rank.saturating_sub(1),
    }
}

/// Spatial axes of a rank-`rank` activation in `layout` (empty below rank 3).
pub(crate) fn spatial_axes(layout: Layout, rank: usize) -> Vec<usize> {
    if rank < 3 {
        return Vec::new();
    }
    match layout {
        Layout::Nchw => (2..rank).collect(),
        Layout::Nhwc => (1..rank - 1).collect(),
    }
}

fn input_shape(graph: &Graph, node: &Node, i: usize) -> Option<Vec<u64>> {
    graph.tensor(node.input(i)?).known_shape()
}

fn is_const_input(graph: &Graph, node: &Node, i: usize) -> bool {
    node.input(i).is_some_and(|t| graph.tensor(t).is_const())
}

/// The role of a node (shape inference must have run for conv/pool distinctions).
pub fn role_of(graph: &Graph, node: &Node) -> Role {
    match &node.op {
        Op::Conv(a) => {
            let groups = a.groups.unwrap_or(1);
            let cin = input_shape(graph, node, 0)
                .and_then(|s| s.get(channel_axis(graph.layout, s.len())).copied())
                .unwrap_or(0);
            if groups <= 1 {
                Role::Conv
            } else if groups == cin {
                Role::DwConv
            } else {
                Role::GroupConv
            }
        }
        Op::ConvTranspose(_) => Role::ConvTranspose,
        Op::Pool(p) => match (p.kind, p.global || pool_is_global(graph, node, &p.kernel, &p.padding)) {
            (PoolKind::Avg, true) => Role::Gap,
            (PoolKind::Max, true) => Role::Gmp,
            (PoolKind::Max, false) => Role::MaxPool,
            (PoolKind::Avg | PoolKind::L2, _) => Role::AvgPool,
        },
        Op::Gemm { .. } => Role::Fc,
        Op::MatMul { .. } => {
            if is_const_input(graph, node, 1) || is_const_input(graph, node, 0) {
                Role::Fc
            } else {
                Role::MatMul
            }
        }
        Op::BatchNorm { .. } => Role::Bn,
        Op::Norm { .. } => Role::Norm,
        Op::Lrn { .. } => Role::Lrn,
        Op::Binary(BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div)
            if is_affine(graph, node) =>
        {
            Role::Bn
        }
        Op::Binary(b) => match b {
            BinaryOp::Add => Role::Add,
            BinaryOp::Sub => Role::Sub,
            BinaryOp::Mul => Role::Mul,
            BinaryOp::Div => Role::Div,
            _ => Role::Eltwise,
        },
        Op::Unary(u) => match u {
            UnaryOp::Relu | UnaryOp::Relu6 => Role::Relu,
            UnaryOp::Clip { min, .. } => {
                let lo = min.or_else(|| node.input(1).and_then(|t| graph.tensor(t).scalar()));
                if lo == Some(0.0) { Role::Relu } else { Role::Clip }
            }
            UnaryOp::LeakyRelu { .. } => Role::LeakyRelu,
            UnaryOp::Sigmoid => Role::Sigmoid,
            UnaryOp::HardSigmoid { .. } => Role::Hsigmoid,
            UnaryOp::HardSwish => Role::Hswish,
            UnaryOp::Swish => Role::Swish,
            UnaryOp::Tanh => Role::Tanh,
            UnaryOp::Elu | UnaryOp::Gelu | UnaryOp::Softplus => Role::Act,
            UnaryOp::Math(_) => Role::Math,
        },
        Op::PRelu => Role::Prelu,
        Op::Softmax { .. } => Role::Softmax,
        Op::Reduce { kind: ReduceKind::Mean, axes, .. } if reduces_spatial(graph, node, axes.as_deref()) => {
            Role::Gap
        }
        Op::Reduce { .. } => Role::Reduce,
        Op::Concat { .. } => Role::Concat,
        Op::Split { .. } => Role::Split,
        Op::Slice { .. } => Role::Slice,
        Op::Pad { .. } => Role::Pad,
        Op::Reshape { .. } | Op::Flatten { .. } | Op::Squeeze { .. } | Op::Unsqueeze { .. } => Role::Reshape,
        Op::Transpose { .. } => Role::Transpose,
        Op::Resize { .. } => Role::Resize,
        Op::SpaceDepth { .. } => Role::SpaceDepth,
        Op::Tile
        | Op::Expand
        | Op::Gather { .. }
        | Op::Range
        | Op::ConstantOfShape { .. }
        | Op::Shape { .. } => Role::Copy,
        Op::Cast { .. } | Op::Quantize | Op::Dequantize => Role::Convert,
        Op::Identity | Op::Constant => Role::Identity,
        Op::Unsupported { name } => Role::Unsupported(name.clone()),
    }
}

/// A binary op with one dynamic operand and one constant of at most one element per channel.
fn is_affine(graph: &Graph, node: &Node) -> bool {
    let (Some(a), Some(b)) = (node.input(0), node.input(1)) else { return false };
    let (ta, tb) = (graph.tensor(a), graph.tensor(b));
    let (x, c) = match (ta.is_const(), tb.is_const()) {
        (false, true) => (ta, tb),
        (true, false) => (tb, ta),
        _ => return false,
    };
    let channels =
        x.known_shape().and_then(|s| s.get(channel_axis(graph.layout, s.len())).copied()).unwrap_or(1);
    node.inputs.len() == 2 && c.elements().is_some_and(|e| e <= channels.max(1))
}

/// An average/max pool whose window covers the whole (unpadded) input is a global pool.
fn pool_is_global(graph: &Graph, node: &Node, kernel: &[u64], padding: &crate::ir::Padding) -> bool {
    let Some(shape) = input_shape(graph, node, 0) else { return false };
    let axes = spatial_axes(graph.layout, shape.len());
    let no_pad = match padding {
        crate::ir::Padding::Explicit(p) => p.iter().all(|&x| x == 0),
        crate::ir::Padding::Valid => true,
        _ => false,
    };
    no_pad
        && !axes.is_empty()
        && axes.len() == kernel.len()
        && axes.iter().zip(kernel).all(|(&a, &k)| shape.get(a) == Some(&k))
}

/// Whether a mean reduces exactly the spatial axes of a rank ≥ 3 activation.
fn reduces_spatial(graph: &Graph, node: &Node, axes: Option<&[i64]>) -> bool {
    let Some(shape) = input_shape(graph, node, 0) else { return false };
    let rank = shape.len();
    let axes: Vec<i64> = match axes {
        Some(a) => a.to_vec(),
        None => match node.input(1).and_then(|t| graph.tensor(t).ints()) {
            Some(a) => a.to_vec(),
            None => return false,
        },
    };
    let mut norm: Vec<usize> =
        axes.iter().filter_map(|&a| usize::try_from(if a < 0 { a + rank as i64 } else { a }).ok()).collect();
    norm.sort_unstable();
    norm.dedup();
    let spatial = spatial_axes(graph.layout, rank);
    !spatial.is_empty() && norm == spatial
}
