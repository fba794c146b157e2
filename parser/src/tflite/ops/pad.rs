//! Padding: PAD, PADV2, MIRROR_PAD.

use super::{Lowered, OpCtx};
use crate::error::Result;
use crate::ir::{Op, PadMode};
use crate::tflite::schema::{BuiltinOperator as B, MirrorPadMode};

/// The padding family.
pub(super) fn lower(ctx: &OpCtx<'_, '_>) -> Option<Result<Lowered>> {
    let mode = match ctx.code {
        B::PAD | B::PADV2 => PadMode::Constant,
        // SYMMETRIC repeats the edge element, REFLECT does not; einf has no symmetric mode, and
        // both give the same output shape and the same amount of work.
        B::MIRROR_PAD => match ctx.op.builtin_options_as_mirror_pad_options().map(|o| o.mode()) {
            None | Some(MirrorPadMode::REFLECT | MirrorPadMode::SYMMETRIC) => PadMode::Reflect,
            Some(other) => return Some(Err(ctx.err(format!("unknown mirror pad mode {}", other.0)))),
        },
        _ => return None,
    };
    Some(pad(ctx, mode))
}

/// X, paddings `[rank, 2]` (begin, end per axis), constant value? (PADV2). A constant paddings
/// input is converted to ONNX order (all begins, then all ends); otherwise shape inference reads
/// the pairs from input 1.
fn pad(ctx: &OpCtx<'_, '_>, mode: PadMode) -> Result<Lowered> {
    ctx.required(0)?;
    ctx.required(1)?;
    let op = match ctx.const_ints(1) {
        Some(pairs) => Op::Pad {
            pads: Some(
                onnx_order(&pairs)
                    .ok_or_else(|| ctx.err(format!("paddings {pairs:?} are not [begin, end] pairs")))?,
            ),
            pairs: false,
            mode,
        },
        None => Op::Pad { pads: None, pairs: true, mode },
    };
    Ok(Lowered::new(ctx, op))
}

/// `[b0, e0, b1, e1, ...]` → `[b0, b1, ..., e0, e1, ...]`.
fn onnx_order(pairs: &[i64]) -> Option<Vec<i64>> {
    if !pairs.len().is_multiple_of(2) {
        return None;
    }
    let begins = pairs.iter().step_by(2);
    let ends = pairs.iter().skip(1).step_by(2);
    Some(begins.chain(ends).copied().collect())
}

#[cfg(test)]
mod tests {
    use super::onnx_order;

    #[test]
    fn pairs_to_onnx() {
        assert_eq!(onnx_order(&[0, 0, 1, 2, 3, 4, 0, 0]), Some(vec![0, 1, 3, 0, 0, 2, 4, 0]));
        assert_eq!(onnx_order(&[]), Some(vec![]));
        assert_eq!(onnx_order(&[1, 2, 3]), None);
    }
}
