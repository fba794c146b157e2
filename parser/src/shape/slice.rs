//! Joining and cutting: Concat, Split, Slice (negative, clamped indices and steps; TFLite sizes)
//! and Pad. Parameters read from inputs are written back into the node's operator.

use super::{Ctx, Inferred, Out, R};
use crate::ir::{Op, PadMode};

/// Concat along `axis`: all present inputs have the same rank and agree off the axis.
pub(super) fn concat(ctx: &Ctx, axis: i64) -> R<Inferred> {
    let mut shapes = Vec::with_capacity(ctx.n_inputs());
    for i in 0..ctx.n_inputs() {
        if let Some(s) = ctx.shape_opt(i)? {
            shapes.push((i, s));
        }
    }
    let Some((_, first)) = shapes.first() else { return Err(ctx.err("has no inputs")) };
    let mut shape = first.clone();
    let a = ctx.axis(axis, shape.len(), "axis")?;
    let mut total: u64 = 0;
    for (i, s) in &shapes {
        let agree =
            s.len() == shape.len() && s.iter().zip(&shape).enumerate().all(|(k, (x, y))| k == a || x == y);
        if !agree {
            return Err(ctx.err(format!(
                "input {} has shape {s:?}, which does not match {first:?} off the concatenation axis {a}",
                ctx.input_name(*i)
            )));
        }
        total = total
            .checked_add(s.get(a).copied().unwrap_or(0))
            .ok_or_else(|| ctx.limit("concatenated extent overflows"))?;
    }
    if let Some(slot) = shape.get_mut(a) {
        *slot = total;
    }
    let dtype = shapes.iter().map(|(i, _)| ctx.dtype(*i)).find(|d| *d != crate::ir::DType::Unknown);
    Ok(Inferred::one(Out::new(shape, dtype.unwrap_or(crate::ir::DType::Unknown))))
}

/// Sizes of the pieces of a Split node along its axis (attribute, input 1, or equal parts).
pub(super) fn split_sizes(ctx: &Ctx, x: &[u64], axis: usize, split: Option<&[i64]>) -> R<Vec<u64>> {
    let extent = x.get(axis).copied().unwrap_or(0);
    let n = ctx.n_outputs();
    let given = match split {
        Some(s) => Some(s.to_vec()),
        None => ctx.ints(1, "split")?,
    };
    let Some(given) = given.filter(|g| !g.is_empty()) else {
        // Equal parts; the last one smaller when the extent does not divide (ONNX num_outputs).
        let n64 = n as u64;
        if n64 == 0 {
            return Err(ctx.err("has no outputs"));
        }
        let chunk = extent.div_ceil(n64);
        let mut sizes = Vec::with_capacity(n);
        let mut left = extent;
        for _ in 0..n {
            let s = chunk.min(left);
            sizes.push(s);
            left -= s;
        }
        if extent % n64 != 0 && chunk.saturating_mul(n64 - 1) >= extent {
            return Err(ctx.err(format!("axis {axis} of {x:?} cannot be split into {n} parts")));
        }
        return Ok(sizes);
    };
    if given.len() != n {
        return Err(ctx.err(format!("split {given:?} has {} sizes for {n} outputs", given.len())));
    }
    let mut sizes = Vec::with_capacity(n);
    let mut infer_at = None;
    let mut known: u64 = 0;
    for (k, &v) in given.iter().enumerate() {
        if v == -1 && infer_at.replace(k).is_none() {
            sizes.push(0);
            continue;
        }
        let d = ctx.dim(v, &format!("split size (in {given:?})"))?;
        known = known.saturating_add(d);
        sizes.push(d);
    }
    if let Some(k) = infer_at {
        let rest = extent.checked_sub(known).ok_or_else(|| {
            ctx.err(format!("split {given:?} exceeds the extent {extent} of axis {axis} of {x:?}"))
        })?;
        if let Some(slot) = sizes.get_mut(k) {
            *slot = rest;
        }
    } else if known != extent {
        return Err(
            ctx.err(format!("split {given:?} sums to {known}, but axis {axis} of {x:?} has extent {extent}"))
        );
    }
    Ok(sizes)
}

/// Split into one output per size.
pub(super) fn split(ctx: &Ctx, axis: i64, split: Option<&[i64]>) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let a = ctx.axis(axis, x.len(), "axis")?;
    let sizes = split_sizes(ctx, &x, a, split)?;
    let outs = sizes
        .iter()
        .map(|&s| {
            let mut shape = x.clone();
            if let Some(slot) = shape.get_mut(a) {
                *slot = s;
            }
            Some(Out::new(shape, ctx.dtype(0)))
        })
        .collect();
    let op =
        split.is_none().then(|| Op::Split { axis, split: Some(sizes.iter().map(|&s| s as i64).collect()) });
    Ok(Inferred { outs, op })
}

/// One sliced axis: first index, step, and number of elements taken.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cut {
    /// First input index.
    pub(super) start: i64,
    /// Step between taken indices.
    pub(super) step: i64,
    /// Number of indices taken.
    pub(super) len: u64,
}

