//! einf predictor: per-device random forests over kernel features, trained on open measurements.
//!
//! The pipeline, bottom up: [`features`] (exact features per kernel kind from the parser's
//! configuration), [`train`] (smartcore's random forest, read out into the flat [`forest`]
//! layout), [`forests`] (one forest per kernel kind and metric, plus a fallback per base operator,
//! trained in parallel), [`predictor`] (a device's forests with calibration and metadata),
//! [`format`] (the portable file), [`model`] (model-level prediction with intervals and coverage),
//! [`eval`] (k-fold and leave-models-out cross-validation against two baselines), [`data`] (training
//! data from a store), [`source`] (store, CSV or bundled data), [`bundled_data`] (the bundled
//! training data), [`bundled`] (the committed predictors), [`names`] (device names
//! typed as unique prefixes) and [`plot`] (SVG plots).
//!
//! ```no_run
//! use einf_parser::{analyze, fusion::Rules, load_model};
//! let p = einf_predictor::bundled::load("pixel4-gpu-tflite-fp16")?;
//! let graph = load_model("model.tflite".as_ref(), &[])?;
//! let analysis = analyze(&graph, &Rules::builtin(&p.meta.backend)?)?;
//! let prediction = einf_predictor::model::predict_model(&p, "model", &analysis.kernels, false)?;
//! for t in &prediction.totals {
//!     println!("{:?}: {:.3} {} [{:.3}, {:.3}]", t.metric, t.value, t.unit, t.low, t.high);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod bundled;
pub mod bundled_data;
pub mod calibrate;
pub mod data;
pub mod error;
pub mod eval;
pub mod eval_models;
pub mod features;
pub mod forest;
pub mod forests;
pub mod format;
pub mod from_models;
pub mod learn;
pub mod model;
pub mod names;
pub mod params;
pub mod plot;
pub mod predictor;
pub mod scores;
mod smartcore_nodes;
pub mod source;
pub mod train;
pub mod training_set;

pub use error::{PredictorError, Result};

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
