//! The SQLite store: schema versions, idempotent imports, one transaction per import (including
//! a process killed mid-import), refusal of bad batches with the store untouched, queries and
//! exports.
//!
//! Every batch here is SYNTHETIC: made-up devices and values built in code to exercise the
//! store, never measurements of real hardware.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_dataset::batch::{
    Device, DeviceClass, ImportBatch, KernelRecord, Measurement, Metric, ModelRecord, Subject,
};
use einf_dataset::store::{
    ExportFormat, ExportOptions, ImportOutcome, ImportSource, Progress, Store, StoreError, schema,
};
use einf_parser::ir::DType;
use einf_parser::kernel::KernelKind;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

#[path = "support/synthetic.rs"]
mod synthetic;

// ---------------------------------------------------------------------------------------------
// Synthetic batches and a scratch directory
// ---------------------------------------------------------------------------------------------

/// A scratch directory under cargo's target tmp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "store-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn db(&self) -> PathBuf {
        self.0.join("einf.db")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn synthetic_device(name: &str, class: DeviceClass) -> Device {
    Device {
        name: name.into(),
        class,
        soc: Some("synthetic-soc".into()),
        runtime: Some("synthetic-runtime".into()),
        precision: Some("fp32".into()),
        notes: Some("synthetic device for store tests".into()),
    }
}

/// A synthetic conv kernel; `i` varies the channel counts (distinct `i` < 4096 → distinct config).
fn synthetic_kernel(i: u64) -> KernelRecord {
    KernelRecord {
        kind: "conv-bn-relu".parse().unwrap(),
        config: synthetic::conv3x3(28, 8 + i % 64, 8 + i / 64),
        source_id: Some(format!("synthetic-{i}")),
        model: None,
    }
}

fn kernel_row(device: &str, k: KernelRecord, metric: Metric, value: f64, line: usize) -> Measurement {
    Measurement {
        device: device.into(),
        subject: Subject::Kernel(k),
        metric,
        value,
        std: Some(value / 10.0),
        repetitions: Some(50),
        run: None,
        line,
    }
}

fn model_row(device: &str, model: &str, metric: Metric, value: f64, run: u32, line: usize) -> Measurement {
    Measurement {
        device: device.into(),
        subject: Subject::Model(ModelRecord { name: model.into(), file_sha256: None }),
        metric,
        value,
        std: None,
        repetitions: None,
        run: Some(run),
        line,
    }
}

/// A synthetic batch: `kernels` distinct kernels × every device × energy and latency, plus one
/// model measured three times (three runs) per device.
fn synthetic_batch(devices: &[&str], kernels: u64) -> ImportBatch {
    let mut measurements = Vec::new();
    let mut line = 2;
    for d in devices {
        for i in 0..kernels {
            for (metric, value) in [(Metric::Energy, 0.5 + i as f64), (Metric::Latency, 1.25 + i as f64)] {
                measurements.push(kernel_row(d, synthetic_kernel(i), metric, value, line));
                line += 1;
            }
        }
        for run in 0..3 {
            measurements.push(model_row(
                d,
                "synthetic-net",
                Metric::Energy,
                10.0 + f64::from(run),
                run,
                line,
            ));
            line += 1;
        }
    }
    ImportBatch {
        format: "csv".into(),
        devices: devices.iter().map(|d| synthetic_device(d, DeviceClass::Gpu)).collect(),
        measurements,
        provenance: "synthetic test batch (made-up values)".into(),
        graphs: Vec::new(),
    }
}

fn source(name: &str) -> ImportSource {
    ImportSource::from_bytes(name, format!("synthetic bytes of {name}").as_bytes())
}

fn imported(outcome: ImportOutcome) -> einf_dataset::store::ImportSummary {
    match outcome {
        ImportOutcome::Imported(s) => s,
        ImportOutcome::AlreadyImported(i) => panic!("expected a new import, got the earlier {i:?}"),
    }
}

