//! `einf devices`: the bundled predictors and user predictor files, with their data and accuracy;
//! with `--db`, also a store's devices and what each has measured (kernel and model rows per
//! metric).

use crate::predict::predictors;
use crate::table::Table;
use einf_dataset::batch::{Device, Metric};
use einf_dataset::store::Store;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// JSON schema of `einf devices --db STORE --json` (without `--db` the JSON stays the array of
/// predictor metadata it always was).
const SCHEMA: &str = "einf.devices/1";

/// Arguments of `einf devices`.
#[derive(Debug, clap::Args)]
pub struct DevicesArgs {
    /// Also list these predictor files.
    #[arg(long, value_name = "FILE")]
    pub predictor: Vec<PathBuf>,
    /// Also list the devices of this store (`einf dataset import`), with their kernel and model
    /// rows per metric.
    #[arg(long, value_name = "STORE")]
    pub db: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// What a store holds for one device and metric.
#[derive(Debug, Default, Serialize)]
struct MetricRows {
    /// Kernel measurements (every run of every kernel).
    kernel_rows: u64,
    /// Distinct kernels measured.
    kernels: u64,
    /// Kernel kinds measured.
    kinds: u64,
    /// Whole-model measurements.
    model_rows: u64,
    /// Distinct models measured whole.
    models: u64,
}

/// A device of the store.
#[derive(Debug, Serialize)]
struct StoreDevice {
    #[serde(flatten)]
    device: Device,
    /// Measurements on it, all metrics.
    measurements: u64,
    /// Whether einf bundles a predictor of this name.
    bundled_predictor: bool,
    /// Metric → what was measured.
    metrics: BTreeMap<Metric, MetricRows>,
}

#[derive(Debug, Serialize)]
struct StoreReport<'a> {
    db: &'a Path,
    devices: Vec<StoreDevice>,
}

#[derive(Serialize)]
struct Report<'a> {
    schema: &'static str,
    predictors: Vec<&'a einf_predictor::predictor::Meta>,
    store: StoreReport<'a>,
}

/// The store's devices with their rows per metric; a path that is not a store is the store's
/// own error ([`einf_dataset::store::StoreError::NoStore`], `NotAStore`, ...).
fn store_devices(db: &Path) -> anyhow::Result<Vec<StoreDevice>> {
    let store = Store::open_existing(db)?;
    let bundled = einf_predictor::bundled::names();
    let mut out = Vec::new();
    for summary in store.devices()? {
        let report = store.show(&summary.device.name)?;
        let mut metrics: BTreeMap<Metric, MetricRows> =
            summary.metrics.iter().map(|m| (*m, MetricRows::default())).collect();
        for k in &report.kernels {
            let m = metrics.entry(k.metric).or_default();
            m.kernel_rows += k.measurements;
            m.kernels += k.kernels;
            m.kinds += 1;
        }
        for s in &report.models {
            let m = metrics.entry(s.metric).or_default();
            m.model_rows += s.measurements;
            m.models += s.models;
        }
        out.push(StoreDevice {
            bundled_predictor: bundled.contains(&summary.device.name.as_str()),
            device: summary.device,
            measurements: summary.measurements,
            metrics,
        });
    }
    Ok(out)
}

pub fn run(args: &DevicesArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    // The store is read first: a bad --db fails before any predictor is decoded.
    let store = match &args.db {
        Some(db) => Some((db.as_path(), store_devices(db)?)),
        None => None,
    };
    let mut ps = predictors(&[], &[])?;
    if !args.predictor.is_empty() {
        ps.extend(predictors(&[], &args.predictor)?);
    }
    if args.json {
        let metas: Vec<_> = ps.iter().map(|p| &p.meta).collect();
        match store {
            Some((db, devices)) => {
                let report = Report { schema: SCHEMA, predictors: metas, store: StoreReport { db, devices } };
                serde_json::to_writer_pretty(&mut *out, &report)?;
            }
            None => serde_json::to_writer_pretty(&mut *out, &metas)?,
        }
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = Table::new(&[
        "device",
        "runtime",
        "metrics",
        "kernels per metric",
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
    // One number when every metric learned from as many kernels (NeurstrucEnergy: 1,047 conv
    // layers, each with its energy and its latency), else one per metric.
    let kernels_per_metric = |p: &einf_predictor::predictor::DevicePredictor| {
        let per = p.kernel_samples_per_metric();
        let mut counts: Vec<u64> = per.values().copied().collect();
        counts.dedup();
        let whole = &p.meta.whole_model;
        match counts.as_slice() {
            [one] if whole.is_empty() => one.to_string(),
            // A metric learned from whole models says so: its distinct kernels, from how many models.
            _ => per
                .iter()
                .map(|(m, n)| match whole.get(m) {
                    Some(w) => format!("{} {n} from {} models", m.name(), w.models),
                    None => format!("{} {n}", m.name()),
                })
                .collect::<Vec<_>>()
                .join(", "),
        }
    };
    for p in &ps {
        let e = p.meta.evaluation.as_ref();
        t.row(vec![
            p.name().to_string(),
            p.meta.device.runtime.clone().unwrap_or_default(),
            p.forests.metrics().iter().map(|m| m.name()).collect::<Vec<_>>().join(","),
            kernels_per_metric(p),
            e.map_or("-".into(), |e| pct(&e.kernel_cv)),
            e.map_or("-".into(), |e| pct(&e.model_cv_kernels)),
            e.map_or("-".into(), |e| pct(&e.model_cv)),
            e.map_or("-".into(), |e| pct(&e.end_to_end)),
            p.meta.training_sha256.get(..12).unwrap_or_default().to_string(),
        ]);
    }
    t.write(out)?;
    if let Some((db, devices)) = store {
        write_store(db, &devices, out)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The store's devices as text: one row per device and metric.
fn write_store(db: &Path, devices: &[StoreDevice], out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(out)?;
    if devices.is_empty() {
        writeln!(out, "store {}: no devices yet (einf dataset import ...)", db.display())?;
        return Ok(());
    }
    writeln!(out, "store {}: {} devices", db.display(), devices.len())?;
    let mut t = Table::new(&[
        "device",
        "class",
        "runtime",
        "metric",
        "kernel rows",
        "kernels",
        "kinds",
        "model rows",
        "models",
        "bundled predictor",
    ]);
    for d in devices {
        let lead = |t: &mut Table, cells: Vec<String>| {
            let mut row = vec![
                d.device.name.clone(),
                d.device.class.name().to_string(),
                d.device.runtime.clone().unwrap_or_else(|| "-".into()),
            ];
            row.extend(cells);
            row.push(if d.bundled_predictor { "yes" } else { "-" }.to_string());
            t.row(row);
        };
        if d.metrics.is_empty() {
            lead(&mut t, ["-", "0", "0", "0", "0", "0"].map(String::from).to_vec());
        }
        for (metric, m) in &d.metrics {
            let counts = [m.kernel_rows, m.kernels, m.kinds, m.model_rows, m.models];
            let mut cells = vec![metric.name().to_string()];
            cells.extend(counts.map(|c| c.to_string()));
            lead(&mut t, cells);
        }
    }
    t.write(out)?;
    Ok(())
}
