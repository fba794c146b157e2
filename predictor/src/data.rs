//! Training data: kernel and model measurements of one device, read from the open datasets
//! bundled in `dataset/data/` through `einf_dataset::import`.
//!
//! The bundled devices are the six qed-usc phones (TFLite GPU delegate kernel latencies from
//! `tflite_cnn_ops_gpu.csv`, end-to-end GPU latencies from `tflite_cnn_e2e.csv`) and the
//! NeurstrucEnergy board (conv2d layer energies and latencies, whole-CNN energies). Every
//! measurement keeps its model (qed-usc kernels were measured inside a model) so that evaluation
//! can hold whole models out.

use crate::error::{PredictorError, Result};
use crate::neurstruc_models;
use einf_dataset::batch::{Device, ImportBatch, Metric, Subject};
use einf_dataset::import::{Format, ReadOptions, read};
use einf_parser::kernel::{KernelConfig, KernelKind};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The six qed-usc phones.
pub const QED_PHONES: [&str; 6] = ["pixel4", "s10", "mi8se", "a03s", "iphone7", "iphonexs"];

/// The NeurstrucEnergy device name.
pub const NEURSTRUC_DEVICE: &str = einf_dataset::import::neurstruc::DEFAULT_DEVICE;

/// The devices einf ships predictors for, in display order.
pub fn bundled_devices() -> Vec<String> {
    let mut v: Vec<String> = QED_PHONES.iter().map(|p| format!("{p}-gpu-tflite-fp16")).collect();
    v.push(NEURSTRUC_DEVICE.to_string());
    v
}

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

/// One measured model, with its kernels when the source gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSample {
    /// Model name.
    pub name: String,
    /// Metric.
    pub metric: Metric,
    /// End-to-end value (mean over runs).
    pub value: f64,
    /// The model's kernels (kind and configuration), in order; empty when unknown.
    pub kernels: Vec<(KernelKind, KernelConfig)>,
    /// Work outside the kernels the predictor models (NeurstrucEnergy: BatchNorm, activation,
    /// pooling, add and linear layers), as `(layer count, elements touched)`.
    pub other: (f64, f64),
}

/// Everything measured on one device.
#[derive(Debug, Clone)]
pub struct DeviceData {
    /// The device.
    pub device: Device,
    /// The parser backend whose fusion matches the device's runtime.
    pub backend: String,
    /// Kernel measurements.
    pub kernels: Vec<KernelSample>,
    /// Model-level measurements.
    pub models: Vec<ModelSample>,
    /// Files read (relative to the data folder).
    pub sources: Vec<String>,
    /// sha256 of the files read, in order, and of the device name.
    pub sha256: String,
}

