//! A generic mobile search space: a stem, stages of inverted-residual (MBConv) blocks, a head.
//! Each stage chooses its kernel size, expansion ratio, depth and width from lists given in a
//! small TOML or JSON file:
//!
//! ```toml
//! name = "tiny-mobile"
//! input = [3, 224, 224]     # channels, height, width
//! classes = 1000
//! stem_channels = 32        # 3x3 conv, stride stem_stride, BN, act
//! stem_stride = 2
//! head_channels = 1280      # 1x1 conv, BN, act, then global pooling and the classifier
//! act = "relu6"             # relu | relu6 | hswish
//!
//! [[stages]]
//! stride = 2                # of the stage's first block
//! kernel = [3, 5]           # depthwise kernel choices (odd)
//! expansion = [3, 6]        # expansion ratio choices (1 = no expansion conv)
//! depth = [1, 2]            # block count choices
//! width = [24, 32]          # output channel choices
//! ```
//!
//! A candidate picks one value of each list per stage; it is written
//! `k3e6d2w24-k5e3d1w32` (one `kKeEdDwW` group per stage).

use crate::error::{ModelsError, Result};
use crate::net::{Act, Conv, Fm, Net};
use crate::options::{ArchOptions, Rounding};
use crate::rng::Rng;
use einf_parser::ir::Graph;
use serde::Deserialize;

/// Largest value accepted for any channel count.
const MAX_CHANNELS: u64 = 16_384;
/// Largest depth choice.
const MAX_DEPTH: u64 = 32;
/// Largest kernel choice.
const MAX_KERNEL: u64 = 15;

/// Activation of a mobile space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MobileAct {
    /// ReLU.
    Relu,
    /// ReLU6.
    Relu6,
    /// Hard swish.
    Hswish,
}

impl MobileAct {
    fn act(self) -> Act {
        match self {
            MobileAct::Relu => Act::Relu,
            MobileAct::Relu6 => Act::Relu6,
            MobileAct::Hswish => Act::HardSwish,
        }
    }
}

/// The choices of one stage.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageSpace {
    /// Stride of the first block.
    pub stride: u64,
    /// Depthwise kernel sizes.
    pub kernel: Vec<u64>,
    /// Expansion ratios.
    pub expansion: Vec<u64>,
    /// Numbers of blocks.
    pub depth: Vec<u64>,
    /// Output channels.
    pub width: Vec<u64>,
}

/// A mobile search space, as read from its file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MobileSpace {
    /// Name (used as the graph name).
    pub name: String,
    /// Input channels, height, width.
    pub input: [u64; 3],
    /// Output classes.
    pub classes: u64,
    /// Stem channels.
    pub stem_channels: u64,
    /// Stem stride.
    #[serde(default = "two")]
    pub stem_stride: u64,
    /// Head channels (0 = no head conv).
    pub head_channels: u64,
    /// Activation.
    pub act: MobileAct,
    /// Stages.
    pub stages: Vec<StageSpace>,
}

fn two() -> u64 {
    2
}

/// One stage's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StageChoice {
    /// Depthwise kernel size.
    pub kernel: u64,
    /// Expansion ratio.
    pub expansion: u64,
    /// Number of blocks.
    pub depth: u64,
    /// Output channels.
    pub width: u64,
}

/// A member of a mobile space: one choice per stage.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MobileArch {
    /// Per-stage choices.
    pub stages: Vec<StageChoice>,
}

impl std::fmt::Display for MobileArch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, s) in self.stages.iter().enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            write!(f, "k{}e{}d{}w{}", s.kernel, s.expansion, s.depth, s.width)?;
        }
        Ok(())
    }
}

impl MobileSpace {
    /// Read a space from TOML text; `file` names it in errors.
    pub fn from_toml(text: &str, file: &str) -> Result<MobileSpace> {
        let s: MobileSpace = toml::from_str(text).map_err(|e| {
            // The line of the error, and toml's message without its multi-line excerpt.
            let line = e.span().map(|r| text[..r.start.min(text.len())].lines().count().max(1));
            let message = match line {
                Some(l) => format!("line {l}: {}", e.message().trim()),
                None => e.message().trim().to_string(),
            };
            ModelsError::SpaceFile { file: file.to_string(), message }
        })?;
        s.validate(file)?;
        Ok(s)
    }

    /// Read a space from JSON text; `file` names it in errors.
    pub fn from_json(text: &str, file: &str) -> Result<MobileSpace> {
        let s: MobileSpace = serde_json::from_str(text)
            .map_err(|e| ModelsError::SpaceFile { file: file.to_string(), message: e.to_string() })?;
        s.validate(file)?;
        Ok(s)
    }

