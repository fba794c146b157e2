//! Tests of the ONNX frontend (`einf_parser::onnx::parse`): every fixture model, external data
//! and its path checks, truncated and random bytes, opset-dependent attribute/input handling,
//! and constant decoding (typed fields, raw data, float16).
#![cfg(feature = "onnx")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use anyhow::{Context, Result, bail, ensure};
use einf_parser::ErrorKind;
use einf_parser::ir::{
    BinaryOp, ConstValue, DType, Dim, Graph, Op, PadMode, Padding, PoolKind, ReduceKind, ResizeMode,
    SourceFormat, UnaryOp, WeightLayout,
};
use einf_parser::onnx::parse;
use einf_parser::onnx::proto::attribute_proto::AttributeType;
use einf_parser::onnx::proto::tensor_proto::{DataLocation, DataType};
use einf_parser::onnx::proto::tensor_shape_proto::{Dimension, dimension};
use einf_parser::onnx::proto::type_proto;
use einf_parser::onnx::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto,
    TensorProto, TensorShapeProto, TypeProto, ValueInfoProto,
};
use prost::Message;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------------
// Fixtures

fn models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/models")
}

/// Every `*.onnx` file in the fixture folders, as (path relative to `models/`, absolute path).
fn onnx_fixtures() -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    for folder in std::fs::read_dir(models_dir())? {
        let folder = folder?.path();
        if !folder.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&folder)? {
            let f = f?.path();
            if f.extension().is_some_and(|e| e == "onnx") {
                let rel = f.strip_prefix(models_dir())?.to_string_lossy().replace('\\', "/");
                out.push((rel, f));
            }
        }
    }
    out.sort();
    ensure!(out.len() >= 13, "expected the ONNX fixtures, found {out:?}");
    Ok(out)
}

fn fixture(rel: &str) -> PathBuf {
    models_dir().join(rel)
}

fn parse_file(path: &Path) -> einf_parser::Result<Graph> {
    let bytes = std::fs::read(path).map_err(|e| einf_parser::Error::from(ErrorKind::Io(e)))?;
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("model");
    parse(&bytes, name, path.parent())
}

fn decode_model(path: &Path) -> Result<ModelProto> {
    Ok(ModelProto::decode(std::fs::read(path)?.as_slice())?)
}

/// Op counts by `source_op` (domain-prefixed outside the default domain).
fn graph_counts(g: &Graph) -> BTreeMap<String, usize> {
    let mut c = BTreeMap::new();
    for n in &g.nodes {
        *c.entry(n.source_op.clone()).or_default() += 1;
    }
    c
}

fn file_counts(m: &ModelProto) -> BTreeMap<String, usize> {
    let mut c = BTreeMap::new();
    for n in m.graph.iter().flat_map(|g| &g.node) {
        let op = match n.domain() {
            "" | "ai.onnx" => n.op_type().to_string(),
            d => format!("{d}:{}", n.op_type()),
        };
        *c.entry(op).or_default() += 1;
    }
    c
}

#[test]
fn every_fixture_parses_validates_and_keeps_every_node() -> Result<()> {
    let reference: serde_json::Value =
        serde_json::from_slice(&std::fs::read(models_dir().join("../reference/reference.json"))?)?;
    let mut checked_against_reference = 0;
    for (rel, path) in onnx_fixtures()? {
        let g = parse_file(&path).with_context(|| rel.clone())?;
        g.validate().with_context(|| rel.clone())?;
        let m = decode_model(&path)?;
        let gp = m.graph.as_ref().context("no graph")?;
        let opset = m.opset_import.iter().find(|o| o.domain().is_empty()).map(|o| o.version());
        assert_eq!(Some(g.format.clone()), opset.map(|opset| SourceFormat::Onnx { opset }), "{rel}");
        assert_eq!(g.nodes.len(), gp.node.len(), "{rel}");
        assert_eq!(graph_counts(&g), file_counts(&m), "{rel}");
        assert!(g.nodes.iter().all(|n| !n.implied), "{rel}");
        // Graph inputs: the file's inputs that are not initializers, in order.
        let inits: std::collections::HashSet<&str> = gp.initializer.iter().map(|t| t.name()).collect();
        let real: Vec<&str> = gp.input.iter().map(|v| v.name()).filter(|n| !inits.contains(n)).collect();
        let ours: Vec<&str> = g.inputs.iter().map(|&i| g.tensor(i).name.as_str()).collect();
        assert_eq!(ours, real, "{rel}");
        // Initializers are constants with their declared shape.
        for t in &gp.initializer {
            let ours = g.tensors.iter().find(|x| x.name == t.name()).context("initializer lost")?;
            let dims: Vec<u64> = t.dims.iter().map(|&d| d as u64).collect();
            assert_eq!(ours.known_shape(), Some(dims), "{rel} {}", t.name());
            assert!(ours.is_const(), "{rel} {}", t.name());
        }
        // The independent reference (onnx-tool) counts the same operators.
        if let Some(counts) = reference.get(&rel).and_then(|r| r.get("op_counts")) {
            let want: BTreeMap<String, usize> = serde_json::from_value(counts.clone())?;
            assert_eq!(graph_counts(&g), want, "{rel} vs reference.json");
            checked_against_reference += 1;
        }
    }
    assert!(checked_against_reference >= 13, "{checked_against_reference}");
    Ok(())
}

#[test]
fn light_models_have_one_real_input_and_shape_constants() -> Result<()> {
    for (rel, path) in onnx_fixtures()?.into_iter().filter(|(r, _)| r.contains("/light_")) {
        let g = parse_file(&path)?;
        assert_eq!(g.format, SourceFormat::Onnx { opset: 9 }, "{rel}");
        assert_eq!(g.inputs.len(), 1, "{rel}");
        let input = g.tensor(g.inputs[0]);
        assert_eq!(input.known_shape(), Some(vec![1, 3, 224, 224]), "{rel}");
        assert_eq!(input.dtype, DType::F32, "{rel}");
        for n in g.nodes.iter().filter(|n| n.source_op == "ConstantOfShape") {
            let shape = g.tensor(n.input(0).context("ConstantOfShape without input")?);
            assert!(shape.ints().is_some_and(|v| !v.is_empty()), "{rel} {}", n.name);
            assert!(matches!(n.op, Op::ConstantOfShape { dtype: DType::F32, .. }), "{rel} {:?}", n.op);
            // Weights are computed, not constants: inference folds them.
            assert!(!g.tensor(n.outputs[0]).is_const());
        }
    }
    let g = parse_file(&fixture("onnx-light/light_bvlc_alexnet.onnx"))?;
    let conv1 = g.nodes.iter().find(|n| n.source_op == "Conv").context("no conv")?;
    let Op::Conv(c) = &conv1.op else { bail!("not a conv: {:?}", conv1.op) };
    assert_eq!((c.kernel.clone(), c.strides.clone()), (Some(vec![11, 11]), vec![4, 4]));
    assert_eq!((c.groups, c.weight_layout), (Some(1), WeightLayout::Oihw));
    let w = g.tensor(conv1.input(1).context("no weight")?);
    let shape_of_w =
        g.nodes.iter().find(|n| n.outputs.first() == conv1.input(1).as_ref()).context("no producer")?;
    assert_eq!(shape_of_w.source_op, "ConstantOfShape");
    assert_eq!(g.tensor(shape_of_w.input(0).context("no shape")?).ints(), Some(&[96i64, 3, 11, 11][..]));
    assert_eq!(w.shape, None);
    assert!(g.nodes.iter().any(|n| matches!(n.op, Op::Lrn { size: 5 })));
    assert!(g.nodes.iter().filter(|n| n.source_op == "Dropout").all(|n| n.op == Op::Identity));
    Ok(())
}

