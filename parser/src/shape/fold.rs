//! Constant folding: the value of an output whose inputs are all constant.
//!
//! Values are decoded only where it is cheap and useful (integer shape arithmetic, small floats):
//! at most [`MAX_DECODED_INTS`] integers or [`MAX_DECODED_FLOATS`] floats per tensor. Everything
//! else (weights through DEQUANTIZE, Transpose, Reshape, Conv of constants, ...) becomes
//! [`ConstValue::Opaque`] with its inferred shape.

use super::slice::{slice_plan, split_sizes};
use super::{Ctx, Inferred, elements};
use crate::ir::{BinaryOp, ConstValue, DType, MAX_DECODED_FLOATS, MAX_DECODED_INTS, Op, Tensor, UnaryOp};

/// Decoded values of a tensor, row-major.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Vals {
    /// Integers (and booleans as 0 / 1).
    I(Vec<i64>),
    /// Floats.
    F(Vec<f64>),
}

impl Vals {
    /// The decoded value of a constant tensor whose element count matches its shape.
    fn of(t: &Tensor) -> Option<Vals> {
        let v = match &t.value {
            Some(ConstValue::Ints(v)) => Vals::I(v.clone()),
            Some(ConstValue::Floats(v)) => Vals::F(v.clone()),
            _ => return None,
        };
        (Some(v.len() as u64) == t.elements()).then_some(v)
    }

    /// Number of elements.
    pub(super) fn len(&self) -> usize {
        match self {
            Vals::I(v) => v.len(),
            Vals::F(v) => v.len(),
        }
    }

    /// Whether these are integers.
    pub(super) fn is_int(&self) -> bool {
        matches!(self, Vals::I(_))
    }

    /// The first value, if these are integers.
    pub(super) fn first_int(&self) -> Option<i64> {
        match self {
            Vals::I(v) => v.first().copied(),
            Vals::F(_) => None,
        }
    }

    /// The first value as a float (NaN when empty).
    pub(super) fn first_f64(&self) -> f64 {
        self.as_f64().first().copied().unwrap_or(f64::NAN)
    }

    /// All values as floats.
    fn as_f64(&self) -> Vec<f64> {
        match self {
            Vals::I(v) => v.iter().map(|&x| x as f64).collect(),
            Vals::F(v) => v.clone(),
        }
    }

    /// The elements at `idx`, `None` if one is out of range.
    fn pick(&self, idx: &[usize]) -> Option<Vals> {
        Some(match self {
            Vals::I(v) => Vals::I(idx.iter().map(|&i| v.get(i).copied()).collect::<Option<_>>()?),
            Vals::F(v) => Vals::F(idx.iter().map(|&i| v.get(i).copied()).collect::<Option<_>>()?),
        })
    }
}

/// Store values as the constant of a tensor of type `dtype` (integers for integer types, floats
/// for float types), or [`ConstValue::Opaque`] beyond the decoding limits.
pub(super) fn to_const(v: Vals, dtype: DType) -> ConstValue {
    let want_int = if dtype.is_integer() {
        true
    } else if dtype.is_float() {
        false
    } else {
        v.is_int()
    };
    if want_int {
        let mut ints = match v {
            Vals::I(x) => x,
            Vals::F(x) => x.iter().map(|&f| f as i64).collect(),
        };
        if ints.len() > MAX_DECODED_INTS {
            return ConstValue::Opaque;
        }
        for x in &mut ints {
            *x = clamp_to(*x, dtype);
        }
        ConstValue::Ints(ints)
    } else {
        let floats = v.as_f64();
        if floats.len() > MAX_DECODED_FLOATS {
            return ConstValue::Opaque;
        }
        ConstValue::Floats(floats)
    }
}

/// Saturate an integer to the range of `dtype` (booleans become 0 / 1).
fn clamp_to(x: i64, dtype: DType) -> i64 {
    let (lo, hi) = match dtype {
        DType::Bool => return i64::from(x != 0),
        DType::I4 => (-8, 7),
        DType::I8 => (i64::from(i8::MIN), i64::from(i8::MAX)),
        DType::U8 => (0, i64::from(u8::MAX)),
        DType::I16 => (i64::from(i16::MIN), i64::from(i16::MAX)),
        DType::U16 => (0, i64::from(u16::MAX)),
        DType::I32 => (i64::from(i32::MIN), i64::from(i32::MAX)),
        DType::U32 => (0, i64::from(u32::MAX)),
        DType::U64 => (0, i64::MAX),
        _ => (i64::MIN, i64::MAX),
    };
    x.clamp(lo, hi)
}

