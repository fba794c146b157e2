//! Matrix products: FULLY_CONNECTED, BATCH_MATMUL.

use super::{Lowered, OpCtx};
use crate::error::Result;
use crate::ir::Op;
use crate::tflite::schema::BuiltinOperator;

/// The matrix-product family.
pub(super) fn lower(ctx: &OpCtx<'_, '_>) -> Option<Result<Lowered>> {
    Some(match ctx.code {
        BuiltinOperator::FULLY_CONNECTED => fully_connected(ctx),
        BuiltinOperator::BATCH_MATMUL => batch_matmul(ctx),
        _ => return None,
    })
}

/// FULLY_CONNECTED: X, W `[out, in]`, bias?. All but the last input axis are flattened to rows.
/// Options are optional (the interpreter then uses defaults: no activation, 2-D output). The
/// shuffled int8 weight format holds the same `[out, in]` elements.
fn fully_connected(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    ctx.required(0)?;
    ctx.required(1)?;
    let o = ctx.op.builtin_options_as_fully_connected_options();
    let op = Op::Gemm {
        trans_a: false,
        trans_b: true,
        flatten_rows: true,
        keep_num_dims: o.is_some_and(|o| o.keep_num_dims()),
    };
    let act = o.map(|o| o.fused_activation_function()).unwrap_or_default();
    Ok(Lowered::new(ctx, op).act(act))
}

/// BATCH_MATMUL: A, B with `adj_x` / `adj_y`.
fn batch_matmul(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    ctx.required(0)?;
    ctx.required(1)?;
    let o = ctx.op.builtin_options_as_batch_mat_mul_options();
    let op = Op::MatMul { adj_a: o.is_some_and(|o| o.adj_x()), adj_b: o.is_some_and(|o| o.adj_y()) };
    Ok(Lowered::new(ctx, op))
}
