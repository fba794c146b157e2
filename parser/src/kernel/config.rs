//! Kernel configuration: the layer parameters a predictor sees (nn-Meter's HW, Cin, Cout, K, S,
//! made exact: separate h and w, padding, dilation, groups, batch and dtype).

use super::role::{channel_axis, spatial_axes};
use crate::ir::{DType, Graph, Node, Op, Padding, WeightLayout};
use serde::{Deserialize, Serialize};

/// The configuration of a kernel, taken from its anchor node (the convolution, fully connected
/// layer, pool, ... that gives the kernel its kind). Spatial fields are 1 for non-spatial kernels;
/// a 1-D operator has `h = 1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KernelConfig {
    /// Batch size.
    pub batch: u64,
    /// Input height.
    pub input_h: u64,
    /// Input width.
    pub input_w: u64,
    /// Output height.
    pub output_h: u64,
    /// Output width.
    pub output_w: u64,
    /// Input channels (fully connected: input features).
    pub cin: u64,
    /// Output channels (fully connected: output features).
    pub cout: u64,
    /// Kernel height.
    pub kernel_h: u64,
    /// Kernel width.
    pub kernel_w: u64,
    /// Vertical stride.
    pub stride_h: u64,
    /// Horizontal stride.
    pub stride_w: u64,
    /// Padding: top, left, bottom, right.
    pub pads: [u64; 4],
    /// Vertical dilation.
    pub dilation_h: u64,
    /// Horizontal dilation.
    pub dilation_w: u64,
    /// Convolution groups (1 otherwise).
    pub groups: u64,
    /// Element type of the anchor's first input.
    pub dtype: DType,
    /// Channels of each input, for multi-input kernels (concat: nn-Meter's CIN1..CIN4; add).
    pub input_channels: Vec<u64>,
}

impl KernelConfig {
    /// A configuration with every field at its neutral value: batch, sides, channels, window,
    /// stride, dilation and groups 1, no padding, f32, no per-input channels. Readers that build
    /// a configuration from a table start here and set what the table gives.
    pub fn neutral() -> KernelConfig {
        KernelConfig {
            batch: 1,
            input_h: 1,
            input_w: 1,
            output_h: 1,
            output_w: 1,
            cin: 1,
            cout: 1,
            kernel_h: 1,
            kernel_w: 1,
            stride_h: 1,
            stride_w: 1,
            pads: [0; 4],
            dilation_h: 1,
            dilation_w: 1,
            groups: 1,
            dtype: DType::F32,
            input_channels: Vec::new(),
        }
    }

    /// The fields as table columns, in the order einf's tables write them (the generic CSV
    /// import, `einf dataset export`, suite manifests): the whole numbers, `pads` as `pad_top`,
    /// `pad_left`, `pad_bottom`, `pad_right`, then `dtype` and `input_channels`.
    pub const COLUMNS: [&'static str; 20] = [
        "batch",
        "input_h",
        "input_w",
        "output_h",
        "output_w",
        "cin",
        "cout",
        "kernel_h",
        "kernel_w",
        "stride_h",
        "stride_w",
        "pad_top",
        "pad_left",
        "pad_bottom",
        "pad_right",
        "dilation_h",
        "dilation_w",
        "groups",
        "dtype",
        "input_channels",
    ];

    /// The whole-number fields, in the order of the first 18 of [`Self::COLUMNS`] (up to
    /// `groups`).
    pub fn whole_numbers(&self) -> [u64; 18] {
        let [pad_top, pad_left, pad_bottom, pad_right] = self.pads;
        [
            self.batch,
            self.input_h,
            self.input_w,
            self.output_h,
            self.output_w,
            self.cin,
            self.cout,
            self.kernel_h,
            self.kernel_w,
            self.stride_h,
            self.stride_w,
            pad_top,
            pad_left,
            pad_bottom,
            pad_right,
            self.dilation_h,
            self.dilation_w,
            self.groups,
        ]
    }

    /// The configuration whose [`Self::whole_numbers`] are `n`, with `dtype` and `input_channels`
    /// (the inverse of `whole_numbers`, for readers of stored rows).
    pub fn from_whole_numbers(n: [u64; 18], dtype: DType, input_channels: Vec<u64>) -> KernelConfig {
        let [
            batch,
            input_h,
            input_w,
            output_h,
            output_w,
            cin,
            cout,
            kernel_h,
            kernel_w,
            stride_h,
            stride_w,
            pad_top,
            pad_left,
            pad_bottom,
            pad_right,
            dilation_h,
            dilation_w,
            groups,
        ] = n;
        KernelConfig {
            batch,
            input_h,
            input_w,
            output_h,
            output_w,
            cin,
            cout,
            kernel_h,
            kernel_w,
            stride_h,
            stride_w,
            pads: [pad_top, pad_left, pad_bottom, pad_right],
            dilation_h,
            dilation_w,
            groups,
            dtype,
            input_channels,
        }
    }

