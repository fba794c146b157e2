//! The network builder: layers in einf's graph vocabulary (NCHW, batch 1, f32), with the
//! shapes computed as layers are added, and every channel and kernel decision routed through the
//! width multiplier and the seeded variant sampler.
//!
//! Operators are chosen so that the graph is what the ONNX frontend would read from the exported
//! file (Conv with explicit attributes, BatchNormalization with four parameter tensors, Clip with
//! constant bounds as inputs, Reshape and Split with constant inputs): building in memory and
//! reading the export back give the same kernels.

use crate::error::{ModelsError, Result};
use crate::options::{ArchOptions, Rounding};
use crate::rng::Rng;
use einf_parser::ir::{
    BinaryOp, ConstValue, ConvAttrs, DType, Dim, Graph, Layout, Node, Op, Padding, PoolAttrs, PoolKind,
    SourceFormat, Tensor, TensorId, UnaryOp, WeightLayout,
};

/// An activation while the network is built: its tensor and its (batch-1, NCHW) shape.
/// A flattened activation (`flat`) is `[1, c]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fm {
    /// The tensor.
    pub id: TensorId,
    /// Channels (features when flat).
    pub c: u64,
    /// Height.
    pub h: u64,
    /// Width.
    pub w: u64,
    /// A 2-D `[1, c]` tensor.
    pub flat: bool,
}

/// Activation functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// None (linear).
    None,
    /// ReLU.
    Relu,
    /// ReLU6, written as `Clip(x, 0, 6)`.
    Relu6,
    /// Hard swish (ONNX HardSwish).
    HardSwish,
    /// Hard sigmoid `relu6(x + 3) / 6` (ONNX HardSigmoid, α = 1/6, β = 0.5).
    HardSigmoid,
    /// Sigmoid.
    Sigmoid,
    /// Swish / SiLU, written as `x · sigmoid(x)`.
    Swish,
}

/// Spatial padding of a convolution or pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pad {
    /// The same amount on every side.
    Sym(u64),
    /// TensorFlow's SAME: output = ceil(input / stride), the odd pixel at the end.
    Same,
    /// Top, left, bottom, right.
    Explicit([u64; 4]),
}

/// A convolution layer: conv, then (by default) BatchNorm and ReLU.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Conv {
    /// Output channels.
    pub cout: u64,
    /// Kernel height and width.
    pub k: (u64, u64),
    /// Stride (vertical, horizontal).
    pub stride: (u64, u64),
    /// Padding.
    pub pad: Pad,
    /// Groups (the input channels for a depthwise conv).
    pub groups: u64,
    /// Whether the conv has a bias.
    pub bias: bool,
    /// Whether BatchNorm follows.
    pub bn: bool,
    /// Activation after the BatchNorm.
    pub act: Act,
    /// Whether a variant may resample this kernel's size.
    pub vary_kernel: bool,
}

impl Conv {
    /// A square `k×k` conv, stride 1, padding `k/2`, no bias, BatchNorm and ReLU.
    pub fn new(cout: u64, k: u64) -> Self {
        Conv {
            cout,
            k: (k, k),
            stride: (1, 1),
            pad: Pad::Sym(k / 2),
            groups: 1,
            bias: false,
            bn: true,
            act: Act::Relu,
            vary_kernel: true,
        }
    }

    /// A rectangular kernel with SAME padding.
    pub fn rect(cout: u64, kh: u64, kw: u64) -> Self {
        Conv { k: (kh, kw), pad: Pad::Same, ..Conv::new(cout, kh) }
    }

    /// Stride on both axes.
    pub fn s(mut self, s: u64) -> Self {
        self.stride = (s, s);
        self
    }

    /// Padding.
    pub fn pad(mut self, pad: Pad) -> Self {
        self.pad = pad;
        self
    }

    /// Groups.
    pub fn groups(mut self, g: u64) -> Self {
        self.groups = g;
        self
    }

    /// With a bias.
    pub fn bias(mut self) -> Self {
        self.bias = true;
        self
    }

    /// Without BatchNorm (a bias is added instead).
    pub fn no_bn(mut self) -> Self {
        self.bn = false;
        self.bias = true;
        self
    }

