//! End-to-end tests of a user's road from measurements in a store to a predictor, through the
//! `einf` binary only (issue 12): real open measurements imported (NeurstrucEnergy under a new
//! device name, qed-usc as bundled) → `einf train --db` / `einf evaluate --db` give the bundled
//! evaluation's figures and predictors → `einf predict --predictor` and `einf nas --predictor`;
//! and bad input (unknown or ambiguous devices, missing metrics, files that are not einf stores,
//! a store of a newer schema, flags that do not fit together) is one named line with a non-zero
//! exit that leaves every file as it was.
//!
//! The measurements are the bundled files under `dataset/data/`; nothing here is synthetic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_tests::{einf, einf_fails as fails, einf_ok as ok, fixture, scratch_dir};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const NEURSTRUC: &str = "dataset/data/neurstrucenergy";
const QED: &str = "dataset/data/qed-usc-mobile-ml-benchmark";
const RESNET: &str = "onnx-light/light_resnet50.onnx";

fn scratch(test: &str) -> PathBuf {
    scratch_dir("train-store", test)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap_or_else(|e| panic!("einf {args:?}: not JSON: {e}"))
}

/// Imports `files` (paths relative to the repository) into the store `db` in the given format.
fn import(db: &Path, format: &str, files: &[&str]) -> String {
    let mut args = vec!["dataset", "--db", s(db), "import", "--format", format];
    args.extend_from_slice(files);
    ok(&args)
}

/// A store holding qed-usc's GPU kernels measured in models and its end-to-end latencies (the
/// bundled pixel4 predictor's files, as a user imports them).
fn qed_store(db: &Path) {
    let out = import(db, "qed-ops", &[&format!("{QED}/tflite_cnn_ops_gpu.csv")]);
    assert!(out.contains("imported 33312 measurements"), "{out}");
    let out = import(db, "qed-e2e", &[&format!("{QED}/tflite_cnn_e2e.csv")]);
    assert!(out.contains("imported 9180 measurements"), "{out}");
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path.clone());
                files.insert(path, Vec::new());
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path, bytes);
            }
        }
    }
    files
}

/// The `(metric, kernel_cv)` pairs of the one device of an `einf evaluate --json` report.
fn kernel_cv(report: &Value, device: &str) -> Vec<(String, Value)> {
    let evals = report.as_array().unwrap();
    assert_eq!(evals.len(), 1, "one device: {report}");
    assert_eq!(evals[0]["device"], device);
    assert_eq!(evals[0]["k"], 5);
    evals[0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["metric"].as_str().unwrap().to_string(), m["kernel_cv"].clone()))
        .collect()
}

