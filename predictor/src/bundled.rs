//! Predictors shipped inside einf, trained from the open data bundled in the repository
//! (`dataset/data/`) and committed in `predictor/data/`. Regenerate them with
//! `cargo run --release -p einf-predictor --example train_bundled` (or
//! `einf train --all --out-dir predictor/data`); a test retrains one and compares the bytes.

use crate::error::{PredictorError, Result};
use crate::format::from_bytes;
use crate::names::resolve_prefix;
use crate::predictor::DevicePredictor;
use std::path::Path;
use std::sync::OnceLock;

/// (device, file bytes) of every bundled predictor.
pub const BUNDLED: [(&str, &[u8]); 7] = [
    ("pixel4-gpu-tflite-fp16", include_bytes!("../data/pixel4-gpu-tflite-fp16.einfp")),
    ("s10-gpu-tflite-fp16", include_bytes!("../data/s10-gpu-tflite-fp16.einfp")),
    ("mi8se-gpu-tflite-fp16", include_bytes!("../data/mi8se-gpu-tflite-fp16.einfp")),
    ("a03s-gpu-tflite-fp16", include_bytes!("../data/a03s-gpu-tflite-fp16.einfp")),
    ("iphone7-gpu-tflite-fp16", include_bytes!("../data/iphone7-gpu-tflite-fp16.einfp")),
    ("iphonexs-gpu-tflite-fp16", include_bytes!("../data/iphonexs-gpu-tflite-fp16.einfp")),
    ("neurstrucenergy-cuda", include_bytes!("../data/neurstrucenergy-cuda.einfp")),
];

/// Names of the bundled devices.
pub fn names() -> Vec<&'static str> {
    BUNDLED.iter().map(|(n, _)| *n).collect()
}

/// The bundled device a name selects: the name itself, or the one bundled name it is a unique
/// prefix of (`pixel4` → `pixel4-gpu-tflite-fp16`, `neurstruc` → `neurstrucenergy-cuda`); an
/// ambiguous prefix (`i`) or an unknown name is an error listing the matches or every name
/// ([`crate::names::resolve_prefix`]).
pub fn resolve(name: &str) -> Result<&'static str> {
    let full = resolve_prefix(name, &names())?;
    BUNDLED
        .iter()
        .map(|(n, _)| *n)
        .find(|n| *n == full)
        .ok_or_else(|| PredictorError::UnknownDevice { name: name.to_string(), known: names().join(", ") })
}

fn index(device: &str) -> Result<usize> {
    let full = resolve(device)?;
    BUNDLED
        .iter()
        .position(|(n, _)| *n == full)
        .ok_or_else(|| PredictorError::UnknownDevice { name: device.to_string(), known: names().join(", ") })
}

/// Load (decode and verify) a bundled predictor by device name or unique prefix ([`resolve`]):
/// a fresh copy each call.
pub fn load(device: &str) -> Result<DevicePredictor> {
    let (name, bytes) = BUNDLED[index(device)?];
    from_bytes(bytes, Path::new(&format!("<bundled {name}>")))
}

/// A bundled predictor by device name or unique prefix ([`resolve`]), decoded and its checksum verified once per process
/// (a few milliseconds), then shared.
pub fn get(device: &str) -> Result<&'static DevicePredictor> {
    static CACHE: [OnceLock<DevicePredictor>; BUNDLED.len()] = [const { OnceLock::new() }; BUNDLED.len()];
    let i = index(device)?;
    if let Some(p) = CACHE[i].get() {
        return Ok(p);
    }
    let p = load(device)?;
    // Two threads may decode the same predictor at once; either copy is the same.
    Ok(CACHE[i].get_or_init(|| p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_decodes_once_and_names_unknown_devices() {
        let a = get(BUNDLED[6].0).unwrap();
        let b = get(BUNDLED[6].0).unwrap();
        assert!(std::ptr::eq(a, b));
        assert_eq!(a.name(), BUNDLED[6].0);
        let e = get("pixel9").unwrap_err().to_string();
        assert!(e.contains("unknown device 'pixel9'"), "{e}");
    }

    #[test]
    fn resolve_takes_full_names_and_unique_prefixes() {
        for n in names() {
            assert_eq!(resolve(n).unwrap(), n);
        }
        assert_eq!(resolve("pixel4").unwrap(), "pixel4-gpu-tflite-fp16");
        assert_eq!(resolve("s10").unwrap(), "s10-gpu-tflite-fp16");
        assert_eq!(resolve("neurstruc").unwrap(), "neurstrucenergy-cuda");
        assert_eq!(resolve("iphonex").unwrap(), "iphonexs-gpu-tflite-fp16");
        // A prefix selects the same cached predictor as the full name.
        assert!(std::ptr::eq(get("mi8").unwrap(), get("mi8se-gpu-tflite-fp16").unwrap()));
        let e = resolve("i").unwrap_err().to_string();
        assert!(
            e.contains("device 'i' is ambiguous")
                && e.contains("iphone7-gpu-tflite-fp16, iphonexs-gpu-tflite-fp16")
                && !e.contains("pixel4"),
            "{e}"
        );
        let e = resolve("pixel9").unwrap_err().to_string();
        assert!(e.contains("unknown device 'pixel9'") && e.contains(&names().join(", ")), "{e}");
    }
}
