//! `nn-meter`: the kernel JSON nn-Meter's builder writes and DeepEn2023 publishes.
//!
//! # Files
//! One object per kernel kind, one object per kernel id inside it:
//! `{"conv-bn-relu": {"<id>": {"config": {"HW": 28, "CIN": 32, "COUT": 64, "KERNEL_SIZE": 3,
//! "STRIDES": 1}, "latency": "12.3 +- 0.4"}}}`. Other members of a kernel (`model`, `shapes`) are
//! ignored. Either
//! - **one file** whose kernels carry both `config` and a measurement (nn-Meter's detailed
//!   results), or
//! - **a pair**: a configuration file (kernels with `config`: nn-Meter's
//!   `<kind>_<mark>.json`, DeepEn2023's configs) and a measurement file (kernels with the
//!   measurement only: nn-Meter's profiled results, DeepEn2023's `{"conv-bn-relu": {"<id>":
//!   {"energy": 0.87}}}`), joined on kernel kind and id. The measurement file is the one imported
//!   (its lines are the measurements' lines); the configuration file is
//!   [`ReadOptions::configs`]. Configurations without a measurement are skipped and counted in
//!   the provenance; a measurement without a configuration is an error.
//!
//! # Measurements and units
//! `latency` in **ms** (nn-Meter's unit), `energy` in **mJ** (DeepEn2023's), `power` in **mW**
//! (DeepEn2023's): each a JSON number, or a string `"mean +- std"` (nn-Meter's `Latency`
//! printing) or `"mean"`. A kernel may carry several. The format fixes the units; values are
//! converted through [`super::units::Unit`] like every other reader's.
//!
//! # Kinds and configurations
//! nn-Meter kind names map to the parser's kinds (`KernelKind::from_roles`: convolutions always
//! carry `bn`, ReLU6 is `relu`): `conv-bn-relu`, `conv-bn-relu6`, `conv-relu`, `conv-relu6` →
//! `conv-bn-relu`; `conv-bn`, `conv-block` → `conv-bn`; `conv-hswish`, `conv-bn-hswish` →
//! `conv-bn-hswish`; `conv-swish` → `conv-bn-swish`; the same for `dwconv-*`; `maxpool`,
//! `avgpool`, `fc`, `concat`, `split`, `channelshuffle`, `se`, `bn`, `relu`, `hswish`, `swish`
//! keep their names; `global-avgpool` → `gap`; `bnrelu` → `bn-relu`; `addrelu` → `add-relu`;
//! `add`. The einf spellings (`gap`, `bn-relu`, `add-relu`) are accepted too. Any other kind is
//! an error.
//!
//! Configuration keys, as nn-Meter names them (all required; a missing one is an error):
//! - convolutions: `HW, CIN, COUT, KERNEL_SIZE, STRIDES`; `dwconv` has no `COUT` (if given it
//!   must equal `CIN`);
//! - `maxpool`, `avgpool`: `HW, CIN, KERNEL_SIZE, POOL_STRIDES` (`STRIDES` when `POOL_STRIDES` is
//!   absent: nn-Meter's sampler writes `STRIDES` and its pooling op reads it as the pool stride);
//! - `fc`: `CIN, COUT`;
//! - `concat`: `HW, CIN1, CIN2, CIN3, CIN4` (0 = no such input; at least two inputs);
//! - everything else: `HW, CIN` (`split` halves `CIN`, which must be even).
//!
//! The kernel configuration: square `HW`×`HW` input, batch 1, dilation 1, f32 (the builder's
//! float TFLite/OpenVINO models); convolutions and pools use TensorFlow SAME padding as the
//! builder's Keras layers do (output side ⌈HW / stride⌉, the odd pixel at the end); `gap` pools the
//! whole map to 1×1; `add`/`add-relu` have two inputs of `CIN` channels; `concat`'s
//! `input_channels` are its non-zero `CINi`.
//!
//! # Device
//! The files do not name their device: [`ReadOptions::device`] is required, with its class given
//! ([`ReadOptions::device_class`]) or told by the name (`adreno640gpu_tflite21` → gpu).

