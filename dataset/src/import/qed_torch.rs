//! `qed-ops` on a PyTorch Mobile table: the qed-usc mobile-ml-benchmark `torch_cnn_ops_gpu.csv`
//! (Li, Paolieri, Golubchik, EdgeSys 2024). [`super::qed_ops::read`] hands a table here when its
//! first row's `operation` is a PyTorch op (`vulkan_prepack::…`, `aten::…`).
//!
//! # Columns
//! `model, operation, feature`, then for each phone `<phone>|gpu|float` (latency of the op in
//! **µs**, as for the TFLite table) and `<phone>|gpu|kernel` (the GPU kernel that ran it:
//! `vulkan.conv2d_pw_2x2`, `metal.prepack_conv2d`, …). Phones: pixel4, s10, onefusion (Android:
//! PyTorch's Vulkan backend) and iphonexs (PyTorch's Metal backend). `feature` is a Python dict
//! with lower-case keys: `input_channel, input_shape, output_channel, output_shape, kernel_size,
//! stride, padding, groups, input_size, output_size, flops, filter_size`, as far as the op has
//! them. One row is one PyTorch op of a real CNN (the pytorchcv model zoo); one (row, phone) cell
//! with a latency is one kernel measurement, stored as a kernel of that model
//! (`KernelRecord::model`) with the GPU kernel's name as `source_id`.
//!
//! # What is known about a row
//! - **Rows are ops, not execution-order kernels.** The table lists a model's ops grouped by
//!   operation (all its convolutions, then its pools, adds, …), and a layer repeated in a model
//!   is a row of its own each time (the same configuration on several rows is not a duplicate; a
//!   row identical to an earlier one in every field, every latency included, is refused as one).
//! - **Kind** = the op's single role, spelled by `KernelKind::from_roles` as the parser spells it:
//!   `run_conv2d_context` → `conv-bn`, `dwconv-bn` or `groupconv-bn` (groups 1, = Cin, else;
//!   the parser always writes a convolution with its folded `bn`), `run_linear_context` → `fc`,
//!   `run_batchnorm_context` → `bn`, `add`, `mul`, `relu`, `hardswish` → `hswish`, `sigmoid`,
//!   `clamp` → `clip` (its bounds are not in the table, so it cannot be told to be a ReLU6, which
//!   the parser would call `relu`), `max_pool2d` → `maxpool`, `avg_pool2d` → `avgpool`, and
//!   `gap` (global average pool) for `adaptive_avg_pool2d`, for an `avg_pool2d` row without a
//!   window, and for a window over the whole unpadded map (the parser's rule).
//! - **What a convolution row's kernel includes is partly unknown.** PyTorch's Vulkan mobile
//!   optimisation (`optimize_for_mobile(backend="vulkan")`, which is what puts
//!   `vulkan_prepack::run_conv2d_context` into a model) folds a BatchNorm that follows a
//!   convolution into its weights and fuses a following ReLU / hardtanh into the convolution as
//!   an output clamp. The table agrees: `resnet18` has 20 convolution rows and no BatchNorm row,
//!   and 8 ReLU rows for its 17 ReLUs (the ones after the residual adds). So a convolution row
//!   may include a clamp, but **which rows do is not in the table**; they are stored as the
//!   convolution alone (`conv-bn`), and the provenance says so. BatchNorm rows are the
//!   BatchNorms that could not be folded (pre-activation nets); activation rows are the ones not
//!   fused.
//! - **Global pools.** `adaptive_avg_pool2d` rows and `avg_pool2d` rows without a window give no
//!   output size; they are read as global (output 1×1): pytorchcv's squeeze-excite blocks and
//!   final pools pool to 1×1, and in this file every final pool of a model with a linear
//!   classifier has as many channels as the classifier has inputs. The iPhone ran every such
//!   row as `metal.adaptive_avg_pool2d`.
//! - **Windows.** Convolutions: `output_shape` = ⌊(in + 2·padding − kernel) / stride⌋ + 1 with
//!   dilation 1 (not in the table; a row that fits no dilation-1 window is refused). Pools: the
//!   same, or the ceil of it (PyTorch's `ceil_mode`, e.g. GoogLeNet-style 112 → 56 max pools);
//!   padding is symmetric, stored on all four sides, as the parser stores a `ceil_mode` pool.
//! - **Groups** = `groups` when given; rows without it are checked against `filter_size` =
//!   Cin / groups × Cout × kernel² (in this file they are all depthwise). Every convolution
//!   must satisfy `flops` = MACs = out² × Cout × kernel² × Cin / groups, `input_size` = Cin ×
//!   in², `output_size` = Cout × out²; linear rows `flops` = 2 × in × out − out; elementwise rows
//!   `flops` = channels × side². A row that does not is refused: it is not understood.
//! - **Elementwise ops** (`add`, `mul`) have two tensor operands (Vulkan's `vulkan.add` /
//!   `vulkan.mul`, not the `_scalar` kernels); the table gives only the first operand's shape, so
//!   the second's (a squeeze-excite scale broadcasts over the map) is unknown and
//!   `input_channels` is left empty.
//! - **Missing cells.** A cell without a latency is no measurement. On the iPhone, ReLU,
//!   BatchNorm, hardswish, sigmoid and clamp rows have neither a latency nor a kernel name
//!   (whether Metal fused them or they were not timed is not said upstream); the s10 column
//!   names kernels but has no latencies for 17 whole models; 72 other iPhone cells name a kernel
//!   without a latency. The provenance counts them per phone and lists the models a phone has
//!   no latency for. A latency without a kernel name is refused.
//! - The iPhone's kernel name for the ten windowed `avg_pool2d` rows is `metal.max_pool2d`: kept
//!   as the source gives it (the op, and so the kind, is an average pool).
//!
//! Fields the table does not give: batch 1, dilation 1, dtype f32 (the models are float).
//!
//! # Devices
//! `<phone>-gpu-pytorch-vulkan-fp16` (pixel4, s10, onefusion; runtime `pytorch-vulkan`) and
//! `iphonexs-gpu-pytorch-metal-fp16` (runtime `pytorch-metal`), class gpu, separate from the
//! TFLite devices of the same phones. Precision fp16 because the upstream README says the
//! `ops_gpu` files were measured "using 16-bit floating-point precision" (its description covers
//! both frameworks' files); PyTorch's Vulkan backend computes in fp16 only when built with
//! `USE_VULKAN_FP16_INFERENCE`, which the upstream does not say, so for the Vulkan columns the
//! precision rests on the README alone (the device notes say so).

