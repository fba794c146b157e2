//! `einf nas`: score a search space (NAS-Bench-201, FBNet, or a mobile space file) with a cost
//! model (FLOPs, a bundled device predictor or a predictor file), write every candidate's score,
//! draw the Pareto front, and rank against measured latencies (`--against`, Kendall τ-b).

mod cost;
mod inputs;
mod plot;
mod rank;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use einf_models::score::{Score, Scorer};
use einf_models::space::mobile::MobileSpace;
use einf_models::space::{Candidate, MAX_ENUMERATE, Space};
use einf_predictor::forests::MetricName;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Arguments of `einf nas`.
#[derive(Debug, Args)]
pub struct NasArgs {
    /// Search space: nb201, fbnet (CIFAR-100 setting, HELP's), fbnet-imagenet, or a mobile space
    /// file (.toml or .json).
    #[arg(long)]
    pub space: String,
    /// Cost model: `flops` (the default), or a bundled predictor's device, its full name or a
    /// unique prefix (pixel4-gpu-tflite-fp16, pixel4, ...; see `einf devices`).
    #[arg(long, visible_alias = "cost")]
    pub device: Option<String>,
    /// Cost model: a predictor file (`einf train --out`) instead of --device.
    #[arg(long, value_name = "FILE")]
    pub predictor: Option<PathBuf>,
    /// Fusion rules of the FLOPs cost model (default tflite-gpu; a predictor brings its own).
    #[arg(long)]
    pub backend: Option<String>,
    /// What a predictor predicts (default latency).
    #[arg(long, value_enum)]
    pub metric: Option<MetricArg>,
    /// CSV of candidate accuracies: a candidate column (arch_str, op_idx_list, candidate or
    /// arch) and an `accuracy` column.
    #[arg(long)]
    pub accuracy: Option<PathBuf>,
    /// Score N candidates drawn with `--seed` instead of the whole space.
    #[arg(long)]
    pub sample: Option<usize>,
    /// Seed of the sample.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Candidates printed: the lowest cost (with accuracies: the Pareto front, lowest cost first).
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Write every candidate's score (.csv or .jsonl).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Draw the Pareto front (cost vs accuracy when given, else cost vs FLOPs) as SVG.
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Score the candidates of a measured table (HELP's nasbench201_latency_ms.csv or
    /// fbnet_latency_ms.csv) and print Kendall τ-b between the cost and each measured column.
    #[arg(long)]
    pub against: Option<PathBuf>,
    /// Columns of `--against` to rank against (default: HELP's measured phones).
    #[arg(long, value_delimiter = ',')]
    pub columns: Option<Vec<String>>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Predicted quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetricArg {
    /// Latency (ms).
    Latency,
    /// Energy (mJ).
    Energy,
}

#[derive(Serialize)]
struct Row<'a> {
    candidate: String,
    cost: f64,
    unit: &'a str,
    flops: u64,
    macs: u64,
    params: u64,
    kernels: usize,
    uncosted_kernels: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    accuracy: Option<f64>,
    pareto: bool,
}

#[derive(Serialize)]
struct Tau {
    column: String,
    pairs: usize,
    kendall_tau_b: Option<f64>,
}

#[derive(Serialize)]
struct Report<'a> {
    space: String,
    cost_model: String,
    unit: &'a str,
    backend: String,
    candidates: usize,
    distinct_kernels: usize,
    total_kernels: u64,
    seconds: f64,
    candidates_per_second: f64,
    pareto: usize,
    top: Vec<Row<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    kendall: Vec<Tau>,
}

fn open_space(name: &str) -> anyhow::Result<Space> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".toml") || lower.ends_with(".json") {
        let text = std::fs::read_to_string(name).with_context(|| format!("search space file {name}"))?;
        let m = if lower.ends_with(".toml") {
            MobileSpace::from_toml(&text, name)?
        } else {
            MobileSpace::from_json(&text, name)?
        };
        return Ok(Space::Mobile(Box::new(m)));
    }
    Ok(Space::named(name)?)
}

fn progress(n: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(n as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} candidates ({per_sec}, eta {eta})")
    {
        bar.set_style(style);
    }
    bar
}