    /// The values of [`Self::COLUMNS`] as text, in order: whole numbers in decimal, `dtype` by
    /// name (`f32`), `input_channels` joined by `,` as the dataset store keeps them (empty for a
    /// kernel with one input; the generic CSV import reads them joined by `;`).
    pub fn column_values(&self) -> [String; 20] {
        let numbers = self.whole_numbers();
        let channels = self.input_channels.iter().map(u64::to_string).collect::<Vec<_>>().join(",");
        std::array::from_fn(|i| match numbers.get(i) {
            Some(n) => n.to_string(),
            None if i == numbers.len() => self.dtype.name().to_string(),
            None => channels.clone(),
        })
    }

    /// The columns of a table of configurations: `before`, the first `config` of
    /// [`Self::COLUMNS`], then `after`. `N` must be their total count: a constant built with
    /// another `N` does not compile.
    pub const fn table_columns<const N: usize>(
        before: &[&'static str],
        config: usize,
        after: &[&'static str],
    ) -> [&'static str; N] {
        assert!(config <= Self::COLUMNS.len(), "more configuration columns than there are");
        assert!(before.len() + config + after.len() == N, "N is not the number of columns");
        let mut out = [""; N];
        let mut i = 0;
        while i < N {
            out[i] = if i < before.len() {
                before[i]
            } else if i < before.len() + config {
                Self::COLUMNS[i - before.len()]
            } else {
                after[i - before.len() - config]
            };
            i += 1;
        }
        out
    }
}

impl std::fmt::Display for KernelConfig {
    /// `HxWxCin -> HxWxCout kKHxKW sSHxSW p[t, l, b, r] dDHxDW gG dtype`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}x{}x{} -> {}x{}x{} k{}x{} s{}x{} p{:?} d{}x{} g{} {}",
            self.input_h,
            self.input_w,
            self.cin,
            self.output_h,
            self.output_w,
            self.cout,
            self.kernel_h,
            self.kernel_w,
            self.stride_h,
            self.stride_w,
            self.pads,
            self.dilation_h,
            self.dilation_w,
            self.groups,
            self.dtype
        )
    }
}

/// `(batch, channels, h, w)` of an activation shape in a layout; rank < 3 is treated as
/// `[batch, features]` (h = w = 1). Rank 3 is 1-D spatial in the graph's layout for
/// convolutions and pools (`spatial_op`), and `[batch, length, channels]` (w = length) for every
/// other operator, whatever the layout: such tensors (sequences, detection anchors) are not images.
fn nchw(graph: &Graph, shape: &[u64], spatial_op: bool) -> (u64, u64, u64, u64) {
    let rank = shape.len();
    let dim = |i: usize| shape.get(i).copied().unwrap_or(1);
    match rank {
        0 => (1, 1, 1, 1),
        1 => (1, dim(0), 1, 1),
        2 => (dim(0), dim(1), 1, 1),
        3 if !spatial_op => (dim(0), dim(2), 1, dim(1)),
        _ => {
            let c = dim(channel_axis(graph.layout, rank));
            let sp = spatial_axes(graph.layout, rank);
            let (h, w) = match sp.as_slice() {
                [w] => (1, dim(*w)),
                [.., h, w] => (dim(*h), dim(*w)),
                [] => (1, 1),
            };
            let extra: u64 = sp.iter().rev().skip(2).map(|&a| dim(a)).product();
            (dim(0), c, h.saturating_mul(extra), w)
        }
    }
}

fn shape_of(graph: &Graph, t: Option<crate::ir::TensorId>) -> Option<Vec<u64>> {
    graph.tensor(t?).known_shape()
}

fn last2(v: &[u64], default: u64) -> (u64, u64) {
    match v {
        [] => (default, default),
        [x] => (1, *x),
        [.., a, b] => (*a, *b),
    }
}

fn pads4(padding: &Padding) -> [u64; 4] {
    match padding {
        Padding::Explicit(p) => match p.as_slice() {
            [b, e] => [0, *b, 0, *e],
            [t, l, b, r] => [*t, *l, *b, *r],
            _ => [0; 4],
        },
        _ => [0; 4],
    }
}

