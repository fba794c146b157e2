//! Cost models of `einf nas`: FLOPs, or a device predictor's (bundled or a file) per-kernel
//! latency or energy (the sum of the forests' kernel predictions, before model-level calibration,
//! which does not change how candidates rank against each other much and is left out of search).

use anyhow::bail;
use einf_models::ModelsError;
use einf_models::score::{FlopsCost, KernelCost};
use einf_parser::fusion::Rules;
use einf_parser::kernel::Kernel;
use einf_predictor::forests::MetricName;
use einf_predictor::predictor::DevicePredictor;
use std::path::Path;

/// Fusion rules of the FLOPs cost model when `--backend` is not given.
const FLOPS_BACKEND: &str = "tflite-gpu";

/// A device predictor as a [`KernelCost`]; kernels no forest covers cost 0 and are counted.
pub struct PredictorCost {
    predictor: DevicePredictor,
    rules: Rules,
    metric: MetricName,
}

impl PredictorCost {
    /// `predictor`, predicting `metric` (an error naming the device when it has no such forests),
    /// kernels split with the fusion rules of its backend.
    pub fn new(predictor: DevicePredictor, metric: MetricName) -> anyhow::Result<PredictorCost> {
        if !predictor.forests.metrics().contains(&metric) {
            let has: Vec<&str> = predictor.forests.metrics().iter().map(|m| m.name()).collect();
            bail!(
                "the {} predictor has no {} forests (it has: {})",
                predictor.name(),
                metric.name(),
                has.join(", ")
            );
        }
        let rules = Rules::builtin(&predictor.meta.backend)?;
        Ok(PredictorCost { predictor, rules, metric })
    }
}

impl KernelCost for PredictorCost {
    fn name(&self) -> String {
        format!("{} {}", self.predictor.name(), self.metric.name())
    }
    fn unit(&self) -> String {
        self.metric.unit().to_string()
    }
    fn rules(&self) -> &Rules {
        &self.rules
    }
    fn cost(&self, kernels: &[Kernel]) -> einf_models::Result<Vec<f64>> {
        kernels
            .iter()
            .map(|k| {
                let Some(cfg) = k.config.as_ref().filter(|_| k.is_costed()) else { return Ok(0.0) };
                let e = self
                    .predictor
                    .forests
                    .predict(&k.kind, cfg, self.metric, "nas")
                    .map_err(|e| ModelsError::Cost { model: self.name(), message: e.to_string() })?;
                Ok(e.map_or(0.0, |e| e.value))
            })
            .collect()
    }
}

/// The cost model of `einf nas`: the predictor file `predictor`, or `device`: `flops` (the
/// default; kernels split with `backend`'s rules, `tflite-gpu` by default) or a bundled device
/// (its full name or a unique prefix); not both. `metric` (latency by default) is what a
/// predictor predicts; `backend` only sets the FLOPs model's rules (a predictor splits with its
/// own), so either given where it has no effect is an error rather than ignored.
pub fn cost_model(
    device: Option<&str>,
    predictor: Option<&Path>,
    backend: Option<&str>,
    metric: Option<MetricName>,
) -> anyhow::Result<Box<dyn KernelCost>> {
    let p = match (predictor, device) {
        (Some(path), Some(d)) => {
            bail!("--predictor {} and --device {d} both name the cost model; give one", path.display())
        }
        (Some(path), None) => einf_predictor::format::load(path)?,
        (None, Some(d)) if !d.eq_ignore_ascii_case("flops") => einf_predictor::bundled::load(d)?,
        (None, _) => {
            if let Some(m) = metric {
                bail!(
                    "--metric {} needs a predictor (--device DEVICE or --predictor FILE); the flops cost \
                     model counts FLOPs",
                    m.name()
                );
            }
            return Ok(Box::new(FlopsCost::new(backend.unwrap_or(FLOPS_BACKEND))?));
        }
    };
    if let Some(b) = backend {
        bail!(
            "--backend {b} sets the rules of the flops cost model; the {} predictor splits kernels with \
             its own ({})",
            p.name(),
            p.meta.backend
        );
    }
    Ok(Box::new(PredictorCost::new(p, metric.unwrap_or(MetricName::Latency))?))
}
