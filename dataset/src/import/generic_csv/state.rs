//! The per-row reading: what rows share (devices, kinds, units, models, the keys seen, the
//! original imports of an export's rows), each row checked and converted into a measurement, and
//! the first duplicate key found.

use super::config::config;
use super::header::{
    CONFIG_COLUMNS, DEVICE, DEVICE_CLASS, FILE, FILE_SHA256, Header, KIND, LINE, METRIC, MODEL, MODEL_SHA256,
    PRECISION, REPETITIONS, RUN, RUNTIME, SOC, SOURCE_ID, STD, SUBJECT, UNIT, VALUE,
};
use super::origin::{NO_ORIGIN, OriginKey, Origins};
use super::{COLUMNS, Res, sha256};
use crate::batch::{Device, DeviceClass, KernelRecord, Measurement, Metric, ModelRecord, Subject};
use crate::import::ReadOptions;
use crate::import::common::{class_from_device_name, count, field, whole};
use crate::import::error::ImportErrorKind;
use crate::import::model_links;
use crate::import::units::Unit;
use einf_parser::kernel::{KernelKind, Role};
use rustc_hash::{FxHashMap, FxHasher};
use std::hash::{Hash, Hasher};

/// What identifies a measurement within a file: (device, kernel kind and configuration or
/// model and its file hash, model, metric, run), and on an export's rows their original file and
/// line ([`Origins`]: the original reader's distinct rows stay distinct). Rows are keyed by a hash
/// of it; two rows with the same hash are a duplicate only when their keys are equal (compared on
/// the rows themselves, so a hash collision is never taken for a duplicate).
fn same_key(a: &Measurement, b: &Measurement) -> bool {
    let subject = match (&a.subject, &b.subject) {
        (Subject::Kernel(x), Subject::Kernel(y)) => {
            x.kind == y.kind && x.config == y.config && x.model == y.model
        }
        (Subject::Model(x), Subject::Model(y)) => x == y,
        _ => false,
    };
    subject && a.device == b.device && a.metric == b.metric && a.run == b.run
}

/// What rows share: devices, parsed kinds and units, the keys seen, the original imports of an
/// export's rows.
pub(super) struct State<'o> {
    pub(super) opts: &'o ReadOptions,
    /// Devices in first-seen order: a device's id is its index.
    pub(super) devices: Vec<Device>,
    device_ids: FxHashMap<String, (u32, DeviceClass)>,
    kinds: FxHashMap<String, (u32, KernelKind)>,
    kind_ids: FxHashMap<KernelKind, u32>,
    models: FxHashMap<String, u32>,
    /// Model file hashes (`model_sha256`) by id: a model is its name and hash.
    model_shas: FxHashMap<String, u32>,
    pub(super) origins: Origins,
    units: Vec<(Metric, String, Unit)>,
    /// Every row's key hash ([`same_key`]) and index among the measurements, in file order until
    /// [`State::first_duplicate`] sorts them (one sort of 16-byte pairs costs less than a hash
    /// map of a million keys).
    keys: Vec<(u64, usize)>,
    /// Each row's original import and line, from the first row that names one (a row past its
    /// end names none).
    origin_of: Vec<OriginKey>,
    /// The model rows' links to their kernels, when the file has a `model_file` or `arch` column.
    pub(super) links: Option<model_links::Linker>,
}

