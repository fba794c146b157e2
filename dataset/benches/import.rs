//! Import speed: files read by their format reader and written into a fresh store file, the
//! way `einf dataset import` does it. The issue's targets: the qed-usc ops CSV (5.5k rows × 6
//! devices) well under 1 s; a 1,000,000-row generic CSV at ≥ 200k rows/s.
//!
//! ```sh
//! cargo bench -p einf-dataset --bench import
//! ```
//!
//! - `import/qed_ops_tflite_cnn_ops_gpu`: the bundled qed-usc `tflite_cnn_ops_gpu.csv`, read
//!   (`--format qed-ops`), hashed and imported.
//! - `import/generic_csv_1m_synthetic_rows`: a SYNTHETIC generic CSV (`--format csv`) of
//!   1,000,000 made-up rows (10 devices × 50,000 conv configurations × energy and latency),
//!   written to the target's tmp dir before timing; read, hashed and imported.
//! - `read/generic_csv_1m_synthetic_rows`: the same file read by the `csv` reader alone (into
//!   an `ImportBatch`, nothing hashed or written): the reader's share of the import.
//! - `store/import_1m_synthetic_measurements`: the store side alone, a SYNTHETIC batch of
//!   1,000,000 made-up measurements built before timing (schema creation, the sha256 check,
//!   devices, kernel and model lookups, every row, commit with fsync).
//!
//! Each iteration opens a new store file on disk; files are deleted after the clock stops.

#![allow(missing_docs)]
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // a benchmark may stop on a broken file

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use einf_dataset::batch::{Device, DeviceClass, ImportBatch, KernelRecord, Measurement, Metric, Subject};
use einf_dataset::import::{Format, ReadOptions};
use einf_dataset::store::{ImportOutcome, ImportSource, Store};
use einf_parser::kernel::KernelKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[path = "../tests/support/synthetic.rs"]
mod synthetic;

const ROWS: usize = 1_000_000;
const DEVICES: usize = 10;
/// Distinct kernel configurations: 50,000 × 10 devices × energy and latency = 1,000,000 rows.
const KERNELS: usize = ROWS / DEVICES / 2;

/// A synthetic conv / dwconv / fc kernel, distinct for each `i` < 4 × 64 × 1024.
fn synthetic_kernel(i: usize, kinds: &[KernelKind]) -> KernelRecord {
    let side = [7u64, 14, 28, 56][i % 4];
    let cin = 8 + ((i / 4) % 64) as u64 * 8;
    let cout = 8 + (i / 256) as u64;
    KernelRecord {
        kind: kinds[i % kinds.len()].clone(),
        config: synthetic::conv3x3(side, cin, cout),
        source_id: None,
        model: None,
    }
}

