//! Bad input is refused as `file:line: what is wrong`, for every case of the acceptance list:
//! truncated files, wrong column counts, non-numeric / NaN / infinite values, zero or negative
//! energies and latencies, unknown units, duplicate keys, unknown kernel kinds and JSON configs
//! with missing fields; and bad values in the columns `einf dataset export` adds to the generic
//! CSV (`subject`, `soc`, `model_sha256`, `file_sha256`, an exported row twice).
//!
//! Every bad file here is SYNTHETIC: a fixture of `tests/data/import` with one edit, made in the
//! test and written to cargo's scratch directory; each test says which line it breaks and how.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use einf_dataset::import::{Format, ImportError, ImportErrorKind, ReadOptions, read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

fn fixture_text(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/import").join(rel);
    std::fs::read_to_string(path).unwrap()
}

/// Write `text` as `name` in a fresh scratch directory (file names matter to some readers).
fn write(name: &str, text: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "import-bad-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `text` with its 1-based line `n` passed through `edit` (line ends kept as they were).
fn edit_line(text: &str, n: usize, edit: impl Fn(&str) -> String) -> String {
    text.split_inclusive('\n')
        .enumerate()
        .map(|(i, l)| {
            if i + 1 != n {
                return l.to_string();
            }
            let body = l.trim_end_matches(['\r', '\n']);
            format!("{}{}", edit(body), &l[body.len()..])
        })
        .collect()
}

/// Replace field `k` (0-based) of comma-separated line `n` (no quoted commas before it).
fn set_field(text: &str, n: usize, k: usize, value: &str) -> String {
    edit_line(text, n, |l| {
        let mut f: Vec<String> = l.split(',').map(str::to_string).collect();
        f[k] = value.to_string();
        f.join(",")
    })
}

/// Replace the first `from` on line `n` by `to`.
fn replace_on(text: &str, n: usize, from: &str, to: &str) -> String {
    edit_line(text, n, |l| {
        assert!(l.contains(from), "line {n} has no '{from}': {l}");
        l.replacen(from, to, 1)
    })
}

fn opts() -> ReadOptions {
    ReadOptions::default()
}

fn nn_opts() -> ReadOptions {
    ReadOptions { device: Some("synthetic-adreno640gpu".into()), ..ReadOptions::default() }
}

/// Read `path`, expect an error on `line` (0: the whole file) whose message contains `says`.
fn refused(format: Format, path: &Path, opts: &ReadOptions, line: usize, says: &str) -> ImportError {
    let e = match read(format, path, opts) {
        Ok(b) => panic!("{} was accepted ({} measurements)", path.display(), b.measurements.len()),
        Err(e) => e,
    };
    let text = e.to_string();
    let prefix =
        if line == 0 { format!("{}: ", path.display()) } else { format!("{}:{line}: ", path.display()) };
    assert!(text.starts_with(&prefix), "expected '{prefix}...', got: {text}");
    assert!(text.contains(says), "expected '{says}' in: {text}");
    assert!(!text.contains('\n'), "one line: {text}");
    e
}

// --- truncated files -----------------------------------------------------------------------

#[test]
fn truncated_csv_files() {
    // qed-ops: the last row (line 7) cut in its kernel names.
    let t = fixture_text("qed_ops/tflite_cnn_ops_gpu.csv");
    let p = write("tflite_cnn_ops_gpu.csv", &t[..t.len() - 60]);
    let e = refused(Format::QedOps, &p, &opts(), 7, "the file ends mid-row: truncated?");
    assert!(matches!(e.kind, ImportErrorKind::ColumnCount { truncated: true, expected: 15, .. }));

    // qed-ops, PyTorch table: the last row (line 17) cut in its latencies.
    let t = fixture_text("qed_ops/torch_cnn_ops_gpu.csv");
    let p = write("torch_cnn_ops_gpu.csv", &t[..t.len() - 30]);
    refused(Format::QedOps, &p, &opts(), 17, "the file ends mid-row: truncated?");

    // Generic CSV: the last row (line 7) cut after its metric.
    let t = fixture_text("csv/synthetic_measurements.csv");
    let cut = t.trim_end().rfind(",power,").unwrap() + ",power".len();
    let p = write("m.csv", &t[..cut]);
    refused(Format::Csv, &p, &opts(), 7, "truncated?");

    // MLPerf Tiny: cut inside the quoted processor field of line 5.
    let t = fixture_text("mlperf_tiny/mlperf_tiny_results.csv");
    let cut = t.find("\"AndesCore").unwrap() + 6;
    let p = write("mlperf.csv", &t[..cut]);
    let e = refused(Format::MlperfTiny, &p, &opts(), 5, "truncated: the file ends inside a quoted field");
    assert!(matches!(e.kind, ImportErrorKind::Truncated(_)));

    // NeurstrucEnergy model file: line 3 cut inside its layer parameters.
    let t = fixture_text("neurstruc/random_testset_2.txt");
    let p = write("random_testset_2.txt", &t[..t.len() - 3000]);
    refused(Format::Neurstruc, &p, &opts(), 3, "truncated?");

    // An empty file.
    refused(Format::QedE2e, &write("tflite_empty_e2e.csv", ""), &opts(), 0, "empty file");
}

#[test]
fn truncated_json_files() {
    let t = fixture_text("nn_meter/synthetic_nnmeter_results.json");
    // Cut inside line 7's latency string.
    let cut = t.find("\"1.5 +-").unwrap() + 5;
    let p = write("results.json", &t[..cut]);
    let e = refused(Format::NnMeter, &p, &nn_opts(), 7, "truncated: the JSON document ends inside a string");
    assert!(matches!(e.kind, ImportErrorKind::Truncated(_)));
    // Cut after a whole kind (line 13): the outer object is never closed.
    let cut = t.find("    \"dwconv-bn-relu\"").unwrap();
    let p = write("results.json", &t[..cut]);
    refused(Format::NnMeter, &p, &nn_opts(), 14, "ends inside an object");
}

// --- wrong column counts ---------------------------------------------------------------------

#[test]
fn wrong_column_counts() {
    // qed-e2e: an extra field on line 3 (not the last line of a cut file).
    let t = fixture_text("qed_e2e/tflite_cnn_e2e.csv");
    let p = write("tflite_cnn_e2e.csv", &edit_line(&t, 3, |l| format!("{l},1.0")));
    let e = refused(Format::QedE2e, &p, &opts(), 3, "columns where the header has");
    assert!(matches!(e.kind, ImportErrorKind::ColumnCount { truncated: false, .. }));
    assert!(!e.to_string().contains("truncated"));

    // Generic CSV: a field missing on line 4 of 7.
    let t = fixture_text("csv/synthetic_measurements.csv");
    let p = write("m.csv", &edit_line(&t, 4, |l| l.replacen(",", "", 1)));
    let e = refused(Format::Csv, &p, &opts(), 4, "22 columns where the header has 23");
    assert!(matches!(e.kind, ImportErrorKind::ColumnCount { truncated: false, .. }));

    // Generic CSV: a misspelt column in the header is refused, not dropped.
    let p = write("m.csv", &replace_on(&t, 1, ",value,", ",valeu,"));
    refused(Format::Csv, &p, &opts(), 1, "unknown column 'valeu'");

    // NeurstrucEnergy layers: an eighth field on line 3.
    let t = fixture_text("neurstruc/conv2d.txt");
    let p = write("conv2d.txt", &edit_line(&t, 3, |l| format!("{l} 0.5")));
    refused(Format::Neurstruc, &p, &opts(), 3, "8 columns where the header has 7");
}

// --- non-numeric, NaN, infinite ------------------------------------------------------------------

#[test]
fn non_numeric_nan_and_infinite_values() {
    // qed-ops: the Pixel 4 latency of line 2 is text.
    let t = fixture_text("qed_ops/tflite_cnn_ops_gpu.csv");
    let p = write("ops.csv", &replace_on(&t, 2, ",12167.6928,", ",fast,"));
    let e = refused(Format::QedOps, &p, &opts(), 2, "pixel4|gpu|float: 'fast' is not a finite number");
    assert!(matches!(e.kind, ImportErrorKind::BadNumber { .. }));

    // qed-ops, PyTorch table: the Pixel 4 latency of line 2 is text.
    let t = fixture_text("qed_ops/torch_cnn_ops_gpu.csv");
    let p = write("torch.csv", &replace_on(&t, 2, ",1123.64,", ",n/a,"));
    refused(Format::QedOps, &p, &opts(), 2, "pixel4|gpu|float: 'n/a' is not a finite number");

    // HELP: NaN on line 3.
    let t = fixture_text("help/nasbench201_latency_ms.csv");
    let p = write("nasbench201_latency_ms.csv", &set_field(&t, 3, 5, "NaN"));
    refused(Format::Help, &p, &opts(), 3, "2080ti_1: 'NaN' is not a finite number");

    // MLPerf Tiny: an infinite latency on line 2.
    let t = fixture_text("mlperf_tiny/mlperf_tiny_results.csv");
    let p = write("mlperf.csv", &set_field(&t, 2, 8, "inf"));
    refused(Format::MlperfTiny, &p, &opts(), 2, "latency_ms: 'inf' is not a finite number");

    // Generic CSV: NaN on line 2, a value that overflows to infinity on line 3.
    let t = fixture_text("csv/synthetic_measurements.csv");
    refused(
        Format::Csv,
        &write("m.csv", &set_field(&t, 2, 18, "nan")),
        &opts(),
        2,
        "value: 'nan' is not a finite",
    );
    refused(
        Format::Csv,
        &write("m.csv", &set_field(&t, 3, 18, "1e400")),
        &opts(),
        3,
        "'1e400' is not a finite",
    );

    // NeurstrucEnergy: an infinite energy on line 2.
    let t = fixture_text("neurstruc/conv2d.txt");
    let p = write("conv2d.txt", &replace_on(&t, 2, " 0.00523545769718 ", " inf "));
    refused(Format::Neurstruc, &p, &opts(), 2, "energy: 'inf' is not a finite number");

    // nn-Meter: the bare NaN Python's json.dump writes, and a word, on line 7.
    let t = fixture_text("nn_meter/synthetic_nnmeter_results.json");
    let p = write("r.json", &replace_on(&t, 7, "\"1.5 +- 0.1\"", "NaN"));
    refused(Format::NnMeter, &p, &nn_opts(), 7, "latency: 'NaN' is not a finite number");
    let p = write("r.json", &replace_on(&t, 7, "\"1.5 +- 0.1\"", "\"fast\""));
    refused(Format::NnMeter, &p, &nn_opts(), 7, "latency: 'fast' is not a finite number");
    let p = write("r.json", &replace_on(&t, 6, "\"HW\": 28", "\"HW\": \"28\""));
    refused(Format::NnMeter, &p, &nn_opts(), 6, "config HW: 'a string' is not a whole number");
}

// --- zero or negative energies and latencies -------------------------------------------------

#[test]
fn zero_and_negative_values() {
    let t = fixture_text("mlperf_tiny/mlperf_tiny_results.csv");
    let p = write("mlperf.csv", &set_field(&t, 2, 5, "-416.312"));
    let e =
        refused(Format::MlperfTiny, &p, &opts(), 2, "energy_uJ_per_inf: -416.312 is not a positive energy");
    assert!(matches!(e.kind, ImportErrorKind::NotPositive { .. }));

    let t = fixture_text("qed_ops/torch_cnn_ops_gpu.csv");
    let p = write("torch.csv", &replace_on(&t, 4, ",164.56,", ",0,"));
    refused(Format::QedOps, &p, &opts(), 4, "pixel4|gpu|float: 0 is not a positive latency");

    let t = fixture_text("qed_e2e/tflite_cnn_e2e.csv");
    let p = write("tflite_cnn_e2e.csv", &set_field(&t, 2, 3, "0.0"));
    refused(Format::QedE2e, &p, &opts(), 2, "pixel4|1large|float|mean: 0 is not a positive latency");

    let t = fixture_text("csv/synthetic_measurements.csv");
    refused(
        Format::Csv,
        &write("m.csv", &set_field(&t, 3, 18, "-1")),
        &opts(),
        3,
        "-1 is not a positive latency",
    );
    refused(
        Format::Csv,
        &write("m.csv", &set_field(&t, 2, 18, "0")),
        &opts(),
        2,
        "0 is not a positive energy",
    );

    let t = fixture_text("neurstruc/random_testset_2.txt");
    let p = write("random_testset_2.txt", &replace_on(&t, 2, " 0.4257594880554248", " -0.4257594880554248"));
    refused(Format::Neurstruc, &p, &opts(), 2, "all_energy: -0.4257594880554248 is not a positive energy");
    // A whole CNN with one number too many after its layers' parameters.
    let extra = |l: &str| {
        let mut f: Vec<String> = l.split(' ').map(str::to_string).collect();
        f[1].push_str(",7");
        f.join(" ")
    };
    let p = write("random_testset_2.txt", &edit_line(&t, 2, extra));
    refused(Format::Neurstruc, &p, &opts(), 2, "layer_parameters: 1 numbers left after the last layer");
    // A layer id no layer type has, on line 3.
    let bad_id = |l: &str| {
        let mut f: Vec<String> = l.split(' ').map(str::to_string).collect();
        f[3] = f[3].replacen("1,", "1,99,", 1);
        f.join(" ")
    };
    let p = write("random_testset_2.txt", &edit_line(&t, 3, bad_id));
    refused(Format::Neurstruc, &p, &opts(), 3, "layer 1: unknown layer id 99");

    // DeepEn pair: a zero energy on line 3 of the energy file.
    let configs = write("configs.json", &fixture_text("nn_meter/synthetic_deepen_configs.json"));
    let t = fixture_text("nn_meter/synthetic_deepen_energy.json");
    let energy = write("energy.json", &replace_on(&t, 3, "2.0", "0"));
    let opts = ReadOptions { configs: Some(configs), ..nn_opts() };
    refused(Format::NnMeter, &energy, &opts, 3, "energy: 0 is not a positive energy");
}

// --- unknown units -----------------------------------------------------------------------------

#[test]
fn unknown_units() {
    let t = fixture_text("csv/synthetic_measurements.csv");
    let e = refused(Format::Csv, &write("m.csv", &set_field(&t, 2, 19, "furlongs")), &opts(), 2, "unit: ");
    assert!(matches!(e.kind, ImportErrorKind::Unit { .. }));
    // A unit of another quantity: a power unit on an energy row.
    refused(Format::Csv, &write("m.csv", &set_field(&t, 2, 19, "mW")), &opts(), 2, "unit: ");
    // No unit at all: the value's unit cannot be known.
    refused(Format::Csv, &write("m.csv", &set_field(&t, 2, 19, "")), &opts(), 2, "cannot be known");

    // HELP knows its unit from the file name only.
    let t = fixture_text("help/nasbench201_latency_ms.csv");
    let p = write("nasbench201_latency.csv", &t);
    let e = refused(Format::Help, &p, &opts(), 0, "the unit is known from the file name only");
    assert!(matches!(e.kind, ImportErrorKind::Unit { .. }));

    // MLPerf Tiny reads units from the column names.
    let t = fixture_text("mlperf_tiny/mlperf_tiny_results.csv");
    let p = write("mlperf.csv", &replace_on(&t, 1, "energy_uJ_per_inf", "energy_uX_per_inf"));
    refused(Format::MlperfTiny, &p, &opts(), 1, "energy_uX_per_inf: unit 'uX' in the name");
}

// --- duplicate keys -------------------------------------------------------------------------------

#[test]
fn duplicate_keys_within_a_file() {
    let t = fixture_text("qed_e2e/tflite_cnn_e2e.csv");
    let p = write("tflite_cnn_e2e.csv", &set_field(&t, 3, 0, "bagnet9"));
    let e = refused(Format::QedE2e, &p, &opts(), 3, "duplicate model 'bagnet9' (first on line 2)");
    assert!(matches!(e.kind, ImportErrorKind::Duplicate { first_line: 2, .. }));

    // qed-ops: line 3 repeats line 2 (same GPU kernel of the same model on every phone).
    let t = fixture_text("qed_ops/tflite_cnn_ops_gpu.csv");
    let line2 = t.lines().nth(1).unwrap().to_string();
    let p = write("ops.csv", &edit_line(&t, 3, |_| line2.clone()));
    refused(Format::QedOps, &p, &opts(), 3, "duplicate GPU kernel 'convolution_2d_1_linked_:_relu_2'");

    // qed-ops, PyTorch table: a layer repeated in a model is a row each time, with latencies of its
    // own; a row equal to an earlier one in every field is a duplicate (line 3 := line 2).
    let t = fixture_text("qed_ops/torch_cnn_ops_gpu.csv");
    let line2 = t.lines().nth(1).unwrap().to_string();
    let p = write("torch.csv", &edit_line(&t, 3, |_| line2.clone()));
    let e = refused(Format::QedOps, &p, &opts(), 3, "duplicate row: every field");
    assert!(matches!(e.kind, ImportErrorKind::Duplicate { first_line: 2, .. }));

    let t = fixture_text("help/fbnet_latency_ms.csv");
    let p = write("fbnet_latency_ms.csv", &set_field(&t, 3, 0, "0"));
    refused(Format::Help, &p, &opts(), 3, "duplicate architecture index 0 (first on line 2)");

    let t = fixture_text("mlperf_tiny/mlperf_tiny_results.csv");
    let line2 = t.lines().nth(1).unwrap().to_string();
    let p = write("mlperf.csv", &edit_line(&t, 3, |_| line2.clone()));
    refused(Format::MlperfTiny, &p, &opts(), 3, "duplicate result v0.5 closed reference/Nucleo-L4R5ZI ad");

    let t = fixture_text("neurstruc/random_testset_2.txt");
    let p = write("random_testset_2.txt", &replace_on(&t, 3, "VGG16", "ResNet18"));
    refused(Format::Neurstruc, &p, &opts(), 3, "duplicate model 'ResNet18' (first on line 2)");

    // Generic CSV: line 3 becomes a second energy of line 2's kernel.
    let t = fixture_text("csv/synthetic_measurements.csv");
    let p = write("m.csv", &replace_on(&t, 3, "latency,2500,us", "energy,900,uJ"));
    refused(Format::Csv, &p, &opts(), 3, "duplicate energy of this kernel on synthetic-board-a");
    // ... also when the kind is spelled another way the parser reads alike (conv-relu).
    let p =
        write("m.csv", &set_field(&replace_on(&t, 3, "latency,2500,us", "energy,900,uJ"), 3, 2, "conv-relu"));
    refused(Format::Csv, &p, &opts(), 3, "(first on line 2)");

    // nn-Meter: an id twice in one kind (line 9 repeats line 3's id).
    let t = fixture_text("nn_meter/synthetic_nnmeter_results.json");
    let p = write("r.json", &replace_on(&t, 9, "SYN0A2", "SYN0A1"));
    refused(Format::NnMeter, &p, &nn_opts(), 9, "duplicate conv-bn-relu id 'SYN0A1' (first on line 3)");
    // ... and a config key twice.
    let p = write("r.json", &replace_on(&t, 6, "\"STRIDES\": 1", "\"STRIDES\": 1, \"HW\": 14"));
    refused(Format::NnMeter, &p, &nn_opts(), 6, "duplicate conv-bn-relu 'SYN0A1' config key 'HW'");
}

// --- unknown kernel kinds ---------------------------------------------------------------------------

#[test]
fn unknown_kernel_kinds() {
    let t = fixture_text("csv/synthetic_measurements.csv");
    let p = write("m.csv", &set_field(&t, 2, 2, "conv-frobnicate"));
    let e = refused(Format::Csv, &p, &opts(), 2, "unknown kernel kind 'conv-frobnicate'");
    assert!(matches!(e.kind, ImportErrorKind::UnknownKind { .. }));
    let p = write("m.csv", &set_field(&t, 2, 2, "unsupported:NonMaxSuppression"));
    refused(Format::Csv, &p, &opts(), 2, "unknown kernel kind 'unsupported:NonMaxSuppression'");

    let t = fixture_text("nn_meter/synthetic_nnmeter_results.json");
    let p = write("r.json", &replace_on(&t, 2, "\"conv-bn-relu\"", "\"conv-bn-relu-maxpool\""));
    let e = refused(Format::NnMeter, &p, &nn_opts(), 3, "unknown kernel kind 'conv-bn-relu-maxpool'");
    assert!(matches!(e.kind, ImportErrorKind::UnknownKind { .. }));

    let t = fixture_text("qed_ops/tflite_cnn_ops_gpu.csv");
    let p = write("ops.csv", &replace_on(&t, 3, ",MEAN,", ",RESIZE_BILINEAR,"));
    refused(Format::QedOps, &p, &opts(), 3, "unknown kernel kind 'RESIZE_BILINEAR'");
    // A PyTorch op in a TFLite table (the first row tells which table a file is) ...
    let p = write("ops.csv", &replace_on(&t, 3, ",MEAN,", ",aten::mean,"));
    refused(
        Format::QedOps,
        &p,
        &opts(),
        3,
        "unknown kernel kind 'aten::mean': a PyTorch Mobile op in a TFLite",
    );

    // ... a PyTorch op the reader does not know, and a TFLite op in a PyTorch table.
    let t = fixture_text("qed_ops/torch_cnn_ops_gpu.csv");
    let p = write("torch.csv", &replace_on(&t, 14, ",aten::relu,", ",aten::gelu,"));
    refused(Format::QedOps, &p, &opts(), 14, "unknown kernel kind 'aten::gelu': not a PyTorch Mobile op");
    let p = write("torch.csv", &replace_on(&t, 14, ",aten::relu,", ",RELU,"));
    refused(Format::QedOps, &p, &opts(), 14, "unknown kernel kind 'RELU': a TFLite op in a PyTorch");
}

// --- PyTorch op rows that are not understood -------------------------------------------------------

#[test]
fn pytorch_op_rows_that_are_not_understood() {
    let t = fixture_text("qed_ops/torch_cnn_ops_gpu.csv");
    // A feature the op needs is missing (line 3's convolution without kernel_size).
    let p = write("torch.csv", &replace_on(&t, 3, "'kernel_size': 1, ", ""));
    let e = refused(Format::QedOps, &p, &opts(), 3, "feature: missing field 'kernel_size'");
    assert!(matches!(e.kind, ImportErrorKind::MissingField { .. }));
    // FLOPS that are not the MACs of the reading (line 4, a grouped convolution).
    let p = write("torch.csv", &replace_on(&t, 4, "'flops': 5419008", "'flops': 5419009"));
    refused(Format::QedOps, &p, &opts(), 4, "flops 5419009 is not 5419008 (MACs of 112x112x24 -> 56x56x24");
    // An output side no dilation-1 window gives (line 3: 224 -> 223 with a 1x1 window).
    let p = write("torch.csv", &replace_on(&t, 3, "'output_shape': 224", "'output_shape': 223"));
    refused(Format::QedOps, &p, &opts(), 3, "output_shape 223 is not what a 1x1 window");
    // A latency without the kernel that ran it (line 2's iPhone cell).
    let p = write("torch.csv", &replace_on(&t, 2, ",,metal.linear", ",61.5,"));
    refused(
        Format::QedOps,
        &p,
        &opts(),
        2,
        "iphonexs|gpu|float has a latency but iphonexs|gpu|kernel is empty",
    );
}

// --- JSON configs with missing fields -----------------------------------------------------------------

#[test]
fn json_configs_with_missing_fields() {
    let t = fixture_text("nn_meter/synthetic_nnmeter_results.json");
    let missing = |line: usize, from: &str, to: &str, says: &str| {
        let p = write("r.json", &replace_on(&t, line, from, to));
        let e = refused(Format::NnMeter, &p, &nn_opts(), line, says);
        assert!(matches!(e.kind, ImportErrorKind::MissingField { .. }), "{e}");
    };
    missing(6, ", \"COUT\": 64", "", "conv-bn-relu 'SYN0A1' config: missing field 'COUT'");
    missing(16, "\"KERNEL_SIZE\": 3, ", "", "dwconv-bn-relu 'SYN0B1' config: missing field 'KERNEL_SIZE'");
    missing(30, ", \"CIN4\": 0", "", "concat 'SYN0E1' config: missing field 'CIN4'");
    missing(33, "\"CIN\": 1280, ", "", "fc 'SYN0F1' config: missing field 'CIN'");
    // A kernel without its config (line 10 removed: the id on line 9 is left with a latency).
    let p = write("r.json", &edit_line(&t, 10, |_| String::new()));
    refused(Format::NnMeter, &p, &nn_opts(), 9, "conv-bn-relu 'SYN0A2': missing field 'config'");
    // A kernel without any measurement.
    let p = write("r.json", &replace_on(&t, 11, "\"latency\": 4.0", "\"note\": 4.0"));
    refused(Format::NnMeter, &p, &nn_opts(), 9, "missing field 'latency, energy or power'");

    // DeepEn pair: errors about configurations name the configuration file.
    let c = fixture_text("nn_meter/synthetic_deepen_configs.json");
    let configs = write("configs.json", &replace_on(&c, 3, "\"COUT\": 64, ", ""));
    let energy = write("energy.json", &fixture_text("nn_meter/synthetic_deepen_energy.json"));
    let opts = ReadOptions { configs: Some(configs.clone()), ..nn_opts() };
    let e = read(Format::NnMeter, &energy, &opts).unwrap_err();
    assert!(e.to_string().starts_with(&format!("{}:3: ", configs.display())), "{e}");
    assert!(e.to_string().contains("missing field 'COUT'"), "{e}");
    // ... and a measurement whose configuration is not there names the measurement file.
    let configs = write("configs.json", &edit_line(&c, 7, |_| String::new()));
    let opts = ReadOptions { configs: Some(configs), ..nn_opts() };
    refused(Format::NnMeter, &energy, &opts, 7, "dwconv-bn-relu 'SYN1B1': no such kernel in configs.json");
}

// --- the generic CSV's export columns -------------------------------------------------------------

/// A SYNTHETIC file with the columns `einf dataset export` adds: `HEADER`, then `rows` from line 2.
fn export_like(rows: &[&str]) -> PathBuf {
    const HEADER: &str = "device,device_class,soc,subject,kind,model,model_sha256,input_h,input_w,cin,cout,\
                          input_channels,metric,value,unit,file,file_sha256,line";
    write("synthetic-export.csv", &format!("{HEADER}\n{}\n", rows.join("\n")))
}

/// A SYNTHETIC kernel row and model row of `export_like`, first imported from lines 2 and 3 of `a.csv`.
const KERNEL: &str = "synthetic-gpu,gpu,soc-a,kernel,conv-bn-relu,,,28,28,8,8,,latency,1,ms,a.csv,,2";
const MODEL: &str = "synthetic-gpu,gpu,,model,,net,,,,,,,latency,9,ms,a.csv,,3";

/// A made-up sha256.
const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

#[test]
fn a_subject_other_than_kernel_or_model_or_against_the_kind() {
    let p = export_like(&[KERNEL, MODEL]);
    assert!(read(Format::Csv, &p, &opts()).is_ok());
    let p = export_like(&[KERNEL, &KERNEL.replace(",kernel,", ",layer,")]);
    refused(Format::Csv, &p, &opts(), 3, "subject: 'layer' is not kernel or model");
    let p = export_like(&[KERNEL, &KERNEL.replace(",kernel,", ",model,")]);
    refused(Format::Csv, &p, &opts(), 3, "subject 'model' with kind 'conv-bn-relu'");
    let p = export_like(&[KERNEL, &MODEL.replace(",model,", ",kernel,")]);
    refused(Format::Csv, &p, &opts(), 3, "subject 'kernel' with an empty kind");
}

#[test]
fn a_device_with_two_socs() {
    // Line 3 leaves the soc empty (it is soc-a); line 4 gives another.
    let other = KERNEL.replace("soc-a", "soc-b").replace(",8,8,", ",8,16,");
    let p = export_like(&[KERNEL, MODEL, &other]);
    refused(
        Format::Csv,
        &p,
        &opts(),
        4,
        "device 'synthetic-gpu' has soc 'soc-b' here and 'soc-a' on an earlier row",
    );
}

#[test]
fn a_bad_model_or_file_sha256() {
    let p = export_like(&[KERNEL, &MODEL.replace("net,,", "net,abc123,")]);
    refused(Format::Csv, &p, &opts(), 3, "model_sha256: 'abc123' is not a sha256 (64 hex digits)");
    let p = export_like(&[&KERNEL.replace(",,,28", &format!(",,{SHA},28"))]);
    refused(Format::Csv, &p, &opts(), 2, "model_sha256 on a kernel row");
    let p = export_like(&[&KERNEL.replace("a.csv,,", "a.csv,xyz,")]);
    refused(Format::Csv, &p, &opts(), 2, "file_sha256: 'xyz' is not a sha256");
}

#[test]
fn an_exported_row_twice_is_a_duplicate_but_a_layer_from_another_original_line_is_not() {
    let p = export_like(&[KERNEL, MODEL, KERNEL]);
    let e = refused(Format::Csv, &p, &opts(), 4, "duplicate");
    assert!(matches!(e.kind, ImportErrorKind::Duplicate { first_line: 2, .. }), "{e}");
    let p = export_like(&[KERNEL, MODEL, &KERNEL.replace("a.csv,,2", "a.csv,,9")]);
    assert_eq!(read(Format::Csv, &p, &opts()).map(|b| b.measurements.len()).ok(), Some(3));
}
