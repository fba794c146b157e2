//! Shape inference and constant folding (einf's own; the file's intermediate shapes are not trusted).
//!
//! [`infer`] applies the user's `--input-shape`s, checks that every graph input is fully known,
//! walks the graph in topological order and sets every output tensor's shape and element type.
//! Nodes whose inputs are all constant produce constants (decoded when cheap) and are finally
//! moved to [`Graph::folded`]. Parameters that ONNX passes as inputs (Reshape target, Slice
//! starts, Pad pads, ...) are read from the (possibly folded) constant input and written back into
//! the node's [`Op`], and Conv / Pool padding and groups are resolved to explicit values.
//!
//! The work is split by operator family: `conv` (Conv, ConvTranspose and the shared sliding
//! window arithmetic), `pool`, `linear` (Gemm, MatMul), `elementwise`, `layout` (Reshape,
//! Transpose, ...), `slice` (Concat, Split, Slice, Pad), `resize`, `reduce`, `data` (Shape,
//! Gather, Range, ConstantOfShape, Constant) and `fold` (values of constant outputs).

mod conv;
mod data;
mod elementwise;
mod fold;
mod layout;
mod linear;
mod pool;
mod reduce;
mod resize;
mod slice;

use crate::error::{Error, ErrorKind, Result, shape_err};
use crate::ir::{ConstValue, DType, Dim, FoldedNode, Graph, Layout, Node, Op, Tensor};

/// Largest extent einf accepts for one dimension (2^31).
pub const MAX_DIM: u64 = 1 << 31;
/// Largest number of elements einf accepts for one tensor (2^40).
pub const MAX_ELEMENTS: u64 = 1 << 40;

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
        let name = name.trim();
        if name.is_empty() {
            return Err(ErrorKind::InputShape(format!("'{s}' has no input name before '='")).into());
        }
        let dims = dims
            .split(['x', 'X', ','])
            .map(|d| {
                d.trim()
                    .parse::<u64>()
                    .map_err(|_| ErrorKind::InputShape(format!("'{}' in '{s}' is not a dimension", d.trim())))
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(InputShape { name: name.to_string(), dims })
    }
}

impl std::fmt::Display for InputShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dims: Vec<String> = self.dims.iter().map(u64::to_string).collect();
        write!(f, "{}={}", self.name, dims.join("x"))
    }
}

/// Infer every tensor's shape and element type, fold constant sub-graphs, and move folded nodes
/// to [`Graph::folded`].
///
/// Errors: an `--input-shape` naming no input or with the wrong rank ([`ErrorKind::InputShape`]),
/// a graph input left with an unknown dimension ([`ErrorKind::MissingDim`]), a cycle
/// ([`ErrorKind::Cycle`]), a dimension above [`MAX_DIM`] or a tensor above [`MAX_ELEMENTS`]
/// elements ([`ErrorKind::Limit`]), and a node whose known input shapes or parameters are
/// inconsistent ([`ErrorKind::Shape`], naming the node). A node whose input shape is unknown
/// (downstream of an operator einf cannot infer) is skipped: its outputs keep no shape.
pub fn infer(graph: &mut Graph, shapes: &[InputShape]) -> Result<()> {
    graph.validate()?;
    apply_input_shapes(graph, shapes)?;
    check_inputs(graph)?;
    check_constants(graph)?;
    let order = graph.topo_order()?;
    for id in order {
        let Some(node) = graph.nodes.get(id.0) else { continue };
        let result = infer_node(&Ctx { g: graph, node });
        match result {
            Ok(inferred) => apply(graph, id.0, inferred)?,
            Err(Stop::Skip) => clear_outputs(graph, id.0),
            Err(Stop::Fail(e)) => return Err(e),
        }
    }
    remove_folded(graph);
    Ok(())
}