use super::ReadOptions;
use super::common::{Devices, device_class, measurement, provenance, read_text};
use super::error::{ImportError, ImportErrorKind};
use super::json::{self, Json, Member, Value};
use super::qed_ops::window_pads;
use super::units::Unit;
use crate::batch::{Device, ImportBatch, KernelRecord, Measurement, Metric, Subject};
use einf_parser::kernel::{KernelConfig, KernelKind, Role};
use std::collections::HashMap;
use std::path::Path;

/// Format name.
pub const FORMAT: &str = "nn-meter";

/// The measurement fields a kernel may carry, with the unit the format gives them.
pub const METRICS: [(&str, Metric, &str); 3] =
    [("latency", Metric::Latency, "ms"), ("energy", Metric::Energy, "mJ"), ("power", Metric::Power, "mW")];

/// How a kind's configuration is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Conv,
    DwConv,
    Pool,
    Fc,
    Concat,
    /// Same shape in and out (`relu`, `bn`, `se`, `channelshuffle`, ...).
    Same,
    /// Two inputs of `CIN` channels (`add`, `add-relu`).
    TwoInputs,
    Split,
    Gap,
}

/// nn-Meter kind names → the parser's kind (its roles) and how its configuration is read.
const KINDS: &[(&str, &[Role], Family)] = &[
    ("conv-bn-relu", &[Role::Conv, Role::Relu], Family::Conv),
    ("conv-bn-relu6", &[Role::Conv, Role::Relu], Family::Conv),
    ("conv-relu", &[Role::Conv, Role::Relu], Family::Conv),
    ("conv-relu6", &[Role::Conv, Role::Relu], Family::Conv),
    ("conv-bn", &[Role::Conv], Family::Conv),
    ("conv-block", &[Role::Conv], Family::Conv),
    ("conv-hswish", &[Role::Conv, Role::Hswish], Family::Conv),
    ("conv-bn-hswish", &[Role::Conv, Role::Hswish], Family::Conv),
    ("conv-swish", &[Role::Conv, Role::Swish], Family::Conv),
    ("conv-bn-swish", &[Role::Conv, Role::Swish], Family::Conv),
    ("dwconv-bn-relu", &[Role::DwConv, Role::Relu], Family::DwConv),
    ("dwconv-bn-relu6", &[Role::DwConv, Role::Relu], Family::DwConv),
    ("dwconv-relu", &[Role::DwConv, Role::Relu], Family::DwConv),
    ("dwconv-relu6", &[Role::DwConv, Role::Relu], Family::DwConv),
    ("dwconv-bn", &[Role::DwConv], Family::DwConv),
    ("dwconv-block", &[Role::DwConv], Family::DwConv),
    ("dwconv-bn-hswish", &[Role::DwConv, Role::Hswish], Family::DwConv),
    ("dwconv-swish", &[Role::DwConv, Role::Swish], Family::DwConv),
    ("dwconv-bn-swish", &[Role::DwConv, Role::Swish], Family::DwConv),
    ("maxpool", &[Role::MaxPool], Family::Pool),
    ("avgpool", &[Role::AvgPool], Family::Pool),
    ("fc", &[Role::Fc], Family::Fc),
    ("concat", &[Role::Concat], Family::Concat),
    ("split", &[Role::Split], Family::Split),
    ("channelshuffle", &[Role::ChannelShuffle], Family::Same),
    ("se", &[Role::Se], Family::Same),
    ("global-avgpool", &[Role::Gap], Family::Gap),
    ("gap", &[Role::Gap], Family::Gap),
    ("bnrelu", &[Role::Bn, Role::Relu], Family::Same),
    ("bn-relu", &[Role::Bn, Role::Relu], Family::Same),
    ("bn", &[Role::Bn], Family::Same),
    ("hswish", &[Role::Hswish], Family::Same),
    ("swish", &[Role::Swish], Family::Same),
    ("relu", &[Role::Relu], Family::Same),
    ("relu6", &[Role::Relu], Family::Same),
    ("addrelu", &[Role::Add, Role::Relu], Family::TwoInputs),
    ("add-relu", &[Role::Add, Role::Relu], Family::TwoInputs),
    ("add", &[Role::Add], Family::TwoInputs),
];

/// The parser's kind for an nn-Meter kind name (`global-avgpool` → `gap`), if known.
pub fn einf_kind(nn_meter_kind: &str) -> Option<KernelKind> {
    KINDS.iter().find(|(n, _, _)| *n == nn_meter_kind).map(|(_, roles, _)| KernelKind::from_roles(roles))
}

