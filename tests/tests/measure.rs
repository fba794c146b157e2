//! `einf measure` end to end, on the synthetic traces of `dataset/tests/data/trace/` (written by
//! `reference.py` with numpy, which also computed the expected numbers independently).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_tests::{einf, repo_root};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn data(name: &str) -> PathBuf {
    repo_root().join("dataset/tests/data/trace").join(name)
}

fn arg(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn reference() -> Value {
    serde_json::from_str(&std::fs::read_to_string(data("reference_output.json")).unwrap()).unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[track_caller]
fn assert_rel(actual: f64, expected: f64, rel: f64) {
    let scale = actual.abs().max(expected.abs());
    assert!((actual - expected).abs() <= rel * scale, "{actual} vs {expected}");
}

fn run(args: &[&str]) -> Output {
    einf(args).unwrap()
}

#[track_caller]
fn ok_json(out: &Output) -> Value {
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `einf measure` of `trace` in `windows`, then the flags written in `flags` (split at spaces).
fn measure_args<'a>(trace: &'a str, windows: &'a str, flags: &'a str) -> Vec<&'a str> {
    let mut args = vec!["measure", "--power", trace, "--windows", windows];
    args.extend(flags.split_whitespace());
    args
}

/// The Monsoon-like case's flags, as reference.py measured it.
fn monsoon_args<'a>(trace: &'a str, windows: &'a str) -> Vec<&'a str> {
    measure_args(trace, windows, "--guard-ms 500 --drop-warmup 3 --drop-phaseout 2")
}

/// A temporary directory of its own per test.
fn tempdir(name: &str) -> PathBuf {
    einf_tests::scratch_dir("measure", name)
}

#[test]
fn monsoon_json_matches_the_numpy_reference() {
    let (trace, windows) = (data("synthetic_monsoon_5khz.csv"), data("synthetic_monsoon_5khz_windows.csv"));
    let mut args = monsoon_args(arg(&trace), arg(&windows));
    args.push("--json");
    let got = ok_json(&run(&args));
    let want = &reference()["cases"]["monsoon_5khz"];
    assert_eq!(got["schema"], "einf.measure/1");
    assert_eq!(got["mode"], want["mode"]);
    assert_rel(num(&got["baseline"]["power_mw"]), num(&want["baseline_mw"]), 1e-9);
    for key in ["energy_mj", "latency_ms", "power_mw"] {
        for stat in ["mean", "std"] {
            assert_rel(num(&got["summary"][key][stat]), num(&want["summary"][key][stat]), 1e-9);
        }
        assert_eq!(got["summary"][key]["count"], 195);
    }
    let rows = got["rows"].as_array().unwrap();
    let want_rows = want["rows"].as_array().unwrap();
    assert_eq!(rows.len(), want_rows.len());
    for (a, b) in rows.iter().zip(want_rows) {
        assert_eq!(a["index"], b["index"]);
        assert_rel(num(&a["energy_mj"]), num(&b["energy_mj"]), 1e-9);
    }
}

#[test]
fn monsoon_text_table() {
    let (trace, windows) = (data("synthetic_monsoon_5khz.csv"), data("synthetic_monsoon_5khz_windows.csv"));
    let out = run(&monsoon_args(arg(&trace), arg(&windows)));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mean = num(&reference()["cases"]["monsoon_5khz"]["summary"]["energy_mj"]["mean"]);
    let energy = text.lines().find(|l| l.starts_with("energy ")).unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<&str> = energy.split_whitespace().collect();
    assert_eq!((cells[1], cells[4]), ("mJ", "195"), "{energy}");
    assert_rel(cells[2].parse().unwrap(), mean, 1e-5);
    assert!(text.contains("200 (3 warm-up, 2 phase-out dropped)"), "{text}");
    assert!(text.contains("mode      per inference"), "{text}");
}

#[test]
fn usb_meter_phases() {
    let (trace, windows) =
        (data("synthetic_usb_meter_400ms.csv"), data("synthetic_usb_meter_400ms_windows.csv"));
    let (trace, windows) = (arg(&trace), arg(&windows));
    let out = run(&measure_args(trace, windows, "--guard-ms 2000 --drop-warmup 5 --phase on --json"));
    let got = ok_json(&out);
    let want = &reference()["cases"]["usb_meter_400ms"];
    assert_eq!(got["mode"], "phase");
    assert_eq!(got["phases"].as_array().unwrap().len(), 3);
    assert_rel(num(&got["summary"]["energy_mj"]["mean"]), num(&want["summary"]["energy_mj"]["mean"]), 1e-9);
    // `--phase off` integrates each 15 ms window on the curve through 400 ms samples: allowed.
    let off = ok_json(&run(&measure_args(trace, windows, "--guard-ms 2000 --phase off --json")));
    assert_eq!(off["mode"], "per_inference");
    assert!(off["phases"].as_array().unwrap().is_empty());
}

#[test]
fn store_writes_once_and_exports() {
    let dir = tempdir("store");
    let db = dir.join("einf.db");
    let (trace, windows) = (data("synthetic_monsoon_5khz.csv"), data("synthetic_monsoon_5khz_windows.csv"));
    let mut args = monsoon_args(arg(&trace), arg(&windows));
    args.extend([
        "--store",
        "--db",
        arg(&db),
        "--device",
        "synthetic-phone",
        "--class",
        "cpu",
        "--model",
        "synthetic",
    ]);
    args.push("--json");
    let first = ok_json(&run(&args));
    assert_eq!(first["stored"]["status"], "imported", "{first}");
    assert_eq!(first["stored"]["rows"], 3);
    assert_eq!(first["stored"]["format"], "trace");
    // The same command again adds nothing; the device is now known (no --class needed).
    args.retain(|a| *a != "--class" && *a != "cpu");
    let again = ok_json(&run(&args));
    assert_eq!(again["stored"]["status"], "already_imported", "{again}");

    let export = run(&["dataset", "export", "--format", "jsonl", "--db", arg(&db)]);
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let lines: Vec<Value> =
        String::from_utf8(export.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    let want = &reference()["cases"]["monsoon_5khz"]["summary"];
    for (metric, key) in [("energy", "energy_mj"), ("latency", "latency_ms"), ("power", "power_mw")] {
        let row = lines.iter().find(|l| l["metric"] == metric).unwrap();
        assert_eq!(
            (row["device"].as_str(), row["model"].as_str()),
            (Some("synthetic-phone"), Some("synthetic"))
        );
        assert_rel(num(&row["value"]), num(&want[key]["mean"]), 1e-9);
        assert_rel(num(&row["std"]), num(&want[key]["std"]), 1e-9);
        assert_eq!(row["repetitions"], 195);
    }

    // A kernel measurement on the same trace is another import.
    let mut args = monsoon_args(arg(&trace), arg(&windows));
    args.extend(["--store", "--db", arg(&db), "--device", "synthetic-phone", "--kernel", "conv-relu"]);
    args.extend(["--kernel-config", "hw=28,cin=32,cout=64,k=3,s=1,pad=same", "--json"]);
    let kernel = ok_json(&run(&args));
    assert_eq!(kernel["stored"]["status"], "imported", "{kernel}");
    assert_eq!(kernel["stored"]["kernels_new"], 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_input_is_refused_and_the_store_untouched() {
    let dir = tempdir("bad");
    let db = dir.join("einf.db");
    let windows = data("synthetic_monsoon_5khz_windows.csv");
    // Synthetic: the fixture with `nan` in one current cell.
    let text = std::fs::read_to_string(data("synthetic_monsoon_5khz.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut cells: Vec<String> = lines[1000].split(',').map(str::to_string).collect();
    cells[1] = "nan".into();
    lines[1000] = cells.join(",");
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, lines.join("\n")).unwrap();
    let mut args = monsoon_args(arg(&bad), arg(&windows));
    args.extend(["--store", "--db", arg(&db), "--device", "d", "--class", "cpu", "--model", "m"]);
    let out = run(&args);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim(), format!("einf: {}:1001: column `current_mA`: `nan` is not finite", bad.display()));
    assert!(!db.exists(), "the store was created");

    // A device the store does not know needs --class.
    let trace = data("synthetic_monsoon_5khz.csv");
    let mut args = monsoon_args(arg(&trace), arg(&windows));
    args.extend(["--store", "--db", arg(&db), "--device", "new-device", "--model", "m"]);
    let out = run(&args);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--class"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // --store without a subject is a usage error.
    let mut args = monsoon_args(arg(&trace), arg(&windows));
    args.extend(["--store", "--db", arg(&db), "--device", "d"]);
    assert!(!run(&args).status.success());

    // Windows outside the trace: named with file:line.
    let late = dir.join("late_windows.csv");
    std::fs::write(&late, "start_us,end_us\n2000000,2010000\n99000000,99010000\n").unwrap();
    let out = run(&measure_args(arg(&trace), arg(&late), ""));
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with(&format!("einf: {}:3: window 1 ", late.display())), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--baseline IDLE_TRACE`: the idle start of the fixture cut into its own file gives the same
/// idle power as `auto` over the same stretch.
#[test]
fn idle_trace_baseline() {
    let dir = tempdir("idle");
    let (trace, windows) = (data("synthetic_monsoon_5khz.csv"), data("synthetic_monsoon_5khz_windows.csv"));
    let text = std::fs::read_to_string(&trace).unwrap();
    // Rows up to 1.0 s: the auto baseline with a 500 ms guard averages the same stretch (the first
    // window starts just after 1.5 s).
    let idle: String = text
        .lines()
        .take_while(|l| {
            l.split(',').next().and_then(|t| t.parse::<u64>().ok()).is_none_or(|t| t <= 1_000_000)
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let idle_path = dir.join("idle.csv");
    std::fs::write(&idle_path, idle).unwrap();
    let mut args = monsoon_args(arg(&trace), arg(&windows));
    args.extend(["--baseline", arg(&idle_path), "--json"]);
    let got = ok_json(&run(&args));
    assert_eq!(got["baseline"]["source"]["kind"], "idle_trace");
    let auto = num(&reference()["cases"]["monsoon_5khz"]["baseline_mw"]);
    assert_rel(num(&got["baseline"]["power_mw"]), auto, 2e-4);
    std::fs::remove_dir_all(&dir).unwrap();
}
