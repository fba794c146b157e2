//! VGG-11/16/19 (Simonyan & Zisserman 2015, configurations A, D, E) as torchvision defines
//! them (`torchvision/models/vgg.py`, without BatchNorm): 3×3 convolutions with bias and ReLU,
//! 2×2 max pooling, three fully connected layers.

use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net, Pool};

/// `0` marks a max pool.
const A: &[u64] = &[64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0];
const D: &[u64] = &[64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0];
const E: &[u64] =
    &[64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0];

fn vgg(net: &mut Net, mut x: Fm, classes: u64, cfg: &[u64]) -> Result<Fm> {
    net.scope("features");
    for &c in cfg {
        x = if c == 0 {
            net.pool(x, Pool::max(2, 2, 0))?
        } else {
            let c = net.ch(c);
            net.conv(x, Conv::new(c, 3).no_bn())?
        };
    }
    classifier(net, x, classes)
}

/// The classifier torchvision gives VGG and AlexNet (dropout left out): two fully connected
/// layers of 4096 with ReLU, then one to `classes`.
pub(super) fn classifier(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    net.scope("classifier");
    let c = net.ch(4096);
    let x = net.fc(x, c, Act::Relu)?;
    let c = net.ch(4096);
    let x = net.fc(x, c, Act::Relu)?;
    net.fc(x, classes, Act::None)
}

pub(super) fn vgg11(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    vgg(net, x, classes, A)
}

pub(super) fn vgg16(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    vgg(net, x, classes, D)
}

pub(super) fn vgg19(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    vgg(net, x, classes, E)
}
