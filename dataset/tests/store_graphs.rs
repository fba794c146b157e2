//! Model graphs in the store (schema version 2): written with their import, stored once, a
//! contradicting graph refused with the store untouched, read back per device, and a version-1
//! store upgraded with its rows kept.
//!
//! Every batch here is SYNTHETIC: made-up devices, kernels and values built in code, never
//! measurements of real hardware.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_dataset::batch::{
    Device, DeviceClass, GraphKernels, ImportBatch, KernelRecord, Measurement, Metric, ModelGraph,
    ModelRecord, Subject,
};
use einf_dataset::import::{Format, ReadOptions, read};
use einf_dataset::store::{ImportOutcome, ImportSource, ImportSummary, Store, StoreError, schema};
use einf_parser::kernel::{KernelConfig, KernelKind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

#[path = "support/synthetic.rs"]
mod synthetic;

/// A scratch directory under cargo's target tmp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "graphs-{name}-{}-{}",
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

/// A SYNTHETIC kernel: a conv of `i + 1` → `2 (i + 1)` channels.
fn kernel(i: u64) -> (KernelKind, KernelConfig) {
    ("conv-bn-relu".parse().unwrap(), synthetic::conv3x3(28, i + 1, 2 * (i + 1)))
}

fn model(name: &str) -> ModelRecord {
    ModelRecord { name: name.into(), file_sha256: None }
}

fn graph(name: &str, backend: Option<&str>, kernels: &[u64]) -> ModelGraph {
    ModelGraph {
        model: model(name),
        backend: backend.map(str::to_string),
        kernels: GraphKernels::from_vec(kernels.iter().map(|&i| kernel(i)).collect()),
        uncosted: 0,
        arch: None,
    }
}

fn model_row(device: &str, name: &str, value: f64, line: usize) -> Measurement {
    Measurement {
        device: device.into(),
        subject: Subject::Model(model(name)),
        metric: Metric::Latency,
        value,
        std: None,
        repetitions: None,
        run: None,
        line,
    }
}

/// A SYNTHETIC batch: each model measured whole on `device` (line 2, 3, ...), with `graphs`.
fn batch(device: &str, models: &[&str], graphs: Vec<ModelGraph>) -> ImportBatch {
    ImportBatch {
        format: "csv".into(),
        devices: vec![Device::named(device, DeviceClass::Gpu)],
        measurements: models
            .iter()
            .enumerate()
            .map(|(i, m)| model_row(device, m, 1.0 + i as f64, i + 2))
            .collect(),
        provenance: "synthetic test batch (made-up values)".into(),
        graphs,
    }
}

fn source(name: &str) -> ImportSource {
    ImportSource::from_bytes(name, format!("synthetic bytes of {name}").as_bytes())
}

fn imported(outcome: ImportOutcome) -> ImportSummary {
    match outcome {
        ImportOutcome::Imported(s) => s,
        ImportOutcome::AlreadyImported(i) => panic!("expected a new import, got the earlier {i:?}"),
    }
}

fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open(db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn graphs_are_written_with_their_import_once_and_kernel_lists_are_shared() {
    let dir = Scratch::new("write");
    let db = dir.db();
    let mut store = Store::open(&db).unwrap();
    let first = batch(
        "synthetic-gpu",
        &["net-a", "net-b"],
        vec![
            graph("net-a", Some("tflite-gpu"), &[0, 1, 2, 1]),
            graph("net-a", Some("tflite-cpu"), &[0, 1, 2, 1]),
            graph("net-a", None, &[0, 1]),
            graph("net-b", Some("tflite-gpu"), &[3]),
            // The same graph twice in one batch is one graph.
            graph("net-b", Some("tflite-gpu"), &[3]),
        ],
    );
    let s = imported(store.import(&first, &source("first.csv")).unwrap());
    assert_eq!((s.graphs, s.graphs_new), (4, 4));
    assert_eq!((s.kernels, s.kernels_new), (4, 4), "graph kernels are stored as kernels");
    assert_eq!(store.stats().unwrap().graphs, 4);
    store.integrity_check().unwrap();
    // The same bytes again add nothing.
    assert!(matches!(store.import(&first, &source("first.csv")).unwrap(), ImportOutcome::AlreadyImported(_)));
    // Another file with the same graphs (and one new) adds only the new one.
    let mut again = batch("synthetic-gpu", &["net-a"], first.graphs.clone());
    again.graphs.push(graph("net-b", Some("tensorrt"), &[0, 1, 2, 1]));
    let s = imported(store.import(&again, &source("again.csv")).unwrap());
    assert_eq!((s.graphs, s.graphs_new, s.kernels_new), (5, 1, 0));
    drop(store);
    // Three distinct lists for five graphs; the view gives every kernel of every graph.
    assert_eq!(count(&db, "SELECT count(*) FROM kernel_lists"), 3);
    assert_eq!(count(&db, "SELECT count(*) FROM model_graph_kernels"), 4 + 4 + 2 + 1 + 4);
    assert_eq!(
        count(&db, "SELECT kernel_id FROM model_graph_kernels WHERE backend = 'tflite-gpu' AND position = 3"),
        count(&db, "SELECT kernel_id FROM model_graph_kernels WHERE backend IS NULL AND position = 1"),
    );
}

#[test]
fn graphs_read_back_per_device_ordered_by_model_then_backend() {
    let mut store = Store::open_in_memory().unwrap();
    let graphs = vec![
        graph("net-b", Some("tflite-gpu"), &[3]),
        graph("net-a", Some("tflite-gpu"), &[0, 1, 2, 1]),
        graph("net-a", None, &[2, 0]),
        graph("net-a", Some("onnxruntime-cpu"), &[0]),
        // Measured on another device only: not among this device's graphs.
        graph("net-c", Some("tflite-gpu"), &[4]),
    ];
    store.import(&batch("synthetic-gpu", &["net-a", "net-b"], graphs), &source("a.csv")).unwrap();
    store.import(&batch("synthetic-cpu", &["net-c"], Vec::new()), &source("c.csv")).unwrap();
    let g = store.model_graphs("synthetic-gpu").unwrap();
    let keys: Vec<(&str, Option<&str>)> =
        g.iter().map(|g| (g.model.as_str(), g.backend.as_deref())).collect();
    assert_eq!(
        keys,
        [
            ("net-a", None),
            ("net-a", Some("onnxruntime-cpu")),
            ("net-a", Some("tflite-gpu")),
            ("net-b", Some("tflite-gpu"))
        ]
    );
    assert_eq!(g[0].kernels, vec![kernel(2), kernel(0)]);
    assert_eq!(g[2].kernels, vec![kernel(0), kernel(1), kernel(2), kernel(1)]);
    assert_eq!(g[3].file_sha256, None);
    // The compact table holds each kernel once.
    let t = store.model_graph_table("synthetic-gpu").unwrap();
    assert_eq!(t.kernels.len(), 4);
    assert_eq!(t.expand(), g);
    assert_eq!(store.model_graphs("synthetic-cpu").unwrap().len(), 1);
    let e = store.model_graphs("nonsense").unwrap_err();
    assert!(matches!(e, StoreError::UnknownDevice { .. }), "{e}");
    // Linked: both models of the gpu device, the cpu device's one too (net-c has a graph).
    assert_eq!(store.show("synthetic-gpu").unwrap().models_linked, 2);
    assert_eq!(store.show("synthetic-cpu").unwrap().models_linked, 1);
}

#[test]
fn a_kernel_measured_inside_a_model_links_it_on_that_device_only() {
    let mut store = Store::open_in_memory().unwrap();
    let mut b = batch("synthetic-gpu", &["net-a", "net-b"], Vec::new());
    let (kind, config) = kernel(0);
    b.measurements.push(Measurement {
        subject: Subject::Kernel(KernelRecord { kind, config, source_id: None, model: Some("net-a".into()) }),
        ..model_row("synthetic-gpu", "net-a", 0.5, 4)
    });
    store.import(&b, &source("a.csv")).unwrap();
    store.import(&batch("synthetic-cpu", &["net-a"], Vec::new()), &source("b.csv")).unwrap();
    assert_eq!(store.show("synthetic-gpu").unwrap().models_linked, 1);
    assert_eq!(store.show("synthetic-cpu").unwrap().models_linked, 0);
    assert!(store.model_graphs("synthetic-gpu").unwrap().is_empty());
}

/// Import `bad` into a store holding one good import with graphs; expect an error starting
/// with `expect` and the store file byte for byte as before.
fn refused(case: &str, bad: &ImportBatch, expect: &str) {
    let dir = Scratch::new("refused");
    let db = dir.db();
    let mut store = Store::open(&db).unwrap();
    let mut good = batch("synthetic-gpu", &["net-a"], vec![graph("net-a", Some("tflite-gpu"), &[0, 1])]);
    good.graphs[0].arch = Some("zoo:synthetic".into());
    store.import(&good, &source("good.csv")).unwrap();
    drop(store);
    let before = std::fs::read(&db).unwrap();
    let mut store = Store::open(&db).unwrap();
    let err = store.import(bad, &source("bad.csv")).expect_err(case).to_string();
    assert!(err.starts_with(expect), "{case}: expected '{expect}...', got '{err}'");
    drop(store);
    assert!(std::fs::read(&db).unwrap() == before, "{case}: the store file changed");
}

#[test]
fn contradicting_graphs_are_refused_naming_the_model_and_leave_the_store_untouched() {
    let other = batch("synthetic-gpu", &["x", "net-a"], vec![graph("net-a", Some("tflite-gpu"), &[1, 0])]);
    refused(
        "other kernels than stored",
        &other,
        "bad.csv:3: model 'net-a' for backend tflite-gpu is already stored",
    );
    let mut more = batch("synthetic-gpu", &["net-a"], vec![graph("net-a", Some("tflite-gpu"), &[0, 1])]);
    more.graphs[0].uncosted = 2;
    refused(
        "other uncosted count",
        &more,
        "bad.csv:2: model 'net-a' for backend tflite-gpu is already stored",
    );
    let mut arch = batch("synthetic-gpu", &["net-a"], vec![graph("net-a", None, &[0])]);
    arch.graphs[0].arch = Some("zoo:other".into());
    refused("other architecture", &arch, "bad.csv:2: model 'net-a' is stored as architecture zoo:synthetic");
    let twice = batch(
        "synthetic-gpu",
        &["net-b"],
        vec![graph("net-b", Some("tensorrt"), &[0]), graph("net-b", Some("tensorrt"), &[1])],
    );
    refused("two lists in one batch", &twice, "bad.csv:2: model 'net-b' for backend tensorrt is given two");
    let empty = batch("synthetic-gpu", &["net-b"], vec![graph("net-b", Some(" "), &[0])]);
    refused("empty backend", &empty, "bad.csv:2: graph of model 'net-b': empty backend name");
    let unnamed = batch("synthetic-gpu", &["net-b"], vec![graph("", Some("tensorrt"), &[0])]);
    refused(
        "empty model name",
        &unnamed,
        "bad.csv: graph of model '' for backend tensorrt: empty model name",
    );
    let mut huge = batch("synthetic-gpu", &["net-b"], vec![graph("net-b", None, &[0])]);
    huge.graphs[0].kernels =
        GraphKernels::from_vec(vec![(kernel(0).0, KernelConfig { cin: u64::MAX, ..kernel(0).1 })]);
    refused(
        "kernel too large",
        &huge,
        "bad.csv:2: graph of model 'net-b' as its source lists it, a conv-bn-relu",
    );
}

#[test]
fn a_version_1_store_is_upgraded_and_keeps_its_rows() {
    let dir = Scratch::new("upgrade");
    let db = dir.db();
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch(schema::MIGRATIONS[0].sql).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA application_id = {}; PRAGMA user_version = 1;",
            schema::APPLICATION_ID
        ))
        .unwrap();
    }
    // Rows as a version-1 einf wrote them.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "INSERT INTO imports (file, sha256, format, imported_at, provenance, rows, einf_version) VALUES \
         ('old.csv', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'csv', '2025-01-01T00:00:00Z', \
          'synthetic', 1, '0.1.0'); \
         INSERT INTO devices (name, class) VALUES ('synthetic-old-gpu', 'gpu'); \
         INSERT INTO models (name) VALUES ('old-net'); \
         INSERT INTO measurements (import_id, device_id, model_id, metric, value, line) VALUES (1, 1, 1, 'latency', 2.5, 2);",
    )
    .unwrap();
    drop(conn);
    assert_eq!(count(&db, "PRAGMA user_version"), 1);
    let mut store = Store::open(&db).unwrap();
    assert_eq!(count(&db, "PRAGMA user_version"), i64::from(schema::SCHEMA_VERSION));
    assert_eq!(schema::SCHEMA_VERSION, 2);
    let stats = store.stats().unwrap();
    assert_eq!(
        (stats.imports, stats.devices, stats.models, stats.measurements, stats.graphs),
        (1, 1, 1, 1, 0)
    );
    assert_eq!(count(&db, "SELECT count(*) FROM models WHERE arch IS NULL AND name = 'old-net'"), 1);
    // The upgraded store takes graphs for its old models.
    let b = batch("synthetic-old-gpu", &["old-net"], vec![graph("old-net", Some("tflite-gpu"), &[0])]);
    let s = imported(store.import(&b, &source("new.csv")).unwrap());
    assert_eq!((s.models_new, s.graphs_new), (0, 1));
    assert_eq!(store.model_graphs("synthetic-old-gpu").unwrap().len(), 1);
    assert_eq!(store.show("synthetic-old-gpu").unwrap().models_linked, 1);
    store.integrity_check().unwrap();
}

