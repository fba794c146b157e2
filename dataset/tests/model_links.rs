//! The generic CSV's `model_file` and `arch` columns: model rows linked to the kernels of a model
//! file or a built-in architecture, one graph per built-in backend, and each bad link a named
//! error at its line.
//!
//! The measurement values are SYNTHETIC (made up, `synthetic-*` devices); the model files are
//! the fixtures of `tests/fixtures/models/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_dataset::batch::{ImportBatch, ModelGraph, Subject};
use einf_dataset::import::{Format, ReadOptions, read};
use einf_dataset::store::{ImportOutcome, ImportSource, Store};
use einf_models::space::fbnet::{self, FbnetArch, Setting};
use einf_models::{ArchOptions, Variant};
use einf_parser::fusion::{Rules, fuse};
use einf_parser::kernel::{KernelConfig, KernelKind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import/csv/synthetic_linked_models.csv")
}

fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/models")
}

/// The costed kernels of `graph` split with `backend`'s rules, and the uncosted count.
fn parser_kernels(graph: &einf_parser::ir::Graph, backend: &str) -> (Vec<(KernelKind, KernelConfig)>, u32) {
    let ks = fuse(graph, &Rules::builtin(backend).unwrap()).unwrap();
    let uncosted = ks.iter().filter(|k| !k.is_costed()).count() as u32;
    (
        ks.into_iter()
            .filter_map(|k| k.config.filter(|_| k.kind.is_supported()).map(|c| (k.kind, c)))
            .collect(),
        uncosted,
    )
}

fn graphs_of<'b>(b: &'b ImportBatch, model: &str) -> Vec<&'b ModelGraph> {
    b.graphs.iter().filter(|g| g.model.name == model).collect()
}

#[test]
fn model_rows_link_to_model_files_and_architectures_with_one_graph_per_backend() {
    let b = read(Format::Csv, &fixture(), &ReadOptions::default()).unwrap();
    assert_eq!(b.measurements.len(), 9);
    let backends = Rules::builtin_names();
    // Seven models, each with a graph for every built-in backend.
    assert_eq!(b.graphs.len(), 7 * backends.len());
    for m in &b.measurements {
        if let Subject::Model(r) = &m.subject {
            let gs: Vec<&ModelGraph> = b.graphs.iter().filter(|g| g.model == *r).collect();
            let got: Vec<&str> = gs.iter().filter_map(|g| g.backend.as_deref()).collect();
            assert_eq!(got, backends, "line {}: {}", m.line, r.name);
            assert!(gs.iter().all(|g| !g.kernels.is_empty()), "{}", r.name);
        }
    }

    // A model file: its sha256, and the parser's kernels of it for each backend.
    let onnx = models_dir().join("onnx-light/light_resnet50.onnx");
    let sha = einf_dataset::store::sha256_file(&onnx).unwrap();
    let graph = einf_parser::load_model(&onnx, &[]).unwrap();
    for g in graphs_of(&b, "light_resnet50") {
        assert_eq!(g.model.file_sha256.as_deref(), Some(sha.as_str()));
        assert_eq!(g.arch, None);
        let (kernels, uncosted) = parser_kernels(&graph, g.backend.as_deref().unwrap());
        assert_eq!((g.kernels.to_vec(), g.uncosted), (kernels, uncosted), "{:?}", g.backend);
    }
    assert_eq!(
        graphs_of(&b, "light_resnet50")
            .iter()
            .find(|g| g.backend.as_deref() == Some("onnxruntime-cpu"))
            .map(|g| g.kernels.len()),
        Some(58)
    );
    let tflite = models_dir().join("mlperf-tiny-tflite/vww_96_float.tflite");
    let graph = einf_parser::load_model(&tflite, &[]).unwrap();
    for g in graphs_of(&b, "vww_96_float") {
        assert_eq!(g.kernels.to_vec(), parser_kernels(&graph, g.backend.as_deref().unwrap()).0);
    }

    // Architectures: the model is named by `model` or by the arch text; its graph is the built
    // network's kernels.
    let blocks = "7 8 1 8 4 8 8 8 7 4 1 4 7 3 2 7 3 2 4 2 4 5";
    let graph = fbnet::build(&FbnetArch::parse(blocks).unwrap(), Setting::Cifar100).unwrap();
    for g in graphs_of(&b, "my-fbnet") {
        assert_eq!(g.arch.as_deref(), Some(format!("fbnet:{blocks}").as_str()));
        assert_eq!(g.kernels.to_vec(), parser_kernels(&graph, g.backend.as_deref().unwrap()).0);
    }
    let zoo = "zoo:mobilenet_v2@w0.5@r160@v3";
    let opts =
        ArchOptions { width: 0.5, resolution: Some(160), classes: None, variant: Some(Variant::new(3)) };
    let graph = einf_models::arch::build("mobilenet_v2", &opts).unwrap();
    for g in graphs_of(&b, zoo) {
        assert_eq!(g.arch.as_deref(), Some(zoo));
        assert_eq!(g.kernels.to_vec(), parser_kernels(&graph, g.backend.as_deref().unwrap()).0);
    }
    let plain = einf_models::arch::build("resnet18", &ArchOptions::default()).unwrap();
    let g = graphs_of(&b, "zoo:resnet18");
    assert_eq!(g[0].kernels.to_vec(), parser_kernels(&plain, g[0].backend.as_deref().unwrap()).0);
    // The variant is not the plain network.
    let plain_v2 = einf_models::arch::build("mobilenet_v2", &ArchOptions::default()).unwrap();
    assert_ne!(graphs_of(&b, zoo)[0].kernels.to_vec(), parser_kernels(&plain_v2, "tflite-cpu").0);
    let nb201 = b.graphs.iter().find(|g| g.model.name.starts_with("nb201:|nor_conv_3x3~0|")).unwrap();
    assert_eq!(nb201.arch.as_deref(), Some(nb201.model.name.as_str()));
}

