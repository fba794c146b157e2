//! Graph assembly: initializers, inputs, nodes, outputs and value_info → [`Graph`].
//!
//! Tensors are keyed by their ONNX name (unique in a valid file). Initializers are constants;
//! graph inputs that are also initializers (IR < 4 files list weights there) are weights, not
//! inputs. Intermediate tensors get only their declared element type; their shapes are left to
//! einf's own inference, except for outputs of unsupported nodes, whose declared shape is kept as
//! a fallback.

use super::attrs::Attrs;
use super::data::Data;
use super::names::printable;
use super::ops::{self, NodeCtx};
use super::proto::{GraphProto, NodeProto, ValueInfoProto};
use super::sparse::{decode_sparse, name_of};
use super::tensor::{Decoded, decode};
use super::value_info::declared;
use crate::error::{Error, ErrorKind, Result};
use crate::ir::{DType, Graph, Layout, Node, Op, SourceFormat, Tensor, TensorId};
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;

/// At most this many nodes.
pub(crate) const MAX_NODES: usize = 1_000_000;
/// At most this many tensors.
pub(crate) const MAX_TENSORS: usize = 1_000_000;

/// How a tensor got into the graph (decides what a later definition of the same name means).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// Referenced before (or without) being defined.
    Referenced,
    /// An initializer.
    Initializer,
    /// A graph input.
    Input,
    /// The output of the node with this index.
    Node(usize),
}

struct Builder<'a> {
    g: Graph,
    by_name: FxHashMap<&'a str, TensorId>,
    /// Names made up for omitted outputs (never looked up by name).
    fresh: FxHashSet<String>,
    /// Graph names of file names with control characters (escaped, kept apart from all others).
    escaped: FxHashSet<String>,
    origin: Vec<Origin>,
    /// Tensors produced by an unsupported node (their declared shape is kept).
    unsupported_out: FxHashSet<TensorId>,
    /// Every name the file uses, for picking fresh names for unnamed outputs.
    file_names: FxHashSet<&'a str>,
    data: &'a Data<'a>,
    opset: i64,
}

/// Build the graph of `gp` (default-domain opset `opset`).
pub(crate) fn build(gp: &GraphProto, name: &str, opset: i64, data: &Data<'_>) -> Result<Graph> {
    if gp.node.len() > MAX_NODES {
        return Err(ErrorKind::Limit(format!("{} nodes (at most {MAX_NODES})", gp.node.len())).into());
    }
    let declared_tensors =
        gp.initializer.len() + gp.sparse_initializer.len() + gp.input.len() + gp.output.len();
    if declared_tensors > MAX_TENSORS {
        return Err(ErrorKind::Limit(format!("{declared_tensors} tensors (at most {MAX_TENSORS})")).into());
    }
    let file_names = gp
        .node
        .iter()
        .flat_map(|n| n.input.iter().chain(&n.output))
        .map(String::as_str)
        .chain(gp.input.iter().chain(&gp.output).chain(&gp.value_info).map(|v| v.name()))
        .chain(gp.initializer.iter().map(|t| t.name()))
        .chain(gp.sparse_initializer.iter().map(name_of))
        .collect();
    let mut b = Builder {
        g: Graph::new(name, SourceFormat::Onnx { opset }, Layout::Nchw),
        by_name: FxHashMap::default(),
        fresh: FxHashSet::default(),
        escaped: FxHashSet::default(),
        origin: Vec::new(),
        unsupported_out: FxHashSet::default(),
        file_names,
        data,
        opset,
    };
    for (i, t) in gp.initializer.iter().enumerate() {
        let name = non_empty(t.name(), || format!("initializer #{i} has no name"))?;
        let d = decode(t, name, data)?;
        b.define(name, constant(name, d), Origin::Initializer)?;
    }
    for (i, sp) in gp.sparse_initializer.iter().enumerate() {
        let name = non_empty(name_of(sp), || format!("sparse initializer #{i} has no name"))?;
        let d = decode_sparse(sp, name, data)?;
        b.define(name, constant(name, d), Origin::Initializer)?;
    }
    for (i, vi) in gp.input.iter().enumerate() {
        b.input(i, vi)?;
    }
    for (i, n) in gp.node.iter().enumerate() {
        b.node(i, n)?;
    }
    for (i, vi) in gp.output.iter().enumerate() {
        let name = non_empty(vi.name(), || format!("graph output #{i} has no name"))?;
        let id = b.tensor(name)?;
        b.g.outputs.push(id);
        b.declare(id, vi)?;
    }
    for vi in &gp.value_info {
        if let Some(&id) = b.by_name.get(vi.name()) {
            b.declare(id, vi)?;
        }
    }
    Ok(b.g)
}