fn file_sha(path: &Path) -> String {
    einf_dataset::store::sha256_file(path).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Opening, schema versions
// ---------------------------------------------------------------------------------------------

#[test]
fn a_new_file_gets_the_current_schema() {
    let dir = Scratch::new("new");
    let store = Store::open(&dir.db()).unwrap();
    assert_eq!(store.stats().unwrap().measurements, 0);
    store.integrity_check().unwrap();
    drop(store);
    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    let version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    let app: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
    assert_eq!((version, app), (schema::SCHEMA_VERSION, schema::APPLICATION_ID));
    let journal: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(journal, "delete", "the store keeps the rollback journal (one self-contained file)");
}

#[test]
fn a_newer_file_is_refused_naming_the_file_and_both_versions() {
    let dir = Scratch::new("newer");
    drop(Store::open(&dir.db()).unwrap());
    let newer = schema::SCHEMA_VERSION + 6;
    rusqlite::Connection::open(dir.db())
        .unwrap()
        .execute_batch(&format!("PRAGMA user_version = {newer}"))
        .unwrap();
    let err = Store::open(&dir.db()).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found, supported, .. } if found == newer && supported == schema::SCHEMA_VERSION)
    );
    let msg = err.to_string();
    assert!(msg.contains("einf.db"), "{msg}");
    assert!(
        msg.contains(&format!("version {newer}"))
            && msg.contains(&format!("version {})", schema::SCHEMA_VERSION)),
        "{msg}"
    );
}

#[test]
fn an_empty_sqlite_file_is_upgraded_from_version_0() {
    let dir = Scratch::new("v0");
    // An empty SQLite file (version 0, no tables), as `sqlite3 einf.db 'VACUUM'` leaves it.
    rusqlite::Connection::open(dir.db()).unwrap().execute_batch("VACUUM").unwrap();
    let store = Store::open(&dir.db()).unwrap();
    assert_eq!(store.stats().unwrap().imports, 0);
}

#[test]
fn other_programs_files_are_refused_untouched() {
    let dir = Scratch::new("foreign");
    let db = dir.db();
    rusqlite::Connection::open(&db).unwrap().execute_batch("CREATE TABLE notes (x TEXT)").unwrap();
    let before = file_sha(&db);
    let err = Store::open(&db).unwrap_err();
    assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
    assert_eq!(file_sha(&db), before);

    let text = dir.0.join("notes.txt");
    std::fs::write(&text, "not a database at all, just some text that is long enough ".repeat(20)).unwrap();
    let err = Store::open(&text).unwrap_err();
    assert!(matches!(err, StoreError::NotAStore { .. }), "{err}");
    assert!(err.to_string().contains("notes.txt"), "{err}");
}

#[test]
fn reading_commands_need_an_existing_store() {
    let dir = Scratch::new("missing");
    let err = Store::open_existing(&dir.db()).unwrap_err();
    assert!(matches!(err, StoreError::NoStore { .. }), "{err}");
    assert!(!dir.db().exists(), "open_existing must not create the file");
}

// ---------------------------------------------------------------------------------------------
// Imports: idempotent, deduplicated kernels, devices
// ---------------------------------------------------------------------------------------------