use super::common::{Csv, Devices, field, measured, measurement, provenance, whole};
use super::error::{ImportError, ImportErrorKind};
use super::qed_ops::{FORMAT, feat, feat_u, parse_feature, phone_soc};
use super::units::Unit;
use crate::batch::{Device, DeviceClass, ImportBatch, KernelRecord, Metric, Subject};
use einf_parser::kernel::{KernelConfig, KernelKind, Role};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

type Res<T> = Result<T, ImportErrorKind>;

/// The GPU backend PyTorch Mobile used on a phone.
fn backend(phone: &str) -> &'static str {
    if phone.starts_with("iphone") { "metal" } else { "vulkan" }
}

/// The device of a phone's GPU column in the PyTorch table.
pub(crate) fn torch_device(phone: &str) -> Device {
    let api = backend(phone);
    let caveat = if api == "vulkan" {
        "; PyTorch's Vulkan backend computes in fp16 only when built with USE_VULKAN_FP16_INFERENCE, which the \
         upstream does not say: fp16 rests on the README"
    } else {
        ""
    };
    Device {
        name: format!("{phone}-gpu-pytorch-{api}-fp16"),
        class: DeviceClass::Gpu,
        soc: phone_soc(phone).map(str::to_string),
        runtime: Some(format!("pytorch-{api}")),
        precision: Some("fp16".into()),
        notes: Some(format!(
            "qed-usc mobile-ml-benchmark phone '{phone}': PyTorch Mobile, {} backend; fp16 per the upstream README \
             (GPU op latencies measured in 16-bit float){caveat}",
            if api == "metal" { "Metal" } else { "Vulkan" }
        )),
    }
}

/// A PyTorch Mobile op of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Conv,
    Linear,
    BatchNorm,
    Add,
    Mul,
    Relu,
    Clamp,
    Hardswish,
    Sigmoid,
    MaxPool,
    AvgPool,
    AdaptiveAvgPool,
}

