//! einf parser: ONNX and TFLite models → one graph → fused kernels with exact features.
//!
//! The layers, bottom up: [`ir`] (the graph vocabulary, no format types), [`shape`] (shape
//! inference and constant folding), [`kernel`] (kernel kinds, configurations, features),
//! [`fusion`] (per-backend rules that group nodes into kernels), and the format readers
//! [`onnx`] and [`tflite`] behind one [`load_model`] entry point.

pub mod error;
pub mod ir;
pub mod shape;

#[cfg(feature = "onnx")]
pub mod onnx;
#[cfg(feature = "tflite")]
pub mod tflite;

pub use error::{Error, ErrorKind, Result};
