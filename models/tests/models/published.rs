//! Total MACs and trainable parameters of every reference architecture against published
//! figures, within 1 % (torchvision's parameter counts are exact integers and must match
//! exactly).
//!
//! Sources:
//! - torchvision: the `num_params` and `_ops` (GMACs of conv and linear layers, computed with a
//!   dispatch-mode FLOP counter, pytorch/vision PR #6936) fields of the weights' metadata in
//!   `torchvision/models/{alexnet,vgg,resnet,mobilenetv2,mobilenetv3,shufflenetv2,squeezenet,
//!   densenet,googlenet,mnasnet,efficientnet}.py` (torchvision ≥ 0.15), shown in the docs'
//!   "Table of all available classification weights".
//! - MobileNetV1: Howard et al. 2017, Table 8 (1.0 MobileNet-224: 569 M mult-adds, 4.2 M
//!   params), Table 6 (width 0.75/0.5/0.25: 325/149/41 M) and Table 7 (resolution 192/160/128:
//!   418/290/186 M).
//! - MobileNetV2 at other widths and resolutions: the table of the TensorFlow reference
//!   (tensorflow/models `research/slim/nets/mobilenet/README.md`: 1.0-192 221 M, 1.0-160 154 M,
//!   0.75-224 209 M, 0.5-224 97 M, 0.35-224 59 M MACs).
//! - MnasNet-A1: Tan et al. 2019, Table 1 (312 M mult-adds, 3.9 M params); the exact count
//!   3,887,038 of the osmr/imgclsmob reproduction (`mnasnet.py` self-test).
//! - ProxylessNAS-Mobile: 320 M MACs (Cai et al., Once-for-All, ICLR 2020, Table 2); 4,080,512
//!   parameters, the osmr/imgclsmob count of the released config (`proxylessnas.py` self-test).
//! - MLPerf Tiny networks: checked kernel by kernel against their deployed `.tflite` files
//!   instead (`crosscheck.rs`).

use einf_models::summary::summarize;
use einf_models::{ArchOptions, arch};

/// name, width, resolution, published MACs, published params (0 = not published), exact params.
type Row = (&'static str, f64, Option<u64>, f64, f64, bool);

const TABLE: &[Row] = &[
    ("alexnet", 1.0, None, 0.714e9, 61_100_840.0, true),
    ("vgg11", 1.0, None, 7.609e9, 132_863_336.0, true),
    ("vgg16", 1.0, None, 15.47e9, 138_357_544.0, true),
    ("vgg19", 1.0, None, 19.632e9, 143_667_240.0, true),
    ("resnet18", 1.0, None, 1.814e9, 11_689_512.0, true),
    ("resnet34", 1.0, None, 3.664e9, 21_797_672.0, true),
    ("resnet50", 1.0, None, 4.089e9, 25_557_032.0, true),
    ("resnet101", 1.0, None, 7.801e9, 44_549_160.0, true),
    ("resnext50_32x4d", 1.0, None, 4.23e9, 25_028_904.0, true),
    ("mobilenet_v1", 1.0, None, 569e6, 4.2e6, false),
    ("mobilenet_v1", 0.75, None, 325e6, 0.0, false),
    ("mobilenet_v1", 0.5, None, 149e6, 0.0, false),
    ("mobilenet_v1", 0.25, None, 41e6, 0.0, false),
    ("mobilenet_v1", 1.0, Some(192), 418e6, 0.0, false),
    ("mobilenet_v1", 1.0, Some(160), 290e6, 0.0, false),
    ("mobilenet_v1", 1.0, Some(128), 186e6, 0.0, false),
    ("mobilenet_v2", 1.0, None, 0.301e9, 3_504_872.0, true),
    ("mobilenet_v2", 1.0, Some(192), 221e6, 0.0, false),
    ("mobilenet_v2", 1.0, Some(160), 154e6, 0.0, false),
    ("mobilenet_v2", 0.75, None, 209e6, 0.0, false),
    ("mobilenet_v2", 0.5, None, 97e6, 0.0, false),
    ("mobilenet_v2", 0.35, None, 59e6, 0.0, false),
    ("mobilenet_v3_large", 1.0, None, 0.217e9, 5_483_032.0, true),
    ("mobilenet_v3_small", 1.0, None, 0.057e9, 2_542_856.0, true),
    ("shufflenet_v2", 1.0, None, 0.145e9, 2_278_604.0, true),
    ("squeezenet1_0", 1.0, None, 0.819e9, 1_248_424.0, true),
    ("squeezenet1_1", 1.0, None, 0.349e9, 1_235_496.0, true),
    ("densenet121", 1.0, None, 2.834e9, 7_978_856.0, true),
    ("googlenet", 1.0, None, 1.498e9, 6_624_904.0, true),
    ("mnasnet_a1", 1.0, None, 312e6, 3_887_038.0, true),
    ("mnasnet_b1", 1.0, None, 0.314e9, 4_383_312.0, true),
    ("proxylessnas_mobile", 1.0, None, 320e6, 4_080_512.0, true),
    ("efficientnet_b0", 1.0, None, 0.386e9, 5_288_548.0, true),
];

#[test]
fn macs_and_params_match_published_figures_within_one_percent() {
    let mut failures = Vec::new();
    for &(name, width, resolution, macs, params, exact) in TABLE {
        let opts = ArchOptions { width, resolution, ..ArchOptions::default() };
        let g = arch::build(name, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let s = summarize(&g);
        let rel = |ours: u64, published: f64| (ours as f64 - published).abs() / published;
        if rel(s.macs, macs) > 0.01 {
            failures.push(format!("{name} w{width} r{resolution:?}: {} MACs vs published {macs}", s.macs));
        }
        if exact && s.params as f64 != params {
            failures.push(format!("{name}: {} params vs published {params} (exact)", s.params));
        } else if params > 0.0 && rel(s.params, params) > 0.01 {
            failures.push(format!("{name}: {} params vs published {params}", s.params));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_architecture_is_checked_against_published_or_deployed_figures() {
    for a in arch::ARCHS {
        let in_table = TABLE.iter().any(|r| r.0 == a.name);
        assert!(in_table || a.family == "mlperf_tiny", "{} has no published figure", a.name);
    }
}
