//! Property tests of the fusion pass over generated graphs (synthetic, shapes set by the
//! generator): every node lands in exactly one kernel, and fusion keeps total MACs and params.

use einf_parser::fusion::{Rules, fuse};
use einf_parser::ir::*;
use einf_parser::kernel::node_cost;
use proptest::prelude::*;

/// Builds an NCHW graph layer by layer, computing shapes itself.
struct Builder {
    g: Graph,
    acts: Vec<(TensorId, [u64; 4])>,
}

impl Builder {
    fn new(c: u64, hw: u64) -> Self {
        let mut g = Graph::new("synthetic", SourceFormat::Memory, Layout::Nchw);
        let x = g.add_tensor(Tensor::activation("x", DType::F32, Some(shape(&[1, c, hw, hw]))));
        g.inputs.push(x);
        Builder { g, acts: vec![(x, [1, c, hw, hw])] }
    }

    fn act(&mut self, s: [u64; 4]) -> TensorId {
        let name = format!("t{}", self.g.tensors.len());
        let t = self.g.add_tensor(Tensor::activation(name, DType::F32, Some(shape(&s))));
        self.acts.push((t, s));
        t
    }

    fn weight(&mut self, dims: &[u64]) -> TensorId {
        let name = format!("w{}", self.g.tensors.len());
        self.g.add_tensor(Tensor::constant(name, DType::F32, dims, ConstValue::Opaque))
    }

    fn node(&mut self, op: Op, inputs: Vec<TensorId>, out: TensorId) {
        let name = format!("n{}", self.g.nodes.len());
        let source_op = op.name();
        self.g.add_node(Node {
            name,
            op,
            source_op,
            inputs: inputs.into_iter().map(Some).collect(),
            outputs: vec![out],
            implied: false,
        });
    }

    /// Apply one generated layer to a recent activation.
    fn layer(&mut self, kind: u8, pick: u8, p: u8) {
        let idx = self.acts.len() - 1 - (pick as usize % self.acts.len().min(3));
        let (x, [n, c, h, w]) = self.acts[idx];
        match kind % 9 {
            0 | 1 => {
                let k = [1u64, 3, 5][p as usize % 3];
                let s = if p.is_multiple_of(4) && h >= 4 { 2 } else { 1 };
                let groups = match p % 5 {
                    0 => c,
                    1 if c % 2 == 0 => 2,
                    _ => 1,
                };
                let cout = if groups == c { c } else { 8 * (1 + (p as u64 % 4)) * groups };
                let pad = k / 2;
                let (oh, ow) = ((h + 2 * pad - k) / s + 1, (w + 2 * pad - k) / s + 1);
                let wt = self.weight(&[cout, c / groups, k, k]);
                let b = self.weight(&[cout]);
                let y = self.act([n, cout, oh, ow]);
                let attrs = ConvAttrs {
                    kernel: Some(vec![k, k]),
                    strides: vec![s, s],
                    dilations: vec![1, 1],
                    padding: Padding::Explicit(vec![pad, pad, pad, pad]),
                    groups: Some(groups),
                    weight_layout: WeightLayout::Oihw,
                    output_padding: vec![],
                    output_shape: None,
                };
                self.node(Op::Conv(attrs), vec![x, wt, b], y);
            }
            2 => {
                let ws: Vec<TensorId> = (0..4).map(|_| self.weight(&[c])).collect();
                let y = self.act([n, c, h, w]);
                let mut inputs = vec![x];
                inputs.extend(ws);
                self.node(Op::BatchNorm { epsilon: 1e-5 }, inputs, y);
            }
            3 => {
                let y = self.act([n, c, h, w]);
                let op = if p.is_multiple_of(2) { UnaryOp::Relu } else { UnaryOp::HardSwish };
                self.node(Op::Unary(op), vec![x], y);
            }
            4 => {
                // Residual add with an earlier activation of the same shape, if any.
                let other = self.acts.iter().rev().skip(1).find(|(_, s)| *s == [n, c, h, w]).map(|a| a.0);
                let y = self.act([n, c, h, w]);
                match other {
                    Some(o) => self.node(Op::Binary(BinaryOp::Add), vec![x, o], y),
                    None => self.node(Op::Unary(UnaryOp::Relu), vec![x], y),
                }
            }
            5 if h >= 2 => {
                let y = self.act([n, c, h / 2, w / 2]);
                let attrs = PoolAttrs {
                    kind: PoolKind::Max,
                    global: false,
                    kernel: vec![2, 2],
                    strides: vec![2, 2],
                    dilations: vec![],
                    padding: Padding::Explicit(vec![0; 4]),
                    ceil_mode: false,
                };
                self.node(Op::Pool(attrs), vec![x], y);
            }
            6 => {
                // Squeeze-excite on x: gap → 1×1 conv → relu → 1×1 conv → sigmoid → mul.
                let g1 = self.act([n, c, 1, 1]);
                let gap = PoolAttrs {
                    kind: PoolKind::Avg,
                    global: true,
                    kernel: vec![],
                    strides: vec![],
                    dilations: vec![],
                    padding: Padding::Explicit(vec![0; 4]),
                    ceil_mode: false,
                };
                self.node(Op::Pool(gap), vec![x], g1);
                let mid = (c / 4).max(1);
                let mut prev = g1;
                for (cin, cout) in [(c, mid), (mid, c)] {
                    let wt = self.weight(&[cout, cin, 1, 1]);
                    let y = self.act([n, cout, 1, 1]);
                    let attrs = ConvAttrs {
                        kernel: Some(vec![1, 1]),
                        strides: vec![1, 1],
                        dilations: vec![1, 1],
                        padding: Padding::Explicit(vec![0; 4]),
                        groups: Some(1),
                        weight_layout: WeightLayout::Oihw,
                        output_padding: vec![],
                        output_shape: None,
                    };
                    self.node(Op::Conv(attrs), vec![prev, wt], y);
                    let a = self.act([n, cout, 1, 1]);
                    let op = if cout == mid { UnaryOp::Relu } else { UnaryOp::Sigmoid };
                    self.node(Op::Unary(op), vec![y], a);
                    prev = a;
                }
                let y = self.act([n, c, h, w]);
                self.node(Op::Binary(BinaryOp::Mul), vec![x, prev], y);
            }
            7 => {
                let other = self.acts.iter().rev().skip(1).find(|(_, s)| s[2] == h && s[3] == w).copied();
                if let Some((o, os)) = other {
                    let y = self.act([n, c + os[1], h, w]);
                    self.node(Op::Concat { axis: 1 }, vec![x, o], y);
                }
            }
            _ => {
                let y = self.act([n, c * h * w, 1, 1]);
                let y2 = self.act([n, 10, 1, 1]);
                self.node(Op::Reshape { shape: Some(vec![1, -1, 1, 1]), allowzero: false }, vec![x], y);
                let wt = self.weight(&[10, c * h * w]);
                let gemm =
                    Op::Gemm { trans_a: false, trans_b: true, flatten_rows: false, keep_num_dims: false };
                self.node(gemm, vec![y, wt], y2);
            }
        }
    }

