//! Conv and ConvTranspose (1-D, 2-D, 3-D; NCHW or NHWC), and the sliding-window arithmetic shared
//! with pooling.
//!
//! Padding is resolved to [`Padding::Explicit`], groups to `Some(g)` and the kernel to `Some(k)`
//! in the node's attributes.

use super::{Ctx, Inferred, Out, R, assemble, channel_axes, per_axis};
use crate::ir::{ConvAttrs, Op, Padding, WeightLayout};

/// Infer a (transposed) convolution.
pub(super) fn infer(ctx: &Ctx, attrs: &ConvAttrs, transposed: bool) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let w = ctx.shape(1)?;
    let rank = x.len();
    if rank < 3 {
        return Err(ctx.err(format!(
            "input shape {x:?} has rank {rank}; a convolution needs batch, channels and at least one spatial axis"
        )));
    }
    if w.len() != rank {
        return Err(
            ctx.err(format!("weight shape {w:?} has rank {} but the input {x:?} has rank {rank}", w.len()))
        );
    }
    let sr = rank - 2;
    let (c_axis, sp_axes) = channel_axes(ctx.layout(), rank);
    let (Some(&n), Some(&cin), Some(in_sp)) = (x.first(), x.get(c_axis), x.get(sp_axes)) else {
        return Err(ctx.err(format!("input shape {x:?} is too short")));
    };
    let layout = attrs.weight_layout;
    let w_kernel = match layout {
        WeightLayout::Oihw | WeightLayout::Iohw => w.get(2..),
        WeightLayout::Ohwi | WeightLayout::Ihwo => w.get(1..rank - 1),
    }
    .unwrap_or_default()
    .to_vec();
    let kernel = match &attrs.kernel {
        Some(k) if *k != w_kernel => {
            return Err(ctx.err(format!(
                "kernel_shape {k:?} does not match the spatial extent {w_kernel:?} of the weight {w:?} ({layout:?})"
            )));
        }
        _ => w_kernel,
    };
    if kernel.contains(&0) {
        return Err(ctx.err(format!("kernel {kernel:?} (weight {w:?}) has a zero extent")));
    }
    let strides = positive(ctx, &attrs.strides, sr, "strides")?;
    let dilations = positive(ctx, &attrs.dilations, sr, "dilations")?;
    let (groups, cout) = channels(ctx, attrs, &x, cin, &w, transposed)?;
    if let Some(b) = ctx.shape_opt(2)? {
        let count = super::elements(&b).unwrap_or(u64::MAX);
        if count != cout {
            return Err(
                ctx.err(format!("bias shape {b:?} does not hold one value per output channel ({cout})"))
            );
        }
    }
    let (pads, out_sp) = if transposed {
        transposed_windows(ctx, attrs, in_sp, &kernel, &strides, &dilations)?
    } else {
        windows(ctx, in_sp, &kernel, &strides, &dilations, &attrs.padding, false)?
    };
    let out = Out::new(assemble(ctx.layout(), n, cout, &out_sp), ctx.dtype(0));
    let resolved = ConvAttrs {
        kernel: Some(kernel),
        padding: Padding::Explicit(pads),
        groups: Some(groups),
        ..attrs.clone()
    };
    let op = if transposed { Op::ConvTranspose(resolved) } else { Op::Conv(resolved) };
    Ok(Inferred::with_op(out, op))
}

