//! Speed targets: predicting ResNet-50 including parse (< 2 ms), batched kernel predictions
//! (≥ 200k per second per core), training every forest of one device (< 30 s on 2 cores).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

// The einf binary runs on mimalloc (parsing allocates many small strings and vectors); measure
// what it does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use einf_parser::{analyze, fusion::Rules, load_model};
use einf_predictor::features::{FeatureSet, features};
use einf_predictor::forests::MetricName;
use einf_predictor::{
    bundled, bundled_data, model::predict_model, params::ForestParams, predictor::DevicePredictor,
};
use std::hint::black_box;
use std::path::Path;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn bench(c: &mut Criterion) {
    let p = bundled::load("pixel4-gpu-tflite-fp16").unwrap();
    let rules = Rules::builtin(&p.meta.backend).unwrap();
    let resnet = repo().join("tests/fixtures/models/onnx-light/light_resnet50.onnx");
    c.bench_function("predict resnet50 incl. parse (pixel4)", |b| {
        b.iter(|| {
            let g = load_model(&resnet, &[]).unwrap();
            let a = analyze(&g, &rules).unwrap();
            black_box(predict_model(&p, "resnet50", &a.kernels, false).unwrap())
        })
    });

    c.bench_function("load bundled pixel4 (decode + checksum)", |b| {
        b.iter(|| {
            black_box(einf_predictor::format::from_bytes(bundled::BUNDLED[0].1, Path::new("p")).unwrap())
        })
    });
    let g = load_model(&resnet, &[]).unwrap();
    let a = analyze(&g, &rules).unwrap();
    c.bench_function("parse resnet50", |b| b.iter(|| black_box(load_model(&resnet, &[]).unwrap())));
    c.bench_function("analyze resnet50", |b| b.iter(|| black_box(analyze(&g, &rules).unwrap())));
    c.bench_function("predict_model resnet50 (kernels given)", |b| {
        b.iter(|| black_box(predict_model(&p, "resnet50", &a.kernels, false).unwrap()))
    });

    // Batched: every conv-bn-relu kernel of the training data through its forest.
    let d = bundled_data::load(&repo().join("dataset/data"), "pixel4-gpu-tflite-fp16").unwrap();
    let kind: einf_parser::kernel::KernelKind = "conv-bn-relu".parse().unwrap();
    let rows: Vec<f64> = d
        .kernels
        .iter()
        .filter(|k| k.kind == kind)
        .flat_map(|k| features(&k.kind, &k.config, FeatureSet::Einf, "k").unwrap())
        .collect();
    let (forest, _) = p.forests.lookup(&kind, MetricName::Latency).unwrap();
    let n = rows.len() / forest.features.len();
    let mut out = Vec::new();
    let mut g = c.benchmark_group("batch");
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("conv-bn-relu kernel predictions", |b| {
        b.iter(|| {
            forest.forest.predict_batch(black_box(&rows), &mut out).unwrap();
            black_box(out.len())
        })
    });
    g.finish();

    let mut g = c.benchmark_group("train");
    g.sample_size(10);
    g.bench_function("all forests of pixel4 (no cross-validation)", |b| {
        b.iter(|| black_box(DevicePredictor::train(&d, &ForestParams::einf(), None).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
