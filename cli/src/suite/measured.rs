//! The measured kernels `einf suite --refine` cross-validates: the bundled data of a bundled
//! device (through einf-predictor's loader), a CSV in einf-dataset's generic `csv` format, or a
//! store. Numbered repeated runs of one kernel (rows with a `run`, the same model, kind,
//! configuration and metric) are averaged into one sample, as the predictor's loader does for
//! NeurstrucEnergy's runs, so that no run of a kernel is held out while another trains; rows
//! without a `run` are samples of their own (qed-usc measures a repeated layer of a model once
//! per occurrence), as in the bundled data.

use anyhow::{Context, bail};
use einf_dataset::batch::{DeviceClass, Metric, Subject};
use einf_dataset::import::{Format, ReadOptions, read};
use einf_dataset::store::{ExportFormat, ExportOptions, Store};
use einf_parser::ir::DType;
use einf_parser::kernel::{KernelConfig, KernelKind};
use einf_predictor::data::{KernelSample, load};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// Measured kernels of one device and where they came from.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Kernel measurements, in the source's order.
    pub samples: Vec<KernelSample>,
    /// Where they came from, for `suite.json`.
    pub source: String,
}

/// The bundled data of `device` in `dir` (a repository's `dataset/data`).
pub fn bundled(dir: &Path, device: &str) -> anyhow::Result<Measured> {
    let data = load(dir, device).with_context(|| {
        format!("no bundled data for device '{device}' in {}: give --data FILE or --db STORE", dir.display())
    })?;
    Ok(Measured { samples: data.kernels, source: format!("bundled: {}", data.sources.join(", ")) })
}

/// The kernel rows of `device` in a generic CSV (`device` names the device when the file has
/// no `device` column, `class` its class when the file and the name do not tell).
pub fn csv_file(path: &Path, device: &str, class: Option<DeviceClass>) -> anyhow::Result<Measured> {
    let opts =
        ReadOptions { device: Some(device.to_string()), device_class: class, ..ReadOptions::default() };
    let batch = read(Format::Csv, path, &opts)?;
    let rows = batch.measurements.iter().filter(|m| m.device == device).filter_map(|m| match &m.subject {
        Subject::Kernel(k) => {
            Some((k.model.clone(), k.kind.clone(), k.config.clone(), m.metric, m.value, m.run.is_some()))
        }
        Subject::Model(_) => None,
    });
    let samples = averaged(rows);
    if samples.is_empty() {
        let names: Vec<&str> = batch.devices.iter().map(|d| d.name.as_str()).collect();
        bail!(
            "{}: no kernel measurements of device '{device}' (devices: {})",
            path.display(),
            names.join(", ")
        );
    }
    Ok(Measured { samples, source: format!("csv: {}", path.display()) })
}

/// One row of the store's CSV export (the columns used here; serde ignores the others).
#[derive(Debug, Deserialize)]
struct ExportRow {
    subject: String,
    kind: String,
    batch: Option<u64>,
    input_h: Option<u64>,
    input_w: Option<u64>,
    output_h: Option<u64>,
    output_w: Option<u64>,
    cin: Option<u64>,
    cout: Option<u64>,
    kernel_h: Option<u64>,
    kernel_w: Option<u64>,
    stride_h: Option<u64>,
    stride_w: Option<u64>,
    pad_top: Option<u64>,
    pad_left: Option<u64>,
    pad_bottom: Option<u64>,
    pad_right: Option<u64>,
    dilation_h: Option<u64>,
    dilation_w: Option<u64>,
    groups: Option<u64>,
    dtype: Option<DType>,
    input_channels: String,
    model: String,
    metric: Metric,
    value: f64,
    run: Option<u32>,
}

impl ExportRow {
    fn config(&self) -> Result<KernelConfig, String> {
        let need = |v: Option<u64>, name: &str| v.ok_or_else(|| format!("kernel row without {name}"));
        let channels = self
            .input_channels
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().parse::<u64>().map_err(|_| format!("input_channels '{}'", self.input_channels)))
            .collect::<Result<Vec<u64>, String>>()?;
        Ok(KernelConfig {
            batch: need(self.batch, "batch")?,
            input_h: need(self.input_h, "input_h")?,
            input_w: need(self.input_w, "input_w")?,
            output_h: need(self.output_h, "output_h")?,
            output_w: need(self.output_w, "output_w")?,
            cin: need(self.cin, "cin")?,
            cout: need(self.cout, "cout")?,
            kernel_h: need(self.kernel_h, "kernel_h")?,
            kernel_w: need(self.kernel_w, "kernel_w")?,
            stride_h: need(self.stride_h, "stride_h")?,
            stride_w: need(self.stride_w, "stride_w")?,
            pads: [
                need(self.pad_top, "pad_top")?,
                need(self.pad_left, "pad_left")?,
                need(self.pad_bottom, "pad_bottom")?,
                need(self.pad_right, "pad_right")?,
            ],
            dilation_h: need(self.dilation_h, "dilation_h")?,
            dilation_w: need(self.dilation_w, "dilation_w")?,
            groups: need(self.groups, "groups")?,
            dtype: self.dtype.ok_or("kernel row without dtype")?,
            input_channels: channels,
        })
    }
}

