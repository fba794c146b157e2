//! Export a graph to ONNX through the parser's generated protobuf types (`einf_parser::onnx::proto`).
//!
//! Every node becomes one ONNX node (default domain, opset [`OPSET`]) with the attributes of its
//! [`Op`]; constants become initializers. Weights are either omitted (dims and type kept, no data:
//! small files that einf reads back, but that runtimes cannot run) or zero-filled (runnable, as
//! large as the real model). Small decoded constants (Clip bounds, Reshape targets, Split sizes)
//! are always written with their values.

use crate::error::{ModelsError, Result};
use einf_parser::ir::{ConstValue, DType, Graph, Node, Op, Padding, PoolKind, Tensor, UnaryOp};
use einf_parser::onnx::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto,
    TypeProto, ValueInfoProto, attribute_proto::AttributeType, tensor_shape_proto::Dimension,
    tensor_shape_proto::dimension::Value as DimValue, type_proto,
};
use prost::Message;

/// Default-domain opset of exported models (HardSwish needs 14; Split and Clip take their
/// parameters as inputs from 13 and 11).
pub const OPSET: i64 = 17;
/// ONNX IR version written (IR 8 goes with opset 17).
pub const IR_VERSION: i64 = 8;

/// What to write for the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights {
    /// Dims and type only: the file describes the network but cannot be run.
    Omitted,
    /// Zero-filled `raw_data`: runnable by ONNX runtimes.
    Zeros,
}

fn elem_type(dtype: DType) -> Option<i32> {
    Some(match dtype {
        DType::F32 => 1,
        DType::U8 => 2,
        DType::I8 => 3,
        DType::U16 => 4,
        DType::I16 => 5,
        DType::I32 => 6,
        DType::I64 => 7,
        DType::Bool => 9,
        DType::F16 => 10,
        DType::F64 => 11,
        DType::U32 => 12,
        DType::U64 => 13,
        DType::Bf16 => 16,
        _ => return None,
    })
}

struct Exporter<'a> {
    graph: &'a Graph,
}

