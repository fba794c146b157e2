//! ONNX operators → [`Op`], registered by family: each family module lists the op types it
//! maps, and the dispatch table is their union. Op types of the default domain that no family
//! lists (control flow `If`/`Loop`/`Scan` among them) become [`Op::Unsupported`].

mod constant;
mod conv;
mod elementwise;
mod linear;
mod norm;
mod pool;
mod quant;
mod reduce;
mod resize;
mod shape_ops;
mod window;

use super::attrs::Attrs;
use super::data::Data;
use super::names::printable;
use super::tensor::Decoded;
use crate::error::Result;
use crate::ir::Op;
use std::collections::HashMap;
use std::sync::OnceLock;

/// What an op mapping sees of a node, and may change: the input list (Resize drops `roi`) and
/// the constant the node produces (Constant).
pub(crate) struct NodeCtx<'a, 'g> {
    /// Node name (for errors).
    pub name: &'a str,
    /// ONNX op type.
    pub op_type: &'a str,
    /// Default-domain opset of the model.
    pub opset: i64,
    /// The node's attributes.
    pub attrs: Attrs<'a>,
    /// Input tensor names in operator order; `None` for an omitted optional input.
    pub inputs: Vec<Option<&'g str>>,
    /// Output tensor names as in the file.
    pub outputs: &'a [String],
    /// Where constant data comes from (external data, decode budget).
    pub data: &'a Data<'a>,
    /// Set by Constant: the value of output 0.
    pub constant: Option<Decoded>,
}

impl NodeCtx<'_, '_> {
    /// A format error at this node.
    pub(crate) fn err(&self, msg: impl Into<String>) -> crate::Error {
        crate::error::format_err(self.name, printable(&msg.into()).into_owned())
    }
}

/// Maps one node to an [`Op`].
pub(crate) type OpFn = fn(&mut NodeCtx<'_, '_>) -> Result<Op>;

/// A family's registrations: ONNX op type → mapping.
pub(crate) type Family = &'static [(&'static str, OpFn)];

/// Every family, in no particular order (an op type is listed by one family only).
const FAMILIES: [Family; 10] = [
    conv::OPS,
    pool::OPS,
    linear::OPS,
    norm::OPS,
    elementwise::OPS,
    shape_ops::OPS,
    constant::OPS,
    reduce::OPS,
    resize::OPS,
    quant::OPS,
];

fn table() -> &'static HashMap<&'static str, OpFn> {
    static TABLE: OnceLock<HashMap<&'static str, OpFn>> = OnceLock::new();
    TABLE.get_or_init(|| FAMILIES.iter().flat_map(|f| f.iter().copied()).collect())
}

/// Map a default-domain node; unknown op types become [`Op::Unsupported`].
pub(crate) fn map(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    match table().get(ctx.op_type) {
        Some(f) => f(ctx),
        None => Ok(Op::Unsupported { name: printable(ctx.op_type).into_owned() }),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_op_type_is_registered_twice() {
        let all: Vec<&str> = super::FAMILIES.iter().flat_map(|f| f.iter().map(|(n, _)| *n)).collect();
        let mut sorted = all.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), all.len());
        for control_flow in ["If", "Loop", "Scan"] {
            assert!(!super::table().contains_key(control_flow));
        }
    }
}
