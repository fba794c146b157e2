//! Reading one device's training set back (`Store::device_rows`, what einf-predictor's
//! `DeviceData::from_store` reads). The issue's target: ≥ 500k rows/s from a store of
//! 1,000,000 kernel rows.
//!
//! ```sh
//! cargo bench -p einf-dataset --bench training -- --quick
//! ```
//!
//! - `device_rows/1m_synthetic_kernel_rows`: a store file on disk holding a SYNTHETIC batch
//!   (made-up values, no real device), built once before timing: device `synthetic-a` has
//!   1,000,000 kernel rows (5,000 kernel configurations measured alone, energy and latency,
//!   90 numbered runs each; 100 models of 50 kernels measured inside them, 10 runs) and 2,000
//!   whole-model rows; device `synthetic-b` has 200,000 kernel rows of the same kernels, which
//!   the read must leave out. The store is reopened before timing (a cold statement cache, a
//!   warm page cache); each iteration reads every row of `synthetic-a`. The throughput counts
//!   the rows read (kernel and model rows).

#![allow(missing_docs)]
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // a benchmark may stop on a broken file

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use einf_dataset::batch::{
    Device, DeviceClass, ImportBatch, KernelRecord, Measurement, Metric, ModelRecord, Subject,
};
use einf_dataset::store::{Filter, ImportOutcome, ImportSource, Store};
use einf_parser::kernel::{KernelConfig, KernelKind};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

/// Kernel configurations measured alone.
const KERNELS: usize = 5_000;
/// Numbered runs of each kernel measured alone, per metric: 5,000 × 2 × 90 = 900,000 rows.
const ALONE_RUNS: u32 = 90;
/// Models whose kernels were measured inside them.
const MODELS: usize = 100;
/// Kernels per model.
const MODEL_KERNELS: usize = 50;
/// Numbered runs of each model, per metric: 100 × 50 × 2 × 10 = 100,000 kernel rows, and
/// 100 × 2 × 10 = 2,000 whole-model rows.
const MODEL_RUNS: u32 = 10;
/// Kernel rows of device `synthetic-a`.
const KERNEL_ROWS: usize =
    KERNELS * 2 * ALONE_RUNS as usize + MODELS * MODEL_KERNELS * 2 * MODEL_RUNS as usize;
/// Whole-model rows of device `synthetic-a`.
const MODEL_ROWS: usize = MODELS * 2 * MODEL_RUNS as usize;
/// Runs per kernel and metric of device `synthetic-b`: 5,000 × 2 × 20 = 200,000 rows.
const OTHER_RUNS: u32 = 20;

/// SYNTHETIC kernel `i` < 4 × 64 × 1024: a conv, dwconv or fc configuration.
fn kernel(i: usize, kinds: &[KernelKind]) -> (KernelKind, KernelConfig) {
    let side = [7u64, 14, 28, 56][i % 4];
    let cin = 8 + ((i / 4) % 64) as u64 * 8;
    let cout = 8 + (i / 256) as u64 * 8;
    (kinds[i % kinds.len()].clone(), synthetic::conv3x3(side, cin, cout))
}

fn device(name: &str) -> Device {
    Device {
        name: name.into(),
        class: DeviceClass::Gpu,
        soc: Some("synthetic".into()),
        runtime: Some("tflite-gpu".into()),
        precision: Some("fp16".into()),
        notes: Some("SYNTHETIC benchmark device".into()),
    }
}

/// SYNTHETIC: made-up measurements of two devices (see the module docs).
fn synthetic_batch() -> ImportBatch {
    let kinds: Vec<KernelKind> = ["conv-bn-relu", "dwconv-bn-relu", "fc"]
        .iter()
        .map(|k| k.parse().unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let kernels: Vec<(KernelKind, KernelConfig)> = (0..KERNELS).map(|i| kernel(i, &kinds)).collect();
    let mut measurements = Vec::with_capacity(KERNEL_ROWS + MODEL_ROWS + KERNELS * 2 * OTHER_RUNS as usize);
    let mut push = |device: &str, subject: Subject, metric: Metric, value: f64, run: u32| {
        let line = measurements.len() + 2;
        measurements.push(Measurement {
            device: device.into(),
            subject,
            metric,
            value,
            std: Some(value * 0.05),
            repetitions: Some(100),
            run: Some(run),
            line,
        });
    };
    let alone = |(kind, config): &(KernelKind, KernelConfig)| {
        Subject::Kernel(KernelRecord {
            kind: kind.clone(),
            config: config.clone(),
            source_id: None,
            model: None,
        })
    };
    let metrics = [(Metric::Energy, 1e-3), (Metric::Latency, 1e-4)];
    // Kernels inside models, then the models measured whole, then kernels alone.
    for m in 0..MODELS {
        let model = format!("synthetic-model-{m}");
        for run in 0..MODEL_RUNS {
            for (metric, scale) in metrics {
                for j in 0..MODEL_KERNELS {
                    let i = (m * 37 + j * 101) % KERNELS;
                    let (kind, config) = &kernels[i];
                    let subject = Subject::Kernel(KernelRecord {
                        kind: kind.clone(),
                        config: config.clone(),
                        source_id: Some(format!("synthetic_kernel_{}", i % 7)),
                        model: Some(model.clone()),
                    });
                    push("synthetic-a", subject, metric, 0.1 + i as f64 * scale + f64::from(run) * 1e-6, run);
                }
                let whole = Subject::Model(ModelRecord { name: model.clone(), file_sha256: None });
                push("synthetic-a", whole, metric, 5.0 + m as f64 * scale, run);
            }
        }
    }
    for (name, runs) in [("synthetic-a", ALONE_RUNS), ("synthetic-b", OTHER_RUNS)] {
        for (i, k) in kernels.iter().enumerate() {
            for (metric, scale) in metrics {
                for run in 0..runs {
                    push(name, alone(k), metric, 0.1 + i as f64 * scale + f64::from(run) * 1e-6, run);
                }
            }
        }
    }
    ImportBatch {
        format: "csv".into(),
        devices: vec![device("synthetic-a"), device("synthetic-b")],
        measurements,
        provenance: "SYNTHETIC benchmark batch: made-up values".into(),
        graphs: Vec::new(),
    }
}

/// A store file on disk holding [`synthetic_batch`]; deleted when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn device_rows(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("einf-training-bench");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let scratch = Scratch(dir);
    let db = scratch.0.join("synthetic-1m.db");
    {
        let batch = synthetic_batch();
        let source = ImportSource::from_bytes("synthetic-1m.csv", b"SYNTHETIC 1M-row training bench");
        let mut store = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
        let outcome = store.import(&batch, &source).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(outcome, ImportOutcome::Imported(_)));
    }
    let store = Store::open_existing(&db).unwrap_or_else(|e| panic!("{e}"));
    let rows = store.device_rows("synthetic-a", &Filter::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((rows.kernels.len(), rows.models.len()), (KERNEL_ROWS, MODEL_ROWS));
    assert_eq!(KERNEL_ROWS, 1_000_000);
    drop(rows);

    let mut group = c.benchmark_group("device_rows");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements((KERNEL_ROWS + MODEL_ROWS) as u64));
    group.bench_function("1m_synthetic_kernel_rows", |b| {
        b.iter(|| {
            black_box(store.device_rows("synthetic-a", &Filter::default()).unwrap_or_else(|e| panic!("{e}")))
        });
    });
    group.finish();
    drop(store);
    drop(scratch);
}

criterion_group!(benches, device_rows);
criterion_main!(benches);
