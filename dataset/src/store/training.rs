//! Reading one device's measurements back, row by row, for training and evaluation
//! (einf-predictor's `DeviceData::from_store` turns them into samples).
//!
//! Rows come in import order (the order of the imported files' lines), values in canonical
//! units. The device's distinct kernels and models are read once each and shared by their
//! rows, so reading is one pass over the device's measurements.

use super::graphs::stored_kernel;
use super::import::ImportInfo;
use super::query::Failure;
use super::{Store, StoreError, query};
use crate::batch::{Device, DeviceClass, Metric};
use einf_parser::kernel::{KernelConfig, KernelKind};
use rusqlite::Connection;
use rustc_hash::FxHashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

/// Which of a device's measurements to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this metric's (all metrics when `None`).
    pub metric: Option<Metric>,
}

/// A stored kernel: kind and configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredKernel {
    /// Kind.
    pub kind: KernelKind,
    /// Configuration.
    pub config: KernelConfig,
}

/// One kernel measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelRow {
    /// The kernel (shared by every row that measures it).
    pub kernel: Arc<StoredKernel>,
    /// The model it was measured inside, if any.
    pub model: Option<Arc<str>>,
    /// Metric.
    pub metric: Metric,
    /// Value in the metric's unit (mJ, ms, mW).
    pub value: f64,
    /// Repeated-run index, when the source numbers its runs.
    pub run: Option<u32>,
    /// The source's name for the kernel.
    pub source_id: Option<String>,
}

/// One whole-model measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRow {
    /// Model name.
    pub model: Arc<str>,
    /// sha256 of the model file, when known.
    pub file_sha256: Option<String>,
    /// Metric.
    pub metric: Metric,
    /// Value in the metric's unit.
    pub value: f64,
    /// Repeated-run index, when the source numbers its runs.
    pub run: Option<u32>,
}

/// A device's measurements, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRows {
    /// The device.
    pub device: Device,
    /// Kernel measurements, in import order.
    pub kernels: Vec<KernelRow>,
    /// Whole-model measurements, in import order.
    pub models: Vec<ModelRow>,
    /// The imports the rows came from, oldest first.
    pub imports: Vec<ImportInfo>,
}

impl DeviceRows {
    /// Metrics with at least one row (kernel or model), in [`Metric::ALL`] order.
    pub fn metrics(&self) -> Vec<Metric> {
        let kernels = self.kernels.iter().map(|k| k.metric);
        let mut m: Vec<Metric> = kernels.chain(self.models.iter().map(|m| m.metric)).collect();
        m.sort();
        m.dedup();
        m
    }
}

impl Store {
    /// Every measurement of device `name` that `filter` lets through. An unknown device is
    /// [`StoreError::UnknownDevice`], naming the devices the store has.
    pub fn device_rows(&self, name: &str, filter: &Filter) -> Result<DeviceRows, StoreError> {
        let id = self.device_id(name)?;
        let fail = self.fail("reading a device's measurements");
        let device = device(&self.conn, id).map_err(&fail)?;
        let Read { kernels, models, imports } = read_rows(&self.conn, id, filter).map_err(fail)?;
        let imports = imports
            .into_iter()
            .map(|i| query::import(&self.conn, i))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.sql("listing a device's imports", e))?;
        Ok(DeviceRows { device, kernels, models, imports })
    }
}

/// The description of device `id`.
fn device(conn: &Connection, id: i64) -> Result<Device, Failure> {
    let mut st =
        conn.prepare_cached("SELECT name, class, soc, runtime, precision, notes FROM devices WHERE id = ?1")?;
    let (name, class, soc, runtime, precision, notes): (String, String, _, _, _, _) =
        st.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?;
    let class = class
        .parse::<DeviceClass>()
        .ok()
        .ok_or_else(|| Failure::Corrupt(format!("device class '{class}'")))?;
    Ok(Device { name, class, soc, runtime, precision, notes })
}

/// A stored model: name and file sha256.
type StoredModel = (Arc<str>, Option<String>);