type Res<T> = Result<T, ImportErrorKind>;

/// One kernel of a file: its kind and id as written, where they are, and its members.
struct Entry<'a> {
    kind: &'a str,
    id: &'a str,
    /// Line of the id key.
    line: usize,
    members: &'a [Member],
}

impl Entry<'_> {
    fn name(&self) -> String {
        format!("{} '{}'", self.kind, self.id)
    }
}

/// Read an nn-Meter JSON file: configurations and measurements in one file, or the measurement
/// file of a pair whose configuration file is [`ReadOptions::configs`].
pub fn read(path: &Path, opts: &ReadOptions) -> Result<ImportBatch, ImportError> {
    if let Some(configs) = &opts.configs {
        return read_pair(configs, path, opts);
    }
    let err = |line: usize, kind| ImportError::new(path, line, kind);
    let device = device(opts).map_err(|k| err(0, k))?;
    let doc = parse(path)?;
    let entries = entries(&doc).map_err(|(l, k)| err(l, k))?;
    let has_config = entries.iter().any(|e| field(e.members, "config").is_some());
    let has_metric =
        entries.iter().any(|e| METRICS.iter().any(|(name, _, _)| field(e.members, name).is_some()));
    if !entries.is_empty() && !has_config {
        return Err(err(
            0,
            ImportErrorKind::WrongFile(
                "no kernel has a 'config': this is a measurement file; read it with its configuration file \
                 (--configs FILE)"
                    .into(),
            ),
        ));
    }
    if !entries.is_empty() && !has_metric {
        return Err(err(
            0,
            ImportErrorKind::WrongFile(
                "no kernel has a latency, energy or power: this is a configuration file; import the measurement \
                 file with --configs naming this one"
                    .into(),
            ),
        ));
    }
    let mut measurements = Vec::with_capacity(entries.len());
    for e in &entries {
        let (kind, family) = kind_of(e).map_err(|k| err(e.line, k))?;
        let config_json =
            required(e.members, "config", &e.name()).map_err(|(l, k)| err(l.unwrap_or(e.line), k))?;
        let config = config(family, config_json, &e.name()).map_err(|(l, k)| err(l, k))?;
        push_metrics(&mut measurements, e, &device.name, &kind, &config).map_err(|(l, k)| err(l, k))?;
    }
    batch(path, device, measurements, "one file with configurations and measurements")
}

/// Read a configuration file and a measurement file (nn-Meter's sampled configs + profiled
/// results, DeepEn2023's configs + energies), joined on kernel kind and id. Errors about
/// configurations name `configs`, errors about measurements name `values`.
pub fn read_pair(configs: &Path, values: &Path, opts: &ReadOptions) -> Result<ImportBatch, ImportError> {
    let cerr = |line: usize, kind| ImportError::new(configs, line, kind);
    let verr = |line: usize, kind| ImportError::new(values, line, kind);
    let device = device(opts).map_err(|k| verr(0, k))?;
    let cdoc = parse(configs)?;
    let centries = entries(&cdoc).map_err(|(l, k)| cerr(l, k))?;
    let mut known: HashMap<(&str, &str), (KernelKind, KernelConfig)> = HashMap::with_capacity(centries.len());
    for e in &centries {
        let (kind, family) = kind_of(e).map_err(|k| cerr(e.line, k))?;
        let json = required(e.members, "config", &e.name()).map_err(|(l, k)| cerr(l.unwrap_or(e.line), k))?;
        let config = config(family, json, &e.name()).map_err(|(l, k)| cerr(l, k))?;
        known.insert((e.kind, e.id), (kind, config));
    }
    let vdoc = parse(values)?;
    let ventries = entries(&vdoc).map_err(|(l, k)| verr(l, k))?;
    let mut measurements = Vec::with_capacity(ventries.len());
    let mut used = 0usize;
    for e in &ventries {
        let (_, family) = kind_of(e).map_err(|k| verr(e.line, k))?;
        let Some((kind, joined)) = known.get(&(e.kind, e.id)) else {
            let name = configs
                .file_name()
                .map_or_else(|| configs.display().to_string(), |n| n.to_string_lossy().into());
            return Err(verr(
                e.line,
                ImportErrorKind::Invalid(format!("{}: no such kernel in {name}", e.name())),
            ));
        };
        used += 1;
        if let Some(own) = field(e.members, "config") {
            let own = config(family, own, &e.name()).map_err(|(l, k)| verr(l, k))?;
            if own != *joined {
                return Err(verr(
                    e.line,
                    ImportErrorKind::Invalid(format!(
                        "{}: its config here ({own}) is not the one in the configuration file ({joined})",
                        e.name()
                    )),
                ));
            }
        }
        push_metrics(&mut measurements, e, &device.name, kind, joined).map_err(|(l, k)| verr(l, k))?;
    }
    let cname =
        configs.file_name().map_or_else(|| configs.display().to_string(), |n| n.to_string_lossy().into());
    let how = format!(
        "measurement file joined with configuration file {cname} on kind and id; {} of its {} configurations have no \
         measurement here (skipped)",
        centries.len() - used,
        centries.len()
    );
    batch(values, device, measurements, &how)
}

