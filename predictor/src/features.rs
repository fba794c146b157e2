//! Kernel features from the parser's [`KernelConfig`]: nn-Meter's set (HW, Cin, Cout, K, S, FLOPs,
//! params) made exact — separate height and width, padding, dilation, groups and batch, FLOPs and
//! parameters computed from them — plus memory traffic in bytes of the kernel's element type, and
//! what GPU delegates care about: channels in slices of 4, 4×4 output tiles and Winograd
//! eligibility (dense 3×3 stride 1: the delegates switch algorithm there, at thresholds of tiles
//! and channel slices that differ by GPU), arithmetic intensity (FLOPs per byte), and the ops
//! fused after the anchor as indicators (add, mul, activation, hard swish, sigmoid, a second
//! BatchNorm), so that one forest per base operator can learn every fused kind.
//!
//! Features are computed from the configuration alone, so that a kernel measured in a dataset
//! (which has a configuration but no graph) and a kernel of a parsed model get the same numbers.
//! Each kernel kind belongs to a [`Family`]; the family fixes the feature list, and the list is
//! stored in every predictor file next to its forests.

use crate::error::{PredictorError, Result};
use einf_parser::kernel::{KernelConfig, KernelKind, Role};
use serde::{Deserialize, Serialize};

/// A group of kernel kinds that share a feature list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Convolutions: conv, dwconv, groupconv, convtranspose (and what the runtime fused after them).
    Conv,
    /// Fully connected and matrix products.
    Fc,
    /// Windowed and global pooling.
    Pool,
    /// Concatenation.
    Concat,
    /// Everything else: elementwise, normalisation, data movement.
    Elementwise,
}

/// Which feature definitions to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeatureSet {
    /// einf's exact features.
    Einf,
    /// nn-Meter's features as it computes them (square maps, no padding, groups or dilation), for
    /// the baseline.
    NnMeter,
}

const CONV: &[&str] = &[
    "batch",
    "input_h",
    "input_w",
    "cin",
    "cout",
    "kernel_h",
    "kernel_w",
    "stride_h",
    "stride_w",
    "output_h",
    "output_w",
    "pad_h",
    "pad_w",
    "dilation_h",
    "dilation_w",
    "groups",
    "macs",
    "flops",
    "params",
    "input_bytes",
    "output_bytes",
    "weight_bytes",
    "fused_ops",
    "cin_slices",
    "cout_slices",
    "positions",
    "sliced_macs",
    "tiles4x4",
    "winograd",
    "winograd_min_slices",
    "intensity",
    "has_add",
    "has_mul",
    "has_act",
    "has_hswish",
    "has_sigmoid",
    "post_bn",
];
const FC: &[&str] = &[
    "batch",
    "cin",
    "cout",
    "macs",
    "flops",
    "params",
    "input_bytes",
    "output_bytes",
    "weight_bytes",
    "fused_ops",
    "has_add",
    "has_mul",
    "has_act",
    "has_hswish",
    "has_sigmoid",
    "post_bn",
];
const POOL: &[&str] = &[
    "batch",
    "input_h",
    "input_w",
    "cin",
    "output_h",
    "output_w",
    "kernel_h",
    "kernel_w",
    "stride_h",
    "stride_w",
    "flops",
    "input_bytes",
    "output_bytes",
    "fused_ops",
];
const CONCAT: &[&str] = &[
    "batch",
    "input_h",
    "input_w",
    "cin",
    "cout",
    "output_elements",
    "output_bytes",
    "fused_ops",
    "cin_slices",
    "cout_slices",
    "aligned4",
    "many_inputs",
];
const ELEMENTWISE: &[&str] = &[
    "batch",
    "input_h",
    "input_w",
    "cin",
    "cout",
    "output_h",
    "output_w",
    "elements",
    "inputs",
    "input_bytes",
    "output_bytes",
    "fused_ops",
];

