//! End-to-end tests of `einf arch` and `einf suite` through the binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    einf_tests::scratch_dir("models", name)
}

use einf_tests::{einf_fails as fails, einf_ok as ok};

#[test]
fn arch_list_names_every_architecture_with_its_macs() {
    let json: serde_json::Value = serde_json::from_str(&ok(&["arch", "list", "--json"])).unwrap();
    let rows = json.as_array().unwrap();
    assert!(rows.len() >= 26);
    let resnet50 = rows.iter().find(|r| r["name"] == "resnet50").unwrap();
    assert_eq!(resnet50["macs"], 4_089_184_256u64);
    assert_eq!(resnet50["params"], 25_557_032u64);
    assert!(ok(&["arch", "list"]).contains("mobilenet_v3_small"));
}

#[test]
fn arch_export_writes_a_model_that_einf_reads_back() {
    let d = scratch("export");
    let f = d.join("mnv2.onnx");
    let f = f.to_str().unwrap();
    let out = ok(&[
        "arch",
        "export",
        "mobilenet_v2",
        "--width",
        "0.5",
        "--resolution",
        "160",
        "--out",
        f,
        "--json",
    ]);
    let e: serde_json::Value = serde_json::from_str(&out).unwrap();
    let k: serde_json::Value = serde_json::from_str(&ok(&["kernels", f, "--json"])).unwrap();
    assert_eq!(k["totals"]["macs"], e["macs"]);
    assert_eq!(k["inputs"][0]["shape"], serde_json::json!([1, 3, 160, 160]));
    // A seeded variant is the same file twice.
    let (a, b) = (d.join("a.onnx"), d.join("b.onnx"));
    for p in [&a, &b] {
        ok(&[
            "arch",
            "export",
            "resnet18",
            "--variant",
            "11",
            "--weights",
            "omitted",
            "--out",
            p.to_str().unwrap(),
        ]);
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn a_suite_is_the_same_bytes_by_seed_and_its_manifest_imports() {
    let d = scratch("suite");
    let (a, b) = (d.join("a"), d.join("b"));
    for dir in [&a, &b] {
        let args =
            ["suite", "--kind", "dwconv-bn-relu", "--count", "40", "--seed", "7", "--weights", "omitted"];
        let mut args: Vec<&str> = args.to_vec();
        args.extend(["--out", dir.to_str().unwrap()]);
        ok(&args);
    }
    let mut names: Vec<_> = std::fs::read_dir(&a).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names.len(), 42, "40 models, manifest.csv, suite.json");
    for n in &names {
        assert_eq!(std::fs::read(a.join(n)).unwrap(), std::fs::read(b.join(n)).unwrap(), "{n:?}");
    }
    // Fill in the measurement columns (synthetic values, for the import test only) and import.
    let manifest = std::fs::read_to_string(a.join("manifest.csv")).unwrap();
    let mut filled = String::new();
    for (i, line) in manifest.lines().enumerate() {
        if i == 0 {
            filled.push_str(line);
        } else {
            let head = line.trim_end_matches(",,,,,");
            filled.push_str(&format!("{head},latency,{}.5,ms,,", i));
        }
        filled.push('\n');
    }
    let filled_path = d.join("filled.csv");
    std::fs::write(&filled_path, filled).unwrap();
    let db = d.join("store.db");
    let out = ok(&[
        "dataset",
        "import",
        "--format",
        "csv",
        "--device",
        "synthetic-phone",
        "--device-class",
        "gpu",
        "--db",
        db.to_str().unwrap(),
        filled_path.to_str().unwrap(),
    ]);
    assert!(out.contains("imported 40 measurements"), "{out}");
    assert!(out.contains("40 kernels, 40 new"), "{out}");
}

#[test]
fn bad_input_gives_named_errors() {
    let d = scratch("bad");
    let f = d.join("x.onnx");
    let f = f.to_str().unwrap();
    assert!(fails(&["arch", "export", "resnet7", "--out", f]).contains("unknown architecture 'resnet7'"));
    assert!(fails(&["arch", "export", "resnet18", "--width", "0", "--out", f]).contains("width"));
    let out = d.join("s");
    let out = out.to_str().unwrap();
    assert!(fails(&["suite", "--kind", "conv-relu6", "--out", out]).contains("unknown suite kind"));
    assert!(fails(&["suite", "--kind", "fc", "--count", "0", "--out", out]).contains("count"));
}

/// `einf suite --refine` on a bundled device: the same files for the same seed, the same
/// proposals from the device's measurements read back from a store, every proposal near its
/// parent (same kernel and stride, channels in nn-Meter's [0.5, 1.2]× range, depthwise: cout =
/// cin) and none of them a configuration the device has measured.
#[test]
fn a_refinement_suite_on_a_bundled_device_is_seeded_near_and_new() {
    let d = scratch("refine");
    let db = d.join("store.db");
    let qed = einf_tests::repo_root().join("dataset/data/qed-usc-mobile-ml-benchmark/tflite_cnn_ops_gpu.csv");
    ok(&["dataset", "import", "--format", "qed-ops", "--db", db.to_str().unwrap(), qed.to_str().unwrap()]);
    let device = "pixel4-gpu-tflite-fp16";
    let run = |out: &PathBuf, extra: &[&str]| {
        let mut args = vec!["suite", "--refine", device, "--kind", "dwconv-bn-relu", "--count", "30"];
        // A 5 % threshold keeps enough parents as the predictor improves (10 % left 10 of 169
        // configurations on this device and kind).
        args.extend([
            "--per-kernel",
            "4",
            "--threshold",
            "0.05",
            "--seed",
            "5",
            "--weights",
            "omitted",
            "--json",
        ]);
        args.extend(["--out", out.to_str().unwrap()]);
        args.extend(extra);
        serde_json::from_str::<serde_json::Value>(&ok(&args)).unwrap()
    };
    let (a, b, s) = (d.join("a"), d.join("b"), d.join("s"));
    let report = run(&a, &[]);
    run(&b, &[]);
    run(&s, &["--db", db.to_str().unwrap()]);
    assert_eq!(report["device"], device);
    assert_eq!(report["metric"], "latency");
    let (kernels, above) = (report["kernels"].as_u64().unwrap(), report["kernels_above"].as_u64().unwrap());
    assert!(kernels > 100 && above > 0 && above < kernels, "{kernels} kernels, {above} above 5%");
    let models = report["models"].as_u64().unwrap() as usize;
    let configs_above = report["configs_above"].as_u64().unwrap() as usize;
    assert!(models > 0 && models <= 30.min(4 * configs_above), "{models} models");
    let mut names: Vec<_> = std::fs::read_dir(&a).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names.len(), models + 2, "models, manifest.csv, suite.json");
    for n in &names {
        let bytes = std::fs::read(a.join(n)).unwrap();
        assert_eq!(bytes, std::fs::read(b.join(n)).unwrap(), "{n:?} differs between two runs");
        if n != "suite.json" {
            assert_eq!(bytes, std::fs::read(s.join(n)).unwrap(), "{n:?} differs when read from the store");
        }
    }

    // Every geometry the device measured for the kind, from the store.
    let export =
        ok(&["dataset", "export", "--db", db.to_str().unwrap(), "--format", "jsonl", "--device", device]);
    let geometry = |v: &serde_json::Value| {
        ["input_h", "input_w", "cin", "cout", "kernel_h", "kernel_w", "stride_h", "stride_w"]
            .map(|c| v[c].as_u64().unwrap_or(0))
    };
    let measured: std::collections::HashSet<[u64; 8]> = export
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["kind"] == "dwconv-bn-relu")
        .map(|v| geometry(&v))
        .collect();
    assert!(measured.len() > 100);
    let suite: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(a.join("suite.json")).unwrap()).unwrap();
    let parents = suite["parents"].as_array().unwrap();
    assert_eq!(suite["models"].as_array().unwrap().len(), models);
    let mut seen = std::collections::HashSet::new();
    for m in suite["models"].as_array().unwrap() {
        let p = parents.iter().find(|p| p["id"] == m["parent"]).unwrap();
        assert!(p["error"].as_f64().unwrap() > 0.05 && m["parent_error"] == p["error"]);
        assert_eq!((&m["k"], &m["stride"]), (&p["k"], &p["stride"]));
        assert_eq!(m["cout"], m["cin"]);
        let (c, pc) = (m["cin"].as_f64().unwrap(), p["cin"].as_f64().unwrap());
        assert!(c >= (0.5 * pc).round() && c <= (1.2 * pc).round(), "cin {c} far from {pc}");
        let (hw, k, s) = (m["hw"].as_u64().unwrap(), m["k"].as_u64().unwrap(), m["stride"].as_u64().unwrap());
        let (c, co) = (m["cin"].as_u64().unwrap(), m["cout"].as_u64().unwrap());
        let g = [hw, hw, c, co, k, k, s, s];
        assert!(!measured.contains(&g), "{g:?} was measured on {device}");
        assert!(seen.insert(g), "{g:?} proposed twice");
    }
    // The manifest names the same configurations, ready for `einf dataset import`.
    let manifest = std::fs::read_to_string(a.join("manifest.csv")).unwrap();
    assert_eq!(manifest.lines().count(), models + 1);

    let e = fails(&["suite", "--refine", "nokia3310", "--kind", "fc", "--out", a.to_str().unwrap()]);
    assert!(e.contains("unknown device 'nokia3310'") && e.contains("pixel4-gpu-tflite-fp16"), "{e}");
    assert!(
        fails(&["suite", "--refine", device, "--kind", "fc-relu", "--out", a.to_str().unwrap()])
            .contains("no measured fc-relu kernels")
    );
}