/// Groups and output channels from the weight shape; checks that the channels divide.
fn channels(ctx: &Ctx, attrs: &ConvAttrs, x: &[u64], cin: u64, w: &[u64], transposed: bool) -> R<(u64, u64)> {
    let first = w.first().copied().unwrap_or(0);
    let last = w.last().copied().unwrap_or(0);
    let (groups, cout) = match attrs.weight_layout {
        WeightLayout::Ihwo => {
            // Depthwise [1, kh, kw, Cout]: one group per input channel.
            if first != 1 {
                return Err(ctx.err(format!("depthwise weight {w:?} must have extent 1 on axis 0")));
            }
            if let Some(g) = attrs.groups
                && g != cin
            {
                return Err(
                    ctx.err(format!("depthwise groups {g} differ from the input channels {cin} of {x:?}"))
                );
            }
            (cin, last)
        }
        WeightLayout::Oihw | WeightLayout::Ohwi => {
            let w_in =
                if attrs.weight_layout == WeightLayout::Oihw { w.get(1).copied().unwrap_or(0) } else { last };
            let g = match attrs.groups {
                Some(g) => {
                    if g == 0 || w_in.checked_mul(g) != Some(cin) {
                        return Err(ctx.err(format!(
                            "input channels {cin} of {x:?} differ from weight in-channels {w_in} × groups {g} (weight {w:?})"
                        )));
                    }
                    g
                }
                None => {
                    if w_in == 0 || !cin.is_multiple_of(w_in) {
                        return Err(ctx.err(format!(
                            "input channels {cin} of {x:?} are not a multiple of the weight in-channels {w_in} (weight {w:?})"
                        )));
                    }
                    cin / w_in
                }
            };
            (g, first)
        }
        WeightLayout::Iohw => {
            let g = attrs.groups.unwrap_or(1);
            if first != cin {
                return Err(ctx.err(format!(
                    "input channels {cin} of {x:?} differ from the weight's axis 0 ({w:?}, layout [Cin, Cout/groups, k...])"
                )));
            }
            let per_group = w.get(1).copied().unwrap_or(0);
            let cout = per_group
                .checked_mul(g)
                .ok_or_else(|| ctx.limit(format!("output channels {per_group} × groups {g} overflow")))?;
            (g, cout)
        }
    };
    if groups == 0 || !cin.is_multiple_of(groups) || !cout.is_multiple_of(groups) {
        let kind = if transposed { "transposed convolution" } else { "convolution" };
        return Err(ctx.err(format!(
            "{kind} with {groups} groups: input channels {cin} and output channels {cout} must both be divisible by the groups (input {x:?}, weight {w:?})"
        )));
    }
    Ok((groups, cout))
}

/// Per-axis strides or dilations (empty = 1), all ≥ 1.
pub(super) fn positive(ctx: &Ctx, v: &[u64], n: usize, what: &str) -> R<Vec<u64>> {
    let v = per_axis(ctx, v, n, what, 1)?;
    if v.contains(&0) {
        return Err(ctx.err(format!("{what} {v:?} must all be positive")));
    }
    Ok(v)
}

/// Effective extent of a dilated kernel: d·(k−1) + 1.
fn effective(ctx: &Ctx, k: u64, d: u64) -> R<u64> {
    k.checked_sub(1)
        .and_then(|k1| k1.checked_mul(d))
        .and_then(|e| e.checked_add(1))
        .ok_or_else(|| ctx.limit(format!("kernel {k} with dilation {d} is too large")))
}

/// Resolve padding and compute the output extent of a sliding window over each spatial axis.
/// Returns (explicit pads: all begins then all ends, output extents).
pub(super) fn windows(
    ctx: &Ctx,
    input: &[u64],
    kernel: &[u64],
    strides: &[u64],
    dilations: &[u64],
    padding: &Padding,
    ceil_mode: bool,
) -> R<(Vec<u64>, Vec<u64>)> {
    let sr = input.len();
    if kernel.len() != sr || strides.len() != sr || dilations.len() != sr {
        return Err(ctx.err(format!(
            "kernel {kernel:?}, strides {strides:?} and dilations {dilations:?} must have one value per spatial axis of {input:?}"
        )));
    }
    let mut begins = Vec::with_capacity(sr);
    let mut ends = Vec::with_capacity(sr);
    match padding {
        Padding::Explicit(p) => {
            if p.len() != 2 * sr {
                return Err(ctx.err(format!("pads {p:?} must have {} values (begins then ends)", 2 * sr)));
            }
            begins.extend_from_slice(p.get(..sr).unwrap_or_default());
            ends.extend_from_slice(p.get(sr..).unwrap_or_default());
        }
        Padding::Valid => {
            begins.resize(sr, 0);
            ends.resize(sr, 0);
        }
        Padding::SameUpper | Padding::SameLower => {
            for (((&i, &k), &s), &d) in input.iter().zip(kernel).zip(strides).zip(dilations) {
                let eff = effective(ctx, k, d)?;
                let out = i.div_ceil(s);
                let total = out
                    .saturating_sub(1)
                    .checked_mul(s)
                    .and_then(|v| v.checked_add(eff))
                    .ok_or_else(|| ctx.limit("SAME padding overflows"))?
                    .saturating_sub(i);
                let small = total / 2;
                let big = total - small;
                if *padding == Padding::SameUpper {
                    begins.push(small);
                    ends.push(big);
                } else {
                    begins.push(big);
                    ends.push(small);
                }
            }
        }
    }
    let mut out = Vec::with_capacity(sr);
    for (axis, (((&i, &k), &s), &d)) in input.iter().zip(kernel).zip(strides).zip(dilations).enumerate() {
        let (pb, pe) = (begins.get(axis).copied().unwrap_or(0), ends.get(axis).copied().unwrap_or(0));
        let eff = effective(ctx, k, d)?;
        let padded = i
            .checked_add(pb)
            .and_then(|v| v.checked_add(pe))
            .ok_or_else(|| ctx.limit(format!("padded extent {i}+{pb}+{pe} overflows")))?;
        let Some(span) = padded.checked_sub(eff) else {
            return Err(ctx.err(format!(
                "kernel {k} (dilation {d}, effective extent {eff}) is larger than the padded input {i}+{pb}+{pe} on spatial axis {axis} (input {input:?})"
            )));
        };
        let mut o = if ceil_mode { span.div_ceil(s) + 1 } else { span / s + 1 };
        // The last window must start inside the input or the begin padding (PyTorch, onnxruntime).
        if ceil_mode && o > 1 && (o - 1).saturating_mul(s) >= i.saturating_add(pb) {
            o -= 1;
        }
        out.push(o);
    }
    begins.extend(ends);
    Ok((begins, out))
}

