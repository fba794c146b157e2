//! `qed-e2e`: the qed-usc mobile-ml-benchmark end-to-end model latency tables
//! (`tflite_cnn_e2e.csv`, also `tflite_nas_e2e.csv`, `tflite_transformer_e2e.csv`).
//!
//! # Columns
//! `model, FLOPS (or flops), size`, then `<phone>|<config>|<precision>|mean` and `...|std` pairs:
//! the mean and standard deviation of the model's end-to-end latency in **µs** (the unit the
//! source documents). `config` is a CPU core set (`1large`, `2med`, `1large1med`, `4small`, ...:
//! the number and class of cores the run was pinned to) or `gpu`; `precision` is `float` or
//! `quant`. `FLOPS` and `size` are not measurements and are not stored.
//!
//! One measurement per (model, column pair): a whole-model latency (ms) with its std (ms).
//!
//! # Devices
//! One device per (phone, core configuration, precision): `<phone>-<config>-tflite-<precision>`,
//! class cpu (core sets) or gpu, runtime `tflite-cpu` / `tflite-gpu`, precision `fp32` for
//! float on the CPU, `fp16` for float on the GPU (the upstream README measures GPU ops in 16-bit
//! float; the end-to-end GPU column is taken to use the same delegate setting), `int8` for quant.
//! The GPU devices are the ones [`super::qed_ops`] names, so kernel sums and model latencies meet.
//!
//! The runtime is known from the file name only: it must start with `tflite_` (the PyTorch
//! tables, `torch_*`, are refused: their GPU precision is not documented).

use super::ReadOptions;
use super::common::{Csv, Devices, field, measured, measurement, provenance};
use super::error::{ImportError, ImportErrorKind};
use super::qed_ops::{gpu_device, phone_soc};
use super::units::Unit;
use crate::batch::{Device, DeviceClass, ImportBatch, Metric, ModelRecord, Subject};
use std::collections::HashMap;
use std::path::Path;

/// Format name.
pub const FORMAT: &str = "qed-e2e";

struct Column {
    device: Device,
    mean: usize,
    std: usize,
}

