//! Parse + shape inference + fusion of real models: `cargo bench -p einf-parser --bench parse`.
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // a benchmark may stop on a broken fixture
//!
//! Targets (README): ResNet-50 under 1 ms, the 4.7 MB PP-OCRv4 detector (weights in Constant
//! nodes) under 10 ms, on the 2-core CI machine.

use criterion::{Criterion, criterion_group, criterion_main};
use einf_parser::fusion::Rules;
use einf_parser::shape::{InputShape, infer};
use einf_parser::{analyze, detect, parse_bytes};
use std::hint::black_box;
use std::path::PathBuf;

// The allocator of the `einf` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn fixture(rel: &str) -> (PathBuf, Vec<u8>) {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/models").join(rel);
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    (p, bytes)
}

fn bench(c: &mut Criterion) {
    let cases = [
        ("resnet50", "onnx-light/light_resnet50.onnx", vec![], "onnxruntime-cpu"),
        (
            "ppocrv4_det",
            "pypi-extracted/rapidocr_ch_PP-OCRv4_det_infer.onnx",
            vec![InputShape { name: "x".into(), dims: vec![1, 3, 640, 640] }],
            "onnxruntime-cpu",
        ),
        ("mobilenetv2_035_tflite", "generated/mobilenetv2_035.tflite", vec![], "tflite-cpu"),
    ];
    for (name, rel, shapes, backend) in cases {
        let (path, bytes) = fixture(rel);
        let rules = Rules::builtin(backend).unwrap_or_else(|e| panic!("{e}"));
        c.bench_function(&format!("parse+infer+fuse/{name}"), |b| {
            b.iter(|| {
                let mut g = parse_bytes(black_box(&bytes), detect(&path, &bytes), name, path.parent())
                    .unwrap_or_else(|e| panic!("{e}"));
                infer(&mut g, &shapes).unwrap_or_else(|e| panic!("{e}"));
                black_box(analyze(&g, &rules).unwrap_or_else(|e| panic!("{e}")))
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
