//! `help`: the latency tables of HELP (Lee et al., NeurIPS 2021): every NAS-Bench-201
//! architecture and 5,000 FBNet architectures on ~27 devices.
//!
//! # Columns
//! NAS-Bench-201: `arch_idx, arch_str, <device>...`; FBNet: `idx, op_idx_list, <device>...` (the
//! first two columns tell which). Each device column holds the architecture's whole-model latency.
//! The unit is known from the file name only, which must end in `_<unit>.csv`
//! (`nasbench201_latency_ms.csv`: ms); a file whose name gives no duration unit is refused.
//!
//! One measurement per (architecture, device column). Models: `nasbench201:<arch_str>` (the
//! canonical NAS-Bench-201 cell string; `arch_idx` is its NAS-Bench-201 index) and
//! `fbnet:<op indices joined by '-'>` (the 22 per-layer op choices). Each model comes with its
//! graph for every built-in parser backend, built by einf-models as the generic CSV's `arch`
//! column builds it (`nb201:<arch_str>`; `fbnet:<op indices>` in the CIFAR-100 setting, whose
//! latencies HELP's FBNet table holds), so that every row is linked to its kernels.
//!
//! # Devices
//! `help-<column>`, with the class known from the column name: desktop GPUs `1080ti_<b>`,
//! `2080ti_<b>`, `titanx_<b>`, `titanxp_<b>`, `titan_rtx_<b>` (batch size `<b>` in the notes) →
//! gpu; Intel Xeon `gold_*`, `silver_*` and `raspi4` → cpu; phones `pixel2`, `pixel3`,
//! `samsung_a50`, `samsung_s7`, `essential_ph_1` → cpu (HELP does not say which processor; CPU
//! assumed, noted); `eyeriss` and `fpga` → accelerator, **simulated**: HW-NAS-Bench estimates, not
//! measurements (noted on the device and in the provenance). An unknown column is refused.
//! `pixel2`, `samsung_a50`, `samsung_s7` and `essential_ph_1` are whole milliseconds (rounded at
//! the source).

use super::ReadOptions;
use super::common::{Csv, Devices, field, measured, measurement, provenance};
use super::error::{ImportError, ImportErrorKind};
use super::model_links::Linker;
use super::units::Unit;
use crate::batch::{Device, DeviceClass, ImportBatch, Metric, ModelRecord, Subject};
use std::collections::HashMap;
use std::path::Path;

/// Format name.
pub const FORMAT: &str = "help";

/// Device columns whose values are simulated, not measured.
pub const SIMULATED: &[&str] = &["eyeriss", "fpga"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Space {
    NasBench201,
    FbNet,
}

/// Read a HELP latency table.
pub fn read(path: &Path, opts: &ReadOptions) -> Result<ImportBatch, ImportError> {
    let err = |line: usize, kind| ImportError::new(path, line, kind);
    let unit = unit_from_name(path).map_err(|k| err(0, k))?;
    let csv = Csv::read(path)?;
    let space = match (csv.header.first().map(String::as_str), csv.header.get(1).map(String::as_str)) {
        (Some("arch_idx"), Some("arch_str")) => Space::NasBench201,
        (Some("idx"), Some("op_idx_list")) => Space::FbNet,
        _ => {
            return Err(err(
                1,
                ImportErrorKind::WrongFile(
                    "not a HELP latency table: the header must start with arch_idx,arch_str (NAS-Bench-201) or \
                     idx,op_idx_list (FBNet)"
                        .into(),
                ),
            ));
        }
    };
    let columns = csv.header.get(2..).unwrap_or_default();
    if columns.is_empty() {
        return Err(err(1, ImportErrorKind::WrongFile("no device columns".into())));
    }
    let mut devices = Devices::default();
    let mut names = Vec::with_capacity(columns.len());
    for c in columns {
        let d = device(c).map_err(|k| err(1, k))?;
        names.push(d.name.clone());
        devices.add(d);
    }
    let mut seen_idx: HashMap<String, usize> = HashMap::new();
    let mut seen_arch: HashMap<String, usize> = HashMap::new();
    let mut measurements = Vec::with_capacity(csv.rows.len() * columns.len());
    let mut links = Linker::new(path.parent().unwrap_or(Path::new(""))).map_err(|k| err(0, k))?;
    for (line, r) in &csv.rows {
        let idx = field(r, 0);
        super::common::whole(csv.header.first().map_or("", String::as_str), idx)
            .map_err(|k| err(*line, k))?;
        if let Some(first) = seen_idx.insert(idx.to_string(), *line) {
            return Err(err(
                *line,
                ImportErrorKind::Duplicate { key: format!("architecture index {idx}"), first_line: first },
            ));
        }
        let (model, arch) = model_name(space, field(r, 1)).map_err(|k| err(*line, k))?;
        if let Some(first) = seen_arch.insert(model.clone(), *line) {
            return Err(err(
                *line,
                ImportErrorKind::Duplicate { key: format!("architecture {model}"), first_line: first },
            ));
        }
        let record = ModelRecord { name: model, file_sha256: None };
        for (k, (column, device)) in columns.iter().zip(&names).enumerate() {
            let value = measured(column, field(r, 2 + k), unit).map_err(|e| err(*line, e))?;
            measurements.push(measurement(
                device,
                Subject::Model(record.clone()),
                Metric::Latency,
                value,
                *line,
            ));
        }
        links.link_arch(record, &arch, *line).map_err(|k| err(*line, k))?;
    }
    let graphs =
        if opts.without_graphs { Vec::new() } else { links.finish().map_err(|(line, k)| err(line, k))? };
    let (simulated, measured): (Vec<&str>, Vec<&str>) =
        columns.iter().map(String::as_str).partition(|c| SIMULATED.contains(c));
    let notes = format!(
        "HELP latency table ({}): one whole-model latency per (architecture, device column), unit {unit} from the file \
         name -> ms; devices help-<column>; a column suffix _<b> is the batch size (latency of one batch). Each \
         architecture's kernels per built-in parser backend are built by einf-models (arch {}).\n\
         MEASURED columns: {}\nSIMULATED columns (HW-NAS-Bench estimates, not measurements): {}\n",
        match space {
            Space::NasBench201 => "NAS-Bench-201; models nasbench201:<arch_str>",
            Space::FbNet => "FBNet; models fbnet:<op indices>",
        },
        match space {
            Space::NasBench201 => "nb201:<arch_str>",
            Space::FbNet => "fbnet:<op indices> in the CIFAR-100 setting",
        },
        if measured.is_empty() { "none".to_string() } else { measured.join(", ") },
        if simulated.is_empty() { "none".to_string() } else { simulated.join(", ") }
    );
    Ok(ImportBatch {
        format: FORMAT.into(),
        devices: devices.into_vec(),
        measurements,
        provenance: provenance(FORMAT, path, &notes),
        graphs,
    })
}

/// The latency unit named by the file name's last `_<unit>` (`..._latency_ms.csv` → ms).
fn unit_from_name(path: &Path) -> Result<Unit, ImportErrorKind> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let symbol = stem.rsplit_once('_').map_or("", |(_, u)| u);
    Unit::for_metric(Metric::Latency, symbol).map_err(|e| ImportErrorKind::Unit {
        column: "latency".into(),
        reason: format!(
            "the unit is known from the file name only ('<name>_<unit>.csv', e.g. nasbench201_latency_ms.csv); \
             '{stem}' gives '{symbol}': {e}"
        ),
    })
}