    /// A bare convolution: no bias, no BatchNorm, no activation (pre-activation networks).
    pub fn plain(mut self) -> Self {
        self.bn = false;
        self.bias = false;
        self.act = Act::None;
        self
    }

    /// Activation.
    pub fn act(mut self, act: Act) -> Self {
        self.act = act;
        self
    }

    /// Kernel size fixed even in variants.
    pub fn fixed(mut self) -> Self {
        self.vary_kernel = false;
        self
    }
}

/// A pooling layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool {
    /// Max or average.
    pub kind: PoolKind,
    /// Window height and width.
    pub k: (u64, u64),
    /// Stride.
    pub stride: (u64, u64),
    /// Padding.
    pub pad: Pad,
    /// PyTorch's ceil_mode.
    pub ceil: bool,
}

impl Pool {
    /// Max pooling `k×k`, stride `s`, padding `p`.
    pub fn max(k: u64, s: u64, p: u64) -> Self {
        Pool { kind: PoolKind::Max, k: (k, k), stride: (s, s), pad: Pad::Sym(p), ceil: false }
    }

    /// Average pooling `k×k`, stride `s`, padding `p`.
    pub fn avg(k: u64, s: u64, p: u64) -> Self {
        Pool { kind: PoolKind::Avg, ..Pool::max(k, s, p) }
    }

    /// Round the output size up (PyTorch ceil_mode).
    pub fn ceil(mut self) -> Self {
        self.ceil = true;
        self
    }
}

/// Builds one network.
pub struct Net {
    graph: Graph,
    arch: String,
    width: f64,
    rounding: Rounding,
    rng: Option<Rng>,
    spread: f64,
    resample_kernels: bool,
    scope: String,
    clip_bounds: Option<(TensorId, TensorId)>,
}

fn dims(d: &[u64]) -> Option<Vec<Dim>> {
    Some(d.iter().map(|&v| Dim::Known(v)).collect())
}

/// Output extent of a window op along one axis.
fn window_out(i: u64, k: u64, s: u64, pb: u64, pe: u64, ceil: bool) -> Option<u64> {
    let span = (i + pb + pe).checked_sub(k)?;
    let s = s.max(1);
    let mut o = if ceil { span.div_ceil(s) + 1 } else { span / s + 1 };
    if ceil && o > 1 && (o - 1) * s >= i + pb {
        o -= 1;
    }
    Some(o)
}

impl Net {
    /// Start a network named `arch` with a `c×h×w` input, scaled by `opts` (validated here).
    /// Channel counts are rounded with `rounding`.
    pub fn new(
        arch: &str,
        input: (u64, u64, u64),
        opts: &ArchOptions,
        rounding: Rounding,
    ) -> Result<(Net, Fm)> {
        opts.validate()?;
        let (c, h0, w0) = input;
        let (h, w) = match opts.resolution {
            Some(r) => (r, ((w0 as f64 * r as f64 / h0 as f64).round() as u64).max(1)),
            None => (h0, w0),
        };
        let mut graph = Graph::new(arch, SourceFormat::Memory, Layout::Nchw);
        let x = graph.add_tensor(Tensor::activation("input", DType::F32, dims(&[1, c, h, w])));
        graph.inputs.push(x);
        let net = Net {
            graph,
            arch: arch.to_string(),
            width: opts.width,
            rounding,
            rng: opts.variant.as_ref().map(|v| Rng::new(v.seed)),
            spread: opts.variant.as_ref().map_or(0.0, |v| v.channel_spread),
            resample_kernels: opts.variant.as_ref().is_some_and(|v| v.resample_kernels),
            scope: String::new(),
            clip_bounds: None,
        };
        Ok((net, Fm { id: x, c, h, w, flat: false }))
    }

    /// Start a network whose input is a flat `[1, features]` vector (fully connected networks).
    pub fn new_flat(arch: &str, features: u64, opts: &ArchOptions, rounding: Rounding) -> Result<(Net, Fm)> {
        if opts.resolution.is_some() {
            return Err(ModelsError::InvalidOption {
                option: "resolution",
                message: format!("{arch} takes a flat vector of {features} features, not an image"),
            });
        }
        let (mut net, _) = Net::new(arch, (features, 1, 1), opts, rounding)?;
        let x = net.graph.inputs[0];
        net.graph.tensor_mut(x).shape = dims(&[1, features]);
        Ok((net, Fm { id: x, c: features, h: 1, w: 1, flat: true }))
    }

