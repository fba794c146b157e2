//! Typed operators: what a node computes, independent of the file format.
//!
//! Attributes that ONNX moved from attributes to inputs in later opsets (Pad, Clip, Split, Slice,
//! Reshape, Resize, ReduceMean axes, ...) are `Option`s here: the frontend fills them from the
//! attribute when the file has one, and shape inference otherwise reads the constant (possibly
//! folded) input of the node.

use super::DType;
use serde::{Deserialize, Serialize};

/// Memory layout of 4-D activations: ONNX graphs are NCHW, TFLite graphs NHWC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Batch, channels, height, width (ONNX).
    Nchw,
    /// Batch, height, width, channels (TFLite).
    Nhwc,
}

/// How a convolution's weight tensor is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WeightLayout {
    /// `[Cout, Cin/groups, kh, kw]`: ONNX Conv.
    Oihw,
    /// `[Cin, Cout/groups, kh, kw]`: ONNX ConvTranspose.
    Iohw,
    /// `[Cout, kh, kw, Cin/groups]`: TFLite CONV_2D and TRANSPOSE_CONV.
    Ohwi,
    /// `[1, kh, kw, Cout]`: TFLite DEPTHWISE_CONV_2D (groups = Cin).
    Ihwo,
}

/// Spatial padding of a convolution or pooling window.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Padding {
    /// Explicit pads: all begins (one per spatial axis), then all ends, as ONNX `pads`.
    Explicit(Vec<u64>),
    /// Output = ceil(input / stride), extra padding at the end (ONNX SAME_UPPER, TFLite SAME).
    SameUpper,
    /// Output = ceil(input / stride), extra padding at the beginning.
    SameLower,
    /// No padding.
    Valid,
}

/// Convolution attributes (plain, grouped, depthwise, dilated; also transposed).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConvAttrs {
    /// Spatial kernel extent; `None` = taken from the weight shape.
    pub kernel: Option<Vec<u64>>,
    /// Strides per spatial axis (empty = all 1).
    pub strides: Vec<u64>,
    /// Dilations per spatial axis (empty = all 1).
    pub dilations: Vec<u64>,
    /// Padding; shape inference replaces `Same*`/`Valid` by the resolved `Explicit` pads.
    pub padding: Padding,
    /// Number of groups; `None` = derived from the weight shape (TFLite), resolved by shape inference.
    pub groups: Option<u64>,
    /// Layout of input 1 (the weights).
    pub weight_layout: WeightLayout,
    /// Transposed convolution only: extra size added to one side of the output.
    pub output_padding: Vec<u64>,
    /// Transposed convolution only: explicit output spatial shape, if the file gives one.
    pub output_shape: Option<Vec<u64>>,
}

/// Kind of pooling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PoolKind {
    /// Maximum over the window.
    Max,
    /// Average over the window.
    Avg,
    /// L2 norm over the window.
    L2,
}

/// Pooling attributes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PoolAttrs {
    /// Max, average or L2.
    pub kind: PoolKind,
    /// Global pooling over all spatial axes (the window is the whole input).
    pub global: bool,
    /// Window extent per spatial axis (empty for global pooling).
    pub kernel: Vec<u64>,
    /// Strides per spatial axis (empty = all 1).
    pub strides: Vec<u64>,
    /// Dilations per spatial axis (empty = all 1).
    pub dilations: Vec<u64>,
    /// Padding; resolved to `Explicit` by shape inference.
    pub padding: Padding,
    /// Round output size up instead of down.
    pub ceil_mode: bool,
}

impl PoolAttrs {
    /// Global pooling of `kind` over every spatial axis.
    pub fn global(kind: PoolKind) -> PoolAttrs {
        PoolAttrs {
            kind,
            global: true,
            kernel: Vec::new(),
            strides: Vec::new(),
            dilations: Vec::new(),
            padding: Padding::Valid,
            ceil_mode: false,
        }
    }
}