const NN_CONV: &[&str] = &["HW", "CIN", "COUT", "KERNEL_SIZE", "STRIDES", "FLOPS", "PARAMS"];
const NN_FC: &[&str] = &["CIN", "COUT", "FLOPS", "PARAMS"];
const NN_POOL: &[&str] = &["HW", "CIN", "COUT", "KERNEL_SIZE", "POOL_STRIDES"];
const NN_CONCAT: &[&str] = &["HW", "CIN1", "CIN2", "CIN3", "CIN4"];
const NN_ELEMENTWISE: &[&str] = &["HW", "CIN"];

impl Family {
    /// The family of a kernel kind, from its first role.
    pub fn of(kind: &KernelKind) -> Family {
        match kind.base() {
            Some(Role::Conv | Role::DwConv | Role::GroupConv | Role::ConvTranspose) => Family::Conv,
            Some(Role::Fc | Role::MatMul) => Family::Fc,
            Some(Role::MaxPool | Role::AvgPool | Role::Gap | Role::Gmp) => Family::Pool,
            Some(Role::Concat) => Family::Concat,
            _ => Family::Elementwise,
        }
    }

    /// The feature names of this family in a feature set.
    pub fn names(self, set: FeatureSet) -> &'static [&'static str] {
        match (set, self) {
            (FeatureSet::Einf, Family::Conv) => CONV,
            (FeatureSet::Einf, Family::Fc) => FC,
            (FeatureSet::Einf, Family::Pool) => POOL,
            (FeatureSet::Einf, Family::Concat) => CONCAT,
            (FeatureSet::Einf, Family::Elementwise) => ELEMENTWISE,
            (FeatureSet::NnMeter, Family::Conv) => NN_CONV,
            (FeatureSet::NnMeter, Family::Fc) => NN_FC,
            (FeatureSet::NnMeter, Family::Pool) => NN_POOL,
            (FeatureSet::NnMeter, Family::Concat) => NN_CONCAT,
            (FeatureSet::NnMeter, Family::Elementwise) => NN_ELEMENTWISE,
        }
    }
}

/// Exact counts of a kernel's anchor, from its configuration (f64: no overflow, and a count too
/// large to be finite is caught by the finiteness check).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    /// Multiply-accumulates.
    pub macs: f64,
    /// Operations: 2 per MAC plus one per output element (bias, or one per window element of a pool).
    pub flops: f64,
    /// Parameters (weights and bias).
    pub params: f64,
    /// Elements of the input activation.
    pub input_elements: f64,
    /// Elements of the output activation.
    pub output_elements: f64,
    /// Bytes per element of the kernel's dtype.
    pub element_bytes: f64,
}

/// The exact counts of a kernel.
pub fn counts(kind: &KernelKind, c: &KernelConfig) -> Counts {
    let f = |v: u64| v as f64;
    let n = f(c.batch);
    let input_elements = n * f(c.cin) * f(c.input_h) * f(c.input_w);
    let output_elements = n * f(c.cout) * f(c.output_h) * f(c.output_w);
    let element_bytes = c.dtype.bits() as f64 / 8.0;
    let g = f(c.groups.max(1));
    let window = f(c.kernel_h) * f(c.kernel_w);
    let (macs, params, flops) = match Family::of(kind) {
        Family::Conv => {
            let transposed = kind.base() == Some(&Role::ConvTranspose);
            let macs = if transposed {
                input_elements * (f(c.cout) / g) * window
            } else {
                output_elements * (f(c.cin) / g) * window
            };
            let params = f(c.cout) * (f(c.cin) / g) * window + f(c.cout);
            (macs, params, 2.0 * macs + output_elements)
        }
        Family::Fc => {
            let macs = n * f(c.cin) * f(c.cout);
            let params = f(c.cin) * f(c.cout) + f(c.cout);
            (macs, params, 2.0 * macs + n * f(c.cout))
        }
        Family::Pool => (0.0, 0.0, output_elements * window),
        Family::Concat => (0.0, 0.0, 0.0),
        Family::Elementwise => (0.0, 0.0, output_elements),
    };
    Counts { macs, flops, params, input_elements, output_elements, element_bytes }
}