/// The op names this reader knows, for errors.
const OPS: &str = "vulkan_prepack::run_conv2d_context, vulkan_prepack::run_linear_context, \
vulkan_prepack::run_batchnorm_context, aten::add, aten::mul, aten::relu, aten::clamp, aten::hardswish, aten::sigmoid, \
aten::max_pool2d, aten::avg_pool2d, aten::adaptive_avg_pool2d";

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "vulkan_prepack::run_conv2d_context" => Op::Conv,
            "vulkan_prepack::run_linear_context" => Op::Linear,
            "vulkan_prepack::run_batchnorm_context" => Op::BatchNorm,
            "aten::add" => Op::Add,
            "aten::mul" => Op::Mul,
            "aten::relu" => Op::Relu,
            "aten::clamp" => Op::Clamp,
            "aten::hardswish" => Op::Hardswish,
            "aten::sigmoid" => Op::Sigmoid,
            "aten::max_pool2d" => Op::MaxPool,
            "aten::avg_pool2d" => Op::AvgPool,
            "aten::adaptive_avg_pool2d" => Op::AdaptiveAvgPool,
            _ => return None,
        })
    }
}

/// What the rows tell beyond their measurements, for the provenance.
#[derive(Default)]
struct Tally {
    /// Per phone: cells with neither latency nor kernel name, and cells naming a kernel without
    /// a latency.
    empty: Vec<(usize, usize)>,
    /// Per phone: models of which no row has a latency on it.
    models_without: Vec<Vec<String>>,
    /// Rows whose pool output is the ceil of the window arithmetic.
    ceil_pools: usize,
    /// Rows read as global average pools although their op gives no window.
    windowless_gap: usize,
}

/// Read a qed-usc PyTorch Mobile GPU op table (its header already checked: `phones` are the
/// phones of its column pairs).
pub(crate) fn read(path: &Path, csv: &Csv, phones: &[String]) -> Result<ImportBatch, ImportError> {
    let err = |line: usize, kind| ImportError::new(path, line, kind);
    let us = Unit::for_metric(Metric::Latency, "µs")
        .map_err(|e| err(1, ImportErrorKind::Unit { column: "latency".into(), reason: e.to_string() }))?;
    let mut devices = Devices::default();
    for p in phones {
        devices.add(torch_device(p));
    }
    let names: Vec<String> = phones.iter().map(|p| torch_device(p).name).collect();
    let mut tally = Tally {
        empty: vec![(0, 0); phones.len()],
        models_without: vec![Vec::new(); phones.len()],
        ..Tally::default()
    };
    // Per model and phone: whether any row of the model has a latency there.
    let mut measured_on: BTreeMap<&str, Vec<bool>> = BTreeMap::new();
    let mut rows_seen: HashMap<Vec<&str>, usize> = HashMap::with_capacity(csv.rows.len());
    let mut measurements = Vec::with_capacity(csv.rows.len() * phones.len());
    for (line, r) in &csv.rows {
        let line = *line;
        let model = field(r, 0);
        if model.is_empty() {
            return Err(err(line, ImportErrorKind::Invalid("empty model name".into())));
        }
        let (kind, config) = row_kernel(field(r, 1), field(r, 2), &mut tally).map_err(|k| err(line, k))?;
        let on = measured_on.entry(model).or_insert_with(|| vec![false; phones.len()]);
        for (d, phone) in phones.iter().enumerate() {
            let (latency, kernel) = (field(r, 3 + 2 * d), field(r, 4 + 2 * d));
            let slot = tally.empty.get_mut(d);
            match (latency.is_empty(), kernel.is_empty()) {
                (true, true) => {
                    if let Some(s) = slot {
                        s.0 += 1;
                    }
                    continue;
                }
                (true, false) => {
                    if let Some(s) = slot {
                        s.1 += 1;
                    }
                    continue;
                }
                (false, true) => {
                    return Err(err(
                        line,
                        ImportErrorKind::Invalid(format!(
                            "{phone}|gpu|float has a latency but {phone}|gpu|kernel is empty"
                        )),
                    ));
                }
                (false, false) => {}
            }
            let value = measured(&format!("{phone}|gpu|float"), latency, us).map_err(|k| err(line, k))?;
            if let Some(flag) = on.get_mut(d) {
                *flag = true;
            }
            let subject = Subject::Kernel(KernelRecord {
                kind: kind.clone(),
                config: config.clone(),
                source_id: Some(kernel.to_string()),
                model: Some(model.to_string()),
            });
            let device = names.get(d).map_or("", String::as_str);
            measurements.push(measurement(device, subject, Metric::Latency, value, line));
        }
        if let Some(first) = rows_seen.insert(r.iter().map(str::trim).collect(), line) {
            return Err(err(
                line,
                ImportErrorKind::Duplicate {
                    key: format!(
                        "row: every field, every latency included, repeats an earlier row of model '{model}' (a \
                         repeated layer has its own latencies)"
                    ),
                    first_line: first,
                },
            ));
        }
    }
    for (model, on) in &measured_on {
        for (d, measured) in on.iter().enumerate() {
            if let (false, Some(list)) = (measured, tally.models_without.get_mut(d)) {
                list.push((*model).to_string());
            }
        }
    }
    Ok(ImportBatch {
        format: FORMAT.into(),
        devices: devices.into_vec(),
        measurements,
        provenance: provenance(FORMAT, path, &notes(phones, &tally)),
        graphs: Vec::new(),
    })
}