/// Elementwise binary operators with numpy broadcasting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BinaryOp {
    /// a + b
    Add,
    /// a − b
    Sub,
    /// a × b
    Mul,
    /// a ÷ b
    Div,
    /// a ^ b
    Pow,
    /// max(a, b)
    Max,
    /// min(a, b)
    Min,
    /// a mod b
    Mod,
    /// Comparisons and logic (Equal, Less, Greater, And, Or, ...): boolean output.
    Compare,
    /// (a − b)²
    SquaredDifference,
}

/// Elementwise unary operators, activations among them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnaryOp {
    /// max(x, 0)
    Relu,
    /// min(max(x, 0), 6)
    Relu6,
    /// clamp(x, min, max); `None` bounds come from inputs 1 and 2 (opset ≥ 11) or are open.
    Clip {
        /// Lower bound.
        min: Option<f64>,
        /// Upper bound.
        max: Option<f64>,
    },
    /// x if x > 0 else αx
    LeakyRelu {
        /// Negative slope.
        alpha: f64,
    },
    /// 1 / (1 + e^−x)
    Sigmoid,
    /// max(0, min(1, αx + β))
    HardSigmoid {
        /// Slope α.
        alpha: f64,
        /// Offset β.
        beta: f64,
    },
    /// x · hard_sigmoid(x)
    HardSwish,
    /// x · sigmoid(x)
    Swish,
    /// tanh(x)
    Tanh,
    /// x if x > 0 else α(e^x − 1)
    Elu,
    /// Gaussian error linear unit.
    Gelu,
    /// ln(1 + e^x)
    Softplus,
    /// Other elementwise math (Exp, Log, Sqrt, Neg, Abs, Erf, Floor, Reciprocal, Not, Sin, ...).
    Math(String),
}

/// Reductions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReduceKind {
    /// Mean (global average pooling when over H and W).
    Mean,
    /// Sum.
    Sum,
    /// Maximum.
    Max,
    /// Minimum.
    Min,
    /// Product.
    Prod,
    /// Index of the maximum (int64 output).
    ArgMax,
    /// Index of the minimum (int64 output).
    ArgMin,
    /// L2 norm.
    L2,
}

/// Interpolation of Resize / Upsample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResizeMode {
    /// Nearest neighbour.
    Nearest,
    /// (Bi)linear.
    Linear,
    /// Bicubic.
    Cubic,
}

/// Padding mode of Pad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PadMode {
    /// Fill with a constant.
    Constant,
    /// Mirror without the edge.
    Reflect,
    /// Repeat the edge.
    Edge,
    /// Wrap around.
    Wrap,
}