#[test]
fn weight_stripped_initializers_keep_their_shape() -> Result<()> {
    let g = parse_file(&fixture("onnx-light/nnlqp_resnet18-v1-7-no-weight.onnx"))?;
    assert_eq!(g.format, SourceFormat::Onnx { opset: 8 });
    let consts: Vec<_> = g.tensors.iter().filter(|t| t.is_const()).collect();
    assert_eq!(consts.len(), 102);
    assert!(consts.iter().all(|t| t.value == Some(ConstValue::Opaque) && t.known_shape().is_some()));
    let w = g.tensors.iter().find(|t| t.name == "resnetv15_conv0_weight").context("conv0 weight")?;
    assert_eq!((w.dtype, w.known_shape()), (DType::F32, Some(vec![64, 3, 7, 7])));
    Ok(())
}

#[test]
fn paddle_models_have_constant_nodes_and_dynamic_inputs() -> Result<()> {
    let cls = parse_file(&fixture("pypi-extracted/rapidocr_ch_ppocr_mobile_v2.0_cls_infer.onnx"))?;
    assert_eq!(cls.format, SourceFormat::Onnx { opset: 11 });
    let x = cls.tensor(cls.inputs[0]);
    let q = || Dim::Symbolic("?".into());
    assert_eq!(x.shape, Some(vec![q(), Dim::Known(3), q(), q()]));
    for g in [&cls, &parse_file(&fixture("pypi-extracted/rapidocr_ch_PP-OCRv4_det_infer.onnx"))?] {
        for n in g.nodes.iter().filter(|n| n.source_op == "Constant") {
            assert_eq!(n.op, Op::Constant);
            let t = g.tensor(n.outputs[0]);
            assert!(t.is_const() && t.known_shape().is_some(), "{}", n.name);
        }
    }
    let det_path = fixture("pypi-extracted/rapidocr_ch_PP-OCRv4_det_infer.onnx");
    let det = parse_file(&det_path)?;
    let x = det.tensor(det.inputs[0]);
    assert_eq!(x.shape.as_ref().map(|s| s[0].clone()), Some(Dim::Symbolic("p2o.DynamicDimension.0".into())));
    // Resize-12 [X, roi, scales(, sizes)] → [X, scales(, sizes)].
    let file = decode_model(&det_path)?;
    let file_resizes: Vec<&NodeProto> =
        file.graph.iter().flat_map(|g| &g.node).filter(|n| n.op_type() == "Resize").collect();
    let resizes: Vec<_> = det.nodes.iter().filter(|n| n.source_op == "Resize").collect();
    assert_eq!(resizes.len(), file_resizes.len());
    for (ours, theirs) in resizes.iter().zip(file_resizes) {
        let names: Vec<String> =
            ours.inputs.iter().map(|i| i.map(|i| det.tensor(i).name.clone()).unwrap_or_default()).collect();
        let mut want = theirs.input.clone();
        want.remove(1);
        assert_eq!(names, want, "{}", ours.name);
        assert!(matches!(ours.op, Op::Resize { scales: None, sizes: None, .. }));
    }
    // Clip-11 bounds stay inputs 1 and 2 (decoded scalar constants here).
    let clip = det.nodes.iter().find(|n| n.source_op == "Clip").context("no clip")?;
    assert_eq!(clip.op, Op::Unary(UnaryOp::Clip { min: None, max: None }));
    let bound = |i| clip.input(i).and_then(|t| det.tensor(t).scalar());
    assert_eq!((bound(1), bound(2)), (Some(0.0), Some(6.0)));
    Ok(())
}