impl Exporter<'_> {
    fn err(&self, node: &str, op: impl Into<String>) -> ModelsError {
        ModelsError::Export { arch: self.graph.name.clone(), node: node.to_string(), op: op.into() }
    }

    fn elem(&self, t: &Tensor) -> Result<i32> {
        elem_type(t.dtype).ok_or_else(|| self.err(&t.name, format!("tensor of type {}", t.dtype)))
    }

    fn initializer(&self, t: &Tensor, weights: Weights) -> Result<TensorProto> {
        let shape = t.known_shape().ok_or_else(|| self.err(&t.name, "constant of unknown shape"))?;
        let mut p = TensorProto {
            name: Some(t.name.clone()),
            dims: shape.iter().map(|&d| d as i64).collect(),
            data_type: Some(self.elem(t)?),
            ..TensorProto::default()
        };
        match (&t.value, t.dtype) {
            (Some(ConstValue::Ints(v)), DType::I64) => p.int64_data = v.clone(),
            (Some(ConstValue::Floats(v)), DType::F32) => p.float_data = v.iter().map(|&x| x as f32).collect(),
            (Some(ConstValue::Opaque), _) if weights == Weights::Zeros => {
                let elements = t.elements().unwrap_or(0);
                p.raw_data = Some(vec![0u8; t.dtype.bytes(elements) as usize]);
            }
            (Some(ConstValue::Opaque), _) => {}
            _ => return Err(self.err(&t.name, format!("constant values of type {}", t.dtype))),
        }
        Ok(p)
    }

    fn value_info(&self, t: &Tensor) -> Result<ValueInfoProto> {
        let shape = t.shape.as_ref().map(|dims| TensorShapeProto {
            dim: dims
                .iter()
                .map(|d| Dimension {
                    denotation: None,
                    value: Some(match d.known() {
                        Some(v) => DimValue::DimValue(v as i64),
                        None => DimValue::DimParam(d.to_string()),
                    }),
                })
                .collect(),
        });
        let tensor = type_proto::Tensor { elem_type: Some(self.elem(t)?), shape };
        Ok(ValueInfoProto {
            name: Some(t.name.clone()),
            r#type: Some(TypeProto { denotation: None, value: Some(type_proto::Value::TensorType(tensor)) }),
            ..ValueInfoProto::default()
        })
    }

    fn node(&self, n: &Node) -> Result<NodeProto> {
        let (op_type, attrs) = self.op(n)?;
        let name = |t: &Option<einf_parser::ir::TensorId>| match t {
            Some(id) => self.graph.tensor(*id).name.clone(),
            None => String::new(),
        };
        Ok(NodeProto {
            name: Some(n.name.clone()),
            op_type: Some(op_type.to_string()),
            input: n.inputs.iter().map(name).collect(),
            output: n.outputs.iter().map(|&o| self.graph.tensor(o).name.clone()).collect(),
            attribute: attrs,
            ..NodeProto::default()
        })
    }

    fn op(&self, n: &Node) -> Result<(&'static str, Vec<AttributeProto>)> {
        let unsupported = || self.err(&n.name, n.op.name());
        Ok(match &n.op {
            Op::Conv(a) => {
                let kernel = match &a.kernel {
                    Some(k) => k.clone(),
                    None => {
                        let w =
                            n.input(1).and_then(|t| self.graph.tensor(t).known_shape()).unwrap_or_default();
                        w.get(2..).map(<[u64]>::to_vec).unwrap_or_default()
                    }
                };
                let mut attrs =
                    vec![ints("kernel_shape", &kernel), int("group", a.groups.unwrap_or(1) as i64)];
                if !a.strides.is_empty() {
                    attrs.push(ints("strides", &a.strides));
                }
                if !a.dilations.is_empty() {
                    attrs.push(ints("dilations", &a.dilations));
                }
                attrs.push(padding(&a.padding));
                ("Conv", attrs)
            }
            Op::Pool(p) if p.global => match p.kind {
                PoolKind::Avg => ("GlobalAveragePool", vec![]),
                PoolKind::Max => ("GlobalMaxPool", vec![]),
                PoolKind::L2 => return Err(unsupported()),
            },
            Op::Pool(p) => {
                let mut attrs = vec![ints("kernel_shape", &p.kernel), padding(&p.padding)];
                if !p.strides.is_empty() {
                    attrs.push(ints("strides", &p.strides));
                }
                if p.ceil_mode {
                    attrs.push(int("ceil_mode", 1));
                }
                match p.kind {
                    PoolKind::Max => ("MaxPool", attrs),
                    PoolKind::Avg => ("AveragePool", attrs),
                    PoolKind::L2 => return Err(unsupported()),
                }
            }
            Op::Gemm { trans_a, trans_b, flatten_rows: false, .. } => {
                ("Gemm", vec![int("transA", i64::from(*trans_a)), int("transB", i64::from(*trans_b))])
            }
            Op::BatchNorm { epsilon } => ("BatchNormalization", vec![float("epsilon", *epsilon)]),
            Op::Unary(u) => match u {
                UnaryOp::Relu => ("Relu", vec![]),
                UnaryOp::Clip { min: None, max: None } => ("Clip", vec![]),
                // Bounds resolved from the inputs by shape inference: the inputs carry them.
                UnaryOp::Clip { .. } if n.inputs.len() == 3 => ("Clip", vec![]),
                UnaryOp::Sigmoid => ("Sigmoid", vec![]),
                UnaryOp::Tanh => ("Tanh", vec![]),
                UnaryOp::HardSwish => ("HardSwish", vec![]),
                UnaryOp::HardSigmoid { alpha, beta } => {
                    ("HardSigmoid", vec![float("alpha", *alpha), float("beta", *beta)])
                }
                UnaryOp::LeakyRelu { alpha } => ("LeakyRelu", vec![float("alpha", *alpha)]),
                _ => return Err(unsupported()),
            },
            Op::Binary(b) => match b {
                einf_parser::ir::BinaryOp::Add => ("Add", vec![]),
                einf_parser::ir::BinaryOp::Sub => ("Sub", vec![]),
                einf_parser::ir::BinaryOp::Mul => ("Mul", vec![]),
                einf_parser::ir::BinaryOp::Div => ("Div", vec![]),
                _ => return Err(unsupported()),
            },
            Op::Concat { axis } => ("Concat", vec![int("axis", *axis)]),
            Op::Split { axis, .. } if n.inputs.len() == 2 => ("Split", vec![int("axis", *axis)]),
            Op::Reshape { allowzero: false, .. } if n.inputs.len() == 2 => ("Reshape", vec![]),
            Op::Flatten { axis } => ("Flatten", vec![int("axis", *axis)]),
            Op::Transpose { perm: Some(p) } => ("Transpose", vec![ints_i64("perm", p)]),
            Op::Softmax { axis, log: false } => ("Softmax", vec![int("axis", *axis)]),
            Op::Identity => ("Identity", vec![]),
            _ => return Err(unsupported()),
        })
    }
}

