//! Constant (its value becomes the output tensor's value) and ConstantOfShape.

use super::{Family, NodeCtx};
use crate::error::Result;
use crate::ir::{ConstValue, DType, MAX_DECODED_FLOATS, MAX_DECODED_INTS, Op};
use crate::onnx::proto::attribute_proto::AttributeType;
use crate::onnx::sparse::decode_sparse;
use crate::onnx::tensor::{Decoded, decode};

/// Op types of this family.
pub(super) const OPS: Family = &[("Constant", constant), ("ConstantOfShape", constant_of_shape)];

/// The value attributes of Constant (exactly one must be present).
const VALUE_ATTRS: [&str; 8] = [
    "value",
    "value_float",
    "value_floats",
    "value_int",
    "value_ints",
    "value_string",
    "value_strings",
    "sparse_value",
];

fn constant(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    let present: Vec<&str> = VALUE_ATTRS.iter().copied().filter(|a| ctx.attrs.has(a)).collect();
    let [attr] = present.as_slice() else {
        return Err(ctx.err(format!("needs exactly one value attribute, has {present:?}")));
    };
    let out = ctx.outputs.first().map_or("", String::as_str);
    let a = &ctx.attrs;
    let decoded = match *attr {
        "value" => match a.tensor("value")? {
            Some(t) => decode(t, out, ctx.data)?,
            None => return Err(ctx.err("attribute 'value' holds no tensor")),
        },
        "value_float" => {
            scalar(DType::F32, ConstValue::Floats(a.float("value_float")?.into_iter().collect()))
        }
        "value_int" => scalar(DType::I64, ConstValue::Ints(a.int("value_int")?.into_iter().collect())),
        "value_floats" => {
            let v = a.floats("value_floats")?.unwrap_or_default();
            let n = v.len();
            list(
                DType::F32,
                n,
                if n <= MAX_DECODED_FLOATS { ConstValue::Floats(v) } else { ConstValue::Opaque },
            )
        }
        "value_ints" => {
            let v = a.ints("value_ints")?.unwrap_or_default();
            let n = v.len();
            list(DType::I64, n, if n <= MAX_DECODED_INTS { ConstValue::Ints(v) } else { ConstValue::Opaque })
        }
        "value_string" => scalar(DType::String, ConstValue::Opaque),
        "value_strings" => {
            let n = a.raw("value_strings").map_or(0, |(p, _)| p.strings.len());
            list(DType::String, n, ConstValue::Opaque)
        }
        _ => match a.raw("sparse_value") {
            Some((p, AttributeType::SparseTensor)) => match &p.sparse_tensor {
                Some(sp) => decode_sparse(sp, out, ctx.data)?,
                None => return Err(ctx.err("attribute 'sparse_value' holds no tensor")),
            },
            _ => return Err(ctx.err("attribute 'sparse_value' is not a SPARSE_TENSOR")),
        },
    };
    ctx.constant = Some(decoded);
    Ok(Op::Constant)
}

fn scalar(dtype: DType, value: ConstValue) -> Decoded {
    Decoded { dtype, shape: Vec::new(), value }
}

fn list(dtype: DType, n: usize, value: ConstValue) -> Decoded {
    Decoded { dtype, shape: vec![n as u64], value }
}

/// The fill value is a one-element tensor attribute; without it, 0.0 of type f32.
fn constant_of_shape(ctx: &mut NodeCtx<'_, '_>) -> Result<Op> {
    let Some(t) = ctx.attrs.tensor("value")? else {
        return Ok(Op::ConstantOfShape { value: 0.0, dtype: DType::F32 });
    };
    let d = decode(t, "value", ctx.data)?;
    let value = match &d.value {
        ConstValue::Floats(v) if v.len() == 1 => v.first().copied(),
        ConstValue::Ints(v) if v.len() == 1 => v.first().map(|&i| i as f64),
        _ => None,
    };
    let value = value.ok_or_else(|| {
        ctx.err(format!(
            "attribute 'value' must hold one decodable element, has shape {:?} of {}",
            d.shape, d.dtype
        ))
    })?;
    Ok(Op::ConstantOfShape { value, dtype: d.dtype })
}
