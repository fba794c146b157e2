//! HELP's architectures come with their graphs: every NAS-Bench-201 cell and FBNet network of the
//! tables, split for each built-in backend, so that every whole-model row is linked.
//!
//! The tables are the bundled HELP files (real latencies) and the fixtures cut from them
//! (`tests/data/import/help/`, first lines of each).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_dataset::batch::{ImportBatch, Subject};
use einf_dataset::import::{Format, ReadOptions, read};
use einf_dataset::store::{ImportOutcome, ImportSource, Store};
use einf_models::space::Nb201Parts;
use einf_models::space::fbnet::{self, FbnetArch, Setting};
use einf_models::space::nb201::Nb201Cell;
use einf_parser::fusion::{Rules, fuse};
use einf_parser::kernel::{Kernel, KernelConfig, KernelKind};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import/help").join(name)
}

fn bundled(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/help-nasbench201-fbnet-latency").join(name)
}

fn costed(ks: Vec<Kernel>) -> Vec<(KernelKind, KernelConfig)> {
    ks.into_iter().filter(Kernel::is_costed).filter_map(|k| k.config.map(|c| (k.kind, c))).collect()
}

fn models(b: &ImportBatch) -> BTreeSet<String> {
    b.measurements
        .iter()
        .filter_map(|m| match &m.subject {
            Subject::Model(r) => Some(r.name.clone()),
            Subject::Kernel(_) => None,
        })
        .collect()
}

/// Import `path` into a fresh store; the number of models measured whole on `device` and of
/// those linked.
fn linked(path: &Path, device: &str) -> (u64, u64) {
    let b = read(Format::Help, path, &ReadOptions::default()).unwrap();
    assert_eq!(b.graphs.len(), 4 * models(&b).len(), "{}: a graph per model and backend", path.display());
    let mut store = Store::open_in_memory().unwrap();
    let outcome = store.import(&b, &ImportSource::from_path(path).unwrap()).unwrap();
    assert!(matches!(outcome, ImportOutcome::Imported(_)));
    let r = store.show(device).unwrap();
    (r.device.models, r.models_linked)
}

#[test]
fn the_cut_tables_link_every_architecture_to_the_kernels_of_its_network() {
    let backends = Rules::builtin_names();
    let b = read(Format::Help, &fixture("nasbench201_latency_ms.csv"), &ReadOptions::default()).unwrap();
    let parts = Nb201Parts::new().unwrap();
    assert_eq!(models(&b).len(), 3);
    for g in &b.graphs {
        let arch = g.arch.as_deref().unwrap();
        let cell = arch.strip_prefix("nb201:").unwrap();
        assert_eq!(g.model.name, format!("nasbench201:{cell}"));
        let rules = Rules::builtin(g.backend.as_deref().unwrap()).unwrap();
        let expected = costed(parts.kernels(&Nb201Cell::parse(cell).unwrap(), &rules).unwrap());
        assert_eq!(g.kernels.to_vec(), expected, "{} {:?}", g.model.name, g.backend);
    }
    let got: Vec<&str> = b.graphs.iter().take(4).filter_map(|g| g.backend.as_deref()).collect();
    assert_eq!(got, backends);

    // FBNet (CIFAR-100, HELP's setting): the fast path's graphs are the built network's kernels.
    let b = read(Format::Help, &fixture("fbnet_latency_ms.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(models(&b).len(), 2);
    for g in &b.graphs {
        let blocks = g.arch.as_deref().unwrap().strip_prefix("fbnet:").unwrap();
        assert_eq!(g.model.name, format!("fbnet:{}", blocks.replace(' ', "-")));
        let net = fbnet::build(&FbnetArch::parse(blocks).unwrap(), Setting::Cifar100).unwrap();
        let rules = Rules::builtin(g.backend.as_deref().unwrap()).unwrap();
        assert_eq!(g.kernels.to_vec(), costed(fuse(&net, &rules).unwrap()), "{}", g.model.name);
    }

    for (file, n) in [("nasbench201_latency_ms.csv", 3), ("fbnet_latency_ms.csv", 2)] {
        assert_eq!(linked(&fixture(file), "help-pixel3"), (n, n), "{file}");
        assert_eq!(linked(&fixture(file), "help-eyeriss"), (n, n), "{file}");
    }
    let skip = ReadOptions { without_graphs: true, ..ReadOptions::default() };
    assert!(read(Format::Help, &fixture("fbnet_latency_ms.csv"), &skip).unwrap().graphs.is_empty());
}

#[test]
fn every_fbnet_row_of_the_bundled_table_is_linked() {
    assert_eq!(linked(&bundled("fbnet_latency_ms.csv"), "help-pixel3"), (5_000, 5_000));
}

/// The whole NAS-Bench-201 table (about 20 s in a debug build: run with `--release -- --ignored`).
#[test]
#[ignore]
fn every_nasbench201_row_of_the_bundled_table_is_linked() {
    assert_eq!(linked(&bundled("nasbench201_latency_ms.csv"), "help-pixel3"), (15_625, 15_625));
}