/// The totals of the one prediction of an `einf predict --json` report, per metric.
fn totals(report: &Value) -> BTreeMap<String, Value> {
    let preds = report.as_array().unwrap();
    assert_eq!(preds.len(), 1, "one prediction: {report}");
    preds[0]["totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["metric"].as_str().unwrap().to_string(), t.clone()))
        .collect()
}

#[test]
fn neurstrucenergy_under_a_new_device_name_trains_and_evaluates_as_the_bundled_device() {
    let d = scratch("neurstruc");
    let (s1, s2) = (d.join("s1.db"), d.join("s2.db"));

    // NeurstrucEnergy's conv layers into a store, out as the generic CSV, renamed to a new device.
    let out = import(
        &s1,
        "neurstruc",
        &[&format!("{NEURSTRUC}/conv2d.txt"), &format!("{NEURSTRUC}/conv2d_PreVIousNet.txt")],
    );
    assert!(out.contains("imported 1998 measurements") && out.contains("imported 112 measurements"), "{out}");
    let exported = d.join("neurstruc.csv");
    ok(&[
        "dataset",
        "--db",
        s(&s1),
        "export",
        "--format",
        "csv",
        "--device",
        "neurstrucenergy-cuda",
        "-o",
        s(&exported),
    ]);
    let text = std::fs::read_to_string(&exported).unwrap();
    let (header, rows) = text.split_once('\n').unwrap();
    assert!(header.starts_with("device,device_class,"), "{header}");
    let renamed: Vec<String> = rows
        .lines()
        .map(|r| {
            let rest = r
                .strip_prefix("neurstrucenergy-cuda,")
                .unwrap_or_else(|| panic!("row of another device: {r}"));
            format!("my-jetson,{rest}")
        })
        .collect();
    assert_eq!(renamed.len(), 2110, "1998 + 112 measurements");
    let mine = d.join("my-jetson.csv");
    std::fs::write(&mine, format!("{header}\n{}\n", renamed.join("\n"))).unwrap();
    let out = import(&s2, "csv", &[s(&mine)]);
    assert!(out.contains("imported 2110 measurements"), "{out}");
    let devices = json(&["dataset", "devices", "--db", s(&s2), "--json"]);
    let devices = devices["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1, "{devices:?}");
    assert_eq!(devices[0]["name"], "my-jetson");
    assert_eq!(devices[0]["metrics"], serde_json::json!(["energy", "latency"]));

    // Train by a prefix of the new name; neither train nor evaluate writes to the store.
    let store = std::fs::read(&s2).unwrap();
    let predictor = d.join("my.einfp");
    let out = ok(&["train", "--db", s(&s2), "--device", "my-jet", "--target", "log", "--out", s(&predictor)]);
    assert!(out.starts_with("my-jetson: ") && out.contains("on 2094 kernel rows"), "{out}");
    assert!(out.contains(&format!("store {}", s2.display())), "{out}");
    assert!(std::fs::metadata(&predictor).unwrap().len() > 0);

    // The store's k-fold figures are the bundled device's, kind by kind (the bundled data also
    // has NeurstrucEnergy's whole CNNs, so only the kernel k-fold is comparable).
    let cv = ["--json", "--k", "5", "--baseline-trees", "8"];
    let mut args = vec!["evaluate", "--db", s(&s2), "--device", "my-jetson", "--target", "log"];
    args.extend(cv);
    let from_store = json(&args);
    let mut args = vec!["evaluate", "--device", "neurstrucenergy-cuda"];
    args.extend(cv);
    let bundled = json(&args);
    assert_eq!(std::fs::read(&s2).unwrap(), store, "train and evaluate left the store as it was");
    let (ours, theirs) = (kernel_cv(&from_store, "my-jetson"), kernel_cv(&bundled, "neurstrucenergy-cuda"));
    let metrics: Vec<&str> = ours.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(metrics, ["energy", "latency"]);
    assert_eq!(ours.len(), theirs.len());
    for ((metric, a), (bundled_metric, b)) in ours.iter().zip(&theirs) {
        assert_eq!(metric, bundled_metric);
        let kinds: Vec<&String> = a.as_object().unwrap().keys().collect();
        assert!(kinds.iter().any(|k| *k == "all") && kinds.iter().any(|k| *k == "conv-bn"), "{kinds:?}");
        for kind in kinds {
            for model in ["einf", "flops", "nn_meter"] {
                let (x, y) = (&a[kind][model], &b[kind][model]);
                assert!(x["n"].as_u64().unwrap() > 0, "{metric} {kind} {model}: {x}");
                for field in ["n", "within10", "mape"] {
                    assert_eq!(x[field], y[field], "{metric} {kind} {model} {field}");
                }
            }
        }
        assert_eq!(a, b, "{metric}: the whole kernel k-fold");
    }
    // The README's figure: conv energy 59.1% within ±10% (einf's own, whatever the baseline).
    let energy = &ours[0].1["all"]["einf"];
    assert_eq!(energy["n"], 1047);
    assert_eq!((energy["within10"].as_f64().unwrap() * 1000.0).round(), 591.0, "{energy}");
    // The store has kernels only: no model evaluation to report.
    let m = &from_store[0]["metrics"][0];
    assert!(m["model_cv"].is_null() && m["end_to_end"].is_null(), "{m}");

    // The predictor file predicts a fixture model: the bundled predictor's kernel sums, and no
    // calibration (the store has no whole-model measurements).
    let model = fixture(RESNET);
    let ours = totals(&json(&["predict", s(&model), "--predictor", s(&predictor), "--json"]));
    let bundled = totals(&json(&["predict", s(&model), "--device", "neurstrucenergy-cuda", "--json"]));
    assert!(ours["energy"]["value"].as_f64().unwrap() > 0.0, "{ours:?}");
    assert_eq!(ours["energy"]["unit"], "mJ");
    for metric in ["energy", "latency"] {
        for field in ["value", "low", "high"] {
            assert_eq!(ours[metric][field], bundled[metric][field], "{metric} {field}");
        }
        assert!(ours[metric]["calibrated"].is_null(), "{metric}: {:?}", ours[metric]);
    }

    // A search over NAS-Bench-201 with it: 50 candidates with positive energies, the same as the
    // bundled device's.
    let (ours, bundled) = (d.join("nas.csv"), d.join("nas-bundled.csv"));
    let nas = ["nas", "--space", "nb201", "--metric", "energy", "--sample", "50", "--seed", "1"];
    let mut args = nas.to_vec();
    args.extend(["--predictor", s(&predictor), "--out", s(&ours)]);
    let out = ok(&args);
    assert!(out.starts_with("nb201: 50 candidates scored with my-jetson energy"), "{out}");
    let mut args = nas.to_vec();
    args.extend(["--device", "neurstrucenergy-cuda", "--out", s(&bundled)]);
    ok(&args);
    let text = std::fs::read_to_string(&ours).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (cost, unit) = (col("cost"), col("unit"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 50);
    for r in &rows {
        assert_eq!(r.len(), header.len(), "{r:?}");
        assert!(r[cost].parse::<f64>().unwrap() > 0.0, "{r:?}");
        assert_eq!(r[unit], "mJ");
    }
    assert_eq!(text, std::fs::read_to_string(&bundled).unwrap(), "the bundled device's costs");
}

#[test]
fn qed_usc_in_a_store_evaluates_as_the_bundled_pixel4() {
    let d = scratch("qed-evaluate");
    let db = d.join("qed.db");
    qed_store(&db);
    let store = std::fs::read(&db).unwrap();
    // The store also has pixel4's 18 CPU configurations (end-to-end only), so `pixel4` alone is
    // ambiguous there (see the bad-input test); `pixel4-gpu` is the GPU delegate.
    let cv = ["--k", "2", "--baseline-trees", "4"];
    let mut args = vec!["evaluate", "--db", s(&db), "--device", "pixel4-gpu"];
    args.extend(cv);
    let from_store = ok(&args);
    let mut args = vec!["evaluate", "--device", "pixel4"];
    args.extend(cv);
    let bundled = ok(&args);
    assert_eq!(from_store, bundled);
    for row in [
        "kernels 2-fold: all",
        "models 2-fold: held-out kernels: all",
        "models 2-fold (96 groups): kernel sum",
        "held-out models vs end-to-end (calibrated)",
    ] {
        assert!(from_store.contains(row), "{row}: {from_store}");
    }
    assert!(
        from_store.lines().nth(1).unwrap().starts_with("pixel4-gpu-tflite-fp16  latency"),
        "{from_store}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), store, "evaluate left the store as it was");
}

#[test]
fn qed_usc_in_a_store_trains_the_bundled_pixel4_predictor() {
    let d = scratch("qed-train");
    let db = d.join("qed.db");
    qed_store(&db);
    let predictor = d.join("p.einfp");
    let device = "pixel4-gpu-tflite-fp16";
    let out = ok(&["train", "--db", s(&db), "--device", device, "--out", s(&predictor)]);
    assert!(
        out.starts_with("pixel4-gpu-tflite-fp16: 8 forests on 5556 kernel rows (tflite-gpu backend"),
        "{out}"
    );

    // The same prediction, kernel by kernel and calibrated, as the bundled predictor's.
    let model = fixture(RESNET);
    let ours = ok(&["predict", s(&model), "--predictor", s(&predictor), "--json"]);
    let bundled = ok(&["predict", s(&model), "--device", device, "--json"]);
    let t = totals(&serde_json::from_str(&ours).unwrap());
    assert!(t["latency"]["value"].as_f64().unwrap() > 0.0, "{t:?}");
    assert!(t["latency"]["calibrated"].is_array(), "calibrated on the end-to-end rows: {t:?}");
    assert_eq!(ours, bundled);

    // The file's recipe, calibration, stored cross-validation, sources and training identity are
    // the bundled file's (both name their imports by file name).
    let listed = json(&["devices", "--json"]);
    let with_file = json(&["devices", "--json", "--predictor", s(&predictor)]);
    let (listed, with_file) = (listed.as_array().unwrap(), with_file.as_array().unwrap());
    assert_eq!(with_file.len(), listed.len() + 1);
    assert_eq!(&with_file[..listed.len()], listed.as_slice());
    let ours = with_file.last().unwrap().as_object().unwrap();
    let theirs = listed.iter().find(|p| p["device"]["name"] == device).unwrap().as_object().unwrap();
    assert_eq!(ours, theirs, "the same data and recipe give the same metadata, training identity included");
    assert_eq!(ours.len(), theirs.len());
    assert_eq!(ours["evaluation"]["k"], 5);
}

#[test]
fn bad_input_is_one_named_line_and_leaves_every_file_as_it_was() {
    let d = scratch("bad");
    let qed = d.join("qed.db");
    qed_store(&qed);
    let nstore = d.join("neurstruc.db");
    import(&nstore, "neurstruc", &[&format!("{NEURSTRUC}/conv2d_PreVIousNet.txt")]);
    let e2e_only = d.join("e2e.db");
    import(&e2e_only, "qed-e2e", &[&format!("{QED}/tflite_cnn_e2e.csv")]);
    let csv = d.join("rows.csv");
    ok(&["dataset", "--db", s(&nstore), "export", "--format", "csv", "-o", s(&csv)]);
    let text = d.join("notes.db");
    std::fs::write(&text, "not a database, only text ".repeat(40)).unwrap();
    let empty = d.join("empty.db");
    std::fs::write(&empty, "").unwrap();
    // SQLite's header: `PRAGMA user_version` is the big-endian u32 at byte 60, `PRAGMA
    // application_id` the one at byte 68.
    let header_edit = |name: &str, at: usize, value: u32| {
        let mut bytes = std::fs::read(&nstore).unwrap();
        bytes[at..at + 4].copy_from_slice(&value.to_be_bytes());
        let p = d.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let newer = header_edit("newer.db", 60, 99);
    let foreign = header_edit("foreign.db", 68, 0);
    let other_app = header_edit("other-app.db", 68, 0x1234_5678);
    let missing = d.join("missing.db");
    let out = d.join("out.einfp");
    let outs = ["--out", s(&out)];

    let before = snapshot(&d);
    let refused = |args: &[&str], wanted: &[&str]| {
        let err = fails(args);
        assert!(err.starts_with("einf: "), "{err}");
        for w in wanted {
            assert!(err.contains(w), "einf {args:?}: wanted {w:?} in: {err}");
        }
        assert!(snapshot(&d) == before, "einf {args:?} changed or made a file");
    };

    // A device the store does not have: the store's devices are listed.
    refused(
        &["train", "--db", s(&qed), "--device", "nosuch", "--out", s(&out)],
        &["unknown device 'nosuch'", "qed.db", "known: ", "pixel4-gpu-tflite-fp16"],
    );
    refused(&["evaluate", "--db", s(&nstore), "--device", "nosuch"], &["(known: neurstrucenergy-cuda)"]);
    // A device with end-to-end rows only: no kernel rows to train or evaluate on.
    let cpu = "a03s-1large-tflite-fp32";
    refused(&["train", "--db", s(&qed), "--device", cpu, "--out", s(&out)], &["no kernel measurements", cpu]);
    refused(
        &["evaluate", "--db", s(&qed), "--device", cpu],
        &[&format!(
            "device '{cpu}' has no kernel measurements and no model measurements with known kernels (102 model rows)"
        )],
    );
    refused(
        &["evaluate", "--db", s(&e2e_only)],
        &[
            "e2e.db: no device has kernel measurements or model measurements with known kernels to evaluate (90 device(s))",
        ],
    );
    // A metric the device lacks: the metrics it has are named.
    for cmd in ["train", "evaluate"] {
        let mut args = vec![cmd, "--db", s(&qed), "--device", "pixel4-gpu", "--metric", "power"];
        if cmd == "train" {
            args.extend(outs);
        }
        refused(&args, &["device 'pixel4-gpu-tflite-fp16' has no power measurements (it has: latency)"]);
    }
    refused(
        &["train", "--db", s(&nstore), "--device", "neurstruc", "--metric", "power", "--out", s(&out)],
        &["device 'neurstrucenergy-cuda' has no power measurements (it has: energy, latency)"],
    );
    // An ambiguous prefix lists the devices it starts.
    for cmd in ["train", "evaluate"] {
        let mut args = vec![cmd, "--db", s(&qed), "--device", "pixel4"];
        if cmd == "train" {
            args.extend(outs);
        }
        refused(
            &args,
            &[
                "device 'pixel4' is ambiguous",
                "pixel4-1large-tflite-fp32",
                "pixel4-gpu-tflite-fp16",
                "type more",
            ],
        );
    }
    // Files that are not einf stores, and a store of a newer einf.
    let nat = |p: &Path| format!("{}: not an einf store: ", p.display());
    for (db, why) in [
        (&text, format!("{}not a SQLite database", nat(&text))),
        (&empty, format!("{}an empty file", nat(&empty))),
        (&foreign, format!("{}it is a SQLite database with", nat(&foreign))),
        (&other_app, format!("{}its application id is 0x12345678", nat(&other_app))),
        (&newer, format!("{}: store schema version 99 is newer than this einf understands", newer.display())),
        (&missing, format!("{}: no store here", missing.display())),
        (&d, format!("{}: a folder, not a store (a data folder is --data)", d.display())),
    ] {
        refused(&["train", "--db", s(db), "--device", "neurstruc", "--out", s(&out)], &[&why]);
        refused(&["evaluate", "--db", s(db)], &[&why]);
    }
    refused(&["evaluate", "--db", s(&foreign)], &["of another program"]);
    // A store given as --data, --db and --data together, --device-class beside a store.
    for db in [&nstore, &newer] {
        refused(
            &["train", "--data", s(db), "--device", "neurstruc", "--out", s(&out)],
            &[&format!("{}: a SQLite store, not a CSV: give it as --db", db.display())],
        );
    }
    refused(
        &["evaluate", "--db", s(&nstore), "--data", s(&csv)],
        &["give a store (--db) or a data file or folder (--data), not both"],
    );
    refused(
        &["train", "--db", s(&nstore), "--device-class", "gpu", "--device", "neurstruc", "--out", s(&out)],
        &["--device-class is for a CSV (--data FILE.csv)"],
    );
    refused(&["evaluate", "--device-class", "gpu", "--device", "pixel4"], &["--device-class is for a CSV"]);
    // --out and --out-dir together (clap's usage error, several lines).
    let out_dir = d.join("predictors");
    let o = einf(&[
        "train",
        "--db",
        s(&nstore),
        "--device",
        "neurstruc",
        "--out",
        s(&out),
        "--out-dir",
        s(&out_dir),
    ])
    .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("'--out <FILE>' cannot be used with '--out-dir <DIR>'"), "{err}");
    assert!(snapshot(&d) == before, "nothing written");

    // The same flags with the right inputs work (the refusals above were about the input).
    let csv_train = ok(&[
        "train",
        "--data",
        s(&csv),
        "--device",
        "neurstruc",
        "--trees",
        "2",
        "--folds",
        "0",
        "--out",
        s(&out),
    ]);
    assert!(csv_train.contains(&format!("csv {}", csv.display())), "{csv_train}");
    assert!(out.exists());
}
