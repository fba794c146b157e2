//! End-to-end tests of `einf devices --db STORE`: a store's devices listed beside the bundled
//! predictors with their kernel and model rows per metric (text and JSON), the bundled part
//! unchanged, and a path that is not a store refused by name.
//!
//! The generic CSV made here is SYNTHETIC (a made-up device and values, `synthetic-board`); the
//! NeurstrucEnergy file is the real bundled one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_tests::{einf_fails, einf_ok, repo_root, scratch_dir};
use serde_json::{Value, json};
use std::path::PathBuf;

/// Kernel rows: conv-bn-relu latency on 3 configurations (one measured twice), fc latency once,
/// conv-bn-relu energy on 2; model rows: 2 models' latency, one's energy.
const SYNTHETIC: &str = "\
device,device_class,kind,model,input_h,input_w,cin,cout,kernel_h,kernel_w,stride_h,stride_w,metric,value,unit,run
synthetic-board,gpu,conv-bn-relu,,56,56,32,32,3,3,1,1,latency,0.5,ms,1
synthetic-board,gpu,conv-bn-relu,,56,56,32,32,3,3,1,1,latency,0.52,ms,2
synthetic-board,gpu,conv-bn-relu,,28,28,64,64,3,3,1,1,latency,0.4,ms,1
synthetic-board,gpu,conv-bn-relu,,14,14,128,128,3,3,1,1,latency,300,us,1
synthetic-board,gpu,fc,,1,1,1024,1000,1,1,1,1,latency,0.1,ms,1
synthetic-board,gpu,conv-bn-relu,,56,56,32,32,3,3,1,1,energy,2,mJ,1
synthetic-board,gpu,conv-bn-relu,,28,28,64,64,3,3,1,1,energy,1500,uJ,1
synthetic-board,gpu,,m1,,,,,,,,,latency,5,ms,1
synthetic-board,gpu,,m2,,,,,,,,,latency,7,ms,1
synthetic-board,gpu,,m1,,,,,,,,,energy,20,mJ,1
";

/// A store holding the synthetic device and NeurstrucEnergy's 17 whole-CNN energies (run 1).
fn store(test: &str) -> (PathBuf, String) {
    let dir = scratch_dir("devices", test);
    let csv = dir.join("synthetic.csv");
    std::fs::write(&csv, SYNTHETIC).unwrap();
    let db = dir.join("s.db");
    let neur = repo_root().join("dataset/data/neurstrucenergy/random_testset_1.txt");
    let db_s = db.to_str().unwrap().to_string();
    einf_ok(&["dataset", "--db", &db_s, "import", "--format", "csv", csv.to_str().unwrap()]);
    einf_ok(&["dataset", "--db", &db_s, "import", "--format", "neurstruc", neur.to_str().unwrap()]);
    (db, db_s)
}

#[test]
fn the_stores_devices_are_listed_with_rows_per_metric() {
    let (_, db) = store("text");
    let plain = einf_ok(&["devices"]);
    let text = einf_ok(&["devices", "--db", &db]);
    // The bundled table comes first, exactly as without --db.
    assert!(text.starts_with(&plain), "{text}");
    let rest: Vec<Vec<&str>> =
        text[plain.len()..].lines().skip(3).map(|l| l.split_whitespace().collect()).collect();
    assert!(text[plain.len()..].starts_with(&format!("\nstore {db}: 2 devices\n")), "{text}");
    // device, class, runtime, metric, kernel rows, kernels, kinds, model rows, models, bundled.
    assert_eq!(
        rest,
        [
            vec!["neurstrucenergy-cuda", "gpu", "pytorch-cuda", "energy", "0", "0", "0", "17", "17", "yes"],
            vec!["synthetic-board", "gpu", "-", "energy", "2", "2", "1", "1", "1", "-"],
            vec!["synthetic-board", "gpu", "-", "latency", "5", "4", "2", "2", "2", "-"],
        ]
    );
}

#[test]
fn json_puts_the_store_beside_the_predictors() {
    let (_, db) = store("json");
    let plain: Value = serde_json::from_str(&einf_ok(&["devices", "--json"])).unwrap();
    let v: Value = serde_json::from_str(&einf_ok(&["devices", "--db", &db, "--json"])).unwrap();
    assert_eq!(v["schema"], "einf.devices/1");
    assert_eq!(v["predictors"], plain, "the predictors' part is the JSON of `einf devices --json`");
    assert_eq!(v["store"]["db"], db.as_str());
    let devices = v["store"]["devices"].as_array().unwrap();
    let names: Vec<&str> = devices.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["neurstrucenergy-cuda", "synthetic-board"]);
    let board = &devices[1];
    assert_eq!(board["class"], "gpu");
    assert_eq!(board["measurements"], 10);
    assert_eq!(board["bundled_predictor"], false);
    assert_eq!(
        board["metrics"],
        json!({
            "energy": {"kernel_rows": 2, "kernels": 2, "kinds": 1, "model_rows": 1, "models": 1},
            "latency": {"kernel_rows": 5, "kernels": 4, "kinds": 2, "model_rows": 2, "models": 2},
        })
    );
    assert_eq!(devices[0]["bundled_predictor"], true);
    assert_eq!(devices[0]["metrics"]["energy"]["model_rows"], 17);
    // The counts agree with `einf dataset show`.
    let show: Value =
        serde_json::from_str(&einf_ok(&["dataset", "--db", &db, "show", "synthetic-board", "--json"]))
            .unwrap();
    let kernel_rows: u64 =
        show["kernels"].as_array().unwrap().iter().map(|k| k["measurements"].as_u64().unwrap()).sum();
    let rows: u64 =
        ["energy", "latency"].iter().map(|m| board["metrics"][m]["kernel_rows"].as_u64().unwrap()).sum();
    assert_eq!(rows, kernel_rows);
}

#[test]
fn a_path_that_is_not_a_store_is_the_stores_named_error() {
    let dir = scratch_dir("devices", "not-a-store");
    let text = dir.join("notes.txt");
    std::fs::write(&text, "not a database\n").unwrap();
    let e = einf_fails(&["devices", "--db", text.to_str().unwrap()]);
    assert!(e.starts_with("einf: ") && e.contains("notes.txt: not an einf store"), "{e}");
    assert_eq!(std::fs::read_to_string(&text).unwrap(), "not a database\n", "the file is left alone");
    let missing = dir.join("missing.db");
    let e = einf_fails(&["devices", "--db", missing.to_str().unwrap(), "--json"]);
    assert!(e.contains("missing.db: no store here"), "{e}");
    assert!(!missing.exists(), "no store is created");
    // A folder is not a store either.
    let e = einf_fails(&["devices", "--db", dir.to_str().unwrap()]);
    assert!(e.contains("not-a-store"), "{e}");
}
