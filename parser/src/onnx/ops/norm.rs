//! Normalisations: BatchNormalization, Instance/Layer/GroupNormalization, LRN.

use super::{Family, NodeCtx};
use crate::error::Result;
use crate::ir::Op;

/// Op types of this family.
pub(super) const OPS: Family = &[
    ("BatchNormalization", batch_norm),
    ("InstanceNormalization", instance_norm),
    ("LayerNormalization", layer_norm),
    ("GroupNormalization", group_norm),
    ("LRN", lrn),
];

/// Training-mode outputs (running mean/var, saved statistics) stay outputs of the node.
fn batch_norm(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::BatchNorm { epsilon: ctx.attrs.float_or("epsilon", 1e-5)? })
}

fn instance_norm(_: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Norm { kind: "instance".into(), axis: 1 })
}

fn layer_norm(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Norm { kind: "layer".into(), axis: ctx.attrs.int_or("axis", -1)? })
}

fn group_norm(_: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Norm { kind: "group".into(), axis: 1 })
}

fn lrn(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Lrn { size: ctx.attrs.required_u64("size")? })
}
