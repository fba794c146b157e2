//! DenseNet-121 as torchvision defines it (`torchvision/models/densenet.py`): growth rate 32,
//! bottleneck width 4 × 32, blocks of 6, 12, 24 and 16 pre-activation layers (BatchNorm, ReLU,
//! conv), transitions halving the channels with a 2×2 average pool. Each layer concatenates
//! its output to the running feature map (torchvision concatenates the whole list once per
//! layer: the same arithmetic).

use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net, Pad, Pool};

pub(super) fn densenet121(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    let (growth, bn_size) = (32u64, 4u64);
    net.scope("features");
    let c = net.ch(64);
    let x = net.conv(x, Conv::new(c, 7).s(2).pad(Pad::Sym(3)))?;
    let mut x = net.pool(x, Pool::max(3, 2, 1))?;
    for (i, layers) in [6u64, 12, 24, 16].into_iter().enumerate() {
        for j in 0..layers {
            net.scope(format!("denseblock{}.layer{}", i + 1, j + 1));
            let y = net.bn(x);
            let y = net.act(y, Act::Relu)?;
            let mid = net.ch(bn_size * growth);
            let y = net.conv(y, Conv::new(mid, 1))?;
            let g = net.ch(growth);
            let y = net.conv(y, Conv::new(g, 3).plain())?;
            x = net.concat(&[x, y])?;
        }
        if i < 3 {
            net.scope(format!("transition{}", i + 1));
            let y = net.bn(x);
            let y = net.act(y, Act::Relu)?;
            let c = net.vary(x.c / 2);
            let y = net.conv(y, Conv::new(c, 1).plain())?;
            x = net.pool(y, Pool::avg(2, 2, 0))?;
        }
    }
    net.scope("head");
    let x = net.bn(x);
    let x = net.act(x, Act::Relu)?;
    let x = net.gap(x);
    net.fc(x, classes, Act::None)
}
