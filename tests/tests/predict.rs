//! End-to-end tests of `einf predict`, `einf devices`, `einf train` and their errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_tests::{einf, fixture};

const DEVICES: [&str; 7] = [
    "pixel4-gpu-tflite-fp16",
    "s10-gpu-tflite-fp16",
    "mi8se-gpu-tflite-fp16",
    "a03s-gpu-tflite-fp16",
    "iphone7-gpu-tflite-fp16",
    "iphonexs-gpu-tflite-fp16",
    "neurstrucenergy-cuda",
];

#[test]
fn predict_works_on_every_fixture_model_for_every_bundled_device() {
    let dir = fixture("");
    let mut models: Vec<String> = Vec::new();
    for sub in std::fs::read_dir(&dir).unwrap() {
        let sub = sub.unwrap().path();
        if !sub.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&sub).unwrap() {
            let f = f.unwrap().path();
            if matches!(f.extension().and_then(|e| e.to_str()), Some("onnx" | "tflite")) {
                // Models with symbolic input sizes need --input-shape: not "out of the box".
                let k = einf(&["kernels", f.to_str().unwrap()]).unwrap();
                if k.status.success() {
                    models.push(f.display().to_string());
                } else {
                    assert!(String::from_utf8_lossy(&k.stderr).contains("unknown dimension"));
                }
            }
        }
    }
    models.sort();
    assert!(models.len() > 20, "{} fixture models", models.len());
    let mut args = vec!["predict", "--json"];
    args.extend(models.iter().map(String::as_str));
    let out = einf(&args).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let preds = v.as_array().unwrap();
    // The fully connected autoencoders have no kernel the convolution-only NeurstrucEnergy
    // predictor covers: skipped with a warning, every other pair is predicted.
    let skipped = stderr
        .lines()
        .filter(|l| l.contains("no kernel is covered by the predictor of neurstrucenergy-cuda"))
        .count();
    assert_eq!(preds.len() + skipped, models.len() * DEVICES.len(), "{stderr}");
    assert!(skipped <= 3, "{stderr}");
    for p in preds {
        let totals = p["totals"].as_array().unwrap();
        assert!(!totals.is_empty());
        for t in totals {
            let sum: f64 = p["kernels"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|k| k["values"][t["metric"].as_str().unwrap()].as_f64())
                .sum();
            let value = t["value"].as_f64().unwrap();
            assert!(value > 0.0 && (value - sum).abs() <= 1e-9 * sum, "{}: {value} vs {sum}", p["model"]);
        }
    }
}

#[test]
fn predict_prints_totals_coverage_and_breakdown() {
    let m = fixture("generated/mobilenetv2_035.tflite");
    let out = einf(&["predict", m.to_str().unwrap(), "--device", "neurstrucenergy-cuda"]).unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for want in ["energy", "latency", "power", "mW", "coverage", "trees 10-90%", "conv-bn"] {
        assert!(text.contains(want), "missing {want}:\n{text}");
    }
}

#[test]
fn bad_input_fails_with_one_line_and_nonzero_exit() {
    let m = fixture("generated/mobilenetv2_035.tflite");
    let out = einf(&["predict", m.to_str().unwrap(), "--device", "pixel9"]).unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown device 'pixel9'"));
    // --strict refuses kinds without a regressor (softmax on the phones).
    let out =
        einf(&["predict", m.to_str().unwrap(), "--device", "pixel4-gpu-tflite-fp16", "--strict"]).unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no regressor for softmax"));
    // A truncated predictor file.
    let dir = std::env::temp_dir().join(format!("einf-predict-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bytes =
        std::fs::read(einf_tests::repo_root().join("predictor/data/pixel4-gpu-tflite-fp16.einfp")).unwrap();
    let cut = dir.join("cut.einfp");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let out = einf(&["predict", m.to_str().unwrap(), "--predictor", cut.to_str().unwrap()]).unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut.einfp") && err.contains("checksum"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn devices_lists_the_bundled_predictors_with_accuracy() {
    let out = einf(&["devices"]).unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for d in DEVICES {
        assert!(text.contains(d), "{d} missing:\n{text}");
    }
    assert!(text.contains("latency"));
}