impl DeviceData {
    /// Kernel measurements of `device` built in code: no model-level measurements, no files read
    /// (so `sources` and `sha256` are empty).
    pub fn of_kernels(device: Device, backend: &str, kernels: Vec<KernelSample>) -> DeviceData {
        DeviceData {
            device,
            backend: backend.to_string(),
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
}

fn metric_rank(m: Metric) -> u8 {
    match m {
        Metric::Energy => 0,
        Metric::Latency => 1,
        Metric::Power => 2,
    }
}

struct Reader {
    root: PathBuf,
    sources: Vec<String>,
    hasher: Sha256,
}

impl Reader {
    fn read(&mut self, format: Format, rel: &str) -> Result<ImportBatch> {
        let path = self.root.join(rel);
        let bytes =
            std::fs::read(&path).map_err(|source| PredictorError::Io { path: path.clone(), source })?;
        self.hasher.update((rel.len() as u64).to_le_bytes());
        self.hasher.update(rel.as_bytes());
        self.hasher.update((bytes.len() as u64).to_le_bytes());
        self.hasher.update(&bytes);
        self.sources.push(rel.to_string());
        Ok(read(format, &path, &ReadOptions::default())?)
    }
}

/// Read the bundled data of `device` from `data_dir` (the repository's `dataset/data`).
pub fn load(data_dir: &Path, device: &str) -> Result<DeviceData> {
    let mut r = Reader { root: data_dir.to_path_buf(), sources: Vec::new(), hasher: Sha256::new() };
    let unknown =
        || PredictorError::UnknownDevice { name: device.to_string(), known: bundled_devices().join(", ") };
    let (dev, backend, kernels, models) = if device == NEURSTRUC_DEVICE {
        load_neurstruc(&mut r)?
    } else if let Some(phone) = QED_PHONES.iter().find(|p| format!("{p}-gpu-tflite-fp16") == device) {
        load_qed(&mut r, phone)?
    } else {
        return Err(unknown());
    };
    r.hasher.update(device.as_bytes());
    let sha256 = hex(&r.hasher.finalize());
    Ok(DeviceData { device: dev, backend, kernels, models, sources: r.sources, sha256 })
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

type Loaded = (Device, String, Vec<KernelSample>, Vec<ModelSample>);

/// Repeated runs of one kernel configuration.
type Runs = (KernelKind, KernelConfig, Metric, Vec<f64>);

fn load_qed(r: &mut Reader, phone: &str) -> Result<Loaded> {
    let name = format!("{phone}-gpu-tflite-fp16");
    let dir = "qed-usc-mobile-ml-benchmark";
    let ops = r.read(Format::QedOps, &format!("{dir}/tflite_cnn_ops_gpu.csv"))?;
    let e2e = r.read(Format::QedE2e, &format!("{dir}/tflite_cnn_e2e.csv"))?;
    let device = ops.devices.iter().find(|d| d.name == name).cloned().ok_or_else(|| {
        PredictorError::TrainingData(format!("{dir}/tflite_cnn_ops_gpu.csv has no device {name}"))
    })?;
    let mut kernels = Vec::new();
    let mut per_model: BTreeMap<String, Vec<(KernelKind, KernelConfig)>> = BTreeMap::new();
    for m in ops.measurements.iter().filter(|m| m.device == name) {
        if let Subject::Kernel(k) = &m.subject {
            if let Some(model) = &k.model {
                per_model.entry(model.clone()).or_default().push((k.kind.clone(), k.config.clone()));
            }
            kernels.push(KernelSample {
                model: k.model.clone(),
                kind: k.kind.clone(),
                config: k.config.clone(),
                metric: m.metric,
                value: m.value,
                source_id: k.source_id.clone(),
            });
        }
    }
    let mut models = Vec::new();
    for m in e2e.measurements.iter().filter(|m| m.device == name) {
        if let Subject::Model(rec) = &m.subject {
            let ks = per_model.get(&rec.name).cloned().unwrap_or_default();
            models.push(ModelSample {
                name: rec.name.clone(),
                metric: m.metric,
                value: m.value,
                kernels: ks,
                other: (0.0, 0.0),
            });
        }
    }
    models.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((device, "tflite-gpu".into(), kernels, models))
}

fn load_neurstruc(r: &mut Reader) -> Result<Loaded> {
    let dir = "neurstrucenergy";
    let mut device = None;
    // Repeated runs of one configuration are averaged: (kind, config, metric) → values.
    let mut runs: BTreeMap<(String, String, u8), Runs> = BTreeMap::new();
    for file in ["conv2d.txt", "conv2d_PreVIousNet.txt"] {
        let b = r.read(Format::Neurstruc, &format!("{dir}/{file}"))?;
        device = device.or_else(|| b.devices.first().cloned());
        for m in &b.measurements {
            if let Subject::Kernel(k) = &m.subject {
                let key = (k.kind.to_string(), format!("{:?}", k.config), metric_rank(m.metric));
                runs.entry(key)
                    .or_insert_with(|| (k.kind.clone(), k.config.clone(), m.metric, Vec::new()))
                    .3
                    .push(m.value);
            }
        }
    }
    let kernels = runs
        .into_values()
        .map(|(kind, config, metric, v)| KernelSample {
            model: None,
            kind,
            config,
            metric,
            value: v.iter().sum::<f64>() / v.len() as f64,
            source_id: None,
        })
        .collect();
    // Whole CNNs: three runs (random_testset_{1,2,3}); custom_testset_* repeat five of them.
    let mut energies: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut layers = BTreeMap::new();
    for n in 1..=3 {
        let rel = format!("{dir}/random_testset_{n}.txt");
        let b = r.read(Format::Neurstruc, &rel)?;
        for m in &b.measurements {
            if let Subject::Model(rec) = &m.subject
                && m.metric == Metric::Energy
            {
                energies.entry(rec.name.clone()).or_default().push(m.value);
            }
        }
        if n == 1 {
            layers = neurstruc_models::read(&r.root.join(&rel))?;
        }
    }
    let mut models = Vec::new();
    for (name, v) in energies {
        let Some(l) = layers.get(&name) else {
            return Err(PredictorError::TrainingData(format!("{dir}: no layers for model '{name}'")));
        };
        models.push(ModelSample {
            name,
            metric: Metric::Energy,
            value: v.iter().sum::<f64>() / v.len() as f64,
            kernels: l.kernels.clone(),
            other: (l.other_layers, l.other_elements),
        });
    }
    let device = device.ok_or_else(|| PredictorError::TrainingData(format!("{dir}: no device")))?;
    // PyTorch eager runs every layer as its own kernel; the TensorRT rules are the closest fused
    // CUDA backend the parser has for models given as files.
    Ok((device, "tensorrt".into(), kernels, models))
}
