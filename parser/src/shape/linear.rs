//! Gemm (ONNX Gemm, TFLite FULLY_CONNECTED) and MatMul with batch broadcasting.

use super::elementwise::broadcast;
use super::{Ctx, Inferred, Out, R};

/// `Y = A'·B' (+ C)`. With `flatten_rows` (TFLite) every axis but the last of A is folded into
/// rows of K = B's input extent; the output is `[rows, N]`, or A's shape with the last axis set to
/// N when `keep_num_dims`.
pub(super) fn gemm(
    ctx: &Ctx,
    trans_a: bool,
    trans_b: bool,
    flatten_rows: bool,
    keep_num_dims: bool,
) -> R<Inferred> {
    let a = ctx.shape(0)?;
    let b = ctx.shape(1)?;
    let [b0, b1] = b[..] else {
        return Err(ctx.err(format!("weight B {b:?} must be 2-D (A {a:?})")));
    };
    let (k_b, n) = if trans_b { (b1, b0) } else { (b0, b1) };
    let shape = if flatten_rows {
        if keep_num_dims {
            let Some((&last, lead)) = a.split_last() else {
                return Err(ctx.err("input A is a scalar"));
            };
            if last != k_b {
                return Err(ctx.err(format!(
                    "keep_num_dims: the last axis of A {a:?} must equal the input extent {k_b} of B {b:?}"
                )));
            }
            let mut s = lead.to_vec();
            s.push(n);
            s
        } else {
            let total = super::elements(&a).unwrap_or(u64::MAX);
            if k_b == 0 || !total.is_multiple_of(k_b) {
                return Err(ctx.err(format!(
                    "A {a:?} ({total} elements) cannot be split into rows of B's input extent {k_b} (B {b:?})"
                )));
            }
            vec![total / k_b, n]
        }
    } else {
        let [a0, a1] = a[..] else {
            return Err(ctx.err(format!("input A {a:?} must be 2-D (B {b:?})")));
        };
        let (m, k_a) = if trans_a { (a1, a0) } else { (a0, a1) };
        if k_a != k_b {
            return Err(ctx.err(format!(
                "inner dimensions differ: A {a:?}{} has K={k_a}, B {b:?}{} has K={k_b}",
                if trans_a { "ᵀ" } else { "" },
                if trans_b { "ᵀ" } else { "" }
            )));
        }
        vec![m, n]
    };
    if let Some(c) = ctx.shape_opt(2)?
        && broadcast(&shape, &c).as_ref() != Some(&shape)
    {
        return Err(ctx.err(format!("bias C {c:?} does not broadcast to the output {shape:?}")));
    }
    Ok(Inferred::one(Out::new(shape, ctx.dtype(0))))
}

/// numpy `matmul`: 1-D operands get a unit axis that is removed again, batch axes broadcast.
pub(super) fn matmul(ctx: &Ctx, adj_a: bool, adj_b: bool) -> R<Inferred> {
    let a = ctx.shape(0)?;
    let b = ctx.shape(1)?;
    if a.is_empty() || b.is_empty() {
        return Err(ctx.err(format!("MatMul operands must not be scalars (A {a:?}, B {b:?})")));
    }
    let a_vec = a.len() == 1;
    let b_vec = b.len() == 1;
    let mut a2 = if a_vec { vec![1, a.first().copied().unwrap_or(0)] } else { a.clone() };
    let mut b2 = if b_vec { vec![b.first().copied().unwrap_or(0), 1] } else { b.clone() };
    if adj_a && !a_vec {
        swap_last(&mut a2);
    }
    if adj_b && !b_vec {
        swap_last(&mut b2);
    }
    let (Some((&k_a, a_rest)), Some((&n, b_rest))) = (a2.split_last(), b2.split_last()) else {
        return Err(ctx.err("MatMul operands must not be scalars"));
    };
    let (Some((&m, a_batch)), Some((&k_b, b_batch))) = (a_rest.split_last(), b_rest.split_last()) else {
        return Err(ctx.err("MatMul operands must not be scalars"));
    };
    if k_a != k_b {
        return Err(ctx.err(format!("inner dimensions differ: A {a:?} has K={k_a}, B {b:?} has K={k_b}")));
    }
    let Some(mut shape) = broadcast(a_batch, b_batch) else {
        return Err(ctx.err(format!("batch axes of A {a:?} and B {b:?} do not broadcast")));
    };
    if !a_vec {
        shape.push(m);
    }
    if !b_vec {
        shape.push(n);
    }
    Ok(Inferred::one(Out::new(shape, ctx.dtype(0))))
}

/// Swap the last two axes of a shape of rank ≥ 2.
fn swap_last(s: &mut [u64]) {
    let r = s.len();
    if r >= 2 {
        s.swap(r - 2, r - 1);
    }
}
