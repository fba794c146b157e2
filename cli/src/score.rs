//! `einf score`: the efficiency metrics of a model from its energy per inference (RE, energy
//! class, M, TE, DLLCE, lifecycle energy, RELC), with RECgrad given or computed from per-case
//! class probabilities.

use crate::predicted::{PredictedEnergy, energy_of, one_predictor, predict_file};
use crate::quantity::{energy, energy_text, num, optional, write_plot, write_rows};
use anyhow::{Context, Result, bail};
use clap::Args;
use einf_parser::shape::InputShape;
use einf_parser::units::Energy;
use einf_scoring::plot::relc_vs_uses;
use einf_scoring::{
    EnergyClass, GradientParams, ProbsOptions, RecGrad, Task, WholeSystemFactor, break_even_uses,
    energy_precision_ratio, lifecycle_efficiency, lifecycle_energy, lifecycle_recognition_efficiency,
    read_probabilities, recognition_efficiency, training_efficiency,
};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `einf score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Energy per inference, with a unit: 12.5mJ, 300uJ, 1.2J.
    #[arg(long, value_name = "ENERGY", required_unless_present = "model", conflicts_with = "model")]
    pub einf: Option<String>,
    /// Predict Einf of this model file (.onnx, .tflite) instead, with --device or --predictor (a
    /// predictor with energy regressors; the calibrated whole-model energy when it has one).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Bundled device for --model, its full name or a unique prefix (see `einf devices`).
    #[arg(long, requires = "model", conflicts_with = "predictor")]
    pub device: Option<String>,
    /// Predictor file for --model.
    #[arg(long, value_name = "FILE", requires = "model")]
    pub predictor: Option<PathBuf>,
    /// Shape of a graph input of --model with dynamic dims, e.g. `x=1x3x224x224` (repeatable).
    #[arg(long = "input-shape", value_name = "NAME=DIMS", requires = "model")]
    pub input_shape: Vec<String>,
    /// Recognition gradient RECgrad, in [-3, 1] (with --classes).
    #[arg(long, requires = "classes", conflicts_with = "probs", required_unless_present = "probs")]
    pub recgrad: Option<f64>,
    /// Per-case class probabilities to compute RECgrad from (CSV: `label,p0,p1,...` or
    /// `label,class:p,...` with --classes; labels from 0).
    #[arg(long, value_name = "FILE")]
    pub probs: Option<PathBuf>,
    /// Number of classes Cl (read from a file of full probability rows when not given).
    #[arg(long)]
    pub classes: Option<u64>,
    /// Miss penalty k in [1, 3]: a case's negative gradient is multiplied by it.
    #[arg(long, default_value_t = 1.0, value_name = "K", requires = "probs")]
    pub miss_penalty: f64,
    /// Top-N variant of the gradient (compares the true class with the N-th most likely other).
    #[arg(long, default_value_t = 1, value_name = "N", requires = "probs")]
    pub top: usize,
    /// Training energy, with a unit: 3kJ, 1.2MJ, 5kWh.
    #[arg(long, value_name = "ENERGY")]
    pub etrain: Option<String>,
    /// Number of uses F (inferences over the model's life), for DLLCE, lifecycle energy and RELC.
    #[arg(long, requires = "etrain")]
    pub uses: Option<f64>,
    /// Error rate as a fraction, for the energy-precision ratio M = Error^α × Einf.
    #[arg(long, value_name = "FRACTION")]
    pub error_rate: Option<f64>,
    /// α of M (the paper uses 1 or 4).
    #[arg(long, default_value_t = 1.0, requires = "error_rate")]
    pub alpha: f64,
    /// Scale Einf (a baselined measurement) to whole-system energy: `single` (2.5, a device
    /// running one task) or a factor in [1, 10] (1.5–2 with other load).
    #[arg(long, value_name = "FACTOR")]
    pub system_factor: Option<String>,
    /// Print JSON (schema `einf.score/1`) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Write the RELC-vs-uses curve as SVG (needs --etrain).
    #[arg(long, value_name = "FILE.svg", requires = "etrain")]
    pub plot: Option<PathBuf>,
}

/// The scores, as `--json` prints them (energies in mJ, Etrain in kJ).
#[derive(Debug, Serialize)]
struct Report {
    schema: &'static str,
    einf_mj: f64,
    /// Where Einf came from when it was predicted (`--model`).
    predicted: Option<PredictedEnergy>,
    system_factor: Option<f64>,
    baselined_einf_mj: Option<f64>,
    recgrad: f64,
    recgrad_std: Option<f64>,
    cases: Option<u64>,
    probs: Option<String>,
    miss_penalty: Option<f64>,
    top_n: Option<usize>,
    classes: u64,
    re: f64,
    energy_class: EnergyClass,
    error_rate: Option<f64>,
    alpha: Option<f64>,
    energy_precision_ratio_mj: Option<f64>,
    etrain_kj: Option<f64>,
    te: Option<f64>,
    break_even_uses: Option<f64>,
    uses: Option<f64>,
    dllce: Option<f64>,
    lifecycle_energy_mj: Option<f64>,
    relc: Option<f64>,
    relc_energy_class: Option<EnergyClass>,
    warnings: Vec<String>,
}

/// RECgrad, classes and the statistics of the file it came from.
fn task(args: &ScoreArgs) -> Result<(Task, Option<RecGrad>)> {
    match (&args.probs, args.recgrad) {
        (Some(path), _) => {
            let params = GradientParams::new(args.miss_penalty, args.top)?;
            let r = read_probabilities(path, ProbsOptions { params, classes: args.classes })?;
            let Some(classes) = args.classes.or(r.classes) else {
                bail!("{}: the number of classes is unknown; give --classes", path.display());
            };
            let task = Task::new(r.mean, classes).with_context(|| format!("{}", path.display()))?;
            Ok((task, Some(r)))
        }
        (None, Some(g)) => {
            let Some(classes) = args.classes else { bail!("--recgrad needs --classes") };
            Ok((Task::new(g, classes)?, None))
        }
        (None, None) => bail!("give --recgrad with --classes, or --probs FILE"),
    }
}

/// Einf from --einf, or predicted from --model on --device/--predictor.
fn einf_given(args: &ScoreArgs) -> Result<(Energy, Option<PredictedEnergy>)> {
    match (&args.einf, &args.model) {
        (Some(text), None) => Ok((energy("einf", text)?, None)),
        (None, Some(model)) => {
            let p = one_predictor(args.device.as_deref(), args.predictor.as_ref())?;
            let shapes =
                args.input_shape.iter().map(|s| s.parse::<InputShape>()).collect::<Result<Vec<_>, _>>()?;
            let e = energy_of(&predict_file(model, &p, &shapes)?)?;
            Ok((e.energy(), Some(e)))
        }
        _ => bail!("give --einf ENERGY, or --model FILE with --device"),
    }
}

pub fn run(args: &ScoreArgs, out: &mut dyn Write) -> Result<ExitCode> {
    let (measured, predicted) = einf_given(args)?;
    let factor = args.system_factor.as_deref().map(str::parse::<WholeSystemFactor>).transpose()?;
    let einf = match factor {
        Some(f) => f.apply(measured)?,
        None => measured,
    };
    let etrain = optional("etrain", args.etrain.as_deref(), energy)?;
    let (task, stats) = task(args)?;
    let mut warnings = Vec::new();
    if let Some(w) = stats.and_then(|s| s.warning()) {
        warnings.push(w);
    }

    let re = recognition_efficiency(&task, einf)?;
    let m = args.error_rate.map(|e| energy_precision_ratio(e, args.alpha, einf)).transpose()?;
    let te = etrain.map(|t| training_efficiency(&task, t)).transpose()?;
    let half = etrain.map(|t| break_even_uses(einf, t)).transpose()?;
    let (dllce, elc, relc) = match (etrain, args.uses) {
        (Some(t), Some(f)) => (
            Some(lifecycle_efficiency(einf, t, f)?),
            Some(lifecycle_energy(einf, t, f)?),
            Some(lifecycle_recognition_efficiency(&task, einf, t, f)?),
        ),
        _ => (None, None, None),
    };
    if let (Some(path), Some(t)) = (&args.plot, etrain) {
        write_plot(path, &relc_vs_uses(&task, einf, t, args.uses)?)?;
    }

    let report = Report {
        schema: "einf.score/1",
        einf_mj: einf.as_millijoules(),
        predicted,
        system_factor: factor.map(WholeSystemFactor::value),
        baselined_einf_mj: factor.map(|_| measured.as_millijoules()),
        recgrad: task.recgrad(),
        recgrad_std: stats.map(|s| s.std),
        cases: stats.map(|s| s.count),
        probs: args.probs.as_ref().map(|p| p.display().to_string()),
        miss_penalty: args.probs.as_ref().map(|_| args.miss_penalty),
        top_n: args.probs.as_ref().map(|_| args.top),
        classes: task.classes(),
        re,
        energy_class: EnergyClass::of(re),
        error_rate: args.error_rate,
        alpha: args.error_rate.map(|_| args.alpha),
        energy_precision_ratio_mj: m.map(|m| m.as_millijoules()),
        etrain_kj: etrain.map(|t| t.as_kilojoules()),
        te,
        break_even_uses: half,
        uses: args.uses,
        dllce,
        lifecycle_energy_mj: elc.map(|e| e.as_millijoules()),
        relc,
        relc_energy_class: relc.map(EnergyClass::of),
        warnings,
    };
    for w in &report.warnings {
        eprintln!("einf: warning: {w}");
    }
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        write_rows(out, &rows(&report, einf, m, elc))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn rows(
    r: &Report,
    einf: einf_parser::units::Energy,
    m: Option<einf_parser::units::Energy>,
    elc: Option<einf_parser::units::Energy>,
) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    let mut row = |k: &str, v: String| rows.push((k.to_string(), v));
    let einf_note = match (r.system_factor, r.baselined_einf_mj) {
        (Some(f), Some(b)) => format!(" (baselined {} mJ × whole-system factor {})", num(b), num(f)),
        _ => String::new(),
    };
    row("Einf", format!("{}{einf_note}", energy_text(einf)));
    if let Some(p) = &r.predicted {
        let mut source = format!(
            "predicted for {} on {} ({}; trees 10-90%: {} - {} mJ)",
            p.model,
            p.device,
            p.basis,
            num(p.interval_mj[0]),
            num(p.interval_mj[1])
        );
        if p.uncovered_flops_share > 0.0 {
            source.push_str(&format!(
                "; {:.1}% of FLOPs in kernels without a regressor, not counted",
                100.0 * p.uncovered_flops_share
            ));
        }
        row("Einf source", source);
    }
    let recgrad = match (&r.probs, r.recgrad_std, r.cases) {
        (Some(p), Some(sd), Some(n)) => format!("{} (std {}, {n} cases of {p})", num(r.recgrad), num(sd)),
        _ => num(r.recgrad),
    };
    row("RECgrad", recgrad);
    row("classes Cl", r.classes.to_string());
    row("RE = RECgrad·Cl/√(Einf/mJ)", format!("{} /√mJ, energy class {}", num(r.re), r.energy_class));
    if let (Some(m), Some(e), Some(a)) = (m, r.error_rate, r.alpha) {
        row("M = Error^α·Einf", format!("{} (Error {}, α {})", energy_text(m), num(e), num(a)));
    }
    if let (Some(t), Some(te)) = (r.etrain_kj, r.te) {
        row("Etrain", format!("{} kJ", num(t)));
        row("TE = (RECgrad·Cl)²/√(Etrain/kJ)", format!("{} /√kJ", num(te)));
    }
    if let Some(h) = r.break_even_uses {
        row("F½ = Etrain/Einf", format!("{} uses (inference energy = training energy)", num(h)));
    }
    if let (Some(f), Some(d), Some(e), Some(relc), Some(c)) =
        (r.uses, r.dllce, elc, r.relc, r.relc_energy_class)
    {
        row("uses F", num(f));
        row("DLLCE = 1/(Etrain/(Einf·F)+1)", num(d));
        row("E_LC = Etrain + F·Einf", energy_text(e));
        row("RELC", format!("{} /√mJ, energy class {c}", num(relc)));
    }
    rows
}
