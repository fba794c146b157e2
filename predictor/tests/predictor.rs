//! Integration tests of the predictor: bundled files, the file format's errors, byte-identical
//! retraining, and model-level prediction on real fixture models.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_parser::{analyze, fusion::Rules, load_model};
use einf_predictor::forests::MetricName;
use einf_predictor::format::{FORMAT_VERSION, from_bytes, to_bytes};
use einf_predictor::model::predict_model;
use einf_predictor::{
    PredictorError, bundled, bundled_data, params::ForestParams, predictor::DevicePredictor,
};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn fixture(rel: &str) -> PathBuf {
    repo().join("tests/fixtures/models").join(rel)
}

#[test]
fn every_bundled_predictor_loads_and_re_encodes_to_the_same_bytes() {
    for (name, bytes) in bundled::BUNDLED {
        let p = bundled::load(name).unwrap();
        assert_eq!(p.name(), name);
        assert!(bytes.len() <= 2 << 20, "{name}: {} bytes", bytes.len());
        assert_eq!(to_bytes(&p).unwrap(), bytes, "{name}");
        assert!(p.meta.evaluation.is_some(), "{name}: no evaluation summary");
        assert_eq!(p.meta.training_sha256.len(), 64);
    }
}

#[test]
fn retraining_a_bundled_predictor_gives_the_committed_bytes() {
    let data = bundled_data::load(&repo().join("dataset/data"), "neurstrucenergy-cuda").unwrap();
    let p =
        DevicePredictor::train(&data, &ForestParams::for_device("neurstrucenergy-cuda"), Some(5)).unwrap();
    let committed = bundled::BUNDLED.iter().find(|(n, _)| *n == "neurstrucenergy-cuda").unwrap().1;
    assert!(
        to_bytes(&p).unwrap() == committed,
        "retrained bytes differ: regenerate with the train_bundled example"
    );
}

#[test]
fn bad_files_are_named_errors() {
    let good = bundled::BUNDLED[0].1;
    let path = Path::new("p.einfp");
    let truncated = from_bytes(&good[..good.len() / 2], path).unwrap_err();
    assert!(matches!(truncated, PredictorError::Corrupt { .. }), "{truncated}");
    let mut flipped = good.to_vec();
    flipped[good.len() / 3] ^= 0x40;
    let e = from_bytes(&flipped, path).unwrap_err().to_string();
    assert!(e.contains("checksum") && e.contains("p.einfp"), "{e}");
    let mut newer = good.to_vec();
    newer[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    assert!(
        matches!(from_bytes(&newer, path).unwrap_err(), PredictorError::NewerFormat { found, .. } if found == FORMAT_VERSION + 1)
    );
    assert!(from_bytes(b"GIF89a....", path).unwrap_err().to_string().contains("magic"));
    assert!(from_bytes(&[], path).is_err());
    let e = bundled::load("pixel9").unwrap_err().to_string();
    assert!(e.contains("unknown device 'pixel9'") && e.contains("pixel4-gpu-tflite-fp16"), "{e}");
}

fn kernels_of(model: &str, backend: &str) -> Vec<einf_parser::kernel::Kernel> {
    let graph = load_model(&fixture(model), &[]).unwrap();
    analyze(&graph, &Rules::builtin(backend).unwrap()).unwrap().kernels
}

#[test]
fn a_real_model_is_predicted_with_coverage_and_interval() {
    let p = bundled::load("pixel4-gpu-tflite-fp16").unwrap();
    let kernels = kernels_of("generated/mobilenetv2_035.tflite", &p.meta.backend);
    let pred = predict_model(&p, "mobilenetv2_035", &kernels, false).unwrap();
    let lat = pred.totals.iter().find(|t| t.metric == MetricName::Latency).unwrap();
    assert!(lat.value > 0.0 && lat.low <= lat.high, "{lat:?}");
    assert!(lat.calibrated.is_some());
    assert_eq!(pred.kernels.len(), kernels.len());
    // The uncovered kinds hold their share of the FLOPs, and `--strict` refuses them.
    let shares: f64 = pred.uncovered.iter().map(|u| u.flops_share).sum();
    assert!((shares - pred.uncovered_flops_share).abs() < 1e-12);
    if !pred.uncovered.is_empty() {
        assert!(matches!(predict_model(&p, "m", &kernels, true), Err(PredictorError::Uncovered { .. })));
    }
}

#[test]
fn a_model_without_covered_kernels_is_an_error() {
    let p = bundled::load("pixel4-gpu-tflite-fp16").unwrap();
    let kernels = kernels_of("generated/mobilenetv2_035.tflite", &p.meta.backend);
    let no_conv: Vec<_> = kernels.into_iter().filter(|k| k.kind.to_string().starts_with("reshape")).collect();
    let e = predict_model(&p, "m", &no_conv, false).unwrap_err();
    assert!(matches!(e, PredictorError::NothingCovered { .. }), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any subset of a real model's kernels: the model total is the sum of its kernels' predictions.
    #[test]
    fn model_total_is_the_sum_of_kernel_predictions(mask in proptest::collection::vec(any::<bool>(), 200), dev in 0usize..7) {
        let p = bundled::load(bundled::BUNDLED[dev].0).unwrap();
        let all = kernels_of("generated/mobilenetv2_035.tflite", &p.meta.backend);
        let kernels: Vec<_> = all.into_iter().zip(mask.iter().cycle()).filter(|(_, m)| **m).map(|(k, _)| k).collect();
        match predict_model(&p, "m", &kernels, false) {
            Ok(pred) => {
                for t in &pred.totals {
                    let sum: f64 = pred.kernels.iter().filter_map(|k| k.values.get(&t.metric)).sum();
                    prop_assert!((t.value - sum).abs() <= 1e-9 * sum.max(1e-12), "{} vs {}", t.value, sum);
                    prop_assert!(t.value >= 0.0);
                }
            }
            Err(PredictorError::NothingCovered { .. }) => {}
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}
