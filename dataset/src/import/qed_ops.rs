//! `qed-ops`: the qed-usc mobile-ml-benchmark per-kernel GPU latency tables
//! (`tflite_cnn_ops_gpu.csv` here, `torch_cnn_ops_gpu.csv` in [`super::qed_torch`]; Li, Paolieri,
//! Golubchik, EdgeSys 2024).
//!
//! # Columns
//! `model, operation, feature`, then for each phone `<phone>|gpu|float` (latency of the GPU
//! kernel in **µs**, as the source documents) and `<phone>|gpu|kernel` (the GPU-delegate kernel
//! name). `feature` is a Python dict: `Input_shape, Input_channel, Output_shape, Stride, Kernel,
//! Filter, Group, FLOPS`. One row is one TFLite op of a real CNN; one (row, phone) cell is one
//! kernel measurement, stored as a kernel of that model (`KernelRecord::model`), its GPU kernel
//! name as `source_id`.
//!
//! # How a row becomes a kernel (the traps)
//! - **Kind** = the role of `operation` (CONV_2D → conv, DEPTHWISE_CONV_2D → dwconv,
//!   CONV_2D_GROUP → groupconv, FULLY_CONNECTED → fc, MAX_POOL_2D → maxpool, AVERAGE_POOL_2D →
//!   avgpool, or gap when its window is the whole map, CONCATENATION → concat, MEAN → gap) followed
//!   by the ops the GPU delegate linked into the kernel, read from the kernel name's
//!   `_linked_:_<op>_<id>` parts (relu, add, mul, sub, hard_swish → hswish, sigmoid, tanh,
//!   minimum/maximum → eltwise; the mapping of `parser/tests/fusion_evidence.rs`), spelled by
//!   `KernelKind::from_roles` as the parser does for the `tflite-gpu` backend (`conv-bn-relu`).
//!   A linked `mul` directly followed by a linked `add` is a folded BatchNorm (scale, then shift:
//!   DenseNet's and PreResNet's BN-ReLU after a concat or a residual add) and is named `bn`, as the
//!   parser names an add/mul by a per-channel constant.
//! - ADD, MUL, PAD and activations never have rows of their own: they appear only linked into a
//!   listed kernel (and explicit PAD ops are merged into the following convolution by the
//!   delegate), so a model's kernel sum is below its end-to-end latency.
//! - Winograd kernels (`convolution_winograd_4x4_6x6_<id>`) do not list their linked ops; they take
//!   the linked ops the same row names on the other phones (which must agree; a row whose every
//!   cell is a Winograd kernel is an error: its fused ops cannot be known).
//! - DEPTHWISE rows carry the **depth multiplier** in `Filter`: Cout = Cin × Filter, groups = Cin.
//!   CONV_2D_GROUP is a grouped convolution (groups = `Group`, Cout = `Filter`). For every
//!   convolution row `FLOPS` must equal 2 × MACs of that reading, or the row is refused.
//! - `Input_shape` is the side **after** any explicit PAD op: the configuration takes it as the
//!   input side, with padding 0 when `Output_shape` fits a VALID window and TFLite SAME padding
//!   (extra at the end) when it fits SAME; a row that fits neither is refused.
//! - On the iPhones a depthwise row and the 1×1 CONV_2D row after it can name the same fused GPU
//!   kernel (`depthwise_conv_plus_1x1_conv_<dw>_<..>_<conv>[_linked_..]`), the same latency usually
//!   repeated on both rows. Such a kernel is stored **once**, on the depthwise row's line, as one
//!   fused kernel `dwconv-bn[-<ops between>]-conv-bn[-<linked ops>]`: the depthwise configuration
//!   with the 1×1 convolution's output side (as the parser sets a fused kernel's output), value the
//!   mean of the two rows (the provenance lists the pairs whose rows differ).
//! - `Input_channel` of a CONCATENATION row is its first input's channels, `Kernel` the number of
//!   inputs, `Filter` the output channels: with two inputs `input_channels` = [first, rest]; with
//!   more the other inputs' channels are unknown and `input_channels` is left empty.
//! - MEAN rows are global average pools (kernel = the map, output 1×1, `Output_shape` = channels).
//!
//! Fields the table does not give: batch 1, dilation 1, dtype f32 (the models are float TFLite).
//!
//! # Devices
//! One device per phone: `<phone>-gpu-tflite-fp16` (pixel4, s10, mi8se, a03s, iphone7,
//! iphonexs), class gpu, runtime `tflite-gpu` (OpenCL on Android, Metal on iOS), precision fp16:
//! the upstream README says the GPU op latencies were measured "using 16-bit floating-point
//! precision" (the column label `float` means a float model, not fp32 arithmetic).
//!
//! The PyTorch Mobile table (`torch_cnn_ops_gpu.csv`) has the same header layout; a table whose
//! first row's operation is a PyTorch op (`aten::add`, `vulkan_prepack::…`) is read by
//! [`super::qed_torch`]: single unfused ops, devices `<phone>-gpu-pytorch-<vulkan|metal>-fp16`.

