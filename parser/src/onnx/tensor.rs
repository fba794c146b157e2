//! `TensorProto` → element type, shape and [`ConstValue`].
//!
//! Integer tensors up to [`MAX_DECODED_INTS`] elements and float tensors up to
//! [`MAX_DECODED_FLOATS`] elements are decoded, from the typed fields or from little-endian
//! `raw_data` (or external data); larger ones become [`ConstValue::Opaque`] without their bytes
//! being read. A tensor that declares dims but carries no data at all (weight-stripped files) is
//! `Opaque` too; data whose length contradicts the shape is a format error naming the tensor.

use super::data::Data;
use super::external;
use super::names::printable;
use super::proto::TensorProto;
use super::proto::tensor_proto::{DataLocation, DataType};
use crate::error::{Error, ErrorKind, Result};
use crate::ir::{ConstValue, DType, MAX_DECODED_FLOATS, MAX_DECODED_INTS};

/// A decoded constant: element type, shape and value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decoded {
    /// Element type.
    pub dtype: DType,
    /// Shape (all extents known).
    pub shape: Vec<u64>,
    /// Value (decoded or opaque).
    pub value: ConstValue,
}

/// A format error about a tensor (no node; the caller adds it when there is one).
pub(crate) fn tensor_err(name: &str, msg: impl std::fmt::Display) -> Error {
    ErrorKind::Format(printable(&format!("tensor '{name}': {msg}")).into_owned()).into()
}

/// einf's element type for an ONNX `TensorProto.DataType` value.
pub(crate) fn dtype_of(data_type: i32) -> DType {
    match DataType::try_from(data_type) {
        Ok(DataType::Float) => DType::F32,
        Ok(DataType::Float16) => DType::F16,
        Ok(DataType::Bfloat16) => DType::Bf16,
        Ok(DataType::Double) => DType::F64,
        Ok(DataType::Int4) => DType::I4,
        Ok(DataType::Int8) => DType::I8,
        Ok(DataType::Uint8) => DType::U8,
        Ok(DataType::Int16) => DType::I16,
        Ok(DataType::Uint16) => DType::U16,
        Ok(DataType::Int32) => DType::I32,
        Ok(DataType::Uint32) => DType::U32,
        Ok(DataType::Int64) => DType::I64,
        Ok(DataType::Uint64) => DType::U64,
        Ok(DataType::Bool) => DType::Bool,
        Ok(DataType::Complex64) => DType::C64,
        Ok(DataType::Complex128) => DType::C128,
        Ok(DataType::String) => DType::String,
        _ => DType::Unknown,
    }
}

/// Storage bits of one element as ONNX packs it in `raw_data` (also for types einf does not
/// name, so that their data length can still be checked); `None` for strings and unknown types.
fn storage_bits(data_type: i32) -> Option<u64> {
    use DataType as T;
    Some(match DataType::try_from(data_type).ok()? {
        T::Uint2 | T::Int2 => 2,
        T::Uint4 | T::Int4 | T::Float4e2m1 => 4,
        T::Float6e2m3 | T::Float6e3m2 => 6,
        T::Int8 | T::Uint8 | T::Bool => 8,
        T::Float8e4m3fn | T::Float8e4m3fnuz | T::Float8e5m2 | T::Float8e5m2fnuz | T::Float8e8m0 => 8,
        T::Int16 | T::Uint16 | T::Float16 | T::Bfloat16 => 16,
        T::Float | T::Int32 | T::Uint32 => 32,
        T::Double | T::Int64 | T::Uint64 | T::Complex64 => 64,
        T::Complex128 => 128,
        T::String | T::Undefined => return None,
    })
}

/// Elements of one `int32_data` entry for this type (two 4-bit values share one entry, ...).
fn per_int32_entry(data_type: i32) -> u64 {
    match storage_bits(data_type) {
        Some(2) => 4,
        Some(4) => 2,
        _ => 1,
    }
}

/// The shape of a tensor from its dims: a negative extent is a format error, an element count
/// beyond u64 a limit error.
pub(crate) fn shape_of(dims: &[i64], name: &str) -> Result<(Vec<u64>, u64)> {
    let mut shape = Vec::with_capacity(dims.len());
    let mut elements: u64 = 1;
    for &d in dims {
        let d =
            u64::try_from(d).map_err(|_| tensor_err(name, format!("negative dimension {d} in {dims:?}")))?;
        elements = elements.checked_mul(d).ok_or_else(|| {
            Error::from(ErrorKind::Limit(format!("tensor '{name}' has more than 2^64 elements")))
        })?;
        shape.push(d);
    }
    Ok((shape, elements))
}

