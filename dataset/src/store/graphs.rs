//! Reading model graphs back: the kernel lists of the models a device measured whole.
//!
//! A list is stored once, as a JSON array of `kernels.id` in execution order (see
//! [`super::schema`], version 2); [`Store::model_graph_table`] reads each distinct list and
//! kernel once, and [`Store::model_graphs`] expands them per graph.

use super::query::Failure;
use super::{Store, StoreError};
use einf_parser::ir::DType;
use einf_parser::kernel::{KernelConfig, KernelKind};
use rusqlite::Connection;
use rustc_hash::FxHashMap;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The kernels of one model measured whole on a device, for one backend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredGraph {
    /// Model name.
    pub model: String,
    /// sha256 of the model file, when known (a model is its name and this hash).
    pub file_sha256: Option<String>,
    /// The parser backend whose rules split the model (`tflite-gpu`, ...); `None` when the
    /// source listed the kernels itself.
    pub backend: Option<String>,
    /// The costed kernels, in execution order.
    pub kernels: Vec<(KernelKind, KernelConfig)>,
    /// Kernels the parser could not cost, not in `kernels`.
    pub uncosted: u32,
}

/// The graphs of a device's models with each distinct kernel once: the compact form of
/// [`Store::model_graphs`] (a HELP device's 15,625 NAS-Bench-201 models × 4 backends are 5.8
/// million kernels in graphs, but 95 distinct ones).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GraphTable {
    /// Every kernel some graph has, each once.
    pub kernels: Vec<(KernelKind, KernelConfig)>,
    /// The graphs, ordered by model name, file hash, then backend (`None` first).
    pub graphs: Vec<GraphRow>,
}

/// One graph of a [`GraphTable`].
#[derive(Debug, Clone, PartialEq)]
pub struct GraphRow {
    /// Model name.
    pub model: String,
    /// sha256 of the model file, when known.
    pub file_sha256: Option<String>,
    /// Parser backend, `None` when the source listed the kernels.
    pub backend: Option<String>,
    /// The costed kernels in execution order, as indices into [`GraphTable::kernels`] (graphs
    /// with the same list share it).
    pub kernels: Arc<[u32]>,
    /// Kernels the parser could not cost.
    pub uncosted: u32,
}

impl GraphTable {
    /// One [`StoredGraph`] per graph, kernels written out.
    pub fn expand(&self) -> Vec<StoredGraph> {
        self.graphs
            .iter()
            .map(|g| StoredGraph {
                model: g.model.clone(),
                file_sha256: g.file_sha256.clone(),
                backend: g.backend.clone(),
                kernels: g.kernels.iter().filter_map(|&i| self.kernels.get(i as usize).cloned()).collect(),
                uncosted: g.uncosted,
            })
            .collect()
    }
}

/// A kernel list as stored: the ids as a JSON array, `[3,1,4]`.
pub(super) fn list_text(ids: &[i64]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(2 + 4 * ids.len());
    s.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let _ = write!(s, "{id}");
    }
    s.push(']');
    s
}

/// The ids of a stored list ([`list_text`]), `None` when it is not one.
fn parse_list(text: &str) -> Option<Vec<i64>> {
    let inner = text.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    if inner.is_empty() {
        return Some(Vec::new());
    }
    inner.split(',').map(|t| t.trim().parse().ok()).collect()
}

/// `kernel_lists.digest` of a list: its sha256's first 8 bytes, big-endian, as a signed integer.
pub(super) fn digest(text: &str) -> i64 {
    let h = Sha256::digest(text.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(h.get(..8).unwrap_or(&[0; 8]));
    i64::from_be_bytes(b)
}

/// The kernel `id` of the `kernels` table (`None` when no row has that id). One reader for every
/// read-back: device rows ([`super::training`]) and model graphs.
pub(super) fn stored_kernel(
    conn: &Connection,
    id: i64,
) -> Result<Option<(KernelKind, KernelConfig)>, Failure> {
    let mut st = conn.prepare_cached(
        "SELECT kind, batch, input_h, input_w, output_h, output_w, cin, cout, kernel_h, kernel_w, stride_h, \
         stride_w, pad_top, pad_left, pad_bottom, pad_right, dilation_h, dilation_w, groups, dtype, \
         input_channels FROM kernels WHERE id = ?1",
    )?;
    let mut rows = st.query([id])?;
    let Some(r) = rows.next()? else { return Ok(None) };
    let corrupt = |what: String| Failure::Corrupt(format!("kernel {id}: {what}"));
    let kind: String = r.get(0)?;
    let kind = kind.parse::<KernelKind>().map_err(|e| corrupt(format!("kind '{kind}': {e}")))?;
    let mut n = [0u64; 18];
    for (i, slot) in n.iter_mut().enumerate() {
        let v: i64 = r.get(i + 1)?;
        *slot = u64::try_from(v).map_err(|_| corrupt(format!("negative {}", KernelConfig::COLUMNS[i])))?;
    }
    let dtype: String = r.get(19)?;
    let dtype = DType::from_name(&dtype).ok_or_else(|| corrupt(format!("dtype '{dtype}'")))?;
    let channels: String = r.get(20)?;
    let input_channels = channels
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| c.parse::<u64>().map_err(|_| corrupt(format!("input_channels '{channels}'"))))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((kind, KernelConfig::from_whole_numbers(n, dtype, input_channels))))
}

