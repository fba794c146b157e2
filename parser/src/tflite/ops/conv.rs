//! Convolutions: CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV.

use super::{Lowered, OpCtx};
use crate::error::Result;
use crate::ir::{ConvAttrs, Op, WeightLayout};
use crate::tflite::schema::BuiltinOperator;

/// The convolution family.
pub(super) fn lower(ctx: &OpCtx<'_, '_>) -> Option<Result<Lowered>> {
    Some(match ctx.code {
        BuiltinOperator::CONV_2D => conv_2d(ctx),
        BuiltinOperator::DEPTHWISE_CONV_2D => depthwise(ctx),
        BuiltinOperator::TRANSPOSE_CONV => transpose_conv(ctx),
        _ => return None,
    })
}

/// Attributes shared by the three: `groups` is left to shape inference (Cin / filter channels, or
/// Cin for depthwise).
fn attrs(
    strides: Vec<u64>,
    dilations: Vec<u64>,
    padding: crate::ir::Padding,
    layout: WeightLayout,
) -> ConvAttrs {
    ConvAttrs {
        kernel: None,
        strides,
        dilations,
        padding,
        groups: None,
        weight_layout: layout,
        output_padding: Vec::new(),
        output_shape: None,
    }
}

/// Strides and dilations as the two 2-D convolutions' options give them, each checked positive.
fn window(
    ctx: &OpCtx<'_, '_>,
    (stride_h, stride_w): (i32, i32),
    (dilation_h, dilation_w): (i32, i32),
) -> Result<(Vec<u64>, Vec<u64>)> {
    Ok((
        vec![ctx.positive(stride_h, "stride_h")?, ctx.positive(stride_w, "stride_w")?],
        vec![ctx.positive(dilation_h, "dilation_h_factor")?, ctx.positive(dilation_w, "dilation_w_factor")?],
    ))
}

/// CONV_2D: X, W `[Cout, kh, kw, Cin/groups]`, bias?.
fn conv_2d(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    let o = ctx.options(ctx.op.builtin_options_as_conv_2_doptions(), "Conv2DOptions")?;
    ctx.required(0)?;
    ctx.required(1)?;
    let (strides, dilations) =
        window(ctx, (o.stride_h(), o.stride_w()), (o.dilation_h_factor(), o.dilation_w_factor()))?;
    let a = attrs(strides, dilations, ctx.padding(o.padding())?, WeightLayout::Ohwi);
    Ok(Lowered::new(ctx, Op::Conv(a)).act(o.fused_activation_function()))
}

/// DEPTHWISE_CONV_2D: X, W `[1, kh, kw, Cin·depth_multiplier]`, bias?. The multiplier follows from
/// the weight shape; shape inference sets groups = Cin.
fn depthwise(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    let o = ctx.options(ctx.op.builtin_options_as_depthwise_conv_2_doptions(), "DepthwiseConv2DOptions")?;
    ctx.required(0)?;
    ctx.required(1)?;
    let (strides, dilations) =
        window(ctx, (o.stride_h(), o.stride_w()), (o.dilation_h_factor(), o.dilation_w_factor()))?;
    let a = attrs(strides, dilations, ctx.padding(o.padding())?, WeightLayout::Ihwo);
    Ok(Lowered::new(ctx, Op::Conv(a)).act(o.fused_activation_function()))
}

/// TRANSPOSE_CONV: the file's inputs are (output_shape, W `[Cout, kh, kw, Cin]`, X, bias?);
/// einf's are (X, W, bias?). The output spatial size `[H, W]` comes from the constant
/// output_shape tensor (`[N, H, W, C]`). When that tensor is not a constant, `output_shape` stays
/// `None` and the shape tensor is kept as input 3 (after an absent bias if need be), where shape
/// inference can read a folded value.
fn transpose_conv(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    let o = ctx.options(ctx.op.builtin_options_as_transpose_conv_options(), "TransposeConvOptions")?;
    let shape = ctx.required(0)?;
    let w = ctx.required(1)?;
    let x = ctx.required(2)?;
    let mut a = attrs(
        vec![ctx.positive(o.stride_h(), "stride_h")?, ctx.positive(o.stride_w(), "stride_w")?],
        vec![1, 1],
        ctx.padding(o.padding())?,
        WeightLayout::Ohwi,
    );
    let mut inputs = vec![Some(x), Some(w), ctx.input(3)];
    match ctx.const_ints(0) {
        Some(v) => {
            let [_, h, w, _] = v.as_slice() else {
                return Err(ctx.err(format!("output_shape has {} values; expected [N, H, W, C]", v.len())));
            };
            let spatial = [*h, *w].map(u64::try_from);
            let [Ok(h), Ok(w)] = spatial else {
                return Err(ctx.err(format!("output_shape {v:?} has a negative extent")));
            };
            a.output_shape = Some(vec![h, w]);
        }
        None => inputs.push(Some(shape)),
    }
    if inputs.last() == Some(&None) {
        inputs.pop();
    }
    Ok(Lowered::with_inputs(Op::ConvTranspose(a), inputs).act(o.fused_activation_function()))
}
