//! ProxylessNAS-Mobile (Cai, Zhu, Han 2019): the searched mobile network, block by block as in
//! the released `proxyless_mobile` net config (also tabulated by osmr/imgclsmob's
//! `proxylessnas.py`): a 3×3 stem, MBConv blocks with ReLU6 whose kernel (3, 5, 7) and
//! expansion (3, 6) were searched, "zero" blocks left out, a 1×1 conv to 1280 and a classifier.

use super::mbconv::{MbConv, StageWidths, mbconv};
use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net};

/// Per block: output channels, kernel, expansion, stride; blocks the search made "zero"
/// (identity) are not listed.
const BLOCKS: [(u64, u64, u64, u64); 19] = [
    (16, 3, 1, 1),
    (32, 5, 3, 2),
    (32, 3, 3, 1),
    (40, 7, 3, 2),
    (40, 3, 3, 1),
    (40, 5, 3, 1),
    (40, 5, 3, 1),
    (80, 7, 6, 2),
    (80, 5, 3, 1),
    (80, 5, 3, 1),
    (80, 5, 3, 1),
    (96, 5, 6, 1),
    (96, 5, 3, 1),
    (96, 5, 3, 1),
    (96, 5, 3, 1),
    (192, 7, 6, 2),
    (192, 7, 6, 1),
    (192, 7, 3, 1),
    (192, 7, 3, 1),
];

pub(super) fn mobile(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    net.scope("first_conv");
    let c = net.ch(32);
    let mut x = net.conv(x, Conv::new(c, 3).s(2).act(Act::Relu6))?;
    let mut widths = StageWidths::new();
    let blocks = BLOCKS.iter().chain(&[(320, 7, 6, 1)]);
    for (i, &(out, k, e, s)) in blocks.enumerate() {
        net.scope(format!("blocks.{i}"));
        let out = widths.get(net, out);
        let exp = net.vary(x.c * e);
        // The first block has no residual (its input and output widths differ), nor has the last.
        x = mbconv(net, x, MbConv { exp, out, k, stride: s, act: Act::Relu6, se: None, skip: i > 0 })?;
    }
    net.scope("feature_mix_layer");
    let c = net.ch(1280);
    let x = net.pw(x, c, Act::Relu6)?;
    let x = net.gap(x);
    net.fc(x, classes, Act::None)
}
