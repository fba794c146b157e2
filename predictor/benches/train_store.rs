//! Training from a store: the issue's target is 100,000 kernel rows read and trained on in
//! ≤ 10 s on the 2-core machine.
//!
//! ```sh
//! cargo bench -p einf-predictor --bench train_store -- --quick
//! ```
//!
//! The data is SYNTHETIC (made up in code, never measured; the bench names say so): one GPU
//! device, `synthetic-gpu-tflite-fp16`, with
//! - 40,000 kernel configurations measured alone (energy and latency: 80,000 rows), and
//! - 200 models of 21 to 79 kernels (10,000 in all) measured inside them (energy and latency:
//!   20,000 rows), each model also measured whole (400 rows),
//!
//! so 100,000 kernel rows and 100,000 training samples (the configurations measured alone are
//! distinct), over the kinds a mobile CNN splits into (conv-bn-relu,
//! conv-bn, conv-bn-add-relu, dwconv-bn-relu, fc, add, gap, maxpool, concat, hswish) with
//! plausible configurations. Each cost is its kernel's work (FLOPs + 8 × bytes,
//! `features::work`) at a per-kind rate, plus a launch cost, times log-normal noise (σ 0.1);
//! energy is latency times about 2 W. The store is a file on disk, written once before timing.
//!
//! - `train_store/from_store_100k_synthetic_kernel_rows`: `DeviceData::from_store` alone (rows
//!   read, samples built, model graphs read).
//! - `train_store/from_store_and_train_100k_synthetic_kernel_rows`: `DeviceData::from_store`
//!   then `DevicePredictor::train(&data, &ForestParams::einf(), None)` (every forest and the
//!   calibration, no cross-validation): the issue's figure.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// The einf binary runs on mimalloc; measure what it does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use einf_dataset::batch::{
    Device, DeviceClass, ImportBatch, KernelRecord, Measurement, Metric, ModelRecord, Subject,
};
use einf_dataset::store::{ImportOutcome, ImportSource, Store};
use einf_parser::ir::DType;
use einf_parser::kernel::{KernelConfig, KernelKind};
use einf_predictor::data::{DeviceData, Filter};
use einf_predictor::features::work;
use einf_predictor::params::ForestParams;
use einf_predictor::predictor::DevicePredictor;
use std::collections::HashSet;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

const DEVICE: &str = "synthetic-gpu-tflite-fp16";
/// Kernel configurations measured alone (each for energy and latency).
const ALONE: usize = 40_000;
/// Models whose kernels were measured inside them.
const MODELS: usize = 200;
/// Kernels per model, on average.
const MODEL_KERNELS: usize = 50;
/// Kernel rows in all: 100,000.
const KERNEL_ROWS: usize = 2 * (ALONE + MODELS * MODEL_KERNELS);

/// splitmix64: a small deterministic generator, so that every run trains on the same rows.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One of `items`.
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize]
    }

    /// A channel count: a multiple of 4 in [lo, hi], log-uniform.
    fn channels(&mut self, lo: u64, hi: u64) -> u64 {
        let v = ((lo as f64).ln() + self.unit() * ((hi as f64).ln() - (lo as f64).ln())).exp();
        ((v / 4.0).round() as u64 * 4).clamp(lo, hi)
    }

    /// A standard normal draw (Box-Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (1.0 - self.unit(), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// A SYNTHETIC kernel of a mobile CNN: kind and plausible configuration.
