//! Subgraph 0 → [`Graph`]: tensors, graph inputs and outputs, operators and fused activations.

use super::ops::{self, OpCtx};
use super::schema::{self, BuiltinOperator};
use super::tensor::{self, Role};
use super::{Budget, MAX_OPS, MAX_TENSORS};
use crate::error::{ErrorKind, Result, format_err};
use crate::ir::{Graph, Layout, Node, Op, SourceFormat, Tensor, TensorId};
use flatbuffers::Vector;
use std::collections::HashSet;

/// Build the graph of subgraph 0 of a verified model.
pub(super) fn assemble(model: &schema::Model<'_>, file: &[u8], name: &str, budget: &Budget) -> Result<Graph> {
    let subgraph = model
        .subgraphs()
        .filter(|s| !s.is_empty())
        .map(|s| s.get(0))
        .ok_or_else(|| ErrorKind::Format("the model has no subgraph".into()))?;
    let tensors = subgraph.tensors();
    let n_tensors = tensors.map_or(0, |t| t.len());
    if n_tensors > MAX_TENSORS {
        return Err(ErrorKind::Limit(format!("{n_tensors} tensors (at most {MAX_TENSORS})")).into());
    }
    let operators = subgraph.operators();
    let n_ops = operators.map_or(0, |o| o.len());
    if n_ops > MAX_OPS {
        return Err(ErrorKind::Limit(format!("{n_ops} operators (at most {MAX_OPS})")).into());
    }

    let mut graph = Graph::new(name, SourceFormat::Tflite { version: model.version() }, Layout::Nhwc);
    graph.inputs = graph_ends(subgraph.inputs(), n_tensors, "input")?;
    graph.outputs = graph_ends(subgraph.outputs(), n_tensors, "output")?;
    let mut seen = HashSet::new();
    graph.inputs.retain(|t| seen.insert(*t));

    let mut names = Names::default();
    let mut variables = Vec::new();
    for (i, t) in tensors.iter().flatten().enumerate() {
        let unique = names.unique(t.name().unwrap_or(""), i);
        let role = if seen.contains(&TensorId(i)) { Role::Input } else { Role::Other };
        if t.is_variable() {
            variables.push(TensorId(i));
        }
        graph.add_tensor(tensor::convert(&t, unique, role, model.buffers(), file, budget)?);
    }

    let codes = model.operator_codes();
    let mut produced = vec![false; n_tensors];
    for (k, op) in operators.iter().flatten().enumerate() {
        let code = codes
            .and_then(|c| usize::try_from(op.opcode_index()).ok().filter(|&i| i < c.len()).map(|i| c.get(i)))
            .ok_or_else(|| {
                format_err(
                    &format!("op #{k}"),
                    format!(
                        "opcode index {} is out of range (the model has {} operator codes)",
                        op.opcode_index(),
                        codes.map_or(0, |c| c.len())
                    ),
                )
            })?;
        let (builtin, source_op) = operator_name(&code);
        let label = format!("op #{k} {source_op}");
        let inputs = indices(op.inputs(), n_tensors, true, &label, "input")?;
        let outputs: Vec<TensorId> =
            indices(op.outputs(), n_tensors, false, &label, "output")?.into_iter().flatten().collect();
        for (j, o) in outputs.iter().enumerate() {
            // Checked here, not only by `Graph::validate`, so that no tensor name is copied into
            // more than one node name.
            if std::mem::replace(&mut produced[o.0], true) {
                return Err(format_err(
                    &label,
                    format!("output {j} (tensor #{}) is written by an earlier operator too", o.0),
                ));
            }
        }
        let lowered = {
            let ctx = OpCtx {
                op,
                code: builtin,
                label: &label,
                inputs: &inputs,
                outputs: &outputs,
                graph: &graph,
                budget,
            };
            ops::lower(&ctx, &source_op)?
        };
        emit(&mut graph, &mut names, &label, source_op, lowered, outputs, k)?;
    }

    add_variable_inputs(&mut graph, &variables);
    graph.validate()?;
    Ok(graph)
}

/// The operator's builtin code (the larger of the two fields, as the schema says) and its TFLite
/// name: `CONV_2D`, `custom:<custom_code>`, or `BUILTIN_<n>` for a code newer than the schema.
fn operator_name(code: &schema::OperatorCode<'_>) -> (BuiltinOperator, String) {
    let builtin = BuiltinOperator(i32::from(code.deprecated_builtin_code()).max(code.builtin_code().0));
    let name = if builtin == BuiltinOperator::CUSTOM {
        format!("custom:{}", code.custom_code().unwrap_or(""))
    } else {
        builtin.variant_name().map_or_else(|| format!("BUILTIN_{}", builtin.0), str::to_string)
    };
    (builtin, name)
}

