//! Writing a batch's model graphs ([`ModelGraph`]): each model's kernel list per backend, in
//! `model_graphs`, with every distinct list stored once in `kernel_lists`.
//!
//! A graph the store already holds for the same model and backend, with the same kernels, adds
//! nothing; one with other kernels is an error naming the model (a model name and file hash name
//! one model, whose kernels for a backend do not change).

use super::error::StoreError;
use super::graphs::{digest, list_text};
use super::import::{Failure, Subjects, check_model, config_ints, invalid};
use super::source::ImportSource;
use crate::batch::{ImportBatch, ModelGraph, ModelRecord, Subject};
use rusqlite::{OptionalExtension, Transaction, params};
use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::Arc;

/// (model name, file hash, backend): what a graph is the graph of.
type GraphKey<'b> = (&'b str, Option<&'b str>, Option<&'b str>);

/// The batch's graphs, checked before anything is written: one per (model, backend), in batch
/// order. A graph given twice must be the same both times, and a model's graphs agree on its
/// architecture.
pub(super) fn check<'b>(
    batch: &'b ImportBatch,
    source: &ImportSource,
) -> Result<Vec<&'b ModelGraph>, StoreError> {
    let mut seen: FxHashMap<GraphKey<'b>, &'b ModelGraph> = FxHashMap::default();
    let mut archs: FxHashMap<(&'b str, Option<&'b str>), Option<&'b str>> = FxHashMap::default();
    let mut out = Vec::with_capacity(batch.graphs.len());
    // Graphs share kernel tables: each table is checked once.
    let mut tables_checked: FxHashSet<usize> = FxHashSet::default();
    for g in &batch.graphs {
        let bad = |what: String| invalid(source, first_line(batch, &g.model), what);
        let name = describe(&g.model, g.backend.as_deref());
        check_model(&g.model).map_err(|e| bad(format!("graph of {name}: {e}")))?;
        if g.backend.as_deref().is_some_and(|b| b.trim().is_empty()) {
            return Err(bad(format!("graph of model '{}': empty backend name", g.model.name)));
        }
        if g.arch.as_deref().is_some_and(|a| a.trim().is_empty()) {
            return Err(bad(format!("graph of {name}: empty architecture")));
        }
        let (table, _) = g.kernels.parts();
        if tables_checked.insert(Arc::as_ptr(table) as usize) {
            for (kind, config) in g.kernels.iter() {
                config_ints(config).map_err(|e| bad(format!("graph of {name}, a {kind} kernel: {e}")))?;
            }
            for (kind, config) in table.iter() {
                config_ints(config)
                    .map_err(|e| bad(format!("a graph's kernel table, a {kind} kernel: {e}")))?;
            }
        }
        let model = (g.model.name.as_str(), g.model.file_sha256.as_deref());
        let arch = *archs.entry(model).or_insert(g.arch.as_deref());
        if arch != g.arch.as_deref() {
            return Err(bad(format!(
                "model '{}' is given as architecture {} and as {}",
                g.model.name,
                arch.unwrap_or("(none)"),
                g.arch.as_deref().unwrap_or("(none)")
            )));
        }
        match seen.get(&(model.0, model.1, g.backend.as_deref())) {
            Some(first) if first.kernels == g.kernels && first.uncosted == g.uncosted => {}
            Some(first) => {
                return Err(bad(format!(
                    "{name} is given two different kernel lists ({} and {} kernels)",
                    first.kernels.len(),
                    g.kernels.len()
                )));
            }
            None => {
                seen.insert((model.0, model.1, g.backend.as_deref()), g);
                out.push(g);
            }
        }
    }
    Ok(out)
}

/// `model 'name'` (with its file hash, when known) `for backend b` / `as its source lists it`.
fn describe(model: &ModelRecord, backend: Option<&str>) -> String {
    let sha = model.file_sha256.as_deref().map_or(String::new(), |s| format!(" (file sha256 {s})"));
    let backend = backend.map_or("as its source lists it".to_string(), |b| format!("for backend {b}"));
    format!("model '{}'{sha} {backend}", model.name)
}

/// The line of the batch's first measurement of `model` (0 when it has none): where a graph's
/// problem is reported, graphs having no line of their own.
fn first_line(batch: &ImportBatch, model: &ModelRecord) -> usize {
    batch
        .measurements
        .iter()
        .find(|m| matches!(&m.subject, Subject::Model(r) if r == model))
        .map_or(0, |m| m.line)
}

