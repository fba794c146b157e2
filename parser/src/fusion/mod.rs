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
use crate::kernel::{GraphIndex, Kernel, Role, build_kernel, role_of};

struct Group {
    nodes: Vec<NodeId>,
    roles: Vec<Role>,
    template: Option<Role>,
    /// Closed groups (templates, or a last output with several consumers) absorb nothing more.
    open: bool,
}

/// Split `graph` (after [`crate::shape::infer`]) into kernels with `rules`, in execution order.
pub fn fuse(graph: &Graph, rules: &Rules) -> Result<Vec<Kernel>> {
    let order = graph.topo_order()?;
    let index = GraphIndex::new(graph);
    let roles: Vec<Role> = graph.nodes.iter().map(|n| role_of(graph, n)).collect();

    let mut taken = vec![false; graph.nodes.len()];
    let mut group_of: Vec<Option<usize>> = vec![None; graph.nodes.len()];
    let mut groups: Vec<Group> = Vec::new();
    for &t in &rules.templates {
        for m in templates::match_all(graph, &index, &roles, &order, &mut taken, t) {
            for &n in &m.nodes {
                group_of[n.0] = Some(groups.len());
            }
            let member_roles = m.nodes.iter().map(|n| roles[n.0].clone()).collect();
            groups.push(Group { nodes: m.nodes, roles: member_roles, template: Some(m.role), open: false });
        }
    }

    for &n in &order {
        if group_of[n.0].is_some() {
            continue;
        }
        let role = &roles[n.0];
        let node = graph.node(n);
        let target = node.present_inputs().find_map(|t| {
            let p = index.producers.get(t.0).copied().flatten()?;
            let g = group_of[p.0]?;
            let group = &groups[g];
            let last = *group.nodes.last()?;
            let private = index.consumers.get(t.0).is_some_and(|c| c.len() == 1)
                && !index.is_output.get(t.0).copied().unwrap_or(false)
                && graph.node(last).outputs.len() == 1;
            (group.open && last == p && private && rules.fuses(group.roles.last()?, role)).then_some(g)
        });
        match target {
            Some(g) => {
                groups[g].nodes.push(n);
                groups[g].roles.push(role.clone());
                group_of[n.0] = Some(g);
            }
            None => {
                group_of[n.0] = Some(groups.len());
                groups.push(Group { nodes: vec![n], roles: vec![role.clone()], template: None, open: true });
            }
        }
    }

    // Kernels in execution order: by the position of their first node in the topological order.
    let mut position = vec![0usize; graph.nodes.len()];
    for (i, n) in order.iter().enumerate() {
        position[n.0] = i;
    }
    let mut groups: Vec<Group> = groups.into_iter().filter(|g| !g.nodes.is_empty()).collect();
    for g in &mut groups {
        let mut paired: Vec<(NodeId, Role)> = g.nodes.iter().copied().zip(g.roles.iter().cloned()).collect();
        paired.sort_by_key(|(n, _)| position[n.0]);
        (g.nodes, g.roles) = paired.into_iter().unzip();
    }
    groups.sort_by_key(|g| g.nodes.first().map(|n| position[n.0]).unwrap_or(usize::MAX));
    Ok(groups.into_iter().map(|g| build_kernel(graph, &index, g.nodes, &g.roles, g.template)).collect())
}