    fn finish(mut self) -> Graph {
        if let Some(&(last, _)) = self.acts.last() {
            self.g.outputs.push(last);
        }
        self.g
    }
}

fn shape(d: &[u64]) -> Vec<Dim> {
    d.iter().map(|&x| Dim::Known(x)).collect()
}

fn layers() -> impl Strategy<Value = Vec<(u8, u8, u8)>> {
    prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>()), 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn every_node_in_exactly_one_kernel_and_totals_kept(spec in layers(), c in 1u64..=16, hw in 1u64..=32) {
        let mut b = Builder::new(c * 4, hw);
        for (k, pick, p) in spec {
            b.layer(k, pick, p);
        }
        let g = b.finish();
        prop_assert!(g.validate().is_ok());
        let (mut node_macs, mut node_params) = (0u64, 0u64);
        for n in &g.nodes {
            let cost = node_cost(&g, n);
            node_macs += cost.macs;
            node_params += cost.params;
        }
        for backend in Rules::builtin_names() {
            let kernels = fuse(&g, &Rules::builtin(backend).map_err(|e| TestCaseError::fail(e.to_string()))?)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut seen = vec![0usize; g.nodes.len()];
            for k in &kernels {
                prop_assert!(!k.nodes.is_empty());
                for n in &k.nodes {
                    seen[n.0] += 1;
                }
            }
            prop_assert!(seen.iter().all(|&s| s == 1), "{backend}: {seen:?}");
            prop_assert_eq!(kernels.iter().map(|k| k.features.macs).sum::<u64>(), node_macs);
            prop_assert_eq!(kernels.iter().map(|k| k.features.params).sum::<u64>(), node_params);
            prop_assert!(kernels.iter().all(|k| k.config.is_some()), "{backend}: a kernel without config");
        }
    }
}

/// A fixed graph whose kernels are known: conv → bn → relu, then squeeze-excite, then a residual add.
#[test]
fn conv_bn_relu_and_se_are_recognised() {
    let mut b = Builder::new(16, 8);
    b.layer(0, 0, 2); // 5×5 conv, groups 1
    b.layer(2, 0, 0); // bn
    b.layer(3, 0, 0); // relu
    b.layer(6, 0, 0); // se
    let g = b.finish();
    let kernels = fuse(&g, &Rules::builtin("tflite-cpu").unwrap()).unwrap();
    let kinds: Vec<String> = kernels.iter().map(|k| k.kind.to_string()).collect();
    assert_eq!(kinds, ["conv-bn-relu", "se"]);
    let gpu = fuse(&g, &Rules::builtin("tflite-gpu").unwrap()).unwrap();
    assert_eq!(gpu.len(), 2);
}