fn attr(name: &str, kind: AttributeType) -> AttributeProto {
    AttributeProto { name: Some(name.to_string()), r#type: Some(kind as i32), ..AttributeProto::default() }
}

fn int(name: &str, v: i64) -> AttributeProto {
    AttributeProto { i: Some(v), ..attr(name, AttributeType::Int) }
}

fn float(name: &str, v: f64) -> AttributeProto {
    AttributeProto { f: Some(v as f32), ..attr(name, AttributeType::Float) }
}

fn ints(name: &str, v: &[u64]) -> AttributeProto {
    AttributeProto { ints: v.iter().map(|&x| x as i64).collect(), ..attr(name, AttributeType::Ints) }
}

fn ints_i64(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto { ints: v.to_vec(), ..attr(name, AttributeType::Ints) }
}

fn padding(p: &Padding) -> AttributeProto {
    match p {
        Padding::Explicit(pads) => ints("pads", pads),
        Padding::SameUpper => {
            AttributeProto { s: Some(b"SAME_UPPER".to_vec()), ..attr("auto_pad", AttributeType::String) }
        }
        Padding::SameLower => {
            AttributeProto { s: Some(b"SAME_LOWER".to_vec()), ..attr("auto_pad", AttributeType::String) }
        }
        Padding::Valid => {
            AttributeProto { s: Some(b"VALID".to_vec()), ..attr("auto_pad", AttributeType::String) }
        }
    }
}

/// The ONNX model of `graph`.
pub fn to_model_proto(graph: &Graph, weights: Weights) -> Result<ModelProto> {
    let ex = Exporter { graph };
    let nodes = graph.nodes.iter().map(|n| ex.node(n)).collect::<Result<Vec<_>>>()?;
    let mut used = vec![false; graph.tensors.len()];
    for n in &graph.nodes {
        for t in n.present_inputs() {
            used[t.0] = true;
        }
    }
    let initializer = graph
        .tensors
        .iter()
        .zip(&used)
        .filter(|(t, u)| **u && t.is_const())
        .map(|(t, _)| ex.initializer(t, weights))
        .collect::<Result<Vec<_>>>()?;
    let input = graph.inputs.iter().map(|&t| ex.value_info(graph.tensor(t))).collect::<Result<Vec<_>>>()?;
    let output = graph.outputs.iter().map(|&t| ex.value_info(graph.tensor(t))).collect::<Result<Vec<_>>>()?;
    let g = GraphProto {
        name: Some(graph.name.clone()),
        node: nodes,
        initializer,
        input,
        output,
        ..GraphProto::default()
    };
    Ok(ModelProto {
        ir_version: Some(IR_VERSION),
        opset_import: vec![OperatorSetIdProto { domain: Some(String::new()), version: Some(OPSET) }],
        producer_name: Some("einf-models".into()),
        producer_version: Some(env!("CARGO_PKG_VERSION").into()),
        graph: Some(g),
        ..ModelProto::default()
    })
}

/// The ONNX bytes of `graph`.
pub fn to_onnx(graph: &Graph, weights: Weights) -> Result<Vec<u8>> {
    Ok(to_model_proto(graph, weights)?.encode_to_vec())
}
