//! Model-level prediction: a model's energy, latency and average power are the sums over its
//! kernels, with a per-kernel breakdown, a prediction interval from the spread of the trees, and
//! the kernels no forest covers listed (never counted as 0 in silence).
//!
//! **Interval.** Every forest of a predictor has the same number of trees T. Tree t of the model
//! is the sum over kernels of tree t's prediction for each kernel; the interval is the 10th–90th
//! percentile of those T model-level sums. It shows how much the forests disagree with
//! themselves (model uncertainty from the bootstrap), not the measurement noise of the device; the
//! evaluation's held-out errors say how far the point estimate is from measurements.
//!
//! **Power** is energy / latency of the same basis, never a mix: calibrated whole-model energy over
//! calibrated whole-model latency when the predictor calibrates both, else kernel-sum energy over
//! kernel-sum latency ([`PowerBasis`]). NeurstrucEnergy's whole CNNs were measured for energy only,
//! so its predictor calibrates energy and not latency, and its power is the kernel sums' (the
//! average power of the predicted kernels while they run, net of idle as its layer energies are);
//! dividing the calibrated energy, which includes the idle share and the layers without a forest,
//! by the kernel-sum latency would count time and energy of different things.

use crate::calibrate::ModelTerms;
use crate::error::{PredictorError, Result};
use crate::features::{Family, counts};
use crate::forests::MetricName;
use crate::predictor::DevicePredictor;
use einf_parser::kernel::Kernel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One metric's total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Total {
    /// Metric.
    pub metric: MetricName,
    /// Unit.
    pub unit: String,
    /// Sum of the kernel predictions.
    pub value: f64,
    /// 10th percentile of the per-tree model sums.
    pub low: f64,
    /// 90th percentile of the per-tree model sums.
    pub high: f64,
    /// The kernel sum mapped to a whole-model value by the device's calibration (when it has one),
    /// with its interval.
    pub calibrated: Option<[f64; 3]>,
}

/// One kernel's prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KernelLine {
    /// First node name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// FLOPs.
    pub flops: u64,
    /// Metric → predicted value (empty when uncovered).
    pub values: BTreeMap<MetricName, f64>,
    /// Whether the base-role forest answered (the kind itself has no forest).
    pub fallback: bool,
}

/// A kernel kind without a regressor in this model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Uncovered {
    /// Kind.
    pub kind: String,
    /// Kernels of this kind.
    pub kernels: usize,
    /// Share (0–1) of the model's FLOPs in them.
    pub flops_share: f64,
}

/// What [`ModelPrediction::power_mw`] divides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PowerBasis {
    /// Calibrated whole-model energy / calibrated whole-model latency.
    Calibrated,
    /// Kernel-sum energy / kernel-sum latency (the predictor does not calibrate both).
    KernelSum,
    /// The kernels' power as measured on the device (a power forest), averaged over the model
    /// weighted by each kernel's predicted latency (or, without a latency forest, by its
    /// predicted energy / power): the power of the kernels while they run.
    KernelPower,
}

impl PowerBasis {
    /// Its short name (`calibrated whole model`, `kernel sum`, `measured kernel power`).
    pub fn short(self) -> &'static str {
        match self {
            PowerBasis::Calibrated => "calibrated whole model",
            PowerBasis::KernelSum => "kernel sum",
            PowerBasis::KernelPower => "measured kernel power",
        }
    }

    /// How the power line describes it.
    pub fn describe(self) -> &'static str {
        match self {
            PowerBasis::Calibrated => "calibrated whole-model energy / calibrated whole-model latency",
            PowerBasis::KernelSum => "kernel-sum energy / kernel-sum latency",
            PowerBasis::KernelPower => "measured kernel power, weighted by kernel latency",
        }
    }
}

/// A model's prediction on one device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelPrediction {
    /// Model.
    pub model: String,
    /// Device.
    pub device: String,
    /// Totals per metric the predictor has.
    pub totals: Vec<Total>,
    /// Average power in mW = energy / latency, when both are predicted: calibrated values when both
    /// have a calibration, else kernel sums ([`ModelPrediction::power_basis`]).
    pub power_mw: Option<f64>,
    /// Which energy and latency `power_mw` divides (`None` without a power).
    #[serde(default)]
    pub power_basis: Option<PowerBasis>,
    /// Per-kernel breakdown, in execution order.
    pub kernels: Vec<KernelLine>,
    /// Uncovered kinds, by FLOPs share.
    pub uncovered: Vec<Uncovered>,
    /// Share (0–1) of FLOPs in uncovered kernels.
    pub uncovered_flops_share: f64,
    /// Kernels answered by a base-role forest.
    pub fallback_kernels: usize,
    /// Graph inputs whose dynamic resolution was assumed by the caller (`NAME=DIMS`): the
    /// prediction holds for that resolution only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumed_input_shapes: Vec<String>,
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let w = pos - lo as f64;
    sorted[lo] * (1.0 - w) + sorted[hi] * w
}