fn synthetic_kernel(rng: &mut Rng) -> (KernelKind, KernelConfig) {
    let side = rng.pick(&[
        7u64, 8, 10, 12, 14, 14, 16, 19, 20, 24, 28, 28, 32, 38, 40, 48, 56, 56, 64, 75, 80, 96, 112, 112,
        128, 150, 160, 192, 224,
    ]);
    let c = rng.channels(8, 512);
    let base = KernelConfig {
        input_h: side,
        input_w: side,
        output_h: side,
        output_w: side,
        cin: c,
        cout: c,
        dtype: DType::F16,
        ..KernelConfig::neutral()
    };
    let r = rng.unit();
    let (kind, config) = if r < 0.45 {
        let k = rng.pick(&[1u64, 1, 1, 3, 3, 5, 7]);
        let s = if rng.unit() < 0.2 { 2 } else { 1 };
        let kind = rng.pick(&["conv-bn-relu", "conv-bn-relu", "conv-bn", "conv-bn-add-relu"]);
        let config = KernelConfig {
            output_h: side.div_ceil(s),
            output_w: side.div_ceil(s),
            cout: rng.channels(8, 1024),
            kernel_h: k,
            kernel_w: k,
            stride_h: s,
            stride_w: s,
            pads: [k / 2; 4],
            ..base
        };
        (kind, config)
    } else if r < 0.65 {
        let k = rng.pick(&[3u64, 3, 5]);
        let s = if rng.unit() < 0.25 { 2 } else { 1 };
        let config = KernelConfig {
            output_h: side.div_ceil(s),
            output_w: side.div_ceil(s),
            cin: c,
            cout: c,
            kernel_h: k,
            kernel_w: k,
            stride_h: s,
            stride_w: s,
            pads: [k / 2; 4],
            groups: c,
            ..base
        };
        ("dwconv-bn-relu", config)
    } else if r < 0.72 {
        let config = KernelConfig {
            cin: rng.channels(64, 4096),
            cout: rng.channels(8, 4096),
            input_h: 1,
            input_w: 1,
            output_h: 1,
            output_w: 1,
            ..base
        };
        ("fc", config)
    } else if r < 0.82 {
        (rng.pick(&["add", "add-relu"]), KernelConfig { input_channels: vec![c, c], ..base })
    } else if r < 0.86 {
        let config = KernelConfig { output_h: 1, output_w: 1, kernel_h: side, kernel_w: side, ..base };
        ("gap", config)
    } else if r < 0.90 {
        let k = rng.pick(&[2u64, 3]);
        let config = KernelConfig {
            output_h: side.div_ceil(2),
            output_w: side.div_ceil(2),
            kernel_h: k,
            kernel_w: k,
            stride_h: 2,
            stride_w: 2,
            ..base
        };
        ("maxpool", config)
    } else if r < 0.95 {
        let c2 = rng.channels(8, 512);
        ("concat", KernelConfig { cout: c + c2, input_channels: vec![c, c2], ..base })
    } else {
        ("hswish", base)
    };
    (kind.parse().unwrap_or_else(|e| panic!("{e}")), config)
}

/// SYNTHETIC latency (ms) and energy (mJ) of a kernel: its work at a per-kind rate (a 3×3
/// stride-1 convolution faster, as Winograd makes it), a launch cost, log-normal noise.
fn synthetic_cost(rng: &mut Rng, kind: &KernelKind, config: &KernelConfig) -> (f64, f64) {
    let name = kind.to_string();
    // Work units per ms.
    let rate = if name.starts_with("dwconv") {
        4e7
    } else if name.starts_with("conv") {
        let winograd = config.kernel_h == 3 && config.stride_h == 1;
        if winograd { 2.5e8 } else { 1.5e8 }
    } else if name == "fc" {
        6e7
    } else {
        2e7
    };
    let latency = (work(kind, config) / rate + 0.01) * (0.1 * rng.normal()).exp();
    let energy = latency * 2.0 * (0.05 * rng.normal()).exp();
    (latency, energy)
}

