//! Per-case class probabilities from CSV, read line by line into a [`RecGrad`].
//!
//! Two row formats (one per file):
//! - **full vector**: `label,p0,p1,...,p{C-1}`; every row has the same number of probabilities,
//!   which sum to 1 within 1e-3;
//! - **top-k list**: `label,class:p,class:p,...` (needs the number of classes); probabilities sum
//!   to at most 1.
//!
//! Labels are class indices from 0. Blank lines and lines starting with `#` are skipped, and so
//! is a first line whose label field is not a number (a header). Every error names the source
//! and line.

use crate::error::{CaseError, CsvError, Error, Result};
use crate::recgrad::{GradientParams, GradientStats, RecGrad, case_gradient_in, case_gradient_top_k};
use std::io::BufRead;
use std::path::Path;

/// How to read a probabilities file.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ProbsOptions {
    /// Miss penalty and top-N.
    pub params: GradientParams,
    /// The number of classes: required for top-k lists; checked against full vectors.
    pub classes: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Format {
    Full,
    TopK,
}

struct Reader {
    opts: ProbsOptions,
    format: Option<Format>,
    classes: Option<u64>,
    stats: GradientStats,
    probs: Vec<f64>,
    pairs: Vec<(u64, f64)>,
    scratch: Vec<f64>,
}

fn number(column: usize, text: &str) -> Result<f64, CaseError> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| CaseError::BadNumber { column, text: text.to_string() })
}

impl Reader {
    /// One data row; `Ok(false)` when it was a header.
    fn row(&mut self, line: &str, first: bool) -> Result<bool, CaseError> {
        let mut fields = line.split(',').map(str::trim);
        let label_text = fields.next().unwrap_or_default();
        let label = match label_text.parse::<u64>() {
            Ok(l) => l,
            Err(_) if first && label_text.chars().any(char::is_alphabetic) => return Ok(false),
            Err(_) => return Err(CaseError::BadLabel(label_text.to_string())),
        };
        let rest: Vec<&str> = fields.collect();
        let Some(second) = rest.first() else {
            return Err(CaseError::NoProbabilities);
        };
        let format = if second.contains(':') { Format::TopK } else { Format::Full };
        if *self.format.get_or_insert(format) != format {
            return Err(CaseError::MixedFormats);
        }
        let g = match format {
            Format::Full => {
                self.probs.clear();
                for (i, f) in rest.iter().enumerate() {
                    self.probs.push(number(i + 2, f)?);
                }
                let found = self.probs.len();
                let expected = *self.classes.get_or_insert(found as u64);
                if expected < 2 {
                    return Err(CaseError::TooFewClasses(expected));
                }
                if found as u64 != expected {
                    return Err(CaseError::ColumnCount { expected, found });
                }
                case_gradient_in(&self.probs, label, &self.opts.params, &mut self.scratch)?
            }
            Format::TopK => {
                let classes = self.classes.ok_or(CaseError::ClassesNeeded)?;
                self.pairs.clear();
                for (i, f) in rest.iter().enumerate() {
                    let (c, p) = f.split_once(':').ok_or_else(|| CaseError::BadPair(f.to_string()))?;
                    let class = c.trim().parse::<u64>().map_err(|_| CaseError::BadPair(f.to_string()))?;
                    self.pairs.push((class, number(i + 2, p.trim())?));
                }
                case_gradient_top_k(&self.pairs, label, classes, &self.opts.params)?
            }
        };
        self.stats.push(g);
        Ok(true)
    }
}

/// Read cases from `reader`; `source_name` names it in errors (a path, `<stdin>`).
pub fn parse_probabilities(reader: impl BufRead, source_name: &str, opts: ProbsOptions) -> Result<RecGrad> {
    if let Some(c) = opts.classes.filter(|&c| c < 2) {
        return Err(Error::TooFewClasses { classes: c });
    }
    let mut r = Reader {
        opts,
        format: None,
        classes: opts.classes,
        stats: GradientStats::default(),
        probs: Vec::new(),
        pairs: Vec::new(),
        scratch: Vec::new(),
    };
    let mut first = true;
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|source| Error::Io { path: source_name.to_string(), source })?;
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        r.row(text, first).map_err(|e| Error::Csv {
            source_name: source_name.to_string(),
            line: i + 1,
            kind: CsvError::Case(e),
        })?;
        first = false;
    }
    r.stats.finish(r.classes).ok_or_else(|| Error::EmptyFile { source_name: source_name.to_string() })
}

/// Read cases from a file.
pub fn read_probabilities(path: &Path, opts: ProbsOptions) -> Result<RecGrad> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| Error::Io { path: name.clone(), source })?;
    parse_probabilities(std::io::BufReader::new(file), &name, opts)
}
