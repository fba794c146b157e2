//! TFLite frontend: flatbuffers → einf graph.
//!
//! [`parse`] verifies the flatbuffer, then assembles subgraph 0 (the others are bodies of control
//! flow operators, which become [`crate::ir::Op::Unsupported`]) into a [`Graph`] with
//! [`Layout::Nhwc`](crate::ir::Layout::Nhwc):
//!
//! - every tensor of the subgraph becomes a graph tensor, in file order (so tensor `i` of the file
//!   is `TensorId(i)`), named as in the file; a repeated or empty name gets `#<index>` appended;
//! - a tensor whose buffer holds bytes is a constant: small integer and float constants are
//!   decoded, larger ones kept [`ConstValue::Opaque`](crate::ir::ConstValue::Opaque), and the byte
//!   length must match shape × element type (`tensor.rs`). Variable tensors (`is_variable`,
//!   recurrent state) are not constants; when an operator reads one that nothing writes, it is
//!   appended to [`Graph::inputs`], as the state the model reads on each run;
//! - each operator becomes one node named after its first output tensor (the file names no
//!   operators), lowered by the family modules under `ops/` (convolutions, pools, elementwise,
//!   reductions, shape operators, ...); no family claiming an operator makes it
//!   [`Op::Unsupported`](crate::ir::Op::Unsupported). A fused activation becomes a second,
//!   `implied` node `<name>:act` that reads a new tensor `<output>:pre_act` written by the main
//!   node and writes the operator's original output;
//! - errors name the operator as `op #12 CONV_2D`.

mod ops;
pub mod schema;
mod subgraph;
mod tensor;

use crate::error::{ErrorKind, Result};
use crate::ir::Graph;

/// More operators than this in subgraph 0 is refused ([`ErrorKind::Limit`]).
pub const MAX_OPS: usize = 1_000_000;
/// More tensors than this in subgraph 0 is refused ([`ErrorKind::Limit`]).
pub const MAX_TENSORS: usize = 1_000_000;

/// Decode a TFLite model (subgraph 0). `name` becomes [`Graph::name`]; the caller attaches the
/// file to errors.
pub fn parse(bytes: &[u8], name: &str) -> Result<Graph> {
    let opts = flatbuffers::VerifierOptions {
        // TFLite nests Model → SubGraph → Tensor → QuantizationParameters → details: far below.
        max_depth: 64,
        // Each operator and tensor is a table, plus their options and quantisation tables.
        max_tables: 8 * (MAX_OPS + MAX_TENSORS),
        // What the verifier visits, shared tables and vectors counted at each use. A real model
        // counts about its own size; the bound keeps a file of shared tables from expanding to
        // gigabytes of shapes and names.
        max_apparent_size: bytes.len().saturating_mul(8).max(1 << 20),
        ignore_missing_null_terminator: false,
    };
    let model = schema::root_as_model_with_opts(&opts, bytes).map_err(|e| {
        // The verifier appends its trace as indented lines; errors are one line.
        let message =
            e.to_string().lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
        ErrorKind::Decode { format: "TFLite", message }
    })?;
    subgraph::assemble(&model, bytes, name, &Budget::for_file(bytes.len()))
}

/// How many integer or float elements may still be decoded from buffers and copied into operator
/// attributes. Tensors and operators refer to buffers and constants by index, which the verifier
/// does not count, so a small file could otherwise make one large constant be decoded or copied a
/// million times. Real models stay far below (each decoded element takes at least half a byte
/// of the file); past the budget constants stay [`crate::ir::ConstValue::Opaque`] and attributes
/// are left for shape inference to read from the inputs.
pub(crate) struct Budget(std::cell::Cell<usize>);

impl Budget {
    /// A budget for a file of `len` bytes.
    fn for_file(len: usize) -> Self {
        Budget(std::cell::Cell::new(len.saturating_mul(2).saturating_add(1 << 20)))
    }

    /// Take `n` elements; false (and nothing taken) when fewer remain.
    pub(crate) fn take(&self, n: usize) -> bool {
        let left = self.0.get();
        if n > left {
            return false;
        }
        self.0.set(left - n);
        true
    }
}
