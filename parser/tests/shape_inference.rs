//! Shape inference and constant folding on graphs built in memory: convolutions and pools in both
//! layouts, linear ops, layout ops, the PyTorch `Shape→Gather→Unsqueeze→Concat→Reshape` chain,
//! ConstantOfShape and DEQUANTIZE weights, input shapes, cycles, limits, and property tests.
//! The fixture tests at the end compare with the shapes real TFLite files declare.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_parser::ErrorKind;
use einf_parser::ir::{
    BinaryOp, ConstValue, ConvAttrs, DType, Dim, Graph, Layout, Node, Op, PadMode, Padding, PoolAttrs,
    PoolKind, ReduceKind, ResizeMode, SourceFormat, Tensor, TensorId, UnaryOp, WeightLayout,
};
use einf_parser::shape::{InputShape, infer};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Builder

/// A small graph builder for tests.
struct B {
    g: Graph,
}

impl B {
    fn new(layout: Layout) -> Self {
        B { g: Graph::new("test", SourceFormat::Memory, layout) }
    }

    fn nchw() -> Self {
        Self::new(Layout::Nchw)
    }

    fn nhwc() -> Self {
        Self::new(Layout::Nhwc)
    }

    /// A graph input with known dims.
    fn input(&mut self, name: &str, dims: &[u64]) -> TensorId {
        self.input_dims(name, dims.iter().map(|&d| Dim::Known(d)).collect())
    }

    /// A graph input with any dims.
    fn input_dims(&mut self, name: &str, dims: Vec<Dim>) -> TensorId {
        let t = self.g.add_tensor(Tensor::activation(name, DType::F32, Some(dims)));
        self.g.inputs.push(t);
        t
    }

    /// An opaque f32 weight.
    fn weight(&mut self, name: &str, shape: &[u64]) -> TensorId {
        self.g.add_tensor(Tensor::constant(name, DType::F32, shape, ConstValue::Opaque))
    }

    /// A 1-D int64 constant.
    fn ints(&mut self, name: &str, v: &[i64]) -> TensorId {
        self.g.add_tensor(Tensor::constant(name, DType::I64, &[v.len() as u64], ConstValue::Ints(v.to_vec())))
    }

    /// A scalar int64 constant.
    fn scalar(&mut self, name: &str, v: i64) -> TensorId {
        self.g.add_tensor(Tensor::constant(name, DType::I64, &[], ConstValue::Ints(vec![v])))
    }

    /// A 1-D f32 constant with decoded values.
    fn floats(&mut self, name: &str, v: &[f64]) -> TensorId {
        self.g.add_tensor(Tensor::constant(
            name,
            DType::F32,
            &[v.len() as u64],
            ConstValue::Floats(v.to_vec()),
        ))
    }

    /// A node with one output (type left unknown for inference to fill).
    fn node(&mut self, name: &str, op: Op, inputs: &[TensorId]) -> TensorId {
        let ins: Vec<Option<TensorId>> = inputs.iter().copied().map(Some).collect();
        self.node_n(name, op, &ins, 1)[0]
    }

    /// A node with optional inputs and `n_out` outputs.
    fn node_n(&mut self, name: &str, op: Op, inputs: &[Option<TensorId>], n_out: usize) -> Vec<TensorId> {
        let outputs: Vec<TensorId> = (0..n_out)
            .map(|k| self.g.add_tensor(Tensor::activation(format!("{name}:{k}"), DType::Unknown, None)))
            .collect();
        let source_op = op.name();
        self.g.add_node(Node {
            name: name.into(),
            op,
            source_op,
            inputs: inputs.to_vec(),
            outputs: outputs.clone(),
            implied: false,
        });
        outputs
    }

    /// Run inference with no user shapes.
    fn run(&mut self) -> einf_parser::Result<()> {
        infer(&mut self.g, &[])
    }

    /// Inferred shape of a tensor.
    fn shape(&self, t: TensorId) -> Option<Vec<u64>> {
        self.g.tensor(t).known_shape()
    }

    /// The (remaining) node with this name.
    fn op(&self, name: &str) -> &Op {
        &self.g.nodes.iter().find(|n| n.name == name).expect("node").op
    }

    fn folded_names(&self) -> Vec<&str> {
        self.g.folded.iter().map(|f| f.name.as_str()).collect()
    }
}

fn conv(layout: WeightLayout, padding: Padding, strides: &[u64]) -> ConvAttrs {
    ConvAttrs {
        kernel: None,
        strides: strides.to_vec(),
        dilations: vec![],
        padding,
        groups: None,
        weight_layout: layout,
        output_padding: vec![],
        output_shape: None,
    }
}

fn conv_attrs(op: &Op) -> &ConvAttrs {
    match op {
        Op::Conv(a) | Op::ConvTranspose(a) => a,
        other => panic!("not a conv: {other:?}"),
    }
}

fn is_shape_err(r: einf_parser::Result<()>) -> bool {
    matches!(r, Err(e) if matches!(e.kind, ErrorKind::Shape(_)))
}

fn is_limit_err(r: einf_parser::Result<()>) -> bool {
    matches!(r, Err(e) if matches!(e.kind, ErrorKind::Limit(_)))
}

/// Infer one conv over `x` with weight `w` and return (output shape, resolved attrs).
fn run_conv(
    layout: Layout,
    x: &[u64],
    w: &[u64],
    attrs: ConvAttrs,
) -> einf_parser::Result<(Vec<u64>, ConvAttrs)> {
    let mut b = B::new(layout);
    let xi = b.input("x", x);
    let wi = b.weight("w", w);
    let y = b.node("conv", Op::Conv(attrs), &[xi, wi]);
    b.run()?;
    Ok((b.shape(y).expect("shape"), conv_attrs(b.op("conv")).clone()))
}

// ---------------------------------------------------------------------------------------------
// Convolutions

#[test]
fn conv_same_valid_explicit_nchw() {
    let (s, a) = run_conv(
        Layout::Nchw,
        &[1, 3, 224, 224],
        &[32, 3, 3, 3],
        conv(WeightLayout::Oihw, Padding::SameUpper, &[2, 2]),
    )
    .unwrap();
    assert_eq!(s, [1, 32, 112, 112]);
    assert_eq!(a.padding, Padding::Explicit(vec![0, 0, 1, 1]));
    assert_eq!(a.groups, Some(1));
    assert_eq!(a.kernel, Some(vec![3, 3]));

    let (s, a) = run_conv(
        Layout::Nchw,
        &[1, 3, 224, 224],
        &[32, 3, 3, 3],
        conv(WeightLayout::Oihw, Padding::SameLower, &[2, 2]),
    )
    .unwrap();
    assert_eq!(s, [1, 32, 112, 112]);
    assert_eq!(a.padding, Padding::Explicit(vec![1, 1, 0, 0]));

    let (s, a) = run_conv(
        Layout::Nchw,
        &[1, 3, 224, 224],
        &[32, 3, 3, 3],
        conv(WeightLayout::Oihw, Padding::Valid, &[2, 2]),
    )
    .unwrap();
    assert_eq!(s, [1, 32, 111, 111]);
    assert_eq!(a.padding, Padding::Explicit(vec![0, 0, 0, 0]));

    let (s, _) = run_conv(
        Layout::Nchw,
        &[1, 3, 224, 224],
        &[8, 3, 7, 7],
        conv(WeightLayout::Oihw, Padding::Explicit(vec![3, 3, 3, 3]), &[2, 2]),
    )
    .unwrap();
    assert_eq!(s, [1, 8, 112, 112]);

    // Asymmetric explicit pads, 1-D conv.
    let (s, _) = run_conv(
        Layout::Nchw,
        &[2, 4, 100],
        &[6, 4, 5],
        conv(WeightLayout::Oihw, Padding::Explicit(vec![1, 3]), &[3]),
    )
    .unwrap();
    assert_eq!(s, [2, 6, 34]); // floor((100+1+3-5)/3)+1
}

#[test]
fn conv_same_odd_input_puts_extra_at_the_end() {
    // in 7, k 3, s 2: out 4, total = 3·2 + 3 − 7 = 2 → 1/1; in 8: total = 1 → 0/1.
    let (s, a) = run_conv(
        Layout::Nchw,
        &[1, 1, 7, 8],
        &[1, 1, 3, 3],
        conv(WeightLayout::Oihw, Padding::SameUpper, &[2, 2]),
    )
    .unwrap();
    assert_eq!(s, [1, 1, 4, 4]);
    assert_eq!(a.padding, Padding::Explicit(vec![1, 0, 1, 1]));
}

#[test]
fn conv_dilated() {
    let mut attrs = conv(WeightLayout::Oihw, Padding::Valid, &[]);
    attrs.dilations = vec![2, 3];
    let (s, _) = run_conv(Layout::Nchw, &[1, 8, 32, 32], &[8, 8, 3, 3], attrs.clone()).unwrap();
    assert_eq!(s, [1, 8, 28, 26]);
    attrs.padding = Padding::SameUpper;
    let (s, a) = run_conv(Layout::Nchw, &[1, 8, 32, 32], &[8, 8, 3, 3], attrs).unwrap();
    assert_eq!(s, [1, 8, 32, 32]);
    assert_eq!(a.padding, Padding::Explicit(vec![2, 3, 2, 3]));
}