fn device(opts: &ReadOptions) -> Res<Device> {
    let Some(name) = opts.device.as_deref().map(str::trim).filter(|n| !n.is_empty()) else {
        return Err(ImportErrorKind::Invalid(
            "nn-Meter files do not name their device: give it (--device NAME)".into(),
        ));
    };
    Ok(Device {
        notes: Some("device of an nn-Meter / DeepEn2023 kernel file (named by the importer)".into()),
        ..Device::named(name, device_class(name, opts.device_class)?)
    })
}

fn batch(
    path: &Path,
    device: Device,
    measurements: Vec<Measurement>,
    how: &str,
) -> Result<ImportBatch, ImportError> {
    let mut devices = Devices::default();
    devices.add(device);
    let notes = format!(
        "nn-Meter / DeepEn2023 kernel JSON ({how}): latency ms, energy mJ, power mW as the format defines them; \
         'mean +- std' strings give the std; nn-Meter kind names mapped to einf kinds (conv kernels carry bn, relu6 \
         is relu, global-avgpool is gap, bnrelu is bn-relu, addrelu is add-relu); square HW input, SAME padding \
         (output ceil(HW/stride)), batch 1, dilation 1, f32.\n"
    );
    Ok(ImportBatch {
        format: FORMAT.into(),
        devices: devices.into_vec(),
        measurements,
        provenance: provenance(FORMAT, path, &notes),
        graphs: Vec::new(),
    })
}

fn parse(path: &Path) -> Result<Json, ImportError> {
    let text = read_text(path)?;
    json::parse(&text).map_err(|(l, k)| ImportError::new(path, l, k))
}

/// The kernels of a document: `{kind: {id: {...}}}`; duplicate kinds or ids are errors.
fn entries(doc: &Json) -> Result<Vec<Entry<'_>>, (usize, ImportErrorKind)> {
    let Value::Object(kinds) = &doc.value else {
        return Err((
            doc.line,
            ImportErrorKind::WrongFile(format!(
                "not an nn-Meter kernel file: the document is {}, not an object of kernel kinds",
                doc.value.describe()
            )),
        ));
    };
    no_duplicates(kinds, "kernel kind")?;
    let mut out = Vec::new();
    for k in kinds {
        let Value::Object(ids) = &k.value.value else {
            return Err((
                k.line,
                ImportErrorKind::Invalid(format!(
                    "kernel kind '{}': {} where an object of kernel ids was expected",
                    k.key,
                    k.value.value.describe()
                )),
            ));
        };
        no_duplicates(ids, &format!("{} id", k.key))?;
        for i in ids {
            let Value::Object(members) = &i.value.value else {
                return Err((
                    i.line,
                    ImportErrorKind::Invalid(format!(
                        "{} '{}': {} where an object was expected",
                        k.key,
                        i.key,
                        i.value.value.describe()
                    )),
                ));
            };
            no_duplicates(members, &format!("{} '{}' field", k.key, i.key))?;
            out.push(Entry { kind: &k.key, id: &i.key, line: i.line, members });
        }
    }
    Ok(out)
}

fn no_duplicates(members: &[Member], what: &str) -> Result<(), (usize, ImportErrorKind)> {
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(members.len());
    for m in members {
        if let Some(first) = seen.insert(&m.key, m.line) {
            return Err((
                m.line,
                ImportErrorKind::Duplicate { key: format!("{what} '{}'", m.key), first_line: first },
            ));
        }
    }
    Ok(())
}

