//! TFLite tensors: element types, shapes and constant buffers → [`crate::ir::Tensor`].
//!
//! A tensor whose buffer holds bytes is a constant. Small integer tensors (≤ [`MAX_DECODED_INTS`]
//! elements) and small float tensors (≤ [`MAX_DECODED_FLOATS`]) are decoded little-endian; larger
//! ones stay [`ConstValue::Opaque`]. Every constant's byte length is checked against its shape and
//! element type. Models over 2 GB keep buffers outside the flatbuffer (`Buffer.offset/size`,
//! relative to the start of the file); those ranges are checked against the file length.

use super::{Budget, schema};
use crate::error::{ErrorKind, Result};
use crate::ir::{ConstValue, DType, Dim, MAX_DECODED_FLOATS, MAX_DECODED_INTS, Tensor};
use flatbuffers::{ForwardsUOffset, Vector};

/// The `buffers` vector of a model.
pub(crate) type Buffers<'a> = Vector<'a, ForwardsUOffset<schema::Buffer<'a>>>;

/// einf's element type for a TFLite `TensorType` (resource and variant handles are `Unknown`).
pub(crate) fn dtype(t: schema::TensorType) -> DType {
    match t {
        schema::TensorType::FLOAT32 => DType::F32,
        schema::TensorType::FLOAT16 => DType::F16,
        schema::TensorType::FLOAT64 => DType::F64,
        schema::TensorType::INT4 => DType::I4,
        schema::TensorType::INT8 => DType::I8,
        schema::TensorType::UINT8 => DType::U8,
        schema::TensorType::INT16 => DType::I16,
        schema::TensorType::UINT16 => DType::U16,
        schema::TensorType::INT32 => DType::I32,
        schema::TensorType::UINT32 => DType::U32,
        schema::TensorType::INT64 => DType::I64,
        schema::TensorType::UINT64 => DType::U64,
        schema::TensorType::BOOL => DType::Bool,
        schema::TensorType::COMPLEX64 => DType::C64,
        schema::TensorType::COMPLEX128 => DType::C128,
        schema::TensorType::STRING => DType::String,
        _ => DType::Unknown,
    }
}

/// How the subgraph uses a tensor, which decides where its shape comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// A graph input: `shape`, with `?` where both `shape` and `shape_signature` lack the extent.
    Input,
    /// Anything else: the file's `shape` as stored (shape inference recomputes it).
    Other,
}

/// Convert one tensor of the subgraph. `name` is its already uniquified graph name; `file` is
/// the whole model file (external buffers are addressed from its start).
pub(crate) fn convert(
    t: &schema::Tensor<'_>,
    name: String,
    role: Role,
    buffers: Option<Buffers<'_>>,
    file: &[u8],
    budget: &Budget,
) -> Result<Tensor> {
    let dt = dtype(t.type_());
    let file_shape: Option<Vec<i32>> = t.shape().map(|s| s.iter().collect());
    let data = if t.is_variable() { None } else { buffer_bytes(t.buffer(), buffers, file, &name)? };

    if let Some(bytes) = data {
        let dims = constant_dims(file_shape.as_deref().unwrap_or(&[]), &name)?;
        let value = if t.sparsity().is_some() {
            // Sparse constants store compressed values, not `shape` elements: nothing to check.
            ConstValue::Opaque
        } else {
            decode(bytes, dt, &dims, &name, budget)?
        };
        return Ok(Tensor::constant(name, dt, &dims, value));
    }

    let shape = match role {
        Role::Input => input_shape(file_shape.as_deref(), t.shape_signature().map(|s| s.iter().collect())),
        Role::Other => match file_shape {
            // An empty shape without `has_rank` means "rank unknown" for activations.
            Some(s) if s.is_empty() && !t.has_rank() => None,
            Some(s) => Some(s.iter().map(|&d| file_dim(d)).collect()),
            None => None,
        },
    };
    Ok(Tensor::activation(name, dt, shape))
}

/// One stored extent: a negative one is dynamic.
fn file_dim(d: i32) -> Dim {
    u64::try_from(d).map_or_else(|_| Dim::Symbolic("?".into()), Dim::Known)
}

