//! Elementwise operators: binary arithmetic and comparisons (with broadcasting), variadic
//! Sum/Max/Min, activations and other unary math.

use super::{Family, NodeCtx};
use crate::error::Result;
use crate::ir::{BinaryOp, Op, UnaryOp};

/// Op types of this family.
pub(super) const OPS: Family = &[
    ("Add", |c| binary(c, BinaryOp::Add)),
    ("Sub", |c| binary(c, BinaryOp::Sub)),
    ("Mul", |c| binary(c, BinaryOp::Mul)),
    ("Div", |c| binary(c, BinaryOp::Div)),
    ("Pow", |c| binary(c, BinaryOp::Pow)),
    ("Mod", |c| binary(c, BinaryOp::Mod)),
    ("Sum", |c| variadic(c, BinaryOp::Add)),
    ("Max", |c| variadic(c, BinaryOp::Max)),
    ("Min", |c| variadic(c, BinaryOp::Min)),
    ("Equal", compare),
    ("Less", compare),
    ("LessOrEqual", compare),
    ("Greater", compare),
    ("GreaterOrEqual", compare),
    ("And", compare),
    ("Or", compare),
    ("Xor", compare),
    ("Relu", |_| unary(UnaryOp::Relu)),
    ("Sigmoid", |_| unary(UnaryOp::Sigmoid)),
    ("Tanh", |_| unary(UnaryOp::Tanh)),
    ("Elu", |_| unary(UnaryOp::Elu)),
    ("Gelu", |_| unary(UnaryOp::Gelu)),
    ("Softplus", |_| unary(UnaryOp::Softplus)),
    ("HardSwish", |_| unary(UnaryOp::HardSwish)),
    ("LeakyRelu", leaky_relu),
    ("HardSigmoid", hard_sigmoid),
    ("Clip", clip),
    ("PRelu", |_| Ok(Op::PRelu)),
    ("Abs", math),
    ("Acos", math),
    ("Acosh", math),
    ("Asin", math),
    ("Asinh", math),
    ("Atan", math),
    ("Atanh", math),
    ("Ceil", math),
    ("Celu", math),
    ("Cos", math),
    ("Cosh", math),
    ("Erf", math),
    ("Exp", math),
    ("Floor", math),
    ("IsInf", math),
    ("IsNaN", math),
    ("Log", math),
    ("Mish", math),
    ("Neg", math),
    ("Not", math),
    ("Reciprocal", math),
    ("Round", math),
    ("Selu", math),
    ("Shrink", math),
    ("Sign", math),
    ("Sin", math),
    ("Sinh", math),
    ("Softsign", math),
    ("Sqrt", math),
    ("Tan", math),
    ("ThresholdedRelu", math),
];

fn binary(_: &mut NodeCtx<'_, '_>, op: BinaryOp) -> Result<Op> {
    Ok(Op::Binary(op))
}

/// Sum / Max / Min take one or more inputs: one is an identity, more broadcast together.
fn variadic(ctx: &mut NodeCtx<'_, '_>, op: BinaryOp) -> Result<Op> {
    Ok(match ctx.inputs.iter().flatten().count() {
        0 => return Err(ctx.err("needs at least one input")),
        1 => Op::Identity,
        _ => Op::Binary(op),
    })
}

fn compare(_: &mut NodeCtx<'_, '_>) -> Result<Op> {
    Ok(Op::Binary(BinaryOp::Compare))
}

fn unary(op: UnaryOp) -> Result<Op> {
    Ok(Op::Unary(op))
}

fn math(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    unary(UnaryOp::Math(ctx.op_type.to_string()))
}

fn leaky_relu(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    unary(UnaryOp::LeakyRelu { alpha: ctx.attrs.float_or("alpha", 0.01)? })
}

fn hard_sigmoid(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    unary(UnaryOp::HardSigmoid {
        alpha: ctx.attrs.float_or("alpha", 0.2)?,
        beta: ctx.attrs.float_or("beta", 0.5)?,
    })
}

/// Bounds are attributes before opset 11 and inputs 1 and 2 from 11 on (kept as inputs).
fn clip(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    unary(UnaryOp::Clip { min: ctx.attrs.float("min")?, max: ctx.attrs.float("max")? })
}
