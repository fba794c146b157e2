//! Hostile input never panics: truncated, bit-flipped, random, deeply nested, cyclic,
//! dangling-edge, absurd-dim and path-escaping files each give a named error with the file (and
//! the node where known).
#![cfg(feature = "onnx")]
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test helpers stop on broken fixtures

use einf_parser::onnx::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto,
    TensorProto, TensorShapeProto, TypeProto, ValueInfoProto, tensor_proto, tensor_shape_proto, type_proto,
};
use einf_parser::{ErrorKind, load_model};
use prost::Message;
use std::path::{Path, PathBuf};

#[path = "support/xorshift.rs"]
mod xorshift;
use xorshift::XorShift;

fn fixtures() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/models");
    let mut out = Vec::new();
    for group in std::fs::read_dir(&dir).expect("fixtures") {
        let group = group.expect("entry").path();
        if !group.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&group).expect("group") {
            let f = f.expect("entry").path();
            if matches!(f.extension().and_then(|e| e.to_str()), Some("onnx" | "tflite")) {
                out.push(f);
            }
        }
    }
    out.sort();
    out
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("einf-hostile-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// Load a file that must fail, and check the error names it.
fn expect_err(path: &Path) -> einf_parser::Error {
    match load_model(path, &[]) {
        Ok(_) => panic!("{} loaded but should not", path.display()),
        Err(e) => {
            let msg = e.to_string();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            assert!(msg.contains(name), "error does not name the file: {msg}");
            assert!(!msg.contains('\n'), "multi-line error: {msg}");
            e
        }
    }
}

/// Load a file that may or may not parse; it must not panic, and an error must name the file.
fn no_panic(path: &Path) {
    if let Err(e) = load_model(path, &[]) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(e.to_string().contains(name), "{e}");
    }
}

