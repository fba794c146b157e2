//! Quantisation: QUANTIZE, DEQUANTIZE.

use super::{Lowered, OpCtx};
use crate::error::Result;
use crate::ir::Op;
use crate::tflite::schema::BuiltinOperator as B;

/// The quantisation family. DEQUANTIZE of a constant (fp16 or int8 weights) is folded by shape
/// inference; the element types come from the tensors.
pub(super) fn lower(ctx: &OpCtx<'_, '_>) -> Option<Result<Lowered>> {
    let op = match ctx.code {
        B::QUANTIZE => Op::Quantize,
        B::DEQUANTIZE => Op::Dequantize,
        _ => return None,
    };
    Some(ctx.required(0).map(|_| Lowered::new(ctx, op)))
}
