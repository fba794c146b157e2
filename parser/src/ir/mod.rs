//! einf's graph vocabulary, below the format readers: it knows no protobuf or flatbuffers type.
//!
//! A [`Graph`] holds [`Tensor`]s (element type, shape, constant value) and [`Node`]s (a typed
//! [`Op`] with input and output tensor ids). ONNX and TFLite frontends both produce it; shape
//! inference, folding and fusion work on it alone.

mod dtype;
mod graph;
mod op;
mod tensor;

pub use dtype::DType;
pub use graph::{FoldedNode, Graph, Node, NodeId, SourceFormat};
pub use op::{
    BinaryOp, ConvAttrs, Layout, Op, PadMode, Padding, PoolAttrs, PoolKind, ReduceKind, ResizeMode, UnaryOp,
    WeightLayout,
};
pub use tensor::{ConstValue, Dim, MAX_DECODED_FLOATS, MAX_DECODED_INTS, Tensor, TensorId};
