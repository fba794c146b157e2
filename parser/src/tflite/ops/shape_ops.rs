//! Shape manipulation: RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE, SHAPE, CAST, TILE, BROADCAST_TO,
//! RANGE, DEPTH_TO_SPACE, SPACE_TO_DEPTH.

use super::{Lowered, OpCtx};
use crate::error::Result;
use crate::ir::Op;
use crate::tflite::schema::BuiltinOperator as B;

/// The shape-manipulation family.
pub(super) fn lower(ctx: &OpCtx<'_, '_>) -> Option<Result<Lowered>> {
    let op = match ctx.code {
        B::RESHAPE => return Some(reshape(ctx)),
        B::SQUEEZE => squeeze(ctx),
        // X, axis: one axis, from the constant (`None` = read input 1).
        B::EXPAND_DIMS => Op::Unsqueeze { axes: ctx.const_int(1).map(|a| vec![a]) },
        // X, perm: from the constant (`None` = read input 1).
        B::TRANSPOSE => Op::Transpose { perm: ctx.const_ints(1) },
        B::SHAPE => Op::Shape { start: 0, end: None },
        B::CAST => match ctx.outputs.first() {
            Some(out) => {
                Op::Cast { to: ctx.graph.tensors.get(out.0).map_or(crate::ir::DType::Unknown, |t| t.dtype) }
            }
            None => return Some(Err(ctx.err("has no output"))),
        },
        B::TILE => Op::Tile,
        B::BROADCAST_TO => Op::Expand,
        B::RANGE => Op::Range,
        B::DEPTH_TO_SPACE | B::SPACE_TO_DEPTH => return Some(space_depth(ctx)),
        _ => return None,
    };
    Some(ctx.required(0).map(|_| Lowered::new(ctx, op)))
}

/// RESHAPE: X, shape?. The target is the `new_shape` option when it is non-empty; otherwise the
/// shape input (decoded when constant, else `None` for shape inference to read it). An empty
/// `new_shape` without a shape input reshapes to a scalar. TFLite, like TF, reads 0 as a real
/// zero extent.
fn reshape(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    ctx.required(0)?;
    let option: Option<Vec<i64>> = ctx
        .op
        .builtin_options_as_reshape_options()
        .and_then(|o| o.new_shape())
        .map(|v| v.iter().map(i64::from).collect());
    let shape = match (option, ctx.input(1)) {
        (Some(s), _) if !s.is_empty() => Some(s),
        (_, Some(_)) => ctx.const_ints(1),
        (Some(s), None) => Some(s),
        (None, None) => return Err(ctx.err("has neither a new_shape option nor a shape input")),
    };
    Ok(Lowered::new(ctx, Op::Reshape { shape, allowzero: true }))
}

/// SQUEEZE: the listed axes, or every unit axis when the list is empty.
fn squeeze(ctx: &OpCtx<'_, '_>) -> Op {
    let dims: Vec<i64> = ctx
        .op
        .builtin_options_as_squeeze_options()
        .and_then(|o| o.squeeze_dims())
        .map(|v| v.iter().map(i64::from).collect())
        .unwrap_or_default();
    Op::Squeeze { axes: if dims.is_empty() { None } else { Some(dims) } }
}

/// DEPTH_TO_SPACE / SPACE_TO_DEPTH with a block size ≥ 1.
fn space_depth(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    ctx.required(0)?;
    let to_space = ctx.code == B::DEPTH_TO_SPACE;
    let block = if to_space {
        ctx.options(ctx.op.builtin_options_as_depth_to_space_options(), "DepthToSpaceOptions")?.block_size()
    } else {
        ctx.options(ctx.op.builtin_options_as_space_to_depth_options(), "SpaceToDepthOptions")?.block_size()
    };
    let block = ctx.positive(block, "block_size")?;
    Ok(Lowered::new(ctx, Op::SpaceDepth { to_space, block }))
}
