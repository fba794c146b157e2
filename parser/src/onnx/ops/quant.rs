//! QuantizeLinear and DequantizeLinear.

use super::{Family, NodeCtx};
use crate::error::Result;
use crate::ir::Op;

/// Op types of this family.
pub(super) const OPS: Family = &[("QuantizeLinear", quantize), ("DequantizeLinear", dequantize)];

fn quantize(_: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Quantize)
}

fn dequantize(_: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Dequantize)
}
