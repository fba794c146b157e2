//! Pooling: MaxPool, AveragePool, LpPool and their global forms.

use super::window::{positive, window};
use super::{Family, NodeCtx};
use crate::error::Result;
use crate::ir::{Op, PoolAttrs, PoolKind};

/// Op types of this family.
pub(super) const OPS: Family = &[
    ("MaxPool", max_pool),
    ("AveragePool", average_pool),
    ("LpPool", lp_pool),
    ("GlobalMaxPool", global_max_pool),
    ("GlobalAveragePool", global_average_pool),
    ("GlobalLpPool", global_lp_pool),
];

fn windowed(ctx: &NodeCtx<'_, '_>, kind: PoolKind) -> Result<Op> {
    let kernel = positive(ctx, "kernel_shape")?
        .ok_or_else(|| ctx.err("attribute 'kernel_shape' is required but missing"))?;
    let w = window(ctx, Some(&kernel))?;
    Ok(Op::Pool(PoolAttrs {
        kind,
        global: false,
        kernel,
        strides: w.strides,
        dilations: w.dilations,
        padding: w.padding,
        ceil_mode: ctx.attrs.flag("ceil_mode", false)?,
    }))
}

fn global(kind: PoolKind) -> Op {
    Op::Pool(PoolAttrs::global(kind))
}

fn max_pool(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    windowed(ctx, PoolKind::Max)
}

fn average_pool(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    windowed(ctx, PoolKind::Avg)
}

/// LpPool is costed as L2 pooling whatever its `p`.
fn lp_pool(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    windowed(ctx, PoolKind::L2)
}

fn global_max_pool(_: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(global(PoolKind::Max))
}

fn global_average_pool(_: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(global(PoolKind::Avg))
}

fn global_lp_pool(_: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(global(PoolKind::L2))
}