/// Set the user's shapes on the graph inputs they name.
fn apply_input_shapes(graph: &mut Graph, shapes: &[InputShape]) -> Result<()> {
    for s in shapes {
        let found =
            graph.inputs.iter().copied().find(|t| graph.tensors.get(t.0).is_some_and(|t| t.name == s.name));
        let Some(id) = found else {
            let names: Vec<&str> =
                graph.inputs.iter().filter_map(|t| graph.tensors.get(t.0)).map(|t| t.name.as_str()).collect();
            return Err(ErrorKind::InputShape(format!(
                "no graph input is named '{}'; the inputs are: {}",
                s.name,
                if names.is_empty() { "(none)".to_string() } else { names.join(", ") }
            ))
            .into());
        };
        let Some(t) = graph.tensors.get_mut(id.0) else { continue };
        if let Some(old) = &t.shape
            && old.len() != s.dims.len()
        {
            return Err(ErrorKind::InputShape(format!(
                "input '{}' has rank {} ({}) but {s} gives {} dimensions",
                s.name,
                old.len(),
                fmt_dims(old),
                s.dims.len()
            ))
            .into());
        }
        t.shape = Some(s.dims.iter().map(|&d| Dim::Known(d)).collect());
    }
    Ok(())
}

/// Every graph input must be fully known and within the limits.
fn check_inputs(graph: &Graph) -> Result<()> {
    for &id in &graph.inputs {
        let Some(t) = graph.tensors.get(id.0) else { continue };
        let Some(dims) = &t.shape else {
            return Err(ErrorKind::MissingDim { input: t.name.clone(), dim: "?".into(), axis: 0 }.into());
        };
        for (axis, d) in dims.iter().enumerate() {
            if let Dim::Symbolic(s) = d {
                let dim = if s.is_empty() { "?".to_string() } else { s.clone() };
                return Err(ErrorKind::MissingDim { input: t.name.clone(), dim, axis }.into());
            }
        }
        check_tensor_limits(t)?;
    }
    Ok(())
}

/// Constants with a known shape must be within the limits (a hostile file can declare anything).
fn check_constants(graph: &Graph) -> Result<()> {
    for t in graph.tensors.iter().filter(|t| t.is_const()) {
        check_tensor_limits(t)?;
    }
    Ok(())
}

/// Check a tensor's (known) shape against [`MAX_DIM`] and [`MAX_ELEMENTS`].
fn check_tensor_limits(t: &Tensor) -> Result<()> {
    let Some(dims) = t.known_shape() else { return Ok(()) };
    check_dims(&dims).map_err(|msg| ErrorKind::Limit(format!("tensor '{}' {msg}", t.name)).into())
}

/// `Err(description)` when a dimension or the element count is beyond the limits.
fn check_dims(dims: &[u64]) -> std::result::Result<(), String> {
    if let Some(d) = dims.iter().find(|&&d| d > MAX_DIM) {
        return Err(format!("has shape {dims:?}: dimension {d} is larger than 2^31"));
    }
    match elements(dims) {
        Some(n) if n <= MAX_ELEMENTS => Ok(()),
        _ => Err(format!("has shape {dims:?}: more than 2^40 elements")),
    }
}

/// Product of the dimensions, `None` on overflow.
fn elements(dims: &[u64]) -> Option<u64> {
    dims.iter().try_fold(1u64, |a, &d| a.checked_mul(d))
}

/// `[1, 3, 224, 224]` for messages.
fn fmt_dims(dims: &[Dim]) -> String {
    let d: Vec<String> = dims.iter().map(Dim::to_string).collect();
    format!("[{}]", d.join(", "))
}

/// Write an inference result into the graph.
fn apply(graph: &mut Graph, idx: usize, inferred: Inferred) -> Result<()> {
    let Some(node) = graph.nodes.get_mut(idx) else { return Ok(()) };
    if let Some(op) = inferred.op {
        node.op = op;
    }
    let node_name = node.name.clone();
    let outputs = node.outputs.clone();
    let mut outs = inferred.outs.into_iter();
    for o in outputs {
        let out = outs.next().flatten();
        let Some(t) = graph.tensors.get_mut(o.0) else { continue };
        match out {
            Some(out) => {
                check_dims(&out.shape).map_err(|msg| {
                    Error::at_node(&node_name, ErrorKind::Limit(format!("output '{}' {msg}", t.name)))
                })?;
                t.shape = Some(out.shape.into_iter().map(Dim::Known).collect());
                if out.forced || t.dtype == DType::Unknown {
                    t.dtype = out.dtype;
                }
                if out.value.is_some() {
                    t.value = out.value;
                }
            }
            None => t.shape = None,
        }
    }
    Ok(())
}

/// Outputs of a skipped node have no shape.
fn clear_outputs(graph: &mut Graph, idx: usize) {
    let Some(node) = graph.nodes.get(idx) else { return };
    for o in node.outputs.clone() {
        if let Some(t) = graph.tensors.get_mut(o.0)
            && !t.is_const()
        {
            t.shape = None;
        }
    }
}