const NOTES: &str = "qed-usc PyTorch Mobile GPU op table (torch_cnn_ops_gpu.csv): one measurement per (op row, \
phone) with a latency, µs -> ms; rows are single PyTorch ops grouped by operation (not execution order), a \
repeated layer is a row each time. Kind = the op's role as the parser spells it (conv rows conv-bn / dwconv-bn / \
groupconv-bn, linear fc, batchnorm bn, add, mul, relu, hardswish hswish, sigmoid, clamp clip: bounds unknown, \
max_pool2d maxpool, avg_pool2d avgpool, adaptive_avg_pool2d and windowless avg_pool2d gap with output 1x1). \
UNKNOWN per row: whether a conv row's kernel includes a fused output clamp (ReLU/hardtanh): PyTorch's Vulkan \
mobile optimisation folds a following BatchNorm into the conv and fuses a following ReLU/hardtanh as a clamp, and \
the table agrees (resnet18: 20 conv rows, no BatchNorm row, 8 ReLU rows for 17 ReLUs), but which conv rows carry \
a clamp is not in the table: stored as the conv alone. add/mul: second operand's shape unknown, input_channels \
empty. Conv dilation 1 (checked against the output side); pools in ceil_mode keep symmetric padding; groups from \
'groups', else from filter_size; flops/sizes checked. batch 1, f32. Devices <phone>-gpu-pytorch-vulkan-fp16 \
(pixel4, s10, onefusion) and iphonexs-gpu-pytorch-metal-fp16: fp16 per the upstream README's ops_gpu \
description (Vulkan fp16 needs a USE_VULKAN_FP16_INFERENCE build, which upstream does not state).\n";

fn notes(phones: &[String], t: &Tally) -> String {
    let mut text = String::from(NOTES);
    text.push_str(&format!(
        "Pools with ceil_mode output: {} rows; windowless avg_pool2d rows read as global: {}.\n",
        t.ceil_pools, t.windowless_gap
    ));
    text.push_str("Cells without a measurement, per phone (no latency and no kernel name / a kernel name without a latency):\n");
    for (d, phone) in phones.iter().enumerate() {
        let (none, named) = t.empty.get(d).copied().unwrap_or_default();
        let without = t.models_without.get(d).map_or(&[][..], Vec::as_slice);
        text.push_str(&format!("- {phone}: {none} / {named}"));
        if !without.is_empty() {
            let n = without.len();
            let s = if n == 1 { "" } else { "s" };
            text.push_str(&format!("; no latency for any op of {n} model{s}: {}", without.join(", ")));
        }
        text.push('\n');
    }
    text
}

/// A feature value that may be 0 (padding).
fn feat_whole(f: &HashMap<&str, &str>, key: &str) -> Res<u64> {
    whole(&format!("feature {key}"), feat(f, key)?)
}

fn not_understood(what: String) -> ImportErrorKind {
    ImportErrorKind::Invalid(format!("{what}: the row is not understood"))
}

/// Check a feature's product (`flops`, `input_size`, ...) against what the reading gives.
fn check(f: &HashMap<&str, &str>, key: &str, expected: u64, reading: &str) -> Res<()> {
    let given = feat_whole(f, key)?;
    if given != expected {
        return Err(not_understood(format!("{key} {given} is not {expected} ({reading})")));
    }
    Ok(())
}