#[test]
fn an_import_writes_every_row_once_and_a_second_import_of_the_same_bytes_adds_nothing() {
    let dir = Scratch::new("idempotent");
    let batch = synthetic_batch(&["dev-a", "dev-b"], 10);
    let src = source("a.csv");
    {
        let mut store = Store::open(&dir.db()).unwrap();
        let s = imported(store.import(&batch, &src).unwrap());
        assert_eq!(s.import.rows, 2 * (10 * 2 + 3));
        assert_eq!((s.devices, s.devices_new), (2, 2));
        assert_eq!((s.kernels, s.kernels_new), (10, 10));
        assert_eq!((s.models, s.models_new), (1, 1));
        assert_eq!(s.import.sha256, src.sha256);
        assert_eq!(s.import.format, "csv");
        assert!(s.import.imported_at.ends_with('Z'), "{}", s.import.imported_at);
    }
    // Again, from a fresh process's point of view: nothing added, and the earlier import named.
    let mut store = Store::open(&dir.db()).unwrap();
    let before = store.stats().unwrap();
    match store.import(&batch, &src).unwrap() {
        ImportOutcome::AlreadyImported(earlier) => {
            assert_eq!((earlier.id, earlier.file.as_str(), earlier.rows), (1, "a.csv", 46));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(store.stats().unwrap(), before);
    assert_eq!(before.measurements, 46);
    assert_eq!(store.find_import(&src.sha256).unwrap().map(|i| i.id), Some(1));
}

#[test]
fn kernels_and_models_are_shared_across_imports_and_devices() {
    let mut store = Store::open_in_memory().unwrap();
    imported(store.import(&synthetic_batch(&["dev-a"], 5), &source("a.csv")).unwrap());
    // Other bytes, same kernels on another device plus five new ones: only those are new.
    let s = imported(store.import(&synthetic_batch(&["dev-b"], 10), &source("b.csv")).unwrap());
    assert_eq!((s.kernels, s.kernels_new, s.models_new, s.devices_new), (10, 5, 0, 1));
    let stats = store.stats().unwrap();
    assert_eq!((stats.kernels, stats.models, stats.devices, stats.imports), (10, 1, 2, 2));
    assert_eq!(stats.measurements, (5 * 2 + 3) + (10 * 2 + 3));
}

#[test]
fn kernel_configs_differing_in_any_field_are_distinct() {
    let mut store = Store::open_in_memory().unwrap();
    let base = synthetic_kernel(0);
    let mut variants = vec![base.clone()];
    let mut v = base.clone();
    v.config.pads = [0, 1, 1, 1];
    variants.push(v);
    let mut v = base.clone();
    v.config.dtype = DType::I8;
    variants.push(v);
    let mut v = base.clone();
    v.config.input_channels = vec![8, 8];
    variants.push(v);
    let mut v = base.clone();
    v.kind = "conv-bn".parse::<KernelKind>().unwrap();
    variants.push(v);
    // Same kind and config, other source id: the same kernel.
    let mut v = base.clone();
    v.source_id = Some("another-name".into());
    variants.push(v);
    let measurements = variants
        .into_iter()
        .enumerate()
        .map(|(i, k)| kernel_row("dev-a", k, Metric::Latency, 1.0, i + 2))
        .collect();
    let batch = ImportBatch {
        format: "csv".into(),
        devices: vec![synthetic_device("dev-a", DeviceClass::Cpu)],
        measurements,
        provenance: "synthetic".into(),
        graphs: Vec::new(),
    };
    let s = imported(store.import(&batch, &source("k.csv")).unwrap());
    assert_eq!(s.kernels, 5);
    assert_eq!(store.stats().unwrap().kernels, 5);
}

#[test]
fn a_stored_device_gains_missing_fields_and_may_be_used_without_a_description() {
    let mut store = Store::open_in_memory().unwrap();
    let mut bare = synthetic_device("dev-a", DeviceClass::Npu);
    bare.soc = None;
    let mut batch = synthetic_batch(&["dev-a"], 1);
    batch.devices = vec![bare];
    imported(store.import(&batch, &source("1.csv")).unwrap());
    assert_eq!(store.devices().unwrap()[0].device.soc, None);

    // A later file describes it fully: soc is filled in.
    let mut batch = synthetic_batch(&["dev-a"], 2);
    batch.devices[0].class = DeviceClass::Npu;
    imported(store.import(&batch, &source("2.csv")).unwrap());
    assert_eq!(store.devices().unwrap()[0].device.soc.as_deref(), Some("synthetic-soc"));

    // A file that only names it (e.g. `--device dev-a` on a stored device).
    let mut batch = synthetic_batch(&["dev-a"], 3);
    batch.devices.clear();
    let s = imported(store.import(&batch, &source("3.csv")).unwrap());
    assert_eq!((s.devices, s.devices_new), (1, 0));
    assert_eq!(store.devices().unwrap().len(), 1);
}

#[test]
fn a_kernel_measured_inside_a_model_keeps_its_model() {
    let mut store = Store::open_in_memory().unwrap();
    let mut k = synthetic_kernel(1);
    k.model = Some("synthetic-net".into());
    let batch = ImportBatch {
        format: "qed-ops".into(),
        devices: vec![synthetic_device("dev-a", DeviceClass::Gpu)],
        measurements: vec![
            kernel_row("dev-a", k, Metric::Latency, 0.2, 2),
            model_row("dev-a", "synthetic-net", Metric::Latency, 3.0, 0, 3),
        ],
        provenance: "synthetic".into(),
        graphs: Vec::new(),
    };
    let s = imported(store.import(&batch, &source("m.csv")).unwrap());
    assert_eq!((s.kernels, s.models), (1, 1));
    let mut out = Vec::new();
    store.export(&ExportOptions { format: ExportFormat::Jsonl, device: None }, &mut out).unwrap();
    let rows: Vec<serde_json::Value> =
        String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows[0]["subject"], "kernel");
    assert_eq!(rows[0]["model"], "synthetic-net");
    assert_eq!(rows[1]["subject"], "model");
    assert_eq!(rows[1]["kind"], serde_json::Value::Null);
}

#[test]
fn progress_counts_up_to_the_batch_size() {
    let mut store = Store::open_in_memory().unwrap();
    let batch = synthetic_batch(&["dev-a"], 20_000);
    let mut seen: Vec<Progress> = Vec::new();
    imported(store.import_with_progress(&batch, &source("p.csv"), &mut |p| seen.push(p)).unwrap());
    let total = batch.measurements.len() as u64;
    assert!(seen.len() > 2);
    assert!(seen.windows(2).all(|w| w[0].done <= w[1].done));
    assert!(seen.iter().all(|p| p.total == total));
    assert_eq!(seen.last().map(|p| p.done), Some(total));
}

#[test]
fn several_files_are_written_together_or_not_at_all() {
    let dir = Scratch::new("import-all");
    let db = dir.db();
    let mut store = Store::open(&db).unwrap();
    imported(store.import(&synthetic_batch(&["dev-a"], 2), &source("old.csv")).unwrap());
    let stats = store.stats().unwrap();
    drop(store);
    let before = file_sha(&db);

    // Two good files and a bad third: nothing of the first two is written.
    let (one, two) = (synthetic_batch(&["dev-b"], 3), synthetic_batch(&["dev-c"], 4));
    let mut bad = synthetic_batch(&["dev-d"], 5);
    let line = bad.measurements[7].line;
    bad.measurements[7].value = f64::NAN;
    let (s1, s2, s3) = (source("one.csv"), source("two.csv"), source("bad.csv"));
    let mut store = Store::open(&db).unwrap();
    let err = store.import_all(&[(&one, &s1), (&two, &s2), (&bad, &s3)], &mut |_| {}).unwrap_err();
    assert!(err.to_string().starts_with(&format!("bad.csv:{line}: ")), "{err}");
    assert_eq!(store.stats().unwrap(), stats);
    drop(store);
    assert_eq!(file_sha(&db), before, "the store file changed");

    // Without the bad file: both written as imports of their own; a file given twice, and a
    // file already in the store, add nothing. Progress counts over every batch.
    let old = synthetic_batch(&["dev-a"], 2);
    let s_old = source("old.csv");
    let mut store = Store::open(&db).unwrap();
    let mut last = None;
    let outcomes = store
        .import_all(&[(&one, &s1), (&old, &s_old), (&two, &s2), (&one, &s1)], &mut |p| last = Some(p))
        .unwrap();
    let total = (2 * one.measurements.len() + old.measurements.len() + two.measurements.len()) as u64;
    assert_eq!(last, Some(Progress { done: total, total }));
    let statuses: Vec<(bool, i64)> = outcomes
        .iter()
        .map(|o| match o {
            ImportOutcome::Imported(s) => (true, s.import.id),
            ImportOutcome::AlreadyImported(i) => (false, i.id),
        })
        .collect();
    assert_eq!(statuses, [(true, 2), (false, 1), (true, 3), (false, 2)]);
    let after = store.stats().unwrap();
    assert_eq!(after.imports, 3);
    assert_eq!(
        after.measurements,
        stats.measurements + (one.measurements.len() + two.measurements.len()) as u64
    );
    assert_eq!(after.devices, 3);
}

// ---------------------------------------------------------------------------------------------
// Bad batches: refused with file:line, store untouched
// ---------------------------------------------------------------------------------------------

/// Import `batch` into a store that already holds one good import; expect `file:line` in the
/// error and the store file byte for byte as before.
fn refused(case: &str, batch: &ImportBatch, expect: &str) {
    let dir = Scratch::new("refused");
    let db = dir.db();
    let mut store = Store::open(&db).unwrap();
    imported(store.import(&synthetic_batch(&["dev-a", "dev-b"], 4), &source("good.csv")).unwrap());
    let stats = store.stats().unwrap();
    drop(store);
    let before = file_sha(&db);

    let mut store = Store::open(&db).unwrap();
    let src = source("bad.csv");
    let err = store.import(batch, &src).expect_err(case).to_string();
    assert!(err.starts_with(expect), "{case}: expected '{expect}...', got '{err}'");
    assert_eq!(store.stats().unwrap(), stats, "{case}");
    assert_eq!(store.find_import(&src.sha256).unwrap(), None, "{case}");
    drop(store);
    assert_eq!(file_sha(&db), before, "{case}: the store file changed");
    assert!(!db.with_extension("db-journal").exists(), "{case}: a journal was left behind");
}

#[test]
fn bad_values_are_refused_with_file_and_line() {
    let good = synthetic_batch(&["dev-a"], 3);
    let line_of = |b: &ImportBatch, i: usize| b.measurements[i].line;
    type Edit = fn(&mut Measurement);
    let cases: &[(&str, Edit, &str)] = &[
        ("NaN value", |m| m.value = f64::NAN, "is not a finite positive value"),
        ("infinite value", |m| m.value = f64::INFINITY, "is not a finite positive value"),
        ("negative energy", |m| m.value = -1.0, "is not a finite positive value"),
        ("zero latency", |m| m.value = 0.0, "is not a finite positive value"),
        ("NaN std", |m| m.std = Some(f64::NAN), "standard deviation"),
        ("negative std", |m| m.std = Some(-0.1), "standard deviation"),
        ("zero repetitions", |m| m.repetitions = Some(0), "0 repetitions"),
        ("unknown device", |m| m.device = "dev-nowhere".into(), "device 'dev-nowhere'"),
        (
            "config too large for SQLite",
            |m| {
                if let Subject::Kernel(k) = &mut m.subject {
                    k.config.cin = u64::MAX;
                }
            },
            "kernel cin",
        ),
    ];
    for (case, edit, what) in cases {
        let mut bad = good.clone();
        // The last kernel row: everything before it would have been written in a naive store.
        let i = bad.measurements.len() - 4;
        edit(&mut bad.measurements[i]);
        refused(case, &bad, &format!("bad.csv:{}: ", line_of(&bad, i)));
        let mut err_batch = good.clone();
        edit(&mut err_batch.measurements[i]);
        let err = Store::open_in_memory().unwrap().import(&err_batch, &source("bad.csv")).unwrap_err();
        assert!(err.to_string().contains(what), "{case}: {err}");
    }

    let mut bad = good.clone();
    let i = bad.measurements.len() - 1;
    bad.measurements[i].subject = Subject::Model(ModelRecord { name: " ".into(), file_sha256: None });
    refused("empty model name", &bad, &format!("bad.csv:{}: empty model name", line_of(&bad, i)));

    let mut bad = good.clone();
    bad.measurements[i].subject =
        Subject::Model(ModelRecord { name: "m".into(), file_sha256: Some("not-a-hash".into()) });
    refused("malformed model hash", &bad, &format!("bad.csv:{}: model file sha256", line_of(&bad, i)));
}

#[test]
fn devices_that_contradict_are_refused() {
    // The store holds dev-a as a gpu with soc `synthetic-soc` (see `refused`).
    let mut other_class = synthetic_batch(&["dev-a"], 1);
    other_class.devices[0].class = DeviceClass::Cpu;
    refused(
        "class differs from the store",
        &other_class,
        "bad.csv: device 'dev-a' is already in the store with class 'gpu'",
    );

    let mut other_soc = synthetic_batch(&["dev-a"], 1);
    other_soc.devices[0].soc = Some("another-soc".into());
    refused(
        "soc differs from the store",
        &other_soc,
        "bad.csv: device 'dev-a' is already in the store with soc",
    );

    let mut twice = synthetic_batch(&["dev-c"], 1);
    let mut again = twice.devices[0].clone();
    again.runtime = Some("other".into());
    twice.devices.push(again);
    refused("described twice", &twice, "bad.csv: device 'dev-c' is described twice, differently");

    // The same description twice is fine.
    let mut same_twice = synthetic_batch(&["dev-c"], 1);
    same_twice.devices.push(same_twice.devices[0].clone());
    imported(Store::open_in_memory().unwrap().import(&same_twice, &source("ok.csv")).unwrap());
}

// ---------------------------------------------------------------------------------------------
// One transaction per import: a SIGKILL mid-import leaves all or nothing
// ---------------------------------------------------------------------------------------------

/// Set to a store path, the test binary acts as the importer process of
/// `a_killed_import_leaves_all_or_nothing`.
const IMPORTER_ENV: &str = "EINF_STORE_TEST_IMPORTER";
/// Distinct kernels in the killed import (× 2 metrics + 3 model rows ≈ 300k measurements).
const KILLED_KERNELS: u64 = 150_000;

fn killed_batch() -> (ImportBatch, ImportSource) {
    let mut batch = synthetic_batch(&["dev-killed"], 0);
    // Many rows over few kernels, as a large measurement file has.
    batch.measurements = (0..2 * KILLED_KERNELS as usize)
        .map(|i| kernel_row("dev-killed", synthetic_kernel(i as u64 % 4096), Metric::Energy, 1.0, i + 2))
        .collect();
    (batch, source("killed.csv"))
}

/// Not a test of its own: the importer process (see [`IMPORTER_ENV`]); does nothing otherwise.
#[test]
fn importer_process_for_the_kill_test() {
    let Some(db) = std::env::var_os(IMPORTER_ENV) else { return };
    let db = PathBuf::from(db);
    let marker = db.with_extension("started");
    let (batch, src) = killed_batch();
    let mut store = Store::open(&db).unwrap();
    let mut announced = false;
    store
        .import_with_progress(&batch, &src, &mut |p| {
            if !announced && p.done >= p.total / 5 {
                std::fs::write(&marker, p.done.to_string()).unwrap();
                announced = true;
            }
        })
        .unwrap();
    std::fs::write(db.with_extension("finished"), "").unwrap();
}

#[test]
fn a_killed_import_leaves_all_or_nothing() {
    use std::os::unix::process::ExitStatusExt;
    let dir = Scratch::new("sigkill");
    let db = dir.db();
    let good = synthetic_batch(&["dev-a"], 100);
    let good_rows = good.measurements.len() as u64;
    imported(Store::open(&db).unwrap().import(&good, &source("good.csv")).unwrap());

    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "importer_process_for_the_kill_test", "--nocapture", "--test-threads=1"])
        .env(IMPORTER_ENV, &db)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let marker = db.with_extension("started");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    while !marker.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the importer exited before it was killed: {status}");
        }
        assert!(std::time::Instant::now() < deadline, "the importer never started");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let kill = std::process::Command::new("kill").args(["-9", &child.id().to_string()]).status().unwrap();
    assert!(kill.success(), "kill -9 failed");
    let status = child.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "the importer was not killed mid-import: {status}");
    assert!(!db.with_extension("finished").exists());

    // The store opens (rolling back the hot journal), is sound, and holds none or all of it.
    let (batch, src) = killed_batch();
    let mut store = Store::open(&db).unwrap();
    store.integrity_check().unwrap();
    let stats = store.stats().unwrap();
    match store.find_import(&src.sha256).unwrap() {
        None => {
            assert_eq!((stats.imports, stats.measurements, stats.devices), (1, good_rows, 1));
            // Nothing of it is left, so importing it again writes it whole.
            let s = imported(store.import(&batch, &src).unwrap());
            assert_eq!(s.import.rows, batch.measurements.len() as u64);
        }
        Some(all) => {
            assert_eq!(all.rows, batch.measurements.len() as u64);
            assert_eq!(stats.measurements, good_rows + all.rows);
        }
    }
    store.integrity_check().unwrap();
    assert_eq!(store.stats().unwrap().measurements, good_rows + batch.measurements.len() as u64);
}