/// SYNTHETIC: 1,000,000 made-up measurements over 10 devices and 50,000 kernels.
fn synthetic_batch() -> ImportBatch {
    let kinds: Vec<KernelKind> = ["conv-bn-relu", "dwconv-bn-relu", "fc"]
        .iter()
        .map(|k| k.parse().unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let devices: Vec<Device> = (0..DEVICES)
        .map(|d| Device {
            name: format!("synthetic-device-{d}"),
            class: DeviceClass::Gpu,
            soc: Some("synthetic".into()),
            runtime: None,
            precision: Some("fp32".into()),
            notes: None,
        })
        .collect();
    let mut measurements = Vec::with_capacity(ROWS);
    for d in &devices {
        for i in 0..KERNELS {
            let kernel = synthetic_kernel(i, &kinds);
            for (metric, value) in
                [(Metric::Energy, 0.1 + i as f64 * 1e-3), (Metric::Latency, 0.2 + i as f64 * 1e-4)]
            {
                measurements.push(Measurement {
                    device: d.name.clone(),
                    subject: Subject::Kernel(kernel.clone()),
                    metric,
                    value,
                    std: Some(value * 0.05),
                    repetitions: Some(100),
                    run: None,
                    line: measurements.len() + 2,
                });
            }
        }
    }
    ImportBatch {
        format: "csv".into(),
        devices,
        measurements,
        provenance: "synthetic benchmark batch".into(),
        graphs: Vec::new(),
    }
}

/// Deletes a store file when dropped.
struct Remove(PathBuf);

impl Drop for Remove {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A scratch directory for store files (emptied first).
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// Read `path` as `format`, hash it, import it into a new store file `db`.
fn read_and_import(format: Format, path: &Path, db: &Path) -> (Store, Remove) {
    let source = ImportSource::from_path(path).unwrap_or_else(|e| panic!("{e}"));
    let batch =
        einf_dataset::import::read(format, path, &ReadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut store = Store::open(db).unwrap_or_else(|e| panic!("{e}"));
    let outcome = store.import(&batch, &source).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(outcome, ImportOutcome::Imported(_)));
    (store, Remove(db.to_path_buf()))
}

fn qed_ops(c: &mut Criterion) {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/qed-usc-mobile-ml-benchmark/tflite_cnn_ops_gpu.csv");
    let rows = einf_dataset::import::read(Format::QedOps, &file, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .measurements
        .len();
    let dir = scratch("einf-import-bench-qed");
    let mut n = 0u32;
    let mut group = c.benchmark_group("import");
    group.sample_size(20).throughput(Throughput::Elements(rows as u64));
    group.bench_function("qed_ops_tflite_cnn_ops_gpu", |b| {
        b.iter_batched(
            || {
                n += 1;
                dir.join(format!("qed-{n}.db"))
            },
            |db| read_and_import(Format::QedOps, &file, &db),
            BatchSize::PerIteration,
        );
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Write the SYNTHETIC 1,000,000-row generic CSV (made-up values, no real device) to `path`.
fn write_synthetic_csv(path: &Path) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(
        out,
        "device,device_class,kind,input_h,input_w,cin,cout,kernel_h,kernel_w,stride_h,stride_w,pad_top,pad_left,pad_bottom,pad_right,metric,value,unit,std,repetitions"
    )?;
    for d in 0..DEVICES {
        for i in 0..KERNELS {
            let (cin, cout) = (1 + i % 250, 1 + i / 250);
            let v = 0.1 + i as f64 * 1e-3;
            for (metric, unit, value) in [("energy", "uJ", v), ("latency", "us", 2.0 * v)] {
                writeln!(
                    out,
                    "synthetic-device-{d},gpu,conv-bn-relu,28,28,{cin},{cout},3,3,1,1,1,1,1,1,{metric},{value:.4},{unit},0.01,100"
                )?;
            }
        }
    }
    out.flush()
}

fn generic_csv_1m(c: &mut Criterion) {
    let dir = scratch("einf-import-bench-csv");
    let file = dir.join("synthetic-1m.csv");
    write_synthetic_csv(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut n = 0u32;
    let mut group = c.benchmark_group("import");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(40))
        .throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("generic_csv_1m_synthetic_rows", |b| {
        b.iter_batched(
            || {
                n += 1;
                dir.join(format!("csv-{n}.db"))
            },
            |db| read_and_import(Format::Csv, &file, &db),
            BatchSize::PerIteration,
        );
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn read_generic_csv_1m(c: &mut Criterion) {
    let dir = scratch("einf-read-bench-csv");
    let file = dir.join("synthetic-1m.csv");
    write_synthetic_csv(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut group = c.benchmark_group("read");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("generic_csv_1m_synthetic_rows", |b| {
        b.iter(|| {
            einf_dataset::import::read(Format::Csv, &file, &ReadOptions::default())
                .unwrap_or_else(|e| panic!("{e}"))
        });
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn import_1m(c: &mut Criterion) {
    let batch = synthetic_batch();
    let source = ImportSource::from_bytes("synthetic-1m.csv", b"synthetic 1M-row benchmark batch");
    let dir = scratch("einf-import-bench-store");
    let mut n = 0u32;

    let mut group = c.benchmark_group("store");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(40))
        .throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("import_1m_synthetic_measurements", |b| {
        b.iter_batched(
            || {
                n += 1;
                let db = dir.join(format!("bench-{n}.db"));
                let _ = std::fs::remove_file(&db);
                db
            },
            |db| {
                let mut store = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
                let outcome = store.import(&batch, &source).unwrap_or_else(|e| panic!("{e}"));
                assert!(matches!(outcome, ImportOutcome::Imported(_)));
                // Closed and deleted after the clock stops.
                (store, Remove(db))
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, qed_ops, generic_csv_1m, read_generic_csv_1m, import_1m);
criterion_main!(benches);
