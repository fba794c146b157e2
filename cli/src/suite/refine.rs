//! `einf suite --refine PREDICTOR|DEVICE`: cross-validate the predictor's training recipe on the
//! device's measured kernels of one kind, and write a suite of configurations near the kernels
//! it gets most wrong (einf_models::suite::refine).
//!
//! The cross-validation is the kernel k-fold of `einf evaluate` (einf_predictor::eval): the
//! device's kernel measurements of the metric, in their order; the i-th goes to fold `i mod k`;
//! for each fold, forests are trained on the other folds (every kind, with the predictor's
//! hyperparameters and feature set) and predict the held-out kernels; a kernel no forest covers
//! is predicted 0 (100 % error), as in the evaluation. Only the forests that can answer for the
//! wanted kind are worth training (its own and its base role's fallback, which see only kernels
//! of that base role), so each fold trains on the kernels sharing the kind's base role, and folds
//! without a kernel of the kind are skipped. A unit test checks the predictions equal `evaluate`'s.

use super::SuiteArgs;
use super::measured::{self, Measured};
use anyhow::{Context, bail};
use einf_dataset::batch::{DeviceClass, Metric};
use einf_models::suite::SuiteKind;
use einf_models::suite::refine::{CvPoint, CvSource, RefineParams, Refined, write};
use einf_predictor::data::KernelSample;
use einf_predictor::features::FeatureSet;
use einf_predictor::forests::{ForestScope, Forests, MetricName};
use einf_predictor::params::ForestParams;
use einf_predictor::training_set::KernelFolds;
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

/// Rows of the parent table in the text output.
const SHOWN_PARENTS: usize = 10;

/// Cross-validated predictions of the samples of `kind`: `(index into samples, prediction)`, in
/// sample order, with the folds of the predictor's kernel k-fold (see the module docs).
pub(crate) fn cross_validate(
    samples: &[&KernelSample],
    kind: &str,
    metric: MetricName,
    params: &ForestParams,
    set: FeatureSet,
    k: usize,
    progress: bool,
) -> anyhow::Result<Vec<(usize, f64)>> {
    let folds = KernelFolds::new(k).map_err(|_| anyhow::anyhow!("--folds must be at least 2, got {k}"))?;
    let mut out = Vec::new();
    for fold in 0..k {
        let test: Vec<usize> = (0..samples.len())
            .filter(|i| folds.fold_of(*i) == fold && samples[*i].kind.to_string() == kind)
            .collect();
        let Some(&first) = test.first() else { continue };
        if progress {
            eprint!("\rcross-validating: fold {}/{k} ...", fold + 1);
        }
        let (train, _) = folds.split(samples, fold);
        let base = ForestScope::base_of(&samples[first].kind);
        let train: Vec<&KernelSample> =
            train.into_iter().filter(|s| ForestScope::base_of(&s.kind) == base).collect();
        let forests = Forests::train(&train, params, set)?;
        for i in test {
            let s = samples[i];
            let p = forests.predict(&s.kind, &s.config, metric, &format!("held-out kernel {i}"))?;
            out.push((i, p.map_or(0.0, |e| e.value)));
        }
    }
    if progress {
        eprint!("\r");
    }
    out.sort_by_key(|(i, _)| *i);
    Ok(out)
}

/// The device, hyperparameters and feature set of the predictor named on the command line: a
/// predictor file's own (a path to a file, or any path ending in `.einfp`), else a device of the
/// data (`--db`, `--data`, or the bundled data; a unique prefix does) with einf's current
/// defaults for it (what `einf train` and `einf evaluate` use).
fn recipe(target: &str) -> anyhow::Result<Recipe> {
    let path = Path::new(target);
    if path.is_file() || path.extension().is_some_and(|e| e == "einfp") {
        let p = einf_predictor::format::load(path)?;
        let class = Some(p.meta.device.class);
        return Ok(Recipe {
            device: p.meta.device.name,
            class,
            params: p.meta.params,
            set: p.meta.feature_set,
            from_file: true,
        });
    }
    // A device of the data (bundled, store or CSV), resolved with the data; einf's defaults.
    Ok(Recipe {
        device: target.to_string(),
        class: None,
        params: ForestParams::for_device(target),
        set: FeatureSet::Einf,
        from_file: false,
    })
}

/// What the cross-validation needs to know about a predictor.
struct Recipe {
    device: String,
    class: Option<DeviceClass>,
    params: ForestParams,
    set: FeatureSet,
    /// Whether it is a predictor file's recipe (else einf's defaults for a device of the data).
    from_file: bool,
}

