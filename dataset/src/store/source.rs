//! Where an import comes from: the file's name and the sha256 of its bytes.

use super::error::StoreError;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Where a batch came from: the file's name and the sha256 of its bytes (the import's key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSource {
    /// File name as stored (no directory: stores are shared, home paths are not).
    pub file: String,
    /// sha256 of the file's bytes, 64 lowercase hex digits.
    pub sha256: String,
}

impl ImportSource {
    /// Name and hash of the file at `path` (read once, in blocks).
    pub fn from_path(path: &Path) -> Result<ImportSource, StoreError> {
        let sha256 = sha256_file(path)?;
        let file =
            path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        Ok(ImportSource { file, sha256 })
    }

    /// Name and hash of a file already in memory.
    pub fn from_bytes(file: impl Into<String>, bytes: &[u8]) -> ImportSource {
        ImportSource { file: file.into(), sha256: hex(&Sha256::digest(bytes)) }
    }
}

/// sha256 of the file at `path`, as 64 lowercase hex digits.
pub fn sha256_file(path: &Path) -> Result<String, StoreError> {
    let io = |error| StoreError::Io { path: path.to_path_buf(), error };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 18];
    loop {
        match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(buf.get(..n).unwrap_or_default()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io(e)),
        }
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