/// Move every node whose outputs are all constant to [`Graph::folded`], keeping file order.
fn remove_folded(graph: &mut Graph) {
    let nodes = std::mem::take(&mut graph.nodes);
    for node in nodes {
        let folded = !node.outputs.is_empty()
            && node.outputs.iter().all(|o| graph.tensors.get(o.0).is_some_and(Tensor::is_const));
        if folded {
            graph.folded.push(FoldedNode { name: node.name, source_op: node.source_op });
        } else {
            graph.nodes.push(node);
        }
    }
}

/// Why the inference of one node stopped.
enum Stop {
    /// An input shape is unknown: the node is skipped, not an error.
    Skip,
    /// The node is inconsistent.
    Fail(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Fail(e)
    }
}

/// Result of the per-family inference functions.
type R<T> = std::result::Result<T, Stop>;

/// The inferred shape, type and (for folded outputs) value of one output.
struct Out {
    /// Shape.
    shape: Vec<u64>,
    /// Element type (used when the frontend left it unknown, or when `forced`).
    dtype: DType,
    /// The operator defines the type (Shape, Cast, ArgMax, ConstantOfShape).
    forced: bool,
    /// Constant value, when the output is constant.
    value: Option<ConstValue>,
}

impl Out {
    /// An output whose type is kept if the frontend set one.
    fn new(shape: Vec<u64>, dtype: DType) -> Self {
        Out { shape, dtype, forced: false, value: None }
    }

    /// An output whose type the operator defines.
    fn forced(shape: Vec<u64>, dtype: DType) -> Self {
        Out { shape, dtype, forced: true, value: None }
    }
}

/// The result of inferring one node: one entry per output (`None` = unknown), and the node's
/// operator with its parameters resolved, when they changed.
struct Inferred {
    /// Per output.
    outs: Vec<Option<Out>>,
    /// Resolved operator.
    op: Option<Op>,
}

impl Inferred {
    /// One output, operator unchanged.
    fn one(out: Out) -> Self {
        Inferred { outs: vec![Some(out)], op: None }
    }

    /// One output and a resolved operator.
    fn with_op(out: Out, op: Op) -> Self {
        Inferred { outs: vec![Some(out)], op: Some(op) }
    }
}

/// The node being inferred and the graph around it.
struct Ctx<'a> {
    /// The graph (tensors carry the shapes inferred so far).
    g: &'a Graph,
    /// The node.
    node: &'a Node,
}

