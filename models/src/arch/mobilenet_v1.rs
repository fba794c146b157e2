//! MobileNetV1 (Howard et al. 2017, Table 1): a 3×3 stride-2 conv, 13 depthwise-separable
//! pairs, global average pooling and a fully connected classifier. ReLU as in the paper, padding
//! `k/2` on every side, channel counts `int(c · α)` as Keras rounds them.

use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net};

/// Output channels and stride of the 13 depthwise-separable pairs.
pub(super) const PAIRS: [(u64, u64); 13] = [
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
];

pub(super) fn mobilenet_v1(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    net.scope("stem");
    let c = net.ch(32);
    let mut x = net.conv(x, Conv::new(c, 3).s(2))?;
    for (i, (c, s)) in PAIRS.into_iter().enumerate() {
        net.scope(format!("pair{}", i + 1));
        x = net.dw(x, 3, s, Act::Relu)?;
        let c = net.ch(c);
        x = net.pw(x, c, Act::Relu)?;
    }
    net.scope("head");
    let x = net.gap(x);
    net.fc(x, classes, Act::None)
}
