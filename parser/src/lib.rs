//! einf parser: ONNX and TFLite models → one graph → fused kernels with exact features.
//!
//! The layers, bottom up: [`ir`] (the graph vocabulary, no format types), [`shape`] (shape
//! inference and constant folding), [`kernel`] (kernel kinds, configurations, features),
//! [`fusion`] (per-backend rules that group nodes into kernels), [`report`] (totals and
//! coverage), and the format readers [`onnx`] and [`tflite`] behind [`load_model`].
//!
//! ```no_run
//! use einf_parser::{analyze, fusion::Rules, load_model};
//! let graph = load_model("model.onnx".as_ref(), &[])?;
//! let analysis = analyze(&graph, &Rules::builtin("onnxruntime-cpu")?)?;
//! for k in &analysis.kernels {
//!     println!("{} {} MACs", k.kind, k.features.macs);
//! }
//! # Ok::<(), einf_parser::Error>(())
//! ```

pub mod error;
pub mod fusion;
pub mod ir;
pub mod kernel;
mod model;
pub mod report;
pub mod shape;
pub mod svg;
pub mod units;

#[cfg(feature = "onnx")]
pub mod onnx;
#[cfg(feature = "tflite")]
pub mod tflite;

pub use error::{Error, ErrorKind, Result};
pub use model::{
    ASSUMED_SIDE, Format, MAX_FILE_BYTES, default_backend, detect, load_model, load_model_assuming,
    parse_bytes,
};
pub use report::{Analysis, Coverage, Totals, analyze};