use super::ReadOptions;
use super::common::{Csv, Devices, field, measured, measurement, provenance, whole};
use super::error::{ImportError, ImportErrorKind};
use super::units::Unit;
use crate::batch::{Device, DeviceClass, ImportBatch, KernelRecord, Metric, Subject};
use einf_parser::kernel::{KernelConfig, KernelKind, Role};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// Format name.
pub const FORMAT: &str = "qed-ops";

/// The system on chip of a qed-usc phone, where the phone model has a single one (the Galaxy S10
/// ships with an Exynos 9820 or a Snapdragon 855 depending on the market: unknown).
pub(crate) fn phone_soc(phone: &str) -> Option<&'static str> {
    Some(match phone {
        "pixel4" => "Qualcomm Snapdragon 855 (Adreno 640 GPU)",
        "mi8se" | "onefusion" => "Qualcomm Snapdragon 710 (Adreno 616 GPU)",
        "a03s" => "MediaTek Helio P35 (PowerVR GE8320 GPU)",
        "iphone7" => "Apple A10 Fusion",
        "iphonexs" => "Apple A12 Bionic",
        _ => return None,
    })
}

/// The device of a phone's GPU column.
pub(crate) fn gpu_device(phone: &str) -> Device {
    let api = if phone.starts_with("iphone") { "Metal" } else { "OpenCL" };
    Device {
        name: format!("{phone}-gpu-tflite-fp16"),
        class: DeviceClass::Gpu,
        soc: phone_soc(phone).map(str::to_string),
        runtime: Some("tflite-gpu".into()),
        precision: Some("fp16".into()),
        notes: Some(format!(
            "qed-usc mobile-ml-benchmark phone '{phone}': TFLite GPU delegate ({api}); fp16 arithmetic per the \
             upstream README (float model)"
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Conv,
    DwConv,
    GroupConv,
    Fc,
    MaxPool,
    AvgPool,
    Concat,
    Mean,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "CONV_2D" => Op::Conv,
            "DEPTHWISE_CONV_2D" => Op::DwConv,
            "CONV_2D_GROUP" => Op::GroupConv,
            "FULLY_CONNECTED" => Op::Fc,
            "MAX_POOL_2D" => Op::MaxPool,
            "AVERAGE_POOL_2D" => Op::AvgPool,
            "CONCATENATION" => Op::Concat,
            "MEAN" => Op::Mean,
            _ => return None,
        })
    }
}

/// One cell: a phone's latency and kernel name for a row.
struct Cell {
    latency_ms: f64,
    kernel: String,
}

struct Row {
    line: usize,
    model: String,
    op: Op,
    base: Role,
    config: KernelConfig,
    cells: Vec<Cell>,
}

type Res<T> = Result<T, ImportErrorKind>;