fn non_empty(name: &str, msg: impl FnOnce() -> String) -> Result<&str> {
    if name.is_empty() { Err(ErrorKind::Format(msg()).into()) } else { Ok(name) }
}

fn constant(name: &str, d: Decoded) -> Tensor {
    Tensor::constant(name, d.dtype, &d.shape, d.value)
}

impl<'a> Builder<'a> {
    /// Add a tensor, known in the file as `name` when it has one. A file name with control
    /// characters is escaped in the graph (see `names.rs`).
    fn add(&mut self, name: Option<&'a str>, mut tensor: Tensor, origin: Origin) -> Result<TensorId> {
        if self.g.tensors.len() >= MAX_TENSORS {
            return Err(ErrorKind::Limit(format!("more than {MAX_TENSORS} tensors")).into());
        }
        if let Some(Cow::Owned(mut escaped)) = name.map(printable) {
            while self.file_names.contains(escaped.as_str())
                || self.escaped.contains(&escaped)
                || self.fresh.contains(&escaped)
            {
                escaped.push('_');
            }
            self.escaped.insert(escaped.clone());
            tensor.name = escaped;
        }
        let id = self.g.add_tensor(tensor);
        if let Some(name) = name {
            self.by_name.insert(name, id);
        }
        self.origin.push(origin);
        Ok(id)
    }

    /// The tensor of this name, created (type and shape unknown) if not seen yet.
    fn tensor(&mut self, name: &'a str) -> Result<TensorId> {
        match self.by_name.get(name) {
            Some(&id) => Ok(id),
            None => self.add(Some(name), Tensor::activation(name, DType::Unknown, None), Origin::Referenced),
        }
    }

    /// Define a tensor; a name defined twice is a graph error.
    fn define(&mut self, name: &'a str, tensor: Tensor, origin: Origin) -> Result<TensorId> {
        let Some(&id) = self.by_name.get(name) else {
            return self.add(Some(name), tensor, origin);
        };
        match self.origin.get(id.0).copied() {
            Some(Origin::Referenced) => {
                // Keep the graph name given when the tensor was first referenced.
                let t = self.g.tensor_mut(id);
                *t = Tensor { name: std::mem::take(&mut t.name), ..tensor };
                if let Some(o) = self.origin.get_mut(id.0) {
                    *o = origin;
                }
                Ok(id)
            }
            prev => {
                let what = match prev {
                    Some(Origin::Initializer) => "an initializer".to_string(),
                    Some(Origin::Input) => "a graph input".to_string(),
                    // Nodes are added in file order, so an earlier node's index is its id.
                    Some(Origin::Node(i)) => match self.g.nodes.get(i) {
                        Some(n) => format!("an output of node '{}'", n.name),
                        None => "an output of this node".to_string(),
                    },
                    _ => "defined".to_string(),
                };
                let msg = format!("tensor '{name}' is defined twice (it is already {what})");
                Err(ErrorKind::Graph(printable(&msg).into_owned()).into())
            }
        }
    }

    fn input(&mut self, i: usize, vi: &'a ValueInfoProto) -> Result<()> {
        let name = non_empty(vi.name(), || format!("graph input #{i} has no name"))?;
        if let Some(&id) = self.by_name.get(name)
            && self.origin.get(id.0) == Some(&Origin::Initializer)
        {
            return Ok(()); // a weight listed among the inputs (IR < 4), or an overridable default
        }
        let d = declared(vi);
        d.check_size(name)?;
        let id = self.define(name, Tensor::activation(name, d.dtype, d.shape), Origin::Input)?;
        self.g.inputs.push(id);
        Ok(())
    }