/// Whether einf decodes the values of a tensor of this type and size.
pub(crate) fn decodable(dtype: DType, elements: u64) -> bool {
    let n = usize::try_from(elements).unwrap_or(usize::MAX);
    (dtype.is_integer() && n <= MAX_DECODED_INTS) || (dtype.is_float() && n <= MAX_DECODED_FLOATS)
}

/// Bytes of `elements` elements of this ONNX type in `raw_data` (`None`: not computable).
fn raw_len(data_type: i32, elements: u64) -> Option<u64> {
    elements.checked_mul(storage_bits(data_type)?).map(|b| b.div_ceil(8))
}

/// Decode a tensor (its data checked, its values decoded when small enough and within the
/// budget of `data`).
pub(crate) fn decode(t: &TensorProto, name: &str, data: &Data<'_>) -> Result<Decoded> {
    let (shape, elements) = shape_of(&t.dims, name)?;
    let data_type = t.data_type();
    let dtype = dtype_of(data_type);
    // Lengths are checked first; the budget is only taken for data that is there.
    let want = || decodable(dtype, elements) && data.take(elements);
    let expected = raw_len(data_type, elements);
    let value = if t.data_location == Some(DataLocation::External as i32) {
        match external::read(t, name, data, expected, &want)? {
            Some(bytes) => from_raw(dtype, &bytes, elements),
            None => ConstValue::Opaque,
        }
    } else if let Some(raw) = t.raw_data.as_deref().filter(|r| !r.is_empty()) {
        if let Some(e) = expected
            && raw.len() as u64 != e
        {
            return Err(tensor_err(
                name,
                format!(
                    "raw_data has {} bytes, shape {shape:?} of {} needs {e}",
                    raw.len(),
                    dtype_name(data_type)
                ),
            ));
        }
        if want() { from_raw(dtype, raw, elements) } else { ConstValue::Opaque }
    } else {
        from_typed(t, name, dtype, elements, &want)?
    };
    Ok(Decoded { dtype, shape, value })
}

fn dtype_name(data_type: i32) -> String {
    DataType::try_from(data_type)
        .map_or_else(|_| format!("data type {data_type}"), |d| d.as_str_name().to_string())
}

/// Decode from the typed repeated fields. No data at all (a weight-stripped file) → `Opaque`.
fn from_typed(
    t: &TensorProto,
    name: &str,
    dtype: DType,
    elements: u64,
    want: &dyn Fn() -> bool,
) -> Result<ConstValue> {
    use DataType as T;
    let data_type = t.data_type();
    let (field, len, per_entry): (&str, usize, u64) = match DataType::try_from(data_type) {
        Ok(T::Float) => ("float_data", t.float_data.len(), 1),
        Ok(T::Complex64) => ("float_data", t.float_data.len(), 1),
        Ok(T::Double | T::Complex128) => ("double_data", t.double_data.len(), 1),
        Ok(T::Int64) => ("int64_data", t.int64_data.len(), 1),
        Ok(T::Uint32 | T::Uint64) => ("uint64_data", t.uint64_data.len(), 1),
        Ok(T::String) => ("string_data", t.string_data.len(), 1),
        Ok(T::Undefined) | Err(_) => return Ok(ConstValue::Opaque),
        Ok(_) => ("int32_data", t.int32_data.len(), per_int32_entry(data_type)),
    };
    let others = t.float_data.len()
        + t.double_data.len()
        + t.int64_data.len()
        + t.uint64_data.len()
        + t.string_data.len()
        + t.int32_data.len()
        - len;
    if others > 0 {
        return Err(tensor_err(name, format!("{} data is not in {field}", dtype_name(data_type))));
    }
    if len == 0 {
        return Ok(if elements == 0 { empty(dtype) } else { ConstValue::Opaque });
    }
    // Complex numbers take two entries per element.
    let entries = if matches!(dtype, DType::C64 | DType::C128) {
        elements.saturating_mul(2)
    } else {
        elements.div_ceil(per_entry)
    };
    if len as u64 != entries {
        return Err(tensor_err(name, format!("{field} has {len} entries, shape needs {entries}")));
    }
    if !want() {
        return Ok(ConstValue::Opaque);
    }
    let n = usize::try_from(elements).unwrap_or(usize::MAX);
    Ok(match dtype {
        DType::F32 => ConstValue::Floats(t.float_data.iter().map(|&f| f64::from(f)).collect()),
        DType::F64 => ConstValue::Floats(t.double_data.clone()),
        DType::F16 => ConstValue::Floats(t.int32_data.iter().map(|&b| f16_to_f64(b as u16)).collect()),
        DType::Bf16 => ConstValue::Floats(t.int32_data.iter().map(|&b| bf16_to_f64(b as u16)).collect()),
        DType::I64 => ConstValue::Ints(t.int64_data.clone()),
        DType::U32 | DType::U64 => match t.uint64_data.iter().map(|&v| i64::try_from(v)).collect() {
            Ok(v) => ConstValue::Ints(v),
            Err(_) => ConstValue::Opaque,
        },
        DType::I4 => {
            let bytes: Vec<u8> = t.int32_data.iter().map(|&v| v as u8).collect();
            ConstValue::Ints(unpack_i4(&bytes, n))
        }
        _ if dtype.is_integer() => ConstValue::Ints(t.int32_data.iter().map(|&v| i64::from(v)).collect()),
        _ => ConstValue::Opaque,
    })
}