impl<'o> State<'o> {
    /// State for a file of about `rows` rows (the map of keys is sized once, not regrown).
    pub(super) fn new(opts: &'o ReadOptions, rows: usize) -> State<'o> {
        State {
            opts,
            devices: Vec::new(),
            device_ids: FxHashMap::default(),
            kinds: FxHashMap::default(),
            kind_ids: FxHashMap::default(),
            models: FxHashMap::default(),
            model_shas: FxHashMap::default(),
            origins: Origins::default(),
            units: Vec::new(),
            keys: Vec::with_capacity(rows),
            origin_of: Vec::new(),
            links: None,
        }
    }

    /// Read one row into `out`.
    pub(super) fn row(
        &mut self,
        h: &Header,
        r: &csv::StringRecord,
        line: usize,
        out: &mut Vec<Measurement>,
    ) -> Res<()> {
        let get = |c: usize| h.at(c).map_or("", |i| field(r, i));

        let device_name = match (get(DEVICE), &self.opts.device) {
            ("", Some(d)) => d.as_str(),
            ("", None) => return Err(ImportErrorKind::Invalid("empty device".into())),
            (d, _) => d,
        };
        let described = [("soc", get(SOC)), ("runtime", get(RUNTIME)), ("precision", get(PRECISION))];
        let device = self.device(device_name, get(DEVICE_CLASS), described)?;

        let metric = Metric::from_name(get(METRIC)).ok_or_else(|| {
            ImportErrorKind::Invalid(format!("metric: '{}' is not energy, latency or power", get(METRIC)))
        })?;
        let unit = self.unit(metric, get(UNIT))?;
        let value = crate::import::common::positive("value", get(VALUE), metric.name())?;
        let std = match get(STD) {
            "" => None,
            t => {
                let s = crate::import::common::number("std", t)?;
                if s < 0.0 {
                    return Err(ImportErrorKind::Invalid(format!("std: negative standard deviation {s}")));
                }
                Some(unit.to_canonical(s))
            }
        };
        // `repetitions` ≥ 1; `run` ≥ 0, as the store keeps it (a NeurstrucEnergy `*_0.txt` is run 0).
        let small = |name: &str, t: &str, zero: bool| -> Res<Option<u32>> {
            if t.is_empty() {
                return Ok(None);
            }
            let v = if zero { whole(name, t)? } else { count(name, t)? };
            u32::try_from(v).map(Some).map_err(|_| ImportErrorKind::BadNumber {
                column: name.into(),
                text: t.into(),
                expected: "a whole number below 2^32",
            })
        };
        let repetitions = small("repetitions", get(REPETITIONS), false)?;
        let run = small("run", get(RUN), true)?;
        let model = match get(MODEL) {
            "" => None,
            m => Some(m.to_string()),
        };
        let kind_text = get(KIND);
        match (get(SUBJECT), kind_text) {
            ("", _) | ("model", "") => {}
            ("kernel", k) if !k.is_empty() => {}
            ("kernel", _) => {
                return Err(ImportErrorKind::Invalid(
                    "subject 'kernel' with an empty kind: a kernel row names its kind".into(),
                ));
            }
            ("model", k) => {
                return Err(ImportErrorKind::Invalid(format!(
                    "subject 'model' with kind '{k}': a model row leaves the kind empty"
                )));
            }
            (s, _) => return Err(ImportErrorKind::Invalid(format!("subject: '{s}' is not kernel or model"))),
        }
        let model_sha = match get(MODEL_SHA256) {
            "" => None,
            _ if !kind_text.is_empty() => {
                return Err(ImportErrorKind::Invalid(
                    "model_sha256 on a kernel row: only a whole-model row carries its model file's hash"
                        .into(),
                ));
            }
            s => Some(sha256("model_sha256", s)?),
        };
        let (model, model_sha) = match &mut self.links {
            Some(links) => {
                let cell = |c: usize| h.links.get(c).copied().flatten().map_or("", |i| field(r, i));
                links.row(!kind_text.is_empty(), cell(0), cell(1), model, model_sha, line)?
            }
            None => (model, model_sha.map(str::to_string)),
        };
        let sha_id = match model_sha.as_deref() {
            None => u32::MAX,
            Some(s) => next_id(&mut self.model_shas, s),
        };
        let model_id = model.as_deref().map_or(u32::MAX, |m| next_id(&mut self.models, m));
        let (subject, key_kind, key_config) = if kind_text.is_empty() {
            let Some(name) = model.clone() else {
                return Err(ImportErrorKind::Invalid(
                    "empty kind and empty model: a row measures a kernel (kind) or a model (model, or arch)"
                        .into(),
                ));
            };
            if let Some(c) = CONFIG_COLUMNS.clone().find(|&c| !get(c).is_empty()) {
                return Err(ImportErrorKind::Invalid(format!(
                    "model row with a kernel configuration ({} = '{}'): give the kind, or leave the configuration empty",
                    COLUMNS.get(c).copied().unwrap_or(""),
                    get(c)
                )));
            }
            let file_sha256 = model_sha;
            (Subject::Model(ModelRecord { name, file_sha256 }), u32::MAX, u64::from(sha_id))
        } else {
            let (kind_id, kind) = self.kind(kind_text)?;
            let config = config(&get, &kind)?;
            let mut hasher = FxHasher::default();
            config.hash(&mut hasher);
            let config_hash = hasher.finish();

            let source_id = match get(SOURCE_ID) {
                "" => None,
                s => Some(s.to_string()),
            };
            let record = KernelRecord { kind, config, source_id, model };
            (Subject::Kernel(record), kind_id, config_hash)
        };
        let origin = self.origins.note(get(FILE), get(FILE_SHA256), get(LINE))?;
        if let Some(o) = origin {
            self.origin_of.resize(out.len(), NO_ORIGIN);
            self.origin_of.push(o);
        }
        let mut key = FxHasher::default();
        (device, key_kind, model_id, key_config, run, metric, origin).hash(&mut key);
        self.keys.push((key.finish(), out.len()));
        out.push(Measurement {
            device: device_name.to_string(),
            subject,
            metric,
            value: unit.to_canonical(value),
            std,
            repetitions,
            run,
            line,
        });
        Ok(())
    }

    /// The first row, in file order, that measures what an earlier row measures (an error on
    /// that row naming the earlier one), as a hash map of the keys seen would find it row by row.
    pub(super) fn first_duplicate(&mut self, rows: &[Measurement]) -> Option<(usize, ImportErrorKind)> {
        self.keys.sort_unstable();
        let origin = |i: usize| self.origin_of.get(i).copied().unwrap_or(NO_ORIGIN);
        let same = |a: usize, b: usize| {
            origin(a) == origin(b) && rows.get(a).zip(rows.get(b)).is_some_and(|(a, b)| same_key(a, b))
        };
        // Runs of equal hashes, each in file order: a row repeats the first earlier row of its run
        // with the same key (a run holds more than one key only on a hash collision). The row
        // that repeats something earliest in the file is the one to report.
        let mut found: Option<(usize, usize)> = None;
        for run in self.keys.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
            for (j, &(_, later)) in run.iter().enumerate().skip(1) {
                if found.is_some_and(|(f, _)| later >= f) {
                    break;
                }
                if let Some(&(_, earlier)) = run.iter().take(j).find(|(_, i)| same(*i, later)) {
                    found = Some((later, earlier));
                    break;
                }
            }
        }
        let (later, earlier) = found?;
        let (m, first) = (rows.get(later)?, rows.get(earlier)?);
        let what = if matches!(m.subject, Subject::Model(_)) { "model" } else { "kernel" };
        let run = m.run.map_or(String::new(), |r| format!(", run {r}"));
        let kind = ImportErrorKind::Duplicate {
            key: format!(
                "{} of this {what} on {}{run} (number repeated runs with a 'run' column)",
                m.metric.name(),
                m.device
            ),
            first_line: first.line,
        };
        Some((m.line, kind))
    }