/// A kernel's work, the scale of [`crate::params::Target::LogRate`]: FLOPs plus bytes moved
/// (input, output and weights in the kernel's dtype), at least 1. Both terms matter on a GPU: a
/// depthwise convolution or a concat is bound by memory traffic, a dense convolution by FLOPs.
pub fn work(kind: &KernelKind, c: &KernelConfig) -> f64 {
    let k = counts(kind, c);
    let bytes = (k.input_elements + k.output_elements + k.params) * k.element_bytes;
    (k.flops + WORK_BYTE_WEIGHT * bytes).max(1.0)
}

/// FLOPs one byte of traffic counts as in [`work`].
pub const WORK_BYTE_WEIGHT: f64 = 8.0;

/// The feature vector of a kernel. `name` identifies the kernel in errors.
pub fn features(kind: &KernelKind, c: &KernelConfig, set: FeatureSet, name: &str) -> Result<Vec<f64>> {
    let family = Family::of(kind);
    let k = counts(kind, c);
    let f = |v: u64| v as f64;
    let fused = kind.roles().len().saturating_sub(1) as f64;
    let ib = k.input_elements * k.element_bytes;
    let ob = k.output_elements * k.element_bytes;
    let fu = fused_indicators(kind);
    let tiles = (c.output_h.div_ceil(4) * c.output_w.div_ceil(4)) as f64;
    let winograd = f64::from(u8::from(winograd_eligible(kind, c)));
    let v: Vec<f64> = match (set, family) {
        (FeatureSet::Einf, Family::Conv) => vec![
            f(c.batch),
            f(c.input_h),
            f(c.input_w),
            f(c.cin),
            f(c.cout),
            f(c.kernel_h),
            f(c.kernel_w),
            f(c.stride_h),
            f(c.stride_w),
            f(c.output_h),
            f(c.output_w),
            f(c.pads[0]) + f(c.pads[2]),
            f(c.pads[1]) + f(c.pads[3]),
            f(c.dilation_h),
            f(c.dilation_w),
            f(c.groups),
            k.macs,
            k.flops,
            k.params,
            ib,
            ob,
            k.params * k.element_bytes,
            fused,
            slices(c.cin),
            slices(c.cout),
            f(c.output_h) * f(c.output_w),
            sliced_macs(kind, c),
            tiles,
            winograd,
            winograd * slices(c.cin).min(slices(c.cout)),
            k.flops / (ib + ob + k.params * k.element_bytes).max(1.0),
            fu[0],
            fu[1],
            fu[2],
            fu[3],
            fu[4],
            fu[5],
        ],
        (FeatureSet::Einf, Family::Fc) => vec![
            f(c.batch),
            f(c.cin),
            f(c.cout),
            k.macs,
            k.flops,
            k.params,
            f(c.batch) * f(c.cin) * k.element_bytes,
            f(c.batch) * f(c.cout) * k.element_bytes,
            k.params * k.element_bytes,
            fused,
            fu[0],
            fu[1],
            fu[2],
            fu[3],
            fu[4],
            fu[5],
        ],
        (FeatureSet::Einf, Family::Pool) => vec![
            f(c.batch),
            f(c.input_h),
            f(c.input_w),
            f(c.cin),
            f(c.output_h),
            f(c.output_w),
            f(c.kernel_h),
            f(c.kernel_w),
            f(c.stride_h),
            f(c.stride_w),
            k.flops,
            ib,
            ob,
            fused,
        ],
        (FeatureSet::Einf, Family::Concat) => vec![
            f(c.batch),
            f(c.input_h),
            f(c.input_w),
            f(c.cin),
            f(c.cout),
            k.output_elements,
            ob,
            fused,
            slices(c.cin),
            slices(c.cout),
            f64::from(u8::from(c.cin.is_multiple_of(4) && c.cout.is_multiple_of(4))),
            f64::from(u8::from(c.input_channels.len() != 2)),
        ],
        (FeatureSet::Einf, Family::Elementwise) => vec![
            f(c.batch),
            f(c.input_h),
            f(c.input_w),
            f(c.cin),
            f(c.cout),
            f(c.output_h),
            f(c.output_w),
            k.output_elements,
            c.input_channels.len().max(1) as f64,
            ib,
            ob,
            fused,
        ],
        (FeatureSet::NnMeter, fam) => nn_meter(fam, kind, c),
    };
    debug_assert_eq!(v.len(), family.names(set).len());
    check_finite(kind, family.names(set), &v, name)?;
    Ok(v)
}

