//! `einf kernels`: the kernel table of a model.

use crate::table::{Table, human};
use anyhow::{Context, bail};
use clap::Args;
use einf_parser::fusion::Rules;
use einf_parser::shape::InputShape;
use einf_parser::{Analysis, analyze, default_backend, load_model};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `einf kernels`.
#[derive(Debug, Args)]
pub struct KernelsArgs {
    /// Model file (.onnx or .tflite).
    pub model: PathBuf,
    /// Fusion rules of this backend: tflite-cpu, tflite-gpu, onnxruntime-cpu, tensorrt
    /// (default: tflite-cpu for TFLite files, onnxruntime-cpu for ONNX).
    #[arg(long)]
    pub backend: Option<String>,
    /// A fusion rules file of your own (TOML, as in parser/rules/); overrides --backend.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Shape of a graph input with dynamic or symbolic dims, e.g. `x=1x3x224x224` (repeatable).
    #[arg(long = "input-shape", value_name = "NAME=DIMS")]
    pub input_shape: Vec<String>,
    /// Print JSON (schema `einf.kernels/1`, see the README) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Fail when any kernel cannot be costed.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(args: &KernelsArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let shapes = args.input_shape.iter().map(|s| s.parse::<InputShape>()).collect::<Result<Vec<_>, _>>()?;
    let graph = load_model(&args.model, &shapes)?;
    let rules = match (&args.rules, &args.backend) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
            Rules::from_toml(&text).with_context(|| format!("{}", path.display()))?
        }
        (None, Some(name)) => Rules::builtin(name)?,
        (None, None) => Rules::builtin(default_backend(&graph))?,
    };
    let analysis = analyze(&graph, &rules).with_context(|| format!("{}", args.model.display()))?;
    if args.strict && analysis.coverage.uncosted_kernels > 0 {
        bail!(
            "{}: {} kernel(s) cannot be costed (unsupported: {}; nodes with unknown shapes: {})",
            args.model.display(),
            analysis.coverage.uncosted_kernels,
            unsupported_list(&analysis),
            analysis.coverage.unknown_shape_nodes
        );
    }
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &analysis)?;
        writeln!(out)?;
    } else {
        print_table(&analysis, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn unsupported_list(a: &Analysis) -> String {
    if a.coverage.unsupported_ops.is_empty() {
        return "none".into();
    }
    a.coverage.unsupported_ops.iter().map(|(k, v)| format!("{k}×{v}")).collect::<Vec<_>>().join(", ")
}

fn print_table(a: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    let inputs: Vec<String> = a
        .inputs
        .iter()
        .map(|i| {
            format!(
                "{} {}[{}]",
                i.name,
                i.dtype,
                i.shape.iter().map(u64::to_string).collect::<Vec<_>>().join("x")
            )
        })
        .collect();
    writeln!(out, "model {} ({}), backend {}, inputs: {}", a.model, a.format, a.backend, inputs.join(", "))?;
    let mut t = Table::new(&[
        "#", "kind", "in HxW", "out HxW", "Cin", "Cout", "k", "s", "g", "MACs", "params", "in B", "out B",
        "weight B",
    ]);
    for (i, k) in a.kernels.iter().enumerate() {
        let f = &k.features;
        let kind = if k.is_costed() { k.kind.to_string() } else { format!("{} (not costed)", k.kind) };
        let cells: Vec<String> = match &k.config {
            Some(c) => vec![
                format!("{}x{}", c.input_h, c.input_w),
                format!("{}x{}", c.output_h, c.output_w),
                c.cin.to_string(),
                c.cout.to_string(),
                format!("{}x{}", c.kernel_h, c.kernel_w),
                format!("{}x{}", c.stride_h, c.stride_w),
                c.groups.to_string(),
            ],
            None => vec!["?".into(); 7],
        };
        let mut row = vec![i.to_string(), kind];
        row.extend(cells);
        row.extend([
            human(f.macs),
            human(f.params),
            human(f.input_bytes),
            human(f.output_bytes),
            human(f.weight_bytes),
        ]);
        t.row(row);
    }
    t.write(out)?;
    let s = &a.totals;
    writeln!(
        out,
        "total: {} kernels, {} MACs, {} FLOPs, {} params, {} weight bytes, {} activation bytes in, {} out",
        a.kernels.len(),
        s.macs,
        s.flops,
        s.params,
        s.weight_bytes,
        s.input_bytes,
        s.output_bytes
    )?;
    let c = &a.coverage;
    writeln!(
        out,
        "coverage: {} nodes ({} folded), {} of {} kernels not costed ({:.1}% of nodes, ~{:.1}% of FLOPs); unsupported: {}; unknown shapes: {} nodes",
        c.nodes,
        c.folded_nodes,
        c.uncosted_kernels,
        c.kernels,
        100.0 * c.uncosted_node_share,
        100.0 * c.uncosted_flops_share,
        unsupported_list(a),
        c.unknown_shape_nodes
    )
}