fn field<'a>(members: &'a [Member], key: &str) -> Option<&'a Json> {
    members.iter().find(|m| m.key == key).map(|m| &m.value)
}

/// A member that must be there: its value, or a missing-field error (no line: the caller's).
fn required<'a>(
    members: &'a [Member],
    key: &str,
    what: &str,
) -> Result<&'a Json, (Option<usize>, ImportErrorKind)> {
    field(members, key)
        .ok_or_else(|| (None, ImportErrorKind::MissingField { what: what.to_string(), field: key.into() }))
}

fn kind_of(e: &Entry<'_>) -> Res<(KernelKind, Family)> {
    KINDS
        .iter()
        .find(|(n, _, _)| *n == e.kind)
        .map(|(_, roles, family)| (KernelKind::from_roles(roles), *family))
        .ok_or_else(|| ImportErrorKind::UnknownKind {
            kind: e.kind.to_string(),
            reason: format!(
                "not an nn-Meter kernel kind einf reads ({})",
                KINDS.iter().map(|(n, _, _)| *n).collect::<Vec<_>>().join(", ")
            ),
        })
}

/// The measurements of a kernel (at least one of latency, energy, power).
fn push_metrics(
    out: &mut Vec<Measurement>,
    e: &Entry<'_>,
    device: &str,
    kind: &KernelKind,
    config: &KernelConfig,
) -> Result<(), (usize, ImportErrorKind)> {
    let before = out.len();
    for (name, metric, symbol) in METRICS {
        let Some(v) = field(e.members, name) else { continue };
        let unit = Unit::for_metric(metric, symbol)
            .map_err(|x| (v.line, ImportErrorKind::Unit { column: name.into(), reason: x.to_string() }))?;
        let (mean, std) = metric_value(name, v, metric).map_err(|k| (v.line, k))?;
        let record = KernelRecord {
            kind: kind.clone(),
            config: config.clone(),
            source_id: Some(e.id.to_string()),
            model: None,
        };
        let mut m = measurement(device, Subject::Kernel(record), metric, unit.to_canonical(mean), e.line);
        m.std = std.map(|s| unit.to_canonical(s));
        out.push(m);
    }
    if out.len() == before {
        return Err((
            e.line,
            ImportErrorKind::MissingField { what: e.name(), field: "latency, energy or power".into() },
        ));
    }
    Ok(())
}

/// A measurement value: a number, or `"mean +- std"` / `"mean"`; mean > 0, std ≥ 0, both finite.
fn metric_value(name: &str, v: &Json, metric: Metric) -> Res<(f64, Option<f64>)> {
    let what = metric.name();
    let (mean_text, std_text) = match &v.value {
        Value::Number(t) => (t.as_str(), None),
        Value::String(s) => match s.split_once("+-") {
            Some((a, b)) => (a, Some(b)),
            None => (s.as_str(), None),
        },
        other => {
            return Err(ImportErrorKind::BadNumber {
                column: name.into(),
                text: other.describe().into(),
                expected: "a number or a \"mean +- std\" string",
            });
        }
    };
    let mean = super::common::positive(name, mean_text, what)?;
    let std = match std_text {
        None => None,
        Some(t) => {
            let s = super::common::number(&format!("{name} std"), t)?;
            if s < 0.0 {
                return Err(ImportErrorKind::Invalid(format!("{name}: negative standard deviation {s}")));
            }
            Some(s)
        }
    };
    Ok((mean, std))
}

/// A configuration value: a whole number (≥ 1, or ≥ 0 when `zero_ok`).
fn key(
    cfg: &[Member],
    line: usize,
    what: &str,
    name: &str,
    zero_ok: bool,
) -> Result<u64, (usize, ImportErrorKind)> {
    let v = field(cfg, name).ok_or_else(|| {
        (line, ImportErrorKind::MissingField { what: format!("{what} config"), field: name.into() })
    })?;
    let column = format!("config {name}");
    let n = match &v.value {
        Value::Number(t) => super::common::whole(&column, t).map_err(|k| (v.line, k))?,
        other => {
            return Err((
                v.line,
                ImportErrorKind::BadNumber {
                    column,
                    text: other.describe().into(),
                    expected: "a whole number",
                },
            ));
        }
    };
    if n == 0 && !zero_ok {
        return Err((
            v.line,
            ImportErrorKind::BadNumber { column, text: "0".into(), expected: "a whole number ≥ 1" },
        ));
    }
    Ok(n)
}