/// The model name of an architecture and its `arch` (as the generic CSV's column writes it).
fn model_name(space: Space, text: &str) -> Result<(String, String), ImportErrorKind> {
    match space {
        Space::NasBench201 => {
            if !(text.starts_with('|') && text.ends_with('|') && text.contains('~')) {
                return Err(ImportErrorKind::Invalid(format!(
                    "arch_str '{text}' is not a NAS-Bench-201 cell string"
                )));
            }
            Ok((format!("nasbench201:{text}"), format!("nb201:{text}")))
        }
        Space::FbNet => {
            let ops: Vec<&str> = text.split_ascii_whitespace().collect();
            if ops.is_empty() || !ops.iter().all(|o| o.bytes().all(|b| b.is_ascii_digit())) {
                return Err(ImportErrorKind::Invalid(format!(
                    "op_idx_list '{text}' is not a space-separated list of op indices"
                )));
            }
            Ok((format!("fbnet:{}", ops.join("-")), format!("fbnet:{}", ops.join(" "))))
        }
    }
}

/// The device of a HELP column, or an error when its class cannot be known.
fn device(column: &str) -> Result<Device, ImportErrorKind> {
    let batch = column.rsplit_once('_').and_then(|(_, b)| b.parse::<u32>().ok());
    let gpu = ["1080ti_", "2080ti_", "titanxp_", "titanx_", "titan_rtx_"];
    let (class, note): (DeviceClass, String) = if gpu.iter().any(|p| column.starts_with(p)) && batch.is_some()
    {
        (
            DeviceClass::Gpu,
            format!("desktop GPU, batch size {} (the latency of one batch)", batch.unwrap_or(1)),
        )
    } else if column.starts_with("gold_") || column.starts_with("silver_") {
        (DeviceClass::Cpu, "Intel Xeon desktop/server CPU".into())
    } else if column == "raspi4" {
        (DeviceClass::Cpu, "Raspberry Pi 4 (from HW-NAS-Bench)".into())
    } else if ["pixel3"].contains(&column) {
        (
            DeviceClass::Cpu,
            "mobile phone (from HW-NAS-Bench; processor not stated in the file, CPU assumed)".into(),
        )
    } else if ["pixel2", "samsung_a50", "samsung_s7", "essential_ph_1"].contains(&column) {
        (
            DeviceClass::Cpu,
            "mobile phone (processor not stated in the file, CPU assumed); values rounded to whole ms at the source"
                .into(),
        )
    } else if SIMULATED.contains(&column) {
        (
            DeviceClass::Accelerator,
            format!("{column}: SIMULATED latency (HW-NAS-Bench estimate), not a measurement"),
        )
    } else {
        return Err(ImportErrorKind::WrongFile(format!(
            "unknown HELP device column '{column}': its device class cannot be known"
        )));
    };
    Ok(Device {
        notes: Some(format!("HELP latency table column '{column}': {note}")),
        ..Device::named(format!("help-{column}"), class)
    })
}
