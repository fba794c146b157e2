//! A light graph for the search-space fast path: per-node facts (role, cost, configuration,
//! bytes) taken once from real graphs of small fragments, composed per candidate by index, and
//! split into kernels by the same greedy rule as `einf_parser::fusion::fuse` with the kernels'
//! features computed as `einf_parser::kernel::build_kernel` computes them.
//!
//! It covers graphs without fusion templates (squeeze-excite, written-out hard swish, channel
//! shuffle), single-output nodes and unshared weights: what NAS-Bench-201 networks are made of.
//! `tests/space_fast.rs` checks that its kernels equal the parser's for every backend.

use crate::error::{ModelsError, Result};
use einf_parser::fusion::Rules;
use einf_parser::ir::{Graph, Node, TensorId};
use einf_parser::kernel::{
    Features, Kernel, KernelConfig, KernelKind, NodeCost, Role, config_of, data_operands, node_cost, role_of,
};
use rustc_hash::FxBuildHasher;
use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

/// What a node contributes to a kernel, independent of its neighbours.
#[derive(Debug, Clone)]
pub(crate) struct NodeInfo {
    role: Role,
    cost: NodeCost,
    weight_bytes: u64,
    config: Option<KernelConfig>,
    /// Channels, height, width of a rank-4 output (the output side of a fused kernel).
    out_side: Option<(u64, u64, u64)>,
    out_bytes: u64,
    /// Whether the node can anchor a kernel's configuration.
    computes: bool,
}

/// A piece of graph with numbered inputs: node `i`'s output is local tensor `inputs + i`.
#[derive(Debug, Clone)]
pub(crate) struct Fragment {
    inputs: usize,
    /// (info, local input tensors) per node.
    nodes: Vec<(NodeInfo, Vec<usize>)>,
    /// Local tensor of the fragment's output.
    output: usize,
}

fn bytes(graph: &Graph, t: TensorId) -> u64 {
    let tensor = graph.tensor(t);
    tensor.elements().map(|e| tensor.dtype.bytes(e)).unwrap_or(0)
}

fn info(graph: &Graph, node: &Node) -> Result<NodeInfo> {
    let unsupported = |message: &str| ModelsError::Layer {
        arch: graph.name.clone(),
        layer: node.name.clone(),
        message: format!("not representable in the light graph: {message}"),
    };
    let [out] = node.outputs.as_slice() else { return Err(unsupported("more than one output")) };
    let data = data_operands(node);
    let mut weight_bytes = 0;
    let mut seen: Vec<TensorId> = Vec::new();
    for (i, t) in node.inputs.iter().enumerate() {
        if let Some(t) = *t
            && graph.tensor(t).is_const()
            && data.contains(&i)
            && !seen.contains(&t)
        {
            seen.push(t);
            weight_bytes += bytes(graph, t);
        }
    }
    let shape = graph.tensor(*out).known_shape().ok_or_else(|| unsupported("unknown output shape"))?;
    let out_side = match shape.as_slice() {
        [_, c, h, w] => Some((*c, *h, *w)),
        _ => None,
    };
    let role = role_of(graph, node);
    let computes = !matches!(role, Role::Reshape | Role::Identity | Role::Pad | Role::Convert);
    Ok(NodeInfo {
        role,
        cost: node_cost(graph, node),
        weight_bytes,
        config: config_of(graph, node),
        out_side,
        out_bytes: bytes(graph, *out),
        computes,
    })
}

impl Fragment {
    /// The nodes of `graph` (one activation input, nodes in execution order, one output) as a
    /// fragment with one input.
    pub(crate) fn from_graph(graph: &Graph) -> Result<Fragment> {
        let bad = |message: String| ModelsError::Layer {
            arch: graph.name.clone(),
            layer: "fragment".into(),
            message,
        };
        let ([input], [output]) = (graph.inputs.as_slice(), graph.outputs.as_slice()) else {
            return Err(bad("a fragment has one input and one output".into()));
        };
        let mut local: Vec<Option<usize>> = vec![None; graph.tensors.len()];
        local[input.0] = Some(0);
        let mut weight_users: Vec<u32> = vec![0; graph.tensors.len()];
        let mut nodes = Vec::with_capacity(graph.nodes.len());
        for (i, node) in graph.nodes.iter().enumerate() {
            let mut ins = Vec::new();
            let data = data_operands(node);
            for (k, t) in node.inputs.iter().enumerate() {
                let Some(t) = *t else { continue };
                if graph.tensor(t).is_const() {
                    if data.contains(&k) {
                        weight_users[t.0] += 1;
                    }
                    continue;
                }
                ins.push(
                    local[t.0].ok_or_else(|| bad(format!("node '{}' reads a later tensor", node.name)))?,
                );
            }
            let inf = info(graph, node)?;
            local[node.outputs[0].0] = Some(1 + i);
            nodes.push((inf, ins));
        }
        if weight_users.iter().any(|&u| u > 1) {
            return Err(bad("a weight is shared by two nodes".into()));
        }
        let output = local[output.0].ok_or_else(|| bad("the output is not computed".into()))?;
        Ok(Fragment { inputs: 1, nodes, output })
    }