/// What a node computes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// Convolution: inputs X, W, optional bias.
    Conv(ConvAttrs),
    /// Transposed convolution: inputs X, W, optional bias (TFLite: output_shape, W, X, bias; the
    /// frontend reorders them to X, W, bias).
    ConvTranspose(ConvAttrs),
    /// Pooling: input X.
    Pool(PoolAttrs),
    /// Fully connected `Y = α·A'·B' + β·C`: ONNX Gemm, TFLite FULLY_CONNECTED (`trans_b`, keep_num_dims).
    Gemm {
        /// Transpose A.
        trans_a: bool,
        /// Transpose B (weights stored `[out, in]`).
        trans_b: bool,
        /// TFLite FULLY_CONNECTED: flatten all but the last input axis to rows (output 2-D unless
        /// `keep_num_dims`).
        flatten_rows: bool,
        /// TFLite FULLY_CONNECTED keep_num_dims.
        keep_num_dims: bool,
    },
    /// Matrix product with batch broadcasting (MatMul, BATCH_MATMUL).
    MatMul {
        /// Transpose the last two axes of A.
        adj_a: bool,
        /// Transpose the last two axes of B.
        adj_b: bool,
    },
    /// Batch normalisation: X, scale, bias, mean, var.
    BatchNorm {
        /// Epsilon.
        epsilon: f64,
    },
    /// Instance / layer / group normalisation.
    Norm {
        /// Which one (`instance`, `layer`, `group`).
        kind: String,
        /// Axis (layer normalisation).
        axis: i64,
    },
    /// Local response normalisation across channels.
    Lrn {
        /// Window size.
        size: u64,
    },
    /// Elementwise binary op with broadcasting.
    Binary(BinaryOp),
    /// Elementwise unary op.
    Unary(UnaryOp),
    /// Parametric ReLU: X, slope.
    PRelu,
    /// Softmax (or log-softmax) along an axis.
    Softmax {
        /// Axis (negative counts from the end).
        axis: i64,
        /// Log-softmax.
        log: bool,
    },
    /// Reduction over axes.
    Reduce {
        /// Which reduction.
        kind: ReduceKind,
        /// Axes; `None` = from input 1 (or all axes).
        axes: Option<Vec<i64>>,
        /// Keep reduced axes as 1.
        keepdims: bool,
        /// With no axes given: true = do nothing, false = reduce all.
        noop_with_empty_axes: bool,
    },
    /// Concatenation along an axis.
    Concat {
        /// Axis (negative counts from the end).
        axis: i64,
    },
    /// Split along an axis into several outputs.
    Split {
        /// Axis.
        axis: i64,
        /// Sizes; `None` = from input 1, or equal parts over the outputs.
        split: Option<Vec<i64>>,
    },
    /// Slice (ONNX Slice, TFLite SLICE and STRIDED_SLICE without masks).
    Slice {
        /// Starts; `None` = from input 1.
        starts: Option<Vec<i64>>,
        /// Ends; `None` = from input 2.
        ends: Option<Vec<i64>>,
        /// Axes; `None` = from input 3 or all.
        axes: Option<Vec<i64>>,
        /// Steps; `None` = from input 4 or all 1.
        steps: Option<Vec<i64>>,
        /// TFLite SLICE gives sizes instead of ends.
        sizes_not_ends: bool,
    },
    /// Padding of a tensor.
    Pad {
        /// Pads as ONNX orders them (all begins, then all ends); `None` = from input 1.
        pads: Option<Vec<i64>>,
        /// TFLite orders pads as `[[begin, end], ...]` per axis.
        pairs: bool,
        /// Mode.
        mode: PadMode,
    },
    /// Reshape: `None` = target from input 1. `0` copies a dim (unless `allowzero`), `-1` infers one.
    Reshape {
        /// Target shape.
        shape: Option<Vec<i64>>,
        /// Treat 0 as a real zero.
        allowzero: bool,
    },
    /// Flatten to 2-D at an axis.
    Flatten {
        /// Axis.
        axis: i64,
    },
    /// Remove axes of extent 1.
    Squeeze {
        /// Axes; `None` = from input 1, or all unit axes.
        axes: Option<Vec<i64>>,
    },
    /// Insert axes of extent 1.
    Unsqueeze {
        /// Axes; `None` = from input 1.
        axes: Option<Vec<i64>>,
    },
    /// Permute axes.
    Transpose {
        /// Permutation; `None` = from input 1 (TFLite), or reverse.
        perm: Option<Vec<i64>>,
    },
    /// Resize / Upsample.
    Resize {
        /// Interpolation.
        mode: ResizeMode,
        /// Scales (Upsample attribute); `None` = from inputs.
        scales: Option<Vec<f64>>,
        /// Output spatial size (TFLite RESIZE_* size input is read by inference when `None`).
        sizes: Option<Vec<i64>>,
    },
    /// Depth to space / space to depth with a block size.
    SpaceDepth {
        /// True for DepthToSpace, false for SpaceToDepth.
        to_space: bool,
        /// Block size.
        block: u64,
    },
    /// Repeat a tensor along axes (input 1 = repeats).
    Tile,
    /// Broadcast to a shape (input 1 = shape).
    Expand,
    /// Shape of the input as an int64 vector.
    Shape {
        /// First axis.
        start: i64,
        /// One past the last axis; `None` = rank.
        end: Option<i64>,
    },
    /// Gather along an axis (input 1 = indices).
    Gather {
        /// Axis.
        axis: i64,
    },
    /// Type conversion.
    Cast {
        /// Target type.
        to: DType,
    },
    /// A tensor of the shape given by input 0, filled with a value.
    ConstantOfShape {
        /// Fill value.
        value: f64,
        /// Element type.
        dtype: DType,
    },
    /// A constant produced by a node (its output tensor carries the value).
    Constant,
    /// Evenly spaced integers: start, limit, delta inputs.
    Range,
    /// Identity (and Dropout at inference).
    Identity,
    /// Quantise to an integer type.
    Quantize,
    /// Dequantise to float (TFLite DEQUANTIZE of fp16 or int8 weights).
    Dequantize,
    /// An operator einf cannot cost; shape inference propagates shapes only when it can.
    Unsupported {
        /// Operator name in the file (`NonMaxSuppression`, `custom:TFLite_Detection_PostProcess`).
        name: String,
    },
}