/// Read a qed-usc GPU op table: the TFLite one here, the PyTorch Mobile one (a table whose first
/// row is a PyTorch op) by [`super::qed_torch`].
pub fn read(path: &Path, _opts: &ReadOptions) -> Result<ImportBatch, ImportError> {
    let csv = Csv::read(path)?;
    let err = |line: usize, kind| ImportError::new(path, line, kind);
    let phones = header_phones(&csv.header).map_err(|k| err(1, k))?;
    if csv.rows.first().is_some_and(|(_, r)| field(r, 1).contains("::")) {
        return super::qed_torch::read(path, &csv, &phones);
    }
    let us = Unit::for_metric(Metric::Latency, "µs")
        .map_err(|e| err(1, ImportErrorKind::Unit { column: "latency".into(), reason: e.to_string() }))?;

    let mut rows: Vec<Row> = Vec::with_capacity(csv.rows.len());
    for (line, r) in &csv.rows {
        rows.push(parse_row(r, *line, &phones, us).map_err(|k| err(*line, k))?);
    }

    let mut devices = Devices::default();
    for p in &phones {
        devices.add(gpu_device(p));
    }
    let mut measurements = Vec::with_capacity(rows.len() * phones.len());
    let mut seen: HashMap<(&str, usize, &str), usize> = HashMap::with_capacity(rows.len() * phones.len());
    let mut consumed: HashSet<(usize, usize)> = HashSet::new();
    let mut notes = String::new();
    for (i, row) in rows.iter().enumerate() {
        for (d, phone) in phones.iter().enumerate() {
            if consumed.contains(&(i, d)) {
                continue;
            }
            let Some(cell) = row.cells.get(d) else { continue };
            if let Some(first) = seen.insert((row.model.as_str(), d, cell.kernel.as_str()), row.line) {
                return Err(err(
                    row.line,
                    ImportErrorKind::Duplicate {
                        key: format!("GPU kernel '{}' of model '{}' on {phone}", cell.kernel, row.model),
                        first_line: first,
                    },
                ));
            }
            let device = gpu_device(phone).name;
            let (kind, config, value) = if is_dw_plus_1x1(&cell.kernel) {
                let next = rows.get(i + 1);
                let (kind, config, value, other) =
                    fused_dw_1x1(row, next, d).map_err(|k| err(row.line, k))?;
                consumed.insert((i + 1, d));
                if let Some(other_line) = other {
                    notes.push_str(&format!(
                        "- lines {}/{other_line} {phone}: '{}' repeated on two rows with {} and {} µs; stored once, \
                         {} µs (their mean)\n",
                        row.line,
                        cell.kernel,
                        cell.latency_ms * 1e3,
                        next.and_then(|n| n.cells.get(d)).map_or(f64::NAN, |c| c.latency_ms * 1e3),
                        value * 1e3
                    ));
                }
                (kind, config, value)
            } else {
                let links = linked_roles(row, d, &phones).map_err(|k| err(row.line, k))?;
                let mut roles = vec![row.base.clone()];
                roles.extend(links);
                (KernelKind::from_roles(&roles), row.config.clone(), cell.latency_ms)
            };
            let subject = Subject::Kernel(KernelRecord {
                kind,
                config,
                source_id: Some(cell.kernel.clone()),
                model: Some(row.model.clone()),
            });
            measurements.push(measurement(&device, subject, Metric::Latency, value, row.line));
        }
    }
    let mut text = String::from(NOTES);
    if !notes.is_empty() {
        text.push_str("Fused depthwise + 1x1 kernels whose two rows give different latencies:\n");
        text.push_str(&notes);
    }
    Ok(ImportBatch {
        format: FORMAT.into(),
        devices: devices.into_vec(),
        measurements,
        provenance: provenance(FORMAT, path, &text),
        graphs: Vec::new(),
    })
}

const NOTES: &str = "qed-usc GPU op table: one measurement per (op row, phone), latency µs -> ms; kernel kind = op \
role + the ops linked into the GPU kernel (_linked_:_ parts; Winograd kernels take the links the other phones \
name; a linked mul then add is a folded BatchNorm, bn); DEPTHWISE Filter = depth multiplier; Input_shape is the \
side after an explicit PAD (padding VALID or SAME from the shapes); an iPhone depthwise_conv_plus_1x1_conv kernel \
named on two rows is one fused kernel stored once (mean of the rows); concat with >2 inputs: input_channels \
unknown; batch 1, dilation 1, f32. Devices <phone>-gpu-tflite-fp16 (upstream README: GPU ops measured in 16-bit \
float).\n";

