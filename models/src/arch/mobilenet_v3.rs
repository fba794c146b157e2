//! MobileNetV3-Large and -Small as torchvision defines them (`torchvision/models/mobilenetv3.py`,
//! `_mobilenet_v3_conf`): channels `_make_divisible(c · width, 8)`, squeeze-excite of
//! `_make_divisible(expanded // 4, 8)` channels with ReLU and hard sigmoid, last conv 6× the
//! last block's width, a 2-layer classifier with hard swish.

use super::mbconv::{MbConv, Se, StageWidths, mbconv};
use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net};
use crate::options::make_divisible;

/// kernel, expanded, out, squeeze-excite, hard swish (else ReLU), stride.
type Row = (u64, u64, u64, bool, bool, u64);

const LARGE: [Row; 15] = [
    (3, 16, 16, false, false, 1),
    (3, 64, 24, false, false, 2),
    (3, 72, 24, false, false, 1),
    (5, 72, 40, true, false, 2),
    (5, 120, 40, true, false, 1),
    (5, 120, 40, true, false, 1),
    (3, 240, 80, false, true, 2),
    (3, 200, 80, false, true, 1),
    (3, 184, 80, false, true, 1),
    (3, 184, 80, false, true, 1),
    (3, 480, 112, true, true, 1),
    (3, 672, 112, true, true, 1),
    (5, 672, 160, true, true, 2),
    (5, 960, 160, true, true, 1),
    (5, 960, 160, true, true, 1),
];

const SMALL: [Row; 11] = [
    (3, 16, 16, true, false, 2),
    (3, 72, 24, false, false, 2),
    (3, 88, 24, false, false, 1),
    (5, 96, 40, true, true, 2),
    (5, 240, 40, true, true, 1),
    (5, 240, 40, true, true, 1),
    (5, 120, 48, true, true, 1),
    (5, 144, 48, true, true, 1),
    (5, 288, 96, true, true, 2),
    (5, 576, 96, true, true, 1),
    (5, 576, 96, true, true, 1),
];

fn mobilenet_v3(net: &mut Net, x: Fm, classes: u64, rows: &[Row], last_channel: u64) -> Result<Fm> {
    net.scope("stem");
    let c = net.ch(16);
    let mut x = net.conv(x, Conv::new(c, 3).s(2).act(Act::HardSwish))?;
    let mut widths = StageWidths::new();
    for (i, &(k, exp, out, se, hs, s)) in rows.iter().enumerate() {
        net.scope(format!("block{}", i + 1));
        let exp = net.ch(exp);
        let out = widths.get(net, out);
        let se = if se {
            let mid = make_divisible((exp / 4) as f64, 8);
            Some(Se { mid: net.vary(mid), inner: Act::Relu, gate: Act::HardSigmoid })
        } else {
            None
        };
        let act = if hs { Act::HardSwish } else { Act::Relu };
        x = mbconv(net, x, MbConv { exp, out, k, stride: s, act, se, skip: true })?;
    }
    net.scope("head");
    let c = net.vary(6 * x.c);
    let x = net.pw(x, c, Act::HardSwish)?;
    let x = net.gap(x);
    let c = net.ch(last_channel);
    let x = net.fc(x, c, Act::HardSwish)?;
    net.fc(x, classes, Act::None)
}

pub(super) fn large(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    mobilenet_v3(net, x, classes, &LARGE, 1280)
}

pub(super) fn small(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    mobilenet_v3(net, x, classes, &SMALL, 1024)
}
