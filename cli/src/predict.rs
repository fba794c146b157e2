//! `einf predict`: energy, latency and power of models on devices, from bundled or user predictors.

use crate::table::{Table, human};
use anyhow::Context;
use einf_parser::shape::InputShape;
use einf_parser::{analyze, fusion::Rules};
use einf_predictor::PredictorError;
use einf_predictor::model::{ModelPrediction, PowerBasis, predict_model};
use einf_predictor::predictor::DevicePredictor;
use einf_predictor::{bundled, format};
use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `einf predict`.
#[derive(Debug, clap::Args)]
pub struct PredictArgs {
    /// Model files (.onnx or .tflite).
    #[arg(required = true)]
    pub models: Vec<PathBuf>,
    /// A bundled device, its full name or a unique prefix (`pixel4`; repeatable; see `einf
    /// devices`). Default: every bundled device, unless --predictor is given.
    #[arg(long)]
    pub device: Vec<String>,
    /// A predictor file trained with `einf train` (repeatable).
    #[arg(long, value_name = "FILE")]
    pub predictor: Vec<PathBuf>,
    /// Fusion rules to split the model with (default: the predictor's backend).
    #[arg(long)]
    pub backend: Option<String>,
    /// Print JSON (an array of predictions) instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Fail when a kernel kind has no regressor instead of listing it.
    #[arg(long)]
    pub strict: bool,
    /// Shape of a graph input with dynamic or symbolic dims, e.g. `x=1x3x224x224` (repeatable).
    #[arg(long = "input-shape", value_name = "NAME=DIMS")]
    pub input_shape: Vec<String>,
    /// Write the per-kernel breakdown (one panel per model, device and metric) as SVG.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
}

/// A bundled predictor (decoded once per process) or one read from a file.
pub type Loaded = Cow<'static, DevicePredictor>;

/// The predictors asked for: bundled devices by name, then files; decoded on as many threads as
/// there are predictors (each takes a few milliseconds).
pub fn predictors(devices: &[String], files: &[PathBuf]) -> anyhow::Result<Vec<Loaded>> {
    let all_bundled = devices.is_empty() && files.is_empty();
    // Full names or unique prefixes; unknown and ambiguous names fail before any decoding.
    let names: Vec<&str> = if all_bundled {
        bundled::names()
    } else {
        devices.iter().map(|d| bundled::resolve(d)).collect::<Result<_, _>>()?
    };
    std::thread::scope(|scope| {
        let bundled: Vec<_> =
            names.iter().map(|d| scope.spawn(move || bundled::get(d).map(Cow::Borrowed))).collect();
        let files: Vec<_> =
            files.iter().map(|f| scope.spawn(move || format::load(f).map(Cow::Owned))).collect();
        bundled
            .into_iter()
            .chain(files)
            .map(|h| match h.join() {
                Ok(r) => r.map_err(anyhow::Error::new),
                Err(_) => Err(anyhow::anyhow!("a thread decoding a predictor failed")),
            })
            .collect()
    })
}

fn fmt(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.1}")
    } else if v >= 1.0 {
        format!("{v:.3}")
    } else {
        format!("{v:.4}")
    }
}