fn write_rows(path: &Path, rows: &[Row<'_>]) -> anyhow::Result<()> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let file = std::fs::File::create(path).with_context(|| format!("{}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    match ext.as_str() {
        "csv" => {
            writeln!(w, "candidate,cost,unit,flops,macs,params,kernels,uncosted_kernels,accuracy,pareto")?;
            for r in rows {
                let acc = r.accuracy.map(|a| a.to_string()).unwrap_or_default();
                writeln!(
                    w,
                    "{},{},{},{},{},{},{},{},{},{}",
                    r.candidate,
                    r.cost,
                    r.unit,
                    r.flops,
                    r.macs,
                    r.params,
                    r.kernels,
                    r.uncosted_kernels,
                    acc,
                    r.pareto
                )?;
            }
        }
        "jsonl" => {
            for r in rows {
                serde_json::to_writer(&mut w, r)?;
                writeln!(w)?;
            }
        }
        _ => bail!("{}: the output must end in .csv or .jsonl", path.display()),
    }
    w.flush().with_context(|| format!("{}", path.display()))?;
    Ok(())
}

pub fn run(args: &NasArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    if let Some(p) = &args.out {
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        if ext != "csv" && ext != "jsonl" {
            bail!("{}: the output must end in .csv or .jsonl", p.display());
        }
    }
    let space = open_space(&args.space)?;
    let metric = args.metric.map(|m| match m {
        MetricArg::Latency => MetricName::Latency,
        MetricArg::Energy => MetricName::Energy,
    });
    let cost =
        cost::cost_model(args.device.as_deref(), args.predictor.as_deref(), args.backend.as_deref(), metric)?;
    let against = match &args.against {
        Some(p) => Some(inputs::read(p, &space, args.columns.as_deref(), &inputs::HELP_PHONES)?),
        None => None,
    };
    let accuracy = match &args.accuracy {
        Some(p) => Some(inputs::read(p, &space, None, &["accuracy", "acc", "top1"])?),
        None => None,
    };
    let candidates: Vec<Candidate> = match (&against, args.sample, &accuracy) {
        (Some(t), _, _) => t.candidates.clone(),
        (None, Some(n), _) => space.sample(n, args.seed),
        (None, None, Some(a)) if space.size() > MAX_ENUMERATE => a.candidates.clone(),
        _ => space.all()?,
    };
    // Accuracy by candidate; without sampling, every candidate it names must be scored.
    let mut acc: HashMap<&Candidate, f64> = HashMap::new();
    if let (Some(a), Some(path)) = (&accuracy, &args.accuracy) {
        let values = a.columns.first().map(|c| c.1.as_slice()).unwrap_or(&[]);
        let scored: std::collections::HashSet<&Candidate> = candidates.iter().collect();
        for (line, (c, &v)) in a.candidates.iter().zip(values).enumerate() {
            if !scored.contains(c) {
                if args.sample.is_some() {
                    continue;
                }
                bail!(
                    "{}, line {}: unknown candidate '{c}': not among the scored candidates",
                    path.display(),
                    line + 2
                );
            }
            if acc.insert(c, v).is_some() {
                bail!("{}, line {}: candidate '{c}' is listed twice", path.display(), line + 2);
            }
        }
    }

    let bar = progress(candidates.len());
    let start = Instant::now();
    let mut scorer = Scorer::new(&space, cost.as_ref())?;
    let mut scores: Vec<Score> = Vec::with_capacity(candidates.len());
    for chunk in candidates.chunks(4096) {
        scores.extend(scorer.score(chunk)?);
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    let seconds = start.elapsed().as_secs_f64();

    let unit = cost.unit();
    let accuracy_of = |c: &Candidate| acc.get(c).copied();
    let points: Vec<(f64, f64)> = if accuracy.is_some() {
        candidates.iter().zip(&scores).map(|(c, s)| (s.cost, accuracy_of(c).unwrap_or(f64::NAN))).collect()
    } else {
        scores.iter().map(|s| (s.flops as f64, s.cost)).collect()
    };
    let front = rank::pareto_front(&points, accuracy.is_some());
    let mut on_front = vec![false; candidates.len()];
    for &i in &front {
        on_front[i] = true;
    }
    let row = |i: usize| {
        let s = &scores[i];
        Row {
            candidate: candidates[i].to_string(),
            cost: s.cost,
            unit: &unit,
            flops: s.flops,
            macs: s.macs,
            params: s.params,
            kernels: s.kernels,
            uncosted_kernels: s.uncosted,
            accuracy: accuracy_of(&candidates[i]),
            pareto: on_front[i],
        }
    };
    if let Some(p) = &args.out {
        let rows: Vec<Row<'_>> = (0..candidates.len()).map(row).collect();
        write_rows(p, &rows)?;
    }
    if let Some(p) = &args.plot {
        let (title, xt, yt) = if accuracy.is_some() {
            (
                format!("{}: {} vs accuracy", space.name(), cost.name()),
                format!("{} ({unit})", cost.name()),
                "accuracy".to_string(),
            )
        } else {
            (
                format!("{}: {} vs FLOPs", space.name(), cost.name()),
                "FLOPs".to_string(),
                format!("{} ({unit})", cost.name()),
            )
        };
        std::fs::write(p, plot::pareto_svg(&title, &xt, &yt, &points, &front))
            .with_context(|| format!("{}", p.display()))?;
    }
    let top_idx: Vec<usize> = if accuracy.is_some() {
        front.iter().copied().take(args.top).collect()
    } else {
        let mut idx: Vec<usize> = (0..candidates.len()).collect();
        idx.sort_by(|&a, &b| scores[a].cost.total_cmp(&scores[b].cost));
        idx.truncate(args.top);
        idx
    };
    let kendall: Vec<Tau> = match &against {
        Some(t) => {
            let predicted: Vec<f64> = scores.iter().map(|s| s.cost).collect();
            t.columns
                .iter()
                .map(|(name, measured)| Tau {
                    column: name.clone(),
                    pairs: measured.iter().filter(|v| !v.is_nan()).count(),
                    kendall_tau_b: rank::kendall_tau_b(&predicted, measured),
                })
                .collect()
        }
        None => Vec::new(),
    };
    let report = Report {
        space: space.name(),
        cost_model: cost.name(),
        unit: &unit,
        backend: cost.rules().backend.clone(),
        candidates: candidates.len(),
        distinct_kernels: scorer.distinct_kernels(),
        total_kernels: scorer.total_kernels(),
        seconds,
        candidates_per_second: candidates.len() as f64 / seconds.max(1e-9),
        pareto: front.len(),
        top: top_idx.iter().map(|&i| row(i)).collect(),
        kendall,
    };
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{}: {} candidates scored with {} ({} rules) in {:.2} s ({:.0} candidates/s); {} distinct kernels of {}",
        report.space,
        report.candidates,
        report.cost_model,
        report.backend,
        report.seconds,
        report.candidates_per_second,
        report.distinct_kernels,
        report.total_kernels
    )?;
    let mut table =
        crate::table::Table::new(&["#", "candidate", "cost", "unit", "MFLOPs", "params", "accuracy"]);
    for (n, r) in report.top.iter().enumerate() {
        table.row(vec![
            (n + 1).to_string(),
            r.candidate.clone(),
            format!("{:.4}", r.cost),
            r.unit.to_string(),
            format!("{:.2}", r.flops as f64 / 1e6),
            r.params.to_string(),
            r.accuracy.map(|a| format!("{a}")).unwrap_or_else(|| "-".into()),
        ]);
    }
    table.write(out)?;
    writeln!(out, "Pareto front: {} candidates", report.pareto)?;
    if !report.kendall.is_empty() {
        writeln!(out, "Kendall tau-b between {} and measured latency:", report.cost_model)?;
        let mut t = crate::table::Table::new(&["column", "pairs", "tau_b"]);
        for k in &report.kendall {
            t.row(vec![
                k.column.clone(),
                k.pairs.to_string(),
                k.kendall_tau_b.map(|v| format!("{v:.4}")).unwrap_or_else(|| "-".into()),
            ]);
        }
        t.write(out)?;
    }
    Ok(ExitCode::SUCCESS)
}
