//! nn-Meter's prior of real layer configurations (`models/data/nn-meter-prior-configs`, MIT),
//! embedded at build time and parsed into typed rows.

use crate::error::{ModelsError, Result};

/// One prior row: the layer of a real network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorRow {
    /// The network it comes from (`resnet18`).
    pub model: String,
    /// Input height and width (1 for fully connected layers).
    pub hw: u64,
    /// Input channels (features).
    pub cin: u64,
    /// Output channels (features).
    pub cout: u64,
    /// Kernel size (1 for fully connected layers).
    pub k: u64,
    /// Stride (1 for fully connected layers).
    pub s: u64,
    /// Groups (1 unless grouped).
    pub groups: u64,
}

/// Which prior table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// `conv.csv`.
    Conv,
    /// `dwconv.csv`.
    DwConv,
    /// `fc.csv`.
    Fc,
    /// `pooling.csv`.
    Pooling,
}

impl Table {
    fn file(self) -> (&'static str, &'static str) {
        match self {
            Table::Conv => ("conv.csv", include_str!("../../data/nn-meter-prior-configs/conv.csv")),
            Table::DwConv => ("dwconv.csv", include_str!("../../data/nn-meter-prior-configs/dwconv.csv")),
            Table::Fc => ("fc.csv", include_str!("../../data/nn-meter-prior-configs/fc.csv")),
            Table::Pooling => ("pooling.csv", include_str!("../../data/nn-meter-prior-configs/pooling.csv")),
        }
    }
}

/// Parse a prior table. Non-square inputs are not in the tables; a row with one is an error, as
/// is any non-numeric or zero field.
pub fn load(table: Table) -> Result<Vec<PriorRow>> {
    let (file, text) = table.file();
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let err = |message: String| ModelsError::Prior { file, line: i + 1, message };
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let num = |j: usize| -> Result<u64> {
            let v = f.get(j).ok_or_else(|| err(format!("missing column {}", j + 1)))?;
            match v.parse::<u64>() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(err(format!("column {} is '{v}', not a positive integer", j + 1))),
            }
        };
        let model = f.first().copied().unwrap_or_default().to_string();
        let row = match table {
            Table::Fc => PriorRow { model, hw: 1, cin: num(1)?, cout: num(2)?, k: 1, s: 1, groups: 1 },
            _ => {
                let (h, w) = (num(1)?, num(2)?);
                if h != w {
                    return Err(err(format!("input {h}x{w} is not square")));
                }
                let groups = if table == Table::Pooling { 1 } else { num(7)? };
                PriorRow { model, hw: h, cin: num(3)?, cout: num(4)?, k: num(5)?, s: num(6)?, groups }
            }
        };
        rows.push(row);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prior_table_parses_with_its_row_count() {
        let counts = [(Table::Conv, 1251), (Table::DwConv, 276), (Table::Fc, 28), (Table::Pooling, 54)];
        for (t, n) in counts {
            let rows = load(t).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(rows.len(), n, "{t:?}");
        }
        let dw = load(Table::DwConv).unwrap_or_default();
        assert!(dw.iter().all(|r| r.groups == r.cin && r.cin == r.cout));
    }
}
