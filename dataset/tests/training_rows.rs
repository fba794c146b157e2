//! `Store::device_rows`: a device's measurements read back as they were imported, on the bundled
//! qed-usc files (real measurements).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_dataset::batch::{Device, DeviceClass, ImportBatch, Measurement, Metric, ModelRecord, Subject};
use einf_dataset::import::{Format, ReadOptions, read};
use einf_dataset::store::{Filter, ImportSource, Store, StoreError};
use std::path::PathBuf;

fn bundled(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/qed-usc-mobile-ml-benchmark").join(rel)
}

#[test]
fn a_devices_rows_come_back_in_import_order_with_their_kernels_and_models() {
    let ops_path = bundled("tflite_cnn_ops_gpu.csv");
    let e2e_path = bundled("tflite_cnn_e2e.csv");
    let ops = read(Format::QedOps, &ops_path, &ReadOptions::default()).unwrap();
    let e2e = read(Format::QedE2e, &e2e_path, &ReadOptions::default()).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let sources = [ImportSource::from_path(&ops_path).unwrap(), ImportSource::from_path(&e2e_path).unwrap()];
    store.import_all(&[(&ops, &sources[0]), (&e2e, &sources[1])], &mut |_| {}).unwrap();
    // A later import of another device only: not one of the device's imports.
    let other = ImportBatch {
        format: "csv".into(),
        devices: vec![Device::named("other-gpu", DeviceClass::Gpu)],
        measurements: vec![Measurement {
            device: "other-gpu".into(),
            subject: Subject::Model(ModelRecord { name: "m".into(), file_sha256: None }),
            metric: Metric::Energy,
            value: 1.0,
            std: None,
            repetitions: None,
            run: None,
            line: 2,
        }],
        provenance: "made up".into(),
        graphs: Vec::new(),
    };
    store.import(&other, &ImportSource::from_bytes("other.csv", b"other")).unwrap();

    let device = "s10-gpu-tflite-fp16";
    let rows = store.device_rows(device, &Filter::default()).unwrap();
    assert_eq!(rows.device.name, device);
    let files: Vec<&str> = rows.imports.iter().map(|i| i.file.as_str()).collect();
    assert_eq!(files, ["tflite_cnn_ops_gpu.csv", "tflite_cnn_e2e.csv"]);
    let want: Vec<_> = ops.measurements.iter().filter(|m| m.device == device).collect();
    assert_eq!(rows.kernels.len(), want.len());
    for (got, m) in rows.kernels.iter().zip(&want) {
        let Subject::Kernel(k) = &m.subject else { panic!("qed-ops rows are kernels") };
        assert_eq!((&got.kernel.kind, &got.kernel.config), (&k.kind, &k.config));
        assert_eq!(got.model.as_deref(), k.model.as_deref());
        assert_eq!((got.metric, got.value, got.run), (m.metric, m.value, m.run));
        assert_eq!(got.source_id, k.source_id);
    }
    let models: Vec<(&str, f64)> = e2e
        .measurements
        .iter()
        .filter(|m| m.device == device)
        .map(|m| match &m.subject {
            Subject::Model(r) => (r.name.as_str(), m.value),
            Subject::Kernel(_) => panic!("qed-e2e rows are models"),
        })
        .collect();
    let got: Vec<(&str, f64)> = rows.models.iter().map(|m| (&*m.model, m.value)).collect();
    assert_eq!(got, models);
    assert!(!models.is_empty());
    assert_eq!(rows.metrics(), [Metric::Latency]);

    let energy = store.device_rows(device, &Filter { metric: Some(Metric::Energy) }).unwrap();
    assert!(energy.kernels.is_empty() && energy.models.is_empty());
    // The device's imports whatever the filter lets through.
    assert_eq!(energy.imports, rows.imports);
    assert_eq!(energy.device, rows.device);

    let e = store.device_rows("s11-gpu", &Filter::default()).unwrap_err();
    assert!(matches!(e, StoreError::UnknownDevice { .. }), "{e}");
    assert!(e.to_string().contains("s10-gpu-tflite-fp16"), "{e}");
}

#[test]
fn the_same_bytes_under_another_format_are_refused_and_nothing_is_written() {
    let path = bundled("tflite_cnn_ops_gpu.csv");
    let batch = read(Format::QedOps, &path, &ReadOptions::default()).unwrap();
    let source = ImportSource::from_path(&path).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    store.import(&batch, &source).unwrap();
    let stats = store.stats().unwrap();
    let as_csv = einf_dataset::batch::ImportBatch { format: "csv".into(), ..batch.clone() };
    let e = store.import(&as_csv, &source).unwrap_err().to_string();
    assert!(e.contains("read as qed-ops; not read again as csv"), "{e}");
    assert!(store.find_import_as(&source, "csv").is_err());
    assert_eq!(store.find_import_as(&source, "qed-ops").unwrap().map(|i| i.id), Some(1));
    assert_eq!(store.stats().unwrap(), stats);
}
