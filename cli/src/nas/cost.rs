//! Cost models of `einf nas`: FLOPs, or a bundled device predictor's per-kernel latency or
//! energy (the sum of the forests' kernel predictions, before model-level calibration, which
//! does not change how candidates rank against each other much and is left out of search).

use einf_models::ModelsError;
use einf_models::score::{FlopsCost, KernelCost};
use einf_parser::fusion::Rules;
use einf_parser::kernel::Kernel;
use einf_predictor::forests::MetricName;
use einf_predictor::predictor::DevicePredictor;

/// A bundled predictor as a [`KernelCost`]; kernels no forest covers cost 0 and are counted.
pub struct PredictorCost {
    predictor: DevicePredictor,
    rules: Rules,
    metric: MetricName,
}

impl PredictorCost {
    /// The bundled predictor of `device`, predicting `metric`.
    pub fn bundled(device: &str, metric: MetricName) -> anyhow::Result<PredictorCost> {
        let predictor = einf_predictor::bundled::load(device)?;
        if !predictor.forests.metrics().contains(&metric) {
            anyhow::bail!("the {device} predictor has no {} forests", metric.name());
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

/// The cost model named by `--device`: `flops` (kernels split with `backend`'s rules) or a
/// bundled predictor's device name.
pub fn cost_model(device: &str, backend: &str, metric: MetricName) -> anyhow::Result<Box<dyn KernelCost>> {
    if device.eq_ignore_ascii_case("flops") {
        return Ok(Box::new(FlopsCost::new(backend)?));
    }
    Ok(Box::new(PredictorCost::bundled(device, metric)?))
}
