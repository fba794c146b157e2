//! Cutting and joining: SLICE, STRIDED_SLICE, SPLIT, SPLIT_V, CONCATENATION, GATHER,
//! EMBEDDING_LOOKUP.

use super::{Lowered, OpCtx};
use crate::error::Result;
use crate::ir::Op;
use crate::tflite::schema::BuiltinOperator as B;

/// The slicing family.
pub(super) fn lower(ctx: &OpCtx<'_, '_>) -> Option<Result<Lowered>> {
    Some(match ctx.code {
        B::SLICE => slice(ctx),
        B::STRIDED_SLICE => strided_slice(ctx),
        B::SPLIT => split(ctx),
        B::SPLIT_V => split_v(ctx),
        B::CONCATENATION => concat(ctx),
        B::GATHER => gather(ctx),
        // ids, params → params[ids] along axis 0.
        B::EMBEDDING_LOOKUP => ctx.required(0).and_then(|ids| {
            Ok(Lowered::with_inputs(Op::Gather { axis: 0 }, vec![Some(ctx.required(1)?), Some(ids)]))
        }),
        _ => return None,
    })
}

/// SLICE: X, begin, size (`-1` = to the end), starts and sizes from the constants.
fn slice(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    ctx.required(0)?;
    ctx.required(1)?;
    ctx.required(2)?;
    let starts = ctx.const_ints(1);
    let axes = starts.as_ref().map(|s| (0..s.len() as i64).collect());
    let op = Op::Slice { starts, ends: ctx.const_ints(2), axes, steps: None, sizes_not_ends: true };
    Ok(Lowered::new(ctx, op))
}

/// STRIDED_SLICE: X, begin, end, strides → einf inputs X, begin, end, (no axes), strides. Without
/// ellipsis / new-axis / shrink masks it is a plain slice over the leading axes: a `begin_mask` bit
/// becomes start 0 (`i64::MAX` for a negative stride), an `end_mask` bit end `i64::MAX`
/// (`i64::MIN` for a negative stride). The other masks change the rank and stay unsupported.
fn strided_slice(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    let x = ctx.required(0)?;
    let (begin, end, strides) = (ctx.required(1)?, ctx.required(2)?, ctx.required(3)?);
    let o = ctx.op.builtin_options_as_strided_slice_options();
    let mask = |f: fn(&crate::tflite::schema::StridedSliceOptions<'_>) -> i32| o.as_ref().map_or(0, f);
    let (begin_mask, end_mask) = (mask(|o| o.begin_mask()), mask(|o| o.end_mask()));
    let rank_changing: Vec<&str> = [
        ("ellipsis_mask", mask(|o| o.ellipsis_mask())),
        ("new_axis_mask", mask(|o| o.new_axis_mask())),
        ("shrink_axis_mask", mask(|o| o.shrink_axis_mask())),
    ]
    .into_iter()
    .filter(|&(_, m)| m != 0)
    .map(|(n, _)| n)
    .collect();
    if !rank_changing.is_empty() {
        return Ok(Lowered::unsupported(ctx, format!("STRIDED_SLICE with {}", rank_changing.join(" and "))));
    }
    let inputs = vec![Some(x), Some(begin), Some(end), None, Some(strides)];
    let consts = (ctx.const_ints(1), ctx.const_ints(2), ctx.const_ints(3));
    let op = match consts {
        (Some(b), Some(e), Some(s)) => {
            if b.len() != e.len() || b.len() != s.len() {
                return Err(ctx.err(format!(
                    "begin, end and strides have {}, {} and {} values",
                    b.len(),
                    e.len(),
                    s.len()
                )));
            }
            if s.contains(&0) {
                return Err(ctx.err(format!("strides {s:?} contain 0")));
            }
            let bit = |m: i32, i: usize| i < 32 && (m >> i) & 1 == 1;
            let starts = (0..b.len()).map(|i| match (bit(begin_mask, i), s[i] > 0) {
                (true, true) => 0,
                (true, false) => i64::MAX,
                (false, _) => b[i],
            });
            let ends = (0..e.len()).map(|i| match (bit(end_mask, i), s[i] > 0) {
                (true, true) => i64::MAX,
                (true, false) => i64::MIN,
                (false, _) => e[i],
            });
            Op::Slice {
                starts: Some(starts.collect()),
                ends: Some(ends.collect()),
                axes: Some((0..b.len() as i64).collect()),
                steps: Some(s),
                sizes_not_ends: false,
            }
        }
        (b, e, s) if begin_mask == 0 && end_mask == 0 => {
            Op::Slice { starts: b, ends: e, axes: None, steps: s, sizes_not_ends: false }
        }
        _ => return Ok(Lowered::unsupported(ctx, "STRIDED_SLICE with masks on non-constant bounds")),
    };
    Ok(Lowered::with_inputs(op, inputs))
}

/// SPLIT: axis, X → X, in as many equal parts as there are outputs.
fn split(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    ctx.required(0)?;
    let x = ctx.required(1)?;
    Ok(match ctx.const_int(0) {
        Some(axis) => Lowered::with_inputs(Op::Split { axis, split: None }, vec![Some(x)]),
        None => Lowered::unsupported(ctx, "SPLIT with a non-constant axis"),
    })
}

/// SPLIT_V: X, size_splits (one may be `-1`: the rest), axis → X, size_splits.
fn split_v(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    let x = ctx.required(0)?;
    let sizes = ctx.required(1)?;
    ctx.required(2)?;
    Ok(match ctx.const_int(2) {
        Some(axis) => {
            Lowered::with_inputs(Op::Split { axis, split: ctx.const_ints(1) }, vec![Some(x), Some(sizes)])
        }
        None => Lowered::unsupported(ctx, "SPLIT_V with a non-constant axis"),
    })
}

/// CONCATENATION along `axis` (default 0), with a fused activation.
fn concat(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    ctx.required(0)?;
    let o = ctx.op.builtin_options_as_concatenation_options();
    let op = Op::Concat { axis: o.map_or(0, |o| i64::from(o.axis())) };
    Ok(Lowered::new(ctx, op).act(o.map(|o| o.fused_activation_function()).unwrap_or_default()))
}

/// GATHER: params, indices along `axis`; batched gathers are not einf's Gather.
fn gather(ctx: &OpCtx<'_, '_>) -> Result<Lowered> {
    ctx.required(0)?;
    ctx.required(1)?;
    let o = ctx.op.builtin_options_as_gather_options();
    if o.is_some_and(|o| o.batch_dims() != 0) {
        return Ok(Lowered::unsupported(ctx, "GATHER with batch_dims"));
    }
    Ok(Lowered::new(ctx, Op::Gather { axis: o.map_or(0, |o| i64::from(o.axis())) }))
}
