//! `ValueInfoProto` (graph inputs, outputs, value_info) → declared element type and shape.

use super::names::printable;
use super::proto::ValueInfoProto;
use super::proto::tensor_shape_proto::dimension::Value as DimValue;
use super::proto::type_proto::Value as TypeValue;
use super::tensor::dtype_of;
use crate::error::{ErrorKind, Result};
use crate::ir::{DType, Dim};

/// What the file declares about a tensor.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Declared {
    /// Element type (`Unknown` when not declared or not a tensor).
    pub dtype: DType,
    /// Shape, `None` when the rank is not declared.
    pub shape: Option<Vec<Dim>>,
}

/// The declared type of a value. A positive `dim_value` is a known extent; a `dim_param` is a
/// symbolic one named by it; a missing, zero or negative extent is the symbol `?`.
pub(crate) fn declared(v: &ValueInfoProto) -> Declared {
    let Some(TypeValue::TensorType(t)) = v.r#type.as_ref().and_then(|t| t.value.as_ref()) else {
        return Declared { dtype: DType::Unknown, shape: None };
    };
    let shape = t.shape.as_ref().map(|s| {
        s.dim
            .iter()
            .map(|d| match &d.value {
                Some(DimValue::DimValue(v)) if *v > 0 => Dim::Known(v.unsigned_abs()),
                Some(DimValue::DimParam(p)) if !p.is_empty() => Dim::Symbolic(printable(p).into_owned()),
                _ => Dim::Symbolic("?".into()),
            })
            .collect()
    });
    Declared { dtype: dtype_of(t.elem_type()), shape }
}

impl Declared {
    /// Refuse a declared shape whose known extents multiply beyond u64 (a limit error naming the
    /// tensor); such a tensor could not exist.
    pub(crate) fn check_size(&self, name: &str) -> Result<()> {
        let mut known = self.shape.iter().flatten().filter_map(Dim::known);
        if known.try_fold(1u64, u64::checked_mul).is_none() {
            let shape = self.shape.iter().flatten().map(ToString::to_string).collect::<Vec<_>>().join("x");
            let msg = format!("tensor '{name}' is declared with the absurd shape {shape}");
            return Err(ErrorKind::Limit(printable(&msg).into_owned()).into());
        }
        Ok(())
    }
}