    /// The info of the fragment's only node (for nodes composed with other inputs: `add`).
    pub(crate) fn single(&self) -> Option<&NodeInfo> {
        match self.nodes.as_slice() {
            [(i, _)] => Some(i),
            _ => None,
        }
    }
}

/// A composed light graph. Tensor 0 is the network input; tensor `1 + i` is node `i`'s output.
pub(crate) struct LiteGraph<'a> {
    nodes: Vec<(&'a NodeInfo, [u32; 2], u8)>,
    input_bytes: u64,
}

impl<'a> LiteGraph<'a> {
    /// An empty graph whose input has `input_bytes`.
    pub(crate) fn new(input_bytes: u64) -> Self {
        LiteGraph { nodes: Vec::with_capacity(192), input_bytes }
    }

    /// Add one node reading `inputs` (one or two tensors); returns its output tensor.
    pub(crate) fn node(&mut self, info: &'a NodeInfo, inputs: &[u32]) -> u32 {
        let mut ins = [0u32; 2];
        let n = inputs.len().min(2);
        ins[..n].copy_from_slice(&inputs[..n]);
        self.nodes.push((info, ins, n as u8));
        self.nodes.len() as u32
    }

    /// Append a fragment whose input is tensor `x`; returns the fragment's output tensor.
    pub(crate) fn append(&mut self, f: &'a Fragment, x: u32) -> u32 {
        let base = self.nodes.len() as u32 + 1;
        let map = |l: usize| if l < f.inputs { x } else { base + (l - f.inputs) as u32 };
        for (inf, ins) in &f.nodes {
            let mut mapped = [0u32; 2];
            let n = ins.len().min(2);
            for (m, &l) in mapped.iter_mut().zip(ins) {
                *m = map(l);
            }
            self.node(inf, &mapped[..n]);
        }
        map(f.output)
    }

    fn tensor_bytes(&self, t: u32) -> u64 {
        if t == 0 { self.input_bytes } else { self.nodes[t as usize - 1].0.out_bytes }
    }