// ---------------------------------------------------------------------------------------------
// Queries and exports
// ---------------------------------------------------------------------------------------------

#[test]
fn devices_and_show_summarise_what_is_stored() {
    let mut store = Store::open_in_memory().unwrap();
    imported(store.import(&synthetic_batch(&["dev-b", "dev-a"], 4), &source("a.csv")).unwrap());
    let devices = store.devices().unwrap();
    let names: Vec<&str> = devices.iter().map(|d| d.device.name.as_str()).collect();
    assert_eq!(names, ["dev-a", "dev-b"]);
    assert_eq!((devices[0].measurements, devices[0].kernels, devices[0].models), (4 * 2 + 3, 4, 1));
    assert_eq!(devices[0].metrics, [Metric::Energy, Metric::Latency]);

    let report = store.show("dev-a").unwrap();
    assert_eq!(report.kernels.len(), 2);
    let energy = &report.kernels[0];
    assert_eq!((energy.kind.as_str(), energy.metric, energy.unit), ("conv-bn-relu", Metric::Energy, "mJ"));
    assert_eq!((energy.measurements, energy.kernels), (4, 4));
    assert_eq!((energy.min, energy.max, energy.mean), (0.5, 3.5, 2.0));
    assert_eq!(report.models.len(), 1);
    assert_eq!((report.models[0].measurements, report.models[0].models), (3, 1));
    assert_eq!(report.models[0].mean, 11.0);
    assert_eq!(report.imports.len(), 1);
    assert_eq!((report.imports[0].device_rows, report.imports[0].import.rows), (11, 22));

    let err = store.show("dev-z").unwrap_err().to_string();
    assert!(err.contains("no device 'dev-z' (known: dev-a, dev-b)"), "{err}");
}

