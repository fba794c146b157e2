//! `--kernel-config KEY=VALUE,...`: a kernel configuration in the parser's vocabulary, typed on the
//! command line.
//!
//! Keys (case does not matter): `batch`; input `hw` (or `h`, `w`); `cin`, `cout`; kernel `k` (or
//! `kh`, `kw`); stride `s` (or `sh`, `sw`); dilation `d` (or `dh`, `dw`); `groups`; `pad` =
//! `same` (TFLite: the odd pixel at the bottom/right), `valid`, one number for all four sides or
//! `top:left:bottom:right`; output `ohw` (or `oh`, `ow`); `dtype` (`f32`, `f16`, `i8`, ...);
//! `inputs` = the channels of each input of a multi-input kernel, `c1:c2:...`.
//!
//! A field not given takes the neutral value the store's importers use (batch 1, 1×1, 1 channel,
//! stride, dilation and groups 1, no padding, f32); the output size, when not given, follows from
//! the input, kernel, stride, dilation and padding.

use einf_parser::kernel::KernelConfig;
use std::collections::HashSet;

const KEYS: &str =
    "batch, hw, h, w, cin, cout, k, kh, kw, s, sh, sw, d, dh, dw, groups, pad, ohw, oh, ow, dtype, inputs";

#[derive(Clone, Copy, PartialEq)]
enum Pad {
    Same,
    Explicit([u64; 4]),
}

fn positive(key: &str, v: &str) -> Result<u64, String> {
    match v.trim().parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{key}={v}: expected a whole number ≥ 1")),
    }
}

fn whole(key: &str, v: &str) -> Result<u64, String> {
    v.trim().parse::<u64>().map_err(|_| format!("{key}={v}: expected a whole number ≥ 0"))
}

fn pad(v: &str) -> Result<Pad, String> {
    let v = v.trim().to_ascii_lowercase();
    match v.as_str() {
        "same" => return Ok(Pad::Same),
        "valid" => return Ok(Pad::Explicit([0; 4])),
        _ => {}
    }
    let parts = v.split(':').map(|p| whole("pad", p)).collect::<Result<Vec<_>, _>>()?;
    match parts.as_slice() {
        [p] => Ok(Pad::Explicit([*p; 4])),
        [t, l, b, r] => Ok(Pad::Explicit([*t, *l, *b, *r])),
        _ => Err(format!("pad={v}: expected same, valid, one number or top:left:bottom:right")),
    }
}

/// Output side and padding `(before, after)` of a window `k` (dilation `d`, stride `s`) on side `i`.
fn side(
    i: u64,
    k: u64,
    s: u64,
    d: u64,
    pad: Pad,
    before: u64,
    after: u64,
) -> Result<(u64, u64, u64), String> {
    let span = (k - 1).saturating_mul(d).saturating_add(1);
    match pad {
        Pad::Same => {
            let o = i.div_ceil(s);
            let total = ((o - 1) * s + span).saturating_sub(i);
            Ok((o, total / 2, total - total / 2))
        }
        Pad::Explicit(_) => {
            let padded = i + before + after;
            if padded < span {
                return Err(format!(
                    "a window of {span} (kernel {k}, dilation {d}) does not fit input {i} padded by {before}+{after}"
                ));
            }
            Ok(((padded - span) / s + 1, before, after))
        }
    }
}

