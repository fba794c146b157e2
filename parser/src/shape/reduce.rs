//! Reductions (Mean, Sum, Max, ..., ArgMax / ArgMin with an i64 output).

use super::{Ctx, Inferred, Out, R};
use crate::ir::{DType, Op, ReduceKind};

/// Reduce over `axes` (or input 1, or all axes / nothing with `noop_with_empty_axes`).
pub(super) fn infer(
    ctx: &Ctx,
    kind: ReduceKind,
    axes: Option<&[i64]>,
    keepdims: bool,
    noop_with_empty_axes: bool,
) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let rank = x.len();
    let arg = matches!(kind, ReduceKind::ArgMax | ReduceKind::ArgMin);
    let from_input = axes.is_none();
    let given: Option<Vec<i64>> = match axes {
        Some(a) => Some(a.to_vec()),
        None => ctx.ints(1, "axes")?,
    };
    let given = given.filter(|a| !a.is_empty());
    let reduced: Vec<bool> = match &given {
        None if arg => {
            // ArgMax / ArgMin default to axis 0.
            let mut r = vec![false; rank];
            if let Some(first) = r.first_mut() {
                *first = true;
            }
            r
        }
        None if noop_with_empty_axes => vec![false; rank],
        None => vec![true; rank],
        Some(list) => {
            let mut r = vec![false; rank];
            for &a in list {
                let i = ctx.axis(a, rank, "reduction axis")?;
                match r.get_mut(i) {
                    Some(slot) if !*slot => *slot = true,
                    _ => return Err(ctx.err(format!("axes {list:?} name axis {a} twice"))),
                }
            }
            r
        }
    };
    let shape: Vec<u64> = x
        .iter()
        .zip(&reduced)
        .filter_map(|(&d, &red)| match (red, keepdims) {
            (false, _) => Some(d),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect();
    let out = if arg {
        let dtype = if ctx.out_dtype(0) == DType::I32 { DType::I32 } else { DType::I64 };
        Out::forced(shape, dtype)
    } else {
        Out::new(shape, ctx.dtype(0))
    };
    if from_input && given.is_some() {
        let op = Op::Reduce { kind, axes: given, keepdims, noop_with_empty_axes };
        return Ok(Inferred::with_op(out, op));
    }
    Ok(Inferred::one(out))
}