/// The phones of the header's `<phone>|gpu|float`, `<phone>|gpu|kernel` column pairs.
fn header_phones(header: &[String]) -> Res<Vec<String>> {
    let wrong = |what: String| ImportErrorKind::WrongFile(what);
    if header.get(..3) != Some(&["model".to_string(), "operation".to_string(), "feature".to_string()][..]) {
        return Err(wrong(format!(
            "not a qed-usc op table: the header must start with model,operation,feature (found {})",
            header.iter().take(3).cloned().collect::<Vec<_>>().join(",")
        )));
    }
    let rest = header.get(3..).unwrap_or_default();
    if rest.is_empty() || rest.len() % 2 != 0 {
        return Err(wrong(
            "expected <phone>|gpu|float and <phone>|gpu|kernel column pairs after 'feature'".into(),
        ));
    }
    let mut phones = Vec::new();
    for pair in rest.chunks(2) {
        let (a, b) = (pair.first().map_or("", String::as_str), pair.get(1).map_or("", String::as_str));
        let parts: Vec<&str> = a.split('|').collect();
        match parts.as_slice() {
            [phone, "gpu", "float"] if b == format!("{phone}|gpu|kernel") => {
                phones.push((*phone).to_string())
            }
            [_, "gpu", precision] if *precision != "float" => {
                return Err(ImportErrorKind::Unit {
                    column: a.to_string(),
                    reason: format!("unknown precision '{precision}' (qed-ops reads the float GPU tables)"),
                });
            }
            _ => {
                return Err(wrong(format!(
                    "columns '{a}', '{b}': expected a '<phone>|gpu|float', '<phone>|gpu|kernel' pair"
                )));
            }
        }
    }
    Ok(phones)
}

fn parse_row(r: &csv::StringRecord, line: usize, phones: &[String], us: Unit) -> Res<Row> {
    let model = field(r, 0).to_string();
    if model.is_empty() {
        return Err(ImportErrorKind::Invalid("empty model name".into()));
    }
    let op_name = field(r, 1);
    let op = Op::parse(op_name).ok_or_else(|| {
        if op_name.contains("::") {
            ImportErrorKind::UnknownKind {
                kind: op_name.to_string(),
                reason:
                    "a PyTorch Mobile op in a TFLite op table (the first row tells which table a file is)"
                        .into(),
            }
        } else {
            ImportErrorKind::UnknownKind {
                kind: op_name.to_string(),
                reason:
                    "not a TFLite op of the qed-usc op tables (CONV_2D, DEPTHWISE_CONV_2D, CONV_2D_GROUP, \
                         FULLY_CONNECTED, MAX_POOL_2D, AVERAGE_POOL_2D, CONCATENATION, MEAN)"
                        .into(),
            }
        }
    })?;
    let feature = parse_feature(field(r, 2))?;
    let (base, config) = row_config(op, &feature)?;
    let mut cells = Vec::with_capacity(phones.len());
    for (d, phone) in phones.iter().enumerate() {
        let col = format!("{phone}|gpu|float");
        let latency_ms = measured(&col, field(r, 3 + 2 * d), us)?;
        let kernel = field(r, 4 + 2 * d).to_string();
        if kernel.is_empty() {
            return Err(ImportErrorKind::Invalid(format!("{phone}|gpu|kernel is empty")));
        }
        cells.push(Cell { latency_ms, kernel });
    }
    Ok(Row { line, model, op, base, config, cells })
}

