//! `einf train`: train a device predictor from the open data bundled in the repository.

use einf_predictor::data::{bundled_devices, load};
use einf_predictor::forests::MetricName;
use einf_predictor::params::ForestParams;
use einf_predictor::predictor::DevicePredictor;
use std::io::{IsTerminal, Write};
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
    #[arg(long, value_name = "FILE", required_unless_present = "out_dir")]
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
}

pub fn run(args: &TrainArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let data_dir = args.data.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DATA));
    let devices = if args.all { bundled_devices() } else { args.device.iter().cloned().collect() };
    let mut params = ForestParams::einf();
    if let Some(t) = args.trees {
        params.n_trees = t;
    }
    if let Some(s) = args.seed {
        params.seed = s;
    }
    params.validate()?;
    let progress = std::io::stderr().is_terminal();
    for (i, device) in devices.iter().enumerate() {
        if progress {
            eprint!("\r[{}/{}] training {device} ...", i + 1, devices.len());
        }
        let t = std::time::Instant::now();
        let mut data = load(&data_dir, device)?;
        if let Some(m) = args.metric {
            data.kernels.retain(|k| MetricName::from(k.metric) == m);
            data.models.retain(|k| MetricName::from(k.metric) == m);
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
        if progress {
            eprint!("\r");
        }
        let size = std::fs::metadata(&path)?.len();
        writeln!(
            out,
            "{device}: {} forests on {} kernels, {size} bytes, {:.1} s -> {}",
            p.forests.list.len(),
            p.meta.kernel_samples,
            t.elapsed().as_secs_f64(),
            path.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
