//! Every fixture model parses; its MACs, params and op counts equal the independent reference
//! (tests/fixtures/reference/reference.json, made by parser/tools/reference with onnx-tool and the
//! `tflite` package); and its kernel table per backend is an insta snapshot.
#![cfg(all(feature = "onnx", feature = "tflite"))]
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test helpers stop on broken fixtures

use einf_parser::fusion::Rules;
use einf_parser::ir::{Graph, Op};
use einf_parser::kernel::node_cost;
use einf_parser::shape::InputShape;
use einf_parser::{analyze, load_model};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn reference() -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(root().join("reference/reference.json")).expect("reference.json");
    serde_json::from_str(&text).expect("reference.json parses")
}

/// Input shapes for models with dynamic dims (the ones the reference used).
fn shapes(entry: &Value) -> Vec<InputShape> {
    if entry["format"] != "onnx" {
        return Vec::new();
    }
    entry["input_shapes"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(name, dims)| InputShape {
                    name: name.clone(),
                    dims: dims
                        .as_array()
                        .map(|d| d.iter().filter_map(Value::as_u64).collect())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn load(rel: &str, entry: &Value) -> Graph {
    load_model(&root().join("models").join(rel), &shapes(entry)).unwrap_or_else(|e| panic!("{e}"))
}

fn is_conv_or_fc(op: &Op) -> bool {
    matches!(op, Op::Conv(_) | Op::ConvTranspose(_) | Op::Gemm { .. } | Op::MatMul { .. })
}

#[test]
fn macs_and_params_equal_the_independent_reference() {
    let mut failures = Vec::new();
    for (rel, entry) in reference() {
        let g = load(&rel, &entry);
        let (mut macs, mut params) = (0u64, 0u64);
        for n in g.nodes.iter().filter(|n| is_conv_or_fc(&n.op)) {
            let c = node_cost(&g, n);
            macs += c.macs;
            params += c.params;
        }
        let want_macs = entry["macs"].as_u64().unwrap_or(0);
        let want_params = entry["params"].as_u64().unwrap_or(0);
        let rel_err = (macs as f64 - want_macs as f64).abs() / (want_macs.max(1) as f64);
        if rel_err > 0.01 || params != want_params {
            failures.push(format!("{rel}: MACs {macs} vs {want_macs}, params {params} vs {want_params}"));
        }
        // Fusion keeps them: the kernels' total equals the nodes' total.
        let a = analyze(&g, &Rules::builtin(einf_parser::default_backend(&g)).unwrap()).unwrap();
        let node_total: u64 = g.nodes.iter().map(|n| node_cost(&g, n).macs).sum();
        assert_eq!(a.totals.macs, node_total, "{rel}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn op_counts_equal_the_file() {
    let mut failures = Vec::new();
    for (rel, entry) in reference() {
        let g = load(&rel, &entry);
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for n in g.nodes.iter().filter(|n| !n.implied) {
            *counts.entry(n.source_op.clone()).or_default() += 1;
        }
        for f in &g.folded {
            *counts.entry(f.source_op.clone()).or_default() += 1;
        }
        let want: BTreeMap<String, u64> = entry["op_counts"]
            .as_object()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0))).collect())
            .unwrap_or_default();
        if counts != want {
            failures.push(format!("{rel}:\n  einf {counts:?}\n  file {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One line per kernel: kind, configuration, features.
fn table(a: &einf_parser::Analysis) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let t = &a.totals;
    let c = &a.coverage;
    let _ = writeln!(
        s,
        "{} kernels, {} MACs, {} FLOPs, {} params, {} weight B; {} nodes, {} folded, {} uncosted kernels, unsupported {:?}, unknown-shape nodes {}",
        a.kernels.len(),
        t.macs,
        t.flops,
        t.params,
        t.weight_bytes,
        c.nodes,
        c.folded_nodes,
        c.uncosted_kernels,
        c.unsupported_ops,
        c.unknown_shape_nodes
    );
    for (i, k) in a.kernels.iter().enumerate() {
        let f = &k.features;
        let cfg = k.config.as_ref().map_or_else(|| "shape unknown".to_string(), ToString::to_string);
        let _ = writeln!(
            s,
            "{i:3} {:<22} {cfg} | macs {} params {} in {} out {} w {}",
            k.kind.to_string(),
            f.macs,
            f.params,
            f.input_bytes,
            f.output_bytes,
            f.weight_bytes
        );
    }
    s
}

#[test]
fn kernel_tables_per_fixture_and_backend() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/kernels");
    settings.bind(|| {
        for (rel, entry) in reference() {
            let g = load(&rel, &entry);
            for backend in Rules::builtin_names() {
                let a = analyze(&g, &Rules::builtin(backend).unwrap()).unwrap();
                let name = format!("{}@{backend}", rel.replace('/', "__"));
                insta::assert_snapshot!(name, table(&a));
            }
        }
    });
}
