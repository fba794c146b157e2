//! SqueezeNet 1.0 and 1.1 as torchvision defines them (`torchvision/models/squeezenet.py`):
//! Fire modules (1×1 squeeze, parallel 1×1 and 3×3 expand, concatenation), convolutions with
//! bias and ReLU, ceil-mode max pooling, a 1×1 conv classifier and global average pooling.

use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net, Pad, Pool};

/// squeeze, expand 1×1, expand 3×3; `None` marks a max pool.
type Fire = Option<(u64, u64, u64)>;

const V1_0: [Fire; 11] = [
    None,
    Some((16, 64, 64)),
    Some((16, 64, 64)),
    Some((32, 128, 128)),
    None,
    Some((32, 128, 128)),
    Some((48, 192, 192)),
    Some((48, 192, 192)),
    Some((64, 256, 256)),
    None,
    Some((64, 256, 256)),
];

const V1_1: [Fire; 11] = [
    None,
    Some((16, 64, 64)),
    Some((16, 64, 64)),
    None,
    Some((32, 128, 128)),
    Some((32, 128, 128)),
    None,
    Some((48, 192, 192)),
    Some((48, 192, 192)),
    Some((64, 256, 256)),
    Some((64, 256, 256)),
];

fn squeezenet(net: &mut Net, x: Fm, classes: u64, stem: Conv, fires: &[Fire]) -> Result<Fm> {
    net.scope("stem");
    let mut x = net.conv(x, stem)?;
    for (i, fire) in fires.iter().enumerate() {
        net.scope(format!("features.{i}"));
        x = match *fire {
            None => net.pool(x, Pool::max(3, 2, 0).ceil())?,
            Some((s, e1, e3)) => {
                let (s, e1, e3) = (net.ch(s), net.ch(e1), net.ch(e3));
                let sq = net.conv(x, Conv::new(s, 1).no_bn())?;
                let a = net.conv(sq, Conv::new(e1, 1).no_bn())?;
                let b = net.conv(sq, Conv::new(e3, 3).no_bn())?;
                net.concat(&[a, b])?
            }
        };
    }
    net.scope("classifier");
    let x = net.conv(x, Conv::new(classes, 1).no_bn().act(Act::Relu))?;
    let x = net.gap(x);
    Ok(net.flatten(x))
}

pub(super) fn squeezenet1_0(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    let c = net.ch(96);
    squeezenet(net, x, classes, Conv::new(c, 7).s(2).pad(Pad::Sym(0)).no_bn(), &V1_0)
}

pub(super) fn squeezenet1_1(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    let c = net.ch(64);
    squeezenet(net, x, classes, Conv::new(c, 3).s(2).pad(Pad::Sym(0)).no_bn(), &V1_1)
}