/// Write the checked `graphs` of `batch` (import `import_id`); returns how many were new.
pub(super) fn write<'b>(
    tx: &Transaction<'_>,
    graphs: &[&'b ModelGraph],
    batch: &ImportBatch,
    source: &ImportSource,
    import_id: i64,
    subjects: &mut Subjects<'b>,
) -> Result<u64, Failure> {
    let mut lists: FxHashMap<String, i64> = FxHashMap::default();
    // The kernel ids of each shared table's entries (-1: not looked up yet).
    let mut table_ids: FxHashMap<usize, Vec<i64>> = FxHashMap::default();
    let mut new = 0;
    let mut ids: Vec<i64> = Vec::new();
    // Models whose architecture was written or checked.
    let mut arch_done: FxHashSet<i64> = FxHashSet::default();
    for g in graphs {
        let conflict = |what: String| Failure::Invalid(invalid(source, first_line(batch, &g.model), what));
        let model_id = subjects.model(tx, &g.model.name, g.model.file_sha256.as_deref())?;
        if let Some(arch) = &g.arch
            && arch_done.insert(model_id)
        {
            // A model this import inserted has no architecture yet.
            let stored: Option<String> = if subjects.inserted_models.contains(&model_id) {
                None
            } else {
                tx.prepare_cached("SELECT arch FROM models WHERE id = ?1")?
                    .query_row([model_id], |r| r.get(0))?
            };
            match stored {
                None => {
                    tx.prepare_cached("UPDATE models SET arch = ?2 WHERE id = ?1")?
                        .execute(params![model_id, arch])?;
                }
                Some(s) if s == *arch => {}
                Some(s) => {
                    return Err(conflict(format!(
                        "model '{}' is stored as architecture {s}, this file says {arch} (use another model name)",
                        g.model.name
                    )));
                }
            }
        }
        ids.clear();
        let (table, index) = g.kernels.parts();
        let slots = table_ids.entry(Arc::as_ptr(table) as usize).or_insert_with(|| vec![-1; table.len()]);
        for &i in index {
            let (Some(slot), Some((kind, config))) = (slots.get_mut(i as usize), table.get(i as usize))
            else {
                continue;
            };
            if *slot < 0 {
                *slot = subjects.kernel(tx, kind, config)?;
            }
            ids.push(*slot);
        }
        let text = list_text(&ids);
        let uncosted = i64::from(g.uncosted);
        // A model this import inserted has no stored graph to compare with.
        let stored: Option<(String, i64, i64)> = if subjects.inserted_models.contains(&model_id) {
            None
        } else {
            tx
            .prepare_cached(
                "SELECT l.kernels, g.uncosted, l.length FROM model_graphs g JOIN kernel_lists l ON l.id = g.list_id \
                 WHERE g.model_id = ?1 AND ifnull(g.backend, '') = ifnull(?2, '')",
            )?
            .query_row(params![model_id, g.backend], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?
        };
        match stored {
            Some((t, u, _)) if t == text && u == uncosted => continue,
            Some((_, u, n)) => {
                return Err(conflict(format!(
                    "{} is already stored with other kernels ({n} kernels, {u} uncosted; this file gives {}, {}): \
                     a model name and file hash name one model (use another model name)",
                    describe(&g.model, g.backend.as_deref()),
                    g.kernels.len(),
                    g.uncosted
                )));
            }
            None => {}
        }
        let list_id = match lists.get(&text) {
            Some(&id) => id,
            None => {
                let id = list_id(tx, &text, ids.len())?;
                lists.insert(text, id);
                id
            }
        };
        tx.prepare_cached(
            "INSERT INTO model_graphs (model_id, backend, list_id, uncosted, import_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![model_id, g.backend, list_id, uncosted, import_id])?;
        new += 1;
    }
    Ok(new)
}

/// The id of the stored list `text` of `len` kernels, inserted if the store lacks it.
fn list_id(tx: &Transaction<'_>, text: &str, len: usize) -> rusqlite::Result<i64> {
    let d = digest(text);
    let mut st = tx.prepare_cached("SELECT id, kernels FROM kernel_lists WHERE digest = ?1")?;
    let mut rows = st.query([d])?;
    while let Some(r) = rows.next()? {
        if r.get_ref(1)?.as_str().is_ok_and(|t| t == text) {
            return r.get(0);
        }
    }
    let len = i64::try_from(len).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))?;
    tx.prepare_cached("INSERT INTO kernel_lists (digest, length, kernels) VALUES (?1, ?2, ?3)")?
        .execute(params![d, len, text])?;
    Ok(tx.last_insert_rowid())
}
