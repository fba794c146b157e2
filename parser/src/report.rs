//! The result of analysing a model: kernels, totals and coverage, with a stable JSON schema.

use crate::error::Result;
use crate::fusion::{Rules, fuse};
use crate::ir::{DType, Graph, SourceFormat};
use crate::kernel::{Kernel, Role, node_cost};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version tag of the JSON written by `einf kernels --json`.
pub const SCHEMA: &str = "einf.kernels/1";

/// A graph input as analysed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSummary {
    /// Input name.
    pub name: String,
    /// Element type.
    pub dtype: DType,
    /// Shape used for inference.
    pub shape: Vec<u64>,
}

/// Sums over all kernels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Multiply-accumulates.
    pub macs: u64,
    /// Operations.
    pub flops: u64,
    /// Parameters.
    pub params: u64,
    /// Bytes of constant data operands.
    pub weight_bytes: u64,
    /// Activation bytes read by kernels from outside themselves.
    pub input_bytes: u64,
    /// Activation bytes written by kernels for use outside themselves.
    pub output_bytes: u64,
}

/// What einf could and could not cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Nodes that run at inference (after constant folding).
    pub nodes: usize,
    /// Nodes folded into constants (shape computations, Constant, DEQUANTIZE of weights).
    pub folded_nodes: usize,
    /// Kernels.
    pub kernels: usize,
    /// Kernels that cannot be costed (an unsupported operator, or unknown shapes).
    pub uncosted_kernels: usize,
    /// Nodes of unsupported operators.
    pub unsupported_nodes: usize,
    /// Nodes whose output shapes are unknown (downstream of an unsupported operator).
    pub unknown_shape_nodes: usize,
    /// Unsupported operators by name, with their node counts.
    pub unsupported_ops: BTreeMap<String, usize>,
    /// Share of runtime nodes inside uncosted kernels.
    pub uncosted_node_share: f64,
    /// Estimated operations of the uncosted nodes: one per output element where the shape is known.
    pub uncosted_flops_estimate: u64,
    /// `uncosted_flops_estimate / (costed FLOPs + uncosted_flops_estimate)`.
    pub uncosted_flops_share: f64,
}

/// A model analysed for one backend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Model name.
    pub model: String,
    /// Source format.
    pub format: SourceFormat,
    /// Backend whose fusion rules were used.
    pub backend: String,
    /// Graph inputs with the shapes used.
    pub inputs: Vec<InputSummary>,
    /// Kernels in execution order.
    pub kernels: Vec<Kernel>,
    /// Sums over costed kernels.
    pub totals: Totals,
    /// Coverage.
    pub coverage: Coverage,
}

/// Split a shape-inferred graph into kernels and summarise them.
pub fn analyze(graph: &Graph, rules: &Rules) -> Result<Analysis> {
    let kernels = fuse(graph, rules)?;
    let mut totals = Totals::default();
    let mut coverage = Coverage {
        nodes: graph.nodes.len(),
        folded_nodes: graph.folded.len(),
        kernels: kernels.len(),
        ..Coverage::default()
    };
    let mut uncosted_nodes = 0usize;
    for k in &kernels {
        let f = &k.features;
        totals.macs = totals.macs.saturating_add(f.macs);
        totals.flops = totals.flops.saturating_add(f.flops);
        totals.params = totals.params.saturating_add(f.params);
        totals.weight_bytes = totals.weight_bytes.saturating_add(f.weight_bytes);
        totals.input_bytes = totals.input_bytes.saturating_add(f.input_bytes);
        totals.output_bytes = totals.output_bytes.saturating_add(f.output_bytes);
        if !k.is_costed() {
            coverage.uncosted_kernels += 1;
            uncosted_nodes += k.nodes.len();
            for &n in &k.nodes {
                let node = graph.node(n);
                let out = node.output(0).and_then(|t| graph.tensor(t).elements()).unwrap_or(0);
                let c = node_cost(graph, node);
                coverage.uncosted_flops_estimate =
                    coverage.uncosted_flops_estimate.saturating_add(if c.flops > 0 { c.flops } else { out });
            }
        }
    }
    for node in &graph.nodes {
        if let Role::Unsupported(name) = crate::kernel::role_of(graph, node) {
            coverage.unsupported_nodes += 1;
            *coverage.unsupported_ops.entry(name).or_default() += 1;
        }
        if node.outputs.iter().any(|&o| graph.tensor(o).known_shape().is_none()) {
            coverage.unknown_shape_nodes += 1;
        }
    }
    if coverage.nodes > 0 {
        coverage.uncosted_node_share = uncosted_nodes as f64 / coverage.nodes as f64;
    }
    let costed_flops: u64 = kernels.iter().filter(|k| k.is_costed()).map(|k| k.features.flops).sum();
    let all = costed_flops.saturating_add(coverage.uncosted_flops_estimate);
    if all > 0 {
        coverage.uncosted_flops_share = coverage.uncosted_flops_estimate as f64 / all as f64;
    }
    let inputs = graph
        .inputs
        .iter()
        .map(|&t| {
            let t = graph.tensor(t);
            InputSummary { name: t.name.clone(), dtype: t.dtype, shape: t.known_shape().unwrap_or_default() }
        })
        .collect();
    Ok(Analysis {
        schema: SCHEMA.to_string(),
        model: graph.name.clone(),
        format: graph.format.clone(),
        backend: rules.backend.clone(),
        inputs,
        kernels,
        totals,
        coverage,
    })
}
