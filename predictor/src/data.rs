//! Training data: the kernel and model measurements of one device, read from an
//! [`einf_dataset`] store by [`DeviceData::from_store`], the one road from measurements to
//! predictors (the bundled devices go the same way, see [`crate::bundled_data`]).
//!
//! How stored rows become samples:
//!
//! - **Kernels measured inside a model** (qed-usc: every kernel of a model run) are one sample
//!   per row, in import order: a model's repeated layer is measured once per occurrence. Rows
//!   that number their runs (`run` set) of one kernel in one model are averaged into the first
//!   run's place, so that no run of a kernel is held out while another trains.
//! - **Kernels measured alone** (NeurstrucEnergy's conv layers, a suite) are one sample per
//!   kind, configuration and metric: the mean of every row that measures it (repeated runs,
//!   several files). They come after the in-model samples, in the order of their kind and
//!   configuration, so that the order of imports does not change the folds.
//! - **Whole models** are one sample per model and metric, the mean of its rows, by name. Its
//!   kernels are, in this order of preference: the kernels measured inside it on the device (of
//!   the model's metric, else of the first metric measured inside it), the kernel list the source
//!   gives (NeurstrucEnergy's CNN layers), or the kernels einf's parser split its model file or
//!   architecture into for the device's backend. A model with none of these is kept with an
//!   empty list (it still scores the calibration's end-to-end evaluation where kernels are
//!   measured).

use crate::error::{PredictorError, Result};
use einf_dataset::batch::{Device, DeviceClass, Metric};
use einf_dataset::store::{DeviceRows, Store};
use einf_parser::kernel::{KernelConfig, KernelKind};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A kernel: kind and configuration.
pub type Kernel = (KernelKind, KernelConfig);

/// One measured kernel.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelSample {
    /// The model it was measured in (`None`: measured alone).
    pub model: Option<String>,
    /// Kind.
    pub kind: KernelKind,
    /// Configuration.
    pub config: KernelConfig,
    /// Metric.
    pub metric: Metric,
    /// Value in the metric's unit (mJ, ms, mW); repeated runs of one configuration are averaged.
    pub value: f64,
    /// The source's name of the kernel (qed-usc: the GPU kernel the delegate chose, e.g.
    /// `convolution_winograd_4x4_6x6_3`), for diagnostics only: it is not known at prediction time.
    pub source_id: Option<String>,
}

/// One measured model, with its kernels when they are known.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSample {
    /// Model name.
    pub name: String,
    /// Metric.
    pub metric: Metric,
    /// End-to-end value (mean over its rows).
    pub value: f64,
    /// The model's kernels (kind and configuration), in order; empty when unknown. Models with
    /// the same kernel list share it.
    pub kernels: Arc<[Kernel]>,
}

/// Everything measured on one device.
#[derive(Debug, Clone)]
pub struct DeviceData {
    /// The device.
    pub device: Device,
    /// The parser backend whose fusion matches the device's runtime.
    pub backend: String,
    /// Whether `backend` was assumed from the device's class ([`assumed_backend`]): its runtime
    /// was not given or maps to no backend, and none was asked for.
    pub backend_assumed: bool,
    /// Kernel measurements.
    pub kernels: Vec<KernelSample>,
    /// Model-level measurements.
    pub models: Vec<ModelSample>,
    /// The imported files the measurements came from (names as stored), oldest first.
    pub sources: Vec<String>,
    /// sha256 over the sources' names and sha256s, and the device name.
    pub sha256: String,
}

/// Which of a device's measurements to train on, and how to split its models.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this metric (all the device has when `None`).
    pub metric: Option<Metric>,
    /// The parser backend (default: [`backend_for`] the device's runtime).
    pub backend: Option<String>,
}

/// The parser backends einf has fusion rules for.
pub const BACKENDS: [&str; 4] = ["tflite-cpu", "tflite-gpu", "onnxruntime-cpu", "tensorrt"];

/// The parser backend whose fusion matches a device's runtime, when einf knows it: a runtime
/// named as a backend is that backend; `tflite*` is TFLite's CPU rules (its GPU delegate's with
/// `gpu` in the name); `onnxruntime*` / `ort*` ONNX Runtime's CPU rules; `tensorrt*` and
/// CUDA runtimes (`pytorch-cuda`: PyTorch eager runs each layer as its own kernel) TensorRT's,
/// the closest fused CUDA backend.
pub fn backend_for(device: &Device) -> Option<&'static str> {
    let runtime = device.runtime.as_deref()?.to_ascii_lowercase();
    if let Some(b) = BACKENDS.iter().find(|b| **b == runtime) {
        return Some(b);
    }
    if runtime.starts_with("tflite") || runtime.starts_with("litert") {
        Some(if runtime.contains("gpu") { "tflite-gpu" } else { "tflite-cpu" })
    } else if runtime.starts_with("onnxruntime") || runtime.starts_with("ort") {
        Some("onnxruntime-cpu")
    } else if runtime.starts_with("tensorrt") || runtime.contains("cuda") {
        Some("tensorrt")
    } else {
        None
    }
}

