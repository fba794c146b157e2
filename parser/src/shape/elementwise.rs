//! Elementwise operators: broadcasting binary ops, unary ops (Clip bounds are read from inputs
//! 1 and 2 when constant), PRelu, BatchNorm, Norm, Lrn, Softmax, Quantize, Dequantize, Cast and
//! Identity.

use super::{Ctx, Inferred, Out, R, channel_axes};
use crate::ir::{BinaryOp, DType, Layout, Op, UnaryOp};

/// numpy broadcasting of two shapes; `None` when they do not broadcast.
pub(super) fn broadcast(a: &[u64], b: &[u64]) -> Option<Vec<u64>> {
    let r = a.len().max(b.len());
    let mut out = vec![0; r];
    let mut ia = a.iter().rev();
    let mut ib = b.iter().rev();
    for slot in out.iter_mut().rev() {
        let da = ia.next().copied().unwrap_or(1);
        let db = ib.next().copied().unwrap_or(1);
        *slot = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return None,
        };
    }
    Some(out)
}

/// Binary op over all present inputs (variadic Sum / Max / Min map here too).
pub(super) fn binary(ctx: &Ctx, op: BinaryOp) -> R<Inferred> {
    let mut shape: Option<Vec<u64>> = None;
    for i in 0..ctx.n_inputs() {
        let Some(s) = ctx.shape_opt(i)? else { continue };
        shape = Some(match shape {
            None => s,
            Some(acc) => broadcast(&acc, &s).ok_or_else(|| {
                ctx.err(format!(
                    "input shapes do not broadcast: {acc:?} and {s:?} (input {})",
                    ctx.input_name(i)
                ))
            })?,
        });
    }
    let shape = shape.ok_or_else(|| ctx.err("has no inputs"))?;
    let dtype = if op == BinaryOp::Compare {
        DType::Bool
    } else if ctx.dtype(0) == DType::Unknown {
        ctx.dtype(1)
    } else {
        ctx.dtype(0)
    };
    Ok(Inferred::one(Out::new(shape, dtype)))
}

/// Unary op: same shape. Clip bounds given as constant inputs are written into the operator.
pub(super) fn unary(ctx: &Ctx, u: &UnaryOp) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let out = Out::new(x, ctx.dtype(0));
    if let UnaryOp::Clip { min, max } = u {
        let read = |i: usize, given: Option<f64>| given.or_else(|| ctx.input(i).and_then(|t| t.scalar()));
        let (new_min, new_max) = (read(1, *min), read(2, *max));
        if (new_min, new_max) != (*min, *max) {
            return Ok(Inferred::with_op(out, Op::Unary(UnaryOp::Clip { min: new_min, max: new_max })));
        }
    }
    Ok(Inferred::one(out))
}

/// Same shape and type as input 0; a second output (Dropout mask) gets the same shape, boolean.
pub(super) fn same(ctx: &Ctx) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let mut outs = vec![Some(Out::new(x.clone(), ctx.dtype(0)))];
    if ctx.n_outputs() > 1 {
        outs.push(Some(Out::new(x, DType::Bool)));
    }
    Ok(Inferred { outs, op: None })
}

/// PRelu: the slope broadcasts against X.
pub(super) fn prelu(ctx: &Ctx) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let slope = ctx.shape(1)?;
    let shape = broadcast(&x, &slope)
        .ok_or_else(|| ctx.err(format!("slope {slope:?} does not broadcast against the input {x:?}")))?;
    Ok(Inferred::one(Out::new(shape, ctx.dtype(0))))
}

/// BatchNorm: output 0 has X's shape; scale, bias, mean and var hold one value per channel.
/// Training-mode outputs (running statistics) are left unknown.
pub(super) fn batch_norm(ctx: &Ctx) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let c_axis = if x.len() >= 3 { channel_axes(ctx.layout(), x.len()).0 } else { 1 };
    let c = match (x.len(), ctx.layout()) {
        (0 | 1, _) => None,
        (2, Layout::Nhwc) => x.last().copied(),
        _ => x.get(c_axis).copied(),
    };
    if let Some(c) = c {
        for i in 1..5 {
            if let Some(p) = ctx.shape_opt(i)?
                && super::elements(&p) != Some(c)
            {
                return Err(ctx.err(format!(
                    "parameter {} has shape {p:?}, expected {c} values (one per channel of {x:?})",
                    ctx.input_name(i)
                )));
            }
        }
    }
    Ok(Inferred::one(Out::new(x, ctx.dtype(0))))
}

/// Instance / layer / group normalisation: same shape. LayerNorm's optional mean and inverse
/// standard deviation outputs keep the axes before `axis` and are 1 after it.
pub(super) fn norm(ctx: &Ctx, kind: &str, axis: i64) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let mut outs = vec![Some(Out::new(x.clone(), ctx.dtype(0)))];
    if kind.eq_ignore_ascii_case("layer") {
        let a = ctx.axis(axis, x.len(), "axis")?;
        let stats: Vec<u64> = x.iter().enumerate().map(|(i, &d)| if i < a { d } else { 1 }).collect();
        for _ in 1..ctx.n_outputs() {
            outs.push(Some(Out::new(stats.clone(), DType::F32)));
        }
    }
    Ok(Inferred { outs, op: None })
}

/// Softmax: same shape; the axis must exist.
pub(super) fn softmax(ctx: &Ctx, axis: i64) -> R<Inferred> {
    let x = ctx.shape(0)?;
    if !x.is_empty() {
        ctx.axis(axis, x.len(), "axis")?;
    }
    Ok(Inferred::one(Out::new(x, ctx.dtype(0))))
}

/// Quantize: same shape; the type is the zero point's (ONNX), else u8.
pub(super) fn quantize(ctx: &Ctx) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let dtype = match ctx.dtype(2) {
        DType::Unknown => DType::U8,
        d => d,
    };
    Ok(Inferred::one(Out::new(x, dtype)))
}

/// Dequantize: same shape, f32 unless the frontend said otherwise.
pub(super) fn dequantize(ctx: &Ctx) -> R<Inferred> {
    let x = ctx.shape(0)?;
    Ok(Inferred::one(Out::new(x, DType::F32)))
}

/// Cast: same shape, the target type.
pub(super) fn cast(ctx: &Ctx, to: DType) -> R<Inferred> {
    let x = ctx.shape(0)?;
    Ok(Inferred::one(Out::forced(x, to)))
}
