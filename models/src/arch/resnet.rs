//! ResNet-18/34/50/101 and ResNeXt-50 32×4d as torchvision defines them
//! (`torchvision/models/resnet.py`): v1.5 bottlenecks (the stride in the 3×3 conv), projection
//! shortcuts (1×1 conv + BatchNorm) where the shape changes.
//!
//! Variants: the output width of each stage is one decision (residual sums need it equal across
//! the stage); the inner width of every block is its own decision.

use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net, Pad, Pool};

#[derive(Clone, Copy)]
enum Block {
    Basic,
    /// Bottleneck with `groups` and `width_per_group` (64 and 1 for plain ResNet).
    Bottleneck {
        groups: u64,
        width_per_group: u64,
    },
}

fn shortcut(net: &mut Net, x: Fm, out: u64, stride: u64) -> Result<Fm> {
    if stride != 1 || x.c != out { net.conv(x, Conv::new(out, 1).s(stride).act(Act::None)) } else { Ok(x) }
}

fn resnet(net: &mut Net, x: Fm, classes: u64, block: Block, layers: [u64; 4]) -> Result<Fm> {
    net.scope("stem");
    let c = net.ch(64);
    let x = net.conv(x, Conv::new(c, 7).s(2).pad(Pad::Sym(3)))?;
    let mut x = net.pool(x, Pool::max(3, 2, 1))?;
    for (i, (&planes, &blocks)) in [64u64, 128, 256, 512].iter().zip(&layers).enumerate() {
        let out = match block {
            Block::Basic => net.ch(planes),
            Block::Bottleneck { .. } => net.ch(planes * 4),
        };
        for b in 0..blocks {
            net.scope(format!("layer{}.{b}", i + 1));
            let stride = if i > 0 && b == 0 { 2 } else { 1 };
            let y = match block {
                Block::Basic => {
                    let mid = net.ch(planes);
                    let y = net.conv(x, Conv::new(mid, 3).s(stride))?;
                    net.conv(y, Conv::new(out, 3).act(Act::None))?
                }
                Block::Bottleneck { groups, width_per_group } => {
                    let width = net.ch_div(planes * width_per_group / 64 * groups, groups);
                    let y = net.conv(x, Conv::new(width, 1))?;
                    let y = net.conv(y, Conv::new(width, 3).s(stride).groups(groups))?;
                    net.conv(y, Conv::new(out, 1).act(Act::None))?
                }
            };
            let s = shortcut(net, x, out, stride)?;
            let sum = net.add(y, s)?;
            x = net.act(sum, Act::Relu)?;
        }
    }
    net.scope("head");
    let x = net.gap(x);
    net.fc(x, classes, Act::None)
}

const BOTTLENECK: Block = Block::Bottleneck { groups: 1, width_per_group: 64 };

pub(super) fn resnet18(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    resnet(net, x, classes, Block::Basic, [2, 2, 2, 2])
}

pub(super) fn resnet34(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    resnet(net, x, classes, Block::Basic, [3, 4, 6, 3])
}

pub(super) fn resnet50(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    resnet(net, x, classes, BOTTLENECK, [3, 4, 6, 3])
}

pub(super) fn resnet101(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    resnet(net, x, classes, BOTTLENECK, [3, 4, 23, 3])
}

pub(super) fn resnext50(net: &mut Net, x: Fm, classes: u64) -> Result<Fm> {
    resnet(net, x, classes, Block::Bottleneck { groups: 32, width_per_group: 4 }, [3, 4, 6, 3])
}
