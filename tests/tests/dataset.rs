//! End-to-end tests of `einf dataset`: every bundled data file imports with pinned row counts and
//! a second import adds nothing; the store's location (`--db`, `EINF_DB`, `einf.db`); bad input is
//! refused as `file:line: what is wrong` with a non-zero exit and a byte-identical store; an
//! import killed with SIGKILL mid-transaction leaves a sound store with none of that file.
//!
//! Measurement files made here are SYNTHETIC (made-up devices and values, named `synthetic-*`);
//! the real measurements are the bundled files under `dataset/data/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_tests::{einf_binary, repo_root};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A scratch directory under cargo's target tmp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "dataset-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn db(&self) -> PathBuf {
        self.path("einf.db")
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The `einf` command, run in `cwd` without an inherited `EINF_DB`.
fn einf_cmd(cwd: &Path, args: &[&str]) -> Command {
    let bin = einf_binary();
    assert!(bin.exists(), "{} is missing: build it first (cargo build -p einf-cli)", bin.display());
    let mut cmd = Command::new(bin);
    cmd.args(args).current_dir(cwd).env_remove("EINF_DB");
    cmd
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    einf_cmd(cwd, args).output().unwrap()
}

/// Run and expect success; the parsed `--json` output.
fn json(cwd: &Path, args: &[&str]) -> Value {
    let out = run(cwd, args);
    assert!(out.status.success(), "einf {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("einf {args:?}: {e}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).trim_end().to_string()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn data(rel: &str) -> PathBuf {
    repo_root().join("dataset/data").join(rel)
}

/// `einf dataset check --json` of `db`: ok plus row counts.
fn check(cwd: &Path, db: &Path) -> Value {
    let v = json(cwd, &["dataset", "check", "--json", "--db", s(db)]);
    assert_eq!(v["ok"], true, "{v}");
    v
}

fn count(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} in {v}"))
}

// ---------------------------------------------------------------------------------------------
// The bundled files
// ---------------------------------------------------------------------------------------------

/// Every bundled measurement file, by format, with the measurements it holds.
const BUNDLED: &[(&str, &str, u64)] = &[
    ("qed-ops", "qed-usc-mobile-ml-benchmark/tflite_cnn_ops_gpu.csv", 33_312),
    ("qed-ops", "qed-usc-mobile-ml-benchmark/torch_cnn_ops_gpu.csv", 26_234),
    ("qed-e2e", "qed-usc-mobile-ml-benchmark/tflite_cnn_e2e.csv", 9_180),
    ("neurstruc", "neurstrucenergy/conv2d.txt", 1_998),
    ("neurstruc", "neurstrucenergy/conv2d_PreVIousNet.txt", 112),
    ("neurstruc", "neurstrucenergy/custom_testset_1.txt", 5),
    ("neurstruc", "neurstrucenergy/custom_testset_2.txt", 5),
    ("neurstruc", "neurstrucenergy/custom_testset_3.txt", 5),
    ("neurstruc", "neurstrucenergy/random_testset_1.txt", 17),
    ("neurstruc", "neurstrucenergy/random_testset_2.txt", 17),
    ("neurstruc", "neurstrucenergy/random_testset_3.txt", 17),
    ("mlperf-tiny", "mlperf-tiny-energy/mlperf_tiny_results_v0.5-v1.3.csv", 581),
    ("help", "help-nasbench201-fbnet-latency/fbnet_latency_ms.csv", 135_000),
    ("help", "help-nasbench201-fbnet-latency/nasbench201_latency_ms.csv", 421_875),
];

/// Import the bundled files one format at a time (one command per format).
fn import_bundled(dir: &Scratch) -> Vec<Value> {
    let mut formats: Vec<&str> = BUNDLED.iter().map(|(f, _, _)| *f).collect();
    formats.dedup();
    let db = dir.db();
    let mut files = Vec::new();
    for format in formats {
        let paths: Vec<PathBuf> =
            BUNDLED.iter().filter(|(f, _, _)| *f == format).map(|(_, p, _)| data(p)).collect();
        let mut args = vec!["dataset", "import", "--json", "--db", s(&db), "--format", format];
        args.extend(paths.iter().map(|p| s(p)));
        let v = json(&dir.0, &args);
        assert_eq!(v["schema"], "einf.dataset.import/1");
        files.extend(v["files"].as_array().unwrap().iter().cloned());
    }
    files
}