/// Shape of a graph input: `shape` is normally concrete; a dim becomes `?` only when `shape` lacks
/// it (negative, or `shape` absent/shorter) and `shape_signature` marks it dynamic (or says nothing).
fn input_shape(shape: Option<&[i32]>, signature: Option<Vec<i32>>) -> Option<Vec<Dim>> {
    let rank = match (shape, signature.as_deref()) {
        (Some([]), Some(sig)) => sig.len(),
        (Some(s), _) => s.len(),
        (None, Some(sig)) => sig.len(),
        (None, None) => return None,
    };
    let dims = (0..rank)
        .map(|i| match shape.and_then(|s| s.get(i)).copied().and_then(|d| u64::try_from(d).ok()) {
            Some(d) => Dim::Known(d),
            None => match signature.as_deref().and_then(|s| s.get(i)).copied().map(u64::try_from) {
                Some(Ok(d)) => Dim::Known(d),
                _ => Dim::Symbolic("?".into()),
            },
        })
        .collect();
    Some(dims)
}

/// A constant's shape must be concrete.
fn constant_dims(shape: &[i32], name: &str) -> Result<Vec<u64>> {
    shape
        .iter()
        .map(|&d| {
            u64::try_from(d).map_err(|_| {
                ErrorKind::Format(format!(
                    "constant tensor '{name}' has a negative dimension in shape {shape:?}"
                ))
                .into()
            })
        })
        .collect()
}

/// The bytes of buffer `index`, `None` when it is empty (activations point at such buffers).
fn buffer_bytes<'f>(
    index: u32,
    buffers: Option<Buffers<'f>>,
    file: &'f [u8],
    name: &str,
) -> Result<Option<&'f [u8]>> {
    let count = buffers.map_or(0, |b| b.len());
    let Some(buffer) =
        usize::try_from(index).ok().filter(|&i| i < count).and_then(|i| buffers.map(|b| b.get(i)))
    else {
        // Buffer 0 is the conventional empty buffer; a model may leave the vector out entirely.
        if index == 0 {
            return Ok(None);
        }
        return Err(ErrorKind::Format(format!(
            "tensor '{name}' uses buffer {index} but the model has {count} buffers"
        ))
        .into());
    };
    if let Some(data) = buffer.data().filter(|d| !d.is_empty()) {
        return Ok(Some(data.bytes()));
    }
    let (offset, size) = external_range(&buffer);
    if offset > 1 && size > 0 {
        let range = usize::try_from(offset)
            .ok()
            .zip(usize::try_from(size).ok())
            .and_then(|(o, s)| Some(o..o.checked_add(s)?))
            .and_then(|r| file.get(r));
        return match range {
            Some(bytes) => Ok(Some(bytes)),
            None => {
                let len = file.len();
                let range = format!("offset {offset}, size {size}, file {len} bytes");
                Err(ErrorKind::Format(format!(
                    "tensor '{name}': buffer {index} lies outside the file ({range})"
                ))
                .into())
            }
        };
    }
    Ok(None)
}

/// `Buffer.offset` and `Buffer.size` (fields 1 and 2, u64, added to the schema for models over
/// 2 GB). Read from the table's vtable by hand, with bounds checks, so this works whether or not
/// the generated code knows the fields; the verifier does not check fields it does not know.
fn external_range(buffer: &schema::Buffer<'_>) -> (u64, u64) {
    const VT_OFFSET: u16 = 6;
    const VT_SIZE: u16 = 8;
    let table = &buffer._tab;
    let field = |slot: u16| -> u64 {
        let at = usize::from(table.vtable().get(slot));
        if at == 0 {
            return 0;
        }
        table
            .loc()
            .checked_add(at)
            .and_then(|start| table.buf().get(start..start.checked_add(8)?))
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(0, u64::from_le_bytes)
    };
    (field(VT_OFFSET), field(VT_SIZE))
}