    /// The width multiplier.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// The architecture name.
    pub fn arch(&self) -> &str {
        &self.arch
    }

    /// Set the name prefix of the nodes that follow (`layer1.0`).
    pub fn scope(&mut self, scope: impl Into<String>) {
        self.scope = scope.into();
    }

    fn factor(&mut self) -> f64 {
        let spread = self.spread;
        match &mut self.rng {
            Some(r) if spread > 0.0 => r.uniform(1.0 - spread, 1.0 + spread),
            _ => 1.0,
        }
    }

    /// A channel decision of the published network: scaled by the width multiplier and the
    /// variant factor, rounded as the architecture rounds.
    pub fn ch(&mut self, c: u64) -> u64 {
        let f = self.factor();
        self.rounding.apply(c as f64 * self.width * f)
    }

    /// A channel decision with an explicit divisor (grouped convs, channel splits).
    pub fn ch_div(&mut self, c: u64, divisor: u64) -> u64 {
        let f = self.factor();
        crate::options::make_divisible(c as f64 * self.width * f, divisor)
    }

    /// A channel count derived from already-scaled ones (an expansion `inp · t`): only the
    /// variant factor applies.
    pub fn vary(&mut self, c: u64) -> u64 {
        if self.rng.is_none() {
            return c;
        }
        let f = self.factor();
        self.rounding.apply(c as f64 * f)
    }

    /// A count derived the same way, rounded to a multiple of `divisor`.
    pub fn vary_div(&mut self, c: u64, divisor: u64) -> u64 {
        if self.rng.is_none() {
            return c;
        }
        let f = self.factor();
        crate::options::make_divisible(c as f64 * f, divisor)
    }

    fn kernel(&mut self, k: u64) -> u64 {
        if !self.resample_kernels || k < 3 {
            return k;
        }
        let Some(r) = &mut self.rng else { return k };
        let choices: Vec<u64> = if k >= 5 { vec![k - 2, k, k + 2] } else { vec![k, k + 2] };
        r.choose(&choices).copied().unwrap_or(k)
    }

    fn name(&self, base: &str) -> String {
        let n = self.graph.nodes.len();
        if self.scope.is_empty() { format!("{base}_{n}") } else { format!("{}/{base}_{n}", self.scope) }
    }

    fn layer_err(&self, layer: &str, message: impl Into<String>) -> ModelsError {
        ModelsError::Layer { arch: self.arch.clone(), layer: layer.to_string(), message: message.into() }
    }

    fn weight(&mut self, node: &str, what: &str, shape: &[u64]) -> TensorId {
        self.graph.add_tensor(Tensor::constant(
            format!("{node}.{what}"),
            DType::F32,
            shape,
            ConstValue::Opaque,
        ))
    }

    fn const_ints(&mut self, node: &str, what: &str, values: Vec<i64>) -> TensorId {
        let shape = [values.len() as u64];
        self.graph.add_tensor(Tensor::constant(
            format!("{node}.{what}"),
            DType::I64,
            &shape,
            ConstValue::Ints(values),
        ))
    }

    /// Add a node with one output of `shape`.
    fn push(&mut self, node: String, op: Op, inputs: Vec<TensorId>, shape: &[u64]) -> TensorId {
        let out = self.graph.add_tensor(Tensor::activation(format!("{node}:0"), DType::F32, dims(shape)));
        self.push_multi(node, op, inputs, vec![out]);
        out
    }

    fn push_multi(&mut self, name: String, op: Op, inputs: Vec<TensorId>, outputs: Vec<TensorId>) {
        let source_op = op.name();
        self.graph.add_node(Node {
            name,
            op,
            source_op,
            inputs: inputs.into_iter().map(Some).collect(),
            outputs,
            implied: false,
        });
    }

    fn fm(&self, id: TensorId, c: u64, h: u64, w: u64) -> Fm {
        Fm { id, c, h, w, flat: false }
    }