/// `{'Input_shape': '224', 'Input_channel': 3, ...}` → key/value pairs (values unquoted).
pub(crate) fn parse_feature(text: &str) -> Res<HashMap<&str, &str>> {
    let bad = || ImportErrorKind::Invalid(format!("feature: '{text}' is not a {{'Key': value, ...}} dict"));
    let inner = text.trim().strip_prefix('{').and_then(|t| t.strip_suffix('}')).ok_or_else(bad)?;
    let mut out = HashMap::new();
    let mut rest = inner.trim();
    while !rest.is_empty() {
        let (key, after) = quoted(rest).ok_or_else(bad)?;
        let after = after.trim_start().strip_prefix(':').ok_or_else(bad)?.trim_start();
        let (value, after) = match quoted(after) {
            Some(q) => q,
            None => {
                let end = after.find(',').unwrap_or(after.len());
                (after.get(..end).unwrap_or("").trim(), after.get(end..).unwrap_or(""))
            }
        };
        out.insert(key, value);
        rest = after.trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    Ok(out)
}

/// A `'...'` or `"..."` string at the start of `s`: its content and what follows.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let q = s.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = s.get(1..)?;
    let end = body.find(q)?;
    Some((body.get(..end)?, body.get(end + 1..)?))
}

pub(crate) fn feat<'a>(f: &HashMap<&str, &'a str>, key: &str) -> Res<&'a str> {
    f.get(key)
        .copied()
        .ok_or_else(|| ImportErrorKind::MissingField { what: "feature".into(), field: key.into() })
}

pub(crate) fn feat_u(f: &HashMap<&str, &str>, key: &str) -> Res<u64> {
    let v = whole(&format!("feature {key}"), feat(f, key)?)?;
    if v == 0 {
        return Err(ImportErrorKind::BadNumber {
            column: format!("feature {key}"),
            text: "0".into(),
            expected: "a whole number ≥ 1",
        });
    }
    Ok(v)
}

/// Padding `[top, left, bottom, right]` of a square window `k`, stride `s` mapping side `i` to `o`:
/// 0 when `o` is the VALID output, TFLite SAME padding (the odd pixel at the end) when it is the
/// SAME output, an error otherwise.
pub(crate) fn window_pads(i: u64, o: u64, k: u64, s: u64) -> Res<[u64; 4]> {
    let valid = (i >= k).then(|| (i - k) / s + 1);
    if valid == Some(o) {
        return Ok([0; 4]);
    }
    if o == i.div_ceil(s) {
        let total = ((o - 1) * s + k).saturating_sub(i);
        let (small, big) = (total / 2, total - total / 2);
        return Ok([small, small, big, big]);
    }
    Err(ImportErrorKind::Invalid(format!(
        "Output_shape {o} fits neither a VALID ({}) nor a SAME ({}) {k}x{k} window with stride {s} on input {i}",
        valid.map_or("none".to_string(), |v| v.to_string()),
        i.div_ceil(s)
    )))
}

