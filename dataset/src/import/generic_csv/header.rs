//! The generic CSV's column layout: each known column's position in [`COLUMNS`], and the header
//! line read into the file's column indices.

use super::{COLUMNS, Res};
use crate::import::ReadOptions;
use crate::import::error::ImportErrorKind;
use crate::import::model_links;

/// The kernel configuration columns (`KernelConfig::COLUMNS`, read by `config`), together in
/// [`COLUMNS`] from `batch` to `input_channels`.
pub(super) const CONFIG_COLUMNS: std::ops::Range<usize> = BATCH..INPUT_CHANNELS + 1;

/// Position of a column name in [`COLUMNS`] (evaluated at compile time).
const fn col(name: &str) -> usize {
    let mut i = 0;
    while i < COLUMNS.len() {
        let (a, b) = (COLUMNS[i].as_bytes(), name.as_bytes());
        if a.len() == b.len() {
            let mut j = 0;
            while j < a.len() && a[j] == b[j] {
                j += 1;
            }
            if j == a.len() {
                return i;
            }
        }
        i += 1;
    }
    usize::MAX
}

pub(super) const DEVICE: usize = col("device");
pub(super) const DEVICE_CLASS: usize = col("device_class");
pub(super) const KIND: usize = col("kind");
pub(super) const MODEL: usize = col("model");
pub(super) const METRIC: usize = col("metric");
pub(super) const VALUE: usize = col("value");
pub(super) const UNIT: usize = col("unit");
pub(super) const STD: usize = col("std");
pub(super) const REPETITIONS: usize = col("repetitions");
pub(super) const RUN: usize = col("run");
pub(super) const SOURCE_ID: usize = col("source_id");
pub(super) const SOC: usize = col("soc");
pub(super) const RUNTIME: usize = col("runtime");
pub(super) const PRECISION: usize = col("precision");
pub(super) const SUBJECT: usize = col("subject");
pub(super) const MODEL_SHA256: usize = col("model_sha256");
pub(super) const FILE: usize = col("file");
pub(super) const FILE_SHA256: usize = col("file_sha256");
pub(super) const LINE: usize = col("line");
pub(super) const BATCH: usize = col("batch");
pub(super) const INPUT_H: usize = col("input_h");
pub(super) const INPUT_W: usize = col("input_w");
pub(super) const OUTPUT_H: usize = col("output_h");
pub(super) const OUTPUT_W: usize = col("output_w");
pub(super) const CIN: usize = col("cin");
pub(super) const COUT: usize = col("cout");
pub(super) const KERNEL_H: usize = col("kernel_h");
pub(super) const KERNEL_W: usize = col("kernel_w");
pub(super) const STRIDE_H: usize = col("stride_h");
pub(super) const STRIDE_W: usize = col("stride_w");
pub(super) const PAD_TOP: usize = col("pad_top");
pub(super) const PAD_LEFT: usize = col("pad_left");
pub(super) const PAD_BOTTOM: usize = col("pad_bottom");
pub(super) const PAD_RIGHT: usize = col("pad_right");
pub(super) const DILATION_H: usize = col("dilation_h");
pub(super) const DILATION_W: usize = col("dilation_w");
pub(super) const GROUPS: usize = col("groups");
pub(super) const DTYPE: usize = col("dtype");
pub(super) const INPUT_CHANNELS: usize = col("input_channels");

/// Column indices in the file (by position in [`COLUMNS`], then the link columns by position in
/// [`model_links::COLUMNS`]).
pub(super) struct Header {
    index: [Option<usize>; COLUMNS.len()],
    pub(super) links: [Option<usize>; model_links::COLUMNS.len()],
    pub(super) width: usize,
}

impl Header {
    pub(super) fn at(&self, column: usize) -> Option<usize> {
        self.index.get(column).copied().flatten()
    }
}

pub(super) fn header(fields: &csv::StringRecord, opts: &ReadOptions) -> Res<Header> {
    let mut index = [None; COLUMNS.len()];
    let mut links = [None; model_links::COLUMNS.len()];
    for (i, raw) in fields.iter().enumerate() {
        let name = raw.trim().trim_start_matches('\u{feff}');
        let slot = match COLUMNS.iter().position(|k| *k == name) {
            Some(c) => index.get_mut(c),
            None => model_links::COLUMNS.iter().position(|k| *k == name).and_then(|c| links.get_mut(c)),
        };
        let Some(slot) = slot else {
            return Err(ImportErrorKind::WrongFile(format!(
                "unknown column '{name}' (the generic CSV's columns: {}, {})",
                COLUMNS.join(", "),
                model_links::COLUMNS.join(", ")
            )));
        };
        if slot.is_some() {
            return Err(ImportErrorKind::WrongFile(format!("column '{name}' twice")));
        }
        *slot = Some(i);
    }
    for (c, name) in COLUMNS.iter().enumerate() {
        let needed = matches!(*name, "kind" | "metric" | "value" | "unit")
            || (*name == "device" && opts.device.is_none());
        if needed && index.get(c).copied().flatten().is_none() {
            return Err(ImportErrorKind::MissingColumn((*name).to_string()));
        }
    }
    Ok(Header { index, links, width: fields.len() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use einf_parser::kernel::KernelConfig;

    #[test]
    fn column_constants_name_their_columns() {
        for (i, name) in COLUMNS.iter().enumerate() {
            assert_eq!(col(name), i, "{name}");
        }
        assert_eq!(col("nonsense"), usize::MAX);
        assert_eq!(COLUMNS.get(CONFIG_COLUMNS), Some(&KernelConfig::COLUMNS[..]));
        let read = [
            DEVICE,
            DEVICE_CLASS,
            SOC,
            RUNTIME,
            PRECISION,
            SUBJECT,
            KIND,
            MODEL,
            MODEL_SHA256,
            SOURCE_ID,
            METRIC,
            VALUE,
            UNIT,
            STD,
            REPETITIONS,
            RUN,
            FILE,
            FILE_SHA256,
            LINE,
        ];
        // Every column is read: its own ones above, the configuration's in `config`.
        let mut all: Vec<usize> = read.into_iter().chain(CONFIG_COLUMNS).collect();
        all.sort_unstable();
        assert_eq!(all, (0..COLUMNS.len()).collect::<Vec<_>>());
    }

    #[test]
    fn headers_need_the_value_columns_and_refuse_unknown_ones() {
        let rec = |s: &str| csv::StringRecord::from(s.split(',').collect::<Vec<_>>());
        let opts = ReadOptions::default();
        assert!(header(&rec("device,kind,metric,value,unit"), &opts).is_ok());
        let e = header(&rec("device,kind,metric,valeu,unit"), &opts).err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.starts_with("unknown column 'valeu'")));
        let e = header(&rec("kind,metric,value,unit"), &opts).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("missing column 'device'"));
        let named = ReadOptions { device: Some("board".into()), ..ReadOptions::default() };
        assert!(header(&rec("kind,metric,value,unit"), &named).is_ok());
        assert!(header(&rec("device,kind,metric,value,unit,unit"), &opts).is_err());
    }
}
