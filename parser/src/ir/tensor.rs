//! Tensors: element type, shape and (for constants) a value.

use super::DType;
use serde::{Deserialize, Serialize};

/// Index of a tensor in [`crate::ir::Graph::tensors`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TensorId(pub usize);

/// One dimension of a shape: a number, or a name that the user must set (`--input-shape`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Dim {
    /// A known extent.
    Known(u64),
    /// A symbolic or unknown extent (`"batch"`, `"?"`).
    Symbolic(String),
}

impl Dim {
    /// The extent if known.
    pub fn known(&self) -> Option<u64> {
        match self {
            Dim::Known(v) => Some(*v),
            Dim::Symbolic(_) => None,
        }
    }
}

impl std::fmt::Display for Dim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dim::Known(v) => write!(f, "{v}"),
            Dim::Symbolic(s) => write!(f, "{s}"),
        }
    }
}

/// The value of a constant tensor, as far as einf needs it.
///
/// Integer tensors (shapes, axes, pads) and small float tensors (scalars such as Clip bounds, the
/// `3` and `6` of hard-swish) are decoded; large weights are not, only their shape and type are kept,
/// which is all that costing needs and keeps parsing fast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ConstValue {
    /// Integer (or boolean) elements, row-major.
    Ints(Vec<i64>),
    /// Floating-point elements, row-major.
    Floats(Vec<f64>),
    /// A constant whose elements were not decoded (weights).
    Opaque,
}

/// Integer constants up to this many elements are decoded.
pub const MAX_DECODED_INTS: usize = 1 << 16;
/// Float constants up to this many elements are decoded.
pub const MAX_DECODED_FLOATS: usize = 64;

/// A tensor of the graph: an activation, a weight or a folded constant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tensor {
    /// Name in the source file (unique within the graph).
    pub name: String,
    /// Element type.
    pub dtype: DType,
    /// Shape, `None` while the rank is unknown (before shape inference).
    pub shape: Option<Vec<Dim>>,
    /// Set for constants: weights, initializers, folded shape computations.
    pub value: Option<ConstValue>,
}

impl Tensor {
    /// A non-constant tensor with a possibly unknown shape.
    pub fn activation(name: impl Into<String>, dtype: DType, shape: Option<Vec<Dim>>) -> Self {
        Tensor { name: name.into(), dtype, shape, value: None }
    }

    /// A constant tensor with a known shape.
    pub fn constant(name: impl Into<String>, dtype: DType, shape: &[u64], value: ConstValue) -> Self {
        Tensor {
            name: name.into(),
            dtype,
            shape: Some(shape.iter().map(|&d| Dim::Known(d)).collect()),
            value: Some(value),
        }
    }

    /// Whether this tensor holds a constant.
    pub fn is_const(&self) -> bool {
        self.value.is_some()
    }

    /// The shape if every dimension is known.
    pub fn known_shape(&self) -> Option<Vec<u64>> {
        self.shape.as_ref()?.iter().map(Dim::known).collect()
    }

    /// Number of elements if the shape is known (saturating; absurd shapes are refused earlier).
    pub fn elements(&self) -> Option<u64> {
        Some(self.known_shape()?.iter().fold(1u64, |a, &d| a.saturating_mul(d)))
    }

    /// Decoded integer values, if this is a decoded integer constant.
    pub fn ints(&self) -> Option<&[i64]> {
        match &self.value {
            Some(ConstValue::Ints(v)) => Some(v),
            _ => None,
        }
    }

    /// Decoded values as floats (integers converted), if decoded.
    pub fn floats(&self) -> Option<Vec<f64>> {
        match &self.value {
            Some(ConstValue::Floats(v)) => Some(v.clone()),
            Some(ConstValue::Ints(v)) => Some(v.iter().map(|&x| x as f64).collect()),
            _ => None,
        }
    }

    /// The single value of a decoded scalar (or one-element) constant.
    pub fn scalar(&self) -> Option<f64> {
        let v = self.floats()?;
        if v.len() == 1 { v.first().copied() } else { None }
    }
}
