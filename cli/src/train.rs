//! `einf train`: train a device predictor from the open data bundled in the repository.

use einf_predictor::data::{bundled_devices, load};
use einf_predictor::forests::MetricName;
use einf_predictor::params::ForestParams;
use einf_predictor::predictor::DevicePredictor;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The repository's bundled data folder (for a binary built from a checkout).
pub const DEFAULT_DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../dataset/data");

/// Arguments of `einf train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Device to train (see `einf devices`).
    #[arg(long, required_unless_present = "all")]
    pub device: Option<String>,
    /// Train every bundled device (with --out-dir).
    #[arg(long, conflicts_with = "device")]
    pub all: bool,
    /// Only this metric's measurements (energy, latency or power); default: all the data has.
    #[arg(long)]
    pub metric: Option<MetricName>,
    /// The data folder (default: the checkout's dataset/data).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Output file (one device).
    #[arg(long, value_name = "FILE", required_unless_present_any = ["out_dir", "dump_features"])]
    pub out: Option<PathBuf>,
    /// Output folder: one `<device>.einfp` per device.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Trees per forest.
    #[arg(long)]
    pub trees: Option<u16>,
    /// Seed of the forests.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Folds of the cross-validation summary stored in the file (0: none).
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Instead of training, write each forest's training set as CSV (features and the target the
    /// forest fits) and the hyperparameters to this folder (one device).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["all", "out", "out_dir"])]
    pub dump_features: Option<PathBuf>,
}

/// The device's default hyperparameters ([`ForestParams::for_device`]) with the command line's
/// trees and seed.
fn params(args: &TrainArgs, device: &str) -> anyhow::Result<ForestParams> {
    let mut params = ForestParams::for_device(device);
    if let Some(t) = args.trees {
        params.n_trees = t;
    }
    if let Some(s) = args.seed {
        params.seed = s;
    }
    params.validate()?;
    Ok(params)
}

pub fn run(args: &TrainArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let data_dir = args.data.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DATA));
    let devices = if args.all { bundled_devices() } else { args.device.iter().cloned().collect() };
    if let Some(dir) = &args.dump_features {
        let device = args.device.as_deref().unwrap_or_default();
        let params = params(args, device)?;
        let mut data = load(&data_dir, device)?;
        if let Some(m) = args.metric {
            data.kernels.retain(|k| k.metric == m);
        }
        let (files, rows) = crate::dump::dump(&data, &params, dir)?;
        writeln!(out, "{device}: {files} training sets, {rows} rows -> {}", dir.display())?;
        return Ok(ExitCode::SUCCESS);
    }
    let bar = crate::progress::bar(devices.len());
    for device in &devices {
        bar.set_message(format!("training {device}"));
        let t = std::time::Instant::now();
        let params = params(args, device)?;
        let mut data = load(&data_dir, device)?;
        if let Some(m) = args.metric {
            data.kernels.retain(|k| k.metric == m);
            data.models.retain(|k| k.metric == m);
        }
        let p = DevicePredictor::train(&data, &params, (args.folds > 1).then_some(args.folds))?;
        let path = match (&args.out, &args.out_dir) {
            (Some(f), _) if devices.len() == 1 => f.clone(),
            (_, Some(d)) => {
                std::fs::create_dir_all(d)?;
                d.join(format!("{device}.einfp"))
            }
            _ => anyhow::bail!("--all writes one file per device: give --out-dir"),
        };
        einf_predictor::format::save(&p, &path)?;
        bar.inc(1);
        let size = std::fs::metadata(&path)?.len();
        let line = format!(
            "{device}: {} forests on {} kernels, {size} bytes, {:.1} s -> {}",
            p.forests.list.len(),
            p.meta.kernel_samples,
            t.elapsed().as_secs_f64(),
            path.display()
        );
        bar.suspend(|| writeln!(out, "{line}"))?;
    }
    bar.finish_and_clear();
    Ok(ExitCode::SUCCESS)
}
