//! Typed access to a node's attributes; every error names the node and the attribute.

use super::names::printable;
use super::proto::attribute_proto::AttributeType;
use super::proto::{AttributeProto, NodeProto, TensorProto};
use crate::error::{Result, format_err};

/// The attributes of one node, looked up by name.
pub(crate) struct Attrs<'a> {
    node: &'a str,
    list: &'a [AttributeProto],
}

impl<'a> Attrs<'a> {
    /// The attributes of `proto`, reported under the node name `node`.
    pub(crate) fn new(node: &'a str, proto: &'a NodeProto) -> Self {
        Attrs { node, list: &proto.attribute }
    }

    /// Whether the node carries an attribute of this name.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    fn get(&self, name: &str) -> Option<&'a AttributeProto> {
        self.list.iter().find(|a| a.name() == name)
    }

    fn err(&self, name: &str, msg: impl std::fmt::Display) -> crate::Error {
        format_err(self.node, printable(&format!("attribute '{name}': {msg}")).into_owned())
    }

    /// The attribute and its type; `None` when absent.
    fn typed(&self, name: &str) -> Option<(&'a AttributeProto, AttributeType)> {
        let a = self.get(name)?;
        Some((a, kind(a)))
    }

    fn mismatch(&self, name: &str, found: AttributeType, expected: &str) -> crate::Error {
        self.err(name, format!("is {}, expected {expected}", found.as_str_name()))
    }

    /// An integer attribute.
    pub(crate) fn int(&self, name: &str) -> Result<Option<i64>> {
        match self.typed(name) {
            None => Ok(None),
            Some((a, AttributeType::Int)) => Ok(Some(a.i())),
            Some((_, t)) => Err(self.mismatch(name, t, "INT")),
        }
    }

    /// An integer attribute with a default.
    pub(crate) fn int_or(&self, name: &str, default: i64) -> Result<i64> {
        Ok(self.int(name)?.unwrap_or(default))
    }

    /// A boolean attribute stored as an integer (non-zero = true), with a default.
    pub(crate) fn flag(&self, name: &str, default: bool) -> Result<bool> {
        Ok(self.int(name)?.map_or(default, |v| v != 0))
    }

    /// A non-negative integer attribute that must be present.
    pub(crate) fn required_u64(&self, name: &str) -> Result<u64> {
        let v = self.int(name)?.ok_or_else(|| self.err(name, "is required but missing"))?;
        u64::try_from(v).map_err(|_| self.err(name, format!("must not be negative, is {v}")))
    }

    /// A float attribute (an INT attribute is accepted and converted).
    pub(crate) fn float(&self, name: &str) -> Result<Option<f64>> {
        match self.typed(name) {
            None => Ok(None),
            Some((a, AttributeType::Float)) => Ok(Some(f64::from(a.f()))),
            Some((a, AttributeType::Int)) => Ok(Some(a.i() as f64)),
            Some((_, t)) => Err(self.mismatch(name, t, "FLOAT")),
        }
    }

    /// A float attribute with a default.
    pub(crate) fn float_or(&self, name: &str, default: f64) -> Result<f64> {
        Ok(self.float(name)?.unwrap_or(default))
    }

    /// A list of integers (a single INT is accepted as a one-element list).
    pub(crate) fn ints(&self, name: &str) -> Result<Option<Vec<i64>>> {
        match self.typed(name) {
            None => Ok(None),
            Some((a, AttributeType::Ints)) => Ok(Some(a.ints.clone())),
            Some((a, AttributeType::Int)) => Ok(Some(vec![a.i()])),
            Some((_, t)) => Err(self.mismatch(name, t, "INTS")),
        }
    }

    /// A list of non-negative integers (sizes, strides, pads of a window).
    pub(crate) fn u64s(&self, name: &str) -> Result<Option<Vec<u64>>> {
        let Some(v) = self.ints(name)? else { return Ok(None) };
        v.iter()
            .map(|&x| u64::try_from(x).map_err(|_| self.err(name, format!("must not be negative, has {x}"))))
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// A list of floats (INTS are accepted and converted).
    pub(crate) fn floats(&self, name: &str) -> Result<Option<Vec<f64>>> {
        match self.typed(name) {
            None => Ok(None),
            Some((a, AttributeType::Floats)) => Ok(Some(a.floats.iter().map(|&f| f64::from(f)).collect())),
            Some((a, AttributeType::Float)) => Ok(Some(vec![f64::from(a.f())])),
            Some((a, AttributeType::Ints)) => Ok(Some(a.ints.iter().map(|&i| i as f64).collect())),
            Some((_, t)) => Err(self.mismatch(name, t, "FLOATS")),
        }
    }

    /// A UTF-8 string attribute.
    pub(crate) fn string(&self, name: &str) -> Result<Option<String>> {
        match self.typed(name) {
            None => Ok(None),
            Some((a, AttributeType::String)) => {
                String::from_utf8(a.s().to_vec()).map(Some).map_err(|_| self.err(name, "is not valid UTF-8"))
            }
            Some((_, t)) => Err(self.mismatch(name, t, "STRING")),
        }
    }

    /// A tensor attribute.
    pub(crate) fn tensor(&self, name: &str) -> Result<Option<&'a TensorProto>> {
        match self.typed(name) {
            None => Ok(None),
            Some((a, AttributeType::Tensor)) => {
                a.t.as_ref().map(Some).ok_or_else(|| self.err(name, "is TENSOR but holds no tensor"))
            }
            Some((_, t)) => Err(self.mismatch(name, t, "TENSOR")),
        }
    }

    /// The attribute's raw proto, for kinds without a typed accessor (sparse tensors, strings).
    pub(crate) fn raw(&self, name: &str) -> Option<(&'a AttributeProto, AttributeType)> {
        self.typed(name)
    }
}

