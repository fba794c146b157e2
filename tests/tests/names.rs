//! End-to-end tests of device names as people type them: a unique prefix selects a bundled
//! device in `einf predict`, `einf nas`, `einf device-score` and `einf score --model`, and gives
//! the same output as the full name; an ambiguous or unknown name is a one-line error listing
//! the matches (or every name).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_tests::{einf_fails, einf_ok, fixture};

const PHONES: [&str; 2] = ["iphone7-gpu-tflite-fp16", "iphonexs-gpu-tflite-fp16"];

fn model() -> String {
    fixture("generated/mobilenetv2_035.tflite").display().to_string()
}

#[test]
fn predict_takes_a_unique_prefix_and_prints_the_full_name() {
    let m = model();
    let short = einf_ok(&["predict", &m, "--device", "pixel4"]);
    assert!(short.starts_with("mobilenetv2_035 on pixel4-gpu-tflite-fp16\n"), "{short}");
    assert_eq!(short, einf_ok(&["predict", &m, "--device", "pixel4-gpu-tflite-fp16"]));
    // Case does not matter for a prefix; several prefixes make a comparison of full names.
    let both = einf_ok(&["predict", &m, "--device", "IPHONE7", "--device", "iphonex"]);
    for p in PHONES {
        assert!(both.contains(p), "{p} missing:\n{both}");
    }
}

#[test]
fn an_ambiguous_or_unknown_name_lists_the_matches_or_every_name() {
    let m = model();
    let e = einf_fails(&["predict", &m, "--device", "i"]);
    assert!(e.starts_with("einf: device 'i' is ambiguous"), "{e}");
    assert!(e.contains(&PHONES.join(", ")) && !e.contains("pixel4"), "{e}");
    let e = einf_fails(&["predict", &m, "--device", "pixel9"]);
    assert!(e.contains("unknown device 'pixel9'"), "{e}");
    for d in ["pixel4-gpu-tflite-fp16", "s10-gpu-tflite-fp16", "neurstrucenergy-cuda"] {
        assert!(e.contains(d), "{d} missing: {e}");
    }
    // Every command that takes a device name says the same.
    let e = einf_fails(&["nas", "--space", "nb201", "--device", "i", "--sample", "2"]);
    assert!(e.contains("device 'i' is ambiguous") && e.contains(&PHONES.join(", ")), "{e}");
    let e = einf_fails(&["device-score", "--device", "iphone"]);
    assert!(e.contains("device 'iphone' is ambiguous"), "{e}");
    let e = einf_fails(&["score", "--model", &m, "--device", "a0", "--recgrad", "0.5", "--classes", "10"]);
    // `a0` selects a03s, which predicts latency only: the name was resolved, the energy is missing.
    assert!(e.contains("device a03s-gpu-tflite-fp16 predicts no energy"), "{e}");
}

#[test]
fn nas_takes_a_unique_prefix() {
    let args =
        |device: &'static str| ["nas", "--space", "nb201", "--device", device, "--sample", "50", "--json"];
    let short: serde_json::Value = serde_json::from_str(&einf_ok(&args("s10"))).unwrap();
    let full: serde_json::Value = serde_json::from_str(&einf_ok(&args("s10-gpu-tflite-fp16"))).unwrap();
    assert_eq!(short["cost_model"], "s10-gpu-tflite-fp16 latency");
    assert_eq!(short["top"], full["top"]);
}

#[test]
fn device_score_and_score_take_a_unique_prefix() {
    let json = |args: &[&str]| -> serde_json::Value { serde_json::from_str(&einf_ok(args)).unwrap() };
    let short = json(&["device-score", "--device", "neurstruc", "--json"]);
    let full = json(&["device-score", "--device", "neurstrucenergy-cuda", "--json"]);
    assert_eq!(short["source"], "predicted by neurstrucenergy-cuda");
    assert_eq!(short, full);
    let m = fixture("onnx-light/light_squeezenet.onnx").display().to_string();
    let score = |d: &str| {
        json(&["score", "--model", &m, "--device", d, "--recgrad", "0.5", "--classes", "1000", "--json"])
    };
    let short = score("neur");
    assert_eq!(short["predicted"]["device"], "neurstrucenergy-cuda");
    assert_eq!(short, score("neurstrucenergy-cuda"));
}