fn row_config(op: Op, f: &HashMap<&str, &str>) -> Res<(Role, KernelConfig)> {
    let mut c = KernelConfig::neutral();
    let cin = feat_u(f, "Input_channel")?;
    c.cin = cin;
    let role = match op {
        Op::Conv | Op::DwConv | Op::GroupConv => {
            let (i, o) = (feat_u(f, "Input_shape")?, feat_u(f, "Output_shape")?);
            let (k, s) = (feat_u(f, "Kernel")?, feat_u(f, "Stride")?);
            let filter = feat_u(f, "Filter")?;
            let (role, cout, groups) = match op {
                Op::DwConv => (Role::DwConv, cin * filter, cin),
                Op::GroupConv => {
                    let g = feat_u(f, "Group")?;
                    if g < 2 || cin % g != 0 || filter % g != 0 {
                        return Err(ImportErrorKind::Invalid(format!(
                            "CONV_2D_GROUP with Group {g}, Input_channel {cin}, Filter {filter}: groups must be ≥ 2 \
                             and divide both channel counts"
                        )));
                    }
                    (if g == cin { Role::DwConv } else { Role::GroupConv }, filter, g)
                }
                _ => {
                    let g = feat_u(f, "Group")?;
                    if g != 1 {
                        return Err(ImportErrorKind::Invalid(format!("CONV_2D with Group {g} (expected 1)")));
                    }
                    (Role::Conv, filter, 1)
                }
            };
            (c.input_h, c.input_w, c.output_h, c.output_w) = (i, i, o, o);
            (c.kernel_h, c.kernel_w, c.stride_h, c.stride_w) = (k, k, s, s);
            c.pads = window_pads(i, o, k, s)?;
            (c.cout, c.groups) = (cout, groups);
            let flops = whole("feature FLOPS", feat(f, "FLOPS")?)?;
            let macs = o * o * cout * k * k * (cin / groups);
            if flops != 2 * macs {
                return Err(ImportErrorKind::Invalid(format!(
                    "FLOPS {flops} is not 2 x {macs} MACs of this reading ({i}x{i}x{cin} -> {o}x{o}x{cout}, k{k} s{s}, \
                     groups {groups}): the row is not understood"
                )));
            }
            role
        }
        Op::Fc => {
            c.cout = feat_u(f, "Filter")?;
            Role::Fc
        }
        Op::MaxPool | Op::AvgPool => {
            let (i, o) = (feat_u(f, "Input_shape")?, feat_u(f, "Output_shape")?);
            let (k, s) = (feat_u(f, "Kernel")?, feat_u(f, "Stride")?);
            (c.input_h, c.input_w, c.output_h, c.output_w) = (i, i, o, o);
            (c.kernel_h, c.kernel_w, c.stride_h, c.stride_w) = (k, k, s, s);
            c.pads = window_pads(i, o, k, s)?;
            c.cout = cin;
            match op {
                Op::MaxPool => Role::MaxPool,
                // A window over the whole, unpadded map is a global pool (the parser's rule).
                _ if k == i && o == 1 && c.pads == [0; 4] => Role::Gap,
                _ => Role::AvgPool,
            }
        }
        Op::Concat => {
            let (i, o) = (feat_u(f, "Input_shape")?, feat_u(f, "Output_shape")?);
            if i != o {
                return Err(ImportErrorKind::Invalid(format!("CONCATENATION from side {i} to side {o}")));
            }
            let (n, cout) = (feat_u(f, "Kernel")?, feat_u(f, "Filter")?);
            if n < 2 || cout <= cin {
                return Err(ImportErrorKind::Invalid(format!(
                    "CONCATENATION of {n} inputs with Input_channel {cin} and Filter {cout}: expected ≥ 2 inputs and \
                     more output than first-input channels"
                )));
            }
            (c.input_h, c.input_w, c.output_h, c.output_w) = (i, i, i, i);
            c.cout = cout;
            if n == 2 {
                c.input_channels = vec![cin, cout - cin];
            }
            Role::Concat
        }
        Op::Mean => {
            let i = feat_u(f, "Input_shape")?;
            let out = feat_u(f, "Output_shape")?;
            if out != cin {
                return Err(ImportErrorKind::Invalid(format!(
                    "MEAN with Output_shape {out} (expected the channel count {cin})"
                )));
            }
            (c.input_h, c.input_w) = (i, i);
            (c.kernel_h, c.kernel_w) = (i, i);
            c.cout = cin;
            Role::Gap
        }
    };
    Ok((role, c))
}

/// The role of a linked op name (`relu`, `hard_swish`, ...).
fn linked_role(name: &str) -> Option<Role> {
    Some(match name {
        "relu" => Role::Relu,
        "add" => Role::Add,
        "mul" => Role::Mul,
        "sub" => Role::Sub,
        "hard_swish" => Role::Hswish,
        "sigmoid" => Role::Sigmoid,
        "tanh" => Role::Tanh,
        "minimum" | "maximum" => Role::Eltwise,
        _ => return None,
    })
}

/// A kernel name split into its head and its linked `(op, id)` parts.
fn split_kernel(name: &str) -> Res<(&str, Vec<(&str, u64)>)> {
    let mut parts = name.split("_linked_:_");
    let head = parts.next().unwrap_or_default();
    let mut links = Vec::new();
    for p in parts {
        let parsed = p.rsplit_once('_').and_then(|(op, id)| Some((op, id.parse::<u64>().ok()?)));
        let Some((op, id)) = parsed else {
            return Err(ImportErrorKind::Invalid(format!(
                "GPU kernel '{name}': linked part '{p}' is not <op>_<id>"
            )));
        };
        links.push((op, id));
    }
    Ok((head, links))
}