/// The backend assumed for a device whose runtime tells none: TFLite's GPU delegate rules for a
/// GPU, TFLite's CPU rules otherwise (the runtimes edge devices run most). Only the models a
/// predictor is asked about are split by it (kernel measurements carry their own kinds).
pub fn assumed_backend(class: DeviceClass) -> &'static str {
    match class {
        DeviceClass::Gpu => "tflite-gpu",
        _ => "tflite-cpu",
    }
}

/// The kernel list of a model as the store keeps it: given by the source (`backend: None`) or
/// split by einf's parser for a backend.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelKernels {
    /// Model name.
    pub model: String,
    /// The backend whose rules split it; `None` when the source lists the kernels.
    pub backend: Option<String>,
    /// The kernels, in execution order (graphs with the same list share it).
    pub kernels: Arc<[Kernel]>,
}

impl DeviceData {
    /// Kernel measurements of `device` built in code: no model-level measurements, no files read
    /// (so `sources` and `sha256` are empty).
    pub fn of_kernels(device: Device, backend: &str, kernels: Vec<KernelSample>) -> DeviceData {
        DeviceData {
            device,
            backend: backend.to_string(),
            backend_assumed: false,
            kernels,
            models: Vec::new(),
            sources: Vec::new(),
            sha256: String::new(),
        }
    }

    /// Metrics with kernel measurements, in a fixed order.
    pub fn metrics(&self) -> Vec<Metric> {
        Metric::ALL.into_iter().filter(|m| self.kernels.iter().any(|k| k.metric == *m)).collect()
    }

    /// The training data of `device` in `store` (see the module docs for how rows become
    /// samples). An unknown device names the store's devices; a device without any measurement
    /// of `filter.metric` names the metrics it has. The backend is `filter.backend`, else
    /// [`backend_for`] the device's runtime, else [`assumed_backend`] for its class (said in
    /// [`DeviceData::backend_assumed`]).
    pub fn from_store(store: &Store, device: &str, filter: &Filter) -> Result<DeviceData> {
        let rows = store.device_rows(device, &einf_dataset::store::Filter::default())?;
        let has = rows.metrics();
        if let Some(m) = filter.metric
            && !has.contains(&m)
        {
            return Err(PredictorError::TrainingData(format!(
                "{}: device '{device}' has no {} measurements (it has: {})",
                store.path().display(),
                m.name(),
                names(&has)
            )));
        }
        if has.is_empty() {
            return Err(PredictorError::TrainingData(format!(
                "{}: device '{device}' has no measurements",
                store.path().display()
            )));
        }
        let mut assumed = false;
        let backend = match &filter.backend {
            Some(b) if BACKENDS.contains(&b.as_str()) => b.clone(),
            Some(b) => {
                return Err(PredictorError::TrainingData(format!(
                    "unknown backend '{b}' (backends: {})",
                    BACKENDS.join(", ")
                )));
            }
            None => match backend_for(&rows.device) {
                Some(b) => b.to_string(),
                None => {
                    assumed = true;
                    assumed_backend(rows.device.class).to_string()
                }
            },
        };
        // The compact table: a HELP device's graphs share a few hundred distinct kernels.
        let table = store.model_graph_table(device)?;
        let mut lists: HashMap<*const [u32], Arc<[Kernel]>> = HashMap::new();
        let mut graphs = Vec::new();
        for g in table.graphs {
            if g.backend.as_deref().is_some_and(|b| b != backend) {
                continue;
            }
            let kernels = lists
                .entry(Arc::as_ptr(&g.kernels))
                .or_insert_with(|| {
                    g.kernels.iter().filter_map(|&i| table.kernels.get(i as usize).cloned()).collect()
                })
                .clone();
            graphs.push(ModelKernels { model: g.model, backend: g.backend, kernels });
        }
        let mut data = Self::from_rows(rows, &graphs, &backend, filter.metric);
        data.backend_assumed = assumed;
        Ok(data)
    }