/// Fail with [`PredictorError::BadFeature`] on the first NaN or infinite value of `v` (named by
/// `names`), for kernel `name` of `kind`.
pub fn check_finite(kind: &KernelKind, names: &[&str], v: &[f64], name: &str) -> Result<()> {
    match v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        Some((i, x)) => Err(PredictorError::BadFeature {
            kernel: name.to_string(),
            kind: kind.to_string(),
            feature: names.get(i).copied().unwrap_or("?").to_string(),
            value: *x,
        }),
        None => Ok(()),
    }
}

/// Whether a convolution fits Winograd F(4×4, 3×3), the algorithm TFLite's GPU delegates switch
/// to for dense 3×3 stride-1 convolutions with enough channels and output tiles (the thresholds
/// differ by GPU and are left to the forest: see `tiles4x4` and `winograd_min_slices`).
pub fn winograd_eligible(kind: &KernelKind, c: &KernelConfig) -> bool {
    kind.base() == Some(&Role::Conv)
        && c.kernel_h == 3
        && c.kernel_w == 3
        && c.stride_h == 1
        && c.stride_w == 1
        && c.dilation_h <= 1
        && c.dilation_w <= 1
        && c.groups <= 1
}

/// What a runtime fused after the kernel's anchor, as 0/1 indicators (`has_add`, `has_mul`,
/// `has_act` for relu/clip/leaky/prelu, `has_hswish` for hard swish and hard sigmoid, `has_sigmoid`
/// for sigmoid, swish and tanh) and the number of normalisations after the first (`post_bn`: a
/// BatchNorm after a residual add, as in pre-activation networks).
fn fused_indicators(kind: &KernelKind) -> [f64; 6] {
    let roles = kind.roles();
    let rest = roles.get(1..).unwrap_or_default();
    let has = |f: &dyn Fn(&Role) -> bool| f64::from(u8::from(rest.iter().any(f)));
    let bns = rest.iter().filter(|r| **r == Role::Bn).count();
    [
        has(&|r| matches!(r, Role::Add | Role::Sub)),
        has(&|r| matches!(r, Role::Mul)),
        has(&|r| matches!(r, Role::Relu | Role::Clip | Role::LeakyRelu | Role::Prelu)),
        has(&|r| matches!(r, Role::Hswish | Role::Hsigmoid)),
        has(&|r| matches!(r, Role::Sigmoid | Role::Swish | Role::Tanh)),
        bns.saturating_sub(1) as f64,
    ]
}

/// Channels in slices of 4: GPU delegates (TFLite's OpenCL and Metal backends) store and compute
/// channels four at a time.
fn slices(c: u64) -> f64 {
    c.div_ceil(4) as f64
}

/// MACs with the channels of each group rounded up to whole slices of 4.
fn sliced_macs(kind: &KernelKind, c: &KernelConfig) -> f64 {
    let g = c.groups.max(1);
    let per_group_in = (c.cin / g).max(1);
    let window = c.kernel_h as f64 * c.kernel_w as f64;
    let positions = c.batch as f64 * c.output_h as f64 * c.output_w as f64;
    let cout = 4.0 * slices(c.cout);
    if kind.base() == Some(&Role::DwConv) {
        positions * cout * window
    } else {
        positions * cout * 4.0 * slices(per_group_in) * window
    }
}

