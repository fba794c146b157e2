//! The layers of NeurstrucEnergy's whole CNNs (`*_testset_*.txt`): the `Conv2d` layers of a
//! model, in order, as kernels (its graph as the source lists it).
//!
//! Each line gives `layer_id` (one PyTorch layer type per layer) and `layer_parameters`, the
//! layers' parameter vectors concatenated; the length of each vector depends on the layer type
//! (`get_params_length` in upstream `CNNGeneration/CustomCNNGeneration.py`). A `Conv2d` (id 1)
//! has 19 numbers, as a `conv2d.txt` layer: input `N,C,H,W`, output `N,C,H,W`, then `in, out,
//! kh, kw, sh, sw, ph, pw, dh, dw, groups`. Its kernel is named as `conv2d.txt` layers are
//! (`conv-bn`, `dwconv-bn` when groups = C, `groupconv-bn`), from the recorded input and output
//! sizes, symmetric padding `[ph, pw, ph, pw]`, f32. The other layers (BatchNorm, activations,
//! pooling, Linear, add/concat, dropout) are not kernels here.
//!
//! Seven layers of each `random_testset_<n>.txt` (ResNet-18/50 downsampling shortcuts, e.g. a
//! 1×1 conv of in_channels 64 recorded on an input of 256 channels) record an input whose
//! channels differ from the conv's `in_channels`; the kernel takes the recorded input, as
//! einf's bundled NeurstrucEnergy predictor was trained on them.

use super::error::ImportErrorKind;
use einf_parser::kernel::{KernelConfig, KernelKind, Role};

/// Parameter-vector length per layer id (upstream `get_params_length`).
fn params_len(id: u32) -> Option<usize> {
    const L: [usize; 27] =
        [13, 19, 25, 14, 20, 26, 11, 17, 23, 9, 14, 19, 7, 9, 11, 4, 5, 6, 4, 5, 6, 4, 6, 3, 3, 5, 6];
    L.get(id as usize).copied()
}

/// Layer id of `Conv2d`.
const CONV2D: u32 = 1;

/// The `Conv2d` layers of one model line, in order, from its `layer_parameters` and `layer_id`
/// fields.
pub(crate) fn conv_layers(
    params: &str,
    ids: &str,
) -> Result<Vec<(KernelKind, KernelConfig)>, ImportErrorKind> {
    let bad = |what: String| ImportErrorKind::Invalid(what);
    let params: Vec<f64> =
        params.split(',').map(|t| super::common::number("layer_parameters", t)).collect::<Result<_, _>>()?;
    let ids: Vec<u32> = ids
        .split(',')
        .map(|t| {
            let v = super::common::whole("layer_id", t)?;
            u32::try_from(v).map_err(|_| bad(format!("layer_id: {v} is not a layer type")))
        })
        .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    let mut pos = 0usize;
    for (li, &id) in ids.iter().enumerate() {
        let len =
            params_len(id).ok_or_else(|| bad(format!("layer {li}: unknown layer id {id} (0 to 26)")))?;
        let p = params.get(pos..pos + len).ok_or_else(|| {
            bad(format!(
                "layer {li} (id {id}) takes {len} numbers from number {pos}, but layer_parameters has {}",
                params.len()
            ))
        })?;
        pos += len;
        if id == CONV2D {
            out.push(conv(p).map_err(|e| bad(format!("layer {li} (Conv2d): {e}")))?);
        }
    }
    if pos != params.len() {
        return Err(bad(format!(
            "layer_parameters: {} numbers left after the last layer of layer_id",
            params.len() - pos
        )));
    }
    Ok(out)
}

/// The kernel of a 19-number Conv2d vector.
fn conv(p: &[f64]) -> Result<(KernelKind, KernelConfig), String> {
    if let Some(v) = p.iter().find(|v| !(v.is_finite() && **v >= 0.0 && v.fract() == 0.0)) {
        return Err(format!("parameter {v} is not a whole number ≥ 0"));
    }
    let v: Vec<u64> = p.iter().map(|&x| x as u64).collect();
    let [n, cin, h, w, _, cout, oh, ow, _, _, kh, kw, sh, sw, ph, pw, dh, dw, g] = *v.as_slice() else {
        return Err(format!("{} parameters where a Conv2d has 19", p.len()));
    };
    let named = [("N", n), ("C", cin), ("H", h), ("W", w), ("C_out", cout), ("kh", kh), ("kw", kw)];
    let named = named.into_iter().chain([("sh", sh), ("sw", sw), ("dh", dh), ("dw", dw), ("groups", g)]);
    if let Some((name, _)) = named.into_iter().find(|(_, x)| *x == 0) {
        return Err(format!("{name} is 0"));
    }
    let base = if g == 1 {
        Role::Conv
    } else if g == cin {
        Role::DwConv
    } else {
        Role::GroupConv
    };
    let mut c = KernelConfig::neutral();
    (c.batch, c.input_h, c.input_w, c.output_h, c.output_w, c.cin, c.cout) = (n, h, w, oh, ow, cin, cout);
    (c.kernel_h, c.kernel_w, c.stride_h, c.stride_w) = (kh, kw, sh, sw);
    c.pads = [ph, pw, ph, pw];
    (c.dilation_h, c.dilation_w, c.groups) = (dh, dw, g);
    Ok((KernelKind::from_roles(&[base]), c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn convs_are_taken_in_order_and_other_layers_skipped() {
        // SYNTHETIC line: a 3x3 conv (19 numbers), a layer of id 16 (5 numbers), a depthwise conv.
        let conv1 = "1,3,32,32,1,8,32,32,3,8,3,3,1,1,1,1,1,1,1";
        let bn = "1,8,32,32,8";
        let dw = "1,8,32,32,1,8,16,16,8,8,3,3,2,2,1,1,1,1,8";
        let ks = conv_layers(&format!("{conv1},{bn},{dw}"), "1,16,1").unwrap_or_else(|e| panic!("{e}"));
        let kinds: Vec<String> = ks.iter().map(|(k, _)| k.to_string()).collect();
        assert_eq!(kinds, ["conv-bn", "dwconv-bn"]);
        assert_eq!((ks[1].1.output_h, ks[1].1.stride_w, ks[1].1.groups), (16, 2, 8));
        let e = |p: &str, ids: &str| conv_layers(p, ids).err().map(|e| e.to_string()).unwrap_or_default();
        let short = e(conv1, "1,16");
        assert!(
            short.contains("layer 1 (id 16) takes 5 numbers from number 19, but layer_parameters has 19")
        );
        assert!(e(&format!("{conv1},{bn}"), "1").contains("5 numbers left"));
        assert!(e(conv1, "27").contains("unknown layer id 27"));
        assert!(e(&conv1.replace(",3,3,1,1,", ",3,0,1,1,"), "1").contains("kw is 0"));
        assert!(e(&conv1.replacen("32", "3.5", 1), "1").contains("3.5 is not a whole number"));
    }
}