#[test]
fn external_data_model_equals_its_inline_twin() -> Result<()> {
    let ext = parse_file(&fixture("generated/tinynet_extdata.onnx"))?;
    let inline = parse_file(&fixture("generated/tinynet_op13.onnx"))?;
    assert_eq!(ext.tensors, inline.tensors);
    assert_eq!(ext.nodes, inline.nodes);
    assert_eq!(ext.format, SourceFormat::Onnx { opset: 13 });
    let x = ext.tensor(ext.inputs[0]);
    assert_eq!(x.shape.as_ref().map(|s| s[0].clone()), Some(Dim::Symbolic("N".into())));
    // Small tensors were read from the side file, weights were not.
    let decoded = ext.tensors.iter().filter(|t| matches!(t.value, Some(ConstValue::Floats(_)))).count();
    let opaque = ext.tensors.iter().filter(|t| t.value == Some(ConstValue::Opaque)).count();
    assert!(decoded > 10 && opaque >= 4, "{decoded} {opaque}");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// External data: path checks

/// A fresh empty folder under the system temp folder.
fn temp_dir(tag: &str) -> Result<PathBuf> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "einf-onnx-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The external-data fixture with every external key `key` set to `value`, written with a copy
/// of its side file into a fresh folder; returns (model path, folder).
fn rewritten_extdata(key: &str, value: &str) -> Result<(PathBuf, PathBuf)> {
    let mut m = decode_model(&fixture("generated/tinynet_extdata.onnx"))?;
    let mut changed = 0;
    for t in m.graph.iter_mut().flat_map(|g| &mut g.initializer) {
        for kv in t.external_data.iter_mut().filter(|kv| kv.key() == key) {
            kv.value = Some(value.to_string());
            changed += 1;
        }
    }
    ensure!(changed > 0, "no external '{key}' in the fixture");
    let dir = temp_dir("ext")?;
    std::fs::copy(fixture("generated/tinynet_extdata.bin"), dir.join("tinynet_extdata.bin"))?;
    let path = dir.join("model.onnx");
    std::fs::write(&path, m.encode_to_vec())?;
    Ok((path, dir))
}

fn expect_external_error(result: einf_parser::Result<Graph>, what: &str) -> Result<()> {
    match result {
        Ok(_) => bail!("{what}: parsed, expected an external-data error"),
        Err(e) if matches!(e.kind, ErrorKind::ExternalData(_)) => {
            // Errors name the tensor.
            ensure!(e.to_string().contains("tensor '"), "{what}: {e}");
            Ok(())
        }
        Err(e) => bail!("{what}: wrong error {e:?}"),
    }
}

#[test]
fn external_data_is_confined_to_the_model_folder() -> Result<()> {
    // Control: the unchanged location parses from the copy.
    let (path, dir) = rewritten_extdata("location", "tinynet_extdata.bin")?;
    parse_file(&path)?;
    std::fs::remove_dir_all(dir)?;

    for bad in ["../x.bin", "/etc/passwd", "sub/../../x.bin", "..\\x.bin", "missing.bin", ""] {
        let (path, dir) = rewritten_extdata("location", bad)?;
        expect_external_error(parse_file(&path), bad)?;
        std::fs::remove_dir_all(dir)?;
    }
    // Offsets beyond the end of the side file, and a length that contradicts the shape.
    let (path, dir) = rewritten_extdata("offset", "214000")?;
    expect_external_error(parse_file(&path), "offset")?;
    std::fs::remove_dir_all(dir)?;
    let (path, dir) = rewritten_extdata("length", "4")?;
    expect_external_error(parse_file(&path), "length")?;
    std::fs::remove_dir_all(dir)?;
    // No model folder: external data cannot be read.
    let bytes = std::fs::read(fixture("generated/tinynet_extdata.onnx"))?;
    expect_external_error(parse(&bytes, "m", None), "no folder")?;
    Ok(())
}

#[cfg(unix)]
#[test]
fn external_data_links_leading_outside_are_refused() -> Result<()> {
    let outside = temp_dir("outside")?;
    std::fs::copy(fixture("generated/tinynet_extdata.bin"), outside.join("w.bin"))?;
    let (path, dir) = rewritten_extdata("location", "link.bin")?;
    std::os::unix::fs::symlink(outside.join("w.bin"), dir.join("link.bin"))?;
    expect_external_error(parse_file(&path), "symlink")?;
    std::fs::remove_dir_all(dir)?;
    std::fs::remove_dir_all(outside)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Hostile bytes

#[test]
fn truncated_files_are_errors() -> Result<()> {
    for (rel, path) in onnx_fixtures()? {
        let bytes = std::fs::read(&path)?;
        for k in 0..16 {
            let cut = bytes.len() * k / 16;
            let r = parse(&bytes[..cut], "cut", path.parent());
            assert!(r.is_err(), "{rel} cut at {cut} of {} parsed", bytes.len());
        }
    }
    Ok(())
}

/// xorshift64*: a deterministic byte source.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn random_bytes_are_errors() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..500 {
        let len = (rng.next() % 4096) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        assert!(parse(&bytes, "random", None).is_err(), "random buffer #{i} parsed");
    }
}

#[test]
fn mutated_fixtures_never_panic() -> Result<()> {
    let mut rng = Rng(42);
    for rel in ["onnx-light/light_bvlc_alexnet.onnx", "generated/tinynet_extdata.onnx"] {
        let path = fixture(rel);
        let bytes = std::fs::read(&path)?;
        for _ in 0..400 {
            let mut b = bytes.clone();
            for _ in 0..1 + rng.next() % 8 {
                let at = (rng.next() % b.len() as u64) as usize;
                b[at] = rng.next() as u8;
            }
            let _ = parse(&b, "mutant", path.parent());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// In-memory models

fn tensor_type(elem: DataType, dims: Option<&[i64]>) -> TypeProto {
    TypeProto {
        value: Some(type_proto::Value::TensorType(type_proto::Tensor {
            elem_type: Some(elem as i32),
            shape: dims.map(|d| TensorShapeProto {
                dim: d
                    .iter()
                    .map(|&v| Dimension { value: Some(dimension::Value::DimValue(v)), ..Default::default() })
                    .collect(),
            }),
        })),
        ..Default::default()
    }
}

fn vi(name: &str, elem: DataType, dims: Option<&[i64]>) -> ValueInfoProto {
    ValueInfoProto { name: Some(name.into()), r#type: Some(tensor_type(elem, dims)), ..Default::default() }
}

fn node(op: &str, inputs: &[&str], outputs: &[&str], attribute: Vec<AttributeProto>) -> NodeProto {
    NodeProto {
        name: outputs.first().map(|o| format!("n_{o}")),
        op_type: Some(op.into()),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: outputs.iter().map(|s| s.to_string()).collect(),
        attribute,
        ..Default::default()
    }
}

fn attr(name: &str, t: AttributeType) -> AttributeProto {
    AttributeProto { name: Some(name.into()), r#type: Some(t as i32), ..Default::default() }
}

fn a_int(name: &str, v: i64) -> AttributeProto {
    AttributeProto { i: Some(v), ..attr(name, AttributeType::Int) }
}

fn a_ints(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto { ints: v.to_vec(), ..attr(name, AttributeType::Ints) }
}

fn a_float(name: &str, v: f32) -> AttributeProto {
    AttributeProto { f: Some(v), ..attr(name, AttributeType::Float) }
}

fn a_floats(name: &str, v: &[f32]) -> AttributeProto {
    AttributeProto { floats: v.to_vec(), ..attr(name, AttributeType::Floats) }
}

fn a_str(name: &str, v: &str) -> AttributeProto {
    AttributeProto { s: Some(v.as_bytes().to_vec()), ..attr(name, AttributeType::String) }
}

fn a_tensor(name: &str, t: TensorProto) -> AttributeProto {
    AttributeProto { t: Some(t), ..attr(name, AttributeType::Tensor) }
}

fn init(name: &str, dt: DataType, dims: &[i64]) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        data_type: Some(dt as i32),
        dims: dims.to_vec(),
        ..Default::default()
    }
}

fn i64s(name: &str, v: &[i64]) -> TensorProto {
    TensorProto { int64_data: v.to_vec(), ..init(name, DataType::Int64, &[v.len() as i64]) }
}

fn f32s(name: &str, dims: &[i64], v: &[f32]) -> TensorProto {
    TensorProto { float_data: v.to_vec(), ..init(name, DataType::Float, dims) }
}

/// A model with input `x` [1,3,8,8] f32 and the given nodes, initializers and outputs.
fn model(opset: i64, nodes: Vec<NodeProto>, initializer: Vec<TensorProto>, outputs: &[&str]) -> Vec<u8> {
    ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto { domain: Some(String::new()), version: Some(opset) }],
        graph: Some(GraphProto {
            name: Some("t".into()),
            node: nodes,
            initializer,
            input: vec![vi("x", DataType::Float, Some(&[1, 3, 8, 8]))],
            output: outputs.iter().map(|o| vi(o, DataType::Float, None)).collect(),
            ..Default::default()
        }),
        ..Default::default()
    }
    .encode_to_vec()
}

fn parse_model(bytes: &[u8]) -> Result<Graph> {
    let g = parse(bytes, "mem", None)?;
    g.validate()?;
    Ok(g)
}

/// The node writing output `out`, and its input names (`""` for omitted ones).
fn node_of<'g>(g: &'g Graph, out: &str) -> Result<(&'g einf_parser::ir::Node, Vec<String>)> {
    let n = g
        .nodes
        .iter()
        .find(|n| n.outputs.iter().any(|&o| g.tensor(o).name == out))
        .with_context(|| format!("no node writes '{out}'"))?;
    let names = n.inputs.iter().map(|i| i.map(|i| g.tensor(i).name.clone()).unwrap_or_default()).collect();
    Ok((n, names))
}

