//! The inverted residual block (MobileNetV2's "MBConv") shared by the mobile families:
//! optional 1×1 expansion, depthwise k×k, optional squeeze-excite, linear 1×1 projection, and a
//! residual sum when the stride is 1 and the channels match.

use crate::error::Result;
use crate::net::{Act, Conv, Fm, Net};

/// Squeeze-excite of an MBConv block.
#[derive(Debug, Clone, Copy)]
pub(super) struct Se {
    /// Channels of the squeeze.
    pub mid: u64,
    /// Activation after the squeeze.
    pub inner: Act,
    /// Gate activation.
    pub gate: Act,
}

/// One MBConv block.
#[derive(Debug, Clone, Copy)]
pub(super) struct MbConv {
    /// Expanded channels (no expansion conv when equal to the input channels).
    pub exp: u64,
    /// Output channels.
    pub out: u64,
    /// Depthwise kernel size.
    pub k: u64,
    /// Depthwise stride.
    pub stride: u64,
    /// Activation of the expansion and depthwise convs.
    pub act: Act,
    /// Squeeze-excite, if any.
    pub se: Option<Se>,
    /// Whether a residual sum is allowed (it also needs stride 1 and equal channels).
    pub skip: bool,
}

pub(super) fn mbconv(net: &mut Net, x: Fm, b: MbConv) -> Result<Fm> {
    let mut y = x;
    if b.exp != x.c {
        y = net.pw(y, b.exp, b.act)?;
    }
    y = net.dw(y, b.k, b.stride, b.act)?;
    if let Some(se) = b.se {
        y = net.se(y, se.mid, se.inner, se.gate)?;
    }
    y = net.conv(y, Conv::new(b.out, 1).act(Act::None))?;
    if b.skip && b.stride == 1 && x.c == b.out { net.add(y, x) } else { Ok(y) }
}

/// Per-stage channel decisions: rows with the same published output width as the row before
/// share one decision, so residual sums stay valid in variants.
pub(super) struct StageWidths {
    last: Option<(u64, u64)>,
}

impl StageWidths {
    pub(super) fn new() -> Self {
        StageWidths { last: None }
    }

    /// The scaled width for a row whose published output width is `c`.
    pub(super) fn get(&mut self, net: &mut Net, c: u64) -> u64 {
        match self.last {
            Some((orig, scaled)) if orig == c => scaled,
            _ => {
                let scaled = net.ch(c);
                self.last = Some((c, scaled));
                scaled
            }
        }
    }
}