    /// Check every field; the first problem is returned as [`ModelsError::SpaceFile`].
    pub fn validate(&self, file: &str) -> Result<()> {
        let bad = |message: String| Err(ModelsError::SpaceFile { file: file.to_string(), message });
        if self.name.trim().is_empty() {
            return bad("name is empty".into());
        }
        if self.input.iter().any(|&d| d == 0 || d > 4096) {
            return bad(format!("input {:?} must be three sizes in 1..=4096", self.input));
        }
        let channels = |v: u64| (1..=MAX_CHANNELS).contains(&v);
        if !channels(self.stem_channels) || !channels(self.classes) {
            return bad(format!("stem_channels and classes must be in 1..={MAX_CHANNELS}"));
        }
        if self.head_channels > MAX_CHANNELS {
            return bad(format!("head_channels must be at most {MAX_CHANNELS}"));
        }
        if !(1..=2).contains(&self.stem_stride) {
            return bad(format!("stem_stride {} is not 1 or 2", self.stem_stride));
        }
        if self.stages.is_empty() {
            return bad("no [[stages]]".into());
        }
        for (i, s) in self.stages.iter().enumerate() {
            let n = i + 1;
            if !(1..=2).contains(&s.stride) {
                return bad(format!("stage {n}: stride {} is not 1 or 2", s.stride));
            }
            let lists: [(&str, &Vec<u64>, u64); 4] = [
                ("kernel", &s.kernel, MAX_KERNEL),
                ("expansion", &s.expansion, 16),
                ("depth", &s.depth, MAX_DEPTH),
                ("width", &s.width, MAX_CHANNELS),
            ];
            for (what, list, max) in lists {
                if list.is_empty() {
                    return bad(format!("stage {n}: {what} has no choices"));
                }
                if let Some(v) = list.iter().find(|&&v| v == 0 || v > max) {
                    return bad(format!("stage {n}: {what} {v} is not in 1..={max}"));
                }
                let mut sorted = list.clone();
                sorted.sort_unstable();
                sorted.dedup();
                if sorted.len() != list.len() {
                    return bad(format!("stage {n}: {what} lists a value twice"));
                }
            }
            if let Some(k) = s.kernel.iter().find(|&&k| k % 2 == 0) {
                return bad(format!("stage {n}: kernel {k} is even (kernels are odd, padding k/2)"));
            }
        }
        Ok(())
    }

    /// Choices per stage (kernel × expansion × depth × width).
    fn radix(&self) -> Vec<u128> {
        self.stages
            .iter()
            .map(|s| (s.kernel.len() * s.expansion.len() * s.depth.len() * s.width.len()) as u128)
            .collect()
    }

    /// Number of candidates (saturating).
    pub fn size(&self) -> u128 {
        self.radix().iter().fold(1u128, |a, &r| a.saturating_mul(r))
    }

    /// The candidate with mixed-radix number `n < size()`, first stage most significant.
    pub fn nth(&self, mut n: u128) -> MobileArch {
        let radix = self.radix();
        let mut stages = Vec::with_capacity(self.stages.len());
        for (s, &r) in self.stages.iter().zip(&radix).rev() {
            let mut d = (n % r.max(1)) as usize;
            n /= r.max(1);
            let w = s.width[d % s.width.len()];
            d /= s.width.len();
            let depth = s.depth[d % s.depth.len()];
            d /= s.depth.len();
            let e = s.expansion[d % s.expansion.len()];
            d /= s.expansion.len();
            let k = s.kernel[d % s.kernel.len()];
            stages.push(StageChoice { kernel: k, expansion: e, depth, width: w });
        }
        stages.reverse();
        MobileArch { stages }
    }

    /// A uniformly random candidate.
    pub fn random(&self, rng: &mut Rng) -> MobileArch {
        let stages = self
            .stages
            .iter()
            .map(|s| {
                let mut pick = |v: &[u64]| v.get(rng.below(v.len() as u64) as usize).copied().unwrap_or(1);
                StageChoice {
                    kernel: pick(&s.kernel),
                    expansion: pick(&s.expansion),
                    depth: pick(&s.depth),
                    width: pick(&s.width),
                }
            })
            .collect();
        MobileArch { stages }
    }