#[test]
fn opset13_arguments_are_inputs() -> Result<()> {
    let nodes = vec![
        node("Unsqueeze", &["x", "ax0"], &["u"], vec![]),
        node("Squeeze", &["u", "ax0"], &["s"], vec![]),
        node("Clip", &["s", "lo", "hi"], &["c"], vec![]),
        node("Pad", &["c", "pads"], &["p"], vec![a_str("mode", "reflect")]),
        node("Resize", &["p", "roi", "scales"], &["r"], vec![a_str("mode", "linear")]),
        node("Resize", &["p", "", "", "sizes"], &["r2"], vec![]),
        node("Clip", &["r", "", "hi"], &["c2"], vec![]),
        node("ReduceSum", &["c2", "ax0"], &["rs"], vec![a_int("keepdims", 0)]),
        node("ReduceMean", &["c2"], &["rm"], vec![a_ints("axes", &[2, 3])]),
        node("Split", &["x", "split"], &["s0", "s1"], vec![a_int("axis", 1)]),
        node("Slice", &["x", "st", "en", "ax0", "stp"], &["sl"], vec![]),
        node("Reshape", &["x", "shape"], &["rh"], vec![]),
        node("Softmax", &["x"], &["sm"], vec![]),
    ];
    let inits = vec![
        i64s("ax0", &[0]),
        f32s("lo", &[], &[0.0]),
        f32s("hi", &[], &[6.0]),
        i64s("pads", &[0, 0, 1, 1, 0, 0, 1, 1]),
        f32s("roi", &[0], &[]),
        f32s("scales", &[4], &[1.0, 1.0, 2.0, 2.0]),
        i64s("sizes", &[1, 3, 16, 16]),
        i64s("split", &[1, 2]),
        i64s("st", &[0]),
        i64s("en", &[1]),
        i64s("stp", &[1]),
        i64s("shape", &[1, -1]),
    ];
    let outs = ["rs", "rm", "r2", "s0", "s1", "sl", "rh", "sm"];
    let g = parse_model(&model(13, nodes, inits, &outs))?;
    assert_eq!(g.format, SourceFormat::Onnx { opset: 13 });
    let check = |out: &str, op: Op, inputs: &[&str]| -> Result<()> {
        let (n, names) = node_of(&g, out)?;
        assert_eq!(n.op, op, "{out}");
        assert_eq!(names, inputs, "{out}");
        Ok(())
    };
    check("u", Op::Unsqueeze { axes: None }, &["x", "ax0"])?;
    check("s", Op::Squeeze { axes: None }, &["u", "ax0"])?;
    check("c", Op::Unary(UnaryOp::Clip { min: None, max: None }), &["s", "lo", "hi"])?;
    check("p", Op::Pad { pads: None, pairs: false, mode: PadMode::Reflect }, &["c", "pads"])?;
    let resize = |mode| Op::Resize { mode, scales: None, sizes: None };
    check("r", resize(ResizeMode::Linear), &["p", "scales"])?;
    check("r2", resize(ResizeMode::Nearest), &["p", "", "sizes"])?;
    check("c2", Op::Unary(UnaryOp::Clip { min: None, max: None }), &["r", "", "hi"])?;
    let reduce = |kind, axes, keepdims| Op::Reduce { kind, axes, keepdims, noop_with_empty_axes: false };
    check("rs", reduce(ReduceKind::Sum, None, false), &["c2", "ax0"])?;
    check("rm", reduce(ReduceKind::Mean, Some(vec![2, 3]), true), &["c2"])?;
    check("s0", Op::Split { axis: 1, split: None }, &["x", "split"])?;
    let slice = Op::Slice { starts: None, ends: None, axes: None, steps: None, sizes_not_ends: false };
    check("sl", slice, &["x", "st", "en", "ax0", "stp"])?;
    check("rh", Op::Reshape { shape: None, allowzero: false }, &["x", "shape"])?;
    check("sm", Op::Softmax { axis: -1, log: false }, &["x"])?;
    // Omitted optional inputs are `None`, not tensors.
    let (n, _) = node_of(&g, "c2")?;
    assert_eq!(n.inputs.len(), 3);
    assert!(n.inputs[1].is_none());
    Ok(())
}