/// Give every inferred output of an all-constant node a value: decoded when cheap, else opaque.
pub(super) fn fold(ctx: &Ctx, inferred: &mut Inferred) {
    for (k, slot) in inferred.outs.iter_mut().enumerate() {
        let Some(out) = slot else { continue };
        if out.value.is_some() {
            continue;
        }
        let dtype =
            if out.forced || ctx.out_dtype(k) == DType::Unknown { out.dtype } else { ctx.out_dtype(k) };
        // Only compute what `to_const` would keep: floats beyond a few dozen stay opaque.
        let limit = if dtype.is_float() { MAX_DECODED_FLOATS } else { MAX_DECODED_INTS };
        let small = elements(&out.shape).is_some_and(|n| n <= limit as u64);
        let vals = if small { compute(ctx, k, &out.shape, dtype) } else { None };
        let vals = vals.filter(|v| Some(v.len() as u64) == elements(&out.shape));
        out.value = Some(vals.map_or(ConstValue::Opaque, |v| to_const(v, dtype)));
    }
}

/// Values of input `i`, if decoded.
fn input(ctx: &Ctx, i: usize) -> Option<Vals> {
    ctx.input(i).and_then(Vals::of)
}

/// Known shape of input `i`.
fn in_shape(ctx: &Ctx, i: usize) -> Option<Vec<u64>> {
    ctx.input(i).and_then(Tensor::known_shape)
}

/// The value of output `k` with shape `shape`, when cheap to compute.
fn compute(ctx: &Ctx, k: usize, shape: &[u64], dtype: DType) -> Option<Vals> {
    match &ctx.node.op {
        Op::Identity
        | Op::Reshape { .. }
        | Op::Flatten { .. }
        | Op::Squeeze { .. }
        | Op::Unsqueeze { .. }
            if k == 0 =>
        {
            input(ctx, 0)
        }
        Op::Cast { to } => cast(input(ctx, 0)?, *to),
        Op::Dequantize => dequantize(ctx),
        Op::ConstantOfShape { value, .. } => {
            let n = usize::try_from(elements(shape)?).ok()?;
            Some(if dtype.is_integer() { Vals::I(vec![*value as i64; n]) } else { Vals::F(vec![*value; n]) })
        }
        Op::Concat { axis } => concat(ctx, *axis, shape),
        Op::Gather { axis } => gather(ctx, *axis),
        Op::Slice { .. } => {
            let x = in_shape(ctx, 0)?;
            let (cuts, _) = slice_plan(ctx, &x).ok()?;
            let st = strides(&x);
            let idx = odometer(shape, |o| {
                let mut src: i128 = 0;
                for ((&oi, c), &s) in o.iter().zip(&cuts).zip(&st) {
                    src += (i128::from(c.start) + i128::from(oi) * i128::from(c.step)) * i128::from(s);
                }
                usize::try_from(src).ok()
            })?;
            input(ctx, 0)?.pick(&idx)
        }
        Op::Split { axis, split } => {
            let x = in_shape(ctx, 0)?;
            let a = ctx.axis(*axis, x.len(), "axis").ok()?;
            let sizes = split_sizes(ctx, &x, a, split.as_deref()).ok()?;
            let offset: u64 = sizes.get(..k)?.iter().sum();
            let st = strides(&x);
            let idx = odometer(shape, |o| {
                let mut src = 0u64;
                for (j, (&oi, &s)) in o.iter().zip(&st).enumerate() {
                    let pos = if j == a { oi + offset } else { oi };
                    src += pos * s;
                }
                usize::try_from(src).ok()
            })?;
            input(ctx, 0)?.pick(&idx)
        }
        Op::Transpose { .. } => {
            let x = in_shape(ctx, 0)?;
            let perm = super::layout::perm(ctx, x.len()).ok()?;
            let st = strides(&x);
            let idx = odometer(shape, |o| {
                let src: u64 =
                    o.iter().zip(&perm).map(|(&oi, &p)| oi * st.get(p).copied().unwrap_or(0)).sum();
                usize::try_from(src).ok()
            })?;
            input(ctx, 0)?.pick(&idx)
        }
        Op::Expand => {
            let x = in_shape(ctx, 0)?;
            input(ctx, 0)?.pick(&broadcast_index(&x, shape)?)
        }
        Op::Tile => {
            let x = in_shape(ctx, 0)?;
            let st = strides(&x);
            let idx = odometer(shape, |o| {
                let src: u64 =
                    o.iter().zip(&x).zip(&st).map(|((&oi, &d), &s)| oi.checked_rem(d).unwrap_or(0) * s).sum();
                usize::try_from(src).ok()
            })?;
            input(ctx, 0)?.pick(&idx)
        }
        Op::Binary(op) => binary(ctx, *op, shape, dtype),
        Op::Unary(u) => unary(input(ctx, 0)?, u),
        _ => None,
    }
}

