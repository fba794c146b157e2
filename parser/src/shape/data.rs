//! Operators that compute shapes and small tensors: Shape (always a decoded constant), Gather,
//! ConstantOfShape, Range and Constant.

use super::fold::{Vals, to_const};
use super::{Ctx, Inferred, MAX_DIM, Out, R, Stop};
use crate::ir::{ConstValue, DType};

/// Shape: the (known) input extents `start..end` as an int64 constant, whether or not the input
/// itself is constant.
pub(super) fn shape(ctx: &Ctx, start: i64, end: Option<i64>) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let r = i64::try_from(x.len()).unwrap_or(i64::MAX);
    let clamp = |v: i64| if v < 0 { v.saturating_add(r).max(0) } else { v.min(r) };
    let (s, e) = (clamp(start), clamp(end.unwrap_or(r)));
    let picked: Vec<i64> = x
        .iter()
        .enumerate()
        .filter(|&(i, _)| i64::try_from(i).is_ok_and(|i| i >= s && i < e))
        .map(|(_, &d)| d as i64)
        .collect();
    let dtype = if ctx.out_dtype(0) == DType::I32 { DType::I32 } else { DType::I64 };
    let mut out = Out::forced(vec![picked.len() as u64], dtype);
    out.value = Some(ConstValue::Ints(picked));
    Ok(Inferred::one(out))
}

/// Gather along `axis`: `data[..axis] + indices + data[axis+1..]`. Constant indices must be in range.
pub(super) fn gather(ctx: &Ctx, axis: i64) -> R<Inferred> {
    let data = ctx.shape(0)?;
    let indices = ctx.shape(1)?;
    let a = ctx.axis(axis, data.len(), "axis")?;
    let extent = data.get(a).copied().unwrap_or(0);
    if let Some(v) = ctx.input(1).and_then(|t| t.ints()) {
        let e = i64::try_from(extent).unwrap_or(i64::MAX);
        if let Some(bad) = v.iter().find(|&&i| i < -e || i >= e) {
            return Err(ctx.err(format!(
                "index {bad} is out of range for axis {a} of extent {extent} (data {data:?})"
            )));
        }
    }
    let mut shape: Vec<u64> = data.get(..a).unwrap_or_default().to_vec();
    shape.extend_from_slice(&indices);
    shape.extend_from_slice(data.get(a + 1..).unwrap_or_default());
    Ok(Inferred::one(Out::new(shape, ctx.dtype(0))))
}

/// ConstantOfShape: the shape is input 0's values.
pub(super) fn constant_of_shape(ctx: &Ctx, dtype: DType) -> R<Inferred> {
    let values = ctx.ints(0, "shape")?.ok_or_else(|| ctx.err("needs its shape input 0"))?;
    let shape = values.iter().map(|&v| ctx.dim(v, "dimension")).collect::<R<Vec<u64>>>()?;
    Ok(Inferred::one(Out::forced(shape, dtype)))
}

/// Range(start, limit, delta): `max(ceil((limit − start) / delta), 0)` elements, computed and
/// decoded when small.
pub(super) fn range(ctx: &Ctx) -> R<Inferred> {
    let scalar = |i: usize, what: &str| -> R<Vals> {
        let vals = match ctx.input(i).and_then(|t| t.value.as_ref()) {
            Some(ConstValue::Ints(v)) => Vals::I(v.clone()),
            Some(ConstValue::Floats(v)) => Vals::F(v.clone()),
            _ => {
                // Not a decoded constant: report why (missing, unknown, not constant).
                ctx.floats(i, what)?;
                return Err(ctx.err(format!("needs its {what} input {i}")));
            }
        };
        if vals.len() == 1 {
            Ok(vals)
        } else {
            Err(ctx.err(format!("{what} (input {}) must be a scalar", ctx.input_name(i))))
        }
    };
    let (start, limit, delta) = (scalar(0, "start")?, scalar(1, "limit")?, scalar(2, "delta")?);
    let dtype = if ctx.dtype(0) == DType::Unknown {
        if start.is_int() { DType::I64 } else { DType::F32 }
    } else {
        ctx.dtype(0)
    };
    let (n, values) = match (start.first_int(), limit.first_int(), delta.first_int()) {
        (Some(s), Some(l), Some(d)) => {
            if d == 0 {
                return Err(ctx.err("delta is 0"));
            }
            let (s, l, d) = (i128::from(s), i128::from(l), i128::from(d));
            let span = l - s;
            let n = if (span > 0) == (d > 0) && span != 0 { (span + d - d.signum()) / d } else { 0 };
            let n = u64::try_from(n.max(0)).unwrap_or(u64::MAX);
            if n > MAX_DIM {
                return Err(ctx.limit(format!("Range of {n} elements is larger than 2^31")));
            }
            let vals = (n <= crate::ir::MAX_DECODED_INTS as u64).then(|| {
                Vals::I((0..n as i128).map(|k| i64::try_from(s + k * d).unwrap_or(i64::MAX)).collect())
            });
            (n, vals)
        }
        _ => {
            let (s, l, d) = (start.first_f64(), limit.first_f64(), delta.first_f64());
            if d == 0.0 || !(s.is_finite() && l.is_finite() && d.is_finite()) {
                return Err(ctx.err(format!("Range({s}, {l}, {d}) is not finite")));
            }
            let n = ((l - s) / d).ceil().max(0.0);
            if n > MAX_DIM as f64 {
                return Err(ctx.limit(format!("Range of {n} elements is larger than 2^31")));
            }
            let n = n as u64;
            let vals = (n <= crate::ir::MAX_DECODED_FLOATS as u64)
                .then(|| Vals::F((0..n).map(|k| s + k as f64 * d).collect()));
            (n, vals)
        }
    };
    let mut out = Out::new(vec![n], dtype);
    out.value = Some(values.map_or(ConstValue::Opaque, |v| to_const(v, dtype)));
    Ok(Inferred::one(out))
}

/// Constant: its output already carries shape and value.
pub(super) fn constant(ctx: &Ctx) -> R<Inferred> {
    let mut outs = Vec::with_capacity(ctx.n_outputs());
    for &o in &ctx.node.outputs {
        let Some(t) = ctx.g.tensors.get(o.0) else { return Err(Stop::Skip) };
        let Some(shape) = t.known_shape() else { return Err(Stop::Skip) };
        let mut out = Out::new(shape, t.dtype);
        out.value = t.value.clone();
        outs.push(Some(out));
    }
    Ok(Inferred { outs, op: None })
}