fn roles_of(name: &str, links: &[(&str, u64)]) -> Res<Vec<Role>> {
    let mut roles = Vec::with_capacity(links.len());
    for (op, _) in links {
        let role = linked_role(op).ok_or_else(|| ImportErrorKind::UnknownKind {
            kind: (*op).to_string(),
            reason: format!("GPU kernel '{name}' links an op with no kernel role"),
        })?;
        roles.push(role);
    }
    Ok(fold_affine(roles))
}

/// A linked mul directly followed by a linked add is a folded BatchNorm (scale, shift): `bn`.
fn fold_affine(roles: Vec<Role>) -> Vec<Role> {
    let mut out: Vec<Role> = Vec::with_capacity(roles.len());
    let mut it = roles.into_iter().peekable();
    while let Some(r) = it.next() {
        if r == Role::Mul && it.peek() == Some(&Role::Add) {
            it.next();
            out.push(Role::Bn);
        } else {
            out.push(r);
        }
    }
    out
}

fn is_winograd(head: &str) -> bool {
    head.starts_with("convolution_winograd")
}

fn is_dw_plus_1x1(name: &str) -> bool {
    name.starts_with("depthwise_conv_plus_1x1_conv_")
}

/// The roles linked into cell `d` of `row`; a Winograd kernel takes those the other phones name.
fn linked_roles(row: &Row, d: usize, phones: &[String]) -> Res<Vec<Role>> {
    let Some(cell) = row.cells.get(d) else { return Ok(Vec::new()) };
    let (head, links) = split_kernel(&cell.kernel)?;
    if !is_winograd(head) {
        return roles_of(&cell.kernel, &links);
    }
    let mut found: Option<(Vec<Role>, &str)> = None;
    for (o, other) in row.cells.iter().enumerate() {
        let (h, l) = split_kernel(&other.kernel)?;
        if o == d || is_winograd(h) || is_dw_plus_1x1(&other.kernel) {
            continue;
        }
        let roles = roles_of(&other.kernel, &l)?;
        match &found {
            Some((first, _)) if *first != roles => {
                return Err(ImportErrorKind::Invalid(format!(
                    "Winograd kernel '{}' on {}: the other phones disagree on the linked ops ('{}' vs '{}')",
                    cell.kernel,
                    phones.get(d).map_or("", String::as_str),
                    found.as_ref().map_or("", |f| f.1),
                    other.kernel
                )));
            }
            Some(_) => {}
            None => found = Some((roles, other.kernel.as_str())),
        }
    }
    found.map(|f| f.0).ok_or_else(|| {
        ImportErrorKind::Invalid(format!(
            "Winograd kernel '{}' does not name its linked ops and no other phone runs this row without Winograd: \
             the kernel's fused ops cannot be known",
            cell.kernel
        ))
    })
}

