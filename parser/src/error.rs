//! Errors of the parser: every one names the file and, where known, the node.

use std::fmt;
use std::path::{Path, PathBuf};

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// The file is neither ONNX nor TFLite.
    #[error("unknown model format: {0}")]
    UnknownFormat(String),
    /// The bytes are not a valid protobuf / flatbuffer.
    #[error("not a valid {format} file: {message}")]
    Decode {
        /// `ONNX` or `TFLite`.
        format: &'static str,
        /// What the decoder said.
        message: String,
    },
    /// The file decodes but its content is inconsistent (bad attribute, bad index, ...).
    #[error("{0}")]
    Format(String),
    /// A structural problem of the graph.
    #[error("{0}")]
    Graph(String),
    /// An input refers to a tensor that nothing produces.
    #[error("input tensor '{tensor}' is produced by no node and is neither a graph input nor a constant")]
    DanglingEdge {
        /// Tensor name.
        tensor: String,
    },
    /// The graph has a cycle.
    #[error("the graph has a cycle through this node")]
    Cycle,
    /// Shape inference failed.
    #[error("{0}")]
    Shape(String),
    /// A graph input has a symbolic or unknown dimension and the user did not set it.
    #[error(
        "input '{input}' has an unknown dimension {dim} (axis {axis}); set it with --input-shape {input}=..."
    )]
    MissingDim {
        /// Graph input name.
        input: String,
        /// The symbolic name (or `?`).
        dim: String,
        /// Axis index.
        axis: usize,
    },
    /// An `--input-shape` value is malformed or names no input.
    #[error("bad --input-shape: {0}")]
    InputShape(String),
    /// A size beyond what einf accepts (absurd dimensions, too many nodes).
    #[error("limit exceeded: {0}")]
    Limit(String),
    /// An external-data reference is missing, escapes the model folder, or is out of range.
    #[error("external data: {0}")]
    ExternalData(String),
    /// A fusion rules file is invalid.
    #[error("fusion rules: {0}")]
    Rules(String),
    /// `--strict` and the model has operators einf cannot cost.
    #[error("{0}")]
    Unsupported(String),
}

/// A parser error with the file and node it concerns.
#[derive(Debug)]
pub struct Error {
    /// Model file, when known.
    pub file: Option<PathBuf>,
    /// Node name, when known.
    pub node: Option<String>,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl Error {
    /// An error at a named node.
    pub fn at_node(node: &str, kind: ErrorKind) -> Self {
        Error { file: None, node: Some(node.to_string()), kind }
    }

    /// Attach the file (keeps an existing one).
    pub fn in_file(mut self, file: &Path) -> Self {
        if self.file.is_none() {
            self.file = Some(file.to_path_buf());
        }
        self
    }

    /// Attach the node (keeps an existing one).
    pub fn with_node(mut self, node: &str) -> Self {
        if self.node.is_none() {
            self.node = Some(node.to_string());
        }
        self
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error { file: None, node: None, kind }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        if let Some(node) = &self.node {
            write!(f, "node '{node}': ")?;
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// Result with the parser's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Shorthand for a shape-inference error at a node.
pub fn shape_err(node: &str, msg: impl Into<String>) -> Error {
    Error::at_node(node, ErrorKind::Shape(msg.into()))
}

/// Shorthand for a format error at a node.
pub fn format_err(node: &str, msg: impl Into<String>) -> Error {
    Error::at_node(node, ErrorKind::Format(msg.into()))
}