#[test]
fn conv_grouped_and_depthwise_nchw() {
    let (s, a) = run_conv(
        Layout::Nchw,
        &[1, 32, 56, 56],
        &[64, 8, 3, 3],
        conv(WeightLayout::Oihw, Padding::SameUpper, &[]),
    )
    .unwrap();
    assert_eq!(s, [1, 64, 56, 56]);
    assert_eq!(a.groups, Some(4));

    let mut attrs = conv(WeightLayout::Oihw, Padding::Valid, &[]);
    attrs.groups = Some(4);
    assert!(run_conv(Layout::Nchw, &[1, 32, 56, 56], &[64, 8, 3, 3], attrs.clone()).is_ok());
    attrs.groups = Some(3);
    let r = run_conv(Layout::Nchw, &[1, 32, 56, 56], &[64, 8, 3, 3], attrs).map(|_| ());
    assert!(is_shape_err(r));

    // Depthwise in ONNX: groups = C, weight [C, 1, k, k].
    let (s, a) = run_conv(
        Layout::Nchw,
        &[1, 32, 56, 56],
        &[32, 1, 3, 3],
        conv(WeightLayout::Oihw, Padding::SameUpper, &[2, 2]),
    )
    .unwrap();
    assert_eq!(s, [1, 32, 28, 28]);
    assert_eq!(a.groups, Some(32));

    // Cin not a multiple of the weight's in-channels.
    let r = run_conv(
        Layout::Nchw,
        &[1, 30, 56, 56],
        &[64, 8, 3, 3],
        conv(WeightLayout::Oihw, Padding::Valid, &[]),
    )
    .map(|_| ());
    assert!(is_shape_err(r));
    // Cout not divisible by groups.
    let r = run_conv(
        Layout::Nchw,
        &[1, 32, 56, 56],
        &[30, 8, 3, 3],
        conv(WeightLayout::Oihw, Padding::Valid, &[]),
    )
    .map(|_| ());
    assert!(is_shape_err(r));
}

#[test]
fn conv_nhwc_plain_grouped_depthwise() {
    let (s, a) = run_conv(
        Layout::Nhwc,
        &[1, 224, 224, 3],
        &[16, 3, 3, 3],
        conv(WeightLayout::Ohwi, Padding::SameUpper, &[2, 2]),
    )
    .unwrap();
    assert_eq!(s, [1, 112, 112, 16]);
    assert_eq!(a.padding, Padding::Explicit(vec![0, 0, 1, 1]));
    assert_eq!(a.groups, Some(1));

    let (s, a) = run_conv(
        Layout::Nhwc,
        &[1, 20, 20, 16],
        &[32, 3, 3, 4],
        conv(WeightLayout::Ohwi, Padding::Valid, &[]),
    )
    .unwrap();
    assert_eq!(s, [1, 18, 18, 32]);
    assert_eq!(a.groups, Some(4));

    // TFLite depthwise with depth multiplier 2: weight [1, kh, kw, Cout].
    let (s, a) = run_conv(
        Layout::Nhwc,
        &[1, 112, 112, 16],
        &[1, 3, 3, 32],
        conv(WeightLayout::Ihwo, Padding::SameUpper, &[1, 1]),
    )
    .unwrap();
    assert_eq!(s, [1, 112, 112, 32]);
    assert_eq!(a.groups, Some(16));
    assert_eq!(a.padding, Padding::Explicit(vec![1, 1, 1, 1]));

    // Depthwise Cout must be a multiple of Cin.
    let r =
        run_conv(Layout::Nhwc, &[1, 8, 8, 16], &[1, 3, 3, 24], conv(WeightLayout::Ihwo, Padding::Valid, &[]))
            .map(|_| ());
    assert!(is_shape_err(r));
}

#[test]
fn conv_errors_name_the_node() {
    // Kernel larger than the padded input.
    let r =
        run_conv(Layout::Nchw, &[1, 3, 4, 4], &[8, 3, 7, 7], conv(WeightLayout::Oihw, Padding::Valid, &[]));
    let e = r.err().unwrap();
    assert!(matches!(e.kind, ErrorKind::Shape(_)));
    assert_eq!(e.node.as_deref(), Some("conv"));
    assert!(e.to_string().contains("larger than the padded input"), "{e}");
    // Zero stride.
    let r = run_conv(
        Layout::Nchw,
        &[1, 3, 8, 8],
        &[8, 3, 3, 3],
        conv(WeightLayout::Oihw, Padding::Valid, &[0, 1]),
    );
    assert!(is_shape_err(r.map(|_| ())));
    // Stride count mismatch.
    let r = run_conv(
        Layout::Nchw,
        &[1, 3, 8, 8],
        &[8, 3, 3, 3],
        conv(WeightLayout::Oihw, Padding::Valid, &[1, 1, 1]),
    );
    assert!(is_shape_err(r.map(|_| ())));
    // Bias of the wrong size.
    let mut b = B::nchw();
    let x = b.input("x", &[1, 3, 8, 8]);
    let w = b.weight("w", &[8, 3, 3, 3]);
    let bias = b.weight("bias", &[7]);
    b.node("conv", Op::Conv(conv(WeightLayout::Oihw, Padding::Valid, &[])), &[x, w, bias]);
    assert!(is_shape_err(b.run()));
}

#[test]
fn conv_3d() {
    let (s, _) = run_conv(
        Layout::Nchw,
        &[1, 2, 16, 16, 16],
        &[4, 2, 3, 3, 3],
        conv(WeightLayout::Oihw, Padding::SameUpper, &[2, 2, 2]),
    )
    .unwrap();
    assert_eq!(s, [1, 4, 8, 8, 8]);
}

#[test]
fn conv_transpose() {
    // ONNX: weight [Cin, Cout/g, k, k].
    let mut b = B::nchw();
    let x = b.input("x", &[1, 16, 7, 7]);
    let w = b.weight("w", &[16, 8, 4, 4]);
    let y = b.node(
        "deconv",
        Op::ConvTranspose(conv(WeightLayout::Iohw, Padding::Explicit(vec![1, 1, 1, 1]), &[2, 2])),
        &[x, w],
    );
    let mut same = conv(WeightLayout::Iohw, Padding::SameUpper, &[2, 2]);
    same.groups = Some(2);
    let w2 = b.weight("w2", &[16, 4, 3, 3]);
    let y2 = b.node("deconv_same", Op::ConvTranspose(same), &[x, w2]);
    let mut given = conv(WeightLayout::Iohw, Padding::Explicit(vec![0, 0, 0, 0]), &[2, 2]);
    given.output_shape = Some(vec![15, 15]);
    let y3 = b.node("deconv_given", Op::ConvTranspose(given), &[x, w]);
    let mut op = conv(WeightLayout::Iohw, Padding::Valid, &[2, 2]);
    op.output_padding = vec![1, 1];
    let y4 = b.node("deconv_op", Op::ConvTranspose(op), &[x, w]);
    b.run().unwrap();
    assert_eq!(b.shape(y).unwrap(), [1, 8, 14, 14]); // 6·2 − 2 + 3 + 1
    assert_eq!(b.shape(y2).unwrap(), [1, 8, 14, 14]);
    assert_eq!(conv_attrs(b.op("deconv_same")).padding, Padding::Explicit(vec![0, 0, 1, 1])); // total 1
    assert_eq!(b.shape(y3).unwrap(), [1, 8, 15, 15]);
    // Full extent 16, wanted 15: ONNX puts the odd unit at the start unless SAME_UPPER.
    assert_eq!(conv_attrs(b.op("deconv_given")).padding, Padding::Explicit(vec![1, 1, 0, 0]));
    assert_eq!(b.shape(y4).unwrap(), [1, 8, 17, 17]);

    // TFLite TRANSPOSE_CONV: NHWC, weight [Cout, kh, kw, Cin].
    let mut b = B::nhwc();
    let x = b.input("x", &[1, 7, 7, 16]);
    let w = b.weight("w", &[8, 3, 3, 16]);
    let y =
        b.node("tconv", Op::ConvTranspose(conv(WeightLayout::Ohwi, Padding::SameUpper, &[2, 2])), &[x, w]);
    b.run().unwrap();
    assert_eq!(b.shape(y).unwrap(), [1, 14, 14, 8]);
}

// ---------------------------------------------------------------------------------------------
// Pooling

fn pool(kind: PoolKind, kernel: &[u64], strides: &[u64], padding: Padding, ceil_mode: bool) -> Op {
    Op::Pool(PoolAttrs {
        kind,
        global: false,
        kernel: kernel.to_vec(),
        strides: strides.to_vec(),
        dilations: vec![],
        padding,
        ceil_mode,
    })
}

