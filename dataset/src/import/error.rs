//! Import errors: which file, which line, what is wrong.

use std::fmt;
use std::path::{Path, PathBuf};

/// A file that could not be imported, displayed as `file:line: what is wrong` (`file: what is
/// wrong` when the problem is not on one line, e.g. the file cannot be read).
#[derive(Debug)]
pub struct ImportError {
    /// The file, as the caller named it.
    pub file: PathBuf,
    /// 1-based line of the problem; 0 when it concerns the whole file.
    pub line: usize,
    /// What is wrong.
    pub kind: ImportErrorKind,
}

impl ImportError {
    /// An error on `line` of `file` (0: the whole file).
    pub fn new(file: &Path, line: usize, kind: ImportErrorKind) -> ImportError {
        ImportError { file: file.to_path_buf(), line, kind }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.kind)
        } else {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.kind)
        }
    }
}

impl std::error::Error for ImportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ImportErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// What is wrong with an imported file.
#[derive(Debug, thiserror::Error)]
pub enum ImportErrorKind {
    /// The file cannot be read.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// No reader has this format name.
    #[error("unknown format '{format}' (formats: {known})")]
    UnknownFormat {
        /// The name asked for.
        format: String,
        /// The known names.
        known: String,
    },
    /// The file is not what the format expects (wrong header, wrong table, wrong file name).
    #[error("{0}")]
    WrongFile(String),
    /// A column the format needs is missing from the header.
    #[error("missing column '{0}'")]
    MissingColumn(String),
    /// A row has the wrong number of columns.
    #[error("{found} columns where the header has {expected}{}", if *.truncated { " (the file ends mid-row: truncated?)" } else { "" })]
    ColumnCount {
        /// Columns in the header.
        expected: usize,
        /// Columns in this row.
        found: usize,
        /// Whether this is the last row of the file (a cut file).
        truncated: bool,
    },
    /// The file ends where more was expected (a cut JSON document, an empty file).
    #[error("truncated: {0}")]
    Truncated(String),
    /// A field is not a number, or not a finite one.
    #[error("{column}: '{text}' is not {expected}")]
    BadNumber {
        /// Column or field name.
        column: String,
        /// The text found.
        text: String,
        /// What was expected (`a finite number`, `a whole number`).
        expected: &'static str,
    },
    /// An energy, latency or power that is zero or negative.
    #[error("{column}: {value} is not a positive {what}")]
    NotPositive {
        /// Column or field name.
        column: String,
        /// The value found.
        value: f64,
        /// `energy`, `latency`, ...
        what: &'static str,
    },
    /// A unit that is not known, or not of the right kind.
    #[error("{column}: {reason}")]
    Unit {
        /// Column whose unit it is.
        column: String,
        /// Why the unit cannot be used.
        reason: String,
    },
    /// The same key twice in one file.
    #[error("duplicate {key} (first on line {first_line})")]
    Duplicate {
        /// The key, described.
        key: String,
        /// Where it was first seen.
        first_line: usize,
    },
    /// A kernel kind einf does not know, or one this format cannot describe.
    #[error("unknown kernel kind '{kind}': {reason}")]
    UnknownKind {
        /// The kind as written.
        kind: String,
        /// Why it is not accepted.
        reason: String,
    },
    /// A required field of a JSON object is missing.
    #[error("{what}: missing field '{field}'")]
    MissingField {
        /// The object (`conv-bn-relu id_3 config`).
        what: String,
        /// The missing key.
        field: String,
    },
    /// Anything else, explained.
    #[error("{0}")]
    Invalid(String),
}
