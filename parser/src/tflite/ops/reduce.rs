//! Reductions: MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD, ARG_MAX, ARG_MIN.

use super::{Lowered, OpCtx};
use crate::error::Result;
use crate::ir::{Op, ReduceKind};
use crate::tflite::schema::BuiltinOperator as B;

/// The reduction family.
pub(super) fn lower(ctx: &OpCtx<'_, '_>) -> Option<Result<Lowered>> {
    let (kind, arg) = match ctx.code {
        B::MEAN => (ReduceKind::Mean, false),
        B::SUM => (ReduceKind::Sum, false),
        B::REDUCE_MAX => (ReduceKind::Max, false),
        B::REDUCE_MIN => (ReduceKind::Min, false),
        B::REDUCE_PROD => (ReduceKind::Prod, false),
        B::ARG_MAX => (ReduceKind::ArgMax, true),
        B::ARG_MIN => (ReduceKind::ArgMin, true),
        _ => return None,
    };
    Some(reduce(ctx, kind, arg))
}

/// X, axes. The axes come from the constant axes input (`None` when it is not constant, for shape
/// inference to read). An empty axes list reduces nothing, as in TFLite. ARG_MAX / ARG_MIN
/// always drop the reduced axis; the others keep it with `keep_dims`.
fn reduce(ctx: &OpCtx<'_, '_>, kind: ReduceKind, arg: bool) -> Result<Lowered> {
    ctx.required(0)?;
    ctx.required(1)?;
    let keepdims = !arg && ctx.op.builtin_options_as_reducer_options().is_some_and(|o| o.keep_dims());
    let op = Op::Reduce { kind, axes: ctx.const_ints(1), keepdims, noop_with_empty_axes: true };
    Ok(Lowered::new(ctx, op))
}