#[test]
fn every_bundled_file_imports_with_pinned_counts_and_a_second_import_adds_nothing() {
    let dir = Scratch::new("bundled");
    let db = dir.db();
    let files = import_bundled(&dir);
    assert_eq!(files.len(), BUNDLED.len());
    for ((format, rel, rows), f) in BUNDLED.iter().zip(&files) {
        assert_eq!(f["status"], "imported", "{rel}: {f}");
        assert_eq!(f["format"], *format, "{rel}");
        assert_eq!(count(f, "rows"), *rows, "{rel}: measurements");
        assert_eq!(f["file"], rel.rsplit('/').next().unwrap(), "{rel}");
        assert!(f["provenance"].as_str().unwrap().len() > 20, "{rel}: provenance is stored");
    }
    let total: u64 = BUNDLED.iter().map(|(_, _, n)| n).sum();
    let first = check(&dir.0, &db);
    assert_eq!(count(&first, "measurements"), total);
    assert_eq!(count(&first, "imports"), BUNDLED.len() as u64);

    // Again: every file is known by its sha256, nothing is written, the file is byte-identical.
    let before = std::fs::read(&db).unwrap();
    let again = import_bundled(&dir);
    for (f, g) in files.iter().zip(&again) {
        assert_eq!(g["status"], "already_imported", "{g}");
        assert_eq!(g["id"], f["id"]);
        assert_eq!(g["sha256"], f["sha256"]);
    }
    assert!(std::fs::read(&db).unwrap() == before, "a second import changed the store file");
    assert_eq!(check(&dir.0, &db), first);

    // The devices the files name are listed with their counts; they add up to the total.
    let devices = json(&dir.0, &["dataset", "devices", "--json", "--db", s(&db)]);
    let devices = devices["devices"].as_array().unwrap();
    assert_eq!(devices.len() as u64, count(&first, "devices"));
    assert_eq!(devices.iter().map(|d| count(d, "measurements")).sum::<u64>(), total);
}

// ---------------------------------------------------------------------------------------------
// Store location, the other subcommands, output
// ---------------------------------------------------------------------------------------------

const MLPERF: &str = "mlperf-tiny-energy/mlperf_tiny_results_v0.5-v1.3.csv";

#[test]
fn the_store_is_einf_db_in_the_working_directory_unless_einf_db_or_db_say_otherwise() {
    let dir = Scratch::new("location");
    let file = data(MLPERF);
    let import = ["dataset", "import", "--format", "mlperf-tiny", s(&file)];

    let out = run(&dir.0, &import);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.db().exists(), "einf.db in the working directory");
    // No progress bar (or anything else) on a stderr that is not a terminal.
    assert_eq!(stderr(&out), "");

    let env_db = dir.path("from-env.db");
    let out = einf_cmd(&dir.0, &import).env("EINF_DB", &env_db).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(env_db.exists());

    let flag_db = dir.path("from-flag.db");
    let mut args = import.to_vec();
    args.extend(["--db", s(&flag_db)]);
    let out = einf_cmd(&dir.0, &args).env("EINF_DB", &env_db).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(flag_db.exists());
    // The file went to the flag's store: new there, while EINF_DB's store already had it.
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 581 measurements"));
    for db in [dir.db(), env_db, flag_db] {
        assert_eq!(count(&check(&dir.0, &db), "imports"), 1, "{}", db.display());
    }

    // Reading commands do not create a store.
    let out = run(&dir.0, &["dataset", "devices", "--db", s(&dir.path("missing.db"))]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("missing.db: no store here"), "{}", stderr(&out));
    assert!(!dir.path("missing.db").exists());
}