    fn resolve_pad(&self, pad: Pad, h: u64, w: u64, k: (u64, u64), s: (u64, u64)) -> [u64; 4] {
        match pad {
            Pad::Sym(p) => [p; 4],
            Pad::Explicit(p) => p,
            Pad::Same => {
                let total = |i: u64, k: u64, s: u64| (i.div_ceil(s.max(1)) - 1) * s + k;
                let th = total(h, k.0, s.0).saturating_sub(h);
                let tw = total(w, k.1, s.1).saturating_sub(w);
                [th / 2, tw / 2, th - th / 2, tw - tw / 2]
            }
        }
    }

    /// A convolution (+ BatchNorm + activation as `spec` says).
    pub fn conv(&mut self, x: Fm, spec: Conv) -> Result<Fm> {
        let name = self.name("conv");
        let mut spec = spec;
        if spec.vary_kernel && spec.k.0 == spec.k.1 {
            let k = self.kernel(spec.k.0);
            if k != spec.k.0 {
                let grow = |p: u64| (p as i64 + (k as i64 - spec.k.0 as i64) / 2).max(0) as u64;
                let pad = match spec.pad {
                    Pad::Sym(p) => Pad::Sym(grow(p)),
                    Pad::Explicit(p) => Pad::Explicit(p.map(grow)),
                    Pad::Same => Pad::Same,
                };
                let fits = |i: u64, pads: [u64; 4], a: usize| i + pads[a] + pads[a + 2] >= k;
                let pads = self.resolve_pad(pad, x.h, x.w, (k, k), spec.stride);
                if fits(x.h, pads, 0) && fits(x.w, pads, 1) {
                    spec.k = (k, k);
                    spec.pad = pad;
                }
            }
        }
        let g = spec.groups.max(1);
        if x.flat || !x.c.is_multiple_of(g) || !spec.cout.is_multiple_of(g) || spec.cout == 0 {
            return Err(self.layer_err(
                &name,
                format!(
                    "{} input channels and {} output channels do not split into {g} groups",
                    x.c, spec.cout
                ),
            ));
        }
        self.check_downsampling(&name, x, spec.stride)?;
        let pads = self.resolve_pad(spec.pad, x.h, x.w, spec.k, spec.stride);
        let ceil = false;
        let (Some(oh), Some(ow)) = (
            window_out(x.h, spec.k.0, spec.stride.0, pads[0], pads[2], ceil),
            window_out(x.w, spec.k.1, spec.stride.1, pads[1], pads[3], ceil),
        ) else {
            return Err(self.layer_err(
                &name,
                format!("input {}x{} is smaller than the {}x{} kernel", x.h, x.w, spec.k.0, spec.k.1),
            ));
        };
        let w = self.weight(&name, "weight", &[spec.cout, x.c / g, spec.k.0, spec.k.1]);
        let mut inputs = vec![x.id, w];
        if spec.bias {
            inputs.push(self.weight(&name, "bias", &[spec.cout]));
        }
        let padding = match spec.pad {
            Pad::Same => Padding::SameUpper,
            _ => Padding::Explicit(vec![pads[0], pads[1], pads[2], pads[3]]),
        };
        let attrs = ConvAttrs {
            kernel: Some(vec![spec.k.0, spec.k.1]),
            strides: vec![spec.stride.0, spec.stride.1],
            dilations: vec![1, 1],
            padding,
            groups: Some(g),
            weight_layout: WeightLayout::Oihw,
            output_padding: Vec::new(),
            output_shape: None,
        };
        let y = self.push(name, Op::Conv(attrs), inputs, &[1, spec.cout, oh, ow]);
        let mut y = self.fm(y, spec.cout, oh, ow);
        if spec.bn {
            y = self.bn(y);
        }
        self.act(y, spec.act)
    }

    /// A depthwise `k×k` convolution with stride `s`, BatchNorm and `act`.
    pub fn dw(&mut self, x: Fm, k: u64, s: u64, act: Act) -> Result<Fm> {
        self.conv(x, Conv::new(x.c, k).s(s).groups(x.c).act(act))
    }

    /// A pointwise (1×1) convolution with BatchNorm and `act`.
    pub fn pw(&mut self, x: Fm, cout: u64, act: Act) -> Result<Fm> {
        self.conv(x, Conv::new(cout, 1).act(act))
    }

