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
                models.push(f.display().to_string());
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
    // The two OCR models have a dynamic resolution: predicted at an assumed one, and said so.
    let assumed: Vec<&serde_json::Value> =
        preds.iter().filter(|p| p.get("assumed_input_shapes").is_some()).collect();
    assert_eq!(assumed.len(), 2 * DEVICES.len(), "{stderr}");
    assert!(assumed.iter().all(|p| p["model"].as_str().unwrap().starts_with("rapidocr")));
    assert!(stderr.contains("has a dynamic resolution; predicted at x=1x3x224x224"), "{stderr}");
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
    // Energy is calibrated, latency is not: the power line names its basis.
    assert!(text.contains("mW (kernel-sum energy / kernel-sum latency; not the calibrated energy"), "{text}");
    // In JSON, the power is the kernel-sum energy over the kernel-sum latency.
    let out = einf(&["predict", m.to_str().unwrap(), "--device", "neurstrucenergy-cuda", "--json"]).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let total = |m: &str| {
        v[0]["totals"].as_array().unwrap().iter().find(|t| t["metric"] == m).unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    let power = v[0]["power_mw"].as_f64().unwrap();
    assert!((power - 1000.0 * total("energy") / total("latency")).abs() < 1e-9 * power, "{power}");
    assert_eq!(v[0]["power_basis"], "kernel-sum");
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
    // NeurstrucEnergy's 1,047 conv layers, each measured for energy and latency, as `einf
    // evaluate` counts them (not 2,094 samples).
    let row = text.lines().find(|l| l.contains("neurstrucenergy-cuda")).unwrap();
    assert_eq!(row.split_whitespace().nth(3), Some("1047"), "{row}");
}

/// A fresh temporary folder for one test.
fn temp_dir(test: &str) -> std::path::PathBuf {
    einf_tests::scratch_dir("predict", test)
}

/// Parse an SVG file; return (panel titles, x-axis titles, y-axis titles) and the document text.
fn svg_titles(path: &std::path::Path) -> (Vec<String>, Vec<String>, Vec<String>, String) {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let class = |c: &str| -> Vec<String> {
        doc.descendants()
            .filter(|n| n.attribute("class") == Some(c))
            .map(|n| n.text().unwrap_or_default().to_string())
            .collect()
    };
    (class("title"), class("x-axis-title"), class("y-axis-title"), text)
}

#[test]
fn predict_plot_draws_the_per_kernel_breakdown() {
    let dir = temp_dir("plot");
    let svg = dir.join("breakdown.svg");
    let m = fixture("onnx-light/light_resnet50.onnx");
    let args = ["predict", m.to_str().unwrap(), "--device", "neurstrucenergy-cuda", "--json"];
    let out = einf(&[&args[..], &["--plot", svg.to_str().unwrap()]].concat()).unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let p = &v[0];
    let (titles, x, y, text) = svg_titles(&svg);
    // One panel per metric (energy, latency), each with titled axes and units.
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles[0].starts_with("light_resnet50 on neurstrucenergy-cuda: energy per kernel"));
    assert_eq!(x, vec!["kernel (execution order)"; 2]);
    assert_eq!(y, vec!["energy (mJ)", "latency (ms)"]);
    // A bar per covered kernel and metric, a mark per uncovered one.
    let kernels = p["kernels"].as_array().unwrap();
    let covered = kernels.iter().filter(|k| !k["values"].as_object().unwrap().is_empty()).count();
    let doc = roxmltree::Document::parse(&text).unwrap();
    let bars = doc
        .descendants()
        .filter(|n| {
            n.tag_name().name() == "rect" && n.parent().and_then(|g| g.attribute("class")) == Some("bars")
        })
        .collect::<Vec<_>>();
    let uncovered = bars.iter().filter(|n| n.attribute("class") == Some("uncovered")).count();
    assert_eq!(bars.len() - uncovered, 2 * covered);
    assert_eq!(uncovered, 2 * (kernels.len() - covered));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn evaluate_plot_draws_predicted_against_measured_per_device() {
    let dir = temp_dir("evaluate");
    let svg = dir.join("eval.svg");
    let args =
        ["evaluate", "--device", "neurstrucenergy-cuda", "--k", "2", "--baseline-trees", "4", "--json"];
    let out = einf(&[&args[..], &["--plot", svg.to_str().unwrap()]].concat()).unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (titles, x, y, text) = svg_titles(&svg);
    assert_eq!(titles, vec!["neurstrucenergy-cuda: energy", "neurstrucenergy-cuda: latency"]);
    assert_eq!(x, vec!["measured energy (mJ)", "measured latency (ms)"]);
    assert_eq!(y, vec!["predicted energy (mJ)", "predicted latency (ms)"]);
    // Every held-out kernel is a point (points on the same half pixel are drawn once).
    let ns: Vec<u64> = v[0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kernel_cv"]["all"]["einf"]["n"].as_u64().unwrap())
        .collect();
    for n in &ns {
        assert!(text.contains(&format!("held-out kernels, 2-fold, {n} points")), "{ns:?}");
    }
    let n: u64 = ns.iter().sum();
    let circles = text.matches("<circle").count() as u64;
    assert!(circles > n / 2 && circles <= n, "{circles} points for {n} kernels");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn train_dumps_the_forests_training_sets() {
    let dir = temp_dir("dump");
    let out = einf(&["train", "--device", "neurstrucenergy-cuda", "--dump-features", dir.to_str().unwrap()])
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let params: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("params.json")).unwrap()).unwrap();
    assert_eq!(params["device"], "neurstrucenergy-cuda");
    assert!(params["params"]["n_trees"].as_u64().unwrap() > 0);
    let csv = std::fs::read_to_string(dir.join("base-conv.energy.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header.last(), Some(&"target"));
    assert!(header.contains(&"flops") && header.contains(&"cin"));
    let rows: Vec<Vec<f64>> =
        lines.map(|l| l.split(',').map(|v| v.parse::<f64>().unwrap()).collect()).collect();
    assert!(rows.len() > 100, "{} rows", rows.len());
    assert!(rows.iter().all(|r| r.len() == header.len() && r.iter().all(|v| v.is_finite())));
    // The stdout line counts the rows of every file.
    let text = String::from_utf8_lossy(&out.stdout);
    let files = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "csv"))
        .count();
    assert!(text.contains(&format!("{files} training sets")), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_default_table_has_a_power_row_for_each_device_with_energy_and_latency() {
    let m = fixture("onnx-light/light_resnet50.onnx");
    let text = String::from_utf8(einf(&["predict", m.to_str().unwrap()]).unwrap().stdout).unwrap();
    let cell = |metric: &str| -> f64 {
        let line = text
            .lines()
            .find(|l| l.contains("neurstrucenergy-cuda") && l.contains(metric))
            .unwrap_or_else(|| panic!("no {metric} row: {text}"));
        line.split_whitespace().nth(4).unwrap().parse().unwrap()
    };
    // The kernel sums' power: their energy over their latency (the board calibrates energy only).
    let (e, l, p) = (cell("energy (mJ)"), cell("latency (ms)"), cell("power (mW)"));
    assert!((p / (1000.0 * e / l) - 1.0).abs() < 0.01, "{p} vs {e} / {l}");
    // The latency-only phones have none.
    assert_eq!(text.lines().filter(|l| l.contains("power (mW)")).count(), 1, "{text}");
}
