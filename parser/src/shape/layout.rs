//! Operators that rearrange elements: Reshape, Flatten, Squeeze, Unsqueeze, Transpose,
//! DepthToSpace / SpaceToDepth, Tile and Expand. Parameters read from inputs are written back
//! into the node's operator.

use super::elementwise::broadcast;
use super::{Ctx, Inferred, MAX_ELEMENTS, Out, R, channel_axes, elements};
use crate::ir::Op;

/// Reshape: `0` copies the input extent (unless `allowzero`), one `-1` takes the rest.
pub(super) fn reshape(ctx: &Ctx, shape: Option<&[i64]>, allowzero: bool) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let target = match shape {
        Some(s) => s.to_vec(),
        None => ctx
            .ints(1, "target shape")?
            .ok_or_else(|| ctx.err("needs a target shape (attribute or input 1)"))?,
    };
    let out = Out::new(reshape_dims(ctx, &x, &target, allowzero)?, ctx.dtype(0));
    if shape.is_none() {
        return Ok(Inferred::with_op(out, Op::Reshape { shape: Some(target), allowzero }));
    }
    Ok(Inferred::one(out))
}

/// The output of reshaping `x` to `target`.
pub(super) fn reshape_dims(ctx: &Ctx, x: &[u64], target: &[i64], allowzero: bool) -> R<Vec<u64>> {
    let total = elements(x).unwrap_or(u64::MAX);
    let mut out = Vec::with_capacity(target.len());
    let mut infer_at = None;
    for (i, &v) in target.iter().enumerate() {
        let d = match v {
            -1 => {
                if infer_at.replace(i).is_some() {
                    return Err(ctx.err(format!("target shape {target:?} has more than one -1")));
                }
                1
            }
            0 if !allowzero => x.get(i).copied().ok_or_else(|| {
                ctx.err(format!(
                    "target shape {target:?}: 0 at axis {i} copies an axis the input {x:?} does not have"
                ))
            })?,
            v => ctx.dim(v, &format!("target dimension (in {target:?})"))?,
        };
        out.push(d);
    }
    let known = elements(&out)
        .filter(|&n| n <= MAX_ELEMENTS)
        .ok_or_else(|| ctx.limit(format!("target shape {target:?} has more than 2^40 elements")))?;
    match infer_at {
        Some(i) => {
            if known == 0 || !total.is_multiple_of(known) {
                return Err(ctx.err(format!(
                    "cannot reshape {x:?} ({total} elements) to {target:?}: the other extents multiply to {known}"
                )));
            }
            if let Some(slot) = out.get_mut(i) {
                *slot = total / known;
            }
        }
        None if known != total => {
            return Err(
                ctx.err(format!("cannot reshape {x:?} ({total} elements) to {target:?} ({known} elements)"))
            );
        }
        None => {}
    }
    Ok(out)
}

/// Flatten to `[prod(x[..axis]), prod(x[axis..])]`, axis in `[-rank, rank]`.
pub(super) fn flatten(ctx: &Ctx, axis: i64) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let r = i64::try_from(x.len()).unwrap_or(i64::MAX);
    let a = if axis < 0 { axis.saturating_add(r) } else { axis };
    let a = usize::try_from(a)
        .ok()
        .filter(|&a| a <= x.len())
        .ok_or_else(|| ctx.err(format!("axis {axis} is out of range for {x:?}")))?;
    let (head, tail) = x.split_at(a);
    let shape = vec![elements(head).unwrap_or(u64::MAX), elements(tail).unwrap_or(u64::MAX)];
    Ok(Inferred::one(Out::new(shape, ctx.dtype(0))))
}

/// Squeeze the given unit axes (or every unit axis).
pub(super) fn squeeze(ctx: &Ctx, axes: Option<&[i64]>) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let given: Option<Vec<i64>> = match axes {
        Some(a) => Some(a.to_vec()),
        None => ctx.ints(1, "axes")?,
    };
    let given = given.filter(|a| !a.is_empty());
    let mut drop = vec![false; x.len()];
    match &given {
        None => {
            for (slot, &d) in drop.iter_mut().zip(&x) {
                *slot = d == 1;
            }
        }
        Some(list) => {
            for &a in list {
                let i = ctx.axis(a, x.len(), "squeeze axis")?;
                if x.get(i) != Some(&1) {
                    return Err(
                        ctx.err(format!("axis {a} of {x:?} has extent {}, not 1", x.get(i).unwrap_or(&0)))
                    );
                }
                if let Some(slot) = drop.get_mut(i) {
                    *slot = true;
                }
            }
        }
    }
    let shape: Vec<u64> = x.iter().zip(&drop).filter(|&(_, &d)| !d).map(|(&v, _)| v).collect();
    let out = Out::new(shape, ctx.dtype(0));
    if axes.is_none() && given.is_some() {
        return Ok(Inferred::with_op(out, Op::Squeeze { axes: given }));
    }
    Ok(Inferred::one(out))
}

