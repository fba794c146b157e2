//! Errors of the models crate: bad options, an architecture that cannot be built at the requested
//! size, and export problems. Each names the architecture (and layer) it is about.

use thiserror::Error;

/// What went wrong while building, varying or exporting a network.
#[derive(Debug, Error)]
pub enum ModelsError {
    /// No architecture has this name.
    #[error("unknown architecture '{name}'; known: {known}")]
    UnknownArch {
        /// The name asked for.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// An option is out of its valid range.
    #[error("invalid option {option}: {message}")]
    InvalidOption {
        /// Option name (`width`, `resolution`, ...).
        option: &'static str,
        /// What is wrong with the value.
        message: String,
    },
    /// A layer cannot be built at the requested size (input smaller than its window, channels
    /// that do not divide into groups, ...).
    #[error("{arch}: layer '{layer}': {message}")]
    Layer {
        /// Architecture name.
        arch: String,
        /// Layer (node) name.
        layer: String,
        /// What is wrong.
        message: String,
    },
    /// The parser refused the built graph (shape inference or fusion).
    #[error("{arch}: {source}")]
    Parser {
        /// Architecture name.
        arch: String,
        /// The parser's error (boxed: it is large).
        #[source]
        source: Box<einf_parser::Error>,
    },
    /// An embedded prior table has a bad row.
    #[error("prior table {file}, line {line}: {message}")]
    Prior {
        /// Table file name.
        file: &'static str,
        /// Line number (1-based).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The graph holds an operator the ONNX exporter does not write.
    #[error("{arch}: node '{node}': operator {op} cannot be exported to ONNX")]
    Export {
        /// Architecture (graph) name.
        arch: String,
        /// Node name.
        node: String,
        /// Operator name.
        op: String,
    },
    /// No search space has this name.
    #[error("unknown search space '{name}'; known: nb201, fbnet, or a mobile space file (.toml, .json)")]
    UnknownSpace {
        /// The name asked for.
        name: String,
    },
    /// A candidate's identifier (an NB201 arch string, an FBNet index list, a mobile choice
    /// string) does not describe a member of its space.
    #[error("{space}: malformed candidate '{input}': {message}")]
    Candidate {
        /// Search space name.
        space: String,
        /// The identifier as given.
        input: String,
        /// What is wrong.
        message: String,
    },
    /// A search space file is invalid.
    #[error("search space file {file}: {message}")]
    SpaceFile {
        /// File name.
        file: String,
        /// What is wrong (with the line when the parser knows it).
        message: String,
    },
    /// A cost model failed on a batch of kernels.
    #[error("cost model {model}: {message}")]
    Cost {
        /// Cost model name.
        model: String,
        /// What went wrong.
        message: String,
    },
}

/// Result with [`ModelsError`].
pub type Result<T> = std::result::Result<T, ModelsError>;