/// Row-major strides of a shape.
fn strides(shape: &[u64]) -> Vec<u64> {
    let mut st = vec![1u64; shape.len()];
    let mut acc = 1u64;
    for (s, &d) in st.iter_mut().zip(shape).rev() {
        *s = acc;
        acc = acc.saturating_mul(d);
    }
    st
}

/// Call `f` with every multi-index of `shape` in row-major order and collect the source indices
/// it returns (`None` if any is `None`). Only called for shapes within the decoding limit.
fn odometer(shape: &[u64], mut f: impl FnMut(&[u64]) -> Option<usize>) -> Option<Vec<usize>> {
    let n = usize::try_from(elements(shape)?).ok()?;
    if n > MAX_DECODED_INTS {
        return None;
    }
    let mut idx = vec![0u64; shape.len()];
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(f(&idx)?);
        for (i, &d) in idx.iter_mut().zip(shape).rev() {
            *i += 1;
            if *i < d {
                break;
            }
            *i = 0;
        }
    }
    Some(out)
}

/// Source indices of broadcasting a tensor of shape `x` to `shape`.
fn broadcast_index(x: &[u64], shape: &[u64]) -> Option<Vec<usize>> {
    let off = shape.len().checked_sub(x.len())?;
    let st = strides(x);
    odometer(shape, |o| {
        let src: u64 =
            o.get(off..)?.iter().zip(x).zip(&st).map(|((&oi, &d), &s)| if d == 1 { 0 } else { oi * s }).sum();
        usize::try_from(src).ok()
    })
}

/// Cast values to `to`.
fn cast(v: Vals, to: DType) -> Option<Vals> {
    if to.is_integer() {
        let ints: Vec<i64> = match v {
            Vals::I(x) => x,
            Vals::F(x) => {
                x.iter().map(|&f| if to == DType::Bool { i64::from(f != 0.0) } else { f as i64 }).collect()
            }
        };
        Some(Vals::I(ints.into_iter().map(|x| clamp_to(x, to)).collect()))
    } else if to.is_float() {
        Some(Vals::F(v.as_f64()))
    } else {
        None
    }
}

/// (x − zero_point) · scale with scalar parameters; f16 → f32 when there are none.
fn dequantize(ctx: &Ctx) -> Option<Vals> {
    let x = input(ctx, 0)?;
    let scalar = |i: usize, default: f64| match ctx.input(i) {
        None => Some(default),
        Some(t) => t.scalar(),
    };
    let (scale, zp) = (scalar(1, 1.0)?, scalar(2, 0.0)?);
    Some(Vals::F(x.as_f64().iter().map(|&v| (v - zp) * scale).collect()))
}

/// Concatenation of the decoded inputs along `axis`.
fn concat(ctx: &Ctx, axis: i64, shape: &[u64]) -> Option<Vals> {
    let a = ctx.axis(axis, shape.len(), "axis").ok()?;
    let inner: u64 = elements(shape.get(a + 1..)?)?;
    let outer: u64 = elements(shape.get(..a)?)?;
    let mut parts = Vec::new();
    for i in 0..ctx.n_inputs() {
        if ctx.input(i).is_none() {
            continue;
        }
        let s = in_shape(ctx, i)?;
        let chunk = usize::try_from(s.get(a)?.checked_mul(inner)?).ok()?;
        parts.push((input(ctx, i)?, chunk));
    }
    let all_int = parts.iter().all(|(v, _)| v.is_int());
    let mut ints = Vec::new();
    let mut floats = Vec::new();
    for o in 0..usize::try_from(outer).ok()? {
        for (v, chunk) in &parts {
            let range = o.checked_mul(*chunk)?..o.checked_mul(*chunk)?.checked_add(*chunk)?;
            match v {
                Vals::I(x) if all_int => ints.extend_from_slice(x.get(range)?),
                _ => floats.extend_from_slice(v.as_f64().get(range)?),
            }
        }
    }
    Some(if all_int { Vals::I(ints) } else { Vals::F(floats) })
}