/// The kernel measurements of `device` in a store (read through its CSV export).
pub fn store(path: &Path, device: &str) -> anyhow::Result<Measured> {
    let store = Store::open_existing(path)?;
    let mut csv_bytes = Vec::new();
    let opts = ExportOptions { format: ExportFormat::Csv, device: Some(device.to_string()) };
    store.export(&opts, &mut csv_bytes).with_context(|| format!("store {}", path.display()))?;
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    let mut rows = Vec::new();
    for (i, row) in reader.deserialize::<ExportRow>().enumerate() {
        let at = || format!("store {}: exported row {} of device '{device}'", path.display(), i + 1);
        let row = row.with_context(at)?;
        if row.subject != "kernel" {
            continue;
        }
        let kind: KernelKind = row.kind.parse().map_err(|e: String| anyhow::anyhow!(e)).with_context(at)?;
        let config = row.config().map_err(|e| anyhow::anyhow!(e)).with_context(at)?;
        let model = (!row.model.is_empty()).then(|| row.model.clone());
        rows.push((model, kind, config, row.metric, row.value, row.run.is_some()));
    }
    let samples = averaged(rows.into_iter());
    if samples.is_empty() {
        bail!("store {}: no kernel measurements of device '{device}'", path.display());
    }
    Ok(Measured { samples, source: format!("store: {}", path.display()) })
}

/// (model, kind, configuration, metric, value, whether the row is a numbered run).
type Row = (Option<String>, KernelKind, KernelConfig, Metric, f64, bool);

/// Average the numbered runs of one kernel (same model, kind, configuration and metric) into the
/// first run's place; rows without a run stay as they are.
fn averaged(rows: impl Iterator<Item = Row>) -> Vec<KernelSample> {
    let mut index: HashMap<(Option<String>, String, String, Metric), usize> = HashMap::new();
    let mut acc: Vec<(KernelSample, usize)> = Vec::new();
    for (model, kind, config, metric, value, run) in rows {
        let key = (model.clone(), kind.to_string(), format!("{config:?}"), metric);
        if run && let Some(&i) = index.get(&key) {
            acc[i].0.value += value;
            acc[i].1 += 1;
            continue;
        }
        if run {
            index.insert(key, acc.len());
        }
        acc.push((KernelSample { model, kind, config, metric, value, source_id: None }, 1));
    }
    acc.into_iter().map(|(s, n)| KernelSample { value: s.value / n as f64, ..s }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A generic CSV with SYNTHETIC values: two devices, a kernel measured in three numbered runs,
    /// a layer measured in two models, and a whole-model row.
    const CSV: &str = "device,kind,model,input_h,input_w,cin,cout,kernel_h,kernel_w,pad_top,pad_left,pad_bottom,pad_right,metric,value,unit,run
dev-a,conv-bn-relu,,14,14,32,64,3,3,1,1,1,1,latency,1.0,ms,1
dev-a,conv-bn-relu,,14,14,32,64,3,3,1,1,1,1,latency,2.0,ms,2
dev-a,conv-bn-relu,,14,14,32,64,3,3,1,1,1,1,latency,3.0,ms,3
dev-a,dwconv-bn-relu,net,28,28,16,16,3,3,1,1,1,1,latency,0.5,ms,
dev-a,dwconv-bn-relu,net2,28,28,16,16,3,3,1,1,1,1,latency,0.7,ms,
dev-a,,net,,,,,,,,,,,latency,9.0,ms,
dev-b,conv-bn-relu,,14,14,32,64,3,3,1,1,1,1,latency,5.0,ms,
";

    #[test]
    fn a_csv_gives_the_devices_kernels_with_runs_averaged_and_other_rows_kept() {
        let dir = std::env::temp_dir().join(format!("einf-refine-measured-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.csv");
        std::fs::write(&path, CSV).unwrap();
        let m = csv_file(&path, "dev-a", Some(DeviceClass::Gpu)).unwrap();
        let got: Vec<(String, f64)> = m.samples.iter().map(|s| (s.kind.to_string(), s.value)).collect();
        assert_eq!(
            got,
            [
                ("conv-bn-relu".to_string(), 2.0),
                ("dwconv-bn-relu".into(), 0.5),
                ("dwconv-bn-relu".into(), 0.7)
            ]
        );
        assert_eq!(m.samples[1].model.as_deref(), Some("net"));
        let e = csv_file(&path, "dev-c", Some(DeviceClass::Gpu)).unwrap_err().to_string();
        assert!(e.contains("no kernel measurements of device 'dev-c'") && e.contains("dev-a, dev-b"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
