//! Multi-node templates matched before pairwise fusion (squeeze-excite, hard swish, channel shuffle).

use super::rules::Template;
use crate::ir::{Graph, NodeId, TensorId};
use crate::kernel::{GraphIndex, Role};

/// A matched template: its nodes in execution order and the role naming the kernel.
pub(crate) struct Match {
    pub nodes: Vec<NodeId>,
    pub role: Role,
}

struct Ctx<'a> {
    graph: &'a Graph,
    index: &'a GraphIndex,
    roles: &'a [Role],
    taken: &'a [bool],
}

impl Ctx<'_> {
    fn role(&self, n: NodeId) -> &Role {
        &self.roles[n.0]
    }

    /// Non-constant inputs of a node.
    fn dynamic_inputs(&self, n: NodeId) -> Vec<TensorId> {
        let mut v: Vec<TensorId> =
            self.graph.node(n).present_inputs().filter(|&t| !self.graph.tensor(t).is_const()).collect();
        v.dedup();
        v
    }

    /// The producer of `t` if it is free, `t` is its only output in use and `t` has exactly one
    /// consumer and is not a graph output: a node that can be swallowed into a template.
    fn private_producer(&self, t: TensorId) -> Option<NodeId> {
        let p = self.index.producers.get(t.0).copied().flatten()?;
        let single = self.index.consumers.get(t.0).is_some_and(|c| c.len() == 1);
        let is_out = self.index.is_output.get(t.0).copied().unwrap_or(false);
        (single && !is_out && !self.taken[p.0]).then_some(p)
    }

    /// Walk back from `start` through private single-input nodes whose roles satisfy `allowed`,
    /// until a node whose dynamic input is `origin` (included). Returns the chain in execution
    /// order, or `None`.
    fn chain_back_to(
        &self,
        start: TensorId,
        origin: TensorId,
        max_len: usize,
        allowed: impl Fn(&Role) -> bool,
    ) -> Option<Vec<NodeId>> {
        let mut chain = Vec::new();
        let mut t = start;
        for _ in 0..max_len {
            let p = self.private_producer(t)?;
            if !allowed(self.role(p)) {
                return None;
            }
            chain.push(p);
            match self.dynamic_inputs(p).as_slice() {
                [x] if *x == origin => {
                    chain.reverse();
                    return Some(chain);
                }
                [x] => t = *x,
                _ => return None,
            }
        }
        None
    }

    /// The two dynamic operands of a binary node, both orders.
    fn operand_pairs(&self, n: NodeId) -> Vec<(TensorId, TensorId)> {
        match self.dynamic_inputs(n).as_slice() {
            [a, b] => vec![(*a, *b), (*b, *a)],
            _ => Vec::new(),
        }
    }
}

/// Squeeze-and-excite: `x · gate(conv/fc(act(conv/fc(gap(x)))))`.
fn match_se(cx: &Ctx, n: NodeId) -> Option<Match> {
    if *cx.role(n) != Role::Mul {
        return None;
    }
    for (x, s) in cx.operand_pairs(n) {
        let allowed = |r: &Role| {
            matches!(
                r,
                Role::Gap
                    | Role::Conv
                    | Role::Fc
                    | Role::Relu
                    | Role::Clip
                    | Role::Sigmoid
                    | Role::Hsigmoid
                    | Role::Hswish
                    | Role::Swish
                    | Role::Add
                    | Role::Mul
                    | Role::Div
                    | Role::Bn
                    | Role::Reshape
            )
        };
        if let Some(mut chain) = cx.chain_back_to(s, x, 12, allowed)
            && chain.first().is_some_and(|&f| *cx.role(f) == Role::Gap)
            && chain.iter().any(|&c| matches!(cx.role(c), Role::Conv | Role::Fc))
        {
            chain.push(n);
            return Some(Match { nodes: chain, role: Role::Se });
        }
    }
    None
}

/// Hard swish written out: `x · hsigmoid(x)`, `x · relu6(x + 3) / 6` (either order of the last
/// multiply and divide).
fn match_hswish(cx: &Ctx, n: NodeId) -> Option<Match> {
    let gate_part = |r: &Role| {
        matches!(r, Role::Add | Role::Bn | Role::Relu | Role::Clip | Role::Div | Role::Mul | Role::Hsigmoid)
    };
    let has_gate = |chain: &[NodeId]| {
        chain.iter().any(|&c| matches!(cx.role(c), Role::Relu | Role::Clip | Role::Hsigmoid))
    };
    let direct = |m: NodeId| -> Option<Vec<NodeId>> {
        if *cx.role(m) != Role::Mul {
            return None;
        }
        cx.operand_pairs(m).into_iter().find_map(|(x, s)| {
            let chain = cx.chain_back_to(s, x, 4, gate_part)?;
            has_gate(&chain).then_some(chain)
        })
    };
    if let Some(mut chain) = direct(n) {
        chain.push(n);
        // x · relu6(x + 3) followed by its division (or multiplication) by a constant.
        if let Some(out) = cx.graph.node(n).output(0)
            && let Some(&d) = cx.index.consumers.get(out.0).and_then(|c| c.first())
            && cx.private_producer(out) == Some(n)
            && *cx.role(d) == Role::Bn
        {
            chain.push(d);
        }
        return Some(Match { nodes: chain, role: Role::Hswish });
    }
    None
}

/// Channel shuffle: reshape to (…, groups, channels/groups, …) → transpose → reshape back.
fn match_channel_shuffle(cx: &Ctx, n: NodeId) -> Option<Match> {
    if *cx.role(n) != Role::Transpose {
        return None;
    }
    let node = cx.graph.node(n);
    let rank = cx.graph.tensor(node.input(0)?).known_shape()?.len();
    if rank < 5 {
        return None;
    }
    let before = cx.private_producer(node.input(0)?)?;
    let out = node.output(0)?;
    let after = *cx.index.consumers.get(out.0)?.first()?;
    let single = cx.index.consumers.get(out.0).is_some_and(|c| c.len() == 1);
    if *cx.role(before) != Role::Reshape || *cx.role(after) != Role::Reshape || !single || cx.taken[after.0] {
        return None;
    }
    Some(Match { nodes: vec![before, n, after], role: Role::ChannelShuffle })
}

/// Match `template` everywhere in `order`, marking taken nodes; matches never overlap.
pub(crate) fn match_all(
    graph: &Graph,
    index: &GraphIndex,
    roles: &[Role],
    order: &[NodeId],
    taken: &mut [bool],
    template: Template,
) -> Vec<Match> {
    let mut found = Vec::new();
    for &n in order {
        if taken[n.0] {
            continue;
        }
        let cx = Ctx { graph, index, roles, taken };
        let m = match template {
            Template::Se => match_se(&cx, n),
            Template::Hswish => match_hswish(&cx, n),
            Template::ChannelShuffle => match_channel_shuffle(&cx, n),
        };
        if let Some(m) = m {
            for &x in &m.nodes {
                taken[x.0] = true;
            }
            found.push(m);
        }
    }
    found
}
