//! MobileNetV2 as torchvision defines it (`torchvision/models/mobilenetv2.py`): channels
//! `_make_divisible(c · width, 8)`, hidden width `round(inp · t)`, last conv
//! `_make_divisible(1280 · max(1, width), 8)`, ReLU6.

use super::mbconv::{MbConv, mbconv};
use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net};

/// Expansion t, output channels c, repeats n, stride s of the seven stages.
const STAGES: [(u64, u64, u64, u64); 7] = [
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
];

pub(super) fn mobilenet_v2(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    net.scope("stem");
    let c = net.ch(32);
    let mut x = net.conv(x, Conv::new(c, 3).s(2).act(Act::Relu6))?;
    for (i, (t, c, n, s)) in STAGES.into_iter().enumerate() {
        let out = net.ch(c);
        for j in 0..n {
            net.scope(format!("stage{}.{j}", i + 1));
            let exp = net.vary(x.c * t);
            let stride = if j == 0 { s } else { 1 };
            let b = MbConv { exp, out, k: 3, stride, act: Act::Relu6, se: None, skip: true };
            x = mbconv(net, x, b)?;
        }
    }
    net.scope("head");
    let last = if net.width() > 1.0 { net.ch(1280) } else { net.vary(1280) };
    let x = net.pw(x, last, Act::Relu6)?;
    let x = net.gap(x);
    net.fc(x, classes, Act::None)
}
