//! The open data behind the bundled predictors: the files of `dataset/data/` each bundled device
//! is trained on, imported into a store in memory and read back through
//! [`DeviceData::from_store`], as any user's store is.
//!
//! The devices are the six qed-usc phones (TFLite GPU delegate kernel latencies from
//! `tflite_cnn_ops_gpu.csv`, end-to-end GPU latencies from `tflite_cnn_e2e.csv`) and the
//! NeurstrucEnergy board (conv2d layer energies and latencies, the energies of 17 whole CNNs over
//! three runs, each CNN with its layers). Every qed-usc kernel keeps its model (it was measured
//! inside one) so that evaluation can hold whole models out.

use crate::data::{DeviceData, Filter};
use crate::error::{PredictorError, Result};
use einf_dataset::import::{Format, ReadOptions, read};
use einf_dataset::store::{ImportSource, Store};
use std::path::Path;

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

/// Every file the bundled predictors are trained on (format, path under `dataset/data`), in
/// import order. NeurstrucEnergy's `custom_testset_*` files repeat five of the random CNNs and
/// are left out, as its authors evaluate on the random set.
pub const FILES: [(Format, &str); 7] = [
    (Format::QedOps, "qed-usc-mobile-ml-benchmark/tflite_cnn_ops_gpu.csv"),
    (Format::QedE2e, "qed-usc-mobile-ml-benchmark/tflite_cnn_e2e.csv"),
    (Format::Neurstruc, "neurstrucenergy/conv2d.txt"),
    (Format::Neurstruc, "neurstrucenergy/conv2d_PreVIousNet.txt"),
    (Format::Neurstruc, "neurstrucenergy/random_testset_1.txt"),
    (Format::Neurstruc, "neurstrucenergy/random_testset_2.txt"),
    (Format::Neurstruc, "neurstrucenergy/random_testset_3.txt"),
];

/// A store in memory holding [`FILES`] from `data_dir` (the repository's `dataset/data`), each
/// import named by its file name, as `einf dataset import` names it (so a store a user builds from
/// the same files trains a predictor of the same training identity).
pub fn store(data_dir: &Path) -> Result<Store> {
    let mut batches = Vec::new();
    for (format, rel) in FILES {
        let path = data_dir.join(rel);
        let bytes = std::fs::read(&path).map_err(|error| PredictorError::Io { path: path.clone(), error })?;
        let batch = read(format, &path, &ReadOptions::default())?;
        let name = path.file_name().map_or_else(|| rel.to_string(), |n| n.to_string_lossy().into_owned());
        batches.push((batch, ImportSource::from_bytes(name, &bytes)));
    }
    let mut store = Store::open_in_memory()?;
    let items: Vec<_> = batches.iter().map(|(b, s)| (b, s)).collect();
    store.import_all(&items, &mut |_| {})?;
    Ok(store)
}

/// The training data of bundled device `device` (a full name, see [`bundled_devices`]).
pub fn load(data_dir: &Path, device: &str) -> Result<DeviceData> {
    if !bundled_devices().iter().any(|d| d == device) {
        return Err(PredictorError::UnknownDevice {
            name: device.to_string(),
            known: bundled_devices().join(", "),
        });
    }
    DeviceData::from_store(&store(data_dir)?, device, &Filter::default())
}
