//! MnasNet (Tan et al. 2019).
//!
//! - A1 (Fig. 7 of the paper; block list `r1_k3_s11_e1_i32_o16_noskip, r2_k3_s22_e6_i16_o24,
//!   r3_k5_s22_e3_i24_o40_se0.25, r4_k3_s22_e6_i40_o80, r2_k3_s11_e6_i80_o112_se0.25,
//!   r3_k5_s22_e6_i112_o160_se0.25, r1_k3_s11_e6_i160_o320` of the TensorFlow reference
//!   `mnasnet_models.py`): squeeze-excite of `int(block input · 0.25)` channels with ReLU and
//!   sigmoid, ReLU elsewhere.
//! - B1 1.0 as torchvision's `mnasnet1_0` (`torchvision/models/mnasnet.py`): no squeeze-excite,
//!   every block expands.

use super::mbconv::{MbConv, Se, StageWidths, mbconv};
use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net};

/// repeats, kernel, stride, expansion, output channels, squeeze-excite.
type Stage = (u64, u64, u64, u64, u64, bool);

const A1: [Stage; 6] = [
    (2, 3, 2, 6, 24, false),
    (3, 5, 2, 3, 40, true),
    (4, 3, 2, 6, 80, false),
    (2, 3, 1, 6, 112, true),
    (3, 5, 2, 6, 160, true),
    (1, 3, 1, 6, 320, false),
];

const B1: [Stage; 6] = [
    (3, 3, 2, 3, 24, false),
    (3, 5, 2, 3, 40, false),
    (3, 5, 2, 6, 80, false),
    (2, 3, 1, 6, 96, false),
    (4, 5, 2, 6, 192, false),
    (1, 3, 1, 6, 320, false),
];

fn mnasnet(net: &mut Net, x: Fm, classes: u64, stages: &[Stage]) -> Result<Fm> {
    net.scope("stem");
    let c = net.ch(32);
    let x = net.conv(x, Conv::new(c, 3).s(2))?;
    let x = net.dw(x, 3, 1, Act::Relu)?;
    let c = net.ch(16);
    let mut x = net.conv(x, Conv::new(c, 1).act(Act::None))?;
    let mut widths = StageWidths::new();
    for (i, &(n, k, s, e, out, se)) in stages.iter().enumerate() {
        let out = widths.get(net, out);
        for j in 0..n {
            net.scope(format!("stage{}.{j}", i + 1));
            let exp = net.vary(x.c * e);
            let se = if se {
                let mid = net.vary((x.c / 4).max(1));
                Some(Se { mid, inner: Act::Relu, gate: Act::Sigmoid })
            } else {
                None
            };
            let stride = if j == 0 { s } else { 1 };
            x = mbconv(net, x, MbConv { exp, out, k, stride, act: Act::Relu, se, skip: true })?;
        }
    }
    net.scope("head");
    let c = net.ch(1280);
    let x = net.pw(x, c, Act::Relu)?;
    let x = net.gap(x);
    net.fc(x, classes, Act::None)
}

pub(super) fn a1(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    mnasnet(net, x, classes, &A1)
}

pub(super) fn b1(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    mnasnet(net, x, classes, &B1)
}