/// The kind and configuration of a row's op.
fn row_kernel(op_name: &str, feature: &str, tally: &mut Tally) -> Res<(KernelKind, KernelConfig)> {
    let op = Op::parse(op_name).ok_or_else(|| ImportErrorKind::UnknownKind {
        kind: op_name.to_string(),
        reason: if op_name.contains("::") {
            format!("not a PyTorch Mobile op of the qed-usc tables ({OPS})")
        } else {
            "a TFLite op in a PyTorch Mobile op table (the first row tells which table a file is)".into()
        },
    })?;
    let f = parse_feature(feature)?;
    let mut c = KernelConfig::neutral();
    // Linear rows name their features input_shape / output_shape.
    let cin = if op == Op::Linear { 1 } else { feat_u(&f, "input_channel")? };
    c.cin = cin;
    c.cout = cin;
    let role = match op {
        Op::Conv => {
            let (i, o) = (feat_u(&f, "input_shape")?, feat_u(&f, "output_shape")?);
            let (k, s, p) = (feat_u(&f, "kernel_size")?, feat_u(&f, "stride")?, feat_whole(&f, "padding")?);
            let cout = feat_u(&f, "output_channel")?;
            let filter = feat_u(&f, "filter_size")?;
            let dense = prod(&[cin, cout, k, k]);
            let groups = match f.get("groups") {
                Some(g) => whole("feature groups", g)?,
                None if dense.is_multiple_of(filter) => dense / filter,
                None => {
                    return Err(not_understood(format!(
                        "filter_size {filter} is no whole fraction of Cin x Cout x kernel^2 = {dense}"
                    )));
                }
            };
            if groups == 0 || !cin.is_multiple_of(groups) || !cout.is_multiple_of(groups) {
                return Err(not_understood(format!(
                    "groups {groups} does not divide input_channel {cin} and output_channel {cout}"
                )));
            }
            let reading = format!("{i}x{i}x{cin} -> {o}x{o}x{cout}, k{k} s{s} p{p}, groups {groups}");
            check(&f, "filter_size", dense / groups, &reading)?;
            window(i, o, k, s, p, false)?;
            check(&f, "flops", prod(&[o, o, cout, k, k, cin / groups]), &format!("MACs of {reading}"))?;
            check(&f, "input_size", prod(&[cin, i, i]), &reading)?;
            check(&f, "output_size", prod(&[cout, o, o]), &reading)?;
            (c.input_h, c.input_w, c.output_h, c.output_w) = (i, i, o, o);
            (c.kernel_h, c.kernel_w, c.stride_h, c.stride_w) = (k, k, s, s);
            c.pads = [p; 4];
            (c.cout, c.groups) = (cout, groups);
            match groups {
                1 => Role::Conv,
                g if g == cin => Role::DwConv,
                _ => Role::GroupConv,
            }
        }
        Op::Linear => {
            let (n_in, n_out) = (feat_u(&f, "input_shape")?, feat_u(&f, "output_shape")?);
            let reading = format!("{n_in} -> {n_out} features");
            check(&f, "flops", prod(&[2, n_in, n_out]).saturating_sub(n_out), &reading)?;
            (c.cin, c.cout) = (n_in, n_out);
            Role::Fc
        }
        Op::BatchNorm => {
            let i = feat_u(&f, "input_shape")?;
            check(&f, "input_size", prod(&[cin, i, i]), &format!("{i}x{i}x{cin}"))?;
            (c.input_h, c.input_w, c.output_h, c.output_w) = (i, i, i, i);
            Role::Bn
        }
        Op::Add | Op::Mul | Op::Relu | Op::Clamp | Op::Hardswish | Op::Sigmoid => {
            let i = feat_u(&f, "input_shape")?;
            check(&f, "flops", prod(&[cin, i, i]), &format!("one per element of {i}x{i}x{cin}"))?;
            (c.input_h, c.input_w, c.output_h, c.output_w) = (i, i, i, i);
            match op {
                Op::Add => Role::Add,
                Op::Mul => Role::Mul,
                Op::Relu => Role::Relu,
                Op::Clamp => Role::Clip,
                Op::Hardswish => Role::Hswish,
                _ => Role::Sigmoid,
            }
        }
        Op::AdaptiveAvgPool | Op::AvgPool if !f.contains_key("kernel_size") => {
            let i = feat_u(&f, "input_shape")?;
            check(&f, "input_size", prod(&[cin, i, i]), &format!("{i}x{i}x{cin}"))?;
            (c.input_h, c.input_w, c.kernel_h, c.kernel_w) = (i, i, i, i);
            if op == Op::AvgPool {
                tally.windowless_gap += 1;
            }
            Role::Gap
        }
        Op::AdaptiveAvgPool => {
            return Err(not_understood("adaptive_avg_pool2d with a window".into()));
        }
        Op::MaxPool | Op::AvgPool => {
            let (i, o) = (feat_u(&f, "input_shape")?, feat_u(&f, "output_shape")?);
            let (k, s, p) = (feat_u(&f, "kernel_size")?, feat_u(&f, "stride")?, feat_whole(&f, "padding")?);
            let reading = format!("{i}x{i}x{cin} -> {o}x{o}x{cin}, k{k} s{s} p{p}");
            if window(i, o, k, s, p, true)? {
                tally.ceil_pools += 1;
            }
            check(&f, "input_size", prod(&[cin, i, i]), &reading)?;
            check(&f, "output_size", prod(&[cin, o, o]), &reading)?;
            (c.input_h, c.input_w, c.output_h, c.output_w) = (i, i, o, o);
            (c.kernel_h, c.kernel_w, c.stride_h, c.stride_w) = (k, k, s, s);
            c.pads = [p; 4];
            // A window over the whole, unpadded map is a global pool (the parser's rule).
            let global = k == i && p == 0 && o == 1;
            match (op, global) {
                (Op::MaxPool, true) => Role::Gmp,
                (Op::MaxPool, false) => Role::MaxPool,
                (_, true) => Role::Gap,
                _ => Role::AvgPool,
            }
        }
    };
    Ok((KernelKind::from_roles(&[role]), c))
}

