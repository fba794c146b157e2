//! Gemm and MatMul.

use super::{Family, NodeCtx};
use crate::error::Result;
use crate::ir::Op;

/// Op types of this family.
pub(super) const OPS: Family = &[("Gemm", gemm), ("MatMul", matmul)];

/// `alpha` and `beta` only scale the result and do not change its cost; they are not kept.
fn gemm(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Gemm {
        trans_a: ctx.attrs.flag("transA", false)?,
        trans_b: ctx.attrs.flag("transB", false)?,
        flatten_rows: false,
        keep_num_dims: false,
    })
}

fn matmul(_: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::MatMul { adj_a: false, adj_b: false })
}
