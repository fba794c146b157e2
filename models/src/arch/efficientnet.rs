//! EfficientNet-B0 as torchvision defines it (`torchvision/models/efficientnet.py`): MBConv
//! blocks with SiLU, squeeze-excite of `max(1, block input // 4)` channels (SiLU, sigmoid),
//! expanded width `_make_divisible(input · t, 8)`, a 1×1 head conv of 4× the last width.
//! Stochastic depth and dropout are identities at inference.

use super::mbconv::{MbConv, Se, mbconv};
use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net};
use crate::options::make_divisible;

/// expansion, kernel, stride, output channels, repeats.
const STAGES: [(u64, u64, u64, u64, u64); 7] = [
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
];

pub(super) fn b0(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    net.scope("stem");
    let c = net.ch(32);
    let mut x = net.conv(x, Conv::new(c, 3).s(2).act(Act::Swish))?;
    for (i, (e, k, s, out, n)) in STAGES.into_iter().enumerate() {
        let out = net.ch(out);
        for j in 0..n {
            net.scope(format!("stage{}.{j}", i + 1));
            let exp = net.vary(make_divisible((x.c * e) as f64, 8));
            let mid = net.vary((x.c / 4).max(1));
            let se = Some(Se { mid, inner: Act::Swish, gate: Act::Sigmoid });
            let stride = if j == 0 { s } else { 1 };
            x = mbconv(net, x, MbConv { exp, out, k, stride, act: Act::Swish, se, skip: true })?;
        }
    }
    net.scope("head");
    let c = net.vary(4 * x.c);
    let x = net.pw(x, c, Act::Swish)?;
    let x = net.gap(x);
    net.fc(x, classes, Act::None)
}
