//! `einf dataset export --format csv` re-imports with the generic CSV reader (`--format csv`): a
//! store's export, imported into a fresh store and exported again, gives the same measurements
//! (every column but the import's `file`, `file_sha256` and `line`) and the same devices. (The
//! export-only columns' bad values are in `import_bad.rs`.)
//!
//! The batch here is SYNTHETIC (made-up devices and values built in code); the last test exports
//! the bundled qed-usc, NeurstrucEnergy and MLPerf Tiny files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_dataset::batch::{
    Device, DeviceClass, ImportBatch, KernelRecord, Measurement, Metric, ModelRecord, Subject,
};
use einf_dataset::import::{Format, ReadOptions, read};
use einf_dataset::store::{ExportFormat, ExportOptions, ImportOutcome, ImportSource, Store};
use einf_parser::kernel::KernelConfig;
use std::path::PathBuf;

#[path = "support/synthetic.rs"]
mod synthetic;

/// A made-up model file hash.
const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// A synthetic batch with what an export must carry back: a device described in full and one in
/// part, a multi-input kernel (`input_channels` [8, 8]), a depthwise convolution fused with a 1x1
/// one (`groups` dividing `cin` only), one layer measured twice in a model (same kernel, other
/// source id and line), runs 0..2, std and repetitions, a value needing every digit, a source id
/// with a comma and a quote, kernels measured inside a model, and a model with and without a file
/// hash. Lines 2, 3, ... in order.
fn batch() -> ImportBatch {
    let (gpu, npu) = ("synthetic-board-gpu", "synthetic-stick");
    let kernel = |kind: &str, config: KernelConfig, source_id: Option<&str>, model: Option<&str>| {
        Subject::Kernel(KernelRecord {
            kind: kind.parse().unwrap(),
            config,
            source_id: source_id.map(str::to_string),
            model: model.map(str::to_string),
        })
    };
    let model = |sha: Option<&str>| {
        Subject::Model(ModelRecord { name: "synthetic-net".into(), file_sha256: sha.map(str::to_string) })
    };
    let conv = || synthetic::conv3x3(28, 8, 16);
    let concat = KernelConfig {
        input_h: 14,
        input_w: 14,
        output_h: 14,
        output_w: 14,
        cin: 16,
        cout: 16,
        input_channels: vec![8, 8],
        ..KernelConfig::neutral()
    };
    let fused = KernelConfig { groups: 16, cout: 24, ..synthetic::conv3x3(28, 16, 16) };
    let net = Some("synthetic-net");
    let rows = [
        (gpu, kernel("conv-bn-relu", conv(), Some("layer, \"1\""), None), Metric::Latency, 0.1 + 0.2, None),
        (gpu, kernel("concat", concat, Some("cat"), net), Metric::Energy, 1e-7, None),
        (gpu, kernel("dwconv-bn-conv-bn", fused, None, net), Metric::Latency, 2.5, None),
        (gpu, kernel("conv-bn-relu", conv(), Some("l7"), net), Metric::Latency, 1.0, None),
        (gpu, kernel("conv-bn-relu", conv(), Some("l9"), net), Metric::Latency, 1.5, None),
        (npu, kernel("conv-bn-relu", conv(), None, None), Metric::Power, 1234.5, None),
        (gpu, model(Some(SHA)), Metric::Energy, 10.0, Some(0)),
        (gpu, model(Some(SHA)), Metric::Energy, 11.0, Some(1)),
        (gpu, model(Some(SHA)), Metric::Energy, 12.0, Some(2)),
        (npu, model(None), Metric::Latency, 3.0, None),
    ];
    let measurements = rows
        .into_iter()
        .enumerate()
        .map(|(i, (device, subject, metric, value, run))| Measurement {
            device: device.into(),
            subject,
            metric,
            value,
            std: (i == 0).then_some(0.01),
            repetitions: (i == 0).then_some(100),
            run,
            line: i + 2,
        })
        .collect();
    let described = |name: &str, class, soc: Option<&str>| Device {
        name: name.into(),
        class,
        soc: soc.map(str::to_string),
        runtime: Some("synthetic-runtime".into()),
        precision: Some("fp16".into()),
        notes: Some("synthetic device".into()),
    };
    ImportBatch {
        format: "csv".into(),
        devices: vec![
            described(gpu, DeviceClass::Gpu, Some("synthetic-soc")),
            described(npu, DeviceClass::Accelerator, None),
        ],
        measurements,
        provenance: "synthetic batch (made-up values)".into(),
        graphs: Vec::new(),
    }
}

fn export(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    store.export(&ExportOptions { format: ExportFormat::Csv, device: None }, &mut out).unwrap();
    out
}