    /// Parse `k3e6d2w24-k5e3d1w32`, checking each value is one of the stage's choices.
    pub fn parse(&self, s: &str) -> Result<MobileArch> {
        let bad = |message: String| ModelsError::Candidate {
            space: self.name.clone(),
            input: s.to_string(),
            message,
        };
        let groups: Vec<&str> = s.trim().split('-').collect();
        if groups.len() != self.stages.len() {
            return Err(bad(format!("{} stage groups, the space has {}", groups.len(), self.stages.len())));
        }
        let mut stages = Vec::with_capacity(groups.len());
        for (i, (g, space)) in groups.iter().zip(&self.stages).enumerate() {
            let v = parse_group(g).ok_or_else(|| bad(format!("stage {}: '{g}' is not kKeEdDwW", i + 1)))?;
            let checks = [
                ("kernel", v.kernel, &space.kernel),
                ("expansion", v.expansion, &space.expansion),
                ("depth", v.depth, &space.depth),
                ("width", v.width, &space.width),
            ];
            for (what, value, list) in checks {
                if !list.contains(&value) {
                    return Err(bad(format!("stage {}: {what} {value} is not one of {list:?}", i + 1)));
                }
            }
            stages.push(v);
        }
        Ok(MobileArch { stages })
    }

    /// Build the network of `arch` (a member of this space), shape-inferred.
    pub fn build(&self, arch: &MobileArch) -> Result<Graph> {
        let [c, h, w] = self.input;
        let (mut net, x) = Net::new(&self.name, (c, h, w), &ArchOptions::default(), Rounding::Divisible(1))?;
        let act = self.act.act();
        net.scope("stem");
        let mut x = net.conv(x, Conv::new(self.stem_channels, 3).s(self.stem_stride).act(act))?;
        for (i, (st, ch)) in self.stages.iter().zip(&arch.stages).enumerate() {
            for b in 0..ch.depth {
                net.scope(format!("stage{}.{b}", i + 1));
                let stride = if b == 0 { st.stride } else { 1 };
                x = mbconv(&mut net, x, ch, stride, act)?;
            }
        }
        net.scope("head");
        if self.head_channels > 0 {
            x = net.pw(x, self.head_channels, act)?;
        }
        let y = net.gap(x);
        let y = net.fc(y, self.classes, Act::None)?;
        net.finish(&[y])
    }
}

fn parse_group(g: &str) -> Option<StageChoice> {
    let rest = g.strip_prefix('k')?;
    let (k, rest) = rest.split_once('e')?;
    let (e, rest) = rest.split_once('d')?;
    let (d, w) = rest.split_once('w')?;
    Some(StageChoice {
        kernel: k.parse().ok()?,
        expansion: e.parse().ok()?,
        depth: d.parse().ok()?,
        width: w.parse().ok()?,
    })
}

fn mbconv(net: &mut Net, x: Fm, ch: &StageChoice, stride: u64, act: Act) -> Result<Fm> {
    let mut y = x;
    if ch.expansion > 1 {
        y = net.pw(y, x.c * ch.expansion, act)?;
    }
    y = net.dw(y, ch.kernel, stride, act)?;
    y = net.conv(y, Conv::new(ch.width, 1).act(Act::None))?;
    if stride == 1 && x.c == ch.width { net.add(y, x) } else { Ok(y) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPACE: &str = r#"
name = "t"
input = [3, 64, 64]
classes = 10
stem_channels = 16
head_channels = 0
act = "relu"
[[stages]]
stride = 2
kernel = [3, 5]
expansion = [1, 6]
depth = [1, 2]
width = [16, 24]
"#;

    #[test]
    fn enumerates_parses_and_prints() {
        let s = MobileSpace::from_toml(SPACE, "t.toml").unwrap();
        assert_eq!(s.size(), 16);
        let all: Vec<MobileArch> = (0..16).map(|n| s.nth(n)).collect();
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 16);
        for a in &all {
            assert_eq!(&s.parse(&a.to_string()).unwrap(), a);
        }
        assert!(matches!(s.parse("k7e1d1w16"), Err(ModelsError::Candidate { .. })));
        assert!(matches!(s.parse("k3e1d1w16-k3e1d1w16"), Err(ModelsError::Candidate { .. })));
        assert!(matches!(s.parse("x3e1d1w16"), Err(ModelsError::Candidate { .. })));
    }

    #[test]
    fn bad_files_are_named_errors() {
        for (text, what) in [
            (SPACE.replace("kernel = [3, 5]", "kernel = [4]"), "even"),
            (SPACE.replace("depth = [1, 2]", "depth = []"), "no choices"),
            (SPACE.replace("stride = 2", "stride = 3"), "stride"),
            (SPACE.replace("act = \"relu\"", "act = \"gelu\""), "gelu"),
            (SPACE.replace("classes = 10", "classes = 10\nextra = 1"), "extra"),
        ] {
            match MobileSpace::from_toml(&text, "bad.toml") {
                Err(e @ ModelsError::SpaceFile { .. }) => {
                    let m = e.to_string();
                    assert!(m.contains("bad.toml") && m.contains(what), "{m}");
                }
                other => panic!("{what}: {other:?}"),
            }
        }
    }
}