impl Ctx<'_> {
    /// A shape error at this node.
    fn err(&self, msg: impl Into<String>) -> Stop {
        Stop::Fail(shape_err(&self.node.name, msg))
    }

    /// A limit error at this node.
    fn limit(&self, msg: impl Into<String>) -> Stop {
        Stop::Fail(Error::at_node(&self.node.name, ErrorKind::Limit(msg.into())))
    }

    /// Graph layout.
    fn layout(&self) -> Layout {
        self.g.layout
    }

    /// The `i`-th input tensor, if present.
    fn input(&self, i: usize) -> Option<&Tensor> {
        self.node.input(i).and_then(|t| self.g.tensors.get(t.0))
    }

    /// Name of the `i`-th input for messages.
    fn input_name(&self, i: usize) -> String {
        self.input(i).map_or_else(|| format!("#{i}"), |t| format!("'{}'", t.name))
    }

    /// Number of input slots (present or not).
    fn n_inputs(&self) -> usize {
        self.node.inputs.len()
    }

    /// Number of outputs.
    fn n_outputs(&self) -> usize {
        self.node.outputs.len()
    }

    /// Known shape of a required input; [`Stop::Skip`] while unknown.
    fn shape(&self, i: usize) -> R<Vec<u64>> {
        match self.input(i) {
            None => Err(self.err(format!("{} needs input {i}, which is missing", self.node.op.name()))),
            Some(t) => t.known_shape().ok_or(Stop::Skip),
        }
    }

    /// Known shape of an optional input (`None` when absent); [`Stop::Skip`] while unknown.
    fn shape_opt(&self, i: usize) -> R<Option<Vec<u64>>> {
        match self.input(i) {
            None => Ok(None),
            Some(t) => t.known_shape().map(Some).ok_or(Stop::Skip),
        }
    }

    /// Element type of an input (`Unknown` when absent).
    fn dtype(&self, i: usize) -> DType {
        self.input(i).map_or(DType::Unknown, |t| t.dtype)
    }

    /// Element type the frontend gave the `k`-th output.
    fn out_dtype(&self, k: usize) -> DType {
        self.node.output(k).and_then(|t| self.g.tensors.get(t.0)).map_or(DType::Unknown, |t| t.dtype)
    }

    /// The constant tensor of a parameter input: `None` when absent; [`Stop::Skip`] while its
    /// shape is unknown; an error when it is not a decoded constant.
    fn param(&self, i: usize, what: &str) -> R<Option<&Tensor>> {
        let Some(t) = self.input(i) else { return Ok(None) };
        match &t.value {
            Some(ConstValue::Ints(_) | ConstValue::Floats(_)) => Ok(Some(t)),
            Some(ConstValue::Opaque) => Err(self
                .err(format!("{what} (input {i} '{}') is a constant whose values were not decoded", t.name))),
            None => match t.known_shape() {
                None => Err(Stop::Skip),
                Some(s) => Err(self.err(format!(
                    "{what} (input {i} '{}', shape {s:?}) is not a constant; einf needs its values",
                    t.name
                ))),
            },
        }
    }

    /// Integer values of a parameter input (see [`Ctx::param`]). Integral floats are accepted.
    fn ints(&self, i: usize, what: &str) -> R<Option<Vec<i64>>> {
        let Some(t) = self.param(i, what)? else { return Ok(None) };
        match &t.value {
            Some(ConstValue::Ints(v)) => Ok(Some(v.clone())),
            Some(ConstValue::Floats(v)) => v
                .iter()
                .map(|&f| {
                    if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e18 {
                        Ok(f as i64)
                    } else {
                        Err(self.err(format!("{what} (input {i} '{}') holds the non-integer {f}", t.name)))
                    }
                })
                .collect::<R<Vec<i64>>>()
                .map(Some),
            _ => Ok(None),
        }
    }

    /// Float values of a parameter input (see [`Ctx::param`]).
    fn floats(&self, i: usize, what: &str) -> R<Option<Vec<f64>>> {
        Ok(self.param(i, what)?.and_then(Tensor::floats))
    }

    /// Normalise a possibly negative axis for a tensor of rank `rank`.
    fn axis(&self, axis: i64, rank: usize, what: &str) -> R<usize> {
        let r = i64::try_from(rank).unwrap_or(i64::MAX);
        let a = if axis < 0 { axis.saturating_add(r) } else { axis };
        if (0..r).contains(&a) {
            usize::try_from(a).map_err(|_| self.err(format!("{what} {axis} is out of range")))
        } else {
            Err(self.err(format!("{what} {axis} is out of range for rank {rank}")))
        }
    }

    /// A non-negative integer parameter as a dimension; negative values are an error, values above
    /// [`MAX_DIM`] a limit error.
    fn dim(&self, v: i64, what: &str) -> R<u64> {
        let d = u64::try_from(v).map_err(|_| self.err(format!("{what} {v} is negative")))?;
        if d > MAX_DIM {
            return Err(self.limit(format!("{what} {d} is larger than 2^31")));
        }
        Ok(d)
    }
}

