//! End-to-end tests of `einf nas` through the binary: scoring a sample, the CSV/JSONL/SVG
//! outputs, Kendall τ against HELP's measured table, and named errors for bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_tests::{einf_fails as fails, einf_ok as ok, repo_root};
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    einf_tests::scratch_dir("nas", name)
}

const HELP: &str = "dataset/data/help-nasbench201-fbnet-latency";

/// The first `n` rows of a HELP table, as a new file.
fn help_head(file: &str, n: usize, dir: &std::path::Path) -> PathBuf {
    let text = std::fs::read_to_string(repo_root().join(HELP).join(file)).unwrap();
    let head: Vec<&str> = text.lines().take(n + 1).collect();
    let p = dir.join(file);
    std::fs::write(&p, head.join("\n") + "\n").unwrap();
    p
}

#[test]
fn nb201_sample_writes_scores_plot_and_json() {
    let d = scratch("sample");
    let (csv, svg, jsonl) = (d.join("s.csv"), d.join("s.svg"), d.join("s.jsonl"));
    let args = ["nas", "--space", "nb201", "--sample", "200", "--seed", "3", "--top", "5", "--json"];
    let mut a: Vec<&str> = args.to_vec();
    a.extend(["--out", csv.to_str().unwrap(), "--plot", svg.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_str(&ok(&a)).unwrap();
    assert_eq!(report["candidates"], 200);
    assert_eq!(report["unit"], "FLOPs");
    assert_eq!(report["top"].as_array().unwrap().len(), 5);
    let top: Vec<f64> =
        report["top"].as_array().unwrap().iter().map(|r| r["cost"].as_f64().unwrap()).collect();
    assert!(top.windows(2).all(|w| w[0] <= w[1]), "lowest cost first: {top:?}");
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(rows.lines().count(), 201);
    assert!(rows.starts_with("candidate,cost,unit,flops"));
    let plot = std::fs::read_to_string(&svg).unwrap();
    assert!(plot.starts_with("<svg") && plot.matches("r=\"1.6\"").count() == 200);
    // Same seed, same candidates; JSONL has one object per candidate.
    let mut b: Vec<&str> = args.to_vec();
    b.extend(["--out", jsonl.to_str().unwrap()]);
    ok(&b);
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&jsonl).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let first_csv = rows.lines().nth(1).unwrap().split(',').next().unwrap().to_string();
    assert_eq!(lines.len(), 200);
    assert_eq!(lines[0]["candidate"], first_csv);
    // The human form names the space and the Pareto front.
    let text = ok(&["nas", "--space", "nb201", "--sample", "20", "--top", "3"]);
    assert!(text.contains("nb201: 20 candidates") && text.contains("Pareto front"));
}

#[test]
fn kendall_tau_against_helps_measured_phones() {
    let d = scratch("against");
    let nb = help_head("nasbench201_latency_ms.csv", 150, &d);
    let r: serde_json::Value =
        serde_json::from_str(&ok(&["nas", "--space", "nb201", "--against", nb.to_str().unwrap(), "--json"]))
            .unwrap();
    assert_eq!(r["candidates"], 150);
    let taus = r["kendall"].as_array().unwrap();
    let cols: Vec<&str> = taus.iter().map(|t| t["column"].as_str().unwrap()).collect();
    assert_eq!(cols, ["pixel2", "pixel3", "samsung_a50", "samsung_s7", "essential_ph_1"]);
    for t in taus {
        let v = t["kendall_tau_b"].as_f64().unwrap();
        // FLOPs rank NB201 latencies well above chance on every phone.
        assert!(v > 0.3 && v <= 1.0, "{t}");
    }
    let fb = help_head("fbnet_latency_ms.csv", 20, &d);
    let out = ok(&["nas", "--space", "fbnet", "--against", fb.to_str().unwrap(), "--columns", "pixel3"]);
    assert!(out.contains("fbnet: 20 candidates") && out.contains("pixel3"));
}

#[test]
fn accuracy_gives_a_cost_accuracy_front() {
    let d = scratch("accuracy");
    let acc = d.join("acc.csv");
    // Synthetic accuracies (test data, not measurements).
    std::fs::write(
        &acc,
        "arch_str,accuracy\n\
         |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|,0.9\n\
         |skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|,0.5\n\
         |nor_conv_1x1~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|,0.4\n",
    )
    .unwrap();
    let space = "--space=nb201";
    let r: serde_json::Value =
        serde_json::from_str(&ok(&["nas", space, "--accuracy", acc.to_str().unwrap(), "--json"])).unwrap();
    assert_eq!(r["candidates"], 15625);
    // The 1x1 cell costs more than the skip cell and is less accurate: off the front.
    assert_eq!(r["pareto"], 2);
    let top = r["top"].as_array().unwrap();
    assert_eq!(top[0]["accuracy"], 0.5);
    assert_eq!(top[1]["accuracy"], 0.9);
}

#[test]
fn bad_input_gives_named_errors() {
    let d = scratch("bad");
    let e = fails(&["nas", "--space", "darts"]);
    assert!(e.contains("unknown search space 'darts'"), "{e}");
    let acc = d.join("acc.csv");
    std::fs::write(&acc, "arch_str,accuracy\n|nor_conv_5x5~0|+|none~0|none~1|+|none~0|none~1|none~2|,0.5\n")
        .unwrap();
    let e = fails(&["nas", "--space", "nb201", "--accuracy", acc.to_str().unwrap()]);
    assert!(e.contains("acc.csv, line 2: unknown candidate") && e.contains("nor_conv_5x5"), "{e}");
    let bad = d.join("bad.csv");
    std::fs::write(&bad, "arch_str,pixel2\n|none~0|+|none~0|,3\n").unwrap();
    let e = fails(&["nas", "--space", "nb201", "--against", bad.to_str().unwrap()]);
    assert!(e.contains("bad.csv, line 2") && e.contains("malformed candidate"), "{e}");
    let e = fails(&["nas", "--space", "fbnet", "--sample", "2", "--out", d.join("x.txt").to_str().unwrap()]);
    assert!(e.contains(".csv or .jsonl"), "{e}");
    let e = fails(&["nas", "--space", "fbnet"]);
    assert!(e.contains("sample a subset"), "{e}");
    let space = d.join("s.toml");
    std::fs::write(&space, "name = \"s\"\n").unwrap();
    let e = fails(&["nas", "--space", space.to_str().unwrap()]);
    assert!(e.contains("search space file") && e.contains("s.toml"), "{e}");
    let e = fails(&["nas", "--space", "nb201", "--device", "no-such-phone", "--sample", "2"]);
    assert!(e.contains("no-such-phone"), "{e}");
}

#[test]
fn a_bundled_predictor_scores_a_mobile_space_file() {
    let d = scratch("mobile");
    let space = d.join("m.toml");
    std::fs::write(
        &space,
        "name = \"m\"\ninput = [3, 64, 64]\nclasses = 10\nstem_channels = 16\nhead_channels = 0\nact = \"relu6\"\n\
         [[stages]]\nstride = 2\nkernel = [3, 5]\nexpansion = [1, 6]\ndepth = [1, 2]\nwidth = [16, 24]\n",
    )
    .unwrap();
    let r: serde_json::Value = serde_json::from_str(&ok(&[
        "nas",
        "--space",
        space.to_str().unwrap(),
        "--device",
        "pixel4-gpu-tflite-fp16",
        "--json",
    ]))
    .unwrap();
    assert_eq!(r["candidates"], 16);
    assert_eq!(r["unit"], "ms");
    let top = r["top"].as_array().unwrap();
    assert!(top.iter().all(|t| t["cost"].as_f64().unwrap() > 0.0));
}

/// Candidate → cost cell of an `einf nas --out F.csv`.
fn costs(csv: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("candidate,cost,"));
    lines
        .map(|l| {
            let mut cells = l.split(',');
            (cells.next().unwrap().to_string(), cells.next().unwrap().to_string())
        })
        .collect()
}

