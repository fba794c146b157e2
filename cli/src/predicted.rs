//! Energy and power of a model file from a device predictor, for `einf score --model` and
//! `einf device-score`: the calibrated whole-model value when the device has a calibration, else the
//! kernel sum.

use crate::predict::{Loaded, predictors};
use anyhow::{Context, Result, bail};
use einf_parser::ir::Graph;
use einf_parser::shape::InputShape;
use einf_parser::units::{Energy, Power};
use einf_parser::{ASSUMED_SIDE, analyze, fusion::Rules, load_model_assuming};
use einf_predictor::forests::MetricName;
use einf_predictor::model::{ModelPrediction, PowerBasis, Total, predict_model};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// One predictor: a bundled device or a file (exactly one).
pub fn one_predictor(device: Option<&str>, file: Option<&PathBuf>) -> Result<Loaded> {
    let (devices, files): (Vec<String>, Vec<PathBuf>) = match (device, file) {
        (Some(d), None) => (vec![d.to_string()], vec![]),
        (None, Some(f)) => (vec![], vec![f.clone()]),
        _ => bail!("give one of --device (a bundled device, see `einf devices`) or --predictor FILE"),
    };
    predictors(&devices, &files)?.into_iter().next().context("no predictor loaded")
}

/// Load a model to predict: a symbolic batch is 1 (a prediction is per inference), and an image
/// input with a dynamic resolution not given in `shapes` takes [`ASSUMED_SIDE`] for its unknown
/// sides, with a warning on stderr. Returns the assumed shapes (`NAME=DIMS`) beside the graph.
pub fn load_for_prediction(model: &Path, shapes: &[InputShape]) -> Result<(Graph, Vec<String>)> {
    let (graph, assumed) = load_model_assuming(model, shapes, 1)?;
    let assumed: Vec<String> = assumed.iter().map(ToString::to_string).collect();
    for a in &assumed {
        let name = a.split('=').next().unwrap_or_default();
        eprintln!(
            "einf: warning: {}: input '{name}' has a dynamic resolution; predicted at {a} (unknown sides \
             {ASSUMED_SIDE}); give --input-shape {name}=... for the resolution you run",
            model.display()
        );
    }
    Ok((graph, assumed))
}

/// Predict one model file on one predictor.
pub fn predict_file(model: &Path, p: &Loaded, shapes: &[InputShape]) -> Result<ModelPrediction> {
    let (graph, assumed) = load_for_prediction(model, shapes)?;
    let analysis = analyze(&graph, &Rules::builtin(&p.meta.backend)?)?;
    let name = model.file_stem().and_then(|s| s.to_str()).unwrap_or("model");
    let mut r =
        predict_model(p, name, &analysis.kernels, false).with_context(|| format!("{}", model.display()))?;
    r.assumed_input_shapes = assumed;
    Ok(r)
}

/// A predicted energy per inference and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct PredictedEnergy {
    /// Model name.
    pub model: String,
    /// Device.
    pub device: String,
    /// `calibrated whole model` or `kernel sum`.
    pub basis: &'static str,
    /// Energy, mJ.
    pub energy_mj: f64,
    /// 10–90% of the per-tree sums (through the calibration when there is one), mJ.
    pub interval_mj: [f64; 2],
    /// Average power (energy / latency), mW, when latency is predicted too.
    pub power_mw: Option<f64>,
    /// What `power_mw` divides: `calibrated whole model` or `kernel sum` (when only energy is
    /// calibrated, as on neurstrucenergy-cuda, the power is the kernel sums' while `energy_mj` is
    /// the calibrated whole model's).
    pub power_basis: Option<&'static str>,
    /// Share (0–1) of the model's FLOPs in kernels without a regressor (not counted).
    pub uncovered_flops_share: f64,
    /// Inputs predicted at an assumed resolution (`NAME=DIMS`; the model's is dynamic).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumed_input_shapes: Vec<String>,
}

impl PredictedEnergy {
    /// The energy as a typed quantity.
    pub fn energy(&self) -> Energy {
        Energy::from_millijoules(self.energy_mj)
    }

    /// The power as a typed quantity.
    pub fn power(&self) -> Option<Power> {
        self.power_mw.map(Power::from_milliwatts)
    }
}

/// The energy of a prediction; an error naming the device when its predictor has no energy.
pub fn energy_of(r: &ModelPrediction) -> Result<PredictedEnergy> {
    let Some(t): Option<&Total> = r.totals.iter().find(|t| t.metric == MetricName::Energy) else {
        let has: Vec<&str> = r.totals.iter().map(|t| t.metric.name()).collect();
        bail!(
            "device {} predicts no energy (only {}): use a device with energy measurements \
             (neurstrucenergy-cuda) or give --einf",
            r.device,
            has.join(", ")
        );
    };
    let (basis, [v, lo, hi]) = match t.calibrated {
        Some(c) => ("calibrated whole model", c),
        None => ("kernel sum", [t.value, t.low, t.high]),
    };
    if !(v.is_finite() && v > 0.0) {
        bail!("{} on {}: predicted energy {v} mJ is not positive", r.model, r.device);
    }
    Ok(PredictedEnergy {
        model: r.model.clone(),
        device: r.device.clone(),
        basis,
        energy_mj: v,
        interval_mj: [lo.min(hi), lo.max(hi)],
        power_mw: r.power_mw,
        power_basis: r.power_basis.map(PowerBasis::short),
        uncovered_flops_share: r.uncovered_flops_share,
        assumed_input_shapes: r.assumed_input_shapes.clone(),
    })
}