    /// BatchNorm (scale, bias, running mean and variance).
    pub fn bn(&mut self, x: Fm) -> Fm {
        let name = self.name("bn");
        let mut inputs = vec![x.id];
        for what in ["scale", "bias", "mean", "var"] {
            inputs.push(self.weight(&name, what, &[x.c]));
        }
        let shape = self.shape_of(x);
        let y = self.push(name, Op::BatchNorm { epsilon: 1e-5 }, inputs, &shape);
        Fm { id: y, ..x }
    }

    fn shape_of(&self, x: Fm) -> Vec<u64> {
        if x.flat { vec![1, x.c] } else { vec![1, x.c, x.h, x.w] }
    }

    fn unary(&mut self, x: Fm, base: &str, op: UnaryOp, extra: Vec<TensorId>) -> Fm {
        let name = self.name(base);
        let shape = self.shape_of(x);
        let mut inputs = vec![x.id];
        inputs.extend(extra);
        let y = self.push(name, Op::Unary(op), inputs, &shape);
        Fm { id: y, ..x }
    }

    /// An activation function.
    pub fn act(&mut self, x: Fm, act: Act) -> Result<Fm> {
        Ok(match act {
            Act::None => x,
            Act::Relu => self.unary(x, "relu", UnaryOp::Relu, vec![]),
            Act::Relu6 => {
                let (lo, hi) = match self.clip_bounds {
                    Some(b) => b,
                    None => {
                        let mut scalar = |name: &str, v: f64| {
                            self.graph.add_tensor(Tensor::constant(
                                name,
                                DType::F32,
                                &[],
                                ConstValue::Floats(vec![v]),
                            ))
                        };
                        let b = (scalar("relu6.min", 0.0), scalar("relu6.max", 6.0));
                        self.clip_bounds = Some(b);
                        b
                    }
                };
                self.unary(x, "relu6", UnaryOp::Clip { min: None, max: None }, vec![lo, hi])
            }
            Act::HardSwish => self.unary(x, "hswish", UnaryOp::HardSwish, vec![]),
            Act::HardSigmoid => {
                let op = UnaryOp::HardSigmoid { alpha: f64::from(1.0f32 / 6.0), beta: 0.5 };
                self.unary(x, "hsigmoid", op, vec![])
            }
            Act::Sigmoid => self.unary(x, "sigmoid", UnaryOp::Sigmoid, vec![]),
            Act::Swish => {
                let s = self.unary(x, "sigmoid", UnaryOp::Sigmoid, vec![]);
                self.mul(x, s)?
            }
        })
    }

    /// A strided layer must have something to downsample: a 1-pixel side under a stride above 1
    /// means the input resolution is too small for the network (ResNet-50 at 3×3 would run its
    /// last stages on 1×1 maps), which is refused rather than built silently.
    fn check_downsampling(&self, name: &str, x: Fm, stride: (u64, u64)) -> Result<()> {
        if (x.h == 1 && stride.0 > 1) || (x.w == 1 && stride.1 > 1) {
            return Err(self.layer_err(
                name,
                format!(
                    "stride {}x{} on a {}x{} map: the input resolution is too small for this network",
                    stride.0, stride.1, x.h, x.w
                ),
            ));
        }
        Ok(())
    }

    /// A pooling layer.
    pub fn pool(&mut self, x: Fm, p: Pool) -> Result<Fm> {
        let name = self.name(if p.kind == PoolKind::Max { "maxpool" } else { "avgpool" });
        self.check_downsampling(&name, x, p.stride)?;
        let pads = self.resolve_pad(p.pad, x.h, x.w, p.k, p.stride);
        let (Some(oh), Some(ow)) = (
            window_out(x.h, p.k.0, p.stride.0, pads[0], pads[2], p.ceil),
            window_out(x.w, p.k.1, p.stride.1, pads[1], pads[3], p.ceil),
        ) else {
            return Err(self.layer_err(
                &name,
                format!("input {}x{} is smaller than the {}x{} window", x.h, x.w, p.k.0, p.k.1),
            ));
        };
        let padding = match p.pad {
            Pad::Same => Padding::SameUpper,
            _ => Padding::Explicit(vec![pads[0], pads[1], pads[2], pads[3]]),
        };
        let attrs = PoolAttrs {
            kind: p.kind,
            global: false,
            kernel: vec![p.k.0, p.k.1],
            strides: vec![p.stride.0, p.stride.1],
            dilations: Vec::new(),
            padding,
            ceil_mode: p.ceil,
        };
        let y = self.push(name, Op::Pool(attrs), vec![x.id], &[1, x.c, oh, ow]);
        Ok(self.fm(y, x.c, oh, ow))
    }

