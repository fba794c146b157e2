//! Resize and Upsample, normalised to einf's inputs `[X, scales?, sizes?]`.
//!
//! Upsample-7 carries `scales` as an attribute (→ the op's field, input `[X]`); Upsample-9 and
//! Resize-10 have inputs `[X, scales]`; Resize-11+ has `[X, roi, scales, sizes]` and `roi` (which
//! only matters for `tf_crop_and_resize`) is dropped.

use super::{Family, NodeCtx};
use crate::error::Result;
use crate::ir::{Op, ResizeMode};

/// Op types of this family.
pub(super) const OPS: Family = &[("Resize", resize), ("Upsample", upsample)];

fn mode(ctx: &NodeCtx<'_, '_>) -> Result<ResizeMode> {
    let mode = ctx.attrs.string("mode")?.unwrap_or_else(|| "nearest".into());
    match mode.to_ascii_lowercase().as_str() {
        "nearest" => Ok(ResizeMode::Nearest),
        "linear" | "bilinear" => Ok(ResizeMode::Linear),
        "cubic" => Ok(ResizeMode::Cubic),
        other => Err(ctx.err(format!("attribute 'mode': unknown value '{other}'"))),
    }
}

fn resize(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    let mode = mode(ctx)?;
    if ctx.opset >= 11 && ctx.inputs.len() >= 2 {
        ctx.inputs.remove(1);
    }
    Ok(Op::Resize { mode, scales: None, sizes: None })
}

fn upsample(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Resize { mode: mode(ctx)?, scales: ctx.attrs.floats("scales")?, sizes: None })
}