fn empty(dtype: DType) -> ConstValue {
    if dtype.is_integer() {
        ConstValue::Ints(Vec::new())
    } else if dtype.is_float() {
        ConstValue::Floats(Vec::new())
    } else {
        ConstValue::Opaque
    }
}

/// Little-endian fixed-width elements of `raw`.
fn le<const N: usize>(raw: &[u8]) -> impl Iterator<Item = [u8; N]> + '_ {
    raw.chunks_exact(N).filter_map(|c| <[u8; N]>::try_from(c).ok())
}

/// Decode little-endian raw bytes whose length has been checked against the shape.
pub(crate) fn from_raw(dtype: DType, raw: &[u8], elements: u64) -> ConstValue {
    let n = usize::try_from(elements).unwrap_or(usize::MAX);
    let ints = |v: Vec<i64>| ConstValue::Ints(v);
    let floats = |v: Vec<f64>| ConstValue::Floats(v);
    match dtype {
        DType::F32 => floats(le::<4>(raw).map(|b| f64::from(f32::from_le_bytes(b))).collect()),
        DType::F64 => floats(le::<8>(raw).map(f64::from_le_bytes).collect()),
        DType::F16 => floats(le::<2>(raw).map(|b| f16_to_f64(u16::from_le_bytes(b))).collect()),
        DType::Bf16 => floats(le::<2>(raw).map(|b| bf16_to_f64(u16::from_le_bytes(b))).collect()),
        DType::I8 => ints(raw.iter().map(|&b| i64::from(b as i8)).collect()),
        DType::U8 | DType::Bool => ints(raw.iter().map(|&b| i64::from(b)).collect()),
        DType::I16 => ints(le::<2>(raw).map(|b| i64::from(i16::from_le_bytes(b))).collect()),
        DType::U16 => ints(le::<2>(raw).map(|b| i64::from(u16::from_le_bytes(b))).collect()),
        DType::I32 => ints(le::<4>(raw).map(|b| i64::from(i32::from_le_bytes(b))).collect()),
        DType::U32 => ints(le::<4>(raw).map(|b| i64::from(u32::from_le_bytes(b))).collect()),
        DType::I64 => ints(le::<8>(raw).map(i64::from_le_bytes).collect()),
        DType::U64 => match le::<8>(raw).map(|b| i64::try_from(u64::from_le_bytes(b))).collect() {
            Ok(v) => ints(v),
            Err(_) => ConstValue::Opaque,
        },
        DType::I4 => ints(unpack_i4(raw, n)),
        DType::C64 | DType::C128 | DType::String | DType::Unknown => ConstValue::Opaque,
    }
}

/// Signed 4-bit values packed two per byte, low nibble first.
fn unpack_i4(bytes: &[u8], n: usize) -> Vec<i64> {
    bytes
        .iter()
        .flat_map(|&b| [b & 0x0f, b >> 4])
        .take(n)
        .map(|nib| i64::from(((nib << 4) as i8) >> 4))
        .collect()
}

/// IEEE 754 half precision → f64.
pub(crate) fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((bits >> 10) & 0x1f);
    let frac = f64::from(bits & 0x03ff);
    let mag = match exp {
        0 => frac * 2f64.powi(-24),
        31 if frac == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (1.0 + frac / 1024.0) * 2f64.powi(exp - 15),
    };
    sign * mag
}