#[test]
fn exports_hold_every_measurement_with_units_and_provenance() {
    let mut store = Store::open_in_memory().unwrap();
    let mut batch = synthetic_batch(&["dev-a", "dev-b"], 3);
    batch.devices[0].notes = Some("notes with, a comma and \"quotes\"".into());
    let src = source("a.csv");
    imported(store.import(&batch, &src).unwrap());

    let mut csv = Vec::new();
    let n = store.export(&ExportOptions { format: ExportFormat::Csv, device: None }, &mut csv).unwrap();
    assert_eq!(n, batch.measurements.len() as u64);
    let csv = String::from_utf8(csv).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(header, einf_dataset::store::EXPORT_COLUMNS);
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(first.len(), header.len());
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    assert_eq!(first[col("device")], "dev-a");
    assert_eq!(first[col("kind")], "conv-bn-relu");
    assert_eq!(first[col("value")], "0.5");
    assert_eq!(first[col("unit")], "mJ");
    assert_eq!(first[col("std")], "0.05");
    assert_eq!(first[col("file_sha256")], src.sha256);
    assert_eq!(first[col("line")], "2");
    assert_eq!(lines.count() + 1, batch.measurements.len());

    let mut jsonl = Vec::new();
    let opts = ExportOptions { format: ExportFormat::Jsonl, device: Some("dev-b".into()) };
    let n = store.export(&opts, &mut jsonl).unwrap();
    assert_eq!(n, batch.measurements.len() as u64 / 2);
    let rows: Vec<serde_json::Value> =
        String::from_utf8(jsonl).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(rows.iter().all(|r| r["device"] == "dev-b"));
    assert_eq!(rows[1]["metric"], "latency");
    assert_eq!(rows[1]["unit"], "ms");
    assert_eq!(rows[1]["value"], 1.25);
    assert_eq!(rows[1]["input_channels"], serde_json::json!([]));
    assert_eq!(rows.last().unwrap()["run"], 2);

    let err =
        store.export(&ExportOptions { format: ExportFormat::Csv, device: Some("x".into()) }, &mut Vec::new());
    assert!(matches!(err, Err(StoreError::UnknownDevice { .. })));
    assert_eq!("jsonl".parse::<ExportFormat>(), Ok(ExportFormat::Jsonl));
    assert!("xml".parse::<ExportFormat>().is_err());
}

#[test]
fn public_types_are_send_and_sync_where_they_should_be() {
    fn send<T: Send>() {}
    fn send_sync<T: Send + Sync + 'static>() {}
    send::<Store>();
    send_sync::<StoreError>();
    send_sync::<ImportOutcome>();
    send_sync::<einf_dataset::store::DeviceReport>();
}
