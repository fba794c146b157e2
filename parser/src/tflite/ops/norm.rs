//! Normalisations along an axis: SOFTMAX, LOG_SOFTMAX, LOCAL_RESPONSE_NORMALIZATION,
//! L2_NORMALIZATION.

use super::{Lowered, OpCtx};
use crate::error::Result;
use crate::ir::Op;
use crate::tflite::schema::BuiltinOperator;

/// The normalisation family.
pub(super) fn lower(ctx: &OpCtx<'_, '_>) -> Option<Result<Lowered>> {
    Some(match ctx.code {
        // Over the last axis; `beta` scales the logits and does not change the cost.
        BuiltinOperator::SOFTMAX => {
            ctx.required(0).map(|_| Lowered::new(ctx, Op::Softmax { axis: -1, log: false }))
        }
        BuiltinOperator::LOG_SOFTMAX => {
            ctx.required(0).map(|_| Lowered::new(ctx, Op::Softmax { axis: -1, log: true }))
        }
        BuiltinOperator::LOCAL_RESPONSE_NORMALIZATION => lrn(ctx),
        // x / ‖x‖ over the last axis has no einf operator; its fused activation is still split out.
        BuiltinOperator::L2_NORMALIZATION => Ok(Lowered::unsupported(ctx, "L2_NORMALIZATION").act(
            ctx.op
                .builtin_options_as_l2_norm_options()
                .map(|o| o.fused_activation_function())
                .unwrap_or_default(),
        )),
        _ => return None,
    })
}

/// LRN across channels: a window of `2·radius + 1` channels.
fn lrn(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    ctx.required(0)?;
    let o = ctx.options(
        ctx.op.builtin_options_as_local_response_normalization_options(),
        "LocalResponseNormalizationOptions",
    )?;
    let radius = u64::try_from(o.radius()).map_err(|_| ctx.err(format!("radius is {}", o.radius())))?;
    Ok(Lowered::new(ctx, Op::Lrn { size: 2 * radius + 1 }))
}