#[test]
fn a_kernel_list_naming_a_missing_kernel_fails_the_integrity_check() {
    let dir = Scratch::new("dangling");
    let db = dir.db();
    let mut store = Store::open(&db).unwrap();
    store
        .import(&batch("synthetic-gpu", &["net-a"], vec![graph("net-a", None, &[0])]), &source("a.csv"))
        .unwrap();
    store.integrity_check().unwrap();
    drop(store);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch("UPDATE kernel_lists SET kernels = '[1,99]'")
        .unwrap();
    let store = Store::open(&db).unwrap();
    let e = store.integrity_check().unwrap_err().to_string();
    assert!(e.contains("names kernel Integer(99)"), "{e}");
    let e = store.model_graphs("synthetic-gpu").unwrap_err().to_string();
    assert!(e.contains("damaged store: a kernel list names kernel 99"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Bundled files: how many whole-model rows of a device have their kernels
// ---------------------------------------------------------------------------------------------

fn bundled(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(rel)
}

fn import_bundled(store: &mut Store, format: Format, rel: &str) -> ImportSummary {
    let path = bundled(rel);
    let batch = read(format, &path, &ReadOptions::default()).unwrap();
    imported(store.import(&batch, &ImportSource::from_path(&path).unwrap()).unwrap())
}

#[test]
fn qed_usc_end_to_end_rows_link_to_the_kernels_measured_inside_their_model() {
    let mut store = Store::open_in_memory().unwrap();
    import_bundled(&mut store, Format::QedOps, "qed-usc-mobile-ml-benchmark/tflite_cnn_ops_gpu.csv");
    import_bundled(&mut store, Format::QedE2e, "qed-usc-mobile-ml-benchmark/tflite_cnn_e2e.csv");
    // The GPU delegate's end-to-end latencies: every model's fused kernels were measured on the
    // same phone and delegate.
    for phone in ["pixel4-gpu-tflite-fp16", "s10-gpu-tflite-fp16", "iphonexs-gpu-tflite-fp16"] {
        let r = store.show(phone).unwrap();
        assert_eq!((r.device.models, r.models_linked), (102, 102), "{phone}");
    }
    // The CPU runs were measured whole only: no kernels of theirs are known.
    let r = store.show("pixel4-1large-tflite-fp32").unwrap();
    assert_eq!((r.device.models, r.models_linked), (102, 0));
    assert!(store.model_graphs("pixel4-gpu-tflite-fp16").unwrap().is_empty(), "qed-usc gives no graphs");
}

#[test]
fn neurstruc_whole_cnns_are_linked_through_their_layers() {
    let mut store = Store::open_in_memory().unwrap();
    let s = import_bundled(&mut store, Format::Neurstruc, "neurstrucenergy/random_testset_1.txt");
    assert_eq!((s.models, s.graphs, s.graphs_new), (17, 17, 17));
    let device = einf_dataset::import::neurstruc::DEFAULT_DEVICE;
    let r = store.show(device).unwrap();
    assert_eq!((r.device.models, r.models_linked), (17, 17));
    let graphs = store.model_graphs(device).unwrap();
    assert_eq!(graphs.len(), 17);
    assert!(graphs.iter().all(|g| g.backend.is_none() && !g.kernels.is_empty()));
    assert!(graphs.windows(2).all(|w| w[0].model < w[1].model), "ordered by model name");
    // The other runs and the custom set (five of the same models) add measurements, no graph.
    for rel in ["neurstrucenergy/random_testset_2.txt", "neurstrucenergy/custom_testset_1.txt"] {
        let s = import_bundled(&mut store, Format::Neurstruc, rel);
        assert_eq!(s.graphs_new, 0, "{rel}");
    }
    assert_eq!(store.stats().unwrap().graphs, 17);
    assert_eq!(store.show(device).unwrap().models_linked, 17);
}
