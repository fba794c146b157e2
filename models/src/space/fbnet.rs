//! The FBNet space (Wu et al., CVPR 2019) as HW-NAS-Bench defines it and HELP indexes it:
//! 22 searchable layers, each one of 9 blocks (`hw_nas_bench_api/fbnet_models/model_infer.py`,
//! RICE-EIC/HW-NAS-Bench):
//!
//! | index | block      | index | block      |
//! |-------|------------|-------|------------|
//! | 0     | `k3_e1`    | 5     | `k5_e1_g2` |
//! | 1     | `k3_e1_g2` | 6     | `k5_e3`    |
//! | 2     | `k3_e3`    | 7     | `k5_e6`    |
//! | 3     | `k3_e6`    | 8     | `skip`     |
//! | 4     | `k5_e1`    |       |            |
//!
//! A `kK_eE_gG` block: 1×1 conv (groups G, C_in → E·C_in) + BN + ReLU, a channel shuffle when
//! G > 1, depthwise K×K (stride s, padding ⌈(K − s)/2⌉) + BN + ReLU, 1×1 conv (groups G →
//! C_out) + BN, and the input added when C_in = C_out and s = 1 (the expansion conv is there even
//! for E = 1). `skip` is the identity, or 1×1 conv (stride s) + BN + ReLU when the shape changes.
//!
//! Macro structure, CIFAR-100 setting: stem 3×3 conv (3 → 16, stride 1) + BN + ReLU; stages of
//! 1, 4, 4, 4, 4, 4, 1 layers at 16, 24, 32, 64, 112, 184, 352 channels with first-layer strides
//! 1, 1, 2, 2, 1, 2, 1; head 1×1 conv to 1504 + BN + ReLU, global average pooling, fully
//! connected to 100 classes; input 32×32.
//!
//! HELP's FBNet latencies are HW-NAS-Bench's CIFAR-100 numbers: its columns taken from
//! HW-NAS-Bench (eyeriss, fpga, pixel3, raspi4) fall between HW-NAS-Bench's CIFAR-100 figures
//! for the all-`k3_e1` network (eyeriss 3.94 ms, pixel3 7.79 ms) and far below its ImageNet
//! ones (18.1 ms, 27.5 ms) for HELP's architecture 0, which is mostly `k5_e6` blocks
//! (eyeriss 5.23 ms, pixel3 17.6 ms). The ImageNet setting (224×224, stem stride 2, first
//! stride 2 in stage 2, head 1984, 1000 classes) is [`Setting::ImageNet`].

use crate::error::{ModelsError, Result};
use crate::net::{Act, Conv, Fm, Net, Pad};
use crate::options::{ArchOptions, Rounding};
use einf_parser::ir::Graph;

/// Number of searchable layers.
pub const LAYERS: usize = 22;
/// Number of block choices per layer.
pub const CHOICES: u8 = 9;
/// Layers per stage.
pub const STAGE_LAYERS: [usize; 7] = [1, 4, 4, 4, 4, 4, 1];
/// Output channels per stage.
pub const STAGE_CHANNELS: [u64; 7] = [16, 24, 32, 64, 112, 184, 352];
/// Stem output channels.
pub const STEM: u64 = 16;

/// Block names, by index.
pub const BLOCKS: [&str; 9] =
    ["k3_e1", "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1", "k5_e1_g2", "k5_e3", "k5_e6", "skip"];

/// Kernel, expansion and groups of the convolution blocks (indices 0..8).
const CONV_BLOCKS: [(u64, u64, u64); 8] =
    [(3, 1, 1), (3, 1, 2), (3, 3, 1), (3, 6, 1), (5, 1, 1), (5, 1, 2), (5, 3, 1), (5, 6, 1)];

/// Which dataset setting the macro structure follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setting {
    /// CIFAR-100, 32×32 (HW-NAS-Bench's and HELP's tables).
    Cifar100,
    /// ImageNet, 224×224.
    ImageNet,
}

impl Setting {
    pub(crate) fn input(self) -> u64 {
        match self {
            Setting::Cifar100 => 32,
            Setting::ImageNet => 224,
        }
    }
    pub(crate) fn stem_stride(self) -> u64 {
        match self {
            Setting::Cifar100 => 1,
            Setting::ImageNet => 2,
        }
    }
    pub(crate) fn strides(self) -> [u64; 7] {
        match self {
            Setting::Cifar100 => [1, 1, 2, 2, 1, 2, 1],
            Setting::ImageNet => [1, 2, 2, 2, 1, 2, 1],
        }
    }
    pub(crate) fn head(self) -> u64 {
        match self {
            Setting::Cifar100 => 1504,
            Setting::ImageNet => 1984,
        }
    }
    pub(crate) fn classes(self) -> u64 {
        match self {
            Setting::Cifar100 => 100,
            Setting::ImageNet => 1000,
        }
    }
}

/// An FBNet architecture: one block index (0..=8) per layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FbnetArch {
    /// Block index of each layer.
    pub blocks: [u8; LAYERS],
}

