//! Elementwise operators: arithmetic and comparisons with broadcasting, activations, math, PRELU.

use super::{Lowered, OpCtx};
use crate::error::Result;
use crate::ir::{BinaryOp, Op, UnaryOp};
use crate::tflite::schema::{ActivationFunctionType, BuiltinOperator as B};

/// The elementwise family.
pub(super) fn lower(ctx: &OpCtx<'_, '_>) -> Option<Result<Lowered>> {
    if let Some((op, act)) = binary(ctx) {
        return Some(two_inputs(ctx, Op::Binary(op)).map(|l| l.act(act)));
    }
    if ctx.code == B::PRELU {
        return Some(two_inputs(ctx, Op::PRelu));
    }
    let op = unary(ctx)?;
    Some(ctx.required(0).map(|_| Lowered::new(ctx, Op::Unary(op))))
}

/// Binary operators need both operands.
fn two_inputs(ctx: &OpCtx<'_, '_>, op: Op) -> Result<Lowered> {
    ctx.required(0)?;
    ctx.required(1)?;
    Ok(Lowered::new(ctx, op))
}

/// Binary operators and their fused activation (ADD, SUB, MUL, DIV carry one; missing options
/// mean none).
fn binary(ctx: &OpCtx<'_, '_>) -> Option<(BinaryOp, ActivationFunctionType)> {
    let op = ctx.op;
    let none = ActivationFunctionType::NONE;
    Some(match ctx.code {
        B::ADD => (
            BinaryOp::Add,
            op.builtin_options_as_add_options().map_or(none, |o| o.fused_activation_function()),
        ),
        B::SUB => (
            BinaryOp::Sub,
            op.builtin_options_as_sub_options().map_or(none, |o| o.fused_activation_function()),
        ),
        B::MUL => (
            BinaryOp::Mul,
            op.builtin_options_as_mul_options().map_or(none, |o| o.fused_activation_function()),
        ),
        B::DIV => (
            BinaryOp::Div,
            op.builtin_options_as_div_options().map_or(none, |o| o.fused_activation_function()),
        ),
        B::POW => (BinaryOp::Pow, none),
        B::MAXIMUM => (BinaryOp::Max, none),
        B::MINIMUM => (BinaryOp::Min, none),
        B::SQUARED_DIFFERENCE => (BinaryOp::SquaredDifference, none),
        // Floor modulo, the sign of the divisor (ONNX Mod with fmod = 0).
        B::FLOOR_MOD => (BinaryOp::Mod, none),
        B::EQUAL
        | B::NOT_EQUAL
        | B::LESS
        | B::LESS_EQUAL
        | B::GREATER
        | B::GREATER_EQUAL
        | B::LOGICAL_AND
        | B::LOGICAL_OR => (BinaryOp::Compare, none),
        _ => return None,
    })
}

/// Unary operators: activations by kind, other math by its ONNX-style name.
fn unary(ctx: &OpCtx<'_, '_>) -> Option<UnaryOp> {
    let math = |name: &str| UnaryOp::Math(name.to_string());
    Some(match ctx.code {
        B::RELU => UnaryOp::Relu,
        B::RELU6 => UnaryOp::Relu6,
        B::RELU_N1_TO_1 => UnaryOp::Clip { min: Some(-1.0), max: Some(1.0) },
        B::RELU_0_TO_1 => UnaryOp::Clip { min: Some(0.0), max: Some(1.0) },
        B::LOGISTIC => UnaryOp::Sigmoid,
        B::HARD_SWISH => UnaryOp::HardSwish,
        B::TANH => UnaryOp::Tanh,
        // The schema's default alpha is 0.
        B::LEAKY_RELU => UnaryOp::LeakyRelu {
            alpha: ctx.op.builtin_options_as_leaky_relu_options().map_or(0.0, |o| f64::from(o.alpha())),
        },
        B::ELU => UnaryOp::Elu,
        // Exact or tanh-approximated: the same cost class.
        B::GELU => UnaryOp::Gelu,
        B::EXP => math("Exp"),
        B::LOG => math("Log"),
        B::SQRT => math("Sqrt"),
        B::RSQRT => math("Rsqrt"),
        B::ABS => math("Abs"),
        B::NEG => math("Neg"),
        B::SIN => math("Sin"),
        B::COS => math("Cos"),
        B::FLOOR => math("Floor"),
        B::CEIL => math("Ceil"),
        B::ROUND => math("Round"),
        B::SQUARE => math("Square"),
        B::SIGN => math("Sign"),
        B::LOGICAL_NOT => math("Not"),
        _ => return None,
    })
}
