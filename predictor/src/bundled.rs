//! Predictors shipped inside einf, trained from the open data bundled in the repository
//! (`dataset/data/`) and committed in `predictor/data/`. Regenerate them with
//! `cargo run --release -p einf-predictor --example train_bundled` (or
//! `einf train --all --out-dir predictor/data`); a test retrains one and compares the bytes.

use crate::error::{PredictorError, Result};
use crate::format::from_bytes;
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

fn index(device: &str) -> Result<usize> {
    BUNDLED
        .iter()
        .position(|(n, _)| *n == device)
        .ok_or_else(|| PredictorError::UnknownDevice { name: device.to_string(), known: names().join(", ") })
}

/// Load (decode and verify) a bundled predictor by device name: a fresh copy each call.
pub fn load(device: &str) -> Result<DevicePredictor> {
    let (name, bytes) = BUNDLED[index(device)?];
    from_bytes(bytes, Path::new(&format!("<bundled {name}>")))
}

/// A bundled predictor by device name, decoded and its checksum verified once per process
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
}