#[test]
fn old_opset_attributes_fill_op_fields() -> Result<()> {
    let nodes = vec![
        node("Squeeze", &["x"], &["s"], vec![a_ints("axes", &[0])]),
        node("Unsqueeze", &["s"], &["u"], vec![a_ints("axes", &[0])]),
        node("Clip", &["u"], &["c"], vec![a_float("min", 0.0), a_float("max", 6.0)]),
        node("Pad", &["c"], &["p"], vec![a_ints("pads", &[0, 0, 1, 1, 0, 0, 1, 1]), a_float("value", 0.0)]),
        node("Upsample", &["p", "scales"], &["up"], vec![a_str("mode", "nearest")]),
        node(
            "Slice",
            &["x"],
            &["sl"],
            vec![a_ints("starts", &[0]), a_ints("ends", &[1]), a_ints("axes", &[1])],
        ),
        node("Split", &["x"], &["s0", "s1"], vec![a_int("axis", 1), a_ints("split", &[1, 2])]),
        node("ReduceMean", &["x"], &["rm"], vec![a_ints("axes", &[2, 3])]),
        node("Softmax", &["x"], &["sm"], vec![]),
        node("Dropout", &["x"], &["d", "mask"], vec![a_float("ratio", 0.5)]),
    ];
    let inits = vec![f32s("scales", &[4], &[1.0, 1.0, 2.0, 2.0])];
    let g = parse_model(&model(9, nodes, inits, &["up", "sl", "s0", "s1", "rm", "sm", "d", "mask"]))?;
    assert_eq!(node_of(&g, "s")?.0.op, Op::Squeeze { axes: Some(vec![0]) });
    assert_eq!(node_of(&g, "u")?.0.op, Op::Unsqueeze { axes: Some(vec![0]) });
    assert_eq!(node_of(&g, "c")?.0.op, Op::Unary(UnaryOp::Clip { min: Some(0.0), max: Some(6.0) }));
    let pads = Some(vec![0, 0, 1, 1, 0, 0, 1, 1]);
    assert_eq!(node_of(&g, "p")?.0.op, Op::Pad { pads, pairs: false, mode: PadMode::Constant });
    let (up, up_in) = node_of(&g, "up")?;
    assert_eq!(up.op, Op::Resize { mode: ResizeMode::Nearest, scales: None, sizes: None });
    assert_eq!(up_in, ["p", "scales"]);
    let slice = Op::Slice {
        starts: Some(vec![0]),
        ends: Some(vec![1]),
        axes: Some(vec![1]),
        steps: None,
        sizes_not_ends: false,
    };
    assert_eq!(node_of(&g, "sl")?.0.op, slice);
    assert_eq!(node_of(&g, "s1")?.0.op, Op::Split { axis: 1, split: Some(vec![1, 2]) });
    let (sm, _) = node_of(&g, "sm")?;
    assert_eq!(sm.op, Op::Softmax { axis: 1, log: false });
    let (d, _) = node_of(&g, "mask")?;
    assert_eq!((d.op.clone(), d.outputs.len()), (Op::Identity, 2));

    // Upsample-7: scales is an attribute; Resize-10: [X, scales].
    let up7 = node(
        "Upsample",
        &["x"],
        &["up"],
        vec![a_str("mode", "bilinear"), a_floats("scales", &[1.0, 1.0, 2.0, 2.0])],
    );
    let g = parse_model(&model(7, vec![up7], vec![], &["up"]))?;
    let (n, names) = node_of(&g, "up")?;
    assert_eq!(
        n.op,
        Op::Resize { mode: ResizeMode::Linear, scales: Some(vec![1.0, 1.0, 2.0, 2.0]), sizes: None }
    );
    assert_eq!(names, ["x"]);
    let r10 = node("Resize", &["x", "scales"], &["r"], vec![]);
    let g = parse_model(&model(10, vec![r10], vec![f32s("scales", &[4], &[1.0, 1.0, 2.0, 2.0])], &["r"]))?;
    assert_eq!(node_of(&g, "r")?.1, ["x", "scales"]);
    Ok(())
}

#[test]
fn window_and_linear_attributes() -> Result<()> {
    let w = init("w", DataType::Float, &[8, 3, 3, 3]);
    let wt = init("wt", DataType::Float, &[3, 4, 2, 2]);
    let fc = init("fc", DataType::Float, &[10, 48]);
    let nodes = vec![
        node(
            "Conv",
            &["x", "w"],
            &["c"],
            vec![
                a_ints("kernel_shape", &[3, 3]),
                a_ints("strides", &[2, 2]),
                a_str("auto_pad", "SAME_LOWER"),
            ],
        ),
        node("Conv", &["x", "w"], &["c0"], vec![a_ints("dilations", &[2, 2])]),
        node(
            "ConvTranspose",
            &["x", "wt"],
            &["ct"],
            vec![
                a_ints("strides", &[2, 2]),
                a_ints("output_padding", &[1, 1]),
                a_ints("pads", &[0, 0, 1, 1]),
            ],
        ),
        node("LpPool", &["x"], &["lp"], vec![a_ints("kernel_shape", &[2, 2]), a_str("auto_pad", "VALID")]),
        node("AveragePool", &["x"], &["ap"], vec![a_ints("kernel_shape", &[3, 3]), a_int("ceil_mode", 1)]),
        node("GlobalMaxPool", &["x"], &["gm"], vec![]),
        node("Flatten", &["x"], &["f"], vec![]),
        node("Gemm", &["f", "fc"], &["g"], vec![a_int("transB", 1), a_float("alpha", 2.0)]),
        node("MatMul", &["x", "x"], &["mm"], vec![]),
        node("Cast", &["x"], &["i"], vec![a_int("to", DataType::Int8 as i64)]),
        node("HardSigmoid", &["x"], &["hs"], vec![a_float("alpha", 0.25)]),
        node("LeakyRelu", &["x"], &["lr"], vec![]),
        node("Sum", &["x", "x", "x"], &["sum3"], vec![]),
        node("Max", &["x"], &["max1"], vec![]),
        node("Greater", &["x", "x"], &["gt"], vec![]),
        node("Exp", &["x"], &["e"], vec![]),
        node("ArgMax", &["x"], &["am"], vec![a_int("axis", 1), a_int("keepdims", 0)]),
        node("LogSoftmax", &["x"], &["ls"], vec![a_int("axis", 2)]),
    ];
    let outs = [
        "c", "c0", "ct", "lp", "ap", "gm", "g", "mm", "i", "hs", "lr", "sum3", "max1", "gt", "e", "am", "ls",
    ];
    let g = parse_model(&model(11, nodes, vec![w, wt, fc], &outs))?;
    let Op::Conv(c) = &node_of(&g, "c")?.0.op else { bail!("c") };
    assert_eq!(
        (c.kernel.clone(), c.strides.clone(), &c.padding),
        (Some(vec![3, 3]), vec![2, 2], &Padding::SameLower)
    );
    assert_eq!((c.groups, c.weight_layout), (Some(1), WeightLayout::Oihw));
    let Op::Conv(c0) = &node_of(&g, "c0")?.0.op else { bail!("c0") };
    assert_eq!(
        (&c0.kernel, &c0.padding, &c0.dilations),
        (&None, &Padding::Explicit(vec![0; 4]), &vec![2, 2])
    );
    let Op::ConvTranspose(ct) = &node_of(&g, "ct")?.0.op else { bail!("ct") };
    assert_eq!(ct.weight_layout, WeightLayout::Iohw);
    assert_eq!(
        (&ct.output_padding, &ct.padding, &ct.output_shape),
        (&vec![1, 1], &Padding::Explicit(vec![0, 0, 1, 1]), &None)
    );
    let Op::Pool(lp) = &node_of(&g, "lp")?.0.op else { bail!("lp") };
    assert_eq!((lp.kind, lp.global, &lp.padding), (PoolKind::L2, false, &Padding::Valid));
    let Op::Pool(ap) = &node_of(&g, "ap")?.0.op else { bail!("ap") };
    assert_eq!((ap.kind, ap.ceil_mode, &ap.kernel), (PoolKind::Avg, true, &vec![3, 3]));
    let Op::Pool(gm) = &node_of(&g, "gm")?.0.op else { bail!("gm") };
    assert_eq!((gm.kind, gm.global), (PoolKind::Max, true));
    assert_eq!(node_of(&g, "f")?.0.op, Op::Flatten { axis: 1 });
    let gemm = Op::Gemm { trans_a: false, trans_b: true, flatten_rows: false, keep_num_dims: false };
    assert_eq!(node_of(&g, "g")?.0.op, gemm);
    assert_eq!(node_of(&g, "mm")?.0.op, Op::MatMul { adj_a: false, adj_b: false });
    assert_eq!(node_of(&g, "i")?.0.op, Op::Cast { to: DType::I8 });
    assert_eq!(node_of(&g, "hs")?.0.op, Op::Unary(UnaryOp::HardSigmoid { alpha: 0.25, beta: 0.5 }));
    let Op::Unary(UnaryOp::LeakyRelu { alpha }) = node_of(&g, "lr")?.0.op else { bail!("lr") };
    assert!((alpha - 0.01).abs() < 1e-12);
    let (sum3, names) = node_of(&g, "sum3")?;
    assert_eq!((&sum3.op, names.len()), (&Op::Binary(BinaryOp::Add), 3));
    assert_eq!(node_of(&g, "max1")?.0.op, Op::Identity);
    assert_eq!(node_of(&g, "gt")?.0.op, Op::Binary(BinaryOp::Compare));
    assert_eq!(node_of(&g, "e")?.0.op, Op::Unary(UnaryOp::Math("Exp".into())));
    let am = Op::Reduce {
        kind: ReduceKind::ArgMax,
        axes: Some(vec![1]),
        keepdims: false,
        noop_with_empty_axes: false,
    };
    assert_eq!(node_of(&g, "am")?.0.op, am);
    assert_eq!(node_of(&g, "ls")?.0.op, Op::Softmax { axis: 2, log: true });
    Ok(())
}

