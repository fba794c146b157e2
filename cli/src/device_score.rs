//! `einf device-score`: a device's energy score (IES) and power score (PS) over a fixed, versioned
//! reference set of models (einf_scoring::device_score), from energies and powers predicted by a
//! device predictor, or measured and given as CSV.

use crate::predicted::{energy_of, one_predictor, predict_file};
use crate::quantity::num;
use crate::table::Table;
use anyhow::{Context, Result, bail};
use einf_scoring::device_score::{REFERENCE_SETS, parse_model_costs};
use einf_scoring::{DeviceScore, ModelCost, device_score, reference_set};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The checkout's fixture models, where the reference sets' files are.
const DEFAULT_MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/models");

/// Arguments of `einf device-score`.
#[derive(Debug, clap::Args)]
pub struct DeviceScoreArgs {
    /// Reference set, `name/version` (see --list).
    #[arg(long, default_value = "einf-mobile/1")]
    pub set: String,
    /// A bundled device (its full name or a unique prefix) whose predictor gives each model's
    /// energy and power (predicted, not measured; the calibrated whole-model energy when the
    /// device has a calibration).
    #[arg(long)]
    pub device: Option<String>,
    /// A predictor file (`einf train --out`, any device) instead of a bundled device.
    #[arg(long, value_name = "FILE")]
    pub predictor: Option<PathBuf>,
    /// Measured costs instead: CSV rows `model,energy,power` with units (`ad01_int8,416uJ,40mW`).
    #[arg(long, value_name = "FILE.csv")]
    pub costs: Option<PathBuf>,
    /// Folder holding the reference models' files, for predicted costs (default: the checkout's
    /// tests/fixtures/models).
    #[arg(long, value_name = "DIR")]
    pub models_dir: Option<PathBuf>,
    /// List the reference sets and their models.
    #[arg(long)]
    pub list: bool,
    /// Print JSON (schema `einf.device-score/1`).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Serialize)]
struct Row {
    model: String,
    energy_mj: f64,
    power_mw: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    schema: &'static str,
    /// `predicted by <device>` or `measured (<file>)`.
    source: String,
    predicted: bool,
    score: DeviceScore,
    models: Vec<Row>,
}

fn list(out: &mut dyn Write) -> Result<ExitCode> {
    let mut t = Table::new(&["set", "model", "file", "input", "task"]);
    for s in REFERENCE_SETS {
        for m in s.models {
            t.row(vec![s.name.into(), m.name.into(), m.file.into(), m.input.into(), m.task.into()]);
        }
    }
    t.write(out)?;
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: &DeviceScoreArgs, out: &mut dyn Write) -> Result<ExitCode> {
    if args.list {
        return list(out);
    }
    let set = reference_set(&args.set)?;
    let (source, predicted, costs) = match (&args.costs, &args.device, &args.predictor) {
        (Some(path), None, None) => {
            if let Some(dir) = &args.models_dir {
                bail!(
                    "--models-dir {} is where predicted costs find their models; --costs {} gives \
                     measured ones",
                    dir.display(),
                    path.display()
                );
            }
            let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
            let costs = parse_model_costs(&text, &path.display().to_string())?;
            (format!("measured ({})", path.display()), false, costs)
        }
        (None, device, file) if device.is_some() != file.is_some() => {
            let p = one_predictor(device.as_deref(), file.as_ref())?;
            let dir = args.models_dir.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_MODELS));
            let mut costs = Vec::new();
            for m in set.models {
                let path = dir.join(m.file);
                let e = energy_of(&predict_file(&path, &p, &[])?)?;
                let Some(power) = e.power() else {
                    bail!("{}: device {} predicts no latency, so no power", m.name, p.name());
                };
                costs.push(ModelCost { model: m.name.to_string(), energy: e.energy(), power });
            }
            (format!("predicted by {}", p.name()), true, costs)
        }
        (None, None, None) => {
            bail!("give --device D (or --predictor FILE) to predict the costs, or --costs FILE.csv")
        }
        _ => bail!("--costs, --device and --predictor each give the costs: give one of them"),
    };
    let score = device_score(set, &costs)?;
    let models: Vec<Row> = costs
        .iter()
        .map(|c| Row {
            model: c.model.clone(),
            energy_mj: c.energy.as_millijoules(),
            power_mw: c.power.as_milliwatts(),
        })
        .collect();
    let report = Report { schema: "einf.device-score/1", source, predicted, score, models };
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    write_table(&report, out)?;
    Ok(ExitCode::SUCCESS)
}

fn write_table(r: &Report, out: &mut dyn Write) -> Result<()> {
    writeln!(out, "device score on {} ({} models), {}", r.score.set, r.score.models, r.source)?;
    let mut t = Table::new(&["model", "energy (mJ)", "power (mW)"]);
    for m in &r.models {
        t.row(vec![m.model.clone(), num(m.energy_mj), num(m.power_mw)]);
    }
    t.write(out)?;
    let s = &r.score;
    writeln!(
        out,
        "energy score IES = 1000 / GM(E/mJ) = {} (geometric-mean energy {} mJ)",
        num(s.energy_score),
        num(s.geomean_energy_mj)
    )?;
    writeln!(
        out,
        "power score  PS  = 1000 / GM(P/mW) = {} (geometric-mean power {} mW)",
        num(s.power_score),
        num(s.geomean_power_mw)
    )?;
    if r.predicted {
        writeln!(out, "(predicted costs, not measurements: see the predictor's accuracy in `einf devices`)")?;
    }
    Ok(())
}