    /// Samples from a device's stored rows and its models' kernel lists (see the module docs).
    pub fn from_rows(
        rows: DeviceRows,
        graphs: &[ModelKernels],
        backend: &str,
        metric: Option<Metric>,
    ) -> DeviceData {
        let mut hasher = Sha256::new();
        for i in &rows.imports {
            hasher.update((i.file.len() as u64).to_le_bytes());
            hasher.update(i.file.as_bytes());
            hasher.update(i.sha256.as_bytes());
        }
        hasher.update(rows.device.name.as_bytes());
        let sha256 = crate::hex(&hasher.finalize());
        let sources = rows.imports.iter().map(|i| i.file.clone()).collect();
        let wanted = |m: Metric| metric.is_none_or(|w| w == m);

        // Kernels measured inside models: one sample per row, numbered runs averaged.
        let mut inside: Vec<(KernelSample, usize)> = Vec::new();
        let mut runs: HashMap<(Arc<str>, usize, Metric), usize> = HashMap::new();
        // Kernels measured alone: one sample per (kind, configuration, metric).
        let mut alone: BTreeMap<(String, String, Metric), (KernelSample, usize)> = BTreeMap::new();
        // Per model and metric, the kernels measured inside it, in order.
        let mut measured_in: HashMap<(Arc<str>, Metric), Vec<Kernel>> = HashMap::new();
        for r in rows.kernels.iter().filter(|r| wanted(r.metric)) {
            let k = &r.kernel;
            let sample = || KernelSample {
                model: r.model.as_deref().map(str::to_string),
                kind: k.kind.clone(),
                config: k.config.clone(),
                metric: r.metric,
                value: r.value,
                source_id: r.source_id.clone(),
            };
            match &r.model {
                Some(model) => {
                    measured_in
                        .entry((Arc::clone(model), r.metric))
                        .or_default()
                        .push((k.kind.clone(), k.config.clone()));
                    let key = (Arc::clone(model), Arc::as_ptr(k) as usize, r.metric);
                    match (r.run, runs.get(&key)) {
                        (Some(_), Some(&at)) => {
                            inside[at].0.value += r.value;
                            inside[at].1 += 1;
                        }
                        (run, _) => {
                            if run.is_some() {
                                runs.insert(key, inside.len());
                            }
                            inside.push((sample(), 1));
                        }
                    }
                }
                None => {
                    let key = (k.kind.to_string(), format!("{:?}", k.config), r.metric);
                    let e = alone.entry(key).or_insert_with(|| (KernelSample { value: 0.0, ..sample() }, 0));
                    e.0.value += r.value;
                    e.1 += 1;
                }
            }
        }
        let mean = |(s, n): (KernelSample, usize)| KernelSample { value: s.value / n as f64, ..s };
        let kernels: Vec<KernelSample> =
            inside.into_iter().map(mean).chain(alone.into_values().map(mean)).collect();

        // Whole models: the mean per (model, metric), by name.
        let mut values: BTreeMap<(Arc<str>, Metric), (f64, usize)> = BTreeMap::new();
        for m in rows.models.iter().filter(|m| wanted(m.metric)) {
            let e = values.entry((Arc::clone(&m.model), m.metric)).or_default();
            e.0 += m.value;
            e.1 += 1;
        }
        let by_model: HashMap<(&str, Option<&str>), &Arc<[Kernel]>> =
            graphs.iter().map(|g| ((g.model.as_str(), g.backend.as_deref()), &g.kernels)).collect();
        let listed = |name: &str, want: Option<&str>| by_model.get(&(name, want)).map(|k| Arc::clone(k));
        let models = values
            .into_iter()
            .map(|((name, metric), (sum, n))| {
                let inside = measured_in.get(&(Arc::clone(&name), metric)).or_else(|| {
                    Metric::ALL.into_iter().find_map(|m| measured_in.get(&(Arc::clone(&name), m)))
                });
                let kernels = inside
                    .map(|k| Arc::from(k.as_slice()))
                    .or_else(|| listed(&name, None))
                    .or_else(|| listed(&name, Some(backend)))
                    .unwrap_or_else(|| Arc::from(Vec::new()));
                ModelSample { name: name.to_string(), metric, value: sum / n as f64, kernels }
            })
            .collect();
        DeviceData {
            device: rows.device,
            backend: backend.to_string(),
            backend_assumed: false,
            kernels,
            models,
            sources,
            sha256,
        }
    }
}

fn names(metrics: &[Metric]) -> String {
    if metrics.is_empty() {
        return "none".into();
    }
    metrics.iter().map(|m| m.name()).collect::<Vec<_>>().join(", ")
}
