//! Reading one device's measurements back, row by row, for training and evaluation
//! (einf-predictor's `DeviceData::from_store` turns them into samples).
//!
//! Rows come in import order (the order of the imported files' lines), values in canonical
//! units. The device's distinct kernels and models are read once each and shared by their
//! rows, so reading is one pass over the device's measurements.

use super::import::{ImportInfo, get_u64};
use super::{Store, StoreError, query};
use crate::batch::{Device, Metric};
use einf_parser::ir::DType;
use einf_parser::kernel::{KernelConfig, KernelKind};
use rusqlite::Connection;
use rustc_hash::FxHashMap;
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
        let device =
            self.devices()?.into_iter().find(|d| d.device.name == name).map(|d| d.device).ok_or_else(
                || StoreError::Corrupt { path: self.path.clone(), what: "a device vanished".into() },
            )?;
        let fail = |e: Failure| match e {
            Failure::Sql(error) => self.sql("reading a device's measurements", error),
            Failure::Corrupt(what) => StoreError::Corrupt { path: self.path.clone(), what },
        };
        let (kernels, models) = read_rows(&self.conn, id, filter).map_err(fail)?;
        let imports =
            query::imports(&self.conn, Some(id)).map_err(|e| self.sql("listing a device's imports", e))?;
        Ok(DeviceRows { device, kernels, models, imports })
    }
}

enum Failure {
    Sql(rusqlite::Error),
    Corrupt(String),
}

impl From<rusqlite::Error> for Failure {
    fn from(e: rusqlite::Error) -> Self {
        Failure::Sql(e)
    }
}

/// The device's distinct kernels, by id.
fn kernels_of(conn: &Connection, device: i64) -> Result<FxHashMap<i64, Arc<StoredKernel>>, Failure> {
    let mut st = conn.prepare_cached(
        "SELECT k.id, k.kind, k.batch, k.input_h, k.input_w, k.output_h, k.output_w, k.cin, k.cout, \
         k.kernel_h, k.kernel_w, k.stride_h, k.stride_w, k.pad_top, k.pad_left, k.pad_bottom, k.pad_right, \
         k.dilation_h, k.dilation_w, k.groups, k.dtype, k.input_channels FROM kernels k \
         WHERE k.id IN (SELECT DISTINCT kernel_id FROM measurements WHERE device_id = ?1)",
    )?;
    let mut rows = st.query([device])?;
    let mut out = FxHashMap::default();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let kind_text: String = r.get(1)?;
        let kind: KernelKind =
            kind_text.parse().map_err(|e: String| Failure::Corrupt(format!("kernel {id}: kind: {e}")))?;
        let mut n = [0u64; 18];
        for (i, v) in n.iter_mut().enumerate() {
            *v = get_u64(r, i + 2)?;
        }
        let dtype_text: String = r.get(20)?;
        let dtype = DType::from_name(&dtype_text)
            .ok_or_else(|| Failure::Corrupt(format!("kernel {id}: dtype '{dtype_text}'")))?;
        let channels_text: String = r.get(21)?;
        let channels = channels_text
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<u64>())
            .collect::<Result<Vec<u64>, _>>()
            .map_err(|_| Failure::Corrupt(format!("kernel {id}: input_channels '{channels_text}'")))?;
        let config = KernelConfig::from_whole_numbers(n, dtype, channels);
        out.insert(id, Arc::new(StoredKernel { kind, config }));
    }
    Ok(out)
}

/// Stored models by id: name and file sha256.
type Models = FxHashMap<i64, (Arc<str>, Option<String>)>;

/// The device's models (measured whole or as a kernel's home), by id.
fn models_of(conn: &Connection, device: i64) -> Result<Models, Failure> {
    let mut st = conn.prepare_cached(
        "SELECT id, name, file_sha256 FROM models \
         WHERE id IN (SELECT DISTINCT model_id FROM measurements WHERE device_id = ?1)",
    )?;
    let mut rows = st.query([device])?;
    let mut out = FxHashMap::default();
    while let Some(r) = rows.next()? {
        let name: String = r.get(1)?;
        out.insert(r.get(0)?, (Arc::from(name), r.get(2)?));
    }
    Ok(out)
}

fn read_rows(
    conn: &Connection,
    device: i64,
    filter: &Filter,
) -> Result<(Vec<KernelRow>, Vec<ModelRow>), Failure> {
    let kernels = kernels_of(conn, device)?;
    let models = models_of(conn, device)?;
    let mut st = conn.prepare_cached(
        "SELECT kernel_id, model_id, metric, value, run, source_id FROM measurements \
         WHERE device_id = ?1 AND (?2 IS NULL OR metric = ?2) ORDER BY id",
    )?;
    let mut rows = st.query(rusqlite::params![device, filter.metric.map(Metric::name)])?;
    let (mut kernel_rows, mut model_rows) = (Vec::new(), Vec::new());
    while let Some(r) = rows.next()? {
        let kernel_id: Option<i64> = r.get(0)?;
        let model_id: Option<i64> = r.get(1)?;
        let metric_ref = r.get_ref(2)?;
        let metric_text = metric_ref.as_str().map_err(|e| Failure::Corrupt(format!("metric: {e}")))?;
        let metric = Metric::from_name(metric_text)
            .ok_or_else(|| Failure::Corrupt(format!("metric '{metric_text}'")))?;
        let value: f64 = r.get(3)?;
        let run = r.get::<_, Option<i64>>(4)?.map(|v| u32::try_from(v).unwrap_or(u32::MAX));
        let model = match model_id {
            Some(m) => Some(
                models
                    .get(&m)
                    .ok_or_else(|| Failure::Corrupt(format!("measurement of a missing model {m}")))?,
            ),
            None => None,
        };
        match kernel_id {
            Some(k) => {
                let kernel = kernels
                    .get(&k)
                    .ok_or_else(|| Failure::Corrupt(format!("measurement of a missing kernel {k}")))?;
                kernel_rows.push(KernelRow {
                    kernel: Arc::clone(kernel),
                    model: model.map(|(name, _)| Arc::clone(name)),
                    metric,
                    value,
                    run,
                    source_id: r.get(5)?,
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
    Ok((kernel_rows, model_rows))
}
