//! The graph: tensors, nodes and the edges between them.

use super::{Layout, Op, Tensor, TensorId};
use crate::error::{Error, ErrorKind};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

/// Index of a node in [`Graph::nodes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NodeId(pub usize);

/// The file format a graph was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceFormat {
    /// ONNX, with the default-domain opset the model imports.
    Onnx {
        /// Default-domain opset version.
        opset: i64,
    },
    /// TFLite (schema version from the file).
    Tflite {
        /// Schema version.
        version: u32,
    },
    /// Built in memory (tests, `einf-models`).
    Memory,
}

impl std::fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceFormat::Onnx { opset } => write!(f, "ONNX opset {opset}"),
            SourceFormat::Tflite { version } => write!(f, "TFLite schema v{version}"),
            SourceFormat::Memory => f.write_str("in-memory graph"),
        }
    }
}

/// One operator application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// Name in the source file (or a generated `op_index` name when the file has none).
    pub name: String,
    /// What the node computes.
    pub op: Op,
    /// Operator name in the source file (`Conv`, `CONV_2D`, `custom:Foo`).
    pub source_op: String,
    /// Inputs in operator order; `None` for an omitted optional input.
    pub inputs: Vec<Option<TensorId>>,
    /// Outputs in operator order.
    pub outputs: Vec<TensorId>,
    /// True when the file has no node of its own for this one: a TFLite fused activation split out
    /// of the op that carries it as an attribute.
    pub implied: bool,
}

impl Node {
    /// The `i`-th input if present.
    pub fn input(&self, i: usize) -> Option<TensorId> {
        self.inputs.get(i).copied().flatten()
    }

    /// The `i`-th output if present.
    pub fn output(&self, i: usize) -> Option<TensorId> {
        self.outputs.get(i).copied()
    }

    /// Present inputs.
    pub fn present_inputs(&self) -> impl Iterator<Item = TensorId> + '_ {
        self.inputs.iter().filter_map(|t| *t)
    }
}

/// A node that shape inference folded into a constant (Shape→Gather→Concat chains, Constant,
/// DEQUANTIZE of constant weights): it does not run at inference time, but is still reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoldedNode {
    /// Node name.
    pub name: String,
    /// Operator name in the source file.
    pub source_op: String,
}

/// A model graph in einf's own vocabulary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Graph {
    /// Model name (file stem or the name stored in the file).
    pub name: String,
    /// Where it came from.
    pub format: SourceFormat,
    /// Layout of 4-D activations.
    pub layout: Layout,
    /// All tensors.
    pub tensors: Vec<Tensor>,
    /// All nodes, in file order.
    pub nodes: Vec<Node>,
    /// Graph inputs that are real inputs (not weights).
    pub inputs: Vec<TensorId>,
    /// Graph outputs.
    pub outputs: Vec<TensorId>,
    /// Nodes removed by constant folding (filled by [`crate::shape::infer`]).
    pub folded: Vec<FoldedNode>,
}

impl Graph {
    /// An empty graph.
    pub fn new(name: impl Into<String>, format: SourceFormat, layout: Layout) -> Self {
        Graph {
            name: name.into(),
            format,
            layout,
            tensors: Vec::new(),
            nodes: Vec::new(),
            inputs: Vec::new(),
            outputs: Vec::new(),
            folded: Vec::new(),
        }
    }

    /// Add a tensor and return its id.
    pub fn add_tensor(&mut self, tensor: Tensor) -> TensorId {
        self.tensors.push(tensor);
        TensorId(self.tensors.len() - 1)
    }

    /// Add a node and return its id.
    pub fn add_node(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        NodeId(self.nodes.len() - 1)
    }

    /// The tensor with this id. Ids come from this graph, so they are always valid after
    /// [`Graph::validate`].
    pub fn tensor(&self, id: TensorId) -> &Tensor {
        &self.tensors[id.0]
    }

    /// Mutable access to a tensor.
    pub fn tensor_mut(&mut self, id: TensorId) -> &mut Tensor {
        &mut self.tensors[id.0]
    }

    /// The node with this id.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    /// For each tensor, the node producing it (if any).
    pub fn producers(&self) -> Vec<Option<NodeId>> {
        let mut p = vec![None; self.tensors.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            for &o in &n.outputs {
                if let Some(slot) = p.get_mut(o.0) {
                    *slot = Some(NodeId(i));
                }
            }
        }
        p
    }

    /// For each tensor, the nodes consuming it (a node using it twice is listed once).
    pub fn consumers(&self) -> Vec<Vec<NodeId>> {
        let mut c: Vec<Vec<NodeId>> = vec![Vec::new(); self.tensors.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            for t in n.present_inputs() {
                if let Some(list) = c.get_mut(t.0)
                    && list.last() != Some(&NodeId(i))
                {
                    list.push(NodeId(i));
                }
            }
        }
        c
    }