pub fn run(args: &PredictArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let preds = predictors(&args.device, &args.predictor)?;
    let shapes = args.input_shape.iter().map(|s| s.parse::<InputShape>()).collect::<Result<Vec<_>, _>>()?;
    let comparison = preds.len() * args.models.len() > 1;
    let mut results: Vec<ModelPrediction> = Vec::new();
    for model in &args.models {
        let (graph, assumed) = crate::predicted::load_for_prediction(model, &shapes)?;
        let name = model.file_stem().and_then(|s| s.to_str()).unwrap_or("model").to_string();
        for p in &preds {
            let backend = args.backend.clone().unwrap_or_else(|| p.meta.backend.clone());
            let analysis = analyze(&graph, &Rules::builtin(&backend)?)?;
            match predict_model(p, &name, &analysis.kernels, args.strict) {
                Ok(mut r) => {
                    r.assumed_input_shapes = assumed.clone();
                    results.push(r);
                }
                // In a comparison, a device that covers none of a model's kernels (an MLP on a
                // convolution-only predictor) is reported and skipped.
                Err(e @ PredictorError::NothingCovered { .. }) if comparison => {
                    eprintln!("einf: warning: {}: {e}", model.display());
                }
                Err(e) => return Err(anyhow::Error::new(e).context(format!("{}", model.display()))),
            }
        }
    }
    anyhow::ensure!(!results.is_empty(), "no model could be predicted on the devices asked for");
    if let Some(path) = &args.plot {
        let svg = einf_predictor::plot::breakdown(&results)?;
        std::fs::write(path, svg).with_context(|| format!("writing {}", path.display()))?;
    }
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &results)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if results.len() == 1 {
        write_one(&results[0], out)?;
    } else {
        write_comparison(&results, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_one(r: &ModelPrediction, out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(out, "{} on {}", r.model, r.device)?;
    for a in &r.assumed_input_shapes {
        writeln!(
            out,
            "  input    {a} (assumed: the model has a dynamic resolution; set it with --input-shape)"
        )?;
    }
    for t in &r.totals {
        write!(
            out,
            "  {:8} {} {} (trees 10-90%: {} - {})",
            t.metric.name(),
            fmt(t.value),
            t.unit,
            fmt(t.low),
            fmt(t.high)
        )?;
        if let Some(c) = t.calibrated {
            write!(
                out,
                "; whole model, calibrated: {} {} ({} - {})",
                fmt(c[0]),
                t.unit,
                fmt(c[1]),
                fmt(c[2])
            )?;
        }
        writeln!(out)?;
    }
    if let (Some(p), Some(basis)) = (r.power_mw, r.power_basis) {
        write!(out, "  power    {} mW ({}", fmt(p), basis.describe())?;
        if basis == PowerBasis::KernelSum && r.totals.iter().any(|t| t.calibrated.is_some()) {
            write!(out, "; not the calibrated energy: latency has no whole-model calibration")?;
        }
        writeln!(out, ")")?;
    }
    let covered = r.kernels.iter().filter(|k| !k.values.is_empty()).count();
    writeln!(
        out,
        "  coverage {covered}/{} kernels predicted ({} by a base-operator forest); {:.1}% of FLOPs uncovered",
        r.kernels.len(),
        r.fallback_kernels,
        100.0 * r.uncovered_flops_share
    )?;
    for u in &r.uncovered {
        writeln!(
            out,
            "    no regressor: {} x{} ({:.1}% of FLOPs)",
            u.kind,
            u.kernels,
            100.0 * u.flops_share
        )?;
    }
    writeln!(out)?;
    let metrics: Vec<_> = r.totals.iter().map(|t| t.metric).collect();
    let mut head = vec!["#".to_string(), "kernel".to_string(), "kind".to_string(), "FLOPs".to_string()];
    head.extend(metrics.iter().map(|m| format!("{} ({})", m.name(), m.unit())));
    let head_refs: Vec<&str> = head.iter().map(String::as_str).collect();
    let mut table = Table::new(&head_refs);
    for (i, k) in r.kernels.iter().enumerate() {
        let name = if k.name.chars().count() > 48 {
            format!("{}...", k.name.chars().take(45).collect::<String>())
        } else {
            k.name.clone()
        };
        let mut row = vec![
            i.to_string(),
            name,
            format!("{}{}", k.kind, if k.fallback { "*" } else { "" }),
            human(k.flops),
        ];
        row.extend(metrics.iter().map(|m| k.values.get(m).map_or("-".to_string(), |v| fmt(*v))));
        table.row(row);
    }
    table.write(out)?;
    writeln!(out, "(* predicted by the forest of its base operator; - no regressor for the kind)")?;
    Ok(())
}

fn write_comparison(rs: &[ModelPrediction], out: &mut dyn Write) -> anyhow::Result<()> {
    let mut table =
        Table::new(&["model", "device", "metric", "kernel sum", "10-90%", "calibrated", "uncovered FLOPs"]);
    let mut assumed = false;
    for r in rs {
        let mark = if r.assumed_input_shapes.is_empty() { "" } else { "†" };
        assumed |= !mark.is_empty();
        for t in &r.totals {
            table.row(vec![
                format!("{}{mark}", r.model),
                r.device.clone(),
                format!("{} ({})", t.metric.name(), t.unit),
                fmt(t.value),
                format!("{} - {}", fmt(t.low), fmt(t.high)),
                t.calibrated.map_or("-".into(), |c| fmt(c[0])),
                format!("{:.1}%", 100.0 * r.uncovered_flops_share),
            ]);
        }
        // Power is not a sum: it stands in the column of what it divides (or averages).
        if let (Some(p), Some(basis)) = (r.power_mw, r.power_basis) {
            let calibrated = basis == PowerBasis::Calibrated;
            table.row(vec![
                format!("{}{mark}", r.model),
                r.device.clone(),
                "power (mW)".into(),
                if calibrated { "-".into() } else { fmt(p) },
                "-".into(),
                if calibrated { fmt(p) } else { "-".into() },
                format!("{:.1}%", 100.0 * r.uncovered_flops_share),
            ]);
        }
    }
    table.write(out)?;
    if rs.iter().any(|r| r.power_mw.is_some()) {
        writeln!(
            out,
            "(power: energy / latency of the same column, or measured kernel power averaged over time; `--device D` names its basis)"
        )?;
    }
    if assumed {
        writeln!(
            out,
            "(† at an assumed input resolution: the model's is dynamic; set it with --input-shape)"
        )?;
    }
    Ok(())
}