/// The model's power from its kernels' predicted power: weighted by each kernel's predicted
/// latency, else by its predicted duration energy / power; `None` when no kernel has both.
fn kernel_power(lines: &[KernelLine]) -> Option<f64> {
    let (mut work, mut time) = (0.0, 0.0);
    for l in lines {
        let Some(&p) = l.values.get(&MetricName::Power) else { continue };
        let t = match (l.values.get(&MetricName::Latency), l.values.get(&MetricName::Energy)) {
            (Some(&t), _) => t,
            (None, Some(&e)) if p > 0.0 => 1000.0 * e / p,
            _ => continue,
        };
        work += p * t;
        time += t;
    }
    (time > 0.0).then(|| work / time)
}

/// Predict a model from its kernels (the parser's, fused for the predictor's backend).
/// With `strict`, kernels without a regressor are an error.
pub fn predict_model(
    p: &DevicePredictor,
    model: &str,
    kernels: &[Kernel],
    strict: bool,
) -> Result<ModelPrediction> {
    let metrics = p.forests.metrics();
    let n_trees = p.forests.params.n_trees as usize;
    let mut lines = Vec::with_capacity(kernels.len());
    let mut tree_sums: BTreeMap<MetricName, Vec<f64>> =
        metrics.iter().map(|m| (*m, vec![0.0; n_trees])).collect();
    let mut sums: BTreeMap<MetricName, f64> = BTreeMap::new();
    let mut uncovered: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    let (mut total_flops, mut fallback_kernels, mut covered, mut other_elements) =
        (0u64, 0usize, 0usize, 0.0);
    for (i, k) in kernels.iter().enumerate() {
        let name = k.names.first().cloned().unwrap_or_else(|| format!("kernel {i}"));
        let flops = k.features.flops;
        total_flops = total_flops.saturating_add(flops);
        let mut line = KernelLine {
            name: name.clone(),
            kind: k.kind.to_string(),
            flops,
            values: BTreeMap::new(),
            fallback: false,
        };
        if let Some(cfg) = k.config.as_ref().filter(|_| k.is_costed()) {
            for &m in &metrics {
                if let Some(e) = p.forests.predict(&k.kind, cfg, m, &name)? {
                    line.fallback |= e.fallback;
                    *sums.entry(m).or_default() += e.value;
                    if let Some(ts) = tree_sums.get_mut(&m) {
                        ts.iter_mut().zip(&e.trees).for_each(|(s, t)| *s += t);
                    }
                    line.values.insert(m, e.value);
                }
            }
            if Family::of(&k.kind) != Family::Conv {
                let c = counts(&k.kind, cfg);
                other_elements += c.output_elements;
            }
        }
        if line.values.is_empty() {
            let e = uncovered.entry(line.kind.clone()).or_default();
            e.0 += 1;
            e.1 = e.1.saturating_add(flops);
        } else {
            covered += 1;
            fallback_kernels += usize::from(line.fallback);
        }
        lines.push(line);
    }
    let share = |f: u64| if total_flops > 0 { f as f64 / total_flops as f64 } else { 0.0 };
    let mut uncovered: Vec<Uncovered> = uncovered
        .into_iter()
        .map(|(kind, (n, f))| Uncovered { kind, kernels: n, flops_share: share(f) })
        .collect();
    uncovered.sort_by(|a, b| b.flops_share.total_cmp(&a.flops_share).then(a.kind.cmp(&b.kind)));
    let uncovered_flops_share = uncovered.iter().map(|u| u.flops_share).sum::<f64>();
    if covered == 0 {
        let mut kinds: Vec<String> = lines.iter().map(|l| l.kind.clone()).collect();
        kinds.sort();
        kinds.dedup();
        return Err(PredictorError::NothingCovered {
            model: model.to_string(),
            device: p.name().to_string(),
            kinds: if kinds.is_empty() { "no kernels".into() } else { kinds.join(", ") },
        });
    }
    if strict && !uncovered.is_empty() {
        return Err(PredictorError::Uncovered {
            model: model.to_string(),
            device: p.name().to_string(),
            kinds: uncovered.iter().map(|u| u.kind.as_str()).collect::<Vec<_>>().join(", "),
            share: 100.0 * uncovered_flops_share,
        });
    }
    let mut totals = Vec::new();
    // Power does not add up over kernels: it is averaged below, never summed.
    for m in metrics.iter().filter(|m| **m != MetricName::Power) {
        let mut ts = tree_sums.remove(m).unwrap_or_default();
        ts.sort_by(f64::total_cmp);
        let value = sums.get(m).copied().unwrap_or(0.0);
        let (low, high) = (percentile(&ts, 0.1), percentile(&ts, 0.9));
        let calibrated = p.meta.calibration.get(m).map(|c| {
            let terms = |s: f64| ModelTerms { kernel_sum: s, kernels: covered as f64, other_elements };
            [c.apply(&terms(value)), c.apply(&terms(low)), c.apply(&terms(high))]
        });
        totals.push(Total { metric: *m, unit: m.unit().to_string(), value, low, high, calibrated });
    }
    let get = |m: MetricName| totals.iter().find(|t| t.metric == m);
    let measured_power = metrics.contains(&MetricName::Power).then(|| kernel_power(&lines)).flatten();
    let power = match (get(MetricName::Energy), get(MetricName::Latency)) {
        _ if measured_power.is_some() => measured_power.map(|p| (p, PowerBasis::KernelPower)),
        (Some(e), Some(l)) => {
            let (ev, lv, basis) = match (e.calibrated, l.calibrated) {
                (Some(ec), Some(lc)) => (ec[0], lc[0], PowerBasis::Calibrated),
                _ => (e.value, l.value, PowerBasis::KernelSum),
            };
            (lv > 0.0).then(|| (1000.0 * ev / lv, basis))
        }
        _ => None,
    };
    let (power_mw, power_basis) = (power.map(|p| p.0), power.map(|p| p.1));
    Ok(ModelPrediction {
        model: model.to_string(),
        device: p.name().to_string(),
        totals,
        power_mw,
        power_basis,
        kernels: lines,
        uncovered,
        uncovered_flops_share,
        fallback_kernels,
        assumed_input_shapes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(values: &[(MetricName, f64)]) -> KernelLine {
        KernelLine {
            name: "k".into(),
            kind: "conv-bn-relu".into(),
            flops: 1,
            values: values.iter().copied().collect(),
            fallback: false,
        }
    }

    #[test]
    fn measured_kernel_power_is_averaged_over_time_never_summed() {
        // Synthetic: 1 W for 1 ms and 3 W for 3 ms is 2.5 W over the 4 ms.
        let lines = [
            line(&[(MetricName::Power, 1000.0), (MetricName::Latency, 1.0)]),
            line(&[(MetricName::Power, 3000.0), (MetricName::Latency, 3.0)]),
            line(&[(MetricName::Latency, 5.0)]),
        ];
        assert!((kernel_power(&lines).unwrap_or(0.0) - 2500.0).abs() < 1e-9);
        // Without latency, each kernel's time is its energy over its power: 1 mJ at 1 W, 9 mJ at 3 W.
        let lines = [
            line(&[(MetricName::Power, 1000.0), (MetricName::Energy, 1.0)]),
            line(&[(MetricName::Power, 3000.0), (MetricName::Energy, 9.0)]),
        ];
        assert!((kernel_power(&lines).unwrap_or(0.0) - 2500.0).abs() < 1e-9);
        assert_eq!(kernel_power(&[line(&[(MetricName::Power, 5.0)])]), None);
    }
    use crate::calibrate::{Calibration, Term};
    use einf_parser::{analyze, fusion::Rules, load_model};

    fn resnet(p: &DevicePredictor) -> Vec<Kernel> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/models/onnx-light/light_resnet50.onnx");
        let graph = load_model(&path, &[]).unwrap();
        analyze(&graph, &Rules::builtin(&p.meta.backend).unwrap()).unwrap().kernels
    }

    fn total(r: &ModelPrediction, m: MetricName) -> &Total {
        r.totals.iter().find(|t| t.metric == m).unwrap()
    }

    #[test]
    fn power_divides_energy_and_latency_of_the_same_basis() {
        let mut p = crate::bundled::load(crate::bundled_data::NEURSTRUC_DEVICE).unwrap();
        let kernels = resnet(&p);
        // NeurstrucEnergy calibrates energy (whole CNNs were measured) but not latency.
        let r = predict_model(&p, "resnet", &kernels, false).unwrap();
        let (e, l) = (total(&r, MetricName::Energy), total(&r, MetricName::Latency));
        assert!(e.calibrated.is_some() && l.calibrated.is_none());
        assert_eq!(r.power_basis, Some(PowerBasis::KernelSum));
        let power = r.power_mw.unwrap();
        assert!((power - 1000.0 * e.value / l.value).abs() < 1e-9 * power);
        // With a latency calibration too (synthetic: 1.5 · kernel sum), both calibrated values.
        let c = Calibration { terms: vec![Term::KernelSum], coef: vec![1.5], models: 2 };
        p.meta.calibration.insert(MetricName::Latency, c);
        let r = predict_model(&p, "resnet", &kernels, false).unwrap();
        let (e, l) = (total(&r, MetricName::Energy), total(&r, MetricName::Latency));
        let (ec, lc) = (e.calibrated.unwrap()[0], l.calibrated.unwrap()[0]);
        assert!((lc - 1.5 * l.value).abs() < 1e-9 * lc);
        assert_eq!(r.power_basis, Some(PowerBasis::Calibrated));
        let power = r.power_mw.unwrap();
        assert!((power - 1000.0 * ec / lc).abs() < 1e-9 * power);
        // A latency-only predictor has no power.
        let phone = crate::bundled::load("pixel4-gpu-tflite-fp16").unwrap();
        let r = predict_model(&phone, "resnet", &resnet(&phone), false).unwrap();
        assert_eq!((r.power_mw, r.power_basis), (None, None));
    }
}