/// The product of `factors`, saturating (absurd feature values fail their checks, never overflow).
fn prod(factors: &[u64]) -> u64 {
    factors.iter().fold(1u64, |a, &b| a.saturating_mul(b))
}

/// Whether `o` is the output side of a window `k`, stride `s`, symmetric padding `p` on side `i`
/// with dilation 1: `Ok(false)` for the floor of the arithmetic, `Ok(true)` for its ceil (when
/// `ceil` is allowed, as pools' `ceil_mode`), an error otherwise.
fn window(i: u64, o: u64, k: u64, s: u64, p: u64, ceil: bool) -> Res<bool> {
    let span = i.saturating_add(p.saturating_mul(2)).checked_sub(k);
    if let Some(span) = span {
        if span / s + 1 == o {
            return Ok(false);
        }
        if ceil && span.div_ceil(s) + 1 == o {
            return Ok(true);
        }
    }
    Err(not_understood(format!(
        "output_shape {o} is not what a {k}x{k} window with stride {s}, padding {p} and dilation 1 gives on side {i} \
         ({})",
        span.map_or("none".to_string(), |x| {
            if ceil { format!("{} or {}", x / s + 1, x.div_ceil(s) + 1) } else { (x / s + 1).to_string() }
        })
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_floor_ceil_and_refused() {
        assert_eq!(window(224, 112, 3, 2, 1, false).ok(), Some(false));
        // GoogLeNet's 112 -> 56 max pool, k3 s2 p0: the floor gives 55, ceil_mode 56.
        assert_eq!(window(112, 56, 3, 2, 0, true).ok(), Some(true));
        assert!(window(112, 56, 3, 2, 0, false).is_err());
        assert!(window(2, 1, 3, 1, 0, true).is_err());
    }

    #[test]
    fn ops_become_single_role_kinds() {
        let mut t = Tally::default();
        let kind = |op: &str, feature: &str, t: &mut Tally| {
            row_kernel(op, feature, t).map(|(k, _)| k.to_string()).unwrap_or_else(|e| e.to_string())
        };
        let conv = "{'input_channel': 24, 'input_shape': 112, 'output_channel': 24, 'output_shape': 56, \
                    'kernel_size': 3, 'stride': 2, 'padding': 1, 'groups': 3, 'input_size': 301056, \
                    'output_size': 75264, 'flops': 5419008, 'filter_size': 1728}";
        assert_eq!(kind("vulkan_prepack::run_conv2d_context", conv, &mut t), "groupconv-bn");
        let gap = "{'input_channel': 2048, 'input_shape': 27, 'input_size': 1492992}";
        assert_eq!(kind("aten::avg_pool2d", gap, &mut t), "gap");
        assert_eq!(t.windowless_gap, 1);
        let clamp = "{'input_channel': 72, 'input_shape': 28, 'flops': 56448}";
        assert_eq!(kind("aten::clamp", clamp, &mut t), "clip");
        assert!(kind("aten::gelu", clamp, &mut t).contains("not a PyTorch Mobile op"));
        assert!(kind("CONV_2D", clamp, &mut t).contains("TFLite op"));
        let wrong = "{'input_channel': 72, 'input_shape': 28, 'flops': 56447}";
        assert!(kind("aten::relu", wrong, &mut t).contains("not understood"));
    }
}
