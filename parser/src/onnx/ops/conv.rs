//! Conv and ConvTranspose.

use super::window::{positive, window};
use super::{Family, NodeCtx};
use crate::error::Result;
use crate::ir::{ConvAttrs, Op, WeightLayout};

/// Op types of this family.
pub(super) const OPS: Family = &[("Conv", conv), ("ConvTranspose", conv_transpose)];

fn attrs(ctx: &NodeCtx<'_, '_>, weight_layout: WeightLayout) -> Result<ConvAttrs> {
    let kernel = positive(ctx, "kernel_shape")?;
    let w = window(ctx, kernel.as_deref())?;
    let group = ctx.attrs.int_or("group", 1)?;
    let group = u64::try_from(group)
        .ok()
        .filter(|&g| g > 0)
        .ok_or_else(|| ctx.err(format!("attribute 'group' must be positive, is {group}")))?;
    Ok(ConvAttrs {
        kernel,
        strides: w.strides,
        dilations: w.dilations,
        padding: w.padding,
        groups: Some(group),
        weight_layout,
        output_padding: Vec::new(),
        output_shape: None,
    })
}

fn conv(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Conv(attrs(ctx, WeightLayout::Oihw)?))
}

fn conv_transpose(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    let mut a = attrs(ctx, WeightLayout::Iohw)?;
    a.output_padding = ctx.attrs.u64s("output_padding")?.unwrap_or_default();
    a.output_shape = ctx.attrs.u64s("output_shape")?;
    Ok(Op::ConvTranspose(a))
}
