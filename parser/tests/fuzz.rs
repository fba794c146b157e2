//! Fuzz targets, one per format, as deterministic proptest loops that run on stable Rust.
//!
//! Each case mutates a real fixture (byte flips, overwrites with boundary values, truncation,
//! splices of another region) and runs the whole pipeline (decode, validate, shape inference,
//! fusion). The property: no panic, and an error always names the file. `cargo test` runs a short
//! loop; `EINF_FUZZ_CASES=200000 cargo test --release -p einf-parser --test fuzz` runs a long one
//! (the README records the count reached).
#![cfg(all(feature = "onnx", feature = "tflite"))]
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)] // test helpers stop on broken fixtures

use einf_parser::fusion::Rules;
use einf_parser::{analyze, detect, parse_bytes, shape};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::path::{Path, PathBuf};

fn cases() -> u32 {
    std::env::var("EINF_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

fn seeds(ext: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/models");
    let mut out = Vec::new();
    for group in
        ["generated", "mlperf-tiny-tflite", "onnx-light", "pypi-extracted", "proxylessnas-gaze-tflite"]
    {
        let Ok(entries) = std::fs::read_dir(dir.join(group)) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(u64::MAX);
            // Small seeds keep each case fast.
            if p.extension().and_then(|x| x.to_str()) == Some(ext) && len < 700_000 {
                let bytes = std::fs::read(&p).unwrap_or_default();
                out.push((p, bytes));
            }
        }
    }
    out.sort();
    out
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    Truncate(usize),
    Splice(usize, usize, usize),
    Insert(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let boundary = prop_oneof![Just(0u8), Just(0xff), Just(0x7f), Just(0x80), Just(1), any::<u8>()];
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), boundary).prop_map(|(i, v)| Mutation::Set(i, v)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<usize>(), 1usize..64).prop_map(|(a, b, n)| Mutation::Splice(a, b, n)),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, v)| Mutation::Insert(i, v)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len().max(1);
    match m {
        Mutation::Flip(i, b) => {
            if let Some(x) = bytes.get_mut(i % len) {
                *x ^= 1 << b;
            }
        }
        Mutation::Set(i, v) => {
            if let Some(x) = bytes.get_mut(i % len) {
                *x = *v;
            }
        }
        Mutation::Truncate(i) => bytes.truncate(i % len),
        Mutation::Splice(a, b, n) => {
            let (a, b) = (a % len, b % len);
            let n = (*n).min(len - a).min(len - b);
            let chunk: Vec<u8> = bytes.get(a..a + n).map(<[u8]>::to_vec).unwrap_or_default();
            if let Some(dst) = bytes.get_mut(b..b + chunk.len()) {
                dst.copy_from_slice(&chunk);
            }
        }
        Mutation::Insert(i, v) => {
            let at = (i % len).min(bytes.len());
            bytes.splice(at..at, v.iter().copied());
        }
    }
}

/// The whole pipeline on bytes; returns whether it succeeded.
fn pipeline(path: &Path, bytes: &[u8]) -> Result<(), einf_parser::Error> {
    let mut g = parse_bytes(bytes, detect(path, bytes), "fuzz", path.parent())?;
    g.validate()?;
    shape::infer(&mut g, &[])?;
    for b in Rules::builtin_names() {
        analyze(&g, &Rules::builtin(b)?)?;
    }
    Ok(())
}

fn fuzz(ext: &str) {
    let seeds = seeds(ext);
    assert!(!seeds.is_empty(), "no {ext} seeds");
    let config = Config { cases: cases(), failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let strategy = (0..seeds.len(), prop::collection::vec(mutation(), 1..6));
    let result = runner.run(&strategy, |(seed, muts)| {
        let (path, bytes) = &seeds[seed];
        let mut b = bytes.clone();
        for m in &muts {
            apply(&mut b, m);
        }
        let outcome = std::panic::catch_unwind(|| pipeline(path, &b).map_err(|e| e.to_string()));
        prop_assert!(outcome.is_ok(), "panic on a mutation of {}: {muts:?}", path.display());
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn fuzz_onnx() {
    fuzz("onnx");
}

#[test]
fn fuzz_tflite() {
    fuzz("tflite");
}
