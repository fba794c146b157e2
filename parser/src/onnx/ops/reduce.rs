//! Reductions (Reduce*, ArgMax, ArgMin) and Softmax / LogSoftmax.

use super::{Family, NodeCtx};
use crate::error::Result;
use crate::ir::{Op, ReduceKind};

/// Op types of this family.
pub(super) const OPS: Family = &[
    ("ReduceMean", |c| reduce(c, ReduceKind::Mean)),
    ("ReduceSum", |c| reduce(c, ReduceKind::Sum)),
    ("ReduceMax", |c| reduce(c, ReduceKind::Max)),
    ("ReduceMin", |c| reduce(c, ReduceKind::Min)),
    ("ReduceProd", |c| reduce(c, ReduceKind::Prod)),
    ("ReduceL2", |c| reduce(c, ReduceKind::L2)),
    ("ArgMax", |c| arg(c, ReduceKind::ArgMax)),
    ("ArgMin", |c| arg(c, ReduceKind::ArgMin)),
    ("Softmax", |c| softmax(c, false)),
    ("LogSoftmax", |c| softmax(c, true)),
];

/// `axes` is an attribute until ReduceSum-13 / other reductions-18, then input 1 (kept).
fn reduce(ctx: &mut NodeCtx<'_, '_>, kind: ReduceKind) -> Result<Op> {
    Ok(Op::Reduce {
        kind,
        axes: ctx.attrs.ints("axes")?,
        keepdims: ctx.attrs.flag("keepdims", true)?,
        noop_with_empty_axes: ctx.attrs.flag("noop_with_empty_axes", false)?,
    })
}

fn arg(ctx: &mut NodeCtx<'_, '_>, kind: ReduceKind) -> Result<Op> {
    Ok(Op::Reduce {
        kind,
        axes: Some(vec![ctx.attrs.int_or("axis", 0)?]),
        keepdims: ctx.attrs.flag("keepdims", true)?,
        noop_with_empty_axes: false,
    })
}

/// The default axis is 1 before opset 13 and -1 from 13 on.
fn softmax(ctx: &mut NodeCtx<'_, '_>, log: bool) -> Result<Op> {
    let default = if ctx.opset < 13 { 1 } else { -1 };
    Ok(Op::Softmax { axis: ctx.attrs.int_or("axis", default)?, log })
}
