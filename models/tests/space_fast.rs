//! The search-space fast paths give exactly the kernels of splitting the built graph, for every
//! built-in backend: kind, configuration and features of each kernel, as multisets for
//! NAS-Bench-201 ([`Nb201Parts`], [`Nb201Splitter`]) and in order for FBNet ([`FbnetParts`]).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_models::space::fbnet::{self, FbnetArch, Setting};
use einf_models::space::nb201::{self, Nb201Cell, Nb201Op};
use einf_models::space::{Candidate, FbnetParts, Nb201Parts, Nb201Splitter, Space};
use einf_parser::fusion::{Rules, fuse};
use einf_parser::kernel::Kernel;

fn keys(ks: &[Kernel]) -> Vec<String> {
    let mut v: Vec<String> =
        ks.iter().map(|k| format!("{} {:?} {:?}", k.kind, k.config, k.features)).collect();
    v.sort();
    v
}

fn check(cells: &[Nb201Cell]) {
    let parts = Nb201Parts::new().unwrap();
    let graphs: Vec<_> = cells.iter().map(|c| nb201::build(c).unwrap()).collect();
    for backend in Rules::builtin_names() {
        let rules = Rules::builtin(backend).unwrap();
        for (c, g) in cells.iter().zip(&graphs) {
            let slow = fuse(g, &rules).unwrap();
            let fast = parts.kernels(c, &rules).unwrap();
            assert_eq!(keys(&fast), keys(&slow), "{backend} {c}");
        }
    }
}

#[test]
fn fast_path_equals_the_parser_on_a_sample_and_on_edge_cases() {
    let mut cells: Vec<Nb201Cell> = Space::Nb201
        .sample(120, 11)
        .into_iter()
        .filter_map(|c| match c {
            Candidate::Nb201(c) => Some(c),
            _ => None,
        })
        .collect();
    // Cells of only none and skip edges (adds only, identity, zero), and one of each op everywhere.
    for i in 0..64u32 {
        let mut ops = [Nb201Op::None; 6];
        for (k, o) in ops.iter_mut().enumerate() {
            if i >> k & 1 == 1 {
                *o = Nb201Op::Skip;
            }
        }
        cells.push(Nb201Cell { ops });
    }
    for op in Nb201Op::ALL {
        cells.push(Nb201Cell { ops: [op; 6] });
    }
    check(&cells);
}

/// Every one of the 15,625 cells (slow in a debug build: run with `--release -- --ignored`).
#[test]
#[ignore]
fn fast_path_equals_the_parser_on_the_whole_space() {
    let cells: Vec<Nb201Cell> = (0..nb201::SIZE).filter_map(Nb201Cell::from_index).collect();
    check(&cells);
}

#[test]
fn the_nb201_splitter_gives_the_fast_path_kernels_with_stable_ids() {
    let rules = Rules::builtin("tflite-gpu").unwrap();
    let splitter = Nb201Splitter::new(rules.clone()).unwrap();
    let parts = Nb201Parts::new().unwrap();
    let cells: Vec<Nb201Cell> = (0..nb201::SIZE).step_by(997).filter_map(Nb201Cell::from_index).collect();
    let first: Vec<Vec<u32>> = cells.iter().map(|c| splitter.kernel_ids(c).unwrap()).collect();
    for (c, ids) in cells.iter().zip(&first) {
        let ks: Vec<Kernel> = ids.iter().map(|&i| splitter.kernel(i).unwrap()).collect();
        assert_eq!(ks, parts.kernels(c, &rules).unwrap(), "{c}");
        assert_eq!(&splitter.kernel_ids(c).unwrap(), ids, "{c}: ids of a second call");
    }
}

fn exact(ks: &[Kernel]) -> Vec<String> {
    ks.iter().map(|k| format!("{} {:?} {:?}", k.kind, k.config, k.features)).collect()
}

fn check_fbnet(archs: &[FbnetArch]) {
    for setting in [Setting::Cifar100, Setting::ImageNet] {
        let graphs: Vec<_> = archs.iter().map(|a| fbnet::build(a, setting).unwrap()).collect();
        for backend in Rules::builtin_names() {
            let rules = Rules::builtin(backend).unwrap();
            let parts = FbnetParts::new(setting, &rules).unwrap();
            for (a, g) in archs.iter().zip(&graphs) {
                let slow = fuse(g, &rules).unwrap();
                assert_eq!(exact(&parts.kernels(a)), exact(&slow), "{backend} {setting:?} {a}");
            }
        }
    }
}

#[test]
fn fbnet_fast_path_equals_the_parser_kernel_for_kernel_on_a_sample_and_on_edge_cases() {
    let mut archs: Vec<FbnetArch> = Space::Fbnet(Setting::Cifar100)
        .sample(12, 5)
        .into_iter()
        .filter_map(|c| match c {
            Candidate::Fbnet(a) => Some(a),
            _ => None,
        })
        .collect();
    // Every block at every layer, and skips everywhere (identities where the shape allows).
    for b in 0..9u8 {
        archs.push(FbnetArch { blocks: [b; 22] });
    }
    archs.push(FbnetArch::parse("7 8 1 8 4 8 8 8 7 4 1 4 7 3 2 7 3 2 4 2 4 5").unwrap());
    check_fbnet(&archs);
}

/// 2,000 sampled FBNet networks (slow in a debug build: run with `--release -- --ignored`).
#[test]
#[ignore]
fn fbnet_fast_path_equals_the_parser_on_a_large_sample() {
    let archs: Vec<FbnetArch> = Space::Fbnet(Setting::Cifar100)
        .sample(2_000, 17)
        .into_iter()
        .filter_map(|c| match c {
            Candidate::Fbnet(a) => Some(a),
            _ => None,
        })
        .collect();
    check_fbnet(&archs);
}