impl Store {
    /// The kernels of every model measured whole on `device`, one [`StoredGraph`] per stored
    /// graph (model, backend), ordered by model name, file hash, then backend (`None` first). A
    /// model without a stored graph has none here (the kernels measured inside a model, as
    /// qed-usc's, are measurements: the `model` of their kernel rows).
    ///
    /// Each graph holds its kernels written out; for devices with many models (a HELP device:
    /// 62,500 graphs of ~90 kernels) [`Store::model_graph_table`] holds each distinct kernel once.
    pub fn model_graphs(&self, device: &str) -> Result<Vec<StoredGraph>, StoreError> {
        Ok(self.model_graph_table(device)?.expand())
    }

    /// [`Store::model_graphs`] with each distinct kernel read and held once.
    pub fn model_graph_table(&self, device: &str) -> Result<GraphTable, StoreError> {
        let id = self.device_id(device)?;
        self.graph_table(id).map_err(self.fail("reading model graphs"))
    }

    fn graph_table(&self, device: i64) -> Result<GraphTable, Failure> {
        let mut st = self.conn.prepare(
            "SELECT mo.name, mo.file_sha256, g.backend, g.uncosted, g.list_id, l.kernels \
             FROM model_graphs g JOIN models mo ON mo.id = g.model_id JOIN kernel_lists l ON l.id = g.list_id \
             WHERE g.model_id IN (SELECT model_id FROM measurements WHERE device_id = ?1 AND kernel_id IS NULL) \
             ORDER BY mo.name, mo.file_sha256, g.backend",
        )?;
        let mut rows = st.query([device])?;
        let mut table = GraphTable::default();
        let mut lists: FxHashMap<i64, Arc<[u32]>> = FxHashMap::default();
        let mut index: FxHashMap<i64, u32> = FxHashMap::default();
        while let Some(r) = rows.next()? {
            let list_id: i64 = r.get(4)?;
            let kernels = match lists.get(&list_id) {
                Some(k) => Arc::clone(k),
                None => {
                    let text = r.get_ref(5)?.as_str().map_err(|e| Failure::Sql(e.into()))?;
                    let ids = parse_list(text).ok_or_else(|| {
                        Failure::Corrupt(format!("kernel list {list_id} is not a list of ids"))
                    })?;
                    let mut out = Vec::with_capacity(ids.len());
                    for kid in ids {
                        let i = match index.get(&kid) {
                            Some(&i) => i,
                            None => {
                                let i = u32::try_from(table.kernels.len())
                                    .map_err(|_| Failure::Corrupt("more than 2^32 kernels".into()))?;
                                let k = stored_kernel(&self.conn, kid)?.ok_or_else(|| {
                                    Failure::Corrupt(format!(
                                        "a kernel list names kernel {kid}, which is not stored"
                                    ))
                                })?;
                                table.kernels.push(k);
                                index.insert(kid, i);
                                i
                            }
                        };
                        out.push(i);
                    }
                    let k: Arc<[u32]> = out.into();
                    lists.insert(list_id, Arc::clone(&k));
                    k
                }
            };
            let uncosted: i64 = r.get(3)?;
            table.graphs.push(GraphRow {
                model: r.get(0)?,
                file_sha256: r.get(1)?,
                backend: r.get(2)?,
                kernels,
                uncosted: u32::try_from(uncosted)
                    .map_err(|_| Failure::Corrupt(format!("uncosted kernel count {uncosted}")))?,
            });
        }
        Ok(table)
    }
}

/// Models measured whole on the device `device` (an id) that have their kernels: a stored graph
/// (any backend), or kernels measured inside them on the same device.
pub(super) fn models_linked(conn: &Connection, device: i64) -> rusqlite::Result<u64> {
    conn.query_row(
        "WITH whole AS (SELECT DISTINCT model_id FROM measurements WHERE device_id = ?1 AND kernel_id IS NULL), \
         inside AS (SELECT DISTINCT model_id FROM measurements \
                    WHERE device_id = ?1 AND kernel_id IS NOT NULL AND model_id IS NOT NULL) \
         SELECT count(*) FROM whole \
         WHERE model_id IN (SELECT model_id FROM model_graphs) OR model_id IN (SELECT model_id FROM inside)",
        [device],
        |r| super::import::get_u64(r, 0),
    )
}

/// Kernel lists that name a kernel the store does not have (the lists' ids are not foreign keys
/// SQLite checks), for [`Store::integrity_check`].
pub(super) fn dangling_list_kernels(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare(
        "SELECT l.id, j.value FROM kernel_lists l, json_each(l.kernels) j \
         WHERE j.type <> 'integer' OR NOT EXISTS (SELECT 1 FROM kernels k WHERE k.id = j.value) LIMIT 20",
    )?;
    let rows = st.query_map([], |r| {
        Ok(format!("kernel_lists row {} names kernel {:?}, which is not stored", r.get::<_, i64>(0)?, {
            r.get::<_, rusqlite::types::Value>(1)?
        }))
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_written_and_read_back() {
        for ids in [vec![], vec![7], vec![3, 1, 4, 1, 5]] {
            let t = list_text(&ids);
            assert_eq!(parse_list(&t), Some(ids));
        }
        assert_eq!(list_text(&[3, 1]), "[3,1]");
        assert_eq!(parse_list("[1,x]"), None);
        assert_eq!(parse_list("1,2"), None);
        assert_ne!(digest("[1,2]"), digest("[2,1]"));
    }
}
