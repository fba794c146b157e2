//! Format readers: a file → an [`ImportBatch`] in canonical units (mJ, ms, mW), each measurement
//! with the line it came from, plus provenance text. Readers never touch the store; bad input is an
//! [`ImportError`] displayed as `file:line: what is wrong`.
//!
//! | `--format`    | reads                                                                  | module            |
//! |---------------|------------------------------------------------------------------------|-------------------|
//! | `qed-ops`     | qed-usc `tflite_cnn_ops_gpu.csv` (fused TFLite GPU kernels, 6 phones) and `torch_cnn_ops_gpu.csv` (PyTorch Mobile Vulkan/Metal ops, 4 phones): per-kernel GPU latency (µs) | [`qed_ops`], [`qed_torch`] |
//! | `qed-e2e`     | qed-usc `*_e2e.csv`: model latency per device/cores/precision (ms)     | [`qed_e2e`]       |
//! | `neurstruc`   | NeurstrucEnergy `conv2d*.txt` and `*_testset_*.txt` energies (J)        | [`neurstruc`]     |
//! | `mlperf-tiny` | MLPerf Tiny results CSV (µJ per inference, latency)                     | [`mlperf_tiny`]   |
//! | `help`        | HELP NAS-Bench-201 / FBNet latency tables (ms)                          | [`help`]          |
//! | `nn-meter`    | nn-Meter / DeepEn2023 kernel JSON (latency ms, energy mJ)               | [`nn_meter`]      |
//! | `csv`         | einf's generic CSV for one's own measurements                           | [`generic_csv`]   |

mod chunks;
pub(crate) mod common;
pub mod error;
pub mod generic_csv;
pub mod help;
mod json;
pub mod mlperf_tiny;
mod model_links;
pub mod neurstruc;
mod neurstruc_layers;
pub mod nn_meter;
pub mod qed_e2e;
pub mod qed_ops;
pub mod qed_torch;
pub mod units;

pub use error::{ImportError, ImportErrorKind};

use crate::batch::{DeviceClass, ImportBatch};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A file format einf can import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// qed-usc per-kernel GPU latency table.
    QedOps,
    /// qed-usc end-to-end model latency table.
    QedE2e,
    /// NeurstrucEnergy text files.
    Neurstruc,
    /// MLPerf Tiny results CSV.
    MlperfTiny,
    /// HELP latency tables.
    Help,
    /// nn-Meter / DeepEn2023 JSON.
    NnMeter,
    /// einf's generic CSV.
    Csv,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 7] = [
        Format::QedOps,
        Format::QedE2e,
        Format::Neurstruc,
        Format::MlperfTiny,
        Format::Help,
        Format::NnMeter,
        Format::Csv,
    ];

    /// The `--format` name (`qed-ops`, `nn-meter`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Format::QedOps => qed_ops::FORMAT,
            Format::QedE2e => qed_e2e::FORMAT,
            Format::Neurstruc => neurstruc::FORMAT,
            Format::MlperfTiny => mlperf_tiny::FORMAT,
            Format::Help => help::FORMAT,
            Format::NnMeter => nn_meter::FORMAT,
            Format::Csv => generic_csv::FORMAT,
        }
    }

    /// One line on what the format reads.
    pub fn description(self) -> &'static str {
        match self {
            Format::QedOps => {
                "qed-usc tflite_cnn_ops_gpu.csv / torch_cnn_ops_gpu.csv: per-kernel GPU latency on the phones"
            }
            Format::QedE2e => "qed-usc *_e2e.csv: model latency per device, cores and precision",
            Format::Neurstruc => {
                "NeurstrucEnergy conv2d*.txt layer energies and *_testset_*.txt CNN energies"
            }
            Format::MlperfTiny => "MLPerf Tiny results CSV: energy (µJ) and latency per inference",
            Format::Help => "HELP NAS-Bench-201 / FBNet latency tables (ms per architecture per device)",
            Format::NnMeter => "nn-Meter / DeepEn2023 kernel JSON (latency, or config + energy file pair)",
            Format::Csv => "generic CSV: device,kind,<config columns>,metric,value,unit",
        }
    }

    /// The format names joined by `, `.
    pub fn list() -> String {
        Format::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown format name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format '{0}' (formats: {list})", list = Format::list())]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        let s = s.trim();
        Format::ALL.into_iter().find(|f| f.name() == s).ok_or_else(|| UnknownFormat(s.to_string()))
    }
}

/// Options every reader takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Device name for formats whose files measure one device: `neurstruc` (instead of its
    /// default), `nn-meter` (required: the files do not name their device) and `csv` (when the file
    /// has no `device` column). Readers whose files name several devices ignore it.
    pub device: Option<String>,
    /// Class of that device, when its name does not tell (`nn-meter`, `csv`).
    pub device_class: Option<DeviceClass>,
    /// `nn-meter`: the configuration file (nn-Meter builder / DeepEn2023 `config`s) to join with
    /// the measurement file on kernel kind and id.
    pub configs: Option<PathBuf>,
    /// Leave [`ImportBatch::graphs`] empty: for readers of the measurements only. Building the
    /// kernel lists of HELP's 20,625 architectures takes seconds (a debug build: tens of
    /// seconds); `neurstruc` and `help` skip their graphs, `csv` checks its `model_file` and
    /// `arch` cells (model files are still read and parsed: their sha256 names the model) but builds no
    /// architecture and gives no graph.
    pub without_graphs: bool,
}

/// Read `path` as `format`.
///
/// For `nn-meter`, `path` is one JSON file with configurations and measurements, or the
/// measurement file of a pair whose configurations are in [`ReadOptions::configs`].
pub fn read(format: Format, path: &Path, opts: &ReadOptions) -> Result<ImportBatch, ImportError> {
    match format {
        Format::QedOps => qed_ops::read(path, opts),
        Format::QedE2e => qed_e2e::read(path, opts),
        Format::Neurstruc => neurstruc::read(path, opts),
        Format::MlperfTiny => mlperf_tiny::read(path, opts),
        Format::Help => help::read(path, opts),
        Format::NnMeter => nn_meter::read(path, opts),
        Format::Csv => generic_csv::read(path, opts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip_and_unknown_names_list_the_known_ones() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        let e = "qed".parse::<Format>().err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("unknown format 'qed'") && e.contains("nn-meter, csv"), "{e}");
    }
}
