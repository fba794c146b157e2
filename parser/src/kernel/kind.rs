//! Kernel kinds: the fused operator sequence a runtime executes as one kernel.

use super::Role;
use serde::{Deserialize, Serialize};

/// The kind of a kernel, spelled as its roles joined by `-` (`conv-bn-relu`, `dwconv-bn-relu`,
/// `fc`, `gap`, `add-relu`, `se`, `hswish`, `channelshuffle`, `unsupported:NonMaxSuppression`).
///
/// Naming follows nn-Meter with two corrections that keep kinds equal across formats:
/// a convolution kernel always carries `bn` after its base role, because every runtime einf
/// targets folds BatchNorm (and a bias is the same work), so an ONNX Conv→BatchNormalization→Relu
/// and a TFLite CONV_2D with a fused ReLU are both `conv-bn-relu`; and a fused BatchNorm is never
/// repeated. Identities (Dropout at inference) fused after a kernel are not named. Global average
/// pooling is `gap` (nn-Meter's `global-avgpool`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct KernelKind {
    roles: Vec<Role>,
}

impl KernelKind {
    /// A kind from the roles of its nodes in execution order (duplicated `bn` after a convolution
    /// is dropped, and `bn` is added after a convolution base).
    pub fn from_roles(roles: &[Role]) -> Self {
        let mut out: Vec<Role> = Vec::with_capacity(roles.len() + 1);
        let conv_base = roles.first().is_some_and(Role::is_conv);
        for (i, r) in roles.iter().enumerate() {
            // A fused BatchNorm (or constant affine) after a convolution, and identities after
            // anything, add no work of their own.
            let repeated_bn = *r == Role::Bn && out.last() == Some(&Role::Bn);
            if i > 0 && (repeated_bn || *r == Role::Identity) {
                continue;
            }
            out.push(r.clone());
            if i == 0 && conv_base {
                out.push(Role::Bn);
            }
        }
        KernelKind { roles: out }
    }

    /// The roles of this kind.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// The first role: what the kernel mainly computes.
    pub fn base(&self) -> Option<&Role> {
        self.roles.first()
    }

    /// Whether einf can cost this kernel kind (no unsupported operator in it).
    pub fn is_supported(&self) -> bool {
        !self.roles.iter().any(|r| matches!(r, Role::Unsupported(_)))
    }
}

impl std::fmt::Display for KernelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, r) in self.roles.iter().enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for KernelKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err("empty kernel kind".into());
        }
        if let Some(name) = s.strip_prefix("unsupported:") {
            return Ok(KernelKind { roles: vec![Role::Unsupported(name.to_string())] });
        }
        let roles = s.split('-').map(str::parse).collect::<Result<Vec<Role>, _>>()?;
        Ok(KernelKind { roles })
    }
}

impl From<KernelKind> for String {
    fn from(k: KernelKind) -> String {
        k.to_string()
    }
}

impl TryFrom<String> for KernelKind {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conv_kernels_always_carry_bn_once() {
        let onnx = KernelKind::from_roles(&[Role::Conv, Role::Bn, Role::Relu]);
        let tflite = KernelKind::from_roles(&[Role::Conv, Role::Relu]);
        assert_eq!(onnx, tflite);
        assert_eq!(onnx.to_string(), "conv-bn-relu");
        assert_eq!(KernelKind::from_roles(&[Role::Fc]).to_string(), "fc");
        assert_eq!(KernelKind::from_roles(&[Role::Bn, Role::Relu]).to_string(), "bn-relu");
        assert_eq!(KernelKind::from_roles(&[Role::Bn, Role::Bn, Role::Relu]).to_string(), "bn-relu");
        assert_eq!(KernelKind::from_roles(&[Role::Gap, Role::Identity]).to_string(), "gap");
        let affine_after_act = KernelKind::from_roles(&[Role::Conv, Role::Bn, Role::Hswish, Role::Bn]);
        assert_eq!(affine_after_act.to_string(), "conv-bn-hswish-bn");
    }

    #[test]
    fn names_round_trip() {
        for name in ["conv-bn-relu", "dwconv-bn-hswish", "gap", "unsupported:NonMaxSuppression", "add-relu"] {
            let k: KernelKind = name.parse().unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(k.to_string(), name);
        }
        assert!("conv-nonsense".parse::<KernelKind>().is_err());
        assert!("".parse::<KernelKind>().is_err());
    }
}
