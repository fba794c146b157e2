//! `mlperf-tiny`: the MLPerf Tiny inference results table (v0.5-v1.3, one row per version,
//! division, submitter, system and benchmark; derived from the MLCommons result repositories).
//!
//! # Columns
//! Read by name (any order; others ignored): `version, division, submitter, system, benchmark`,
//! three value columns whose unit is in their name, `energy_<unit>_per_inf` (energy per inference,
//! `uJ` in the bundled file), `median_power_<unit>` (`uW`: median power in energy mode) and
//! `latency_<unit>` (`ms`: 1000 / median throughput in performance mode), and the system
//! description `board, soc, processor, frequency, accelerator, framework`. An empty value cell
//! means not submitted; a row must give at least one value.
//!
//! Stored per row: the model's energy (mJ), power (mW) and latency (ms), whichever are given.
//!
//! **Streaming wakeword (`sww`, v1.3)**: its "energy per inference" is the energy of a whole
//! ~20-minute audio stream, which EnergyRunner counts as one inference (results.txt: `Inferences:
//! 1`, `Elapsed time: 1202 s`). It is not a per-inference energy and is not stored (the lines are
//! listed in the provenance).
//!
//! # Models
//! Closed division: the benchmark's reference model, `mlperf-tiny-<benchmark>` (ad: FC
//! autoencoder, ic: ResNet-8, kws: DS-CNN, vww: MobileNetV1 0.25×). Open division rows may run other
//! models: `mlperf-tiny-open-v<version>-<submitter>-<benchmark>`.
//!
//! # Devices
//! One device per system description of a round: `mlperf-tiny-v<version>/<submitter>/<system>`
//! (the same board with another framework or round is another device). SoC and runtime
//! (framework) from the row when given; the `accelerator` field (often a memory size) and board,
//! processor and frequency go to the notes. Class, from the description: the FPGA submitters
//! (hls4ml, hls4ml-finn, fpgaconvnet) → accelerator; syntiant (NDP neural decision processors) →
//! npu; application processors (a processor naming Kryo, Oryon, XuanTie C906, AndesCore AX45MP
//! or a RISC-V 64GCVB core) → cpu; everything else → mcu.

use super::ReadOptions;
use super::common::{Csv, Devices, field, measured, measurement, provenance};
use super::error::{ImportError, ImportErrorKind};
use super::units::Unit;
use crate::batch::{Device, DeviceClass, ImportBatch, Metric, ModelRecord, Subject};
use std::collections::HashMap;
use std::path::Path;

/// Format name.
pub const FORMAT: &str = "mlperf-tiny";

