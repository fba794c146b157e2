//! `einf train`: train a device predictor from a store, a generic CSV or the bundled data.

use crate::data_args::DataArgs;
use clap::builder::TypedValueParser;
use einf_predictor::forests::MetricName;
use einf_predictor::learn::learnable_metrics;
use einf_predictor::params::{ForestParams, Target};
use einf_predictor::predictor::DevicePredictor;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `einf train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// Device to train: a full name or a unique prefix (see `einf devices`, `einf devices --db`).
    #[arg(long, required_unless_present = "all")]
    pub device: Option<String>,
    /// Train every device of the data that has kernel measurements (with --out-dir).
    #[arg(long, conflicts_with = "device")]
    pub all: bool,
    /// Only this metric's measurements (energy, latency or power); default: all the data has.
    #[arg(long)]
    pub metric: Option<MetricName>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output file (one device).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present_any = ["out_dir", "dump_features"],
        conflicts_with = "out_dir"
    )]
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
    /// Target transform: log-rate (einf's default: log of cost per unit of work), log, identity.
    #[arg(long, value_parser = target_parser())]
    pub target: Option<Target>,
    /// Folds of the cross-validation summary stored in the file (0: none).
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Instead of training, write each forest's training set as CSV (features and the target the
    /// forest fits) and the hyperparameters to this folder (one device).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["all", "out", "out_dir"])]
    pub dump_features: Option<PathBuf>,
}

/// The `--target` names.
pub(crate) fn target_parser() -> impl clap::builder::TypedValueParser<Value = Target> {
    clap::builder::PossibleValuesParser::new(["log-rate", "log", "identity"]).map(|s| match s.as_str() {
        "log" => Target::Log,
        "identity" => Target::Identity,
        _ => Target::LogRate,
    })
}

/// The device's default hyperparameters ([`ForestParams::for_device`]) with the command line's
/// trees, seed and target.
pub(crate) fn params(
    device: &str,
    trees: Option<u16>,
    seed: Option<u64>,
    target: Option<Target>,
) -> anyhow::Result<ForestParams> {
    let mut params = ForestParams::for_device(device);
    if let Some(t) = trees {
        params.n_trees = t;
    }
    if let Some(s) = seed {
        params.seed = s;
    }
    if let Some(t) = target {
        params.target = t;
    }
    params.validate()?;
    Ok(params)
}

pub fn run(args: &TrainArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let source = args.data.open()?;
    let learning = args.data.learning();
    if let Some(dir) = &args.dump_features {
        let device = source.resolve(args.device.as_deref().unwrap_or_default())?;
        let params = params(&device, args.trees, args.seed, args.target)?;
        let data = args.data.device_data(&source, &device, args.metric)?;
        let (files, rows) = crate::dump::dump(&data, &params, dir)?;
        writeln!(out, "{device}: {files} training sets, {rows} rows -> {}", dir.display())?;
        return Ok(ExitCode::SUCCESS);
    }
    let devices = match &args.device {
        Some(d) => vec![source.resolve(d)?],
        None => source.devices().to_vec(),
    };
    if devices.len() > 1 && args.out_dir.is_none() {
        anyhow::bail!("--all writes one file per device: give --out-dir");
    }
    let bar = crate::progress::bar(devices.len());
    for device in &devices {
        bar.set_message(format!("training {device}"));
        let t = std::time::Instant::now();
        let params = params(device, args.trees, args.seed, args.target)?;
        let data = args.data.device_data(&source, device, args.metric)?;
        if args.all && learnable_metrics(&data).is_empty() {
            let line = format!(
                "{device}: skipped, no kernel measurements and no model measurements with known kernels ({} model \
                 rows)",
                data.models.len()
            );
            bar.suspend(|| writeln!(out, "{line}"))?;
            bar.inc(1);
            continue;
        }
        let p =
            DevicePredictor::train_with(&data, &params, &learning, (args.folds > 1).then_some(args.folds))?;
        let path = match (&args.out, &args.out_dir) {
            (Some(f), _) if devices.len() == 1 => f.clone(),
            (_, Some(d)) => {
                std::fs::create_dir_all(d)?;
                d.join(format!("{device}.einfp"))
            }
            _ => anyhow::bail!("give --out FILE or --out-dir DIR"),
        };
        einf_predictor::format::save(&p, &path)?;
        bar.inc(1);
        let size = std::fs::metadata(&path)?.len();
        let line = format!(
            "{device}: {} forests on {} kernel rows ({} backend{}, {}), {size} bytes, {:.1} s -> {}",
            p.forests.list.len(),
            p.meta.kernel_samples,
            p.meta.backend,
            if data.backend_assumed { ", assumed from the device class: --backend sets it" } else { "" },
            source.describe(),
            t.elapsed().as_secs_f64(),
            path.display()
        );
        bar.suspend(|| writeln!(out, "{line}"))?;
        for (metric, w) in &p.meta.whole_model {
            let rounds: Vec<String> = w.history.iter().map(|e| format!("{:.1}%", 100.0 * e)).collect();
            let line = format!(
                "  {}: learned from {} whole models ({} distinct kernels, {} kernel rows as direct targets); \
                 training-model error by round {} (kept round {})",
                metric.name(),
                w.models,
                w.distinct_kernels,
                w.kernel_rows,
                rounds.join(" "),
                w.best + 1
            );
            bar.suspend(|| writeln!(out, "{line}"))?;
        }
    }
    bar.finish_and_clear();
    Ok(ExitCode::SUCCESS)
}
