//! Predictors shipped inside einf, trained from the open data bundled in the repository
//! (`dataset/data/`) and committed in `predictor/data/`. Regenerate them with
//! `cargo run --release -p einf-predictor --example train_bundled` (or
//! `einf train --all --out-dir predictor/data`); a test retrains one and compares the bytes.

use crate::error::{PredictorError, Result};
use crate::format::from_bytes;
use crate::predictor::DevicePredictor;
use std::path::Path;

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

/// Load a bundled predictor by device name.
pub fn load(device: &str) -> Result<DevicePredictor> {
    let (name, bytes) = BUNDLED.iter().find(|(n, _)| *n == device).ok_or_else(|| {
        PredictorError::UnknownDevice { name: device.to_string(), known: names().join(", ") }
    })?;
    from_bytes(bytes, Path::new(&format!("<bundled {name}>")))
}
