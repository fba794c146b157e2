//! `einf evaluate`: k-fold and leave-models-out cross-validation of einf and two baselines.

use crate::data_args::DataArgs;
use anyhow::Context;
use einf_predictor::eval::{Compared, EvalConfig, evaluate};
use einf_predictor::forests::MetricName;
use einf_predictor::learn::learnable_metrics;
use einf_predictor::params::{ForestParams, Target};
use einf_predictor::plot::{Panel, predicted_vs_measured};
use einf_predictor::predictor::calibration_terms;
use einf_predictor::scores::Scores;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `einf evaluate`.
#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// Devices, full names or unique prefixes (repeatable; default: every device of the data
    /// with kernel measurements).
    #[arg(long)]
    pub device: Vec<String>,
    /// Only this metric's measurements (energy, latency or power); default: all the data has.
    #[arg(long)]
    pub metric: Option<MetricName>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Target transform of einf's forests (default: the device's, see `einf train --target`).
    #[arg(long, value_parser = crate::train::target_parser())]
    pub target: Option<Target>,
    /// Folds.
    #[arg(long, default_value_t = 5)]
    pub k: usize,
    /// Trees of the nn-Meter-style baseline (nn-Meter: 550).
    #[arg(long, default_value_t = 550)]
    pub baseline_trees: u16,
    /// Also list every kernel kind.
    #[arg(long)]
    pub kinds: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Write einf's held-out kernel predictions against the measurements as SVG (log-log, per
    /// device and metric: the kernel k-fold and, where kernels were measured in models, the kernels
    /// of the held-out models).
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
}

fn cell(s: &Scores) -> String {
    if s.n == 0 { "-".into() } else { format!("{:.1}% / {:.1}%", 100.0 * s.within10, s.mape) }
}

fn row(device: &str, metric: &str, what: &str, c: &Compared) -> Vec<String> {
    vec![
        device.into(),
        metric.into(),
        what.into(),
        c.einf.n.to_string(),
        format!("{:.1}%", 100.0 * c.einf.within5),
        cell(&c.einf),
        cell(&c.flops),
        cell(&c.nn_meter),
    ]
}

pub fn run(args: &EvaluateArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.k >= 2, "--k must be at least 2");
    let source = args.data.open()?;
    let learning = args.data.learning();
    let devices: Vec<String> = if args.device.is_empty() {
        source.devices().to_vec()
    } else {
        args.device.iter().map(|d| source.resolve(d)).collect::<Result<_, _>>()?
    };
    let mut baseline = ForestParams::nn_meter_gpu();
    baseline.n_trees = args.baseline_trees;
    let bar = crate::progress::bar(devices.len());
    let mut evals = Vec::new();
    for d in &devices {
        bar.set_message(format!("evaluating {d} ({}-fold, einf and two baselines)", args.k));
        let data = args.data.device_data(&source, d, args.metric)?;
        bar.inc(1);
        if learnable_metrics(&data).is_empty() {
            if args.device.is_empty() {
                continue;
            }
            anyhow::bail!(
                "device '{d}' has no kernel measurements and no model measurements with known kernels ({} model \
                 rows)",
                data.models.len()
            );
        }
        let cfg = EvalConfig {
            k: args.k,
            params: crate::train::params(d, None, None, args.target)?,
            baseline: baseline.clone(),
            calibration: calibration_terms(&data),
            baselines: true,
            learning,
        };
        evals.push(evaluate(&data, &cfg)?);
    }
    bar.finish_and_clear();
    if evals.is_empty() {
        anyhow::bail!(
            "{}: no device has kernel measurements or model measurements with known kernels to evaluate ({} \
             device(s))",
            source.describe(),
            devices.len()
        );
    }
    if let Some(path) = &args.plot {
        let panels: Vec<Panel> = evals
            .iter()
            .flat_map(|e| {
                e.metrics.iter().flat_map(|m| {
                    let kfold = Panel {
                        device: e.device.clone(),
                        metric: m.metric,
                        what: format!("held-out kernels, {}-fold", e.k),
                        points: m.kernel_points.clone(),
                    };
                    let models = (!m.model_kernel_points.is_empty()).then(|| Panel {
                        what: format!("kernels of held-out models, {}-fold", e.k),
                        points: m.model_kernel_points.clone(),
                        ..kfold.clone()
                    });
                    // A metric learned from whole models has no kernel points to draw.
                    let kfold = (!kfold.points.is_empty()).then_some(kfold);
                    kfold.into_iter().chain(models)
                })
            })
            .collect();
        std::fs::write(path, predicted_vs_measured(&panels)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &evals)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = crate::table::Table::new(&[
        "device",
        "metric",
        "evaluation",
        "n",
        "einf ±5%",
        "einf ±10% / MAPE",
        "FLOPs ±10% / MAPE",
        "nn-Meter ±10% / MAPE",
    ]);
    for e in &evals {
        for m in &e.metrics {
            let metric = m.metric.name();
            for (kind, c) in &m.kernel_cv {
                if kind == "all" || args.kinds {
                    t.row(row(&e.device, metric, &format!("kernels {}-fold: {kind}", e.k), c));
                }
            }
            for (kind, c) in &m.model_cv_kernels {
                if kind == "all" || args.kinds {
                    let what = format!("models {}-fold: held-out kernels: {kind}", e.k);
                    t.row(row(&e.device, metric, &what, c));
                }
            }
            if let Some(c) = &m.model_cv {
                let what = format!("models {}-fold ({} groups): kernel sum", e.k, m.model_groups);
                t.row(row(&e.device, metric, &what, c));
            }
            if let Some(x) = &m.end_to_end {
                let what = "held-out models vs end-to-end";
                let c = Compared { einf: x.calibrated, flops: x.flops, nn_meter: Scores::default() };
                t.row(row(&e.device, metric, &format!("{what} (calibrated)"), &c));
                let raw = Compared { einf: x.kernel_sum, ..Compared::default() };
                t.row(row(&e.device, metric, &format!("{what} (kernel sum)"), &raw));
            }
        }
    }
    t.write(out)?;
    writeln!(out, "(±10% = share of predictions within 10% of the measurement; MAPE in %)")?;
    Ok(ExitCode::SUCCESS)
}