#[test]
fn constants_and_constant_of_shape() -> Result<()> {
    let shape = i64s("shape", &[2, 3]);
    let nodes = vec![
        node("Constant", &[], &["k_floats"], vec![a_floats("value_floats", &[1.5, 2.5])]),
        node("Constant", &[], &["k_int"], vec![a_int("value_int", 7)]),
        node("Constant", &[], &["k_t"], vec![a_tensor("value", i64s("", &[4, 5, 6]))]),
        node("ConstantOfShape", &["shape"], &["cos"], vec![a_tensor("value", i64s("v", &[3]))]),
        node("ConstantOfShape", &["shape"], &["cos0"], vec![]),
    ];
    let g = parse_model(&model(13, nodes, vec![shape], &["k_floats", "k_int", "k_t", "cos", "cos0"]))?;
    let out = |name: &str| g.tensors.iter().find(|t| t.name == name).context("missing");
    let k = out("k_floats")?;
    assert_eq!((k.dtype, k.known_shape(), k.floats()), (DType::F32, Some(vec![2]), Some(vec![1.5, 2.5])));
    let k = out("k_int")?;
    assert_eq!((k.dtype, k.known_shape(), k.ints()), (DType::I64, Some(vec![]), Some(&[7i64][..])));
    let k = out("k_t")?;
    assert_eq!((k.known_shape(), k.ints()), (Some(vec![3]), Some(&[4i64, 5, 6][..])));
    assert!(g.nodes.iter().filter(|n| n.source_op == "Constant").all(|n| n.op == Op::Constant));
    assert_eq!(node_of(&g, "cos")?.0.op, Op::ConstantOfShape { value: 3.0, dtype: DType::I64 });
    assert_eq!(node_of(&g, "cos0")?.0.op, Op::ConstantOfShape { value: 0.0, dtype: DType::F32 });
    assert!(!out("cos")?.is_const());
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Constant decoding

/// Parse a model whose outputs are the given initializers; returns the graph.
fn with_initializers(inits: Vec<TensorProto>) -> Result<Graph> {
    let names: Vec<String> = inits.iter().map(|t| t.name().to_string()).collect();
    let outs: Vec<&str> = names.iter().map(String::as_str).collect();
    parse_model(&model(13, vec![], inits, &outs))
}

fn value_of(g: &Graph, name: &str) -> Result<ConstValue> {
    g.tensors.iter().find(|t| t.name == name).and_then(|t| t.value.clone()).context("no value")
}

#[test]
fn raw_data_and_typed_fields_decode_alike() -> Result<()> {
    let le = |v: &[u8]| Some(v.to_vec());
    let cases: Vec<(DataType, TensorProto, Vec<u8>, ConstValue)> = vec![
        (
            DataType::Float,
            TensorProto { float_data: vec![1.5, -2.0], ..Default::default() },
            [1.5f32, -2.0].iter().flat_map(|v| v.to_le_bytes()).collect(),
            ConstValue::Floats(vec![1.5, -2.0]),
        ),
        (
            DataType::Double,
            TensorProto { double_data: vec![0.25, 1e300], ..Default::default() },
            [0.25f64, 1e300].iter().flat_map(|v| v.to_le_bytes()).collect(),
            ConstValue::Floats(vec![0.25, 1e300]),
        ),
        (
            DataType::Float16,
            TensorProto { int32_data: vec![0x3c00, 0xc100], ..Default::default() },
            vec![0x00, 0x3c, 0x00, 0xc1],
            ConstValue::Floats(vec![1.0, -2.5]),
        ),
        (
            DataType::Bfloat16,
            TensorProto { int32_data: vec![0x3f80, 0xc0a0], ..Default::default() },
            vec![0x80, 0x3f, 0xa0, 0xc0],
            ConstValue::Floats(vec![1.0, -5.0]),
        ),
        (
            DataType::Int8,
            TensorProto { int32_data: vec![-3, 127], ..Default::default() },
            vec![0xfd, 0x7f],
            ConstValue::Ints(vec![-3, 127]),
        ),
        (
            DataType::Uint8,
            TensorProto { int32_data: vec![0, 255], ..Default::default() },
            vec![0, 255],
            ConstValue::Ints(vec![0, 255]),
        ),
        (
            DataType::Bool,
            TensorProto { int32_data: vec![1, 0], ..Default::default() },
            vec![1, 0],
            ConstValue::Ints(vec![1, 0]),
        ),
        (
            DataType::Int16,
            TensorProto { int32_data: vec![-300, 2], ..Default::default() },
            [-300i16, 2].iter().flat_map(|v| v.to_le_bytes()).collect(),
            ConstValue::Ints(vec![-300, 2]),
        ),
        (
            DataType::Uint16,
            TensorProto { int32_data: vec![65535, 2], ..Default::default() },
            [65535u16, 2].iter().flat_map(|v| v.to_le_bytes()).collect(),
            ConstValue::Ints(vec![65535, 2]),
        ),
        (
            DataType::Int32,
            TensorProto { int32_data: vec![-7, 1 << 30], ..Default::default() },
            [-7i32, 1 << 30].iter().flat_map(|v| v.to_le_bytes()).collect(),
            ConstValue::Ints(vec![-7, 1 << 30]),
        ),
        (
            DataType::Int64,
            TensorProto { int64_data: vec![-1, 1 << 40], ..Default::default() },
            [-1i64, 1 << 40].iter().flat_map(|v| v.to_le_bytes()).collect(),
            ConstValue::Ints(vec![-1, 1 << 40]),
        ),
        (
            DataType::Uint32,
            TensorProto { uint64_data: vec![4_000_000_000, 1], ..Default::default() },
            [4_000_000_000u32, 1].iter().flat_map(|v| v.to_le_bytes()).collect(),
            ConstValue::Ints(vec![4_000_000_000, 1]),
        ),
        (
            DataType::Uint64,
            TensorProto { uint64_data: vec![1 << 62, 3], ..Default::default() },
            [1u64 << 62, 3].iter().flat_map(|v| v.to_le_bytes()).collect(),
            ConstValue::Ints(vec![1 << 62, 3]),
        ),
    ];
    for (dt, typed, raw, want) in cases {
        let typed =
            TensorProto { name: Some("typed".into()), data_type: Some(dt as i32), dims: vec![2], ..typed };
        let raw = TensorProto { raw_data: le(&raw), ..init("raw", dt, &[2]) };
        let g = with_initializers(vec![typed, raw])?;
        assert_eq!(value_of(&g, "typed")?, want, "{dt:?} typed");
        assert_eq!(value_of(&g, "raw")?, want, "{dt:?} raw");
    }
    Ok(())
}

#[test]
fn float16_raw_scalar() -> Result<()> {
    // 0x3555 is the half nearest 1/3; 0xfbff is -65504, the most negative finite half.
    let g = with_initializers(vec![
        TensorProto { raw_data: Some(vec![0x55, 0x35]), ..init("third", DataType::Float16, &[]) },
        TensorProto { raw_data: Some(vec![0xff, 0xfb]), ..init("lowest", DataType::Float16, &[]) },
    ])?;
    let t = g.tensors.iter().find(|t| t.name == "third").context("third")?;
    assert_eq!((t.dtype, t.known_shape(), t.scalar()), (DType::F16, Some(vec![]), Some(0.333251953125)));
    assert_eq!(value_of(&g, "lowest")?, ConstValue::Floats(vec![-65504.0]));
    Ok(())
}

#[test]
fn large_float_tensors_stay_opaque_and_integers_are_decoded() -> Result<()> {
    let big = TensorProto { raw_data: Some(vec![0; 65 * 4]), ..init("big", DataType::Float, &[65]) };
    let ints: Vec<i64> = (0..1000).collect();
    let many = i64s("many", &ints);
    let g = with_initializers(vec![big, many])?;
    assert_eq!(value_of(&g, "big")?, ConstValue::Opaque);
    assert_eq!(value_of(&g, "many")?, ConstValue::Ints(ints));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Structure and errors

#[test]
fn bad_tensors_are_format_errors_naming_them() -> Result<()> {
    let short = TensorProto { raw_data: Some(vec![0; 7]), ..init("short_w", DataType::Float, &[2]) };
    let negative = init("neg_w", DataType::Float, &[2, -1]);
    for (t, name) in [(short, "short_w"), (negative, "neg_w")] {
        let e = with_initializers(vec![t]).err().context("parsed")?;
        let e = e.downcast::<einf_parser::Error>()?;
        assert!(matches!(e.kind, ErrorKind::Format(_)), "{e:?}");
        assert!(e.to_string().contains(name), "{e}");
    }
    Ok(())
}

#[test]
fn graph_structure_rules() -> Result<()> {
    // Unnamed nodes get "<op_type>_<index>"; foreign domains and control flow are unsupported
    // and keep the shape declared for their outputs; other tensors get only the declared type.
    let mut ms = node("FusedConv", &["x"], &["f"], vec![]);
    ms.domain = Some("com.microsoft".into());
    ms.name = None;
    let mut relu = node("Relu", &["f"], &["r"], vec![]);
    relu.name = None;
    let mut if_node = node("If", &["cond"], &["y"], vec![]);
    if_node
        .attribute
        .push(AttributeProto { g: Some(GraphProto::default()), ..attr("then_branch", AttributeType::Graph) });
    let sigmoid = node("Sigmoid", &["r"], &["z"], vec![]);
    let nodes = vec![ms, relu, if_node, sigmoid];
    let mut m = ModelProto::decode(
        model(13, nodes, vec![init("cond", DataType::Bool, &[])], &["z", "y"]).as_slice(),
    )?;
    let gp = m.graph.as_mut().context("graph")?;
    gp.value_info.push(vi("f", DataType::Float, Some(&[1, 8, 4, 4])));
    gp.value_info.push(vi("r", DataType::Float16, Some(&[1, 8, 4, 4])));
    let g = parse_model(&m.encode_to_vec())?;
    let (f, _) = node_of(&g, "f")?;
    assert_eq!((f.name.as_str(), f.source_op.as_str()), ("FusedConv_0", "com.microsoft:FusedConv"));
    assert_eq!(f.op, Op::Unsupported { name: "com.microsoft:FusedConv".into() });
    let (r, _) = node_of(&g, "r")?;
    assert_eq!(r.name, "Relu_1");
    assert_eq!(node_of(&g, "y")?.0.op, Op::Unsupported { name: "If".into() });
    let t = |name: &str| g.tensors.iter().find(|t| t.name == name).context("missing");
    assert_eq!(t("f")?.known_shape(), Some(vec![1, 8, 4, 4]));
    assert_eq!((t("r")?.dtype, &t("r")?.shape), (DType::F16, &None));
    assert_eq!((t("z")?.dtype, &t("z")?.shape), (DType::F32, &None));
    assert_eq!(g.name, "mem");

    // An output name written twice is a graph error naming the node.
    let twice = vec![node("Relu", &["x"], &["a"], vec![]), node("Sigmoid", &["x"], &["a"], vec![])];
    let e = parse(&model(13, twice, vec![], &["a"]), "m", None).err().context("parsed")?;
    assert!(matches!(e.kind, ErrorKind::Graph(_)), "{e:?}");
    assert_eq!(e.node.as_deref(), Some("n_a"));
    assert!(e.to_string().contains("'a'"), "{e}");
    // So is an output named like an initializer.
    let shadow = vec![node("Relu", &["x"], &["w"], vec![])];
    let e = parse(&model(13, shadow, vec![i64s("w", &[1])], &["w"]), "m", None).err().context("parsed")?;
    assert!(matches!(e.kind, ErrorKind::Graph(_)), "{e:?}");
    // A cycle names a node on it.
    let cycle = vec![node("Relu", &["b"], &["a"], vec![]), node("Relu", &["a"], &["b"], vec![])];
    let e = parse(&model(13, cycle, vec![], &["b"]), "m", None).err().context("parsed")?;
    assert!(matches!(e.kind, ErrorKind::Cycle) && e.node.is_some(), "{e:?}");
    // A dangling input.
    let dangling = vec![node("Add", &["x", "nowhere"], &["a"], vec![])];
    let e = parse(&model(13, dangling, vec![], &["a"]), "m", None).err().context("parsed")?;
    assert!(matches!(e.kind, ErrorKind::DanglingEdge { .. }), "{e:?}");
    // Bad attributes name the node and the attribute.
    let bad = vec![node("Conv", &["x", "x"], &["c"], vec![a_str("auto_pad", "SIDEWAYS")])];
    let e = parse(&model(13, bad, vec![], &["c"]), "m", None).err().context("parsed")?;
    assert_eq!(e.node.as_deref(), Some("n_c"));
    assert!(e.to_string().contains("auto_pad"), "{e}");
    let bad = vec![node("Conv", &["x", "x"], &["c"], vec![a_ints("strides", &[0, 1])])];
    assert!(parse(&model(13, bad, vec![], &["c"]), "m", None).is_err());
    Ok(())
}

#[test]
fn names_with_control_characters_print_on_one_line() -> Result<()> {
    // A newline in a tensor, node or dim name is escaped in the graph and in errors.
    let mut relu = node("Relu", &["x"], &["a\nb"], vec![]);
    relu.name = Some("relu\n1".into());
    let mut m = ModelProto::decode(model(13, vec![relu], vec![], &["a\nb"]).as_slice())?;
    let gp = m.graph.as_mut().context("graph")?;
    if let Some(type_proto::Value::TensorType(t)) = gp.input[0].r#type.as_mut().and_then(|t| t.value.as_mut())
        && let Some(d) = t.shape.as_mut().and_then(|s| s.dim.first_mut())
    {
        d.value = Some(dimension::Value::DimParam("batch\r".into()));
    }
    let g = parse_model(&m.encode_to_vec())?;
    assert!(g.tensors.iter().any(|t| t.name == "a\\nb"), "{:?}", g.tensors);
    assert_eq!(g.nodes[0].name, "relu\\n1");
    assert_eq!(
        g.tensor(g.inputs[0]).shape.as_ref().map(|s| s[0].clone()),
        Some(Dim::Symbolic("batch\\r".into()))
    );
    for bad in [
        vec![node("Add", &["x", "no\nwhere"], &["y"], vec![])],
        vec![node("Conv", &["x", "x"], &["y"], vec![a_str("auto_pad", "SAME\nUPPER")])],
        vec![node("Relu", &["x"], &["y"], vec![]), node("Relu\n", &["x"], &["y"], vec![])],
    ] {
        let e = parse(&model(13, bad, vec![], &["y"]), "m", None).err().context("parsed")?;
        assert!(!e.to_string().contains(['\n', '\r']), "{e}");
    }
    Ok(())
}

#[test]
fn input_dims_and_opset_rules() -> Result<()> {
    let dim = |v: dimension::Value| Dimension { value: Some(v), ..Default::default() };
    let mut m =
        ModelProto::decode(model(13, vec![node("Relu", &["x"], &["y"], vec![])], vec![], &["y"]).as_slice())?;
    let gp = m.graph.as_mut().context("graph")?;
    gp.input[0].r#type = Some(TypeProto {
        value: Some(type_proto::Value::TensorType(type_proto::Tensor {
            elem_type: Some(DataType::Float as i32),
            shape: Some(TensorShapeProto {
                dim: vec![
                    dim(dimension::Value::DimParam("batch".into())),
                    dim(dimension::Value::DimValue(-1)),
                    Dimension::default(),
                    dim(dimension::Value::DimValue(8)),
                ],
            }),
        })),
        ..Default::default()
    });
    let g = parse_model(&m.encode_to_vec())?;
    let s = |x: &str| Dim::Symbolic(x.into());
    assert_eq!(g.tensor(g.inputs[0]).shape, Some(vec![s("batch"), s("?"), s("?"), Dim::Known(8)]));

    // A declared input shape of more than 2^64 elements is refused.
    let huge = 1i64 << 40;
    let mut absurd = m.clone();
    absurd.graph.as_mut().context("graph")?.input[0] = vi("x", DataType::Float, Some(&[huge, huge]));
    let e = parse(&absurd.encode_to_vec(), "m", None).err().context("parsed")?;
    assert!(matches!(e.kind, ErrorKind::Limit(_)) && e.to_string().contains("'x'"), "{e:?}");

    // Opsets outside 7..=27 and models without a default-domain opset are refused.
    assert!(parse(&model(27, vec![], vec![], &[]), "m", None).is_ok());
    for opset in [6, 28] {
        let e = parse(&model(opset, vec![], vec![], &[]), "m", None).err().context("parsed")?;
        assert!(matches!(e.kind, ErrorKind::Format(_)), "{opset}: {e:?}");
    }
    m.opset_import = vec![OperatorSetIdProto { domain: Some("ai.onnx".into()), version: Some(17) }];
    assert_eq!(parse_model(&m.encode_to_vec())?.format, SourceFormat::Onnx { opset: 17 });
    m.opset_import = vec![OperatorSetIdProto { domain: Some("com.microsoft".into()), version: Some(1) }];
    assert!(parse(&m.encode_to_vec(), "m", None).is_err());
    // Not protobuf at all.
    let e = parse(b"\xff\xff\xff", "m", None).err().context("parsed")?;
    assert!(matches!(e.kind, ErrorKind::Decode { format: "ONNX", .. }), "{e:?}");
    Ok(())
}

#[test]
fn external_tensor_in_memory_model() -> Result<()> {
    // A tensor of the in-memory model points into a side file written next to it.
    let dir = temp_dir("mem")?;
    std::fs::write(dir.join("side.bin"), [0u8, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0])?;
    let kv = |k: &str, v: &str| StringStringEntryProto { key: Some(k.into()), value: Some(v.into()) };
    let t = TensorProto {
        data_location: Some(DataLocation::External as i32),
        external_data: vec![kv("location", "side.bin"), kv("offset", "4"), kv("length", "16")],
        ..init("ext", DataType::Int64, &[2])
    };
    let bytes = model(13, vec![], vec![t], &["ext"]);
    let g = parse(&bytes, "m", Some(&dir))?;
    assert_eq!(value_of(&g, "ext")?, ConstValue::Ints(vec![3, 4]));
    std::fs::remove_dir_all(dir)?;
    Ok(())
}