#[test]
fn every_model_row_is_linked_in_the_store_and_a_second_import_adds_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let path = fixture();
    let b = read(Format::Csv, &path, &ReadOptions::default()).unwrap();
    let source = ImportSource::from_path(&path).unwrap();
    let ImportOutcome::Imported(s) = store.import(&b, &source).unwrap() else { panic!("not imported") };
    assert_eq!((s.models, s.graphs, s.graphs_new), (7, 28, 28));
    let r = store.show("synthetic-linked-gpu").unwrap();
    assert_eq!((r.device.models, r.models_linked), (7, 7));
    let stats = store.stats().unwrap();
    assert!(matches!(store.import(&b, &source).unwrap(), ImportOutcome::AlreadyImported(_)));
    assert_eq!(store.stats().unwrap(), stats);
    // Read back: 28 graphs, light_resnet50's with its file hash.
    let graphs = store.model_graphs("synthetic-linked-gpu").unwrap();
    assert_eq!(graphs.len(), 28);
    let g = graphs
        .iter()
        .find(|g| g.model == "light_resnet50" && g.backend.as_deref() == Some("onnxruntime-cpu"))
        .unwrap();
    assert_eq!(g.kernels.len(), 58);
    assert_eq!(g.file_sha256.as_deref(), b.graphs[0].model.file_sha256.as_deref());
    store.integrity_check().unwrap();
    // The same rows in another file (another name and bytes) add measurements, no graph.
    let dir = Scratch::new("again");
    let text =
        std::fs::read_to_string(&path).unwrap().replace("../../../../../tests/fixtures/models/", "models/");
    copy_models(&dir.0);
    let again = dir.write("again.csv", &format!("{text}\n"));
    let b = read(Format::Csv, &again, &ReadOptions::default()).unwrap();
    let ImportOutcome::Imported(s) = store.import(&b, &ImportSource::from_path(&again).unwrap()).unwrap()
    else {
        panic!("not imported")
    };
    assert_eq!((s.graphs, s.graphs_new, s.models_new), (28, 0, 0));
}