    /// Global average pooling to `1×1`.
    pub fn gap(&mut self, x: Fm) -> Fm {
        let name = self.name("gap");
        let y = self.push(name, Op::Pool(PoolAttrs::global(PoolKind::Avg)), vec![x.id], &[1, x.c, 1, 1]);
        self.fm(y, x.c, 1, 1)
    }

    /// Flatten to `[1, c·h·w]`.
    pub fn flatten(&mut self, x: Fm) -> Fm {
        if x.flat {
            return x;
        }
        let name = self.name("flatten");
        let c = x.c * x.h * x.w;
        let y = self.push(name, Op::Flatten { axis: 1 }, vec![x.id], &[1, c]);
        Fm { id: y, c, h: 1, w: 1, flat: true }
    }

    /// A fully connected layer (flattening first), with bias, then `act`.
    pub fn fc(&mut self, x: Fm, out: u64, act: Act) -> Result<Fm> {
        let x = self.flatten(x);
        let name = self.name("fc");
        let w = self.weight(&name, "weight", &[out, x.c]);
        let b = self.weight(&name, "bias", &[out]);
        let op = Op::Gemm { trans_a: false, trans_b: true, flatten_rows: false, keep_num_dims: false };
        let y = self.push(name, op, vec![x.id, w, b], &[1, out]);
        self.act(Fm { id: y, c: out, h: 1, w: 1, flat: true }, act)
    }

    fn binary(&mut self, a: Fm, b: Fm, op: BinaryOp, base: &str) -> Result<Fm> {
        let name = self.name(base);
        let broadcast_ok = a.c == b.c && ((a.h, a.w) == (b.h, b.w) || (b.h, b.w) == (1, 1));
        if !broadcast_ok || a.flat != b.flat {
            return Err(self.layer_err(
                &name,
                format!("cannot combine {}x{}x{} with {}x{}x{}", a.c, a.h, a.w, b.c, b.h, b.w),
            ));
        }
        let shape = self.shape_of(a);
        let y = self.push(name, Op::Binary(op), vec![a.id, b.id], &shape);
        Ok(Fm { id: y, ..a })
    }

    /// Elementwise sum (residual connections).
    pub fn add(&mut self, a: Fm, b: Fm) -> Result<Fm> {
        self.binary(a, b, BinaryOp::Add, "add")
    }

    /// Elementwise product; `b` may be `c×1×1` (squeeze-excite scaling).
    pub fn mul(&mut self, a: Fm, b: Fm) -> Result<Fm> {
        self.binary(a, b, BinaryOp::Mul, "mul")
    }

    /// Multiplication by a constant scalar (NAS-Bench-201's `Zero` operation is `x · 0`).
    pub fn mul_scalar(&mut self, x: Fm, value: f64) -> Fm {
        let name = self.name("mul");
        let c = self.graph.add_tensor(Tensor::constant(
            format!("{name}.scalar"),
            DType::F32,
            &[],
            ConstValue::Floats(vec![value]),
        ));
        let shape = self.shape_of(x);
        let y = self.push(name, Op::Binary(BinaryOp::Mul), vec![x.id, c], &shape);
        Fm { id: y, ..x }
    }

    /// Concatenation along channels.
    pub fn concat(&mut self, xs: &[Fm]) -> Result<Fm> {
        let name = self.name("concat");
        let Some(first) = xs.first().copied() else {
            return Err(self.layer_err(&name, "nothing to concatenate"));
        };
        if xs.iter().any(|x| (x.h, x.w, x.flat) != (first.h, first.w, first.flat)) {
            return Err(self.layer_err(&name, "inputs of different spatial sizes"));
        }
        let c = xs.iter().map(|x| x.c).sum();
        let y = self.push(
            name,
            Op::Concat { axis: 1 },
            xs.iter().map(|x| x.id).collect(),
            &[1, c, first.h, first.w],
        );
        Ok(self.fm(y, c, first.h, first.w))
    }

