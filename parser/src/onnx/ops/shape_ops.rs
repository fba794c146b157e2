//! Data movement and shape computation: Reshape, Flatten, Squeeze, Unsqueeze, Transpose,
//! Concat, Split, Slice, Pad, Shape, Gather, Cast, Range, Tile, Expand, Identity, Dropout,
//! DepthToSpace, SpaceToDepth.
//!
//! Arguments that later opsets moved from attributes to inputs (Reshape shape, Squeeze and
//! Unsqueeze axes, Split split, Slice starts/ends/axes, Pad pads) fill the op's field when the
//! node has the attribute; otherwise the field stays `None` and the input is kept.

use super::{Family, NodeCtx};
use crate::error::Result;
use crate::ir::{Op, PadMode};
use crate::onnx::tensor::dtype_of;

/// Op types of this family.
pub(super) const OPS: Family = &[
    ("Reshape", reshape),
    ("Flatten", flatten),
    ("Squeeze", squeeze),
    ("Unsqueeze", unsqueeze),
    ("Transpose", transpose),
    ("Concat", concat),
    ("Split", split),
    ("Slice", slice),
    ("Pad", pad),
    ("Shape", shape),
    ("Gather", gather),
    ("Cast", cast),
    ("Range", |_| Ok(Op::Range)),
    ("Tile", |_| Ok(Op::Tile)),
    ("Expand", |_| Ok(Op::Expand)),
    ("Identity", |_| Ok(Op::Identity)),
    ("Dropout", |_| Ok(Op::Identity)),
    ("DepthToSpace", |c| space_depth(c, true)),
    ("SpaceToDepth", |c| space_depth(c, false)),
];

fn reshape(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Reshape { shape: ctx.attrs.ints("shape")?, allowzero: ctx.attrs.flag("allowzero", false)? })
}

fn flatten(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Flatten { axis: ctx.attrs.int_or("axis", 1)? })
}

fn squeeze(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Squeeze { axes: ctx.attrs.ints("axes")? })
}

fn unsqueeze(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Unsqueeze { axes: ctx.attrs.ints("axes")? })
}

fn transpose(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Transpose { perm: ctx.attrs.ints("perm")? })
}

fn concat(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    let axis = ctx.attrs.int("axis")?.ok_or_else(|| ctx.err("attribute 'axis' is required but missing"))?;
    Ok(Op::Concat { axis })
}

fn split(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Split { axis: ctx.attrs.int_or("axis", 0)?, split: ctx.attrs.ints("split")? })
}

fn slice(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Slice {
        starts: ctx.attrs.ints("starts")?,
        ends: ctx.attrs.ints("ends")?,
        axes: ctx.attrs.ints("axes")?,
        steps: None,
        sizes_not_ends: false,
    })
}

/// The `value` attribute (opset < 11) fills padding and does not change the cost; not kept.
fn pad(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    let mode = match ctx.attrs.string("mode")?.as_deref().unwrap_or("constant") {
        "constant" => PadMode::Constant,
        "reflect" => PadMode::Reflect,
        "edge" => PadMode::Edge,
        "wrap" => PadMode::Wrap,
        other => return Err(ctx.err(format!("attribute 'mode': unknown value '{other}'"))),
    };
    Ok(Op::Pad { pads: ctx.attrs.ints("pads")?, pairs: false, mode })
}

fn shape(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Shape { start: ctx.attrs.int_or("start", 0)?, end: ctx.attrs.int("end")? })
}

fn gather(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Gather { axis: ctx.attrs.int_or("axis", 0)? })
}

fn cast(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    let to = ctx.attrs.int("to")?.ok_or_else(|| ctx.err("attribute 'to' is required but missing"))?;
    let to = i32::try_from(to).map(dtype_of).unwrap_or(crate::ir::DType::Unknown);
    Ok(Op::Cast { to })
}

fn space_depth(ctx: &mut NodeCtx<'_, '_>, to_space: bool) -> Result<Op> {
    let block = ctx.attrs.required_u64("blocksize")?;
    if block == 0 {
        return Err(ctx.err("attribute 'blocksize' must be positive"));
    }
    Ok(Op::SpaceDepth { to_space, block })
}
