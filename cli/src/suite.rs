//! `einf suite`: a kernel benchmark suite for a measurement campaign: single-kernel ONNX models
//! sampled from nn-Meter's prior of real layers plus uniform coverage, and a manifest that
//! `einf dataset import --format csv` reads once the measurements are filled in. With `--refine`,
//! a suite of configurations near the measured kernels a predictor gets most wrong in
//! cross-validation ([`refine`]).

mod measured;
mod refine;

use crate::arch::WeightsArg;
use anyhow::Context;
use clap::Args;
use einf_models::suite::{SuiteKind, SuiteParams, write};
use einf_predictor::forests::MetricName;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `einf suite`.
#[derive(Debug, Args)]
pub struct SuiteArgs {
    /// Kernel kind: conv-bn-relu, conv-bn, dwconv-bn-relu, dwconv-bn, fc, fc-relu, maxpool, avgpool.
    #[arg(long)]
    pub kind: String,
    /// Number of models (with --refine: at most this many).
    #[arg(long, default_value_t = 1000)]
    pub count: usize,
    /// Seed of every random draw (same seed, same files).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Share of configurations drawn from the prior of real layers (the rest: uniform coverage).
    #[arg(long, default_value_t = 0.75, conflicts_with = "refine")]
    pub prior_share: f64,
    /// What the weights hold.
    #[arg(long, value_enum, default_value_t = WeightsArg::Zeros)]
    pub weights: WeightsArg,
    /// Output folder (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Adaptive refinement: propose configurations near the measured kernels of --kind that this
    /// predictor (a bundled device name or a predictor file) gets most wrong in k-fold
    /// cross-validation on its device's measurements.
    #[arg(long, value_name = "PREDICTOR|DEVICE")]
    pub refine: Option<String>,
    /// With --refine: most proposals near one kernel.
    #[arg(long, default_value_t = 20, requires = "refine")]
    pub per_kernel: usize,
    /// With --refine: kernels need a cross-validated relative error above this.
    #[arg(long, default_value_t = 0.10, requires = "refine")]
    pub threshold: f64,
    /// With --refine: folds of the cross-validation (as `einf evaluate --k`).
    #[arg(long, default_value_t = 5, requires = "refine")]
    pub folds: usize,
    /// With --refine: the metric (energy, latency, power; default: the first one measured).
    #[arg(long, requires = "refine")]
    pub metric: Option<MetricName>,
    /// With --refine: the measurements, a CSV in einf's generic csv format or a bundled-data
    /// folder (default: the checkout's dataset/data, for bundled devices).
    #[arg(long, value_name = "FILE|DIR", requires = "refine", conflicts_with = "db")]
    pub data: Option<PathBuf>,
    /// With --refine: read the measurements from this store.
    #[arg(long, value_name = "STORE", requires = "refine")]
    pub db: Option<PathBuf>,
}

pub fn run(args: &SuiteArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    if let Some(target) = &args.refine {
        return refine::run(args, target, out);
    }
    let kind: SuiteKind = args.kind.parse()?;
    let weights = args.weights.into();
    let params =
        SuiteParams { kind, count: args.count, seed: args.seed, prior_share: args.prior_share, weights };
    let w = write(&params, &args.out).with_context(|| format!("suite in {}", args.out.display()))?;
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &w)?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "{} {} models ({} from the prior, {} uniform), {} bytes, manifest {}",
            w.models,
            kind.name(),
            w.from_prior,
            w.models - w.from_prior,
            w.bytes,
            args.out.join("manifest.csv").display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