/// Check the byte length against shape × element type and decode small tensors.
fn decode(bytes: &[u8], dt: DType, dims: &[u64], name: &str, budget: &Budget) -> Result<ConstValue> {
    let elements = dims
        .iter()
        .try_fold(1u64, |a, &d| a.checked_mul(d))
        .ok_or_else(|| ErrorKind::Limit(format!("constant tensor '{name}' has an absurd shape {dims:?}")))?;
    if dt.bits() == 0 {
        // Strings are variable-length; resource/variant handles have no element size.
        return Ok(ConstValue::Opaque);
    }
    // Saturates for absurd shapes, which then cannot match any real buffer.
    let expected = dt.bytes(elements);
    if u64::try_from(bytes.len()).ok() != Some(expected) {
        return Err(ErrorKind::Format(format!(
            "constant tensor '{name}': buffer has {} bytes but shape {dims:?} of {dt} needs {expected}",
            bytes.len()
        ))
        .into());
    }
    let n = usize::try_from(elements).unwrap_or(usize::MAX);
    if dt.is_integer() && n <= MAX_DECODED_INTS && budget.take(n) {
        return Ok(decode_ints(bytes, dt, n).map_or(ConstValue::Opaque, ConstValue::Ints));
    }
    if dt.is_float() && n <= MAX_DECODED_FLOATS && budget.take(n) {
        return Ok(decode_floats(bytes, dt).map_or(ConstValue::Opaque, ConstValue::Floats));
    }
    Ok(ConstValue::Opaque)
}

/// Little-endian integers (`None` for a u64 beyond i64 or an unexpected type).
fn decode_ints(bytes: &[u8], dt: DType, n: usize) -> Option<Vec<i64>> {
    fn le<const N: usize>(c: &[u8]) -> Option<[u8; N]> {
        <[u8; N]>::try_from(c).ok()
    }
    match dt {
        DType::I4 => Some(
            bytes
                .iter()
                // Two per byte, low nibble first; sign-extend each nibble.
                .flat_map(|&b| [i64::from(((b << 4) as i8) >> 4), i64::from((b as i8) >> 4)])
                .take(n)
                .collect(),
        ),
        DType::I8 => Some(bytes.iter().map(|&b| i64::from(b as i8)).collect()),
        DType::U8 => Some(bytes.iter().map(|&b| i64::from(b)).collect()),
        DType::Bool => Some(bytes.iter().map(|&b| i64::from(b != 0)).collect()),
        DType::I16 => {
            bytes.chunks_exact(2).map(|c| le(c).map(|a| i64::from(i16::from_le_bytes(a)))).collect()
        }
        DType::U16 => {
            bytes.chunks_exact(2).map(|c| le(c).map(|a| i64::from(u16::from_le_bytes(a)))).collect()
        }
        DType::I32 => {
            bytes.chunks_exact(4).map(|c| le(c).map(|a| i64::from(i32::from_le_bytes(a)))).collect()
        }
        DType::U32 => {
            bytes.chunks_exact(4).map(|c| le(c).map(|a| i64::from(u32::from_le_bytes(a)))).collect()
        }
        DType::I64 => bytes.chunks_exact(8).map(|c| le(c).map(i64::from_le_bytes)).collect(),
        DType::U64 => bytes
            .chunks_exact(8)
            .map(|c| le(c).and_then(|a| i64::try_from(u64::from_le_bytes(a)).ok()))
            .collect(),
        _ => None,
    }
}

/// Little-endian floats (f16, f32, f64) as f64.
fn decode_floats(bytes: &[u8], dt: DType) -> Option<Vec<f64>> {
    match dt {
        DType::F16 => bytes
            .chunks_exact(2)
            .map(|c| <[u8; 2]>::try_from(c).ok().map(|a| f16_to_f64(u16::from_le_bytes(a))))
            .collect(),
        DType::F32 => bytes
            .chunks_exact(4)
            .map(|c| <[u8; 4]>::try_from(c).ok().map(|a| f64::from(f32::from_le_bytes(a))))
            .collect(),
        DType::F64 => {
            bytes.chunks_exact(8).map(|c| <[u8; 8]>::try_from(c).ok().map(f64::from_le_bytes)).collect()
        }
        _ => None,
    }
}

