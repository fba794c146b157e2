//! What an importer produces, before it reaches the store: devices and measurements in canonical
//! units (mJ, ms, mW), each with the line of the file it came from, plus provenance.
//!
//! Format readers (`crate::import`) turn a file into an [`ImportBatch`] without touching SQLite;
//! [`crate::store::Store::import`] writes a batch in one transaction.

use einf_parser::kernel::{KernelConfig, KernelKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What kind of processor a device measurement ran on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceClass {
    /// Application CPU.
    Cpu,
    /// GPU (mobile or embedded).
    Gpu,
    /// Neural processing unit / DSP.
    Npu,
    /// Microcontroller.
    Mcu,
    /// Other accelerator (USB stick, FPGA, ...).
    Accelerator,
}

impl DeviceClass {
    /// Every class.
    pub const ALL: [DeviceClass; 5] =
        [DeviceClass::Cpu, DeviceClass::Gpu, DeviceClass::Npu, DeviceClass::Mcu, DeviceClass::Accelerator];

    /// The class's name as stored and written (`cpu`, `gpu`, `npu`, `mcu`, `accelerator`).
    pub fn name(self) -> &'static str {
        match self {
            DeviceClass::Cpu => "cpu",
            DeviceClass::Gpu => "gpu",
            DeviceClass::Npu => "npu",
            DeviceClass::Mcu => "mcu",
            DeviceClass::Accelerator => "accelerator",
        }
    }
}

impl std::str::FromStr for DeviceClass {
    type Err = String;

    /// A class from its name ([`DeviceClass::name`]).
    fn from_str(s: &str) -> Result<DeviceClass, String> {
        let s = s.trim();
        DeviceClass::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| format!("unknown device class '{s}' (classes: cpu, gpu, npu, mcu, accelerator)"))
    }
}

/// A device as measured: hardware plus the software that ran the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// Unique name in the store, e.g. `pixel4-gpu-tflite-fp32`.
    pub name: String,
    /// Processor class.
    pub class: DeviceClass,
    /// System on chip or board, if known.
    pub soc: Option<String>,
    /// Runtime and backend (`tflite-gpu`, `pytorch-cuda`).
    pub runtime: Option<String>,
    /// Numeric precision (`fp32`, `fp16`, `int8`).
    pub precision: Option<String>,
    /// Free notes.
    pub notes: Option<String>,
}

impl Device {
    /// A device known by its name and class only (SoC, runtime, precision and notes unknown).
    pub fn named(name: impl Into<String>, class: DeviceClass) -> Device {
        Device { name: name.into(), class, soc: None, runtime: None, precision: None, notes: None }
    }
}

/// What was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Energy per inference, stored in mJ.
    Energy,
    /// Latency per inference, stored in ms.
    Latency,
    /// Average power during inference, stored in mW.
    Power,
}

impl std::str::FromStr for Metric {
    type Err = String;

    /// A metric from its name ([`Metric::name`]).
    fn from_str(s: &str) -> Result<Metric, String> {
        Metric::from_name(s).ok_or_else(|| format!("unknown metric '{s}' (energy, latency, power)"))
    }
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 3] = [Metric::Energy, Metric::Latency, Metric::Power];

    /// The metric's name as stored, written and read (`energy`, `latency`, `power`).
    pub fn name(self) -> &'static str {
        match self {
            Metric::Energy => "energy",
            Metric::Latency => "latency",
            Metric::Power => "power",
        }
    }

    /// A metric from its name ([`Metric::name`]).
    pub fn from_name(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == s)
    }

    /// The canonical unit values of this metric are stored in.
    pub fn unit(self) -> &'static str {
        match self {
            Metric::Energy => "mJ",
            Metric::Latency => "ms",
            Metric::Power => "mW",
        }
    }
}

/// A kernel measured alone (or as part of a model, when `model` is set).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KernelRecord {
    /// Kernel kind in the parser's vocabulary (`conv-bn-relu`).
    pub kind: KernelKind,
    /// Configuration in the parser's vocabulary; fields a format does not give are filled by the
    /// importer's documented assumptions (e.g. nn-Meter kernels use SAME padding).
    pub config: KernelConfig,
    /// The identifier the source gives this kernel (nn-Meter id, qed-usc GPU kernel name).
    pub source_id: Option<String>,
    /// The model this kernel was measured in, when it was measured inside a model.
    pub model: Option<String>,
}

/// Whether `text` is a sha256 as stored: 64 hex digits.
pub(crate) fn is_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A whole model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRecord {
    /// Model name as the source gives it (`mobilenetv2_w1`).
    pub name: String,
    /// sha256 of the model file, when the file is known.
    pub file_sha256: Option<String>,
}

