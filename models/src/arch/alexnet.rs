//! AlexNet as torchvision defines it (`torchvision/models/alexnet.py`): the single-tower
//! variant of Krizhevsky's "One weird trick" paper, convolutions with bias, no LRN.

use crate::error::Result;
use crate::net::{Conv, Fm, Net, Pad, Pool};

pub(super) fn alexnet(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    net.scope("features");
    let c = net.ch(64);
    let x = net.conv(x, Conv::new(c, 11).s(4).pad(Pad::Sym(2)).no_bn())?;
    let x = net.pool(x, Pool::max(3, 2, 0))?;
    let c = net.ch(192);
    let x = net.conv(x, Conv::new(c, 5).no_bn())?;
    let mut x = net.pool(x, Pool::max(3, 2, 0))?;
    for c in [384, 256, 256] {
        let c = net.ch(c);
        x = net.conv(x, Conv::new(c, 3).no_bn())?;
    }
    let x = net.pool(x, Pool::max(3, 2, 0))?;
    super::vgg::classifier(net, x, classes)
}