    /// The id of device `name`, described by its class and its `soc`, `runtime` and `precision`
    /// (an empty text is not given): the first row to give a field sets it, a later row may not
    /// give another.
    fn device(&mut self, name: &str, class_text: &str, described: [(&str, &str); 3]) -> Res<u32> {
        let id = self.device_class(name, class_text)?;
        if described.iter().all(|(_, text)| text.is_empty()) {
            return Ok(id);
        }
        let Some(d) = usize::try_from(id).ok().and_then(|i| self.devices.get_mut(i)) else {
            return Ok(id);
        };
        for ((field, text), slot) in described.into_iter().zip([&mut d.soc, &mut d.runtime, &mut d.precision])
        {
            match slot {
                _ if text.is_empty() => {}
                None => *slot = Some(text.to_string()),
                Some(earlier) if earlier != text => {
                    return Err(ImportErrorKind::Invalid(format!(
                        "device '{name}' has {field} '{text}' here and '{earlier}' on an earlier row"
                    )));
                }
                Some(_) => {}
            }
        }
        Ok(id)
    }

    /// The id of device `name` of class `class_text` (empty: known from an earlier row, the
    /// options or the name).
    fn device_class(&mut self, name: &str, class_text: &str) -> Res<u32> {
        let given = match class_text {
            "" => None,
            t => Some(
                t.parse::<DeviceClass>()
                    .map_err(|e| ImportErrorKind::Invalid(format!("device_class: {e}")))?,
            ),
        };
        if let Some(&(id, class)) = self.device_ids.get(name) {
            if given.is_some_and(|g| g != class) {
                return Err(ImportErrorKind::Invalid(format!(
                    "device '{name}' is {} here and {} on an earlier row",
                    class_text,
                    class.name()
                )));
            }
            return Ok(id);
        }
        let class = given.or(self.opts.device_class).or_else(|| class_from_device_name(name)).ok_or_else(|| {
            ImportErrorKind::Invalid(format!(
                "device '{name}': its class (cpu, gpu, npu, mcu, accelerator) cannot be known from its name; give a \
                 device_class column or --device-class"
            ))
        })?;
        let id = u32::try_from(self.device_ids.len()).unwrap_or(u32::MAX);
        self.device_ids.insert(name.to_string(), (id, class));
        self.devices.push(Device {
            notes: Some("device of a generic CSV import".into()),
            ..Device::named(name, class)
        });
        Ok(id)
    }