/// The kernel configuration of a `config` object.
fn config(family: Family, json: &Json, what: &str) -> Result<KernelConfig, (usize, ImportErrorKind)> {
    let Value::Object(cfg) = &json.value else {
        return Err((
            json.line,
            ImportErrorKind::Invalid(format!("{what}: config is {}, not an object", json.value.describe())),
        ));
    };
    no_duplicates(cfg, &format!("{what} config key"))?;
    let line = json.line;
    let k = |name: &str| key(cfg, line, what, name, false);
    let mut c = KernelConfig::neutral();
    let square =
        |c: &mut KernelConfig, i: u64, o: u64| (c.input_h, c.input_w, c.output_h, c.output_w) = (i, i, o, o);
    match family {
        Family::Conv | Family::DwConv | Family::Pool => {
            let (hw, cin, ks) = (k("HW")?, k("CIN")?, k("KERNEL_SIZE")?);
            let stride = if family == Family::Pool
                && field(cfg, "POOL_STRIDES").is_none()
                && field(cfg, "STRIDES").is_some()
            {
                k("STRIDES")?
            } else if family == Family::Pool {
                k("POOL_STRIDES")?
            } else {
                k("STRIDES")?
            };
            let cout = if family == Family::Conv {
                k("COUT")?
            } else {
                let cout = if field(cfg, "COUT").is_some() { k("COUT")? } else { cin };
                if cout != cin {
                    return Err((
                        line,
                        ImportErrorKind::Invalid(format!(
                            "{what}: COUT {cout} is not CIN {cin} (this kind keeps channels)"
                        )),
                    ));
                }
                cin
            };
            let out = hw.div_ceil(stride);
            square(&mut c, hw, out);
            (c.cin, c.cout, c.kernel_h, c.kernel_w, c.stride_h, c.stride_w) =
                (cin, cout, ks, ks, stride, stride);
            c.pads = window_pads(hw, out, ks, stride).map_err(|k| (line, k))?;
            if family == Family::DwConv {
                c.groups = cin;
            }
        }
        Family::Fc => {
            (c.cin, c.cout) = (k("CIN")?, k("COUT")?);
        }
        Family::Concat => {
            let hw = k("HW")?;
            let mut inputs = Vec::with_capacity(4);
            for name in ["CIN1", "CIN2", "CIN3", "CIN4"] {
                let n = key(cfg, line, what, name, true)?;
                if n > 0 {
                    inputs.push(n);
                }
            }
            if inputs.len() < 2 {
                return Err((
                    line,
                    ImportErrorKind::Invalid(format!("{what}: concat of fewer than two inputs")),
                ));
            }
            square(&mut c, hw, hw);
            c.cin = inputs.first().copied().unwrap_or(1);
            c.cout = inputs.iter().sum();
            c.input_channels = inputs;
        }
        Family::Same | Family::TwoInputs | Family::Split | Family::Gap => {
            let (hw, cin) = (k("HW")?, k("CIN")?);
            (c.cin, c.cout) = (cin, cin);
            square(&mut c, hw, hw);
            match family {
                Family::TwoInputs => c.input_channels = vec![cin, cin],
                Family::Split => {
                    if cin % 2 != 0 {
                        return Err((
                            line,
                            ImportErrorKind::Invalid(format!("{what}: split of an odd CIN {cin}")),
                        ));
                    }
                    c.cout = cin / 2;
                }
                Family::Gap => {
                    (c.output_h, c.output_w, c.kernel_h, c.kernel_w) = (1, 1, hw, hw);
                }
                _ => {}
            }
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(family: Family, text: &str) -> Result<KernelConfig, (usize, ImportErrorKind)> {
        let doc = json::parse(text).map_err(|e| (e.0, e.1))?;
        config(family, &doc, "test")
    }

    #[test]
    fn nn_meter_kinds_map_to_parser_spellings() {
        let pairs = [
            ("conv-bn-relu6", "conv-bn-relu"),
            ("conv-relu", "conv-bn-relu"),
            ("conv-block", "conv-bn"),
            ("conv-hswish", "conv-bn-hswish"),
            ("dwconv-relu6", "dwconv-bn-relu"),
            ("global-avgpool", "gap"),
            ("bnrelu", "bn-relu"),
            ("addrelu", "add-relu"),
            ("channelshuffle", "channelshuffle"),
            ("fc", "fc"),
        ];
        for (nn, einf) in pairs {
            assert_eq!(einf_kind(nn).map(|k| k.to_string()).as_deref(), Some(einf), "{nn}");
        }
        assert!(einf_kind("conv-bn-relu-maxpool").is_none());
    }

    #[test]
    fn convolutions_use_same_padding() {
        let c = cfg(Family::Conv, r#"{"HW": 28, "CIN": 32, "COUT": 64, "KERNEL_SIZE": 3, "STRIDES": 2}"#)
            .unwrap();
        assert_eq!((c.output_h, c.pads, c.groups), (14, [0, 0, 1, 1], 1));
        let d = cfg(Family::DwConv, r#"{"HW": 7, "CIN": 96, "KERNEL_SIZE": 5, "STRIDES": 1}"#).unwrap();
        assert_eq!((d.cout, d.groups, d.output_h, d.pads), (96, 96, 7, [2, 2, 2, 2]));
        let bad = cfg(Family::DwConv, r#"{"HW": 7, "CIN": 96, "COUT": 48, "KERNEL_SIZE": 5, "STRIDES": 1}"#);
        assert!(bad.is_err());
    }

    #[test]
    fn pools_take_strides_when_pool_strides_is_absent() {
        let a = cfg(Family::Pool, r#"{"HW": 56, "CIN": 64, "KERNEL_SIZE": 3, "POOL_STRIDES": 2}"#).unwrap();
        let b = cfg(Family::Pool, r#"{"HW": 56, "CIN": 64, "KERNEL_SIZE": 3, "STRIDES": 2}"#).unwrap();
        assert_eq!(a, b);
        assert_eq!((a.output_h, a.cout), (28, 64));
        let e = cfg(Family::Pool, r#"{"HW": 56, "CIN": 64, "KERNEL_SIZE": 3}"#).unwrap_err();
        assert!(matches!(&e.1, ImportErrorKind::MissingField { field, .. } if field == "POOL_STRIDES"));
    }

    #[test]
    fn concat_gap_split_add() {
        let c = cfg(Family::Concat, r#"{"HW": 14, "CIN1": 64, "CIN2": 32, "CIN3": 0, "CIN4": 0}"#).unwrap();
        assert_eq!((c.cin, c.cout, c.input_channels.clone()), (64, 96, vec![64, 32]));
        assert!(cfg(Family::Concat, r#"{"HW": 14, "CIN1": 64, "CIN2": 32, "CIN3": 0}"#).is_err());
        let g = cfg(Family::Gap, r#"{"HW": 7, "CIN": 1280}"#).unwrap();
        assert_eq!((g.kernel_h, g.output_h, g.cout), (7, 1, 1280));
        assert_eq!(cfg(Family::Split, r#"{"HW": 7, "CIN": 64}"#).unwrap().cout, 32);
        assert!(cfg(Family::Split, r#"{"HW": 7, "CIN": 63}"#).is_err());
        assert_eq!(cfg(Family::TwoInputs, r#"{"HW": 7, "CIN": 8}"#).unwrap().input_channels, vec![8, 8]);
    }

    #[test]
    fn metric_values() {
        let v = |t: &str| json::parse(t).unwrap();
        assert_eq!(
            metric_value("latency", &v(r#""12.3 +- 0.4""#), Metric::Latency).unwrap(),
            (12.3, Some(0.4))
        );
        assert_eq!(metric_value("energy", &v("0.87"), Metric::Energy).unwrap(), (0.87, None));
        assert_eq!(metric_value("latency", &v(r#""5""#), Metric::Latency).unwrap(), (5.0, None));
        for bad in ["NaN", "-1", "0", r#""fast""#, r#""1 +- -2""#, "null", "Infinity"] {
            assert!(metric_value("latency", &v(bad), Metric::Latency).is_err(), "{bad}");
        }
    }
}
