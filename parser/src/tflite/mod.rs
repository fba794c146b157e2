//! TFLite frontend: flatbuffers → einf graph.
pub mod schema;

use crate::error::Result;
use crate::ir::Graph;

/// Decode a TFLite model (subgraph 0).
pub fn parse(bytes: &[u8], name: &str) -> Result<Graph> {
    let _ = (bytes, name);
    Err(crate::ErrorKind::Format("the TFLite frontend is not written yet".into()).into())
}
