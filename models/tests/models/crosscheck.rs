//! Cross-checks against real data.
//!
//! 1. The MLPerf Tiny networks built here split into the same kernels (kind, configuration
//!    without the element type, MACs) as the deployed `.tflite` reference files.
//! 2. The architectures also measured in the qed-usc benchmark (`dataset/data/qed-usc-mobile-ml-
//!    benchmark/tflite_cnn_ops_gpu.csv`, TFLite conversions of osmr/imgclsmob models) have the same
//!    multiset of MAC-bearing layers, and each layer's FLOPs equals the table's `FLOPS` column.
//!
//! Conventions of the qed-usc table, and how they are compared:
//! - `FLOPS` = 2 × MACs, without bias (einf's kernel FLOPs add one per output for a bias; the
//!   comparison uses 2 × MACs).
//! - `Input_shape` of a convolution whose padding the converter made an explicit PAD op is the
//!   padded size (114 for a 112×112 map with pad 1), so layers are compared on output size,
//!   kernel, stride, channels and FLOPs, not input size.
//! - A depthwise conv's `Filter` is its depth multiplier (1); its output channels are its input's.
//! - imgclsmob writes classifiers and squeeze-excite layers on 1×1 maps as 1×1 CONV_2D where
//!   torchvision writes Linear: both are compared as "dense" layers (in, out, FLOPs).
//!
//! Two networks differ from torchvision's by design in imgclsmob, and the test expects exactly
//! these layers to differ: MobileNetV2's first block has a 1×1 expansion conv of factor 1 there
//! (torchvision has none), and imgclsmob's MobileNetV3-Small classifier is 576 → 1280 → classes
//! (torchvision, following the paper: 576 → 1024 → classes).

use super::{kernels, repo};
use einf_models::{ArchOptions, arch};
use einf_parser::ir::{DType, Graph, Op};
use einf_parser::kernel::node_cost;
use einf_parser::load_model;
use std::collections::BTreeMap;

#[test]
fn mlperf_tiny_networks_give_the_kernels_of_their_tflite_files() {
    let pairs = [
        ("mlperf_resnet8", "pretrainedResnet.tflite"),
        ("mlperf_dscnn", "kws_ref_model_float32.tflite"),
        ("mlperf_mobilenet_vww", "vww_96_float.tflite"),
        ("mlperf_autoencoder", "ad01_fp32.tflite"),
    ];
    let describe = |g: &Graph| -> Vec<String> {
        kernels(g, "tflite-cpu")
            .iter()
            .map(|k| {
                let mut c = k.config.clone().unwrap();
                c.dtype = DType::F32;
                format!("{} {c} macs={}", k.kind, k.features.macs)
            })
            .collect()
    };
    for (name, file) in pairs {
        let ours = arch::build(name, &ArchOptions::default()).unwrap();
        let path = repo().join("tests/fixtures/models/mlperf-tiny-tflite").join(file);
        let theirs = load_model(&path, &[]).unwrap();
        assert_eq!(describe(&ours), describe(&theirs), "{name} vs {file}");
    }
}