/// Output extents and resolved pads of a transposed convolution.
fn transposed_windows(
    ctx: &Ctx,
    attrs: &ConvAttrs,
    input: &[u64],
    kernel: &[u64],
    strides: &[u64],
    dilations: &[u64],
) -> R<(Vec<u64>, Vec<u64>)> {
    let sr = input.len();
    let out_pad = per_axis(ctx, &attrs.output_padding, sr, "output_padding", 0)?;
    // Full extent before cropping: (in − 1)·s + d·(k − 1) + 1 + output_padding.
    let mut full = Vec::with_capacity(sr);
    for (((&i, &k), &s), (&d, &op)) in
        input.iter().zip(kernel).zip(strides).zip(dilations.iter().zip(&out_pad))
    {
        if i == 0 {
            return Err(ctx.err(format!("transposed convolution over an empty input {input:?}")));
        }
        let eff = effective(ctx, k, d)?;
        let f = (i - 1)
            .checked_mul(s)
            .and_then(|v| v.checked_add(eff))
            .and_then(|v| v.checked_add(op))
            .ok_or_else(|| ctx.limit(format!("transposed convolution output over {input:?} overflows")))?;
        full.push(f);
    }
    let target: Option<Vec<u64>> = match (&attrs.output_shape, &attrs.padding) {
        (Some(os), _) => Some(if os.len() == sr {
            os.clone()
        } else if os.len() == sr + 2 {
            os.get(channel_axes(ctx.layout(), sr + 2).1).unwrap_or_default().to_vec()
        } else {
            return Err(ctx.err(format!("output_shape {os:?} must give {sr} spatial extents")));
        }),
        (None, Padding::SameUpper | Padding::SameLower) => Some(
            input
                .iter()
                .zip(strides)
                .map(|(&i, &s)| i.checked_mul(s))
                .collect::<Option<Vec<u64>>>()
                .ok_or_else(|| ctx.limit("transposed convolution output overflows"))?,
        ),
        (None, _) => None,
    };
    if let Some(target) = target {
        // Pads from the wanted output; ONNX puts the odd unit at the end only for SAME_UPPER.
        let extra_at_end = attrs.padding == Padding::SameUpper;
        let mut begins = Vec::with_capacity(sr);
        let mut ends = Vec::with_capacity(sr);
        for (&f, &t) in full.iter().zip(&target) {
            let total = f.saturating_sub(t);
            let (small, big) = (total / 2, total - total / 2);
            if extra_at_end {
                begins.push(small);
                ends.push(big);
            } else {
                begins.push(big);
                ends.push(small);
            }
        }
        begins.extend(ends);
        return Ok((begins, target));
    }
    let pads = match &attrs.padding {
        Padding::Explicit(p) if p.len() == 2 * sr => p.clone(),
        Padding::Explicit(p) => {
            return Err(ctx.err(format!("pads {p:?} must have {} values (begins then ends)", 2 * sr)));
        }
        _ => vec![0; 2 * sr],
    };
    let mut out = Vec::with_capacity(sr);
    for (axis, &f) in full.iter().enumerate() {
        let pb = pads.get(axis).copied().unwrap_or(0);
        let pe = pads.get(axis + sr).copied().unwrap_or(0);
        let o = f.checked_sub(pb).and_then(|v| v.checked_sub(pe)).filter(|&o| o > 0).ok_or_else(|| {
            ctx.err(format!(
                "pads {pb}+{pe} crop the whole transposed-convolution output {f} on spatial axis {axis}"
            ))
        })?;
        out.push(o);
    }
    Ok((pads, out))
}
