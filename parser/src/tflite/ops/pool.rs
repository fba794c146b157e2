//! Pooling: AVERAGE_POOL_2D, MAX_POOL_2D, L2_POOL_2D.

use super::{Lowered, OpCtx};
use crate::error::Result;
use crate::ir::{Op, PoolAttrs, PoolKind};
use crate::tflite::schema::BuiltinOperator;

/// The pooling family.
pub(super) fn lower(ctx: &OpCtx<'_, '_>) -> Option<Result<Lowered>> {
    let kind = match ctx.code {
        BuiltinOperator::AVERAGE_POOL_2D => PoolKind::Avg,
        BuiltinOperator::MAX_POOL_2D => PoolKind::Max,
        BuiltinOperator::L2_POOL_2D => PoolKind::L2,
        _ => return None,
    };
    Some(pool(ctx, kind))
}

/// A windowed pool over H and W of an NHWC input.
fn pool(ctx: &OpCtx<'_, '_>, kind: PoolKind) -> Result<Lowered> {
    let o = ctx.options(ctx.op.builtin_options_as_pool_2_doptions(), "Pool2DOptions")?;
    ctx.required(0)?;
    let attrs = PoolAttrs {
        kind,
        global: false,
        kernel: vec![
            ctx.positive(o.filter_height(), "filter_height")?,
            ctx.positive(o.filter_width(), "filter_width")?,
        ],
        strides: vec![ctx.positive(o.stride_h(), "stride_h")?, ctx.positive(o.stride_w(), "stride_w")?],
        dilations: Vec::new(),
        padding: ctx.padding(o.padding())?,
        ceil_mode: false,
    };
    Ok(Lowered::new(ctx, Op::Pool(attrs)).act(o.fused_activation_function()))
}