    /// Split into kernels with `rules`, `output` being the graph output: each kernel as its id
    /// in `cache`, where kernels seen before (by any thread) are found without being rebuilt.
    /// `local` is a per-thread front of `cache`.
    pub(crate) fn kernels(
        &self,
        rules: &Rules,
        output: u32,
        cache: &KernelCache,
        local: &mut LocalCache,
    ) -> Vec<u32> {
        let n = self.nodes.len();
        // Consumers per tensor, in one array (a node reading a tensor twice is listed twice, as
        // in the parser): tensor t's are `flat[start[t]..start[t + 1]]`.
        let mut start = vec![0u32; n + 2];
        for (_, ins, k) in &self.nodes {
            for &t in &ins[..*k as usize] {
                start[t as usize + 2] += 1;
            }
        }
        for t in 2..start.len() {
            start[t] += start[t - 1];
        }
        let total: usize = self.nodes.iter().map(|(_, _, k)| *k as usize).sum();
        let mut flat = vec![0u32; total];
        for (i, (_, ins, k)) in self.nodes.iter().enumerate() {
            for &t in &ins[..*k as usize] {
                let slot = &mut start[t as usize + 1];
                flat[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
        let consumers = |t: u32| &flat[start[t as usize] as usize..start[t as usize + 1] as usize];

        // Greedy fusion in node order, as `einf_parser::fusion::fuse` does without templates.
        struct Group<'b> {
            infos: Vec<&'b NodeInfo>,
            last_token: Option<&'b Role>,
            last: u32,
            ext: Vec<u32>,
            input_bytes: u64,
            output_bytes: u64,
        }
        let mut group_of: Vec<u32> = vec![u32::MAX; n];
        let mut groups: Vec<Group<'_>> = Vec::with_capacity(n);
        for (i, (inf, ins, k)) in self.nodes.iter().enumerate() {
            let me = i as u32;
            let target = ins[..*k as usize].iter().find_map(|&t| {
                let p = t.checked_sub(1)?;
                let g = group_of[p as usize];
                let group = groups.get(g as usize)?;
                let cons = consumers(t);
                let private = !cons.is_empty() && cons.iter().all(|&c| c == me) && t != output;
                let allowed = inf.role == Role::Identity || rules.fuses(group.last_token?, &inf.role);
                (group.last == p && private && allowed).then_some(g)
            });
            let g = match target {
                Some(g) => g,
                None => {
                    groups.push(Group {
                        infos: Vec::with_capacity(4),
                        last_token: None,
                        last: me,
                        ext: Vec::new(),
                        input_bytes: 0,
                        output_bytes: 0,
                    });
                    (groups.len() - 1) as u32
                }
            };
            group_of[i] = g;
            let group = &mut groups[g as usize];
            group.infos.push(inf);
            if inf.role != Role::Identity || group.last_token.is_none() {
                group.last_token = Some(&inf.role);
            }
            group.last = me;
        }
        // Bytes crossing each kernel's boundary.
        for (i, (inf, ins, k)) in self.nodes.iter().enumerate() {
            let g = group_of[i];
            let group = &mut groups[g as usize];
            for &t in &ins[..*k as usize] {
                let inside = t > 0 && group_of[t as usize - 1] == g;
                if !inside && !group.ext.contains(&t) {
                    group.ext.push(t);
                    group.input_bytes = group.input_bytes.saturating_add(self.tensor_bytes(t));
                }
            }
            let o = i as u32 + 1;
            let cons = consumers(o);
            if o == output || cons.is_empty() || cons.iter().any(|&c| group_of[c as usize] != g) {
                group.output_bytes = group.output_bytes.saturating_add(inf.out_bytes);
            }
        }
        groups
            .into_iter()
            .map(|g| {
                let sig = Sig {
                    infos: g.infos.iter().map(|&i| std::ptr::from_ref(i) as usize).collect(),
                    input_bytes: g.input_bytes,
                    output_bytes: g.output_bytes,
                };
                if let Some(&id) = local.get(&sig) {
                    return id;
                }
                let id = cache.id(sig.clone(), || kernel(&g.infos, g.input_bytes, g.output_bytes));
                local.insert(sig, id);
                id
            })
            .collect()
    }
}

/// What determines a kernel of the light graph: its nodes' infos (by address, in order) and the
/// bytes crossing its boundary.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Sig {
    infos: Vec<usize>,
    input_bytes: u64,
    output_bytes: u64,
}

/// A per-thread map from signatures to ids of a [`KernelCache`].
pub(crate) type LocalCache = HashMap<Sig, u32, FxBuildHasher>;

/// Kernels of light graphs by signature, shared between threads. Valid for one set of
/// fragments (node info addresses) and one set of rules.
#[derive(Default)]
pub(crate) struct KernelCache {
    inner: RwLock<(HashMap<Sig, u32, FxBuildHasher>, Vec<Kernel>)>,
}

impl KernelCache {
    fn id(&self, sig: Sig, make: impl FnOnce() -> Kernel) -> u32 {
        if let Some(&id) = self.inner.read().unwrap_or_else(PoisonError::into_inner).0.get(&sig) {
            return id;
        }
        let k = make();
        let mut w = self.inner.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(&id) = w.0.get(&sig) {
            return id;
        }
        let id = w.1.len() as u32;
        w.1.push(k);
        w.0.insert(sig, id);
        id
    }

    /// The kernel with id `id`.
    pub(crate) fn get(&self, id: u32) -> Option<Kernel> {
        self.inner.read().unwrap_or_else(PoisonError::into_inner).1.get(id as usize).cloned()
    }
}

/// The kernel of a group, as `einf_parser::kernel::build_kernel` computes it.
fn kernel(infos: &[&NodeInfo], input_bytes: u64, output_bytes: u64) -> Kernel {
    let mut f = Features { input_bytes, output_bytes, ..Features::default() };
    let mut tokens: Vec<Role> = Vec::with_capacity(infos.len());
    for inf in infos {
        f.macs = f.macs.saturating_add(inf.cost.macs);
        f.flops = f.flops.saturating_add(inf.cost.flops);
        f.params = f.params.saturating_add(inf.cost.params);
        f.weight_bytes = f.weight_bytes.saturating_add(inf.weight_bytes);
        if inf.role != Role::Identity || tokens.is_empty() {
            tokens.push(inf.role.clone());
        }
    }
    let anchor = infos.iter().position(|i| i.computes).or(if infos.is_empty() { None } else { Some(0) });
    let config = anchor.and_then(|a| {
        let mut cfg = infos[a].config.clone()?;
        if a + 1 < infos.len()
            && let Some((c, h, w)) = infos.last().and_then(|l| l.out_side)
        {
            (cfg.cout, cfg.output_h, cfg.output_w) = (c, h, w);
        }
        Some(cfg)
    });
    Kernel {
        kind: KernelKind::from_roles(&tokens),
        nodes: Vec::new(),
        names: Vec::new(),
        config,
        features: f,
    }
}
