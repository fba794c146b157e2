//! `einf predict` on models whose inputs have a symbolic batch dimension: the batch is 1 (a
//! prediction is per inference); a dynamic resolution is assumed (224 per unknown side) and said
//! so, and `--input-shape` sets it.
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
fn dynamic_resolution_is_assumed_and_said_so() {
    let model = fixture("pypi-extracted/rapidocr_ch_ppocr_mobile_v2.0_cls_infer.onnx");
    let model = model.to_str().unwrap();
    // `einf kernels` asks for the shape ...
    let k = einf(&["kernels", model]).unwrap();
    assert!(!k.status.success());
    assert!(String::from_utf8_lossy(&k.stderr).contains("--input-shape x="));
    // ... `einf predict` assumes 224 for the unknown sides and says so, in text and JSON.
    let device = ["--device", "pixel4-gpu-tflite-fp16"];
    let text = einf(&[&["predict"][..], &device, &[model]].concat()).unwrap();
    assert!(text.status.success(), "{}", String::from_utf8_lossy(&text.stderr));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("input    x=1x3x224x224 (assumed"), "{stdout}");
    assert!(String::from_utf8_lossy(&text.stderr).contains("dynamic resolution"));
    let json = |extra: &[&str]| {
        let out = einf(&[&["predict", "--json"][..], &device, extra, &[model]].concat()).unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (v[0]["assumed_input_shapes"].clone(), v[0]["totals"][0]["value"].as_f64().unwrap())
    };
    let (assumed, at_224) = json(&[]);
    assert_eq!(assumed, serde_json::json!(["x=1x3x224x224"]));
    // The same as giving that shape; the text-line input RapidOCR feeds it costs less.
    let (given, explicit) = json(&["--input-shape", "x=1x3x224x224"]);
    assert!(given.is_null());
    assert_eq!(at_224, explicit);
    let (_, line) = json(&["--input-shape", "x=1x3x48x192"]);
    assert!(line < at_224, "{line} vs {at_224}");
}