/// Gather of decoded data by decoded indices.
fn gather(ctx: &Ctx, axis: i64) -> Option<Vals> {
    let data = in_shape(ctx, 0)?;
    let Vals::I(indices) = input(ctx, 1)? else { return None };
    let a = ctx.axis(axis, data.len(), "axis").ok()?;
    let extent = *data.get(a)?;
    let outer = elements(data.get(..a)?)?;
    let inner = elements(data.get(a + 1..)?)?;
    let e = i64::try_from(extent).ok()?;
    let mut idx = Vec::new();
    for o in 0..outer {
        for &q in &indices {
            let q = u64::try_from(if q < 0 { q.checked_add(e)? } else { q }).ok().filter(|&q| q < extent)?;
            for i in 0..inner {
                let src = o.checked_mul(extent)?.checked_add(q)?.checked_mul(inner)?.checked_add(i)?;
                idx.push(usize::try_from(src).ok()?);
                if idx.len() > MAX_DECODED_INTS {
                    return None;
                }
            }
        }
    }
    input(ctx, 0)?.pick(&idx)
}

/// Elementwise binary op over broadcast decoded inputs.
fn binary(ctx: &Ctx, op: BinaryOp, shape: &[u64], dtype: DType) -> Option<Vals> {
    if ctx.n_inputs() != 2 {
        return None;
    }
    let a = input(ctx, 0)?.pick(&broadcast_index(&in_shape(ctx, 0)?, shape)?)?;
    let b = input(ctx, 1)?.pick(&broadcast_index(&in_shape(ctx, 1)?, shape)?)?;
    match (a, b) {
        (Vals::I(a), Vals::I(b)) if !dtype.is_float() => {
            let f = |x: i64, y: i64| -> Option<i64> {
                match op {
                    BinaryOp::Add => x.checked_add(y),
                    BinaryOp::Sub => x.checked_sub(y),
                    BinaryOp::Mul => x.checked_mul(y),
                    BinaryOp::Div => x.checked_div(y),
                    BinaryOp::Max => Some(x.max(y)),
                    BinaryOp::Min => Some(x.min(y)),
                    BinaryOp::Mod => {
                        let r = x.checked_rem(y)?;
                        Some(if r != 0 && (r < 0) != (y < 0) { r + y } else { r })
                    }
                    BinaryOp::Pow => x.checked_pow(u32::try_from(y).ok()?),
                    BinaryOp::SquaredDifference => x.checked_sub(y).and_then(|d| d.checked_mul(d)),
                    BinaryOp::Compare => None,
                }
            };
            a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect::<Option<Vec<i64>>>().map(Vals::I)
        }
        (a, b) => {
            let f = |x: f64, y: f64| -> Option<f64> {
                Some(match op {
                    BinaryOp::Add => x + y,
                    BinaryOp::Sub => x - y,
                    BinaryOp::Mul => x * y,
                    BinaryOp::Div => x / y,
                    BinaryOp::Max => x.max(y),
                    BinaryOp::Min => x.min(y),
                    BinaryOp::Mod => x % y,
                    BinaryOp::Pow => x.powf(y),
                    BinaryOp::SquaredDifference => (x - y) * (x - y),
                    BinaryOp::Compare => return None,
                })
            };
            let (a, b) = (a.as_f64(), b.as_f64());
            a.iter().zip(&b).map(|(&x, &y)| f(x, y)).collect::<Option<Vec<f64>>>().map(Vals::F)
        }
    }
}

/// The few unary ops that appear in shape arithmetic (Neg, Abs, Floor, Ceil, Round, Sqrt,
/// Reciprocal, Relu).
fn unary(v: Vals, u: &UnaryOp) -> Option<Vals> {
    let name = match u {
        UnaryOp::Relu => "relu".to_string(),
        UnaryOp::Math(m) => m.to_ascii_lowercase(),
        _ => return None,
    };
    match v {
        Vals::I(x) => {
            let f = |a: i64| -> Option<i64> {
                match name.as_str() {
                    "neg" => a.checked_neg(),
                    "abs" => a.checked_abs(),
                    "floor" | "ceil" | "round" => Some(a),
                    "relu" => Some(a.max(0)),
                    _ => None,
                }
            };
            x.iter().map(|&a| f(a)).collect::<Option<Vec<_>>>().map(Vals::I)
        }
        Vals::F(x) => {
            let f = |a: f64| -> Option<f64> {
                Some(match name.as_str() {
                    "neg" => -a,
                    "abs" => a.abs(),
                    "floor" => a.floor(),
                    "ceil" => a.ceil(),
                    "round" => a.round_ties_even(),
                    "sqrt" => a.sqrt(),
                    "reciprocal" => 1.0 / a,
                    "relu" => a.max(0.0),
                    _ => return None,
                })
            };
            x.iter().map(|&a| f(a)).collect::<Option<Vec<_>>>().map(Vals::F)
        }
    }
}
