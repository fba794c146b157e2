//! Resize / Upsample: output from sizes (full rank or spatial only) or scales.
//!
//! Inputs are `[X, scales?, sizes?]`; an integer-typed input 1 with no input 2 is taken as sizes
//! (TFLite RESIZE_* `size`). The resolved spatial output extent is written to `sizes` in the
//! node's operator when the batch and channel extents are unchanged.

use super::{Ctx, Inferred, MAX_DIM, Out, R, channel_axes};
use crate::ir::{Op, ResizeMode};

/// Infer a Resize node.
pub(super) fn infer(
    ctx: &Ctx,
    mode: ResizeMode,
    scales: Option<&[f64]>,
    sizes: Option<&[i64]>,
) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let rank = x.len();
    let spatial: Vec<usize> =
        if rank >= 3 { channel_axes(ctx.layout(), rank).1.collect() } else { Vec::new() };
    let non_empty = |i: usize| ctx.input(i).is_some_and(|t| t.elements() != Some(0));
    let sizes: Option<Vec<i64>> = match sizes {
        Some(s) => Some(s.to_vec()),
        None if non_empty(2) => ctx.ints(2, "sizes")?,
        None if non_empty(1) && ctx.input(2).is_none() && ctx.dtype(1).is_integer() && scales.is_none() => {
            ctx.ints(1, "sizes")?
        }
        None => None,
    };
    let mut shape = x.clone();
    if let Some(sizes) = &sizes {
        let axes = target_axes(ctx, sizes.len(), &spatial, "sizes", &x)?;
        for (&axis, &v) in axes.iter().zip(sizes) {
            let d = ctx.dim(v, "output size")?;
            if let Some(slot) = shape.get_mut(axis) {
                *slot = d;
            }
        }
    } else {
        let scales: Vec<f64> = match scales {
            Some(s) => s.to_vec(),
            None if non_empty(1) => ctx.floats(1, "scales")?.unwrap_or_default(),
            None => return Err(ctx.err("Resize needs scales or sizes, and neither is given")),
        };
        let axes = target_axes(ctx, scales.len(), &spatial, "scales", &x)?;
        for (&axis, &s) in axes.iter().zip(&scales) {
            if !(s.is_finite() && s > 0.0) {
                return Err(ctx.err(format!("scale {s} in {scales:?} is not a positive number")));
            }
            let Some(slot) = shape.get_mut(axis) else { continue };
            let v = (*slot as f64 * s).floor();
            if v > MAX_DIM as f64 {
                return Err(ctx.limit(format!("output extent {v} ({} × {s}) is larger than 2^31", *slot)));
            }
            *slot = v as u64;
        }
    }
    let out = Out::new(shape.clone(), ctx.dtype(0));
    let unchanged = (0..rank).filter(|a| !spatial.contains(a)).all(|a| shape.get(a) == x.get(a));
    if !spatial.is_empty() && unchanged {
        let out_sizes: Vec<i64> = spatial.iter().filter_map(|&a| shape.get(a)).map(|&d| d as i64).collect();
        let op = Op::Resize { mode, scales: scales.map(<[f64]>::to_vec), sizes: Some(out_sizes) };
        return Ok(Inferred::with_op(out, op));
    }
    Ok(Inferred::one(out))
}

/// The axes `len` values apply to: every axis, or the spatial ones.
fn target_axes(ctx: &Ctx, len: usize, spatial: &[usize], what: &str, x: &[u64]) -> R<Vec<usize>> {
    if len == x.len() {
        Ok((0..len).collect())
    } else if len == spatial.len() && len > 0 {
        Ok(spatial.to_vec())
    } else {
        Err(ctx.err(format!(
            "{what} has {len} values; expected {} (every axis) or {} (spatial axes) for input {x:?}",
            x.len(),
            spatial.len()
        )))
    }
}