#[test]
fn a_store_of_a_newer_einf_and_other_files_are_refused_untouched() {
    let dir = Scratch::new("versions");
    let db = dir.db();
    let out =
        run(&dir.0, &["dataset", "import", "--db", s(&db), "--format", "mlperf-tiny", s(&data(MLPERF))]);
    assert!(out.status.success(), "{}", stderr(&out));
    // `PRAGMA user_version` is the big-endian u32 at byte 60 of a SQLite file's header.
    let mut bytes = std::fs::read(&db).unwrap();
    bytes[60..64].copy_from_slice(&99u32.to_be_bytes());
    std::fs::write(&db, &bytes).unwrap();
    let e2e = data("qed-usc-mobile-ml-benchmark/tflite_cnn_e2e.csv");
    for args in [
        vec!["dataset", "devices", "--db", s(&db)],
        vec!["dataset", "import", "--db", s(&db), "--format", "qed-e2e", s(&e2e)],
    ] {
        let out = run(&dir.0, &args);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(
            err.contains("einf.db: store schema version 99 is newer than this einf understands"),
            "{err}"
        );
        assert!(std::fs::read(&db).unwrap() == bytes, "the newer store was changed");
    }

    let text = dir.write("notes.db", &"not a database, only text ".repeat(40));
    let out =
        run(&dir.0, &["dataset", "import", "--db", s(&text), "--format", "mlperf-tiny", s(&data(MLPERF))]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("notes.db: not an einf store"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&text).unwrap(), "not a database, only text ".repeat(40));
}

