//! Kernels: groups of nodes a runtime executes as one, with a kind, a configuration and features.

mod config;
mod cost;
mod kind;
mod role;

use config::set_output_side;
pub use config::{KernelConfig, config_of};
pub use cost::{NodeCost, data_operands, node_cost};
pub use kind::KernelKind;
pub use role::{Role, role_of};

use crate::ir::{Graph, NodeId, TensorId};
use serde::{Deserialize, Serialize};

/// Derived features of a kernel: exact arithmetic and memory traffic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Features {
    /// Multiply-accumulates (convolutions, fully connected, matrix products).
    pub macs: u64,
    /// Operations, see [`cost`](node_cost) for the conventions.
    pub flops: u64,
    /// Parameters: elements of constant data operands.
    pub params: u64,
    /// Bytes of activations read from outside the kernel.
    pub input_bytes: u64,
    /// Bytes of activations written for use outside the kernel.
    pub output_bytes: u64,
    /// Bytes of constant data operands (weights), by their stored element type.
    pub weight_bytes: u64,
}

/// One kernel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kernel {
    /// Kind, e.g. `conv-bn-relu`.
    pub kind: KernelKind,
    /// The nodes, in execution order (ids in the shape-inferred graph; not serialised).
    #[serde(skip)]
    pub nodes: Vec<NodeId>,
    /// Node names, parallel to `nodes`.
    pub names: Vec<String>,
    /// Configuration of the anchor node (`None` when shapes are unknown).
    pub config: Option<KernelConfig>,
    /// Features summed over the nodes.
    pub features: Features,
}

impl Kernel {
    /// Whether einf can cost this kernel: a supported kind with known shapes.
    pub fn is_costed(&self) -> bool {
        self.kind.is_supported() && self.config.is_some()
    }
}

/// Graph facts the kernel builder and fusion share: producers, consumers, graph outputs.
pub struct GraphIndex {
    /// Producer node of each tensor.
    pub producers: Vec<Option<NodeId>>,
    /// Consumer nodes of each tensor.
    pub consumers: Vec<Vec<NodeId>>,
    /// Whether each tensor is a graph output.
    pub is_output: Vec<bool>,
}

impl GraphIndex {
    /// Index a graph.
    pub fn new(graph: &Graph) -> Self {
        let mut is_output = vec![false; graph.tensors.len()];
        for &o in &graph.outputs {
            if let Some(slot) = is_output.get_mut(o.0) {
                *slot = true;
            }
        }
        GraphIndex { producers: graph.producers(), consumers: graph.consumers(), is_output }
    }
}

/// Build a kernel of `kind` from its nodes (in execution order).
pub fn build_kernel(graph: &Graph, index: &GraphIndex, nodes: Vec<NodeId>, kind: KernelKind) -> Kernel {
    let inside =
        |t: TensorId| index.producers.get(t.0).copied().flatten().is_some_and(|p| nodes.contains(&p));
    let mut features = Features::default();
    let mut seen_in: Vec<TensorId> = Vec::new();
    let mut seen_w: Vec<TensorId> = Vec::new();
    let mut seen_out: Vec<TensorId> = Vec::new();
    for &id in &nodes {
        let node = graph.node(id);
        let c = node_cost(graph, node);
        features.macs = features.macs.saturating_add(c.macs);
        features.flops = features.flops.saturating_add(c.flops);
        features.params = features.params.saturating_add(c.params);
        let data = data_operands(node);
        for (i, t) in node.inputs.iter().enumerate() {
            let Some(t) = *t else { continue };
            let tensor = graph.tensor(t);
            let bytes = tensor.elements().map(|e| tensor.dtype.bytes(e)).unwrap_or(0);
            if tensor.is_const() {
                if data.contains(&i) && !seen_w.contains(&t) {
                    seen_w.push(t);
                    features.weight_bytes = features.weight_bytes.saturating_add(bytes);
                }
            } else if !inside(t) && !seen_in.contains(&t) {
                seen_in.push(t);
                features.input_bytes = features.input_bytes.saturating_add(bytes);
            }
        }
        for &o in &node.outputs {
            let consumers = index.consumers.get(o.0).map(Vec::as_slice).unwrap_or(&[]);
            let escapes = index.is_output.get(o.0).copied().unwrap_or(false)
                || consumers.is_empty()
                || consumers.iter().any(|c| !nodes.contains(c));
            if escapes && !seen_out.contains(&o) {
                seen_out.push(o);
                let tensor = graph.tensor(o);
                let bytes = tensor.elements().map(|e| tensor.dtype.bytes(e)).unwrap_or(0);
                features.output_bytes = features.output_bytes.saturating_add(bytes);
            }
        }
    }
    // The anchor gives the configuration: the first node that computes something.
    let anchor = nodes
        .iter()
        .copied()
        .find(|&n| {
            !matches!(
                role_of(graph, graph.node(n)),
                Role::Reshape | Role::Identity | Role::Pad | Role::Convert
            )
        })
        .or_else(|| nodes.first().copied());
    let config = anchor.and_then(|a| config_of(graph, graph.node(a))).and_then(|mut cfg| {
        // The output side of a fused kernel is its last node's output.
        if let (Some(a), Some(&last)) = (anchor, nodes.last())
            && a != last
        {
            set_output_side(graph, graph.node(a), graph.node(last), &mut cfg);
        }
        // Shapes of every node must be known for the kernel to be costed.
        let all_known = nodes
            .iter()
            .all(|&n| graph.node(n).outputs.iter().all(|&o| graph.tensor(o).known_shape().is_some()));
        all_known.then_some(cfg)
    });
    let names = nodes.iter().map(|&n| graph.node(n).name.clone()).collect();
    Kernel { kind, nodes, names, config, features }
}
