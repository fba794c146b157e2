//! `einf arch`: the reference architectures of einf-models: list them with their MACs and
//! parameters, export one (scaled, or as a seeded variant) to ONNX.

use crate::table::{Table, human};
use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use einf_models::arch::{ARCHS, Input, find};
use einf_models::export::{Weights, to_onnx};
use einf_models::summary::summarize;
use einf_models::{ArchOptions, Variant};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `einf arch`.
#[derive(Debug, Args)]
pub struct ArchArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: ArchCommand,
}

/// `einf arch` subcommands.
#[derive(Debug, Subcommand)]
pub enum ArchCommand {
    /// List the architectures with their input, MACs and trainable parameters.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Build one architecture and write it as an ONNX model.
    Export(ExportArgs),
}

/// What the exported weights hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WeightsArg {
    /// Zero-filled: runnable by ONNX runtimes, as large as the real model.
    Zeros,
    /// Shapes and types only: small, readable by einf, not runnable.
    Omitted,
}

impl From<WeightsArg> for Weights {
    fn from(w: WeightsArg) -> Weights {
        match w {
            WeightsArg::Zeros => Weights::Zeros,
            WeightsArg::Omitted => Weights::Omitted,
        }
    }
}

/// Arguments of `einf arch export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Architecture name (see `einf arch list`).
    pub name: String,
    /// Width multiplier applied to every channel count.
    #[arg(long, default_value_t = 1.0)]
    pub width: f64,
    /// Input height in pixels (the width follows in proportion); default: the architecture's.
    #[arg(long)]
    pub resolution: Option<u64>,
    /// Number of classes; default: the architecture's.
    #[arg(long)]
    pub classes: Option<u64>,
    /// Build a seeded variant: each layer's channels and kernel size resampled around the original.
    #[arg(long, value_name = "SEED")]
    pub variant: Option<u64>,
    /// Relative spread of a variant's channel counts.
    #[arg(long, default_value_t = 0.5, requires = "variant")]
    pub channel_spread: f64,
    /// Keep kernel sizes in a variant.
    #[arg(long, requires = "variant")]
    pub keep_kernels: bool,
    /// What the weights hold.
    #[arg(long, value_enum, default_value_t = WeightsArg::Zeros)]
    pub weights: WeightsArg,
    /// Output file.
    #[arg(long)]
    pub out: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Listed {
    name: &'static str,
    family: &'static str,
    input: Vec<u64>,
    classes: u64,
    macs: u64,
    params: u64,
    about: &'static str,
}

#[derive(Serialize)]
struct Exported {
    name: String,
    path: String,
    input: Vec<u64>,
    macs: u64,
    params: u64,
    nodes: usize,
    bytes: usize,
}

fn input_dims(input: Input) -> Vec<u64> {
    match input {
        Input::Image(c, h, w) => vec![1, c, h, w],
        Input::Flat(n) => vec![1, n],
    }
}

pub fn run(args: ArchArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    match args.command {
        ArchCommand::List { json } => list(json, out),
        ArchCommand::Export(a) => export(&a, out),
    }
}

fn list(json: bool, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut rows = Vec::new();
    for a in ARCHS {
        let s = summarize(&a.build(&ArchOptions::default())?);
        rows.push(Listed {
            name: a.name,
            family: a.family,
            input: input_dims(a.input),
            classes: a.classes,
            macs: s.macs,
            params: s.params,
            about: a.about,
        });
    }
    if json {
        serde_json::to_writer_pretty(&mut *out, &rows)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(&["#", "name", "input", "classes", "MACs", "params", "definition"]);
    for (i, r) in rows.iter().enumerate() {
        let dims: Vec<String> = r.input.iter().map(u64::to_string).collect();
        t.row(vec![
            i.to_string(),
            r.name.to_string(),
            dims.join("x"),
            r.classes.to_string(),
            human(r.macs),
            human(r.params),
            r.about.to_string(),
        ]);
    }
    t.write(out)?;
    Ok(ExitCode::SUCCESS)
}

fn export(a: &ExportArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let info = find(&a.name)?;
    let variant = a.variant.map(|seed| Variant {
        seed,
        channel_spread: a.channel_spread,
        resample_kernels: !a.keep_kernels,
    });
    let opts = ArchOptions { width: a.width, resolution: a.resolution, classes: a.classes, variant };
    let graph = info.build(&opts)?;
    let bytes = to_onnx(&graph, a.weights.into())?;
    std::fs::write(&a.out, &bytes).with_context(|| format!("{}", a.out.display()))?;
    let s = summarize(&graph);
    let e = Exported {
        name: a.name.clone(),
        path: a.out.display().to_string(),
        input: graph.tensor(graph.inputs[0]).known_shape().unwrap_or_default(),
        macs: s.macs,
        params: s.params,
        nodes: s.nodes,
        bytes: bytes.len(),
    };
    if a.json {
        serde_json::to_writer_pretty(&mut *out, &e)?;
        writeln!(out)?;
    } else {
        let dims: Vec<String> = e.input.iter().map(u64::to_string).collect();
        writeln!(
            out,
            "{}: input {}, {} MACs, {} params, {} nodes -> {} ({} bytes)",
            e.name,
            dims.join("x"),
            human(e.macs),
            human(e.params),
            e.nodes,
            e.path,
            e.bytes
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
