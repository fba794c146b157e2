//! ShuffleNetV2 1.0× as torchvision defines it (`torchvision/models/shufflenetv2.py`): channel
//! split, two branches, concatenation and channel shuffle (reshape–transpose–reshape). The final
//! mean over H and W is written as global average pooling. Widths are rounded to even numbers
//! (the channel split halves them); torchvision's other widths (0.5×: 48/96/192, 1.5×:
//! 176/352/704, 2.0×: 244/488/976 and 2048) are close to, not equal to, this rounding.

use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net, Pool};

fn dw_linear(net: &mut Net, x: Fm, s: u64) -> Result<Fm> {
    net.dw(x, 3, s, Act::None)
}

fn unit(net: &mut Net, x: Fm, out: u64, stride: u64) -> Result<Fm> {
    let bf = out / 2;
    let y = if stride == 1 {
        let half = x.c / 2;
        let parts = net.split(x, &[half, x.c - half])?;
        let (a, b) = (parts[0], parts[1]);
        let b = net.pw(b, bf, Act::Relu)?;
        let b = dw_linear(net, b, 1)?;
        let b = net.pw(b, bf, Act::Relu)?;
        net.concat(&[a, b])?
    } else {
        let a = dw_linear(net, x, stride)?;
        let a = net.pw(a, bf, Act::Relu)?;
        let b = net.pw(x, bf, Act::Relu)?;
        let b = dw_linear(net, b, stride)?;
        let b = net.pw(b, bf, Act::Relu)?;
        net.concat(&[a, b])?
    };
    net.channel_shuffle(y, 2)
}

pub(super) fn shufflenet_v2(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    net.scope("conv1");
    let c = net.ch(24);
    let x = net.conv(x, Conv::new(c, 3).s(2))?;
    let mut x = net.pool(x, Pool::max(3, 2, 1))?;
    for (i, (c, repeats)) in [(116u64, 4u64), (232, 8), (464, 4)].into_iter().enumerate() {
        // Both branches take half the output: the stage width is even, and in variants the
        // stride-1 units keep it (their split halves must match).
        let out = net.ch_div(c, 2);
        for j in 0..repeats {
            net.scope(format!("stage{}.{j}", i + 2));
            x = unit(net, x, out, if j == 0 { 2 } else { 1 })?;
        }
    }
    net.scope("conv5");
    let c = net.ch(1024);
    let x = net.pw(x, c, Act::Relu)?;
    let x = net.gap(x);
    net.fc(x, classes, Act::None)
}