/// Read an MLPerf Tiny results table.
pub fn read(path: &Path, _opts: &ReadOptions) -> Result<ImportBatch, ImportError> {
    let csv = Csv::read(path)?;
    let err = |line: usize, kind| ImportError::new(path, line, kind);
    let col = |name: &str| csv.column(path, name);
    let (version, division, submitter, system, benchmark) =
        (col("version")?, col("division")?, col("submitter")?, col("system")?, col("benchmark")?);
    let (board, soc, processor, frequency, accel, framework) = (
        col("board")?,
        col("soc")?,
        col("processor")?,
        col("frequency")?,
        col("accelerator")?,
        col("framework")?,
    );
    let value_columns = [
        (Metric::Energy, value_column(&csv.header, "energy_", "_per_inf").map_err(|k| err(1, k))?),
        (Metric::Power, value_column(&csv.header, "median_power_", "").map_err(|k| err(1, k))?),
        (Metric::Latency, value_column(&csv.header, "latency_", "").map_err(|k| err(1, k))?),
    ];
    let mut units = Vec::with_capacity(3);
    for (metric, (i, symbol)) in &value_columns {
        let name = csv.header.get(*i).cloned().unwrap_or_default();
        let unit = Unit::for_metric(*metric, symbol).map_err(|e| {
            err(
                1,
                ImportErrorKind::Unit {
                    column: name.clone(),
                    reason: format!("unit '{symbol}' in the name: {e}"),
                },
            )
        })?;
        units.push((*metric, *i, name, unit));
    }

    let mut devices = Devices::default();
    let mut measurements = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut skipped_sww = Vec::new();
    for (line, r) in &csv.rows {
        let f = |i: usize| field(r, i);
        for (name, i) in [("version", version), ("division", division), ("submitter", submitter)] {
            if f(i).is_empty() {
                return Err(err(*line, ImportErrorKind::Invalid(format!("empty {name}"))));
            }
        }
        if f(system).is_empty() || f(benchmark).is_empty() {
            return Err(err(*line, ImportErrorKind::Invalid("empty system or benchmark".into())));
        }
        let key =
            format!("result v{} {} {}/{} {}", f(version), f(division), f(submitter), f(system), f(benchmark));
        if let Some(first) = seen.insert(key.clone(), *line) {
            return Err(err(*line, ImportErrorKind::Duplicate { key, first_line: first }));
        }
        let present = |s: &str| !s.is_empty() && s != "N/A";
        let dev = Device {
            name: format!("mlperf-tiny-v{}/{}/{}", f(version), f(submitter), f(system)),
            class: class_of(f(submitter), f(processor)),
            soc: present(f(soc)).then(|| f(soc).to_string()),
            runtime: present(f(framework)).then(|| f(framework).to_string()),
            precision: None,
            notes: Some(notes(&[
                ("board", f(board)),
                ("processor", f(processor)),
                ("frequency", f(frequency)),
                ("accelerator field", f(accel)),
            ])),
        };
        let model = if f(division) == "closed" {
            format!("mlperf-tiny-{}", f(benchmark))
        } else {
            format!("mlperf-tiny-{}-v{}-{}-{}", f(division), f(version), f(submitter), f(benchmark))
        };
        let mut any = false;
        let before = measurements.len();
        for (metric, i, name, unit) in &units {
            let text = f(*i);
            if text.is_empty() {
                continue;
            }
            any = true;
            if *metric == Metric::Energy && f(benchmark) == "sww" {
                skipped_sww.push(*line);
                continue;
            }
            let value = measured(name, text, *unit).map_err(|k| err(*line, k))?;
            let subject = Subject::Model(ModelRecord { name: model.clone(), file_sha256: None });
            measurements.push(measurement(&dev.name, subject, *metric, value, *line));
        }
        if !any {
            return Err(err(*line, ImportErrorKind::Invalid("no energy, power or latency value".into())));
        }
        if let Some(existing) = devices.get(&dev.name)
            && (existing.class, &existing.soc, &existing.runtime) != (dev.class, &dev.soc, &dev.runtime)
        {
            return Err(err(
                *line,
                ImportErrorKind::Invalid(format!(
                    "system '{}' is described differently on another line",
                    dev.name
                )),
            ));
        }
        if measurements.len() > before {
            devices.add(dev);
        }
    }
    let mut text = String::from(
        "MLPerf Tiny results: per row the model's energy (energy_<unit>_per_inf -> mJ), median power \
         (median_power_<unit> -> mW) and latency (latency_<unit> -> ms) where given; device per \
         version/submitter/system; closed-division models named mlperf-tiny-<benchmark>, open-division ones by \
         version, submitter and benchmark.\n",
    );
    if !skipped_sww.is_empty() {
        let list = skipped_sww.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        text.push_str(&format!(
            "Not stored: the sww (streaming wakeword) energies on lines {list}: EnergyRunner reports the energy of the \
             whole ~20-minute stream as one inference, not a per-inference energy.\n"
        ));
    }
    Ok(ImportBatch {
        format: FORMAT.into(),
        devices: devices.into_vec(),
        measurements,
        provenance: provenance(FORMAT, path, &text),
        graphs: Vec::new(),
    })
}

/// The column `<prefix><unit><suffix>` and its unit symbol; exactly one must exist.
fn value_column(header: &[String], prefix: &str, suffix: &str) -> Result<(usize, String), ImportErrorKind> {
    let found: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let unit = h.strip_prefix(prefix)?.strip_suffix(suffix)?;
            (!unit.is_empty() && !unit.contains('_')).then(|| (i, unit.to_string()))
        })
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(ImportErrorKind::MissingColumn(format!("{prefix}<unit>{suffix}"))),
        _ => Err(ImportErrorKind::WrongFile(format!("several {prefix}<unit>{suffix} columns"))),
    }
}

fn class_of(submitter: &str, processor: &str) -> DeviceClass {
    let s = submitter.to_ascii_lowercase();
    if ["hls4ml", "hls4ml-finn", "fpgaconvnet"].contains(&s.as_str()) {
        return DeviceClass::Accelerator;
    }
    if s == "syntiant" {
        return DeviceClass::Npu;
    }
    if ["Kryo", "Oryon", "C906", "AX45MP", "64GCVB"].iter().any(|k| processor.contains(k)) {
        return DeviceClass::Cpu;
    }
    DeviceClass::Mcu
}

fn notes(fields: &[(&str, &str)]) -> String {
    let mut parts = vec!["MLPerf Tiny system".to_string()];
    for (name, value) in fields {
        if !value.is_empty() && *value != "N/A" {
            parts.push(format!("{name}: {value}"));
        }
    }
    parts.join("; ")
}