/// The configuration of `node` used as a kernel anchor. Returns `None` when shapes are unknown.
pub fn config_of(graph: &Graph, node: &Node) -> Option<KernelConfig> {
    // The activation operand: the first non-constant input (`Mul(scale, x)` puts x second).
    let x_id = node.present_inputs().find(|&t| !graph.tensor(t).is_const()).or(node.input(0));
    let x = shape_of(graph, x_id)?;
    let y = shape_of(graph, node.output(0))?;
    let spatial_op = matches!(node.op, Op::Conv(_) | Op::ConvTranspose(_) | Op::Pool(_));
    let (n, cin, ih, iw) = nchw(graph, &x, spatial_op);
    let (_, cout, oh, ow) = nchw(graph, &y, spatial_op);
    let mut cfg = KernelConfig {
        batch: n,
        input_h: ih,
        input_w: iw,
        output_h: oh,
        output_w: ow,
        cin,
        cout,
        dtype: graph.tensor(x_id?).dtype,
        ..KernelConfig::neutral()
    };
    match &node.op {
        Op::Conv(a) | Op::ConvTranspose(a) => {
            let w = shape_of(graph, node.input(1))?;
            let k: Vec<u64> = match (&a.kernel, a.weight_layout) {
                (Some(k), _) => k.clone(),
                (None, WeightLayout::Oihw | WeightLayout::Iohw) => {
                    w.get(2..).map(<[u64]>::to_vec).unwrap_or_default()
                }
                (None, WeightLayout::Ohwi | WeightLayout::Ihwo) => {
                    w.get(1..w.len().saturating_sub(1)).map(<[u64]>::to_vec).unwrap_or_default()
                }
            };
            (cfg.kernel_h, cfg.kernel_w) = last2(&k, 1);
            (cfg.stride_h, cfg.stride_w) = last2(&a.strides, 1);
            (cfg.dilation_h, cfg.dilation_w) = last2(&a.dilations, 1);
            cfg.pads = pads4(&a.padding);
            cfg.groups = a.groups.unwrap_or(1);
        }
        Op::Pool(p) => {
            if p.global {
                (cfg.kernel_h, cfg.kernel_w) = (ih, iw);
            } else {
                (cfg.kernel_h, cfg.kernel_w) = last2(&p.kernel, 1);
                (cfg.stride_h, cfg.stride_w) = last2(&p.strides, 1);
                (cfg.dilation_h, cfg.dilation_w) = last2(&p.dilations, 1);
                cfg.pads = pads4(&p.padding);
            }
        }
        Op::Gemm { .. } | Op::MatMul { .. } => {
            // Features in, features out: the last axes of input and output.
            cfg.cin = x.last().copied().unwrap_or(1);
            cfg.cout = y.last().copied().unwrap_or(1);
            let rows: u64 = y.iter().rev().skip(1).product();
            (cfg.batch, cfg.input_h, cfg.input_w, cfg.output_h, cfg.output_w) = (rows.max(1), 1, 1, 1, 1);
        }
        Op::Reduce { .. } => {
            // Global pooling written as a mean over H and W: the window is the map.
            (cfg.kernel_h, cfg.kernel_w) = (ih, iw);
        }
        _ => {}
    }
    if node.inputs.len() > 1 && matches!(node.op, Op::Concat { .. } | Op::Binary(_)) {
        cfg.input_channels = node
            .present_inputs()
            .filter_map(|t| graph.tensor(t).known_shape())
            .map(|s| nchw(graph, &s, false).1)
            .collect();
    }
    Some(cfg)
}

/// Set the output side of `cfg` (anchored at `anchor`) from the output of the kernel's `last` node.
pub(crate) fn set_output_side(graph: &Graph, anchor: &Node, last: &Node, cfg: &mut KernelConfig) {
    let spatial_op = matches!(anchor.op, Op::Conv(_) | Op::ConvTranspose(_) | Op::Pool(_));
    if let Some(y) = shape_of(graph, last.output(0))
        && y.len() >= 3
    {
        let (_, c, h, w) = nchw(graph, &y, spatial_op);
        (cfg.cout, cfg.output_h, cfg.output_w) = (c, h, w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_whole_numbers_inverts_whole_numbers() {
        let c = KernelConfig {
            pads: [1, 2, 3, 4],
            groups: 8,
            cin: 16,
            input_channels: vec![8, 8],
            dtype: DType::F16,
            ..KernelConfig::neutral()
        };
        let back = KernelConfig::from_whole_numbers(c.whole_numbers(), c.dtype, c.input_channels.clone());
        assert_eq!(back, c);
    }

    #[test]
    fn column_values_follow_the_columns() {
        let mut c = KernelConfig::neutral();
        let numbers: Vec<u64> = (1..=18).collect();
        (c.batch, c.input_h, c.input_w, c.output_h, c.output_w, c.cin, c.cout) = (1, 2, 3, 4, 5, 6, 7);
        (c.kernel_h, c.kernel_w, c.stride_h, c.stride_w) = (8, 9, 10, 11);
        c.pads = [12, 13, 14, 15];
        (c.dilation_h, c.dilation_w, c.groups) = (16, 17, 18);
        assert_eq!(c.whole_numbers().to_vec(), numbers);
        c.dtype = DType::I8;
        c.input_channels = vec![32, 64];
        let values = c.column_values();
        assert_eq!(values[..18], numbers.iter().map(u64::to_string).collect::<Vec<_>>()[..]);
        assert_eq!((values[18].as_str(), values[19].as_str()), ("i8", "32,64"));
        assert_eq!(KernelConfig::neutral().column_values()[19], "");
        // The serialised field names are the column names, pads aside.
        let json = serde_json::to_value(&c).unwrap_or_default();
        for name in KernelConfig::COLUMNS.iter().filter(|n| !n.starts_with("pad_")) {
            assert!(json.get(name).is_some(), "{name}");
        }
    }

    #[test]
    fn table_columns_frame_the_configuration_columns() {
        const T: [&str; 5] = KernelConfig::table_columns(&["a"], 2, &["b", "c"]);
        assert_eq!(T, ["a", "batch", "input_h", "b", "c"]);
    }
}
