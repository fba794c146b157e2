//! Per-backend fusion rules, read from small TOML files (`parser/rules/*.toml`).
//!
//! A rules file names the templates a backend executes as one kernel and the pairs of roles it
//! fuses: `"conv > relu"` means a kernel whose last role is `conv` absorbs a following `relu`
//! node when that node is the only consumer of the kernel's output. Either side may name a set
//! declared under `[sets]`.

use crate::error::{ErrorKind, Result};
use crate::kernel::Role;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// Multi-node patterns matched before pairwise fusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Template {
    /// Squeeze-and-excite: global pool → 1×1 conv/fc → act → 1×1 conv/fc → gate → multiply.
    Se,
    /// Hard swish written out: `x · relu6(x + 3) / 6` or `x · hard_sigmoid(x)`.
    Hswish,
    /// Channel shuffle: reshape → transpose of two group axes → reshape.
    ChannelShuffle,
}

impl std::str::FromStr for Template {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "se" => Ok(Template::Se),
            "hswish" => Ok(Template::Hswish),
            "channelshuffle" => Ok(Template::ChannelShuffle),
            other => Err(format!("unknown template '{other}' (se, hswish, channelshuffle)")),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    backend: String,
    description: String,
    #[serde(default)]
    evidence: Vec<String>,
    #[serde(default)]
    templates: Vec<String>,
    #[serde(default)]
    sets: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    fuse: Vec<String>,
}

/// The fusion rules of one backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Backend name (`tflite-cpu`).
    pub backend: String,
    /// One-line description.
    pub description: String,
    /// Where the rules come from.
    pub evidence: Vec<String>,
    /// Templates to match, in order.
    pub templates: Vec<Template>,
    /// Allowed (last role, next role) pairs, by token.
    pub pairs: BTreeSet<(String, String)>,
}

/// The rules files shipped with einf.
const BUILTIN: [(&str, &str); 4] = [
    ("tflite-cpu", include_str!("../../rules/tflite-cpu.toml")),
    ("tflite-gpu", include_str!("../../rules/tflite-gpu.toml")),
    ("onnxruntime-cpu", include_str!("../../rules/onnxruntime-cpu.toml")),
    ("tensorrt", include_str!("../../rules/tensorrt.toml")),
];

impl Rules {
    /// Names of the built-in backends.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// The built-in rules of a backend.
    pub fn builtin(name: &str) -> Result<Rules> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            ErrorKind::Rules(format!(
                "unknown backend '{name}' (known: {})",
                Rules::builtin_names().join(", ")
            ))
        })?;
        Rules::from_toml(text)
    }

    /// Parse a rules file.
    pub fn from_toml(text: &str) -> Result<Rules> {
        let file: RulesFile = toml::from_str(text).map_err(|e| ErrorKind::Rules(e.to_string()))?;
        let templates = file
            .templates
            .iter()
            .map(|t| t.parse::<Template>())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(ErrorKind::Rules)?;
        let expand = |name: &str| -> Result<Vec<String>> {
            if let Some(set) = file.sets.get(name) {
                return set.iter().map(|t| check_token(t)).collect();
            }
            Ok(vec![check_token(name)?])
        };
        let mut pairs = BTreeSet::new();
        for rule in &file.fuse {
            let (a, b) = rule
                .split_once('>')
                .ok_or_else(|| ErrorKind::Rules(format!("rule '{rule}' is not 'a > b'")))?;
            for x in expand(a.trim())? {
                for y in expand(b.trim())? {
                    pairs.insert((x.clone(), y));
                }
            }
        }
        Ok(Rules {
            backend: file.backend,
            description: file.description,
            evidence: file.evidence,
            templates,
            pairs,
        })
    }

    /// Whether a kernel ending in `last` absorbs a following `next`.
    pub fn fuses(&self, last: &Role, next: &Role) -> bool {
        if matches!(last, Role::Unsupported(_)) || matches!(next, Role::Unsupported(_)) {
            return false;
        }
        self.pairs.contains(&(last.token().to_string(), next.token().to_string()))
    }
}

fn check_token(t: &str) -> Result<String> {
    t.parse::<Role>().map(|r| r.token().to_string()).map_err(|e| ErrorKind::Rules(e).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_rules_file_parses() {
        for name in Rules::builtin_names() {
            let r = Rules::builtin(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(r.backend, name);
            assert!(!r.pairs.is_empty());
        }
    }

    #[test]
    fn sets_expand_and_bad_tokens_are_errors() {
        let r = Rules::from_toml(
            "backend = 'x'\ndescription = 'd'\n[sets]\nconv = ['conv', 'dwconv']\nact = ['relu']\n",
        );
        assert!(r.is_ok());
        let text =
            "backend = 'x'\ndescription = 'd'\nfuse = ['conv > relu']\n[sets]\nconv = ['conv', 'dwconv']\n";
        let r = Rules::from_toml(text).unwrap_or_else(|e| panic!("{e}"));
        assert!(r.fuses(&Role::DwConv, &Role::Relu));
        assert!(!r.fuses(&Role::Relu, &Role::DwConv));
        assert!(Rules::from_toml("backend = 'x'\ndescription = 'd'\nfuse = ['conv > relux']\n").is_err());
        assert!(Rules::from_toml("backend = 'x'\ndescription = 'd'\nfuse = ['conv relu']\n").is_err());
        assert!(Rules::builtin("nope").is_err());
    }
}
