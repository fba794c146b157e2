//! The layers of NeurstrucEnergy's whole CNNs (`*_testset_*.txt`), which the dataset reader stores
//! only as model energies.
//!
//! Each line gives `layer_id` (one PyTorch layer type per layer) and `layer_parameters`, the layers'
//! parameter vectors concatenated; the length of each vector depends on the layer type
//! (`get_params_length` in the upstream `CNNGeneration/CustomCNNGeneration.py`). A `Conv2d` (id 1)
//! has 19 numbers, the same as a `conv2d.txt` layer: input `N,C,H,W`, output `N,C,H,W`, then
//! `in, out, kh, kw, sh, sw, ph, pw, dh, dw, groups`. The other layers are counted, with the
//! elements they touch: BatchNorm2d (16) and pooling (7, 13) by their input `N·C·H·W`, activations
//! (22) and add/concat (23, 24) by their first two numbers `N·size`, Linear (21) by `in·out`.

use crate::error::{PredictorError, Result};
use einf_parser::ir::DType;
use einf_parser::kernel::{KernelConfig, KernelKind, Role};
use std::collections::BTreeMap;
use std::path::Path;

/// The layers of one CNN.
#[derive(Debug, Clone, PartialEq)]
pub struct CnnLayers {
    /// Convolutions, as kernels named as the dataset reader names `conv2d.txt` layers.
    pub kernels: Vec<(KernelKind, KernelConfig)>,
    /// Number of non-convolution layers (dropout excluded).
    pub other_layers: f64,
    /// Elements those layers touch.
    pub other_elements: f64,
}

/// Parameter-vector length per layer id (upstream `get_params_length`).
fn params_len(id: u32) -> Option<usize> {
    const L: [usize; 27] =
        [13, 19, 25, 14, 20, 26, 11, 17, 23, 9, 14, 19, 7, 9, 11, 4, 5, 6, 4, 5, 6, 4, 6, 3, 3, 5, 6];
    L.get(id as usize).copied()
}

/// The kernel of a 19-number Conv2d vector.
pub fn conv_kernel(p: &[u64]) -> Option<(KernelKind, KernelConfig)> {
    let [n, cin, h, w, _, cout, oh, ow, _, _, kh, kw, sh, sw, ph, pw, dh, dw, g] = *p else { return None };
    let base = if g == 1 {
        Role::Conv
    } else if g == cin {
        Role::DwConv
    } else {
        Role::GroupConv
    };
    let config = KernelConfig {
        batch: n,
        input_h: h,
        input_w: w,
        output_h: oh,
        output_w: ow,
        cin,
        cout,
        kernel_h: kh,
        kernel_w: kw,
        stride_h: sh,
        stride_w: sw,
        pads: [ph, pw, ph, pw],
        dilation_h: dh,
        dilation_w: dw,
        groups: g,
        dtype: DType::F32,
        input_channels: Vec::new(),
    };
    Some((KernelKind::from_roles(&[base]), config))
}

/// Read the CNNs of one testset file, by model name.
pub fn read(path: &Path) -> Result<BTreeMap<String, CnnLayers>> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| PredictorError::Io { path: path.to_path_buf(), source })?;
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let err = |reason: String| PredictorError::DataFile { path: path.to_path_buf(), line: i + 1, reason };
        let cols: Vec<&str> = line.split_whitespace().collect();
        let [name, params, _link, ids, _energy] = cols.as_slice() else {
            return Err(err(format!("{} columns, expected 5", cols.len())));
        };
        let params: Vec<f64> = params
            .split(',')
            .map(|s| s.parse::<f64>().map_err(|e| err(format!("layer_parameters: '{s}': {e}"))))
            .collect::<Result<_>>()?;
        let ids: Vec<u32> = ids
            .split(',')
            .map(|s| s.parse::<u32>().map_err(|e| err(format!("layer_id: '{s}': {e}"))))
            .collect::<Result<_>>()?;
        let mut layers = CnnLayers { kernels: Vec::new(), other_layers: 0.0, other_elements: 0.0 };
        let mut pos = 0usize;
        for (li, &id) in ids.iter().enumerate() {
            let len = params_len(id).ok_or_else(|| err(format!("layer {li}: unknown layer id {id}")))?;
            let p =
                params.get(pos..pos + len).ok_or_else(|| err(format!("layer {li}: parameters end early")))?;
            pos += len;
            if p.iter().any(|v| !v.is_finite()) {
                return Err(err(format!("layer {li}: a parameter is not finite")));
            }
            let at = |j: usize| p.get(j).copied().unwrap_or(0.0);
            match id {
                1 => {
                    if p.iter().any(|v| *v < 0.0 || v.fract() != 0.0) {
                        return Err(err(format!(
                            "layer {li}: a Conv2d parameter is not a whole number >= 0"
                        )));
                    }
                    let ints: Vec<u64> = p.iter().map(|v| *v as u64).collect();
                    let k = conv_kernel(&ints).ok_or_else(|| err(format!("layer {li}: bad Conv2d")))?;
                    layers.kernels.push(k);
                }
                18..=20 | 25 | 26 => {}
                16 | 7 | 13 => {
                    layers.other_layers += 1.0;
                    layers.other_elements += at(0) * at(1) * at(2) * at(3);
                }
                21 => {
                    layers.other_layers += 1.0;
                    layers.other_elements += at(1) * at(3);
                }
                _ => {
                    layers.other_layers += 1.0;
                    layers.other_elements += at(0) * at(1);
                }
            }
        }
        if pos != params.len() {
            return Err(err(format!("{} parameters left after the last layer", params.len() - pos)));
        }
        out.insert(name.to_string(), layers);
    }
    Ok(out)
}
