//! Reading a model file: format detection, the frontends, validation and shape inference.

use crate::error::{Error, ErrorKind, Result};
use crate::ir::{Dim, Graph};
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
    let mut graph = read_graph(path)?;
    infer(&mut graph, shapes).map_err(|e| e.in_file(path))?;
    Ok(graph)
}

/// The side an image input with a dynamic resolution is assumed to have by
/// [`load_model_assuming`]: 224, ImageNet's and nn-Meter's input.
pub const ASSUMED_SIDE: u64 = 224;

/// [`load_model`], except that inputs not named in `shapes` get defaults: one whose only unknown
/// dimension is the first (a symbolic batch, as exporters write `N`, `batch` or `?`) takes `batch`
/// there, and an image input (4-D, with a known channel count of 1 to 4 in NCHW or NHWC position)
/// whose height or width is unknown takes `batch` and [`ASSUMED_SIDE`] there. Other inputs with
/// unknown dimensions still need a shape: the error names the dimension. The image
/// shapes assumed are returned beside the graph, so that callers can say so: a
/// prediction at an assumed resolution is only as good as the assumption.
pub fn load_model_assuming(
    path: &Path,
    shapes: &[InputShape],
    batch: u64,
) -> Result<(Graph, Vec<InputShape>)> {
    let mut graph = read_graph(path)?;
    let mut all = shapes.to_vec();
    all.extend(symbolic_batch_shapes(&graph, shapes, batch));
    let assumed = assumed_image_shapes(&graph, &all, batch);
    all.extend(assumed.iter().cloned());
    infer(&mut graph, &all).map_err(|e| e.in_file(path))?;
    Ok((graph, assumed))
}

/// The graph inputs not named in `given`, with their shapes.
fn ungiven_inputs<'g>(
    graph: &'g Graph,
    given: &'g [InputShape],
) -> impl Iterator<Item = (&'g str, &'g [Dim])> {
    graph.inputs.iter().filter_map(|id| graph.tensors.get(id.0)).filter_map(move |t| {
        let shape = t.shape.as_deref()?;
        (!given.iter().any(|s| s.name == t.name)).then_some((t.name.as_str(), shape))
    })
}

/// Shapes for the image inputs not in `given` with an unknown height or width: batch `batch`,
/// unknown sides [`ASSUMED_SIDE`].
fn assumed_image_shapes(graph: &Graph, given: &[InputShape], batch: u64) -> Vec<InputShape> {
    let image_channels = |d: &Dim| d.known().is_some_and(|c| (1..=4).contains(&c));
    let side = |d: &Dim| d.known().unwrap_or(ASSUMED_SIDE);
    let mut out = Vec::new();
    for (name, shape) in ungiven_inputs(graph, given) {
        let [n, a, b, c] = shape else { continue };
        let batch = n.known().unwrap_or(batch);
        let dims = match (a.known(), c.known()) {
            (Some(ch), _) if image_channels(a) && (b.known().is_none() || c.known().is_none()) => {
                vec![batch, ch, side(b), side(c)]
            }
            (_, Some(ch)) if image_channels(c) && (a.known().is_none() || b.known().is_none()) => {
                vec![batch, side(a), side(b), ch]
            }
            _ => continue,
        };
        out.push(InputShape { name: name.to_string(), dims });
    }
    out
}

/// Shapes setting `batch` on every graph input not in `given` whose first dimension alone is
/// unknown.
fn symbolic_batch_shapes(graph: &Graph, given: &[InputShape], batch: u64) -> Vec<InputShape> {
    let mut out = Vec::new();
    for (name, shape) in ungiven_inputs(graph, given) {
        let Some((first, rest)) = shape.split_first() else { continue };
        let rest: Option<Vec<u64>> = rest.iter().map(Dim::known).collect();
        if let (Dim::Symbolic(_), Some(rest)) = (first, rest) {
            let mut dims = vec![batch];
            dims.extend(rest);
            out.push(InputShape { name: name.to_string(), dims });
        }
    }
    out
}

/// Read and validate a model's graph (no shape inference). Every error names the file.
fn read_graph(path: &Path) -> Result<Graph> {
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
    parse_bytes(&bytes, detect(path, &bytes), name, path.parent()).map_err(in_file)
}

/// The backend whose rules apply by default: the runtime the format is made for.
pub fn default_backend(graph: &Graph) -> &'static str {
    match graph.format {
        crate::ir::SourceFormat::Tflite { .. } => "tflite-cpu",
        _ => "onnxruntime-cpu",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{DType, Layout, SourceFormat, Tensor};

    #[test]
    fn only_a_lone_symbolic_first_dimension_gets_the_batch() {
        let mut g = Graph::new("synthetic", SourceFormat::Onnx { opset: 17 }, Layout::Nchw);
        let dims = |d: &[Option<u64>]| {
            Some(d.iter().map(|d| d.map_or(Dim::Symbolic("N".into()), Dim::Known)).collect::<Vec<_>>())
        };
        for (name, shape) in [
            ("batch", dims(&[None, Some(3), Some(8), Some(8)])),
            ("resolution", dims(&[None, Some(3), None, None])),
            ("known", dims(&[Some(2), Some(4)])),
            ("given", dims(&[None, Some(5)])),
        ] {
            let id = g.add_tensor(Tensor::activation(name, DType::F32, shape));
            g.inputs.push(id);
        }
        let given = [InputShape { name: "given".into(), dims: vec![7, 5] }];
        let got = symbolic_batch_shapes(&g, &given, 1);
        assert_eq!(got, vec![InputShape { name: "batch".into(), dims: vec![1, 3, 8, 8] }]);
    }

    #[test]
    fn image_inputs_with_a_dynamic_resolution_take_the_assumed_side() {
        let mut g = Graph::new("synthetic", SourceFormat::Onnx { opset: 17 }, Layout::Nchw);
        let dims = |d: &[Option<u64>]| {
            Some(d.iter().map(|d| d.map_or(Dim::Symbolic("?".into()), Dim::Known)).collect::<Vec<_>>())
        };
        for (name, shape) in [
            ("nchw", dims(&[None, Some(3), None, None])),
            ("width", dims(&[Some(1), Some(3), Some(48), None])),
            ("nhwc", dims(&[None, None, None, Some(1)])),
            ("features", dims(&[None, Some(80), None, None])),
            ("sequence", dims(&[None, None])),
            ("fixed", dims(&[Some(1), Some(3), Some(8), Some(8)])),
        ] {
            let id = g.add_tensor(Tensor::activation(name, DType::F32, shape));
            g.inputs.push(id);
        }
        let got = assumed_image_shapes(&g, &[], 1);
        let s = |n: &str, d: [u64; 4]| InputShape { name: n.into(), dims: d.to_vec() };
        assert_eq!(
            got,
            vec![s("nchw", [1, 3, 224, 224]), s("width", [1, 3, 48, 224]), s("nhwc", [1, 224, 224, 1])]
        );
        let given = [s("nchw", [1, 3, 64, 64])];
        assert_eq!(assumed_image_shapes(&g, &given, 1).len(), 2);
    }
}
