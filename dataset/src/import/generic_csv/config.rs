//! The kernel configuration columns of a kernel row, read into a [`KernelConfig`].

use super::header::{
    BATCH, CIN, COUT, DILATION_H, DILATION_W, DTYPE, GROUPS, INPUT_CHANNELS, INPUT_H, INPUT_W, KERNEL_H,
    KERNEL_W, OUTPUT_H, OUTPUT_W, PAD_BOTTOM, PAD_LEFT, PAD_RIGHT, PAD_TOP, STRIDE_H, STRIDE_W,
};
use super::{COLUMNS, Res};
use crate::import::error::ImportErrorKind;
use einf_parser::ir::DType;
use einf_parser::kernel::{KernelConfig, KernelKind, Role};

const DTYPES: [DType; 9] = [
    DType::F32,
    DType::F16,
    DType::Bf16,
    DType::F64,
    DType::I8,
    DType::U8,
    DType::I16,
    DType::I32,
    DType::I4,
];

/// The configuration of a kernel row of kind `kind`.
pub(super) fn config<'r>(get: &impl Fn(usize) -> &'r str, kind: &KernelKind) -> Res<KernelConfig> {
    let num = |column: usize, default: Option<u64>, min: u64| -> Res<u64> {
        let name = COLUMNS.get(column).copied().unwrap_or("");
        let t = get(column);
        let v = match (t, default) {
            ("", Some(d)) => return Ok(d),
            ("", None) => {
                return Err(ImportErrorKind::MissingField { what: "kernel row".into(), field: name.into() });
            }
            (t, _) => crate::import::common::whole(name, t)?,
        };
        if v < min {
            return Err(ImportErrorKind::BadNumber {
                column: name.into(),
                text: t.into(),
                expected: "a whole number ≥ 1",
            });
        }
        Ok(v)
    };
    let mut c = KernelConfig::neutral();
    c.batch = num(BATCH, Some(1), 1)?;
    (c.input_h, c.input_w, c.cin, c.cout) =
        (num(INPUT_H, None, 1)?, num(INPUT_W, None, 1)?, num(CIN, None, 1)?, num(COUT, None, 1)?);
    (c.kernel_h, c.kernel_w) = (num(KERNEL_H, Some(1), 1)?, num(KERNEL_W, Some(1), 1)?);
    (c.stride_h, c.stride_w) = (num(STRIDE_H, Some(1), 1)?, num(STRIDE_W, Some(1), 1)?);
    c.pads = [
        num(PAD_TOP, Some(0), 0)?,
        num(PAD_LEFT, Some(0), 0)?,
        num(PAD_BOTTOM, Some(0), 0)?,
        num(PAD_RIGHT, Some(0), 0)?,
    ];
    (c.dilation_h, c.dilation_w) = (num(DILATION_H, Some(1), 1)?, num(DILATION_W, Some(1), 1)?);
    c.groups = num(GROUPS, Some(1), 1)?;
    // `groups` is the first convolution's; in a kernel of several (a depthwise convolution fused
    // with a 1x1 one) `cout` is the last one's.
    let convs = kind
        .roles()
        .iter()
        .filter(|r| matches!(r, Role::Conv | Role::DwConv | Role::GroupConv | Role::ConvTranspose))
        .count();
    if !c.cin.is_multiple_of(c.groups) || (convs <= 1 && !c.cout.is_multiple_of(c.groups)) {
        return Err(ImportErrorKind::Invalid(format!(
            "groups {} does not divide cin {} and cout {}",
            c.groups, c.cin, c.cout
        )));
    }
    // (in + pads - dilation (kernel - 1) - 1) / stride + 1, or None when the window does not fit.
    let window = |i: u64, p0: u64, p1: u64, k: u64, d: u64, s: u64| {
        let padded = i.saturating_add(p0).saturating_add(p1);
        padded.checked_sub(d.saturating_mul(k - 1).saturating_add(1)).map(|x| x / s + 1)
    };
    let (oh, ow) = (
        window(c.input_h, c.pads[0], c.pads[2], c.kernel_h, c.dilation_h, c.stride_h),
        window(c.input_w, c.pads[1], c.pads[3], c.kernel_w, c.dilation_w, c.stride_w),
    );
    let side = |column: usize, computed: Option<u64>| -> Res<u64> {
        if get(column).is_empty() {
            let name = COLUMNS.get(column).copied().unwrap_or("");
            computed.ok_or_else(|| {
                ImportErrorKind::Invalid(format!(
                    "{name}: the kernel window does not fit the padded input; give {name} or fix the window"
                ))
            })
        } else {
            num(column, None, 1)
        }
    };
    (c.output_h, c.output_w) = (side(OUTPUT_H, oh)?, side(OUTPUT_W, ow)?);
    c.dtype = match get(DTYPE) {
        "" => DType::F32,
        t => DTYPES.into_iter().find(|d| d.name() == t).ok_or_else(|| {
            ImportErrorKind::Invalid(format!(
                "dtype: '{t}' is not one of {}",
                DTYPES.iter().map(|d| d.name()).collect::<Vec<_>>().join(", ")
            ))
        })?,
    };
    let channels = get(INPUT_CHANNELS);
    if !channels.is_empty() {
        c.input_channels = channels
            .split([';', ','])
            .map(|t| crate::import::common::count("input_channels", t))
            .collect::<Result<_, _>>()?;
    }
    Ok(c)
}
