//! `einf predict` on models whose inputs have a symbolic batch dimension: the batch is 1 (a
//! prediction is per inference); a dynamic resolution still needs `--input-shape`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_tests::{einf, fixture};

#[test]
fn symbolic_batch_is_set_to_one() {
    for name in ["generated/tinynet_op13.onnx", "generated/tinynet_extdata.onnx"] {
        let model = fixture(name);
        let model = model.to_str().unwrap();
        // `einf kernels` keeps asking for the shape ...
        let k = einf(&["kernels", model]).unwrap();
        assert!(!k.status.success());
        assert!(String::from_utf8_lossy(&k.stderr).contains("unknown dimension"));
        // ... `einf predict` takes batch 1, and gives what an explicit batch of 1 gives.
        let implicit = einf(&["predict", "--json", "--device", "pixel4-gpu-tflite-fp16", model]).unwrap();
        assert!(implicit.status.success(), "{}", String::from_utf8_lossy(&implicit.stderr));
        let explicit = einf(&[
            "predict",
            "--json",
            "--device",
            "pixel4-gpu-tflite-fp16",
            "--input-shape",
            "input=1x3x224x224",
            model,
        ])
        .unwrap();
        assert!(explicit.status.success(), "{}", String::from_utf8_lossy(&explicit.stderr));
        assert_eq!(implicit.stdout, explicit.stdout, "{name}");
    }
}

#[test]
fn dynamic_resolution_still_needs_a_shape() {
    let model = fixture("pypi-extracted/rapidocr_ch_ppocr_mobile_v2.0_cls_infer.onnx");
    let out = einf(&["predict", "--device", "pixel4-gpu-tflite-fp16", model.to_str().unwrap()]).unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--input-shape x="), "{err}");
    let ok = einf(&[
        "predict",
        "--device",
        "pixel4-gpu-tflite-fp16",
        "--input-shape",
        "x=1x3x48x192",
        model.to_str().unwrap(),
    ])
    .unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
}
