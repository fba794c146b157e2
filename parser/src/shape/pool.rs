//! Pooling: max / average / L2, windowed or global, with dilations and ceil mode.
//!
//! Padding is resolved to [`Padding::Explicit`] in the node's attributes (zeros for global pooling).

use super::conv::{positive, windows};
use super::{Ctx, Inferred, Out, R, assemble, channel_axes};
use crate::ir::{DType, Op, Padding, PoolAttrs};

/// Infer a pooling node. A second output (MaxPool indices) has the same shape, type i64.
pub(super) fn infer(ctx: &Ctx, p: &PoolAttrs) -> R<Inferred> {
    let x = ctx.shape(0)?;
    let rank = x.len();
    if rank < 3 {
        return Err(ctx.err(format!(
            "input shape {x:?} has rank {rank}; pooling needs batch, channels and at least one spatial axis"
        )));
    }
    let sr = rank - 2;
    let (c_axis, sp_axes) = channel_axes(ctx.layout(), rank);
    let (Some(&n), Some(&c), Some(in_sp)) = (x.first(), x.get(c_axis), x.get(sp_axes)) else {
        return Err(ctx.err(format!("input shape {x:?} is too short")));
    };
    let (pads, out_sp) = if p.global {
        (vec![0; 2 * sr], vec![1; sr])
    } else {
        if p.kernel.len() != sr {
            return Err(
                ctx.err(format!("kernel {:?} must have one extent per spatial axis of {x:?}", p.kernel))
            );
        }
        if p.kernel.contains(&0) {
            return Err(ctx.err(format!("kernel {:?} has a zero extent", p.kernel)));
        }
        let strides = positive(ctx, &p.strides, sr, "strides")?;
        let dilations = positive(ctx, &p.dilations, sr, "dilations")?;
        windows(ctx, in_sp, &p.kernel, &strides, &dilations, &p.padding, p.ceil_mode)?
    };
    let shape = assemble(ctx.layout(), n, c, &out_sp);
    let mut outs = vec![Some(Out::new(shape.clone(), ctx.dtype(0)))];
    if ctx.n_outputs() > 1 {
        outs.push(Some(Out::new(shape, DType::I64)));
    }
    let op = Op::Pool(PoolAttrs { padding: Padding::Explicit(pads), ..p.clone() });
    Ok(Inferred { outs, op: Some(op) })
}