/// SYNTHETIC: the device's measurements (see the module docs).
fn synthetic_batch() -> ImportBatch {
    let mut rng = Rng(12);
    let mut measurements = Vec::with_capacity(KERNEL_ROWS + 2 * MODELS);
    let mut push = |subject: Subject, metric: Metric, value: f64| {
        let line = measurements.len() + 2;
        measurements.push(Measurement {
            device: DEVICE.into(),
            subject,
            metric,
            value,
            std: None,
            repetitions: Some(50),
            run: None,
            line,
        });
    };
    for m in 0..MODELS {
        let model = format!("synthetic-model-{m}");
        let (mut latency_sum, mut energy_sum) = (0.0, 0.0);
        // 21 to 79 kernels, 50 on average (pairs of models differ from 50 by as much each way):
        // the calibration needs models of different lengths.
        let d = (m / 2) % 30;
        let length = if m % 2 == 0 { MODEL_KERNELS + d } else { MODEL_KERNELS - d };
        for _ in 0..length {
            let (kind, config) = synthetic_kernel(&mut rng);
            let (latency, energy) = synthetic_cost(&mut rng, &kind, &config);
            (latency_sum, energy_sum) = (latency_sum + latency, energy_sum + energy);
            for (metric, value) in [(Metric::Latency, latency), (Metric::Energy, energy)] {
                let record = KernelRecord {
                    kind: kind.clone(),
                    config: config.clone(),
                    source_id: None,
                    model: Some(model.clone()),
                };
                push(Subject::Kernel(record), metric, value);
            }
        }
        for (metric, sum) in [(Metric::Latency, latency_sum), (Metric::Energy, energy_sum)] {
            let whole = Subject::Model(ModelRecord { name: model.clone(), file_sha256: None });
            push(whole, metric, (1.05 * sum + 0.3) * (0.03 * rng.normal()).exp());
        }
    }
    // Distinct configurations (each would otherwise be one sample, the mean of its rows).
    let mut seen = HashSet::new();
    while seen.len() < ALONE {
        let (kind, config) = synthetic_kernel(&mut rng);
        if !seen.insert((kind.clone(), config.clone())) {
            continue;
        }
        let (latency, energy) = synthetic_cost(&mut rng, &kind, &config);
        for (metric, value) in [(Metric::Latency, latency), (Metric::Energy, energy)] {
            let record =
                KernelRecord { kind: kind.clone(), config: config.clone(), source_id: None, model: None };
            push(Subject::Kernel(record), metric, value);
        }
    }
    ImportBatch {
        format: "csv".into(),
        devices: vec![Device {
            name: DEVICE.into(),
            class: DeviceClass::Gpu,
            soc: Some("synthetic".into()),
            runtime: Some("tflite-gpu".into()),
            precision: Some("fp16".into()),
            notes: Some("SYNTHETIC benchmark device: made-up measurements".into()),
        }],
        measurements,
        provenance: "SYNTHETIC benchmark batch: made-up values".into(),
        graphs: Vec::new(),
    }
}

/// A scratch directory, deleted when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn train_store(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("einf-train-store-bench");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let scratch = Scratch(dir);
    let db = scratch.0.join("synthetic-100k.db");
    {
        let batch = synthetic_batch();
        let source = ImportSource::from_bytes("synthetic-100k.csv", b"SYNTHETIC 100k-row training bench");
        let mut store = Store::open(&db).unwrap_or_else(|e| panic!("{e}"));
        let outcome = store.import(&batch, &source).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(outcome, ImportOutcome::Imported(_)));
    }
    let store = Store::open_existing(&db).unwrap_or_else(|e| panic!("{e}"));
    let rows = store.device_rows(DEVICE, &Default::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.kernels.len(), KERNEL_ROWS);
    drop(rows);
    let data = DeviceData::from_store(&store, DEVICE, &Filter::default()).unwrap_or_else(|e| panic!("{e}"));
    // One sample per kernel row (in-model rows are not numbered runs, the alone ones distinct).
    assert_eq!((data.kernels.len(), data.models.len()), (KERNEL_ROWS, 2 * MODELS));
    drop(data);

    let mut group = c.benchmark_group("train_store");
    group.sample_size(10).throughput(Throughput::Elements(KERNEL_ROWS as u64));
    group.bench_function("from_store_100k_synthetic_kernel_rows", |b| {
        b.iter(|| {
            black_box(
                DeviceData::from_store(&store, DEVICE, &Filter::default()).unwrap_or_else(|e| panic!("{e}")),
            )
        });
    });
    // About 10 s an iteration: ten of them, one each (criterion's linear sampling would run 55).
    group.sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(100));
    group.bench_function("from_store_and_train_100k_synthetic_kernel_rows", |b| {
        b.iter(|| {
            let data =
                DeviceData::from_store(&store, DEVICE, &Filter::default()).unwrap_or_else(|e| panic!("{e}"));
            black_box(
                DevicePredictor::train(&data, &ForestParams::einf(), None).unwrap_or_else(|e| panic!("{e}")),
            )
        });
    });
    group.finish();
    drop(store);
    drop(scratch);
}

criterion_group!(benches, train_store);
criterion_main!(benches);