    fn unit(&mut self, metric: Metric, symbol: &str) -> Res<Unit> {
        if let Some((_, _, u)) = self.units.iter().find(|(m, s, _)| *m == metric && s == symbol) {
            return Ok(*u);
        }
        let u = Unit::for_metric(metric, symbol).map_err(|e| ImportErrorKind::Unit {
            column: "unit".into(),
            reason: if symbol.is_empty() {
                "empty: the value's unit cannot be known".into()
            } else {
                e.to_string()
            },
        })?;
        self.units.push((metric, symbol.to_string(), u));
        Ok(u)
    }

    fn kind(&mut self, text: &str) -> Res<(u32, KernelKind)> {
        if let Some((id, k)) = self.kinds.get(text) {
            return Ok((*id, k.clone()));
        }
        let unknown = |reason: String| ImportErrorKind::UnknownKind { kind: text.to_string(), reason };
        if text.starts_with("unsupported") {
            return Err(unknown("einf cannot cost unsupported kernels".into()));
        }
        let roles: Vec<Role> = text
            .split('-')
            .map(str::parse)
            .collect::<Result<_, String>>()
            .map_err(|e| unknown(format!("{e} (kinds are roles joined by '-', e.g. conv-bn-relu)")))?;
        let kind = KernelKind::from_roles(&roles);
        // Spellings of one kind (`conv-relu`, `conv-bn-relu`) share its id.
        let next = u32::try_from(self.kind_ids.len()).unwrap_or(u32::MAX - 1);
        let id = *self.kind_ids.entry(kind.clone()).or_insert(next);
        self.kinds.insert(text.to_string(), (id, kind.clone()));
        Ok((id, kind))
    }
}

/// The id of `text` in `ids`; a new one, the next number, when it is not there yet.
fn next_id(ids: &mut FxHashMap<String, u32>, text: &str) -> u32 {
    if let Some(&id) = ids.get(text) {
        return id;
    }
    let id = u32::try_from(ids.len()).unwrap_or(u32::MAX - 1);
    ids.insert(text.to_string(), id);
    id
}