/// Model `id` of the `models` table.
fn read_model(st: &mut rusqlite::CachedStatement<'_>, id: i64) -> Result<StoredModel, Failure> {
    let mut rows = st.query([id])?;
    let r = rows.next()?.ok_or_else(|| Failure::Corrupt(format!("measurement of a missing model {id}")))?;
    let name: String = r.get(0)?;
    Ok((Arc::from(name), r.get(1)?))
}

/// What [`read_rows`] reads.
struct Read {
    kernels: Vec<KernelRow>,
    models: Vec<ModelRow>,
    /// Ids of the imports with rows on the device, ascending.
    imports: Vec<i64>,
}

/// One pass over the device's measurements in import order: the rows `filter` lets through,
/// and the ids of the imports of every row (whatever `filter` says), ascending. Each kernel and
/// model is read once, when a row first refers to it, and shared by its rows.
fn read_rows(conn: &Connection, device: i64, filter: &Filter) -> Result<Read, Failure> {
    let mut model_st = conn.prepare_cached("SELECT name, file_sha256 FROM models WHERE id = ?1")?;
    let mut kernels: FxHashMap<i64, Arc<StoredKernel>> = FxHashMap::default();
    let mut models: FxHashMap<i64, StoredModel> = FxHashMap::default();
    let mut imports: Vec<i64> = Vec::new();
    let mut st = conn.prepare_cached(
        "SELECT import_id, kernel_id, model_id, metric, value, run, source_id FROM measurements \
         WHERE device_id = ?1 ORDER BY id",
    )?;
    let mut rows = st.query([device])?;
    let (mut kernel_rows, mut model_rows) = (Vec::new(), Vec::new());
    while let Some(r) = rows.next()? {
        let import: i64 = r.get(0)?;
        if imports.last() != Some(&import) && !imports.contains(&import) {
            imports.push(import);
        }
        let metric_ref = r.get_ref(3)?;
        let metric_text = metric_ref.as_str().map_err(|e| Failure::Corrupt(format!("metric: {e}")))?;
        let metric = Metric::from_name(metric_text)
            .ok_or_else(|| Failure::Corrupt(format!("metric '{metric_text}'")))?;
        if filter.metric.is_some_and(|m| m != metric) {
            continue;
        }
        let kernel_id: Option<i64> = r.get(1)?;
        let model_id: Option<i64> = r.get(2)?;
        let value: f64 = r.get(4)?;
        let run = r.get::<_, Option<i64>>(5)?.map(|v| u32::try_from(v).unwrap_or(u32::MAX));
        let model = match model_id {
            Some(m) => Some(match models.entry(m) {
                Entry::Occupied(e) => &*e.into_mut(),
                Entry::Vacant(e) => &*e.insert(read_model(&mut model_st, m)?),
            }),
            None => None,
        };
        match kernel_id {
            Some(k) => {
                let kernel = match kernels.entry(k) {
                    Entry::Occupied(e) => Arc::clone(e.get()),
                    Entry::Vacant(e) => {
                        let (kind, config) = stored_kernel(conn, k)?.ok_or_else(|| {
                            Failure::Corrupt(format!("measurement of a missing kernel {k}"))
                        })?;
                        Arc::clone(e.insert(Arc::new(StoredKernel { kind, config })))
                    }
                };
                kernel_rows.push(KernelRow {
                    kernel,
                    model: model.map(|(name, _)| Arc::clone(name)),
                    metric,
                    value,
                    run,
                    source_id: r.get(6)?,
                });
            }
            None => {
                let (name, sha) = model
                    .ok_or_else(|| Failure::Corrupt("a measurement of neither kernel nor model".into()))?;
                model_rows.push(ModelRow {
                    model: Arc::clone(name),
                    file_sha256: sha.clone(),
                    metric,
                    value,
                    run,
                });
            }
        }
    }
    imports.sort_unstable();
    Ok(Read { kernels: kernel_rows, models: model_rows, imports })
}
