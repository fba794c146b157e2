//! GoogLeNet (Szegedy et al. 2015) as torchvision defines it (`torchvision/models/googlenet.py`):
//! every conv followed by BatchNorm and ReLU, ceil-mode max pooling, nine Inception modules, no
//! auxiliary classifiers (torchvision drops them when it loads its weights). As in torchvision,
//! the "5×5" branch uses a 3×3 convolution; the input transform is left out (no MACs).

use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net, Pad, Pool};

/// 1×1, 3×3 reduce, 3×3, "5×5" reduce, "5×5", pool projection; `None` marks a max pool.
type Inception = Option<[u64; 6]>;

const MODULES: [Inception; 11] = [
    Some([64, 96, 128, 16, 32, 32]),
    Some([128, 128, 192, 32, 96, 64]),
    None,
    Some([192, 96, 208, 16, 48, 64]),
    Some([160, 112, 224, 24, 64, 64]),
    Some([128, 128, 256, 24, 64, 64]),
    Some([112, 144, 288, 32, 64, 64]),
    Some([256, 160, 320, 32, 128, 128]),
    None,
    Some([256, 160, 320, 32, 128, 128]),
    Some([384, 192, 384, 48, 128, 128]),
];

const NAMES: [&str; 11] = ["3a", "3b", "maxpool3", "4a", "4b", "4c", "4d", "4e", "maxpool4", "5a", "5b"];

fn inception(net: &mut Net, x: Fm, c: [u64; 6]) -> Result<Fm> {
    let c = c.map(|v| net.ch(v));
    let b1 = net.conv(x, Conv::new(c[0], 1))?;
    let b2 = net.conv(x, Conv::new(c[1], 1))?;
    let b2 = net.conv(b2, Conv::new(c[2], 3))?;
    let b3 = net.conv(x, Conv::new(c[3], 1))?;
    let b3 = net.conv(b3, Conv::new(c[4], 3))?;
    let b4 = net.pool(x, Pool::max(3, 1, 1).ceil())?;
    let b4 = net.conv(b4, Conv::new(c[5], 1))?;
    net.concat(&[b1, b2, b3, b4])
}

pub(super) fn googlenet(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    net.scope("stem");
    let c = net.ch(64);
    let x = net.conv(x, Conv::new(c, 7).s(2).pad(Pad::Sym(3)))?;
    let x = net.pool(x, Pool::max(3, 2, 0).ceil())?;
    let c = net.ch(64);
    let x = net.conv(x, Conv::new(c, 1))?;
    let c = net.ch(192);
    let x = net.conv(x, Conv::new(c, 3))?;
    let mut x = net.pool(x, Pool::max(3, 2, 0).ceil())?;
    for (m, name) in MODULES.into_iter().zip(NAMES) {
        net.scope(format!("inception{name}"));
        x = match m {
            Some(c) => inception(net, x, c)?,
            None if name == "maxpool3" => net.pool(x, Pool::max(3, 2, 0).ceil())?,
            None => net.pool(x, Pool::max(2, 2, 0).ceil())?,
        };
    }
    net.scope("head");
    let x = net.gap(x);
    net.fc(x, classes, Act::None)
}
