//! Errors of the predictor crate: every one names what was wrong and where.

use std::path::PathBuf;

/// A predictor error.
#[derive(Debug, thiserror::Error)]
pub enum PredictorError {
    /// A feature of a kernel is NaN or infinite (or a configuration field is out of range).
    #[error("kernel {kernel} ({kind}): feature '{feature}' is {value} (features must be finite)")]
    BadFeature {
        /// Kernel name or index.
        kernel: String,
        /// Kernel kind.
        kind: String,
        /// Feature name.
        feature: String,
        /// The offending value.
        value: f64,
    },
    /// Invalid hyperparameters.
    #[error("invalid hyperparameters: {0}")]
    Hyperparameters(String),
    /// Not enough (or invalid) training data.
    #[error("training data: {0}")]
    TrainingData(String),
    /// The forest library failed.
    #[error("training {what}: {reason}")]
    Training {
        /// Which forest.
        what: String,
        /// Why.
        reason: String,
    },
    /// A predictor file is not an einf predictor, is corrupted or truncated.
    #[error("{}: {reason}", path.display())]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A predictor file written by a newer einf.
    #[error(
        "{}: predictor format version {found} is newer than this einf reads (up to {supported}); upgrade einf",
        path.display()
    )]
    NewerFormat {
        /// The file.
        path: PathBuf,
        /// Version found in the file.
        found: u32,
        /// Newest version this build reads.
        supported: u32,
    },
    /// A device name nobody has a predictor for.
    #[error("unknown device '{name}' (known: {known})")]
    UnknownDevice {
        /// The name asked for.
        name: String,
        /// The devices known, comma-separated.
        known: String,
    },
    /// A device name a data source (store, CSV, bundled data) has no device, or several, for.
    #[error("{place}: {error}")]
    InSource {
        /// The source, as a user would name it (`store x.db`).
        place: String,
        /// What is wrong with the name there.
        error: Box<PredictorError>,
    },
    /// A device name typed as a prefix of several devices' names.
    #[error("device '{name}' is ambiguous: it starts {matches}; type more of the name")]
    AmbiguousDevice {
        /// The name asked for.
        name: String,
        /// The devices it starts, comma-separated.
        matches: String,
    },
    /// A model with no kernel the predictor covers.
    #[error("model '{model}': no kernel is covered by the predictor of {device} (kinds: {kinds})")]
    NothingCovered {
        /// Model name.
        model: String,
        /// Device name.
        device: String,
        /// The model's kernel kinds.
        kinds: String,
    },
    /// `--strict`: some kernel kinds have no regressor.
    #[error(
        "model '{model}' on {device}: no regressor for {kinds} ({share:.1}% of FLOPs); drop --strict to predict the rest"
    )]
    Uncovered {
        /// Model name.
        model: String,
        /// Device name.
        device: String,
        /// Uncovered kinds.
        kinds: String,
        /// Share of FLOPs in uncovered kernels, in percent.
        share: f64,
    },
    /// The predictor has no forest for the metric asked.
    #[error("the predictor of {device} has no {metric} regressors (it has: {has})")]
    MissingMetric {
        /// Device.
        device: String,
        /// Metric asked for.
        metric: String,
        /// Metrics it has.
        has: String,
    },
    /// Reading or writing a file.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] einf_dataset::store::StoreError),
    /// A dataset file could not be read.
    #[error(transparent)]
    Import(#[from] einf_dataset::import::ImportError),
}

/// Result with [`PredictorError`].
pub type Result<T> = std::result::Result<T, PredictorError>;