/// The subject of a measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    /// One kernel.
    Kernel(KernelRecord),
    /// A whole model.
    Model(ModelRecord),
}

/// One measured value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Device name (one of the batch's devices).
    pub device: String,
    /// Kernel or model.
    pub subject: Subject,
    /// Energy, latency or power.
    pub metric: Metric,
    /// Value in the metric's canonical unit ([`Metric::unit`]); finite and > 0.
    pub value: f64,
    /// Standard deviation in the same unit, when the source gives one.
    pub std: Option<f64>,
    /// Number of repetitions behind the value, when known.
    pub repetitions: Option<u32>,
    /// Index of the repeated run this row is (NeurstrucEnergy's three runs), when the source has several.
    pub run: Option<u32>,
    /// 1-based line of the source file.
    pub line: usize,
}

/// The kernels of a whole model: as einf's parser splits its file (or its built-in architecture)
/// for one backend, or as the source itself lists the model's layers (NeurstrucEnergy's whole
/// CNNs). Training learns from a model measurement only when it knows the model's kernels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelGraph {
    /// The model (name and file hash, as in its measurements).
    pub model: ModelRecord,
    /// The parser backend whose fusion rules made the kernels (`tflite-gpu`, ...); `None` when
    /// the source lists the kernels itself (they are the device's own, whatever its backend).
    pub backend: Option<String>,
    /// The costed kernels, in execution order.
    pub kernels: GraphKernels,
    /// Kernels the parser could not cost (unsupported operators, unknown shapes), left out of
    /// `kernels`.
    pub uncosted: u32,
    /// The architecture einf-models built the graph from, when it was built rather than read
    /// (`nb201:<cell>`, `fbnet:<blocks>`, `zoo:resnet18@w0.5`; see the generic CSV's `arch`
    /// column); stored with the model, so that the model can be rebuilt.
    #[serde(default)]
    pub arch: Option<String>,
}

/// Distinct kernels, each a kind and a configuration, that [`GraphKernels`] index into.
pub type KernelTable = Vec<(KernelKind, KernelConfig)>;

/// The kernels of a [`ModelGraph`], in execution order: indices into a table of distinct kernels
/// that the graphs of one batch share (HELP's 20,625 architectures × 4 backends are 7 million
/// kernels in graphs, a few hundred distinct ones). Compared, and (de)serialised, as the list of
/// kernels it stands for.
#[derive(Debug, Clone)]
pub struct GraphKernels {
    table: Arc<KernelTable>,
    index: Vec<u32>,
}

impl GraphKernels {
    /// The kernels `index` names in `table`; `None` when an index is not in the table.
    pub fn new(table: Arc<KernelTable>, index: Vec<u32>) -> Option<GraphKernels> {
        let n = table.len();
        index.iter().all(|&i| (i as usize) < n).then_some(GraphKernels { table, index })
    }

    /// A list of its own (no table shared with other graphs).
    pub fn from_vec(kernels: Vec<(KernelKind, KernelConfig)>) -> GraphKernels {
        let index = (0..u32::try_from(kernels.len()).unwrap_or(u32::MAX)).collect();
        GraphKernels { table: Arc::new(kernels), index }
    }

    /// The kernels, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &(KernelKind, KernelConfig)> + '_ {
        // Every index is in the table (checked when made).
        self.index.iter().map(|&i| &self.table[i as usize])
    }

    /// Number of kernels.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The kernels as a list of their own.
    pub fn to_vec(&self) -> Vec<(KernelKind, KernelConfig)> {
        self.iter().cloned().collect()
    }

    /// The shared table and the indices into it.
    pub fn parts(&self) -> (&Arc<KernelTable>, &[u32]) {
        (&self.table, &self.index)
    }
}

impl PartialEq for GraphKernels {
    fn eq(&self, other: &GraphKernels) -> bool {
        if Arc::ptr_eq(&self.table, &other.table) {
            return self.index == other.index;
        }
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl Serialize for GraphKernels {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for GraphKernels {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<GraphKernels, D::Error> {
        Vec::<(KernelKind, KernelConfig)>::deserialize(d).map(GraphKernels::from_vec)
    }
}

/// Everything one file contributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportBatch {
    /// Format name (`qed-ops`, `neurstruc`, `csv`, ...).
    pub format: String,
    /// Devices the measurements refer to.
    pub devices: Vec<Device>,
    /// The measurements.
    pub measurements: Vec<Measurement>,
    /// Licence and provenance text stored with the import.
    pub provenance: String,
    /// Kernel lists of the batch's whole models, where the source or a model file gives them.
    #[serde(default)]
    pub graphs: Vec<ModelGraph>,
}