/// Parses `KEY=VALUE,...` (see the module docs).
pub fn parse(spec: &str) -> Result<KernelConfig, String> {
    let mut c = KernelConfig::neutral();
    let (mut pad_spec, mut oh, mut ow) = (Pad::Explicit([0; 4]), None, None);
    let mut seen = HashSet::new();
    for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((key, v)) = item.split_once('=') else {
            return Err(format!("`{item}` is not KEY=VALUE (keys: {KEYS})"));
        };
        let key = key.trim().to_ascii_lowercase();
        if !seen.insert(key.clone()) {
            return Err(format!("{key} is given twice"));
        }
        match key.as_str() {
            "batch" => c.batch = positive(&key, v)?,
            "hw" => (c.input_h, c.input_w) = (positive(&key, v)?, positive(&key, v)?),
            "h" => c.input_h = positive(&key, v)?,
            "w" => c.input_w = positive(&key, v)?,
            "cin" => c.cin = positive(&key, v)?,
            "cout" => c.cout = positive(&key, v)?,
            "k" => (c.kernel_h, c.kernel_w) = (positive(&key, v)?, positive(&key, v)?),
            "kh" => c.kernel_h = positive(&key, v)?,
            "kw" => c.kernel_w = positive(&key, v)?,
            "s" => (c.stride_h, c.stride_w) = (positive(&key, v)?, positive(&key, v)?),
            "sh" => c.stride_h = positive(&key, v)?,
            "sw" => c.stride_w = positive(&key, v)?,
            "d" => (c.dilation_h, c.dilation_w) = (positive(&key, v)?, positive(&key, v)?),
            "dh" => c.dilation_h = positive(&key, v)?,
            "dw" => c.dilation_w = positive(&key, v)?,
            "groups" => c.groups = positive(&key, v)?,
            "pad" => pad_spec = pad(v)?,
            "ohw" => (oh, ow) = (Some(positive(&key, v)?), Some(positive(&key, v)?)),
            "oh" => oh = Some(positive(&key, v)?),
            "ow" => ow = Some(positive(&key, v)?),
            "dtype" => {
                c.dtype = serde_json::from_value(serde_json::Value::String(v.trim().to_ascii_lowercase()))
                    .map_err(|_| format!("dtype={v}: unknown element type (f32, f16, bf16, i8, u8, ...)"))?;
            }
            "inputs" => {
                c.input_channels = v.split(':').map(|p| positive(&key, p)).collect::<Result<_, _>>()?
            }
            _ => return Err(format!("unknown key `{key}` (keys: {KEYS})")),
        }
    }
    if !c.cin.is_multiple_of(c.groups) {
        return Err(format!("groups={} does not divide cin={}", c.groups, c.cin));
    }
    let [pt, pl, pb, pr] = match pad_spec {
        Pad::Explicit(p) => p,
        Pad::Same => [0; 4],
    };
    let (o_h, top, bottom) = side(c.input_h, c.kernel_h, c.stride_h, c.dilation_h, pad_spec, pt, pb)?;
    let (o_w, left, right) = side(c.input_w, c.kernel_w, c.stride_w, c.dilation_w, pad_spec, pl, pr)?;
    c.pads = [top, left, bottom, right];
    for (given, computed, name) in [(oh, o_h, "oh"), (ow, o_w, "ow")] {
        if let Some(g) = given
            && g != computed
        {
            return Err(format!(
                "{name}={g}, but the input, kernel, stride, dilation and padding give {computed}"
            ));
        }
    }
    (c.output_h, c.output_w) = (o_h, o_w);
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conv_same_and_valid() {
        let c = parse("hw=28, cin=32, cout=64, k=3, s=2, pad=same").unwrap();
        assert_eq!((c.input_h, c.output_h, c.output_w, c.cin, c.cout), (28, 14, 14, 32, 64));
        // SAME, stride 2 on 28: total padding (14 − 1)·2 + 3 − 28 = 1, at the bottom/right.
        assert_eq!(c.pads, [0, 0, 1, 1]);
        let c = parse("HW=28,CIN=32,COUT=64,K=3,S=1").unwrap();
        assert_eq!((c.output_h, c.pads), (26, [0; 4]));
        let c = parse("h=7,w=9,k=3,pad=1:0:1:2,d=2").unwrap();
        // Window span 5: h 7 + 2 − 5 + 1 = 5; w 9 + 2 − 5 + 1 = 7.
        assert_eq!((c.output_h, c.output_w, c.dilation_w), (5, 7, 2));
        assert_eq!(parse("hw=8,oh=8,pad=same,dtype=i8").unwrap().dtype, einf_parser::ir::DType::I8);
        assert_eq!(parse("inputs=16:32").unwrap().input_channels, vec![16, 32]);
    }

    #[test]
    fn bad_specs() {
        for (spec, says) in [
            ("hw=0", "≥ 1"),
            ("hw=28,hw=14", "twice"),
            ("size=3", "unknown key"),
            ("hw", "not KEY=VALUE"),
            ("hw=2,k=5", "does not fit"),
            ("hw=28,k=3,oh=28", "give 26"),
            ("cin=32,groups=3", "does not divide"),
            ("pad=1:2", "top:left:bottom:right"),
            ("dtype=f31", "unknown element type"),
        ] {
            let err = parse(spec).unwrap_err();
            assert!(err.contains(says), "{spec}: {err}");
        }
    }
}