/// The attribute's type: the declared one, or (IR 0.0.1 files, which have no type field) the
/// field that is set.
fn kind(a: &AttributeProto) -> AttributeType {
    match a.r#type.and_then(|t| AttributeType::try_from(t).ok()) {
        Some(t) if t != AttributeType::Undefined => t,
        _ => {
            if a.f.is_some() {
                AttributeType::Float
            } else if a.i.is_some() {
                AttributeType::Int
            } else if a.s.is_some() {
                AttributeType::String
            } else if a.t.is_some() {
                AttributeType::Tensor
            } else if a.g.is_some() {
                AttributeType::Graph
            } else if a.sparse_tensor.is_some() {
                AttributeType::SparseTensor
            } else if !a.floats.is_empty() {
                AttributeType::Floats
            } else if !a.ints.is_empty() {
                AttributeType::Ints
            } else if !a.strings.is_empty() {
                AttributeType::Strings
            } else if !a.tensors.is_empty() {
                AttributeType::Tensors
            } else if !a.graphs.is_empty() {
                AttributeType::Graphs
            } else {
                AttributeType::Undefined
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(attrs: Vec<AttributeProto>) -> NodeProto {
        NodeProto { attribute: attrs, ..Default::default() }
    }

    fn ints(name: &str, v: &[i64]) -> AttributeProto {
        AttributeProto {
            name: Some(name.into()),
            r#type: Some(AttributeType::Ints as i32),
            ints: v.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn typed_access_and_errors_name_node_and_attribute() {
        let n = node(vec![
            ints("strides", &[2, -1]),
            AttributeProto { name: Some("alpha".into()), f: Some(0.5), ..Default::default() },
        ]);
        let a = Attrs::new("conv7", &n);
        assert_eq!(a.ints("strides").unwrap(), Some(vec![2, -1]));
        assert_eq!(a.float("alpha").unwrap(), Some(0.5));
        assert_eq!(a.int("missing").unwrap(), None);
        let e = a.u64s("strides").unwrap_err();
        assert_eq!(e.node.as_deref(), Some("conv7"));
        assert!(e.to_string().contains("strides"), "{e}");
        let e = a.int("alpha").unwrap_err();
        assert!(e.to_string().contains("'alpha'") && e.to_string().contains("FLOAT"), "{e}");
        assert!(a.required_u64("size").is_err());
    }
}