    /// Check that every edge points to an existing tensor, each tensor has at most one producer,
    /// every non-constant input is produced by a node or is a graph input, and tensor names are
    /// unique. Returns the first problem found.
    pub fn validate(&self) -> Result<(), Error> {
        let n_t = self.tensors.len();
        let mut produced = vec![false; n_t];
        for t in self.inputs.iter().chain(&self.outputs) {
            if t.0 >= n_t {
                return Err(ErrorKind::Graph(format!(
                    "graph input/output refers to missing tensor #{}",
                    t.0
                ))
                .into());
            }
        }
        for n in &self.nodes {
            for t in n.present_inputs().chain(n.outputs.iter().copied()) {
                if t.0 >= n_t {
                    return Err(Error::at_node(
                        &n.name,
                        ErrorKind::Graph(format!("refers to missing tensor #{}", t.0)),
                    ));
                }
            }
            for &o in &n.outputs {
                if std::mem::replace(&mut produced[o.0], true) {
                    return Err(Error::at_node(
                        &n.name,
                        ErrorKind::Graph(format!("tensor '{}' has two producers", self.tensor(o).name)),
                    ));
                }
                if self.tensor(o).is_const() && !matches!(n.op, Op::Constant) {
                    return Err(Error::at_node(
                        &n.name,
                        ErrorKind::Graph(format!("writes to constant tensor '{}'", self.tensor(o).name)),
                    ));
                }
            }
        }
        for &i in &self.inputs {
            if produced[i.0] {
                return Err(ErrorKind::Graph(format!(
                    "graph input '{}' is also produced by a node",
                    self.tensor(i).name
                ))
                .into());
            }
            produced[i.0] = true;
        }
        for n in &self.nodes {
            for t in n.present_inputs() {
                if !produced[t.0] && !self.tensor(t).is_const() {
                    return Err(Error::at_node(
                        &n.name,
                        ErrorKind::DanglingEdge { tensor: self.tensor(t).name.clone() },
                    ));
                }
            }
        }
        for &o in &self.outputs {
            if !produced[o.0] && !self.tensor(o).is_const() {
                return Err(ErrorKind::DanglingEdge { tensor: self.tensor(o).name.clone() }.into());
            }
        }
        let mut names: FxHashMap<&str, usize> = FxHashMap::default();
        names.reserve(n_t);
        for (i, t) in self.tensors.iter().enumerate() {
            if let Some(prev) = names.insert(t.name.as_str(), i) {
                return Err(ErrorKind::Graph(format!(
                    "tensor name '{}' is used twice (#{prev} and #{i})",
                    t.name
                ))
                .into());
            }
        }
        Ok(())
    }

    /// Nodes in an order where every node comes after the producers of its inputs (Kahn's
    /// algorithm, stable with respect to file order). A cycle is an error naming a node on it.
    pub fn topo_order(&self) -> Result<Vec<NodeId>, Error> {
        let producers = self.producers();
        // Most files list nodes in execution order already: then that order is the answer.
        let in_file_order = self.nodes.iter().enumerate().all(|(i, n)| {
            n.present_inputs().all(|t| producers.get(t.0).copied().flatten().is_none_or(|p| p.0 < i))
        });
        if in_file_order {
            return Ok((0..self.nodes.len()).map(NodeId).collect());
        }
        let consumers = self.consumers();
        let mut indegree: Vec<usize> = self
            .nodes
            .iter()
            .map(|n| {
                let mut deps: Vec<usize> = n
                    .present_inputs()
                    .filter_map(|t| producers.get(t.0).copied().flatten())
                    .map(|p| p.0)
                    .collect();
                deps.sort_unstable();
                deps.dedup();
                deps.len()
            })
            .collect();
        let mut ready: std::collections::BinaryHeap<std::cmp::Reverse<usize>> =
            (0..self.nodes.len()).filter(|&i| indegree[i] == 0).map(std::cmp::Reverse).collect();
        let mut order = Vec::with_capacity(self.nodes.len());
        while let Some(std::cmp::Reverse(i)) = ready.pop() {
            order.push(NodeId(i));
            let mut next: Vec<usize> = self.nodes[i]
                .outputs
                .iter()
                .flat_map(|o| consumers.get(o.0).into_iter().flatten())
                .map(|c| c.0)
                .collect();
            next.sort_unstable();
            next.dedup();
            for c in next {
                indegree[c] -= 1;
                if indegree[c] == 0 {
                    ready.push(std::cmp::Reverse(c));
                }
            }
        }
        if order.len() != self.nodes.len() {
            let stuck = indegree.iter().position(|&d| d > 0).unwrap_or(0);
            return Err(Error::at_node(&self.nodes[stuck].name, ErrorKind::Cycle));
        }
        Ok(order)
    }
}
