//! The tables `einf nas` reads: candidate accuracies, and measured latencies to rank against
//! (HELP's NAS-Bench-201 and FBNet tables). The candidate column is the first of `arch_str`,
//! `op_idx_list`, `candidate`, `arch` in the header.

use anyhow::{Context, bail};
use einf_models::space::{Candidate, Space};
use std::path::Path;

/// Names a candidate column may have.
const ID_COLUMNS: [&str; 4] = ["arch_str", "op_idx_list", "candidate", "arch"];

/// HELP's measured phone latency columns (the rest of its table is desktop hardware, or
/// simulated: eyeriss, fpga).
pub const HELP_PHONES: [&str; 5] = ["pixel2", "pixel3", "samsung_a50", "samsung_s7", "essential_ph_1"];

/// Rows of a table: candidates, and the chosen value columns.
pub struct Table {
    /// Candidates, in file order.
    pub candidates: Vec<Candidate>,
    /// Column names and values parallel to `candidates` (NaN where empty).
    pub columns: Vec<(String, Vec<f64>)>,
}

fn reader(path: &Path) -> anyhow::Result<(csv::Reader<std::fs::File>, Vec<String>)> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("{}", path.display()))?;
    let header =
        r.headers().with_context(|| format!("{}", path.display()))?.iter().map(str::to_string).collect();
    Ok((r, header))
}

/// Read `path`: the candidate column and `wanted` value columns (`None`: every column named in
/// `default` that the file has, at least one). Each candidate must parse in `space`.
pub fn read(
    path: &Path,
    space: &Space,
    wanted: Option<&[String]>,
    default: &[&str],
) -> anyhow::Result<Table> {
    let file = path.display().to_string();
    let (mut r, header) = reader(path)?;
    let Some(id_col) = ID_COLUMNS.iter().find_map(|c| header.iter().position(|h| h == c)) else {
        bail!("{file}: no candidate column (one of {})", ID_COLUMNS.join(", "));
    };
    let names: Vec<String> = match wanted {
        Some(w) => w.to_vec(),
        None => default.iter().filter(|d| header.iter().any(|h| h == *d)).map(|d| d.to_string()).collect(),
    };
    if names.is_empty() {
        bail!("{file}: none of the value columns {} is in the header", default.join(", "));
    }
    let mut cols = Vec::with_capacity(names.len());
    for n in &names {
        let Some(i) = header.iter().position(|h| h == n) else {
            bail!("{file}: no column '{n}' (columns: {})", header.join(", "));
        };
        cols.push(i);
    }
    let mut candidates = Vec::new();
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); cols.len()];
    for (row, rec) in r.records().enumerate() {
        let line = row + 2;
        let rec = rec.with_context(|| format!("{file}, line {line}"))?;
        let id = rec.get(id_col).unwrap_or("");
        let c = space.parse(id).with_context(|| format!("{file}, line {line}: unknown candidate"))?;
        candidates.push(c);
        for (v, &i) in values.iter_mut().zip(&cols) {
            let cell = rec.get(i).unwrap_or("");
            let x = if cell.is_empty() {
                f64::NAN
            } else {
                cell.parse::<f64>().ok().filter(|x| x.is_finite()).with_context(|| {
                    format!("{file}, line {line}: '{cell}' in column {} is not a number", header[i])
                })?
            };
            v.push(x);
        }
    }
    if candidates.is_empty() {
        bail!("{file}: no rows");
    }
    Ok(Table { candidates, columns: names.into_iter().zip(values).collect() })
}