/// bfloat16 → f64 (the upper half of an f32).
pub(crate) fn bf16_to_f64(bits: u16) -> f64 {
    f64::from(f32::from_bits(u32::from(bits) << 16))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(t: &TensorProto, name: &str, _: Option<()>) -> Result<Decoded> {
        super::decode(t, name, &Data::new(None, 1 << 20))
    }

    fn tensor(dt: DataType, dims: &[i64]) -> TensorProto {
        TensorProto {
            dims: dims.to_vec(),
            data_type: Some(dt as i32),
            name: Some("t".into()),
            ..Default::default()
        }
    }

    #[test]
    fn half_precision() {
        assert_eq!(f16_to_f64(0x3c00), 1.0);
        assert_eq!(f16_to_f64(0xc000), -2.0);
        assert_eq!(f16_to_f64(0x3555), 0.333251953125);
        assert_eq!(f16_to_f64(0x7bff), 65504.0);
        assert_eq!(f16_to_f64(0x0001), 2f64.powi(-24));
        assert_eq!(f16_to_f64(0x7c00), f64::INFINITY);
        assert!(f16_to_f64(0x7e00).is_nan());
        assert_eq!(bf16_to_f64(0x3f80), 1.0);
        assert_eq!(bf16_to_f64(0xc0a0), -5.0);
    }

    #[test]
    fn typed_and_raw_agree() {
        let mut a = tensor(DataType::Int64, &[3]);
        a.int64_data = vec![1, -2, 3];
        let mut b = tensor(DataType::Int64, &[3]);
        b.raw_data = Some([1i64, -2, 3].iter().flat_map(|v| v.to_le_bytes()).collect());
        assert_eq!(decode(&a, "a", None).unwrap(), decode(&b, "b", None).unwrap());
        assert_eq!(decode(&a, "a", None).unwrap().value, ConstValue::Ints(vec![1, -2, 3]));
    }

    #[test]
    fn int4_packing() {
        let mut t = tensor(DataType::Int4, &[3]);
        t.raw_data = Some(vec![0xf7, 0x08]);
        assert_eq!(decode(&t, "t", None).unwrap().value, ConstValue::Ints(vec![7, -1, -8]));
        let mut t = tensor(DataType::Int4, &[3]);
        t.int32_data = vec![0xf7, 0x08];
        assert_eq!(decode(&t, "t", None).unwrap().value, ConstValue::Ints(vec![7, -1, -8]));
    }

    #[test]
    fn bad_lengths_and_dims_are_errors() {
        let mut t = tensor(DataType::Float, &[2]);
        t.raw_data = Some(vec![0; 7]);
        assert!(decode(&t, "t", None).unwrap_err().to_string().contains("'t'"));
        let mut t = tensor(DataType::Float, &[2]);
        t.float_data = vec![1.0];
        assert!(decode(&t, "t", None).is_err());
        let t = tensor(DataType::Float, &[2, -1]);
        assert!(matches!(decode(&t, "t", None).unwrap_err().kind, ErrorKind::Format(_)));
        let t = tensor(DataType::Float, &[i64::MAX, i64::MAX]);
        assert!(matches!(decode(&t, "t", None).unwrap_err().kind, ErrorKind::Limit(_)));
        let mut t = tensor(DataType::Float, &[2]);
        t.int64_data = vec![1, 2];
        assert!(decode(&t, "t", None).is_err());
    }

    #[test]
    fn budget_limits_decoding() {
        let mut t = tensor(DataType::Int64, &[1000]);
        t.int64_data = vec![1; 1000];
        let data = Data::new(None, 0);
        let mut decoded = 0;
        while super::decode(&t, "t", &data).unwrap().value != ConstValue::Opaque {
            decoded += 1;
        }
        assert_eq!(decoded, (1 << 20) / 1000);
    }

    #[test]
    fn large_or_dataless_tensors_are_opaque() {
        let t = tensor(DataType::Float, &[64, 3, 7, 7]);
        let d = decode(&t, "w", None).unwrap();
        assert_eq!((d.dtype, d.shape, d.value), (DType::F32, vec![64, 3, 7, 7], ConstValue::Opaque));
        let mut t = tensor(DataType::Float, &[65]);
        t.raw_data = Some(vec![0; 65 * 4]);
        assert_eq!(decode(&t, "w", None).unwrap().value, ConstValue::Opaque);
        let mut t = tensor(DataType::Float, &[64]);
        t.raw_data = Some(vec![0; 64 * 4]);
        assert_eq!(decode(&t, "w", None).unwrap().value, ConstValue::Floats(vec![0.0; 64]));
        let t = tensor(DataType::Int64, &[0]);
        assert_eq!(decode(&t, "e", None).unwrap().value, ConstValue::Ints(vec![]));
    }
}
