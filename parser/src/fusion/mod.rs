//! Fusion: split a shape-inferred graph into the kernels a backend executes.
//!
//! A pass over the graph alone ([`fuse`]): templates first (squeeze-excite, hard swish, channel
//! shuffle), then greedy pairwise fusion in topological order driven by the backend's
//! [`Rules`]. Every node lands in exactly one kernel; kernels never overlap.

mod rules;
mod templates;

pub use rules::{Rules, Template};

use crate::error::Result;
use crate::ir::{Graph, NodeId};
use crate::kernel::{GraphIndex, Kernel, KernelKind, Role, build_kernel, role_of};

struct Group {
    /// Nodes, in the order they joined (topological).
    nodes: Vec<NodeId>,
    /// Kind tokens: a node's role, or a whole template's role.
    tokens: Vec<Role>,
    /// The node whose output continues the chain.
    last: NodeId,
}

/// What pairwise fusion places next: one node, or a matched template as a whole.
struct Unit {
    nodes: Vec<NodeId>,
    token: Role,
    last: NodeId,
}

/// Split `graph` (after [`crate::shape::infer`]) into kernels with `rules`, in execution order.
///
/// A unit (a node, or a matched template) joins the group that produces its input when that
/// group's last node has one output, the output is not a graph output, every consumer of it is in
/// the unit, and the rules fuse the group's last token with the unit's token (identities always
/// join: they do not run).
pub fn fuse(graph: &Graph, rules: &Rules) -> Result<Vec<Kernel>> {
    let order = graph.topo_order()?;
    let index = GraphIndex::new(graph);
    let roles: Vec<Role> = graph.nodes.iter().map(|n| role_of(graph, n)).collect();
    let mut position = vec![0usize; graph.nodes.len()];
    for (i, n) in order.iter().enumerate() {
        position[n.0] = i;
    }

    // Templates first; each becomes a unit placed at its first node.
    let mut taken = vec![false; graph.nodes.len()];
    let mut template_at: Vec<Option<Unit>> = (0..graph.nodes.len()).map(|_| None).collect();
    for &t in &rules.templates {
        for mut m in templates::match_all(graph, &index, &roles, &order, &mut taken, t) {
            m.nodes.sort_by_key(|n| position[n.0]);
            let (Some(&first), Some(&last)) = (m.nodes.first(), m.nodes.last()) else { continue };
            template_at[first.0] = Some(Unit { nodes: m.nodes, token: m.role, last });
        }
    }

    let mut group_of: Vec<Option<usize>> = vec![None; graph.nodes.len()];
    let mut groups: Vec<Group> = Vec::new();
    for &n in &order {
        let unit = match template_at[n.0].take() {
            Some(u) => u,
            None if taken[n.0] => continue,
            None => Unit { nodes: vec![n], token: roles[n.0].clone(), last: n },
        };
        let target = unit.nodes.iter().flat_map(|&m| graph.node(m).present_inputs()).find_map(|t| {
            let p = index.producers.get(t.0).copied().flatten()?;
            let g = group_of[p.0]?;
            let group = &groups[g];
            let consumers = index.consumers.get(t.0)?;
            let private = !consumers.is_empty()
                && consumers.iter().all(|c| unit.nodes.contains(c))
                && !index.is_output.get(t.0).copied().unwrap_or(false)
                && graph.node(p).outputs.len() == 1;
            let allowed = unit.token == Role::Identity || rules.fuses(group.tokens.last()?, &unit.token);
            (group.last == p && private && allowed).then_some(g)
        });
        let g = match target {
            Some(g) => g,
            None => {
                groups.push(Group { nodes: Vec::new(), tokens: Vec::new(), last: unit.last });
                groups.len() - 1
            }
        };
        for &m in &unit.nodes {
            group_of[m.0] = Some(g);
        }
        let group = &mut groups[g];
        group.nodes.extend(&unit.nodes);
        if unit.token != Role::Identity || group.tokens.is_empty() {
            group.tokens.push(unit.token);
        }
        group.last = unit.last;
    }

    // Kernels in execution order: by the position of their first node.
    for g in &mut groups {
        g.nodes.sort_by_key(|n| position[n.0]);
    }
    groups.sort_by_key(|g| g.nodes.first().map(|n| position[n.0]).unwrap_or(usize::MAX));
    Ok(groups
        .into_iter()
        .map(|g| build_kernel(graph, &index, g.nodes, KernelKind::from_roles(&g.tokens)))
        .collect())
}