#[test]
fn pools() {
    let mut b = B::nchw();
    let x = b.input("x", &[1, 64, 112, 112]);
    let p1 = b.node(
        "max",
        pool(PoolKind::Max, &[3, 3], &[2, 2], Padding::Explicit(vec![1, 1, 1, 1]), false),
        &[x],
    );
    let p2 = b.node("floor", pool(PoolKind::Max, &[3, 3], &[2, 2], Padding::Valid, false), &[x]);
    let p3 = b.node("ceil", pool(PoolKind::Max, &[3, 3], &[2, 2], Padding::Valid, true), &[x]);
    let p4 = b.node("same", pool(PoolKind::Avg, &[3, 3], &[2, 2], Padding::SameUpper, false), &[x]);
    let g = b.node(
        "gap",
        Op::Pool(PoolAttrs {
            kind: PoolKind::Avg,
            global: true,
            kernel: vec![],
            strides: vec![],
            dilations: vec![],
            padding: Padding::Valid,
            ceil_mode: false,
        }),
        &[x],
    );
    // ceil mode where the last window would start in the end padding: 5 + 1 pad, k 2, s 2.
    let small = b.input("small", &[1, 1, 5, 5]);
    let p5 = b.node(
        "ceil_pad",
        pool(PoolKind::Max, &[2, 2], &[2, 2], Padding::Explicit(vec![1, 1, 1, 1]), true),
        &[small],
    );
    b.run().unwrap();
    assert_eq!(b.shape(p1).unwrap(), [1, 64, 56, 56]);
    assert_eq!(b.shape(p2).unwrap(), [1, 64, 55, 55]);
    assert_eq!(b.shape(p3).unwrap(), [1, 64, 56, 56]);
    assert_eq!(b.shape(p4).unwrap(), [1, 64, 56, 56]);
    assert_eq!(b.shape(g).unwrap(), [1, 64, 1, 1]);
    // ceil((5+2−2)/2)+1 = 4, and the 4th window starts at 6 ≥ 5+1 → 3 (PyTorch).
    assert_eq!(b.shape(p5).unwrap(), [1, 1, 3, 3]);
    match b.op("same") {
        Op::Pool(p) => assert_eq!(p.padding, Padding::Explicit(vec![0, 0, 1, 1])),
        other => panic!("{other:?}"),
    }
    match b.op("gap") {
        Op::Pool(p) => assert_eq!(p.padding, Padding::Explicit(vec![0, 0, 0, 0])),
        other => panic!("{other:?}"),
    }

    let mut b = B::nhwc();
    let x = b.input("x", &[1, 49, 10, 64]);
    let p = b.node("avg", pool(PoolKind::Avg, &[25, 5], &[1, 1], Padding::Valid, false), &[x]);
    b.run().unwrap();
    assert_eq!(b.shape(p).unwrap(), [1, 25, 6, 64]);

    let mut b = B::nchw();
    let x = b.input("x", &[1, 3, 4, 4]);
    b.node("big", pool(PoolKind::Max, &[5, 5], &[1, 1], Padding::Valid, false), &[x]);
    assert!(is_shape_err(b.run()));
}

// ---------------------------------------------------------------------------------------------
// Linear

#[test]
fn gemm_and_fully_connected() {
    let mut b = B::nchw();
    let x = b.input("x", &[4, 512]);
    let w = b.weight("w", &[1000, 512]);
    let c = b.weight("c", &[1000]);
    let gemm = |trans_b| Op::Gemm { trans_a: false, trans_b, flatten_rows: false, keep_num_dims: false };
    let y = b.node("gemm", gemm(true), &[x, w, c]);
    b.run().unwrap();
    assert_eq!(b.shape(y).unwrap(), [4, 1000]);

    let mut b = B::nchw();
    let x = b.input("x", &[4, 512]);
    let w = b.weight("w", &[1000, 512]);
    b.node("gemm", gemm(false), &[x, w]);
    assert!(is_shape_err(b.run()));

    // TFLite FULLY_CONNECTED: rows = elements / K.
    let fc = |keep| Op::Gemm { trans_a: false, trans_b: true, flatten_rows: true, keep_num_dims: keep };
    let mut b = B::nhwc();
    let x = b.input("x", &[1, 5, 5, 64]);
    let w = b.weight("w", &[10, 1600]);
    let y = b.node("fc", fc(false), &[x, w]);
    let x2 = b.input("x2", &[2, 7, 64]);
    let w2 = b.weight("w2", &[32, 64]);
    let y2 = b.node("fc_keep", fc(true), &[x2, w2]);
    let y3 = b.node("fc_rows", fc(false), &[x2, w2]);
    b.run().unwrap();
    assert_eq!(b.shape(y).unwrap(), [1, 10]);
    assert_eq!(b.shape(y2).unwrap(), [2, 7, 32]);
    assert_eq!(b.shape(y3).unwrap(), [14, 32]);
}

#[test]
fn matmul_broadcasting_and_vectors() {
    let mm = Op::MatMul { adj_a: false, adj_b: false };
    let mut b = B::nchw();
    let a = b.input("a", &[2, 1, 8, 16]);
    let w = b.weight("w", &[3, 16, 4]);
    let v = b.weight("v", &[16]);
    let y = b.node("mm", mm.clone(), &[a, w]);
    let y2 = b.node("mv", mm.clone(), &[a, v]);
    let y3 = b.node("vm", mm.clone(), &[v, w]);
    let y4 = b.node("adj", Op::MatMul { adj_a: true, adj_b: true }, &[w, a]);
    b.run().unwrap();
    assert_eq!(b.shape(y).unwrap(), [2, 3, 8, 4]);
    assert_eq!(b.shape(y2).unwrap(), [2, 1, 8]);
    assert_eq!(b.shape(y3).unwrap(), [3, 4]);
    assert_eq!(b.shape(y4).unwrap(), [2, 3, 4, 8]);

    let mut b = B::nchw();
    let a = b.input("a", &[2, 8, 16]);
    let w = b.weight("w", &[3, 16, 4]);
    b.node("mm", mm, &[a, w]);
    assert!(is_shape_err(b.run()));
}

// ---------------------------------------------------------------------------------------------
// Elementwise

