//! Device names as people type them: the full name, or any unique prefix of it.

use crate::error::PredictorError;

/// The candidate `name` selects: the candidate equal to it (an exact name always wins), else the
/// one candidate it is a prefix of, ignoring ASCII case (`pixel4` → `pixel4-gpu-tflite-fp16`).
///
/// An empty name, or one no candidate starts with, is [`PredictorError::UnknownDevice`] listing
/// every candidate; a prefix of several is [`PredictorError::AmbiguousDevice`] listing those.
pub fn resolve_prefix(name: &str, candidates: &[&str]) -> Result<String, PredictorError> {
    if let Some(exact) = candidates.iter().find(|c| **c == name) {
        return Ok((*exact).to_string());
    }
    let lower = name.to_ascii_lowercase();
    let matches: Vec<&str> = if name.is_empty() {
        Vec::new()
    } else {
        candidates.iter().copied().filter(|c| c.to_ascii_lowercase().starts_with(&lower)).collect()
    };
    match matches.as_slice() {
        [one] => Ok((*one).to_string()),
        [] => Err(PredictorError::UnknownDevice {
            name: name.to_string(),
            known: if candidates.is_empty() { "none".to_string() } else { candidates.join(", ") },
        }),
        several => {
            Err(PredictorError::AmbiguousDevice { name: name.to_string(), matches: several.join(", ") })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 5] = ["iphone7-gpu", "iphonexs-gpu", "pixel4-gpu", "pixel4", "s10-gpu"];

    #[test]
    fn an_exact_name_wins_over_a_longer_one_it_starts() {
        assert_eq!(resolve_prefix("pixel4", &NAMES).unwrap(), "pixel4");
        assert_eq!(resolve_prefix("pixel4-", &NAMES).unwrap(), "pixel4-gpu");
        assert_eq!(resolve_prefix("s10-gpu", &NAMES).unwrap(), "s10-gpu");
    }

    #[test]
    fn a_unique_prefix_selects_its_name_in_any_case() {
        assert_eq!(resolve_prefix("s", &NAMES).unwrap(), "s10-gpu");
        assert_eq!(resolve_prefix("iphone7", &NAMES).unwrap(), "iphone7-gpu");
        assert_eq!(resolve_prefix("IPhoneXS", &NAMES).unwrap(), "iphonexs-gpu");
    }

    #[test]
    fn an_ambiguous_prefix_lists_its_matches_only() {
        let e = resolve_prefix("i", &NAMES).unwrap_err();
        assert!(matches!(e, PredictorError::AmbiguousDevice { .. }), "{e:?}");
        let e = e.to_string();
        assert!(e.contains("'i'") && e.contains("iphone7-gpu, iphonexs-gpu"), "{e}");
        assert!(!e.contains("pixel4"), "{e}");
        // `pixel` starts two names, neither of which it equals.
        let e = resolve_prefix("pixel", &NAMES).unwrap_err().to_string();
        assert!(e.contains("pixel4-gpu, pixel4"), "{e}");
    }

    #[test]
    fn an_unknown_or_empty_name_lists_every_name() {
        for name in ["pixel9", "gpu", ""] {
            let e = resolve_prefix(name, &NAMES).unwrap_err();
            assert!(matches!(e, PredictorError::UnknownDevice { .. }), "{name}: {e:?}");
            let e = e.to_string();
            assert!(e.contains(&format!("unknown device '{name}'")) && e.contains(&NAMES.join(", ")), "{e}");
        }
        let e = resolve_prefix("x", &[]).unwrap_err().to_string();
        assert!(e.contains("(known: none)"), "{e}");
    }
}