#[test]
fn truncated_fixtures_are_errors() {
    let dir = scratch("trunc");
    for f in fixtures() {
        let bytes = std::fs::read(&f).expect("read");
        let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("onnx");
        for i in 1..=16 {
            let cut = bytes.len() * i / 17;
            let p = dir.join(format!("cut{i}.{ext}"));
            std::fs::write(&p, &bytes[..cut]).expect("write");
            let e = expect_err(&p);
            assert!(!matches!(e.kind, ErrorKind::Io(_)), "{e}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn bit_flipped_fixtures_never_panic() {
    let dir = scratch("flip");
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for f in fixtures() {
        let bytes = std::fs::read(&f).expect("read");
        let ext = f.extension().and_then(|e| e.to_str()).unwrap_or("onnx");
        for round in 0..8 {
            let mut b = bytes.clone();
            for _ in 0..16 {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            let p = dir.join(format!("flip{round}.{ext}"));
            std::fs::write(&p, &b).expect("write");
            no_panic(&p);
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn random_bytes_are_errors() {
    let dir = scratch("rand");
    let mut rng = XorShift(42);
    for (i, len) in [0usize, 1, 7, 8, 64, 4096, 100_000].into_iter().enumerate() {
        for ext in ["onnx", "tflite"] {
            let mut b: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            if ext == "tflite" && b.len() >= 8 {
                b[4..8].copy_from_slice(b"TFL3");
            }
            let p = dir.join(format!("rand{i}.{ext}"));
            std::fs::write(&p, &b).expect("write");
            expect_err(&p);
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn tensor_type(dims: &[i64]) -> Option<TypeProto> {
    Some(TypeProto {
        value: Some(type_proto::Value::TensorType(type_proto::Tensor {
            elem_type: Some(tensor_proto::DataType::Float as i32),
            shape: Some(TensorShapeProto {
                dim: dims
                    .iter()
                    .map(|&d| tensor_shape_proto::Dimension {
                        value: Some(tensor_shape_proto::dimension::Value::DimValue(d)),
                        ..Default::default()
                    })
                    .collect(),
            }),
        })),
        ..Default::default()
    })
}

fn value_info(name: &str, dims: &[i64]) -> ValueInfoProto {
    ValueInfoProto { name: Some(name.into()), r#type: tensor_type(dims), ..Default::default() }
}

fn node(op: &str, name: &str, inputs: &[&str], outputs: &[&str]) -> NodeProto {
    NodeProto {
        op_type: Some(op.into()),
        name: Some(name.into()),
        input: inputs.iter().map(|s| s.to_string()).collect(),
        output: outputs.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn model(graph: GraphProto) -> ModelProto {
    ModelProto {
        ir_version: Some(8),
        opset_import: vec![OperatorSetIdProto { domain: Some(String::new()), version: Some(13) }],
        graph: Some(graph),
        ..Default::default()
    }
}

fn write_model(dir: &Path, name: &str, m: &ModelProto) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, m.encode_to_vec()).expect("write");
    p
}

#[test]
fn cyclic_graph_names_a_node_on_the_cycle() {
    let dir = scratch("cycle");
    let g = GraphProto {
        node: vec![node("Relu", "a", &["t2"], &["t1"]), node("Relu", "b", &["t1"], &["t2"])],
        input: vec![value_info("x", &[1, 4])],
        output: vec![value_info("t2", &[1, 4])],
        ..Default::default()
    };
    let e = expect_err(&write_model(&dir, "cycle.onnx", &model(g)));
    assert!(matches!(e.kind, ErrorKind::Cycle | ErrorKind::DanglingEdge { .. }), "{e}");
    assert!(e.node.is_some(), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn dangling_edge_names_the_tensor_and_node() {
    let dir = scratch("dangle");
    let g = GraphProto {
        node: vec![node("Relu", "r", &["nowhere"], &["y"])],
        input: vec![value_info("x", &[1, 4])],
        output: vec![value_info("y", &[1, 4])],
        ..Default::default()
    };
    let e = expect_err(&write_model(&dir, "dangle.onnx", &model(g)));
    assert!(e.to_string().contains("nowhere") && e.to_string().contains("node 'r'"), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn absurd_and_negative_dims_are_refused() {
    let dir = scratch("dims");
    let huge = 1i64 << 40;
    let g = GraphProto {
        node: vec![node("Relu", "r", &["x"], &["y"])],
        input: vec![value_info("x", &[huge, huge])],
        output: vec![value_info("y", &[huge, huge])],
        ..Default::default()
    };
    let e = expect_err(&write_model(&dir, "huge.onnx", &model(g)));
    assert!(matches!(e.kind, ErrorKind::Limit(_)), "{e}");

    let w = TensorProto {
        name: Some("w".into()),
        dims: vec![-5, 3],
        data_type: Some(tensor_proto::DataType::Float as i32),
        ..Default::default()
    };
    let g = GraphProto {
        node: vec![node("MatMul", "mm", &["x", "w"], &["y"])],
        input: vec![value_info("x", &[1, 3])],
        output: vec![value_info("y", &[1, 3])],
        initializer: vec![w],
        ..Default::default()
    };
    expect_err(&write_model(&dir, "negative.onnx", &model(g)));

    // A Reshape to an absurd constant shape.
    let shape = TensorProto {
        name: Some("s".into()),
        dims: vec![2],
        data_type: Some(tensor_proto::DataType::Int64 as i32),
        int64_data: vec![huge, huge],
        ..Default::default()
    };
    let g = GraphProto {
        node: vec![node("Expand", "ex", &["x", "s"], &["y"])],
        input: vec![value_info("x", &[1, 1])],
        output: vec![value_info("y", &[huge, huge])],
        initializer: vec![shape],
        ..Default::default()
    };
    let e = expect_err(&write_model(&dir, "expand.onnx", &model(g)));
    assert!(e.node.is_some(), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn deeply_nested_protobuf_is_an_error() {
    let dir = scratch("nest");
    let mut g = GraphProto::default();
    for i in 0..400 {
        let n = NodeProto {
            op_type: Some("If".into()),
            attribute: vec![AttributeProto {
                name: Some(format!("then{i}")),
                g: Some(g),
                ..Default::default()
            }],
            ..Default::default()
        };
        g = GraphProto { node: vec![n], ..Default::default() };
    }
    let e = expect_err(&write_model(&dir, "nested.onnx", &model(g)));
    assert!(matches!(e.kind, ErrorKind::Decode { .. }), "{e}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn external_data_outside_the_model_folder_is_refused() {
    let dir = scratch("escape");
    for location in ["../secret.bin", "/etc/passwd", "sub/../../x.bin"] {
        let w = TensorProto {
            name: Some("w".into()),
            dims: vec![4, 4],
            data_type: Some(tensor_proto::DataType::Float as i32),
            data_location: Some(tensor_proto::DataLocation::External as i32),
            external_data: vec![StringStringEntryProto {
                key: Some("location".into()),
                value: Some(location.into()),
            }],
            ..Default::default()
        };
        let g = GraphProto {
            node: vec![node("MatMul", "mm", &["x", "w"], &["y"])],
            input: vec![value_info("x", &[1, 4])],
            output: vec![value_info("y", &[1, 4])],
            initializer: vec![w],
            ..Default::default()
        };
        let e = expect_err(&write_model(&dir, "escape.onnx", &model(g)));
        assert!(matches!(e.kind, ErrorKind::ExternalData(_)), "{location}: {e}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