#[test]
fn elementwise_broadcasting_and_types() {
    let mut b = B::nchw();
    let x = b.input("x", &[1, 16, 8, 8]);
    let s = b.weight("s", &[16, 1, 1]);
    let y = b.node("add", Op::Binary(BinaryOp::Add), &[x, s]);
    let c = b.node("cmp", Op::Binary(BinaryOp::Compare), &[x, s]);
    let r = b.node("relu", Op::Unary(UnaryOp::Relu), &[y]);
    let lo = b.floats("lo", &[0.0]);
    let hi = b.floats("hi", &[6.0]);
    let clip_out = b.node_n(
        "clip",
        Op::Unary(UnaryOp::Clip { min: None, max: None }),
        &[Some(r), Some(lo), Some(hi)],
        1,
    )[0];
    let sm = b.node("softmax", Op::Softmax { axis: -1, log: false }, &[clip_out]);
    let cast = b.node("cast", Op::Cast { to: DType::F16 }, &[sm]);
    let slope = b.weight("slope", &[16, 1, 1]);
    let pr = b.node("prelu", Op::PRelu, &[x, slope]);
    let scale = b.weight("scale", &[16]);
    let bn = b.node("bn", Op::BatchNorm { epsilon: 1e-5 }, &[x, scale, scale, scale, scale]);
    b.run().unwrap();
    assert_eq!(b.shape(y).unwrap(), [1, 16, 8, 8]);
    assert_eq!(b.g.tensor(y).dtype, DType::F32);
    assert_eq!(b.g.tensor(c).dtype, DType::Bool);
    assert_eq!(b.shape(sm).unwrap(), [1, 16, 8, 8]);
    assert_eq!(b.g.tensor(cast).dtype, DType::F16);
    assert_eq!(b.shape(pr).unwrap(), [1, 16, 8, 8]);
    assert_eq!(b.shape(bn).unwrap(), [1, 16, 8, 8]);
    assert_eq!(b.op("clip"), &Op::Unary(UnaryOp::Clip { min: Some(0.0), max: Some(6.0) }));

    let mut b = B::nchw();
    let x = b.input("x", &[1, 16, 8, 8]);
    let s = b.weight("s", &[3, 1, 1]);
    b.node("add", Op::Binary(BinaryOp::Add), &[x, s]);
    let e = b.run().err().unwrap();
    assert!(matches!(e.kind, ErrorKind::Shape(_)));
    assert!(e.to_string().contains("[1, 16, 8, 8]"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Layout ops

#[test]
fn reshape_flatten_squeeze_unsqueeze_transpose() {
    let mut b = B::nchw();
    let x = b.input("x", &[2, 3, 4, 5]);
    let t = b.ints("t", &[0, -1, 5]);
    let r = b.node("reshape", Op::Reshape { shape: None, allowzero: false }, &[x, t]);
    let f = b.node("flatten", Op::Flatten { axis: 1 }, &[x]);
    let f0 = b.node("flatten0", Op::Flatten { axis: 0 }, &[x]);
    let u = b.node("unsq", Op::Unsqueeze { axes: Some(vec![0, -1]) }, &[x]);
    let s = b.node("sq", Op::Squeeze { axes: Some(vec![0, -1]) }, &[u]);
    let s_all = b.node("sq_all", Op::Squeeze { axes: None }, &[u]);
    let tr = b.node("tr", Op::Transpose { perm: Some(vec![0, 2, 3, 1]) }, &[x]);
    let perm = b.ints("perm", &[3, 2, 1, 0]);
    let tr2 = b.node("tr_input", Op::Transpose { perm: None }, &[x, perm]);
    b.run().unwrap();
    assert_eq!(b.shape(r).unwrap(), [2, 12, 5]);
    assert_eq!(b.op("reshape"), &Op::Reshape { shape: Some(vec![0, -1, 5]), allowzero: false });
    assert_eq!(b.shape(f).unwrap(), [2, 60]);
    assert_eq!(b.shape(f0).unwrap(), [1, 120]);
    assert_eq!(b.shape(u).unwrap(), [1, 2, 3, 4, 5, 1]);
    assert_eq!(b.shape(s).unwrap(), [2, 3, 4, 5]);
    assert_eq!(b.shape(s_all).unwrap(), [2, 3, 4, 5]);
    assert_eq!(b.shape(tr).unwrap(), [2, 4, 5, 3]);
    assert_eq!(b.shape(tr2).unwrap(), [5, 4, 3, 2]);
    assert_eq!(b.op("tr_input"), &Op::Transpose { perm: Some(vec![3, 2, 1, 0]) });

    let mut b = B::nchw();
    let x = b.input("x", &[2, 3, 4, 5]);
    b.node("reshape", Op::Reshape { shape: Some(vec![7, -1]), allowzero: false }, &[x]);
    assert!(is_shape_err(b.run()));
    let mut b = B::nchw();
    let x = b.input("x", &[2, 3, 4, 5]);
    b.node("reshape", Op::Reshape { shape: Some(vec![2, 3, 4, 6]), allowzero: false }, &[x]);
    assert!(is_shape_err(b.run()));
    let mut b = B::nchw();
    let x = b.input("x", &[2, 3, 4, 5]);
    b.node("sq", Op::Squeeze { axes: Some(vec![1]) }, &[x]);
    assert!(is_shape_err(b.run()));
    let mut b = B::nchw();
    let x = b.input("x", &[2, 3, 4, 5]);
    b.node("tr", Op::Transpose { perm: Some(vec![0, 0, 1, 2]) }, &[x]);
    assert!(is_shape_err(b.run()));
}

#[test]
fn concat_split_slice_pad() {
    let mut b = B::nchw();
    let x = b.input("x", &[1, 8, 10, 10]);
    let y = b.input("y", &[1, 4, 10, 10]);
    let c = b.node("concat", Op::Concat { axis: -3 }, &[x, y]);
    let parts = b.node_n("split", Op::Split { axis: 1, split: None }, &[Some(c)], 3);
    let sizes = b.ints("sizes", &[2, -1]);
    let parts2 = b.node_n("split_v", Op::Split { axis: 1, split: None }, &[Some(x), Some(sizes)], 2);
    let (starts, ends, axes, steps) = (
        b.ints("starts", &[-3, 1]),
        b.ints("ends", &[i64::MAX, -1]),
        b.ints("axes", &[2, 3]),
        b.ints("steps", &[1, 2]),
    );
    let sl = b.node_n(
        "slice",
        Op::Slice { starts: None, ends: None, axes: None, steps: None, sizes_not_ends: false },
        &[Some(x), Some(starts), Some(ends), Some(axes), Some(steps)],
        1,
    )[0];
    let rev = b.node(
        "reverse",
        Op::Slice {
            starts: Some(vec![-1]),
            ends: Some(vec![i64::MIN]),
            axes: Some(vec![1]),
            steps: Some(vec![-1]),
            sizes_not_ends: false,
        },
        &[x],
    );
    let rev2 = b.node(
        "reverse_step3",
        Op::Slice {
            starts: Some(vec![100]),
            ends: Some(vec![0]),
            axes: Some(vec![2]),
            steps: Some(vec![-3]),
            sizes_not_ends: false,
        },
        &[x],
    );
    let tfl = b.node(
        "tfl_slice",
        Op::Slice {
            starts: Some(vec![0, 2, 0, 5]),
            ends: Some(vec![-1, 3, -1, 5]),
            axes: None,
            steps: None,
            sizes_not_ends: true,
        },
        &[x],
    );
    let pads = b.ints("pads", &[0, 0, 0, 0, 1, 2, 3, 4]);
    let p = b.node_n(
        "pad_pairs",
        Op::Pad { pads: None, pairs: true, mode: PadMode::Constant },
        &[Some(x), Some(pads)],
        1,
    )[0];
    let p2 = b.node(
        "pad_onnx",
        Op::Pad { pads: Some(vec![0, 0, 1, -1, 0, 0, 1, -2]), pairs: false, mode: PadMode::Reflect },
        &[x],
    );
    b.run().unwrap();
    assert_eq!(b.shape(c).unwrap(), [1, 12, 10, 10]);
    for part in parts {
        assert_eq!(b.shape(part).unwrap(), [1, 4, 10, 10]);
    }
    assert_eq!(b.shape(parts2[0]).unwrap(), [1, 2, 10, 10]);
    assert_eq!(b.shape(parts2[1]).unwrap(), [1, 6, 10, 10]);
    assert_eq!(b.shape(sl).unwrap(), [1, 8, 3, 4]); // rows 7..10, cols 1,3,5,7
    assert_eq!(b.shape(rev).unwrap(), [1, 8, 10, 10]);
    assert_eq!(b.shape(rev2).unwrap(), [1, 8, 3, 10]); // 9, 6, 3
    assert_eq!(b.shape(tfl).unwrap(), [1, 3, 10, 5]);
    assert_eq!(b.shape(p).unwrap(), [1, 8, 13, 17]);
    assert_eq!(
        b.op("pad_pairs"),
        &Op::Pad { pads: Some(vec![0, 0, 1, 3, 0, 0, 2, 4]), pairs: false, mode: PadMode::Constant }
    );
    assert_eq!(b.shape(p2).unwrap(), [1, 8, 12, 7]);

    let mut b = B::nchw();
    let x = b.input("x", &[1, 8, 10, 10]);
    let y = b.input("y", &[1, 4, 9, 10]);
    b.node("concat", Op::Concat { axis: 1 }, &[x, y]);
    let e = b.run().err().unwrap();
    assert!(matches!(e.kind, ErrorKind::Shape(_)));
    assert_eq!(e.node.as_deref(), Some("concat"));

    let mut b = B::nchw();
    let x = b.input("x", &[1, 8, 10, 10]);
    b.node("concat", Op::Concat { axis: 4 }, &[x, x]);
    assert!(is_shape_err(b.run()));

    // A parameter computed at run time is an error.
    let mut b = B::nchw();
    let x = b.input("x", &[1, 8]);
    let p = b.input("p", &[4]);
    b.node_n("pad", Op::Pad { pads: None, pairs: false, mode: PadMode::Constant }, &[Some(x), Some(p)], 1);
    let e = b.run().err().unwrap();
    assert!(e.to_string().contains("not a constant"), "{e}");
}

#[test]
fn tile_expand_space_depth() {
    let mut b = B::nhwc();
    let x = b.input("x", &[1, 8, 8, 16]);
    let reps = b.ints("reps", &[2, 1, 1, 3]);
    let t = b.node("tile", Op::Tile, &[x, reps]);
    let e_shape = b.ints("eshape", &[4, 1, 1, 1, 1]);
    let e = b.node("expand", Op::Expand, &[x, e_shape]);
    let d2s = b.node("d2s", Op::SpaceDepth { to_space: true, block: 2 }, &[x]);
    let s2d = b.node("s2d", Op::SpaceDepth { to_space: false, block: 4 }, &[x]);
    b.run().unwrap();
    assert_eq!(b.shape(t).unwrap(), [2, 8, 8, 48]);
    assert_eq!(b.shape(e).unwrap(), [4, 1, 8, 8, 16]);
    assert_eq!(b.shape(d2s).unwrap(), [1, 16, 16, 4]);
    assert_eq!(b.shape(s2d).unwrap(), [1, 2, 2, 256]);

    let mut b = B::nchw();
    let x = b.input("x", &[1, 8, 8, 16]);
    let e_shape = b.ints("eshape", &[3, 1, 1]);
    b.node("expand", Op::Expand, &[x, e_shape]);
    assert!(is_shape_err(b.run()));
}

#[test]
fn resize_scales_and_sizes() {
    let mut b = B::nchw();
    let x = b.input("x", &[1, 3, 20, 30]);
    let scales = b.floats("scales", &[1.0, 1.0, 2.0, 0.5]);
    let r1 =
        b.node("scales", Op::Resize { mode: ResizeMode::Nearest, scales: None, sizes: None }, &[x, scales]);
    let empty = b.floats("empty", &[]);
    let sizes = b.ints("sizes", &[1, 3, 64, 64]);
    let r2 = b.node_n(
        "sizes",
        Op::Resize { mode: ResizeMode::Linear, scales: None, sizes: None },
        &[Some(x), Some(empty), Some(sizes)],
        1,
    )[0];
    let r3 = b.node(
        "upsample",
        Op::Resize { mode: ResizeMode::Nearest, scales: Some(vec![1.0, 1.0, 3.0, 3.0]), sizes: None },
        &[x],
    );
    b.run().unwrap();
    assert_eq!(b.shape(r1).unwrap(), [1, 3, 40, 15]);
    assert_eq!(b.shape(r2).unwrap(), [1, 3, 64, 64]);
    assert_eq!(b.shape(r3).unwrap(), [1, 3, 60, 90]);
    assert!(matches!(b.op("scales"), Op::Resize { sizes: Some(s), .. } if s == &[40, 15]));

    // TFLite: NHWC with an int32 [H, W] size input.
    let mut b = B::nhwc();
    let x = b.input("x", &[1, 12, 12, 8]);
    let size = b.g.add_tensor(Tensor::constant("size", DType::I32, &[2], ConstValue::Ints(vec![24, 48])));
    let r = b.node("resize", Op::Resize { mode: ResizeMode::Linear, scales: None, sizes: None }, &[x, size]);
    b.run().unwrap();
    assert_eq!(b.shape(r).unwrap(), [1, 24, 48, 8]);
}

#[test]
fn reductions() {
    let mut b = B::nhwc();
    let x = b.input("x", &[1, 7, 7, 64]);
    let axes = b.ints("axes", &[1, 2]);
    let mean =
        |keepdims| Op::Reduce { kind: ReduceKind::Mean, axes: None, keepdims, noop_with_empty_axes: false };
    let m1 = b.node("mean_keep", mean(true), &[x, axes]);
    let m2 = b.node("mean", mean(false), &[x, axes]);
    let all = b.node("all", mean(false), &[x]);
    let noop = b.node(
        "noop",
        Op::Reduce { kind: ReduceKind::Sum, axes: None, keepdims: true, noop_with_empty_axes: true },
        &[x],
    );
    let arg = b.node(
        "argmax",
        Op::Reduce {
            kind: ReduceKind::ArgMax,
            axes: Some(vec![-1]),
            keepdims: false,
            noop_with_empty_axes: false,
        },
        &[x],
    );
    b.run().unwrap();
    assert_eq!(b.shape(m1).unwrap(), [1, 1, 1, 64]);
    assert_eq!(b.shape(m2).unwrap(), [1, 64]);
    assert_eq!(b.shape(all).unwrap(), Vec::<u64>::new());
    assert_eq!(b.shape(noop).unwrap(), [1, 7, 7, 64]);
    assert_eq!(b.shape(arg).unwrap(), [1, 7, 7]);
    assert_eq!(b.g.tensor(arg).dtype, DType::I64);
    assert!(matches!(b.op("mean"), Op::Reduce { axes: Some(a), .. } if a == &[1, 2]));

    let mut b = B::nhwc();
    let x = b.input("x", &[1, 7]);
    b.node(
        "bad",
        Op::Reduce {
            kind: ReduceKind::Max,
            axes: Some(vec![2]),
            keepdims: true,
            noop_with_empty_axes: false,
        },
        &[x],
    );
    assert!(is_shape_err(b.run()));
}

// ---------------------------------------------------------------------------------------------
// Folding

#[test]
fn pytorch_flatten_chain_folds() {
    let mut b = B::nchw();
    let x = b.input_dims("x", vec![Dim::Symbolic("N".into()), Dim::Known(3), Dim::Known(8), Dim::Known(8)]);
    let w = b.weight("w", &[16, 3, 3, 3]);
    let y =
        b.node("conv", Op::Conv(conv(WeightLayout::Oihw, Padding::Explicit(vec![1, 1, 1, 1]), &[])), &[x, w]);
    let s = b.node("shape", Op::Shape { start: 0, end: None }, &[y]);
    let idx = b.node("idx_const", Op::Constant, &[]);
    *b.g.tensor_mut(idx) = Tensor::constant("idx_const:0", DType::I64, &[], ConstValue::Ints(vec![0]));
    let g = b.node("gather", Op::Gather { axis: 0 }, &[s, idx]);
    let axes = b.ints("axes", &[0]);
    let u = b.node("unsqueeze", Op::Unsqueeze { axes: None }, &[g, axes]);
    let minus1 = b.ints("minus1", &[-1]);
    let c = b.node("concat", Op::Concat { axis: 0 }, &[u, minus1]);
    let r = b.node("reshape", Op::Reshape { shape: None, allowzero: false }, &[y, c]);
    let shapes = ["x=2x3x8x8".parse::<InputShape>().unwrap()];
    infer(&mut b.g, &shapes).unwrap();

    assert_eq!(b.shape(r).unwrap(), [2, 1024]);
    assert_eq!(b.g.tensor(s).value, Some(ConstValue::Ints(vec![2, 16, 8, 8])));
    assert_eq!(b.g.tensor(s).dtype, DType::I64);
    assert_eq!(b.g.tensor(g).value, Some(ConstValue::Ints(vec![2])));
    assert_eq!(b.shape(g).unwrap(), Vec::<u64>::new());
    assert_eq!(b.g.tensor(c).value, Some(ConstValue::Ints(vec![2, -1])));
    assert_eq!(b.folded_names(), ["shape", "idx_const", "gather", "unsqueeze", "concat"]);
    let remaining: Vec<&str> = b.g.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(remaining, ["conv", "reshape"]);
    assert_eq!(b.op("reshape"), &Op::Reshape { shape: Some(vec![2, -1]), allowzero: false });
}

#[test]
fn shape_arithmetic_folds() {
    // paddle2onnx / older PyTorch: Shape → Slice → Cast(float) → Mul(scale) → Floor → Cast(int) →
    // Concat → Resize sizes; Range over a folded extent; Expand and Tile of small ints.
    let mut b = B::nchw();
    let x = b.input("x", &[1, 3, 20, 30]);
    let s = b.node("shape", Op::Shape { start: 0, end: None }, &[x]);
    let sl = b.node(
        "slice",
        Op::Slice {
            starts: Some(vec![2]),
            ends: Some(vec![4]),
            axes: Some(vec![0]),
            steps: None,
            sizes_not_ends: false,
        },
        &[s],
    );
    let f = b.node("cast_f", Op::Cast { to: DType::F32 }, &[sl]);
    let scale = b.floats("scale", &[1.5]);
    let m = b.node("mul", Op::Binary(BinaryOp::Mul), &[f, scale]);
    let fl = b.node("floor", Op::Unary(UnaryOp::Math("Floor".into())), &[m]);
    let i = b.node("cast_i", Op::Cast { to: DType::I64 }, &[fl]);
    let head = b.node("head", Op::Shape { start: 0, end: Some(2) }, &[x]);
    let sizes = b.node("concat", Op::Concat { axis: 0 }, &[head, i]);
    let r = b.node_n(
        "resize",
        Op::Resize { mode: ResizeMode::Nearest, scales: None, sizes: None },
        &[Some(x), None, Some(sizes)],
        1,
    )[0];
    let zero = b.scalar("zero", 0);
    let one = b.scalar("one", 1);
    let last = b.scalar("last", -1);
    let w = b.node("gather_last", Op::Gather { axis: 0 }, &[s, last]);
    let range = b.node("range", Op::Range, &[zero, w, one]);
    let four = b.ints("four", &[2, 3]);
    let e = b.node("expand", Op::Expand, &[one, four]);
    let reps = b.ints("reps", &[3]);
    let t = b.node("tile", Op::Tile, &[four, reps]);
    let two = b.scalar("two", 2);
    let d = b.node("div", Op::Binary(BinaryOp::Div), &[t, two]);
    infer(&mut b.g, &[]).unwrap();
    assert_eq!(b.g.tensor(i).value, Some(ConstValue::Ints(vec![30, 45])));
    assert_eq!(b.g.tensor(sizes).value, Some(ConstValue::Ints(vec![1, 3, 30, 45])));
    assert_eq!(b.shape(r).unwrap(), [1, 3, 30, 45]);
    assert_eq!(b.g.tensor(range).value, Some(ConstValue::Ints((0..30).collect())));
    assert_eq!(b.g.tensor(e).value, Some(ConstValue::Ints(vec![1; 6])));
    assert_eq!(b.shape(e).unwrap(), [2, 3]);
    assert_eq!(b.g.tensor(t).value, Some(ConstValue::Ints(vec![2, 3, 2, 3, 2, 3])));
    assert_eq!(b.g.tensor(d).value, Some(ConstValue::Ints(vec![1, 1, 1, 1, 1, 1]))); // 2/2, 3/2 truncate
    let remaining: Vec<&str> = b.g.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(remaining, ["resize"]);
}

#[test]
fn constant_of_shape_weights_fold() {
    // ONNX light_* models: weights are ConstantOfShape(shape) outputs.
    let mut b = B::nchw();
    let x = b.input("x", &[1, 3, 224, 224]);
    let ws = b.ints("w_shape", &[64, 3, 11, 11]);
    let w = b.node("w_fill", Op::ConstantOfShape { value: 0.0, dtype: DType::F32 }, &[ws]);
    let bs = b.ints("b_shape", &[64]);
    let bias = b.node("b_fill", Op::ConstantOfShape { value: 0.5, dtype: DType::F32 }, &[bs]);
    let y = b.node(
        "conv",
        Op::Conv(conv(WeightLayout::Oihw, Padding::Explicit(vec![2, 2, 2, 2]), &[4, 4])),
        &[x, w, bias],
    );
    let small_s = b.ints("small_shape", &[2, 2]);
    let small = b.node("small_fill", Op::ConstantOfShape { value: 7.0, dtype: DType::I32 }, &[small_s]);
    b.run().unwrap();
    assert_eq!(b.shape(y).unwrap(), [1, 64, 55, 55]);
    assert_eq!(b.g.tensor(w).value, Some(ConstValue::Opaque));
    assert_eq!(b.shape(w).unwrap(), [64, 3, 11, 11]);
    assert_eq!(b.g.tensor(w).dtype, DType::F32);
    assert_eq!(b.g.tensor(bias).value, Some(ConstValue::Floats(vec![0.5; 64])));
    assert_eq!(b.g.tensor(small).value, Some(ConstValue::Ints(vec![7; 4])));
    assert_eq!(b.g.tensor(small).dtype, DType::I32);
    assert_eq!(b.folded_names(), ["w_fill", "b_fill", "small_fill"]);
    assert_eq!(b.g.nodes.len(), 1);
}

#[test]
fn dequantize_of_f16_weights_folds() {
    let mut b = B::nhwc();
    let x = b.input("x", &[1, 16, 16, 8]);
    let w16 = b.g.add_tensor(Tensor::constant("w16", DType::F16, &[16, 3, 3, 8], ConstValue::Opaque));
    let w = b.node("dequant", Op::Dequantize, &[w16]);
    let b16 = b.g.add_tensor(Tensor::constant(
        "b16",
        DType::F16,
        &[4],
        ConstValue::Floats(vec![0.5, 1.0, 1.5, 2.0]),
    ));
    let bias = b.node("dequant_b", Op::Dequantize, &[b16]);
    let y = b.node("conv", Op::Conv(conv(WeightLayout::Ohwi, Padding::SameUpper, &[1, 1])), &[x, w]);
    let q = b.g.add_tensor(Tensor::constant("q", DType::I8, &[3], ConstValue::Ints(vec![-2, 0, 10])));
    let scale = b.floats("qs", &[0.5]);
    let zp = b.g.add_tensor(Tensor::constant("qz", DType::I8, &[], ConstValue::Ints(vec![2])));
    let deq = b.node("dequant_q", Op::Dequantize, &[q, scale, zp]);
    b.run().unwrap();
    assert_eq!(b.shape(y).unwrap(), [1, 16, 16, 16]);
    assert_eq!(b.g.tensor(w).value, Some(ConstValue::Opaque));
    assert_eq!(b.g.tensor(w).dtype, DType::F32);
    assert_eq!(b.shape(w).unwrap(), [16, 3, 3, 8]);
    assert_eq!(b.g.tensor(bias).value, Some(ConstValue::Floats(vec![0.5, 1.0, 1.5, 2.0])));
    assert_eq!(b.g.tensor(deq).value, Some(ConstValue::Floats(vec![-2.0, -1.0, 4.0])));
    assert_eq!(b.folded_names(), ["dequant", "dequant_b", "dequant_q"]);
    let remaining: Vec<&str> = b.g.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(remaining, ["conv"]);
}

#[test]
fn transpose_and_reshape_of_weights_fold_opaque() {
    let mut b = B::nchw();
    let x = b.input("x", &[1, 8, 4, 4]);
    let w = b.weight("w", &[3, 3, 8, 16]);
    let wt = b.node("w_t", Op::Transpose { perm: Some(vec![3, 2, 0, 1]) }, &[w]);
    let y = b.node("conv", Op::Conv(conv(WeightLayout::Oihw, Padding::Valid, &[])), &[x, wt]);
    let small = b.ints("small", &[1, 2, 3, 4, 5, 6]);
    let shp = b.ints("shp", &[2, 3]);
    let r = b.node("r", Op::Reshape { shape: None, allowzero: false }, &[small, shp]);
    let rt = b.node("rt", Op::Transpose { perm: None }, &[r]);
    b.run().unwrap();
    assert_eq!(b.shape(y).unwrap(), [1, 16, 2, 2]);
    assert_eq!(b.g.tensor(wt).value, Some(ConstValue::Opaque));
    assert_eq!(b.g.tensor(rt).value, Some(ConstValue::Ints(vec![1, 4, 2, 5, 3, 6])));
    assert_eq!(b.folded_names(), ["w_t", "r", "rt"]);
}

// ---------------------------------------------------------------------------------------------
// Inputs, unsupported ops, cycles, limits

#[test]
fn input_shape_parsing() {
    let s: InputShape = "x=1x3x224x224".parse().unwrap();
    assert_eq!(s, InputShape { name: "x".into(), dims: vec![1, 3, 224, 224] });
    let s: InputShape = " input:0 = 1,49,10,1 ".parse().unwrap();
    assert_eq!(s, InputShape { name: "input:0".into(), dims: vec![1, 49, 10, 1] });
    assert_eq!(s.to_string(), "input:0=1x49x10x1");
    for bad in ["x", "x=", "=1x3", "x=1xax3", "x=1x-3", "x=1x3x", "x=1.5"] {
        let e = bad.parse::<InputShape>().err().unwrap_or_else(|| panic!("{bad} parsed"));
        assert!(matches!(e.kind, ErrorKind::InputShape(_)), "{bad}: {e}");
    }
}

#[test]
fn missing_dim_and_input_shapes() {
    let build = || {
        let mut b = B::nchw();
        let x = b.input_dims(
            "x",
            vec![Dim::Symbolic("batch".into()), Dim::Known(3), Dim::Known(8), Dim::Known(8)],
        );
        let y = b.node("relu", Op::Unary(UnaryOp::Relu), &[x]);
        (b, y)
    };
    let (mut b, _) = build();
    let e = b.run().err().unwrap();
    match e.kind {
        ErrorKind::MissingDim { input, dim, axis } => {
            assert_eq!((input.as_str(), dim.as_str(), axis), ("x", "batch", 0));
        }
        other => panic!("{other:?}"),
    }

    let (mut b, y) = build();
    infer(&mut b.g, &["x=4x3x8x8".parse().unwrap()]).unwrap();
    assert_eq!(b.shape(y).unwrap(), [4, 3, 8, 8]);

    let (mut b, _) = build();
    let e = infer(&mut b.g, &["nope=1x3x8x8".parse().unwrap()]).err().unwrap();
    assert!(matches!(e.kind, ErrorKind::InputShape(_)));
    assert!(e.to_string().contains("x"), "{e}");

    let (mut b, _) = build();
    let e = infer(&mut b.g, &["x=1x3x8".parse().unwrap()]).err().unwrap();
    assert!(matches!(e.kind, ErrorKind::InputShape(_)), "{e}");

    // An input of unknown rank is set by the user.
    let mut b = B::nchw();
    let x = b.g.add_tensor(Tensor::activation("x", DType::F32, None));
    b.g.inputs.push(x);
    let y = b.node("relu", Op::Unary(UnaryOp::Relu), &[x]);
    assert!(matches!(b.clone_run().err().unwrap().kind, ErrorKind::MissingDim { .. }));
    infer(&mut b.g, &["x=2x5".parse().unwrap()]).unwrap();
    assert_eq!(b.shape(y).unwrap(), [2, 5]);
}

impl B {
    fn clone_run(&self) -> einf_parser::Result<Graph> {
        let mut g = self.g.clone();
        infer(&mut g, &[])?;
        Ok(g)
    }
}

#[test]
fn unsupported_ops_keep_declared_shapes_or_skip() {
    let mut b = B::nchw();
    let x = b.input("x", &[1, 4, 8, 8]);
    let declared = b.node("nms", Op::Unsupported { name: "NonMaxSuppression".into() }, &[x]);
    b.g.tensor_mut(declared).shape = Some(vec![Dim::Known(10), Dim::Known(3)]);
    let undeclared = b.node("custom", Op::Unsupported { name: "custom:Foo".into() }, &[x]);
    b.g.tensor_mut(undeclared).shape = Some(vec![Dim::Symbolic("?".into()), Dim::Known(3)]);
    let after = b.node("relu_after_declared", Op::Unary(UnaryOp::Relu), &[declared]);
    let skipped = b.node("relu_after_unknown", Op::Unary(UnaryOp::Relu), &[undeclared]);
    let skipped2 =
        b.node("reshape_after_unknown", Op::Reshape { shape: Some(vec![-1]), allowzero: false }, &[skipped]);
    b.run().unwrap();
    assert_eq!(b.shape(declared).unwrap(), [10, 3]);
    assert_eq!(b.shape(after).unwrap(), [10, 3]);
    assert_eq!(b.g.tensor(undeclared).shape, None);
    assert_eq!(b.g.tensor(skipped).shape, None);
    assert_eq!(b.g.tensor(skipped2).shape, None);
    assert_eq!(b.g.nodes.len(), 5);
}

#[test]
fn cycle_is_an_error() {
    let mut b = B::nchw();
    let x = b.input("x", &[1, 4]);
    let t1 = b.g.add_tensor(Tensor::activation("t1", DType::F32, None));
    let t2 = b.g.add_tensor(Tensor::activation("t2", DType::F32, None));
    for (name, i, o) in [("a", t1, t2), ("b", t2, t1)] {
        b.g.add_node(Node {
            name: name.into(),
            op: Op::Binary(BinaryOp::Add),
            source_op: "Add".into(),
            inputs: vec![Some(x), Some(i)],
            outputs: vec![o],
            implied: false,
        });
    }
    let e = b.run().err().unwrap();
    assert!(matches!(e.kind, ErrorKind::Cycle), "{e}");
}

#[test]
fn absurd_dims_are_limit_errors() {
    const HUGE: u64 = 1 << 40;
    // A graph input declared by the file.
    let mut b = B::nchw();
    b.input("x", &[HUGE, HUGE]);
    assert!(is_limit_err(b.run()));
    // A user shape.
    let mut b = B::nchw();
    b.input_dims("x", vec![Dim::Symbolic("n".into()), Dim::Known(3)]);
    assert!(is_limit_err(infer(&mut b.g, &[InputShape { name: "x".into(), dims: vec![HUGE, 3] }])));
    // Within each dimension but beyond 2^40 elements.
    let mut b = B::nchw();
    b.input("x", &[1 << 31, 1 << 31]);
    assert!(is_limit_err(b.run()));
    // A Reshape target.
    let mut b = B::nchw();
    let x = b.input("x", &[2, 2]);
    let t = b.ints("t", &[HUGE as i64, HUGE as i64]);
    b.node("reshape", Op::Reshape { shape: None, allowzero: false }, &[x, t]);
    let e = b.run().err().unwrap();
    assert!(matches!(e.kind, ErrorKind::Limit(_)), "{e}");
    assert_eq!(e.node.as_deref(), Some("reshape"));
    // ConstantOfShape.
    let mut b = B::nchw();
    b.input("x", &[1]);
    let t = b.ints("t", &[HUGE as i64, HUGE as i64]);
    b.node("fill", Op::ConstantOfShape { value: 0.0, dtype: DType::F32 }, &[t]);
    assert!(is_limit_err(b.run()));
    // Tiling to 2^62 elements, an Expand to 2^31 × 2^31, a weight declared huge.
    let mut b = B::nchw();
    let x = b.input("x", &[1 << 31]);
    let reps = b.ints("reps", &[1 << 31]);
    b.node("tile", Op::Tile, &[x, reps]);
    assert!(is_limit_err(b.run()));
    let mut b = B::nchw();
    let x = b.input("x", &[1, 1]);
    let s = b.ints("s", &[1 << 31, 1 << 31]);
    b.node("expand", Op::Expand, &[x, s]);
    assert!(is_limit_err(b.run()));
    let mut b = B::nchw();
    let x = b.input("x", &[1, 3, 8, 8]);
    let w = b.weight("w", &[HUGE, 3, 3, 3]);
    b.node("conv", Op::Conv(conv(WeightLayout::Oihw, Padding::Valid, &[])), &[x, w]);
    assert!(is_limit_err(b.run()));
    // Resize by an absurd scale.
    let mut b = B::nchw();
    let x = b.input("x", &[1, 3, 8, 8]);
    b.node(
        "resize",
        Op::Resize { mode: ResizeMode::Nearest, scales: Some(vec![1.0, 1.0, 1e30, 1.0]), sizes: None },
        &[x],
    );
    assert!(is_limit_err(b.run()));
}

// ---------------------------------------------------------------------------------------------
// Property tests

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// out = floor((in + pb + pe − d·(k−1) − 1) / s) + 1, or an error when the kernel does not fit.
    #[test]
    fn conv_output_formula(
        h in 1u64..80, w in 1u64..80, k in 1u64..8, s in 1u64..5, d in 1u64..4,
        pb in 0u64..5, pe in 0u64..5, nhwc in any::<bool>(), cin in 1u64..5, cout in 1u64..5,
    ) {
        let mut attrs = conv(
            if nhwc { WeightLayout::Ohwi } else { WeightLayout::Oihw },
            Padding::Explicit(vec![pb, 0, pe, 0]),
            &[s, 1],
        );
        attrs.dilations = vec![d, 1];
        let (layout, x, wt) = if nhwc {
            (Layout::Nhwc, vec![1, h, w, cin], vec![cout, k, 1, cin])
        } else {
            (Layout::Nchw, vec![1, cin, h, w], vec![cout, cin, k, 1])
        };
        let eff = d * (k - 1) + 1;
        match run_conv(layout, &x, &wt, attrs) {
            Ok((shape, _)) => {
                prop_assert!(h + pb + pe >= eff);
                let oh = (h + pb + pe - eff) / s + 1;
                let want = if nhwc { vec![1, oh, w, cout] } else { vec![1, cout, oh, w] };
                prop_assert_eq!(shape, want);
            }
            Err(e) => {
                prop_assert!(h + pb + pe < eff, "unexpected error {}", e);
                prop_assert!(matches!(e.kind, ErrorKind::Shape(_)));
            }
        }
    }

    /// SAME padding gives ceil(in / s) whatever the kernel and dilation.
    #[test]
    fn conv_same_is_ceil(h in 1u64..200, k in 1u64..9, s in 1u64..5, d in 1u64..4, upper in any::<bool>()) {
        let padding = if upper { Padding::SameUpper } else { Padding::SameLower };
        let mut attrs = conv(WeightLayout::Oihw, padding, &[s]);
        attrs.dilations = vec![d];
        let (shape, a) = run_conv(Layout::Nchw, &[1, 2, h], &[3, 2, k], attrs).unwrap();
        prop_assert_eq!(shape, vec![1, 3, h.div_ceil(s)]);
        let Padding::Explicit(p) = a.padding else { panic!("unresolved") };
        let total = ((h.div_ceil(s) - 1) * s + d * (k - 1) + 1).saturating_sub(h);
        prop_assert_eq!(p[0] + p[1], total);
        let ordered = if upper { p[1] >= p[0] } else { p[0] >= p[1] };
        prop_assert!(ordered, "pads {:?}", p);
    }

    /// Random (often invalid) attributes and shapes never panic.
    #[test]
    fn inference_never_panics(
        x in prop::collection::vec(0u64..40, 0..6),
        wt in prop::collection::vec(0u64..40, 0..6),
        strides in prop::collection::vec(0u64..4, 0..4),
        dilations in prop::collection::vec(0u64..4, 0..4),
        pads in prop::collection::vec(0u64..6, 0..7),
        out_pad in prop::collection::vec(0u64..3, 0..3),
        groups in prop::option::of(0u64..9),
        kernel in prop::option::of(prop::collection::vec(0u64..6, 0..4)),
        layout_sel in 0usize..4,
        pad_sel in 0usize..4,
        transposed in any::<bool>(),
        nhwc in any::<bool>(),
        ceil_mode in any::<bool>(),
        target in prop::collection::vec(prop_oneof![Just(-1i64), Just(0), -3i64..50, Just(i64::MAX), Just(i64::MIN)], 0..5),
        slice_vals in prop::collection::vec(prop_oneof![-60i64..60, Just(i64::MAX), Just(i64::MIN)], 0..4),
        axis in -8i64..8,
    ) {
        let padding = match pad_sel {
            0 => Padding::Explicit(pads.clone()),
            1 => Padding::SameUpper,
            2 => Padding::SameLower,
            _ => Padding::Valid,
        };
        let weight_layout = [WeightLayout::Oihw, WeightLayout::Iohw, WeightLayout::Ohwi, WeightLayout::Ihwo][layout_sel];
        let attrs = ConvAttrs {
            kernel: kernel.clone(),
            strides: strides.clone(),
            dilations: dilations.clone(),
            padding: padding.clone(),
            groups,
            weight_layout,
            output_padding: out_pad.clone(),
            output_shape: if transposed && pads.len() > 2 { Some(pads.clone()) } else { None },
        };
        let mut b = B::new(if nhwc { Layout::Nhwc } else { Layout::Nchw });
        let xi = b.input("x", &x);
        let wi = b.weight("w", &wt);
        let op = if transposed { Op::ConvTranspose(attrs) } else { Op::Conv(attrs) };
        b.node("conv", op, &[xi, wi]);
        b.node("pool", Op::Pool(PoolAttrs {
            kind: PoolKind::Max,
            global: false,
            kernel: kernel.clone().unwrap_or_default(),
            strides,
            dilations,
            padding,
            ceil_mode,
        }), &[xi]);
        let t = b.ints("target", &target);
        b.node("reshape", Op::Reshape { shape: None, allowzero: ceil_mode }, &[xi, t]);
        let sv = b.ints("sv", &slice_vals);
        let n = slice_vals.len();
        b.node_n("slice", Op::Slice { starts: None, ends: None, axes: None, steps: None, sizes_not_ends: nhwc },
            &[Some(xi), Some(sv), Some(sv), None, if n > 0 && slice_vals.iter().all(|&v| v != 0) { Some(sv) } else { None }], 1);
        b.node_n("split", Op::Split { axis, split: None }, &[Some(xi), Some(t)], target.len().max(1));
        b.node("concat", Op::Concat { axis }, &[xi, wi]);
        b.node("unsq", Op::Unsqueeze { axes: Some(target.clone()) }, &[xi]);
        b.node("sq", Op::Squeeze { axes: Some(slice_vals.clone()) }, &[xi]);
        b.node("tile", Op::Tile, &[xi, t]);
        b.node("expand", Op::Expand, &[xi, t]);
        b.node("pad", Op::Pad { pads: Some(target.clone()), pairs: ceil_mode, mode: PadMode::Constant }, &[xi]);
        b.node("gather", Op::Gather { axis }, &[t, sv]);
        b.node("range", Op::Range, &[sv, t, sv]);
        b.node("resize", Op::Resize { mode: ResizeMode::Nearest, scales: None, sizes: Some(target.clone()) }, &[xi]);
        b.node("flatten", Op::Flatten { axis }, &[xi]);
        b.node("space", Op::SpaceDepth { to_space: ceil_mode, block: groups.unwrap_or(0) }, &[xi]);
        b.node("mm", Op::MatMul { adj_a: ceil_mode, adj_b: nhwc }, &[xi, wi]);
        b.node("gemm", Op::Gemm { trans_a: ceil_mode, trans_b: nhwc, flatten_rows: transposed, keep_num_dims: ceil_mode }, &[xi, wi]);
        b.node("reduce", Op::Reduce { kind: ReduceKind::ArgMax, axes: Some(slice_vals.clone()), keepdims: nhwc, noop_with_empty_axes: ceil_mode }, &[xi]);
        // Constant data through the folding paths, with random parameter values.
        let slice_op = |sizes_not_ends| Op::Slice { starts: None, ends: None, axes: None, steps: None, sizes_not_ends };
        b.node_n("fold_slice", slice_op(ceil_mode), &[Some(t), Some(sv), Some(sv), Some(sv), Some(sv)], 1);
        b.node("fold_concat", Op::Concat { axis }, &[t, sv]);
        b.node("fold_tile", Op::Tile, &[t, sv]);
        b.node("fold_expand", Op::Expand, &[t, sv]);
        b.node("fold_transpose", Op::Transpose { perm: None }, &[t, sv]);
        b.node("fold_reshape", Op::Reshape { shape: None, allowzero: nhwc }, &[t, sv]);
        b.node("fold_unsqueeze", Op::Unsqueeze { axes: None }, &[t, sv]);
        b.node("fold_squeeze", Op::Squeeze { axes: None }, &[t, sv]);
        b.node("fold_fill", Op::ConstantOfShape { value: 1.5, dtype: DType::I8 }, &[sv]);
        b.node_n("fold_split", Op::Split { axis, split: None }, &[Some(t), Some(sv)], slice_vals.len().max(1));
        b.node("fold_cast", Op::Cast { to: DType::U8 }, &[t]);
        b.node("fold_shape", Op::Shape { start: axis, end: Some(axis.wrapping_mul(3)) }, &[t]);
        for (k, op) in [BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div, BinaryOp::Pow, BinaryOp::Mod,
            BinaryOp::Max, BinaryOp::SquaredDifference, BinaryOp::Compare].into_iter().enumerate() {
            b.node(&format!("fold_bin{k}"), Op::Binary(op), &[t, sv]);
        }
        b.node("fold_neg", Op::Unary(UnaryOp::Math("Neg".into())), &[t]);
        b.node("fold_gather_w", Op::Gather { axis }, &[wi, sv]);
        // Each node alone, so that an early error does not hide the later ones.
        let full = b.g.clone();
        for keep in 0..full.nodes.len() {
            let mut g = full.clone();
            let node = g.nodes[keep].clone();
            g.nodes = vec![node];
            let _ = infer(&mut g, &[]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Fixtures

/// Every fixture with the given extension under `tests/fixtures/models`.
#[cfg(any(feature = "tflite", feature = "onnx"))]
fn fixtures(ext: &str) -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, ext, out);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.push(p);
            }
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/models");
    let mut out = Vec::new();
    walk(&root, ext, &mut out);
    out.sort();
    out
}

/// Infer `declared` again after clearing every shape einf computes itself (all but inputs,
/// constants and outputs of unsupported ops), and list where the result differs from a fully known
/// declared shape of a supported op's output. Also requires every graph output to get a shape and
/// a second inference to change nothing.
#[cfg(any(feature = "tflite", feature = "onnx"))]
fn check_declared(
    path: &std::path::Path,
    declared: &Graph,
    shapes: &[InputShape],
    mismatches: &mut Vec<String>,
) -> anyhow::Result<usize> {
    let mut g = declared.clone();
    let mut keep: std::collections::HashSet<usize> = g.inputs.iter().map(|t| t.0).collect();
    for n in g.nodes.iter().filter(|n| !n.op.is_supported()) {
        keep.extend(n.outputs.iter().map(|t| t.0));
    }
    for (i, t) in g.tensors.iter_mut().enumerate() {
        if !keep.contains(&i) && !t.is_const() {
            t.shape = None;
        }
    }
    infer(&mut g, shapes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    // Inference is idempotent: resolved parameters and folded constants infer to the same graph.
    let mut again = g.clone();
    infer(&mut again, shapes).map_err(|e| anyhow::anyhow!("{} (second inference): {e}", path.display()))?;
    if again.nodes != g.nodes || again.tensors != g.tensors || again.folded != g.folded {
        mismatches.push(format!("{}: a second inference changed the graph", path.display()));
    }
    let mut compared = 0;
    for n in declared.nodes.iter().filter(|n| n.op.is_supported()) {
        for &o in &n.outputs {
            let Some(want) = declared.tensor(o).known_shape() else { continue };
            compared += 1;
            let got = g.tensor(o).known_shape();
            if got.as_deref() != Some(want.as_slice()) {
                mismatches.push(format!(
                    "{}: node '{}' ({}) output '{}': declared {want:?}, inferred {got:?}",
                    path.display(),
                    n.name,
                    n.source_op,
                    declared.tensor(o).name
                ));
            }
        }
    }
    for &o in &g.outputs {
        if g.tensor(o).known_shape().is_none() {
            mismatches.push(format!("{}: graph output '{}' has no shape", path.display(), g.tensor(o).name));
        }
    }
    Ok(compared)
}

/// For every TFLite fixture, the shapes einf infers equal the shapes the file declares for every
/// output of a supported op.
#[cfg(feature = "tflite")]
#[test]
fn tflite_fixtures_match_declared_shapes() -> anyhow::Result<()> {
    let files = fixtures("tflite");
    assert!(!files.is_empty(), "no TFLite fixtures found");
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for path in &files {
        let bytes = std::fs::read(path)?;
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let declared = einf_parser::tflite::parse(&bytes, &name)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        compared += check_declared(path, &declared, &[], &mut mismatches)?;
    }
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
    assert!(compared > 500, "only {compared} declared shapes compared");
    Ok(())
}

/// Every ONNX fixture infers once its symbolic input dims are set, and agrees with the shapes its
/// `value_info` declares (PP-OCR files declare them).
#[cfg(feature = "onnx")]
#[test]
fn onnx_fixtures_infer_and_match_declared_shapes() -> anyhow::Result<()> {
    let files = fixtures("onnx");
    assert!(!files.is_empty(), "no ONNX fixtures found");
    let mut mismatches = Vec::new();
    for path in &files {
        let bytes = std::fs::read(path)?;
        let name = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let declared = einf_parser::onnx::parse(&bytes, &name, path.parent())
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        // Symbolic dims as the fixture README gives them: batch 1, PP-OCR det 640×640, cls 48×192.
        let spatial: [u64; 2] = if name.contains("det") { [640, 640] } else { [48, 192] };
        let shapes: Vec<InputShape> = declared
            .inputs
            .iter()
            .map(|&t| declared.tensor(t))
            .filter_map(|t| {
                let dims = t.shape.as_ref()?;
                let fixed: Vec<u64> = dims
                    .iter()
                    .enumerate()
                    .map(|(axis, d)| {
                        d.known().unwrap_or(match axis {
                            2 => spatial[0],
                            3 => spatial[1],
                            _ => 1,
                        })
                    })
                    .collect();
                Some(InputShape { name: t.name.clone(), dims: fixed })
            })
            .collect();
        check_declared(path, &declared, &shapes, &mut mismatches)?;
    }
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
    Ok(())
}