/// nn-Meter's features as its predictor computes them (REFERENCE §2): square maps taken from the
/// input height, `Params = Cout·(K²·Cin + 1)` (depthwise `Cout·(K²+1)`) and
/// `FLOPs = 2·(HW/S)²·Params`, scaled by 1e-6 and 2e-6.
fn nn_meter(family: Family, kind: &KernelKind, c: &KernelConfig) -> Vec<f64> {
    let f = |v: u64| v as f64;
    let hw = f(c.input_h);
    match family {
        Family::Conv => {
            let k2 = f(c.kernel_h) * f(c.kernel_h);
            let params = if kind.base() == Some(&Role::DwConv) {
                f(c.cout) * (k2 + 1.0)
            } else {
                f(c.cout) * (k2 * f(c.cin) + 1.0)
            };
            let s = f(c.stride_h.max(1));
            let flops = 2.0 * (hw / s) * (hw / s) * params;
            vec![hw, f(c.cin), f(c.cout), f(c.kernel_h), f(c.stride_h), flops / 2e6, params / 1e6]
        }
        Family::Fc => {
            let params = f(c.cin) * f(c.cout) + f(c.cout);
            vec![f(c.cin), f(c.cout), 2.0 * params / 2e6, params / 1e6]
        }
        Family::Pool => vec![hw, f(c.cin), f(c.cout), f(c.kernel_h), f(c.stride_h)],
        Family::Concat => {
            let ch = |i: usize| c.input_channels.get(i).copied().map_or(0.0, f);
            vec![hw, ch(0), ch(1), ch(2), ch(3)]
        }
        Family::Elementwise => vec![hw, f(c.cin)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use einf_parser::ir::DType;

    fn conv(groups: u64, cin: u64, cout: u64) -> KernelConfig {
        KernelConfig {
            batch: 1,
            input_h: 56,
            input_w: 28,
            output_h: 28,
            output_w: 14,
            cin,
            cout,
            kernel_h: 3,
            kernel_w: 5,
            stride_h: 2,
            stride_w: 2,
            pads: [1, 2, 1, 2],
            dilation_h: 1,
            dilation_w: 1,
            groups,
            dtype: DType::F16,
            input_channels: vec![],
        }
    }

    #[test]
    fn conv_counts_are_exact_with_groups_and_separate_h_w() {
        let kind: KernelKind = "groupconv-bn-relu".parse().unwrap();
        let k = counts(&kind, &conv(4, 64, 128));
        // 28·14 outputs per channel, 128 channels, 16 inputs per group, 3×5 window.
        assert_eq!(k.macs, (28 * 14 * 128 * 16 * 15) as f64);
        assert_eq!(k.params, (128 * 16 * 15 + 128) as f64);
        assert_eq!(k.flops, 2.0 * k.macs + (28 * 14 * 128) as f64);
        assert_eq!(k.element_bytes, 2.0);
        let v = features(&kind, &conv(4, 64, 128), FeatureSet::Einf, "k").unwrap();
        assert_eq!(v.len(), Family::Conv.names(FeatureSet::Einf).len());
        assert_eq!(v[11], 2.0, "pad_h = top + bottom");
        assert_eq!(v[19], (56 * 28 * 64 * 2) as f64, "input bytes in f16");
        assert_eq!(v[22], 2.0, "two ops fused after the conv");
        // nn-Meter costs the grouped conv as a dense one.
        let nn = features(&kind, &conv(4, 64, 128), FeatureSet::NnMeter, "k").unwrap();
        assert_eq!(nn[6], (128 * (9 * 64 + 1)) as f64 / 1e6);
    }

    #[test]
    fn families_follow_the_base_role() {
        let fam = |s: &str| Family::of(&s.parse().unwrap());
        assert_eq!(fam("dwconv-bn-relu"), Family::Conv);
        assert_eq!(fam("fc-relu"), Family::Fc);
        assert_eq!(fam("gap"), Family::Pool);
        assert_eq!(fam("concat-add"), Family::Concat);
        assert_eq!(fam("add-relu"), Family::Elementwise);
    }

    #[test]
    fn winograd_fused_ops_and_concat_features() {
        let name = |set: FeatureSet, fam: Family, n: &str| {
            fam.names(set).iter().position(|x| *x == n).unwrap_or_else(|| panic!("no feature {n}"))
        };
        let at = |n: &str| name(FeatureSet::Einf, Family::Conv, n);
        let dense3 = KernelConfig { stride_h: 1, stride_w: 1, kernel_w: 3, ..conv(1, 64, 128) };
        let kind: KernelKind = "conv-bn-add-bn-relu".parse().unwrap();
        assert!(winograd_eligible(&kind, &dense3));
        assert!(!winograd_eligible(&kind, &conv(1, 64, 128)), "stride 2, 3x5");
        assert!(!winograd_eligible(&"dwconv-bn".parse().unwrap(), &dense3));
        let v = features(&kind, &dense3, FeatureSet::Einf, "k").unwrap();
        assert_eq!(v[at("winograd")], 1.0);
        assert_eq!(v[at("tiles4x4")], (7 * 4) as f64, "28x14 output in 4x4 tiles");
        assert_eq!(v[at("winograd_min_slices")], 16.0, "min(64, 128) / 4");
        for (n, want) in [("has_add", 1.0), ("has_mul", 0.0), ("has_act", 1.0), ("post_bn", 1.0)] {
            assert_eq!(v[at(n)], want, "{n}");
        }
        let hs = features(&"conv-bn-hswish".parse().unwrap(), &dense3, FeatureSet::Einf, "k").unwrap();
        assert_eq!((hs[at("has_hswish")], hs[at("has_act")], hs[at("post_bn")]), (1.0, 0.0, 0.0));
        // A concat of two inputs knows them; one of more (or unknown) inputs is flagged.
        let cat: KernelKind = "concat".parse().unwrap();
        let two = KernelConfig { input_channels: vec![64, 66], cout: 130, ..conv(1, 64, 130) };
        let c = |n: &str| name(FeatureSet::Einf, Family::Concat, n);
        let v = features(&cat, &two, FeatureSet::Einf, "k").unwrap();
        assert_eq!((v[c("many_inputs")], v[c("aligned4")], v[c("cout_slices")]), (0.0, 0.0, 33.0));
        let many = KernelConfig { input_channels: vec![], cout: 128, ..conv(1, 64, 128) };
        let v = features(&cat, &many, FeatureSet::Einf, "k").unwrap();
        assert_eq!((v[c("many_inputs")], v[c("aligned4")]), (1.0, 1.0));
    }

    #[test]
    fn work_counts_flops_and_bytes() {
        let kind: KernelKind = "conv".parse().unwrap();
        let c = conv(1, 64, 128);
        let k = counts(&kind, &c);
        let bytes = (k.input_elements + k.output_elements + k.params) * 2.0;
        assert_eq!(work(&kind, &c), k.flops + WORK_BYTE_WEIGHT * bytes);
        // A concat has no FLOPs: its work is its traffic.
        assert!(work(&"concat".parse().unwrap(), &c) > 0.0);
    }

    #[test]
    fn non_finite_features_are_named_errors() {
        let kind: KernelKind = "conv-bn".parse().unwrap();
        let names = Family::Conv.names(FeatureSet::Einf);
        let mut v = features(&kind, &conv(1, 64, 64), FeatureSet::Einf, "k").unwrap();
        assert!(check_finite(&kind, names, &v, "layer7").is_ok());
        v[16] = f64::NAN;
        let e = check_finite(&kind, names, &v, "layer7").unwrap_err().to_string();
        assert!(
            e.contains("layer7") && e.contains("conv-bn") && e.contains("'macs'") && e.contains("NaN"),
            "{e}"
        );
        v[16] = f64::INFINITY;
        assert!(check_finite(&kind, names, &v, "x").unwrap_err().to_string().contains("inf"));
    }
}