#[test]
fn a_predictor_file_scores_the_whole_space_as_its_bundled_device() {
    let d = scratch("predictor");
    let (a, b) = (d.join("a.csv"), d.join("b.csv"));
    let file = repo_root().join("predictor/data/pixel4-gpu-tflite-fp16.einfp");
    let text =
        ok(&["nas", "--space", "nb201", "--predictor", file.to_str().unwrap(), "--out", a.to_str().unwrap()]);
    assert!(text.contains("15625 candidates scored with pixel4-gpu-tflite-fp16 latency"), "{text}");
    ok(&["nas", "--space", "nb201", "--device", "pixel4-gpu-tflite-fp16", "--out", b.to_str().unwrap()]);
    let (a, b) = (costs(&a), costs(&b));
    assert_eq!(a.len(), 15625);
    // The same cost for every candidate, to the last digit written.
    assert_eq!(a, b);
    assert!(a.values().all(|c| c.parse::<f64>().unwrap() > 0.0));
}

#[test]
fn predictor_backend_and_metric_are_never_accepted_and_ignored() {
    let file = repo_root().join("predictor/data/pixel4-gpu-tflite-fp16.einfp");
    let file = file.to_str().unwrap();
    let nas = |rest: &[&'static str]| {
        let mut a = vec!["nas", "--space", "nb201", "--sample", "3"];
        a.extend(rest);
        a
    };
    let e = fails(&[nas(&["--device", "s10"]), vec!["--predictor", file]].concat());
    assert!(e.contains("--predictor") && e.contains("--device s10 both name the cost model"), "{e}");
    let e = fails(&[nas(&["--device", "flops"]), vec!["--predictor", file]].concat());
    assert!(e.contains("--device flops both name the cost model"), "{e}");
    let e = fails(&[nas(&["--backend", "tflite-cpu"]), vec!["--predictor", file]].concat());
    assert!(e.contains("--backend tflite-cpu sets the rules of the flops cost model"), "{e}");
    assert!(e.contains("pixel4-gpu-tflite-fp16 predictor splits kernels with its own (tflite-gpu)"), "{e}");
    let e = fails(&nas(&["--device", "pixel4", "--backend", "tflite-gpu"]));
    assert!(e.contains("--backend tflite-gpu sets the rules of the flops cost model"), "{e}");
    let e = fails(&[nas(&["--metric", "energy"]), vec!["--predictor", file]].concat());
    assert!(
        e.contains("the pixel4-gpu-tflite-fp16 predictor has no energy forests (it has: latency)"),
        "{e}"
    );
    let e = fails(&nas(&["--metric", "latency"]));
    assert!(e.contains("--metric latency needs a predictor"), "{e}");
    let e = fails(&nas(&["--predictor", "no-such.einfp"]));
    assert!(e.contains("no-such.einfp"), "{e}");
    // The flops model still takes its backend.
    let r: serde_json::Value =
        serde_json::from_str(&ok(&nas(&["--backend", "tflite-cpu", "--json"]))).unwrap();
    assert_eq!(r["backend"], "tflite-cpu");
    // Energy from a predictor file that has it.
    let neur = repo_root().join("predictor/data/neurstrucenergy-cuda.einfp");
    let r: serde_json::Value = serde_json::from_str(&ok(&[
        nas(&["--metric", "energy", "--json"]),
        vec!["--predictor", neur.to_str().unwrap()],
    ]
    .concat()))
    .unwrap();
    assert_eq!(r["unit"], "mJ");
    assert_eq!(r["cost_model"], "neurstrucenergy-cuda energy");
}