    fn node(&mut self, index: usize, n: &'a NodeProto) -> Result<()> {
        let op_type = n.op_type();
        let node_name = if n.name().is_empty() {
            format!("{}_{index}", printable(op_type))
        } else {
            printable(n.name()).into_owned()
        };
        let at = |e: Error| e.with_node(&node_name);
        if op_type.is_empty() {
            return Err(at(ErrorKind::Format("node has no op_type".into()).into()));
        }
        let domain = n.domain();
        let default_domain = matches!(domain, "" | "ai.onnx");
        let source_op = if default_domain {
            printable(op_type).into_owned()
        } else {
            printable(&format!("{domain}:{op_type}")).into_owned()
        };
        let mut ctx = NodeCtx {
            name: &node_name,
            op_type,
            opset: self.opset,
            attrs: Attrs::new(&node_name, n),
            inputs: n.input.iter().map(|s| (!s.is_empty()).then_some(s.as_str())).collect(),
            outputs: &n.output,
            data: self.data,
            constant: None,
        };
        let op = if default_domain {
            ops::map(&mut ctx).map_err(at)?
        } else {
            Op::Unsupported { name: source_op.clone() }
        };
        let NodeCtx { inputs: input_names, constant: value, .. } = ctx;

        let mut inputs = Vec::with_capacity(input_names.len());
        for name in &input_names {
            inputs.push(match name {
                Some(name) => Some(self.tensor(name).map_err(at)?),
                None => None,
            });
        }
        // Trailing omitted outputs are dropped; omitted ones before a present one get a fresh name
        // so that output positions keep their meaning.
        let last = n.output.iter().rposition(|o| !o.is_empty()).map_or(0, |p| p + 1);
        let mut outputs = Vec::with_capacity(last);
        for (k, out) in n.output.iter().take(last).enumerate() {
            let id = if out.is_empty() {
                let name = self.fresh_name(&node_name, k);
                let tensor = Tensor::activation(&name, DType::Unknown, None);
                self.fresh.insert(name);
                self.add(None, tensor, Origin::Node(index)).map_err(at)?
            } else {
                let tensor = Tensor::activation(out, DType::Unknown, None);
                self.define(out, tensor, Origin::Node(index)).map_err(at)?
            };
            outputs.push(id);
        }
        if let (Op::Constant, Some(d), Some(&out)) = (&op, value, outputs.first()) {
            *self.g.tensor_mut(out) = constant(&self.g.tensor(out).name.clone(), d);
        }
        if matches!(op, Op::Unsupported { .. }) {
            self.unsupported_out.extend(outputs.iter().copied());
        }
        self.g.add_node(Node { name: node_name, op, source_op, inputs, outputs, implied: false });
        Ok(())
    }

    /// A name for an omitted output that no tensor of the file uses.
    fn fresh_name(&self, node: &str, k: usize) -> String {
        let mut name = format!("{node}:output{k}");
        while self.file_names.contains(name.as_str())
            || self.fresh.contains(&name)
            || self.escaped.contains(&name)
        {
            name.push('_');
        }
        name
    }

    /// Apply a declaration (graph output, value_info) to a tensor: its element type when still
    /// unknown, and its shape only for outputs of unsupported nodes.
    fn declare(&mut self, id: TensorId, vi: &ValueInfoProto) -> Result<()> {
        let d = declared(vi);
        let keep_shape = self.unsupported_out.contains(&id);
        let t = self.g.tensor_mut(id);
        if t.is_const() {
            return Ok(());
        }
        if t.dtype == DType::Unknown {
            t.dtype = d.dtype;
        }
        if keep_shape && t.shape.is_none() {
            d.check_size(&t.name)?;
            t.shape = d.shape;
        }
        Ok(())
    }
}