/// The per-axis cuts of the Slice node for input shape `x` (ONNX semantics: negative indices count
/// from the end, out-of-range indices are clamped), and the parameters read.
pub(super) fn slice_plan(ctx: &Ctx, x: &[u64]) -> R<(Vec<Cut>, Op)> {
    let Op::Slice { starts, ends, axes, steps, sizes_not_ends } = &ctx.node.op else {
        return Err(ctx.err("is not a Slice"));
    };
    let read = |given: &Option<Vec<i64>>, i: usize, what: &str| -> R<Option<Vec<i64>>> {
        match given {
            Some(v) => Ok(Some(v.clone())),
            None => ctx.ints(i, what),
        }
    };
    let starts = read(starts, 1, "starts")?.ok_or_else(|| ctx.err("needs starts (attribute or input 1)"))?;
    let ends = read(ends, 2, if *sizes_not_ends { "sizes" } else { "ends" })?
        .ok_or_else(|| ctx.err("needs ends (attribute or input 2)"))?;
    let axes = read(axes, 3, "axes")?.filter(|a| !a.is_empty());
    let steps = read(steps, 4, "steps")?.filter(|s| !s.is_empty());
    let n = starts.len();
    if ends.len() != n
        || axes.as_ref().is_some_and(|a| a.len() != n)
        || steps.as_ref().is_some_and(|s| s.len() != n)
    {
        return Err(ctx.err(format!(
            "starts {starts:?}, ends {ends:?}, axes {axes:?} and steps {steps:?} must have the same length"
        )));
    }
    let mut cuts: Vec<Cut> = x.iter().map(|&d| Cut { start: 0, step: 1, len: d }).collect();
    let mut seen = vec![false; x.len()];
    for k in 0..n {
        let axis = match &axes {
            Some(a) => a.get(k).copied().unwrap_or(0),
            None => k as i64,
        };
        let i = ctx.axis(axis, x.len(), "slice axis")?;
        match seen.get_mut(i) {
            Some(slot) if !*slot => *slot = true,
            _ => return Err(ctx.err(format!("axes {axes:?} name axis {axis} twice"))),
        }
        let d = i64::try_from(x.get(i).copied().unwrap_or(0)).unwrap_or(i64::MAX);
        let step = steps.as_ref().and_then(|s| s.get(k).copied()).unwrap_or(1);
        if step == 0 {
            return Err(ctx.err(format!("step 0 on axis {axis}")));
        }
        let s0 = starts.get(k).copied().unwrap_or(0);
        let e0 = ends.get(k).copied().unwrap_or(0);
        let norm = |v: i64| if v < 0 { v.saturating_add(d) } else { v };
        let start = norm(s0);
        let end = if *sizes_not_ends { if e0 < 0 { d } else { start.saturating_add(e0) } } else { norm(e0) };
        let (start, len) = if step > 0 {
            let s = start.clamp(0, d);
            let e = end.clamp(0, d);
            let len = if e > s {
                (i128::from(e) - i128::from(s) + i128::from(step) - 1) / i128::from(step)
            } else {
                0
            };
            (s, len)
        } else {
            let s = start.clamp(-1, d - 1);
            let e = end.clamp(-1, d - 1);
            let st = i128::from(step);
            let len = if s > e { (i128::from(s) - i128::from(e) - st - 1) / -st } else { 0 };
            (s, len)
        };
        if let Some(c) = cuts.get_mut(i) {
            *c = Cut { start, step, len: u64::try_from(len).unwrap_or(0) };
        }
    }
    let resolved =
        Op::Slice { starts: Some(starts), ends: Some(ends), axes, steps, sizes_not_ends: *sizes_not_ends };
    Ok((cuts, resolved))
}

/// Slice.
pub(super) fn slice(ctx: &Ctx) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let (cuts, resolved) = slice_plan(ctx, &x)?;
    let shape: Vec<u64> = cuts.iter().map(|c| c.len).collect();
    let out = Out::new(shape, ctx.dtype(0));
    if resolved != ctx.node.op {
        return Ok(Inferred::with_op(out, resolved));
    }
    Ok(Inferred::one(out))
}

/// Pad: pads are all begins then all ends (or `[[b, e], ...]` pairs); negative pads crop. An
/// optional input 3 (ONNX opset 18 `axes`) restricts the pads to those axes.
pub(super) fn pad(ctx: &Ctx, pads: Option<&[i64]>, pairs: bool, mode: PadMode) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let r = x.len();
    let raw = match pads {
        Some(p) => p.to_vec(),
        None => ctx.ints(1, "pads")?.ok_or_else(|| ctx.err("needs pads (attribute or input 1)"))?,
    };
    let axes: Vec<usize> = match ctx.ints(3, "axes")? {
        Some(a) if !a.is_empty() => a.iter().map(|&v| ctx.axis(v, r, "pad axis")).collect::<R<_>>()?,
        _ => (0..r).collect(),
    };
    let n = axes.len();
    if raw.len() != 2 * n {
        return Err(ctx.err(format!("pads {raw:?} must have {} values for input {x:?}", 2 * n)));
    }
    let (begins, ends): (Vec<i64>, Vec<i64>) = if pairs {
        raw.chunks(2).map(|c| (c.first().copied().unwrap_or(0), c.get(1).copied().unwrap_or(0))).unzip()
    } else {
        (raw.get(..n).unwrap_or_default().to_vec(), raw.get(n..).unwrap_or_default().to_vec())
    };
    let mut shape = x.clone();
    for ((&a, &b), &e) in axes.iter().zip(&begins).zip(&ends) {
        let Some(slot) = shape.get_mut(a) else { continue };
        let v = i128::from(*slot) + i128::from(b) + i128::from(e);
        *slot = u64::try_from(v).map_err(|_| {
            ctx.err(format!(
                "pads {b} and {e} crop more than the extent {} of axis {a} of {x:?}",
                x.get(a).unwrap_or(&0)
            ))
        })?;
    }
    let out = Out::new(shape, ctx.dtype(0));
    if pads.is_none() && ctx.input(3).is_none() {
        let mut onnx = begins;
        onnx.extend(ends);
        return Ok(Inferred::with_op(out, Op::Pad { pads: Some(onnx), pairs: false, mode }));
    }
    Ok(Inferred::one(out))
}