/// Read a qed-usc end-to-end latency table.
pub fn read(path: &Path, _opts: &ReadOptions) -> Result<ImportBatch, ImportError> {
    let err = |line: usize, kind| ImportError::new(path, line, kind);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !name.starts_with("tflite_") {
        return Err(err(
            0,
            ImportErrorKind::WrongFile(format!(
                "'{name}': the runtime is known from the file name, which must start with 'tflite_' (the qed-usc \
                 TFLite tables); PyTorch tables are not read"
            )),
        ));
    }
    let csv = Csv::read(path)?;
    let columns = header_columns(&csv.header).map_err(|k| err(1, k))?;
    let us = Unit::for_metric(Metric::Latency, "µs")
        .map_err(|e| err(1, ImportErrorKind::Unit { column: "latency".into(), reason: e.to_string() }))?;
    let mut devices = Devices::default();
    for c in &columns {
        devices.add(c.device.clone());
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut measurements = Vec::with_capacity(csv.rows.len() * columns.len());
    for (line, r) in &csv.rows {
        let model = field(r, 0).to_string();
        if model.is_empty() {
            return Err(err(*line, ImportErrorKind::Invalid("empty model name".into())));
        }
        if let Some(first) = seen.insert(model.clone(), *line) {
            return Err(err(
                *line,
                ImportErrorKind::Duplicate { key: format!("model '{model}'"), first_line: first },
            ));
        }
        for c in &columns {
            let header = |i: usize| csv.header.get(i).map_or("", String::as_str);
            let mean = measured(header(c.mean), field(r, c.mean), us).map_err(|k| err(*line, k))?;
            let std_text = field(r, c.std);
            let std = super::common::number(header(c.std), std_text).map_err(|k| err(*line, k))?;
            if std < 0.0 {
                return Err(err(
                    *line,
                    ImportErrorKind::Invalid(format!("{}: negative standard deviation {std}", header(c.std))),
                ));
            }
            let subject = Subject::Model(ModelRecord { name: model.clone(), file_sha256: None });
            let mut m = measurement(&c.device.name, subject, Metric::Latency, mean, *line);
            m.std = Some(us.to_canonical(std));
            measurements.push(m);
        }
    }
    Ok(ImportBatch {
        format: FORMAT.into(),
        devices: devices.into_vec(),
        measurements,
        provenance: provenance(FORMAT, path, NOTES),
        graphs: Vec::new(),
    })
}

const NOTES: &str = "qed-usc end-to-end table: one measurement per (model, <phone>|<config>|<precision>), mean and \
std µs -> ms; devices <phone>-<config>-tflite-<fp32|fp16|int8> (float on CPU = fp32, float on GPU = fp16 as the \
upstream README states for the GPU op tables, quant = int8); FLOPS and size columns not stored.\n";

fn header_columns(header: &[String]) -> Result<Vec<Column>, ImportErrorKind> {
    let first = header.first().map(String::as_str);
    let flops = header.get(1).map(|s| s.to_ascii_lowercase());
    if first != Some("model")
        || flops.as_deref() != Some("flops")
        || header.get(2).map(String::as_str) != Some("size")
    {
        return Err(ImportErrorKind::WrongFile(
            "not a qed-usc end-to-end table: the header must start with model,FLOPS,size".into(),
        ));
    }
    let rest = header.get(3..).unwrap_or_default();
    if rest.is_empty() || rest.len() % 2 != 0 {
        return Err(ImportErrorKind::WrongFile(
            "expected <phone>|<config>|<precision>|mean and ...|std column pairs after 'size'".into(),
        ));
    }
    let mut out = Vec::with_capacity(rest.len() / 2);
    for (k, pair) in rest.chunks(2).enumerate() {
        let (a, b) = (pair.first().map_or("", String::as_str), pair.get(1).map_or("", String::as_str));
        let Some(prefix) = a.strip_suffix("|mean") else {
            return Err(ImportErrorKind::WrongFile(format!(
                "column '{a}': expected <phone>|<config>|<precision>|mean"
            )));
        };
        if b != format!("{prefix}|std") {
            return Err(ImportErrorKind::WrongFile(format!(
                "column '{b}': expected '{prefix}|std' after '{a}'"
            )));
        }
        let parts: Vec<&str> = prefix.split('|').collect();
        let [phone, config, precision] = parts.as_slice() else {
            return Err(ImportErrorKind::WrongFile(format!(
                "column '{a}': expected <phone>|<config>|<precision>|mean"
            )));
        };
        let device = device(phone, config, precision)
            .map_err(|reason| ImportErrorKind::Unit { column: a.to_string(), reason })?;
        out.push(Column { device, mean: 3 + 2 * k, std: 4 + 2 * k });
    }
    Ok(out)
}

fn device(phone: &str, config: &str, precision: &str) -> Result<Device, String> {
    if config == "gpu" {
        return match precision {
            "float" => Ok(gpu_device(phone)),
            other => Err(format!("unknown GPU precision '{other}' (expected float)")),
        };
    }
    if !is_core_set(config) {
        return Err(format!("unknown configuration '{config}' (expected gpu or a core set such as 2med)"));
    }
    let precision = match precision {
        "float" => "fp32",
        "quant" => "int8",
        other => return Err(format!("unknown precision '{other}' (expected float or quant)")),
    };
    Ok(Device {
        name: format!("{phone}-{config}-tflite-{precision}"),
        class: DeviceClass::Cpu,
        soc: phone_soc(phone).map(str::to_string),
        runtime: Some("tflite-cpu".into()),
        precision: Some(precision.into()),
        notes: Some(format!(
            "qed-usc mobile-ml-benchmark phone '{phone}': TFLite CPU pinned to cores '{config}'"
        )),
    })
}

/// `1large`, `2med`, `1large1med`, `4small`: counts followed by core classes.
fn is_core_set(s: &str) -> bool {
    let mut rest = s;
    let mut any = false;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return false;
        }
        rest = rest.get(digits..).unwrap_or("");
        let Some(after) = ["large", "med", "small"].iter().find_map(|class| rest.strip_prefix(class)) else {
            return false;
        };
        rest = after;
        any = true;
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_sets() {
        for ok in ["1large", "2med", "1large1med", "1large2med", "6small"] {
            assert!(is_core_set(ok), "{ok}");
        }
        for bad in ["", "large", "2", "gpu", "2huge"] {
            assert!(!is_core_set(bad), "{bad}");
        }
    }
}
