//! Reading a model file: format detection, the frontends, validation and shape inference.

use crate::error::{Error, ErrorKind, Result};
use crate::ir::Graph;
use crate::shape::{InputShape, infer};
use std::path::Path;

/// Model files larger than this are refused (TFLite and ONNX protobufs stop at 2 GiB; larger
/// models keep their weights in external data).
pub const MAX_FILE_BYTES: u64 = 2 << 30;

/// The format of a model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// ONNX protobuf.
    Onnx,
    /// TFLite flatbuffer.
    Tflite,
}

/// Guess the format from the bytes (TFLite's `TFL3` identifier) and the extension.
pub fn detect(path: &Path, bytes: &[u8]) -> Format {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if bytes.get(4..8) == Some(b"TFL3") || ext.as_deref() == Some("tflite") {
        Format::Tflite
    } else {
        Format::Onnx
    }
}

/// Parse model bytes of a known format. `model_dir` resolves ONNX external data.
pub fn parse_bytes(bytes: &[u8], format: Format, name: &str, model_dir: Option<&Path>) -> Result<Graph> {
    match format {
        #[cfg(feature = "onnx")]
        Format::Onnx => crate::onnx::parse(bytes, name, model_dir),
        #[cfg(feature = "tflite")]
        Format::Tflite => crate::tflite::parse(bytes, name),
        #[allow(unreachable_patterns)]
        other => {
            let _ = (bytes, name, model_dir);
            Err(ErrorKind::UnknownFormat(format!("{other:?} support is not compiled in")).into())
        }
    }
}

/// Read, validate and shape-infer a model. Every error names the file.
pub fn load_model(path: &Path, shapes: &[InputShape]) -> Result<Graph> {
    let in_file = |e: Error| e.in_file(path);
    let size = std::fs::metadata(path).map_err(|e| in_file(ErrorKind::Io(e).into()))?.len();
    if size > MAX_FILE_BYTES {
        return Err(in_file(
            ErrorKind::Limit(format!("file of {size} bytes (at most {MAX_FILE_BYTES})")).into(),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| in_file(ErrorKind::Io(e).into()))?;
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("model");
    // The frontends return validated graphs, and `infer` checks again before it walks.
    let mut graph = parse_bytes(&bytes, detect(path, &bytes), name, path.parent()).map_err(in_file)?;
    infer(&mut graph, shapes).map_err(in_file)?;
    Ok(graph)
}

/// The backend whose rules apply by default: the runtime the format is made for.
pub fn default_backend(graph: &Graph) -> &'static str {
    match graph.format {
        crate::ir::SourceFormat::Tflite { .. } => "tflite-cpu",
        _ => "onnxruntime-cpu",
    }
}