impl FbnetArch {
    /// Parse 22 block indices separated by spaces or commas (HELP's `op_idx_list`, with or
    /// without brackets).
    pub fn parse(s: &str) -> Result<FbnetArch> {
        let bad =
            |message: String| ModelsError::Candidate { space: "fbnet".into(), input: s.to_string(), message };
        let inner = s.trim().trim_start_matches('[').trim_end_matches(']');
        let parts: Vec<&str> =
            inner.split(|c: char| c == ',' || c.is_whitespace()).filter(|p| !p.is_empty()).collect();
        if parts.len() != LAYERS {
            return Err(bad(format!("{} block indices, expected {LAYERS}", parts.len())));
        }
        let mut blocks = [0u8; LAYERS];
        for (slot, p) in blocks.iter_mut().zip(&parts) {
            *slot = p
                .parse::<u8>()
                .ok()
                .filter(|&b| b < CHOICES)
                .ok_or_else(|| bad(format!("'{p}' is not a block index 0..={}", CHOICES - 1)))?;
        }
        Ok(FbnetArch { blocks })
    }

    /// The architecture from a number `< 9²²` written in base 9, first layer most significant.
    pub fn from_number(mut n: u128) -> FbnetArch {
        let mut blocks = [0u8; LAYERS];
        for slot in blocks.iter_mut().rev() {
            *slot = (n % u128::from(CHOICES)) as u8;
            n /= u128::from(CHOICES);
        }
        FbnetArch { blocks }
    }
}

impl std::fmt::Display for FbnetArch {
    /// Space-separated indices, as in HELP's table.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, b) in self.blocks.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{b}")?;
        }
        Ok(())
    }
}

/// One searchable layer.
pub(crate) fn layer(net: &mut Net, x: Fm, block: u8, cout: u64, stride: u64) -> Result<Fm> {
    let Some(&(k, e, g)) = CONV_BLOCKS.get(usize::from(block)) else {
        // skip
        if stride == 1 && x.c == cout {
            return Ok(x);
        }
        return net.conv(x, Conv::new(cout, 1).s(stride));
    };
    let mid = x.c * e;
    let mut y = net.conv(x, Conv::new(mid, 1).groups(g))?;
    if g > 1 {
        y = net.channel_shuffle(y, g)?;
    }
    let pad = (k - stride).div_ceil(2);
    y = net.conv(y, Conv::new(mid, k).s(stride).pad(Pad::Sym(pad)).groups(mid))?;
    y = net.conv(y, Conv::new(cout, 1).groups(g).act(Act::None))?;
    if x.c == cout && stride == 1 { net.add(y, x) } else { Ok(y) }
}

/// The stem: 3×3 conv (3 → [`STEM`]) + BN + ReLU.
pub(crate) fn stem(net: &mut Net, x: Fm, setting: Setting) -> Result<Fm> {
    net.conv(x, Conv::new(STEM, 3).s(setting.stem_stride()))
}

/// The head: 1×1 conv + BN + ReLU, global average pooling, fully connected.
pub(crate) fn head(net: &mut Net, x: Fm, setting: Setting) -> Result<Fm> {
    let y = net.pw(x, setting.head(), Act::Relu)?;
    let y = net.gap(y);
    net.fc(y, setting.classes(), Act::None)
}

/// The whole network of `arch` in `setting`, shape-inferred.
pub fn build(arch: &FbnetArch, setting: Setting) -> Result<Graph> {
    let r = setting.input();
    let (mut net, x) = Net::new("fbnet", (3, r, r), &ArchOptions::default(), Rounding::Divisible(1))?;
    net.scope("stem");
    let mut x = stem(&mut net, x, setting)?;
    let mut l = 0;
    for (s, (&n, &c)) in STAGE_LAYERS.iter().zip(&STAGE_CHANNELS).enumerate() {
        for i in 0..n {
            net.scope(format!("layer{}", l + 1));
            let stride = if i == 0 { setting.strides()[s] } else { 1 };
            x = layer(&mut net, x, arch.blocks[l], c, stride)?;
            l += 1;
        }
    }
    net.scope("head");
    let y = head(&mut net, x, setting)?;
    net.finish(&[y])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_lists_parse_and_print() {
        let s = "7 8 1 8 4 8 8 8 7 4 1 4 7 3 2 7 3 2 4 2 4 5";
        let a = FbnetArch::parse(s).unwrap();
        assert_eq!(a.to_string(), s);
        assert_eq!(FbnetArch::parse(&format!("[{}]", s.replace(' ', ", "))).unwrap(), a);
        assert_eq!(FbnetArch::from_number(0).blocks, [0; LAYERS]);
        assert_eq!(FbnetArch::from_number(8).blocks[LAYERS - 1], 8);
        for bad in [
            "",
            "1 2 3",
            "9 8 1 8 4 8 8 8 7 4 1 4 7 3 2 7 3 2 4 2 4 5",
            "a 8 1 8 4 8 8 8 7 4 1 4 7 3 2 7 3 2 4 2 4 5",
        ] {
            assert!(matches!(FbnetArch::parse(bad), Err(ModelsError::Candidate { .. })), "{bad}");
        }
    }
}
