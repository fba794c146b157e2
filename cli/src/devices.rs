//! `einf devices`: the bundled predictors and user predictor files, with their data and accuracy.

use crate::predict::predictors;
use crate::table::Table;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `einf devices`.
#[derive(Debug, clap::Args)]
pub struct DevicesArgs {
    /// Also list these predictor files.
    #[arg(long, value_name = "FILE")]
    pub predictor: Vec<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &DevicesArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let mut ps = predictors(&[], &[])?;
    if !args.predictor.is_empty() {
        ps.extend(predictors(&[], &args.predictor)?);
    }
    if args.json {
        let metas: Vec<_> = ps.iter().map(|p| &p.meta).collect();
        serde_json::to_writer_pretty(&mut *out, &metas)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(&[
        "device",
        "runtime",
        "metrics",
        "kernels",
        "kernel ±10% (k-fold)",
        "kernel ±10% (held-out models)",
        "model ±10% (leave-models-out)",
        "end-to-end ±10% (calibrated)",
        "data sha256",
    ]);
    let pct = |m: &std::collections::BTreeMap<_, einf_predictor::scores::Scores>| {
        m.iter()
            .map(|(k, s): (&einf_predictor::forests::MetricName, _)| {
                format!("{} {:.1}%", k.name(), 100.0 * s.within10)
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    for p in &ps {
        let e = p.meta.evaluation.as_ref();
        t.row(vec![
            p.name().to_string(),
            p.meta.device.runtime.clone().unwrap_or_default(),
            p.forests.metrics().iter().map(|m| m.name()).collect::<Vec<_>>().join(","),
            p.meta.kernel_samples.to_string(),
            e.map_or("-".into(), |e| pct(&e.kernel_cv)),
            e.map_or("-".into(), |e| pct(&e.model_cv_kernels)),
            e.map_or("-".into(), |e| pct(&e.model_cv)),
            e.map_or("-".into(), |e| pct(&e.end_to_end)),
            p.meta.training_sha256.get(..12).unwrap_or_default().to_string(),
        ]);
    }
    t.write(out)?;
    Ok(ExitCode::SUCCESS)
}