/// A scratch directory under cargo's target tmp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "links-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The two fixture models, copied to `dir/models/onnx-light/` and `dir/models/mlperf-tiny-tflite/`.
fn copy_models(dir: &Path) {
    for rel in ["onnx-light/light_resnet50.onnx", "mlperf-tiny-tflite/vww_96_float.tflite"] {
        let to = dir.join("models").join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(models_dir().join(rel), to).unwrap();
    }
}

#[test]
fn bad_links_are_named_errors_at_their_line() {
    let dir = Scratch::new("bad");
    copy_models(&dir.0);
    let good = std::fs::read_to_string(fixture())
        .unwrap()
        .replace("../../../../../tests/fixtures/models/", "models/");
    let lines: Vec<&str> = good.lines().collect();
    // (case, line to change (1-based), from, to, expected message)
    let cases: &[(&str, usize, &str, &str, &str)] = &[
        (
            "missing model_file",
            3,
            "models/onnx-light/light_resnet50.onnx",
            "models/nope.onnx",
            "model_file 'models/nope.onnx': ",
        ),
        (
            "unparsable model_file",
            4,
            "models/mlperf-tiny-tflite/vww_96_float.tflite",
            "again.csv",
            "model_file 'again.csv': ",
        ),
        (
            "absolute model_file",
            2,
            "models/onnx-light",
            "/tmp/onnx-light",
            "is an absolute path: give it relative to the CSV's folder",
        ),
        (
            "altered model_sha256",
            2,
            ",,,,,,latency,12.5",
            &format!(",{},,,,,latency,12.5", "ab".repeat(32)),
            "is not the sha256 of model_file 'models/onnx-light/light_resnet50.onnx'",
        ),
        ("unknown space", 5, "nb201:", "darts:", "unknown space 'darts'"),
        ("malformed candidate", 5, "|skip_connect~2|", "|skip_connect~3|", "malformed nb201 candidate"),
        (
            "non-canonical candidate",
            6,
            "fbnet:7 8 ",
            "fbnet:7  8 ",
            "is not written as einf nas --out writes the candidate",
        ),
        (
            "unknown zoo name",
            7,
            "zoo:resnet18",
            "zoo:resnet9000",
            "unknown architecture 'resnet9000'; known: alexnet",
        ),
        (
            "arch on a kernel row",
            10,
            "conv-bn-relu,,,",
            "conv-bn-relu,,,zoo:resnet18",
            "arch on a kernel row",
        ),
        (
            "model_file on a kernel row",
            10,
            "conv-bn-relu,,,",
            "conv-bn-relu,,models/x.onnx,",
            "model_file on a kernel row",
        ),
        ("model_file and arch", 3, ".onnx,,", ".onnx,zoo:resnet18,", "model_file and arch on one row"),
        (
            "a model given two architectures",
            8,
            ",,,,zoo:mobilenet_v2@w0.5@r160@v3",
            ",,my-fbnet,,zoo:resnet18",
            "model 'my-fbnet' is arch zoo:resnet18 here and arch fbnet:7 8 1",
        ),
        ("model_file without a model name", 4, ",vww_96_float,", ",,", "on a row without a model name"),
    ];
    for (case, line, from, to, expect) in cases {
        let text: Vec<String> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if i + 1 == *line {
                    assert!(l.contains(from), "{case}: line {line} has no '{from}'");
                    l.replacen(from, to, 1)
                } else {
                    l.to_string()
                }
            })
            .collect();
        let path = dir.write("bad.csv", &(text.join("\n") + "\n"));
        dir.write("again.csv", "not a model, a text file\n");
        let e = read(Format::Csv, &path, &ReadOptions::default())
            .err()
            .unwrap_or_else(|| panic!("{case}: accepted"));
        assert_eq!(e.line, *line, "{case}: {e}");
        assert!(e.to_string().contains(expect), "{case}: expected '{expect}' in '{e}'");
    }
}
