//! TFLite operators → einf [`Op`]s, registered by family.
//!
//! Each family module has a `lower` function that handles the builtin codes it knows and returns
//! `None` for the others; [`lower`] asks the families in turn, and an operator no family claims
//! becomes [`Op::Unsupported`] under its TFLite name. A lowering may reorder inputs (SPLIT,
//! TRANSPOSE_CONV, ...) and report the fused activation of output 0, which the subgraph assembly
//! splits into an implied node.

mod activation;
mod conv;
mod elementwise;
mod linear;
mod norm;
mod pad;
mod pool;
mod quant;
mod reduce;
mod resize;
mod shape_ops;
mod slice;

pub(crate) use activation::fused_activation;

use super::schema::{self, ActivationFunctionType, BuiltinOperator};
use crate::error::{Error, Result, format_err};
use crate::ir::{Graph, Op, Padding, TensorId};
use crate::tflite::Budget;

/// What one TFLite operator becomes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lowered {
    /// The main node's operator.
    pub(crate) op: Op,
    /// The main node's inputs, in einf's order.
    pub(crate) inputs: Vec<Option<TensorId>>,
    /// Fused activation on output 0 (`NONE` for none).
    pub(crate) act: ActivationFunctionType,
}

impl Lowered {
    /// An operator keeping the file's inputs, without fused activation.
    pub(crate) fn new(ctx: &OpCtx<'_, '_>, op: Op) -> Self {
        Lowered { op, inputs: ctx.inputs.to_vec(), act: ActivationFunctionType::NONE }
    }

    /// An operator with reordered inputs.
    pub(crate) fn with_inputs(op: Op, inputs: Vec<Option<TensorId>>) -> Self {
        Lowered { op, inputs, act: ActivationFunctionType::NONE }
    }

    /// An operator einf cannot cost, keeping the file's inputs.
    pub(crate) fn unsupported(ctx: &OpCtx<'_, '_>, name: impl Into<String>) -> Self {
        Lowered::new(ctx, Op::Unsupported { name: name.into() })
    }

    /// Attach a fused activation.
    pub(crate) fn act(mut self, act: ActivationFunctionType) -> Self {
        self.act = act;
        self
    }
}

/// One operator of the subgraph, with its tensor indices already checked and mapped.
pub(crate) struct OpCtx<'a, 'g> {
    /// The flatbuffer operator (for its options).
    pub(crate) op: schema::Operator<'a>,
    /// Its builtin code (`CUSTOM` for custom operators).
    pub(crate) code: BuiltinOperator,
    /// Its name in messages: `op #12 CONV_2D`.
    pub(crate) label: &'g str,
    /// Inputs in file order; `None` for an omitted optional input (index -1).
    pub(crate) inputs: &'g [Option<TensorId>],
    /// Outputs in file order.
    pub(crate) outputs: &'g [TensorId],
    /// The graph built so far (every tensor is there already).
    pub(crate) graph: &'g Graph,
    /// What may still be copied into attributes.
    pub(crate) budget: &'g Budget,
}

impl OpCtx<'_, '_> {
    /// A format error naming this operator.
    pub(crate) fn err(&self, msg: impl Into<String>) -> Error {
        format_err(self.label, msg)
    }

    /// Input `i` if present.
    pub(crate) fn input(&self, i: usize) -> Option<TensorId> {
        self.inputs.get(i).copied().flatten()
    }

    /// Input `i`, which the operator cannot do without.
    pub(crate) fn required(&self, i: usize) -> Result<TensorId> {
        self.input(i).ok_or_else(|| self.err(format!("input {i} is missing ({} given)", self.inputs.len())))
    }

    /// The builtin options, which this operator cannot do without.
    pub(crate) fn options<T>(&self, options: Option<T>, what: &str) -> Result<T> {
        options.ok_or_else(|| self.err(format!("has no {what}")))
    }

    /// Decoded integer values of input `i`, when it is a decoded integer constant (and the
    /// [`Budget`] allows the copy).
    pub(crate) fn const_ints(&self, i: usize) -> Option<Vec<i64>> {
        let id = self.input(i)?;
        let ints = self.graph.tensors.get(id.0)?.ints()?;
        self.budget.take(ints.len()).then(|| ints.to_vec())
    }

    /// The single value of input `i`, when it is a one-element integer constant.
    pub(crate) fn const_int(&self, i: usize) -> Option<i64> {
        match self.const_ints(i)?.as_slice() {
            [v] => Some(*v),
            _ => None,
        }
    }

    /// A stride, dilation or window extent from the options: must be ≥ 1.
    pub(crate) fn positive(&self, v: i32, what: &str) -> Result<u64> {
        u64::try_from(v)
            .ok()
            .filter(|&v| v > 0)
            .ok_or_else(|| self.err(format!("{what} is {v}; it must be ≥ 1")))
    }

    /// SAME / VALID padding of a window.
    pub(crate) fn padding(&self, p: schema::Padding) -> Result<Padding> {
        match p {
            schema::Padding::SAME => Ok(Padding::SameUpper),
            schema::Padding::VALID => Ok(Padding::Valid),
            other => Err(self.err(format!("unknown padding {}", other.0))),
        }
    }
}

/// One operator family: `None` when the code is not one of its own.
type Family = fn(&OpCtx<'_, '_>) -> Option<Result<Lowered>>;

/// The registered families, asked in this order.
const FAMILIES: &[Family] = &[
    conv::lower,
    pool::lower,
    linear::lower,
    elementwise::lower,
    norm::lower,
    reduce::lower,
    shape_ops::lower,
    slice::lower,
    pad::lower,
    resize::lower,
    quant::lower,
];

/// Lower one operator; `name` is its TFLite name (`CONV_2D`, `custom:Foo`, `BUILTIN_200`).
pub(crate) fn lower(ctx: &OpCtx<'_, '_>, name: &str) -> Result<Lowered> {
    if ctx.code != BuiltinOperator::CUSTOM {
        for family in FAMILIES {
            if let Some(lowered) = family(ctx) {
                return lowered;
            }
        }
    }
    // Control flow (IF, WHILE, CALL_ONCE run other subgraphs), recurrent cells, lookups, custom
    // operators and anything newer than the schema.
    Ok(Lowered::unsupported(ctx, name))
}