/// The fused depthwise + 1×1 kernel of cell `d` of `row` and the `next` row: kind, configuration,
/// latency (ms; the mean of the two rows) and, when the two rows differ, the second row's line.
fn fused_dw_1x1(
    row: &Row,
    next: Option<&Row>,
    d: usize,
) -> Res<(KernelKind, KernelConfig, f64, Option<usize>)> {
    let cell = row.cells.get(d).ok_or_else(|| ImportErrorKind::Invalid("missing cell".into()))?;
    let name = &cell.kernel;
    let pair = next.filter(|n| {
        n.model == row.model
            && n.op == Op::Conv
            && n.config.kernel_h == 1
            && n.cells.get(d).is_some_and(|c| c.kernel == *name)
    });
    let (Op::DwConv, Some(conv)) = (row.op, pair) else {
        return Err(ImportErrorKind::Invalid(format!(
            "'{name}' must name a DEPTHWISE_CONV_2D row and the 1x1 CONV_2D row right after it (same model, same \
             kernel name)"
        )));
    };
    if conv.config.cin != row.config.cout || conv.config.input_h != row.config.output_h {
        return Err(ImportErrorKind::Invalid(format!(
            "'{name}': the 1x1 convolution's input ({}x{}x{}) is not the depthwise output ({}x{}x{})",
            conv.config.input_h,
            conv.config.input_w,
            conv.config.cin,
            row.config.output_h,
            row.config.output_w,
            row.config.cout
        )));
    }
    let (head, links) = split_kernel(name)?;
    let ids: Vec<u64> = head
        .trim_start_matches("depthwise_conv_plus_1x1_conv_")
        .split('_')
        .map(|s| s.parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            ImportErrorKind::Invalid(format!("'{name}': expected numeric op ids after the prefix"))
        })?;
    if ids.len() < 2 {
        return Err(ImportErrorKind::Invalid(format!("'{name}': expected the depthwise and 1x1 op ids")));
    }
    // The ops between the depthwise and the 1×1 convolution, named by the other phones' kernels.
    let mut between = Vec::new();
    for id in ids.get(1..ids.len() - 1).unwrap_or_default() {
        let op = [row, conv]
            .iter()
            .flat_map(|r| r.cells.iter())
            .find_map(|c| {
                let (_, l) = split_kernel(&c.kernel).ok()?;
                l.iter().find(|(_, lid)| lid == id).map(|(op, _)| (*op).to_string())
            })
            .ok_or_else(|| {
                ImportErrorKind::Invalid(format!(
                    "'{name}': op {id} between the depthwise and the 1x1 convolution is not named by any other phone"
                ))
            })?;
        between.push((op, *id));
    }
    let between_refs: Vec<(&str, u64)> = between.iter().map(|(o, id)| (o.as_str(), *id)).collect();
    let mut tokens = vec![Role::DwConv, Role::Bn];
    tokens.extend(roles_of(name, &between_refs)?);
    tokens.push(Role::Conv);
    tokens.push(Role::Bn);
    tokens.extend(roles_of(name, &links)?);
    tokens.dedup_by(|a, b| *a == Role::Bn && *b == Role::Bn);
    let spelled = tokens.iter().map(ToString::to_string).collect::<Vec<_>>().join("-");
    let kind: KernelKind = spelled
        .parse()
        .map_err(|e: String| ImportErrorKind::UnknownKind { kind: spelled.clone(), reason: e })?;
    let mut config = row.config.clone();
    (config.cout, config.output_h, config.output_w) =
        (conv.config.cout, conv.config.output_h, conv.config.output_w);
    let a = cell.latency_ms;
    let b = conv.cells.get(d).map_or(a, |c| c.latency_ms);
    let other = (a != b).then_some(conv.line);
    Ok((kind, config, (a + b) / 2.0, other))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_dicts_mix_quoted_and_bare_values() {
        let f =
            parse_feature("{'Input_shape': '224', 'Input_channel': 3, 'Stride': '-'}").unwrap_or_default();
        assert_eq!(f.get("Input_shape"), Some(&"224"));
        assert_eq!(f.get("Input_channel"), Some(&"3"));
        assert_eq!(f.get("Stride"), Some(&"-"));
        assert!(parse_feature("Input_shape: 3").is_err());
    }

    #[test]
    fn same_and_valid_windows() {
        assert_eq!(window_pads(224, 112, 3, 2).ok(), Some([0, 0, 1, 1]));
        assert_eq!(window_pads(114, 112, 3, 1).ok(), Some([0; 4]));
        assert_eq!(window_pads(28, 28, 3, 1).ok(), Some([1, 1, 1, 1]));
        assert_eq!(window_pads(7, 1, 7, 1).ok(), Some([0; 4]));
        assert!(window_pads(224, 100, 3, 2).is_err());
    }

    #[test]
    fn mul_then_add_is_a_folded_batchnorm() {
        let r = fold_affine(vec![Role::Add, Role::Mul, Role::Add, Role::Relu]);
        assert_eq!(r, vec![Role::Add, Role::Bn, Role::Relu]);
        assert_eq!(fold_affine(vec![Role::Relu, Role::Mul]), vec![Role::Relu, Role::Mul]);
    }
}