/// Infer one node.
fn infer_node(ctx: &Ctx) -> R<Inferred> {
    let node = ctx.node;
    let mut inferred = match &node.op {
        Op::Conv(a) => conv::infer(ctx, a, false)?,
        Op::ConvTranspose(a) => conv::infer(ctx, a, true)?,
        Op::Pool(p) => pool::infer(ctx, p)?,
        Op::Gemm { trans_a, trans_b, flatten_rows, keep_num_dims } => {
            linear::gemm(ctx, *trans_a, *trans_b, *flatten_rows, *keep_num_dims)?
        }
        Op::MatMul { adj_a, adj_b } => linear::matmul(ctx, *adj_a, *adj_b)?,
        Op::BatchNorm { .. } => elementwise::batch_norm(ctx)?,
        Op::Norm { kind, axis } => elementwise::norm(ctx, kind, *axis)?,
        Op::Lrn { .. } | Op::Identity => elementwise::same(ctx)?,
        Op::Binary(b) => elementwise::binary(ctx, *b)?,
        Op::Unary(u) => elementwise::unary(ctx, u)?,
        Op::PRelu => elementwise::prelu(ctx)?,
        Op::Softmax { axis, .. } => elementwise::softmax(ctx, *axis)?,
        Op::Quantize => elementwise::quantize(ctx)?,
        Op::Dequantize => elementwise::dequantize(ctx)?,
        Op::Cast { to } => elementwise::cast(ctx, *to)?,
        Op::Reduce { kind, axes, keepdims, noop_with_empty_axes } => {
            reduce::infer(ctx, *kind, axes.as_deref(), *keepdims, *noop_with_empty_axes)?
        }
        Op::Concat { axis } => slice::concat(ctx, *axis)?,
        Op::Split { axis, split } => slice::split(ctx, *axis, split.as_deref())?,
        Op::Slice { .. } => slice::slice(ctx)?,
        Op::Pad { pads, pairs, mode } => slice::pad(ctx, pads.as_deref(), *pairs, *mode)?,
        Op::Reshape { shape, allowzero } => layout::reshape(ctx, shape.as_deref(), *allowzero)?,
        Op::Flatten { axis } => layout::flatten(ctx, *axis)?,
        Op::Squeeze { axes } => layout::squeeze(ctx, axes.as_deref())?,
        Op::Unsqueeze { axes } => layout::unsqueeze(ctx, axes.as_deref())?,
        Op::Transpose { .. } => layout::transpose(ctx)?,
        Op::SpaceDepth { to_space, block } => layout::space_depth(ctx, *to_space, *block)?,
        Op::Tile => layout::tile(ctx)?,
        Op::Expand => layout::expand(ctx)?,
        Op::Resize { mode, scales, sizes } => resize::infer(ctx, *mode, scales.as_deref(), sizes.as_deref())?,
        Op::Shape { start, end } => data::shape(ctx, *start, *end)?,
        Op::Gather { axis } => data::gather(ctx, *axis)?,
        Op::ConstantOfShape { dtype, .. } => data::constant_of_shape(ctx, *dtype)?,
        Op::Range => data::range(ctx)?,
        Op::Constant => return data::constant(ctx),
        Op::Unsupported { .. } => return unsupported(ctx),
    };
    let all_const = node.present_inputs().all(|t| ctx.g.tensors.get(t.0).is_some_and(Tensor::is_const));
    if all_const {
        fold::fold(ctx, &mut inferred);
    }
    Ok(inferred)
}

/// An operator einf cannot infer: keep the file's declared output shapes if all are fully known.
fn unsupported(ctx: &Ctx) -> R<Inferred> {
    let mut outs = Vec::with_capacity(ctx.n_outputs());
    for &o in &ctx.node.outputs {
        let Some(t) = ctx.g.tensors.get(o.0) else { return Err(Stop::Skip) };
        let Some(shape) = t.known_shape() else { return Err(Stop::Skip) };
        outs.push(Some(Out::new(shape, t.dtype)));
    }
    Ok(Inferred { outs, op: None })
}

/// Per-axis values of a window parameter: empty = all `default`; otherwise one per axis.
fn per_axis(ctx: &Ctx, v: &[u64], n: usize, what: &str, default: u64) -> R<Vec<u64>> {
    if v.is_empty() {
        return Ok(vec![default; n]);
    }
    if v.len() != n {
        return Err(ctx.err(format!("{what} {v:?} has {} values but there are {n} spatial axes", v.len())));
    }
    Ok(v.to_vec())
}

/// Channel axis and spatial axes of an activation of rank `rank` (≥ 3) in `layout`.
fn channel_axes(layout: Layout, rank: usize) -> (usize, std::ops::Range<usize>) {
    match layout {
        Layout::Nchw => (1, 2..rank),
        Layout::Nhwc => (rank.saturating_sub(1), 1..rank.saturating_sub(1)),
    }
}

/// Assemble `[N, C, spatial...]` or `[N, spatial..., C]`.
fn assemble(layout: Layout, n: u64, c: u64, spatial: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(spatial.len() + 2);
    out.push(n);
    match layout {
        Layout::Nchw => {
            out.push(c);
            out.extend_from_slice(spatial);
        }
        Layout::Nhwc => {
            out.extend_from_slice(spatial);
            out.push(c);
        }
    }
    out
}