fn measurements(args: &SuiteArgs, device: &str, class: Option<DeviceClass>) -> anyhow::Result<Measured> {
    measured::measured(args.db.as_deref(), args.data.as_deref(), device, class)
}

/// The metric: the one asked for, else the first (energy, latency, power) with kernels of the kind.
fn metric(samples: &[KernelSample], kind: &str, asked: Option<MetricName>) -> anyhow::Result<MetricName> {
    let has = |m: MetricName| samples.iter().any(|s| s.metric == m && s.kind.to_string() == kind);
    if let Some(m) = asked {
        return Ok(m);
    }
    Metric::ALL.into_iter().find(|m| has(*m)).ok_or_else(|| {
        let mut kinds: Vec<String> = samples.iter().map(|s| s.kind.to_string()).collect();
        kinds.sort();
        kinds.dedup();
        anyhow::anyhow!("no measured {kind} kernels (measured kinds: {})", kinds.join(", "))
    })
}

#[derive(Serialize)]
struct Report<'a> {
    predictor: &'a str,
    device: &'a str,
    metric: &'static str,
    kind: &'static str,
    folds: usize,
    threshold: f64,
    seconds: f64,
    #[serde(flatten)]
    refined: &'a Refined,
}

/// Run `einf suite --refine TARGET`.
pub fn run(args: &SuiteArgs, target: &str, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let start = Instant::now();
    let kind: SuiteKind = args.kind.parse()?;
    let Recipe { device, class, params: forest_params, set: feature_set, from_file } = recipe(target)?;
    let data = measurements(args, &device, class)?;
    let device = data.device.clone();
    // A device named on the command line trains with its own defaults once its name is known.
    let forest_params = if from_file { forest_params } else { ForestParams::for_device(&device) };
    let metric = metric(&data.samples, kind.name(), args.metric)?;
    let samples: Vec<&KernelSample> = data.samples.iter().filter(|s| s.metric == metric).collect();
    if !samples.iter().any(|s| s.kind.to_string() == kind.name()) {
        bail!("device '{device}' has no {} {} measurements", kind.name(), metric.name());
    }
    let progress = std::io::stderr().is_terminal();
    let cv = cross_validate(&samples, kind.name(), metric, &forest_params, feature_set, args.folds, progress)
        .with_context(|| format!("cross-validating {} on {device}", kind.name()))?;
    let points: Vec<CvPoint> = cv
        .iter()
        .map(|&(i, predicted)| CvPoint {
            config: samples[i].config.clone(),
            measured: samples[i].value,
            predicted,
        })
        .collect();
    let measured: Vec<_> =
        data.samples.iter().filter(|s| s.kind.to_string() == kind.name()).map(|s| s.config.clone()).collect();
    let params = RefineParams {
        count: args.count,
        per_kernel: args.per_kernel,
        threshold: args.threshold,
        weights: args.weights.into(),
        ..RefineParams::new(kind, args.seed)
    };
    let source = CvSource {
        predictor: target.to_string(),
        device: device.clone(),
        metric: metric.name().to_string(),
        folds: args.folds,
        data: data.source,
    };
    let r = write(&params, &source, &points, &measured, &args.out)
        .with_context(|| format!("refinement suite in {}", args.out.display()))?;
    let seconds = start.elapsed().as_secs_f64();
    if args.json {
        let report = Report {
            predictor: target,
            device: &device,
            metric: metric.name(),
            kind: kind.name(),
            folds: args.folds,
            threshold: args.threshold,
            seconds,
            refined: &r,
        };
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let pct = |x: f64| format!("{:.0}%", 100.0 * x);
    let plan = &r.plan;
    writeln!(
        out,
        "{device} {} {}: {} measurements ({} configurations), {}-fold cross-validation",
        metric.name(),
        kind.name(),
        plan.kernels,
        plan.configs,
        args.folds
    )?;
    writeln!(
        out,
        "above {}: {} measurements, {} configurations",
        pct(args.threshold),
        plan.kernels_above,
        plan.configs_above
    )?;
    writeln!(
        out,
        "{} models near {} of them (at most {} each, {} in all), {} bytes, manifest {}, {seconds:.1} s",
        r.models,
        plan.parents.len(),
        args.per_kernel,
        args.count,
        r.bytes,
        args.out.join("manifest.csv").display()
    )?;
    if plan.parents.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let unit = metric.unit();
    let mut t = crate::table::Table::new(&[
        "parent",
        "measured kernel",
        "samples",
        &format!("measured {unit}"),
        &format!("predicted {unit}"),
        "error",
        "proposals",
    ]);
    for u in plan.parents.iter().take(SHOWN_PARENTS) {
        let p = &u.parent;
        t.row(vec![
            p.id.clone(),
            p.kernel.clone(),
            p.samples.to_string(),
            format!("{:.4}", p.measured),
            format!("{:.4}", p.predicted),
            pct(p.error),
            u.proposals.to_string(),
        ]);
    }
    t.write(out)?;
    if plan.parents.len() > SHOWN_PARENTS {
        writeln!(
            out,
            "... and {} more parents (suite.json lists them all)",
            plan.parents.len() - SHOWN_PARENTS
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use einf_dataset::batch::Device;
    use einf_parser::ir::DType;
    use einf_parser::kernel::{KernelConfig, KernelKind};
    use einf_predictor::data::DeviceData;
    use einf_predictor::eval::{EvalConfig, evaluate};

    fn conf(hw: u64, cin: u64, cout: u64, k: u64, groups: u64) -> KernelConfig {
        KernelConfig {
            batch: 1,
            input_h: hw,
            input_w: hw,
            output_h: hw,
            output_w: hw,
            cin,
            cout,
            kernel_h: k,
            kernel_w: k,
            stride_h: 1,
            stride_w: 1,
            pads: [k / 2; 4],
            dilation_h: 1,
            dilation_w: 1,
            groups,
            dtype: DType::F32,
            input_channels: Vec::new(),
        }
    }

    /// SYNTHETIC measurements (a cost roughly proportional to MACs with a deterministic wobble),
    /// three kinds interleaved, for checking fold bookkeeping only.
    fn synthetic() -> DeviceData {
        let mut kernels = Vec::new();
        for i in 0..170u64 {
            let (hw, c) = (7 + (i * 5) % 50, 8 + (i * 13) % 120);
            let (kind, config) = match (i % 3, i % 17) {
                // A kind too rare for a forest of its own: its base role's answers.
                (_, 0) => ("conv-bn-add", conf(hw, c, c, 3, 1)),
                (0, _) => ("conv-bn-relu", conf(hw, c, 2 * c, 3, 1)),
                (1, _) => ("dwconv-bn-relu", conf(hw, c, c, 3, c)),
                _ => ("conv-bn", conf(hw, c, c, 1, 1)),
            };
            let macs = (hw * hw * config.cout * 9 * config.cin / config.groups) as f64;
            let value = 1e-6 * macs * (1.0 + 0.3 * ((i * 7) % 11) as f64 / 11.0);
            kernels.push(KernelSample {
                model: None,
                kind: kind.parse::<KernelKind>().unwrap(),
                config,
                metric: Metric::Latency,
                value,
                source_id: None,
            });
        }
        DeviceData::of_kernels(Device::named("synthetic", DeviceClass::Gpu), "tflite-gpu", kernels)
    }

    /// The per-kernel predictions are exactly the predictor's own k-fold ones: same folds, same
    /// forests (checked against `einf_predictor::eval::evaluate`'s kernel points, which list the
    /// held-out kernels fold by fold).
    #[test]
    fn cross_validation_matches_the_predictors_evaluation() {
        let data = synthetic();
        let params = ForestParams { n_trees: 4, max_depth: 8, ..ForestParams::einf() };
        let k = 4;
        let cfg = EvalConfig {
            k,
            params: params.clone(),
            baseline: params.clone(),
            calibration: Vec::new(),
            baselines: false,
            learning: Default::default(),
        };
        let eval = evaluate(&data, &cfg).unwrap();
        let points = &eval.metrics[0].kernel_points;
        let n = data.kernels.len();
        // Fold-by-fold order of the evaluation → sample index.
        let order: Vec<usize> = (0..k).flat_map(|f| (0..n).filter(move |i| i % k == f)).collect();
        let samples: Vec<&KernelSample> = data.kernels.iter().collect();
        for kind in ["conv-bn-relu", "dwconv-bn-relu", "conv-bn", "conv-bn-add"] {
            let count = samples.iter().filter(|s| s.kind.to_string() == kind).count();
            assert!(count >= 10, "{kind}: {count}");
            let cv = cross_validate(&samples, kind, MetricName::Latency, &params, FeatureSet::Einf, k, false)
                .unwrap();
            assert_eq!(cv.len(), count, "{kind}");
            for (i, predicted) in cv {
                let j = order.iter().position(|&x| x == i).unwrap();
                assert_eq!(points[j].0, samples[i].value);
                assert_eq!(points[j].1, predicted, "{kind} kernel {i}");
            }
        }
        assert!(
            cross_validate(&samples, "conv-bn", MetricName::Latency, &params, FeatureSet::Einf, 1, false)
                .is_err()
        );
    }
}