/// Insert unit axes at the given positions of the output.
pub(super) fn unsqueeze(ctx: &Ctx, axes: Option<&[i64]>) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let list = match axes {
        Some(a) => a.to_vec(),
        None => ctx.ints(1, "axes")?.ok_or_else(|| ctx.err("needs axes (attribute or input 1)"))?,
    };
    let out_rank = x.len().saturating_add(list.len());
    let mut insert = vec![false; out_rank];
    for &a in &list {
        let i = ctx.axis(a, out_rank, "unsqueeze axis")?;
        match insert.get_mut(i) {
            Some(slot) if !*slot => *slot = true,
            _ => return Err(ctx.err(format!("axes {list:?} name axis {a} twice"))),
        }
    }
    let mut rest = x.iter();
    let shape: Vec<u64> =
        insert.iter().map(|&ins| if ins { 1 } else { rest.next().copied().unwrap_or(1) }).collect();
    let out = Out::new(shape, ctx.dtype(0));
    if axes.is_none() {
        return Ok(Inferred::with_op(out, Op::Unsqueeze { axes: Some(list) }));
    }
    Ok(Inferred::one(out))
}

/// The permutation of a Transpose node for an input of rank `rank` (attribute, input 1, or reverse).
pub(super) fn perm(ctx: &Ctx, rank: usize) -> R<Vec<usize>> {
    let given = match &ctx.node.op {
        Op::Transpose { perm: Some(p) } => Some(p.clone()),
        _ => ctx.ints(1, "perm")?,
    };
    let Some(given) = given else { return Ok((0..rank).rev().collect()) };
    if given.len() != rank {
        return Err(ctx.err(format!("perm {given:?} has {} values for an input of rank {rank}", given.len())));
    }
    let mut seen = vec![false; rank];
    let mut out = Vec::with_capacity(rank);
    for &p in &given {
        let i = ctx.axis(p, rank, "perm entry")?;
        match seen.get_mut(i) {
            Some(slot) if !*slot => *slot = true,
            _ => return Err(ctx.err(format!("perm {given:?} is not a permutation"))),
        }
        out.push(i);
    }
    Ok(out)
}

/// Transpose: output axis `j` is input axis `perm[j]`.
pub(super) fn transpose(ctx: &Ctx) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let p = perm(ctx, x.len())?;
    let shape: Vec<u64> = p.iter().map(|&i| x.get(i).copied().unwrap_or(0)).collect();
    let out = Out::new(shape, ctx.dtype(0));
    let resolved = Op::Transpose { perm: Some(p.iter().map(|&i| i as i64).collect()) };
    if resolved != ctx.node.op {
        return Ok(Inferred::with_op(out, resolved));
    }
    Ok(Inferred::one(out))
}

/// DepthToSpace (C / b², H·b, W·b) and SpaceToDepth (C·b², H / b, W / b), 4-D in the graph layout.
pub(super) fn space_depth(ctx: &Ctx, to_space: bool, block: u64) -> R<Inferred> {
    let x = ctx.shape(0)?;
    if x.len() != 4 {
        return Err(ctx.err(format!("input {x:?} must be 4-D")));
    }
    if block == 0 {
        return Err(ctx.err("block size must be positive"));
    }
    let (c_axis, sp) = channel_axes(ctx.layout(), 4);
    let (Some(&n), Some(&c), Some(&h), Some(&w)) =
        (x.first(), x.get(c_axis), x.get(sp.start), x.get(sp.start + 1))
    else {
        return Err(ctx.err(format!("input {x:?} must be 4-D")));
    };
    let bb = block.checked_mul(block).ok_or_else(|| ctx.limit(format!("block size {block} is too large")))?;
    let overflow = || ctx.limit(format!("output of block {block} over {x:?} overflows"));
    let (c2, h2, w2) = if to_space {
        if c % bb != 0 {
            return Err(ctx.err(format!("channels {c} of {x:?} are not divisible by block² = {bb}")));
        }
        (c / bb, h.checked_mul(block).ok_or_else(overflow)?, w.checked_mul(block).ok_or_else(overflow)?)
    } else {
        if h % block != 0 || w % block != 0 {
            return Err(
                ctx.err(format!("spatial extents {h}×{w} of {x:?} are not divisible by the block {block}"))
            );
        }
        (c.checked_mul(bb).ok_or_else(overflow)?, h / block, w / block)
    };
    Ok(Inferred::one(Out::new(super::assemble(ctx.layout(), n, c2, &[h2, w2]), ctx.dtype(0))))
}

/// Tile: each extent times its repeat count (input 1).
pub(super) fn tile(ctx: &Ctx) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let reps = ctx.ints(1, "repeats")?.ok_or_else(|| ctx.err("needs its repeats input 1"))?;
    if reps.len() != x.len() {
        return Err(ctx.err(format!("repeats {reps:?} must have one value per axis of {x:?}")));
    }
    let mut shape = Vec::with_capacity(x.len());
    for (&d, &r) in x.iter().zip(&reps) {
        let r = ctx.dim(r, "repeat count")?;
        shape.push(d.checked_mul(r).ok_or_else(|| ctx.limit(format!("tiling {x:?} by {reps:?} overflows")))?);
    }
    Ok(Inferred::one(Out::new(shape, ctx.dtype(0))))
}

/// Expand: broadcast the input against the shape in input 1.
pub(super) fn expand(ctx: &Ctx) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let target = ctx.ints(1, "shape")?.ok_or_else(|| ctx.err("needs its shape input 1"))?;
    let target = target.iter().map(|&v| ctx.dim(v, "target dimension")).collect::<R<Vec<u64>>>()?;
    let shape = broadcast(&x, &target)
        .ok_or_else(|| ctx.err(format!("input {x:?} does not broadcast to the shape {target:?}")))?;
    Ok(Inferred::one(Out::new(shape, ctx.dtype(0))))
}