impl Op {
    /// Short name of the operator family, used in messages and reports.
    pub fn name(&self) -> String {
        match self {
            Op::Conv(_) => "Conv".into(),
            Op::ConvTranspose(_) => "ConvTranspose".into(),
            Op::Pool(p) => match (p.kind, p.global) {
                (PoolKind::Max, false) => "MaxPool".into(),
                (PoolKind::Max, true) => "GlobalMaxPool".into(),
                (PoolKind::Avg, false) => "AvgPool".into(),
                (PoolKind::Avg, true) => "GlobalAvgPool".into(),
                (PoolKind::L2, _) => "L2Pool".into(),
            },
            Op::Gemm { .. } => "Gemm".into(),
            Op::MatMul { .. } => "MatMul".into(),
            Op::BatchNorm { .. } => "BatchNorm".into(),
            Op::Norm { kind, .. } => format!("{kind}norm"),
            Op::Lrn { .. } => "Lrn".into(),
            Op::Binary(b) => format!("{b:?}"),
            Op::Unary(UnaryOp::Math(m)) => m.clone(),
            Op::Unary(u) => match u {
                UnaryOp::Clip { .. } => "Clip".into(),
                UnaryOp::LeakyRelu { .. } => "LeakyRelu".into(),
                UnaryOp::HardSigmoid { .. } => "HardSigmoid".into(),
                other => format!("{other:?}"),
            },
            Op::PRelu => "PRelu".into(),
            Op::Softmax { log: false, .. } => "Softmax".into(),
            Op::Softmax { log: true, .. } => "LogSoftmax".into(),
            Op::Reduce { kind, .. } => format!("Reduce{kind:?}"),
            Op::Concat { .. } => "Concat".into(),
            Op::Split { .. } => "Split".into(),
            Op::Slice { .. } => "Slice".into(),
            Op::Pad { .. } => "Pad".into(),
            Op::Reshape { .. } => "Reshape".into(),
            Op::Flatten { .. } => "Flatten".into(),
            Op::Squeeze { .. } => "Squeeze".into(),
            Op::Unsqueeze { .. } => "Unsqueeze".into(),
            Op::Transpose { .. } => "Transpose".into(),
            Op::Resize { .. } => "Resize".into(),
            Op::SpaceDepth { to_space: true, .. } => "DepthToSpace".into(),
            Op::SpaceDepth { to_space: false, .. } => "SpaceToDepth".into(),
            Op::Tile => "Tile".into(),
            Op::Expand => "Expand".into(),
            Op::Shape { .. } => "Shape".into(),
            Op::Gather { .. } => "Gather".into(),
            Op::Cast { .. } => "Cast".into(),
            Op::ConstantOfShape { .. } => "ConstantOfShape".into(),
            Op::Constant => "Constant".into(),
            Op::Range => "Range".into(),
            Op::Identity => "Identity".into(),
            Op::Quantize => "Quantize".into(),
            Op::Dequantize => "Dequantize".into(),
            Op::Unsupported { name } => name.clone(),
        }
    }

    /// Whether einf can cost this operator.
    pub fn is_supported(&self) -> bool {
        !matches!(self, Op::Unsupported { .. })
    }
}