/// A MAC-bearing layer: kind, in, out channels, kernel, stride, output size, FLOPs.
type Layer = (&'static str, u64, u64, u64, u64, u64, u64);

fn ours(g: &Graph) -> Vec<Layer> {
    let mut out = Vec::new();
    for n in &g.nodes {
        let flops = 2 * node_cost(g, n).macs;
        let shape = |i: usize| g.tensor(n.input(i).unwrap()).known_shape().unwrap();
        let y = g.tensor(n.outputs[0]).known_shape().unwrap();
        match &n.op {
            Op::Conv(a) => {
                let (x, k, s) = (shape(0), a.kernel.clone().unwrap(), a.strides[0]);
                let (cin, cout, groups) = (x[1], y[1], a.groups.unwrap_or(1));
                if x[2] == 1 && x[3] == 1 && k[0] == 1 {
                    out.push(("dense", cin, cout, 1, 1, 1, flops));
                } else if groups == cin && groups > 1 {
                    out.push(("dw", cin, cout, k[0], s, y[2], flops));
                } else {
                    out.push(("conv", cin, cout, k[0], s, y[2], flops));
                }
            }
            Op::Gemm { .. } => out.push(("dense", shape(0)[1], y[1], 1, 1, 1, flops)),
            _ => {}
        }
    }
    out.sort_unstable();
    out
}

/// Fields of the table's Python-dict `feature` column.
fn fields(feature: &str) -> BTreeMap<String, String> {
    feature
        .trim_matches(['{', '}'])
        .split(", '")
        .filter_map(|kv| kv.split_once(':'))
        .map(|(k, v)| (k.trim_matches(['\'', ' ']).to_string(), v.trim().trim_matches('\'').to_string()))
        .collect()
}

fn theirs(model: &str) -> Vec<Layer> {
    let path = repo().join("dataset/data/qed-usc-mobile-ml-benchmark/tflite_cnn_ops_gpu.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let (head, rest) = line.split_once(",\"").unwrap();
        let (feature, _) = rest.split_once("\",").unwrap();
        let Some((m, op)) = head.split_once(',') else { continue };
        if m != model {
            continue;
        }
        let f = fields(feature);
        let num = |k: &str| f.get(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let (cin, flops) = (num("Input_channel"), num("FLOPS"));
        match op {
            "CONV_2D" if num("Output_shape") == 1 && num("Kernel") == 1 && num("Input_shape") == 1 => {
                out.push(("dense", cin, num("Filter"), 1, 1, 1, flops));
            }
            "CONV_2D" => out.push((
                "conv",
                cin,
                num("Filter"),
                num("Kernel"),
                num("Stride"),
                num("Output_shape"),
                flops,
            )),
            "DEPTHWISE_CONV_2D" => {
                out.push((
                    "dw",
                    cin,
                    cin * num("Filter"),
                    num("Kernel"),
                    num("Stride"),
                    num("Output_shape"),
                    flops,
                ));
            }
            "FULLY_CONNECTED" => out.push(("dense", cin, num("Filter"), 1, 1, 1, flops)),
            _ => {}
        }
    }
    out.sort_unstable();
    out
}

#[test]
fn qed_usc_networks_have_the_same_layers_and_per_layer_flops() {
    let cases: &[(&str, &str, f64)] = &[
        ("resnet18", "resnet18", 1.0),
        ("mobilenet_w1", "mobilenet_v1", 1.0),
        ("mobilenet_w3d4", "mobilenet_v1", 0.75),
        ("mobilenet_wd2", "mobilenet_v1", 0.5),
        ("mobilenet_wd4", "mobilenet_v1", 0.25),
        ("mobilenetv2_w1", "mobilenet_v2", 1.0),
        ("mobilenetv3_large_w1", "mobilenet_v3_large", 1.0),
        ("mobilenetv3_small_w1", "mobilenet_v3_small", 1.0),
        ("squeezenet_v1_0", "squeezenet1_0", 1.0),
        ("squeezenet_v1_1", "squeezenet1_1", 1.0),
        ("densenet121", "densenet121", 1.0),
        ("mnasnet_a1", "mnasnet_a1", 1.0),
        ("mnasnet_b1", "mnasnet_b1", 1.0),
        ("proxylessnas_mobile", "proxylessnas_mobile", 1.0),
    ];
    // Documented architecture differences: (qed model, layers only here, layers only in qed-usc).
    let known: &[(&str, &[Layer], &[Layer])] = &[
        ("mobilenetv2_w1", &[], &[("conv", 32, 32, 1, 1, 112, 25_690_112)]),
        (
            "mobilenetv3_small_w1",
            &[("dense", 576, 1024, 1, 1, 1, 1_179_648), ("dense", 1024, 1000, 1, 1, 1, 2_048_000)],
            &[("dense", 576, 1280, 1, 1, 1, 1_474_560), ("dense", 1280, 1000, 1, 1, 1, 2_560_000)],
        ),
    ];
    let mut failures = Vec::new();
    for &(qed, name, width) in cases {
        let g = arch::build(name, &ArchOptions { width, ..ArchOptions::default() }).unwrap();
        let (a, b) = (ours(&g), theirs(qed));
        assert!(!b.is_empty(), "{qed} is not in the table");
        let (exp_ours, exp_theirs) =
            known.iter().find(|k| k.0 == qed).map_or((&[][..], &[][..]), |k| (k.1, k.2));
        // Multisets: remove the documented differences once each, then the rest must be equal.
        let without = |mut v: Vec<Layer>, drop: &[Layer]| {
            for d in drop {
                if let Some(i) = v.iter().position(|l| l == d) {
                    v.remove(i);
                }
            }
            v
        };
        let (rest_a, rest_b) = (without(a.clone(), exp_ours), without(b.clone(), exp_theirs));
        let removed = a.len() - rest_a.len() == exp_ours.len() && b.len() - rest_b.len() == exp_theirs.len();
        if rest_a != rest_b || !removed {
            let only_ours: Vec<Layer> = a.iter().filter(|l| !b.contains(l)).copied().collect();
            let only_theirs: Vec<Layer> = b.iter().filter(|l| !a.contains(l)).copied().collect();
            failures.push(format!("{qed} vs {name}: only ours {only_ours:?}\n  only qed {only_theirs:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
