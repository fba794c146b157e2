//! ONNX frontend: protobuf → einf graph.
pub mod proto;

use crate::error::Result;
use crate::ir::Graph;
use std::path::Path;

/// Decode an ONNX model. `model_dir` is the folder external-data locations are relative to (no
/// external data can be read without it).
pub fn parse(bytes: &[u8], name: &str, model_dir: Option<&Path>) -> Result<Graph> {
    let _ = (bytes, name, model_dir);
    Err(crate::ErrorKind::Format("the ONNX frontend is not written yet".into()).into())
}