    /// Split along channels into parts of the given sizes.
    pub fn split(&mut self, x: Fm, sizes: &[u64]) -> Result<Vec<Fm>> {
        let name = self.name("split");
        if sizes.iter().sum::<u64>() != x.c || sizes.contains(&0) {
            return Err(self.layer_err(&name, format!("cannot split {} channels into {sizes:?}", x.c)));
        }
        let s = self.const_ints(&name, "split", sizes.iter().map(|&v| v as i64).collect());
        let outs: Vec<Fm> = sizes
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let t = Tensor::activation(format!("{name}:{i}"), DType::F32, dims(&[1, c, x.h, x.w]));
                Fm { id: self.graph.add_tensor(t), c, ..x }
            })
            .collect();
        self.push_multi(
            name,
            Op::Split { axis: 1, split: None },
            vec![x.id, s],
            outs.iter().map(|f| f.id).collect(),
        );
        Ok(outs)
    }

    /// ShuffleNet's channel shuffle: reshape to `[1, g, c/g, h, w]`, swap the two channel axes,
    /// reshape back.
    pub fn channel_shuffle(&mut self, x: Fm, groups: u64) -> Result<Fm> {
        let name = self.name("shuffle_reshape");
        if groups == 0 || !x.c.is_multiple_of(groups) {
            return Err(self.layer_err(&name, format!("{} channels do not split into {groups} groups", x.c)));
        }
        let five = [1, groups, x.c / groups, x.h, x.w];
        let s = self.const_ints(&name, "shape", five.iter().map(|&v| v as i64).collect());
        let a = self.push(name, Op::Reshape { shape: None, allowzero: false }, vec![x.id, s], &five);
        let name = self.name("shuffle_transpose");
        let swapped = [1, x.c / groups, groups, x.h, x.w];
        let b = self.push(name, Op::Transpose { perm: Some(vec![0, 2, 1, 3, 4]) }, vec![a], &swapped);
        let name = self.name("shuffle_reshape");
        let back = [1, x.c, x.h, x.w];
        let s = self.const_ints(&name, "shape", back.iter().map(|&v| v as i64).collect());
        let y = self.push(name, Op::Reshape { shape: None, allowzero: false }, vec![b, s], &back);
        Ok(Fm { id: y, ..x })
    }

    /// Softmax over the last axis.
    pub fn softmax(&mut self, x: Fm) -> Fm {
        let name = self.name("softmax");
        let shape = self.shape_of(x);
        let y = self.push(name, Op::Softmax { axis: -1, log: false }, vec![x.id], &shape);
        Fm { id: y, ..x }
    }

    /// Squeeze-and-excitation: global average pool, 1×1 conv to `mid` (with bias) and
    /// `inner`, 1×1 conv back (with bias) and `gate`, then scale `x`.
    pub fn se(&mut self, x: Fm, mid: u64, inner: Act, gate: Act) -> Result<Fm> {
        let s = self.gap(x);
        let s = self.conv(s, Conv::new(mid, 1).no_bn().act(inner))?;
        let s = self.conv(s, Conv::new(x.c, 1).no_bn().act(gate))?;
        self.mul(x, s)
    }

    /// Finish: mark the outputs, validate and shape-infer the graph with the parser's own
    /// inference (which checks every shape computed here).
    pub fn finish(mut self, outputs: &[Fm]) -> Result<Graph> {
        self.graph.outputs = outputs.iter().map(|f| f.id).collect();
        let arch = self.arch.clone();
        let mut graph = self.graph;
        let before: Vec<Option<Vec<u64>>> = graph.tensors.iter().map(Tensor::known_shape).collect();
        einf_parser::shape::infer(&mut graph, &[])
            .map_err(|source| ModelsError::Parser { arch: arch.clone(), source: Box::new(source) })?;
        // The builder's shapes and the parser's must agree: a difference is a builder bug.
        for (t, b) in graph.tensors.iter().zip(&before) {
            if t.known_shape() != *b {
                return Err(ModelsError::Layer {
                    arch,
                    layer: t.name.clone(),
                    message: format!("builder computed shape {b:?}, shape inference {:?}", t.known_shape()),
                });
            }
        }
        Ok(graph)
    }
}
