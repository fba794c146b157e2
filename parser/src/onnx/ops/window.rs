//! Window attributes shared by convolutions and pooling: strides, dilations, pads, auto_pad.

use super::NodeCtx;
use crate::error::Result;
use crate::ir::Padding;

/// Strides, dilations and padding of a window op.
pub(super) struct Window {
    /// Strides (empty = all 1).
    pub strides: Vec<u64>,
    /// Dilations (empty = all 1).
    pub dilations: Vec<u64>,
    /// Padding.
    pub padding: Padding,
}

/// A list of positive extents (kernel, strides, dilations): zero is refused.
pub(super) fn positive(ctx: &NodeCtx<'_, '_>, attr: &str) -> Result<Option<Vec<u64>>> {
    let v = ctx.attrs.u64s(attr)?;
    if let Some(v) = &v
        && v.contains(&0)
    {
        return Err(ctx.err(format!("attribute '{attr}' must be positive, is {v:?}")));
    }
    Ok(v)
}

/// Read strides, dilations, pads and auto_pad. `kernel` (when known) sets the number of spatial
/// axes for the zero pads of a node without `pads`.
pub(super) fn window(ctx: &NodeCtx<'_, '_>, kernel: Option<&[u64]>) -> Result<Window> {
    let strides = positive(ctx, "strides")?.unwrap_or_default();
    let dilations = positive(ctx, "dilations")?.unwrap_or_default();
    let spatial = kernel
        .map(<[u64]>::len)
        .or((!strides.is_empty()).then_some(strides.len()))
        .or((!dilations.is_empty()).then_some(dilations.len()))
        .unwrap_or(0);
    let auto_pad = ctx.attrs.string("auto_pad")?.unwrap_or_default();
    let padding = match auto_pad.as_str() {
        "" | "NOTSET" => match ctx.attrs.u64s("pads")? {
            Some(p) if p.len() % 2 != 0 => {
                return Err(
                    ctx.err(format!("attribute 'pads' needs begins and ends, has {} values", p.len()))
                );
            }
            Some(p) => Padding::Explicit(p),
            None => Padding::Explicit(vec![0; spatial * 2]),
        },
        "SAME_UPPER" => Padding::SameUpper,
        "SAME_LOWER" => Padding::SameLower,
        "VALID" => Padding::Valid,
        other => return Err(ctx.err(format!("attribute 'auto_pad': unknown value '{other}'"))),
    };
    Ok(Window { strides, dilations, padding })
}