/// The export's rows, each without its last three columns (`file`, `file_sha256`, `line`).
fn measurement_columns(csv_bytes: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(csv_bytes);
    let rows: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect();
    assert_eq!(rows[0][rows[0].len() - 3..], ["file", "file_sha256", "line"]);
    rows.into_iter().map(|mut r| r.drain(..r.len() - 3).collect()).collect()
}

fn import(store: &mut Store, batch: &ImportBatch, source: &ImportSource) {
    match store.import(batch, source).unwrap() {
        ImportOutcome::Imported(_) => {}
        ImportOutcome::AlreadyImported(i) => panic!("already imported as {i:?}"),
    }
}

/// `store`'s devices, without their free notes (an import describes its devices in its own words).
fn devices(store: &Store) -> Vec<Device> {
    store.devices().unwrap().into_iter().map(|d| Device { notes: None, ..d.device }).collect()
}

/// `name` in cargo's scratch directory, made unique to this process.
fn scratch(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-{name}", std::process::id()))
}

/// Export `store` to `name` in cargo's scratch directory, read that with the generic CSV reader,
/// import it into a fresh store and export again: the measurement columns and the devices agree.
/// Returns the re-imported batch and the exported text.
fn round_trip(store: &Store, name: &str) -> (ImportBatch, String) {
    let first = export(store);
    let path = scratch(name);
    std::fs::write(&path, &first).unwrap();
    let batch = read(Format::Csv, &path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut again = Store::open_in_memory().unwrap();
    import(&mut again, &batch, &ImportSource::from_path(&path).unwrap());
    let _ = std::fs::remove_file(&path);
    let (a, b) = (measurement_columns(&first), measurement_columns(&export(&again)));
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
    assert_eq!(devices(&again), devices(store));
    (batch, String::from_utf8(first).unwrap())
}

#[test]
fn an_export_reimports_with_the_same_measurements() {
    let mut store = Store::open_in_memory().unwrap();
    let original = batch();
    let source = ImportSource::from_bytes("synthetic-original.csv", b"synthetic original bytes");
    import(&mut store, &original, &source);
    let (batch, text) = round_trip(&store, "synthetic-export.csv");

    // What the export carries is read back into the batch, in its order.
    assert_eq!(batch.measurements.len(), original.measurements.len());
    let subject = |i: usize| &batch.measurements[i].subject;
    assert!(matches!(subject(1), Subject::Kernel(k) if k.config.input_channels == [8, 8]));
    assert!(matches!(subject(6), Subject::Model(m) if m.file_sha256.as_deref() == Some(SHA)));
    assert!(matches!(subject(9), Subject::Model(m) if m.file_sha256.is_none()));
    assert_eq!(batch.measurements[6].run, Some(0));

    // `input_channels` separated by `;`, as people write them, read alike.
    assert!(text.contains(",\"8,8\","), "{text}");
    let path = scratch("synthetic-semicolons.csv");
    std::fs::write(&path, text.replace(",\"8,8\",", ",8;8,")).unwrap();
    let semicolons = read(Format::Csv, &path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_file(&path);
    assert_eq!(semicolons.measurements, batch.measurements);

    // The original file is named in the provenance, with its sha256, rows and lines.
    let p = &batch.provenance;
    let named = format!("synthetic-original.csv (sha256 {}): 10 rows, lines 2-11 there", source.sha256);
    assert!(p.contains("re-import of an einf dataset export") && p.contains(&named), "{p}");
}

/// The bundled files hold what an export of real data holds: qed-usc layers repeated in a model
/// (same kernel, other source id and line), the iPhones' fused depthwise + 1x1 kernels,
/// NeurstrucEnergy runs, MLPerf Tiny devices.
#[test]
fn exports_of_the_bundled_files_reimport() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data");
    let files = [
        (Format::QedOps, "qed-usc-mobile-ml-benchmark/tflite_cnn_ops_gpu.csv"),
        (Format::QedOps, "qed-usc-mobile-ml-benchmark/torch_cnn_ops_gpu.csv"),
        (Format::QedE2e, "qed-usc-mobile-ml-benchmark/tflite_cnn_e2e.csv"),
        (Format::Neurstruc, "neurstrucenergy/conv2d.txt"),
        (Format::Neurstruc, "neurstrucenergy/random_testset_1.txt"),
        (Format::Neurstruc, "neurstrucenergy/random_testset_2.txt"),
        (Format::MlperfTiny, "mlperf-tiny-energy/mlperf_tiny_results_v0.5-v1.3.csv"),
    ];
    let mut store = Store::open_in_memory().unwrap();
    for (format, rel) in files {
        let path = data.join(rel);
        let batch = read(format, &path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        import(&mut store, &batch, &ImportSource::from_path(&path).unwrap());
    }
    let (batch, _) = round_trip(&store, "bundled-export.csv");
    assert!(batch.provenance.contains("tflite_cnn_ops_gpu.csv (sha256 "), "{}", batch.provenance);
}