/// IEEE 754 binary16 → f64 (exact).
fn f16_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f64::from(h & 0x3ff);
    let mag = match exp {
        0 => frac * (-24f64).exp2(),
        0x1f if frac == 0.0 => f64::INFINITY,
        0x1f => f64::NAN,
        e => (1.0 + frac / 1024.0) * f64::from(e - 15).exp2(),
    };
    sign * mag
}

#[cfg(test)]
mod tests {
    use super::*;

    fn big_budget() -> Budget {
        Budget::for_file(1 << 20)
    }

    #[test]
    fn budget_runs_out() {
        let budget = Budget::for_file(0);
        let ints = vec![0u8; MAX_DECODED_INTS];
        let mut decoded = 0;
        while decode(&ints, DType::U8, &[MAX_DECODED_INTS as u64], "t", &budget).ok()
            != Some(ConstValue::Opaque)
        {
            decoded += 1;
        }
        // 1 Mi elements of budget: 16 tensors of 64 Ki.
        assert_eq!(decoded, 16);
    }

    #[test]
    fn f16_values() {
        assert_eq!(f16_to_f64(0x3c00), 1.0);
        assert_eq!(f16_to_f64(0xc000), -2.0);
        assert_eq!(f16_to_f64(0x7bff), 65504.0);
        assert_eq!(f16_to_f64(0x0001), 2f64.powi(-24));
        assert_eq!(f16_to_f64(0x3555), 0.333_251_953_125);
        assert!(f16_to_f64(0x7c00).is_infinite());
        assert!(f16_to_f64(0x7e00).is_nan());
    }

    #[test]
    fn ints_little_endian() {
        assert_eq!(decode_ints(&[0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0], DType::I32, 2), Some(vec![-1, 2]));
        assert_eq!(decode_ints(&[0x7f, 0x80], DType::I8, 2), Some(vec![127, -128]));
        assert_eq!(decode_ints(&[0x7f, 0x80], DType::U8, 2), Some(vec![127, 128]));
        // int4: low nibble first, sign-extended; an odd count ignores the last high nibble.
        assert_eq!(decode_ints(&[0x8f, 0x07], DType::I4, 3), Some(vec![-1, -8, 7]));
        assert_eq!(decode_ints(&[0xff; 8], DType::U64, 1), None);
    }

    #[test]
    fn length_is_checked() {
        assert!(decode(&[0; 8], DType::F32, &[2], "t", &big_budget()).is_ok());
        let err = decode(&[0; 7], DType::F32, &[2], "w0", &big_budget());
        assert!(matches!(err, Err(e) if matches!(&e.kind, ErrorKind::Format(m) if m.contains("'w0'"))));
        // int4 packs two per byte, rounded up.
        assert!(decode(&[0; 2], DType::I4, &[3], "t", &big_budget()).is_ok());
    }

    #[test]
    fn small_floats_decoded_large_opaque() {
        let one = 1f32.to_le_bytes();
        assert_eq!(
            decode(&one, DType::F32, &[], "s", &big_budget()).ok(),
            Some(ConstValue::Floats(vec![1.0]))
        );
        let big = vec![0u8; 4 * (MAX_DECODED_FLOATS + 1)];
        assert_eq!(
            decode(&big, DType::F32, &[MAX_DECODED_FLOATS as u64 + 1], "w", &big_budget()).ok(),
            Some(ConstValue::Opaque)
        );
    }

    #[test]
    fn input_dims() {
        let known = |v: &[u64]| v.iter().map(|&d| Dim::Known(d)).collect::<Vec<_>>();
        // shape concrete: the signature's -1 is ignored.
        assert_eq!(
            input_shape(Some(&[1, 224, 224, 3]), Some(vec![-1, 224, 224, 3])),
            Some(known(&[1, 224, 224, 3]))
        );
        // shape lacks the dim and the signature marks it dynamic.
        assert_eq!(
            input_shape(Some(&[-1, 8]), Some(vec![-1, 8])),
            Some(vec![Dim::Symbolic("?".into()), Dim::Known(8)])
        );
        assert_eq!(
            input_shape(Some(&[]), Some(vec![-1, 4])),
            Some(vec![Dim::Symbolic("?".into()), Dim::Known(4)])
        );
        assert_eq!(input_shape(None, None), None);
    }
}
