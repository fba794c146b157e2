//! Errors of scoring: every one names the quantity, file and line, or reference model at fault.

use einf_parser::units::UnitError;

/// What is wrong with one test case (a row of a probabilities file).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CaseError {
    /// The label is not a class index.
    #[error("label '{0}' is not a class index (0, 1, 2, ...)")]
    BadLabel(String),
    /// The label is outside `0..classes`.
    #[error("label {label} is outside the class range 0..{classes}")]
    LabelOutOfRange {
        /// The label.
        label: u64,
        /// Number of classes.
        classes: u64,
    },
    /// A field that should be a probability is not a finite number.
    #[error("field {column} '{text}' is not a finite number")]
    BadNumber {
        /// 1-based column.
        column: usize,
        /// The field.
        text: String,
    },
    /// A probability that is NaN or infinite.
    #[error("probability of class {class} is not a finite number")]
    NotFiniteProbability {
        /// Class index.
        class: u64,
    },
    /// A negative probability.
    #[error("probability {value} of class {class} is negative")]
    NegativeProbability {
        /// Class index.
        class: u64,
        /// The probability.
        value: f64,
    },
    /// A probability above 1.
    #[error("probability {value} of class {class} is above 1")]
    ProbabilityAboveOne {
        /// Class index.
        class: u64,
        /// The probability.
        value: f64,
    },
    /// A full probability vector that does not sum to 1.
    #[error("probabilities sum to {sum}, not 1 (tolerance 1e-3)")]
    Sum {
        /// Their sum.
        sum: f64,
    },
    /// A top-k list whose probabilities sum to more than 1.
    #[error("top-k probabilities sum to {sum}, more than 1 (tolerance 1e-3)")]
    TopKSum {
        /// Their sum.
        sum: f64,
    },
    /// A row with another number of probabilities than the classes.
    #[error("{found} probabilities, but {expected} classes")]
    ColumnCount {
        /// Classes expected.
        expected: u64,
        /// Probabilities found.
        found: usize,
    },
    /// A label with nothing after it.
    #[error("no probabilities after the label")]
    NoProbabilities,
    /// A top-k field that is not `class:probability`.
    #[error("'{0}' is not a class:probability pair")]
    BadPair(String),
    /// A class listed twice in a top-k row.
    #[error("class {0} is listed twice")]
    DuplicateClass(u64),
    /// Rows of both formats in one file.
    #[error("the file mixes full probability rows and class:probability rows")]
    MixedFormats,
    /// A top-k file without the number of classes.
    #[error("class:probability rows need the number of classes (--classes)")]
    ClassesNeeded,
    /// Fewer classes than the top-N variant needs.
    #[error("top-{n} needs the {n} most likely other classes, the row has {available}")]
    TopN {
        /// N.
        n: usize,
        /// Other classes known in the row.
        available: usize,
    },
    /// Fewer than two classes.
    #[error("a classifier needs at least 2 classes, got {0}")]
    TooFewClasses(u64),
}

/// Errors of scoring.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An energy that must be positive is zero, negative or not finite.
    #[error("{what} must be a positive energy, got {value}")]
    NonPositiveEnergy {
        /// Which energy (`Einf`, `Etrain`, ...).
        what: &'static str,
        /// The value as given.
        value: String,
    },
    /// A quantity that must be positive is zero, negative or not finite.
    #[error("{what} must be positive, got {value}")]
    NonPositive {
        /// Which quantity.
        what: &'static str,
        /// The value as given.
        value: String,
    },
    /// A quantity that must not be negative is negative or not finite.
    #[error("{what} must be a finite number ≥ 0, got {value}")]
    Negative {
        /// Which quantity.
        what: &'static str,
        /// The value as given.
        value: String,
    },
    /// A parameter outside its documented range.
    #[error("{what} = {value} is outside {range}")]
    OutOfRange {
        /// Which parameter.
        what: &'static str,
        /// The value as given.
        value: String,
        /// The allowed range.
        range: &'static str,
    },
    /// Zero or one class.
    #[error("a classifier needs at least 2 classes, got {classes}")]
    TooFewClasses {
        /// The number given.
        classes: u64,
    },
    /// A bad test case given directly (not from a file).
    #[error(transparent)]
    Case(#[from] CaseError),
    /// A bad row of a probabilities or device-cost file.
    #[error("{source_name}:{line}: {kind}")]
    Csv {
        /// File name (or `<stdin>`, `<text>`).
        source_name: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        kind: CsvError,
    },
    /// A file with no data rows.
    #[error("{source_name}: no data rows (the file is empty)")]
    EmptyFile {
        /// File name.
        source_name: String,
    },
    /// A file that cannot be read.
    #[error("{path}: cannot read")]
    Io {
        /// File name.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A result too large or too small for a 64-bit float (the library returns this rather
    /// than infinity or NaN).
    #[error("{what} is not a finite number for these inputs")]
    NotFinite {
        /// Which result.
        what: &'static str,
    },
    /// The frame rate needs the model more than 100% of the time.
    #[error(
        "a frame rate of {rate} with an inference latency of {latency} keeps the model busy {percent:.0}% of the time (more than 100%)"
    )]
    DutyCycle {
        /// The frame rate.
        rate: String,
        /// The latency.
        latency: String,
        /// The duty cycle in percent.
        percent: f64,
    },
    /// Zero power: the battery life is unbounded.
    #[error("the solution draws no power, so battery life is unbounded")]
    ZeroPower,
    /// An unknown reference set.
    #[error("unknown reference set '{name}' (known: {known})")]
    UnknownReferenceSet {
        /// The name given.
        name: String,
        /// Known sets.
        known: String,
    },
    /// A model outside the reference set.
    #[error("'{model}' is not a model of reference set {set} (models: {known})")]
    UnknownReferenceModel {
        /// The set.
        set: &'static str,
        /// The model given.
        model: String,
        /// The set's models.
        known: String,
    },
    /// Reference models without a cost.
    #[error("reference set {set} needs every model; missing: {missing}")]
    MissingReferenceModels {
        /// The set.
        set: &'static str,
        /// The models without a cost.
        missing: String,
    },
    /// A reference model given twice.
    #[error("reference model '{model}' is given twice")]
    DuplicateReferenceModel {
        /// The model.
        model: String,
    },
    /// A plot that cannot be drawn.
    #[error("plot: {0}")]
    Plot(String),
    /// A quantity with a bad unit.
    #[error(transparent)]
    Units(#[from] UnitError),
}

/// What is wrong with one row of a file.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CsvError {
    /// A bad test case.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// A bad quantity in a device-cost row.
    #[error(transparent)]
    Units(#[from] UnitError),
    /// A device-cost row without `model,energy,power`.
    #[error("expected 3 fields model,energy,power, found {0}")]
    Fields(usize),
}

/// Results of scoring.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `value` if it is finite, else [`Error::NotFinite`] naming `what`.
pub(crate) fn finite(what: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() { Ok(value) } else { Err(Error::NotFinite { what }) }
}