/// Subgraph inputs or outputs as tensor ids.
fn graph_ends(list: Option<Vector<'_, i32>>, n_tensors: usize, what: &str) -> Result<Vec<TensorId>> {
    list.iter()
        .flatten()
        .enumerate()
        .map(|(k, i)| {
            usize::try_from(i).ok().filter(|&i| i < n_tensors).map(TensorId).ok_or_else(|| {
                ErrorKind::Format(format!(
                    "subgraph {what} #{k} refers to tensor {i}, but there are {n_tensors} tensors"
                ))
                .into()
            })
        })
        .collect()
}

/// An operator's tensor indices: `-1` is an omitted optional input (`None`), allowed for inputs only.
fn indices(
    list: Option<Vector<'_, i32>>,
    n_tensors: usize,
    optional: bool,
    label: &str,
    what: &str,
) -> Result<Vec<Option<TensorId>>> {
    list.iter()
        .flatten()
        .enumerate()
        .map(|(k, i)| match usize::try_from(i) {
            Ok(i) if i < n_tensors => Ok(Some(TensorId(i))),
            Err(_) if i == -1 && optional => Ok(None),
            _ => Err(format_err(
                label,
                format!("{what} {k} refers to tensor {i}, but the subgraph has {n_tensors} tensors"),
            )),
        })
        .collect()
}

/// Add the node of one operator, and the implied node of its fused activation.
fn emit(
    graph: &mut Graph,
    names: &mut Names,
    label: &str,
    source_op: String,
    lowered: ops::Lowered,
    mut outputs: Vec<TensorId>,
    k: usize,
) -> Result<()> {
    let first = outputs.first().and_then(|o| graph.tensors.get(o.0));
    let name = first.map_or_else(|| format!("op_{k}"), |t| t.name.clone());
    let act = ops::fused_activation(lowered.act)
        .map_err(|v| format_err(label, format!("unknown fused activation function {v}")))?;
    let Some((unary, act_name)) = act else {
        graph.add_node(Node {
            name,
            op: lowered.op,
            source_op,
            inputs: lowered.inputs,
            outputs,
            implied: false,
        });
        return Ok(());
    };
    let (Some(out), Some(out_tensor)) = (outputs.first().copied(), first) else {
        return Err(format_err(label, "has a fused activation but no output"));
    };
    let pre_name = names.unique(&format!("{}:pre_act", out_tensor.name), graph.tensors.len());
    let pre = graph.add_tensor(Tensor::activation(pre_name, out_tensor.dtype, None));
    outputs[0] = pre;
    graph.add_node(Node {
        name: name.clone(),
        op: lowered.op,
        source_op,
        inputs: lowered.inputs,
        outputs,
        implied: false,
    });
    graph.add_node(Node {
        name: format!("{name}:act"),
        op: Op::Unary(unary),
        source_op: act_name.to_string(),
        inputs: vec![Some(pre)],
        outputs: vec![out],
        implied: true,
    });
    Ok(())
}

/// Variable tensors that operators read but nothing writes are state the model reads on each run:
/// list them as graph inputs so that every edge has a source.
fn add_variable_inputs(graph: &mut Graph, variables: &[TensorId]) {
    if variables.is_empty() {
        return;
    }
    let produced: HashSet<TensorId> = graph.nodes.iter().flat_map(|n| n.outputs.iter().copied()).collect();
    let read: HashSet<TensorId> = graph.nodes.iter().flat_map(|n| n.present_inputs()).collect();
    let mut listed: HashSet<TensorId> = graph.inputs.iter().copied().collect();
    for &v in variables {
        if read.contains(&v) && !produced.contains(&v) && listed.insert(v) {
            graph.inputs.push(v);
        }
    }
}

/// Tensor names handed out so far.
#[derive(Default)]
struct Names(HashSet<String>);

impl Names {
    /// `base`, or `base#index` (repeated as needed) when `base` is empty or taken.
    fn unique(&mut self, base: &str, index: usize) -> String {
        let mut name = base.to_string();
        if name.is_empty() || self.0.contains(&name) {
            let suffix = format!("#{index}");
            name.push_str(&suffix);
            while self.0.contains(&name) {
                name.push_str(&suffix);
            }
        }
        self.0.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn unique_names() {
        let mut n = Names::default();
        assert_eq!(n.unique("a", 0), "a");
        assert_eq!(n.unique("a", 1), "a#1");
        assert_eq!(n.unique("", 2), "#2");
        assert_eq!(n.unique("a#1", 3), "a#1#3");
        assert_eq!(n.unique("b", 4), "b");
    }
}
