//! `SparseTensorProto` (sparse initializers, `sparse_value` of Constant) → a dense constant.
//!
//! Small decodable tensors are densified (zeros, then the listed values); others keep only their
//! shape and type.

use super::data::Data;
use super::proto::SparseTensorProto;
use super::tensor::{Decoded, decodable, decode, shape_of, tensor_err};
use crate::error::Result;
use crate::ir::ConstValue;

/// The name of a sparse tensor (that of its `values`).
pub(crate) fn name_of(sp: &SparseTensorProto) -> &str {
    sp.values.as_ref().map_or("", |v| v.name())
}

/// Decode a sparse tensor into a dense constant named `name`.
pub(crate) fn decode_sparse(sp: &SparseTensorProto, name: &str, data: &Data<'_>) -> Result<Decoded> {
    let values = sp.values.as_ref().ok_or_else(|| tensor_err(name, "sparse tensor without values"))?;
    let (shape, elements) = shape_of(&sp.dims, name)?;
    let vals = decode(values, name, data)?;
    let dtype = vals.dtype;
    let opaque = Decoded { dtype, shape: shape.clone(), value: ConstValue::Opaque };
    if !decodable(dtype, elements) || !data.take(elements) {
        return Ok(opaque);
    }
    let Some(indices) = sp.indices.as_ref() else {
        return Err(tensor_err(name, "sparse tensor without indices"));
    };
    let idx = decode(indices, &format!("{name} (indices)"), data)?;
    let (Some(nnz), ConstValue::Ints(idx)) = (value_len(&vals.value), &idx.value) else {
        return Ok(opaque);
    };
    let rank = shape.len().max(1);
    let linear: Vec<u64> = if idx.len() == nnz {
        idx.iter().map(|&i| u64::try_from(i).unwrap_or(u64::MAX)).collect()
    } else if idx.len() == nnz.saturating_mul(rank) {
        idx.chunks_exact(rank)
            .map(|coord| {
                coord.iter().zip(&shape).try_fold(0u64, |acc, (&c, &d)| {
                    let c = u64::try_from(c).ok().filter(|&c| c < d)?;
                    acc.checked_mul(d)?.checked_add(c)
                })
            })
            .map(|o| o.unwrap_or(u64::MAX))
            .collect()
    } else {
        return Err(tensor_err(
            name,
            format!("{} sparse indices for {nnz} values of a rank-{rank} tensor", idx.len()),
        ));
    };
    if let Some(bad) = linear.iter().find(|&&i| i >= elements) {
        return Err(tensor_err(name, format!("sparse index {bad} out of range for {elements} elements")));
    }
    let n = usize::try_from(elements).unwrap_or(0);
    let value = match vals.value {
        ConstValue::Ints(v) => ConstValue::Ints(scatter(n, &linear, &v, 0)),
        ConstValue::Floats(v) => ConstValue::Floats(scatter(n, &linear, &v, 0.0)),
        ConstValue::Opaque => ConstValue::Opaque,
    };
    Ok(Decoded { dtype, shape, value })
}

fn value_len(v: &ConstValue) -> Option<usize> {
    match v {
        ConstValue::Ints(v) => Some(v.len()),
        ConstValue::Floats(v) => Some(v.len()),
        ConstValue::Opaque => None,
    }
}

fn scatter<T: Copy>(n: usize, at: &[u64], values: &[T], zero: T) -> Vec<T> {
    let mut dense = vec![zero; n];
    for (&i, &v) in at.iter().zip(values) {
        if let Some(slot) = usize::try_from(i).ok().and_then(|i| dense.get_mut(i)) {
            *slot = v;
        }
    }
    dense
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onnx::proto::{TensorProto, tensor_proto::DataType};

    #[test]
    fn densifies_linear_and_coordinate_indices() {
        let values = TensorProto {
            name: Some("s".into()),
            dims: vec![2],
            data_type: Some(DataType::Int64 as i32),
            int64_data: vec![5, 7],
            ..Default::default()
        };
        let idx = |dims: Vec<i64>, v: Vec<i64>| TensorProto {
            dims,
            data_type: Some(DataType::Int64 as i32),
            int64_data: v,
            ..Default::default()
        };
        let linear = SparseTensorProto {
            values: Some(values.clone()),
            indices: Some(idx(vec![2], vec![1, 4])),
            dims: vec![2, 3],
        };
        let coords = SparseTensorProto {
            values: Some(values),
            indices: Some(idx(vec![2, 2], vec![0, 1, 1, 1])),
            dims: vec![2, 3],
        };
        let want = ConstValue::Ints(vec![0, 5, 0, 0, 7, 0]);
        let data = Data::new(None, 0);
        assert_eq!(decode_sparse(&linear, "s", &data).unwrap().value, want);
        assert_eq!(decode_sparse(&coords, "s", &data).unwrap().value, want);
        let bad = SparseTensorProto { dims: vec![2], ..linear };
        assert!(decode_sparse(&bad, "s", &data).is_err());
        // Densifying more than the budget leaves the tensor opaque.
        let huge = SparseTensorProto { dims: vec![1 << 16, 1 << 5], ..coords };
        assert_eq!(decode_sparse(&huge, "s", &Data::new(None, 0)).unwrap().value, ConstValue::Opaque);
    }
}
