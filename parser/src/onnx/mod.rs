//! ONNX frontend: protobuf → einf graph.
//!
//! [`parse`] decodes a `ModelProto` with prost, reads the default-domain opset, and assembles
//! the [`Graph`]: constants from initializers and Constant nodes, real graph inputs, and one
//! [`crate::ir::Node`] per ONNX node with its typed [`crate::ir::Op`] (see `ops/`, one module
//! per operator family). Shapes are not inferred here; [`crate::shape::infer`] does it next.

mod attrs;
mod data;
mod external;
mod graph;
mod names;
mod ops;
pub mod proto;
mod sparse;
mod tensor;
mod value_info;

use crate::error::{ErrorKind, Result};
use crate::ir::Graph;
use prost::Message;
use std::path::Path;

/// Oldest default-domain opset einf reads.
pub const MIN_OPSET: i64 = 7;
/// Newest default-domain opset einf reads: 27 (ONNX 1.22). Opsets 22–27 (checked against ONNX's
/// Changelog.md) changed no shape or arithmetic of an operator einf reads: 22 added bfloat16 to
/// Conv, the pools and the activations (and put in words the ceil-mode rule einf already applies:
/// a window starting in the end padding is dropped); 23–25 added 4- and 2-bit types and
/// DequantizeLinear's `output_dtype` (einf's dequantized tensors are f32 either way); 26–27 added
/// operators (Attention, RMSNormalization, RotaryEmbedding, Swish, ... are reported as not costed)
/// and Range's `stash_type`.
pub const MAX_OPSET: i64 = 27;

/// Decode an ONNX model. `model_dir` is the folder external-data locations are relative to (no
/// external data can be read without it). The graph returned passes [`Graph::validate`] and is
/// acyclic; its intermediate shapes are left to [`crate::shape::infer`].
pub fn parse(bytes: &[u8], name: &str, model_dir: Option<&Path>) -> Result<Graph> {
    let model = proto::ModelProto::decode(bytes)
        .map_err(|e| ErrorKind::Decode { format: "ONNX", message: e.to_string() })?;
    let opset = default_opset(&model)?;
    let gp = model.graph.as_ref().ok_or_else(|| ErrorKind::Format("the model has no graph".into()))?;
    let data = data::Data::new(model_dir, bytes.len());
    let graph = graph::build(gp, name, opset, &data)?;
    graph.validate()?;
    // ONNX graphs are acyclic; a cycle is refused here, naming a node on it.
    graph.topo_order()?;
    Ok(graph)
}

/// The default-domain (`""` or `ai.onnx`) opset the model imports, within
/// [`MIN_OPSET`]..=[`MAX_OPSET`].
fn default_opset(model: &proto::ModelProto) -> Result<i64> {
    let opset = model
        .opset_import
        .iter()
        .filter(|o| matches!(o.domain(), "" | "ai.onnx"))
        .map(|o| o.version())
        .max()
        .ok_or_else(|| ErrorKind::Format("the model imports no default-domain (ai.onnx) opset".into()))?;
    if !(MIN_OPSET..=MAX_OPSET).contains(&opset) {
        return Err(ErrorKind::Format(format!(
            "default-domain opset {opset} is not supported (einf reads opsets {MIN_OPSET} to {MAX_OPSET})"
        ))
        .into());
    }
    Ok(opset)
}
