//! Resizing: RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR.

use super::{Lowered, OpCtx};
use crate::error::Result;
use crate::ir::{Op, ResizeMode};
use crate::tflite::schema::BuiltinOperator as B;

/// The resize family.
pub(super) fn lower(ctx: &OpCtx<'_, '_>) -> Option<Result<Lowered>> {
    let mode = match ctx.code {
        B::RESIZE_BILINEAR => ResizeMode::Linear,
        B::RESIZE_NEAREST_NEIGHBOR => ResizeMode::Nearest,
        _ => return None,
    };
    Some(resize(ctx, mode))
}

/// X, size `[new_height, new_width]`: the output spatial size from the constant (`None` = read
/// input 1). Corner alignment does not change the output shape.
fn resize(ctx: &OpCtx<'_, '_>, mode: ResizeMode) -> Result<Lowered> {
    ctx.required(0)?;
    ctx.required(1)?;
    let sizes = match ctx.const_ints(1) {
        Some(v) if v.len() == 2 => Some(v),
        Some(v) => return Err(ctx.err(format!("size {v:?} must hold 2 values (height, width)"))),
        None => None,
    };
    Ok(Lowered::new(ctx, Op::Resize { mode, scales: None, sizes }))
}
