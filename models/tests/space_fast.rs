//! The NAS-Bench-201 fast path gives exactly the kernels of splitting the built graph, for every
//! built-in backend: kind, configuration and features of each kernel, as multisets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_models::space::nb201::{self, Nb201Cell, Nb201Op};
use einf_models::space::{Candidate, Nb201Parts, Space};
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