#[test]
fn devices_show_and_export_report_what_was_imported() {
    let dir = Scratch::new("show");
    let db = dir.db();
    let file = data("qed-usc-mobile-ml-benchmark/tflite_cnn_ops_gpu.csv");
    let out = run(&dir.0, &["dataset", "import", "--db", s(&db), "--format", "qed-ops", s(&file)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("tflite_cnn_ops_gpu.csv: imported 33312 measurements as import 1"), "{text}");

    // The same bytes under another format are refused, naming both, and the store is unchanged.
    let before = std::fs::read(&db).unwrap();
    let out = run(&dir.0, &["dataset", "import", "--db", s(&db), "--format", "qed-e2e", s(&file)]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("already in the store as import 1 of 'tflite_cnn_ops_gpu.csv', read as qed-ops; not read again as qed-e2e"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&db).unwrap(), before);

    let devices = json(&dir.0, &["dataset", "devices", "--json", "--db", s(&db)]);
    let devices = devices["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 6, "six phones");
    assert!(devices.iter().all(|d| d["class"] == "gpu" && d["metrics"] == serde_json::json!(["latency"])));
    let name = devices[0]["name"].as_str().unwrap().to_string();

    let show = json(&dir.0, &["dataset", "show", &name, "--json", "--db", s(&db)]);
    assert_eq!(show["schema"], "einf.dataset.show/1");
    assert_eq!(show["device"]["name"], name.as_str());
    let kinds = show["kernels"].as_array().unwrap();
    assert!(kinds.iter().any(|k| k["kind"] == "conv-bn-relu" && k["unit"] == "ms"), "{show}");
    let per_kind: u64 = kinds.iter().map(|k| count(k, "measurements")).sum();
    assert_eq!(
        per_kind + show["models"][0]["measurements"].as_u64().unwrap_or(0),
        count(&show["device"], "measurements")
    );
    assert_eq!(show["imports"][0]["file"], "tflite_cnn_ops_gpu.csv");

    // The human table names the device and the kinds.
    let out = run(&dir.0, &["dataset", "show", &name, "--db", s(&db)]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with(&format!("device {name} (gpu)")), "{text}");
    assert!(text.contains("conv-bn-relu"), "{text}");

    // A unique prefix selects the device; an ambiguous or unknown one lists the candidates.
    let prefix = name.split('-').next().unwrap();
    let out = run(&dir.0, &["dataset", "show", prefix, "--db", s(&db)]);
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with(&format!("device {name} (gpu)")),
        "{}",
        stderr(&out)
    );
    let out = run(&dir.0, &["dataset", "export", "--format", "csv", "--device", prefix, "--db", s(&db)]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 5_557, "{}", stderr(&out));
    let out = run(&dir.0, &["dataset", "show", "no-such-phone", "--db", s(&db)]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("unknown device 'no-such-phone' (known: "), "{}", stderr(&out));
    let out = run(&dir.0, &["dataset", "show", "i", "--db", s(&db)]);
    assert!(stderr(&out).contains("iphone7-gpu-tflite-fp16, iphonexs-gpu-tflite-fp16"), "{}", stderr(&out));

    // Exports: one row per measurement, canonical units, every device or one.
    let out = run(&dir.0, &["dataset", "export", "--format", "csv", "--db", s(&db)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(lines.count(), 33_312);
    assert!(header.contains(&"unit") && header.contains(&"file_sha256"), "{header:?}");

    let jsonl = dir.path("one.jsonl");
    let out = run(
        &dir.0,
        &["dataset", "export", "--format", "jsonl", "--device", &name, "-o", s(&jsonl), "--db", s(&db)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<Value> =
        std::fs::read_to_string(&jsonl).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len() as u64, count(&show["device"], "measurements"));
    assert!(
        rows.iter()
            .all(|r| r["device"] == name.as_str() && r["unit"] == "ms" && r["value"].as_f64().unwrap() > 0.0)
    );
}

#[test]
fn show_says_how_many_models_measured_whole_have_their_kernels() {
    let dir = Scratch::new("linked");
    let db = dir.db();
    for (format, rel) in [
        ("qed-ops", "qed-usc-mobile-ml-benchmark/tflite_cnn_ops_gpu.csv"),
        ("qed-e2e", "qed-usc-mobile-ml-benchmark/tflite_cnn_e2e.csv"),
        ("neurstruc", "neurstrucenergy/random_testset_1.txt"),
    ] {
        let out = run(&dir.0, &["dataset", "import", "--db", s(&db), "--format", format, s(&data(rel))]);
        assert!(out.status.success(), "{rel}: {}", stderr(&out));
    }
    // qed-usc: the end-to-end rows of the GPU delegate link to the kernels measured inside each
    // model; the CPU rows have none. NeurstrucEnergy: each CNN's layers are its graph.
    for (device, text) in [
        ("pixel4-gpu-tflite-fp16", "102 models measured whole (102 with their kernels)"),
        ("pixel4-1large-tflite-fp32", "102 models measured whole (0 with their kernels)"),
        ("neurstrucenergy-cuda", "17 models measured whole (17 with their kernels)"),
    ] {
        let out = run(&dir.0, &["dataset", "show", device, "--db", s(&db)]);
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(text),
            "{device}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    let show = json(&dir.0, &["dataset", "show", "neurstrucenergy-cuda", "--json", "--db", s(&db)]);
    assert_eq!(count(&show, "models_linked"), 17);
    assert_eq!(count(&check(&dir.0, &db), "graphs"), 17);
}

// ---------------------------------------------------------------------------------------------
// Bad input: file:line, non-zero exit, byte-identical store
// ---------------------------------------------------------------------------------------------

/// The generic CSV header used by the synthetic files below.
const CSV_HEADER: &str = "device,device_class,kind,model,input_h,input_w,cin,cout,kernel_h,kernel_w,stride_h,stride_w,pad_top,pad_left,pad_bottom,pad_right,metric,value,unit";

/// A good SYNTHETIC generic CSV row: a made-up conv kernel's energy on a made-up device.
fn csv_row(cin: u32, metric: &str, value: &str, unit: &str) -> String {
    format!("synthetic-phone-gpu,gpu,conv-bn-relu,,28,28,{cin},32,3,3,1,1,1,1,1,1,{metric},{value},{unit}")
}

/// A SYNTHETIC generic CSV: a header, three good rows, then `bad` (on line 5).
fn csv_with(bad: &str) -> String {
    let good: Vec<String> = (1..=3).map(|i| csv_row(8 * i, "energy", "1.5", "mJ")).collect();
    format!("{CSV_HEADER}\n{}\n{bad}\n", good.join("\n"))
}

/// Import `file` as `format` into a store that holds one earlier import; expect a non-zero exit,
/// one line `einf: <file>:<line>: <what>` and the store byte for byte as before.
fn refused(case: &str, format: &str, file: &Path, line: usize, what: &str, extra: &[&str]) {
    let dir = Scratch::new("refused");
    let db = dir.db();
    let out =
        run(&dir.0, &["dataset", "import", "--db", s(&db), "--format", "mlperf-tiny", s(&data(MLPERF))]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = std::fs::read(&db).unwrap();

    let mut args = vec!["dataset", "import", "--db", s(&db), "--format", format, s(file)];
    args.extend(extra);
    let out = run(&dir.0, &args);
    assert!(!out.status.success(), "{case}: accepted");
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{case}: {err}");
    let at = format!("einf: {}:{line}: ", file.display());
    assert!(err.starts_with(&at), "{case}: expected '{at}...', got '{err}'");
    assert!(err.contains(what), "{case}: expected '{what}' in '{err}'");
    assert!(std::fs::read(&db).unwrap() == before, "{case}: the store file changed");
    assert!(!dir.path("einf.db-journal").exists(), "{case}: a journal was left behind");
}

#[test]
fn bad_generic_csv_files_are_refused_with_file_and_line_and_the_store_untouched() {
    let dir = Scratch::new("bad-csv");
    let cases: &[(&str, String, usize, &str)] = &[
        ("non-numeric value", csv_with(&csv_row(64, "energy", "fast", "mJ")), 5, "value"),
        ("NaN value", csv_with(&csv_row(64, "energy", "NaN", "mJ")), 5, "value"),
        ("infinite value", csv_with(&csv_row(64, "energy", "inf", "mJ")), 5, "value"),
        ("negative energy", csv_with(&csv_row(64, "energy", "-2", "mJ")), 5, "energy"),
        ("zero latency", csv_with(&csv_row(64, "latency", "0", "ms")), 5, "latency"),
        ("unknown unit", csv_with(&csv_row(64, "energy", "2", "kcal")), 5, "kcal"),
        ("unit of another quantity", csv_with(&csv_row(64, "energy", "2", "ms")), 5, "ms"),
        ("duplicate key", csv_with(&csv_row(8, "energy", "2", "mJ")), 5, "duplicate"),
        (
            "unknown kernel kind",
            csv_with(&csv_row(64, "energy", "2", "mJ").replace("conv-bn-relu", "warp-drive")),
            5,
            "warp-drive",
        ),
        (
            "wrong column count",
            csv_with(&format!("{},extra", csv_row(64, "energy", "2", "mJ"))),
            5,
            "columns",
        ),
    ];
    for (case, text, line, what) in cases {
        let file = dir.write("synthetic-bad.csv", text);
        refused(case, "csv", &file, *line, what, &[]);
    }
    // A file cut mid-row (no final newline): the last line is short.
    let whole = csv_with(&csv_row(64, "energy", "2", "mJ"));
    let cut = &whole[..whole.len() - 12];
    let file = dir.write("synthetic-cut.csv", cut);
    refused("truncated CSV", "csv", &file, 5, "truncated", &[]);
}

/// The SYNTHETIC generic CSV with `model_file` and `arch` rows of the dataset crate's tests,
/// with its model files copied beside it into `dir` (its paths made relative to `dir`).
fn linked_csv(dir: &Scratch) -> String {
    for rel in ["onnx-light/light_resnet50.onnx", "mlperf-tiny-tflite/vww_96_float.tflite"] {
        let to = dir.path("models").join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(einf_tests::fixture(rel), to).unwrap();
    }
    let text = std::fs::read_to_string(
        repo_root().join("dataset/tests/data/import/csv/synthetic_linked_models.csv"),
    );
    text.unwrap().replace("../../../../../tests/fixtures/models/", "models/")
}

#[test]
fn model_rows_linked_by_model_file_and_arch_import_all_linked_once() {
    let dir = Scratch::new("linked-csv");
    let db = dir.db();
    let file = dir.write("synthetic-linked.csv", &linked_csv(&dir));
    let import = || run(&dir.0, &["dataset", "import", "--db", s(&db), "--format", "csv", s(&file)]);
    let out = import();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("7 models, 7 new; 28 model graphs, 28 new)"), "{text}");
    let show = json(&dir.0, &["dataset", "show", "synthetic-linked-gpu", "--json", "--db", s(&db)]);
    assert_eq!((count(&show["device"], "models"), count(&show, "models_linked")), (7, 7));
    let before = std::fs::read(&db).unwrap();
    let out = import();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("already in the store"));
    assert!(std::fs::read(&db).unwrap() == before, "a second import changed the store");
    assert_eq!(count(&check(&dir.0, &db), "graphs"), 28);
}

#[test]
fn bad_model_links_are_refused_with_file_and_line_and_the_store_untouched() {
    let dir = Scratch::new("bad-links");
    let good = linked_csv(&dir);
    let cases: &[(&str, usize, &str, &str, &str)] = &[
        (
            "missing model_file",
            2,
            "light_resnet50.onnx",
            "gone.onnx",
            "model_file 'models/onnx-light/gone.onnx': ",
        ),
        (
            "altered model_sha256",
            3,
            ".onnx,,,",
            &format!(".onnx,,{},", "0".repeat(64)),
            "is not the sha256 of model_file 'models/onnx-light/light_resnet50.onnx'",
        ),
        ("unknown space", 5, "nb201:", "darts:", "arch: unknown space 'darts'"),
        ("malformed candidate", 6, "fbnet:7 8 1 ", "fbnet:7 8 19 ", "arch: malformed fbnet candidate"),
        (
            "arch on a kernel row",
            10,
            "conv-bn-relu,,,",
            "conv-bn-relu,,,zoo:resnet18",
            "arch on a kernel row",
        ),
    ];
    for (case, line, from, to, what) in cases {
        let text: Vec<String> = good
            .lines()
            .enumerate()
            .map(|(i, l)| if i + 1 == *line { l.replacen(from, to, 1) } else { l.to_string() })
            .collect();
        assert_ne!(text.join("\n"), good.trim_end(), "{case}: nothing replaced");
        let file = dir.write("synthetic-bad-links.csv", &(text.join("\n") + "\n"));
        refused(case, "csv", &file, *line, what, &[]);
    }
}

#[test]
fn bad_bundled_format_files_are_refused_with_file_and_line_and_the_store_untouched() {
    let dir = Scratch::new("bad-qed");
    let text = std::fs::read_to_string(data("qed-usc-mobile-ml-benchmark/tflite_cnn_ops_gpu.csv")).unwrap();
    // The real file cut in the middle of its 101st line.
    let cut_at = text.match_indices('\n').nth(99).unwrap().0 + 20;
    let file = dir.write("tflite_cnn_ops_gpu.csv", &text[..cut_at]);
    refused("truncated qed-ops table", "qed-ops", &file, 101, "", &[]);

    // One that ends cleanly but has a non-numeric latency (µs) on line 3.
    let mut lines: Vec<String> = text.lines().take(10).map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header.iter().position(|h| *h == "pixel4|gpu|float").unwrap();
    let mut fields: Vec<String> = lines[2].split(',').map(str::to_string).collect();
    fields[col] = "n/a".into();
    lines[2] = fields.join(",");
    let file = dir.write("tflite_cnn_ops_gpu.csv", &(lines.join("\n") + "\n"));
    refused("non-numeric qed-ops latency", "qed-ops", &file, 3, "n/a", &[]);
}

#[test]
fn an_nn_meter_config_with_missing_fields_is_refused() {
    let dir = Scratch::new("bad-json");
    // SYNTHETIC nn-Meter JSON: made-up kernels; the second config lacks COUT (line 4).
    let text = "{\"conv-bn-relu\": {\n\
                \"synthetic-1\": {\"config\": {\"HW\": 28, \"CIN\": 16, \"COUT\": 32, \"KERNEL_SIZE\": 3, \"STRIDES\": 1}, \"latency\": \"1.5 +- 0.1\"},\n\
                \"synthetic-2\": {\"config\": {\"HW\": 28, \"CIN\": 16, \"COUT\": 64, \"KERNEL_SIZE\": 3, \"STRIDES\": 1}, \"latency\": 2.5},\n\
                \"synthetic-3\": {\"config\": {\"HW\": 28, \"CIN\": 16, \"KERNEL_SIZE\": 3, \"STRIDES\": 1}, \"latency\": 3.5}\n\
                }}\n";
    let file = dir.write("synthetic-nn-meter.json", text);
    refused("JSON config without COUT", "nn-meter", &file, 4, "COUT", &["--device", "synthetic-phone-gpu"]);

    // The same file with COUT imports (3 kernels).
    let good = dir.write(
        "synthetic-good.json",
        &text.replace("\"CIN\": 16, \"KERNEL", "\"CIN\": 16, \"COUT\": 8, \"KERNEL"),
    );
    let v = json(
        &dir.0,
        &["dataset", "import", "--json", "--format", "nn-meter", "--device", "synthetic-phone-gpu", s(&good)],
    );
    assert_eq!(v["files"][0]["rows"], 3, "{v}");
}

#[test]
fn a_deepen_pair_is_one_import_keyed_by_both_files() {
    let dir = Scratch::new("pair");
    // SYNTHETIC DeepEn2023-style pair: made-up kernels, made-up energies (mJ).
    let configs = dir.write(
        "synthetic-configs.json",
        "{\"conv-bn-relu\": {\n\
         \"synthetic-1\": {\"config\": {\"HW\": 28, \"CIN\": 16, \"COUT\": 32, \"KERNEL_SIZE\": 3, \"STRIDES\": 1}},\n\
         \"synthetic-2\": {\"config\": {\"HW\": 28, \"CIN\": 16, \"COUT\": 64, \"KERNEL_SIZE\": 3, \"STRIDES\": 1}}\n\
         }}\n",
    );
    let energies = dir.write(
        "synthetic-energies.json",
        "{\"conv-bn-relu\": {\n\"synthetic-1\": {\"energy\": 0.87},\n\"synthetic-2\": {\"energy\": 1.5}\n}}\n",
    );
    let args = [
        "dataset",
        "import",
        "--json",
        "--format",
        "nn-meter",
        "--device",
        "synthetic-phone-gpu",
        s(&energies),
        "--configs",
        s(&configs),
    ];
    let v = json(&dir.0, &args);
    let f = &v["files"][0];
    assert_eq!((f["status"].as_str(), f["rows"].as_u64()), (Some("imported"), Some(2)), "{v}");
    assert_eq!(f["file"], "synthetic-energies.json (configs synthetic-configs.json)");
    let again = json(&dir.0, &args);
    assert_eq!(again["files"][0]["status"], "already_imported", "{again}");

    // Other configurations for the same energies are another import.
    let other = dir.write(
        "synthetic-configs-2.json",
        &std::fs::read_to_string(&configs).unwrap().replace("\"HW\": 28", "\"HW\": 14"),
    );
    let mut args = args.to_vec();
    let last = args.len() - 1;
    args[last] = s(&other);
    let v = json(&dir.0, &args);
    assert_eq!(v["files"][0]["status"], "imported", "{v}");
    assert_eq!(count(&check(&dir.0, &dir.db()), "measurements"), 4);
}

// ---------------------------------------------------------------------------------------------
// SIGKILL mid-import: all or nothing
// ---------------------------------------------------------------------------------------------

/// Rows of the SYNTHETIC generic CSV the killed import reads.
const KILL_ROWS: usize = 1_000_000;

/// Write a SYNTHETIC generic CSV of `rows` rows (made-up devices, kernels and values).
fn write_synthetic_csv(path: &Path, rows: usize) {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "device,device_class,kind,input_h,input_w,cin,cout,kernel_h,kernel_w,metric,value,unit")
        .unwrap();
    for i in 0..rows {
        let (kernel, metric) = (i / 2, if i % 2 == 0 { "energy,0.5,mJ" } else { "latency,1.25,ms" });
        let (device, k) = (kernel / 50_000, kernel % 50_000);
        writeln!(
            out,
            "synthetic-device-{device},gpu,conv-bn-relu,28,28,{},{},3,3,{metric}",
            1 + k % 250,
            1 + k / 250
        )
        .unwrap();
    }
    out.flush().unwrap();
}

#[test]
fn an_import_killed_mid_transaction_leaves_a_sound_store_without_that_file() {
    use std::os::unix::process::ExitStatusExt;
    let dir = Scratch::new("sigkill");
    let db = dir.db();
    let journal = dir.path("einf.db-journal");
    let out =
        run(&dir.0, &["dataset", "import", "--db", s(&db), "--format", "mlperf-tiny", s(&data(MLPERF))]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = check(&dir.0, &db);

    let big = dir.path("synthetic-1m.csv");
    write_synthetic_csv(&big, KILL_ROWS);
    let mut child = einf_cmd(&dir.0, &["dataset", "import", "--db", s(&db), "--format", "csv", s(&big)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The rollback journal exists from the import transaction's first write to its commit.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
    while !journal.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the import ended before it was killed: {status}");
        }
        assert!(std::time::Instant::now() < deadline, "the import never started writing");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    // Well into the transaction: rows are being written.
    std::thread::sleep(std::time::Duration::from_millis(1000));
    let killed_mid_transaction = journal.exists();
    let kill = Command::new("kill").args(["-9", &child.id().to_string()]).status().unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "not killed: {status}");
    assert!(killed_mid_transaction, "the import committed before it was killed (too fast for this test)");

    // Reopened, the store rolls the hot journal back: sound, and none of the file.
    let after = check(&dir.0, &db);
    assert_eq!(after, before, "the killed import left rows behind");
    let devices = json(&dir.0, &["dataset", "devices", "--json", "--db", s(&db)]);
    assert!(
        devices["devices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| !d["name"].as_str().unwrap().starts_with("synthetic"))
    );

    // And it takes the next import as usual.
    let e2e = data("qed-usc-mobile-ml-benchmark/tflite_cnn_e2e.csv");
    let out = run(&dir.0, &["dataset", "import", "--db", s(&db), "--format", "qed-e2e", s(&e2e)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(count(&check(&dir.0, &db), "measurements"), count(&before, "measurements") + 9_180);
    assert!(!journal.exists(), "a journal was left behind after the next import");
}

#[test]
fn extreme_values_and_dimensions_are_refused_unless_allowed() {
    let dir = Scratch::new("extreme");
    let db = dir.db();
    // SYNTHETIC rows: a latency of 1e300 s and a map side of 99,999,999,999.
    let cases = [
        (
            "huge.csv",
            "device,device_class,kind,model,metric,value,unit\nx-gpu,gpu,,net,latency,1e300,s\n",
            "latency 1e303 ms is outside 1e-9..1e12 ms",
        ),
        (
            "wide.csv",
            "device,device_class,kind,input_h,input_w,cin,cout,metric,value,unit\nx-gpu,gpu,conv-bn-relu,99999999999,8,3,8,latency,1,ms\n",
            "kernel dimension 99999999999 is above 2^31",
        ),
    ];
    for (name, text, why) in cases {
        let file = dir.path(name);
        std::fs::write(&file, text).unwrap();
        let out = run(&dir.0, &["dataset", "import", "--db", s(&db), "--format", "csv", s(&file)]);
        assert!(!out.status.success());
        let err = stderr(&out);
        assert!(err.contains(&format!("{name}:2: {why}")) && err.contains("--allow-extreme"), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        let out = run(
            &dir.0,
            &["dataset", "import", "--db", s(&db), "--format", "csv", "--allow-extreme", s(&file)],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
}
