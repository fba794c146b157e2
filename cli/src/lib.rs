//! The `einf` command line, as a library so that its behaviour can be tested in process.
//!
//! `main` prints errors as one line (`einf: file: node 'x': what is wrong`) and exits non-zero.

mod arch;
mod cascade;
mod data_args;
mod dataset;
mod device_score;
mod devices;
mod dump;
mod errors;
mod evaluate;
mod kernels;
mod measure;
mod nas;
mod predict;
mod predicted;
mod progress;
mod quantity;
mod score;
mod solution;
mod suite;
mod table;
mod train;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::process::ExitCode;

/// Predict how much energy, time and power a neural network spends per inference on an edge device.
#[derive(Debug, Parser)]
#[command(name = "einf", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Split a model (ONNX or TFLite) into the fused kernels a runtime executes, with their
    /// configuration and exact features.
    Kernels(kernels::KernelsArgs),
    /// Reference architectures (ResNet, MobileNet, ... and MLPerf Tiny): list them, export one
    /// (scaled, or as a seeded variant) to ONNX.
    Arch(arch::ArchArgs),
    /// A kernel benchmark suite for a measurement campaign: single-kernel ONNX models sampled
    /// from a prior of real layers, and a manifest `einf dataset import --format csv` reads.
    Suite(suite::SuiteArgs),
    /// The store of measured kernel and model costs per device: import files, list devices,
    /// show one, export.
    Dataset(dataset::DatasetArgs),
    /// Per-inference energy (mJ), latency (ms) and power (mW) from a power-meter trace and the
    /// inferences' start/end times, with mean, std and count; optionally into the store.
    Measure(Box<measure::MeasureArgs>),
    /// Efficiency metrics from an energy per inference: RE and its energy class, M, TE, DLLCE,
    /// lifecycle energy and RELC, with RECgrad given or computed from class probabilities.
    Score(Box<score::ScoreArgs>),
    /// Power of a system running a model at a frame rate (P = P_static + f × Einf), battery
    /// life and the break-even frame rate.
    Solution(Box<solution::SolutionArgs>),
    /// Power of a cascade (a small always-on model gating a medium one), battery life and a
    /// sweep over event rates against running the medium model first.
    Cascade(Box<cascade::CascadeArgs>),
    /// Predict the energy, latency and power of models on devices (bundled or trained).
    Predict(predict::PredictArgs),
    /// Score an architecture search space (NAS-Bench-201, FBNet, a mobile space file) with FLOPs
    /// or a device predictor: CSV/JSONL of every candidate, Pareto front as SVG, Kendall τ
    /// against measured latencies.
    Nas(Box<nas::NasArgs>),
    /// Train a device predictor from the bundled open measurements.
    Train(train::TrainArgs),
    /// Cross-validate einf and two baselines (FLOPs, nn-Meter-style) on the bundled data.
    Evaluate(evaluate::EvaluateArgs),
    /// List the bundled predictors (and predictor files) with their data and accuracy, and a
    /// store's devices with what each has measured (--db).
    Devices(devices::DevicesArgs),
    /// A device's energy and power scores (IES, PS) over a versioned set of reference models,
    /// from a device predictor (predicted) or a CSV of measurements.
    DeviceScore(Box<device_score::DeviceScoreArgs>),
}

/// Run a parsed command line, writing results to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Kernels(args) => kernels::run(&args, out),
        Command::Predict(args) => predict::run(&args, out),
        Command::Nas(args) => nas::run(&args, out),
        Command::Train(args) => train::run(&args, out),
        Command::Evaluate(args) => evaluate::run(&args, out),
        Command::Devices(args) => devices::run(&args, out),
        Command::DeviceScore(args) => device_score::run(&args, out),
        Command::Arch(args) => arch::run(args, out),
        Command::Suite(args) => suite::run(&args, out),
        Command::Dataset(args) => dataset::run(args, out),
        Command::Measure(args) => measure::run(*args, out),
        Command::Score(args) => score::run(&args, out),
        Command::Solution(args) => solution::run(&args, out),
        Command::Cascade(args) => cascade::run(&args, out),
    }
}

/// The binary's entry point: parse arguments, run, print errors on one line.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match run(cli, &mut out) {
        Ok(code) => code,
        // A reader that stops early (`einf kernels m.onnx | head`) is not an error.
        Err(e) if errors::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = out.flush();
            eprintln!("einf: {}", errors::one_line(&e));
            ExitCode::FAILURE
        }
    }
}
