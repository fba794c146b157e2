//! The export-origin bookkeeping: the original imports an export's rows name in their `file`,
//! `file_sha256` and `line` columns, counted for the provenance text and keyed per row.

use super::{Res, sha256};
use crate::import::common::whole;
use rustc_hash::FxHashMap;

/// Where the rows of an `einf dataset export` were first imported from (its `file`,
/// `file_sha256` and `line` columns). The store keeps a file and its sha256 per import, not per
/// row, so a re-import names the original files in its provenance text; each row's original line
/// stays in the re-imported file itself, which the store keys by its sha256.
#[derive(Default)]
pub(super) struct Origins {
    /// Distinct (file, sha256) in first-seen order.
    list: Vec<Origin>,
    index: FxHashMap<(String, String), usize>,
    /// The origin of the previous row (an export lists an import's rows together).
    last: usize,
}

/// One original import: its rows in the file read and the lines they had in it.
struct Origin {
    file: String,
    sha256: String,
    rows: u64,
    lines: Option<(u64, u64)>,
}

/// How many original files the provenance text names (the rest are counted).
const ORIGINS_NAMED: usize = 20;

/// A row's original import (its index in [`Origins`]) and line (`u64::MAX`: not given).
pub(super) type OriginKey = (u32, u64);

/// The origin of a row that names none.
pub(super) const NO_ORIGIN: OriginKey = (u32::MAX, u64::MAX);

impl Origins {
    /// Take in a row's `file`, `file_sha256` and `line`; its origin, `None` when all are empty.
    pub(super) fn note(&mut self, file: &str, sha: &str, line: &str) -> Res<Option<OriginKey>> {
        if file.is_empty() && sha.is_empty() && line.is_empty() {
            return Ok(None);
        }
        if !sha.is_empty() {
            sha256("file_sha256", sha)?;
        }
        let line = match line {
            "" => None,
            t => Some(whole("line", t)?),
        };
        let i = match self.list.get(self.last) {
            Some(o) if o.file == file && o.sha256 == sha => self.last,
            _ => {
                let key = (file.to_string(), sha.to_string());
                let next = self.list.len();
                let i = *self.index.entry(key).or_insert(next);
                if i == next {
                    self.list.push(Origin { file: file.into(), sha256: sha.into(), rows: 0, lines: None });
                }
                i
            }
        };
        self.last = i;
        if let Some(o) = self.list.get_mut(i) {
            o.rows += 1;
            if let Some(l) = line {
                o.lines = Some(o.lines.map_or((l, l), |(a, b)| (a.min(l), b.max(l))));
            }
        }
        Ok(Some((u32::try_from(i).unwrap_or(u32::MAX - 1), line.unwrap_or(u64::MAX))))
    }

    /// Append the original files to the provenance notes (nothing when no row named one).
    pub(super) fn describe(&self, notes: &mut String) {
        use std::fmt::Write as _;
        if self.list.is_empty() {
            return;
        }
        let _ = writeln!(
            notes,
            "A re-import of an einf dataset export: its rows were first imported from {} file(s), as its file, \
             file_sha256 and line columns give them (each row's original line is in this file's line column; \
             the lines stored with this import are this file's; the original imports' licence and provenance \
             texts are not in an export: they stay with those imports in the store exported from):",
            self.list.len()
        );
        let unknown = |s: &str| if s.is_empty() { "?".to_string() } else { s.to_string() };
        for o in self.list.iter().take(ORIGINS_NAMED) {
            let lines = o.lines.map_or(String::new(), |(a, b)| format!(", lines {a}-{b} there"));
            let _ = writeln!(
                notes,
                "  {} (sha256 {}): {} rows{lines}",
                unknown(&o.file),
                unknown(&o.sha256),
                o.rows
            );
        }
        if let Some(rest) = self.list.get(ORIGINS_NAMED..).filter(|r| !r.is_empty()) {
            let rows: u64 = rest.iter().map(|o| o.rows).sum();
            let _ = writeln!(notes, "  and {} more file(s): {rows} rows", rest.len());
        }
    }
}
